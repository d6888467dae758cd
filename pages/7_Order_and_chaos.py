"""Order and chaos: the phase plane of a deep network, real runs on it, and the spectrum of its Jacobian."""

import streamlit as st

from ui import classroom, controls, nav, phase_charts, phase_data, phase_lessons, show, theme

st.set_page_config(page_title="Order and chaos · initlab", layout="wide")
nav.sidebar(__file__)
st.title("Order and chaos")
st.markdown(
    "A deep network starts out in one of two phases. **Ordered**: each layer pulls the signals of any two inputs "
    "closer together, until all inputs look the same. **Chaotic**: each layer pushes them apart, until nearly equal "
    "inputs look unrelated. Either way the network forgets how its inputs were related within about ξ_c layers, and "
    "a plain network trains only if it is shallower than about 6ξ_c (Schoenholz et al. 2017). Between the two lies "
    "the **edge of chaos**, χ₁ = 1, where ξ_c is infinite. Without biases, weights too small to keep the signal "
    "let it fade to 0, and then neither happens: each layer acts more and more like a linear map, and it is the "
    "gradients, shrinking ×χ₁ a layer, that set the depth. Move the weights' variance σ_w² = n·Var(W) and the "
    "biases' σ_b² in the sidebar.")

with st.sidebar:
    # Signal propagation's default: its link below cannot carry a value of a control this page has.
    activation = controls.choice("Activation", "activation", "tanh")
    sigma_w2 = controls.slider("σ_w² = n · Var(W)", "sigma_w2", 0.1, 4.0,
                               phase_data.recommended_weight_variance(activation), step=0.05,
                               help="Starts at the scheme the activation recommends: He 2, Xavier and LeCun 1")
    sigma_b2 = controls.slider("σ_b² = Var(b)", "sigma_b2", 0.0, 2.0, 0.0, step=0.05)
    nav.footer()

point = phase_data.phase(activation, sigma_w2, sigma_b2)
classroom.ask_first(classroom.phase(point, theme.activation_label(activation), sigma_w2, sigma_b2))
runs = phase_data.runs(activation)
show.chart(phase_charts.phase_figure(phase_data.plane(activation), runs, (sigma_w2, sigma_b2),
                                     activation=theme.activation_label(activation), run_depth=phase_data.RUN["depth"],
                                     narrow=show.too_narrow_for(phase_charts.WIDE_NEEDS)[0]), "phase")
st.caption(f"Each circle is a real network of {phase_data.RUN['depth']} layers of {phase_data.RUN['width']} units "
           f"with weights N(0, σ_w²/n) and biases N(0, σ_b²), trained for {phase_data.RUN_EPOCHS} epochs on the moons "
           "data set: the larger, the higher its test accuracy.")
st.markdown(phase_lessons.agreement(runs))

st.markdown(f"**Your network**, the orange diamond: σ_w² = {theme.number(sigma_w2)}, σ_b² = {theme.number(sigma_b2)}.")
show.metrics(phase_lessons.readings(point))
kind, sentence = phase_lessons.verdict(point, sigma_b2, phase_data.path(activation, sigma_w2, sigma_b2))
getattr(st, kind)(sentence)
sigma_b = round(sigma_b2**0.5, 4)  # 4 digits: Signal propagation's slider shows what it is given, √0.05 = 0.2236067…
st.page_link("pages/2_Signal_propagation.py", label=f"Watch σ_w² = {theme.number(sigma_w2)} in Signal propagation",
             icon=":material/trending_down:", query_params=controls.link(
                 dict(activation=activation, **phase_data.gaussian(sigma_w2), bias_std=sigma_b)))

st.subheader("Dynamical isometry: does every direction get through?")
st.markdown(
    "A network stretches some directions of its input and shrinks others; the singular values of its input–output "
    "Jacobian ∂z_L/∂x say by how much. A gradient travels back along the same directions. If all of them are near "
    "1, every direction of the input reaches the output and every gradient reaches the first layer, at any depth. "
    f"Here at σ_w² = {theme.number(sigma_w2)}, Gaussian weights against orthogonal ones of the same variance.")
spectra = phase_data.spectra(activation, sigma_w2)
show.chart(phase_charts.spectrum_figure(spectra, phase_data.SPECTRUM_WIDTH), "spectrum")
st.caption(f"One random input, {phase_data.SPECTRUM_WIDTH} units a layer, no biases (σ_b² does not enter). Values "
           "under 10⁻⁵ of the largest are counted apart: float32 cannot tell them from 0.")
st.markdown("\n".join(f"- {finding}" for finding in phase_lessons.spectrum_findings(
    spectra, activation, phase_data.SPECTRUM_WIDTH)))

controls.leave_out_unread()  # last: the link's names nothing on the page looked for
