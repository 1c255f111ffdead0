"""The state server as the image runs it: the Dockerfile's files and packages, the task's environment.

No Docker here, so this copies exactly what the Dockerfile COPYs into a fresh directory,
builds a virtualenv holding only the packages the image's `pip install` brings in (linked
from .venv: no moto, no local cloud, no test tools), starts the entrypoint and command in it
(no bun on PATH, AWS-mode settings as the task definition gives them) and checks what the
load balancer and a browser would see. Without its settings the same command must refuse
to start rather than run the local cloud.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.e2e.app_under_test import websocket_status

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
    # Every stage has its Redis (Reflex state, sessions, the hint channel). The entrypoint
    # builds rediss://… from these and the AUTH token; the test's local redis-server has no
    # TLS, so it passes REFLEX_REDIS_URL itself, which the entrypoint keeps.
    "REDIS_HOST": "redis.invalid",
    "REDIS_PORT": "6379",
    # Behind the load balancer: the client's address is the last X-Forwarded-For hop.
    "REFLEX_TRUSTED_PROXY_HOPS": "1",
}
# Development-only code and packages: never in the image.
DEV_ONLY_DIRS = ("localcloud", "ops", "tests", "bench", "backend")
DEV_ONLY_PACKAGES = ("moto", "flask", "flask-cors", "werkzeug", "pytest", "playwright", "ruff")


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY in the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text()
    copies = []
    for line in re.findall(r"^COPY\s+(.+)$", text, flags=re.MULTILINE):
        *sources, dest = [a for a in line.split() if not a.startswith("--")]
        copies.append((sources, dest))
    return copies


def dockerfile_cmd(port: int) -> list[str]:
    """The image's CMD (exec form), listening on 127.0.0.1:`port`."""
    (cmd_line,) = re.findall(r"^CMD\s+(.+)$", (ROOT / "Dockerfile").read_text(), re.M)
    cmd = json.loads(cmd_line)
    cmd[cmd.index("--backend-host") + 1] = "127.0.0.1"
    cmd[cmd.index("--backend-port") + 1] = str(port)
    return cmd


def with_includes(path: Path) -> list[Path]:
    """A requirements file and every file it pulls in with -r, recursively."""
    files = [path]
    for line in path.read_text().splitlines():
        words = line.split("#")[0].split()
        if words[:1] in (["-r"], ["--requirement"]):
            files += with_includes((path.parent / words[1]).resolve())
    return files


def requirements_in(files: list[Path]) -> list[Requirement]:
    """The requirements (not the -r lines) written in `files`."""
    lines = (line.split("#")[0].strip() for f in files for line in f.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def image_requirement_files() -> list[Path]:
    """Every requirements file the Dockerfile's `pip install -r` lines read."""
    text = (ROOT / "Dockerfile").read_text()
    files: list[Path] = []
    for run in re.findall(r"^RUN\s+(.*pip install.*)$", text, flags=re.MULTILINE):
        words = run.split()
        for i, word in enumerate(words[:-1]):
            if word in ("-r", "--requirement"):
                files += with_includes((ROOT / words[i + 1]).resolve())
    return files


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """The distributions (canonical names) `requirements` bring in, as installed in .venv."""
    extras_of: dict[str, set[str]] = {}
    todo = list(requirements)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in extras_of and set(req.extras) <= extras_of[name]:
            continue
        extras = extras_of[name] = extras_of.get(name, set()) | set(req.extras)
        for spec in importlib.metadata.distribution(name).requires or []:
            dep = Requirement(spec)
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras | {""}):
                todo.append(dep)
    return set(extras_of)


def test_the_image_installs_only_the_state_servers_runtime():
    files = image_requirement_files()
    assert files == [ROOT / "requirements.txt"], "the image installs requirements.txt alone"
    pinned = requirements_in(files)
    for req in pinned:
        assert len(req.specifier) == 1 and str(req.specifier).startswith("=="), f"pin {req}"
    names = {canonicalize_name(r.name) for r in pinned}
    everything = installed_closure(pinned)
    for package in DEV_ONLY_PACKAGES:
        assert package not in names, f"{package} is pinned in the image's requirements"
        assert package not in everything, f"{package} comes into the image with {names}"
    assert "reflex" in names


