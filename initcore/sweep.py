"""Learning rate × initialization: the final loss of every pairing, to show that a bad start narrows the range
of learning rates that train.

    >>> from initcore.sweep import lr_sweep
    >>> lr_sweep(schemes=("small_normal", "he_normal"), dataset="moons", depth=5, width=32, activation="relu",
    ...          epochs=30).pivot(index="scheme", columns="lr", values="final_loss")
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from initcore.training import SHAPE_KEYWORDS, described, max_epochs, train_all

SWEEP_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # half-decade steps, log-spaced


def sweep_epochs(*, schemes, lrs=SWEEP_LRS, epochs: int, n: int = 500, **settings) -> int:
    """The epochs each run of ``lr_sweep`` trains: ``epochs``, or as many as every pairing of ``schemes`` and ``lrs``
    together may have within the training budget (``max_epochs``, one run per pairing). A ValueError says what to
    lower where not one epoch of every pairing fits. A page that trains the sweep a learning rate at a time passes
    these epochs to each column's ``lr_sweep``, so that each cell is the whole sweep's."""
    runs = len(schemes) * len(lrs)
    widths = described(activation=settings.get("activation"), scheme=next(iter(schemes), None),
                       **{k: settings[k] for k in SHAPE_KEYWORDS if k in settings}).widths
    epochs = min(epochs, max_epochs(widths=widths, n=n, runs=runs))
    if epochs < 1:
        network = (f"widths={widths}" if "widths" in settings
                   else f"{settings['depth']} layers of {settings['width']} units")
        raise ValueError(f"{runs} trainings of {network} do not fit the training budget; sweep fewer schemes or "
                         "a smaller network.")
    return epochs


def lr_sweep(*, schemes, lrs=SWEEP_LRS, epochs: int, n: int = 500, **settings) -> pd.DataFrame:
    """Train each of ``schemes`` at each of ``lrs`` (everything else as in ``compare``, the network's ``depth`` and
    ``width`` or ``widths`` included), for ``sweep_epochs``. The runs take their steps together (``train_all``).

    Returns one row per pairing: ``scheme``, ``lr``, ``final_loss`` (NaN where the run diverged),
    ``diverged_epoch`` (NaN where it did not; floats, whichever runs diverged) and ``epochs`` (those trained).
    """
    lrs = [float(lr) for lr in lrs]
    if not lrs:
        raise ValueError("lrs=[]; expected one or more learning rates")
    epochs = sweep_epochs(schemes=schemes, lrs=lrs, epochs=epochs, n=n, **settings)
    pairings = [(scheme, lr) for lr in lrs for scheme in dict.fromkeys(schemes)]
    trained = train_all([dict(settings, scheme=scheme, lr=lr, epochs=epochs, n=n) for scheme, lr in pairings])
    return pd.DataFrame([dict(scheme=scheme, lr=lr,
                              final_loss=np.nan if run.diverged else float(run.history.loss.iloc[-1]),
                              diverged_epoch=np.nan if run.diverged_epoch is None else float(run.diverged_epoch),
                              epochs=epochs)
                         for (scheme, lr), run in zip(pairings, trained)])
