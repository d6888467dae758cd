"""The Deep networks in practice lesson: its choices become one network description, its classics open with
their story, and what it says is what its numbers show."""

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from test_app import figures, numbers, open_page, stated_number, trace, verdict_rows

import initcore
from initcore.propagation import described
from ui import deep, lessons, presets, theme
from ui.theme import times

PAGE = presets.DEEP


@pytest.mark.parametrize("residual, alpha", [("none", None), ("one", 1.0), ("inv_sqrt_depth", 1 / math.sqrt(16)),
                                             ("gpt2", 1 / math.sqrt(32)), ("zero", 0.0)])
def test_each_residual_choice_is_a_branch_scale_of_the_depth(residual, alpha):
    network = deep.description(depth=16, width=64, shape="constant", residual=residual, norm="none", bias_std=0.0,
                               activation="relu")
    assert network["residual"] == alpha and network["widths"] == (64,) * 17


def test_a_residual_network_keeps_one_width_after_its_input():
    network = deep.description(depth=4, width=64, shape="widening", residual="one", norm="layer", bias_std=0.1,
                               activation="tanh")
    assert network["widths"] == (4, 64, 64, 64, 64) and network["norm"] == "layer"
    initcore.simulate(**network, scheme="he_normal", batch=8)  # a network the engine accepts


def test_long_widths_are_elided_in_the_middle():
    assert deep.widths_text((512, 256, 128, 64, 32, 16, 8, 4, 2, 2)) == "512 → 256 → 128 → 64 → … → 8 → 4 → 2 → 2"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("key", list(presets.for_page(PAGE)))
def test_every_classic_opens_with_its_story(key):
    at = open_page(PAGE, **presets.link(key))
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [presets.PRESETS[key]["story"]]
    assert not at.error and not at.warning


