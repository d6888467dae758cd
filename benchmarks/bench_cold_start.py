"""Cold start: from launching `streamlit run app.py` to the first Plotly chart of a page on screen, in Chromium.

Each try starts a fresh server process and a fresh browser tab; the clock starts just before the server is
launched. Beside the total it notes when the server's health check first answered (the server is listening;
the Python imports of Streamlit itself are done) and, from the browser's side, when the first chart appeared.
The tries of the links are taken in turn, so a slow spell on a shared machine falls on all of them; with
``--also DIR`` (another checkout of the project, say the commit before a change) its tries are taken in turn with
this one's, so that before and after are measured side by side.

    python benchmarks/bench_cold_start.py [--tries 7] [--also OTHER_CHECKOUT] [link ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.server import launch, streamlit_server  # noqa: E402

# A link a class is sent: settings in the address, on a server that has just started. The first is the one
# `bench_browser.py` measures (and the README's row reports); the second is the page's own default view.
LINKS = ("Signal_propagation?depth=60&width=512&activation=relu&scheme=he_normal",
         "Signal_propagation?depth=50&width=256&activation=tanh&scheme=xavier_normal")


def cold_start(browser, path: str, root: Path = ROOT, timeout: float = 60.0) -> tuple[float, float]:
    """Seconds from launching `streamlit run app.py` in ``root`` to (its health check answering, the first chart
    of ``path``)."""
    start = time.perf_counter()
    with streamlit_server(root / "app.py", timeout=timeout, poll=0.02) as url:  # polled often: the clock is measured
        healthy = time.perf_counter() - start
        page = browser.new_page(viewport=dict(width=1280, height=800))
        page.goto(f"{url}/{path}")
        page.wait_for_selector(".js-plotly-plot", timeout=timeout * 1e3)
        charted = time.perf_counter() - start
        page.close()
    return healthy, charted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=7)
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="OTHER_CHECKOUT")
    parser.add_argument("links", nargs="*", default=list(LINKS))
    args = parser.parse_args()
    roots = [ROOT, *(root.resolve() for root in args.also)]
    runs = [(root, link) for link in args.links for root in roots]
    with sync_playwright() as p:
        browser = launch(p)
        cold_start(browser, "")  # the browser's own first page (its caches, fonts) is not the server's cost
        times: dict[tuple[Path, str], list[tuple[float, float]]] = {run: [] for run in runs}
        for _ in range(args.tries):
            for root, link in runs:
                times[root, link].append(cold_start(browser, link, root))
                time.sleep(1)
        browser.close()
    print("| checkout | link | health check answers (s) | first chart (s), median | min–max | tries |")
    print("|---|---|---|---|---|---|")
    for (root, link), values in times.items():
        health = statistics.median(h for h, _ in values)
        charts = [c for _, c in values]
        print(f"| {root} | `{link}` | {health:.2f} | {statistics.median(charts):.2f} | "
              f"{min(charts):.2f}–{max(charts):.2f} | {len(charts)} |")
    for (root, link), values in times.items():
        print(f"{root} {link}:", " ".join(f"{c:.2f}" for _, c in values))


if __name__ == "__main__":
    main()
