"""The server's asyncio protocol: one :class:`RequestHandler` per connection.

Bytes from the transport go through the sans-IO request parser; each parsed
head is queued with its body stream, and a task (started on demand, so an idle
keep-alive connection holds no task) answers the queue in order: pipelined
requests get their responses in the order they were sent.  A malformed request
is queued as the parser's error and answered with its 4xx status and a close
once the requests before it are answered; it never reaches the handler.
"""

import asyncio
import traceback
import warnings
from collections import deque
from contextlib import suppress
from html import escape
from logging import Logger
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from . import hdrs
from ._helpers import http_date_now
from .abc import AbstractAccessLogger, AbstractAsyncAccessLogger
from .base_protocol import BaseProtocol
from .http_exceptions import BadHttpMessage
from .http_parser import EndOfChunk, EndOfMessage, HttpRequestParser, RawRequestMessage
from .http_writer import SERVER_SOFTWARE, HttpVersion11, StreamWriter, serialize_headers
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

_Queued = tuple[Union[RawRequestMessage, BadHttpMessage], Optional[StreamReader]]
# Pipelined requests waiting for their turn; past this many, stop reading.
_MAX_QUEUED = 16


class RequestPayloadError(Exception):
    """The request body could not be read completely."""


class PayloadAccessError(Exception):
    """The body of a request was read after its response was finished."""


class _ContinueOnReadStreamReader(StreamReader):
    """A body for ``Expect: 100-continue``: asks for it on the first read.

    The interim ``100 Continue`` goes out only when the handler first waits
    for body data, so a handler (or an app's expect handler) that answers
    without reading never makes the client upload the body.
    """

    __slots__ = ("_continue_writer",)

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(protocol, limit, loop=loop)
        self._continue_writer: Optional[StreamWriter] = None

    async def _wait(self, func_name: str) -> None:
        writer = self._continue_writer
        if writer is not None:
            self._continue_writer = None
            writer.send_continue()
        await super()._wait(func_name)


