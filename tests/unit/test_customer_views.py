"""What the customer reads, shaped from the API's real answers: My code's confirmation
('+1 stamp (7/10)'), the wallet's stamp card, locked rewards and promotions, history lines."""

from __future__ import annotations

from epoint_ui.states.views import business, history_row, scan_messages, wallet_card
from tests.support.world import call


def test_my_code_says_the_points_the_promotion_and_the_stamp(world, shop, customer):
    world.stamp_card(shop, stamps_needed=10)
    world.promotion(shop, "Double points")
    for _ in range(6):
        world.earn(world.visit(shop, customer), 1_00).expect(201)
    token = world.token(customer)
    world.earn(world.visit(shop, code=token["token"]), 12_00).expect(201)
    answer = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    said, balance = scan_messages(answer)
    assert said == "Scanned at Café Rosa: +24 points (Double points), +1 stamp (7/10)"
    assert balance == "Your balance at Café Rosa: 36 points"


def test_my_code_says_when_the_card_is_full_and_when_it_is_given(world, shop, customer):
    world.stamp_card(shop, stamps_needed=2, reward_name="Free cake")
    world.earn(world.visit(shop, customer), 1_00).expect(201)
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"])
    world.earn(visit, 1_00).expect(201)
    world.redeem(visit, stamp_card=True).expect(201)
    answer = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    assert scan_messages(answer)[0] == (
        "Scanned at Café Rosa: +1 point, +1 stamp (2/2): card full, Free cake from your stamp card"
    )


def test_the_wallet_card_shows_the_stamps_the_locked_rewards_and_the_promotions(
    world, shop, customer
):
    world.stamp_card(shop, stamps_needed=5, reward_name="Free cake")
    world.promotion(shop, "Double Tuesdays", weekdays=[2], from_time="16:00", until_time="18:00")
    call(
        "POST",
        f"{shop.path}/rewards",
        user=shop.owner,
        body={"name": "Gold cake", "cost_points": 5, "min_tier": "Gold"},
    ).expect(201)
    for _ in range(3):
        world.earn(world.visit(shop, customer), 1_00).expect(201)
    (membership,) = call("GET", "/wallet", user=customer).expect(200)["memberships"]
    card = wallet_card(membership)
    assert card.stamp_slots == [True, True, True, False, False]
    assert card.stamps_text == "3 of 5 stamps towards a Free cake"
    assert card.locked == ["Gold cake (5 points): Gold members only: 1,997 more points to go"]
    assert card.promotions == ["Double Tuesdays: x2 points, Tue 16:00-18:00, from 2026-01-01"]
    for _ in range(3):
        world.earn(world.visit(shop, customer), 1_00).expect(201)
    (membership,) = call("GET", "/wallet", user=customer).expect(200)["memberships"]
    assert wallet_card(membership).stamps_text == (
        "Your Free cake is free: show your code at the till"
    )
    assert wallet_card(membership).stamp_slots == [True] + [False] * 4  # 6 = a full card + 1


def test_history_lines_name_the_promotion_and_the_stamps(world, shop, customer):
    world.stamp_card(shop, stamps_needed=2, reward_name="Free cake")
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    world.earn(world.visit(shop, customer), 10_00).expect(201)
    world.earn(world.visit(shop, customer), 10_00).expect(201)
    world.redeem(world.visit(shop, customer), stamp_card=True).expect(201)
    items = call("GET", "/transactions", user=customer).expect(200)["items"]
    rows = [history_row(t, {i["tx_id"]: i for i in items}) for t in items]
    assert [(r.title, r.points, r.detail) for r in rows] == [
        ("Stamp card: Free cake", "-2 stamps", ""),
        ("Purchase", "+10 points", "Spent 10.00 · +1 stamp (2/2): card full"),
        ("Purchase", "+60 points", "Spent 10.00 · Welcome: +50 points · +1 stamp (1/2)"),
    ]


def test_the_directory_lists_the_stamp_card_the_promotions_and_tier_only_rewards(world, shop):
    world.stamp_card(shop, stamps_needed=8, reward_name="Free bun")
    world.promotion(shop, "Double Tuesdays", weekdays=[2])
    call(
        "PATCH",
        f"{shop.path}/rewards/{shop.reward.reward_id}",
        user=shop.owner,
        body={"min_tier": "Silver"},
    ).expect(200)
    listed = business(call("GET", shop.path, user=shop.owner).expect(200))
    assert listed.programs == [
        "Stamp card: 8 stamps for a Free bun",
        "Double Tuesdays: x2 points, Tue, from 2026-01-01",
    ]
    assert listed.rewards == ["Free coffee: 100 points (Silver members only)"]
