"""The mean-field phase (initcore.theory.phase, phase_grid) against its definitions, Monte Carlo, and networks.

Monte Carlo tolerances are 5 standard errors of the estimate (n draws: SE = sample sd / √n). Simulated
networks give one decay rate each; the tolerance is 4 standard errors of the mean over the networks (a 99 %
interval of Student's t with 5 degrees of freedom is 4.03 SE).
"""

import math

import numpy as np
import pytest

import initcore
from initcore import mean_field, theory

SMOOTH = ["tanh", "sigmoid", "elu", "selu", "gelu"]  # no closed form: quadrature and tables
SETTLED = [("tanh", 2.5, 0.1), ("tanh", 1.5, 0.05), ("sigmoid", 4.0, 0.5), ("elu", 1.5, 0.05), ("selu", 1.0, 0.0),
           ("selu", 1.5, 0.05), ("gelu", 1.0, 1.0), ("tanh", 6.0, 0.5)]  # finite q* > 0: ordered and chaotic
MC = 1_000_000


def length_map(activation: str, sigma_w2: float, sigma_b2: float, q: float) -> float:
    """V(q) = σ_w²·E[f(√q ξ)²] + σ_b², from theory.moments (the scalar quadrature)."""
    return sigma_w2 * theory.moments(activation, q)[0] + sigma_b2


def test_tanh_without_bias_is_critical_at_unit_weight_variance():
    """Below σ_w² = 1 the signal dies (q* = 0): the gradients shrink ×χ₁ a layer and set the trainable depth, but
    correlations are not pulled together at a fixed rate (ξ_c = ∞; see the simulated test below). At 1 it is
    critical (χ₁ = 1, ξ_c = ∞), above it is chaotic."""
    critical = theory.phase("tanh", 1.0, 0.0)
    assert critical["q_star"] == 0
    assert critical["chi1"] == pytest.approx(1.0, abs=1e-6)
    assert critical["depth_scale"] == math.inf
    fading, chaotic = theory.phase("tanh", 0.9, 0.0), theory.phase("tanh", 1.1, 0.0)
    assert fading["q_star"] == 0 and fading["chi1"] == pytest.approx(0.9, abs=1e-12)
    assert fading["depth_scale"] == math.inf and fading["c_star"] == 1
    assert fading["trainable_depth"] < 6 * -1 / math.log(0.9)  # 0.9 is the limit; nearer q₁ tanh's slope takes more
    assert chaotic["q_star"] > 0 and chaotic["chi1"] > 1 and chaotic["c_star"] == 0  # odd f, no bias
    assert chaotic["trainable_depth"] == pytest.approx(6 * chaotic["depth_scale"])


