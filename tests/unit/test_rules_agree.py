"""The app's forms and the API give the same verdict at every edge of every rule.

For each limit in `loyalty.bounds`, the value at each edge and one past it goes through
the app's own validation (the settings form's `_checked`, or the `loyalty.forms` check the
form calls) and through the API (backend.app.handler with real HTTP API events). Both must
accept it, or both must refuse it. The cases are generated from the bounds: a new bound
fails `test_every_bound_is_walked` until it has a driver here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from epoint_ui.states.merchant_programs import ProgramsState
from epoint_ui.states.merchant_settings import MerchantSettingsState
from loyalty import bounds, catalog, forms
from loyalty.money import format_cents
from tests.support.world import Business, Person, Reply, World, call, idempotency_key


def verdict(reply: Reply, accepted_status: int) -> bool:
    """True when the API took it, False when it refused it as invalid input (nothing else)."""
    if reply.status == accepted_status:
        return True
    assert (reply.status, reply.code) == (422, "validation_error"), reply
    return False


def checked(result: tuple[Any, str | None]) -> bool:
    """True when a `loyalty.forms` check let the value through."""
    value, problem = result
    assert (value is None) == (problem is not None), result
    return problem is None


# ------------------------------------------------------------------- the app's side


def settings_form(**typed: Any) -> bool:
    """The settings page's own check, with a valid form but for the fields given."""
    state = MerchantSettingsState(_reflex_internal_init=True)
    state.name, state.category = "Café Rosa", "cafe"
    state.points_per_unit, state.min_purchase = "1", "0"
    state.tiers = [{"name": "Bronze", "threshold": "0", "multiplier_pct": "100"}]
    state.staff_max_purchase, state.staff_daily_points = "500", "10000"
    for field, value in typed.items():
        setattr(state, field, value)
    return state._checked() is not None


def programs_card(**typed: Any) -> bool:
    """The Programs page's stamp card check, with a valid card but for the fields given."""
    state = ProgramsState(_reflex_internal_init=True)
    state.card_active, state.card_stamps, state.card_min_purchase = True, "10", "0"
    state.card_reward, state.card_replaces_points = "Free coffee", False
    for field, value in typed.items():
        setattr(state, field, value)
    return state._checked_card() is not None


def programs_promotion(**typed: Any) -> bool:
    """The Programs page's promotion check, with a valid promotion but for the fields given."""
    state = ProgramsState(_reflex_internal_init=True)
    state.form_name, state.form_kind, state.form_amount = "Double Tuesdays", "multiplier", "200"
    state.form_starts_on, state.form_ends_on = "2026-12-01", ""
    state.form_weekdays, state.form_from, state.form_until = ["2"], "16:00", "18:00"
    for field, value in typed.items():
        setattr(state, field, value)
    return state._checked_promotion() is not None


def typed_cents(cents: int) -> str:
    """How a person types an amount of cents ('-0.01' for one cent below zero)."""
    return format_cents(cents) if cents >= 0 else "-" + format_cents(-cents)


def text(length: int) -> str:
    """A text of `length` characters (not ASCII: lengths count characters, not bytes)."""
    return "é" * length


def email(length: int) -> str:
    """An address of `length` characters (shorter than a@b.c it cannot be one at all)."""
    return "a" * (length - 4) + "@b.c" if length >= 5 else "a@b.c"[:length]


