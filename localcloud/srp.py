"""The server half of Cognito's SRP-6a sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER).

moto answers USER_SRP_AUTH with a random SRP_B and accepts any PASSWORD_CLAIM_SIGNATURE,
so a wrong password signs in. Real Cognito proves the password; so do we, with the same
group (RFC 5054, 3072-bit), hash (SHA-256), key derivation (HKDF, "Caldera Derived Key")
and signed message (pool-id suffix + user id + secret block + timestamp) that Cognito's
clients (pycognito, Amplify) compute. moto keeps the password itself, so the verifier
`v = g^x` is derived at sign-in time with a fresh salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2


def _pad(value: int | str) -> str:
    """Hex with a leading zero byte when the top bit is set (Cognito's two's-complement padding)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdefABCDEF":
        return "00" + text
    return text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex(_pad(N) + _pad(G))


@dataclass
class SrpChallenge:
    """One sign-in attempt between USER_SRP_AUTH and PASSWORD_VERIFIER."""

    pool_name: str  # the part of the pool id after "_"
    user_id: str  # USER_ID_FOR_SRP (the user's sub)
    salt_hex: str
    verifier: int | None  # None: unknown user, can never succeed
    big_a: int
    small_b: int
    big_b: int
    secret_block: str  # base64, echoed back by the client

    @property
    def srp_b_hex(self) -> str:
        return f"{self.big_b:x}"


def start(pool_id: str, user_id: str, password: str | None, srp_a_hex: str) -> SrpChallenge:
    """Answer the client's A with a salt, B and a secret block (ValueError on a bad A)."""
    big_a = int(srp_a_hex, 16)
    if big_a % N == 0:
        raise ValueError("SRP_A is not a valid public value")
    pool_name = pool_id.split("_", 1)[1]
    salt_hex = secrets.token_hex(16)
    verifier = None
    if password is not None:
        identity = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
        x = _hash_hex(_pad(salt_hex) + identity)
        verifier = pow(G, x, N)
    small_b = secrets.randbits(1024) % N
    # An unknown user still gets a well-formed B, so the answer does not reveal existence.
    big_b = (K * (verifier or secrets.randbits(1024)) + pow(G, small_b, N)) % N
    secret_block = base64.standard_b64encode(secrets.token_bytes(64)).decode()
    return SrpChallenge(pool_name, user_id, salt_hex, verifier, big_a, small_b, big_b, secret_block)


def verify(challenge: SrpChallenge, timestamp: str, signature_b64: str) -> bool:
    """True when the client's PASSWORD_CLAIM_SIGNATURE proves it knows the password."""
    if challenge.verifier is None:
        return False
    u = _hash_hex(_pad(challenge.big_a) + _pad(challenge.big_b))
    if u == 0:
        return False
    shared = pow(challenge.big_a * pow(challenge.verifier, u, N), challenge.small_b, N)
    prk = hmac.new(bytes.fromhex(_pad(u)), bytes.fromhex(_pad(shared)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = (
        challenge.pool_name.encode()
        + challenge.user_id.encode()
        + base64.standard_b64decode(challenge.secret_block)
        + timestamp.encode()
    )
    expected = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature_b64.encode())
