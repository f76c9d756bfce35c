"""Fuzzing the sans-IO request and response parsers with hypothesis.

The properties, for any bytes split anywhere across ``feed_data`` calls:

* nothing is ever raised: malformed input ends in one BadHttpMessage event;
* the events equal those of the same bytes fed in one call (errors may be
  worded differently when a split lets the parser see a problem earlier, but
  they come at the same point, after the same events);
* valid generated messages round-trip: method, target, status, reason,
  headers and body (plain, chunked, gzip-encoded) come out as they went in;
* with ``max_decoded_per_feed`` the output is the same, however it is pulled.

The normal suite runs a bounded number of examples. ``make fuzz`` sets
``AIOHTTP_FUZZ_EXAMPLES`` to run every property (and the ones of
tests/test_http_parser_props.py) with many more.
"""

import gzip
import os
from typing import Any, Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import (
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RawRequestMessage,
    RawResponseMessage,
)

from . import test_http_parser_props as props
from ._http_parser_helpers import (
    merge_bytes,
)

Parser = Union[HttpRequestParser, HttpResponseParser]

FUZZ_EXAMPLES = int(os.environ.get("AIOHTTP_FUZZ_EXAMPLES", "0"))
fuzz_only = pytest.mark.skipif(
    not FUZZ_EXAMPLES, reason="runs under `make fuzz` (AIOHTTP_FUZZ_EXAMPLES)"
)


def examples(normal: int) -> settings:
    """``normal`` examples in the test suite, AIOHTTP_FUZZ_EXAMPLES under fuzz."""
    return settings(
        max_examples=FUZZ_EXAMPLES or normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


cuts_strategy = st.lists(st.integers(min_value=0, max_value=3000), max_size=12)
budgets = st.sampled_from([None, 1, 7, 1000])


def feed(parser: Parser, data: bytes, cuts: list[int], pull: bool = True) -> list[Any]:
    """Feed ``data`` split at ``cuts``, then EOF; pull held-back output.

    Checks the per-call invariants on the way.
    """
    events: list[Any] = []

    def take(got: list[Any]) -> None:
        props.check_events(got)
        events.extend(got)
        while pull and parser.output_pending:
            more = parser.feed_data(b"")
            props.check_events(more)
            events.extend(more)

    last = 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts}), len(data)]:
        take(parser.feed_data(data[last:cut]))
        last = cut
    take(parser.feed_eof())
    assert not parser.output_pending
    return events


def same_events(split: list[Any], whole: list[Any]) -> None:
    """``split`` equals ``whole``; an error may be worded differently."""
    split_m, whole_m = merge_bytes(split), merge_bytes(whole)
    split_err = split_m[-1] if split_m and type(split_m[-1]) is tuple else None
    whole_err = whole_m[-1] if whole_m and type(whole_m[-1]) is tuple else None
    if split_err is None or whole_err is None:
        assert split_m == whole_m
        return
    # Both failed. A split can only make the parser notice a problem sooner
    # (while a line is still arriving), never let more through.
    split_ok, whole_ok = split_m[:-1], whole_m[:-1]
    assert len(split_ok) <= len(whole_ok)
    for mine, theirs in zip(split_ok, whole_ok[: len(split_ok)], strict=True):
        if type(mine) is bytes:
            assert theirs.startswith(mine)
        else:
            assert mine == theirs


# --- any bytes ------------------------------------------------------------------------


@examples(300)
@given(data=props.inputs, cuts=cuts_strategy, budget=budgets)
def test_request_parser_any_bytes_any_split(
    data: bytes, cuts: list[int], budget: Optional[int]
) -> None:
    whole = feed(HttpRequestParser(max_line_size=200), data, [])
    split = feed(
        HttpRequestParser(max_line_size=200, max_decoded_per_feed=budget), data, cuts
    )
    same_events(split, whole)


@examples(300)
@given(
    data=props.inputs,
    cuts=cuts_strategy,
    method=st.sampled_from(["GET", "HEAD", "CONNECT"]),
    budget=budgets,
)
def test_response_parser_any_bytes_any_split(
    data: bytes, cuts: list[int], method: str, budget: Optional[int]
) -> None:
    def parser(budget: Optional[int]) -> HttpResponseParser:
        p = HttpResponseParser(max_field_size=100, max_decoded_per_feed=budget)
        p.request_method = method
        return p

    same_events(feed(parser(budget), data, cuts), feed(parser(None), data, []))


# --- valid messages round-trip --------------------------------------------------------


reasons = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -_.", max_size=20
).map(lambda r: r.strip())


def chunk_body(draw: st.DrawFn, body: bytes) -> bytes:
    """``body`` in chunked framing with random sizes and extensions."""
    wire = b""
    rest = body
    while rest:
        size = draw(st.integers(min_value=1, max_value=max(1, len(rest))))
        piece, rest = rest[:size], rest[size:]
        ext = draw(st.sampled_from([b"", b";x", b";x=y", b' ; q="a b"']))
        wire += b"%x%s\r\n%s\r\n" % (len(piece), ext, piece)
    return wire + b"0\r\n\r\n"


