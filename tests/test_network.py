"""Networks beyond the plain MLP: one description (``initcore.network``) read by simulate and theory; layer shapes,
residual blocks, norms and biases, checked against their definitions, finite differences and theory."""

import math

import numpy as np
import pytest

import initcore
from initcore import theory
from initcore.network import NORM_EPSILON, Network, network, shaped_widths
from initcore.passes import normalize, walk
from initcore.propagation import COLUMNS, STREAM_COLUMNS, described

# ---- the description ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("widths, words", [
    ((256, 0, 128), r"widths\[1\]"), ((256, -4, 128), r"widths\[1\]"), ((256, 12.5, 128), r"widths\[1\]"),
    ((256,), "entries"), ("256,128", "sequence"), (None, "give depth and width"),
])
def test_bad_widths_say_what_is_allowed(widths, words):
    with pytest.raises(ValueError, match=words):
        network(widths=widths, activation="relu", scheme="he_normal")


@pytest.mark.parametrize("description, words", [
    (dict(widths=(64, 128, 64, 32), residual=1.0), "keep its width"),
    (dict(depth=5, width=64, residual=-1.0), "residual"),
    (dict(depth=5, width=64, residual=float("nan")), "residual"),
    (dict(depth=5, width=64, norm="group"), "norm"),
    (dict(depth=5, width=64, bias_std=-0.1), "bias_std"),
    (dict(depth=5, width=64, bias_std=float("inf")), "bias_std"),
    (dict(depth=4, widths=(64, 64, 64)), "depth=4"),
])
def test_bad_pieces_say_what_is_allowed(description, words):
    with pytest.raises(ValueError, match=words):
        network(activation="relu", scheme="he_normal", **description)


def test_a_network_knows_its_layers():
    net = network(widths=(512, 256, 256, 256), activation="relu", scheme="he_normal", residual=0.5, norm="layer")
    assert net.depth == 3 and not net.plain
    assert [net.fans(layer) for layer in (1, 2, 3)] == [(512, 256), (256, 256), (256, 256)]
    assert [net.carries(layer) for layer in (1, 2, 3)] == [False, True, True]
    assert [net.branch_scale(layer) for layer in (1, 2, 3)] == [1.0, 0.5, 0.5]
    assert net.weights == 512 * 256 + 2 * 256**2 and net.units == 3 * 256
    assert network(depth=3, width=8, activation="relu", scheme="he_normal").plain
    assert network(**net.settings()) == net


@pytest.mark.parametrize("shape, expected", [
    ("constant", (64, 64, 64, 64, 64)), ("funnel", (64, 32, 16, 8, 4)),
    ("bottleneck", (64, 32, 16, 32, 64)), ("widening", (4, 8, 16, 32, 64)),
])
def test_named_shapes(shape, expected):
    assert shaped_widths(shape, 4, 64) == expected


def test_a_long_funnel_stops_at_its_narrowest():
    assert min(shaped_widths("funnel", 50, 1024)) == 2 and len(shaped_widths("funnel", 50, 1024)) == 51


# ---- the passes: backpropagation against finite differences ----------------------------------------------------

PIECES = [dict(), dict(residual=0.7), dict(norm="layer"), dict(norm="batch"), dict(residual=0.5, norm="layer"),
          dict(bias_std=0.3), dict(widths=(5, 7, 7, 7, 7), residual=1.0, norm="batch", bias_std=0.2)]


