"""Tables as the pages show them: every engine column gets a readable header, and nothing reads as a blank."""

import math

import initcore
from initcore.propagation import COLUMNS
from ui import tables


def test_every_column_of_the_layer_table_has_a_header_and_its_definition():
    assert set(tables.LAYER_COLUMNS) == set(COLUMNS)
    for name, config in tables.LAYER_COLUMNS.items():
        assert config["label"] and config["label"] != name, name
        assert config["help"], name


def lab(**settings):
    return initcore.compare(schemes=("zeros", "large_normal", "he_normal"), dataset="moons", depth=5, width=32,
                            activation="relu", lr=0.1, epochs=5, **settings).summary


def test_the_lab_table_names_schemes_and_says_which_run_diverged():
    summary = lab()
    shown = tables.lab_summary(summary)
    assert list(shown.columns) == list(tables.LAB_COLUMNS)
    assert list(shown.scheme) == ["Zeros", "Large random", "He/Kaiming normal"]
    assert math.isnan(summary.final_loss[1]) and summary.diverged_epoch[1] == 1
    assert shown["final loss"][1] == "inf/NaN (diverged at epoch 1)"
    assert [shown["final loss"][k] for k in (0, 2)] == [f"{summary.final_loss[k]:.4f}" for k in (0, 2)]
    assert list(shown["distinct units"]) == list(summary.min_distinct_neurons)


def test_the_weights_table_says_unbounded_where_a_normal_draw_has_no_bound():
    from initcore import distributions

    table = distributions.scheme_table(("he_normal", "he_uniform"), 256, 128)
    shown = tables.scheme_summary(table)
    assert list(shown.columns) == list(tables.SCHEME_COLUMNS)
    assert shown.bound[0] == "unbounded"
    assert shown.bound[1] == f"{initcore.SCHEMES['he_uniform'].bounds(256, 128):.4g}" == f"{math.sqrt(6 / 256):.4g}"
