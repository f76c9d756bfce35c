"""The client's asyncio protocol: one :class:`ResponseHandler` per connection.

It feeds what the socket receives to the sans-IO response parser and turns
the parser's events into what the session reads: ``await protocol.read()``
gives the next response head and a :class:`~aiohttp.streams.StreamReader`
for its body. It also decides whether the connection may go back to the pool
(:attr:`ResponseHandler.should_close`) and runs the ``sock_read`` timeout.
"""

import asyncio
import collections
import math
from typing import Any, Final, Optional

from .base_protocol import RECEIVE_BUFFER_SIZE, BaseProtocol, receive_buffer
from .client_exceptions import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from .http_exceptions import BadHttpMessage
from .http_parser import (
    END_OF_CHUNK,
    EndOfMessage,
    HttpResponseParser,
    HttpResponseParserPy,
    RawResponseMessage,
)
from .streams import EMPTY_PAYLOAD, StreamReader

__all__ = ("ResponseHandler",)

_NO_CAUSE: Final = BaseException()
# Methods whose responses never have a body; CONNECT switches to a tunnel.
_BODYLESS_METHODS: Final = frozenset({"HEAD", "CONNECT"})


def _with_cause(exc: BaseException, cause: Optional[BaseException]) -> BaseException:
    if cause is not None and cause is not _NO_CAUSE:
        exc.__cause__ = cause
    return exc


