"""Figure builders, tested without a browser: right traces, readable axes, small payloads."""

import re

import numpy as np
import plotly.graph_objects as go
import pytest

import initcore
from ui import charts, figure, presets, recipes, theme
from ui.theme import NO_ANSWER


def test_variance_figure_has_sim_theory_and_bands_on_a_log_axis():
    run = initcore.simulate(depth=10, width=64, activation="relu", scheme="he_normal")
    curve = charts.Curve("he_normal", run.layers.layer.to_numpy(), run.layers.pre_var.to_numpy(), np.ones(10))
    fig = charts.variance_figure([curve], title="t", y_title="Var z")
    names = [t.name for t in fig.data]
    assert "He/Kaiming normal" in names and "He/Kaiming normal: theory" in names
    assert {"vanishing", "exploding"} <= set(names)
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.title.text == "layer l"


def test_band_names_are_dark_enough_to_read_on_their_band():
    """The band's name is written on the band, a tint of its colour: a shade of that colour dark enough for
    WCAG's AA contrast there (Okabe & Ito's sky blue itself is 2.1:1 on its tint)."""
    run = initcore.simulate(depth=10, width=64, activation="relu", scheme="he_normal")
    curve = charts.Curve("he_normal", run.layers.layer.to_numpy(), run.layers.pre_var.to_numpy(), None)
    fig = charts.variance_figure([curve], title="t", y_title="Var z")
    bands = {t.name: t.fillcolor for t in fig.data if t.name in ("vanishing", "exploding")}
    for label in (a for a in fig.layout.annotations if a.text in bands):
        on = theme.tint(bands[label.text], charts.BAND_OPACITY)
        assert theme.contrast(label.font.color, on) >= theme.LEGIBLE, label.text


def test_contrast_and_the_lightest_legible_shade():
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21) and theme.contrast("#5E6270", "#5E6270") == 1
    assert theme.contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the usual example of the lightest AA grey
    assert theme.legible("#0072B2") == "#0072B2"  # 5.2:1 already
    for colour in ("#56B4E9", "#E69F00", "#7F7F7F", "#FFFFFF"):  # sky blue, orange, Zeros' grey, white
        assert theme.LEGIBLE <= theme.contrast(theme.legible(colour)) < theme.LEGIBLE + 0.25  # no darker than needed
    assert theme.tint("#0072B2", 0.0) == "#FFFFFF" and theme.tint("#0072B2", 1.0) == "#0072B2"


def band_label_sides(curves: list) -> dict[str, str]:
    fig = charts.variance_figure(curves, title="t", y_title="Var z")
    return {a.text: "left" if a.xanchor == "left" else "right" for a in fig.layout.annotations
            if a.text in ("vanishing", "exploding")}


def test_band_names_sit_in_a_corner_no_curve_crosses():
    """The band names go to whichever corner the curves leave free: the signal starts near 1 on the left and
    falls to the bottom right, the gradient comes back from 1 on the right and falls to the bottom left, and
    an early explosion's mark takes the top left."""
    layers = np.arange(1, 51)
    fading = charts.Curve("small_normal", layers, 10.0 ** -(1.8 * (layers - 1)))
    assert band_label_sides([fading])["vanishing"] == "left"
    returning = charts.Curve("small_normal", layers, 10.0 ** -(1.8 * (50 - layers)))
    assert band_label_sides([returning])["vanishing"] == "right"
    growing = np.where(layers < 6, 10.0 ** (8.0 * np.minimum(layers, 5)), np.nan)
    exploded = charts.Curve("large_normal", layers, growing, exploded_at=6)
    assert band_label_sides([exploded])["exploding"] == "right"


def test_a_curve_with_nothing_to_draw_on_a_log_axis_says_why():
    layers = np.arange(1, 11)
    fig = charts.variance_figure([charts.Curve("zeros", layers, np.zeros(10)),
                                  charts.Curve("large_normal", layers, np.full(10, np.nan)),
                                  charts.Curve("he_normal", layers, np.ones(10))], title="t", y_title="Var")
    assert [t.name for t in fig.data if t.mode == "lines+markers"] == [
        "Zeros: 0 at every layer,<br>off the log scale", "Large random: inf/NaN at every layer", "He/Kaiming normal"]


def test_exploded_curve_gets_a_marker_and_drops_non_finite_points():
    run = initcore.simulate(depth=40, width=256, activation="relu", scheme="large_normal")
    curve = charts.Curve("large_normal", run.layers.layer.to_numpy(), run.layers.pre_var.to_numpy(),
                         exploded_at=run.exploded_at)
    fig = charts.variance_figure([curve], title="t", y_title="Var z")
    marker = [t for t in fig.data if t.mode == "markers+text"]
    assert marker and f"layer {run.exploded_at}" in marker[0].text[0]
    sim = next(t for t in fig.data if t.name == "Large random")
    assert np.isnan(np.asarray(sim.y, dtype=float)[run.exploded_at - 1 :]).all()


def test_heatmap_and_ridgeline_send_binned_counts_only():
    run = initcore.simulate(depth=30, width=512, activation="tanh", scheme="xavier_normal")
    for log in (False, True):
        heat = charts.heatmap_figure(run.act_hist, log=log, title="t", value_label="a")
        assert np.asarray(heat.data[0].z).shape == (30, 60)
        ridge = charts.ridgeline_figure(run.act_hist, [1, 15, 30], log=log, title="t", value_label="a")
        assert len(ridge.data) == 3  # one filled outline per chosen layer
        assert len(heat.to_json()) < 100_000 and len(ridge.to_json()) < 100_000


