"""Argument checks shared by the engine: every bad input becomes a ValueError that says what is allowed."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise naming every allowed value."""
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r}; expected one of {allowed}")
    return value


def integer(name: str, value: object, low: int, high: int) -> int:
    """Return ``value`` as an int if it is a whole number in [low, high]."""
    # numbers.Real: numpy's integers and floats too (np.int64(5), as a notebook's arithmetic gives them); not bools
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not float(value).is_integer():
        raise ValueError(f"{name}={value!r}; expected a whole number from {low} to {high}")
    if not low <= value <= high:
        raise ValueError(f"{name}={value!r}; expected a whole number from {low} to {high}")
    return int(value)


def real(name: str, value: object, low: float, high: float, *, low_open: bool = False) -> float:
    """Return ``value`` as a finite float in [low, high] (or (low, high] when ``low_open``)."""
    bracket = "(" if low_open else "["
    message = f"{name}={value!r}; expected a finite number in {bracket}{low:g}, {high:g}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(message)
    value = float(value)
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise ValueError(message)
    return value


def generator(name: str, value: object) -> np.random.Generator:
    """Return ``value`` if it is a numpy Generator (``np.random.default_rng(seed)``): randomness is an argument."""
    if not isinstance(value, np.random.Generator):
        raise ValueError(f"{name}={value!r}; expected a numpy Generator, np.random.default_rng(seed)")
    return value


def dtype(value: object, allowed: Iterable[str] = ("float32", "float64")) -> np.dtype:
    """``value`` as one of the ``allowed`` numpy float types."""
    try:
        name = np.dtype(value).name
    except TypeError:
        name = str(value)
    return np.dtype(choice("dtype", name, allowed))
