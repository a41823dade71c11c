"""Every route of a running dashboard refuses a missing or wrong token; the login cookie; the
Origin check on changes. Real HTTP to uvicorn on a loopback port, a real watcher behind it."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Mount, Route

from yesman.dashboard import DashboardError, check_token, cookie_name, new_token
from yesman.dashboard._auth import TOKEN_ENV

from .conftest import Live, until

pytestmark = pytest.mark.tmux

WRONG = "x" * 43


def requests_for(live: Live) -> list[tuple[str, str]]:
    """(method, path) for every route the app serves, its own and the extra ones."""
    app = live.server.app
    assert app is not None
    out: list[tuple[str, str]] = []
    for route in app.routes:
        if isinstance(route, Mount):
            out.append(("GET", route.path + "/dashboard.js"))
        elif isinstance(route, Route):
            path = route.path.replace("{id}", "some-id")
            for method in sorted(route.methods or ()):
                out.append((method, path))
        else:
            raise TypeError(f"a route of a kind this test cannot call: {route!r}")
    return out


async def test_every_route_refuses_a_missing_or_wrong_token(live_alerts: Live) -> None:
    live = live_alerts  # with alerting, so the alert routes have something to leak too
    pane, _ = await live.start_agent("dangerous")
    held = await until(live.supervisor.held_dialogs, "a held dialog, so there is data to leak")
    (alert,) = await until(live.manager.active, "its alert")
    secrets_on_screen = (pane, held[0].id, "rm -rf", held[0].prompt.fingerprint, alert.fingerprint)
    requests = requests_for(live)
    paths = {path for _, path in requests}
    assert {"/", "/api/agents", "/api/held", "/api/events", "/static/dashboard.js"} <= paths
    assert {"/alerts", "/alerts/some-id", "/fragments/alerts", "/api/alerts"} <= paths
    assert ("GET", "/metrics") in requests
    assert ("POST", "/api/held/some-id/deny") in requests
    assert ("POST", "/api/alerts/some-id/ack") in requests
    assert ("POST", "/api/silences") in requests
    assert ("DELETE", "/api/silences/some-id") in requests
    assert ("POST", "/api/silences/some-id/expire") in requests

    wrong_ways: list[dict[str, object]] = [
        {},
        {"headers": {"Authorization": f"Bearer {WRONG}"}},
        {"headers": {"Authorization": f"Basic {live.server.token}"}},
        {"headers": {"Cookie": f"{cookie_name(live.server.port)}={WRONG}"}},
        # The right token under another port's cookie name is not this dashboard's cookie.
        {"headers": {"Cookie": f"{cookie_name(live.server.port + 1)}={live.server.token}"}},
        {"params": {"token": WRONG}},
    ]
    async with live.client(token=False) as client:
        for method, path in requests:
            for way in wrong_ways:
                response = await client.request(method, path, **way)  # type: ignore[arg-type]
                assert response.status_code == 401, (method, path, way, response.status_code)
                assert response.headers["www-authenticate"] == "Bearer"
                assert not any(s in response.text for s in secrets_on_screen), (method, path)
    async with live.client() as client:
        for method, path in requests:
            if path == "/api/events":
                async with client.stream(method, path) as stream:
                    assert stream.status_code == 200
                continue
            response = await client.request(method, path, json={"fingerprint": "f"})
            assert response.status_code not in (401, 403), (method, path, response.text)


async def test_query_token_trades_for_a_strict_httponly_cookie(live: Live) -> None:
    async with live.client(token=False) as client:
        first = await client.get("/held", params={"token": live.server.token, "x": "1"})
        assert first.status_code == 303
        assert first.headers["location"] == "/held?x=1"  # the token leaves the address bar
        cookie = first.headers["set-cookie"]
        name = cookie_name(live.server.port)
        assert cookie.startswith(f"{name}={live.server.token};")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/" in cookie
        again = await client.get("/held")  # httpx keeps the cookie, like a browser
        assert again.status_code == 200
        assert again.headers["content-security-policy"].startswith("default-src 'self'")
        assert again.headers["x-frame-options"] == "DENY"
        assert again.headers["cache-control"] == "no-store"
        # The query token is for GET only: a POST carrying it is refused.
        fresh = httpx.AsyncClient(base_url=live.server.url)
        async with fresh:
            post = await fresh.post(
                "/api/held/x/deny", params={"token": live.server.token}, json={}
            )
        assert post.status_code == 401


async def test_changes_need_this_dashboards_origin(live: Live) -> None:
    origin = live.server.url.rstrip("/")
    cookie = {"Cookie": f"{cookie_name(live.server.port)}={live.server.token}"}
    body = {"fingerprint": "f"}
    async with live.client(token=False) as client:
        # A cross-site form would carry the cookie but not this Origin: refused.
        no_origin = await client.post("/api/held/x/deny", headers=cookie, json=body)
        assert no_origin.status_code == 403
        foreign = {**cookie, "Origin": "http://evil.example"}
        cross_site = await client.post("/api/held/x/deny", headers=foreign, json=body)
        assert cross_site.status_code == 403
        same = {**cookie, "Origin": origin}
        allowed = await client.post("/api/held/x/deny", headers=same, json=body)
        # The alert actions too, DELETE included.
        for method, path in (("POST", "/api/alerts/12/ack"), ("DELETE", "/api/silences/3")):
            refused = await client.request(method, path, headers=cookie)
            assert refused.status_code == 403, (method, path)
            past = await client.request(method, path, headers=same)
            assert past.status_code == 404, (method, path)  # past the checks: no such one
    assert allowed.status_code == 409  # past the checks: no such held dialog
    async with live.client() as client:
        # A script with the header needs no Origin, but a wrong one is still refused.
        assert (await client.post("/api/held/x/deny", json=body)).status_code == 409
        bad = await client.post(
            "/api/held/x/deny", headers={"Origin": "http://evil.example"}, json=body
        )
        assert bad.status_code == 403


def test_tokens() -> None:
    a, b = new_token(), new_token()
    assert a != b
    assert len(a) >= 40
    assert check_token("s" * 16) == "s" * 16
    with pytest.raises(DashboardError, match="at least 16"):
        check_token("short")
    with pytest.raises(DashboardError, match="without spaces"):
        check_token("a token with spaces")
    assert TOKEN_ENV == "YESMAN_HTTP_TOKEN"
