"""Emails on the local cloud: the same notifier over the same stream records, SES (moto's,
with localcloud/ses.py) delivering to the outbox, the unsubscribe page on the gateway.

Everything goes through the product as people use it (the API over HTTP, a browser-less
client following a link); the test only reads the outbox (`/dev/outbox?format=json`).
To see that something was *not* sent, a witness (another customer of the same business)
earns afterwards: the stream is read in order, so once the witness's receipt is in the
outbox, everything written before it has been through the notifier.

The last test runs its own local cloud with the fault layer on (`--faults`,
localcloud/faults.py): balance transactions fail before and after the write, SES throttles
or loses its answer after sending, and every email still reaches the outbox exactly once.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.support.local_cloud import (
    RunningCloud,
    aws_client,
    emails,
    running_cloud,
    wait_for_emails,
)
from tests.support.world import Business, OverHttp, Person, World

CUSTOMER_EMAILS = {
    "Café Rosa: +150 points",
    "You can now get Free coffee at Café Rosa",
    "Café Rosa: Free coffee redeemed",
    "Café Rosa: a redemption was undone",
}


@pytest.fixture(scope="module")
def shop(world: World) -> Business:
    business = world.business(world.owner(), "Café Rosa", "cafe")
    world.staff(business)
    world.reward(business, "Free coffee", 100)
    return business


@pytest.fixture(scope="module")
def witness(world: World) -> Person:
    return world.customer("Wanda Witness")


def settle(cloud: RunningCloud, world: World, shop: Business, witness: Person) -> None:
    """Everything written so far has been through the notifier (see the module's doc)."""
    before = len(emails(cloud.info, witness.email))
    world.earn(world.visit(shop, witness), 1_00).expect(201)
    wait_for_emails(cloud.info, witness.email, before + 1)


def unsubscribe_link(message: dict[str, Any]) -> str:
    return message["headers"]["List-Unsubscribe"].strip("<>")


def test_each_email_follows_its_event_once_with_its_words(
    cloud: RunningCloud, world: World, shop: Business, witness: Person
) -> None:
    staff = shop.staff[0]
    (invitation,) = wait_for_emails(cloud.info, staff.email, 1)
    assert invitation["purpose"] == "invitation"
    assert invitation["subject"] == "Olga Owner invites you to work at Café Rosa on ePoint"
    assert "/invitation?token=" in invitation["body"]

    customer = world.customer()
    visit = world.visit(shop, customer)
    world.earn(visit, 150_00).expect(201)
    spent = world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)["transaction"]
    world.reverse(shop, spent["tx_id"]).expect(201)
    found = wait_for_emails(cloud.info, customer.email, 4)
    by_subject = {m["subject"]: m for m in found}
    assert set(by_subject) == CUSTOMER_EMAILS
    receipt = by_subject["Café Rosa: +150 points"]
    assert "Purchase: €150.00" in receipt["body"] and "€150.00" in receipt["html"]
    assert receipt["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_link(receipt).startswith(cloud.api_url + "/unsubscribe?token=")

    # The record DELETE /me writes as the profile goes (docs/data-model.md): its email.
    gone = f"gone-{uuid.uuid4().hex[:8]}@example.com"
    aws_client(cloud.info, "dynamodb").put_item(
        TableName=cloud.table_name,
        Item={
            "pk": {"S": f"DELETION#{uuid.uuid4()}"},
            "sk": {"S": "ACCOUNT"},
            "email": {"S": gone},
            "display_name": {"S": "Gina Gone"},
            "deleted_at": {"S": "2026-12-01T21:05:00Z"},
        },
    )
    (confirmation,) = wait_for_emails(cloud.info, gone, 1)
    assert confirmation["subject"] == "Your ePoint account is deleted"
    assert "Hello Gina Gone," in confirmation["body"]

    settle(cloud, world, shop, witness)
    time.sleep(1)  # and nothing came twice meanwhile
    assert len(emails(cloud.info, customer.email)) == 4
    assert len(emails(cloud.info, staff.email)) == 1
    assert len(emails(cloud.info, gone)) == 1


def test_the_unsubscribe_link_works_without_signing_in(
    cloud: RunningCloud, world: World, shop: Business, witness: Person
) -> None:
    customer = world.customer()
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (receipt,) = wait_for_emails(cloud.info, customer.email, 1)
    link = unsubscribe_link(receipt)
    assert link in receipt["body"]  # the same link in the footer
    with httpx.Client(timeout=30) as browser:  # no token, no cookie: nobody is signed in
        page = browser.get(link, headers={"accept": "text/html"})
        assert page.status_code == 200 and "Stop receipts from Café Rosa?" in page.text
        forged = browser.post(link[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"})
        assert forged.status_code == 400
        assert forged.json()["error"]["code"] == "unsubscribe_link_invalid"
        done = browser.post(
            link, data={"List-Unsubscribe": "One-Click"}, headers={"accept": "text/html"}
        )
        assert done.status_code == 200
        assert "You will not get receipts from Café Rosa any more." in done.text
    settings = world.call("GET", "/me/preferences", customer).expect(200)
    assert [b["receipts"] for b in settings["businesses"]] == [False]
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    settle(cloud, world, shop, witness)
    assert len(emails(cloud.info, customer.email)) == 1


def test_the_customers_settings_are_respected(
    cloud: RunningCloud, world: World, shop: Business, witness: Person
) -> None:
    customer = world.customer()
    world.call("PATCH", "/me/preferences", customer, body={"receipts": False}).expect(200)
    world.earn(world.visit(shop, customer), 150_00).expect(201)  # covers Free coffee
    (reminder,) = wait_for_emails(cloud.info, customer.email, 1)
    assert reminder["purpose"] == "reminder"  # receipts off, reminders still on
    other = world.customer()
    world.call("PATCH", "/me/preferences", other, body={"reminders": False}).expect(200)
    world.earn(world.visit(shop, other), 150_00).expect(201)
    (receipt,) = wait_for_emails(cloud.info, other.email, 1)
    assert receipt["purpose"] == "receipt"
    settle(cloud, world, shop, witness)
    assert len(emails(cloud.info, customer.email)) == 1
    assert len(emails(cloud.info, other.email)) == 1


def test_an_address_that_bounces_is_not_mailed_again(
    cloud: RunningCloud, world: World, shop: Business, witness: Person
) -> None:
    def feedback_delivered() -> int:
        topics = httpx.get(f"{cloud.api_url}/dev/streams", timeout=10).json()["topics"]
        (feedback,) = [t for t in topics if t["function"] == "MailFeedbackFunction"]
        return int(feedback["delivered"])

    # SES's mailbox simulator: mail to this address bounces for good.
    address = f"bounce+{uuid.uuid4().hex[:8]}@simulator.amazonses.com"
    customer = world.customer("Bo Bounce", email=address)
    before = feedback_delivered()
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    (bounced,) = wait_for_emails(cloud.info, address, 1)
    assert bounced["delivery"] == "bounced"
    deadline = time.monotonic() + 30  # SES -> SNS -> the feedback function, asynchronously
    while feedback_delivered() == before:
        assert time.monotonic() < deadline, "SES's bounce never reached the feedback function"
        time.sleep(0.2)
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    settle(cloud, world, shop, witness)
    assert len(emails(cloud.info, address)) == 1


def test_under_faults_every_email_still_goes_exactly_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Half the balance transactions and half the sends fail on purpose. A client retrying
    a lost earn must not get a second receipt (one ledger entry, one record); a throttled
    send is retried by the stream and goes once; a send whose answer was lost is not sent
    again (its claim stays). Each customer gets exactly their four emails."""
    flags = ("--no-persist", "--faults", "0.5", "--faults-seed", "11")
    with (
        running_cloud(tmp_path_factory.mktemp("faulty-mail-cloud"), *flags) as faulty,
        World(OverHttp(faulty.info, timeout=60), patient=True) as world,
    ):
        shop = world.business(world.owner(), "Café Rosa", "cafe")
        staff = world.staff(shop)
        world.reward(shop, "Free coffee", 100)
        witness = world.customer("Wanda Witness")
        customers = world.people(6, "Faulty")
        for customer in customers:
            visit = world.visit(shop, customer, by=staff)
            world.earn(visit, 150_00).expect(201)
            spent = world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)
            world.reverse(shop, spent["transaction"]["tx_id"], by=staff).expect(201)
        for customer in customers:
            found = wait_for_emails(faulty.info, customer.email, 4)
            assert {m["subject"] for m in found} == CUSTOMER_EMAILS, customer.email
        settle(faulty, world, shop, witness)
        time.sleep(1)  # and nothing came twice meanwhile
        for customer in customers:
            assert len(emails(faulty.info, customer.email)) == 4, customer.email
        assert len(emails(faulty.info, staff.email)) == 1  # the invitation
        injected = faulty.faults()
    # Both ways SES fails, and a balance write whose answer was lost, really happened.
    assert injected.get("ses_throttled", 0) > 0, injected
    assert injected.get("ses_lost_after_send", 0) > 0, injected
    assert injected.get("lost_after_write", 0) + injected.get("internal_error_after_write", 0)
