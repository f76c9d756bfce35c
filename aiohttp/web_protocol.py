"""The server's asyncio protocol: one :class:`RequestHandler` per connection.

Bytes from the transport go through the sans-IO request parser; each parsed
head is queued with its body stream, and a task (started on demand, so an idle
keep-alive connection holds no task) answers the queue in order: pipelined
requests get their responses in the order they were sent.  A malformed request
is queued as the parser's error and answered with its 4xx status and a close
once the requests before it are answered; it never reaches the handler.

Timers: ``keepalive_timeout`` closes a connection idle between requests, and
``read_head_timeout`` bounds the time from the first byte of a request head to
its end (a client dribbling its head is answered 408 and closed).  Compressed
request bodies are decoded at most ``read_bufsize`` bytes at a time, and only
as fast as the handler reads them.
"""

import asyncio
import contextvars
import warnings
from collections import deque
from contextlib import suppress
from logging import Logger
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from ._web_protocol_parts import (
    ContinueOnReadStreamReader,
    bad_message_response,
    check_timeout,
    error_response,
    expects_continue,
    reason_phrase,
)
from .abc import AbstractAccessLogger, AbstractAsyncAccessLogger
from .base_protocol import BaseProtocol
from .http_exceptions import BadHttpMessage
from .http_parser import EndOfChunk, EndOfMessage, HttpRequestParser, RawRequestMessage
from .http_writer import StreamWriter
from .log import access_logger, server_logger
from .streams import EMPTY_PAYLOAD, StreamReader
from .tcp_helpers import tcp_keepalive, tcp_nodelay
from .web_exceptions import HTTPException
from .web_log import AccessLogger
from .web_response import Response, StreamResponse

if TYPE_CHECKING:
    from .web_request import BaseRequest
    from .web_server import Server

__all__ = ("PayloadAccessError", "RequestHandler", "RequestPayloadError")

# A request and its body, or (last in the queue) a request the parser
# rejected; ``item[1] is None`` tells them apart without a cast.
_Queued = Union[tuple[RawRequestMessage, StreamReader], tuple[BadHttpMessage, None]]
# Seconds from the first byte of a request head to its end (nginx's
# client_header_timeout default); past it the client gets 408 and a close.
DEFAULT_READ_HEAD_TIMEOUT = 60.0
# The most seconds to keep reading (and discarding) after an error response.
_ERROR_LINGER = 2.0
# Pipelined requests waiting for their turn; past this many, stop reading.
_MAX_QUEUED = 16


class RequestPayloadError(Exception):
    """The request body could not be read completely."""


class PayloadAccessError(Exception):
    """The body of a request was read after its response was finished."""


