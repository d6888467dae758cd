"""The Training lab's film: what the snapshots record, what they must make visible, and the figure that plays them."""

from __future__ import annotations

import json

import numpy as np
import plotly.io
import pytest

import initcore
from initcore import training
from ui import charts, film, runs, theme


def test_a_layer_that_overflowed_to_inf_is_recorded_as_no_value():
    """Large weights under 30 ReLU layers overflow to inf before NaN: the snapshot still records every layer,
    the overflowed ones with no value binned (not a crash, not a bin full of garbage)."""
    run = initcore.train(dataset="moons", depth=30, width=32, activation="relu", scheme="large_normal", epochs=5,
                         lr=0.1, snapshots=5)
    first = run.snapshots[0].act_hist
    sample = training.SNAPSHOT_SAMPLE
    assert first.depth == 30 and (first.total <= sample).all()
    assert first.total[0] == sample and (first.total < sample).any()  # the top layers overflowed, in part
    assert np.isfinite(first.edges).all() and np.isfinite(first.log_edges).all()



@pytest.mark.parametrize("rows, columns, sample", [(400, 32, 1024), (400, 16, 1024), (400, 128, 1024),
                                                   (129, 128, 1024), (256, 256, 4096), (33, 32, 1024), (7, 5, 1024),
                                                   (1000, 2, 1024), (3, 1000, 1024)])
def test_a_sample_passes_through_every_column_of_its_layer(rows, columns, sample):
    """A strided sample of a layer (examples × units, or fan_in × fan_out) takes as many values as it holds, evenly
    spaced, and every column's share of them: a step of 12 through rows of 32 units had taken every fourth unit."""
    from initcore.histograms import stride

    size = rows * columns
    picks = np.arange(0, size, stride(size, sample, columns))[:sample]
    assert picks.size == min(size, sample)
    per_column = np.bincount(picks % columns, minlength=columns)
    assert per_column.min() >= picks.size // columns - 1 or picks.size < columns


def test_a_snapshots_share_of_zeros_is_its_layers_share_of_dead_units():
    """The activation heatmap's zeros (``act_hist.zeros``) estimate each layer's ``frac_dead`` from its sample:
    within four standard errors of a share over the sample's values. The sample had taken 8 of 32 units: 0.333
    zeros in a layer whose share is 0.539."""
    run = initcore.train(dataset="moons", depth=6, width=32, activation="relu", scheme="he_normal", epochs=60,
                         lr=0.05, seed=3, snapshots=10)
    for shot in run.snapshots:
        share, dead = shot.act_hist.zeros / shot.act_hist.total, shot.layers.frac_dead.to_numpy()
        error = np.sqrt(dead * (1 - dead) / shot.act_hist.total)
        assert (np.abs(share - dead) <= 4 * error + 1e-12).all(), (shot.epoch, share, dead)

def lab_of(schemes, **settings) -> dict:
    """The lab as its page gathers it (``ui.runs``), its runs trained here and now."""
    settings = dict(dataset="moons", depth=5, width=32, activation="relu", lr=0.1, epochs=100, seed=0) | settings
    return runs.gather({scheme: runs.train(scheme, settings) for scheme in schemes})


def test_constant_weights_keep_a_straight_boundary_in_every_frame():
    """Constant weights under tanh: every unit of a layer is a copy of the others in every snapshot, the weights
    of layers 2 and up stay one value (one spike), and p(class 1) depends on the input only through one
    direction w (the copies' first-layer weights): sorted along w, p only rises or only falls, so every level
    line, the boundary included, is straight."""
    run = initcore.train(dataset="moons", depth=3, width=16, activation="tanh", scheme="constant", epochs=60,
                         lr=0.5, snapshots=6)
    assert all((s.layers.distinct_units == 1).all() for s in run.snapshots)
    assert all((np.count_nonzero(s.weight_hist.counts[1:], axis=1) == 1).all() for s in run.snapshots)
    w = run.model.weights[0][:, 0]
    grid = training._decision_points(training.SNAPSHOT_GRID)
    p = run.snapshots[-1].boundary.ravel()[np.argsort(grid @ w, kind="stable")]
    steps = np.diff(p)
    slack = 8 * np.finfo(np.float32).eps  # float32 rounding of p, never a bend
    assert (steps >= -slack).all() or (steps <= slack).all()
    assert np.ptp(p) > 0.05  # a boundary that moved, not a flat one


def test_large_weights_pin_tanh_units_and_he_keeps_relu_layers_steady():
    """Large random under tanh: at epoch 0 nine units in ten sit where tanh is flat. He under ReLU: in every
    frame each layer's activation spread (standard deviation) is within ``STEADY`` of every other's, and the
    boundary forms (the last frame's p runs from under 5 % to over 95 %)."""
    large = initcore.train(dataset="moons", depth=5, width=32, activation="tanh", scheme="large_normal", epochs=20,
                           lr=0.1, snapshots=4)
    assert large.history.saturation.iloc[0] > 0.9
    he = initcore.train(dataset="moons", depth=10, width=32, activation="relu", scheme="he_normal", epochs=100,
                        lr=0.1, snapshots=10)
    assert all(film._spread(s.layers) <= film.STEADY for s in he.snapshots)
    assert he.snapshots[-1].boundary.min() < 0.05 and he.snapshots[-1].boundary.max() > 0.95


@pytest.mark.parametrize("activation, expected", [
    ("relu", {"zeros": "one unit copied 32 times", "small_normal": "no hidden layer's weights moved by more than",
              "large_normal": "at epoch 1, the loss overflowed to inf/NaN", "he_normal": "keep a spread within"}),
    ("tanh", {"zeros": "there is no boundary at all", "large_normal": "sit on tanh's flat ends",
              "xavier_normal": "the boundary bends to the shape of the data"})])
def test_each_run_s_film_is_told_in_the_sentence_of_what_it_shows(activation, expected):
    lab = lab_of(initcore.LAB_SCHEMES, activation=activation)
    said = film.findings(lab, activation, 0.1, 32)
    for scheme, words in expected.items():
        name = f"**{initcore.SCHEMES[scheme].label}**"
        assert any(s.startswith(name) and words in s for s in said), (scheme, said)
    assert len(said) == len({s.split(":")[0] for s in said})  # one sentence a run, at most


