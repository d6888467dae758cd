"""What theory predicts for the variance of signals and gradients, layer by layer.

For a layer ``z_{l+1} = f(z_l) @ W`` with zero-mean i.i.d. weights of variance Var(W), the pre-activation
variance obeys the *length map* (He et al. 2015, eq. 10; Poole et al. 2016):

    q_{l+1} = n_in · Var(W) · E[f(√q_l · ξ)²],      ξ ~ N(0, 1),    q_1 = n_in · Var(W) · E[x²]

and the gradient variance, carried top-down (He et al. 2015, eq. 14):

    G_L = E[f'(√q_L ξ)²] · Var(g),    G_l = n_out · Var(W) · G_{l+1} · E[f'(√q_l ξ)²]

For the positively homogeneous activations (linear, ReLU, leaky ReLU) both expectations are exact
multiples of q (ReLU: E[f²] = q/2, E[f'²] = 1/2; leaky ReLU with slope a: (1+a²)/2), so the recursion is
exact in expectation over the weights. For tanh, sigmoid, ELU, SELU and GELU it is the mean-field
approximation (exact as the width grows), with the two expectations computed by quadrature
(``expectation``, see ``initcore.quadrature``) to about 10⁻¹² relative at every q, each side of 0 on its own
(ELU's derivative has a corner at 0 and SELU's a jump). ELU and SELU also have closed forms, with which the
tests check it:

    E[f²]  = λ²( q/2 + α²(e^{2q} Φ(-2√q) - 2 e^{q/2} Φ(-√q) + 1/2) )
    E[f'²] = λ²( 1/2 + α² e^{2q} Φ(-2√q) )                              (ELU: λ = α = 1)

With biases b ~ N(0, σ_b²) (``bias_std`` = σ_b) every layer adds σ_b² to the length map (Poole et al. 2016):

    q_{l+1} = n_in · Var(W) · E[f(√q_l · ξ)²] + σ_b²,      q_1 = n_in · Var(W) · E[x²] + σ_b²

and the gradient recursion keeps its form (a bias passes the gradient on unchanged). Where this map settles,
and the ordered and chaotic phases it sets, are ``phase`` and ``phase_grid`` (from ``initcore.mean_field``).

For schemes whose weights are not zero-mean (``constant``) the recursion does not apply: NaN.
Var(x) = Var(g) = 1 as in ``initcore.simulate``.
"""

from __future__ import annotations

import numpy as np

from initcore import _validate
from initcore.activations import get_activation
from initcore.mean_field import phase as phase  # re-exported: initcore.theory.phase
from initcore.mean_field import phase_grid as phase_grid
from initcore.propagation import check_network
from initcore.quadrature import expectations
from initcore.schemes import get_scheme

MAX_BIAS_STD = 100.0


def expectation(h, sigma: float) -> float:
    """E[h(z)] for z ~ N(0, σ²), for an h smooth on each side of 0 (a corner or a jump at 0 is fine)."""
    if sigma == 0:
        return float(h(np.zeros(1))[0])
    return float(expectations(h, np.float64(sigma)))


def moments(activation: str, q: float) -> tuple[float, float]:
    """(E[f(z)²], E[f'(z)²]) for z ~ N(0, q): exact for the homogeneous activations, else ``expectation``.

    A signal that overflowed (q = inf) saturates tanh and sigmoid and leaves ELU, SELU and GELU infinite:
    the limits are evaluated at ±inf.
    """
    act = get_activation(activation)
    if act.homogeneous is not None:
        return act.homogeneous[0] * q, act.homogeneous[1]
    sigma = float(np.sqrt(q))
    with np.errstate(all="ignore"):
        if not np.isfinite(sigma):
            z = np.array([-sigma, sigma])
            return float(np.mean(act.fn(z) ** 2)), float(np.mean(act.deriv(z) ** 2))
        return expectation(lambda z: act.fn(z) ** 2, sigma), expectation(lambda z: act.deriv(z) ** 2, sigma)


TARGETS = ("signal", "gradient")


