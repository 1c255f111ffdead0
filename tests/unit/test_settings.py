"""epoint_ui/settings.py: which cloud the state server talks to, and when it refuses to start."""

import pytest
from reflex.constants import Env

from epoint_ui.settings import ANY_ORIGIN, SettingsError, frontend_origins, which_cloud

AWS = {
    "EPOINT_API_URL": "https://api.example.com",
    "EPOINT_USER_POOL_ID": "eu-west-1_example",
    "EPOINT_CLIENT_ID": "exampleclientid",
    "AWS_REGION": "eu-west-1",
}


@pytest.mark.parametrize("mode", list(Env))
def test_all_four_aws_settings_select_aws_in_every_mode(mode):
    assert which_cloud(AWS, mode) == "aws"


def test_no_settings_in_dev_start_the_local_cloud():
    assert which_cloud({}, Env.DEV) == "local"
    # Unrelated variables (a developer's shell) change nothing; empty values count as unset.
    assert which_cloud({"AWS_REGION": "eu-west-1", "EPOINT_API_URL": ""}, Env.DEV) == "local"


@pytest.mark.parametrize("mode", [Env.PROD, Env.PREVIEW])
def test_no_settings_outside_dev_refuse_to_start_instead_of_running_moto(mode):
    """A deployed state server that lost its settings must not serve customers from a fake AWS."""
    with pytest.raises(SettingsError) as refused:
        which_cloud({"AWS_REGION": "eu-west-1"}, mode)
    message = str(refused.value)
    assert f"refuses to start: --env {mode.value} needs the AWS settings" in message
    for name in AWS:
        assert name in message


@pytest.mark.parametrize("mode", list(Env))
@pytest.mark.parametrize("left_out", sorted(AWS))
def test_some_settings_fail_loudly_and_name_what_is_missing(mode, left_out):
    given = {name: value for name, value in AWS.items() if name != left_out}
    with pytest.raises(SettingsError, match=f"Incomplete AWS settings: {left_out} missing"):
        which_cloud(given, mode)


@pytest.mark.parametrize("configured", [("*",), (), ("https://app.example.com", "*")])
@pytest.mark.parametrize("mode", [Env.PROD, Env.PREVIEW])
def test_outside_dev_any_origin_refuses_to_start(configured, mode):
    """In production only the web app's pages may open the websocket: the list must be explicit."""
    with pytest.raises(SettingsError, match="needs REFLEX_CORS_ALLOWED_ORIGINS"):
        frontend_origins(configured, mode)


def test_the_web_apps_origins_are_taken_as_given_without_trailing_slashes():
    configured = ["https://app.example.com/", " http://localhost:3000"]
    expected = ("https://app.example.com", "http://localhost:3000")
    assert frontend_origins(configured, Env.PROD) == expected
    assert frontend_origins(("*",), Env.DEV) == ANY_ORIGIN  # `reflex run` on a laptop
