"""Signing up and in against the local cloud, as the app does it (pycognito over HTTP)."""

from __future__ import annotations

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.local_cloud import (
    PASSWORD,
    RunningCloud,
    bearer,
    cognito_client,
    confirmed_user,
    new_email,
    outbox_code,
    pycognito_user,
    signed_up_user,
)


def _error_code(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    error = excinfo.value
    assert isinstance(error, ClientError)
    return error.response["Error"]["Code"]


def test_the_json_line_tells_clients_everything_they_need(cloud: RunningCloud) -> None:
    for field in (
        "api_url",
        "cognito_endpoint",
        "region",
        "user_pool_id",
        "client_id",
        "outbox_url",
        "jwks_url",
    ):
        assert cloud.info[field], field
    assert cloud.info["jwks"]["keys"]
    assert cloud.info["env"]["EPOINT_API_URL"] == cloud.api_url


def test_sign_up_needs_the_emailed_code(cloud: RunningCloud) -> None:
    email = new_email()
    user = pycognito_user(cloud.info, email)
    user.set_base_attributes(email=email, name="Rosa")
    user.register(email, PASSWORD)
    code = outbox_code(cloud.info, email)
    assert len(code) == 6 and code.isdigit()

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as excinfo:
        user.confirm_sign_up(wrong, username=email)
    assert _error_code(excinfo) == "CodeMismatchException"
    with pytest.raises(ClientError) as excinfo:
        user.authenticate(password=PASSWORD)
    assert _error_code(excinfo) == "UserNotConfirmedException"

    user.confirm_sign_up(code, username=email)
    user.authenticate(password=PASSWORD)
    assert user.access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert user.id_claims["email"] == email
    attributes = {
        a["Name"]: a["Value"]
        for a in cognito_client(cloud.info).get_user(AccessToken=user.access_token)[
            "UserAttributes"
        ]
    }
    assert attributes["email_verified"] == "true"


def test_the_refresh_token_renews_the_access_token(cloud: RunningCloud) -> None:
    user = signed_up_user(cloud.info)
    first = user.access_token
    user.renew_access_token()
    assert user.access_token and user.access_token != first
    answer = httpx.get(f"{cloud.api_url}/me", headers=bearer(user.access_token), timeout=30)
    assert answer.status_code == 200


def test_a_resent_code_replaces_the_first(cloud: RunningCloud) -> None:
    email = new_email()
    user = pycognito_user(cloud.info, email)
    user.set_base_attributes(email=email)
    user.register(email, PASSWORD)
    first = outbox_code(cloud.info, email)
    cognito_client(cloud.info).resend_confirmation_code(ClientId=cloud.client_id, Username=email)
    second = outbox_code(cloud.info, email)
    if first != second:  # one in a million they collide
        with pytest.raises(ClientError) as excinfo:
            user.confirm_sign_up(first, username=email)
        assert _error_code(excinfo) == "ExpiredCodeException"
    user.confirm_sign_up(second, username=email)


def test_a_wrong_password_is_refused_under_srp(cloud: RunningCloud) -> None:
    user = confirmed_user(cloud.info)
    with pytest.raises(ClientError) as excinfo:
        user.authenticate(password="Wr0ng-Password")
    assert _error_code(excinfo) == "NotAuthorizedException"
    user.authenticate(password=PASSWORD)
    assert user.access_token


def test_password_sign_in_stays_refused_when_the_client_does_not_allow_it(
    cloud: RunningCloud,
) -> None:
    email = confirmed_user(cloud.info).username
    with pytest.raises(ClientError) as excinfo:
        cognito_client(cloud.info).initiate_auth(
            ClientId=cloud.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
    assert _error_code(excinfo) == "InvalidParameterException"


def test_a_forgotten_password_is_reset_with_the_emailed_code(cloud: RunningCloud) -> None:
    email = new_email()
    user = pycognito_user(cloud.info, email)
    user.set_base_attributes(email=email)
    user.register(email, PASSWORD)
    user.confirm_sign_up(outbox_code(cloud.info, email), username=email)

    user.initiate_forgot_password()
    code = outbox_code(cloud.info, email, purpose="forgot_password")
    with pytest.raises(ClientError) as excinfo:
        user.confirm_forgot_password("000000" if code != "000000" else "111111", "N3w-Password")
    assert _error_code(excinfo) == "CodeMismatchException"
    user.confirm_forgot_password(code, "N3w-Password")
    user.authenticate(password="N3w-Password")
    with pytest.raises(ClientError):
        pycognito_user(cloud.info, email).authenticate(password=PASSWORD)


def test_the_outbox_page_shows_codes(cloud: RunningCloud, api) -> None:
    email = new_email()
    user = pycognito_user(cloud.info, email)
    user.set_base_attributes(email=email)
    user.register(email, PASSWORD)
    page = api.get("/dev/outbox")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert email in page.text and outbox_code(cloud.info, email) in page.text
