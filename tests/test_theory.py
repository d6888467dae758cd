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
    """Near 0, ELU is z on both sides and SELU λz or λαz, so E[f(z)²]/q tends to 1 and λ²(1 + α²)/2 (the next
    terms are O(√q)). The trapezoid rule gets it within its step² (step = 20σ/4000), at any scale: a signal
    faded to 10⁻⁶⁰ is not read as 10⁻⁴⁸."""
    from initcore.activations import SELU_ALPHA, SELU_SCALE

    step_squared = (20 / 4000) ** 2
    assert theory.moments("elu", q)[0] / q == pytest.approx(1.0, rel=step_squared)
    assert theory.moments("selu", q)[0] / q == pytest.approx(SELU_SCALE**2 * (1 + SELU_ALPHA**2) / 2, rel=step_squared)


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
