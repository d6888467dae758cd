"""The sidebar's table of contents, the same on every page (Streamlit's own would call the home page 'app')."""

import streamlit as st

from ui import controls

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
     "CS231n, Glorot & Bengio 2010 and He et al. 2015, one click each."),
]


def sidebar(page: str) -> None:
    """The table of contents, on the page whose ``__file__`` is ``page``; first, tell the controls which page
    this is (``controls.enter``)."""
    controls.enter(page)
    with st.sidebar:
        for path, label, icon, _ in LESSONS:
            st.page_link(path, label=label, icon=icon)
        st.divider()


def reset_button() -> None:
    """'Reset this lesson', under a lesson's controls (above them, it would push them down the first screen)."""
    st.button("Reset this lesson", on_click=controls.reset_lesson, icon=":material/restart_alt:",
              help="Every setting of this page back to where the lesson starts", key="reset_lesson")


def lesson_links() -> None:
    for page, label, icon, blurb in LESSONS[1:]:
        st.page_link(page, label=f"**{label}**", icon=icon)
        st.caption(blurb)
