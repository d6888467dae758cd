"""Class mode (``?class=1``: predict, then reveal) and presenter mode (``?present=1``): the answers are read from the
view shown, the questions hold the chart back until answered, and the switches shrug off bad links."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest
from test_app import open_page

import initcore
from initcore import distributions
from initcore.propagation import view_batch
from ui import cached, classroom, figure, lessons, phase_data, phase_lessons, screen, theme
from ui.charts import EXPLODING, VANISHING
from ui.deep import story
from ui.theme import times

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {"pages/1_Weight_distributions.py": 1, "pages/2_Signal_propagation.py": 1, "pages/3_Symmetry.py": 2,
           "pages/4_Training_lab.py": 1, "pages/5_Choosing_an_initializer.py": 1, "pages/7_Order_and_chaos.py": 1,
           "pages/8_Deep_networks_in_practice.py": 1}  # each lesson that asks, and how many questions
CHARTLESS = {"pages/5_Choosing_an_initializer.py"}  # a lesson of tables: what it shows after are tables


def shown(at: AppTest, page: str) -> int:
    """What a question holds back on ``page``: its charts, or a lesson of tables' tables."""
    return len(at.dataframe) if page in CHARTLESS else len(at.get("plotly_chart"))
MIN_PROJECTOR_FONT = 18  # px: the smallest words on a chart read from the back of a room on a 1080p projector


def open_link(page: str | None = None, **query) -> AppTest:
    """A fresh session opened on ``page`` by a link carrying ``query``, as a student's browser opens it (after a
    visit to the home page, its switches would own the address's values)."""
    return open_page(page, home_first=False, **query)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def answer(at: AppTest, pick=lambda options: options[0]) -> AppTest:
    for question in at.radio:
        question.set_value(pick(question.options))
    return at.run()


def revealed(at: AppTest) -> list[str]:
    return [m.value for m in [*at.success, *at.warning] if m.value.startswith("**You said:**")]


# The answers, read from the view


def simulated(**settings) -> initcore.Propagation:
    return initcore.simulate(**dict(depth=50, width=128, activation="tanh", batch=128) | settings)


@pytest.mark.parametrize("settings, expected", [
    (dict(activation="relu", scheme="he_normal"), classroom.ABOUT_ONE),
    (dict(scheme="small_normal", std=0.01), classroom.TINY),  # "a safe small init": it is not
    (dict(activation="relu", scheme="large_normal", std=10.0), classroom.HUGE),
    (dict(activation="relu", scheme="xavier_normal"), None),  # whatever the run shows
    (dict(depth=1, scheme="xavier_normal"), classroom.ABOUT_ONE),
])
def test_the_signal_s_answer_is_where_the_run_ends_on_the_chart_s_bands(settings, expected):
    run = simulated(**settings)
    question = classroom.propagation(run, "it")
    last = run.layers.pre_var.iloc[-1]
    on_the_chart = (classroom.HUGE if run.exploded_at is not None or not np.isfinite(last) or last > EXPLODING
                    else classroom.TINY if last < VANISHING else classroom.ABOUT_ONE)
    edge = next((band for band in (VANISHING, EXPLODING) if 0.5 < last / band < 2), None)
    other = {VANISHING: classroom.TINY, EXPLODING: classroom.HUGE}.get(edge)
    assert question.right == ((on_the_chart,) if edge is None else (classroom.ABOUT_ONE, other))
    assert set(question.right) <= set(question.options) and expected in (None, on_the_chart)
    assert ("Small random weights, N(0, 0.01²), look like a safe start" in question.text) == (
        settings.get("scheme") == "small_normal")
    if settings.get("scheme") == "small_normal":
        assert question.why.startswith("Small is not safe.")


@pytest.mark.parametrize("seed", range(4))
def test_the_default_view_s_answer_does_not_hang_on_the_draw(seed):
    """Xavier's 50 tanh layers of 256 units end about the band's edge, 0.01, on one side or the other as the draw
    decides: "about 1" and "tiny" both count, whatever the seed, and the reveal says why."""
    network = dict(depth=50, width=256, activation="tanh", seed=seed)
    run = initcore.simulate(**network, batch=view_batch(256), scheme="xavier_normal")
    assert 0.5 < run.layers.pre_var.iloc[-1] / VANISHING < 2
    question = classroom.propagation(run, "Xavier/Glorot normal")
    assert question.right == (classroom.ABOUT_ONE, classroom.TINY) and "right at the band's edge" in question.truth


