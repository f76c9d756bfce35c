"""ClientSession: construction, properties, life cycle, timeouts, environment."""

import asyncio
import gc
import http.server
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import aiohttp
from aiohttp import web
from aiohttp._client_timeout import DEFAULT_TIMEOUT
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


# ---------------------------------------------------------------- construction
async def test_defaults_and_properties() -> None:
    async with aiohttp.ClientSession() as sess:
        assert isinstance(sess.connector, aiohttp.TCPConnector)
        assert isinstance(sess.cookie_jar, aiohttp.CookieJar)
        assert sess.timeout == DEFAULT_TIMEOUT
        assert sess.timeout.total == 300 and sess.timeout.sock_connect == 30
        assert sess.version == aiohttp.HttpVersion11
        assert sess.auth is None
        assert sess.trust_env is False
        assert sess.auto_decompress is True
        assert sess.raise_for_status is False
        assert sess.connector_owner is True
        assert sess.requote_redirect_url is True
        assert sess.skip_auto_headers == frozenset()
        assert sess.trace_configs == []
        assert sess.middlewares == ()
        assert sess.json_serialize is json.dumps
        assert len(sess.headers) == 0
        assert not sess.closed
    assert sess.closed
    assert sess.connector is None


async def test_headers_and_auth_kept() -> None:
    auth = aiohttp.BasicAuth("a", "b")
    async with aiohttp.ClientSession(
        headers={"X-A": "1"}, auth=auth, skip_auto_headers=["User-Agent"]
    ) as sess:
        assert sess.headers["x-a"] == "1"
        assert sess.auth == auth
        assert sess.skip_auto_headers == frozenset({"User-Agent"})


async def test_timeout_argument_forms() -> None:
    t = aiohttp.ClientTimeout(total=1)
    async with aiohttp.ClientSession(timeout=t) as sess:
        assert sess.timeout is t
    async with aiohttp.ClientSession(timeout=None) as sess:
        assert sess.timeout == aiohttp.ClientTimeout()
    with pytest.raises(ValueError, match="ClientTimeout"):
        aiohttp.ClientSession(timeout=5)  # type: ignore[arg-type]


async def test_deprecated_timeouts() -> None:
    with pytest.warns(DeprecationWarning, match="read_timeout"):
        sess = aiohttp.ClientSession(read_timeout=3, conn_timeout=2)
    assert sess.timeout == aiohttp.ClientTimeout(total=3, connect=2)
    await sess.close()
    with pytest.raises(ValueError, match="conflict"):
        aiohttp.ClientSession(read_timeout=3, timeout=aiohttp.ClientTimeout())


async def test_ssl_shutdown_timeout_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="ssl_shutdown_timeout"):
        sess = aiohttp.ClientSession(ssl_shutdown_timeout=0)
    await sess.close()


@pytest.mark.parametrize(
    ("base_url", "match"),
    [("/relative/", "absolute"), ("http://example.com/api", "end with '/'")],
)
async def test_bad_base_url(base_url: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        aiohttp.ClientSession(base_url)


async def test_sync_with_refused() -> None:
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(TypeError, match="async with"):
            with sess:
                pass  # pragma: no cover


def test_needs_running_loop() -> None:
    with pytest.raises(RuntimeError):
        aiohttp.ClientSession()


async def test_connector_loop_mismatch() -> None:
    other = asyncio.new_event_loop()
    try:
        connector = aiohttp.TCPConnector()
        with pytest.raises(RuntimeError, match="same event loop"):
            aiohttp.ClientSession(connector=connector, loop=other)
        await connector.close()
    finally:
        other.close()


async def test_connector_owner_false_and_detach() -> None:
    connector = aiohttp.TCPConnector()
    sess = aiohttp.ClientSession(connector=connector, connector_owner=False)
    await sess.close()
    assert sess.closed
    assert not connector.closed
    sess2 = aiohttp.ClientSession(connector=connector)
    sess2.detach()
    assert sess2.closed
    assert not connector.closed
    await connector.close()


async def test_requote_redirect_url_setter_deprecated() -> None:
    async with aiohttp.ClientSession() as sess:
        with pytest.warns(DeprecationWarning):
            sess.requote_redirect_url = False
        assert sess.requote_redirect_url is False


async def test_loop_property_deprecated() -> None:
    async with aiohttp.ClientSession() as sess:
        with pytest.warns(DeprecationWarning):
            assert sess.loop is asyncio.get_running_loop()


async def test_unclosed_session_warning() -> None:
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, ctx: contexts.append(ctx))
    connector = aiohttp.TCPConnector()
    sess = aiohttp.ClientSession(connector=connector, connector_owner=False)
    with pytest.warns(ResourceWarning, match="Unclosed client session"):
        del sess
        gc.collect()
    assert contexts[0]["message"] == "Unclosed client session"
    await connector.close()


