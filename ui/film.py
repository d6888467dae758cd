"""The Training lab's film: every compared run at each recorded epoch, one slider in the browser driving all.

Each run records ``SNAPSHOTS`` + 1 snapshots (``initcore.train(..., snapshots=)``): epoch 0, the initialization,
to the last epoch (or the epoch it diverged). One figure shows, per scheme, its decision boundary and a
layer × value heatmap of its weights, activations or gradients, under the loss curves with a cursor at the
shown epoch. Each recorded epoch is a Plotly frame: Play, Pause and the slider move between them in the
browser, with no rerun on the server, so thirty students scrubbing cost the server nothing.

What travels is small: every share a whole percent, sent as bytes (a typed array), histograms of
``FILM_BINS`` bins on edges shared by all of a run's frames (so a spreading distribution is seen to spread),
and at most as many frames as fit ``FIGURE_BUDGET``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

import initcore
from initcore.histograms import positions
from ui import drawn
from ui import figure as fig
from ui.charts import OVERFLOWED, TRAINED, layer_ticks, log_axis, positive_only, top_of_the_living
from ui.theme import (
    FRAME,
    NO_ANSWER,
    PAPER,
    listed,
    mid_sentence,
    number,
    percent,
    scheme_colour,
    scheme_dash,
    scheme_label,
    times,
)

SNAPSHOTS = 40  # snapshots + 1 frames: epoch 0 and 40 evenly spaced epochs after it
MAX_FRAMES = SNAPSHOTS + 1  # a diverged run's last snapshot is one more epoch: the film thins to this many
FILM_BINS = 40
WIDE_MOST = 5  # runs side by side, a column each; more are laid out a row each, as on a phone
WIDE_MARGIN = dict(l=90, r=150, t=60, b=200)  # px: room for the tick labels and the colour bar of runs side by side
COLUMN_GAP = 0.04  # between two columns side by side, a share of the plot's width
COLUMN_LEAST = 80  # px: the narrowest column whose run name (with the gap beside it) and heatmap ticks keep apart
FIGURE_BUDGET = 480_000  # bytes of the whole figure as sent: under 500 KB on the websocket, with room to spare
SHARE_TOP = 25  # % of a layer's units in one bin at which the colour tops out: a spike reads at once, a spread too
PLAY_MS = 350  # one frame's time on screen while playing
LOSS_TICKS = 4  # powers of ten at most on the film's loss axis, 130 to 170 px tall: nine touched one another
TICK_REACH = 0.6  # a heatmap's ticks stand within this share of its half-width: a label at the edge ran into the next
# Plotly draws the film's ▶ Play, ❚❚ Pause and ↺ Replay and its epoch slider in SVG, which the Tab key never reaches
# and a screen reader cannot name. This script, the app's own, makes each button a named button that Enter and Space
# press, and the slider a named slider whose arrow, Home and End keys step it, by the very clicks Plotly listens to
# (a click on a button; a press on the slider's rail at a step's tick, counted from the step Plotly has active,
# which the grip reaches only later). It tells the slider's epoch as its value. And ▶ Play goes on from the epoch
# the slider shows: Plotly plays on from the frame it last animated to, and a film a link opens at a frame (drawn
# there, not animated there) had animated to none, so Play started again at epoch 0.
SCRIPT = """<script>
(() => {
    if (window.initlabFilmScript) return;
    window.initlabFilmScript = true;
    const centre = (r) => r.left + r.width / 2;
    const button = (g) => {
        g.setAttribute("role", "button");
        g.setAttribute("tabindex", "0");
        g.setAttribute("aria-label", `${g.textContent.replace(/^[^A-Za-z]+/, "").trim()} the film`);
        g.addEventListener("keydown", (e) => {
            if (e.key !== "Enter" && e.key !== " ") return;
            e.preventDefault();
            g.dispatchEvent(new MouseEvent("click", {bubbles: true}));
        });
    };
    const tell = (s) => {
        const epoch = s.querySelector("text.slider-label").textContent;
        if (s.getAttribute("aria-valuetext") !== epoch) s.setAttribute("aria-valuetext", epoch);
    };
    const slider = (s) => {
        s.setAttribute("role", "slider");
        s.setAttribute("tabindex", "0");
        s.setAttribute("aria-label", "Epoch the film shows");
        s.addEventListener("keydown", (e) => {
            const ticks = [...s.querySelectorAll("rect.slider-tick-rect")]
                .map((t) => centre(t.getBoundingClientRect()));
            const at = s.closest(".js-plotly-plot")._fullLayout.sliders[0].active || 0;  // set as soon as it moves
            const step = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 5, PageDown: -5}[e.key];
            const to = e.key === "Home" ? 0 : e.key === "End" ? ticks.length - 1
                : step === undefined ? null : at + step;
            if (to === null) return;
            e.preventDefault();
            const rail = s.querySelector("rect.slider-rail-touch-rect");
            const box = rail.getBoundingClientRect(), x = ticks[Math.max(0, Math.min(ticks.length - 1, to))];
            for (const kind of ["mousedown", "mouseup"]) rail.dispatchEvent(new MouseEvent(kind, {
                bubbles: true, view: window, buttons: 1, clientX: x, clientY: box.top + box.height / 2}));
        });
    };
    const reach = () => {  // at every change of the page: new films, and the epoch a film shows
        for (const g of document.querySelectorAll(".stPlotlyChart g.updatemenu-button:not([role])")) button(g);
        for (const s of document.querySelectorAll(".stPlotlyChart g.slider-container:not([role])")) slider(s);
        for (const s of document.querySelectorAll(".stPlotlyChart g.slider-container[role]")) tell(s);
    };
    document.addEventListener("click", (e) => {  // before Plotly's own handler, on the button
        const play = e.target.closest && e.target.closest(".stPlotlyChart g.updatemenu-button");
        if (!play || !play.textContent.includes("Play")) return;
        const plot = play.closest(".js-plotly-plot"), slider = plot.layout.sliders[0];
        plot._fullLayout._currentFrame = slider.steps[plot._fullLayout.sliders[0].active || 0].args[0][0];
    }, true);
    // Pause and Replay interrupt the animation playing, and Plotly rejects that animation's promise, with no
    // reason, where its own button handler never awaits it: an "Uncaught (in promise) undefined" at every press.
    window.addEventListener("unhandledrejection", (e) => {
        if (e.reason === undefined && document.querySelector(".stPlotlyChart g.updatemenu-button")) e.preventDefault();
    });
    new MutationObserver(reach).observe(document.body, {childList: true, subtree: true, characterData: true});
    reach();
})();
</script>"""
BREAK = {False: " ", True: "<br>"}  # between a title's two halves: on one line, or on two on a phone
# What the heatmaps can show: the snapshot's histograms, the value's letter and the words for it.
QUANTITIES = {"weights": ("weight_hist", "w", "weights W_l"),
              "activations": ("act_hist", "a", "activations a_l"),
              "gradients": ("grad_hist", "dL/dW", "gradients dL/dW_l")}


@dataclass(frozen=True)
class Reel:
    """One run's film, ready to draw: at each of ``epochs``, p(class 1) on the snapshot grid (%, NaN: no
    answer) and each layer's share of values per bin of ``edges`` (%, NaN: a layer that overflowed)."""

    scheme: str
    epochs: np.ndarray  # (frames,)
    boundary: np.ndarray  # (frames, side, side)
    shares: np.ndarray  # (frames, depth, FILM_BINS)
    edges: np.ndarray  # (FILM_BINS + 1,)
    diverged_epoch: int | None
    zeros: np.ndarray | None = None  # (frames,) on a log10 |x| axis: the share of all values exactly 0, off the axis
    blank: bool = False  # every value of every frame is exactly 0: no axis, linear or log, spreads them


