"""Figure builders: arrays and DataFrames in, ``plotly.graph_objects.Figure`` out. No Streamlit here.

Every histogram arrives pre-binned from ``initcore``; nothing here sends raw samples to the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.theme import FONT, scheme_colour, scheme_dash, scheme_label

VANISHING = 1e-2  # shaded below: a signal 100× weaker than it started
EXPLODING = 1e2  # shaded above: 100× stronger
AXIS_LIMITS = (1e-90, 1e80)  # float32 values end near 1e±38 (1e-45 subnormal), so variances near 1e77 and 1e-90
SAFE_BLUE = "#56B4E9"
SAFE_RED = "#D55E00"


# Margins, in pixels, that already hold what Plotly would push into them: tick labels with their axis title
# (left, bottom), a colour bar (right), the legend (bottom, a row at a time). When something does not fit,
# Plotly widens the margin and draws the chart a second time; that second draw was a third of the browser's
# work on the Signal propagation page.
MARGIN = dict(l=90, r=30, t=60, b=80)
COLOUR_BAR = 110  # right margin beside a colour bar
LEGEND_ROW = 28
FULL_WIDTH, HALF_WIDTH = 760, 360  # the plot's width in a wide page on a laptop, alone or in two columns


def _legend_rows(fig: go.Figure, width: int) -> int:
    """Rows of the horizontal legend, from its entries' lengths (about 8.5 px a character at font size 15)."""
    names = [t.name for t in fig.data if t.showlegend or (t.showlegend is None and t.type == "scatter" and t.name)]
    if len(names) < 2:
        return 0
    rows, used = 1, 0.0
    for name in names:
        entry = 50 + 8.5 * len(name)
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _layout(fig: go.Figure, title: str, height: int = 420, *, width: int = FULL_WIDTH) -> go.Figure:
    """Title, height, fixed margins and a legend under the x axis; ``width`` is the width the chart is
    expected to get (a hint for the legend's rows: a narrower screen still gets room, at a second draw)."""
    # No plotly template: Streamlit styles the chart in the browser, and a template adds ~7 KB per figure.
    right = COLOUR_BAR if any(getattr(t, "showscale", False) is not False and t.type == "heatmap"
                              for t in fig.data) else MARGIN["r"]
    fig.update_layout(font=FONT, title=dict(text=title, x=0, xanchor="left"), height=height,
                      margin=MARGIN | dict(r=right, b=MARGIN["b"] + LEGEND_ROW * _legend_rows(fig, width)),
                      legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left"))
    return fig


@dataclass(frozen=True)
class Curve:
    """One scheme's per-layer values (simulation) and, when theory exists, its prediction."""

    scheme: str
    layer: np.ndarray
    values: np.ndarray
    theory: np.ndarray | None = None
    exploded_at: int | None = None
    name: str | None = None


def _positive(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _drawable(values: np.ndarray) -> np.ndarray:
    """Positive values within ``AXIS_LIMITS`` (a theory curve can run on to 1e300 past an overflow)."""
    values = _positive(values)
    return np.where((values >= AXIS_LIMITS[0]) & (values <= AXIS_LIMITS[1]), values, np.nan)


def variance_figure(curves: list[Curve], *, title: str, y_title: str, x_title: str = "layer l") -> go.Figure:
    """Per-layer variance on a log axis: simulation (solid), theory (dotted), vanishing/exploding bands."""
    fig = go.Figure()
    finite = np.concatenate([_drawable(c.values) for c in curves] + [_drawable(c.theory) for c in curves
                                                                      if c.theory is not None])
    finite = finite[np.isfinite(finite)]
    low = np.log10(min(finite.min(), VANISHING / 10)) if finite.size else -3.0
    high = np.log10(max(finite.max(), EXPLODING * 10)) if finite.size else 3.0
    low, high = max(low - 0.5, -320.0), min(high + 0.5, 320.0)
    depth = max(int(c.layer.max()) for c in curves)
    edge = [0.5, depth + 0.5, depth + 0.5, 0.5]
    for y0, y1, colour, label in ((10**low, VANISHING, SAFE_BLUE, "vanishing"),
                                  (EXPLODING, 10**high, SAFE_RED, "exploding")):
        fig.add_trace(go.Scatter(x=edge, y=[y0, y0, y1, y1], fill="toself", fillcolor=colour, opacity=0.12,
                                 line=dict(width=0), hoverinfo="skip", showlegend=False, name=label))
        fig.add_annotation(x=depth, y=np.log10(y1 if label == "vanishing" else y0), text=label, showarrow=False,
                           xanchor="right", yanchor="top" if label == "vanishing" else "bottom",
                           font=dict(color=colour, size=13))
    for c in curves:
        name = c.name or scheme_label(c.scheme)
        colour = scheme_colour(c.scheme)
        fig.add_trace(go.Scatter(
            x=c.layer, y=_positive(c.values), name=name, mode="lines+markers", marker=dict(size=5),
            line=dict(color=colour, dash=scheme_dash(c.scheme), width=3),
            hovertemplate=f"{name}<br>layer %{{x}}<br>%{{y:.3g}}<extra>simulation</extra>"))
        if c.theory is not None:
            fig.add_trace(go.Scatter(
                x=c.layer, y=_drawable(c.theory), name=f"{name}: theory", mode="lines",
                line=dict(color=colour, dash="dot", width=2), opacity=0.8,
                hovertemplate=f"{name}<br>layer %{{x}}<br>%{{y:.3g}}<extra>theory</extra>"))
        if c.exploded_at is not None:
            fig.add_trace(go.Scatter(
                x=[c.exploded_at], y=[10 ** (high - 0.3)], mode="markers+text",
                text=[f"exploded at layer {c.exploded_at}"],
                textposition="bottom right" if c.exploded_at < depth / 2 else "bottom left",
                marker=dict(symbol="x", size=14, color=colour), showlegend=False,
                hovertemplate=f"{name}: inf/NaN from layer {c.exploded_at}<extra></extra>"))
    fig.update_yaxes(type="log", range=[low, high], title=y_title, exponentformat="power")
    fig.update_xaxes(title=x_title, range=[0.5, depth + 0.5])
    return _layout(fig, title)


def _centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def heatmap_figure(hist, *, log: bool, title: str, value_label: str) -> go.Figure:
    """Layers × bins: each row is one layer's distribution (share of its sampled units per bin)."""
    edges = hist.log_edges if log else hist.edges
    x_title = f"log10 |{value_label}|" if log else value_label
    layers = np.arange(1, hist.depth + 1)
    fig = go.Figure(go.Heatmap(
        z=hist.density(log).astype(np.float32), x=_centres(edges).astype(np.float32), y=layers, colorscale="Viridis",
        zmin=0,
        colorbar=dict(title="share"),
        hovertemplate=f"layer %{{y}}<br>{x_title} ≈ %{{x:.3g}}<br>share %{{z:.3f}}<extra></extra>"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title="layer l", autorange="reversed")
    return _layout(fig, title, height=460)


def ridgeline_figure(hist, layers: list[int], *, log: bool, title: str, value_label: str,
                     colour: str = "#0072B2") -> go.Figure:
    """Chosen layers' distributions stacked top to bottom, as in the CS231n and Glorot & Bengio figures."""
    edges = hist.log_edges if log else hist.edges
    centres = _centres(edges)
    density = hist.density(log)
    fig = go.Figure()
    closed_x = np.concatenate([centres, centres[::-1]]).astype(np.float32)
    for row, layer in enumerate(layers):
        shape = density[layer - 1]
        peak = shape.max()
        offset = -row
        scaled = offset + (0.9 * shape / peak if peak > 0 else shape)
        label = f"layer {layer}" if hist.total[layer - 1] else f"layer {layer} (overflowed)"
        fig.add_trace(go.Scatter(
            x=closed_x, y=np.concatenate([scaled, np.full_like(scaled, offset)]).astype(np.float32), mode="lines",
            fill="toself", line=dict(color=colour, width=1.5), name=label, showlegend=False, hoverinfo="skip"))
        fig.add_annotation(x=centres[0], y=offset + 0.45, text=label, showarrow=False, xanchor="left",
                           font=dict(size=12))
    fig.update_yaxes(showticklabels=False, zeroline=False, showgrid=False)
    fig.update_xaxes(title=f"log10 |{value_label}|" if log else value_label)
    return _layout(fig, title, height=max(320, 70 * len(layers) + 100))


def weights_figure(series: list[dict], *, log: bool, title: str) -> go.Figure:
    """Overlaid weight distributions: binned draws (steps) with the exact density drawn over them.

    Each item: scheme, edges, binned (density per bin), grid, exact (density on grid, NaN if none).
    """
    fig = go.Figure()
    for item in series:
        colour, label = scheme_colour(item["scheme"]), scheme_label(item["scheme"])
        fig.add_trace(go.Scatter(
            x=np.repeat(item["edges"], 2)[1:-1], y=np.repeat(item["binned"], 2), mode="lines", name=label,
            line=dict(color=colour, width=1.5, dash=scheme_dash(item["scheme"])), fill="tozeroy", opacity=0.5,
            hovertemplate=f"{label}<br>%{{x:.3g}}<br>density %{{y:.3g}}<extra>drawn</extra>"))
        if np.isfinite(item["exact"]).any():
            fig.add_trace(go.Scatter(
                x=item["grid"], y=item["exact"], mode="lines", name=f"{label}: exact", showlegend=False,
                line=dict(color=colour, width=3, dash=scheme_dash(item["scheme"])),
                hovertemplate=f"{label}<br>%{{x:.3g}}<br>density %{{y:.3g}}<extra>formula</extra>"))
    fig.update_xaxes(title="log10 |w|" if log else "weight w")
    fig.update_yaxes(title="density of log10|w|" if log else "probability density")
    return _layout(fig, title, height=460)


STRIP_FLOOR, STRIP_CEILING = -40, 40  # log10 range of the small multiples: float32 lives within ±38


def strip_figure(panels: dict[tuple[str, str], np.ndarray], rows: list[str], columns: list[str],
                 row_labels: dict[str, str], column_labels: dict[str, str] | None = None) -> go.Figure:
    """Small multiples of log10 variance across layers: one row per activation, one column per scheme.

    A variance of exactly 0 is drawn on the floor and labelled; an overflow gets a ✕ where it happened.
    """
    fig = make_subplots(rows=len(rows), cols=len(columns), shared_yaxes=True, horizontal_spacing=0.02,
                        vertical_spacing=0.12,
                        column_titles=[(column_labels or {}).get(c, scheme_label(c)) for c in columns],
                        row_titles=[row_labels[r] for r in rows])
    for i, row in enumerate(rows, start=1):
        for j, column in enumerate(columns, start=1):
            values = np.asarray(panels[(row, column)], dtype=float)
            layers = np.arange(1, len(values) + 1)
            with np.errstate(divide="ignore"):
                log_var = np.where(values == 0, STRIP_FLOOR, np.log10(values))
            colour = scheme_colour(column)
            fig.add_trace(go.Scatter(
                x=layers, y=log_var, mode="lines", line=dict(color=colour, width=3), showlegend=False,
                customdata=values, hovertemplate=f"{scheme_label(column)}, {row_labels[row]}<br>layer %{{x}}<br>"
                                                 "Var z = %{customdata:.2g}<extra></extra>"), row=i, col=j)
            fig.add_hline(y=0, line=dict(color="#999", width=1, dash="dot"), row=i, col=j)
            if (values == 0).all():
                fig.add_annotation(x=len(values) / 2, y=STRIP_FLOOR + 8, text="Var = 0", showarrow=False,
                                   font=dict(color=colour, size=12), row=i, col=j)
            overflow = np.flatnonzero(np.isnan(values))
            if overflow.size:
                fig.add_trace(go.Scatter(
                    x=[overflow[0] + 1], y=[STRIP_CEILING - 4], mode="markers", showlegend=False,
                    marker=dict(symbol="x", size=12, color=colour),
                    hovertemplate=f"overflow to inf at layer {overflow[0] + 1}<extra></extra>"), row=i, col=j)
    ticks = list(range(-30, 31, 15))
    fig.update_yaxes(range=[STRIP_FLOOR - 2, STRIP_CEILING], tickvals=ticks,
                     ticktext=["1" if t == 0 else f"1e{t}" for t in ticks])
    fig.update_yaxes(title_text="Var z", col=1)
    fig.update_xaxes(showticklabels=False)
    fig.update_annotations(font=dict(size=13))
    return _layout(fig, "Signal variance, layer by layer (20 layers)",
                   height=440)


def training_figure(histories: dict[str, object], column: str, *, title: str, y_title: str, log: bool,
                    diverged: dict[str, int | None], width: int = FULL_WIDTH) -> go.Figure:
    """One line per scheme across epochs; a ✕ where a run diverged, labelled on the side of the plot's middle."""
    fig = go.Figure()
    shown = np.concatenate([_positive(h[column]) if log else h[column].to_numpy(float) for h in histories.values()])
    shown = shown[np.isfinite(shown)]
    middle = 0.0 if not shown.size else (np.sqrt(shown.min() * shown.max()) if log else (shown.min() + shown.max()) / 2)
    for scheme, history in histories.items():
        colour, label = scheme_colour(scheme), scheme_label(scheme)
        values = _positive(history[column]) if log else history[column]
        fig.add_trace(go.Scatter(
            x=history["epoch"], y=values, name=label, mode="lines", line=dict(color=colour, width=3,
                                                                           dash=scheme_dash(scheme)),
            hovertemplate=f"{label}<br>epoch %{{x}}<br>%{{y:.4g}}<extra></extra>"))
        if diverged.get(scheme) is not None:
            last = history[column][np.isfinite(history[column])]
            y = float(last.iloc[-1]) if len(last) else 1.0
            fig.add_trace(go.Scatter(
                x=[diverged[scheme]], y=[y if (y > 0 or not log) else 1.0], mode="markers+text",
                text=[f"diverged (epoch {diverged[scheme]})"],
                textposition="bottom right" if y > middle else "top right", cliponaxis=False,
                marker=dict(symbol="x", size=16, color=colour), showlegend=False,
                hovertemplate=f"{label}: loss became inf/NaN at epoch {diverged[scheme]}<extra></extra>"))
    if column == "loss":
        fig.add_hline(y=np.log(2), line=dict(color="#777", width=1, dash="dash"),
                      annotation_text="ln 2 = 0.693: a coin flip", annotation_position="top right")
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title=y_title, type="log" if log else "linear", exponentformat="power")
    return _layout(fig, title, width=width)


def grad_norm_figure(histories: dict[str, object], width: int = FULL_WIDTH) -> go.Figure:
    """First-layer (solid) and last-layer (dotted) gradient norms per scheme, log scale."""
    fig = go.Figure()
    for scheme, history in histories.items():
        colour, label = scheme_colour(scheme), scheme_label(scheme)
        for column, dash, where in (("grad_norm_first", "solid", "first layer"),
                                    ("grad_norm_last", "dot", "output layer")):
            fig.add_trace(go.Scatter(
                x=history["epoch"], y=_positive(history[column]), name=label, mode="lines", legendgroup=scheme,
                showlegend=dash == "solid", line=dict(color=colour, dash=dash, width=3 if dash == "solid" else 2),
                hovertemplate=f"{label}, {where}<br>epoch %{{x}}<br>‖∇W‖ %{{y:.3g}}<extra></extra>"))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="‖dL/dW‖ (Frobenius)", type="log", exponentformat="power")
    return _layout(fig, "‖dL/dW‖: first layer (solid), last (dotted)", width=width)


def boundary_figure(scheme: str, grid: tuple, points: tuple[np.ndarray, np.ndarray]) -> go.Figure:
    """One scheme's decision boundary: p(class 1) on a grid (orange 0 → white ½ → blue 1), test points on top."""
    xs, ys, probs = grid
    X, y = points
    percent = np.round(100 * np.nan_to_num(probs, nan=0.5)).astype(np.uint8)  # 1 byte a cell
    fig = go.Figure(go.Heatmap(x=xs.astype(np.float32), y=ys.astype(np.float32), z=percent, zmin=0, zmax=100,
                               colorscale=[[0, "#E69F00"], [0.5, "#FFFFFF"], [1, "#56B4E9"]], showscale=False,
                               hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>p(class 1) = %{z}%<extra></extra>"))
    for label, colour, symbol in ((0, "#9E5A00", "circle"), (1, "#005A8C", "diamond")):
        chosen = y == label
        fig.add_trace(go.Scatter(x=X[chosen, 0].astype(np.float32), y=X[chosen, 1].astype(np.float32),
                                 mode="markers", showlegend=False, hovertemplate=f"class {label}<extra></extra>",
                                 marker=dict(color=colour, size=5, symbol=symbol, line=dict(width=0.5, color="white"))))
    fig.update_xaxes(showticklabels=False, range=[xs[0], xs[-1]])
    fig.update_yaxes(showticklabels=False, range=[ys[0], ys[-1]])
    _layout(fig, scheme_label(scheme), height=300)
    fig.update_layout(margin=dict(l=15, r=10, t=40, b=15))
    return fig


def matrix_figure(before: np.ndarray, after: np.ndarray, *, title: str) -> go.Figure:
    """A weight matrix before and after training, side by side on one colour scale."""
    reach = float(max(np.abs(before).max(), np.abs(after).max(), 1e-12))
    fig = make_subplots(rows=1, cols=2, subplot_titles=["before", "after"], shared_yaxes=True,
                        horizontal_spacing=0.05)
    for col, matrix in enumerate((before, after), start=1):
        fig.add_trace(go.Heatmap(z=matrix, zmin=-reach, zmax=reach, colorscale="RdBu", showscale=col == 2,
                                 colorbar=dict(title="w"),
                                 hovertemplate="input %{y}, unit %{x}<br>w = %{z:.4g}<extra></extra>"),
                      row=1, col=col)
    fig.update_xaxes(title="unit")
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title="input (row)", col=1)
    return _layout(fig, title, height=380)
