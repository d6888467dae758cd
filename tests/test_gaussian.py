"""The Box–Muller float32 draws against N(0, 1). Each tolerance is 5 standard errors of its estimate for
the sample size (a false alarm about once in 3.5 million checks), unless a line says otherwise."""

import math

import numpy as np
import pytest

from initcore.gaussian import BLOCK_PAIRS, standard_normal

N = 1 << 22
Z = 5.0


@pytest.fixture(scope="module")
def draws() -> np.ndarray:
    return standard_normal(np.random.default_rng(11), np.empty(N, dtype=np.float32)).astype(np.float64)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_moments(draws):
    # E x = 0, E x² = 1, E x⁴ = 3 with Var x = 1, Var x² = 2, Var x⁴ = E x⁸ − 9 = 105 − 9 = 96.
    assert abs(draws.mean()) <= Z * math.sqrt(1 / N)
    assert abs((draws**2).mean() - 1) <= Z * math.sqrt(2 / N)
    assert abs((draws**4).mean() - 3) <= Z * math.sqrt(96 / N)


def test_histogram_fits_the_normal_density(draws):
    """Pearson's χ² over 80 bins on ±4 plus both tails: 81 degrees of freedom, mean 81, sd √162.

    P(χ²₈₁ > 81 + 5·√162 ≈ 145) ≈ 1e-5.
    """
    edges = np.linspace(-4, 4, 81)
    observed = np.concatenate([[np.sum(draws < -4)], np.histogram(draws, edges)[0], [np.sum(draws >= 4)]])
    cdf = np.array([0.0, *map(normal_cdf, edges), 1.0])
    expected = N * np.diff(cdf)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    dof = len(observed) - 1
    assert chi2 <= dof + Z * math.sqrt(2 * dof)


@pytest.mark.parametrize("level", [3.0, 4.0, 5.0])
def test_tails(draws, level):
    """The count beyond ±level is binomial(N, p): within 5 sd of N·p (sd ≈ √(N·p))."""
    p = 2 * normal_cdf(-level)
    assert abs(np.sum(np.abs(draws) > level) - N * p) <= Z * math.sqrt(N * p) + 1


def test_largest_value_is_bounded_as_documented(draws):
    assert np.abs(draws).max() <= math.sqrt(66 * math.log(2))


def test_the_two_values_of_a_pair_are_independent(draws):
    """Each block holds its cosines then its sines: x_j and y_j share one radius. Independent standard
    normals have E[xy] = 0 (sd 1 per pair) and E[x²y²] = 1 (Var = E x⁴·E y⁴ − 1 = 8 per pair)."""
    blocks = draws.reshape(-1, 2, BLOCK_PAIRS)
    x, y = blocks[:, 0, :].ravel(), blocks[:, 1, :].ravel()
    pairs = x.size
    assert abs((x * y).mean()) <= Z * math.sqrt(1 / pairs)
    assert abs((x * x * y * y).mean() - 1) <= Z * math.sqrt(8 / pairs)


@pytest.mark.parametrize("size", [1, 2, 3, 2 * BLOCK_PAIRS - 1, 2 * BLOCK_PAIRS + 1, 5 * BLOCK_PAIRS + 3])
def test_every_entry_is_written_whatever_the_size(size):
    out = np.full(size, np.nan, dtype=np.float32)
    standard_normal(np.random.default_rng(0), out)
    assert np.isfinite(out).all()


def test_fills_a_matrix_in_place_and_is_reproducible():
    first = np.empty((300, 7), dtype=np.float32)
    assert standard_normal(np.random.default_rng(5), first) is first
    second = standard_normal(np.random.default_rng(5), np.empty((300, 7), dtype=np.float32))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, standard_normal(np.random.default_rng(6), np.empty((300, 7), np.float32)))


def test_float64_keeps_numpys_ziggurat():
    ours = standard_normal(np.random.default_rng(3), np.empty(1000))
    np.testing.assert_array_equal(ours, np.random.default_rng(3).standard_normal(1000))


def test_a_strided_array_is_refused_rather_than_silently_left_unfilled():
    with pytest.raises(ValueError, match="C-contiguous"):
        standard_normal(np.random.default_rng(0), np.empty((8, 8), dtype=np.float32)[:, ::2])
