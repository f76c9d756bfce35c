"""Building blocks of the router: path quoting, match infos, routes, resources.

The router matches resources against ``request.rel_url.path_safe``: the path
with every percent-escape decoded except ``%2F`` and ``%25``, so an encoded
slash inside a segment never acts as a separator.  Values captured from the
path are then decoded the rest of the way (``%2F`` to ``/``, ``%25`` to ``%``).
Route paths given by the user are brought to the same form when they are
registered, so ``/café`` and ``/caf%C3%A9`` name the same resource.
"""

import abc
import inspect
import os
import re
import sys
import warnings
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Optional, Union, cast
from urllib.parse import quote

from yarl import URL

from . import hdrs
from ._http_version import HttpVersion11
from .abc import AbstractMatchInfo, AbstractView
from .typedefs import Handler
from .web_exceptions import HTTPException, HTTPExpectationFailed

if TYPE_CHECKING:
    from .web_app import Application
    from .web_request import Request
    from .web_response import StreamResponse

__all__ = (
    "AbstractResource",
    "AbstractRoute",
    "ExpectHandler",
    "MatchInfoError",
    "ResourceRoute",
    "SystemRoute",
    "UrlMappingMatchInfo",
)

ExpectHandler = Callable[["Request"], Awaitable[Optional["StreamResponse"]]]
_WebHandler = Callable[["Request"], Awaitable["StreamResponse"]]

# RFC 9110 5.6.2: a method is a token; "*" is the router's any-method wildcard.
_METHOD_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 3986 pchar minus the percent sign (handled separately), plus "/".
_PATH_SAFE_CHARS = "!$&'()*+,;=:@/~"
_LONE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SAFE_ESCAPE_RE = re.compile(r"%2[Ff5]")
_SAFE_ESCAPES = {"%2F": "/", "%2f": "/", "%25": "%"}


def requote_path(path: str) -> str:
    """Percent-encode *path* for a URL, keeping escapes it already holds.

    A ``%`` that does not start a valid escape is encoded as ``%25``.
    """
    return quote(_LONE_PERCENT_RE.sub("%25", path), safe=_PATH_SAFE_CHARS + "%")


def quote_path_value(value: str) -> str:
    """Percent-encode a decoded value (a URL part) for use inside a path.

    ``%`` always becomes ``%25``; ``/`` stays a separator, as in aiohttp.
    """
    return quote(value, safe=_PATH_SAFE_CHARS)


def normalize_path(path: str) -> str:
    """Bring a route path to the form the router matches against.

    That form is yarl's ``path_safe``: escapes decoded except ``%2F``/``%25``.
    """
    if not path:
        return path
    return URL.build(path=requote_path(path), encoded=True).path_safe


def unquote_path_value(value: str) -> str:
    """Finish decoding a value captured from a ``path_safe`` path."""
    if "%" not in value:
        return value
    return _SAFE_ESCAPE_RE.sub(lambda m: _SAFE_ESCAPES[m.group(0)], value)


def check_method(method: str) -> str:
    """Return *method* upper-cased, or raise ValueError if it is no HTTP token."""
    if not isinstance(method, str):
        raise TypeError(f"method={method!r} must be a str such as 'GET' or '*'")
    if not _METHOD_RE.fullmatch(method):
        raise ValueError(
            f"method={method!r} is not a valid HTTP method: use a token such as "
            "'GET', 'POST' or '*' for any method"
        )
    return method.upper()


