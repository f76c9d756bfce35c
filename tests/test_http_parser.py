"""Tests of the sans-IO HTTP/1.1 request parser (bytes in, events out).

Response-parser tests live in test_http_parser_response.py; the shared
helpers are in _http_parser_helpers.py.
"""

import gzip
import zlib

import pytest
from multidict import CIMultiDictProxy, istr
from yarl import URL

from aiohttp import _http_parser_decoders, hdrs
from aiohttp._http_version import HttpVersion10, HttpVersion11
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    ContentEncodingError,
    ContentLengthError,
    TransferEncodingError,
)
from aiohttp.http_parser import (
    END_OF_CHUNK,
    END_OF_MESSAGE,
    EndOfChunk,
    EndOfMessage,
    HttpRequestParser,
    RawRequestMessage,
)

from ._http_parser_helpers import (
    bytewise,
    error_of,
    merge_bytes,
    parse,
    split_at,
)

GET = (
    b"GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n"
    b"Accept: */*\r\n\r\n"
)
POST = (
    b"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 11\r\n\r\nhello world"
)
CHUNKED = (
    b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'5;name=value;flag\r\nhello\r\n6 ; q = "a b\\""\r\n world\r\n0\r\n'
    b"X-Checksum: abc \r\nX-Other:\tdef\r\n\r\n"
)


def req(head: bytes, body: bytes = b"") -> bytes:
    """A request line + headers (each line without CRLF, joined) + body."""
    return head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body


# --- the basics -----------------------------------------------------------------


def test_typical_get() -> None:
    events = parse(GET)
    assert len(events) == 2
    msg, end = events
    assert type(msg) is RawRequestMessage
    assert msg.method == "GET"
    assert msg.path == "/path?q=1"
    assert msg.version is HttpVersion11
    assert isinstance(msg.headers, CIMultiDictProxy)
    assert msg.headers["host"] == "example.com"
    assert list(msg.headers.items()) == [
        ("Host", "example.com"),
        ("User-Agent", "t"),
        ("Accept", "*/*"),
    ]
    assert msg.raw_headers == (
        (b"Host", b"example.com"),
        (b"User-Agent", b"t"),
        (b"Accept", b"*/*"),
    )
    assert msg.should_close is False
    assert msg.compression is None
    assert msg.upgrade is False
    assert msg.chunked is False
    assert msg.url == URL("/path?q=1")
    assert msg.url.query["q"] == "1"
    assert end is END_OF_MESSAGE
    assert end.trailers is None and end.raw_trailers == ()


def test_message_fields_are_in_aiohttp_order() -> None:
    assert RawRequestMessage._fields == (
        "method",
        "path",
        "version",
        "headers",
        "raw_headers",
        "should_close",
        "compression",
        "upgrade",
        "chunked",
        "url",
    )


def test_post_with_content_length() -> None:
    events = parse(POST)
    assert [type(e) for e in events] == [RawRequestMessage, bytes, EndOfMessage]
    assert events[1] == b"hello world"
    assert events[0].headers["Content-Length"] == "11"


def test_body_split_over_feeds() -> None:
    parser = HttpRequestParser()
    head = POST.split(b"\r\n\r\n")[0]
    assert [type(e) for e in parser.feed_data(head + b"\r\n\r\nhel")] == [
        RawRequestMessage,
        bytes,
    ]
    assert parser.feed_data(b"lo wo") == [b"lo wo"]
    assert parser.feed_data(b"rldGET") == [b"rld", END_OF_MESSAGE]
    assert parser.feed_data(b"") == []


def test_chunked_with_extensions_and_trailers() -> None:
    events = parse(CHUNKED)
    msg = events[0]
    assert msg.chunked is True
    assert events[1:5] == [b"hello", END_OF_CHUNK, b" world", END_OF_CHUNK]
    end = events[5]
    assert type(end) is EndOfMessage and end is not END_OF_MESSAGE
    assert end.trailers is not None
    assert dict(end.trailers) == {"X-Checksum": "abc", "X-Other": "def"}
    assert end.raw_trailers == ((b"X-Checksum", b"abc"), (b"X-Other", b"def"))
    assert "trailers=" in repr(end)
    assert len(events) == 6


