"""Turning engine results into what a page shows: curves for the charts and plain-words verdicts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

import initcore
from initcore.network import shaped_widths, shares_across_inputs
from initcore.propagation import MAX_ORTHOGONAL, orthogonal_widest, orthogonal_work
from initcore.training import fit_budget
from ui import cached, drawn
from ui.charts import EXPLODING, OVERFLOWED, TRAINED, VANISHING, Curve, leaves_bands, trains_at, zeros_from
from ui.film import SNAPSHOTS
from ui.theme import activation_label, digits_apart, mid_sentence, number, percent, scheme_label, times

DRIFT = 10  # a change per layer is "dying out" only if the whole change passes this (``_top_factor``)
STEP = 1.1  # steady: within ×DRIFT end to end and this factor a layer ("×0.9 or ×1.1 is already a disaster")
LONG_PATH = 21  # layers: from this many on, a change that levels off (tanh) shows apart from a steady one (ReLU)
ONE_STEP = 0.1  # a change is a few layers' when the series moves, before and after them, under this share of it (log)
FEW_STEPS = 5  # at most this many consecutive layers' steps make a change that is told as theirs
FEW_AT_LEAST = 2  # ... and only a change of more than this factor
# ... and, as a change that levels off over the top layers too, only one past this many standard deviations of the
# path's own layer-to-layer noise (``_noise``): a path of 50 layers offers about 250 windows of 1 to 5 steps, and
# Gaussian noise passes 4.5 standard deviations in any of them with a chance of about 1 in 600 (250 × 6.8 × 10⁻⁶).
# A fixed factor had not been enough: He uniform on 50 ReLU layers fell ×0.434 over layers 45 to 49 by chance (2.4
# standard deviations) and was told it fades, beside He normal's steady ×0.566.
SIGNIFICANT = 4.5
FLOAT32_TINY = float(np.finfo(np.float32).tiny)  # float32's smallest normal number, about 1.2e-38


def propagation_curves(settings: dict, schemes: dict[str, dict], columns: tuple[str, str] = ("pre_var", "grad_var")):
    """Simulate each scheme (cached) with the same network; forward and backward curves of ``columns`` with
    theory's, and a sentence for the chart when comparing cost the schemes inputs or left some out, or when a curve
    lies exactly under another's (else None).
    ``settings`` may describe a network beyond square plain layers (``widths``, ``residual``, ``norm``,
    ``bias_std``: ``initcore.network``)."""
    if len(schemes) == 1:
        (scheme, params), = schemes.items()
        runs, note = {scheme: cached.simulate(**settings, scheme=scheme, **params)}, None
    else:
        shared = cached.simulate_many(schemes, **settings)
        runs, note = shared.runs, budget_note(shared, len(schemes))
    forward, backward, apart = [], [], []
    network = {key: value for key, value in settings.items() if key not in ("seed", "batch")}
    for scheme, run in runs.items():
        predicted = cached.predicted_network(network, scheme, schemes[scheme])
        layers = run.layers
        name = scheme_label(scheme, schemes[scheme])  # a paper's name for settings it named
        forward.append(Curve(scheme, layers.layer.to_numpy(), layers[columns[0]].to_numpy(),
                             _a_line(predicted[columns[0]]), run.exploded_at, name))
        backward.append(Curve(scheme, layers.layer.to_numpy(), layers[columns[1]].to_numpy(),
                              _a_line(predicted[columns[1]]), None, name))
        if shared_part_told(settings) and parts_from_signal(layers):  # drawn after every scheme
            apart.append(Curve(scheme, layers.layer.to_numpy(), layers.stream_input_var.to_numpy(),
                               _a_line(predicted["stream_input_var"]) if len(runs) == 1 else None,  # compared, four
                               run.exploded_at, name, apart=True))  # lines a scheme crowd the chart and legend
    hidden = _hidden_curves(forward, backward)
    return runs, forward + apart, backward, " ".join(filter(None, (note, hidden))) or None


def shared_part_told(settings: dict) -> bool:
    """Whether a network's settings call for the part of its signal every input shares, told apart from the rest
    (``stream_input_var``): it has biases, or an activation whose mean every input shares (``Activation.
    merges_inputs``), which the simulation and theory measure it for, and no batch norm, which takes each unit's
    shared part away (a layer norm does not)."""
    shares = shares_across_inputs(settings["activation"], settings.get("bias_std") or 0.0)
    return shares and settings.get("norm") != "batch"


def parts_from_signal(layers: pd.DataFrame) -> bool:
    """Whether the part of a simulated signal that tells inputs apart (``stream_input_var``) parts from the whole
    (``stream_var``) at some layer: what every input shares is at least half of Var z there. Elsewhere its dash-dot
    curve lies on Var z's own, a line more on the chart and in its legend that says nothing the solid one does not
    (GPT-2's GELU layers, 0.96 of Var z at every layer; SELU under LeCun, 0.98)."""
    return bool(np.any(layers.stream_input_var.to_numpy() < layers.stream_var.to_numpy() / 2))


def shared_among(settings: dict) -> str:
    """What every input of a network shares, in a few words for "what every input shares, …, holds Var z up": its
    biases, or its activation's mean output carried up through the weights."""
    if settings.get("bias_std"):
        return "the biases among it"
    unit = mid_sentence(activation_label(settings["activation"]))
    return f"each {unit} unit's mean output, carried up through the weights"


def _hidden_curves(forward: list[Curve], backward: list[Curve]) -> str | None:
    """Where a scheme's curves, forward and back, are another's to the last digit, the later one is drawn over the
    earlier and hides it (Xavier under LeCun, in layers of one width): say so, or a class asks where it went."""
    said = []
    for k, (ahead, back) in enumerate(zip(forward, backward)):
        over = next((f for f, b in zip(forward[k + 1:], backward[k + 1:])
                     if np.array_equal(f.values, ahead.values, equal_nan=True)
                     and np.array_equal(b.values, back.values, equal_nan=True)),
                    None)
        if over is not None:
            said.append(f"{ahead.name}'s curves lie exactly under {over.name}'s: at these settings the two draw "
                        "the same weights.")
    return " ".join(said) or None


def drawn_width(depth: int, width: int, shape: str, scheme: str, params: dict) -> tuple[int, str | None]:
    """The width a view of ``depth`` layers shaped as ``shape`` is drawn at, and why where it is not ``width``: the
    chosen scheme's orthogonal layers each take a QR decomposition, and where those pass what one view may compute
    (``initcore.propagation.orthogonal_work``), the view is drawn at the widest that fit at this depth rather than
    not at all."""
    chosen = initcore.SCHEMES[scheme]
    if chosen.noise_for(chosen.resolve(**params)) != "orthogonal":
        return width, None
    widest = orthogonal_widest(depth, shape, width)
    if widest == width:
        return width, None
    over = orthogonal_work(shaped_widths(shape, depth, width)) / MAX_ORTHOGONAL
    return widest, (f"Orthogonal weights need a QR decomposition of every layer, and {depth} layers of {width} units "
                    f"take {number(over)} times what one view may compute: this view draws them {widest} units wide, "
                    "the widest that fit at this depth. Lower the depth to draw them wider.")


def _a_line(theory: np.ndarray) -> np.ndarray | None:
    """Theory's curve, where it draws one: constant weights have no variance for theory to scale, and their way back
    is NaN but at the top layer, a lone point that looked like a prediction."""
    return None if np.isnan(theory).any() and np.count_nonzero(np.isfinite(theory)) < 2 <= len(theory) else theory


def sampling_words(run: initcore.Propagation) -> str:
    """How much sampling noise each layer's Var z_l carries, measured on the run's batch (``pre_var_error``): at
    layer 1 and at the layer where it is largest. The units of one input share its length, so the inputs, not the
    batch × width values, are the draws: √(2 / (batch·width)), the error of independent values, had been said (±0.55 %
    where a ReLU network's layer 50 carries ±2.7 %)."""
    batch, width, shaped = run.settings["batch"], run.settings.get("width"), "widths" in run.settings
    values = f"{batch} inputs times its units" if shaped or not width else f"{batch} × {width} values"
    errors = run.layers.pre_var_error.to_numpy()
    if not np.isfinite(errors).any():
        return f"Each layer's variance is measured on {values}."
    worst = int(np.nanargmax(errors))
    first = (f"±{number(100 * errors[0], 2)} % at layer 1" if np.isfinite(errors[0]) else "")
    most = f"±{number(100 * errors[worst], 2)} % at layer {worst + 1}"
    said = most if not first or worst == 0 else f"{first} and up to {most}"
    return (f"Each layer's variance is measured on {values}. The units of one input share that input's length, so "
            f"its sampling noise comes from how the {batch} inputs differ: measured on them, it is {said}.")


def budget_note(shared: initcore.Propagations, asked: int) -> str | None:
    """What one request's budget did to a comparison of ``asked`` schemes, in words; None if nothing."""
    parts = []
    if shared.batch < shared.requested_batch:
        # The chosen scheme's, the first: constant weights' units are copies, and their noise says nothing of this
        (chosen, run), = list(shared.runs.items())[:1]
        errors = run.layers.pre_var_error.to_numpy()
        noise = (f", so each layer's variance carries more sampling noise: up to ±{number(100 * np.nanmax(errors), 2)} "
                 f"% for {initcore.SCHEMES[chosen].label}, measured" if np.isfinite(errors).any() else "")
        parts.append(f"Comparing {asked} schemes at this size shares one view's budget: each network gets "
                     f"{shared.batch} random inputs instead of {shared.requested_batch}{noise}.")
    for scheme, reason in shared.left_out.items():
        parts.append(f"{initcore.SCHEMES[scheme].label} is left out. {reason[0].upper()}{reason[1:]}"
                     + ("" if reason.endswith(".") else "."))
    return " ".join(parts) or None


def chosen_only(label: str, compared: int) -> str | None:
    """What a tab that draws one scheme says while ``compared`` others are compared: which one it shows, and
    where the others are (None when nothing is compared)."""
    if not compared:
        return None
    others = "the other scheme" if compared == 1 else f"the {compared} others"
    return (f"This tab shows {label} only, the scheme chosen under Initialization. "
            f"The forward chart above and the Gradients tab draw {others} beside it.")


def lab_intro(activation: str) -> str:
    """What the Training lab shows, true of ``activation``. Zero weights: where f(0) = 0 no signal reaches the
    output and no gradient the hidden layers, so only the output's bias learns, and the loss can do no better than a
    coin flip's ln 2 (at a large learning rate its steps leave it above); where f(0) ≠ 0 (sigmoid's ½) the output
    layer learns, but every hidden unit stays a copy of the others. Huge weights: under a bounded activation they pin
    the units on its flat ends; under any other they make the outputs, and the loss, huge, which may overflow, and
    under one that switches units off may switch every one off."""
    act = initcore.ACTIVATIONS[activation]
    if act.fn(np.zeros(1))[0] == 0:
        zeros = ("Zeros never learn: only the output's bias can move, so the best they do is a coin flip's loss, "
                 "ln 2 = 0.693.")
    else:
        zeros = (f"Zero weights learn only what one unit could: {mid_sentence(act.label)} is not 0 at 0, so the "
                 "output layer has a signal to learn from, but every hidden unit stays a copy of the others.")
    if act.bounded:
        huge = (f"Huge weights pin the units on {mid_sentence(act.label)}'s flat ends, where almost no gradient gets "
                "through.")
    else:
        huge = ("Huge weights make the outputs and the loss huge, and training may overflow (✕ marks the epoch "
                "where the loss or its gradient became inf/NaN)"
                + (f", or every {mid_sentence(act.label)} unit may switch off." if act.switches_off else "."))
    return ("Same data, same network, same seed, same learning rate: only the starting weights differ. "
            f"{zeros} Tiny weights barely move a deep net. {huge} The schemes made for the activation train.")


def lab_budget(schemes: list[str], depth: int, width: int, epochs: int, widths: tuple[int, ...] | None = None,
               snapshots: int = SNAPSHOTS) -> tuple[list[str], int, str | None]:
    """The schemes and epochs the Training lab can train within one request's budget
    (``initcore.training.MAX_WORK``), and a sentence saying what it cut and what to change (None if nothing):
    first epochs, then, where not even one epoch of every scheme fits, the last schemes. ``widths``: a shaped
    network's (2, n_1, …, n_depth), whose widest layer has ``width`` units; each run films ``snapshots`` + 1 epochs."""
    kept, allowed = fit_budget(schemes, depth=depth, width=width, widths=widths, epochs=epochs, snapshots=snapshots)
    if allowed == epochs and len(kept) == len(schemes):
        return kept, epochs, None
    size = f"{len(kept)} network{'s' if len(kept) > 1 else ''} of {depth} layers × {width} units" + (
        " at the widest" if widths else "")
    sentence = "" if allowed == epochs else (
        f"Trained for {allowed} epoch{'s' if allowed > 1 else ''}, not {epochs}: {size} can train for at most "
        f"{allowed} here, where one server trains for a whole class. ")
    if len(kept) < len(schemes):
        left = ", ".join(initcore.SCHEMES[s].label for s in schemes[len(kept):])
        sentence += f"Left out, since not even one epoch of every scheme fits: {left}. "
    return kept, allowed, sentence + "Fewer or narrower layers, or fewer schemes, train for longer."


def _shaped_factor_sentence(activation: str, scheme: str, width: int, depth: int, params: dict,
                            pieces: dict) -> str:
    """``factor_sentence`` of a network whose widths change or whose biases add σ_b² at every layer: theory's
    factor at layer 2 and at the last, and the change from layer 1 to the last (the chart's dotted curve)."""
    network = dict(depth=depth, width=width, activation=activation, **pieces)
    pre = cached.predicted_network(network, scheme, params)["pre_var"]
    with np.errstate(all="ignore"):
        factors = pre[1:] / pre[:-1]
    widths = pieces.get("widths", ())  # n_in·Var(W) of layers 2 to L, which a fan_in scheme keeps at one number:
    scaled = len({number(n * initcore.scheme_std(scheme, n, m, **params) ** 2, 4)
                  for n, m in zip(widths[1:-1], widths[2:])}) > 1
    why = ", and ".join(reason for key, reason in (
        ("widths", f"the layers' widths change ({'n_in·Var(W) with them' if scaled else 'n_in·Var(W) does not'})"),
        ("bias_std", "every layer adds the biases' σ_b² to its sum")) if key in pieces)
    if depth == 2:  # one step: nothing yet to change from layer to layer
        return (f"Here {why}; two layers take one step of theory's factor, **{number(factors[0], 4)}** from layer 1 "
                "to layer 2 (the dotted curve).")
    if len({number(f, 4) for f in factors}) == 1:  # a halving funnel under He or Xavier
        return (f"Here {why}, and theory's factor comes out the same at every layer: **{number(factors[0], 4)}**, "
                f"{_times(pre[-1] / pre[0])} from layer 1 to layer {depth} (the dotted curve).")
    squashed = f"but {mid_sentence(activation_label(activation))} takes a larger and a smaller signal by different " \
               "factors, so"  # the activation's doing alone
    cause = "so" if scaled or "bias_std" in pieces else squashed
    return (f"Here {why}, {cause} theory's factor is not one number: **{number(factors[0], 4)}** at layer 2 and "
            f"**{number(factors[-1], 4)}** at layer {depth}, {_times(pre[-1] / pre[0])} from layer 1 to layer "
            f"{depth} (the dotted curve).")


PROJECTED_DEPTH = 50  # a network that stays in the bands here is checked against theory at this many layers


def verdict(run: initcore.Propagation, label: str) -> tuple[str, str]:
    """(kind, sentence): the forward signal and the gradient judged apart, in the words ``judge`` gives them,
    with the numbers the words were judged on; a network that ran out of float32 says at which layer."""
    layers = run.layers
    first = layers.pre_var.iloc[0]
    if run.exploded_at is None and run.vanished_at is None and not first > 0:
        return "warning", (f"**{label}** — no signal. Var z = 0 from layer 1 on: every unit of every layer gets "
                           f"exactly the same input, so the network cannot tell one example from another.")
    if run.exploded_at is None and run.vanished_at is None and len(layers) == 1:
        return "info", (f"**{label}** — one layer. It takes the input's variance, 1, to Var z = {number(first)}. "
                        "Whether the next layers multiply it again, and by how much, takes a deeper network: move "
                        "the depth slider.")
    forward, backward = judge_run(run)
    return _worst(forward.kind, backward.kind), f"**{label}** — forward: {forward}; gradient: {backward}."


def verdict_row(run: initcore.Propagation, label: str) -> dict:
    """``verdict`` as a row of the compare table, in short: initialization, forward, gradient."""
    layers = run.layers
    if run.exploded_at is None and run.vanished_at is None and not layers.pre_var.iloc[0] > 0:
        return dict(initialization=label, forward="no signal: Var z = 0", gradient="none")
    if run.exploded_at is None and run.vanished_at is None and len(layers) == 1:
        return dict(initialization=label, forward=f"one layer: Var z = {number(layers.pre_var.iloc[0])}",
                    gradient="—")
    forward, backward = judge_run(run)
    row = dict(initialization=label, forward=forward.short(), gradient=backward.short())
    if run.settings.get("norm") and run.exploded_at is None and run.vanished_at is None:
        # Behind a norm, the sum z_l may explode while the activations see a standard u_l: both are drawn, and
        # both are said (the forward alone contradicted "LayerNorm rescues the forward pass").
        seen = run.layers.pre_var.to_numpy()
        row["seen"] = _on_the_bands(judge(seen, f"from layer 1 to layer {len(seen)}"), seen).short()
    return row


def verdict_table(runs: dict[str, initcore.Propagation], params: dict[str, dict] | None = None) -> pd.DataFrame:
    """``verdict_row`` of each compared scheme, in the order compared, named as the legend names it (with its
    ``params``, a paper's name where a paper named them)."""
    return pd.DataFrame([verdict_row(run, scheme_label(scheme, (params or {}).get(scheme)))
                         for scheme, run in runs.items()])


@dataclass(frozen=True)
class Judgement:
    """What ``judge`` says of one direction: the word and the numbers it was judged on."""

    word: str
    change: float = np.nan  # end to end, along the path
    per_layer: float = np.nan
    path: str = ""
    top: float | None = None  # the factor per layer over the top layers, where the change dies out
    step: int | None = None  # where a few layers make the change: between layers step and step + steps
    steps: int = 1
    projection: str = ""  # what theory says of a deeper network, where it leaves the bands
    event: str = ""  # an overflow or a zero, which says it all
    band: str = ""  # where the signal leaves the chart's bands for good ("above the chart's band, 100, from layer 2")
    band_at: tuple[str, int] | None = None  # the same, in short: ("above", 2)

    @property
    def kind(self) -> str:
        """The word as ``_KINDS`` ranks it: a shallow network that theory says fails deeper is ranked apart."""
        return f"{self.word} here" if self.projection else self.word

    def __str__(self) -> str:
        if self.event:
            return f"{self.word} ({self.event})"
        numbers = (f"{times(self.change)} {self.path}, nearly all of it between layers {self.step} and "
                   f"{self.step + self.steps}"
                   if self.step else f"{times(self.change)} {self.path}, {times(self.per_layer)} a layer")
        if self.top is not None and not self.step:
            numbers += f", {times(self.top)} a layer over the top layers"
        if self.band:
            numbers += f"; {self.band}"
        if self.projection:
            return f"{self.word} so far ({numbers}), but theory says it {self.projection}"
        return f"{self.word} ({numbers})"

    def short(self) -> str:
        if self.word == "none":
            return "none"
        if self.event:
            return f"{self.word}: {self.event.split(':')[0]}"
        said = f"{self.word}, {times(self.change)}"
        if self.band_at and self.word not in ("vanishes", "explodes"):  # a milder word that the bands would belie
            said += f"; {self.band_at[0]} the band from layer {self.band_at[1]}"
        return f"{said}; theory: {self.projection}" if self.projection else said


@drawn.once
def judge_run(run: initcore.Propagation) -> tuple[Judgement, Judgement]:
    """``judge`` of the forward signal z_l and of the gradient dL/dz_l (the residual stream's, in a residual network:
    what the charts draw), each checked against theory at ``PROJECTED_DEPTH`` layers where the network is shallower
    (``_projected``); a signal that overflowed or vanished is told by the layer where it did, and then has no
    gradient. A residual stream carries on past a block whose activations or gradients are all 0 (at α = 0, every
    block's), so there a zero is no event: the stream's variances are judged as they are."""
    layers, settings = run.layers, run.settings
    depth = len(layers)
    carried = settings.get("residual") is not None
    if run.exploded_at is not None:
        return (Judgement("explodes", event=f"exploded at layer {run.exploded_at}: its values passed float32's largest "
                          "number, 3.4 × 10³⁸, and became inf/NaN"),
                Judgement("none", event="every layer above is garbage, and no loss can be computed"))
    forward = None
    if run.vanished_at is not None and not carried:
        why = _why_zero(layers[layers.layer == run.vanished_at].iloc[0], settings["activation"])
        forward = Judgement("vanishes", event=f"vanished at layer {run.vanished_at}: every activation there is "
                            f"exactly 0, since {why}")
    # The gradient is sent down from the output whatever reaches it, and told on its own: a signal of zeros stops it
    # only where the slope at 0 is 0 (ReLU) or the weights are (zero init), and tiny weights under a slope that is
    # not (linear, GELU) let it shrink and underflow by its own factor, or (one layer) reach layer 1 whole.
    if run.grad_exploded_at is not None:
        backward = Judgement("explodes", event=f"exploded at layer {run.grad_exploded_at} on its way back: each "
                             "layer multiplied it until it passed float32's largest number, so training would "
                             "diverge at once")
    elif run.grad_vanished_at is not None and not carried:
        at = run.grad_vanished_at
        backward = Judgement("vanishes", event=f"vanished at layer {at}: every gradient is exactly 0 from "
                             + (f"layer {at}" if at < depth else "the top layer") + " down, so "
                             + ("layer 1 cannot learn" if at == 1 else f"layers 1 to {at} cannot learn"))
    elif depth == 1:  # no way back to judge: what reaches the one layer (its signal vanished, or this is not said)
        backward = Judgement("reaches layer 1", event=f"Var dL/dz = {number(layers.stream_grad_var.iloc[0])}, sent "
                             "down from the output")
    else:
        backward = judge(layers.stream_grad_var.to_numpy(), f"on its way back from layer {depth} to 1",
                         backward=True)
    if forward is not None:
        return forward, backward
    forward = _on_the_bands(judge(layers.stream_var.to_numpy(), f"from layer 1 to layer {depth}"),
                            layers.stream_var.to_numpy())
    if forward.word != "vanishes" and (held := held_by_shared(run)):
        forward = Judgement("vanishes", held.change, event=_held_words(held, depth, settings))
    if depth < PROJECTED_DEPTH:  # theory says what more layers of the same make would add
        params = {k: v for k, v in settings.items() if k not in _RUN_KEYS + _PIECES}
        predicted = cached.predicted_network(_deepened(settings), settings["scheme"], params)
        forward = _projected(forward, predicted["stream_var"], "forward", depth)
        if not forward.projection and shared_part_told(settings):
            forward = _input_lost(forward, predicted["stream_input_var"], predicted["stream_var"])
        backward = _projected(backward, predicted["stream_grad_var"][::-1], "gradient", depth)  # along its way back
    return forward, backward


def _input_lost(judged: Judgement, apart: np.ndarray, signal: np.ndarray) -> Judgement:
    """``judged`` (a shallow network's signal, steady, fading or growing), with the layer by which theory's deeper
    network keeps almost nothing of its input: its part that tells inputs apart (``apart``) under ``VANISHING`` of
    its first layer's and of Var z (``signal``) there, and still falling (``still_merging``), as ``held_by_shared``
    counts it. Theory follows it under no norm (NaN): there nothing is said."""
    if judged.word not in ("steady", "fades", "grows") or not apart[0] > 0:
        return judged
    lost = next((k for k in range(1, len(apart)) if merged(apart[: k + 1], signal[: k + 1])), None)
    return replace(judged, projection=f"keeps almost nothing of the input by layer {lost + 1}") \
        if lost is not None else judged


class Held(NamedTuple):
    """What ``held_by_shared`` finds: the change of the part that tells inputs apart from layer 1 to the top, its
    share of the top layer's Var z, that Var z, and whether the weights pass on none of the input at all (zeros)."""

    change: float
    share: float
    top: float
    none_passed: bool = False


def held_by_shared(run: initcore.Propagation) -> Held | None:
    """Where what every input shares holds a network's signal up while the part that tells one input from another
    (each unit's spread over the inputs, ``stream_input_var``) vanishes: that part's change from layer 1 to the top,
    its share of the top layer's Var z, both under ``VANISHING``, and that Var z; None elsewhere. A bias is the same
    for every input, and so is what a layer below shares, carried up through the weights (sigmoid's mean of ½), so
    Var z may stay steady (tanh under Xavier with σ_b = 0.5: ×0.43 over 50 layers) while what the input put into it
    falls ×10⁻¹² (the ordered phase, where every input ends on one point); zero weights pass on nothing of the input
    at all. ReLU's slow, polynomial merging of inputs under He (×0.036 over 50 layers, ×0.007 over 100) is not this:
    ``still_merging`` tells them apart. Measured where a network has biases or an activation's mean to share
    (sigmoid under Xavier, with no bias at all: ×1/16 a layer); a batch norm takes each unit's shared part away, a
    layer norm does not."""
    if not shared_part_told(run.settings):
        return None
    apart, signal = (run.layers[column].to_numpy() for column in ("stream_input_var", "stream_var"))
    if not signal[-1] > 0:  # no signal left to hold up
        return None
    if apart[0] == 0:  # the same z for every input from layer 1 on
        return Held(0.0, 0.0, float(signal[-1]), none_passed=True)
    change, share = apart[-1] / apart[0], apart[-1] / signal[-1]
    return Held(float(change), float(share), float(signal[-1])) if merged(apart, signal) else None


def merged(apart: np.ndarray, signal: np.ndarray) -> bool:
    """Whether the part of a signal that tells inputs apart (``apart``, layer by layer from layer 1) has all but gone
    at the top, under what every input shares: under ``VANISHING`` of its layer-1 value and of Var z (``signal``)
    there, and still falling (``still_merging``) or past what float32 resolves (where a simulation's levels off)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change, share = apart[-1] / apart[0], apart[-1] / signal[-1]
    return bool(change < VANISHING and share < VANISHING and (share < RESOLVED or still_merging(apart)))


def still_merging(apart: np.ndarray) -> bool:
    """Whether the part of a signal that tells inputs apart (``apart``, layer by layer) still falls by more than
    ``VANISHING`` over the upper half of its layers alone. In the ordered phase it falls by about the same factor
    every layer, so the upper half sees as much of the fall as the lower; under ReLU and He, 1 − c_l falls like 1/l²,
    ×1/4 over any upper half however deep the network, which is a slow drawing together, not the collapse onto one
    point that ``held_by_shared`` tells."""
    return bool(apart[-1] / apart[(len(apart) - 1) // 2] < VANISHING)


def apart_note(curves: list[Curve]) -> str | None:
    """What the dash-dot curves of a forward chart are, where it has them (``shared_part_told``)."""
    if not any(c.apart for c in curves):
        return None
    return ("Dash-dot (o): each unit's variance over the inputs, averaged over the units, which is the part of Var z "
            "that tells one input from another. A bias is the same for every input, and so is a unit's mean output "
            "(a sigmoid's is about ½) carried up through the weights: they add to Var z and never to this part, so a "
            "signal can stay steady with nothing of the input left in it. Float32 holds about 7 "
            "digits of each value, so the simulated part levels off near 10⁻¹⁴ of Var z, where theory's falls on.")


RESOLVED = float(np.finfo(np.float32).eps) ** 2 * 10  # a share of Var z at float32's last digits: not resolved


def _held_words(held: Held, depth: int, settings: dict) -> str:
    """The event of a signal ``held_by_shared``: its short form (before the colon) for a table, then the numbers."""
    short = ("what is left is what every input shares" if held.top < VANISHING else
             "only what every input shares holds Var z up")
    bias_std = settings.get("bias_std")
    shared = (f"each unit's bias (σ_b² = {number(bias_std**2)}) and what the layer below shares, carried up through "
              "the weights, are the same for every input" if bias_std else
              f"{shared_among(settings)}, is the same for every input")
    if held.none_passed:
        return (f"{short}: {shared}, and these weights pass on nothing else: every input gives the same z from "
                "layer 1 on (the dash-dot curve is 0)")
    if held.change == 0:
        fall = f"falls to exactly 0 by layer {depth}, past what float32 resolves"
    else:
        left = "below what float32 resolves" if held.share < RESOLVED else f"to {percent(held.share)} of Var z"
        fall = f"falls {times(held.change)} from layer 1 to layer {depth}, {left}"
    return (f"{short}: {shared}, while what tells one input from another (each unit's spread over the inputs, the "
            f"dash-dot curve) {fall}: every input ends on nearly the same point")


_RUN_KEYS = ("depth", "width", "activation", "scheme", "batch", "seed", "dtype")
# What ``simulate`` adds to the settings of a network beyond square plain layers:
_PIECES = ("widths", "residual", "norm", "bias_std")


def _on_the_bands(judged: Judgement, values: np.ndarray) -> Judgement:
    """``judged`` (the forward signal's ``values`` from layer 1 up), told against the chart's bands too, which
    start from the input's variance, 1. Where layer 1 already left them it is that layer's jump: N(0, 1) weights
    under 256 tanh units take the signal to about 2.6 × 10⁴ in one layer, where it stays, "steady" from layer 1
    on. Where the signal leaves them higher up, the layer it does is said beside the word (constant weights:
    the growth levels off, above the band)."""
    first = values[0]
    if not VANISHING <= first <= EXPLODING:
        word, way = ("explodes", "jumps") if first > EXPLODING else ("vanishes", "drops")
        then = f", then {judged.word}: {times(judged.change)} {judged.path}" if np.isfinite(judged.change) else ""
        return Judgement(word, event=f"at layer 1 already: Var z {way} from the input's 1 to {number(first)}{then}")
    left = leaves_bands(values)
    if judged.event or left is None:
        return judged
    _, side, band, first = left
    return replace(judged, band=f"{side} the chart's band, {number(band)}, from layer {first + 1}",
                   band_at=(side, first + 1))


def _deepened(settings: dict) -> dict:
    """The network a run's ``settings`` describe, ``PROJECTED_DEPTH`` layers deep: more layers added at the top,
    each as wide as its top layer, with the same residual, norm and biases (``simulate``'s keywords)."""
    if "widths" not in settings:  # square plain layers: the key the chart's theory curve is kept under
        return dict(depth=PROJECTED_DEPTH, width=settings["width"], activation=settings["activation"])
    widths = tuple(settings["widths"])
    return dict(widths=widths + widths[-1:] * (PROJECTED_DEPTH + 1 - len(widths)), residual=settings["residual"],
                norm=settings["norm"], bias_std=settings["bias_std"], activation=settings["activation"])


def judge(values: np.ndarray, path: str = "", *, backward: bool = False) -> Judgement:
    """How a variance fares along its path: ``values`` per layer, layer 1 first; the forward signal travels
    up, the gradient (``backward``) down from the top.

    One vocabulary, on the chart's own bands: within ×10 end to end and ×1.1 a layer it is **steady**; beyond the
    bands (×10⁻², ×10²) it **vanishes** or **explodes** by a steady factor per layer; in between, or beyond where
    the factor per layer dies out over the top layers (``_top_factor``), it **fades** or **grows**. A deeper
    network adds its layers at the top, so there the change per layer says whether depth would add much: tanh
    under Xavier loses its signal like 1/l, and more layers add little.
    """
    values = np.asarray(values, dtype=float)
    if (values == 0).all():  # no change to measure: a stream of zero weights' zeros
        return Judgement("vanishes", event="exactly 0 at every layer")
    if zero := _zero_from(values, backward):  # no factor either: ×0 from there, whatever came before
        return Judgement("vanishes", event=zero)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        change = values[0] / values[-1] if backward else values[-1] / values[0]
        per_layer = change ** (1 / (len(values) - 1))
    with np.errstate(divide="ignore", invalid="ignore"):  # a 0 or NaN: no steps, no levelling off (below)
        logs = np.log(values)
        noise = _noise(logs)
    top = _top_factor(values, noise)
    step, steps = _few_steps(logs, noise) or (None, 1)
    # A change a few layers make (past a layer's ×1.1) is told as theirs at any depth: 2.54 at layer 1 and about 1
    # from layer 4 on (tanh, held by its steady scale) fades ×0.394 over 10 layers and over 50, where its factor a
    # layer (×0.902, ×0.981) had said "fades" at 10 and "steady" at 50.
    made_by_few = step is not None and not 1 / STEP <= change <= STEP
    if 1 / DRIFT <= change <= DRIFT and 1 / STEP <= per_layer <= STEP and not made_by_few:
        word, step, steps = "steady", None, 1
    else:
        levels_off = top is not None or step is not None
        if change < 1:
            word = "vanishes" if change < VANISHING and not levels_off else "fades"
        else:
            word = "explodes" if change > EXPLODING and not levels_off else "grows"
    top_factor = None if top is None else 1 / top[0] if backward else top[0]
    return Judgement(word, change, per_layer, path, top_factor, step, steps)


def _zero_from(values: np.ndarray, backward: bool) -> str:
    """"exactly 0 from layer k on" where a variance is 0 from some layer to the end of its path (the top, or on the
    way back layer 1: "down"), every value there the same (constant weights under sigmoid: every unit outputs
    exactly 1.0 in float32 from layer 3); "" where it is not."""
    first = zeros_from(values[::-1] if backward else values)
    if first is None:
        return ""
    return f"exactly 0 from layer {len(values) - first} down" if backward else f"exactly 0 from layer {first + 1} on"


def _few_steps(logs: np.ndarray, noise: float) -> tuple[int, int] | None:
    """Of a series' ``logs`` (of noise ``noise`` a step: ``_noise``), (l, k): the fewest consecutive steps, k of at
    most ``FEW_STEPS`` and no more than half of the others (one of a path of two or more), from layer l to layer
    l + k, that make nearly all of a series' change: what the series
    does before and after them, in log, under ``ONE_STEP`` of their net change. Each side is taken to its middle
    level (the median), so that a simulation's sampling noise in the flat layers, ±2 % a layer under tanh and ±15 %
    under sigmoid, is no change: summed step by step it had hidden the first layers' fall at 20 layers and more.
    Of several such, the one that makes most, and only a change past ×``FEW_AT_LEAST`` either way (SELU's ×0.89
    over 20 layers, noise, had been told as made between layers 12 and 15); None if no such few do. Constant
    weights under tanh jump ×228 from layer 1 to 2 and then hold: no factor a layer (×1.83 over 10 layers) says
    that."""
    if len(logs) < 3 or not np.isfinite(logs).all():
        return None
    for k in range(1, min(FEW_STEPS, max(1, (len(logs) - 2) // 2)) + 1):
        made = logs[k:] - logs[:-k]  # the net change of the k steps from each layer on
        start = int(np.argmax(np.abs(made)))
        before = logs[start] - np.median(logs[: start + 1])
        after = np.median(logs[start + k :]) - logs[start + k]
        if abs(made[start]) > max(np.log(FEW_AT_LEAST), SIGNIFICANT * noise * np.sqrt(k)) \
                and abs(before) + abs(after) < ONE_STEP * abs(made[start]):
            return start + 1, k
    return None


def _noise(logs: np.ndarray) -> float:
    """The standard deviation of a path's layer-to-layer steps about its trend (in log). A simulation's variance is
    a random walk in log (each layer multiplies it by a factor of its own), so k steps spread √k times as much. The
    steps' own spread would count a trend that changes pace (tanh's fast first layers, slow top ones) as noise;
    their differences, σ√2 for steps of spread σ, leave a slow trend out, and their median absolute deviation
    (× 1.4826, a normal spread's) leaves out the few large ones a jump makes. A path of theory, smooth, has next
    to none."""
    if len(logs) < 3:
        return 0.0
    bends = np.diff(logs, 2)
    return 1.4826 * float(np.median(np.abs(bends - np.median(bends)))) / np.sqrt(2)


def _projected(judged: Judgement, theory: np.ndarray, direction: str, shown: int) -> Judgement:
    """A judgement of a shallow network of ``shown`` layers that stayed steady, fading or growing, with what theory
    says of ``PROJECTED_DEPTH`` layers (``theory``: its variances along the same path) where that leaves the chart's
    bands: "steady over these layers, but theory says it vanishes by layer 12". A network that has left a band
    already (its ``band``) is told so only where theory's crossing lies beyond its own layers, not one its chart
    shows ("below the band from layer 27, but theory says it vanishes by layer 27" had been said). The gradient's
    path starts at the top, which lies elsewhere in a deeper network, so for it theory's whole way back is told.
    Constant weights, of no variance, leave theory's first layer at 0 (or, on the gradient's way back, every layer
    but the top NaN): it says nothing of them."""
    if judged.word not in ("steady", "fades", "grows") or np.isnan(theory).any() or not theory[0] > 0:
        return judged
    with np.errstate(divide="ignore", invalid="ignore"):
        change = theory / theory[0]
    outside = np.flatnonzero(~((change >= VANISHING) & (change <= EXPLODING)))
    if not outside.size or (judged.band and outside[0] < shown):
        return judged  # past a band by a layer the network has: its chart shows it already
    going = "explodes" if change[outside[0]] > 1 else "vanishes"
    where = (f" by layer {int(outside[0]) + 1}" if direction == "forward" else
             f", {times(change[-1])} on its way back through {PROJECTED_DEPTH} layers")
    return replace(judged, projection=f"{going}{where}")


_KINDS = {"explodes": "error", "vanishes": "warning", "fades here": "warning", "grows here": "warning",
          "fades": "info", "grows": "info", "steady here": "info",
          "steady": "success"}  # the words, worst first, and their kind of message


def _worst(*words: str) -> str:
    """The kind of message of the worst of ``words``."""
    return _KINDS[_worst_word(*words)]


def _why_zero(row, activation: str) -> str:
    """Why every activation of a layer (a row of ``Propagation.layers``) of ``activation`` is exactly 0: ReLU gives 0
    for every negative input; GELU and sigmoid give a value there that is tiny but not 0, which float32 rounds to 0
    far enough below 0 (GELU's 1 + tanh cancels from about -5.6, as a framework's float32 GELU does)."""
    if row.pre_var == 0 and row.weight_std == 0:
        return "every weight is 0, so every unit's input is exactly 0"
    if row.pre_var < FLOAT32_TINY**2:
        return "the values fell below float32's smallest number (about 10⁻³⁸)"
    if initcore.ACTIVATIONS[activation].switches_off:
        return "every unit got a negative input on every example, and the activation gives 0 there"
    return ("every unit got an input so far below 0 on every example that the activation's value there, tiny but not "
            "0, rounds to 0 in float32")


def classify(pre_var, grad_var) -> tuple[str, str]:
    """(kind of message, word) for a network whose Var z_l and Var dL/dz_l run through ``pre_var`` and
    ``grad_var`` (layer 1 first): the worse of ``judge``'s words for the signal and for the gradient."""
    pre, grad = np.asarray(pre_var, dtype=float), np.asarray(grad_var, dtype=float)
    word = _worst_word(judge(pre).word, judge(grad, backward=True).word)
    return _KINDS[word], word


def _worst_word(*words: str) -> str:
    """The worst of ``judge``'s words, as ``_KINDS`` ranks them."""
    return next(word for word in _KINDS if word in words)


def _top_factor(values: np.ndarray, noise: float) -> tuple[float, int] | None:
    """(factor per layer, layers) over the top third of a per-layer series of variances, if the change levels
    off there: that factor much nearer 1 (under half, in log) than the average one, and the top third's whole
    change within ×``DRIFT``, so that a third more layers would add little. A fixed factor per layer (ReLU) never
    levels off; tanh's fade does, since tanh passes a small signal almost unchanged (under Xavier, ×0.59 over the
    top 33 of 100 layers). A fall that only slows does not: 2 tanh units a layer fall ×0.486 a layer on average
    and still ×0.749 a layer over the top 33 of 100 layers, ×(7 × 10⁻⁵) there. A third, not just a few layers:
    single layers can differ at the ends (tanh under He: the gradient grows ×1.1 a layer on its way down, except
    at the first two layers, whose larger signal sits where tanh is flatter). And only past ``SIGNIFICANT``
    standard deviations of the path's own noise: SELU under He uniform grew ×1 a layer over the top 16 of 50
    layers by chance, where theory's factor there is ×1.1, and was told it levels off."""
    if len(values) < LONG_PATH:
        return None
    layers = len(values) // 3
    with np.errstate(divide="ignore", invalid="ignore"):  # a NaN or 0 factor just fails the test below
        average = np.log(values[-1] / values[0]) / (len(values) - 1)
        top = np.log(values[-1] / values[-1 - layers]) / layers
    slows = abs(top) < abs(average) / 2 and abs(top) * layers < np.log(DRIFT)
    if abs(average) > np.log(DRIFT) / len(values) and slows \
            and abs(top - average) * layers > SIGNIFICANT * noise * np.sqrt(layers):  # noise: a step's (``_noise``)
        return float(np.exp(top)), layers
    return None


def outlook(activation: str, scheme: str, depths: tuple[int, ...] = (10, 50), width: int = 256,
            params: dict | None = None, lead: str = "**How deep can it go?** Theory, for a plain network without "
            "normalization") -> tuple[str, str]:
    """(kind, sentence): what theory predicts for ``scheme`` (with ``params``) under ``activation`` in plain
    networks of each of ``depths`` layers, forward and backward, after ``lead``; the kind is the deepest one's."""
    parts = []
    for depth in depths:
        pre, grad = cached.predicted(depth, width, activation, scheme, params or {})
        judged = judge(pre), judge(grad, backward=True)
        kind = _worst(*(j.word for j in judged))
        forward, backward = (_where(j) for j in judged)
        said = (f"Var z {_times(pre[-1] / pre[0])} and gradient {_times(grad[0] / grad[-1])} ({forward})"
                if forward == backward else f"Var z {_times(pre[-1] / pre[0])} ({forward}), gradient "
                                            f"{_times(grad[0] / grad[-1])} ({backward})")
        if shared_part_told(dict(activation=activation)):  # its mean holds Var z up: what tells inputs apart?
            apart = cached.predicted_network(dict(depth=depth, width=width, activation=activation), scheme,
                                             params or {})["stream_input_var"]
            if forward != "vanishes" and merged(apart, pre):
                said += f", but what tells inputs apart {_times(apart[-1] / apart[0])} (vanishes)"
                kind = _worst(*(j.word for j in judged), "vanishes")
        parts.append(f"{depth} layers: {said}")
    return kind, f"{lead}: {'; '.join(parts)}."


def _where(judged: Judgement) -> str:
    """A ``judge``'s word, with the layers that made its change where a few did (with no chart beside it, "fades"
    alone read as the signal lost where tanh's first layers settle it at the scale that holds it)."""
    if judged.step is None:
        return judged.word
    return f"{judged.word} between layers {judged.step} and {judged.step + judged.steps}, then holds"


def what_to_take(activation: str, steady: dict, depth: int = 50, width: int = 256) -> str | None:
    """Where theory has the activation's recommended scheme vanish or explode through ``depth`` plain layers (the
    Choosing page's outlook, in amber or red under "Recommended scheme"), what to take instead: the activation's own
    steady scale (``steady_scale``'s ``signal``) where theory keeps that steady; else that no single scale does, and
    what a deep network of it relies on. None where the recommendation holds, fades or grows at most."""
    act, scheme = initcore.ACTIVATIONS[activation], initcore.ACTIVATIONS[activation].recommended
    pre, grad = cached.predicted(depth, width, activation, scheme, {})
    kind, word = classify(pre, grad)
    if kind not in ("warning", "error"):
        return None
    label, named = initcore.SCHEMES[scheme].label, mid_sentence(act.label)
    scale = steady["params"]
    other_kind, other_word = classify(*cached.predicted(depth, width, activation, "variance_scaling", scale))
    if other_kind == "success":
        return (f"**For a deep plain {named} network, take n_in·Var(W) = {number(scale['scale'])} rather than "
                f"{label}'s {number(steady['used'])}.** {label} is the usual choice for {named}; in theory, through "
                f"{depth} plain layers, the network {word} under it, and stays steady under n_in·Var(W) = "
                f"{number(scale['scale'])}.")
    other = f"under n_in·Var(W) = {number(scale['scale'])}, the scale that holds Var z = 1"
    return (f"**No single scale keeps a deep plain {named} network steady.** In theory, through {depth} plain layers, "
            f"the network {word} under {label}, and " + (f"{other}, too" if other_word == word else
                                                         f"{other_word} {other}") +
            f". {label} stays the usual choice for {named}; a deep network of it relies on what a plain stack lacks: "
            "normalization layers and residual connections (see *Deep networks in practice*).")


FRAMEWORK_DEFAULTS = tuple(s for s, scheme in initcore.SCHEMES.items() if scheme.outcome == "framework")


def framework_verdict(activation: str, depth: int = 50, width: int = 256) -> str:
    """What theory says of a plain network of ``depth`` layers of ``activation`` built with each framework's
    default, signal and gradient together (``classify``), with the gradient's change from the top to layer 1."""
    said = []
    for scheme in FRAMEWORK_DEFAULTS:
        pre, grad = cached.predicted(depth, width, activation, scheme, {})
        said.append(f"**{initcore.SCHEMES[scheme].label}**: {classify(pre, grad)[1]} (the gradient "
                    f"{_times(grad[0] / grad[-1])} on its way back to layer 1)")
    return (f"Through {depth} layers of {initcore.ACTIVATIONS[activation].label}, theory says: "
            f"{'; '.join(said)}. Deep networks built on these defaults rely on normalization layers and residual "
            "connections, or choose their initialization themselves. In square layers Keras' and Flax's defaults "
            "give the same variance: with n_in = n_out, Xavier's 2/(n_in + n_out) is LeCun's 1/n_in.")


EXACT = 0.01  # a scheme whose n_in·Var(W) is within 1 % of the steady one is exactly right (leaky ReLU: 2 vs 1.9998)


def _near(a: float, b: float) -> bool:
    return abs(a / b - 1) <= EXACT


def steady_scale(activation: str, scheme: str, width: int = 256) -> dict:
    """What keeps a plain network of ``activation`` steady, against what ``scheme`` (square layers) uses.

    Returns ``signal`` and ``gradient`` (``theory.steady_variance`` at Var z = 1), ``params`` (the custom variance
    scaling that uses ``signal``, to 4 decimals, as the page offers it), ``used`` (the scheme's
    n_in·Var(W)), ``exact`` (the scheme is within ``EXACT`` of both), ``holds_signal`` (within ``EXACT`` of the
    signal's), ``one_scale`` (signal and gradient agree within ``EXACT``: one scale can hold both), and
    ``sentence``: all of it in words, with how a signal off Var z = 1 fares at the signal's scale
    (``theory.length_map_slope``): drawn back, held where it is, or, for GELU, pushed further off.
    """
    signal = initcore.theory.steady_variance(activation)
    gradient = initcore.theory.steady_variance(activation, target="gradient")
    used = width * initcore.theory.weight_variance(scheme, width, width)
    holds_signal = _near(used, signal)
    exact, one_scale = holds_signal and _near(used, gradient), _near(signal, gradient)
    label, act = initcore.SCHEMES[scheme].label, activation_label(activation)
    slope = initcore.theory.length_map_slope(activation)
    if slope > 1 + EXACT:
        balance = (f", but only as a balance on a knife's edge: a signal a little larger grows, and faster each layer "
                   f"(the length map's slope at Var z = 1 is {number(slope)}). The first layer already hands on Var z "
                   f"= {number(signal, 4)}, n_in·Var(W) times the inputs' variance of 1, and from there the signal "
                   "runs away")
    elif slope < 1 - EXACT:
        balance = ", and draws a signal that is off it back towards it"
    else:
        balance = ""
    digits = digits_apart((used, signal, gradient), 4)  # leaky ReLU's 1.9998 is not He's 2
    sentence = (f"**What keeps it steady.** For {act}, theory keeps Var z = 1 from changing from one layer to the "
                f"next with n_in·Var(W) = **{number(signal, digits)}**{balance}; it keeps the gradient's variance with "
                f"**{number(gradient, digits)}**. {label} uses **{number(used, digits)}**")
    if exact and np.isclose(used, signal, rtol=1e-9) and np.isclose(used, gradient, rtol=1e-9):
        sentence += ": exactly what it takes, forward and backward, at any depth."
    elif exact:
        off = max(abs(used / signal - 1), abs(used / gradient - 1))
        sentence += (f": what it takes to within {number(100 * off, 2)} %, forward and backward; over 100 layers that "
                     f"is a factor of {number((1 + off) ** 100, 3)} at most.")
    else:
        sentence += (": only approximately right, by the factors above. "
                     + ("" if one_scale else "No single scale holds both: a scale that keeps the signal lets "
                        "the gradient drift, and the other way round."))
    params = dict(scale=round(signal, 4), mode="fan_in", distribution="normal")
    return dict(signal=signal, gradient=gradient, used=used, exact=exact, holds_signal=holds_signal,
                one_scale=one_scale, sentence=sentence, params=params)


@drawn.once
def factor_sentence(activation: str, scheme: str, width: int, depth: int, params: dict,
                    pieces: dict | None = None) -> str:
    """Theory's factor Var z_{l+1} / Var z_l, and what it compounds to from layer 1 to layer ``depth``.

    ``pieces``: what makes the network more than square plain layers (``widths``, ``bias_std``: ``ui.deep.pieces``);
    then the factor changes from layer to layer even for linear and the ReLU family, and the sentence says how
    (``_shaped_factor_sentence``).

    For linear and the ReLU family the factor is one number, n·Var(W)·E[f(z)²]/Var z, at every size of signal,
    so it compounds as a power. For the others it depends on Var z_l (tanh squashes a large signal and passes
    a small one almost unchanged), so the end-to-end change is the length map's q_L / q_1: the dotted theory
    curve of the chart, not the first layer's factor raised to a power.
    """
    weight_variance = initcore.theory.weight_variance(scheme, width, width, **params)
    if pieces and np.isfinite(weight_variance) and weight_variance > 0 and depth > 1:
        return _shaped_factor_sentence(activation, scheme, width, depth, params, pieces)
    if not np.isfinite(weight_variance):
        return ("Constant weights are not zero-mean, so this formula does not apply: every unit gets the same "
                "sum, and the layer acts like a single unit.")
    if weight_variance == 0:
        return "Here theory predicts a factor of **0**: with Var(W) = 0, every z is 0 from layer 1 on."
    rule = ("He init makes the factor exactly 1 for ReLU (E[relu(z)²] = Var z / 2, so Var(W) = 2/n_in). Xavier "
            "makes it 1 for tanh while the signal is small, where tanh z ≈ z; a larger signal gets squashed.")
    if initcore.ACTIVATIONS[activation].homogeneous is not None:
        factor = initcore.theory.variance_ratio(activation, scheme, width, width, **params)  # any Var z
        with np.errstate(over="ignore"):
            compounded = np.power(np.float64(factor), depth - 1)
        span = f", so {_times(compounded)} from layer 1 to layer {depth}" if depth > 1 else ""
        return (f"Here theory predicts a factor of **{number(factor, 4)}** per layer at every size of "
                f"signal{span}. {rule}")
    pre = cached.predicted(depth, width, activation, scheme, params)[0]  # the chart's theory curve, computed once
    smallest = np.finfo(float).tiny  # float64 holds about 1e-308 to 1e308 at full precision
    last = int(np.flatnonzero(np.isfinite(pre) & (pre >= smallest))[-1])
    with np.errstate(all="ignore"):  # the factor at the last layer: q_{L+1} / q_L, one step past the curve
        factors = np.append(pre[1:] / pre[:-1],
                            initcore.theory.variance_ratio(activation, scheme, width, width, q=pre[-1], **params))
    shown = last if np.isfinite(factors[last]) else last - 1
    sentence = (f"Here the activation is not a straight line, so the factor depends on the signal's size: theory "
                f"predicts **{number(factors[0], 4)}** per layer at layer 1 (Var z = {number(pre[0])})")
    if shown > 0:
        sentence += f" and **{number(factors[shown], 4)}** at layer {shown + 1} (Var z = {number(pre[shown])})"
    if last > 0:
        sentence += f": {_times(pre[last] / pre[0])} from layer 1 to layer {last + 1}"
    if last < depth - 1:
        sentence += (", beyond which Var z " + ("falls below even float64's smallest number (about 10⁻³⁰⁸)"
                                                if pre[last + 1] < smallest else
                                                "passes even float64's largest number (about 10³⁰⁸)"))
    return f"{sentence}. {rule}"


def _times(ratio: float) -> str:
    if ratio == 0:
        return "less than **×10⁻³⁰⁸**"
    return f"**{times(ratio)}**" if np.isfinite(ratio) else "more than **×10³⁰⁸**"


BLOWN_UP = 1e3  # training that multiplies a layer's largest weight by more than this has blown the weights up


def symmetry_verdict(initial: int, final: int, width: int, diverged_at: int | None,
                     outputs: np.ndarray, largest: tuple[float, float] = (0.0, 0.0),
                     off_before: int = 0, overflowed: str | None = None) -> tuple[str, str]:
    """(kind, sentence): why a layer's units are, or are not, copies of one another after training.

    ``initial`` and ``final`` count its distinct units before and after training; ``outputs`` are its outputs
    on the training data after training (examples × units); ``largest`` is its largest |w| before and after;
    ``off_before``, how many of its units output 0 on every example before training; ``overflowed``, what a
    diverged run lost to inf/NaN (``TrainingRun.overflowed``; None: not known).
    Alike units are not always a symmetry that never broke: random units can also be pushed by training to
    one flat output (a dead ReLU), or overflow. Training that has not overflowed yet may still have blown the
    weights up by a factor beyond ``BLOWN_UP``: that is said too, and it is never a success.
    """
    if diverged_at is not None:
        lost = "; no unit of this layer computes a number any more" if final == 0 else ""
        what = OVERFLOWED[overflowed] if overflowed else "its numbers overflowed to inf/NaN"
        return "error", (f"Training diverged at epoch {diverged_at}: {what}{lost}. "
                         "Smaller starting weights or a smaller learning rate keep it finite.")
    kind, sentence = _alike_or_not(initial, final, width, outputs, off_before)
    before, after = largest
    if after > BLOWN_UP * before > 0:
        kind = "error" if kind == "error" else "warning"
        sentence += (f" Training also blew the weights up: the largest grew {times(after / before)}, from "
                     f"{number(before)} to {number(after)}. Huge weights give huge gradients, and "
                     "huge gradients take huge steps.")
    return kind, sentence


def _alike_or_not(initial: int, final: int, width: int, outputs: np.ndarray, off_before: int = 0) -> tuple[str, str]:
    """(kind, sentence) for a run that stayed finite: are the layer's units different, and if not, why."""
    if final == width:
        return "success", "The units are different from one another: each can learn its own feature."
    if final > 1:
        return _partly_alike(initial, final, width, outputs, off_before)
    if initial == 1:
        return "error", "Symmetry never broke: every unit in the layer is still a copy of the others."
    if np.ptp(outputs) <= initcore.training.COPY_TOLERANCE * max(1.0, float(np.max(np.abs(outputs)))):
        value = float(outputs.flat[0]) + 0.0  # + 0.0: -0.0 reads 0
        where = "switched off" if value == 0 else "stuck"
        return "warning", (f"Random weights made the units different ({initial} of {width} at the start), but "
                           f"training pushed every one of them to output {number(value)} on every example: {where} "
                           "where the activation is flat, with no slope for a gradient to bring them back. They "
                           "are alike because none of them responds any more, not because of symmetry. Large "
                           "starting weights or a large learning rate make such big steps likely.")
    return "warning", (f"Random weights made the units different ({initial} of {width} at the start), but after "
                       "training they all give the same outputs: they collapsed into one.")


def _partly_alike(initial: int, final: int, width: int, outputs: np.ndarray, off_before: int = 0) -> tuple[str, str]:
    """(kind, sentence) for a layer that kept some, not all, of its units different after training (``initial``
    of them were before).

    Units that output exactly 0 on every example (switched-off ReLUs) are copies of one another and count as
    one distinct unit; the rest of the shortfall is units that copy a live one, some of which may have done so
    before training. Of the units off after training, ``off_before`` were off from the start: training switched
    off the others.
    """
    off = int(np.count_nonzero(~np.any(outputs, axis=0)))
    merged = max(off - 1, 0)
    copies = width - final - merged
    parts = [f"Symmetry broke, but only {final} of the {width} units are different after training."]
    if merged:
        switched = off - min(off_before, off)
        how = (f"Training switched {off} units off" if not off_before else
               f"{off} units are off, {min(off_before, off)} of them from the start" if not switched else
               f"{off} units are off: training switched {switched} off, and {off_before} "
               f"{'was' if off_before == 1 else 'were'} off from the start")
        parts.append(f"{how}: they output 0 on every example, where the activation is flat and no gradient can "
                     "bring them back, so together they count as one.")
    if copies:
        before = width - initial - max(off_before - 1, 0)  # live units that copied another before training
        parts.append(f"{copies} other unit{'s' if copies > 1 else ''} ended up copying another one." if before <= 0
                     else f"{copies} other unit{'s copy' if copies > 1 else ' copies'} another one, as {before} "
                          "already did before training.")
    return ("warning" if off > width / 2 else "info"), " ".join(parts)


def schemes_at_a_glance() -> dict[str, list[str]]:
    """Every scheme in a line (name, the activations it suits, what happens with it), grouped by outcome."""
    headings = {"fails": "What not to do", "works": "A good start", "framework": "What your framework draws if you "
                "write nothing", "tunable": "You choose"}
    glance = {heading: [] for heading in headings.values()}
    for scheme in initcore.SCHEMES.values():
        suits = ", ".join(activation_label(a) for a in scheme.suits)
        glance[headings[scheme.outcome]].append(f"**{scheme.label}**{', for ' + suits if suits else ''}. "
                                               f"{scheme.verdict}")
    return glance


def default_layers(depth: int) -> list[int]:
    """Up to six evenly spaced layers for the ridgeline, first and last included."""
    return sorted({int(round(x)) for x in np.linspace(1, depth, min(depth, 6))})


def sweep_caption(table: pd.DataFrame, epochs: int, upright: bool = False) -> str:
    """What the learning-rate sweep (``initcore.lr_sweep``'s table) shows, read off its cells: the learning rates at
    which each scheme trains, the scheme that trains at the most first, and where the lab's ``epochs`` did not fit
    the training budget, the epochs each cell had instead (so a cell need not match the lab's table). ``upright``: a
    phone's chart, whose schemes are columns."""
    schemes = sorted(dict.fromkeys(table.scheme), key=lambda s: -int((table[table.scheme == s].final_loss
                                                                       < TRAINED).sum()))
    said = "; ".join(f"{scheme_label(s)} {trains_at(table[table.scheme == s])}" for s in schemes)
    line = "column" if upright else "row"
    caption = (f"Along each scheme's {line}, the dark cells are the learning rates at which it trains (a final loss "
               f"under half of ln 2, darker lower); at the pale ones it did not learn, and ✕ marks a run that "
               f"diverged. Here {said}.")
    cells = int(table.epochs.iloc[0])
    if cells != epochs:
        caption += (f" Each cell trained for {cells} epochs, where the lab above trains {epochs}: the training budget "
                    f"allows no more for {len(table)} trainings, so a cell at the lab's learning rate need not match "
                    "its table.")
    return caption
