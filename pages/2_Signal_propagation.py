"""Signal propagation: watch the variance of a signal, and of its gradient, layer by layer."""

import streamlit as st

import initcore
from initcore.propagation import view_batch
from ui import charts, classroom, controls, deep, lessons, nav, presets, show, tables, theme

st.set_page_config(page_title="Signal propagation · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Signal propagation")

with st.sidebar:
    classic = presets.Selector(presets.PROPAGATION)
    depth = controls.slider("Depth (layers)", "depth", 1, 100, 50)
    width = controls.slider("Width (units per layer)", "width", 2, 1024, 256)
    shape = controls.choice("Shape", "shape", "constant",
                            help="How the widths change from the input to the last layer; the width is the widest")
    activation = controls.choice("Activation", "activation", "tanh")
    scheme = controls.choice("Initialization", "scheme", "xavier_normal")
    params = controls.scheme_params(scheme)
    bias_std = controls.slider("Bias σ_b", "bias_std", 0.0, 1.5, 0.0, step=0.05,
                               help="Biases drawn from N(0, σ_b²); 0: no biases")
    others = controls.several("Compare with", "compare", [], leave_out=[scheme])
    seed = controls.seed()
    nav.footer()
story = classic.story()  # decided once every control holds this run's value
width, narrowed = lessons.drawn_width(depth, width, shape, scheme, params)
batch = view_batch(width)
intro = st.empty()  # its last sentence gives the sampling noise measured on the run, computed below

if story:
    st.info(story)
if narrowed:
    st.warning(narrowed, icon=":material/straighten:")
settings = dict(depth=depth, width=width, activation=activation, seed=seed, batch=batch) | deep.pieces(
    depth=depth, width=width, shape=shape, residual="none", norm="none", bias_std=bias_std, activation=activation)
try:
    runs, forward, backward, budget = lessons.propagation_curves(settings, {scheme: params} | {s: {} for s in others})
except ValueError as error:  # the work budget: say what is allowed
    st.error(str(error))
    st.stop()
run = runs[scheme]
intro.markdown(f"A batch of {batch} random inputs goes forward through a deep network, and a random gradient comes "
               "back. Each layer multiplies the signal's variance by roughly the same factor, so after many layers "
               "a factor of 0.9 or 1.1 is already a disaster. Good schemes make that factor 1. (Each unit of layer l "
               "adds up its weighted inputs into its *pre-activation* z_l, then passes it through the activation: "
               f"a_l = f(z_l). {lessons.sampling_words(run)})")
classroom.ask_first(classroom.propagation(run, theme.scheme_label(scheme, params)))
if len(runs) == 1:  # compared schemes are judged in one table under the chart, which stays above the fold
    kind, sentence = lessons.verdict(run, theme.scheme_label(scheme, params))  # a paper's name, if it has one
    getattr(st, kind)(sentence)

with st.container(horizontal=True, gap="medium"):  # side by side where both fit, else one under the other
    show.formula(initcore.SCHEMES[scheme].formula(**params), width="content")
    show.formula(initcore.ACTIVATIONS[activation].latex, width="content")
with st.expander("Why one factor per layer?"):
    st.markdown("Each unit adds up n_in inputs times weights. With zero-mean weights the variances add, so every "
                "layer multiplies the signal's variance by the same kind of factor:")
    show.formula(r"\operatorname{Var} z_{l+1} = n_{\rm in} \operatorname{Var}(W)\, \mathbb{E}\left[f(z_l)^2\right]")
    st.markdown(lessons.factor_sentence(activation, scheme, width, depth, params,
                                        {k: v for k, v in settings.items() if k in ("widths", "bias_std")}))
show.chart(charts.variance_figure(forward, title="Forward: variance of the pre-activations z_l",
                                  y_title="Var z_l (log scale)"), "forward")
show.caption(deep.width_note(settings.get("widths", (width,) * (depth + 1)), forward[0], activation))
show.caption(lessons.apart_note(forward))
if budget:
    st.caption(budget)
if len(runs) > 1:
    show.table(lessons.verdict_table(runs, {scheme: params}), tables.VERDICT_COLUMNS, prose=True)
tab_act, tab_ridge, tab_grad, tab_weights, tab_table = controls.tabs(
    ["Activations", "Chosen layers", "Gradients", "Weights", "Table"], "view")
log = controls.toggle("log10 |x| axis (reads tiny and huge values alike)", "log_axis")
named = theme.scheme_label(scheme, params)
only = lessons.chosen_only(named, len(runs) - 1)  # said in each tab that draws the chosen scheme alone
alone = f"{named} only" if only else None  # and under the title of its chart
if tab_act.open:  # only the open tab is computed and drawn
    with tab_act:
        show.chart(charts.heatmap_figure(run.act_hist, log=log, title="Activations a_l, every layer",
                                         value_label="a", subtitle=alone), "heatmap")
        show.caption(only)
if tab_ridge.open:
    with tab_ridge:
        show.chart(charts.ridgeline_figure(run.act_hist, lessons.default_layers(depth), log=log,
                                           title="Activations of chosen layers", value_label="a", subtitle=alone),
                   "ridge")
        show.caption(only)
if tab_grad.open:
    with tab_grad:
        show.chart(charts.variance_figure(backward, title="Backward: variance of the gradient dL/dz_l",
                                          y_title="Var dL/dz_l (log scale)"), "backward")
        st.caption("Gradients travel from the last layer (right) to the first (left).")
if tab_weights.open:
    with tab_weights:
        show.chart(charts.heatmap_figure(run.weight_hist, log=log, title="Weights W_l, every layer",
                                         value_label="w", subtitle=alone), "weights")
        show.caption(only)
if tab_table.open:
    with tab_table:
        show.caption(only)
        show.table(tables.layer_summary(run.layers), tables.LAYER_COLUMNS)
        st.download_button("Download CSV", run.layers.to_csv(index=False), file_name="initlab_layers.csv",
                           mime="text/csv", on_click="ignore")  # a download changes nothing on the page

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
