"""The ePoint Reflex app. Pages register themselves with `@rx.page` (see `pages/`)."""

import reflex as rx

import epoint_ui.pages  # noqa: F401 - importing registers every page

app = rx.App(
    html_lang="en",
    head_components=[
        rx.el.meta(name="description", content="ePoint: loyalty points at the shops you love."),
        rx.el.meta(name="theme-color", content="#3e63dd"),
    ],
)
