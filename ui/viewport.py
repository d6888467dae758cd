"""The width of the page's main column, as the browser measures it, for a figure whose panels cannot reflow.

Plotly lays a figure of many panels side by side (the lab's film) out once, on the server, for the width it will
be given. A phone says what it is in its User-Agent, but a laptop's window half a screen wide, or a projector of
1024 px with the sidebar open, says "desktop", and five columns of 50 px overlapped their names there. A tiny
component (``st.components.v2``, drawn in the sidebar, where it takes no room) measures the main column when the
page is drawn and whenever the column changes width (the window resized, the sidebar opened or closed). It tells
the server the width only when it falls on the other side of a width the page needs (one per figure that cannot
reflow: the lab's film and its sweep) from the layout drawn, so a page drawn right is never run again for it.
"""

import streamlit as st

KEY = "viewport"  # session state: the component's state, {"width": px} once the browser has told it

_PROBE = st.components.v2.component(
    "initlab_viewport",
    js="""
let report = null  // this page's measure, which the one observer calls
let observed = null  // the main column it watches
const observer = new ResizeObserver(() => report && report())

export default function ({ data, setStateValue }) {
  let narrow = data.narrow  // as the server drew the page, for each width it needs
  const main = document.querySelector('[data-testid="stMainBlockContainer"]')
  report = () => {
    if (!main) return
    const style = getComputedStyle(main)
    const width = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    const now = data.needed.map(needed => width < needed)
    if (width > 0 && now.some((side, k) => side !== narrow[k])) {
      narrow = now
      setStateValue("width", Math.round(width))
    }
  }
  if (main && main !== observed) {  // the window resized, the sidebar opened or closed: the column changes width
    if (observed) observer.unobserve(observed)
    observer.observe(main)
    observed = main
  }
  report()
  return () => {
    observer.disconnect()
    observed = report = null
  }
}
""",
)


def narrower_than(needed: list[float], guess: bool) -> list[bool]:
    """Whether the page's main column is narrower than each of ``needed`` px: as the browser last measured it, or,
    until it has, ``guess`` (what the User-Agent says). Mounts the measuring component, which reruns the page once
    if a guess was wrong."""
    state = st.session_state.get(KEY)
    width = state.get("width") if state is not None else None
    narrow = [guess if width is None else width < each for each in needed]
    with st.sidebar:
        _PROBE(key=KEY, data=dict(needed=needed, narrow=narrow), on_width_change=lambda: None, height=0)
    return narrow
