"""Every page runs under AppTest, reacts to its controls the way the lesson says, and shrugs off bad URLs."""

import json
import math
import random
import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import initcore
from initcore.propagation import MAX_ORTHOGONAL, view_batch
from ui import charts, controls, film, lessons, presets, theme, viewport
from ui.nav import LESSONS

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
TIMEOUT = 60


def open_page(page: str | None = None, *, home_first: bool = True, **query) -> AppTest:
    """``page`` (the home page when None or app.py) opened with ``query`` in its address: after a visit to the
    home page, or (not ``home_first``) as a link opens it in a fresh tab."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page and page != "app.py":
        if home_first:
            at.run()
        at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def numbers(array: list) -> np.ndarray:
    """An array as sent: a JSON list, nulls (gaps) as NaN."""
    return np.asarray(array, dtype=float)


def stated_number(text: str) -> float:
    """A number as the teaching text writes it, 0.0104, 10⁸ or 1.21 × 10⁻²⁹, read back."""
    text = text.replace("−", "-").removeprefix("(").removesuffix(")")  # ×(9.59 × 10⁻⁷⁹): a factor
    power = re.fullmatch(r"(-?)(?:(.+) × )?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    if not power:
        return float(text)
    exponent = int(power[3].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")))
    return (-1 if power[1] else 1) * float(power[2] or 1) * 10.0**exponent


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name") == name)


def test_the_home_page_s_caption_says_how_far_xavier_lets_a_tanh_net_fade():
    """Its panel falls ×0.03 over 20 layers (Signal propagation calls that "fades"): the caption gives that factor,
    where it once said Xavier held the net nearly level."""
    at = open_page()
    caption = next(c.value for c in at.caption if "Xavier keeps a tanh net" in c.value)
    values = initcore.simulate(depth=20, width=256, activation="tanh", scheme="xavier_normal").layers.pre_var
    assert f"it still fades ({theme.times(values.iloc[-1] / values.iloc[0])} from layer 1 to layer 20)" in caption
    assert "nearly level" not in caption and values.iloc[-1] / values.iloc[0] < 0.1


def test_the_home_page_s_caption_names_each_panel_s_fate_in_its_own_numbers():
    """Small weights vanish (×10⁻³¹ and ×10⁻³⁷, not "fade"); large ones overflow a ReLU net and pin a tanh net near
    2.5 × 10⁴ (not "blow it up"); constant weights overflow the ReLU net (not "look alive")."""
    at = open_page()
    caption = next(c.value for c in at.caption if "Each panel" in c.value)
    run = {(a, s): initcore.simulate(depth=20, width=256, activation=a, scheme=s)
           for a in ("tanh", "relu") for s in ("small_normal", "large_normal", "constant")}
    ratio = {key: r.layers.pre_var.iloc[-1] / r.layers.pre_var.iloc[0] for key, r in run.items()}
    small = theme.times(ratio["tanh", "small_normal"])
    assert f"Small weights make it vanish ({small} from layer 1 to layer 20" in caption
    assert f"{theme.times(ratio['relu', 'small_normal'])} in the ReLU net" in caption
    assert run["relu", "large_normal"].exploded_at and run["relu", "constant"].exploded_at
    assert f"pin a tanh net's near {theme.number(run['tanh', 'large_normal'].layers.pre_var.iloc[-1])}" in caption
    assert "in the ReLU net they overflow too" in caption and "small weights let it fade" not in caption


@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_runs_without_exception(page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_charts_are_sent_to_be_drawn_once(page):
    """No template, no Streamlit theme, no typed arrays in the data or layout, a datarevision: what makes
    Streamlit's second Plotly.react of a chart find nothing new (ui.figure.PlainFigure). (A film's frames are
    typed arrays: Plotly.react does not compare frames.)"""
    for chart in open_page(page).get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert chart.proto.theme == "" and "template" not in spec["layout"]
        drawn = json.dumps({"data": spec["data"], "layout": spec["layout"]})
        assert spec["layout"]["datarevision"] and '"bdata"' not in drawn


def font_colours(spec, inherited: str) -> list[str]:
    """The colour of every font in a figure's JSON, a font without one taking the layout's (``inherited``)."""
    if isinstance(spec, list):
        return [colour for item in spec for colour in font_colours(item, inherited)]
    if not isinstance(spec, dict):
        return []
    found = [spec[key].get("color", inherited) for key in ("font", "tickfont", "textfont")
             if isinstance(spec.get(key), dict)]
    return found + [colour for key, item in spec.items() if key != "hoverlabel"
                    for colour in font_colours(item, inherited)]


# Each page at its defaults, and views with more words on their charts: a signal that overflows beside one that
# fades, a lab whose runs diverge.
LEGIBILITY_VIEWS = [(page, {}) for page in [None, *PAGES]] + [
    ("pages/2_Signal_propagation.py", dict(depth="3", scheme="Large random", compare="Small random")),
    ("pages/4_Training_lab.py", dict(lr="5"))]


@pytest.mark.parametrize("page, query", LEGIBILITY_VIEWS)
def test_every_word_on_a_chart_is_dark_enough_to_read_on_a_projector(page, query):
    """WCAG's AA contrast for text, 4.5:1 against the chart's white, for ticks, titles, legends and notes alike:
    a projector washes pale words out first."""
    for figure in figures(open_page(page, **query)):
        layout = figure["layout"]
        pale = {colour for colour in font_colours(figure, layout["font"]["color"])
                if theme.contrast(colour, layout["paper_bgcolor"]) < theme.LEGIBLE}
        assert not pale, (layout["title"]["text"], pale)


def test_home_links_every_lesson():
    at = open_page()
    linked = {link.proto.page for link in at.get("page_link")}
    assert {Path(page).stem.split("_", 1)[1] for page in PAGES} <= linked, linked
    assert len(figures(at)) == 1


def forward_variance(at: AppTest, label: str) -> np.ndarray:
    return numbers(trace(figures(at)[0], label)["y"])


def geometric_ratio(values: np.ndarray) -> float:
    return float(np.exp(np.log(values[-1] / values[0]) / (len(values) - 1)))


def test_relu_he_is_flat_and_relu_xavier_halves():
    """The lesson: the same ReLU net holds its signal under He and halves it per layer under Xavier."""
    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal", depth="40")
    he = forward_variance(at, "He/Kaiming normal")
    assert len(he) == 40 and abs(np.log(geometric_ratio(he))) < 0.05
    at.selectbox(key="scheme").set_value("xavier_normal").run()
    xavier = forward_variance(at, "Xavier/Glorot normal")
    assert abs(np.log(geometric_ratio(xavier) / 0.5)) < 0.05
    assert at.warning and "forward: vanishes" in at.warning[0].value


def test_large_weights_say_where_the_signal_exploded():
    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="large_normal", width="256")
    assert at.error and "forward: explodes (exploded at layer" in at.error[0].value
    marker = next(t for t in figures(at)[0]["data"] if t.get("mode") == "markers+text")
    assert "exploded at layer" in marker["text"][0]


def test_compare_mode_overlays_schemes():
    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal",
                   compare=["xavier_normal", "small_normal"])
    names = {t.get("name") for t in figures(at)[0]["data"]}
    assert {"He/Kaiming normal", "Xavier/Glorot normal"} <= names
    assert "Small random: 0 from layer 40 on,<br>off the log scale" in names  # where its line stops, and why


@pytest.mark.parametrize("width, batch", [(256, 256), (1024, 64)])
def test_a_wide_network_is_measured_on_as_many_values_from_fewer_inputs(width, batch):
    """Every layer's variance comes from 256 × 256 values, so at width 1024 a quarter of the inputs do, and each of
    the 199 products costs a quarter. The page says how many, and the sampling error measured on the inputs, at layer
    1 and where it is largest: the units of one input share its length, and the ±0.55 % of independent values it had
    said was 2 to 12 times too small."""
    at = open_page("pages/2_Signal_propagation.py", width=str(width), activation="relu")
    assert view_batch(width) == batch
    run = initcore.simulate(depth=50, width=width, activation="relu", scheme="xavier_normal", batch=batch)
    errors = 100 * run.layers.pre_var_error.to_numpy()
    worst = int(np.nanargmax(errors))
    intro = next(m.value for m in at.markdown if "random inputs" in m.value)
    assert f"A batch of {batch} random inputs" in intro and f"{batch} × {width} values" in intro
    first, most = theme.number(errors[0], 2), theme.number(errors[worst], 2)
    assert f"sampling noise comes from how the {batch} inputs differ: measured on them, it is ±{first} % at layer 1 " \
           f"and up to ±{most} % at layer {worst + 1}." in intro
    assert errors[worst] > 2 * 100 * math.sqrt(2 / (batch * width))


def test_comparing_every_scheme_at_the_largest_size_says_what_the_budget_cost():
    """One request, one budget: every scheme compared at 100 × 1024 runs on the work of one view, so each gets
    fewer inputs and orthogonal is left out, and a sentence under the chart says both in plain words; at the
    default size the same comparison costs nothing and says nothing."""
    every = [s for s in initcore.SCHEMES if s != "he_normal"]
    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal", depth="100",
                   width="1024", compare=every)
    assert not at.exception
    note = next(c.value for c in at.caption if "budget" in c.value)
    assert re.search(rf"each network gets \d+ random inputs instead of {view_batch(1024)}", note)
    # the noise said is the chosen scheme's, measured: constant weights' copies (±52 %) had been said for all
    said = float(re.search(r"up to ±([\d.]+) % for He/Kaiming normal, measured", note).group(1))
    assert said < 10  # He's own with 22 inputs, about ±4 %
    assert "Orthogonal is left out" in note and "QR" in note and "At width 1024 they fit up to 12 layers" in note
    names = {t.get("name") for t in figures(at)[0]["data"]}
    assert {"He/Kaiming normal", "Large random", "Xavier/Glorot uniform"} <= names and "Orthogonal" not in names
    small = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal", compare=every)
    assert not any("budget" in c.value for c in small.caption)


@pytest.mark.parametrize("depth, widest", [(100, 512), (90, 530)])
def test_orthogonal_beyond_its_budget_draws_the_widest_that_fits_and_says_so(depth, widest):
    """Every value the sliders offer works: orthogonal at 100 × 1024 takes 8 times the QR decompositions one view may
    compute, and the page draws the widest layers that fit at that depth, in a sentence that says so, where it had
    drawn nothing but an error box. The width slider keeps the learner's 1024, which the other schemes draw."""
    at = open_page("pages/2_Signal_propagation.py", scheme="orthogonal", depth=str(depth), width="1024")
    assert not at.exception and not at.error and len(figures(at)) == 2
    said = next(w.value for w in at.warning if "QR decomposition" in w.value)
    assert said.startswith("Orthogonal weights need a QR decomposition of every layer")
    assert f"{depth} layers of 1024 units take " in said and f"draws them {widest} units wide" in said
    assert depth * widest**3 <= MAX_ORTHOGONAL < depth * (widest + 1) ** 3
    assert at.slider(key="width").value == 1024 and any(f"× {widest} values" in m.value for m in at.markdown)
    he = open_page("pages/2_Signal_propagation.py", scheme="he_normal", depth=str(depth), width="1024")
    assert not any("QR" in w.value for w in he.warning) and any("× 1024 values" in m.value for m in he.markdown)


def test_url_reproduces_the_view():
    query = dict(depth="12", width="64", activation="sigmoid", scheme="lecun_uniform", seed="7")
    first, second = open_page("pages/2_Signal_propagation.py", **query), open_page(
        "pages/2_Signal_propagation.py", **query)
    assert first.slider(key="depth").value == 12 and first.selectbox(key="scheme").value == "lecun_uniform"
    assert figures(first)[0] == figures(second)[0]


# Every value a select-type control can hold, for picking one by how the control writes it.
KNOWN_VALUES = ("", *presets.PRESETS, *(v for choices in controls.CHOICES.values() for v in choices),
                *controls.STD_CHOICES, *controls.LR_CHOICES)


CONTROL_KINDS = ("slider", "select_slider", "selectbox", "multiselect", "number_input", "toggle", "segmented_control")


def controls_on(at: AppTest) -> dict:
    """Each control on the page: its key and value."""
    return {w.key: w.value for kind in CONTROL_KINDS for w in at.get(kind)}


def shows(widget, value) -> bool:
    """Whether ``widget`` offers ``value`` (a ladder's formatter takes numbers only)."""
    try:
        return widget.format_func(value) in widget.options
    except (TypeError, ValueError):
        return False


def random_move(widget, rng: random.Random) -> bool:
    """Set ``widget`` to a random value, each of its ends as likely as all values between; False if the
    widget offers nothing to pick."""
    kind = type(widget).__name__
    if kind in ("Slider", "NumberInput"):
        low = widget.min if widget.min is not None else -1e6
        high = widget.max if widget.max is not None else 1e6
        value = rng.choice([low, high, rng.uniform(low, high)])
        widget.set_value(round(value) if isinstance(widget.value, int) else value)
    elif kind == "Toggle":
        widget.set_value(not widget.value)
    else:  # the select kinds show labels: map them back to the values they stand for
        values = [v for v in KNOWN_VALUES if shows(widget, v)]
        if not values:
            return False
        if kind == "Multiselect":
            widget.set_value(rng.sample(values, rng.randint(0, min(5, len(values)))))
        else:
            widget.set_value(rng.choice(values))
    return True


@pytest.mark.parametrize("page", PAGES)
def test_a_random_walk_through_the_controls_never_breaks_a_page(page):
    """Fifteen moves of random controls to random values, ends included, each followed by a run: never an
    exception, and never a warning (the tests turn warnings into errors, which a page shows as exceptions):
    an overflow is told on the page, not in the server's log."""
    rng = random.Random(page)
    at = open_page(page)
    for _ in range(15):
        widgets = [w for kind in CONTROL_KINDS for w in at.get(kind) if not w.disabled]
        if not widgets:
            break
        widget = rng.choice(widgets)
        if random_move(widget, rng):
            at.run()
            assert not at.exception, (widget.label, widget.value, at.exception[0].message)


def test_a_random_walk_across_lessons_never_breaks_a_page():
    """Thirty steps, each a random control moved or (one in three) another lesson opened: values carried from
    lesson to lesson, cut to each one's range, never raise or warn."""
    rng = random.Random(0)
    at = open_page()
    for _ in range(30):
        widgets = [w for kind in CONTROL_KINDS for w in at.get(kind) if not w.disabled]
        if not widgets or rng.random() < 1 / 3:  # the home page has no controls
            at.switch_page(rng.choice([page for page, *_ in LESSONS])).run()
        elif random_move(rng.choice(widgets), rng):
            at.run()
        assert not at.exception, at.exception[0].message


@pytest.mark.parametrize("query, expected_note", [
    (dict(depth="100000"), "using 100"),
    (dict(width="-3"), "using 2"),
    (dict(scheme="nope"), "not one of the choices"),
    (dict(depth="<script>alert(1)</script>"), "not a number"),
    (dict(std="inf", scheme="small_normal"), "std='inf' is not a finite number; using 0.01."),
    (dict(std="-1", scheme="small_normal"), "std='-1' is not a positive number; using 0.01."),
    (dict(seed="1e400"), "not a finite number"),
    (dict(depth="1e400"), "depth='1e400' is not a finite number; using 50."),
    (dict(depth="nan"), "is not a finite number"),
    (dict(seed="abc"), "seed='abc' is not a number; using 0."),
    (dict(seed="2.5"), "using"),
    (dict(depth="77.5"), "not a whole number; using 78"),  # halves away from 0, as a number input rounds
    (dict(depth="77.4"), "not a whole number; using 77"),
    (dict(compare=["he_normal", "__import__('os')"]), "compare=`__import__('os')` is not a choice here; left out"),
    (dict(compare=["xavier_normal", "he_normal"]),  # the page's own scheme (Xavier normal) is a scheme, not a stranger
     "compare=Xavier/Glorot normal is already chosen above, and not compared with itself; left out."),
    (dict(depth=["10", "20"]), "Link gives depth 2 values (10, 20); using the last."),
    (dict(depth=["10", "999"]), "using the last. Link value depth=999 is outside 1–100; using 100."),
    (dict(log_axis="nope"), "log_axis='nope' is not 1 or 0 (nor on or off, yes or no, true or false); left off."),
    (dict(view="Nope"), "view='Nope' is not one of the tabs; showing Activations."),
    (dict(depth="5" * 114), f"depth={'5' * 40}… is outside 1–100; using 100."),  # cut, and says so
    (dict(seed="x" * 60), f"seed='{'x' * 40}…' is not a number"),
])
def test_hostile_urls_give_a_note_not_a_traceback(query, expected_note):
    at = open_page("pages/2_Signal_propagation.py", **query)
    assert not at.exception
    said = [w for w in at.warning if expected_note in w.value]
    assert said and said[0].icon == controls.LINKED, [w.value for w in at.warning]


