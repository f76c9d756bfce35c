"""TestClient, the aiohttp_client fixture and AioHTTPTestCase, used as a user would."""

import asyncio
import gc
import os
import ssl
import unittest
from typing import Any

import pytest
import trustme

from aiohttp import web
from aiohttp.cookiejar import CookieJar, DummyCookieJar
from aiohttp.pytest_plugin import AiohttpClient, AiohttpRawServer, AiohttpServer
from aiohttp.test_utils import (
    AioHTTPTestCase,
    RawTestServer,
    TestClient,
    TestServer,
    unittest_run_loop,
)

VISITS = web.AppKey("visits", int)


async def index(request: web.Request) -> web.Response:
    return web.Response(text=f"{request.method} {request.path_qs}")


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def set_cookie(request: web.Request) -> web.Response:
    resp = web.Response(text="set")
    resp.set_cookie("token", "abc")
    return resp


async def read_cookie(request: web.Request) -> web.Response:
    return web.Response(text=request.cookies.get("token", "none"))


async def big(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 1_000_000)


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/", index)
    app.router.add_post("/echo", echo)
    app.router.add_put("/echo", echo)
    app.router.add_patch("/echo", echo)
    app.router.add_get("/set", set_cookie)
    app.router.add_get("/read", read_cookie)
    app.router.add_get("/big", big)
    return app


async def raw_hello(request: web.BaseRequest) -> web.Response:
    return web.Response(text=f"raw {request.path}")


# --- TestClient ------------------------------------------------------------


async def test_every_method_reaches_the_app() -> None:
    async with TestClient(TestServer(make_app())) as client:
        for method in ("get", "delete", "options"):
            resp = await getattr(client, method)("/?q=1")
            assert resp.status == 200
            assert await resp.text() == f"{method.upper()} /?q=1"
        head = await client.head("/")
        assert head.status == 200
        for method in ("post", "put", "patch"):
            resp = await getattr(client, method)("/echo", data=b"body")
            assert await resp.read() == b"body"
        resp = await client.request("GET", "/")
        assert await resp.text() == "GET /"


async def test_properties_and_make_url() -> None:
    app = make_app()
    server = TestServer(app)
    client = TestClient(server)
    assert client.server is server
    assert client.app is app
    with pytest.raises(RuntimeError, match="start_server"):
        client.make_url("/")
    await client.start_server()
    try:
        assert client.host == "127.0.0.1"
        assert client.port == server.port
        assert client.scheme == "http"
        assert str(client.make_url("/a")) == f"http://127.0.0.1:{server.port}/a"
        assert not client.session.closed
        assert not client.closed
    finally:
        await client.close()
    assert client.closed
    assert client.session.closed
    assert server.closed
    await client.close()  # idempotent


async def test_raw_server_client_has_no_app() -> None:
    async with TestClient(RawTestServer(raw_hello)) as client:
        assert client.app is None
        resp = await client.get("/p")
        assert await resp.text() == "raw /p"


async def test_response_as_context_manager() -> None:
    async with TestClient(TestServer(make_app())) as client:
        async with client.get("/") as resp:
            assert resp.status == 200
            assert await resp.text() == "GET /"


async def test_default_cookie_jar_keeps_ip_cookies() -> None:
    async with TestClient(TestServer(make_app())) as client:
        assert isinstance(client.session.cookie_jar, CookieJar)
        assert await (await client.get("/set")).text() == "set"
        resp = await client.get("/read")
        assert await resp.text() == "abc"


async def test_custom_cookie_jar_and_session_kwargs() -> None:
    jar = DummyCookieJar()
    client = TestClient(TestServer(make_app()), cookie_jar=jar, headers={"X-Test": "1"})
    async with client:
        assert client.session.cookie_jar is jar
        assert client.session.headers["X-Test"] == "1"
        await client.get("/set")
        assert await (await client.get("/read")).text() == "none"


async def test_unread_responses_are_released_on_close() -> None:
    client = TestClient(TestServer(make_app()))
    await client.start_server()
    responses = [await client.get("/big") for _ in range(5)]
    await client.close()
    assert all(resp.closed for resp in responses)


