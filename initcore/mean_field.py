"""The phase of a deep network at initialization: where its signal settles, and how deep information travels.

A wide network with weights N(0, σ_w²/n) and biases N(0, σ_b²) carries two quantities from layer to layer
(Poole et al. 2016; Schoenholz et al. 2017, eqs. 3–9). The length of a signal, q_l = Var z_l, follows the
length map (ξ ~ N(0, 1))

    q_{l+1} = V(q_l) = σ_w² · E[f(√q_l ξ)²] + σ_b²,

and q* is where it settles: the limit of the map from q_1 = σ_w² + σ_b², the first layer of a unit-variance
input (as in ``initcore.simulate``). Two inputs whose pre-activations have correlation c_l follow the
correlation map, with (u₁, u₂) ~ N(0, q*·[[1, c], [c, 1]]),

    c_{l+1} = C(c_l) = (σ_w² · E[f(u₁) f(u₂)] + σ_b²) / q*,      C(1) = 1,
    C'(c) = σ_w² · E[f'(u₁) f'(u₂)]          (Price's theorem),   C'(1) = χ₁ = σ_w² · E[f'(√q* ξ)²].

χ₁ also multiplies the gradient's variance at each layer. If χ₁ < 1 (ordered phase) every pair of inputs
becomes the same signal: c* = 1. If χ₁ > 1 (chaotic phase) nearby inputs fly apart to the stable fixed point
c* < 1. Near c*, |c_l − c*| shrinks like e^{−l/ξ_c} and |q_l − q*| like e^{−l/ξ_q}:

    depth_scale          ξ_c = −1 / ln χ_c,   χ_c = C'(c*)   (= χ₁ in the ordered phase; ∞ at χ₁ = 1)
    length_depth_scale   ξ_q = −1 / ln V'(q*),   V'(q) = σ_w² · E[f(u)² (u²/q − 1)] / (2q),  u ~ N(0, q)

A network trains when it is shallower than about 6 ξ_c (Schoenholz et al. 2017): ``trainable_depth``. Where
the signal fades to q* = 0, correlations no longer limit the depth (ξ_c = ∞, below) but the gradients still
shrink, in the limit ×χ₁ a layer, e-fold every ξ_∇ = −1/ln χ₁ layers (the same scale as ξ_c in the ordered
phase). On the way to that limit each layer's factor is χ at its own q_l, and the trainable depth there is the
depth at which those factors have shrunk the gradient e⁶-fold, as 6 ξ layers do elsewhere: 6 ξ_∇ where χ is
the same at every q.

The correlation map comes from Mehler's formula: with α_k = E[f(√q ξ) He_k(ξ)] / √k!,

    E[f(u₁) f(u₂)] = Σ_k α_k² c^k,     Σ_k α_k² = E[f(u)²],     Σ_k k α_k² = q · E[f'(u)²],

a series of non-negative terms, so C is increasing and convex on [0, 1] and, when χ₁ > 1, has exactly one
fixed point in [0, 1), which Newton's method approaches from c = 0 without overshooting. The first
``MEHLER_TERMS`` terms are computed by quadrature; the rest are summed into one term ρ·c^κ whose ρ and κ match the
last two sums, so C(1) and C'(1) are exact. Where the later terms carry little of C' at c*, that gives ξ_c to 10⁻⁶
or better. Near the edge of chaos no tail of the series does: c* comes within 10⁻⁴ of 1, where C bends on the
scale of 1 − c, and an activation with a corner (SELU; ELU and GELU at large q*, where their bend is narrow
against √q*) has Hermite coefficients that fall only as a power of k. The one-term tail had read SELU at σ_w² =
0.5, σ_b² = 0 as ξ_c = 3518 where it is 6622, and at (1.4, 1.6) 624 of 1076. So wherever the series' later half
and tail carry more than ``REFINE_SHARE`` of 1 − χ_c at its c*, Newton's method goes on from there on C and C'
taken by direct quadrature of the pair (u₁, u₂) (``initcore.quadrature.pair_expectations``): as measured, within
10⁻⁷ of a closed-form reference's c* for SELU and ELU, and 10⁻⁶ of its ξ_c. ξ_c = −1/ln χ_c turns an error δ in
χ_c into one of δ/(1 − χ_c) in ξ_c, so that close to the edge ξ_c is as good as the last digits of q* and C allow.

Where the limit of the length map is not a finite positive number:

* q* = 0 (no bias and f(0) = 0, under weights too small to keep the signal): χ₁ = V'(0) = σ_w² · (f'(0⁺)² +
  f'(0⁻)²)/2, the limit q → 0⁺, still multiplies the gradient at each layer. The correlations are another
  matter. As the signal shrinks, every activation here acts more and more like a linear map, or one linear on
  each half-line (f(z) ≈ f'(0±)·z), which a scale cannot change: C tends to the identity, or to the map of that
  piecewise-linear function, whose slope at c = 1 is exactly 1. So χ_c = 1, ξ_c = ∞ and c* = 1, approached
  polynomially (ReLU: scaling its weights changes no correlation at all) or not at all (linear, tanh: two
  inputs keep about the correlation they had). A network with a bias, however small, is different: its signal
  settles at a small q* > 0, where χ_c = χ₁ after all. Zero weights (σ_w² = 0) send every input to the same
  output in one layer: ξ_c = 0.
* q* = ∞ (an unbounded activation under weights that make the signal grow forever): χ₁ is its limit. The
  growing signal outgrows its bias, and at that scale every activation here is linear on each half-line,
  which maps correlations to 1 with slope exactly 1: c* = 1 and both depth scales are ∞ (correlations
  approach 1 only polynomially). The gradient still explodes like χ₁^l.

Linear, ReLU and leaky ReLU are positively homogeneous (E[f²] = a·q, E[f'²] = a): everything is closed-form,
q* = σ_b² / (1 − a σ_w²) while a σ_w² < 1. For the others the map is solved on q ∈ [``Q_MIN``, ``Q_MAX``]: a
limit below reads 0, above reads ∞, and a map that moves q by less than ``RESOLUTION`` of itself per layer is
not told from a fixed one (so an unbounded activation's signal that grows by O(1) per layer reads q* = ∞).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from initcore import _validate
from initcore.activations import Activation, get_activation
from initcore.quadrature import half_lines, pair_expectations

Q_MIN, Q_MAX = 1e-200, 1e200
MEHLER_TERMS = 256
REFINE_SHARE = 3e-5  # share of 1 − χ_c carried by the Mehler series' later half and tail, past which c* is refined
MAX_GRID_POINTS = 100 * 100
COLUMNS = ("sigma_w2", "sigma_b2", "q_star", "chi1", "c_star", "depth_scale", "length_depth_scale", "trainable_depth")
TRAINABLE = 6  # a plain network trains when it is shallower than about 6 depth scales (Schoenholz et al. 2017)

# s = ln q. Fixed points are bracketed on a grid of s: steps of 2 over the whole range, 0.05 over the
# interpolation window, where a grid of phases reads its moments by quintic interpolation (1e-10 relative).
_FINE = (-25.0, 25.0, 0.05)
_COARSE_STEP = 2.0
_MEHLER_STEP = 0.2  # the Mehler fractions vary more slowly; a coarser table keeps its first build cheap
_BISECTIONS = 64
# A map that moves q by less than this share of itself is not told from a fixed one: the quadrature's own error
# is about 1e-12 of E[f²], and near ∞ an unbounded activation's V(q) − q is a difference of nearly equal numbers.
RESOLUTION = 1e-10


def phase(activation: str, sigma_w2: float, sigma_b2: float) -> dict[str, float]:
    """The mean-field phase at weight variance σ_w² (n·Var W) and bias variance σ_b² (see the module docstring).

    Returns ``q_star``, ``chi1``, ``c_star``, ``depth_scale`` (ξ_c), ``length_depth_scale`` (ξ_q) and
    ``trainable_depth`` (6 ξ_c, or where the signal fades to q* = 0 the depth at which the gradient has shrunk as
    much, ``_fading_depth``), each a float in [0, ∞]. tanh at
    σ_b² = 0 is critical at σ_w² = 1 (q* = 0, χ₁ = 1, ξ_c = ∞); ReLU has χ₁ = σ_w²/2.
    """
    act = get_activation(activation)
    weight = np.array([_variance("sigma_w2", sigma_w2)])
    bias = np.array([_variance("sigma_b2", sigma_b2)])
    return {name: float(values[0]) for name, values in _phases(act, weight, bias, exact=True).items()}


def gradient_depth(activation: str, sigma_w2: float) -> float:
    """Without biases, the layers after which theory's gradient on its way back has shrunk e^TRAINABLE-fold, each
    layer l multiplying it by χ(q_l) = σ_w² E[f'(√q_l ξ)²] along the length map's path from q₁ = σ_w²: the trainable
    depth of a fading signal (``phase``'s, where q* = 0 and χ₁ < 1). At χ₁ = 1 (tanh at σ_w² = 1) correlations
    never set a depth (6ξ_c = ∞), but the signal nears q* = 0 only like 1/l, and every factor on the way is below 1:
    the gradient has shrunk e⁶-fold by layer 286 all the same. NaN where the signal does not fade to 0."""
    act = get_activation(activation)
    weight = np.array([_variance("sigma_w2", sigma_w2)])
    q_star, chi1 = _rates(act, weight, np.zeros(1), exact=True)[:2]
    if chi1[0] == 0:  # zero weights: no gradient past the top layer
        return 0.0
    if q_star[0] > 0:  # a signal that settles or grows, as sigmoid's always does: 6ξ_c counts there (``phase``)
        return math.nan
    return float(_fading_depth(act, weight, chi1, exact=True)[0])


def phase_grid(activation: str, sigma_w2s, sigma_b2s) -> pd.DataFrame:
    """``phase`` at every (σ_w², σ_b²) of the two 1-D sequences: one row each, σ_w² varying fastest, with the
    columns ``COLUMNS``. Moments are read from tables of the activation (built once per process, about 0.2 s,
    then shared), so a 60 × 60 grid costs about 0.1 s; q* and χ₁ agree with ``phase`` to about 10⁻¹⁰, c* and the
    depth scales to about 10⁻⁶."""
    act = get_activation(activation)
    weights, biases = _axis("sigma_w2s", sigma_w2s), _axis("sigma_b2s", sigma_b2s)
    if weights.size * biases.size > MAX_GRID_POINTS:
        raise ValueError(f"sigma_w2s × sigma_b2s has {weights.size}×{biases.size} points; expected at most "
                         f"{MAX_GRID_POINTS:,}")
    weight, bias = (axis.ravel() for axis in np.meshgrid(weights, biases))
    return pd.DataFrame({"sigma_w2": weight, "sigma_b2": bias, **_phases(act, weight, bias, exact=False)},
                        columns=COLUMNS)


def _variance(name: str, value) -> float:
    return _validate.real(name, value, 0.0, np.finfo(float).max)


def _axis(name: str, values) -> np.ndarray:
    values = np.asarray(values, dtype=object)  # elements as given: True stays a bool, and is refused
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} has shape {values.shape}; expected a sequence of one or more numbers ≥ 0")
    return np.array([_variance(name, value) for value in values])


def unshared(activation: str, q: float, apart: float) -> float:
    """E[f(u₁)²] − E[f(u₁) f(u₂)] = E[(f(u₁) − f(u₂))²] / 2 for (u₁, u₂) ~ N(0, q·[[1, c], [c, 1]]) whose correlation
    c lies ``apart`` = 1 − c ∈ [0, 1] below 1: what of the variance of f two inputs do not share, which a layer
    passes on as the part of its signal that tells them apart. (Given as 1 − c, which keeps its digits where two
    inputs have become all but one: 10⁻²⁰ apart, c itself is 1.)

    Piecewise linear activations (f = b·z for z ≥ 0, a·z below) have it in closed form, with the arc-cosine kernel
    k(c) = (sin θ + (π − θ)·cos θ) / 2π = E[u₁⁺ u₂⁺] / q at θ = arccos c:

        q·((a − b)²·(1/2 − k(c)) + a·b·(1 − c)),      1/2 − k = (π(1 − c) + θ cos θ − sin θ) / 2π,

    (linear: q(1 − c); ReLU: q(1/2 − k)), with θ = 2 asin √((1 − c)/2) and θ cos θ − sin θ ≈ −θ³/3·(1 − θ²/10)
    for small θ, where it cancels. The others by Mehler's series (the module docstring),
    E[f²]·(Σ_k frac_k·(1 − c^k) + tail·(1 − c^κ)), each 1 − c^k taken as −expm1(k·ln(1 − apart)).
    """
    act = get_activation(activation)
    if not 0 <= apart <= 1 or not q >= 0:
        raise ValueError(f"q={q!r}, apart={apart!r}; expected a variance q ≥ 0 and 0 ≤ 1 − c ≤ 1")
    if apart == 0 or q == 0:
        return 0.0
    if act.homogeneous is not None:
        below, above = -float(act.fn(np.array([-1.0]))[0]), float(act.fn(np.array([1.0]))[0])
        theta = 2 * math.asin(math.sqrt(apart / 2))
        bend = -theta**3 / 3 * (1 - theta**2 / 10) if theta < 1e-2 else theta * (1 - apart) - math.sin(theta)
        return q * max((below - above) ** 2 * (math.pi * apart + bend) / (2 * math.pi) + below * above * apart, 0.0)
    if not q < Q_MAX:
        return math.nan
    tables, s = _tables(act.id), np.array([math.log(max(q, Q_MIN))])
    second, _, slope = _moments_at(act, tables, s, exact=False)[:, 0]
    fractions = np.clip(_interpolate(tables.mehler_s, tables.mehler, s)[0] if _read_table(tables, s, False)[0]
                        else _mehler(act, np.array([q]))[0], 0, None)
    orders = np.arange(MEHLER_TERMS)
    tail = max(1 - fractions.sum(), 0.0)
    tail_order = max((q * slope / second - fractions @ orders) / tail, MEHLER_TERMS) if tail > 0 else MEHLER_TERMS
    log_c = math.log1p(-apart) if apart < 1 else -math.inf
    with np.errstate(invalid="ignore"):
        parts = np.where(orders > 0, -np.expm1(orders * log_c), 0.0)
    return float(second * (fractions @ parts - tail * math.expm1(tail_order * log_c)))


# ---- moments of one activation ------------------------------------------------------------------------------


def _moments(act: Activation, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E[f²], d ln E[f²] / d ln q, E[f'²]) at z ~ N(0, q) for each q of ``q`` in [Q_MIN, Q_MAX], by quadrature.

    The log-slope is q·(d/dq)E[f²] / E[f²] = E[f(z)² (z²/q − 1)] / (2 E[f²]) (differentiating the density).
    """
    sigma = np.sqrt(q)
    z, w = half_lines(sigma)
    with np.errstate(all="ignore"):
        squares = act.fn(z) ** 2 + act.fn(-z) ** 2
        second = np.sum(w * squares, axis=-1)
        growth = np.sum(w * squares * ((z / sigma[..., None]) ** 2 - 1), axis=-1) / (2 * second)
        slope = np.sum(w * (act.deriv(z) ** 2 + act.deriv(-z) ** 2), axis=-1)
    return second, growth, slope


def _second_moment(act: Activation, q: np.ndarray) -> np.ndarray:
    z, w = half_lines(np.sqrt(q))
    with np.errstate(all="ignore"):
        return np.sum(w * (act.fn(z) ** 2 + act.fn(-z) ** 2), axis=-1)


def _mehler(act: Activation, q: np.ndarray) -> np.ndarray:
    """α_k² / E[f²] for k < MEHLER_TERMS at each q, shape q.shape + (MEHLER_TERMS,).

    ψ_k = He_k/√k! by ψ_{k+1}(x) = (x ψ_k(x) − √k ψ_{k−1}(x)) / √(k+1); ψ_k(−x) = (−1)^k ψ_k(x), so even k
    integrate f(z) + f(−z) and odd k f(z) − f(−z) over the half-line.
    """
    sigma = np.sqrt(q)
    z, w = half_lines(sigma)
    x = z / sigma[..., None]
    with np.errstate(all="ignore"):
        ahead, behind = act.fn(z), act.fn(-z)
        parts = (w * (ahead + behind), w * (ahead - behind))
        terms = np.empty((*q.shape, MEHLER_TERMS))
        previous, current = np.zeros_like(x), np.ones_like(x)
        for k in range(MEHLER_TERMS):
            terms[..., k] = np.sum(parts[k % 2] * current, axis=-1) ** 2
            previous, current = current, (x * current - math.sqrt(k) * previous) / math.sqrt(k + 1)
        return terms / np.sum(w * (ahead**2 + behind**2), axis=-1)[..., None]


@dataclass(frozen=True)
class _Tables:
    """One activation's moments by quadrature (exact to about 10⁻¹²) on grids of s = ln q."""

    s: np.ndarray  # ascending, ln Q_MIN … ln Q_MAX: where fixed points are bracketed
    moments: np.ndarray  # (3, len(s)): ``_moments`` at each s
    window: np.ndarray  # the uniform nodes of _FINE (part of s), where moments are interpolated
    logs: np.ndarray  # at each window node: ln E[f²], d ln E[f²] / d ln q, ln E[f'²]
    mehler_s: np.ndarray  # uniform, over the same window
    mehler: np.ndarray  # (len(mehler_s), MEHLER_TERMS)


@cache
def _tables(activation: str) -> _Tables:
    act = get_activation(activation)
    low, high, step = _FINE
    window = np.linspace(low, high, round((high - low) / step) + 1)
    s = np.concatenate([np.arange(math.log(Q_MIN), low, _COARSE_STEP), window,
                        np.arange(math.log(Q_MAX), high, -_COARSE_STEP)[::-1]])
    second, growth, slope = moments = np.stack(_moments(act, np.exp(s)))
    inside = np.isin(s, window)
    mehler_s = np.linspace(low, high, round((high - low) / _MEHLER_STEP) + 1)
    return _Tables(s, moments, window, np.stack([np.log(second), growth, np.log(slope)], axis=1)[inside], mehler_s,
                   _mehler(act, np.exp(mehler_s)))


_STENCIL = np.arange(6)
_LAGRANGE = np.array([np.prod([j - m for m in _STENCIL if m != j]) for j in _STENCIL], dtype=float)


def _interpolate(nodes: np.ndarray, values: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Quintic Lagrange interpolation of ``values`` (first axis along the uniform ``nodes``) at each s:
    Σ_j values[i+j]·Π_{m≠j}(u − m)/(j − m) on the six nodes around s, u = (s − nodes[i])/step."""
    at = (s - nodes[0]) / (nodes[1] - nodes[0])
    first = np.clip(np.floor(at).astype(int) - 2, 0, nodes.size - _STENCIL.size)
    gaps = (at - first)[:, None] - _STENCIL
    ones = np.ones((s.size, 1))
    before = np.cumprod(np.hstack([ones, gaps[:, :-1]]), axis=1)  # Π_{m<j} (u − m)
    after = np.cumprod(np.hstack([ones, gaps[:, :0:-1]]), axis=1)[:, ::-1]  # Π_{m>j} (u − m)
    return np.einsum("pj,pj...->p...", before * after / _LAGRANGE, values[first[:, None] + _STENCIL])


def _read_table(tables: _Tables, s: np.ndarray, exact: bool) -> np.ndarray:
    """Where the moments at s are interpolated: inside the window, unless ``exact``."""
    return (s >= tables.window[0]) & (s <= tables.window[-1]) & (not exact)


def _second_moments(act: Activation, tables: _Tables, s: np.ndarray, exact: bool) -> np.ndarray:
    """E[f²] at each s = ln q."""
    second = np.empty_like(s)
    read = _read_table(tables, s, exact)
    second[read] = np.exp(_interpolate(tables.window, tables.logs[:, 0], s[read]))
    second[~read] = _second_moment(act, np.exp(s[~read]))
    return second


def _moments_at(act: Activation, tables: _Tables, s: np.ndarray, exact: bool) -> np.ndarray:
    """``_moments`` at each s = ln q, shape (3, s.size)."""
    moments = np.empty((3, s.size))
    read = _read_table(tables, s, exact)
    logs = _interpolate(tables.window, tables.logs, s[read])
    moments[:, read] = [np.exp(logs[:, 0]), logs[:, 1], np.exp(logs[:, 2])]
    moments[:, ~read] = _moments(act, np.exp(s[~read]))
    return moments


# ---- the fixed points ---------------------------------------------------------------------------------------


def _phases(act: Activation, weight: np.ndarray, bias: np.ndarray, *, exact: bool) -> dict[str, np.ndarray]:
    q_star, chi1, length_slope, c_star, chi_c = _rates(act, weight, bias, exact=exact)
    depth_scale = _depth_scale(chi_c)
    trainable = TRAINABLE * depth_scale
    fading = (q_star == 0) & (chi1 > 0) & (chi1 < 1)
    if fading.any():
        trainable[fading] = _fading_depth(act, weight[fading], chi1[fading], exact=exact)
    return {"q_star": q_star, "chi1": chi1, "c_star": c_star, "depth_scale": depth_scale,
            "length_depth_scale": _depth_scale(length_slope), "trainable_depth": trainable}


FADING_LAYERS = 4096  # layers of a fading signal's path taken one by one; beyond, each multiplies by the limit χ₁


def _fading_depth(act: Activation, weight: np.ndarray, chi1: np.ndarray, *, exact: bool) -> np.ndarray:
    """The trainable depth where, with no biases, the signal fades to q* = 0 and χ₁ < 1: the layers after which the
    gradient on its way back has shrunk e^TRAINABLE-fold, as 6ξ_c layers shrink it in an ordered network. χ₁ is
    its factor a layer only in the limit q → 0; along the length map's path from q₁ = σ_w² (an input of variance
    1), layer l multiplies it by χ(q_l) = σ_w² E[f'(√q_l z)²], which may be far from χ₁ for many layers (GELU at He's
    σ_w² = 2: 0.98 at layer 1, against χ₁ = 0.5). So the factors' logarithms are summed layer by layer, the last
    one taken in part, until they reach −TRAINABLE: exactly 6 ξ_∇ = −6 / ln χ₁ where χ is the same at every q
    (ReLU, leaky ReLU, linear)."""
    if act.homogeneous is not None:
        return TRAINABLE * _depth_scale(chi1)
    tables = _tables(act.id)
    q, left, depth = weight.copy(), np.full(weight.size, float(TRAINABLE)), np.zeros(weight.size)
    going = np.ones(weight.size, bool)
    for _ in range(FADING_LAYERS):
        second, _, slope = _moments_at(act, tables, np.log(np.clip(q[going], Q_MIN, Q_MAX)), exact)
        loss = -np.log(weight[going] * slope)  # e-folds this layer takes off the gradient
        done = loss >= left[going]
        depth[going] += np.where(done, left[going] / loss, 1.0)
        left[going] -= loss
        q[going] = weight[going] * second
        going[np.flatnonzero(going)[done]] = False
        if not going.any():
            return depth
    with np.errstate(divide="ignore"):  # a limit χ₁ = 1 takes nothing off: the rest is never reached
        return depth + np.where(going, left / -np.log(chi1), 0.0)  # the rest at the limit's rate


def _rates(act: Activation, weight: np.ndarray, bias: np.ndarray, *, exact: bool) -> tuple[np.ndarray, ...]:
    """q*, χ₁, V'(q*), c* and χ_c at each (σ_w², σ_b²). A point of a grid (not ``exact``) whose c* the Mehler series
    cannot be trusted at (``_correlation_fixed_point``) is taken as ``phase`` takes it, and reads exactly the same."""
    with np.errstate(all="ignore"):
        if act.homogeneous is not None:
            q_star, second, growth, slope = _homogeneous(act, weight, bias)
        else:
            q_star, second, growth, slope = _settle(act, weight, bias, exact=exact)
        chi1 = weight * slope
        finite = (q_star > 0) & np.isfinite(q_star)
        length_slope = np.where(q_star == np.inf, 1.0, weight * (growth * second / np.clip(q_star, Q_MIN, Q_MAX)))
        chaotic = finite & (chi1 > 1)
        faded = (q_star == 0) & (chi1 > 0)  # every layer more and more linear: C's slope at 1 tends to 1
        c_star, chi_c = np.ones_like(weight), np.where((q_star == np.inf) | faded, 1.0, chi1)
        rates = q_star, chi1, length_slope, c_star, chi_c
        if chaotic.any():
            c_star[chaotic], chi_c[chaotic], coarse = _correlation_fixed_point(
                act, q_star[chaotic], weight[chaotic], bias[chaotic], second[chaotic], slope[chaotic], exact=exact)
            if coarse.any():
                redo = np.flatnonzero(chaotic)[coarse]
                for values, exactly in zip(rates, _rates(act, weight[redo], bias[redo], exact=True)):
                    values[redo] = exactly
        return rates


def _depth_scale(rate: np.ndarray) -> np.ndarray:
    """−1/ln(rate): how many layers shrink a deviation e-fold; ∞ where the rate reaches 1, 0 where it is 0."""
    with np.errstate(all="ignore"):
        return np.where(rate >= 1, np.inf, -1.0 / np.log(rate))


def _homogeneous(act: Activation, weight, bias):
    """E[f²] = a·q and E[f'²] = a: V(q) = a σ_w² q + σ_b², solved in closed form."""
    a, slope = act.homogeneous
    gain = a * weight
    start = weight + bias
    q_star = np.where(gain < 1, bias / (1 - gain), np.where((gain == 1) & (bias == 0), start, np.inf))
    q_star = np.where(start == 0, 0.0, q_star)
    return q_star, a * np.clip(q_star, Q_MIN, Q_MAX), np.ones_like(weight), np.full_like(weight, slope)


def _settle(act: Activation, weight, bias, *, exact: bool):
    """q* and the moments there, for an activation without closed forms.

    V is increasing, so the map moves monotonically from q_1 to the nearest root of F(q) = V(q) − q in the
    direction of F(q_1): the root is bracketed on the table's grid, then bisected in s = ln q.
    """
    tables = _tables(act.id)
    start = np.clip(weight + bias, Q_MIN, Q_MAX)
    gap = weight * _second_moments(act, tables, np.log(start), exact) + bias - start
    s_star, lower, upper = _bracket(tables, weight, bias, start, gap)
    search = np.isnan(s_star)
    s_star[search] = _bisect(lower[search], upper[search], weight[search], bias[search],
                             lambda s: _second_moments(act, tables, s, exact))
    q_star = np.exp(s_star)
    moments = np.empty((3, q_star.size))
    finite = np.isfinite(s_star)
    moments[:, finite] = _moments_at(act, tables, s_star[finite], exact)
    moments[:, q_star == np.inf] = tables.moments[:, -1:]  # at Q_MAX
    # q → 0⁺ (then f(0) = 0): E[f²]/q and E[f'²] tend to the mean of f'(0±)², the ln-slope of E[f²] to 1
    at_zero = np.mean(act.deriv(np.array([-Q_MIN, Q_MIN])) ** 2)
    moments[:, q_star == 0] = [[at_zero * Q_MIN], [1.0], [at_zero]]
    return q_star, *moments


def _bracket(tables: _Tables, weight, bias, start, gap):
    """Where the map goes from q_1 = ``start``, where F(q_1) = ``gap``. Returns s* = ln q* where that is known
    already (ln q_1 if F(q_1) is within ``RESOLUTION``, −∞ or +∞ if no root lies that way), NaN where a root
    lies between s = ``lower`` (F ≥ 0) and ``upper`` (F ≤ 0)."""
    s_start = np.log(start)[:, None]
    q = np.exp(tables.s)
    gaps = weight[:, None] * tables.moments[0] + bias[:, None] - q
    falling, rising = gap < -RESOLUTION * start, gap > RESOLUTION * start
    pushed_up = _last((tables.s < s_start) & (gaps >= RESOLUTION * q))  # the nearest such node below q_1
    pushed_down = _first((tables.s > s_start) & (gaps <= -RESOLUTION * q))  # and above
    lower = np.where(falling, _node(tables.s, pushed_up), np.maximum(_node(tables.s, pushed_down - 1), s_start[:, 0]))
    upper = np.where(falling, np.minimum(_node(tables.s, pushed_up + 1), s_start[:, 0]), _node(tables.s, pushed_down))
    s_star = np.where(falling, np.where(pushed_up < 0, -np.inf, np.nan),
                      np.where(rising, np.where(pushed_down < 0, np.inf, np.nan), s_start[:, 0]))
    return s_star, lower, upper


def _last(mask: np.ndarray) -> np.ndarray:
    """Index of the last True in each row, −1 if none."""
    return np.where(mask.any(axis=1), mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1), -1)


def _first(mask: np.ndarray) -> np.ndarray:
    """Index of the first True in each row, −1 if none."""
    return np.where(mask.any(axis=1), np.argmax(mask, axis=1), -1)


def _node(s: np.ndarray, index: np.ndarray) -> np.ndarray:
    """s at each index; −∞ before the first node and +∞ after the last."""
    return np.where(index < 0, -np.inf, np.where(index >= s.size, np.inf, s[np.clip(index, 0, s.size - 1)]))


def _bisect(lower, upper, weight, bias, second_moment) -> np.ndarray:
    """Bisect F(e^s) = σ_w²·E[f²](s) + σ_b² − e^s = 0 between s = ``lower`` (F ≥ 0) and ``upper`` (F ≤ 0)."""
    for _ in range(_BISECTIONS):
        middle = (lower + upper) / 2
        up = weight * second_moment(middle) + bias - np.exp(middle) >= 0
        lower, upper = np.where(up, middle, lower), np.where(up, upper, middle)
    return (lower + upper) / 2


# ---- the correlation map ------------------------------------------------------------------------------------


def _correlation_fixed_point(act, q_star, weight, bias, second, slope, *, exact: bool):
    """(c*, χ_c, coarse) in the chaotic phase, from the Mehler series of C (see the module docstring); ``coarse``
    marks the points where the series cannot be trusted. ``exact``: those are refined (``_refined``) and none is
    left coarse; else they are left for the caller."""
    tables = _tables(act.id)
    s = np.log(q_star)
    fine = _read_table(tables, s, exact)
    fractions = np.empty((q_star.size, MEHLER_TERMS))
    if fine.any():
        fractions[fine] = _interpolate(tables.mehler_s, tables.mehler, s[fine])
    if (~fine).any():
        fractions[~fine] = _mehler(act, q_star[~fine])
    fractions = np.clip(fractions, 0, None)
    orders = np.arange(MEHLER_TERMS)
    tail = np.clip(1 - fractions.sum(axis=1), 0, None)
    tail_slope = q_star * slope / second - fractions @ orders
    tail_order = np.where(tail > 0, np.maximum(tail_slope / np.where(tail > 0, tail, 1), MEHLER_TERMS),
                          MEHLER_TERMS)
    signal = weight * second / (weight * second + bias)  # C(c) = signal·P(c) + (1 − signal), P(1) = 1

    def map_and_slope(c):
        powers = c[:, None] ** orders
        value = np.sum(fractions * powers, axis=1) + tail * c**tail_order
        rate = np.sum(fractions[:, 1:] * orders[1:] * powers[:, :-1], axis=1) + tail * tail_order * c ** (
            tail_order - 1)
        return signal * value + 1 - signal, signal * rate

    c = np.zeros_like(q_star)
    for _ in range(200):
        value, rate = map_and_slope(c)
        step = (value - c) / np.maximum(1 - rate, 1e-300)
        c = np.clip(c + np.maximum(step, 0), 0, 1)
        if np.all(step <= 1e-15):
            break
    rate = map_and_slope(c)[1]
    powers = c[:, None] ** (orders[MEHLER_TERMS // 2 :] - 1)
    late = signal * ((fractions[:, MEHLER_TERMS // 2 :] * orders[MEHLER_TERMS // 2 :] * powers).sum(axis=1)
                     + tail * tail_order * c ** (tail_order - 1))
    coarse = late > REFINE_SHARE * (1 - rate)
    if not exact:
        return c, rate, coarse
    for i in np.flatnonzero(coarse):
        c[i], rate[i] = _refined(act, q_star[i], weight[i], bias[i], c[i])
    return c, rate, np.zeros_like(coarse)


def _refined(act: Activation, q_star: float, weight: float, bias: float, start: float) -> tuple[float, float]:
    """(c*, χ_c) by Newton's method on G(c) = C(c) − c, with C and C' by direct quadrature
    (``initcore.quadrature.pair_expectations``), from the Mehler series' estimate ``start``.

    G is convex with G(c*) = 0 and G > 0 on [0, c*): from a point where G > 0, each Newton step lands between it and
    c*, never past. Where G(start) ≤ 0 the start moves back, 1 − c doubling, until G > 0 (or c = 0, where G = C(0)
    ≥ 0, and G(0) = 0 means c* = 0).
    """
    pairs = [(act.fn, act.fn), (act.deriv, act.deriv)]

    def map_and_slope(c: float) -> tuple[float, float]:
        together, slopes = pair_expectations(pairs, q_star, c)
        return (weight * together + bias) / q_star - c, weight * slopes

    c = min(start, 1 - 2.0**-40)
    gap, rate = map_and_slope(c)
    while gap <= 0 and c > 0:
        c = max(0.0, 1 - 2 * (1 - c))
        gap, rate = map_and_slope(c)
    for _ in range(60):
        if gap <= 0 or rate >= 1:  # c* itself, or within the quadrature's rounding of it
            break
        step = min(gap / (1 - rate), (1 - c) / 2)  # never onto c = 1, where rounding could otherwise put it
        if step <= 1e-9 * (1 - c):  # C' would move by ~10⁻⁹ of 1 − χ_c
            break
        c += step
        gap, rate = map_and_slope(c)
    return c, rate
