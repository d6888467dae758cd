"""Toy two-class data sets in the plane, one signature, one registry.

Every maker is ``make(n, *, noise, rng) -> (X, y)`` with ``X`` float64 shaped (n, 2), roughly inside
[-1.5, 1.5]², and ``y`` int shaped (n,) with ⌈n/2⌉ points of class 0 and ⌊n/2⌋ of class 1, shuffled.
``noise`` is the standard deviation of Gaussian jitter added to every coordinate. As in scikit-learn's
``make_moons``, the only randomness is the ``rng`` passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from initcore import _validate

N_RANGE = (4, 5000)
NOISE_RANGE = (0.0, 1.0)


def _assemble(class0: np.ndarray, class1: np.ndarray, noise: float, rng: np.random.Generator):
    X = np.concatenate([class0, class1])
    y = np.concatenate([np.zeros(len(class0), dtype=np.int64), np.ones(len(class1), dtype=np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def _counts(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def moons(n: int, *, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (scikit-learn's ``make_moons``), centred on the origin."""
    n0, n1 = _counts(n)
    t0, t1 = np.pi * rng.random(n0), np.pi * rng.random(n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    offset = np.array([0.5, 0.25])
    return _assemble(upper - offset, lower - offset, noise, rng)


def circles(n: int, *, noise: float, rng: np.random.Generator):
    """A ring of radius 1 around a disc-edge of radius 0.5: not separable by any line."""
    n0, n1 = _counts(n)
    t0, t1 = 2 * np.pi * rng.random(n0), 2 * np.pi * rng.random(n1)
    return _assemble(np.column_stack([np.cos(t0), np.sin(t0)]), 0.5 * np.column_stack([np.cos(t1), np.sin(t1)]),
                     noise, rng)


def xor(n: int, *, noise: float, rng: np.random.Generator):
    """Class 1 in the first and third quadrants, class 0 in the second and fourth."""
    n0, n1 = _counts(n)

    def quadrants(count, signs):
        points = rng.uniform(0.1, 1.0, size=(count, 2))
        return points * np.asarray(signs)[rng.integers(0, 2, count)]

    return _assemble(quadrants(n0, [[-1, 1], [1, -1]]), quadrants(n1, [[1, 1], [-1, -1]]), noise, rng)


def spirals(n: int, *, noise: float, rng: np.random.Generator):
    """Two interleaved spirals, each turning 1.75 times around the origin."""
    n0, n1 = _counts(n)

    def arm(count, phase):
        t = np.sqrt(rng.random(count))  # uniform along the arm's area, not its angle
        angle = 3.5 * np.pi * t + phase
        return 1.4 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])

    return _assemble(arm(n0, 0.0), arm(n1, np.pi), noise, rng)


def blobs(n: int, *, noise: float, rng: np.random.Generator):
    """Two Gaussian clusters: linearly separable, the easiest set (a sanity check)."""
    n0, n1 = _counts(n)
    spread = 0.35
    return _assemble(spread * rng.standard_normal((n0, 2)) - 0.6, spread * rng.standard_normal((n1, 2)) + 0.6,
                     noise, rng)


def _checked(maker: Callable) -> Callable:
    """``maker`` with its arguments checked: a whole n in ``N_RANGE``, a finite noise in ``NOISE_RANGE`` and a numpy
    Generator, each else a ValueError (a NaN noise had given NaN points, a seed for ``rng`` an AttributeError)."""
    @functools.wraps(maker)
    def make(n: int, *, noise: float, rng: np.random.Generator):
        return maker(_validate.integer("n", n, *N_RANGE), noise=_validate.real("noise", noise, *NOISE_RANGE),
                     rng=_validate.generator("rng", rng))
    return make


DATASETS: Mapping[str, Callable] = MappingProxyType(
    {name: _checked(maker) for name, maker in
     {"moons": moons, "circles": circles, "xor": xor, "spirals": spirals, "blobs": blobs}.items()})


def make_dataset(dataset: str, n: int, *, noise: float, rng: np.random.Generator):
    """A registered data set by its name, its arguments checked."""
    return DATASETS[_validate.choice("dataset", dataset, DATASETS)](n, noise=noise, rng=rng)


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator):
    """Split keeping the class balance: the same share of each class goes to the test set."""
    test_fraction = _validate.real("test_fraction", test_fraction, 0.0, 0.9)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[: int(round(test_fraction * len(members)))]] = True
    return X[~test], y[~test], X[test], y[test]
