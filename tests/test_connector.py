"""TCPConnector / BaseConnector over real sockets: pooling, limits, DNS, errors."""

import asyncio
import errno
import gc
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from aiohttp import connector as connector_module
from aiohttp import web
from aiohttp._client_timeout import ClientTimeout
from aiohttp.abc import ResolveResult
from aiohttp.client_exceptions import (
    ClientConnectionError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientOSError,
    ConnectionTimeoutError,
)
from aiohttp.connector import BaseConnector, TCPConnector
from aiohttp.test_utils import RawTestServer
from aiohttp.web_request import BaseRequest

from ._connector_helpers import FakeResolver, RecordingTrace, client_request, roundtrip

ServerFactory = Callable[..., Awaitable[RawTestServer]]


async def hello(request: BaseRequest) -> web.StreamResponse:
    if request.path == "/close":
        return web.Response(text="bye", headers={"Connection": "close"})
    if request.path == "/big":
        return web.Response(body=b"x" * (4 * 1024 * 1024))
    return web.Response(text=f"hello {request.path}")


@pytest.fixture
async def server(raw_server: ServerFactory) -> RawTestServer:
    return await raw_server(hello)


@pytest.fixture
async def connector() -> AsyncIterator[TCPConnector]:
    conn = TCPConnector()
    yield conn
    await conn.close()


def url(server: RawTestServer, path: str = "/") -> str:
    return str(server.make_url(path))


# ------------------------------------------------------------------ pooling
async def test_sequential_requests_reuse_the_transport(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], ClientTimeout())
    message, body = await roundtrip(conn, req)
    assert (message.code, body) == (200, b"hello /")
    proto = conn.protocol
    conn.release()
    assert conn.protocol is None and conn.closed

    conn2 = await connector.connect(req, [], ClientTimeout())
    assert conn2.protocol is proto
    message, body = await roundtrip(conn2, req, path="/again")
    assert body == b"hello /again"
    conn2.release()


