"""Sans-IO HTTP/1.1 parsers: bytes in, events out (no asyncio, no sockets).

Feed what the connection received to ``feed_data()`` and, when the peer closes
it, call ``feed_eof()``. Both return a list of events, in wire order. For each
message:

1. its head: a :class:`RawRequestMessage` or :class:`RawResponseMessage`;
2. zero or more non-empty ``bytes`` body pieces (decoded when the body has a
   Content-Encoding and ``auto_decompress`` is true); in a chunked body an
   :data:`END_OF_CHUNK` follows each chunk's data;
3. exactly one :class:`EndOfMessage`: the shared :data:`END_OF_MESSAGE`, or an
   instance carrying the trailers of a chunked body.

A message without a body yields its head and END_OF_MESSAGE in the same call;
pipelined messages all come out in order. Input may be split anywhere: a head
is only emitted once complete, body bytes as they arrive.

Errors are events too: malformed input (or a message cut short by
``feed_eof()``) makes the *last* event of the call a
:class:`~aiohttp.http_exceptions.BadHttpMessage` instance whose ``code`` is the
status a server should answer with (400; 414 request line too long; 431 header
field too long or too many headers; 501 unsupported transfer coding; 505
unsupported HTTP version). Events completed before it are kept. The parser is
then closed: later calls return ``[]``. ``feed_data`` never raises.

Upgrades: after a request with ``Connection: upgrade`` and ``Upgrade:
websocket``, a CONNECT request, a 101 response or a 2xx response to CONNECT,
the head is emitted without EndOfMessage, ``upgraded`` becomes true and every
later byte is passed through as ``bytes``.

Compressed bodies: with ``max_decoded_per_feed=N`` a call yields at most N
decoded body bytes; while ``output_pending`` is true the parser holds the rest
and parses nothing further until ``feed_data(b"")`` asks for the next part
(a server stops reading meanwhile, so a decompression bomb cannot make it
buffer without bound). The default (None) decodes everything at once.

Strictness follows RFC 9112 as llhttp's strict mode, h11 and nginx do (see
tests/test_http_parser.py for the full table); limits are checked as bytes
arrive, so a peer cannot make the parser buffer without bound.
"""

from typing import Any, Final, NamedTuple, Optional, Union

from multidict import CIMultiDictProxy
from yarl import URL

from . import hdrs
from ._http_parser_base import ParserBase
from ._http_parser_grammar import (
    ABSOLUTE_FORM,
    AUTHORITY_FORM,
    REQUEST_LINE,
    REQUEST_LINE_PREFIX,
    STATUS_LINE,
    request_line_error,
    status_line_error,
)
from ._http_parser_semantics import (
    END_OF_CHUNK,
    END_OF_MESSAGE,
    EndOfChunk,
    EndOfMessage,
    chunked_coding,
    comma_tokens,
    content_length,
)
from ._http_version import HttpVersion, HttpVersion10, HttpVersion11
from .http_exceptions import BadHttpMessage, BadStatusLine, InvalidURLError, LineTooLong

__all__ = (
    "END_OF_CHUNK",
    "END_OF_MESSAGE",
    "EndOfChunk",
    "EndOfMessage",
    "HttpRequestParser",
    "HttpResponseParser",
    "RawRequestMessage",
    "RawResponseMessage",
    "RequestEvent",
    "ResponseEvent",
)

_tuple_new = tuple.__new__

# Content-Encoding values reported in ``compression`` (and decoded).
_ENCODINGS: Final = frozenset({"gzip", "deflate", "br", "zstd"})
_METHODS: Final[dict[bytes, str]] = {m.encode(): m for m in hdrs.METH_ALL}
# Origin-form URLs are immutable and targets repeat a lot (``/``, ``/api/x``):
# keep the last few hundred instead of building a URL per request.
_URL_CACHE: dict[str, URL] = {}
_URL_CACHE_SIZE: Final = 512
_URL_CACHE_MAX_TARGET: Final = 256
_ASTERISK_URL: Final = URL("*")


class RawRequestMessage(NamedTuple):
    """A parsed request head (field order is public: users build it positionally)."""

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool
    url: URL


class RawResponseMessage(NamedTuple):
    """A parsed response head."""

    version: HttpVersion
    code: int
    reason: str
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool


RequestEvent = Union[RawRequestMessage, bytes, EndOfMessage, EndOfChunk, BadHttpMessage]
ResponseEvent = Union[
    RawResponseMessage, bytes, EndOfMessage, EndOfChunk, BadHttpMessage
]


