"""The one world builder of every suite: people, businesses, staff, QR tokens, visits, points.

    world = World(InProcess())                # unit: backend.app.handler in-process, on moto
    world = World(OverHttp(cloud.info))       # integration, proof, e2e: the local cloud's gateway

    owner = world.owner()
    shop = world.business(owner)                 # "Café Rosa"
    world.reward(shop, "Free coffee", 10)
    world.stamp_card(shop)                       # buy 9, the 10th is free
    world.promotion(shop, weekdays=[2])          # double points on Tuesdays
    cashier = world.staff(shop)                  # a new person: invited by the owner, accepts
    customer = world.customer()
    visit = world.visit(shop, customer)          # the customer shows a fresh code, the till opens
    world.earn(visit, 12_50).expect(201)         # the answer (`Reply`): status, body, error code
    receipt = world.receipt_code(shop, 9_00)     # no phone at the till: a code on the receipt,
    world.claim(customer, receipt["code"])       # typed later on Claim points
    world.adjust(shop, customer, 5)              # the owner's goodwill points (or -5)
    world.expiry_policy(shop, 12)                # points expire after 12 months without a visit

The two transports make people the way the product does. In-process, a user is what the
PostConfirmation trigger writes when Cognito confirms a sign-up (moto's Cognito is not
involved: the API sees only the `sub` the JWT authorizer passes on). Over HTTP, a user signs
up with pycognito, confirms the code from the local cloud's outbox and signs in with SRP;
requests carry the access token through the gateway's JWT authorizer.

Opening a visit lives in exactly one place, `World.open_visit`, and `World.visit` is the
one way a test gets a customer with an open visit. The QR's token opens a visit at once;
typed digits only ask, and the customer whose code it is answers on their My code screen
(here: the world remembers who holds each code it issued, and that customer allows unless
the test says otherwise); the till then reads its request, which holds the visit.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from tests.support.lambda_events import LambdaContext, http_event, post_confirmation_event
from tests.support.local_cloud import PASSWORD, new_email, pycognito_user, signed_up_user

# A careful client retries a 5xx or a dropped connection with the same Idempotency-Key.
PATIENT_ATTEMPTS = 20

# An owner who lets staff award any purchase and any number of points a day (the widest
# `staff_limits` the API takes): for suites about the ledger, not about those limits.
TRUSTING_STAFF_LIMITS = {"max_purchase_cents": 10_000_000, "daily_points": 100_000_000}


def idempotency_key() -> str:
    """A fresh Idempotency-Key (32 hex characters; the API takes 8-128 of A-Z a-z 0-9 _ - : .)."""
    return uuid.uuid4().hex


@dataclass
class Reply:
    """An answer of the API, whichever transport carried it."""

    request: str  # "POST /merchants/m_1/visits", for failure messages
    status: int
    body: Any  # the decoded JSON, or the text when it is not JSON
    headers: Any  # a mapping of header names to values
    text: str

    @property
    def code(self) -> str | None:
        """The error code of an error reply (`{"error": {"code", "message"}}`)."""
        if not isinstance(self.body, dict):
            return None
        return (self.body.get("error") or {}).get("code")

    def expect(self, status: int = 200) -> Any:
        """The body of an answer that must have `status`."""
        assert self.status == status, f"{self.request}: {self.status} {self.text[:500]}"
        return self.body

    def opened(self) -> dict[str, Any]:
        """The visit an answer opened: the camera's 201, or a typed code's request the
        customer allowed (200, status "approved")."""
        if self.status == 201:
            return self.body
        body = self.expect(200)
        assert body.get("status") == "approved", f"{self.request}: {self.text[:500]}"
        return body["visit"]


def _decoded(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


@dataclass
class Person:
    """A signed-up user: their id (Cognito's `sub`), email, name and, over HTTP, their tokens."""

    user_id: str
    email: str
    name: str
    access_token: str = ""
    id_token: str = ""
    refresh_token: str = ""
    password: str = PASSWORD

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header with the access token."""
        return {"authorization": f"Bearer {self.access_token}"}

    def to_json(self) -> dict[str, str]:
        """Plain data (the load test's users file)."""
        return self.__dict__.copy()


@dataclass
class Reward:
    """One reward of a business."""

    reward_id: str
    name: str
    cost_points: int


@dataclass
class Business:
    """A registered business: its owner, the staff the world hired, the rewards it added."""

    merchant_id: str
    name: str
    owner: Person
    staff: list[Person] = field(default_factory=list)
    rewards: list[Reward] = field(default_factory=list)

    @property
    def path(self) -> str:
        """`/merchants/{merchant_id}`."""
        return f"/merchants/{self.merchant_id}"

    @property
    def reward(self) -> Reward:
        """Its first reward."""
        return self.rewards[0]

    @property
    def till(self) -> Person:
        """Who serves at the till unless a test says otherwise: the first staff member, else
        the owner."""
        return self.staff[0] if self.staff else self.owner


@dataclass
class Visit:
    """An open visit: the business, who opened it, and the API's answer (the customer's
    display name, balance, tier and rewards at that moment)."""

    visit_id: str
    business: Business
    by: Person
    answer: dict[str, Any]

    @property
    def path(self) -> str:
        """`/merchants/{merchant_id}/visits/{visit_id}`."""
        return f"{self.business.path}/visits/{self.visit_id}"


class Transport(Protocol):
    """How a world reaches the API and makes people."""

    dropped: tuple[type[BaseException], ...]  # errors meaning "no answer came back"

    def send(self, method: str, path: str, user: Person | str | None, **request: Any) -> Reply:
        """One request as `user` (None: without a token)."""
        ...

    def sign_up(self, name: str, email: str) -> Person:
        """A new confirmed user."""
        ...

    def sign_in(self, person: Person) -> Person:
        """The same user with fresh tokens."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


# ------------------------------------------------------------------ in-process (unit suite)


def call(
    method: str,
    path: str,
    user: Person | str | None,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    signed_in_at: int | None = None,
) -> Reply:
    """Invoke backend.app.handler like Lambda would, as `user` (a person, or any `sub`)
    who typed their password at `signed_in_at` (default: just now)."""
    from backend.app import handler

    sub = user.user_id if isinstance(user, Person) else user
    event = http_event(
        method,
        path,
        user=sub,
        body=body,
        raw_body=raw_body,
        headers=headers,
        query=query,
        signed_in_at=signed_in_at,
    )
    result = handler(event, LambdaContext())
    text = result.get("body") or ""
    return Reply(
        f"{method} {path}", result["statusCode"], _decoded(text), result.get("headers") or {}, text
    )


class InProcess:
    """The Lambda handlers called in-process; moto must be on (tests/unit/conftest.py)."""

    dropped: tuple[type[BaseException], ...] = ()

    def send(self, method: str, path: str, user: Person | str | None, **request: Any) -> Reply:
        """See `call`."""
        return call(method, path, user, **request)

    def sign_up(self, name: str, email: str) -> Person:
        """What Cognito does once the emailed code is confirmed: the PostConfirmation trigger."""
        from backend.triggers.post_confirmation import handler

        user_id = str(uuid.uuid4())  # Cognito's `sub` is a UUID
        handler(
            post_confirmation_event({"sub": user_id, "email": email, "name": name}),
            LambdaContext(),
        )
        return Person(user_id, email, name)

    def sign_in(self, person: Person) -> Person:
        """In-process there are no tokens: the `sub` is the identity."""
        return person

    def close(self) -> None:
        """Nothing to release."""


# ------------------------------------------------------------------ over HTTP (local cloud)


GATEWAY_THROTTLED = '{"message":"Too Many Requests"}'  # API Gateway's own body


class OverHttp:
    """The local cloud's gateway and Cognito, as the app reaches them."""

    dropped: tuple[type[BaseException], ...] = (httpx.TransportError,)

    def __init__(
        self, info: dict[str, Any], client: httpx.Client | None = None, timeout: float = 30
    ) -> None:
        self.info = info
        self._own_client = client is None
        self.client = client or httpx.Client(base_url=info["api_url"], timeout=timeout)

    def send(
        self,
        method: str,
        path: str,
        user: Person | str | None,
        *,
        body: Any = None,
        raw_body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Reply:
        """One request through the gateway, with `user`'s access token."""
        assert not isinstance(user, str), "over HTTP a caller is a Person with tokens"
        answer = self.client.request(
            method,
            path,
            json=body if raw_body is None else None,
            content=raw_body,
            params=query,
            headers={**(user.auth if user else {}), **(headers or {})},
        )
        return Reply(
            f"{method} {path}",
            answer.status_code,
            _decoded(answer.text),
            answer.headers,
            answer.text,
        )

    def sign_up(self, name: str, email: str) -> Person:
        """pycognito sign-up, the code from the outbox, SRP sign-in."""
        return _person(signed_up_user(self.info, name, email), name)

    def sign_in(self, person: Person) -> Person:
        """SRP sign-in again (e.g. on a restarted cloud)."""
        user = pycognito_user(self.info, person.email)
        user.authenticate(password=person.password)
        return _person(user, person.name)

    def close(self) -> None:
        """Close the client if this transport opened it."""
        if self._own_client:
            self.client.close()


def _person(user: Any, name: str) -> Person:
    return Person(
        user.access_claims["sub"],
        user.username,
        name,
        user.access_token,
        user.id_token,
        user.refresh_token,
    )


# ------------------------------------------------------------------ the world


def _slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:20] or "user"


class World:
    """People, businesses and visits made through the API, over either transport.

    `patient`: balance changes retry a 5xx or a dropped connection with the same key, as a
    careful client does (for clouds that fail on purpose); `retries` counts those retries.
    """

    def __init__(self, transport: Transport, *, patient: bool = False) -> None:
        self.transport = transport
        self.patient = patient
        self.retries = 0
        # Who holds each 6-digit code this world issued, and its token id: the customer
        # who answers when a till types it.
        self._codes: dict[str, tuple[Person, str]] = {}

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.transport.close()

    def call(self, method: str, path: str, user: Person | str | None, **request: Any) -> Reply:
        """One request as `user`: body=, raw_body=, headers=, query=.

        A patient world also waits out the gateway's own throttle (its 429 never reached the
        function), as an SDK does; the API's per-caller 429s carry an error code and count.
        """
        reply = self.transport.send(method, path, user, **request)
        for _ in range(PATIENT_ATTEMPTS if self.patient else 0):
            if reply.status != 429 or reply.text != GATEWAY_THROTTLED:
                break
            time.sleep(0.2)
            reply = self.transport.send(method, path, user, **request)
        return reply

    # --- people

    def person(self, name: str = "Test User", email: str | None = None) -> Person:
        """Someone who signed up (a fresh address unless given) and is signed in."""
        return self.transport.sign_up(name, email or new_email(_slug(name)))

    def owner(self, name: str = "Olga Owner", email: str | None = None) -> Person:
        """A person who will own a business."""
        return self.person(name, email)

    def customer(self, name: str = "Carl Customer", email: str | None = None) -> Person:
        """A person who collects points."""
        return self.person(name, email)

    def people(self, count: int, prefix: str, workers: int = 8) -> list[Person]:
        """`count` people made in parallel, named `prefix 1..count`."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda i: self.person(f"{prefix} {i + 1}"), range(count)))

    def sign_in(self, person: Person) -> Person:
        """The same person, signed in again (fresh tokens)."""
        return self.transport.sign_in(person)

    # --- businesses

    def business(
        self, owner: Person, name: str = "Café Rosa", category: str = "cafe", **settings: Any
    ) -> Business:
        """`owner` registers a business (1 point per unit and the default tiers unless
        `settings` say otherwise)."""
        created = self.call(
            "POST", "/merchants", owner, body={"name": name, "category": category, **settings}
        ).expect(201)
        return Business(created["merchant_id"], created["name"], owner)

    def reward(self, business: Business, name: str = "Free coffee", cost: int = 10) -> Reward:
        """The owner adds a reward."""
        added = self.call(
            "POST",
            f"{business.path}/rewards",
            business.owner,
            body={"name": name, "cost_points": cost},
        ).expect(201)
        reward = Reward(added["reward_id"], added["name"], added["cost_points"])
        business.rewards.append(reward)
        return reward

    def stamp_card(
        self,
        business: Business,
        stamps_needed: int = 10,
        reward_name: str = "Free coffee",
        **fields: Any,
    ) -> dict[str, Any]:
        """The owner runs a stamp card ("buy 9, the 10th is free" by default); its API shape."""
        card = {"stamps_needed": stamps_needed, "reward_name": reward_name, **fields}
        return self.call("PATCH", business.path, business.owner, body={"stamp_card": card}).expect(
            200
        )["stamp_card"]

    def promotion(
        self,
        business: Business,
        name: str = "Double points",
        kind: str = "multiplier",
        **fields: Any,
    ) -> dict[str, Any]:
        """The owner adds a promotion (x2 points every day from 2026-01-01 unless `fields` say
        otherwise: `bonus_points=`, `weekdays=`, `from_time=`, `until_time=`, dates)."""
        body: dict[str, Any] = {"name": name, "kind": kind, "starts_on": "2026-01-01", **fields}
        if kind == "multiplier":
            body.setdefault("multiplier_pct", 200)
        return self.call("POST", f"{business.path}/promotions", business.owner, body=body).expect(
            201
        )

    def staff(self, business: Business, person: Person | None = None) -> Person:
        """`person` (by default a new one) joins the staff the only way anyone does: the owner
        invites their email, and they accept the invitation from their own account."""
        person = person or self.person("Sam Staff")
        self.invite(business, person.email).expect(202)
        self.call(
            "POST", f"/invitations/{self.invitation(person, business)}/accept", person
        ).expect(200)
        business.staff.append(person)
        return person

    def invite(self, business: Business, email: str, by: Person | None = None) -> Reply:
        """The owner (or `by`) invites an email address to the staff."""
        return self.call(
            "POST", f"{business.path}/invitations", by or business.owner, body={"email": email}
        )

    def invitation(self, person: Person, business: Business) -> str:
        """The token of `business`'s open invitation to `person`, as their account lists it
        (the link in the invitation email carries the same token)."""
        waiting = self.call("GET", "/me/invitations", person, query={"limit": "100"}).expect(200)
        tokens = [i["token"] for i in waiting["items"] if i["merchant_id"] == business.merchant_id]
        assert tokens, f"{person.email} has no invitation from {business.name}"
        return tokens[0]

    # --- at the till

    def token(self, customer: Person) -> dict[str, Any]:
        """A fresh one-time code of the customer: token (the QR), short_code, token_id, expiry."""
        issued = self.call("POST", "/qr-tokens", customer).expect(201)
        self._codes[issued["short_code"]] = (customer, issued["token_id"])
        return issued

    def open_visit(
        self,
        business: Business,
        code: str,
        by: Person | None = None,
        *,
        answer: bool | None = True,
    ) -> Reply:
        """The till presents a customer's code. The QR's token opens the visit (201). Typed
        digits ask (202): the customer who holds them answers on My code (`answer`: True
        allows, False is "not me", None leaves the request unanswered), and the reply is the
        till's look at its request after that (200 with the visit, or the refusal)."""
        till = by or business.till
        asked = self.call("POST", f"{business.path}/visits", till, body={"token": code})
        if asked.status != 202 or answer is None or code.strip() not in self._codes:
            return asked
        self.answer_code(code, allow=answer).expect(200)
        return self.visit_request(business, asked.body["request_id"], by=till)

    def answer_code(self, code: str, *, allow: bool = True) -> Reply:
        """The customer who holds these typed digits (issued by this world) answers the till
        that typed them, on their My code screen: Allow, or Not me."""
        customer, token_id = self._codes[code.strip()]
        return self.approve(customer, token_id, allow=allow)

    def approve(self, customer: Person, token_id: str, *, allow: bool = True) -> Reply:
        """The customer answers the till that typed their code: Allow, or Not me."""
        return self.call("POST", f"/qr-tokens/{token_id}/approval", customer, body={"allow": allow})

    def visit_request(self, business: Business, request_id: str, by: Person | None = None) -> Reply:
        """The till looks at its typed-code request: waiting, or the visit the customer allowed."""
        return self.call("GET", f"{business.path}/visit-requests/{request_id}", by or business.till)

    def visit(
        self,
        business: Business,
        customer: Person | None = None,
        *,
        by: Person | None = None,
        code: str | None = None,
        typed: bool = False,
    ) -> Visit:
        """The customer shows a fresh code (`typed`: its 6 digits) and the till opens a visit;
        or the till presents the `code` a customer's screen shows."""
        if code is None:
            assert customer is not None, "whose code?"
            token = self.token(customer)
            code = token["short_code"] if typed else token["token"]
        by = by or business.till
        answer = self.open_visit(business, code, by).opened()
        return Visit(answer["visit_id"], business, by, answer)

    def earn(
        self, visit: Visit, amount_cents: int, *, by: Person | None = None, key: str | None = None
    ) -> Reply:
        """Points for a purchase of `amount_cents`."""
        return self._change(
            f"{visit.path}/earn", {"amount_cents": amount_cents}, by or visit.by, key
        )

    def redeem(
        self, visit: Visit, *, by: Person | None = None, key: str | None = None, **body: Any
    ) -> Reply:
        """Spend points (`reward_id=` or `points=`), or give the stamp card's reward
        (`stamp_card=True`)."""
        return self._change(f"{visit.path}/redeem", body, by or visit.by, key)

    def reverse(
        self,
        business: Business,
        tx_id: str,
        *,
        by: Person | None = None,
        key: str | None = None,
        reason: str | None = "refund",
    ) -> Reply:
        """A refund: the opposite entry of `tx_id` (no body when `reason` is None)."""
        body = {"reason": reason} if reason is not None else {}
        return self._change(
            f"{business.path}/transactions/{tx_id}/reverse", body, by or business.till, key
        )

    def adjust(
        self,
        business: Business,
        customer: Person,
        points: int,
        *,
        reason: str = "goodwill",
        note: str = "",
        by: Person | None = None,
        key: str | None = None,
    ) -> Reply:
        """The owner (or `by`) adds (`points` > 0) or removes points on a customer's card."""
        return self._change(
            f"{business.path}/members/{customer.user_id}/adjustments",
            {"points": points, "reason": reason, "note": note},
            by or business.owner,
            key,
        )

    def receipt_code(
        self, business: Business, amount_cents: int, *, by: Person | None = None
    ) -> dict[str, Any]:
        """The till closes a sale without a scan: the receipt's claim code (`code`, `claim_id`)."""
        return self.call(
            "POST",
            f"{business.path}/claim-codes",
            by or business.till,
            body={"amount_cents": amount_cents},
        ).expect(201)

    def claim(
        self,
        customer: Person,
        code: str,
        *,
        merchant_id: str | None = None,
        key: str | None = None,
    ) -> Reply:
        """The customer types a receipt's code on Claim points."""
        body = {"code": code} | ({"merchant_id": merchant_id} if merchant_id else {})
        return self._change("/claims", body, customer, key)

    def expiry_policy(self, business: Business, months: int) -> dict[str, Any]:
        """The owner sets points to expire after `months` without a visit (0: never)."""
        return self.call(
            "PATCH", business.path, business.owner, body={"expiry_months": months}
        ).expect(200)

    def balance(self, customer: Person, business: Business) -> int:
        """The customer's balance at the business (0 without a membership)."""
        wallet = self.call("GET", "/wallet", customer).expect(200)["memberships"]
        return next((m["balance"] for m in wallet if m["merchant_id"] == business.merchant_id), 0)

    def _change(self, path: str, body: dict[str, Any], by: Person, key: str | None) -> Reply:
        """A balance change with one Idempotency-Key, retried with that key when patient."""
        headers = {"Idempotency-Key": key or idempotency_key()}
        attempts = PATIENT_ATTEMPTS if self.patient else 1
        for attempt in range(attempts):
            try:
                reply = self.call("POST", path, by, body=body, headers=headers)
            except self.transport.dropped:
                if not self.patient:
                    raise
                reply = None
            if reply is not None and (reply.status < 500 or not self.patient):
                return reply
            self.retries += 1
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError(f"{path}: no answer after {attempts} attempts")
