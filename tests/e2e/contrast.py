"""Contrast as the eye meets it: under the mouse and in keyboard focus (axe checks neither).

`hover_problems` moves the mouse onto each link of the page's navigation; `focus_problems`
walks the page with Tab. Each measures the link's text against what is behind it (WCAG
1.4.3: 4.5:1) and, in focus, its focus ring against the background (WCAG 1.4.11: 3:1).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page

TEXT_MIN = 4.5
RING_MIN = 3.0
NAV_LINKS = "nav a"

# The colours on screen: the element's own and the first opaque background behind it (alpha
# composited), as the browser computes them.
_MEASURE_JS = """
(el) => {
  const style = getComputedStyle(el);
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    layers.push(bg);
  }
  return {
    text: el.innerText.trim().replace(/\\s+/g, ' '),
    color: style.color,
    backgrounds: layers,
    outlineStyle: style.outlineStyle,
    outlineWidth: style.outlineWidth,
    outlineColor: style.outlineColor,
  };
}
"""

_RGB = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)")
_SRGB = re.compile(r"color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: / ([\d.]+))?\)")

Rgba = tuple[float, float, float, float]


def parse_colour(css: str) -> Rgba:
    """A computed CSS colour as (r, g, b, alpha), channels 0-255."""
    if match := _RGB.fullmatch(css.strip()):
        r, g, b, a = match.groups()
        return float(r), float(g), float(b), float(a) if a is not None else 1.0
    if match := _SRGB.fullmatch(css.strip()):
        r, g, b, a = match.groups()
        return float(r) * 255, float(g) * 255, float(b) * 255, float(a) if a else 1.0
    raise ValueError(f"a colour this check cannot read: {css!r}")


def _over(top: Rgba, below: Rgba) -> Rgba:
    alpha = top[3]
    return (
        top[0] * alpha + below[0] * (1 - alpha),
        top[1] * alpha + below[1] * (1 - alpha),
        top[2] * alpha + below[2] * (1 - alpha),
        1.0,
    )


def _luminance(colour: Rgba) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgba, b: Rgba) -> float:
    """WCAG contrast ratio of two opaque colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _background(layers: list[str]) -> Rgba:
    # The page behind everything is white (the app's light theme).
    colour: Rgba = (255.0, 255.0, 255.0, 1.0)
    for css in reversed(layers):
        colour = _over(parse_colour(css), colour)
    return colour


def _measure(link: Locator) -> dict[str, Any]:
    seen = link.evaluate(_MEASURE_JS)
    background = _background(seen["backgrounds"])
    seen["text_ratio"] = contrast(_over(parse_colour(seen["color"]), background), background)
    ring = seen["outlineStyle"] != "none" and float(seen["outlineWidth"].rstrip("px") or 0) >= 1
    seen["ring_ratio"] = (
        contrast(_over(parse_colour(seen["outlineColor"]), background), background) if ring else 0.0
    )
    return seen


def hover_problems(page: Page, links: str = NAV_LINKS) -> list[str]:
    """Every visible navigation link whose text drops below 4.5:1 under the mouse."""
    problems = []
    found = page.locator(links)
    for i in range(found.count()):
        link = found.nth(i)
        if not link.is_visible():
            continue
        link.hover()
        page.wait_for_timeout(250)  # past any colour transition
        seen = _measure(link)
        if seen["text_ratio"] < TEXT_MIN:
            problems.append(f"hover {seen['text']!r}: text {seen['text_ratio']:.1f}:1")
    page.mouse.move(0, 0)
    return problems


def focus_problems(page: Page, links: str = NAV_LINKS, max_tabs: int = 80) -> list[str]:
    """Tabs through the page: every visible navigation link must be reached, keep its text
    at 4.5:1 and show a focus ring of 3:1."""
    wanted = page.locator(links)
    visible = {
        wanted.nth(i).evaluate("e => e.innerText.trim().replace(/\\s+/g, ' ')")
        for i in range(wanted.count())
        if wanted.nth(i).is_visible()
    }
    problems, reached = [], set()
    page.locator("body").focus()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if not focused.count() or not focused.evaluate(f"e => e.matches({links!r})"):
            continue
        seen = _measure(focused)
        if seen["text"] in reached:
            break  # round the page once
        reached.add(seen["text"])
        if seen["text_ratio"] < TEXT_MIN:
            problems.append(f"focus {seen['text']!r}: text {seen['text_ratio']:.1f}:1")
        if seen["ring_ratio"] < RING_MIN:
            problems.append(f"focus {seen['text']!r}: focus ring {seen['ring_ratio']:.1f}:1")
    problems += [f"focus {text!r}: never reached with Tab" for text in sorted(visible - reached)]
    return problems
