"""The Training lab's promise that Xavier and He train, kept: where one of them does not at the chosen settings,
why in plain words, and a nearby setting that does train it, tried for real before it is offered.

A run *learned nothing* when it diverged or its loss ends within ``STUCK`` of ln 2, a coin flip's loss; a
setting *trains* a scheme when its loss ends under ``ui.charts.TRAINED`` (half of ln 2) without diverging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import initcore
from initcore.training import fit_budget
from ui import cached
from ui.charts import OVERFLOWED, TRAINED
from ui.controls import LR_CHOICES
from ui.film import SNAPSHOTS
from ui.theme import activation_label, number, percent, times

LN2 = float(np.log(2))
STUCK = 0.9  # a final loss above 0.9 ln 2: the network learned (next to) nothing
OVERSURE = 1.5  # a final loss above 1.5 ln 2, without overflowing: answers sure of themselves and often wrong
TRIES = 4  # settings tried per failing scheme, at most: each is a training run
FADES = 1e-3  # theory's change of the signal's variance over the network beyond which a scheme does not suit it


@dataclass(frozen=True)
class Advice:
    """Why ``schemes`` (one, or several stopped by the same cause) learned nothing here, and ``fix`` (the lab's
    settings to change) with ``fix_words`` and ``result`` when a tried setting trains them; ``fix`` is None when
    none of those tried did (``result`` says which), or when nothing needs changing (the scheme that suits the
    activation is in the comparison)."""

    schemes: tuple[str, ...]
    why: str
    fix: dict | None
    fix_words: str
    result: str


def learned_nothing(row) -> bool:
    return bool(pd.notna(row.diverged_epoch) or row.final_loss >= STUCK * LN2)


def _trains(row) -> bool:
    return bool(pd.isna(row.diverged_epoch) and row.final_loss < TRAINED)


def _promised(scheme: str) -> bool:
    """Schemes the lab promises will train: Xavier, He, LeCun (the variance-scaling family)."""
    return bool(initcore.SCHEMES[scheme].knobs)


def advise(summary: pd.DataFrame, settings: dict, schemes: list[str]) -> list[Advice]:
    """For the Xavier, He or LeCun runs in ``summary`` (the lab's, at ``settings``) that learned nothing: why,
    said once for the schemes one cause stopped, and the first nearby setting that trains them (each tried as
    a real, cached run). ``settings["epochs"]`` is the learner's: a scheme tried alone may train for more
    epochs than each of several schemes could."""
    rows = {row.scheme: row for _, row in summary.iterrows()}
    stopped: dict[object, list[str]] = {}
    for scheme, row in rows.items():
        if _promised(scheme) and learned_nothing(row):
            cause = _cause(scheme, row, settings)
            stopped.setdefault(cause if cause in _SHARED else (cause, scheme), []).append(scheme)
    return [_advice(group, cause if cause in _SHARED else cause[0], rows, settings, schemes)
            for cause, group in stopped.items()]


_SHARED = ("overshoots", "sigmoid", "stalls")  # causes that do not depend on the scheme: said once for all it stopped


def _cause(scheme: str, row, settings: dict) -> str:
    """Why a run learned nothing: its loss overflowed, or grew far past a coin flip's without overflowing (steps
    that overshoot), sigmoid, a scheme that does not suit the activation, or a learning rate that does not move a
    deep network's first layers."""
    suits = scheme == initcore.ACTIVATIONS[settings["activation"]].recommended
    if pd.notna(row.diverged_epoch):  # the weights are to blame where they blew the output up before any step
        return "mismatch" if not suits and _huge(row.initial_loss) else "diverged"
    if _huge(row.final_loss) or _huge(row.peak_loss):
        return "overshoots"
    if settings["activation"] == "sigmoid":
        return "sigmoid"
    change = _theory_change(scheme, settings)
    if not suits and not 1 / FADES > change > FADES:
        return "mismatch"
    return "stalls"


def _huge(loss: float) -> bool:
    """A loss far above a coin flip's: the network's answers sure of themselves, and often wrong."""
    return not loss <= OVERSURE * LN2  # NaN, an overflow, is huge too


