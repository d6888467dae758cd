"""The Training lab's runs: each scheme trained on its own as a job (``ui.jobs``), put together for the page.

Each scheme's run is the one ``initcore.compare`` would give it (same data, seed and settings), filmed
(``ui.film.SNAPSHOTS``). Trained apart, the runs already done can be drawn while the others train.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future

import pandas as pd
import streamlit as st

import initcore
from ui import film, jobs


def train(scheme: str, settings: dict, snapshots: int = film.SNAPSHOTS) -> dict:
    """One scheme's run, as the page draws it: history, divergence and what overflowed, decision grid, summary row,
    ``snapshots`` + 1 snapshots, and how far each hidden layer's weights moved (``TrainingRun.moved``)."""
    comparison = initcore.compare(schemes=(scheme,), snapshots=snapshots, **settings)
    run = comparison.runs[scheme]
    return dict(history=run.history, diverged=run.diverged_epoch, overflowed=run.overflowed, grid=run.decision_grid(),
                test_points=(run.data["X_test"], run.data["y_test"]), summary=comparison.summary,
                distinct=run.distinct_neurons, snapshots=run.snapshots, moved=run.moved())


def start(schemes: list[str], settings: dict, snapshots: int = film.SNAPSHOTS) -> dict[str, Future]:
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


def finished(futures: dict[str, Future]) -> dict[str, dict]:
    """The runs of ``futures`` that are done, in the order of the schemes."""
    return {s: f.result() for s, f in futures.items() if f.done()}


def progress(futures: dict[str, Future], draw: Callable[[dict], None]) -> None:
    """While some of ``futures`` train: a progress bar and ``draw`` of the runs done so far (gathered), looked at
    again every ``jobs.POLL`` seconds in a fragment (the rest of the page stays as it is); once all are done,
    the whole page runs again and draws them all."""
    @st.fragment(run_every=jobs.POLL)
    def poll() -> None:
        done = finished(futures)
        if len(done) == len(futures):
            st.rerun()
        st.progress(len(done) / len(futures), text=f"Training: {len(done)} of {len(futures)} schemes done. "
                                                   "Each is drawn as it finishes.")
        if done:
            draw(gather(done))

    poll()
