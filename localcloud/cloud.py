"""The local cloud: moto provisioned from template.yaml, the fidelity layer, the gateway.

One `LocalCloud` per process. moto runs in this process twice over the same data: as a
loopback server (for clients in other processes: pycognito, boto3, tests) and through
`mock_aws` (for the in-process handlers and triggers, which skip HTTP: about 2.5x
faster, and the PostConfirmation trigger can write to DynamoDB while Cognito's call is
still being answered).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.moto_server.threaded_moto_server import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.utilities.utils import load_resource

from localcloud import (
    cognito_fidelity,
    dynamodb_transactions,
    persistence,
    state_lock,
    template,
)
from localcloud.gateway import BackgroundServer, Gateway, JwtVerifier, LambdaContext
from localcloud.outbox import Outbox

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
TABLE_NAME = "epoint-local-ledger"
SECRET_NAME = "epoint-local/QrSigningSecret"  # noqa: S105 - a name, not a value
HOST = "127.0.0.1"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".local-cloud"  # git-ignored
# Environment variables that mean "use AWS, not the local cloud".
AWS_SETTINGS = ("EPOINT_API_URL", "EPOINT_USER_POOL_ID", "EPOINT_CLIENT_ID")


class FunctionTimeout(RuntimeError):
    """A handler ran longer than its function's Timeout (Lambda would have killed it)."""


