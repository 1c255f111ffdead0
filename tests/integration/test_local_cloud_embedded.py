"""`localcloud.embedded.start()`, as the Reflex app calls it (in a fresh process each time)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.local_cloud import REPO

SCRIPT = """
import json, sys, urllib.request
from localcloud import embedded
first = embedded.start(port={port}, moto_port={moto_port}, data_dir=sys.argv[1], persist=False)
if first is None:
    print(json.dumps(None))
else:
    with urllib.request.urlopen(first.outbox_url + "?format=json") as answer:
        outbox = json.loads(answer.read())
    print(json.dumps({{
        "same": embedded.start() is first,
        "in_process": first.in_process,
        "api_url": first.api_url,
        "env": first.env,
        "outbox": outbox,
    }}))
    embedded.stop()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(tmp_path: Path, **env: str) -> object:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EPOINT_", "AWS_"))}
    code = SCRIPT.format(port=_free_port(), moto_port=_free_port())
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=REPO,
        env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_start_runs_the_local_cloud_in_process_once(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert isinstance(result, dict)
    assert result["same"] is True and result["in_process"] is True
    assert result["outbox"] == {"messages": []}
    env = result["env"]
    assert env["EPOINT_API_URL"] == result["api_url"]
    assert json.loads(env["COGNITO_JWKS"])["keys"]
    # In-process, boto3 reaches moto without HTTP: an endpoint URL would reroute the handlers.
    assert "AWS_ENDPOINT_URL" not in env


def test_start_does_nothing_when_aws_settings_are_present(tmp_path: Path) -> None:
    assert _run(tmp_path, EPOINT_API_URL="https://api.example.com") is None