async def test_closed_client_refuses_requests() -> None:
    client = TestClient(TestServer(make_app()))
    await client.start_server()
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.get("/")
    with pytest.raises(RuntimeError, match="closed"):
        await client.start_server()


def test_bad_server_argument_is_named() -> None:
    with pytest.raises(TypeError, match=r"TestClient\(TestServer\(app\)\)"):
        TestClient(web.Application())  # type: ignore[call-overload]


def test_sync_with_is_refused() -> None:
    client = TestClient(TestServer(make_app()))
    with pytest.raises(TypeError, match="async with"), client:
        pass  # pragma: no cover


def test_client_built_outside_a_loop_starts_inside_one() -> None:
    # aiohttp's framework-agnostic recipe: build outside, run in a loop.
    client = TestClient(TestServer(make_app()), loop=None)

    async def go() -> str:
        await client.start_server()
        try:
            return await (await client.get("/")).text()
        finally:
            await client.close()

    assert asyncio.run(go()) == "GET /"


async def test_ws_connect_without_websockets_is_explained() -> None:
    async with TestClient(TestServer(make_app())) as client:
        if hasattr(client.session, "ws_connect"):
            pytest.skip("the session supports WebSockets")
        with pytest.raises(RuntimeError, match="WebSockets are not available"):
            client.ws_connect("/")


async def test_client_over_tls() -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = TestServer(make_app(), ssl=server_ctx)
    async with TestClient(server) as client:
        assert client.scheme == "https"
        resp = await client.get("/", ssl=client_ctx)
        assert await resp.text() == "GET /"


async def test_client_on_ipv6() -> None:
    try:
        import socket

        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("::1 is not available")
    async with TestClient(TestServer(make_app(), host="::1")) as client:
        assert str(client.make_url("/")).startswith("http://[::1]:")
        assert await (await client.get("/")).text() == "GET /"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
async def test_hundreds_of_clients_leave_no_fds_or_tasks() -> None:
    async with TestClient(TestServer(make_app())) as warm:
        await warm.get("/")
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(150):
        async with TestClient(TestServer(make_app())) as client:
            resp = await client.get("/big")  # left unread on purpose
            assert resp.status == 200
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) == before
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current] == []


async def test_clients_started_together_never_collide() -> None:
    clients = [TestClient(TestServer(make_app())) for _ in range(40)]
    try:
        await asyncio.gather(*(c.start_server() for c in clients))
        assert len({c.port for c in clients}) == 40
        resps = await asyncio.gather(*(c.get("/") for c in clients))
        assert {r.status for r in resps} == {200}
    finally:
        await asyncio.gather(*(c.close() for c in clients))


# --- fixtures ----------------------------------------------------------------


async def test_aiohttp_client_with_app(aiohttp_client: AiohttpClient) -> None:
    app = make_app()
    client = await aiohttp_client(app)
    assert client.app is app
    assert await (await client.get("/")).text() == "GET /"


