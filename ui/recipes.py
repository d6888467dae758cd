"""The same initialization written for PyTorch, Keras and JAX: each line draws exactly the weights the app simulates.

The app's variance-scaling schemes are (scale, mode, distribution), Var(W) = scale / fan. A framework's named
initializer is used only where it is that very distribution: Keras' ``GlorotNormal``, ``HeNormal`` and
``LecunNormal`` and JAX's ``glorot_normal``, ``he_normal`` and ``lecun_normal`` draw a *truncated* normal, so the
app's untruncated ones are written as ``VarianceScaling(..., distribution="untruncated_normal")`` and
``variance_scaling(..., "normal")``. All three store what this app calls W differently: PyTorch as (out, in),
so its fan_in is ``weight.shape[1]``; Keras and JAX as (in, out), like initcore.

For a convolution (``Conv``) the same initializers go into the layer's own line: ``nn.Conv2d``, ``keras.layers.Conv2D``
and ``flax.linen.Conv`` store a kernel of shape (out, in, k, k), (k, k, in, out) and (k, k, in, out), and each
framework's initializers count the fans from it as ``initcore.schemes.conv_fans`` does: kernel area × channels.
Where a PyTorch line writes a fan itself, it reads it from the weight the same way: ``conv.weight[0].numel()``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import initcore
from initcore.schemes import TRUNCATED_STD
from ui.theme import fraction

_NAMED = {  # (scale, mode, distribution) → Keras' and JAX's own name for exactly that distribution
    (1.0, "fan_avg", "uniform"): ("GlorotUniform", "glorot_uniform"),
    (1.0, "fan_avg", "truncated_normal"): ("GlorotNormal", "glorot_normal"),
    (2.0, "fan_in", "uniform"): ("HeUniform", "he_uniform"),
    (2.0, "fan_in", "truncated_normal"): ("HeNormal", "he_normal"),
    (1.0, "fan_in", "uniform"): ("LecunUniform", "lecun_uniform"),
    (1.0, "fan_in", "truncated_normal"): ("LecunNormal", "lecun_normal"),
}
_KERAS_DISTRIBUTIONS = {"normal": "untruncated_normal", "uniform": "uniform", "truncated_normal": "truncated_normal"}
_TORCH_NONLINEARITY = {1.0: "linear", 2.0: "relu"}  # kaiming_*'s gain² for these is the scale
_TORCH_LEAKY = {1 / 3: "math.sqrt(5)"}  # kaiming_*'s default leaky_relu gain² is 2/(1 + a²): a = √5 gives ⅓, what
# nn.Linear draws when nothing is written
_TORCH_FAN = {"fan_in": "layer.weight.shape[1]", "fan_out": "layer.weight.shape[0]",
              "fan_avg": "((layer.weight.shape[0] + layer.weight.shape[1]) / 2)"}
# A conv weight is (out, in, k, …): one output channel's slice holds fan_in weights, one input channel's fan_out.
_TORCH_CONV_FAN = {"fan_in": "conv.weight[0].numel()", "fan_out": "conv.weight[:, 0].numel()",
                   "fan_avg": "((conv.weight[0].numel() + conv.weight[:, 0].numel()) / 2)"}
_TORCH_NAMES = {"relu": "relu", "leaky_relu": "leaky_relu", "elu": "relu", "gelu": "relu", "selu": "selu",
                "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}


def _number(x: float) -> str:
    """``x`` as Python: 2.0, 1.5505, or a fraction where six digits would round it (1 / 3, PyTorch's default)."""
    if x == int(x):
        return f"{x:.1f}"
    written = fraction(x, " / ")
    return written if "/" in written else f"{x:.6g}"


def _root(x: float) -> str:
    """√x as Python, exactly: 1.5 where six digits write it, else math.sqrt(0.5)."""
    written = _number(math.sqrt(x))
    return written if "/" not in written and float(written) == math.sqrt(x) else f"math.sqrt({_number(x)})"


class Conv(NamedTuple):
    """A convolution layer: a kernel of ``kernel`` along each of its ``dims`` axes, ``c_in`` channels in and
    ``c_out`` out."""

    dims: int
    kernel: int
    c_in: int
    c_out: int


def _torch(scale: float, mode: str, distribution: str, weight: str = "layer.weight",
           fans: dict[str, str] = _TORCH_FAN) -> str:
    init = "torch.nn.init."
    if distribution != "truncated_normal":
        if mode == "fan_avg":  # xavier_*: Var = gain² · 2 / (fan_in + fan_out)
            gain = "" if scale == 1 else f", gain={_root(scale)}"
            return f"{init}xavier_{distribution}_({weight}{gain})"
        fan = "" if mode == "fan_in" else f", mode='{mode}'"
        if scale in _TORCH_NONLINEARITY:  # kaiming_*: Var = gain² / fan
            return f"{init}kaiming_{distribution}_({weight}{fan}, nonlinearity='{_TORCH_NONLINEARITY[scale]}')"
        if scale in _TORCH_LEAKY:
            return f"{init}kaiming_{distribution}_({weight}{fan}, a={_TORCH_LEAKY[scale]})"
    std = f"math.sqrt({_number(scale)} / {fans[mode]})"
    if distribution == "normal":
        return f"{init}normal_({weight}, std={std})"
    if distribution == "uniform":
        return f"{init}uniform_({weight}, -(b := math.sqrt(3) * {std}), b)"
    return f"{init}trunc_normal_({weight}, std=(s := {std} / {TRUNCATED_STD!r}), a=-2 * s, b=2 * s)"


def _keras(scale: float, mode: str, distribution: str) -> str:
    if (key := (scale, mode, distribution)) in _NAMED:
        return f"keras.initializers.{_NAMED[key][0]}()"
    return (f'keras.initializers.VarianceScaling(scale={_number(scale)}, mode="{mode}", '
            f'distribution="{_KERAS_DISTRIBUTIONS[distribution]}")')


def _jax(scale: float, mode: str, distribution: str) -> str:
    if (key := (scale, mode, distribution)) in _NAMED:
        return f"jax.nn.initializers.{_NAMED[key][1]}()"
    return f'jax.nn.initializers.variance_scaling({_number(scale)}, "{mode}", "{distribution}")'


def knobs(scheme: str, **params) -> dict | None:
    """(scale, mode, distribution) of a variance-scaling scheme, fixed or custom; None for any other."""
    chosen = initcore.SCHEMES[scheme]
    p = chosen.resolve(**params)
    found = dict(chosen.knobs) or {k: p[k] for k in ("scale", "mode", "distribution") if k in p}
    return found if len(found) == 3 else None


def recipes(scheme: str, conv: Conv | None = None, **params) -> dict[str, str]:
    """One line per framework that draws exactly ``scheme``'s distribution (with ``params``) for a dense layer,
    or, given ``conv``, the lines that build that convolution with it; empty for the schemes that are lessons
    in what not to do."""
    weight, fans = ("layer.weight", _TORCH_FAN) if conv is None else ("conv.weight", _TORCH_CONV_FAN)
    family = knobs(scheme, **params)
    if family is not None:
        family["scale"] = float(family["scale"])
        lines = {"PyTorch": _torch(**family, weight=weight, fans=fans), "Keras": _keras(**family),
                 "JAX": _jax(**family)}
    elif scheme == "orthogonal":
        gain = _number(initcore.SCHEMES[scheme].resolve(**params)["gain"])
        lines = {"PyTorch": f"torch.nn.init.orthogonal_({weight}, gain={gain})",
                 "Keras": f"keras.initializers.Orthogonal(gain={gain})",
                 "JAX": f"jax.nn.initializers.orthogonal(scale={gain})"}
    else:
        return {}
    return lines if conv is None else _conv_layer(conv, lines)


def _conv_layer(conv: Conv, init: dict[str, str]) -> dict[str, str]:
    """The initializers of ``init`` in the lines that build ``conv``: PyTorch's layer, then its weight drawn
    again; Keras' and Flax's layers with the initializer as their kernel's."""
    d, k = conv.dims, conv.kernel
    return {"PyTorch": f"conv = torch.nn.Conv{d}d({conv.c_in}, {conv.c_out}, kernel_size={k})\n{init['PyTorch']}",
            "Keras": f"keras.layers.Conv{d}D({conv.c_out}, {k}, kernel_initializer={init['Keras']})",
            "JAX": f"flax.linen.Conv({conv.c_out}, {(k,) * d}, kernel_init={init['JAX']})"}


def gain_trial(scheme: str, activation: str) -> tuple[str, dict] | None:
    """PyTorch's docs pass Xavier the activation's gain (``xavier_normal_(w, gain=calculate_gain(…))``): what
    that changes, in a sentence, and the settings that show it on Signal propagation (Custom variance scaling:
    Xavier's own knobs with the scale times gain²). None where the scheme is not Xavier or the gain is 1."""
    gain = initcore.ACTIVATIONS[activation].gain
    if not scheme.startswith("xavier_") or gain == 1 or _TORCH_NAMES[activation] != activation:
        return None  # calculate_gain has no entry for ELU or GELU: PyTorch's docs give them no gain to pass
    xavier = initcore.SCHEMES[scheme].knobs
    settings = dict(activation=activation, scheme="variance_scaling", **xavier, depth=50)
    settings["scale"] = round(xavier["scale"] * gain**2, 4)
    sentence = (f"PyTorch's docs also pass `gain=calculate_gain('{_TORCH_NAMES[activation]}')` = {gain:.4g} to "
                f"Xavier: weights {gain:.4g}× as large, a variance {gain**2:.4g}× the formula's. In a deep plain "
                "network " + ("the forward signal then fades less, but the gradient grows on its way back." if gain > 1
                              else "the forward signal then fades, and the gradient shrinks on its way back."))
    return sentence, settings
