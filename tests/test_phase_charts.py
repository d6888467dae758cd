"""The Order and chaos lesson's figures, built without a browser: the phase plane where theory puts its edge, the
exploding region marked and not numbered, the runs and the learner's point on it, and spectra sent as counts."""

import json

import numpy as np
import pandas as pd
import pytest

import initcore
from ui import phase_charts, phase_data
from ui.theme import number

SENT_LIMIT = 500_000  # bytes of a figure as sent: a frame this size is still drawn at once


def plane(activation: str) -> pd.DataFrame:
    return initcore.theory.phase_grid(activation, phase_data.WEIGHT_AXIS, phase_data.BIAS_AXIS)


def runs(activation: str) -> pd.DataFrame:
    """Runs with made-up accuracies on the lesson's grid: one of each outcome, theory's phase at each point."""
    rows = []
    for k, (w, b) in enumerate((w, b) for b in phase_data.RUN_BIASES for w in phase_data.RUN_WEIGHTS):
        accuracy = (0.95, 0.5, np.nan)[k % 3]
        outcome = ("learned", "stayed low", "diverged")[k % 3]
        rows.append(dict(sigma_w2=w, sigma_b2=b, test_accuracy=accuracy, outcome=outcome,
                         **initcore.theory.phase(activation, w, b)))
    return pd.DataFrame(rows)


def sent(figure) -> dict:
    return json.loads(json.dumps(figure.to_dict()))


def trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name", "").startswith(name))


@pytest.mark.parametrize("activation, critical", [("tanh", 1.0), ("relu", 2.0), ("linear", 1.0)])
def test_the_edge_of_chaos_lies_where_theory_says_at_zero_bias(activation, critical):
    """tanh at σ_b² = 0 is critical at σ_w² = 1, ReLU at 2 (χ₁ = σ_w²/2) at every σ_b², the identity at 1."""
    weights, biases = phase_charts.edge_of_chaos(plane(activation))
    assert biases[0] == 0 and weights[0] == pytest.approx(critical, abs=1e-9)
    if activation == "relu":
        np.testing.assert_allclose(weights, 2.0, atol=1e-9)


def test_the_edge_of_chaos_moves_right_with_the_bias_under_tanh():
    """A bias keeps tanh's signal away from 0, where its slope is smaller: more weight variance is needed for
    χ₁ = 1 (Poole et al. 2016, Fig. 1)."""
    weights, biases = phase_charts.edge_of_chaos(plane("tanh"))
    assert np.all(np.diff(weights) > 0) and biases[-1] < 2  # beyond σ_w² = 4 at the largest biases
    for w, b in zip(weights[::8], biases[::8], strict=True):
        assert initcore.theory.phase("tanh", w, b)["chi1"] == pytest.approx(1, abs=0.02)


def test_the_phase_figure_draws_the_line_the_runs_and_the_point():
    spec = sent(phase_charts.phase_figure(plane("tanh"), runs("tanh"), (1.35, 0.4), activation="Tanh", run_depth=20))
    line = trace(spec, "χ₁ = 1")
    assert line["x"][0] == pytest.approx(1.0) and line["y"][0] == 0
    point = trace(spec, "your network")
    assert (point["x"], point["y"]) == ([1.35], [0.4]) and "σ_w² = 1.35, σ_b² = 0.4" in point["name"]
    assert point["cliponaxis"] is False  # at a corner of the plane (both sliders at an end) it is drawn whole
    shown = {t["name"]: len(t["x"]) for t in spec["data"] if t.get("name", "").startswith("run ")}
    assert shown == {"run learned": 7, "run stayed low": 7, "run diverged": 6}
    learned = trace(spec, "run learned")["marker"]
    assert learned["opacity"] == 1 and min(learned["size"]) > max(trace(spec, "run stayed low")["marker"]["size"])
    assert len(json.dumps(spec)) < SENT_LIMIT


def test_depth_is_coloured_on_a_capped_log_scale_and_the_exploding_region_has_no_number():
    """ReLU beyond σ_w² = 2 (and at 2 with biases) has q* = ∞: the depth heatmap leaves it out, a grey layer marks
    it, with its name on it; elsewhere the colour is log10 of the trainable depth 6ξ, between 1 and 1000 layers."""
    table = plane("relu")
    spec = sent(phase_charts.phase_figure(table, runs("relu"), (2.0, 0.0), activation="ReLU", run_depth=20))
    depth, grey = (t for t in spec["data"] if t["type"] == "heatmap")
    z = np.asarray(depth["z"], dtype=float)  # nulls: NaN
    grows = (table.q_star == np.inf).to_numpy().reshape(z.shape)
    assert grows.any() and np.isnan(z[grows]).all() and not np.isnan(z[~grows]).any()
    assert (depth["zmin"], depth["zmax"]) == (0, 3) and np.nanmin(z) >= 0 and np.nanmax(z) <= 3
    expected = np.log10(np.clip(table.trainable_depth.to_numpy().reshape(z.shape), 1, 1000))
    np.testing.assert_allclose(z[~grows], expected[~grows], rtol=1e-3)
    np.testing.assert_array_equal(~np.isnan(np.asarray(grey["z"], dtype=float)), grows)
    assert depth["colorbar"]["ticktext"] == ["≤ 1", "10", "100", "≥ 1000"]
    assert "6ξ = ∞ layers" in np.asarray(depth["customdata"]).ravel()  # the critical point at σ_w² = 2, σ_b² = 0
    assert any("without bound" in a["text"] for a in spec["layout"]["annotations"])


