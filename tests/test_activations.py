"""Every activation's derivative against central finite differences, and its gain against its definition."""

import math

import numpy as np
import pytest

import initcore
from initcore import theory

EPS = np.finfo(float).eps

H = 1e-6
# Central differences in float64: truncation ≈ h²·|f'''|/6 ≲ 1e-12, rounding ≈ eps·|f|/h ≲ 1e-9.
TOLERANCE = 1e-7
# Slopes on either side of z that differ by more than this: f' jumps there (ReLU's 0 and 1 at 0). Where f' is smooth
# they differ by about h·|f''| ≲ 2e-6 here.
JUMP = 1e-4


def derivative_agrees(fn, deriv, z: np.ndarray) -> np.ndarray:
    """Where ``deriv`` is f' of ``fn`` at the points ``z``, by finite differences. Where f' is smooth: the central
    difference of step h/2, within ``TOLERANCE`` (its rounding and a smooth f's truncation) plus twice its
    difference from the step-h one, which is how far off it is where only f'' jumps (softsign at 0: an error h/2,
    first order in h, that D(h) - D(h/2) measures). Where f' jumps (the one-sided slopes differ by more than
    ``JUMP``), f' has no value to compare, and any between the two slopes is taken, each side's slope extrapolated
    from steps h and h/2 (Richardson: 2·D(h/2) - D(h)), whose first-order error, h·f''/2, had put SELU's λα at 0
    outside them."""
    slope, slack = deriv(z), TOLERANCE * np.maximum(1, np.abs(z))
    left, right = [2 * (fn(z + s * H / 2) - fn(z)) / (s * H / 2) - (fn(z + s * H) - fn(z)) / (s * H) for s in (-1, 1)]
    wide = (fn(z + H) - fn(z - H)) / (2 * H)
    narrow = (fn(z + H / 2) - fn(z - H / 2)) / H
    smooth = np.abs(slope - narrow) <= slack + 2 * np.abs(wide - narrow)
    between = (np.minimum(left, right) - slack <= slope) & (slope <= np.maximum(left, right) + slack)
    return np.where(np.abs(right - left) > JUMP, between, smooth)


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    """Every activation, kinks included (the grid holds 0, where ReLU's family bends), with no list of the kinked
    ones to keep: an activation registered in one line is checked as it is."""
    act = initcore.ACTIVATIONS[name]
    z = np.linspace(-6, 6, 2401)
    assert derivative_agrees(act.fn, act.deriv, z).all()


def test_a_wrong_derivative_is_caught_at_a_kink_and_off_it():
    """The check passes no wrong f': ReLU's slope taken as 1 everywhere, and tanh's as 1 - tanh² + 1e-6."""
    z = np.linspace(-6, 6, 2401)
    relu, tanh = initcore.ACTIVATIONS["relu"], initcore.ACTIVATIONS["tanh"]
    assert not derivative_agrees(relu.fn, np.ones_like, z)[z < 0].any()
    assert not derivative_agrees(tanh.fn, lambda z: 1 - np.tanh(z) ** 2 + 1e-6, z).any()


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_deriv_max_is_the_largest_slope(name):
    act = initcore.ACTIVATIONS[name]
    z = np.linspace(-20, 20, 400001)
    assert np.abs(act.deriv(z)).max() == pytest.approx(act.deriv_max, rel=1e-6)


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_deriv_min_bounds_every_slope_and_is_the_least_one_where_slopes_go_below_zero(name):
    """On a grid of step h around the least slope, the grid's minimum is within max|f''|·h²/2 ≤ h² of the
    true one (|f''| < 2 for every activation here), give or take f''s rounding, a few ulps of 1."""
    act = initcore.ACTIVATIONS[name]
    z = np.linspace(-30, 30, 600_001)
    slopes = act.deriv(z)
    assert slopes.min() >= act.deriv_min
    if act.deriv_min < 0:
        low = z[np.argmin(slopes)]
        fine = np.linspace(low - 1e-4, low + 1e-4, 20_001)
        assert act.deriv(fine).min() == pytest.approx(act.deriv_min, abs=(fine[1] - fine[0]) ** 2 + 4 * EPS)


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_saturated_is_where_the_slope_is_small_in_magnitude(name):
    act = initcore.ACTIVATIONS[name]
    z = np.concatenate([np.random.default_rng(0).normal(0, 4, 10_000), [np.nan, np.inf, -np.inf, 0.0, -0.0]])
    with np.errstate(invalid="ignore"):  # f'(±inf) is NaN for some
        slope = act.deriv(z)
    expected = np.abs(slope) < act.saturated_below
    for scratch in (None, np.empty_like(slope)):
        flags = np.empty(z.shape, dtype=bool)
        assert act.saturated(slope, out=flags, scratch=scratch) is flags
        np.testing.assert_array_equal(flags, expected)


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_float32_in_float32_out_and_no_overflow(name):
    act = initcore.ACTIVATIONS[name]
    z = np.array([-1e30, -50, 0, 50, 1e30], dtype=np.float32)
    with np.errstate(all="raise" if name in ("linear", "relu", "leaky_relu", "sigmoid", "tanh") else "ignore"):
        assert act.fn(z).dtype == np.float32 and act.deriv(z).dtype == np.float32


