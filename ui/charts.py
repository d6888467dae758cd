"""Figure builders: arrays and DataFrames in, ``plotly.graph_objects.Figure`` out. No Streamlit here.

Every histogram arrives pre-binned from ``initcore``; nothing here sends raw samples to the browser. What all
the charts share (margins, house style, how a figure is sent) is in ``ui.figure``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from initcore.training import distinct_units
from ui import drawn
from ui import figure as fig
from ui.figure import FULL_WIDTH
from ui.theme import (
    FRAME,
    NO_ANSWER,
    PAPER,
    UNTRAINED,
    legible,
    listed,
    number,
    number_sided,
    percent,
    scheme_colour,
    scheme_dash,
    scheme_label,
    scheme_symbol,
    tint,
    written,
)

VANISHING = 1e-2  # shaded below: a signal 100× weaker than it started
EXPLODING = 1e2  # shaded above: 100× stronger
AXIS_LIMITS = (1e-90, 1e80)  # float32 values end near 1e±38 (1e-45 subnormal), so variances near 1e77 and 1e-90
SAFE_BLUE = "#56B4E9"
SAFE_RED = "#D55E00"
BAND_OPACITY = 0.12  # the vanishing and exploding bands: a tint of their colour, under the lines
SCALE_GAP = 100  # two weight matrices whose largest |w| differ more than this get a colour scale each
# A decision-boundary panel: its width in pixels, and margins that leave its plot square (the grid is square).
# The page sets panels in a row that wraps: three to a row on a laptop, two on a projector (1024 px) or on a
# tablet held upright with the sidebar open (820 px), one on a phone. Columns would squeeze them under the
# 150 px Streamlit gives a chart at least, and the panels would run over each other.
PANEL, PANEL_MARGIN = 216, dict(l=15, r=10, t=40, b=15, pad=0)  # pad 0: the frame hugs the grid


@dataclass(frozen=True)
class Curve:
    """One scheme's per-layer values (simulation) and, when theory exists, its prediction."""

    scheme: str
    layer: np.ndarray
    values: np.ndarray
    theory: np.ndarray | None = None
    exploded_at: int | None = None
    name: str | None = None
    apart: bool = False  # the part of the signal that tells inputs apart (``stream_input_var``), drawn dash-dot

    @property
    def label(self) -> str:
        """The curve's name as its legend entry, hover and ▼ write it: its scheme's (or its own), ``APART`` added."""
        return (self.name or scheme_label(self.scheme)) + (APART if self.apart else "")


APART = ", across inputs"  # the legend's words for such a curve: each unit's spread over the inputs


