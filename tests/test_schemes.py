"""Every scheme's draws against its formula. Tolerances are 5 standard errors of the estimate for the
sample size n = fan_in·fan_out (a false alarm about once in 3.5 million checks)."""

import math

import numpy as np
import pytest

import initcore
from initcore.schemes import TRUNCATED_STD

FANS = [(256, 256), (300, 100), (64, 512), (1000, 10)]
Z = 5.0
# Kurtosis of each base: Var(s²) ≈ σ⁴(κ - 1)/n for the sample variance s² of n i.i.d. draws.
KURTOSIS = {"normal": 3.0, "uniform": 1.8, "truncated_normal": 2.626}

EXPECTED_VAR = {
    "xavier_uniform": lambda i, o: 2 / (i + o),
    "xavier_normal": lambda i, o: 2 / (i + o),
    "he_uniform": lambda i, o: 2 / i,
    "he_normal": lambda i, o: 2 / i,
    "lecun_uniform": lambda i, o: 1 / i,
    "lecun_normal": lambda i, o: 1 / i,
    "small_normal": lambda i, o: 0.01**2,
    "large_normal": lambda i, o: 10.0**2,
    "variance_scaling": lambda i, o: 1 / i,
}
EXPECTED_LIMIT = {
    "xavier_uniform": lambda i, o: math.sqrt(6 / (i + o)),
    "he_uniform": lambda i, o: math.sqrt(6 / i),
    "lecun_uniform": lambda i, o: math.sqrt(3 / i),
}


@pytest.mark.parametrize("fans", FANS)
@pytest.mark.parametrize("scheme", sorted(EXPECTED_VAR))
def test_random_schemes_match_their_formula(scheme, fans):
    fan_in, fan_out = fans
    w = initcore.init_weights(scheme, fan_in, fan_out, np.random.default_rng(1), dtype=np.float64)
    n = w.size
    var = EXPECTED_VAR[scheme](fan_in, fan_out)
    assert w.shape == (fan_in, fan_out)
    assert initcore.scheme_std(scheme, fan_in, fan_out) == pytest.approx(math.sqrt(var), rel=1e-12)
    noise = initcore.SCHEMES[scheme].noise or "normal"
    assert abs(w.mean()) <= Z * math.sqrt(var / n)
    assert abs(w.var() - var) <= Z * var * math.sqrt((KURTOSIS[noise] - 1) / n)
    if scheme in EXPECTED_LIMIT:
        limit = EXPECTED_LIMIT[scheme](fan_in, fan_out)
        assert initcore.SCHEMES[scheme].bounds(fan_in, fan_out) == pytest.approx(limit)
        assert np.abs(w).max() <= limit
        # P(all n draws inside (1 - t)·L) = (1 - t)^n ≤ e^{-nt} = e^{-10} for t = 10/n.
        assert np.abs(w).max() >= limit * (1 - 10 / n)


@pytest.mark.parametrize("fans", FANS)
def test_truncated_normal_variance_scaling(fans):
    fan_in, fan_out = fans
    params = dict(scale=2.0, mode="fan_in", distribution="truncated_normal")
    w = initcore.init_weights("variance_scaling", fan_in, fan_out, np.random.default_rng(2), dtype=np.float64,
                              **params)
    var = 2 / fan_in
    assert abs(w.var() - var) <= Z * var * math.sqrt((KURTOSIS["truncated_normal"] - 1) / w.size)
    assert np.abs(w).max() <= 2 * math.sqrt(var) / TRUNCATED_STD


def test_truncated_std_constant():
    # std of N(0,1) on (-2, 2): 1 - 2·2·φ(2)/(Φ(2) - Φ(-2))
    phi = math.exp(-2) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    assert TRUNCATED_STD == pytest.approx(math.sqrt(1 - 4 * phi / mass), rel=1e-14)


