"""Start `streamlit run app.py` on a free loopback port and drive it with Playwright in Debian's Chromium.

Shared by the end-to-end tests, the screenshot helper and the browser benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parents[2]
# Every page: a short name -> (URL path, how many Plotly charts it draws at default settings).
PAGES = {"home": ("", 1), "weight_distributions": ("Weight_distributions", 1),
         "signal_propagation": ("Signal_propagation", 2), "symmetry": ("Symmetry", 1),
         "training_lab": ("Training_lab", 8), "choosing": ("Choosing_an_initializer", 0),
         "classics": ("Reproduce_the_classics", 0), "order_and_chaos": ("Order_and_chaos", 2),
         "deep_networks": ("Deep_networks_in_practice", 2)}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


class Server(str):
    """The base URL of a running server (a str), with the server's process id and its console output."""

    pid: int
    log: BinaryIO

    def output(self) -> str:
        """Everything the server has printed so far (read without moving the offset the server writes at)."""
        descriptor = self.log.fileno()
        return os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: Path = ROOT / "app.py", timeout: float = 60.0, extra_args: tuple[str, ...] = (),
                     env: dict[str, str] | None = None, poll: float = 0.2):
    """Yield the base URL of a fresh server of ``script`` (a ``Server``), run in the script's folder, its
    environment ours with ``env``, as soon as its health check answers (asked every ``poll`` seconds); stop it
    afterwards."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after the server stops
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         *extra_args],
        cwd=Path(script).parent, stdout=log, stderr=subprocess.STDOUT,
        env=os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {}))
    url = Server(f"http://127.0.0.1:{port}")
    url.pid, url.log = process.pid, log
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{url.output()}")
            time.sleep(poll)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# A phone as its browser presents itself: 390 × 844 CSS px, touch, and the User-Agent of Safari on an iPhone
# (pages lay out some figures for a phone by it: ``ui.show.on_phone``).
PHONE = dict(viewport=dict(width=390, height=844), is_mobile=True, has_touch=True, device_scale_factor=1,
             user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def wait_for_app(page, charts: int = 0, timeout: float = 60_000) -> None:
    """Wait until the script has finished, every element is drawn and at least ``charts`` Plotly charts.

    A fresh page reports "notRunning" before its first run starts, so the chart count is what proves
    the run happened. Streamlit loads the code of each kind of element the first time a page shows one,
    with a grey skeleton in its place meanwhile (a dataframe, a select box, a metric, and an exception
    too), so the wait also lasts until no skeleton is left.
    """
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.wait_for_function(
        "(charts) => { const app = document.querySelector('[data-testid=stApp]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=stSpinner]')"
        " && !document.querySelector('[data-testid=stSkeleton]')"
        " && document.querySelectorAll('.js-plotly-plot').length >= charts"
        " && document.querySelector('h1'); }", arg=charts, timeout=timeout)
    page.wait_for_timeout(300)


def exceptions(page) -> list[str]:
    return page.locator("[data-testid=stException]").all_inner_texts()
