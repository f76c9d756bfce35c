"""Abstract base classes for the pluggable parts of aiohttp.

Routers, match infos, class-based views, cookie jars, resolvers, stream writers
and access loggers can be replaced by user code; these classes fix the methods
the rest of the package calls on them. The ``web_*`` types used in annotations
are imported for type checking only, so this module stays at the bottom of the
import graph and the wire layer may import it.
"""

import asyncio
import logging
import socket
from abc import ABC, abstractmethod
from collections.abc import (
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
    Sized,
)
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from typing import TYPE_CHECKING, Any, Optional, TypedDict, Union

from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from .web_app import Application
    from .web_exceptions import HTTPException
    from .web_request import BaseRequest, Request
    from .web_response import StreamResponse

__all__ = (
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AbstractCookieJar",
    "AbstractMatchInfo",
    "AbstractResolver",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
    "ClearCookiePredicate",
    "ResolveResult",
)

# What a cookie jar accepts from a response: the same shapes aiohttp's
# ``typedefs.LooseCookies`` allows (a mapping, pairs, or a parsed cookie).
_CookieValue = Union[str, "BaseCookie[str]", "Morsel[Any]"]
_LooseCookies = Union[
    Mapping[str, _CookieValue],
    Iterable[tuple[str, _CookieValue]],
    "BaseCookie[str]",
]

ClearCookiePredicate = Callable[["Morsel[str]"], bool]

# The default response URL of update_cookies(): empty means "shared cookie".
_NO_URL = URL()


class AbstractRouter(ABC):
    """A router: maps a request to the :class:`AbstractMatchInfo` that handles it.

    ``web.Application(router=...)`` accepts any subclass; only :meth:`resolve`
    is mandatory.
    """

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: "Application") -> None:  # noqa: B027 (optional hook)
        """Let the router see the application that owns it; does nothing here.

        Not abstract, so routers written before this hook existed still work.
        """

    @property
    def frozen(self) -> bool:
        """Whether :meth:`freeze` was called (routes may no longer change)."""
        return self._frozen

    def freeze(self) -> None:
        """Forbid further changes; the application calls this on startup."""
        self._frozen = True

    @abstractmethod
    async def resolve(self, request: "Request") -> "AbstractMatchInfo":
        """Return the match info for *request* (its ``match_info`` is unset)."""


class AbstractMatchInfo(ABC):
    """The result of routing: the handler to call, or the HTTP error to raise."""

    __slots__ = ()

    @property
    @abstractmethod
    def handler(self) -> Callable[["Request"], Awaitable["StreamResponse"]]:
        """The web handler for the request; it raises :attr:`http_exception`
        when routing failed."""

    @property
    @abstractmethod
    def expect_handler(
        self,
    ) -> Callable[["Request"], Awaitable[Optional["StreamResponse"]]]:
        """The handler that answers ``Expect: 100-continue`` before the body."""

    @property
    @abstractmethod
    def http_exception(self) -> Optional["HTTPException"]:
        """The 404/405 exception when nothing matched, otherwise ``None``."""

    @abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Describe the matched resource (path, formatter, ...) as a dict."""

    @property
    @abstractmethod
    def apps(self) -> tuple["Application", ...]:
        """The applications the match went through, innermost first."""

    @abstractmethod
    def add_app(self, app: "Application") -> None:
        """Record *app* as one of the applications the match went through."""

    @abstractmethod
    def freeze(self) -> None:
        """Forbid further :meth:`add_app` calls."""


class AbstractView(ABC):
    """Base of class-based views: built with the request, then awaited."""

    def __init__(self, request: "Request") -> None:
        self._request = request

    @property
    def request(self) -> "Request":
        """The request this view instance serves."""
        return self._request

    @abstractmethod
    def __await__(self) -> Generator[Any, None, "StreamResponse"]:
        """Handle the request and produce the response."""


class ResolveResult(TypedDict):
    """One address a resolver found for a host name, ready for ``connect()``."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """Base of DNS resolvers used by the client's TCP connector."""

    @abstractmethod
    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,
    ) -> list[ResolveResult]:
        """Return the addresses of *host* for *port* in the given *family*."""

    @abstractmethod
    async def close(self) -> None:
        """Release what the resolver holds (sockets, threads, channels)."""


