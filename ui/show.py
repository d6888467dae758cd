"""Putting a figure from ``ui.charts``, a formula, a few numbers or a table on a page."""

import pandas as pd
import streamlit as st

from ui import screen, viewport
from ui.figure import alt_text, enlarged

WHOLE_TABLE_ROWS = 40  # a table of at most this many rows shows them all; a longer one scrolls
PRESENTED_ROWS, PRESENTED_HEIGHT = 12, 700  # in presenter mode, a table of more rows scrolls in 700 px (of 1080)


def chart(figure, key: str, where=st) -> None:
    """Show ``figure`` in ``where`` (the page, a column, a tab), without Streamlit's chart theme, labelled for
    screen readers with its title and legend (``ui.figure.alt_text``). It fills the width it is given, unless
    the figure sets its own (a panel of a grid that wraps: ``ui.charts.PANEL``).

    The figure already carries the theme's look (``ui.theme``). With the theme on, Streamlit would draw every
    chart twice each time it changes (``ui.figure.PlainFigure`` says why), doubling the browser's work.

    In presenter mode the chart is drawn ``ui.screen.SCALE`` times larger, words and all (not on a phone, which is
    no projector). On a phone Plotly's bar of tools is left out: it sat on the chart's title, and a finger zooms
    without it.
    """
    width = "content" if figure.layout.width else "stretch"
    phone = on_phone()
    where.plotly_chart(enlarged(figure, screen.SCALE if _projected(phone) else 1), key=key,
                       theme=None, alt=alt_text(figure), width=width,
                       config=dict(displayModeBar=False) if phone else None)


def _projected(phone: bool) -> bool:
    """Whether the page is shown on a projector: presenter mode, but not on a phone, which is no projector."""
    return screen.presenting() and not phone


def on_phone() -> bool:
    """Whether the page is open on a phone, as its browser says (a "Mobi" in the User-Agent, the mark every
    phone browser carries and tablets and desktops do not). A figure with many panels side by side lays them out
    one under the other there: Plotly cannot reflow a figure's panels to the width it finds."""
    return "Mobi" in st.context.headers.get("User-Agent", "")


def too_narrow_for(*needed: float) -> list[bool]:
    """Whether the page's main column is narrower than each of ``needed``: the px a figure laid out side by side
    needs at a laptop's scale (presenter mode's larger words need ``screen.SCALE`` times more), one per such figure
    of the page; as the browser measures the column (``ui.viewport``), and until it has, on a phone."""
    phone = on_phone()
    scale = screen.SCALE if _projected(phone) else 1
    return viewport.narrower_than([each * scale for each in needed], phone)


def caption(text: str | None) -> None:
    """A caption, where there is something to say."""
    if text:
        st.caption(text)


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


def table(frame, columns: dict, prose: bool = False) -> None:
    """Show ``frame`` without its index, its columns named and formatted by ``columns`` (``ui.tables``). Up to
    ``WHOLE_TABLE_ROWS`` rows it shows every row, so that rows meant to be compared are in sight together (a
    layer's units, all copies of one another); a longer table (a row per layer of a deep network) scrolls
    within the height of ten rows.

    In presenter mode (not on a phone) the table is plain text (``st.table``), which takes the page's large type:
    Streamlit's data grid draws its cells on a canvas at its own size, 14 px on the projector, and zoomed, it ran
    past the screen's edge. A long one scrolls within the projector's height there.

    A table of ``prose`` (the verdicts: a few words to a sentence a cell) is plain text at any size, whose cells
    wrap within the page's column, and a list on a phone, a block per row headed by its first column: the data
    grid cut the words short at each column's edge and hid the last columns behind a sideways scroll (a
    1024-px projector lost a funnel's gradient column). What its columns' headings would say on a hover is said
    under it (``columns_explained``)."""
    phone = on_phone()
    if phone and prose:
        shown = as_shown(frame, columns)
        for heading, *cells in shown.itertuples(index=False, name=None):
            named = [labelled(label, value) for label, value in zip(shown.columns[1:], cells)
                     if pd.notna(value) and value != ""]
            st.markdown("  \n".join([f"**{escaped(heading)}**", *named]))
    elif prose or _projected(phone):
        st.table(as_shown(frame, columns), hide_index=True,
                 height="content" if len(frame) <= PRESENTED_ROWS else PRESENTED_HEIGHT)
    else:
        st.dataframe(frame, hide_index=True, column_config=columns,
                     height="content" if len(frame) <= WHOLE_TABLE_ROWS else "auto")
    if prose and (explained := columns_explained(frame, columns)):
        st.caption(explained)


def columns_explained(frame, columns: dict) -> str | None:
    """What each of ``frame``'s columns means where ``columns`` says (the data grid's tooltip on its heading), in
    a line of Markdown for a table drawn as text, which has no tooltips."""
    said = [labelled(config["label"], config["help"].rstrip(".") + ".") for name in frame.columns
            if (config := columns.get(name) or {}).get("help")]
    return " ".join(said) or None


def labelled(label: str, text) -> str:
    """``text`` after its ``label`` in bold, both taken as written (``escaped``): "**gradient:** steady"."""
    return f"**{escaped(label)}:** {escaped(text)}"


def escaped(text) -> str:
    """``text`` for Markdown, each punctuation mark Markdown reads (and ``$``, which opens a formula) taken as is:
    "Var z_l" would start italics at its ``_``."""
    return "".join(f"\\{c}" if c in MARKDOWN_MARKS else c for c in str(text))


MARKDOWN_MARKS = set("\\`*_{}[]<>()#+-.!|$~")


def as_shown(frame, columns: dict):
    """``frame`` as the data grid shows it under ``columns``: its columns in their order, headed by their labels,
    numbers in their printf formats ("%d", "%.4g"; a missing one blank), text as it is."""
    shown = {}
    for name in frame.columns:
        config = columns.get(name) or {}
        style = (config.get("type_config") or {}).get("format") or ""
        values = frame[name].tolist()
        if style.startswith("%"):
            values = [style % v if pd.notna(v) else "" for v in values]
        shown[config.get("label") or name] = values
    return pd.DataFrame(shown)
