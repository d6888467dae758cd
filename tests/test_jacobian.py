"""initcore.jacobian_spectrum against finite differences, a float64 reference, closed forms and the mean-field product.

Rounding: the product is float32 (unit roundoff u = 2⁻²⁴). Each layer's product and slopes add an error of about
√n·u of the largest singular value, so after L layers every singular value is within L·√n·u·σ_max of the exact
one (Weyl's inequality: |σ_i(A + E) − σ_i(A)| ≤ ‖E‖₂).
"""

import math

import numpy as np
import pytest

import initcore
from initcore import jacobian, theory

UNIT_ROUNDOFF = 2.0**-24


def network(depth, width, scheme, seed=0, **params):
    """The draws the module documents: x, then W_1 … W_L, from default_rng(seed); weights in float64."""
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(width)
    weights = [initcore.init_weights(scheme, width, width, rng, **params).astype(np.float64) for _ in range(depth)]
    return signal, weights


def last_pre_activation(signal, weights, act):
    pre = signal @ weights[0]
    for layer in weights[1:]:
        pre = act.fn(pre) @ layer
    return pre


def reference_jacobian(signal, weights, act):
    """J = W_Lᵀ D_{L−1} W_{L−1}ᵀ ⋯ D_1 W_1ᵀ in float64, D_l = diag(f'(z_l))."""
    pre, product = signal @ weights[0], weights[0].T
    for layer in weights[1:]:
        product = layer.T @ (act.deriv(pre)[:, None] * product)
        pre = act.fn(pre) @ layer
    return product


def spectrum(depth, width, activation, scheme, seed=0, **params):
    return initcore.jacobian_spectrum(depth=depth, width=width, activation=activation, scheme=scheme, seed=seed,
                                      **params)


@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid", "relu", "elu", "selu", "gelu"])
def test_the_jacobian_is_the_derivative_of_the_network(activation):
    """J·v against central differences of z_L along five random directions v. The difference's error is
    estimated from two steps: halving h divides the truncation error (∝ h²) by 4, so |d(h) − d(h/2)| bounds the
    error of d(h/2); rounding adds that of two float64 forward passes, L·n·ε·max|z| (the matrix-product bound),
    divided by h."""
    act = initcore.ACTIVATIONS[activation]
    depth, width, step = 6, 24, 1e-4
    signal, weights = network(depth, width, "xavier_normal", seed=4)
    exact = reference_jacobian(signal, weights, act)
    rounding = depth * width * np.finfo(float).eps * np.abs(last_pre_activation(signal, weights, act)).max() / step
    for direction in np.random.default_rng(5).standard_normal((5, width)):
        def difference(h, d=direction):
            return (last_pre_activation(signal + h * d, weights, act)
                    - last_pre_activation(signal - h * d, weights, act)) / (2 * h)
        coarse, fine = difference(step), difference(step / 2)
        assert np.all(np.abs(fine - exact @ direction) <= np.abs(coarse - fine) + rounding)


@pytest.mark.parametrize("depth, width, activation, scheme", [
    (20, 64, "linear", "lecun_normal"), (20, 64, "tanh", "xavier_uniform"), (60, 96, "relu", "he_normal"),
    (30, 64, "selu", "lecun_normal"), (30, 48, "gelu", "he_uniform"), (40, 32, "sigmoid", "variance_scaling"),
    (25, 64, "tanh", "orthogonal"), (12, 64, "elu", "small_normal"),
])
def test_the_spectrum_is_the_reference_jacobians_within_float32_rounding(depth, width, activation, scheme):
    signal, weights = network(depth, width, scheme, seed=6)
    exact = np.linalg.svd(reference_jacobian(signal, weights, initcore.ACTIVATIONS[activation]), compute_uv=False)
    got = spectrum(depth, width, activation, scheme, seed=6)
    assert got.shape == (width,) and got.dtype == np.float64
    assert np.all(np.diff(got) <= 0)
    np.testing.assert_allclose(got, exact, rtol=0, atol=depth * math.sqrt(width) * UNIT_ROUNDOFF * exact[0])


