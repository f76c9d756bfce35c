"""What the request parser rejects (RFC 9112, strict) and its size limits.

Every rejected input must produce exactly one error event, last, with the
right exception type, status code and a message naming the problem, whether
it arrives in one piece or byte by byte.
"""

from typing import Any

import pytest

from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedHttpVersion,
    UnsupportedTransferEncoding,
)
from aiohttp.http_parser import HttpRequestParser, RawRequestMessage

from ._http_parser_helpers import (
    bytewise,
    error_of,
    merge_bytes,
    parse,
)

CHUNKED_HEAD = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"


def head(*lines: bytes) -> bytes:
    return b"\r\n".join(lines) + b"\r\n\r\n"


def get(*headers: bytes) -> bytes:
    return head(b"GET / HTTP/1.1", b"Host: h", *headers)


# (id, input, exception type, status code, text the message must contain)
REJECTED: list[tuple[str, bytes, type[BadHttpMessage], int, str]] = [
    # request line
    (
        "double-space",
        head(b"GET  / HTTP/1.1", b"Host: h"),
        BadStatusLine,
        400,
        "single spaces",
    ),
    (
        "trailing-space",
        head(b"GET / HTTP/1.1 ", b"Host: h"),
        BadStatusLine,
        400,
        "single spaces",
    ),
    ("no-version", head(b"GET /", b"Host: h"), BadStatusLine, 400, "request line"),
    (
        "extra-part",
        head(b"GET / HTTP/1.1 x", b"Host: h"),
        BadStatusLine,
        400,
        "single spaces",
    ),
    (
        "tab-separator",
        head(b"GET\t/ HTTP/1.1", b"Host: h"),
        BadHttpMethod,
        400,
        "method",
    ),
    (
        "bad-method-char",
        head(b"GE(T / HTTP/1.1", b"Host: h"),
        BadHttpMethod,
        400,
        "method",
    ),
    ("empty-method", head(b" / HTTP/1.1", b"Host: h"), BadHttpMethod, 400, "method"),
    (
        "lower-case-http",
        head(b"GET / http/1.1", b"Host: h"),
        BadStatusLine,
        400,
        "version",
    ),
    (
        "version-garbage",
        head(b"GET / HTTP/1.1.1", b"Host: h"),
        BadStatusLine,
        400,
        "version",
    ),
    (
        "version-two-digits",
        head(b"GET / HTTP/11", b"Host: h"),
        BadStatusLine,
        400,
        "version",
    ),
    (
        "http-2.0",
        head(b"GET / HTTP/2.0", b"Host: h"),
        UnsupportedHttpVersion,
        505,
        "2.0",
    ),
    (
        "http-0.9",
        head(b"GET / HTTP/0.9", b"Host: h"),
        UnsupportedHttpVersion,
        505,
        "0.9",
    ),
    (
        "http-1.2",
        head(b"GET / HTTP/1.2", b"Host: h"),
        UnsupportedHttpVersion,
        505,
        "1.2",
    ),
    (
        "ctl-in-target",
        head(b"GET /a\x01b HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "control",
    ),
    (
        "del-in-target",
        head(b"GET /a\x7fb HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "DEL",
    ),
    (
        "nul-in-target",
        head(b"GET /\x00 HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "control",
    ),
    (
        "relative-target",
        head(b"GET foo HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "'/path'",
    ),
    (
        "authority-not-connect",
        head(b"GET h:80 HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "CONNECT only",
    ),
    (
        "connect-origin-form",
        head(b"CONNECT / HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "authority-form",
    ),
    (
        "connect-absolute",
        head(b"CONNECT http://h:80/ HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "authority-form",
    ),
    (
        "connect-no-port",
        head(b"CONNECT h HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "host:port",
    ),
    (
        "connect-bad-port",
        head(b"CONNECT h:99999 HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "CONNECT",
    ),
    (
        "asterisk-not-options",
        head(b"GET * HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "OPTIONS",
    ),
    (
        "absolute-bad-port",
        head(b"GET http://h:99999/ HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "absolute URL",
    ),
    (
        "absolute-bad-host",
        head(b"GET http://h\xff/ HTTP/1.1", b"Host: h"),
        InvalidURLError,
        400,
        "request-target",
    ),
    # line endings
    (
        "bare-lf-request-line",
        b"GET / HTTP/1.1\nHost: h\r\n\r\n",
        BadHttpMessage,
        400,
        "bare LF",
    ),
    (
        "bare-lf-header",
        b"GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",
        BadHttpMessage,
        400,
        "bare LF",
    ),
    ("bare-lf-end", b"GET / HTTP/1.1\r\nHost: h\n\r\n", BadHttpMessage, 400, "bare LF"),
    ("lf-only", b"GET / HTTP/1.1\nHost: h\n\n", BadHttpMessage, 400, "bare LF"),
    (
        "bare-cr-header",
        b"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",
        BadHttpMessage,
        400,
        "bare CR",
    ),
    (
        "bare-cr-request-line",
        b"GET / HTTP/1.1\rHost: h\r\n\r\n",
        BadHttpMessage,
        400,
        "bare CR",
    ),
    (
        "lf-before-request",
        b"\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        BadHttpMessage,
        400,
        "bare LF",
    ),
    # header fields
    ("space-before-colon", get(b"X : y"), InvalidHeader, 400, "whitespace between"),
    ("tab-before-colon", get(b"X\t: y"), InvalidHeader, 400, "whitespace between"),
    ("obs-fold-space", get(b"X: a", b" b"), InvalidHeader, 400, "folding"),
    ("obs-fold-tab", get(b"X: a", b"\tb"), InvalidHeader, 400, "folding"),
    (
        "obs-fold-first",
        head(b"GET / HTTP/1.1", b" Host: h"),
        InvalidHeader,
        400,
        "folding",
    ),
    ("empty-name", get(b": y"), InvalidHeader, 400, "empty field name"),
    ("no-colon", get(b"NoColonHere"), InvalidHeader, 400, "missing colon"),
    ("bad-name-char", get(b"X(y): 1"), InvalidHeader, 400, "token"),
    ("space-in-name", get(b"X y: 1"), InvalidHeader, 400, "token"),
    ("non-ascii-name", get("X\u00e9: 1".encode()), InvalidHeader, 400, "token"),
    ("nul-in-value", get(b"X: a\x00b"), InvalidHeader, 400, "0x00"),
    ("ctl-in-value", get(b"X: a\x01b"), InvalidHeader, 400, "0x01"),
    ("del-in-value", get(b"X: a\x7fb"), InvalidHeader, 400, "0x7f"),
    ("esc-in-value", get(b"X: \x1b[0m"), InvalidHeader, 400, "0x1b"),
    # Host
    (
        "missing-host",
        head(b"GET / HTTP/1.1", b"X: y"),
        BadHttpMessage,
        400,
        "Missing Host",
    ),
    ("two-hosts", get(b"Host: h"), BadHttpMessage, 400, "Multiple Host"),
    (
        "two-hosts-http10",
        head(b"GET / HTTP/1.0", b"Host: a", b"Host: b"),
        BadHttpMessage,
        400,
        "Multiple Host",
    ),
    # Content-Length
    ("cl-negative", get(b"Content-Length: -1"), InvalidHeader, 400, "Content-Length"),
    ("cl-plus", get(b"Content-Length: +1"), InvalidHeader, 400, "Content-Length"),
    (
        "cl-inner-space",
        get(b"Content-Length: 1 2"),
        InvalidHeader,
        400,
        "Content-Length",
    ),
    ("cl-empty", get(b"Content-Length: "), InvalidHeader, 400, "Content-Length"),
    ("cl-letters", get(b"Content-Length: abc"), InvalidHeader, 400, "Content-Length"),
    ("cl-hex", get(b"Content-Length: 0x10"), InvalidHeader, 400, "Content-Length"),
    ("cl-decimal", get(b"Content-Length: 1.0"), InvalidHeader, 400, "Content-Length"),
    ("cl-list", get(b"Content-Length: 1,1"), InvalidHeader, 400, "Content-Length"),
    (
        "cl-twice",
        get(b"Content-Length: 5", b"Content-Length: 5"),
        InvalidHeader,
        400,
        "more than one",
    ),
    (
        "cl-huge",
        get(b"Content-Length: 1" + b"0" * 18),
        InvalidHeader,
        400,
        "1 to 18 digits",
    ),
    (
        "cl-unicode-digit",
        get("Content-Length: \u0661".encode()),
        InvalidHeader,
        400,
        "Content-Length",
    ),
    # Transfer-Encoding
    (
        "te-and-cl",
        get(b"Transfer-Encoding: chunked", b"Content-Length: 5"),
        BadHttpMessage,
        400,
        "together",
    ),
    (
        "te-http10",
        head(b"POST / HTTP/1.0", b"Transfer-Encoding: chunked"),
        BadHttpMessage,
        400,
        "HTTP/1.0",
    ),
    (
        "te-not-chunked",
        get(b"Transfer-Encoding: gzip"),
        BadHttpMessage,
        400,
        "must end with 'chunked'",
    ),
    (
        "te-chunked-not-last",
        get(b"Transfer-Encoding: chunked, gzip"),
        BadHttpMessage,
        400,
        "must end",
    ),
    ("te-empty", get(b"Transfer-Encoding: "), BadHttpMessage, 400, "must end"),
    (
        "te-chunked-twice",
        get(b"Transfer-Encoding: chunked, chunked"),
        BadHttpMessage,
        400,
        "more than once",
    ),
    (
        "te-chunked-two-lines",
        get(b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
        BadHttpMessage,
        400,
        "more than once",
    ),
    (
        "te-gzip-chunked",
        get(b"Transfer-Encoding: gzip, chunked"),
        UnsupportedTransferEncoding,
        501,
        "'gzip'",
    ),
    (
        "te-unknown-chunked",
        get(b"Transfer-Encoding: foo, chunked"),
        UnsupportedTransferEncoding,
        501,
        "'foo'",
    ),
    (
        "te-two-lines",
        get(b"Transfer-Encoding: deflate", b"Transfer-Encoding: chunked"),
        UnsupportedTransferEncoding,
        501,
        "'deflate'",
    ),
    # chunked bodies
    (
        "chunk-size-not-hex",
        CHUNKED_HEAD + b"g\r\n",
        TransferEncodingError,
        400,
        "hexadecimal",
    ),
    (
        "chunk-size-negative",
        CHUNKED_HEAD + b"-1\r\n",
        TransferEncodingError,
        400,
        "hexadecimal",
    ),
    (
        "chunk-size-0x",
        CHUNKED_HEAD + b"0x5\r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-size-leading-space",
        CHUNKED_HEAD + b" 5\r\nhello\r\n",
        TransferEncodingError,
        400,
        "hexadecimal",
    ),
    (
        "chunk-size-trailing-space",
        CHUNKED_HEAD + b"5 \r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-size-empty",
        CHUNKED_HEAD + b"\r\nhello\r\n",
        TransferEncodingError,
        400,
        "hexadecimal",
    ),
    (
        "chunk-size-17-digits",
        CHUNKED_HEAD + b"1" * 17 + b"\r\n",
        TransferEncodingError,
        400,
        "too large",
    ),
    (
        "chunk-size-overflow",
        CHUNKED_HEAD + b"f" * 16 + b"\r\n",
        TransferEncodingError,
        400,
        "too large",
    ),
    (
        "chunk-ext-empty-name",
        CHUNKED_HEAD + b"5;\r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-ext-empty-value",
        CHUNKED_HEAD + b"5;a=\r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-ext-open-quote",
        CHUNKED_HEAD + b'5;a="x\r\nhello\r\n',
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-ext-space-in-name",
        CHUNKED_HEAD + b"5;a b\r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-ext-ctl",
        CHUNKED_HEAD + b"5;a=\x01\r\nhello\r\n",
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-ext-ctl-quoted",
        CHUNKED_HEAD + b'5;a="\x00"\r\nhello\r\n',
        TransferEncodingError,
        400,
        "extension",
    ),
    (
        "chunk-data-too-long",
        CHUNKED_HEAD + b"5\r\nhelloXX\r\n",
        TransferEncodingError,
        400,
        "followed by CRLF",
    ),
    (
        "chunk-data-lf-only",
        CHUNKED_HEAD + b"5\r\nhello\n0\r\n\r\n",
        TransferEncodingError,
        400,
        "followed by CRLF",
    ),
    (
        "chunk-size-bare-lf",
        CHUNKED_HEAD + b"5\nhello\r\n0\r\n\r\n",
        BadHttpMessage,
        400,
        "bare LF",
    ),
    (
        "chunk-size-bare-cr",
        CHUNKED_HEAD + b"5\rhello\r\n0\r\n\r\n",
        BadHttpMessage,
        400,
        "bare CR",
    ),
    (
        "chunk-size-lf-unfinished",
        CHUNKED_HEAD + b"5\nhello",
        BadHttpMessage,
        400,
        "bare LF",
    ),
    (
        "trailer-no-colon",
        CHUNKED_HEAD + b"0\r\nBad Trailer\r\n\r\n",
        InvalidHeader,
        400,
        "missing colon",
    ),
    (
        "trailer-obs-fold",
        CHUNKED_HEAD + b"0\r\nA: b\r\n c\r\n\r\n",
        InvalidHeader,
        400,
        "folding",
    ),
    ("trailer-ctl", CHUNKED_HEAD + b"0\r\nA: \x00\r\n\r\n", InvalidHeader, 400, "0x00"),
    (
        "trailer-bare-lf",
        CHUNKED_HEAD + b"0\r\nA: b\n\r\n",
        BadHttpMessage,
        400,
        "bare LF",
    ),
]


@pytest.mark.parametrize(
    ("data", "exc_type", "code", "text"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_rejected(
    data: bytes, exc_type: type[BadHttpMessage], code: int, text: str
) -> None:
    for events in (parse(data), bytewise(data)):
        error = error_of(events)
        assert type(error) is exc_type, error
        assert error.code == code
        assert text in error.message, error.message
        assert all(type(e) is not RawRequestMessage for e in events) or (
            b"chunked" in data
        )


def test_rejection_ids_are_unique() -> None:
    ids = [case[0] for case in REJECTED]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "data",
    [
        get(b"X: caf\xc3\xa9 \x80\xff"),  # obs-text in values
        get(b"X:no-space"),
        get(b"X: a\tb"),  # HTAB inside a value
        get(b"X-!#$%&'*+-.^_`|~: token characters"),
        head(b"OPTIONS * HTTP/1.1", b"Host: h"),
        head(b"GET / HTTP/1.0"),  # no Host needed in HTTP/1.0
        CHUNKED_HEAD + b'5 ; a = "q \\" \t" ; b=c\t;d\r\nhello\r\n0\r\n\r\n',
        CHUNKED_HEAD + b"0\r\n\r\n",
        get(b"Content-Length: 000"),
        get(b"Transfer-Encoding: Chunked"),
        get(b"Transfer-Encoding: ,chunked,"),
    ],
)
def test_accepted(data: bytes) -> None:
    events = parse(data)
    assert not any(isinstance(e, BadHttpMessage) for e in events), events
    assert merge_bytes(bytewise(data)) == merge_bytes(events)


# --- limits ----------------------------------------------------------------------


def feed_in_pieces(parser: HttpRequestParser, data: bytes, size: int) -> list[Any]:
    """Feed ``data`` in ``size``-byte pieces, stopping at the first error."""
    events: list[Any] = []
    for i in range(0, len(data), size):
        events += parser.feed_data(data[i : i + size])
        if events and isinstance(events[-1], BadHttpMessage):
            break
    return events


@pytest.mark.parametrize("piece", [1, 7, 1000, 100_000])
def test_request_line_too_long(piece: int) -> None:
    parser = HttpRequestParser(max_line_size=100)
    data = b"GET /" + b"a" * 96 + b" HTTP/1.1\r\nHost: h\r\n\r\n"
    error = error_of(feed_in_pieces(parser, data, piece))
    assert type(error) is LineTooLong
    assert error.code == 414
    assert "request line" in error.message and "100" in error.message


def test_request_line_at_the_limit_is_fine() -> None:
    line = b"GET /" + b"a" * 81 + b" HTTP/1.1"
    assert len(line) == 95
    data = line + b"\r\nHost: h\r\n\r\n"
    assert type(parse(data, max_line_size=95)[0]) is RawRequestMessage
    assert type(bytewise(data, max_line_size=95)[0]) is RawRequestMessage
    assert type(error_of(parse(data, max_line_size=94))) is LineTooLong


@pytest.mark.parametrize("piece", [1, 7, 1000, 100_000])
def test_header_field_too_long(piece: int) -> None:
    parser = HttpRequestParser(max_field_size=50)
    data = get(b"X-Long: " + b"v" * 43, b"X: y")
    error = error_of(feed_in_pieces(parser, data, piece))
    assert type(error) is LineTooLong
    assert error.code == 431
    assert "header field" in error.message


def test_header_field_at_the_limit_is_fine() -> None:
    data = get(b"X-Long: " + b"v" * 42)
    for events in (parse(data, max_field_size=50), bytewise(data, max_field_size=50)):
        assert events[0].headers["X-Long"] == "v" * 42


@pytest.mark.parametrize("piece", [1, 7, 1000, 100_000])
def test_too_many_headers(piece: int) -> None:
    parser = HttpRequestParser(max_headers=10)
    data = get(*[b"X-%d: v" % i for i in range(10)])  # Host + 10 = 11 fields
    error = error_of(feed_in_pieces(parser, data, piece))
    assert type(error) is TooManyHeaders
    assert error.code == 431
    assert "more than 10" in error.message


def test_max_headers_exactly_is_fine() -> None:
    data = get(*[b"X-%d: v" % i for i in range(9)])
    assert len(parse(data, max_headers=10)[0].headers) == 10
    assert len(bytewise(data, max_headers=10)[0].headers) == 10


def test_a_head_that_never_ends_is_not_buffered_without_bound() -> None:
    parser = HttpRequestParser()
    parser.feed_data(b"GET / HTTP/1.1\r\nHost: h\r\n")
    fed = 0
    line = b"X-Filler: " + b"x" * 100 + b"\r\n"
    while fed < 10_000_000:
        events = parser.feed_data(line)
        fed += len(line)
        if events:
            break
    assert type(error_of(events)) is TooManyHeaders
    assert fed < 129 * len(line)
    assert len(parser._buf) == 0  # released


def test_a_line_that_never_ends_is_not_buffered_without_bound() -> None:
    parser = HttpRequestParser()
    parser.feed_data(b"GET / HTTP/1.1\r\nHost: h\r\nX: ")
    events: list[Any] = []
    fed = 0
    while not events and fed < 10_000_000:
        events = parser.feed_data(b"y" * 1000)
        fed += 1000
    assert type(error_of(events)) is LineTooLong
    assert fed <= 9000


def test_garbage_is_rejected_before_its_line_ends() -> None:
    # A TLS ClientHello sent to a plain-HTTP port: no CRLF ever comes.
    error = error_of(parse(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"))
    assert type(error) is BadHttpMethod
    assert type(error_of(parse(b"GET /\x00"))) is InvalidURLError
    assert type(error_of(parse(b"GET / HTTQ"))) is BadStatusLine


def test_trailers_are_limited_like_headers() -> None:
    data = CHUNKED_HEAD + b"0\r\n" + b"".join(b"T-%d: v\r\n" % i for i in range(5))
    error = error_of(parse(data + b"\r\n", max_headers=4))
    assert type(error) is TooManyHeaders and "trailer" in error.message
    error = error_of(bytewise(data, max_headers=4))
    assert type(error) is TooManyHeaders
    long_trailer = CHUNKED_HEAD + b"0\r\nT: " + b"v" * 100 + b"\r\n\r\n"
    for events in (
        parse(long_trailer, max_field_size=50),
        bytewise(long_trailer, max_field_size=50),
    ):
        error = error_of(events)
        assert type(error) is LineTooLong and error.code == 431
        assert "trailer field" in error.message


def test_long_trailers_arriving_slowly() -> None:
    trailers = b"".join(b"T-%d: %s\r\n" % (i, b"v" * 20) for i in range(20))
    data = CHUNKED_HEAD + b"0\r\n" + trailers + b"\r\n"
    events = bytewise(data)
    assert len(events[-1].trailers) == 20


def test_chunk_size_line_too_long() -> None:
    data = CHUNKED_HEAD + b"5;" + b"a" * 200 + b"\r\nhello\r\n0\r\n\r\n"
    for events in (parse(data, max_line_size=100), bytewise(data, max_line_size=100)):
        error = error_of(events)
        assert type(error) is LineTooLong
        assert "chunk-size line" in error.message


def test_big_head_byte_by_byte_stays_linear() -> None:
    # 120 headers of 8 KB each fed byte by byte would take minutes if each
    # feed re-scanned the buffered head; here it takes about a second.
    headers = [b"X-%d: %s" % (i, b"v" * 1000) for i in range(60)]
    data = get(*headers)
    parser = HttpRequestParser()
    events: list[Any] = []
    for i in range(0, len(data), 3):
        events += parser.feed_data(data[i : i + 3])
    assert len(events[0].headers) == 61


def test_complete_but_too_long_lines_in_an_unfinished_head() -> None:
    # The over-long line arrives whole, but the head is not finished yet.
    parser = HttpRequestParser(max_line_size=50)
    events = parser.feed_data(b"GET /" + b"a" * 60 + b" HTTP/1.1\r\nHost: h\r\n")
    assert error_of(events).code == 414
    parser = HttpRequestParser(max_field_size=50)
    events = parser.feed_data(b"GET / HTTP/1.1\r\nX: " + b"a" * 60 + b"\r\nHost")
    assert error_of(events).code == 431


def test_long_line_is_reported_before_a_later_bad_line() -> None:
    data = get(b"X: " + b"a" * 60, b"Bad Line")
    error = error_of(parse(data, max_field_size=50))
    assert type(error) is LineTooLong


def test_long_unfinished_request_line_waits_for_its_end() -> None:
    # Past 512 plausible bytes the prefix is no longer re-checked per feed
    # (that would be quadratic); the error comes when the line ends.
    parser = HttpRequestParser()
    assert parser.feed_data(b"GET /" + b"a" * 600) == []
    assert parser.feed_data(b"\x01") == []
    assert type(error_of(parser.feed_data(b" HTTP/1.1\r\n"))) is InvalidURLError