async def test_not_reused_after_connection_close(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    message, body = await roundtrip(conn, req, path="/close")
    assert body == b"bye" and message.should_close
    proto = conn.protocol
    assert proto is not None and proto.should_close
    conn.release()
    assert not connector._conns
    conn2 = await connector.connect(req, [], None)
    assert conn2.protocol is not proto
    conn2.release()


async def test_not_reused_with_unread_body(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    message, _ = await roundtrip(conn, req, path="/big", read_body=False)
    assert message.code == 200
    proto = conn.protocol
    assert proto is not None and proto.should_close
    conn.release()
    assert not proto.is_connected()
    conn2 = await connector.connect(req, [], None)
    assert conn2.protocol is not proto
    conn2.release()


async def test_close_instead_of_release_drops_connection(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    await roundtrip(conn, req)
    calls: list[str] = []
    conn.add_callback(lambda: calls.append("cb"))
    conn.add_callback(lambda: 1 / 0)  # a failing callback does not stop close
    conn.close()
    conn.close()  # idempotent
    assert calls == ["cb"] and not connector._conns


async def test_force_close_never_pools(server: RawTestServer) -> None:
    async with TCPConnector(force_close=True) as connector:
        assert connector.force_close
        req = client_request(url(server))
        conn = await connector.connect(req, [], None)
        await roundtrip(conn, req)
        proto = conn.protocol
        conn.release()
        assert not connector._conns and proto is not None
        assert not proto.is_connected()


async def test_keepalive_timeout_expiry(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    await roundtrip(conn, req)
    proto = conn.protocol
    conn.release()
    key = req.connection_key
    (pooled, released_at) = connector._conns[key][0]
    assert pooled is proto
    # Pretend it has been idle for longer than keepalive_timeout (15 s).
    connector._conns[key][0] = (pooled, released_at - 16)
    conn2 = await connector.connect(req, [], None)
    assert conn2.protocol is not proto and not proto.is_connected()
    conn2.release()


async def test_cleanup_closes_expired_idle_connections(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conns = [await connector.connect(req, [], None) for _ in range(2)]
    for conn in conns:
        await roundtrip(conn, req)
    protos = [conn.protocol for conn in conns]
    for conn in conns:
        conn.release()
    assert connector._cleanup_handle is not None
    key = req.connection_key
    old, at = connector._conns[key][0]
    connector._conns[key][0] = (old, at - 100)
    connector._cleanup()
    assert [p for p, _ in connector._conns[key]] == [protos[1]]
    assert not old.is_connected()
    assert connector._cleanup_handle is not None  # re-armed for the rest


async def test_peer_closed_idle_connection_is_not_reused(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    await roundtrip(conn, req)
    proto = conn.protocol
    assert proto is not None and proto.closed is not None
    conn.release()
    proto.close()  # as if the server had gone away
    await proto.closed
    conn2 = await connector.connect(req, [], None)
    assert conn2.protocol is not proto
    conn2.release()


async def test_keepalive_zero_closes_after_release(server: RawTestServer) -> None:
    async with TCPConnector(keepalive_timeout=0) as connector:
        req = client_request(url(server))
        conn = await connector.connect(req, [], None)
        await roundtrip(conn, req)
        conn.release()
        assert not connector._conns


# ------------------------------------------------------------------ limits
async def test_limit_waits_for_release_then_reuses(server: RawTestServer) -> None:
    async with TCPConnector(limit=1) as connector:
        assert connector.limit == 1
        req = client_request(url(server))
        first = await connector.connect(req, [], None)
        await roundtrip(first, req)
        trace = RecordingTrace()
        waiting = asyncio.ensure_future(connector.connect(req, [trace], None))
        await trace.queued.wait()
        assert not waiting.done()
        proto = first.protocol
        first.release()
        second = await waiting
        assert second.protocol is proto
        assert trace.names() == [
            "connection_queued_start",
            "connection_queued_end",
            "connection_reuseconn",
        ]
        second.release()


async def test_limit_per_host_is_per_key(
    server: RawTestServer, raw_server: ServerFactory
) -> None:
    other = await raw_server(hello)
    async with TCPConnector(limit_per_host=1) as connector:
        assert connector.limit_per_host == 1
        req = client_request(url(server))
        first = await connector.connect(req, [], None)
        # A different host:port is not held up by the first one.
        req2 = client_request(url(other))
        conn2 = await connector.connect(req2, [], None)
        trace = RecordingTrace()
        waiting = asyncio.ensure_future(connector.connect(req, [trace], None))
        await trace.queued.wait()
        conn2.close()
        await asyncio.sleep(0)
        assert not waiting.done()  # a slot of another host does not help
        first.close()  # closed, not pooled: the waiter opens a new one
        third = await waiting
        assert third.protocol is not None and third.protocol.is_connected()
        third.release()


async def test_pool_wait_counts_against_connect_timeout(server: RawTestServer) -> None:
    async with TCPConnector(limit=1) as connector:
        req = client_request(url(server))
        held = await connector.connect(req, [], None)
        with pytest.raises(ConnectionTimeoutError) as info:
            await connector.connect(req, [], ClientTimeout(connect=0.01))
        assert isinstance(info.value, asyncio.TimeoutError)
        assert "Connection timeout to host" in str(info.value)
        assert not connector._waiters
        held.release()


async def test_cancelled_waiter_leaves_queue(server: RawTestServer) -> None:
    async with TCPConnector(limit=1) as connector:
        req = client_request(url(server))
        held = await connector.connect(req, [], None)
        trace = RecordingTrace()
        waiting = asyncio.ensure_future(connector.connect(req, [trace], None))
        await trace.queued.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not connector._waiters
        held.release()


async def test_woken_then_cancelled_waiter_passes_the_slot_on(
    server: RawTestServer,
) -> None:
    async with TCPConnector(limit=1) as connector:
        req = client_request(url(server))
        held = await connector.connect(req, [], None)
        await roundtrip(held, req)
        traces = [RecordingTrace(), RecordingTrace()]
        a = asyncio.ensure_future(connector.connect(req, [traces[0]], None))
        await traces[0].queued.wait()
        b = asyncio.ensure_future(connector.connect(req, [traces[1]], None))
        await traces[1].queued.wait()
        held.release()  # wakes a ...
        a.cancel()  # ... which is cancelled before it could run
        conn = await asyncio.wait_for(b, 5)
        assert a.cancelled()
        conn.release()


async def test_close_wakes_waiters_with_error(server: RawTestServer) -> None:
    connector = TCPConnector(limit=1)
    req = client_request(url(server))
    held = await connector.connect(req, [], None)
    trace = RecordingTrace()
    waiting = asyncio.ensure_future(connector.connect(req, [trace], None))
    await trace.queued.wait()
    await connector.close()
    with pytest.raises(ClientConnectionError, match="Connector is closed"):
        await waiting
    held.release()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"limit": -1}, "limit must be an int >= 0"),
        ({"limit_per_host": "2"}, "limit_per_host must be an int"),
        ({"force_close": True, "keepalive_timeout": 3}, "cannot be set if force_close"),
        ({"keepalive_timeout": -1}, "keepalive_timeout must be"),
    ],
)
async def test_bad_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BaseConnector(**kwargs)


def test_needs_running_loop() -> None:
    with pytest.raises(RuntimeError, match="inside a coroutine"):
        TCPConnector()


async def test_base_connector_cannot_connect(server: RawTestServer) -> None:
    async with BaseConnector() as connector:
        assert "in use" in repr(connector)
        with pytest.raises(NotImplementedError, match="TCPConnector"):
            await connector.connect(client_request(url(server)), [], None)
        assert not connector._acquired
    assert connector.closed and "closed" in repr(connector)


# ------------------------------------------------------------------ closing
async def test_close_with_connections_in_use(server: RawTestServer) -> None:
    connector = TCPConnector()
    req = client_request(url(server))
    in_use = await connector.connect(req, [], None)
    idle = await connector.connect(req, [], None)
    await roundtrip(idle, req)
    idle_proto = idle.protocol
    idle.release()
    proto = in_use.protocol
    assert proto is not None and idle_proto is not None
    await connector.close()
    assert connector.closed
    assert proto.closed is not None and proto.closed.done()
    assert idle_proto.closed is not None and idle_proto.closed.done()
    assert in_use.closed
    in_use.release()  # harmless after close
    with pytest.raises(ClientConnectionError, match="Connector is closed"):
        await connector.connect(req, [], None)
    await connector.close()  # idempotent


async def test_unclosed_connector_warns(
    server: RawTestServer, loop: asyncio.AbstractEventLoop
) -> None:
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    connector = TCPConnector()
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    await roundtrip(conn, req)
    proto = conn.protocol
    conn.release()
    with pytest.warns(ResourceWarning, match="Unclosed connector"):
        del connector, conn
        gc.collect()
    assert contexts[0]["message"] == "Unclosed connector"
    assert proto is not None and proto.closed is not None
    await proto.closed


async def test_unclosed_connection_warns(
    server: RawTestServer, connector: TCPConnector, loop: asyncio.AbstractEventLoop
) -> None:
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    assert repr(conn).startswith("Connection<ConnectionKey(")
    with pytest.warns(ResourceWarning, match="Unclosed connection"):
        del conn
        gc.collect()
    assert contexts[0]["message"] == "Unclosed connection"
    assert not connector._acquired


async def test_connection_detach(
    server: RawTestServer, connector: TCPConnector
) -> None:
    req = client_request(url(server))
    conn = await connector.connect(req, [], None)
    proto = conn.protocol
    assert conn.loop is connector._loop and conn.key == req.connection_key
    conn.detach()
    assert not connector._acquired and proto is not None and proto.is_connected()
    proto.close()


# ------------------------------------------------------------------ DNS
async def test_fake_resolver_maps_host(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request(f"http://fake.example:{server.port}/x")
        trace = RecordingTrace()
        conn = await connector.connect(req, [trace], None)
        _message, body = await roundtrip(conn, req)
        assert body == b"hello /x"
        conn.close()
        assert trace.names() == [
            "connection_create_start",
            "dns_cache_miss",
            "dns_resolvehost_start",
            "dns_resolvehost_end",
            "connection_create_end",
        ]
        trace2 = RecordingTrace()
        conn = await connector.connect(req, [trace2], None)
        conn.close()
        assert "dns_cache_hit" in trace2.names()
        assert len(resolver.calls) == 1
    assert not resolver.closed  # not ours to close


async def test_dns_cache_ttl_and_clear(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    async with TCPConnector(resolver=resolver, force_close=True) as connector:
        assert connector.use_dns_cache
        req = client_request(f"http://fake.example:{server.port}/")
        for _ in range(2):
            (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 1
        # Expire the entry (the default ttl is 10 s).
        cache = connector._dns._cache
        cache._timestamps[("fake.example", server.port)] -= 11
        (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 2
        connector.clear_dns_cache("fake.example", server.port)
        (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 3
        connector.clear_dns_cache()
        (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 4
        with pytest.raises(ValueError, match="both host and port"):
            connector.clear_dns_cache("fake.example")


async def test_dns_cache_disabled(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    async with TCPConnector(
        resolver=resolver, use_dns_cache=False, force_close=True
    ) as connector:
        assert not connector.use_dns_cache
        req = client_request(f"http://fake.example:{server.port}/")
        for _ in range(2):
            (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 2


async def test_dns_cache_never_expires_with_ttl_none(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    async with TCPConnector(
        resolver=resolver, ttl_dns_cache=None, force_close=True
    ) as connector:
        req = client_request(f"http://fake.example:{server.port}/")
        for _ in range(2):
            (await connector.connect(req, [], None)).release()
        assert len(resolver.calls) == 1


async def test_concurrent_lookups_are_shared(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    resolver.gate = asyncio.Event()
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request(f"http://fake.example:{server.port}/")
        traces = [RecordingTrace(), RecordingTrace()]
        tasks = [
            asyncio.ensure_future(connector.connect(req, [t], None)) for t in traces
        ]
        await resolver.called.wait()
        await traces[1].seen("dns_cache_hit").wait()  # joined the lookup
        resolver.gate.set()
        for conn in await asyncio.gather(*tasks):
            conn.release()
        assert len(resolver.calls) == 1


async def test_cancelled_lookup_does_not_cancel_shared_one(
    server: RawTestServer,
) -> None:
    resolver = FakeResolver({"fake.example": "127.0.0.1"})
    resolver.gate = asyncio.Event()
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request(f"http://fake.example:{server.port}/")
        first = asyncio.ensure_future(connector.connect(req, [], None))
        await resolver.called.wait()
        trace = RecordingTrace()
        second = asyncio.ensure_future(connector.connect(req, [trace], None))
        await trace.seen("dns_cache_hit").wait()  # joined the lookup
        first.cancel()
        resolver.gate.set()
        conn = await second
        conn.release()
        assert first.cancelled() and len(resolver.calls) == 1


async def test_dns_failure_is_dns_error(connector: TCPConnector) -> None:
    resolver = FakeResolver({})
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request("http://nowhere.invalid/")
        with pytest.raises(ClientConnectorDNSError) as info:
            await connector.connect(req, [], None)
    exc = info.value
    assert isinstance(exc, ClientConnectorError) and isinstance(exc, OSError)
    assert (exc.host, exc.port, exc.ssl) == ("nowhere.invalid", 80, True)
    assert str(exc) == (
        "Cannot connect to host nowhere.invalid:80 ssl:default "
        "[no such host nowhere.invalid]"
    )


async def test_dns_lookup_counts_against_connect_timeout() -> None:
    resolver = FakeResolver({"slow.example": "127.0.0.1"})
    resolver.gate = asyncio.Event()  # never set: the lookup hangs
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request("http://slow.example/")
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req, [], ClientTimeout(connect=0.01))
        assert not connector._acquired


async def test_owned_resolver_is_closed(loop: asyncio.AbstractEventLoop) -> None:
    connector = TCPConnector()
    closed: list[bool] = []

    async def close() -> None:
        closed.append(True)

    connector._resolver.close = close  # type: ignore[method-assign]
    await connector.close()
    assert closed == [True]


async def test_resolver_type_checked() -> None:
    with pytest.raises(TypeError, match="AbstractResolver"):
        TCPConnector(resolver=object())  # type: ignore[arg-type]


# ------------------------------------------------------------------ errors
async def test_connection_refused_names_host_and_port(connector: TCPConnector) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    req = client_request(f"http://127.0.0.1:{port}/")
    with pytest.raises(ClientConnectorError) as info:
        await connector.connect(req, [], None)
    exc = info.value
    assert type(exc) is ClientConnectorError
    assert f"Cannot connect to host 127.0.0.1:{port} ssl:default" in str(exc)
    assert exc.errno == errno.ECONNREFUSED
    assert isinstance(exc.os_error, ConnectionRefusedError)
    assert isinstance(exc, ClientOSError)
    assert not connector._acquired


async def test_family_filters_addresses(server: RawTestServer) -> None:
    # The name resolves to an address nothing listens on (IPv6) and to the
    # server; family=AF_INET keeps only the IPv4 one.
    resolver = FakeResolver({"dual.example": ["::1", "127.0.0.1"]})
    async with TCPConnector(resolver=resolver, family=socket.AF_INET) as connector:
        assert connector.family == socket.AF_INET
        req = client_request(f"http://dual.example:{server.port}/")
        conn = await connector.connect(req, [], None)
        assert conn.transport is not None
        assert conn.transport.get_extra_info("peername")[0] == "127.0.0.1"
        conn.release()
        assert resolver.calls[0][2] == socket.AF_INET


async def test_no_address_of_family(server: RawTestServer) -> None:
    resolver = FakeResolver({"v4.example": "127.0.0.1"})
    async with TCPConnector(resolver=resolver, family=socket.AF_INET6) as connector:
        req = client_request(f"http://v4.example:{server.port}/")
        with pytest.raises(ClientConnectorError, match="matches family"):
            await connector.connect(req, [], None)


async def test_local_addr(server: RawTestServer) -> None:
    async with TCPConnector(local_addr=("127.0.0.1", 0)) as connector:
        req = client_request(url(server))
        conn = await connector.connect(req, [], None)
        assert conn.transport is not None
        assert conn.transport.get_extra_info("sockname")[0] == "127.0.0.1"
        conn.release()


async def test_socket_factory_is_used(server: RawTestServer) -> None:
    made: list[socket.socket] = []

    def factory(addr_info: Any) -> socket.socket:
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family, type_, proto)
        made.append(sock)
        return sock

    async with TCPConnector(socket_factory=factory) as connector:
        req = client_request(url(server))
        (await connector.connect(req, [], None)).release()
    assert len(made) == 1


async def test_ipv6_literal(raw_server: ServerFactory) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = await raw_server(hello, host="::1")
    except OSError:
        pytest.skip("cannot bind ::1")
    async with TCPConnector() as connector:
        req = client_request(f"http://[::1]:{server.port}/v6")
        conn = await connector.connect(req, [], None)
        _, body = await roundtrip(conn, req)
        assert body == b"hello /v6"
        conn.release()


async def test_trailing_dots_in_host(server: RawTestServer) -> None:
    resolver = FakeResolver({"fake.example.": "127.0.0.1"})
    async with TCPConnector(resolver=resolver) as connector:
        req = client_request(f"http://fake.example..:{server.port}/")
        (await connector.connect(req, [], None)).release()
        assert resolver.calls[0][0] == "fake.example."


async def test_trace_create_end_failure_closes_connection(
    server: RawTestServer, connector: TCPConnector
) -> None:
    class Boom(RecordingTrace):
        async def send_connection_create_end(self) -> None:
            raise RuntimeError("trace failed")

    req = client_request(url(server))
    with pytest.raises(RuntimeError, match="trace failed"):
        await connector.connect(req, [Boom()], None)
    assert not connector._acquired and not connector._conns


async def test_sock_connect_timeout(
    server: RawTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(*args: Any, **kwargs: Any) -> socket.socket:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    monkeypatch.setattr(connector_module.aiohappyeyeballs, "start_connection", never)
    async with TCPConnector() as connector:
        req = client_request(url(server))
        with pytest.raises(ConnectionTimeoutError, match="Connection timeout to host"):
            await connector.connect(req, [], ClientTimeout(sock_connect=0.01))
        assert not connector._acquired


async def test_source_traceback_in_debug_mode(
    server: RawTestServer, loop: asyncio.AbstractEventLoop
) -> None:
    contexts: list[tuple[str, bool]] = []
    loop.set_exception_handler(
        # Keep no reference to the objects: they must be collectable.
        lambda _loop, context: contexts.append(
            (context["message"], "source_traceback" in context)
        )
    )
    loop.set_debug(True)
    try:
        connector = TCPConnector()
        req = client_request(url(server))
        conn = await connector.connect(req, [], None)
        conn2 = await connector.connect(req, [], None)
        await roundtrip(conn, req)
        conn.release()
        with pytest.warns(ResourceWarning, match="Unclosed connection"):
            del conn2
            gc.collect()
        with pytest.warns(ResourceWarning, match="Unclosed connector"):
            del connector, conn
            gc.collect()
    finally:
        loop.set_debug(False)
    assert contexts == [("Unclosed connection", True), ("Unclosed connector", True)]


async def test_async_resolver_with_connector(server: RawTestServer) -> None:
    pytest.importorskip("aiodns")
    from aiohttp.resolver import AsyncResolver

    resolver = AsyncResolver()
    async with TCPConnector(resolver=resolver, family=socket.AF_INET) as connector:
        req = client_request(f"http://localhost:{server.port}/dns")
        conn = await connector.connect(req, [], None)
        _, body = await roundtrip(conn, req)
        assert body == b"hello /dns"
        conn.release()
    await resolver.close()


async def test_happy_eyeballs_settings_and_fallback(
    server: RawTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bound, non-listening socket: connecting to it is refused at once.
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]

    class TwoAddresses(FakeResolver):
        async def resolve(
            self,
            host: str,
            port: int = 0,
            family: socket.AddressFamily = socket.AF_INET,
        ) -> list[ResolveResult]:
            results = await super().resolve(host, port, family)
            dead_result: ResolveResult = {**results[0], "port": dead_port}
            return [dead_result, *results]

    seen: list[dict[str, Any]] = []
    start_connection = connector_module.aiohappyeyeballs.start_connection

    async def spy(**kwargs: Any) -> socket.socket:
        seen.append(kwargs)
        return await start_connection(**kwargs)

    monkeypatch.setattr(connector_module.aiohappyeyeballs, "start_connection", spy)
    resolver = TwoAddresses({"two.example": "127.0.0.1"})
    try:
        async with TCPConnector(
            resolver=resolver, happy_eyeballs_delay=None, interleave=2
        ) as connector:
            req = client_request(f"http://two.example:{server.port}/he")
            conn = await connector.connect(req, [], None)
            _message, body = await roundtrip(conn, req)
            conn.release()
    finally:
        dead.close()
    assert body == b"hello /he"
    # Both addresses went to aiohappyeyeballs with our settings; the refused
    # one was skipped for the next.
    assert [len(call["addr_infos"]) for call in seen] == [2]
    assert seen[0]["happy_eyeballs_delay"] is None
    assert seen[0]["interleave"] == 2
