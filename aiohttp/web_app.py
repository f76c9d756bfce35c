"""The web application: routes, middlewares, signals and shared state.

An :class:`Application` is configured (routes, middlewares, signal handlers,
state), then frozen when a runner starts it; from then on it only serves.
Each request is resolved by the router; the handler found is wrapped by the
middlewares of every application on the way (outermost application first).
That chain is built once per route and application stack and cached, not
rebuilt per request.
"""

import asyncio
import logging
import sys
import warnings
from collections.abc import (
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    MutableMapping,
)
from functools import partial
from types import FrameType
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Optional,
    TypeVar,
    Union,
    cast,
    overload,
)

from aiosignal import Signal
from frozenlist import FrozenList

from . import hdrs
from ._urldispatcher_base import AbstractResource, UrlMappingMatchInfo
from .abc import AbstractMatchInfo, AbstractRouter, AbstractStreamWriter
from .http_parser import RawRequestMessage
from .log import web_logger
from .streams import StreamReader
from .typedefs import Handler
from .web_request import Request
from .web_response import StreamResponse
from .web_urldispatcher import (
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlDispatcher,
)

if TYPE_CHECKING:
    from .web_protocol import RequestHandler
    from .web_routedef import AbstractRouteDef

__all__ = (
    "AppKey",
    "Application",
    "CleanupError",
    "NotAppKeyWarning",
    "RequestKey",
    "ResponseKey",
)

_T = TypeVar("_T")
_U = TypeVar("_U")
Middleware = Callable[[Request, Handler], Awaitable[StreamResponse]]
_AppSignal = Signal["Application"]
_PrepareSignal = Signal[Request, StreamResponse]
_CleanupCtx = Callable[["Application"], Any]
_Chain = Callable[[Request], Awaitable[StreamResponse]]


class NotAppKeyWarning(UserWarning):
    """A str key was used for application state; :class:`AppKey` is typed."""


class _TypedKey(Generic[_T]):
    """A typed key for dict-like state, so mypy knows the stored value's type.

    ``Key("db", Database)`` (or ``Key[Database]("db")``) names the value; the
    name is qualified with the defining module for ``repr()``.
    """

    __slots__ = ("__orig_class__", "_name", "_t")

    def __init__(self, name: str, t: Optional[type[_T]] = None) -> None:
        # The defining module is the caller's; ``Key[T]("name")`` goes through
        # typing's generic alias first, so skip its frames.
        frame: Optional[FrameType] = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__") == "typing":
            frame = frame.f_back
        module = "" if frame is None else frame.f_globals.get("__name__", "")
        self._name = name if module == "__main__" else f"{module}.{name}"
        self._t = t

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _TypedKey):
            return self._name < other._name
        return True  # keys of other types sort after typed keys

    def __repr__(self) -> str:
        t = self._t
        if t is None:
            orig = getattr(self, "__orig_class__", None)
            t_any: Any = getattr(orig, "__args__", ("<<Unknown>>",))[0]
        else:
            t_any = t
        if isinstance(t_any, type):
            type_name = t_any.__qualname__
            if t_any.__module__ not in ("builtins", "__main__"):
                type_name = f"{t_any.__module__}.{type_name}"
        else:
            type_name = str(t_any)
        return f"<{type(self).__name__}({self._name}, type={type_name})>"


class AppKey(_TypedKey[_T]):
    """A typed key for application state: ``app[db_key]`` is known to mypy."""

    __slots__ = ()


class RequestKey(_TypedKey[_T]):
    """A typed key for per-request state: ``request[user_key]`` (aiohttp 3.14)."""

    __slots__ = ()


class ResponseKey(_TypedKey[_T]):
    """A typed key for per-response state: ``response[key]`` (aiohttp 3.14)."""

    __slots__ = ()


class CleanupError(RuntimeError):
    """Several cleanup contexts failed; ``exceptions`` holds every error."""

    @property
    def exceptions(self) -> list[BaseException]:
        """The errors raised by the failing cleanup steps, in order."""
        return cast(list[BaseException], self.args[1])


