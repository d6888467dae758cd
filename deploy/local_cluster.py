"""A lecture hall on one machine: N replicas of `streamlit run app.py` on free loopback ports, behind HAProxy.

    python deploy/local_cluster.py --replicas 2 --port 8080

Prints ``replica <i> pid <pid> port <port>`` for each replica as it starts, then ``ready http://127.0.0.1:<port>``
once every replica answers its health check and the balancer forwards to them. Runs until SIGTERM or Ctrl-C, then
stops everything it started. Each replica's output, and the balancer's, go to log files in a temporary folder
(said on stderr) that is removed at the end; a replica that does not become healthy in time has the last lines
of its log printed. A replica that dies is left dead, as a crashed server would be: the balancer sends its
sessions to the others.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import balancer

ROOT = Path(__file__).resolve().parents[1]
HEALTH = "/_stcore/health"
STOP_GRACE = 5.0  # seconds each process gets to stop after SIGTERM before it is killed
LOG_LINES = 20  # lines of a log shown when something fails


class ClusterError(Exception):
    """Something the cluster cannot serve without: said in one sentence, with the log lines that explain it."""


def whole_number(text: str, low: int, high: int) -> int:
    """The whole number ``text`` says, from ``low`` to ``high``; else argparse's error, in one sentence."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=lambda text: whole_number(text, 1, 64), default=2,
                        help="how many replicas of the app to run (default 2)")
    parser.add_argument("--port", type=lambda text: whole_number(text, 1, 65535), default=8080,
                        help="the balancer's port on 127.0.0.1 (default 8080)")
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds the replicas get to become healthy (default 90)")
    return parser.parse_args()


def port_free(port: int) -> bool:
    """Whether HAProxy could listen on 127.0.0.1:``port`` (it binds with SO_REUSEADDR, and so does the probe)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int, taken: int) -> list[int]:
    """``count`` distinct loopback ports free now, none of them ``taken``."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != taken and port not in ports:
            ports.append(port)
    return ports


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=timeout) as answer:
            return answer.status == 200
    except OSError:
        return False


def tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()[-LOG_LINES:]
    return "\n".join(f"    {line}" for line in lines) or "    (nothing)"


class Cluster:
    """The processes started so far (replicas, then the balancer), each with its log."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.processes: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = self.logs / f"{name.replace(' ', '')}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT)
        self.processes.append((name, process, log))
        return process

    def wait_until_healthy(self, urls: dict[str, str], timeout: float) -> None:
        """Wait until each named process answers at its URL's health check; ``ClusterError`` if one exits first
        or the time runs out."""
        waiting = dict(urls)
        deadline = time.monotonic() + timeout
        while waiting:
            for name, url in list(waiting.items()):
                left = deadline - time.monotonic()  # an answer after the deadline is not healthy in time
                if left > 0 and healthy(url, timeout=min(2.0, left)) and time.monotonic() <= deadline:
                    del waiting[name]
                elif self.process(name).poll() is not None:
                    self.fail(name, f"{name} exited with code {self.process(name).returncode} before it was healthy")
                elif time.monotonic() > deadline:
                    self.fail(name, f"{name} did not become healthy within {timeout:g} s")
            time.sleep(0.2)

    def process(self, name: str) -> subprocess.Popen:
        return next(process for known, process, _ in self.processes if known == name)

    def fail(self, name: str, sentence: str) -> None:
        log = next(log for known, _, log in self.processes if known == name)
        raise ClusterError(f"{sentence}; the last lines of its log:\n{tail(log)}")

    def watch(self) -> None:
        """Until the balancer stops (``ClusterError``): say on stderr when a replica dies."""
        reported: set[str] = set()
        while True:
            for name, process, _ in self.processes:
                if process.poll() is None or name in reported:
                    continue
                if name == "balancer":
                    self.fail(name, f"the balancer stopped with code {process.returncode}")
                reported.add(name)
                print(f"{name} exited with code {process.returncode}; the balancer sends its sessions to the others",
                      file=sys.stderr, flush=True)
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM to everything still running, SIGKILL to what has not stopped ``STOP_GRACE`` seconds later."""
        running = [process for _, process, _ in self.processes if process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for process in running:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve(cluster: Cluster, replicas: int, port: int, timeout: float) -> None:
    """Start the replicas and the balancer, say so, and keep them running."""
    ports = free_ports(replicas, taken=port)
    urls = {}
    for index, replica_port in enumerate(ports):
        process = cluster.start(f"replica {index}", [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.address", "127.0.0.1", "--server.port", str(replica_port)])
        urls[f"replica {index}"] = f"http://127.0.0.1:{replica_port}"
        print(f"replica {index} pid {process.pid} port {replica_port}", flush=True)
    cluster.wait_until_healthy(urls, timeout)
    config = cluster.logs / "haproxy.cfg"
    config.write_text(balancer.render(f"127.0.0.1:{port}", [f"127.0.0.1:{p}" for p in ports]))
    try:
        balancer.check(config.read_text())
    except ValueError as rejected:
        raise ClusterError(str(rejected)) from None
    cluster.start("balancer", [balancer.haproxy(), "-db", "-f", str(config)])
    address = f"http://127.0.0.1:{port}"
    cluster.wait_until_healthy({"balancer": address}, timeout=10)
    print(f"ready {address}", flush=True)
    cluster.watch()


def interrupt(signum, frame) -> None:
    """SIGTERM stops the cluster as Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    try:
        balancer.haproxy()
    except FileNotFoundError as missing:
        print(missing, file=sys.stderr)
        return 1
    if not port_free(args.port):
        print(f"Port {args.port} on 127.0.0.1 is in use: choose another with --port.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, interrupt)
    with tempfile.TemporaryDirectory(prefix="initlab-cluster-") as logs:
        print(f"logs in {logs}", file=sys.stderr, flush=True)
        cluster = Cluster(Path(logs))
        try:
            serve(cluster, args.replicas, args.port, args.timeout)
        except KeyboardInterrupt:
            return 0
        except ClusterError as problem:
            print(problem, file=sys.stderr)
            return 1
        finally:
            for stop_signal in (signal.SIGTERM, signal.SIGINT):  # a second Ctrl-C must not cut the stop short
                signal.signal(stop_signal, signal.SIG_IGN)
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
