"""The unsubscribe page and one-click endpoint: `GET|POST /unsubscribe?token=...`, no sign-in.

Its own small function (template.yaml, `UnsubscribeFunction`): the only public route that
changes anything, so it gets only what it needs (turn mail settings off, read the
unsubscribe key), not the API's rights.

- `GET` (a person followed the link in the email): a page that says what the link stops
  and asks to confirm with one button. A GET never unsubscribes: mail scanners and link
  previews open links on their own (RFC 8058).
- `POST` (that button, or a mail client's one-click "Unsubscribe", which sends
  `List-Unsubscribe=One-Click`): turns it off and says so.

A link that is not one we signed, or was altered, changes nothing: 400 with the API's
error body (`unsubscribe_link_invalid`), as a page when a browser asks for one.
"""

from __future__ import annotations

import html
import json
from typing import Any

from backend import config
from backend.logic import errors, unsubscribe
from backend.observability import logger

# The page needs no script and posts only to itself; the token is in its URL, so no Referer.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _answer(status: int, body: str, content_type: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**_HEADERS, "Content-Type": content_type},
        "body": body,
    }


def _page(status: int, title: str, *parts: str) -> dict[str, Any]:
    e = html.escape
    body = "".join(parts)
    return _answer(
        status,
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · ePoint</title></head>"
        '<body style="font:17px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;'
        'padding:0 1rem;color:#18181b">'
        f"<h1 style='font-size:1.5rem'>{e(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8",
    )


def _settings_link() -> str:
    if not config.APP_URL:
        return ""
    url = html.escape(f"{config.APP_URL}/profile")
    return f'<p>Every email setting is in <a href="{url}">your ePoint profile</a>.</p>'


def _wants_page(event: dict[str, Any], method: str) -> bool:
    accept = str((event.get("headers") or {}).get("accept", ""))
    return method == "GET" or "text/html" in accept


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway HTTP API (payload v2), routes GET and POST /unsubscribe, Auth NONE."""
    method = str(event.get("requestContext", {}).get("http", {}).get("method", "GET")).upper()
    token = (event.get("queryStringParameters") or {}).get("token")
    try:
        topic = unsubscribe.read(token)
    except errors.UnsubscribeLinkInvalid as refused:
        logger.info("unsubscribe link refused", extra={"method": method})
        if _wants_page(event, method):
            return _page(400, "This link does not work", f"<p>{html.escape(refused.message)}</p>")
        error = {"error": {"code": refused.code, "message": refused.message}}
        return _answer(400, json.dumps(error), "application/json")
    what = unsubscribe.describe(topic)
    if method == "GET":
        return _page(
            200,
            f"Stop {what}?",
            '<form method="post">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit" style="font:inherit;padding:.6rem 1.1rem;border-radius:8px;'
            'border:0;background:#4f46e5;color:#fff;cursor:pointer">'
            f"Stop {html.escape(what)}</button></form>",
            _settings_link(),
        )
    unsubscribe.stop(topic)
    logger.info("unsubscribed", extra={"what": topic.what})
    if _wants_page(event, method):
        return _page(
            200, "Done", f"<p>You will not get {html.escape(what)} any more.</p>", _settings_link()
        )
    return _answer(
        200,
        json.dumps({"unsubscribed": {"what": topic.what, "description": what}}),
        "application/json",
    )