def test_heatmap_rows_of_overflowed_layers_are_grey_not_a_share_of_0():
    run = initcore.simulate(depth=40, width=256, activation="relu", scheme="large_normal")
    k = run.exploded_at
    for log in (False, True):
        heat = charts.heatmap_figure(run.act_hist, log=log, title="t", value_label="a")
        share = np.asarray(heat.data[0].z, dtype=float)
        assert np.isnan(share[k - 1:]).all() and np.isfinite(share[:k - 1]).all()
        assert heat.layout.shapes[0].y0 == k - 0.5 and heat.layout.shapes[0].fillcolor == NO_ANSWER
        assert heat.layout.annotations[0].text.startswith(f"inf/NaN from layer {k}")
    healthy = initcore.simulate(depth=10, width=64, activation="relu", scheme="he_normal")
    heat = charts.heatmap_figure(healthy.act_hist, log=False, title="t", value_label="a")
    assert not heat.layout.shapes and not heat.layout.annotations


def test_strip_figure_is_a_grid():
    panels = {(a, s): np.ones(20) for a in ("tanh", "relu") for s in ("zeros", "he_normal")}
    fig = charts.strip_figure(panels, ["tanh", "relu"], ["zeros", "he_normal"], {"tanh": "Tanh", "relu": "ReLU"})
    assert len(fig.data) == 4
    assert [(t.xaxis, t.yaxis) for t in fig.data] == [("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4")]
    assert fig.layout.yaxis.title.text == fig.layout.yaxis3.title.text == "Var z" and not fig.layout.yaxis2.title.text
    assert len(fig.layout.shapes) == 4  # the dotted 'no change' line in every panel
    # the grid's axes are made once and shared: a second figure must not see the first one's changes
    again = charts.strip_figure(panels, ["tanh", "relu"], ["zeros", "he_normal"], {"tanh": "Tanh", "relu": "ReLU"})
    assert again.to_json() == fig.to_json()


def test_coin_flip_line_and_its_label_sit_at_ln2():
    run = initcore.train(dataset="moons", depth=2, width=8, activation="tanh", scheme="xavier_normal", epochs=3,
                         lr=0.1)
    for log in (True, False):
        fig = charts.training_figure({"xavier_normal": run.history}, "loss", title="t", y_title="loss", log=log,
                                     diverged={})
        assert fig.layout.shapes[0].y0 == fig.layout.shapes[0].y1 == np.log(2)
        # on a log axis Plotly places an annotation by its exponent
        assert fig.layout.annotations[0].y == (np.log10(np.log(2)) if log else np.log(2))


def test_training_figures_mark_divergence():
    run = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="large_normal", epochs=5,
                         lr=0.1)
    fig = charts.training_figure({"large_normal": run.history}, "loss", title="t", y_title="loss", log=True,
                                 diverged={"large_normal": run.diverged_epoch})
    assert any(t.mode == "markers+text" and "diverged" in t.text[0] for t in fig.data)
    grid = run.decision_grid(20)
    runs = {"large_normal": run.history, "he_normal": initcore.train(
        dataset="moons", depth=5, width=32, activation="relu", scheme="he_normal", epochs=5, lr=0.1).history}
    for column, log, side in (("loss", True, "bottom"), ("test_accuracy", False, "top")):
        # the diverged run's last loss is the highest value drawn, its accuracy the lowest: the label goes inward
        fig = charts.training_figure(runs, column, title="t", y_title=column, log=log,
                                     diverged={"large_normal": run.diverged_epoch})
        label = next(t for t in fig.data if t.mode == "markers+text")
        assert label.textposition.startswith(side), (column, label.textposition)
    points = (run.data["X_test"], run.data["y_test"])
    # a diverged net answers NaN everywhere: grey with the reason, not the white of p = ½ ("it cannot tell")
    assert np.isnan(grid[2]).all()
    boundary = charts.boundary_figure("large_normal", grid, points, diverged=run.diverged)
    grey = boundary.data[0]
    assert {colour for _, colour in grey.colorscale} == {NO_ANSWER} and np.asarray(grey.z).size == 4  # no samples
    assert [t.type for t in boundary.data] == ["heatmap", "scatter", "scatter"]
    assert boundary.layout.annotations[0].text == "diverged:<br>no answer (NaN)"
    # where only some cells have no answer, the answers leave gaps there and the grey shows through
    partly = (grid[0], grid[1], np.where(np.arange(grid[2].size).reshape(grid[2].shape) % 2, 0.25, np.nan))
    grey, answer = charts.boundary_figure("large_normal", partly, points).data[:2]
    assert answer.type == "heatmap" and np.array_equal(np.isnan(answer.z), np.isnan(partly[2]))
    healthy = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="he_normal", epochs=5,
                             lr=0.1)
    boundary = charts.boundary_figure("he_normal", healthy.decision_grid(20), points)
    assert [t.type for t in boundary.data] == ["heatmap", "scatter", "scatter"] and not boundary.layout.annotations
    assert np.asarray(boundary.data[0].z).dtype == np.uint8  # whole percentages, one byte each
    # every panel the same size, whatever the screen (they wrap in a row), with a square plot for a square grid
    layout = boundary.layout
    assert layout.width == charts.PANEL and grid[0][[0, -1]].tolist() == grid[1][[0, -1]].tolist()
    assert layout.width - layout.margin.l - layout.margin.r == layout.height - layout.margin.t - layout.margin.b


def test_same_colour_for_a_scheme_everywhere():
    from ui.theme import scheme_colour, scheme_dash

    assert scheme_colour("he_normal") == scheme_colour("he_uniform") != scheme_colour("xavier_normal")
    assert scheme_dash("he_uniform") == "dash" and scheme_dash("he_normal") == "solid"
    # the schemes whose curves coincide (zeros, constant and small weights at ln 2 in the lab) differ in dash
    lab = ("zeros", "constant", "small_normal", "large_normal", "xavier_normal", "he_normal", "variance_scaling")
    assert len({scheme_dash(s) for s in lab}) == 5 and "dot" not in {scheme_dash(s) for s in initcore.SCHEMES}
    assert len({scheme_colour(s) for s in ("zeros", "constant", "small_normal", "large_normal", "xavier_normal",
                                             "he_normal")}) == 6


