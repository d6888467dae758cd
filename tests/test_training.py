"""The training lab: backprop checked by finite differences, and every training claim of the source
document shown happening on a toy network. Each assertion names the claim it proves."""

import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import initcore
from initcore import training
from initcore.datasets import N_RANGE
from initcore.histograms import SAMPLE
from initcore.training import MLP, init_mlp, training_work

LN2 = math.log(2)
LAB = dict(dataset="moons", depth=3, width=32, epochs=100, lr=0.1)  # the lab's default budget


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_backprop_matches_finite_differences(activation, output):
    rng = np.random.default_rng(0)
    model = init_mlp(depth=3, width=5, activation=activation, scheme="xavier_normal", output=output, bias=0.1,
                     rng=rng)
    X = rng.standard_normal((7, 2))
    y = rng.integers(0, 2, 7)
    assert_backprop_matches_finite_differences(model, X, y)  # kinks at 0: hit with probability ~h, not here


def assert_backprop_matches_finite_differences(model, X, y, h=1e-6):
    """Every weight's and bias's dL/dθ from ``loss_and_grads`` against central differences of its loss, in
    float64: error ≈ h²·L'''/6 + eps·L/h ≈ 1e-10."""
    _, grads_w, grads_b, *_ = model.loss_and_grads(X, y)
    for params, grads in ((model.weights, grads_w), (model.biases, grads_b)):
        for p, g in zip(params, grads):
            numeric = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                saved = p[index]
                p[index] = saved + h
                up = model.loss_and_grads(X, y)[0]
                p[index] = saved - h
                down = model.loss_and_grads(X, y)[0]
                p[index] = saved
                numeric[index] = (up - down) / (2 * h)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_zero_init_never_learns(activation, output):
    """Zero init: every unit stays identical (symmetry never breaks) and the network fails to converge —
    the loss stays at ln 2 and accuracy at chance on a balanced set."""
    run = initcore.train(activation=activation, scheme="zeros", output=output, **LAB)
    # Only the output bias moves: it follows each mini-batch's class balance, so the loss jitters by
    # ~lr²·Var(batch mean of σ - y) = 0.1²·0.25/64 ≈ 4e-5 around ln 2; 1e-3 leaves room for 25 such steps.
    np.testing.assert_allclose(run.history.loss, LN2, atol=1e-3)
    assert (run.history.accuracy == 0.5).all()
    assert run.distinct_neurons == [1, 1, 1] and run.initial_distinct_neurons == [1, 1, 1]


@pytest.mark.parametrize("activation", list(initcore.ACTIVATIONS))
def test_zero_weights_stay_zero_unless_f0_is_not_zero(activation):
    """The Symmetry page's claim: under zeros a hidden weight moves only if its unit's input f(0) is not 0,
    which among these activations is sigmoid's ½ alone; then the weights move, but every unit stays a copy."""
    run = initcore.train(activation=activation, scheme="zeros", **LAB)
    moved = any(np.any(w != 0) for w in run.model.weights[1:])
    assert moved == (initcore.ACTIVATIONS[activation].fn(np.zeros(1))[0] != 0)
    assert run.distinct_neurons == [1, 1, 1]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_constant_init_keeps_units_identical(activation):
    """Constant init: 'all neurons in a layer behave identically', even after training."""
    run = initcore.train(activation=activation, scheme="constant", **LAB)
    assert run.distinct_neurons == [1, 1, 1]
    he = initcore.train(activation=activation, scheme="he_normal", **LAB)
    assert min(he.distinct_neurons) > 1


def test_he_relu_learns_moons():
    """He init with ReLU converges: high accuracy on moons in the lab's default budget."""
    run = initcore.train(activation="relu", scheme="he_normal", **LAB)
    assert run.history.accuracy.iloc[-1] >= 0.95 and run.history.test_accuracy.iloc[-1] >= 0.9
    assert not run.diverged


def test_tiny_weights_stall_a_deep_relu_net_while_he_trains():
    """Small weights: 'the network learns very slowly or stops learning'."""
    settings = dict(LAB, depth=10, activation="relu")
    tiny = initcore.train(scheme="small_normal", **settings)
    he = initcore.train(scheme="he_normal", **settings)
    assert abs(tiny.history.loss.iloc[-1] - LN2) < 1e-3 and tiny.history.accuracy.iloc[-1] <= 0.6
    assert tiny.history.grad_norm_first.iloc[0] < 1e-12  # the first layer's gradient has vanished
    assert he.history.accuracy.iloc[-1] >= 0.9


def test_large_weights_diverge_with_relu():
    """Large weights with ReLU: outputs grow exponentially, the loss overflows and training diverges (NaN)."""
    run = initcore.train(activation="relu", scheme="large_normal", **dict(LAB, depth=5))
    assert run.diverged and run.diverged_epoch == 1
    assert run.history.loss.iloc[0] > 1e6


def test_large_weights_saturate_tanh():
    """Large weights with tanh: no overflow (tanh is bounded), but most units sit at ±1 where their slope is
    nearly 0, and the loss stays far above a well-initialized net's."""
    run = initcore.train(activation="tanh", scheme="large_normal", **LAB)
    xavier = initcore.train(activation="tanh", scheme="xavier_normal", **LAB)
    assert not run.diverged
    # |tanh'(z)| < 0.05 where |z| > 2.18: for z ~ N(0, s²) that is P ≈ 0.83 in layer 1 (2 inputs, s ≈ 8)
    # and ≈ 0.97 in layers 2-3 (s ≈ 10·√32 ≈ 57); Xavier keeps s ≲ 1 (P < 0.03).
    assert run.history.saturation.iloc[0] >= 0.85 and xavier.history.saturation.iloc[0] <= 0.1
    assert run.history.loss.iloc[-1] > 10 * xavier.history.loss.iloc[-1]


def test_thirty_layer_relu_trains_with_he_and_stalls_with_xavier():
    """He et al. 2015, Fig. 3, at toy scale: a 30-layer ReLU net learns from He init, not from Xavier."""
    settings = dict(dataset="moons", depth=30, width=32, activation="relu", epochs=100, lr=0.05)
    he = initcore.train(scheme="he_normal", **settings)
    xavier = initcore.train(scheme="xavier_normal", **settings)
    assert he.history.accuracy.iloc[-1] >= 0.9
    assert abs(xavier.history.loss.iloc[-1] - LN2) < 1e-3