class CleanupContext(FrozenList[_CleanupCtx]):
    """``app.cleanup_ctx``: async generators (or async context managers).

    The part before ``yield`` runs at startup in order, the part after it at
    cleanup in reverse order; every cleanup part runs even if one fails.
    """

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[Any] = []

    async def _on_startup(self, app: "Application") -> None:
        for factory in self:
            ctx = factory(app)
            if hasattr(ctx, "__aenter__"):
                await ctx.__aenter__()
                self._exits.append(ctx)
                continue
            if not hasattr(ctx, "__aiter__"):
                raise TypeError(
                    f"cleanup_ctx item {factory!r} returned {ctx!r}: it must be an "
                    "async generator function with exactly one 'yield'"
                )
            iterator = ctx.__aiter__()
            await iterator.__anext__()
            self._exits.append(iterator)

    async def _on_cleanup(self, app: "Application") -> None:
        errors: list[BaseException] = []
        for ctx in reversed(self._exits):
            try:
                if hasattr(ctx, "__aexit__"):
                    await ctx.__aexit__(None, None, None)
                    continue
                await ctx.__anext__()
            except StopAsyncIteration:
                continue
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
            else:
                errors.append(RuntimeError(f"{ctx!r} has more than one 'yield'"))
        self._exits.clear()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("Multiple errors on cleanup stage", errors)


def _fix_current_app(app: "Application") -> Middleware:
    # Makes request.app the application whose middleware (or handler) runs.
    async def set_current_app(request: Request, handler: Handler) -> StreamResponse:
        match_info = request.match_info
        previous = match_info.current_app
        match_info.current_app = app
        try:
            return cast(StreamResponse, await handler(request))
        finally:
            match_info.current_app = previous

    return set_current_app