def test_presets_use_known_ids_and_recipes_cover_recommendations():
    for preset in presets.PRESETS.values():
        settings = preset["settings"]
        assert settings.get("scheme", "he_normal") in initcore.SCHEMES
        assert settings["activation"] in initcore.ACTIVATIONS
    for act in initcore.ACTIVATIONS.values():
        assert set(recipes.recipes(act.recommended)) == {"PyTorch", "Keras", "JAX"}


def test_every_framework_s_xavier_line_is_the_formula_the_app_simulates():
    """PyTorch's Xavier line has no gain, like Keras' and JAX's: the three lines are the initialization the page
    analyses. The gain PyTorch's docs add is a trial of its own."""
    for scheme in ("xavier_normal", "xavier_uniform"):
        assert "gain" not in recipes.recipes(scheme)["PyTorch"]
    assert recipes.gain_trial("xavier_normal", "sigmoid") is None  # its gain is 1
    assert recipes.gain_trial("he_normal", "relu") is None
    sentence, settings = recipes.gain_trial("xavier_normal", "tanh")
    assert "calculate_gain('tanh')` = 1.667" in sentence and settings["scale"] == pytest.approx(25 / 9, abs=5e-5)



@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_the_gain_trial_names_only_a_gain_pytorch_gives_and_says_which_way_it_goes(activation):
    """calculate_gain has no entry for ELU or GELU: no trial names one (it had passed 'relu' and printed ELU's own
    1.245). SELU's gain, 3/4, is below 1: the signal fades and the gradient shrinks, as a run of 50 layers shows."""
    trial = recipes.gain_trial("xavier_normal", activation)
    gain = initcore.ACTIVATIONS[activation].gain
    if activation in ("elu", "gelu") or gain == 1:
        assert trial is None
        return
    sentence, settings = trial
    assert f"calculate_gain('{activation}')` = {gain:.4g}" in sentence
    run = initcore.simulate(**settings, width=256).layers
    forward, backward = run.pre_var.iloc[-1] / run.pre_var.iloc[0], run.grad_var.iloc[0] / run.grad_var.iloc[-1]
    if gain < 1:
        assert "signal then fades, and the gradient shrinks" in sentence and forward < 1 and backward < 1
    else:
        assert "gradient grows on its way back" in sentence and backward > 1

@pytest.mark.parametrize("activation", [a for a, act in initcore.ACTIVATIONS.items()
                                        if recipes.gain_trial(act.recommended, a)])
def test_the_gain_s_trial_shows_what_its_sentence_says(activation):
    """With the gain, over 50 layers the forward signal fades less than under the plain formula, and the gradient
    grows on its way back to layer 1 (the sentence beside the link says so)."""
    scheme = initcore.ACTIVATIONS[activation].recommended
    settings = recipes.gain_trial(scheme, activation)[1]
    with_gain = initcore.simulate(**settings, width=256).layers
    plain = initcore.simulate(depth=50, width=256, activation=activation, scheme=scheme).layers

    def change(v):  # end to end, as a power of ten
        return abs(np.log10(v.iloc[-1] / v.iloc[0]))

    assert change(with_gain.pre_var) < change(plain.pre_var)
    assert with_gain.grad_var.iloc[0] > with_gain.grad_var.iloc[-1]


def test_weight_densities_fit_under_the_frame():
    from initcore import distributions

    series = []
    for scheme in ("xavier_uniform", "he_normal", "constant"):  # a uniform's log10|w| density peaks at its edge
        edges, binned = distributions.sample_histogram(scheme, 256, 256, log=True)
        grid = np.linspace(edges[0], edges[-1], 200)
        series.append(dict(scheme=scheme, edges=edges, binned=binned, grid=grid,
                           exact=distributions.density(scheme, 256, 256, grid, log=True)))
    fig = charts.weights_figure(series, log=True, title="t")
    highest = max(np.nanmax(np.asarray(t.y, dtype=float)) for t in fig.data)
    low, high = fig.layout.yaxis.range
    assert low == 0 and highest < high


def test_numbers_are_sent_to_four_significant_digits():
    rng = np.random.default_rng(0)
    values = rng.standard_normal(2000) * 10.0 ** rng.uniform(-30, 30, 2000)
    sent = np.asarray(figure.PlainFigure(go.Scatter(y=values)).to_dict()["data"][0]["y"])
    # rounding to n significant digits moves a number by at most half a unit in its n-th digit
    assert (np.abs(sent - values) <= 0.5 * 10.0 ** (1 - figure.SIGNIFICANT) * np.abs(values) * (1 + 1e-12)).all()
    # ...and, where powers of ten are exact doubles, it is the double nearest that decimal: short in JSON
    ordinary = sent[(np.abs(sent) > 1e-15) & (np.abs(sent) < 1e20)]
    assert ordinary.size > 1000
    assert all(len(f"{abs(x):e}".split("e")[0].replace(".", "").rstrip("0")) <= figure.SIGNIFICANT for x in ordinary)
    special = [0.0, -0.0, 5e-324, float("inf"), float("nan")]  # kept as they are (inf and NaN go as null)
    kept = figure.PlainFigure(go.Scatter(y=np.array(special))).to_dict()["data"][0]["y"]
    assert kept[:4] == special[:4] and np.isnan(kept[4])


