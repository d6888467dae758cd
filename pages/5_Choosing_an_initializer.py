"""Choosing an initializer: which scheme for which activation, and why they are all one formula."""

import pandas as pd
import streamlit as st

import initcore
from ui import cached, classroom, controls, lessons, nav, recipes, show, tables, theme

st.set_page_config(page_title="Choosing an initializer · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Choosing an initializer")

st.subheader("Xavier or He?")
st.table(pd.DataFrame({
    "": ["Var(W)", "Keeps steady", "Default for"],
    "Xavier (Glorot)": ["2 / (n_in + n_out)", "linear, and tanh near 0", "tanh, sigmoid"],
    "He (Kaiming)": ["2 / n_in: twice LeCun's", "ReLU, which zeroes half", "ReLU, leaky ReLU, ELU, GELU"],
}), hide_index=True, border="horizontal")
st.caption("LeCun's Var(W) = 1 / n_in keeps a linear layer steady; ReLU passes half of it, so He doubles it. "
           "He is twice Xavier only where n_in = n_out: Xavier averages the fan-in and the fan-out, a compromise "
           "between keeping the forward signal and the gradient.")

with st.sidebar:  # first in the sidebar, like every lesson's controls: the Tab key's second stop
    # The default is Signal propagation's: the link below cannot carry a value of a control this page has
    # (Streamlit drops it on the way), so an untouched choice must mean the same on both pages.
    activation = controls.choice("Activation", "activation", "tanh")
nav.footer()
act = initcore.ACTIVATIONS[activation]
st.subheader(f"For {act.label}")
st.caption("Pick another activation in the sidebar.")
scheme = initcore.SCHEMES[act.recommended]
show.metrics({"Recommended scheme": scheme.label,
              "n_in · Var(W), square layer": f"{256 * initcore.theory.weight_variance(act.recommended, 256, 256):.4g}"})
show.formula(act.latex)
show.formula(scheme.formula())
st.markdown(scheme.verdict)
kind, sentence = lessons.outlook(activation, act.recommended)
getattr(st, kind)(sentence)
st.page_link("pages/2_Signal_propagation.py", label="Watch it in a 50-layer network", icon=":material/trending_down:",
             query_params=controls.link(dict(activation=activation, scheme=act.recommended, depth=50)))
steady = lessons.steady_scale(activation, act.recommended)
st.markdown(steady["sentence"])
if not steady["holds_signal"]:  # the scale that holds the signal, where the recommended scheme does not use it
    custom = steady["params"]
    scale = theme.number(custom["scale"])
    kind, sentence = lessons.outlook(activation, "variance_scaling", params=custom,
                                     lead=f"**With n_in·Var(W) = {scale} instead**, theory says")
    getattr(st, kind)(sentence)
    st.page_link("pages/2_Signal_propagation.py", label=f"Watch n_in·Var(W) = {scale} in a 50-layer "
                 "network", icon=":material/balance:",
                 query_params=controls.link(dict(activation=activation, scheme="variance_scaling", depth=50, **custom)))
if taken := lessons.what_to_take(activation, steady):
    st.markdown(taken)
for framework, line in recipes.recipes(act.recommended).items():
    st.markdown(f"**{framework}**")
    st.code(line, language="python", wrap_lines=True)
st.caption("These lines draw the weights. This app's networks start with biases of 0, as Keras' and Flax's dense "
           "layers do; PyTorch's nn.Linear draws its biases from U(±1/√n_in) unless told otherwise: "
           "`torch.nn.init.zeros_(layer.bias)`.")
if trial := recipes.gain_trial(act.recommended, activation):
    sentence, settings = trial
    st.markdown(sentence)
    st.page_link("pages/2_Signal_propagation.py", label="Watch Xavier with the gain", icon=":material/trending_up:",
                 query_params=controls.link(settings))

st.subheader("What your framework does if you write nothing")
classroom.ask_first(classroom.framework_default(
    cached.predicted(20, tables.FRAMEWORK_WIDTH, activation, "pytorch_default", {})[0], act.label))
st.markdown("Every framework initializes a layer you create without saying how. Keras' `Dense` draws Xavier "
            "uniform, U(±√(6/(n_in + n_out))); Flax's `nn.Dense` draws LeCun normal, a normal cut at two of "
            "its standard deviations and scaled so that its variance is 1/n_in (the cut then lies at 2.27 of the "
            "result's); PyTorch's `nn.Linear` and `nn.Conv` layers draw from U(±1/√n_in), a third "
            "of LeCun's variance, with the same rule for their biases. Here is the signal after a stack of "
            f"{tables.FRAMEWORK_WIDTH}-unit {act.label} layers built with each default's weights, and PyTorch's with "
            "its biases too. Each bias adds its variance, 1/(3 n_in), to every layer's, so Var z cannot fall "
            "below it; but a bias is the same for every input. The row under it, ↳ across inputs, keeps only what "
            "tells one input from another, each unit's variance over the inputs, and that still vanishes. (The "
            "gradient gets no floor at all.)")