@pytest.mark.parametrize("sigma_w2", [0.5, 1.0, 2.0, 3.0, 4.0])
@pytest.mark.parametrize("sigma_b2", [0.0, 0.3])
def test_homogeneous_activations_have_their_closed_forms(sigma_w2, sigma_b2):
    """ReLU: χ₁ = σ_w²/2 and q* = σ_b²/(1 − σ_w²/2) while σ_w² < 2 (q* = ∞ beyond: no finite fixed point); linear:
    χ₁ = σ_w²; leaky ReLU a: (1 + a²)/2 · σ_w². In the ordered phase ξ_c = ξ_q = −1/ln χ₁; with no biases a scale
    changes no correlation, so ξ_c = ∞ there, and the gradients' −1/ln χ₁ sets the trainable depth."""
    for activation, a in [("relu", 0.5), ("linear", 1.0), ("leaky_relu", (1 + 0.01**2) / 2)]:
        result = theory.phase(activation, sigma_w2, sigma_b2)
        assert result["chi1"] == pytest.approx(a * sigma_w2, abs=1e-6)
        gain = a * sigma_w2
        if gain < 1:
            assert result["q_star"] == pytest.approx(sigma_b2 / (1 - gain))
            assert result["depth_scale"] == (pytest.approx(-1 / math.log(gain)) if sigma_b2 else math.inf)
            assert result["length_depth_scale"] == pytest.approx(-1 / math.log(gain))
            assert result["trainable_depth"] == pytest.approx(-6 / math.log(gain))
        elif gain == 1 and sigma_b2 == 0:
            assert result["q_star"] == sigma_w2  # every q is fixed: the map stays at q_1 = σ_w²
        else:
            assert result["q_star"] == math.inf
        if gain >= 1:
            assert result["depth_scale"] == math.inf and result["c_star"] == 1


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTLED)
def test_q_star_is_the_limit_of_the_length_map(activation, sigma_w2, sigma_b2):
    """q* is a fixed point of V to 1e-10 and the limit of q_{l+1} = V(q_l) from q_1 = σ_w² + σ_b². The map closes
    in on q* by a factor V'(q*) = e^{−1/ξ_q} per layer, so 60·ξ_q layers leave e^{−60} of the start's distance."""
    result = theory.phase(activation, sigma_w2, sigma_b2)
    q_star = result["q_star"]
    assert length_map(activation, sigma_w2, sigma_b2, q_star) == pytest.approx(q_star, rel=1e-10)
    q = sigma_w2 + sigma_b2
    for _ in range(math.ceil(60 * result["length_depth_scale"]) + 10):
        q = length_map(activation, sigma_w2, sigma_b2, q)
    assert q == pytest.approx(q_star, rel=1e-9)
    step = 1e-5 * q_star  # V'(q*) by a central difference: its error is O(step²)
    slope = (length_map(activation, sigma_w2, sigma_b2, q_star + step)
             - length_map(activation, sigma_w2, sigma_b2, q_star - step)) / (2 * step)
    assert -1 / math.log(slope) == pytest.approx(result["length_depth_scale"], rel=1e-5)


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTLED)
def test_chi1_matches_monte_carlo(activation, sigma_w2, sigma_b2):
    """χ₁ = σ_w²·E[f'(√q* ξ)²] against the mean of 10⁶ draws, within 5 standard errors."""
    result = theory.phase(activation, sigma_w2, sigma_b2)
    u = math.sqrt(result["q_star"]) * np.random.default_rng(1).standard_normal(MC)
    samples = sigma_w2 * initcore.ACTIVATIONS[activation].deriv(u) ** 2
    assert abs(result["chi1"] - samples.mean()) <= 5 * samples.std() / math.sqrt(MC)


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", SETTLED)
def test_correlation_fixed_point_and_its_slope_match_monte_carlo(activation, sigma_w2, sigma_b2):
    """With (u₁, u₂) ~ N(0, q*[[1, c*], [c*, 1]]): C(c*) = (σ_w² E[f(u₁)f(u₂)] + σ_b²)/q* = c*, and the slope
    C'(c*) = σ_w² E[f'(u₁)f'(u₂)] = e^{−1/ξ_c}, each within 5 standard errors of 10⁶ draws."""
    result = theory.phase(activation, sigma_w2, sigma_b2)
    q, c = result["q_star"], result["c_star"]
    rng = np.random.default_rng(2)
    first, second = rng.standard_normal(MC), rng.standard_normal(MC)
    u1, u2 = math.sqrt(q) * first, math.sqrt(q) * (c * first + math.sqrt(1 - c * c) * second)
    act = initcore.ACTIVATIONS[activation]
    correlation = (sigma_w2 * act.fn(u1) * act.fn(u2) + sigma_b2) / q
    slope = sigma_w2 * act.deriv(u1) * act.deriv(u2)
    assert abs(correlation.mean() - c) <= 5 * correlation.std() / math.sqrt(MC)
    assert abs(slope.mean() - math.exp(-1 / result["depth_scale"])) <= 5 * slope.std() / math.sqrt(MC)
    assert (c < 1) == (result["chi1"] > 1)


