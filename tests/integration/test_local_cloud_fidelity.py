"""Focused tests of the fidelity layer, in-process against moto (the same code the local cloud runs).

The transaction rollback is checked side by side with moto's stock implementation: the
same scenario must give the same answers (incl. CancellationReasons) and the same table.
"""

from __future__ import annotations

import base64
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
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from localcloud import (
    cognito_fidelity,
    cognito_mfa,
    dynamodb_transactions,
    state_lock,
    template,
    totp,
)
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
        client.set_user_pool_mfa_config(UserPoolId=pool_id, **template.user_pool_mfa_config())
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


# ---------------------------------------------------------------- two-step sign-in


def test_codes_follow_rfc_6238() -> None:
    # RFC 6238 appendix B (SHA-1, the ASCII secret "12345678901234567890"), last 6 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59) == "287082"
    assert totp.code_at(secret, 1111111109) == "081804"
    assert totp.code_at(secret, 2000000000) == "279037"
    assert totp.matching_step(secret, "081804", 1111111109 + 30) == 1111111109 // 30
    assert totp.matching_step(secret, "081804", 1111111109 + 60) is None
    assert totp.matching_step(secret, "081804", 1111111109, after_step=1111111109 // 30) is None


@pytest.fixture
def frozen(pool: dict[str, Any]) -> dict[str, float]:
    """The layer's clock, standing still until a test moves it (`frozen["now"] += 30`)."""
    clock = {"now": 1_800_000_000.0}
    cognito_fidelity.settings.clock = lambda: clock["now"]
    return clock


def _person(pool: dict[str, Any], email: str) -> Cognito:
    """A confirmed user, signed in (pycognito, SRP)."""
    code = _sign_up(pool, email)
    pool["client"].confirm_sign_up(
        ClientId=pool["client_id"], Username=email, ConfirmationCode=code
    )
    user = _pycognito(pool, email)
    user.authenticate(password=PASSWORD)
    return user


def _pycognito(pool: dict[str, Any], email: str) -> Cognito:
    user = Cognito(pool["pool_id"], pool["client_id"], user_pool_region=REGION, username=email)
    user.pool_jwk = load_resource("cognitoidp/resources/jwks-public.json")
    return user


def _with_two_step(pool: dict[str, Any], email: str, now: float) -> str:
    """A user who set up an authenticator and turned two-step sign-in on; their secret."""
    user = _person(pool, email)
    secret = user.associate_software_token()
    assert user.verify_software_token(totp.code_at(secret, now))
    user.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")
    return secret


def _challenged(pool: dict[str, Any], email: str) -> Cognito:
    """The password proven; the user now owes a code (pycognito keeps the session)."""
    user = _pycognito(pool, email)
    with pytest.raises(SoftwareTokenMFAChallengeException):
        user.authenticate(password=PASSWORD)
    return user


def test_each_user_gets_their_own_secret_and_verifying_needs_its_code(
    pool: dict[str, Any], frozen: dict[str, float]
) -> None:
    rosa, carl = _person(pool, "rosa@example.com"), _person(pool, "carl@example.com")
    secret = rosa.associate_software_token()
    assert len(secret) == 32 and secret != carl.associate_software_token()
    with pytest.raises(ClientError) as excinfo:
        rosa.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")  # nothing verified yet
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    wrong = totp.code_at(secret, frozen["now"] + 300)
    with pytest.raises(ClientError) as excinfo:
        rosa.verify_software_token(wrong)
    assert excinfo.value.response["Error"]["Code"] == "EnableSoftwareTokenMFAException"
    assert rosa.verify_software_token(totp.code_at(secret, frozen["now"]))
    rosa.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")
    settings = pool["client"].get_user(AccessToken=rosa.access_token)
    assert settings["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert settings["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_sign_in_asks_for_a_fresh_code_after_the_password(
    pool: dict[str, Any], frozen: dict[str, float]
) -> None:
    secret = _with_two_step(pool, "two@example.com", frozen["now"])
    frozen["now"] += 30  # the code used to set it up is spent
    user = _challenged(pool, "two@example.com")
    code_error = pool["client"].respond_to_auth_challenge
    tokens = user.mfa_tokens
    wrong = totp.code_at(secret, frozen["now"] + 120)
    answer = {"USERNAME": "two@example.com", "SOFTWARE_TOKEN_MFA_CODE": wrong}
    assert (
        _code_error(
            code_error,
            ClientId=pool["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=tokens["Session"],
            ChallengeResponses=answer,
        )
        == "CodeMismatchException"
    )
    # The same session may try again: a typo does not send the person back to the password.
    user.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    assert user.access_claims["sub"]

    # The code just used signs nobody in again, not even its owner (RFC 6238 5.2).
    again = _challenged(pool, "two@example.com")
    with pytest.raises(ClientError) as excinfo:
        again.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    assert excinfo.value.response["Error"]["Code"] == "CodeMismatchException"
    frozen["now"] += 30
    again.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    assert again.access_token


def test_a_code_for_one_user_does_not_sign_in_another(
    pool: dict[str, Any], frozen: dict[str, float]
) -> None:
    _with_two_step(pool, "alice@example.com", frozen["now"])
    bob_secret = _with_two_step(pool, "bob@example.com", frozen["now"])
    frozen["now"] += 30
    alice = _challenged(pool, "alice@example.com")  # an attacker who knows alice's password...
    respond = pool["client"].respond_to_auth_challenge
    answer = {  # ...answers alice's challenge as bob, with bob's code
        "USERNAME": "bob@example.com",
        "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(bob_secret, frozen["now"]),
    }
    error = _code_error(
        respond,
        ClientId=pool["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=alice.mfa_tokens["Session"],
        ChallengeResponses=answer,
    )
    assert error == "NotAuthorizedException"


def test_a_challenge_dies_after_three_minutes_or_five_wrong_codes(
    pool: dict[str, Any], frozen: dict[str, float]
) -> None:
    secret = _with_two_step(pool, "slow@example.com", frozen["now"])
    frozen["now"] += 30
    user = _challenged(pool, "slow@example.com")
    frozen["now"] += 181
    with pytest.raises(ClientError) as excinfo:
        user.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"

    guesser = _challenged(pool, "slow@example.com")
    wrong = totp.code_at(secret, frozen["now"] + 600)
    for _ in range(cognito_mfa.MAX_WRONG_CODES):
        with pytest.raises(ClientError) as excinfo:
            guesser.respond_to_software_token_mfa_challenge(wrong)
        assert excinfo.value.response["Error"]["Code"] == "CodeMismatchException"
    with pytest.raises(ClientError) as excinfo:
        guesser.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_turned_off_or_replaced_the_password_alone_signs_in(
    pool: dict[str, Any], frozen: dict[str, float]
) -> None:
    secret = _with_two_step(pool, "off@example.com", frozen["now"])
    frozen["now"] += 30
    user = _challenged(pool, "off@example.com")
    user.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    user.set_user_mfa_preference(False, False)
    _pycognito(pool, "off@example.com").authenticate(password=PASSWORD)  # moto would challenge

    # A new authenticator replaces the old one at once; unverified, the password is enough.
    secret = _with_two_step(pool, "new@example.com", frozen["now"])
    frozen["now"] += 30
    user = _challenged(pool, "new@example.com")
    user.respond_to_software_token_mfa_challenge(totp.code_at(secret, frozen["now"]))
    user.associate_software_token()
    _pycognito(pool, "new@example.com").authenticate(password=PASSWORD)


def test_moto_alone_gives_everyone_one_secret_and_takes_any_code(pool: dict[str, Any]) -> None:
    # Guards the reason `cognito_mfa` exists: if moto ever fixes it, the layer can shrink.
    rosa, carl = _person(pool, "rosa@example.com"), _person(pool, "carl@example.com")
    cognito_fidelity.uninstall()
    assert rosa.associate_software_token() == carl.associate_software_token()
    assert rosa.verify_software_token("000000")


# ---------------------------------------------------------------- attributes and existence


def test_an_email_change_waits_for_the_code_sent_to_the_new_address(pool: dict[str, Any]) -> None:
    rosa = _person(pool, "rosa@example.com")
    client = pool["client"]
    # Someone holding Rosa's access token points her account at their own address...
    answer = client.update_user_attributes(
        AccessToken=rosa.access_token,
        UserAttributes=[{"Name": "email", "Value": "thief@example.com"}],
    )
    assert answer["CodeDeliveryDetailsList"][0]["Destination"] == "t***@e***"
    # ...and nothing changed: Rosa's address still signs her in, theirs signs nobody in.
    attributes = {
        a["Name"]: a["Value"]
        for a in client.get_user(AccessToken=rosa.access_token)["UserAttributes"]
    }
    assert attributes["email"] == "rosa@example.com" and attributes["email_verified"] == "true"
    _pycognito(pool, "rosa@example.com").authenticate(password=PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        _pycognito(pool, "thief@example.com").authenticate(password=PASSWORD)
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    # Only the code that went to the new address makes it hers.
    outbox = cognito_fidelity.settings.outbox
    (sent,) = outbox.messages("thief@example.com")
    wrong = "000000" if sent.code != "000000" else "111111"
    verify = client.verify_user_attribute
    error = _code_error(verify, AccessToken=rosa.access_token, AttributeName="email", Code=wrong)
    assert error == "CodeMismatchException"
    client.verify_user_attribute(
        AccessToken=rosa.access_token, AttributeName="email", Code=sent.code
    )
    _pycognito(pool, "thief@example.com").authenticate(password=PASSWORD)


def test_no_client_writes_what_it_was_not_given(pool: dict[str, Any]) -> None:
    rosa = _person(pool, "rosa@example.com")
    client = pool["client"]
    update = client.update_user_attributes
    # Marking an address verified is Cognito's job (a code proves it), never a client's.
    error = _code_error(
        update,
        AccessToken=rosa.access_token,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    assert error == "NotAuthorizedException"
    sign_up = client.sign_up
    error = _code_error(
        sign_up,
        ClientId=pool["client_id"],
        Username="claim@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    assert error == "NotAuthorizedException"
    # The display name is the client's to change.
    client.update_user_attributes(
        AccessToken=rosa.access_token, UserAttributes=[{"Name": "name", "Value": "Rosa M."}]
    )
    # And, like Cognito, a client that could not write a required attribute is refused:
    # email stays in the template's WriteAttributes for that reason.
    create = client.create_user_pool_client
    error = _code_error(
        create, UserPoolId=pool["pool_id"], ClientName="narrow", WriteAttributes=["name"]
    )
    assert error == "InvalidParameterException"


def test_unknown_users_get_the_answers_known_ones_get(pool: dict[str, Any]) -> None:
    client, client_id = pool["client"], pool["client_id"]
    client.sign_up(ClientId=client_id, Username="pending@example.com", Password=PASSWORD)
    known = client.resend_confirmation_code(ClientId=client_id, Username="pending@example.com")
    unknown = client.resend_confirmation_code(ClientId=client_id, Username="nobody@example.com")
    assert known["CodeDeliveryDetails"] == {
        **unknown["CodeDeliveryDetails"],
        "Destination": "p***@e***",
    }
    assert unknown["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    reset = client.forgot_password(ClientId=client_id, Username="nobody@example.com")
    assert reset["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    assert cognito_fidelity.settings.outbox.messages("nobody@example.com") == []
    for call, extra in (
        (client.confirm_sign_up, {}),
        (client.confirm_forgot_password, {"Password": PASSWORD}),
    ):
        error = _code_error(
            call,
            ClientId=client_id,
            Username="nobody@example.com",
            ConfirmationCode="123456",
            **extra,
        )
        assert error == "CodeMismatchException"


def _signed_in_again(pool: dict[str, Any], email: str) -> Cognito:
    """A new SRP sign-in of an existing user."""
    user = _pycognito(pool, email)
    user.authenticate(password=PASSWORD)
    return user


def test_a_refreshed_token_keeps_the_sign_in_time(pool: dict[str, Any]) -> None:
    # The API's "signed in within 5 minutes" (DELETE /me) reads auth_time: a session kept
    # alive by its refresh token must not look like a fresh password.
    u = _person(pool, "refresh@example.com")
    signed_in = u.access_claims["auth_time"]
    time.sleep(1.1)
    u.renew_access_token()
    assert u.access_claims["iat"] > signed_in
    assert u.access_claims["auth_time"] == u.id_claims["auth_time"] == signed_in
    again = _signed_in_again(pool, "refresh@example.com")
    assert again.access_claims["auth_time"] > signed_in  # a new sign-in is a new time


def test_a_deleted_user_cannot_refresh_or_sign_in_and_the_email_is_free_again(
    pool: dict[str, Any],
) -> None:
    u = _person(pool, "gone@example.com")
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
    assert _person(pool, "gone@example.com").access_claims["sub"] != first_sub
