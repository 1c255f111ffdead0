"""The local cloud as a subprocess (`python -m localcloud`), and the clients and users that drive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from pycognito import Cognito

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Corr3ct-Horse"


@dataclass
class RunningCloud:
    """One `python -m localcloud` process and the JSON line it printed."""

    process: subprocess.Popen[str]
    info: dict[str, Any]
    stderr_lines: list[str]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.info[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def stop(self) -> int:
        """SIGTERM, as a developer's Ctrl-C or a supervisor would; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start_cloud(data_dir: Path, *flags: str) -> RunningCloud:
    """Start the local cloud on ephemeral ports and wait for its JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EPOINT_", "AWS_"))}
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "--port", "0", "--data-dir", str(data_dir), *flags],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr_lines: list[str] = []
    # Drain stderr so the child never blocks on a full pipe (and keep it for failures).
    threading.Thread(
        target=lambda: stderr_lines.extend(iter(process.stderr.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    ).start()
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line:
        process.wait(timeout=10)
        raise RuntimeError("local cloud did not start:\n" + "".join(stderr_lines))
    return RunningCloud(process, json.loads(line), stderr_lines)


@contextmanager
def running_cloud(data_dir: Path, *flags: str) -> Iterator[RunningCloud]:
    """A local cloud for the span of a `with` block (see `start_cloud`), stopped at its end."""
    running = start_cloud(data_dir, *flags)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def gateway_client(cloud: RunningCloud, timeout: float = 30) -> Iterator[httpx.Client]:
    """An HTTP client for the cloud's API gateway."""
    with httpx.Client(base_url=cloud.api_url, timeout=timeout) as client:
        yield client


def aws_client(info: dict[str, Any], service: str) -> Any:
    """A boto3 client for one service of the local cloud's moto server."""
    return boto3.client(
        service,
        endpoint_url=info["cognito_endpoint"],
        region_name=info["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def cognito_client(info: dict[str, Any]) -> Any:
    """A boto3 Cognito client pointed at the local cloud's moto server."""
    return aws_client(info, "cognito-idp")


def pycognito_user(info: dict[str, Any], email: str) -> Cognito:
    """pycognito as the app uses it, talking to the local cloud.

    Its boto3 client gets the moto endpoint and its JWKS the pool's keys; everything else
    (sign-up, confirmation, the SRP computation, token checks) is pycognito's own code.
    """
    user = Cognito(
        info["user_pool_id"], info["client_id"], user_pool_region=info["region"], username=email
    )
    user.client = cognito_client(info)
    user.pool_jwk = info["jwks"]
    return user


def outbox_code(info: dict[str, Any], email: str, purpose: str = "sign_up") -> str:
    """The newest code the local cloud 'emailed' to this address."""
    answer = httpx.get(info["outbox_url"], params={"format": "json", "to": email}, timeout=10)
    answer.raise_for_status()
    codes = [m["code"] for m in answer.json()["messages"] if m["purpose"] == purpose]
    assert codes, f"no {purpose} message for {email}"
    return codes[0]


def new_email() -> str:
    """A fresh address per test, so tests never share users."""
    return f"user-{uuid.uuid4().hex[:10]}@example.com"


def confirmed_user(info: dict[str, Any], name: str = "Test User") -> Cognito:
    """A user who signed up with a fresh address and confirmed the emailed code (not signed in)."""
    email = new_email()
    user = pycognito_user(info, email)
    user.set_base_attributes(email=email, name=name)
    user.register(email, PASSWORD)
    user.confirm_sign_up(outbox_code(info, email), username=email)
    return user


def signed_up_user(info: dict[str, Any], name: str = "Test User") -> Cognito:
    """A user who signed up, confirmed with the emailed code and signed in (SRP)."""
    user = confirmed_user(info, name)
    user.authenticate(password=PASSWORD)
    return user


def bearer(token: str) -> dict[str, str]:
    """The Authorization header the API expects."""
    return {"authorization": f"Bearer {token}"}
