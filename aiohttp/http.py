"""The HTTP wire layer's public names, gathered in one module as aiohttp does."""

from .http_exceptions import HttpProcessingError
from .http_parser import (
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
)
from .http_writer import (
    SERVER_SOFTWARE,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    StreamWriter,
)

__all__ = (
    "SERVER_SOFTWARE",
    "HttpProcessingError",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    "StreamWriter",
)
