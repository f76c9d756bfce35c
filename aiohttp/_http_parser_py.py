"""The pure-Python HTTP/1.1 request and response parsers.

``aiohttp.http_parser`` documents the event contract and exports these
classes. The head of a message is parsed in two steps: split the start line
and the field lines into bytes (``_parse_head``), then apply the message
semantics to them (``_request_head`` / ``_response_head``).
"""

import re
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
    RawHeaders,
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
    "HttpRequestParserPy",
    "HttpResponseParserPy",
    "RawRequestMessage",
    "RawResponseMessage",
    "RequestEvent",
    "RequestHead",
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


# What _request_head() takes: method, target, version, headers, raw headers,
# the offset of the CRLF CRLF that ends the head, and "plain".
RequestHead = tuple[str, str, HttpVersion, CIMultiDictProxy[str], RawHeaders, int, bool]
RequestEvent = Union[RawRequestMessage, bytes, EndOfMessage, EndOfChunk, BadHttpMessage]
ResponseEvent = Union[
    RawResponseMessage, bytes, EndOfMessage, EndOfChunk, BadHttpMessage
]


def _origin_url(target: str) -> URL:
    """URL of an origin-form target (``/path?query``), added to the cache.

    Only called for a target the cache does not hold: ``_request_head()``
    looks it up first, on every request.
    """
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


def _status_code(match: "re.Match[bytes]", data: bytes, pos: int, end: int) -> int:
    """The status code of a matched status line, checked to be 100-599."""
    code = int(match.group(2))
    if code < 100 or code > 599:
        line = data[pos:end].decode("utf-8", "backslashreplace")
        raise BadStatusLine(
            line, f"Invalid status code {code} in {line!r}: must be 100-599"
        )
    return code


class HttpRequestParserPy(ParserBase):
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
        return self._request_head(
            events,
            (
                _METHODS.get(method_b) or method_b.decode("ascii"),
                target_b.decode("utf-8", "surrogateescape"),
                HttpVersion11 if minor == b"1" else HttpVersion10,
                headers,
                raw,
                end,
                False,
            ),
        )

    def _request_head(self, events: list[Any], head: RequestHead) -> int:
        """Apply the request semantics to a tokenized head ending at ``end``.

        Emits the head and enters the body state; returns where the body starts.
        ``head`` is ``(method, target, version, headers, raw, end, plain)``, as
        the C parser returns it (one tuple, so its result is passed on as it
        is). ``plain`` is the C parser's promise that the head has exactly one
        Host field and no Connection, Transfer-Encoding, Content-Encoding or
        Upgrade field; the checks of those fields are then skipped, as they
        would find nothing to object to or change.
        """
        method, target, version, headers, raw, end, plain = head
        # A target seen before (origin-form, the only one cached) skips the
        # form checks; CONNECT must always have its authority-form checked.
        url = _URL_CACHE.get(target) if method != "CONNECT" else None
        if url is None:
            url = _request_url(method, target)
        if plain:
            should_close, upgrade, chunked = version is HttpVersion10, False, False
            length = content_length(headers) if hdrs.CONTENT_LENGTH in headers else None
            compression = None
            switch = method == "CONNECT"
        else:
            should_close, upgrade, length, chunked, compression, switch = (
                self._request_semantics(method, version, headers)
            )
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
        elif length or chunked:
            self._start_body(events, length, chunked, compression)
        else:  # no body (a request without a length has none)
            events.append(END_OF_MESSAGE)
        return end + 4

    def _request_semantics(
        self, method: str, version: HttpVersion, headers: CIMultiDictProxy[str]
    ) -> tuple[bool, bool, Optional[int], bool, Optional[str], bool]:
        """(should_close, upgrade, length, chunked, compression, switch)."""
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
        return should_close, upgrade, length, chunked, compression, switch


class HttpResponseParserPy(ParserBase):
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
        code = _status_code(match, data, pos, line_end)
        headers, raw = self._head_fields(data, line_end, end)
        minor, _, reason_b = match.groups()
        return self._response_head(
            events,
            HttpVersion11 if minor == b"1" else HttpVersion10,
            code,
            reason_b.decode("utf-8", "surrogateescape") if reason_b else "",
            headers,
            raw,
            end,
        )

    def _response_head(
        self,
        events: list[Any],
        version: HttpVersion,
        code: int,
        reason: str,
        headers: CIMultiDictProxy[str],
        raw: RawHeaders,
        end: int,
        plain: bool = False,
    ) -> int:
        """Apply the response semantics (RFC 9112 6.3) to a tokenized head.

        Emits the head and enters the body state; returns where the body starts.
        ``plain`` is the C parser's promise that the head has no Connection,
        Transfer-Encoding, Content-Encoding or Upgrade field: their checks are
        skipped, as they would find nothing to object to or change.
        """
        self._empty_lines = 0
        if plain:
            should_close, upgrade, has_te, chunked = (
                version is HttpVersion10,
                False,
                False,
                False,
            )
            length = content_length(headers) if hdrs.CONTENT_LENGTH in headers else None
            compression = None
        else:
            should_close, upgrade, _ = _connection(headers, version)
            length = content_length(headers)
            has_te = hdrs.TRANSFER_ENCODING in headers
            if has_te and length is not None:
                raise BadHttpMessage(
                    "Content-Length and Transfer-Encoding must not be sent together"
                )
            chunked = chunked_coding(headers, False) if has_te else False
            compression = _compression(headers)
        method = self.request_method
        switch = code == 101 or (method == "CONNECT" and 200 <= code < 300)
        no_body = method == "HEAD" or code < 200 or code == 204 or code == 304
        if not (switch or no_body or chunked or length is not None):
            if has_te or self._read_until_eof:
                length = None  # the body runs until the connection closes
                should_close = True
            else:
                length = 0
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
        return end + 4