@pytest.mark.parametrize("fan_in, fan_out", [(256, 512), (1000, 10), (256, 256)])
def test_xavier_s_variance_is_told_from_lecun_s_by_the_scheme_table(fan_in, fan_out):
    table = distributions.scheme_table(("xavier_normal",), fan_in, fan_out)
    question = classroom.xavier(fan_in, fan_out, table.variance.iloc[0])
    lecun, xavier, he = question.options
    assert lecun.startswith("1/n_in") and xavier.startswith("2/(n_in + n_out)") and he.startswith("2/n_in")
    expected = (lecun, xavier) if fan_in == fan_out else (xavier,)  # a square layer: 1/n and Xavier's agree
    assert question.right == expected
    assert ("tell them apart" in question.why) == (fan_in == fan_out)
    assert question.truth == theme.number(2 / (fan_in + fan_out))


@pytest.mark.parametrize("distinct, expected", [(12, 0), (1, 1), (5, 2)])
def test_the_symmetry_answer_counts_the_units_the_run_kept_apart(distinct, expected):
    question = classroom.symmetry(distinct, 12, 50, "Constant", dict(seed=0))
    assert question.right == (question.options[expected],) and question.truth == f"{distinct} of 12"


@pytest.mark.parametrize("scheme, learns", [("xavier_normal", True), ("he_normal", True), ("constant", False),
                                            ("zeros", False)])
def test_zero_in_the_last_layer_is_fine_where_the_units_below_differ(scheme, learns):
    """Trained, not reasoned: a network whose output layer starts at zero learns over random hidden layers (Fixup's
    start) and not over hidden layers of copies, or of zeros."""
    run = cached.zero_output(scheme, "tanh", 12, 50, 0, {})
    question = classroom.zero_last_layer(run, 12, 50, scheme, {})
    copies = not learns and run["loss"][-1] < classroom.LEARNED_SHARE * run["loss"][0]  # copies that still fit a line
    assert question.right == (question.options[0 if learns else 1 if copies else 2],)
    assert question.truth.startswith("yes" if learns else "no")
    if copies:
        assert question.truth.startswith("no, not as 12 units") and "as far as one unit copied 12 times" in (
            question.truth) and question.right[0].startswith("only as one unit")


def test_a_zero_output_layer_starts_at_zero_over_the_same_hidden_draws():
    kw = dict(dataset="moons", depth=2, width=12, activation="tanh", scheme="xavier_normal", epochs=5, lr=0.5)
    fixup, plain = initcore.train(**kw, zero_output=True), initcore.train(**kw)
    assert not fixup.initial_weights[-1].any() and fixup.settings["zero_output"] is True
    for drawn, same in zip(fixup.initial_weights[:-1], plain.initial_weights[:-1]):
        np.testing.assert_array_equal(drawn, same)


@pytest.mark.parametrize("activation, sigma_w2, expected", [("tanh", 1.0, (1, 3)), ("relu", 2.0, 1), ("relu", 1.0, 3),
                                                             ("relu", 3.0, 4), ("gelu", 2.35, 4), ("tanh", 2.0, 2),
                                                             ("leaky_relu", 2.0, 1)])  # χ₁ = 1.0001: ×1.002 in 20
# ReLU at σ_w² = 1 without biases is fading, not ordered: its correlations move as they would at He's σ_w² = 2.
# ReLU at 3 (and GELU at 2.35) has χ₁ > 1 but no level to settle at (q* = ∞): exploding, as the page says, not chaotic
# tanh at 1 without biases is the edge of chaos at q* = 0, reached only in the limit: its signal fades too, and
# "fading", every clause of it true by the page's own readings (q* = 0, ξ_c = ∞), is right as well
def test_the_phase_answer_is_theory_s_at_the_point(activation, sigma_w2, expected):
    question = classroom.phase(initcore.theory.phase(activation, sigma_w2, 0.0), activation, sigma_w2, 0.0)
    assert question.right == tuple(question.options[k] for k in np.atleast_1d(expected))