def reel(scheme: str, snapshots: list, quantity: str, log: bool, diverged_epoch: int | None) -> Reel:
    """``snapshots`` (one run's, ``TrainingRun.snapshots``) as a ``Reel`` of ``quantity``, binned on x or on
    log10 |x| (``log``)."""
    hists = [getattr(s, QUANTITIES[quantity][0]) for s in snapshots]
    edges = _shared_edges(hists, log)
    shares = np.stack([_rebinned(h, edges, log) for h in hists])
    boundary = np.stack([100 * s.boundary for s in snapshots])
    zeros = np.array([h.zeros.sum() / h.total.sum() if h.total.any() else np.nan for h in hists]) if log else None
    blank = all(h.zeros.sum() == h.total.sum() for h in hists)
    return Reel(scheme, np.array([s.epoch for s in snapshots]), boundary, shares, edges, diverged_epoch, zeros, blank)


def wide_needs(k: int) -> float:
    """The width (px) a film of ``k`` runs side by side needs: its margins, and ``COLUMN_LEAST`` for each column.
    Five runs need 716 px: a window of 1280 px gives 791 with its sidebar open, one of 1024 px 535."""
    return WIDE_MARGIN["l"] + WIDE_MARGIN["r"] + COLUMN_LEAST * k / (1 - COLUMN_GAP * (k - 1))


@drawn.once(kept=drawn.FILMS_KEPT)
def lab_film(lab: dict, quantity: str, log: bool, narrow: bool = False, start: int = 0) -> FilmFigure:
    """The film of the lab's runs (``ui.runs.gather``), showing ``quantity``; ``narrow``: one row per run, as on a
    phone (for a column narrower than ``wide_needs``); ``start``: the frame it opens at."""
    reels = [reel(s, shots, quantity, log, lab["diverged"][s]) for s, shots in lab["snapshots"].items()]
    return film_figure(reels, lab["histories"], lab["test_points"], quantity, log, narrow, start)


CROWDED = 0.8  # a share of a linear film's values in its two middle bins that leaves the layers' scales unreadable
NEARLY_ALL = 0.995  # a share that rounds to 100 %: "nearly all", where "at least 100 %" would be said


def middle_share(reels: list[Reel]) -> float | None:
    """The least share, over the runs, of a run's values (every frame and layer with values) that its linear axis,
    set by its largest value, puts in the two middle bins: heavy-tailed gradients crowd there whatever the start
    (He's as much as Small random's), where log10 |x| tells the layers' scales apart. A run whose every value is 0
    is left out, since no axis spreads it; None where that leaves no run."""
    middle = slice(FILM_BINS // 2 - 1, FILM_BINS // 2 + 1)
    shares = [r.shares[..., middle].sum(axis=-1) for r in reels if not r.blank]
    if not shares:
        return None
    return min(float(np.nanmean(share)) / 100 if np.isfinite(share).any() else 1.0 for share in shares)


def _shared_edges(hists: list, log: bool) -> np.ndarray:
    """``FILM_BINS`` uniform bins that hold every snapshot's bins: ±(the largest reach), or the widest span of
    log10 |x|. A snapshot of zeros alone is binned on ±1 (or -1 to 1 in log10 |x|), edges that hold no value: they
    are left out, or a run whose gradients are 10⁻⁹ and later 0 would be drawn on ±1."""
    spans = np.array([h.log_edges[[0, -1]] if log else h.edges[[0, -1]] for h in hists
                      if h.zeros.sum() < h.total.sum()])
    if not len(spans):
        return np.linspace(-1.0, 1.0, FILM_BINS + 1)
    low, high = spans[:, 0].min(), spans[:, 1].max()
    return np.linspace(low, high, FILM_BINS + 1)


def _rebinned(hist, edges: np.ndarray, log: bool) -> np.ndarray:
    """Each layer's share of values per bin of ``edges``. Each of the snapshot's own (narrower or equal) bins is
    spread evenly over its width and shared out among the bins of ``edges`` it overlaps: moved whole by its centre,
    60 bins into 40 had filled every other bin with two and drawn stripes. Exact zeros (a ReLU layer's half, a layer
    of zeros) are no spread of values: they go whole into the bin of 0. A layer with no values (it overflowed) is
    NaN."""
    own = hist.log_edges if log else hist.edges
    counts = hist.log_counts if log else hist.counts.astype(float)
    if not log:  # the zeros out of the own bin ``build`` put them in
        counts[:, positions(np.zeros(1, np.float32), own)[0]] -= hist.zeros
    bins = counts.shape[1]
    at = np.clip((edges - own[0]) / (own[-1] - own[0]) * bins, 0, bins)  # the shared edges, in own bins
    whole = np.minimum(at.astype(int), bins - 1)
    below = np.concatenate([np.zeros((len(counts), 1)), np.cumsum(counts, axis=1)], axis=1)  # under each own edge
    moved = np.diff(below[:, whole] + (at - whole) * counts[:, whole], axis=1)
    if not log:
        moved[:, min(int((0 - edges[0]) / (edges[-1] - edges[0]) * FILM_BINS), FILM_BINS - 1)] += hist.zeros
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hist.total[:, None] > 0, 100 * moved / hist.total[:, None], np.nan)


