"""The Order and chaos lesson's sentences: each phase named where theory puts it, with the numbers it rests on;
the runs counted as they came out; the spectra's findings only where the spectra show them."""

import numpy as np
import pandas as pd
import pytest

import initcore
from tests.test_app import stated_number
from ui import phase_data, phase_lessons
from ui.theme import number


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2, kind, word", [
    ("tanh", 1.0, 0.0, "info", "**Critical, but only in the limit.** χ₁ = 1 where the signal has faded"),
    ("relu", 2.0, 0.0, "success", "**Critical: the edge of chaos.**"),
    ("relu", 1.5, 0.5, "info", "**Ordered**"),
    ("tanh", 3.0, 0.0, "info", "**Chaotic**"),
    ("relu", 3.0, 0.0, "error", "**Exploding.**"),
    ("relu", 2.1, 0.0, "warning", "**Growing without bound, slowly.** The signal has no level to settle at"),  # ×1.05
    ("relu", 2.0, 0.5, "warning", "**Growing without bound, slowly.** The biases add σ_b² to the signal's variance "
                                  "at every layer"),
    ("leaky_relu", 2.0, 2.0, "warning", "**Growing without bound, slowly.** The biases add σ_b²"),  # not χ₁'s 0.2 %
    ("gelu", 2.0, 1.0, "warning", "**Growing without bound, slowly.** The biases add σ_b²"),
    ("elu", 2.0, 0.0, "error", "**Growing without bound.** With no biases, the activation's negative side"),
    ("leaky_relu", 2.0, 0.0, "success", "**Critical, for any depth you would build.** χ₁ just over 1"),
    ("relu", 2.0000000001, 0.0, "success", "**Critical, for any depth you would build.**"),
    ("gelu", 2.35, 0.0, "error", "**Exploding.**"),
    ("relu", 1.0, 0.0, "info", "**Fading, with no biases** (χ₁ = 0.5 < 1)"),  # a scale moves no correlation
    ("tanh", 0.5, 0.0, "info", "**Fading, with no biases**"),
    ("tanh", 0.5, 0.05, "info", "**Ordered**"),  # a bias, however small, holds the signal at a q* > 0
])
def test_each_phase_is_named_where_theory_puts_it(activation, sigma_w2, sigma_b2, kind, word):
    """Each phase where theory puts it. A point just past the edge, whose signal would take thousands of layers to
    grow ×100 (Leaky ReLU at He's 2: χ₁ = 1 + a²), is critical for any network a learner builds, not exploding; a
    signal that grows without biases (ELU at 2) is not said to grow by its biases."""
    point = phase_data.phase(activation, sigma_w2, sigma_b2)
    said_kind, sentence = phase_lessons.verdict(point, sigma_b2, phase_data.path(activation, sigma_w2, sigma_b2))
    assert said_kind == kind and sentence.startswith(word), (said_kind, sentence)
    if word in ("**Ordered**", "**Chaotic**"):
        depth = 6 * point["depth_scale"]
        assert f"6ξ_c = {number(depth)} layers" in sentence and f"χ₁ = {number(point['chi1'])}" in sentence
    if word.startswith("**Fading"):  # the gradients' depth scale sets the depth; correlations' is infinite
        assert point["depth_scale"] == np.inf and "ξ_c = ∞" in sentence and "pull two inputs together" in sentence
        assert f"after about {number(point['trainable_depth'])} layers" in sentence
        assert f"ξ_∇ = {number(-1 / np.log(point['chi1']))} layers" in sentence  # the limit's e-fold, told as such
    if word.startswith("**Critical, for any depth"):
        grown = stated_number(sentence.split("would take about ")[1].split(" layers")[0])
        assert grown >= phase_lessons.NEAR_CRITICAL and point["chi1"] ** grown == pytest.approx(100, rel=0.01)
        steps = phase_data.PATH_DEPTH - 1  # layer 1 to the last of the link's network, as Signal propagation counts
        percent = stated_number(sentence.split("grows, like the gradients on their way back, by ")[1].split(" %")[0])
        assert percent == pytest.approx(100 * np.expm1(steps * np.log(point["chi1"])), rel=5e-3)
        assert f"% from layer 1 to layer {phase_data.PATH_DEPTH}" in sentence


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", [("selu", 0.5, 0.0), ("elu", 1.9, 2.0), ("tanh", 3.0, 0.0)])
def test_a_chaotic_correlation_settles_below_one_in_the_words_too(activation, sigma_w2, sigma_b2):
    """Chaotic: c* < 1, so the sentence that says the inputs are pushed apart never writes it as 1 (SELU at (0.5, 0)
    has c* = 0.999935, which three digits round to 1): as many digits as it takes to show it below 1."""
    point = phase_data.phase(activation, sigma_w2, sigma_b2)
    sentence = phase_lessons.verdict(point, sigma_b2, phase_data.path(activation, sigma_w2, sigma_b2))[1]
    written = sentence.split("settles at c* = ")[1].split(",")[0]
    assert stated_number(written) < 1 and point["c_star"] == pytest.approx(stated_number(written), abs=1e-4)


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", [("tanh", 1.0, 0.0), ("elu", 1.0, 0.0), ("elu", 2.0, 0.0),
                                                      ("relu", 2.0, 0.5), ("relu", 3.0, 0.0), ("relu", 2.1, 0.0),
                                                      ("gelu", 2.35, 0.0), ("linear", 1.5, 0.0)])