def _advice(group: list[str], cause: str, rows: dict, settings: dict, schemes: list[str]) -> Advice:
    scheme = group[0]
    who = " and ".join(f"**{initcore.SCHEMES[s].label}**" for s in group)
    stall = "stall" if len(group) > 1 else "stalls"
    activation, depth, width, lr = (settings[k] for k in ("activation", "depth", "width", "lr"))
    if cause == "diverged":
        what = {rows[s].overflowed for s in group}
        overflowed = OVERFLOWED[what.pop()] if len(what) == 1 else "training overflowed to inf/NaN"
        why = (f"For {who}, at epoch {int(rows[scheme].diverged_epoch)} {overflowed}: a learning rate of {lr:g} is "
               f"too large for {depth} layers of {width} units. Its first steps overshoot, and the weights grow until "
               "the numbers run off to inf.")
        candidates = _smaller_steps(lr) + _shallower(settings) + [
            shallower | step for shallower in _shallower(settings) for step in _smaller_steps(lr)[:1]]
    elif cause == "overshoots":
        def went(s: str) -> str:  # how one run's loss went: up and back near ln 2, or up to the end
            row = rows[s]
            return (f"shot up to {number(row.peak_loss)} and ended at {number(row.final_loss)}"
                    if not _huge(row.final_loss) else f"ended at {number(row.final_loss)}")
        far = f"far above a coin flip's ln 2 = {number(LN2)}"
        losses = (f"the losses went {far}: " + "; ".join(f"{initcore.SCHEMES[s].label}'s {went(s)}" for s in group)
                  if len(group) > 1 else f"the loss went {far}: it {went(scheme)}")
        settled = all(not _huge(rows[s].final_loss) for s in group)
        why = (f"For {who}, nothing overflowed, but {losses}. A learning rate of {lr:g} is too large for {depth} "
               f"layers of {width} units: the steps overshoot and throw the weights far out, " + (
                   "where the network is left learning nothing." if settled else
                   "until the network's answers are so sure of themselves that every mistake costs a huge loss."))
        candidates = _smaller_steps(lr) + _shallower(settings)
    elif cause == "sigmoid":
        shrinks = " and ".join(f"at least {number(4 / np.sqrt(initcore.SCHEMES[s].knobs['scale']), 2)}-fold"
                               + (" a layer with " if k == 0 else " with ") + f"{initcore.SCHEMES[s].label}'s"
                               for k, s in enumerate(group))
        why = (f"{who} {stall} at ln 2 because sigmoid saturates: its outputs are all positive, about ½ "
               f"instead of 0, and its slope is at most ¼, so the gradient shrinks {shrinks} weights. "
               "Xavier's formula assumes an activation centred on 0 with slope 1 there, like tanh; He's assumes "
               "ReLU, which zeroes half of its inputs.")
        candidates = [dict(activation="tanh"), *_larger_steps(lr)]
    elif cause == "mismatch":
        suited = initcore.ACTIVATIONS[activation].recommended
        suited_label = initcore.SCHEMES[suited].label
        change = _theory_change(scheme, settings)
        why = (f"{who} does not suit {activation_label(activation)}: theory says it takes the signal's "
               f"variance {times(change)} from layer 1 to layer {depth}, and the gradient that reaches the first "
               f"layers {'grows' if change > 1 else 'shrinks'} as much.")
        if pd.notna(rows[scheme].diverged_epoch):
            why += (f" Before any step its loss is already {number(rows[scheme].initial_loss)}, against a coin "
                    f"flip's {number(LN2)}, and at epoch {int(rows[scheme].diverged_epoch)} "
                    f"{OVERFLOWED[rows[scheme].overflowed]}.")
        why += f" {suited_label} keeps it steady."
        if suited in rows:
            return Advice(tuple(group), why, None, "", (
                f"{suited_label}, compared here, trains the same network: the loss chart shows the difference."
                if _trains(rows[suited]) else
                f"{suited_label} is compared here too, and learned nothing either: see why below."
                if learned_nothing(rows[suited]) else
                f"{suited_label}, compared here, learns: the loss chart shows the difference."))
        candidates = [dict(schemes=[*schemes, suited])]
    else:
        why = (f"{who} {stall} near ln 2: through {depth} layers, at a learning rate of {lr:g}, "
               + ("their" if len(group) > 1 else "its") + " first layers' weights do not move usefully in this many "
               "epochs.")
        candidates = _smaller_steps(lr) + _shallower(settings) + _larger_steps(lr)
    return _first_that_trains(group, why, candidates[:TRIES], settings, schemes)


