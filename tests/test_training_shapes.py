"""The training lab on networks of real layer shapes: ``train(widths=(2, n_1, …, n_L))`` reads the description of
``initcore.network`` as ``simulate`` and ``theory`` do, backprop through layers of changing widths is checked by
finite differences, square layers described by widths are the square network to the bit, and the budget counts
the real shapes."""

import numpy as np
import pandas as pd
import pytest
from test_training import (
    assert_backprop_matches_finite_differences,
    assert_last_snapshot_is_the_trained_network,
)

import initcore
from initcore import training
from initcore.training import COUNT_COST, DECISION_GRID, MAX_WORK, SNAPSHOT_VALUE_COST, init_mlp, training_work

FUNNEL = (2, 64, 32, 16)
BASE = dict(dataset="moons", activation="relu", scheme="he_normal", epochs=2, lr=0.1)


@pytest.mark.parametrize("widths", [(2, 6, 3, 4), (2, 3, 7), (2, 1, 5, 2)])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_backprop_through_changing_widths_matches_finite_differences(activation, output, widths):
    rng = np.random.default_rng(1)
    model = init_mlp(widths=widths, activation=activation, scheme="xavier_normal", output=output, bias=0.1, rng=rng)
    assert [w.shape for w in model.weights] == [*zip(widths, widths[1:]), (widths[-1], 1 if output == "sigmoid" else 2)]
    X = rng.standard_normal((7, 2))
    y = rng.integers(0, 2, 7)
    assert_backprop_matches_finite_differences(model, X, y)


def test_a_funnel_trains_and_films_each_layer_in_its_own_shape():
    """The funnel 2 → 64 → 32 → 16 learns the moons; every snapshot has one row per hidden layer, and its
    histograms count each layer's own values: W_1 (2, 64), W_2 (64, 32), W_3 (32, 16) and their gradients in full
    (each within ``SNAPSHOT_SAMPLE``), the activations of every training example sampled."""
    run = initcore.train(dataset="moons", widths=FUNNEL, activation="relu", scheme="he_normal", epochs=40, lr=0.1,
                         snapshots=4)
    assert [w.shape for w in run.model.weights] == [(2, 64), (64, 32), (32, 16), (16, 1)]
    assert run.history.loss.iloc[-1] < 0.5 * run.history.loss.iloc[0] and run.history.accuracy.iloc[-1] > 0.9
    assert sorted(run.grad_norms.layer.unique()) == [1, 2, 3, 4]
    assert len(run.distinct_neurons) == len(run.initial_distinct_neurons) == 3
    assert run.initial_distinct_neurons == [64, 32, 16]  # He breaks the symmetry of every layer from the start
    assert run.settings["widths"] == FUNNEL and run.settings["depth"] == 3
    fans = [a * b for a, b in zip(FUNNEL, FUNNEL[1:])]
    examples = len(run.data["y_train"])
    assert [s.epoch for s in run.snapshots] == [0, 10, 20, 30, 40]
    for snapshot in run.snapshots:
        assert snapshot.layers.layer.tolist() == [1, 2, 3]
        assert snapshot.layers.distinct_units.le(list(FUNNEL[1:])).all()
        for histograms, sizes in ((snapshot.weight_hist, fans), (snapshot.grad_hist, fans),
                                  (snapshot.act_hist, [examples * units for units in FUNNEL[1:]])):
            assert histograms.counts.shape[0] == 3
            assert histograms.total.tolist() == [min(size, training.SNAPSHOT_SAMPLE) for size in sizes]
            assert (histograms.counts.sum(axis=1) == histograms.total).all()


@pytest.mark.parametrize("widths, scheme", [(FUNNEL, "he_normal"), ((2, 8, 24, 4, 12), "zeros"),
                                            ((2, 4, 16), "large_normal")])
def test_the_last_snapshot_of_a_shaped_network_is_the_trained_network_layer_by_layer(widths, scheme):
    """As for square layers (``test_training``): the spread of each W_l to the bit, the variances of a_l and dL/dW_l
    to float64's rounding, dead and distinct units exactly, the histograms as ``build`` bins each layer."""
    run = initcore.train(dataset="moons", widths=widths, activation="relu", scheme=scheme, epochs=10, lr=0.1,
                         snapshots=5)
    assert_last_snapshot_is_the_trained_network(run, depth=len(widths) - 1)


