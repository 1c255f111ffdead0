"""The ePoint Reflex app. Pages register themselves with `@rx.page` (see `pages/`)."""

import reflex as rx
from reflex.utils.exec import is_prod_mode

import epoint_ui.pages  # noqa: F401 - importing registers every page
from epoint_ui.origin_guard import OriginGuard
from epoint_ui.session_cookie import with_session_cookie_routes
from epoint_ui.settings import get_settings

app = rx.App(
    html_lang="en",
    # Bundled into the one global stylesheet (epoint_ui/first_paint.py) after Radix's.
    stylesheets=["/epoint.css"],
    head_components=[
        rx.el.meta(name="description", content="ePoint: loyalty points at the shops you love."),
        rx.el.meta(name="theme-color", content="#3e63dd"),
        # On the home screen: the web app manifest, icons (assets/icons, from assets/icon.svg),
        # and, in the exported app only (`reflex export`, not `reflex run`'s dev server, whose
        # files change under the same names), the service worker behind the offline screen.
        rx.el.link(rel="manifest", href="/manifest.json"),
        rx.el.link(rel="icon", href="/icon.svg", type="image/svg+xml"),
        rx.el.link(rel="apple-touch-icon", href="/icons/apple-touch-icon.png"),
        *(
            [rx.el.script(src="/service-worker-registration.js", defer=True)]
            if is_prod_mode()
            else []
        ),
        # The reader's time zone, for dates (epoint_ui/states/reader.py).
        rx.el.script(src="/time-zone.js", defer=True),
    ],
    # The state server's own HTTP routes: the session cookie's endpoints, and the Origin
    # check that keeps other sites' pages off the websocket (applied in this order, so
    # the guard is outermost).
    api_transformer=[with_session_cookie_routes, OriginGuard],
)

# Read the settings when the state server starts: with no AWS settings this starts the
# local cloud now (and logs where its outbox is) rather than on the first sign-in.
app.register_lifespan_task(get_settings)