@pytest.mark.parametrize("fans", FANS)
def test_orthogonal_is_orthonormal(fans):
    fan_in, fan_out = fans
    w = initcore.init_weights("orthogonal", fan_in, fan_out, np.random.default_rng(3), dtype=np.float64, gain=1.5)
    gram = w.T @ w if fan_in >= fan_out else w @ w.T
    np.testing.assert_allclose(gram, 1.5**2 * np.eye(min(fans)), atol=1e-10)
    assert initcore.scheme_std("orthogonal", fan_in, fan_out, gain=1.5) == pytest.approx(1.5 / math.sqrt(max(fans)))


def test_orthogonal_s_formula_and_words_hold_for_layers_that_widen_and_narrow():
    """QᵀQ = I holds where a layer does not widen; a widening one has QQᵀ = I instead, and the formula says so. A
    narrowing layer keeps n_out/n_in of an input's squared length on average, not all of it, as its words say:
    checked on 2,000 Gaussian inputs: one input's kept share is Beta(n_out/2, (n_in - n_out)/2), of mean n_out/n_in,
    and the mean of 2,000 lies within five of its standard errors."""
    scheme = initcore.SCHEMES["orthogonal"]
    assert r"Q^\top Q = I \text{ or } Q Q^\top = I" in scheme.formula()
    assert "QQᵀ = I where a layer widens" in scheme.verdict
    assert "narrows from n_in to n_out units keeps about n_out/n_in of an input's squared length" in scheme.verdict
    rng = np.random.default_rng(5)
    fan_in, fan_out, inputs = 128, 64, 2000
    w = initcore.init_weights("orthogonal", fan_in, fan_out, rng, dtype=np.float64)
    x = rng.standard_normal((inputs, fan_in))
    kept = np.sum((x @ w) ** 2, axis=1) / np.sum(x**2, axis=1)
    a, b = fan_out / 2, (fan_in - fan_out) / 2
    spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)) / inputs)
    assert abs(kept.mean() - fan_out / fan_in) < 5 * spread


@pytest.mark.parametrize("fans", FANS)
def test_a_stack_of_matrices_is_independent_draws_of_the_same_matrix(fans):
    """``matrices=k``: k matrices each drawn as ``init_weights`` draws one (the first is the same draw), each
    orthogonal one orthonormal on its own, and a stack's size counts against the same cap."""
    fan_in, fan_out = fans
    for scheme in ("xavier_uniform", "he_normal", "orthogonal"):
        single = initcore.init_weights(scheme, fan_in, fan_out, np.random.default_rng(5), dtype=np.float64)
        stack = initcore.init_weights(scheme, fan_in, fan_out, np.random.default_rng(5), dtype=np.float64,
                                      matrices=3)
        assert stack.shape == (3, fan_in, fan_out) and np.array_equal(stack[0], single)
        assert not np.array_equal(stack[1], stack[0])
    grams = stack.swapaxes(1, 2) @ stack if fan_in >= fan_out else stack @ stack.swapaxes(1, 2)
    np.testing.assert_allclose(grams, np.broadcast_to(np.eye(min(fans)), grams.shape), atol=1e-10)
    with pytest.raises(ValueError, match="at most"):
        initcore.init_weights("he_normal", 1024, 1024, np.random.default_rng(0), matrices=65)


def test_orthogonal_sign_fix_makes_diagonal_unbiased():
    # Without the sign fix, LAPACK's QR makes diag(Q)… biased; Haar matrices have E[Q_ii] = 0.
    rng = np.random.default_rng(4)
    diag = np.concatenate([np.diagonal(initcore.init_weights("orthogonal", 8, 8, rng, dtype=np.float64))
                           for _ in range(2000)])
    assert abs(diag.mean()) <= Z * math.sqrt(1 / 8 / diag.size)


@pytest.mark.parametrize("fans", FANS)
def test_zeros_and_constant_are_exact(fans):
    rng = np.random.default_rng(5)
    assert not initcore.init_weights("zeros", *fans, rng).any()
    assert (initcore.init_weights("constant", *fans, rng) == np.float32(0.5)).all()
    assert (initcore.init_weights("constant", *fans, rng, value=-2.0) == -2.0).all()
    assert initcore.scheme_std("constant", *fans) == 0


