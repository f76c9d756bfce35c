"""The test servers and fixtures, used as an application's test suite would."""

import asyncio
import http.client
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trustme

from aiohttp import web
from aiohttp.test_utils import (
    RawTestServer,
    get_unused_port_socket,
    unused_port,
)


async def hello(request: web.BaseRequest) -> web.Response:
    return web.Response(text=f"hello {request.path}")


def _get(host: str, port: int, path: str, context: Any = None) -> tuple[int, bytes]:
    if context is None:
        conn: http.client.HTTPConnection = http.client.HTTPConnection(
            host, port, timeout=10
        )
    else:
        conn = http.client.HTTPSConnection(host, port, timeout=10, context=context)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


async def test_raw_test_server_lifecycle() -> None:
    server = RawTestServer(hello)
    assert not server.started
    assert not server.closed
    with pytest.raises(RuntimeError, match="start_server"):
        server.make_url("/")
    with pytest.raises(RuntimeError, match="not started"):
        server.handler  # noqa: B018
    await server.start_server()
    await server.start_server()  # a second start is a no-op
    assert server.started
    assert server.port
    assert server.scheme == "http"
    assert str(server.make_url("/x?y=1")) == f"http://127.0.0.1:{server.port}/x?y=1"
    status, body = await asyncio.to_thread(_get, "127.0.0.1", server.port, "/x")
    assert (status, body) == (200, b"hello /x")
    assert server.handler.requests_count == 1
    await server.close()
    assert server.closed
    await server.close()
    assert server.port is None


async def test_raw_test_server_context_manager() -> None:
    async with RawTestServer(hello) as server:
        port = server.port
        assert port
        status, _ = await asyncio.to_thread(_get, "127.0.0.1", port, "/")
        assert status == 200
    with pytest.raises(ConnectionRefusedError):
        await asyncio.to_thread(_get, "127.0.0.1", port, "/")


async def test_make_url_strict_mode() -> None:
    async with RawTestServer(hello, skip_url_asserts=False) as server:
        assert server.make_url("/a").path == "/a"
        with pytest.raises(AssertionError, match="relative"):
            server.make_url("http://elsewhere/")


async def test_aiohttp_raw_server_fixture(
    aiohttp_raw_server: Callable[..., Awaitable[RawTestServer]],
) -> None:
    first = await aiohttp_raw_server(hello)
    second = await aiohttp_raw_server(hello)
    assert first.port != second.port
    for srv in (first, second):
        status, _ = await asyncio.to_thread(_get, "127.0.0.1", srv.port, "/")
        assert status == 200


async def test_many_servers_started_at_once_never_collide(
    aiohttp_raw_server: Callable[..., Awaitable[RawTestServer]],
) -> None:
    servers = await asyncio.gather(*(aiohttp_raw_server(hello) for _ in range(50)))
    ports = {srv.port for srv in servers}
    assert len(ports) == 50


async def test_hundreds_of_servers_leave_nothing_open() -> None:
    # filterwarnings=error turns any unclosed socket (ResourceWarning) into a
    # failure; the task check catches leaked connection tasks.
    for _ in range(200):
        async with RawTestServer(hello) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await reader.readuntil(b"hello /")
            writer.close()
            await writer.wait_closed()
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current] == []


async def test_server_on_ipv6() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("::1 is not available")
    async with RawTestServer(hello, host="::1") as server:
        assert str(server.make_url("/")) == f"http://[::1]:{server.port}/"
        status, body = await asyncio.to_thread(_get, "::1", server.port, "/v6")
        assert (status, body) == (200, b"hello /v6")


async def test_server_over_tls() -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    server = RawTestServer(hello)
    await server.start_server(ssl=server_ctx)
    try:
        assert server.scheme == "https"
        assert str(server.make_url("/")).startswith("https://127.0.0.1:")
        status, body = await asyncio.to_thread(
            _get, "127.0.0.1", server.port, "/tls", client_ctx
        )
        assert (status, body) == (200, b"hello /tls")
    finally:
        await server.close()


def test_unused_port_helpers(aiohttp_unused_port: Callable[[], int]) -> None:
    assert aiohttp_unused_port is unused_port
    port = unused_port()
    assert 0 < port < 65536
    sock = get_unused_port_socket("127.0.0.1")
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


async def test_fixed_port_is_honoured() -> None:
    sock = get_unused_port_socket("127.0.0.1")
    port = sock.getsockname()[1]
    sock.close()
    async with RawTestServer(hello, port=port) as server:
        assert server.port == port
