"""What a user waits for, measured in a real browser (Debian's Chromium via Playwright, loopback only).

(a) Interaction latency: a key press on the depth slider until the chart is redrawn, median of several tries,
    at the default and at the largest settings, each also between two values already cached (no
    computation at all); beside them the same interaction on a minimal one-slider, one-chart app
    (Streamlit's floor), with the tries of all taken in turn, and the engine's compute time, measured in the
    server during those tries (``engine_clock``). Our overhead is latency minus compute, as a multiple of the
    floor's latency; and, since
    Streamlit draws every chart anew at each step, also as a multiple of the minimal app redrawing as many
    charts as the page does.
(b) The largest websocket frame the server sends per page, at default settings.
(c) Cold start: from launching `streamlit run` to the first chart on screen, of the home page and of a deep link.

    python benchmarks/bench_browser.py
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_cold_start import LINKS  # noqa: E402
from benchmarks.bench_cold_start import cold_start as cold_start_once  # noqa: E402
from tests.e2e.server import PAGES, launch, streamlit_server, wait_for_app  # noqa: E402

DEEP_LINK = LINKS[0]  # a link a class is sent: settings in the address, on a server that has just started

TRIES = 15


# Set before each press: a MutationObserver notes when anything inside a Plotly chart first changes. Waiting on
# that flag is cheap; comparing the chart's innerHTML every few milliseconds (serializing the whole SVG) would
# itself load the page's main thread and slow down what is being measured.
WATCH_CHARTS = """() => {
    window.__chartChanged = false;
    window.__observer?.disconnect();
    window.__observer = new MutationObserver(records => {
        if (records.some(r => (r.target.closest ? r.target : r.target.parentElement)?.closest('.js-plotly-plot'))) {
            window.__chartChanged = true;
        }
    });
    window.__observer.observe(document.querySelector('[data-testid=stApp]'),
                              {subtree: true, childList: true, attributes: true, characterData: true});
}"""
REDRAWN_AND_FINISHED = """() => window.__chartChanged
    && document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid=stSpinner]')"""


class SliderTrial:
    """A page whose first slider is pressed and timed until a chart has been redrawn and the script has finished.

    Pressed ArrowLeft every time, each press asks for a new value, so nothing comes from a cache. With
    ``cached``, presses go left and right by turns between two values already computed: the step then costs
    everything but the computation.
    """

    def __init__(self, page, url: str, charts: int, *, cached: bool = False):
        page.goto(url)
        wait_for_app(page, charts=charts)
        self.page = page
        self.thumb = page.locator("[data-testid=stSlider] input[type=range]").first
        self.keys = itertools.cycle(("ArrowLeft", "ArrowRight") if cached else ("ArrowLeft",))
        if cached:  # compute both values once
            self.press()
            self.press()

    def press(self) -> float:
        self.page.wait_for_timeout(300)  # let the page settle before the next try
        self.page.evaluate(WATCH_CHARTS)
        self.thumb.focus()
        start = time.perf_counter()
        self.thumb.press(next(self.keys))
        self.page.wait_for_function(REDRAWN_AND_FINISHED, timeout=120_000, polling=5)
        return time.perf_counter() - start


def floor_name(charts: int) -> str:
    return f"floor, {charts} chart{'s' if charts > 1 else ''}"


def interleaved_latencies(trials: dict[str, SliderTrial], tries: int = TRIES) -> dict[str, float]:
    """Median seconds per trial, their tries taken in turn: a slow spell on a shared machine then falls on the
    floor and on the app alike, instead of on whichever was measured during it."""
    times: dict[str, list[float]] = {name: [] for name in trials}
    for _ in range(tries):
        for name, trial in trials.items():
            times[name].append(trial.press())
    return {name: statistics.median(values) for name, values in times.items()}


def engine_times(log: Path, depth: int, width: int) -> float:
    """Median seconds the server's engine took per network ``width`` wide and shallower than ``depth`` (the
    slider's steps down from the starting depth, not the page's first load), from ``engine_clock``'s log."""
    times = [float(ms) / 1e3 for d, w, ms in (line.split() for line in log.read_text().splitlines())
             if int(w) == width and int(d) < depth]
    return statistics.median(times)