def _theory_change(scheme: str, settings: dict) -> float:
    """Theory's Var z at the last layer over Var z at the first, with the scheme's default parameters."""
    shape = {"widths": settings["widths"]} if "widths" in settings else dict(depth=settings["depth"],
                                                                            width=settings["width"])
    predicted = cached.predicted_network(shape | dict(activation=settings["activation"]), scheme, {})["pre_var"]
    if predicted is None or len(predicted) < 2 or not predicted[0] > 0:
        return 1.0
    return float(predicted[-1] / predicted[0])


def _smaller_steps(lr: float) -> list[dict]:
    """The next rungs down the learning-rate ladder: one step smaller, then about ten times smaller."""
    lower = [rung for rung in LR_CHOICES if rung < lr]
    return [dict(lr=rung) for rung in dict.fromkeys([lower[-1], lower[max(len(lower) - 3, 0)]])] if lower else []


def _larger_steps(lr: float) -> list[dict]:
    higher = [rung for rung in LR_CHOICES if rung > lr]
    return [dict(lr=rung) for rung in higher[1:3]] if higher else []  # sigmoid's slow start needs 10×, not 3×


def _shallower(settings: dict) -> list[dict]:
    """A third of the layers, for a deep network of one width (a shaped one's widths name its depth)."""
    depth = settings["depth"]
    return [dict(depth=max(depth // 3, 2))] if depth > 4 and "widths" not in settings else []


def _first_that_trains(group: list[str], why: str, candidates: list[dict], settings: dict,
                      schemes: list[str]) -> Advice:
    """The first of ``candidates`` under which the lab, run again with it, would train every scheme of
    ``group`` (or the scheme a candidate adds): each is trained as the lab will train it, for the epochs its
    budget will allow."""
    tried = []
    for candidate in candidates:
        after = candidate.get("schemes", schemes)
        targets = [after[-1]] if "schemes" in candidate else group
        changed = settings | {k: v for k, v in candidate.items() if k != "schemes"}
        _, epochs = fit_budget(after, depth=changed["depth"], width=changed["width"], widths=changed.get("widths"),
                               epochs=changed["epochs"], snapshots=SNAPSHOTS)
        outcomes = {target: cached.outcome(target, changed | dict(epochs=epochs)) for target in targets}
        words = _words(candidate, targets[-1])
        if all(_trains(row) for row in outcomes.values()):
            ends = [f"{initcore.SCHEMES[target].label} ends at loss {number(row.final_loss)} and "
                    f"{percent(row.test_accuracy)} test accuracy" for target, row in outcomes.items()]
            return Advice(tuple(group), why, candidate, words,
                          f"Tried: with {words}, {', and '.join(ends)}, after {epochs} epochs.")
        tried.append(words)
    names = " and ".join(initcore.SCHEMES[s].label for s in group)
    return Advice(tuple(group), why, None, "", f"Tried for {names}, without success: {', '.join(tried)}."
                  if tried else "")


def _words(candidate: dict, target: str) -> str:
    """A change of settings as the button says it: 'a learning rate of 0.03', 'tanh', '10 layers', 'He'."""
    said = {"schemes": lambda: initcore.SCHEMES[target].label, "activation": lambda: activation_label(
        candidate["activation"]), "depth": lambda: f"{candidate['depth']} layers",
            "lr": lambda: f"a learning rate of {candidate['lr']:g}"}
    return " and ".join(said[key]() for key in said if key in candidate)
