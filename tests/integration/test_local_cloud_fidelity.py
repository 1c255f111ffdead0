"""Focused tests of the fidelity layer, in-process against moto (the same code the local cloud runs).

The transaction rollback is checked side by side with moto's stock implementation: the
same scenario must give the same answers (incl. CancellationReasons) and the same table.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.utilities.utils import load_resource
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from localcloud import cognito_fidelity, dynamodb_transactions, state_lock, template
from localcloud.outbox import Outbox

REGION = "us-east-1"
TABLE = "fidelity-ledger"
PASSWORD = "Corr3ct-Horse"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto, never a server an outer environment points at."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


# ---------------------------------------------------------------- DynamoDB transactions


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _balance_update(pk: str, points: int, **extra: Any) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": _key(pk, "BALANCE"),
            "UpdateExpression": "SET balance = balance - :p",
            "ConditionExpression": "balance >= :p",
            "ExpressionAttributeValues": {":p": {"N": str(points)}},
            **extra,
        }
    }


def _ledger_put(sk: str, **extra: Any) -> dict[str, Any]:
    return {
        "Put": {"TableName": TABLE, "Item": {**_key("LEDGER", sk), "points": {"N": "1"}}, **extra}
    }


SCENARIO: list[list[dict[str, Any]]] = [
    # succeeds
    [_balance_update("M#1", 30), _ledger_put("T#100")],
    # a later condition fails: the new ledger entry and the debit are rolled back
    [
        _ledger_put("T#101"),
        _balance_update("M#1", 10),
        _balance_update("M#2", 50, ReturnValuesOnConditionCheckFailure="ALL_OLD"),
    ],
    # the first condition fails, a later delete must not stick
    [
        _balance_update("M#2", 1000),
        {"Delete": {"TableName": TABLE, "Key": _key("LEDGER", "T#001")}},
    ],
    # a put guarded by attribute_not_exists on an existing item, with ALL_OLD
    [
        {"Delete": {"TableName": TABLE, "Key": _key("LEDGER", "T#002")}},
        _ledger_put(
            "T#003",
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        ),
    ],
    # the same item twice: a validation error after the first write was applied
    [_balance_update("M#1", 1), _balance_update("M#1", 1)],
    # a type error in the second update
    [
        _ledger_put("T#102"),
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("M#1", "BALANCE"),
                "UpdateExpression": "SET balance = balance + :s",
                "ExpressionAttributeValues": {":s": {"S": "text"}},
            }
        },
    ],
    # a condition check only, failing
    [
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": _key("M#3", "BALANCE"),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
    ],
    # succeeds: deletes and puts that stick
    [
        {"Delete": {"TableName": TABLE, "Key": _key("LEDGER", "T#004")}},
        _ledger_put("T#103"),
        _balance_update("M#2", 5),
    ],
]


def _run_scenario() -> tuple[list[Any], list[Any]]:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(**template.table_create_kwargs(TABLE))
    client.put_item(TableName=TABLE, Item={**_key("M#1", "BALANCE"), "balance": {"N": "100"}})
    client.put_item(TableName=TABLE, Item={**_key("M#2", "BALANCE"), "balance": {"N": "5"}})
    for i in range(1, 30):
        client.put_item(
            TableName=TABLE, Item={**_key("LEDGER", f"T#{i:03d}"), "points": {"N": str(i)}}
        )
    outcomes: list[Any] = []
    for items in SCENARIO:
        try:
            client.transact_write_items(TransactItems=items)
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(
                (
                    err.response["Error"]["Code"],
                    err.response["Error"]["Message"],
                    err.response.get("CancellationReasons"),
                )
            )
    rows = client.scan(TableName=TABLE)["Items"]
    return outcomes, sorted(rows, key=lambda r: (r["pk"]["S"], r["sk"]["S"]))


def test_item_level_rollback_answers_and_leaves_the_table_exactly_like_moto(aws: None) -> None:
    dynamodb_transactions.uninstall()
    stock = _run_scenario()
    boto3.client("dynamodb", region_name=REGION).delete_table(TableName=TABLE)
    dynamodb_transactions.install()
    try:
        ours = _run_scenario()
    finally:
        dynamodb_transactions.uninstall()

    assert ours == stock
    outcomes, rows = ours
    assert outcomes[0] == "ok" and outcomes[-1] == "ok"
    assert all(o != "ok" for o in outcomes[1:-1])
    cancelled_with_item = outcomes[1][2][2]
    assert cancelled_with_item["Code"] == "ConditionalCheckFailed"
    assert cancelled_with_item["Item"]["balance"] == {"N": "5"}
    keys = {(r["pk"]["S"], r["sk"]["S"]) for r in rows}
    assert ("LEDGER", "T#101") not in keys and ("LEDGER", "T#102") not in keys
    assert ("LEDGER", "T#001") in keys and ("LEDGER", "T#002") in keys
    balance = next(r for r in rows if r["pk"]["S"] == "M#1")["balance"]
    assert balance == {"N": "70"}


def test_concurrent_redemptions_never_overdraw(aws: None) -> None:
    state_lock.install()
    dynamodb_transactions.install()
    try:
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**template.table_create_kwargs(TABLE))
        client.put_item(TableName=TABLE, Item={**_key("M#1", "BALANCE"), "balance": {"N": "1000"}})
        results: list[str] = []

        def redeem(n: int) -> None:
            own = boto3.client("dynamodb", region_name=REGION)
            try:
                own.transact_write_items(
                    TransactItems=[_balance_update("M#1", 30), _ledger_put(f"R#{n:03d}")]
                )
                results.append("ok")
            except ClientError as err:
                results.append(err.response["Error"]["Code"])

        threads = [threading.Thread(target=redeem, args=(n,)) for n in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        dynamodb_transactions.uninstall()

    assert results.count("ok") == 33
    assert results.count("TransactionCanceledException") == 17
    balance = client.get_item(TableName=TABLE, Key=_key("M#1", "BALANCE"))["Item"]["balance"]
    assert balance == {"N": "10"}
    ledger = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "LEDGER"}},
    )["Items"]
    assert len(ledger) == 33


# ---------------------------------------------------------------- Cognito


@pytest.fixture
def pool(aws: None) -> Iterator[dict[str, Any]]:
    """The template's pool and client with the fidelity layer on; records trigger events."""
    events: list[dict[str, Any]] = []
    previous = cognito_fidelity.settings
    cognito_fidelity.settings = cognito_fidelity.Settings(
        outbox=Outbox(), triggers={"PostConfirmation": events.append}
    )
    cognito_fidelity.install()
    try:
        client = boto3.client("cognito-idp", region_name=REGION)
        pool_id = client.create_user_pool(**template.user_pool_create_kwargs({}))["UserPool"]["Id"]
        client_id = client.create_user_pool_client(
            **template.user_pool_client_kwargs({"UserPool": pool_id})
        )["UserPoolClient"]["ClientId"]
        yield {"client": client, "pool_id": pool_id, "client_id": client_id, "events": events}
    finally:
        cognito_fidelity.uninstall()
        cognito_fidelity.settings = previous