def test_pytorch_default_shrinks_relu_by_a_sixth_a_layer():
    at = open_page(PAGE, **presets.link("pytorch_default_relu"))
    last = float(metrics(at)["Var z at the last layer"].replace(" × 10", "e").translate(
        str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    # Var z_1 = n_in·Var(W)·1 = 1/3, then ×1/6 a layer: 1/3·6^-19 at layer 20, within the batch's sampling error
    # (128 inputs of 256 units) and the finite-width fluctuation of 19 layers' gains (√(2/n) each)
    error = math.sqrt(2 / (128 * 256) + 19 * 2 / 256)
    assert math.log(last / (6.0**-19 / 3)) == pytest.approx(0, abs=5 * error)


def test_layer_norm_unpins_tanh_forward_only():
    at = open_page(PAGE, **presets.link("layernorm_tanh"))
    shown = metrics(at)
    assert shown["Var of what f sees"] == "1"
    assert int(shown["Saturated units"].rstrip(" %")) < 10 < 80 < int(shown["Saturated without the norm"].rstrip(" %"))
    assert "The gradient is not" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("query, note", [
    (dict(shape="spiral"), "shape"), (dict(residual="banana"), "residual"), (dict(norm="group"), "norm"),
    (dict(bias_std="nan"), "bias_std"), (dict(depth="1000"), "depth"), (dict(width="4096"), "width"),
])
def test_hostile_links_get_a_note(query, note):
    at = open_page(PAGE, **query)
    assert not at.exception and any(note in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_norm_does_not_stop_the_residual_stream_growing():
    """Pre-norm blocks with α = 1: each adds a branch of variance n·Var(W)·E[relu(u)²] = 1 to the stream, so it
    grows by one a block (linearly, not doubling); the page's reading says so."""
    at = open_page(PAGE, **presets.link("prenorm_resnet"))
    last = float(metrics(at)["Var z at the last layer"])
    first = 2.0  # Var z_1 = n·Var(W) = 2 under He
    assert last == pytest.approx(first + 49 * 1.0, rel=0.2)


def test_signal_propagation_takes_a_shape_and_biases():
    """The same description on Signal propagation: a linear funnel 512 → … → 8 with biases, drawn as simulated
    and as theory predicts it (Xavier: ×2·n_in/(n_in + n_out) a layer, plus σ_b²)."""
    at = open_page("pages/2_Signal_propagation.py", shape="funnel (halving)", bias_std="0.5", depth="6",
                   width="512", activation="linear", scheme="xavier_normal")
    assert not at.exception and not [w.value for w in at.warning if "Link value" in w.value]
    network = described(widths=(512, 256, 128, 64, 32, 16, 8), bias_std=0.5, activation="linear",
                        scheme="xavier_normal")
    predicted = initcore.theory.predicted(network)["pre_var"]
    np.testing.assert_allclose(numbers(trace(figures(at)[0], "Xavier/Glorot normal: theory")["y"]), predicted,
                               rtol=5e-4)  # the chart sends 4 significant digits
    simulated = numbers(trace(figures(at)[0], "Xavier/Glorot normal")["y"])
    batch, widths = 128, np.array(network.widths[1:])  # view_batch(512) inputs
    # each layer's sampling error and the finite-width fluctuation of the layers below it (√(2/n) each)
    error = np.hypot(np.sqrt(2 / (batch * widths)), np.sqrt(np.cumsum(2 / widths)))
    assert np.all(np.abs(np.log(simulated / predicted)) < 5 * error)


def test_the_training_lab_trains_a_shaped_network():
    """The lab's shape: a funnel of hidden layers 64 → … → 4 trained by train(widths=(2, 64, 32, 16, 8, 4)); zero
    weights keep every layer one unit copied, however wide it is, and the sentence says so without a width."""
    at = open_page("pages/4_Training_lab.py", shape="funnel (halving)", depth="5", width="64", epochs="20",
                   schemes=["zeros", "he_normal"])
    assert not at.exception
    assert any(c.value == "Widths 2 → 64 → 32 → 16 → 8 → 4, then the output." for c in at.caption)
    said = " ".join(m.value for m in at.markdown)
    assert "every hidden layer stays one unit copied across all its units" in said
    run = initcore.train(dataset="moons", widths=(2, 64, 32, 16, 8, 4), activation="relu", scheme="he_normal",
                         epochs=20, lr=0.1)
    shown = numbers(trace(figures(at)[0], "He/Kaiming normal")["y"])
    np.testing.assert_allclose(shown, run.history["loss"], rtol=5e-4)  # sent with 4 significant digits


@pytest.mark.parametrize("pieces, said", [
    (dict(widths=(512, 256, 64, 48)), "the layers' widths change"),  # Xavier's n_in·Var(W): 4/3, 8/5, 8/7
    (dict(bias_std=0.5), "adds the biases' σ_b²"),
])
def test_the_factor_per_layer_of_a_shaped_or_biased_network_is_theory_s_layer_by_layer(pieces, said):
    """Signal propagation's "Why one factor per layer?" for a network that is not square and plain: the factor
    changes from layer to layer, and the sentence gives theory's at layer 2 and at the last."""
    from ui.lessons import factor_sentence
    from ui.theme import number

    depth = len(pieces.get("widths", ())) - 1 if "widths" in pieces else 10
    sentence = factor_sentence("linear", "xavier_normal", 512, depth, {}, pieces)
    pre = initcore.theory.predicted(described(depth=depth, width=512, activation="linear",
                                              scheme="xavier_normal", **pieces))["pre_var"]
    assert said in sentence and f"**{number(pre[1] / pre[0], 4)}** at layer 2" in sentence
    assert f"**{number(pre[-1] / pre[-2], 4)}** at layer {depth}" in sentence


@pytest.mark.parametrize("activation, scheme, factor", [("relu", "he_normal", "1"), ("relu", "xavier_normal", "0.6667"),
                                                         ("linear", "xavier_normal", "1.333")])
def test_a_halving_funnel_s_factor_is_one_number_where_theory_s_is(activation, scheme, factor):
    """Halving layers keep n_in·Var(W) the same at every layer under He (2 under ReLU's ½: 1) and Xavier
    (2·n/(n + n/2) = 4/3; under ReLU 2/3): the factor is one number, and the sentence says so, where it had said
    "not one number: 1 at layer 2 and 1 at layer 6"."""
    from ui.lessons import factor_sentence

    sentence = factor_sentence(activation, scheme, 512, 6, {}, dict(widths=(512, 256, 128, 64, 32, 16, 8)))
    assert "not one number" not in sentence and f"the same at every layer: **{factor}**" in sentence, sentence
    assert "n_in·Var(W) does not" in sentence and "with them" not in sentence


def test_a_funnel_whose_n_in_var_w_holds_changes_its_factor_only_by_its_activation():
    """Under tanh, He keeps n_in·Var(W) = 2 at every layer of a funnel; the factor still changes, 0.52 at layer 2 and
    0.97 at layer 6, as tanh takes a large and a small signal by different factors: not as the widths change it."""
    from ui.lessons import factor_sentence

    sentence = factor_sentence("tanh", "he_normal", 512, 6, {}, dict(widths=(512, 256, 128, 64, 32, 16, 8)))
    assert "(n_in·Var(W) does not), but tanh takes a larger and a smaller signal by different factors, so " \
           "theory's factor is not one number" in sentence, sentence


@pytest.mark.parametrize("residual, norm, shape, depth", [
    ("zero", "none", "constant", 50),  # ReZero: every branch's dL/du is 0, the stream's gradient whole
    ("one", "layer", "constant", 50),  # pre-norm: u_l is standard, the stream grows
    ("none", "batch", "constant", 20),  # the norm divides the gradient, not dL/du
    ("none", "batch", "funnel", 20),
])
def test_the_verdict_table_judges_what_the_charts_draw(residual, norm, shape, depth):
    """The charts draw z_l and dL/dz_l (the stream, in a residual network); so does the verdict table, factor for
    factor, where it once judged u_l and dL/du_l: "vanished at layer 49" beside ReZero's flat gradient."""
    network = deep.description(depth=depth, width=256, shape=shape, residual=residual, norm=norm, bias_std=0.0,
                               activation="relu")
    run = initcore.simulate(**network, scheme="he_normal", batch=128)
    row = lessons.verdict_row(run, "He")
    stream, gradient = run.layers.stream_var.to_numpy(), run.layers.stream_grad_var.to_numpy()
    assert row["forward"].split("; ")[0].endswith(times(stream[-1] / stream[0]))
    assert row["gradient"].split("; ")[0].endswith(times(gradient[0] / gradient[-1]))


def test_constant_weights_get_no_word_from_the_theory_of_random_ones():
    """Constant weights have no variance: theory's first layer is 0 and says nothing of them (it said "vanishes by
    layer 1" and "×NaN" beside a signal the chart showed steady)."""
    network = deep.description(depth=20, width=256, shape="constant", residual="none", norm="batch", bias_std=0.0,
                               activation="relu")
    row = lessons.verdict_row(initcore.simulate(**network, scheme="constant", batch=128), "Constant")
    assert "theory" not in row["forward"] + row["gradient"] and "NaN" not in row["forward"] + row["gradient"]


@pytest.mark.parametrize("scheme, residual, norm", [("zeros", "one", "batch"), ("zeros", "gpt2", "layer"),
                                                   ("constant", "gpt2", "layer")])
def test_a_norm_with_nothing_to_standardize_says_so_and_no_number_is_nan(scheme, residual, norm):
    """Zero weights leave the stream exactly 0 (its growth was "a factor of NaN", the table's "grows, ×NaN"), and a
    norm of inputs that do not vary hands on zeros, not a signal of variance 1 ("the forward signal is fixed", said
    beside Var 0); constant weights make a layer's units alike, which LayerNorm standardizes to 0 as well."""
    network = deep.description(depth=50, width=256, shape="constant", residual=residual, norm=norm, bias_std=0.0,
                               activation="relu")
    run = initcore.simulate(**network, scheme=scheme, batch=128)
    row, story = lessons.verdict_row(run, scheme), deep.story(run)
    assert "NaN" not in " ".join([row["forward"], row["gradient"], story, lessons.verdict(run, scheme)[1]])
    assert "has nothing to standardize" in story and "the forward signal is fixed" not in story
    if scheme == "zeros":
        assert row["gradient"] == "vanishes: exactly 0 at every layer" and "The stream is exactly 0" in story


@pytest.mark.parametrize("page", ["pages/2_Signal_propagation.py", PAGE])
def test_layers_too_narrow_for_theory_are_said_to_be(page):
    """A funnel from 512 units over 100 layers is 2 units wide from layer 9 on, where its signal falls decades below
    theory's curve of wide layers: the page says from which layer the layers are that narrow, and why the curves
    part there. A network of constant widths gets no such words."""
    funnel = open_page(page, depth="100", width="512", shape="funnel", activation="tanh", scheme="xavier_normal")
    said = [c.value for c in funnel.caption if "units wide or fewer" in c.value]
    widths = deep.description(depth=100, width=512, shape="funnel", residual="none", norm="none", bias_std=0.0,
                              activation="tanh")["widths"]
    first = next(layer for layer, n in enumerate(widths[1:], start=1) if n <= deep.NARROW)
    assert not funnel.exception and len(said) == 1 and f"From layer {first} on, layers are 8" in said[0]
    plain = open_page(page, depth="100", width="512")
    assert not [c for c in plain.caption if "units wide or fewer" in c.value or "limit of wide layers" in c.value]


@pytest.mark.parametrize("query, ends", [
    (dict(activation="relu", scheme="he_normal", depth="100", width="32"), "This one ends ×"),
    (dict(activation="linear", scheme="xavier_normal", depth="100", width="8"), "layers are 8 units wide or fewer"),
    (dict(activation="relu", scheme="he_normal", depth="50", width="2"), "This one's Var z is exactly 0 from layer"),
])
def test_a_network_narrow_for_its_depth_is_told_why_it_ends_far_from_theory(query, ends):
    """Theory's curve is the wide-layer limit, the same for every network; 100 layers of 32 units compound random
    factors into an end decades below it (×5.7 × 10⁻⁴ at seed 0), and a page that draws both says why, with the
    factor the chart shows. The words come only where the chart parts from theory by ×10 or more."""
    at = open_page("pages/2_Signal_propagation.py", **query)
    said = [c.value for c in at.caption if "limit of wide layers" in c.value]
    assert not at.exception and len(said) == 1 and ends in said[0], said
    if ends.startswith("This one ends"):
        forward = figures(at)[0]
        name = theme.scheme_label("he_normal")
        simulated, theory = numbers(trace(forward, name)["y"]), numbers(trace(forward, f"{name}: theory")["y"])
        ratio = stated_number(said[0].split("ends ×")[1].split(" of theory")[0].strip("()"))
        assert ratio == pytest.approx(simulated[-1] / theory[-1], rel=5e-3) and not 0.1 <= ratio <= 10
    wider = open_page("pages/2_Signal_propagation.py", **query | dict(width="1024", depth="20"))
    assert not [c for c in wider.caption if "limit of wide layers" in c.value]


def test_a_signal_that_vanishes_is_said_to_vanish_not_given_a_factor():
    """He in a funnel of ReLU layers down to 2 units: the signal dies at a narrow layer, and the story says where,
    where it once gave a "first to last" factor of the last layer that still had a value."""
    network = deep.description(depth=20, width=256, shape="funnel", residual="none", norm="none", bias_std=0.0,
                               activation="relu")
    run = initcore.simulate(**network, scheme="he_normal", batch=128)
    assert run.vanished_at is not None
    assert deep.story(run).startswith(f"The signal vanishes: at layer {run.vanished_at} every activation is exactly 0")


@pytest.mark.parametrize("key, scheme, first, last", [
    ("he_2015", "xavier_normal", "1", "2 × 10⁻⁹"),  # ×½ a ReLU layer from Var z_1 = n·Var(W) = 1
    ("pytorch_default_relu", "pytorch_default", "1/3", "5 × 10⁻¹⁶"),  # ×1/6 a layer from 1/3
])
def test_a_classic_s_story_says_theory_s_variances(key, scheme, first, last):
    """The story's first and last Var z are theory's to the digit it writes, and He's steady level is 2 (n·Var(W) = 2
    times a ReLU's mean square, half its input's), not the 1 the stories once said."""
    preset = presets.PRESETS[key]
    settings = preset["settings"]
    net = dict(depth=settings["depth"], width=settings["width"], activation="relu")
    story = preset["story"]
    predicted = initcore.theory.predicted(described(**net, scheme=scheme))["pre_var"]
    assert f"from {first} at the first to about {last} at the {settings['depth']}th" in story
    assert float(Fraction(first)) == pytest.approx(predicted[0])
    assert stated_number(last) == pytest.approx(predicted[-1], rel=0.2)  # one digit
    assert "He keeps it steady, at 2." in story
    assert initcore.theory.predicted(described(**net, scheme="he_normal"))["pre_var"] == pytest.approx(2)


@pytest.mark.parametrize("query, said, not_said", [
    (dict(residual="one", depth="100", scheme="he_normal"), "multiplies it by 1 + α² a block (α = 1 here).", "adding"),
    (dict(residual="one", norm="layer", depth="100", scheme="he_normal"), "the stream grows by adding, not multiplying",
     "multiplies it by"),
    (dict(residual="inv_sqrt_depth", depth="100", scheme="he_normal", bias_std="1"),
     "and the biases add σ_b² = 1 a block more.", "adding"),
])
def test_the_residual_rule_is_the_one_for_the_network_s_norm_and_biases(query, said, not_said):
    """×(1 + α²) a block holds for a plain stream; behind pre-LayerNorm each branch adds about α² (He on ReLU, α = 1,
    100 layers: Var z = 2 + 99 = 101, not 2⁹⁹), and biases add σ_b² a block on top (α = 0.1, σ_b = 1: 178, where
    1.01⁹⁹ alone gives 2.7)."""
    at = open_page(PAGE, **query)
    story = next(m.value for m in at.markdown if m.value.startswith("**He/Kaiming normal.**"))
    assert said in story and not_said not in story
    if query.get("norm") == "layer":
        assert numbers(trace(figures(at)[0], "He/Kaiming normal")["y"])[-1] == pytest.approx(101, rel=0.05)


def test_batchnorm_s_own_gradient_explosion_is_named():
    """Behind BatchNorm, He's forward signal is fixed and the gradient still grows about ×1.44 a layer going down
    (×5 × 10⁷ over 50 layers): the batch's coupling (Yang et al. 2019), not the weights' scale, which is 1 here. The
    story says so with the chart's numbers; behind LayerNorm, where the gradient does not grow, it does not."""
    at = open_page(PAGE, norm="batch", scheme="he_normal", depth="50")
    story = next(m.value for m in at.markdown if m.value.startswith("**He/Kaiming normal.**"))
    gradient = numbers(trace(figures(at)[-1], "He/Kaiming normal")["y"])
    down = gradient[0] / gradient[-1]
    assert down > 1e6 and "BatchNorm's own doing" in story and f", {times(down)} from the last layer" in story
    assert f"grows {times(down ** (1 / 49))} a layer" in story
    layer = open_page(PAGE, norm="layer", scheme="he_normal", depth="50")
    assert not [m for m in layer.markdown if "BatchNorm's own doing" in m.value]


def test_behind_a_norm_the_table_says_what_each_activation_sees_too():
    """N(0, 1) weights under LayerNorm: the sum z_l jumps at layer 1 (the forward chart), while every tanh reads a
    standard u_l (the chart of what each activation sees); the table says both, as the classic's story does. A
    network without a norm has no such column."""
    at = open_page("pages/8_Deep_networks_in_practice.py", home_first=False, **presets.link("layernorm_tanh"))
    row = verdict_rows(at).iloc[0]
    assert not at.exception and row.forward.startswith("explodes") and row.seen.startswith("steady")
    story = presets.PRESETS["layernorm_tanh"]["story"]  # and it says which is which, where it had said only "rescued"
    assert "the sums z_l still explode at layer 1" in story and "what each activation sees: steady" in story
    plain = open_page("pages/8_Deep_networks_in_practice.py", home_first=False, **presets.link("resnet_one"))
    assert "seen" not in verdict_rows(plain)


def test_a_residual_classic_counts_the_blocks_its_network_has():
    """A residual network of L layers is a first layer and L - 1 blocks: the classics' titles and stories count
    them as the lesson's own story does ("Each of the 49 residual blocks")."""
    for key, preset in presets.PRESETS.items():
        settings = preset["settings"]
        if preset["page"] != "pages/8_Deep_networks_in_practice.py" or settings.get("residual", "none") == "none":
            continue
        said = preset["title"] + " " + preset["story"]
        for count in [int(n) for n in re.findall(r"(\d+) (?:residual \w+ )?blocks", said)]:
            assert count == settings["depth"] - 1, (key, said)


def test_custom_variance_scaling_with_a_named_scheme_s_knobs_takes_its_name():
    """He with fan_out (the funnel classic) is named as torchvision knows it; knobs that a registered scheme has
    give that scheme's name; others stay Custom variance scaling."""
    vs = dict(distribution="normal")
    assert theme.scheme_label("variance_scaling", vs | dict(scale=2.0, mode="fan_out")).startswith(
        "He/Kaiming normal, fan_out")
    assert theme.scheme_label("variance_scaling", vs | dict(scale=2.0, mode="fan_in")) == "He/Kaiming normal"
    assert theme.scheme_label("variance_scaling", vs | dict(scale=0.5, mode="fan_in")) == "Custom variance scaling"
    # torchvision's ResNets draw kaiming_normal_(mode="fan_out") only: its uniform twin is no paper's
    assert "torchvision" not in theme.scheme_label("variance_scaling", dict(scale=2.0, mode="fan_out",
                                                                             distribution="uniform"))
    at = open_page("pages/8_Deep_networks_in_practice.py", home_first=False, **presets.link("funnel_fans"))
    assert list(verdict_rows(at).initialization) == ["He/Kaiming normal, fan_out (torchvision's ResNets)",
                                                          "He/Kaiming normal"]


def test_zero_weights_get_no_note_about_random_narrow_layers():
    """Zero weights give 0 at every layer, as theory does: nothing random about it, so no note that narrow layers'
    random factors compound; a narrow ReLU network whose units all die, where theory keeps a signal, keeps its."""
    from ui.charts import Curve

    layer = np.arange(1, 4)
    zeros = Curve("zeros", layer, np.zeros(3), np.zeros(3))
    assert deep.width_note((2, 4, 4, 4), zeros, "relu") is None
    dead = Curve("he_normal", layer, np.array([1.0, 0.0, 0.0]), np.ones(3))
    assert "exactly 0 from layer 2" in deep.width_note((2, 4, 4, 4), dead, "relu")


def test_the_narrow_layers_note_names_switching_off_only_for_an_activation_that_does_it():
    """A tanh network's narrow layers were told that "ReLU or chance" switch their units off: only an activation
    that gives exactly 0 for every negative input is said to, and by its own name."""
    from ui.charts import Curve

    far = Curve("xavier_normal", np.arange(1, 4), np.array([1.0, 1e-2, 1e-4]), np.ones(3))
    relu, tanh, leaky = (deep.width_note((2, 4, 4, 4), far, a) for a in ("relu", "tanh", "leaky_relu"))
    assert "one unit's random weights move the whole layer's variance" in tanh and "switches off" not in tanh
    assert "each unit ReLU switches off (every negative input gives exactly 0)" in relu
    assert "switches off" not in leaky and "ReLU or chance" not in relu + tanh


def test_rezero_of_zero_weights_is_told_as_a_stream_of_zeros_and_one_block_as_one():
    """ReZero (α = 0) with zero weights: the stream is 0 at every layer, and the story says so, where it had said that
    the gradient reaches every block whole beside a gradient of exactly 0. Two layers hold one residual block."""
    from tests.test_app import open_page

    at = open_page("pages/8_Deep_networks_in_practice.py", depth="50", residual="zero", scheme="zeros",
                   activation="relu")
    said = " ".join(m.value for m in at.markdown)
    assert "The stream is exactly 0 at every layer" in said and "reaches every block whole" not in said
    he = " ".join(m.value for m in open_page("pages/8_Deep_networks_in_practice.py", depth="50", residual="zero",
                                            scheme="he_normal", activation="relu").markdown)
    assert "reaches every block whole" in he
    two = " ".join(m.value for m in open_page("pages/8_Deep_networks_in_practice.py", depth="2", residual="one",
                                             scheme="he_normal", activation="relu").markdown)
    assert "The one residual block adds its branch" in two and "Each of the 1 " not in two


def test_zero_weights_story_says_no_signal_not_a_factor_of_nan():
    """Sigmoid with zero weights, two plain layers: Var z is 0 at every layer, where the story had read "changes by a
    factor of NaN"."""
    from tests.test_app import open_page

    at = open_page("pages/8_Deep_networks_in_practice.py", home_first=False, activation="sigmoid", scheme="zeros",
                   depth="2")
    said = next(m.value for m in at.markdown if m.value.startswith("**Zeros.**"))
    assert "NaN" not in said and "exactly 0 at every layer" in said


def test_batchnorm_s_gradient_growth_is_not_put_down_to_it_where_skip_connections_carry_it():
    """With a residual stream behind BatchNorm the gradient grows going down (×62 over 50 layers), as much as behind
    LayerNorm (×26): the stream's doing, which the story had called BatchNorm's own "in a deep network without skip
    connections", in a network that has them."""
    story = deep.story(initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal", norm="batch",
                                         residual=1.0))
    assert "BatchNorm's own doing" not in story and "without skip connections" not in story
    plain = deep.story(initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal", norm="batch"))
    assert "BatchNorm's own doing" in plain


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_the_gradient_behind_a_norm_is_told_divided_by_the_variance_the_norm_divided_by(norm):
    """On the way back a norm divides the gradient by the variance it divided the signal by. LayerNorm's is each
    example's over the units, about the chart's Var z (0.5 ÷ 0.947 = 0.528 against 0.525). BatchNorm's is each
    unit's over the batch, which under ReLU leaves out how far apart the units' means lie: 0.5 ÷ 0.959 = 0.52 is
    not the 0.74 shown, which the story had called "about Var dL/du ÷ Var z". Each number the story gives holds."""
    run = initcore.simulate(depth=20, width=256, activation="relu", scheme="he_normal", norm=norm)
    top = run.layers.iloc[-1]
    story = deep.story(run)
    said = re.search(r"Var dL/dz at the last layer is \*?\*?([^,:*]+)\*?\*?", story)
    assert said and stated_number(said[1]) == pytest.approx(top.stream_grad_var, rel=5e-3), story
    if norm == "layer":
        assert "about Var dL/du ÷ Var z" in story
        assert top.grad_var / top.stream_var == pytest.approx(top.stream_grad_var, rel=0.05)
    else:
        assert "÷ Var z" not in story
        divisor = re.search(r"divided by about ([^,]+), the variance each unit's z has over the batch", story)
        assert divisor and stated_number(divisor[1]) == pytest.approx(top.grad_var / top.stream_grad_var, rel=5e-3)
        assert f"the chart's Var z, {theme.number(top.stream_var)}" in story


def test_the_pytorch_default_classic_says_what_nn_linear_s_own_biases_would_do():
    """The classic draws PyTorch's default weights alone (×1/6 a layer, to 5 × 10⁻¹⁶), where the Choosing page's table,
    nn.Linear's biases included, floors at 0.0016: the story says both, and theory with those biases (σ_b² =
    1/(3·fan_in)) holds the level it gives from the layer it names, within one digit."""
    preset = presets.PRESETS["pytorch_default_relu"]
    story, settings = preset["story"], preset["settings"]
    assert settings.get("bias_std", 0) == 0 and "σ_b ≈ 0.036 (not drawn here)" in story
    width = settings.get("width", 256)
    bias_std = 1 / math.sqrt(3 * width)
    assert f"σ_b ≈ {theme.number(bias_std, 2)}" in story
    level = re.search(r"6σ_b²/5 ≈ ([0-9.]+) from layer (\d+) on", story)
    assert float(level[1]) == pytest.approx(6 * bias_std**2 / 5, rel=0.05)
    pre = initcore.theory.predicted(described(depth=settings["depth"], width=width, activation="relu",
                                              scheme="pytorch_default", bias_std=bias_std))["pre_var"]
    assert pre[int(level[2]) - 1 :] == pytest.approx(float(level[1]), rel=0.5)
    assert 2 / float(level[1]) == pytest.approx(1000, rel=0.3)  # "a thousand times below He's"


def test_the_opening_says_how_simulation_and_theory_are_drawn_as_they_are():
    """The page's default scheme, PyTorch's, is drawn in a fine dash: "the simulation is drawn solid" did not hold.
    Each simulation is a thick line with a marker at every layer, its theory a thin dotted one, as the opening says."""
    at = open_page(PAGE)
    opening = next(m.value for m in at.markdown if m.value.startswith("Real networks"))
    assert "solid" not in opening and "each simulation is drawn thick, a dot at every layer, its theory thin and " \
                                       "dotted beside it" in opening
    curves = [t for t in figures(at)[0]["data"] if t.get("name") and "showlegend" not in t]
    theory = [t for t in curves if t["name"].endswith(": theory")]
    simulated = [t for t in curves if not t["name"].endswith(": theory")]
    assert theory and simulated
    assert all(t["mode"] == "lines" and t["line"]["dash"] == "dot" and t["line"]["width"] == 2 for t in theory)
    assert all(t["mode"] == "lines+markers" and t["line"]["width"] == 3 for t in simulated)


@pytest.mark.parametrize("key", ["gpt2", "prenorm_resnet"])
def test_behind_a_norm_the_story_gives_what_each_block_adds_here(key):
    """Behind a norm each block adds about the same to the stream. GPT-2's branches (N(0, 0.02²) under GELU, α =
    1/√(2L)) add about 4 × 10⁻⁴ a block, where the story gave only the rule for a branch that keeps its input's scale,
    α² = 0.01 (×5.8 over the blocks, against the chart's ×1.2): it now gives this network's own, from the chart,
    beside the rule."""
    settings = presets.PRESETS[key]["settings"]
    at = open_page(PAGE, **presets.link(key))
    story = " ".join(m.value for m in at.markdown)
    said = re.search(r"every block adds about the same, here ([^ ]+ × 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|[0-9.]+) a block on average",
                     story)
    chosen = next(t for t in figures(at)[0]["data"] if t.get("mode") == "lines+markers")  # the chosen scheme's
    stream = numbers(chosen["y"])
    assert said, story
    assert stated_number(said[1]) == pytest.approx((stream[-1] - stream[0]) / (len(stream) - 1), rel=0.01)
    assert "the stream grows by adding, not multiplying" in story
    assert settings.get("norm") == "layer"


def test_at_alpha_zero_the_story_counts_the_biases_each_block_still_adds():
    """α = 0 turns every block's branch off, but not its biases: with σ_b = 0.5 the stream grows ×7.6 over 20 layers,
    which the table says, where the story said every block passes it through "untouched"."""
    run = initcore.simulate(depth=20, width=256, activation="relu", scheme="pytorch_default", residual=0.0,
                            bias_std=0.5)
    story = deep.story(run)
    stream = run.layers.stream_var.to_numpy()
    assert "untouched" not in story and "its biases still add σ_b² = 0.25 to the stream" in story
    assert f"grows by a factor of {theme.number(stream[-1] / stream[0])} from the first layer to the last" in story
    bare = deep.story(initcore.simulate(depth=20, width=256, activation="relu", scheme="pytorch_default",
                                        residual=0.0))
    assert "passes the stream through untouched" in bare


@pytest.mark.parametrize("activation, scheme, depth", [("tanh", "xavier_normal", 20), ("tanh", "large_normal", 20),
                                                       ("selu", "lecun_normal", 50)])
def test_a_gradient_that_grows_as_much_behind_layernorm_is_not_put_down_to_batchnorm(activation, scheme, depth):
    """Behind BatchNorm, 20 tanh layers' gradient grows ×10.8 going down; behind LayerNorm, which couples no
    examples, it grows as much (theory: ×8.83 either way): tanh's own doing, each standard input passing back its
    E[f'(u)²]/E[f(u)²] = 1.18, not the batch's. The story had called it BatchNorm's own doing, and says now that
    theory has it as large behind LayerNorm."""
    story = deep.story(initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme, norm="batch"))
    assert "BatchNorm's own doing" not in story and "as much behind LayerNorm" in story, story


@pytest.mark.parametrize("shape, said", [
    ("funnel", "a funnel's input is 256 units wide, as a constant network's: here the shape changes nothing."),
    ("bottleneck", "a bottleneck's input is 256 units wide, as a constant network's: here the shape changes nothing."),
    ("widening", "the shape sets its input only (4 units)."), ("constant", None)])
def test_a_residual_network_s_shape_is_told_for_what_it_does(shape, said):
    """A residual network keeps one width from its first block on. A funnel and a bottleneck start as wide as the
    network: the caption said "the shape sets its input only" where the shape changed nothing at all."""
    at = open_page("pages/8_Deep_networks_in_practice.py", residual="α = 1 (a plain ResNet)", shape=deep.SHAPES[shape],
                   depth="6")
    assert not at.exception
    widths = next(c.value for c in at.caption if c.value.startswith("Widths"))
    assert (said in widths) if said else "residual network" not in widths, widths


def test_a_signal_only_the_biases_hold_up_is_told_it_vanishes_and_drawn_so():
    """tanh under Xavier with σ_b = 0.5 through 50 layers: Var z ends ×0.43 of its start, steady on its own chart
    line, but the biases, the same for every input, hold it up; each unit's spread over the inputs falls ×10⁻¹²
    (the ordered phase). The verdict says "vanishes" and why, and the chart draws that part dash-dot, as simulated
    and as theory predicts it, where it falls out of the band the verdict names."""
    at = open_page("pages/2_Signal_propagation.py", activation="tanh", scheme="xavier_normal", bias_std="0.5",
                   depth="50")
    assert not at.exception
    said = " ".join(w.value for w in at.warning)
    assert "forward: vanishes (only what every input shares holds Var z up" in said, said
    chart = figures(at)[0]
    apart = numbers(trace(chart, "Xavier/Glorot normal, across inputs")["y"])
    signal = numbers(trace(chart, "Xavier/Glorot normal")["y"])
    assert apart[-1] / apart[0] < lessons.VANISHING < signal[-1] / signal[0]
    theory = numbers(trace(chart, "Xavier/Glorot normal, across inputs: theory")["y"])
    assert np.nanmax(np.abs(np.log(apart[:10] / theory[:10]))) < 0.2  # the first layers, well above any floor
    assert any("tells one input from another" in c.value for c in at.caption)


@pytest.mark.parametrize("settings", [dict(activation="relu", scheme="he_normal", bias_std="0.3"),
                                      dict(activation="tanh", scheme="xavier_normal", bias_std="0")])
def test_a_signal_the_input_still_shapes_keeps_its_verdict(settings):
    """He under ReLU with σ_b = 0.3 merges inputs only slowly (each unit's spread over them ×0.04 over 50 layers, a
    polynomial fall): its verdict is not the biases'. Without biases no dash-dot curve is drawn, or explained."""
    at = open_page("pages/2_Signal_propagation.py", depth="50", **settings)
    assert not at.exception
    said = " ".join(m.value for kind in (at.success, at.info, at.warning, at.error) for m in kind)
    assert "what every input shares" not in said
    has_bias = settings["bias_std"] != "0"
    assert any(t["name"].endswith(", across inputs") for t in figures(at)[0]["data"] if "name" in t) == has_bias
    assert any("tells one input from another" in c.value for c in at.caption) == has_bias


@pytest.mark.parametrize("page, query, drawn", [
    ("pages/2_Signal_propagation.py", dict(activation="selu", scheme="lecun_normal", depth="50"), False),  # 0.98
    ("pages/2_Signal_propagation.py", dict(activation="gelu", scheme="xavier_normal", depth="50"), False),  # 0.67
    ("pages/2_Signal_propagation.py", dict(activation="tanh", scheme="xavier_normal", bias_std="0.1",
                                           depth="10"), False),  # 0.53 at the top
    (PAGE, presets.link("gpt2"), False),  # 0.96: GELU's mean holds little of a layer-normed stream
    ("pages/2_Signal_propagation.py", dict(activation="gelu", scheme="he_normal", depth="50"), True),  # 0.45
    ("pages/2_Signal_propagation.py", dict(activation="elu", scheme="he_normal", depth="50"), True),  # 0.17
])
def test_what_tells_inputs_apart_is_drawn_only_where_it_parts_from_var_z(page, query, drawn):
    """The dash-dot part of Var z that tells inputs apart is drawn where what every input shares is at least half of
    Var z at some layer: elsewhere it lies on Var z's own curve, a line more on the chart (and in the legend) that
    says nothing the solid one does not. The table keeps its row of numbers."""
    at = open_page(page, **query)
    assert not at.exception
    names = [t["name"] for t in figures(at)[0]["data"] if t.get("name")]
    assert any(n.endswith(", across inputs") for n in names) == drawn
    assert any("tells one input from another" in c.value for c in at.caption) == drawn


@pytest.mark.parametrize("activation, scheme, bias_std, depth, held", [
    ("relu", "he_normal", 0.3, 100, False),  # ×0.007 in all, ×0.2 over layers 50 to 100: polynomial
    ("relu", "he_normal", 0.1, 200, False),
    ("tanh", "xavier_normal", 0.05, 200, True),  # the ordered phase near its edge: ×0.004 over the upper half
    ("gelu", "he_normal", 0.3, 100, True),
    ("sigmoid", "xavier_normal", 0.1, 50, True),  # at float32's floor from layer 15 on: level there, not held
])
def test_only_a_geometric_merging_of_inputs_is_told_as_vanishing(activation, scheme, bias_std, depth, held):
    """Deep ReLU layers under He bring inputs together polynomially (1 − c_l ~ 1/l²): at 100 layers the part that
    tells inputs apart has fallen ×0.007, under the verdict's 1/100, and was told "vanishes" as the ordered phase's
    geometric collapse is. Only a part still falling ×1/100 over the network's upper half alone (or already past what
    float32 resolves) is: a polynomial fall is ×1/4 there however deep the network."""
    run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme, bias_std=bias_std,
                            batch=128)
    apart = run.layers.stream_input_var.to_numpy()
    assert apart[-1] / apart[0] < lessons.VANISHING  # every case is under the whole network's threshold
    assert (lessons.held_by_shared(run) is not None) == held
    forward = lessons.judge_run(run)[0]
    assert (forward.word == "vanishes") == held or run.exploded_at is not None, str(forward)


def test_sigmoid_s_mean_holds_var_z_up_with_no_bias_at_all():
    """Sigmoid under Xavier, 50 layers, no biases: each unit's mean output, about ½, is the same for every input and
    carried up through the weights, it holds Var z at about 0.23 (×0.23, "steady"), while the part that tells inputs
    apart falls ×1/16 a layer to float32's floor by layer 15. The forward verdict had said "steady"; Order and chaos
    puts this network's trainable depth at 2 layers. It is now drawn dash-dot and told, naming sigmoid's mean; ReLU,
    whose mean scales with the signal, and tanh, which has none, are neither."""
    at = open_page("pages/2_Signal_propagation.py", activation="Sigmoid", scheme="Xavier/Glorot normal")
    assert not at.exception
    said = " ".join(m.value for kind in (at.success, at.info, at.warning, at.error) for m in kind)
    assert "forward: vanishes (only what every input shares holds Var z up: each sigmoid unit's mean output" in said
    chart = figures(at)[0]
    apart = numbers(trace(chart, "Xavier/Glorot normal, across inputs")["y"])
    signal = numbers(trace(chart, "Xavier/Glorot normal")["y"])
    assert apart[9] / apart[0] < 16.0**-8 and lessons.VANISHING < signal[-1] / signal[0]
    assert any("a sigmoid's is about ½" in c.value for c in at.caption)
    for activation, scheme in (("ReLU", "He/Kaiming normal"), ("Tanh", "Xavier/Glorot normal")):
        plain = open_page("pages/2_Signal_propagation.py", activation=activation, scheme=scheme)
        assert not any(t.get("name", "").endswith(", across inputs") for t in figures(plain)[0]["data"])


def test_the_choosing_page_s_outlook_says_what_sigmoid_s_mean_hides():
    """Choosing an initializer, sigmoid under Xavier: theory's Var z fades between layers 1 and 2, "then holds"; the
    outlook now adds that what tells inputs apart vanishes, with theory's own factor, at both depths. Tanh and ReLU,
    whose means hide nothing, are told nothing of it."""
    kind, said = lessons.outlook("sigmoid", "xavier_normal")
    for depth in (10, 50):
        network = described(depth=depth, width=256, activation="sigmoid", scheme="xavier_normal")
        apart = initcore.theory.predicted(network)["stream_input_var"]
        assert f"but what tells inputs apart **{times(apart[-1] / apart[0])}** (vanishes)" in said
    assert kind in ("warning", "error")
    for activation in ("tanh", "relu"):
        assert "tells inputs apart" not in lessons.outlook(activation, initcore.ACTIVATIONS[activation].recommended)[1]


def test_pytorch_s_biased_row_says_what_still_tells_inputs_apart():
    """Choosing an initializer: under PyTorch's default with its biases, Var z holds at the biases' floor while the
    part that tells inputs apart (its own row) is theory's, and vanishes: ×1/6 a layer under ReLU."""
    from ui import tables

    shown = tables.framework_defaults("relu").set_index("framework")
    network = described(depth=50, width=tables.FRAMEWORK_WIDTH, activation="relu", scheme="pytorch_default",
                        bias_std=(3 * tables.FRAMEWORK_WIDTH) ** -0.5)
    predicted = initcore.theory.predicted(network)
    for column, row in (("stream_var", "PyTorch, its biases too"), ("stream_input_var", "↳ across inputs")):
        for depth in tables.FRAMEWORK_DEPTHS:
            assert shown.loc[row, f"after {depth} layers"] == theme.number(predicted[column][depth - 1])
    assert predicted["stream_input_var"][-1] / predicted["stream_input_var"][-2] == pytest.approx(1 / 6, rel=1e-3)
    assert predicted["stream_input_var"][-1] < lessons.VANISHING**4 < predicted["stream_var"][-1] / 10


def test_zero_weights_with_biases_pass_on_nothing_of_the_input():
    """Zero weights with σ_b = 0.3: Var z is the biases' alone, the same for every input from layer 1, and had been
    called "steady" (the part that tells inputs apart is 0 at every layer: its change 0/0). Class mode's answer for
    Var z stands, and says what it hides."""
    at = open_page("pages/2_Signal_propagation.py", activation="tanh", scheme="zeros", bias_std="0.3")
    said = " ".join(w.value for w in at.warning)
    assert "forward: vanishes (only what every input shares holds Var z up" in said
    assert "every input gives the same z from layer 1 on" in said
    from ui import classroom

    run = initcore.simulate(depth=50, width=256, activation="tanh", scheme="xavier_normal", bias_std=0.5, batch=256)
    question = classroom.propagation(run, "Xavier")
    assert question.right == (classroom.ABOUT_ONE,) and "almost none of it tells one input from another" in \
        question.truth and "the verdict below tells what it hides: vanishes" in question.why


def test_a_layer_norm_does_not_take_away_what_every_input_shares():
    """LayerNorm standardizes each input across its units; it cannot tell apart inputs that have merged onto the
    biases' shared vector: with σ_b = 1, tanh and Xavier, the stream's spread over the inputs still vanishes, drawn
    dash-dot and told. A batch norm takes each unit's shared part away: there it is neither."""
    at = open_page(PAGE, bias_std="1", norm="LayerNorm", activation="Tanh", scheme="Xavier/Glorot normal")
    assert not at.exception and at.query_params.get("norm") == "LayerNorm"
    assert any(t.get("name", "").endswith(", across inputs") for t in figures(at)[0]["data"])
    run = initcore.simulate(depth=20, width=256, activation="tanh", scheme="xavier_normal", bias_std=1.0,
                            norm="layer", batch=128)
    assert lessons.held_by_shared(run) is not None
    batch = initcore.simulate(depth=20, width=256, activation="tanh", scheme="xavier_normal", bias_std=1.0,
                              norm="batch", batch=128)
    assert lessons.held_by_shared(batch) is None


def test_the_story_of_a_network_its_biases_hold_up_says_so():
    """Deep networks' story under a LayerNorm with biases said "the forward signal is fixed" and stopped there; plain
    ReLU layers under PyTorch's default with σ_b = 0.3 told only Var z's factor, 0.309. Each now says how far the
    part that tells inputs apart falls, the dash-dot curve's own number."""
    for norm, activation, scheme, bias_std in (("layer", "tanh", "xavier_normal", 1.0),
                                              (None, "relu", "pytorch_default", 0.3)):
        run = initcore.simulate(depth=20, width=256, activation=activation, scheme=scheme, bias_std=bias_std,
                                norm=norm, batch=128)
        apart = run.layers.stream_input_var.to_numpy()
        assert "Yet almost none of the signal tells one input from another" in deep.story(run)
        assert f"falls {times(apart[-1] / apart[0])}." in deep.story(run)


def test_a_shallow_network_is_told_when_theory_says_its_input_would_be_lost_deeper():
    """tanh under Xavier with σ_b = 0.5, 8 layers: Var z fades ×0.4 and the part that tells inputs apart has fallen
    ×0.01, short of the verdict's rule at this depth; theory's 50 layers lose it (×10⁻¹²). The verdict says so, as it
    says of a signal theory has vanish deeper, at the first layer where that part is under 1/100 and still falling as
    fast over the upper half of the layers to it; a network whose input part holds (He under ReLU) is told nothing."""
    run = initcore.simulate(depth=8, width=256, activation="tanh", scheme="xavier_normal", bias_std=0.5, batch=128)
    forward = lessons.judge_run(run)[0]
    assert lessons.held_by_shared(run) is None
    assert forward.projection.startswith("keeps almost nothing of the input by layer "), str(forward)
    predicted = initcore.theory.predicted(described(**lessons._deepened(run.settings), scheme="xavier_normal"))
    apart, signal = predicted["stream_input_var"], predicted["stream_var"]
    layer = int(forward.projection.rsplit(" ", 1)[1])
    still_falling = apart / apart[np.arange(apart.size) // 2] < lessons.VANISHING  # over the upper half of 1 … l
    lost = (apart / apart[0] < lessons.VANISHING) & (apart / signal < lessons.VANISHING) & still_falling
    assert lost[layer - 1] and not lost[: layer - 1].any()
    he = initcore.simulate(depth=8, width=256, activation="relu", scheme="he_normal", bias_std=0.3, batch=128)
    assert "input" not in lessons.judge_run(he)[0].projection


def test_compared_schemes_with_biases_draw_what_tells_inputs_apart_without_its_theory():
    """Three schemes compared with biases: each draws its simulated part that tells inputs apart, dash-dot; theory's
    line for it is drawn only for one scheme alone (four lines a scheme crowded the legend to 12 entries)."""
    at = open_page("pages/2_Signal_propagation.py", activation="tanh", scheme="xavier_normal", bias_std="0.5",
                   depth="20", compare=["He/Kaiming normal", "Zeros"])
    assert not at.exception
    names = [t["name"] for t in figures(at)[0]["data"] if t.get("name")]
    assert len([n for n in names if ", across inputs" in n]) == 3
    assert not [n for n in names if n.endswith("across inputs: theory")]