def _exponential_maps(activation: str, q: float, c: float, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    """C(c) and C'(c) of SELU or ELU at q*, independently of the engine's quadrature: given u₁, u₂ ~ N(c·u₁, q(1 − c²))
    and E[f(u₂) | u₁], E[f'(u₂) | u₁] are closed forms on the two pieces, λ·z and λα·(e^z − 1) (a normal's partial
    mean and its moment generating function); the expectation over u₁ is a trapezoid on 200,001 points over ±12√q,
    with the corner at 0 a node (where f' jumps, the node takes the mean of its two sides: one side alone had put
    C' out by 10⁻⁵, a sixth of 1 − χ_c at SELU (0.5, 0))."""
    from initcore.activations import SELU_ALPHA, SELU_SCALE
    scale, alpha = (SELU_SCALE, SELU_ALPHA) if activation == "selu" else (1.0, 1.0)
    erfc = np.frompyfunc(math.erfc, 1, 1)

    def cdf(x):  # Φ(x) = erfc(−x/√2)/2, with all its digits in the lower tail, where 1 + erf(x/√2) has none
        return 0.5 * erfc(-x / math.sqrt(2)).astype(float)

    u1 = np.linspace(-12, 12, 200_001) * math.sqrt(q)
    density = np.exp(-u1**2 / (2 * q))
    density /= density.sum()
    mean, spread = c * u1, math.sqrt(q * (1 - c * c))
    above = cdf(mean / spread)
    below = np.exp(mean + spread**2 / 2) * cdf((-mean - spread**2) / spread)  # E[e^u₂; u₂ ≤ 0]
    partial = mean * above + spread * np.exp(-0.5 * (mean / spread) ** 2) / math.sqrt(2 * math.pi)  # E[u₂; u₂ > 0]
    f1 = np.where(u1 > 0, scale * u1, scale * alpha * np.expm1(np.minimum(u1, 0)))
    slope1 = np.where(u1 > 0, scale, scale * alpha * np.exp(np.minimum(u1, 0)))
    slope1[u1 == 0] = (scale + scale * alpha) / 2  # f' jumps at 0: the trapezoid takes the mean of its two sides there
    f2 = scale * partial + scale * alpha * (below - cdf(-mean / spread))  # λα·E[e^u₂ − 1; u₂ ≤ 0]
    slope2 = scale * above + scale * alpha * below
    return ((sigma_w2 * np.sum(density * f1 * f2) + sigma_b2) / q, sigma_w2 * np.sum(density * slope1 * slope2))


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", [
    ("selu", 1.5, 2.0), ("selu", 1.2, 0.3), ("selu", 1.7, 2.0),
    ("selu", 0.5, 0.0), ("selu", 0.55, 0.0), ("selu", 1.4, 1.6), ("selu", 1.8, 2.0),
    ("elu", 1.9, 2.0), ("elu", 1.8, 0.6), ("elu", 1.9, 1.0)])
def test_depth_scale_near_the_edge_matches_a_closed_form_reference(activation, sigma_w2, sigma_b2):
    """Near the edge of chaos a small error in χ_c is a large one in ξ_c = −1/ln χ_c: at SELU (1.5, 2), χ_c = 0.986,
    an error of 8·10⁻⁴ in it (64 Mehler terms) had made ξ_c 66.7 where it is 70.7, and "trains up to about 400
    layers" of 424. Closer still, no tail of the series follows the coefficients of a corner: SELU at (0.5, 0) had
    read ξ_c = 3518 where it is 6622, (1.4, 1.6) 624 of 1076, and ELU at (1.9, 2) 2466 of 2531. The reference's C
    crosses the diagonal within ε of c* (ε: 10⁻⁵, or a thousandth of 1 − c* where that is less), and ξ_c is its
    slope's at c*, within 10⁻³."""
    result = theory.phase(activation, sigma_w2, sigma_b2)
    q, c = result["q_star"], result["c_star"]
    near = min(1e-5, 1e-3 * (1 - c))
    assert _exponential_maps(activation, q, c - near, sigma_w2, sigma_b2)[0] > c - near
    assert _exponential_maps(activation, q, c + near, sigma_w2, sigma_b2)[0] < c + near
    slope = _exponential_maps(activation, q, c, sigma_w2, sigma_b2)[1]
    assert result["depth_scale"] == pytest.approx(-1 / math.log(slope), rel=1e-3)


def _critical_weight(activation: str, sigma_b2: float) -> float:
    """σ_w² where χ₁ crosses 1, by bisection."""
    low, high = 0.5, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if theory.phase(activation, middle, sigma_b2)["chi1"] < 1 else (low, middle)
    return high


