"""Turning engine results into what a page shows: curves for the charts and plain-words verdicts."""

from __future__ import annotations

import numpy as np

import initcore
from ui import cached
from ui.charts import EXPLODING, VANISHING, Curve

DRIFT = 10  # within ×10 end to end is "healthy"; within ×100 "drifting"; beyond, vanishing or exploding


def propagation_curves(settings: dict, schemes: dict[str, dict]) -> tuple[dict, list[Curve], list[Curve]]:
    """Simulate each scheme (cached) with the same network; forward and backward curves with theory."""
    runs, forward, backward = {}, [], []
    for scheme, params in schemes.items():
        run = cached.simulate(**settings, scheme=scheme, **params)
        pre, grad = cached.predicted(settings["depth"], settings["width"], settings["activation"], scheme, params)
        layers = run.layers
        runs[scheme] = run
        forward.append(Curve(scheme, layers.layer.to_numpy(), layers.pre_var.to_numpy(), pre, run.exploded_at))
        backward.append(Curve(scheme, layers.layer.to_numpy(), layers.grad_var.to_numpy(), grad, None))
    return runs, forward, backward


def verdict(run: initcore.Propagation, label: str) -> tuple[str, str]:
    """(kind, sentence): what happened to the signal, in words, with the layer number."""
    layers = run.layers
    if run.exploded_at is not None:
        return "error", (f"**{label}: the signal exploded at layer {run.exploded_at}.** Its values passed "
                         f"float32's largest number (3.4 × 10³⁸) and became inf/NaN; every layer above is "
                         f"garbage, and no gradient can be computed.")
    if run.vanished_at is not None:
        return "warning", (f"**{label}: the signal vanished at layer {run.vanished_at}.** Every activation there "
                           f"is exactly 0: it fell below float32's smallest number (about 10⁻³⁸), or every "
                           f"unit was switched off. Nothing reaches the output, and nothing flows back.")
    if run.grad_exploded_at is not None:
        return "error", (f"**{label}: the gradient exploded on its way back, at layer {run.grad_exploded_at}.** "
                         f"The forward signal stays finite, but each layer multiplied the gradient until it passed "
                         f"float32's largest number and became inf/NaN: training would diverge at once.")
    first, last = layers.pre_var.iloc[0], layers.pre_var.iloc[-1]
    if not first > 0:
        return "warning", (f"**{label}: no signal.** Var z = 0 from layer 1 on: every unit of every layer gets "
                           f"exactly the same input, so the network cannot tell one example from another.")
    if run.grad_vanished_at is not None:
        return "warning", (f"**{label}: the gradient vanished on its way back, at layer {run.grad_vanished_at}.** "
                           f"Below it every gradient is exactly 0: those layers cannot learn.")
    ratio = last / first
    per_layer = ratio ** (1 / max(len(layers) - 1, 1)) if np.isfinite(ratio) else np.nan
    grad_ratio = layers.grad_var.iloc[0] / layers.grad_var.iloc[-1]
    summary = (f"Var z changes by ×{ratio:.3g} from layer 1 to layer {len(layers)} (×{per_layer:.3f} per layer); "
               f"the gradient reaching layer 1 has ×{grad_ratio:.3g} the variance it had at the top.")
    if ratio < VANISHING or grad_ratio < VANISHING:
        return "warning", f"**{label}: vanishing.** {summary}"
    if ratio > EXPLODING or grad_ratio > EXPLODING:
        return "error", f"**{label}: exploding.** {summary}"
    if max(ratio, 1 / ratio, grad_ratio, 1 / grad_ratio) > DRIFT:
        return "info", f"**{label}: drifting slowly.** {summary}"
    return "success", f"**{label}: healthy.** {summary}"


def factor_sentence(activation: str, scheme: str, width: int, depth: int, params: dict) -> str:
    """Theory's per-layer factor Var z_{l+1} / Var z_l at Var z_l = 1, and what it compounds to, in words."""
    factor = initcore.theory.variance_ratio(activation, scheme, width, width, **params)
    if not np.isfinite(factor):
        return ("Constant weights are not zero-mean, so this formula does not apply: every unit gets the same "
                "sum, and the layer acts like a single unit.")
    with np.errstate(over="ignore"):
        compounded = np.power(np.float64(factor), depth)
    return (f"Here, for a signal of variance 1, theory predicts a factor of **{factor:.4g}** per layer, so "
            f"**{compounded:.3g}** after {depth} layers. He init makes it 1 for ReLU (E[relu(z)²] = Var z / 2, "
            "so Var(W) = 2/n_in); Xavier makes it close to 1 for tanh.")


def default_layers(depth: int) -> list[int]:
    """Up to six evenly spaced layers for the ridgeline, first and last included."""
    return sorted({int(round(x)) for x in np.linspace(1, depth, min(depth, 6))})
