"""Errors of the HTTP/1.1 wire layer, shared by the server and the client.

Every malformed message maps to a :class:`BadHttpMessage` subclass whose
``code`` is the HTTP status a server should answer with (400 unless a more
precise status exists: 414, 431, 501, 505). This module imports nothing from
the server (``web_*``) or client (``client_*``) layers so both can use it.
"""

from textwrap import indent
from typing import Any, Optional, Union

from .typedefs import LooseHeaders

__all__ = (
    "BadHttpMessage",
    "BadHttpMethod",
    "BadStatusLine",
    "ContentEncodingError",
    "ContentLengthError",
    "HttpBadRequest",
    "HttpProcessingError",
    "InvalidHeader",
    "InvalidURLError",
    "LineTooLong",
    "PayloadEncodingError",
    "TooManyHeaders",
    "TransferEncodingError",
    "UnsupportedHttpVersion",
    "UnsupportedTransferEncoding",
)


def _rebuild(
    cls: type["HttpProcessingError"], args: tuple[Any, ...], state: dict[str, Any]
) -> "HttpProcessingError":
    """Recreate a pickled error without calling its (keyword-only) ``__init__``."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class HttpProcessingError(Exception):
    """Base of HTTP processing errors: carries a status ``code`` and ``message``.

    ``headers`` are extra headers a server may send with the error response.
    """

    code: int = 0
    message: str = ""

    def __init__(
        self,
        *,
        code: Optional[int] = None,
        message: str = "",
        headers: Optional[LooseHeaders] = None,
    ) -> None:
        if code is not None:
            self.code = code  # the instance overrides the class default
        self.headers = headers
        self.message = message
        super().__init__(self.code, message)

    def __str__(self) -> str:
        return f"{self.code}, message:\n{indent(self.message, '  ')}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.code}, message={self.message!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class BadHttpMessage(HttpProcessingError):
    """A malformed HTTP message; a server answers 400 unless ``code`` says more."""

    code = 400
    message = "Bad Request"

    def __init__(self, message: str, *, headers: Optional[LooseHeaders] = None) -> None:
        super().__init__(message=message, headers=headers)
        self.args = (message,)


class HttpBadRequest(BadHttpMessage):
    """A request the server refuses as malformed (400)."""

    code = 400
    message = "Bad Request"


class PayloadEncodingError(BadHttpMessage):
    """The message body does not match its declared framing or encoding."""


class ContentEncodingError(PayloadEncodingError):
    """The body cannot be decoded with its Content-Encoding (corrupt or unsupported)."""


class TransferEncodingError(PayloadEncodingError):
    """The chunked transfer coding of the body is malformed or truncated."""


class ContentLengthError(PayloadEncodingError):
    """The body ended before the number of bytes given by Content-Length."""


class UnsupportedTransferEncoding(TransferEncodingError):
    """The request uses a transfer coding other than ``chunked`` (501)."""

    code = 501


class LineTooLong(BadHttpMessage):
    """A start line or header field exceeds the configured size limit.

    ``code`` defaults to 400; the request parser passes ``code=414`` for an
    over-long request line and ``code=431`` for an over-long header field.
    """

    def __init__(
        self,
        line: str,
        limit: Union[str, int] = "Unknown",
        actual_size: Union[str, int] = "Unknown",
        *,
        code: Optional[int] = None,
    ) -> None:
        super().__init__(
            f"Got more than {limit} bytes ({actual_size}) when reading {line}."
        )
        if code is not None:
            self.code = code
        self.args = (line, limit, actual_size)


class TooManyHeaders(BadHttpMessage):
    """The head has more header fields than allowed (431)."""

    code = 431


class InvalidHeader(BadHttpMessage):
    """A header field is malformed; ``hdr`` holds the offending field (as text).

    ``reason``, when given, says what exactly is wrong with it.
    """

    def __init__(self, hdr: Union[bytes, str], reason: str = "") -> None:
        hdr_s = (
            hdr.decode("utf-8", "backslashreplace") if isinstance(hdr, bytes) else hdr
        )
        message = f"Invalid HTTP header: {hdr!r}"
        if reason:
            message = f"{message}: {reason}"
        super().__init__(message)
        self.hdr = hdr_s
        self.args = (hdr, reason) if reason else (hdr,)


class BadStatusLine(BadHttpMessage):
    """The request line or status line is malformed; ``line`` holds it."""

    def __init__(self, line: str = "", error: Optional[str] = None) -> None:
        super().__init__(error or f"Bad status line {line!r}")
        self.args = (line, error) if error else (line,)
        self.line = line


class BadHttpMethod(BadStatusLine):
    """The request method is not a valid token."""

    def __init__(self, line: str = "", error: Optional[str] = None) -> None:
        super().__init__(line, error or f"Bad HTTP method in status line {line!r}")


class UnsupportedHttpVersion(BadStatusLine):
    """A well-formed HTTP version other than 1.0 or 1.1 (505)."""

    code = 505


class InvalidURLError(BadHttpMessage):
    """The request-target is not a valid URL for the request."""
