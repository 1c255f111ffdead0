"""Domain errors: each refusal is a class with its HTTP status and its own stable `code`,
listed in docs/api.md (a unit test checks both)."""

from __future__ import annotations

from typing import Any

from loyalty import bounds
from loyalty.promotions import MAX_PROMOTIONS


class DomainError(Exception):
    """A refusal the caller can understand; the app turns it into `{"error": {...}}`.

    DomainError and Conflict are families, not refusals: only a class that names its own
    `code` can be raised, so no answer goes out with a borrowed code.
    """

    status: int = 400
    code: str
    message: str = "The request is not valid."

    def __init__(self, message: str | None = None) -> None:
        if "code" not in vars(type(self)):
            raise TypeError(f"{type(self).__name__} is a family of refusals: raise one of them")
        super().__init__(message or self.message)
        self.message = message or self.message


class MalformedJson(DomainError):
    status, code, message = 400, "bad_request", "The body is not valid JSON."


class NotJson(DomainError):
    status, code = 400, "not_json"
    message = "Send the body as JSON (Content-Type: application/json)."


class BadCursor(DomainError):
    status, code, message = 400, "bad_cursor", "The cursor does not belong to this list."


class UnsubscribeLinkInvalid(DomainError):
    status, code = 400, "unsubscribe_link_invalid"
    message = "This unsubscribe link is not valid. Use the link from the email, whole."


class Unauthorized(DomainError):
    status, code, message = 401, "unauthorized", "Sign in first."


class MissingIdempotencyKey(DomainError):
    status, code = 400, "missing_idempotency_key"
    message = "This call needs an Idempotency-Key header (8-128 characters of A-Z a-z 0-9 _ - : .)."


class TokenInvalid(DomainError):
    status, code, message = 400, "token_invalid", "This code is not a valid ePoint code."


class TokenForeign(DomainError):
    status, code, message = (
        400,
        "token_foreign",
        "This code was issued by another ePoint deployment.",
    )


class CodeRefused(DomainError):
    # One answer for every typed code that opens nothing (no such code, expired, used,
    # declined or ignored by the customer), so a guesser learns nothing from the refusal.
    status, code = 400, "code_refused"
    message = (
        "That code did not open a visit. Ask the customer to show their code again,"
        " or scan the QR code."
    )


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "You are not allowed to do this for this business."


class OwnerOnly(DomainError):
    status, code, message = 403, "owner_only", "Only the owner can change this business."


class ReauthenticationRequired(DomainError):
    status, code = 403, "reauthentication_required"
    message = "Enter your password again to confirm it is you (a sign-in from the last 5 minutes)."


class SelfScan(DomainError):
    status, code, message = 403, "self_scan", "You cannot scan your own code."


class NeedsOwner(DomainError):
    status, code = 403, "needs_owner"
    message = "This purchase is above what staff may award here. Ask the owner to award it."


class OwnClaim(DomainError):
    status, code = 403, "own_claim"
    message = "You work at this business, so you cannot claim its receipts' points yourself."