def _thinned(frames: list[dict], budget: int) -> list[dict]:
    """``frames``, thinned evenly (the first and last always kept) to at most ``MAX_FRAMES``, and until their
    JSON fits ``budget`` bytes."""
    sizes = np.array([len(json.dumps(frame)) for frame in frames])
    count = min(len(frames), MAX_FRAMES)
    while count > 2 and sizes[_evenly(len(frames), count)].sum() > budget:
        count -= 1
    return [frames[k] for k in _evenly(len(frames), count)]


def _evenly(total: int, count: int) -> np.ndarray:
    return np.unique(np.round(np.linspace(0, total - 1, count)).astype(int))


def _frames(reels: list[Reel]) -> list[int]:
    """The film's frames: the epochs at which every run still going has a snapshot. A run whose film has ended (it
    diverged earlier) shows its last snapshot, marked; no other panel shows an epoch other than the slider's. So a
    diverged run's last snapshot, at its divergence, is a frame only where every run still going has that epoch
    too: three runs that diverge at epochs 1, 2 and 3 (snapshots 0, 1 / 0, 2 / 0, 2, 3) make frames 0, 2 and 3."""
    every = sorted(set().union(*(r.epochs.tolist() for r in reels)))
    return [e for e in every if all(e in r.epochs or r.epochs[-1] < e for r in reels)]


def _at(r: Reel, epoch: int) -> int:
    """The index of ``r``'s last snapshot at or before ``epoch`` (a diverged run stays at its last)."""
    return int(np.searchsorted(r.epochs, epoch, side="right") - 1)


def _typed(values: np.ndarray) -> dict | list:
    """``values`` as a Plotly typed array: whole percents as bytes where every value is a number, else float32
    (NaN: no value, a gap); with no number at all (a diverged run), one gap."""
    values = np.asarray(values)
    if np.isnan(values).all():
        return [[None]]
    array = np.round(values).astype(np.uint8) if np.isfinite(values).all() else values.astype(np.float32)
    return dict(dtype="u1" if array.dtype == np.uint8 else "f4", bdata=base64.b64encode(array.tobytes()).decode(),
                shape=", ".join(map(str, array.shape)))


class FilmFigure(fig.PlainFigure):
    """A ``PlainFigure`` with frames, sent as Plotly's typed arrays (they are not compared between draws)."""

    def _made(self, enlargement: float) -> dict:
        return super()._made(enlargement) | {"frames": self._film_frames}

    @property
    def crowded(self) -> float | None:
        """``middle_share`` of the runs a linear film draws; None on a log10 |x| axis."""
        return self._crowded

    @property
    def frame_count(self) -> int:
        return len(self._film_frames)

    def open_at(self, k: int) -> None:
        """Show frame ``k`` (of those kept) before Play is pressed, its step chosen on the slider."""
        frame = self._film_frames[k]
        for index, update in zip(frame["traces"], frame["data"]):
            self.data[index].update(update)
        self.layout.annotations = frame["layout"]["annotations"]
        self.layout.sliders[0].active = k

    def keep_frames(self, frames: list[dict], grid: Grid) -> None:
        """Keep ``frames``, thinned evenly until the whole figure's JSON fits ``FIGURE_BUDGET``, and a slider step
        for each frame kept."""
        self._film_frames = []
        rest = len(json.dumps(self._made(1.0)))  # all but the frames (a slider step for every epoch, at most)
        self._film_frames = _thinned(frames, FIGURE_BUDGET - rest)
        self.layout.sliders = [_slider([int(frame["name"]) for frame in self._film_frames], grid)]


