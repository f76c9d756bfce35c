"""The test servers and fixtures, used as an application's test suite would."""

import asyncio
import gc
import http.client
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trustme

from aiohttp import web
from aiohttp.test_utils import (
    RawTestServer,
    TestServer,
    get_unused_port_socket,
    loop_context,
    setup_test_loop,
    teardown_test_loop,
    unused_port,
)

from ._tls_helpers import tls_contexts


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


def _ipv6_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


async def test_server_on_ipv6() -> None:
    if not _ipv6_available():
        pytest.skip("::1 is not available")
    async with RawTestServer(hello, host="::1") as server:
        assert str(server.make_url("/")) == f"http://[::1]:{server.port}/"
        status, body = await asyncio.to_thread(_get, "::1", server.port, "/v6")
        assert (status, body) == (200, b"hello /v6")


async def test_server_over_tls() -> None:
    server_ctx, client_ctx = tls_contexts()
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


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


needs_proc_fd = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd to count fds"
)


def _app() -> web.Application:
    app = web.Application()
    app.router.add_get("/{name}", app_hello)
    return app


async def app_hello(request: web.Request) -> web.Response:
    return web.Response(text=f"app {request.match_info['name']}")


async def _fetch(port: int, path: str, host: str = "127.0.0.1") -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        )
        return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


@needs_proc_fd
async def test_hundreds_of_app_servers_leave_no_fds_or_tasks() -> None:
    async with TestServer(_app()) as warmup:  # first use opens lasting fds
        await _fetch(warmup.port, "/warm")
    gc.collect()
    before = _open_fds()
    for i in range(300):
        server = TestServer(_app())
        await server.start_server()
        assert (await _fetch(server.port, f"/n{i}")).endswith(f"app n{i}".encode())
        await server.close()
    gc.collect()
    assert _open_fds() == before
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current] == []


@needs_proc_fd
async def test_servers_left_open_by_a_test_are_closed_by_the_fixture(
    pytester: pytest.Pytester,
) -> None:
    # The fixtures close whatever the test started, even when it fails.
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makepyfile(
        test_leak="""
import os
from aiohttp import web

FDS = []

def test_before():
    FDS.append(len(os.listdir("/proc/self/fd")))

async def test_start(aiohttp_server, aiohttp_raw_server):
    for _ in range(20):
        await aiohttp_server(web.Application())
        await aiohttp_raw_server(lambda r: web.Response())
    assert False, "fail with the servers still open"

def test_after():
    assert len(os.listdir("/proc/self/fd")) == FDS[0]
"""
    )
    result = await asyncio.to_thread(
        pytester.runpytest_subprocess, "-p", "no:cacheprovider", "-W", "error"
    )
    result.assert_outcomes(passed=2, failed=1)


async def test_many_app_servers_started_together_never_collide() -> None:
    servers = [TestServer(_app()) for _ in range(64)]
    try:
        await asyncio.gather(*(s.start_server() for s in servers))
        assert len({s.port for s in servers}) == 64
        bodies = await asyncio.gather(*(_fetch(s.port, "/x") for s in servers))
        assert all(b.endswith(b"app x") for b in bodies)
    finally:
        await asyncio.gather(*(s.close() for s in servers))


async def test_app_server_properties() -> None:
    app = _app()
    server = TestServer(app, host="127.0.0.1")
    assert server.app is app
    async with server:
        assert server.started
        assert app.frozen
        assert server.make_url("/a").port == server.port
    assert server.closed


async def test_constructor_kwargs_reach_the_runner() -> None:
    # server_kwargs such as ssl= or runner options given at construction
    # apply when the server starts.
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    async with TestServer(_app(), ssl=server_ctx, shutdown_timeout=1.0) as server:
        assert server.scheme == "https"
        status, body = await asyncio.to_thread(
            _get, "127.0.0.1", server.port, "/tls", client_ctx
        )
        assert (status, body) == (200, b"app tls")


async def test_failed_start_leaves_nothing_behind() -> None:
    holder = get_unused_port_socket("127.0.0.1")
    holder.listen()
    try:
        port = holder.getsockname()[1]
        server = TestServer(_app(), port=port)
        with pytest.raises(OSError):
            await server.start_server()
        assert not server.started
        assert server.runner is None
    finally:
        holder.close()


async def test_app_server_on_ipv6() -> None:
    if not _ipv6_available():
        pytest.skip("::1 is not available")
    async with TestServer(_app(), host="::1") as server:
        assert server.make_url("/").host == "::1"
        body = await _fetch(server.port, "/six", host="::1")
        assert body.endswith(b"app six")


def test_loop_context_and_helpers() -> None:
    async def pending() -> None:
        await asyncio.sleep(3600)

    with loop_context() as loop:
        assert asyncio.get_event_loop_policy().get_event_loop() is loop
        task = loop.create_task(pending())
        loop.run_until_complete(asyncio.sleep(0))
    assert loop.is_closed()
    assert task.cancelled()  # teardown cancels what was left running
    loop = setup_test_loop()
    loop.close()
    teardown_test_loop(loop, fast=True)  # an already closed loop is fine


def test_loop_context_tears_down_when_the_block_raises() -> None:
    with pytest.raises(KeyError), loop_context() as loop:
        raise KeyError("boom")
    assert loop.is_closed()
