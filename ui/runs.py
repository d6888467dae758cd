"""The Training lab's runs: each scheme trained on its own as a job (``ui.jobs``), put together for the page.

Each scheme's run is the one ``initcore.compare`` would give it (same data, seed and settings), filmed
(``ui.film.SNAPSHOTS``). Trained apart, the runs already done can be drawn while the others train, and each run
reports its epochs as they end, so that the loss curves grow on the page while the runs go on. The learning-rate
sweep is trained a learning rate at a time, each column a job, and drawn column by column as they are done.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

import pandas as pd
import streamlit as st

import initcore
from initcore.sweep import sweep_epochs
from ui import film, jobs


def train(scheme: str, settings: dict, snapshots: int = film.SNAPSHOTS, report: Callable | None = None) -> dict:
    """One scheme's run, as the page draws it: history, divergence and what overflowed, decision grid, summary row,
    ``snapshots`` + 1 snapshots, and how far each hidden layer's weights moved (``TrainingRun.moved``). ``report``
    hears each epoch's history row as it ends."""
    comparison = initcore.compare(schemes=(scheme,), snapshots=snapshots, progress=report, **settings)
    run = comparison.runs[scheme]
    return dict(history=run.history, diverged=run.diverged_epoch, overflowed=run.overflowed, grid=run.decision_grid(),
                test_points=(run.data["X_test"], run.data["y_test"]), summary=comparison.summary,
                distinct=run.distinct_neurons, snapshots=run.snapshots, moved=run.moved())


def start(schemes: list[str], settings: dict, snapshots: int = film.SNAPSHOTS) -> dict[str, jobs.Job]:
    """Every scheme's run, started (or found running or done) on the compute threads."""
    key = json.dumps(settings, sort_keys=True)
    return {scheme: jobs.start(("lab", scheme, key, snapshots), train, scheme, settings, snapshots)
            for scheme in schemes}


def gather(runs: dict[str, dict]) -> dict:
    """The finished runs of ``runs`` (scheme → ``train``'s result) as one lab: per-scheme histories, divergence,
    grids, snapshots and movements, the test points and the summary table."""
    first = next(iter(runs.values()))
    return dict(histories={s: r["history"] for s, r in runs.items()},
                diverged={s: r["diverged"] for s, r in runs.items()},
                overflowed={s: r["overflowed"] for s, r in runs.items()},
                grids={s: r["grid"] for s, r in runs.items()}, test_points=first["test_points"],
                summary=pd.concat([r["summary"] for r in runs.values()], ignore_index=True),
                distinct={s: r["distinct"] for s, r in runs.items()},
                snapshots={s: r["snapshots"] for s, r in runs.items()},
                moved={s: r["moved"] for s, r in runs.items()})


def finished(started: dict[str, jobs.Job]) -> dict[str, dict]:
    """The runs of ``started`` that are done, in the order of the schemes."""
    return {s: job.result() for s, job in started.items() if job.done()}


def so_far(started: dict[str, jobs.Job], epochs: int) -> dict:
    """What can be drawn of ``started``, runs of ``epochs`` epochs, while some train: ``histories``, each scheme's
    epochs reported so far (its whole history once done; a scheme not yet begun is left out), ``diverged`` (known
    once a run is done), the schemes still ``training``, and the share of all their epochs ``done`` (a run that
    diverged counts whole)."""
    done = finished(started)
    reported = {s: pd.DataFrame(list(job.reported)) for s, job in started.items() if s not in done and job.reported}
    histories = {s: done[s]["history"] if s in done else reported[s] for s in started if s in done or s in reported}
    rows = sum(epochs + 1 if s in done else len(history) for s, history in histories.items())
    return dict(histories=histories, diverged={s: run["diverged"] for s, run in done.items()},
                training=list(reported), done=rows / (len(started) * (epochs + 1)))


def progress(started: dict[str, jobs.Job], epochs: int, draw: Callable[[dict], None]) -> None:
    """While some of ``started`` (runs of ``epochs`` epochs) train: a progress bar and ``draw`` of what they have
    done so far (``so_far``), until all are done (``until_done``)."""
    def drawn_so_far() -> None:
        lab = so_far(started, epochs)
        st.progress(lab["done"], text=f"Training: {len(finished(started))} of {len(started)} schemes done. The loss "
                                      "curves grow as the epochs come in.")
        if lab["histories"]:
            draw(lab)

    until_done(started, drawn_so_far)


def until_done(started: dict[Hashable, jobs.Job], draw: Callable[[], None]) -> None:
    """While some of ``started`` run: ``draw()`` what can be drawn of them, again every ``jobs.POLL`` seconds in a
    fragment (the rest of the page stays as it is); once all are done, the whole page runs again and draws them."""
    @st.fragment(run_every=jobs.POLL)
    def poll() -> None:
        if all(job.done() for job in started.values()):
            st.rerun()
        draw()

    poll()


def start_sweep(schemes: list[str], settings: dict) -> tuple[dict[float, jobs.Job], int]:
    """The learning-rate sweep of ``schemes`` under the lab's ``settings`` (its lr aside), started: a job per learning
    rate (``initcore.SWEEP_LRS``), each column's schemes stepped together, at the whole sweep's epochs
    (``sweep_epochs``, whose ValueError says what to lower where the sweep does not fit the training budget). The
    compute threads train two columns at a time; a class on one link shares them. Returns the jobs by learning rate,
    and the epochs every cell trains."""
    column = {name: value for name, value in settings.items() if name != "lr"}
    column["epochs"] = sweep_epochs(schemes=schemes, **column)
    key = json.dumps(column, sort_keys=True)
    return {lr: jobs.start(("sweep", tuple(schemes), lr, key), sweep_column, tuple(schemes), column, lr)
            for lr in initcore.SWEEP_LRS}, column["epochs"]


def sweep_column(schemes: tuple[str, ...], settings: dict, lr: float, report: Callable | None = None) -> pd.DataFrame:
    """One learning rate's column of the sweep (``initcore.lr_sweep``'s rows)."""
    return initcore.lr_sweep(schemes=schemes, lrs=(lr,), **settings)


def sweep_so_far(started: dict[float, jobs.Job], schemes: list[str], epochs: int) -> pd.DataFrame:
    """The sweep's table as far as it is done: the rows of every column done, and for each one still training a row
    per scheme with ``training`` true (and no loss yet); every column trains ``epochs``."""
    columns = [job.result().assign(training=False) if job.done() else
               pd.DataFrame(dict(scheme=schemes, lr=lr, final_loss=float("nan"), diverged_epoch=float("nan"),
                                 epochs=epochs, training=True))
               for lr, job in started.items()]
    return pd.concat(columns, ignore_index=True)
