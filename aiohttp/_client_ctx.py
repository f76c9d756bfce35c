"""The objects session request methods return: awaitable context managers.

``session.get(url)`` gives a :class:`_RequestContextManager`: await it for the
response, or use it in ``async with`` to have the response released at the
end of the block. :func:`aiohttp.request` gives a
:class:`_SessionRequestContextManager`, which also closes its private session.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from ._client_response import ClientResponse

if TYPE_CHECKING:
    from .client import ClientSession

__all__ = ("_RequestContextManager", "_SessionRequestContextManager")

_RetType = TypeVar("_RetType")


class _BaseRequestContextManager(Coroutine[Any, Any, _RetType], Generic[_RetType]):
    """An awaitable coroutine wrapper that is also an async context manager."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, _RetType]) -> None:
        self._coro = coro

    def send(self, arg: None) -> Any:
        return self._coro.send(arg)

    def throw(self, *args: Any, **kwargs: Any) -> Any:
        return self._coro.throw(*args, **kwargs)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, _RetType]:
        return self._coro.__await__()

    def __iter__(self) -> Generator[Any, None, _RetType]:
        return self.__await__()


class _RequestContextManager(_BaseRequestContextManager[ClientResponse]):
    """``await`` it for the response, or ``async with`` it to release it after."""

    __slots__ = ()

    async def __aenter__(self) -> ClientResponse:
        self._resp: ClientResponse = await self._coro
        return await self._resp.__aenter__()

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self._resp.__aexit__(exc_type, exc, tb)


class _SessionRequestContextManager:
    """The context manager of :func:`request`: closes its private session too."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(
        self, coro: Coroutine[Any, Any, ClientResponse], session: ClientSession
    ) -> None:
        self._coro = coro
        self._resp: Optional[ClientResponse] = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        assert self._resp is not None
        self._resp.release()
        await self._resp.wait_for_close()
        await self._session.close()

    def __await__(self) -> Generator[Any, None, None]:
        self._coro.close()
        raise TypeError(
            "aiohttp.request() must be used as 'async with aiohttp.request(...) "
            "as resp:'; for 'await' use a ClientSession"
        )
