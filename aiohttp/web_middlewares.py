"""Middleware helpers: the ``@middleware`` marker and path normalisation.

A middleware is ``async def mw(request, handler) -> StreamResponse``: it may
answer by itself or ``await handler(request)`` and adjust the response.
"""

import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from ._urldispatcher_base import SystemRoute
from .typedefs import Handler
from .web_exceptions import HTTPMove, HTTPPermanentRedirect
from .web_request import Request
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_app import Middleware

__all__ = ("middleware", "normalize_path_middleware")

_Func = TypeVar("_Func")
_SLASHES_RE = re.compile(r"//+")
_LEADING_SLASHES_RE = re.compile(r"^//+")


def middleware(f: _Func) -> _Func:
    """Mark *f* as a ``(request, handler)`` middleware (the only kind today).

    Kept so code written for aiohttp 3.x reads the same; it changes nothing
    but an attribute.
    """
    f.__middleware_version__ = 1  # type: ignore[attr-defined]
    return f


async def _resolves(request: Request, path: str) -> bool:
    """Whether the application would route *path* (same method, same app)."""
    alt_request = request.clone(rel_url=path)
    match_info = await request.app.router.resolve(alt_request)
    return match_info.http_exception is None


def _candidates(
    path: str, has_slash: bool, append: bool, remove: bool, merge: bool
) -> list[str]:
    """The normalised paths to try, in aiohttp's order of preference."""
    paths: list[str] = []
    if merge:
        paths.append(_SLASHES_RE.sub("/", path))
    if append and not has_slash:
        paths.append(path + "/")
    if remove and has_slash:
        paths.append(path[:-1])
    if merge and append:
        paths.append(_SLASHES_RE.sub("/", path + "/"))
    if merge and remove:
        paths.append(_SLASHES_RE.sub("/", path)[:-1])
    # A path beginning with "//" would be read as a host by the redirect's
    # recipient: an open redirect.
    return [_LEADING_SLASHES_RE.sub("/", p) for p in paths if p]


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> "Middleware":
    """A middleware redirecting unrouted paths to a normalised form that routes.

    It adds a trailing slash (*append_slash*) or removes it (*remove_slash*)
    and collapses ``//`` (*merge_slashes*); it redirects only when the new path
    resolves, so real 404s stay 404s.
    """
    if append_slash and remove_slash:
        raise ValueError(
            "Cannot both remove and append slash: pass append_slash=False "
            "with remove_slash=True"
        )

    @middleware
    async def impl(request: Request, handler: Handler) -> StreamResponse:
        if isinstance(request.match_info.route, SystemRoute):
            path, sep, query = request.raw_path.partition("?")
            has_slash = request.path.endswith("/")
            for candidate in _candidates(
                path, has_slash, append_slash, remove_slash, merge_slashes
            ):
                if candidate != path and await _resolves(request, candidate):
                    raise redirect_class(candidate + sep + query)
        response: Awaitable[StreamResponse] = handler(request)
        return await response

    return impl