def test_float32_sigmoid_holds_its_small_values_as_a_framework_s_does():
    """σ(z) in float32 against 1/(1 + e^-z) in float64, for z from -100 to 30: within √eps (float32's) of it
    relatively (half the digits, at worst where the two formulas meet), and 0 only where the value is below float32's
    least subnormal (z < -103). (1 + tanh(z/2))/2 had been exactly 0 from z = -20 (σ(-20) = 2·10⁻⁹), which counted
    44.9 % of a large-weight sigmoid layer as exactly 0 where 29 % are below float32's normal range."""
    z = np.linspace(-100, 30, 130_001).astype(np.float32)
    exact = 1 / (1 + np.exp(-z.astype(np.float64)))
    got = initcore.ACTIVATIONS["sigmoid"].fn(z).astype(np.float64)
    normal = exact >= np.finfo(np.float32).tiny  # below it, subnormals spaced 1.4·10⁻⁴⁵: two roundings (e^z, ÷)
    assert np.all(got > 0) and np.max(np.abs(got / exact - 1)[normal]) < math.sqrt(np.finfo(np.float32).eps)
    assert np.max(np.abs(got - exact)[~normal]) <= 2 * np.finfo(np.float32).smallest_subnormal
    assert initcore.ACTIVATIONS["sigmoid"].fn(np.array([-110.0], np.float32))[0] == 0


def test_gains_follow_pytorch_calculate_gain():
    gains = {name: a.gain for name, a in initcore.ACTIVATIONS.items()}
    assert gains["linear"] == 1 and gains["sigmoid"] == 1 and gains["selu"] == 0.75
    assert gains["tanh"] == pytest.approx(5 / 3)
    assert gains["relu"] == pytest.approx(math.sqrt(2))
    assert gains["leaky_relu"] == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))


@pytest.mark.parametrize("name", ["gelu", "relu", "linear"])
def test_second_moment_gain(name):
    """ELU and GELU use gain = 1/√E[f(z)²], z ~ N(0,1); the rule reproduces ReLU's √2 and linear's 1."""
    second = theory.moments(name, 1.0)[0]
    assert initcore.ACTIVATIONS[name].gain == pytest.approx(1 / math.sqrt(second), rel=1e-9)


def test_elu_gain_closed_form():
    """E[elu(z)²] = 1 + e²Φ(-2) - 2√e Φ(-1) for z ~ N(0, 1)."""
    def phi(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))

    second = 1 + math.e**2 * phi(-2) - 2 * math.sqrt(math.e) * phi(-1)
    assert initcore.ACTIVATIONS["elu"].gain == pytest.approx(1 / math.sqrt(second), rel=1e-12)
    assert theory.moments("elu", 1.0)[0] == pytest.approx(second, rel=1e-4)  # quadrature across the kink


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_recommended_scheme_exists(name):
    assert initcore.ACTIVATIONS[name].recommended in initcore.SCHEMES


def test_source_document_pairings():
    """Xavier for sigmoid and tanh; He for ReLU and its variants."""
    rec = {name: a.recommended for name, a in initcore.ACTIVATIONS.items()}
    assert rec["sigmoid"].startswith("xavier") and rec["tanh"].startswith("xavier")
    assert all(rec[n].startswith("he") for n in ("relu", "leaky_relu", "elu"))


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_slope_from_output_equals_deriv(name):
    act = initcore.ACTIVATIONS[name]
    z = np.linspace(-8, 8, 1001)
    np.testing.assert_allclose(act.slope(z, act.fn(z)), act.deriv(z), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(initcore.ACTIVATIONS))
def test_out_buffers_are_filled_and_the_input_kept(name):
    """The simulation reuses buffers: fn, deriv and slope write into ``out`` and leave z alone."""
    act = initcore.ACTIVATIONS[name]
    z = np.linspace(-5, 5, 101, dtype=np.float32)
    before = z.copy()
    a = act.fn(z)
    for got, expected in (
        (lambda out: act.fn(z, out=out), a),
        (lambda out: act.deriv(z, out=out), act.deriv(z)),
        (lambda out: act.slope(z, a, out=out), act.slope(z, a)),
    ):
        out = np.full_like(z, np.nan)
        assert got(out) is out
        np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(z, before)


def test_only_relu_switches_a_unit_off():
    """Exactly 0 for every negative input: ReLU alone. Sigmoid and GELU are tiny there, leaky ReLU, ELU and SELU
    negative: the notes that speak of units switched off name only it."""
    assert [name for name, act in initcore.ACTIVATIONS.items() if act.switches_off] == ["relu"]
