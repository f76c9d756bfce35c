"""TraceConfig signals as a session sends them, with their documented params."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from yarl import URL

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from ._connector_helpers import FakeResolver

ServerFactory = Callable[..., Awaitable[TestServer]]

# Every documented signal and the type its listeners receive.
SIGNALS = {
    "on_request_start": aiohttp.TraceRequestStartParams,
    "on_request_chunk_sent": aiohttp.TraceRequestChunkSentParams,
    "on_response_chunk_received": aiohttp.TraceResponseChunkReceivedParams,
    "on_request_end": aiohttp.TraceRequestEndParams,
    "on_request_exception": aiohttp.TraceRequestExceptionParams,
    "on_request_redirect": aiohttp.TraceRequestRedirectParams,
    "on_connection_queued_start": aiohttp.TraceConnectionQueuedStartParams,
    "on_connection_queued_end": aiohttp.TraceConnectionQueuedEndParams,
    "on_connection_create_start": aiohttp.TraceConnectionCreateStartParams,
    "on_connection_create_end": aiohttp.TraceConnectionCreateEndParams,
    "on_connection_reuseconn": aiohttp.TraceConnectionReuseconnParams,
    "on_dns_resolvehost_start": aiohttp.TraceDnsResolveHostStartParams,
    "on_dns_resolvehost_end": aiohttp.TraceDnsResolveHostEndParams,
    "on_dns_cache_hit": aiohttp.TraceDnsCacheHitParams,
    "on_dns_cache_miss": aiohttp.TraceDnsCacheMissParams,
    "on_request_headers_sent": aiohttp.TraceRequestHeadersSentParams,
}


class Recorder:
    """A TraceConfig listening on every signal; records (name, params)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.fired: dict[str, asyncio.Event] = {n: asyncio.Event() for n in SIGNALS}
        self.config: aiohttp.TraceConfig[Any] = aiohttp.TraceConfig()
        for name in SIGNALS:
            getattr(self.config, name).append(self._listener(name))

    def _listener(self, name: str) -> Any:
        async def listener(session: Any, ctx: Any, params: Any) -> None:
            assert isinstance(params, SIGNALS[name]), name
            assert isinstance(session, aiohttp.ClientSession)
            assert ctx.trace_request_ctx == "tag"
            self.events.append((name, params))
            self.fired[name].set()

        return listener

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


@pytest.fixture
async def server(aiohttp_server: ServerFactory) -> TestServer:
    gate = asyncio.Event()

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/"})

    async def slow(request: web.Request) -> web.Response:
        await gate.wait()
        return web.Response(text="slow")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/slow", slow)
    app.router.add_post("/echo", echo)
    srv = await aiohttp_server(app)
    srv.gate = gate  # type: ignore[attr-defined]
    return srv


async def test_connection_and_dns_signals(server: TestServer) -> None:
    rec = Recorder()
    resolver = FakeResolver({"trace.example": "127.0.0.1"})
    connector = aiohttp.TCPConnector(resolver=resolver)
    url = URL(f"http://trace.example:{server.port}/redirect")
    async with aiohttp.ClientSession(
        connector=connector, trace_configs=[rec.config]
    ) as sess:
        async with sess.get(url, trace_request_ctx="tag") as resp:
            assert await resp.text() == "hello"
    assert rec.names() == [
        "on_request_start",
        "on_connection_create_start",
        "on_dns_cache_miss",
        "on_dns_resolvehost_start",
        "on_dns_resolvehost_end",
        "on_connection_create_end",
        "on_request_headers_sent",
        "on_request_redirect",
        "on_connection_reuseconn",
        "on_request_headers_sent",
        "on_request_end",
        "on_response_chunk_received",
    ]
    params = dict(rec.events)
    assert params["on_request_start"].method == "GET"
    assert params["on_request_start"].url == url
    assert params["on_dns_resolvehost_start"].host == "trace.example"
    assert params["on_dns_cache_miss"].host == "trace.example"
    assert params["on_request_redirect"].response.status == 302
    assert params["on_request_end"].response.status == 200
    assert params["on_response_chunk_received"].chunk == b"hello"
    assert "Host" in params["on_request_headers_sent"].headers


async def test_queued_connection(server: TestServer) -> None:
    rec = Recorder()
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(
        connector=connector, trace_configs=[rec.config]
    ) as sess:
        first = asyncio.ensure_future(
            sess.get(server.make_url("/slow"), trace_request_ctx="tag")
        )
        # The first request holds the only connection; the second waits.
        await rec.fired["on_request_headers_sent"].wait()
        second = asyncio.ensure_future(
            sess.get(server.make_url("/"), trace_request_ctx="tag")
        )
        await rec.fired["on_connection_queued_start"].wait()
        assert not rec.fired["on_connection_queued_end"].is_set()
        server.gate.set()  # type: ignore[attr-defined]
        async with await first as resp:
            assert await resp.text() == "slow"
        async with await second as resp:
            assert await resp.text() == "hello"
    seen = rec.names()
    assert seen.index("on_connection_queued_start") < seen.index(
        "on_connection_queued_end"
    )
    assert seen.count("on_connection_create_start") == 1
    assert "on_connection_reuseconn" in seen


async def test_dns_cache_hit(server: TestServer) -> None:
    rec = Recorder()
    resolver = FakeResolver({"trace.example": "127.0.0.1"})
    # force_close: every request opens a connection and so looks the host up.
    connector = aiohttp.TCPConnector(resolver=resolver, force_close=True)
    url = URL(f"http://trace.example:{server.port}/")
    async with aiohttp.ClientSession(
        connector=connector, trace_configs=[rec.config]
    ) as sess:
        for _ in range(2):
            async with sess.get(url, trace_request_ctx="tag") as resp:
                assert await resp.text() == "hello"
    seen = rec.names()
    assert seen.count("on_dns_cache_miss") == 1
    assert seen.count("on_dns_cache_hit") == 1
    hit = dict(rec.events)["on_dns_cache_hit"]
    assert hit.host == "trace.example"
    assert len(resolver.calls) == 1


async def test_request_exception_signal(server: TestServer) -> None:
    rec = Recorder()
    resolver = FakeResolver({})
    connector = aiohttp.TCPConnector(resolver=resolver)
    async with aiohttp.ClientSession(
        connector=connector, trace_configs=[rec.config]
    ) as sess:
        with pytest.raises(aiohttp.ClientConnectorDNSError):
            await sess.get("http://nowhere.example/", trace_request_ctx="tag")
    assert rec.names()[-1] == "on_request_exception"
    params = rec.events[-1][1]
    assert isinstance(params.exception, aiohttp.ClientConnectorDNSError)
    assert (params.method, params.url) == ("GET", URL("http://nowhere.example/"))


async def test_chunk_sent_signal(server: TestServer) -> None:
    rec = Recorder()

    async def body() -> Any:
        yield b"one"
        yield b"two"

    async with aiohttp.ClientSession(trace_configs=[rec.config]) as sess:
        async with sess.post(
            server.make_url("/echo"), data=body(), trace_request_ctx="tag"
        ) as resp:
            assert await resp.read() == b"onetwo"
    chunks = [p.chunk for name, p in rec.events if name == "on_request_chunk_sent"]
    assert b"".join(chunks) == b"onetwo"
