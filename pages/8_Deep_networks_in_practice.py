"""Deep networks in practice: framework defaults, layer shapes, residual connections and normalization."""

import streamlit as st

from ui import cached, charts, classroom, controls, deep, lessons, nav, presets, show, tables, theme

st.set_page_config(page_title="Deep networks in practice · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Deep networks in practice")
st.markdown(
    "Real networks are not the square plain stacks of the other lessons. Their layers change width, every deep "
    "model adds skip connections (the *residual stream*: z_l = z_(l−1) + α · f(z_(l−1)) W_l), and most normalize "
    "before the activation. Each changes what a good initialization is. Pick a classic, or build the network in "
    "the sidebar: each simulation is drawn thick, a dot at every layer, its theory thin and dotted beside it.")

with st.sidebar:
    classic = presets.Selector(presets.DEEP)
    depth = controls.slider("Depth (layers)", "depth", 2, 100, 20)
    width = controls.slider("Width (widest layer)", "width", 8, 512, 256)
    shape = controls.choice("Shape", "shape", "constant",
                            help="How the widths change from the input to the last layer")
    activation = controls.choice("Activation", "activation", "relu")
    scheme = controls.choice("Initialization", "scheme", "pytorch_default")
    params = controls.scheme_params(scheme)
    residual = controls.choice("Skip connections", "residual", "none",
                               help="z_l = z_(l−1) + α · f(z_(l−1)) W_l from the second layer on; α scales each "
                                    "block's branch")
    norm = controls.choice("Normalization", "norm", "none", help="Applied before each activation (pre-norm)")
    bias_std = controls.slider("Bias σ_b", "bias_std", 0.0, 1.0, 0.0, step=0.05,
                               help="Biases drawn from N(0, σ_b²); 0: no biases")
    others = controls.several("Compare with", "compare", [], leave_out=[scheme])
    seed = controls.seed()
    nav.footer()
story = classic.story()
network = deep.description(depth=depth, width=width, shape=shape, residual=residual, norm=norm,
                           bias_std=bias_std, activation=activation)
batch = 128
settings = dict(network, seed=seed, batch=batch)
st.caption(f"Widths {deep.widths_text(network['widths'])}; {batch} random inputs."
           + deep.residual_shape_words(shape, network, width))
try:
    runs, stream, gradient, budget = lessons.propagation_curves(
        settings, {scheme: params} | {s: {} for s in others}, columns=("stream_var", "stream_grad_var"))
    _, seen, _, _ = lessons.propagation_curves(settings, {scheme: params} | {s: {} for s in others})
except ValueError as error:  # a bad combination or the work budget: say what is allowed
    st.error(str(error))
    st.stop()
run = runs[scheme]
classroom.ask_first(classroom.deep_network(run.layers.stream_var.to_numpy(), deep.words(
    depth, shape, residual, norm, theme.scheme_label(scheme, params), theme.activation_label(activation), bias_std),
    run.vanished_at if network["residual"] is None else None, run))  # a stream carries on past a dead block
if story:
    st.info(story)
st.markdown(f"**{theme.scheme_label(scheme, params)}.** {deep.story(run)}")
bare = cached.simulate(**settings | dict(norm=None), scheme=scheme, **params) if network["norm"] else None
show.metrics(deep.readings(run, bare))
stream_title = "the residual stream" if network["residual"] is not None else "each layer's sum"
show.chart(charts.variance_figure(stream, title=f"Forward: variance of z_l, {stream_title}",
                                  y_title="Var z_l (log scale)"), "stream")
show.caption(deep.width_note(network["widths"], stream[0], activation))
show.caption(lessons.apart_note(stream))
if budget:
    st.caption(budget)
if network["norm"]:
    show.chart(charts.variance_figure(seen, title="What each activation sees: the normalized u_l",
                                      y_title="Var u_l (log scale)"), "seen")
show.chart(charts.variance_figure(gradient, title="Backward: variance of the gradient dL/dz_l",
                                  y_title="Var dL/dz_l (log scale)"), "gradient")
st.caption("Gradients travel from the last layer (right) to the first (left).")
with st.expander("How theory handles these networks"):
    st.markdown(
        "Each layer's sum adds up n_in inputs times weights, so its variance is n_in · Var(W) times the mean "
        "square of what it reads; a skip connection adds the stream it carries, and biases add σ_b²:")
    show.formula(r"\begin{aligned} q_l &= \rho\, q_{l-1} + \sigma_b^2 \\ &\quad + \alpha^2\, n_{l-1} "
                 r"\operatorname{Var}(W_l)\, \mathbb{E}\left[f(u_{l-1})^2\right] \end{aligned}")
    st.markdown(
        "with ρ = 1 in a residual block and 0 in a plain layer. A norm makes u_l standard whatever q_l is, which is "
        "why it fixes the forward pass; on the way back it divides the gradient by the same scale, about √q_l "
        "(BatchNorm's, each unit's spread over the batch, is a little less where the units' means differ), which is "
        "why it does not fix the backward pass. The gradient's recursion runs the same way from the top, with n_out "
        "in place of n_in: when the widths change, a scheme that divides by fan_in keeps the signal and one that "
        "divides by fan_out keeps the gradient, and no single scale does both.")
show.table(lessons.verdict_table(runs, {scheme: params}), tables.VERDICT_COLUMNS, prose=True)

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