def test_sigmoid_has_no_edge_of_chaos_here_and_says_so():
    """σ_w²·E[σ'(z)²] ≤ σ_w²/16 < 1 on the whole plane: ordered everywhere, no line to draw."""
    figure = phase_charts.phase_figure(plane("sigmoid"), runs("sigmoid"), (1.0, 0.0), activation="Sigmoid",
                                       run_depth=20)
    assert not any((t.name or "").startswith("χ₁") for t in figure.data)
    assert "ordered" in figure.layout.meta["message"]
    assert [a.text for a in figure.layout.annotations] == ["χ₁ < 1 everywhere here:<br>ordered"]


def test_on_a_phone_the_colour_bar_lies_over_the_plane_and_the_schemes_are_named_in_the_legend():
    figure = phase_charts.phase_figure(plane("tanh"), runs("tanh"), (1.0, 0.0), activation="Tanh", run_depth=20,
                                       narrow=True)
    bar = figure.data[0].colorbar
    assert bar.orientation == "h" and bar.y > 1
    schemes = next(t for t in figure.data if t.type == "scatter" and t.marker.symbol == "triangle-up")
    assert schemes.showlegend and schemes.mode == "markers" and "He (2)" in schemes.name
    assert figure.layout.margin.r < 30


@pytest.mark.parametrize("activation, sigma_w2", [("linear", 1.0), ("tanh", 1.0), ("relu", 2.0)])
def test_the_spectrum_figure_sends_counts_only(activation, sigma_w2):
    """Each panel's bars are counts on shared bins of log10 σ, as percentages of the width: together with the
    values too small to resolve, said in the panel's title, they make all 128."""
    spectra = phase_data.spectra(activation, sigma_w2)
    width = phase_data.SPECTRUM_WIDTH
    spec = sent(phase_charts.spectrum_figure(spectra, width))
    centres = (spectra["edges"][:-1] + spectra["edges"][1:]) / 2
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert len(bars) == 2 * len(phase_data.SPECTRUM_DEPTHS)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    panels = [(name, depth) for depth in phase_data.SPECTRUM_DEPTHS for name in ("Gaussian", "Orthogonal")]
    for bar, (name, depth) in zip(bars, panels, strict=True):
        assert bar["name"] == name and len(bar["x"]) == len(centres)
        np.testing.assert_allclose(bar["x"], centres, atol=1e-3)
        tiny = spectra[name][depth]["tiny"]
        assert sum(bar["y"]) == pytest.approx(100 * (width - tiny) / width, rel=1e-3)
        assert (f"{name} {tiny}" in titles[phase_data.SPECTRUM_DEPTHS.index(depth)]) == (tiny > 0)
    assert len(json.dumps(spec)) < SENT_LIMIT


def test_linear_orthogonal_weights_put_every_singular_value_in_the_bin_of_1_a_spike_cut_at_the_top():
    """All 128 in one bin: drawn to its full 100 %, it would flatten Gaussian's spread beside it into a line, so
    each panel stops at 4 times Gaussian's tallest bar and writes the spike's height at the top."""
    spectra = phase_data.spectra("linear", 1.0)
    one = np.searchsorted(spectra["edges"], 0.0) - 1  # the bin holding log10 1 = 0
    for depth in phase_data.SPECTRUM_DEPTHS:
        kept = spectra["Orthogonal"][depth]
        assert kept["exact"] and kept["counts"][one] == phase_data.SPECTRUM_WIDTH
    spec = sent(phase_charts.spectrum_figure(spectra, phase_data.SPECTRUM_WIDTH))
    for k, depth in enumerate(phase_data.SPECTRUM_DEPTHS, start=1):
        gaussian = 100 * spectra["Gaussian"][depth]["counts"].max() / phase_data.SPECTRUM_WIDTH
        top = spec["layout"][f"yaxis{k if k > 1 else ''}"]["range"][1]
        assert top == pytest.approx(1.1 * phase_charts.SPIKE * gaussian, rel=1e-3) and top < 100
    assert [a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith("↑")] == ["↑ 100 %"] * 3


def test_bars_cut_side_by_side_share_one_label():
    """Orthogonal weights under tanh spread over several bins after 50 layers, each above the panel's top: one label
    says the tallest, "up to", instead of six labels printed over one another."""
    spectra = phase_data.spectra("tanh", 1.0)
    spec = sent(phase_charts.spectrum_figure(spectra, phase_data.SPECTRUM_WIDTH))
    labels = [a for a in spec["layout"]["annotations"] if a["text"].startswith("↑")]
    deepest = 100 * spectra["Orthogonal"][phase_data.SPECTRUM_DEPTHS[-1]]["counts"].max() / phase_data.SPECTRUM_WIDTH
    assert [a["text"] for a in labels if a["text"].startswith("↑ up to")] == [f"↑ up to {number(deepest)} %"]
    assert len(labels) == len({(a["xref"], round(a["x"], 6)) for a in labels}) <= len(phase_data.SPECTRUM_DEPTHS)


def test_a_panel_title_counting_both_schemes_fits_a_phone():
    """ReLU at σ_w² = 0.1: after 10 and 50 layers both schemes have values too small to resolve. Said on one line,
    "too small to resolve: Gaussian 76 of 128, Orthogonal 70 of 128" ran past a phone's 390 px; the counts go on a
    line of their own, and no line of a title is longer than the longest one-scheme line, which fits."""
    spectra = phase_data.spectra("relu", 0.1)
    spec = sent(phase_charts.spectrum_figure(spectra, phase_data.SPECTRUM_WIDTH))
    titles = [a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith("after")]
    assert "Gaussian 76 of 128, Orthogonal 70 of 128" in titles[1].split("<br>")
    assert max(len(line) for title in titles for line in title.split("<br>")) <= len(
        "too small to resolve: Gaussian 128 of 128")  # the longest one-scheme line
