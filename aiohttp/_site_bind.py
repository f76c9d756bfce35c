"""Bind one TCP port on every address a host resolves to.

:class:`~aiohttp.web_runner.TCPSite` listens on all the addresses of its host
(``None`` means every IPv4 and IPv6 interface, ``"localhost"`` usually means
127.0.0.1 and ::1). A client may pick any of them, so all of them must listen on
the *same* port: we bind the first address (port 0 lets the OS choose), then bind
every other address on that port. When another process already holds the chosen
port on one of the other addresses we start over with a fresh ephemeral port, a
bounded number of times.

The sockets are created here rather than by ``loop.create_server(host, port)``,
which binds every address on its own ephemeral port when asked for port 0.
"""

import asyncio
import errno
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional

__all__ = ("MAX_BIND_ATTEMPTS", "Address", "bind_sockets", "resolve")

#: How many fresh ephemeral ports to try before giving up on finding one that is
#: free on every address of the host.
MAX_BIND_ATTEMPTS = 10

# SO_REUSEADDR by default where it only means "ignore TIME_WAIT": on POSIX
# systems. On Windows it would let another process steal the port (asyncio
# makes the same choice).
_DEFAULT_REUSE_ADDRESS = os.name == "posix" and sys.platform != "cygwin"


# socket() errors meaning "this machine does not do that address family".
_UNSUPPORTED = frozenset({errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT})


class Address(NamedTuple):
    """One address to listen on, as ``getaddrinfo`` describes it."""

    family: socket.AddressFamily
    proto: int
    sockaddr: tuple[Any, ...]

    def with_port(self, port: int) -> tuple[Any, ...]:
        """The socket address with its port replaced (IPv6 keeps its scope)."""
        return (self.sockaddr[0], port, *self.sockaddr[2:])


class _PortTaken(Exception):
    """The port chosen on the first address is in use on another address."""


async def resolve(
    loop: asyncio.AbstractEventLoop, host: Optional[str], port: int
) -> list[Address]:
    """Every distinct address to listen on for *host*, in resolver order.

    ``None`` and ``""`` mean every interface (the wildcard address of each
    family the machine supports).
    """
    literal = _ip_literal(host, port) if host else None
    if literal is not None:
        return [literal]
    try:
        infos = await loop.getaddrinfo(
            host or None,
            port,
            family=socket.AF_UNSPEC,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE,
        )
    except socket.gaierror as exc:
        raise socket.gaierror(
            exc.errno, f"cannot resolve host {host!r} to listen on: {exc.strerror}"
        ) from exc
    addresses: list[Address] = []
    seen: set[tuple[int, Any]] = set()
    for family, _type, proto, _canonname, sockaddr in infos:
        # Resolvers repeat an address once per entry in /etc/hosts and the like.
        key = (family, sockaddr[0])
        if key not in seen:
            seen.add(key)
            addresses.append(Address(family, proto, tuple(sockaddr)))
    return addresses


def _ip_literal(host: str, port: int) -> Optional[Address]:
    """The address of an IP literal such as ``127.0.0.1`` or ``::1``, else None.

    A literal needs no lookup, and ``loop.getaddrinfo`` would start asyncio's
    thread pool just to echo it back (most of a TestServer's start-up time).
    The result equals what ``getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM,
    flags=AI_PASSIVE)`` gives for the strict forms ``inet_pton`` accepts,
    normalised the same way (``0:0::1`` -> ``::1``). Anything else (names,
    scoped ``fe80::1%eth0``, short forms such as ``127.1``) goes to the
    resolver as before.
    """
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        address = socket.inet_ntop(family, packed)
        sockaddr: tuple[Any, ...] = (
            (address, port) if family == socket.AF_INET else (address, port, 0, 0)
        )
        return Address(family, socket.IPPROTO_TCP, sockaddr)
    return None


