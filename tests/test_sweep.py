"""Learning rate × initialization (``initcore.lr_sweep``)."""

import json

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


def test_rates_a_scheme_trains_at_with_a_gap_between_them_are_not_told_as_one_range():
    """Xavier under tanh, 2 layers of 16 on circles: 0.25 at lr 0.3, 0.44 at 1, 0.023 at 3. It trains at 0.3 and 3
    but not at 1 between them, where "0.3 to 3" had spanned all three; each unbroken run of rates is named apart."""
    from ui.charts import trains_at

    gap = sweep_table({"xavier_normal": [0.69, 0.69, 0.69, 0.69, 0.69, 0.25, 0.44, 0.023]})
    assert trains_at(gap) == "trains at 2 of 8 learning rates (0.3 and 3)"
    runs = sweep_table({"he_normal": [0.1, 0.2, 0.3, 0.69, 0.1, 0.1, float("nan"), 0.2]})
    assert trains_at(runs) == "trains at 6 of 8 learning rates (0.001 to 0.01, 0.1 to 0.3 and 3)"
    shuffled = sweep_table({"he_normal": [0.69, 0.1, 0.1, 0.69, 0.69, 0.69, 0.69, 0.69]}).iloc[::-1]
    assert trains_at(shuffled) == "trains at 2 of 8 learning rates (0.003 to 0.01)"


def test_a_sweep_cut_to_fewer_epochs_than_the_lab_s_says_so():
    """Where the budget leaves each of the sweep's trainings fewer epochs than the lab's, its cells need not match the
    lab's table, and the caption says why."""
    from ui import lessons

    caption = lessons.sweep_caption(sweep_table({"he_normal": [0.69] * 8}, epochs=3), 100)
    assert "Each cell trained for 3 epochs, where the lab above trains 100" in caption
    assert "for 8 trainings" in caption


def _colour(scale, at: float) -> np.ndarray:
    """The colour a Plotly colorscale ([[position, "#rrggbb"], …]) gives at ``at`` in 0–1, as RGB 0–255."""
    positions = [p for p, _ in scale]
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in scale], float)
    return np.array([np.interp(at, positions, rgb[:, k]) for k in range(3)])


def _lightness(rgb: np.ndarray) -> float:
    """Relative luminance (WCAG) of an sRGB colour, 0 (black) to 1 (white)."""
    c = rgb / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("upright", [False, True])
def test_the_sweep_s_cells_that_train_are_the_dark_ones(upright):
    """The caption reads "the dark cells are the learning rates at which it trains" (a final loss under half of
    ln 2): every such cell is darker than every cell that did not train. On Viridis a loss of 0.26 (trained) had
    been a yellow-green, as bright as a coin flip's 0.69 beside it; the scale now breaks at half of ln 2."""
    from ui import charts

    losses = [1e-5, 1e-4, 0.003, 0.05, 0.2, 0.26, 0.34, 0.35, 0.36, 0.46, 0.69, 0.74, 3.0, 1e92]
    table = sweep_table({"he_normal": losses[:8], "zeros": losses[6:]})
    heat = charts.sweep_figure(table, upright=upright).data[1]
    z = np.asarray(heat.z, float).ravel()
    scale = [(p, c) for p, c in heat.colorscale]
    position = (np.clip(z, heat.zmin, heat.zmax) - heat.zmin) / (heat.zmax - heat.zmin)
    shade = np.array([_lightness(_colour(scale, p)) for p in position])
    loss = np.asarray(10 ** z)
    trained = 10 ** np.asarray(heat.z, float).ravel() < charts.TRAINED
    assert trained.any() and (~trained).any()
    assert shade[trained].max() < shade[~trained].min() - 0.1, (loss, shade)


def test_a_sweep_trained_a_learning_rate_at_a_time_is_the_whole_sweep():
    """A page trains the sweep a column at a time, each at the whole sweep's epochs (``sweep_epochs``): the columns
    together are the sweep, cell for cell, to the bit."""
    import pandas as pd

    from initcore.sweep import sweep_epochs

    settings = dict(schemes=("zeros", "large_normal", "he_normal"), dataset="xor", depth=4, width=16,
                    activation="relu")
    whole = initcore.lr_sweep(**settings, epochs=300)
    epochs = sweep_epochs(**settings, epochs=300)
    assert epochs < 300 and (whole.epochs == epochs).all()
    columns = pd.concat([initcore.lr_sweep(**settings, lrs=(lr,), epochs=epochs) for lr in initcore.SWEEP_LRS],
                        ignore_index=True)
    pd.testing.assert_frame_equal(columns, whole, check_exact=True)


def test_a_cell_just_under_the_line_of_a_run_that_trained_does_not_read_as_above_it():
    """A cell is dark where the final loss is under ½ ln 2 = 0.3466: one of 0.3455 read "0.35" there, above the line
    the caption draws. It takes a third digit wherever two would put it on the other side; the others keep two."""
    from ui import charts

    table = sweep_table({"he_normal": [0.34552, 0.34656, 0.3478, 0.35, 0.2, 0.6931, 0.001234, float("nan")]})
    cells = json.loads(charts.sweep_figure(table).to_json())["data"][1]["text"][0]
    assert cells == ["0.346", "0.34656", "0.35", "0.35", "0.2", "0.69", "0.0012", "✕"]


@pytest.mark.parametrize("schemes", [1, 2, 5, 12])
def test_a_sweep_of_few_schemes_is_as_tall_as_one_of_five(schemes):
    """With one or two schemes the heatmap was 130 or 170 px tall: a row of 5 px, its numbers unreadable, the
    subtitle over the scheme's name and the colour scale a smudge. Fewer rows now are taller ones."""
    from ui import charts

    names = list(initcore.SCHEMES)[:schemes]
    figure = charts.sweep_figure(sweep_table({name: [0.5] * 8 for name in names}))
    assert figure.layout.height == 90 + 40 * max(schemes, 5)
