"""The low-level server: one handler coroutine for every request, no routing."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from .abc import AbstractStreamWriter
from .http_parser import RawRequestMessage
from .streams import StreamReader
from .web_protocol import RequestHandler
from .web_request import BaseRequest
from .web_response import StreamResponse

__all__ = ("Server",)

_RequestFactory = Callable[
    [
        RawRequestMessage,
        StreamReader,
        RequestHandler,
        AbstractStreamWriter,
        "asyncio.Task[None]",
    ],
    BaseRequest,
]


class Server:
    """Serves every request with ``handler(request) -> StreamResponse``.

    Calling the server returns a new :class:`RequestHandler`, so the server
    itself is the protocol factory handed to ``loop.create_server``.  It keeps
    track of its live connections to close them on shutdown.
    """

    def __init__(
        self,
        handler: Callable[[BaseRequest], Awaitable[StreamResponse]],
        *,
        request_factory: Optional[_RequestFactory] = None,
        handler_cancellation: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        self._connections: dict[RequestHandler, asyncio.Transport] = {}
        self._kwargs = kwargs
        _check_handler_kwargs(kwargs)
        self.requests_count = 0
        self.request_handler = handler
        self.request_factory: _RequestFactory = request_factory or self._make_request
        self.handler_cancellation = handler_cancellation

    @property
    def connections(self) -> list[RequestHandler]:
        """The connections currently open."""
        return list(self._connections)

    def connection_made(
        self, handler: RequestHandler, transport: asyncio.Transport
    ) -> None:
        self._connections[handler] = transport

    def connection_lost(
        self, handler: RequestHandler, exc: Optional[BaseException] = None
    ) -> None:
        self._connections.pop(handler, None)

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: "asyncio.Task[None]",
    ) -> BaseRequest:
        return BaseRequest(message, payload, protocol, writer, task, self._loop)

    def pre_shutdown(self) -> None:
        """Stop taking new requests: idle connections close now, busy ones after."""
        for conn in list(self._connections):
            conn.close()

    async def shutdown(self, timeout: Optional[float] = None) -> None:
        """Let requests in progress finish within ``timeout``, then close all."""
        conns = list(self._connections)
        if conns:
            await asyncio.gather(*(conn.shutdown(timeout) for conn in conns))
        self._connections.clear()

    def __call__(self) -> RequestHandler:
        return RequestHandler(self, loop=self._loop, **self._kwargs)


_HANDLER_KWARGS = frozenset(
    {
        "keepalive_timeout",
        "tcp_keepalive",
        "logger",
        "access_log_class",
        "access_log",
        "access_log_format",
        "max_line_size",
        "max_field_size",
        "max_headers",
        "lingering_time",
        "read_bufsize",
        "auto_decompress",
        "timeout_ceil_threshold",
        "read_head_timeout",
    }
)


def _check_handler_kwargs(kwargs: dict[str, Any]) -> None:
    unknown = sorted(set(kwargs) - _HANDLER_KWARGS)
    if unknown:
        raise TypeError(
            f"Server() got unexpected keyword argument(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(sorted(_HANDLER_KWARGS))}"
        )
