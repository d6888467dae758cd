"""Tables as the pages show them: every engine column gets a readable header, and nothing reads as a blank."""

import math

import numpy as np
import pandas as pd
import pytest

import initcore
from initcore.propagation import COLUMNS
from ui import tables, theme
from ui.theme import number


def test_every_column_of_the_layer_table_has_a_header_and_its_definition():
    """Every engine column is shown, or said in the events column, except the mean of z (about 0: CSV only) and the
    sampling error of Var z (the page's opening gives it at layer 1 and where it is largest; the CSV, every layer's):
    a tenth column would not fit a laptop's page."""
    assert set(tables.LAYER_COLUMNS) - {"events"} | set(tables.EVENTS) | {"pre_mean", "pre_var_error"} == set(COLUMNS)
    for name, config in tables.LAYER_COLUMNS.items():
        assert config["label"] and config["label"] != name, name
        assert config["help"], name


def test_the_layer_table_writes_numbers_as_the_pages_do_and_says_what_broke_in_words():
    run = initcore.simulate(depth=30, width=64, activation="relu", scheme="large_normal", seed=0)
    shown = tables.layer_summary(run.layers)
    assert list(shown.columns) == list(tables.LAYER_COLUMNS)
    k = run.exploded_at  # 1-based: its row, and every one after it, says the signal overflowed
    assert k is not None and shown["pre_var"][k - 1] == "inf/NaN" and shown["events"][k - 1].startswith(
        ("signal inf/NaN", "both inf/NaN"))
    assert shown["pre_var"][0] == number(run.layers.pre_var[0]) and shown["frac_dead"][0].endswith(" %")
    faded = initcore.simulate(depth=40, width=64, activation="relu", scheme="small_normal", seed=0)
    events = set(tables.layer_summary(faded.layers)["events"])
    assert events <= {"", "signal 0", "gradient 0", "both 0"} and len(events) > 1


def lab(**settings):
    return initcore.compare(schemes=("zeros", "large_normal", "he_normal"), dataset="moons", depth=5, width=32,
                            activation="relu", lr=0.1, epochs=5, **settings).summary


def test_the_lab_table_names_schemes_and_says_which_run_diverged():
    summary = lab()
    shown = tables.lab_summary(summary)
    assert list(shown.columns) == list(tables.LAB_COLUMNS)
    assert list(shown.scheme) == ["Zeros", "Large random", "He/Kaiming normal"]
    assert math.isnan(summary.final_loss[1]) and summary.diverged_epoch[1] == 1
    assert shown["final loss"][1] == "inf/NaN"
    # the loss to 4 digits, since its distance from ln 2 = 0.6931 is the point; accuracy as a percentage
    assert [shown["final loss"][k] for k in (0, 2)] == [theme.number(summary.final_loss[k], 4) for k in (0, 2)]
    assert list(shown["distinct units"]) == list(summary.min_distinct_neurons)
    # the diverged run's outputs are NaN: no accuracy at all, shown as a dash that the column's help explains
    assert math.isnan(summary.test_accuracy[1]) and shown["test accuracy"][1] == shown["train accuracy"][1] == "—"
    assert "—" in tables.LAB_COLUMNS["test accuracy"]["help"]
    # a run whose gradient overflowed while its loss (about 10^270) was still a number shows that number
    gelu = initcore.compare(schemes=("he_normal",), dataset="moons", depth=10, width=16, activation="gelu", lr=3.0,
                            epochs=20).summary
    assert gelu.overflowed[0] == "gradient" and np.isfinite(gelu.final_loss[0])
    assert tables.lab_summary(gelu)["final loss"][0] == theme.number(gelu.final_loss[0], 4)
    accuracy = shown["test accuracy"][2]
    assert accuracy == theme.percent(summary.test_accuracy[2]) and accuracy.endswith(" %")


def test_the_weights_table_says_unbounded_where_a_normal_draw_has_no_bound():
    from initcore import distributions

    table = distributions.scheme_table(("he_normal", "he_uniform"), 256, 128)
    shown = tables.scheme_summary(table)
    assert list(shown.columns) == list(tables.SCHEME_COLUMNS)
    assert shown.bound[0] == "unbounded"
    assert shown.bound[1] == f"{initcore.SCHEMES['he_uniform'].bounds(256, 128):.4g}" == f"{math.sqrt(6 / 256):.4g}"


def test_the_family_table_s_variance_is_each_scheme_s_variance():
    """Var(W) as the Choosing page writes it, evaluated at uneven fans, is the variance the scheme draws with."""
    fans = dict(n_in=300, n_out=100)
    table = tables.variance_family()
    assert len(table) == sum(1 for s in initcore.SCHEMES.values() if s.knobs)
    for label, written in zip(table.scheme, table["Var(W)"]):
        scheme = next(s for s in initcore.SCHEMES if initcore.SCHEMES[s].label == label)
        assert eval(written, {}, fans) == pytest.approx(initcore.scheme_std(scheme, 300, 100) ** 2)


def test_every_scheme_is_at_a_glance_once():
    from ui.lessons import schemes_at_a_glance

    lines = [line for entries in schemes_at_a_glance().values() for line in entries]
    assert len(lines) == len(initcore.SCHEMES)
    assert all(any(line.startswith(f"**{s.label}**") for line in lines) for s in initcore.SCHEMES.values())


def test_each_table_pins_the_column_that_names_its_rows():
    """On a phone a table scrolls sideways; the column saying which row is which stays in view."""
    from initcore import distributions
    from initcore.training import unit_report

    run = initcore.train(dataset="moons", depth=2, width=4, activation="tanh", scheme="xavier_normal", epochs=1,
                         lr=0.1)
    shown = {"layers": (tables.LAYER_COLUMNS, initcore.simulate(depth=2, width=8, activation="tanh",
                                                                             scheme="xavier_normal").layers),
             "schemes": (tables.SCHEME_COLUMNS,
                         tables.scheme_summary(distributions.scheme_table(("he_normal",), 8, 8))),
             "lab": (tables.LAB_COLUMNS, tables.lab_summary(lab())),
             "units": (tables.UNIT_COLUMNS, unit_report(run.model, run.data["X_train"], run.data["y_train"]))}
    for name, (columns, frame) in shown.items():
        assert [c for c, config in columns.items() if config.get("pinned")] == [frame.columns[0]], name


def test_the_unit_table_writes_numbers_as_the_pages_do_and_keeps_distinct_units_apart():
    """A true minus sign, as every number the pages write has; six digits, so that two units alike to three
    digits do not read as copies on the page that is about copies."""
    report = pd.DataFrame({"unit": [1, 2], "output on x1": [-0.0819123, -0.0819456],
                           "incoming-weight gradient norm": [0.5, 0.5]})
    shown = tables.units(report)
    assert list(shown["output on x1"]) == ["−0.0819123", "−0.0819456"]
    assert list(shown["unit"]) == [1, 2] and set(shown.columns) <= set(tables.UNIT_COLUMNS)
