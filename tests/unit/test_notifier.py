"""Emails, off the write path: the notifier on the stream records moto writes for real API
calls, SES (moto's, with the local cloud's layer: the outbox, the mailbox simulator), the
customer's settings, bounces, and the unsubscribe links.

Each test drives the product through its API (`World`), then hands the new stream records
to the notifier exactly as Lambda's event source would (through the template's filter),
and reads what SES was given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from backend import clock, config
from backend.dal import dynamodb as db
from backend.dal import keys
from backend.events import mail_feedback, notifier
from backend.logic import unsubscribe
from localcloud import dynamodb_streams, ses, template
from localcloud.outbox import Message, Outbox
from localcloud.streams import StreamReader, matches
from tests.support.lambda_events import LambdaContext
from tests.support.world import Business, Person, World

WEEK = 7 * 24 * 3600


@dataclass
class Mail:
    """SES as the local cloud has it (moto + localcloud/ses.py) and the notifier on the stream."""

    stream: StreamReader
    outbox: Outbox
    published: list[tuple[str, str]] = field(default_factory=list)
    _iterator: str | None = None

    def _read(self, iterator: str) -> tuple[list[dict[str, Any]], str]:
        records, following = self.stream.read(iterator, 1000)
        return records, following

    def start(self) -> Mail:
        """From now on, as the event source's StartingPosition LATEST: what the fixtures
        wrote before (a business, its staff's invitation) is not this test's mail."""
        (shard,) = self.stream.shards()
        self._iterator = self.stream.iterator(shard, None, "LATEST")
        return self

    def new_records(self) -> list[dict[str, Any]]:
        """The records written since the last call."""
        assert self._iterator is not None
        records, self._iterator = self._read(self._iterator)
        return records

    def all_records(self) -> list[dict[str, Any]]:
        (shard,) = self.stream.shards()
        records, _ = self._read(self.stream.iterator(shard, None, "TRIM_HORIZON"))
        return records

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """What Lambda's event source does: the template's filter, then one invocation."""
        (subscription,) = [
            s for s in template.stream_subscriptions() if s.function == "NotifierFunction"
        ]
        wanted = [r for r in records if any(matches(p, r) for p in subscription.filters)]
        if not wanted:
            return {"batchItemFailures": []}  # filtered out: no invocation at all
        return notifier.handler({"Records": wanted}, LambdaContext())

    def run(self) -> list[Message]:
        """Deliver what is new (twice over, when a reminder item it wrote comes back); the
        emails sent, oldest first."""
        before = len(self.outbox.messages())
        for _ in range(3):  # an entry -> a reminder item -> its email
            records = self.new_records()
            if not records:
                break
            assert self.deliver(records) == {"batchItemFailures": []}
        return self.outbox.messages()[: len(self.outbox.messages()) - before][::-1]

    def to(self, person: Person) -> list[Message]:
        return self.outbox.messages(person.email)

    def bounce_reports(self) -> None:
        """SES's events on the feedback topic reach the feedback function (SNS)."""
        for _, message in self.published:
            record = {"Sns": {"Message": message}}
            mail_feedback.handler({"Records": [record]}, LambdaContext())
        self.published.clear()


@pytest.fixture
def mail() -> Iterator[Mail]:
    dynamodb_streams.install()
    ses.install()
    saved = (ses.settings.outbox, ses.settings.publish, ses.settings.destinations)
    box = Mail(StreamReader(config.TABLE_NAME, config.AWS_REGION), Outbox())
    ses.settings.outbox = box.outbox
    ses.settings.publish = lambda topic, message: box.published.append((topic, message))
    refs = {"Stage": "unit"}  # the configuration set epoint-${Stage}
    ses.provision(
        config.AWS_REGION, "mail.epoint.localhost", template.mail_configuration_sets(refs)
    )
    yield box.start()
    ses.settings.outbox, ses.settings.publish, ses.settings.destinations = saved


def settings(world: World, person: Person, **changes: Any) -> dict[str, Any]:
    return world.call("PATCH", "/me/preferences", person, body=changes).expect(200)


def link_in(message: Message) -> str:
    """The unsubscribe link of an email (as its List-Unsubscribe header has it)."""
    return message.headers["List-Unsubscribe"].strip("<>")


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def follow(link_or_token: str, method: str = "POST", accept: str = "text/html") -> dict[str, Any]:
    """The unsubscribe page, called as API Gateway would: no JWT, nobody signed in."""
    from backend.unsubscribe import handler

    token = token_of(link_or_token) if "token=" in link_or_token else link_or_token
    event = {
        "version": "2.0",
        "routeKey": f"{method} /unsubscribe",
        "rawPath": "/unsubscribe",
        "rawQueryString": f"token={token}",
        "queryStringParameters": {"token": token},
        "headers": {"accept": accept},
        "requestContext": {"http": {"method": method, "path": "/unsubscribe"}},
        "body": "List-Unsubscribe=One-Click" if method == "POST" else None,
        "isBase64Encoded": False,
    }
    return handler(event, LambdaContext())


# ------------------------------------------------------------------ receipts


def test_an_earn_emails_one_receipt_in_text_and_html_after_the_write(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    visit = world.visit(shop, customer)
    world.earn(visit, 12_50).expect(201)
    assert mail.outbox.messages() == []  # nothing on the write path: only the stream sends
    (receipt,) = mail.run()
    assert (receipt.to, receipt.purpose, receipt.delivery) == (
        customer.email,
        "receipt",
        "delivered",
    )
    assert receipt.subject == "Café Rosa: +12 points"
    for part in (receipt.body, receipt.html):
        assert "Hello Carl Customer," in part
        assert "€12.50" in part and "+12" in part and "12 points" in part
    assert receipt.headers["From"] == "ePoint <no-reply@mail.epoint.localhost>"
    assert receipt.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(receipt).startswith(config.UNSUBSCRIBE_URL + "?token=")
    assert "Stop receipts from Café Rosa: " + link_in(receipt) in receipt.body


def test_a_redelivered_batch_sends_nothing_twice(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    world.earn(world.visit(shop, customer), 20_00).expect(201)
    assert len(mail.run()) == 1
    # Lambda delivers at least once: the whole stream again, twice.
    for _ in range(2):
        assert mail.deliver(mail.all_records()) == {"batchItemFailures": []}
    assert len(mail.to(customer)) == 1


def test_when_ses_fails_the_record_is_retried_and_the_email_still_goes_once(
    world: World, shop: Business, customer: Person, mail: Mail, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.dal import ses as ses_dal

    world.earn(world.visit(shop, customer), 20_00).expect(201)
    real, calls = ses_dal.send, []

    def throttled_once(message: bytes, to: str, kind: str) -> str:
        calls.append(to)
        if len(calls) == 1:
            raise ses_dal.NotSent("TooManyRequestsException")
        return real(message, to, kind)

    monkeypatch.setattr(ses_dal, "send", throttled_once)
    records = mail.new_records()
    with pytest.raises(BatchProcessingError):  # its only record failed: the invocation fails
        mail.deliver(records)
    assert mail.to(customer) == []
    # Lambda retries the batch (and may well deliver it once more after that).
    assert mail.deliver(records) == {"batchItemFailures": []}
    assert mail.deliver(records) == {"batchItemFailures": []}
    assert len(mail.to(customer)) == 1


def test_when_the_answer_from_ses_is_lost_the_email_is_not_sent_again(
    world: World, shop: Business, customer: Person, mail: Mail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent, but the answer never came (a timeout): a retry must not send it twice."""
    from botocore.exceptions import ReadTimeoutError

    from backend.dal import ses as ses_dal

    world.earn(world.visit(shop, customer), 20_00).expect(201)
    real = ses_dal.send

    def sent_then_lost(message: bytes, to: str, kind: str) -> str:
        real(message, to, kind)
        raise ReadTimeoutError(endpoint_url="https://email.eu-west-1.amazonaws.com")

    monkeypatch.setattr(ses_dal, "send", sent_then_lost)
    records = mail.new_records()
    with pytest.raises(BatchProcessingError):
        mail.deliver(records)
    monkeypatch.setattr(ses_dal, "send", real)
    assert mail.deliver(records) == {"batchItemFailures": []}  # Lambda's retry
    assert len(mail.to(customer)) == 1


def test_a_redemption_a_refund_and_an_undone_redemption_each_have_their_receipt(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    visit = world.visit(shop, customer)
    world.earn(visit, 150_00).expect(201)
    spent = world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)["transaction"]
    world.reverse(shop, spent["tx_id"]).expect(201)  # the reward given back
    bought = world.earn(world.visit(shop, customer), 20_00).expect(201)["transaction"]
    world.reverse(shop, bought["tx_id"]).expect(201)  # the purchase refunded
    earned, redeemed, undone, _, refunded = (m for m in mail.run() if m.purpose == "receipt")
    assert earned.subject == "Café Rosa: +150 points"
    assert redeemed.subject == "Café Rosa: Free coffee redeemed"
    assert "You redeemed Free coffee at Café Rosa." in redeemed.body
    assert "-100" in redeemed.body and "Your balance at Café Rosa: 50 points" in redeemed.body
    assert undone.subject == "Café Rosa: a redemption was undone"
    assert "+100" in undone.body and "Your balance at Café Rosa: 150 points" in undone.body
    assert refunded.subject == "Café Rosa: a purchase was refunded"
    assert "Café Rosa refunded a purchase of €20.00" in refunded.body and "-20" in refunded.body


def test_money_points_and_dates_read_in_the_customers_language_and_time_zone(
    world: World, customer: Person, mail: Mail
) -> None:
    owner = world.owner()
    shop = world.business(owner, "Bäckerei Sonne", "bakery", currency="EUR")
    world.staff(shop)
    settings(world, customer, language="de-DE", time_zone="Europe/Berlin")
    mail.run()  # the staff's invitation
    # Above what staff may award alone (the owner's staff limits): the owner's till.
    world.earn(world.visit(shop, customer, by=owner), 1234_50).expect(201)
    (receipt,) = mail.run()
    assert "1.234,50\xa0€" in receipt.body  # German grouping, decimal comma, symbol after
    assert "+1.234" in receipt.body
    assert 'lang="de"' in receipt.html


def test_a_hostile_business_name_is_text_in_the_html(
    world: World, customer: Person, mail: Mail
) -> None:
    name = '<img src=x onerror=alert(1)> "Rosa"'
    shop = world.business(world.owner(), name, "cafe")
    world.staff(shop)
    mail.run()  # the staff's invitation
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (receipt,) = mail.run()
    assert "<img" not in receipt.html and "&lt;img src=x onerror=alert(1)&gt;" in receipt.html
    assert name in receipt.body  # the plain text says it as it is


# ------------------------------------------------------------------ preferences


def test_receipts_off_for_all_or_for_one_business_are_respected(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    other = world.business(world.owner(), "Bakery Blue", "bakery")
    world.staff(other)
    mail.run()  # the staff's invitation
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    world.earn(world.visit(other, customer), 5_00).expect(201)
    assert len(mail.run()) == 2
    path = f"/me/preferences/businesses/{shop.merchant_id}"
    world.call("PATCH", path, customer, body={"receipts": False}).expect(200)
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    world.earn(world.visit(other, customer), 5_00).expect(201)
    assert [m.subject for m in mail.run()] == ["Bakery Blue: +5 points"]
    settings(world, customer, receipts=False)
    world.earn(world.visit(other, customer), 5_00).expect(201)
    assert mail.run() == []
    shown = world.call("GET", "/me/preferences", customer).expect(200)
    assert shown["receipts"] is False and shown["reminders"] is True
    assert {(b["merchant_name"], b["receipts"]) for b in shown["businesses"]} == {
        ("Café Rosa", False),
        ("Bakery Blue", True),
    }


def test_nobody_can_change_a_business_setting_without_points_there(
    world: World, shop: Business, customer: Person
) -> None:
    path = f"/me/preferences/businesses/{shop.merchant_id}"
    assert world.call("PATCH", path, customer, body={"receipts": False}).code == "not_found"
    assert world.call("GET", "/me/preferences", customer).expect(200)["businesses"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"receipts": "no"},
        {"language": "<script>"},
        {"time_zone": "Mars/Olympus"},
        {"receipts": False, "is_admin": True},
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    world: World, customer: Person, body: dict[str, Any]
) -> None:
    assert world.call("PATCH", "/me/preferences", customer, body=body).status == 422
    shown = world.call("GET", "/me/preferences", customer).expect(200)
    assert shown["receipts"] is True and shown["language"] is None


# ------------------------------------------------------------------ reminders


def test_a_balance_that_first_covers_a_reward_gets_one_reminder_a_week(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    world.earn(world.visit(shop, customer), 60_00).expect(201)  # 60 of 100
    assert [m.purpose for m in mail.run()] == ["receipt"]
    world.earn(world.visit(shop, customer), 50_00).expect(201)  # 110: Free coffee within reach
    _, reminder = mail.run()
    assert reminder.purpose == "reminder" and reminder.to == customer.email
    assert reminder.subject == "You can now get Free coffee at Café Rosa"
    assert "Your points at Café Rosa now cover Free coffee." in reminder.body
    assert f"{config.APP_URL}/code" in reminder.body
    assert "Stop reminders: " in reminder.body
    # Spent and earned back within the week: no second reminder about Café Rosa.
    visit = world.visit(shop, customer)
    world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)
    world.earn(world.visit(shop, customer), 95_00).expect(201)
    assert [m.purpose for m in mail.run()] == ["receipt", "receipt"]
    # A week later it may remind again.
    clock.advance(WEEK)
    world.redeem(world.visit(shop, customer), reward_id=shop.reward.reward_id).expect(201)
    world.earn(world.visit(shop, customer), 100_00).expect(201)
    assert [m.purpose for m in mail.run()] == ["receipt", "receipt", "reminder"]
    # The redelivered stream sends none of them again.
    mail.deliver(mail.all_records())
    mail.deliver(mail.new_records())
    assert len([m for m in mail.to(customer) if m.purpose == "reminder"]) == 2


def test_a_full_stamp_card_is_a_reward_within_reach(
    world: World, customer: Person, mail: Mail
) -> None:
    shop = world.business(world.owner(), "Café Verde", "cafe")
    world.staff(shop)
    world.stamp_card(shop, stamps_needed=2, reward_name="Free espresso")
    world.earn(world.visit(shop, customer), 3_00).expect(201)
    world.earn(world.visit(shop, customer), 3_00).expect(201)
    reminders = [m for m in mail.run() if m.purpose == "reminder"]
    assert [m.subject for m in reminders] == ["You can now get Free espresso at Café Verde"]


def test_reminders_off_means_no_reminder(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    settings(world, customer, reminders=False)
    world.earn(world.visit(shop, customer), 150_00).expect(201)
    assert [m.purpose for m in mail.run()] == ["receipt"]
    assert db.get(keys.user(customer.user_id), keys.reminder(shop.merchant_id)) is None


def test_an_expiry_warning_is_emailed_once_per_expiry_and_respects_the_weekly_limit(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    """What the points-expiry job will call (`reminders.expiry_warning`): its item, its email."""
    from backend.dal import users
    from backend.logic import reminders

    world.earn(world.visit(shop, customer), 60_00).expect(201)
    assert [m.purpose for m in mail.run()] == ["receipt"]
    profile = users.get_profile(customer.user_id)
    assert profile is not None
    expiry_at = clock.now_s() + 2 * WEEK

    def warn(at: int) -> bool:
        return reminders.expiry_warning(
            customer.user_id, shop.merchant_id, "Café Rosa", 60, at, profile
        )

    assert warn(expiry_at)
    (warning,) = mail.run()
    assert warning.purpose == "reminder" and warning.to == customer.email
    assert warning.subject.startswith("60 points at Café Rosa expire on ")
    assert "Stop reminders: " in warning.body
    assert not warn(expiry_at)  # two runs of the job: one warning
    clock.advance(WEEK)
    assert not warn(expiry_at)  # a week on, the same expiry is not warned of twice
    assert warn(expiry_at + WEEK)  # a later expiry is
    assert [m.purpose for m in mail.run()] == ["reminder"]
    mail.deliver(mail.all_records())  # redelivered: nothing twice
    assert len([m for m in mail.to(customer) if m.purpose == "reminder"]) == 2
    settings(world, customer, reminders=False)
    clock.advance(WEEK)
    off = users.get_profile(customer.user_id)
    assert off is not None
    assert not reminders.expiry_warning(
        customer.user_id, shop.merchant_id, "Café Rosa", 60, expiry_at + 3 * WEEK, off
    )
    assert mail.run() == []


def test_the_expiry_job_warns_two_weeks_ahead_once_then_expires(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    """The scheduled job itself records the warning; the notifier emails it, once."""
    from backend.logic import expiry as job
    from loyalty import expiry

    world.call("PATCH", shop.path, shop.owner, body={"expiry_months": 3}).expect(200)
    world.earn(world.visit(shop, customer), 42_00).expect(201)
    due_at = expiry.add_months(clock.now_s(), 3)
    mail.run()  # the receipt
    clock.advance(due_at - 15 * 24 * 3600 - clock.now_s())
    assert job.run(lambda: 600.0).warned == 0  # more than two weeks ahead: nothing yet
    assert mail.run() == []
    clock.advance(2 * 24 * 3600)
    assert job.run(lambda: 600.0).warned == 1
    (warning,) = mail.run()
    assert warning.to == customer.email
    assert warning.subject.startswith(f"42 points at {shop.name} expire on ")
    assert job.run(lambda: 600.0).warned == 0  # the next hour's run: no second warning
    assert mail.run() == []
    clock.advance(due_at - clock.now_s())
    done = job.run(lambda: 600.0)
    assert (done.expired, done.warned) == (1, 0)
    assert world.balance(customer, shop) == 0


# ------------------------------------------------------------------ invitations, deletions


def test_a_staff_invitation_is_emailed_with_the_items_accept_link(
    world: World, shop: Business, mail: Mail
) -> None:
    invitee = world.person("Ines Invitee")
    mail.run()
    world.invite(shop, invitee.email).expect(202)
    (invitation,) = mail.run()
    token = world.invitation(invitee, shop)
    assert invitation.to == invitee.email and invitation.purpose == "invitation"
    assert invitation.subject == "Olga Owner invites you to work at Café Rosa on ePoint"
    assert f"{config.APP_URL}/invitation?token={token}" in invitation.body
    assert "Hello," in invitation.body  # an address, not (necessarily) an account
    # The address's owner stops invitations: the next business's goes nowhere.
    follow(link_in(invitation))
    other = world.business(world.owner("Otto Other"), "Bakery Blue", "bakery")
    world.invite(other, invitee.email).expect(202)
    assert mail.run() == []


def test_an_account_deletion_is_confirmed_once_by_email(world: World, mail: Mail) -> None:
    # The record DELETE /me writes in the transaction that erases the profile (data-model.md).
    item = {
        "pk": f"{keys.DELETION_PREFIX}gone-user",
        "sk": "ACCOUNT",
        "user_id": "gone-user",
        "email": "gone@example.com",
        "display_name": "Gina Gone",
        "deleted_at": "2026-12-01T21:05:00Z",
        "expires_at": clock.now_s() + WEEK,
    }
    db.put(item)
    (confirmation,) = mail.run()
    assert confirmation.to == "gone@example.com" and confirmation.purpose == "account_deleted"
    assert confirmation.subject == "Your ePoint account is deleted"
    assert "Hello Gina Gone," in confirmation.body and "Dec 1, 2026" in confirmation.body
    mail.deliver(mail.all_records())
    assert len(mail.outbox.messages("gone@example.com")) == 1


# ------------------------------------------------------------------ bounces and complaints


def test_an_address_that_bounces_is_not_mailed_again(
    world: World, shop: Business, mail: Mail
) -> None:
    # SES's mailbox simulator: this address bounces for good.
    customer = world.customer("Bo Bounce", email="bounce+bo@simulator.amazonses.com")
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (first,) = mail.run()
    assert first.delivery == "bounced"
    assert [topic for topic, _ in mail.published] == ["MailFeedbackTopic"]
    mail.bounce_reports()
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    assert mail.run() == []
    assert len(mail.to(customer)) == 1


def test_a_complaint_stops_mail_too_and_a_transient_bounce_does_not(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    complainer = world.customer("Cora Complaint", email="complaint+cora@simulator.amazonses.com")
    world.earn(world.visit(shop, complainer), 5_00).expect(201)
    mail.run()
    mail.bounce_reports()
    transient = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Transient",
            "bouncedRecipients": [{"emailAddress": customer.email}],
        },
    }
    mail_feedback.handler(
        {"Records": [{"Sns": {"Message": json.dumps(transient)}}]}, LambdaContext()
    )
    world.earn(world.visit(shop, complainer), 5_00).expect(201)
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    assert [m.to for m in mail.run()] == [customer.email]


# ------------------------------------------------------------------ unsubscribe links


def test_the_link_unsubscribes_without_signing_in_and_only_after_a_confirming_post(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (receipt,) = mail.run()
    page = follow(link_in(receipt), "GET")  # a link scanner, or the person, opens it
    assert page["statusCode"] == 200 and "Stop receipts from Café Rosa?" in page["body"]
    assert '<form method="post">' in page["body"]
    assert page["headers"]["Referrer-Policy"] == "no-referrer"
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    assert len(mail.run()) == 1  # a GET changed nothing
    done = follow(link_in(receipt), "POST")
    assert done["statusCode"] == 200
    assert "You will not get receipts from Café Rosa any more." in done["body"]
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    assert mail.run() == []


def test_a_mail_clients_one_click_post_gets_json(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (receipt,) = mail.run()
    answer = follow(link_in(receipt), "POST", accept="*/*")
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["unsubscribed"]["what"] == "receipts_at"


def _tampered(token: str) -> list[str]:
    body, signature = token.split(".")
    payload = json.loads(unsubscribe._unb64(body))
    widened = unsubscribe._b64(json.dumps({"u": payload["u"], "w": "receipts"}).encode())
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    return [
        f"{widened}.{signature}",  # "this business" widened to "every business"
        f"{body}.{flipped}",  # the signature altered
        body,  # no signature
        f"{body}.",
        "",
        "x" * 3000,
    ]


def test_a_forged_or_altered_link_does_nothing(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (receipt,) = mail.run()
    for bad in _tampered(token_of(link_in(receipt))):
        answer = follow(bad, "POST", accept="application/json")
        assert answer["statusCode"] == 400, bad
        assert json.loads(answer["body"])["error"]["code"] == "unsubscribe_link_invalid"
        assert follow(bad, "GET")["statusCode"] == 400
    shown = world.call("GET", "/me/preferences", customer).expect(200)
    assert shown["receipts"] and all(b["receipts"] for b in shown["businesses"])


def test_a_link_for_one_customer_cannot_unsubscribe_another(
    world: World, shop: Business, customer: Person, mail: Mail
) -> None:
    victim = world.customer("Vera Victim")
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    world.earn(world.visit(shop, victim), 5_00).expect(201)
    mine = next(m for m in mail.run() if m.to == customer.email)
    body, signature = token_of(link_in(mine)).split(".")
    payload = json.loads(unsubscribe._unb64(body))
    payload["u"] = victim.user_id  # my signature, the victim's id
    forged = unsubscribe._b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    assert follow(f"{forged}.{signature}", "POST")["statusCode"] == 400
    # ...and my own link, used, changes only my settings.
    follow(link_in(mine), "POST")
    theirs = world.call("GET", "/me/preferences", victim).expect(200)
    assert theirs["businesses"][0]["receipts"] is True
    world.earn(world.visit(shop, victim), 5_00).expect(201)
    assert [m.to for m in mail.run()] == [victim.email]


def test_a_link_signed_with_another_key_is_refused(
    world: World, customer: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = unsubscribe.Topic("reminders", user_id=customer.user_id)
    monkeypatch.setattr(unsubscribe, "_key", lambda: b"another deployment's key")
    foreign = unsubscribe.token(topic)
    monkeypatch.undo()
    assert follow(foreign, "POST")["statusCode"] == 400
    assert follow(unsubscribe.token(topic), "POST")["statusCode"] == 200
    assert world.call("GET", "/me/preferences", customer).expect(200)["reminders"] is False
