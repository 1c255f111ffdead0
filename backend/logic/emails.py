"""What each email says, in plain text and in HTML, and the MIME message SES sends.

Every email is a `Letter` (a subject, paragraphs, facts, maybe one button, why the reader
gets it and how to stop it), written once and rendered twice, so the text and the HTML
version cannot say different things. Money, points and dates are formatted for the
reader (their language and time zone: `loyalty/formatting.py`); the wording is English,
like the app's. Every value that comes from a person (a business's name, a reward's, a
display name) is escaped in the HTML.

Each letter carries its one-click unsubscribe link twice: in the footer, and in the
`List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058), which mail clients show
as an "Unsubscribe" button that POSTs without opening a page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from loyalty import formatting


@dataclass(frozen=True)
class Reader:
    """Who reads the email: the name to greet, their language and time zone."""

    name: str = ""
    locale: str = formatting.DEFAULT_LOCALE
    time_zone: str = formatting.DEFAULT_TIME_ZONE

    def money(self, cents: int, currency: str) -> str:
        return formatting.money(cents, currency, self.locale)

    def points(self, count: int) -> str:
        return formatting.points(count, self.locale)

    def signed(self, count: int) -> str:
        """+24 / -24, grouped as the reader groups (+1,200)."""
        return ("+" if count >= 0 else "-") + self.points(abs(count))

    def day(self, epoch_s: float) -> str:
        return formatting.day(epoch_s, self.time_zone, self.locale)

    def moment(self, epoch_s: float) -> str:
        return formatting.moment(epoch_s, self.time_zone, self.locale)


@dataclass(frozen=True)
class Letter:
    """One email's content, before it is rendered."""

    subject: str
    paragraphs: list[str]
    why: str  # "receipts from Café Rosa are on" -> "You get this email because ..."
    stop: str  # the unsubscribe link's words: "Stop receipts from Café Rosa"
    facts: list[tuple[str, str]] = field(default_factory=list)
    button: tuple[str, str] | None = None  # (words, url)
    settings_url: str = ""  # where to change every email setting (customers only)


@dataclass(frozen=True)
class Email:
    """A rendered email, ready to be sent to `to`."""

    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def epoch_of(iso: str | None) -> float | None:
    """An API timestamp (`2026-03-03T14:05:00Z`) as epoch seconds."""
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# ------------------------------------------------------------------ the letters


def receipt(
    entry: dict[str, Any], business: dict[str, Any], reader: Reader, settings_url: str
) -> Letter | None:
    """The receipt for one ledger entry (earn, redemption, a stamp card's reward, a refund);
    None for kinds that get no receipt (an account's closure: its own email says it)."""
    shop = str(business.get("name") or entry.get("merchant_name") or "the business")
    currency = str(business.get("currency") or "EUR")
    points, balance = int(entry["points"]), int(entry["balance_after"])
    stamps = int(entry.get("stamps") or 0)
    reward = str(entry.get("reward_name") or "")
    when = epoch_of(entry.get("created_at"))
    facts = [("When", reader.moment(when))] if when is not None else []
    kind = entry["kind"]
    if kind == "earn":
        subject = f"{shop}: {reader.signed(points)} points"
        paragraphs = [f"Thank you for your visit to {shop}."]
        if entry.get("amount_cents") is not None:
            facts.append(("Purchase", reader.money(int(entry["amount_cents"]), currency)))
        earned = reader.signed(points)
        bonus = int(entry.get("promotion_points") or 0)
        if entry.get("promotion_name") and bonus:
            earned += f" ({entry['promotion_name']}: {reader.signed(bonus)})"
        facts.append(("Points", earned))
    elif kind == "redeem":
        subject = f"{shop}: {reward} redeemed" if reward else f"{shop}: points redeemed"
        paragraphs = [f"You redeemed {reward or 'points'} at {shop}. Enjoy!"]
        facts.append(("Points", reader.signed(points)))
    elif kind == "stamp_redeem":
        subject = f"{shop}: {reward or 'your stamp card reward'} redeemed"
        paragraphs = [f"Your stamp card at {shop} was full: you redeemed {reward or 'its reward'}."]
    elif kind == "reversal":
        if points < 0 or (points == 0 and stamps < 0):
            subject = f"{shop}: a purchase was refunded"
            amount = entry.get("amount_cents")
            what = (
                f"a purchase of {reader.money(int(amount), currency)}" if amount else "a purchase"
            )
            paragraphs = [f"{shop} refunded {what}, so the points it earned were taken back."]
        else:
            subject = f"{shop}: a redemption was undone"
            paragraphs = [
                f"{shop} undid your redemption of {reward or 'points'}: the points are back."
            ]
        facts.append(("Points", reader.signed(points)))
    else:
        return None
    if stamps and entry.get("stamps_needed"):
        facts.append(
            (
                "Stamps",
                f"{reader.signed(stamps)} ({entry.get('stamps_after', 0)} of {entry['stamps_needed']})",
            )
        )
    facts.append((f"Your balance at {shop}", f"{reader.points(balance)} points"))
    return Letter(
        subject=subject,
        paragraphs=paragraphs,
        facts=facts,
        why=f"receipts from {shop} are on in your ePoint settings",
        stop=f"Stop receipts from {shop}",
        settings_url=settings_url,
    )


