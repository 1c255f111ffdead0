"""What the browser needs for its first paint, and nothing in its way.

The exported pages are pre-rendered HTML: the stylesheet is all a first paint needs, and
everything in it is parsed and matched before anything shows. Radix ships every component
at every breakpoint in all 30 colour scales (about 800 KB). So:

* `LeanRadixThemes` (rxconfig.py) imports only the colour scales below, plus
  `assets/epoint.css`, into the one global stylesheet; `lean_radix.mjs`, a PostCSS step
  this plugin installs into the web directory's build, then drops the rules of Radix
  components no page imports, of breakpoints no page uses and of the dark theme
  (622 KB -> about 140 KB; 62 -> 22 KB gzip);
* `low_priority_scripts.mjs`, a Vite step after the export's pre-rendering, marks the
  scripts' preloads `fetchpriority="low"`: they still load early and in parallel, behind
  the stylesheet (they make the page live; they do not draw it);
* the document's head loses Reflex's colour-mode script: it reads a saved light/dark
  choice before the paint, and this app's theme is light only (rxconfig.py), so all it
  did was hold the parser up (a file of its own since the export serves every script
  from a file, for the CSP).

Measured with `python bench/frontend.py` (README, front end).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reflex as rx

# The colour scales the app uses: the accent (indigo) and its grey (slate, "auto"), the
# plain grey, and the callout/badge/button schemes. Anything else falls back to no colour.
COLOURS = ("indigo", "slate", "gray", "red", "amber", "orange", "green", "blue")

_HERE = Path(__file__).parent
_LEAN_RADIX = "epoint-lean-radix.mjs"  # the files' names in the web directory
_LOW_PRIORITY = "epoint-low-priority-scripts.mjs"


def _copy(source: str, target: str) -> Callable[[], tuple[str, str]]:
    def save() -> tuple[str, str]:
        return target, (_HERE / source).read_text()

    return save


def _insert_after(anchor: str, addition: str, what: str) -> Callable[[str], str]:
    """A change to a file Reflex generates: `addition` after `anchor`, once; loud if the
    anchor is gone (a Reflex upgrade changed the file)."""

    def modify(content: str) -> str:
        if addition in content:
            return content
        if anchor not in content:
            raise RuntimeError(f"{what}: {anchor!r} not found; did Reflex change the file?")
        return content.replace(anchor, anchor + addition, 1)

    return modify


add_lean_radix = _insert_after(
    '"postcss-import": {},',
    f'\n    "./{_LEAN_RADIX}": {{ colours: {json.dumps(list(COLOURS))} }},',
    "postcss.config.js",
)
_import_low_priority = _insert_after(
    'import safariCacheBustPlugin from "./vite-plugin-safari-cachebust.js";',
    f'\nimport lowPriorityScripts from "./{_LOW_PRIORITY}";',
    "vite.config.js",
)
_use_low_priority = _insert_after(
    "safariCacheBustPlugin(),", "\n    lowPriorityScripts(),", "vite.config.js"
)


# Reflex's `preload_color_theme()` script as the compiled document root writes it.
_COLOUR_MODE_SCRIPT = re.compile(
    r'jsx\("script",\{\},"(?:[^"\\]|\\.)*?Only run in browser environment, not during SSR'
    r'(?:[^"\\]|\\.)*"\),'
)


def without_colour_mode_script(document: str) -> str:
    """The compiled document root without Reflex's colour-mode script (light-only theme)."""
    trimmed, found = _COLOUR_MODE_SCRIPT.subn("", document, count=1)
    if not found and "Only run in browser environment" in document:
        raise RuntimeError("app/_document.js: the colour-mode script changed shape")
    return trimmed


def add_low_priority_scripts(config: str) -> str:
    """Reflex's Vite config with the low-priority-scripts step among its plugins."""
    return _use_low_priority(_import_low_priority(config))


class LeanRadixThemes(rx.plugins.RadixThemesPlugin):
    """Radix Themes with only the colour scales above (Radix's documented split import),
    trimmed at build time to what the pages use; the pages' scripts behind the paint."""

    def get_stylesheet_paths(self, **context: object) -> tuple[str, ...]:
        """Radix's base tokens, the used colour scales, components and utilities."""
        if not self.enabled:
            return ()
        themes = "@radix-ui/themes"
        return (
            f"{themes}/tokens/base.css",
            *(f"{themes}/tokens/colors/{colour}.css" for colour in COLOURS),
            f"{themes}/components.css",
            f"{themes}/utilities.css",
        )

    def pre_compile(self, **context: Any) -> None:
        """Installs both steps into the web directory's build."""
        super().pre_compile(**context)
        context["add_save_task"](_copy("lean_radix.mjs", _LEAN_RADIX))
        context["add_save_task"](_copy("low_priority_scripts.mjs", _LOW_PRIORITY))
        context["add_modify_task"]("postcss.config.js", add_lean_radix)
        context["add_modify_task"]("vite.config.js", add_low_priority_scripts)
        context["add_modify_task"]("app/_document.js", without_colour_mode_script)