def test_the_image_copies_no_development_code():
    sources = [s.rstrip("/") for copied, _ in dockerfile_copies() for s in copied]
    for source in sources:
        assert source not in (".", "*"), "the image would copy the whole checkout"
        assert source.split("/")[0] not in DEV_ONLY_DIRS, f"the image copies {source}"
    # The build context lets in exactly what is copied (and so nothing else can slip in).
    allowed = [
        line[1:].strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    assert sorted(allowed) == sorted(sources)


def test_the_venv_installs_every_requirements_file_scripts_setup_hashes():
    """scripts/setup reinstalls when any file requirements-dev.txt pulls in changes."""
    setup = (ROOT / "scripts/setup").read_text()
    (hashed,) = re.findall(r"want=\$\(cat ([^|]+)\|", setup)
    dev_files = with_includes(ROOT / "requirements-dev.txt")
    assert sorted(set(hashed.split())) == sorted({str(f.relative_to(ROOT)) for f in dev_files})
    dev = {canonicalize_name(r.name) for r in requirements_in(dev_files)}
    assert {"moto", "flask-cors", "aws-lambda-powertools", "pytest", "reflex"} <= dev


def _top_level_entries(dist: importlib.metadata.Distribution) -> set[str]:
    return {f.parts[0] for f in dist.files or () if f.parts[0] not in ("..", "__pycache__")}


@pytest.fixture(scope="module")
def image_python(tmp_path_factory) -> Path:
    """A virtualenv with only the distributions the image's pip install brings in; its bin/."""
    venv = tmp_path_factory.mktemp("image-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    wanted = installed_closure(requirements_in(image_requirement_files()))
    dists = {canonicalize_name(d.metadata["Name"]): d for d in importlib.metadata.distributions()}
    assert wanted <= set(dists), f"not installed in .venv: {wanted - set(dists)}"
    others = set().union(*(_top_level_entries(d) for n, d in dists.items() if n not in wanted))
    for name in sorted(wanted):
        dist = dists[name]
        for entry in _top_level_entries(dist) - others:
            if not (site / entry).exists():
                (site / entry).symlink_to(dist.locate_file(entry))
        for file in dist.files or ():
            if file.parts[0] in others:  # a namespace shared with a package not in the image
                (site / file).parent.mkdir(parents=True, exist_ok=True)
                if not (site / file).exists():
                    (site / file).symlink_to(dist.locate_file(file))
        for script in dist.entry_points.select(group="console_scripts"):
            module, _, func = script.value.partition(":")
            path = venv / "bin" / script.name
            path.write_text(
                f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {module} import {func}\n"
                f"sys.exit({func}())\n"
            )
            path.chmod(0o755)
    probe = subprocess.run(
        [venv / "bin" / "python", "-c", "import reflex, pycognito, segno\nimport moto"],
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
    )
    assert "No module named 'moto'" in probe.stderr, probe.stderr
    return venv / "bin"


def image_app(into: Path) -> tuple[Path, Path]:
    """The image's /app under `into` (exactly the Dockerfile's COPYs) and its entrypoint."""
    app = into / "app"
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
    return app, entrypoint


def image_env(app: Path, bin_dir: Path, **extra: str) -> dict[str, str]:
    """The container's environment: the image's packages only, no bun/node, no local cloud code."""
    return {
        "HOME": str(app),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "PYTHONNOUSERSITE": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        **extra,
    }


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


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A Redis for the state server, as every deployed stage has one: Debian's redis-server."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: `scripts/setup --browser` installs it (apt)")
    (port,) = free_ports(1)
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def state_server(tmp_path_factory, image_python, cfn, redis_url):
    """The image's app directory, started like the container: its port, and the local cloud's."""
    (task,) = (r for r in cfn["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    (container,) = task["Properties"]["ContainerDefinitions"]
    plain_env = {e["Name"] for e in container["Environment"] if "Name" in e}
    assert plain_env <= set(TASK_ENV), f"give the test a value for {plain_env - set(TASK_ENV)}"

    app, entrypoint = image_app(tmp_path_factory.mktemp("image"))
    port, *local_ports = free_ports(3)
    env = image_env(
        app,
        image_python,
        **TASK_ENV,
        REFLEX_REDIS_URL=redis_url,
        # Where a local cloud would listen if it (wrongly) started: checked to stay closed.
        EPOINT_LOCAL_API_PORT=str(local_ports[0]),
        EPOINT_LOCAL_MOTO_PORT=str(local_ports[1]),
    )
    log = (app / "server.log").open("w")
    proc = subprocess.Popen(
        [str(entrypoint), *dockerfile_cmd(port)],
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
    url = f"http://127.0.0.1:{port}"
    assert websocket_status(url, FRONTEND).startswith("HTTP/1.1 101")
    assert websocket_status(url, "https://attacker.example").startswith("HTTP/1.1 403")
    # No Origin: not a page of the web app (a script elsewhere); Socket.IO alone would allow it.
    assert websocket_status(url, None).startswith("HTTP/1.1 403")


def test_in_aws_mode_no_local_cloud_starts(state_server):
    for port in state_server["local_ports"]:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"something listens on {port}"


REFUSAL = "The state server refuses to start: --env prod needs the AWS settings"


@pytest.mark.parametrize("where", ["image", "checkout"])
def test_in_prod_without_the_aws_settings_the_state_server_refuses_to_start(
    where, image_python, tmp_path
):
    """Fail closed: the image's command with no settings exits with a sentence, no moto starts.

    In a developer's checkout the local cloud could start (moto is installed, `localcloud/`
    is importable); in the image it is absent. Either way the answer is the same refusal.
    """
    port, api_port, moto_port = free_ports(3)
    local = {
        "EPOINT_LOCAL_API_PORT": str(api_port),
        "EPOINT_LOCAL_MOTO_PORT": str(moto_port),
        "EPOINT_LOCAL_DATA_DIR": str(tmp_path / "local-cloud"),
    }
    if where == "image":
        app, entrypoint = image_app(tmp_path)
        cmd = [str(entrypoint), *dockerfile_cmd(port)]
        env = image_env(app, image_python, AWS_REGION="eu-west-1", **local)
    else:
        app = ROOT
        cmd = dockerfile_cmd(port)
        env = image_env(
            tmp_path,
            ROOT / ".venv" / "bin",
            PYTHONPATH=str(ROOT),
            REFLEX_WEB_WORKDIR=str(tmp_path / "web"),
            REFLEX_STATES_WORKDIR=str(tmp_path / "states"),
            **local,
        )
    proc = subprocess.Popen(
        cmd,
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"the state server kept running without its settings:\n{output[-3000:]}")
    assert proc.returncode != 0, output[-3000:]
    assert REFUSAL in output, output[-3000:]
    assert "local cloud started" not in output
    assert not (tmp_path / "local-cloud").exists()
    for closed in (port, api_port, moto_port):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", closed)) != 0, f"something listens on {closed}"
