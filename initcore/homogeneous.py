"""Scheme switches without a matrix product, under a positively homogeneous activation.

Linear, ReLU and leaky ReLU have f(c·z) = c·f(z) and f'(c·z) = f'(z) for every c > 0. A scheme's weights
W_l = c·B_l therefore scale the whole network. With the *unit network* of the same draws (c = 1),

    u_1 = x B_1,   v_l = f(u_l),   u_{l+1} = v_l B_{l+1};     h_L = g ⊙ f'(u_L),   h_l = (h_{l+1} B_{l+1}ᵀ) ⊙ f'(u_l),

the network of c has z_l = c^l·u_l, a_l = c^l·v_l and dL/dz_l = c^(L-l)·h_l. Every statistic of the simulation
follows by a factor: means by it, variances by its square, histogram samples by it, shares of dead and
saturated units unchanged. So the unit network is simulated once per seed, noise, activation and size
(``UNIT_RUNS``, shared by every run of the process) and each scheme of that noise is derived from it
(``derive``): no matrix product, no draw.

Exactness. Each layer of the unit network is rescaled by a power of two to the scale of its largest entry
(exact in floating point, and f commutes with it exactly), so it neither overflows nor underflows at any depth:
layer l is kept as û_l = u_l·2^(-K_l), and scheme c's z_l is γ_l·û_l with γ_l = c^l·2^(K_l) taken in float64
(likewise dL/dz_l = δ_l·ĥ_l, δ_l = c^(L-l)·2^(G_l)). Means and variances are those of the true values to the
rounding of one float64 product.

What a factor cannot carry is the dtype's range. Where z_l's largest true value passes the largest number, the
layer overflows; that is read off the unit network's largest |û_l|, as a float64 run of the same draws finds
it (``exploded``, and then, with no finite loss, no gradient). Where a true value falls below the smallest
normal number, a float32 network flushes it to zero (``initcore.propagation``), and the zeros change what
follows (ReLU'(0) = 0 cuts the gradient there): no factor says that. So a run in which any nonzero value of
z_l, a_l or dL/dz_l would be flushed is not derivable (``derive`` returns None) and is simulated in full; so is
a run that ``likely_derivable`` expects to be one (a signal fading out of float32's range: small weights in a
deep network), without the unit network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from initcore.activations import Activation
from initcore.lru import ByteLRU
from initcore.schemes import base_std

UNIT_RUN_BYTES = 48 * 2**20  # the samples of about 7 unit networks of 100 layers, or 14 of 50
UNIT_RUNS = ByteLRU(UNIT_RUN_BYTES)
SAMPLE_KINDS = ("pre", "act", "grad", "weight")


@dataclass(frozen=True)
class UnitRun:
    """The unit network's statistics per layer (arrays of length ``depth``) at the scale it is kept at.

    ``table``: the simulation's columns at unit scale (``pre_mean``, ``pre_var``, ``act_mean``, ``act_var``,
    ``grad_var``, ``weight_std``, ``frac_dead``, ``frac_saturated``, ``vanished``, ``grad_vanished``);
    ``pre_exponent`` K_l and ``grad_exponent`` G_l; ``pre_range`` and ``grad_range``, the largest and the
    smallest nonzero |û_l| and |ĥ_l| (inf where every entry is 0), shape (depth, 2); ``samples``: the histogram
    samples of each kind, (depth, SAMPLE) float32, the weights' those of B_l.
    """

    table: dict[str, np.ndarray]
    pre_exponent: np.ndarray
    grad_exponent: np.ndarray
    pre_range: np.ndarray
    grad_range: np.ndarray
    samples: dict[str, np.ndarray]

    def arrays(self) -> list[np.ndarray]:
        """Every array it holds (what it costs ``UNIT_RUNS``)."""
        return [*self.table.values(), self.pre_exponent, self.grad_exponent, self.pre_range, self.grad_range,
                *self.samples.values()]


def scalable(act: Activation, noise: str, c: float) -> bool:
    """Whether scheme c of ``noise`` scales the unit network: a positively homogeneous activation and c > 0.

    All-ones bases (zeros and constant weights) are left out: their products are row sums, nothing to save.
    """
    return act.homogeneous is not None and noise != "ones" and c > 0


def likely_derivable(act: Activation, noise: str, c: float, *, depth: int, width: int, batch: int,
                     dtype: np.dtype) -> bool:
    """Whether ``derive`` is expected to succeed: no nonzero value of the run below the dtype's smallest normal.

    Expected mean squares per layer (He et al. 2015, exact in expectation here): E z_1² = c²nσ_B², then ×c²nσ_B²·E
    f(z)²/q forward, and E (dL/dz_L)² = E f'², then ×c²nσ_B²·E f'² going down. The smallest nonzero of N =
    batch·width values about a root mean square s is near s/N, and one network's log mean square strays from
    its expectation by about √(5l/n) after l layers (Hanin & Rolnick 2018), allowed here 4 times over. A wrong
    guess costs time only: the unit network computed for nothing, or not computed where it would have served.
    """
    to_signal, to_slope = act.homogeneous
    step = c * c * width * base_std(noise, width, width) ** 2
    layers = np.arange(1, depth + 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # c² underflows to 0 below c ≈ 1e-162: log 0 = -inf
        forward = np.log(step) + (layers - 1) * np.log(step * to_signal) + np.log(min(1.0, to_signal))
        backward = np.log(to_slope) + (depth - layers) * np.log(step * to_slope)
    strays = np.concatenate([4 * np.sqrt(5 * layers / width), 4 * np.sqrt(5 * (depth - layers + 1) / width)])
    smallest = 0.5 * (np.concatenate([forward, backward]) - strays) - np.log(batch * width)
    return bool(smallest.min() >= np.log(np.finfo(dtype).tiny / smallest_slope(act)))


def smallest_slope(act: Activation) -> float:
    """min |f(x)/x| over the x where f(x) ≠ 0: how far below z a nonzero activation can lie (leaky ReLU: 0.01)."""
    ratios = np.abs(act.fn(np.array([-1.0, 1.0])))
    return float(ratios[ratios > 0].min())


def magnitude_range(x: np.ndarray) -> tuple[float, float]:
    """The largest |x| and the smallest nonzero |x| (inf if every entry is 0) of a C-contiguous float array
    without NaN.

    A float's magnitude orders as its bits with the sign bit cleared, so both are one integer max and one
    integer min over those bits: taking 1 from every one first wraps the zeros round to the largest integer,
    out of the min's way. Four passes of integer arithmetic, no temporary of floats and no mask.
    """
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    everything = np.iinfo(unsigned).max
    bits = np.bitwise_and(x.reshape(-1).view(unsigned), unsigned.type(everything >> 1))
    largest = bits.max(initial=0)
    bits -= unsigned.type(1)
    below_smallest = bits.min(initial=everything)
    if below_smallest == everything:  # every entry is 0
        return float(np.array(largest, unsigned).view(x.dtype)), math.inf
    as_float = np.array([largest, below_smallest + 1], dtype=unsigned).view(x.dtype)
    return float(as_float[0]), float(as_float[1])


def scales(c: float, exponents: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """c^p·2^e for each power p and exponent e, in float64 without overflowing on the way: c = m·2^k with m in
    [0.5, 1), so c^p = m^p·2^(k·p) with m^p ≥ 2^-p (a power of 0.5 falls to 10^-60 at p = 200, well in range)."""
    m, k = math.frexp(c)
    return np.ldexp(np.float64(m) ** powers, k * powers + exponents)


def derive(unit: UnitRun, c: float, act: Activation, dtype: np.dtype):
    """Scheme c's rows of the table and its histogram samples, from the unit network; None where a nonzero value
    would fall below the dtype's smallest normal number (see the module docstring)."""
    table, depth = unit.table, len(unit.pre_exponent)
    layers = np.arange(1, depth + 1)
    limits = np.finfo(dtype)
    with np.errstate(all="ignore"):
        gamma = scales(c, unit.pre_exponent, layers)
        columns = dict(pre_mean=gamma * table["pre_mean"], pre_var=gamma * gamma * table["pre_var"],
                       act_mean=gamma * table["act_mean"], act_var=gamma * gamma * table["act_var"])
        finite = np.isfinite(np.column_stack(list(columns.values()))).all(axis=1)
        overflows = ~(gamma * unit.pre_range[:, 0] <= limits.max) | ~finite  # |f(z)| ≤ |z|: z overflows first
        exploded_at = int(np.argmax(overflows)) + 1 if overflows.any() else depth + 1
        below = slice(0, exploded_at - 1)
        if not (gamma[below] * unit.pre_range[below, 1] * smallest_slope(act) >= limits.tiny).all():
            return None
        delta = scales(c, unit.grad_exponent, depth - layers)
        grad_var = delta * delta * table["grad_var"]
        grad_overflows = ~(delta * unit.grad_range[:, 0] <= limits.max) | ~np.isfinite(grad_var)
        grad_exploded_at = int(depth - np.argmax(grad_overflows[::-1])) if grad_overflows.any() else 0
        computed = slice(grad_exploded_at, depth)
        if exploded_at > depth and not (delta[computed] * unit.grad_range[computed, 1] >= limits.tiny).all():
            return None
        samples = _scaled_samples(unit.samples, c, gamma, delta)  # overflowed layers are set to NaN below
    columns |= dict(layer=layers, weight_std=abs(c) * table["weight_std"], grad_var=grad_var,
                    frac_dead=table["frac_dead"].copy(), frac_saturated=table["frac_saturated"].copy(),
                    pre_var_error=table["pre_var_error"].copy(),  # relative: the same at any scale
                    exploded=layers >= exploded_at, vanished=table["vanished"].copy(),
                    grad_exploded=layers <= grad_exploded_at, grad_vanished=table["grad_vanished"].copy())
    if exploded_at <= depth:
        _explode(columns, samples, exploded_at)
    else:
        columns["grad_var"][: grad_exploded_at] = np.nan
        columns["grad_vanished"][: grad_exploded_at] = False
        samples["grad"][: grad_exploded_at] = np.nan
    return columns, samples


