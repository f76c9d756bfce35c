"""Unit tests of TCPSite's binding helper (real sockets on loopback)."""

import asyncio
import errno
import socket
from collections.abc import Iterator
from typing import Any, cast

import pytest

from aiohttp import _site_bind
from aiohttp._site_bind import Address, bind_sockets, resolve

IPV4 = Address(socket.AF_INET, socket.IPPROTO_TCP, ("127.0.0.1", 0))
IPV6 = Address(socket.AF_INET6, socket.IPPROTO_TCP, ("::1", 0, 0, 0))
NO_SUCH_FAMILY = Address(cast(socket.AddressFamily, 254), 0, ("nowhere", 0))


def _has_ipv6() -> bool:
    if not socket.has_ipv6:
        return False  # pragma: no cover
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:  # pragma: no cover
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6(), reason="::1 cannot be bound")


@pytest.fixture
def closing() -> Iterator[list[socket.socket]]:
    """Sockets the test got from bind_sockets, closed afterwards."""
    sockets: list[socket.socket] = []
    yield sockets
    for sock in sockets:
        sock.close()


def test_with_port_keeps_ipv6_flowinfo_and_scope() -> None:
    assert IPV4.with_port(80) == ("127.0.0.1", 80)
    address = Address(socket.AF_INET6, 6, ("fe80::1", 0, 1, 2))
    assert address.with_port(80) == ("fe80::1", 80, 1, 2)


