"""Activation functions, each with its derivative beside it and its gain on the record.

``gain`` follows PyTorch's ``calculate_gain``: linear and sigmoid 1, tanh 5/3, ReLU √2,
leaky ReLU √(2/(1+a²)), SELU 3/4. A scheme multiplies its variance by gain² (``std = gain/√fan``).

PyTorch defines no gain for ELU or GELU. For those two we use the *second-moment gain*

    gain = 1 / √E[f(z)²],   z ~ N(0, 1)

the value that makes a unit-variance pre-activation a fixed point of the variance recursion
Var z_{l+1} = n·Var(W)·E[f(z_l)²] when Var(W) = gain²/n. It reproduces the table where the table
follows from this rule (√2 for ReLU, 1 for linear, √(2/(1+a²)) for leaky ReLU) and it is what a user
who wants "the He recipe for my activation" needs. ELU has a closed form,
E[elu(z)²] = 1 + e²Φ(-2) - 2√e·Φ(-1) = 0.6449454 → gain 1.2451983; GELU by quadrature,
E[gelu(z)²] = 0.4251937 → gain 1.5335805 (both tested).

GELU uses the tanh form 0.5·z·(1 + tanh(√(2/π)(z + 0.044715 z³))) (Hendrycks & Gimpel 2016; PyTorch's
``approximate="tanh"``): numpy has no ``erf``, and the two differ by less than 5e-4 everywhere.

``homogeneous`` holds (E[f(z)²]/q, E[f'(z)²]) for z ~ N(0, q) when both are independent of q — true for the
positively homogeneous activations (linear, ReLU, leaky ReLU), whose variance recursion is then exact
(He et al. 2015, eqs. 10 and 14). Others go through quadrature in ``initcore.theory``.
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


SATURATION = 0.05  # a unit is saturated where |f'(z)| < 5 % of the activation's largest slope


@dataclass(frozen=True)
class Activation:
    id: str
    label: str
    latex: str
    fn: Callable[..., np.ndarray]  # fn(z, out=None), like a ufunc
    deriv: Callable[..., np.ndarray]  # deriv(z, out=None)
    gain: float
    recommended: str  # scheme id
    deriv_max: float  # max |f'(z)| over z
    homogeneous: tuple[float, float] | None = None
    deriv_from_output: Callable[..., np.ndarray] | None = None  # f' in terms of a = f(z): (a, out=None)
    deriv_min: float = 0.0  # a lower bound of f'(z) over z, its minimum where that is below 0 (GELU)

    @property
    def switches_off(self) -> bool:
        """Whether a unit is exactly 0 for every negative input, f(z) = 0 for z < 0 (ReLU): switched off. Sigmoid and
        GELU are tiny there, not 0 (float32 may round them to 0 far below it); leaky ReLU, ELU and SELU are not."""
        return bool(self.fn(np.array([-1.0]))[0] == 0)

    @property
    def straight(self) -> bool:
        """Whether f is a straight line through 0, f(z) = f(1)·z (linear): a network of such layers is one linear
        map of its input, so the boundary it draws between two classes can only be a straight line."""
        z = np.array([-3.0, -1.0, 0.5, 2.0])
        return bool(np.allclose(self.fn(z), self.fn(np.array([1.0]))[0] * z, rtol=1e-12, atol=0))

    @property
    def merges_inputs(self) -> bool:
        """Whether f gives a layer's units a mean over the inputs that is not 0 and does not scale with the signal
        (sigmoid's ½; ELU's, SELU's and GELU's, which bend differently on each side): carried up through the
        weights, it is the same for every input and can hold Var z up while the part that tells inputs apart
        vanishes. Odd activations (linear, tanh) have no such mean; ReLU's and leaky ReLU's is a fixed share of
        the signal's scale, and draws inputs together only polynomially (1 − c_l ~ 1/l² under He)."""
        z = np.array([0.3, 1.0, 2.5])
        odd = np.allclose(self.fn(-z), -self.fn(z), rtol=1e-12, atol=0)
        return not odd and self.homogeneous is None

    @property
    def ends(self) -> tuple[float, float]:
        """f far out on either side, f(-50) and f(50): tanh's -1 and 1, sigmoid's 0 and 1, ReLU's 0 and 50."""
        low, high = self.fn(np.array([-50.0, 50.0]))
        return float(low), float(high)

    @property
    def bounded(self) -> bool:
        """Whether f is flat at both ends, within [-1, 1] however large |z| (tanh, sigmoid): a large input pins a unit
        on one of its flat ends, where it passes almost no gradient, instead of making its output large."""
        return all(abs(end) <= 1 for end in self.ends)

    @property
    def saturated_below(self) -> float:
        """A unit is saturated where |f'(z)| is below this: ``SATURATION`` of the largest slope."""
        return SATURATION * self.deriv_max

    def saturated(self, slope: np.ndarray, out: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
        """Where |f'(z)| < ``saturated_below``, into the bool array ``out``, from ``slope`` = f'(z): one comparison
        where f' is never negative, and |f'| taken first (into ``scratch``, if given) where it dips below 0."""
        magnitude = slope if self.deriv_min >= 0 else np.abs(slope, out=scratch)
        return np.less(magnitude, self.saturated_below, out=out)

    def slope(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """f'(z), reusing a = f(z) where that is cheaper (tanh: 1 - a², sigmoid: a(1 - a))."""
        return self.deriv(z, out) if self.deriv_from_output is None else self.deriv_from_output(a, out)


# Every f and f' below is ufunc-like: ``fn(z, out=None)`` writes into ``out`` (a fresh array when None, never
# ``z`` itself) with in-place steps, so the simulation's hot loop can reuse its buffers. Their constants are
# floats (0.0, not 0): numpy takes an int scalar through a slower conversion at each call, a quarter of a ReLU
# on a training step's 32 × 64 layer.


def _buffer(z, out):
    return np.empty_like(z) if out is None else out


def _identity(z, out=None):
    out = _buffer(z, out)
    np.copyto(out, z)
    return out


def _one(z, out=None):
    out = _buffer(z, out)
    out.fill(1)
    return out


# Below this z, float32's 1 + tanh(z/2) ≈ 2e^z has lost half its digits to cancellation, and from z ≈ -20 all of them
# (exactly 0): ln(√eps / 2). Training's float64 keeps every digit down to z ≈ -18.7 and reaches 0 only below -38,
# where σ < 3·10⁻¹⁷; its runs are left as they were.
_SIGMOID_TAIL = {np.dtype(np.float32): float(np.log(np.sqrt(np.finfo(np.float32).eps) / 2))}


def _sigmoid(z, out=None):
    """1/(1 + e^-z) computed as (1 + tanh(z/2))/2, which cannot overflow for large |z|; and as e^z/(1 + e^z) where z
    lies so far below 0 that 1 + tanh(z/2) would cancel (``_SIGMOID_TAIL``): σ(-21) is 7.6·10⁻¹⁰, which float32 holds
    and a framework's sigmoid gives, where (1 + tanh(-10.5))/2 is exactly 0 in float32."""
    reach = _SIGMOID_TAIL.get(z.dtype)  # float32's; float64 (training's every step) pays no pass for it
    tail = None if reach is None else z < reach
    far = tail is not None and tail.any()
    if far:
        with np.errstate(under="ignore"):  # e^z below float32's least number is 0, as it should be
            below = np.exp(z[tail])
        below /= 1 + below
    out = np.multiply(z, z.dtype.type(0.5), out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= z.dtype.type(0.5)
    if far:
        out[tail] = below
    return out


def _sigmoid_slope_from_output(a, out=None):
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def _sigmoid_deriv(z, out=None):
    return _sigmoid_slope_from_output(_sigmoid(z), out)


def _tanh_slope_from_output(a, out=None):
    out = np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _tanh_deriv(z, out=None):
    return _tanh_slope_from_output(np.tanh(z), out)


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def _relu_deriv(z, out=None):
    return np.greater(z, 0.0, out=_buffer(z, out))


def _leaky_relu(z, out=None):
    """max(z, a·z) for the slope a < 1."""
    out = np.multiply(z, z.dtype.type(LEAKY_SLOPE), out=out)
    return np.maximum(z, out, out=out)


def _leaky_relu_deriv(z, out=None):
    out = np.greater(z, 0.0, out=_buffer(z, out))
    out *= z.dtype.type(1 - LEAKY_SLOPE)
    out += z.dtype.type(LEAKY_SLOPE)
    return out


def _elu(z, out=None):
    """max(z, e^min(z, 0) - 1): e^z - 1 ≥ z for every z, with equality only at 0."""
    out = np.minimum(z, 0, out=out)
    np.expm1(out, out=out)
    return np.maximum(z, out, out=out)


def _elu_deriv(z, out=None):
    """e^min(z, 0): e^z below 0, 1 above."""
    out = np.minimum(z, 0, out=out)
    return np.exp(out, out=out)


def _selu(z, out=None):
    out = np.minimum(z, 0, out=out)
    np.expm1(out, out=out)
    out *= z.dtype.type(SELU_ALPHA)
    np.copyto(out, z, where=z > 0)
    out *= z.dtype.type(SELU_SCALE)
    return out


def _selu_deriv(z, out=None):
    out = _elu_deriv(z, out)
    out *= z.dtype.type(SELU_ALPHA)
    np.copyto(out, 1, where=z > 0)
    out *= z.dtype.type(SELU_SCALE)
    return out


def _gelu_inner(z, out=None):
    """√(2/π)·(z + 0.044715 z³), as √(2/π)·z·(1 + 0.044715 z²)."""
    out = np.multiply(z, z, out=out)
    out *= z.dtype.type(GELU_CUBIC)
    out += 1
    out *= z
    out *= z.dtype.type(GELU_C)
    return out


def _gelu(z, out=None):
    out = _gelu_inner(z, out)
    np.tanh(out, out=out)
    out += 1
    out *= z
    out *= z.dtype.type(0.5)
    return out


def _gelu_deriv(z, out=None):
    """½(1 + t) + ½·z·(1 - t²)·√(2/π)(1 + 3·0.044715 z²), t = tanh of the inner polynomial."""
    t = np.tanh(_gelu_inner(z))
    sech2 = np.multiply(t, t)
    np.subtract(1, sech2, out=sech2)
    out = np.multiply(z, z, out=out)
    out *= z.dtype.type(3 * GELU_CUBIC)
    out += 1
    out *= z.dtype.type(GELU_C)
    out *= z
    out *= sech2
    out += 1
    out += t
    out *= z.dtype.type(0.5)
    return out


_LEAKY_MOMENT = (1 + LEAKY_SLOPE**2) / 2

_ALL_ACTIVATIONS = [
    Activation("linear", "Linear (identity)", r"f(z) = z", _identity, _one, 1.0, "lecun_normal", 1.0, (1.0, 1.0)),
    Activation("sigmoid", "Sigmoid", r"f(z) = \frac{1}{1 + e^{-z}}", _sigmoid, _sigmoid_deriv, 1.0,
               "xavier_normal", 0.25, deriv_from_output=_sigmoid_slope_from_output),
    Activation("tanh", "Tanh", r"f(z) = \tanh z", np.tanh, _tanh_deriv, 5.0 / 3.0, "xavier_normal", 1.0,
               deriv_from_output=_tanh_slope_from_output),
    Activation("relu", "ReLU", r"f(z) = \max(0, z)", _relu, _relu_deriv, math.sqrt(2.0), "he_normal", 1.0,
               (0.5, 0.5)),
    Activation("leaky_relu", "Leaky ReLU (a = 0.01)", r"f(z) = \max(0.01 z, z)", _leaky_relu, _leaky_relu_deriv,
               math.sqrt(2.0 / (1 + LEAKY_SLOPE**2)), "he_normal", 1.0, (_LEAKY_MOMENT, _LEAKY_MOMENT)),
    Activation("elu", "ELU (α = 1)", r"f(z) = z \text{ if } z > 0 \text{ else } e^{z} - 1", _elu, _elu_deriv,
               1.2451983007007066, "he_normal", 1.0),
    Activation("selu", "SELU", r"f(z) = \lambda\,(z \text{ if } z > 0 \text{ else } \alpha(e^{z} - 1))", _selu,
               _selu_deriv, 0.75, "lecun_normal", SELU_SCALE * SELU_ALPHA),
    Activation("gelu", "GELU (tanh form)",  # two lines: one is wider than half a laptop's page
               r"\begin{aligned} f(z) &= \frac{z}{2}\,\bigl(1 + \tanh u\bigr) \\ u &= \sqrt{2/\pi}\,"
               r"\bigl(z + 0.044715\,z^3\bigr) \end{aligned}", _gelu, _gelu_deriv, 1.5335805216661464, "he_normal",
               1.128993068655481, deriv_min=-0.12899306865877186),
]

ACTIVATIONS: Mapping[str, Activation] = MappingProxyType({a.id: a for a in _ALL_ACTIVATIONS})


def get_activation(activation: str) -> Activation:
    return ACTIVATIONS[_validate.choice("activation", activation, ACTIVATIONS)]
