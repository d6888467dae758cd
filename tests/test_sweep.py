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


def sweep_table(losses: dict[str, list[float]], epochs: int = 45):
    """A sweep's table as ``initcore.lr_sweep`` gives it: a row per scheme and learning rate."""
    import pandas as pd

    rates = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
    return pd.DataFrame([dict(scheme=s, lr=lr, final_loss=loss, epochs=epochs)
                         for s, row in losses.items() for lr, loss in zip(rates, row)])


@pytest.mark.parametrize("upright", [False, True])
def test_the_sweep_s_caption_reads_its_own_cells(upright):
    """The caption says at which learning rates each scheme trains (a final loss under half of ln 2), read off the
    cells, widest range first, along a row or, on a phone's upright chart, a column; a lone rate is named alone. It
    had said that a good scheme's row has a dark run of cells beside a sweep where Large random trained at three
    rates and Xavier and He at two."""
    from ui import lessons

    nan = float("nan")
    table = sweep_table({"xavier_normal": [0.69, 0.69, 0.69, 0.69, 0.69, 0.69, 0.2, 0.3],
                         "large_normal": [0.69, 0.69, 0.69, 0.69, 0.69, 0.1, 0.2, 0.3],
                         "he_normal": [0.69] * 7 + [0.1], "zeros": [0.69] * 6 + [12.0, nan]})
    caption = lessons.sweep_caption(table, 45, upright=upright)
    assert caption.startswith(f"Along each scheme's {'column' if upright else 'row'},")
    assert ("Here Large random trains at 3 of 8 learning rates (0.3 to 3); Xavier/Glorot normal trains at 2 of 8 "
            "learning rates (1 to 3); He/Kaiming normal trains at 1 of 8 learning rates (3); Zeros trains at none of "
            "the 8 learning rates.") in caption
    assert "epochs" not in caption


def test_a_sweep_cut_to_fewer_epochs_than_the_lab_s_says_so():
    """Where the budget leaves each of the sweep's trainings fewer epochs than the lab's, its cells need not match the
    lab's table, and the caption says why."""
    from ui import lessons

    caption = lessons.sweep_caption(sweep_table({"he_normal": [0.69] * 8}, epochs=3), 100)
    assert "Each cell trained for 3 epochs, where the lab above trains 100" in caption
    assert "for 8 trainings" in caption
