"""The local HTTP API gateway: API Gateway HTTP API (payload v2) in front of in-process handlers.

It serves template.yaml's routes and behaves like the deployed API where a client can
tell: the JWT authorizer (signature against the pool's JWKS, issuer, audience or
client_id, expiry, then the route's scopes) with API Gateway's 401/403 bodies and
`www-authenticate` header, payload-v2 events with the claims where API Gateway puts
them, response mapping (status, headers, cookies, base64 bodies), CORS from the
template, `404 {"message":"Not Found"}` for unknown routes and 413 over 10 MB.
It also serves the local outbox at `/dev/outbox` and moves the backend's clock with
`POST /dev/clock` (local only; deployed there is neither).
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from backend import clock
from localcloud.outbox import Outbox
from localcloud.template import Cors, JwtAuthorizer, Route, Throttle

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_TEXT_TYPES = re.compile(
    r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))", re.I
)

# (event, handler path, function logical id) -> the handler's return value
Invoker = Callable[[dict[str, Any], str, str], Any]


@dataclass(frozen=True)
class _CompiledRoute:
    route: Route
    pattern: re.Pattern[str]


def _compile(route: Route) -> _CompiledRoute:
    regex = ""
    for part in re.split(r"(\{[^}]+\})", route.path):
        if part.startswith("{") and part.endswith("+}"):
            regex += f"(?P<{part[1:-2]}>.+)"
        elif part.startswith("{"):
            regex += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            regex += re.escape(part)
    return _CompiledRoute(route, re.compile(f"^{regex}$"))


def _json_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    # Compact, as API Gateway writes its own bodies: {"message":"Unauthorized"}
    text = json.dumps(body, separators=(",", ":"))
    return Response(text, status=status, headers=headers, content_type="application/json")


def _claim_string(value: Any) -> str:
    # API Gateway hands every claim to the integration as a string; arrays as "[a b]".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)


class AuthError(Exception):
    """A request the JWT authorizer refuses (401 or 403)."""

    def __init__(self, status: int, description: str, scopes: Iterable[str] = ()) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.scopes = tuple(scopes)

    def response(self) -> Response:
        error = "insufficient_scope" if self.status == 403 else "invalid_token"
        body = {"message": "Forbidden" if self.status == 403 else "Unauthorized"}
        challenge = f'Bearer scope="{" ".join(self.scopes)}" error="{error}" error_description="{self.description}"'
        return _json_response(self.status, body, {"www-authenticate": challenge})


class JwtVerifier:
    """What an HTTP API JWT authorizer checks, in its order."""

    def __init__(
        self,
        authorizer: JwtAuthorizer,
        jwks: dict[str, Any],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.authorizer = authorizer
        self.keys = {k["kid"]: jwt.PyJWK(k) for k in jwks["keys"]}
        self.clock = clock

    def verify(self, authorization: str | None, scopes: tuple[str, ...]) -> dict[str, Any]:
        """The token's claims, or AuthError."""
        if not authorization:
            raise AuthError(401, "no token", scopes)
        token = authorization[7:] if authorization[:7].lower() == "bearer " else authorization
        try:
            header = jwt.get_unverified_header(token.strip())
            key = self.keys.get(header.get("kid", ""))
            if key is None:
                raise AuthError(401, "signing key not found", scopes)
            claims = jwt.decode(
                token.strip(),
                key=key.key,
                algorithms=["RS256"],
                issuer=self.authorizer.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
                leeway=0,
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError(401, "the token has expired", scopes) from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError(401, "the token has an invalid issuer", scopes) from exc
        except jwt.PyJWTError as exc:
            raise AuthError(401, "the token is invalid", scopes) from exc
        # AWS checks `aud` when the token has one, otherwise `client_id` (access tokens).
        audience = claims.get("aud", claims.get("client_id"))
        audiences = audience if isinstance(audience, list) else [audience]
        if not set(audiences) & set(self.authorizer.audience):
            raise AuthError(401, "the token does not have a valid audience", scopes)
        if scopes:
            granted = set(str(claims.get("scope", claims.get("scp", ""))).split())
            if not granted & set(scopes):
                raise AuthError(403, "the token does not have the required scope", scopes)
        return claims


class TokenBucket:
    """API Gateway's throttle: `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, throttle: Throttle, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = throttle.rate_per_s
        self.capacity = float(throttle.burst)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False means: answer 429."""
        with self._lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


class LambdaContext:
    """The attributes of a Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, region: str, timeout_s: float = 10.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the function's configured timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Gateway:
    """A WSGI app (werkzeug, threaded) implementing the HTTP API."""

    def __init__(
        self,
        routes: list[Route],
        authorizers: dict[str, JwtVerifier],
        cors: Cors | None,
        invoke: Invoker,
        outbox: Outbox,
        info: Callable[[], dict[str, Any]],
        throttle: Throttle | None = None,
        api_id: str = "local",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.routes = [_compile(r) for r in routes]
        self.authorizers = authorizers
        self.cors = cors
        self.invoke = invoke
        self.outbox = outbox
        self.info = info
        # Each route has its own bucket, as in API Gateway: the route's own throttle
        # (template.yaml's RouteSettings over DefaultRouteSettings), else `throttle`.
        self.throttle = throttle
        self.clock = clock
        self.buckets: dict[str, TokenBucket] = {}
        self._buckets_lock = threading.Lock()
        self.api_id = api_id

    # ------------------------------------------------------------ WSGI

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except Exception:
            log.exception("gateway failure on %s %s", request.method, request.path)
            response = _json_response(500, {"message": "Internal Server Error"})
        self._add_cors(request, response)
        response.headers.setdefault("apigw-requestid", uuid.uuid4().hex[:16])
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        if request.path.startswith("/dev/"):
            return self._dev(request)
        if (
            request.method == "OPTIONS"
            and self.cors
            and request.headers.get("access-control-request-method")
        ):
            return self._preflight(request)
        length = request.content_length or 0
        if length > MAX_BODY_BYTES:
            return _json_response(413, {"message": "Request Entity Too Large"})
        body = request.get_data(cache=True)
        if len(body) > MAX_BODY_BYTES:
            return _json_response(413, {"message": "Request Entity Too Large"})
        match = self._match(request.method, request.path)
        if match is None:
            return _json_response(404, {"message": "Not Found"})
        if not self._admit(match[0].route):
            return _json_response(429, {"message": "Too Many Requests"})
        compiled, path_params = match
        route = compiled.route
        claims: dict[str, Any] | None = None
        if route.authorizer:
            try:
                claims = self.authorizers[route.authorizer].verify(
                    request.headers.get("authorization"), route.scopes
                )
            except AuthError as err:
                return err.response()
        event = self._event(request, route, path_params, body, claims)
        try:
            result = self.invoke(event, route.handler, route.function)
        except Exception:
            log.exception("handler %s raised", route.handler)
            return _json_response(500, {"message": "Internal Server Error"})
        return self._response(result)

    def _admit(self, route: Route) -> bool:
        throttle = route.throttle or self.throttle
        if throttle is None:
            return True
        with self._buckets_lock:
            bucket = self.buckets.get(route.route_key)
            if bucket is None:
                bucket = self.buckets[route.route_key] = TokenBucket(throttle, self.clock)
        return bucket.take()

    def _match(self, method: str, path: str) -> tuple[_CompiledRoute, dict[str, str]] | None:
        for compiled in self.routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = compiled.pattern.match(path)
            if found:
                return compiled, found.groupdict()
        return None

    # ------------------------------------------------------------ events

    def _event(
        self,
        request: Request,
        route: Route,
        path_params: dict[str, str],
        body: bytes,
        claims: dict[str, Any] | None,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        cookies = [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()]
        query: dict[str, str] = {k: ",".join(v) for k, v in request.args.lists()}
        raw_query = request.query_string.decode("latin-1")
        request_context: dict[str, Any] = {
            "accountId": "123456789012",
            "apiId": self.api_id,
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0].split(":")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex[:16] + "=",
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
        if claims is not None:
            request_context["authorizer"] = {
                "jwt": {
                    "claims": {k: _claim_string(v) for k, v in claims.items()},
                    "scopes": str(claims.get("scope", "")).split() or None,
                }
            }
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": request.path,
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": request_context,
            "isBase64Encoded": False,
        }
        if cookies:
            event["cookies"] = cookies
        if query:
            event["queryStringParameters"] = query
        if path_params:
            event["pathParameters"] = path_params
        if body:
            if _TEXT_TYPES.match(headers.get("content-type", "")):
                event["body"] = body.decode("utf-8", errors="replace")
            else:
                event["body"] = base64.b64encode(body).decode()
                event["isBase64Encoded"] = True
        return event

    def _response(self, result: Any) -> Response:
        # Payload v2: a dict with statusCode is a full response; anything else is JSON.
        if not (isinstance(result, dict) and "statusCode" in result):
            return Response(json.dumps(result), status=200, content_type="application/json")
        headers = Headers()
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                headers.add(name, str(value))
        for name, value in (result.get("headers") or {}).items():
            headers[name] = str(value)
        for cookie in result.get("cookies") or []:
            headers.add("set-cookie", cookie)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        if "content-type" not in headers:
            headers["content-type"] = "application/json"
        return Response(data, status=int(result["statusCode"]), headers=headers)

    # ------------------------------------------------------------ CORS

    def _origin_allowed(self, origin: str | None) -> bool:
        if not self.cors or not origin:
            return False
        return "*" in self.cors.allow_origins or origin in self.cors.allow_origins

    def _preflight(self, request: Request) -> Response:
        response = Response(status=204)
        del response.headers["content-type"]
        origin = request.headers.get("origin")
        method = (request.headers.get("access-control-request-method") or "").upper()
        wanted = [
            h.strip().lower()
            for h in (request.headers.get("access-control-request-headers") or "").split(",")
            if h.strip()
        ]
        assert self.cors is not None
        if (
            self._origin_allowed(origin)
            and method in self.cors.allow_methods
            and all(h in self.cors.allow_headers for h in wanted)
        ):
            response.headers["access-control-allow-origin"] = origin or ""
            response.headers["access-control-allow-methods"] = ",".join(self.cors.allow_methods)
            response.headers["access-control-allow-headers"] = ",".join(self.cors.allow_headers)
            if self.cors.max_age is not None:
                response.headers["access-control-max-age"] = str(self.cors.max_age)
        return response

    def _add_cors(self, request: Request, response: Response) -> None:
        if not self.cors or request.method == "OPTIONS":
            return
        # API Gateway's CORS settings override whatever the integration returned.
        for name in list(response.headers.keys()):
            if name.lower().startswith("access-control-"):
                del response.headers[name]
        origin = request.headers.get("origin")
        if self._origin_allowed(origin):
            response.headers["access-control-allow-origin"] = origin or ""
            response.headers["vary"] = "origin"

    # ------------------------------------------------------------ local-only pages

    def _dev(self, request: Request) -> Response:
        if request.path == "/dev/info":
            return _json_response(200, self.info())
        if request.path == "/dev/clock":
            return self._dev_clock(request)
        if request.path != "/dev/outbox" or request.method != "GET":
            return _json_response(404, {"message": "Not Found"})
        to = request.args.get("to")
        messages = self.outbox.messages(to)
        if request.args.get("format") == "json":
            return _json_response(200, {"messages": [m.__dict__ for m in messages]})
        rows = "".join(
            f"<tr><td>{datetime.fromtimestamp(m.sent_at, UTC):%H:%M:%S}</td><td>{html.escape(m.to)}</td>"
            f"<td>{html.escape(m.subject)}</td><td><code>{html.escape(m.code)}</code></td></tr>"
            for m in messages
        )
        page = (
            "<!doctype html><meta charset=utf-8><title>ePoint local outbox</title>"
            "<style>body{font:16px system-ui;margin:2rem}td,th{padding:.3rem .8rem;text-align:left}"
            "code{font-size:1.3em}</style><h1>Local outbox</h1>"
            "<p>Emails the local cloud would have sent (newest first). Deployed, Cognito emails them.</p>"
            f"<table><tr><th>time (UTC)</th><th>to</th><th>subject</th><th>code</th></tr>{rows}</table>"
        )
        return Response(page, content_type="text/html; charset=utf-8")

    def _dev_clock(self, request: Request) -> Response:
        # Time travel for tests of expiry (codes, visits, confirmation codes) without waiting:
        # moves the one in-process clock the handlers and the Cognito layer read. JWT expiry
        # and throttling keep real time, so tokens in a browser stay valid. Local only.
        if request.method == "POST":
            body = request.get_json(silent=True) or {}
            if body.get("reset"):
                clock.reset()
            else:
                advance = body.get("advance_s")
                if isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0:
                    message = 'send {"advance_s": seconds >= 0} or {"reset": true}'
                    return _json_response(400, {"message": message})
                clock.advance(advance)
        elif request.method != "GET":
            return _json_response(405, {"message": "Method Not Allowed"})
        offset = round(clock.now() - time.time(), 3)
        return _json_response(200, {"now": clock.iso(), "offset_s": offset})


class BackgroundServer:
    """A WSGI app on a threaded werkzeug server, served from a daemon thread."""

    def __init__(self, app: Any, host: str, port: int, name: str, **options: Any) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True, **options)
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        # A short poll interval so that shutdown (SIGTERM) is prompt.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=name,
            daemon=True,
        )

    @property
    def port(self) -> int:
        """The bound port (useful when asked for port 0)."""
        return int(self._server.server_port)

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting requests and close the socket."""
        self._server.shutdown()
        self._server.server_close()
