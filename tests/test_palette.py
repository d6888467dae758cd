"""Every pair of schemes that can share a chart can be told apart by everyone: by colour under simulated colour
vision deficiency, or by the dash of their lines."""

import itertools
import tomllib
from pathlib import Path

import numpy as np
import pytest

import initcore
from ui.nav import FOCUS_COLOUR
from ui.theme import contrast, scheme_colour, scheme_dash

# Machado, Oliveira & Fernandes (2009), severity 1.0: each simulation is a matrix on linear RGB.
SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "typical": np.eye(3).tolist(),
}
APART = 20  # CIELAB ΔE*76 between two lines' colours that tells them apart at a glance
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])


def linear_rgb(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB of a linear-RGB colour, white point D65."""
    t = (SRGB_TO_XYZ @ rgb) / (SRGB_TO_XYZ @ np.ones(3))
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, simulation: str) -> np.ndarray:
    return cielab(np.clip(np.array(SIMULATIONS[simulation]) @ linear_rgb(colour), 0, 1))


def test_the_simulation_reproduces_the_published_confusion():
    """Vermillion and olive, the pair a deuteranope could not tell apart (ΔE 2.8, 48 to typical vision)."""
    def distance(simulation: str) -> float:
        return float(np.linalg.norm(seen("#D55E00", simulation) - seen("#A08C00", simulation)))

    assert distance("deuteranopia") == pytest.approx(2.8, abs=0.1) and distance("typical") == pytest.approx(48, abs=0.5)


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_schemes_whose_lines_share_a_dash_differ_in_colour_for_every_eye(simulation):
    too_close = []
    for a, b in itertools.combinations(initcore.SCHEMES, 2):
        if scheme_dash(a) != scheme_dash(b):
            continue  # told apart by the dash, on the chart and in the legend
        distance = np.linalg.norm(seen(scheme_colour(a), simulation) - seen(scheme_colour(b), simulation))
        if distance < APART:
            too_close.append((a, b, round(float(distance), 1)))
    assert too_close == []


def test_schemes_of_one_colour_differ_in_dash():
    """Xavier uniform and normal share Xavier's colour: the uniform one is dashed."""
    for a, b in itertools.combinations(initcore.SCHEMES, 2):
        if scheme_colour(a) == scheme_colour(b):
            assert scheme_dash(a) != scheme_dash(b), (a, b)


# Plotly's named dashes, in units of the line's width (at least 3 px): dash 3,3; dot 1,1; long dash 5,5;
# dash-dot 3,1,1,1; long dash-dot 5,2,1,2. Every line of a scheme is at most 3 px wide, so one unit is 3 px.
NAMED_DASHES = {"dash": (3, 3), "dot": (1, 1), "longdash": (5, 5), "dashdot": (3, 1, 1, 1), "longdashdot": (5, 2, 1, 2)}
SHOWN = 0.25  # of a dashed line's length that shows through another dashed line drawn over it


def dash_lengths(dash: str) -> list[int]:
    """A dash as pixels on, off, on, off…"""
    if dash in NAMED_DASHES:
        return [3 * n for n in NAMED_DASHES[dash]]
    return [int(float(part.removesuffix("px"))) for part in dash.split(",")]


def drawn(dash: str, length: int) -> np.ndarray:
    """Which of the first ``length`` pixels along a line of ``dash`` are painted (every dash starts at the line's
    start, so two lines along the same path are in step)."""
    lengths = dash_lengths(dash)
    return np.resize(np.repeat(np.arange(len(lengths)) % 2 == 0, lengths), length)


def test_a_dashed_line_under_another_on_the_same_path_still_shows():
    """Zeros, Constant and Small random all sit at ln 2 and at 50 % in the lab, one line on another. Zeros' long
    dash lay, dash for dash, under Small random's long dash-dot (same period, in step), and not one grey pixel
    showed; a uniform scheme's dash would have lain the same way under Constant's dash-dot. Each dashed line now
    shows at least a quarter of its length through any other, whichever is drawn on top."""
    dashes = sorted({scheme_dash(s) for s in initcore.SCHEMES} - {"solid"})
    for under, over in itertools.permutations(dashes, 2):
        length = np.lcm(sum(dash_lengths(under)), sum(dash_lengths(over)))  # both patterns, whole
        painted, covering = drawn(under, length), drawn(over, length)
        assert (painted & ~covering).sum() >= SHOWN * painted.sum(), (under, over)


def test_a_scheme_registered_as_the_readme_shows_gets_a_colour_every_eye_tells_apart(monkeypatch):
    """The README's one-line scheme (and two more like it) belongs to no family: each takes a spare colour of its own,
    where all had taken one dark grey, which protanopes and deuteranopes could not tell from LeCun's wine (ΔE 16.4)."""
    from initcore.schemes import variance_scaling
    from tests.test_readme import python_blocks

    line = python_blocks("### Add a scheme or an activation")[0].strip().rstrip(",")
    added = [eval(line, {"variance_scaling": variance_scaling}),
             variance_scaling("my_other", "My other", 0.7, "fan_out", "normal", verdict="."),
             variance_scaling("third_one", "Third", 2.5, "fan_avg", "normal", verdict=".")]
    monkeypatch.setattr(initcore, "SCHEMES", dict(initcore.SCHEMES) | {s.id: s for s in added})
    for simulation in SIMULATIONS:
        test_schemes_whose_lines_share_a_dash_differ_in_colour_for_every_eye(simulation)
    assert len({scheme_colour(s.id) for s in added}) == 3


def test_the_focus_ring_stands_out_from_everything_it_can_surround():
    """WCAG's 3:1 for a non-text mark, against the page, the sidebar and the theme's blue (a focused button or
    slider thumb is filled with it): the amber ring was 2.3:1 on white."""
    theme = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())["theme"]
    for around in (theme["backgroundColor"], theme["secondaryBackgroundColor"], theme["primaryColor"]):
        assert contrast(FOCUS_COLOUR, around) >= 3, around


