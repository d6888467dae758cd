"""Weight-initialization schemes: one registry, one contract.

Every scheme draws a matrix ``W`` shaped ``(fan_in, fan_out)`` as a *multiplier times a unit base*:

    W = c · B,    B drawn from one of five base "noises"

=================  ===============================================  ====================
noise              base B                                           std of one entry
=================  ===============================================  ====================
``normal``         N(0, 1)                                          1
``uniform``        U(-1, 1)                                         1/√3
``truncated``      N(0, 1) conditioned on |x| < 2                   0.87962566103423978
``orthogonal``     Q of a QR of a N(0, 1) matrix, sign-fixed        1/√max(fan_in, fan_out)
``ones``           all ones                                         0
=================  ===============================================  ====================

So switching from Xavier-normal to He-normal changes ``c`` and nothing else: for a fixed seed both
schemes scale the *same* base draw, which makes comparisons fair and lets the simulation reuse draws.

The variance-scaling family (Glorot & Bengio 2010, He et al. 2015, LeCun et al. 1998) is one factory:

    Var(W) = scale / fan,   fan ∈ {n_in, n_out, (n_in + n_out)/2}

normal:  W ~ N(0, scale/fan)
uniform: W ~ U(-√(3·scale/fan), +√(3·scale/fan))          (a uniform on ±L has variance L²/3)
truncated normal (Keras' and JAX's convention): N(0, σ'²) cut at ±2σ', with σ' = σ/0.87962566… so that the
*result* has variance σ² = scale/fan; the cut is at ±2σ' = ±2.2737σ of the result's own σ.

Notation: ``N(μ, σ²)`` names the variance, as in the source document and Glorot & Bengio. Schemes
defined by a standard deviation (``small_normal``, ``large_normal``) take ``std=σ``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType

import numpy as np

from initcore import _validate
from initcore.gaussian import standard_normal

NOISES = ("normal", "uniform", "truncated_normal", "orthogonal", "ones")
MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "uniform", "truncated_normal")

TRUNCATION = 2.0
# Standard deviation of N(0, 1) truncated to (-2, 2): sqrt(1 - 2·2·φ(2)/(Φ(2) - Φ(-2))).
TRUNCATED_STD = 0.87962566103423978


def base_std(noise: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of one entry of the unit base matrix ``B`` (see the module table)."""
    if noise == "normal":
        return 1.0
    if noise == "uniform":
        return 1.0 / math.sqrt(3.0)
    if noise == "truncated_normal":
        return TRUNCATED_STD
    if noise == "orthogonal":
        return 1.0 / math.sqrt(max(fan_in, fan_out))
    return 0.0