@pytest.mark.parametrize("query, corrected, noted", [
    (dict(depth="100000"), dict(depth="100"), True),
    (dict(depth="77.5"), dict(depth="78"), True),  # halves away from 0, as the seed box rounds
    (dict(seed="2.5"), dict(seed="3"), True),  # as the seed box shows it, under the format %.0f
    (dict(scheme="orthogonal", gain="1000"), dict(scheme="Orthogonal", gain="10"), True),
    (dict(scheme="small_normal", std="0.02"), dict(scheme="Small random", std="0.03"), True),
    (dict(scheme="constant", value="0.12345"), dict(scheme="Constant", value="0.12345"), False),
    (dict(scheme="small_normal", std="3e-2"), dict(scheme="Small random", std="0.03"), False),  # on the scale
    (dict(scheme="he_normal"), dict(scheme="He/Kaiming normal"), False),  # an id is a fine way to write a choice
    (dict(compare=["he_normal", "nope", "He/Kaiming normal"]), dict(compare="He/Kaiming normal"), True),
    (dict(scheme="variance_scaling", mode="fan_out", distribution="uniform"),  # "uniform" is id and label alike
     dict(scheme="Custom variance scaling", mode="fan-out", distribution="uniform"), False),
    (dict(depth=["10", "20"], activation=["Tanh", "ReLU"]), dict(depth="20", activation="ReLU"), True),
    (dict(log_axis="1", view="Gradients"), dict(log_axis="true", view="Gradients"), False),
    (dict(activation="RELU", view="gradients", compare=["HE_NORMAL"]),  # names in another case
     dict(activation="ReLU", view="Gradients", compare="He/Kaiming normal"), False),
    (dict(scheme="variance_scaling", mode=" Fan-Out "), dict(scheme="Custom variance scaling", mode="fan-out"), False),
    (dict(log_axis="maybe", view="Nope"), dict(), False),  # both noted beside their controls, not in the sidebar
    (dict(depth="\u0663\u0660", width=" 64 "), dict(depth="30", width="64"), False),  # Arabic-Indic ٣٠, and spaces
])
def test_a_corrected_link_value_goes_back_into_the_address_bar(query, corrected, noted):
    """What the page takes is what the URL then says, so a copied address bar reproduces the view; a second
    visitor opening it finds nothing to correct."""
    first = open_page("pages/2_Signal_propagation.py", **query)
    assert not first.exception and dict(first.query_params) == corrected
    assert bool(first.sidebar.warning) == noted
    second = open_page("pages/2_Signal_propagation.py", **corrected)
    assert not second.sidebar.warning and figures(second) == figures(first)


LINK_NOTE = ":material/link:"  # the icon of the notes about a link's values
NUMBERS = ["", "abc", "1e400", "nan", "-5", "0.5", "7.5", "99999", "1e1"]
SCHEME_TEXTS = ["nope", "he_normal", "He/Kaiming normal", "small_normal", "<script>", "variance_scaling"]
HOSTILE = dict(
    depth=NUMBERS, width=NUMBERS, epochs=NUMBERS, fan_in=NUMBERS, fan_out=NUMBERS, seed=NUMBERS, value=NUMBERS,
    scale=NUMBERS, std=NUMBERS, std_small=NUMBERS, lr=NUMBERS,
    activation=["relu", "ReLU", "x", "", "GELU (tanh form)"], scheme=SCHEME_TEXTS,
    dataset=["xor", "Circles", "?"], mode=["fan_out", "average", "sideways"], distribution=["uniform", "cubic"],
    compare=[["he_normal", "x", "He/Kaiming normal"], ["zeros"], [""]],
    schemes=[["he_normal", "zeros", "zeros"], ["x"], ["Xavier/Glorot normal"]],
    kernel=NUMBERS, c_in=NUMBERS, c_out=NUMBERS, conv=["1d", "2-D", "3d"],  # Choosing's conv calculator
    log_axis=["1", "nope", "false"], film_log=["yes", "maybe"], view=["Nope", "Gradients"],  # switches and tabs
    classic=["nope", "he_2015", ""],  # a classic the lesson has not, one of Signal propagation's, none
    frame=NUMBERS, snapshots=NUMBERS,  # the lab's values with no control: the film's first frame, its snapshots
)


def hostile_link(page: str, k: int) -> dict:
    """The k-th hostile link for ``page``: every control name with one of its bad (or good) values, in turn.
    The Training lab gets no huge numbers (they are clamped to its largest, slowest network)."""
    link = {}
    for j, (name, values) in enumerate(HOSTILE.items()):
        usable = [v for v in values if not ("Training" in page and v == "99999")]
        link[name] = usable[(3 * k + j) % len(usable)]
    return link


@pytest.mark.parametrize("k", range(3))
@pytest.mark.parametrize("page", [p for p in PAGES if "classics" not in p])
def test_any_link_settles_on_a_link_with_nothing_to_correct(page, k):
    """Whatever a link holds, the page opens without a traceback, and the address bar it leaves is a fixed
    point: opened again, it shows the same view with no note."""
    first = open_page(page, **hostile_link(page, k))
    assert not first.exception
    settled = dict(first.query_params)
    second = open_page(page, **settled)
    assert not second.exception and [note.value for note in second.warning if note.icon == LINK_NOTE] == []
    assert dict(second.query_params) == settled and figures(second) == figures(first)


def test_a_link_to_a_classic_the_lesson_has_not_says_so_until_one_is_picked():
    """Every other link value the page cannot take gets a note; so does a classic it does not have. The address
    drops it, and the note goes once a classic is picked from the box."""
    at = open_page("pages/8_Deep_networks_in_practice.py", classic="nope")
    said = [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE]
    assert not at.exception
    assert said == ["Link value classic='nope' is not one of this lesson's classics; showing none."]
    assert "classic" not in at.query_params and not at.info  # no story
    at.selectbox(key="preset").set_value("rezero").run()
    assert not [w for w in at.sidebar.warning if w.icon == LINK_NOTE] and at.info


def test_a_link_naming_several_classics_opens_the_last_and_says_so():
    """A link that names two classics (a hand-edited address) opens the last, as a control takes the last of a
    link's several values, with the same note; the note is said once, and the address then names one classic."""
    first, last = (presets.PRESETS[k]["label"] for k in ("rezero", "gpt2"))
    at = open_page("pages/8_Deep_networks_in_practice.py", classic=[first, last])
    said = [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE]
    assert not at.exception and at.selectbox(key="preset").value == "gpt2"
    assert said == [f"Link gives classic 2 values ({controls.quoted(first)}, {controls.quoted(last)}); using the last."]
    assert at.query_params["classic"] in (last, [last]) and presets.PRESETS["gpt2"]["story"] in at.info[0].value
    at.run()
    assert not [w for w in at.sidebar.warning if w.icon == LINK_NOTE]


def test_a_note_on_a_classic_stays_with_its_lesson():
    """The note on a classic the lesson has not is that lesson's: the learner who goes on to another lesson
    does not find it there."""
    at = open_page("pages/8_Deep_networks_in_practice.py", classic="nope")
    assert [w for w in at.sidebar.warning if w.icon == LINK_NOTE]
    at.switch_page("pages/2_Signal_propagation.py").run()
    assert not at.exception and not [w for w in at.sidebar.warning if w.icon == LINK_NOTE]


@pytest.mark.parametrize("page, query, other", [
    ("pages/2_Signal_propagation.py", dict(depth=["3", "7"]), "pages/8_Deep_networks_in_practice.py"),
    ("pages/2_Signal_propagation.py", dict(compare="foo"), "pages/8_Deep_networks_in_practice.py"),
    ("pages/3_Symmetry.py", dict(activation="foo"), "pages/7_Order_and_chaos.py"),
    ("pages/1_Weight_distributions.py", dict(seed="abc"), "pages/3_Symmetry.py"),
])
def test_a_link_note_stays_with_the_lesson_the_link_opened(page, query, other):
    """Lessons share control names, not links: a note on a link's depth, activation or seed is not said again
    beside the control of the same name in the next lesson, where it may not even hold (depth 7 there is 20)."""
    at = open_page(page, **query)
    assert [w for w in at.sidebar.warning if w.icon == LINK_NOTE]
    at.switch_page(other).run()
    assert not at.exception and not [w.value for w in at.warning if w.icon == LINK_NOTE]


def test_a_link_note_stays_until_its_own_control_moves():
    at = open_page("pages/2_Signal_propagation.py", depth="500", width="1")
    notes = lambda: [w.value for w in at.sidebar.warning]  # noqa: E731
    assert len(notes()) == 2
    at.slider(key="width").set_value(128).run()
    assert len(notes()) == 1 and "depth=500" in notes()[0]
    at.slider(key="depth").set_value(60).run()
    at.slider(key="depth").set_value(100).run()  # back on the value the note named: the note is gone for good
    assert notes() == []


def test_a_fractional_depth_in_a_link_is_noted_as_the_slider_takes_it():
    """77.5 is rounded as a whole-number input rounds it, halves away from 0, and the address says 78: the slider
    and the note say the same number."""
    at = open_page("pages/2_Signal_propagation.py", depth="77.5")
    assert at.slider(key="depth").value == 78 and any("using 78." in w.value for w in at.warning)
    assert at.query_params["depth"] == "78"


def test_a_link_that_names_no_scheme_to_train_gets_the_lab_s_own_with_a_note():
    at = open_page("pages/4_Training_lab.py", schemes="", depth="2", width="8", epochs="10")
    said = [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE]
    assert not at.exception and len(said) == 1
    assert said[0].startswith("Link value schemes= names no choice; using Zeros")
    assert at.multiselect(key="schemes").value == list(initcore.LAB_SCHEMES)


def test_a_link_that_names_only_schemes_the_lab_does_not_have_gets_its_own_and_keeps_the_note():
    """schemes=foo leaves nothing known: the lab trains its own five, says so, and the note stays through the page's
    next runs (a lab that trains longer than a moment runs again when its runs are done, and the note had gone:
    it named no scheme, where the box held five)."""
    at = open_page("pages/4_Training_lab.py", schemes="foo", depth="2", width="8", epochs="10")
    for _ in range(2):
        said = [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE]
        assert not at.exception and said == ["Link value schemes=foo is not a choice here; left out. Using Zeros, "
                                             "Small random, Large random, Xavier/Glorot normal, He/Kaiming normal."]
        assert at.multiselect(key="schemes").value == list(initcore.LAB_SCHEMES)
        at.run()


def test_training_lab_hostile_lr():
    at = open_page("pages/4_Training_lab.py", lr="inf", epochs="10")
    assert not at.exception and any("lr='inf' is not a finite number; using 0.1." in w.value for w in at.warning)


def test_an_epoch_count_off_the_labs_steps_is_put_on_one_with_a_note_that_stays():
    """The epochs slider moves in steps of 10: a link's 55 becomes 60 (halves away from 0, as 77.5 layers become
    78), the address says so, and the note says why, after the training as before it."""
    at = open_page("pages/4_Training_lab.py", epochs="55", schemes="he_normal", depth="2", width="8")
    assert not at.exception and at.slider(key="epochs").value == 60 and at.query_params["epochs"] == "60"
    said = "Link value epochs=55 is not on this control's steps of 10; using 60."
    assert [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE] == [said]
    at.run()
    assert [w.value for w in at.sidebar.warning if w.icon == LINK_NOTE] == [said]


def film_of(at: AppTest) -> dict:
    return next(f for f in figures(at) if f["layout"].get("sliders"))


@pytest.mark.parametrize("query, note, active, frames", [
    (dict(frame="20"), None, 20, 41),
    (dict(frame="999"), "Link value frame=999 is outside 0–40; using 40.", 40, 41),
    (dict(frame="-3"), "Link value frame=-3 is outside 0–40; using 0.", 0, 41),
    (dict(frame="abc"), "Link value frame='abc' is not a number; using 0.", 0, 41),
    (dict(snapshots="10", frame="5"), None, 5, 11),
    (dict(snapshots="-4"), "Link value snapshots=-4 is outside 1–40; using 1.", 0, 2),
    (dict(snapshots="1e400"), "Link value snapshots='1e400' is not a finite number; using 40.", 0, 41),
])
def test_a_link_opens_the_film_at_a_frame_with_as_many_snapshots_as_it_asks(query, note, active, frames):
    """Two values only a link sets, with no control: the frame the film opens at, and how many snapshots each run
    records after epoch 0. Out of range, they are clamped; not numbers, they are the defaults; each with a note,
    and the address says what the page took."""
    at = open_page("pages/4_Training_lab.py", schemes="he_normal", depth="2", width="8", epochs="40", **query)
    film = film_of(at)
    assert not at.exception and film["layout"]["sliders"][0]["active"] == active and len(film["frames"]) == frames
    said = [w.value for w in at.warning if w.icon == LINK_NOTE]
    assert said == ([note] if note else [])
    settled = dict(at.query_params)
    again = open_page("pages/4_Training_lab.py", **settled)
    assert not [w for w in again.warning if w.icon == LINK_NOTE] and film_of(again) == film


@pytest.mark.parametrize("change", [("slider", "epochs", 10), ("toggle", "film_log", True),
                                    ("multiselect", "schemes", ["he_normal", "xavier_normal"])])
def test_a_link_s_frame_is_where_that_film_opens_and_leaves_with_it(change):
    """``frame`` places the film a link opens: once the learner changes the lab, the film is another one (its
    frames other epochs: a log axis keeps fewer of them), so the address drops it, without a note. It had stayed,
    and moving the epochs to 10 said "Link value frame=40 is outside 0–10", of a link the learner never typed."""
    kind, key, value = change
    at = open_page("pages/4_Training_lab.py", schemes="he_normal", depth="2", width="8", epochs="40", frame="40")
    assert film_of(at)["layout"]["sliders"][0]["active"] == 40 and at.query_params["frame"] == "40"
    getattr(at, kind)(key=key).set_value(value).run()
    film = film_of(at)
    assert not at.exception and "frame" not in at.query_params and film["layout"]["sliders"][0]["active"] == 0
    assert not [w.value for w in at.warning if w.icon == LINK_NOTE]
    at.run()  # and it does not come back
    assert "frame" not in at.query_params and film_of(at)["layout"]["sliders"][0]["active"] == 0


@pytest.mark.parametrize("named", ["he_2015", "He et al. 2015"])
def test_a_link_that_names_a_classic_alone_opens_it(named):
    """A teacher who types the classic's name (or its id) into a link gets the classic, its settings and its story,
    as a pick in the box gives them; the address then holds what the box writes."""
    at = open_page("pages/2_Signal_propagation.py", classic=named)
    picked = open_page("pages/2_Signal_propagation.py")
    picked.selectbox(key="preset").set_value("he_2015").run()
    story = presets.PRESETS["he_2015"]["story"]
    assert not at.exception and story in [box.value for box in at.info]
    assert dict(at.query_params) == dict(picked.query_params) and figures(at) == figures(picked)


def test_a_link_that_names_a_classic_but_changes_its_settings_gets_no_story():
    """The classic's other settings are taken (ReLU, Xavier against He), the link's own depth stands, and a note
    says why the story is not told; it had silently opened the lesson's defaults at that depth."""
    at = open_page("pages/2_Signal_propagation.py", classic="He et al. 2015", depth="7")
    assert not at.exception and at.slider(key="depth").value == 7
    assert presets.PRESETS["he_2015"]["story"] not in [box.value for box in at.info]
    settings = presets.PRESETS["he_2015"]["settings"]
    for key, value in settings.items():
        if key != "depth":
            assert at.session_state[key] == value, key
    note = [w.value for w in at.warning if "names the classic He et al. 2015" in w.value]
    assert len(note) == 1 and f"about depth={settings['depth']}" in note[0]
    at.slider(key="width").set_value(128).run()
    assert [w.value for w in at.warning if "names the classic" in w.value] == note  # said until a classic is picked
    at.selectbox(key="preset").set_value("he_2015").run()
    assert not [w for w in at.warning if "names the classic" in w.value]


def test_training_lab_shows_zeros_at_ln2():
    at = open_page("pages/4_Training_lab.py", schemes=["zeros", "he_normal"], epochs="20")
    loss = numbers(trace(figures(at)[0], "Zeros")["y"])
    np.testing.assert_allclose(loss, np.log(2), atol=1e-3)