def _origin_url(target: str) -> URL:
    """URL of an origin-form target (``/path?query``), cached."""
    url = _URL_CACHE.get(target)
    if url is not None:
        return url
    path, _, fragment = target.partition("#")
    path, _, query = path.partition("?")
    try:
        url = URL.build(path=path, query_string=query, fragment=fragment, encoded=True)
    except ValueError as exc:  # pragma: no cover - yarl accepts any encoded path
        raise InvalidURLError(f"Invalid request-target {target[:100]!r}: {exc}")
    if len(target) <= _URL_CACHE_MAX_TARGET:
        if len(_URL_CACHE) >= _URL_CACHE_SIZE:
            _URL_CACHE.clear()
        _URL_CACHE[target] = url
    return url


def _request_url(method: str, target: str) -> URL:
    """URL for a request-target, checking its form fits the method (RFC 9112 3.2)."""
    if method == "CONNECT":
        if not AUTHORITY_FORM.fullmatch(target):
            raise InvalidURLError(
                f"Invalid CONNECT request-target {target[:100]!r}: "
                "expected authority-form 'host:port'"
            )
        try:
            url = URL.build(authority=target, encoded=True)
            url.port  # noqa: B018  # yarl parses lazily: check the port now
        except ValueError as exc:
            raise InvalidURLError(f"Invalid CONNECT authority {target[:100]!r}: {exc}")
        return url
    if target[0] == "/":
        return _origin_url(target)
    if target == "*":
        if method != "OPTIONS":
            raise InvalidURLError(
                f"The asterisk-form request-target '*' is only allowed with "
                f"OPTIONS, not {method}"
            )
        return _ASTERISK_URL
    if ABSOLUTE_FORM.match(target):
        try:
            url = URL(target, encoded=True)
            url.port  # noqa: B018  # yarl parses lazily: check the port now
        except ValueError as exc:
            raise InvalidURLError(f"Invalid absolute URL {target[:100]!r}: {exc}")
        return url
    raise InvalidURLError(
        f"Invalid request-target {target[:100]!r}: expected '/path', an absolute "
        "URL, '*' (OPTIONS only) or 'host:port' (CONNECT only)"
    )


def _connection(
    headers: CIMultiDictProxy[str], version: HttpVersion
) -> tuple[bool, bool, list[str]]:
    """(should_close, upgrade, Upgrade tokens) from Connection and Upgrade."""
    values = headers.getall(hdrs.CONNECTION, None)
    if values is None:
        return version is HttpVersion10, False, []
    if len(values) == 1:  # fast path for the usual single token
        value = values[0].lower()
        if value == "keep-alive":
            return False, False, []
        if value == "close":
            return True, False, []
    tokens = comma_tokens(values)
    if "close" in tokens:
        close = True
    else:
        close = version is HttpVersion10 and "keep-alive" not in tokens
    if "upgrade" not in tokens:
        return close, False, []
    protocols = headers.getall(hdrs.UPGRADE, None)
    if protocols is None:
        return close, False, []
    return close, True, comma_tokens(protocols)


def _compression(headers: CIMultiDictProxy[str]) -> Optional[str]:
    value = headers.get(hdrs.CONTENT_ENCODING)
    if value is None:
        return None
    value = value.strip(" \t").lower()
    return value if value in _ENCODINGS else None


