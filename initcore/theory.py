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

import functools
import math
import numbers

import numpy as np

from initcore import _validate
from initcore.activations import get_activation
from initcore.mean_field import gradient_depth as gradient_depth  # re-exported: initcore.theory.gradient_depth
from initcore.mean_field import phase as phase  # re-exported: initcore.theory.phase
from initcore.mean_field import phase_grid as phase_grid
from initcore.mean_field import unshared
from initcore.network import MAX_BIAS_STD as MAX_BIAS_STD  # re-exported: the trainer's limit too
from initcore.network import NORM_EPSILON, Network
from initcore.propagation import described
from initcore.quadrature import expectations
from initcore.schemes import FANS, get_scheme


def expectation(h, sigma: float) -> float:
    """E[h(z)] for z ~ N(0, σ²), for an h smooth on each side of 0 (a corner or a jump at 0 is fine)."""
    if sigma == 0:
        return float(h(np.zeros(1))[0])
    return float(expectations(h, np.float64(sigma)))


MOMENTS_KEPT = 4096  # (activation, q) pairs whose moments are kept: a step of the depth slider meets its q's again


@functools.lru_cache(maxsize=MOMENTS_KEPT)
def moments(activation: str, q: float) -> tuple[float, float]:
    """(E[f(z)²], E[f'(z)²]) for z ~ N(0, q): exact for the homogeneous activations, else ``expectation``.

    A signal that overflowed (q = inf) saturates tanh and sigmoid and leaves ELU, SELU and GELU infinite:
    the limits are evaluated at ±inf. Kept for the last ``MOMENTS_KEPT`` pairs: the length map of a network one
    layer shallower or deeper than the last asks for the same q's, layer for layer (0.1 ms of quadrature each).
    """
    act = get_activation(activation)
    if act.homogeneous is not None:
        return act.homogeneous[0] * q, act.homogeneous[1]
    sigma = float(np.sqrt(q))

    def slope(z):  # every slope has its limit by |z| = 1e100; past 1e154, GELU's z²·sech²(…) is inf·0, NaN
        return act.deriv(np.clip(z, -SLOPE_REACH, SLOPE_REACH))

    with np.errstate(all="ignore"):
        if not np.isfinite(sigma):  # the limits at the ends: GELU's z·Φ(z) at -inf is -inf·0, NaN
            ends = np.array([-1.0, 1.0])
            return float(np.mean(act.fn(ends * np.finfo(float).max) ** 2)), float(np.mean(slope(ends * np.inf) ** 2))
        return expectation(lambda z: act.fn(z) ** 2, sigma), expectation(lambda z: slope(z) ** 2, sigma)


SLOPE_REACH = 1e100


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


def length_map_slope(activation: str, q: float = 1.0) -> float:
    """How a signal just off ``q`` fares under the scale that holds q (``steady_variance``): the slope at q of the
    length map q ↦ σ_w²·E[f(√q ξ)²] with σ_w² = q / E[f(√q ξ)²], that is d ln E[f(√q ξ)²] / d ln q, which for
    z = √q ξ is (Stein's lemma, d/dq E[h(√q ξ)] = E[h''(z)]/2)

        E[z·f(z)·f'(z)] / E[f(z)²]  =  (E[f'(z)²] + E[f(z)·f''(z)]) · q / E[f(z)²].

    Below 1 a nearby signal is drawn back to q (tanh, ELU, SELU), above 1 it runs away (GELU), and at 1 every q
    holds (linear, ReLU and leaky ReLU, whose E[f²] is proportional to q)."""
    q = _validate.real("q", q, 0.0, 1e300, low_open=True)
    act = get_activation(activation)
    if act.homogeneous is not None:
        return 1.0
    sigma = float(np.sqrt(q))
    return expectation(lambda z: z * act.fn(z) * act.deriv(z), sigma) / expectation(lambda z: act.fn(z) ** 2, sigma)


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
    fan_in = _validate.integer("fan_in", fan_in, 1, FANS)
    fan_out = _validate.integer("fan_out", fan_out, 1, FANS)
    if isinstance(q, bool) or not isinstance(q, numbers.Real) or not q >= 0:  # NaN and negatives: no variance
        raise ValueError(f"q={q!r}; expected a variance of 0 or more (inf for a signal that overflowed)")
    with np.errstate(all="ignore"):  # a signal of 0 or inf has no ratio: NaN, as a vanished or overflowed view's
        return fan_in * weight_variance(scheme, fan_in, fan_out, **params) * moments(activation, float(q))[0] / \
            np.float64(q)


