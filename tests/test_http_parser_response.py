"""Tests of the sans-IO HTTP/1.1 response parser (the client side)."""

import gzip
from typing import Any

import pytest

from aiohttp._http_version import HttpVersion10, HttpVersion11
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
    UnsupportedHttpVersion,
    UnsupportedTransferEncoding,
)
from aiohttp.http_parser import (
    END_OF_CHUNK,
    END_OF_MESSAGE,
    EndOfMessage,
    HttpResponseParser,
    RawResponseMessage,
)

from ._http_parser_helpers import (
    bytewise,
    error_of,
    merge_bytes,
    parse,
    split_at,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nExpires: never\r\n\r\n"
)


def resp(head: bytes, body: bytes = b"") -> bytes:
    return head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body


def test_typical_response() -> None:
    events = parse(OK, response=True)
    msg = events[0]
    assert type(msg) is RawResponseMessage
    assert msg.version is HttpVersion11
    assert msg.code == 200
    assert msg.reason == "OK"
    assert msg.headers["content-type"] == "text/plain"
    assert msg.raw_headers == (
        (b"Content-Type", b"text/plain"),
        (b"Content-Length", b"5"),
    )
    assert msg.should_close is False
    assert msg.compression is None
    assert msg.upgrade is False
    assert msg.chunked is False
    assert events[1:] == [b"hello", END_OF_MESSAGE]
    assert RawResponseMessage._fields == (
        "version",
        "code",
        "reason",
        "headers",
        "raw_headers",
        "should_close",
        "compression",
        "upgrade",
        "chunked",
    )


@pytest.mark.parametrize(
    ("line", "version", "code", "reason"),
    [
        (b"HTTP/1.1 200 OK", HttpVersion11, 200, "OK"),
        (b"HTTP/1.0 404 Not Found", HttpVersion10, 404, "Not Found"),
        (b"HTTP/1.1 200", HttpVersion11, 200, ""),
        (b"HTTP/1.1 200 ", HttpVersion11, 200, ""),
        (
            b"HTTP/1.1 599 Custom  reason\twith tab",
            HttpVersion11,
            599,
            "Custom  reason\twith tab",
        ),
        (b"HTTP/1.1 100 Continue", HttpVersion11, 100, "Continue"),
        (
            "HTTP/1.1 200 D\u00e9j\u00e0 vu".encode(),
            HttpVersion11,
            200,
            "D\u00e9j\u00e0 vu",
        ),
    ],
)
def test_status_lines(line: bytes, version: object, code: int, reason: str) -> None:
    parser = HttpResponseParser()
    parser.request_method = "HEAD"
    msg = parser.feed_data(line + b"\r\n\r\n")[0]
    assert (msg.version, msg.code, msg.reason) == (version, code, reason)


@pytest.mark.parametrize(
    ("line", "exc_type", "text"),
    [
        (b"HTTP/1.1 20 OK", BadStatusLine, "3DIGIT"),
        (b"HTTP/1.1 2000 OK", BadStatusLine, "3DIGIT"),
        (b"HTTP/1.1 099 Low", BadStatusLine, "100-599"),
        (b"HTTP/1.1 600 High", BadStatusLine, "100-599"),
        (b"HTTP/1.1  200 OK", BadStatusLine, "3DIGIT"),
        (b"HTTP/1.1 abc OK", BadStatusLine, "3DIGIT"),
        (b"HTTP/1.1 200 O\x00K", BadStatusLine, "3DIGIT"),
        (b"HTTP/2.0 200 OK", UnsupportedHttpVersion, "2.0"),
        (b"HTTP/2 200 OK", BadStatusLine, "version"),
        (b"ICY 200 OK", BadStatusLine, "version"),
        (b"http/1.1 200 OK", BadStatusLine, "version"),
        (b"HTTP/1.1 200 OK\nX: y", BadHttpMessage, "bare LF"),
    ],
)
def test_bad_status_lines(
    line: bytes, exc_type: type[BadHttpMessage], text: str
) -> None:
    data = line + b"\r\nContent-Length: 0\r\n\r\n"
    for events in (parse(data, response=True), bytewise(data, response=True)):
        error = error_of(events)
        assert type(error) is exc_type
        assert text in error.message, error.message


