"""Runs ePoint the way AWS does, for the browser tests and the front-end benchmark.

* `local_cloud()` - `python -m localcloud --port 0 --no-persist` in a subprocess.
* `export_app()` - `reflex export --frontend-only` into a temporary web directory (so it
  never races a developer's `.web/`), its inline scripts moved to files as
  `scripts/export-frontend` does: what Amplify hosts.
* `state_server()` - `reflex run --backend-only --env prod` (the container in AWS).
* `StaticSite` - serves the export like a static host (route -> `route.html`, gzip), with
  the headers `amplify_headers()` reads from template.yaml.
* `LossyLink` - the network between the state server and the API, able to lose an answer.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from samtranslator.yaml_helper import yaml_parse

from deploy.static_site import externalize_inline_scripts

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports nobody listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_for(url: str, proc: subprocess.Popen[Any], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def local_cloud(data_dir: Path) -> Iterator[dict[str, Any]]:
    """A fresh, throw-away local cloud; yields its JSON line (api_url, env, ...)."""
    log = data_dir / "local-cloud.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "localcloud",
                "--port",
                "0",
                "--no-persist",
                "--data-dir",
                str(data_dir),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,
        )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"local cloud did not start:\n{log.read_text()[-3000:]}")
        yield json.loads(line)
    finally:
        _stop(proc)


def app_env(
    cloud: dict[str, Any], workdir: Path, backend_port: int, frontend_port: int, **extra: str
) -> dict[str, str]:
    """The environment of the export and the state server: AWS mode, aimed at `cloud`.

    The web app is served on `frontend_port` (`StaticSite(..., port=frontend_port)`): its
    origin is the only one the state server lets open the websocket, as in AWS.
    """
    return {
        **os.environ,
        **cloud["env"],
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "REFLEX_API_URL": f"http://localhost:{backend_port}",
        "REFLEX_CORS_ALLOWED_ORIGINS": f"http://localhost:{frontend_port}",
        # Memory state unless REFLEX_REDIS_URL asks for Redis (state and sessions), as in prod.
        "REFLEX_STATE_MANAGER_MODE": "redis" if os.environ.get("REFLEX_REDIS_URL") else "memory",
        **extra,
    }


def export_app(env: dict[str, str], cwd: Path = ROOT) -> Path:
    """`reflex export --frontend-only` of the app in `cwd`; returns the static site's folder."""
    web = Path(env.get("REFLEX_WEB_WORKDIR") or cwd / ".web")
    web.parent.mkdir(parents=True, exist_ok=True)
    log = web.parent / "export.log"
    with open(log, "w") as out:
        done = subprocess.run(
            ["reflex", "export", "--frontend-only", "--no-zip", "--loglevel", "warning"],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"reflex export failed:\n{log.read_text()[-3000:]}")
    site = (web if web.is_absolute() else cwd / web) / "build" / "client"
    externalize_inline_scripts(site)
    return site


def websocket_status(state_server: str, origin: str | None) -> str:
    """The status line a state server at `state_server` answers a websocket handshake with,
    sent as a browser page at `origin` would (no Origin header at all when None)."""
    where = urlsplit(state_server)
    host, port = where.hostname or "localhost", where.port or 80
    key = base64.b64encode(os.urandom(16)).decode()
    origin_line = f"Origin: {origin}\r\n" if origin is not None else ""
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\n{origin_line}\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(4096).split(b"\r\n")[0].decode()


@contextlib.contextmanager
def state_server(env: dict[str, str], backend_port: int, log: Path) -> Iterator[str]:
    """The Reflex state server (`--backend-only --env prod`); yields its URL."""
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                "reflex",
                "run",
                "--backend-only",
                "--env",
                "prod",
                "--backend-port",
                str(backend_port),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://localhost:{backend_port}"
        _wait_for(f"{url}/ping", proc, log)
        yield url
    finally:
        _stop(proc)


def amplify_custom_headers(amplify_app: dict[str, Any]) -> dict[str, str]:
    """The headers an `AWS::Amplify::App` resource (template.yaml's `CustomHeaders`) gives
    every page, with `${...}` still in them."""
    spec = yaml.safe_load(amplify_app["Properties"]["CustomHeaders"]["Fn::Sub"])
    (rule,) = spec["customHeaders"]
    assert rule["pattern"] == "**", "a header rule for only some paths: serve it here too"
    return {header["key"]: header["value"] for header in rule["headers"]}


