"""Charts drawn once for a whole class (``ui.drawn``): the same numbers give the same figure, other numbers never do."""

import dataclasses
import json
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.io
import pytest

import initcore
from initcore import theory
from initcore.propagation import described
from tests.test_app import open_page
from ui import cached, charts, drawn, figure


@dataclass(frozen=True)
class Frozen:
    values: np.ndarray
    name: str


@dataclass
class Loose:
    values: np.ndarray


def test_equal_contents_give_equal_fingerprints():
    a = dict(x=np.arange(5.0), t=pd.DataFrame(dict(layer=[1, 2], v=[0.5, 0.25])), s="tanh", n=3, f=None)
    b = dict(x=np.arange(5.0), t=pd.DataFrame(dict(layer=[1, 2], v=[0.5, 0.25])), s="tanh", n=3, f=None)
    assert drawn.fingerprint(a) == drawn.fingerprint(b)
    assert drawn.fingerprint(Frozen(np.ones(3), "a")) == drawn.fingerprint(Frozen(np.ones(3), "a"))


@pytest.mark.parametrize("other", [
    np.arange(5.0) + 1e-12,  # one number, by a hair
    np.arange(5.0).astype(np.float32),  # the same numbers in another type
    np.arange(5.0).reshape(5, 1),  # another shape
    np.arange(6.0),
    list(np.arange(5.0)),  # a list, not an array
])
def test_a_difference_anywhere_gives_another_fingerprint(other):
    assert drawn.fingerprint(np.arange(5.0)) != drawn.fingerprint(other)


def test_tables_differ_by_values_columns_and_index():
    base = pd.DataFrame(dict(layer=[1, 2], v=[0.5, 0.25]))
    for other in (base.assign(v=[0.5, 0.26]), base.rename(columns=dict(v="w")), base.set_axis([5, 6])):
        assert drawn.fingerprint(base) != drawn.fingerprint(other)
    assert drawn.fingerprint((1, True)) != drawn.fingerprint((True, 1))  # a flag is not a count
    assert drawn.fingerprint(dict(a=1, b=2)) != drawn.fingerprint(dict(a=2, b=1))


def test_a_frozen_dataclass_keeps_its_fingerprint_and_a_loose_one_does_not():
    frozen, loose = Frozen(np.ones(3), "a"), Loose(np.ones(3))
    first = drawn.fingerprint(frozen)
    assert drawn.fingerprint(frozen) == first and frozen.__dict__  # kept on it: a lab's snapshots are read once
    before = drawn.fingerprint(loose)
    loose.values = np.zeros(3)  # a loose one may change, so it is read again each time
    assert drawn.fingerprint(loose) != before


def test_an_object_it_cannot_read_is_built_every_time():
    calls = []

    @drawn.once
    def build(x):
        calls.append(x)
        return len(calls)

    thing = object()
    assert build(thing) == 1 and build(thing) == 2
    with pytest.raises(drawn.Unfingerprintable):
        drawn.fingerprint(thing)
    lists = pd.DataFrame(dict(widths=[[2, 8], [2, 8]]))  # cells pandas cannot hash
    assert build(lists) == 3 and build(lists) == 4


def test_the_same_numbers_are_drawn_once_and_shared():
    calls = []

    @drawn.once
    def build(values, *, title):
        calls.append(title)
        return [title, values.sum()]

    first = build(np.arange(4.0), title="a")
    assert build(np.arange(4.0), title="a") is first  # a copy of the numbers, as each session gets from the caches
    assert build(np.arange(4.0), title="b") is not first
    assert build(np.arange(5.0), title="a") is not first
    assert calls == ["a", "b", "a"]


