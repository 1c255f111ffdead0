"""Per-caller limits (invariant 9): how often one account may drive the routes an attacker
could use to crowd others out, and how many typed codes (a customer's at the till, a
receipt's in the app) may fail before a lockout.

Every number lives here (docs/api.md lists them). A limit is a fixed window: `allowance`
uses per `window_s` seconds per subject (the caller, or the business), counted in the
table with one conditional write (dal.limits); the next use past it is
`429 too_many_requests` with `Retry-After` = the seconds until the window renews.

Earn, redeem and reverse carry no counter: their warm path is one round trip, each needs a
visit (whose opening is limited), and the owner's staff limits ride in their transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend import clock, config
from backend.dal import limits as counters
from backend.logic import errors


@dataclass(frozen=True)
class Limit:
    """`allowance` uses per `window_s` seconds for one subject."""

    allowance: int
    window_s: int
    scaled: bool = True  # PER_CALLER_LIMIT_SCALE multiplies it (never a lockout's)

    def counter(self, name: str, subject: str, now_s: int) -> counters.Counter:
        start = now_s - now_s % self.window_s
        scale = config.PER_CALLER_LIMIT_SCALE if self.scaled else 1
        return counters.Counter(name, subject, start, start + self.window_s, self.allowance * scale)


MINUTE, HOUR, DAY = 60, 3600, 86400

# Requests per caller. Sized for the busiest honest use with room to spare (a till serves a
# customer every few seconds at most, and looks at a typed code's request every 2.5 s;
# My code polls its token once a second and asks for a new code once a minute; a customer
# answers a till now and then; an owner invites a few people and registers a business or
# two). docs/deploy.md sets them against the routes' throttles.
PER_CALLER: dict[str, Limit] = {
    "open_visit": Limit(20, MINUTE),  # POST /merchants/{id}/visits
    "visit_request": Limit(30, MINUTE),  # GET /merchants/{id}/visit-requests/{id}
    "issue_code": Limit(12, MINUTE),  # POST /qr-tokens
    # GET /qr-tokens/{id}: My code polls it every second until the live hints land; then
    # about 4 reads a visit, and 30 a minute will do (docs/deploy.md).
    "token_status": Limit(120, MINUTE),
    "approve": Limit(10, MINUTE),  # POST /qr-tokens/{id}/approval
    # POST /merchants/{id}/invitations: each may send an email. Above the 20 invitations a
    # business may have waiting (loyalty.bounds), so that cap answers first.
    "invite_staff": Limit(30, HOUR),
    "create_business": Limit(3, DAY),  # POST /merchants
    "dispute": Limit(20, DAY),  # POST /transactions/{id}/dispute
    # GET and PATCH /me/preferences, PATCH /me/preferences/businesses/{id}, together: the
    # settings page loads once, then a switch per business at most (their buckets are small).
    "mail_settings": Limit(30, MINUTE),
}

# Typed codes that open nothing (no such code, expired, used, declined, ignored): a few per
# till, per business and per owner (all their businesses together, so registering more
# businesses buys no more guesses), then a lockout until the window renews. A typed code
# holds one of each until its customer allows it, so only approved codes come back.
CODE_FAILURES_PER_CALLER = Limit(5, 15 * MINUTE, scaled=False)
CODE_FAILURES_PER_BUSINESS = Limit(20, 15 * MINUTE, scaled=False)
CODE_FAILURES_PER_OWNER = Limit(40, 15 * MINUTE, scaled=False)

# Receipts' claim codes a customer types that earn nothing (unknown, spent, voided,
# expired), per customer per hour: a few typos pass, guessing does not (docs/api.md has the
# arithmetic). A claim holds its slot until it earns.
CLAIM_FAILURES_PER_CALLER = Limit(10, HOUR, scaled=False)


def _refuse(spent: list[counters.Counter], now_s: int) -> errors.TooManyRequests:
    return errors.TooManyRequests(max(c.window_end for c in spent) - now_s)


def spend(name: str, subject: str) -> None:
    """One use of `name` by `subject`; 429 when its window's allowance is spent."""
    now_s = clock.now_s()
    counter = PER_CALLER[name].counter(name, subject, now_s)
    if spent := counters.take([counter]):
        raise _refuse(spent, now_s)


def per_caller(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A route decorator: the caller (`caller` argument) spends one use of `name` first."""

    def decorate(route: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(route)
        def limited(*args: Any, **kwargs: Any) -> Any:
            spend(name, kwargs["caller"])
            return route(*args, **kwargs)

        return limited

    return decorate


@dataclass(frozen=True)
class CodeAttempt:
    """The failure slots a typed code holds (the till's, the business's and its owner's; a
    receipt's code: the customer's), until given back."""

    slots: tuple[counters.Counter, ...]

    def give_back(self) -> None:
        """The code was the customer's to give: it was no failure after all."""
        for slot in self.slots:
            counters.give_back(slot)

    def to_item(self) -> list[dict[str, Any]]:
        """The slots as stored with a waiting request (given back when the customer allows)."""
        return [slot.__dict__.copy() for slot in self.slots]

    @classmethod
    def from_item(cls, stored: list[dict[str, Any]]) -> CodeAttempt:
        return cls(tuple(counters.Counter(**slot) for slot in stored))


def attempt_code(staff_id: str, merchant_id: str, owner_id: str) -> CodeAttempt:
    """Take a failure slot from the till, the business and its owner before looking a typed
    code up (one round trip); 429 when any has none left (a lockout until its window renews)."""
    now_s = clock.now_s()
    slots = (
        CODE_FAILURES_PER_CALLER.counter("code_failures", staff_id, now_s),
        CODE_FAILURES_PER_BUSINESS.counter("code_failures", merchant_id, now_s),
        CODE_FAILURES_PER_OWNER.counter("code_failures_owner", owner_id, now_s),
    )
    if spent := counters.take(list(slots)):
        raise _refuse(spent, now_s)
    return CodeAttempt(slots)


def attempt_claim(customer_id: str) -> CodeAttempt:
    """Take one of the customer's failure slots before looking a receipt's code up; 429 when
    none is left (a lockout until the hour renews)."""
    now_s = clock.now_s()
    slot = CLAIM_FAILURES_PER_CALLER.counter("claim_failures", customer_id, now_s)
    if spent := counters.take([slot]):
        raise _refuse(spent, now_s)
    return CodeAttempt((slot,))
