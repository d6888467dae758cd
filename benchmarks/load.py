"""A classroom on one server: N concurrent sessions (default 30), each making several random control changes.

Sessions are real Streamlit sessions on a real `streamlit run` server, driven over Streamlit's agent API
(HTTP, loopback only; the same script runs and the same st.cache_data is shared as for browser sessions,
without a browser's drawing, which happens on each student's own machine). Reports p50/p95 latency of a
change against a single session doing the same, the error count, cache hits and misses (from the server's
/_stcore/metrics), and the server's peak memory (VmHWM); then a class on one link, every session making the same
changes at once, against one session making them alone (each on ``rounds`` fresh servers, the latencies pooled:
five moves of one session alone make a shaky 95th percentile), twice: over the agent API, and
over the websocket as browser tabs talk to the server (``browser_tab.Tab``), which the agent's recording of every
element does not weigh on. Last, a class watching the Training lab train: N tabs open one link of the lab and its
learning-rate sweep at a seed nothing has trained yet, and follow the page as browsers do while the runs train (a
fragment polls every ``ui.jobs.POLL`` s), until it has every result; against one tab alone, on fresh servers, with
the server's CPU time. Bounded: at most N × CHANGES requests per run, each with a timeout, and a deadline for the
whole run.

    python benchmarks/load.py [--sessions 30] [--changes 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import initcore  # noqa: E402
from benchmarks.browser_tab import Tab  # noqa: E402
from tests.e2e.server import streamlit_server  # noqa: E402

REQUEST_TIMEOUT = 180
DEADLINE = 900  # seconds for the whole run
# What a class tends to pick: the defaults and a few round numbers, so many requests repeat. Choices are
# sent by their labels, as the page shows them.
ACTIVATIONS = [initcore.ACTIVATIONS[a].label for a in ("tanh", "relu")]
CHOICES = {
    "Signal_propagation": dict(
        depth=[10, 20, 30, 50, 100], width=[64, 128, 256, 512, 1024], activation=ACTIVATIONS,
        scheme=[initcore.SCHEMES[s].label for s in ("xavier_normal", "he_normal", "small_normal", "large_normal",
                                                    "zeros")]),
    "Training_lab": dict(depth=[2, 3, 5], epochs=[50, 100], activation=ACTIVATIONS, dataset=["Moons", "Xor"]),
}


class AgentSession:
    """A student's session over Streamlit's agent API (HTTP). It keeps its cookies, as a browser does: behind a
    balancer that pins a session to a server by a cookie, every request of the session reaches the server that
    holds it. ``open`` and ``move`` answer whether the run ended without an exception, as ``browser_tab.Tab``'s."""

    def __init__(self, url: str, page: str, timeout: float):
        self.url, self.page, self.timeout = url, page, timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.session_id = None

    def open(self) -> bool:
        answer = self._post({"page": self.page})
        self.session_id = answer["session_id"]
        return self._ran(answer)

    def move(self, changes: dict[str, object]) -> bool:
        answer = self._post({"session_id": self.session_id, "widget_state": changes})
        while answer.get("status") == "running" or answer.get("wait_timed_out"):
            answer = self._post({"session_id": self.session_id})
        return self._ran(answer)

    def close(self) -> None:
        pass  # the server lets an agent session go by itself

    def _post(self, body: dict) -> dict:
        request = urllib.request.Request(f"{self.url}/_stcore/agent/interact", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=self.timeout) as answer:
            return json.loads(answer.read())

    @staticmethod
    def _ran(answer: dict) -> bool:
        return answer.get("status") != "error" and not has_exception(answer.get("tree"))


def has_exception(tree) -> bool:
    if isinstance(tree, dict):
        return tree.get("type") == "exception" or any(has_exception(v) for v in tree.values())
    if isinstance(tree, list):
        return any(has_exception(v) for v in tree)
    return False


def student(way, url: str, page: str, changes: int, rng: random.Random, latencies: list, errors: list) -> None:
    """One student: open ``page``, then make ``changes`` random changes, each timed until its run is done, talking
    to the server ``way`` (``AgentSession`` or ``browser_tab.Tab``)."""
    talk = None
    try:
        talk = way(url, page, REQUEST_TIMEOUT)
        if not talk.open():
            errors.append(f"{page}: opening")
        for _ in range(changes):
            key, options = rng.choice(list(CHOICES[page].items()))
            start = time.perf_counter()
            ran = talk.move({key: rng.choice(options)})
            latencies.append(time.perf_counter() - start)
            if not ran:
                errors.append(f"{page}: {key}")
    except Exception as error:  # a refused or timed-out request counts as an error, not a crash
        errors.append(repr(error))
    finally:
        if talk:
            talk.close()


def run(url: str, sessions: int, changes: int, seed: int, *, same_moves: bool = False,
        way=AgentSession) -> tuple[list, list, float]:
    """Latencies and errors of ``sessions`` students at once, and the wall time. Each makes its own random changes,
    7 in 10 on Signal propagation; with ``same_moves`` all open Signal propagation and make the same changes in
    the same order, as a class following its teacher on one link. ``way`` is how each talks to the server:
    ``AgentSession`` (the agent API) or ``Tab`` (a browser's websocket; Signal propagation only)."""
    latencies, errors = [], []
    rngs = [random.Random(seed if same_moves else seed + i) for i in range(sessions)]
    pages = ["Signal_propagation" if same_moves or i % 10 < 7 else "Training_lab" for i in range(sessions)]
    threads = [threading.Thread(target=student, args=(way, url, pages[i], changes, rngs[i], latencies, errors),
                                daemon=True) for i in range(sessions)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, DEADLINE - (time.perf_counter() - start)))
    if any(thread.is_alive() for thread in threads):
        errors.append("deadline passed")
    return latencies, errors, time.perf_counter() - start