def reward_within_reach(reminder: dict[str, Any], reader: Reader, app_url: str) -> Letter:
    """'You can now get Free coffee': the balance has just come to cover a reward."""
    shop, reward = str(reminder["merchant_name"]), str(reminder["reward_name"])
    facts = []
    if reminder.get("points") is not None:
        facts.append(
            (f"Your balance at {shop}", f"{reader.points(int(reminder['points']))} points")
        )
    return Letter(
        subject=f"You can now get {reward} at {shop}",
        paragraphs=[
            f"Your points at {shop} now cover {reward}.",
            "Show your code at the till next time to redeem it.",
        ],
        facts=facts,
        button=("Show my code", f"{app_url}/code"),
        why="reminders are on in your ePoint settings",
        stop="Stop reminders",
        settings_url=f"{app_url}/profile",
    )


def expiry_warning(reminder: dict[str, Any], reader: Reader, app_url: str) -> Letter:
    """'120 points at Café Rosa expire on 3 March', two weeks before they do."""
    shop = str(reminder["merchant_name"])
    count = reader.points(int(reminder["points"]))
    on = reader.day(int(reminder["expiry_at"]))
    return Letter(
        subject=f"{count} points at {shop} expire on {on}",
        paragraphs=[
            f"Your {count} points at {shop} expire on {on}.",
            f"Earn or redeem points at {shop} before then and they stay yours.",
        ],
        button=("See my wallet", f"{app_url}/wallet"),
        why="reminders are on in your ePoint settings",
        stop="Stop reminders",
        settings_url=f"{app_url}/profile",
    )


def invitation(invite: dict[str, Any], reader: Reader, app_url: str) -> Letter:
    """A business invites this address to be its staff (docs/data-model.md, "Invitations")."""
    shop = str(invite.get("merchant_name") or "a business")
    inviter = str(invite.get("inviter_name") or "The owner")
    until = reader.day(int(invite["expires_at"]))
    return Letter(
        subject=f"{inviter} invites you to work at {shop} on ePoint",
        paragraphs=[
            f"{inviter} invited you to join {shop} as staff on ePoint: you would scan "
            "customers' codes and award points at the till.",
            "Sign in (or sign up) with this email address to accept or decline. "
            f"The invitation is open until {until}.",
            "If you do not know them, ignore this email: nothing happens unless you accept.",
        ],
        button=("Open the invitation", f"{app_url}/invitation?token={invite['token']}"),
        why=f"{inviter} of {shop} entered this address",
        stop="Stop staff invitations to this address",
    )


def account_deleted(deletion: dict[str, Any], reader: Reader) -> Letter:
    """The confirmation that an account is gone (docs/data-model.md, "Account deletion")."""
    when = epoch_of(deletion.get("deleted_at"))
    on = f" on {reader.moment(when)}" if when is not None else ""
    return Letter(
        subject="Your ePoint account is deleted",
        paragraphs=[
            f"As you asked, your ePoint account was deleted{on}.",
            "Your points are given up and your name and email are erased. Businesses keep "
            'their records of your visits for their books, shown as "Deleted customer".',
            "You can sign up again with this address at any time, as a new customer.",
        ],
        why="this address had an ePoint account; this is the last email about it",
        stop="Never email this address again",
    )


