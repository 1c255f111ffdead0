"""Key layout of the single table (documented in docs/data-model.md)."""

from __future__ import annotations

PROFILE = "PROFILE"
COUNTS = "COUNTS"  # USER#: businesses owned or staffed; MERCHANT#: invitations pending
MAIL = "MAIL"  # EMAIL#<address>: whether the address may be mailed (bounces, opt-outs)
DELETION_PREFIX = "DELETION#"  # DELETION#<sub> / ACCOUNT: a deleted account (DELETE /me)


def user(user_id: str) -> str:
    return f"USER#{user_id}"


def deletion(user_id: str) -> str:
    """An account deletion, kept a few days for the confirmation email (the stream carries it)."""
    return f"DELETION#{user_id}"


def email(address: str) -> str:
    return f"EMAIL#{address}"


def merchant(merchant_id: str) -> str:
    return f"MERCHANT#{merchant_id}"


def staff(user_id: str) -> str:
    return f"STAFF#{user_id}"


def role(merchant_id: str) -> str:
    return f"ROLE#{merchant_id}"


def invitation(email: str) -> str:
    """A business's invitation to one (lower-cased) email: one at a time per address."""
    return f"INVITE#{email}"


def invitee(email: str) -> str:
    """gsi1 partition: the invitations waiting for one email address."""
    return f"INVITEE#{email}"


def invitee_sort(expires_at: int, merchant_id: str) -> str:
    """gsi1 sort key of an invitation: by expiry (epoch seconds, 10 digits until 2286), so
    the live ones are a range and expired ones cost nothing to skip."""
    return f"INVITE#{expires_at:010d}#{merchant_id}"


def reward(reward_id: str) -> str:
    return f"REWARD#{reward_id}"


def member(merchant_id: str) -> str:
    return f"MEMBER#{merchant_id}"


def members(merchant_id: str) -> str:
    """gsi1 partition: a business's memberships, by customer (`user(customer_id)` sorts them)."""
    return f"MEMBERS#{merchant_id}"


def idle(merchant_id: str) -> str:
    """gsi2 partition: a business's memberships that hold points, by last activity (expiry)."""
    return f"IDLE#{merchant_id}"


def idle_sort(last_activity_at: str, customer_id: str) -> str:
    """gsi2 sort key of a membership holding points: its last activity (ISO, sorts by time)."""
    return f"{last_activity_at}#{customer_id}"


# The businesses with an expiry policy: one item each, for the scheduled job to walk.
EXPIRY_POLICIES = "EXPIRY_POLICIES"


def claim_code(digest: str) -> str:
    """A receipt's claim code, by the keyed hash of the code (the code itself is not stored)."""
    return f"CLAIMCODE#{digest}"


def claims(merchant_id: str) -> str:
    """gsi1 partition: a business's claim codes, by claim id (time order)."""
    return f"CLAIMS#{merchant_id}"


def tx(tx_id: str) -> str:
    return f"TX#{tx_id}"


def visit(visit_id: str) -> str:
    return f"VISIT#{visit_id}"


def customer(user_id: str) -> str:
    """gsi1 partition: all of a customer's ledger entries."""
    return f"CUSTOMER#{user_id}"


def customer_at(user_id: str, merchant_id: str) -> str:
    """gsi2 partition: a customer's ledger entries at one business."""
    return f"CUSTOMER#{user_id}#{merchant_id}"


def qr_used(token_id: str) -> str:
    return f"QRTOKEN#{token_id}"


def short_code(code: str) -> str:
    return f"SHORTCODE#{code}"


def reminder(merchant_id: str) -> str:
    """Under USER#: the last reminder the customer got about one business."""
    return f"REMINDER#{merchant_id}"


def sent(item_key: str) -> str:
    """The emails sent because of one item (`<pk>|<sk>`): one dedup item per email."""
    return f"SENT#{item_key}"


def idempotency(user_id: str, key: str) -> str:
    return f"IDEMPOTENCY#{user_id}#{key}"


DIRECTORY = "DIRECTORY"


def directory_category(category: str) -> str:
    return f"DIRECTORY#{category}"


def directory_sort(name: str, merchant_id: str) -> str:
    return f"{name.lower()}#{merchant_id}"


def limit(name: str, subject: str) -> str:
    """A per-caller (or per-business) limit's counters: one item per window."""
    return f"LIMIT#{name}#{subject}"


def window(start_s: int) -> str:
    return f"W#{start_s}"


def approval(request_id: str) -> str:
    """A typed code's request, waiting for the customer's answer (under the business)."""
    return f"APPROVAL#{request_id}"


def staff_day(user_id: str, day: str) -> str:
    """What one staff member awarded at a business on one day (UTC), for the owner's cap."""
    return f"STAFFDAY#{user_id}#{day}"
