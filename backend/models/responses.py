"""Response shapes, for the OpenAPI document (docs/api.md is the prose version).

Routes return plain dicts built by the domain; these models describe them to clients
(`responses=` on each route) without re-validating every answer at run time.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    """Base of every response model (compiled only when the document is generated)."""

    model_config = ConfigDict(defer_build=True)


class ErrorDetail(Shape):
    code: str
    message: str


class ErrorBody(Shape):
    error: ErrorDetail


class Tier(Shape):
    name: str
    threshold: int
    multiplier_pct: int


class NextTier(Shape):
    name: str
    threshold: int
    points_needed: int


class EarningRule(Shape):
    points_per_unit: int
    min_purchase_cents: int


class Reward(Shape):
    reward_id: str
    name: str
    description: str
    cost_points: int
    min_tier: str | None
    active: bool
    created_at: str


class LockedReward(Reward):
    locked_reason: str


class StampCard(Shape):
    active: bool
    stamps_needed: int
    reward_name: str
    min_purchase_cents: int
    replaces_points: bool


class Promotion(Shape):
    promotion_id: str
    name: str
    kind: Literal["multiplier", "bonus", "welcome"]
    multiplier_pct: int | None
    bonus_points: int | None
    starts_on: str
    ends_on: str | None
    weekdays: list[int]
    from_time: str | None
    until_time: str | None
    status: Literal["scheduled", "running", "ended"]
    description: str
    created_at: str


class PromotionList(Shape):
    time_zone: str
    promotions: list[Promotion]


class RewardList(Shape):
    rewards: list[Reward]


class StaffLimits(Shape):
    max_purchase_cents: int
    daily_points: int


class Merchant(Shape):
    merchant_id: str
    name: str
    category: str
    currency: str
    earning_rule: EarningRule
    tiers: list[Tier]
    staff_limits: StaffLimits
    time_zone: str
    stamp_card: StampCard | None
    promotions: list[Promotion]
    owner_id: str
    created_at: str
    expiry_months: int  # 0: points never expire
    rewards: list[Reward]


class MerchantPage(Shape):
    items: list[Merchant]
    next_cursor: str | None


class Profile(Shape):
    user_id: str
    email: str
    display_name: str
    created_at: str


class BusinessReceipts(Shape):
    merchant_id: str
    merchant_name: str
    receipts: bool


class MailSettings(Shape):
    receipts: bool
    reminders: bool
    language: str | None
    time_zone: str | None
    businesses: list[BusinessReceipts]


class Role(Shape):
    merchant_id: str
    name: str
    category: str
    role: Literal["owner", "staff"]


class RolePage(Shape):
    items: list[Role]
    next_cursor: str | None


class Expiry(Shape):
    """What expires when, unless the customer is active there before."""

    points: int
    expires_at: str
    expires_on: str  # the date at the business (its time zone)
    notice: bool  # within the notice period: the wallet says so


class Membership(Shape):
    merchant_id: str
    merchant_name: str
    category: str
    currency: str
    balance: int
    lifetime_points: int
    tier: Tier
    next_tier: NextTier | None
    stamps: int
    stamp_card: StampCard | None
    promotions: list[Promotion]
    affordable_rewards: list[Reward]
    locked_rewards: list[LockedReward]
    updated_at: str
    expiry: Expiry | None


class Wallet(Shape):
    memberships: list[Membership]


class Transaction(Shape):
    tx_id: str
    merchant_id: str
    merchant_name: str
    customer_id: str
    customer_name: str
    kind: Literal["earn", "redeem", "stamp_redeem", "reversal", "adjustment", "expiry", "closure"]
    points: int
    amount_cents: int | None
    reward_id: str | None
    reward_name: str | None
    reverses: str | None
    reversed_by: str | None
    reason: str | None  # a refund's reason; an adjustment's ("goodwill", "correction")
    note: str | None  # an adjustment's note
    claim_id: str | None  # an earn from a receipt's claim code
    balance_after: int
    stamps: int
    stamps_after: int
    stamps_needed: int | None
    promotion_id: str | None
    promotion_name: str | None
    promotion_kind: Literal["multiplier", "bonus", "welcome"] | None
    promotion_points: int
    visit_id: str | None
    staff_id: str | None  # who acted for the business (None: the expiry job, a closure)
    customer_is_staff: bool
    disputed_at: str | None
    dispute_reason: str | None
    created_at: str


class TransactionPage(Shape):
    items: list[Transaction]
    next_cursor: str | None


class ExportedMembership(Shape):
    merchant_id: str
    merchant_name: str
    category: str
    currency: str
    balance: int
    lifetime_points: int
    created_at: str
    updated_at: str


class ExportedRole(Shape):
    merchant_id: str
    role: Literal["owner", "staff"]


class ExportedTransaction(Transaction):
    reason: str | None


class DataExport(Shape):
    profile: Profile
    memberships: list[ExportedMembership]
    roles: list[ExportedRole]
    items: list[ExportedTransaction]
    next_cursor: str | None


class AccountDeletion(Shape):
    status: Literal["deleted", "in_progress"]


class Member(Shape):
    """A customer of the business, as its owner sees them."""

    customer_id: str
    display_name: str
    balance: int
    lifetime_points: int
    tier: str
    stamps: int
    last_activity_at: str | None
    member_since: str | None
    expiry: Expiry | None


class MemberPage(Shape):
    items: list[Member]
    next_cursor: str | None


class ClaimCode(Shape):
    """A receipt's claim code as its business sees it (never the code itself)."""

    claim_id: str
    amount_cents: int
    currency: str
    issued_by: str
    issued_at: str
    valid_until: str
    status: Literal["open", "claimed", "voided", "expired"]
    tx_id: str | None


