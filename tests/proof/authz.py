"""The authorization matrix: every route of /openapi.json x every kind of caller, and what each must get.

Callers: six kinds of bad token (answered by the gateway's JWT authorizer) and five people
(answered by the backend's role rules in docs/api.md). Each route has a rule saying who may
call it and a `prepare` that makes the call meaningful: fresh visits, transactions, rewards
or staff, so a 2xx is a real success and a 403/404 is about the caller, not a missing thing.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from moto.utilities.utils import load_resource

from tests.support.local_cloud import RunningCloud, cognito_client
from tests.support.world import Business, Person, World, idempotency_key

TOKEN_CALLERS = ("no_token", "expired", "forged_signature", "alg_none", "other_pool", "id_token")
PEOPLE_CALLERS = ("customer", "another_customer", "staff_of_another_business", "staff", "owner")
CALLERS = TOKEN_CALLERS + PEOPLE_CALLERS


@dataclass
class Call:
    """One HTTP request of the matrix; `as_person`: sent with a stand-in's token (someone in
    the caller's position), for a call whose success would spend the caller (DELETE /me)."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    idempotent: bool = False
    as_person: Person | None = None


@dataclass
class Rule:
    """Who may call a route: public, any (signed-in user), own (the customer's own thing),
    member (staff or owner, and anyone else hears "not found": it is about the caller),
    staff (staff or owner of the business), owner, leave (staff leave; the owner cannot), or
    self (any signed-in user, about their own account; an owner is refused); and the success
    status."""

    who: str
    ok: int
    prepare: Callable[[Scene, Person], Call]


