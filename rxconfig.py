"""Reflex configuration for the ePoint app (the customer portal and the merchant side)."""

import os
from pathlib import Path

import reflex as rx

# Reflex's own bun download needs the web; scripts/setup installs bun from the npm
# registry into .tools and scripts/env.sh exports its path. Reflex wants a Path here.
_bun = (
    {"bun_path": Path(os.environ["REFLEX_BUN_PATH"])} if os.environ.get("REFLEX_BUN_PATH") else {}
)

# The colour scales the app uses: the accent (indigo) and its grey (slate, "auto"), the
# plain grey, and the callout/badge/button schemes. Anything else falls back to no colour.
_COLOURS = ("indigo", "slate", "gray", "red", "amber", "orange", "green", "blue")


class _LeanRadixThemes(rx.plugins.RadixThemesPlugin):
    """Radix Themes with only the colour scales above (Radix's documented split import).

    The full `styles.css` carries all 30 scales: about 90 KB of the ~800 KB stylesheet that
    must be parsed before the first paint goes away.
    """

    def get_stylesheet_paths(self, **context: object) -> tuple[str, ...]:
        """Radix's base tokens, the used colour scales, components and utilities."""
        if not self.enabled:
            return ()
        themes = "@radix-ui/themes"
        return (
            f"{themes}/tokens/base.css",
            *(f"{themes}/tokens/colors/{colour}.css" for colour in _COLOURS),
            f"{themes}/components.css",
            f"{themes}/utilities.css",
        )


config = rx.Config(
    app_name="epoint_ui",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # Radix themes only: no Tailwind, no sitemap, so the first-load JavaScript stays small.
    plugins=[
        _LeanRadixThemes(theme=rx.theme(appearance="light", accent_color="indigo", radius="large"))
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **_bun,
)