@pytest.mark.parametrize("depth", [1, 10, 100])
def test_linear_orthogonal_is_an_isometry_at_every_depth(depth):
    """Every singular value of a product of orthogonal matrices is 1: to 1e-4, and within the rounding bound."""
    got = spectrum(depth, 64, "linear", "orthogonal")
    np.testing.assert_allclose(got, 1.0, rtol=0, atol=min(1e-4, depth * math.sqrt(64) * UNIT_ROUNDOFF))
    np.testing.assert_allclose(spectrum(depth, 32, "linear", "orthogonal", gain=1.1), 1.1**depth, rtol=1e-4)


@pytest.mark.parametrize("depth, width", [(4, 64), (16, 128)])
def test_gaussian_linear_keeps_the_mean_square_and_spreads_it(depth, width):
    """W ~ N(0, 1/n): E[tr JJᵀ]/n = Π n·Var(W) = 1. Squared singular values of a product of L such matrices follow
    the Fuss–Catalan law, whose second moment L + 1 gives the variance of each layer's step, so one network's mean
    square has relative sd √(L(L+1))/n; the mean of 12 networks is within 5 of its standard errors."""
    networks = 12
    means = np.array([np.mean(spectrum(depth, width, "linear", "lecun_normal", seed=seed) ** 2)
                      for seed in range(networks)])
    assert abs(means.mean() - 1) <= 5 * math.sqrt(depth * (depth + 1)) / width / math.sqrt(networks)


ZERO_MEAN = [scheme for scheme in initcore.SCHEMES if scheme != "constant"]


@pytest.mark.parametrize("scheme", ZERO_MEAN)
@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_mean_squared_singular_value_is_the_theorys_product_of_layer_factors(scheme, activation):
    """E[tr JJᵀ]/n = Π_{l≤L} n·Var(W_l) · Π_{l<L} E[f'(z_l)²]: the factors of theory's gradient recursion. Exact in
    expectation for linear and ReLU under any symmetric weights (each slope is 1, or 0 and 1 with probability ½).
    Tolerance: 5 standard errors of the mean over 10 networks."""
    depth, width, networks = 6, 64, 10
    factor = width * theory.weight_variance(scheme, width, width)
    expected = factor**depth * theory.moments(activation, 1.0)[1] ** (depth - 1)
    means = np.array([np.mean(spectrum(depth, width, activation, scheme, seed=seed) ** 2)
                      for seed in range(networks)])
    error = means.std(ddof=1) / math.sqrt(networks)
    assert abs(means.mean() - expected) <= 5 * error + 1e-5 * expected


def clustered(values: np.ndarray) -> float:
    """Share of the singular values within one decade of their median."""
    median = np.median(values)
    return float(np.mean((values >= median / 10) & (values <= median * 10)))


# The shares below vary by about ±0.03 from network to network (six seeds at these sizes: tanh + orthogonal
# 0.89–0.95, tanh + Gaussian 0.57–0.59, ReLU 0.52–0.62, linear Gaussian 0.95, 0.75–0.77 and 0.25–0.27 at depths 1, 4
# and 16); each claim holds with a margin of several of those.


def test_gaussian_spreads_with_depth_while_orthogonal_does_not():
    shares = [clustered(spectrum(depth, 128, "linear", "lecun_normal", seed=7)) for depth in (1, 4, 16)]
    assert shares[0] > 0.9 > shares[1] > 0.5 > 0.4 > shares[2]
    assert clustered(spectrum(16, 128, "linear", "orthogonal", seed=7)) == 1


def test_tanh_orthogonal_at_the_edge_of_chaos_stays_clustered_and_gaussian_does_not():
    """tanh with n·Var(W) = 1 and no bias sits on the edge of chaos (χ₁ = 1): at depth 64, orthogonal weights keep
    nearly all singular values within a decade of their median, Gaussian weights of the same variance little more
    than half (Pennington et al. 2017)."""
    assert theory.phase("tanh", 1.0, 0.0)["chi1"] == 1
    assert clustered(spectrum(64, 128, "tanh", "orthogonal", seed=8)) > 0.8
    assert clustered(spectrum(64, 128, "tanh", "xavier_normal", seed=8)) < 0.7


