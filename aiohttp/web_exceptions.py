"""HTTP status codes as exceptions a handler can raise (``aiohttp.web_exceptions``).

As in aiohttp 3.x, every exception here is also a :class:`~aiohttp.web.Response`:
``raise web.HTTPNotFound()`` in a handler and the server sends the exception
itself as the response. Returning one instead of raising it still works but is
deprecated (aiohttp #2415); the server, not this module, warns about that.

Each concrete class fixes :attr:`HTTPException.status_code`; the category
classes (:class:`HTTPSuccessful`, :class:`HTTPRedirection`, :class:`HTTPError`,
:class:`HTTPClientError`, :class:`HTTPServerError`, :class:`HTTPMove`) have no
status of their own and exist to be caught, so instantiating them is an error.
"""

import sys
import warnings
from collections.abc import Iterable
from typing import Any, ClassVar, Optional

from yarl import URL

from . import hdrs
from .typedefs import LooseHeaders, StrOrURL
from .web_response import Response

__all__ = (
    "HTTPException",
    "HTTPError",
    "HTTPRedirection",
    "HTTPSuccessful",
    "HTTPOk",
    "HTTPCreated",
    "HTTPAccepted",
    "HTTPNonAuthoritativeInformation",
    "HTTPNoContent",
    "HTTPResetContent",
    "HTTPPartialContent",
    "HTTPMove",
    "HTTPMultipleChoices",
    "HTTPMovedPermanently",
    "HTTPFound",
    "HTTPSeeOther",
    "HTTPNotModified",
    "HTTPUseProxy",
    "HTTPTemporaryRedirect",
    "HTTPPermanentRedirect",
    "HTTPClientError",
    "HTTPBadRequest",
    "HTTPUnauthorized",
    "HTTPPaymentRequired",
    "HTTPForbidden",
    "HTTPNotFound",
    "HTTPMethodNotAllowed",
    "HTTPNotAcceptable",
    "HTTPProxyAuthenticationRequired",
    "HTTPRequestTimeout",
    "HTTPConflict",
    "HTTPGone",
    "HTTPLengthRequired",
    "HTTPPreconditionFailed",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestURITooLong",
    "HTTPUnsupportedMediaType",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPExpectationFailed",
    "HTTPMisdirectedRequest",
    "HTTPUnprocessableEntity",
    "HTTPFailedDependency",
    "HTTPUpgradeRequired",
    "HTTPPreconditionRequired",
    "HTTPTooManyRequests",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPUnavailableForLegalReasons",
    "HTTPServerError",
    "HTTPInternalServerError",
    "HTTPNotImplemented",
    "HTTPBadGateway",
    "HTTPServiceUnavailable",
    "HTTPGatewayTimeout",
    "HTTPVersionNotSupported",
    "HTTPVariantAlsoNegotiates",
    "HTTPInsufficientStorage",
    "HTTPNotExtended",
    "HTTPNetworkAuthenticationRequired",
)

# The status_code of classes that stand for a category, not a status.
_NO_STATUS = -1


def _caller_stacklevel() -> int:
    """The warnings stacklevel of the first frame outside this module.

    Subclasses here call ``HTTPException.__init__`` through ``super()``, so a
    fixed stacklevel would blame this file instead of the code that passed
    ``body=`` (and the default filters would then hide the warning).
    """
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    return level


