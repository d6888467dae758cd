"""Tables as the pages show them: headers a learner can read, each with its definition one hover away.

Each table's first column names its rows and is pinned: on a phone the other columns scroll under it.

The engine's data frames keep their column names (a downloaded CSV matches what a notebook gets from
``initcore``); only the display is renamed here, through Streamlit's column configuration.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit import column_config as column

import initcore
from ui import cached, theme
from ui.controls import CHOICES


def _number(label: str, help: str, format: str = "%.4g") -> dict:
    return column.NumberColumn(label, help=help, format=format, width=72)


def _figure(label: str, help: str, width: int) -> dict:
    """A column of numbers written as every page writes them (``ui.theme.number``), right-aligned."""
    return column.TextColumn(label, help=help, width=width, alignment="right")


# layer_summary's table: nine columns that fit a laptop's page (790 px) without scrolling sideways. The mean of
# z_l, about 0 for any zero-mean weights, is in the CSV only, as is Var z_l's sampling error, which the page's
# opening states at layer 1 and where it is largest.
LAYER_COLUMNS = {
    "layer": column.NumberColumn("layer l", help="1 is the layer next to the input", format="%d", pinned=True,
                                 width=52),
    "weight_std": _figure("σ of W_l", "Standard deviation of this layer's weights, as drawn. —: not drawn, since "
                          "the signal had already overflowed at every input", 70),
    "pre_var": _figure("Var z_l", "Variance of the pre-activations z_l = a_{l-1} W_l: the forward chart's curve",
                       88),
    "act_mean": _figure("mean a_l", "Mean of the activations a_l = f(z_l)", 88),
    "act_var": _figure("Var a_l", "Variance of the activations a_l = f(z_l)", 88),
    "grad_var": _figure("Var dL/dz_l", "Variance of the gradient that reaches layer l: the backward chart's curve",
                        92),
    "frac_dead": _figure("at 0", "Share of the activations that are exactly 0: switched-off ReLUs, or values "
                         "below float32's smallest number", 60),
    "frac_saturated": _figure("saturated", "Share of the units whose slope |f'(z)| is under 5 % of its largest "
                              "value: a gradient barely gets through them", 76),
    "events": column.TextColumn("inf/NaN or 0", width=172, help=(
        "What broke at this layer. 'signal inf/NaN': the signal overflowed here or at an earlier layer; "
        "'signal 0': every activation of the layer is exactly 0; 'gradient inf/NaN', 'gradient 0': the same "
        "for the gradient that reaches the layer; 'both': the signal and the gradient. Blank: nothing")),
}
EVENTS = {"exploded": ("signal", "inf/NaN"), "vanished": ("signal", "0"),
          "grad_exploded": ("gradient", "inf/NaN"), "grad_vanished": ("gradient", "0")}
SHARES = ("frac_dead", "frac_saturated")


def layer_summary(layers: pd.DataFrame) -> pd.DataFrame:
    """The Signal propagation table from ``Propagation.layers``: every number as the pages write numbers
    (inf/NaN where the signal overflowed; a dash for weights not drawn, above a layer where it overflowed at
    every input), shares as percentages, and the four true/false columns of what broke
    at a layer said in one ("signal 0, gradient inf/NaN"; "both 0"). The CSV keeps the engine's columns."""
    shown = {"layer": layers.layer}
    for name in LAYER_COLUMNS:
        if name in layers and name != "layer":
            shown[name] = ([theme.percent(v) for v in layers[name]] if name in SHARES else
                           theme.written(layers[name], missing="—" if name == "weight_std" else "inf/NaN"))
    shown["events"] = [_events(row) for row in layers[list(EVENTS)].itertuples(index=False)]
    return pd.DataFrame(shown)


def _events(flags) -> str:
    """One layer's flags in words: "signal 0", "gradient inf/NaN", "signal inf/NaN, gradient 0", "both 0"."""
    said = [EVENTS[flag] for flag, on in zip(EVENTS, flags, strict=True) if on]
    if len(said) == 2 and said[0][1] == said[1][1]:
        return f"both {said[0][1]}"
    return ", ".join(f"{what} {how}" for what, how in said)


SCHEME_COLUMNS = {
    "scheme": column.TextColumn("scheme", pinned=True),
    "sigma": _number("σ", "Standard deviation of one weight"),
    "variance": _number("σ²", "Variance of one weight"),
    "bound": column.TextColumn("bound L", alignment="right",
                               help="The largest |w| a draw can give: a uniform draw lies in [-L, L]; a normal "
                                    "draw has no bound"),
}