def test_chunked_without_trailers_uses_shared_end() -> None:
    data = req(
        b"POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked",
        b"3\r\nabc\r\n0\r\n\r\n",
    )
    assert parse(data)[1:] == [b"abc", END_OF_CHUNK, END_OF_MESSAGE]


def test_chunk_size_hex_and_leading_zeros() -> None:
    body = b"0000A\r\n" + b"x" * 10 + b"\r\nf\r\n" + b"y" * 15 + b"\r\n0\r\n\r\n"
    data = req(b"POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked", body)
    assert merge_bytes(parse(data)[1:]) == [
        b"x" * 10,
        END_OF_CHUNK,
        b"y" * 15,
        END_OF_CHUNK,
        END_OF_MESSAGE,
    ]


def test_pipelined_requests_in_one_feed() -> None:
    events = parse(GET + POST + CHUNKED + GET)
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "RawRequestMessage",
        "EndOfMessage",
        "RawRequestMessage",
        "bytes",
        "EndOfMessage",
        "RawRequestMessage",
        "bytes",
        "EndOfChunk",
        "bytes",
        "EndOfChunk",
        "EndOfMessage",
        "RawRequestMessage",
        "EndOfMessage",
    ]
    assert [e.method for e in events if type(e) is RawRequestMessage] == [
        "GET",
        "POST",
        "POST",
        "GET",
    ]


def test_event_reprs() -> None:
    assert repr(END_OF_MESSAGE) == "<EndOfMessage>"
    assert repr(END_OF_CHUNK) == "<EndOfChunk>"
    assert isinstance(END_OF_CHUNK, EndOfChunk)


@pytest.mark.parametrize(
    "data",
    [GET, POST, CHUNKED, GET + POST + CHUNKED + GET],
    ids=["get", "post", "chunked", "pipelined"],
)
def test_every_split_point_gives_the_same_events(data: bytes) -> None:
    expected = merge_bytes(parse(data))
    for i in range(len(data) + 1):
        assert merge_bytes(split_at(data, i)) == expected, f"split at {i}"
    assert merge_bytes(bytewise(data)) == expected


def test_bytearray_and_memoryview_input_give_bytes_events() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(bytearray(POST))  # type: ignore[arg-type]
    assert type(events[1]) is bytes


def test_non_ascii_target_and_values() -> None:
    data = req("GET /caf\u00e9?x=\u00ff HTTP/1.1\nHost: h\nX-Name: Jos\u00e9".encode())
    msg = parse(data)[0]
    assert msg.path == "/caf\u00e9?x=\u00ff"
    assert msg.headers["X-Name"] == "Jos\u00e9"
    assert msg.raw_headers[1] == (b"X-Name", "Jos\u00e9".encode())
    # Bytes that are not UTF-8 survive as surrogate escapes.
    msg = parse(req(b"GET /\xff HTTP/1.1\nHost: h\nX: \xfe"))[0]
    assert msg.path == "/\udcff"
    assert msg.headers["X"] == "\udcfe"


def test_field_values_lose_surrounding_whitespace() -> None:
    data = req(b"GET / HTTP/1.1\nHost:h\nA: \t x  y \t\nB:\nC:   ")
    msg = parse(data)[0]
    assert msg.raw_headers == (
        (b"Host", b"h"),
        (b"A", b"x  y"),
        (b"B", b""),
        (b"C", b""),
    )
    assert msg.headers["A"] == "x  y"
    assert msg.headers["B"] == msg.headers["C"] == ""


def test_header_names_keep_their_spelling_and_known_ones_are_istr() -> None:
    msg = parse(req(b"GET / HTTP/1.1\nhost: h\nContent-Type: x\nX-Custom: y"))[0]
    assert list(msg.headers) == ["host", "Content-Type", "X-Custom"]
    assert list(msg.headers)[1] is hdrs.CONTENT_TYPE
    assert isinstance(list(msg.headers)[1], istr)


