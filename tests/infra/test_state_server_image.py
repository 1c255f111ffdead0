"""The state server as the image runs it: the Dockerfile's files, the task's environment.

No Docker here, so this copies exactly what the Dockerfile COPYs into a fresh directory,
starts its entrypoint and command (no bun on PATH, AWS-mode settings as the task definition
gives them) and checks what the load balancer and a browser would see.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = "https://main.d1example.amplifyapp.com"
# Values for the task definition's environment (any value the names in template.yaml need).
TASK_ENV = {
    "EPOINT_API_URL": "https://api.invalid",
    "EPOINT_USER_POOL_ID": "eu-west-1_example",
    "EPOINT_CLIENT_ID": "exampleclientid",
    "AWS_REGION": "eu-west-1",
    "REFLEX_CORS_ALLOWED_ORIGINS": FRONTEND,
    "REFLEX_DEPLOY_URL": FRONTEND,
    "REFLEX_API_URL": "https://state.invalid",
}


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY in the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text()
    copies = []
    for line in re.findall(r"^COPY\s+(.+)$", text, flags=re.MULTILINE):
        *sources, dest = [a for a in line.split() if not a.startswith("--")]
        copies.append((sources, dest))
    return copies


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that are free right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def websocket_status(port: int, origin: str) -> str:
    """The status line the state server answers a browser's websocket upgrade with."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(4096).split(b"\r\n")[0].decode()


@pytest.fixture(scope="module")
def state_server(tmp_path_factory, cfn):
    """The image's app directory, started like the container: its port, and the local cloud's."""
    (task,) = (r for r in cfn["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    (container,) = task["Properties"]["ContainerDefinitions"]
    plain_env = {e["Name"] for e in container["Environment"] if "Name" in e}
    assert plain_env <= set(TASK_ENV), f"give the test a value for {plain_env - set(TASK_ENV)}"

    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    entrypoint = None
    for sources, dest in dockerfile_copies():
        for source in sources:
            if dest.startswith("/usr/local/bin/"):
                entrypoint = ROOT / source
            elif (ROOT / source).is_dir():
                shutil.copytree(
                    ROOT / source, app / dest, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(ROOT / source, app / (source if dest.endswith("/") else dest))
    assert entrypoint is not None and os.access(entrypoint, os.X_OK)
    (cmd_line,) = re.findall(r"^CMD\s+(.+)$", (ROOT / "Dockerfile").read_text(), re.M)
    cmd = json.loads(cmd_line)  # exec form
    port, *local_ports = free_ports(3)
    cmd[cmd.index("--backend-host") + 1] = "127.0.0.1"
    cmd[cmd.index("--backend-port") + 1] = str(port)
    env = {
        "HOME": str(app),
        # The project's Python packages, and no bun/node: the image has neither.
        "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        **TASK_ENV,
        # Where a local cloud would listen if it (wrongly) started: checked to stay closed.
        "EPOINT_LOCAL_API_PORT": str(local_ports[0]),
        "EPOINT_LOCAL_MOTO_PORT": str(local_ports[1]),
    }
    log = (app / "server.log").open("w")
    proc = subprocess.Popen(
        [str(entrypoint), *cmd],
        cwd=app,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"state server did not start:\n{(app / 'server.log').read_text()[-3000:]}"
                    )
                time.sleep(0.5)
        yield {"port": port, "local_ports": local_ports}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_the_health_check_the_load_balancer_uses_answers_200(state_server, cfn):
    (tg,) = (
        r
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"
    )
    path = tg["Properties"]["HealthCheckPath"]
    with urllib.request.urlopen(f"http://127.0.0.1:{state_server['port']}{path}", timeout=5) as r:
        assert r.status == 200


def test_only_the_front_end_may_open_the_websocket(state_server):
    port = state_server["port"]
    assert websocket_status(port, FRONTEND).startswith("HTTP/1.1 101")
    assert websocket_status(port, "https://attacker.example").startswith("HTTP/1.1 403")


def test_in_aws_mode_no_local_cloud_starts(state_server):
    for port in state_server["local_ports"]:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"something listens on {port}"
