"""Run `deploy/local_cluster.py` and watch a page through the balancer while one of its replicas is killed.

Shared by the failover tests and `tests/e2e/measure_failover.py`.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import BinaryIO

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.server import ROOT, free_port

START_TIMEOUT = 120.0  # seconds for every replica to start on a busy two-core machine


@dataclass
class Cluster:
    """A running local cluster: the balancer's URL, the launcher's process (leader of its own process group),
    and each replica's pid and port by its index (its cookie is ``SRV=r<index>``)."""

    url: str
    launcher: subprocess.Popen
    replicas: dict[int, tuple[int, int]] = field(default_factory=dict)
    errors: BinaryIO | None = None

    def stderr(self) -> str:
        """Everything the launcher has said on stderr so far."""
        self.errors.flush()
        return os.pread(self.errors.fileno(), os.fstat(self.errors.fileno()).st_size, 0).decode(errors="replace")

    def ports(self) -> list[int]:
        return [int(self.url.rsplit(":", 1)[1]), *(port for _, port in self.replicas.values())]

    def stop(self, timeout: float = 10.0) -> float:
        """SIGTERM to the launcher; the seconds it took to exit."""
        start = time.monotonic()
        self.launcher.send_signal(signal.SIGTERM)
        self.launcher.wait(timeout)
        return time.monotonic() - start


def read_line(process: subprocess.Popen, deadline: float) -> str:
    """The next line the process prints, waiting until ``deadline`` (``time.monotonic``)."""
    while True:
        ready, _, _ = select.select([process.stdout], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            raise TimeoutError("the cluster did not say it was ready in time")
        line = process.stdout.readline().decode()
        if line or process.poll() is not None:
            return line


def group_alive(leader: int) -> bool:
    """Whether any process is left in the process group that ``leader`` started."""
    try:
        os.killpg(leader, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def local_cluster(replicas: int = 2):
    """Yield a ``Cluster`` of ``replicas`` started by `deploy/local_cluster.py` on a free port; stop it afterwards
    (SIGTERM, then SIGKILL to its whole process group if anything is left)."""
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    port = free_port()
    launcher = subprocess.Popen([sys.executable, "deploy/local_cluster.py", "--replicas", str(replicas),
                                 "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=errors,
                                start_new_session=True)
    cluster = Cluster(f"http://127.0.0.1:{port}", launcher, errors=errors)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (line := read_line(launcher, deadline)).startswith("ready "):
            started = re.fullmatch(r"replica (\d+) pid (\d+) port (\d+)\n", line)
            assert started, f"unexpected line {line!r} from the cluster:\n{cluster.stderr()}"
            cluster.replicas[int(started[1])] = int(started[2]), int(started[3])
        assert line == f"ready {cluster.url}\n" and len(cluster.replicas) == replicas, line
        yield cluster
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                launcher.wait(15)
        if group_alive(launcher.pid):
            os.killpg(launcher.pid, signal.SIGKILL)
        launcher.stdout.close()
        errors.close()


def script_finished(payload: bytes | str) -> bool:
    """Whether a websocket frame the page received is the server's word that a run of its script has ended."""
    return isinstance(payload, bytes) and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished"


def serving_replica(context) -> int:
    """The index of the replica that serves a browser context: its sticky cookie says ``r<index>``."""
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "SRV"]
    return int(cookie.removeprefix("r"))


def kill_and_time_rebuild(page, cluster: Cluster, replica: int, timeout: float = 15.0) -> float:
    """SIGKILL ``replica`` under an open ``page``; the seconds from the kill until a run of the page's script has
    ended on a websocket opened after it (the view rebuilt by another replica, without any action). A
    ``TimeoutError`` if none has within ``timeout`` seconds."""
    finished: list[float] = []

    def watch(socket) -> None:  # only sockets opened from now on: the one open now goes with the dead replica
        socket.on("framereceived", lambda payload: finished.append(time.time()) if script_finished(payload) else None)

    page.on("websocket", watch)
    killed_at = time.time()
    os.kill(cluster.replicas[replica][0], signal.SIGKILL)
    try:
        while not finished and time.time() < killed_at + timeout:
            page.wait_for_timeout(20)  # the page's events, frames included, are handled meanwhile
    finally:
        page.remove_listener("websocket", watch)
    if not finished:
        raise TimeoutError(f"the page was not rebuilt within {timeout:g} s of the kill")
    return finished[0] - killed_at