def test_preset_sets_every_control():
    at = open_page("pages/2_Signal_propagation.py")
    at.selectbox(key="preset").set_value("he_2015").run()
    assert at.slider(key="depth").value == 30 and at.selectbox(key="activation").value == "relu"
    assert at.multiselect(key="compare").value == ["xavier_normal"]
    assert at.info and "Xavier halves" in at.info[0].value


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_classic_sets_the_whole_view(key):
    """After a session of its own (schemes compared, the log axis on, σ and the seed moved, other schemes trained),
    a classic sets every control it names and every other one back to its default: CS231n shows its one curve,
    not four."""
    preset = presets.PRESETS[key]
    at = open_page(preset["page"])
    fresh = controls_on(at)
    if preset["page"] == presets.PROPAGATION:
        at.selectbox(key="scheme").set_value("small_normal").run()
        at.select_slider(key="std").set_value(3.0).run()
        at.multiselect(key="compare").set_value(["he_normal", "zeros", "xavier_uniform"]).run()
        at.toggle(key="log_axis").set_value(True).run()
    elif preset["page"] == presets.DEEP:
        at.selectbox(key="scheme").set_value("small_normal").run()
        at.select_slider(key="std").set_value(3.0).run()
        at.multiselect(key="compare").set_value(["xavier_uniform"]).run()
        at.selectbox(key="norm").set_value("batch").run()
        at.selectbox(key="shape").set_value("bottleneck").run()
    else:
        at.multiselect(key="schemes").set_value(["large_normal"]).run()
        at.select_slider(key="lr").set_value(0.003).run()
    at.number_input(key="seed").set_value(9).run()
    at.selectbox(key="preset").set_value(key).run()
    shown = controls_on(at)
    assert shown.pop("preset") == key
    for control, value in shown.items():
        expected = preset["settings"].get(control, fresh.get(control, value))
        assert value == (pytest.approx(expected) if isinstance(expected, float) else expected), control
    assert not at.exception and at.info[0].value == preset["story"]


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_classic_s_link_opens_its_lesson_with_its_story(key):
    """A classic's link on Reproduce the classics, named by it: the lesson opens with the classic chosen and its story
    box, as when it is picked there. A link naming the classic but with one of its settings changed gets no story."""
    preset = presets.PRESETS[key]
    at = open_page("pages/6_Reproduce_the_classics.py")
    link = next(link for link in at.get("page_link") if parse_qs(link.proto.query_string).get("classic") ==
                [preset["label"]])
    assert link.proto.label == f"Open {preset['label']}"  # a screen reader's list of links tells them apart
    opened = open_page(preset["page"], **parse_qs(link.proto.query_string))
    assert not opened.exception and opened.selectbox(key="preset").value == key
    assert opened.info[0].value == preset["story"]
    other = next(a for a in initcore.ACTIVATIONS if a != preset["settings"]["activation"])
    changed = parse_qs(link.proto.query_string) | {"activation": [initcore.ACTIVATIONS[other].label]}
    moved = open_page(preset["page"], **changed)
    assert not moved.exception and moved.selectbox(key="preset").value == "" and preset["story"] not in [
        info.value for info in moved.info]


@pytest.mark.parametrize("key, control, value", [("cs231n_small", "bias_std", 1.0), ("he_2015", "shape", "funnel"),
                                                ("he_2015_training", "shape", "funnel")])
def test_a_classic_holds_every_control_of_its_lesson(key, control, value):
    """CS231n's fading signal under biases of σ 1 settles near σ_b² ("steady ×0.895"), and He et al.'s story of a
    square network is not a funnel's: a classic sets every control its lesson has, so that moving one it had left
    alone drops its story too (its settings had named only the controls it changes)."""
    preset = presets.PRESETS[key]
    at = open_page(preset["page"])
    at.selectbox(key="preset").set_value(key).run()
    assert at.info[0].value == preset["story"] and control in preset["settings"]
    widget = at.slider(key=control) if control == "bias_std" else at.selectbox(key=control)
    widget.set_value(value).run()
    assert not at.exception and at.selectbox(key="preset").value == ""
    assert preset["story"] not in [info.value for info in at.info]


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_classic_keeps_its_story_until_one_of_its_settings_moves(key):
    """The story says what the classic's settings show; moved off them, it could say the opposite of the chart
    (CS231n's fading signal under He weights is healthy), so the selector goes back to '—'. A setting the classic
    leaves open (the seed) keeps it."""
    preset = presets.PRESETS[key]
    at = open_page(preset["page"])
    at.selectbox(key="preset").set_value(key).run()
    assert at.selectbox(key="preset").value == key and at.info[0].value == preset["story"]
    at.number_input(key="seed").set_value(7).run()
    assert at.selectbox(key="preset").value == key and at.info[0].value == preset["story"]
    other = next(a for a in initcore.ACTIVATIONS if a != preset["settings"]["activation"])
    at.selectbox(key="activation").set_value(other).run()
    assert not at.exception and at.selectbox(key="preset").value == ""
    assert preset["story"] not in [info.value for info in at.info]


def test_symmetry_page_reports_one_distinct_unit_for_constant():
    at = open_page("pages/3_Symmetry.py", scheme="constant")
    assert at.metric[1].value.startswith("1 of")
    at.selectbox(key="scheme").set_value("he_normal").run()
    assert not at.metric[1].value.startswith("1 of")


@pytest.mark.parametrize("query, kind, words", [
    (dict(scheme="constant"), "error", "Symmetry never broke"),
    (dict(scheme="he_normal"), "success", "different from one another"),
    # some random ReLU units off: all at 0, they count as one distinct unit between them; those off from the start
    # were not switched off by training
    (dict(scheme="he_normal", width="32", activation="ReLU"), "info",
     "only 30 of the 32 units are different after training. 3 units are off, 3 of them from the start"),
    (dict(scheme="large_normal", activation="ReLU"), "warning", "only 3 of the 12 units are different after "
     "training. 10 units are off: training switched 9 off, and 1 was off from the start"),
    (dict(scheme="small_normal", width="32", activation="ReLU"), "info", "8 units are off: training switched 5 off, "
     "and 3 were off from the start"),
    # random units that training switched off, all at 0: alike, but not a symmetry that never broke
    (dict(scheme="large_normal", std="100", activation="ReLU"), "warning", "output 0 on every example: switched off"),
    (dict(scheme="large_normal", std="10", activation="SELU"), "warning", "output −1.76 on every example: stuck"),
    # a diverged run's units are NaN: none computes anything, none is "different"
    (dict(scheme="large_normal", std="10", activation="Linear (identity)"), "error", "Training diverged at epoch 2"),
    # not diverged yet, but on its way: the weights' growth is said, and different units are no success then
    (dict(value="10", activation="Linear (identity)", epochs="1"), "error",
     "never broke: every unit in the layer is still a copy of the others. Training also blew the weights up: "
     "the largest grew ×"),
    (dict(scheme="large_normal", std="10", activation="Linear (identity)", epochs="1"), "warning",
     "each can learn its own feature. Training also blew the weights up"),
])
def test_symmetry_page_says_why_units_are_alike(query, kind, words):
    at = open_page("pages/3_Symmetry.py", **query)
    said = {"error": at.error, "warning": at.warning, "info": at.info, "success": at.success}[kind]
    assert not at.exception and any(words in element.value for element in said), [e.value for e in said]
    assert not any("(×(" in element.value for element in said)  # a factor ×(6.05 × 10⁶) in brackets of its own
    if "diverged" in words:  # no unit computes a number: "0 of 12" distinct would read as a count of copies
        assert at.metric[1].value == "— (diverged)"


@pytest.mark.parametrize("scheme, std", [("small_normal", "0.01"), ("large_normal", "10")])
def test_units_off_from_the_start_are_not_said_to_be_switched_off_by_training(scheme, std):
    """Layer 2's units that output 0 on every training example, counted on the weights before and after training
    (biases start at 0): training switched off only those that were not off from the start (Small random: 8 off
    after, 3 of them before; it had said that training switched 8 off)."""
    run = initcore.train(dataset="moons", depth=2, width=32, activation="relu", scheme=scheme, std=float(std),
                         epochs=50, lr=0.5, seed=0)
    X = run.data["X_train"]
    before = np.maximum(np.maximum(X @ run.initial_weights[0], 0) @ run.initial_weights[1], 0)
    after = run.model.forward(X)[1][2]
    off_before, off_after = (int(np.count_nonzero(~np.any(a, axis=0))) for a in (before, after))
    assert 0 < off_before < off_after
    at = open_page("pages/3_Symmetry.py", scheme=scheme, std=std, activation="ReLU", width="32")
    said = " ".join(e.value for e in [*at.info, *at.warning])
    assert (f"{off_after} units are off: training switched {off_after - off_before} off, and {off_before} "
            f"{'was' if off_before == 1 else 'were'} off from the start") in said


def test_a_diverged_run_says_whether_its_units_still_compute():
    from ui.lessons import symmetry_verdict

    finite = np.random.default_rng(0).standard_normal((20, 4))
    kind, sentence = symmetry_verdict(4, 4, 4, 3, finite)  # the loss overflowed, this layer did not
    assert kind == "error" and "epoch 3" in sentence and "no unit" not in sentence
    assert "no unit of this layer" in symmetry_verdict(4, 0, 4, 3, np.full((20, 4), np.nan))[1]
    # what overflowed, where the run says so: a gradient that overflowed is no loss that did
    assert "the loss overflowed to inf/NaN" in symmetry_verdict(4, 4, 4, 3, finite, overflowed="loss")[1]
    gradient = symmetry_verdict(4, 4, 4, 3, finite, overflowed="gradient")[1]
    assert "the gradient overflowed to inf/NaN while the loss was still a number" in gradient and "loss overflowed" \
        not in gradient


def test_units_that_were_copies_before_training_are_not_said_to_have_ended_up_so():
    """Two live units alike before training and after it (31 of 32 distinct both times): the sentence does not say
    training made one copy the other. Units stuck by small weights are not blamed on large ones."""
    from ui.lessons import symmetry_verdict

    outputs = np.random.default_rng(0).standard_normal((20, 32))
    outputs[:, 1] = outputs[:, 0]
    sentence = symmetry_verdict(31, 31, 32, None, outputs)[1]
    assert "1 other unit copies another one, as 1 already did before training." in sentence
    assert "ended up" not in sentence
    assert "1 other unit ended up copying another one." in symmetry_verdict(32, 31, 32, None, outputs)[1]
    stuck = symmetry_verdict(2, 1, 2, None, np.full((20, 2), 0.25))[1]
    assert "Large starting weights or a large learning rate make such big steps likely." in stuck


def test_the_lab_s_runs_report_each_epoch_and_the_page_draws_what_has_come_in():
    """A lab run started as the page starts it reports every epoch's history row as it ends; while runs train,
    ``so_far`` holds each begun run's epochs (a finished one's whole history), the ones still training, and the
    share of all the epochs done, which a progress bar shows."""
    from concurrent.futures import Future

    import pandas as pd

    from ui import jobs, runs

    settings = dict(dataset="moons", depth=3, width=16, activation="relu", lr=0.1, epochs=10, seed=5)
    started = runs.start(["he_normal"], settings, snapshots=4)
    assert jobs.wait(started.values(), patience=120)
    he = started["he_normal"]
    assert pd.DataFrame(he.reported).equals(he.result()["history"])
    lab = runs.so_far({"he_normal": he, "xavier_normal": jobs.Job(Future(), he.reported[:3]),
                       "zeros": jobs.Job(Future())}, epochs=10)
    assert list(lab["histories"]) == ["he_normal", "xavier_normal"] and lab["training"] == ["xavier_normal"]
    assert len(lab["histories"]["xavier_normal"]) == 3 and lab["diverged"] == {"he_normal": None}
    assert lab["done"] == (11 + 3) / 33


def test_the_sweep_trains_a_column_a_job_and_the_page_draws_each_column_as_it_is_done():
    """The lab's sweep is a job per learning rate, each at the whole sweep's epochs: the columns together are
    ``initcore.lr_sweep``'s table to the bit. While some train, the table so far marks their cells ``training``, and
    the heatmap leaves them blank with "…" and says how many rates are still training."""
    from concurrent.futures import Future

    import pandas as pd

    from ui import charts, jobs, runs
    from ui.figure import alt_text

    schemes = ["zeros", "he_normal"]
    settings = dict(dataset="xor", depth=3, width=16, activation="relu", lr=0.1, epochs=300, seed=4)
    started, epochs = runs.start_sweep(schemes, settings)
    assert list(started) == list(initcore.SWEEP_LRS) and jobs.wait(started.values(), patience=120)
    whole = initcore.lr_sweep(schemes=schemes, **{k: v for k, v in settings.items() if k != "lr"})
    done = runs.sweep_so_far(started, schemes, epochs)
    assert not done.training.any() and (whole.epochs == epochs).all()
    pd.testing.assert_frame_equal(done.drop(columns="training"), whole, check_exact=True)
    partly = dict(started) | {lr: jobs.Job(Future()) for lr in initcore.SWEEP_LRS[5:]}
    table = runs.sweep_so_far(partly, schemes, epochs)
    assert list(table.training) == [False] * 10 + [True] * 6 and table[table.training].final_loss.isna().all()
    spec = json.loads(charts.sweep_figure(table).to_json())
    cells = spec["data"][1]["text"]
    assert all(row[5:] == ["…"] * 3 and "…" not in row[:5] for row in cells)
    assert spec["data"][1]["customdata"][0][-1] == "still training"
    assert "…: still training" in spec["layout"]["title"]["subtitle"]["text"]
    told = alt_text(charts.sweep_figure(table))
    assert "…: still training). Still training at 3 of 8 learning rates; Zeros: trains at none of the 5 done so " \
           "far; He/Kaiming normal: trains at " in told and "of the 5 done so far (" in told
    assert "still training" not in alt_text(charts.sweep_figure(done))


def test_the_advice_names_what_overflowed_in_a_run_that_diverged():
    """GELU, 10 layers of 16 at learning rate 3: He's loss is still a number (about 10^270) where its gradient
    overflows at epoch 1. The advice says that, not that the loss overflowed."""
    from ui import advice, runs

    settings = dict(dataset="moons", depth=10, width=16, activation="gelu", lr=3.0, epochs=20, seed=0)
    lab = runs.gather({"he_normal": runs.train("he_normal", settings)})
    said = advice.advise(lab["summary"], settings, ["he_normal"])[0].why
    assert said.startswith("For **He/Kaiming normal**, at epoch 1 the gradient overflowed to inf/NaN while the loss "
                           "was still a number: a learning rate of 3 is too large"), said


@pytest.mark.parametrize("depth, width, lr", [(30, 64, 0.001), (10, 32, 0.1)])
def test_weights_that_blow_the_output_up_before_any_step_are_blamed_not_the_learning_rate(depth, width, lr):
    """He under linear layers doubles the signal's variance at every layer: at 30 × 64 its loss is 7,500 before any
    step, and it overflows at the smallest learning rate the lab offers. The advice says He does not suit linear
    layers (the signal grows, and the gradient with it), not that the learning rate is too large."""
    from ui import advice, runs

    settings = dict(dataset="moons", depth=depth, width=width, activation="linear", lr=lr, epochs=30, seed=0)
    lab = runs.gather({"he_normal": runs.train("he_normal", settings)})
    (said,) = advice.advise(lab["summary"], settings, ["he_normal"])
    assert said.why.startswith("**He/Kaiming normal** does not suit Linear (identity): theory says it takes the "
                               "signal's variance ×"), said.why
    assert "the gradient that reaches the first layers grows as much" in said.why and "too large" not in said.why
    assert "Before any step its loss is already" in said.why and "overflowed" in said.why


def test_steps_that_shot_the_loss_up_before_it_settled_near_ln_2_are_told_they_overshoot():
    """Xor at learning rate 3: He's loss shoots up to about 10²⁰ and settles back near ln 2 without overflowing. It
    does not stall with a gradient "noisy and small": its steps overshoot."""
    from ui import advice, runs

    settings = dict(dataset="xor", depth=5, width=32, activation="relu", lr=3.0, epochs=20, seed=0)
    lab = runs.gather({"he_normal": runs.train("he_normal", settings)})
    (said,) = advice.advise(lab["summary"], settings, ["he_normal"])
    assert "stall" not in said.why and "small" not in said.why, said.why
    assert "nothing overflowed, but the loss went far above a coin flip's ln 2 = 0.693: it shot up to " in said.why
    assert " and ended at 0.733. A learning" in said.why and "overshoot" in said.why, said.why  # near ln 2
    assert said.fix is None or said.fix.get("lr", 3.0) < 3.0, said


def test_sigmoid_s_advice_says_what_each_formula_assumes_and_how_fast_each_loses_the_gradient():
    """He's formula assumes ReLU, not an activation like tanh; with its √2 larger weights the gradient under sigmoid
    shrinks at least 2.8-fold a layer, Xavier's at least 4-fold."""
    from ui import advice

    summary = pd.DataFrame(dict(scheme=["xavier_normal", "he_normal"], final_loss=[0.6931, 0.6932],
                                initial_loss=[0.7, 0.7], peak_loss=[0.7, 0.7], diverged_epoch=[np.nan, np.nan]))
    settings = dict(dataset="moons", depth=5, width=32, activation="sigmoid", lr=0.1, epochs=10, seed=0)
    (said,) = advice.advise(summary, settings, ["xavier_normal", "he_normal"])
    assert "Xavier's formula assumes an activation centred on 0 with slope 1 there, like tanh; He's assumes ReLU" \
        in said.why, said.why
    assert "at least 4-fold a layer with Xavier/Glorot normal's and at least 2.8-fold with He/Kaiming normal's " \
           "weights" in said.why, said.why


def test_a_run_whose_loss_blew_up_without_overflowing_is_not_told_it_stalls_and_keeps_its_accuracy():
    """SELU, 2 layers of 16 at learning rate 3: Xavier's and He's losses end at about 10⁴, nothing overflowed, and
    Xavier still gets 75 % of the test points right. The advice does not say they stall near ln 2 with a small
    gradient: it says the steps overshoot and the answers grew sure of themselves; the film's sentence for Xavier
    keeps its accuracy and does not say it learns nothing, while He's, whose p ends the same everywhere, does."""
    from ui import advice, film, runs

    settings = dict(dataset="moons", depth=2, width=16, activation="selu", lr=3.0, epochs=60, seed=0)
    schemes = ["xavier_normal", "he_normal"]
    lab = runs.gather({scheme: runs.train(scheme, settings) for scheme in schemes})
    assert (lab["summary"].final_loss > 1e3).all() and lab["summary"].diverged_epoch.isna().all()
    (said,) = advice.advise(lab["summary"], settings, schemes)
    assert "stall" not in said.why and "small" not in said.why and "overshoot" in said.why, said.why
    assert said.fix is None or said.fix.get("lr", 3.0) < 3.0, said
    sentences = dict(zip(schemes, [s for s in film.findings(lab, "selu", 3.0, 16) if "loss grew" in s]))
    accuracy = lab["summary"].set_index("scheme").test_accuracy
    assert accuracy["xavier_normal"] == 0.75 and accuracy["he_normal"] == 0.5  # He's p ends the same everywhere
    assert "learns nothing" not in sentences["xavier_normal"], sentences
    assert "(75 % of the test points right)" in sentences["xavier_normal"], sentences
    assert "so it learns nothing (in every frame from epoch 2 on, p is the same everywhere)" in sentences["he_normal"]


