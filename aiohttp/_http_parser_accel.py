"""The parsers with the optional C accelerator for message heads.

``aiohttp._http_head`` (built from ``_http_head.c`` when a C compiler is
available at install time) tokenizes a complete, well-formed head and builds
its objects in one call. These subclasses try it first and fall back to the
inherited pure-Python code whenever it declines (it returns None for a partial
head, an error, or anything unusual), so the events are exactly those of the
pure parsers; tests/test_http_parser_accel.py checks that. Everything after
the head (semantics, bodies, chunking, errors) is the pure parsers' code.

``serialize_head`` is the C serializer of a head, used by
``aiohttp.http_writer.serialize_headers``; it returns None (and the pure code
takes over) for anything but str fields free of CR and LF.

``AVAILABLE`` is false when the extension is missing or the environment sets
``AIOHTTP_NO_EXTENSIONS``; ``aiohttp.http_parser`` then exports the pure
classes under the public names.
"""

import os
from collections.abc import Iterable
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from ._http_parser_base import _HEAD, _KNOWN_NAMES, internal_error
from ._http_parser_py import (
    _METHODS,
    HttpRequestParserPy,
    HttpResponseParserPy,
)
from ._http_version import HttpVersion10, HttpVersion11
from .http_exceptions import BadHttpMessage

__all__ = ("AVAILABLE", "HttpRequestParserC", "HttpResponseParserC", "serialize_head")


def _declined(
    data: bytes, pos: int, max_line_size: int, max_field_size: int, max_headers: int
) -> None:
    """Stands in for the C head parsers when they are not available."""
    return None


def _declined_head(status_line: str, items: Iterable[tuple[str, str]]) -> None:
    """Stands in for the C head serializer when it is not available."""
    return None


try:
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        raise ImportError("disabled by AIOHTTP_NO_EXTENSIONS")  # pragma: no cover
    from ._http_head import SEEN_CONTENT_LENGTH as _SEEN_CONTENT_LENGTH
    from ._http_head import SEEN_NOT_ONE_HOST as _SEEN_NOT_ONE_HOST

    # parse_request_head returns a RequestHead (_http_parser_py), the tuple
    # _request_head() takes; its "plain" comes from the SEEN_* bits in C.
    from ._http_head import parse_request_head as _parse_request_head
    from ._http_head import parse_response_head as _parse_response_head
    from ._http_head import serialize_head
    from ._http_head import setup as _setup
except ImportError:  # pragma: no cover - make test's second run takes this
    AVAILABLE = False
    # The classes below still work, as the pure parsers.
    _parse_request_head = _parse_response_head = _declined
    serialize_head = _declined_head
    _SEEN_CONTENT_LENGTH = _SEEN_NOT_ONE_HOST = 0
else:
    AVAILABLE = True
    _setup(
        _KNOWN_NAMES,
        _METHODS,
        HttpVersion10,
        HttpVersion11,
        CIMultiDict,
        CIMultiDictProxy,
    )


class HttpRequestParserC(HttpRequestParserPy):
    """HttpRequestParserPy whose complete, plain heads are parsed in C."""

    __slots__ = ()

    def feed_data(self, data: bytes) -> list[Any]:
        # The usual read of a keep-alive server: an idle parser gets data that
        # starts with a head. Parse that head here, without the layers of
        # ParserBase.feed_data() and _run(), and in C unless it declines (a
        # partial head, say: the pure code then keeps it, as _run() would),
        # then let _run() go on after it; the events are the same. This is
        # _parse_head() below written out: the call cost 1,000 instructions
        # (1 %) of a GET.
        # (In the head state nothing is ever held back: output_pending is false.)
        if self._state != _HEAD or self._buf or type(data) is not bytes or not data:
            return super().feed_data(data)
        self._budget = self._max_decoded or 0
        events: list[Any] = []
        try:
            head = _parse_request_head(
                data, 0, self.max_line_size, self.max_field_size, self.max_headers
            )
            if head is None:
                pos = HttpRequestParserPy._parse_head(self, data, 0, events)
            else:
                pos = self._request_head(events, head)
        except BadHttpMessage as exc:
            return self._fail(events, exc)
        except Exception as exc:  # pragma: no cover - a bug; must not escape
            return self._fail(events, internal_error(exc))
        return events if pos >= len(data) else self._run(data, pos, events)

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        head = _parse_request_head(
            data, pos, self.max_line_size, self.max_field_size, self.max_headers
        )
        if head is None:
            return super()._parse_head(data, pos, events)
        return self._request_head(events, head)


class HttpResponseParserC(HttpResponseParserPy):
    """HttpResponseParserPy whose complete heads are parsed in C."""

    __slots__ = ()

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        head = _parse_response_head(
            data, pos, self.max_line_size, self.max_field_size, self.max_headers
        )
        if head is None:
            return super()._parse_head(data, pos, events)
        version, code, reason, headers, raw, seen, end = head
        # Host does not matter in a response; any other semantic field
        # except Content-Length takes the full path.
        plain = not seen & ~(_SEEN_CONTENT_LENGTH | _SEEN_NOT_ONE_HOST)
        return self._response_head(
            events, version, code, reason, headers, raw, end, plain
        )