def test_a_boundary_is_told_it_bends_only_where_the_film_s_last_frame_shows_it_bending():
    """One hidden ReLU layer from small weights trains on the moons (88 % of the test points) with a boundary that
    is a straight line in its last frame: where the predicted class flips between neighbouring points of the grid,
    all lie within a grid step of one line. The sentence says so, not that it "takes the shape of the data"; He's
    five layers bend theirs by more than a step, and are told they bend."""
    shallow = lab_of(["small_normal"], depth=1)
    assert film.off_line(shallow["snapshots"]["small_normal"][-1].boundary) <= film.STRAIGHT
    (said,) = film.findings(shallow, "relu", 0.1, 32)
    assert "and the boundary is nearly a straight line (" in said and "shape of the data" not in said, said
    bent = lab_of(["he_normal"])
    assert film.off_line(bent["snapshots"]["he_normal"][-1].boundary) > film.STRAIGHT
    (he,) = film.findings(bent, "relu", 0.1, 32)
    assert "bends to the shape of the data" in he, he


def test_a_network_of_linear_layers_is_told_its_boundary_is_a_straight_line():
    """Linear layers make one linear map of the input: however well it trains (Xavier: 88 % of the moons' test
    points), its boundary is a straight line, and the sentence said it "takes the shape of the data". The film's
    last frame bears the sentence out: logit p is an affine function of the grid's two coordinates."""
    lab = lab_of(["xavier_normal"], activation="linear")
    said = film.findings(lab, "linear", 0.1, 32)
    assert len(said) == 1 and "shape of the data" not in said[0] and "a straight line" in said[0], said
    boundary = lab["snapshots"]["xavier_normal"][-1].boundary
    rows, cols = np.indices(boundary.shape)
    near = (boundary > 1e-3) & (boundary < 1 - 1e-3)  # where the grid's precision leaves logit p well defined
    p = boundary[near].astype(float)
    plane = np.column_stack([rows[near], cols[near], np.ones(p.size)])
    logit = np.log(p / (1 - p))
    fitted = plane @ np.linalg.lstsq(plane, logit, rcond=None)[0]
    resolution = 1e3 * np.finfo(boundary.dtype).eps  # logit's rounding: eps / (p (1 - p)), with p (1 - p) > 1e-3
    assert near.sum() > 50 and np.abs(logit - fitted).max() < 4 * resolution
    assert [a for a in initcore.ACTIVATIONS if initcore.ACTIVATIONS[a].straight] == ["linear"]


@pytest.mark.parametrize("activation, lr", [("tanh", 1.0), ("tanh", 0.1), ("relu", 0.1)])
def test_a_frozen_run_is_told_how_far_its_weights_moved(activation, lr):
    """Small weights: the sentence gives the most any hidden layer's weights moved over the run, ‖W_l - W_l(0)‖ over
    ‖W_l(0)‖, measured on the trained network. It had given a bound from one step an epoch (SGD takes seven) and the
    full batch's gradient, which the weights passed by 2 to 7 times (tanh at learning rate 1: 1.59 × 10⁻⁴ said, 4.6
    × 10⁻⁴ moved)."""
    settings = dict(dataset="moons", depth=5, width=32, activation=activation, lr=lr, epochs=100, seed=0)
    run = initcore.train(scheme="small_normal", **settings)
    moved = max(np.linalg.norm(w - w0) / np.linalg.norm(w0) for w, w0 in zip(run.model.weights[:-1],
                                                                              run.initial_weights[:-1]))
    said = film.findings(lab_of(["small_normal"], **settings), activation, lr, 32)
    assert len(said) == 1 and f"moved by more than {theme.number(moved)} of their size" in said[0]


def test_units_pinned_at_saturation_are_told_with_what_the_run_learned_all_the_same():
    """Large weights under sigmoid: 87 % of the units start on its flat ends, and the run still ends at a loss of
    0.255 (88 % of the test points right), the only one of the lab's five to learn. Its sentence says both, where it
    had said only that little gradient gets through."""
    lab = lab_of(initcore.LAB_SCHEMES, activation="sigmoid")
    said = [s for s in film.findings(lab, "sigmoid", 0.1, 32) if s.startswith("**Large random**")]
    loss = lab["histories"]["large_normal"]["loss"].iloc[-1]
    assert loss < charts.TRAINED and len(said) == 1
    assert "sit on sigmoid's flat ends" in said[0] and f"it learns all the same (loss {theme.number(loss)}" in said[0]
    assert "the activation heatmap piles up at 0 and 1)" in said[0]  # sigmoid's ends, not the ±1 axis's edges


def test_he_on_twelve_relu_layers_is_told_where_it_trains():
    """At 12 layers He's layers drift apart while it trains (a spread ×5.7 at most) and the boundary forms: its
    sentence is said; Xavier's layers start ×45 apart there (the variance halves at each ReLU), and it is not told
    it keeps a spread: its sentence gives how far apart they are."""
    lab = lab_of(["he_normal", "xavier_normal"], depth=12)
    he, xavier = film.findings(lab, "relu", 0.1, 32)
    assert he.startswith("**He/Kaiming normal**") and "keep a spread within ×" in he
    spread = max(film._spread(s.layers) for s in lab["snapshots"]["xavier_normal"])
    assert film._spread(lab["snapshots"]["xavier_normal"][0].layers) > film.STEADY
    assert xavier.startswith("**Xavier/Glorot normal**") and "keep a spread" not in xavier
    assert f"its layers' activation spreads up to ×{theme.number(spread, 2)} apart" in xavier, xavier