class RequestHandler(BaseProtocol):
    """Serves HTTP/1.1 requests arriving on one connection."""

    def __init__(
        self,
        manager: "Server",
        *,
        loop: asyncio.AbstractEventLoop,
        keepalive_timeout: float = 75.0,
        tcp_keepalive: bool = True,
        logger: Logger = server_logger,
        access_log_class: type[
            Union[AbstractAccessLogger, AbstractAsyncAccessLogger]
        ] = AccessLogger,
        access_log: Optional[Logger] = access_logger,
        access_log_format: str = AccessLogger.LOG_FORMAT,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        lingering_time: float = 10.0,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        timeout_ceil_threshold: float = 5,
        read_head_timeout: Optional[float] = DEFAULT_READ_HEAD_TIMEOUT,
    ) -> None:
        super().__init__(loop)
        self._manager = manager
        self._request_handler = manager.request_handler
        self._request_factory = manager.request_factory
        self._handler_cancellation = manager.handler_cancellation
        self._tcp_keepalive = tcp_keepalive
        self._keepalive_timeout = keepalive_timeout
        self._keepalive_handle: Optional[asyncio.TimerHandle] = None
        self._keepalive_deadline = 0.0
        self._lingering_time = float(lingering_time)
        self._read_bufsize = read_bufsize
        self._read_head_timeout = check_timeout("read_head_timeout", read_head_timeout)
        self._head_handle: Optional[asyncio.TimerHandle] = None
        self._head_expired = False
        self._answered_error = False
        self._pump_handle: Optional[asyncio.Handle] = None
        self._parser = HttpRequestParser(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            auto_decompress=auto_decompress,
            max_decoded_per_feed=read_bufsize,
        )
        self._messages: deque[_Queued] = deque()
        self._payload: Optional[StreamReader] = None
        self._task_handler: Optional[asyncio.Task[None]] = None
        self._create_task = loop.create_task  # bound once, called per request
        # The context requests start from: the one the connection was
        # accepted in (a task created inside a handler's task would inherit
        # what that handler set).
        self._context = contextvars.copy_context()
        self._current_request: Optional[BaseRequest] = None
        self._queue_paused = False
        self._close = False
        self._force_close = False
        self._upgraded = False
        self.logger = logger
        self.debug = loop.get_debug()
        self.access_logger: Optional[
            Union[AbstractAccessLogger, AbstractAsyncAccessLogger]
        ] = None
        if access_log is not None:
            if issubclass(access_log_class, AbstractAsyncAccessLogger):
                self.access_logger = access_log_class()
            else:
                self.access_logger = access_log_class(access_log, access_log_format)

    def __repr__(self) -> str:
        state = "connected" if self.transport is not None else "disconnected"
        return f"<{self.__class__.__name__} {state}>"

    @property
    def keepalive_timeout(self) -> float:
        return self._keepalive_timeout

    @property
    def read_head_timeout(self) -> Optional[float]:
        """Seconds a client has to send a whole request head (None: no limit)."""
        return self._read_head_timeout

    # --- connection lifecycle -------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if self._tcp_keepalive:
            tcp_keepalive(transport)
        tcp_nodelay(transport, True)
        self._manager.connection_made(self, cast(asyncio.Transport, transport))
        self._arm_keepalive()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._manager.connection_lost(self, exc)
        super().connection_lost(exc)
        self._force_close = True
        self._cancel_keepalive()
        self._cancel_head_timer()
        lost = ConnectionResetError("Connection lost")
        if self._payload is not None:
            self._payload.set_exception(lost)
            self._payload = None
        for item in self._messages:
            if item[1] is not None:
                item[1].set_exception(lost)
        self._messages.clear()
        task = self._task_handler
        if task is not None and (
            self._handler_cancellation or self._current_request is None
        ):
            task.cancel()

    def eof_received(self) -> Optional[bool]:
        """The peer closed its side: answer what was sent, then close."""
        self._close = True
        for event in self._parser.feed_eof():
            if isinstance(event, BadHttpMessage) and self._payload is not None:
                self._payload.set_exception(event)
                self._payload = None
        if self._task_handler is None or self._handler_cancellation:
            # Idle, or the application asked for handlers to be cancelled
            # when the client goes away: EOF counts as a disconnect.
            return None
        # Keep our side open to send the responses (plain TCP only; asyncio's
        # TLS transport closes on EOF whatever we answer).
        transport = self.transport
        if transport is not None and transport.get_extra_info("sslcontext"):
            return None
        return True

    def close(self) -> None:
        """Close the connection once the request in progress is answered."""
        self._close = True
        self._cancel_keepalive()
        if self._task_handler is None and self.transport is not None:
            self.transport.close()

    def force_close(self) -> None:
        """Close the connection now, dropping queued requests."""
        self._force_close = True
        self._messages.clear()
        self._cancel_keepalive()
        self._cancel_head_timer()
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    async def shutdown(self, timeout: Optional[float] = 15.0) -> None:
        """Let the request in progress finish (up to ``timeout``), then close."""
        self._force_close = True
        self._messages.clear()
        self._cancel_keepalive()
        self._cancel_head_timer()
        task = self._task_handler
        if task is not None and not task.done():
            if self._current_request is not None:
                await asyncio.wait({task}, timeout=timeout)
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    # --- keep-alive ------------------------------------------------------

    def _arm_keepalive(self) -> None:
        if not self._keepalive_timeout:
            return
        loop = self._loop
        self._keepalive_deadline = loop.time() + self._keepalive_timeout
        if self._keepalive_handle is None:
            self._keepalive_handle = loop.call_at(
                self._keepalive_deadline, self._keepalive_expired
            )

    def _cancel_keepalive(self) -> None:
        if self._keepalive_handle is not None:
            self._keepalive_handle.cancel()
            self._keepalive_handle = None

    def _keepalive_expired(self) -> None:
        # One timer per connection, moved lazily: answering a request only
        # pushes the deadline; the timer re-arms itself when it fires early.
        self._keepalive_handle = None
        if self._force_close or self.transport is None:
            return
        if self._task_handler is not None or self._head_handle is not None:
            # Busy, or a request head is arriving (its own timer covers it):
            # the request loop re-arms when it goes idle.
            return
        if self._loop.time() < self._keepalive_deadline:
            self._keepalive_handle = self._loop.call_at(
                self._keepalive_deadline, self._keepalive_expired
            )
            return
        self.logger.debug("Close idle keep-alive connection")
        self.transport.close()

    # --- reading ---------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._force_close or self._close or self._head_expired:
            return
        parser = self._parser
        head_done = self._dispatch(parser.feed_data(data))
        if parser.output_pending:
            self._pump()
        # The common case inlined: a whole head arrived, no timer runs and no
        # next head has begun. Anything else goes to _track_head().
        if self._read_head_timeout and (
            not head_done or self._head_handle is not None or parser.receiving_head
        ):
            self._track_head(head_done)

    def _dispatch(self, events: list[Any]) -> bool:
        """Route parser events to body streams and the queue; True if a head ended."""
        messages = self._messages
        payload = self._payload
        head_done = False
        i, n = 0, len(events)
        while i < n:
            event = events[i]
            i += 1
            kind = type(event)
            if kind is bytes:
                assert payload is not None
                payload.feed_data(event)
            elif kind is RawRequestMessage:
                head_done = True
                message: RawRequestMessage = event
                if i < n and type(events[i]) is EndOfMessage:
                    i += 1  # no body: skip creating a stream for it
                    messages.append((message, EMPTY_PAYLOAD))
                    payload = None
                else:
                    payload = (
                        ContinueOnReadStreamReader
                        if expects_continue(message)
                        else StreamReader
                    )(self, self._read_bufsize, loop=self._loop)
                    if message.chunked:
                        payload.begin_http_chunk_receiving()
                    messages.append((message, payload))
            elif kind is EndOfMessage:
                assert payload is not None
                payload.feed_eof()
                payload = None
            elif kind is EndOfChunk:
                assert payload is not None
                payload.end_http_chunk_receiving()
                payload.begin_http_chunk_receiving()
            else:
                error: BadHttpMessage = event
                if payload is not None:
                    payload.set_exception(error)
                    payload = None
                messages.append((error, None))
                break
        self._payload = payload
        self._start_queue()
        return head_done

    def _start_queue(self) -> None:
        messages = self._messages
        if messages and self._task_handler is None:
            # An ordinary task on every Python version, not an eager one on
            # 3.12+: answering inside this read callback (eager start) served
            # 2-16 % fewer requests per CPU-second than reading every ready
            # connection first (benchmarks/PROFILE.md, session 6).
            task = self._create_task(self._handle_queue())
            # Unless the application set an eager task factory (3.12+): the
            # task may then have answered everything already and cleared
            # _task_handler; keep it cleared.
            if not task.done():
                self._task_handler = task
        if len(messages) > _MAX_QUEUED and not self._queue_paused:
            self._queue_paused = True
            self.pause_reading()

    # --- compressed bodies: decode only as fast as the handler reads -------

    def _pump(self) -> None:
        """Take held-back decoded body output until the body stream is full."""
        self._pump_handle = None
        parser = self._parser
        while (
            parser.output_pending
            and not self._reading_paused
            and not self._force_close
            and self.transport is not None
        ):
            self._dispatch(parser.feed_data(b""))

    def resume_reading(self) -> None:
        super().resume_reading()
        # Called from inside a body read: continue decoding on the next turn
        # of the loop, not while the reader is in the middle of its buffer.
        if self._parser.output_pending and self._pump_handle is None:
            self._pump_handle = self._loop.call_soon(self._pump)

    # --- request head timeout ---------------------------------------------

    def _track_head(self, head_done: bool) -> None:
        """Start the head timer at a head's first byte; stop it at its end."""
        if head_done or not self._parser.receiving_head:
            self._cancel_head_timer()
        if self._parser.receiving_head and self._head_handle is None:
            assert self._read_head_timeout is not None
            self._head_handle = self._loop.call_later(
                self._read_head_timeout, self._head_timed_out
            )

    def _cancel_head_timer(self) -> None:
        if self._head_handle is not None:
            self._head_handle.cancel()
            self._head_handle = None

    def _head_timed_out(self) -> None:
        self._head_handle = None
        if self._force_close or self._close or self.transport is None:
            return
        if not self._parser.receiving_head:  # pragma: no cover - defensive
            return
        assert self._read_head_timeout is not None
        if self._reading_paused:
            # We stopped reading (a full queue or body stream), not the
            # client: give the head a fresh period once reading resumes.
            self._head_handle = self._loop.call_later(
                self._read_head_timeout, self._head_timed_out
            )
            return
        error = BadHttpMessage(
            "Request head not received within read_head_timeout="
            f"{self._read_head_timeout:g} seconds"
        )
        error.code = 408
        # Answered in turn, after any request still in progress (which keeps
        # its keep-alive response); reading stops now.
        self._head_expired = True
        self._messages.append((error, None))
        self._start_queue()

    # --- answering -------------------------------------------------------

    async def _handle_queue(self) -> None:
        """Answer the next queued request; runs while the queue is non-empty.

        One task per request, not one per connection: each request starts in
        a fresh copy of the context, so context variables a handler sets never
        leak into the next request on the same keep-alive connection (as
        aiohttp documents), pipelined or not. A task that finds more requests
        queued after answering one hands them to a new task. The handler is
        called here, not in a coroutine of its own: one layer less per request.
        """
        task = self._task_handler
        if task is None:  # pragma: no cover - eager task factories, 3.12+ only
            # Started by an eager task factory (3.12+): this runs before
            # _start_queue() has stored the task, so store it here.
            task = self._task_handler = asyncio.current_task(self._loop)
            assert task is not None
        messages = self._messages
        try:
            item = self._take_next() if messages and not self._force_close else None
            if item is not None:
                message, payload = item
                # The start time only feeds the access log: no clock without one.
                start = self._loop.time() if self.access_logger is not None else 0.0
                request = self._begin_request(message, payload, task)
                try:
                    try:
                        resp: Optional[StreamResponse] = await self._request_handler(
                            request
                        )
                    except Exception as exc:  # CancelledError is not one
                        resp = self._handler_error(request, exc)
                    else:
                        if type(resp) is not Response:
                            # The common case skips the checks (StreamResponse
                            # is a MutableMapping: isinstance() goes through abc).
                            resp = self._checked_response(request, resp)
                    keep_alive = await self._send_response(request, resp, start)
                finally:
                    request._finish()
                self._current_request = None
                if message.upgrade and self._parser.upgraded:
                    keep_alive = False
                if payload is not EMPTY_PAYLOAD and not payload.is_eof():
                    keep_alive = await self._unread_body(payload) and keep_alive
                if not keep_alive:
                    self._close = True
                elif messages and not self._force_close:
                    # The next request gets its own task, started as the
                    # first one was (so an eager task factory finds no stale
                    # task stored), from a fresh copy of the connection's
                    # context: not this task's, which the handler may have
                    # changed. A copy, because an eager task factory nests
                    # tasks and a context cannot be entered twice.
                    self._task_handler = None
                    self._context.copy().run(self._start_queue)
                    return
        except asyncio.CancelledError:
            self._force_close = True
        finally:
            if self._task_handler is task:
                self._task_handler = None
                self._current_request = None
        self._after_queue()

    def _after_queue(self) -> None:
        """The queue is answered: close, linger after an error, or wait for more."""
        if self.transport is None:
            return
        if self._answered_error and not self._force_close:
            self._close_after_error(self.transport)
        elif self._close or self._force_close:
            self.transport.close()
        else:
            self._arm_keepalive()

    def _take_next(self) -> Optional[tuple[RawRequestMessage, StreamReader]]:
        """The next queued request, or None once a rejected one is answered here."""
        messages = self._messages
        item = messages.popleft()
        if self._queue_paused and len(messages) <= _MAX_QUEUED // 2:
            self._queue_paused = False
            self.resume_reading()
        if item[1] is None:
            self._answer_bad_message(item[0])
            return None
        if item[1] is EMPTY_PAYLOAD:  # no body, so nothing went wrong in one
            return item
        broken = item[1].exception()
        if broken is not None and isinstance(broken, BadHttpMessage):
            # The body was already found malformed (a bad chunk in the same
            # read as the head): answer that, not the handler.
            self._answer_bad_message(broken)
            return None
        return item

    def _close_after_error(self, transport: asyncio.Transport) -> None:
        """Close after an error response without letting the client lose it.

        Closing a socket with unread input makes the kernel send a reset,
        which can destroy the response before the client reads it (the client
        may still be sending the rest of a rejected request). So: end our
        side, discard what still arrives, and close when the client does or
        after a short linger (as nginx's lingering close does).
        """
        linger = min(self._lingering_time, _ERROR_LINGER)
        if not linger or not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self.resume_reading()  # keep draining the socket
        self._cancel_keepalive()
        self._keepalive_handle = self._loop.call_later(linger, transport.close)

    def _begin_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        task: "asyncio.Task[None]",
    ) -> "BaseRequest":
        """The request object for a queued head, with its response writer."""
        writer = StreamWriter(self, self._loop)
        request = self._request_factory(message, payload, self, writer, task)
        self._current_request = request
        self._manager.requests_count += 1
        if type(payload) is ContinueOnReadStreamReader:
            payload._continue_writer = writer
        return request

    async def _unread_body(self, payload: StreamReader) -> bool:
        """The handler left (part of) the body unread: can the connection go on?"""
        if type(payload) is ContinueOnReadStreamReader:
            writer = payload._continue_writer
            if writer is not None and not writer._continue_sent:
                # The client is still waiting for "100 Continue" before it
                # sends the body; closing is the only way to stay in step.
                return False
        return await self._drain_body(payload)

    def _handler_error(
        self, request: "BaseRequest", exc: Exception
    ) -> Optional[StreamResponse]:
        """The response for an exception the handler raised."""
        if isinstance(exc, HTTPException):
            return exc
        if isinstance(exc, BadHttpMessage):
            # The request body turned out malformed while the handler read
            # it: the client's fault (4xx), not the server's (500).
            self.logger.debug("Bad HTTP request body: %s", exc)
            code = exc.code or 400
            text = f"{code} {reason_phrase(code)}\n\n{exc.message}\n"
            return self.handle_error(request, code, message=text)
        if isinstance(exc, asyncio.TimeoutError):
            self.logger.debug("Request handler timed out.", exc_info=exc)
            return self.handle_error(request, 504)
        return self.handle_error(request, 500, exc)

    def _checked_response(
        self, request: "BaseRequest", resp: object
    ) -> Optional[StreamResponse]:
        """What a handler returned that is not a plain Response, checked."""
        # isinstance() against Exception first: a plain type check, where the
        # check against HTTPException (an ABC, through MutableMapping) walks
        # every subclass the first time it sees a response type.
        if isinstance(resp, Exception) and isinstance(resp, HTTPException):
            warnings.warn(
                "returning HTTPException object is deprecated (#2415) and will "
                "be removed, please raise the exception instead",
                DeprecationWarning,
                stacklevel=1,
            )
        elif not isinstance(resp, StreamResponse):
            if resp is None:
                problem = "Missing return statement on request handler"
            else:
                problem = f"Web-handler should return a response instance, got {resp!r}"
            return self.handle_error(request, 500, RuntimeError(problem))
        return resp

    async def _send_response(
        self, request: "BaseRequest", resp: Optional[StreamResponse], start: float
    ) -> bool:
        """Prepare and finish ``resp``; False when the connection must close."""
        if resp is None:  # the handler failed after its response had started
            return False
        if (self._force_close or self._close) and not resp.prepared:
            # Shutting down, or the client half-closed: say so in the response.
            resp.force_close()
        try:
            # A plain Response is sent without the coroutine layers of
            # prepare() and write_eof() when nothing in them would await.
            if type(resp) is not Response or not resp._send_now(request):
                await resp.prepare(request)
                await resp.write_eof()
        except ConnectionError:
            self.logger.debug("Ignored premature client disconnection")
            return False
        except Exception as exc:
            if resp.prepared:
                self.log_exception("Error sending response", exc_info=exc)
                return False
            fallback = self.handle_error(request, 500, exc)
            if fallback is None:
                return False
            resp = fallback
            with suppress(ConnectionError):
                await resp.prepare(request)
                await resp.write_eof()
        if self.access_logger is not None:  # no coroutine when nobody logs
            await self._log_access(request, resp, start)
        return bool(resp.keep_alive)

    async def _log_access(
        self, request: "BaseRequest", resp: StreamResponse, start: float
    ) -> None:
        logger = self.access_logger
        if logger is None or not logger.enabled:
            return
        if isinstance(logger, AbstractAsyncAccessLogger):
            await logger.log(request, resp, start)
        else:
            logger.log(request, resp, self._loop.time() - start)

    async def _drain_body(self, payload: StreamReader) -> bool:
        """Read and discard an unread body so the next request can be parsed.

        Gives up after ``lingering_time`` seconds; the connection is then
        closed (returns False) rather than left out of step with the peer.
        """
        if not self._lingering_time or self._force_close:
            return False
        self.logger.debug(
            "Start lingering close timer for %s sec.", self._lingering_time
        )
        loop = self._loop
        end = loop.time() + self._lingering_time
        with suppress(Exception):
            # _force_close is checked too: Python 3.11's wait_for() can swallow
            # a cancellation that races with readany() completing.
            while not payload.is_eof() and not self._force_close:
                remaining = end - loop.time()
                if remaining <= 0:
                    break
                await asyncio.wait_for(payload.readany(), remaining)
        if payload.is_eof() and payload.exception() is None:
            payload.set_exception(PayloadAccessError())
            return True
        self.logger.debug("Uncompleted request.")
        return False

    def _answer_bad_message(self, exc: BadHttpMessage) -> None:
        """Answer a request the parser rejected, then close the connection."""
        self.logger.debug("Bad HTTP request: %s", exc)
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        transport.write(bad_message_response(exc))
        self._close = True
        self._answered_error = True

    def handle_error(
        self,
        request: "BaseRequest",
        status: int = 500,
        exc: Optional[BaseException] = None,
        message: Optional[str] = None,
    ) -> Optional[StreamResponse]:
        """Log ``exc`` and build the error response (None if one already began)."""
        if exc is not None:
            self.log_exception("Error handling request", exc_info=exc)
        if request.writer.output_size or getattr(
            request.writer, "_headers_written", False
        ):
            # The handler's own response already started: all we can do is close.
            self._close = True
            return None
        return error_response(status, exc if self.debug else None, message)

    def log_debug(self, *args: Any, **kw: Any) -> None:
        if self.debug:
            self.logger.debug(*args, **kw)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        self.logger.exception(*args, **kw)