def predicted(net: Network) -> dict[str, np.ndarray]:
    """Every predicted variance of a ``Network`` (``initcore.network``), per layer l = 1 … L:

    * ``stream_var`` q_l = Var z_l and ``pre_var`` p_l = Var u_l, what the activation sees:

          q_1 = n_0·Var(W_1) + σ_b²,     q_{l+1} = ρ_{l+1}·q_l + α_{l+1}²·n_l·Var(W_{l+1})·E[f(√p_l ξ)²] + σ_b²,
          p_l = q_l without a norm, q_l / (q_l + ε) with one (the norm makes u_l standard);

    * ``grad_var`` D_l = Var dL/du_l and ``stream_grad_var`` S_l = Var dL/dz_l, top-down from Var dL/da_L = 1:

          D_l = Var(dL/da_l)·E[f'(√p_l ξ)²],      S_l = J_l·D_l + ρ_{l+1}·S_{l+1},
          Var(dL/da_{l-1}) = α_l²·n_l·Var(W_l)·S_l,

      with J_l = 1 without a norm. A norm divides by s = √(s_l² + ε): J_l = 1/(s_l² + ε), to leading order in
      1/n (it also projects out the mean, and the direction of u, of the n values along its axis). A layer norm's
      s_l² is q_l; a batch norm's is each unit's variance over the batch, v_l, which leaves out the unit's mean
      (its bias, and E[f] times its weights): v_1 = n_0·Var(W_1), v_{l+1} = ρ v_l + α²·n_l·Var(W)·Var f(u_l).
      Both make p_l = s_l²/(s_l² + ε).

    * ``stream_input_var`` d_l, the part of q_l that tells one input from another: each unit's variance over the
      inputs, averaged over the units (what a unit's mean over the inputs, its bias among it, does not carry).
      Two independent inputs share κ_l = q_l − d_l of it, their pre-activations correlating by c_l = κ_l / q_l:

          d_1 = n_0·Var(W_1),     d_{l+1} = ρ_{l+1}·d_l + α_{l+1}²·n_l·Var(W_{l+1})·(E[f(u₁)²] − E[f(u₁) f(u₂)]),

      (u₁, u₂) of variance q_l and correlation c_l, 1 − c_l = d_l / q_l (``mean_field.unshared``). A bias adds
      the same to both inputs: it raises q_l and κ_l alike, never d_l. Followed only where the network has biases
      or an activation's mean to share (``Network.shares_across_inputs``: a quadrature of a pair a layer, 20 ms at
      100 tanh layers, twice the rest), and not through a norm: NaN.

    ρ and α are 1 and the residual's α in a residual block, 0 and 1 in a plain layer. Exact in expectation for
    linear and the ReLU family without norms, mean-field otherwise.
    """
    depth, bias_var, eps = net.depth, net.bias_std**2, NORM_EPSILON
    var_w = [weight_variance(net.scheme, *net.fans(layer), **net.params) for layer in range(1, depth + 1)]
    stream, pre, slope, kept, apart = (np.empty(depth) for _ in range(5))
    with np.errstate(all="ignore"):
        q = net.widths[0] * var_w[0] + bias_var  # E[x²] = 1
        v = d = net.widths[0] * var_w[0]  # each unit's variance over the batch: no bias, no mean of f
        for i in range(depth):
            stream[i], apart[i] = q, d
            normalized = {"layer": q, "batch": v}.get(net.norm)
            pre[i] = q if normalized is None else normalized / (normalized + eps)
            kept[i] = 1.0 if normalized is None else 1 / (normalized + eps)
            second, slope[i] = moments(net.activation, pre[i])
            if i + 1 < depth:
                layer, rho = i + 2, float(net.carries(i + 2))
                gain = net.branch_scale(layer) ** 2 * net.widths[i + 1] * var_w[i + 1]
                # A plain layer carries nothing of the stream (ρ = 0), even one that overflowed: 0·inf is NaN.
                q_below, q = q, (rho * q if rho else 0.0) + gain * second + bias_var
                d = (rho * d if rho else 0.0) + (gain * unshared(net.activation, pre[i], min(d / q_below, 1.0))
                                                 if d > 0 else 0.0) if _tells_apart(net, d, q_below) else math.nan
                if net.norm == "batch":  # the only norm that reads v: E[f]'s quadrature is not paid for otherwise
                    v = (rho * v if rho else 0.0) + gain * (second - _mean(net.activation, pre[i]) ** 2)
        grad, stream_grad = np.empty(depth), np.empty(depth)
        grad_a, above = 1.0, 0.0
        for i in range(depth - 1, -1, -1):
            layer = i + 1
            grad[i] = grad_a * slope[i]
            stream_grad[i] = kept[i] * grad[i] + (above if net.carries(layer + 1) else 0.0)
            grad_a = net.branch_scale(layer) ** 2 * net.widths[layer] * var_w[i] * stream_grad[i]
            above = stream_grad[i]
    return dict(pre_var=pre, grad_var=grad, stream_var=stream, stream_grad_var=stream_grad, stream_input_var=apart)