@dataclass
class Scene:
    """Two businesses with owners and staff, two customers, people to hire, a scanned token;
    and a side business (business 2's owner's) that invites the customer and hires the staff
    member, so they can accept and leave without changing who works at business 1."""

    world: World
    cloud: RunningCloud
    shop: Business
    shop2: Business
    side: Business
    customer: Person
    customer2: Person
    hireable: list[Person]
    # The customers with points whose visits the matrix opens, and more tills of business 1
    # to open them: one customer asking for a code per visit, or one till opening them all,
    # would run into their per-caller limits (POST /qr-tokens, visits). The customer's own
    # codes are kept for the routes about them (typed-code requests, disputes, replays):
    # a dozen fresh visits of theirs in one minute would spend their 12 codes.
    regulars: list[Person] = field(default_factory=list)
    tills: list[Person] = field(default_factory=list)
    scanned_token_id: str = ""
    other_pool_token: str = ""
    promotion_id: str = ""
    # A business none of the callers works at: its receipts' codes are anyone's to claim.
    receipts_shop: Business | None = None
    _waiting_claim_code: str = ""
    _hired: int = 0
    _served: int = 0
    _waiting: tuple[str, str] = ("", "")  # (token_id, request_id) of a typed code's request
    _disputable: str = ""
    _invited: int = 0
    _waiting_invitation: str = ""

    @property
    def owner(self) -> Person:
        """Business 1's owner."""
        return self.shop.owner

    @property
    def staff(self) -> Person:
        """Business 1's staff member."""
        return self.shop.staff[0]

    @property
    def staff2(self) -> Person:
        """Business 2's staff member."""
        return self.shop2.staff[0]

    @property
    def merchant_id(self) -> str:
        """Business 1's id."""
        return self.shop.merchant_id

    def person(self, caller: str) -> Person | None:
        """The person behind a people-caller."""
        return {
            "customer": self.customer,
            "another_customer": self.customer2,
            "staff_of_another_business": self.staff2,
            "staff": self.staff,
            "owner": self.owner,
        }.get(caller)

    def next_hire(self) -> Person:
        """Someone not yet on the staff (each owner success hires a new one)."""
        self._hired += 1
        return self.hireable[self._hired % len(self.hireable)]

    def next_customer(self) -> Person:
        """Each regular in turn: the customer spends their own codes on the typed-code
        requests, disputes and the matrix's own `POST /qr-tokens`, and 12 codes a minute
        per person (`limits.PER_CALLER["issue_code"]`) must last the whole matrix."""
        self._served += 1
        return self.regulars[self._served % len(self.regulars)]

    def hire(self, person: Person, business: Business) -> None:
        """`person` works at `business` (invited and accepted, unless they already do)."""
        if self.world.call("GET", f"/me/merchants/{business.merchant_id}", person).status != 200:
            self.world.staff(business, person)

    def customer_invitation(self) -> str:
        """The token of an open invitation of the side business to the customer."""
        side = self.side
        self.world.call("DELETE", f"{side.path}/staff/{self.customer.user_id}", side.owner)
        waiting = self.world.call("GET", "/me/invitations", self.customer).expect(200)["items"]
        if not any(i["merchant_id"] == side.merchant_id for i in waiting):
            self.world.invite(side, self.customer.email).expect(202)
        return self.world.invitation(self.customer, side)

    def fresh_invitation(self) -> str:
        """A new invitation of business 1 (to an address nobody uses); returns its id."""
        self._invited += 1
        email = f"authz-{self._invited}-{self.shop.merchant_id}@example.com"
        return self.world.invite(self.shop, email).expect(202)["invitation"]["invitation_id"]

    def waiting_invitation(self) -> str:
        """One invitation of business 1 that stays waiting (for the calls that must fail)."""
        if not self._waiting_invitation:
            self._waiting_invitation = self.fresh_invitation()
        return self._waiting_invitation

    def next_till(self) -> Person:
        """Each extra till in turn: the owner opens the matrix's own visits and the typed
        codes' requests, and 20 visits a minute per till (`limits.PER_CALLER["open_visit"]`)
        must last the whole matrix."""
        return self.tills[self._served % len(self.tills)]

    def stand_in(self, person: Person) -> Person:
        """Someone in `person`'s position whose account may be deleted: a customer with
        points here, staff of the same business. The owner stands for themself (refused)."""
        if person is self.owner:
            return person
        fresh = self.world.person(f"Stand-in {idempotency_key()[:6]}")
        if person is self.staff:
            self.world.staff(self.shop, fresh)
        elif person is self.staff2:
            self.world.staff(self.shop2, fresh)
        else:
            self.world.earn(self.world.visit(self.shop, fresh, by=self.next_till()), 300).expect(
                201
            )
        return fresh

    def fresh_visit(self) -> str:
        """A new open visit at business 1 of a customer with points."""
        customer = self.next_customer()
        return self.world.visit(self.shop, customer, by=self.next_till()).visit_id

    def fresh_earn(self, customer: Person | None = None) -> str:
        """A new earn at business 1 (of `customer`, or the next); returns its transaction id."""
        customer = customer or self.next_customer()
        visit = self.world.visit(self.shop, customer, by=self.next_till())
        return self.world.earn(visit, 300).expect(201)["transaction"]["tx_id"]

    def waiting_request(self) -> tuple[str, str]:
        """(token_id, request_id) of the customer's code typed at business 1's till, still
        waiting for the customer's answer (a new one once the customer answered)."""
        token_id = self._waiting[0]
        if token_id:
            status = self.world.call("GET", f"/qr-tokens/{token_id}", self.customer)
            if status.expect(200)["status"] == "awaiting_approval":
                return self._waiting
        token = self.world.token(self.customer)
        # A till of its own for typed codes: the owner's visits/minute go to the matrix.
        asked = self.world.open_visit(self.shop, token["short_code"], self.tills[-1], answer=None)
        self._waiting = (token["token_id"], asked.expect(202)["request_id"])
        return self._waiting

    def disputable(self) -> str:
        """A transaction of the customer's that nobody disputed yet."""
        if self._disputable:
            query = {"merchant_id": self.merchant_id, "limit": 100}
            items = self.world.call("GET", "/transactions", self.customer, query=query)
            mine = {i["tx_id"]: i for i in items.expect(200)["items"]}
            if not (mine.get(self._disputable) or {"disputed_at": "gone"})["disputed_at"]:
                return self._disputable
        self._disputable = self.fresh_earn(self.customer)
        return self._disputable


def build_scene(world: World, cloud: RunningCloud) -> Scene:
    """Everyone and everything the matrix needs, made through the API."""
    tag = idempotency_key()[:6]
    owner, staff, owner2, staff2 = world.people(4, f"Authz Merchant {tag}")
    customer = world.person(f"Victim {tag}")
    customer2 = world.person(f"Intruder {tag}")
    hireable = world.people(3, f"Hire {tag}")
    regulars = world.people(8, f"Regular {tag}")
    tills = world.people(5, f"Till {tag}")
    shop = world.business(owner, f"Authz Shop {tag}")
    shop2 = world.business(owner2, f"Other Shop {tag}")
    side = world.business(owner2, f"Side Shop {tag}")
    world.staff(shop, staff)
    for till in tills:
        world.staff(shop, till)
    world.staff(shop2, staff2)
    world.reward(shop, cost=10)
    # The customer's scanned token: its status page shows the business, activity and balance.
    token = world.token(customer)
    world.visit(shop, code=token["token"], by=owner)
    scene = Scene(
        world,
        cloud,
        shop,
        shop2,
        side,
        customer,
        customer2,
        hireable,
        regulars,
        tills,
        token["token_id"],
    )
    for person in (customer, customer, *regulars):
        scene.fresh_earn(person)  # a balance to redeem from, and a history to (not) leak
    scene.receipts_shop = world.business(world.person(f"Receipts {tag}"), f"Receipts {tag}")
    scene.other_pool_token = _other_pool_access_token(cloud)
    return scene