def draw_base(noise: str, out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fill ``out`` (a C-contiguous float array: one matrix, or a stack of them along its first axes) with
    the unit base ``B`` for ``noise``; return it."""
    if noise == "ones":
        out.fill(1)
    elif noise == "uniform":
        rng.random(out=out, dtype=out.dtype)
        out *= 2
        out -= 1
    else:
        standard_normal(rng, out)
        if noise == "truncated_normal":
            _resample_outside(out.reshape(-1), rng)
        elif noise == "orthogonal":
            out[...] = orthonormal(out)
    return out


def _resample_outside(flat: np.ndarray, rng: np.random.Generator) -> None:
    """Condition N(0, 1) draws on |x| < 2 by redrawing the ~4.6 % that fall outside, until none do."""
    outside = np.flatnonzero(np.abs(flat) >= TRUNCATION)
    while outside.size:
        flat[outside] = standard_normal(rng, np.empty(outside.size, dtype=flat.dtype))
        outside = outside[np.abs(flat[outside]) >= TRUNCATION]


def orthonormal(gaussian: np.ndarray) -> np.ndarray:
    """Turn a Gaussian matrix (or each of a stack) into a Haar-random matrix with orthonormal columns (or
    rows if wide).

    QR of the tall orientation gives ``Q``; multiplying column j by sign(R_jj) removes the bias
    that LAPACK's sign convention would otherwise put on the distribution (Mezzadri 2007).
    """
    fan_in, fan_out = gaussian.shape[-2:]
    tall = gaussian if fan_in >= fan_out else np.swapaxes(gaussian, -1, -2)
    q, r = np.linalg.qr(tall)
    q *= np.where(np.diagonal(r, axis1=-2, axis2=-1) < 0, -1, 1)[..., None, :].astype(q.dtype)
    return np.ascontiguousarray(q if fan_in >= fan_out else np.swapaxes(q, -1, -2))


def fan(mode: str, fan_in: int, fan_out: int) -> float:
    """The fan that variance scaling divides by: n_in, n_out or their mean."""
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


@dataclass(frozen=True)
class Param:
    """A tunable number or choice of a scheme: its default and the check that validates it."""

    default: object
    check: Callable[[str, object], object]


@dataclass(frozen=True)
class Scheme:
    """One initialization scheme.

    ``multiplier(fan_in, fan_out, params)`` is the ``c`` of ``W = c·B``; ``noise`` names the base
    (``None``: taken from the ``distribution`` parameter). ``latex(params)`` renders the formula
    shown to users; ``verdict`` is what the source document says happens with it. ``knobs``: for a fixed
    member of the variance-scaling family (Xavier, He, LeCun), its ``scale``, ``mode`` and ``distribution``.
    """

    id: str
    label: str
    noise: str | None
    multiplier: Callable[[int, int, Mapping], float]
    latex: Callable[[Mapping], str]
    verdict: str
    outcome: str  # "fails" (a lesson in what not to do), "works", "framework" (a library's default) or "tunable"
    suits: tuple[str, ...] = ()
    params: Mapping[str, Param] = field(default_factory=dict)
    knobs: Mapping[str, object] = field(default_factory=dict)

    def resolve(self, **params) -> dict:
        """Validate ``params`` against this scheme, filling defaults. Unknown names raise."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = sorted(self.params) or "none"
            raise ValueError(f"scheme {self.id!r} takes no parameter {unknown}; allowed: {allowed}")
        return {name: spec.check(name, params.get(name, spec.default)) for name, spec in self.params.items()}

    def noise_for(self, params: Mapping) -> str:
        return self.noise or params["distribution"]

    def std(self, fan_in: int, fan_out: int, **params) -> float:
        """Standard deviation of one weight entry: |c| · std(B)."""
        p = self.resolve(**params)
        return abs(self.multiplier(fan_in, fan_out, p)) * base_std(self.noise_for(p), fan_in, fan_out)

    def bounds(self, fan_in: int, fan_out: int, **params) -> float | None:
        """The half-width L of the support [-L, L] for bounded draws; ``None`` if unbounded."""
        p = self.resolve(**params)
        c = abs(self.multiplier(fan_in, fan_out, p))
        return {"uniform": c, "truncated_normal": TRUNCATION * c, "ones": c}.get(self.noise_for(p))

    def formula(self, **params) -> str:
        return self.latex(self.resolve(**params))

    def sample(self, fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float32, *, matrices: int = 0,
               **params):
        """A ``(fan_in, fan_out)`` weight matrix; with ``matrices``, that many independent ones, stacked."""
        p = self.resolve(**params)
        shape = (matrices, fan_in, fan_out) if matrices else (fan_in, fan_out)
        weights = draw_base(self.noise_for(p), np.empty(shape, dtype=dtype), rng)
        weights *= weights.dtype.type(self.multiplier(fan_in, fan_out, p))
        return weights


# ---- the variance-scaling family --------------------------------------------------------------

_FAN_LATEX = {"fan_in": r"n_{\rm in}", "fan_out": r"n_{\rm out}", "fan_avg": r"n_{\rm in} + n_{\rm out}"}


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _variance_scaling_latex(p: Mapping) -> str:
    """Var(W) = scale/fan written the way papers do: 2/(n_in+n_out) rather than 1/((n_in+n_out)/2)."""
    variance = p["scale"] * (2 if p["mode"] == "fan_avg" else 1)
    fan_tex = _FAN_LATEX[p["mode"]]
    if p["distribution"] == "uniform":
        limit = rf"\sqrt{{\frac{{{_number(3 * variance)}}}{{{fan_tex}}}}}"
        return rf"W \sim \mathcal{{U}}\left(-{limit},\ {limit}\right)"
    normal = rf"W \sim \mathcal{{N}}\left(0,\ \frac{{{_number(variance)}}}{{{fan_tex}}}\right)"
    if p["distribution"] == "truncated_normal":  # on a second line: one is wider than half a laptop's page
        variance_tex = rf"\operatorname{{Var}}(W) = \frac{{{_number(variance)}}}{{{fan_tex}}}"
        cut = rf"\text{{a normal cut at }} \pm {2 / TRUNCATED_STD:.4g}\,\sigma_W"
        return rf"\begin{{gathered}} {variance_tex} \\ {cut} \end{{gathered}}"
    return normal


def _variance_scaling_multiplier(fan_in: int, fan_out: int, p: Mapping) -> float:
    target_std = math.sqrt(p["scale"] / fan(p["mode"], fan_in, fan_out))
    return target_std / base_std(p["distribution"], fan_in, fan_out)


def _positive(low, high):
    return partial(_validate.real, low=low, high=high, low_open=True)


def _family_params(scale: float, mode: str, distribution: str) -> dict[str, Param]:
    return {
        "scale": Param(scale, _positive(0.0, 100.0)),
        "mode": Param(mode, partial(_validate.choice, allowed=MODES)),
        "distribution": Param(distribution, partial(_validate.choice, allowed=DISTRIBUTIONS)),
    }


def variance_scaling(id, label, scale, mode, distribution, *, verdict, suits=(), outcome="works") -> Scheme:
    """A fixed member of the family Var(W) = scale/fan (Xavier, He, LeCun and the frameworks' defaults are one
    line each)."""
    fixed = {"scale": scale, "mode": mode, "distribution": distribution}
    return Scheme(
        id=id,
        label=label,
        noise=distribution,
        multiplier=lambda fan_in, fan_out, _: _variance_scaling_multiplier(fan_in, fan_out, fixed),
        latex=lambda _: _variance_scaling_latex(fixed),
        verdict=verdict,
        outcome=outcome,
        suits=suits,
        knobs=MappingProxyType(fixed),
    )


def _normal_with_std(id, label, std, verdict) -> Scheme:
    return Scheme(
        id=id,
        label=label,
        noise="normal",
        multiplier=lambda fan_in, fan_out, p: p["std"],
        latex=lambda p: rf"W \sim \mathcal{{N}}\left(0,\ {_number(p['std'])}^2\right)",
        verdict=verdict,
        outcome="fails",
        params={"std": Param(std, _positive(0.0, 100.0))},
    )


_XAVIER = ("Balances the variance forward and backward for units of slope 1 at 0: linear ones, and tanh while the "
           "signal is small. The usual pick for sigmoid too, though its slope of at most ¼ still shrinks the "
           "gradient at every layer.")
_HE = "Twice the fan-in variance, making up for ReLU zeroing half its inputs: the default for ReLU-family nets."
_LECUN = "Variance 1/n_in: keeps a linear layer's variance, and the partner of SELU's self-normalizing nets."
_PYTORCH = ("What nn.Linear and nn.Conv layers draw if you write nothing: kaiming_uniform_ with a = √5, which is "
            "U(±1/√n_in), variance 1/(3·n_in), a third of LeCun's. Harmless in a few layers; through a deep ReLU net "
            "it divides the signal's variance by 6 at every layer.")
_KERAS = "What a Keras Dense layer draws if you write nothing: glorot_uniform, which is Xavier uniform."
_FLAX = ("What a Flax Dense layer draws if you write nothing: lecun_normal, a normal of variance 1/n_in cut at two "
         "of its standard deviations and widened to keep that variance.")

_ALL_SCHEMES = [
    Scheme(
        "zeros", "Zeros", "ones", lambda fan_in, fan_out, p: 0.0, lambda p: r"W = 0",
        verdict="Every unit of a layer computes the same output and gets the same gradient, so the units "
        "can never become different: symmetry is never broken and the network does not learn.",
        outcome="fails",
    ),
    Scheme(
        "constant", "Constant", "ones", lambda fan_in, fan_out, p: p["value"],
        lambda p: rf"W = {_number(p['value'])}",
        verdict="All units of a layer stay copies of one another, so a wide layer is no better than one unit: "
        "training is slow and ends at a poor solution.",
        outcome="fails",
        params={"value": Param(0.5, partial(_validate.real, low=-10.0, high=10.0))},
    ),
    _normal_with_std(
        "small_normal", "Small random", 0.01,
        "Each layer shrinks the signal, so deep activations and gradients fade towards zero "
        "(vanishing gradients): early layers barely learn.",
    ),
    _normal_with_std(
        "large_normal", "Large random", 10.0,
        "Each layer amplifies the signal, so activations and gradients grow exponentially until they "
        "overflow to inf/NaN, or saturate tanh and sigmoid units: training diverges.",
    ),
    variance_scaling("xavier_uniform", "Xavier/Glorot uniform", 1.0, "fan_avg", "uniform",
                     verdict=_XAVIER, suits=("tanh", "sigmoid", "linear")),
    variance_scaling("xavier_normal", "Xavier/Glorot normal", 1.0, "fan_avg", "normal",
                     verdict=_XAVIER, suits=("tanh", "sigmoid", "linear")),
    variance_scaling("he_uniform", "He/Kaiming uniform", 2.0, "fan_in", "uniform",
                     verdict=_HE, suits=("relu", "leaky_relu", "elu", "gelu")),
    variance_scaling("he_normal", "He/Kaiming normal", 2.0, "fan_in", "normal",
                     verdict=_HE, suits=("relu", "leaky_relu", "elu", "gelu")),
    variance_scaling("lecun_uniform", "LeCun uniform", 1.0, "fan_in", "uniform",
                     verdict=_LECUN, suits=("selu", "linear")),
    variance_scaling("lecun_normal", "LeCun normal", 1.0, "fan_in", "normal",
                     verdict=_LECUN, suits=("selu", "linear")),
    variance_scaling("pytorch_default", "PyTorch default", 1 / 3, "fan_in", "uniform", verdict=_PYTORCH,
                     outcome="framework"),
    variance_scaling("keras_default", "Keras default", 1.0, "fan_avg", "uniform", verdict=_KERAS,
                     suits=("tanh", "sigmoid", "linear"), outcome="framework"),
    variance_scaling("flax_default", "Flax default", 1.0, "fan_in", "truncated_normal", verdict=_FLAX,
                     suits=("selu", "linear"), outcome="framework"),
    Scheme(
        "orthogonal", "Orthogonal", "orthogonal", lambda fan_in, fan_out, p: p["gain"],
        lambda p: rf"W = {_number(p['gain'])} \cdot Q,\quad Q^\top Q = I \text{{ or }} Q Q^\top = I",
        verdict="A random rotation (QᵀQ = I, or QQᵀ = I where a layer widens): a linear network whose layers never "
        "narrow keeps the length of every input exactly, at any depth (Saxe et al. 2014); a layer that narrows from "
        "n_in to n_out units keeps about n_out/n_in of an input's squared length. On tanh no one gain keeps both "
        "directions: at a gain of 1 the signal and the gradient fade slowly, and at tanh's usual 5/3 the signal holds "
        "while the gradient grows at every layer.",
        outcome="works",
        suits=("linear", "tanh"),
        params={"gain": Param(1.0, _positive(0.0, 10.0))},
    ),
    Scheme(
        "variance_scaling", "Custom variance scaling", None, _variance_scaling_multiplier,
        _variance_scaling_latex,
        verdict="The family behind Xavier, He and LeCun: Var(W) = scale / fan. Choose all three knobs.",
        outcome="tunable",
        params=_family_params(1.0, "fan_in", "normal"),
    ),
]

SCHEMES: Mapping[str, Scheme] = MappingProxyType({s.id: s for s in _ALL_SCHEMES})


def get_scheme(scheme: str) -> Scheme:
    return SCHEMES[_validate.choice("scheme", scheme, SCHEMES)]


def init_weights(scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator, *, dtype=np.float32,
                 matrices: int = 0, **params):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``scheme`` with the generator ``rng``; with ``matrices``,
    a stack of that many independent ones, shape ``(matrices, fan_in, fan_out)``."""
    fan_in = _validate.integer("fan_in", fan_in, 1, 1 << 16)
    fan_out = _validate.integer("fan_out", fan_out, 1, 1 << 16)
    matrices = _validate.integer("matrices", matrices, 0, 1 << 26)
    if max(matrices, 1) * fan_in * fan_out > 1 << 26:
        raise ValueError(f"{max(matrices, 1)}*fan_in*fan_out={max(matrices, 1) * fan_in * fan_out}; "
                         f"expected at most {1 << 26}")
    dtype = _validate.dtype(dtype)
    return get_scheme(scheme).sample(fan_in, fan_out, _validate.generator("rng", rng), dtype, matrices=matrices,
                                     **params)


FANS = 1 << 50  # a convolution's fans, kᵈ·C: up to 1024³ · 2²⁰ by ``conv_fans``, far past what a layer draws


def scheme_std(scheme: str, fan_in: int, fan_out: int, **params) -> float:
    """Standard deviation of one entry of ``scheme``'s weight distribution for these fans."""
    return get_scheme(scheme).std(_validate.integer("fan_in", fan_in, 1, FANS),
                                  _validate.integer("fan_out", fan_out, 1, FANS), **params)


def conv_fans(kernel: int, c_in: int, c_out: int, *, dims: int = 2) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a convolution with a kernel of ``kernel`` along each of its ``dims`` axes
    (k×k for a 2-D one), ``c_in`` channels in and ``c_out`` out: kᵈ·C_in and kᵈ·C_out.

    A convolution is a dense layer applied to one patch at a time: each output value sums kᵈ·C_in products, and
    (at stride 1, away from the borders) each input value feeds kᵈ·C_out of them. PyTorch, Keras and JAX all count
    the fans this way from the weight's shape, stride and padding aside; pass the result to any scheme."""
    kernel = _validate.integer("kernel", kernel, 1, 1 << 10)
    c_in = _validate.integer("c_in", c_in, 1, 1 << 20)
    c_out = _validate.integer("c_out", c_out, 1, 1 << 20)
    area = kernel ** _validate.integer("dims", dims, 1, 3)
    return area * c_in, area * c_out