def test_figures_are_sent_as_plain_lists_in_the_house_style():
    panels = {(a, s): np.linspace(0, 1, 20) for a in ("tanh", "relu") for s in ("zeros", "he_normal")}
    strip = charts.strip_figure(panels, ["tanh", "relu"], ["zeros", "he_normal"], {"tanh": "Tanh", "relu": "ReLU"})
    run = initcore.simulate(depth=6, width=32, activation="relu", scheme="he_normal")
    heat = charts.heatmap_figure(run.act_hist, log=False, title="t", value_label="a")
    for built in (strip, heat):
        spec = built.to_dict()
        assert "template" not in spec["layout"]
        assert not any(isinstance(v, np.ndarray | dict) and k in "xyz" for t in spec["data"] for k, v in t.items())
        axes = [key for key in spec["layout"] if figure.AXIS_KEY.fullmatch(key)]
        assert len(axes) >= 2 and all(spec["layout"][a]["tickfont"]["size"] == 12.75 for a in axes)
        assert spec["layout"]["title"]["font"]["size"] == 17 and spec["layout"]["title"]["text"].startswith("<b>")
    assert len([key for key in strip.to_dict()["layout"] if key.startswith("xaxis")]) == 4  # every panel styled


def test_data_revision_follows_the_data_only():
    """Equal data, equal revision (so Plotly.react skips a copy); new data or a new title: see each case."""
    def sent(values, title="t"):
        return charts.variance_figure([charts.Curve("he_normal", np.arange(1, 6), values)], title=title,
                                      y_title="y").to_dict()["layout"]["datarevision"]

    values = np.array([1.0, 0.5, 0.25, 0.125, 0.0625])
    assert sent(values) == sent(values.copy()) == sent(values, title="another title")
    assert sent(values) != sent(values * 2)


def test_weight_matrices_share_a_colour_scale_unless_training_blew_one_up():
    rng = np.random.default_rng(0)
    before = rng.standard_normal((6, 6))
    same = charts.matrix_figure(before, 2 * before, title="t")
    assert [t.zmax for t in same.data] == [pytest.approx(2 * np.abs(before).max())] * 2
    assert [t.showscale for t in same.data] == [False, True]
    assert [a.text for a in same.layout.annotations] == ["before", "after"]
    # after training the weights are 10⁹ times larger: each panel its own scale, or "before" would be blank
    reach = np.abs(before).max()
    blown = charts.matrix_figure(before, 1e9 * before, title="t")
    assert [t.zmax for t in blown.data] == [pytest.approx(reach), pytest.approx(1e9 * reach)]
    assert not any(t.showscale for t in blown.data)
    assert all("<br>colours ±" in a.text for a in blown.layout.annotations)
    # a diverged run: nothing finite after training
    diverged = charts.matrix_figure(before, np.full((6, 6), np.nan), title="t")
    assert diverged.layout.annotations[1].text == "after: inf/NaN"
    blank = diverged.layout.annotations[2]  # in the middle of the blank panel, which counts its 6 units as the other
    assert blank.text == "no weight<br>is a number" and (blank.xref, blank.x, blank.y) == ("x2", 3.5, 3.5)
    assert list(diverged.layout.xaxis2.range) == list(diverged.layout.xaxis.range) == [0.5, 6.5]
    assert diverged.data[1].zmax == pytest.approx(np.abs(before).max())
    zeros = charts.matrix_figure(np.zeros((6, 6)), np.zeros((6, 6)), title="t")
    assert [t.zmax for t in zeros.data] == [1.0, 1.0]


def test_divergence_labels_that_would_cover_each_other_are_one_label():
    """Three runs that diverge at epochs 1, 2 and 3 with the same accuracy get one label naming all three; their
    losses, decades apart on a log axis (and within the range of a run that did not diverge), keep a label each."""
    import pandas as pd

    epochs = np.arange(1, 101)
    histories, diverged = {}, {}
    for k, scheme in enumerate(("large_normal", "he_normal", "xavier_normal"), start=1):
        loss = np.full(100, np.nan)
        loss[:k] = 10.0 ** (9 * k)
        accuracy = np.where(epochs <= k, 0.5, np.nan)
        histories[scheme] = pd.DataFrame(dict(epoch=epochs, loss=loss, test_accuracy=accuracy))
        diverged[scheme] = k
    histories["he_uniform"] = pd.DataFrame(dict(epoch=epochs, loss=np.geomspace(1e30, 0.3, 100),
                                                test_accuracy=np.full(100, 0.9)))
    labels = {column: [t.text[0] for t in charts.training_figure(histories, column, title="t", y_title="y",
                                                                 log=log, diverged=diverged).data if t.text]
              for column, log in (("test_accuracy", False), ("loss", True))}
    assert labels["test_accuracy"] == ["diverged (epochs 1, 2, 3)"]
    assert labels["loss"] == ["diverged (epoch 1)", "diverged (epoch 2)", "diverged (epoch 3)"]


def test_a_diverged_run_is_marked_at_the_top_edge_without_stretching_the_axis():
    """Large random's loss reaches 10⁵⁴ before it overflows while the others stay under 1: the axis stops a
    hundredfold above the runs that trained, the ✕ sits at that edge, and the line leaves the chart there."""
    import pandas as pd

    epochs = np.arange(0, 11)
    histories = {"large_normal": pd.DataFrame(dict(epoch=epochs, loss=np.r_[1e54, np.full(10, np.nan)])),
                 "he_normal": pd.DataFrame(dict(epoch=epochs, loss=np.geomspace(0.69, 0.05, 11))),
                 "zeros": pd.DataFrame(dict(epoch=epochs, loss=np.full(11, np.log(2))))}
    figure = charts.training_figure(histories, "loss", title="t", y_title="y", log=True,
                                    diverged={"large_normal": 1, "he_normal": None, "zeros": None})
    low, high = figure.layout.yaxis.range
    assert high <= np.log10(np.log(2) * 100) + 0.2 and low < np.log10(0.05)
    mark = next(t for t in figure.data if t.text)
    assert mark.y[0] == pytest.approx(np.log(2) * 100) and mark.text[0] == "diverged (epoch 1), off the top"
    assert mark.hovertemplate.startswith("Large random: diverged at epoch 1, after it had left the chart at its top "
                                         "edge; from then on its y is inf/NaN")