def test_std_parameter_overrides_default():
    w = initcore.init_weights("large_normal", 400, 400, np.random.default_rng(6), dtype=np.float64, std=3.0)
    assert abs(w.std() - 3.0) <= Z * 3.0 * math.sqrt(2 / 2 / w.size)


def test_same_seed_same_base_noise_across_schemes():
    """Switching scheme only rescales the same draw: a fair comparison."""
    xavier = initcore.init_weights("xavier_normal", 50, 70, np.random.default_rng(7), dtype=np.float64)
    he = initcore.init_weights("he_normal", 50, 70, np.random.default_rng(7), dtype=np.float64)
    np.testing.assert_allclose(he / xavier, math.sqrt((2 / 50) / (2 / 120)))


@pytest.mark.parametrize("scheme", list(initcore.SCHEMES))
def test_every_scheme_has_label_formula_and_verdict(scheme):
    s = initcore.SCHEMES[scheme]
    assert s.label and s.verdict and s.formula().startswith(("W", r"\begin{gathered} \operatorname{Var}(W)"))
    assert s.outcome in ("fails", "works", "framework", "tunable")


@pytest.mark.parametrize("fans", [(50, 120), (256, 256), (3, 1)])
def test_framework_defaults_are_what_each_library_draws(fans):
    """PyTorch's nn.Linear: kaiming_uniform_(a=√5) = U(±1/√n_in), variance 1/(3·n_in); Keras' Dense:
    glorot_uniform, the same draws as Xavier uniform; Flax's Dense: lecun_normal, a normal cut at ±2 of its own
    σ' and widened so that the variance stays 1/n_in."""
    fan_in, fan_out = fans
    pytorch = initcore.SCHEMES["pytorch_default"]
    assert pytorch.bounds(fan_in, fan_out) == pytest.approx(1 / math.sqrt(fan_in), rel=1e-12)
    assert pytorch.std(fan_in, fan_out) ** 2 == pytest.approx(1 / (3 * fan_in), rel=1e-12)
    drawn = initcore.init_weights("pytorch_default", fan_in, fan_out, np.random.default_rng(3), matrices=200)
    assert np.abs(drawn).max() <= np.float32(1 / math.sqrt(fan_in))  # the bound as float32 holds it
    # a uniform's sample variance: standard error Var·√((kurtosis - 1)/n), kurtosis 9/5
    assert abs(drawn.var(dtype=np.float64) - 1 / (3 * fan_in)) <= 5 * np.sqrt(0.8 / drawn.size) / (3 * fan_in)
    keras = initcore.init_weights("keras_default", fan_in, fan_out, np.random.default_rng(4))
    np.testing.assert_array_equal(keras, initcore.init_weights("xavier_uniform", fan_in, fan_out,
                                                               np.random.default_rng(4)))
    flax = initcore.SCHEMES["flax_default"]
    assert flax.std(fan_in, fan_out) == pytest.approx(1 / math.sqrt(fan_in), rel=1e-12)
    assert flax.bounds(fan_in, fan_out) == pytest.approx(2 / TRUNCATED_STD / math.sqrt(fan_in), rel=1e-12)


def test_pytorch_s_default_divides_a_relu_signal_s_variance_by_six_a_layer():
    """n_in·Var(W)·E[relu(z)²]/q = (1/3)·(1/2): ×1/6 a layer, 6⁻²⁰ ≈ 2.7·10⁻¹⁶ after 20 layers."""
    assert initcore.theory.variance_ratio("relu", "pytorch_default", 128, 128) == pytest.approx(1 / 6, rel=1e-12)
    pre = initcore.theory.predicted_pre_var(depth=21, width=128, activation="relu", scheme="pytorch_default")
    assert pre[20] / pre[0] == pytest.approx(6.0**-20, rel=1e-9)


