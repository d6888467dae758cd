"""A lecture hall on one machine: the class load test (``load.py``) through HAProxy, with 1 and with 2 replicas.

For each replica count, ``deploy/local_cluster.py`` starts the replicas and the balancer, and sessions are added
step by step (``LADDER``) until a step misses the class goal (p95 of a change ≤ ``GOAL_P95`` s with no error).
Every session keeps its cookies, as a browser does, so the balancer pins it to one replica. Reports, per step,
p50/p95 and errors, and per replica count the most sessions that met the goal and each replica's peak memory
(VmHWM); and where the time went during the largest step: the CPU seconds of the load generator (this process),
of HAProxy and of each replica. On a machine whose cores also run the generator, that split says whether a
second replica can add anything. Run with

    python benchmarks/load_cluster.py [--replicas 1 2] [--sessions 5 10 15 20 30] [--changes 5]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.load import percentile, run  # noqa: E402

LADDER = (5, 10, 15, 20, 30)
GOAL_P95 = 2.5  # seconds: the class goal
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """``local_cluster.py`` with ``replicas`` replicas, the agent API on (the load test drives sessions through
    it), until ``stop``."""

    def __init__(self, replicas: int):
        environment = os.environ | {"STREAMLIT_SERVER_ENABLE_AGENT_API": "true"}
        self.process = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "local_cluster.py"), "--replicas",
                                         str(replicas), "--port", str(free_port())], cwd=ROOT, env=environment,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.replicas: list[int] = []
        for line in self.process.stdout:
            if match := re.match(r"replica \d+ pid (\d+) port \d+", line):
                self.replicas.append(int(match[1]))
            elif line.startswith("ready "):
                self.url = line.split()[1]
                break
        else:
            raise RuntimeError("the cluster did not start")
        self.balancer = next(pid for pid in _children(self.process.pid) if "haproxy" in _command(pid))

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by HAProxy and by each replica."""
        used = {"HAProxy": _cpu(self.balancer)}
        return used | {f"replica {i}": _cpu(pid) for i, pid in enumerate(self.replicas)}

    def peak_memory_mb(self) -> list[float]:
        return [int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())[1]) / 1024
                for pid in self.replicas]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def _cpu(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` (fields 14 and 15 of /proc/pid/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(replicas: int, ladder: list[int], changes: int) -> None:
    cluster = Cluster(replicas)
    try:
        run(cluster.url, 1, changes, seed=1000)  # warm the caches of one replica, as the class test does
        print(f"\n### {replicas} replica{'s' if replicas > 1 else ''}\n")
        print("| sessions | changes | p50 (ms) | p95 (ms) | errors | wall (s) |")
        print("|---|---|---|---|---|---|")
        held, split = 0, {}
        for sessions in ladder:
            before, own = cluster.cpu_seconds(), _own_cpu()
            latencies, errors, wall = run(cluster.url, sessions, changes, seed=sessions)
            split = {name: used - before[name] for name, used in cluster.cpu_seconds().items()}
            split["load generator"] = _own_cpu() - own
            p95 = percentile(latencies, 95)
            print(f"| {sessions} | {len(latencies)} | {percentile(latencies, 50) * 1e3:.0f} | {p95 * 1e3:.0f} | "
                  f"{len(errors)} | {wall:.0f} |")
            if p95 > GOAL_P95 or errors:
                break
            held = sessions
        print(f"\nMost sessions at p95 ≤ {GOAL_P95} s with no error: {held}. Peak memory per replica (MB): "
              f"{', '.join(f'{mb:.0f}' for mb in cluster.peak_memory_mb())}. CPU seconds in the last step: "
              f"{', '.join(f'{name} {seconds:.1f}' for name, seconds in split.items())} "
              f"(of {os.cpu_count() * wall:.0f} core-seconds on {os.cpu_count()} cores).")
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sessions", type=int, nargs="+", default=list(LADDER))
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args()
    ladder = sorted({max(1, min(sessions, 100)) for sessions in args.sessions})
    for replicas in args.replicas:
        measure(max(1, min(replicas, 8)), ladder, max(1, min(args.changes, 20)))


if __name__ == "__main__":
    main()
