"""Weight distributions: the source document's picture of the schemes, drawn from real draws."""

import streamlit as st

from initcore import distributions
from ui import cached, charts, classroom, controls, nav, show, tables, theme

st.set_page_config(page_title="Weight distributions · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Weight distributions")
st.markdown(
    "Every scheme draws weights around zero; what differs is the spread. Small weights cluster tightly at 0, "
    "large ones spread far. Xavier and He scale the spread to the layer's size: the more inputs a unit adds "
    "up, the smaller each weight must be. Xavier counts inputs and outputs (2 / (n_in + n_out)), He only inputs, "
    "doubled for ReLU (2 / n_in): in a square layer He's spread is √2 times Xavier's. Shaded: one real draw of "
    "the matrix, binned (a small layer is drawn several times, to give enough weights to bin). Bold line: the "
    "formula. Dashed: the uniform variants, which stop sharply at ±L."
)
st.caption(
    "About notation: the source writes small weights as N(0, 0.01) and large ones as N(0, 10). In its own "
    "formulas, such as He's N(0, 2/n_in), the second number is a variance, which would make these σ = 0.1 and "
    "σ ≈ 3.16. This app reads them as standard deviations, σ = 0.01 and σ = 10 (variances 10⁻⁴ and 100), as code "
    "does when it writes `0.01 * randn`: read as a variance, 0.01 is not small for a layer of 256 inputs, which "
    "would multiply a linear network's variance by 256 × 0.01 = 2.56 at every layer. Move the σ sliders in the "
    "sidebar to see both."
)

with st.sidebar:
    fan_in = controls.slider("fan-in n_in (inputs per unit)", "fan_in", 1, 1024, 256)
    fan_out = controls.slider("fan-out n_out (units in the layer)", "fan_out", 1, 1024, 256)
    std_small = controls.value_choice("σ of 'small'", "std_small", controls.STD_CHOICES, 0.01)
    std_large = controls.value_choice("σ of 'large'", "std_large", controls.STD_CHOICES, 10.0)
    log = controls.toggle(f"log10 |w| axis (σ = {theme.number(std_small)} and σ = {theme.number(std_large)} on one "
                          "chart)", "log_axis", True)
    seed = controls.seed()
    nav.footer()

schemes = ("small_normal", "large_normal", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform")
params = {"small_normal": {"std": std_small}, "large_normal": {"std": std_large}}
table = cached.scheme_table(schemes, fan_in, fan_out, params)
classroom.ask_first(classroom.xavier(fan_in, fan_out, table.variance.iloc[schemes.index("xavier_normal")]))
series = cached.weight_distributions(schemes, fan_in, fan_out, log, params, seed)
draws = distributions.matrices_to_bin(fan_in, fan_out)
layers = f"a {fan_in} × {fan_out} layer" if draws == 1 else f"{draws:,} independent {fan_in} × {fan_out} layers"
size = (256, 256)  # the layer the page opens on: Xavier and He keep their outline there to be compared with
reference = [] if (fan_in, fan_out) == size else cached.weight_distributions(
    ("xavier_normal", "he_normal"), *size, log, {}, seed)
show.chart(charts.weights_figure(series, log=log, title=f"Weights of {layers}", reference=reference,
                                 reference_size="{} × {}".format(*size)), "weights")
show.table(tables.scheme_summary(table), tables.SCHEME_COLUMNS)
for label, formula in zip(table.scheme[2:], table.formula[2:]):
    st.markdown(f"**{label}**")
    show.formula(formula)
st.markdown("Try a wider layer: more inputs make the Xavier and He curves narrower (on the log10|w| axis they move "
            "left, to smaller weights), away from their dotted outlines at 256 × 256; more outputs narrow Xavier's "
            "alone, and the fixed-σ ones do not move. That is the whole idea: scale the weights to the fan so that "
            "the sum over inputs keeps its size.")

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