def test_paper_formulas_render_like_the_source_document():
    assert initcore.SCHEMES["xavier_uniform"].formula() == (
        r"W \sim \mathcal{U}\left(-\sqrt{\frac{6}{n_{\rm in} + n_{\rm out}}},\ "
        r"\sqrt{\frac{6}{n_{\rm in} + n_{\rm out}}}\right)")
    assert initcore.SCHEMES["he_normal"].formula() == r"W \sim \mathcal{N}\left(0,\ \frac{2}{n_{\rm in}}\right)"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: initcore.init_weights("nope", 3, 3, np.random.default_rng()), "expected one of"),
        (lambda: initcore.init_weights("he_normal", 0, 3, np.random.default_rng()), "fan_in=0"),
        (lambda: initcore.init_weights("small_normal", 3, 3, np.random.default_rng(), std=-1), "std=-1"),
        (lambda: initcore.init_weights("he_normal", 3, 3, np.random.default_rng(), std=1), "takes no parameter"),
        (lambda: initcore.scheme_std("variance_scaling", 3, 3, mode="fan_max"), "fan_avg"),
        (lambda: initcore.scheme_std("small_normal", 3, 3, std=float("nan")), "finite"),
        (lambda: initcore.init_weights("he_normal", 3, 3, np.random.default_rng(), dtype=np.int32), "float32"),
    ],
)
def test_bad_input_names_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("scheme", ["small_normal", "large_normal", "xavier_uniform", "he_normal",
                                    "lecun_uniform"])
@pytest.mark.parametrize("log", [False, True])
def test_densities_integrate_to_one_and_match_samples(scheme, log):
    from initcore import distributions

    fan_in, fan_out = 400, 300
    edges, binned = distributions.sample_histogram(scheme, fan_in, fan_out, log=log)
    centres = (edges[:-1] + edges[1:]) / 2
    widths = np.diff(edges)
    exact = distributions.density(scheme, fan_in, fan_out, centres, log=log)
    grid = np.linspace(edges[0], edges[-1], 20001)
    assert np.trapezoid(distributions.density(scheme, fan_in, fan_out, grid, log=log), grid) == pytest.approx(
        1.0, abs=0.01)
    # Each bin's count is ~Binomial(n, p): compare within 5 standard errors, plus the density's curvature
    # across a bin (second-order midpoint error) where the bins are wide.
    n = fan_in * fan_out
    p = exact * widths
    assert (np.abs(binned * widths - p) <= Z * np.sqrt(p * (1 - p) / n) + 0.02 * p + 1e-4).all()


@pytest.mark.parametrize("fans", [(1, 1), (3, 5), (90, 100)])
@pytest.mark.parametrize("scheme", ["xavier_normal", "he_uniform"])
def test_a_small_layer_is_drawn_often_enough_to_bin(scheme, fans):
    """A 1 × 1 layer is one weight: its histogram pools ``matrices_to_bin`` independent layers, at least
    ``MIN_WEIGHTS`` weights, and matches the density within each bin's binomial error."""
    from initcore import distributions

    fan_in, fan_out = fans
    n = distributions.matrices_to_bin(fan_in, fan_out) * fan_in * fan_out
    assert distributions.MIN_WEIGHTS <= n < distributions.MIN_WEIGHTS + fan_in * fan_out
    edges, binned = distributions.sample_histogram(scheme, fan_in, fan_out)
    widths = np.diff(edges)
    p = distributions.density(scheme, fan_in, fan_out, (edges[:-1] + edges[1:]) / 2) * widths
    assert (np.abs(binned * widths - p) <= Z * np.sqrt(p * (1 - p) / n) + 0.02 * p + 1e-4).all()


def test_scheme_table_lists_sigma_variance_and_bounds():
    from initcore import distributions

    table = distributions.scheme_table(["he_uniform", "small_normal"], 100, 50)
    assert table.loc[0, "bound"] == pytest.approx(math.sqrt(6 / 100))
    assert table.loc[1, "sigma"] == 0.01 and table.loc[1, "variance"] == pytest.approx(1e-4)