@pytest.mark.parametrize("activation, sigma_b2", [("tanh", 0.05), ("tanh", 0.5), ("selu", 0.5), ("elu", 0.5)])
def test_depth_scale_grows_without_bound_at_the_edge_of_chaos(activation, sigma_b2):
    """ξ_c is finite on both sides of χ₁ = 1 and grows as σ_w² approaches the edge from either side."""
    edge = _critical_weight(activation, sigma_b2)
    for side in (-1, 1):
        scales = [theory.phase(activation, edge * (1 + side * gap), sigma_b2)["depth_scale"]
                  for gap in (0.1, 0.01, 0.001)]
        assert all(math.isfinite(scale) for scale in scales)
        assert scales[0] < scales[1] < scales[2]
        assert scales[2] > 30 * scales[0]


def _correlations(activation, sigma_w2, sigma_b2, q_start, c_start, *, width, depth, networks, pairs, seed):
    """Correlation of the pre-activations of pairs of inputs, per network (rows) and layer (columns), in networks
    with weights N(0, σ_w²/width) and biases N(0, σ_b²); each input has E[z_1²] = q_start, each pair correlation
    c_start at the input."""
    act = initcore.ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    scale = math.sqrt((q_start - sigma_b2) / sigma_w2)
    result = np.empty((networks, depth))
    for network in range(networks):
        first, other = rng.standard_normal((2, pairs, width))
        signal = scale * np.concatenate([first, c_start * first + math.sqrt(1 - c_start**2) * other])
        for layer in range(depth):
            weights = rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
            pre = signal @ weights + rng.standard_normal(width) * math.sqrt(sigma_b2)
            one, two = pre[:pairs], pre[pairs:]
            result[network, layer] = np.mean(np.sum(one * two, 1) / np.sqrt(np.sum(one**2, 1) * np.sum(two**2, 1)))
            signal = act.fn(pre)
    return result


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", [("tanh", 0.8, 0.2), ("selu", 1.0, 1.0),
                                                            ("elu", 1.0, 1.0)])
def test_depth_scale_is_the_decay_of_correlations_in_simulated_networks(activation, sigma_w2, sigma_b2):
    """In the ordered phase, two inputs that start 0.2 % apart (1 − c = 0.002, where C is linear) at the fixed
    length q* grow alike as 1 − c_l ∝ e^{−l/ξ_c}. Six networks of width 512 each give a fitted rate."""
    result = theory.phase(activation, sigma_w2, sigma_b2)
    depth = math.ceil(6 * result["depth_scale"])
    correlations = _correlations(activation, sigma_w2, sigma_b2, result["q_star"], 0.998, width=512, depth=depth,
                                 networks=6, pairs=32, seed=3)
    layers = np.arange(1, depth + 1)
    rates = np.array([np.polyfit(layers, np.log(1 - row), 1)[0] for row in correlations])
    error = rates.std(ddof=1) / math.sqrt(rates.size)
    assert abs(rates.mean() + 1 / result["depth_scale"]) <= 4 * error


NETWORKS = 6  # simulated networks, each giving one mean correlation over its pairs of inputs


@pytest.mark.parametrize("activation, sigma_w2", [("gelu", 2.0), ("gelu", 1.0), ("tanh", 0.9), ("tanh", 0.5),
                                                  ("tanh", 0.99), ("elu", 0.8), ("relu", 1.0)])
def test_a_fading_signal_s_trainable_depth_is_where_theory_s_gradient_has_shrunk_e6_fold(activation, sigma_w2):
    """Where the signal fades to q* = 0, χ₁ is the gradients' factor a layer only in the limit. GELU at He's 2 has
    χ₁ = 0.5, and 6ξ_∇ = 8.66 layers said its gradient had shrunk e⁶-fold there; along the path from q₁ = 2 it has
    shrunk by a third (×0.65), and a run of 20 such layers learned. The trainable depth is now where theory's own
    path (``predicted_variances``, layer by layer by quadrature) has shrunk the gradient e⁶-fold: between the
    whole layers around it, and as 6ξ_∇ where χ is the same at every q (ReLU)."""
    depth = theory.phase(activation, sigma_w2, 0.0)["trainable_depth"]
    layers = math.ceil(depth) + 2
    _, grad = theory.predicted_variances(depth=layers, width=256, activation=activation, scheme="variance_scaling",
                                         scale=sigma_w2, mode="fan_in", distribution="normal")
    shrunk = np.log(grad / grad[0])  # e-folds the gradient loses from layer k + 1 down to layer 1: k factors
    assert shrunk[math.floor(depth)] <= 6 + 1e-6 <= shrunk[math.ceil(depth)] + 2e-6, (depth, shrunk)
    if activation == "relu":
        assert depth == pytest.approx(-6 / math.log(sigma_w2 / 2))