@st.composite
def responses(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    code = draw(st.sampled_from([200, 201, 204, 304, 404, 500, 599, 299]))
    reason = draw(reasons)
    fields = draw(
        props.fields.filter(
            lambda f: all(n.lower() != "content-encoding" for n, _ in f)
        )
    )
    headers: list[tuple[str, bytes]] = list(fields)
    body = draw(st.binary(max_size=200))
    framing = draw(st.sampled_from(["length", "chunked", "eof"]))
    encoded = draw(st.booleans())
    wire_body = gzip.compress(body) if encoded and body else body
    if encoded and body:
        headers.append(("Content-Encoding", b"gzip"))
    if code in (204, 304):
        body = wire_body = b""
        framing = "length"
        headers = [h for h in headers if h[0] != "Content-Encoding"]
    if framing == "length":
        headers.append(("Content-Length", str(len(wire_body)).encode()))
        wire = wire_body if code not in (204, 304) else b""
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", b"chunked"))
        wire = chunk_body(draw, wire_body)
    else:
        wire = wire_body
    line = b"HTTP/1.1 %d" % code + (b" " + reason.encode() if reason else b"")
    head = line + b"\r\n"
    head += b"".join(n.encode() + b": " + v + b"\r\n" for n, v in headers)
    expected = {
        "code": code,
        "reason": reason,
        "raw_headers": tuple((n.encode(), v) for n, v in headers),
        "body": body,
        "eof": framing == "eof",
    }
    return head + b"\r\n" + wire, expected


@examples(200)
@given(message=responses(), cuts=cuts_strategy, budget=budgets)
def test_valid_responses_round_trip(
    message: tuple[bytes, dict[str, Any]], cuts: list[int], budget: Optional[int]
) -> None:
    data, expected = message
    whole = feed(HttpResponseParser(), data, [])
    split = feed(HttpResponseParser(max_decoded_per_feed=budget), data, cuts)
    assert merge_bytes(split) == merge_bytes(whole)
    assert not any(isinstance(e, BadHttpMessage) for e in whole), whole
    head = whole[0]
    assert isinstance(head, RawResponseMessage)
    assert head.code == expected["code"]
    assert head.reason == expected["reason"]
    assert head.raw_headers == expected["raw_headers"]
    assert head.should_close == expected["eof"]
    assert b"".join(e for e in whole if type(e) is bytes) == expected["body"]
    assert type(whole[-1]) is EndOfMessage


@st.composite
def gzip_requests(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A request with a gzip-encoded body (Content-Length or chunked)."""
    body = draw(
        st.one_of(
            st.binary(max_size=300),
            st.integers(min_value=0, max_value=50_000).map(bytes),  # compresses well
        )
    )
    wire = gzip.compress(body)
    if draw(st.booleans()):
        framing = b"Content-Length: %d\r\n" % len(wire)
    else:
        framing = b"Transfer-Encoding: chunked\r\n"
        wire = chunk_body(draw, wire)
    head = b"POST /up HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n" + framing
    return head + b"\r\n" + wire, body


@examples(150)
@given(
    messages=st.lists(gzip_requests(), min_size=1, max_size=3),
    cuts=cuts_strategy,
    budget=budgets,
)
def test_gzip_request_bodies_round_trip_however_pulled(
    messages: list[tuple[bytes, bytes]], cuts: list[int], budget: Optional[int]
) -> None:
    data = b"".join(wire for wire, _ in messages)
    parser = HttpRequestParser(max_decoded_per_feed=budget)
    events = feed(parser, data, cuts)
    bodies: list[bytes] = []
    for event in events:
        assert not isinstance(event, BadHttpMessage), event
        if type(event) is RawRequestMessage:
            bodies.append(b"")
        elif type(event) is bytes:
            assert budget is None or len(event) <= budget
            bodies[-1] += event
    assert bodies == [body for _, body in messages]
    assert sum(type(e) is EndOfMessage for e in events) == len(messages)


def test_held_back_output_waits_for_feed_eof_too() -> None:
    """EOF while output is held back: the final events come with the pulls."""
    body = bytes(100_000)
    wire = gzip.compress(body)
    data = (
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(wire)
    ) + wire
    parser = HttpRequestParser(max_decoded_per_feed=4096)
    events = parser.feed_data(data)
    assert parser.output_pending
    assert parser.feed_eof() == []
    more = parser.feed_data(b"ignored after EOF")  # still pulls output
    assert more
    events += more
    while parser.output_pending:
        events += parser.feed_data(b"")
    assert b"".join(e for e in events if type(e) is bytes) == body


# --- the existing properties, many more times under `make fuzz` -----------------------


@fuzz_only
@examples(1)
@given(data=props.inputs, cuts=st.lists(st.integers(0, 400), max_size=8))
def test_fuzz_request_parser_never_raises(data: bytes, cuts: list[int]) -> None:
    props.test_request_parser_never_raises.hypothesis.inner_test(data, cuts)  # type: ignore[attr-defined]


@fuzz_only
@examples(1)
@given(
    data=props.inputs,
    cuts=st.lists(st.integers(0, 400), max_size=8),
    method=st.sampled_from(["GET", "HEAD", "CONNECT"]),
)
def test_fuzz_response_parser_never_raises(
    data: bytes, cuts: list[int], method: str
) -> None:
    inner = props.test_response_parser_never_raises.hypothesis.inner_test  # type: ignore[attr-defined]
    inner(data, cuts, method)


@fuzz_only
@examples(1)
@given(
    messages=st.lists(props.requests(), min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=10),
)
def test_fuzz_valid_requests_parse_the_same_however_split(
    messages: list[tuple[bytes, dict[str, Any]]], cuts: list[int]
) -> None:
    test = props.test_valid_requests_parse_the_same_however_split
    test.hypothesis.inner_test(messages, cuts)  # type: ignore[attr-defined]