class HTTPException(Response, Exception):
    """Base of all HTTP exceptions: an :class:`Exception` that is also a response.

    Without ``text`` (and without the deprecated ``body``) the body is plain
    text such as ``"404: Not Found"``, except for classes whose status forbids
    a body (:attr:`empty_body`).
    """

    status_code: ClassVar[int] = _NO_STATUS
    empty_body: ClassVar[bool] = False

    def __init__(
        self,
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: Any = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        cls = type(self)
        if cls.status_code == _NO_STATUS:
            raise TypeError(
                f"{cls.__name__} is a category of HTTP exceptions without a status "
                "code: raise a concrete subclass such as HTTPNotFound, or set "
                "status_code on your own subclass"
            )
        if body is not None:
            # aiohttp 3.x deprecates body= here (aiohttp #3385).
            warnings.warn(
                "body argument is deprecated for HTTP web exceptions: "
                "pass text= instead",
                DeprecationWarning,
                stacklevel=_caller_stacklevel(),
            )
        Response.__init__(
            self,
            status=cls.status_code,
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        Exception.__init__(self, self.reason)
        if self.body is None and not self.empty_body:
            self.text = f"{self.status}: {self.reason}"

    def __str__(self) -> str:
        # The reason, as tracebacks show it ("HTTPNotFound: Not Found"); read
        # live so a later set_status() is reflected.
        return self.reason

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's default would call cls(*args) with the reason as a
        # positional argument, which no constructor here accepts; rebuild
        # without __init__ and restore the attributes instead, so pickle,
        # copy and deepcopy work (e.g. exceptions crossing process pools).
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[HTTPException], args: tuple[Any, ...]) -> HTTPException:
    """Create an exception for unpickling; its attributes are set afterwards."""
    obj = cls.__new__(cls)
    obj.args = args
    return obj


# --- categories ---------------------------------------------------------------


class HTTPError(HTTPException):
    """Base of the error statuses (4xx and 5xx)."""


class HTTPRedirection(HTTPException):
    """Base of the redirection statuses (3xx)."""


class HTTPSuccessful(HTTPException):
    """Base of the success statuses (2xx); raising one is legal, if unusual."""


class HTTPClientError(HTTPError):
    """Base of the client error statuses (4xx)."""


class HTTPServerError(HTTPError):
    """Base of the server error statuses (5xx)."""


# --- 2xx ------------------------------------------------------------------------


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content; has no body."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content; has no body."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


# --- 3xx ------------------------------------------------------------------------


class HTTPMove(HTTPRedirection):
    """Base of the redirections that send a ``Location`` header (all but 304).

    ``location`` (a :class:`str` or :class:`yarl.URL`) is required; the header
    carries it normalised by :class:`yarl.URL`, the attribute keeps it as given.
    """

    def __init__(
        self,
        location: StrOrURL,
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: Any = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if not isinstance(location, (str, URL)):
            raise TypeError(
                f"location={location!r} must be a str or yarl.URL, "
                f"not {type(location).__name__}"
            )
        if not location:
            raise ValueError(
                f"{type(self).__name__} needs a location to redirect to: "
                "pass e.g. location='/new/path'"
            )
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.headers[hdrs.LOCATION] = str(URL(location))
        self.location = location


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other."""

    status_code = 303


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified; has no body and no ``Location``."""

    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect."""

    status_code = 308


# --- 4xx ------------------------------------------------------------------------


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed, with the ``Allow`` header RFC 9110 requires.

    ``method`` is kept upper-cased, ``allowed_methods`` as a set; the header
    lists the allowed methods sorted and comma-separated.
    """

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: Any = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        # A bare string is an iterable of str too, but "GET" would become the
        # methods G, E and T.
        if isinstance(allowed_methods, str):
            raise TypeError(
                f"allowed_methods={allowed_methods!r} must be an iterable of "
                "method names, e.g. ['GET', 'POST'], not a single string"
            )
        # Materialise once: a generator could only be iterated a single time.
        allowed = set(allowed_methods)
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.headers[hdrs.ALLOW] = ",".join(sorted(allowed))
        self.method = method.upper()
        self.allowed_methods: set[str] = allowed


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413 Request Entity Too Large, raised when a body exceeds ``client_max_size``.

    Without ``text`` (or ``body``) the body states both sizes.
    """

    status_code = 413

    def __init__(
        self,
        max_size: float,
        actual_size: float,
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: Any = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if text is None and body is None:
            text = (
                f"Maximum request body size {max_size} exceeded, "
                f"actual body size {actual_size}"
            )
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self.max_size = max_size
        self.actual_size = actual_size


class HTTPRequestURITooLong(HTTPClientError):
    """414 Request-URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Requested Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Entity."""

    status_code = 422


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons (RFC 7725).

    ``link`` points at a resource explaining the block; when given it is sent
    as ``Link: <...>; rel="blocked-by"``.
    """

    status_code = 451

    def __init__(
        self,
        link: Optional[StrOrURL],
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: Any = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if link is not None and not isinstance(link, (str, URL)):
            raise TypeError(
                f"link={link!r} must be a str, yarl.URL or None, "
                f"not {type(link).__name__}"
            )
        super().__init__(
            headers=headers,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        self._link = URL(link) if link else None
        if self._link is not None:
            self.headers[hdrs.LINK] = f'<{self._link}>; rel="blocked-by"'

    @property
    def link(self) -> Optional[URL]:
        """The URL of the resource explaining the block, or None."""
        return self._link


# --- 5xx ------------------------------------------------------------------------


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511