def test_weights_that_grow_a_thousandfold_are_blown_up_and_those_that_grow_less_are_not():
    from ui.lessons import BLOWN_UP, symmetry_verdict

    outputs = np.random.default_rng(0).standard_normal((20, 4))
    grown = lambda factor: symmetry_verdict(4, 4, 4, None, outputs, largest=(0.01, 0.01 * factor))  # noqa: E731
    assert grown(BLOWN_UP)[0] == "success" and "blew" not in grown(BLOWN_UP)[1]  # tiny weights may grow a lot
    kind, sentence = grown(2 * BLOWN_UP)
    assert kind == "warning" and sentence.endswith("the largest grew ×2000, from 0.01 to 20. Huge weights give "
                                                   "huge gradients, and huge gradients take huge steps.")
    assert "blew" not in symmetry_verdict(4, 4, 4, None, np.zeros((20, 4)), largest=(0.0, 0.5))[1]  # from zeros


def test_a_small_layer_s_weights_are_pooled_from_several_draws_and_the_title_says_so():
    title = lambda at: figures(at)[0]["layout"]["title"]["text"]  # noqa: E731
    assert title(open_page("pages/1_Weight_distributions.py", fan_in="1", fan_out="1")) == \
        "<b>Weights of 16,384 independent 1 × 1 layers</b>"
    assert title(open_page("pages/1_Weight_distributions.py")) == "<b>Weights of a 256 × 256 layer</b>"


def test_the_log_axis_toggle_names_the_two_sigmas_it_puts_on_one_chart():
    """The toggle says which σ it puts on one chart: the ones chosen, not the defaults; and switching it off from
    a link with other σ stays off: its label's change does not make it a new widget."""
    at = open_page("pages/1_Weight_distributions.py", std_small="0.1", std_large="1")
    log_axis = lambda: next(t for t in at.toggle if t.label.startswith("log10"))  # noqa: E731
    assert log_axis().label == "log10 |w| axis (σ = 0.1 and σ = 1 on one chart)"
    log_axis().set_value(False).run()
    assert not at.exception and not log_axis().value


def test_training_lab_caps_epochs_to_the_budget():
    at = open_page("pages/4_Training_lab.py", depth="20", width="128", epochs="300")
    assert not at.exception and any("at most" in w.value for w in at.warning)
    assert len(figures(at)) >= 3


@pytest.mark.parametrize("share", [1, 1 / 4])
def test_training_every_scheme_at_the_largest_size_fits_one_budget_and_says_what_it_left_out(share, monkeypatch):
    """Every scheme at 30 layers of 128 units: where not even one epoch of all of them fits one request's work
    (with a quarter of the budget, surely), which once ended in an error, the last schemes are left out by name
    and the others train, as ``fit_budget`` decides. Either way the total work of the request stays within the
    budget (decision grids, distinct units and the film's snapshots included)."""
    from initcore import training
    from ui.film import SNAPSHOTS

    monkeypatch.setattr(training, "MAX_WORK", training.MAX_WORK * share)
    every = [s for s in initcore.SCHEMES]
    at = open_page("pages/4_Training_lab.py", depth="30", width="128", epochs="300", schemes=every)
    assert not at.exception and not at.error
    note = next(w.value for w in at.warning if "Trained for" in w.value)
    epochs = int(re.search(r"Trained for (\d+) epochs?, not 300", note)[1])
    left_out = note.split("Left out")[1] if "Left out" in note else ""
    trained = [s for s in every if initcore.SCHEMES[s].label not in left_out]
    kept, _ = training.fit_budget(every, depth=30, width=128, epochs=300, snapshots=SNAPSHOTS)
    assert 1 <= epochs and trained == kept and (len(kept) < len(every) or share == 1)
    assert len(trained) * training.training_work(depth=30, width=128, epochs=epochs, n=500,
                                                 snapshots=SNAPSHOTS) <= training.MAX_WORK
    assert len(at.get("plotly_chart")) == 4 + len(trained)  # loss, film, accuracy, gradients, a panel per run


@pytest.mark.parametrize("scheme", ["he_normal", "constant", "large_normal", "zeros"])
def test_factor_sentence_for_every_kind_of_scheme(scheme):
    from ui.lessons import factor_sentence

    sentence = factor_sentence("relu", scheme, 1024, 100, {})
    assert "factor" in sentence or "single unit" in sentence
    if scheme == "he_normal":
        assert "**1** per layer" in sentence


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
@pytest.mark.parametrize("scheme, params", [("xavier_normal", {}), ("he_normal", {}), ("small_normal", {"std": 0.01}),
                                            ("large_normal", {"std": 10.0})])
def test_factor_sentence_states_the_theory_curves_change(activation, scheme, params):
    """The expander's change from layer 1 to layer 50 is the dotted theory curve's q_50 / q_1, to the three
    significant digits shown: not the first layer's factor raised to a power, which for tanh under Xavier
    (a factor climbing from 0.39 to 0.98 as the signal shrinks) would say ×10⁻²⁰ where theory and the
    simulation both say ×0.01."""
    from ui.lessons import factor_sentence

    pre = initcore.theory.predicted_pre_var(depth=50, width=256, activation=activation, scheme=scheme, **params)
    sentence = factor_sentence(activation, scheme, 256, 50, params)
    stated = stated_number(re.search(r"\*\*×([^*]+)\*\* from layer 1 to layer 50", sentence)[1])
    assert stated == pytest.approx(pre[-1] / pre[0], rel=5e-3)  # half a unit in the third digit


def test_factor_sentence_at_the_edges_of_float64_and_of_depth():
    from ui.lessons import factor_sentence

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overflowing = factor_sentence("elu", "large_normal", 1024, 100, {"std": 100.0})
        single = factor_sentence("tanh", "xavier_normal", 256, 1, {})
        homogeneous = factor_sentence("relu", "large_normal", 1024, 100, {"std": 100.0})
        fading = factor_sentence("tanh", "small_normal", 2, 100, {"std": 0.001})
        homogeneous_fading = factor_sentence("relu", "small_normal", 2, 100, {"std": 0.001})
    assert "float64" in overflowing and "to layer 45," in overflowing
    assert "**0.3943** per layer at layer 1" in single and "to layer" not in single
    assert "more than **×10³⁰⁸**" in homogeneous
    assert "falls below even float64" in fading and "**2 × 10⁻⁶** at layer 53" in fading
    assert "less than **×10⁻³⁰⁸**" in homogeneous_fading


@pytest.mark.parametrize("activation, scheme, slowing", [("tanh", "xavier_normal", True),
                                                          ("relu", "xavier_normal", False),
                                                          ("tanh", "small_normal", False)])
def test_verdict_tells_a_slowing_fade_from_a_steady_one(activation, scheme, slowing):
    """Tanh under Xavier loses ×100 over 50 layers, but over the top third only ~2.6 % a layer (theory: 1/l
    decay): the verdict says so. ReLU under Xavier halves the signal at every layer, to the last: no such
    remark."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=40 if scheme == "small_normal" else 50, width=256, activation=activation,
                            scheme=scheme)
    sentence = verdict(run, scheme)[1]
    assert ("a layer over the top layers" in sentence) == slowing


@pytest.mark.parametrize("seed", range(6))
def test_the_default_page_s_verdict_does_not_depend_on_the_seed(seed):
    """Theory puts tanh under Xavier at ×0.0104 over 50 layers, on the ×100 border, and the seed moves the
    simulation to either side of it. A fade that levels off fades on both sides, where a fixed threshold said
    'vanishing' for 12 seeds of 20 and 'drifting slowly' for the rest."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=50, width=256, activation="tanh", scheme="xavier_normal", seed=seed)
    kind, sentence = verdict(run, "Xavier")
    assert kind == "info" and "**Xavier** — forward: fades (" in sentence and "; gradient: fades (" in sentence


@pytest.mark.parametrize("activation, scheme, depth, word", [
    ("tanh", "xavier_normal", 100, "fades"),  # 1/l: more layers add less and less
    ("relu", "xavier_normal", 50, "vanishes"),  # ×½ at every layer
    ("sigmoid", "xavier_normal", 50, "vanishes"),  # the gradient: ×¼² at most at every layer
    # the gradient grows ×1.1 at every layer on its way down, but shrinks at the first two (their larger
    # signal sits where tanh is flatter): steady growth all the same, not growth that levels off
    ("tanh", "he_normal", 100, "explodes"),
])
def test_a_change_that_levels_off_is_told_from_a_fixed_factor_per_layer(activation, scheme, depth, word):
    from ui.lessons import classify

    layers = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme).layers
    assert classify(layers.pre_var, layers.grad_var)[1] == word


@pytest.mark.parametrize("seed", range(3))
def test_a_fall_that_only_slows_still_vanishes(seed):
    """Two tanh units a layer under Xavier: ×10⁻³¹ over 100 layers, ×0.49 a layer on average and still about ×0.75
    a layer over the top third, past the band there too. It vanishes, as its chart shows, by a factor per layer
    that slows but does not level off; tanh's 1/l fade at 256 units (×0.59 over the top third) still fades."""
    from ui.lessons import verdict

    narrow = initcore.simulate(depth=100, width=2, activation="tanh", scheme="xavier_normal", seed=seed)
    kind, sentence = verdict(narrow, "Xavier")
    assert kind == "warning" and "forward: vanishes (" in sentence and "; gradient: vanishes (" in sentence
    wide = initcore.simulate(depth=100, width=256, activation="tanh", scheme="xavier_normal", seed=seed)
    assert "forward: fades (" in verdict(wide, "Xavier")[1]


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_outlook_reports_theorys_change_at_each_depth(activation):
    """The Choosing page's 'How deep can it go?': for the recommended scheme, the length map's change from
    layer 1 to the last (to the three digits shown) and the verdict's own word for each, signal and gradient
    apart (one word for both had called a gradient that grows ×2.31 "fades"), for 10 and 50 layers."""
    from ui.lessons import classify, judge, outlook

    scheme = initcore.ACTIVATIONS[activation].recommended
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kind, sentence = outlook(activation, scheme)
    for depth in (10, 50):
        pre, grad = initcore.theory.predicted_variances(depth=depth, width=256, activation=activation, scheme=scheme)
        stated = re.search(OUTLOOK.format(depth=depth), sentence)
        assert stated_number(stated[1]) == pytest.approx(pre[-1] / pre[0], rel=5e-3)
        assert stated_number(stated[3]) == pytest.approx(grad[0] / grad[-1], rel=5e-3)
        assert (stated[2] or stated[4], stated[4]) == (judge(pre).word, judge(grad, backward=True).word)
    assert kind == classify(pre, grad)[0]


# One depth of an outlook: Var z's change (and its word, where the gradient's differs), the gradient's and its word
# (each word followed by the layers that made the change, where a few did).
WHERE = r"(?: between layers \d+ and \d+, then holds)?"
OUTLOOK = (r"{depth} layers: Var z \*\*×([^*]+)\*\*(?: \(([a-z ]+)" + WHERE + r"\))?(?:,| and) gradient "
           r"\*\*×([^*]+)\*\* \(([a-z ]+)" + WHERE + r"\)")


def test_an_outlook_gives_the_signal_and_the_gradient_each_its_own_word():
    """Under tanh at n_in·Var(W) = 2.54 the signal settles from 2.54 towards 1 while the gradient grows on its way
    back: 'Var z ×0.395 (fades), gradient ×2.31 (steady)', not one word for both. At 50 layers the signal's ×0.394,
    made by its first few layers as at 10, fades there too (it had been "steady", the factor a layer deciding)."""
    from ui.lessons import outlook

    _, sentence = outlook("tanh", "variance_scaling", params=dict(scale=2.5363, mode="fan_in", distribution="normal"))
    ten, fifty = (re.search(OUTLOOK.format(depth=depth), sentence) for depth in (10, 50))
    assert (ten[2], ten[4]) == ("fades", "steady") and stated_number(ten[3]) > 2
    assert (fifty[2], fifty[4]) == ("fades", "explodes") and stated_number(fifty[3]) > 100


def test_choosing_page_shows_how_deep_the_recommendation_goes_and_links_to_it():
    """ReLU with He: steady at 50 layers; GELU with He: the signal vanishes (GELU is z/2 near 0); each with a
    link that opens Signal propagation on that pairing."""
    at = open_page("pages/5_Choosing_an_initializer.py", activation="ReLU")
    assert any("How deep can it go?" in s.value and "(steady)" in s.value for s in at.success)
    at.selectbox(key="activation").set_value("gelu").run()
    assert any("How deep can it go?" in w.value and "(vanishes)" in w.value for w in at.warning)
    link = next(link for link in at.get("page_link") if link.proto.query_string)
    assert link.proto.page == "Signal_propagation"
    assert parse_qs(link.proto.query_string) == {"activation": ["GELU (tanh form)"], "scheme": ["He/Kaiming normal"],
                                                 "depth": ["50"]}


def test_choosing_page_says_what_each_framework_draws_if_you_write_nothing():
    """Under ReLU, PyTorch's nn.Linear default gives Var z_1 = 1/3 and divides it by 6 at every later layer:
    2·6⁻⁵ after 5 layers, 2·6⁻²⁰ ≈ 5.5·10⁻¹⁶ after 20, as its row of the table says; the verdict says it
    vanishes, and a link opens Signal propagation on it at 20 layers."""
    from ui.theme import number

    at = open_page("pages/5_Choosing_an_initializer.py", activation="ReLU")
    table = next(frame.value for frame in at.dataframe if "framework" in frame.value.columns).set_index("framework")
    pytorch = table.loc["PyTorch (nn.Linear)"]
    assert [pytorch[f"after {d} layers"] for d in (5, 20, 50)] == [number(2 * 6.0**-d) for d in (5, 20, 50)]
    assert list(table.index) == ["PyTorch (nn.Linear)", "PyTorch, its biases too", "↳ across inputs", "Keras (Dense)",
                                 "Flax (nn.Dense)"]
    # its biases, of variance 1/(3·256), add that to every layer's variance: Var z cannot fall below it
    biased = [stated_number(table.loc["PyTorch, its biases too"][f"after {d} layers"]) for d in (5, 20, 50)]
    assert all(v >= 1 / 768 for v in biased) and biased[-1] == pytest.approx(biased[-2], rel=1e-2)
    # but what tells one input from another still falls ×1/6 a layer, as the weights alone do
    apart = [stated_number(table.loc["↳ across inputs"][f"after {d} layers"]) for d in (20, 50)]
    assert apart[1] / apart[0] == pytest.approx(6.0**-30, rel=0.05)
    assert any("**PyTorch default**: vanishes" in m.value for m in at.markdown)
    link = next(link for link in at.get("page_link") if "PyTorch" in link.proto.label)
    assert parse_qs(link.proto.query_string) == {"activation": ["ReLU"], "scheme": ["PyTorch default"],
                                                 "depth": ["20"]}


@pytest.mark.parametrize("lesson", [page for page, *_ in LESSONS])
def test_a_link_to_another_lesson_leaves_nothing_to_a_control_of_this_one(lesson):
    """Streamlit drops a link's value for a control the page being left also has. The other lesson then shows
    whatever that control's value carries over, so an untouched control must have that lesson's default."""
    at = open_page(lesson)
    here = controls_on(at)
    for link in at.get("page_link"):
        shared = set(parse_qs(link.proto.query_string)) & set(here)
        if shared:
            target = next(path for path, *_ in LESSONS if path.endswith(f"_{link.proto.page}.py"))
            there = controls_on(open_page(target))
            assert {key: here[key] for key in shared} == {key: there[key] for key in shared}, link.proto.page