def film_figure(reels: list[Reel], histories: dict, points: tuple[np.ndarray, np.ndarray], quantity: str,
                log: bool, narrow: bool = False, start: int = 0) -> FilmFigure:
    """The film: loss curves with a cursor at the shown epoch on top; under them, for each scheme, its boundary
    and its layer × value heatmap of ``quantity`` (``Grid``: one column per scheme, or on a phone (``narrow``)
    one row per scheme); the slider and Play/Pause below; opened at frame ``start`` of those it keeps."""
    # Side by side, more than WIDE_MOST runs leave each a sliver: their names overlap, their ticks collide.
    grid = Grid.narrow(len(reels)) if narrow or len(reels) > WIDE_MOST else Grid.wide(len(reels))
    k = len(reels)
    epochs = _frames(reels)
    letter, words = QUANTITIES[quantity][1:]
    axis_x = f"log10 |{letter}|" if log else letter
    losses = {r.scheme: positive_only(histories[r.scheme]["loss"]) for r in reels}
    top = top_of_the_living(losses, {r.scheme: r.diverged_epoch for r in reels}) or np.inf
    static, layout = _frame_layout(reels, histories, points, axis_x, log, grid, losses, top)
    moving = ([_cursor_trace(_cursor(reels, histories, epochs[0], top))]
              + [_boundary(r, j) for j, r in enumerate(reels)] + [_heat(r, k + j) for j, r in enumerate(reels)])
    moving_at = list(range(len(static), len(static) + len(moving)))
    frames = [dict(name=str(e), traces=moving_at, layout=dict(annotations=_annotations(reels, e, grid)),
                   data=[_cursor(reels, histories, e, top)] + [dict(z=_typed(_boundary_z(r, e))) for r in reels]
                   + [dict(z=_typed(r.shares[_at(r, e)])) for r in reels]) for e in epochs]
    message = "; ".join(_fate(r, histories[r.scheme]) for r in reels)
    title = f"<b>Training, epoch by epoch:{BREAK[grid.phone]}{words}</b>"
    figure = FilmFigure(data=static + moving,
                        layout=dict(title=dict(text=title), height=grid.height,
                                    margin=grid.margin, showlegend=False, meta=dict(message=message),
                                    annotations=_annotations(reels, epochs[0], grid),
                                    sliders=[_slider(epochs, grid)], updatemenus=[_buttons(grid)], **layout))
    figure.keep_frames(frames, grid)
    figure._crowded = None if log else middle_share(reels)
    if start:
        figure.open_at(start)
    return figure


@dataclass(frozen=True)
class Grid:
    """Where the film's panels sit: y domains (paper fractions) of the loss curves, and per scheme the x and
    y domains of its boundary and of its heatmap; the figure's height and margins, the colour bar, and how far
    below the plot (px) the buttons and the slider go. ``wide``: a row of columns, one per scheme, for a laptop
    or a projector; ``narrow``: a phone's 390 px, one row per scheme, its boundary beside its heatmap."""

    height: int
    margin: dict
    loss: tuple[float, float]
    boundaries: list[tuple[tuple[float, float], tuple[float, float]]]
    heats: list[tuple[tuple[float, float], tuple[float, float]]]
    colorbar: dict
    plot_height: int
    phone: bool = False
    BUTTONS, SLIDER = 51, 91  # px below the plot area: the buttons, then the slider

    @classmethod
    def wide(cls, k: int) -> Grid:
        width = (1 - COLUMN_GAP * (k - 1)) / k
        columns = [(j * (width + COLUMN_GAP), j * (width + COLUMN_GAP) + width) for j in range(k)]
        margin = dict(WIDE_MARGIN)  # any less, and Plotly draws the film twice
        return cls(830, margin, (0.78, 1.0), [(c, (0.41, 0.64)) for c in columns], [(c, (0.0, 0.31)) for c in columns],
                   dict(len=0.31, y=0, yanchor="bottom"), 830 - margin["t"] - margin["b"])

    @classmethod
    def narrow(cls, k: int) -> Grid:
        loss, bar, row, between = 170, 150, 170, 85  # px: the loss curves, the colour bar under them, a scheme's
        # row, and the room under a row for its heatmap's axis and the next scheme's name
        plot = loss + bar + k * row + (k - 1) * between
        margin = dict(l=15, r=70, t=60, b=170)  # the axes of the loss and of the layers on the right

        def rows_down(top: float, height: float) -> tuple[float, float]:  # px from the top → a y domain
            return (1 - (top + height) / plot, 1 - top / plot)

        tops = [loss + bar + j * (row + between) for j in range(k)]
        return cls(plot + margin["t"] + margin["b"], margin, rows_down(0, loss),
                   [((0.0, 0.46), rows_down(top, row)) for top in tops],
                   [((0.52, 1.0), rows_down(top, row)) for top in tops],
                   dict(orientation="h", len=1, x=0, xanchor="left", y=1 - (loss + 35) / plot, yanchor="top",
                        thickness=12, ticktext=["0", "5", "10", "15", "20", f"≥ {SHARE_TOP}"]), plot, phone=True)

    @property
    def side(self) -> str:
        """Where the loss and layer axes go: on a phone, right of the panels, since the boundaries take the left."""
        return "right" if self.phone else "left"

    @property
    def tick_marks(self) -> dict:
        """On a phone's right-hand axes, no tick marks: each stood before its number like a minus sign ("- 1")."""
        return dict(ticks="") if self.phone else {}

    def below(self, px: int) -> float:
        """``px`` below the plot area, in paper fractions."""
        return -px / self.plot_height