def bind_sockets(
    addresses: Sequence[Address],
    port: int,
    *,
    host: Optional[str],
    reuse_address: Optional[bool] = None,
    reuse_port: Optional[bool] = None,
    attempts: int = MAX_BIND_ATTEMPTS,
) -> list[socket.socket]:
    """Bound, non-blocking sockets, one per address, all on the same port.

    With ``port == 0`` the OS picks the port on the first address; if it is
    taken on another address we retry up to *attempts* times, then raise
    :class:`OSError` (``EADDRINUSE``) naming the addresses. With a fixed port a
    failed bind raises at once, naming the address and port as asyncio does.
    """
    if not addresses:
        raise OSError(errno.EADDRNOTAVAIL, f"host {host!r} resolved to no address")
    if reuse_address is None:
        reuse_address = _DEFAULT_REUSE_ADDRESS
    if port != 0:
        return _bind_on_port(addresses, port, reuse_address, reuse_port)
    for _attempt in range(attempts):
        try:
            return _bind_on_port(addresses, 0, reuse_address, reuse_port)
        except _PortTaken:
            continue
    shown = ", ".join(_show(address.sockaddr[0]) for address in addresses)
    raise OSError(
        errno.EADDRINUSE,
        f"could not find one free port for all addresses of host {host!r} "
        f"({shown}) in {attempts} attempts: every port the OS picked on the "
        "first address was already in use on another one",
    )


def _bind_on_port(
    addresses: Sequence[Address],
    port: int,
    reuse_address: bool,
    reuse_port: Optional[bool],
) -> list[socket.socket]:
    """Bind every address on *port* (0: the port the first bind gets)."""
    requested = port
    sockets: list[socket.socket] = []
    try:
        for address in addresses:
            sock = _make_socket(address, reuse_address, reuse_port)
            if sock is None:
                continue
            sockets.append(sock)
            sockaddr = address.with_port(port)
            try:
                _bind(sock, sockaddr)
            except OSError as exc:
                # Only a port the OS chose for an earlier address is worth
                # giving up for another; a port the caller asked for is not.
                chosen = requested == 0 and port != 0
                if chosen and exc.errno == errno.EADDRINUSE:
                    raise _PortTaken from exc
                raise OSError(
                    exc.errno,
                    f"error while attempting to bind on address {sockaddr!r}: "
                    f"{(exc.strerror or str(exc)).lower()}",
                ) from None
            if port == 0:
                port = sock.getsockname()[1]
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    if not sockets:
        raise OSError(
            errno.EAFNOSUPPORT,
            "no address family of "
            f"{', '.join(_show(a.sockaddr[0]) for a in addresses)} is supported",
        )
    return sockets


def _make_socket(
    address: Address, reuse_address: bool, reuse_port: Optional[bool]
) -> Optional[socket.socket]:
    """A configured socket for *address*; None if its family is unsupported."""
    try:
        sock = socket.socket(address.family, socket.SOCK_STREAM, address.proto)
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            # e.g. IPv6 compiled in but disabled: serve the families that
            # work, as loop.create_server does.
            return None
        raise OSError(
            exc.errno,
            f"cannot create a socket for address {address.sockaddr!r}: "
            f"{exc.strerror or exc}",
        ) from exc
    try:
        sock.setblocking(False)
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            _set_reuse_port(sock)
        if address.family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
            # Without V6ONLY a "::" socket also takes IPv4 and collides with
            # the "0.0.0.0" socket on the same port.
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    except BaseException:
        sock.close()
        raise
    return sock


def _set_reuse_port(sock: socket.socket) -> None:
    option = getattr(socket, "SO_REUSEPORT", None)
    if option is None:
        raise ValueError(
            "reuse_port=True is not supported on this platform "
            "(no SO_REUSEPORT); leave reuse_port unset"
        )
    try:
        sock.setsockopt(socket.SOL_SOCKET, option, 1)
    except OSError as exc:
        raise ValueError(
            f"reuse_port=True is not supported by this system ({exc}); "
            "leave reuse_port unset"
        ) from exc


def _bind(sock: socket.socket, sockaddr: tuple[Any, ...]) -> None:
    # One seam for tests to steer the port choice deterministically.
    sock.bind(sockaddr)


def _show(host: str) -> str:
    return f"[{host}]" if ":" in host else host
