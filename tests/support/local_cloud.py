"""The local cloud as a subprocess (`python -m localcloud`), and the clients and users that drive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
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

    def failures(self) -> str:
        """What the cloud logged about requests that raised (a bare 500's traceback), for a
        failing test's message."""
        lines = list(self.stderr_lines)
        starts = [i for i, line in enumerate(lines) if " raised" in line or "failure on" in line]
        return "".join("".join(lines[i : i + 40]) for i in starts[:3]) or "(the cloud logged none)"

    def faults(self) -> dict[str, int]:
        """The faults a `--faults` cloud injected so far, by kind (its `FAULT kind=...`
        lines, localcloud/faults.py)."""
        counts: dict[str, int] = {}
        for line in list(self.stderr_lines):
            if "FAULT kind=" in line:
                kind = line.split("FAULT kind=")[1].split()[0]
                counts[kind] = counts.get(kind, 0) + 1
        return counts

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
    """The newest code the local cloud 'emailed' to this address for `purpose`.

    Waits up to 10 s: a browser test reads the outbox right after the app was asked to send.
    """
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.get(info["outbox_url"], params={"format": "json", "to": email}, timeout=10)
        answer.raise_for_status()
        mine = [m for m in answer.json()["messages"] if m["purpose"] == purpose]
        if mine:
            return str(max(mine, key=lambda m: m["sent_at"])["code"])
        assert time.monotonic() < deadline, f"no {purpose} message for {email}"
        time.sleep(0.2)


def cloud_now(info: dict[str, Any]) -> float:
    """The local cloud's clock, in epoch seconds (real time plus `POST /dev/clock`'s offset):
    what its expiry and code checks use, and so what a test's authenticator must use."""
    answer = httpx.get(f"{info['api_url']}/dev/clock", timeout=10)
    answer.raise_for_status()
    return time.time() + float(answer.json()["offset_s"])


def authenticator_code(info: dict[str, Any], secret: str, ahead: int = 0) -> str:
    """The code an authenticator app holding `secret` shows now on the cloud's clock, or
    `ahead` steps later (Cognito accepts the next step's code; a used one never again)."""
    from localcloud import totp

    return totp.code_for_step(secret, totp.step_at(cloud_now(info)) + ahead)


def emails(info: dict[str, Any], to: str) -> list[dict[str, Any]]:
    """The emails SES sent to this address (not Cognito's codes), oldest first."""
    answer = httpx.get(info["outbox_url"], params={"format": "json", "to": to}, timeout=10)
    answer.raise_for_status()
    return [m for m in answer.json()["messages"] if not m["code"]][::-1]


def wait_for_emails(
    info: dict[str, Any], to: str, count: int, timeout_s: float = 60
) -> list[dict[str, Any]]:
    """The emails to `to` once there are `count` of them (the notifier reads the stream a
    moment after the write); fails after `timeout_s`, or if more than `count` arrived."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = emails(info, to)
        assert len(found) <= count, [m["subject"] for m in found]
        if len(found) == count:
            return found
        assert time.monotonic() < deadline, (to, count, [m["subject"] for m in found])
        time.sleep(0.2)


def new_email(prefix: str = "user") -> str:
    """A fresh address per test, so tests never share users."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def confirmed_user(
    info: dict[str, Any], name: str = "Test User", email: str | None = None
) -> Cognito:
    """A user who signed up (a fresh address unless given) and confirmed the emailed code,
    not signed in."""
    email = email or new_email()
    user = pycognito_user(info, email)
    user.set_base_attributes(email=email, name=name)
    user.register(email, PASSWORD)
    user.confirm_sign_up(outbox_code(info, email), username=email)
    return user


def signed_up_user(
    info: dict[str, Any], name: str = "Test User", email: str | None = None
) -> Cognito:
    """A user who signed up, confirmed with the emailed code and signed in (SRP)."""
    user = confirmed_user(info, name, email)
    user.authenticate(password=PASSWORD)
    return user


def sign_out_everywhere(info: dict[str, Any], access_token: str) -> None:
    """The user signs out of every device (from another one): all refresh tokens die."""
    cognito_client(info).global_sign_out(AccessToken=access_token)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header the API expects."""
    return {"authorization": f"Bearer {token}"}