class AbstractCookieJar(Sized, Iterable["Morsel[str]"]):
    """Base of client cookie storage: sized, iterable over its morsels."""

    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError(
                    f"{type(self).__name__} needs an event loop: create it inside "
                    "a coroutine, or pass loop=<the loop it will be used on>"
                ) from None
        self._loop = loop

    @property
    @abstractmethod
    def quote_cookie(self) -> bool:
        """Whether cookie values are quoted when sent."""

    @abstractmethod
    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Remove every cookie, or only those for which *predicate* is true."""

    @abstractmethod
    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of *domain* and of its subdomains."""

    @abstractmethod
    def update_cookies(
        self, cookies: _LooseCookies, response_url: URL = _NO_URL
    ) -> None:
        """Store *cookies* received from *response_url* (empty URL: shared)."""

    def update_cookies_from_headers(
        self, headers: Sequence[str], response_url: URL
    ) -> None:
        """Parse raw ``Set-Cookie`` header values and store the cookies."""
        cookies = _parse_set_cookie_headers(headers)
        if cookies:
            self.update_cookies(cookies, response_url)

    @abstractmethod
    def filter_cookies(self, request_url: URL) -> "BaseCookie[str]":
        """Return the cookies to send in a request to *request_url*."""


# Set-Cookie attributes http.cookies.Morsel can hold (RFC 6265 section 5.2);
# any other attribute is ignored, as the RFC asks.
_FLAG_ATTRIBUTES = frozenset({"secure", "httponly"})
_VALUE_ATTRIBUTES = frozenset({"expires", "max-age", "domain", "path", "samesite"})
_VALUE_DECODER: "SimpleCookie" = SimpleCookie()


def _parse_set_cookie_headers(
    headers: Sequence[str],
) -> list[tuple[str, "Morsel[str]"]]:
    # Each header holds one cookie, parsed on its own so a malformed header
    # cannot drop the others. (SimpleCookie.load() would read an unknown
    # attribute such as "Foo=bar" as a second cookie.)
    pairs: list[tuple[str, Morsel[str]]] = []
    for header in headers:
        pair, _, attributes = header.partition(";")
        name, equals, raw_value = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            continue
        morsel: Morsel[str] = Morsel()
        value, coded_value = _VALUE_DECODER.value_decode(raw_value.strip())
        try:
            morsel.set(name, value, coded_value)
        except CookieError:  # a name http.cookies cannot represent
            continue
        for attribute in attributes.split(";"):
            key, equals, attribute_value = attribute.partition("=")
            key = key.strip().lower()
            if key in _FLAG_ATTRIBUTES:
                morsel[key] = True
            elif key in _VALUE_ATTRIBUTES and equals:
                morsel[key] = attribute_value.strip()
        pairs.append((name, morsel))
    return pairs


class AbstractStreamWriter(ABC):
    """Base of HTTP body writers: the response and the client write through it."""

    buffer_size: int = 0
    output_size: int = 0
    length: Optional[int] = 0

    @abstractmethod
    async def write(self, chunk: Union[bytes, bytearray, memoryview]) -> None:
        """Write one chunk of the body."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk and finish the message."""

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport accepts more data."""

    @abstractmethod
    def enable_compression(
        self, encoding: str = "deflate", strategy: Optional[int] = None
    ) -> None:
        """Compress the body with *encoding* (``deflate``, ``gzip``, ...)."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body with chunked transfer coding."""

    @abstractmethod
    async def write_headers(
        self, status_line: str, headers: "CIMultiDict[str]"
    ) -> None:
        """Write (or buffer) the status line and the headers."""

    def send_headers(self) -> None:  # noqa: B027 (optional hook)
        """Flush headers that :meth:`write_headers` buffered; no-op by default.

        Writers that send the headers at once need not override it.
        """


class AbstractAccessLogger(ABC):
    """Base of synchronous access loggers, built as ``cls(logger, log_format)``."""

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(
        self, request: "BaseRequest", response: "StreamResponse", time: float
    ) -> None:
        """Record one served request; *time* is how long it took, in seconds."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` would record anything.

        Always true here; subclasses override it so the server can skip
        gathering the details when logging is off.
        """
        return True


class AbstractAsyncAccessLogger(ABC):
    """Base of access loggers that await I/O; built with no arguments."""

    __slots__ = ()

    @abstractmethod
    async def log(
        self,
        request: "BaseRequest",
        response: "StreamResponse",
        request_start: float,
    ) -> None:
        """Record one served request that started at loop time *request_start*."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` would record anything; always true here."""
        return True