async def _default_expect_handler(request: "Request") -> None:
    """Answer ``Expect: 100-continue`` on HTTP/1.1; refuse any other expectation."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version != HttpVersion11:
        return
    if expect.lower() != "100-continue":
        raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
    send_continue = getattr(request.writer, "send_continue", None)
    if send_continue is not None:
        send_continue()
    else:  # a foreign writer: put the interim response on the wire ourselves
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")


def _is_async_callable(handler: Any) -> bool:
    if inspect.iscoroutinefunction(handler):
        return True
    # An instance whose __call__ is a coroutine function is async too.
    call = getattr(type(handler), "__call__", None)  # noqa: B004
    return call is not None and inspect.iscoroutinefunction(call)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_stacklevel() -> int:
    """The warnings stacklevel of the first frame outside the aiohttp package.

    Routes are added through several layers (add_get, add_route, a RouteDef),
    so a fixed stacklevel would blame a different file for each entry point.
    """
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    return level


def _wrap_sync_handler(handler: Callable[..., Any]) -> _WebHandler:
    # aiohttp 3.x still accepts plain functions (with a DeprecationWarning):
    # the result is awaited when the function returned an awaitable.
    warnings.warn(
        f"Bare functions are deprecated, use async ones: {handler!r} is not a "
        "coroutine function; define it with 'async def'",
        DeprecationWarning,
        stacklevel=_user_stacklevel(),
    )

    async def handler_wrapper(request: "Request") -> "StreamResponse":
        result = handler(request)
        if inspect.isawaitable(result):
            result = await result
        return cast("StreamResponse", result)

    return handler_wrapper


class UrlMappingMatchInfo(dict[str, str], AbstractMatchInfo):
    """The result of a successful resolve: the matched route plus path values.

    As a dict it holds the values captured from the path (``{"name": "x"}``).
    """

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: dict[str, str], route: "AbstractRoute") -> None:
        if match_dict:  # a plain path captures nothing: skip the call
            dict.update(self, match_dict)
        self._route = route
        # A tuple, outermost app first: apps hands it out as it is, and
        # add_app() (once per app, per request) builds a new one.
        self._apps: tuple[Application, ...] = ()
        self._current_app: Optional[Application] = None
        self._frozen = False

    @property
    def handler(self) -> _WebHandler:
        """The web handler of the matched route."""
        return self._route.handler

    @property
    def route(self) -> "AbstractRoute":
        """The matched route."""
        return self._route

    @property
    def expect_handler(self) -> ExpectHandler:
        """The coroutine answering an ``Expect`` header for the matched route."""
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> Optional[HTTPException]:
        """Always ``None``: the request was routed."""
        return None

    def get_info(self) -> dict[str, Any]:
        """The matched resource's description (see ``AbstractResource.get_info``)."""
        return self._route.get_info()

    @property
    def apps(self) -> tuple["Application", ...]:
        """The applications the match went through, outermost first."""
        return self._apps

    def add_app(self, app: "Application") -> None:
        """Record *app* as the enclosing application of those added before."""
        if self._frozen:
            raise RuntimeError(
                "Cannot change the apps stack after MatchInfo.freeze() was called"
            )
        if self._current_app is None:
            self._current_app = app
        self._apps = (app, *self._apps)

    @property
    def current_app(self) -> "Application":
        """The application whose middleware or handler is running now."""
        app = self._current_app
        if app is None:
            raise RuntimeError("No application was added to this match info yet")
        return app

    @current_app.setter
    def current_app(self, app: "Application") -> None:
        if app not in self._apps:
            raise ValueError(
                f"current_app must be one of the match's apps {self._apps!r}, "
                f"got {app!r}"
            )
        self._current_app = app

    @contextmanager
    def set_current_app(self, app: "Application") -> Generator[None, None, None]:
        """Make *app* the current application inside the ``with`` block."""
        previous = self._current_app
        self.current_app = app
        try:
            yield
        finally:
            self._current_app = previous

    def freeze(self) -> None:
        """Forbid further :meth:`add_app` calls."""
        self._frozen = True

    def _enter(self, app: "Application") -> _WebHandler:
        """``add_app(app)``, ``freeze()`` and ``handler`` in one call.

        What the outermost application does with the router's result, on
        every request.
        """
        self.add_app(app)
        self._frozen = True
        return self._route.handler

    def __repr__(self) -> str:
        return f"<MatchInfo {super().__repr__()}: {self._route}>"


class MatchInfoError(UrlMappingMatchInfo):
    """The match info of an unrouted request: its handler raises the error."""

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(self._exception))

    @property
    def http_exception(self) -> HTTPException:
        """The 404 or 405 error the handler raises."""
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"


class AbstractRoute(abc.ABC):
    """A handler bound to one HTTP method (or ``*``) of a resource."""

    def __init__(
        self,
        method: str,
        handler: Union[Handler, type[AbstractView]],
        *,
        expect_handler: Optional[ExpectHandler] = None,
        resource: Optional["AbstractResource"] = None,
    ) -> None:
        self._method = check_method(method)
        self._handler = self._check_handler(handler)
        if expect_handler is None:
            expect_handler = _default_expect_handler
        elif not _is_async_callable(expect_handler):
            raise TypeError(
                f"expect_handler={expect_handler!r} must be a coroutine function "
                "(async def expect_handler(request): ...)"
            )
        self._expect_handler = expect_handler
        self._resource = resource

    @staticmethod
    def _check_handler(handler: Any) -> Handler:
        if isinstance(handler, type):
            if issubclass(handler, AbstractView):
                return cast(Handler, handler)
            raise TypeError(
                f"handler={handler!r} is a class but not a web.View subclass: "
                "derive it from aiohttp.web.View or pass a coroutine function"
            )
        if not callable(handler):
            raise TypeError(
                f"handler={handler!r} is not callable: pass a coroutine function "
                "(async def handler(request): ...) or a web.View subclass"
            )
        if _is_async_callable(handler):
            return cast(Handler, handler)
        return _wrap_sync_handler(handler)

    @property
    def method(self) -> str:
        """The HTTP method the route serves, upper-cased, or ``*``."""
        return self._method

    @property
    def handler(self) -> Handler:
        """The web handler (a coroutine function or a ``View`` class)."""
        return self._handler

    @property
    @abc.abstractmethod
    def name(self) -> Optional[str]:
        """The route's name: its resource's name, or ``None``."""

    @property
    def resource(self) -> Optional["AbstractResource"]:
        """The resource holding the route (``None`` for a ``SystemRoute``)."""
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Describe the route (by default its resource's description)."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Build a URL for the route (its resource's ``url_for``)."""

    async def handle_expect_header(
        self, request: "Request"
    ) -> Optional["StreamResponse"]:
        """Run the route's expect handler for a request carrying ``Expect``."""
        return await self._expect_handler(request)