@pytest.mark.parametrize("values, ticks", [
    (np.geomspace(1e-3, 1e2, 20), "decades"), (np.geomspace(0.05, 0.7, 20), [0.05, 0.1, 0.2, 0.5]),
    (np.geomspace(1e-30, 1e30, 20), "decades"), (np.geomspace(0.3, 0.69, 20), [0.3, 0.4, 0.5, 0.6])])
def test_log_axes_are_ticked_at_decades_or_at_1_2_5(values, ticks):
    """Whole decades, written 10ⁿ, over two decades or more (at most 8 ticks); under two, 1, 2 and 5 times a power
    of ten (every digit where those leave fewer than 3), written out: never Plotly's bare digits of a decade, which
    read "2, 10, 5, 2, 1, 5"."""
    axis = charts.log_axis(values)
    assert axis["type"] == "log" and "D" not in str(axis.get("dtick", ""))
    if ticks == "decades":
        assert axis["tick0"] == 0 and isinstance(axis["dtick"], int)
        assert (axis["range"][1] - axis["range"][0]) / axis["dtick"] <= 9
    else:
        assert all(np.isclose(axis["tickvals"], t).any() for t in ticks) and axis["ticktext"] == [
            charts.number(t) for t in axis["tickvals"]]


def test_a_grid_layout_is_the_callers_own_copy():
    """Grid layouts are made once per shape; a figure that changes its copy must not change the next figure's."""
    first = figure.grid(1, 2, subplot_titles=("before", "after"))
    first["annotations"][0]["text"] = "changed"
    first["xaxis"]["domain"] = [0, 0.1]
    second = figure.grid(1, 2, subplot_titles=("before", "after"))
    assert second["annotations"][0]["text"] == "before" and second["xaxis"]["domain"] != [0, 0.1]


def test_an_axis_without_tick_labels_has_no_tick_marks():
    """Beside a heatmap Plotly draws tick marks even where an axis has no labels: a row of dashes in the gap
    between Symmetry's "before" and "after" (whose y axis the first panel labels), and along the edges of each
    decision-boundary panel."""
    matrices = charts.matrix_figure(np.ones((6, 6)), np.ones((6, 6)), title="t").to_dict()["layout"]
    assert matrices["yaxis2"]["showticklabels"] is False and matrices["yaxis2"]["ticks"] == ""
    assert "ticks" not in matrices["yaxis"] and "ticks" not in matrices["xaxis2"]
    axis = np.linspace(-1, 1, 5)
    panel = charts.boundary_figure("he_normal", (axis, axis, np.full((5, 5), 0.5)),
                                   (np.zeros((2, 2)), np.array([0, 1]))).to_dict()["layout"]
    assert panel["xaxis"]["ticks"] == panel["yaxis"]["ticks"] == ""
    assert all(panel[axis]["showline"] and panel[axis]["mirror"] for axis in ("xaxis", "yaxis"))  # framed instead


def test_a_gradient_line_with_nothing_to_draw_says_why_in_the_legend():
    """Under zero weights and tanh (f(0) = 0) every weight gradient is exactly 0 at every epoch: no point on
    the log axis, and the legend says so instead of naming a line that is not there."""
    import pandas as pd

    histories = {s: initcore.train(dataset="moons", depth=2, width=8, activation="tanh", scheme=s, epochs=3,
                                   lr=0.1).history for s in ("zeros", "he_normal")}
    figure = charts.grad_norm_figure(histories)
    assert [t.name for t in figure.data if t.showlegend] == ["Zeros:<br>0 at every epoch,<br>off the log scale",
                                                             "He/Kaiming normal"]
    assert {t.mode for t in figure.data} == {"lines+markers"}  # the legend shows a line's sample, not a lone marker
    half = pd.DataFrame(dict(epoch=[0, 1], grad_norm_first=[0.0, np.nan], grad_norm_last=[0.5, 0.25]))
    assert charts.grad_norm_figure({"zeros": half}).data[0].name == "Zeros:<br>first layer 0 or inf/NaN at every epoch"


def test_the_legend_gets_room_for_every_line_of_its_entries():
    """A legend under the plot gets margin for each of its lines, laid out as Plotly does: all in one row if they
    fit; else in rows as tall as their entry of most lines, each entry as wide as the widest (as wide as
    itself where entries are grouped)."""
    def lines(names: list[str], width: int, grouped: bool = False) -> int:
        traces = [go.Scatter(x=[0], y=[0], name=name, legendgroup=name if grouped else None) for name in names]
        extra = figure.new(traces, "t", width=width).layout.margin.b - figure.MARGIN["b"]
        return extra and (extra - figure.LEGEND_PAD) // figure.LEGEND_LINE

    room = figure.MARGIN["l"] + figure.MARGIN["r"]  # a chart this wide has a plot 0 px wide
    assert lines(["one"], 790) == 0  # a lone line has no legend
    assert lines(["one", "two"], 790) == 1
    assert lines(["one:<br>a note", "two"], 790) == 2
    assert lines(["one:<br>a note", "two"], room + 100) == 3  # two rows: two lines, then one
    assert lines(["a long name " * 10, "two"], 790) == 2  # longer than the plot is wide: a row of its own
    assert lines(["a", "b", "a much longer name"], room + 200) == 3  # each as wide as the widest: one a row
    assert lines(["a", "b", "a much longer name"], room + 200, grouped=True) == 2  # a and b share a row


def test_a_long_legend_leaves_the_plot_its_height():
    """The legend's rows are added under the plot, not taken from it: a chart's plot is as tall with thirty
    legend entries as with none."""
    def plot_height(figure_: go.Figure) -> int:
        return figure_.layout.height - figure_.layout.margin.t - figure_.layout.margin.b

    alone = figure.new([go.Scatter(x=[0], y=[0], name="one")], "t", width=figure.HALF_WIDTH)
    crowded = figure.new([go.Scatter(x=[0], y=[0], name=f"line {k}") for k in range(30)], "t",
                         width=figure.HALF_WIDTH)
    assert crowded.layout.margin.b > alone.layout.margin.b and plot_height(crowded) == plot_height(alone)


