"""People and businesses on a running local cloud, for the proof suites and the load test.

Users are made the way the product makes them (pycognito sign-up, the emailed code from the
outbox, SRP sign-in: `tests.support.local_cloud.signed_up_user`), in parallel so that the
measured part of a run is the API, not the setup.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.local_cloud import REPO, bearer, signed_up_user


@dataclass
class Person:
    """A signed-in user: their id, email, name and tokens."""

    user_id: str
    email: str
    name: str
    access_token: str
    id_token: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header with the access token."""
        return bearer(self.access_token)

    def to_json(self) -> dict[str, str]:
        """For the load test's users file."""
        return self.__dict__.copy()


def person(info: dict[str, Any], name: str) -> Person:
    """One user who signed up, confirmed the emailed code and signed in (SRP)."""
    user = signed_up_user(info, name=name)
    return Person(user.access_claims["sub"], user.username, name, user.access_token, user.id_token)


def people(info: dict[str, Any], count: int, prefix: str, workers: int = 8) -> list[Person]:
    """`count` users made in parallel, named `prefix 1..count`."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda i: person(info, f"{prefix} {i + 1}"), range(count)))


def key() -> str:
    """A fresh Idempotency-Key."""
    return uuid.uuid4().hex


def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer that must have `status`."""
    assert answer.status_code == status, f"{answer.request.url}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else {}


def business(api: httpx.Client, owner: Person, name: str = "Café Rosa") -> str:
    """Register a business; returns its id."""
    return ok(
        api.post("/merchants", json={"name": name, "category": "cafe"}, headers=owner.auth), 201
    )["merchant_id"]


def hire(api: httpx.Client, owner: Person, merchant_id: str, staff: Person) -> None:
    """The owner adds a staff member."""
    ok(
        api.post(
            f"/merchants/{merchant_id}/staff", json={"email": staff.email}, headers=owner.auth
        ),
        201,
    )


def reward(api: httpx.Client, owner: Person, merchant_id: str, cost: int = 50) -> str:
    """The owner adds a reward; returns its id."""
    return ok(
        api.post(
            f"/merchants/{merchant_id}/rewards",
            json={"name": "Free coffee", "cost_points": cost},
            headers=owner.auth,
        ),
        201,
    )["reward_id"]


def qr_token(api: httpx.Client, customer: Person) -> dict[str, Any]:
    """A fresh QR token of the customer."""
    return ok(api.post("/qr-tokens", headers=customer.auth), 201)


def visit(api: httpx.Client, staff: Person, merchant_id: str, customer: Person) -> str:
    """The customer shows a fresh code, staff scan it: the new visit's id."""
    token = qr_token(api, customer)["token"]
    return ok(
        api.post(f"/merchants/{merchant_id}/visits", json={"token": token}, headers=staff.auth),
        201,
    )["visit_id"]


def post_until_answered(
    api: httpx.Client, path: str, staff: Person, body: dict[str, Any], attempts: int = 20
) -> tuple[httpx.Response, int]:
    """POST a balance change with one Idempotency-Key, retrying 5xx and dropped connections
    with the same key, as a careful client does; returns the final answer and the retries."""
    headers = {**staff.auth, "idempotency-key": key()}
    for attempt in range(attempts):
        try:
            answer = api.post(path, json=body, headers=headers)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code < 500:
            return answer, attempt
        time.sleep(min(0.05 * 2**attempt, 1.0))
    raise AssertionError(f"{path}: no answer after {attempts} attempts")


def earn(api: httpx.Client, staff: Person, merchant_id: str, visit_id: str, cents: int) -> int:
    """Award points for a purchase; returns the new balance."""
    answer, _ = post_until_answered(
        api, f"/merchants/{merchant_id}/visits/{visit_id}/earn", staff, {"amount_cents": cents}
    )
    return ok(answer, 201)["balance"]


def reconcile(api_url: str) -> tuple[int, str]:
    """Run `python -m ops.reconcile` against a local cloud: (discrepancies, its output)."""
    done = subprocess.run(
        [sys.executable, "-m", "ops.reconcile", "--local-cloud", api_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [
        line for line in done.stdout.splitlines() if line.startswith("reconcile_discrepancies")
    ]
    assert lines, f"reconcile printed no total:\n{done.stdout}\n{done.stderr}"
    found = int(lines[-1].split(":")[1])
    assert done.returncode == (1 if found else 0), done.stdout + done.stderr
    return found, done.stdout
