"""The default router of ``aiohttp.web``: :class:`UrlDispatcher` and its parts.

Resources are indexed by the fixed path prefix they live under (a plain
resource by its whole path, ``/users/{id}`` under ``/users``, a static or
sub-application resource under its prefix).  Resolving ``/a/b/c`` looks up
``/a/b/c``, ``/a/b``, ``/a`` and ``/`` in that dict, trying the resources
of each key in registration order, so fixed paths win over variable ones and
the cost does not grow with the number of routes.  Domain-matched
sub-applications are tried last, in order.

Resources, routes and match infos live in ``_urldispatcher_*`` modules and
are re-exported here, their public home.
"""

import keyword
import re
from collections.abc import (
    Callable,
    Container,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sized,
)
from collections.abc import (
    Set as AbstractSet,
)
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn, Optional, Union

from . import hdrs
from ._urldispatcher_base import (
    AbstractResource,
    AbstractRoute,
    ExpectHandler,
    MatchInfoError,
    ResourceRoute,
    SystemRoute,
    UrlMappingMatchInfo,
    check_route_path,
)
from ._urldispatcher_resources import (
    _NO_METHODS,
    AbstractRuleMatching,
    Domain,
    DynamicResource,
    MaskDomain,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    PrefixResource,
    Resource,
)
from ._urldispatcher_static import DEFAULT_CHUNK_SIZE, StaticResource
from .abc import AbstractRouter, AbstractView
from .typedefs import Handler, PathLike
from .web_exceptions import HTTPMethodNotAllowed, HTTPNotFound

if TYPE_CHECKING:
    from .web_request import Request
    from .web_response import StreamResponse
    from .web_routedef import AbstractRouteDef

__all__ = (
    "AbstractResource",
    "AbstractRoute",
    "AbstractRuleMatching",
    "Domain",
    "DynamicResource",
    "MaskDomain",
    "MatchInfoError",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Resource",
    "ResourceRoute",
    "ResourcesView",
    "RoutesView",
    "StaticResource",
    "SystemRoute",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
)

_FROZEN_MESSAGE = (
    "Cannot register a resource into frozen router. Add every route before "
    "the application starts (or before it is passed to add_subapp())."
)
_FastResolve = Callable[[str, str], tuple[Optional[UrlMappingMatchInfo], set[str]]]
_Candidate = tuple[AbstractResource, Optional[_FastResolve]]
# Resources whose resolve() is exactly _resolve_sync() wrapped in a coroutine:
# the router calls the synchronous method and skips a coroutine per candidate.
_SYNC_RESOLVES = (Resource.resolve, StaticResource.resolve)


