"""Property tests of the HTTP parsers: no input makes them raise, and valid
messages parse the same wherever the input is split."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import (
    EndOfChunk,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
)

from ._http_parser_helpers import (
    merge_bytes,
)

EVENT_TYPES = (RawRequestMessage, RawResponseMessage, bytes, EndOfMessage, EndOfChunk)

# Pieces of HTTP that make random inputs reach deep into the parser.
FRAGMENTS = [
    b"GET ",
    b"POST ",
    b"CONNECT ",
    b"/",
    b"/a?b=c",
    b"*",
    b"h:1",
    b" HTTP/1.1",
    b" HTTP/1.0",
    b"HTTP/1.1 ",
    b"200 OK",
    b"101 Switching",
    b"\r\n",
    b"\r\n\r\n",
    b"\n",
    b"\r",
    b" ",
    b"\t",
    b":",
    b";",
    b"=",
    b'"',
    b"Host: h",
    b"Connection: upgrade",
    b"Upgrade: websocket",
    b"Transfer-Encoding: chunked",
    b"Transfer-Encoding: gzip",
    b"Content-Length: 5",
    b"Content-Length: 0",
    b"Content-Encoding: gzip",
    b"Content-Encoding: deflate",
    b"0",
    b"5",
    b"ff",
    b"hello",
    b"\x00",
    b"\x1f\x8b\x08\x00",
    b"x\x9c",
    b"\xff",
]


def check_events(events: list[Any]) -> None:
    """The invariants every returned event list keeps."""
    for i, event in enumerate(events):
        if isinstance(event, BadHttpMessage):
            assert i == len(events) - 1, "an error must be the last event"
            assert event.code in (400, 414, 431, 501, 505)
            assert event.message
            assert "Internal error" not in event.message, event.message
        else:
            assert isinstance(event, EVENT_TYPES), event
            if type(event) is bytes:
                assert event, "empty bytes event"


def feed_pieces(
    parser: HttpRequestParser | HttpResponseParser, data: bytes, cuts: list[int]
) -> list[Any]:
    events: list[Any] = []
    last = 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts}), len(data)]:
        got = parser.feed_data(data[last:cut])
        check_events(got)
        events += got
        last = cut
    got = parser.feed_eof()
    check_events(got)
    return events + got


inputs = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join),
)


@settings(max_examples=200, deadline=None)
@given(data=inputs, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_request_parser_never_raises(data: bytes, cuts: list[int]) -> None:
    events = feed_pieces(HttpRequestParser(max_line_size=200), data, cuts)
    assert sum(isinstance(e, BadHttpMessage) for e in events) <= 1


@settings(max_examples=200, deadline=None)
@given(
    data=inputs,
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
    method=st.sampled_from(["GET", "HEAD", "CONNECT"]),
)
def test_response_parser_never_raises(
    data: bytes, cuts: list[int], method: str
) -> None:
    parser = HttpResponseParser(max_field_size=100)
    parser.request_method = method
    events = feed_pieces(parser, data, cuts)
    assert sum(isinstance(e, BadHttpMessage) for e in events) <= 1


TCHARS = "!#$%&'*+-.^_`|~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
tokens = st.text(alphabet=TCHARS, min_size=1, max_size=12)
values = st.binary(max_size=30).map(
    lambda b: bytes(c for c in b if c == 9 or 32 <= c < 127 or c >= 128).strip(b" \t")
)
paths = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=:@/?", max_size=30
).map(lambda p: "/" + p)
reserved = {"host", "content-length", "transfer-encoding", "connection", "upgrade"}
fields = st.lists(
    st.tuples(tokens.filter(lambda t: t.lower() not in reserved), values), max_size=8
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "X-CUSTOM"]))
    path = draw(paths)
    headers = [("Host", b"example.com"), *draw(fields)]
    body_kind = draw(st.sampled_from(["none", "length", "chunked"]))
    body = draw(st.binary(max_size=60))
    wire = b""
    trailers: list[tuple[str, bytes]] = []
    if body_kind == "length":
        headers.append(("Content-Length", str(len(body)).encode()))
        wire = body
    elif body_kind == "chunked":
        headers.append(("Transfer-Encoding", b"chunked"))
        sizes = draw(st.lists(st.integers(min_value=1, max_value=20), max_size=5))
        rest = body
        for size in sizes:
            piece, rest = rest[:size], rest[size:]
            if piece:
                ext = draw(st.sampled_from([b"", b";a", b";a=b", b';a="x y"']))
                wire += b"%x%s\r\n%s\r\n" % (len(piece), ext, piece)
        if rest:
            wire += b"%x\r\n%s\r\n" % (len(rest), rest)
        trailers = draw(fields)
        wire += b"0\r\n" + b"".join(
            n.encode() + b": " + v + b"\r\n" for n, v in trailers
        )
        wire += b"\r\n"
    else:
        body = b""
    ows = draw(st.sampled_from([b"", b" ", b"\t ", b"  "]))
    head = f"{method} {path} HTTP/1.1\r\n".encode()
    head += b"".join(n.encode() + b":" + ows + v + ows + b"\r\n" for n, v in headers)
    expected = {
        "method": method,
        "path": path,
        "raw_headers": tuple((n.encode(), v) for n, v in headers),
        "body": body,
        "raw_trailers": tuple((n.encode(), v) for n, v in trailers),
    }
    return head + b"\r\n" + wire, expected


@settings(max_examples=200, deadline=None)
@given(
    messages=st.lists(requests(), min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=10),
)
def test_valid_requests_parse_the_same_however_split(
    messages: list[tuple[bytes, dict[str, Any]]], cuts: list[int]
) -> None:
    data = b"".join(wire for wire, _ in messages)
    whole = HttpRequestParser().feed_data(data)
    check_events(whole)
    split = feed_pieces(HttpRequestParser(), data, cuts)
    assert merge_bytes(split) == merge_bytes(whole)

    heads = [e for e in whole if type(e) is RawRequestMessage]
    ends = [e for e in whole if type(e) is EndOfMessage]
    assert len(heads) == len(ends) == len(messages)
    bodies: list[bytes] = []
    for event in whole:
        if type(event) is RawRequestMessage:
            bodies.append(b"")
        elif type(event) is bytes:
            bodies[-1] += event
    for head, end, body, (_, expected) in zip(
        heads, ends, bodies, messages, strict=True
    ):
        assert head.method == expected["method"]
        assert head.path == expected["path"]
        assert head.raw_headers == expected["raw_headers"]
        assert body == expected["body"]
        assert end.raw_trailers == expected["raw_trailers"]