def _assert_same_run(a, b):
    pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)
    pd.testing.assert_frame_equal(a.grad_norms, b.grad_norms, check_exact=True)
    assert np.array_equal(a.model.params, b.model.params, equal_nan=True)
    assert all(np.array_equal(u, v) for u, v in zip(a.initial_weights, b.initial_weights))
    assert (a.distinct_neurons, a.initial_distinct_neurons) == (b.distinct_neurons, b.initial_distinct_neurons)
    assert len(a.snapshots) == len(b.snapshots)
    for s, t in zip(a.snapshots, b.snapshots):
        assert s.epoch == t.epoch
        pd.testing.assert_frame_equal(s.layers, t.layers, check_exact=True)
        for name in ("weight_hist", "act_hist", "grad_hist"):
            for part in ("edges", "counts", "log_edges", "log_counts", "zeros", "total"):
                assert np.array_equal(getattr(getattr(s, name), part), getattr(getattr(t, name), part))
        assert np.array_equal(s.boundary, t.boundary, equal_nan=True)


@pytest.mark.parametrize("k, width, extra", [(4, 2, {}), (7, 2, dict(scheme="constant", output="softmax")),
                                             (4, 16, dict(bias_std=0.5, momentum=0.9)),
                                             (3, 8, dict(scheme="large_normal", lr=3.0))])
def test_square_layers_described_by_widths_are_the_square_network_to_the_bit(k, width, extra):
    """widths = (2, w, …, w) with k entries is depth = k - 1 layers of width w: the same draws, steps, history and
    snapshots to the last bit; its settings only add the widths, and rebuild the run."""
    settings = BASE | dict(epochs=12, snapshots=4, seed=7) | extra
    square = initcore.train(depth=k - 1, width=width, **settings)
    described = initcore.train(widths=(2,) + (width,) * (k - 1), **settings)
    _assert_same_run(described, square)
    assert described.settings == square.settings | dict(widths=(2,) + (width,) * (k - 1))
    assert "widths" not in square.settings
    _assert_same_run(initcore.train(**described.settings, snapshots=4), described)


def test_a_rebuilt_shaped_run_is_the_same_run():
    run = initcore.train(widths=(2, 16, 4), **BASE | dict(epochs=5))
    _assert_same_run(initcore.train(**run.settings), run)


@pytest.mark.parametrize("shape, words", [
    (dict(widths=(2, 0, 8)), r"widths\[1\]=0; expected a whole number from 1 to 256"),
    (dict(widths=(2, -4, 8)), r"widths\[1\]=-4"),
    (dict(widths=(2, 12.5, 8)), r"widths\[1\]=12.5; expected a whole number"),
    (dict(widths=(2, 8, 300)), r"widths\[2\]=300; expected a whole number from 1 to 256"),
    (dict(widths=(3, 8, 8)), r"widths\[0\]=3: the input width n_0 must be 2"),
    (dict(widths=(1, 8)), r"n_0 must be 2, the features of every data set"),
    (dict(widths=(2,)), r"widths has 1 entries; expected 2 to 51"),
    (dict(widths=(2,) * 53), r"widths has 53 entries; expected 2 to 51"),
    (dict(widths="2, 8"), "expected a sequence of whole numbers"),
    (dict(widths=(2, 8, 8), depth=3), r"depth=3 but widths=\(2, 8, 8\) has 2 layers"),
    (dict(depth=3), "give depth and width, or widths"),
    (dict(depth=2, width=8, residual=1.0), "the training lab trains plain networks; residual/norm are simulated only"),
    (dict(widths=(2, 8, 8), residual=0.0), "trains plain networks; residual/norm are simulated only"),
    (dict(depth=2, width=8, norm="layer"), "trains plain networks; residual/norm are simulated only"),
    (dict(widths=(2, 8, 8), norm="batch"), "trains plain networks"),
    (dict(widths=(2, 8), bias_std=-1), r"bias_std=-1; expected a finite number in \[0, 100\]"),
])
def test_bad_shapes_say_what_is_allowed(shape, words):
    """In ``train`` and, before any run, in ``compare`` and ``lr_sweep``."""
    with pytest.raises(ValueError, match=words):
        initcore.train(**BASE | shape)
    settings = {k: v for k, v in (BASE | shape).items() if k != "scheme"}
    with pytest.raises(ValueError, match=words):
        initcore.compare(schemes=["he_normal", "zeros"], **settings)
    with pytest.raises(ValueError, match=words):
        initcore.lr_sweep(schemes=["he_normal"], lrs=(0.1,), **{k: v for k, v in settings.items() if k != "lr"})


def test_a_width_beside_widths_is_not_read_and_a_depth_that_agrees_is_welcome():
    a = initcore.train(widths=(2, 16, 8), **BASE)
    b = initcore.train(widths=(2, 16, 8), depth=2, width=128, **BASE)
    _assert_same_run(a, b)


