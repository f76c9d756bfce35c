"""Body streams: :class:`StreamReader` for HTTP bodies, :class:`DataQueue` for messages.

A protocol feeds bytes in (``feed_data``/``feed_eof``/``set_exception``) and one
coroutine at a time reads them out. The buffer is a deque of the chunks as they
arrived plus an offset into the first one, so reads hand chunks over without
re-joining them, and ``read()`` joins once at the end.

Flow control: past the high-water mark (``2 * limit``) the reader asks the
protocol to pause the transport; once reads drain it below the low-water mark
(``limit``) it resumes reading.
"""

import asyncio
import collections
import contextlib
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, Optional, TypeVar

from .base_protocol import BaseProtocol
from .log import internal_logger

__all__ = (
    "EMPTY_PAYLOAD",
    "DataQueue",
    "EmptyStreamReader",
    "EofStream",
    "StreamReader",
)

_T = TypeVar("_T")

# Marks "no cause given" so that ``None`` stays usable as an explicit cause.
_EXC_SENTINEL: Final = BaseException()

# Whatever the client passes as a read timer: entered around every wait.
_TimerContext = contextlib.AbstractContextManager[Any]


class EofStream(Exception):
    """Raised by :meth:`DataQueue.read` once the queue is drained and at EOF."""


def _wake(waiter: Optional["asyncio.Future[None]"]) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _attach_cause(exc: BaseException, exc_cause: BaseException) -> None:
    if exc_cause is not _EXC_SENTINEL:
        exc.__cause__ = exc_cause


def _run_eof_callback(callback: Callable[[], None]) -> None:
    # A broken callback must not break the protocol that fed EOF.
    try:
        callback()
    except Exception:
        internal_logger.exception("Exception in eof callback")


