"""Putting a figure from ``ui.charts`` on a page."""

import streamlit as st

from ui.figure import alt_text


def chart(figure, key: str, where=st) -> None:
    """Show ``figure`` in ``where`` (the page, a column, a tab), without Streamlit's chart theme, labelled for
    screen readers with its title and legend (``ui.figure.alt_text``). It fills the width it is given, unless
    the figure sets its own (a panel of a grid that wraps: ``ui.charts.PANEL``).

    The figure already carries the theme's look (``ui.theme``). With the theme on, Streamlit would draw every
    chart twice each time it changes (``ui.figure.PlainFigure`` says why), doubling the browser's work.
    """
    width = "content" if figure.layout.width else "stretch"
    where.plotly_chart(figure, key=key, theme=None, alt=alt_text(figure), width=width)
