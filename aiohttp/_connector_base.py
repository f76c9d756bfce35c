"""The connection pool: :class:`BaseConnector` (its connections: ``_connector_conn``).

A connector keeps idle keep-alive connections per :class:`ConnectionKey`,
hands them out again (most recently used first) until ``keepalive_timeout``
expires, and caps the connections in use with ``limit`` (all hosts) and
``limit_per_host``. A request over the cap waits in line for its key; the wait
counts against ``ClientTimeout.connect`` and ends cleanly on cancellation.
Subclasses only say how to open a new connection (``_create_connection``).
"""

import asyncio
import collections
import math
import random
import sys
import traceback
import warnings
import weakref
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, Final, Optional, Union

from ._client_base import ConnectionKey
from ._client_timeout import timeout as deadline
from ._connector_conn import Connection
from ._connector_ssl import needs_cleanup_closed
from ._helpers import SENTINEL, Sentinel
from .client_exceptions import (
    ClientConnectionError,
    ConnectionTimeoutError,
    ServerTimeoutError,
)
from .client_proto import ResponseHandler

if TYPE_CHECKING:
    from ._client_request import ClientRequest
    from ._client_timeout import ClientTimeout
    from .tracing import Trace

__all__ = ("BaseConnector",)

_DEFAULT_KEEPALIVE: Final = 15.0
# How long close() waits for the transports it closed to report
# connection_lost before aborting them (a TLS peer may never answer).
_CLOSE_GRACE: Final = 2.0
# After closing a TLS transport, abort it this much later if it lingers.
_CLEANUP_CLOSED_PERIOD: Final = 2.0


class _Pending:
    """Holds a place under the limits while a new connection is being opened."""

    __slots__ = ()

    def close(self) -> None:
        """Nothing to close yet; the opener checks ``closed`` when done."""


_Slot = Union[ResponseHandler, _Pending]


async def _wait_all(
    loop: asyncio.AbstractEventLoop,
    futures: Collection["asyncio.Future[None]"],
    timeout: float,
) -> set["asyncio.Future[None]"]:
    """Wait until every future is done or *timeout* passes; the ones not done.

    What ``asyncio.wait(futures, timeout=...)`` does here, without its
    ``iscoroutine`` checks: on a fresh interpreter those are negative
    isinstance checks against ``collections.abc.Coroutine`` and cost more
    than the rest of a connector's close.
    """
    pending = {future for future in futures if not future.done()}
    if not pending:
        return pending
    all_done: asyncio.Future[None] = loop.create_future()

    def on_done(future: "asyncio.Future[None]") -> None:
        pending.discard(future)
        if not pending and not all_done.done():
            all_done.set_result(None)

    def on_timeout() -> None:
        if not all_done.done():
            all_done.set_result(None)

    for future in pending:
        future.add_done_callback(on_done)
    handle = loop.call_later(timeout, on_timeout)
    try:
        await all_done
    finally:
        handle.cancel()
        for future in futures:
            future.remove_done_callback(on_done)
    return set(pending)


def _check_limit(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0 (0: no limit), got {value!r}")
    return value


def _running_loop(owner: str) -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"{owner} must be created inside a coroutine (it needs the running "
            "event loop): create it in an 'async def' function"
        ) from None


