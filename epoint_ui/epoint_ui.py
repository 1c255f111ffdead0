"""The ePoint Reflex app. Pages register themselves with `@rx.page` (see `pages/`)."""

import reflex as rx

import epoint_ui.pages  # noqa: F401 - importing registers every page
from epoint_ui.settings import get_settings

app = rx.App(
    html_lang="en",
    # Bundled into the one global stylesheet (epoint_ui/first_paint.py) after Radix's.
    stylesheets=["/epoint.css"],
    head_components=[
        rx.el.meta(name="description", content="ePoint: loyalty points at the shops you love."),
        rx.el.meta(name="theme-color", content="#3e63dd"),
    ],
)

# Read the settings when the state server starts: with no AWS settings this starts the
# local cloud now (and logs where its outbox is) rather than on the first sign-in.
app.register_lifespan_task(get_settings)
