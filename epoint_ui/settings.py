"""The one module that reads ePoint's configuration.

Two ways to run, chosen by the environment and nowhere else:

* **AWS** - `EPOINT_API_URL`, `EPOINT_USER_POOL_ID`, `EPOINT_CLIENT_ID` and `AWS_REGION`
  are all set. Nothing local starts. (The end-to-end tests use this mode too, pointing
  it at a local cloud they run as a subprocess, with `AWS_ENDPOINT_URL` and
  `COGNITO_JWKS` in the environment for boto3 and pycognito.)
* **Local cloud** - none of the `EPOINT_*` ones is set and Reflex runs in dev (`reflex run`,
  the default `--env dev`): the local cloud (moto provisioned from template.yaml, plus the
  local API gateway) starts inside this process (or is reused if another process already
  serves it on its fixed ports).

Anything else fails closed, with a sentence saying what to set, rather than guessing: only
some of them set, or none in `--env prod` (a deployed state server that lost its settings
must not quietly serve customers from an in-memory fake AWS).

The web app's origins (`REFLEX_CORS_ALLOWED_ORIGINS`, Reflex's own setting, so Reflex's
CORS and this app's checks read one list) are the only pages that may open the websocket
or set the session cookie; `--env prod` refuses to start without an explicit list.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from reflex.config import environment, get_config
from reflex.constants import Env

_AWS_VARS = ("EPOINT_API_URL", "EPOINT_USER_POOL_ID", "EPOINT_CLIENT_ID", "AWS_REGION")
# Reflex's default allow-list: any page (fine for `reflex run` on a laptop, never in prod).
ANY_ORIGIN = ("*",)


class SettingsError(RuntimeError):
    """The environment names no usable cloud; the state server does not start."""


@dataclass(frozen=True)
class Settings:
    """Where the API and the user pool are, and optional local-only extras."""

    api_url: str
    user_pool_id: str
    client_id: str
    region: str
    # The local cloud's outbox (the emails Cognito would send); None against AWS.
    outbox_url: str | None = None
    # When set, signed-in sessions live in Redis so several state-server tasks share them,
    # and the state server hears the hint channel there (epoint_ui/hints.py).
    redis_url: str | None = None
    # The local cloud's hint stream (GET /dev/hints); it stands in for Redis pub/sub.
    hints_url: str | None = None
    # Seconds before the access token's expiry at which the session refreshes it
    # (`EPOINT_TOKEN_REFRESH_MARGIN_S`; the browser tests raise it to exercise refresh).
    refresh_margin_s: int = 300
    # How long a browser stays signed in without being used (the session cookie's life).
    session_ttl_s: int = 7 * 24 * 3600
    # The web app's origins (scheme://host[:port]): the only pages that may open the
    # websocket and set the session cookie. ANY_ORIGIN only in dev.
    frontend_origins: tuple[str, ...] = ANY_ORIGIN


def _refresh_margin() -> int:
    return int(os.environ.get("EPOINT_TOKEN_REFRESH_MARGIN_S") or 300)


def _from_environment() -> Settings:
    return Settings(
        api_url=os.environ["EPOINT_API_URL"].rstrip("/"),
        user_pool_id=os.environ["EPOINT_USER_POOL_ID"],
        client_id=os.environ["EPOINT_CLIENT_ID"],
        region=os.environ["AWS_REGION"],
        outbox_url=os.environ.get("EPOINT_OUTBOX_URL") or None,
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        hints_url=os.environ.get("EPOINT_HINTS_URL") or None,
        refresh_margin_s=_refresh_margin(),
    )


def _field(obj: object, name: str) -> object:
    """Reads one field of what the local cloud returns (a mapping or an object)."""
    if isinstance(obj, dict):
        return obj[name]
    return getattr(obj, name)


def _start_local_cloud() -> Settings:
    # Imported here so that an AWS deployment never imports moto.
    from localcloud import embedded

    cloud = embedded.start()
    if cloud is None:  # cannot happen: we only get here without AWS settings
        raise RuntimeError("The local cloud refused to start; see its log.")
    # boto3 (inside pycognito) and pycognito's token check read these from the environment.
    client_env = _field(cloud, "env")
    assert isinstance(client_env, dict)
    for key, value in client_env.items():
        os.environ.setdefault(key, str(value))
    return Settings(
        api_url=str(_field(cloud, "api_url")).rstrip("/"),
        user_pool_id=str(_field(cloud, "user_pool_id")),
        client_id=str(_field(cloud, "client_id")),
        region=str(_field(cloud, "region")),
        outbox_url=str(_field(cloud, "outbox_url")) or None,
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        hints_url=str(client_env.get("EPOINT_HINTS_URL") or "") or None,
        refresh_margin_s=_refresh_margin(),
    )


def which_cloud(environ: Mapping[str, str], reflex_env: Env) -> Literal["aws", "local"]:
    """The cloud these settings and Reflex's mode select, or SettingsError saying what to set."""
    present = [name for name in _AWS_VARS[:3] if environ.get(name)]
    if not present:
        if reflex_env != Env.DEV:
            raise SettingsError(
                f"The state server refuses to start: --env {reflex_env.value} needs the AWS "
                f"settings and none is set. Set {', '.join(_AWS_VARS)}. The local cloud "
                "(moto, no real users or points) starts only with --env dev."
            )
        return "local"
    missing = [name for name in _AWS_VARS if not environ.get(name)]
    if missing:
        raise SettingsError(
            f"Incomplete AWS settings: {', '.join(missing)} missing. "
            f"Set all of {', '.join(_AWS_VARS)} to use AWS, or none of the EPOINT_* ones "
            "to run on the local cloud (--env dev only)."
        )
    return "aws"


def frontend_origins(configured: Sequence[str], reflex_env: Env) -> tuple[str, ...]:
    """The web app's origins from Reflex's allow-list, or SettingsError in prod without one."""
    origins = tuple(origin.strip().rstrip("/") for origin in configured if origin.strip())
    if origins and "*" not in origins:
        return origins
    if reflex_env != Env.DEV:
        raise SettingsError(
            f"The state server refuses to start: --env {reflex_env.value} needs "
            "REFLEX_CORS_ALLOWED_ORIGINS set to the web app's origin(s), e.g. "
            "https://app.example.com (any page could open the websocket otherwise)."
        )
    return ANY_ORIGIN


@functools.cache
def get_settings() -> Settings:
    """The app's settings; in dev with no AWS settings, the first call starts the local cloud."""
    reflex_env = environment.REFLEX_ENV_MODE.get()
    cloud = which_cloud(os.environ, reflex_env)
    origins = frontend_origins(get_config().cors_allowed_origins, reflex_env)
    settings = _start_local_cloud() if cloud == "local" else _from_environment()
    return replace(settings, frontend_origins=origins)
