"""Client request tracing: signals fired at each step of a request.

A :class:`TraceConfig` holds one :class:`aiosignal.Signal` per event; a
``ClientSession(trace_configs=[...])`` freezes them and, for every request,
builds one :class:`Trace` per config. The session and the connector call the
``Trace.send_*`` coroutines, which call each listener as
``await listener(session, trace_config_ctx, params)``; ``params`` is one of
the frozen ``Trace*Params`` dataclasses below.
"""

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from .client import ClientSession
    from .client_reqrep import ClientResponse

__all__ = (
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
)

_T = TypeVar("_T")
_ParamsT = TypeVar("_ParamsT")

# What a listener looks like: (session, trace_config_ctx, params) -> awaitable.
_TraceSignal = Signal["ClientSession", Any, _ParamsT]


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestStartParams:
    """``on_request_start``: a request is about to be sent."""

    method: str
    url: URL
    headers: "CIMultiDict[str]"


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestChunkSentParams:
    """``on_request_chunk_sent``: a chunk of the request body was written."""

    method: str
    url: URL
    chunk: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class TraceResponseChunkReceivedParams:
    """``on_response_chunk_received``: a chunk of the response body arrived."""

    method: str
    url: URL
    chunk: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestEndParams:
    """``on_request_end``: the response head was received."""

    method: str
    url: URL
    headers: "CIMultiDict[str]"
    response: "ClientResponse"


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestExceptionParams:
    """``on_request_exception``: the request failed with *exception*."""

    method: str
    url: URL
    headers: "CIMultiDict[str]"
    exception: BaseException


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestRedirectParams:
    """``on_request_redirect``: *response* is a redirect the session follows."""

    method: str
    url: URL
    headers: "CIMultiDict[str]"
    response: "ClientResponse"


@dataclasses.dataclass(frozen=True, slots=True)
class TraceRequestHeadersSentParams:
    """``on_request_headers_sent``: the request head was written."""

    method: str
    url: URL
    headers: "CIMultiDict[str]"


@dataclasses.dataclass(frozen=True, slots=True)
class TraceConnectionQueuedStartParams:
    """``on_connection_queued_start``: waiting for a free connection slot."""


@dataclasses.dataclass(frozen=True, slots=True)
class TraceConnectionQueuedEndParams:
    """``on_connection_queued_end``: a connection slot became free."""


@dataclasses.dataclass(frozen=True, slots=True)
class TraceConnectionCreateStartParams:
    """``on_connection_create_start``: opening a new connection."""


@dataclasses.dataclass(frozen=True, slots=True)
class TraceConnectionCreateEndParams:
    """``on_connection_create_end``: the new connection is open."""


@dataclasses.dataclass(frozen=True, slots=True)
class TraceConnectionReuseconnParams:
    """``on_connection_reuseconn``: a pooled connection is reused."""


@dataclasses.dataclass(frozen=True, slots=True)
class TraceDnsResolveHostStartParams:
    """``on_dns_resolvehost_start``: resolving *host*."""

    host: str


@dataclasses.dataclass(frozen=True, slots=True)
class TraceDnsResolveHostEndParams:
    """``on_dns_resolvehost_end``: *host* was resolved."""

    host: str


@dataclasses.dataclass(frozen=True, slots=True)
class TraceDnsCacheHitParams:
    """``on_dns_cache_hit``: *host* was found in the DNS cache."""

    host: str


@dataclasses.dataclass(frozen=True, slots=True)
class TraceDnsCacheMissParams:
    """``on_dns_cache_miss``: *host* was not in the DNS cache."""

    host: str


# (attribute name, params class) of every signal, in documentation order;
# TraceConfig builds its signals from this table.
_SIGNALS: tuple[tuple[str, type], ...] = (
    ("on_request_start", TraceRequestStartParams),
    ("on_request_chunk_sent", TraceRequestChunkSentParams),
    ("on_response_chunk_received", TraceResponseChunkReceivedParams),
    ("on_request_end", TraceRequestEndParams),
    ("on_request_exception", TraceRequestExceptionParams),
    ("on_request_redirect", TraceRequestRedirectParams),
    ("on_connection_queued_start", TraceConnectionQueuedStartParams),
    ("on_connection_queued_end", TraceConnectionQueuedEndParams),
    ("on_connection_create_start", TraceConnectionCreateStartParams),
    ("on_connection_create_end", TraceConnectionCreateEndParams),
    ("on_connection_reuseconn", TraceConnectionReuseconnParams),
    ("on_dns_resolvehost_start", TraceDnsResolveHostStartParams),
    ("on_dns_resolvehost_end", TraceDnsResolveHostEndParams),
    ("on_dns_cache_hit", TraceDnsCacheHitParams),
    ("on_dns_cache_miss", TraceDnsCacheMissParams),
    ("on_request_headers_sent", TraceRequestHeadersSentParams),
)