UNIT_DIGITS = 6  # a unit's numbers to this many digits: two units alike to 3 digits are not yet copies
UNIT_COLUMNS = {  # units(): initcore.training.unit_report's table
    "unit": column.NumberColumn("unit", help="The units of the layer, numbered from 1", format="%d", pinned=True),
    **{f"output on x{i}": _figure(f"output on x{i}", f"The unit's output on training point x{i}", 96)
       for i in (1, 2, 3)},
    "incoming-weight gradient norm": _figure(
        "gradient norm", "Norm of the loss's gradient with respect to the unit's incoming weights: the same for "
        "every unit when the units are copies of one another", 104),
}


def units(report: pd.DataFrame) -> pd.DataFrame:
    """``initcore.training.unit_report``'s table as the Symmetry page shows it: every number written as the pages
    write numbers, a true minus sign and all, to ``UNIT_DIGITS`` digits."""
    return report.assign(**{name: theme.written(report[name], UNIT_DIGITS) for name in report.columns
                            if name != "unit"})


VERDICT_COLUMNS = {  # ui.lessons.verdict_table
    "initialization": column.TextColumn("initialization", pinned=True),
    "forward": column.TextColumn("forward signal", help="Var z from layer 1 to the last: steady within ×10 end to "
                                 "end and ×1.1 a layer; fades or grows beyond that, or where a few layers make the "
                                 "change; vanishes or explodes past the chart's bands (×10⁻², ×10²) by a steady "
                                 "factor per layer. 'theory:' what a 50-layer network would do"),
    "gradient": column.TextColumn("gradient", help="Var dL/dz on its way back from the top to layer 1, in the same "
                                  "words"),
    "seen": column.TextColumn("what each activation sees", help="Behind a norm: Var u_l, the normalized sum each "
                              "activation reads, from layer 1 to the last, in the same words"),
}

LAB_COLUMNS = {  # widths for a loss of 4 digits times a power of ten: on a projector (1024 px), all in sight
    "scheme": column.TextColumn("initialization", pinned=True),
    "final loss": column.TextColumn("final loss", alignment="right", width=96, help="Cross-entropy on the training set "
                                    "after the last epoch; ln 2 = 0.6931 is a coin flip. inf/NaN: the run "
                                    "diverged (the loss chart marks the epoch)"),
    "test accuracy": column.TextColumn("test accuracy", alignment="right", width=96, help="Share of the held-out test "
                                       "points classified right. —: the network's outputs are NaN, so it gives "
                                       "no answer at all (not a coin's 50 %)"),
    "distinct units": column.NumberColumn(
        "distinct units", format="%d", width=92,
        help="Units of a hidden layer that are not copies of another unit, in the layer with the fewest. "
             "1 means the whole layer acts as one unit; 0, that every unit's output overflowed to inf/NaN. "
             "ReLUs that training switched off all output 0, so together they count as one."),
    "train accuracy": column.TextColumn("train accuracy", alignment="right", width=100, help=(
        "Share of the training points classified right. —: the network's outputs are NaN, so it gives no answer")),
}


def scheme_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The Weight distributions table from ``distributions.scheme_table``, without the formulas (the page
    typesets them), and 'unbounded' where a normal draw has no largest value instead of a blank."""
    bounds = ["unbounded" if pd.isna(bound) else f"{bound:.4g}" for bound in table.bound]
    return table.drop(columns="formula").assign(bound=bounds)


LOSS_DIGITS = 4  # significant digits of a final loss in the lab's table: its distance from ln 2 matters


def lab_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The Training lab's table from ``Comparison.summary``: schemes by name, a loss that overflowed as "inf/NaN"
    instead of a blank (the loss chart marks the epoch it became so; a run whose gradient overflowed while its loss
    was still a number keeps that number), and the accuracy of a network whose outputs are NaN as "—" (the engine's
    NaN: no answer, which the column's help says)."""
    losses = [theme.number(loss, LOSS_DIGITS) if np.isfinite(loss) else "inf/NaN" for loss in summary.final_loss]
    return pd.DataFrame({"scheme": summary.scheme.map(theme.scheme_label), "final loss": losses,
                         "test accuracy": summary.test_accuracy.map(theme.percent), "distinct units":
                         summary.min_distinct_neurons, "train accuracy": summary.accuracy.map(theme.percent)})


_VARIANCES = {"fan_in": "{scale}/n_in", "fan_out": "{scale}/n_out", "fan_avg": "{twice}/(n_in+n_out)"}


def _over(x: float) -> str:
    """A numerator over a fan: 2, or (1/3) in brackets so that it reads (1/3)/n_in."""
    written = theme.fraction(x)
    return f"({written})" if "/" in written else written


