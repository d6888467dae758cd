"""Figure builders of the Order and chaos lesson: the phase plane of a deep network, with real runs on it, and the
spectrum of its Jacobian. Tables and binned counts in, ``ui.figure.PlainFigure`` out; no Streamlit here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import drawn
from ui import figure as fig
from ui.charts import SAFE_RED, decade_step
from ui.theme import FRAME, GREY, INK, NO_ANSWER, PAPER, number, percent, scheme_colour

WIDE_NEEDS = 600  # px the plane needs with its colour bar beside it, its schemes' names apart; narrower: the bar on top
DEPTH_RANGE = (1, 1000)  # layers: the colours of 6ξ run from 1 (and less) to 1000 (and more, ∞ included)
NAMED_SCHEMES = ((1.0, "Xavier, LeCun"), (2.0, "He"))  # σ_w² = n·Var(W) in a square layer, at σ_b² = 0
STRIP = 0.18  # σ_b² units under the plane where the named schemes sit, out of the runs' way
PHONE_WIDTH = 358  # a chart's width on a phone 390 px wide
OUTCOMES = {  # a run's outcome: a white disc ringed in black, a dark dot ringed in white or a ✕, legible on any colour
    "learned": dict(symbol="circle", color=PAPER, line=dict(color=INK, width=2)),
    "stayed low": dict(symbol="circle", color=INK, line=dict(color=PAPER, width=1.5)),
    "diverged": dict(symbol="x", color=INK, line=dict(color=PAPER, width=1)),
}
SPIKE = 4  # a panel's tallest bar more than this many times the other scheme's tallest is cut at the top
SUBTITLE_GAP = 25  # pixels between a subtitle and the first panel's title, which may take two lines
SPECTRUM_COLOURS = {"Gaussian": scheme_colour("variance_scaling"), "Orthogonal": scheme_colour("orthogonal")}


def layers(value: float) -> str:
    """A number of layers as the lesson writes it: ∞ where theory says so."""
    return "∞" if value == np.inf else number(value)


def by_gradients(q_star: float, trainable: float) -> bool:
    """Whether a point's trainable depth is set by the gradients: where, with no biases, the signal fades to q* = 0
    and the gradients with it, ξ_c is ∞ and the depth is where theory's path has shrunk the gradient e⁶-fold
    (``initcore.theory.phase``), not 6ξ."""
    return q_star == 0 and bool(np.isfinite(trainable))


def trainable_named(q_star: float, trainable: float) -> str:
    """A point's trainable depth as theory counts it: "6ξ = 210 layers", or "trainable depth 32.4 layers, set by
    the gradients" (``by_gradients``)."""
    if by_gradients(q_star, trainable):
        return f"trainable depth {layers(trainable)} layers, set by the gradients"
    return f"6ξ = {layers(trainable)} layers"


