"""Host name resolution for the TCP connector: cache, TTL and shared lookups.

Concurrent requests for the same ``(host, port)`` share one lookup; a request
that gives up (timeout, cancellation) does not cancel it for the others. The
cache hands the addresses out in rotation, so successive connections spread
over every address of a host.
"""

import asyncio
import itertools
import socket
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Optional

from .abc import AbstractResolver, ResolveResult
from .helpers import is_ip_address

if TYPE_CHECKING:
    from .tracing import Trace

__all__ = ("HostResolver",)

_Key = tuple[str, int]


class _DNSCacheTable:
    """Resolved addresses per ``(host, port)``, with an optional time to live."""

    __slots__ = ("_addrs", "_timestamps", "_ttl")

    def __init__(self, ttl: Optional[float] = None) -> None:
        self._addrs: dict[_Key, tuple[Iterator[ResolveResult], int]] = {}
        self._timestamps: dict[_Key, float] = {}
        self._ttl = ttl

    def __contains__(self, key: object) -> bool:
        return key in self._addrs

    def add(self, key: _Key, addrs: Sequence[ResolveResult]) -> None:
        self._addrs[key] = (itertools.cycle(addrs), len(addrs))
        if self._ttl is not None:
            self._timestamps[key] = time.monotonic()

    def remove(self, key: _Key) -> None:
        self._addrs.pop(key, None)
        self._timestamps.pop(key, None)

    def clear(self) -> None:
        self._addrs.clear()
        self._timestamps.clear()

    def next_addrs(self, key: _Key) -> list[ResolveResult]:
        """All addresses, starting one further than the previous call did."""
        addrs, count = self._addrs[key]
        result = list(itertools.islice(addrs, count))
        next(addrs)
        return result

    def expired(self, key: _Key) -> bool:
        if self._ttl is None:
            return False
        return self._timestamps[key] + self._ttl < time.monotonic()


def _is_ip_literal(host: str) -> bool:
    """``helpers.is_ip_address(host)`` for a URL's raw host, without ipaddress.

    ``inet_pton`` accepts exactly the IPv4 and IPv6 literals ``ipaddress``
    does, except scoped IPv6 (``fe80::1%eth0``), which goes to the general
    check. A name (no colon, not accepted above) is never an address. This
    saves the ipaddress machinery on every new connection, and its first-use
    cost on the first one.
    """
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return True
    return ":" in host and is_ip_address(host)


def _retrieve(task: "asyncio.Task[list[ResolveResult]]") -> None:
    # Everyone waiting may have given up: fetch the error so asyncio does not
    # log "exception was never retrieved" for it.
    if not task.cancelled():
        task.exception()


class HostResolver:
    """What TCPConnector asks for addresses: the resolver plus its cache."""

    __slots__ = ("_cache", "_family", "_in_flight", "_loop", "_resolver", "use_cache")

    def __init__(
        self,
        resolver: AbstractResolver,
        *,
        loop: asyncio.AbstractEventLoop,
        family: int,
        use_cache: bool,
        ttl: Optional[float],
    ) -> None:
        self._resolver = resolver
        self._loop = loop
        self._family = family
        self.use_cache = use_cache
        self._cache = _DNSCacheTable(ttl)
        self._in_flight: dict[_Key, asyncio.Task[list[ResolveResult]]] = {}

    def clear(self, host: Optional[str] = None, port: Optional[int] = None) -> None:
        """Forget one ``(host, port)``, or everything when both are None."""
        if host is not None and port is not None:
            self._cache.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError(
                "clear_dns_cache(): pass both host and port to forget one entry, "
                "or neither to clear the whole cache"
            )
        else:
            self._cache.clear()

    def cancel(self) -> None:
        """Cancel the lookups in flight (the connector is closing)."""
        for task in self._in_flight.values():
            task.cancel()
        self._in_flight.clear()

    async def resolve(
        self, host: str, port: int, traces: Sequence["Trace"]
    ) -> list[ResolveResult]:
        """Addresses for *host*; raises OSError when the lookup fails."""
        if _is_ip_literal(host):
            return [
                ResolveResult(
                    hostname=host,
                    host=host,
                    port=port,
                    family=self._family,
                    proto=0,
                    flags=0,
                )
            ]
        if not self.use_cache:
            return await self._lookup(host, port, traces)
        key = (host, port)
        if key in self._cache and not self._cache.expired(key):
            for trace in traces:
                await trace.send_dns_cache_hit(host)
            return self._cache.next_addrs(key)
        task = self._in_flight.get(key)
        if task is not None:
            # Another request is looking it up right now: share its answer.
            for trace in traces:
                await trace.send_dns_cache_hit(host)
        else:
            for trace in traces:
                await trace.send_dns_cache_miss(host)
            task = self._loop.create_task(self._lookup_and_cache(key, traces))
            task.add_done_callback(_retrieve)
            self._in_flight[key] = task
        return await asyncio.shield(task)

    async def _lookup_and_cache(
        self, key: _Key, traces: Sequence["Trace"]
    ) -> list[ResolveResult]:
        try:
            addrs = await self._lookup(key[0], key[1], traces)
            self._cache.add(key, addrs)
            return addrs
        finally:
            # Only our own entry: after cancel() a new lookup may own the key.
            if self._in_flight.get(key) is asyncio.current_task():
                del self._in_flight[key]

    async def _lookup(
        self, host: str, port: int, traces: Sequence["Trace"]
    ) -> list[ResolveResult]:
        for trace in traces:
            await trace.send_dns_resolvehost_start(host)
        addrs = await self._resolver.resolve(
            host, port, family=socket.AddressFamily(self._family)
        )
        for trace in traces:
            await trace.send_dns_resolvehost_end(host)
        return addrs
