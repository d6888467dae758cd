"""Gaussian expectations E[h(z)], z ~ N(0, σ²), for many σ at once: the quadrature behind ``initcore.theory``.

Each half-line z > 0 is cut into panels and each panel gets a Gauss–Legendre rule of ``PANEL_NODES`` nodes,
with the Gaussian density folded into the weights:

    E[h(z)] = Σ_panels Σ_j w_j · (h(z_j) + h(-z_j))

Panels are at most σ/2 wide, where the Gaussian bends, and end at 10σ, beyond which lies under 10⁻²² of the
mass. Near 0 they also end at the points where activations bend (¼ to 16): tanh' is a bump of width 1,
however wide the Gaussian. Integrating each side of 0 on its own lets h have a corner or a jump at 0
(ELU's f'' and SELU's f'). The error is about 10⁻¹² relative at every σ (the tests in ``test_theory`` check
it against closed forms and an independent Simpson rule).

Every σ gets the same number of panels: bends beyond 10σ are moved onto 10σ, where their panels have no
width and no weight, so one array holds the nodes of many σ and one call evaluates h on all of them.

``pair_expectations`` takes E[g(u₁) h(u₂)] of a correlated pair the same way, one variable inside the other.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

PANEL_NODES = 20  # Gauss–Legendre nodes per panel
_GAUSS_SPAN = np.linspace(0.0, 10.0, 21)  # panel edges in units of σ
_BENDS = np.array([0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 12, 16])  # where activations bend


@cache
def _legendre(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(nodes)


def _panels(edges: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights, ``nodes`` a panel, on the panels between consecutive ``edges`` (sorted along
    the last axis), shaped ``edges.shape[:-1] + (panels·nodes,)``."""
    x, w = _legendre(nodes)
    half, middle = np.diff(edges) / 2, (edges[..., 1:] + edges[..., :-1]) / 2
    points = (middle[..., None] + half[..., None] * x).reshape(*edges.shape[:-1], half.shape[-1] * x.size)
    return points, (half[..., None] * w).reshape(points.shape)


def half_lines(sigmas: np.ndarray, marks: np.ndarray = _BENDS,
               per_panel: int = PANEL_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z > 0 and weights w, each shaped ``sigmas.shape + (nodes,)``, with Σ w·(h(z) + h(-z)) ≈ E[h(z)]
    for z ~ N(0, σ²) and each σ > 0 of ``sigmas``; the panels are cut also at each of ``marks`` below 10σ (the
    bends, unless told otherwise), with ``per_panel`` Gauss–Legendre nodes each."""
    sigma = np.asarray(sigmas, dtype=float)[..., None]
    cuts = np.minimum(np.broadcast_to(marks, (*sigma.shape[:-1], len(marks))), 10.0 * sigma)
    edges = np.sort(np.concatenate([sigma * _GAUSS_SPAN, cuts], axis=-1), axis=-1)
    nodes, weights = _panels(edges, per_panel)
    weights = weights * np.exp(-0.5 * (nodes / sigma) ** 2)
    return nodes, weights / (sigma * np.sqrt(2 * np.pi))


PAIR_NODES = 8  # Gauss–Legendre nodes per panel of ``pair_expectations``, in each variable
_CORNER_SPAN = 2.0 ** np.arange(-2, 6)  # panel edges of u₁ near 0, in units of the spread of c·u₁ that turns a corner
_INNER_SPAN = np.linspace(-10.0, 10.0, 21)  # panel edges of the standard normal y


def pair_expectations(pairs, q: float, c: float) -> list[float]:
    """E[g(u₁)·h(u₂)] for each (g, h) of ``pairs``, where (u₁, u₂) ~ N(0, q·[[1, c], [c, 1]]), q > 0, 0 ≤ c < 1.

    Given u₁, u₂ = c·u₁ + s·y with s = √(q(1 − c²)) and y ~ N(0, 1): the inner expectation over y is taken on panels
    of y at most 1 wide over ±10, cut where u₂ crosses 0 (where an activation has its corner, or its slope a jump)
    or one of the bends; the outer one over u₁ on the half-lines' panels (``half_lines``), cut also at 2^k·s/c near 0,
    where the inner expectation turns across u₂'s corner within a few spreads s of it. Near the edge of chaos c
    lies within 10⁻⁴ of 1 and s is a hundredth of √q: panels of √q/2 alone would step over that turn.
    """
    spread = math.sqrt(q * (1 - c * c))
    corner = _CORNER_SPAN * spread / c if c > 0 else np.empty(0)
    z, w = half_lines(np.array(math.sqrt(q)), np.concatenate([_BENDS, corner]), PAIR_NODES)
    outer, outer_weights = np.concatenate([z, -z]), np.concatenate([w, w])
    mean = c * outer
    marks = np.concatenate([[0.0], _BENDS, -_BENDS])
    cuts = np.clip((marks - mean[:, None]) / spread, _INNER_SPAN[0], _INNER_SPAN[-1])
    y, inner_weights = _panels(np.sort(np.hstack([np.broadcast_to(_INNER_SPAN, (outer.size, _INNER_SPAN.size)), cuts]),
                                       axis=1), PAIR_NODES)
    inner_weights *= np.exp(-0.5 * y * y) / math.sqrt(2 * math.pi)
    inner = mean[:, None] + spread * y
    return [float(np.sum(outer_weights * g(outer) * np.sum(inner_weights * h(inner), axis=1))) for g, h in pairs]


def expectations(h, sigmas: np.ndarray) -> np.ndarray:
    """E[h(z)] for z ~ N(0, σ²) and each σ > 0 of ``sigmas`` (h is applied elementwise to an array of nodes)."""
    z, w = half_lines(sigmas)
    return np.sum(w * (h(z) + h(-z)), axis=-1)