@pytest.mark.parametrize("seed", range(4))
def test_the_classic_of_he_on_thirty_relu_layers_is_told_that_he_trains(seed):
    """He et al. 2015, trained: 30 ReLU layers of 32 units. He trains at every seed, and its narrow layers wander about
    theory's one variance (×12 to ×27 apart in training): its sentence is said, where a fixed ×10 had left the
    classic built to show it without one. Xavier's layers fall ×10⁴ apart and get the frozen run's sentence."""
    from ui import presets

    classic = presets.PRESETS["he_2015_training"]["settings"]
    settings = {k: v for k, v in classic.items() if k not in ("schemes", "shape")}
    lab = lab_of(["xavier_normal", "he_normal"], **settings, seed=seed)
    said = film.findings(lab, "relu", settings["lr"], 32)
    assert [s.split(":")[0] for s in said] == ["**Xavier/Glorot normal**", "**He/Kaiming normal**"], said
    assert "keep a spread within ×" in said[1] and "moved by more than" in said[0]


def test_a_network_of_one_hidden_layer_is_told_of_that_layer_alone():
    """One hidden layer has no "layer 2 up" and no "other layer" to compare with: its sentences speak of it."""
    lab = lab_of(["zeros", "he_normal"], depth=1, width=8, epochs=60)
    said = film.findings(lab, "relu", 0.1, 8)
    assert any(s.startswith("**Zeros**") and "its hidden layer stays one unit copied 8 times" in s for s in said)
    assert any(s.startswith("**He/Kaiming normal**") and "its one hidden layer trains" in s for s in said), said
    assert not any("layer 2" in s or "other layer" in s for s in said)


def test_a_network_of_copies_is_told_what_its_boundary_does_in_every_frame():
    """Constant weights under 3 ReLU layers: a straight boundary at epoch 0, then p flattens out for good. The
    sentence says both, and the epoch it names is the first of the flat frames at the end."""
    lab = lab_of(["constant"], depth=3)
    said = film.findings(lab, "relu", 0.1, 32)
    shots = lab["snapshots"]["constant"]
    flat = [np.ptp(shot.boundary) < 0.01 for shot in shots]
    since = int(said[0].split("from epoch ")[-1].split(" on")[0])
    assert not flat[0] and "never more than a straight line" in said[0]
    assert all(f == (shot.epoch >= since) for f, shot in zip(flat, shots))


def test_a_run_on_its_way_to_overflowing_leaves_the_films_loss_panel_at_its_top_edge():
    """Large random's first loss is about 6 × 10⁸ at the lab's default: the film's loss panel stops where the loss
    chart does (``OFF_THE_TOP`` above the runs that train), so their curves keep the panel's height, and its cursor
    waits on the top edge."""
    lab = lab_of(initcore.LAB_SCHEMES)
    assert lab["histories"]["large_normal"]["loss"].max() > 1e6
    spec = film.lab_film(lab, "weights", False).to_dict()
    living = max(lab["histories"][s]["loss"].max() for s in initcore.LAB_SCHEMES if lab["diverged"][s] is None)
    top = np.log10(living * charts.OFF_THE_TOP)
    assert spec["layout"]["yaxis"]["range"][1] <= top + 0.15 + 1e-9
    cursors = [frame["data"][0]["y"] for frame in spec["frames"]]
    assert max(max(ys) for ys in cursors) <= 10**top * (1 + 1e-9)


def test_a_log_axis_film_says_how_many_values_are_exactly_zero():
    """log10 0 is no number, so a log10 |x| heatmap cannot show a value that is exactly 0: Zeros' weights are all
    0 (a dark panel, were nothing said), about half of a ReLU layer's activations are. Each frame says the share
    over the panel that leaves it out; a linear axis shows the zeros and says nothing."""
    lab = lab_of(["zeros", "he_normal"])
    spec = film.lab_film(lab, "weights", True).to_dict()
    said = [[a["text"] for a in frame["layout"]["annotations"]] for frame in spec["frames"]]
    assert all("every value is 0:<br>none on this axis" in texts for texts in said)
    activations = film.lab_film(lab, "activations", True).to_dict()
    first = [a["text"] for a in activations["frames"][0]["layout"]["annotations"]]
    he = lab["snapshots"]["he_normal"][0].act_hist
    assert f"{theme.percent(he.zeros.sum() / he.total.sum())} are 0,<br>not on this axis" in first
    linear = film.lab_film(lab, "weights", False).to_dict()
    assert not any("0" in a["text"] for frame in linear["frames"] for a in frame["layout"]["annotations"])


def test_a_frozen_run_is_told_in_its_own_number_of_epochs_and_a_gradient_of_zero_as_none():
    """Small weights trained for one epoch: "in 1 epoch", its weights' movement a number above 0. Two ReLU units a
    layer over 30 layers die: no gradient reaches the hidden layers at all, and the sentence says so instead of
    giving the movement as 0."""
    small = film.findings(lab_of(["small_normal"], depth=10, epochs=1), "relu", 0.1, 32)
    assert len(small) == 1 and "in 1 epoch at learning rate 0.1 no hidden layer's weights moved" in small[0], small
    dead = film.findings(lab_of(["orthogonal"], depth=30, width=2), "relu", 0.1, 2)
    assert len(dead) == 1 and "no gradient reaches the hidden layers" in dead[0], dead
    assert "more than 0 of" not in dead[0]


def sent(figure) -> str:
    return plotly.io.to_json(figure.to_dict(), validate=False)


