"""The deployment files say what must hold, read as their hosts read them (no image can be built here), and the
local cluster's launcher refuses bad input in one sentence, leaving nothing running."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from deploy import balancer
from tests.e2e.cluster import group_alive
from tests.e2e.server import free_port

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
HEALTH = "/_stcore/health"
APP_PORT = 8501


def instructions(path: Path) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (keyword, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


DOCKERFILE = instructions(ROOT / "Dockerfile")


def instruction(keyword: str) -> list[str]:
    return [arguments for found, arguments in DOCKERFILE if found == keyword]


def directives(config: str) -> dict[str, list[str]]:
    """A HAProxy configuration's lines, comments left out, by the section they are in ('global', 'backend x'…)."""
    sections: dict[str, list[str]] = {}
    section = None
    for line in config.splitlines():
        line = line.split("#", 1)[0].rstrip()
        if not line:
            continue
        if not line[0].isspace():
            section = line
            sections[section] = []
        else:
            sections[section].append(" ".join(line.split()))
    return sections


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def manifest(name: str) -> dict:
    return yaml.safe_load((KUBERNETES / name).read_text())


def test_the_balancer_configuration_passes_haproxy_s_check():
    for replicas in (["127.0.0.1:9001"], [f"127.0.0.1:{9001 + i}" for i in range(4)]):
        assert "Configuration file is valid" in balancer.check(balancer.render("127.0.0.1:9000", replicas))
    with pytest.raises(ValueError, match="HAProxy rejects"):
        balancer.check(balancer.render("127.0.0.1:9000", ["127.0.0.1:9001"]) + "    no_such_directive\n")


def test_the_balancer_is_sticky_by_cookie_checks_health_keeps_websockets_and_retries_elsewhere():
    sections = directives(balancer.render("127.0.0.1:9000", ["127.0.0.1:9001", "127.0.0.1:9002"]))
    defaults, backend = sections["defaults"], sections["backend replicas"]
    assert "cookie SRV insert indirect nocache httponly" in backend  # not by source address: a school's NAT
    assert not any(line.startswith("balance source") for line in backend)
    assert f"option httpchk GET {HEALTH}" in backend and "http-check expect status 200" in backend
    assert any(line.startswith("default-server check ") for line in backend)
    assert "timeout tunnel 1h" in defaults  # a quiet lesson keeps its websocket
    assert "retries 2" in defaults and "option redispatch 1" in defaults
    # It forwards only to the replicas, each with a cookie of its own.
    assert [line for line in backend if line.startswith("server ")] == [
        "server r0 127.0.0.1:9001 cookie r0", "server r1 127.0.0.1:9002 cookie r1"]
    assert [name for name in sections if name.startswith(("backend", "listen", "frontend"))] == [
        "frontend lecture_hall", "backend replicas"]
    assert sections["frontend lecture_hall"] == ["bind 127.0.0.1:9000", "default_backend replicas"]


def test_the_image_runs_the_readme_s_command_as_a_user_with_a_health_check():
    assert instruction("FROM") == ["python:3.12-slim"]
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"&& (streamlit run \S+)\n", readme)[1].split()  # the README's way to run the app
    (cmd,) = instruction("CMD")
    assert json.loads(cmd) == [*command, "--server.address", "0.0.0.0", "--server.port", str(APP_PORT)]
    assert instruction("EXPOSE") == [str(APP_PORT)]
    (healthcheck,) = instruction("HEALTHCHECK")
    assert f"http://127.0.0.1:{APP_PORT}{HEALTH}" in healthcheck
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")  # the app runs as a user of its own
    installs = [arguments for arguments in instruction("RUN") if "pip install" in arguments]
    assert installs == ["pip install -r requirements.txt"]  # the runtime requirements only


def test_the_image_leaves_out_what_the_app_does_not_run():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "tests", "benchmarks", "requirements-dev.txt"} <= ignored
    assert not ignored & {"app.py", "pages", "ui", "initcore", ".streamlit", "requirements.txt"}