def _sign_up(pool: dict[str, Any], email: str) -> str:
    pool["client"].sign_up(
        ClientId=pool["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Rosa"}],
    )
    return cognito_fidelity.settings.outbox.messages(email)[0].code


def _code_error(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return excinfo.value.response["Error"]["Code"]


def test_a_sign_up_code_expires_after_24_hours(pool: dict[str, Any]) -> None:
    code = _sign_up(pool, "late@example.com")
    start = cognito_fidelity.settings.clock()
    cognito_fidelity.settings.clock = lambda: start + 24 * 3600 + 1
    confirm = pool["client"].confirm_sign_up
    assert (
        _code_error(
            confirm, ClientId=pool["client_id"], Username="late@example.com", ConfirmationCode=code
        )
        == "ExpiredCodeException"
    )
    assert pool["events"] == []


def test_confirmation_runs_post_confirmation_with_a_cognito_shaped_event(
    pool: dict[str, Any],
) -> None:
    code = _sign_up(pool, "rosa@example.com")
    pool["client"].confirm_sign_up(
        ClientId=pool["client_id"], Username="rosa@example.com", ConfirmationCode=code
    )
    (event,) = pool["events"]
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["userPoolId"] == pool["pool_id"]
    attributes = event["request"]["userAttributes"]
    assert attributes["email"] == "rosa@example.com" and attributes["name"] == "Rosa"
    assert attributes["sub"] == event["userName"]
    assert attributes["email_verified"] == "true"
    again = pool["client"].confirm_sign_up
    assert (
        _code_error(
            again, ClientId=pool["client_id"], Username="rosa@example.com", ConfirmationCode=code
        )
        == "NotAuthorizedException"
    )


def test_srp_proves_the_password(pool: dict[str, Any]) -> None:
    code = _sign_up(pool, "srp@example.com")
    pool["client"].confirm_sign_up(
        ClientId=pool["client_id"], Username="srp@example.com", ConfirmationCode=code
    )

    def user() -> Cognito:
        u = Cognito(
            pool["pool_id"], pool["client_id"], user_pool_region=REGION, username="srp@example.com"
        )
        u.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
        return u

    with pytest.raises(ClientError) as excinfo:
        user().authenticate(password="Corr3ct-Horsf")
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    signed_in = user()
    signed_in.authenticate(password=PASSWORD)
    assert (
        json.loads(json.dumps(signed_in.access_claims))["username"]
        == signed_in.access_claims["sub"]
    )

    with pytest.raises(ClientError) as excinfo:
        Cognito(
            pool["pool_id"],
            pool["client_id"],
            user_pool_region=REGION,
            username="nobody@example.com",
        ).authenticate(password=PASSWORD)
    # PreventUserExistenceErrors: an unknown user looks like a wrong password.
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_password_proof_for_one_user_does_not_sign_in_another(pool: dict[str, Any]) -> None:
    for email in ("alice@example.com", "bob@example.com"):
        code = _sign_up(pool, email)
        pool["client"].confirm_sign_up(
            ClientId=pool["client_id"], Username=email, ConfirmationCode=code
        )
    bob = pool["client"].admin_get_user(UserPoolId=pool["pool_id"], Username="bob@example.com")

    alice = AWSSRP(
        "alice@example.com", PASSWORD, pool["pool_id"], pool["client_id"], client=pool["client"]
    )
    params = alice.get_auth_params()
    challenge = pool["client"].initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    answers = alice.process_challenge(challenge["ChallengeParameters"], params)
    answers["USERNAME"] = bob["Username"]
    respond = pool["client"].respond_to_auth_challenge
    error = _code_error(
        respond,
        ClientId=pool["client_id"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answers,
    )
    assert error == "NotAuthorizedException"


def test_email_sign_in_ignores_case_like_the_pool_says(pool: dict[str, Any]) -> None:
    code = _sign_up(pool, "mixed@example.com")
    pool["client"].confirm_sign_up(
        ClientId=pool["client_id"], Username="Mixed@Example.com", ConfirmationCode=code
    )
    u = Cognito(
        pool["pool_id"], pool["client_id"], user_pool_region=REGION, username="MIXED@example.COM"
    )
    u.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
    u.authenticate(password=PASSWORD)
    sign_up_again = pool["client"].sign_up
    assert (
        _code_error(
            sign_up_again,
            ClientId=pool["client_id"],
            Username="Mixed@example.com",
            Password=PASSWORD,
        )
        == "UsernameExistsException"
    )


def test_moto_alone_would_let_a_wrong_password_in(pool: dict[str, Any]) -> None:
    # Guards the reason this layer exists: if moto ever fixes it, this layer can shrink.
    _sign_up(pool, "stock@example.com")
    cognito_fidelity.uninstall()
    pool["client"].admin_confirm_sign_up(UserPoolId=pool["pool_id"], Username="stock@example.com")
    u = Cognito(
        pool["pool_id"], pool["client_id"], user_pool_region=REGION, username="stock@example.com"
    )
    u.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
    u.authenticate(password="anything-at-all")
    assert u.access_token


def _signed_in(pool: dict[str, Any], email: str) -> Cognito:
    code = _sign_up(pool, email)
    pool["client"].confirm_sign_up(
        ClientId=pool["client_id"], Username=email, ConfirmationCode=code
    )
    u = Cognito(pool["pool_id"], pool["client_id"], user_pool_region=REGION, username=email)
    u.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
    u.authenticate(password=PASSWORD)
    return u


def test_a_refreshed_token_keeps_the_sign_in_time(pool: dict[str, Any]) -> None:
    # The API's "signed in within 5 minutes" (DELETE /me) reads auth_time: a session kept
    # alive by its refresh token must not look like a fresh password.
    u = _signed_in(pool, "refresh@example.com")
    signed_in = u.access_claims["auth_time"]
    time.sleep(1.1)
    u.renew_access_token()
    assert u.access_claims["iat"] > signed_in
    assert u.access_claims["auth_time"] == u.id_claims["auth_time"] == signed_in
    again = _signed_in_again(pool, "refresh@example.com")
    assert again.access_claims["auth_time"] > signed_in  # a new sign-in is a new time


def _signed_in_again(pool: dict[str, Any], email: str) -> Cognito:
    u = Cognito(pool["pool_id"], pool["client_id"], user_pool_region=REGION, username=email)
    u.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
    u.authenticate(password=PASSWORD)
    return u


def test_a_deleted_user_cannot_refresh_or_sign_in_and_the_email_is_free_again(
    pool: dict[str, Any],
) -> None:
    u = _signed_in(pool, "gone@example.com")
    first_sub = u.access_claims["sub"]
    pool["client"].admin_delete_user(UserPoolId=pool["pool_id"], Username=first_sub)
    refresh = pool["client"].initiate_auth
    assert (
        _code_error(
            refresh,
            ClientId=pool["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": u.refresh_token},
        )
        == "NotAuthorizedException"
    )
    with pytest.raises(ClientError) as excinfo:
        _signed_in_again(pool, "gone@example.com")
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert _signed_in(pool, "gone@example.com").access_claims["sub"] != first_sub