class ClaimCodeIssued(ClaimCode):
    """The code, shown once: to print or write on the receipt."""

    code: str
    merchant_name: str


class ClaimCodePage(Shape):
    items: list[ClaimCode]
    next_cursor: str | None


class QrToken(Shape):
    token_id: str
    token: str
    short_code: str
    expires_at: str
    expires_in: int


class Activity(Shape):
    tx_id: str
    kind: str
    points: int
    balance_after: int
    stamps: int
    stamps_after: int
    stamps_needed: int | None
    promotion_name: str | None
    reward_name: str | None
    created_at: str


class MerchantRef(Shape):
    merchant_id: str
    name: str


class PendingApproval(Shape):
    request_id: str
    merchant: MerchantRef
    expires_at: str


class QrTokenStatus(Shape):
    token_id: str
    status: Literal["pending", "awaiting_approval", "scanned", "declined", "expired"]
    merchant: MerchantRef | None
    pending_approval: PendingApproval | None
    activity: list[Activity]
    balance: int | None
    stamps: int | None


class StaffMember(Shape):
    user_id: str
    email: str
    display_name: str
    role: Literal["owner", "staff"]
    added_at: str


class StaffList(Shape):
    staff: list[StaffMember]


class Invitation(Shape):
    """An invitation as its business sees it."""

    invitation_id: str
    email: str
    invited_by: str
    invited_at: str
    expires_at: str


class InvitationList(Shape):
    invitations: list[Invitation]


class InvitationSent(Shape):
    invitation: Invitation
    message: str


class InvitationToMe(Shape):
    """An invitation as its invitee sees it, with the token that answers it."""

    token: str
    merchant_id: str
    merchant_name: str
    invited_by: str
    invited_at: str
    expires_at: str


class InvitationToMePage(Shape):
    items: list[InvitationToMe]
    next_cursor: str | None


class Customer(Shape):
    customer_id: str
    display_name: str


class Visit(Shape):
    visit_id: str
    opened_at: str
    expires_at: str
    redeem_until: str
    customer: Customer
    balance: int
    lifetime_points: int
    tier: Tier
    next_tier: NextTier | None
    earned: bool
    first_visit: bool
    stamps: int
    stamp_card: StampCard | None
    time_zone: str
    promotions: list[Promotion]
    rewards: list[Reward]
    affordable_rewards: list[Reward]
    locked_rewards: list[LockedReward]


class VisitRequest(Shape):
    request_id: str
    status: Literal["waiting", "approved"]
    expires_at: str
    visit: Visit | None


class BalanceChange(Shape):
    transaction: Transaction
    balance: int
    stamps: int
    tier: Tier


class Reversal(Shape):
    transaction: Transaction
    balance: int
    stamps: int


class Day(Shape):
    date: str
    points_issued: int
    points_redeemed: int
    visits: int


class PromotionFigures(Shape):
    promotion_id: str
    name: str
    points_issued: int
    purchases: int


class Stats(Shape):
    days: int
    points_issued: int
    points_redeemed: int
    visits: int
    unique_customers: int
    returning_customers: int
    staff_customer_earns: int
    staff_customer_points: int
    disputed: int
    stamps_issued: int
    stamp_cards_redeemed: int
    promotions: list[PromotionFigures]
    daily: list[Day]


def answers(
    model: type[Shape] | None, status: int = 200, also: dict[int, type[Shape]] | None = None
) -> dict[int, Any]:
    """`responses=` for a route: its success shape (and `also` others), and the error body
    for refusals (429 with a Retry-After header on the routes with a per-caller limit)."""
    error = {
        "description": "Refused: see the error code",
        "content": {"application/json": {"model": ErrorBody}},
    }
    descriptions = {200: "OK", 201: "Created", 202: "Accepted: waiting", 204: "No content"}
    out: dict[int, Any] = {}
    for code, shape in {status: model, **(also or {})}.items():
        out[code] = {"description": descriptions.get(code, "OK")}
        if shape is not None:
            out[code]["content"] = {"application/json": {"model": shape}}
    return {**out, **{code: error for code in (400, 403, 404, 409, 410, 422, 429)}}