def _other_pool_access_token(cloud: RunningCloud) -> str:
    """A real access token from a second user pool on the same Cognito (same signing key)."""
    cognito = cognito_client(cloud.info)
    pool = cognito.create_user_pool(PoolName="another-app")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="mallory@example.com")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="mallory@example.com", Password="Mall0ry-Passw0rd", Permanent=True
    )
    answer = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "mallory@example.com", "PASSWORD": "Mall0ry-Passw0rd"},
    )
    return answer["AuthenticationResult"]["AccessToken"]


# ------------------------------------------------------------------ bad tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def bad_token(w: Scene, caller: str, rightful: Person) -> str | None:
    """The Authorization header value a token-caller sends, built from the rightful user's token."""
    if caller == "no_token":
        return None
    if caller == "id_token":
        return rightful.id_token
    if caller == "other_pool":
        return w.other_pool_token
    if caller == "expired":
        # Signed with the pool's real key (moto ships it): only the expiry is wrong.
        private = load_resource("cognitoidp/resources/jwks-private.json")
        now = int(time.time())
        claims = dict(_claims(rightful.access_token), iat=now - 7200, exp=now - 3600)
        return jwt.encode(
            claims, jwt.PyJWK(private).key, algorithm="RS256", headers={"kid": private["kid"]}
        )
    header, payload, signature = rightful.access_token.split(".")
    if caller == "forged_signature":
        # Someone else's identity in the payload, the rightful signature kept.
        claims = dict(_claims(rightful.access_token), sub=w.customer2.user_id)
        return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    if caller == "alg_none":
        none_header = {"alg": "none", "typ": "JWT", "kid": _claims_header(rightful)["kid"]}
        return f"{_b64(json.dumps(none_header).encode())}.{payload}."
    raise ValueError(caller)


def _claims_header(person: Person) -> dict[str, Any]:
    return jwt.get_unverified_header(person.access_token)


# ------------------------------------------------------------------ the rules


def _m(w: Scene) -> str:
    return f"/merchants/{w.merchant_id}"


def _visit_call(w: Scene, p: Person) -> Call:
    token = w.world.token(w.next_customer())["token"]
    return Call("POST", f"{_m(w)}/visits", {"token": token})


def _earn_call(w: Scene, p: Person) -> Call:
    return Call(
        "POST", f"{_m(w)}/visits/{w.fresh_visit()}/earn", {"amount_cents": 500}, idempotent=True
    )


def _redeem_call(w: Scene, p: Person) -> Call:
    return Call("POST", f"{_m(w)}/visits/{w.fresh_visit()}/redeem", {"points": 1}, idempotent=True)


def _reverse_call(w: Scene, p: Person) -> Call:
    return Call("POST", f"{_m(w)}/transactions/{w.fresh_earn()}/reverse", {}, idempotent=True)


def _approval_call(w: Scene, p: Person) -> Call:
    token_id, _ = w.waiting_request()
    return Call("POST", f"/qr-tokens/{token_id}/approval", {"allow": True})


def _visit_request_call(w: Scene, p: Person) -> Call:
    _, request_id = w.waiting_request()
    return Call("GET", f"{_m(w)}/visit-requests/{request_id}")


def _dispute_call(w: Scene, p: Person) -> Call:
    body = {"merchant_id": w.merchant_id, "reason": "not me"}
    return Call("POST", f"/transactions/{w.disputable()}/dispute", body)


def _retire_call(w: Scene, p: Person) -> Call:
    reward = w.world.reward(w.shop, cost=99)
    return Call("DELETE", f"{_m(w)}/rewards/{reward.reward_id}")


PROMOTION = {"name": "Authz bonus", "kind": "bonus", "bonus_points": 5, "starts_on": "2026-01-01"}


