"""Redirects: method and body rules, history, limits, credentials, bad targets."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

Serve = Callable[..., Awaitable[TestServer]]


@pytest.fixture
def serve(aiohttp_server: Any) -> Serve:
    async def go(*routes: tuple[str, str, Any]) -> TestServer:
        app = web.Application()
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        server: TestServer = await aiohttp_server(app)
        return server

    return go


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as sess:
        yield sess


async def target(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "body": body.decode(),
            "auth": request.headers.get("Authorization"),
            "cookie": request.headers.get("Cookie"),
            "ctype": request.headers.get("Content-Type"),
        }
    )


def redirector(status: int, location: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=status, headers={"Location": location})

    return handler


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "body_kept"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
        (301, "PUT", "PUT", True),
    ],
)
async def test_method_and_body_rules(
    serve: Serve,
    session: aiohttp.ClientSession,
    status: int,
    method: str,
    expected_method: str,
    body_kept: bool,
) -> None:
    server = await serve(
        ("*", "/from", redirector(status, "/to")),
        ("*", "/to", target),
    )
    async with session.request(
        method, server.make_url("/from"), data=b"payload"
    ) as resp:
        data = await resp.json()
        assert resp.url == server.make_url("/to")
        assert len(resp.history) == 1
        assert resp.history[0].status == status
        assert resp.history[0].url == server.make_url("/from")
    assert data["method"] == expected_method
    assert data["body"] == ("payload" if body_kept else "")
    if not body_kept:
        assert data["ctype"] is None


async def test_303_head_stays_head(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(("*", "/from", redirector(303, "/to")), ("*", "/to", target))
    async with session.head(server.make_url("/from"), allow_redirects=True) as resp:
        assert resp.status == 200
        assert resp.method == "HEAD"


async def test_chain_and_relative_location(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(
        ("GET", "/a/1", redirector(302, "2")),
        ("GET", "/a/2", redirector(302, "../b")),
        ("GET", "/b", target),
    )
    async with session.get(server.make_url("/a/1")) as resp:
        assert resp.url == server.make_url("/b")
        assert [r.url.path for r in resp.history] == ["/a/1", "/a/2"]


async def test_allow_redirects_false(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(("GET", "/from", redirector(302, "/to")))
    async with session.get(server.make_url("/from"), allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/to"
        assert resp.history == ()


async def test_head_does_not_follow_by_default(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(("HEAD", "/from", redirector(302, "/to")))
    async with session.head(server.make_url("/from")) as resp:
        assert resp.status == 302


async def test_too_many_redirects(serve: Serve, session: aiohttp.ClientSession) -> None:
    server = await serve(("GET", "/loop", redirector(302, "/loop")))
    with pytest.raises(aiohttp.TooManyRedirects) as info:
        await session.get(server.make_url("/loop"), max_redirects=3)
    assert len(info.value.history) == 3
    assert info.value.request_info.url == server.make_url("/loop")


async def test_redirect_without_location_is_returned(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=302)

    server = await serve(("GET", "/", handler))
    async with session.get(server.make_url("/")) as resp:
        assert resp.status == 302


async def test_non_http_location(serve: Serve, session: aiohttp.ClientSession) -> None:
    server = await serve(("GET", "/", redirector(302, "ftp://example.com/x")))
    with pytest.raises(aiohttp.NonHttpUrlRedirectClientError):
        await session.get(server.make_url("/"))


async def test_invalid_location(serve: Serve, session: aiohttp.ClientSession) -> None:
    server = await serve(("GET", "/", redirector(302, "http://[bad")))
    with pytest.raises(aiohttp.InvalidUrlRedirectClientError):
        await session.get(server.make_url("/"))


async def test_cross_origin_drops_credentials(
    aiohttp_server: Any, session: aiohttp.ClientSession
) -> None:
    other_app = web.Application()
    other_app.router.add_get("/to", target)
    other = await aiohttp_server(other_app)
    # Same host, other port: another origin.
    app = web.Application()
    app.router.add_get("/same", target)
    app.router.add_get("/from", redirector(302, str(other.make_url("/to"))))
    app.router.add_get("/local", redirector(302, "/same"))
    server = await aiohttp_server(app)
    auth = aiohttp.BasicAuth("u", "p")
    kwargs: dict[str, Any] = {"auth": auth, "cookies": {"c": "1"}}
    async with session.get(server.make_url("/from"), **kwargs) as resp:
        data = await resp.json()
    assert data["auth"] is None
    assert data["cookie"] is None
    async with session.get(server.make_url("/local"), **kwargs) as resp:
        data = await resp.json()
    assert data["auth"] == auth.encode()
    assert data["cookie"] == "c=1"
    headers = {"Authorization": "Bearer t"}
    async with session.get(server.make_url("/from"), headers=headers) as resp:
        assert (await resp.json())["auth"] is None


async def test_trace_redirect(serve: Serve) -> None:
    seen: list[int] = []

    async def on_redirect(session: Any, ctx: Any, params: Any) -> None:
        seen.append(params.response.status)

    config = aiohttp.TraceConfig()
    config.on_request_redirect.append(on_redirect)
    server = await serve(
        ("GET", "/from", redirector(307, "/to")), ("GET", "/to", target)
    )
    async with aiohttp.ClientSession(trace_configs=[config]) as sess:
        async with sess.get(server.make_url("/from")) as resp:
            await resp.read()
    assert seen == [307]


async def test_redirect_cookies_stored_each_hop(serve: Serve) -> None:
    async def setter(request: web.Request) -> web.Response:
        resp = web.Response(status=302, headers={"Location": "/to"})
        resp.set_cookie("hop", "1")
        return resp

    server = await serve(("GET", "/from", setter), ("GET", "/to", target))
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(server.make_url("/from")) as resp:
            assert (await resp.json())["cookie"] == "hop=1"