def _frame_layout(reels: list[Reel], histories: dict, points, axis_x: str, log: bool, grid: Grid, losses: dict,
                  top: float) -> tuple[list, dict]:
    """The traces that stay the same in every frame (loss curves, test points) and the axes of every panel,
    where ``grid`` puts them (the heatmaps' value axis titled ``axis_x``, on log10 |x| where ``log``); the loss axis
    up to ``top`` (``top_of_the_living``: a run on its way to overflowing leaves the panel at its top edge, as on
    the loss chart)."""
    k = len(reels)
    shown = np.concatenate([v for v in losses.values()] + [[np.log(2)]])
    if (shown > top).any():
        shown = np.append(shown[~(shown > top)], top)
    traces = [go.Scatter(x=histories[r.scheme]["epoch"], y=losses[r.scheme], hoverinfo="skip", cliponaxis=False,
                         mode="markers" if np.isfinite(losses[r.scheme]).sum() == 1 else "lines",  # a lone point:
                         marker=dict(color=scheme_colour(r.scheme), size=7),  # a run that diverged at epoch 1
                         line=dict(color=scheme_colour(r.scheme), width=2, dash=scheme_dash(r.scheme)))
              for r in reels]
    last = max(int(h["epoch"].max()) for h in histories.values())
    whole = {} if last > 10 else dict(tick0=0, dtick=1)  # a few epochs: whole ones only, not 0.5, 1.5, 2.5
    layout = dict(xaxis=dict(domain=[0, 1], anchor="y", range=[0, max(last, 1)], **whole),  # the slider says "epoch"
                  yaxis=dict(domain=list(grid.loss), anchor="x", side=grid.side, **log_axis(shown, LOSS_TICKS),
                             title=dict(text="loss"), **grid.tick_marks))
    X, y = points
    for j, r in enumerate(reels):
        bx, hx = 2 + j, 2 + k + j
        (boundary_x, boundary_y), (heat_x, heat_y) = grid.boundaries[j], grid.heats[j]
        for cls, colour, symbol in ((0, "#9E5A00", "circle"), (1, "#005A8C", "diamond")):
            chosen = y == cls
            traces.append(go.Scatter(x=X[chosen, 0].astype(np.float32), y=X[chosen, 1].astype(np.float32),
                                     mode="markers", xaxis=f"x{bx}", yaxis=f"y{bx}", hoverinfo="skip",
                                     marker=dict(color=colour, size=4, symbol=symbol,
                                                 line=dict(width=0.5, color="white"))))
        framed = dict(showline=True, mirror=True, linecolor=FRAME, showticklabels=False, showgrid=False,
                      zeroline=False)
        layout[f"xaxis{bx}"] = dict(domain=list(boundary_x), anchor=f"y{bx}", range=[-2, 2], side="top",
                                    title=dict(text=f"<b>{_wrapped(scheme_label(r.scheme))}</b>", standoff=10),
                                    constrain="domain", **framed)  # a square panel: the grey under it, no wider
        layout[f"yaxis{bx}"] = dict(domain=list(boundary_y), anchor=f"x{bx}", range=[-2, 2],
                                    scaleanchor=f"x{bx}", constrain="domain", **framed)
        layout[f"xaxis{hx}"] = dict(domain=list(heat_x), anchor=f"y{hx}", range=[r.edges[0], r.edges[-1]],
                                    title=dict(text=axis_x), exponentformat="power",
                                    **(dict(nticks=4) if log else _ticks(r.edges[0], r.edges[-1])))
        named = j == 0 or grid.phone  # side by side, the panels' rows line up: the first one numbers them
        layers = r.shares.shape[1]  # the range written out: a frame with no value at all sends one gap, [[None]]
        layout[f"yaxis{hx}"] = dict(domain=list(heat_y), anchor=f"x{hx}", range=[layers + 0.5, 0.5], side=grid.side,
                                    title=dict(text="layer l") if named else None, showticklabels=named,
                                    **layer_ticks(layers), **grid.tick_marks)
    # Grey under each heatmap, and under a diverged run's boundary: where a layer or the output has no value (NaN),
    # the panel shows the lab's grey of no answer, not the white of p = ½ or a blank frame.
    layout["shapes"] = [dict(type="rect", xref=f"x{axis} domain", yref=f"y{axis} domain", x0=0, x1=1, y0=0, y1=1,
                             fillcolor=NO_ANSWER, line=dict(width=0), layer="below")
                        for j, r in enumerate(reels)
                        for axis in ([2 + k + j] + ([2 + j] if r.diverged_epoch is not None else []))]
    words = "% of the layer's values" if grid.phone else "% of the<br>layer's values"
    layout["coloraxis"] = dict(cmin=0, cmax=SHARE_TOP, colorscale="Viridis", colorbar=dict(
        title=dict(text=words, side="top"), ticksuffix=" %", tickvals=[0, 5, 10, 15, 20, 25],
        ticktext=["0 %", "5 %", "10 %", "15 %", "20 %", f"≥ {SHARE_TOP} %"]) | grid.colorbar)
    return traces, layout


def _ticks(low: float, high: float) -> dict:
    """0 and the roundest number (1, 2 or 5 × 10^k) within reach (``TICK_REACH`` of the way to the edge, so that its
    label does not run into the next panel's) on each side of a heatmap's linear axis from ``low`` to ``high``:
    three ticks a narrow panel holds. Left to Plotly, four ticks at most over ±0.044 (small
    weights' activations) came out as 0 alone, and the spread could not be read."""
    reach = TICK_REACH * max(abs(low), abs(high))
    if not np.isfinite(reach) or reach <= 0:
        return dict(nticks=4)
    decade = 10.0 ** np.floor(np.log10(reach))
    nice = max(m * decade for m in (1, 2, 5) if m * decade <= reach)
    values = [v for v in (-nice, 0.0, nice) if low <= v <= high]
    return dict(tickvals=values, ticktext=[number(v, 2) for v in values])


def _wrapped(name: str, room: int = 10) -> str:
    """A scheme's name on two lines where it is longer than ``room`` characters: five panels share a row, each
    about 90 px wide in a browser window of 700 px, where "Small random" beside "Large random" ran into it."""
    if len(name) <= room or " " not in name:
        return name
    cut = name.rfind(" ", 0, room + 1)
    cut = cut if cut > 0 else name.find(" ")
    return f"{name[:cut]}<br>{name[cut + 1:]}"


def _cursor(reels: list[Reel], histories: dict, epoch: int, top: float) -> dict:
    """The loss of each run at the epoch of its snapshot shown at ``epoch`` (``_at``; a diverged run: at its last
    finite epoch), as markers on its curve, at most ``top`` (the panel's top edge): a frame's update of the cursor
    trace."""
    xs, ys, colours = [], [], []
    for r in reels:
        epochs, losses = (histories[r.scheme][column].to_numpy() for column in ("epoch", "loss"))
        shown = np.flatnonzero((epochs <= r.epochs[_at(r, epoch)]) & np.isfinite(losses) & (losses > 0))
        if len(shown):
            xs.append(int(epochs[shown[-1]]))
            ys.append(min(float(losses[shown[-1]]), top))
            colours.append(scheme_colour(r.scheme))
    return dict(x=xs, y=ys, marker=dict(color=colours))