def test_choosing_page_links_xavier_with_pytorch_s_gain_for_tanh():
    at = open_page("pages/5_Choosing_an_initializer.py")
    assert any("gain=calculate_gain('tanh')" in m.value for m in at.markdown)
    # the lines redraw the weights alone: nn.Linear's own biases, U(±1/√n_in), are not the app's zeros
    assert any("`torch.nn.init.zeros_(layer.bias)`" in c.value for c in at.caption)
    link = next(link for link in at.get("page_link") if link.proto.label == "Watch Xavier with the gain")
    assert parse_qs(link.proto.query_string) == {
        "activation": ["Tanh"], "scheme": ["Custom variance scaling"], "scale": ["2.7778"], "mode": ["average"],
        "distribution": ["normal"], "depth": ["50"]}
    at.switch_page("pages/2_Signal_propagation.py")
    at.query_params.update(parse_qs(link.proto.query_string))
    at.run()
    assert not at.exception and at.number_input(key="scale").value == pytest.approx(2.7778)


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_choosing_page_says_what_keeps_the_network_steady_and_links_to_it(activation):
    """theory.steady_variance for the signal and the gradient, beside what the recommended scheme uses, and how a
    signal off Var z = 1 fares at the signal's scale (drawn back, held, or for GELU, run away: the first layer
    already hands on 2.35); where the scheme does not hold the signal, theory's outlook under the steady scale and a
    link to watch it (not for SELU, whose LeCun already uses it)."""
    act = initcore.ACTIVATIONS[activation]
    at = open_page("pages/5_Choosing_an_initializer.py", activation=act.label)
    signal = initcore.theory.steady_variance(activation)
    gradient = initcore.theory.steady_variance(activation, target="gradient")
    said = next(m.value for m in at.markdown if m.value.startswith("**What keeps it steady.**"))
    digits = 5 if activation == "leaky_relu" else 4  # 1.9998, against He's 2
    assert f"**{signal:.{digits}g}**" in said and f"**{gradient:.{digits}g}**" in said
    slope = initcore.theory.length_map_slope(activation)
    assert ("knife's edge" in said) == (slope > 1.01) and ("back towards it" in said) == (slope < 0.99)
    steady = [link for link in at.get("page_link") if link.proto.label.startswith("Watch n_in·Var(W)")]
    if activation in ("linear", "relu"):  # He and LeCun are exact there
        assert "exactly what it takes" in said and not steady
        return
    if activation == "leaky_relu":  # He's 2 against 2/(1 + a²) = 1.9998: within 0.01 %, not exact
        assert "what it takes to within 0.01 %" in said and "exactly" not in said and not steady
        return
    assert "only approximately right" in said and ("No single scale holds both" in said) == (
        abs(signal / gradient - 1) > 0.01)
    if activation == "selu":  # LeCun's 1 holds the signal already: no second box that says the same
        assert not steady and not any("instead**" in m.value for kind in ("success", "info", "warning", "error")
                                      for m in getattr(at, kind))
        return
    assert parse_qs(steady[0].proto.query_string) == {
        "activation": [act.label], "scheme": ["Custom variance scaling"], "depth": ["50"],
        "scale": [f"{round(signal, 4):g}"], "mode": ["fan-in"], "distribution": ["normal"]}
    outlook = next(m.value for kind in ("success", "info", "warning", "error") for m in getattr(at, kind)
                   if m.value.startswith(f"**With n_in·Var(W) = {theme.number(round(signal, 4))} instead**"))
    pre, grad = initcore.theory.predicted_variances(depth=50, width=256, activation=activation,
                                                    scheme="variance_scaling", scale=round(signal, 4))
    stated = re.search(OUTLOOK.format(depth=50), outlook)
    assert stated_number(stated[1]) == pytest.approx(pre[-1] / pre[0], rel=5e-3)
    assert stated_number(stated[3]) == pytest.approx(grad[0] / grad[-1], rel=5e-3)


def test_every_classic_links_its_choices_by_label():
    """A classic's text settings are all choices that ``link`` writes by label, so none is dropped from the URL."""
    from ui.controls import CHOICES
    from ui.presets import PRESETS

    for preset in PRESETS.values():
        for name, value in preset["settings"].items():
            if isinstance(value, str | list):
                assert name in CHOICES, (preset["label"], name)


def test_links_write_settings_as_the_widgets_write_them():
    """Choices by label (Streamlit keeps those in the address bar; an id it would drop), numbers plainly."""
    from ui.controls import link

    assert link(dict(activation="relu", compare=["xavier_normal", "small_normal"], lr=0.05, depth=30,
                     dataset="moons", mode="fan_in", distribution="truncated_normal")) == dict(
        activation="ReLU", compare=["Xavier/Glorot normal", "Small random"], lr="0.05", depth="30", dataset="Moons",
        mode="fan-in", distribution="truncated normal")


def test_values_carried_between_lessons_fit_each_lessons_range():
    """Lessons share control names; a depth of 90 from Signal propagation must not break the Training lab
    (at most 30 layers) or the Symmetry page (at most 32 units)."""
    at = open_page("pages/2_Signal_propagation.py", width="700", depth="90")
    at.switch_page("pages/3_Symmetry.py").run()
    assert not at.exception and at.slider(key="width").value == 32
    at.slider(key="epochs").set_value(55).run()
    at.switch_page("pages/4_Training_lab.py").run()
    assert not at.exception
    assert (at.slider(key="depth").value, at.slider(key="epochs").value) == (30, 60)  # 55: halves away from 0


@pytest.mark.parametrize("lesson", [page for page, *_ in LESSONS])
def test_settings_left_at_their_default_do_not_follow_to_the_next_lesson(lesson):
    """Whichever lesson came before, at its defaults, a lesson opens on its own: Symmetry on constant weights
    (not on Signal propagation's Xavier, which would hide its lesson), the lab on its small ReLU network (not
    on 30 × 128 tanh layers cut down from 50 × 256), the weights on their log axis."""
    expected = controls_on(open_page(lesson))
    for before in [page for page, *_ in LESSONS if page != lesson]:
        at = open_page(before)
        at.switch_page(lesson).run()
        assert not at.exception and controls_on(at) == expected, before
        assert not any("outside this lesson" in caption.value for caption in at.caption), before


def test_a_scheme_made_the_main_one_leaves_the_comparison_with_a_note_in_words():
    at = open_page("pages/2_Signal_propagation.py", compare=["he_normal", "small_normal"])
    at.selectbox(key="scheme").set_value("he_normal").run()
    assert not at.exception and at.multiselect(key="compare").value == ["small_normal"]
    assert [c.value for c in at.caption if "compare" in c.value] == [
        "compare = He/Kaiming normal, Small random is outside this lesson's range; using Small random."]


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_a_classic_s_link_wins_over_settings_carried_from_another_lesson(key):
    """Each classic opens with every control set as in the experiment, whatever the learner picked before."""
    preset = presets.PRESETS[key]
    at = open_page(preset["page"], activation="SELU", lr="3", scheme="Orthogonal", depth="2", epochs="10")
    at.switch_page("pages/6_Reproduce_the_classics.py").run()
    at.switch_page(preset["page"])
    at.query_params.clear()
    at.query_params.update(controls.link(preset["settings"]))
    at.run()
    assert not at.exception
    for name, value in preset["settings"].items():  # a link writes numbers to 6 digits: 1/3 as 0.333333
        assert at.session_state[name] == (pytest.approx(value, rel=1e-6) if isinstance(value, float) else value)


def test_switching_small_random_to_large_random_takes_large_random_s_sigma():
    """σ left at Small random's 0.01 is Small random's, not a choice: Large random then draws with its own σ = 10
    and explodes (it used to keep 0.01, and the page said the large weights made the signal vanish). A σ the
    learner picked stays."""
    at = open_page("pages/2_Signal_propagation.py", scheme="Small random")
    at.selectbox(key="scheme").set_value("large_normal").run()
    assert at.select_slider(key="std").value == 10 and "gradient: explodes (exploded at layer" in at.error[0].value
    at.select_slider(key="std").set_value(3.0).run()
    at.selectbox(key="scheme").set_value("small_normal").run()
    assert at.select_slider(key="std").value == 3


def test_settings_the_learner_chose_follow_to_the_next_lesson_and_back():
    at = open_page("pages/2_Signal_propagation.py", activation="ReLU", scheme="He/Kaiming normal", depth="12")
    at.toggle(key="log_axis").set_value(True).run()
    at.switch_page("pages/3_Symmetry.py").run()
    assert (at.session_state["activation"], at.session_state["scheme"]) == ("relu", "he_normal")
    at.switch_page("pages/4_Training_lab.py").run()
    assert (at.session_state["activation"], at.session_state["depth"]) == ("relu", 12)
    at.switch_page("pages/1_Weight_distributions.py").run()
    assert at.session_state["log_axis"] is True
    at.toggle(key="log_axis").set_value(False).run()  # off is Signal propagation's default, but chosen here
    at.switch_page("pages/2_Signal_propagation.py").run()
    assert not at.exception and at.session_state["log_axis"] is False


def test_a_carried_seed_is_a_whole_number_in_every_address():
    """A seed goes from lesson to lesson as the learner wrote it: seed=7, not the number box's float 7.0."""
    at = open_page("pages/2_Signal_propagation.py", home_first=False, seed="7")
    for lesson in ("pages/4_Training_lab.py", "pages/8_Deep_networks_in_practice.py", "pages/3_Symmetry.py",
                   "pages/1_Weight_distributions.py", "pages/2_Signal_propagation.py"):
        at.switch_page(lesson).run()
        assert not at.exception and dict(at.query_params)["seed"] == "7", lesson


def test_a_round_trip_between_lessons_keeps_every_setting_the_learner_chose():
    """ReLU, He and 100 layers chosen in Signal propagation; the lab can train 30 layers at most, and ReLU is its
    own default: back in Signal propagation the network is the one the learner left, 100 ReLU layers under He,
    not 30 tanh layers (the clamped depth stayed, and ReLU, equal to the lab's default, reset to Tanh)."""
    at = open_page("pages/2_Signal_propagation.py")
    at.selectbox(key="activation").set_value("relu").run()
    at.selectbox(key="scheme").set_value("he_normal").run()
    at.slider(key="depth").set_value(100).run()
    at.switch_page("pages/4_Training_lab.py").run()
    assert (at.slider(key="depth").value, at.selectbox(key="activation").value) == (30, "relu")
    assert any("depth = 100 is outside this lesson's range; using 30." in c.value for c in at.caption)
    at.switch_page("pages/3_Symmetry.py").run()
    at.switch_page("pages/2_Signal_propagation.py").run()
    assert not at.exception
    assert (at.slider(key="depth").value, at.selectbox(key="activation").value, at.selectbox(key="scheme").value) \
        == (100, "relu", "he_normal")
    at.slider(key="depth").set_value(50).run()  # back at this lesson's default: no longer a choice
    at.switch_page("pages/4_Training_lab.py").run()
    assert at.slider(key="depth").value == 5


@pytest.mark.parametrize("activation, scheme, params, why", [
    ("tanh", "zeros", {}, "every weight is 0"),
    ("relu", "small_normal", {"std": 0.01}, "fell below float32's smallest number"),
    ("relu", "constant", {"value": -0.5}, "every unit got a negative input"),  # ReLU switches every unit off
])
def test_a_vanished_signal_is_explained_by_what_made_it_zero(activation, scheme, params, why):
    from ui.lessons import verdict

    run = initcore.simulate(depth=50, width=256, activation=activation, scheme=scheme, **params)
    assert run.vanished_at is not None and why in verdict(run, scheme)[1]


@pytest.mark.parametrize("x, text", [(0.0104, "0.0104"), (705, "705"), (1.21e-29, "1.21 × 10⁻²⁹"), (1e8, "10⁸"),
                                     (-5.67e14, "−5.67 × 10¹⁴"), (0, "0"), (1234.5, "1230"), (9999.6, "10⁴"),
                                     (0.0009996, "0.001"), (0.000999, "9.99 × 10⁻⁴"), (-1e-5, "−10⁻⁵"),
                                     (0.5, "0.5")])
def test_teaching_text_writes_huge_and_tiny_numbers_as_the_axes_do(x, text):
    """One way to write a number: 3 significant digits, written out from 10⁻³ to 10⁴ and as a power of ten
    beyond, with a true minus sign."""
    from ui.theme import number

    assert number(x) == text and stated_number(text) == pytest.approx(x, rel=5e-3)  # 3 digits: ±0.5 %


def test_a_single_layer_has_no_change_to_judge():
    """One layer of σ = 10 weights takes an input of variance 1 to about 2·100 = 200: the verdict says that,
    not 'steady' for a change from layer 1 to layer 1, and the layer axis is ticked at whole layers."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=1, width=2, activation="sigmoid", scheme="large_normal")
    kind, sentence = verdict(run, "Large random")
    assert kind == "info" and "**Large random** — one layer." in sentence and "steady" not in sentence
    at = open_page("pages/2_Signal_propagation.py", depth="1", width="2")
    forward, heatmap = figures(at)
    assert (forward["layout"]["xaxis"]["dtick"], heatmap["layout"]["yaxis"]["dtick"]) == (1, 1)


def test_a_vanished_gradient_names_every_layer_it_leaves_without_a_gradient():
    """Sigmoid's slope is at most 1/4: under tiny weights the gradient underflows on its way down and is 0
    from that layer to the first, the layer itself included."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=50, width=256, activation="sigmoid", scheme="small_normal")
    at = run.grad_vanished_at
    assert at is not None and 1 < at < 50
    assert list(run.layers.layer[run.layers.grad_vanished]) == list(range(1, at + 1))
    kind, sentence = verdict(run, "Small random")
    assert kind == "warning" and f"gradient: vanishes (vanished at layer {at}:" in sentence
    assert f"layers 1 to {at} cannot learn" in sentence


@pytest.mark.parametrize("activation", ["selu", "tanh", "relu", "elu"])
def test_zero_weights_gradient_is_told_where_the_chart_has_it(activation):
    """Zero weights: nothing reaches the output. A gradient sent down from the top passes the top layer's own slope,
    f'(0): SELU's 1.76 and tanh's 1 leave that layer a gradient the chart draws, ReLU's 0 none. The verdict names the
    layer from which every gradient is 0, where it had said that nothing flows back beside the top layer's 3.15."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=10, width=64, activation=activation, scheme="zeros")
    grads = run.layers.stream_grad_var.to_numpy()
    at = run.grad_vanished_at
    assert (grads[: at] == 0).all() and (grads[at:] > 0).all()
    _, sentence = verdict(run, "Zeros")
    assert f"gradient: vanishes (vanished at layer {at}:" in sentence and "nothing flows back" not in sentence
    assert ("from the top layer down" in sentence) == (at == 10)

@pytest.mark.parametrize("activation, depth", [("linear", 50), ("gelu", 50), ("leaky_relu", 50), ("linear", 1)])
def test_a_signal_that_vanished_does_not_stop_a_gradient_whose_slope_at_0_is_not_0(activation, depth):
    """Tiny weights take the signal to exactly 0. The gradient sent down from the output does not come from the
    signal: under a slope that is not 0 at 0 (linear 1, GELU ½, leaky ReLU 0.01) it shrinks by its own factor a
    layer and underflows on its own, or (one linear layer of zeros) reaches layer 1 whole, where dL/dW₁ = xᵀg
    lets it learn. The verdict had said 'nothing reaches the output' as the cause, or that nothing flows back."""
    from ui.lessons import verdict

    scheme = "zeros" if depth == 1 else "small_normal"
    run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme)
    assert run.vanished_at is not None
    _, sentence = verdict(run, scheme)
    gradient = sentence.split("gradient: ")[1]
    assert "nothing reaches the output" not in gradient and "nothing flows back" not in gradient, sentence
    if run.grad_vanished_at is not None:
        assert f"vanishes (vanished at layer {run.grad_vanished_at}:" in gradient
    else:
        assert (run.layers.stream_grad_var > 0).all() and not gradient.startswith("none"), sentence


def test_a_variance_that_becomes_exactly_0_is_told_and_drawn_as_0_from_that_layer():
    """Constant weights under sigmoid: from layer 3 every unit outputs exactly 1.0 in float32, so from layer 4 every
    unit of every example gets the same input and Var z is exactly 0. The verdict had said '×0 a layer' (a factor
    of a change of 0), and the chart's line just stopped after layer 3; now the verdict says from which layer it
    is 0, and the legend says the line is 0 from there on, off the log scale."""
    from ui import lessons

    run = initcore.simulate(depth=8, width=256, activation="sigmoid", scheme="constant")
    assert (run.layers.pre_var.to_numpy()[3:] == 0).all() and (run.layers.pre_var.to_numpy()[:3] > 0).all()
    _, sentence = lessons.verdict(run, "Constant")
    assert "forward: vanishes (exactly 0 from layer 4 on)" in sentence and "×0 a layer" not in sentence, sentence
    figure = charts.variance_figure([charts.Curve("constant", run.layers.layer.to_numpy(),
                                                  run.layers.pre_var.to_numpy())], title="t", y_title="Var z")
    assert figure.data[2].name == "Constant: 0 from layer 4 on,<br>off the log scale", [t.name for t in figure.data]
    assert lessons.judge(np.array([0.0, 0.0, 2.0, 3.0]), backward=True).event == "exactly 0 from layer 2 down"


@pytest.mark.parametrize("activation, scheme, depth, expected", [
    ("tanh", "large_normal", 50, "gradient: explodes (exploded at layer"),
    ("sigmoid", "zeros", 20, "no signal"),
    ("tanh", "small_normal", 60, "forward: vanishes (vanished at layer"),
    ("relu", "large_normal", 40, "forward: explodes (exploded at layer"),
    ("relu", "xavier_normal", 50, "forward: vanishes ("),
    ("relu", "he_normal", 50, "forward: steady ("),
])
def test_verdict_names_what_happened(activation, scheme, depth, expected):
    from ui.lessons import verdict

    run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme)
    kind, sentence = verdict(run, scheme)
    assert expected in sentence and "nan" not in sentence
    assert kind == {"forward: steady (": "success", "forward: vanishes (": "warning"}.get(expected, kind)


def var_z_verdict(run: initcore.Propagation) -> lessons.Judgement:
    """The forward verdict on Var z. Where what every input shares holds it up while the part that tells inputs apart
    vanishes (``lessons.held_by_shared``), the page's verdict is "vanishes" and says so first: checked here, and
    Var z's own judgement, which it replaces, returned."""
    forward = lessons.judge_run(run)[0]
    if lessons.held_by_shared(run) is None:
        return forward
    assert forward.word == "vanishes" and "what every input shares" in forward.event, str(forward)
    values, depth = run.layers.stream_var.to_numpy(), len(run.layers)
    return lessons._on_the_bands(lessons.judge(values, f"from layer 1 to layer {depth}"), values)