def _scaled_samples(samples: dict[str, np.ndarray], c: float, gamma, delta) -> dict[str, np.ndarray]:
    """Each kind's samples times its layer's factor (the weights' times c, as ``histograms.record`` takes them)."""
    scaled = {kind: (samples[kind] * factor[:, None]).astype(np.float32)
              for kind, factor in (("pre", gamma), ("act", gamma), ("grad", delta))}
    scaled["weight"] = np.multiply(samples["weight"], c, dtype=np.float32)
    return scaled


def _explode(columns: dict[str, np.ndarray], samples: dict[str, np.ndarray], layer: int) -> None:
    """The forward signal overflowed at ``layer``: from it up nothing is known (above it not even the weights,
    which were never drawn), and since the loss is not finite, nowhere a gradient."""
    at, above = slice(layer - 1, None), slice(layer, None)
    for name in ("pre_mean", "pre_var", "act_mean", "act_var", "frac_dead", "frac_saturated", "pre_var_error"):
        columns[name][at] = np.nan
    columns["weight_std"][above] = np.nan
    columns["grad_var"][:] = np.nan
    columns["vanished"][:] = False
    columns["grad_vanished"][:] = False
    columns["grad_exploded"][:] = True
    for kind in ("pre", "act", "grad"):
        samples[kind][at if kind != "grad" else slice(None)] = np.nan
    samples["weight"][above] = np.nan
