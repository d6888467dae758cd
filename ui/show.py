"""Putting a figure from ``ui.charts`` on a page."""

import streamlit as st


def chart(figure, key: str, where=st) -> None:
    """Show ``figure`` in ``where`` (the page, a column, a tab), without Streamlit's chart theme.

    The figure already carries the theme's look (``ui.theme``). With the theme on, Streamlit would draw every
    chart twice each time it changes (``ui.charts.PlainFigure`` says why), doubling the browser's work.
    """
    where.plotly_chart(figure, key=key, theme=None)