class TraceConfig(Generic[_T]):
    """The listeners of one tracing concern, attached to client sessions.

    *trace_config_ctx_factory* builds the per-request context object handed
    to every listener; it is called with ``trace_request_ctx=`` (the value
    given to the request) and defaults to :class:`types.SimpleNamespace`.
    """

    @overload
    def __init__(self: "TraceConfig[SimpleNamespace]") -> None: ...

    @overload
    def __init__(self, trace_config_ctx_factory: Callable[..., _T]) -> None: ...

    def __init__(self, trace_config_ctx_factory: Callable[..., Any] = SimpleNamespace):
        if not callable(trace_config_ctx_factory):
            raise TypeError(
                "trace_config_ctx_factory must be a callable accepting "
                f"trace_request_ctx=..., got {trace_config_ctx_factory!r}"
            )
        self._trace_config_ctx_factory = trace_config_ctx_factory
        self._signals: dict[str, Signal[Any, Any, Any]] = {
            name: Signal(self) for name, _ in _SIGNALS
        }

    def trace_config_ctx(self, trace_request_ctx: Any = None) -> _T:
        """A fresh context for one request; listeners share it across events."""
        ctx: _T = self._trace_config_ctx_factory(trace_request_ctx=trace_request_ctx)
        return ctx

    def freeze(self) -> None:
        """Freeze every signal: no listener may be added after a session uses it."""
        for signal in self._signals.values():
            signal.freeze()

    @property
    def on_request_start(self) -> "_TraceSignal[TraceRequestStartParams]":
        """Fired before a request is sent."""
        return self._signals["on_request_start"]

    @property
    def on_request_chunk_sent(self) -> "_TraceSignal[TraceRequestChunkSentParams]":
        """Fired after each chunk of the request body is written."""
        return self._signals["on_request_chunk_sent"]

    @property
    def on_response_chunk_received(
        self,
    ) -> "_TraceSignal[TraceResponseChunkReceivedParams]":
        """Fired for each chunk of the response body read."""
        return self._signals["on_response_chunk_received"]

    @property
    def on_request_end(self) -> "_TraceSignal[TraceRequestEndParams]":
        """Fired when the response head has been received."""
        return self._signals["on_request_end"]

    @property
    def on_request_exception(self) -> "_TraceSignal[TraceRequestExceptionParams]":
        """Fired when a request fails with an exception."""
        return self._signals["on_request_exception"]

    @property
    def on_request_redirect(self) -> "_TraceSignal[TraceRequestRedirectParams]":
        """Fired for each redirect response the session follows."""
        return self._signals["on_request_redirect"]

    @property
    def on_connection_queued_start(
        self,
    ) -> "_TraceSignal[TraceConnectionQueuedStartParams]":
        """Fired when a request starts waiting for a connection slot."""
        return self._signals["on_connection_queued_start"]

    @property
    def on_connection_queued_end(
        self,
    ) -> "_TraceSignal[TraceConnectionQueuedEndParams]":
        """Fired when the wait for a connection slot ends."""
        return self._signals["on_connection_queued_end"]

    @property
    def on_connection_create_start(
        self,
    ) -> "_TraceSignal[TraceConnectionCreateStartParams]":
        """Fired before a new connection is opened."""
        return self._signals["on_connection_create_start"]

    @property
    def on_connection_create_end(
        self,
    ) -> "_TraceSignal[TraceConnectionCreateEndParams]":
        """Fired once a new connection is open."""
        return self._signals["on_connection_create_end"]

    @property
    def on_connection_reuseconn(self) -> "_TraceSignal[TraceConnectionReuseconnParams]":
        """Fired when a pooled connection is reused."""
        return self._signals["on_connection_reuseconn"]

    @property
    def on_dns_resolvehost_start(
        self,
    ) -> "_TraceSignal[TraceDnsResolveHostStartParams]":
        """Fired before a host name is resolved."""
        return self._signals["on_dns_resolvehost_start"]

    @property
    def on_dns_resolvehost_end(self) -> "_TraceSignal[TraceDnsResolveHostEndParams]":
        """Fired after a host name is resolved."""
        return self._signals["on_dns_resolvehost_end"]

    @property
    def on_dns_cache_hit(self) -> "_TraceSignal[TraceDnsCacheHitParams]":
        """Fired when the DNS cache answers for a host."""
        return self._signals["on_dns_cache_hit"]

    @property
    def on_dns_cache_miss(self) -> "_TraceSignal[TraceDnsCacheMissParams]":
        """Fired when the DNS cache has no entry for a host."""
        return self._signals["on_dns_cache_miss"]

    @property
    def on_request_headers_sent(
        self,
    ) -> "_TraceSignal[TraceRequestHeadersSentParams]":
        """Fired after the request head has been written."""
        return self._signals["on_request_headers_sent"]