def test_repeated_headers_are_kept_in_order() -> None:
    msg = parse(req(b"GET / HTTP/1.1\nHost: h\nX: 1\nX: 2\nCookie: a\nX: 3"))[0]
    assert msg.headers.getall("x") == ["1", "2", "3"]
    assert [n for n, _ in msg.raw_headers] == [b"Host", b"X", b"X", b"Cookie", b"X"]


def test_custom_method_and_http10_without_host() -> None:
    msg = parse(b"PURGE-ALL /x HTTP/1.0\r\n\r\n")[0]
    assert msg.method == "PURGE-ALL"
    assert msg.version is HttpVersion10
    assert msg.should_close is True


# --- request targets --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target", "url"),
    [
        ("GET", "/", URL("/")),
        ("GET", "/a/b?x=1&y=2", URL("/a/b?x=1&y=2")),
        ("GET", "/a%20b", URL.build(path="/a%20b", encoded=True)),
        ("GET", "/p#frag", URL("/p#frag")),
        ("GET", "http://example.com/x?y", URL("http://example.com/x?y")),
        ("GET", "https://user@h:8443", URL("https://user@h:8443")),
        ("OPTIONS", "*", URL("*")),
        ("CONNECT", "example.com:443", URL.build(authority="example.com:443")),
        ("CONNECT", "[::1]:8080", URL("//[::1]:8080")),
    ],
)
def test_request_target_forms(method: str, target: str, url: URL) -> None:
    data = f"{method} {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode()
    msg = parse(data)[0]
    assert msg.path == target
    assert msg.url == url


def test_origin_form_urls_are_cached_and_shared() -> None:
    first = parse(req(b"GET /cached?x HTTP/1.1\nHost: h"))[0].url
    second = parse(req(b"GET /cached?x HTTP/1.1\nHost: h"))[0].url
    assert first is second


