"""Weight distributions of the schemes, for the side-by-side picture: binned samples and exact densities.

Two views of the same weights: w itself, and u = log10|w|, which puts σ = 0.01 and σ = 10 on one axis.
Densities transform by the change of variables |dw/du| = |w|·ln 10 (both signs of w fold onto one u):

    normal N(0, σ²):   p(u) = 2·|w|·ln10 · φ(w/σ)/σ,     w = 10^u
    uniform U(-L, L):  p(u) = |w|·ln10 / L  for |w| < L
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from initcore import _validate
from initcore.schemes import SCHEMES, get_scheme, init_weights

BINS = 80
MIN_WEIGHTS = 1 << 14  # a histogram of fewer weights is mostly noise: small layers are drawn several times


def _support(scheme: str, fan_in: int, fan_out: int, params: dict) -> tuple[str, float]:
    """(noise, σ or L) of a scheme's weights: the width of its density."""
    chosen = get_scheme(scheme)
    p = chosen.resolve(**params)
    noise = chosen.noise_for(p)
    return noise, abs(chosen.multiplier(fan_in, fan_out, p))


def density(scheme: str, fan_in: int, fan_out: int, x: np.ndarray, *, log: bool = False, **params) -> np.ndarray:
    """Exact density of one weight at ``x`` (or at u = ``x`` = log10|w| when ``log``); NaN if it has none.

    Orthogonal weights have no simple closed form, and constant weights are a point mass: NaN for both.
    """
    noise, c = _support(scheme, fan_in, fan_out, params)
    x = np.asarray(x, dtype=float)
    w = 10.0**x if log else x
    with np.errstate(all="ignore"):
        if noise == "normal":
            pdf = np.exp(-0.5 * (w / c) ** 2) / (c * math.sqrt(2 * math.pi))
        elif noise == "truncated_normal":  # c·B, B ~ N(0, 1) conditioned on |B| < 2
            pdf = np.where(np.abs(w) < 2 * c, np.exp(-0.5 * (w / c) ** 2) / (c * math.sqrt(2 * math.pi)), 0.0)
            pdf /= math.erf(2 / math.sqrt(2))
        elif noise == "uniform":
            pdf = np.where(np.abs(w) <= c, 1 / (2 * c), 0.0)
        else:
            return np.full(x.shape, np.nan)
    return pdf * 2 * np.abs(w) * math.log(10) if log else pdf


def density_grid(scheme: str, fan_in: int, fan_out: int, low: float, high: float, points: int = 200, *,
                 log: bool = False, **params) -> np.ndarray:
    """Where to evaluate ``density`` to draw it from ``low`` to ``high``: ``points`` evenly spaced, and where a
    bounded draw's density jumps (at ±L, or at log10 L on the log10|w| axis) a point a hair (10⁻⁴ of the span)
    inside the edge and one a hair outside, so that a line through them rises to the edge's value and drops
    straight down. Evenly spaced alone, a uniform's log10|w| density (10^u ln 10 / L, peaking at ln 10 ≈ 2.30 at
    the edge) stopped a step short of it, at about 2.2."""
    grid = np.linspace(low, high, points)
    bound = get_scheme(scheme).bounds(fan_in, fan_out, **params)
    if not bound or _support(scheme, fan_in, fan_out, params)[0] not in ("uniform", "truncated_normal"):
        return grid
    hair = 1e-4 * (high - low)
    edges = [(math.log10(bound), 1.0)] if log else [(-bound, -1.0), (bound, 1.0)]  # each edge, and its outward side
    beside = [edge + side * hair for edge, outward in edges for side in (-outward, outward)]
    return np.union1d(grid, [x for x in beside if low < x < high])


def _default_edges(values: np.ndarray, log: bool) -> np.ndarray:
    """``BINS`` bins over the values: symmetric about 0 for w, from the least to the largest for log10|w|.

    A point mass (the zeros and constant schemes) has no spread: it gets a window one unit wide around it.
    """
    if not values.size:  # log10|w| of an all-zero matrix: nothing to bin
        return np.linspace(-1.0, 1.0, BINS + 1)
    reach = float(np.max(np.abs(values)))
    low, high = (float(values.min()), float(values.max())) if log else (-reach, reach)
    if high == low:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, BINS + 1)


def matrices_to_bin(fan_in: int, fan_out: int) -> int:
    """How many independent (fan_in, fan_out) matrices give a histogram at least ``MIN_WEIGHTS`` weights:
    one for a layer of that size or more, several for a small one (a 1 × 1 layer is a single weight)."""
    return max(1, -(-MIN_WEIGHTS // (fan_in * fan_out)))


def sample_histogram(scheme: str, fan_in: int, fan_out: int, *, seed: int = 0, log: bool = False,
                     edges: np.ndarray | None = None, **params):
    """Draw ``matrices_to_bin`` independent (fan_in, fan_out) matrices (one unless the layer is small) and bin
    their weights; returns (edges, density) — never the raw samples."""
    weights = init_weights(scheme, fan_in, fan_out, np.random.default_rng(seed), dtype=np.float64,
                           matrices=matrices_to_bin(fan_in, fan_out), **params).ravel()
    values = np.log10(np.abs(weights[weights != 0])) if log else weights
    counts, edges = np.histogram(values, bins=_default_edges(values, log) if edges is None else edges)
    widths = np.diff(edges)
    return edges, counts / max(weights.size, 1) / widths


def scheme_table(schemes, fan_in: int, fan_out: int, params: dict[str, dict] | None = None) -> pd.DataFrame:
    """σ, σ², the support bound and the formula of each scheme for these fans."""
    fan_in = _validate.integer("fan_in", fan_in, 1, 1 << 16)
    fan_out = _validate.integer("fan_out", fan_out, 1, 1 << 16)
    params = params or {}
    rows = []
    for scheme in schemes:
        chosen = SCHEMES[scheme]
        p = params.get(scheme, {})
        std = chosen.std(fan_in, fan_out, **p)
        bound = chosen.bounds(fan_in, fan_out, **p)
        rows.append(dict(scheme=chosen.label, sigma=std, variance=std**2,
                         bound=bound if bound is not None else float("nan"), formula=chosen.formula(**p)))
    return pd.DataFrame(rows)

