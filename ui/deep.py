"""Deep networks in practice: the page's choices turned into a network description, and what its numbers say.

No Streamlit here: ``description`` is what the page's controls chose, as ``initcore.simulate``'s keywords, and
the sentences read the simulated table (``initcore.Propagation.layers``) so that they say what the chart shows.
"""

from __future__ import annotations

import math

import numpy as np

import initcore
from initcore.network import shaped_widths
from initcore.propagation import described
from ui.lessons import held_by_shared, shared_among
from ui.theme import activation_label, mid_sentence, number, times

SHAPES = {"constant": "constant", "funnel": "funnel (halving)", "bottleneck": "bottleneck (narrow middle)",
          "widening": "widening (doubling)"}
# A residual block's branch scale α, by how it is chosen: each a function of the depth L.
RESIDUALS = {
    "none": ("no skip connections", None),
    "one": ("α = 1 (a plain ResNet)", lambda depth: 1.0),
    "inv_sqrt_depth": ("α = 1/√L", lambda depth: 1 / math.sqrt(depth)),
    "gpt2": ("α = 1/√(2L) (GPT-2, Fixup's idea)", lambda depth: 1 / math.sqrt(2 * depth)),
    "zero": ("α = 0 (ReZero, SkipInit)", lambda depth: 0.0),
}
NORMS = {"none": "none", "layer": "LayerNorm", "batch": "BatchNorm"}


def description(*, depth: int, width: int, shape: str, residual: str, norm: str, bias_std: float,
                activation: str) -> dict:
    """``initcore.simulate``'s keywords for the page's choices (the scheme apart). A residual network keeps one
    width from its first block on, so there the shape applies to the first layer only: its input."""
    alpha = RESIDUALS[residual][1]
    widths = shaped_widths(shape, depth, width)
    if alpha is not None and len(set(widths[1:])) > 1:
        widths = (widths[0],) + (width,) * depth
    return dict(depth=depth, width=width, widths=widths, activation=activation,
                residual=None if alpha is None else alpha(depth), norm=None if norm == "none" else norm,
                bias_std=bias_std)


def residual_shape_words(shape: str, network: dict, width: int) -> str:
    """What a shape does to a residual network (``network``, ``description``'s), which keeps one width from its first
    block on: it sets the input's width alone, and where that is the constant network's (a funnel and a bottleneck
    start ``width`` wide), nothing at all. "" for a plain network or a constant shape."""
    if network["residual"] is None or shape == "constant":
        return ""
    first = network["widths"][0]
    if first == width:
        return (f" A residual network keeps one width from its first block on, so only its input could follow the "
                f"shape, and a {shape}'s input is {width} units wide, as a constant network's: here the shape changes "
                "nothing.")
    return (f" A residual network keeps one width from its first block on: the shape sets its input only ({first} "
            f"units).")


def pieces(**choices) -> dict:
    """The keywords of ``description(**choices)`` that make it more than a square plain network (none for one):
    what a lesson of plain networks adds to its settings when the learner picks a shape or biases."""
    square = dict(widths=(choices["width"],) * (choices["depth"] + 1), residual=None, norm=None, bias_std=0.0)
    return {key: value for key, value in description(**choices).items() if key in square and value != square[key]}


def training_shape(shape: str, depth: int, width: int) -> dict:
    """``initcore.train``'s keywords for a lab network of ``depth`` hidden layers shaped as ``shape`` with ``width``
    units in its widest: none for a constant one (depth and width say it), else ``widths`` = (2, n_1, …, n_depth),
    the data's two features first."""
    return {} if shape == "constant" else dict(widths=(2, *shaped_widths(shape, depth - 1, width)))


def words(depth: int, shape: str, residual: str, norm: str, scheme: str, activation: str,
          bias_std: float = 0.0) -> str:
    """The network the page's choices describe, in a phrase: "50 ReLU layers, constant widths, α = 1 (a plain
    ResNet), no norm, under He/Kaiming normal", with its biases where it has them ("…, biases of σ_b = 0.3")."""
    skips = "no skip connections" if residual == "none" else RESIDUALS[residual][0]
    normed = "no norm" if norm == "none" else NORMS[norm]
    biases = f", biases of σ_b = {number(bias_std)}" if bias_std else ""
    return f"{depth} {activation} layers, {SHAPES[shape]} widths, {skips}, {normed}, under {scheme}{biases}"