def test_a_gradient_line_that_stops_at_zero_says_from_which_epoch():
    """Tiny weights in a deep ReLU net: after a few steps every unit is switched off, the gradient is exactly 0
    and the log axis has nowhere to put it; the legend says where the line stops and why."""
    history = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="small_normal", epochs=12,
                             lr=0.1).history
    stop = int(history.epoch[history.grad_norm_first == 0].min())
    assert 0 < stop and (history.grad_norm_first[stop:] == 0).all() and (history.grad_norm_last[stop:] == 0).all()
    legend = charts.grad_norm_figure({"small_normal": history}).data[0].name
    assert legend == f"Small random:<br>0 from epoch {stop} on"


def test_a_run_that_diverged_at_once_still_shows_its_one_gradient_norm():
    """Large weights: the gradient norms of epoch 0 are finite, epoch 1 is NaN. One point makes no line, so it
    is drawn as a marker of the scheme's shape (filled: first layer, open: output layer)."""
    history = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="large_normal", epochs=5,
                             lr=0.1).history
    assert np.isfinite(history.grad_norm_first).sum() == 1
    first, last = charts.grad_norm_figure({"large_normal": history}).data
    shape = theme.scheme_symbol("large_normal")
    assert (first.mode, first.marker.symbol, last.mode, last.marker.symbol) == ("markers", shape, "markers",
                                                                                  f"{shape}-open")
    for column, log in (("loss", True), ("test_accuracy", False)):  # and so is its one loss, its one accuracy
        runs = {"large_normal": history, "he_normal": history.assign(**{column: history[column].fillna(0.5)})}
        lone, whole = charts.training_figure(runs, column, title="t", y_title=column, log=log,
                                             diverged={"large_normal": 1}).data[:2]
        assert (lone.mode, whole.mode) == ("markers", "lines") and lone.cliponaxis is False  # whole at epoch 0


def test_a_chart_tells_a_screen_reader_its_title_and_what_it_shows():
    history = initcore.train(dataset="moons", depth=2, width=8, activation="tanh", scheme="zeros", epochs=3,
                             lr=0.1).history
    assert figure.alt_text(charts.grad_norm_figure({"zeros": history})) == (
        "Gradient norm ‖dL/dW‖ (solid: first layer, dotted: output layer). Shown: Zeros: 0 at every epoch, off the "
        "log scale.")
    run = initcore.simulate(depth=10, width=64, activation="relu", scheme="he_normal")
    said = figure.alt_text(charts.heatmap_figure(run.act_hist, log=False, title="Activations", value_label="a"))
    assert said.startswith("Activations. The middle 90 % of a: layer 1 from 0 to ")
    assert "; layer 6 from 0 to " in said and "; layer 10 from 0 to " in said


@pytest.mark.parametrize("log", [False, True])
def test_a_heatmap_tells_a_screen_reader_where_its_layers_lie(log):
    """The middle 90 % of the first, middle and last layer's values, read off the bins the chart draws (each end
    within a bin of the sample's own 5 % and 95 % points), the layers that hold only zeros, and the first that
    overflowed."""
    run = initcore.simulate(depth=30, width=128, activation="tanh", scheme="xavier_normal", seed=3)
    hist = run.act_hist
    said = figure.alt_text(charts.heatmap_figure(hist, log=log, title="A", value_label="a"))
    edges = hist.log_edges if log else hist.edges
    step = edges[1] - edges[0]
    for layer, phrase in zip((1, 16, 30), said.split(": ", 1)[1].rstrip(".").split("; "), strict=True):
        low, high = (float(v.replace("−", "-")) for v in phrase.split(" from ")[1].split(" to "))
        density = (hist.log_counts if log else hist.counts)[layer - 1]
        centres = (edges[:-1] + edges[1:]) / 2
        cumulative = np.cumsum(density) / density.sum()
        assert phrase.startswith(f"layer {layer} from ")
        assert centres[np.searchsorted(cumulative, 0.05)] - step <= low <= centres[np.searchsorted(cumulative, 0.05)]
        assert centres[np.searchsorted(cumulative, 0.95)] <= high <= centres[np.searchsorted(cumulative, 0.95)] + step
    dead = initcore.simulate(depth=4, width=16, activation="relu", scheme="zeros")
    assert figure.alt_text(charts.heatmap_figure(dead.act_hist, log=log, title="A", value_label="a")) == (
        "A. The middle 90 % of " + ("log10 |a|" if log else "a") + ": layer 1: every value exactly 0; layer 3: "
        "every value exactly 0; layer 4: every value exactly 0.")
    burst = initcore.simulate(depth=60, width=64, activation="relu", scheme="large_normal")
    assert figure.alt_text(charts.heatmap_figure(burst.act_hist, log=log, title="A", value_label="a")).endswith(
        f"; inf/NaN from layer {burst.exploded_at}, with nothing to bin.")


def test_a_boundary_panel_tells_a_screen_reader_what_the_network_answers():
    axis = np.linspace(-2, 2, 4)
    said = [figure.alt_text(charts.boundary_figure("he_normal", (axis, axis, probs), (np.zeros((0, 2)), np.zeros(0))))
            for probs in (np.full((4, 4), 0.5), np.repeat([[0.1, 0.2, 0.7, 0.99]], 4, axis=0), np.full((4, 4), np.nan),
                          np.where(np.eye(4) > 0, np.nan, 0.75))]
    assert said == ["He/Kaiming normal. p(class 1) is 50 % everywhere: no boundary.",
                    "He/Kaiming normal. Class 1 (p over ½) on 50 % of the square; p(class 1) from 10 % to 99 %.",
                    "He/Kaiming normal. No answer anywhere: the run diverged to inf/NaN.",
                    "He/Kaiming normal. p(class 1) is 75 % everywhere: no boundary; no answer on 25 % of it."]