class HttpRequestParser(ParserBase):
    """Parses the requests a server receives; see the module docstring."""

    __slots__ = ()

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        auto_decompress: bool = True,
        max_decoded_per_feed: Optional[int] = None,
    ) -> None:
        super().__init__(
            max_line_size,
            max_field_size,
            max_headers,
            auto_decompress,
            431,
            max_decoded_per_feed,
        )

    def _start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        return None if REQUEST_LINE.fullmatch(line) else request_line_error(line)

    def _partial_start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        if REQUEST_LINE_PREFIX.fullmatch(line):
            return None
        return request_line_error(line.rstrip(b"\r"))

    def _start_line_too_long(self, size: int) -> LineTooLong:
        return LineTooLong("request line", self.max_line_size, size, code=414)

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        pos, line_end, end = self._head_bounds(data, pos)
        if end < 0:
            return pos
        match = REQUEST_LINE.fullmatch(data, pos, line_end)
        if match is None:
            raise request_line_error(data[pos:line_end])
        headers, raw = self._head_fields(data, line_end, end)
        method_b, target_b, minor = match.groups()
        method = _METHODS.get(method_b) or method_b.decode("ascii")
        version = HttpVersion11 if minor == b"1" else HttpVersion10
        target = target_b.decode("utf-8", "surrogateescape")
        url = _request_url(method, target)

        hosts = headers.getall(hdrs.HOST, ())
        if len(hosts) != 1 and (hosts or version is HttpVersion11):
            raise BadHttpMessage(
                "Multiple Host header fields"
                if hosts
                else "Missing Host header: required in HTTP/1.1 requests"
            )
        should_close, upgrade, protocols = _connection(headers, version)
        length = content_length(headers)
        chunked = False
        if hdrs.TRANSFER_ENCODING in headers:
            if version is HttpVersion10:
                raise BadHttpMessage(
                    "Transfer-Encoding is not allowed in an HTTP/1.0 request"
                )
            if length is not None:
                raise BadHttpMessage(
                    "Content-Length and Transfer-Encoding must not be sent together"
                )
            chunked = chunked_coding(headers, True)
        compression = _compression(headers)
        switch = method == "CONNECT" or (upgrade and "websocket" in protocols)
        events.append(
            _tuple_new(
                RawRequestMessage,
                (
                    method,
                    target,
                    version,
                    headers,
                    raw,
                    should_close,
                    compression,
                    upgrade or switch,
                    chunked,
                    url,
                ),
            )
        )
        self._empty_lines = 0
        if switch:
            self._upgrade()
        else:
            self._start_body(events, length or 0, chunked, compression)
        return end + 4


class HttpResponseParser(ParserBase):
    """Parses the responses a client receives; see the module docstring.

    Set ``request_method`` to the method of the request being answered before
    feeding its response: a response to HEAD has no body and a 2xx response
    to CONNECT switches to raw mode.
    """

    __slots__ = ("_read_until_eof", "request_method")

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        auto_decompress: bool = True,
        read_until_eof: bool = True,
        max_decoded_per_feed: Optional[int] = None,
    ) -> None:
        super().__init__(
            max_line_size,
            max_field_size,
            max_headers,
            auto_decompress,
            400,
            max_decoded_per_feed,
        )
        self._read_until_eof = read_until_eof
        self.request_method = "GET"

    def _start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        return None if STATUS_LINE.fullmatch(line) else status_line_error(line)

    def _partial_start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        return None

    def _start_line_too_long(self, size: int) -> LineTooLong:
        return LineTooLong("status line", self.max_line_size, size)

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        pos, line_end, end = self._head_bounds(data, pos)
        if end < 0:
            return pos
        match = STATUS_LINE.fullmatch(data, pos, line_end)
        if match is None:
            raise status_line_error(data[pos:line_end])
        minor, code_b, reason_b = match.groups()
        code = int(code_b)
        if code < 100 or code > 599:
            line = data[pos:line_end].decode("utf-8", "backslashreplace")
            raise BadStatusLine(
                line, f"Invalid status code {code} in {line!r}: must be 100-599"
            )
        headers, raw = self._head_fields(data, line_end, end)
        version = HttpVersion11 if minor == b"1" else HttpVersion10
        self._empty_lines = 0
        self._response(events, version, code, reason_b, headers, raw)
        return end + 4

    def _response(
        self,
        events: list[Any],
        version: HttpVersion,
        code: int,
        reason_b: Optional[bytes],
        headers: CIMultiDictProxy[str],
        raw: tuple[tuple[bytes, bytes], ...],
    ) -> None:
        """Emit a response head and enter its body state (RFC 9112 6.3)."""
        should_close, upgrade, _ = _connection(headers, version)
        length = content_length(headers)
        has_te = hdrs.TRANSFER_ENCODING in headers
        if has_te and length is not None:
            raise BadHttpMessage(
                "Content-Length and Transfer-Encoding must not be sent together"
            )
        chunked = chunked_coding(headers, False) if has_te else False
        method = self.request_method
        switch = code == 101 or (method == "CONNECT" and 200 <= code < 300)
        no_body = method == "HEAD" or code < 200 or code == 204 or code == 304
        if not (switch or no_body or chunked or length is not None):
            if has_te or self._read_until_eof:
                length = None  # the body runs until the connection closes
                should_close = True
            else:
                length = 0
        compression = _compression(headers)
        reason = reason_b.decode("utf-8", "surrogateescape") if reason_b else ""
        events.append(
            _tuple_new(
                RawResponseMessage,
                (
                    version,
                    code,
                    reason,
                    headers,
                    raw,
                    should_close,
                    compression,
                    upgrade,
                    chunked,
                ),
            )
        )
        if switch:
            self._upgrade()
        elif no_body:
            events.append(END_OF_MESSAGE)
        else:
            self._start_body(events, length, chunked, compression)