def tier_rows(tiers: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Tiers as the settings form holds them: every field as typed text."""
    return [{k: str(v) for k, v in t.items()} for t in tiers]


def tiers_counting(n: int) -> list[dict[str, Any]]:
    return [{"name": f"Tier {i}", "threshold": 10 * i, "multiplier_pct": 100 + i} for i in range(n)]


def tiers_reaching(threshold: int) -> list[dict[str, Any]]:
    """A first tier at `threshold` if it is 0 or less, else Base at 0 and Top at `threshold`."""
    if threshold <= 0:
        return [{"name": "Base", "threshold": threshold, "multiplier_pct": 100}]
    return [
        {"name": "Base", "threshold": 0, "multiplier_pct": 100},
        {"name": "Top", "threshold": threshold, "multiplier_pct": 150},
    ]


def one_tier(**fields: Any) -> list[dict[str, Any]]:
    return [{"name": "Base", "threshold": 0, "multiplier_pct": 100, **fields}]


# ------------------------------------------------------------------- the API's side


@dataclass(frozen=True)
class Scene:
    """Who the API side acts as: Café Rosa's owner, and a customer for earning and profiles."""

    world: World
    shop: Business
    customer: Person


@pytest.fixture
def scene(world: World, shop: Business, customer: Person) -> Scene:
    return Scene(world, shop, customer)


def settings_api(scene: Scene, body: dict[str, Any]) -> bool:
    return verdict(call("PATCH", scene.shop.path, user=scene.shop.owner, body=body), 200)


def register_api(scene: Scene, body: dict[str, Any]) -> bool:
    return verdict(call("POST", "/merchants", user=scene.shop.owner, body=body), 201)


def reward_api(scene: Scene, body: dict[str, Any]) -> bool:
    path = f"{scene.shop.path}/rewards"
    return verdict(call("POST", path, user=scene.shop.owner, body={"name": "Cake", **body}), 201)


CARD = {"stamps_needed": 10, "reward_name": "Free coffee"}
PROMOTION = {
    "name": "Double Tuesdays",
    "kind": "multiplier",
    "multiplier_pct": 200,
    "starts_on": "2026-12-01",
    "weekdays": [2],
    "from_time": "16:00",
    "until_time": "18:00",
}


def card_api(scene: Scene, fields: dict[str, Any]) -> bool:
    return settings_api(scene, {"stamp_card": {**CARD, **fields}})


def promotion_api(scene: Scene, fields: dict[str, Any]) -> bool:
    path = f"{scene.shop.path}/promotions"
    body = {**PROMOTION, **fields}
    if body["kind"] != "multiplier":
        body.pop("multiplier_pct")
    return verdict(call("POST", path, user=scene.shop.owner, body=body), 201)


def earn_api(scene: Scene, amount_cents: int) -> bool:
    # At the owner's till: the owner's own awards are not bound by the staff limits.
    visit = scene.world.visit(scene.shop, scene.customer, by=scene.shop.owner)
    return verdict(scene.world.earn(visit, amount_cents), 201)


def staff_limits_api(scene: Scene, **limits: int) -> bool:
    body = {"staff_limits": {"max_purchase_cents": 50_000, "daily_points": 10_000, **limits}}
    return settings_api(scene, body)


def adjust_api(scene: Scene, body: dict[str, Any]) -> bool:
    """The owner adjusts the customer's card (they earned there first, so they hold one)."""
    if scene.world.balance(scene.customer, scene.shop) == 0:
        scene.world.earn(scene.world.visit(scene.shop, scene.customer), 10_00).expect(201)
    path = f"{scene.shop.path}/members/{scene.customer.user_id}/adjustments"
    reply = call(
        "POST",
        path,
        user=scene.shop.owner,
        body={"reason": "goodwill", **body},
        headers={"Idempotency-Key": idempotency_key()},
    )
    return verdict(reply, 201)


def receipt_code_api(scene: Scene, amount_cents: int) -> bool:
    path = f"{scene.shop.path}/claim-codes"
    return verdict(
        call("POST", path, user=scene.shop.owner, body={"amount_cents": amount_cents}), 201
    )


def invite_api(scene: Scene, body: dict[str, Any]) -> bool:
    path = f"{scene.shop.path}/invitations"
    return verdict(call("POST", path, user=scene.shop.owner, body=body), 202)


def profile_api(scene: Scene, body: dict[str, Any]) -> bool:
    return verdict(call("PATCH", "/me", user=scene.customer, body=body), 200)


@dataclass(frozen=True)
class Driver:
    """One form that holds a bounded value: how the app checks it, and how the API gets it."""

    form: str
    app: Callable[[int], bool]
    api: Callable[[Scene, int], bool]


DRIVERS: dict[str, list[Driver]] = {
    "POINTS_PER_UNIT": [
        Driver(
            "settings",
            lambda n: settings_form(points_per_unit=str(n)),
            lambda scene, n: settings_api(scene, {"earning_rule": {"points_per_unit": n}}),
        ),
        Driver(
            "register a business",
            lambda n: checked(forms.earning_rule(str(n), "0")),
            lambda scene, n: register_api(
                scene, {"name": "Shop", "category": "cafe", "earning_rule": {"points_per_unit": n}}
            ),
        ),
    ],
    "MIN_PURCHASE_CENTS": [
        Driver(
            "settings",
            lambda n: settings_form(min_purchase=typed_cents(n)),
            lambda scene, n: settings_api(
                scene, {"earning_rule": {"points_per_unit": 1, "min_purchase_cents": n}}
            ),
        ),
        Driver(
            "register a business",
            lambda n: checked(forms.earning_rule("1", typed_cents(n))),
            lambda scene, n: register_api(
                scene,
                {
                    "name": "Shop",
                    "category": "cafe",
                    "earning_rule": {"points_per_unit": 1, "min_purchase_cents": n},
                },
            ),
        ),
        Driver(
            "programs: stamp card minimum",
            lambda n: programs_card(card_min_purchase=typed_cents(n)),
            lambda scene, n: card_api(scene, {"min_purchase_cents": n}),
        ),
    ],
    "STAMPS_NEEDED": [
        Driver(
            "programs: stamp card",
            lambda n: programs_card(card_stamps=str(n)),
            lambda scene, n: card_api(scene, {"stamps_needed": n}),
        )
    ],
    "PROMOTION_MULTIPLIER_PCT": [
        Driver(
            "programs: multiplier",
            lambda n: programs_promotion(form_amount=str(n)),
            lambda scene, n: promotion_api(scene, {"multiplier_pct": n}),
        )
    ],
    "BONUS_POINTS": [
        Driver(
            f"programs: {kind}",
            lambda n, kind=kind: programs_promotion(form_kind=kind, form_amount=str(n)),
            lambda scene, n, kind=kind: promotion_api(scene, {"kind": kind, "bonus_points": n}),
        )
        for kind in ("bonus", "welcome")
    ],
    "TIER_COUNT": [
        Driver(
            "settings",
            lambda n: settings_form(tiers=tier_rows(tiers_counting(n))),
            lambda scene, n: settings_api(scene, {"tiers": tiers_counting(n)}),
        )
    ],
    "THRESHOLD": [
        Driver(
            "settings",
            lambda n: settings_form(tiers=tier_rows(tiers_reaching(n))),
            lambda scene, n: settings_api(scene, {"tiers": tiers_reaching(n)}),
        )
    ],
    "MULTIPLIER_PCT": [
        Driver(
            "settings",
            lambda n: settings_form(tiers=tier_rows(one_tier(multiplier_pct=n))),
            lambda scene, n: settings_api(scene, {"tiers": one_tier(multiplier_pct=n)}),
        )
    ],
    "STAFF_MAX_PURCHASE_CENTS": [
        Driver(
            "settings: staff limits",
            lambda n: settings_form(staff_max_purchase=typed_cents(n)),
            lambda scene, n: staff_limits_api(scene, max_purchase_cents=n),
        )
    ],
    "STAFF_DAILY_POINTS": [
        Driver(
            "settings: staff limits",
            lambda n: settings_form(staff_daily_points=str(n)),
            lambda scene, n: staff_limits_api(scene, daily_points=n),
        )
    ],
    "EXPIRY_MONTHS": [
        Driver(
            "settings: points expiry",
            lambda n: settings_form(expiry_months=str(n)),
            lambda scene, n: settings_api(scene, {"expiry_months": n}),
        )
    ],
    "AMOUNT_CENTS": [
        Driver("till", lambda n: checked(forms.purchase_amount(typed_cents(n))), earn_api),
        Driver(
            "till: receipt code",
            lambda n: checked(forms.purchase_amount(typed_cents(n))),
            receipt_code_api,
        ),
    ],
    "POINTS": [
        Driver(
            "rewards",
            lambda n: checked(forms.reward_cost(str(n))),
            lambda scene, n: reward_api(scene, {"cost_points": n}),
        ),
        Driver(
            "members: add points",
            lambda n: checked(forms.adjustment("add", str(n), "goodwill", "")),
            lambda scene, n: adjust_api(scene, {"points": n}),
        ),
    ],
    "NAME_LENGTH": [
        Driver(
            "settings: business name",
            lambda n: settings_form(name=text(n)),
            lambda scene, n: settings_api(scene, {"name": text(n)}),
        ),
        Driver(
            "register a business",
            lambda n: checked(forms.business_name(text(n))),
            lambda scene, n: register_api(scene, {"name": text(n), "category": "cafe"}),
        ),
        Driver(
            "settings: tier name",
            lambda n: settings_form(tiers=tier_rows(one_tier(name=text(n)))),
            lambda scene, n: settings_api(scene, {"tiers": one_tier(name=text(n))}),
        ),
        Driver(
            "rewards: name",
            lambda n: checked(forms.reward_name(text(n))),
            lambda scene, n: reward_api(scene, {"name": text(n), "cost_points": 5}),
        ),
        Driver(
            "programs: stamp card reward",
            lambda n: programs_card(card_reward=text(n)),
            lambda scene, n: card_api(scene, {"reward_name": text(n)}),
        ),
        Driver(
            "programs: promotion name",
            lambda n: programs_promotion(form_name=text(n)),
            lambda scene, n: promotion_api(scene, {"name": text(n)}),
        ),
    ],
    "DESCRIPTION_LENGTH": [
        Driver(
            "rewards: description",
            lambda n: checked(forms.description(text(n))),
            lambda scene, n: reward_api(scene, {"description": text(n), "cost_points": 5}),
        ),
        Driver(
            "members: adjustment note",
            lambda n: checked(forms.adjustment("add", "1", "goodwill", text(n))),
            lambda scene, n: adjust_api(scene, {"points": 1, "note": text(n)}),
        ),
    ],
    "EMAIL_LENGTH": [
        Driver(
            "staff: invite",
            lambda n: checked(forms.email_address(email(n))),
            lambda scene, n: invite_api(scene, {"email": email(n)}),
        )
    ],
    "DISPLAY_NAME_LENGTH": [
        Driver(
            "profile",
            lambda n: checked(forms.display_name(text(n))),
            lambda scene, n: profile_api(scene, {"display_name": text(n)}),
        )
    ],
}


def edges(name: str, bound: bounds.Range) -> list[int]:
    """Each edge and one past it (a length cannot be negative, so none below 0 for those)."""
    values = [bound.low - 1, bound.low, bound.high, bound.high + 1]
    return [v for v in values if v >= 0 or not name.endswith("_LENGTH")]


def test_every_bound_is_walked():
    assert sorted(DRIVERS) == sorted(bounds.ALL), "give each bound in loyalty.bounds a driver"


@pytest.mark.parametrize("name", sorted(bounds.ALL))
def test_the_app_and_the_api_agree_at_each_edge(scene, name):
    bound = bounds.ALL[name]
    verdicts = []
    for driver in DRIVERS[name]:
        for value in edges(name, bound):
            expected = bound.holds(value)
            verdicts.append(
                (driver.form, value, expected, driver.app(value), driver.api(scene, value))
            )
    disagree = [v for v in verdicts if not v[2] == v[3] == v[4]]
    assert not disagree, f"(form, value, in bounds, app accepts, API accepts): {disagree}"


@pytest.mark.parametrize(
    "value", [*catalog.CATEGORIES, "spaceship", "Cafe", ""], ids=lambda v: v or "empty"
)
def test_categories_agree(scene, value):
    expected = value in catalog.CATEGORIES
    assert settings_form(category=value) == expected
    assert checked(forms.category(value)) == expected
    assert settings_api(scene, {"category": value}) == expected


@pytest.mark.parametrize(
    "value",
    [
        "UTC",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "Pacific/Chatham",
        "utc",
        "Europe/Atlantis",
        "US/Eastern",
        "Etc/GMT+1",
        "localtime",
        "",
        "Europe/../UTC",
    ],
    ids=lambda v: v or "empty",
)
def test_time_zones_agree(scene, value):
    expected = value in catalog.time_zones()
    assert settings_form(time_zone=value) == expected
    assert checked(forms.time_zone(value)) == expected
    assert settings_api(scene, {"time_zone": value}) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("form_ends_on", "2026-11-30"),
        ("form_ends_on", "2026-12-01"),
        ("form_starts_on", "2026-02-30"),
        ("form_starts_on", "1.12.2026"),
        ("form_weekdays", []),
        ("form_weekdays", ["1", "7"]),
        ("form_from", ""),
        ("form_until", "16:00"),
        ("form_until", "16:01"),
        ("form_until", "24:00"),
        ("form_until", "24:01"),
        ("form_from", "15:60"),
    ],
)
def test_a_promotion_s_rule_reads_the_same_in_the_app_and_the_api(scene, field, value):
    """Dates, weekdays and windows: the form and the API take and refuse the same rules."""
    state = ProgramsState(_reflex_internal_init=True)
    state.form_name, state.form_kind, state.form_amount = "Double Tuesdays", "multiplier", "200"
    state.form_starts_on, state.form_ends_on = "2026-12-01", ""
    state.form_weekdays, state.form_from, state.form_until = ["2"], "16:00", "18:00"
    setattr(state, field, value)
    app = state._checked_promotion()
    body = {
        "name": "Double Tuesdays",
        "kind": "multiplier",
        "multiplier_pct": 200,
        "starts_on": state.form_starts_on,
        "weekdays": [int(d) for d in state.form_weekdays],
    }
    for key, typed in (("ends_on", state.form_ends_on), ("from_time", state.form_from)):
        if typed:
            body[key] = typed
    if state.form_until:
        body["until_time"] = state.form_until
    api = verdict(
        call("POST", f"{scene.shop.path}/promotions", user=scene.shop.owner, body=body), 201
    )
    assert (app is not None) == api, (field, value, state.form_error)
    if app is None:
        reply = call("POST", f"{scene.shop.path}/promotions", user=scene.shop.owner, body=body)
        assert state.form_error in reply.body["error"]["message"]