class _BytesIterator:
    """Async iterator over a bytes read method; stops at ``b""`` (EOF)."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], Awaitable[bytes]]) -> None:
        self._read = read

    def __aiter__(self) -> "_BytesIterator":
        return self

    async def __anext__(self) -> bytes:
        data = await self._read()
        if not data:
            raise StopAsyncIteration
        return data


class _ChunkTupleIterator:
    """Async iterator over :meth:`StreamReader.readchunk`; stops at EOF."""

    __slots__ = ("_stream",)

    def __init__(self, stream: "StreamReader") -> None:
        self._stream = stream

    def __aiter__(self) -> "_ChunkTupleIterator":
        return self

    async def __anext__(self) -> tuple[bytes, bool]:
        data, end_of_chunk = await self._stream.readchunk()
        if not data and not end_of_chunk:
            raise StopAsyncIteration
        return data, end_of_chunk


class StreamReader:
    """The body of an incoming message, read by one coroutine at a time.

    Obtain one from ``web.BaseRequest.content`` or ``ClientResponse.content``;
    the protocol that owns it feeds it.
    """

    __slots__ = (
        "_buffer",
        "_eof",
        "_eof_callbacks",
        "_eof_waiter",
        "_exception",
        "_high_water",
        "_http_chunk_splits",
        "_loop",
        "_low_water",
        "_offset",
        "_protocol",
        "_size",
        "_timer",
        "_waiter",
        "total_bytes",
    )

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        timer: Optional[_TimerContext] = None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit!r}")
        self._protocol = protocol
        self._low_water = limit
        self._high_water = limit * 2
        self._loop = loop
        self._timer = timer
        self._buffer: collections.deque[bytes] = collections.deque()
        self._size = 0  # unread bytes in _buffer (after _offset)
        self._offset = 0  # bytes already consumed from _buffer[0]
        self._eof = False
        self._waiter: Optional[asyncio.Future[None]] = None
        self._eof_waiter: Optional[asyncio.Future[None]] = None
        self._exception: Optional[BaseException] = None
        self._eof_callbacks: list[Callable[[], None]] = []
        # Stream positions (in total_bytes) where HTTP chunks end; None until
        # the parser announces chunked framing.
        self._http_chunk_splits: Optional[collections.deque[int]] = None
        self.total_bytes = 0

    def __repr__(self) -> str:
        info = [type(self).__name__]
        if self._size:
            info.append(f"{self._size} bytes")
        if self._eof:
            info.append("eof")
        if self._low_water != 2**16:
            info.append(f"low={self._low_water} high={self._high_water}")
        if self._waiter is not None:
            info.append(f"w={self._waiter!r}")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return "<{}>".format(" ".join(info))

    # ----------------------------------------------------------- state
    def get_read_buffer_limits(self) -> tuple[int, int]:
        """Return the flow-control marks as ``(low, high)``."""
        return self._low_water, self._high_water

    def exception(self) -> Optional[BaseException]:
        """Return the exception set by the producer, if any."""
        return self._exception

    def is_eof(self) -> bool:
        """Return True once EOF was fed (data may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """Return True when EOF was fed and every byte has been read."""
        return self._eof and not self._size

    # ----------------------------------------------------------- producer side
    def set_exception(
        self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL
    ) -> None:
        """Fail the stream: waiting and later reads raise *exc*."""
        _attach_cause(exc, exc_cause)
        self._exception = exc
        self._eof_callbacks.clear()
        # Waiters wake normally and find the exception when they look again.
        waiter, self._waiter = self._waiter, None
        _wake(waiter)
        _wake(self._eof_waiter)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call *callback* at EOF (now, if EOF was already fed)."""
        if self._eof:
            _run_eof_callback(callback)
        else:
            self._eof_callbacks.append(callback)

    def feed_eof(self) -> None:
        """Mark the end of the body and wake the reader."""
        self._eof = True
        waiter, self._waiter = self._waiter, None
        _wake(waiter)
        _wake(self._eof_waiter)
        callbacks, self._eof_callbacks = self._eof_callbacks, []
        for callback in callbacks:
            _run_eof_callback(callback)

    def feed_data(self, data: bytes) -> None:
        """Append *data* (empty data is ignored), pausing the peer past high water."""
        if not data:
            return
        if self._eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        size = len(data)
        self._buffer.append(data)
        self._size += size
        self.total_bytes += size
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        if self._size > self._high_water and not self._protocol._reading_paused:
            self._protocol.pause_reading()

    def begin_http_chunk_receiving(self) -> None:
        """Note that the body uses chunked framing (a chunk starts)."""
        if self._http_chunk_splits is None:
            self._http_chunk_splits = collections.deque()

    def end_http_chunk_receiving(self) -> None:
        """Mark the end of an HTTP chunk at the current stream position."""
        splits = self._http_chunk_splits
        if splits is None:
            raise RuntimeError(
                "end_http_chunk_receiving() called without "
                "begin_http_chunk_receiving(); call that first"
            )
        # An empty chunk adds no boundary: readchunk() would report it twice.
        last = splits[-1] if splits else 0
        if self.total_bytes == last:
            return
        splits.append(self.total_bytes)
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    def unread_data(self, data: bytes) -> None:
        """Push *data* back to the head of the buffer (deprecated; no wake-up)."""
        warnings.warn(
            "unread_data() is deprecated and will be removed; "
            "keep the bytes you read instead of pushing them back",
            DeprecationWarning,
            stacklevel=2,
        )
        if not data:
            return
        if self._offset:
            self._buffer[0] = self._buffer[0][self._offset :]
            self._offset = 0
        self._buffer.appendleft(data)
        self._size += len(data)

    # ----------------------------------------------------------- internals
    async def _wait(self, func_name: str) -> None:
        """Wait until the producer feeds data, EOF, a chunk end or an error."""
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already "
                "waiting for incoming data; read from one coroutine at a time"
            )
        waiter = self._waiter = self._loop.create_future()
        try:
            if self._timer is not None:
                with self._timer:
                    await waiter
            else:
                await waiter
        finally:
            # The producer clears _waiter when it wakes us; never drop the
            # waiter of another coroutine that started waiting since.
            if self._waiter is waiter:
                self._waiter = None

    async def _fill(self, func_name: str) -> bool:
        """Wait for buffered data: True when there is some, False at EOF."""
        while True:
            if self._exception is not None:
                raise self._exception
            if self._size:
                return True
            if self._eof:
                return False
            await self._wait(func_name)

    def _take_first(self, n: int) -> bytes:
        """Consume up to *n* bytes (all if negative) of the first chunk."""
        chunk = self._buffer[0]
        offset = self._offset
        available = len(chunk) - offset
        if n < 0 or n >= available:
            self._buffer.popleft()
            self._offset = 0
            data = chunk[offset:] if offset else chunk
            n = available
        else:
            data = chunk[offset : offset + n]
            self._offset = offset + n
        self._size -= n
        # "Empty" also counts so that limit=0 (low water 0) can resume.
        if self._protocol._reading_paused and (
            self._size < self._low_water or not self._size
        ):
            self._protocol.resume_reading()
        return data

    def _read_nowait(self, n: int) -> bytes:
        """Consume up to *n* buffered bytes (all if negative) across chunks."""
        if n < 0:
            n = self._size
        if len(self._buffer[0]) - self._offset >= n:
            return self._take_first(n)
        parts = []
        while n > 0 and self._buffer:
            part = self._take_first(n)
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    # ----------------------------------------------------------- consumer side
    async def read(self, n: int = -1) -> bytes:
        """Read up to *n* bytes as soon as any arrive; all until EOF if ``-1``."""
        if self._size and self._exception is None and n > 0:
            return self._read_nowait(n)
        if n < 0:
            if self._eof and self._exception is None:  # the whole body is here
                return self._read_nowait(-1) if self._size else b""
            parts: list[bytes] = []
            while await self._fill("read"):
                while self._buffer:
                    parts.append(self._take_first(-1))
            return parts[0] if len(parts) == 1 else b"".join(parts)
        if n == 0:
            if self._exception is not None:
                raise self._exception
            return b""
        if not await self._fill("read"):
            return b""
        return self._read_nowait(n)

    async def readany(self) -> bytes:
        """Read whatever is buffered, waiting if nothing is; ``b""`` at EOF."""
        ready = self._size and self._exception is None
        if not ready and not await self._fill("readany"):
            return b""
        return self._read_nowait(-1)

    async def readexactly(self, n: int) -> bytes:
        """Read exactly *n* bytes or raise :exc:`asyncio.IncompleteReadError`."""
        if n < 0:
            raise ValueError(f"readexactly(): n must be >= 0, got {n!r}")
        parts: list[bytes] = []
        remaining = n
        while remaining:
            if not await self._fill("readexactly"):
                raise asyncio.IncompleteReadError(b"".join(parts), n)
            part = self._read_nowait(remaining)
            parts.append(part)
            remaining -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def readline(self) -> bytes:
        """Read one line including ``b"\\n"``; the rest of the body at EOF."""
        return await self._readuntil(b"\n", "readline")

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Read up to and including *separator*; the rest of the body at EOF."""
        if not separator:
            raise ValueError("readuntil(): separator must be a non-empty bytes")
        return await self._readuntil(separator, "readuntil")

    def _find(self, separator: bytes, tail: bytes) -> int:
        """Return how many bytes of the first chunk end the separator, or -1.

        *tail* is the end of what was consumed before; a separator may start
        there and finish in this chunk.
        """
        chunk = self._buffer[0]
        offset = self._offset
        seplen = len(separator)
        if tail:
            pos = (tail + chunk[offset : offset + seplen - 1]).find(separator)
            if pos != -1:
                return pos + seplen - len(tail)
        pos = chunk.find(separator, offset)
        return -1 if pos == -1 else pos - offset + seplen

    async def _readuntil(self, separator: bytes, func_name: str) -> bytes:
        # Consume as we scan so the peer can keep sending (flow control) and
        # no byte is scanned twice; the line is joined once at the end.
        parts: list[bytes] = []
        size = 0
        keep = len(separator) - 1
        tail = b""
        while await self._fill(func_name):
            while self._buffer:
                end = self._find(separator, tail)
                part = self._take_first(end)
                parts.append(part)
                size += len(part)
                if size > self._high_water:
                    raise ValueError("Chunk too big")
                if end != -1:
                    return parts[0] if len(parts) == 1 else b"".join(parts)
                if keep:
                    tail = (tail + part)[-keep:]
        return b"".join(parts)

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(data, end_of_http_chunk)``; ``(b"", False)`` at EOF.

        With chunked framing, data stops at the next HTTP chunk boundary and
        the flag tells whether that boundary was reached; otherwise it is the
        next piece as received and the flag is always False.
        """
        while True:
            if self._exception is not None:
                raise self._exception
            splits = self._http_chunk_splits
            while splits:
                pos = splits.popleft()
                consumed = self.total_bytes - self._size
                if pos == consumed:
                    return b"", True
                if pos > consumed:
                    return self._read_nowait(pos - consumed), True
                # Other read methods already went past this boundary.
            if self._size:
                return self._take_first(-1), False
            if self._eof:
                return b"", False
            await self._wait("readchunk")

    def read_nowait(self, n: int = -1) -> bytes:
        """Return up to *n* buffered bytes (all if ``-1``) without waiting."""
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None:
            raise RuntimeError(
                "read_nowait() called while another coroutine is waiting "
                "for incoming data; read from one coroutine at a time"
            )
        if not self._size:
            return b""
        return self._read_nowait(n)

    async def wait_eof(self) -> None:
        """Wait until EOF is fed; buffered data stays readable."""
        if self._eof:
            return
        if self._exception is not None:
            raise self._exception
        if self._eof_waiter is not None:
            raise RuntimeError(
                "wait_eof() called while another coroutine is already waiting "
                "for EOF; wait from one coroutine at a time"
            )
        waiter = self._eof_waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._eof_waiter = None
        if not self._eof and self._exception is not None:
            raise self._exception

    # ----------------------------------------------------------- iteration
    def __aiter__(self) -> _BytesIterator:
        return _BytesIterator(self.readline)

    def iter_chunked(self, n: int) -> _BytesIterator:
        """Iterate over chunks of at most *n* bytes as they arrive."""
        if n <= 0:
            raise ValueError(f"iter_chunked() needs a chunk size n > 0, got {n!r}")

        def read() -> Awaitable[bytes]:
            return self.read(n)

        return _BytesIterator(read)

    def iter_any(self) -> _BytesIterator:
        """Iterate over the data in the order it is fed, as it arrives."""
        return _BytesIterator(self.readany)

    def iter_chunks(self) -> _ChunkTupleIterator:
        """Iterate over :meth:`readchunk` tuples until EOF."""
        return _ChunkTupleIterator(self)


class EmptyStreamReader(StreamReader):
    """The body of a message without one: at EOF from the start, never fed.

    It needs no protocol or loop, so a single shared instance
    (:data:`EMPTY_PAYLOAD`) serves every body-less message. The inherited read
    methods answer at once from the EOF state (``readchunk()`` gives
    ``(b"", False)`` like any stream at EOF, which ends ``iter_chunks()``);
    feeding is a no-op so that no message can disturb another.
    """

    __slots__ = ()

    def __init__(self) -> None:
        self._low_water = self._high_water = 0
        self._buffer = collections.deque()
        self._size = self._offset = self.total_bytes = 0
        self._eof = True
        self._exception = None
        self._waiter = self._eof_waiter = None
        self._eof_callbacks = []
        self._http_chunk_splits = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def set_exception(
        self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL
    ) -> None:
        pass

    def feed_eof(self) -> None:
        pass

    def feed_data(self, data: bytes) -> None:
        pass

    def begin_http_chunk_receiving(self) -> None:
        pass

    def end_http_chunk_receiving(self) -> None:
        pass

    def unread_data(self, data: bytes) -> None:
        raise RuntimeError(
            "unread_data() on an EmptyStreamReader: the empty body is shared "
            "and cannot hold data"
        )


EMPTY_PAYLOAD: Final[EmptyStreamReader] = EmptyStreamReader()


class _QueueIterator(Generic[_T]):
    """Async iterator over :meth:`DataQueue.read`; stops at EOF."""

    __slots__ = ("_queue",)

    def __init__(self, queue: "DataQueue[_T]") -> None:
        self._queue = queue

    def __aiter__(self) -> "_QueueIterator[_T]":
        return self

    async def __anext__(self) -> _T:
        try:
            return await self._queue.read()
        except EofStream:
            raise StopAsyncIteration from None


class DataQueue(Generic[_T]):
    """A queue of parsed items (e.g. WebSocket messages) with EOF and errors.

    Items fed before an error or EOF are still delivered first.
    """

    __slots__ = ("_buffer", "_eof", "_exception", "_loop", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._eof = False
        self._waiter: Optional[asyncio.Future[None]] = None
        self._exception: Optional[BaseException] = None
        self._buffer: collections.deque[_T] = collections.deque()

    def __len__(self) -> int:
        return len(self._buffer)

    def is_eof(self) -> bool:
        """Return True once EOF was fed."""
        return self._eof

    def at_eof(self) -> bool:
        """Return True when EOF was fed and every item has been read."""
        return self._eof and not self._buffer

    def exception(self) -> Optional[BaseException]:
        """Return the exception set by the producer, if any."""
        return self._exception

    def set_exception(
        self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL
    ) -> None:
        """Fail the queue: reads raise *exc* once the buffered items are read."""
        _attach_cause(exc, exc_cause)
        self._eof = True
        self._exception = exc
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    def feed_data(self, data: _T) -> None:
        """Append one item and wake the reader."""
        self._buffer.append(data)
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    def feed_eof(self) -> None:
        """Mark the end of the items and wake the reader."""
        self._eof = True
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    async def read(self) -> _T:
        """Return the next item; raise :exc:`EofStream` at EOF."""
        if not self._buffer and not self._eof:
            if self._waiter is not None:
                raise RuntimeError(
                    "read() called while another coroutine is already waiting "
                    "on this DataQueue; read from one coroutine at a time"
                )
            waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        if self._buffer:
            return self._buffer.popleft()
        if self._exception is not None:
            raise self._exception
        raise EofStream

    def __aiter__(self) -> _QueueIterator[_T]:
        return _QueueIterator(self)
