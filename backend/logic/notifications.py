"""What follows from a change, by email: which email an item calls for, to whom, whether it
may go, and sending it at most once.

The notifier (`backend/events/notifier.py`) hands over every stream record its filter
lets through; each kind of item has its email:

| item (stream event)                      | email                                         |
|------------------------------------------|-----------------------------------------------|
| ledger entry `TX#` (INSERT)              | a receipt (earn, redemption, stamp card, refund), and maybe a reminder item |
| reminder `REMINDER#` (a new reminded_at) | 'You can now get ...' / '... points expire on ...' |
| invitation `INVITE#` (INSERT)            | the staff invitation with its accept link      |
| deletion `DELETION#` (INSERT)            | the account deletion confirmation              |

Before anything is sent: the address must not be suppressed (it bounced or complained:
`feedback`) or opted out, and the customer's settings must allow it (`preferences`).
Then one conditional put claims the email (`dal.mail.claim`: `SENT#<pk>|<sk>`, kind): a
redelivered record finds the claim and sends nothing (invariant 12). If SES then refuses
it (throttled), the claim is given back, so Lambda's retry of the record can send it; if
SES's answer is lost, whether it went out is unknown, and the claim stays: at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import clock, config
from backend.dal import keys, mail, ses, users
from backend.dal import merchants as merchant_store
from backend.logic import emails, preferences, reminders, unsubscribe
from backend.logic.unsubscribe import Topic
from loyalty import formatting

# What `on_change` says happened, for logs and metrics.
SENT, DUPLICATE, SUPPRESSED, OPTED_OUT, NOBODY, NOTHING = (
    "sent",
    "duplicate",
    "suppressed",
    "opted_out",
    "nobody",
    "nothing",
)


@dataclass(frozen=True)
class Change:
    """One stream record: the event and the item's images (plain Python values)."""

    event: str  # INSERT | MODIFY | REMOVE
    new: dict[str, Any] | None
    old: dict[str, Any] | None = None

    @property
    def item_key(self) -> str:
        item = self.new or self.old or {}
        return f"{item.get('pk', '')}|{item.get('sk', '')}"


def on_change(change: Change) -> list[str]:
    """Send what this change calls for; what happened to each email it called for."""
    item = change.new or {}
    pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
    if change.event == "INSERT" and sk.startswith(keys.tx("")):
        return _entry(change, item)
    if sk.startswith(keys.reminder("")) and change.event in ("INSERT", "MODIFY"):
        if (change.old or {}).get("reminded_at") == item.get("reminded_at"):
            return []  # the same reminder, rewritten: no new one
        return [_reminder(change, item)]
    if change.event == "INSERT" and sk.startswith(keys.invitation("")):
        return [_invitation(change, item)]
    if change.event == "INSERT" and pk.startswith(keys.DELETION_PREFIX):
        return [_account_deleted(change, item)]
    return []


# ------------------------------------------------------------------ sending


def _send(
    change: Change,
    kind: str,
    to: str,
    letter: emails.Letter,
    reader: emails.Reader,
    stop: Topic,
) -> str:
    """Send one email at most once, unless the address must not be mailed."""
    to = to.strip().lower()
    if not to:
        return NOBODY
    status = mail.address(to)
    if status.get("suppressed"):
        return SUPPRESSED
    if status.get("no_mail") or (stop.what == "invitations" and status.get("no_invitations")):
        return OPTED_OUT
    now = clock.now_s()
    if not mail.claim(change.item_key, kind, now, config.MAIL_DEDUP_TTL_SECONDS):
        return DUPLICATE
    email = emails.render(letter, to, reader, unsubscribe.link(stop))
    try:
        ses.send(emails.mime(email, ses.sender(), now), to, kind.split(":")[0])
    except ses.NotSent:
        mail.release(change.item_key, kind)  # SES refused it: the record's retry may send it
        raise
    # Any other failure (the answer lost: sent or not?) keeps the claim: the retry sends
    # nothing, so this email is at most lost, never doubled (invariant 12).
    return SENT


def _reader(profile: dict[str, Any], business: dict[str, Any] | None) -> emails.Reader:
    """The customer's name, language and time zone (else the business's zone)."""
    return emails.Reader(
        name=str(profile.get("display_name") or ""),
        locale=str(profile.get("locale") or formatting.DEFAULT_LOCALE),
        time_zone=str(
            profile.get("time_zone")
            or (business or {}).get("time_zone")
            or formatting.DEFAULT_TIME_ZONE
        ),
    )