def positive_only(values: np.ndarray) -> np.ndarray:
    """``values`` as floats, NaN (a gap on a log axis) where one is not a positive number."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _drawable(values: np.ndarray) -> np.ndarray:
    """Positive values within ``AXIS_LIMITS`` (a theory curve can run on to 1e300 past an overflow)."""
    values = positive_only(values)
    return np.where((values >= AXIS_LIMITS[0]) & (values <= AXIS_LIMITS[1]), values, np.nan)


@drawn.once
def variance_figure(curves: list[Curve], *, title: str, y_title: str, x_title: str = "layer l") -> fig.PlainFigure:
    """Per-layer variance on a log axis: simulation (thick, in its scheme's dash, a marker at every layer), theory
    (thin, dotted), vanishing/exploding bands."""
    drawn = [(c, _drawable(c.values), None if c.theory is None else _drawable(c.theory)) for c in curves]
    # every point on the chart, (layer, log10 value): the axis range and the bands' names follow from them
    lines = [(c.layer, values) for c, sim, theory in drawn for values in (sim, theory) if values is not None]
    x, y = np.concatenate([layer for layer, _ in lines]), np.concatenate([values for _, values in lines])
    depth = max(int(c.layer.max()) for c in curves)
    floor = _floor([(sim, theory) for _, sim, theory in drawn])
    below = [_fall(c, sim, theory, floor) for c, sim, theory in drawn] if floor is not None else []
    below = [fall for fall in below if fall is not None]
    kept = np.isfinite(y) & (y >= (floor or 0))
    points = (x[kept], np.log10(y[kept]))
    for fall in below:  # the words by each fall's ▼ count as points the band's name must not cover
        reach = np.linspace(0, FALL_TEXT * depth, 9) * (1 if fall.layer < depth / 2 else -1)
        points = (np.append(points[0], fall.layer + reach), np.append(points[1], np.full(9, np.log10(floor) - 0.5)))
    low = min(points[1].min(), np.log10(VANISHING / 10)) if points[1].size else -3.0
    high = max(points[1].max(), np.log10(EXPLODING * 10)) if points[1].size else 3.0
    low, high = max(low - 0.5, -320.0), min(high + 0.5, 320.0)
    if below:  # room under the floor for the words by each ▼: a line of text, 6 % of the plot's height
        low = np.log10(floor) - 0.06 * (high - np.log10(floor)) / 0.94
    exploded = [c.exploded_at for c in curves if c.exploded_at is not None]
    edge = [0.5, depth + 0.5, depth + 0.5, 0.5]
    traces, labels = [], []
    quantity = y_title.split(" (")[0]  # what a hover label names: "Var z_l"
    for y0, y1, colour, label in ((10**low, VANISHING, SAFE_BLUE, "vanishing"),
                                  (EXPLODING, 10**high, SAFE_RED, "exploding")):
        traces.append(go.Scatter(x=edge, y=[y0, y0, y1, y1], fill="toself", fillcolor=colour, opacity=BAND_OPACITY,
                                 line=dict(width=0), hoverinfo="skip", showlegend=False, name=label))
        side, spot, anchor = _band_label_spot(points, exploded, depth, (low, high), label)
        labels.append(fig.label(0.99 if side == "right" else 0.01, spot, label, xref="x domain", xanchor=side,
                             yanchor=anchor, font=dict(color=legible(colour, tint(colour, BAND_OPACITY)), size=13)))
    for c, sim, theory in drawn:
        name = c.label
        colour = scheme_colour(c.scheme)
        unseen = _off_the_scale(c.layer, c.values, "layer") if np.isfinite(sim).any() else _why_unseen(c.values)
        unseen = f": {unseen}" if unseen else ""  # said in the legend
        traces.append(go.Scatter(
            x=c.layer, y=_above(positive_only(c.values), floor), name=name + unseen, mode="lines+markers",
            marker=dict(size=6, symbol="circle-open") if c.apart else dict(size=5),
            line=dict(color=colour, dash="dashdot" if c.apart else scheme_dash(c.scheme), width=2 if c.apart else 3),
            customdata=written(c.values),
            hovertemplate=f"{name}<br>layer %{{x}}<br>{quantity} = %{{customdata}}<extra>simulation</extra>"))
        if theory is not None:
            traces.append(go.Scatter(
                x=c.layer, y=_above(theory, floor), name=f"{name}: theory", mode="lines",
                line=dict(color=colour, dash="dot", width=2), opacity=0.8, customdata=written(c.theory),
                hovertemplate=f"{name}<br>layer %{{x}}<br>{quantity} = %{{customdata}}<extra>theory</extra>"))
        if c.exploded_at is not None:
            traces.append(go.Scatter(
                x=[c.exploded_at], y=[10 ** (high - 0.3)], mode="markers+text",
                text=[f"exploded at layer {c.exploded_at}"],
                textposition="bottom right" if c.exploded_at < depth / 2 else "bottom left",
                marker=dict(symbol="x", size=14, color=colour), showlegend=False,
                hovertemplate=f"{name}: inf/NaN from layer {c.exploded_at}<extra></extra>"))
    traces += _fall_marks(below, floor, depth)
    message = "; ".join(f"{c.label}: {fate(c.layer, c.values, c.exploded_at)}" for c in curves)
    return fig.new(traces, title, annotations=labels, message=message,
                   yaxis=dict(type="log", range=[low, high], exponentformat="power", tick0=0,
                              dtick=decade_step(high - low), **fig.axis_title(y_title)),
                   xaxis=dict(range=[0.5, depth + 0.5], **layer_ticks(depth), **fig.axis_title(x_title)))


def fate(layer: np.ndarray, values: np.ndarray, exploded_at: int | None = None) -> str:
    """What becomes of a variance across layers, in words against the chart's bands: "overflows at layer 19",
    "vanishes below 0.01 from layer 9 (10⁻⁷⁷ at layer 50)", "explodes above 100 from layer 4 (…)", "stays within
    0.01 and 100 over 50 layers, ending at 0.99"."""
    values = np.asarray(values, dtype=float)
    if exploded_at is None and not np.isfinite(values).all():
        exploded_at = int(layer[np.argmin(np.isfinite(values))])
    if exploded_at is not None:
        return f"overflows to inf/NaN at layer {exploded_at}"
    if (values == 0).all():
        return "0 at every layer"
    left = leaves_bands(values)
    if left is not None:
        word, side, band, first = left
        end = f"0 at layer {layer[-1]}" if values[-1] == 0 else f"{number(values[-1])} at layer {layer[-1]}"
        return f"{word} {side} {number(band)} from layer {int(layer[first])} ({end})"
    return f"stays within {number(VANISHING)} and {number(EXPLODING)} over {len(values)} layers, ending at " \
           f"{number(values[-1])}"


def leaves_bands(values: np.ndarray) -> tuple[str, str, float, int] | None:
    """Where a curve of variances ends outside the chart's bands: (word, side, band, k), k the index of its first
    value from which it stays on that side ("vanishes", "below", 0.01, 8); None where it ends within them."""
    for band, outside, word, side in ((VANISHING, values < VANISHING, "vanishes", "below"),
                                      (EXPLODING, values > EXPLODING, "explodes", "above")):
        if outside[-1]:
            return word, side, band, len(outside) - int(np.argmin(outside[::-1])) if not outside.all() else 0
    return None


FLOOR_DECADES = 15  # how far a chart of several curves reaches below the lowest of those that stay
FALL_TEXT = 0.45  # the width of the words by a fall's ▼ on a phone, as a fraction of the plot's


@dataclass(frozen=True)
class Fall:
    """Where a curve leaves a chart through its floor: the first layer below it, and the lowest value reached
    (``name``: the curve's, as its legend entry has it)."""

    scheme: str
    name: str
    layer: int
    lowest: float
    lowest_layer: int


def _floor(lines: list[tuple[np.ndarray, np.ndarray | None]]) -> float | None:
    """The lowest value a chart of several curves shows: ``FLOOR_DECADES`` decades under the lowest value of
    the curves that never fall into the vanishing band (or under the band's edge, if they reach it); None
    (show everything) when every curve falls, or there is only one, so that one fading to 10⁻⁷⁷ does not
    squash the steady ones into a line at the top."""
    lows = [np.nanmin(np.concatenate([v for v in line if v is not None])) for line in lines
            if any(v is not None and np.isfinite(v).any() for v in line)]
    staying = [low for low in lows if low >= VANISHING]
    if len(lows) < 2 or not staying:
        return None
    floor = min(min(staying), VANISHING) * 10.0 ** -FLOOR_DECADES
    return floor if min(lows) < floor else None


def _above(values: np.ndarray | None, floor: float | None) -> np.ndarray | None:
    """``values`` with those under the chart's ``floor`` left out: a line ends where it leaves the chart."""
    return values if values is None or floor is None else np.where(values >= floor, values, np.nan)


def _fall(curve: Curve, sim: np.ndarray, theory: np.ndarray | None, floor: float) -> Fall | None:
    """Where ``curve`` (simulation, else theory) goes below ``floor``; None if it never does."""
    for values in (sim, theory):
        if values is None or not (values < floor).any():
            continue
        lowest = int(np.nanargmin(values))
        return Fall(curve.scheme, curve.label, int(curve.layer[np.argmax(values < floor)]), float(values[lowest]),
                    int(curve.layer[lowest]))
    return None


def _fall_marks(falls: list[Fall], floor: float, depth: int) -> list:
    """A ▼ on the chart's floor where each curve leaves it, with where it went: "down to 10⁻⁷⁷ at layer 50", both in
    the curve's colour (the words in a shade of it legible on the vanishing band), under the curve's last point on
    the chart. ▼s close together share the words of the first."""
    traces, worded = [], []
    for fall in sorted(falls, key=lambda fall: fall.layer):
        name, colour = fall.name, scheme_colour(fall.scheme)
        where = f"down to {number(fall.lowest, 2)} at layer {fall.lowest_layer}"
        wordy = all(abs(fall.layer - k) > FALL_TEXT * depth for k in worded)
        worded += [fall.layer] if wordy else []
        traces.append(go.Scatter(
            x=[fall.layer], y=[floor], mode="markers+text" if wordy else "markers", text=[f"↓ {where}"],
            textposition="bottom right" if fall.layer < depth / 2 else "bottom left", cliponaxis=False,
            textfont=dict(color=legible(colour, tint(SAFE_BLUE, BAND_OPACITY))),
            marker=dict(symbol="triangle-down", size=13, color=colour), showlegend=False,
            hovertemplate=f"{name}: below {number(floor, 2)} from layer {fall.layer}, {where}<extra></extra>"))
    return traces


def decade_step(decades: float, most: int = 8) -> int:
    """Decades between two ticks of a log axis ``decades`` long: 1, 2, 5, 10, 20 … so that at most ``most`` show."""
    for step in (m * 10**k for k in range(4) for m in (1, 2, 5)):
        if decades / step <= most:
            return step
    return 10**4


def layer_ticks(depth: int) -> dict:
    """Whole numbers on an axis that counts from 1 (layers, units, a matrix's rows): Plotly would tick a count of a
    few at 0.5, 1, 1.5 …"""
    return dict(tick0=1, dtick=1) if depth <= 10 else {}


def _why_unseen(values: np.ndarray, step: str = "layer") -> str:
    """Why a curve has no point on a log axis: all 0, no number at all, or each of those somewhere. (For a
    legend entry: ``<br>`` breaks the longest in two, since an entry never wraps.)"""
    values = np.asarray(values, dtype=float)
    if np.all(values == 0):
        return f"0 at every {step},<br>off the log scale"
    return f"0 or inf/NaN at every {step}" if np.any(values == 0) else f"inf/NaN at every {step}"


BAND_LABEL = (0.25, 0.09)  # the box a band's name takes: fractions of the plot's width (a phone's) and height
EXPLODED_TEXT = 0.6  # the width "exploded at layer k" takes beside its ✕ on a phone, as a fraction of the plot's


def _band_label_spot(points: tuple[np.ndarray, np.ndarray], exploded: list[int], depth: int,
                     y_range: tuple[float, float], band: str) -> tuple:
    """(side, log10 y, y anchor) for a band's name: the first of its far corners (top left, top right for
    "exploding"; bottom left, bottom right for "vanishing"), then the band's edge at 10² or 10⁻² on the left
    and on the right, that covers the fewest of the chart's ``points`` (layer, log10 value) and none of the
    words beside the ✕ of each layer in ``exploded``."""
    low, high = y_range
    width, height = BAND_LABEL[0] * depth, BAND_LABEL[1] * (high - low)
    top = band == "exploding"
    edge = np.log10(EXPLODING if top else VANISHING)
    far, near = ((high, "top"), (edge, "bottom")) if top else ((low, "bottom"), (edge, "top"))
    spots = [(side, y, anchor) for y, anchor in (far, near) for side in ("left", "right")]
    x, logged = points

    def covered(spot) -> int:
        side, y, anchor = spot
        x_box = (0.5, 0.5 + width) if side == "left" else (depth + 0.5 - width, depth + 0.5)
        y_box = (y - height, y) if anchor == "top" else (y, y + height)
        count = np.count_nonzero((x >= x_box[0]) & (x <= x_box[1]) & (logged >= y_box[0]) & (logged <= y_box[1]))
        if top and y == high:  # each ✕ sits near the top, its words beside it
            for k in exploded:
                reach = EXPLODED_TEXT * depth
                words = (k, k + reach) if k < depth / 2 else (k - reach, k)
                count += 1000 * (words[0] <= x_box[1] and words[1] >= x_box[0])
        return count

    return min(spots, key=covered)  # the first of the least covered


def _centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def _rounded(values: np.ndarray, digits: int = 3) -> np.ndarray:
    """``values`` to ``digits`` significant digits, as float32: a hover label's ``%{x}`` is then written by the
    axis as its ticks are (a true minus sign, powers of ten), with no tail of digits the chart cannot resolve."""
    return np.array([float(f"{v:.{digits - 1}e}") for v in values], dtype=np.float32)


@drawn.once
def heatmap_figure(hist, *, log: bool, title: str, value_label: str, subtitle: str | None = None) -> fig.PlainFigure:
    """Layers × bins: each row is one layer's distribution (share of its sampled units per bin).

    Layers that overflowed have nothing to bin: their rows are left empty over the grey ``NO_ANSWER``, and
    say so, rather than reading as a share of 0 everywhere.
    """
    edges = hist.log_edges if log else hist.edges
    x_title = f"log10 |{value_label}|" if log else value_label
    layers = np.arange(1, hist.depth + 1)
    share = hist.density(log).astype(np.float32)
    lost = layers[hist.total == 0]
    share[lost - 1] = np.nan
    heat = go.Heatmap(
        z=share, x=_rounded(_centres(edges)), y=layers, colorscale="Viridis",
        zmin=0, colorbar=dict(title=dict(text="share of<br>its units")),
        hovertemplate=f"layer %{{y}}<br>{x_title} ≈ %{{x}}<br>%{{z:.1%}} of the layer's units<extra></extra>")
    grey = {}
    if lost.size:  # the overflowed layers run from the first of them to the last layer
        grey = dict(shapes=[dict(type="rect", xref="x domain", x0=0, x1=1, yref="y", y0=lost[0] - 0.5,
                                 y1=hist.depth + 0.5, fillcolor=NO_ANSWER, line=dict(width=0), layer="below")],
                    annotations=[fig.label(0.5, (lost[0] + hist.depth) / 2, f"inf/NaN from layer {lost[0]}:<br>"
                                        "nothing to bin", xref="x domain", bgcolor=PAPER)])
    return fig.new([heat], title, subtitle=subtitle, height=460, xaxis=fig.axis_title(x_title), **grey,
                   yaxis=dict(autorange="reversed", **layer_ticks(hist.depth), **fig.axis_title("layer l")),
                   message=_layers_in_words(hist, log, x_title))


MIDDLE = 0.9  # the share of a layer's values a heatmap's words place (from its 5 % point to its 95 %)


def _layers_in_words(hist, log: bool, x_title: str) -> str:
    """What a heatmap of layers shows, for a screen reader: where the middle 90 % of the first, the middle and the
    last layer's values lie ("layer 1 from −1.2 to 1.3"), read off the bins, and the first layer that
    overflowed. On a log10 |x| axis, a layer's values exactly 0 are not drawn, and are counted."""
    edges, counts = (hist.log_edges, hist.log_counts) if log else (hist.edges, hist.counts)
    binned = np.flatnonzero(hist.total)
    said = []
    for layer in dict.fromkeys(binned[[0, len(binned) // 2, -1]] if binned.size else []):
        if hist.zeros[layer] == hist.total[layer]:
            said.append(f"layer {layer + 1}: every value exactly 0")
            continue
        zeros = f", {percent(hist.zeros[layer] / hist.total[layer])} exactly 0" if log and hist.zeros[layer] else ""
        cumulative = np.cumsum(counts[layer]) / counts[layer].sum()
        low = int(np.searchsorted(cumulative, (1 - MIDDLE) / 2, side="right"))
        high = int(np.searchsorted(cumulative, (1 + MIDDLE) / 2))
        said.append(f"layer {layer + 1} from {number(edges[low])} to {number(edges[high + 1])}{zeros}")
    lost = np.flatnonzero(hist.total == 0)
    overflowed = [f"inf/NaN from layer {lost[0] + 1}, with nothing to bin"] if lost.size else []
    if not said:
        return "; ".join(overflowed)
    return f"The middle {percent(MIDDLE)} of {x_title}: " + "; ".join(said + overflowed)


@drawn.once
def ridgeline_figure(hist, layers: list[int], *, log: bool, title: str, value_label: str,
                     colour: str = "#0072B2", subtitle: str | None = None) -> fig.PlainFigure:
    """Chosen layers' distributions stacked top to bottom, as in the CS231n and Glorot & Bengio figures."""
    edges = hist.log_edges if log else hist.edges
    centres = _centres(edges)
    density = hist.density(log)
    closed_x = np.concatenate([centres, centres[::-1]]).astype(np.float32)
    traces, labels = [], []
    for row, layer in enumerate(layers):
        shape = density[layer - 1]
        peak = shape.max()
        offset = -row
        scaled = offset + (0.9 * shape / peak if peak > 0 else shape)
        label = f"layer {layer}" if hist.total[layer - 1] else f"layer {layer} (overflowed)"
        traces.append(go.Scatter(
            x=closed_x, y=np.concatenate([scaled, np.full_like(scaled, offset)]).astype(np.float32), mode="lines",
            fill="toself", line=dict(color=colour, width=1.5), name=label, showlegend=False, hoverinfo="skip"))
        labels.append(fig.label(centres[0], offset + 0.45, label, xanchor="left", font=dict(size=12)))
    return fig.new(traces, title, subtitle=subtitle, height=max(320, 70 * len(layers) + 100), annotations=labels,
                   yaxis=dict(showticklabels=False, zeroline=False, showgrid=False),
                   xaxis=dict(range=[float(edges[0]), float(edges[-1])],  # the bins' span: a spike in the
                              **fig.axis_title(f"log10 |{value_label}|" if log else value_label)))  # last has its tick


def _pairs(x: np.ndarray, y: np.ndarray) -> list[list[str]]:
    """(x, y) of each point as the pages write numbers, for a hover label."""
    return [list(pair) for pair in zip(written(x), written(y), strict=True)]


def _density_hover(label: str, log: bool, source: str) -> str:
    value = "log10 |w|" if log else "w"
    return f"{label}<br>{value} = %{{customdata[0]}}<br>density %{{customdata[1]}}<extra>{source}</extra>"


@drawn.once
def weights_figure(series: list[dict], *, log: bool, title: str, reference: list[dict] = (),
                   reference_size: str = "") -> fig.PlainFigure:
    """Overlaid weight distributions: binned draws (steps) with the exact density drawn over them.

    Each item: scheme, edges, binned (density per bin), grid, exact (density on grid, NaN if none). Each item of
    ``reference`` (the same schemes for a layer of ``reference_size``) adds its exact density as a thin dotted
    outline, so that a wider layer's narrower Xavier and He curves show against the ones they were.
    """
    traces = []
    for item in reference:
        colour, label = scheme_colour(item["scheme"]), f"{scheme_label(item['scheme'])} at {reference_size}"
        traces.append(go.Scatter(
            x=item["grid"], y=item["exact"], mode="lines", name=label, line=dict(color=colour, width=2, dash="dot"),
            customdata=_pairs(item["grid"], item["exact"]), hovertemplate=_density_hover(label, log, "formula")))
    for item in series:
        colour, label = scheme_colour(item["scheme"]), scheme_label(item["scheme"])
        traces.append(go.Scatter(
            x=np.repeat(item["edges"], 2)[1:-1], y=np.repeat(item["binned"], 2), mode="lines", name=label,
            line=dict(color=colour, width=1.5, dash=scheme_dash(item["scheme"])), fill="tozeroy", opacity=0.5,
            customdata=_pairs(np.repeat(item["edges"], 2)[1:-1], np.repeat(item["binned"], 2)),
            hovertemplate=_density_hover(label, log, "drawn")))
        if np.isfinite(item["exact"]).any():
            traces.append(go.Scatter(
                x=item["grid"], y=item["exact"], mode="lines", name=f"{label}: exact", showlegend=False,
                line=dict(color=colour, width=3, dash=scheme_dash(item["scheme"])),
                customdata=_pairs(item["grid"], item["exact"]), hovertemplate=_density_hover(label, log, "formula")))
    peaks = [np.nanmax(item[key], initial=0.0) for item in [*series, *reference] for key in ("binned", "exact")
             if np.isfinite(item[key]).any()]
    top = 1.08 * max(peaks, default=1.0) or 1.0  # headroom, so a peak (a uniform's edge) is not cut by the frame
    y_title = "density of log10|w|" if log else "probability density"
    return fig.new(traces, title, height=460, xaxis=fig.axis_title("log10 |w|" if log else "weight w"),
                   yaxis=dict(range=[0, top], **fig.axis_title(y_title)))


STRIP_FLOOR, STRIP_CEILING = -40, 40  # log10 range of the small multiples: float32 lives within ±38


@drawn.once
def strip_figure(panels: dict[tuple[str, str], np.ndarray], rows: list[str], columns: list[str],
                 row_labels: dict[str, str], column_labels: dict[str, str] | None = None) -> fig.PlainFigure:
    """Small multiples of log10 variance across layers: one row per activation, one column per scheme.

    A variance of exactly 0 is drawn on the floor and labelled; an overflow gets a ✕ where it happened.
    """
    grid = fig.grid(len(rows), len(columns), shared_yaxes=True, horizontal_spacing=0.02, vertical_spacing=0.12,
                 column_titles=tuple((column_labels or {}).get(c, scheme_label(c)) for c in columns),
                 row_titles=tuple(row_labels[r] for r in rows))
    traces, lines, labels = [], [], []
    for i, row in enumerate(rows, start=1):
        for j, column in enumerate(columns, start=1):
            x_axis, y_axis = fig.panel_axes(i, j, len(columns))
            values = np.asarray(panels[(row, column)], dtype=float)
            layers = np.arange(1, len(values) + 1)
            with np.errstate(divide="ignore"):
                log_var = np.where(values == 0, STRIP_FLOOR, np.log10(values))
            colour = scheme_colour(column)
            traces.append(go.Scatter(
                x=layers, y=log_var, mode="lines", line=dict(color=colour, width=3), showlegend=False,
                xaxis=x_axis, yaxis=y_axis, customdata=written(values),
                hovertemplate=f"{scheme_label(column)}, {row_labels[row]}<br>layer %{{x}}<br>"
                              "Var z = %{customdata}<extra></extra>"))
            lines.append(dict(type="line", xref=f"{x_axis} domain", x0=0, x1=1, yref=y_axis, y0=0, y1=0,
                              line=dict(color="#999", width=1, dash="dot")))
            if (values == 0).all():
                labels.append(fig.label(len(values) / 2, STRIP_FLOOR + 8, "Var = 0", xref=x_axis, yref=y_axis,
                                     font=dict(color=legible(colour), size=13)))
            overflow = np.flatnonzero(np.isnan(values))
            if overflow.size:
                traces.append(go.Scatter(
                    x=[overflow[0] + 1], y=[STRIP_CEILING - 4], mode="markers", showlegend=False,
                    xaxis=x_axis, yaxis=y_axis, marker=dict(symbol="x", size=12, color=colour),
                    hovertemplate=f"overflow to inf at layer {overflow[0] + 1}<extra></extra>"))
    ticks = list(range(-30, 31, 15))
    y_axes = fig.grid_axes(grid, "yaxis", range=[STRIP_FLOOR - 2, STRIP_CEILING], tickvals=ticks,
                        ticktext=[number(10.0**t) for t in ticks])
    for i in range(1, len(rows) + 1):
        y_axes[fig.layout_key(fig.panel_axes(i, 1, len(columns))[1])] |= fig.axis_title("Var z")
    titles = [a | dict(font=dict(size=13)) for a in grid["annotations"]]
    message = "; ".join(f"{row_labels[r]}, {scheme_label(c)}: {fate(np.arange(1, len(v) + 1), v)}"
                        for r in rows for c in columns for v in [np.asarray(panels[(r, c)], dtype=float)])
    return fig.new(traces, "Signal variance, layer by layer (20 layers)", height=380, shapes=lines, message=message,
                   annotations=titles + labels, margin=fig.MARGIN | dict(b=20),  # no x labels, no legend below
                   **fig.grid_axes(grid, "xaxis", showticklabels=False), **y_axes)


@drawn.once
def training_figure(histories: dict[str, object], column: str, *, title: str, y_title: str, log: bool,
                    diverged: dict[str, int | None], width: int = FULL_WIDTH, subtitle: str | None = None,
                    epochs: int | None = None, training: Collection[str] = ()) -> fig.PlainFigure:
    """One line per scheme across epochs; a ✕ where a run diverged, labelled on the side of the plot's middle.
    The epoch axis runs to the last epoch drawn, or to ``epochs``: while the schemes in ``training`` still train,
    their lines grow along an axis of the whole run."""
    lines = {scheme: positive_only(h[column]) if log else h[column].to_numpy(float) for scheme, h in histories.items()}
    shown = np.concatenate(list(lines.values()))
    shown = shown[np.isfinite(shown)]
    traces, ends = [], []
    for scheme, history in histories.items():
        colour, label = scheme_colour(scheme), scheme_label(scheme)
        traces.append(go.Scatter(  # a lone point (a run that diverged at epoch 1) makes no line: a marker
            x=history["epoch"], y=lines[scheme], name=label,
            mode="markers" if np.isfinite(lines[scheme]).sum() == 1 else "lines", marker=dict(color=colour, size=9),
            cliponaxis=False,  # a lone point at epoch 0 sits on the axis's edge: drawn whole, not half
            line=dict(color=colour, width=3, dash=scheme_dash(scheme)),
            customdata=[percent(v) for v in history[column]] if column.endswith("accuracy")
            else written(history[column], digits=4),
            hovertemplate=f"{label}<br>epoch %{{x}}<br>{y_title.split(' (')[0]} = %{{customdata}}<extra></extra>"))
        if diverged.get(scheme) is not None:
            last = history[column][np.isfinite(history[column])]
            y = float(last.iloc[-1]) if len(last) else 1.0
            ends.append((scheme, diverged[scheme], y if (y > 0 or not log) else 1.0))
    if epochs is None:
        epochs = max(int(h["epoch"].max()) for h in histories.values()) if histories else 1
    top = top_of_the_living(lines, diverged) if log else None
    if top is not None:  # a diverged run is marked at the chart's top edge, not where its values ran off to
        ends = [(scheme, epoch, min(y, top)) for scheme, epoch, y in ends]
        shown = np.append(shown[shown <= top], [y for _, _, y in ends])
    traces += _divergence_marks(ends, shown, log, epochs, width, top=top, quantity=y_title.split(" (")[0])
    coin_flip = {}
    if column == "loss":  # the coin flip's line is on the chart wherever the losses are
        ln2 = np.log(2)
        shown = np.append(shown, ln2)
        coin_flip = dict(
            shapes=[dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=ln2, y1=ln2,
                         line=dict(color="#777", width=1, dash="dash"))],
            annotations=[fig.label(1, np.log10(ln2) if log else ln2, "ln 2 = 0.693: a coin flip", xref="x domain",
                                xanchor="right", yanchor="bottom")])
    if column.endswith("accuracy"):  # a share: all of 0 to 1, so that a coin's 50 % sits mid-chart
        y_axis = dict(type="linear", range=[0, 1.02], tickformat=".0%")
    else:
        y_axis = log_axis(shown) if log else _linear_axis(np.append(shown, [y for _, _, y in ends]))
    said = [f"{scheme_label(scheme)}: diverged at epoch {diverged[scheme]}" if diverged.get(scheme) is not None
            else f"{scheme_label(scheme)}: {_final(history[column], column, scheme in training)} "
                 f"{'at epoch' if scheme in training else 'after'} {int(history['epoch'].iloc[-1])}"
                 f"{', still training' if scheme in training else ' epochs'}" for scheme, history in histories.items()]
    return fig.new(traces, title, subtitle=subtitle, width=width, xaxis=_epoch_axis(epochs), **coin_flip,
                   yaxis=y_axis | fig.axis_title(y_title), message="; ".join(said))


def _final(values, column: str, training: bool = False) -> str:
    """A run's last value in words: "ends at 97 %" (accuracy), "ends at 0.0523, a coin flip's ln 2 = 0.693"; of a
    run still ``training``, "is at" it."""
    last, verb = float(values.iloc[-1]), "is at" if training else "ends at"
    if column.endswith("accuracy"):
        return f"{verb} {percent(last)}"
    near = " (ln 2: a coin flip)" if column == "loss" and abs(last - np.log(2)) < 0.01 else ""
    return f"{verb} {number(last, 4 if near else 3)}{near}"


# Every axis of a training chart has its range written in the figure. Left to Plotly's autorange, a chart
# drawn again while scrolled out of view could keep Plotly's empty-chart axes (epochs -1 to 6).
def _epoch_axis(epochs: int) -> dict:
    """Epoch 0 (the initialization) to the last one trained."""
    return dict(range=[0, max(epochs, 1)], **({} if epochs > 10 else dict(tick0=0, dtick=1))) | fig.axis_title("epoch")


def _linear_axis(values: np.ndarray) -> dict:
    """A linear axis over the finite ``values``, 5 % of their span to spare at each end (a flat line: 5 % of its
    height, or ±0.05 about 0); 0 to 1 when there is nothing to show."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        return dict(type="linear", range=[0, 1])
    low, high = float(values.min()), float(values.max())
    spare = 0.05 * (high - low) or 0.05 * (abs(high) or 1)
    return dict(type="linear", range=[low - spare, high + spare])


OFF_THE_TOP = 100  # a diverged run's values this far above every other run's leave the chart at its top edge


def top_of_the_living(lines: dict[str, np.ndarray], diverged: dict[str, int | None]) -> float | None:
    """The highest value a log chart shows: ``OFF_THE_TOP`` times the largest value of the runs that did not
    diverge, so that a loss on its way to inf does not squash them all into the bottom of the chart; None where
    every run diverged (or none did), and the chart shows everything."""
    living = [values[np.isfinite(values)] for scheme, values in lines.items() if diverged.get(scheme) is None]
    living = np.concatenate(living) if living else np.array([])
    if not living.size or len(living) == sum(np.isfinite(v).sum() for v in lines.values()):
        return None
    return float(living.max()) * OFF_THE_TOP


def log_axis(values: np.ndarray, most: int = 8) -> dict:
    """A log axis for ``values`` whose ticks never read as digits of another decade
    (Plotly's own, on a span of a decade or two, read "2, 10, 5, 2, 1, 5"): over two decades or more, whole
    decades written 10ⁿ, every k-th where there are many (at most ``most`` ticks: fewer on a short panel, whose
    powers of ten would touch); under two, where a decade may hold no tick or one, 1, 2 and 5 times a power of ten
    (or every digit, if those make fewer than 3), written out."""
    positive = positive_only(values)
    positive = positive[np.isfinite(positive)]
    if not positive.size:
        return dict(type="log", exponentformat="power", range=[-1, 1])
    low, high = np.log10(positive.min()), np.log10(positive.max())
    axis = dict(type="log", exponentformat="power", range=[low - 0.1 * max(high - low, 1), high + 0.15])
    if high - low >= 2:
        return axis | dict(tick0=0, dtick=decade_step(high - low, most))
    for ladder in ((1, 2, 5), range(1, 10)):  # a finer ladder where the coarse one leaves fewer than 3 ticks
        ticks = [m * 10.0**k for k in range(int(np.floor(low)) - 1, int(np.ceil(high)) + 1) for m in ladder]
        ticks = [t for t in ticks if axis["range"][0] <= np.log10(t) <= axis["range"][1]]
        if len(ticks) >= 3:
            break
    return axis | dict(tickvals=ticks, ticktext=[number(t) for t in ticks])


LABEL_PX = 130  # the width of "diverged (epoch 12)" beside its ✕


def _divergence_marks(ends: list[tuple[str, int, float]], shown: np.ndarray, log: bool, epochs: int,
                      width: int = FULL_WIDTH, top: float | None = None, quantity: str = "loss") -> list:
    """A ✕ at each (scheme, epoch, last finite value) where a run diverged, labelled towards the plot's middle
    (``shown``: the values drawn; ``width``: the chart's, in px), up or down and left or right, so that no label
    runs off the plot's edge. ✕s close enough for their labels to cover each other share one label,
    "diverged (epochs 1, 2, 3)", at the first of them. A ✕ at the chart's ``top`` edge, where the run's values had
    gone off the chart, says so: "diverged (epoch 1), off the top", so that it is not read as a value there."""
    place = np.log10 if log else (lambda v: v)
    low, high = (place(shown.min()), place(shown.max())) if shown.size else (0.0, 1.0)
    height, middle = max(high - low, 1e-12), (low + high) / 2
    label = LABEL_PX / max(width - 120, LABEL_PX) * max(epochs, 1)  # a label's width, in epochs (margins: 120 px)
    groups: list[list] = []
    for end in sorted(ends, key=lambda end: end[1]):
        _, epoch, y = end
        if groups and epoch - groups[-1][-1][1] <= label \
                and abs(place(y) - place(groups[-1][-1][2])) <= 0.1 * height:
            groups[-1].append(end)
        else:
            groups.append([end])
    traces = []
    for group in groups:
        epochs_of = list(dict.fromkeys(epoch for _, epoch, _ in group))
        off = top is not None and all(y >= top for _, _, y in group)
        text = (f"diverged (epoch{'s' if len(epochs_of) > 1 else ''} {', '.join(map(str, epochs_of))})"
                + (", off the top" if off else ""))
        for k, (scheme, epoch, y) in enumerate(group):
            above = ", after it had left the chart at its top edge" if top is not None and y >= top else ""
            traces.append(go.Scatter(
                x=[epoch], y=[y], mode="markers" if k else "markers+text", text=None if k else [text],
                textposition=f"{'bottom' if place(y) > middle else 'top'} "
                             f"{'right' if epoch <= max(epochs, 1) / 2 else 'left'}", cliponaxis=False,
                marker=dict(symbol="x", size=16, color=scheme_colour(scheme)), showlegend=False,
                hovertemplate=f"{scheme_label(scheme)}: diverged at epoch {epoch}{above}; from then on its "
                              f"{quantity} is inf/NaN<extra></extra>"))
    return traces


GRADIENT_LINES = (("grad_norm_first", "solid", "first layer"), ("grad_norm_last", "dot", "output layer"))
HOLLOW = {"solid": "", "dot": "-open"}  # each line's markers: the scheme's shape, filled or hollow
GRADIENT_MARKERS = 10  # markers shown along a line at most (Plotly picks them evenly), besides its colour


def _gradient_note(epochs: np.ndarray, norms: np.ndarray) -> str | None:
    """What a gradient-norm line cannot show on its log axis: nothing to draw at all, or a gradient of exactly
    0 from some epoch on (every unit switched off: the line just stops there)."""
    if not np.isfinite(positive_only(norms)).any():
        return _why_unseen(norms, "epoch")
    return _off_the_scale(epochs, norms, "epoch", scale=False) or None


def _off_the_scale(steps: np.ndarray, values: np.ndarray, step: str, scale: bool = True) -> str:
    """Where a line with points to draw stops because its values are exactly 0 from some step to the last: "0 from
    layer 4 on, off the log scale" (``scale``: with those last words); "" where it does not."""
    first = zeros_from(values)
    return "" if first is None else f"0 from {step} {steps[first]} on" + (",<br>off the log scale" if scale else "")


def zeros_from(values) -> int | None:
    """The index of the first of ``values`` that are exactly 0 from there to the last; None where the last is not."""
    nonzero = np.flatnonzero(np.asarray(values, dtype=float) != 0)
    first = int(nonzero[-1]) + 1 if nonzero.size else 0
    return first if first < len(values) else None


@drawn.once
def grad_norm_figure(histories: dict[str, object], width: int = FULL_WIDTH) -> fig.PlainFigure:
    """First-layer (solid) and output-layer (dotted) gradient norms per scheme, log scale; the subtitle says
    which dash is which (a title long enough to say it is cut off in a half column on a 1024-px screen). The
    dashes being the layers', each scheme's lines also carry a few markers of its own shape (``scheme_symbol``;
    hollow on the output layer). A line with nothing to draw (zero weights: every gradient but the output
    bias's is 0), or that stops at a gradient of 0, says so in the scheme's legend entry, under its name."""
    traces, drawn = [], []
    for scheme, history in histories.items():
        colour, label = scheme_colour(scheme), scheme_label(scheme)
        given = {column: history[column].to_numpy(float) for column, _, _ in GRADIENT_LINES}
        notes = {where: note for column, _, where in GRADIENT_LINES
                 if (note := _gradient_note(history["epoch"].to_numpy(), given[column]))}
        name = label  # a note goes on a line of its own: a legend entry never wraps, and the chart is narrow
        if len(notes) == len(GRADIENT_LINES) and len(set(notes.values())) == 1:
            name += f":<br>{notes['first layer']}"
        elif notes:
            name += ":<br>" + ";<br>".join(f"{where} {note}" for where, note in notes.items())
        for column, dash, where in GRADIENT_LINES:
            norms = positive_only(given[column])
            drawn.append(norms)
            lone = np.isfinite(norms).sum() == 1  # a run that diverged at epoch 1: no line, one marker
            traces.append(go.Scatter(
                x=history["epoch"], y=norms, name=name, mode="markers" if lone else "lines+markers", cliponaxis=False,
                marker=dict(color=colour, size=9, symbol=scheme_symbol(scheme) + HOLLOW[dash],
                            maxdisplayed=GRADIENT_MARKERS), legendgroup=scheme,
                showlegend=dash == "solid", line=dict(color=colour, dash=dash, width=3 if dash == "solid" else 2),
                customdata=written(given[column]),
                hovertemplate=f"{label}, {where}<br>epoch %{{x}}<br>‖dL/dW‖ = %{{customdata}}<extra></extra>"))
    epochs = max((int(h["epoch"].max()) for h in histories.values()), default=1)
    return fig.new(traces, "Gradient norm ‖dL/dW‖", subtitle="solid: first layer, dotted: output layer", width=width,
                   xaxis=_epoch_axis(epochs),
                   yaxis=log_axis(np.concatenate(drawn)) | fig.axis_title("‖dL/dW‖: √(sum of its squares)"))


@drawn.once
def boundary_figure(scheme: str, grid: tuple, points: tuple[np.ndarray, np.ndarray],
                    diverged: bool = False) -> fig.PlainFigure:
    """One scheme's decision boundary: p(class 1) on a grid (orange 0 → white ½ → blue 1), test points on top.

    Where the network gives no answer at all (p is NaN: a run that diverged to inf/NaN), the grid shows the
    grey ``NO_ANSWER``, not the white of a network that cannot tell; ``diverged`` says why (a run whose loss was
    still a number where its gradient overflowed answers all the same, and is marked as diverged). (Not the epoch:
    the loss chart has it, and a panel that stays the same from one step to the next is not drawn again.)
    """
    xs, ys, probs = grid
    X, y = points
    xs, ys = _rounded(xs), _rounded(ys)
    silent = np.isnan(probs)
    traces = []
    if silent.any():  # one grey rectangle under the answers, showing where they leave a gap
        traces.append(go.Heatmap(x=xs[[0, -1]], y=ys[[0, -1]], z=np.ones((2, 2), np.uint8), showscale=False,
                                 colorscale=[[0, NO_ANSWER], [1, NO_ANSWER]], hoverinfo="skip"))
    if not silent.all():
        percent = np.round(100 * probs).astype(np.float32 if silent.any() else np.uint8)  # bytes unless gaps
        traces.append(go.Heatmap(x=xs, y=ys, z=percent, zmin=0, zmax=100,
                                 colorscale=[[0, "#E69F00"], [0.5, "#FFFFFF"], [1, "#56B4E9"]], showscale=False,
                                 hovertemplate="x = %{x}, y = %{y}<br>p(class 1) = %{z} %<extra></extra>"))
    for label, colour, symbol in ((0, "#9E5A00", "circle"), (1, "#005A8C", "diamond")):
        chosen = y == label
        traces.append(go.Scatter(x=X[chosen, 0].astype(np.float32), y=X[chosen, 1].astype(np.float32),
                                 mode="markers", showlegend=False, hovertemplate=f"class {label}<extra></extra>",
                                 marker=dict(color=colour, size=5, symbol=symbol, line=dict(width=0.5, color="white"))))
    why = [fig.label(0.5, 0.97, "diverged:<br>no answer (NaN)" if silent.any() else "diverged", xref="x domain",
                     yref="y domain", yanchor="top", bgcolor=PAPER)] if diverged else []
    square = PANEL - PANEL_MARGIN["l"] - PANEL_MARGIN["r"]
    framed = dict(showline=True, mirror=True, linecolor=FRAME, automargin=False)  # a grid all white still has an edge
    return fig.new(traces, scheme_label(scheme), width=PANEL, fixed=True, message=_boundary_in_words(probs),
                   height=square + PANEL_MARGIN["t"] + PANEL_MARGIN["b"], margin=PANEL_MARGIN,
                   xaxis=dict(showticklabels=False, range=[xs[0], xs[-1]], **framed),
                   yaxis=dict(showticklabels=False, range=[ys[0], ys[-1]], **framed), annotations=why)


def _boundary_in_words(probs: np.ndarray) -> str:
    """What a boundary panel shows, for a screen reader: how much of the square the network gives to each class,
    and how sure it is (its least and greatest p(class 1)); or that it gives no answer."""
    answered = probs[np.isfinite(probs)]
    if not answered.size:
        return "No answer anywhere: the run diverged to inf/NaN"
    low, high = answered.min(), answered.max()
    said = (f"p(class 1) is {percent(low)} everywhere: no boundary" if number(100 * low) == number(100 * high) else
            f"Class 1 (p over ½) on {percent(np.mean(answered > 0.5))} of the square; p(class 1) from "
            f"{percent(low)} to {percent(high)}")
    return said + (f"; no answer on {percent(1 - answered.size / probs.size)} of it" if answered.size < probs.size
                   else "")


@drawn.once
def matrix_figure(before: np.ndarray, after: np.ndarray, *, title: str) -> fig.PlainFigure:
    """A weight matrix before and after training, side by side: on one colour scale, unless one reaches more
    than ``SCALE_GAP`` times further than the other (weights that training blew up), when each panel gets its
    own scale, named under its title ("after<br>colours ±1.93 × 10⁹"), so that the smaller one does not fade to a
    blank. A matrix with no finite weight (a diverged run) is left blank, and its title and a note in its middle
    say why; its axis still counts its units, as the other's does (Plotly's own would run 0 to 6)."""
    finite = [matrix[np.isfinite(matrix)] for matrix in (before, after)]
    reaches = [float(np.abs(values).max()) if values.size else None for values in finite]
    spans = [reach for reach in reaches if reach] or [1.0]  # all-zero matrices take any scale
    shared = max(spans) <= SCALE_GAP * min(spans)
    grid = fig.grid(1, 2, subplot_titles=("before", "after"), shared_yaxes=True, horizontal_spacing=0.05)
    titles, traces = [], []
    x_axes = fig.grid_axes(grid, "xaxis", **fig.axis_title("unit"))
    for col, (matrix, reach, panel) in enumerate(zip((before, after), reaches, grid["annotations"]), start=1):
        span = max(spans) if shared or not reach else reach
        said = ": inf/NaN" if reach is None else "" if shared else f"<br>colours ±{number(span)}"
        titles.append(panel | dict(text=panel["text"] + said))
        rows, units = matrix.shape  # numbered from 1, as the units table and every other page number them
        x, y = fig.panel_axes(1, col, 2)
        x_axes[fig.layout_key(x)] |= dict(range=[0.5, units + 0.5], **layer_ticks(units))
        if reach is None:
            titles.append(dict(text="no weight<br>is a number", x=(units + 1) / 2, y=(rows + 1) / 2, xref=x, yref=y,
                               showarrow=False))
        traces.append(go.Heatmap(z=matrix, x=np.arange(1, units + 1), y=np.arange(1, rows + 1), zmin=-span,
                                 zmax=span, colorscale="RdBu", showscale=shared and col == 2,
                                 colorbar=dict(title=dict(text="w")), xaxis=x, yaxis=y,
                                 customdata=np.reshape(written(matrix.ravel()), matrix.shape),
                                 hovertemplate="input %{y}, unit %{x}<br>w = %{customdata}<extra></extra>"))
    y_axes = fig.grid_axes(grid, "yaxis", autorange="reversed", **layer_ticks(before.shape[0]))
    y_axes["yaxis"] |= fig.axis_title("input (row)")
    room = {} if shared else dict(margin=fig.MARGIN | dict(t=fig.MARGIN["t"] + 32))  # for the titles' second line
    said = "; ".join(f"{when}: {_columns_in_words(matrix)}" for when, matrix in (("before", before), ("after", after)))
    return fig.new(traces, title, height=380, annotations=titles, **room, message=said, **x_axes, **y_axes)


def _columns_in_words(matrix: np.ndarray) -> str:
    """What a weight matrix's columns (one per unit) show, for a screen reader: "all 12 units' columns are the
    same" (copies), "12 different columns", "5 different columns among 12", or that it holds no finite weight.
    Columns are told apart as the units table tells units apart (``initcore.training.distinct_units``)."""
    if not np.isfinite(matrix).all():
        return "its weights are inf/NaN"
    distinct, units = distinct_units(matrix), matrix.shape[1]
    if distinct == 1:
        return f"all {units} units' columns are the same" + (", every weight 0" if not matrix.any() else "")
    return f"{units} different columns" if distinct == units else f"{distinct} different columns among {units}"


SWEEP_WIDE_NEEDS = 600  # px eight columns of learning rates need, each cell's number apart; narrower: ``upright``


@drawn.once
def sweep_figure(table, upright: bool = False) -> fig.PlainFigure:
    """Final loss per scheme (rows) and learning rate (columns), ``initcore.lr_sweep``'s table: a run that trained
    (``TRAINED``) on the dark part of Viridis, darker lower, every other one pale (``UNTRAINED``), a diverged run grey
    with ✕; each cell says its loss. Cells whose ``training`` is true (a column still training,
    ``ui.runs.sweep_so_far``) are left blank with "…". ``upright`` (a phone's): the learning rates down the side and
    the schemes across, each name on lines of its words, and the scale under the chart, so that eight columns of
    numbers need not share a phone's width with the schemes' names and the scale (they had shrunk to unreadable
    dots)."""
    schemes = list(dict.fromkeys(table.scheme))
    lrs = sorted(set(table.lr))
    table = table.assign(training=table.get("training", False))  # a whole sweep's table has no such column
    cells = table.pivot(index="scheme", columns="lr")
    losses = cells.final_loss.loc[schemes, lrs].to_numpy(float)
    training = cells.training.loc[schemes, lrs].to_numpy(bool)
    low, high = -4, np.log10(np.log(2))
    shown = np.log10(np.clip(losses, 10.0**low, np.log(2)))
    cut = (np.log10(TRAINED) - low) / (high - low)  # where the scale turns pale: the runs above did not learn
    dark = plotly.colors.sequential.Viridis[:6]  # to its teal: the yellows would read as light as a run that failed
    colours = [[cut * i / (len(dark) - 1), c] for i, c in enumerate(dark)] + [[cut, UNTRAINED], [1, UNTRAINED]]
    cell = np.vectorize(lambda v: number_sided(v, TRAINED, 2))  # a third digit where two would cross the line
    words = np.where(training, "…", np.where(np.isnan(losses), "✕", cell(np.nan_to_num(losses))))
    told = np.where(training, "still training", np.where(np.isnan(losses), "diverged",
                                                          np.char.add("final loss ", words.astype(str))))
    columns = [f"{lr:g}" for lr in lrs]
    rows = [scheme_label(s) for s in schemes]
    scale = dict(title=dict(text="final loss"), tickvals=[-4, -3, -2, np.log10(TRAINED)],  # 0.1 would touch ½ ln 2
                 ticktext=["10⁻⁴", "10⁻³", "0.01", "½ ln 2"])
    rate_axis = dict(type="category") | fig.axis_title("learning rate")
    scheme_axis = dict(type="category")
    hover = "%{y}, learning rate %{x}<br>%{customdata}<extra></extra>"
    layout = dict(height=90 + 40 * max(len(schemes), 5))  # fewer rows, taller ones: the scale keeps its length
    if upright:
        shown, words, told, training = shown.T, words.T, told.T, training.T
        columns, rows = ["<br>".join(name.replace("/", "/ ").split()) for name in rows], columns
        scale |= dict(orientation="h", y=-0.04, yanchor="top", thickness=14, title=dict(text="final loss", side="top"))
        rate_axis, scheme_axis = rate_axis | dict(autorange="reversed"), scheme_axis | dict(side="top", tickangle=0)
        hover = "%{x}, learning rate %{y}<br>%{customdata}<extra></extra>"
        layout = dict(height=150 + 34 * len(lrs), margin=fig.MARGIN | dict(t=fig.MARGIN["t"] + fig.SUBTITLE + 80,
                                                                          l=50, r=10, b=90))
    traces = [go.Heatmap(z=training.astype(float), x=columns, y=rows, zmin=0, zmax=1, showscale=False,
                         colorscale=[[0, NO_ANSWER], [1, PAPER]], hoverinfo="skip"),  # grey under ✕, blank to come
              go.Heatmap(z=shown, x=columns, y=rows, colorscale=colours, zmin=low, zmax=high,
                         text=words, texttemplate="%{text}", textfont=dict(size=10), customdata=told,
                         hovertemplate=hover, colorbar=scale)]
    epochs = int(table.epochs.iloc[0])
    done = table[~table.training]
    to_come = len(lrs) - len(set(done.lr))
    said = "; ".join([f"Still training at {to_come} of {len(lrs)} learning rates"] * bool(to_come) +
                     [f"{scheme_label(s)}: {trains_at(done[done.scheme == s], so_far=bool(to_come))}"
                      for s in schemes if len(done)])
    subtitle = f"after {epochs} epochs; ✕: diverged" + ("; …: still training" if to_come else "")
    return fig.new(traces, "Final loss by learning rate", subtitle=subtitle,
                   message=said, **layout, xaxis=scheme_axis if upright else rate_axis,
                   yaxis=rate_axis if upright else scheme_axis | dict(autorange="reversed"))


# ``TrainingRun.overflowed`` in words: what a diverged run lost to inf/NaN.
OVERFLOWED = {"loss": "the loss overflowed to inf/NaN",
              "gradient": "the gradient overflowed to inf/NaN while the loss was still a number",
              "weights": "the weights overflowed to inf/NaN while the loss and the gradient were still numbers"}
TRAINED = 0.5 * np.log(2)  # a final loss under half of ln 2 (a coin flip's), without diverging: the run learned


def trains_at(rows, so_far: bool = False) -> str:
    """The learning rates of a scheme's sweep at which it trained, in words: "5 of 8 (0.01 to 1)", "2 of 8 (0.3 and
    3)" where it did not train at the rates between them, "1 of 8 (3)", or "none of 8"; of the rates done
    ``so_far``, while the others train: "1 of the 2 done so far (0.003)". Each unbroken run of trained rates is
    named as a range, a lone rate alone."""
    rows = rows.sort_values("lr")
    trained = (rows.final_loss < TRAINED).to_numpy()
    among = f"the {len(rows)} done so far" if so_far else f"{len(rows)} learning rates"
    if not trained.any():
        return f"trains at none of {among if so_far else 'the ' + among}"
    rates = rows.lr.to_numpy()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], trained.astype(np.int8), [0]])))  # each run's start, stop
    spans = [f"{rates[start]:g}" if stop - start == 1 else f"{rates[start]:g} to {rates[stop - 1]:g}"
             for start, stop in zip(edges[::2], edges[1::2])]
    return f"trains at {np.count_nonzero(trained)} of {among} ({listed(spans)})"
