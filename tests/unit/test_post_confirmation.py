"""The Cognito PostConfirmation trigger creates the user record, once."""

from backend.dal import dynamodb as db
from backend.dal import keys
from backend.triggers.post_confirmation import handler
from tests.support.lambda_events import LambdaContext, post_confirmation_event
from tests.support.world import call


def confirm(attributes):
    event = post_confirmation_event(attributes)
    return event, handler(event, LambdaContext())


def test_creates_profile_and_email_lookup():
    event, returned = confirm({"sub": "u-1", "email": "Ana.Lima@Example.com", "name": "Ana Lima"})
    assert returned == event
    me = call("GET", "/me", user="u-1").body
    assert (me["email"], me["display_name"]) == ("ana.lima@example.com", "Ana Lima")
    assert db.get(keys.email("ana.lima@example.com"), "USER")["user_id"] == "u-1"


def test_display_name_defaults_to_the_email_local_part():
    confirm({"sub": "u-2", "email": "bo@example.com"})
    assert call("GET", "/me", user="u-2").body["display_name"] == "bo"


def test_redelivery_neither_fails_nor_overwrites():
    confirm({"sub": "u-3", "email": "cy@example.com", "name": "Cy"})
    call("PATCH", "/me", user="u-3", body={"display_name": "Cyril"})
    _, returned = confirm({"sub": "u-3", "email": "cy@example.com", "name": "Cy"})
    assert returned["request"]["userAttributes"]["sub"] == "u-3"
    assert call("GET", "/me", user="u-3").body["display_name"] == "Cyril"