class BaseConnector:
    """Pools connections and enforces the limits; see the module docstring.

    ``keepalive_timeout`` (default 15 s) is how long an idle connection stays
    reusable; ``force_close=True`` closes every connection after one request
    (and forbids ``keepalive_timeout``). ``limit``/``limit_per_host`` cap the
    connections in use, 0 meaning no cap.
    """

    # Class-level defaults keep __del__ safe if __init__ raised early.
    _closed = True
    _conns: dict[ConnectionKey, collections.deque[tuple[ResponseHandler, float]]] = {}
    _source_traceback: Optional[traceback.StackSummary] = None

    #: URL schemes this connector can serve.
    allowed_protocol_schema_set: frozenset[str] = frozenset(
        {"", "tcp", "http", "https", "ws", "wss"}
    )

    def __init__(
        self,
        *,
        keepalive_timeout: Union[float, Sentinel, None] = SENTINEL,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        timeout_ceil_threshold: float = 5,
    ) -> None:
        if force_close:
            if keepalive_timeout is not None and keepalive_timeout is not SENTINEL:
                raise ValueError(
                    "keepalive_timeout cannot be set if force_close is True: "
                    "drop one of them"
                )
            keepalive: Optional[float] = None
        elif keepalive_timeout is SENTINEL:
            keepalive = _DEFAULT_KEEPALIVE
        else:
            keepalive = keepalive_timeout
        if keepalive is not None and (
            not isinstance(keepalive, (int, float)) or keepalive < 0
        ):
            raise ValueError(
                f"keepalive_timeout must be a number of seconds >= 0 or None, "
                f"got {keepalive!r}"
            )
        self._limit = _check_limit("limit", limit)
        self._limit_per_host = _check_limit("limit_per_host", limit_per_host)
        self._loop = loop if loop is not None else _running_loop(type(self).__name__)
        self._closed = False
        if self._loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))
        self._conns = {}
        self._acquired: set[_Slot] = set()
        self._acquired_per_host: dict[ConnectionKey, set[_Slot]] = {}
        self._waiters: dict[ConnectionKey, dict[asyncio.Future[None], None]] = {}
        self._keepalive_timeout = keepalive
        self._force_close = force_close
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._factory: Callable[[], ResponseHandler] = lambda: ResponseHandler(
            self._loop
        )
        self._cleanup_handle: Optional[asyncio.TimerHandle] = None
        if enable_cleanup_closed and not needs_cleanup_closed():
            warnings.warn(
                "enable_cleanup_closed ignored: this Python version no longer "
                "leaks TLS transports (CPython gh-118960 is fixed)",
                DeprecationWarning,
                stacklevel=2,
            )
            enable_cleanup_closed = False
        self._cleanup_closed = enable_cleanup_closed

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._acquired)} in use"
        return f"<{type(self).__name__} {state}>"

    def __del__(self, _warnings: Any = warnings) -> None:
        if self._closed or not self._conns:
            return
        conns = [repr(c) for c in self._conns.values()]
        message = f"Unclosed connector {self!r}"
        self._close_transports()
        _warnings.warn(message, ResourceWarning, source=self)
        if self._loop.is_closed():
            return
        context: dict[str, Any] = {
            "connector": self,
            "connections": conns,
            "message": "Unclosed connector",
        }
        if self._source_traceback is not None:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)

    async def __aenter__(self) -> "BaseConnector":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------ settings
    @property
    def force_close(self) -> bool:
        """Whether connections are closed after each request."""
        return self._force_close

    @property
    def limit(self) -> int:
        """The cap on connections in use across all hosts (0: none)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """The cap on connections in use per (host, port, ssl) key (0: none)."""
        return self._limit_per_host

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    # ------------------------------------------------------------- closing
    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close every connection, pooled or in use, and wait until they are gone.

        ``abort_ssl=True`` drops TLS connections at once instead of waiting
        for the TLS shutdown exchange with the server.
        """
        transports = self._close_transports()
        waiters = {
            closed: transport for closed, transport in transports if not closed.done()
        }
        if abort_ssl:
            for transport in waiters.values():
                if transport.get_extra_info("sslcontext") is not None:
                    transport.abort()
        if not waiters:
            return
        for closed in await _wait_all(self._loop, waiters, _CLOSE_GRACE):
            waiters[closed].abort()

    def _close_transports(
        self,
    ) -> list[tuple["asyncio.Future[None]", asyncio.Transport]]:
        """Mark closed, close every protocol; the (closed, transport) to wait for."""
        if self._closed:
            return []
        self._closed = True
        result: list[tuple[asyncio.Future[None], asyncio.Transport]] = []
        try:
            if self._loop.is_closed():
                return []
            if self._cleanup_handle is not None:
                self._cleanup_handle.cancel()
            protocols = [proto for conns in self._conns.values() for proto, _ in conns]
            protocols.extend(
                p for p in self._acquired if isinstance(p, ResponseHandler)
            )
            for proto in protocols:
                transport, closed = proto.transport, proto.closed
                proto.close()
                if transport is not None and closed is not None:
                    result.append((closed, transport))
            for waiters in self._waiters.values():
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(
                            ClientConnectionError("Connector is closed.")
                        )
        finally:
            self._conns.clear()
            self._acquired.clear()
            self._acquired_per_host.clear()
        return result

    # ------------------------------------------------------------- acquire
    async def connect(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"] = (),
        timeout: Optional["ClientTimeout"] = None,
    ) -> Connection:
        """A connection for *req*: a pooled one if possible, otherwise a new one.

        Waiting for a free slot, resolving and connecting all count against
        ``timeout.connect``; running out raises ConnectionTimeoutError.
        """
        if self._closed:
            raise ClientConnectionError("Connector is closed.")
        key = req.connection_key
        # The pooled case without traces awaits nothing (see _get).
        conn = self._take_pooled(key)
        if conn is not None:
            if traces:
                await self._trace_reuse(conn, traces)
            return conn
        connect_timeout = None if timeout is None else timeout.connect
        ceil = self._timeout_ceil_threshold
        if timeout is not None:
            ceil = timeout.ceil_threshold
        try:
            with deadline(self._loop, connect_timeout, ceil):
                return await self._acquire_new(req, key, traces, timeout)
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ServerTimeoutError) or getattr(exc, "errno", None):
                raise
            raise ConnectionTimeoutError(
                f"Connection timeout to host {req.url}"
            ) from exc

    async def _acquire_new(
        self,
        req: "ClientRequest",
        key: ConnectionKey,
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> Connection:
        while not self._has_capacity(key):
            await self._wait_for_slot(key, traces)
            conn = await self._get(key, traces)
            if conn is not None:
                return conn
        placeholder = _Pending()
        self._add_acquired(key, placeholder)
        try:
            for trace in traces:
                await trace.send_connection_create_start()
            proto = await self._create_connection(req, traces, timeout)
        except BaseException:
            self._drop_acquired(key, placeholder)
            raise
        self._drop_acquired(key, placeholder, wake=False)
        if self._closed:
            proto.close()
            raise ClientConnectionError("Connector is closed.")
        self._add_acquired(key, proto)
        conn = Connection(self, key, proto, self._loop)
        try:
            for trace in traces:
                await trace.send_connection_create_end()
        except BaseException:
            conn.close()
            raise
        return conn

    async def _create_connection(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:
        """Open a new connection for *req*; subclasses say how."""
        raise NotImplementedError(
            f"{type(self).__name__} cannot open connections: use TCPConnector, "
            "UnixConnector or a subclass implementing _create_connection()"
        )

    async def _get(
        self, key: ConnectionKey, traces: Sequence["Trace"]
    ) -> Optional[Connection]:
        """A pooled connection for *key* that is still alive and fresh."""
        conn = self._take_pooled(key)
        if conn is not None and traces:
            await self._trace_reuse(conn, traces)
        return conn

    def _take_pooled(self, key: ConnectionKey) -> Optional[Connection]:
        """Take a live, fresh pooled connection for *key* (most recent first)."""
        conns = self._conns.get(key)
        if not conns:
            return None
        now = self._loop.time()
        keepalive = self._keepalive_timeout
        while conns:
            proto, released_at = conns.pop()
            if proto.should_close or keepalive is None or now - released_at > keepalive:
                self._close_protocol(proto)
                continue
            if not conns:
                del self._conns[key]
            self._add_acquired(key, proto)
            return Connection(self, key, proto, self._loop)
        del self._conns[key]
        return None

    async def _trace_reuse(self, conn: Connection, traces: Sequence["Trace"]) -> None:
        try:
            for trace in traces:
                await trace.send_connection_reuseconn()
        except BaseException:
            conn.release()
            raise

    # -------------------------------------------------------------- limits
    def _has_capacity(self, key: ConnectionKey) -> bool:
        if self._limit and len(self._acquired) >= self._limit:
            return False
        if self._limit_per_host:
            in_use = self._acquired_per_host.get(key)
            if in_use is not None and len(in_use) >= self._limit_per_host:
                return False
        return True

    def _add_acquired(self, key: ConnectionKey, slot: _Slot) -> None:
        self._acquired.add(slot)
        if self._limit_per_host:
            self._acquired_per_host.setdefault(key, set()).add(slot)

    def _drop_acquired(
        self, key: ConnectionKey, slot: _Slot, wake: bool = True
    ) -> None:
        self._acquired.discard(slot)
        in_use = self._acquired_per_host.get(key)
        if in_use is not None:
            in_use.discard(slot)
            if not in_use:
                del self._acquired_per_host[key]
        if wake:
            self._release_waiter()

    async def _wait_for_slot(
        self, key: ConnectionKey, traces: Sequence["Trace"]
    ) -> None:
        """Queue until a slot for *key* frees up (or the connector closes)."""
        waiter: asyncio.Future[None] = self._loop.create_future()
        queue = self._waiters.setdefault(key, {})
        queue[waiter] = None
        try:
            for trace in traces:
                await trace.send_connection_queued_start()
            await waiter
            for trace in traces:
                await trace.send_connection_queued_end()
        except BaseException:
            # Woken but cancelled before running: pass the slot on, or it
            # would stay free with everybody else still waiting.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release_waiter(skip=waiter)
            raise
        finally:
            queue.pop(waiter, None)
            if not queue and self._waiters.get(key) is queue:
                del self._waiters[key]

    def _release_waiter(self, skip: Optional["asyncio.Future[None]"] = None) -> None:
        """Wake one waiter whose key has a free slot (keys in random order)."""
        if not self._waiters:
            return
        keys = list(self._waiters)
        random.shuffle(keys)  # no key can starve the others
        for key in keys:
            if not self._has_capacity(key):
                continue
            for waiter in self._waiters[key]:
                if waiter is not skip and not waiter.done():
                    waiter.set_result(None)
                    return

    # ------------------------------------------------------------- release
    def _release(
        self,
        key: ConnectionKey,
        protocol: ResponseHandler,
        *,
        should_close: bool = False,
    ) -> None:
        """Take *protocol* back from a Connection: pool it or close it."""
        if self._closed:
            return  # close() already closed it
        # _drop_acquired inlined (wake=False): this runs once per request.
        self._acquired.discard(protocol)
        if self._acquired_per_host:
            in_use = self._acquired_per_host.get(key)
            if in_use is not None:
                in_use.discard(protocol)
                if not in_use:
                    del self._acquired_per_host[key]
        keepalive = self._keepalive_timeout
        if (
            self._force_close
            or should_close
            or protocol.should_close
            or keepalive is None
            or keepalive == 0
        ):
            self._close_protocol(protocol)
        else:
            now = self._loop.time()
            self._conns.setdefault(key, collections.deque()).append((protocol, now))
            if self._cleanup_handle is None:
                self._schedule_cleanup(now + keepalive, keepalive)
        if self._waiters:
            self._release_waiter()

    def _ceil(self, when: float, delay: float) -> float:
        return math.ceil(when) if delay >= self._timeout_ceil_threshold else when

    def _close_protocol(self, proto: ResponseHandler) -> None:
        transport = proto.transport
        proto.close()
        if (
            self._cleanup_closed
            and transport is not None
            and transport.get_extra_info("sslcontext") is not None
        ):
            # A closed TLS transport can linger forever on old Pythons.
            self._loop.call_later(_CLEANUP_CLOSED_PERIOD, transport.abort)

    def _cleanup(self) -> None:
        """Close pooled connections idle past keepalive_timeout; re-arm if any left."""
        self._cleanup_handle = None
        keepalive = self._keepalive_timeout
        if self._closed or keepalive is None:
            return
        now = self._loop.time()
        alive: dict[ConnectionKey, collections.deque[tuple[ResponseHandler, float]]]
        alive = {}
        for key, conns in self._conns.items():
            kept: collections.deque[tuple[ResponseHandler, float]] = collections.deque()
            for proto, released_at in conns:
                if proto.is_connected() and now - released_at <= keepalive:
                    kept.append((proto, released_at))
                else:
                    self._close_protocol(proto)
            if kept:
                alive[key] = kept
        self._conns = alive
        if alive:
            self._schedule_cleanup(now + keepalive, keepalive)

    def _schedule_cleanup(self, when: float, delay: float) -> None:
        # The timer holds only a weak reference: a forgotten connector must
        # still be collected (and warn) instead of living on in the loop.
        ref = weakref.ref(self)

        def cleanup() -> None:
            connector = ref()
            if connector is not None:
                connector._cleanup()

        self._cleanup_handle = self._loop.call_at(self._ceil(when, delay), cleanup)