def largest_frames(page, base: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    current = {"name": None}

    def on_socket(ws):
        ws.on("framereceived", lambda payload: sizes.__setitem__(
            current["name"], max(sizes.get(current["name"], 0), len(payload))))

    page.on("websocket", on_socket)
    for name, (path, charts) in PAGES.items():
        current["name"] = name
        page.goto(f"{base}/{path}")
        wait_for_app(page, charts=charts)
    return sizes


COLD_TRIES = 3


def cold_start(browser, path: str = "") -> float:
    """Median seconds from launching `streamlit run` to the first chart of ``path`` on screen
    (``bench_cold_start.py`` takes more tries, of more links, and notes when the server answered)."""
    return statistics.median(cold_start_once(browser, path)[1] for _ in range(COLD_TRIES))


# (label, page and query, charts on it, the engine's work per step as (depth, width), or None where every
# value has been computed before). Each step moves the page's first slider: depth, or hidden layers.
STEPS = (("Signal propagation, default (50 layers × 256)", "Signal_propagation", 2, (50, 256)),
         ("Signal propagation, default, every value already cached", "Signal_propagation", 2, None),
         ("Signal propagation, largest (100 layers × 1024)", "Signal_propagation?depth=100&width=1024", 2,
          (100, 1024)),
         ("Signal propagation, largest, every value already cached", "Signal_propagation?depth=100&width=1024", 2,
          None),
         ("Training lab (8 charts), hidden layers, every value already cached", "Training_lab", 8, None))


def main() -> None:
    with sync_playwright() as p:
        browser = launch(p)

        def new_page():
            return browser.new_page(viewport=dict(width=1280, height=900))

        log = Path(tempfile.mkstemp(prefix="initlab-engine-")[1])
        clock = {"PYTHONPATH": os.pathsep.join(map(str, (ROOT, ROOT / "benchmarks" / "engine_clock"))),
                 "INITLAB_ENGINE_TIMES": str(log)}
        with streamlit_server(ROOT / "benchmarks" / "minimal_app.py") as minimal, streamlit_server(env=clock) as url:
            trials = {floor_name(n): SliderTrial(new_page(), f"{minimal}?charts={n}", charts=n)
                      for n in sorted({1} | {charts for _, _, charts, _ in STEPS})}
            for label, path, charts, work in STEPS:
                trials[label] = SliderTrial(new_page(), f"{url}/{path}", charts=charts, cached=work is None)
            latencies = interleaved_latencies(trials)
            computed = {work: engine_times(log, *work) for _, _, _, work in STEPS if work}  # before other pages run
            frames = largest_frames(new_page(), url)
        log.unlink()
        floor = latencies[floor_name(1)]
        rows = [(label, latencies[label], computed[work] if work else 0.0, latencies[floor_name(charts)])
                for label, _, charts, work in STEPS]
        cold = {"the home page": cold_start(browser), f"`{DEEP_LINK}`": cold_start(browser, DEEP_LINK)}
        browser.close()

    print(f"Minimal one-slider app (Streamlit's floor): {floor * 1e3:.0f} ms median over {TRIES} tries")
    for name, latency in latencies.items():
        if name.startswith("floor, ") and name != floor_name(1):
            print(f"The same app redrawing {name.removeprefix('floor, ')}: {latency * 1e3:.0f} ms")
    print("\n| slider step | latency (ms) | engine compute (ms) | overhead above compute (ms) | overhead / floor "
          "| overhead / floor with as many charts |")
    print("|---|---|---|---|---|---|")
    for label, latency, engine, same_charts in rows:
        overhead = latency - engine
        print(f"| {label} | {latency * 1e3:.0f} | {engine * 1e3:.0f} | {overhead * 1e3:.0f} | "
              f"{overhead / floor:.2f} | {overhead / same_charts:.2f} |")
    print("\n| page (default settings) | largest websocket frame (KB) |")
    print("|---|---|")
    for name, size in frames.items():
        print(f"| {name} | {size / 1024:.1f} |")
    for name, seconds in cold.items():
        print(f"\nCold start, `streamlit run` to the first chart of {name}: {seconds:.1f} s (median of {COLD_TRIES})")


if __name__ == "__main__":
    main()