def _promotion_id(w: Scene, p: Person) -> str:
    """A promotion to change or delete: a fresh one for the owner's (successful) delete, the
    standing one for everyone else (so the business stays under its 20)."""
    if not w.promotion_id:
        w.promotion_id = w.world.promotion(w.shop, **PROMOTION)["promotion_id"]
    return w.promotion_id


def _delete_promotion_call(w: Scene, p: Person) -> Call:
    if p is w.owner:
        fresh = w.world.promotion(w.shop, **PROMOTION)["promotion_id"]
        return Call("DELETE", f"{_m(w)}/promotions/{fresh}")
    return Call("DELETE", f"{_m(w)}/promotions/{_promotion_id(w, p)}")


def _adjust_call(w: Scene, p: Person) -> Call:
    path = f"{_m(w)}/members/{w.customer.user_id}/adjustments"
    return Call("POST", path, {"points": 1, "reason": "goodwill"}, idempotent=True)


def _today(w: Scene) -> dict[str, str]:
    day = time.strftime("%Y-%m-%d", time.gmtime())
    return {"from": day, "to": day}


def _void_call(w: Scene, p: Person) -> Call:
    """The owner's and the staff's calls void a fresh code; everyone else tries one that stays."""
    if p in (w.owner, w.staff):
        claim_id = w.world.receipt_code(w.shop, 100, by=w.owner)["claim_id"]
    else:
        if not w._waiting_claim_code:
            w._waiting_claim_code = w.world.receipt_code(w.shop, 100, by=w.owner)["claim_id"]
        claim_id = w._waiting_claim_code
    return Call("DELETE", f"{_m(w)}/claim-codes/{claim_id}")


def _claim_call(w: Scene, p: Person) -> Call:
    assert w.receipts_shop is not None
    code = w.world.receipt_code(w.receipts_shop, 100)["code"]
    return Call("POST", "/claims", {"code": code}, idempotent=True)


def _invite_call(w: Scene, p: Person) -> Call:
    w._invited += 1
    return Call("POST", f"{_m(w)}/invitations", {"email": f"invitee-{w._invited}@example.com"})


def _cancel_call(w: Scene, p: Person) -> Call:
    invitation_id = w.fresh_invitation() if p is w.owner else w.waiting_invitation()
    return Call("DELETE", f"{_m(w)}/invitations/{invitation_id}")


def _remove_staff_call(w: Scene, p: Person) -> Call:
    if p is not w.owner:
        return Call("DELETE", f"{_m(w)}/staff/{w.staff.user_id}")
    hire = w.next_hire()
    w.hire(hire, w.shop)
    return Call("DELETE", f"{_m(w)}/staff/{hire.user_id}")


def _leave_call(w: Scene, p: Person) -> Call:
    # The staff member leaves the side business (hired there first), so they still work at
    # business 1 for the rest of the matrix; everyone else tries to leave business 1.
    if p is w.staff:
        w.hire(w.staff, w.side)
        return Call("DELETE", f"/me/merchants/{w.side.merchant_id}")
    return Call("DELETE", f"/me/merchants/{w.merchant_id}")


def _invitation_call(method: str, action: str = "") -> Callable[[Scene, Person], Call]:
    return lambda w, p: Call(method, f"/invitations/{w.customer_invitation()}{action}")


