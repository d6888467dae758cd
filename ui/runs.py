"""The Training lab's runs: each scheme trained on its own as a job (``ui.jobs``), put together for the page.

Each scheme's run is the one ``initcore.compare`` would give it (same data, seed and settings), filmed
(``ui.film.SNAPSHOTS``). Trained apart, the runs already done can be drawn while the others train, and each run
reports its epochs as they end, so that the loss curves grow on the page while the runs go on.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

import initcore
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
    done so far (``so_far``), looked at again every ``jobs.POLL`` seconds in a fragment (the rest of the page stays
    as it is); once all are done, the whole page runs again and draws them all."""
    @st.fragment(run_every=jobs.POLL)
    def poll() -> None:
        done = finished(started)
        if len(done) == len(started):
            st.rerun()
        lab = so_far(started, epochs)
        st.progress(lab["done"], text=f"Training: {len(done)} of {len(started)} schemes done. The loss curves "
                                      "grow as the epochs come in.")
        if lab["histories"]:
            draw(lab)

    poll()