def amplify_headers(state_server: str) -> dict[str, str]:
    """Exactly the headers template.yaml gives Amplify, for a state server at `state_server`.

    The one substitution a deployment makes: the state server's `https://`/`wss://` origin
    becomes this one (`http://`/`ws://` here, which a policy naming https would not allow).
    """
    template = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    (app,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Amplify::App"]
    ws = state_server.replace("http://", "ws://", 1)
    headers = {}
    for name, value in amplify_custom_headers(app).items():
        value = value.replace("https://${StateServerDomain}", state_server)
        value = value.replace("wss://${StateServerDomain}", ws)
        assert "${" not in value, f"{name}: substitute {value!r} here as the deployment does"
        headers[name] = value
    return headers


class _ExportHandler(SimpleHTTPRequestHandler):
    # The static host's own headers on every answer (Amplify's custom headers).
    extra_headers: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def translate_path(self, path: str) -> str:
        root = Path(self.directory)
        route = urlsplit(path).path.strip("/")
        if not route:
            return str(root / "index.html")
        for candidate in (route, f"{route}.html", f"{route}/index.html"):
            if (root / candidate).is_file():
                return str(root / candidate)
        # Unknown routes get the single-page-app fallback, which routes client-side.
        fallback = root / "__spa-fallback.html"
        return str(fallback if fallback.is_file() else root / "404.html")

    def send_head(self):  # type: ignore[no-untyped-def]
        # Like a static host: serve the export's pre-compressed `.gz` twin when accepted.
        path = self.translate_path(self.path)
        gz = Path(path + ".gz")
        if "gzip" in self.headers.get("Accept-Encoding", "") and gz.is_file():
            body = gz.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            if "/assets/" in path:
                self.send_header("Cache-Control", "public, max-age=31536000, immutable")
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        pass


class StaticSite:
    """A background HTTP server for one export folder, sending `headers` with every answer."""

    def __init__(
        self, directory: Path, port: int = 0, headers: dict[str, str] | None = None
    ) -> None:
        handler_class = type("_Handler", (_ExportHandler,), {"extra_headers": headers or {}})
        handler = functools.partial(handler_class, directory=str(directory))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the site is served (http://localhost:PORT)."""
        return f"http://localhost:{self._server.server_address[1]}"

    def __enter__(self) -> StaticSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# Headers that describe one hop, not the message; the link sets its own.
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "host",
    "date",
    "server",
}


class _LinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _LinkServer

    def _forward(self) -> None:
        self.server.link.record(self.command, self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        answer = self.server.upstream.request(
            self.command, self.path, content=body, headers=headers
        )
        if self.server.link.take_loss(self.command, self.path):
            # The API did the work; the caller sees the connection drop with no answer.
            self.close_connection = True
            return
        self.send_response(answer.status_code)
        for name, value in answer.headers.multi_items():
            if name.lower() not in _HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


class _LinkServer(ThreadingHTTPServer):
    daemon_threads = True
    upstream: httpx.Client
    link: LossyLink


class LossyLink:
    """A pass-through HTTP hop to `upstream` that can lose chosen answers on the way back.

    Put between the state server and the API (`EPOINT_API_URL`), it plays a flaky mobile
    network or a load balancer timing out: the request arrives, the answer does not. It
    also counts the calls that pass (`calls`): what the state server asks the API.
    """

    def __init__(self, upstream: str) -> None:
        self._server = _LinkServer(("127.0.0.1", 0), _LinkHandler)
        self._server.upstream = httpx.Client(base_url=upstream, timeout=30)
        self._server.link = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, re.Pattern[str]]] = []
        self.lost: list[str] = []
        self.requests: list[tuple[float, str, str]] = []  # (time, method, path) of every call

    @property
    def url(self) -> str:
        """Where callers send their requests instead of the API."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def lose_next_answer(self, method: str, path_pattern: str) -> None:
        """The next `method` request whose path matches is delivered, its answer dropped."""
        with self._lock:
            self._pending.append((method.upper(), re.compile(path_pattern)))

    def record(self, method: str, path: str) -> None:
        """Note a request on its way to the API (the state server's calls, counted)."""
        with self._lock:
            self.requests.append((time.time(), method, urlsplit(path).path))

    def calls(self, method: str, path_pattern: str, since: float = 0.0) -> int:
        """How many `method` requests whose path matches were made since `since`."""
        pattern = re.compile(path_pattern)
        with self._lock:
            return sum(
                1 for t, m, p in self.requests if m == method and t >= since and pattern.search(p)
            )

    def take_loss(self, method: str, path: str) -> bool:
        """Whether this request's answer is to be lost (each wish is used once)."""
        with self._lock:
            for wish in self._pending:
                if wish[0] == method and wish[1].search(urlsplit(path).path):
                    self._pending.remove(wish)
                    self.lost.append(f"{method} {path}")
                    return True
        return False

    def __enter__(self) -> LossyLink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.upstream.close()