def test_a_log_axis_over_a_narrow_range_labels_its_ticks_in_full():
    """Plotly labels every digit of a log axis that spans under two decades as a bare digit; the charts write each
    tick out (0.5, 0.6, 0.7), from the values themselves."""
    histories = {"he_normal": initcore.train(dataset="xor", depth=1, width=2, activation="relu", scheme="he_normal",
                                             epochs=10, lr=0.1).history}
    narrow = charts.training_figure(histories, "loss", title="t", y_title="loss", log=True, diverged={})
    assert len(narrow.layout.yaxis.tickvals) >= 3
    assert list(narrow.layout.yaxis.ticktext) == [charts.number(t) for t in narrow.layout.yaxis.tickvals]
    deep = {"small_normal": initcore.train(dataset="moons", depth=5, width=32, activation="relu",
                                           scheme="small_normal", epochs=10, lr=0.1).history,
            "he_normal": initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="he_normal",
                                        epochs=10, lr=0.1).history}
    assert charts.grad_norm_figure(deep).layout.yaxis.dtick in (1, 2)  # ten decades: every decade or every other


def _axis_span(axis, values, log: bool) -> bool:
    """Whether ``axis`` has a range of its own (not Plotly's autorange) that holds every finite value drawn."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    low, high = axis.range
    shown = np.log10(values) if log else values
    return axis.autorange in (None, False) and low <= shown.min() and shown.max() <= high


def test_every_axis_of_a_training_chart_has_its_range_written_down():
    """A chart drawn again while scrolled out of view kept Plotly's empty-chart axes (epochs -1 to 6): so every
    axis of the lab's charts carries its range, from epoch 0 to the last, and around every value drawn."""
    runs = {scheme: initcore.train(dataset="moons", depth=3, width=16, activation="relu", scheme=scheme, epochs=7,
                                   lr=0.1).history for scheme in ("he_normal", "small_normal")}
    for column, log in (("loss", True), ("loss", False), ("test_accuracy", False)):
        figure = charts.training_figure(runs, column, title="t", y_title="y", log=log, diverged={})
        assert list(figure.layout.xaxis.range) == [0, 7]
        drawn = np.concatenate([trace.y for trace in figure.data])
        assert _axis_span(figure.layout.yaxis, drawn, log), (column, log)
    figure = charts.grad_norm_figure(runs)
    assert list(figure.layout.xaxis.range) == [0, 7]
    assert _axis_span(figure.layout.yaxis, np.concatenate([trace.y for trace in figure.data]), log=True)


def test_a_curve_that_falls_far_below_the_others_leaves_through_the_floor_with_a_marker():
    """Small random fades ×10⁻¹·⁶ a layer to 10⁻⁷⁷ while He stays at 1: the axis stops FLOOR_DECADES under the
    band's edge instead of squashing He into a line at the top, and a ▼ where Small random leaves says where it
    went. Alone, the same curve is drawn whole: there is nothing to squash."""
    layer = np.arange(1, 51)
    small = charts.Curve("small_normal", layer, 10.0 ** (-1.6 * layer), 10.0 ** (-1.6 * layer))
    steady = charts.Curve("he_normal", layer, np.ones(50), np.ones(50))
    figure = charts.variance_figure([small, steady], title="t", y_title="y")
    floor = charts.VANISHING * 10.0 ** -charts.FLOOR_DECADES
    low, high = figure.layout.yaxis.range
    # under the floor, a line of words (6 % of the plot): nothing further
    assert low < np.log10(floor) and (np.log10(floor) - low) / (high - low) <= 0.06 + 1e-9 and high < 4
    drawn = [np.asarray(t.y, float) for t in figure.data if t.name and "Small" in t.name]
    assert drawn and all(np.nanmin(y) >= floor for y in drawn)  # simulation and theory end at the floor
    mark, = [t for t in figure.data if t.marker.symbol == "triangle-down"]
    assert mark.x[0] == 11 and mark.y[0] == floor  # 10^-17.6 at layer 11 is the first below 10^-17
    assert mark.text[0] == "↓ down to 10⁻⁸⁰ at layer 50"
    # its words in Small random's colour, legible on the vanishing band; its hover names the curve
    band = theme.tint(charts.SAFE_BLUE, charts.BAND_OPACITY)
    assert mark.textfont.color == theme.legible(theme.scheme_colour("small_normal"), band)
    assert theme.contrast(mark.textfont.color, band) >= theme.LEGIBLE and mark.hovertemplate.startswith("Small random:")
    apart = charts.Curve("small_normal", layer, 10.0 ** (-1.6 * layer), apart=True)
    with_apart = charts.variance_figure([steady, apart], title="t", y_title="y")
    mark, = [t for t in with_apart.data if t.marker.symbol == "triangle-down"]
    assert mark.hovertemplate.startswith(f"Small random{charts.APART}: below ")
    alone = charts.variance_figure([small], title="t", y_title="y")
    assert alone.layout.yaxis.range[0] < -80 and not any(t.marker.symbol == "triangle-down" for t in alone.data)


def test_log_ticks_step_by_one_two_or_five_decades():
    assert [charts.decade_step(d) for d in (3, 8, 9, 16, 17, 40, 41, 81, 400)] == [1, 1, 2, 2, 5, 5, 10, 20, 50]


