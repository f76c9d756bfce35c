"""Route definitions: routes described now, registered into a router later.

``web.get("/", handler)`` and friends build :class:`RouteDef` values
(Django-style tables); :class:`RouteTableDef` collects them through
decorators (Flask style).  ``router.add_routes(defs)`` registers either.
"""

import abc
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Union, overload

from . import hdrs
from ._urldispatcher_base import check_route_path
from .abc import AbstractView
from .typedefs import Handler, PathLike

if TYPE_CHECKING:
    from .web_urldispatcher import AbstractRoute, UrlDispatcher

__all__ = (
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
)

_HandlerType = Union[type[AbstractView], Handler]
_HandlerT = TypeVar("_HandlerT", bound=_HandlerType)


class AbstractRouteDef(abc.ABC):
    """Something that can register itself into a :class:`UrlDispatcher`."""

    @abc.abstractmethod
    def register(self, router: "UrlDispatcher") -> list["AbstractRoute"]:
        """Register into *router*; return the routes added."""


def _kwargs_repr(kwargs: dict[str, Any]) -> str:
    return "".join(f", {key}={value!r}" for key, value in sorted(kwargs.items()))


@dataclasses.dataclass(frozen=True, repr=False)
class RouteDef(AbstractRouteDef):
    """A route not registered yet: method, path, handler and extra arguments."""

    method: str
    path: str
    handler: _HandlerType
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        name = getattr(self.handler, "__name__", None) or repr(self.handler)
        return (
            f"<RouteDef {self.method} {self.path} -> {name!r}"
            f"{_kwargs_repr(self.kwargs)}>"
        )

    def register(self, router: "UrlDispatcher") -> list["AbstractRoute"]:
        # The router's add_get() (HEAD too), add_post()... when it has one.
        if self.method in hdrs.METH_ALL:
            add = getattr(router, "add_" + self.method.lower(), None)
            if add is not None:
                return [add(self.path, self.handler, **self.kwargs)]
        return [router.add_route(self.method, self.path, self.handler, **self.kwargs)]


@dataclasses.dataclass(frozen=True, repr=False)
class StaticDef(AbstractRouteDef):
    """A static-files resource not registered yet (see ``add_static``)."""

    prefix: str
    path: PathLike
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_kwargs_repr(self.kwargs)}>"

    def register(self, router: "UrlDispatcher") -> list["AbstractRoute"]:
        resource = router.add_static(self.prefix, self.path, **self.kwargs)
        return list(resource)


def route(method: str, path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A route for *method* (``*``: any method); see ``UrlDispatcher.add_route``."""
    check_route_path(path)
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A HEAD route definition."""
    return route(hdrs.METH_HEAD, path, handler, **kwargs)


def options(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """An OPTIONS route definition."""
    return route(hdrs.METH_OPTIONS, path, handler, **kwargs)


def get(
    path: str,
    handler: _HandlerType,
    *,
    name: Union[str, None] = None,
    allow_head: bool = True,
    **kwargs: Any,
) -> RouteDef:
    """A GET route definition (answering HEAD too unless *allow_head* is false)."""
    return route(
        hdrs.METH_GET, path, handler, name=name, allow_head=allow_head, **kwargs
    )


def post(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A POST route definition."""
    return route(hdrs.METH_POST, path, handler, **kwargs)


def put(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A PUT route definition."""
    return route(hdrs.METH_PUT, path, handler, **kwargs)


def patch(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A PATCH route definition."""
    return route(hdrs.METH_PATCH, path, handler, **kwargs)


def delete(path: str, handler: _HandlerType, **kwargs: Any) -> RouteDef:
    """A DELETE route definition."""
    return route(hdrs.METH_DELETE, path, handler, **kwargs)


def view(path: str, handler: type[AbstractView], **kwargs: Any) -> RouteDef:
    """A class-based view definition, serving every method."""
    return route(hdrs.METH_ANY, path, handler, **kwargs)


def static(prefix: str, path: PathLike, **kwargs: Any) -> StaticDef:
    """A static-files definition; see ``UrlDispatcher.add_static``."""
    check_route_path(prefix, "prefix")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path={path!r} must be a directory as str or Path")
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """A list of route definitions filled by decorators::

    routes = web.RouteTableDef()

    @routes.get("/")
    async def index(request): ...

    app.router.add_routes(routes)
    """

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...

    @overload
    def __getitem__(self, index: slice) -> list[AbstractRouteDef]: ...

    def __getitem__(
        self, index: Union[int, slice]
    ) -> Union[AbstractRouteDef, list[AbstractRouteDef]]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def route(
        self, method: str, path: str, **kwargs: Any
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator: register the function (or View) for *method* on *path*."""
        check_route_path(path)

        def inner(handler: _HandlerT) -> _HandlerT:
            self._items.append(RouteDef(method, path, handler, kwargs))
            return handler

        return inner

    def head(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a HEAD handler."""
        return self.route(hdrs.METH_HEAD, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a GET handler (HEAD too unless ``allow_head=False``)."""
        return self.route(hdrs.METH_GET, path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a POST handler."""
        return self.route(hdrs.METH_POST, path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a PUT handler."""
        return self.route(hdrs.METH_PUT, path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a PATCH handler."""
        return self.route(hdrs.METH_PATCH, path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a DELETE handler."""
        return self.route(hdrs.METH_DELETE, path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for an OPTIONS handler."""
        return self.route(hdrs.METH_OPTIONS, path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorator for a class-based view (every method)."""
        return self.route(hdrs.METH_ANY, path, **kwargs)

    def static(self, prefix: str, path: PathLike, **kwargs: Any) -> None:
        """Add a static-files definition; see ``UrlDispatcher.add_static``."""
        self._items.append(static(prefix, path, **kwargs))