def test_url_cache_is_bounded() -> None:
    from aiohttp import _http_parser_py as http_parser

    parser = HttpRequestParser()
    for i in range(http_parser._URL_CACHE_SIZE + 5):
        parser.feed_data(f"GET /n{i} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert len(http_parser._URL_CACHE) <= http_parser._URL_CACHE_SIZE
    long_target = "/" + "x" * 300
    parser.feed_data(f"GET {long_target} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert long_target not in http_parser._URL_CACHE


# --- connection semantics -----------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "connection", "should_close"),
    [
        (b"1.1", None, False),
        (b"1.1", b"keep-alive", False),
        (b"1.1", b"close", True),
        (b"1.1", b"Close", True),
        (b"1.1", b"keep-alive, close", True),
        (b"1.1", b"TE, close", True),
        (b"1.1", b"upgrade", False),
        (b"1.0", None, True),
        (b"1.0", b"keep-alive", False),
        (b"1.0", b"Keep-Alive", False),
        (b"1.0", b"foo, keep-alive", False),
        (b"1.0", b"keep-alive, close", True),
        (b"1.0", b"close", True),
        (b"1.0", b"foo", True),
    ],
)
def test_keep_alive_rules(
    version: bytes, connection: bytes | None, should_close: bool
) -> None:
    head = b"GET / HTTP/" + version + b"\nHost: h"
    if connection is not None:
        head += b"\nConnection: " + connection
    assert parse(req(head))[0].should_close is should_close


def test_connection_tokens_from_several_lines() -> None:
    msg = parse(req(b"GET / HTTP/1.0\nConnection: foo\nConnection: keep-alive"))[0]
    assert msg.should_close is False


def test_websocket_upgrade_switches_to_raw_mode() -> None:
    parser = HttpRequestParser()
    head = req(
        b"GET /ws HTTP/1.1\nHost: h\nConnection: keep-alive, Upgrade\n"
        b"Upgrade: WebSocket\nSec-WebSocket-Key: abc\nSec-WebSocket-Version: 13"
    )
    assert parser.upgraded is False
    events = parser.feed_data(head + b"\x81\x05hello")
    assert [type(e) for e in events] == [RawRequestMessage, bytes]
    assert events[0].upgrade is True
    assert events[1] == b"\x81\x05hello"
    assert parser.upgraded is True
    assert parser.feed_data(b"GET / HTTP/1.1\r\n\r\n") == [b"GET / HTTP/1.1\r\n\r\n"]
    assert parser.feed_data(b"") == []
    assert parser.feed_eof() == []
    assert parser.upgraded is True
    assert parser.feed_data(b"late") == []


def test_websocket_upgrade_split_bytewise() -> None:
    data = (
        req(b"GET / HTTP/1.1\nHost: h\nConnection: upgrade\nUpgrade: websocket")
        + b"xyz"
    )
    events = merge_bytes(bytewise(data))
    assert events[1:] == [b"xyz"]


def test_upgrade_needs_both_connection_token_and_upgrade_header() -> None:
    msg = parse(req(b"GET / HTTP/1.1\nHost: h\nUpgrade: websocket"))[0]
    assert msg.upgrade is False
    msg = parse(req(b"GET / HTTP/1.1\nHost: h\nConnection: upgrade"))[0]
    assert msg.upgrade is False


def test_h2c_upgrade_is_parsed_as_http11() -> None:
    parser = HttpRequestParser()
    data = req(
        b"POST / HTTP/1.1\nHost: h\nConnection: Upgrade, HTTP2-Settings\n"
        b"Upgrade: h2c\nHTTP2-Settings: AAMAAABkAAQAAP__\nContent-Length: 2",
        b"hi",
    )
    events = parser.feed_data(data + GET)
    assert events[0].upgrade is True
    assert events[1:3] == [b"hi", END_OF_MESSAGE]
    assert type(events[3]) is RawRequestMessage
    assert parser.upgraded is False


def test_connect_switches_to_raw_mode() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03")
    assert [type(e) for e in events] == [RawRequestMessage, bytes]
    msg = events[0]
    assert msg.method == "CONNECT"
    assert msg.path == "h:443"
    assert msg.url.host == "h" and msg.url.port == 443
    assert msg.upgrade is True
    assert parser.upgraded is True


# --- content encodings ----------------------------------------------------------------


def encoded_post(encoding: bytes, body: bytes) -> bytes:
    head = b"POST / HTTP/1.1\nHost: h\nContent-Encoding: " + encoding
    head += b"\nContent-Length: " + str(len(body)).encode()
    return req(head, body)


TEXT = b"The quick brown fox jumps over the lazy dog. " * 50


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        (b"gzip", gzip.compress(TEXT)),
        (b"GZIP", gzip.compress(TEXT)),
        (b"gzip", gzip.compress(TEXT[:100]) + gzip.compress(TEXT[100:])),
        (b"deflate", zlib.compress(TEXT)),
        (b"deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, no zlib wrapper
    ],
    ids=["gzip", "upper-case", "gzip-members", "deflate-zlib", "deflate-raw"],
)
def test_decompression(encoding: bytes, body: bytes) -> None:
    data = encoded_post(encoding, body)
    for events in (parse(data), bytewise(data)):
        msg = events[0]
        assert msg.compression == encoding.decode().lower()
        assert b"".join(e for e in events if type(e) is bytes) == TEXT
        assert all(e for e in events if type(e) is bytes)  # never empty
        assert events[-1] is END_OF_MESSAGE


def test_decompression_of_a_chunked_body() -> None:
    body = gzip.compress(TEXT)
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 50]), body[i : i + 50])
        for i in range(0, len(body), 50)
    )
    data = req(
        b"POST / HTTP/1.1\nHost: h\nContent-Encoding: gzip\nTransfer-Encoding: chunked",
        chunks + b"0\r\n\r\n",
    )
    events = parse(data)
    assert b"".join(e for e in events if type(e) is bytes) == TEXT
    assert events.count(END_OF_CHUNK) == (len(body) + 49) // 50