def _expects_continue(message: RawRequestMessage) -> bool:
    expect = message.headers.get(hdrs.EXPECT)
    return (
        expect is not None
        and expect.lower() == "100-continue"
        and message.version == HttpVersion11
    )


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
        self._parser = HttpRequestParser(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            auto_decompress=auto_decompress,
        )
        self._messages: deque[_Queued] = deque()
        self._payload: Optional[StreamReader] = None
        self._task_handler: Optional[asyncio.Task[None]] = None
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
        lost = ConnectionResetError("Connection lost")
        if self._payload is not None:
            self._payload.set_exception(lost)
            self._payload = None
        for _, payload in self._messages:
            if payload is not None:
                payload.set_exception(lost)
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
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    async def shutdown(self, timeout: Optional[float] = 15.0) -> None:
        """Let the request in progress finish (up to ``timeout``), then close."""
        self._force_close = True
        self._messages.clear()
        self._cancel_keepalive()
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
        if self._task_handler is not None:
            return  # busy; the request loop re-arms when it goes idle
        if self._loop.time() < self._keepalive_deadline:
            self._keepalive_handle = self._loop.call_at(
                self._keepalive_deadline, self._keepalive_expired
            )
            return
        self.logger.debug("Close idle keep-alive connection")
        self.transport.close()

    # --- reading ---------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._force_close or self._close:
            return
        events = self._parser.feed_data(data)
        messages = self._messages
        payload = self._payload
        i, n = 0, len(events)
        while i < n:
            event = events[i]
            i += 1
            kind = type(event)
            if kind is bytes:
                assert payload is not None
                payload.feed_data(cast(bytes, event))
            elif kind is RawRequestMessage:
                message = cast(RawRequestMessage, event)
                if i < n and type(events[i]) is EndOfMessage:
                    i += 1  # no body: skip creating a stream for it
                    messages.append((message, EMPTY_PAYLOAD))
                    payload = None
                else:
                    payload = (
                        _ContinueOnReadStreamReader
                        if _expects_continue(message)
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
                error = cast(BadHttpMessage, event)
                if payload is not None:
                    payload.set_exception(error)
                    payload = None
                messages.append((error, None))
                break
        self._payload = payload
        if messages and self._task_handler is None:
            self._task_handler = self._loop.create_task(self._handle_queue())
        if len(messages) > _MAX_QUEUED and not self._queue_paused:
            self._queue_paused = True
            self.pause_reading()

    # --- answering -------------------------------------------------------

    async def _handle_queue(self) -> None:
        """Answer queued requests in order; runs while the queue is non-empty."""
        messages = self._messages
        try:
            while messages and not self._force_close:
                message, payload = messages.popleft()
                if self._queue_paused and len(messages) <= _MAX_QUEUED // 2:
                    self._queue_paused = False
                    self.resume_reading()
                if payload is None:
                    self._answer_bad_message(cast(BadHttpMessage, message))
                    break
                keep_alive = await self._handle_one(
                    cast(RawRequestMessage, message), payload
                )
                if not keep_alive:
                    self._close = True
                    break
        except asyncio.CancelledError:
            self._force_close = True
        finally:
            self._task_handler = None
            self._current_request = None
        if self._close or self._force_close:
            if self.transport is not None:
                self.transport.close()
        else:
            self._arm_keepalive()

    async def _handle_one(
        self, message: RawRequestMessage, payload: StreamReader
    ) -> bool:
        """Run the handler for one request and send its response."""
        loop = self._loop
        start = loop.time()
        writer = StreamWriter(self, loop)
        request = self._request_factory(
            message,
            payload,
            self,
            writer,
            cast("asyncio.Task[None]", self._task_handler),
        )
        self._current_request = request
        self._manager.requests_count += 1
        awaiting_continue = type(payload) is _ContinueOnReadStreamReader
        if awaiting_continue:
            cast(_ContinueOnReadStreamReader, payload)._continue_writer = writer
        try:
            resp = await self._call_handler(request)
            keep_alive = await self._send_response(request, resp, start)
        finally:
            request._finish()
        self._current_request = None
        if message.upgrade and self._parser.upgraded:
            keep_alive = False
        if payload is not EMPTY_PAYLOAD and not payload.is_eof():
            if awaiting_continue and not writer._continue_sent:
                # The client is still waiting for "100 Continue" before it
                # sends the body; closing is the only way to stay in step.
                keep_alive = False
            else:
                keep_alive = await self._drain_body(payload) and keep_alive
        return keep_alive

    async def _call_handler(self, request: "BaseRequest") -> Optional[StreamResponse]:
        try:
            resp = await self._request_handler(request)
        except HTTPException as exc:
            return exc
        except asyncio.CancelledError:
            raise
        except asyncio.TimeoutError as exc:
            self.logger.debug("Request handler timed out.", exc_info=exc)
            return self.handle_error(request, 504)
        except Exception as exc:
            return self.handle_error(request, 500, exc)
        if isinstance(resp, HTTPException):
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
        if self._force_close and not resp.prepared:
            resp.force_close()
        try:
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
            while not payload.is_eof():
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
        status = exc.code or 400
        reason = _reason(status)
        body = f"{status} {reason}\n\n{exc.message}\n".encode("utf-8", "replace")
        head = serialize_headers(
            f"HTTP/1.1 {status} {reason}",
            [
                (hdrs.CONTENT_TYPE, "text/plain; charset=utf-8"),
                (hdrs.CONTENT_LENGTH, str(len(body))),
                (hdrs.CONNECTION, "close"),
                (hdrs.DATE, http_date_now()),
                (hdrs.SERVER, SERVER_SOFTWARE),
            ],
        )
        transport.write(head + body)
        self._close = True

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
        reason = _reason(status)
        if self.debug and exc is not None:
            tb = escape("".join(traceback.format_exception(exc)))
            text = (
                f"<html><head><title>{status} {reason}</title></head><body>"
                f"<h1>{status} {reason}</h1><pre>{tb}</pre></body></html>"
            )
            resp = Response(status=status, text=text, content_type="text/html")
        else:
            text = message or f"{status} {reason}\n\nServer got itself in trouble"
            resp = Response(status=status, text=text)
        resp.force_close()
        return resp

    def log_debug(self, *args: Any, **kw: Any) -> None:
        if self.debug:
            self.logger.debug(*args, **kw)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        self.logger.exception(*args, **kw)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Bad Request" if 400 <= status < 500 else "Error"