class LocalCloud:
    """moto + fidelity layer + HTTP API gateway, provisioned from template.yaml."""

    def __init__(
        self,
        port: int = 8787,
        moto_port: int = 4566,
        data_dir: Path | str = DEFAULT_DATA_DIR,
        persist: bool = True,
        reset: bool = False,
        region: str = DEFAULT_REGION,
        frontend_origins: list[str] | None = None,
        save_interval_s: float = 15.0,
        stock_transactions: bool = False,
    ) -> None:
        self.port = port
        self.moto_port = moto_port
        self.data_dir = Path(data_dir)
        self.persist = persist
        self.reset = reset
        self.region = region
        self.frontend_origins = frontend_origins
        self.save_interval_s = save_interval_s
        self.stock_transactions = stock_transactions
        self.outbox = Outbox()
        self.refs: dict[str, Any] = {}
        self._mock = mock_aws()
        self._moto: BackgroundServer | None = None
        self._gateway: BackgroundServer | None = None
        self._stop = threading.Event()
        self._saver: threading.Thread | None = None
        self._saved_calls = -1
        self._handlers: dict[str, Any] = {}
        self._handlers_lock = threading.Lock()
        self._containers: dict[str, threading.RLock] = {}
        self.moto_url = ""
        self.api_url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> LocalCloud:
        """Install the fidelity layer, load saved data, provision, and start both servers."""
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
        state_lock.install()
        cognito_fidelity.install()
        if self.stock_transactions:
            dynamodb_transactions.uninstall()
        else:
            dynamodb_transactions.install()
        # Handlers must reach moto in-process, not whatever endpoint the shell points at.
        os.environ.pop("AWS_ENDPOINT_URL", None)
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = self.region
        self._mock.start(reset=True)
        if self.reset:
            persistence.wipe(self.data_dir)
        if self.persist:
            self.outbox = persistence.load(self.data_dir, self.region) or self.outbox
        self._provision()
        cognito_fidelity.settings.outbox = self.outbox
        cognito_fidelity.settings.triggers = {
            name: self._trigger(handler) for name, handler in template.user_pool_triggers().items()
        }
        self._moto = BackgroundServer(
            DomainDispatcherApplication(create_backend_app),
            HOST,
            self.moto_port,
            name="epoint-moto",
            request_handler=MotoRequestHandler,
        )
        self.moto_url = f"http://{HOST}:{self._moto.port}"
        self._gateway = BackgroundServer(
            self._build_gateway(), HOST, self.port, name="epoint-gateway"
        )
        self.api_url = f"http://{HOST}:{self._gateway.port}"
        self._moto.start()
        self._gateway.start()
        if self.persist:
            self._saver = threading.Thread(target=self._save_loop, name="epoint-saver", daemon=True)
            self._saver.start()
        return self

    def stop(self) -> None:
        """Stop serving, then save a final snapshot."""
        self._stop.set()
        for server in (self._gateway, self._moto):
            if server is not None:
                server.stop()
        if self.persist:
            self.save()
        self._mock.stop(remove_data=False)

    def save(self) -> Path:
        """Write a consistent snapshot now."""
        self._saved_calls = state_lock.calls()
        return persistence.save(self.data_dir, self.region, self.outbox)

    def _save_loop(self) -> None:
        while not self._stop.wait(self.save_interval_s):
            if state_lock.calls() != self._saved_calls:
                try:
                    self.save()
                except Exception:
                    log.exception("periodic save failed")

    # ------------------------------------------------------------ provisioning

    def _client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region)

    def _provision(self) -> None:
        refs: dict[str, Any] = {"AWS::Region": self.region, "AWS::AccountId": "123456789012"}
        if self.frontend_origins:
            refs["FrontendOrigins"] = self.frontend_origins

        dynamodb = self._client("dynamodb")
        table_kwargs = template.table_create_kwargs(TABLE_NAME)
        if TABLE_NAME not in dynamodb.list_tables()["TableNames"]:
            dynamodb.create_table(**table_kwargs)
            ttl = template.table_ttl_attribute()
            if ttl:
                dynamodb.update_time_to_live(
                    TableName=TABLE_NAME,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
                )
        else:
            _warn_if_table_drifted(
                dynamodb.describe_table(TableName=TABLE_NAME)["Table"], table_kwargs
            )
        refs["LedgerTable"] = TABLE_NAME
        refs["LedgerTable.Arn"] = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["TableArn"]

        sm = self._client("secretsmanager")
        try:
            refs["QrSigningSecret"] = sm.describe_secret(SecretId=SECRET_NAME)["ARN"]
        except sm.exceptions.ResourceNotFoundException:
            refs["QrSigningSecret"] = sm.create_secret(
                Name=SECRET_NAME, SecretString=_generate_secret(template.secret_generation())
            )["ARN"]

        cognito = self._client("cognito-idp")
        pool_kwargs = template.user_pool_create_kwargs(refs)
        pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
        pool_id = next((p["Id"] for p in pools if p["Name"] == pool_kwargs["PoolName"]), None)
        if pool_id is None:
            pool_id = cognito.create_user_pool(**pool_kwargs)["UserPool"]["Id"]
        refs["UserPool"] = pool_id
        refs["UserPool.Arn"] = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
        client_kwargs = template.user_pool_client_kwargs(refs)
        clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)[
            "UserPoolClients"
        ]
        client_id = next(
            (c["ClientId"] for c in clients if c["ClientName"] == client_kwargs["ClientName"]), None
        )
        if client_id is None:
            client_id = cognito.create_user_pool_client(**client_kwargs)["UserPoolClient"][
                "ClientId"
            ]
        else:
            updatable = {k: v for k, v in client_kwargs.items() if k != "GenerateSecret"}
            cognito.update_user_pool_client(ClientId=client_id, **updatable)
        refs["UserPoolClient"] = client_id

        # What Lambda would put in the functions' environment (TABLE_NAME, QR_SECRET_ARN...).
        for function_id in template.resources_of_type("AWS::Serverless::Function"):
            os.environ.update(template.function_environment(function_id, refs))
        self.refs = refs

    # ------------------------------------------------------------ handlers

    def _handler(self, handler_path: str) -> Any:
        # Imported on first use, so the cloud starts even while the backend is being written.
        with self._handlers_lock:
            if handler_path not in self._handlers:
                module_name, _, attr = handler_path.rpartition(".")
                self._handlers[handler_path] = getattr(importlib.import_module(module_name), attr)
            return self._handlers[handler_path]

    def invoke(self, event: dict[str, Any], handler_path: str, function_id: str) -> Any:
        """Call a template handler in-process with a Lambda-like context, one event at a time.

        A Lambda container never runs two events at once, and handlers rely on that
        (module-level warm caches). In this process each function is one warm container,
        so concurrent requests to it queue, as they would for a function with reserved
        concurrency 1; the DynamoDB conditions still decide every race between functions.
        """
        handler = self._handler(handler_path)
        timeout_s = template.function_timeout_s(function_id)
        with self._container_lock(function_id):
            started = time.monotonic()
            result = handler(event, LambdaContext(function_id, self.region, timeout_s))
        elapsed = time.monotonic() - started
        if elapsed > timeout_s:
            # Deployed, Lambda would have stopped it: fail here too rather than hide it.
            raise FunctionTimeout(
                f"{function_id} timed out after {elapsed:.1f} s (Timeout {timeout_s:g} s)"
            )
        return result

    def _container_lock(self, function_id: str) -> threading.RLock:
        with self._handlers_lock:
            return self._containers.setdefault(function_id, threading.RLock())

    def _trigger(self, handler_path: str) -> Any:
        function_id = template.function_for_handler(handler_path)
        return lambda event: self.invoke(event, handler_path, function_id)

    def _build_gateway(self) -> Gateway:
        verifiers = {
            name: JwtVerifier(authorizer, self.jwks)
            for name, authorizer in template.http_api_authorizers(self.refs).items()
        }
        return Gateway(
            routes=template.http_api_routes(),
            authorizers=verifiers,
            cors=template.http_api_cors(self.refs),
            invoke=self.invoke,
            outbox=self.outbox,
            info=self.info,
        )

    # ------------------------------------------------------------ what clients need

    @property
    def jwks(self) -> dict[str, Any]:
        """The user pool's public keys (moto signs every pool's tokens with one key)."""
        return load_resource("cognitoidp/resources/jwks-public.json")

    def info(self) -> dict[str, Any]:
        """The one JSON line `python -m localcloud` prints (also served at /dev/info)."""
        pool_id = self.refs["UserPool"]
        info: dict[str, Any] = {
            "api_url": self.api_url,
            "cognito_endpoint": self.moto_url,
            "region": self.region,
            "user_pool_id": pool_id,
            "client_id": self.refs["UserPoolClient"],
            "outbox_url": f"{self.api_url}/dev/outbox",
            "jwks_url": f"{self.moto_url}/{pool_id}/.well-known/jwks.json",
            "jwks": self.jwks,
            "table_name": TABLE_NAME,
            "qr_secret_arn": self.refs["QrSigningSecret"],
        }
        info["env"] = client_env_from_info(info)
        return info


def client_env_from_info(info: dict[str, Any]) -> dict[str, str]:
    """The env vars a client process needs, from the JSON line's fields."""
    return {
        "EPOINT_API_URL": info["api_url"],
        "EPOINT_USER_POOL_ID": info["user_pool_id"],
        "EPOINT_CLIENT_ID": info["client_id"],
        "EPOINT_OUTBOX_URL": info["outbox_url"],
        "AWS_REGION": info["region"],
        "AWS_DEFAULT_REGION": info["region"],
        "AWS_ENDPOINT_URL": info["cognito_endpoint"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "COGNITO_JWKS": json.dumps(info["jwks"]),
    }


def _warn_if_table_drifted(saved: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Saved data predates a change to the table's keys or indexes: say how to catch up."""

    def shape(table: dict[str, Any]) -> tuple[Any, ...]:
        indexes = {
            (i["IndexName"], tuple((k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]))
            for i in table.get("GlobalSecondaryIndexes") or []
        }
        keys = tuple((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"])
        return keys, frozenset(indexes)

    if shape(saved) != shape(wanted):
        log.warning(
            "the saved table's keys or indexes differ from template.yaml; "
            "run `python -m localcloud --reset` to start from the template"
        )


def _generate_secret(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-./:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
