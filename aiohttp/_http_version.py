"""The HTTP protocol version type shared by the HTTP/1.1 parser and writer.

It lives in its own tiny module so the parser and the writer can both import it
without importing each other; ``aiohttp.http_writer`` re-exports it.
"""

from typing import NamedTuple

__all__ = ("HttpVersion", "HttpVersion10", "HttpVersion11")


class HttpVersion(NamedTuple):
    """An HTTP version as a ``(major, minor)`` pair, e.g. ``HttpVersion(1, 1)``."""

    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)
