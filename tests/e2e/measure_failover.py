"""What a dead replica costs a page, and what keeping the view costs when none dies (`deploy/README.md` has them).

    python -m tests.e2e.measure_failover [--trials 5] [--steps 20]

Failover: a cluster of trials + 1 replicas; in each trial Chromium opens a lesson with settings in its address
through the balancer, the replica serving it is killed (SIGKILL), and the script times, from the kill, the page's
websocket closing, a new one opening (the balancer sent it to a live replica) and a run of the page's script
ending on it (the view rebuilt).

Idle cost: two servers side by side, one as served and one without `ui.reconnect`'s fragment, each with a
Chromium of its own; a slider step on Signal propagation between two cached depths, the two servers' steps taken
in turn, each timed from the key press until a chart has changed and the run has finished, with the bytes the
step's websocket frames carried, and the fragment's call timed on the server. Then both pages sit still for a
while and the frames they receive are counted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.bench_browser import REDRAWN_AND_FINISHED, WATCH_CHARTS
from tests.e2e.cluster import kill_and_time_rebuild, local_cluster, serving_replica
from tests.e2e.server import ROOT, launch, streamlit_server, wait_for_app

# Lessons with settings in their address, and how many charts each draws there.
LESSONS = [("Signal_propagation?depth=20&width=64&activation=relu&view=Table", 1),
           ("Training_lab?depth=2&epochs=20&activation=tanh", 4),
           ("Weight_distributions?fan_in=64", 1),
           ("", 1),
           ("Symmetry?width=4&scheme=zeros", 1)]
# Put on a server's Python path (imported as the interpreter starts): the app without the fragment, or with its
# call timed into the file named by INITLAB_FRAGMENT_TIMES.
WITHOUT_FRAGMENT = "import ui.reconnect\n\nui.reconnect.keep_the_view = lambda: None\n"
TIMED_FRAGMENT = """import os
import time

import ui.reconnect

_keep_the_view = ui.reconnect.keep_the_view


def _timed():
    start = time.perf_counter()
    _keep_the_view()
    elapsed = (time.perf_counter() - start) * 1e6
    with open(os.environ["INITLAB_FRAGMENT_TIMES"], "a") as times:
        times.write(f"{elapsed:.0f}\\n")


ui.reconnect.keep_the_view = _timed
"""
IDLE_SECONDS = 30


def failover(trials: int) -> None:
    print("| trial | page | websocket closed (s) | reconnected (s) | view rebuilt (s) |\n|---|---|---|---|---|")
    rebuilt = []
    with local_cluster(trials + 1) as cluster, sync_playwright() as p:
        browser = launch(p)
        for trial in range(trials):
            lesson, charts = LESSONS[trial % len(LESSONS)]
            context = browser.new_context(viewport=dict(width=1280, height=900))
            page = context.new_page()
            sockets = []
            page.on("websocket", lambda socket, sockets=sockets: (
                sockets.append(("opened", time.time())),
                socket.on("close", lambda _: sockets.append(("closed", time.time())))))
            page.goto(f"{cluster.url}/{lesson}")
            wait_for_app(page, charts=charts)
            killed_at = time.time()
            rebuilt.append(kill_and_time_rebuild(page, cluster, serving_replica(context)))
            closed, opened = (next(t - killed_at for kind, t in sockets if kind == what and t > killed_at)
                              for what in ("closed", "opened"))
            print(f"| {trial + 1} | /{lesson.split('?')[0]} | {closed:.2f} | {opened:.2f} | {rebuilt[-1]:.2f} |",
                  flush=True)
            context.close()
    print(f"\nview rebuilt: median {statistics.median(rebuilt):.2f} s, worst {max(rebuilt):.2f} s")


def step(page, key: str, received: list[int]) -> tuple[float, int]:
    """Press ``key`` on the depth slider; the ms until a chart has changed and the run has finished, and the bytes
    of websocket frames received meanwhile (``received`` counts them)."""
    page.wait_for_timeout(300)  # let the page settle before the next try
    page.evaluate(WATCH_CHARTS)
    before = received[0]
    start = time.perf_counter()
    page.locator("[data-testid=stSlider]").filter(has_text="Depth").locator("input[type=range]").press(key)
    page.wait_for_function(REDRAWN_AND_FINISHED, timeout=30_000, polling=5)
    return (time.perf_counter() - start) * 1e3, received[0] - before


def idle_cost(steps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        timed_dir, bare_dir = Path(folder, "timed"), Path(folder, "bare")
        for directory, patch in ((timed_dir, TIMED_FRAGMENT), (bare_dir, WITHOUT_FRAGMENT)):
            directory.mkdir()
            (directory / "sitecustomize.py").write_text(patch)
        call_times = Path(folder, "fragment_us.txt")
        timed = {"PYTHONPATH": f"{timed_dir}:{ROOT}", "INITLAB_FRAGMENT_TIMES": str(call_times)}
        unwatched = ("--server.fileWatcherType", "none")  # a module saved meanwhile would be imported again, unpatched
        with (streamlit_server(extra_args=unwatched, env=timed) as served,
              streamlit_server(extra_args=unwatched, env={"PYTHONPATH": f"{bare_dir}:{ROOT}"}) as bare,
              sync_playwright() as p):
            pages, received = {}, {}
            for name, url in (("with the fragment", served), ("without", bare)):  # a browser each, alike
                page = pages[name] = launch(p).new_page(viewport=dict(width=1280, height=900))
                count = received[name] = [0]
                page.on("websocket", lambda socket, count=count: socket.on(
                    "framereceived", lambda payload, count=count: count.__setitem__(0, count[0] + len(payload))))
                page.goto(f"{url}/Signal_propagation")
                wait_for_app(page, charts=2)
                for key in ("ArrowLeft", "ArrowRight"):  # both depths computed once, so every timed step is cached
                    step(page, key, count)
            results = {name: [] for name in pages}
            for turn in range(steps):
                for name in list(pages)[:: 1 if turn % 4 < 2 else -1]:  # each server first in half the turns
                    results[name].append(step(pages[name], ("ArrowLeft", "ArrowRight")[turn % 2], received[name]))
            print("\n| server | slider step, median (ms) | quartiles (ms) | bytes received per step |")
            print("|---|---|---|---|")
            for name, steps_taken in results.items():
                latencies = [ms for ms, _ in steps_taken]
                low, _, high = statistics.quantiles(latencies, n=4)
                print(f"| {name} | {statistics.median(latencies):.0f} | {low:.0f}-{high:.0f} | "
                      f"{statistics.median(size for _, size in steps_taken):.0f} |")
            differences = [a - b for (a, _), (b, _) in zip(*results.values())]
            low, median, high = statistics.quantiles(differences, n=4)
            calls = [int(line) for line in call_times.read_text().split()]
            print(f"\nstep with the fragment minus the step without, one after the other: median {median:+.0f} ms "
                  f"(quartiles {low:+.0f} to {high:+.0f})")
            print(f"the fragment's call on the server, per run: median {statistics.median(calls):.0f} µs "
                  f"({len(calls)} runs)")
            before = {name: count[0] for name, count in received.items()}
            for page in pages.values():
                page.wait_for_timeout(IDLE_SECONDS * 1e3 / len(pages))  # the pages' events are handled meanwhile
            print(f"bytes received in {IDLE_SECONDS} s of a page left alone: "
                  + ", ".join(f"{name} {count[0] - before[name]}" for name, count in received.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    failover(max(1, min(args.trials, 10)))
    idle_cost(max(2, min(args.steps, 100)))


if __name__ == "__main__":
    main()
