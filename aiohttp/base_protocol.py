"""Flow control shared by the server and client protocols.

Writing: the transport calls ``pause_writing``/``resume_writing`` around its
high-water mark; writers await :meth:`BaseProtocol._drain_helper` so a slow peer
makes the producer wait instead of buffering without bound.

Reading: a :class:`~aiohttp.streams.StreamReader` calls :meth:`pause_reading`
when its buffer passes its limit and :meth:`resume_reading` once drained.
"""

import asyncio
import threading
from typing import Final, Optional, cast

__all__ = (
    "FIRST_RECEIVE_BUFFER_SIZE",
    "RECEIVE_BUFFER_SIZE",
    "BaseProtocol",
    "receive_buffer",
)

#: The largest per-thread receive buffer (see receive_buffer()): asyncio's
#: own read size, so a large body takes as few reads as with recv().
RECEIVE_BUFFER_SIZE: Final = 2**18
#: The first one: most responses fit, and a fresh process (a test run, a
#: command-line tool) does not zero 256 KiB for its first small read.
FIRST_RECEIVE_BUFFER_SIZE: Final = 2**14
_receive_buffers = threading.local()


def receive_buffer(minimum: int = 0) -> memoryview:
    """This thread's receive buffer, for ``asyncio.BufferedProtocol.get_buffer``.

    Why: a plain ``asyncio.Protocol`` on asyncio's selector loop receives
    with ``sock.recv(256 KiB)``, a fresh 256 KiB ``bytes`` per read that is
    then shrunk to the bytes received. Above glibc's mmap threshold (128 KiB
    until the process frees a larger block) each read then costs an
    ``mmap``, an ``mremap`` and a ``munmap`` plus a page fault: more than the
    rest of a small keep-alive response. ``recv_into`` this buffer costs none
    of that.

    One buffer per thread, shared by every connection of the thread's event
    loop: a transport calls ``get_buffer()``, receives into it and calls
    ``buffer_updated()`` synchronously, one connection at a time, and
    ``buffer_updated()`` copies the bytes out before anything else runs.
    Per thread, not per module, because each thread may run its own loop.

    It starts at FIRST_RECEIVE_BUFFER_SIZE; a caller whose read filled the
    buffer asks for ``minimum=RECEIVE_BUFFER_SIZE`` and the thread's buffer
    is replaced by a larger one. A protocol still holding the smaller one
    may go on using it: a buffer is only used between those two calls.
    """
    view: Optional[memoryview] = getattr(_receive_buffers, "view", None)
    if view is None or len(view) < minimum:
        size = max(minimum, FIRST_RECEIVE_BUFFER_SIZE)
        view = _receive_buffers.view = memoryview(bytearray(size))
    return view


class BaseProtocol(asyncio.Protocol):
    __slots__ = (
        "_drain_waiter",
        "_loop",
        "_paused",
        "_reading_paused",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._paused = False
        self._drain_waiter: Optional[asyncio.Future[None]] = None
        self._reading_paused = False
        self.transport: Optional[asyncio.Transport] = None

    @property
    def writing_paused(self) -> bool:
        return self._paused

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            try:
                self.transport.pause_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                pass
            self._reading_paused = True

    def resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None:
            try:
                self.transport.resume_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                pass
            self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.transport = None
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(
                        ConnectionResetError("Connection lost")
                        if not isinstance(exc, ConnectionError)
                        else exc
                    )

    async def _drain_helper(self) -> None:
        """Wait until the transport accepts more data; raise if it is gone."""
        if self.transport is None:
            raise ConnectionResetError("Connection lost")
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        await asyncio.shield(waiter)