def test_every_scheme_s_line_stands_3_to_1_on_the_page():
    """A line is the only mark of its scheme on most charts: WCAG's 3:1 for a non-text mark. Small random's sky blue
    and Constant's orange were 2.3:1 on white; they are drawn 13 to 14 % darker."""
    faint = {s: round(contrast(scheme_colour(s)), 2) for s in initcore.SCHEMES if contrast(scheme_colour(s)) < 3}
    assert faint == {}


def test_where_dashes_tell_layers_apart_every_scheme_wears_a_marker_of_its_own():
    """The lab's gradient chart draws the first layer solid and the output layer dotted, so a dash cannot tell its
    schemes apart: each scheme's lines carry a few markers of a shape no other scheme has (Zeros and He were
    ΔE 9.7 apart under deuteranopia, with nothing else between them), filled on the first layer, open on the
    output layer, in the legend too."""
    from ui import charts
    from ui.theme import scheme_symbol

    symbols = [scheme_symbol(scheme) for scheme in initcore.SCHEMES]
    assert len(set(symbols)) == len(symbols) and not any(s.endswith("-open") for s in symbols), symbols
    lab = initcore.compare(schemes=("zeros", "he_normal"), dataset="moons", depth=2, width=8, activation="relu",
                           lr=0.1, epochs=30)
    figure = charts.grad_norm_figure({s: run.history for s, run in lab.runs.items()})
    worn = [(line.legendgroup, line.marker.symbol, line.mode) for line in figure.data]
    assert worn == [("zeros", "circle", "lines+markers"), ("zeros", "circle-open", "lines+markers"),
                    ("he_normal", scheme_symbol("he_normal"), "lines+markers"),
                    ("he_normal", f"{scheme_symbol('he_normal')}-open", "lines+markers")], worn
    assert all(0 < line.marker.maxdisplayed <= 12 for line in figure.data)
