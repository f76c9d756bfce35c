"""A TLS site refuses clients that do not speak TLS, cleanly, and carries on.

A plain-text request (or any garbage) on a TLS port gets its connection
closed without reaching the handler; no task or connection is left behind,
nothing is logged as an application error, and TLS clients keep being served.
"""

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Iterator

import pytest

from aiohttp import web
from aiohttp.web_runner import ServerRunner, TCPSite
from aiohttp.web_server import Server

from ._tls_helpers import tls_contexts


@pytest.fixture(scope="module")
def tls() -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    """(server context, client context) trusted for 127.0.0.1."""
    yield tls_contexts()


class Site:
    def __init__(self, server: Server, port: int) -> None:
        self.server = server
        self.port = port
        self.paths: list[str] = []


@pytest.fixture
async def site(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> AsyncIterator[Site]:
    paths: list[str] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        paths.append(request.path)
        return web.Response(text="over tls")

    server = Server(handler)
    runner = ServerRunner(server, shutdown_timeout=5.0)
    await runner.setup()
    tcp = TCPSite(runner, "127.0.0.1", 0, ssl_context=tls[0])
    await tcp.start()
    result = Site(server, tcp.port)
    result.paths = paths
    yield result
    await runner.cleanup()


async def tls_get(port: int, ctx: ssl.SSLContext) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    writer.write(b"GET /tls HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        await writer.wait_closed()
    return data


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        b"\x00" * 64,
        b"\x16\x03\x01\x00\x05hello",  # a TLS record header with a bogus body
    ],
    ids=["plain-http", "zeros", "bad-handshake"],
)
async def test_plain_text_client_is_closed_cleanly(
    site: Site,
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
    caplog: pytest.LogCaptureFixture,
    data: bytes,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    writer.write(data)
    with contextlib.suppress(ConnectionResetError):
        received = await asyncio.wait_for(reader.read(), 10)
        assert b"HTTP/1.1" not in received  # nothing but a TLS alert, if that
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    assert site.paths == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await tls_get(site.port, tls[1])).startswith(b"HTTP/1.1 200 OK")
    assert site.paths == ["/tls"]


async def test_client_that_never_sends_a_handshake_is_closed(
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    """A silent client: the handshake timeout of asyncio closes it."""

    async def handler(request: web.BaseRequest) -> web.Response:
        raise AssertionError("never reached")  # pragma: no cover

    runner = ServerRunner(Server(handler), shutdown_timeout=5.0)
    await runner.setup()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        runner.server,  # type: ignore[arg-type]
        "127.0.0.1",
        0,
        ssl=tls[0],
        ssl_handshake_timeout=0.2,
    )
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    with contextlib.suppress(ConnectionResetError):
        assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    server.close()
    await server.wait_closed()
    await runner.cleanup()