def test_show_brackets_ipv6() -> None:
    assert _site_bind._show("::1") == "[::1]"
    assert _site_bind._show("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize("host", [None, ""])
async def test_resolve_every_interface(
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    host: Any,
) -> None:
    seen: list[Any] = []

    async def getaddrinfo(host: Any, port: Any, **kwargs: Any) -> list[Any]:
        seen.append((host, port, kwargs))
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("0.0.0.0", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::", port, 0, 0)),
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    addresses = await resolve(loop, host, 8080)
    assert seen == [
        (
            None,
            8080,
            {
                "family": socket.AF_UNSPEC,
                "type": socket.SOCK_STREAM,
                "flags": socket.AI_PASSIVE,
            },
        )
    ]
    assert addresses == [
        Address(socket.AF_INET, 6, ("0.0.0.0", 8080)),
        Address(socket.AF_INET6, 6, ("::", 8080, 0, 0)),
    ]


async def test_resolve_drops_duplicates(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def getaddrinfo(host: Any, port: Any, **kwargs: Any) -> list[Any]:
        entry = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))
        return [entry, entry]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    assert await resolve(loop, "localhost", 0) == [IPV4]


async def test_resolve_real_loopback(loop: asyncio.AbstractEventLoop) -> None:
    assert await resolve(loop, "127.0.0.1", 0) == [IPV4]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "0.0.0.0", "10.1.2.3", "::1", "::", "0:0::1", "::ffff:127.0.0.1"],
)
async def test_resolve_ip_literal_without_lookup(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    # The same answer getaddrinfo gives, without asking it (no thread pool).
    expected = [
        Address(family, proto, tuple(sockaddr))
        for family, _, proto, _, sockaddr in socket.getaddrinfo(
            host,
            8080,
            family=socket.AF_UNSPEC,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE,
        )
    ]

    async def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an IP literal needs no lookup")

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    assert await resolve(loop, host, 8080) == expected


@pytest.mark.parametrize("host", ["127.1", "fe80::1%1", "localhost"])
async def test_resolve_other_forms_go_to_the_resolver(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    seen: list[Any] = []

    async def getaddrinfo(host: Any, port: Any, **kwargs: Any) -> list[Any]:
        seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    assert await resolve(loop, host, 0) == [IPV4]
    assert seen == [host]


async def test_resolve_failure_names_the_host(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    with pytest.raises(socket.gaierror) as info:
        await resolve(loop, "nope.invalid", 0)
    assert info.value.errno == socket.EAI_NONAME
    assert "'nope.invalid'" in str(info.value)
    assert "Name or service not known" in str(info.value)


def test_no_address() -> None:
    with pytest.raises(OSError, match="host 'x' resolved to no address"):
        bind_sockets([], 0, host="x")


def test_binds_non_blocking_with_reuse_address_by_default(
    closing: list[socket.socket],
) -> None:
    closing += bind_sockets([IPV4], 0, host="127.0.0.1")
    (sock,) = closing
    assert sock.getsockname()[1] != 0
    assert not sock.getblocking()
    if _site_bind._DEFAULT_REUSE_ADDRESS:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)


def test_reuse_address_false(closing: list[socket.socket]) -> None:
    closing += bind_sockets([IPV4], 0, host="127.0.0.1", reuse_address=False)
    assert not closing[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="no SO_REUSEPORT")
def test_reuse_port(closing: list[socket.socket]) -> None:
    closing += bind_sockets([IPV4], 0, host="127.0.0.1", reuse_port=True)
    assert closing[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)


def test_reuse_port_unsupported_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(socket, "SO_REUSEPORT", raising=False)
    with pytest.raises(ValueError, match="reuse_port=True is not supported"):
        bind_sockets([IPV4], 0, host="127.0.0.1", reuse_port=True)


def test_reuse_port_rejected_by_the_system() -> None:
    class Sock:
        def setsockopt(self, *args: Any) -> None:
            raise OSError(errno.ENOPROTOOPT, "Protocol not available")

    if not hasattr(socket, "SO_REUSEPORT"):
        pytest.skip("no SO_REUSEPORT")  # pragma: no cover
    with pytest.raises(ValueError, match="not supported by this system"):
        _site_bind._set_reuse_port(cast(socket.socket, Sock()))


@needs_ipv6
def test_ipv6_sockets_are_v6only(closing: list[socket.socket]) -> None:
    closing += bind_sockets([IPV4, IPV6], 0, host="localhost")
    assert closing[1].getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
    assert closing[0].getsockname()[1] == closing[1].getsockname()[1]


def test_unsupported_family_is_skipped(closing: list[socket.socket]) -> None:
    closing += bind_sockets([NO_SUCH_FAMILY, IPV4], 0, host="h")
    assert [sock.family for sock in closing] == [socket.AF_INET]


def test_no_supported_family() -> None:
    with pytest.raises(OSError) as info:
        bind_sockets([NO_SUCH_FAMILY], 0, host="h")
    assert info.value.errno == errno.EAFNOSUPPORT
    assert "nowhere" in str(info.value)


def test_socket_creation_error_names_the_address() -> None:
    bad_proto = Address(socket.AF_INET, 9999, ("127.0.0.1", 0))
    with pytest.raises(OSError, match=r"cannot create a socket for address"):
        bind_sockets([IPV4, bad_proto], 0, host="h")


def test_bind_error_names_address_and_port() -> None:
    # 192.0.2.1 (TEST-NET-1) is assigned to no interface of this machine.
    unassigned = Address(socket.AF_INET, 6, ("192.0.2.1", 0))
    with pytest.raises(OSError) as info:
        bind_sockets([unassigned], 0, host="h")
    assert info.value.errno == errno.EADDRNOTAVAIL
    assert "error while attempting to bind on address ('192.0.2.1', 0): " in str(
        info.value
    )


def test_fixed_port_is_used_on_every_address(closing: list[socket.socket]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closing += bind_sockets([IPV4], port, host="127.0.0.1")
    assert closing[0].getsockname() == ("127.0.0.1", port)


def test_attempts_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def always_taken(*args: Any) -> list[socket.socket]:
        calls.append(args)
        raise _site_bind._PortTaken

    monkeypatch.setattr(_site_bind, "_bind_on_port", always_taken)
    with pytest.raises(OSError, match=r"\(127\.0\.0\.1\) in 3 attempts"):
        bind_sockets([IPV4], 0, host="localhost", attempts=3)
    assert len(calls) == 3
