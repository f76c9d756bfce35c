"""Resources of the router: plain and variable paths, prefixes, sub-applications.

Every resource matches against ``request.rel_url.path_safe`` (see
``_urldispatcher_base``) and tells the router which fixed path prefix to
index it under, so resolving a request is a few dict look-ups rather than a
scan of every registered pattern.
"""

import abc
import re
from collections.abc import Iterator
from re import Pattern
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from yarl import URL

from . import hdrs
from ._urldispatcher_base import (
    AbstractResource,
    AbstractRoute,
    ExpectHandler,
    ResourceRoute,
    UrlMappingMatchInfo,
    check_method,
    check_route_path,
    normalize_path,
    quote_path_value,
    requote_path,
    unquote_path_value,
)
from .abc import AbstractView
from .typedefs import Handler
from .web_exceptions import HTTPMethodNotAllowed

# What url_for(query=...) accepts: whatever URL.with_query() does.
_Query = Any

if TYPE_CHECKING:
    from .web_app import Application
    from .web_request import Request

__all__ = (
    "AbstractRuleMatching",
    "Domain",
    "DynamicResource",
    "MaskDomain",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Resource",
)

_VAR_NAME_RE = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_DEFAULT_VAR_RE = r"[^{}/]+"
_NO_METHODS: frozenset[str] = frozenset()


def check_prefix(prefix: str) -> str:
    """Validate a prefix handed to ``add_prefix`` and return it normalized."""
    if not isinstance(prefix, str) or not prefix.startswith("/") or prefix == "/":
        raise ValueError(
            f"prefix={prefix!r} must start with '/' and name a path, e.g. '/admin'"
        )
    if prefix.endswith("/"):
        raise ValueError(f"prefix={prefix!r} must not end with '/': use '/admin'")
    return normalize_path(prefix)