def _mailable(profile: dict[str, Any] | None) -> bool:
    # A profile being deleted (DELETE /me) gets only the deletion's own email.
    return profile is not None and not profile.get("deleting_since")


# ------------------------------------------------------------------ the emails


def _entry(change: Change, entry: dict[str, Any]) -> list[str]:
    """A receipt for the entry, and a reminder item if it brought a reward within reach."""
    customer_id, merchant_id = str(entry["customer_id"]), str(entry["merchant_id"])
    profile, membership = mail.customer_and_membership(customer_id, merchant_id)
    if not _mailable(profile):
        return [NOBODY]
    assert profile is not None
    loaded = merchant_store.load(merchant_id)
    business, reward_items = loaded if loaded else ({}, [])
    reminders.after_entry(entry, profile, membership, business, reward_items)
    if not preferences.receipts_on(profile, membership):
        return [OPTED_OUT]
    reader = _reader(profile, business)
    letter = emails.receipt(entry, business, reader, f"{config.APP_URL}/profile")
    if letter is None:
        return [NOTHING]
    stop = Topic("receipts_at", user_id=customer_id, merchant_id=merchant_id)
    return [_send(change, "receipt", str(profile.get("email", "")), letter, reader, stop)]


def _reminder(change: Change, item: dict[str, Any]) -> str:
    customer_id, merchant_id = str(item["customer_id"]), str(item["merchant_id"])
    profile = users.get_profile(customer_id)
    if not _mailable(profile):
        return NOBODY
    assert profile is not None
    if not preferences.reminders_on(profile):
        return OPTED_OUT
    reader = _reader(profile, merchant_store.get_profile(merchant_id))
    if item.get("kind") == "expiry":
        letter = emails.expiry_warning(item, reader, config.APP_URL)
    else:
        letter = emails.reward_within_reach(item, reader, config.APP_URL)
    kind = f"reminder:{item['reminded_at']}"
    stop = Topic("reminders", user_id=customer_id)
    return _send(change, kind, str(profile.get("email", "")), letter, reader, stop)


def _invitation(change: Change, invite: dict[str, Any]) -> str:
    business = merchant_store.get_profile(str(invite["merchant_id"])) or {}
    reader = emails.Reader(time_zone=str(business.get("time_zone") or "UTC"))
    letter = emails.invitation(invite, reader, config.APP_URL)
    email = str(invite.get("email", ""))
    stop = Topic("invitations", email=email.strip().lower())
    kind = f"invitation:{invite['invitation_id']}"
    return _send(change, kind, email, letter, reader, stop)


def _account_deleted(change: Change, deletion: dict[str, Any]) -> str:
    reader = emails.Reader(name=str(deletion.get("display_name") or ""))
    letter = emails.account_deleted(deletion, reader)
    email = str(deletion.get("email", ""))
    stop = Topic("mail", email=email.strip().lower())
    return _send(change, "account_deleted", email, letter, reader, stop)


# ------------------------------------------------------------------ bounces and complaints


def feedback(event: dict[str, Any]) -> list[str]:
    """SES's report on a message (a configuration set's event, or an identity's
    notification): a permanent bounce or a complaint suppresses the address for good;
    the addresses suppressed. A transient bounce (a full mailbox) suppresses nothing."""
    kind = str(event.get("eventType") or event.get("notificationType") or "")
    when = clock.iso()
    found: list[str] = []
    if kind == "Bounce":
        bounce = event.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        for recipient in bounce.get("bouncedRecipients") or []:
            address = str(recipient.get("emailAddress", "")).strip().lower()
            if address:
                detail = str(recipient.get("diagnosticCode") or bounce.get("bounceSubType") or "")
                mail.suppress(address, "bounce", when, detail)
                found.append(address)
    elif kind == "Complaint":
        complaint = event.get("complaint") or {}
        for recipient in complaint.get("complainedRecipients") or []:
            address = str(recipient.get("emailAddress", "")).strip().lower()
            if address:
                detail = str(complaint.get("complaintFeedbackType") or "")
                mail.suppress(address, "complaint", when, detail)
                found.append(address)
    return found
