"""backend/ is layered routers -> logic -> dal, and nothing reaches upward (style.md)."""

import ast
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (`from a.b import c` counts as a.b and a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _reaches(layer: str, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    out = {}
    for path in sorted((BACKEND / layer).glob("*.py")):
        bad = {m for m in _imports(path) if m.startswith(forbidden)}
        if bad:
            out[path.name] = bad
    return out


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        # The DAL raises its own errors; the domain decides what they mean to a caller.
        ("dal", ("backend.logic", "backend.routers", "backend.models", "backend.app")),
        # The domain knows nothing of HTTP.
        ("logic", ("backend.routers", "backend.models", "backend.app", "aws_lambda_powertools")),
        # Routes go through the domain, never straight to DynamoDB.
        ("routers", ("backend.dal", "botocore", "boto3")),
        # Stream consumers read records and hand them on: no routes, no request models.
        ("events", ("backend.routers", "backend.models", "backend.app")),
    ],
)
def test_no_layer_reaches_past_its_neighbour(layer, forbidden):
    assert _reaches(layer, forbidden) == {}
