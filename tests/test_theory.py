"""Theory's building blocks against their definitions."""

import math

import numpy as np
import pytest

import initcore
from initcore import theory

MC = 2_000_000


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "elu", "selu", "gelu"])
@pytest.mark.parametrize("q", [0.25, 1.0, 4.0, 64.0, 500.0, 1e6])
def test_moments_match_monte_carlo(activation, q):
    """E[f(z)²] and E[f'(z)²] for z ~ N(0, q), within 5 Monte Carlo standard errors (n = 2·10⁶)."""
    act = initcore.ACTIVATIONS[activation]
    z = math.sqrt(q) * np.random.default_rng(0).standard_normal(MC)
    for got, samples in zip(theory.moments(activation, q), (act.fn(z) ** 2, act.deriv(z) ** 2)):
        error = samples.std() / math.sqrt(MC)
        assert abs(got - samples.mean()) <= 5 * error + 1e-12 * abs(samples.mean())


@pytest.mark.parametrize("q", [1e-60, 1e-40, 1e-20])
def test_elu_and_selu_moments_reach_their_linear_limit_for_a_faded_signal(q):
    """Near 0, ELU is z on both sides and SELU λz or λαz, so E[f(z)²]/q tends to 1 and λ²(1 + α²)/2; the next
    terms are O(√q) (E[z³ 1{z<0}] = -√(2/π)·q^{3/2}/… ): within 2√q, at any scale, so a signal faded to 10⁻⁶⁰
    is not read as 10⁻⁴⁸."""
    from initcore.activations import SELU_ALPHA, SELU_SCALE

    assert theory.moments("elu", q)[0] / q == pytest.approx(1.0, rel=2 * math.sqrt(q))
    assert theory.moments("selu", q)[0] / q == pytest.approx(SELU_SCALE**2 * (1 + SELU_ALPHA**2) / 2,
                                                            rel=2 * math.sqrt(q))


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _elu_family_closed_form(q: float, alpha: float, scale: float) -> tuple[float, float]:
    """E[f²] and E[f'²] for f = λ·(z if z > 0 else α(e^z - 1)), z ~ N(0, q), from E[e^{tz} 1{z<0}] = e^{t²q/2}Φ(-t√q):
    λ²(q/2 + α²(e^{2q}Φ(-2√q) - 2e^{q/2}Φ(-√q) + ½)) and λ²(½ + α²e^{2q}Φ(-2√q))."""
    s = math.sqrt(q)
    f2 = q / 2 + alpha**2 * (math.exp(2 * q) * _phi(-2 * s) - 2 * math.exp(q / 2) * _phi(-s) + 0.5)
    return scale**2 * f2, scale**2 * (0.5 + alpha**2 * math.exp(2 * q) * _phi(-2 * s))


@pytest.mark.parametrize("q", [0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 16.0, 64.0, 200.0])
def test_elu_and_selu_moments_match_their_closed_forms(q):
    """SELU's derivative jumps at 0 and ELU's has a corner: integrated on each side of 0, both moments match the
    closed forms to 1e-12 (where the trapezoid rule read E[f'²] = 1.07356 for SELU at q = 1, truth 1.07158).
    Below q = 0.01 the closed form itself cancels (three O(1) terms for an O(q) result)."""
    from initcore.activations import SELU_ALPHA, SELU_SCALE

    for activation, alpha, scale in (("elu", 1.0, 1.0), ("selu", SELU_ALPHA, SELU_SCALE)):
        expected = _elu_family_closed_form(q, alpha, scale)
        assert theory.moments(activation, q) == pytest.approx(expected, rel=1e-12)


def _simpson_reference(h, sigma: float) -> float:
    """E[h(z)], z ~ N(0, σ²), by composite Simpson on each side of 0, with 200,000 intervals on |z| ≤ min(60, 12σ)
    (where the activations bend, on a step of at most 3·10⁻⁴) and 200,000 more from there to 12σ: an independent
    method whose error (step⁴) is far below the tolerance."""
    def simpson(a, b):
        z = np.linspace(a, b, 200_001)
        z[0] = max(a, 1e-300)  # each side's own limit at 0 (SELU's f' jumps there)
        g = (h(z) + h(-z)) * np.exp(-0.5 * (z / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        return (b - a) / 600_000 * (g[0] + g[-1] + 4 * g[1:-1:2].sum() + 2 * g[2:-1:2].sum())
    near = min(60.0, 12 * sigma)
    return simpson(0.0, near) + (simpson(near, 12 * sigma) if 12 * sigma > near else 0.0)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "gelu", "elu", "selu"])
@pytest.mark.parametrize("q", [1e-6, 0.04, 1.0, 9.0, 400.0, 1e6])
def test_moments_match_an_independent_quadrature(activation, q):
    """Both moments against Simpson's rule at every scale, from a faded signal to one so wide that tanh' is a
    bump a thousandth of its width: to 1e-9."""
    act = initcore.ACTIVATIONS[activation]
    sigma = math.sqrt(q)
    expected = (_simpson_reference(lambda z: act.fn(z) ** 2, sigma),
                _simpson_reference(lambda z: act.deriv(z) ** 2, sigma))
    assert theory.moments(activation, q) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