@pytest.mark.parametrize("activation, scheme, depth, step", [("tanh", "constant", 10, 1), ("tanh", "constant", 50, 1),
                                                             ("sigmoid", "small_normal", 3, 1)])
def test_a_change_made_by_one_layer_is_said_to_be_that_layer_s_not_a_factor_a_layer(activation, scheme, depth, step):
    """Constant weights under tanh jump ×228 from layer 1 to 2 and then hold; small weights under sigmoid drop ×¼ once
    (its mean of ½ sets the level). No factor a layer says that (×1.83 over 10 layers, ×0.51 over 3): the verdict says
    between which layers the change is made, in the same word at 10 layers as at 50. (Under sigmoid that level is
    its mean's, the same for every input, and the page's verdict leads with what it hides: ``var_z_verdict``.)"""
    run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme)
    forward = var_z_verdict(run)
    values = run.layers.pre_var.to_numpy()
    logs = np.abs(np.diff(np.log(values)))
    assert logs[step - 1] > 10 * np.delete(logs, step - 1).sum()  # the chart's own numbers: one step makes it
    said = str(forward)
    assert f"nearly all of it between layers {step} and {step + 1}" in said and "a layer" not in said
    assert forward.word == ("grows" if values[-1] > values[0] else "fades")


@pytest.mark.parametrize("activation, scheme", [("tanh", "large_normal"), ("tanh", "constant"),
                                                ("relu", "xavier_normal"), ("relu", "he_normal"),
                                                ("tanh", "xavier_normal")])
def test_the_verdict_says_where_the_signal_leaves_the_chart_s_bands_as_the_chart_does(activation, scheme):
    """The chart shades Var z above 100 and below 0.01 (the input's variance is 1), and its words for a screen
    reader say from which layer a curve stays there. N(0, 1) weights take 256 tanh units to about 2.6 × 10⁴ at
    layer 1, where the signal then stays: the verdict says it explodes there, not that it is steady; constant
    weights' growth levels off above the band, and the verdict names the layer it leaves the band at."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=50, width=256, activation=activation, scheme=scheme, batch=view_batch(256))
    said = charts.fate(run.layers.layer.to_numpy(), run.layers.pre_var.to_numpy(), run.exploded_at)
    forward = verdict(run, scheme)[1].split("; gradient:")[0]
    if said.startswith(("explodes", "vanishes")):
        layer = int(said.split("from layer ")[1].split(" ")[0])
        side = "above the chart's band, 100," if said.startswith("explodes") else "below the chart's band, 0.01,"
        assert (f"{side} from layer {layer})" in forward if layer > 1 else
                f"forward: {said.split()[0]} (at layer 1 already: Var z" in forward), (said, forward)
    else:
        assert "chart's band" not in forward and "at layer 1 already" not in forward


@pytest.mark.parametrize("activation, advice", [
    ("elu", "**For a deep plain ELU (α = 1) network, take n_in·Var(W) = 1.55 rather than He/Kaiming normal's 2.**"),
    ("gelu", "**No single scale keeps a deep plain GELU (tanh form) network steady.**"),
    ("sigmoid", "**No single scale keeps a deep plain sigmoid network steady.**"),
    ("relu", None), ("tanh", None), ("selu", None)])
def test_where_theory_says_the_recommended_scheme_vanishes_or_explodes_the_choosing_page_says_what_to_do(
        activation, advice):
    """He is the usual choice for ELU and GELU, and theory says it explodes (ELU: the gradient ×191) or vanishes
    (GELU: ×10⁻¹²) through 50 plain layers, in red and amber right under "Recommended scheme: He". The page says
    which to take: ELU's own steady scale, which theory keeps steady; for GELU, whose steady scale explodes too,
    that no scale does, and what deep networks of it rely on. Where the recommendation fades or grows at most (tanh,
    SELU) or holds (ReLU), nothing more is said."""
    at = open_page("pages/5_Choosing_an_initializer.py", activation=initcore.ACTIVATIONS[activation].label)
    said = [m.value for m in at.markdown if "network steady.**" in m.value or "**For a deep plain" in m.value]
    assert not at.exception
    if advice is None:
        assert not said, said
    else:
        assert len(said) == 1 and said[0].startswith(advice), said
        named = {"elu": ("explodes", "stays steady"), "gelu": ("vanishes", "explodes"), "sigmoid": ("vanishes",)}
        assert all(word in said[0] for word in named[activation]), said


@pytest.mark.parametrize("activation", ["tanh", "relu", "selu"])
def test_choosing_page_s_numbers_are_the_ones_its_formulas_use(activation):
    """The big number beside the recommended scheme is the n_in·Var(W) its formula gives a square layer (the
    number the steadiness sentence compares), not PyTorch's gain of the activation, which Xavier's formula does not
    use; the table says He is twice LeCun (twice Xavier only where n_in = n_out) and has no row that never varies."""
    act = initcore.ACTIVATIONS[activation]
    at = open_page("pages/5_Choosing_an_initializer.py", activation=act.label)
    used = 256 * initcore.theory.weight_variance(act.recommended, 256, 256)
    assert at.metric[1].value == f"{used:.4g}" and "Gain" not in at.metric[1].label
    steady = next(m.value for m in at.markdown if m.value.startswith("**What keeps it steady.**"))
    assert f"uses **{used:.4g}**" in steady
    table = at.table[0].value
    assert "Risk of divergence" not in set(table.iloc[:, 0])
    assert "twice LeCun" in " ".join(table["He (Kaiming)"])
    assert any("He is twice Xavier only where n_in = n_out" in c.value for c in at.caption)


def test_symmetry_numbers_layers_inputs_and_units_from_1_and_explains_its_table():
    at = open_page("pages/3_Symmetry.py")
    matrices = figures(at)[0]["data"]
    assert all(numbers(t["x"])[0] == 1 and numbers(t["y"])[0] == 1 for t in matrices)
    assert any("x1, x2 and x3 are the first three training points" in c.value for c in at.caption)


def test_home_says_where_the_sliders_are():
    at = open_page()
    text = " ".join(m.value for m in at.markdown)
    assert not at.get("slider") and "in the sidebar lets you change" in text


def test_the_signal_and_the_gradient_are_judged_apart_in_the_chart_s_own_numbers():
    """Tanh under He: a forward curve that falls over its first five layers and then holds, and a gradient that
    grows on its way back. The verdict says each in its own words ('fades', nearly all of it in those layers, as at
    10 and 20 layers, where 'steady' had been said at 50; 'grows'), and each change it states is the one its chart
    draws, end to end."""
    from ui.lessons import verdict

    run = initcore.simulate(depth=50, width=256, activation="tanh", scheme="he_normal")
    kind, sentence = verdict(run, "He")
    stated = re.search(r"forward: (\w+) \(×([^ ]+(?: × 10[⁻⁰-⁹]+)?) from layer 1 to layer 50.*gradient: (\w+) "
                       r"\(×([^ ]+(?: × 10[⁻⁰-⁹]+)?) on its way back", sentence)
    assert (stated[1], stated[3]) == ("fades", "grows") and kind == "info"
    assert "nearly all of it between layers 1 and" in sentence.split("gradient:")[0]
    pre, grad = run.layers.pre_var.to_numpy(), run.layers.grad_var.to_numpy()
    assert stated_number(stated[2]) == pytest.approx(pre[-1] / pre[0], rel=5e-3)
    assert stated_number(stated[4]) == pytest.approx(grad[0] / grad[-1], rel=5e-3)


@pytest.mark.parametrize("activation, scheme, depth", [("relu", "xavier_normal", 4), ("gelu", "he_normal", 10),
                                                       ("relu", "small_normal", 2)])
def test_a_shallow_network_with_a_steep_factor_says_where_theory_takes_it(activation, scheme, depth):
    """Xavier on 4 ReLU layers stays within ×10 (×0.5 a layer), GELU's signal under He fades slowly over 10: each
    is steady *here*, and the verdict names the layer at which theory's 50-layer network leaves the chart's bands,
    never calling it a success."""
    from ui.charts import EXPLODING, VANISHING
    from ui.lessons import verdict

    run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme,
                            **({"std": 0.3} if scheme == "small_normal" else {}))
    kind, sentence = verdict(run, "it")
    pre = initcore.theory.predicted_pre_var(depth=50, width=256, activation=activation, scheme=scheme,
                                            **({"std": 0.3} if scheme == "small_normal" else {}))
    change = pre / pre[0]
    leaves = int(np.flatnonzero((change < VANISHING) | (change > EXPLODING))[0]) + 1
    going = "vanishes" if change[leaves - 1] < 1 else "explodes"
    assert kind != "success" and "so far (×" in sentence
    assert f"but theory says it {going} by layer {leaves}" in sentence


@pytest.mark.parametrize("pieces, deeper", [
    (dict(depth=2, width=256, bias_std=0.05), dict(widths=(256,) * 51, bias_std=0.05)),
    (dict(widths=(256, 128, 256)), dict(widths=(256, 128) + (256,) * 49)),
    (dict(widths=(256, 128, 64), bias_std=0.05), dict(widths=(256, 128) + (64,) * 49, bias_std=0.05))])
def test_a_shallow_network_of_any_make_is_judged_against_theory_of_more_layers_of_that_make(pieces, deeper):
    """Two ReLU layers under Xavier (×0.5 a layer) with biases, in a bottleneck or a funnel: within ×10 here, each
    is steady *so far*; the verdict names the layer at which theory's network of 50 layers leaves the bands, the
    network grown at the top with layers as wide as its top one, with the same biases. (A bias of 0.05 did once
    turn the verdict into a plain success.)"""
    from initcore.propagation import described
    from ui.charts import EXPLODING, VANISHING
    from ui.lessons import verdict

    run = initcore.simulate(activation="relu", scheme="xavier_normal", **pieces)
    kind, sentence = verdict(run, "it")
    pre = initcore.theory.predicted(described(activation="relu", scheme="xavier_normal", **deeper))["pre_var"]
    change = pre / pre[0]
    leaves = int(np.flatnonzero((change < VANISHING) | (change > EXPLODING))[0]) + 1
    assert kind != "success" and "so far (×" in sentence
    assert f"but theory says it vanishes by layer {leaves}" in sentence


def test_a_shaped_network_of_two_layers_takes_one_step_of_theory_s_factor():
    """Two layers whose widths change, or with biases: the factor sentence names the one step there is, once."""
    from ui.lessons import factor_sentence

    for pieces in (dict(widths=(256, 128, 256)), dict(bias_std=0.05)):
        said = factor_sentence("relu", "xavier_normal", 256, 2, {}, pieces)
        assert said.count("layer 2") == 1 and "two layers take one step" in said, said


def test_compare_mode_judges_every_scheme_in_one_table_under_the_chart():
    """Five schemes compared: no stack of five boxes above the chart, one table after it, one row per scheme in
    the order compared, with the same words as a single scheme's verdict."""
    from ui.lessons import verdict

    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal",
                   compare=["xavier_normal", "small_normal", "large_normal", "zeros"])
    assert not (at.success or at.info or at.warning or at.error)
    table = verdict_rows(at)
    assert list(table.initialization) == ["He/Kaiming normal", "Xavier/Glorot normal", "Small random", "Large random",
                                          "Zeros"]
    he = initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal")
    assert table.forward[0].split(",")[0] == "steady" and "forward: steady (" in verdict(he, "He")[1]
    assert table.forward[3].startswith("explodes: exploded at layer")
    said = [c.value.replace("\\", "") for c in at.caption]  # what the headings' tooltips said, under the table
    assert any(c.startswith("**forward signal:** Var z from layer 1 to the last: steady within ×10")
               and c.endswith("**gradient:** Var dL/dz on its way back from the top to layer 1, in the same words.")
               for c in said), said


def test_a_wider_layer_shows_narrower_xavier_and_he_against_their_outlines_at_256():
    """The tip 'a wider layer gives a narrower distribution' is there to see: away from 256 × 256, Xavier's and He's
    exact densities at 256 × 256 stay drawn as dotted outlines, and at 1024 × 1024 the layer's own He density is
    twice as narrow (σ = √(2/1024) against √(2/256)), on the linear axis as on the log10|w| one."""
    for log in ("true", "false"):
        wide = figures(open_page("pages/1_Weight_distributions.py", fan_in="1024", fan_out="1024",
                                 log_axis=log))[0]["data"]
        outline = next(t for t in wide if t.get("name") == "He/Kaiming normal at 256 × 256")
        own = next(t for t in wide if t.get("name") == "He/Kaiming normal: exact")
        assert outline["line"]["dash"] == "dot"
        if log == "true":  # where the peak lies: half the size is 0.3 to the left
            assert _peak(own) == pytest.approx(_peak(outline) - np.log10(2), abs=0.1)
        else:  # the density's own σ
            assert _sigma(own) == pytest.approx(_sigma(outline) / 2, rel=0.05)
    default = figures(open_page("pages/1_Weight_distributions.py"))[0]["data"]
    assert not [t for t in default if "at 256 × 256" in (t.get("name") or "")]


def _peak(trace) -> float:
    x, y = numbers(trace["x"]), numbers(trace["y"])
    return float(x[np.nanargmax(y)])


def _sigma(trace) -> float:
    x, y = numbers(trace["x"]), numbers(trace["y"])
    return float(np.sqrt(np.nansum(y * x**2) / np.nansum(y)))


@pytest.mark.parametrize("view", ["Activations", "Chosen layers", "Gradients", "Weights", "Table"])
def test_every_tab_shows_every_compared_scheme_or_says_it_shows_the_chosen_one(view):
    """With Xavier and Small random compared to He, a tab draws all three, or names He as the one it shows."""
    at = open_page("pages/2_Signal_propagation.py", activation="relu", scheme="he_normal",
                   compare=["xavier_normal", "small_normal"], view=view)
    drawn = figures(at)[1:]  # after the forward chart, which draws them all
    names = {(t.get("name") or "").split(":")[0] for f in drawn for t in f["data"]}  # "Small random: 0 at …"
    if not {"He/Kaiming normal", "Xavier/Glorot normal", "Small random"} <= names:
        assert any("shows He/Kaiming normal only" in c.value for c in at.caption), view
        assert all(f["layout"]["title"]["subtitle"]["text"] == "He/Kaiming normal only" for f in drawn), view
    alone = open_page("pages/2_Signal_propagation.py", scheme="he_normal", view=view)
    assert not any("only" in c.value for c in alone.caption)


def test_a_download_leaves_the_page_as_it_is():
    """Downloading the table starts no run. A rerun would change nothing on the page, and the start of a run is the
    one moment when a page whose replica dies cannot ask the next replica to rebuild it (``ui.reconnect``)."""
    at = open_page("pages/2_Signal_propagation.py", view="Table")
    (button,) = at.get("download_button")
    assert button.proto.label == "Download CSV" and button.proto.ignore_rerun


def lab_warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("query, cause, fix", [
    # the issue's three: 30 × 128 ReLU layers at lr 0.1 (He diverges at epoch 1), sigmoid, 30 ReLU layers
    (dict(depth="30", width="128"), "too large for 30 layers of 128 units", "Use a learning rate of 0.05"),
    (dict(activation="Sigmoid", depth="5"), "sigmoid saturates", "Use Tanh"),
    (dict(depth="30", lr="0.05", epochs="30"), "stalls near ln 2",
     "Use a learning rate of 0.003")])
def test_where_xavier_or_he_learn_nothing_the_lab_says_why_and_offers_a_setting_that_trains(query, cause, fix):
    """The lab promises that Xavier and He train. Where one learns nothing, a sentence says why and a button
    offers a setting tried for real; pressed, it gives a lab where that scheme trains (nothing to explain)."""
    at = open_page("pages/4_Training_lab.py", **query)
    said = [w for w in lab_warnings(at) if cause in w]
    assert said and "Tried: with" in said[0], lab_warnings(at)
    at.button(key=next(b.key for b in at.button if b.label == fix)).click().run()
    assert not at.exception
    fixed = {row.scheme: row for _, row in figures_summary(at).iterrows()}
    assert not [w for w in lab_warnings(at) if cause in w]
    from ui.advice import _trains
    from ui.charts import TRAINED

    assert any(_trains(row) for scheme, row in fixed.items() if scheme in ("xavier_normal", "he_normal")), TRAINED


def verdict_rows(at: AppTest):
    """A page's verdict table (text, cells that wrap: ``ui.show.table``'s prose) read back, its columns named as in
    ``ui.lessons.verdict_table`` (initialization, forward, gradient, seen)."""
    from ui.tables import VERDICT_COLUMNS

    return at.table[0].value.rename(columns={config["label"]: key for key, config in VERDICT_COLUMNS.items()})


def figures_summary(at: AppTest):
    """The lab's summary table as the page shows it, read back: scheme, final loss, diverged or not."""
    import pandas as pd

    shown = at.dataframe[-1].value
    ids = {initcore.SCHEMES[s].label: s for s in initcore.SCHEMES}
    loss = pd.to_numeric(shown["final loss"].where(shown["final loss"] != "inf/NaN"), errors="coerce")
    return pd.DataFrame(dict(scheme=shown.scheme.map(ids), final_loss=loss,
                             diverged_epoch=np.where(loss.isna(), 1.0, np.nan)))