def _tells_apart(net: Network, d: float, q: float) -> bool:
    """Whether theory follows the part d of a layer's signal q that tells inputs apart to the next layer: where the
    network has biases or an activation's mean to share (``Network.shares_across_inputs``), not through a norm, nor
    past an overflow (q = inf)."""
    return net.shares_across_inputs and not net.norm and d >= 0 and 0 < q < math.inf


@functools.lru_cache(maxsize=MOMENTS_KEPT)
def _mean(activation: str, q: float) -> float:
    """E[f(z)] for z ~ N(0, q): what a unit's output keeps as its mean over the batch, which a batch norm removes
    (kept as ``moments`` is)."""
    act = get_activation(activation)
    return expectation(lambda z: act.fn(z), float(np.sqrt(q)))


def _network(depth, width, activation, scheme, params, shape) -> Network:
    """The network that the keyword fronts below describe (``initcore.propagation.described``)."""
    return described(depth=depth, width=width, activation=activation, scheme=scheme, **shape, **params)


def predicted_variances(*, depth: int | None = None, width: int | None = None, activation: str, scheme: str,
                        widths=None, residual=None, norm=None, bias_std: float = 0.0, **params):
    """Predicted (Var z_l, Var dL/dz_l) for l = 1 … depth (``predicted``'s ``pre_var`` and ``grad_var``, of what
    the activation sees), for an upstream gradient of variance 1. Biases N(0, bias_std²)."""
    columns = predicted(_network(depth, width, activation, scheme, params,
                                 dict(widths=widths, residual=residual, norm=norm, bias_std=bias_std)))
    return columns["pre_var"], columns["grad_var"]


def predicted_pre_var(*, depth: int | None = None, width: int | None = None, activation: str, scheme: str,
                      **shape_and_params) -> np.ndarray:
    """Predicted Var z_l for l = 1 … depth (``predicted``; ``simulate``'s keywords for the network's shape)."""
    return predicted_variances(depth=depth, width=width, activation=activation, scheme=scheme,
                               **shape_and_params)[0]


def predicted_grad_var(*, depth: int | None = None, width: int | None = None, activation: str, scheme: str,
                       **shape_and_params) -> np.ndarray:
    """Predicted Var dL/dz_l for l = 1 … depth, for an upstream gradient of variance 1 (``predicted``)."""
    return predicted_variances(depth=depth, width=width, activation=activation, scheme=scheme,
                               **shape_and_params)[1]


def predicted_overflow_layer(pre_var: np.ndarray, values: int, dtype="float32") -> int | None:
    """First layer where the largest of ``values`` Gaussian draws of variance ``pre_var`` passes the dtype's max.

    The largest |z| of n draws is about σ·√(2 ln n); float32 overflows at 3.4e38.
    """
    largest = np.sqrt(pre_var) * np.sqrt(2 * np.log(values))
    over = np.flatnonzero(~(largest < np.finfo(dtype).max))
    return int(over[0]) + 1 if over.size else None