@pytest.mark.parametrize("q", [0.3, 1.0, 5.0])
def test_steady_variance_makes_q_a_fixed_point_and_keeps_the_gradient(activation, q):
    """n_in·Var(W) = steady_variance(..., target="signal") maps q to itself through one layer of the length map;
    target="gradient" makes n_in·Var(W)·E[f'(√q ξ)²] exactly 1. ReLU's are He's 2 and linear's LeCun's 1."""
    second, slope = theory.moments(activation, q)
    assert theory.steady_variance(activation, q=q) * second == pytest.approx(q, rel=1e-12)
    assert theory.steady_variance(activation, q=q, target="gradient") * slope == pytest.approx(1.0, rel=1e-12)
    if activation in ("relu", "linear"):
        expected = {"relu": 2.0, "linear": 1.0}[activation]
        assert theory.steady_variance(activation, q=q) == theory.steady_variance(
            activation, q=q, target="gradient") == pytest.approx(expected)
    with pytest.raises(ValueError, match="target"):
        theory.steady_variance(activation, target="both")


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
@pytest.mark.parametrize("q", [0.1, 1.0, 7.0])
def test_the_length_map_slope_is_the_derivative_of_the_mean_square(activation, q):
    """length_map_slope against its definition, d ln E[f(√q ξ)²] / d ln q, by a central difference of step h in
    ln q: its error is O(h²) (h = 10⁻³: about 10⁻⁶) plus the quadrature's 10⁻¹² over h. The ReLU family and linear
    give 1; of the others only GELU's is above 1 at q = 1, where Choosing an initializer calls its balance a knife's
    edge."""
    h = 1e-3
    difference = (np.log(theory.moments(activation, q * np.exp(h))[0])
                  - np.log(theory.moments(activation, q * np.exp(-h))[0])) / (2 * h)
    assert theory.length_map_slope(activation, q) == pytest.approx(difference, rel=1e-5, abs=1e-8)
    if activation in ("linear", "relu", "leaky_relu"):
        assert theory.length_map_slope(activation, q) == 1.0
    if q == 1.0:
        assert (theory.length_map_slope(activation) > 1.01) == (activation == "gelu")


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu"])
def test_homogeneous_moments_are_exact(activation):
    a = initcore.ACTIVATIONS[activation].homogeneous
    assert theory.moments(activation, 3.0) == (a[0] * 3.0, a[1])


def test_variance_ratio_matches_the_papers():
    assert theory.variance_ratio("relu", "he_normal", 256, 256) == pytest.approx(1.0)
    assert theory.variance_ratio("relu", "xavier_normal", 256, 256) == pytest.approx(0.5)
    assert theory.variance_ratio("leaky_relu", "he_normal", 100, 100) == pytest.approx(1 + 0.01**2)
    assert theory.variance_ratio("linear", "lecun_normal", 300, 50) == pytest.approx(1.0)
    assert math.isnan(theory.variance_ratio("relu", "constant", 10, 10))
    assert theory.variance_ratio("tanh", "zeros", 10, 10) == 0


def test_a_depth_step_integrates_only_the_layers_it_adds(monkeypatch):
    """The moments are kept per (activation, q): theory's length map one layer deeper integrates that layer alone
    (two expectations: E[f²] and E[f'²]; E[f] only under a batch norm), and gives what it gives with nothing kept."""
    net = dict(width=64, activation="tanh", scheme="xavier_normal")
    theory.moments.cache_clear()
    theory._mean.cache_clear()
    theory.predicted_variances(depth=20, **net)
    calls = []
    original = theory.expectation
    monkeypatch.setattr(theory, "expectation", lambda *args: calls.append(args) or original(*args))
    deeper = theory.predicted_variances(depth=21, **net)
    assert len(calls) == 2
    theory.moments.cache_clear()
    theory._mean.cache_clear()
    fresh = theory.predicted_variances(depth=21, **net)
    assert all(np.array_equal(a, b) for a, b in zip(deeper, fresh))