def _cursor_trace(first: dict) -> go.Scatter:
    """The cursor's markers, drawn whole where they sit on the loss panel's edge: at epoch 0, or at the top, where a
    diverged run's last finite loss is."""
    return go.Scatter(**first, mode="markers", hoverinfo="skip", cliponaxis=False).update(marker=dict(
        size=11, line=dict(color="white", width=1.5)))


def _boundary_z(r: Reel, epoch: int) -> np.ndarray:
    return r.boundary[_at(r, epoch)]


def _boundary(r: Reel, j: int) -> go.Heatmap:
    """Row 2, column j: p(class 1) on the grid (orange 0, white ½, blue 1); grey where there is no answer."""
    axis = np.linspace(-2, 2, r.boundary.shape[1]).astype(np.float32)
    return go.Heatmap(x=axis, y=axis, z=np.round(_boundary_z(r, r.epochs[0])), zmin=0, zmax=100, showscale=False,
                      xaxis=f"x{2 + j}", yaxis=f"y{2 + j}", hovertemplate="p(class 1) = %{z} %<extra></extra>",
                      colorscale=[[0, "#E69F00"], [0.5, "#FFFFFF"], [1, "#56B4E9"]])


def _heat(r: Reel, j: int) -> go.Heatmap:
    """Row 3: each layer's share of values per bin, on the run's shared edges."""
    centres = ((r.edges[:-1] + r.edges[1:]) / 2).astype(np.float32)
    return go.Heatmap(x=centres, y=np.arange(1, r.shares.shape[1] + 1), z=np.round(r.shares[0]), coloraxis="coloraxis",
                      xaxis=f"x{2 + j}", yaxis=f"y{2 + j}",
                      hovertemplate="layer %{y}, near %{x}<br>%{z} % of its values<extra></extra>")


def _annotations(reels: list[Reel], epoch: int, grid: Grid) -> list[dict]:
    """What a panel cannot show by itself at ``epoch``: a run that diverged, said on its boundary (with "no answer"
    where its boundary has a NaN: a run whose gradient overflowed may still answer); on a log10 |x|
    axis, the values exactly 0 (log10 0 is no number), said over the heatmap.

    Every frame has the same notes in the same order, each shown or hidden (no words): Plotly's animation updates
    a figure's notes one by one and leaves a note the next frame does not mention, so a "diverged" shown at the
    end stayed on the boundary when the slider went back to epoch 0."""
    diverged = [dict(x=sum(grid.boundaries[j][0]) / 2, y=sum(grid.boundaries[j][1]) / 2, xref="paper", yref="paper",
                     showarrow=False, bgcolor=PAPER, bordercolor=NO_ANSWER, font=dict(size=11),
                     **_shown(epoch >= r.diverged_epoch, f"diverged at<br>epoch {r.diverged_epoch}" + (
                         ":<br>no answer<br>(NaN)" if np.isnan(_boundary_z(r, epoch)).any() else "")))
                for j, r in enumerate(reels) if r.diverged_epoch is not None]
    zeros = [dict(x=sum(grid.heats[j][0]) / 2, y=grid.heats[j][1][1], xref="paper", yref="paper", showarrow=False,
                  yanchor="bottom", font=dict(size=11), **_shown((share := r.zeros[_at(r, epoch)]) > 0,
                                                                 _zeros_words(share)))
             for j, r in enumerate(reels) if r.zeros is not None]
    return diverged + zeros


def _shown(shown: bool, text: str) -> dict:
    """A note's words where it is shown, and none where it is hidden."""
    return dict(text=text if shown else "", visible=bool(shown))


def _zeros_words(share: float) -> str:
    """The values exactly 0 that a log10 |x| heatmap leaves out, in words over it."""
    return "every value is 0:<br>none on this axis" if share == 1 else f"{percent(share)} are 0,<br>not on this axis"


def _slider(epochs: list[int], grid: Grid) -> dict:
    return dict(active=0, x=0, len=1, y=grid.below(Grid.SLIDER), yanchor="top", pad=dict(t=10),
                currentvalue=dict(prefix="epoch ", font=dict(size=15)),
                steps=[dict(method="animate", label=str(e), args=[[str(e)], dict(
                    mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))])
                       for e in epochs])


def _buttons(grid: Grid) -> dict:
    play = dict(label="▶ Play", method="animate", args=[None, dict(
        frame=dict(duration=PLAY_MS, redraw=True), transition=dict(duration=0), fromcurrent=True)])
    pause = dict(label="❚❚ Pause", method="animate", args=[[None], dict(
        mode="immediate", frame=dict(duration=0, redraw=False), transition=dict(duration=0))])
    replay = dict(label="↺ Replay", method="animate", args=[None, dict(
        mode="immediate", frame=dict(duration=PLAY_MS, redraw=True), transition=dict(duration=0), fromcurrent=False)])
    return dict(type="buttons", direction="left", x=0, y=grid.below(Grid.BUTTONS), xanchor="left", yanchor="top",
                pad=dict(r=10, t=10), showactive=False, buttons=[play, pause, replay])


def _fate(r: Reel, history) -> str:
    """One run's film in words, for a screen reader."""
    if r.diverged_epoch is not None:
        return f"{scheme_label(r.scheme)} diverged at epoch {r.diverged_epoch}"
    loss = history["loss"].to_numpy(float)
    return f"{scheme_label(r.scheme)}: loss {number(loss[0])} at epoch 0, {number(loss[-1])} at the end"


