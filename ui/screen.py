"""Fitting a lesson to the screen it is shown on: a projector in front of a class (presenter mode, ``?present=1``)
or a phone.

Presenter mode folds the sidebar away, sets the page's words large and has ``ui.show.chart`` draw every chart
``SCALE`` times larger (its words, margins and height: ``ui.figure.PlainFigure.enlargement``), so that a room can
read a 1080p projector from the back. A phone gets its sidebar folded too (it would cover the chart); any narrow
screen gets tabs that wrap onto a second line instead of running off the screen.
"""

import streamlit as st

PRESENT = "present"  # the URL name, and session-state key, of presenter mode
SCALE = 1.5  # a chart's tick labels, 12.75 px on a laptop, are 19 px on the projector

# Words and controls of the page about 1.5 times their size (Streamlit sizes them in rem, from the root's font),
# and the page's margins narrower, so that the charts take the screen's width and the title sits near the top.
LARGE_TYPE = """<style>
html { font-size: 26px; }
[data-testid=stMainBlockContainer] { padding: 3.5rem 2rem 2rem; }
</style>"""

# On a narrow screen, whatever its browser says it is (a narrow window, a phone that does not say so): tabs on as
# many lines as they need (in one line that scrolls, the last ones were cut off at the screen's edge), and no Plotly
# bar of tools, which sat on each chart's title (``ui.show.chart`` leaves it out where the browser says "phone"),
# nor a table's, which a touch screen shows at all times over the line above the table (the end of a formula:
# "n_out = k² C_out = 3² · 128 = 1152" lost its 1152).
NARROW = """<style>
@media (max-width: 640px) {
    [data-testid=stTabs] [role=tablist] { flex-wrap: wrap; row-gap: 0.25rem; }
    [data-testid=stTabs] [role=tablist] ~ button { display: none; }
    .stPlotlyChart .modebar-container { display: none !important; }
    [data-testid=stElementToolbar] { display: none !important; }
}
</style>"""


def presenting() -> bool:
    """Whether this session shows the lessons in presenter mode."""
    return st.session_state.get(PRESENT) is True


def fit(*, presenting: bool, phone: bool) -> None:
    """Fold the sidebar away in presenter mode and on a phone (elsewhere Streamlit decides, by the window's
    width), set the type large for a projector, and fit a narrow screen (``NARROW``). A phone is no projector:
    presenter mode leaves its type as it is (1.5× larger, a title broke mid-word: "Deep network / s")."""
    st.set_page_config(initial_sidebar_state="collapsed" if presenting or phone else "auto")
    st.html(NARROW + (LARGE_TYPE if presenting and not phone else ""))
