"""Symmetry: zero and constant weights make every unit of a layer a copy of the others, forever."""

import streamlit as st

from ui import cached, charts, classroom, controls, lessons, nav, show, tables, theme

st.set_page_config(page_title="Symmetry · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Symmetry: why zero and constant weights fail")
st.markdown(
    "If every weight starts at the same value, every unit of a layer computes the same output. The same "
    "output gets the same gradient, so the same update keeps them equal: a layer of many units behaves like one "
    "unit, however long you train. Random weights break this symmetry at the very first step."
)

with st.sidebar:
    scheme = controls.choice("Initialization", "scheme", "constant")
    params = controls.scheme_params(scheme)
    activation = controls.choice("Activation", "activation", "tanh")
    width = controls.slider("Units per hidden layer", "width", 2, 32, 12)
    epochs = controls.slider("Epochs", "epochs", 1, 200, 50)
    seed = controls.seed()
    nav.footer()

result = cached.symmetry(scheme, activation, width, epochs, seed, params)
named, settings = theme.scheme_label(scheme, params), dict(scheme=scheme, activation=activation, seed=seed, **params)
if classroom.on():  # the zero-output network is trained for the question only
    classroom.ask_first(classroom.symmetry(result["distinct"][1], width, epochs, named, settings,
                                           result["initial_distinct"][1]),
                        classroom.zero_last_layer(cached.zero_output(scheme, activation, width, epochs, seed, params),
                                                  width, epochs, named, settings))
after = result["distinct"][1]
show.metrics({"Distinct units in layer 2, before training": f"{result['initial_distinct'][1]} of {width}",
              "… and after training": f"{after} of {width}" if after or result["diverged_at"] is None else
              "— (diverged)"})  # no unit computes a number: none is counted, and none is a copy either
kind, sentence = lessons.symmetry_verdict(result["initial_distinct"][1], result["distinct"][1], width,
                                          result["diverged_at"], result["outputs_after"], result["largest"],
                                          off_before=result["off_before"], overflowed=result["overflowed"])
getattr(st, kind)(sentence)

show.chart(charts.matrix_figure(result["before"], result["after"], title="Hidden layer 2's weights"), "matrices")
st.caption("Identical columns mean identical units. Under zeros or a constant, the columns stay identical "
           "after training: they may all move, but they move together.")
st.subheader("Each unit of layer 1 at the start: same outputs, same gradients?")
st.caption("x1, x2 and x3 are the first three training points; each row is one unit, its output on each of them "
           "and the size of the gradient of its incoming weights.")
show.table(tables.units(result["units_before"]), tables.UNIT_COLUMNS)
with st.expander("The same table after training"):
    show.table(tables.units(result["units_after"]), tables.UNIT_COLUMNS)
st.caption("Under zeros every unit outputs f(0). Where f(0) = 0 (tanh, ReLU, and all but sigmoid here), every "
           "gradient but the output bias's is 0: nothing else moves at all. Sigmoid's f(0) = ½ lets the weights "
           "move, but in lockstep, as under a constant.")

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