show.table(tables.framework_defaults(activation), tables.FRAMEWORK_COLUMNS)
st.markdown(lessons.framework_verdict(activation))
st.page_link("pages/2_Signal_propagation.py", label="Watch PyTorch's default in a 20-layer network",
             icon=":material/trending_down:",
             query_params=controls.link(dict(activation=activation, scheme="pytorch_default", depth=20)))

st.subheader("One formula behind them all")
st.markdown("Xavier, He and LeCun are the same recipe with different knobs: pick a **scale**, a **fan** "
            "(inputs, outputs or their average) and a **distribution**, then")
show.formula(r"\operatorname{Var}(W) = \frac{\text{scale}}{\text{fan}}")
show.formula(r"\text{normal: } W \sim \mathcal{N}\!\left(0, \tfrac{\text{scale}}{\text{fan}}\right)")
show.formula(r"\text{uniform: } W \sim \mathcal{U}\!\left(\pm\sqrt{\tfrac{3\,\text{scale}}{\text{fan}}}\right)")
st.table(tables.variance_family(), hide_index=True, border="horizontal")
st.markdown("A uniform on ±L has variance L²/3, which is where the 6 in Xavier's √(6/(n_in + n_out)) comes "
            "from. Try any combination on *Signal propagation* with the **Custom variance scaling** scheme.")

st.subheader("Convolutions: the fan is kernel area × channels")
st.markdown("A convolution slides one small dense layer across its input. Each output value is a sum over a "
            "whole patch, every input channel at every position of the kernel: a 3×3 kernel over 64 channels adds "
            "up 3 · 3 · 64 = 576 products, not 64. So the fan-in that every scheme divides by is **kernel area × "
            "input channels**, and the fan-out is kernel area × output channels (each input value is used that "
            "many times). Counting the channels alone is the usual slip: He on a 3×3 convolution with 64 input "
            "channels draws σ = √(2/576) = 0.0589, not √(2/64) = 0.177.")
with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    dims = {"1d": 1, "2d": 2}[controls.choice("Convolution", "conv", "2d", horizontal=True)]
    kernel = controls.slider("Kernel size k", "kernel", 1, 11, 3, help="k×k for a 2-D convolution, k for a 1-D one")
    c_in = int(controls.number("Channels in C_in", "c_in", 1.0, 4096.0, 64.0, fmt="%.0f", whole=True))
    c_out = int(controls.number("Channels out C_out", "c_out", 1.0, 4096.0, 128.0, fmt="%.0f", whole=True))
fan_in, fan_out = initcore.schemes.conv_fans(kernel, c_in, c_out, dims=dims)
area = "k" if dims == 1 else "k^2"
show.formula(r"\begin{aligned} " + r" \\ ".join(
    rf"n_{{\rm {side}}} &= {area}\, C_{{\rm {side}}} = {kernel}{area[1:]} \cdot {channels} = {fan}"
    for side, channels, fan in (("in", c_in, fan_in), ("out", c_out, fan_out))) + r" \end{aligned}")
show.table(tables.conv_schemes(dims, kernel, c_in, c_out), tables.CONV_COLUMNS)
right, wrong = (initcore.scheme_std(act.recommended, *fans) for fans in ((fan_in, fan_out), (c_in, c_out)))
if kernel == 1:
    st.markdown("A kernel of 1 sees one position: the layer is a dense layer applied at every position, and its "
                "fans are its channels.")
else:
    st.markdown(f"For {act.label}, {scheme.label} gives this layer σ = {theme.number(right)}. Counted by its "
                f"channels alone, it would draw σ = {theme.number(wrong)}: {theme.number(wrong / right)} times too "
                f"large, a variance {theme.number((wrong / right) ** 2)} times too large at every layer, which a "
                "deep stack multiplies up.")
st.markdown(f"**{scheme.label} for this layer**, in each framework:")
for framework, line in recipes.recipes(act.recommended, recipes.Conv(dims, kernel, c_in, c_out)).items():
    st.markdown(f"**{framework}**")
    st.code(line, language="python", wrap_lines=True)
st.caption("Each framework counts a convolution's fans from its weight's shape, as above, so none of these lines "
           f"writes a fan out. Left to their defaults, PyTorch's nn.Conv{dims}d, Keras' Conv{dims}D and Flax's nn.Conv "
           "draw as their dense layers do (the table's last three rows). Stride is not counted: at stride 2 each "
           f"input value feeds about {'half' if dims == 1 else 'a quarter'} as many outputs as n_out says.")

st.subheader("Every scheme at a glance")
for heading, entries in lessons.schemes_at_a_glance().items():
    st.markdown(f"**{heading}**")
    st.markdown("\n".join(f"- {entry}" for entry in entries))

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