def steady_variance(activation: str, *, q: float = 1.0, target: str = "signal") -> float:
    """The n_in·Var(W) that keeps a plain network steady around a pre-activation variance ``q``:

        signal:    n_in·Var(W) = q / E[f(√q ξ)²]     q is a fixed point of the length map
        gradient:  n_in·Var(W) = 1 / E[f'(√q ξ)²]    the gradient's variance is kept at every layer

    (square layers, so n_out = n_in). For ReLU both are 2 (He), for linear both 1 (LeCun); for the others the
    two differ, and the scheme a framework recommends is only near either: the point of showing them.
    """
    _validate.choice("target", target, TARGETS)
    q = _validate.real("q", q, 0.0, 1e300, low_open=True)
    second, slope = moments(activation, q)
    return float(q / second if target == "signal" else 1.0 / slope)


def weight_variance(scheme: str, fan_in: int, fan_out: int, **params) -> float:
    """Var(W) of one entry; NaN where the weights are not zero-mean and the recursion does not apply."""
    chosen = get_scheme(scheme)
    p = chosen.resolve(**params)
    if chosen.noise_for(p) == "ones" and chosen.multiplier(fan_in, fan_out, p) != 0:
        return float("nan")
    return chosen.std(fan_in, fan_out, **p) ** 2


def variance_ratio(activation: str, scheme: str, fan_in: int, fan_out: int, *, q: float = 1.0, **params) -> float:
    """Var z_{l+1} / Var z_l for one layer whose input pre-activation has variance ``q`` (default 1).

    Independent of q for linear and the ReLU family: 1 means the signal keeps its size, < 1 vanishes,
    > 1 explodes. ReLU + He gives 1, ReLU + Xavier (square layer) 1/2.
    """
    return fan_in * weight_variance(scheme, fan_in, fan_out, **params) * moments(activation, q)[0] / q


def _length_map(depth, width, activation, scheme, params, bias_std):
    """Per layer: q_l = Var z_l and E[f'(z_l)²]; plus Var(W)."""
    check_network(depth, width, 2, 0, "float32")
    bias_var = _validate.real("bias_std", bias_std, 0.0, MAX_BIAS_STD) ** 2
    var_w = weight_variance(scheme, width, width, **params)
    pre = np.empty(depth)
    slope = np.empty(depth)
    q = width * var_w + bias_var  # E[x²] = 1
    with np.errstate(all="ignore"):
        for layer in range(depth):
            pre[layer] = q
            second, slope[layer] = moments(activation, q)
            q = width * var_w * second + bias_var
    return pre, slope, var_w


def predicted_variances(*, depth: int, width: int, activation: str, scheme: str, bias_std: float = 0.0, **params):
    """Predicted (Var z_l, Var dL/dz_l) for l = 1 … depth: the forward length map, then the backward recursion
    for an upstream gradient of variance 1, from one pass of the map. Biases N(0, bias_std²)."""
    pre, slope, var_w = _length_map(depth, width, activation, scheme, params, bias_std)
    grad = np.empty(depth)
    g = 1.0
    with np.errstate(all="ignore"):
        for layer in range(depth - 1, -1, -1):
            grad[layer] = g * slope[layer]
            g = width * var_w * grad[layer]
    return pre, grad


def predicted_pre_var(*, depth: int, width: int, activation: str, scheme: str, bias_std: float = 0.0,
                      **params) -> np.ndarray:
    """Predicted Var z_l for l = 1 … depth (the length map above; biases N(0, bias_std²))."""
    return _length_map(depth, width, activation, scheme, params, bias_std)[0]


def predicted_grad_var(*, depth: int, width: int, activation: str, scheme: str, bias_std: float = 0.0,
                       **params) -> np.ndarray:
    """Predicted Var dL/dz_l for l = 1 … depth, for an upstream gradient of variance 1 (biases N(0, bias_std²))."""
    return predicted_variances(depth=depth, width=width, activation=activation, scheme=scheme, bias_std=bias_std,
                               **params)[1]


def predicted_overflow_layer(pre_var: np.ndarray, values: int, dtype="float32") -> int | None:
    """First layer where the largest of ``values`` Gaussian draws of variance ``pre_var`` passes the dtype's max.

    The largest |z| of n draws is about σ·√(2 ln n); float32 overflows at 3.4e38.
    """
    largest = np.sqrt(pre_var) * np.sqrt(2 * np.log(values))
    over = np.flatnonzero(~(largest < np.finfo(dtype).max))
    return int(over[0]) + 1 if over.size else None