def test_a_screen_reader_hears_what_a_chart_shows_not_only_its_title():
    """The forward chart of He against Small random on 50 ReLU layers: He stays within the bands, Small random
    vanishes; the lab's loss chart: where each run ends, or the epoch it diverged."""
    from ui.figure import alt_text

    run = {s: initcore.simulate(depth=50, width=256, activation="relu", scheme=s)
           for s in ("he_normal", "small_normal")}
    curves = [charts.Curve(s, r.layers.layer.to_numpy(), r.layers.pre_var.to_numpy()) for s, r in run.items()]
    said = alt_text(charts.variance_figure(curves, title="Forward", y_title="Var z"))
    assert said.startswith("Forward. He/Kaiming normal: stays within 0.01 and 100 over 50 layers, ending at ")
    # layer 1: Var z = 256 · 0.01² = 0.0256, above the band; layer 2: 0.0256 · 256 · 0.01² / 2, below
    assert "Small random: vanishes below 0.01 from layer 2 (0 at layer 50)" in said
    lab = initcore.compare(schemes=("zeros", "large_normal", "he_normal"), dataset="moons", depth=5, width=32,
                           activation="relu", lr=0.1, epochs=5)
    histories = {s: r.history for s, r in lab.runs.items()}
    diverged = {s: r.diverged_epoch for s, r in lab.runs.items()}
    said = alt_text(charts.training_figure(histories, "loss", title="Loss", y_title="loss", log=True,
                                           diverged=diverged))
    assert re.search(r"Zeros: ends at 0\.693\d \(ln 2: a coin flip\) after 5 epochs", said)
    assert f"Large random: diverged at epoch {diverged['large_normal']}" in said


def test_a_loss_chart_drawn_while_runs_train_grows_along_the_whole_run_s_axis():
    """While runs train, the page draws the epochs each has reported on an axis of all the epochs asked, and says
    which run is still training, at what loss and epoch, and which one ended; once done, the axis is the runs'."""
    from ui.figure import alt_text

    lab = initcore.compare(schemes=("zeros", "he_normal"), dataset="moons", depth=3, width=16, activation="relu",
                           lr=0.1, epochs=20)
    histories = {"zeros": lab.runs["zeros"].history, "he_normal": lab.runs["he_normal"].history.head(8)}
    figure = charts.training_figure(histories, "loss", title="Loss", y_title="loss", log=True,
                                    diverged={"zeros": None}, epochs=20, training=["he_normal"])
    assert list(figure.layout.xaxis.range) == [0, 20] and list(figure.data[1].x) == list(range(8))
    said = alt_text(figure)
    he = histories["he_normal"].loss.iloc[-1]
    assert f"He/Kaiming normal: is at {theme.number(he)} at epoch 7, still training" in said
    assert re.search(r"Zeros: ends at 0\.693\d \(ln 2: a coin flip\) after 20 epochs", said)
    done = charts.training_figure({"he_normal": histories["he_normal"]}, "loss", title="Loss", y_title="loss",
                                  log=True, diverged={})
    assert list(done.layout.xaxis.range) == [0, 7]


def test_a_phone_s_sweep_stands_upright_with_every_number_where_it_was():
    """On a phone the sweep puts learning rates down the side and schemes across, each name broken on its words,
    and its scale under the chart: eight columns of numbers had shrunk to dots beside the names and the scale.
    Every cell keeps its scheme, its learning rate and its number."""
    table = initcore.lr_sweep(schemes=("zeros", "he_normal"), dataset="moons", depth=2, width=8,
                              activation="relu", epochs=5)
    wide, upright = charts.sweep_figure(table), charts.sweep_figure(table, upright=True)
    across, down = wide.data[1], upright.data[1]
    assert list(upright.data[1].x) == ["Zeros", "He/<br>Kaiming<br>normal"] and list(down.y) == list(across.x)
    np.testing.assert_array_equal(np.asarray(down.z), np.asarray(across.z).T)
    np.testing.assert_array_equal(np.asarray(down.text), np.asarray(across.text).T)
    assert down.colorbar.orientation == "h" and upright.layout.xaxis.side == "top"
    assert upright.layout.meta["message"] == wide.layout.meta["message"]  # a screen reader hears the same


def test_a_weight_matrix_s_words_say_whether_its_units_are_copies():
    """Symmetry's point, for a screen reader too: constant weights give every unit the same column before and
    after training; random ones give each its own."""
    copies = np.full((4, 12), 0.5)
    drawn = np.random.default_rng(0).normal(size=(4, 12))
    said = figure.alt_text(charts.matrix_figure(copies, drawn, title="Hidden layer 2's weights"))
    assert said == ("Hidden layer 2's weights. before: all 12 units' columns are the same; after: 12 different "
                    "columns.")
    half = np.hstack([copies[:, :6], drawn[:, :6]])
    assert "after: 7 different columns among 12" in figure.alt_text(charts.matrix_figure(copies, half, title="t"))


def test_a_ridgeline_spans_its_bins_so_a_spike_at_an_end_has_its_tick():
    """Large weights pin tanh at ±1: on the log10 |a| axis the spike sits in the last bin, at 0. The axis spans the
    bins' edges, not their centres, so that 0 is on it (it stopped half a bin short, and its last tick was −1)."""
    run = initcore.simulate(depth=10, width=64, activation="tanh", scheme="large_normal")
    ridge = charts.ridgeline_figure(run.act_hist, [1, 10], log=True, title="t", value_label="a")
    assert list(ridge.layout.xaxis.range) == [run.act_hist.log_edges[0], run.act_hist.log_edges[-1]]
    assert run.act_hist.log_edges[-1] == 0


@pytest.mark.parametrize("rows, units", [(2, 2), (3, 3), (2, 12)])
def test_a_small_weight_matrix_numbers_its_units_and_rows_whole(rows, units):
    """Symmetry at width 2 numbered its units and rows 0.5, 1, 1.5, 2, 2.5."""
    before = np.random.default_rng(0).standard_normal((rows, units))
    layout = charts.matrix_figure(before, before * 2, title="t").to_dict()["layout"]
    for kind, count in (("xaxis", units), ("yaxis", rows)):  # up to 10, every number; more, Plotly's whole ones
        axes = [axis for name, axis in layout.items() if name.startswith(kind)]
        assert len(axes) == 2 and all(axis.get("dtick") == (1 if count <= 10 else None) for axis in axes)
