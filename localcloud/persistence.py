"""Saves and loads the local cloud's state: Cognito users, DynamoDB items, secrets, outbox.

A snapshot is taken while every moto service lock is held, so it falls between two
operations (never inside a transaction or a sign-up), and written atomically (temp file
in the same folder, fsync, rename): a crash leaves the previous snapshot intact. The
format is a pickle of moto's own objects, which keeps everything moto knows (pool and
client ids, passwords, codes, refresh tokens) without a second data model; it is
tied to the pinned moto version, so a version change starts fresh.
"""

from __future__ import annotations

import copyreg
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.cognitoidp.models import cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.secretsmanager.models import secretsmanager_backends

from localcloud.outbox import Outbox
from localcloud.state_lock import all_services_locked

log = logging.getLogger(__name__)
STATE_FILE = "state.pickle"
_FORMAT = 1


def _load_rsa_key(pem: bytes) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key(pem, password=None)  # type: ignore[return-value]


def _reduce_rsa_key(key: rsa.RSAPrivateKey) -> tuple[Any, tuple[bytes]]:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _load_rsa_key, (pem,)


def _register_key_pickling() -> None:
    # moto's user pools hold their signing key as a `cryptography` object, which has no
    # pickle support of its own.
    from cryptography.hazmat.bindings._rust import openssl

    copyreg.pickle(openssl.rsa.RSAPrivateKey, _reduce_rsa_key)


_register_key_pickling()


def _backends(region: str) -> tuple[Any, Any, Any]:
    return (
        cognitoidp_backends[DEFAULT_ACCOUNT_ID][region],
        dynamodb_backends[DEFAULT_ACCOUNT_ID][region],
        secretsmanager_backends[DEFAULT_ACCOUNT_ID][region],
    )


@dataclass
class Restored:
    """What a snapshot gives back besides moto's data."""

    outbox: Outbox
    # function -> shard -> last stream sequence number its event source handled
    stream_checkpoints: dict[str, dict[str, str]] = field(default_factory=dict)


def save(
    data_dir: Path,
    region: str,
    outbox: Outbox,
    stream_checkpoints: dict[str, dict[str, str]] | None = None,
) -> Path:
    """Write one consistent snapshot of the local cloud's state; returns the file."""
    cognito, dynamodb, secrets = _backends(region)
    with all_services_locked():
        blob = pickle.dumps(
            {
                "format": _FORMAT,
                "moto": moto.__version__,
                "user_pools": cognito.user_pools,
                "tables": dynamodb.tables,
                "secrets": secrets.secrets,
                "outbox": outbox.to_json(),
                "streams": stream_checkpoints or {},
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / STATE_FILE
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=data_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load(data_dir: Path, region: str) -> Restored | None:
    """Restore a saved snapshot into moto; returns its outbox and checkpoints, or None."""
    path = data_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)  # noqa: S301 - our own file, in a git-ignored local folder
    except Exception:
        log.exception("could not read %s; starting with empty local data", path)
        return None
    if state.get("format") != _FORMAT or state.get("moto") != moto.__version__:
        log.warning("%s was saved by another version; starting with empty local data", path)
        return None
    cognito, dynamodb, secrets = _backends(region)
    with all_services_locked():
        cognito.user_pools = state["user_pools"]
        dynamodb.tables = state["tables"]
        secrets.secrets = state["secrets"]
    return Restored(Outbox.from_json(state["outbox"]), state.get("streams") or {})


def wipe(data_dir: Path) -> None:
    """Delete saved local data (`python -m localcloud --reset`)."""
    (data_dir / STATE_FILE).unlink(missing_ok=True)