class Trace:
    """One trace config bound to one request: fires its signals.

    Internal: the session creates it; the session and the connector call the
    ``send_*`` coroutines. Each passes ``(session, trace_config_ctx, params)``
    to the listeners.
    """

    __slots__ = ("_session", "_trace_config", "_trace_config_ctx")

    def __init__(
        self,
        session: "ClientSession",
        trace_config: TraceConfig[Any],
        trace_config_ctx: Any,
    ) -> None:
        self._session = session
        self._trace_config = trace_config
        self._trace_config_ctx = trace_config_ctx

    async def _send(self, name: str, params: object) -> None:
        signal = self._trace_config._signals[name]
        # Skip the call (and the frozen check) when nobody listens: the
        # common case of a config that traces only a few events.
        if signal:
            await signal.send(self._session, self._trace_config_ctx, params)

    async def send_request_start(
        self, method: str, url: URL, headers: "CIMultiDict[str]"
    ) -> None:
        """Fire ``on_request_start``."""
        params = TraceRequestStartParams(method, url, headers)
        await self._send("on_request_start", params)

    async def send_request_chunk_sent(
        self, method: str, url: URL, chunk: bytes
    ) -> None:
        """Fire ``on_request_chunk_sent``."""
        params = TraceRequestChunkSentParams(method, url, chunk)
        await self._send("on_request_chunk_sent", params)

    async def send_response_chunk_received(
        self, method: str, url: URL, chunk: bytes
    ) -> None:
        """Fire ``on_response_chunk_received``."""
        params = TraceResponseChunkReceivedParams(method, url, chunk)
        await self._send("on_response_chunk_received", params)

    async def send_request_end(
        self,
        method: str,
        url: URL,
        headers: "CIMultiDict[str]",
        response: "ClientResponse",
    ) -> None:
        """Fire ``on_request_end``."""
        params = TraceRequestEndParams(method, url, headers, response)
        await self._send("on_request_end", params)

    async def send_request_exception(
        self,
        method: str,
        url: URL,
        headers: "CIMultiDict[str]",
        exception: BaseException,
    ) -> None:
        """Fire ``on_request_exception``."""
        params = TraceRequestExceptionParams(method, url, headers, exception)
        await self._send("on_request_exception", params)

    async def send_request_redirect(
        self,
        method: str,
        url: URL,
        headers: "CIMultiDict[str]",
        response: "ClientResponse",
    ) -> None:
        """Fire ``on_request_redirect``."""
        params = TraceRequestRedirectParams(method, url, headers, response)
        await self._send("on_request_redirect", params)

    async def send_connection_queued_start(self) -> None:
        """Fire ``on_connection_queued_start``."""
        params = TraceConnectionQueuedStartParams()
        await self._send("on_connection_queued_start", params)

    async def send_connection_queued_end(self) -> None:
        """Fire ``on_connection_queued_end``."""
        params = TraceConnectionQueuedEndParams()
        await self._send("on_connection_queued_end", params)

    async def send_connection_create_start(self) -> None:
        """Fire ``on_connection_create_start``."""
        params = TraceConnectionCreateStartParams()
        await self._send("on_connection_create_start", params)

    async def send_connection_create_end(self) -> None:
        """Fire ``on_connection_create_end``."""
        params = TraceConnectionCreateEndParams()
        await self._send("on_connection_create_end", params)

    async def send_connection_reuseconn(self) -> None:
        """Fire ``on_connection_reuseconn``."""
        params = TraceConnectionReuseconnParams()
        await self._send("on_connection_reuseconn", params)

    async def send_dns_resolvehost_start(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_start``."""
        params = TraceDnsResolveHostStartParams(host)
        await self._send("on_dns_resolvehost_start", params)

    async def send_dns_resolvehost_end(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_end``."""
        params = TraceDnsResolveHostEndParams(host)
        await self._send("on_dns_resolvehost_end", params)

    async def send_dns_cache_hit(self, host: str) -> None:
        """Fire ``on_dns_cache_hit``."""
        await self._send("on_dns_cache_hit", TraceDnsCacheHitParams(host))

    async def send_dns_cache_miss(self, host: str) -> None:
        """Fire ``on_dns_cache_miss``."""
        await self._send("on_dns_cache_miss", TraceDnsCacheMissParams(host))

    async def send_request_headers(
        self, method: str, url: URL, headers: "CIMultiDict[str]"
    ) -> None:
        """Fire ``on_request_headers_sent``."""
        params = TraceRequestHeadersSentParams(method, url, headers)
        await self._send("on_request_headers_sent", params)