def edge_of_chaos(plane: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(σ_w², σ_b²) along the line χ₁ = 1: for each σ_b² of ``plane`` (``initcore.theory.phase_grid``'s table),
    the first σ_w² where χ₁ reaches 1, read linearly between the two nodes around it; rows where it never does
    in the plane are left out."""
    weights, biases = np.unique(plane.sigma_w2), np.unique(plane.sigma_b2)
    above = plane.chi1.to_numpy().reshape(len(biases), len(weights)) - 1
    line = []
    for bias, row in zip(biases, above, strict=True):
        crossing = np.flatnonzero((row[:-1] <= 0) & (row[1:] > 0))
        if crossing.size:
            k = crossing[0]
            line.append((weights[k] + (weights[k + 1] - weights[k]) * -row[k] / (row[k + 1] - row[k]), bias))
    return tuple(np.array(axis, dtype=float) for axis in zip(*line, strict=True)) if line else (np.array([]),) * 2


@drawn.once
def phase_figure(plane: pd.DataFrame, runs: pd.DataFrame, point: tuple[float, float], *, activation: str,
                 run_depth: int, narrow: bool = False) -> fig.PlainFigure:
    """The trainable depth 6ξ over σ_w² × σ_b² (``plane``: ``initcore.theory.phase_grid``'s table) on a log colour
    scale capped to ``DEPTH_RANGE``; the region where the signal grows without bound (q* = ∞) in grey, with no
    number; the line χ₁ = 1; the named schemes under the plane; ``runs`` (one row per real run of ``run_depth``
    layers: σ_w², σ_b², test_accuracy, outcome) as circles sized by accuracy; and the learner's ``point``. On a
    phone (``narrow``) the colour bar lies over the plane, where it leaves the plane its width."""
    weights, biases = np.unique(plane.sigma_w2), np.unique(plane.sigma_b2)
    shape, cell_w, cell_b = (len(biases), len(weights)), weights[1] - weights[0], biases[1] - biases[0]
    grows = (plane.q_star == np.inf).to_numpy().reshape(shape)
    depth = np.log10(np.clip(plane.trainable_depth.to_numpy(), *DEPTH_RANGE)).reshape(shape)
    said = np.array([trainable_named(q, d) for q, d in zip(plane.q_star, plane.trainable_depth, strict=True)]
                    ).reshape(shape)  # words travel: few, and short
    low, high = np.log10(DEPTH_RANGE)
    bar = dict(tickvals=np.arange(low, high + 1), ticktext=["≤ 1", "10", "100", "≥ 1000"],
               **(dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", thickness=12, len=1,
                       ticklabelposition="outside top") if narrow else
                  dict(title=dict(text="depth", side="top"), thickness=20)))  # thin enough for "≥ 1000" in the margin
    traces = [
        go.Heatmap(x=weights, y=biases, z=np.where(grows, np.nan, depth), zmin=low, zmax=high, colorscale="Viridis",
                   colorbar=bar, customdata=said, hoverongaps=False,
                   hovertemplate="σ_w² = %{x}, σ_b² = %{y}<br>%{customdata}<extra></extra>"),
        go.Heatmap(x=weights, y=biases, z=np.where(grows, 1, np.nan).astype(float), showscale=False,
                   colorscale=[[0, NO_ANSWER], [1, NO_ANSWER]], hoverongaps=False,
                   hovertemplate="σ_w² = %{x}, σ_b² = %{y}<br>q* = ∞: the signal grows without bound"
                                 "<extra></extra>")]
    line_w, line_b = edge_of_chaos(plane)
    if line_w.size:
        traces.append(go.Scatter(x=line_w, y=line_b, mode="lines", name="χ₁ = 1: the edge of chaos",
                                 line=dict(color=INK, width=3, dash="dash"), customdata=[number(w) for w in line_w],
                                 hovertemplate="χ₁ = 1 at σ_w² = %{customdata}, σ_b² = %{y}<extra></extra>"))
    traces += _run_traces(runs, run_depth)
    traces.append(go.Scatter(  # named beside their marks, or on a phone, where the names would overlap, in the legend
        x=[w for w, _ in NAMED_SCHEMES], y=[-STRIP / 2] * len(NAMED_SCHEMES), mode="markers" if narrow else
        "markers+text", text=[name for _, name in NAMED_SCHEMES], textposition="middle right", cliponaxis=False,
        name=" and ".join(f"{name} ({number(w)})" for w, name in NAMED_SCHEMES), showlegend=narrow,
        marker=dict(symbol="triangle-up", size=11, color=INK), textfont=dict(color=INK, size=12),
        hovertemplate="%{text}: σ_w² = %{x} in a square layer, no biases<extra></extra>"))
    w2, b2 = point
    # Hollow, so that a run's circle at the same point shows through it (a filled diamond hid it); not clipped, so
    # that at a slider's end (a corner of the plane) it is drawn whole, not a quarter of it.
    yours = dict(symbol="diamond-open", size=24, color=SAFE_RED, line=dict(color=SAFE_RED, width=3))
    traces.append(go.Scatter(x=[w2], y=[b2], mode="markers", name=f"your network: σ_w² = {number(w2)}, "
                             f"σ_b² = {number(b2)}", marker=yours, cliponaxis=False,
                             hovertemplate="your network<br>σ_w² = %{x}, σ_b² = %{y}<extra></extra>"))
    named = _region_label(weights, biases, grows, runs) + ([] if line_w.size else [fig.label(
        0.5, 0.5, "χ₁ < 1 everywhere here:<br>ordered", xref="x domain", yref="y domain", bgcolor=PAPER,
        font=dict(color=INK, size=13))])
    # On a phone the colour bar lies over the plane, where it leaves the plane its width.
    phone = dict(width=PHONE_WIDTH, extra_margin=dict(l=-20, r=15 - fig.COLOUR_BAR, t=45)) if narrow else {}
    edge = f"the edge of chaos χ₁ = 1 runs from σ_w² = {number(line_w[0])} at σ_b² = {number(line_b[0])} to " \
           f"σ_w² = {number(line_w[-1])} at σ_b² = {number(line_b[-1])}" if line_w.size else \
           "χ₁ stays below 1 everywhere here: the whole plane is ordered"
    return fig.new(traces, f"How deep can {activation} train?", height=470,
                   subtitle=f"colour: trainable depth in layers; circles: real networks of {run_depth} layers",
                   message=edge, annotations=named, **phone,
                   xaxis=dict(range=[weights[0] - cell_w / 2, weights[-1] + cell_w / 2], showgrid=False,
                              zeroline=False, **fig.axis_title("σ_w² = n · Var(W)")),
                   yaxis=dict(range=[biases[0] - cell_b / 2 - STRIP, biases[-1] + cell_b], showgrid=False,
                              zeroline=False, tickvals=[0, 0.5, 1, 1.5, 2], **fig.axis_title("σ_b² = Var(b)")))


def _run_traces(runs: pd.DataFrame, depth: int) -> list:
    """The real runs, one trace per outcome (``OUTCOMES``): a marker as large as the test accuracy (half, a coin
    flip, small; all, large), white where the run learned, dark where it stayed low, ✕ where it diverged."""
    traces = []
    for outcome, look in OUTCOMES.items():
        chosen = runs[runs.outcome == outcome]
        if chosen.empty:
            continue
        accuracy = chosen.test_accuracy.to_numpy(float)
        size = 8 + 24 * np.clip(np.nan_to_num(accuracy, nan=0.75) - 0.5, 0, 0.5)  # a ✕ of middling size
        said = [f"{percent(a)} test accuracy" if outcome != "diverged" else "diverged: outputs inf/NaN"
                for a in accuracy]
        theory = [("6ξ does not apply: q* = ∞" if q == np.inf else f"theory: {trainable_named(q, trainable)}")
                  for q, trainable in zip(chosen.q_star, chosen.trainable_depth, strict=True)]
        traces.append(go.Scatter(  # opacity 1: markers sized one by one are bubbles, which Plotly draws at 0.7
            x=chosen.sigma_w2, y=chosen.sigma_b2, mode="markers", name=f"run {outcome}",
            marker=dict(size=size, opacity=1, **look), customdata=np.stack([said, theory], axis=-1),
            hovertemplate=f"{depth} layers trained at σ_w² = %{{x}}, σ_b² = %{{y}}<br>%{{customdata[0]}}<br>"
                          "%{customdata[1]}<extra></extra>"))
    return traces


def _region_label(weights: np.ndarray, biases: np.ndarray, grows: np.ndarray, runs: pd.DataFrame) -> list[dict]:
    """A name for the grey region where q* = ∞ (none if the plane has none), at the cell of it farthest from the
    runs' markers and from the plane's edges, on axes scaled to the plane's size."""
    if not grows.any():
        return []
    rows, cols = np.nonzero(grows)
    spans = weights[-1] - weights[0], biases[-1] - biases[0]
    x, y = weights[cols] / spans[0], biases[rows] / spans[1]
    nearest_run = np.min(np.hypot(x[:, None] - runs.sigma_w2.to_numpy() / spans[0],
                                  y[:, None] - runs.sigma_b2.to_numpy() / spans[1]), axis=1)
    to_edge = np.minimum.reduce([x - weights[0] / spans[0], weights[-1] / spans[0] - x,
                                 y - biases[0] / spans[1], biases[-1] / spans[1] - y])
    best = np.argmax(np.minimum(nearest_run, to_edge))
    return [fig.label(float(weights[cols[best]]), float(biases[rows[best]]),
                      "signal grows<br>without bound<br>(q* = ∞)", font=dict(color=INK, size=13), bgcolor=NO_ANSWER)]


@drawn.once
def spectrum_figure(spectra: dict, width: int) -> fig.PlainFigure:
    """The singular values of the input–output Jacobian as histograms on a log10 axis, one panel per depth (one
    under another, on one axis), each scheme's bars overlaid; ``spectra`` as ``ui.phase_data.spectra`` bins them,
    of ``width`` values each. Values too small to resolve are counted in the panel's title. A spike far above the
    other scheme's bars (orthogonal weights give every value one size) is cut at the panel's top, its height
    written there, so that the spread bars beside it keep their shape."""
    edges = spectra["edges"]
    centres, step = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    schemes = [name for name in spectra if name != "edges"]
    depths = list(spectra[schemes[0]])
    titles = []
    for depth in depths:
        tiny = [f"{name} {spectra[name][depth]['tiny']} of {width}" for name in schemes
                if spectra[name][depth]["tiny"]]  # a count, not a share: the axis beside it is in %
        told = ("" if not tiny else f"<br>too small to resolve: {tiny[0]}" if len(tiny) == 1 else
                f"<br>too small to resolve:<br>{', '.join(tiny)}")  # two counts on one line overran a phone
        titles.append(f"after {depth} layer{'s' if depth > 1 else ''}{told}")
    grid = fig.grid(len(depths), 1, shared_xaxes=True, vertical_spacing=0.2, subplot_titles=tuple(titles))
    traces, lines, notes, y_axes = [], [], [], fig.grid_axes(grid, "yaxis")
    for row, depth in enumerate(depths, start=1):
        x_axis, y_axis = fig.panel_axes(row, 1, 1)
        top, clipped = _panel_top({name: 100 * spectra[name][depth]["counts"] / width for name in schemes}, centres)
        y_axes[fig.layout_key(y_axis)] |= dict(range=[0, top])
        notes += [fig.label(x, 1, text, xref=x_axis, yref=f"{y_axis} domain", xanchor="right", yanchor="top",
                            font=dict(color=INK, size=12), bgcolor="rgba(255, 255, 255, 0.7)")  # legible over
                  # the bars it may lie on, which show through it
                  for x, text in _cut_labels(clipped, step)]
        for name in schemes:
            counts = spectra[name][depth]["counts"]
            traces.append(go.Bar(
                x=centres, y=100 * counts / width, width=step, name=name, legendgroup=name, showlegend=row == 1,
                marker=dict(color=SPECTRUM_COLOURS[name], line=dict(width=0)), opacity=0.6, xaxis=x_axis,
                yaxis=y_axis, customdata=np.stack([[number(10**c) for c in centres], counts], axis=-1),
                hovertemplate=f"{name}, {depth} layers<br>%{{customdata[1]}} of {width} near %{{customdata[0]}}"
                              "<extra></extra>"))
        lines.append(dict(type="line", x0=0, x1=0, y0=0, y1=1, xref=x_axis, yref=f"{y_axis} domain",
                          line=dict(color=GREY, width=1.5, dash="dot")))
    tick_step = decade_step(edges[-1] - edges[0])
    ticks = np.arange(np.ceil(edges[0] / tick_step) * tick_step, edges[-1] + 1e-9, tick_step)
    x_axes = fig.grid_axes(grid, "xaxis", range=[edges[0], edges[-1]], tickvals=ticks,
                           ticktext=[number(10.0**t) for t in ticks], showline=True, linecolor=FRAME)
    x_axes[fig.layout_key(fig.panel_axes(len(depths), 1, 1)[0])] |= fig.axis_title("singular value (log scale)")
    y_axes[fig.layout_key(fig.panel_axes((len(depths) + 1) // 2, 1, 1)[1])] |= fig.axis_title(f"% of the {width}")
    message = "; ".join(f"{name} after {depths[-1]} layers: middle 90 % from {number(low)} to {number(high)}"
                        for name in schemes for low, high in [spectra[name][depths[-1]]["middle"]])
    return fig.new(traces, "Singular values of the input–output Jacobian", height=170 * len(depths) + 60,
                   subtitle="dotted: 1, where a direction passes unchanged", barmode="overlay", bargap=0,
                   annotations=grid["annotations"] + notes, shapes=lines, message=message,
                   extra_margin=dict(t=SUBTITLE_GAP), **x_axes, **y_axes)



LABEL_BINS = 8  # bars cut at a panel's top within this many bins of each other share one label: a label is as wide


def _cut_labels(cut: list[tuple[float, float]], step: float) -> list[tuple[float, str]]:
    """One label for each group of ``cut`` bars ((bin centre, share) each) lying within ``LABEL_BINS`` bins of the
    next, at the group's tallest: its share, "up to" it where the group has several (six bars side by side, each
    labelled, printed their numbers over one another)."""
    groups: list[list[tuple[float, float]]] = []
    for bar in sorted(cut):
        if groups and bar[0] - groups[-1][-1][0] <= LABEL_BINS * step:
            groups[-1].append(bar)
        else:
            groups.append([bar])
    tallest = [max(group, key=lambda bar: bar[1]) for group in groups]
    return [(x, f"↑ {'up to ' if len(group) > 1 else ''}{number(share)} %")
            for (x, share), group in zip(tallest, groups, strict=True)]


def _panel_top(shares: dict[str, np.ndarray], centres: np.ndarray) -> tuple[float, list[tuple[float, float]]]:
    """The top of a panel's y axis for the bars' ``shares`` (per scheme, in %), and each bar it cuts: (bin centre,
    share). Beyond ``SPIKE`` times the lower of the schemes' peaks, the axis stops there."""
    peaks = sorted(float(share.max()) for share in shares.values())
    top = 1.1 * (peaks[-1] if peaks[-1] <= SPIKE * peaks[0] or not peaks[0] else SPIKE * peaks[0])
    return top, [(float(c), float(v)) for share in shares.values() for c, v in zip(centres, share, strict=True)
                 if v > top]