class ResourceRoute(AbstractRoute):
    """A route of a :class:`Resource`: method plus handler."""

    def __init__(
        self,
        method: str,
        handler: Union[Handler, type[AbstractView]],
        resource: "AbstractResource",
        *,
        expect_handler: Optional[ExpectHandler] = None,
    ) -> None:
        super().__init__(
            method, handler, expect_handler=expect_handler, resource=resource
        )

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self.method}] {self._resource} -> {self.handler!r}>"

    @property
    def name(self) -> Optional[str]:
        assert self._resource is not None
        return self._resource.name

    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Build a URL with the resource's ``url_for``."""
        assert self._resource is not None
        return self._resource.url_for(*args, **kwargs)

    def get_info(self) -> dict[str, Any]:
        assert self._resource is not None
        return self._resource.get_info()


class SystemRoute(AbstractRoute):
    """The route of an unrouted request; its handler raises the HTTP error."""

    def __init__(self, http_exception: HTTPException) -> None:
        super().__init__(hdrs.METH_ANY, self._handle)
        self._http_exception = http_exception

    def url_for(self, *args: str, **kwargs: str) -> URL:
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    @property
    def name(self) -> None:
        return None

    def get_info(self) -> dict[str, Any]:
        return {"http_exception": self._http_exception}

    async def _handle(self, request: "Request") -> "StreamResponse":
        raise self._http_exception

    @property
    def status(self) -> int:
        """The HTTP status code of the error."""
        return self._http_exception.status

    @property
    def reason(self) -> str:
        """The HTTP reason phrase of the error."""
        return self._http_exception.reason

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"


class AbstractResource(Sized, Iterable[AbstractRoute]):
    """An entry of the routing table: a path (pattern) and its routes.

    ``len(resource)`` counts its routes and iterating yields them.
    """

    def __init__(self, *, name: Optional[str] = None) -> None:
        self._name = name

    @property
    def name(self) -> Optional[str]:
        """The resource's name, or ``None``."""
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The path the resource was registered with, e.g. ``/path/{to}``."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Build a URL for the resource."""

    @abc.abstractmethod
    async def resolve(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        """Return (match info or ``None``, methods the path allows)."""

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Prepend *prefix* (``/sub``) to the resource's path."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Describe the resource, e.g. ``{"path": "/path/to"}``."""

    def freeze(self) -> None:
        """Called when the router freezes; resources may stop changing then."""

    @abc.abstractmethod
    def raw_match(self, path: str) -> bool:
        """Whether the resource was registered with exactly *path*."""

    @abc.abstractmethod
    def __iter__(self) -> Iterator[AbstractRoute]:
        """Iterate over the resource's routes."""

    def _index_key(self) -> Optional[str]:
        """The fixed path prefix the router indexes the resource under.

        Every path the resource matches must be this key, or start with the
        key followed by ``/``.  ``None`` means "try on every request, after
        the indexed resources" (e.g. domain-matched sub-applications).  The
        default derives the key from :attr:`canonical`, as aiohttp does for
        custom resources.
        """
        key = self.canonical
        if "{" in key:
            key = key.partition("{")[0].rpartition("/")[0]
        return key.rstrip("/") or "/"


def check_route_path(path: str, argument: str = "path") -> None:
    """Raise a clear error unless *path* is a str that is empty or starts with /."""
    if not isinstance(path, str):
        raise TypeError(f"{argument}={path!r} must be a str such as '/users'")
    if path and not path.startswith("/"):
        raise ValueError(
            f"{argument}={path!r} must start with '/' (or be empty for the "
            f"root of a sub-application): use '/{path}'"
        )
