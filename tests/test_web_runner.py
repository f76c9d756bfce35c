"""Runners and sites over real loopback sockets (the fake server keeps them fast).

``FakeServer`` honours the low-level server contract the runner drives
(protocol factory, ``connections``, ``pre_shutdown()``, ``shutdown(timeout)``)
with a tiny protocol answering every request with ``200 ok``. Tests that run
the real :class:`aiohttp.web_server.Server` live at the end of the file.
"""

import asyncio
import contextlib
import errno
import os
import signal
import socket
import ssl
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import trustme

from aiohttp import _site_bind, web_runner
from aiohttp.test_utils import loop_context
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response
from aiohttp.web_runner import (
    BaseRunner,
    BaseSite,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from aiohttp.web_server import Server

HAS_UNIX = hasattr(socket, "AF_UNIX")
needs_unix = pytest.mark.skipif(not HAS_UNIX, reason="no Unix sockets")


def _can_bind(family: socket.AddressFamily, host: str) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
    except OSError:
        return False
    return True


HAS_IPV6 = socket.has_ipv6 and _can_bind(socket.AF_INET6, "::1")
needs_ipv6 = pytest.mark.skipif(not HAS_IPV6, reason="::1 cannot be bound")

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class FakeProtocol(asyncio.Protocol):
    """Answers the first request head with RESPONSE, then closes."""

    def __init__(self, server: "FakeServer") -> None:
        self.server = server
        self.transport: Optional[asyncio.Transport] = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections.append(self)
        self.server.connected.set()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" in self.buffer and self.transport is not None:
            self.transport.write(RESPONSE)
            self.transport.close()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.server.connections.remove(self)


class FakeServer:
    """The low-level server contract, recording what the runner calls."""

    def __init__(self) -> None:
        self.connections: list[FakeProtocol] = []
        self.calls: list[Any] = []
        self.connected = asyncio.Event()

    def __call__(self) -> FakeProtocol:
        return FakeProtocol(self)

    def pre_shutdown(self) -> None:
        self.calls.append("pre_shutdown")

    async def shutdown(self, timeout: Optional[float] = None) -> None:
        self.calls.append(("shutdown", timeout))
        for proto in list(self.connections):
            assert proto.transport is not None
            proto.transport.close()


class RecordingRunner(BaseRunner):
    """A BaseRunner subclass logging its hooks into the server's call list."""

    def __init__(self, server: FakeServer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fake = server

    async def shutdown(self) -> None:
        self.fake.calls.append("runner.shutdown")

    async def _make_server(self) -> Any:
        self.fake.calls.append("make_server")
        return self.fake

    async def _cleanup_server(self) -> None:
        self.fake.calls.append("cleanup_server")


@pytest.fixture
async def runner() -> AsyncIterator[ServerRunner]:
    r = ServerRunner(FakeServer())  # type: ignore[arg-type]
    await r.setup()
    yield r
    await r.cleanup()


@pytest.fixture(scope="module")
def tls() -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    """(server context, client context) for 127.0.0.1 / ::1 / localhost."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "::1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    yield server_ctx, client_ctx


async def fetch(
    host: str, port: int, *, ssl_context: Optional[ssl.SSLContext] = None
) -> bytes:
    """One GET over a fresh TCP connection; the whole response."""
    reader, writer = await asyncio.open_connection(host, port, ssl=ssl_context)
    return await _exchange(reader, writer)


async def fetch_unix(path: str) -> bytes:
    reader, writer = await asyncio.open_unix_connection(path)
    return await _exchange(reader, writer)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bytes:
    writer.write(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return data


def _ports(runner: BaseRunner) -> set[int]:
    return {address[1] for address in runner.addresses}


# -- GracefulExit, __all__ ---------------------------------------------------


def test_graceful_exit_is_system_exit_with_code_1() -> None:
    assert issubclass(GracefulExit, SystemExit)
    assert GracefulExit().code == 1


def test_all_names() -> None:
    assert set(web_runner.__all__) == {
        "BaseSite",
        "TCPSite",
        "UnixSite",
        "NamedPipeSite",
        "SockSite",
        "BaseRunner",
        "ServerRunner",
        "AppRunner",
        "GracefulExit",
    }


# -- TCPSite.port and name -----------------------------------------------------


async def test_port_defaults_to_8080(runner: ServerRunner) -> None:
    site = TCPSite(runner)
    assert site.port == 8080
    assert site.name == "http://0.0.0.0:8080"


async def test_port_defaults_to_8443_with_ssl(
    runner: ServerRunner, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    site = TCPSite(runner, "127.0.0.1", ssl_context=tls[0])
    assert site.port == 8443
    assert site.name == "https://127.0.0.1:8443"


async def test_explicit_port_before_start(runner: ServerRunner) -> None:
    assert TCPSite(runner, "127.0.0.1", 1234).port == 1234
    assert TCPSite(runner, "127.0.0.1", 0).port == 0


async def test_port_0_reports_the_bound_port(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site.port
    assert port != 0
    assert runner.addresses == [("127.0.0.1", port)]
    assert site.name == f"http://127.0.0.1:{port}"
    assert await fetch("127.0.0.1", port) == RESPONSE
    await site.stop()
    assert site.port == port
    assert site.name == f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080"),
        ("::1", "http://[::1]:8080"),
        ("localhost", "http://localhost:8080"),
        (None, "http://0.0.0.0:8080"),
        ("", "http://0.0.0.0:8080"),
    ],
)
async def test_name(runner: ServerRunner, host: Optional[str], expected: str) -> None:
    assert TCPSite(runner, host).name == expected


async def test_repr_shows_the_name(runner: ServerRunner) -> None:
    assert repr(TCPSite(runner, "::1", 80)) == "<TCPSite http://[::1]:80>"


async def test_tls_site_serves_https(
    runner: ServerRunner, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    server_ctx, client_ctx = tls
    site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    assert site.name == f"https://127.0.0.1:{site.port}"
    assert await fetch("127.0.0.1", site.port, ssl_context=client_ctx) == RESPONSE


@pytest.mark.ipv6
@needs_ipv6
async def test_ipv6_site(runner: ServerRunner) -> None:
    site = TCPSite(runner, "::1", 0)
    await site.start()
    assert site.name == f"http://[::1]:{site.port}"
    assert [address[:2] for address in runner.addresses] == [("::1", site.port)]
    assert await fetch("::1", site.port) == RESPONSE


# -- one port for every address of the host ------------------------------------


async def test_host_none_listens_on_one_port_for_ipv4_and_ipv6(
    runner: ServerRunner,
) -> None:
    site = TCPSite(runner, None, 0)
    await site.start()
    assert site.port != 0
    assert _ports(runner) == {site.port}
    assert site.name == f"http://0.0.0.0:{site.port}"
    assert await fetch("127.0.0.1", site.port) == RESPONSE
    if HAS_IPV6:
        assert len(runner.addresses) == 2
        assert await fetch("::1", site.port) == RESPONSE


async def test_localhost_listens_on_one_port_for_every_address(
    runner: ServerRunner,
) -> None:
    site = TCPSite(runner, "localhost", 0)
    await site.start()
    assert _ports(runner) == {site.port}
    assert site.name == f"http://localhost:{site.port}"
    for host in {address[0] for address in runner.addresses}:
        assert await fetch(host, site.port) == RESPONSE


@pytest.fixture
def two_loopbacks() -> tuple[tuple[socket.AddressFamily, str], ...]:
    """Two loopback addresses of one machine: IPv4 + IPv6, else 127.0.0.1/.2."""
    if HAS_IPV6:
        return ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
    if _can_bind(socket.AF_INET, "127.0.0.2"):
        return ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "127.0.0.2"))
    pytest.skip("needs two loopback addresses (::1 or 127.0.0.2)")


def resolve_to(
    monkeypatch: pytest.MonkeyPatch,
    loop: asyncio.AbstractEventLoop,
    addresses: tuple[tuple[socket.AddressFamily, str], ...],
) -> None:
    """Make the loop's resolver return exactly *addresses* for any host."""

    async def getaddrinfo(host: Any, port: Any, **kwargs: Any) -> list[Any]:
        return [
            (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (addr, port))
            for family, addr in addresses
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


@contextlib.contextmanager
def occupied_port(taken: tuple[socket.AddressFamily, str], free: str) -> Iterator[int]:
    """A port held by a listening socket on *taken* but free on *free*."""
    for _ in range(100):
        holder = socket.socket(taken[0], socket.SOCK_STREAM)
        holder.bind((taken[1], 0))
        holder.listen()
        port: int = holder.getsockname()[1]
        if _port_free(free, port):
            with holder:
                yield port
            return
        holder.close()  # pragma: no cover (the port was busy on *free* too)
    pytest.fail(
        f"no port free on {free} among 100 taken on {taken[1]}"
    )  # pragma: no cover


def _port_free(host: str, port: int) -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError:  # pragma: no cover
        return False
    return True


def steer_ephemeral_binds(
    monkeypatch: pytest.MonkeyPatch, port: int, times: int
) -> list[Any]:
    """Make the first *times* port-0 binds land on *port*; returns all binds."""
    real_bind = _site_bind._bind
    binds: list[Any] = []
    remaining = [times]

    def bind(sock: socket.socket, sockaddr: tuple[Any, ...]) -> None:
        if sockaddr[1] == 0 and remaining[0] > 0:
            remaining[0] -= 1
            sockaddr = (sockaddr[0], port, *sockaddr[2:])
        binds.append(sockaddr)
        real_bind(sock, sockaddr)

    monkeypatch.setattr(_site_bind, "_bind", bind)
    return binds


async def test_port_taken_on_another_address_retries_with_a_fresh_port(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    two_loopbacks: tuple[tuple[socket.AddressFamily, str], ...],
) -> None:
    first, second = two_loopbacks
    resolve_to(monkeypatch, loop, two_loopbacks)
    with occupied_port(second, first[1]) as taken:
        binds = steer_ephemeral_binds(monkeypatch, taken, times=1)
        site = TCPSite(runner, "both", 0)
        await site.start()
        # Attempt 1: first address on the taken port, second collides.
        assert binds[0][:2] == (first[1], taken)
        assert binds[1][:2] == (second[1], taken)
        # Attempt 2: a fresh port shared by both.
        assert site.port not in (0, taken)
        assert _ports(runner) == {site.port}
        assert len(runner.addresses) == 2
        assert await fetch(first[1], site.port) == RESPONSE
        assert await fetch(second[1], site.port) == RESPONSE


async def test_retry_gives_up_after_bounded_attempts(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    two_loopbacks: tuple[tuple[socket.AddressFamily, str], ...],
) -> None:
    first, second = two_loopbacks
    resolve_to(monkeypatch, loop, two_loopbacks)
    with occupied_port(second, first[1]) as taken:
        binds = steer_ephemeral_binds(monkeypatch, taken, times=1000)
        site = TCPSite(runner, "both", 0)
        with pytest.raises(OSError) as info:
            await site.start()
    assert info.value.errno == errno.EADDRINUSE
    message = str(info.value)
    assert "'both'" in message
    assert _site_bind._show(first[1]) in message
    assert _site_bind._show(second[1]) in message
    assert f"{_site_bind.MAX_BIND_ATTEMPTS} attempts" in message
    assert len(binds) == 2 * _site_bind.MAX_BIND_ATTEMPTS
    assert runner.sites == set()
    assert runner.addresses == []


async def test_fixed_port_taken_raises_naming_host_and_port(
    runner: ServerRunner,
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        site = TCPSite(runner, "127.0.0.1", port)
        with pytest.raises(OSError) as info:
            await site.start()
    assert info.value.errno == errno.EADDRINUSE
    assert str(info.value) == (
        f"[Errno {errno.EADDRINUSE}] error while attempting to bind on address "
        f"('127.0.0.1', {port}): address already in use"
    )
    assert runner.sites == set()


async def test_fixed_port_taken_on_second_address_does_not_retry(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    two_loopbacks: tuple[tuple[socket.AddressFamily, str], ...],
) -> None:
    first, second = two_loopbacks
    resolve_to(monkeypatch, loop, two_loopbacks)
    with occupied_port(second, first[1]) as taken:
        site = TCPSite(runner, "both", taken)
        with pytest.raises(OSError) as info:
            await site.start()
    assert info.value.errno == errno.EADDRINUSE
    assert f"{second[1]!r}, {taken}" in str(info.value)
    assert runner.addresses == []


async def test_create_server_failure_closes_every_socket(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    two_loopbacks: tuple[tuple[socket.AddressFamily, str], ...],
) -> None:
    resolve_to(monkeypatch, loop, two_loopbacks)
    real_create_server = loop.create_server
    calls = []

    async def create_server(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["sock"])
        if len(calls) == 2:
            raise OSError(errno.EMFILE, "no more files")
        return await real_create_server(*args, **kwargs)

    monkeypatch.setattr(loop, "create_server", create_server)
    site = TCPSite(runner, "both", 0)
    with pytest.raises(OSError, match="no more files"):
        await site.start()
    assert [sock.fileno() for sock in calls] == [-1, -1]
    assert runner.sites == set()


async def test_unresolvable_host_names_the_host(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    site = TCPSite(runner, "no.such.host.invalid", 0)
    with pytest.raises(socket.gaierror, match=r"'no\.such\.host\.invalid'"):
        await site.start()
    assert runner.sites == set()


async def test_cleanup_while_a_site_is_starting(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_getaddrinfo = loop.getaddrinfo

    async def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        await runner.cleanup()  # e.g. a signal arrived while resolving
        return await real_getaddrinfo(*args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    # A host name: an IP literal is not looked up at all.
    site = TCPSite(runner, "localhost", 0)
    with pytest.raises(RuntimeError, match=r"was stopped .* while starting"):
        await site.start()
    assert runner.sites == set()
    with pytest.raises(ConnectionRefusedError):
        await fetch("127.0.0.1", site.port)


@pytest.mark.parametrize("kind", ["tcp", "sock", "unix"])
async def test_cleanup_while_create_server_yields(
    runner: ServerRunner,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    kind: str,
) -> None:
    if kind == "unix" and not HAS_UNIX:
        pytest.skip("no Unix sockets")  # pragma: no cover
    method = "create_unix_server" if kind == "unix" else "create_server"
    real = getattr(loop, method)
    made: list[asyncio.Server] = []

    async def create(*args: Any, **kwargs: Any) -> Any:
        made.append(await real(*args, **kwargs))
        await runner.cleanup()  # runs during create_server's own yield
        return made[-1]

    monkeypatch.setattr(loop, method, create)
    site: BaseSite
    if kind == "tcp":
        site = TCPSite(runner, "127.0.0.1", 0)
    elif kind == "sock":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = SockSite(runner, sock)
    else:
        site = UnixSite(runner, tmp_path / "s.sock")
    with pytest.raises(RuntimeError, match=r"was stopped .* while starting"):
        await site.start()
    assert runner.sites == set()
    assert [server.is_serving() for server in made] == [False]


async def test_reuse_port(runner: ServerRunner) -> None:
    if not hasattr(socket, "SO_REUSEPORT"):
        pytest.skip("no SO_REUSEPORT")
    site_a = TCPSite(runner, "127.0.0.1", 0, reuse_port=True)
    await site_a.start()
    site_b = TCPSite(runner, "127.0.0.1", site_a.port, reuse_port=True)
    await site_b.start()
    assert _ports(runner) == {site_a.port}


# -- UnixSite and SockSite -------------------------------------------------------


@needs_unix
async def test_unix_site(runner: ServerRunner, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    site = UnixSite(runner, path)
    assert site.name == f"http://unix:{path}:"
    await site.start()
    assert runner.addresses == [str(path)]
    assert await fetch_unix(str(path)) == RESPONSE
    await site.stop()
    assert runner.addresses == []


@needs_unix
async def test_unix_site_name_with_ssl(
    runner: ServerRunner, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    assert UnixSite(runner, "/x.sock", ssl_context=tls[0]).name == (
        "https://unix:/x.sock:"
    )


@needs_unix
async def test_unix_site_start_failure_unregisters(
    runner: ServerRunner, tmp_path: Path
) -> None:
    site = UnixSite(runner, tmp_path / "missing-dir" / "s.sock")
    with pytest.raises(OSError):
        await site.start()
    assert runner.sites == set()


async def test_sock_site_over_tcp(runner: ServerRunner) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    site = SockSite(runner, sock)
    assert site.port == port
    assert site.name == f"http://127.0.0.1:{port}"
    await site.start()
    assert runner.addresses == [("127.0.0.1", port)]
    assert await fetch("127.0.0.1", port) == RESPONSE
    await site.stop()
    assert sock.fileno() == -1  # closing the site closed the socket
    assert (site.port, site.name) == (port, f"http://127.0.0.1:{port}")


@pytest.mark.ipv6
@needs_ipv6
async def test_sock_site_over_tcp_ipv6(
    runner: ServerRunner, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        site = SockSite(runner, sock, ssl_context=tls[0])
        assert site.name == f"https://[::1]:{sock.getsockname()[1]}"


@needs_unix
async def test_sock_site_over_unix(runner: ServerRunner, tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    site = SockSite(runner, sock)
    assert site.name == f"http://unix:{path}:"
    assert site.port is None
    await site.start()
    assert await fetch_unix(path) == RESPONSE


async def test_sock_site_start_failure_unregisters(runner: ServerRunner) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        site = SockSite(runner, sock)
        with pytest.raises(ValueError):
            await site.start()
    assert runner.sites == set()


async def test_sock_site_rejects_a_non_socket(runner: ServerRunner) -> None:
    with pytest.raises(TypeError, match=r"sock must be a socket\.socket"):
        SockSite(runner, "127.0.0.1:80")  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes work on Windows")
async def test_named_pipe_site_off_windows(runner: ServerRunner) -> None:
    with pytest.raises(RuntimeError, match="Named Pipes only available"):
        NamedPipeSite(runner, r"\\.\pipe\test")


# -- misuse and bad input ----------------------------------------------------------


async def test_site_before_setup() -> None:
    runner = ServerRunner(FakeServer())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"Call runner\.setup\(\) before making"):
        TCPSite(runner)


async def test_start_after_cleanup(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await runner.cleanup()
    with pytest.raises(RuntimeError, match=r"Call runner\.setup\(\).*cleaned up"):
        await site.start()


async def test_start_twice(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    with pytest.raises(RuntimeError, match=r"<TCPSite http://127.*already started"):
        await site.start()
    assert len(runner.addresses) == 1


async def test_restart_after_stop(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await site.stop()
    await site.start()
    assert _ports(runner) == {site.port}
    assert await fetch("127.0.0.1", site.port) == RESPONSE


async def test_register_twice(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    runner._reg_site(site)
    with pytest.raises(RuntimeError, match="is already registered in runner"):
        runner._reg_site(site)
    runner._unreg_site(site)


async def test_stop_unstarted_site(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    with pytest.raises(RuntimeError, match="is not registered in runner"):
        await site.stop()


async def test_foreign_site(runner: ServerRunner) -> None:
    other = ServerRunner(FakeServer())  # type: ignore[arg-type]
    await other.setup()
    site = TCPSite(other, "127.0.0.1", 0)
    await site.start()
    with pytest.raises(RuntimeError, match=r"<TCPSite .* is not registered in"):
        runner._check_site(site)
    with pytest.raises(RuntimeError, match="is not registered in runner <Server"):
        runner._unreg_site(site)
    await other.cleanup()


async def test_setup_twice(runner: ServerRunner) -> None:
    with pytest.raises(RuntimeError, match="already set up; call cleanup"):
        await runner.setup()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"port": -1}, ValueError, "port must be in 0..65535"),
        ({"port": 65536}, ValueError, "port must be in 0..65535"),
        ({"port": "80"}, TypeError, "port must be an int or None, got '80'"),
        ({"port": True}, TypeError, "port must be an int or None"),
        ({"host": 127}, TypeError, "host must be a str or None, got 127"),
        ({"backlog": "5"}, TypeError, "backlog must be an int, got '5'"),
    ],
)
async def test_tcp_site_bad_arguments(
    runner: ServerRunner, kwargs: dict[str, Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        TCPSite(runner, **kwargs)


@pytest.mark.parametrize(
    ("timeout", "error", "match"),
    [
        (-1, ValueError, "shutdown_timeout must be >= 0 seconds, got -1"),
        ("60", TypeError, "shutdown_timeout must be a number of seconds, got '60'"),
        (True, TypeError, "shutdown_timeout must be a number of seconds"),
    ],
)
def test_runner_bad_shutdown_timeout(timeout: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        ServerRunner(FakeServer(), shutdown_timeout=timeout)  # type: ignore[arg-type]


def test_runner_shutdown_timeout_none_means_no_limit() -> None:
    runner = ServerRunner(FakeServer(), shutdown_timeout=None)  # type: ignore[arg-type]
    assert runner._shutdown_timeout is None


async def test_site_shutdown_timeout_is_deprecated_and_moves_to_runner(
    runner: ServerRunner,
) -> None:
    with pytest.warns(DeprecationWarning, match="should be set on BaseRunner"):
        TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=5.0)
    assert runner._shutdown_timeout == 5.0


class CustomSite(BaseSite):
    """A site written against the documented BaseSite contract, aiohttp style."""

    def __init__(self, runner: BaseRunner, sock: Optional[socket.socket]) -> None:
        super().__init__(runner)
        self._sock = sock

    @property
    def name(self) -> str:
        return "custom"

    async def start(self) -> None:
        await super().start()
        if self._sock is not None:
            loop = asyncio.get_running_loop()
            self._server = await loop.create_server(
                self._runner.server,  # type: ignore[arg-type]
                sock=self._sock,
            )


async def test_custom_site_subclass(runner: ServerRunner) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    serving = CustomSite(runner, sock)
    idle = CustomSite(runner, None)  # registers without a server
    await serving.start()
    await idle.start()
    assert repr(idle) == "<CustomSite custom>"
    assert runner.addresses == [("127.0.0.1", port)]
    assert await fetch("127.0.0.1", port) == RESPONSE
    await idle.stop()
    await serving.stop()
    assert sock.fileno() == -1


async def test_base_classes_are_abstract(runner: ServerRunner) -> None:
    with pytest.raises(TypeError):
        BaseSite(runner)  # type: ignore[abstract]
    with pytest.raises(TypeError):
        BaseRunner()  # type: ignore[abstract]


# -- runner bookkeeping and cleanup --------------------------------------------------


async def test_addresses_and_sites(runner: ServerRunner) -> None:
    assert runner.addresses == []
    assert runner.sites == set()
    site_a = TCPSite(runner, "127.0.0.1", 0)
    site_b = TCPSite(runner, "127.0.0.1", 0)
    await site_a.start()
    await site_b.start()
    assert runner.sites == {site_a, site_b}
    assert runner.addresses == [("127.0.0.1", site_a.port), ("127.0.0.1", site_b.port)]
    runner.sites.clear()  # a copy
    assert len(runner.sites) == 2
    await site_a.stop()
    assert runner.sites == {site_b}
    assert runner.addresses == [("127.0.0.1", site_b.port)]


async def test_runner_repr_and_server(runner: ServerRunner) -> None:
    assert runner.server is not None
    assert repr(runner) == "<ServerRunner set up, 0 site(s)>"
    await runner.cleanup()
    assert runner.server is None
    assert repr(runner) == "<ServerRunner not set up, 0 site(s)>"


async def test_cleanup_refuses_new_connections(runner: ServerRunner) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await runner.cleanup()
    assert runner.sites == set()
    assert runner.addresses == []
    with pytest.raises(ConnectionRefusedError):
        await fetch("127.0.0.1", site.port)
    await runner.cleanup()  # idempotent


async def test_cleanup_order() -> None:
    fake = FakeServer()
    runner = RecordingRunner(fake, shutdown_timeout=3.5)
    await runner.cleanup()  # before setup: nothing to do
    assert fake.calls == []
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    real_pre_shutdown = fake.pre_shutdown

    def pre_shutdown() -> None:
        assert runner.sites == set()  # sites were stopped first
        real_pre_shutdown()

    fake.pre_shutdown = pre_shutdown  # type: ignore[method-assign]
    await runner.cleanup()
    assert fake.calls == [
        "make_server",
        "pre_shutdown",
        "runner.shutdown",
        ("shutdown", 3.5),
        "cleanup_server",
    ]
    await runner.cleanup()
    assert fake.calls[-1] == "cleanup_server"
    assert len(fake.calls) == 5


async def test_stop_does_not_wait_for_live_connections(runner: ServerRunner) -> None:
    fake = runner.server
    assert isinstance(fake, FakeServer)
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    await fake.connected.wait()
    await site.stop()  # returns although the idle connection is still open
    assert len(fake.connections) == 1
    await runner.cleanup()  # the server's shutdown closes it
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()


async def test_setup_failure_removes_signal_handlers() -> None:
    class Broken(RecordingRunner):
        async def _make_server(self) -> Any:
            raise RuntimeError("boom")

    runner = Broken(FakeServer(), handle_signals=True)
    with pytest.raises(RuntimeError, match="boom"):
        await runner.setup()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert runner.server is None


# -- signals --------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="no add_signal_handler")
async def test_handle_signals_installs_and_removes_handlers(
    loop: asyncio.AbstractEventLoop,
) -> None:
    runner = ServerRunner(FakeServer(), handle_signals=True)  # type: ignore[arg-type]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    await runner.setup()
    assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) != signal.default_int_handler
    await runner.cleanup()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) == signal.default_int_handler
    assert not loop.remove_signal_handler(signal.SIGTERM)


async def test_no_signal_handlers_by_default(loop: asyncio.AbstractEventLoop) -> None:
    runner = ServerRunner(FakeServer())  # type: ignore[arg-type]
    await runner.setup()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    await runner.cleanup()


async def test_loop_without_signal_support(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: Any) -> None:
        raise NotImplementedError

    monkeypatch.setattr(loop, "add_signal_handler", unsupported)
    monkeypatch.setattr(loop, "remove_signal_handler", unsupported)
    runner = ServerRunner(FakeServer(), handle_signals=True)  # type: ignore[arg-type]
    await runner.setup()
    await runner.cleanup()


@pytest.mark.skipif(sys.platform == "win32", reason="no add_signal_handler")
def test_sigterm_raises_graceful_exit() -> None:
    with loop_context() as loop:
        runner = ServerRunner(FakeServer(), handle_signals=True)  # type: ignore[arg-type]
        loop.run_until_complete(runner.setup())

        async def signal_myself() -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.Event().wait()

        task = loop.create_task(signal_myself())
        with pytest.raises(GracefulExit):
            loop.run_until_complete(task)
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.run_until_complete(runner.cleanup())
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


# -- with the real low-level Server ------------------------------------------------


@pytest.fixture
async def real_runner() -> AsyncIterator[ServerRunner]:
    async def handler(request: BaseRequest) -> Response:
        return Response(text="ok")

    runner = ServerRunner(Server(handler), shutdown_timeout=5.0)
    await runner.setup()
    yield runner
    await runner.cleanup()


def _assert_ok(data: bytes) -> None:
    assert data.startswith(b"HTTP/1.1 200 OK\r\n"), data
    assert data.endswith(b"\r\n\r\nok"), data


async def test_real_server_over_tcp_site(real_runner: ServerRunner) -> None:
    site = TCPSite(real_runner, "127.0.0.1", 0)
    await site.start()
    _assert_ok(await fetch("127.0.0.1", site.port))


async def test_real_server_over_every_interface(real_runner: ServerRunner) -> None:
    site = TCPSite(real_runner, None, 0)
    await site.start()
    _assert_ok(await fetch("127.0.0.1", site.port))
    if HAS_IPV6:
        _assert_ok(await fetch("::1", site.port))


@pytest.mark.ipv6
@needs_ipv6
async def test_real_server_over_ipv6(real_runner: ServerRunner) -> None:
    site = TCPSite(real_runner, "::1", 0)
    await site.start()
    _assert_ok(await fetch("::1", site.port))


async def test_real_server_over_tls(
    real_runner: ServerRunner, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    site = TCPSite(real_runner, "127.0.0.1", 0, ssl_context=tls[0])
    await site.start()
    _assert_ok(await fetch("127.0.0.1", site.port, ssl_context=tls[1]))


@needs_unix
async def test_real_server_over_unix_site(
    real_runner: ServerRunner, tmp_path: Path
) -> None:
    path = str(tmp_path / "s.sock")
    await UnixSite(real_runner, path).start()
    _assert_ok(await fetch_unix(path))


async def test_real_server_over_sock_site(real_runner: ServerRunner) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = SockSite(real_runner, sock)
    await site.start()
    assert site.port is not None
    _assert_ok(await fetch("127.0.0.1", site.port))


@needs_unix
async def test_real_server_over_unix_sock_site(
    real_runner: ServerRunner, tmp_path: Path
) -> None:
    path = str(tmp_path / "s.sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    await SockSite(real_runner, sock).start()
    _assert_ok(await fetch_unix(path))


async def test_cleanup_lets_an_in_flight_request_finish() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(request: BaseRequest) -> Response:
        started.set()
        await release.wait()
        return Response(text="ok")

    runner = ServerRunner(Server(slow), shutdown_timeout=30.0)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stopped = asyncio.Event()
    real_stop = site.stop

    async def stop() -> None:
        await real_stop()
        stopped.set()

    site.stop = stop  # type: ignore[method-assign]
    request = asyncio.create_task(fetch("127.0.0.1", site.port))
    await started.wait()
    cleanup = asyncio.create_task(runner.cleanup())
    await stopped.wait()
    with pytest.raises(ConnectionRefusedError):
        await fetch("127.0.0.1", site.port)
    assert not cleanup.done()
    release.set()
    _assert_ok(await request)
    await cleanup
    assert runner.server is None


async def test_cleanup_gives_up_on_a_stuck_request_after_the_timeout() -> None:
    started = asyncio.Event()

    async def stuck(request: BaseRequest) -> Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never released")  # pragma: no cover

    runner = ServerRunner(Server(stuck), shutdown_timeout=0.01)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
    await started.wait()
    await runner.cleanup()
    with contextlib.suppress(ConnectionResetError):
        assert not (await reader.read()).startswith(b"HTTP/1.1 200")
    writer.close()
    with contextlib.suppress(ConnectionResetError):
        await writer.wait_closed()
