"""initlab home page."""

import streamlit as st

st.set_page_config(page_title="initlab", layout="wide")
st.title("initlab: why weight initialization matters")
