"""Streamlit's own floor: one slider and a small Plotly chart, no work. Used by bench_browser.py.

``?charts=N`` (1 to 8, default 1) draws N such charts, all redrawn when the slider moves: the floor for a
page that redraws as many charts at one step.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

asked = st.query_params.get("charts", "1")
charts = min(max(int(asked), 1), 8) if asked.isdigit() else 1
depth = st.slider("Depth", 1, 100, 50, key="depth")
st.title("minimal")
layers = np.arange(1, depth + 1)
for chart in range(charts):
    st.plotly_chart(go.Figure(go.Scatter(x=layers, y=np.exp(-layers / depth) + chart)))