LAB_LINK = "sweep=1"  # the lab's default comparison and its learning-rate sweep


def watching(url, tabs: int, seed: int) -> tuple[list, list, float, int]:
    """``tabs`` tabs open the Training lab at one link (``LAB_LINK`` at ``seed``) at once and follow it until it has
    every result. Each tab's seconds from opening to its last result, the errors, the server's CPU seconds meanwhile,
    and the polls the tabs sent."""
    seconds, errors, polls = [], [], []
    used = cpu_seconds(url.pid)

    def watch() -> None:
        tab = None
        try:
            tab = Tab(url, "Training_lab", REQUEST_TIMEOUT, query=f"{LAB_LINK}&seed={seed}")
            start = time.monotonic()
            ran = tab.open() and tab.watch(start + REQUEST_TIMEOUT)
            seconds.append(time.monotonic() - start)
            polls.append(tab.fragment_runs)
            if not ran or tab.polling(within=60):
                errors.append("Training_lab: " + ("still training" if ran else "an exception"))
        except Exception as error:  # a refused or timed-out request counts as an error, not a crash
            errors.append(repr(error))
        finally:
            if tab:
                tab.close()

    threads = [threading.Thread(target=watch, daemon=True) for _ in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + 10)
    return seconds, errors, cpu_seconds(url.pid) - used, sum(polls)


def cpu_seconds(pid: int) -> float:
    """The CPU time the process has used, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metrics(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as answer:
        text = answer.read().decode()
    totals = {"hit": 0, "miss": 0}
    for result, value in re.findall(r'cache_lookups_total\{[^}]*st_cache_data[^}]*result="(hit|miss)"\} (\d+)', text):
        totals[result] += int(value)
    return totals


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else (values or [float("nan")])[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3, help="fresh servers for each count on one link")
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, 100))
    changes = max(1, min(args.changes, 20))
    with streamlit_server(extra_args=("--server.enableAgentApi=true",)) as url:
        single, single_errors, _ = run(url, 1, changes * 3, args.seed + 1000)
        before = metrics(url)
        crowd, crowd_errors, wall = run(url, sessions, changes, args.seed)
        after = metrics(url)
        peak = peak_memory_mb(url.pid)
    follow = args.seed + 2000  # the moves of a class on one link; each count measured on a fresh server
    one_link = {}  # (way, sessions) → latencies and errors, pooled over ``rounds`` fresh servers
    for name, way, served in (("agent API", AgentSession, ("--server.enableAgentApi=true",)),
                              ("browser tabs", Tab, ())):
        for count in (1, sessions):
            one_link[name, count] = ([], [])
            for _ in range(max(1, min(args.rounds, 10))):
                with streamlit_server(extra_args=served) as url:
                    for pooled, measured in zip(one_link[name, count],
                                                run(url, count, changes, follow, same_moves=True, way=way)):
                        pooled += measured
    watched = {}  # tabs → seconds, errors, server CPU seconds and polls, pooled over ``rounds`` fresh servers
    for count in (1, sessions):
        watched[count] = ([], [], 0.0, 0)
        for round_ in range(max(1, min(args.rounds, 10))):
            with streamlit_server() as url:
                seconds, errors, cpu, polls = watching(url, count, args.seed + 3000 + round_)
            pooled = watched[count]
            watched[count] = (pooled[0] + seconds, pooled[1] + errors, pooled[2] + cpu, pooled[3] + polls)
    hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
    print("| sessions | changes | p50 (ms) | p95 (ms) | errors | cache hits / misses | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| 1 | {len(single)} | {percentile(single, 50) * 1e3:.0f} | {percentile(single, 95) * 1e3:.0f} | "
          f"{len(single_errors)} | | |")
    print(f"| {sessions} concurrent | {len(crowd)} | {percentile(crowd, 50) * 1e3:.0f} | "
          f"{percentile(crowd, 95) * 1e3:.0f} | {len(crowd_errors)} | {hits} / {misses} | {wall:.0f} |")
    print(f"\nServer peak memory (VmHWM): {peak:.0f} MB")
    print("\n| one link, the same moves | sessions | changes | p50 (ms) | p95 (ms) | p95 / one session's | errors |")
    print("|---|---|---|---|---|---|---|")
    for (way, count), (latencies, errors) in one_link.items():
        ratio = percentile(latencies, 95) / percentile(one_link[way, 1][0], 95)
        print(f"| {way} | {count} | {len(latencies)} | {percentile(latencies, 50) * 1e3:.0f} | "
              f"{percentile(latencies, 95) * 1e3:.0f} | {ratio:.2f} | {len(errors)} |")
    print("\n| a class watching the lab train | tabs | until every result, p50 (s) | p95 (s) | p95 / one tab's | "
          "server CPU (s) | polls | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for count, (seconds, errors, cpu, polls) in watched.items():
        ratio = percentile(seconds, 95) / percentile(watched[1][0], 95)
        print(f"| {LAB_LINK}, a new seed each server | {count} | {percentile(seconds, 50):.2f} | "
              f"{percentile(seconds, 95):.2f} | {ratio:.2f} | {cpu:.1f} | {polls} | {len(errors)} |")
    lost = [e for _, errors in one_link.values() for e in errors] + [e for w in watched.values() for e in w[1]]
    for error in (single_errors + crowd_errors + lost)[:10]:
        print("error:", error)


if __name__ == "__main__":
    main()