def test_a_class_asking_at_once_waits_for_one_build():
    calls, everyone = [], threading.Barrier(8, timeout=10)

    @drawn.once
    def build(x):
        calls.append(x)
        threading.Event().wait(0.2)  # while it builds, the others ask
        return object()

    answers = []

    def student():
        everyone.wait()
        answers.append(build(np.ones(3)))

    threads = [threading.Thread(target=student) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(answers) == 8 and all(answer is answers[0] for answer in answers)


def test_an_error_reaches_the_caller_and_is_not_kept():
    calls = []

    @drawn.once
    def build(x):
        calls.append(x)
        if len(calls) == 1:
            raise ValueError("width out of range")
        return "drawn"

    with pytest.raises(ValueError, match="width"):
        build(1)
    assert build(1) == "drawn" and len(calls) == 2


def test_a_build_that_fails_is_no_one_else_s_failure():
    """The session that builds may fail or be stopped (Streamlit stops a run by raising in its thread): the
    sessions waiting for it build for themselves instead of taking its exception."""
    started, calls = threading.Event(), []

    @drawn.once
    def build(x):
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            started.set()
            threading.Event().wait(0.2)
            raise KeyboardInterrupt  # not an Exception: as a stop of the building session would be
        return "drawn"

    first = threading.Thread(target=lambda: pytest.raises(KeyboardInterrupt, build, 1), name="builder")
    first.start()
    started.wait(5)
    assert build(1) == "drawn"  # waited for the builder, which failed, then built it here
    first.join(5)
    assert calls[0] == "builder" and len(calls) == 2


def test_only_the_last_results_are_kept():
    @drawn.once(kept=3)
    def build(x):
        return [x]

    first = build(0)
    for x in range(1, 10):
        build(x)
    assert len(build.results) == 3
    assert build(9) is build(9)
    assert build(0) is not first  # let go, so built again
    assert len(build.results) == 3


def test_clearing_forgets_what_is_kept_and_what_the_builder_caches():
    built, caches = [], []

    class Cache:
        def __call__(self, x):
            built.append(x)
            return [x]

        def clear(self):
            caches.append("cleared")

    build = drawn.once(Cache())
    first = build(1)
    assert build(1) is first and built == [1]
    build.clear()
    assert caches == ["cleared"] and build(1) is not first and built == [1, 1]


def test_a_shared_figure_shown_enlarged_stays_as_it_was():
    """Presenter mode draws a kept figure larger for one session: the others still get it at its size."""
    shared = charts.variance_figure.__wrapped__([charts.Curve("he_normal", np.arange(1, 4), np.ones(3))],
                                                title="Forward", y_title="Var z_l")
    plain = shared.to_dict()
    large = figure.enlarged(shared, 1.5).to_dict()
    assert large["layout"]["title"]["font"]["size"] > plain["layout"]["title"]["font"]["size"]
    assert shared.to_dict() == plain and shared.to_dict() is plain  # its spec, made once
    assert figure.enlarged(shared, 1) is shared


def test_a_shared_figure_is_turned_into_json_once_for_every_session_that_shows_it(monkeypatch):
    """Streamlit turns every chart into JSON at every rerun of every session; a kept figure's JSON is made once,
    and is what plotly itself makes of it."""
    from _plotly_utils.utils import PlotlyJSONEncoder
    from streamlit.testing.v1 import AppTest

    encoded = []
    encode = PlotlyJSONEncoder.encode
    monkeypatch.setattr(PlotlyJSONEncoder, "encode", lambda self, o: encoded.append(o) or encode(self, o))

    def page():
        import numpy as np

        from ui import charts, show
        shared = charts.variance_figure([charts.Curve("he_normal", np.arange(1, 4), np.ones(3))], title="Forward",
                                        y_title="Var z_l")
        show.chart(shared, "first")
        show.chart(shared, "again")

    at = AppTest.from_function(page).run()
    at.run()  # a rerun, as another session's would be
    assert not at.exception
    assert len(encoded) == 1
    sent = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert len(sent) == 2 and sent[0] == sent[1]
    assert json.loads(sent[0]) == json.loads(plotly.io.json.to_json_plotly(dict(encoded[0])))


@pytest.mark.parametrize("page", ["app.py", "pages/2_Signal_propagation.py", "pages/4_Training_lab.py",
                                  "pages/8_Deep_networks_in_practice.py"])
def test_no_page_changes_a_figure_it_was_given(page):
    """A kept figure is shared: a page that changed one after it was sent would change every session's. So every
    kept figure's spec, made when it was first sent, is still what the figure itself makes."""
    at = open_page(page)
    at.run()
    assert not at.exception
    kept = [made.result() for build in (charts.variance_figure, charts.heatmap_figure, charts.training_figure,
                                        charts.grad_norm_figure, charts.boundary_figure, charts.strip_figure)
            for made in build.results.values() if made.done() and made.exception() is None]
    shown = [f for f in kept if isinstance(f, figure.PlainFigure) and "_specs" in f.__dict__]
    assert shown
    for f in shown:  # as JSON: a gap, NaN, is not equal to itself
        assert json.dumps(f.spec(1.0), sort_keys=True) == json.dumps(f._made(1.0), sort_keys=True)


def _assert_same(kept, fresh) -> None:
    """``kept`` holds the same numbers as ``fresh``, field by field (NaN where NaN)."""
    if dataclasses.is_dataclass(kept):
        assert type(kept) is type(fresh)
        for field in dataclasses.fields(kept):
            _assert_same(getattr(kept, field.name), getattr(fresh, field.name))
    elif isinstance(kept, pd.DataFrame):
        pd.testing.assert_frame_equal(kept, fresh)
    elif isinstance(kept, np.ndarray):
        np.testing.assert_array_equal(kept, fresh)
    elif isinstance(kept, dict):
        assert kept.keys() == fresh.keys()
        for key in kept:
            _assert_same(kept[key], fresh[key])
    else:
        assert kept == fresh


@pytest.mark.parametrize("page, query", [
    ("pages/2_Signal_propagation.py", {}),
    ("pages/2_Signal_propagation.py", dict(compare=["He/Kaiming normal", "Small random"], depth="20")),
    ("pages/8_Deep_networks_in_practice.py", dict(norm="LayerNorm")),
    ("pages/7_Order_and_chaos.py", {}),
])
def test_no_page_changes_a_simulation_it_was_given(page, query):
    """A kept simulation is one object for every session: a page that changed one would change every student's
    view. After a page and its reruns, every kept simulation is still, number for number, the engine's run of
    its settings."""
    at = open_page(page, **query)
    at.run()
    assert not at.exception
    runs = [made.result() for made in cached.simulate.results.values() if made.done() and made.exception() is None]
    runs += [run for made in cached.simulate_many.results.values() if made.done() and made.exception() is None
             for run in made.result().runs.values()]
    assert runs
    for run in runs:
        _assert_same(run, initcore.simulate(**run.settings))


@pytest.mark.parametrize("page, query", [
    ("pages/2_Signal_propagation.py", dict(compare=["He/Kaiming normal"], activation="ReLU")),
    ("pages/5_Choosing_an_initializer.py", {}),
    ("pages/8_Deep_networks_in_practice.py", {}),
])
def test_no_page_changes_a_prediction_it_was_given(page, query, monkeypatch):
    """Theory's curves are one object for every session too: after a page and its reruns, every kept prediction is
    still, number for number, theory's for its network."""
    asked = {}  # fingerprint → the arguments it was taken of

    def noted(value):
        made = fingerprint(value)
        asked[made] = value
        return made

    fingerprint = drawn.fingerprint
    monkeypatch.setattr(drawn, "fingerprint", noted)
    cached.predicted_network.clear()
    at = open_page(page, **query)
    at.run()
    assert not at.exception
    kept = cached.predicted_network.results
    assert kept
    for key, made in kept.items():
        (network, scheme, params), _ = asked[key]
        _assert_same(made.result(), theory.predicted(described(**network, scheme=scheme, **params)))
