"""The :class:`Connection` a connector lends to one request at a time."""

import asyncio
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ._client_base import ConnectionKey
from .client_proto import ResponseHandler

if TYPE_CHECKING:
    from ._connector_base import BaseConnector

__all__ = ("Connection",)


class Connection:
    """One connection lent by a connector to a request.

    Give it back with :meth:`release` (it returns to the pool if the protocol
    allows) or :meth:`close` (it is closed). A connection garbage-collected
    without either triggers a ResourceWarning.
    """

    __slots__ = (
        "__weakref__",
        "_callbacks",
        "_connector",
        "_key",
        "_loop",
        "_protocol",
        "_source_traceback",
    )

    def __init__(
        self,
        connector: "BaseConnector",
        key: ConnectionKey,
        protocol: ResponseHandler,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._key = key
        self._connector = connector
        self._loop = loop
        self._protocol: Optional[ResponseHandler] = protocol
        self._callbacks: list[Callable[[], None]] = []
        self._source_traceback = (
            traceback.extract_stack(sys._getframe(1)) if loop.get_debug() else None
        )

    def __repr__(self) -> str:
        return f"Connection<{self._key}>"

    def __del__(self, _warnings: Any = warnings) -> None:
        if self._protocol is None:
            return
        _warnings.warn(f"Unclosed connection {self!r}", ResourceWarning, source=self)
        if self._loop.is_closed():
            return
        self._connector._release(self._key, self._protocol, should_close=True)
        context: dict[str, Any] = {
            "client_connection": self,
            "message": "Unclosed connection",
        }
        if self._source_traceback is not None:
            context["source_traceback"] = self._source_traceback
        self._loop.call_exception_handler(context)

    def __bool__(self) -> bool:
        # A connection is always truthy, whatever its state.
        return True

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def key(self) -> ConnectionKey:
        """The pool key this connection belongs to."""
        return self._key

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        """The transport, or None once released or closed."""
        return None if self._protocol is None else self._protocol.transport

    @property
    def protocol(self) -> Optional[ResponseHandler]:
        """The protocol, or None once released or closed."""
        return self._protocol

    @property
    def closed(self) -> bool:
        """True once released/closed, or when the peer has gone."""
        return self._protocol is None or not self._protocol.is_connected()

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Call *callback* when the connection is released or closed."""
        if callback is not None:
            self._callbacks.append(callback)

    def _notify_release(self) -> None:
        callbacks = self._callbacks
        if not callbacks:
            return
        self._callbacks = []
        for callback in callbacks:
            try:  # contextlib.suppress(Exception), without its overhead
                callback()
            except Exception:
                pass

    def close(self) -> None:
        """Close the connection (it will not be reused)."""
        self._notify_release()
        protocol = self._protocol
        if protocol is not None:
            self._protocol = None
            self._connector._release(self._key, protocol, should_close=True)

    def release(self) -> None:
        """Give the connection back: pooled if reusable, otherwise closed."""
        self._notify_release()
        protocol = self._protocol
        if protocol is not None:
            self._protocol = None
            # _release consults protocol.should_close itself.
            self._connector._release(self._key, protocol)

    def detach(self) -> None:
        """Take the connection out of the pool's books without closing it."""
        self._notify_release()
        protocol = self._protocol
        if protocol is not None:
            self._protocol = None
            self._connector._drop_acquired(self._key, protocol)
