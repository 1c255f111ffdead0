"""The suites run as one pytest session (scripts/test), so no two test files may share a name.

pytest imports test files by basename (rootdir mode, no __init__.py): two files called
test_programs.py in different folders collect fine one folder at a time and abort the
whole run when collected together. This check fails in the unit suite, in seconds.
"""

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_file_has_its_own_name():
    where = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        if (path.parent / "__init__.py").exists():
            continue  # a package's modules are imported by their dotted name
        where[path.name].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"
