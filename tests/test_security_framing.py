"""Request smuggling and framing attacks (RFC 9112 sections 6 and 11) over sockets.

Every vector is sent as raw bytes on a real TCP connection. The server must
answer it with an error status and close the connection, never call the
handler (not even for a request smuggled behind it), and keep serving a fresh
connection normally. The response parser (the client's side) is held to the
same rules in a sans-IO table at the end.
"""

import asyncio
from typing import Any, Optional

import pytest

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import HttpResponseParser, RawResponseMessage

from .conftest import ParsedResponse, RawConnection

HEAD_END = b"\r\n\r\n"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"


def req(*lines: bytes, body: bytes = b"") -> bytes:
    """A request head from its lines (start line first), then ``body``."""
    return b"\r\n".join(lines) + HEAD_END + body


def post(*headers: bytes, body: bytes = b"") -> bytes:
    return req(b"POST /upload HTTP/1.1", b"Host: h", *headers, body=body)


def chunked(body: bytes, *extra: bytes) -> bytes:
    return post(b"Transfer-Encoding: chunked", *extra, body=body)


# (id, raw bytes, expected status, text the error body must contain)
VECTORS: list[tuple[str, bytes, int, str]] = [
    # --- Content-Length with Transfer-Encoding (6.1, 11.2) ----------------------------
    (
        "cl-then-te",
        post(b"Content-Length: 4", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n")
        + SMUGGLED,
        400,
        "together",
    ),
    (
        "te-then-cl",
        post(b"Transfer-Encoding: chunked", b"Content-Length: 30", body=b"0\r\n\r\n")
        + SMUGGLED,
        400,
        "together",
    ),
    (
        "cl-and-te-identity",
        post(b"Content-Length: 3", b"Transfer-Encoding: identity", body=b"abc"),
        400,
        "together",
    ),
    # --- repeated or malformed Content-Length (6.3) -----------------------------------
    (
        "cl-twice-different",
        post(b"Content-Length: 3", b"Content-Length: 40", body=b"abc") + SMUGGLED,
        400,
        "Content-Length",
    ),
    (
        "cl-twice-same",
        post(b"Content-Length: 3", b"Content-Length: 3", body=b"abc"),
        400,
        "Content-Length",
    ),
    ("cl-list", post(b"Content-Length: 3, 3", body=b"abc"), 400, "Content-Length"),
    ("cl-negative", post(b"Content-Length: -1"), 400, "Content-Length"),
    ("cl-plus-sign", post(b"Content-Length: +3", body=b"abc"), 400, "Content-Length"),
    ("cl-hex", post(b"Content-Length: 0x3", body=b"abc"), 400, "Content-Length"),
    ("cl-inner-space", post(b"Content-Length: 1 0"), 400, "Content-Length"),
    ("cl-empty", post(b"Content-Length:"), 400, "Content-Length"),
    ("cl-overflow", post(b"Content-Length: " + b"9" * 30), 400, "Content-Length"),
    (
        "cl-unicode-digit",
        post("Content-Length: \u0663".encode()),
        400,
        "Content-Length",
    ),
    # --- Transfer-Encoding whose last coding is not chunked (6.1) ---------------------
    (
        "te-chunked-not-last",
        post(b"Transfer-Encoding: chunked, identity", body=b"0\r\n\r\n"),
        400,
        "must end with 'chunked'",
    ),
    ("te-gzip-only", post(b"Transfer-Encoding: gzip"), 400, "must end"),
    ("te-xchunked", post(b"Transfer-Encoding: xchunked"), 400, "must end"),
    (
        "te-chunked-twice",
        post(b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
        400,
        "more than once",
    ),
    (
        "te-unknown-coding",
        post(b"Transfer-Encoding: gzip, chunked", body=b"0\r\n\r\n"),
        501,  # RFC 9112 6.1: a coding the server does not understand
        "gzip",
    ),
    (
        "te-http10",
        req(b"POST / HTTP/1.0", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
        400,
        "HTTP/1.0",
    ),
    (
        "te-space-before-colon",
        post(b"Transfer-Encoding : chunked", body=b"0\r\n\r\n"),
        400,
        "whitespace",
    ),
    (
        "te-obs-fold",
        post(b"Transfer-Encoding:", b" chunked", body=b"0\r\n\r\n"),
        400,
        "folding",
    ),
    # --- chunk framing (7.1) ----------------------------------------------------------
    (
        "chunk-size-overflow",
        chunked(b"1" + b"0" * 16 + b"\r\nx\r\n0\r\n\r\n"),
        400,
        "too large",
    ),
    (
        "chunk-size-2**64",
        chunked(b"10000000000000000\r\nx\r\n0\r\n\r\n"),
        400,
        "too large",
    ),
    ("chunk-size-junk", chunked(b"5x\r\nhello\r\n0\r\n\r\n"), 400, "chunk"),
    ("chunk-size-0x", chunked(b"0x5\r\nhello\r\n0\r\n\r\n"), 400, "chunk"),
    ("chunk-size-negative", chunked(b"-5\r\nhello\r\n0\r\n\r\n"), 400, "chunk"),
    ("chunk-size-space", chunked(b" 5\r\nhello\r\n0\r\n\r\n"), 400, "chunk"),
    ("chunk-size-empty", chunked(b"\r\nhello\r\n0\r\n\r\n"), 400, "chunk"),
    (
        "chunk-ext-ctl",
        chunked(b"5;a=\x01\r\nhello\r\n0\r\n\r\n"),
        400,
        "extension",
    ),
    (
        "chunk-ext-nul",
        chunked(b"5;a\x00=b\r\nhello\r\n0\r\n\r\n"),
        400,
        "extension",
    ),
    (
        "chunk-ext-open-quote",
        chunked(b'5;a="x\r\nhello\r\n0\r\n\r\n'),
        400,
        "extension",
    ),
    (
        "chunk-ext-bad-name",
        chunked(b"5;a(b)\r\nhello\r\n0\r\n\r\n"),
        400,
        "extension",
    ),
    (
        "chunk-data-no-crlf",
        chunked(b"5\r\nhelloXX0\r\n\r\n") + SMUGGLED,
        400,
        "CRLF",
    ),
    (
        "chunk-data-too-short",
        chunked(b"8\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
        400,
        "chunk-size",
    ),
    (
        "chunk-data-lf-only",
        chunked(b"5\r\nhello\n0\r\n\r\n"),
        400,
        "CRLF",
    ),
    ("chunk-size-bare-lf", chunked(b"5\nhello\r\n0\r\n\r\n"), 400, "bare LF"),
    ("chunk-size-bare-cr", chunked(b"5\rhello\r\n0\r\n\r\n"), 400, "bare CR"),
    (
        "chunk-last-bare-lf",
        chunked(b"0\n\r\n") + SMUGGLED,
        400,
        "bare LF",
    ),
    (
        "trailer-obs-fold",
        chunked(b"0\r\nX: a\r\n b\r\n\r\n"),
        400,
        "folding",
    ),
    (
        "trailer-nul",
        chunked(b"0\r\nX: a\x00\r\n\r\n"),
        400,
        "0x00",
    ),
    # --- line endings: bare CR and bare LF (2.2) --------------------------------------
    ("lf-only-head", b"GET / HTTP/1.1\nHost: h\n\n", 400, "bare LF"),
    ("bare-lf-in-request-line", b"GET / HTTP/1.1\nHost: h\r\n\r\n", 400, "bare LF"),
    ("bare-lf-in-header", b"GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400, "bare LF"),
    ("bare-lf-end-of-head", b"GET / HTTP/1.1\r\nHost: h\r\n\n", 400, "bare LF"),
    ("bare-cr-in-header", b"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400, "bare CR"),
    (
        "bare-cr-in-request-line",
        b"GET /\r HTTP/1.1\r\nHost: h\r\n\r\n",
        400,
        "bare CR",
    ),
    (
        "bare-cr-hides-header",
        b"GET / HTTP/1.1\r\nHost: h\r\nX: 1\rContent-Length: 5\r\n\r\nhello",
        400,
        "bare CR",
    ),
    # --- obs-fold (5.2) ---------------------------------------------------------------
    (
        "obs-fold-space",
        req(b"GET / HTTP/1.1", b"Host: h", b"X: a", b" b"),
        400,
        "folding",
    ),
    (
        "obs-fold-tab",
        req(b"GET / HTTP/1.1", b"Host: h", b"X: a", b"\tb"),
        400,
        "folding",
    ),
    (
        "obs-fold-cl",
        post(b"Content-Length:", b" 5", body=b"hello"),
        400,
        "folding",
    ),
    # --- NUL and control bytes --------------------------------------------------------
    ("nul-in-value", req(b"GET / HTTP/1.1", b"Host: h", b"X: a\x00b"), 400, "0x00"),
    ("ctl-in-value", req(b"GET / HTTP/1.1", b"Host: h", b"X: a\x01b"), 400, "0x01"),
    ("del-in-value", req(b"GET / HTTP/1.1", b"Host: h", b"X: a\x7fb"), 400, "0x7f"),
    ("esc-in-value", req(b"GET / HTTP/1.1", b"Host: h", b"X: \x1b[2J"), 400, "0x1b"),
    ("nul-in-name", req(b"GET / HTTP/1.1", b"Host: h", b"X\x00Y: a"), 400, "token"),
    ("ctl-in-name", req(b"GET / HTTP/1.1", b"Host: h", b"X\x01: a"), 400, "token"),
    ("nul-in-target", req(b"GET /a\x00b HTTP/1.1", b"Host: h"), 400, "control"),
    ("ctl-in-target", req(b"GET /a\x01b HTTP/1.1", b"Host: h"), 400, "control"),
    ("del-in-target", req(b"GET /a\x7f HTTP/1.1", b"Host: h"), 400, "control"),
    ("nul-before-request", b"\x00GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "method"),
    # --- whitespace before the colon (5.1) --------------------------------------------
    (
        "space-before-colon",
        req(b"GET / HTTP/1.1", b"Host : h"),
        400,
        "whitespace",
    ),
    (
        "tab-before-colon",
        post(b"Content-Length\t: 5", body=b"hello"),
        400,
        "whitespace",
    ),
    ("space-in-name", req(b"GET / HTTP/1.1", b"Host: h", b"X Y: 1"), 400, "token"),
    ("empty-name", req(b"GET / HTTP/1.1", b"Host: h", b": 1"), 400, "empty"),
    ("no-colon", req(b"GET / HTTP/1.1", b"Host: h", b"Oops"), 400, "colon"),
    (
        "leading-space-first-header",
        req(b"GET / HTTP/1.1", b" Host: h"),
        400,
        "folding",
    ),
    # --- invalid method, target and version (3) ---------------------------------------
    ("method-bad-char", req(b"G(T / HTTP/1.1", b"Host: h"), 400, "method"),
    ("method-non-ascii", req("G\u00c9T / HTTP/1.1".encode(), b"Host: h"), 400, ""),
    ("method-empty", req(b" / HTTP/1.1", b"Host: h"), 400, "method"),
    ("method-tab", req(b"GET\t/ HTTP/1.1", b"Host: h"), 400, "method"),
    ("target-relative", req(b"GET foo HTTP/1.1", b"Host: h"), 400, "request-target"),
    ("target-space", req(b"GET /a b HTTP/1.1", b"Host: h"), 400, ""),
    ("target-asterisk-get", req(b"GET * HTTP/1.1", b"Host: h"), 400, "OPTIONS"),
    (
        "target-connect-origin-form",
        req(b"CONNECT / HTTP/1.1", b"Host: h"),
        400,
        "authority",
    ),
    ("double-space", req(b"GET  / HTTP/1.1", b"Host: h"), 400, "single spaces"),
    ("trailing-space", req(b"GET / HTTP/1.1 ", b"Host: h"), 400, "single spaces"),
    ("no-version", req(b"GET /", b"Host: h"), 400, "request line"),
    ("version-lower-case", req(b"GET / http/1.1", b"Host: h"), 400, "version"),
    ("version-garbage", req(b"GET / HTTP/1.1x", b"Host: h"), 400, "version"),
    ("version-no-minor", req(b"GET / HTTP/1", b"Host: h"), 400, "version"),
    ("version-2", req(b"GET / HTTP/2.0", b"Host: h"), 505, "2.0"),
    ("version-1.2", req(b"GET / HTTP/1.2", b"Host: h"), 505, "1.2"),
    ("version-0.9", req(b"GET / HTTP/0.9", b"Host: h"), 505, "0.9"),
    ("tls-handshake", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, ""),
    # --- Host (3.2) -------------------------------------------------------------------
    ("http11-no-host", req(b"GET / HTTP/1.1", b"X: y"), 400, "Missing Host"),
    ("http11-two-hosts", req(b"GET / HTTP/1.1", b"Host: a", b"Host: b"), 400, "Host"),
    (
        "http10-two-hosts",
        req(b"GET / HTTP/1.0", b"Host: a", b"Host: a"),
        400,
        "Host",
    ),
    # --- requests pipelined after a bad one never run ---------------------------------
    (
        "pipelined-after-bad-header",
        req(b"GET /bad HTTP/1.1", b"Host: h", b"X : y") + SMUGGLED + SMUGGLED,
        400,
        "whitespace",
    ),
    (
        "pipelined-after-bad-request-line",
        b"GET /bad HTTP/1.1 x\r\nHost: h\r\n\r\n" + SMUGGLED,
        400,
        "request line",
    ),
    (
        "pipelined-after-bad-chunk",
        chunked(b"zz\r\n\r\n") + SMUGGLED,
        400,
        "chunk",
    ),
    (
        "too-many-empty-lines",
        b"\r\n" * 6 + SMUGGLED,
        400,
        "empty lines",
    ),
]


class Counter:
    """The handler of every test: counts calls, answers 200 with the path."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, request: web.BaseRequest) -> web.Response:
        self.paths.append(request.path)
        await request.read()
        return web.Response(text=f"served {request.path}")


async def read_all(conn: RawConnection) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := await conn.reader.read(65536):
        data += chunk
    return data


def parse_responses(data: bytes, method: str = "GET") -> list[ParsedResponse]:
    """The complete responses in ``data`` (a closed connection's output)."""
    parser = HttpResponseParser()
    parser.request_method = method
    out: list[ParsedResponse] = []
    for event in parser.feed_data(data) + parser.feed_eof():
        if isinstance(event, RawResponseMessage):
            out.append(ParsedResponse(event))
        elif type(event) is bytes:
            out[-1].body += event
        elif isinstance(event, BadHttpMessage):
            raise AssertionError(f"server sent a malformed response: {event!r}")
    return out


async def assert_served(port: int, raw_connect: Any, counter: Counter) -> None:
    """A fresh connection gets normal service."""
    before = len(counter.paths)
    conn = await raw_connect(port)
    conn.send(b"GET /fresh HTTP/1.1\r\nHost: h\r\n\r\n")
    resp = await asyncio.wait_for(conn.response(), 10)
    assert resp.status == 200
    assert resp.body == b"served /fresh"
    assert counter.paths[before:] == ["/fresh"]


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [case[1:] for case in VECTORS],
    ids=[case[0] for case in VECTORS],
)
async def test_vector_gets_an_error_and_a_close(
    raw_server: Any, raw_connect: Any, data: bytes, status: int, text: str
) -> None:
    counter = Counter()
    srv = await raw_server(counter)
    conn = await raw_connect(srv.port)
    conn.send(data)
    received = await asyncio.wait_for(read_all(conn), 10)  # the server closes
    responses = parse_responses(received)
    assert [r.status for r in responses] == [status], received[:300]
    (resp,) = responses
    assert resp.head.should_close
    assert resp.head.headers["Connection"] == "close"
    assert text.encode() in resp.body, resp.body
    assert counter.paths == []
    await assert_served(srv.port, raw_connect, counter)


def test_vector_ids_are_unique() -> None:
    ids = [case[0] for case in VECTORS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "bad",
    [
        req(b"GET /bad HTTP/1.1", b"Host: h", b"X : y"),
        post(b"Content-Length: 3", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
        chunked(b"5\r\nhelloXX"),
    ],
    ids=["bad-header", "cl-and-te", "bad-chunk"],
)
async def test_good_requests_before_a_bad_one_are_answered_first(
    raw_server: Any, raw_connect: Any, bad: bytes
) -> None:
    counter = Counter()
    srv = await raw_server(counter)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /one HTTP/1.1\r\nHost: h\r\n\r\n" + bad + SMUGGLED)
    responses = parse_responses(await asyncio.wait_for(read_all(conn), 10))
    assert [r.status for r in responses] == [200, 400]
    assert responses[0].body == b"served /one"
    assert counter.paths == ["/one"]


async def test_bad_chunk_arriving_while_the_handler_reads_is_400_not_500(
    raw_server: Any, raw_connect: Any
) -> None:
    reading = asyncio.Event()
    counter = Counter()

    async def handler(request: web.BaseRequest) -> web.Response:
        reading.set()
        return await counter(request)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(chunked(b"5\r\nhello\r\n"))
    await reading.wait()
    conn.send(b"zz\r\n\r\n" + SMUGGLED)
    responses = parse_responses(await asyncio.wait_for(read_all(conn), 10))
    assert [r.status for r in responses] == [400]
    assert b"chunk" in responses[0].body
    assert counter.paths == ["/upload"]  # it ran, but never saw a valid body
    await assert_served(srv.port, raw_connect, counter)


async def test_valid_framing_is_served(raw_server: Any, raw_connect: Any) -> None:
    """The near misses of the table above are fine and reach the handler."""
    counter = Counter()
    srv = await raw_server(counter)
    conn = await raw_connect(srv.port)
    conn.send(
        post(b"Content-Length: 5", body=b"hello")
        + chunked(b'5;a=b;c="d e"\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n')
        + post(b"Transfer-Encoding: Chunked", body=b"0\r\n\r\n")
        + b"\r\n"  # one stray CRLF between requests is tolerated
        + req(b"GET /last HTTP/1.1", b"Host: h", b"Connection: close")
    )
    responses = parse_responses(await asyncio.wait_for(read_all(conn), 10))
    assert [r.status for r in responses] == [200, 200, 200, 200]
    assert counter.paths == ["/upload", "/upload", "/upload", "/last"]


# --- the response parser (client side) is just as strict ------------------------------


def resp(*lines: bytes, body: bytes = b"") -> bytes:
    return b"\r\n".join((b"HTTP/1.1 200 OK", *lines)) + HEAD_END + body


RESPONSE_VECTORS: list[tuple[str, bytes, str]] = [
    (
        "cl-and-te",
        resp(b"Content-Length: 3", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
        "together",
    ),
    ("cl-twice", resp(b"Content-Length: 3", b"Content-Length: 4"), "Content-Length"),
    ("cl-list", resp(b"Content-Length: 3, 3"), "Content-Length"),
    ("cl-negative", resp(b"Content-Length: -3"), "Content-Length"),
    ("cl-hex", resp(b"Content-Length: 0x3"), "Content-Length"),
    (
        "te-chunked-twice",
        resp(b"Transfer-Encoding: chunked, chunked", body=b"0\r\n\r\n"),
        "more than once",
    ),
    (
        "chunk-size-overflow",
        resp(b"Transfer-Encoding: chunked", body=b"1" + b"0" * 16 + b"\r\n"),
        "too large",
    ),
    (
        "chunk-size-junk",
        resp(b"Transfer-Encoding: chunked", body=b"5x\r\nhello\r\n"),
        "chunk",
    ),
    (
        "chunk-ext-ctl",
        resp(b"Transfer-Encoding: chunked", body=b"5;\x01\r\nhello\r\n"),
        "extension",
    ),
    (
        "chunk-no-crlf",
        resp(b"Transfer-Encoding: chunked", body=b"5\r\nhelloXX"),
        "CRLF",
    ),
    ("bare-lf", b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "bare LF"),
    ("bare-cr", b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "bare CR"),
    ("obs-fold", resp(b"X: a", b" b"), "folding"),
    ("nul-in-value", resp(b"X: a\x00"), "0x00"),
    ("space-before-colon", resp(b"Content-Length : 0"), "whitespace"),
    ("bad-version", b"HTTP/1.x 200 OK\r\n\r\n", "version"),
    ("bad-status", b"HTTP/1.1 2000 OK\r\n\r\n", "status"),
    ("status-out-of-range", b"HTTP/1.1 600 OK\r\n\r\n", "100-599"),
]


@pytest.mark.parametrize(
    "data", [c[1] for c in RESPONSE_VECTORS], ids=[c[0] for c in RESPONSE_VECTORS]
)
@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_response_parser_rejects(data: bytes, bytewise: bool) -> None:
    text = {c[1]: c[2] for c in RESPONSE_VECTORS}[data]
    parser = HttpResponseParser()
    events: list[Any] = []
    pieces = [data[i : i + 1] for i in range(len(data))] if bytewise else [data]
    for piece in pieces:
        events += parser.feed_data(piece)
    error: Optional[Any] = events[-1] if events else None
    assert isinstance(error, BadHttpMessage), events
    assert text in error.message, error.message
    assert parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == []
