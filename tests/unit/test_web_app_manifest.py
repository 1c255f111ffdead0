"""On the home screen: the web app manifest, its icons and the service worker's files.

What browsers need to offer installing the app (checked for real in Chromium by
tests/e2e/test_home_screen.py): a name, a start URL, standalone display, and PNG icons of
192 and 512 pixels, every one of them the size the manifest says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

from scripts.make_icons import SIZES

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MANIFEST = json.loads((ASSETS / "manifest.json").read_text())


def test_the_manifest_says_what_a_home_screen_app_needs():
    assert MANIFEST["name"] == MANIFEST["short_name"] == "ePoint"
    assert MANIFEST["start_url"] == "/wallet"
    assert MANIFEST["display"] == "standalone"
    app = (ASSETS.parent / "epoint_ui" / "epoint_ui.py").read_text()
    assert f'name="theme-color", content="{MANIFEST["theme_color"]}"' in app
    assert 'rel="manifest", href="/manifest.json"' in app


def test_every_icon_exists_at_the_size_the_manifest_says():
    sizes = set()
    for icon in MANIFEST["icons"]:
        path = ASSETS / icon["src"].lstrip("/")
        assert path.is_file(), icon["src"]
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            with Image.open(path) as image:
                assert image.size == (width, height), icon["src"]
            sizes.add((width, icon.get("purpose", "any")))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes
    # Every icon scripts/make_icons.py writes is committed, at its size.
    for name, size in SIZES.items():
        with Image.open(ASSETS / "icons" / name) as image:
            assert image.size == (size, size), name


def test_the_service_worker_precaches_files_that_exist():
    worker = (ASSETS / "sw.js").read_text()
    (shell,) = re.findall(r"const SHELL = \[(.*?)\];", worker)
    for path in re.findall(r'"(/[^"]+)"', shell):
        assert (ASSETS / path.lstrip("/")).is_file(), path
    offline = (ASSETS / "offline.html").read_text()
    for path in re.findall(r'(?:src|href)="(/[^"]+)"', offline):
        if path != "/wallet":
            assert (ASSETS / path.lstrip("/")).is_file(), path