@pytest.mark.parametrize("activation", ["tanh", "elu"])
def test_at_the_edge_the_gradients_of_a_fading_signal_still_shrink_e6_fold(activation):
    """tanh and ELU at σ_w² = 1 without biases: χ₁ = 1, and 6ξ_c = ∞, but only in the limit q → 0, which the signal
    approaches like 1/l; on the way every layer's factor χ(q_l) = σ_w²·E[f'(√q_l ξ)²] is below 1, and their product
    shrinks the gradient e⁶-fold within a few hundred layers (tanh: 286), which ``gradient_depth`` gives. Here the
    rule is followed directly, with quadrature's moments; a signal that settles has none (NaN)."""
    depth = theory.gradient_depth(activation, 1.0)
    q, lost, layer = 1.0, 0.0, 0
    while lost < 6:
        second, slope = theory.moments(activation, q)
        lost, layer, q = lost - math.log(slope), layer + 1, second
    assert layer - 1 < depth <= layer and theory.phase(activation, 1.0, 0.0)["trainable_depth"] == math.inf
    assert theory.gradient_depth("tanh", 0.9) == theory.phase("tanh", 0.9, 0.0)["trainable_depth"]
    assert math.isnan(theory.gradient_depth("tanh", 1.5))


def test_without_biases_a_fading_signal_pulls_no_inputs_together():
    """Where the signal fades to q* = 0, correlations do not decay at χ₁'s rate, as an ordered network's would
    (χ₁ = 0.5: 1 − c would shrink e-fold every 1.44 layers, ×10⁻⁶ in 20). ReLU's are the same at every σ_w² (a
    scale changes none of them); tanh's, GELU's and a linear network's stay where the first layer left them, within
    four standard errors over the networks."""
    def correlations(activation, sigma_w2):
        return _correlations(activation, sigma_w2, 0.0, sigma_w2, 0.5, width=256, depth=20, networks=NETWORKS,
                             pairs=32, seed=3)

    np.testing.assert_allclose(correlations("relu", 0.5), correlations("relu", 1.5), rtol=1e-9)
    for activation, sigma_w2 in [("tanh", 0.5), ("gelu", 1.0), ("linear", 0.5)]:
        result = theory.phase(activation, sigma_w2, 0.0)
        assert result["q_star"] == 0 and result["chi1"] <= 0.5 and result["depth_scale"] == math.inf
        layers = correlations(activation, sigma_w2)
        drift = layers[:, -1] - layers[:, 0]
        assert abs(drift.mean()) <= 4 * drift.std(ddof=1) / math.sqrt(NETWORKS), (activation, drift)


def test_phase_grid_agrees_with_phase():
    """The grid reads its moments from tables: q* and χ₁ within 1e-8, c* and the depth scales within 1e-5 (the
    Mehler table is coarser), on a grid that crosses both phases of every activation."""
    weights, biases = np.linspace(0.0, 5.0, 11), np.array([0.0, 0.05, 0.4, 2.0])
    for activation in initcore.ACTIVATIONS:
        grid = theory.phase_grid(activation, weights, biases)
        assert list(grid.columns) == list(mean_field.COLUMNS)
        assert len(grid) == weights.size * biases.size
        np.testing.assert_array_equal(grid.sigma_w2, np.tile(weights, biases.size))  # σ_w² varies fastest
        for row in grid.itertuples():
            exact = theory.phase(activation, row.sigma_w2, row.sigma_b2)
            for name, tolerance in [("q_star", 1e-8), ("chi1", 1e-8), ("c_star", 1e-5), ("depth_scale", 1e-5),
                                    ("length_depth_scale", 1e-5), ("trainable_depth", 1e-5)]:
                assert getattr(row, name) == pytest.approx(exact[name], rel=tolerance, abs=1e-300), (row, name)


