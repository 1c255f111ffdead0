"""Claim codes: the receipt's code for a customer who forgot their phone.

At the till, staff close the sale without a scan: the API issues a code bound to the
business and the purchase amount, printed or written on the receipt; the customer types it
on the app's "Claim points" page within `VALID_DAYS`, and the purchase earns then, under the
business's rules for that customer. One use only.

The code is `LENGTH` characters of Crockford's base32 (no I, L, O or U: nothing to confuse
with 1, 0 or V), shown in groups of `GROUP`. 60 random bits: with every business's codes of
a week alive at once (say a million) an attacker would need about 10^12 guesses for one
hit, and the API lets a caller fail a few times an hour (docs/api.md). Typing is forgiving:
lower case, spaces and dashes, and the letters people mistake (I and L for 1, O for 0)
read as they were meant.
"""

from __future__ import annotations

LENGTH = 12
GROUP = 4
VALID_DAYS = 7
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_MISREAD = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = str.maketrans("", "", " -\t")


def normalize(typed: str) -> str | None:
    """The code a person typed, as issued (`LENGTH` upper-case characters), or None if it
    cannot be one."""
    text = (typed or "").upper().translate(_SEPARATORS).translate(_MISREAD)
    if len(text) != LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text


def grouped(code: str) -> str:
    """A code as printed: `7K3M-Q9XA-2HPD`."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def from_bits(value: int) -> str:
    """`LENGTH` characters for `LENGTH * 5` random bits (the API draws them)."""
    chars = []
    for _ in range(LENGTH):
        value, rem = divmod(value, 32)
        chars.append(ALPHABET[rem])
    return "".join(chars)


BITS = LENGTH * 5