@pytest.mark.parametrize("activation, sigma_w2, sigma_b2", [
    ("relu", 2.0, 0.5), ("leaky_relu", 2.0, 2.0), ("gelu", 2.0, 1.0), ("elu", 2.0, 0.0), ("leaky_relu", 2.0, 0.0),
    ("relu", 3.0, 0.0), ("tanh", 0.5, 0.0), ("tanh", 0.5, 0.05), ("tanh", 1.0, 0.0), ("relu", 1.5, 0.5),
    ("tanh", 3.0, 0.0), ("relu", 2.0000000001, 0.0)])
def test_the_phase_answer_is_the_page_s_verdict(activation, sigma_w2, sigma_b2):
    """ReLU at He's σ_w² = 2 with biases grows without bound by them (χ₁ = 1): the page says so, and class mode's
    answer, shown beside it, names the same phase rather than the edge of chaos."""
    point = phase_data.phase(activation, sigma_w2, sigma_b2)
    question = classroom.phase(point, activation, sigma_w2, sigma_b2)
    path = phase_data.path(activation, sigma_w2, sigma_b2)
    said = phase_lessons.verdict(point, sigma_b2, path)[1].split("**")[1].split()[0].strip(".:,")
    expected = {"Ordered": 0, "Critical": 1, "Chaotic": 2, "Fading": 3, "Growing": 4, "Exploding": 4}[said]
    fading_too = (question.options[3],) if said == "Critical" and point["q_star"] == 0 else ()  # the edge at q* = 0
    assert question.right == (question.options[expected], *fading_too)


# Class mode on the pages


@pytest.mark.parametrize("page, asked", LESSONS.items())
def test_a_class_link_asks_first_and_shows_the_chart_after_the_answer(page, asked):
    at = open_link(page, **{"class": "1"})
    before = shown(at, page)
    assert not at.exception and len(at.radio) == asked and (page in CHARTLESS or not before)
    assert dict(at.query_params)["class"] == "true"  # the address says it as the switch writes it
    at = answer(at)
    assert not at.exception and shown(at, page) > before and len(revealed(at)) == asked
    assert all("**It is:**" in said for said in revealed(at))


@pytest.mark.parametrize("page", LESSONS)
def test_without_the_flag_nothing_changes(page):
    at = open_link(page)
    assert not at.exception and not at.radio and shown(at, page)


def test_the_reveal_says_right_or_wrong_in_the_run_s_own_numbers():
    at = open_link("pages/2_Signal_propagation.py", **{"class": "1", "scheme": "small_normal"})
    right = answer(at, lambda options: classroom.TINY)
    assert right.success and revealed(right)[0].startswith(f"**You said:** {classroom.TINY}")
    assert "Small is not safe." in revealed(right)[0]
    wrong = answer(open_link("pages/2_Signal_propagation.py", **{"class": "1"}),
                   lambda options: classroom.HUGE)
    assert [m for m in wrong.warning if m.value.startswith("**You said:**")]


def test_an_answer_is_kept_until_its_settings_change():
    at = answer(open_link("pages/2_Signal_propagation.py", **{"class": "1"}))
    at.run()  # a rerun (another tab, the log axis): still answered
    assert at.radio[0].value is not None and at.get("plotly_chart")
    at.slider(key="depth").set_value(20).run()  # another network: asked again
    assert at.radio[0].value is None and not at.get("plotly_chart")
    assert "layer 20" in at.radio[0].label


def test_class_mode_follows_the_class_from_lesson_to_lesson_and_through_a_reset():
    at = open_link("pages/2_Signal_propagation.py", **{"class": "1"})
    at.switch_page("pages/3_Symmetry.py").run()
    assert at.session_state[classroom.CLASS] is True and len(at.radio) == 2
    at.button(key="reset_lesson").click().run()
    assert at.session_state[classroom.CLASS] is True and len(at.radio) == 2


@pytest.mark.parametrize("query, note", [
    ({"class": "banana"}, "class='banana' is not 1 or 0"),
    ({"present": "2"}, "present='2' is not 1 or 0"),
    ({"class": "<script>alert(1)</script>"}, "is not 1 or 0"),
    ({"present": ""}, "is not 1 or 0"),
    ({"class": "yes", "present": "ON"}, None),
    ({"class": "0", "present": "false"}, None),
])
def test_bad_switch_values_in_a_link_are_left_off_with_a_note(query, note):
    at = open_link("pages/2_Signal_propagation.py", **query)
    assert not at.exception
    notes = [w.value for w in at.warning if w.value.startswith("Link value")]
    assert any(note in said for said in notes) if note else notes == []
    expected = {key: value.lower() in ("yes", "on") for key, value in query.items()}
    assert {key: at.session_state[key] for key in query} == expected
    assert bool(at.radio) == expected.get("class", False)


