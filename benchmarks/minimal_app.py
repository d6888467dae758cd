"""Streamlit's own floor: one slider, one small Plotly chart, no work. Used by bench_browser.py."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

depth = st.slider("Depth", 1, 100, 50, key="depth")
st.title("minimal")
layers = np.arange(1, depth + 1)
st.plotly_chart(go.Figure(go.Scatter(x=layers, y=np.exp(-layers / depth))))