def test_auto_decompress_false_passes_the_body_through() -> None:
    body = gzip.compress(TEXT)
    events = parse(encoded_post(b"gzip", body), auto_decompress=False)
    assert events[0].compression == "gzip"
    assert events[1] == body


def test_unknown_content_encoding_is_not_decoded() -> None:
    events = parse(encoded_post(b"identity", b"abc"))
    assert events[0].compression is None
    assert events[1] == b"abc"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        (b"gzip", b"this is not gzip at all"),
        (b"gzip", gzip.compress(TEXT)[:-8]),
        (b"deflate", zlib.compress(TEXT)[:20]),
        (b"deflate", b"x"),
        (b"deflate", b"\x78\x9c" + b"\xff" * 30),
    ],
    ids=["garbage", "gzip-truncated", "deflate-truncated", "one-byte", "corrupt"],
)
def test_corrupt_compressed_body(encoding: bytes, body: bytes) -> None:
    events = parse(encoded_post(encoding, body))
    assert type(events[0]) is RawRequestMessage
    error = events[-1]
    assert isinstance(error, ContentEncodingError)
    assert error.code == 400
    assert "content-encoding" in error.message


def test_empty_compressed_body_is_fine() -> None:
    events = parse(encoded_post(b"gzip", b""))
    assert events[1:] == [END_OF_MESSAGE]
    data = req(
        b"POST / HTTP/1.1\nHost: h\nContent-Encoding: gzip\nTransfer-Encoding: chunked",
        b"0\r\n\r\n",
    )
    assert parse(data)[1:] == [END_OF_MESSAGE]


@pytest.mark.parametrize("encoding", [b"br", b"zstd"])
def test_missing_optional_decoder_is_an_error(
    encoding: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http_parser_decoders, "brotli", None)
    monkeypatch.setattr(_http_parser_decoders, "zstd", None)
    events = parse(encoded_post(encoding, b"abc"))
    assert events[0].compression == encoding.decode()
    error = events[-1]
    assert isinstance(error, ContentEncodingError)
    assert "install" in error.message
    # Without auto_decompress the encoded bytes pass through.
    assert parse(encoded_post(encoding, b"abc"), auto_decompress=False)[1] == b"abc"


class FakeBrotli:
    """Stands in for the brotli module: 'decodes' by upper-casing."""

    error = ValueError

    class Decompressor:
        def __init__(self) -> None:
            self.done = False

        def process(self, data: bytes) -> bytes:
            if b"!" in data:
                raise ValueError("bad stream")
            self.done = data.endswith(b".")
            return data.upper()

        def is_finished(self) -> bool:
            return self.done


class FakeZstd:
    """Stands in for compression.zstd / zstandard."""

    class ZstdError(Exception):
        pass

    class ZstdDecompressor:
        def __init__(self) -> None:
            self.eof = False

        def decompress(self, data: bytes) -> bytes:
            if b"!" in data:
                raise FakeZstd.ZstdError("bad frame")
            self.eof = data.endswith(b".")
            return data.upper()


@pytest.mark.parametrize("encoding", [b"br", b"zstd"])
def test_optional_decoders(encoding: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http_parser_decoders, "brotli", FakeBrotli)
    monkeypatch.setattr(_http_parser_decoders, "zstd", FakeZstd)
    assert parse(encoded_post(encoding, b"abc."))[1] == b"ABC."
    assert isinstance(parse(encoded_post(encoding, b"abc"))[-1], ContentEncodingError)
    assert isinstance(parse(encoded_post(encoding, b"a!c"))[-1], ContentEncodingError)


