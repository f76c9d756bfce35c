"""DNS resolvers for :class:`~aiohttp.TCPConnector`.

:class:`ThreadedResolver` asks the operating system through
``loop.getaddrinfo`` (a thread pool); :class:`AsyncResolver` uses c-ares
through the optional ``aiodns`` package. Both return numeric addresses ready
to connect to, and report every failure as an :class:`OSError`, which the
connector turns into :class:`~aiohttp.ClientConnectorDNSError`.
"""

import asyncio
import importlib
import socket
from typing import Any, Final, Optional

from .abc import AbstractResolver, ResolveResult

__all__ = ("AsyncResolver", "DefaultResolver", "ThreadedResolver")

# The addresses we return are numeric: connecting needs no further lookup.
_NUMERIC_SOCKET_FLAGS: Final = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NAME_SOCKET_FLAGS: Final = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV

try:
    _aiodns: Any = importlib.import_module("aiodns")
except ImportError:  # pragma: no cover - depends on the environment
    _aiodns = None

#: Whether :class:`AsyncResolver` can be used (``aiodns`` is importable).
aiodns_default: Final = _aiodns is not None


def _no_addresses(host: str) -> OSError:
    return OSError(None, f"DNS lookup failed: no usable address for {host!r}")


class ThreadedResolver(AbstractResolver):
    """Resolves with the system resolver (``getaddrinfo``) in a thread pool.

    Works everywhere and honours ``/etc/hosts`` and the system's settings.
    """

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,
    ) -> list[ResolveResult]:
        """Addresses of *host* for *port*; AF_UNSPEC (0) gives IPv4 and IPv6."""
        infos = await self._loop.getaddrinfo(
            host,
            port,
            type=socket.SOCK_STREAM,
            family=family,
            flags=socket.AI_ADDRCONFIG,
        )
        hosts: list[ResolveResult] = []
        for info_family, _, proto, _, address in infos:
            if info_family == socket.AF_INET6:
                if len(address) < 3:
                    # Python built without IPv6 support: unusable address.
                    continue  # pragma: no cover
                if address[3]:
                    # A link-local address needs its zone: let getnameinfo
                    # render "fe80::1%eth0" so connect() can find the link.
                    name, service = await self._loop.getnameinfo(
                        address[:4], _NAME_SOCKET_FLAGS
                    )
                    resolved, resolved_port = name, int(service)
                else:
                    resolved, resolved_port = str(address[0]), int(address[1])
            else:
                resolved, resolved_port = str(address[0]), int(address[1])
            hosts.append(
                ResolveResult(
                    hostname=host,
                    host=resolved,
                    port=resolved_port,
                    family=info_family,
                    proto=proto,
                    flags=_NUMERIC_SOCKET_FLAGS,
                )
            )
        if not hosts:
            raise _no_addresses(host)
        return hosts

    async def close(self) -> None:
        """Nothing to release: the loop owns the thread pool."""


class AsyncResolver(AbstractResolver):
    """Resolves with c-ares through ``aiodns`` (``pip install aiodns``).

    Arguments are passed to ``aiodns.DNSResolver`` (e.g. ``nameservers=``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _aiodns is None:
            raise RuntimeError(
                "AsyncResolver needs the aiodns library: install it with "
                "'pip install aiodns', or use ThreadedResolver"
            )
        self._resolver = _aiodns.DNSResolver(*args, **kwargs)

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,
    ) -> list[ResolveResult]:
        """Addresses of *host* for *port*; AF_UNSPEC (0) gives IPv4 and IPv6."""
        try:
            result = await self._resolver.getaddrinfo(
                host,
                port=port,
                type=socket.SOCK_STREAM,
                family=family,
                flags=socket.AI_ADDRCONFIG,
            )
        except _aiodns.error.DNSError as exc:
            message = exc.args[1] if len(exc.args) > 1 else "DNS lookup failed"
            raise OSError(None, f"{message} ({host!r})") from exc
        hosts: list[ResolveResult] = []
        for node in result.nodes:
            address = node.addr
            resolved = address[0].decode("ascii")
            resolved_port = address[1]
            if node.family == socket.AF_INET6 and len(address) > 3 and address[3]:
                info = await self._resolver.getnameinfo(
                    (resolved, *address[1:4]), _NAME_SOCKET_FLAGS
                )
                resolved = info.node
            hosts.append(
                ResolveResult(
                    hostname=host,
                    host=resolved,
                    port=resolved_port,
                    family=node.family,
                    proto=node.protocol,
                    flags=_NUMERIC_SOCKET_FLAGS,
                )
            )
        if not hosts:
            raise _no_addresses(host)
        return hosts

    async def close(self) -> None:
        """Shut the c-ares channel down, cancelling lookups in flight."""
        close = getattr(self._resolver, "close", None)
        if close is None:  # pragma: no cover - aiodns < 3.3
            self._resolver.cancel()
            return
        result = close()
        if asyncio.iscoroutine(result):
            await result


#: The resolver a TCPConnector uses unless told otherwise.
DefaultResolver = ThreadedResolver