@pytest.mark.parametrize("pieces", PIECES)
@pytest.mark.parametrize("activation", ["tanh", "gelu", "linear"])
def test_the_backward_pass_is_the_gradient(pieces, activation):
    """L = Σ g ⊙ a_L: dL/dx from ``walk`` (dL/dz_1 @ W_1ᵀ) equals central differences in float64 to O(h²)."""
    net = network(**({"widths": (5, 6, 6, 6, 6)} | pieces), activation=activation, scheme="xavier_normal")
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal(net.fans(layer)) / math.sqrt(net.fans(layer)[0]) for layer in
               range(1, net.depth + 1)]
    biases = [rng.standard_normal(n) * net.bias_std if net.bias_std else None for n in net.widths[1:]]
    x, g = rng.standard_normal((4, net.widths[0])), rng.standard_normal((4, net.widths[-1]))

    def loss(inputs):
        out = {}
        walk(net, inputs, g, weights, biases, forward=lambda layer: out.update(a=layer.a) or False)
        walk(net, inputs, g, weights, biases, forward=lambda layer: out.update(a=layer.a) or True)
        return float(np.sum(g * out["a"]))

    grads = {}
    walk(net, x, g, weights, biases, backward=lambda layer: grads.update({layer.layer: layer.dz}))
    analytic = grads[1] @ weights[0].T
    h = 1e-5
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric[index] = (loss(x + step) - loss(x - step)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("norm, axis", [("layer", 1), ("batch", 0)])
def test_a_norm_standardizes_along_its_axis(norm, axis):
    z = np.random.default_rng(0).standard_normal((8, 32)) * np.linspace(0.001, 50, 32) + 3
    u, scale = normalize(z.copy(), norm)
    variance = np.var(z, axis=axis, keepdims=True)
    np.testing.assert_allclose(u.mean(axis=axis), 0, atol=1e-12)
    np.testing.assert_allclose(u.var(axis=axis, keepdims=True), variance / (variance + NORM_EPSILON), rtol=1e-12)
    np.testing.assert_allclose(scale, np.sqrt(variance + NORM_EPSILON), rtol=1e-15)
    assert normalize(z, None)[0] is z


# ---- simulate: one schema, the plain path unchanged -----------------------------------------------------------

def test_a_square_network_described_by_widths_is_the_plain_one_to_the_bit():
    plain = initcore.simulate(depth=12, width=64, activation="relu", scheme="he_normal", batch=32, seed=4)
    same = initcore.simulate(widths=(64,) * 13, activation="relu", scheme="he_normal", batch=32, seed=4)
    for column in COLUMNS + STREAM_COLUMNS:
        assert plain.layers[column].to_numpy().tobytes() == same.layers[column].to_numpy().tobytes(), column


def test_the_general_path_draws_what_the_plain_path_draws():
    """Biases of σ_b = 1e-30 change nothing a float32 network can hold: the layer-by-layer path (taken for any
    bias) then measures the square network's own weights and inputs."""
    kw = dict(depth=10, width=64, activation="tanh", scheme="xavier_normal", batch=64, seed=2)
    plain, general = initcore.simulate(**kw), initcore.simulate(**kw, bias_std=1e-30)
    assert general.settings["bias_std"] == 1e-30
    for column in ("weight_std", "pre_var", "act_var", "grad_var", "frac_saturated"):
        np.testing.assert_allclose(general.layers[column], plain.layers[column], rtol=1e-5)


def test_every_network_has_one_table_schema():
    for description in (dict(depth=6, width=32), dict(widths=(64, 32, 16)), dict(depth=6, width=32, norm="batch")):
        run = initcore.simulate(activation="relu", scheme="he_normal", batch=16, **description)
        assert list(run.layers.columns) == list(COLUMNS + STREAM_COLUMNS)
        assert run.layers["fan_out"].tolist() == list(described(activation="relu", scheme="he_normal",
                                                                **description).widths[1:])


@pytest.mark.parametrize("description", [
    dict(widths=(64, 0, 8)), dict(depth=5, width=64, residual=-2), dict(depth=5, width=64, norm="weight"),
    dict(widths=(2048,) * 120), dict(widths=(16,) + (2048,) * 9, batch=4096, norm="layer"),
])
def test_simulate_refuses_bad_or_oversized_networks_with_a_message(description):
    with pytest.raises(ValueError):
        initcore.simulate(activation="relu", scheme="he_normal", **description)


def test_an_exploding_network_with_a_norm_stops_cleanly():
    run = initcore.simulate(depth=30, width=64, activation="relu", scheme="large_normal", residual=1.0,
                            batch=32)
    assert run.exploded_at is not None
    assert run.layers.loc[run.layers.layer >= run.exploded_at, "exploded"].all()
    calm = initcore.simulate(depth=50, width=256, activation="tanh", scheme="large_normal", norm="layer")
    assert calm.exploded_at is None and np.isfinite(calm.layers[["pre_var", "grad_var"]].to_numpy()).all()


# ---- the numbers of the issue: simulation against the definition and theory -----------------------------------

def relative_error(batch: int, width: int) -> float:
    """One standard error of a variance measured on batch·width Gaussian-like values: √(2/(batch·width))."""
    return math.sqrt(2 / (batch * width))


def test_xavier_on_a_funnel_multiplies_by_two_n_in_over_n_in_plus_n_out():
    batch, widths = 1024, (512, 256, 128, 64)
    run = initcore.simulate(widths=widths, activation="linear", scheme="xavier_normal", batch=batch, seed=1)
    var = np.r_[1.0, run.layers["pre_var"].to_numpy()]
    for layer in (1, 2, 3):
        n_in, n_out = widths[layer - 1], widths[layer]
        # the output's and the input's sampling errors, and the gain of this layer's weights (a χ² of n_in·n_out)
        error = math.sqrt(relative_error(batch, n_out) ** 2 + relative_error(batch, n_in) ** 2 + 2 / (n_in * n_out))
        assert var[layer] / var[layer - 1] == pytest.approx(2 * n_in / (n_in + n_out), rel=5 * error)
    assert theory.predicted_pre_var(widths=widths, activation="linear", scheme="xavier_normal") == pytest.approx(
        np.cumprod([2 * a / (a + b) for a, b in zip(widths, widths[1:])]), rel=1e-12)


@pytest.mark.parametrize("alpha", [1.0, 1 / math.sqrt(40), 0.0])
def test_a_residual_relu_network_under_he_grows_one_plus_alpha_squared_a_layer(alpha):
    depth, width, batch = 40, 256, 256
    run = initcore.simulate(depth=depth, width=width, activation="relu", scheme="he_normal", residual=alpha,
                            batch=batch, seed=7)
    gains = np.diff(np.log(run.layers["stream_var"].to_numpy()))  # log Var z_l / Var z_(l-1), l = 2 … L
    # each layer's gain is one draw of its weights and inputs: the mean's standard error, from their own spread
    error = gains.std(ddof=1) / math.sqrt(len(gains))
    assert gains.mean() == pytest.approx(math.log(1 + alpha**2), abs=5 * error + 1e-12)
    predicted = theory.predicted(described(depth=depth, width=width, activation="relu", scheme="he_normal",
                                           residual=alpha))["stream_var"]
    np.testing.assert_allclose(predicted[1:] / predicted[:-1], 1 + alpha**2, rtol=1e-12)


def test_layer_norm_keeps_huge_tanh_weights_in_range_forward_only():
    """N(0, 10²) weights on tanh with a layer norm before each activation: what the activation sees keeps its
    first layer's variance over 50 layers and nothing overflows; the gradient at the stream still carries the
    weights' scale (1/q_l), which a norm does not remove."""
    kw = dict(depth=50, width=256, activation="tanh", scheme="large_normal", norm="layer")
    run = initcore.simulate(**kw)
    pre = run.layers["pre_var"].to_numpy()
    assert run.exploded_at is None and run.grad_exploded_at is None
    assert np.all((pre / pre[0] > 0.5) & (pre / pre[0] < 2))
    scaled = initcore.simulate(**kw, std=1.0)
    ratio = run.layers["stream_grad_var"].to_numpy() / scaled.layers["stream_grad_var"].to_numpy()
    assert np.median(ratio) == pytest.approx(1 / 100, rel=0.5)  # the weights are 10× larger: 1/10² the gradient
    np.testing.assert_allclose(run.layers["pre_var"], scaled.layers["pre_var"], rtol=1e-4)


@pytest.mark.parametrize("description", [
    dict(widths=(64, 128, 256, 512), activation="relu", scheme="he_normal"),
    dict(widths=(512, 256, 128, 64), activation="tanh", scheme="xavier_uniform"),
    dict(depth=20, width=256, activation="tanh", scheme="xavier_normal", bias_std=0.3),
    dict(depth=20, width=256, activation="tanh", scheme="xavier_normal", residual=0.5, norm="layer"),
    dict(depth=20, width=256, activation="gelu", scheme="he_normal", norm="batch"),
])
def test_simulation_agrees_with_theory_beyond_the_plain_mlp(description):
    """Forward: each layer within sampling error and the compounded finite-width fluctuation of the layers
    below it (√(2/n) per layer, as a random walk); backward the same from the top."""
    batch = 512
    run = initcore.simulate(**description, batch=batch, seed=11)
    predicted = theory.predicted(described(**description))
    widths = described(**description).widths
    for column, order in (("stream_var", 1), ("pre_var", 1), ("stream_grad_var", -1)):
        sim, theo = run.layers[column].to_numpy(), predicted[column]
        for i in range(len(sim)):
            layers = range(1, i + 2) if order == 1 else range(i + 1, len(sim) + 1)
            walk_error = math.sqrt(sum(2 / widths[layer] for layer in layers))
            error = math.hypot(relative_error(batch, widths[i + 1]), walk_error)
            assert abs(math.log(sim[i] / theo[i])) < 5 * error, (column, i + 1, sim[i], theo[i])


def test_theory_refuses_what_simulate_refuses():
    with pytest.raises(ValueError, match="residual"):
        theory.predicted_pre_var(widths=(8, 16, 8), activation="relu", scheme="he_normal", residual=1.0)
    assert isinstance(described(depth=3, width=8, activation="relu", scheme="he_normal"), Network)


def test_pytorch_s_default_shrinks_a_relu_signal_by_a_sixth_a_layer():
    """U(±1/√fan_in) has Var(W) = 1/(3·fan_in); ReLU keeps half the mean square: ×1/6 a layer, simulated."""
    run = initcore.simulate(depth=20, width=256, activation="relu", scheme="pytorch_default", batch=256, seed=3)
    gains = np.diff(np.log(run.layers["pre_var"].to_numpy()))
    error = gains.std(ddof=1) / math.sqrt(len(gains))  # each layer's gain is one draw: the mean's standard error
    assert gains.mean() == pytest.approx(math.log(1 / 6), abs=5 * error)


def test_numpy_numbers_are_taken_as_the_numbers_they_are():
    """A notebook's arithmetic gives numpy scalars and arrays: np.int64(5) layers, a float32 σ, an array of widths are
    taken as 5, 0.1 and (8, 4, 2), where they had been refused as "expected a whole number"; a bool is still no
    number."""
    import warnings

    plain = initcore.simulate(depth=5, width=8, activation="relu", scheme="small_normal", seed=3, batch=64, std=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        typed = initcore.simulate(depth=np.int64(5), width=np.int32(8), activation="relu", scheme="small_normal",
                                  seed=np.uint32(3), batch=np.int64(64), std=np.float64(0.5))
        shaped = initcore.simulate(widths=np.array([8, 4, 2]), activation="relu", scheme="he_normal")
        tiny = initcore.simulate(depth=3, width=8, activation="relu", scheme="small_normal", std=1e-200)
    assert typed.layers.equals(plain.layers)
    assert shaped.layers.equals(initcore.simulate(widths=(8, 4, 2), activation="relu", scheme="he_normal").layers)
    assert tiny.vanished_at is not None
    for bad in (True, np.bool_(True), "5", 5.5):
        with pytest.raises(ValueError, match="expected a whole number"):
            initcore.simulate(depth=bad, width=8, activation="relu", scheme="he_normal")


@pytest.mark.parametrize("call", [
    lambda: initcore.scheme_std("he_normal", 0, 5),
    lambda: initcore.scheme_std("he_normal", -1, 5),
    lambda: initcore.scheme_std("he_normal", float("nan"), 5),
    lambda: initcore.scheme_std("he_normal", "5", 5),
    lambda: initcore.init_weights("he_normal", 4, 4, None),
    lambda: initcore.init_weights("he_normal", 4, 4, 0),
    lambda: initcore.init_weights("he_normal", 4, 4, np.random.RandomState(0)),
    lambda: initcore.init_weights("he_normal", 4, 4, np.random.default_rng(0), dtype="blah"),
    lambda: initcore.DATASETS["moons"](10, noise=float("nan"), rng=np.random.default_rng(0)),
    lambda: initcore.DATASETS["moons"](10, noise=-1, rng=np.random.default_rng(0)),
    lambda: initcore.DATASETS["circles"](10, noise=0.1, rng=0),
    lambda: initcore.DATASETS["xor"](2.5, noise=0.1, rng=np.random.default_rng(0)),
    lambda: initcore.simulate(depth=3, width=8, activation="relu", scheme="he_normal", dtype=[1]),
    lambda: initcore.simulate_many(depth=3, width=8, activation="relu", schemes=["he_normal"]),
    lambda: initcore.simulate_many(depth=3, width=8, activation="relu", schemes={"he_normal": None}),
    lambda: initcore.train(dataset="moons", depth=1, width=4, activation="relu", scheme="he_normal", epochs=1,
                           lr=0.1).predict(np.zeros(2)),
    lambda: initcore.theory.variance_ratio("relu", "he_normal", 0, 5),
    lambda: initcore.theory.variance_ratio("relu", "he_normal", 5, 5, q=-1),
    lambda: initcore.theory.variance_ratio("relu", "he_normal", 5, 5, q=float("nan")),
])
def test_a_bad_argument_to_the_public_api_is_a_value_error_that_says_what_is_allowed(call):
    """API.md: invalid values raise ValueError naming what is allowed; these had raised ZeroDivisionError,
    AttributeError, TypeError or IndexError, or given NaN points for a NaN noise."""
    with pytest.raises(ValueError, match="expected"):
        call()
