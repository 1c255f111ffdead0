"""Reflex configuration for the ePoint app (the customer portal and the merchant side)."""

import os
from pathlib import Path

import reflex as rx

from epoint_ui.first_paint import LeanRadixThemes

# Reflex's own bun download needs the web; scripts/setup installs bun from the npm
# registry into .tools and scripts/env.sh exports its path. Reflex wants a Path here.
_bun = (
    {"bun_path": Path(os.environ["REFLEX_BUN_PATH"])} if os.environ.get("REFLEX_BUN_PATH") else {}
)

config = rx.Config(
    app_name="epoint_ui",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # Radix themes only (and only what the pages use: epoint_ui/first_paint.py); no Tailwind,
    # no sitemap, so the first-load JavaScript and CSS stay small.
    plugins=[
        LeanRadixThemes(theme=rx.theme(appearance="light", accent_color="indigo", radius="large"))
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **_bun,
)