async def test_aiohttp_client_server_kwargs(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(
        make_app(), server_kwargs={"host": "127.0.0.1"}, headers={"X": "1"}
    )
    assert client.host == "127.0.0.1"
    assert client.session.headers["X"] == "1"


async def test_aiohttp_client_with_servers(
    aiohttp_client: AiohttpClient,
    aiohttp_server: AiohttpServer,
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    server = await aiohttp_server(make_app())
    client = await aiohttp_client(server)
    assert client.server is server
    assert client.port == server.port
    raw = await aiohttp_raw_server(raw_hello)
    raw_client = await aiohttp_client(raw)
    assert await (await raw_client.get("/r")).text() == "raw /r"


async def test_aiohttp_client_app_factory(aiohttp_client: AiohttpClient) -> None:
    def factory(loop: asyncio.AbstractEventLoop, *args: Any) -> web.Application:
        assert loop is asyncio.get_running_loop()
        assert args == (1, 2)
        return make_app()

    client = await aiohttp_client(factory, 1, 2)  # type: ignore[call-overload]
    assert (await client.get("/")).status == 200


async def test_aiohttp_client_rejects_other_types(
    aiohttp_client: AiohttpClient,
) -> None:
    with pytest.raises(ValueError, match=r"web\.Application, TestServer"):
        await aiohttp_client(object())  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="positional arguments"):
        await aiohttp_client(make_app(), 1)  # type: ignore[call-overload]


async def test_aiohttp_client_cls_fixture(
    aiohttp_client_cls: type[TestClient[Any, Any]],
) -> None:
    assert aiohttp_client_cls is TestClient


# --- AioHTTPTestCase ------------------------------------------------------------


class _AppCase(AioHTTPTestCase):
    async def get_application(self) -> web.Application:
        app = make_app()
        app[VISITS] = 0
        return app

    async def test_get(self) -> None:
        resp = await self.client.get("/?x=1")
        self.assertEqual(resp.status, 200)
        self.assertEqual(await resp.text(), "GET /?x=1")
        self.assertIs(self.client.app, self.app)
        self.assertIs(self.client.server, self.server)
        self.assertIs(asyncio.get_running_loop(), self.loop)

    async def test_state(self) -> None:
        self.assertEqual(self.app[VISITS], 0)
        self.assertTrue(self.server.started)


class _MissingApp(AioHTTPTestCase):
    __test__ = False  # run by test_..._explains below, where it must fail

    async def test_never_runs(self) -> None:
        raise AssertionError("setup should have failed")  # pragma: no cover


def _run_case(case: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TestResult()
    suite.run(result)
    return result


def test_aiohttp_test_case_runs_under_unittest() -> None:
    result = _run_case(_AppCase)
    assert result.testsRun == 2
    assert result.errors == [] and result.failures == []


def test_aiohttp_test_case_without_application_explains() -> None:
    result = _run_case(_MissingApp)
    assert len(result.errors) == 1
    assert "get_application" in result.errors[0][1]


def test_unittest_run_loop_is_a_deprecated_no_op() -> None:
    async def method() -> None:
        pass

    with pytest.warns(DeprecationWarning, match="no longer needed"):
        assert unittest_run_loop(method) is method


def test_aiohttp_test_case_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_case="""
from aiohttp import web
from aiohttp.test_utils import AioHTTPTestCase


async def hello(request):
    return web.Response(text="hello")


class MyAppTestCase(AioHTTPTestCase):
    async def get_application(self):
        app = web.Application()
        app.router.add_get("/", hello)
        return app

    async def test_example(self):
        async with self.client.request("GET", "/") as resp:
            self.assertEqual(resp.status, 200)
            self.assertIn("hello", await resp.text())

    async def test_port_is_real(self):
        self.assertTrue(self.server.port)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2)


class _FakeWebSocket:
    def __init__(self, url: Any) -> None:
        self.url = url
        self.closed = False

    async def close(self) -> None:
        self.closed = True


async def test_ws_connect_forwards_to_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Once the session has ws_connect, the client forwards to it and closes
    # every WebSocket it opened.
    async def ws_connect(url: Any, **kwargs: Any) -> _FakeWebSocket:
        assert kwargs == {"heartbeat": 5}
        return _FakeWebSocket(url)

    async with TestClient(TestServer(make_app())) as client:
        monkeypatch.setattr(client.session, "ws_connect", ws_connect, raising=False)
        async with client.ws_connect("/ws", heartbeat=5) as ws:
            assert ws.url == client.make_url("/ws")
        assert ws.closed
        kept = await client.ws_connect("/ws", heartbeat=5)
        assert not kept.closed
    assert kept.closed


async def test_client_uses_a_session_made_lazily() -> None:
    server = TestServer(make_app())
    client = TestClient(server)
    await client.session.close()
    client._session = None  # as when built outside a loop
    assert not client.session.closed  # made on first use
    await client.close()


async def test_async_with_response_after_failed_request() -> None:
    async with TestClient(TestServer(make_app())) as client:
        with pytest.raises(RuntimeError, match="boom"):
            async with client.get("/", trace_request_ctx=None) as resp:
                assert resp.status == 200
                raise RuntimeError("boom")
