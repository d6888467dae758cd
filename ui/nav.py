"""The sidebar's table of contents, the same on every page (Streamlit's own would call the home page 'app')."""

import functools

import streamlit as st

from ui import classroom, controls, reconnect, screen, show
from ui.theme import INK, legible_code

LESSONS = [
    ("app.py", "Home", ":material/home:", "The whole story in one picture."),
    ("pages/1_Weight_distributions.py", "Weight distributions", ":material/bar_chart:",
     "What each scheme's weights look like, side by side, with the formulas."),
    ("pages/2_Signal_propagation.py", "Signal propagation", ":material/trending_down:",
     "Push a batch through up to 100 layers and watch the signal vanish, explode or hold."),
    ("pages/3_Symmetry.py", "Symmetry", ":material/content_copy:",
     "Why zero and constant weights make every unit a copy."),
    ("pages/4_Training_lab.py", "Training lab", ":material/model_training:",
     "Train small networks from different starts and compare."),
    ("pages/5_Choosing_an_initializer.py", "Choosing an initializer", ":material/explore:",
     "Which scheme for which activation, and the one-liners for PyTorch, Keras and JAX."),
    ("pages/6_Reproduce_the_classics.py", "Reproduce the classics", ":material/history_edu:",
     "CS231n, Glorot & Bengio 2010, He et al. 2015, ResNets and GPT-2, one click each."),
    ("pages/7_Order_and_chaos.py", "Order and chaos", ":material/blur_on:",
     "How deep a network can train: the edge of chaos, real runs on the map, and dynamical isometry."),
    ("pages/8_Deep_networks_in_practice.py", "Deep networks in practice", ":material/layers:",
     "Framework defaults, layer shapes, residual connections and normalization."),
]


# Where the keyboard is: a thick ring in the text's ink around whatever has focus, unlike anything the app draws
# for a selection (the current lesson's link is shaded grey-blue; a chosen option, the theme's blue). A ring must
# stand 3:1 against what is around it (WCAG's contrast for non-text marks): the white page, the sidebar, and the
# theme's blue that a focused button or slider thumb is filled with. Only a colour as dark as ink does all three
# (amber was 2.3:1 on white). A slider's focused element is an input clipped to a pixel inside its thumb, so the
# ring goes round the thumb that holds it.
FOCUS_COLOUR = INK
FOCUS_RING = f"""<style>
:focus-visible, [data-testid=stPageLink-NavLink]:focus-visible, [data-baseweb] :focus-visible,
[data-testid=stSlider] [data-rac]:has(> div > input:focus-visible) {{
    outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important; }}
.stPlotlyChart g[role]:focus-visible rect.updatemenu-item-rect,
.stPlotlyChart g[role]:focus-visible rect.slider-grip-rect {{
    stroke: {FOCUS_COLOUR} !important; stroke-width: 3px !important; }}
{legible_code()}</style>"""
# The film's SVG buttons and slider (``ui.film.SCRIPT``) draw no outline: their shapes are ringed. The same style
# sheet draws highlighted code in legible colours (``ui.theme.legible_code``).


# One action of the learner, one entry in the browser's history. Streamlit changes the address several times
# for one action (a classic that sets four controls: four new entries, each a view nobody saw; a slider moved
# rewrites the entry of the view before it), and Back went to those. So the first change of the address after
# a click or a key press makes the action's entry, and every change after it updates that entry, which ends
# as the view the action led to. Back and Forward themselves make no entry. (A fixed script of the app's own,
# never anything a user or a link wrote.)
ONE_ENTRY_PER_ACTION = """<script>
(() => {
    if (window.initlabHistory) return;
    window.initlabHistory = true;
    let acted = false;
    for (const kind of ["pointerdown", "keydown"]) window.addEventListener(kind, () => { acted = true; }, true);
    window.addEventListener("popstate", () => { acted = false; }, true);
    const push = history.pushState.bind(history), replace = history.replaceState.bind(history);
    const entry = (state, title, url) => {
        const first = acted;
        acted = false;
        return first ? push(state, title, url) : replace(state, title, url);
    };
    history.pushState = entry;
    history.replaceState = entry;
})();
</script>"""


def sidebar(page: str) -> None:
    """Called first by the page whose ``__file__`` is ``page``: tell the controls which page this is
    (``controls.enter``), draw keyboard focus as a ring of its own, and have the page rebuilt by whichever
    server it reconnects to (``reconnect``). The page's own controls come first in the sidebar; ``footer`` ends
    it."""
    controls.enter(page)
    st.html(FOCUS_RING)
    st.html(ONE_ENTRY_PER_ACTION, unsafe_allow_javascript=True)
    reconnect.keep_the_view()


def footer(reset: bool = True) -> None:
    """The end of the sidebar, under the lesson's controls: 'Reset this lesson' (with ``reset``), the table of
    contents, then the switches for teaching a class (``ui.classroom``, ``ui.screen``), and the page fitted to
    the screen. Keyboard users reach the controls first: with the lessons' links above them, the first control
    came after every one of them on the Tab key."""
    with st.sidebar:
        if reset:
            st.button("Reset this lesson", on_click=controls.reset_lesson, icon=":material/restart_alt:",
                      help="Every setting of this page back to where the lesson starts", key="reset_lesson")
            st.divider()
        st.markdown("**Lessons**")  # full ink: a caption's grey is 4.4:1 on the sidebar's blue-grey, under AA's 4.5
        for path, label, icon, _ in LESSONS:
            st.page_link(_page(path), label=label, icon=icon)
        st.divider()
        st.markdown("**Teaching a class**")
        controls.flag("Ask before showing", classroom.CLASS,
                      help="Each lesson asks a question before it shows its chart. In the link as class=1: "
                           "everyone who opens it gets the questions.")
        presenting = controls.flag("Presenter mode", screen.PRESENT,
                                   help="Large type and charts for a projector, the sidebar folded away. In the "
                                        "link as present=1.")
    screen.fit(presenting=presenting, phone=show.on_phone())


def lesson_links() -> None:
    for page, label, icon, blurb in LESSONS[1:]:
        st.page_link(_page(page), label=f"**{label}**", icon=icon)
        st.caption(blurb)


@functools.cache
def _page(path: str) -> st.Page:
    """The lesson at ``path`` (from the folder of ``app.py``) as a page object, made once: a link given a path
    resolves it on disk at every rerun, nine links a page. That is 12 µs a link alone, but each look at the disk
    lets another thread in first: with a class of 30 on one link, the links took 9 % of the reruns' time."""
    return st.Page(path, default=path == LESSONS[0][0])
