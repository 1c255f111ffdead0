"""The load test: tills and customers on the local cloud (run by tests/proof/test_proof_load.py).

    EPOINT_LOAD_USERS=users.json locust -f bench/locustfile.py --headless \\
        -u 12 -r 4 --run-time 60s --host http://127.0.0.1:8787 --csv out/load

`users.json` holds people who already signed up and signed in (the test makes them through
Cognito before the run, so the measured part is the API):
`{"merchants": [{"merchant_id", "reward_id", "reward_cost", "stamps_needed", "staff": Person,
"owner": Person}], "customers": [Person]}` with Person = `{"user_id", "email", "name",
"access_token", ...}`.
The businesses run a stamp card of `stamps_needed` and promotions (set up by the test).

Each simulated user is one till of one business serving its own customers (a customer is
at one till at a time, as in a shop), in a realistic mix: the customer shows a fresh QR code,
the till opens a visit and awards points (and a stamp, and whatever promotion is in force),
often gives the stamp card's free reward when the card is full, redeems a reward or points,
sometimes refunds; sometimes the customer forgot their phone (the till prints a receipt code,
the customer claims it); customers read their wallet and history; owners read their ledger,
export it, and now and then adjust a customer's points (goodwill, or a correction). Every request
is named by its route, so the statistics are per route. Any status other than the one the
API promises for that call counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
import uuid
from typing import Any

from locust import HttpUser, between, task

with open(os.environ["EPOINT_LOAD_USERS"], encoding="utf-8") as _file:
    PEOPLE: dict[str, Any] = json.load(_file)

_next_till = itertools.count()
_lock = threading.Lock()


def _auth(person: dict[str, Any]) -> dict[str, str]:
    return {"authorization": f"Bearer {person['access_token']}"}


class Till(HttpUser):
    """One till of one business with its own customers."""

    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        """Take the next business and a disjoint share of the customers."""
        with _lock:
            index = next(_next_till)
        merchants, customers = PEOPLE["merchants"], PEOPLE["customers"]
        self.merchant = merchants[index % len(merchants)]
        # Till i of n serves customers i, i+n, i+2n...: no customer stands at two tills.
        tills = max(1, int(os.environ.get("EPOINT_LOAD_TILLS", "1")))
        self.customers = customers[index % tills :: tills] or [customers[index % len(customers)]]
        self.balances: dict[str, int] = {}
        self.last_tx: str | None = None

    def _post(
        self, path: str, name: str, body: dict[str, Any], who: dict[str, Any], status: int = 201
    ) -> dict[str, Any] | None:
        headers = _auth(who)
        if "/visits/" in path or path.endswith(("/reverse", "/adjustments", "/claims")):
            headers["idempotency-key"] = uuid.uuid4().hex
        with self.client.post(
            path, json=body, headers=headers, name=name, catch_response=True
        ) as answer:
            if answer.status_code != status:
                answer.failure(f"{answer.status_code} {answer.text[:200]}")
                return None
            answer.success()
            return answer.json()

    def _get(self, path: str, name: str, who: dict[str, Any], **params: Any) -> None:
        with self.client.get(
            path, params=params or None, headers=_auth(who), name=name, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.text[:200]}")
            else:
                answer.success()

    @task(6)
    def serve_a_customer(self) -> None:
        """Scan a fresh code, award points, maybe redeem, rarely refund."""
        customer = random.choice(self.customers)
        staff, merchant_id = self.merchant["staff"], self.merchant["merchant_id"]
        token = self._post("/qr-tokens", "POST /qr-tokens", {}, customer)
        if token is None:
            return
        visit = self._post(
            f"/merchants/{merchant_id}/visits",
            "POST /merchants/{merchant_id}/visits",
            {"token": token["token"]},
            staff,
        )
        if visit is None:
            return
        base = f"/merchants/{merchant_id}/visits/{visit['visit_id']}"
        earned = self._post(
            f"{base}/earn",
            "POST /merchants/{merchant_id}/visits/{visit_id}/earn",
            {"amount_cents": random.randint(150, 6000)},
            staff,
        )
        if earned is None:
            return
        balance = earned["balance"]
        self.last_tx = earned["transaction"]["tx_id"]
        self.balances[customer["user_id"]] = balance
        redeem_name = "POST /merchants/{merchant_id}/visits/{visit_id}/redeem"
        if earned["stamps"] >= self.merchant["stamps_needed"] and random.random() < 0.7:
            given = self._post(f"{base}/redeem", redeem_name, {"stamp_card": True}, staff)
            if given:
                self.last_tx = given["transaction"]["tx_id"]
        if balance >= self.merchant["reward_cost"] and random.random() < 0.5:
            redeemed = self._post(
                f"{base}/redeem", redeem_name, {"reward_id": self.merchant["reward_id"]}, staff
            )
            if redeemed:
                balance, self.last_tx = redeemed["balance"], redeemed["transaction"]["tx_id"]
        elif balance >= 5 and random.random() < 0.3:
            redeemed = self._post(
                f"{base}/redeem", redeem_name, {"points": random.randint(1, balance // 2)}, staff
            )
            if redeemed:
                balance, self.last_tx = redeemed["balance"], redeemed["transaction"]["tx_id"]
        self.balances[customer["user_id"]] = balance
        if random.random() < 0.1:
            # A refund of what just happened (a redemption given back, or an earn taken back).
            refunded = self._post(
                f"/merchants/{merchant_id}/transactions/{self.last_tx}/reverse",
                "POST /merchants/{merchant_id}/transactions/{tx_id}/reverse",
                {"reason": "refund"},
                staff,
            )
            if refunded:
                self.balances[customer["user_id"]] = refunded["balance"]

    @task(1)
    def customer_without_a_phone(self) -> None:
        """The till closes the sale with a receipt code; the customer claims it later."""
        customer = random.choice(self.customers)
        merchant_id = self.merchant["merchant_id"]
        receipt = self._post(
            f"/merchants/{merchant_id}/claim-codes",
            "POST /merchants/{merchant_id}/claim-codes",
            {"amount_cents": random.randint(150, 6000)},
            self.merchant["staff"],
        )
        if receipt is None:
            return
        claimed = self._post("/claims", "POST /claims", {"code": receipt["code"]}, customer)
        if claimed:
            self.balances[customer["user_id"]] = claimed["balance"]

    @task(1)
    def owner_adjusts_a_card(self) -> None:
        """Goodwill points, or a correction taking a few back (never more than the card has)."""
        customer = random.choice(self.customers)
        balance = self.balances.get(customer["user_id"], 0)
        if not balance:
            return  # no card here yet (or nothing to correct): nothing to adjust
        if random.random() < 0.5:
            body = {"points": random.randint(1, 20), "reason": "goodwill", "note": "load"}
        else:
            body = {"points": -random.randint(1, balance), "reason": "correction"}
        adjusted = self._post(
            f"/merchants/{self.merchant['merchant_id']}/members/{customer['user_id']}/adjustments",
            "POST /merchants/{merchant_id}/members/{customer_id}/adjustments",
            body,
            self.merchant["owner"],
        )
        if adjusted:
            self.balances[customer["user_id"]] = adjusted["balance"]

    @task(3)
    def customer_checks_the_wallet(self) -> None:
        """The customer opens the app: wallet, then history."""
        customer = random.choice(self.customers)
        self._get("/wallet", "GET /wallet", customer)
        self._get("/transactions", "GET /transactions", customer, limit=20)

    @task(1)
    def owner_reads_the_ledger(self) -> None:
        """The business's recent transactions; now and then, today's export (a page of it)."""
        merchant_id = self.merchant["merchant_id"]
        self._get(
            f"/merchants/{merchant_id}/transactions",
            "GET /merchants/{merchant_id}/transactions",
            self.merchant["staff"],
            limit=20,
        )
        if random.random() < 0.2:
            today = time.strftime("%Y-%m-%d", time.gmtime())
            self._get(
                f"/merchants/{merchant_id}/exports/ledger",
                "GET /merchants/{merchant_id}/exports/ledger",
                self.merchant["owner"],
                **{"from": today, "to": today, "limit": 100},
            )
