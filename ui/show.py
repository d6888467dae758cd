"""Putting a figure from ``ui.charts``, a formula or a few numbers on a page."""

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


def formula(latex: str, width: str = "stretch") -> None:
    """Show ``latex``, with a thin space after it. KaTeX draws a formula of several lines (GELU's, a
    truncated normal's) 2 px wider than it measures; in a box only as wide as the measure (``width="content"``,
    beside another formula in a row that wraps, or on a phone) that overshoot would scroll, with a scroll bar
    wherever scroll bars take room."""
    st.latex(latex + r"\,", width=width)


def metrics(shown: dict[str, str]) -> None:
    """Show each label's value as a metric as wide as its words, side by side where they fit, one under the
    other where they do not (in columns, Streamlit cut them short: "Xavier/Gl…" on a projector)."""
    with st.container(horizontal=True):
        for label, value in shown.items():
            st.metric(label, value, width="content")
