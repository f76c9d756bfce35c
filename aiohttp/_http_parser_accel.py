"""Accelerated HTTP/1.1 parsers: llhttp (through httptools) tokenizes the heads.

Importing this module raises ImportError when ``httptools`` is missing;
``aiohttp.http_parser`` then keeps the pure-Python parsers.

Only one step moves to C: splitting the field lines of a complete message
head into names and values and checking their grammar, which costs the pure
parser a regex pass over the head plus a check of every line. Everything else
is the pure parser's own code, inherited: the start line (one regex match),
the message semantics (``_request_head`` / ``_response_head``), body framing,
decompression, the limits on heads that have not fully arrived, and every
error event.

Why the events stay identical to the pure parser's:

* llhttp in its default strict mode accepts no field line that our grammar
  rejects, and splits the ones both accept into the same name and value once
  trailing whitespace is removed (tests/test_http_parser_accel.py checks every
  byte value at every position of a field line, and a property test compares
  the two parsers' events on generated messages).
* Anything unusual goes to the pure parser, which then produces the exact
  event, an error or, where llhttp was only stricter (an unknown method, say),
  the message: llhttp reporting an error, a pair count that differs from the
  number of field lines (an empty value can make httptools merge two lines),
  a head with no field lines or empty lines before it, and a head that might
  exceed ``max_line_size``, ``max_field_size`` or ``max_headers``.
* llhttp keeps state between messages. Each llhttp parser only ever sees
  whole heads, and a request parser is reused only when the message it last
  saw ended with its head (no body, no upgrade), where llhttp is back at a
  message start; otherwise a new one is made (about 0.2 us). A response
  parser is never reused: most responses have a body, and llhttp cannot know
  that a response to HEAD has none.
"""

from typing import Any, Optional, Union

from httptools import (  # type: ignore[import-not-found, unused-ignore]
    HttpParserError,
    HttpParserUpgrade,
)
from httptools import (  # type: ignore[import-not-found, unused-ignore]
    HttpRequestParser as _LlhttpRequestParser,
)
from httptools import (  # type: ignore[import-not-found, unused-ignore]
    HttpResponseParser as _LlhttpResponseParser,
)

from ._http_parser_base import make_headers
from ._http_parser_grammar import REQUEST_LINE, STATUS_LINE
from ._http_parser_py import HttpRequestParserPy, HttpResponseParserPy, _status_code

__all__ = ("HttpRequestParserAccel", "HttpResponseParserAccel")

_HEAD = 0  # ParserBase's state while waiting for a message head
_Llhttp = Union[_LlhttpRequestParser, _LlhttpResponseParser]


class _FieldSink:
    """Receives httptools' header callbacks: the (name, value) of each field."""

    __slots__ = ("raw",)

    def __init__(self) -> None:
        self.raw: list[tuple[bytes, bytes]] = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw.append((name, value))


def _head_limits_ok(
    parser: HttpRequestParserPy | HttpResponseParserPy,
    data: bytes,
    pos: int,
    line_end: int,
    end: int,
) -> bool:
    """Whether the complete head at ``pos`` can take the fast path.

    False for empty lines before the start line, a head without field lines
    and a head where some line might be over its limit: the pure parser
    handles those (and names the limit that was exceeded).
    """
    return (
        data[pos] != 13
        and line_end < end
        and line_end - pos <= parser.max_line_size
        and end - line_end - 2 <= parser.max_field_size
    )


def _tokenize(
    llhttp: _Llhttp, sink: _FieldSink, data: bytes, pos: int, line_end: int, end: int
) -> Optional[list[tuple[bytes, bytes]]]:
    """The field lines of the head ``data[pos:end + 4]``, or None to fall back."""
    raw: list[tuple[bytes, bytes]] = []
    sink.raw = raw
    try:
        llhttp.feed_data(data[pos : end + 4] if pos or end + 4 != len(data) else data)
    except HttpParserUpgrade:
        pass  # CONNECT or Upgrade: llhttp stops after the (complete) head
    except HttpParserError:
        return None
    if len(raw) != data.count(b"\n", line_end + 2, end + 2):
        return None
    return raw


class HttpRequestParserAccel(HttpRequestParserPy):
    """HttpRequestParserPy whose complete heads are tokenized by llhttp.

    Same constructor, attributes and events as the pure parser.
    """

    __slots__ = ("_llhttp", "_sink")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sink = _FieldSink()
        self._llhttp: Optional[_LlhttpRequestParser] = None

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        # Stay equivalent to HttpRequestParserPy._parse_head: same start-line
        # regex, same semantics step; only the field lines are split by llhttp.
        end = data.find(b"\r\n\r\n", pos)
        line_end = data.find(b"\r\n", pos)
        llhttp = self._llhttp
        self._llhttp = None  # kept again below only if llhttp ends at rest
        if end < 0 or not _head_limits_ok(self, data, pos, line_end, end):
            return super()._parse_head(data, pos, events)
        match = REQUEST_LINE.fullmatch(data, pos, line_end)
        if match is None:
            return super()._parse_head(data, pos, events)
        if llhttp is None:
            llhttp = _LlhttpRequestParser(self._sink)
        raw = _tokenize(llhttp, self._sink, data, pos, line_end, end)
        if raw is None or len(raw) > self.max_headers:
            return super()._parse_head(data, pos, events)
        headers, raw_headers = make_headers(data, line_end + 2, end + 2, raw)
        pos = self._request_head(events, match, headers, raw_headers, end)
        if self._state == _HEAD:  # no body: llhttp completed the message too
            self._llhttp = llhttp
        return pos


class HttpResponseParserAccel(HttpResponseParserPy):
    """HttpResponseParserPy whose complete heads are tokenized by llhttp.

    Same constructor, attributes and events as the pure parser.
    """

    __slots__ = ("_sink",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sink = _FieldSink()

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        # Stay equivalent to HttpResponseParserPy._parse_head (see above).
        end = data.find(b"\r\n\r\n", pos)
        line_end = data.find(b"\r\n", pos)
        if end < 0 or not _head_limits_ok(self, data, pos, line_end, end):
            return super()._parse_head(data, pos, events)
        match = STATUS_LINE.fullmatch(data, pos, line_end)
        if match is None:
            return super()._parse_head(data, pos, events)
        code = _status_code(match, data, pos, line_end)
        llhttp = _LlhttpResponseParser(self._sink)
        raw = _tokenize(llhttp, self._sink, data, pos, line_end, end)
        if raw is None or len(raw) > self.max_headers:
            return super()._parse_head(data, pos, events)
        headers, raw_headers = make_headers(data, line_end + 2, end + 2, raw)
        return self._response_head(events, match, code, headers, raw_headers, end)