RULES: dict[str, Rule] = {
    "GET /openapi.json": Rule("public", 200, lambda w, p: Call("GET", "/openapi.json")),
    "GET /me": Rule("any", 200, lambda w, p: Call("GET", "/me")),
    "PATCH /me": Rule("any", 200, lambda w, p: Call("PATCH", "/me", {"display_name": p.name})),
    "DELETE /me": Rule("self", 200, lambda w, p: Call("DELETE", "/me", as_person=w.stand_in(p))),
    "GET /me/export": Rule("any", 200, lambda w, p: Call("GET", "/me/export")),
    "GET /me/preferences": Rule("any", 200, lambda w, p: Call("GET", "/me/preferences")),
    "PATCH /me/preferences": Rule(
        "any", 200, lambda w, p: Call("PATCH", "/me/preferences", {"reminders": True})
    ),
    # Receipts from business 1: only the customer has points there; to anyone else it is
    # a business they have no membership at (not found, as for anyone's membership).
    "PATCH /me/preferences/businesses/{merchant_id}": Rule(
        "own",
        200,
        lambda w, p: Call(
            "PATCH", f"/me/preferences/businesses/{w.merchant_id}", {"receipts": True}
        ),
    ),
    "GET /me/merchants": Rule("any", 200, lambda w, p: Call("GET", "/me/merchants")),
    "GET /me/merchants/{merchant_id}": Rule(
        "member", 200, lambda w, p: Call("GET", f"/me/merchants/{w.merchant_id}")
    ),
    "DELETE /me/merchants/{merchant_id}": Rule("leave", 204, _leave_call),
    "GET /me/invitations": Rule("any", 200, lambda w, p: Call("GET", "/me/invitations")),
    "GET /invitations/{token}": Rule("own", 200, _invitation_call("GET")),
    "POST /invitations/{token}/accept": Rule("own", 200, _invitation_call("POST", "/accept")),
    "POST /invitations/{token}/decline": Rule("own", 204, _invitation_call("POST", "/decline")),
    "GET /wallet": Rule("any", 200, lambda w, p: Call("GET", "/wallet")),
    "GET /transactions": Rule(
        "any", 200, lambda w, p: Call("GET", "/transactions", params={"merchant_id": w.merchant_id})
    ),
    "POST /qr-tokens": Rule("any", 201, lambda w, p: Call("POST", "/qr-tokens")),
    "GET /qr-tokens/{token_id}": Rule(
        "own", 200, lambda w, p: Call("GET", f"/qr-tokens/{w.scanned_token_id}")
    ),
    "POST /qr-tokens/{token_id}/approval": Rule("own", 200, _approval_call),
    "POST /transactions/{tx_id}/dispute": Rule("own", 200, _dispute_call),
    "GET /merchants": Rule(
        "any", 200, lambda w, p: Call("GET", "/merchants", params={"q": "Authz"})
    ),
    "POST /merchants": Rule(
        "any",
        201,
        lambda w, p: Call("POST", "/merchants", {"name": "Side Shop", "category": "other"}),
    ),
    "GET /merchants/{merchant_id}": Rule("any", 200, lambda w, p: Call("GET", _m(w))),
    "PATCH /merchants/{merchant_id}": Rule(
        "owner", 200, lambda w, p: Call("PATCH", _m(w), {"name": w.shop.name})
    ),
    "GET /merchants/{merchant_id}/rewards": Rule(
        "staff", 200, lambda w, p: Call("GET", f"{_m(w)}/rewards")
    ),
    "POST /merchants/{merchant_id}/rewards": Rule(
        "owner",
        201,
        lambda w, p: Call("POST", f"{_m(w)}/rewards", {"name": "Tea", "cost_points": 20}),
    ),
    "PATCH /merchants/{merchant_id}/rewards/{reward_id}": Rule(
        "owner",
        200,
        lambda w, p: Call(
            "PATCH", f"{_m(w)}/rewards/{w.shop.reward.reward_id}", {"description": "Any size"}
        ),
    ),
    "DELETE /merchants/{merchant_id}/rewards/{reward_id}": Rule("owner", 200, _retire_call),
    "GET /merchants/{merchant_id}/promotions": Rule(
        "staff", 200, lambda w, p: Call("GET", f"{_m(w)}/promotions")
    ),
    "POST /merchants/{merchant_id}/promotions": Rule(
        # Only the owner's call succeeds: one promotion a run (a business may have 20).
        "owner",
        201,
        lambda w, p: Call("POST", f"{_m(w)}/promotions", PROMOTION),
    ),
    "PATCH /merchants/{merchant_id}/promotions/{promotion_id}": Rule(
        "owner",
        200,
        lambda w, p: Call(
            "PATCH", f"{_m(w)}/promotions/{_promotion_id(w, p)}", {"bonus_points": 6}
        ),
    ),
    "DELETE /merchants/{merchant_id}/promotions/{promotion_id}": Rule(
        "owner", 204, _delete_promotion_call
    ),
    "GET /merchants/{merchant_id}/staff": Rule(
        "owner", 200, lambda w, p: Call("GET", f"{_m(w)}/staff")
    ),
    "DELETE /merchants/{merchant_id}/staff/{user_id}": Rule("owner", 204, _remove_staff_call),
    "POST /merchants/{merchant_id}/invitations": Rule("owner", 202, _invite_call),
    "GET /merchants/{merchant_id}/invitations": Rule(
        "owner", 200, lambda w, p: Call("GET", f"{_m(w)}/invitations")
    ),
    "DELETE /merchants/{merchant_id}/invitations/{invitation_id}": Rule("owner", 204, _cancel_call),
    "POST /merchants/{merchant_id}/visits": Rule("staff", 201, _visit_call),
    "GET /merchants/{merchant_id}/visit-requests/{request_id}": Rule(
        "staff", 200, _visit_request_call
    ),
    "POST /merchants/{merchant_id}/visits/{visit_id}/earn": Rule("staff", 201, _earn_call),
    "POST /merchants/{merchant_id}/visits/{visit_id}/redeem": Rule("staff", 201, _redeem_call),
    "POST /merchants/{merchant_id}/transactions/{tx_id}/reverse": Rule("staff", 201, _reverse_call),
    "GET /merchants/{merchant_id}/transactions": Rule(
        "staff", 200, lambda w, p: Call("GET", f"{_m(w)}/transactions")
    ),
    "GET /merchants/{merchant_id}/stats": Rule(
        "staff", 200, lambda w, p: Call("GET", f"{_m(w)}/stats", params={"days": 7})
    ),
    "GET /merchants/{merchant_id}/members": Rule(
        "owner", 200, lambda w, p: Call("GET", f"{_m(w)}/members")
    ),
    "POST /merchants/{merchant_id}/members/{customer_id}/adjustments": Rule(
        "owner", 201, _adjust_call
    ),
    "GET /merchants/{merchant_id}/exports/ledger": Rule(
        "owner", 200, lambda w, p: Call("GET", f"{_m(w)}/exports/ledger", params=_today(w))
    ),
    "POST /merchants/{merchant_id}/claim-codes": Rule(
        "staff", 201, lambda w, p: Call("POST", f"{_m(w)}/claim-codes", {"amount_cents": 500})
    ),
    "GET /merchants/{merchant_id}/claim-codes": Rule(
        "staff", 200, lambda w, p: Call("GET", f"{_m(w)}/claim-codes")
    ),
    "DELETE /merchants/{merchant_id}/claim-codes/{claim_id}": Rule("staff", 200, _void_call),
    "POST /claims": Rule("any", 201, _claim_call),
}