def test_brotli_binding_with_decompress_method(monkeypatch: pytest.MonkeyPatch) -> None:
    class Decompressor:
        def decompress(self, data: bytes) -> bytes:
            return data[::-1]

    class Module:
        pass

    module = Module()
    module.Decompressor = Decompressor  # type: ignore[attr-defined]
    monkeypatch.setattr(_http_parser_decoders, "brotli", module)
    assert parse(encoded_post(b"br", b"abc"))[1:] == [b"cba", END_OF_MESSAGE]


def test_zstandard_style_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    class Obj:
        def decompress(self, data: bytes) -> bytes:
            return data * 2

    class ZstdDecompressor:
        def decompressobj(self) -> Obj:
            return Obj()

    class Module:
        ZstdError = ValueError

    module = Module()
    module.ZstdDecompressor = ZstdDecompressor  # type: ignore[attr-defined]
    monkeypatch.setattr(_http_parser_decoders, "zstd", module)
    assert parse(encoded_post(b"zstd", b"ab"))[1:] == [b"abab", END_OF_MESSAGE]


def test_optional_module_loader() -> None:
    assert _http_parser_decoders._optional_module("no_such_module_xyz") is None
    assert _http_parser_decoders._optional_module("no_such_module_xyz", "zlib") is zlib


# --- end of input ----------------------------------------------------------


def test_feed_eof_when_idle() -> None:
    parser = HttpRequestParser()
    assert parser.feed_data(GET)[-1] is END_OF_MESSAGE
    assert parser.feed_eof() == []
    assert parser.feed_data(GET) == []


def test_feed_eof_after_a_lone_cr() -> None:
    parser = HttpRequestParser()
    parser.feed_data(GET + b"\r")
    assert parser.feed_eof() == []


def test_feed_eof_with_partial_head() -> None:
    parser = HttpRequestParser()
    assert parser.feed_data(b"GET / HTTP/1.1\r\nHo") == []
    error = error_of(parser.feed_eof())
    assert type(error) is BadHttpMessage
    assert "before the message head was complete" in error.message


def test_feed_eof_with_incomplete_content_length_body() -> None:
    parser = HttpRequestParser()
    parser.feed_data(POST[:-3])
    error = error_of(parser.feed_eof())
    assert isinstance(error, ContentLengthError)
    assert "8 of 11 bytes" in error.message


@pytest.mark.parametrize("cut", [1, 5, 8, 20, 30])
def test_feed_eof_with_incomplete_chunked_body(cut: int) -> None:
    parser = HttpRequestParser()
    body_start = CHUNKED.index(b"\r\n\r\n") + 4
    parser.feed_data(CHUNKED[: body_start + cut])
    assert isinstance(error_of(parser.feed_eof()), TransferEncodingError)


def test_parser_is_closed_after_an_error() -> None:
    parser = HttpRequestParser()
    events = parser.feed_data(GET + b"BAD\x00 / HTTP/1.1\r\n\r\n" + GET)
    assert [type(e) for e in events] == [RawRequestMessage, EndOfMessage, BadHttpMethod]
    assert parser.feed_data(GET) == []
    assert parser.feed_eof() == []


def test_limits_must_be_positive_ints() -> None:
    with pytest.raises(ValueError, match="max_line_size must be a positive int"):
        HttpRequestParser(max_line_size=0)
    with pytest.raises(ValueError, match="max_headers"):
        HttpRequestParser(max_headers="10")  # type: ignore[arg-type]


def test_empty_lines_before_a_request_are_ignored() -> None:
    events = parse(b"\r\n" * 4 + GET + b"\r\n\r\n" + GET)
    assert [type(e) for e in events] == [RawRequestMessage, EndOfMessage] * 2
    assert merge_bytes(bytewise(b"\r\n" * 4 + GET)) == merge_bytes(parse(GET))


def test_too_many_empty_lines_are_rejected() -> None:
    error = error_of(parse(b"\r\n" * 5 + GET))
    assert type(error) is BadHttpMessage
    assert "empty lines" in error.message
    assert isinstance(error_of(bytewise(b"\r\n" * 5 + GET)), BadHttpMessage)