def test_history_columns_and_grad_table():
    run = initcore.train(activation="tanh", scheme="xavier_uniform", **dict(LAB, epochs=5))
    assert list(run.history.columns[:6]) == ["epoch", "loss", "accuracy", "test_accuracy", "grad_norm_first",
                                            "grad_norm_last"]
    assert list(run.history.epoch) == list(range(6))
    assert len(run.grad_norms) == 6 * 4 and set(run.grad_norms.layer) == {1, 2, 3, 4}
    xs, ys, probs = run.decision_grid(resolution=20)
    assert probs.shape == (20, 20) and ((probs >= 0) & (probs <= 1)).all()


def test_same_seed_same_run():
    a = initcore.train(activation="relu", scheme="he_uniform", seed=5, **dict(LAB, epochs=3))
    b = initcore.train(activation="relu", scheme="he_uniform", seed=5, **dict(LAB, epochs=3))
    assert a.history.equals(b.history)


def test_compare_runs_each_scheme_on_equal_terms():
    comparison = initcore.compare(dataset="xor", depth=2, width=16, activation="tanh", epochs=10, lr=0.1)
    assert list(comparison.runs) == list(initcore.LAB_SCHEMES)
    assert set(comparison.history.scheme) == set(initcore.LAB_SCHEMES)
    first = {s: r.data["X_train"] for s, r in comparison.runs.items()}
    assert all(np.array_equal(x, first["zeros"]) for x in first.values())
    assert len(comparison.summary) == 5


def test_the_summary_keeps_where_each_loss_started_and_the_highest_it_reached_after():
    """A run whose steps overshoot can shoot its loss up and settle back near ln 2; one whose weights blow the output
    up starts far above ln 2 before any step. The summary keeps both: the loss at epoch 0 and the highest after."""
    comparison = initcore.compare(schemes=("he_normal", "xavier_normal"), dataset="xor", depth=5, width=32,
                                  activation="relu", epochs=20, lr=3.0)
    for row in comparison.summary.itertuples():
        loss = comparison.runs[row.scheme].history.loss
        assert row.initial_loss == loss.iloc[0]
        assert row.peak_loss == loss.iloc[1:].max() or (np.isnan(loss.iloc[1:]).any() and row.peak_loss == np.inf)
    he = comparison.summary.set_index("scheme").loc["he_normal"]
    assert pd.isna(he.diverged_epoch) and he.peak_loss > 1e6 * he.initial_loss and he.final_loss < 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(dataset="mnist"), "expected one of"),
        (dict(depth=0), "depth=0"),
        (dict(epochs=0), "epochs=0"),
        (dict(lr=0.0), "lr=0.0"),
        (dict(lr=float("inf")), "finite"),
        (dict(scheme="nope"), "expected one of"),
        (dict(output="tanh"), "sigmoid"),
        (dict(n=1), "n=1"),
        (dict(n="many"), "n='many'"),
        (dict(momentum=1.5), "momentum=1.5"),
        (dict(depth=50, width=256, epochs=2000), "budget"),
    ],
)
def test_bad_input_names_what_is_allowed(kwargs, message):
    settings = dict(dataset="moons", depth=2, width=8, activation="relu", scheme="he_normal", epochs=2, lr=0.1)
    with pytest.raises(ValueError, match=message):
        initcore.train(**(settings | kwargs))


def test_compare_holds_the_total_budget():
    with pytest.raises(ValueError, match="budget"):
        initcore.compare(dataset="moons", depth=50, width=200, activation="relu", epochs=300, lr=0.1)
    assert training_work(depth=1, width=1, epochs=0, n=1) > 0


def test_mlp_predictions_are_probabilities():
    model = MLP([np.ones((2, 1))], [np.zeros(1)], initcore.ACTIVATIONS["relu"], "sigmoid")
    assert model.predict_proba(np.array([[1e308, 1e308]]))[0] == 1.0


def test_unit_report_shows_identical_units_under_zero_init():
    from initcore.training import unit_report

    run = initcore.train(activation="tanh", scheme="constant", **dict(LAB, epochs=1))
    X, y = run.data["X_train"], run.data["y_train"]
    table = unit_report(run.model, X, y, layer=2)
    assert len(table) == 32 and (table.drop(columns="unit").nunique() == 1).all()
    assert len(run.initial_weights) == 4 and (run.initial_weights[1] == 0.5).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("power", [0, -1, 1])
