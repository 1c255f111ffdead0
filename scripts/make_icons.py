"""Render the app's icons from assets/icon.svg: the PNG sizes browsers and phones want.

    source scripts/env.sh && python scripts/make_icons.py

The PNGs are committed (assets/icons/): the static export only copies assets/, and the
machines that build it (Amplify) have no browser to render an SVG. Run this after changing
the SVG; tests/unit/test_web_app_manifest.py checks every icon the manifest names exists at
its stated size. Chromium (the one the browser tests use) renders the SVG, Pillow writes the
PNGs (optimised, no metadata, so the same SVG gives the same files).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assets" / "icon.svg"
OUT = ROOT / "assets" / "icons"
CHROMIUM = "/usr/bin/chromium"
# name -> size in pixels. 192 and 512 are what browsers need to offer installing the app
# (the 512 also as a maskable icon: the artwork keeps to the central 80% circle); 180 is
# the iPhone home screen's apple-touch-icon; 32 the tab's favicon where SVG is not used.
SIZES = {
    "icon-192.png": 192,
    "icon-512.png": 512,
    "icon-maskable-512.png": 512,
    "apple-touch-icon.png": 180,
    "favicon-32.png": 32,
}


def render(svg: str, size: int) -> Image.Image:
    """The SVG rasterised by Chromium at `size` x `size` pixels."""
    html = (
        "<!doctype html><style>html,body{margin:0;background:transparent}"
        f"svg{{display:block;width:{size}px;height:{size}px}}</style>{svg}"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(html)
            png = page.screenshot(
                omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size}
            )
        finally:
            browser.close()
    return Image.open(io.BytesIO(png)).convert("RGBA")


def main() -> None:
    """Write every icon of SIZES."""
    svg = SOURCE.read_text()
    OUT.mkdir(exist_ok=True)
    for name, size in SIZES.items():
        image = render(svg, size)
        image.save(OUT / name, format="PNG", optimize=True)
        print(f"{OUT.relative_to(ROOT) / name}: {size}x{size}")


if __name__ == "__main__":
    main()
