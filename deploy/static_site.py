"""The static export made fit for a Content-Security-Policy without 'unsafe-inline'.

`reflex export` pre-renders every page with inline `<script>` blocks: Reflex's colour-mode
snippet, react-router's context and route-module imports, React's streaming helpers. A
policy that allows them needs 'unsafe-inline' (which lets injected script run too) or
their hashes, which change with every build (the route imports name content-hashed
files) and would have to reach Amplify's headers after each export. Instead, each inline
script is copied to a file beside the other assets, named by its hash, and the element
gets `src` pointing at it, in the same place with the same attributes: a classic script
still runs in document order, a module still runs as a module. The text stays inside the
element, where it no longer runs (a script with `src` ignores its content) and the CSP
does not look at it, because React hydrates two of these elements (Reflex's colour-mode
script, react-router's route imports) and fails hydration if their text is gone; for the
same reason the route imports lose `async` (a module is deferred without it). Then
`script-src 'self'` is the whole policy (`template.yaml`, Amplify's custom headers),
however the build changes.

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
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
# What a browser runs; anything else (`application/json`, ...) is data the CSP ignores.
_RUNNABLE = {"", "module", "text/javascript", "application/javascript"}
_ASYNC = re.compile(r"""\s+async(\s*=\s*(""|''|"async"|'async'))?(?=[\s/>]|$)""", re.IGNORECASE)
SCRIPT_DIR = "assets"
SCRIPT_PREFIX = "inline-"


def _runs_inline(match: re.Match[str]) -> bool:
    """Whether a `<script>` element is code that runs from the page itself."""
    attrs = match["attrs"]
    kind = _TYPE.search(attrs)
    runnable = (kind[1].lower() if kind else "") in _RUNNABLE
    return runnable and not _SRC.search(attrs) and bool(match["body"].strip())


def _write(path: Path, data: bytes) -> None:
    """Writes a file and its pre-compressed `.gz` twin, as the export does for every file."""
    path.write_bytes(data)
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, mtime=0))


def externalize_inline_scripts(site: Path) -> int:
    """Gives every inline script of the export's pages a file to run; returns how many pages changed."""
    changed = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")

        def to_file(match: re.Match[str]) -> str:
            if not _runs_inline(match):
                return match[0]
            attrs, body = match["attrs"], match["body"]
            data = body.encode("utf-8")
            name = f"{SCRIPT_PREFIX}{hashlib.sha256(data).hexdigest()[:20]}.js"
            target = site / SCRIPT_DIR / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                _write(target, data)
            # Without `async`: React takes an async script with a src for one injected by
            # someone else and skips it while hydrating. (A module runs deferred anyway.)
            attrs = _ASYNC.sub("", attrs)
            return f'<script{attrs} src="/{SCRIPT_DIR}/{name}">{body}</script>'

        rewritten = _SCRIPT.sub(to_file, html)
        if rewritten != html:
            _write(page, rewritten.encode("utf-8"))
            changed += 1
    return changed


def inline_scripts(site: Path) -> list[str]:
    """Pages that still hold a script that runs inline (none after `externalize_inline_scripts`)."""
    return [
        str(page.relative_to(site))
        for page in sorted(site.rglob("*.html"))
        for match in _SCRIPT.finditer(page.read_text(encoding="utf-8"))
        if _runs_inline(match)
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
    print(f"static_site: inline scripts run from files on {changed} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
