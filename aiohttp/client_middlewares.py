"""Client middlewares: callables that wrap the sending of each request.

A middleware is ``async def mw(request, handler) -> ClientResponse``: it may
change the request, call ``await handler(request)`` (the next middleware, or
the session's send step) zero or more times, and look at or replace the
response. Middlewares run in the order given, the first outermost, and the
chain runs once per request sent: a redirect or a retry inside a middleware
goes through the whole chain again. Middlewares given to a request replace the
session's; ``middlewares=()`` on a request disables them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client_reqrep import ClientRequest, ClientResponse

__all__ = (
    "ClientHandlerType",
    "ClientMiddlewareType",
    "build_client_middlewares",
)

#: The handler a middleware calls to pass the request on.
ClientHandlerType = Callable[["ClientRequest"], Awaitable["ClientResponse"]]
#: A client middleware: ``(request, handler) -> response``.
ClientMiddlewareType = Callable[
    ["ClientRequest", ClientHandlerType], Awaitable["ClientResponse"]
]


def _bind(
    middleware: ClientMiddlewareType, handler: ClientHandlerType
) -> ClientHandlerType:
    async def call(request: ClientRequest) -> ClientResponse:
        return await middleware(request, handler)

    return call


def build_client_middlewares(
    handler: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """Wrap ``handler`` in ``middlewares``, the first one outermost."""
    for middleware in reversed(middlewares):
        if not callable(middleware):
            raise TypeError(
                f"middlewares must be callables "
                f"'async def mw(request, handler)', got {middleware!r}"
            )
        handler = _bind(middleware, handler)
    return handler