# Presenter mode


def test_presenter_mode_draws_every_chart_s_words_projector_sized():
    for page in [None, *LESSONS, "pages/4_Training_lab.py"]:
        at = open_link(page, present="1")
        assert not at.exception and at.session_state[screen.PRESENT] is True
        for spec in figures(at):
            layout = spec["layout"]
            for axis in [key for key in layout if figure.AXIS_KEY.fullmatch(key)]:
                assert layout[axis]["tickfont"]["size"] >= MIN_PROJECTOR_FONT, (page, axis)
                assert layout[axis]["title"]["font"]["size"] >= MIN_PROJECTOR_FONT, (page, axis)


def test_presenter_mode_scales_the_words_and_the_room_around_them_once():
    plain = figure.new([go.Bar(x=[1, 2], y=[3, 4], width=0.5, textfont=dict(size=[10, 12]))], "T",
                       annotations=[dict(text="a", x=0, y=0, font=dict(size=12))])
    sent = plain.to_dict()
    large = figure.enlarged(plain, 1.5).to_dict()
    assert large["layout"]["height"] == 1.5 * sent["layout"]["height"]
    assert large["layout"]["margin"] == {side: 1.5 * px for side, px in sent["layout"]["margin"].items()}
    assert large["layout"]["xaxis"]["tickfont"]["size"] == 1.5 * sent["layout"]["xaxis"]["tickfont"]["size"]
    assert large["layout"]["annotations"][0]["font"]["size"] == 18
    assert large["data"][0]["textfont"]["size"] == [15, 18]
    assert large["data"][0]["width"] == 0.5  # a bar's width is in data units: kept
    assert large["layout"]["datarevision"] != sent["layout"]["datarevision"]  # its text grew: drawn anew


def test_out_of_presenter_mode_the_charts_are_as_before():
    spec = figures(open_link("pages/2_Signal_propagation.py"))[0]
    assert spec["layout"]["xaxis"]["tickfont"]["size"] == theme.SMALL_FONT["size"]


def test_presenter_mode_shows_tables_in_the_page_s_large_type():
    """The data grid draws its cells on a canvas at its own size, 14 px on a projector: in presenter mode a table is
    text in the page's large type, its columns headed by their labels and its numbers written as the grid writes
    them (``%.4g``); a laptop keeps the grid."""
    at = open_link("pages/1_Weight_distributions.py", present="1")
    assert not at.exception and not at.dataframe and len(at.table) == 1
    shown = at.table[0].value
    assert list(shown.columns[:3]) == ["scheme", "σ", "σ²"]
    assert shown["σ"].tolist()[:2] == ["0.01", "10"] and shown["σ²"].tolist()[:2] == ["0.0001", "100"]
    laptop = open_link("pages/1_Weight_distributions.py")
    assert len(laptop.dataframe) == 1 and not laptop.table


def test_a_presented_table_is_written_as_the_grid_shows_it():
    from streamlit import column_config as column

    from ui import show

    frame = pd.DataFrame(dict(layer=[1, 2], value=[0.123456, np.nan], note=["a", "b"], raw=[1.5, 2.5]))
    columns = dict(layer=column.NumberColumn("layer l", format="%d"), value=column.NumberColumn("v", format="%.4g"),
                   note=column.TextColumn("what"))
    shown = show.as_shown(frame, columns)
    assert shown.to_dict("list") == {"layer l": ["1", "2"], "v": ["0.1235", ""], "what": ["a", "b"],
                                       "raw": [1.5, 2.5]}


def test_the_switches_in_the_sidebar_turn_the_questions_and_presenter_mode_on_and_off():
    at = open_link("pages/2_Signal_propagation.py")
    at.toggle(key=classroom.CLASS).set_value(True).run()
    assert len(at.radio) == 1 and not at.get("plotly_chart") and dict(at.query_params)["class"] == "true"
    at.toggle(key=classroom.CLASS).set_value(False).run()
    at.toggle(key=screen.PRESENT).set_value(True).run()
    assert not at.radio and figures(at)[0]["layout"]["xaxis"]["tickfont"]["size"] >= MIN_PROJECTOR_FONT


