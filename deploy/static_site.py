"""The static export made fit for a Content-Security-Policy without 'unsafe-inline'.

`reflex export` pre-renders every page with inline `<script>` blocks: Reflex's colour-mode
snippet, react-router's context and route-module imports, React's streaming helpers. A
policy that allows them needs 'unsafe-inline' (which lets injected script run too) or
their hashes, which change with every build (the route imports name content-hashed
files) and would have to reach Amplify's headers after each export. Instead, each inline
script becomes a file beside the other assets, named by its hash, loaded from the same
place in the page with the same attributes: a classic script still runs in document
order, a module still runs as a module. Then `script-src 'self'` is the whole policy
(`template.yaml`, Amplify's custom headers), however the build changes.

    python -m deploy.static_site .web/build/client    (scripts/export-frontend runs it)
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
from pathlib import Path

# The export writes no `</script>` inside a script (React and react-router escape it).
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
SCRIPT_DIR = "assets"
SCRIPT_PREFIX = "inline-"


def _write(path: Path, data: bytes) -> None:
    """Writes a file and its pre-compressed `.gz` twin, as the export does for every file."""
    path.write_bytes(data)
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, mtime=0))


def externalize_inline_scripts(site: Path) -> int:
    """Moves every inline script of the export's pages into a file; returns how many pages changed."""
    changed = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")

        def to_file(match: re.Match[str]) -> str:
            attrs, body = match["attrs"], match["body"]
            if _SRC.search(attrs) or not body.strip():
                return match[0]
            data = body.encode("utf-8")
            name = f"{SCRIPT_PREFIX}{hashlib.sha256(data).hexdigest()[:20]}.js"
            target = site / SCRIPT_DIR / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                _write(target, data)
            return f'<script{attrs} src="/{SCRIPT_DIR}/{name}"></script>'

        rewritten = _SCRIPT.sub(to_file, html)
        if rewritten != html:
            _write(page, rewritten.encode("utf-8"))
            changed += 1
    return changed


def inline_scripts(site: Path) -> list[str]:
    """Pages that still hold an inline script (none after `externalize_inline_scripts`)."""
    return [
        str(page.relative_to(site))
        for page in sorted(site.rglob("*.html"))
        for match in _SCRIPT.finditer(page.read_text(encoding="utf-8"))
        if not _SRC.search(match["attrs"]) and match["body"].strip()
    ]


def main(argv: list[str]) -> int:
    """`python -m deploy.static_site SITE_DIR`: rewrites the export in place."""
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m deploy.static_site SITE_DIR", file=sys.stderr)
        return 2
    site = Path(argv[0])
    changed = externalize_inline_scripts(site)
    left = inline_scripts(site)
    if left:
        print(f"static_site: inline scripts remain in {', '.join(left)}", file=sys.stderr)
        return 1
    print(f"static_site: inline scripts moved to files on {changed} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