class Resource(AbstractResource):
    """A resource with routes of its own, one per HTTP method (or ``*``)."""

    def __init__(self, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        self._routes: dict[str, ResourceRoute] = {}
        self._any_route: Optional[ResourceRoute] = None
        self._allowed_methods: set[str] = set()
        self._frozen = False

    def add_route(
        self,
        method: str,
        handler: Union[Handler, type[AbstractView]],
        *,
        expect_handler: Optional[ExpectHandler] = None,
    ) -> ResourceRoute:
        """Add a route for *method* (case-insensitive, ``*`` for any method)."""
        method = check_method(method)
        if method in self._routes or self._any_route is not None:
            taken = method if method in self._routes else hdrs.METH_ANY
            raise RuntimeError(
                f"Added route will never be executed: method {taken} is already "
                f"registered on {self!r}; register each method of a path once"
            )
        route = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        self.register_route(route)
        return route

    def register_route(self, route: ResourceRoute) -> None:
        """Attach an already built :class:`ResourceRoute` to the resource."""
        if not isinstance(route, ResourceRoute):
            raise TypeError(f"route={route!r} must be a ResourceRoute instance")
        if self._frozen:
            raise RuntimeError(
                f"Cannot add a route to {self!r}: the router is frozen (routes "
                "must be added before the application starts)"
            )
        if route.method == hdrs.METH_ANY:
            self._any_route = route
        self._routes[route.method] = route
        self._allowed_methods.add(route.method)

    def freeze(self) -> None:
        self._frozen = True

    @abc.abstractmethod
    def _match(self, path: str) -> Optional[dict[str, str]]:
        """The values captured from *path*, or ``None`` when it does not match."""

    def _resolve_sync(
        self, method: str, path: str
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        # The router calls this directly (no coroutine per candidate); the
        # returned set is the resource's own and must not be mutated.
        match_dict = self._match(path)
        if match_dict is None:
            return None, cast(set[str], _NO_METHODS)
        route = self._routes.get(method, self._any_route)
        if route is None:
            return None, self._allowed_methods
        return UrlMappingMatchInfo(match_dict, route), self._allowed_methods

    async def resolve(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        match_info, allowed = self._resolve_sync(
            request.method, request.rel_url.path_safe
        )
        return match_info, set(allowed)

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())

    def _repr_name(self) -> str:
        return f"'{self.name}' " if self.name is not None else ""


class PlainResource(Resource):
    """A resource for one fixed path, e.g. ``/path/to``."""

    def __init__(self, path: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        check_route_path(path)
        self._canonical = path  # as given, for display
        self._path = normalize_path(path)  # as matched

    @property
    def canonical(self) -> str:
        return self._canonical

    def add_prefix(self, prefix: str) -> None:
        normalized = check_prefix(prefix)
        self._canonical = prefix + self._canonical
        self._path = normalized + self._path

    def _match(self, path: str) -> Optional[dict[str, str]]:
        return {} if path == self._path else None

    def raw_match(self, path: str) -> bool:
        return normalize_path(path) == self._path

    def get_info(self) -> dict[str, Any]:
        return {"path": self._canonical}

    def url_for(self, *, query: "_Query" = None) -> URL:  # type: ignore[override]
        """The resource's URL, with *query* (anything ``URL.with_query`` takes)."""
        url = URL.build(path=requote_path(self._path), encoded=True)
        return url if query is None else url.with_query(query)

    def _index_key(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"<PlainResource {self._repr_name()}{self._canonical}>"


def _split_dynamic(path: str) -> list[tuple[str, Optional[str], str]]:
    """Split a route path into (literal, variable name or None, regex) parts."""
    parts: list[tuple[str, Optional[str], str]] = []
    pos = 0
    while pos < len(path):
        start = path.find("{", pos)
        stray = path.find("}", pos)
        if stray != -1 and (start == -1 or stray < start):
            raise ValueError(
                f"Invalid path {path!r}: unbalanced '}}' at offset {stray}; "
                "variables are written {name} or {name:regex}"
            )
        if start == -1:
            parts.append((path[pos:], None, ""))
            break
        end = _closing_brace(path, start)
        name, sep, regex = path[start + 1 : end].partition(":")
        if not _VAR_NAME_RE.fullmatch(name) or (sep and not regex):
            raise ValueError(
                f"Invalid path {path!r}: bad variable {path[start : end + 1]!r}; "
                "write {name} or {name:regex} with an identifier as the name"
            )
        parts.append((path[pos:start], name, regex or _DEFAULT_VAR_RE))
        pos = end + 1
    return parts


def _closing_brace(path: str, start: int) -> int:
    depth = 0
    pos = start
    while pos < len(path):
        char = path[pos]
        if char == "\\":  # an escaped character of a regex, e.g. \{
            pos += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    raise ValueError(
        f"Invalid path {path!r}: the '{{' at offset {start} is never closed; "
        "variables are written {name} or {name:regex}"
    )


class DynamicResource(Resource):
    """A resource whose path has variable parts: ``/users/{id}``, ``{id:\\d+}``.

    A variable without a regex matches one path segment (``[^{}/]+``).
    """

    def __init__(self, path: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        check_route_path(path)
        self._orig_path = path
        parts = _split_dynamic(path)
        pattern, formatter, raw_formatter = "", "", ""
        for literal, var, regex in parts:
            normalized = normalize_path("/" + literal)[1:]
            pattern += re.escape(normalized)
            formatter += literal
            raw_formatter += requote_path(normalized)
            if var is not None:
                pattern += f"(?P<{var}>{regex})"
                formatter += f"{{{var}}}"
                raw_formatter += f"{{{var}}}"
        try:
            self._pattern = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"Bad pattern {pattern!r} for path {path!r}: {exc}")
        self._formatter = formatter
        self._raw_formatter = raw_formatter
        # Index under the whole segments before the first variable.
        head = normalize_path("/" + parts[0][0])[1:] if parts else ""
        self._key = head.rpartition("/")[0] or "/"

    @property
    def canonical(self) -> str:
        return self._formatter

    def add_prefix(self, prefix: str) -> None:
        normalized = check_prefix(prefix)
        self._pattern = re.compile(re.escape(normalized) + self._pattern.pattern)
        self._formatter = prefix + self._formatter
        self._raw_formatter = requote_path(normalized) + self._raw_formatter
        self._key = normalized + (self._key if self._key != "/" else "")

    def _match(self, path: str) -> Optional[dict[str, str]]:
        match = self._pattern.fullmatch(path)
        if match is None:
            return None
        values = match.groupdict("")  # an unmatched optional group gives ""
        if "%" not in path:
            return values  # no value has anything left to decode
        return {key: unquote_path_value(value) for key, value in values.items()}

    def raw_match(self, path: str) -> bool:
        return path == self._orig_path

    def get_info(self) -> dict[str, Any]:
        return {"formatter": self._formatter, "pattern": self._pattern}

    def url_for(self, **parts: Any) -> URL:  # type: ignore[override]
        """The URL with each ``{name}`` replaced by ``parts[name]``, quoted.

        ``query=`` adds a query string (anything ``URL.with_query`` takes),
        unless the path itself has a ``{query}`` variable, which it then fills.
        """
        query: _Query = None
        if "query" in parts and "query" not in self._pattern.groupindex:
            query = parts.pop("query")
        values: dict[str, str] = {}
        for key, value in parts.items():
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise TypeError(f"url_for() part {key}={value!r} must be a str")
            values[key] = quote_path_value(value)
        try:
            path = self._raw_formatter.format_map(values)
        except KeyError as exc:
            raise KeyError(
                f"url_for() of {self!r} needs a value for {exc.args[0]!r}"
            ) from None
        url = URL.build(path=path, encoded=True)
        return url if query is None else url.with_query(query)

    def _index_key(self) -> str:
        return self._key

    def __repr__(self) -> str:
        return f"<DynamicResource {self._repr_name()}{self._formatter}>"


class PrefixResource(AbstractResource):
    """A resource owning every path under a prefix (static files, sub-apps)."""

    def __init__(self, prefix: str, *, name: Optional[str] = None) -> None:
        check_route_path(prefix, "prefix")
        super().__init__(name=name)
        self._prefix = normalize_path(prefix.rstrip("/"))
        self._prefix2 = self._prefix + "/"

    @property
    def canonical(self) -> str:
        return self._prefix

    def add_prefix(self, prefix: str) -> None:
        self._prefix = check_prefix(prefix) + self._prefix
        self._prefix2 = self._prefix + "/"

    def raw_match(self, prefix: str) -> bool:
        return False

    def _matches(self, path: str) -> bool:
        return path == self._prefix or path.startswith(self._prefix2)

    def _index_key(self) -> Optional[str]:
        return self._prefix or "/"


class PrefixedSubAppResource(PrefixResource):
    """The resource :meth:`Application.add_subapp` registers for a sub-app.

    The sub-application's resources get the prefix prepended, so its router
    resolves full paths and its ``url_for`` results include the prefix.
    """

    def __init__(self, prefix: str, app: "Application") -> None:
        super().__init__(prefix)
        if not self._prefix:
            raise ValueError(
                f"prefix={prefix!r} cannot be empty or '/' for a sub-application: "
                "use a path such as '/admin'"
            )
        self._app = app
        self._add_prefix_to_resources(self._prefix)

    def add_prefix(self, prefix: str) -> None:
        super().add_prefix(prefix)
        self._add_prefix_to_resources(prefix)

    def _add_prefix_to_resources(self, prefix: str) -> None:
        router = self._app.router
        for resource in getattr(router, "resources", tuple)():
            resource.add_prefix(prefix)
        # The sub-app's router indexes its resources by path: re-index.
        invalidate = getattr(router, "_invalidate_index", None)
        if invalidate is not None:
            invalidate()

    def url_for(self, *args: str, **kwargs: str) -> URL:
        raise RuntimeError(
            ".url_for() is not supported by a sub-application root: build the "
            "URL from the sub-application's router, e.g. subapp.router[name]"
        )

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "prefix": self._prefix}

    async def resolve(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        if not self._matches(request.rel_url.path_safe):
            return None, set()
        return await self._resolve_in_app(request)

    async def _resolve_in_app(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        exception = match_info.http_exception
        methods: set[str] = set()
        if isinstance(exception, HTTPMethodNotAllowed):
            methods = set(exception.allowed_methods)
        return match_info, methods

    def _routes(self) -> list[AbstractRoute]:
        routes = getattr(self._app.router, "routes", None)
        return list(routes()) if routes is not None else []

    def __len__(self) -> int:
        return len(self._routes())

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes())

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


class AbstractRuleMatching(abc.ABC):
    """A rule a request must satisfy to enter a :class:`MatchedSubAppResource`."""

    @abc.abstractmethod
    async def match(self, request: "Request") -> bool:
        """Whether *request* satisfies the rule."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Describe the rule."""

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The rule's canonical text (the domain or its regex)."""


class Domain(AbstractRuleMatching):
    """Matches requests whose ``Host`` header is exactly one domain."""

    re_part = re.compile(r"(?!-)[a-z\d-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        super().__init__()
        self._domain = self.validation(domain)

    @property
    def canonical(self) -> str:
        return self._domain

    def validation(self, domain: str) -> str:
        """Check *domain* and return it lower-cased, ``host`` or ``host:port``."""
        if not isinstance(domain, str):
            raise TypeError(f"domain={domain!r} must be a str such as 'example.com'")
        domain = domain.rstrip(".").lower()
        if not domain:
            raise ValueError("domain cannot be empty: pass e.g. 'example.com'")
        if "://" in domain:
            raise ValueError(
                f"domain={domain!r} must not include a scheme: pass 'example.com'"
            )
        url = URL("http://" + domain)
        host = url.raw_host
        if (
            not host
            or url.raw_path not in ("", "/")
            or not all(self.re_part.fullmatch(part) for part in host.split("."))
        ):
            raise ValueError(
                f"domain={domain!r} is not a valid domain: use labels of letters, "
                "digits and '-' separated by dots, optionally with ':port'"
            )
        return host if url.port == 80 else f"{host}:{url.port}"

    async def match(self, request: "Request") -> bool:
        host = request.headers.get(hdrs.HOST)
        return bool(host) and self.match_domain(cast(str, host))

    def match_domain(self, host: str) -> bool:
        """Whether *host* (a ``Host`` header value) is this domain."""
        return host.lower() == self._domain

    def get_info(self) -> dict[str, Any]:
        return {"domain": self._domain}


class MaskDomain(Domain):
    """Matches ``Host`` against a mask where ``*`` stands for any text."""

    re_part = re.compile(r"(?!-)[a-z\d\*-]{1,63}(?<!-)")

    def __init__(self, domain: str) -> None:
        super().__init__(domain)
        mask = ".*".join(re.escape(piece) for piece in self._domain.split("*"))
        self._mask: Pattern[str] = re.compile(mask)

    @property
    def canonical(self) -> str:
        return self._mask.pattern

    def match_domain(self, host: str) -> bool:
        return self._mask.fullmatch(host.lower()) is not None


class MatchedSubAppResource(PrefixedSubAppResource):
    """The resource :meth:`Application.add_domain` registers: a rule + sub-app."""

    def __init__(self, rule: AbstractRuleMatching, app: "Application") -> None:
        # No path prefix: the rule alone decides, on every path.
        PrefixResource.__init__(self, "")
        self._app = app
        self._rule = rule

    @property
    def canonical(self) -> str:
        return self._rule.canonical

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "rule": self._rule}

    async def resolve(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        if not await self._rule.match(request):
            return None, set()
        return await self._resolve_in_app(request)

    def _index_key(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"