def test_header_rules_apply_to_responses() -> None:
    error = error_of(parse(resp(b"HTTP/1.1 200 OK\nX : y"), response=True))
    assert type(error) is InvalidHeader
    error = error_of(
        parse(resp(b"HTTP/1.1 200 OK\nContent-Length: 1, 1"), response=True)
    )
    assert type(error) is InvalidHeader


@pytest.mark.parametrize(
    ("method", "status"),
    [("HEAD", 200), ("GET", 204), ("GET", 304), ("HEAD", 404), ("POST", 304)],
)
def test_responses_without_a_body(method: str, status: int) -> None:
    parser = HttpResponseParser()
    parser.request_method = method
    data = resp(b"HTTP/1.1 %d X\nContent-Length: 100\nContent-Type: text/html" % status)
    events = parser.feed_data(data + data)
    assert [type(e) for e in events] == [RawResponseMessage, EndOfMessage] * 2
    assert events[0].code == status


def test_head_response_with_chunked_has_no_body() -> None:
    parser = HttpResponseParser()
    parser.request_method = "HEAD"
    events = parser.feed_data(resp(b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked") + OK)
    assert events[1] is END_OF_MESSAGE
    assert events[0].chunked is True
    assert events[2].code == 200


def test_informational_then_final_response() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + OK
    )
    expected = [100, "end", 103, "end", 200, b"hello", "end"]
    for events in (parse(data, response=True), bytewise(data, response=True)):
        got = [
            e.code
            if type(e) is RawResponseMessage
            else e
            if type(e) is bytes
            else "end"
            for e in merge_bytes(events)
        ]
        assert got == expected


def test_read_until_eof() -> None:
    parser = HttpResponseParser()
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc")
    assert events[0].should_close is True
    assert events[1:] == [b"abc"]
    assert parser.feed_data(b"def") == [b"def"]
    assert parser.feed_eof() == [END_OF_MESSAGE]
    assert parser.feed_eof() == []


def test_read_until_eof_of_an_http10_response() -> None:
    data = b"HTTP/1.0 200 OK\r\n\r\nall of it"
    events = parse(data, response=True, eof=True)
    assert events[0].should_close is True
    assert events[1:] == [b"all of it", END_OF_MESSAGE]


def test_no_read_until_eof_means_no_body() -> None:
    events = parse(b"HTTP/1.1 200 OK\r\n\r\n" + OK, response=True, read_until_eof=False)
    assert events[1] is END_OF_MESSAGE
    assert events[0].should_close is False
    assert events[2].code == 200


def test_transfer_encoding_not_ending_in_chunked_reads_until_eof() -> None:
    data = resp(b"HTTP/1.1 200 OK\nTransfer-Encoding: gzip", b"raw bytes")
    events = parse(data, response=True, eof=True, read_until_eof=False)
    assert events[0].chunked is False
    assert events[0].should_close is True
    assert events[1:] == [b"raw bytes", END_OF_MESSAGE]


def test_transfer_encoding_errors_in_responses() -> None:
    error = error_of(
        parse(resp(b"HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked"), response=True)
    )
    assert type(error) is UnsupportedTransferEncoding
    error = error_of(
        parse(
            resp(b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nContent-Length: 3"),
            response=True,
        )
    )
    assert "together" in error.message


def test_chunked_response_with_trailers() -> None:
    expected = merge_bytes(parse(CHUNKED, response=True))
    assert expected[1:4] == [b"abc", END_OF_CHUNK, b"de"]
    assert expected[-1] == (
        "trailers",
        [("Expires", "never")],
        ((b"Expires", b"never"),),
    )
    for i in range(len(CHUNKED) + 1):
        assert merge_bytes(split_at(CHUNKED, i, response=True)) == expected
    assert merge_bytes(bytewise(CHUNKED, response=True)) == expected


def test_keep_alive_responses_in_one_feed() -> None:
    events = parse(OK + CHUNKED + OK, response=True)
    assert [e.code for e in events if type(e) is RawResponseMessage] == [200, 200, 200]
    assert sum(type(e) is EndOfMessage for e in events) == 3


def test_http10_keep_alive_response() -> None:
    data = resp(b"HTTP/1.0 200 OK\nConnection: keep-alive\nContent-Length: 2", b"ok")
    events = parse(data, response=True)
    assert events[0].should_close is False
    assert events[1:] == [b"ok", END_OF_MESSAGE]


def test_connection_close_response() -> None:
    data = resp(b"HTTP/1.1 200 OK\nConnection: close\nContent-Length: 2", b"ok")
    assert parse(data, response=True)[0].should_close is True


@pytest.mark.parametrize("cut", [0, 3])
def test_incomplete_content_length_at_eof(cut: int) -> None:
    parser = HttpResponseParser()
    parser.feed_data(OK[: len(OK) - 5 + cut])
    error = error_of(parser.feed_eof())
    assert type(error) is ContentLengthError
    assert f"{cut} of 5 bytes" in error.message


def test_incomplete_chunked_body_at_eof() -> None:
    parser = HttpResponseParser()
    parser.feed_data(CHUNKED[:-10])
    assert type(error_of(parser.feed_eof())) is TransferEncodingError


def test_incomplete_head_at_eof() -> None:
    parser = HttpResponseParser()
    parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-")
    error = error_of(parser.feed_eof())
    assert "before the message head was complete" in error.message


def test_switching_protocols() -> None:
    parser = HttpResponseParser()
    data = resp(
        b"HTTP/1.1 101 Switching Protocols\nConnection: Upgrade\nUpgrade: websocket"
    )
    events = parser.feed_data(data + b"\x81\x02hi")
    assert [type(e) for e in events] == [RawResponseMessage, bytes]
    assert events[0].upgrade is True
    assert events[1] == b"\x81\x02hi"
    assert parser.upgraded is True
    assert parser.feed_data(b"more") == [b"more"]
    assert parser.feed_eof() == []


def test_connect_tunnel_response() -> None:
    parser = HttpResponseParser()
    parser.request_method = "CONNECT"
    events = parser.feed_data(b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03")
    assert events[1:] == [b"\x16\x03"]
    assert parser.upgraded is True


def test_failed_connect_has_a_normal_body() -> None:
    parser = HttpResponseParser()
    parser.request_method = "CONNECT"
    events = parser.feed_data(resp(b"HTTP/1.1 407 Auth\nContent-Length: 2", b"no"))
    assert events[1:] == [b"no", END_OF_MESSAGE]
    assert parser.upgraded is False


def test_status_line_too_long_is_400() -> None:
    data = b"HTTP/1.1 200 " + b"x" * 100 + b"\r\n\r\n"
    for events in (
        parse(data, response=True, max_line_size=50),
        bytewise(data, response=True, max_line_size=50),
    ):
        error = error_of(events)
        assert type(error) is LineTooLong
        assert error.code == 400
        assert "status line" in error.message


def test_response_header_too_long_is_400() -> None:
    data = resp(b"HTTP/1.1 200 OK\nX: " + b"y" * 100)
    error = error_of(parse(data, response=True, max_field_size=50))
    assert type(error) is LineTooLong
    assert error.code == 400


def test_gzip_response() -> None:
    body = gzip.compress(b"compressed " * 100)
    data = resp(
        b"HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Length: %d" % len(body), body
    )
    events: list[Any] = merge_bytes(bytewise(data, response=True))
    assert events[0].compression == "gzip"
    assert events[1:] == [b"compressed " * 100, END_OF_MESSAGE]


def test_gzip_response_read_until_eof() -> None:
    body = gzip.compress(b"until eof " * 100)
    data = resp(b"HTTP/1.1 200 OK\nContent-Encoding: gzip", body)
    events = merge_bytes(parse(data, response=True, eof=True))
    assert events[1:] == [b"until eof " * 100, END_OF_MESSAGE]
    truncated = resp(b"HTTP/1.1 200 OK\nContent-Encoding: gzip", body[:-4])
    assert "truncated" in error_of(parse(truncated, response=True, eof=True)).message


def test_stray_empty_lines_between_responses_are_ignored() -> None:
    events = parse(OK + b"\r\n" + OK, response=True)
    assert [type(e) for e in events].count(RawResponseMessage) == 2


def test_gzip_response_read_until_eof_bytewise() -> None:
    body = gzip.compress(b"slowly " * 10)
    data = resp(b"HTTP/1.1 200 OK\nContent-Encoding: gzip", body)
    events = merge_bytes(bytewise(data, response=True, eof=True))
    assert events[1:] == [b"slowly " * 10, END_OF_MESSAGE]