def expected(rule: Rule, caller: str) -> tuple[int, str | None]:
    """(status, error code or gateway message) a caller must get from a route."""
    if rule.who == "public":
        return 200, None
    if caller == "id_token":
        return 403, "Forbidden"
    if caller in TOKEN_CALLERS:
        return 401, "Unauthorized"
    if rule.who == "self":
        return (409, "owns_business") if caller == "owner" else (rule.ok, None)
    if rule.who == "leave" and caller == "owner":
        return 409, "owner_cannot_leave"
    allowed = {
        "any": PEOPLE_CALLERS,
        "own": ("customer",),
        "member": ("staff", "owner"),
        "leave": ("staff",),
        "staff": ("staff", "owner"),
        "owner": ("owner",),
    }[rule.who]
    if caller in allowed:
        return rule.ok, None
    # Someone else's QR token, transaction or invitation, and a role the caller does not hold, are "not
    # found" (ids can't be probed); a business's things are "forbidden" to anyone who is
    # not its staff/owner, and owner-only to its staff.
    if rule.who in ("own", "member", "leave"):
        return 404, "not_found"
    if rule.who == "owner" and caller == "staff":
        return 403, "owner_only"
    return 403, "forbidden"


def rightful(w: Scene, rule: Rule) -> Person:
    """The person whose request a token-caller tampers with."""
    return {"own": w.customer, "leave": w.staff}.get(rule.who, w.owner)


def markers(w: Scene) -> dict[str, tuple[str, ...]]:
    """Private strings and the callers who may see them (merchant routes of the business aside)."""
    return {
        w.customer.email: ("customer",),
        w.customer.user_id: ("customer",),
        w.customer.name: ("customer",),
        w.customer2.email: ("another_customer",),
        w.customer2.user_id: ("another_customer",),
        w.customer2.name: ("another_customer",),
        w.staff.email: ("staff", "owner"),
    }


def leaks(w: Scene, caller: str, route: str, answer: httpx.Response) -> list[str]:
    """Private strings in an answer that this caller must not see."""
    text = answer.text
    found = []
    for marker, viewers in markers(w).items():
        if marker not in text:
            continue
        if answer.status_code >= 400:
            found.append(marker)  # an error body carries no one's data
            continue
        if caller in viewers:
            continue
        # Staff and owner see their customers' id and name on the business's own routes.
        business_route = route.startswith("POST /merchants/{merchant_id}/") or route.startswith(
            "GET /merchants/{merchant_id}/"
        )
        if (
            business_route
            and caller in ("staff", "owner")
            and marker in (w.customer.user_id, w.customer.name)
        ):
            continue
        found.append(marker)
    return found
