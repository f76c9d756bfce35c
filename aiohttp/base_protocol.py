"""Flow control shared by the server and client protocols.

Writing: the transport calls ``pause_writing``/``resume_writing`` around its
high-water mark; writers await :meth:`BaseProtocol._drain_helper` so a slow peer
makes the producer wait instead of buffering without bound.

Reading: a :class:`~aiohttp.streams.StreamReader` calls :meth:`pause_reading`
when its buffer passes its limit and :meth:`resume_reading` once drained.
"""

import asyncio
from typing import Optional, cast

__all__ = ("BaseProtocol",)


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
