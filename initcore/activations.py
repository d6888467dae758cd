"""Activation functions, each with its derivative beside it and its gain on the record.

``gain`` follows PyTorch's ``calculate_gain``: linear and sigmoid 1, tanh 5/3, ReLU √2,
leaky ReLU √(2/(1+a²)), SELU 3/4. A scheme multiplies its variance by gain² (``std = gain/√fan``).

PyTorch defines no gain for ELU or GELU. For those two we use the *second-moment gain*

    gain = 1 / √E[f(z)²],   z ~ N(0, 1)

the value that makes a unit-variance pre-activation a fixed point of the variance recursion
Var z_{l+1} = n·Var(W)·E[f(z_l)²] when Var(W) = gain²/n. It reproduces the table where the table
follows from this rule (√2 for ReLU, 1 for linear, √(2/(1+a²)) for leaky ReLU) and it is what a user
who wants "the He recipe for my activation" needs. ELU has a closed form,
E[elu(z)²] = 1 + e²Φ(-2) - 2√e·Φ(-1) = 0.6449454 → gain 1.2451983; GELU by Gauss–Hermite quadrature,
E[gelu(z)²] = 0.4251937 → gain 1.5335805 (both tested).

GELU uses the tanh form 0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³))) (Hendrycks & Gimpel 2016; PyTorch's
``approximate="tanh"``): numpy has no ``erf``, and the two differ by less than 5e-4 everywhere.

``homogeneous`` holds (E[f(z)²]/q, E[f'(z)²]) for z ~ N(0, q) when both are independent of q — true for the
positively homogeneous activations (linear, ReLU, leaky ReLU), whose variance recursion is then exact
(He et al. 2015, eqs. 10 and 14). Others go through Gauss–Hermite quadrature in ``initcore.theory``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from initcore import _validate

LEAKY_SLOPE = 0.01
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
GELU_C = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715


@dataclass(frozen=True)
class Activation:
    id: str
    label: str
    latex: str
    fn: Callable[[np.ndarray], np.ndarray]
    deriv: Callable[[np.ndarray], np.ndarray]
    gain: float
    recommended: str  # scheme id
    deriv_max: float  # max |f'(z)| over z; "saturated" means |f'(z)| < 0.05 of this
    homogeneous: tuple[float, float] | None = None
    deriv_from_output: Callable[[np.ndarray], np.ndarray] | None = None  # f' written in terms of a = f(z)
    smooth: bool = True  # f and f' smooth at 0 (ELU's f' has a corner there, SELU's a jump): see theory.moments

    def slope(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z), reusing a = f(z) where that is cheaper (tanh: 1 - a², sigmoid: a(1 - a))."""
        return self.deriv(z) if self.deriv_from_output is None else self.deriv_from_output(a)


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))  # = 1/(1+e^-z) with no overflow for large |z|


def _sigmoid_deriv(z):
    s = _sigmoid(z)
    return s * (1 - s)


def _tanh_deriv(z):
    return 1 - np.tanh(z) ** 2


def _relu(z):
    return np.maximum(z, 0)


def _relu_deriv(z):
    return (z > 0).astype(z.dtype)


def _leaky_relu(z):
    return np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))


def _leaky_relu_deriv(z):
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def _elu_deriv(z):
    return np.where(z > 0, z.dtype.type(1), np.exp(np.minimum(z, 0)))


def _selu(z):
    return z.dtype.type(SELU_SCALE) * np.where(z > 0, z, z.dtype.type(SELU_ALPHA) * np.expm1(np.minimum(z, 0)))


def _selu_deriv(z):
    scale = z.dtype.type(SELU_SCALE)
    return np.where(z > 0, scale, scale * z.dtype.type(SELU_ALPHA) * np.exp(np.minimum(z, 0)))


def _gelu_inner(z):
    return z.dtype.type(GELU_C) * (z + z.dtype.type(GELU_CUBIC) * z**3)


def _gelu(z):
    return 0.5 * z * (1 + np.tanh(_gelu_inner(z)))


def _gelu_deriv(z):
    t = np.tanh(_gelu_inner(z))
    du = z.dtype.type(GELU_C) * (1 + z.dtype.type(3 * GELU_CUBIC) * z**2)
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du


def _identity(z):
    return z


def _one(z):
    return np.ones_like(z)


_LEAKY_MOMENT = (1 + LEAKY_SLOPE**2) / 2

_ALL_ACTIVATIONS = [
    Activation("linear", "Linear (identity)", r"f(z) = z", _identity, _one, 1.0, "lecun_normal", 1.0, (1.0, 1.0)),
    Activation("sigmoid", "Sigmoid", r"f(z) = \frac{1}{1 + e^{-z}}", _sigmoid, _sigmoid_deriv, 1.0,
               "xavier_normal", 0.25, deriv_from_output=lambda a: a * (1 - a)),
    Activation("tanh", "Tanh", r"f(z) = \tanh z", np.tanh, _tanh_deriv, 5.0 / 3.0, "xavier_normal", 1.0,
               deriv_from_output=lambda a: 1 - a * a),
    Activation("relu", "ReLU", r"f(z) = \max(0, z)", _relu, _relu_deriv, math.sqrt(2.0), "he_normal", 1.0,
               (0.5, 0.5)),
    Activation("leaky_relu", "Leaky ReLU (a = 0.01)", r"f(z) = \max(0.01 z, z)", _leaky_relu, _leaky_relu_deriv,
               math.sqrt(2.0 / (1 + LEAKY_SLOPE**2)), "he_normal", 1.0, (_LEAKY_MOMENT, _LEAKY_MOMENT)),
    Activation("elu", "ELU (α = 1)", r"f(z) = z \text{ if } z > 0 \text{ else } e^{z} - 1", _elu, _elu_deriv,
               1.2451983007007066, "he_normal", 1.0, smooth=False),
    Activation("selu", "SELU", r"f(z) = \lambda\,(z \text{ if } z > 0 \text{ else } \alpha(e^{z} - 1))", _selu,
               _selu_deriv, 0.75, "lecun_normal", SELU_SCALE * SELU_ALPHA, smooth=False),
    Activation("gelu", "GELU (tanh form)", r"f(z) = \tfrac{z}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715 z^3)"
               r"\right)\right)", _gelu, _gelu_deriv, 1.5335805216661464, "he_normal", 1.128993068655481),
]

ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({a.id: a for a in _ALL_ACTIVATIONS})


def get_activation(activation: str) -> Activation:
    return ACTIVATIONS[_validate.choice("activation", activation, ACTIVATIONS)]