def test_the_budget_counts_the_real_shapes():
    """With P = Σ n_(l-1)·n_l + n_L (the output's products) and U = Σ n_l, a run costs P per product of an example
    through the network, COUNT_COST·2·U per training example for counting units, and SNAPSHOT_VALUE_COST per value
    a snapshot bins (U per training example, twice the Σ n_(l-1)·n_l weights and gradients). Two networks of one
    depth, one U and one n_L differ by exactly what their Σ n_(l-1)·n_l does: the budget grows with it."""
    epochs, n, films = 100, 500, 40
    n_train, n_test = 400, 100
    per_product = 3 * n_train * epochs + (3 * n_train + n_test) * (epochs + 1) + DECISION_GRID**2
    narrow_first, wide_first = (2, 16, 64, 64), (2, 64, 16, 64)  # U = 144, n_L = 64, depth 3
    weights = [sum(a * b for a, b in zip(w, w[1:])) for w in (narrow_first, wide_first)]
    assert weights == [5152, 2176]
    for snapshots, per_weight in ((0, per_product), (films, per_product + (films + 1) * SNAPSHOT_VALUE_COST * 2)):
        work = [training_work(widths=w, epochs=epochs, n=n, snapshots=snapshots) for w in (narrow_first, wide_first)]
        assert work[0] - work[1] == (weights[0] - weights[1]) * per_weight
    # Against the square formula of ``test_training``: the same number from the widths
    square = training_work(depth=30, width=16, epochs=epochs, n=n)
    assert training_work(widths=(2,) + (16,) * 30, epochs=epochs, n=n) == square
    funnel = training_work(widths=FUNNEL, epochs=epochs, n=n)
    counting = COUNT_COST * 2 * sum(FUNNEL[1:]) * n_train
    assert funnel - training_work(widths=(2, 32, 32, 16), epochs=epochs, n=n) == (
        (2 * 64 + 64 * 32 - 2 * 32 - 32 * 32) * per_product + counting - COUNT_COST * 2 * 80 * n_train)
    # Each layer's width counts: widen any one hidden layer and the run costs more
    for layer in range(1, 4):
        wider = tuple(units + (i == layer) * 8 for i, units in enumerate(FUNNEL))
        assert training_work(widths=wider, epochs=epochs, n=n) > funnel


@pytest.mark.parametrize("widths, runs", [(FUNNEL, 5), ((2, 256, 256, 8), 1), ((2, 8) + (256,) * 40, 5),
                                          ((2,) + (128,) * 50, 1)])
def test_max_epochs_and_fit_budget_fit_shaped_networks(widths, runs):
    for snapshots in (0, 40):
        allowed = training.max_epochs(widths=widths, n=500, runs=runs, snapshots=snapshots)
        work = dict(widths=widths, n=500, snapshots=snapshots)
        assert runs * training_work(epochs=allowed, **work) <= MAX_WORK or allowed == 0
        assert runs * training_work(epochs=allowed + 1, **work) > MAX_WORK
    kept, epochs = training.fit_budget(list(initcore.SCHEMES), widths=widths, epochs=300, snapshots=40)
    assert kept == list(initcore.SCHEMES)[: len(kept)] and kept
    fits = len(kept) * training_work(epochs=epochs, widths=widths, n=500, snapshots=40) <= MAX_WORK
    assert fits or (epochs == 0 and len(kept) == 1)
    assert epochs == min(300, training.max_epochs(widths=widths, n=500, runs=len(kept), snapshots=40))


def test_a_shaped_network_over_the_budget_is_refused():
    wide = (2,) + (256,) * 50
    with pytest.raises(ValueError, match="budget"):
        initcore.train(widths=wide, **BASE | dict(epochs=2000))
    with pytest.raises(ValueError, match="budget"):
        initcore.compare(widths=wide, **{k: v for k, v in BASE.items() if k != "scheme"} | dict(epochs=300))


def test_compare_and_lr_sweep_pass_the_widths_to_every_run():
    comparison = initcore.compare(schemes=["zeros", "he_normal"], dataset="xor", widths=(2, 12, 6),
                                  activation="tanh", epochs=3, lr=0.1)
    for run in comparison.runs.values():
        assert [w.shape for w in run.model.weights] == [(2, 12), (12, 6), (6, 1)]
        assert run.settings["widths"] == (2, 12, 6)
    table = initcore.lr_sweep(schemes=("he_normal",), lrs=(0.1, 1.0), dataset="moons", widths=(2, 12, 6),
                              activation="relu", epochs=3)
    assert len(table) == 2 and (table.epochs == 3).all()
    wide = (2,) + (256,) * 50
    allowed = training.max_epochs(widths=wide, n=500, runs=len(initcore.SCHEMES) * 8)
    assert allowed == 0
    with pytest.raises(ValueError, match=r"widths=\(2, 256, .*do not fit the training budget"):
        initcore.lr_sweep(schemes=tuple(initcore.SCHEMES), dataset="moons", widths=wide, activation="relu",
                          epochs=3)