class NotFound(DomainError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(DomainError):
    """The family of 409s: the request is fine, the state of things refuses it."""

    status = 409


class ConcurrentChange(Conflict):
    code, message = "concurrent_change", "The balance is changing too fast; try again."


class ShortCodesBusy(Conflict):
    code, message = "short_codes_busy", "Too many codes are in use right now; try again."


class InsufficientPoints(Conflict):
    code, message = "insufficient_points", "The customer does not have enough points."


class TokenUsed(Conflict):
    code, message = "token_used", "This code was already used. Ask the customer for a fresh one."


class VisitAlreadyEarned(Conflict):
    code, message = "visit_already_earned", "Points were already awarded in this visit."


class AlreadyReversed(Conflict):
    code, message = "already_reversed", "This transaction was already reversed."


class PointsAlreadySpent(Conflict):
    code, message = (
        "points_already_spent",
        "These points were already spent; they cannot be taken back.",
    )


class AlreadyStaff(Conflict):
    code, message = "already_staff", "This person already works at this business."


class CannotRemoveOwner(Conflict):
    code, message = "cannot_remove_owner", "The owner cannot be removed from their business."


class OwnerCannotLeave(Conflict):
    code, message = (
        "owner_cannot_leave",
        "You own this business, so you cannot leave it. Its staff can leave; you stay its owner.",
    )


class AlreadyInvited(Conflict):
    code, message = (
        "already_invited",
        "An invitation to this email is already waiting for an answer. Cancel it to send a new one.",
    )


class TooManyInvitations(Conflict):
    code = "too_many_invitations"
    message = (
        f"A business can have {bounds.PENDING_INVITATIONS_PER_BUSINESS} invitations waiting "
        "for an answer at most. Cancel one, or wait until they are answered or expire."
    )


class TooManyBusinesses(Conflict):
    code = "too_many_businesses"
    message = (
        f"One account can own or work at {bounds.BUSINESSES_PER_ACCOUNT} businesses at most. "
        "Leave one first."
    )


class RewardRetired(Conflict):
    code, message = "reward_retired", "This reward is no longer offered."


class NotReversible(Conflict):
    code, message = "not_reversible", "A reversal cannot itself be reversed."


class StaffDailyCap(Conflict):
    code = "staff_daily_cap"
    message = "You have awarded as many points today as staff may here. The owner can award more."


class ApprovalClosed(Conflict):
    code, message = (
        "approval_closed",
        "This request is no longer open: it was answered or it expired.",
    )


class AlreadyDisputed(Conflict):
    code, message = "already_disputed", "You have already disputed this transaction."


class ClaimCodeUsed(Conflict):
    code, message = (
        "claim_code_used",
        "This code was already claimed. Each receipt's code works once.",
    )


class ClaimOverStaffLimit(Conflict):
    code = "claim_over_staff_limit"
    message = (
        "This receipt's points are more than its staff member may award here today."
        " Ask the business to award them."
    )


class ClaimCodeVoided(Conflict):
    code, message = (
        "claim_code_voided",
        "The business cancelled this code (the purchase was refunded).",
    )


class TierRequired(Conflict):
    code, message = "tier_required", "This reward is for customers of a higher tier."


class NoStampCard(Conflict):
    code, message = "no_stamp_card", "This business does not run a stamp card."


class StampCardNotFull(Conflict):
    code, message = (
        "stamp_card_not_full",
        "The customer's stamp card is not full yet.",
    )


class StampsAlreadySpent(Conflict):
    code, message = (
        "stamps_already_spent",
        "This purchase's stamp was already used for a free reward; it cannot be taken back.",
    )


class TooManyPromotions(Conflict):
    code, message = (
        "too_many_promotions",
        f"A business has at most {MAX_PROMOTIONS} promotions: delete an ended one first.",
    )


class OwnsBusiness(Conflict):
    code = "owns_business"
    message = (
        "You own a business on ePoint. Hand it over to someone else or close it"
        " before deleting your account."
    )


class AccountClosed(Conflict):
    code, message = "account_closed", "This customer's account was closed; it takes no more points."


class TokenExpired(DomainError):
    status, code, message = (
        410,
        "token_expired",
        "This code has expired. Ask the customer to refresh it.",
    )


class VisitExpired(DomainError):
    status, code, message = (
        410,
        "visit_expired",
        "This visit has expired. Scan the customer's code again.",
    )


class RedemptionWindowClosed(DomainError):
    status, code = 410, "redemption_window_closed"
    message = (
        "Redemptions are possible only in the first minutes after the scan."
        " Scan the customer's code again to redeem."
    )


class InvitationExpired(DomainError):
    status, code, message = (
        410,
        "invitation_expired",
        "This invitation has expired. Ask the business to invite you again.",
    )


class ClaimCodeExpired(DomainError):
    status, code, message = (
        410,
        "claim_code_expired",
        "This code has expired: a receipt's points can be claimed for 7 days.",
    )


class PayloadTooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "The request body is larger than 16 KiB."


class ValidationFailed(DomainError):
    status, code, message = 422, "validation_error", "The request is not valid."


class BelowMinimumPurchase(DomainError):
    status, code = 422, "below_minimum_purchase"
    message = "The purchase is below this business's minimum for earning points."


class IdempotencyKeyReused(DomainError):
    status, code = 422, "idempotency_key_reused"
    message = "This Idempotency-Key was already used for a different request."


class TooManyRequests(DomainError):
    """A per-caller (or per-business) limit is spent; `retry_after` seconds until it renews."""

    status, code = 429, "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many requests. Try again in {_wait(self.retry_after)}.")


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


class IdempotentReplay(Exception):
    """The key was already used: carries the stored record so the first answer is returned."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__("idempotent replay")
        self.record = record
