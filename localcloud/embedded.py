"""The local cloud as a library, for the Reflex app: `start()` when no AWS settings are given.

    from localcloud import embedded
    cloud = embedded.start()      # None when EPOINT_API_URL/_USER_POOL_ID/_CLIENT_ID are set
    cloud.api_url, cloud.user_pool_id, cloud.client_id, cloud.region, cloud.outbox_url
    os.environ.update(cloud.env)  # what pycognito/boto3 in this process need

Fixed ports (gateway 8787, moto 4566; `EPOINT_LOCAL_API_PORT`, `EPOINT_LOCAL_MOTO_PORT`)
so a browser and a reloaded backend find it again: `start()` waits a few seconds for a
previous worker to release them. It is idempotent per process; if another process keeps
serving a local cloud on those ports (`python -m localcloud`), that one is reused.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud.cloud import (
    AWS_SETTINGS,
    DEFAULT_DATA_DIR,
    HOST,
    LocalCloud,
    client_env_from_info,
)

log = logging.getLogger(__name__)

DEFAULT_API_PORT = 8787
DEFAULT_MOTO_PORT = 4566
PORT_WAIT_S = 8.0


@dataclass(frozen=True)
class LocalCloudInfo:
    """Where the local cloud is, and the environment a client needs to use it."""

    api_url: str
    cognito_endpoint: str
    region: str
    user_pool_id: str
    client_id: str
    outbox_url: str
    jwks_url: str
    jwks: dict[str, Any]
    env: dict[str, str] = field(repr=False)
    in_process: bool  # False: reusing a local cloud another process runs


_lock = threading.Lock()
_current: LocalCloudInfo | None = None
_cloud: LocalCloud | None = None


def aws_settings_present() -> list[str]:
    """The AWS settings found in the environment (any one means: do not start locally)."""
    return [name for name in AWS_SETTINGS if os.environ.get(name)]


def start(
    port: int | None = None,
    moto_port: int | None = None,
    data_dir: Path | str | None = None,
    persist: bool = True,
) -> LocalCloudInfo | None:
    """Start (once per process) or find the local cloud; None if AWS settings are present."""
    global _current, _cloud
    with _lock:
        if _current is not None:
            return _current
        present = aws_settings_present()
        if present:
            log.info(
                "AWS settings present (%s): the local cloud does not start", ", ".join(present)
            )
            return None
        port = (
            port
            if port is not None
            else int(os.environ.get("EPOINT_LOCAL_API_PORT", DEFAULT_API_PORT))
        )
        moto_port = (
            moto_port
            if moto_port is not None
            else int(os.environ.get("EPOINT_LOCAL_MOTO_PORT", DEFAULT_MOTO_PORT))
        )
        if not _ports_free((port, moto_port), wait_s=PORT_WAIT_S):
            # Not freed in time: reuse a local cloud another process serves there (e.g.
            # `python -m localcloud`), or say clearly what is in the way.
            running = _running_elsewhere(port)
            if running is None:
                raise RuntimeError(
                    f"Port {port} or {moto_port} is taken by something other than a local cloud; "
                    "set EPOINT_LOCAL_API_PORT / EPOINT_LOCAL_MOTO_PORT to free ports."
                )
            _current = _info(running, in_process=False)
            return _current
        _cloud = LocalCloud(
            port=port,
            moto_port=moto_port,
            data_dir=data_dir or os.environ.get("EPOINT_LOCAL_DATA_DIR", str(DEFAULT_DATA_DIR)),
            persist=persist,
        ).start()
        atexit.register(_cloud.stop)
        _current = _info(_cloud.info(), in_process=True)
        log.warning("local cloud started: API %s, outbox %s", _current.api_url, _current.outbox_url)
        return _current


def stop() -> None:
    """Stop the in-process local cloud (saving its data); a no-op if none runs here."""
    global _current, _cloud
    with _lock:
        if _cloud is not None:
            atexit.unregister(_cloud.stop)
            _cloud.stop()
        _cloud = _current = None


def _ports_free(ports: tuple[int, ...], wait_s: float) -> bool:
    """Whether every (non-zero) port can be bound on loopback, waiting up to `wait_s`.

    The wait covers a reloading app: the previous worker is still saving and closing
    its local cloud when the new one starts.
    """
    deadline = time.monotonic() + wait_s
    while True:
        if all(_port_free(p) for p in ports if p):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _running_elsewhere(port: int) -> dict[str, Any] | None:
    try:
        url = f"http://127.0.0.1:{port}/dev/info"
        with urllib.request.urlopen(url, timeout=1) as answer:
            info = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and "user_pool_id" in info else None


def _info(info: dict[str, Any], in_process: bool) -> LocalCloudInfo:
    env = client_env_from_info(info)
    if in_process:
        # In this process boto3 reaches moto without HTTP (mock_aws); an endpoint URL
        # would send the in-process handlers over loopback instead.
        env.pop("AWS_ENDPOINT_URL")
    return LocalCloudInfo(
        api_url=info["api_url"],
        cognito_endpoint=info["cognito_endpoint"],
        region=info["region"],
        user_pool_id=info["user_pool_id"],
        client_id=info["client_id"],
        outbox_url=info["outbox_url"],
        jwks_url=info["jwks_url"],
        jwks=info["jwks"],
        env=env,
        in_process=in_process,
    )