def test_a_film_s_bins_share_out_each_snapshot_s_bins_by_their_overlap():
    """Evenly spread values: each of the film's 40 bins gets its share of the snapshot's 60 (moved whole by their
    centres, every other bin had got two of them: stripes). No value is lost, and exact zeros go whole into the bin
    of 0, even from a snapshot of zeros alone, whose own edges are ±1 (it had drawn them at the axis's right end)."""
    from initcore.histograms import build

    values = np.linspace(-1, 1, 60_000, dtype=np.float32)[None]
    shares = film._rebinned(build(values), np.linspace(-1, 1, film.FILM_BINS + 1), log=False)
    assert np.allclose(shares, 100 / film.FILM_BINS, atol=0.01)
    relu = np.maximum(np.random.default_rng(0).standard_normal((3, 1024)), 0).astype(np.float32)
    hist = build(relu)
    for reach in (hist.edges[-1], 1.7 * hist.edges[-1]):  # a film's edges hold every snapshot's
        shares = film._rebinned(hist, np.linspace(-reach, reach, film.FILM_BINS + 1), log=False)
        assert np.allclose(shares.sum(axis=1), 100) and (shares >= 0).all()
        assert (shares[:, film.FILM_BINS // 2] >= 100 * hist.zeros / hist.total).all()
        assert np.allclose(shares[:, : film.FILM_BINS // 2], 0)  # nothing below 0
    zeros = film._rebinned(build(np.zeros((2, 100), np.float32)), np.linspace(-1e-8, 1e-8, film.FILM_BINS + 1),
                           log=False)
    assert (zeros[:, film.FILM_BINS // 2] == 100).all() and zeros.sum() == 200


def test_more_runs_than_fit_side_by_side_are_laid_out_a_row_each():
    """Nine schemes side by side left each a sliver of a laptop's column: names overlapping, ticks colliding. More than
    ``WIDE_MOST`` runs get a row each, their boundary beside their heatmap, as on a phone; five stay side by side."""
    nine = ["zeros", "small_normal", "large_normal", "xavier_normal", "he_normal", "xavier_uniform", "he_uniform",
            "lecun_normal", "orthogonal"]
    lab = lab_of(nine, depth=3, width=16, activation="tanh", epochs=20)
    layout = film.lab_film(lab, "activations", log=False).layout
    assert [tuple(layout[f"xaxis{2 + j}"].domain) for j in range(9)] == [(0.0, 0.46)] * 9
    assert layout.height == film.Grid.narrow(9).height
    five = film.lab_film(lab_of(nine[:5], depth=3, width=16, activation="tanh", epochs=20), "activations", log=False)
    assert five.layout.height == film.Grid.wide(5).height


def test_a_film_of_zeros_alone_is_not_told_to_try_the_log_axis():
    """Zero weights: every activation of every frame is exactly 0, which no axis spreads (on log10 |x| the film says
    "every value is 0"). The linear film says nothing of crowded middle bins ("at least 100 %" had been said)."""
    from tests.test_app import open_page

    lab = lab_of(["zeros"])
    assert film.lab_film(lab, "activations", False).crowded is None
    assert film.lab_film(lab_of(["zeros", "small_normal"], activation="tanh", depth=12, width=16), "gradients",
                         False).crowded >= film.CROWDED  # the others still count
    at = open_page("pages/4_Training_lab.py", schemes="zeros")
    assert not any("middle bins" in c.value for c in at.caption)


def test_a_boundary_panel_is_square_and_its_grey_no_wider():
    """Each boundary panel keeps x and y to one scale by shrinking its box (not by widening x's range past ±2), so
    that the grey under a diverged run's boundary, which fills the box, lies under the heatmap alone: it had shown
    as grey bands beside a boundary that has an answer everywhere, at epoch 0 of a run that diverged later."""
    lab = lab_of(["large_normal", "he_normal"], lr=3.0)
    assert any(d is not None for d in lab["diverged"].values())
    layout = film.lab_film(lab, "activations", False).layout
    for j in range(2):
        x, y = layout[f"xaxis{2 + j}"], layout[f"yaxis{2 + j}"]
        assert x.constrain == y.constrain == "domain" and tuple(x.range) == tuple(y.range) == (-2, 2)


def test_a_linear_film_whose_every_run_crowds_its_middle_bins_says_so():
    """12 tanh layers of 16 units: on each run's linear axis, set by its largest gradient, almost every gradient lies in
    the two middle bins, He's as much as Small random's, and no layer's scale can be read. The page says so, and
    points to the log10 |x| axis; where some run spreads over its axis (the default lab's gradients), it says
    nothing."""
    from tests.test_app import open_page

    lab = lab_of(["small_normal", "he_normal"], activation="tanh", depth=12, width=16)
    for scheme in ("small_normal", "he_normal"):
        shares = film.reel(scheme, lab["snapshots"][scheme], "gradients", False, None).shares
        middle = shares[..., film.FILM_BINS // 2 - 1 : film.FILM_BINS // 2 + 1].sum(axis=-1)
        assert np.nanmean(middle) / 100 >= film.lab_film(lab, "gradients", False).crowded >= film.CROWDED
    assert film.lab_film(lab_of(initcore.LAB_SCHEMES), "gradients", False).crowded < film.CROWDED
    assert film.lab_film(lab, "gradients", True).crowded is None
    at = open_page("pages/4_Training_lab.py", activation="tanh", depth="12", width="16", film="gradients",
                   schemes=["small_normal", "he_normal"])
    assert any("lie in its two middle bins: turn on the log10 |x| axis" in c.value for c in at.caption)
    assert not any("middle bins" in c.value for c in open_page("pages/4_Training_lab.py", film="gradients").caption)


@pytest.mark.parametrize("log", [False, True])
def test_a_film_s_axis_is_set_by_the_values_it_holds_not_by_snapshots_of_zeros(log):
    """The default lab's Small random: its gradients are about 10⁻⁹ at first and all exactly 0 from epoch 7. A
    snapshot of zeros alone carries edges of ±1 that hold no value, and the heatmap's axis had read ±1."""
    shots = lab_of(["small_normal"])["snapshots"]["small_normal"]
    assert any(s.grad_hist.zeros.sum() == s.grad_hist.total.sum() for s in shots)
    edges = film.reel("small_normal", shots, "gradients", log, None).edges
    valued = [s.grad_hist for s in shots if s.grad_hist.zeros.sum() < s.grad_hist.total.sum()]
    own = np.array([h.log_edges[[0, -1]] if log else h.edges[[0, -1]] for h in valued])
    assert (edges[0], edges[-1]) == (own[:, 0].min(), own[:, 1].max())
    assert log or edges[-1] < 1e-6


def test_a_run_that_diverged_between_two_frames_adds_no_frame_and_every_view_shows_one_epoch():
    """The default lab: Large random overflows at epoch 1, between the film's frames at 0 and 2. Its last snapshot is
    shown from the frame at epoch 2 on. Adding epoch 1 as a frame had shown the other runs' cursors at epoch 1 beside
    their boundaries and heatmaps of epoch 0, and with 42 frames for 41 places had dropped the frame at epoch 50."""
    lab = lab_of(initcore.LAB_SCHEMES)
    assert lab["diverged"]["large_normal"] == 1
    figure = film.lab_film(lab, "activations", log=False)
    lone = figure.data[list(lab["snapshots"]).index("large_normal")]  # its one finite loss, at epoch 0: a marker
    assert lone.mode == "markers" and np.isfinite(np.asarray(lone.y, float)).sum() == 1
    names = [int(frame["name"]) for frame in figure.to_dict()["frames"]]
    assert names == training.snapshot_epochs(100, film.SNAPSHOTS)
    reels = [film.reel(s, shots, "activations", False, lab["diverged"][s]) for s, shots in lab["snapshots"].items()]
    for epoch in names:
        cursor = film._cursor(reels, lab["histories"], epoch, np.inf)
        living = [x for x, r in zip(cursor["x"], reels) if r.diverged_epoch is None]
        assert living == [epoch] * 4 == [int(r.epochs[film._at(r, epoch)]) for r in reels if r.diverged_epoch is None]


@pytest.mark.parametrize("settings", [dict(), dict(depth=30, width=32, epochs=60), dict(activation="tanh")])
def test_the_film_fits_one_websocket_message_and_plays_every_run(settings):
    """At most 41 frames and 500 KB as sent, whatever the depth, laid out for a laptop or a phone; each frame
    updates the cursor, each run's boundary and heatmap, and its slider step names its epoch; a diverged run's
    frames from its divergence on say so."""
    schemes = initcore.LAB_SCHEMES if settings.get("depth", 5) < 30 else ("large_normal", "xavier_normal", "he_normal")
    lab = lab_of(schemes, **settings)
    assert len(sent(film.lab_film(lab, "activations", log=False, narrow=True))) <= 500_000
    figure = film.lab_film(lab, "activations", log=False)
    spec = json.loads(sent(figure))
    frames = spec["frames"]
    assert 2 <= len(frames) <= 41 and len(sent(figure)) <= 500_000
    assert [step["label"] for step in spec["layout"]["sliders"][0]["steps"]] == [f["name"] for f in frames]
    assert all(len(f["data"]) == len(f["traces"]) == 1 + 2 * len(schemes) for f in frames)
    assert frames[0]["name"] == "0" and frames[-1]["name"] == str(lab["histories"][schemes[-1]].epoch.iloc[-1])
    for epoch in lab["diverged"].values():
        if epoch is not None:
            said = [f for f in frames if any("diverged" in a["text"] for a in f["layout"]["annotations"])]
            assert said and all(int(f["name"]) >= epoch for f in said)


@pytest.mark.parametrize("quantity, log", [("activations", True), ("weights", False)])
def test_every_frame_shows_or_hides_the_same_notes_so_scrubbing_back_takes_them_away(quantity, log):
    """Plotly's animation updates a figure's notes one by one, and leaves those a frame does not mention: every
    frame carries the same notes in the same places, each visible or not, so that a divergence said at the end
    is gone again at epoch 0, and so is a share of zeros once there is none."""
    lab = lab_of(("large_normal", "he_normal"))
    spec = json.loads(sent(film.lab_film(lab, quantity, log=log)))
    notes = [frame["layout"]["annotations"] for frame in spec["frames"]]
    assert len({len(n) for n in notes}) == 1 and len(notes[0]) == len(spec["layout"]["annotations"])
    assert len({tuple((a["x"], a["y"]) for a in n) for n in notes}) == 1
    diverged = lab["diverged"]["large_normal"]
    for frame, said in zip(spec["frames"], notes):
        shown = [a for a in said if a["visible"]]
        assert all(a["text"] for a in shown) and not any(a["text"] for a in said if not a["visible"])
        assert any("diverged" in a["text"] for a in shown) == (int(frame["name"]) >= diverged)


def test_the_cursor_is_drawn_whole_where_it_sits_on_the_loss_panel_s_edge():
    """Large random diverges at once: its cursor stays at its last finite loss, the highest on the loss panel, at
    its top edge, and at epoch 0 every cursor sits on the left edge. Plotly clips a marker at its axes' edges unless
    told not to: the cursor trace is not clipped."""
    lab = lab_of(("large_normal", "he_normal"))
    spec = json.loads(sent(film.lab_film(lab, "activations", log=False, narrow=True)))
    cursor = spec["data"][spec["frames"][0]["traces"][0]]
    top = 10 ** spec["layout"]["yaxis"]["range"][1]
    assert lab["diverged"]["large_normal"] is not None and cursor["x"][0] == 0
    assert max(cursor["y"]) == pytest.approx(top, rel=0.5) and cursor["cliponaxis"] is False


def test_side_by_side_panels_name_their_schemes_in_two_lines_and_number_the_layers_once():
    """Five panels share a row: a name longer than 10 characters takes two lines ("Small random" beside "Large
    random" ran together in a window of 700 px), and only the first heatmap numbers the layers, whose rows the
    others line up with (their numbers fell into the panel to their left). On a phone each heatmap numbers its own."""
    lab = lab_of(initcore.LAB_SCHEMES)
    for narrow in (False, True):
        layout = json.loads(sent(film.lab_film(lab, "weights", log=False, narrow=narrow)))["layout"]
        k = len(initcore.LAB_SCHEMES)
        titles = [layout[f"xaxis{2 + j}"]["title"]["text"] for j in range(k)]
        assert titles == ["<b>Zeros</b>", "<b>Small<br>random</b>", "<b>Large<br>random</b>",
                          "<b>Xavier/Glorot<br>normal</b>", "<b>He/Kaiming<br>normal</b>"]
        numbered = [layout[f"yaxis{2 + k + j}"]["showticklabels"] for j in range(k)]
        assert numbered == ([True] * k if narrow else [True] + [False] * (k - 1))


def test_a_share_of_values_survives_the_film_s_shared_bins():
    """Each frame's heatmap moves every layer's count into the shared bins whole: a layer's shares add up to
    100 % (to the rounding of its 40 bins), the same sample the snapshot binned."""
    lab = lab_of(("he_normal",))
    r = film.reel("he_normal", lab["snapshots"]["he_normal"], "weights", log=False, diverged_epoch=None)
    assert r.shares.shape == (41, 5, film.FILM_BINS)
    np.testing.assert_allclose(r.shares.sum(axis=2), 100, rtol=1e-9)


def _overlap(a, b) -> bool:
    """Whether two (x domain, y domain) boxes share any area."""
    return all(min(p[1], q[1]) > max(p[0], q[0]) for p, q in zip(a, b))


@pytest.mark.parametrize("phone", [False, True])
@pytest.mark.parametrize("k", range(1, len(initcore.LAB_SCHEMES) + 1))
def test_every_panel_of_the_film_has_its_own_place(k, phone):
    """On a laptop or on a phone, with 1 to 5 schemes: every panel lies inside the figure and no two share any of
    it; on a phone, a scheme's boundary and heatmap share a row, as wide as the rows of every other scheme."""
    grid = film.Grid.narrow(k) if phone else film.Grid.wide(k)
    boxes = [((0, 1), grid.loss)] + grid.boundaries + grid.heats
    assert all(0 <= low < high <= 1 for box in boxes for low, high in box)
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    if phone:
        assert all(b[1] == h[1] and b[0][1] < h[0][0] for b, h in zip(grid.boundaries, grid.heats))
        assert grid.height == grid.plot_height + grid.margin["t"] + grid.margin["b"]
        assert [grid.plot_height * (y[1] - y[0]) for _, y in grid.heats] == pytest.approx([170] * k)


@pytest.mark.parametrize("k", range(1, len(initcore.LAB_SCHEMES) + 1))
def test_a_column_as_wide_as_the_film_needs_gives_each_run_its_least_width(k):
    """``wide_needs(k)`` is the main column's width at which each of k columns side by side is ``COLUMN_LEAST`` px
    wide, its margins aside: any narrower, and the film is laid out a row per run."""
    grid = film.Grid.wide(k)
    plot = film.wide_needs(k) - grid.margin["l"] - grid.margin["r"]
    assert [plot * (x[1] - x[0]) for x, _ in grid.heats] == pytest.approx([film.COLUMN_LEAST] * k)
    # The page's column in Chromium with the sidebar open: 535 px in a window of 1024, 791 in one of 1280, less 17 for
    # a scroll bar that takes room. Five runs fit side by side in the second, not in the first.
    assert 535 < film.wide_needs(len(initcore.LAB_SCHEMES)) < 791 - 17


def test_every_heatmap_s_linear_axis_shows_a_value_either_side_of_zero():
    """Small weights' activations span about ±0.044: four ticks at most had come out as 0 alone. Each panel's axis
    now shows 0 and the roundest number within reach on each side, inside its range."""
    lab = lab_of(["small_normal", "he_normal"])
    layout = film.lab_film(lab, "activations", False).to_dict()["layout"]
    heats = [axis for name, axis in layout.items() if name.startswith("xaxis") and axis.get("title", {}).get("text")
             == "a"]
    assert len(heats) == 2
    for axis in heats:
        low, high = axis["range"]
        ticks = axis["tickvals"]
        assert 0 in ticks and min(ticks) < 0 < max(ticks) and low <= min(ticks) and max(ticks) <= high
        assert max(ticks) > high / 5  # the roundest number within reach: 1, 2 or 5 × 10^k, so over a fifth of it


def test_a_run_whose_gradient_died_with_a_layer_is_told_so_not_that_it_was_too_small():
    """Small weights at the lab's default (5 ReLU layers, learning rate 0.1): the biases drift below 0 and every unit
    of layer 5 switches off, and from then on the first layer's gradient is exactly 0, as the gradient chart says.
    The sentence had put it all down to a gradient "too small to train them"."""
    lab = lab_of(["small_normal"])
    history, last = lab["histories"]["small_normal"], lab["snapshots"]["small_normal"][-1].layers
    silent = history.epoch[history.grad_norm_first != 0].max() + 1
    assert (history.grad_norm_first[history.epoch >= silent] == 0).all() and silent < 100
    dead = last.layer[last.frac_dead == 1].tolist()
    assert dead == [5]
    said = film.findings(lab, "relu", 0.1, 32)
    assert len(said) == 1 and "moved by more than" in said[0]
    assert f"from epoch {silent} on, none reaches the first layer at all" in said[0], said
    assert "every unit of layer 5 is switched off (ReLU gives 0 for every example)" in said[0], said


def test_a_run_whose_loss_grew_without_overflowing_is_told_so():
    """Large weights under SELU: nothing overflows, yet the loss grows from about 10⁹ to about 10⁹², the network
    answers one class everywhere (half the points right) and its last layer holds one distinct unit. It had no
    sentence at all, the worst run on the screen."""
    lab = lab_of(["large_normal", "he_normal"], activation="selu")
    history = lab["histories"]["large_normal"]
    assert lab["diverged"]["large_normal"] is None and history.loss.iloc[-1] > 1e80
    said = [s for s in film.findings(lab, "selu", 0.1, 32) if s.startswith("**Large random**")]
    assert len(said) == 1, film.findings(lab, "selu", 0.1, 32)
    assert f"its loss grew from {theme.number(history.loss.iloc[0])} at epoch 0 to " \
           f"{theme.number(history.loss.iloc[-1])} at epoch 100" in said[0], said


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_the_lab_s_first_paragraph_is_true_of_the_runs_under_it(activation):
    """The paragraph above the lab, under each activation: what it says of zero weights and of huge ones is what the
    lab's runs then do at its learning rates. Zero weights' loss stays at ln 2 or above it (lr 3 under ReLU: 0.727,
    where it said "sits at ln 2 = 0.693"); huge weights overflow or switch units off only where the activation can
    do that, and sit on its flat ends under tanh and sigmoid (it had said "overflow" there too)."""
    from ui import lessons

    said = lessons.lab_intro(activation)
    act = initcore.ACTIVATIONS[activation]
    assert "sits at" not in said
    assert ("switch" in said) == act.switches_off
    assert ("flat ends" in said) == act.bounded and ("overflow" in said) != act.bounded
    for lr in (0.1, 3.0):
        runs_ = lab_of(["zeros", "large_normal"], activation=activation, lr=lr, epochs=20)
        zeros = runs_["histories"]["zeros"]["loss"].iloc[-1]
        if act.fn(np.zeros(1))[0] == 0:
            assert zeros >= np.log(2) * (1 - 1e-3), (lr, zeros)
        large = runs_["histories"]["large_normal"]
        if act.bounded:
            assert large.saturation.iloc[0] > 0.5 and runs_["diverged"]["large_normal"] is None
        else:
            assert runs_["diverged"]["large_normal"] is not None or large.loss.max() > 1e6


GELU_OVERSHOOT = dict(dataset="moons", depth=10, width=16, activation="gelu", lr=3.0, epochs=20, seed=0)


def test_a_run_whose_gradient_overflowed_is_not_told_that_its_loss_did():
    """GELU, 10 layers of 16 at learning rate 3: He's run diverges at epoch 1 with a loss of about 10^270, a number,
    and a NaN gradient; its boundary is a number everywhere (p = 0). Its sentence names the gradient, and neither
    its film's panel nor its final boundary says there is no answer. Xavier's loss grows without overflowing: its
    sentence gives one layer's weight spread at epoch 0 and at the end, the layer that ends the most spread out."""
    lab = lab_of(["he_normal", "xavier_normal"], **GELU_OVERSHOOT)
    assert lab["diverged"]["he_normal"] == 1 and lab["overflowed"]["he_normal"] == "gradient"
    assert np.isfinite(lab["histories"]["he_normal"]["loss"].iloc[-1])
    said = film.findings(lab, "gelu", 3.0, 16)
    he = next(s for s in said if s.startswith("**He/Kaiming normal**"))
    assert "the gradient overflowed to inf/NaN while the loss was still a number" in he and "loss overflowed" not in he
    spec = film.lab_film(lab, "weights", False).to_dict()
    notes = [a["text"] for frame in spec["frames"] for a in frame["layout"]["annotations"] if "diverged" in a["text"]]
    assert notes and not any("no answer" in note for note in notes)
    grid = runs.train("he_normal", GELU_OVERSHOOT)["grid"]
    assert np.isfinite(grid[2]).all()
    assert charts.boundary_figure("he_normal", grid, lab["test_points"], diverged=True).layout.annotations[0].text \
        == "diverged"
    xavier = next(s for s in said if s.startswith("**Xavier/Glorot normal**"))
    first, last = (lab["snapshots"]["xavier_normal"][k].layers.weight_std.to_numpy() for k in (0, -1))
    layer = int(last.argmax())
    assert (f"the weight spread of layer {layer + 1} (the largest at the end) from {theme.number(first[layer])} to "
            f"{theme.number(last[layer])}") in xavier, xavier


def test_a_steady_run_is_told_how_many_snapshots_its_spread_was_measured_in():
    """The spread a steady run is said to keep is the most over its snapshots, not over every epoch: the sentence
    says so, with the count of snapshots, which the film may thin to fewer frames to keep its size (30 of 41 at 30
    layers of 16 units): it does not call them frames."""
    lab = lab_of(["he_normal"], depth=12)
    snapshots = len(lab["snapshots"]["he_normal"])
    said = film.findings(lab, "relu", 0.1, 32)
    assert f"in each of its {snapshots} snapshots, each layer's activations keep a spread within ×" in said[0]
    assert "frames" not in said[0]


def test_an_activation_is_named_mid_sentence_as_a_sentence_writes_it():
    """Large random weights under tanh: "sit on tanh's flat ends", not "Tanh's" in the middle of a sentence; a name of
    capitals (ReLU) keeps them."""
    from ui.theme import mid_sentence

    said = film.findings(lab_of(["large_normal"], activation="tanh"), "tanh", 0.1, 32)
    assert any("of the units sit on tanh's flat ends" in s for s in said), said
    assert [mid_sentence(label) for label in ("Tanh", "Leaky ReLU (a = 0.01)", "ReLU", "GELU (tanh form)")] == [
        "tanh", "leaky ReLU (a = 0.01)", "ReLU", "GELU (tanh form)"]


def test_weights_thrown_far_out_without_overflowing_are_told():
    """Large random weights at seed 1: the first step throws layer 1's spread from 9.44 to 2.8 × 10²⁶ without
    overflowing, and switches every unit of layer 5 off; from then on p is the same everywhere, at a coin flip's
    loss. The table shows 0.693 and 1 distinct unit; the film's sentence says why, with the numbers."""
    lab = lab_of(["large_normal"], seed=1)
    layers = [s.layers for s in lab["snapshots"]["large_normal"]]
    before, after = layers[0].weight_std.iloc[0], layers[-1].weight_std.iloc[0]
    assert lab["diverged"]["large_normal"] is None and after / before > film.BLEW
    (said,) = film.findings(lab, "relu", 0.1, 32)
    assert said.startswith("**Large random**: nothing overflowed, but its steps threw the weights far out: the spread "
                           f"of layer 1 grew {theme.times(after / before)}, from {theme.number(before)} at epoch 0 to "
                           f"{theme.number(after)}, and every unit of layer 5 is switched off"), said
    assert said.endswith("p is the same everywhere, so it learns nothing (loss 0.693, a coin flip's ln 2)."), said


@pytest.mark.parametrize("schemes", [["large_normal", "he_normal", "xavier_normal"],
                                     ["large_normal", "he_normal", "small_normal"]])
def test_every_panel_shows_the_slider_s_epoch_or_its_run_s_last(schemes):
    """At learning rate 3, Large random diverges at epoch 1, He at 2 and Xavier at 3, so every run of the first lab
    diverges. The slider had named epoch 1, where He's and Xavier's panels still showed epoch 0. Each panel now shows
    the slider's epoch, or the last snapshot of a run whose film has ended (marked as diverged); with a run that
    survives, the frames are its epochs."""
    lab = lab_of(schemes, lr=3.0)
    figure = film.lab_film(lab, "activations", False)
    reels = [film.reel(s, lab["snapshots"][s], "activations", False, lab["diverged"][s]) for s in schemes]
    epochs = [int(frame["name"]) for frame in figure.to_dict()["frames"]]
    for e in epochs:
        for r in reels:
            shown = int(r.epochs[film._at(r, e)])
            assert shown == e or (r.diverged_epoch is not None and shown == r.epochs[-1] < e), (r.scheme, e, shown)
    survivors = [r for r in reels if r.diverged_epoch is None]
    if survivors:
        assert epochs == survivors[0].epochs.tolist()
    else:
        assert lab["diverged"] == dict(large_normal=1, he_normal=2, xavier_normal=3) and epochs == [0, 2, 3]


def test_weights_thrown_far_out_keep_a_spread_that_is_a_number():
    """Circles at learning rate 1: Large random's steps throw its weights out to about 10¹⁶⁰, still numbers, whose
    squares overflow. Their spread is a number too, and the film's sentence gives it: not "grew ×inf … to inf"
    beside "nothing overflowed"."""
    lab = lab_of(["large_normal"], dataset="circles", lr=1.0)
    last = lab["snapshots"]["large_normal"][-1].layers
    assert (last.weight_std > 1e100).any() and np.isfinite(last.weight_std).all()
    (said,) = film.findings(lab, "relu", 1.0, 32)
    assert "nothing overflowed" in said and "inf" not in said, said


@pytest.mark.parametrize("depth", [1, 2, 5])
@pytest.mark.parametrize("narrow", [False, True])
def test_the_film_numbers_its_layers_whole_and_its_right_hand_axes_carry_no_dash_before_a_number(depth, narrow):
    """A heatmap of one or two layers numbered its rows 0.6, 0.8, 1, 1.2 or 0.5, 1, 1.5; on a phone, whose loss and
    layer axes stand right of the panels, the tick mark before each number read as a minus sign: "- 1"."""
    spec = film.lab_film(lab_of(["he_normal", "small_normal"], depth=depth, epochs=10), "activations", False,
                         narrow=narrow).to_dict()
    heats = [axis for name, axis in spec["layout"].items() if name.startswith("yaxis") and axis.get("range")
             and axis["range"][0] > axis["range"][1]]  # the layer axes run downwards
    assert len(heats) == 2 and all(axis.get("dtick") == 1 and axis.get("tick0") == 1 for axis in heats)
    right = [axis for name, axis in spec["layout"].items() if name.startswith("yaxis") and axis.get("side") == "right"]
    assert bool(right) == narrow and all(axis.get("ticks") == "" for axis in right)


@pytest.mark.parametrize("settings", [dict(depth=2), dict(depth=3), dict(dataset="xor", lr=3.0)])
def test_the_film_s_tick_labels_keep_apart(settings):
    """Each heatmap's ticks stand well inside its panel (a label at the edge ran into the next panel's: "0.1−2000"),
    and the loss axis, 130 to 170 px tall, shows at most ``LOSS_TICKS`` + 1 powers of ten (nine touched)."""
    spec = film.lab_film(lab_of(initcore.LAB_SCHEMES, epochs=30, **settings), "activations", False).to_dict()
    layout = spec["layout"]
    heats = [axis for name, axis in layout.items() if name.startswith("xaxis") and axis.get("tickvals")]
    assert heats
    for axis in heats:
        reach = max(map(abs, axis["range"]))
        assert all(abs(v) <= film.TICK_REACH * reach for v in axis["tickvals"]), axis
    loss = layout["yaxis"]
    if "dtick" in loss:
        assert (loss["range"][1] - loss["range"][0]) / loss["dtick"] <= film.LOSS_TICKS + 1


def test_a_spread_kept_within_more_than_tenfold_is_told_as_narrow_layers_wandering():
    """He et al. 2015, trained (30 ReLU layers of 32 units): He's layers keep their spreads within ×12 to ×27 of one
    another, where Signal propagation calls far less a disaster. The sentence says why that is still He's steady
    signal: narrow layers wander about it, none fades or blows up; within ×10 it needs no such words."""
    lab = lab_of(["he_normal"], depth=30, width=32, lr=0.05)
    (said,) = film.findings(lab, "relu", 0.05, 32)
    spread = max(map(film._spread, [s.layers for s in lab["snapshots"]["he_normal"]]))
    assert spread > film.STEADY and "(layers of 32 units wander about the steady spread theory gives He/Kaiming " \
        "normal, but none fades away or blows up)" in said, said
    (steady,) = film.findings(lab_of(["he_normal"]), "relu", 0.1, 32)
    assert "wander" not in steady, steady


def test_every_run_gets_a_sentence_even_one_whose_film_shows_no_lesson():
    """Xor at learning rate 3: Xavier's run shows none of the lessons (no copies, no frozen layer, no saturation,
    nothing blew up), and had no sentence, as if forgotten: it now says how its loss went."""
    lab = lab_of(initcore.LAB_SCHEMES, dataset="xor", lr=3.0)
    said = film.findings(lab, "relu", 3.0, 32)
    assert [s.split(":")[0] for s in said] == [f"**{initcore.SCHEMES[s].label}**" for s in initcore.LAB_SCHEMES]
    (xavier,) = [s for s in said if s.startswith("**Xavier/Glorot normal**")]
    loss = lab["histories"]["xavier_normal"].loss
    assert "none of the film's other lessons" in xavier and f"its loss went from {theme.number(loss.iloc[0])} at " \
        f"epoch 0 to {theme.number(loss.iloc[-1])} at epoch 100" in xavier, xavier
    assert "inf" not in xavier and "is switched off (ReLU gives 0 for every example)" in xavier  # a spread of 0