@pytest.mark.parametrize("activation", sorted(initcore.ACTIVATIONS))
def test_theory_past_an_overflow_has_a_number_at_every_layer(activation):
    """Large weights through 76 layers: the signal's theory overflows to inf near the top. A plain layer carries
    none of the stream below it (ρ = 0), and 0·inf had made every layer above the overflow NaN, and with it the whole
    gradient's theory under ELU, SELU and GELU (the chart lost its theory line at 76 layers, not at 75). GELU's limits
    at ±inf are E[f²] = inf and E[f'²] = ½."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pre = initcore.theory.predicted_pre_var(depth=76, width=256, activation=activation, scheme="large_normal")
        grad = initcore.theory.predicted_grad_var(depth=76, width=256, activation=activation, scheme="large_normal")
    assert not np.isnan(pre).any() and not np.isnan(grad).any()
    if activation == "gelu":
        assert initcore.theory.moments("gelu", float("inf")) == (float("inf"), 0.5)


PAIRS = 500_000


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_what_two_inputs_do_not_share_is_half_their_mean_squared_difference(activation):
    """``unshared`` is E[(f(u₁) − f(u₂))²] / 2 for a pair of pre-activations of variance q and correlation c, at
    q = 0.04, 1, 9 and c = 0, 0.5, 0.99: within 5 Monte Carlo standard errors (n = 5·10⁵ pairs each)."""
    from initcore.mean_field import unshared

    act = initcore.ACTIVATIONS[activation]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(PAIRS), rng.standard_normal(PAIRS)
    for q in (0.04, 1.0, 9.0):
        for c in (0.0, 0.5, 0.99):
            u1, u2 = math.sqrt(q) * x, math.sqrt(q) * (c * x + math.sqrt(1 - c * c) * y)
            halves = (act.fn(u1) - act.fn(u2)) ** 2 / 2
            error = 5 * halves.std() / math.sqrt(PAIRS)
            assert abs(unshared(activation, q, 1 - c) - halves.mean()) <= error, (q, c)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear", "tanh"])
def test_two_inputs_all_but_one_keep_what_tells_them_apart(activation):
    """Pairs 10⁻²⁰ apart (1 − c), where c itself rounds to 1: what they do not share is, to first order, Price's
    theorem's q·E[f'(u)²]·(1 − c) (ReLU: q/2 of it), not 0."""
    from initcore.mean_field import unshared

    q, apart = 0.7, 1e-20
    assert unshared(activation, q, apart) == pytest.approx(q * theory.moments(activation, q)[1] * apart, rel=1e-6)


@pytest.mark.parametrize("activation, scheme, bias_var", [
    ("tanh", "pytorch_default", 1 / (3 * 512)), ("relu", "pytorch_default", 1 / (3 * 512)),
    ("relu", "he_normal", 0.09), ("tanh", "xavier_normal", 0.25), ("gelu", "he_normal", 0.25),
    ("sigmoid", "xavier_normal", 0.25), ("sigmoid", "xavier_normal", 0.0), ("gelu", "he_normal", 0.0),
    ("elu", "he_normal", 0.0), ("selu", "lecun_normal", 0.0)])
def test_the_part_of_the_signal_that_tells_inputs_apart_follows_theory(activation, scheme, bias_var):
    """Each unit's variance over the inputs, averaged over the units (``stream_input_var``), simulated against
    theory's d_l: within 5 of each layer's sampling error and the finite-width fluctuation of the layers below it
    (√(2/n) each). Biases hold Var z up (PyTorch's default: at 1/(3n)); the part that tells inputs apart still
    falls ×1/6 a layer under ReLU. With no bias at all, an activation's mean does the same (sigmoid's about ½ under
    Xavier: ×1/16 a layer), measured in the square network's own pass."""
    depth, width, batch = 10, 512, 256
    network = dict(depth=depth, width=width, activation=activation, scheme=scheme, bias_std=math.sqrt(bias_var))
    simulated = initcore.simulate(batch=batch, **network).layers.stream_input_var.to_numpy()
    predicted = theory.predicted(initcore.propagation.described(**network))["stream_input_var"]
    error = np.hypot(np.sqrt(2 / (batch * width)), np.sqrt(np.arange(1, depth + 1) * 2 / width))
    assert np.all(np.abs(np.log(simulated / predicted)) < 5 * error)


def test_a_bias_adds_to_the_signal_but_not_to_what_tells_inputs_apart():
    """Theory: the biases raise Var z of every layer by σ_b² and more, and leave the first layer's input part
    n_0·Var(W) as it is; tiny biases leave tanh's input part all of Var z (an odd activation passes on no mean).
    Without biases, or through a norm, it is not followed (NaN)."""
    plain = dict(depth=6, width=256, activation="tanh", scheme="xavier_normal")
    described = initcore.propagation.described
    without, tiny, biased = (theory.predicted(described(**plain, bias_std=b)) for b in (0.0, 1e-9, 0.5))
    assert biased["stream_input_var"][0] == tiny["stream_input_var"][0] == pytest.approx(1.0)
    assert np.all(biased["stream_var"] > without["stream_var"])
    np.testing.assert_allclose(tiny["stream_input_var"], tiny["stream_var"], rtol=1e-6)
    np.testing.assert_allclose(tiny["stream_var"], without["stream_var"], rtol=1e-12)
    assert np.isnan(without["stream_input_var"][1:]).all()
    assert np.isnan(theory.predicted(described(**plain, bias_std=0.5, norm="layer"))["stream_input_var"][1:]).all()