def test_where_the_phase_s_numbers_do_not_say_how_much_changes_theory_s_path_through_the_link_s_network_does(
        activation, sigma_w2, sigma_b2):
    """Tanh at σ_w² = 1 is critical only at q* = 0, which the signal never reaches: on the way its gradients shrink
    ×0.0146 over 50 layers, as Signal propagation (where the page's link goes) says, and not "keep their size".
    ELU at He's 2 grows without bound, its gradient ×191 over 50 layers: "explodes" there, and not "slowly" here.
    A signal that grows ×χ₁ a layer is red only where those 50 layers make it explode (ReLU at 3: ×4 × 10⁸), and
    grows "slowly" in amber where they do not (ReLU at 2.1: ×1.05 a layer, ×10.9 over them; it said ×2.65 over the
    20 layers of the runs, beside a link to 50). Each says theory's numbers over the link's 50 layers, in Signal
    propagation's words."""
    from ui.lessons import judge

    point = phase_data.phase(activation, sigma_w2, sigma_b2)
    pre, grad = initcore.theory.predicted_variances(depth=50, width=128, activation=activation,
                                                    bias_std=sigma_b2**0.5, **phase_data.gaussian(sigma_w2))
    kind, sentence = phase_lessons.verdict(point, sigma_b2, phase_data.path(activation, sigma_w2, sigma_b2))
    signal, gradient = judge(pre), judge(grad, backward=True)
    stated = sentence.split("Over 50 layers, in theory, Var z ")[1]
    words = {"steady": "stays steady ("}
    assert stated.startswith(f"{words.get(signal.word, signal.word + ' ')}×")
    assert f"the gradient {words.get(gradient.word, gradient.word + ' ')}×" in stated
    assert "(×(" not in sentence
    factors = [said.split("×", 1)[1].removesuffix(")")  # "explodes ×4.25 × 10⁸", "stays steady (×1.02)"
               for said in (stated.split(" from layer")[0], stated.split("the gradient ")[1].split(" on its way")[0])]
    assert stated_number(factors[0]) == pytest.approx(pre[-1] / pre[0], rel=5e-3)
    assert stated_number(factors[1]) == pytest.approx(grad[0] / grad[-1], rel=5e-3)
    assert "keep their size" not in sentence
    if point["q_star"] == np.inf:
        assert ("slowly" in sentence) == ("explodes" not in stated) and kind == ("error" if "explodes" in stated
                                                                                else "warning")
    if activation == "tanh":
        assert gradient.word == "fades" and grad[0] / grad[-1] == pytest.approx(0.0146, rel=0.01)


def test_the_readings_leave_the_depth_scales_out_where_the_signal_grows_without_bound():
    assert phase_lessons.readings(initcore.theory.phase("relu", 3.0, 0.0))["6ξ: trainable depth"] == "—"
    critical = phase_lessons.readings(initcore.theory.phase("tanh", 1.0, 0.0))
    assert critical["6ξ: trainable depth"] == "∞ layers" and critical["q*: where Var z settles"] == "0"
    fading = phase_lessons.readings(initcore.theory.phase("relu", 1.0, 0.0))  # correlations: ∞; gradients: 6 × 1.44
    assert fading["ξ_c: depth scale"] == "∞ layers" and "6ξ: trainable depth" not in fading  # not 6 × ∞
    assert fading["trainable depth, set by the gradients"] == "8.66 layers"  # 6ξ_∇: ReLU's χ is χ₁ at every q
    gelu = phase_lessons.readings(initcore.theory.phase("gelu", 2.0, 0.0))  # χ₁ = 0.5, but only in the limit
    assert gelu["trainable depth, set by the gradients"] == "20.6 layers"
    assert gelu["χ₁: gradient factor a layer, in the limit q → 0"] == "0.5"
    elu = phase_lessons.readings(initcore.theory.phase("elu", 2.0, 0.0))  # grows without bound: χ₁ is its limit
    assert elu["χ₁: gradient factor a layer, in the limit q → ∞"] == "1"
    assert "χ₁: gradient factor a layer" in phase_lessons.readings(initcore.theory.phase("tanh", 2.0, 0.5))