def test_the_new_lessons_answers_are_their_own_numbers():
    """PyTorch's default over 20 ReLU layers (theory: ×6⁻¹⁹), a ResNet's doubling stream, the lab's lowest loss."""
    pytorch = classroom.framework_default(initcore.theory.predicted_pre_var(
        depth=20, width=256, activation="relu", scheme="pytorch_default"), "ReLU")
    assert pytorch.right == (pytorch.options[1],) and pytorch.truth.startswith(f"×{theme.number(6.0**-19)}")
    stream = initcore.simulate(depth=30, width=128, activation="relu", scheme="he_normal", residual=1.0,
                               batch=64).layers.stream_var.to_numpy()
    resnet = classroom.deep_network(stream, "30 ReLU layers")
    assert resnet.right == (resnet.options[2],)
    lab = classroom.lowest_loss({"Zeros": 0.693, "He": 0.21, "Large": float("nan")}, 100, ())
    assert lab.right == ("He",) and lab.truth == "He, at 0.21"


def test_a_factor_far_from_1_is_not_called_near_enough_to_1():
    """Five ReLU layers of 4 units under He end at the band's edge, ×0.0079 from layer 1, nearly all of it at the
    last step (1.88 to 0.0175): the reveal says so in the page's own verdict's words, not that it is "near enough
    to 1"; He's 50 layers of 256 are steady in them."""
    run = initcore.simulate(depth=5, width=4, activation="relu", scheme="he_normal")
    question = classroom.propagation(run, "He")
    assert question.options[0] in question.right  # about 1: inside the band (on its edge here)
    assert str(lessons.judge_run(run)[0]) in question.why
    assert "×0.00789 from layer 1 to layer 5, nearly all of it between layers 4 and 5" in question.why
    assert "near enough to 1" not in question.why and "steady" not in question.why
    steady = classroom.propagation(initcore.simulate(depth=50, width=256, activation="relu", scheme="he_normal"), "He")
    assert "Layer by layer, as the verdict below says: steady (" in steady.why


@pytest.mark.parametrize("settings, said", [
    (dict(depth=50, width=256, activation="tanh", scheme="large_normal"), "at layer 1 already"),  # a jump, then steady
    (dict(depth=50, width=2, activation="relu", scheme="he_normal", bias_std=0.5), "vanished"),
])
def test_the_reveal_tells_the_run_as_the_page_s_verdict_does(settings, said):
    """Large weights jump ×2.5·10⁴ at layer 1 and then hold: the reveal had said "each layer multiplied it by about
    ×1". A ReLU network of 2 units with biases goes exactly 0 at layer 5, and then holds its biases alone, the same for
    every input: the answer is no signal (tiny, or 0), where "about 1" had been the only right one."""
    run = initcore.simulate(**settings)
    question = classroom.propagation(run, "it")
    assert str(lessons.judge_run(run)[0]) in question.why and said in question.why
    if run.vanished_at is not None:
        assert question.right == (question.options[1],) and "no signal is left" in question.truth


def test_a_last_layer_switched_off_is_no_reason_to_mark_a_right_answer_wrong():
    """A ReLU funnel of 10 layers from 512 units ends in 2 units whose z fall below 0 for every input: every
    activation of layer 10 is exactly 0, yet Var z there is 0.0379, inside the "about 1" band, and ×0.019 of layer 1,
    inside "about the same". The question asks about z, so those are the answers; the reveal adds that nothing
    reaches the output. It had marked both wrong, and said each unit above "holds its bias alone", with no biases
    and no layer above. Below the last layer, with no biases, the layers above hold 0, and the reveal says so."""
    widths = initcore.network.shaped_widths("funnel", 10, 512)
    run = initcore.simulate(widths=widths, activation="relu", scheme="he_normal")
    assert run.vanished_at == 10 and classroom.VANISHING < run.layers.pre_var.iloc[-1] < 1
    question = classroom.propagation(run, "He")
    assert question.right == (classroom.ABOUT_ONE,) and "its bias alone" not in question.truth
    assert "every activation of layer 10 is exactly 0" in question.truth and "output" in question.truth
    stream = run.layers.stream_var.to_numpy()
    deep = classroom.deep_network(stream, "A funnel", run.vanished_at)
    assert deep.right == (deep.options[0],) and "bias" not in deep.why and "its bias alone" not in deep.truth
    assert "at layer 10 every activation is exactly 0, so the output gets nothing" in story(run)
    unbiased = initcore.simulate(depth=50, width=2, activation="relu", scheme="he_normal")
    assert unbiased.vanished_at < 50 and unbiased.layers.pre_var.iloc[-1] == 0
    question = classroom.propagation(unbiased, "He")
    assert question.right == (classroom.TINY,) and "exactly 0" in question.truth
    assert "its bias alone" not in question.truth
    deep = classroom.deep_network(unbiased.layers.stream_var.to_numpy(), "2 units", unbiased.vanished_at)
    assert deep.right == (deep.options[1],) and "bias" not in deep.why and "its bias alone" not in deep.truth