def test_the_mismatched_scheme_is_told_apart_from_the_one_that_suits():
    """Xavier under 30 ReLU layers learns nothing because it halves the signal at each layer (theory: ×2⁻²⁹
    from layer 1 to 30): the page says so and points at He, compared beside it, instead of offering a learning rate."""
    at = open_page("pages/4_Training_lab.py", depth="30", schemes=["xavier_normal", "he_normal"])
    said = [w for w in lab_warnings(at) if w.startswith("**Xavier/Glorot normal** does not suit ReLU")]
    assert said and "He/Kaiming normal, compared here" in said[0]
    assert stated_number(re.search(r"variance ×(.+?) from layer 1", said[0])[1]) == pytest.approx(2.0**-29, rel=5e-3)


# Every page, and Signal propagation once with each scheme that has a number to tune: every number input there.
NUMBER_VIEWS = [(page, {}) for page in PAGES] + [
    ("pages/2_Signal_propagation.py", dict(scheme=scheme)) for scheme in ("constant", "orthogonal", "variance_scaling")]


@pytest.mark.parametrize("page, query", NUMBER_VIEWS)
def test_every_number_input_steps_shows_and_links_the_same_value(page, query):
    """− and + move a number input by a step its display shows (a whole-number control by 1: the seed's + moved
    it by 0.01 while the box still read 0), and the value it then holds, written in a link as the box shows it,
    opens the same view with nothing to correct."""
    at = open_page(page, **query)
    for box in at.number_input:
        before, step, shown = box.value, box.proto.step, box.proto.format
        after = at.number_input(key=box.key).increment().run().number_input(key=box.key).value
        assert after == pytest.approx(before + step), box.key
        written = shown % after
        assert float(written) == pytest.approx(after), (box.key, shown, after)  # the box shows what it holds
        linked = open_page(page, **query, **{box.key: written})
        assert linked.number_input(key=box.key).value == pytest.approx(after), box.key
        assert not [c.value for c in linked.caption if "Link value" in c.value], box.key
        at = open_page(page, **query)


def test_a_typed_value_is_the_one_its_box_shows():
    """A box shows six significant digits: a constant typed as 0.12345 reads 0.12345 (it read 0.1235), and the
    Choosing page's link to n_in·Var(W) = 2.5363 reads 2.5363 (it read 2.536)."""
    at = open_page("pages/3_Symmetry.py")
    at.number_input(key="value").set_value(0.12345).run()
    box = at.number_input(key="value")
    assert not at.exception and box.value == 0.12345 and float(box.proto.format % box.value) == box.value
    scale = open_page("pages/2_Signal_propagation.py", scheme="variance_scaling", scale="2.5363").number_input(
        key="scale")
    assert float(scale.proto.format % scale.value) == 2.5363


@pytest.mark.parametrize("page, query, key, typed, taken", [
    ("pages/3_Symmetry.py", {}, "value", 1000.0, 10.0), ("pages/3_Symmetry.py", {}, "value", -50.0, -10.0),
    ("pages/2_Signal_propagation.py", dict(scheme="orthogonal"), "gain", 0.0, 0.01),
    ("pages/2_Signal_propagation.py", {}, "seed", 2.5, 3.0), ("pages/4_Training_lab.py", {}, "seed", -4.0, 0.0)])
def test_a_typed_value_out_of_range_is_clamped_and_drawn_with_the_range_said(page, query, key, typed, taken):
    """As a link's value out of range is: clamped (rounded, where a whole number belongs), the allowed range
    said beside the control, and the page drawn at the value taken, not a red box over the old chart."""
    at = open_page(page, **query)
    at.number_input(key=key).set_value(typed).run()
    assert not at.exception
    assert at.number_input(key=key).value == taken
    said = [w for w in at.warning if f"using {taken:g}" in w.value]
    assert said, [w.value for w in at.warning]
    assert said[0].icon == controls.TYPED  # the learner typed it: not a link's icon


@pytest.mark.parametrize("typed, taken, note", [
    (7.6, "8", "7.6 is not a whole number; using 8."),
    (12345678901.0, "2147483647", "12345678901 is outside 0–2147483647; using 2147483647."),
])
def test_a_typed_seed_is_written_in_the_address_as_a_whole_number(typed, taken, note):
    """The seed is a whole number in the address, whether typed, clamped or drawn by New seed (Streamlit writes a
    float set in code as 8.0), and its note writes a large number in full (it said 1.23456789e+10)."""
    at = open_page("pages/2_Signal_propagation.py")
    at.number_input(key="seed").set_value(typed).run()
    assert not at.exception and at.query_params["seed"] == taken
    assert [w.value for w in at.warning if w.value.startswith(note.split(" ")[0])] == [note]


def test_reset_this_lesson_restores_its_defaults_and_empties_the_address():
    """A compare session at 100 × 1024 on the Weights tab with the log axis, reached from a classic: one press
    and every control, the tab and the classic are back where the lesson starts, and the URL holds nothing."""
    page = "pages/2_Signal_propagation.py"
    fresh = open_page(page)
    start = {w.key: w.value for w in fresh.get("slider") + fresh.get("selectbox") + fresh.get("toggle")}
    at = open_page(page, depth="100", width="1024", compare=["he_normal", "small_normal"], view="Weights",
                   log_axis="true", activation="ReLU", seed="7")
    at.selectbox(key="preset").select("cs231n_small").run()
    at.button(key="reset_lesson").click().run()
    assert not at.exception
    now = {w.key: w.value for w in at.get("slider") + at.get("selectbox") + at.get("toggle")}
    assert now == start and at.multiselect(key="compare").value == [] and at.number_input(key="seed").value == 0
    assert at.session_state["view"] == "Activations"
    assert [box.value for box in at.info] == [box.value for box in fresh.info]  # the verdict, and no story box
    assert {k: v for k, v in at.query_params.items() if not k.startswith("_")} in ({}, {"view": ["Activations"]})


def test_a_classic_names_a_scheme_as_its_paper_does():
    """Glorot & Bengio's classic draws U[±1/√n] through Custom variance scaling (scale 1/3, fan-in, uniform):
    its legend and its verdict call it the paper's 'standard' initialization; moved off those settings, it is
    Custom variance scaling again."""
    preset = presets.PRESETS["glorot_bengio"]
    at = open_page("pages/2_Signal_propagation.py", **presets.link("glorot_bengio"))
    names = {t.get("name") for t in figures(at)[0]["data"]}
    paper = theme.scheme_label("variance_scaling", preset["settings"])
    assert paper.startswith("'standard' U[±1/√n]") and paper in names and "Custom variance scaling" not in names
    assert any(row == paper for row in verdict_rows(at).initialization)
    assert f"These settings are {paper}." in [c.value for c in at.sidebar.caption]  # and so do its controls
    moved = open_page("pages/2_Signal_propagation.py", **presets.link("glorot_bengio") | dict(scale="0.5"))
    assert "Custom variance scaling" in {t.get("name") for t in figures(moved)[0]["data"]}
    assert not any(paper in c.value for c in moved.sidebar.caption)


# Views whose words and charts hold many numbers: every page, and the states where numbers get extreme.
NUMBER_SCAN = [(page, {}) for page in [None, *PAGES]] + [
    ("pages/2_Signal_propagation.py", dict(scheme="large_normal", activation="ReLU", view="Table")),
    ("pages/2_Signal_propagation.py", dict(scheme="small_normal", compare=["he_normal", "large_normal"],
                                           view="Gradients")),
    ("pages/4_Training_lab.py", dict(depth="30", width="128")),
    ("pages/3_Symmetry.py", dict(scheme="large_normal", std="10", activation="SELU"))]
EXPONENT = re.compile(r"\d[eE][+-]?\d")  # 1e-05: the way Python and Plotly write, not the app
HYPHEN_MINUS = re.compile(r"(?<![\w\]\)/])-\d")  # -0.5 where the app writes −0.5 (a true minus sign)
DOUBLE_TIMES = re.compile(r"×\s*\d[\d.]* × 10")  # ×1.02 × 10⁻⁵⁵
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\d.])")


def words_and_numbers(at: AppTest) -> list[str]:
    """Every piece of text a page shows: its words, its alerts and metrics, its tables' cells, and in its charts the
    titles, tick labels, notes, legend names and hover texts."""
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title")
             for e in at.get(kind)]
    texts += [m.value for m in at.metric]
    for frame in [*at.dataframe, *at.table]:
        texts += [str(v) for column in frame.value.columns if frame.value[column].dtype == object
                  for v in frame.value[column]]
    for spec in figures(at):
        layout = spec["layout"]
        texts += [a.get("text", "") for a in layout.get("annotations", [])]
        texts += [str(t) for key, axis in layout.items() if key[1:5] == "axis" for t in axis.get("ticktext", [])]
        for trace in spec["data"]:
            texts += [trace.get("name") or "", trace.get("hovertemplate") or ""]
            texts += [str(t) for t in trace.get("text") or [] if isinstance(t, str)]
    return texts


@pytest.mark.parametrize("page, query", NUMBER_SCAN)
def test_every_number_on_a_page_is_written_the_one_way(page, query):
    at = open_page(page, **query)
    wrong = []
    for text in words_and_numbers(at):
        text = re.sub(r"\$[^$]*\$|%\{[^}]*\}", "", text)  # LaTeX, and Plotly's placeholders (checked apart)
        wrong += [(kind, text[:90]) for kind, rule in (("exponent", EXPONENT), ("hyphen for minus", HYPHEN_MINUS),
                                                       ("× twice", DOUBLE_TIMES)) if rule.search(text)]
        wrong += [("digits", text[:90]) for d in DECIMAL.findall(text) if len(d.replace(".", "").lstrip("0")) > 4]
    assert wrong == []


D3_NUMBER_FORMAT = re.compile(r"%\{[^}:]+:[^}]*[efgrs]\}")  # %{x:.3g}: d3 writes 1e-05 and -1.50, not the app


@pytest.mark.parametrize("scheme, std, named", [("small_normal", "100", "Random normal, σ = 100"),
                                                 ("large_normal", "0.001", "Random normal, σ = 0.001"),
                                                 ("small_normal", "0.01", "Small random"),
                                                 ("large_normal", "10", "Large random")])
def test_a_scheme_named_for_its_size_is_named_by_its_sigma_at_another(scheme, std, named):
    """"Small random" at σ = 100 explodes: a scheme named for the size of its σ, given another σ, is named by it in
    the legend, the verdict and the sidebar, so that no name contradicts what the page shows."""
    at = open_page("pages/2_Signal_propagation.py", activation="relu", depth="10", scheme=scheme, std=std)
    assert not at.exception and named in {t.get("name") for t in figures(at)[0]["data"]}
    assert any(named in element.value for element in [*at.success, *at.warning, *at.error, *at.info])
    others = {"Small random", "Large random"} - {named}
    assert not any(other in element.value for element in at.markdown for other in others)


@pytest.mark.parametrize("page, query", NUMBER_SCAN + [("pages/4_Training_lab.py", dict(view="Decision boundary"))])
def test_a_hover_label_leaves_numbers_to_the_axis_or_the_formatter(page, query):
    """Hover labels write numbers by the app's formatter (sent as text) or by the axis, which writes them as its
    ticks do (a true minus sign, powers of ten): never by a d3 format of their own."""
    at = open_page(page, **query)
    templates = [trace.get("hovertemplate") or "" for spec in figures(at) for trace in spec["data"]]
    assert [t for t in templates if D3_NUMBER_FORMAT.search(t)] == []


def test_schemes_stopped_by_one_cause_are_told_it_once():
    """Under sigmoid, Xavier and He stall for the same reason: one paragraph names both, and the setting it
    offers was tried on both."""
    at = open_page("pages/4_Training_lab.py", activation="Sigmoid", depth="5")
    said = [w for w in lab_warnings(at) if "sigmoid saturates" in w]
    assert len(said) == 1 and said[0].startswith("**Xavier/Glorot normal** and **He/Kaiming normal** stall at ln 2")
    assert "Xavier/Glorot normal ends at loss" in said[0] and "He/Kaiming normal ends at loss" in said[0]


def test_the_lab_plays_its_runs_as_a_film_told_in_sentences():
    """Under the loss chart, a film of every run (frames the browser plays), the layer heatmaps of what the
    learner picks, and a sentence for each run whose film shows a lesson; a link picks the heatmaps too."""
    at = open_page("pages/4_Training_lab.py")
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "epoch by epoch" in c.proto.spec)
    assert "activations" in spec["layout"]["title"]["text"] and 2 <= len(spec["frames"]) <= 41
    told = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert "**Zeros**: from epoch 0" in told and "**He/Kaiming normal**" in told
    weights = open_page("pages/4_Training_lab.py", film="weights")
    spec = next(json.loads(c.proto.spec) for c in weights.get("plotly_chart") if "epoch by epoch" in c.proto.spec)
    assert "weights W_l" in spec["layout"]["title"]["text"]
    odd = open_page("pages/4_Training_lab.py", film="biases")
    assert not odd.exception and any("film='biases' is not one of the choices" in w.value for w in odd.warning)


def test_new_seed_draws_the_lab_again_and_the_address_keeps_it():
    at = open_page("pages/4_Training_lab.py", seed="41")
    before = at.dataframe[-1].value.copy()
    at.button(key="new_seed").click().run()
    assert not at.exception and at.number_input(key="seed").value == 42 and at.query_params["seed"] == "42"
    assert not at.dataframe[-1].value.equals(before)  # another draw trains to other numbers
    last = open_page("pages/4_Training_lab.py", seed=str(controls.SEEDS - 1))
    last.button(key="new_seed").click().run()
    assert last.number_input(key="seed").value == 0


def test_a_press_sent_before_the_last_one_was_drawn_still_counts():
    """Each press of New seed carries the page's controls as the reader's screen shows them. Pressed quickly, a press
    leaves before the seed the last one set reaches the screen, and it carried that earlier seed back: Streamlit
    takes the reader's value over the one a callback set, and the press drew the seed the last one had drawn (three
    quick presses from 100 ended on 102 in a CI run). A press that carries a seed an earlier quick press moved on
    from counts from the last one drawn; a seed the reader typed counts from itself."""
    at = open_page("pages/4_Training_lab.py", depth="2", width="8", epochs="5", seed="100")
    at.button(key="new_seed").click().run()
    assert at.number_input(key="seed").value == 101
    at.number_input(key="seed").set_value(100.0)  # the screen has not caught up: the press carries 100
    at.button(key="new_seed").click().run()
    assert not at.exception and at.number_input(key="seed").value == 102 and at.query_params["seed"] == "102"
    at.number_input(key="seed").set_value(101.0)  # one press behind
    at.button(key="new_seed").click().run()
    assert at.number_input(key="seed").value == 103
    at.number_input(key="seed").set_value(7.0).run()  # typed: a seed of the reader's own
    at.button(key="new_seed").click().run()
    assert at.number_input(key="seed").value == 8


@pytest.mark.parametrize("activation, zeros_learn", [("relu", False), ("tanh", False), ("sigmoid", True)])
def test_the_lab_s_opening_says_what_zero_weights_do_under_its_activation(activation, zeros_learn):
    """Zero weights do no better than ln 2 where f(0) = 0; under sigmoid (f(0) = ½) the output layer learns, the
    hidden units staying copies of one another: the page's first words say the one that its own runs show."""
    run = initcore.train(dataset="moons", depth=2, width=16, activation=activation, scheme="zeros", epochs=100, lr=1.0)
    assert (run.history.loss.iloc[-1] < 0.9 * np.log(2)) == zeros_learn and run.distinct_neurons == [1, 1]
    at = open_page("pages/4_Training_lab.py", activation=activation, depth="2", width="8")
    opening = next(m.value for m in at.markdown if m.value.startswith("Same data"))
    assert ("Zero weights learn only what one unit could" in opening) == zeros_learn
    assert ("Zeros never learn: only the output's bias can move, so the best they do is a coin flip's loss, ln 2"
            in opening) != zeros_learn