def test_norm_keeps_its_digits_where_the_sum_of_squares_would_not(dtype, power):
    """‖x‖ of entries whose squares overflow or underflow, against the norm of the same draw unscaled: the
    scale is a power of 2, so scaling is exact; the tolerance is a sum's rounding bound, n · eps."""
    from initcore._stats import norm

    exponent = power * (np.finfo(dtype).maxexp * 3 // 4)  # squares of 2^±(3/4 · maxexp) over- or underflow
    z = np.random.default_rng(0).standard_normal(4096).astype(dtype)
    x = z * dtype(2.0) ** exponent if exponent >= 0 else z / dtype(2.0) ** -exponent
    expected = float(np.linalg.norm(z.astype(np.float64))) * 2.0 ** exponent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = norm(x)
    assert got == pytest.approx(expected, rel=z.size * float(np.finfo(dtype).eps), abs=0)


@pytest.mark.parametrize(("entries", "expected"), [([0.0, 0.0], 0.0), ([1.0, np.inf], np.inf),
                                                   ([1.0, np.nan], np.nan), ([3.0, 4.0], 5.0)])
def test_norm_of_special_entries(entries, expected):
    from initcore._stats import norm

    assert norm(np.array(entries)) == pytest.approx(expected, nan_ok=True)


def test_a_gradient_that_is_huge_but_finite_has_a_finite_norm():
    """Constant 10 in a linear net: one epoch leaves gradients near 1e161, finite, whose squares overflow
    float64. Their norms are reported as numbers (the lab's gradient chart, the Symmetry page's table),
    without a warning."""
    from initcore.training import unit_report

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = initcore.train(dataset="moons", depth=2, width=12, activation="linear", scheme="constant", value=10.0,
                             epochs=1, lr=0.5)
        X, y = run.data["X_train"], run.data["y_train"]
        table = unit_report(run.model, X, y, layer=1)
    assert run.diverged_epoch is None
    norms = run.history[["grad_norm_first", "grad_norm_last"]].to_numpy()
    assert np.isfinite(norms).all() and norms.max() > 1e154
    assert np.isfinite(table["incoming-weight gradient norm"]).all()


def test_training_work_counts_what_a_lab_view_computes():
    """Besides the products of training, each epoch's evaluation and the decision grid, a run pays for every
    numpy step of every layer (what makes narrow layers slow), for counting distinct units (each activation of
    each example, before and after training) and for each snapshot it records: a deep narrow run costs several
    times its multiply-adds alone."""
    from initcore.training import COUNT_COST, DECISION_GRID, SNAPSHOT_COST, SNAPSHOT_VALUE_COST, STEP_COST

    narrow = training_work(depth=30, width=16, epochs=100, n=500)
    per_example = 2 * 16 + 29 * 16 * 16 + 16
    products = per_example * (3 * 400 * 100 + (3 * 400 + 100) * 101 + DECISION_GRID**2)
    steps = 31 * (7 * 100 + 2 * 101 + 1)
    assert narrow == products + STEP_COST * steps + COUNT_COST * 2 * 30 * 16 * 400
    assert narrow > 5 * products
    values = 30 * 16 * 400 + 2 * (2 * 16 + 29 * 16 * 16)  # activations on the training set, weights, gradients
    filmed = training_work(depth=30, width=16, epochs=100, n=500, snapshots=40)
    assert filmed - narrow == 41 * (SNAPSHOT_COST + 3 * STEP_COST * 30 + SNAPSHOT_VALUE_COST * values)


def test_max_epochs_fits_the_budget():
    from initcore.training import MAX_WORK, max_epochs

    for depth, width, runs in ((10, 128, 5), (30, 128, 5), (30, 128, 1), (30, 32, 5), (50, 256, 1)):
        for snapshots in (0, 40):  # a filmed run shorter than its snapshots takes one each epoch
            size = dict(depth=depth, width=width, n=500, snapshots=snapshots)
            allowed = max_epochs(runs=runs, **size)
            assert runs * training_work(epochs=allowed, **size) <= MAX_WORK or allowed == 0
            assert runs * training_work(epochs=allowed + 1, **size) > MAX_WORK


@settings(max_examples=int(os.environ.get("INITLAB_EXAMPLES", 40)), deadline=None)
@given(
    dataset=st.sampled_from(list(initcore.DATASETS)),
    depth=st.integers(1, 4),
    width=st.integers(1, 8),
    activation=st.sampled_from(list(initcore.ACTIVATIONS)),
    scheme=st.sampled_from(list(initcore.SCHEMES)),
    lr=st.floats(1e-4, 10.0),
    output=st.sampled_from(["sigmoid", "softmax"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_train_never_raises_and_flags_divergence(dataset, depth, width, activation, scheme, lr, output, seed):
    """Any valid run finishes: its losses are finite, or the run says where it diverged."""
    with np.errstate(all="raise"):  # a warning escaping train would raise here
        run = initcore.train(dataset=dataset, depth=depth, width=width, activation=activation, scheme=scheme,
                             epochs=3, lr=lr, output=output, seed=seed, n=40)
    finite = np.isfinite(run.history.loss).all()
    assert finite or run.diverged
    assert run.diverged == (run.diverged_epoch is not None)
    assert run.diverged == (run.overflowed is not None)
    if run.overflowed == "loss":
        assert not np.isfinite(run.history.loss.iloc[-1])
    elif run.overflowed is not None:  # the loss was still a number
        assert np.isfinite(run.history.loss.iloc[-1])


def test_what_overflowed_is_named():
    """A run whose gradient overflows while its loss is still a number (GELU, 10 layers of 16 at lr 3: a loss of
    about 10^270 at epoch 1 and a NaN gradient) is said to have overflowed in its gradient, not in its loss; a
    ReLU run of large weights overflows in its loss."""
    gelu = initcore.train(dataset="moons", depth=10, width=16, activation="gelu", scheme="he_normal", lr=3.0,
                          epochs=20, seed=0)
    assert gelu.diverged_epoch == 1 and gelu.overflowed == "gradient"
    assert np.isfinite(gelu.history.loss.iloc[-1]) and not np.isfinite(gelu.history.grad_norm_first.iloc[-1])
    relu = initcore.train(activation="relu", scheme="large_normal", **dict(LAB, depth=5))
    assert relu.overflowed == "loss"
    assert initcore.train(activation="relu", scheme="he_normal", **dict(LAB, depth=5)).overflowed is None


def test_tiny_but_different_units_are_not_copies():
    from initcore.training import distinct_units

    rng = np.random.default_rng(0)
    tiny = 1e-9 * rng.standard_normal((50, 6))
    assert distinct_units(tiny) == 6
    assert distinct_units(np.repeat(tiny[:, :1], 6, axis=1)) == 1
    assert distinct_units(np.zeros((50, 6))) == 1


def test_units_that_overflowed_are_not_distinct_units():
    """After a diverged run the hidden outputs are NaN: no unit computes anything, none counts."""
    from initcore.training import distinct_units

    outputs = np.random.default_rng(0).standard_normal((50, 6))
    outputs[3, [1, 4]] = np.nan, np.inf
    assert distinct_units(outputs) == 4 and distinct_units(np.full((50, 6), np.nan)) == 0
    run = initcore.train(dataset="moons", depth=2, width=12, activation="linear", scheme="constant", value=10.0,
                         epochs=5, lr=0.5)
    assert run.diverged and run.distinct_neurons == [0, 0]


def _cross_entropy_reference(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy written out case by case in float64: -log σ(m) for the margin m = ±s, as
    log(1 + e^{-m}) when m ≥ 0 and -m + log(1 + e^{m}) when m < 0 (neither overflows); softmax as
    (s_max - s_y) + log(1 + Σ of the other classes' e^{s_k - s_max}), so that a loss of 10⁻⁴ keeps its digits."""
    if logits.shape[1] == 1:
        m = np.where(y == 1, logits[:, 0], -logits[:, 0])
        return float(np.mean(np.where(m >= 0, np.log1p(np.exp(-np.abs(m))), -m + np.log1p(np.exp(-np.abs(m))))))
    top = logits.max(axis=1)
    rest = np.exp(np.sort(logits, axis=1)[:, :-1] - top[:, None]).sum(axis=1)  # every class but the largest
    return float(np.mean((top - logits[np.arange(len(y)), y]) + np.log1p(rest)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=40), st.integers(0, 2**32 - 1),
       st.sampled_from(["sigmoid", "softmax"]))
@example([6.0], 1, "softmax")  # a loss of log(1 + e⁻⁹) = 1.234e-4: log, not log1p, lost its last 4 digits
def test_the_loss_is_each_example_s_cross_entropy_and_never_below_the_errors_it_makes(values, seed, output):
    """Huge logits of both signs, where log(1 + e^s) - y·s summed over the batch cancelled to 0 (or to 5.5e9 for a
    model whose cross-entropy was 0.64): the loss is the mean of each example's own term, to float64's precision
    (relative 1e-12: every term is ≥ 0, so none can cancel another), and at least (1 - accuracy)·ln 2, since a
    mistake costs ln 2 or more."""
    from initcore.training import _accuracy, _output_loss

    rng = np.random.default_rng(seed)
    logits = np.array(values)[:, None] * (1 if output == "sigmoid" else np.array([[1.0, -0.5]]))
    logits = logits[rng.permutation(len(logits))]
    y = rng.integers(0, 2, len(logits))
    loss = _output_loss(output, logits, y)
    assert loss == pytest.approx(_cross_entropy_reference(logits, y), rel=1e-12, abs=1e-300)  # terms are ≥ 0
    assert loss >= (1 - _accuracy(logits, y)) * LN2 * (1 - 1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_epoch_s_loss_is_the_model_s_true_cross_entropy(seed):
    """Large random weights on moons give logits of about 10⁹: each recorded loss is the trained model's
    cross-entropy on the training set, recomputed from its logits, and never below (1 - accuracy)·ln 2."""
    run = initcore.train(dataset="moons", depth=3, width=32, activation="relu", scheme="large_normal", epochs=30,
                         lr=0.1, seed=seed)
    X, y = run.data["X_train"], run.data["y_train"]
    final = run.history.iloc[-1]
    if run.diverged:
        assert not np.isfinite(final.loss)
        return
    logits = run.model.forward(X)[2]
    assert final.loss == pytest.approx(_cross_entropy_reference(logits, y), rel=1e-9)
    assert (run.history.loss >= (1 - run.history.accuracy) * LN2 * (1 - 1e-12)).all()


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_a_network_whose_outputs_are_nan_has_no_accuracy(output):
    """Large random weights at learning rate 0.1: the outputs become NaN at the epoch the run diverges, and that
    epoch's accuracies are NaN, not a coin's 0.5."""
    from initcore.training import _accuracy

    run = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="large_normal", epochs=10,
                         lr=0.1, output=output)
    last = run.history.iloc[-1]
    assert run.diverged and math.isnan(last.loss)
    assert math.isnan(last.accuracy) and math.isnan(last.test_accuracy)
    assert math.isnan(_accuracy(np.array([[0.5], [np.nan]]), np.array([1, 0])))
    with np.errstate(invalid="ignore"):  # inf - inf, as inside train
        assert math.isnan(_accuracy(np.array([[np.inf, np.inf]]), np.array([1])))
    assert _accuracy(np.array([[np.inf], [-np.inf]]), np.array([1, 0])) == 1.0  # infinitely sure is an answer


def test_a_tiny_softmax_loss_keeps_its_digits():
    """Logits (6, −3) on class 0: the loss is log(1 + e⁻⁹) = 1.2340218972325882e-4 (to 40 digits:
    1.234021897232588163…e-4); through log instead of log1p, 1 + e⁻⁹ rounded away its last four digits."""
    from initcore.training import _output_loss

    loss = _output_loss("softmax", np.array([[6.0, -3.0]]), np.array([0]))
    assert loss == pytest.approx(1.234021897232588163e-4, rel=4 * np.finfo(float).eps, abs=0)


def test_snapshots_are_evenly_spaced_from_the_initialization_to_the_last_epoch():
    """40 snapshots of 100 epochs: 41 of them, the first the untrained network (its weights are the initial
    ones, to the bit), the last at epoch 100; none are kept unless asked for."""
    run = initcore.train(dataset="moons", depth=3, width=16, activation="relu", scheme="he_normal", epochs=100,
                         lr=0.1, snapshots=40)
    epochs = [s.epoch for s in run.snapshots]
    assert len(epochs) == 41 and epochs[0] == 0 and epochs[-1] == 100 and epochs == sorted(set(epochs))
    assert np.ptp(np.diff(epochs)) <= 1  # even spacing, to the nearest epoch
    first = run.snapshots[0]
    assert list(first.layers.columns) == ["layer", "weight_std", "act_var", "grad_var", "frac_dead", "distinct_units"]
    assert first.layers.weight_std.tolist() == [float(np.std(w)) for w in run.initial_weights[:3]]
    assert first.act_hist.depth == first.weight_hist.depth == first.grad_hist.depth == 3
    assert first.boundary.shape == (training.SNAPSHOT_GRID, training.SNAPSHOT_GRID)
    assert initcore.train(dataset="moons", depth=2, width=4, activation="relu", scheme="he_normal", epochs=3,
                          lr=0.1).snapshots == []


def test_progress_hears_each_epoch_as_it_ends_with_the_history_s_row():
    """``progress`` is called once per epoch, epoch 0 first, with the row the history keeps for it, while the run
    goes on (a page draws the loss so far); a run that diverges reports its last epoch and stops there."""
    heard = []
    run = initcore.train(dataset="moons", depth=3, width=16, activation="relu", scheme="he_normal", epochs=12,
                         lr=0.1, snapshots=4, progress=heard.append)
    assert pd.DataFrame(heard).equals(run.history) and [row["epoch"] for row in heard] == list(range(13))
    heard.clear()
    run = initcore.train(dataset="moons", depth=10, width=32, activation="relu", scheme="large_normal", epochs=50,
                         lr=1.0, progress=heard.append)
    assert run.diverged and heard[-1]["epoch"] == run.diverged_epoch == len(heard) - 1
    assert pd.DataFrame(heard).equals(run.history)


def test_a_snapshots_boundary_is_the_networks_probability_to_float32s_rounding():
    """The snapshot grid runs in float32: each p(class 1) of the last snapshot is the trained network's, computed
    in float64, within what float32 rounding can gather over a forward pass: each logit within (L + 1)·(n + 2)·eps₃₂
    of the same pass through |W_l| from |x| (every product and sum rounded, ReLU moving no error up), times
    σ'(s) ≤ 1/4, plus p's own rounding. Where a logit overflows float32, the grid is taken in float64: a network
    whose hidden sums reach 1e40 and whose output weighs two of them against each other (inf - inf is NaN in
    float32) has the float64 network's probabilities to the bit."""
    depth, width = 5, 32
    run = initcore.train(dataset="moons", depth=depth, width=width, activation="relu", scheme="he_normal", epochs=20,
                         lr=0.1, snapshots=2)
    points = training._decision_points(training.SNAPSHOT_GRID)
    magnitude = np.abs(points).T
    for block in run.model.blocks(run.model.params):
        magnitude = np.abs(block).T @ np.vstack([magnitude, np.ones(len(points))])
    eps = np.finfo(np.float32).eps
    slack = 0.25 * (depth + 1) * (width + 2) * eps * magnitude[0] + eps
    expected = run.predict(points).reshape(training.SNAPSHOT_GRID, training.SNAPSHOT_GRID)
    assert run.snapshots[-1].boundary.dtype == np.float32
    assert (np.abs(run.snapshots[-1].boundary - expected) <= slack.reshape(expected.shape)).all()

    huge = MLP([np.full((2, 2), 1e20), np.full((2, 2), 1e20), np.array([[1.0], [-1.0 + 1e-3]])],
               [np.zeros(2), np.zeros(2), np.zeros(1)], initcore.get_activation("relu"), "sigmoid")
    params = np.stack([huge.params, huge.params * 1e-20])  # a film's stack: the second overflows nothing
    grid = training._Evaluation(huge, points, np.float32, stack=2)
    with np.errstate(over="ignore", invalid="ignore"):  # as inside ``train``
        assert not np.isfinite(grid.logits(params)[0]).all()
        overflowed, tame = training._boundaries(huge, grid, params)
        assert np.array_equal(overflowed.ravel(), huge.predict_proba(points))
    assert tame.dtype == np.float32 and np.isfinite(tame).all()


def test_the_snapshots_show_what_each_bad_start_does_during_training():
    """Zeros: every hidden layer stays one unit copied, and the boundary never bends (one probability
    everywhere). Small weights over 10 tanh layers: once training moves, the top layer's weight gradients are
    a thousand times and more the first layer's, and the first layer's weights do not move (their spread is
    the same to 6 digits from the first frame to the last). Large weights: the film ends at the epoch the run
    diverged."""
    zeros = initcore.train(dataset="moons", depth=3, width=16, activation="tanh", scheme="zeros", epochs=20,
                           lr=0.1, snapshots=4)
    assert all(list(s.layers.distinct_units) == [1, 1, 1] and np.ptp(s.boundary) == 0 for s in zeros.snapshots)
    small = initcore.train(dataset="moons", depth=10, width=32, activation="tanh", scheme="small_normal",
                           epochs=20, lr=0.1, snapshots=4)
    for snap in small.snapshots[1:]:
        assert snap.layers.grad_var.iloc[-1] > 1e3 * snap.layers.grad_var.iloc[0], snap.epoch
    first, last = (small.snapshots[k].layers.weight_std.iloc[0] for k in (0, -1))
    assert last == pytest.approx(first, rel=1e-6)
    large = initcore.train(dataset="moons", depth=5, width=32, activation="relu", scheme="large_normal",
                           epochs=20, lr=0.1, snapshots=4)
    assert large.diverged and large.snapshots[-1].epoch == large.diverged_epoch


def _distinct_units_by_definition(activations: np.ndarray) -> int:
    """``distinct_units`` as its docstring says it, unit by unit: a finite unit counts unless a unit counted before
    it is within the copy tolerance of it in every example, relative to the larger of the two's largest |output|."""
    units = activations.T[np.isfinite(activations).all(axis=0)]
    counted = []
    for unit in units:
        if not any(np.abs(other - unit).max() <= training.COPY_TOLERANCE * max(np.abs(other).max(), np.abs(unit).max())
                   for other in counted):
            counted.append(unit)
    return len(counted)


def test_units_far_smaller_than_their_layer_s_largest_are_not_copies_of_one_another():
    """Weights that blew up leave a layer's units orders of magnitude apart (ELU under large weights, seed 7: from
    656 to 1.5 × 10²¹). Units a millionth the size of the largest had all counted as copies of one another ("8 of 32
    distinct"); two units stuck at one value are copies still, and so are switched-off ones."""
    rng = np.random.default_rng(0)
    scales = 10.0 ** np.array([21, 15, 9, 3, 3, -10, -9])
    outputs = rng.standard_normal((40, len(scales))) * scales
    stuck = np.full((40, 2), -1.758)
    off = np.zeros((40, 3))
    assert training.distinct_units(np.hstack([outputs, stuck, off])) == len(scales) + 1 + 1


def _copied_units(rng, examples, units, prototypes, exponent, nudge, dead) -> np.ndarray:
    """(examples, units) outputs copied from a few prototypes at scale 10^exponent, nudged by 10^nudge of the
    layer's scale (around the tolerance 1e-6; 0: not nudged), about 30 % of them dead (all 0) if ``dead``."""
    outputs = (rng.standard_normal((examples, prototypes)) * 10.0**exponent)[:, rng.integers(0, prototypes, units)]
    if nudge:
        outputs += rng.standard_normal(outputs.shape) * np.abs(outputs).max() * 10.0**nudge
    if dead:
        outputs[:, rng.random(units) < 0.3] = 0
    return outputs


@settings(max_examples=int(os.environ.get("INITLAB_EXAMPLES", 40)) * 5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), examples=st.integers(1, 60), units=st.integers(1, 40),
       prototypes=st.integers(1, 6), exponent=st.integers(-300, 300), nudge=st.sampled_from([0, -9, -7, -6, -5, -3]),
       dead=st.booleans(), overflow=st.booleans())
def test_distinct_units_counts_copies_as_its_definition_does(seed, examples, units, prototypes, exponent, nudge, dead,
                                                             overflow):
    """Units copied from a few prototypes and nudged by 10^nudge of the layer's scale (around the tolerance 1e-6),
    at scales from 1e-300 to 1e300, some dead (all 0) and one overflowed: the count is the unit-by-unit one."""
    rng = np.random.default_rng(seed)
    outputs = _copied_units(rng, examples, units, prototypes, exponent, nudge, dead)
    if overflow:
        outputs[rng.integers(examples), rng.integers(units)] = np.inf
    assert training.distinct_units(outputs) == _distinct_units_by_definition(outputs)


@settings(max_examples=int(os.environ.get("INITLAB_EXAMPLES", 40)) * 2, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layers=st.integers(2, 6), examples=st.integers(1, 40),
       units=st.integers(1, 24))
def test_a_snapshot_counts_the_distinct_units_of_every_layer_at_once_as_each_alone(seed, layers, examples, units):
    """A snapshot counts all its layers together (``_distinct_counts`` of a (layers, units, examples) stack), a
    round at a time for every layer. Layers each of its own make (prototypes, scale, nudge, dead units): each
    layer's count is the unit-by-unit one of that layer alone."""
    rng = np.random.default_rng(seed)
    stack = np.stack([_copied_units(rng, examples, units, int(rng.integers(1, 7)), int(rng.integers(-300, 301)),
                                    int(rng.choice([0, -9, -7, -6, -5, -3])), bool(rng.integers(2)))
                      for _ in range(layers)])
    expected = [_distinct_units_by_definition(outputs) for outputs in stack]
    assert training._distinct_counts(stack.transpose(0, 2, 1)) == expected


def test_layer_variances_are_each_layers_variance_to_the_rounding_of_its_sums():
    """Each layer's variance from Σx and Σx² in one pass each: within n·eps·E[x²] of ``np.var`` (the rounding
    of the two sums, n terms each), two passes where the mean dwarfs the spread, exactly 0 for a layer of
    zeros, not finite for a layer with an inf or whose squares overflow."""
    from initcore._stats import layer_variances

    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 32, 400))
    x[1] = 0.5 + 1e-4 * x[1]  # E[x²]/Var = 2.5e7: past CANCELLATION, two passes
    x[2] = np.maximum(x[2], 0) * 1e-150
    x[3] = 0.0
    x[4, 5, 7] = np.inf
    x[5] *= 1e160
    with np.errstate(over="ignore", invalid="ignore"):  # as inside ``train``, whose snapshots call it
        got = layer_variances(x)
    n = x[0].size
    for layer in (0, 1, 2):
        mean_square = float(np.mean(x[layer] ** 2))
        assert abs(got[layer] - np.var(x[layer])) <= n * np.finfo(float).eps * mean_square
    assert got[3] == 0.0 and not np.isfinite(got[4]) and not np.isfinite(got[5])


@settings(max_examples=int(os.environ.get("INITLAB_EXAMPLES", 40)) * 5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(1, 5), exponent=st.floats(-44, 38),
       values=st.sampled_from(["normal", "relu", "zeros", "few", "not finite"]),
       sample=st.sampled_from([SAMPLE, training.SNAPSHOT_SAMPLE, 100]))
def test_snapshot_histograms_are_build_s_to_the_last_count(seed, depth, exponent, values, sample):
    """Layers of any shape (fewer values than the sample or more, row- or column-major), scales from float32's
    subnormals to its overflow, exact zeros, few distinct values, an inf or NaN, samples of a lesson's size, a
    snapshot's and smaller: every field of the snapshot's histograms is what ``histograms.build`` makes of the
    rows ``record`` keeps."""
    from initcore._binning import histograms, layer_samples
    from initcore.histograms import build, record, sample_rows

    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        x = rng.standard_normal((rng.integers(1, 300), rng.integers(1, 80))) * 10.0**exponent
        x = {"normal": x, "relu": np.maximum(x, 0), "zeros": 0 * x, "few": np.round(x / np.abs(x).max() * 4),
             "not finite": np.where(rng.random(x.shape) < 0.01, rng.choice([np.nan, np.inf]), x)}[values]
        layers.append(x if rng.random() < 0.5 else x.T)
    rows = sample_rows(depth, sample)
    with np.errstate(over="ignore"):  # record's float32 overflows to inf, as inside train
        for layer, x in enumerate(layers):
            record(rows, layer, x)
    expected = build(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = histograms([layer_samples(layers, sample)])[0]
    for name in ("edges", "counts", "log_edges", "log_counts", "zeros", "total"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)


@pytest.mark.parametrize("scheme", ["he_normal", "zeros"])
def test_the_last_snapshot_is_the_trained_network_layer_by_layer(scheme):
    """The last snapshot against the trained model recomputed layer by layer: the spread of its weights to the bit,
    the variances of its activations and weight gradients to float64's rounding of a sum of their N terms (N·eps,
    relative), its dead and distinct units exactly, and the histograms of all three as ``build`` bins them."""
    run = initcore.train(dataset="moons", depth=4, width=16, activation="relu", scheme=scheme, epochs=10, lr=0.1,
                         snapshots=5)
    assert_last_snapshot_is_the_trained_network(run, depth=4)


def assert_last_snapshot_is_the_trained_network(run, depth: int) -> None:
    """``run``'s last snapshot (at epoch 10) against its trained model recomputed for each of its ``depth`` hidden
    layers."""
    from initcore.histograms import build, record, sample_rows

    X, y = run.data["X_train"], run.data["y_train"]
    _, gradients, _, _, hidden, _ = run.model.loss_and_grads(X, y)
    weights, gradients = run.model.weights[:depth], gradients[:depth]
    last = run.snapshots[-1]
    assert last.epoch == 10
    assert last.layers.weight_std.tolist() == [float(np.std(w)) for w in weights]
    for column, arrays in (("act_var", hidden), ("grad_var", gradients)):
        for got, a in zip(last.layers[column], arrays):
            assert got == pytest.approx(np.var(a), rel=a.size * np.finfo(float).eps, abs=1e-300)
    assert last.layers.frac_dead.tolist() == [float(np.mean(a == 0)) for a in hidden]
    assert last.layers.distinct_units.tolist() == [_distinct_units_by_definition(a) for a in hidden]
    for histograms, arrays in ((last.weight_hist, weights), (last.act_hist, hidden), (last.grad_hist, gradients)):
        rows = sample_rows(depth, training.SNAPSHOT_SAMPLE)
        for layer, a in enumerate(arrays):
            record(rows, layer, a)
        expected = build(rows)
        np.testing.assert_array_equal(histograms.counts, expected.counts)
        np.testing.assert_array_equal(histograms.log_counts, expected.log_counts)
        np.testing.assert_array_equal(histograms.total, expected.total)


def test_biases_drawn_with_bias_std_have_its_variance_and_leave_the_weights_alone():
    """bias_std = σ_b: every bias is N(0, σ_b²) (the sample variance of all of them within 5 of its standard
    errors, σ_b²·√(2/(n - 1)), of σ_b²), from a stream of their own: the weights are those drawn without biases.
    A bias_std that is negative or not a number is refused."""
    sigma_b, make = 0.7, dict(depth=10, width=256, activation="tanh", scheme="xavier_normal", output="sigmoid",
                              bias=0.0)
    plain = init_mlp(rng=np.random.default_rng(5), **make)
    biased = init_mlp(rng=np.random.default_rng(5), bias_std=sigma_b, bias_rng=np.random.default_rng(6), **make)
    biases = np.concatenate(biased.biases)
    assert abs(np.var(biases) - sigma_b**2) <= 5 * sigma_b**2 * np.sqrt(2 / (biases.size - 1))
    assert all(np.array_equal(a, b) for a, b in zip(plain.weights, biased.weights))
    assert not np.concatenate(plain.biases).any()
    run = initcore.train(dataset="moons", depth=2, width=8, activation="tanh", scheme="xavier_normal", epochs=1,
                         lr=0.1, bias_std=sigma_b)
    assert run.settings["bias_std"] == sigma_b
    for bad in (-0.1, float("nan"), "big"):
        with pytest.raises(ValueError, match="bias_std"):
            initcore.train(dataset="moons", depth=2, width=8, activation="tanh", scheme="xavier_normal", epochs=1,
                           lr=0.1, bias_std=bad)


@pytest.mark.parametrize("chunk", [2**17, 1000])
@pytest.mark.parametrize("seed", range(6))
def test_many_snapshots_binned_together_are_each_binned_alone(seed, chunk, monkeypatch):
    """A film's snapshots are binned in one pass (``_binning.histograms``), each with edges of its own: every field
    is what ``build`` makes of that snapshot's rows alone, whatever its scale (subnormal to overflowing), zeros,
    few values, an inf or a NaN."""
    from initcore import _binning
    from initcore._binning import histograms, layer_samples
    from initcore.histograms import build

    monkeypatch.setattr(_binning, "CHUNK_VALUES", chunk)  # one pass for all, or a pass for every few sets
    rng = np.random.default_rng(seed)
    batch = []
    for _ in range(int(rng.integers(1, 12))):
        exponent = rng.choice([-44, -40, -20, 0, 10, 37, 40])
        layers = []
        for _ in range(int(rng.integers(1, 6))):
            x = rng.standard_normal((rng.integers(1, 90), rng.integers(1, 40))) * 10.0**exponent
            kind = rng.choice(["normal", "relu", "zeros", "few", "not finite"])
            x = {"normal": x, "relu": np.maximum(x, 0), "zeros": 0 * x, "few": np.round(x / np.abs(x).max() * 4),
                 "not finite": np.where(rng.random(x.shape) < 0.05, rng.choice([np.nan, np.inf]), x)}[kind]
            layers.append(x if rng.random() < 0.5 else x.T)
        batch.append(layer_samples(layers, int(rng.choice([64, 2048]))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        together = histograms(batch)
    with np.errstate(all="ignore"):
        alone = [build(samples.rows()) for samples in batch]
    for got, expected in zip(together, alone, strict=True):
        for name in ("edges", "counts", "log_edges", "log_counts", "zeros", "total"):
            np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)


@pytest.mark.parametrize("dataset", list(initcore.DATASETS))
@pytest.mark.parametrize("n", [N_RANGE[0], N_RANGE[0] + 1])
def test_the_fewest_points_allowed_train(dataset, n):
    """n = 4, the least ``N_RANGE`` allows, leaves each class's two points none for the test set (a fifth of two
    rounds to 0): it trains all the same, its test accuracy no number (NaN), where it had raised numpy's "cannot
    reshape array of size 0" from deep inside."""
    run = initcore.train(dataset=dataset, depth=2, width=4, activation="relu", scheme="he_normal", epochs=3, lr=0.1,
                         n=n, snapshots=2)
    assert len(run.data["X_train"]) + len(run.data["X_test"]) == n and np.isfinite(run.history.loss).all()
    assert np.isnan(run.history.test_accuracy).all() == (len(run.data["X_test"]) == 0)
    lab = initcore.compare(schemes=["zeros", "he_normal"], dataset=dataset, depth=2, width=4, activation="relu",
                           epochs=3, lr=0.1, n=n)
    assert set(lab.summary.scheme) == {"zeros", "he_normal"}


@pytest.mark.parametrize("held", [1, 3, 1000])
@pytest.mark.parametrize("activation, scheme, lr", [("relu", "he_normal", 0.1), ("tanh", "zeros", 0.1),
                                                    ("relu", "large_normal", 3.0)])
def test_a_film_reduces_many_snapshots_at_a_time_as_each_alone(held, activation, scheme, lr, monkeypatch):
    """A film's snapshots wait and are reduced many at a time (``_Film``): whether a batch holds one snapshot (reduced
    from the pass's own arrays), three (so that it fills in the middle of the run) or all of them, every snapshot is
    the same to the bit (its table, its histograms, its boundary), of a healthy run, a symmetric one and one that
    diverges; and every snapshot's distinct units are those of ``distinct_units`` on each of its layers alone."""
    settings = dict(dataset="moons", depth=4, width=16, activation=activation, scheme=scheme, epochs=30, lr=lr,
                    n=200, snapshots=30)
    monkeypatch.setattr(training, "FILM_BATCH_BYTES", 1)
    alone = initcore.train(**settings)
    model = init_mlp(depth=4, width=16, activation=activation, scheme=scheme, output="sigmoid", bias=0.0,
                     rng=np.random.default_rng(0))
    monkeypatch.setattr(training, "FILM_BATCH_BYTES", held * training._Film.snapshot_bytes(model, 160))
    run = initcore.train(**settings)
    assert [s.epoch for s in run.snapshots] == [s.epoch for s in alone.snapshots]
    for snapshot, reference in zip(run.snapshots, alone.snapshots):
        pd.testing.assert_frame_equal(snapshot.layers, reference.layers, check_exact=True)
        np.testing.assert_array_equal(snapshot.boundary, reference.boundary)
        for kind in ("weight_hist", "act_hist", "grad_hist"):
            for name in ("edges", "counts", "log_edges", "log_counts", "zeros", "total"):
                np.testing.assert_array_equal(getattr(getattr(snapshot, kind), name),
                                              getattr(getattr(reference, kind), name))
    epochs = [snapshot.epoch for snapshot in run.snapshots]
    assert list(run.snapshots[0].layers.distinct_units) == run.initial_distinct_neurons
    for snapshot in run.snapshots[1:]:  # the network at each later epoch, trained again that far
        model = initcore.train(**(settings | dict(epochs=snapshot.epoch, snapshots=0))).model
        with np.errstate(all="ignore"):
            hidden = model.forward(run.data["X_train"])[1][1:]
        assert list(snapshot.layers.distinct_units) == [training.distinct_units(a) for a in hidden], (
            snapshot.epoch, epochs)


@pytest.mark.parametrize("widths", [(2, 16, 16, 16), (2, 16, 8, 8, 4, 16, 8), (2, 3)])
def test_a_pass_that_wants_only_the_logits_gives_the_full_pass_s_to_the_bit(widths):
    """``LogitPasses`` holds two layers' values at a time, each width's in two arrays taken in turn: its logits are
    those of the pass that keeps every layer (``MLP.forward``), widths that come back, go down and up included;
    and a stack of parameter vectors passed at once gives each one's logits as it passes alone."""
    model = init_mlp(widths=widths, activation="tanh", scheme="xavier_normal", output="softmax", bias=0.1,
                     rng=np.random.default_rng(3))
    X = np.random.default_rng(4).standard_normal((50, 2))
    alone = training._Evaluation(model, X)
    np.testing.assert_array_equal(alone.logits(), model.forward(X)[2])
    stack = np.stack([model.params, 2 * model.params, -model.params])
    together = training._Evaluation(model, X, np.float32, stack=3).logits(stack)
    one = training._Evaluation(model, X, np.float32, stack=1)
    for params, logits in zip(stack, together):
        np.testing.assert_array_equal(logits, one.logits(params[None])[0])


def _same_run(together, alone):
    """Two ``TrainingRun``s are one: every number of their records, their snapshots and their trained networks."""
    pd.testing.assert_frame_equal(together.history, alone.history, check_exact=True)
    pd.testing.assert_frame_equal(together.grad_norms, alone.grad_norms, check_exact=True)
    np.testing.assert_array_equal(together.model.params, alone.model.params)
    assert together.model.params.base is None  # its own, not a row of the stack it was stepped in
    for w_together, w_alone in zip(together.initial_weights, alone.initial_weights):
        np.testing.assert_array_equal(w_together, w_alone)
    assert (together.diverged_epoch, together.overflowed, together.distinct_neurons,
            together.initial_distinct_neurons, together.settings) == (
        alone.diverged_epoch, alone.overflowed, alone.distinct_neurons, alone.initial_distinct_neurons, alone.settings)
    assert len(together.snapshots) == len(alone.snapshots)
    for a, b in zip(together.snapshots, alone.snapshots):
        assert a.epoch == b.epoch
        np.testing.assert_array_equal(a.boundary, b.boundary)
        pd.testing.assert_frame_equal(a.layers, b.layers, check_exact=True)
        for kind in ("weight_hist", "act_hist", "grad_hist"):
            for name in ("edges", "counts", "log_edges", "log_counts", "zeros", "total"):
                np.testing.assert_array_equal(getattr(getattr(a, kind), name), getattr(getattr(b, kind), name))


@pytest.mark.parametrize("settings, lrs", [
    (dict(dataset="moons", depth=10, width=32, activation="relu", epochs=30, snapshots=10), (1.0,)),  # two diverge
    (dict(dataset="xor", depth=2, width=16, activation="tanh", epochs=10, output="softmax", momentum=0.9), (0.1,)),
    (dict(dataset="circles", widths=(2, 16, 8, 4), activation="tanh", epochs=20, snapshots=5, bias=0.1), (0.3,)),
    (dict(dataset="spirals", depth=3, width=8, activation="gelu", epochs=15, snapshots=3), (0.01, 0.3, 3.0)),
    (dict(dataset="moons", depth=4, width=16, activation="relu", epochs=20, momentum=0.5), (0.1, 3.0)),  # one diverges
])
def test_runs_stepped_together_are_each_run_alone_to_the_bit(settings, lrs, monkeypatch):
    """``train_all`` (and ``compare``, and the sweep) steps runs that differ in their initialization and learning
    rate together, as one stack: each run is what ``train`` gives it alone, to the last bit of every record, snapshot
    and weight, runs that diverge while the others go on included; and so it is when the runs take more stacks than
    one (a small ``STACK_BYTES``), each progress row heard in its run's order."""
    runs = [dict(settings, scheme=scheme, lr=lr) for lr in lrs for scheme in initcore.LAB_SCHEMES]
    alone = [initcore.train(**run) for run in runs]
    for stack_bytes in (training.STACK_BYTES, 1):
        monkeypatch.setattr(training, "STACK_BYTES", stack_bytes)
        heard = [[] for _ in runs]
        together = initcore.train_all([dict(run, progress=rows.append) for run, rows in zip(runs, heard)])
        for run_together, run_alone, rows in zip(together, alone, heard):
            _same_run(run_together, run_alone)
            assert pd.DataFrame(rows).equals(run_alone.history)
    if len(lrs) == 1:
        comparison = initcore.compare(**settings, lr=lrs[0])
        for run_together, run_alone in zip(comparison.runs.values(), alone):
            _same_run(run_together, run_alone)


def test_runs_that_cannot_step_together_are_trained_each_on_its_own():
    """Runs of other data, shapes, activations or epochs go into stacks of their own, in the order asked."""
    runs = [dict(dataset="moons", depth=2, width=8, activation="relu", scheme="he_normal", epochs=5, lr=0.1),
            dict(dataset="xor", depth=2, width=8, activation="relu", scheme="he_normal", epochs=5, lr=0.1),
            dict(dataset="moons", depth=3, width=8, activation="relu", scheme="he_normal", epochs=5, lr=0.1),
            dict(dataset="moons", depth=2, width=8, activation="tanh", scheme="he_normal", epochs=5, lr=0.1),
            dict(dataset="moons", depth=2, width=8, activation="relu", scheme="xavier_normal", epochs=6, lr=0.1),
            dict(dataset="moons", depth=2, width=8, activation="relu", scheme="zeros", epochs=5, lr=0.1, seed=1)]
    for together, run in zip(initcore.train_all(runs), runs):
        _same_run(together, initcore.train(**run))


def test_a_run_left_alone_in_its_stack_steps_on_as_it_would_alone():
    """Where every other run of a stack has diverged, the one left steps on unstacked, its momentum carried over."""
    settings = dict(dataset="moons", depth=4, width=16, activation="relu", epochs=20, lr=1.0, momentum=0.9,
                    snapshots=5)
    runs = [dict(settings, scheme="large_normal"), dict(settings, scheme="xavier_normal")]
    together = initcore.train_all(runs)
    assert together[0].diverged_epoch == 1 and not together[1].diverged
    for run_together, run in zip(together, runs):
        _same_run(run_together, initcore.train(**run))