@pytest.mark.parametrize("value", [*catalog.CURRENCIES, "JPY", "KWD", "eur", "EURO"])
def test_currencies_agree(scene, value):
    expected = value in catalog.CURRENCIES
    assert checked(forms.currency(value)) == expected
    body = {"name": "Shop", "category": "cafe", "currency": value}
    assert register_api(scene, body) == expected


@pytest.mark.parametrize(
    "thresholds",
    [[100], [0, 500, 500], [0, 500, 200]],
    ids=["first-not-at-0", "equal", "decreasing"],
)
def test_a_refused_ladder_reads_the_same_in_the_app_and_the_api(shop, thresholds):
    tiers = [
        {"name": f"T{i}", "threshold": t, "multiplier_pct": 100} for i, t in enumerate(thresholds)
    ]
    state = MerchantSettingsState(_reflex_internal_init=True)
    state.name, state.category = "Café Rosa", "cafe"
    state.points_per_unit, state.min_purchase = "1", "0"
    state.staff_max_purchase, state.staff_daily_points = "500", "10000"
    state.tiers = tier_rows(tiers)
    assert state._checked() is None
    reply = call("PATCH", shop.path, user=shop.owner, body={"tiers": tiers})
    assert (reply.status, reply.code) == (422, "validation_error")
    assert state.error in reply.body["error"]["message"]