def test_the_lab_sweeps_learning_rates_and_shows_which_train_each_scheme():
    """Off until asked (eight trainings per scheme); then a heatmap, scheme × learning rate, of the final loss:
    He trains over a band of rates, zero weights at none; a network too large for the sweep's budget says so."""
    at = open_page("pages/4_Training_lab.py", sweep="true", schemes=["zeros", "he_normal"])
    chart = next(c for c in at.get("plotly_chart") if "Final loss by learning rate" in c.proto.spec)
    spec = json.loads(chart.proto.spec)
    rows = spec["data"][1]["y"]
    assert rows == ["Zeros", "He/Kaiming normal"] and spec["data"][1]["x"][0] == "0.001"
    said = chart.proto.alt
    assert "Zeros: trains at none" in said and re.search(r"He/Kaiming normal: trains at [2-8] of 8", said)
    caption = next(c.value for c in at.caption if c.value.startswith("Along each scheme's row"))
    assert re.search(r"Here He/Kaiming normal trains at [2-8] of 8 .*; Zeros trains at none", caption)
    huge = open_page("pages/4_Training_lab.py", sweep="true", depth="30", width="128")
    assert not huge.exception and any("do not fit the training budget" in w.value for w in huge.warning)
    assert "Final loss by learning rate" not in json.dumps([c.proto.spec for c in open_page(
        "pages/4_Training_lab.py").get("plotly_chart")])


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_constant_weights_get_no_projection_from_a_theory_of_nan(activation):
    """Constant weights have no variance: theory's way back is NaN but at the top layer. It projects nothing (it
    said "theory says it vanishes (×NaN)") and draws no lone point for a line."""
    at = open_page("pages/2_Signal_propagation.py", home_first=False, depth="5", width="3", activation=activation,
                   scheme="constant", compare="Constant")
    said = " ".join(e.value for e in [*at.success, *at.warning, *at.error, *at.info, *at.markdown])
    table = " ".join(verdict_rows(at).to_string().split()) if at.table else ""
    assert not at.exception and "NaN" not in said + table and "theory says" not in said
    runs, _, backward, _ = lessons.propagation_curves(
        dict(depth=5, width=3, activation=activation, batch=256, seed=0), {"constant": {"value": 0.5}})
    assert backward[0].theory is None


@pytest.mark.parametrize("conv, layers, share", [("1d", "nn.Conv1d, Keras' Conv1D", "about half as many"),
                                                 ("2d", "nn.Conv2d, Keras' Conv2D", "about a quarter as many")])
def test_the_convolution_s_caption_names_its_own_layers_and_stride(conv, layers, share):
    at = open_page("pages/5_Choosing_an_initializer.py", home_first=False, conv=conv)
    said = " ".join(c.value for c in at.caption)
    assert not at.exception and layers in said and share in said


@pytest.mark.parametrize("depth", [3, 10, 50])
def test_a_change_one_layer_makes_gets_the_same_word_at_every_depth(depth):
    """×0.4 between layers 1 and 2, level after: "fades, nearly all of it between layers 1 and 2" at any depth, where
    its factor a layer (×0.63 at 3 layers, ×0.981 at 50) had made it "fades" at 3 and "steady" at 50."""
    from ui.lessons import judge

    judged = judge(np.array([2.5] + [1.0] * (depth - 1)), "up")
    assert judged.word == "fades" and judged.step == 1
    assert judge(np.array([1.02] + [1.0] * (depth - 1)), "up").word == "steady"  # within a layer's ×1.1: no change


@pytest.mark.parametrize("seed", range(8))
def test_a_chance_dip_or_a_chance_lull_is_not_told_as_a_trend(seed):
    """He on ReLU keeps the signal: theory's factor is 1 at every layer, and a simulation's Var z wanders about it
    as a random walk. Uniform or normal, at any seed, it is steady; He uniform at seed 0 dips ×0.434 over layers
    45 to 49 by chance and had been told it "fades, nearly all of it between layers 45 and 49" beside He normal's
    steady. SELU under He grows ×1.1 a layer by theory and explodes, uniform or normal; He uniform's top layers
    had grown ×1 a layer by chance and been told they level off ("grows")."""
    from ui.lessons import judge

    for scheme in ("he_uniform", "he_normal"):
        relu = initcore.simulate(depth=50, width=256, activation="relu", scheme=scheme, seed=seed).layers.pre_var
        assert judge(relu.to_numpy(), "up").word == "steady", (scheme, str(judge(relu.to_numpy(), "up")))
        selu = initcore.simulate(depth=50, width=256, activation="selu", scheme=scheme, seed=seed).layers.pre_var
        assert judge(selu.to_numpy(), "up").word == "explodes", (scheme, str(judge(selu.to_numpy(), "up")))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_a_change_a_few_first_layers_make_gets_the_same_word_at_every_depth(activation):
    """Under tanh, n_in·Var(W) = 2.54 (the scale that holds the signal) takes Var z from 2.54 at layer 1 to 1.42,
    1.16, 1.07 and then about 1: ×0.394 over 10 layers and over 50. The Choosing page said "fades" at 10 and "steady"
    at 50 in one sentence, the factor a layer (×0.91, ×0.981) deciding, where a change made by one layer was already
    told as that layer's: now one made by a few first layers is told as theirs too."""
    from ui import cached

    steady = lessons.steady_scale(activation, initcore.ACTIVATIONS[activation].recommended)
    params = dict(scale=round(steady["signal"], 4), mode="fan_in", distribution="normal")
    words = {}
    for depth in (10, 50):
        pre, _ = cached.predicted(depth, 256, activation, "variance_scaling", params)
        judged = lessons.judge(pre, "up")
        words[depth] = judged.word
        assert judged.step == 1 and 2 <= judged.steps <= lessons.FEW_STEPS, judged
        assert f"nearly all of it between layers 1 and {1 + judged.steps}" in str(judged)
    assert words == {10: "fades", 50: "fades"}
    _, sentence = lessons.outlook(activation, "variance_scaling", params=params)
    assert "steady" not in sentence.split("50 layers")[1].split("gradient")[0], sentence
    # and, with no chart beside it, the outlook says where: the first layers, then the signal holds
    held = r"50 layers: Var z \*\*×0\.\d+\*\* \(fades between layers 1 and \d, then holds\)"
    assert re.search(held, sentence), sentence


@pytest.mark.parametrize("activation, scheme, params", [
    ("tanh", "he_normal", {}), ("sigmoid", "xavier_normal", {}),
    ("tanh", "variance_scaling", dict(scale=2.5363, mode="fan_in", distribution="normal"))])
def test_a_simulated_change_a_few_first_layers_make_gets_the_same_word_at_every_depth(activation, scheme, params):
    """Signal propagation's own runs, sampling noise and all: tanh under He falls from 1.97 to about 0.62 over its
    first five layers and then holds, ×0.31 at 10, 20 and 50 layers. It was "fades" at 10 and "steady" at 20 and 50:
    the noise of the flat layers (±2 %, ±15 % under sigmoid), summed step by step, hid that the first layers made the
    change. What the Choosing page says of 50 layers, the page it links to says too. (Sigmoid's level is its mean's,
    the same for every input: the page's verdict leads with what that hides, ``var_z_verdict``.)"""
    words = set()
    for depth in (10, 20, 50):
        run = initcore.simulate(depth=depth, width=256, activation=activation, scheme=scheme, **params)
        forward = var_z_verdict(run)
        words.add(forward.word)
        assert forward.step is not None and "nearly all of it between layers" in str(forward), (depth, str(forward))
    assert words == {"fades"}
    _, sentence = lessons.outlook(activation, scheme, params=params)
    assert "50 layers: Var z" in sentence and "(fades" in sentence.split("50 layers: Var z")[1], sentence


def test_a_network_already_past_a_band_is_not_told_what_theory_says_of_a_deeper_one():
    """ELU under Xavier, 49 layers: below the chart's band from layer 27, and the verdict said so, then added "but
    theory says it vanishes by layer 27", a deeper network's fate the chart already shows of this one."""
    run = initcore.simulate(depth=49, width=256, activation="elu", scheme="xavier_normal")
    forward, _ = lessons.judge_run(run)
    assert forward.band and "below the chart's band" in str(forward)
    assert not forward.projection and "theory says" not in str(forward), str(forward)


def test_sampling_noise_is_not_told_as_a_change_a_few_layers_make():
    """SELU under LeCun holds its signal: ×1.06, ×0.892 and ×1.01 over 10, 20 and 50 layers of 128 units, the
    difference sampling noise. At 20 layers a level that the noise shifted between layers 12 and 15 had been told as
    "fades, nearly all of it between layers 12 and 15"; a change told as a few layers' is now past ×2."""
    for depth in (10, 20, 50):
        run = initcore.simulate(depth=depth, width=128, activation="selu", scheme="lecun_normal", batch=128)
        forward, _ = lessons.judge_run(run)
        assert forward.word == "steady" and forward.step is None, (depth, str(forward))


@pytest.mark.parametrize("width, rows", [(None, False), (600, True), (1000, False)])
def test_the_film_lays_its_runs_in_rows_where_the_browser_measures_a_column_too_narrow_for_columns(width, rows):
    """A desktop's User-Agent draws the lab's five runs side by side, until the browser measures the page's column
    (``ui.viewport``): under the 716 px that five columns need (a 1024 px window with its sidebar open), one row per
    run, as on a phone."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/4_Training_lab.py")
    if width is not None:
        at.session_state[viewport.KEY] = {"width": width}
    at.run()
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "epoch by epoch" in c.proto.spec)
    assert not at.exception and (spec["layout"]["height"] > film.Grid.wide(5).height) == rows


@pytest.mark.parametrize("width, narrow", [(None, False), (450, True), (1000, False)])
def test_the_sweep_and_the_phase_plane_take_a_phone_s_layout_where_the_column_is_measured_narrow(width, narrow):
    """A desktop window of 820 px with its sidebar open leaves the page a column of about 450 px, where the sweep's
    eight columns of numbers printed over each other and the phase plane's names ran into one another ("Xavier,
    LeCunHe"): the phone's layouts, chosen by the User-Agent alone, were not used. Each now follows the column the
    browser measures (``ui.viewport``), as the film does."""
    def opened(page: str, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.run()
        at.switch_page(page)
        at.query_params.update(query)
        if width is not None:
            at.session_state[viewport.KEY] = {"width": width}
        return at.run()

    lab = opened("pages/4_Training_lab.py", sweep="1", depth="2", width="8", epochs="10")
    sweep = next(json.loads(c.proto.spec) for c in lab.get("plotly_chart") if "learning rate" in c.proto.spec.lower()
                 and '"heatmap"' in c.proto.spec)
    schemes_across = "Zeros" in json.dumps(sweep["data"][-1].get("x", []))
    assert not lab.exception and schemes_across == narrow
    plane = opened("pages/7_Order_and_chaos.py")
    phase = next(json.loads(c.proto.spec) for c in plane.get("plotly_chart") if '"colorbar"' in c.proto.spec)
    bar = next(t["colorbar"] for t in phase["data"] if "colorbar" in t)
    assert not plane.exception and (bar.get("orientation") == "h") == narrow


def _left_out_notes(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast if ", as it now stands; " in toast.value]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_a_link_s_name_that_no_control_of_the_page_reads_is_left_out_with_a_note(page):
    """A typo in a link (``dept=30``) had stayed in the address, passed on with every copy, while the page showed
    its default: it is taken out, and a note says which value of the link was left out. The page's own link, and
    every classic's, leave nothing out."""
    at = open_page(page, home_first=False, dept="30")
    assert not at.exception
    lesson = "the home page" if page is None else next(label for path, label, *_ in LESSONS if path == page)
    assert _left_out_notes(at) == [f"This link's dept=30 is not a setting of {lesson}, as it now stands; it was left "
                                   "out of the address."]
    assert "dept" not in at.query_params
    plain = open_page(page, home_first=False)
    assert not plain.exception and not _left_out_notes(plain)


def test_a_name_no_control_reads_given_twice_is_told_with_both_values():
    """``dept=30&dept=40`` had been told as "dept=40" alone: both are left out of the address, and both are named."""
    at = open_page("pages/3_Symmetry.py", home_first=False, dept=["30", "40"])
    assert _left_out_notes(at) == ["This link's dept=30, dept=40 are not settings of Symmetry, as it now stands; they "
                                   "were left out of the address."]


@pytest.mark.parametrize("name", ["preset", "_lesson"])
def test_a_link_s_name_that_is_a_key_of_the_session_but_no_control_s_url_name_is_left_out(name):
    """The classics' box keeps its pick under ``preset``, and its link name is ``classic``: ``preset=foo`` is no
    setting, and had stayed in the address without a word, since a name the session holds was taken for a control
    not drawn this run. Only a control's URL name is left to Streamlit that way."""
    at = open_page("pages/4_Training_lab.py", **{name: "foo"})
    written = f"`{name}`" if "_" in name else name  # quoted as code where Markdown could read it (``literal``)
    assert _left_out_notes(at) == [f"This link's {written}=foo is not a setting of Training lab, as it now stands; it "
                                   "was left out of the address."]
    assert name not in at.query_params


@pytest.mark.parametrize("page, classic", [("pages/2_Signal_propagation.py", "glorot_bengio"),
                                           ("pages/2_Signal_propagation.py", "cs231n_small"),
                                           ("pages/8_Deep_networks_in_practice.py", "layernorm_tanh")])
def test_a_classic_s_link_that_picks_another_scheme_is_not_told_of_the_classic_s_scheme_settings(page, classic):
    """classic=Glorot & Bengio&scheme=He: the link gives a scheme of its own, and the classic's other settings come
    with it, but not its scheme's (scale, mode, distribution; σ): the page had written them into the address and
    then told the learner 'This link's scale=0.333…, mode=fan-in, distribution=uniform are not settings', values the
    link never had."""
    at = open_page(page, home_first=False, classic=classic, scheme="he_normal")
    assert not at.exception and _left_out_notes(at) == []
    assert at.selectbox(key="scheme").value == "he_normal"
    settings = presets.PRESETS[classic]["settings"]
    assert at.slider(key="depth").value == settings["depth"]  # the classic's own settings, but its scheme


@pytest.mark.parametrize("classic", list(presets.PRESETS))
def test_every_classic_s_link_reads_all_of_its_names(classic):
    preset = presets.PRESETS[classic]
    at = open_page(preset["page"], home_first=False, **presets.link(classic))
    assert not at.exception and not _left_out_notes(at), [t.value for t in at.toast]


def test_a_setting_of_another_scheme_is_left_out_and_of_the_scheme_shown_is_kept():
    """σ is a setting of the small and large normal schemes only: with He it is left out, with small normal read."""
    he = open_page("pages/2_Signal_propagation.py", home_first=False, scheme="he_normal", std="3", dept="30")
    assert _left_out_notes(he) == ["This link's std=3, dept=30 are not settings of Signal propagation, as it now "
                                   "stands; they were left out of the address."]
    assert "std" not in he.query_params and "dept" not in he.query_params
    small = open_page("pages/2_Signal_propagation.py", home_first=False, scheme="small_normal", std="0.03")
    assert not _left_out_notes(small) and small.query_params["std"] == "0.03"


def test_a_scheme_within_a_hair_of_the_steady_scale_is_not_told_it_is_exactly_right():
    """Leaky ReLU (a = 0.01) keeps Var z with n_in·Var(W) = 2/(1 + a²) = 1.9998, not He's 2: the page wrote both as
    "2" and called He "exactly what it takes". It now writes 1.9998 and says how close He is; ReLU's He is exact."""
    from ui import lessons

    leaky = lessons.steady_scale("leaky_relu", "he_normal")["sentence"]
    assert "1.9998" in leaky and "exactly" not in leaky and "to within 0.01 %" in leaky, leaky
    relu = lessons.steady_scale("relu", "he_normal")["sentence"]
    assert "exactly what it takes" in relu and "**2**" in relu, relu


def test_the_verdict_table_keeps_where_a_curve_leaves_the_chart_s_bands():
    """A funnel's curve ends at Var z = 145, in the exploding band: the table said only "grows, ×37"; it now says
    where the curve leaves the bands, as the verdict sentence does, in short. A word that says it already (vanishes,
    explodes) needs no more, and keeps the table within a projector's width."""
    from ui.lessons import Judgement

    judged = Judgement("grows", change=37.0, per_layer=1.2, path="from layer 1 to layer 10",
                       band="above the chart's band, 100, from layer 6", band_at=("above", 6))
    assert judged.short() == "grows, ×37; above the band from layer 6"
    assert Judgement("steady", change=1.1).short() == "steady, ×1.1"
    gone = Judgement("vanishes", change=1e-15, band="below the chart's band, 0.01, from layer 3", band_at=("below", 3))
    assert gone.short() == "vanishes, ×10⁻¹⁵"


def test_a_curve_hidden_under_another_is_told():
    """Xavier and LeCun draw the same weights in layers of one width: compared, LeCun's curves are drawn over
    Xavier's, and a class asks where Xavier went. A caption says."""
    at = open_page("pages/2_Signal_propagation.py", compare=["He/Kaiming normal", "LeCun normal"])
    assert not at.exception
    said = [c.value for c in at.caption if "lie exactly under" in c.value]
    assert said == ["Xavier/Glorot normal's curves lie exactly under LeCun normal's: at these settings the two draw "
                    "the same weights."], [c.value for c in at.caption]
    alone = open_page("pages/2_Signal_propagation.py", compare=["He/Kaiming normal"])
    assert not [c.value for c in alone.caption if "lie exactly under" in c.value]


def test_a_classic_survives_a_round_trip_through_the_sidebar():
    """A lesson opened on a classic, left for the home page by the sidebar and opened again: the sidebar's link
    carries no address, and the controls came back holding the classic's settings while its story and its name in
    the box and the address were gone. Once a control moves, the classic is let go, as before."""
    at = open_page("pages/2_Signal_propagation.py", classic="CS231n: 0.01·randn")
    story = at.info[0].value
    at.switch_page("app.py")
    at.run()
    at.switch_page("pages/2_Signal_propagation.py")
    at.run()
    assert not at.exception and [i.value for i in at.info][:1] == [story]
    assert at.query_params["classic"] == "CS231n: 0.01·randn" and at.selectbox(key="preset").value == "cs231n_small"
    at.slider(key="depth").set_value(12).run()
    assert story not in [i.value for i in at.info] and "classic" not in at.query_params
