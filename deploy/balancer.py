"""The balancer's configuration: `deploy/haproxy.cfg` filled in with where it listens and the replicas it serves.

The local cluster fills it in at start; compose runs the copy made for its replicas:

    python deploy/balancer.py --bind :8080 replica0:8501 replica1:8501 replica2:8501 > deploy/compose.haproxy.cfg
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).with_name("haproxy.cfg")
MISSING = "HAProxy is not installed: install it (on Debian, `apt-get install -y haproxy`) and try again."


def server_name(index: int) -> str:
    """The name of replica ``index`` in the balancer, also the value of its sticky cookie (``SRV=r0``)."""
    return f"r{index}"


def render(bind: str, replicas: Sequence[str]) -> str:
    """The configuration of a balancer that listens on ``bind`` (``127.0.0.1:8080``, ``:8080``) and forwards to
    ``replicas`` (``host:port`` each, in order: the first is ``r0``)."""
    if not replicas:
        raise ValueError("a balancer needs at least one replica")
    servers = "\n".join(f"    server {server_name(i)} {address} cookie {server_name(i)}"
                        for i, address in enumerate(replicas))
    return TEMPLATE.read_text().format(bind=bind, servers=servers)


def haproxy() -> str:
    """The path of the ``haproxy`` program; ``FileNotFoundError`` saying how to install it if there is none."""
    path = shutil.which("haproxy")
    if path is None:
        raise FileNotFoundError(MISSING)
    return path


def check(config: str) -> str:
    """HAProxy's own check of ``config`` (``haproxy -c``): its report, or ``ValueError`` with it if it fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".cfg") as file:
        file.write(config)
        file.flush()
        result = subprocess.run([haproxy(), "-c", "-f", file.name], capture_output=True, text=True, timeout=30)
    report = result.stdout + result.stderr
    if result.returncode != 0:
        raise ValueError(f"HAProxy rejects the configuration:\n{report}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the balancer's configuration for these replicas.")
    parser.add_argument("--bind", required=True, help="where the balancer listens, e.g. :8080")
    parser.add_argument("replicas", nargs="+", help="host:port of each replica")
    args = parser.parse_args()
    print(render(args.bind, args.replicas), end="")


if __name__ == "__main__":
    main()