NARROW = 8  # units: a layer this narrow is far from the wide layers theory's curve assumes
FINITE_WIDTH = 0.25  # Σ 1/n_l from which one network's curve may visibly part from theory's (a ReLU network's log
# variance spreads about 5·Σ 1/n_l from network to network: Hanin & Nica 2019; 100 layers of 32 units end
# decades away, measured over seeds, 100 layers of 1024 within about ×2)
APART = 10  # a last layer this many times above or below theory's: a gap the chart shows


def width_note(widths: tuple[int, ...], curve, activation: str) -> str | None:
    """Why the simulated ``curve`` (a ``ui.charts.Curve`` with theory's values) ends far from theory's where its
    layers (``widths``: n_0, n_1, …) are narrow for their number, in a sentence: theory's curve is the limit of
    wide layers, the same for every network, while each narrow layer's factor is itself random and the random
    factors compound (Σ 1/n_l ≥ ``FINITE_WIDTH``). Said only where the chart shows it: the last layer with a value is
    ``APART`` times off theory's, or the signal is exactly 0. Layers ``NARROW`` units wide or fewer are named: a
    funnel of 100 layers from 1024 units is 2 units wide from layer 10 on. None where there is nothing to say."""
    reciprocal = sum(1 / n for n in widths[1:])
    if curve.theory is None or reciprocal < FINITE_WIDTH or curve.exploded_at is not None:
        return None
    values, theory = np.asarray(curve.values, float), np.asarray(curve.theory, float)
    zero = np.flatnonzero(values == 0)
    seen = np.flatnonzero(np.isfinite(values) & (values > 0) & np.isfinite(theory) & (theory > 0))
    if zero.size:
        if not (np.isfinite(theory[zero[0]]) and theory[zero[0]] > 0):  # theory's 0 too (zero weights): nothing
            return None  # random about it
        first = curve.layer[zero[0]]  # z, what the chart draws: one layer above the activations that died
        ends = (f"This one's Var z is exactly 0 from layer {first}: what layer {first - 1} hands on is all 0."
                if first > 1 else f"This one's Var z is exactly 0 from layer {first}.")
    elif seen.size and not 1 / APART <= values[seen[-1]] / theory[seen[-1]] <= APART:
        ends = (f"This one ends {times(values[seen[-1]] / theory[seen[-1]])} of theory's value at layer "
                f"{curve.layer[seen[-1]]}.")
    else:
        return None
    narrow = [layer for layer, n in enumerate(widths[1:], start=1) if n <= NARROW]
    act = initcore.ACTIVATIONS[activation]
    off = (f", and each unit {act.label} switches off (every negative input gives exactly 0) takes its direction "
           "with it") if act.switches_off else ""
    named = (f" From layer {narrow[0]} on, layers are {NARROW} units wide or fewer ({min(widths[1:])} at the "
             f"narrowest): each unit carries a whole direction of the signal, so one unit's random weights move "
             f"the whole layer's variance{off}." if narrow else "")
    return ("Theory's dotted curve is the limit of wide layers, where each unit sums many inputs and every network "
            "draws the same curve. These layers are narrow for how many there are (the sum of 1/n over the layers "
            f"is {number(reciprocal, 2)}): each layer's factor is itself random, and the random factors compound, "
            f"so one network can end far from theory. {ends}{named} Another seed draws another network; wider "
            "layers bring it closer to theory.")