def test_the_framework_answer_s_reason_is_true_of_its_activation():
    """PyTorch's default under sigmoid: the signal settles (×0.255 over 20 layers, 'about the same'), and the reveal
    says why, not that each layer multiplies it by the shortfall, which it says under ReLU."""
    sigmoid = classroom.framework_default(initcore.theory.predicted_pre_var(
        depth=20, width=256, activation="sigmoid", scheme="pytorch_default"), "Sigmoid")
    assert sigmoid.right == (sigmoid.options[0],) and "settles" in sigmoid.why and "multiplies" not in sigmoid.why
    relu = classroom.framework_default(initcore.theory.predicted_pre_var(
        depth=20, width=256, activation="relu", scheme="pytorch_default"), "ReLU")
    assert "Under ReLU each layer multiplies the signal by about ×0.167." in relu.why  # a sixth of He's: 1/6
    values = initcore.theory.predicted_pre_var(depth=20, width=256, activation="gelu", scheme="pytorch_default")
    gelu = classroom.framework_default(values, "GELU")  # not a sixth: GELU keeps less of what it gets than ReLU
    assert f"each layer multiplies the signal by about {times((values[-1] / values[0]) ** (1 / 19))}." in gelu.why


def test_a_deep_network_s_answer_on_the_band_s_edge_counts_both_sides():
    """Xavier's 50 tanh layers end near ×0.01 (×0.0099 here): as on Signal propagation, another seed may end on
    either side of the edge, so both answers count; theory's numbers (the framework question) have no seed."""
    question = classroom.deep_network(np.array([1.0, 0.5, 0.0099]), "50 tanh layers")
    assert set(question.right) == {question.options[0], question.options[1]} and "edge" in question.truth
    far = classroom.deep_network(np.array([1.0, 1e-5]), "50 tanh layers")
    assert far.right == (far.options[1],)


def test_the_xavier_options_are_written_with_the_digits_that_tell_them_apart():
    """1/1022 and 2/(1022 + 1024) both read 9.78 × 10⁻⁴ to three digits, and the first was marked wrong beside a
    truth that read the same: the options take as many digits as tell different values apart."""
    question = classroom.xavier(1022, 1024, 2 / 2046)
    assert len(set(question.options)) == 3 and question.right == (question.options[1],)
    assert question.truth in question.right[0] and question.truth not in question.options[0]
    square = classroom.xavier(256, 256, 2 / 512)  # equal values stay one number, and both count
    assert len(square.right) == 2 and "0.00391" in square.options[0]


def test_the_zero_output_answer_names_no_misconception_and_counts_units_plainly():
    """Under zero hidden layers the answer is no, but not because the output layer is zero: the accepted option
    says only that this start cannot learn (it said "zero weights anywhere keep the units copies", the misconception
    the question corrects); a layer of copies is "all one unit", not "1 of 12 units differ"."""
    question = classroom.zero_last_layer(dict(loss=[0.69, 0.69], distinct=1), 12, 50, "Zeros", {})
    assert question.right == (question.options[2],) and "anywhere" not in question.right[0]
    assert "all one unit, copies of one another" in question.truth and "differ" not in question.truth
    learned = classroom.zero_last_layer(dict(loss=[0.69, 0.1], distinct=12), 12, 50, "He", {})
    assert learned.right == (learned.options[0],) and "12 distinct units" in learned.truth