def variance_family() -> pd.DataFrame:
    """Xavier, He and LeCun as knobs of Var(W) = scale / fan (the distribution is in each name), the fan named
    as the Custom variance scaling control names it; short enough for a phone."""
    return pd.DataFrame([
        {"scheme": s.label, "scale": theme.fraction(s.knobs["scale"]), "fan": CHOICES["mode"][s.knobs["mode"]],
         "Var(W)": _VARIANCES[s.knobs["mode"]].format(scale=_over(s.knobs["scale"]),
                                                      twice=_over(2 * s.knobs["scale"]))}
        for s in initcore.SCHEMES.values() if s.knobs])


FRAMEWORK_DEPTHS = (5, 20, 50)
FRAMEWORK_WIDTH = 256
_FRAMEWORKS = {"pytorch_default": "PyTorch (nn.Linear)", "keras_default": "Keras (Dense)",
               "flax_default": "Flax (nn.Dense)"}


def framework_defaults(activation: str) -> pd.DataFrame:
    """For each framework's dense layer left to its default, the variance of the signal after 5, 20 and 50
    square layers of ``FRAMEWORK_WIDTH`` units of ``activation`` (theory's length map, from an input of
    variance 1), the weights alone; and PyTorch's layer with its biases too, drawn by the same rule as its weights,
    U(±1/√n_in), of variance 1/(3 n_in), with the part of its signal that tells inputs apart (theory's
    ``stream_input_var``), which its biases, the same for every input, do not hold up."""
    rows = []
    for scheme, framework in _FRAMEWORKS.items():
        pre, _ = cached.predicted(max(FRAMEWORK_DEPTHS), FRAMEWORK_WIDTH, activation, scheme, {})
        rows.append({"framework": framework} | {f"after {d} layers": theme.number(pre[d - 1])
                                                for d in FRAMEWORK_DEPTHS})
    network = dict(depth=max(FRAMEWORK_DEPTHS), width=FRAMEWORK_WIDTH, activation=activation,
                   bias_std=(3 * FRAMEWORK_WIDTH) ** -0.5)
    biased = cached.predicted_network(network, "pytorch_default", {})
    for k, (framework, quantity) in enumerate((("PyTorch, its biases too", "stream_var"),
                                             ("↳ across inputs", "stream_input_var")), start=1):
        rows.insert(k, {"framework": framework}
                    | {f"after {d} layers": theme.number(biased[quantity][d - 1]) for d in FRAMEWORK_DEPTHS})
    return pd.DataFrame(rows)


FRAMEWORK_COLUMNS = {"framework": column.TextColumn("framework (layer)", pinned=True, width=170)} | {
    f"after {d} layers": _figure(f"Var z, {d} layers", f"Theory's variance of the pre-activations after {d} layers "
                                 f"of {FRAMEWORK_WIDTH} units, for an input of variance 1", 110)
    for d in FRAMEWORK_DEPTHS}


_CONV_VARIANCES = {"fan_in": "{scale}/{fan_in}", "fan_out": "{scale}/{fan_out}",
                   "fan_avg": "{twice}/({fan_in}+{fan_out})"}


def conv_schemes(dims: int, kernel: int, c_in: int, c_out: int) -> pd.DataFrame:
    """For a convolution (``initcore.schemes.conv_fans``), each variance-scaling scheme's Var(W) written with the
    layer's fans (2/576 for He on 3×3×64), the standard deviation of one weight, and the largest |w| a draw can
    give. The schemes of a fixed σ are left out (the fans change nothing there), and so is orthogonal: a conv
    kernel is made orthogonal as a flattened C_out × kᵈ·C_in matrix, σ = gain/√max(C_out, kᵈ·C_in), which is not
    the dense layer's gain/√max(n_in, n_out) of these fans."""
    fan_in, fan_out = initcore.schemes.conv_fans(kernel, c_in, c_out, dims=dims)
    rows = []
    for s in initcore.SCHEMES.values():
        if not s.knobs:
            continue
        bound = s.bounds(fan_in, fan_out)
        rows.append({"scheme": s.label,
                     "variance": _CONV_VARIANCES[s.knobs["mode"]].format(
                         scale=_over(s.knobs["scale"]), twice=_over(2 * s.knobs["scale"]), fan_in=fan_in,
                         fan_out=fan_out),
                     "sigma": theme.number(s.std(fan_in, fan_out)),
                     "bound": "unbounded" if bound is None else theme.number(bound)})
    return pd.DataFrame(rows)


CONV_COLUMNS = {
    "scheme": column.TextColumn("scheme", pinned=True),
    "variance": column.TextColumn("Var(W)", help="scale / fan, with this layer's fans: n_in = kᵈ·C_in, "
                                  "n_out = kᵈ·C_out, or their average"),
    "sigma": _figure("σ", "Standard deviation of one weight: the square root of Var(W)", 64),
    "bound": _figure("largest |w|", "The largest |w| a draw can give: a uniform draw lies in [−L, L], a truncated "
                     "normal is cut at 2.27 σ; a normal draw has no bound", 88),
}