# ------------------------------------------------------------------ rendering


def render(letter: Letter, to: str, reader: Reader, unsubscribe_url: str) -> Email:
    """The letter as plain text and HTML, with its unsubscribe link."""
    return Email(
        to=to,
        subject=letter.subject,
        text=_text(letter, reader, unsubscribe_url),
        html=_html(letter, reader, unsubscribe_url),
        unsubscribe_url=unsubscribe_url,
    )


def _greeting(reader: Reader) -> str:
    return f"Hello {reader.name}," if reader.name else "Hello,"


def _text(letter: Letter, reader: Reader, unsubscribe_url: str) -> str:
    lines = [_greeting(reader), ""]
    for paragraph in letter.paragraphs:
        lines += [paragraph, ""]
    if letter.facts:
        lines += [f"{label}: {value}" for label, value in letter.facts] + [""]
    if letter.button:
        lines += [f"{letter.button[0]}: {letter.button[1]}", ""]
    lines += ["-- ", f"You get this email because {letter.why}."]
    lines.append(f"{letter.stop}: {unsubscribe_url}")
    if letter.settings_url:
        lines.append(f"All your email settings: {letter.settings_url}")
    return "\n".join(lines) + "\n"


_P = 'style="margin:0 0 16px;font-size:16px;line-height:1.5;color:#18181b"'
_CELL = 'style="padding:4px 16px 4px 0;font-size:15px;color:#52525b"'
_VALUE = 'style="padding:4px 0;font-size:15px;font-weight:600;color:#18181b"'
_BUTTON = (
    'style="display:inline-block;padding:12px 20px;border-radius:8px;background:#4f46e5;'
    'color:#ffffff;font-weight:600;text-decoration:none"'
)
_FOOT = 'style="margin:0 0 8px;font-size:13px;line-height:1.5;color:#71717a"'


def _html(letter: Letter, reader: Reader, unsubscribe_url: str) -> str:
    e = html.escape
    body = [f"<p {_P}>{e(_greeting(reader))}</p>"]
    body += [f"<p {_P}>{e(p)}</p>" for p in letter.paragraphs]
    if letter.facts:
        rows = "".join(
            f"<tr><td {_CELL}>{e(label)}</td><td {_VALUE}>{e(value)}</td></tr>"
            for label, value in letter.facts
        )
        body.append(f'<table role="presentation" style="margin:0 0 16px">{rows}</table>')
    if letter.button:
        words, url = letter.button
        body.append(f'<p {_P}><a href="{e(url)}" {_BUTTON}>{e(words)}</a></p>')
    foot = [f"<p {_FOOT}>You get this email because {e(letter.why)}.</p>"]
    links = [f'<a href="{e(unsubscribe_url)}" style="color:#4f46e5">{e(letter.stop)}</a>']
    if letter.settings_url:
        links.append(
            f'<a href="{e(letter.settings_url)}" style="color:#4f46e5">All your email settings</a>'
        )
    foot.append(f"<p {_FOOT}>{' · '.join(links)}</p>")
    language = formatting.known_locale(reader.locale).split("_")[0]
    return (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(letter.subject)}</title></head>"
        '<body style="margin:0;padding:0;background:#f4f4f5;'
        'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">'
        '<tr><td align="center" style="padding:24px 12px">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="max-width:560px;background:#ffffff;border-radius:12px">'
        f'<tr><td style="padding:28px 28px 12px">{"".join(body)}</td></tr>'
        f'<tr><td style="padding:12px 28px 24px;border-top:1px solid #e4e4e7">{"".join(foot)}</td></tr>'
        "</table></td></tr></table></body></html>"
    )


def mime(email: Email, sender: str, date_s: float) -> bytes:
    """The MIME message SES sends: text and HTML alternatives, one-click unsubscribe headers."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(datetime.fromtimestamp(date_s).astimezone())
    message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a receipt
    message.set_content(email.text, subtype="plain", charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message.as_bytes()
