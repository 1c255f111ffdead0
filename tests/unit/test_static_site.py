"""deploy/static_site.py: the export's inline scripts run from files, and React can still hydrate."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from deploy.static_site import externalize_inline_scripts, inline_scripts, main

# The shapes Reflex's export writes: a classic script in <head>, react-router's module of
# route imports (async), React's streaming helper with an id, an external script, JSON data.
PAGE = """<!DOCTYPE html><html><head><script>
document.documentElement.classList.add("light");</script>
<script type="module" src="/assets/app.js" async></script></head><body><div id="S:1"></div>
<script type="module" async="">import "/assets/manifest.js";</script>
<script id="_R_">requestAnimationFrame(function(){$RT=performance.now()});</script>
<script type="application/json">{"a": 1}</script>
<script></script></body></html>"""


def name_of(body: str) -> str:
    return f"inline-{hashlib.sha256(body.encode()).hexdigest()[:20]}.js"


def test_each_inline_script_runs_from_a_file_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "wallet").mkdir()
    for page in (tmp_path / "index.html", tmp_path / "wallet" / "index.html"):
        page.write_text(PAGE)
    assert externalize_inline_scripts(tmp_path) == 2

    html = (tmp_path / "index.html").read_text()
    theme = '\ndocument.documentElement.classList.add("light");'
    module = 'import "/assets/manifest.js";'
    timer = "requestAnimationFrame(function(){$RT=performance.now()});"
    # The text stays (React compares it when hydrating), but a script with src runs the file.
    assert f'<script src="/assets/{name_of(theme)}">{theme}</script>' in html
    # The module loses `async`, or React would skip it while hydrating; it runs deferred.
    assert f'<script type="module" src="/assets/{name_of(module)}">{module}</script>' in html
    assert f'<script id="_R_" src="/assets/{name_of(timer)}">{timer}</script>' in html
    assert '<script type="module" src="/assets/app.js" async></script>' in html  # untouched
    assert "<script></script>" in html  # nothing to run
    for body in (theme, module, timer):
        file = tmp_path / "assets" / name_of(body)
        assert file.read_text() == body
        assert gzip.decompress(file.with_name(file.name + ".gz").read_bytes()).decode() == body
    # The page's pre-compressed twin is the new page.
    assert gzip.decompress((tmp_path / "index.html.gz").read_bytes()).decode() == html
    assert '<script type="application/json">{"a": 1}</script>' in html  # data, not code
    assert inline_scripts(tmp_path) == []


def test_no_inline_script_is_left_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE)
    assert inline_scripts(tmp_path) == ["index.html"] * 3
    assert main([str(tmp_path)]) == 0
    assert inline_scripts(tmp_path) == []
    before = (tmp_path / "index.html").read_text()
    assert externalize_inline_scripts(tmp_path) == 0
    assert (tmp_path / "index.html").read_text() == before
