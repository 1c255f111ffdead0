"""Unit suite: the Lambda handlers in-process against moto, driven by real API Gateway v2 events."""

import os
import threading

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "TABLE_NAME": "epoint-unit",
        "QR_SECRET_ARN": "epoint-qr-unit",
        "UNSUBSCRIBE_SECRET_ARN": "epoint-unsubscribe-unit",
        "UNSUBSCRIBE_URL": "https://unit.execute-api.eu-west-1.amazonaws.com/unsubscribe",
        "APP_URL": "https://app.example.com",
        "MAIL_FROM": "no-reply@mail.epoint.localhost",
        "MAIL_CONFIGURATION_SET": "epoint-unit",
        "POWERTOOLS_SERVICE_NAME": "epoint",
        "POWERTOOLS_METRICS_NAMESPACE": "ePoint",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_DEV": "false",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from backend import clock, config
from backend.dal import cache, qr_secret, secrets, ses, user_pool
from backend.dal import dynamodb as db
from localcloud import dynamodb_streams
from localcloud.template import table_create_kwargs
from tests.support.world import TRUSTING_STAFF_LIMITS, Business, InProcess, Person, World

QR_SECRET = "unit-test-signing-key-0123456789abcdef"
UNSUBSCRIBE_SECRET = "unit-test-unsubscribe-key-0123456789abcdef"
# The environment as set above, before any suite ran: restored around each test module,
# because suites that ran earlier in the session (e2e, integration) may have pointed the
# environment at a local cloud they started, and moto only intercepts AWS endpoints.
UNIT_ENVIRON = dict(os.environ)

# moto's DynamoDB backend is not thread-safe (a failed TransactWriteItems restores a deep
# copy of the whole table, wiping writes made meanwhile). Real DynamoDB serialises writes
# per item; serialising moto's backend calls gives the concurrency tests the same footing.
_moto_lock = threading.RLock()


def _serialised(method):
    def locked(self, *args, **kwargs):
        with _moto_lock:
            return method(self, *args, **kwargs)

    return locked


# The table has a stream (template.yaml): moto's streams as the local cloud runs them.
dynamodb_streams.install()

for _name in (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "transact_write_items",
    "batch_get_item",
):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))


@pytest.fixture(scope="module")
def moto_account():
    """A moto account per test module (starting moto per test costs ~0.5 s): the QR secret
    and the user pool (account deletion deletes its Cognito user there).

    Module scope, not session: moto must not stay switched on for suites that run later
    in the same pytest session and talk to a real endpoint.
    """
    with pytest.MonkeyPatch.context() as env:
        for name in set(os.environ) - set(UNIT_ENVIRON):
            env.delenv(name)
        for name, value in UNIT_ENVIRON.items():
            env.setenv(name, value)
        with mock_aws():
            boto3.client("secretsmanager").create_secret(
                Name=config.QR_SECRET_ARN, SecretString=QR_SECRET
            )
            pool = boto3.client("cognito-idp").create_user_pool(PoolName="epoint-unit")
            env.setattr(config, "USER_POOL_ID", pool["UserPool"]["Id"])
            boto3.client("secretsmanager").create_secret(
                Name=config.UNSUBSCRIBE_SECRET_ARN, SecretString=UNSUBSCRIBE_SECRET
            )
            db.reset_client()
            user_pool.reset_client()
            ses.reset_client()
            qr_secret.signing_key.cache_clear()
            secrets.secret_string.cache_clear()
            yield boto3.client("dynamodb")
            db.reset_client()
            user_pool.reset_client()
            ses.reset_client()
            qr_secret.signing_key.cache_clear()
            secrets.secret_string.cache_clear()


@pytest.fixture(autouse=True)
def aws(moto_account):
    """A fresh table per test, created from template.yaml, and a cold container."""
    if config.TABLE_NAME in moto_account.list_tables()["TableNames"]:
        moto_account.delete_table(TableName=config.TABLE_NAME)
    moto_account.create_table(**table_create_kwargs(config.TABLE_NAME))
    cache.clear()
    clock.reset()
    # Per-caller limits count in windows fixed in real time; a test that crossed a minute's
    # boundary would meet two allowances. Each starts at the top of a minute (the clock
    # moves less than 60 s), so it has a whole window.
    clock.advance(60 - clock.now() % 60)
    yield
    clock.reset()
    cache.clear()


@pytest.fixture
def world() -> World:
    """The world builder on the in-process transport (backend.app.handler on this moto)."""
    return World(InProcess())


@pytest.fixture
def shop(world: World) -> Business:
    """Café Rosa: its owner, one staff member (who serves at the till) and a 100-point reward.

    Its owner trusts the till (no staff limits to speak of), so the suite's earns test the
    ledger; tests/unit/test_staff_fraud.py tests the owner's limits themselves."""
    business = world.business(world.owner(), staff_limits=TRUSTING_STAFF_LIMITS)
    world.staff(business)
    world.reward(business, "Free coffee", 100)
    return business


@pytest.fixture
def staff(shop: Business) -> Person:
    """Café Rosa's staff member."""
    return shop.staff[0]


@pytest.fixture
def customer(world: World) -> Person:
    """A customer, signed up."""
    return world.customer()
