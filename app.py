"""initlab home: what the app teaches, the whole story in one picture, and the way into each lesson.

`streamlit run app.py` reads this file in two ways. It first imports it as a module, to find the server it
declares (``st.App``): that server, as it starts, imports the modules of the lessons and makes the engine's first
call in the background (``ui.startup``), while the first browser is still loading Streamlit's own scripts. Then
Streamlit runs the file as the home page, as ``__main__``, on each visit.
"""

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` to find its server: no page is drawn here
    from ui.startup import lifespan

    app = st.App(__file__, lifespan=lifespan)
else:  # the home page
    from ui import cached, charts, controls, show
    from ui.nav import footer, lesson_links, sidebar
    from ui.theme import activation_label, number, times

    st.set_page_config(page_title="initlab: why weight initialization matters", layout="wide")
    sidebar(__file__)
    footer(reset=False)
    st.title("Why weight initialization matters")
    st.markdown(
        "A deep network multiplies its input by one weight matrix after another. If each layer makes the signal "
        "a little smaller, it fades to nothing; a little larger, and it blows up to infinity. The starting weights "
        "decide which happens. Below, twelve small networks show all of it at once; each lesson in the sidebar lets "
        "you change the weights, the depth and the activation with its own sliders and watch it happen."
    )

    SCHEMES = ("zeros", "constant", "small_normal", "large_normal", "xavier_normal", "he_normal")
    ACTIVATIONS = ("tanh", "relu")
    panels = cached.what_goes_wrong(SCHEMES, ACTIVATIONS)
    SHORT = {"zeros": "Zeros", "constant": "Const.", "small_normal": "Small", "large_normal": "Large",
             "xavier_normal": "Xavier", "he_normal": "He"}
    show.chart(charts.strip_figure(panels, list(ACTIVATIONS), list(SCHEMES),
                                   {a: f"{activation_label(a)} net" for a in ACTIVATIONS}, SHORT), "strip")
    def change(activation: str, scheme: str) -> str:
        values = panels[activation, scheme]
        return times(values[-1] / values[0])

    st.caption(
        "Each panel: Var z across 20 layers of 256 units, on a log scale; the dotted line is 'no change'. "
        f"Zeros kill the signal at once. Small weights make it vanish ({change('tanh', 'small_normal')} from layer 1 "
        f"to layer 20 in the tanh net, {change('relu', 'small_normal')} in the ReLU net). Large ones blow a ReLU net's "
        "signal up to infinity (✕: it overflowed) and pin a tanh net's near "
        f"{number(panels['tanh', 'large_normal'][-1])}, where nearly every unit sits at ±1. He holds a ReLU net "
        "level. Xavier keeps a tanh net from either fate, but not level: tanh squashes a large signal, so it still "
        f"fades ({change('tanh', 'xavier_normal')} from layer 1 to layer 20), the layers taking, on the whole, a "
        "little less of it the deeper they are, rather than a fixed factor each. Xavier on ReLU halves the signal "
        "every layer. Constant weights look alive in the tanh net, but every unit in it is a copy of the others (see "
        "*Symmetry*); in the ReLU net they overflow too."
    )

    st.subheader("Lessons")
    lesson_links()
    controls.leave_out_unread()  # last: the link's names nothing on the page looked for