def test_compose_runs_the_local_cluster_s_balancer_configuration_over_healthy_replicas():
    services = compose()["services"]
    replicas = sorted(name for name in services if name.startswith("replica"))
    assert len(replicas) >= 2
    for name in replicas:
        assert services[name]["build"]["context"] == ".."  # the top-level Dockerfile
        assert services[name]["expose"] == [str(APP_PORT)]
    balancer_service = services["balancer"]
    assert balancer_service["image"].startswith("haproxy:2.")
    (published,) = balancer_service["ports"]
    listen = published.split(":")[-1]
    assert balancer_service["volumes"] == ["./compose.haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert balancer_service["depends_on"] == {name: {"condition": "service_healthy"} for name in replicas}
    config = (DEPLOY / "compose.haproxy.cfg").read_text()
    assert config == balancer.render(f":{listen}", [f"{name}:{APP_PORT}" for name in replicas]), (
        "compose.haproxy.cfg is not deploy/haproxy.cfg filled in for compose's replicas: make it again with "
        "deploy/balancer.py (see compose.yaml)")
    assert "Configuration file is valid" in balancer.check(config)


def test_kubernetes_manifests_parse_and_agree_with_each_other_and_the_image():
    kustomization = manifest("kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(
        path.name for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")
    deployment, service, ingress = manifest("deployment.yaml"), manifest("service.yaml"), manifest("ingress.yaml")
    assert (deployment["kind"], service["kind"], ingress["kind"]) == ("Deployment", "Service", "Ingress")
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    (port,) = container["ports"]
    assert port["containerPort"] == APP_PORT
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": HEALTH, "port": port["name"]}, probe
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert str(pod["spec"]["securityContext"]["runAsUser"]) in (ROOT / "Dockerfile").read_text()  # its user
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] == port["name"]
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"] == {"name": service["metadata"]["name"],
                                          "port": {"name": service_port["name"]}}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def mebibytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_a_replica_s_memory_is_sized_from_the_load_test():
    """deploy/README.md says how much memory one replica used under `benchmarks/load.py`; the Deployment asks for
    at least that (a request below it would let a node take more replicas than it can hold) and caps it above."""
    peak = int(re.search(r"Peak memory of one replica: \*\*(\d+) MB\*\*", (DEPLOY / "README.md").read_text())[1])
    (container,) = manifest("deployment.yaml")["spec"]["template"]["spec"]["containers"]
    request, limit = (mebibytes(container["resources"][kind]["memory"]) for kind in ("requests", "limits"))
    assert peak * 1e6 / 2**20 <= request < limit
    assert mebibytes(compose()["x-replica"]["mem_limit"].replace("g", "Gi")) >= request


def launcher(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(DEPLOY / "local_cluster.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finished(process: subprocess.Popen) -> tuple[str, str]:
    """The launcher's stdout and stderr once it has exited by itself; if it has not within 30 s, everything it
    started is killed before the test fails, so that no replica outlives the test."""
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise


def refusal(process: subprocess.Popen) -> str:
    """What the launcher said on stderr, once it has exited non-zero with nothing on stdout and nothing left."""
    out, err = finished(process)
    assert process.returncode != 0 and out == "", (process.returncode, out, err)
    assert not group_alive(process.pid)
    return err


def test_the_launcher_refuses_no_replicas_a_busy_port_and_a_missing_haproxy_in_one_sentence():
    assert re.search(r"argument --replicas: '0' is not a whole number from 1 to \d+\n$",
                     refusal(launcher("--replicas", "0")))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert refusal(launcher("--port", str(port))) == (
            f"Port {port} on 127.0.0.1 is in use: choose another with --port.\n")
    no_haproxy = os.environ | {"PATH": str(Path(sys.executable).parent)}
    assert refusal(launcher("--port", str(free_port()), env=no_haproxy)) == balancer.MISSING + "\n"


def test_a_replica_that_is_not_healthy_in_time_stops_the_launcher_with_its_log():
    started = time.monotonic()
    process = launcher("--replicas", "2", "--port", str(free_port()), "--timeout", "0.05")  # no server starts so soon
    out, err = finished(process)
    assert process.returncode == 1
    assert re.fullmatch(r"replica 0 pid \d+ port \d+\nreplica 1 pid \d+ port \d+\n", out)
    assert "replica 0 did not become healthy within 0.05 s; the last lines of its log:" in err
    assert not group_alive(process.pid) and time.monotonic() - started < 15
