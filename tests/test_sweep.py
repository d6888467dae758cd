"""Learning rate × initialization (``initcore.lr_sweep``)."""

import numpy as np
import pytest

import initcore
from initcore.training import MAX_WORK, training_work


def test_a_bad_start_narrows_the_learning_rates_that_train():
    """One row per pairing, each trained for the same epochs within the budget; He trains (loss under half of
    ln 2) over a band of rates at least as wide as Xavier's under ReLU, small weights at none, large weights
    diverge at every rate."""
    table = initcore.lr_sweep(schemes=("small_normal", "large_normal", "xavier_normal", "he_normal"),
                              dataset="moons", depth=5, width=32, activation="relu", epochs=100)
    assert len(table) == 4 * len(initcore.SWEEP_LRS) and table.epochs.nunique() == 1
    assert len(table) * training_work(depth=5, width=32, epochs=int(table.epochs.iloc[0]), n=500) <= MAX_WORK
    trains = table.final_loss < 0.5 * np.log(2)
    count = trains.groupby(table.scheme).sum()
    assert count["he_normal"] >= 3 and count["he_normal"] >= count["xavier_normal"] and count["small_normal"] == 0
    large = table[table.scheme == "large_normal"]
    assert large.final_loss.isna().all() and large.diverged_epoch.notna().all()


def test_a_sweep_too_large_for_the_budget_says_what_to_lower():
    with pytest.raises(ValueError, match="do not fit the training budget"):
        initcore.lr_sweep(schemes=initcore.LAB_SCHEMES, dataset="moons", depth=30, width=128, activation="relu",
                          epochs=100)