EXTREMES = [0.0, 1e-300, 1e-12, 0.5, 1.0, 2.0, 1e12, 1e300, np.finfo(float).max]


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_every_finite_input_gives_an_answer_in_range(activation):
    """No warning (pytest turns them into errors), no exception and no NaN for any finite σ_w², σ_b² ≥ 0: where the
    signal dies or explodes the values are 0 or ∞."""
    grid = theory.phase_grid(activation, EXTREMES, EXTREMES)
    values = grid[["q_star", "chi1", "c_star", "depth_scale", "length_depth_scale", "trainable_depth"]].to_numpy()
    assert not np.isnan(values).any()
    assert (values >= 0).all()
    assert ((grid.c_star >= 0) & (grid.c_star <= 1)).all()
    assert theory.phase(activation, 0.0, 0.0) == {"q_star": 0.0, "chi1": 0.0, "c_star": 1.0, "depth_scale": 0.0,
                                                  "length_depth_scale": 0.0, "trainable_depth": 0.0}


@pytest.mark.parametrize("bad", [-1.0, -1e-300, math.nan, math.inf, "1", None, True])
def test_bad_variances_are_refused(bad):
    for call in (lambda: theory.phase("tanh", bad, 0.0), lambda: theory.phase("tanh", 1.0, bad),
                 lambda: theory.phase_grid("tanh", [1.0, bad], [0.0])):
        with pytest.raises(ValueError, match="sigma_"):
            call()


def test_bad_names_and_grids_are_refused():
    with pytest.raises(ValueError, match="activation"):
        theory.phase("swish", 1.0, 0.0)
    with pytest.raises(ValueError, match="sigma_w2s"):
        theory.phase_grid("tanh", [], [0.0])
    with pytest.raises(ValueError, match="sigma_b2s"):
        theory.phase_grid("tanh", [1.0], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="at most"):
        theory.phase_grid("tanh", np.linspace(0, 4, 101), np.linspace(0, 1, 100))


# ---- biases in the length map ---------------------------------------------------------------------------------


def test_relu_he_with_biases_adds_the_bias_variance_at_every_layer():
    """ReLU + He: q_{l+1} = 2·q_l/2 + σ_b², so q_l = 2 + l·σ_b²; the gradient recursion is unchanged (factor
    2·½ = 1 per layer, with or without biases)."""
    depth, bias_std = 30, 0.5
    pre = theory.predicted_pre_var(depth=depth, width=256, activation="relu", scheme="he_normal", bias_std=bias_std)
    np.testing.assert_allclose(pre, 2 + np.arange(1, depth + 1) * bias_std**2, rtol=1e-12)
    grad = theory.predicted_grad_var(depth=depth, width=256, activation="relu", scheme="he_normal", bias_std=bias_std)
    np.testing.assert_allclose(grad, theory.predicted_grad_var(depth=depth, width=256, activation="relu",
                                                               scheme="he_normal"), rtol=1e-12)


def test_the_biased_length_map_settles_at_the_phase_fixed_point():
    """tanh, n·Var(W) = 2.5 and σ_b = √0.1: the per-layer prediction reaches phase()'s q* (ξ_q ≈ 1.1, so 60 layers
    leave e^{−50} of the start's distance)."""
    pre = theory.predicted_pre_var(depth=60, width=128, activation="tanh", scheme="variance_scaling", scale=2.5,
                                   bias_std=math.sqrt(0.1))
    assert pre[0] == pytest.approx(2.5 + 0.1)
    assert pre[-1] == pytest.approx(theory.phase("tanh", 2.5, 0.1)["q_star"], rel=1e-9)


@pytest.mark.parametrize("bad", [-0.1, math.nan, 1e3, "0.1"])
def test_bad_bias_std_is_refused(bad):
    with pytest.raises(ValueError, match="bias_std"):
        theory.predicted_pre_var(depth=3, width=8, activation="tanh", scheme="he_normal", bias_std=bad)