def test_the_runs_are_counted_as_they_came_out():
    runs = pd.DataFrame([
        dict(sigma_w2=1.0, sigma_b2=0.0, test_accuracy=0.9, outcome="learned", prediction="trains",
             trainable_depth=300.0, q_star=0.0),
        dict(sigma_w2=3.0, sigma_b2=0.5, test_accuracy=0.6, outcome="stayed low", prediction="trains",
             trainable_depth=210.0, q_star=0.4),
        dict(sigma_w2=0.5, sigma_b2=1.0, test_accuracy=0.5, outcome="stayed low", prediction="too deep",
             trainable_depth=6.0, q_star=1.2),
        dict(sigma_w2=3.0, sigma_b2=0.0, test_accuracy=np.nan, outcome="diverged", prediction="grows",
             trainable_depth=np.inf, q_star=np.inf),
    ])
    said = phase_lessons.agreement(runs)
    # the points where the signal does not grow without bound: it settles at q* > 0, or fades to q* = 0 (σ_b² = 0)
    assert said.startswith("**Theory and practice agree at 2 of the 3 points where the signal does not grow without "
                           "bound.**")
    assert "1 of 2 runs learned" in said and "1 of 1 stayed below 75 %" in said
    assert "They disagree at σ_w² = 3, σ_b² = 0.5 (6ξ = 210 layers, 60 %)." in said
    assert "Where the signal grows without bound, 1 of 1 runs diverged and 0 learned." in said


def test_a_fading_signal_s_trainable_depth_is_not_called_6_xi():
    """With no biases and weights too small to keep the signal (q* = 0), the trainable depth is where theory's path
    has shrunk the gradient e⁶-fold, not 6ξ (ξ_c is ∞ there): a disagreement named in words, and the hover of the
    plane and of a run, say so."""
    runs = pd.DataFrame([dict(sigma_w2=0.9, sigma_b2=0.0, test_accuracy=0.55, outcome="stayed low",
                              prediction="trains", trainable_depth=32.4, q_star=0.0)])
    said = phase_lessons.agreement(runs)
    assert "(trainable depth 32.4 layers, set by the gradients, 55 %)" in said and "6ξ" not in said, said
    from ui import phase_charts

    assert phase_charts.trainable_named(0.0, 32.4) == "trainable depth 32.4 layers, set by the gradients"
    assert phase_charts.trainable_named(0.0, np.inf) == "6ξ = ∞ layers"  # tanh at its critical σ_w² = 1
    assert phase_charts.trainable_named(0.4, 210.0) == "6ξ = 210 layers"


def test_only_the_first_disagreements_are_named_and_the_others_counted():
    runs = pd.DataFrame([dict(sigma_w2=1.5, sigma_b2=b, test_accuracy=0.5, outcome="stayed low", prediction="trains",
                              trainable_depth=21.0, q_star=0.5 + b) for b in (0.0, 0.5, 1.0, 1.5, 2.0)])
    said = phase_lessons.agreement(runs)
    assert said.count("σ_w² = 1.5") == phase_lessons.NAMED_DISAGREEMENTS and ", and at 2 more (point at" in said


def test_the_spectra_s_findings_are_the_ones_the_spectra_show():
    width = phase_data.SPECTRUM_WIDTH
    linear = phase_lessons.spectrum_findings(phase_data.spectra("linear", 1.0), "linear", width)
    assert linear[0].startswith("**Orthogonal: every singular value is 1, at every depth.**") and len(linear) == 2
    relu = phase_lessons.spectrum_findings(phase_data.spectra("relu", 2.0), "relu", width)
    assert relu[-1].startswith("**ReLU never gets there.**")
    tanh = phase_lessons.spectrum_findings(phase_data.spectra("tanh", 1.0), "tanh", width)
    assert [s.split("**")[1] for s in tanh] == ["Gaussian weights spread the values with depth.",
                                                "Orthogonal weights keep them together."]
    chaotic = phase_lessons.spectrum_findings(phase_data.spectra("tanh", 4.0), "tanh", width)
    assert chaotic[-1].startswith("**Orthogonal weights do not keep them together here.**")  # the activation's spread
    scaled = phase_lessons.spectrum_findings(phase_data.spectra("linear", 0.81), "linear", width)
    stated = scaled[-1].split("singular value is ")[1].split(". Each")[0]
    assert stated_number(stated) == pytest.approx(0.9**50, rel=1e-3)  # the gain √0.81, 50 times


@pytest.mark.parametrize("activation, sigma_w2", [("sigmoid", 0.5), ("tanh", 1.0), ("tanh", 4.0)])
def test_the_spectrum_says_a_gradient_is_blown_up_only_where_a_singular_value_passes_1(activation, sigma_w2):
    """Sigmoid at σ_w² = 0.5: after 50 layers the largest singular value is about 10⁻³⁷, and no direction blows a
    gradient up; it had been said to, in a sentence written the same for every point."""
    spectra = phase_data.spectra(activation, sigma_w2)
    last = max(spectra["Gaussian"])
    largest = spectra["Gaussian"][last]["largest"]
    said = next(f for f in phase_lessons.spectrum_findings(spectra, activation, 256) if "Gaussian" in f)
    assert ("blown up along the large ones" in said) == (largest > 1)
    assert ("shrunk along every one of them" in said) == (largest <= 1)