class ResponseHandler(BaseProtocol, asyncio.BufferedProtocol):
    """Parses the responses arriving on one client connection.

    The session calls :meth:`set_response_params` and
    :meth:`set_request_method` before it writes each request, then
    :meth:`read` for the response. Errors before a head are raised by
    :meth:`read`; errors inside a body are set on the body stream as
    :class:`~aiohttp.ClientPayloadError`.

    Transports hand it data through ``asyncio.BufferedProtocol``
    (:meth:`get_buffer` and :meth:`buffer_updated`, into the thread's shared
    receive buffer); :meth:`data_received` takes bytes directly and does the
    same work.
    """

    __slots__ = (
        "_connection_lost",
        "_exception",
        "_expect_head",
        "_last_read",
        "_lost_reason",
        "_parser",
        "_payload",
        "_read_bufsize",
        "_read_timeout",
        "_recv_view",
        "_request_method",
        "_responses",
        "_should_close",
        "_skip_payload",
        "_tail",
        "_timeout_ceil_threshold",
        "_timeout_handle",
        "_timer",
        "_upgraded",
        "_waiter",
        "closed",
        "leftover",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._parser: Optional[HttpResponseParserPy] = None
        self._tail = b""  # bytes that arrived while no response was expected
        self._responses: collections.deque[tuple[RawResponseMessage, StreamReader]]
        self._responses = collections.deque()
        self._payload: Optional[StreamReader] = None
        self._waiter: Optional[asyncio.Future[None]] = None
        self._exception: Optional[BaseException] = None
        self._should_close = False
        self._upgraded = False
        self._connection_lost = False
        self._expect_head = False
        self._request_method = "GET"
        self._skip_payload = False
        self._timer: Any = None
        self._read_bufsize = 2**16
        self._read_timeout: Optional[float] = None
        self._timeout_ceil_threshold: float = 5
        self._timeout_handle: Optional[asyncio.TimerHandle] = None
        self._last_read = 0.0
        self._lost_reason: Optional[BaseException] = None
        self._recv_view: Optional[memoryview] = None
        #: Bytes received after a 101 / tunnel head, for the upgraded protocol.
        self.leftover = b""
        #: Done once the connection is lost; the connector awaits it on close.
        self.closed: Optional[asyncio.Future[None]] = loop.create_future()

    def __repr__(self) -> str:
        state = "connected" if self.is_connected() else "closed"
        return f"<{type(self).__name__} {state}>"

    # ------------------------------------------------------------ state
    @property
    def upgraded(self) -> bool:
        """True after a 101 (or tunnel) response: the bytes are not HTTP any more."""
        return self._upgraded

    @property
    def should_close(self) -> bool:
        """Whether the connection must not be reused for another request."""
        if (
            self._should_close
            or self._upgraded
            or self._exception is not None
            or self._payload is not None
            or self._responses
            or self._tail
            or self._expect_head
        ):
            return True
        # not self.is_connected(), inlined: the pool asks on every release.
        transport = self.transport
        return transport is None or transport.is_closing()

    def is_connected(self) -> bool:
        """True while the transport is open."""
        transport = self.transport
        return transport is not None and not transport.is_closing()

    def close(self) -> None:
        """Close the transport; a body still being received fails when it is lost."""
        transport = self.transport
        if transport is not None:
            transport.close()
            self.transport = None
        self._should_close = True
        self._disarm()

    def set_exception(
        self, exc: BaseException, exc_cause: BaseException = _NO_CAUSE
    ) -> None:
        """Make the pending (or next) :meth:`read` raise *exc*."""
        self._should_close = True
        self._exception = _with_cause(exc, exc_cause)
        self._disarm()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # ------------------------------------------------------- per request
    def set_response_params(
        self,
        *,
        timer: Any = None,
        skip_payload: bool = False,
        read_until_eof: bool = False,
        auto_decompress: bool = True,
        read_timeout: Optional[float] = None,
        read_bufsize: int = 2**16,
        timeout_ceil_threshold: float = 5,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
    ) -> None:
        """Prepare for the response to the request about to be sent.

        ``timer`` is entered around every wait for body data (the session's
        total timeout); ``read_timeout`` is the longest gap allowed between
        two reads of the socket (``ClientTimeout.sock_read``).
        """
        self._timer = timer
        self._skip_payload = skip_payload
        self._read_timeout = read_timeout or None
        self._read_bufsize = read_bufsize
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._parser = HttpResponseParser(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            auto_decompress=auto_decompress,
            read_until_eof=read_until_eof,
        )
        self._apply_method()
        self._expect_head = True
        self._arm()
        if self._tail:
            # The server spoke before it was asked: that cannot be an answer
            # to this request, so do not hand it out as one.
            self.set_exception(
                ServerDisconnectedError(
                    "The server sent data before the request; connection unusable"
                )
            )

    def set_request_method(self, method: str) -> None:
        """Record the request's method: HEAD and CONNECT change response framing."""
        self._request_method = method.upper()
        self._apply_method()

    def _apply_method(self) -> None:
        parser = self._parser
        if parser is None:
            return
        method = self._request_method
        if self._skip_payload and method not in _BODYLESS_METHODS:
            method = "HEAD"  # the parser's way of saying "no body follows"
        parser.request_method = method

    async def read(self) -> tuple[RawResponseMessage, StreamReader]:
        """Wait for the next response head; return it with its body stream."""
        while not self._responses:
            if self._exception is not None:
                raise self._exception
            if self._connection_lost:
                raise ServerDisconnectedError()
            waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        return self._responses.popleft()

    # ---------------------------------------------------- asyncio protocol
    def get_buffer(self, sizehint: int) -> memoryview:
        # Taken on the first read, in the loop's thread (see receive_buffer).
        view = self._recv_view
        if view is None:
            view = self._recv_view = receive_buffer()
        return view

    def buffer_updated(self, nbytes: int) -> None:
        view = self._recv_view
        assert view is not None, "buffer_updated() without get_buffer()"
        # Copied out at once: the buffer is shared and the next read reuses it.
        data = view[:nbytes].tobytes()
        if nbytes == len(view) < RECEIVE_BUFFER_SIZE:
            # A full buffer: a large body is streaming in; read it in
            # asyncio's read size from now on.
            self._recv_view = receive_buffer(RECEIVE_BUFFER_SIZE)
        self.data_received(data)

    def data_received(self, data: bytes) -> None:
        if self._read_timeout is not None:
            self._last_read = self._loop.time()
        if self._upgraded:
            self.leftover += data
            return
        parser = self._parser
        if parser is None:
            self._tail += data
            return
        self._handle_events(parser.feed_data(data))

    def eof_received(self) -> None:
        # Returning None lets the transport close itself: connection_lost
        # then finishes a body that runs until EOF.
        return None

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._connection_lost = True
        self._disarm()
        parser = self._parser
        if self._payload is not None and parser is not None:
            self._lost_reason = exc
            self._handle_events(parser.feed_eof())
        payload = self._payload
        if payload is not None:
            self._payload = None
            reason = "Response payload is not completed"
            if exc is not None:
                reason = f"{reason}: {exc!r}"
            payload.set_exception(ClientPayloadError(reason), exc or _NO_CAUSE)
        if self._exception is None:
            error: BaseException
            if exc is None:
                error = ServerDisconnectedError()
            elif isinstance(exc, OSError):
                error = ClientOSError(*exc.args)
            else:
                error = exc
            self.set_exception(error, exc or _NO_CAUSE)
        self._parser = None
        super().connection_lost(exc)
        closed = self.closed
        if closed is not None and not closed.done():
            closed.set_result(None)

    def pause_reading(self) -> None:
        super().pause_reading()
        self._disarm()  # the reader is slow, not the server

    def resume_reading(self) -> None:
        super().resume_reading()
        self._arm()

    # ------------------------------------------------------------ events
    def _handle_events(self, events: list[Any]) -> None:
        count = len(events)
        index = 0
        while index < count:
            event = events[index]
            index += 1
            if type(event) is bytes:
                if self._upgraded:
                    self.leftover += event
                elif self._payload is not None:
                    self._payload.feed_data(event)
            elif event is END_OF_CHUNK:
                if self._payload is not None:
                    self._payload.end_http_chunk_receiving()
            elif isinstance(event, RawResponseMessage):
                has_body = index >= count or not isinstance(events[index], EndOfMessage)
                self._on_head(event, has_body)
            elif isinstance(event, EndOfMessage):
                if self._on_end() and index < count:
                    # More bytes after the final response: nothing asked for
                    # them, so this connection cannot be trusted again.
                    self._should_close = True
                    return
            elif isinstance(event, BadHttpMessage):
                self._on_error(event)

    def _on_head(self, message: RawResponseMessage, has_body: bool) -> None:
        if message.should_close:
            self._should_close = True
        parser = self._parser
        payload: StreamReader = EMPTY_PAYLOAD
        if parser is not None and parser.upgraded:
            self._upgraded = True
            self._expect_head = False
            self._parser = None
            self._disarm()
        else:
            if has_body:
                payload = StreamReader(
                    self, self._read_bufsize, timer=self._timer, loop=self._loop
                )
                if message.chunked:
                    payload.begin_http_chunk_receiving()
                self._payload = payload
            if message.code >= 200:
                self._expect_head = False
        self._responses.append((message, payload))
        self._wake()

    def _on_end(self) -> bool:
        """Finish the current body; True when no further response is expected."""
        payload = self._payload
        if payload is not None:
            self._payload = None
            payload.feed_eof()
        if self._expect_head:
            return False
        self._parser = None
        self._disarm()
        return True

    def _on_error(self, exc: BadHttpMessage) -> None:
        self._should_close = True
        payload = self._payload
        if payload is not None:
            self._payload = None
            reason = f"Response payload is not completed: {exc!r}"
            if self._lost_reason is not None:
                reason = f"{reason}. {self._lost_reason!r}"
            payload.set_exception(ClientPayloadError(reason), exc)
            self._disarm()
        else:
            self.set_exception(exc)
        self._parser = None
        transport = self.transport
        if transport is not None:
            transport.close()

    # ------------------------------------------------------ read timeout
    def _arm(self) -> None:
        """Start the sock_read timer if a response (or its body) is awaited."""
        timeout = self._read_timeout
        if (
            timeout is None
            or self._timeout_handle is not None
            or self._reading_paused
            or not (self._expect_head or self._payload is not None)
        ):
            return
        now = self._loop.time()
        self._last_read = now
        self._timeout_handle = self._loop.call_at(self._when(now), self._on_timeout)

    def _when(self, start: float) -> float:
        timeout = self._read_timeout or 0.0
        when = start + timeout
        return math.ceil(when) if timeout >= self._timeout_ceil_threshold else when

    def _disarm(self) -> None:
        handle = self._timeout_handle
        if handle is not None:
            self._timeout_handle = None
            handle.cancel()

    def _on_timeout(self) -> None:
        # data_received only records the time; rescheduling here instead of
        # on every chunk keeps the hot path free of timer churn.
        self._timeout_handle = None
        deadline = self._when(self._last_read)
        if deadline > self._loop.time():
            self._timeout_handle = self._loop.call_at(deadline, self._on_timeout)
            return
        exc = SocketTimeoutError("Timeout on reading data from socket")
        payload = self._payload
        if payload is not None:
            self._payload = None
            payload.set_exception(exc)
        self.set_exception(exc)
