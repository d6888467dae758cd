"""Order and chaos under AppTest: it opens on tanh at the edge of chaos, reads its two sliders from a link (clamped
with a note, or the default for garbage, never a traceback), moves its point with them, and links to Signal
propagation at the same σ_w²."""

from urllib.parse import parse_qs

import pytest

from tests.test_app import LINK_NOTE, figures, open_page, trace

PAGE = "pages/7_Order_and_chaos.py"


def point(at) -> tuple[float, float]:
    """Where the learner's point is drawn on the phase plane."""
    dot = next(t for t in figures(at)[0]["data"] if t.get("name", "").startswith("your network"))
    return dot["x"][0], dot["y"][0]


def link_notes(at) -> list[str]:
    return [note.value for note in at.warning if note.icon == LINK_NOTE]


def signal_propagation_link(at) -> dict:
    link = next(link for link in at.get("page_link") if link.proto.page == "Signal_propagation")
    return parse_qs(link.proto.query_string)


def test_it_opens_on_tanh_at_the_edge_of_chaos():
    """Xavier's σ_w² = 1 without biases: tanh's critical point, 6ξ = ∞, but at q* = 0, which the signal only nears:
    over the link's 50 layers its gradients fade, as Signal propagation says; the phase plane with its line and the
    real runs, the spectra, and a link to Signal propagation that takes the point there, biases (none) included."""
    at = open_page(PAGE)
    assert not at.exception and len(figures(at)) == 2
    assert point(at) == (1, 0)
    assert {m.label: m.value for m in at.metric}["6ξ: trainable depth"] == "∞ layers"
    assert at.info[0].value.startswith("**Critical, but only in the limit.**")
    assert "they add up to e⁶ by layer 286" in at.info[0].value  # 6ξ_c = ∞, but the gradients still fade
    assert "the gradient fades ×0.0146 on its way back, as the link below shows in Signal propagation" in \
        at.info[0].value
    assert trace(figures(at)[0], "χ₁ = 1: the edge of chaos")["x"][0] == pytest.approx(1.0)
    assert signal_propagation_link(at) == {"activation": ["Tanh"], "scheme": ["Custom variance scaling"],
                                           "scale": ["1"], "mode": ["fan-in"], "distribution": ["normal"],
                                           "bias_std": ["0"]}
    assert any(m.value.startswith("**Theory and practice agree at") for m in at.markdown)
    assert not link_notes(at) and dict(at.query_params) == {}


def test_a_link_sets_the_activation_and_the_point():
    at = open_page(PAGE, activation="ReLU", sigma_w2="1.5", sigma_b2="0.5")
    assert not at.exception and not link_notes(at)
    assert point(at) == (1.5, 0.5) and at.info[0].value.startswith("**Ordered** (χ₁ = 0.75 < 1)")
    assert figures(at)[0]["layout"]["title"]["text"] == "<b>How deep can ReLU train?</b>"
    assert signal_propagation_link(at)["scale"] == ["1.5"]
    assert signal_propagation_link(at)["bias_std"] == ["0.7071"]  # σ_b = √σ_b², to 4 digits: the slider shows it


def test_the_link_opens_signal_propagation_with_the_point_s_biases():
    """Followed, the link simulates the network of the point: weights N(0, σ_w²/n), biases N(0, σ_b²)."""
    link = signal_propagation_link(open_page(PAGE, activation="ReLU", sigma_w2="1.5", sigma_b2="0.5"))
    at = open_page("pages/2_Signal_propagation.py", **link)
    assert not at.exception and not [w.value for w in at.warning if "Link value" in w.value]
    assert at.slider(key="bias_std").value == pytest.approx(0.5**0.5, abs=5e-5)  # σ_b to 4 digits
    assert "gradient: vanishes" in at.warning[0].value  # χ₁ = 0.75: ordered, the gradient fades ×0.75 a layer


def test_an_untouched_sigma_w2_follows_the_activation_s_scheme():
    """The point starts at the scheme the activation recommends: Xavier's 1 for tanh, He's 2 for ReLU."""
    at = open_page(PAGE)
    at.selectbox(key="activation").set_value("relu").run()
    assert not at.exception and at.slider(key="sigma_w2").value == 2.0 and point(at) == (2, 0)
    at.slider(key="sigma_w2").set_value(3.0).run()
    assert at.error[0].value.startswith("**Exploding.**") and point(at) == (3, 0)


@pytest.mark.parametrize("query, taken, note", [
    (dict(sigma_w2="9"), dict(sigma_w2=4.0), "sigma_w2=9 is outside 0.1–4; using 4."),
    (dict(sigma_w2="-2"), dict(sigma_w2=0.1), "sigma_w2=-2 is outside 0.1–4; using 0.1."),
    (dict(sigma_b2="-1"), dict(sigma_b2=0.0), "sigma_b2=-1 is outside 0–2; using 0."),
    (dict(sigma_b2="1e300"), dict(sigma_b2=2.0), "sigma_b2=1e300 is outside 0–2; using 2."),
])
def test_a_value_out_of_range_is_clamped_with_a_note(query, taken, note):
    at = open_page(PAGE, **query)
    assert not at.exception and any(note in n for n in link_notes(at)), link_notes(at)
    for key, value in taken.items():
        assert at.slider(key=key).value == value
    assert point(at) == (taken.get("sigma_w2", 1.0), taken.get("sigma_b2", 0.0))


@pytest.mark.parametrize("garbage", ["abc", "nan", "inf", "1e400", "<script>alert(1)</script>", ""])
def test_garbage_in_a_link_gives_the_default_and_a_note_not_a_traceback(garbage):
    at = open_page(PAGE, sigma_w2=garbage, sigma_b2=garbage, activation=garbage)
    assert not at.exception
    assert (at.slider(key="sigma_w2").value, at.slider(key="sigma_b2").value) == (1.0, 0.0)
    assert len(link_notes(at)) == 3 and point(at) == (1, 0)


def test_a_corrected_link_settles_and_opens_again_with_nothing_to_correct():
    first = open_page(PAGE, activation="relu", sigma_w2="77", sigma_b2="x")
    settled = dict(first.query_params)
    assert settled == {"activation": "ReLU", "sigma_w2": "4"}  # σ_b² put back to its default leaves the address
    second = open_page(PAGE, **settled)
    assert not second.exception and not link_notes(second) and figures(second) == figures(first)


def test_the_link_opens_signal_propagation_at_the_same_weight_variance():
    at = open_page(PAGE, activation="ReLU", sigma_w2="1.35")
    at.switch_page("pages/2_Signal_propagation.py")
    at.query_params.update(signal_propagation_link(at))
    at.run()
    assert not at.exception and at.selectbox(key="scheme").value == "variance_scaling"
    assert at.number_input(key="scale").value == pytest.approx(1.35) and at.selectbox(key="activation").value == "relu"