def test_a_tie_for_the_lowest_loss_counts_every_start_in_it():
    """Five starts that all end at 0.6982 (a lab where nothing learned) are all right; one alone is not the best."""
    tied = classroom.lowest_loss({"Zeros": 0.6982, "He": 0.6982, "Large": 0.9}, 100, ())
    assert tied.right == ("Zeros", "He") and "ended at the same loss" in tied.why
    alone = classroom.lowest_loss({"Zeros": 0.693, "Large random": 0.255}, 100, ())
    assert alone.right == ("Large random",) and "usually" in alone.why  # no rule said against what happened


def test_losses_the_lab_s_table_shows_alike_tie_for_the_lowest():
    """Three starts stuck at a coin flip's ln 2, 2 × 10⁻⁸ apart, read 0.6932 in the lab's table: a student who
    picks any of them is right (Zeros had been the one answer, "winning" by 10⁻⁸, against the lab's own "zeros
    never learn"); a start that reads lower alone is still the one answer."""
    stuck = {"Zeros": 0.69316138, "Small random": 0.69316140, "Xavier": 0.69316337}
    tied = classroom.lowest_loss(stuck | {"Large random": 0.9}, 100, ())
    assert tied.right == ("Zeros", "Small random", "Xavier")
    assert "0.6932" in tied.truth and "to the four digits the table shows" in tied.why
    learned = classroom.lowest_loss(stuck | {"He": 0.69304}, 100, ())
    assert learned.right == ("He",) and learned.truth == "He, at 0.693"  # as the table shows 0.69304


def test_symmetry_s_answer_tells_units_that_collapsed_or_a_run_that_diverged_from_a_symmetry():
    """Two units that start different and end alike (switched off) are no symmetry that never broke; a diverged run
    has no unit computing a number, not "some of them"."""
    collapsed = classroom.symmetry(1, 2, 50, "Small random", {}, initial=2)
    assert collapsed.right == (collapsed.options[1],) and "this is no symmetry" in collapsed.why
    copies = classroom.symmetry(1, 2, 50, "Zeros", {}, initial=1)
    assert "Units that start equal" in copies.why
    diverged = classroom.symmetry(0, 2, 50, "Large random", {}, initial=2)
    assert diverged.right == (diverged.options[3],) and "overflowed" in diverged.why


def test_the_zero_output_layer_s_reason_is_the_run_s():
    """A run that diverged is not called copies of one unit, and one whose units differ but trained too briefly is
    not said to start as copies."""
    diverged = classroom.zero_last_layer(dict(loss=[0.693, float("nan")], distinct=0), 2, 50, "Large random", {})
    assert "overflowed" in diverged.why and "copies" not in diverged.truth + diverged.why
    brief = classroom.zero_last_layer(dict(loss=[0.693, 0.672], distinct=12), 12, 1, "He", {})
    assert brief.right == (brief.options[2],) and "not what holds it back" in brief.why and "copies" not in brief.why


def test_copies_whose_loss_halves_are_not_told_they_cannot_learn():
    """Symmetry's default (Constant, tanh): with the output layer at zero the loss falls from 0.693 to 0.322 while the
    units stay copies. "Cannot learn" had been the answer beside that halving loss: it is "only as one unit"."""
    copies = classroom.zero_last_layer(dict(loss=[0.693, 0.322], distinct=1), 12, 50, "Constant", {})
    assert copies.right == (copies.options[1],) and copies.right[0].startswith("only as one unit")
    assert "cannot learn" not in copies.right[0] and "from 0.693 to 0.322" in copies.truth


def test_the_phase_reveal_writes_chi_beside_1_as_the_page_does():
    """ELU at σ_w² = 1.05 has χ₁ = 1.0001, chaotic: the reveal said "χ₁ = 1: chaotic" beside the option "(χ₁ > 1)"."""
    point = initcore.theory.phase("elu", 1.05, 0.0)
    question = classroom.phase(point, "ELU", 1.05, 0.0)
    assert question.truth.startswith(phase_lessons.against_one(point["chi1"])) and "χ₁ = 1:" not in question.truth
    assert "sigmoid, whose f(0) = ½, keeps one" in question.why


def test_small_random_is_introduced_as_safe_only_where_it_is_small_for_the_layer():
    """N(0, 0.1²) over 1024 inputs is n·σ² = 10 a layer: no lead-in that calls it safe, and the reveal says why."""
    big = classroom.propagation(initcore.simulate(depth=50, width=1024, activation="relu", scheme="small_normal",
                                                  std=0.1, batch=64), "Small random")
    assert "look like a safe start" not in big.text and "Small is relative" in big.why
    small = classroom.propagation(initcore.simulate(depth=50, width=256, activation="tanh", scheme="small_normal"),
                                  "Small random")
    assert "look like a safe start" in small.text and small.why.startswith("Small is not safe.")