@pytest.mark.parametrize("fans", [(300, 100), (64, 512)])
@pytest.mark.parametrize("scheme", list(initcore.SCHEMES))
def test_every_registered_scheme_draws_what_its_std_says(scheme, fans):
    """Registry-wide: a new scheme is checked against its own formula the moment it is registered."""
    chosen = initcore.SCHEMES[scheme]
    w = initcore.init_weights(scheme, *fans, np.random.default_rng(9), dtype=np.float64)
    std = chosen.std(*fans)
    noise = chosen.noise_for(chosen.resolve())
    if noise == "ones":
        assert w.std() == 0 and std == 0
        return
    if noise == "orthogonal":  # Σ w² = min(fans) exactly, so E[w²] = 1/max(fans)
        assert np.mean(w**2) == pytest.approx(std**2, rel=1e-10)
        return
    var = std**2
    assert abs(w.var() - var) <= Z * var * math.sqrt((KURTOSIS[noise] - 1) / w.size)
    bound = chosen.bounds(*fans)
    if bound is not None:
        assert np.abs(w).max() <= bound


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
@pytest.mark.parametrize("log", [False, True])
def test_point_masses_bin_into_a_window_around_their_value(scheme, log):
    from initcore import distributions

    edges, binned = distributions.sample_histogram(scheme, 16, 16, log=log)
    assert np.all(np.diff(edges) > 0) and np.isfinite(binned).all()
    # all the mass in the bins, except log10|w| of zeros, which has none
    assert np.sum(binned * np.diff(edges)) == pytest.approx(0.0 if (scheme, log) == ("zeros", True) else 1.0)


@pytest.mark.parametrize("scheme", [s for s, spec in initcore.SCHEMES.items() if spec.knobs])
def test_a_family_members_knobs_rebuild_it_as_custom_variance_scaling(scheme):
    """The Choosing page's 'one formula' table reads each member's knobs: they must be the member."""
    knobs = dict(initcore.SCHEMES[scheme].knobs)
    for fan_in, fan_out in FANS:
        assert initcore.scheme_std("variance_scaling", fan_in, fan_out, **knobs) == pytest.approx(
            initcore.scheme_std(scheme, fan_in, fan_out), rel=1e-12)
    assert initcore.SCHEMES["variance_scaling"].formula(**knobs) == initcore.SCHEMES[scheme].formula()
    assert {s for s, spec in initcore.SCHEMES.items() if spec.knobs} >= {
        "xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal"}


@pytest.mark.parametrize("scheme", ["xavier_uniform", "he_uniform", "flax_default", "he_normal"])
@pytest.mark.parametrize("log", [False, True])
def test_the_exact_density_is_drawn_up_to_its_peak_at_the_edge_of_a_bounded_draw(scheme, log):
    """On the log10|w| axis a uniform's density rises to ln 10 at log10 L and drops to 0 past it; drawn on 200
    evenly spaced points, it stopped a grid step short, at about 2.2. The grid holds the edge itself, and a point
    just past it, so the curve reaches the peak and drops straight down."""
    from initcore import distributions

    fan = 256
    bound = initcore.SCHEMES[scheme].bounds(fan, fan)
    low, high = (-6.0, 0.5) if log else (-0.5, 0.5)
    grid = distributions.density_grid(scheme, fan, fan, low, high, log=log)
    assert grid[0] == low and grid[-1] == high and np.all(np.diff(grid) > 0) and len(grid) >= 200
    exact = distributions.density(scheme, fan, fan, grid, log=log)
    if bound is None:
        assert len(grid) == 200
        return
    edge, hair = (np.log10(bound) if log else bound), 1e-4 * (high - low)
    last = np.flatnonzero(exact > 0)[-1]  # the last point inside the support, then the first outside
    assert edge - hair <= grid[last] < edge < grid[last + 1] <= edge + hair * (1 + 1e-9) and exact[last + 1] == 0
    if scheme != "flax_default" and log:  # 10^u ln 10 / L a hair below u = log10 L
        assert exact.max() == pytest.approx(np.log(10) * 10 ** -hair, rel=1e-9)
