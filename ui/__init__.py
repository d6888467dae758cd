"""Streamlit and Plotly glue shared by the pages: URL-bound controls, cached engine calls, figure builders."""
