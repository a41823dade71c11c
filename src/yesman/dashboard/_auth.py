"""The token every request needs, as ASGI middleware around the whole app.

Rules (the dashboard can type into the user's terminals, so nothing is served without them):

* The token is random per start (`new_token`, 32 URL-safe bytes of `secrets`) unless the user
  sets one (``--http-token`` / ``YESMAN_HTTP_TOKEN``, at least 16 characters).
* A request carries it as ``Authorization: Bearer TOKEN``, or as the cookie set by the first
  ``GET ...?token=TOKEN``: that request is answered with a redirect to the same URL without the
  token and a ``HttpOnly; SameSite=Strict`` cookie, so the token leaves the address bar and
  the history, and scripts cannot read it. The query token is accepted on GET only.
* Anything without a valid token gets ``401`` and a fixed text: no page, no data.
* A request that changes something (any method but GET, HEAD) must also come from the
  dashboard's own page: its ``Origin`` must be this server's origin. A request with no Origin
  at all is accepted only with the Authorization header (scripts, curl), never on the cookie
  alone, since the cookie is what a cross-site form would ride on.
* Tokens are compared with `hmac.compare_digest` (constant time for equal lengths).

Every authenticated response also gets headers that keep the page to itself: no caching, no
framing, no referrer, and a content security policy allowing only its own scripts and styles.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Final
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yesman.dashboard._errors import DashboardError

__all__ = ["MIN_TOKEN_LENGTH", "TOKEN_ENV", "TokenAuth", "check_token", "new_token"]

TOKEN_ENV: Final = "YESMAN_HTTP_TOKEN"
MIN_TOKEN_LENGTH: Final = 16
_SAFE_METHODS: Final = frozenset({"GET", "HEAD"})

_UNAUTHORIZED: Final = (
    "401: this yesman dashboard needs its token. Open the URL yesman printed when it started "
    "(it ends in ?token=...), or send the header 'Authorization: Bearer TOKEN'.\n"
)
_SECURITY_HEADERS: Final = (
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
)


def new_token() -> str:
    """A fresh random token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def check_token(token: str) -> str:
    """A token the user chose, checked: long enough to resist guessing, printable, no spaces."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise DashboardError(
            f"the dashboard token must be at least {MIN_TOKEN_LENGTH} characters long "
            f"(got {len(token)}); leave --http-token and {TOKEN_ENV} unset for a random one"
        )
    if not token.isprintable() or any(ch.isspace() for ch in token) or ";" in token:
        raise DashboardError(
            "the dashboard token must be printable characters without spaces or ';' "
            f"(it travels in a header and a cookie); leave --http-token and {TOKEN_ENV} unset "
            "for a random one"
        )
    return token


class TokenAuth:
    """ASGI middleware: the rules of the module docstring, in front of `app`.

    `cookie` is the cookie's name; one per port, so two dashboards on one host keep theirs.
    """

    def __init__(self, app: ASGIApp, *, token: str, cookie: str) -> None:
        self._app = app
        self._token = token.encode()
        self._cookie = cookie

    def _valid(self, candidate: str | None) -> bool:
        if not candidate:
            return False
        return hmac.compare_digest(candidate.encode(), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # Lifespan is off and there are no websockets: nothing else is served.
            if scope["type"] == "lifespan":
                await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        bearer = _bearer(headers.get("authorization"))
        by_header = self._valid(bearer)
        by_cookie = not by_header and self._valid(_cookies(headers).get(self._cookie))
        if not (by_header or by_cookie):
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if method in _SAFE_METHODS and self._valid(query.get("token")):
                await self._login(scope, receive, send)
                return
            response: Response = PlainTextResponse(
                _UNAUTHORIZED, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
            await response(scope, receive, send)
            return
        if method not in _SAFE_METHODS:
            refusal = _origin_refusal(scope, headers, by_header=by_header)
            if refusal is not None:
                await PlainTextResponse(refusal, status_code=403)(scope, receive, send)
                return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *_SECURITY_HEADERS]}
            await send(message)

        await self._app(scope, receive, send_secured)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Trade the query token for the cookie, and send the browser to the clean URL."""
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        rest = urlencode([(k, v) for k, v in pairs if k != "token"])
        path = scope.get("root_path", "") + scope["path"]
        response = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(
            self._cookie,
            self._token.decode(),
            httponly=True,
            samesite="strict",
            path="/",
        )
        response.headers["referrer-policy"] = "no-referrer"
        response.headers["cache-control"] = "no-store"
        await response(scope, receive, send)


def _bearer(value: str | None) -> str | None:
    if value is None:
        return None
    scheme, _, credentials = value.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def _cookies(headers: Headers) -> Mapping[str, str]:
    raw = headers.get("cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is just no cookie
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _origin_refusal(scope: Scope, headers: Headers, *, by_header: bool) -> str | None:
    """Why a state-changing request is refused (None: it may go on)."""
    origin = headers.get("origin")
    if origin is None:
        if by_header:
            return None  # not a browser form: a script holding the token itself
        return "403: a change needs the Origin header of this dashboard's page\n"
    host = headers.get("host", "")
    expected = f"{scope.get('scheme', 'http')}://{host}"
    if not host or not hmac.compare_digest(origin.encode(), expected.encode()):
        return f"403: requests from {origin} may not change anything here\n"
    return None