async def test_timeout_per_request_forms(serve: Serve) -> None:
    async with aiohttp.ClientSession() as sess:
        assert sess._request_timeout(2).total == 2
        assert sess._request_timeout(None) == aiohttp.ClientTimeout()
        with pytest.raises(TypeError, match="ClientTimeout"):
            sess._request_timeout("soon")  # type: ignore[arg-type]


# ---------------------------------------------------------------- timeouts
@pytest.fixture
async def stalled(serve: Serve) -> AsyncIterator[TestServer]:
    """A server whose /head never answers and whose /body stops half way."""
    release = asyncio.Event()

    async def head(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    async def body(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "100"})
        await resp.prepare(request)
        await resp.write(b"x" * 10)
        await release.wait()
        return resp

    server = await serve(("GET", "/head", head), ("GET", "/body", body))
    yield server
    release.set()


async def test_total_timeout_waiting_for_head(stalled: TestServer) -> None:
    timeout = aiohttp.ClientTimeout(total=0.05)
    async with aiohttp.ClientSession(timeout=timeout) as sess:
        with pytest.raises(asyncio.TimeoutError) as info:
            await sess.get(stalled.make_url("/head"))
    assert not isinstance(info.value, aiohttp.SocketTimeoutError)


async def test_total_timeout_covers_body(stalled: TestServer) -> None:
    async with aiohttp.ClientSession() as sess:
        resp = await sess.get(
            stalled.make_url("/body"), timeout=aiohttp.ClientTimeout(total=0.1)
        )
        with pytest.raises(asyncio.TimeoutError):
            await resp.read()
        resp.close()


async def test_sock_read_timeout(stalled: TestServer) -> None:
    timeout = aiohttp.ClientTimeout(sock_read=0.05)
    async with aiohttp.ClientSession(timeout=timeout) as sess:
        with pytest.raises(aiohttp.SocketTimeoutError):
            await sess.get(stalled.make_url("/head"))
        resp = await sess.get(stalled.make_url("/body"))
        with pytest.raises(aiohttp.ServerTimeoutError):
            await resp.read()
        resp.close()


async def test_connect_timeout_waiting_for_pool(stalled: TestServer) -> None:
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as sess:
        first = await sess.get(stalled.make_url("/body"))
        with pytest.raises(aiohttp.ConnectionTimeoutError):
            await sess.get(
                stalled.make_url("/body"), timeout=aiohttp.ClientTimeout(connect=0.05)
            )
        first.close()


# ---------------------------------------------------------------- environment
async def test_netrc_auth_with_trust_env(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=request.headers.get("Authorization", "none"))

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login nu password np\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    server = await serve(("GET", "/", handler))
    async with aiohttp.ClientSession(trust_env=True) as sess:
        async with sess.get(server.make_url("/")) as resp:
            assert await resp.text() == aiohttp.BasicAuth("nu", "np").encode()
    async with aiohttp.ClientSession() as sess:
        async with sess.get(server.make_url("/")) as resp:
            assert await resp.text() == "none"


# ---------------------------------------------------------------- stdlib server
class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, body: bytes, ctype: str = "text/plain") -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/http10":
            # Close-delimited body: no Content-Length, connection closes.
            self.protocol_version = "HTTP/1.0"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"until eof")
            self.close_connection = True
            return
        self._reply(
            json.dumps({"path": self.path, "ua": self.headers["User-Agent"]}).encode(),
            "application/json",
        )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._reply(self.rfile.read(length))


@pytest.fixture
def stdlib_server() -> Iterator[URL]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield URL(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_stdlib_server(stdlib_server: URL) -> None:
    async with aiohttp.ClientSession(stdlib_server) as sess:
        async with sess.get("/x?y=1") as resp:
            data = await resp.json()
        assert data["path"] == "/x?y=1"
        assert data["ua"].startswith("Python/")
        async with sess.post("/", data=b"echo me") as resp:
            assert await resp.read() == b"echo me"
        async with sess.get("/http10") as resp:
            assert resp.version == aiohttp.HttpVersion(1, 0)
            assert await resp.text() == "until eof"