def widths_text(widths: tuple[int, ...], shown: int = 8) -> str:
    """n_0 → n_1 → … in words, the middle elided past ``shown`` layers."""
    parts = [str(n) for n in widths]
    if len(parts) > shown:
        parts = parts[: shown // 2] + ["…"] + parts[-(shown // 2):]
    return " → ".join(parts)


def growth(values, first: int = 0) -> float:
    """The last finite value over the one at ``first`` (NaN if there is none)."""
    finite = [v for v in values[first:] if math.isfinite(v) and v > 0]
    return finite[-1] / finite[0] if len(finite) > 1 else math.nan


def readings(run: initcore.Propagation, bare: initcore.Propagation | None = None) -> dict[str, str]:
    """The numbers to read off the chosen network, as metric labels and values; with ``bare``, the same network
    without its norm, what the norm changed."""
    layers = run.layers
    out = {"Var z at the last layer": number(layers.stream_var.iloc[-1]) if run.exploded_at is None
           else f"overflow at layer {run.exploded_at}"}
    if run.settings.get("norm"):
        out["Var of what f sees"] = number(layers.pre_var.iloc[-1])
    grad = layers.stream_grad_var
    if run.grad_exploded_at is None and grad.iloc[-1] > 0:
        out["Gradient, first layer ÷ last"] = number(grad.iloc[0] / grad.iloc[-1])
    if run.settings["activation"] in SATURATING:
        out["Saturated units"] = f"{100 * layers.frac_saturated.mean():.0f} %"
        if bare is not None:
            out["Saturated without the norm"] = f"{100 * bare.layers.frac_saturated.mean():.0f} %"
    return out


SATURATING = ("tanh", "sigmoid")  # activations whose units pin at their ends, where the slope is ~0
STANDARDIZED = 0.5  # a norm's output variance below this: it had nothing to standardize (1 where it had)


COUPLED = 10  # a gradient this many times larger at the first layer than at the last, behind BatchNorm: its own


def _branch_rule(alpha: float, norm: str | None, bias_std: float, stream: np.ndarray) -> str:
    """How a residual block changes the stream's variance q (``stream``, layer by layer), for the network's norm and
    biases: ×(1 + α²) for a branch that keeps its input's scale (He on ReLU), plus σ_b² where there are biases;
    behind a norm the branch reads a standardized input and adds about the same each block, whatever q is: this
    network's, on average over its blocks, beside He on ReLU's α²."""
    if norm:
        added = (stream[-1] - stream[0]) / (len(stream) - 1)
        return (f"Behind the norm each branch reads inputs of variance 1, whatever the stream's, so every block adds "
                f"about the same, here {number(added)} a block on average (a branch that keeps its input's scale, "
                f"He on ReLU, adds about α² = {number(alpha**2)}; α = {number(alpha)} here): the stream grows by "
                "adding, not multiplying.")
    rule = (f"A branch that keeps the stream's scale (He on ReLU) multiplies it by 1 + α² a block (α = "
            f"{number(alpha)} here)")
    return f"{rule}, and the biases add σ_b² = {number(bias_std**2)} a block more." if bias_std else f"{rule}."


SAME_SCALE = 0.05  # a norm's divisor within this share of the chart's Var z is told as Var z


def _divided(top, norm: str) -> str:
    """What a norm divided the last layer's gradient by, from its row ``top``: Var dL/du ÷ Var dL/dz. LayerNorm
    divides by each example's variance over the units, about the chart's Var z. BatchNorm divides by each unit's over
    the batch, which leaves out how far apart the units' means lie (after a ReLU, about a third of Var z): where that
    makes it differ from Var z, it is said with both numbers."""
    divisor = top.grad_var / top.stream_grad_var
    if norm == "layer" or abs(divisor / top.stream_var - 1) <= SAME_SCALE:
        return ", about Var dL/du ÷ Var z"
    return (f": Var dL/du, {number(top.grad_var)}, divided by about {number(divisor)}, the variance each unit's z has "
            f"over the batch (the chart's Var z, {number(top.stream_var)}, also counts how far apart the units' means "
            "lie)")


def _theory_down(run: initcore.Propagation, norm: str) -> float:
    """Theory's Var dL/dz at the first layer over the last for ``run``'s network with ``norm`` before each
    activation: BatchNorm's adds the coupling of the batch's examples, LayerNorm's none."""
    s = run.settings
    params = {k: v for k, v in s.items() if k not in _NOT_SCHEME}
    shape = dict(widths=s["widths"]) if s.get("widths") else dict(depth=s["depth"], width=s["width"])
    network = described(**shape, activation=s["activation"], norm=norm, scheme=s["scheme"], **params)
    gradient = initcore.theory.predicted(network)["stream_grad_var"]
    return float(gradient[0] / gradient[-1])


_NOT_SCHEME = ("depth", "width", "activation", "scheme", "batch", "seed", "dtype", "widths", "residual", "norm",
               "bias_std")  # what a run's settings hold beside its scheme's parameters


def story(run: initcore.Propagation) -> str:
    """What the chosen network's numbers show, in a few sentences built from them."""
    s, layers = run.settings, run.layers
    depth, alpha, norm = s["depth"], s.get("residual"), s.get("norm")
    said = []
    if run.exploded_at is not None:
        said.append(f"The signal overflows float32 at layer {run.exploded_at}.")
    empty = False  # a stream of zeros, which no block passes on "whole"
    if alpha is not None and run.exploded_at is None:
        stream = growth(layers.stream_var.to_numpy(), first=0)
        if not math.isfinite(stream):  # no positive variance to grow from: zero weights
            empty = True
            said.append("The stream is exactly 0 at every layer: the first layer's weights give it nothing, and "
                        "each block adds 0 to 0.")
        elif alpha:
            blocks = "The one residual block adds" if depth == 2 else f"Each of the {depth - 1} residual blocks adds"
            said.append(f"{blocks} its branch to the stream, so the stream's "
                        f"variance {'grows' if stream >= 1 else 'changes'} by a factor of {number(stream)} from the "
                        f"first layer to the last. "
                        f"{_branch_rule(alpha, norm, s.get('bias_std', 0.0), layers.stream_var.to_numpy())}")
    if alpha == 0 and not empty and (bias_std := s.get("bias_std", 0.0)):
        grew = growth(layers.stream_var.to_numpy())
        said.append(f"With α = 0 every block's branch is off, but its biases still add σ_b² = {number(bias_std**2)} "
                    f"to the stream, block after block: its variance grows by a factor of {number(grew)} from the "
                    "first layer to the last, by adding, while the gradient reaches every block whole. Training "
                    "then grows α.")
    elif alpha == 0 and not empty:
        said.append("With α = 0 every block passes the stream through untouched: the network starts as its first "
                    "layer alone, and the gradient reaches every block whole. Training then grows α.")
    if norm:
        pre = layers.pre_var.to_numpy()
        spread = number(pre.min()) if number(pre.min()) == number(pre.max()) else (
            f"{number(pre.min())}–{number(pre.max())}")
        name, axis = ("LayerNorm", "a layer's units") if norm == "layer" else ("BatchNorm", "the batch's examples")
        standardized = pre.max() >= STANDARDIZED
        if not standardized:
            said.append(f"The {name} has nothing to standardize: its input is the same across {axis} (the weights "
                        f"make every unit alike, or 0), so z − mean is 0 and it hands every activation inputs of "
                        f"variance {spread}, not 1. A norm rescales a signal; it cannot make one.")
        else:
            said.append(f"The {name} hands every activation inputs of variance {spread}, whatever the weights' "
                        "scale: the forward signal is fixed.")
        top = layers.stream_grad_var.iloc[-1]
        if standardized and math.isfinite(top) and top > 0:
            said.append(f"The gradient is not: on the way back a norm divides it by the scale it divided the signal "
                        f"by, so Var dL/dz at the last layer is {number(top)}{_divided(layers.iloc[-1], norm)}. "
                        "Weights 10× larger would make it 100× smaller, and training's steps with it.")
        down = layers.stream_grad_var.iloc[0] / top if top > 0 else math.nan
        if norm == "batch" and alpha is None and standardized and math.isfinite(down) and down >= COUPLED:
            grows = (f"And going down, it grows {times(down ** (1 / (depth - 1)))} a layer, {times(down)} from the "
                     "last layer to the first, whatever the weights' scale")
            alone = _theory_down(run, "layer")  # each example normalized alone: no coupling
            if _theory_down(run, "batch") >= COUPLED * alone:
                said.append(f"{grows}: that is BatchNorm's own doing. Each example is normalized with the batch's "
                            "mean and variance, so its gradient also flows through every other example's, and in a "
                            "deep network without skip connections that coupling makes gradients explode at any "
                            "initialization (Yang et al. 2019).")
            else:
                said.append(f"{grows}, and theory has it grow as much behind LayerNorm ({times(alone)}), which "
                            f"normalizes each example alone: it is {mid_sentence(activation_label(s['activation']))}'s "
                            "doing, not the batch's.")
    if not said and run.vanished_at is not None:
        above = "every layer above it" if run.vanished_at < len(layers) else "the output"
        said.append(f"The signal vanishes: at layer {run.vanished_at} every activation is exactly 0, so {above} gets "
                    "nothing.")
    elif not said and not math.isfinite(forward := growth(layers.pre_var.to_numpy())):  # zero weights' zeros
        said.append("The signal's variance is exactly 0 at every layer: every unit of a layer gets the same input, "
                    "so nothing that tells one input from another goes forward.")
    elif not said:
        said.append(f"From the first layer to the last the signal's variance changes by a factor of "
                    f"{number(forward)}.")
    if held := held_by_shared(run):  # a variance that stays, held up by what every input shares
        said.append("Yet almost none of the signal tells one input from another: what every input shares, "
                    f"{shared_among(run.settings)}, holds Var z up, while each unit's spread over the inputs (the "
                    "dash-dot curve) "
                    + ("is 0 from layer 1." if held.none_passed else f"falls {times(held.change)}."))
    return " ".join(said)