# What the film makes visible, said in one sentence per run where it happens (``findings``).
FROZEN = 1e-3  # hidden layers whose weights move less than this share of their size over the whole run are frozen
PINNED = 0.5  # a share of saturated units at epoch 0 worth a sentence
GREW = 10  # a loss that ends this many times above where it started, without overflowing, has blown up
STRAIGHT = 1.0  # a boundary within this many grid steps of one line is nearly a straight line (``off_line``)
STEADY = 10  # every layer's activation spread (standard deviation) within this factor of every other's: steady


@drawn.once
def findings(lab: dict, activation: str, lr: float, width: int | None) -> list[str]:
    """One sentence for each run of the lab (``ui.runs.gather``): the lesson its film shows (``width``: its layers'
    units, None where the layers' widths differ), units that stay copies, layers too weak to move, units pinned at
    saturation, a divergence, or a signal that stays steady while the boundary forms; where it shows none of them,
    how its loss went. Each is read off the run's snapshots and history."""
    said = []
    act = initcore.ACTIVATIONS[activation]
    ends = " and ".join(number(round(end)) for end in act.ends)  # -1 and 1, or sigmoid's 0 and 1
    for scheme, shots in lab["snapshots"].items():
        history, name = lab["histories"][scheme], f"**{scheme_label(scheme)}**"
        last = int(history["epoch"].iloc[-1])
        layers = [s.layers for s in shots]
        if lab["diverged"][scheme] is not None:
            said.append(f"{name}: at epoch {lab['diverged'][scheme]}, {OVERFLOWED[lab['overflowed'][scheme]]}; its "
                        "film stops there, marked on its panel.")
        elif (width or 2) > 1 and all((frame.distinct_units == 1).all() for frame in layers):
            copies = f"copied {width} times" if width else "copied across all its units"
            said.append(f"{name}: from epoch 0 to {last}, "
                        + (f"every hidden layer stays one unit {copies} (1 distinct unit; from layer 2 up, a layer's "
                           "weights stay one value: a single spike in the weight heatmap)" if len(layers[0]) > 1 else
                           f"its hidden layer stays one unit {copies} (1 distinct unit)")
                        + ", so the network is as good as one unit wide: " + _boundary_of_copies(shots))
        elif (moved := np.nanmax(lab["moved"][scheme], initial=0.0)) < FROZEN:
            epochs = f"{last} epoch{'' if last == 1 else 's'}"
            said.append(f"{name}: " + (
                f"no gradient reaches the hidden layers (its spread is 0 in every one), so in {epochs} their "
                "weights do not move (its weight heatmap stays the same from frame to frame): only the output layer "
                "learns." if moved == 0 else
                f"in {epochs} at learning rate {lr:g} no hidden layer's weights moved by more than "
                f"{number(moved)} of their size (its weight heatmap stays the same from frame to frame): the "
                "gradient that reaches them " + _why_still(history, layers[-1], act)))
        elif act.bounded and (pinned := float(history["saturation"].iloc[0])) >= PINNED:
            loss = float(history["loss"].iloc[-1])
            said.append(f"{name}: at epoch 0, {percent(pinned)} of the units sit on {mid_sentence(act.label)}'s flat "
                        f"ends, where its slope is under 5 % of its largest "
                        f"({percent(float(history['saturation'].iloc[-1]))} by epoch {last}; the activation heatmap "
                        f"piles up at {ends}), so little gradient gets through them"
                        + (f"; it learns all the same (loss {number(loss)} at epoch {last})." if loss < TRAINED
                           else "."))
        elif (history["loss"].iloc[-1] < TRAINED and (spread := max(map(_spread, layers)))
              <= _kept_within(scheme, activation, width, len(layers[0]))):
            wander = (f" (layers of {width} units wander about the steady spread theory gives "
                      f"{scheme_label(scheme)}, but none fades away or blows up)" if spread > STEADY else "")
            kept = (f"in each of its {len(layers)} snapshots, each layer's activations keep a spread within "
                    f"×{number(spread, 2)} of every other layer's{wander}, and the" if len(layers[0]) > 1 else
                    "its one hidden layer trains, and the")
            shape = ("boundary settles on a straight line, the only one linear layers can draw: together they are "
                     "one linear map of the input" if act.straight else
                     "boundary bends to the shape of the data" if not off_line(shots[-1].boundary) <= STRAIGHT else
                     "boundary is nearly a straight line")
            said.append(f"{name}: {kept} {shape} ({percent(history['test_accuracy'].iloc[-1])} of the test points "
                        "right).")
        elif (end := float(history["loss"].iloc[-1])) > GREW * (start := float(history["loss"].iloc[0])):
            furthest = int(layers[-1].weight_std.to_numpy().argmax())  # the layer whose weights end the most spread out
            spread = [float(frame.weight_std.iloc[furthest]) for frame in (layers[0], layers[-1])]
            flat = _flat_since(shots)
            said.append(f"{name}: nothing overflowed, but its loss grew from {number(start)} at epoch 0 to "
                        f"{number(end)} at epoch {last}, and the weight spread of layer {furthest + 1} (the largest at "
                        f"the end) from {number(spread[0])} to {number(spread[1])}: its steps overshoot and throw the "
                        "weights further out" + (
                            f", so it learns nothing (in every frame from epoch {flat} on, p is the same everywhere)."
                            if flat is not None else
                            ", until its answers are so sure of themselves that every mistake costs a huge loss "
                            f"({percent(history['test_accuracy'].iloc[-1])} of the test points right)."))
        elif (grown := _grown(layers)) is not None:
            layer, before, after = grown
            flat = _flat_since(shots)
            off = _switched_off(layers[-1], act)
            said.append(f"{name}: nothing overflowed, but its steps threw the weights far out: the spread of layer "
                        f"{layer} grew {times(after / before)}, from {number(before)} at epoch 0 to {number(after)}"
                        + (f", and {off}" if off else "")
                        + (f"; in every frame from epoch {flat} on, p is the same everywhere, so it learns nothing "
                           f"(loss {number(end)}" + (", a coin flip's ln 2" if abs(end - np.log(2)) < 1e-3 else "")
                           + ")." if flat is not None else
                           f" ({percent(history['test_accuracy'].iloc[-1])} of the test points right)."))
        else:  # a sentence for every run, so that none of them looks forgotten
            spread, off = max(map(_spread, layers)), _switched_off(layers[-1], act)
            apart = ("" if len(layers[0]) == 1 else f", and {off}" if off else
                     f", its layers' activation spreads up to ×{number(spread, 2)} apart" if np.isfinite(spread) else
                     ", a layer's activations all 0 in some of its frames")
            said.append(f"{name}: its loss went from {number(float(history['loss'].iloc[0]))} at epoch 0 to "
                        f"{number(float(history['loss'].iloc[-1]))} at epoch {last} "
                        f"({percent(history['test_accuracy'].iloc[-1])} of the test points right){apart}; none of "
                        "the film's other lessons (units that stay copies, layers that do not move, units pinned at "
                        "saturation, a blow-up) shows in its frames.")
    return said


