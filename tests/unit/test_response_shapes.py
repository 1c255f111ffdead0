"""What the routes answer is exactly what the OpenAPI document says (backend/models/responses.py)."""

from backend.models import responses as shapes
from tests.support.world import call, idempotency_key


def conforms(model: type[shapes.Shape], body: dict) -> None:
    """Every field documented, nothing undocumented, the right types."""
    assert model.model_validate(body).model_dump() == body


def test_answers_match_their_documented_shapes(world, shop, staff, customer):
    mid, owner = shop.merchant_id, shop.owner
    issued = world.token(customer)
    conforms(shapes.QrToken, issued)
    visit = world.visit(shop, code=issued["token"])
    conforms(shapes.Visit, visit.answer)
    earned = world.earn(visit, 150_00).body
    conforms(shapes.BalanceChange, earned)
    redeemed = world.redeem(visit, reward_id=shop.reward.reward_id).body
    conforms(shapes.BalanceChange, redeemed)
    conforms(shapes.Reversal, world.reverse(shop, redeemed["transaction"]["tx_id"], by=owner).body)
    conforms(
        shapes.QrTokenStatus, call("GET", f"/qr-tokens/{issued['token_id']}", user=customer).body
    )

    conforms(shapes.Profile, call("GET", "/me", user=customer).body)
    conforms(shapes.RolePage, call("GET", "/me/merchants", user=owner).body)
    conforms(shapes.Role, call("GET", f"/me/merchants/{mid}", user=owner).body)
    sent = world.invite(shop, customer.email).body
    conforms(shapes.InvitationSent, sent)
    conforms(shapes.InvitationList, call("GET", f"/merchants/{mid}/invitations", user=owner).body)
    mine = call("GET", "/me/invitations", user=customer).body
    conforms(shapes.InvitationToMePage, mine)
    token = mine["items"][0]["token"]
    conforms(shapes.InvitationToMe, call("GET", f"/invitations/{token}", user=customer).body)
    conforms(shapes.Role, call("POST", f"/invitations/{token}/accept", user=customer).body)
    conforms(shapes.Wallet, call("GET", "/wallet", user=customer).body)
    conforms(shapes.TransactionPage, call("GET", "/transactions", user=customer).body)
    conforms(shapes.MerchantPage, call("GET", "/merchants", user=customer).body)
    conforms(shapes.Merchant, call("GET", f"/merchants/{mid}", user=customer).body)
    conforms(shapes.RewardList, call("GET", f"/merchants/{mid}/rewards", user=staff).body)
    conforms(shapes.StaffList, call("GET", f"/merchants/{mid}/staff", user=owner).body)
    conforms(shapes.TransactionPage, call("GET", f"/merchants/{mid}/transactions", user=staff).body)
    conforms(shapes.Stats, call("GET", f"/merchants/{mid}/stats", user=staff).body)
    conforms(shapes.ErrorBody, call("GET", "/merchants/m_nope", user=customer).body)


def test_answers_of_the_programs_routes_match_their_shapes(world, shop, staff, customer):
    """Members, adjustments, exports and receipts' claim codes."""
    mid, owner = shop.merchant_id, shop.owner
    world.earn(world.visit(shop, customer), 20_00).expect(201)
    conforms(shapes.MemberPage, call("GET", f"/merchants/{mid}/members", user=owner).body)
    adjusted = call(
        "POST",
        f"/merchants/{mid}/members/{customer.user_id}/adjustments",
        user=owner,
        body={"points": 5, "reason": "goodwill", "note": "sorry"},
        headers={"Idempotency-Key": idempotency_key()},
    )
    conforms(shapes.BalanceChange, adjusted.expect(201))
    day = adjusted.body["transaction"]["created_at"][:10]
    export = call(
        "GET", f"/merchants/{mid}/exports/ledger", user=owner, query={"from": day, "to": day}
    )
    conforms(shapes.TransactionPage, export.expect(200))
    issued = call("POST", f"/merchants/{mid}/claim-codes", user=staff, body={"amount_cents": 900})
    conforms(shapes.ClaimCodeIssued, issued.expect(201))
    conforms(shapes.ClaimCodePage, call("GET", f"/merchants/{mid}/claim-codes", user=staff).body)
    claimed = call(
        "POST",
        "/claims",
        user=customer,
        body={"code": issued.body["code"]},
        headers={"Idempotency-Key": idempotency_key()},
    )
    conforms(shapes.BalanceChange, claimed.expect(201))
    second = call("POST", f"/merchants/{mid}/claim-codes", user=staff, body={"amount_cents": 900})
    voided = call("DELETE", f"/merchants/{mid}/claim-codes/{second.body['claim_id']}", user=staff)
    conforms(shapes.ClaimCode, voided.expect(200))
    conforms(shapes.Wallet, call("GET", "/wallet", user=customer).body)


def test_the_document_refers_to_the_shapes():
    doc = call("GET", "/openapi.json", user=None).body
    wallet = doc["paths"]["/wallet"]["get"]["responses"]
    assert wallet["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Wallet"
    }
    assert wallet["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    earn = doc["paths"]["/merchants/{merchant_id}/visits/{visit_id}/earn"]["post"]["responses"]
    assert "BalanceChange" in earn["201"]["content"]["application/json"]["schema"]["$ref"]