class ResourcesView(Sized, Iterable[AbstractResource], Container[AbstractResource]):
    """A read-only view of the router's resources: len, iteration, ``in``."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        yield from self._resources

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Sized, Iterable[AbstractRoute], Container[AbstractRoute]):
    """A read-only view of every route of every resource, in order."""

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes = [route for resource in resources for route in resource]

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        yield from self._routes

    def __contains__(self, route: object) -> bool:
        return route in self._routes


class UrlDispatcher(AbstractRouter, Mapping[str, AbstractResource]):
    """The URL-matching router; as a mapping it gives named resources by name."""

    NAME_SPLIT_RE = re.compile(r"[.:-]")

    def __init__(self) -> None:
        super().__init__()
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._index: Optional[dict[str, tuple[_Candidate, ...]]] = None
        self._unindexed: tuple[_Candidate, ...] = ()

    async def resolve(self, request: "Request") -> UrlMappingMatchInfo:
        """Find the route for *request*; never raises.

        No match gives a :class:`MatchInfoError` carrying ``HTTPNotFound``,
        or ``HTTPMethodNotAllowed`` (with the ``Allow`` methods) when the
        path matched but not the method.
        """
        index = self._index if self._index is not None else self._build_index()
        method = request.method
        path = request.rel_url.path_safe
        # The methods of resources whose path matched but whose method did
        # not, made only for a request that gets that far (a 405 or a 404).
        allowed: AbstractSet[str] = _NO_METHODS
        part = path
        while part:
            for resource, fast in index.get(part, ()):
                if fast is not None:
                    match_info, methods = fast(method, path)
                else:
                    match_info, methods = await resource.resolve(request)
                if match_info is not None:
                    return match_info
                allowed = allowed | methods
            if part == "/":
                break
            part = part.rpartition("/")[0] or "/"
        for resource, _ in self._unindexed:
            match_info, methods = await resource.resolve(request)
            if match_info is not None:
                return match_info
            allowed = allowed | methods
        if allowed:
            return MatchInfoError(HTTPMethodNotAllowed(method, allowed))
        return MatchInfoError(HTTPNotFound())

    def _build_index(self) -> dict[str, tuple[_Candidate, ...]]:
        index: dict[str, list[_Candidate]] = {}
        unindexed: list[_Candidate] = []
        for resource in self._resources:
            fast: Optional[_FastResolve] = None
            if type(resource).resolve in _SYNC_RESOLVES:
                fast = getattr(resource, "_resolve_sync", None)
            key = resource._index_key()
            if key is None:
                unindexed.append((resource, fast))
            else:
                index.setdefault(key, []).append((resource, fast))
        self._unindexed = tuple(unindexed)
        self._index = {key: tuple(items) for key, items in index.items()}
        return self._index

    def _invalidate_index(self) -> None:
        # Resources changed (registered, or re-prefixed by add_subapp()).
        self._index = None

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._named_resources

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def resources(self) -> ResourcesView:
        """Every registered resource, in registration order."""
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        """Every route of every resource."""
        return RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        """A read-only mapping of resource names to named resources."""
        return MappingProxyType(self._named_resources)

    def register_resource(self, resource: AbstractResource) -> None:
        """Append *resource* (any :class:`AbstractResource`) to the table."""
        if not isinstance(resource, AbstractResource):
            raise TypeError(
                f"resource={resource!r} must be an AbstractResource instance"
            )
        if self.frozen:
            raise RuntimeError(_FROZEN_MESSAGE)
        name = resource.name
        if name is not None:
            self._check_name(name)
            self._named_resources[name] = resource
        self._resources.append(resource)
        self._index = None

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name={name!r} must be a str such as 'user.detail'")
        for part in self.NAME_SPLIT_RE.split(name):
            if keyword.iskeyword(part):
                problem = f"{part!r} is a Python keyword"
            elif not part.isidentifier():
                problem = f"{part!r} is not a Python identifier"
            else:
                continue
            raise ValueError(
                f"Incorrect route name {name!r}: {problem}; a route name is "
                "identifiers joined by '.', ':' or '-', e.g. 'user.detail'"
            )
        if name in self._named_resources:
            raise ValueError(
                f"Duplicate route name {name!r}, already used by "
                f"{self._named_resources[name]!r}: give each resource its own name"
            )

    def add_resource(self, path: str, *, name: Optional[str] = None) -> Resource:
        """Append a resource for *path* (``/a/b`` or ``/a/{var}``) and return it.

        The last resource is reused when it has the same path and name, so
        consecutive routes of one path share a resource.
        """
        check_route_path(path)
        if self.frozen:
            raise RuntimeError(_FROZEN_MESSAGE)
        if self._resources:
            last = self._resources[-1]
            same_name = last.name == name
            if isinstance(last, Resource) and same_name and last.raw_match(path):
                return last
        resource: Resource
        if "{" in path or "}" in path:
            resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        self.register_resource(resource)
        return resource

    def add_route(
        self,
        method: str,
        path: str,
        handler: Union[Handler, type[AbstractView]],
        *,
        name: Optional[str] = None,
        expect_handler: Optional[ExpectHandler] = None,
    ) -> AbstractRoute:
        """Add *handler* for *method* (``*``: any) on *path*; return the route."""
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_head(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("HEAD", path, handler, ...)``."""
        return self.add_route(hdrs.METH_HEAD, path, handler, **kwargs)

    def add_options(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("OPTIONS", path, handler, ...)``."""
        return self.add_route(hdrs.METH_OPTIONS, path, handler, **kwargs)

    def add_get(
        self,
        path: str,
        handler: Handler,
        *,
        name: Optional[str] = None,
        allow_head: bool = True,
        **kwargs: Any,
    ) -> AbstractRoute:
        """Add a GET route; with *allow_head* the handler answers HEAD too."""
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route(hdrs.METH_HEAD, handler, **kwargs)
        return resource.add_route(hdrs.METH_GET, handler, **kwargs)

    def add_post(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("POST", path, handler, ...)``."""
        return self.add_route(hdrs.METH_POST, path, handler, **kwargs)

    def add_put(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("PUT", path, handler, ...)``."""
        return self.add_route(hdrs.METH_PUT, path, handler, **kwargs)

    def add_patch(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("PATCH", path, handler, ...)``."""
        return self.add_route(hdrs.METH_PATCH, path, handler, **kwargs)

    def add_delete(self, path: str, handler: Handler, **kwargs: Any) -> AbstractRoute:
        """Shortcut for ``add_route("DELETE", path, handler, ...)``."""
        return self.add_route(hdrs.METH_DELETE, path, handler, **kwargs)

    def add_view(
        self, path: str, handler: type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a class-based view (a :class:`View` subclass) for every method."""
        return self.add_route(hdrs.METH_ANY, path, handler, **kwargs)

    def add_static(
        self,
        prefix: str,
        path: PathLike,
        *,
        name: Optional[str] = None,
        expect_handler: Optional[ExpectHandler] = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> StaticResource:
        """Serve the files of directory *path* under URL *prefix*.

        Meant for development; put a reverse proxy in front in production.
        """
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"prefix={prefix!r} must start with '/', e.g. '/static'")
        if self.frozen:
            raise RuntimeError(_FROZEN_MESSAGE)
        resource = StaticResource(
            prefix,
            path,
            name=name,
            expect_handler=expect_handler,
            chunk_size=chunk_size,
            show_index=show_index,
            follow_symlinks=follow_symlinks,
            append_version=append_version,
        )
        self.register_resource(resource)
        return resource

    def add_routes(self, routes: Iterable["AbstractRouteDef"]) -> list[AbstractRoute]:
        """Register route definitions (``web.get(...)``, a ``RouteTableDef``)."""
        registered: list[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered

    def freeze(self) -> None:
        """Forbid changes and build the lookup index once, for serving."""
        super().freeze()
        for resource in self._resources:
            resource.freeze()
        self._build_index()


class View(AbstractView):
    """Base of class-based views: ``get()``, ``post()``... serve their method.

    A request whose method has no coroutine on the class gets 405, with the
    methods the class does define in ``Allow``.
    """

    async def _iter(self) -> "StreamResponse":
        method = self.request.method
        handler = (
            getattr(self, method.lower(), None) if method in hdrs.METH_ALL else None
        )
        if handler is None:
            self._raise_allowed_methods()
        response: StreamResponse = await handler()
        return response

    def __await__(self) -> Generator[Any, None, "StreamResponse"]:
        return self._iter().__await__()

    def _raise_allowed_methods(self) -> NoReturn:
        allowed = {meth for meth in hdrs.METH_ALL if hasattr(self, meth.lower())}
        raise HTTPMethodNotAllowed(self.request.method, allowed)