def test_the_deep_network_reveal_names_a_jump_at_layer_1():
    """Large weights under tanh take the input's 1 to 2.5·10⁴ at layer 1 and then hold: the question asks from the
    first layer on ("about the same"), and the reveal says what the first layer did, as the page's table does."""
    run = initcore.simulate(depth=20, width=256, activation="tanh", scheme="large_normal")
    question = classroom.deep_network(run.layers.stream_var.to_numpy(), "20 tanh layers")
    assert question.right[0] == question.options[0]
    assert "the first layer alone took the input's variance" in question.why
    he = initcore.simulate(depth=20, width=256, activation="relu", scheme="he_normal")
    assert "first layer alone" not in classroom.deep_network(he.layers.stream_var.to_numpy(), "20 ReLU layers").why


def test_the_deep_network_answer_is_no_signal_where_the_page_says_it_vanished():
    """A funnel of ReLU layers with biases goes exactly 0 at layer 9; above it each unit holds its bias alone: the
    story says the signal vanishes, and class mode's answer is no longer "about the same" (×0.122). Zero weights'
    zeros are said as such, not as "far smaller: far smaller"."""
    at = open_link("pages/8_Deep_networks_in_practice.py", **{"class": "1", "shape": "funnel (halving)",
                                                             "bias_std": "0.5", "scheme": "He/Kaiming normal"})
    at = answer(at, lambda options: next(o for o in options if o.startswith("far smaller")))
    assert any("no signal is left" in said.value for said in at.success), revealed(at)  # answered right
    zeros = classroom.deep_network(np.zeros(3), "3 sigmoid layers")
    assert zeros.truth == "exactly 0 at every layer: there is no signal to change"


@pytest.mark.parametrize("values, least, expected", [((1 / 1022, 2 / 2046, 2 / 1022), 3, 4),
                                                     ((1.9998, 2.0, 2.0), 4, 5), ((2.0, 2.0, 1.0), 4, 4)])
def test_as_many_digits_as_tell_different_values_apart(values, least, expected):
    """One rule for every page that writes numbers side by side: the fewest digits, at least those asked, at which
    values that differ read differently (equal ones may read alike)."""
    from ui.theme import digits_apart, number

    digits = digits_apart(values, least)
    assert digits == expected
    written = {number(v, digits) for v in values}
    assert len(written) == len({round(v, 12) for v in values})


def test_the_deep_networks_question_names_the_biases_it_asks_about():
    """Class mode on Deep networks with σ_b = 0.3: the question described the network without its biases, and the
    verdict under the chart then spoke of them."""
    at = open_link("pages/8_Deep_networks_in_practice.py", **{"class": "1", "bias_std": "0.3"})
    assert not at.exception and "biases of σ_b = 0.3" in at.radio[0].label
    plain = open_link("pages/8_Deep_networks_in_practice.py", **{"class": "1"})
    assert "biases" not in plain.radio[0].label


def test_the_deep_network_reveal_says_what_a_steady_var_z_hides():
    """Deep networks, tanh under Xavier with σ_b = 0.5: Var z changes ×0.4 over 50 layers, "about the same", the right
    answer; the part that tells inputs apart falls ×10⁻¹². The reveal had stopped at the factor: it now says what the
    answer hides, with the story's own number. Without biases it says nothing of the kind."""
    run = initcore.simulate(depth=50, width=256, activation="tanh", scheme="xavier_normal", bias_std=0.5, batch=256)
    stream = run.layers.stream_var.to_numpy()
    question = classroom.deep_network(stream, "50 tanh layers", None, run)
    held = lessons.held_by_shared(run)
    assert question.right == (question.options[0],)
    assert "almost none of it tells one input from another" in question.truth
    assert f"falls {times(held.change)}." in question.why and f"falls {times(held.change)}." in story(run)
    plain = initcore.simulate(depth=50, width=256, activation="tanh", scheme="xavier_normal", batch=256)
    assert "tells one input" not in classroom.deep_network(plain.layers.stream_var.to_numpy(), "50 tanh layers",
                                                           None, plain).truth
