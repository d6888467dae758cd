"""The figure every chart is built as, and sent as: fixed margins, the house style, plain lists.

``ui.charts`` says what each chart shows; this module holds what they all share: ``new`` builds a figure in
one go, ``PlainFigure`` is what reaches the browser, and the small helpers place labels and grid panels.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io
from plotly.subplots import make_subplots

from ui.theme import CHART_STYLE

# Margins, in pixels, that already hold what Plotly would push into them: tick labels with their axis title
# (left, bottom), a colour bar (right), the legend (bottom, a row at a time). When something does not fit,
# Plotly widens the margin and draws the chart a second time; that second draw was a third of the browser's
# work on the Signal propagation page.
MARGIN = dict(l=90, r=30, t=60, b=80)
COLOUR_BAR = 110  # right margin beside a colour bar
LEGEND_LINE, LEGEND_PAD = 20, 10  # a legend's height: 20 px a line of its entries, and 10 px around them
SUBTITLE = 20  # more room at the top for a subtitle's line
FULL_WIDTH, HALF_WIDTH = 790, 385  # a chart's width in a wide page on a laptop (1280 px), alone or two in a row
AXIS_KEY = re.compile(r"[xy]axis\d*")
SIGNIFICANT = 4  # digits kept of each number sent: a thousandth of a chart's height, finer than a pixel


def _legend_room(lines: int) -> int:
    """Pixels a legend of ``lines`` lines takes under the plot (as drawn in Chromium: 30 for one line, 50 for
    two, 169 for eight). Too little, and Plotly makes room by drawing the chart a second time; too much, and a
    blank opens between the axis title and the legend."""
    return LEGEND_LINE * lines + LEGEND_PAD if lines else 0


def _legend_lines(traces: list, room: float) -> int:
    """Lines of the horizontal legend in a plot ``room`` px wide, laid out the way Plotly does: all entries in one
    row if they fit; else in rows, each entry as wide as itself when entries are grouped (``legendgroup``), as
    wide as the widest entry when not. A row is as tall as its entry of most lines (``<br>`` breaks a name).
    An entry takes 42.5 px for its sample and 5 px of gap, and up to 6.25 px a character of the legend's
    12.75 px font (measured in Chromium): 6.5 here, to err on the side of room."""
    shown = [t for t in traces if t.showlegend or (t.showlegend is None and t.type == "scatter" and t.name)]
    if len(shown) < 2:
        return 0
    names = [t.name.split("<br>") for t in shown]
    widths = [47.5 + 6.5 * max(map(len, lines)) for lines in names]
    if sum(widths) <= room:
        return max(map(len, names))
    if not any(t.legendgroup for t in shown):
        widths = [max(widths)] * len(widths)
    lines, used, tallest = 0, 0.0, 0
    for name, entry in zip(names, widths, strict=True):
        if used and used + entry > room:
            lines, used, tallest = lines + tallest, 0.0, 0
        used, tallest = used + entry, max(tallest, len(name))
    return lines + tallest


def new(traces: list, title: str, *, subtitle: str | None = None, height: int = 420, width: int = FULL_WIDTH,
        fixed: bool = False, message: str | None = None, extra_margin: dict | None = None,
        **layout) -> PlainFigure:
    """The figure in one go: ``traces``; a title (and a smaller ``subtitle`` under it), fixed margins and a
    legend under the x axis; then ``layout`` (axes, annotations, shapes; a ``margin`` there replaces the fixed
    one, ``extra_margin`` adds pixels to it side by side, or takes them away where negative, and keeps the
    legend's room). ``width`` is the width the chart is expected to get (a hint for the legend's rows: a narrower screen
    still gets room, at a second draw); ``fixed``, the width it is drawn at, instead of filling its place.
    ``height`` leaves the legend out: its rows are added, so every plot of a height is as tall. ``message``
    says what the chart shows, in words, for a screen reader (``alt_text``).

    Built once because each ``update_*``/``add_*`` call on a figure parses and validates its arguments
    again: built call by call, a line chart took three times as long, and the home page's grid of panels
    over ten times (220 ms on the server at every visit).
    """
    right = COLOUR_BAR if any(t.type == "heatmap" and t.showscale is not False for t in traces) else MARGIN["r"]
    heading = dict(text=f"<b>{title}</b>") | (dict(subtitle=dict(text=subtitle)) if subtitle else {})
    extra = extra_margin or {}
    room = width - MARGIN["l"] - right - extra.get("l", 0) - extra.get("r", 0)
    legend = _legend_room(_legend_lines(traces, room))  # added below: never squeezes the plot
    margin = MARGIN | dict(t=MARGIN["t"] + (SUBTITLE if subtitle else 0), r=right, b=MARGIN["b"] + legend)
    base = dict(title=heading, height=height + legend, **(dict(width=width) if fixed else {}),
                margin={side: pixels + extra.get(side, 0) for side, pixels in margin.items()},
                legend=dict(orientation="h", xref="container", yref="container", yanchor="bottom", y=0, x=0,
                            xanchor="left"))  # at the bottom: where more rows are needed, Plotly makes room
    return PlainFigure(data=traces, layout=base | (dict(meta=dict(message=message)) if message else {}) | layout)


class PlainFigure(go.Figure):
    """A figure sent to the browser so that Streamlit draws it once, not twice.

    When Streamlit shows a chart it draws it, copies the figure and hands the copy to ``Plotly.react``,
    which draws everything again if anything in the copy looks new: a template (a new object after every
    copy), Streamlit's chart theme (it wraps the title in ``<b>`` once more) or a typed array (how plotly
    sends numpy arrays, and each copy makes new ones). So what ``to_dict`` sends (Streamlit sends that) has
    no template but the house style (``ui.theme.CHART_STYLE``) written into the layout, and every array as
    a plain list, numbers to ``SIGNIFICANT`` digits. Its ``datarevision`` is a fingerprint of the data:
    Plotly takes lists equal in value under an unchanged revision for the same data, so the second draw
    finds nothing to do, while a chart ever updated in place with new data would still be redrawn.
    ``ui.show`` turns Streamlit's theme off.

    In Python the figure keeps numpy arrays (plotly validates and copies lists far slower) and plotly's
    default template, which is cheap to apply and left out when sent.
    """

    enlargement = 1.0  # how many times larger than on a laptop it is drawn (``enlarged``: presenter mode)

    def to_dict(self) -> dict:
        return self.spec(self.enlargement)

    def spec(self, enlargement: float = 1.0) -> dict:
        """What is sent to draw this figure ``enlargement`` times larger, made once for each size: a figure is
        not changed once it is shown, and one drawn for a whole class (``ui.drawn``) is shown many times."""
        specs = self.__dict__.setdefault("_specs", {})
        if enlargement not in specs:
            specs[enlargement] = self._made(enlargement)
        return specs[enlargement]

    def _made(self, enlargement: float) -> dict:
        layout = self.layout.to_plotly_json()
        del layout["template"]
        layout.pop("meta", None)  # the words for screen readers travel as the chart's alt text, not in its layout
        layout = _merged(CHART_STYLE, layout)  # the style, with the first x and y axes
        for axis in [key for key in layout if AXIS_KEY.fullmatch(key)]:
            if axis[5:]:  # a grid's other axes
                layout[axis] = _merged(CHART_STYLE[axis[:5]], layout[axis])
            if layout[axis].get("showticklabels") is False:  # beside a heatmap Plotly still draws tick marks:
                layout[axis]["ticks"] = ""  # dashes along an edge, or in the gap between two panels
        data = [_plain(trace.to_plotly_json()) for trace in self.data]
        if enlargement != 1:
            layout, data = _enlarged(layout, enlargement, "layout"), _enlarged(data, enlargement, "data")
        fingerprint = json.dumps(data, default=str).encode()  # default: a value JSON has no name for
        layout["datarevision"] = hashlib.blake2b(fingerprint, digest_size=8).hexdigest()
        return _Spec(data=data, layout=_plain(layout))


class _Spec(dict):
    """What a ``PlainFigure`` sends, and its JSON once made (``_json``)."""

    json: str | None = None


_plotly_json = plotly.io.to_json


def _json(figure, *args, **kwargs) -> str:
    """``plotly.io.to_json``, which Streamlit calls on what a chart sends (``to_dict``) at every rerun of every
    session, made once for a ``PlainFigure``'s spec: a figure kept for a class (``ui.drawn``) is then turned into
    JSON once, not thirty times a move (8 % of a class's reruns on one link). Streamlit asks with validate=False;
    anything else goes to plotly as asked."""
    if type(figure) is not _Spec or args or kwargs != {"validate": False}:
        return _plotly_json(figure, *args, **kwargs)
    if figure.json is None:
        figure.json = _plotly_json(figure, validate=False)
    return figure.json


plotly.io.to_json = _json


class _Enlarged(PlainFigure):
    """A figure sent ``enlargement`` times larger than ``original``, which stays as it is (it may be shared)."""

    def __init__(self, original: PlainFigure, enlargement: float):
        super().__init__()
        self._original, self.enlargement = original, enlargement

    def to_dict(self) -> dict:
        return self._original.spec(self.enlargement)


def enlarged(figure: PlainFigure, factor: float) -> PlainFigure:
    """``figure`` to be drawn ``factor`` times larger: every font, and the height, fixed width, margins and gaps
    measured in pixels, so that it keeps its laptop proportions (``_enlarged``). Only its sending changes, so read
    its layout (its width, its words) from ``figure`` itself."""
    return figure if factor == 1 else _Enlarged(figure, factor)


# Sizes in pixels that grow with the words: a font's size, and the room kept around the words.
_PIXELS = {"size", "height", "width", "l", "r", "t", "b", "pad", "standoff"}
_HOLDS_PIXELS = {"margin", "title", "pad"}  # a dict whose pixel sizes are room kept for words


def _enlarged(spec, factor: float, within: str):
    """``spec`` (a figure's "layout" or "data", as sent, or a part of it ``within`` a key of that name) with each
    of its fonts' sizes, its height, fixed width, margins, and the gaps beside titles ``factor`` times larger.
    The house style sets every font (``CHART_STYLE``), so text without a size of its own takes a size this
    scales too. Marker sizes and line widths are kept."""
    if isinstance(spec, list):
        return [_enlarged(item, factor, within) for item in spec]
    if not isinstance(spec, dict):
        return spec
    scaled = {}
    for key, value in spec.items():
        grows = key in _PIXELS and (within.endswith("font") or within in _HOLDS_PIXELS
                                    or (within == "layout" and key in ("height", "width")))
        if grows and isinstance(value, int | float) and not isinstance(value, bool):
            scaled[key] = value * factor
        elif grows and key == "size" and isinstance(value, list):  # a size per point of a trace's text
            scaled[key] = [size * factor for size in value]
        else:
            scaled[key] = _enlarged(value, factor, key)
    return scaled


def alt_text(figure: go.Figure) -> str:
    """What a screen reader says for a chart: its title (and subtitle), then what it shows in words where the
    chart says (``new``'s ``message``: "He/Kaiming normal: steady over 50 layers; Small random: vanishes by
    layer 9"), else the names in its legend."""
    title = _words(figure.layout.title.text or "")
    if figure.layout.title.subtitle.text:
        title += f" ({figure.layout.title.subtitle.text})"
    message = (figure.layout.meta or {}).get("message") if isinstance(figure.layout.meta, dict) else None
    if message:
        return f"{title}. {_words(message)}."
    names = [_words(trace.name) for trace in figure.data if trace.name and trace.showlegend is not False]
    return title + (f". Shown: {'; '.join(dict.fromkeys(names))}." if names else ".")


def _words(text: str) -> str:
    """``text`` without its markup (``<b>``, ``<br>``): the words, one space apart."""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def _merged(style: dict, given: dict) -> dict:
    """``style`` overlaid with ``given``, nested dictionaries merged key by key."""
    merged = dict(style)
    for key, value in given.items():
        merged[key] = _merged(style[key], value) if isinstance(value, dict) and isinstance(style.get(key), dict) \
            else value
    return merged


def _plain(value):
    """``value`` with every numpy array inside it a list (NaN and ±inf become JSON nulls: gaps in a line)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if not isinstance(value, np.ndarray):
        return value
    return _significant(value).tolist() if value.dtype.kind == "f" else value.tolist()


def _significant(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to ``SIGNIFICANT`` significant digits (zeros, non-finite and subnormal ones kept)."""
    values = values.astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shift = SIGNIFICANT - 1 - np.floor(np.log10(np.abs(values)))  # decimal places to keep
        power = 10.0 ** np.abs(shift)  # exact up to 10²²: then the result is the decimal's nearest double
        rounded = np.where(shift >= 0, np.round(values * power) / power, np.round(values / power) * power)
    return np.where(np.isfinite(rounded), rounded, values)


def axis_title(text: str) -> dict:
    return dict(title=dict(text=text))


def label(x, y, text: str, **style) -> dict:
    """A text annotation in data coordinates (on a log axis, y is the exponent), without an arrow."""
    return dict(x=x, y=y, text=text, showarrow=False, **style)


def grid(rows: int, cols: int, **options) -> dict:
    """The axes and title annotations of ``make_subplots(rows, cols, **options)`` (titles as tuples), as
    a layout dict of the caller's own: made once per shape (making them is most of the time of a grid
    figure), and copied for each figure."""
    return copy.deepcopy(_subplot_layout(rows, cols, **options))


@functools.cache
def _subplot_layout(rows: int, cols: int, **options) -> dict:
    layout = make_subplots(rows=rows, cols=cols, **{k: list(v) if isinstance(v, tuple) else v
                                                     for k, v in options.items()}).layout.to_plotly_json()
    layout.pop("template", None)
    return layout


def panel_axes(row: int, col: int, cols: int) -> tuple[str, str]:
    """The x and y axis ids ('x', 'x2', ...) of panel (row, col) of a grid, counted from 1 at the top left."""
    k = (row - 1) * cols + col
    return ("x", "y") if k == 1 else (f"x{k}", f"y{k}")


def layout_key(axis: str) -> str:
    """The layout key of an axis id: 'y7' -> 'yaxis7', 'x' -> 'xaxis'."""
    return f"{axis[0]}axis{axis[1:]}"


def grid_axes(grid: dict, axis: str, **style) -> dict:
    """Every ``axis`` ('xaxis' or 'yaxis') of a grid layout with ``style`` added."""
    return {name: spec | style for name, spec in grid.items() if name.startswith(axis)}