BLEW = 1e3  # a hidden layer's weight spread that training multiplies by more than this has been thrown far out


def off_line(boundary: np.ndarray) -> float | None:
    """How far, in steps of the grid, the boundary of a frame (p(class 1) on the snapshot's grid) strays from a
    straight line: the largest distance from their best-fitting line (their principal axis) of the points where the
    predicted class flips between neighbouring grid points, each taken halfway between the two. None where it
    flips nowhere, or at one point only."""
    above = boundary > 0.5
    rows, cols = np.nonzero(above[:, 1:] != above[:, :-1])
    down, across = np.nonzero(above[1:] != above[:-1])
    points = np.column_stack([np.concatenate([rows, down + 0.5]), np.concatenate([cols + 0.5, across])])
    if len(points) < 2:
        return None
    centred = points - points.mean(axis=0)
    normal = np.linalg.svd(centred, full_matrices=False)[2][-1]
    return float(np.abs(centred @ normal).max())


def _grown(layers: list) -> tuple[int, float, float] | None:
    """(layer, spread at epoch 0, spread at the end) of the hidden layer whose weights' spread (standard deviation)
    grew the most from the first snapshot's table to the last, where it grew more than ``BLEW`` times; else None."""
    before, after = (frame.weight_std.to_numpy() for frame in (layers[0], layers[-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(before > 0, after / before, np.nan)
    if not np.isfinite(growth).any() or np.nanmax(growth) <= BLEW:
        return None
    k = int(np.nanargmax(growth))
    return k + 1, float(before[k]), float(after[k])


def _why_still(history, last, act) -> str:
    """Why a frozen run's hidden weights barely moved, the gradient that reached them being the subject: too small,
    and where it is exactly 0 at the first layer from some epoch to the end, since when, and the layers whose every
    unit is switched off at the end (``last``, the last snapshot's table), which let none through."""
    moving = history.epoch[history.grad_norm_first != 0]
    if history.grad_norm_first.iloc[-1] != 0 or moving.empty:
        return "is too small to train them."
    off = _switched_off(last, act)
    since = int(moving.iloc[-1]) + 1
    return (f"was too small to train them, and from epoch {since} on, none reaches the first layer at all"
            + (f"; {off}." if off else "."))


def _switched_off(last, act) -> str:
    """The layers of a snapshot's table ``last`` whose every unit is switched off, in words ("every unit of layer 5
    is switched off (ReLU gives 0 for every example)"); "" where none is, or the activation switches no unit off."""
    off = last.layer[last.frac_dead == 1].tolist() if act.switches_off else []
    if not off:
        return ""
    return (f"every unit of layer{'s' if len(off) > 1 else ''} {listed(off)} is switched off ({act.label} gives 0 "
            "for every example)")


def _flat_since(shots: list) -> int | None:
    """The epoch of the first frame from which p(class 1) is the same everywhere (within 1 %) in every frame to the
    end, if it ends so: p may have flattened at any epoch after the frame before, which the film does not show."""
    flat = [np.ptp(shot.boundary) < 0.01 for shot in shots]
    if not flat[-1]:
        return None
    first = len(flat) - flat[::-1].index(False) if False in flat else 0  # the first of the flat frames at the end
    return shots[first].epoch


def _boundary_of_copies(shots: list) -> str:
    """What a network of copies draws over its film: no boundary in any frame (p the same everywhere), a straight
    line, or a straight line until p flattens out for good."""
    since = _flat_since(shots)
    if since == shots[0].epoch:
        return "p is the same everywhere, and there is no boundary at all."
    if since is None:
        return "its boundary can only be a straight line."
    return (f"its boundary is never more than a straight line, and in every frame from epoch {since} on, p is the "
            "same everywhere.")


def _kept_within(scheme: str, activation: str, width: int | None, depth: int) -> float:
    """The most a trained run's layers may differ in activation spread and be told as kept within it: ``STEADY``,
    or ``STEADY``² where theory keeps every layer's variance within ``STEADY`` of every other's (He under ReLU).
    Narrow layers wander about theory's variance at random: He's 30 ReLU layers of 32 units reach ×12 to ×27 in
    training, 15 layers of 16 units ×51, where Xavier's fall away by ×10⁴ and more."""
    if width is None or depth < 2:
        return STEADY
    kept = initcore.theory.predicted_pre_var(depth=depth, width=width, activation=activation, scheme=scheme)
    return STEADY**2 if kept.max() <= STEADY * kept.min() else STEADY


def _spread(frame) -> float:
    """The largest over the smallest activation spread (standard deviation) of a snapshot's layers."""
    variances = frame.act_var.to_numpy()
    return float(np.sqrt(variances.max() / variances.min())) if variances.min() > 0 else np.inf
