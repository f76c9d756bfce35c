"""Requests through a small HTTP proxy written here: forwarding and CONNECT."""

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
import trustme
from yarl import URL

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Proxy:
    """A forwarding proxy on 127.0.0.1 that records what it received."""

    require_auth: Optional[str] = None
    heads: list[bytes] = field(default_factory=list)
    server: Optional[asyncio.Server] = None
    tasks: set["asyncio.Task[None]"] = field(default_factory=set)

    @property
    def url(self) -> URL:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return URL(f"http://127.0.0.1:{port}")

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.tasks.discard(task)
            writer.close()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head)
        lines = head.decode("latin1").split("\r\n")
        method, target, _ = lines[0].split(" ")
        headers = dict(line.split(": ", 1) for line in lines[1:] if line)
        if (
            self.require_auth
            and headers.get("Proxy-Authorization") != self.require_auth
        ):
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            url = URL(target)
            assert url.absolute, f"proxy got a non-absolute target {target!r}"
            up_reader, up_writer = await asyncio.open_connection(url.host, url.port)
            origin_line = f"{method} {url.raw_path_qs} HTTP/1.1".encode()
            up_writer.write(origin_line + head[head.index(b"\r\n") :])
        await writer.drain()
        self._spawn(_pipe(reader, up_writer))
        await _pipe(up_reader, writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    p = Proxy()
    await p.start()
    yield p
    await p.close()


async def info(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "path": request.path_qs,
            "proxy_auth": request.headers.get("Proxy-Authorization"),
            "x_proxy": request.headers.get("X-Proxy"),
            "secure": request.secure,
        }
    )


@pytest.fixture
async def http_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> TestServer:
    app = web.Application()
    app.router.add_get("/info", info)
    return await aiohttp_server(app)


async def test_http_forwarding(proxy: Proxy, http_server: TestServer) -> None:
    url = http_server.make_url("/info?x=1")
    async with aiohttp.ClientSession() as sess:
        async with sess.get(url, proxy=proxy.url) as resp:
            data = await resp.json()
    assert data["path"] == "/info?x=1"
    assert proxy.heads[0].startswith(f"GET {url} HTTP/1.1\r\n".encode())


async def test_http_proxy_auth_and_headers(
    proxy: Proxy, http_server: TestServer
) -> None:
    auth = aiohttp.BasicAuth("pu", "pp")
    proxy.require_auth = auth.encode()
    url = http_server.make_url("/info")
    async with aiohttp.ClientSession() as sess:
        kwargs: dict[str, Any] = {"proxy_auth": auth, "proxy_headers": {"X-Proxy": "1"}}
        async with sess.get(url, proxy=proxy.url, **kwargs) as resp:
            data = await resp.json()
        assert data["proxy_auth"] == auth.encode()
        assert data["x_proxy"] == "1"
        async with sess.get(url, proxy=proxy.url.with_path("/x")) as resp:
            assert resp.status == 407


async def test_session_level_proxy(proxy: Proxy, http_server: TestServer) -> None:
    async with aiohttp.ClientSession(proxy=proxy.url) as sess:
        async with sess.get(http_server.make_url("/info")) as resp:
            assert resp.status == 200
    assert len(proxy.heads) == 1


async def test_proxy_from_env(
    proxy: Proxy, http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", str(proxy.url))
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    async with aiohttp.ClientSession(trust_env=True) as sess:
        async with sess.get(http_server.make_url("/info")) as resp:
            assert resp.status == 200
    assert len(proxy.heads) == 1
    async with aiohttp.ClientSession() as sess:  # trust_env off: direct
        async with sess.get(http_server.make_url("/info")) as resp:
            assert resp.status == 200
    assert len(proxy.heads) == 1


async def test_https_through_connect(
    proxy: Proxy, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    app = web.Application()
    app.router.add_get("/info", info)
    server = await aiohttp_server(app, ssl=server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    auth = aiohttp.BasicAuth("pu", "pp")
    proxy.require_auth = auth.encode()
    async with aiohttp.ClientSession() as sess:
        kwargs: dict[str, Any] = {"proxy_auth": auth, "ssl": client_ctx}
        async with sess.get(
            server.make_url("/info"), proxy=proxy.url, **kwargs
        ) as resp:
            data = await resp.json()
    assert data["secure"] is True
    # Credentials go to the proxy in CONNECT, never to the origin.
    assert data["proxy_auth"] is None
    assert proxy.heads[0].startswith(
        f"CONNECT 127.0.0.1:{server.port} HTTP/1.1".encode()
    )


async def test_connect_refused_by_proxy(
    proxy: Proxy, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    proxy.require_auth = "Basic nope"
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(aiohttp.ClientHttpProxyError) as exc:
            await sess.get("https://127.0.0.1:1/", proxy=proxy.url)
    assert exc.value.status == 407


async def test_bad_proxy_url() -> None:
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(ValueError, match="proxy"):
            await sess.get("http://127.0.0.1:1/", proxy="socks5://127.0.0.1:1")
