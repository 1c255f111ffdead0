"""The error contract: every refusal is its own class with its own code, listed in docs/api.md."""

import re
from pathlib import Path

import pytest

from backend.logic import errors

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _descendants(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_descendants(sub)]
    return found


FAMILIES = [
    c for c in [errors.DomainError, *_descendants(errors.DomainError)] if c.__subclasses__()
]
REFUSALS = [c for c in _descendants(errors.DomainError) if "code" in vars(c)]


def _documented() -> dict[str, int]:
    """code -> status, from the table under "## Errors" in docs/api.md."""
    section = API_DOC.read_text().split("## Errors", 1)[1].split("\n## ", 1)[0]
    table: dict[str, int] = {}
    for row in re.finditer(r"^\| (\d{3}) \| (.+) \|$", section, re.MULTILINE):
        for code in re.findall(r"`([a-z_]+)`", row.group(2)):
            assert code not in table, f"{code} is listed twice in docs/api.md"
            table[code] = int(row.group(1))
    return table


def test_every_domain_error_is_a_refusal_with_its_own_code_or_a_family():
    for cls in _descendants(errors.DomainError):
        assert cls in REFUSALS or cls in FAMILIES, f"{cls.__name__} borrows its family's code"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda c: c.__name__)
def test_a_family_of_refusals_cannot_be_raised_as_such(family):
    with pytest.raises(TypeError):
        family("Something went wrong.")


def test_no_two_refusals_share_a_code():
    codes = [cls.code for cls in REFUSALS]
    assert sorted(codes) == sorted(set(codes))


def test_every_refusal_is_listed_in_the_api_doc_with_its_status():
    documented = _documented()
    for cls in REFUSALS:
        assert documented.get(cls.code) == cls.status, (cls.__name__, cls.code)
    # ...and the doc lists nothing the code cannot answer (500 is the one non-refusal).
    assert set(documented) == {cls.code for cls in REFUSALS} | {"internal_error"}