class Application(MutableMapping[Union[str, AppKey[Any]], Any]):
    """A web application: a router, middlewares, signals and a state mapping."""

    def __init__(
        self,
        *,
        logger: logging.Logger = web_logger,
        router: Optional[UrlDispatcher] = None,
        middlewares: Iterable[Middleware] = (),
        handler_args: Optional[dict[str, Any]] = None,
        client_max_size: int = 1024**2,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        debug: Any = ...,
    ) -> None:
        if loop is not None:
            warnings.warn(
                "loop argument is deprecated: the application uses the running loop",
                DeprecationWarning,
                stacklevel=2,
            )
        if debug is not ...:
            warnings.warn(
                "debug argument is deprecated: use the event loop's debug mode",
                DeprecationWarning,
                stacklevel=2,
            )
        if router is None:
            router = UrlDispatcher()
        elif not isinstance(router, AbstractRouter):
            raise TypeError(f"router={router!r} must be an AbstractRouter instance")
        if isinstance(client_max_size, bool) or not isinstance(client_max_size, int):
            raise TypeError(
                f"client_max_size={client_max_size!r} must be an int (bytes)"
            )
        router.post_init(self)
        self._debug = bool(debug) if debug is not ... else False
        self._router = router
        self._loop = loop
        self._handler_args = dict(handler_args or {})
        self.logger = logger
        self._middlewares: FrozenList[Middleware] = FrozenList(middlewares)
        self._middlewares_handlers: tuple[Middleware, ...] = ()
        self._run_middlewares = True
        self._chains: dict[tuple[Any, tuple[Application, ...]], _Chain] = {}
        self._state: dict[Union[str, AppKey[Any]], Any] = {}
        self._frozen = False
        self._pre_frozen = False
        self._subapps: list[Application] = []
        self._on_response_prepare: _PrepareSignal = Signal(self)
        self._on_startup: _AppSignal = Signal(self)
        self._on_shutdown: _AppSignal = Signal(self)
        self._on_cleanup: _AppSignal = Signal(self)
        self._cleanup_ctx = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)
        self._client_max_size = client_max_size

    def __init_subclass__(cls) -> None:
        raise TypeError(
            f"Inheritance class {cls.__name__} from web.Application is forbidden: "
            "keep your state in the application (app[key] = value) instead"
        )

    # --- state -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: Union[str, AppKey[_T]]) -> Any:
        return self._state[key]

    def _check_frozen(self) -> None:
        if self._pre_frozen:
            warnings.warn(
                "Changing state of started or joined application is deprecated: "
                "store a mutable object (e.g. a dict) in the state before startup",
                DeprecationWarning,
                stacklevel=3,
            )

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: Union[str, AppKey[_T]], value: Any) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(
                "It is recommended to use web.AppKey instances for keys.\n"
                "https://docs.aiohttp.org/en/stable/web_advanced.html"
                "#application-s-config",
                category=NotAppKeyWarning,
                stacklevel=2,
            )
        self._state[key] = value

    def __delitem__(self, key: Union[str, AppKey[_T]]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[Union[str, AppKey[Any]]]:
        return iter(self._state)

    def __bool__(self) -> bool:
        return True

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: None = ...) -> Optional[_T]: ...

    @overload
    def get(self, key: AppKey[_T], default: _U) -> Union[_T, _U]: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: Union[str, AppKey[_T]], default: Any = None) -> Any:
        """The state value for *key*, or *default*."""
        return self._state.get(key, default)

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __call__(self) -> "Application":
        """Return the application itself (gunicorn calls the app factory)."""
        return self

    # --- properties ------------------------------------------------------

    @property
    def debug(self) -> bool:
        """Whether debug mode was requested (deprecated ``debug=`` argument)."""
        return self._debug

    @property
    def frozen(self) -> bool:
        """Whether the application started (and can no longer be changed)."""
        return self._frozen

    @property
    def pre_frozen(self) -> bool:
        """Whether routes, middlewares and signals are frozen (joined or started)."""
        return self._pre_frozen

    @property
    def router(self) -> UrlDispatcher:
        """The application's router."""
        return self._router

    @property
    def middlewares(self) -> FrozenList[Middleware]:
        """The middlewares, outermost first (a list frozen at startup)."""
        return self._middlewares

    @property
    def on_response_prepare(self) -> _PrepareSignal:
        """Sent ``(request, response)`` just before a response's headers go out."""
        return self._on_response_prepare

    @property
    def on_startup(self) -> _AppSignal:
        """Sent ``(app)`` when the application starts."""
        return self._on_startup

    @property
    def on_shutdown(self) -> _AppSignal:
        """Sent ``(app)`` when the server stops accepting connections."""
        return self._on_shutdown

    @property
    def on_cleanup(self) -> _AppSignal:
        """Sent ``(app)`` after the server closed its connections."""
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext:
        """Async generators run half at startup, half at cleanup."""
        return self._cleanup_ctx

    # --- composition -----------------------------------------------------

    def add_subapp(self, prefix: str, subapp: "Application") -> PrefixedSubAppResource:
        """Serve *subapp* under the path *prefix* (e.g. ``/admin``)."""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix={prefix!r} must be a str such as '/admin'")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError(
                "Prefix cannot be empty: a sub-application needs a path such as "
                "'/admin' (use add_routes() to merge routes at the root)"
            )
        factory = partial(PrefixedSubAppResource, prefix, subapp)
        return cast(PrefixedSubAppResource, self._add_subapp(factory, subapp))

    def add_domain(self, domain: str, subapp: "Application") -> MatchedSubAppResource:
        """Serve *subapp* for requests whose Host is *domain* (``*`` masks)."""
        if not isinstance(domain, str):
            raise TypeError(f"domain={domain!r} must be a str such as 'example.com'")
        rule = MaskDomain(domain) if "*" in domain else Domain(domain)
        factory = partial(MatchedSubAppResource, rule, subapp)
        return cast(MatchedSubAppResource, self._add_subapp(factory, subapp))

    def _add_subapp(
        self, factory: Callable[[], AbstractResource], subapp: "Application"
    ) -> AbstractResource:
        if not isinstance(subapp, Application):
            raise TypeError(f"subapp={subapp!r} must be a web.Application")
        if self._frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp._frozen:
            raise RuntimeError(
                f"Cannot add frozen application {subapp!r}: a started application "
                "cannot become a sub-application"
            )
        if subapp is self:
            raise ValueError("An application cannot be its own sub-application")
        resource = factory()
        self._router.register_resource(resource)
        for name in ("on_startup", "on_shutdown", "on_cleanup"):
            getattr(self, name).append(partial(_send_to_subapp, name, subapp))
        self._subapps.append(subapp)
        subapp.pre_freeze()
        return resource

    def add_routes(self, routes: Iterable["AbstractRouteDef"]) -> list[Any]:
        """Register route definitions; shortcut for ``app.router.add_routes``."""
        return self._router.add_routes(routes)

    # --- lifecycle -------------------------------------------------------

    def pre_freeze(self) -> None:
        """Freeze routes, middlewares and signals (state stays writable)."""
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        for signal in (
            self._on_response_prepare,
            self._on_startup,
            self._on_shutdown,
            self._on_cleanup,
        ):
            signal.freeze()
        self._cleanup_ctx.freeze()
        self._middlewares_handlers = (_fix_current_app(self), *self._middlewares)
        # With no middleware anywhere the handler is called directly.
        self._run_middlewares = bool(self._middlewares)
        for subapp in self._subapps:
            subapp.pre_freeze()
            self._run_middlewares = self._run_middlewares or subapp._run_middlewares

    def freeze(self) -> None:
        """Freeze everything; the runner calls this when the app starts."""
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()

    async def startup(self) -> None:
        """Send :attr:`on_startup` (sub-applications' handlers run too)."""
        await self.on_startup.send(self)

    async def shutdown(self) -> None:
        """Send :attr:`on_shutdown`."""
        await self.on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Send :attr:`on_cleanup` (cleanup contexts exit here)."""
        if self.on_cleanup.frozen:
            await self.on_cleanup.send(self)
        else:  # never started: only the cleanup contexts may hold resources
            await self._cleanup_ctx._on_cleanup(self)

    # --- serving ---------------------------------------------------------

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: "RequestHandler",
        writer: AbstractStreamWriter,
        task: "asyncio.Task[None]",
        _cls: type[Request] = Request,
    ) -> Request:
        # The protocol's loop is the running one; asking asyncio for it again
        # on every request would cost a call. The limit is set afterwards: a
        # call with only positional arguments takes CPython's faster path.
        request = _cls(message, payload, protocol, writer, task, protocol._loop)
        request._client_max_size = self._client_max_size
        return request

    def _chain(self, match_info: AbstractMatchInfo) -> _Chain:
        """The handler wrapped by the middlewares of every app of the match."""
        handler = match_info.handler
        apps = match_info.apps
        cacheable = match_info.http_exception is None
        key = (getattr(match_info, "route", handler), apps)
        if cacheable:
            chain = self._chains.get(key)
            if chain is not None:
                return chain
        chain = handler
        # Innermost application first, so the outermost app's first
        # middleware ends up outermost.
        for app in reversed(apps):
            for middleware in reversed(app._middlewares_handlers):
                chain = partial(cast(Any, middleware), handler=chain)
        if cacheable:
            self._chains[key] = chain
        return chain

    async def _handle(self, request: Request) -> StreamResponse:
        """Route *request* and run its handler through the middlewares."""
        match_info = await self._router.resolve(request)
        if type(match_info) is UrlMappingMatchInfo:  # the router's own: one call
            handler = match_info._enter(self)
        else:
            match_info.add_app(self)
            match_info.freeze()
            handler = match_info.handler
        request._match_info = match_info
        if request.headers.get(hdrs.EXPECT):
            response = await match_info.expect_handler(request)
            await request.writer.drain()
            if response is not None:
                return response
        if self._run_middlewares:
            return await self._chain(match_info)(request)
        return await handler(request)


async def _send_to_subapp(name: str, subapp: Application, app: Application) -> None:
    # The parent's signal forwards to the sub-application's own signal.
    await getattr(subapp, name).send(subapp)