@pytest.mark.parametrize("scheme, params", [("he_normal", {}), ("orthogonal", {"gain": math.sqrt(2)})])
def test_relu_spreads_under_any_weights(scheme, params):
    """ReLU zeroes about half the slopes at each layer, so J loses rank: even orthogonal weights spread it."""
    assert clustered(spectrum(32, 128, "relu", scheme, seed=9, **params)) < 0.7


def test_zero_and_constant_weights():
    assert np.all(spectrum(5, 32, "tanh", "zeros") == 0)
    rank_one = spectrum(5, 32, "linear", "constant")  # W = c·11ᵀ: J has rank one
    assert rank_one[0] > 0 and rank_one[1] <= jacobian.RESOLUTION * rank_one[0]


def test_past_float_range_reads_infinity_or_zero_without_a_warning():
    """Warnings fail the suite (pyproject). ReLU with N(0, 100²) weights grows about 100·√(n/2) = 400 per layer:
    by layer 150 past float64's range, forward signal included (every value ∞); small weights fade to tiny but
    finite values; nothing is NaN."""
    exploded = spectrum(150, 32, "relu", "large_normal", std=100.0)
    assert np.all(exploded == np.inf)
    assert np.all(spectrum(150, 32, "gelu", "large_normal", std=100.0) == np.inf)
    faded = spectrum(200, 32, "tanh", "small_normal")
    assert 0 < faded[0] < 1e-200
    for values in (exploded, faded, spectrum(110, 32, "relu", "large_normal", std=100.0)):
        assert not np.isnan(values).any() and np.all(np.diff(values[np.isfinite(values)]) <= 0)


def test_a_seed_is_a_network():
    first = spectrum(8, 32, "tanh", "he_normal", seed=3)
    np.testing.assert_array_equal(first, spectrum(8, 32, "tanh", "he_normal", seed=3))
    assert not np.array_equal(first, spectrum(8, 32, "tanh", "he_normal", seed=4))


@pytest.mark.parametrize("settings, message", [
    (dict(depth=0), "depth"), (dict(depth=201), "depth"), (dict(depth=2.5), "depth"), (dict(width=1), "width"),
    (dict(width=4096), "width"), (dict(seed=-1), "seed"), (dict(activation="swish"), "activation"),
    (dict(scheme="kaiming"), "scheme"), (dict(std=1.0), "parameter"),
    (dict(scheme="orthogonal", width=1024, depth=13), "budget"), (dict(width=2048, depth=13), "budget"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        initcore.jacobian_spectrum(**{"depth": 4, "width": 16, "activation": "tanh", "scheme": "he_normal", **settings})


@pytest.mark.parametrize("activation, scheme", [("tanh", "orthogonal"), ("relu", "he_normal"),
                                                ("linear", "large_normal"), ("relu", "zeros")])
def test_several_depths_along_one_network_are_each_depth_alone(activation, scheme):
    """A shallower network is the first layers of the deeper one (the same draws, in layer order): its spectrum,
    read on the way up, is the spectrum of that network computed alone, to the bit."""
    together = initcore.jacobian_spectra(depths=(12, 1, 5), width=32, activation=activation, scheme=scheme, seed=3)
    assert sorted(together) == [1, 5, 12]
    for depth, values in together.items():
        alone = initcore.jacobian_spectrum(depth=depth, width=32, activation=activation, scheme=scheme, seed=3)
        assert values.tobytes() == alone.tobytes(), depth


def test_depths_are_checked_like_a_depth():
    with pytest.raises(ValueError, match="depth"):
        initcore.jacobian_spectra(depths=(5, 0), width=16, activation="tanh", scheme="orthogonal")
    with pytest.raises(ValueError, match="empty"):
        initcore.jacobian_spectra(depths=(), width=16, activation="tanh", scheme="orthogonal")
