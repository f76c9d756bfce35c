"""The accelerated parsers give exactly the pure parsers' events.

The rest of the parser corpus runs against both implementations through the
``parser_impl`` fixture; this module compares them directly: every byte value
at every position of a head, generated messages (hypothesis, whole and split
anywhere), the fallbacks, the reuse of llhttp between messages, and the
``AIOHTTP_NO_EXTENSIONS`` switch.
"""

import os
import subprocess
import sys
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiohttp import http_parser
from aiohttp.http_parser import (
    END_OF_MESSAGE,
    HttpRequestParserPy,
    HttpResponseParserPy,
    RawRequestMessage,
)

from ._http_parser_helpers import ACCEL, merge_bytes

pytestmark = pytest.mark.skipif(ACCEL is None, reason="httptools is not installed")

if ACCEL is not None:
    import httptools

    from aiohttp._http_parser_accel import (
        HttpRequestParserAccel,
        HttpResponseParserAccel,
        _FieldSink,
    )

FUZZ_EXAMPLES = int(os.environ.get("AIOHTTP_FUZZ_EXAMPLES", "0"))
CUTS = st.lists(st.integers(min_value=0, max_value=600), max_size=6)


def events_of(
    parser: Any, data: bytes, cuts: Optional[list[int]] = None, eof: bool = True
) -> list[Any]:
    """Merged events of ``data`` fed split at ``cuts``, held output pulled."""
    events: list[Any] = []
    last = 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts or []}), len(data)]:
        events += parser.feed_data(data[last:cut])
        while parser.output_pending:
            events += parser.feed_data(b"")
        last = cut
    if eof:
        events += parser.feed_eof()
        while parser.output_pending:
            events += parser.feed_data(b"")
    return merge_bytes(events)


def assert_same_requests(
    data: bytes, cuts: Optional[list[int]] = None, **kw: Any
) -> None:
    pure = events_of(HttpRequestParserPy(**kw), data, cuts)
    accel = events_of(HttpRequestParserAccel(**kw), data, cuts)
    assert accel == pure, data


def assert_same_responses(
    data: bytes, cuts: Optional[list[int]] = None, method: str = "GET", **kw: Any
) -> None:
    pure_parser = HttpResponseParserPy(**kw)
    accel_parser = HttpResponseParserAccel(**kw)
    pure_parser.request_method = accel_parser.request_method = method
    assert events_of(accel_parser, data, cuts) == events_of(pure_parser, data, cuts)


# --- the switch -----------------------------------------------------------------------


def no_extensions_in_child(value: Optional[str]) -> str:
    """What a fresh interpreter reads from AIOHTTP_NO_EXTENSIONS=value."""
    env = dict(os.environ)
    env.pop("AIOHTTP_NO_EXTENSIONS", None)
    if value is not None:
        env["AIOHTTP_NO_EXTENSIONS"] = value
    code = (
        "from aiohttp import http_parser as h; "
        "print(h.NO_EXTENSIONS, h.HttpRequestParser.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("value", "expected"), [(None, False), ("", False), ("1", True), ("0", True)]
)
def test_aiohttp_no_extensions_is_read_from_the_environment(
    value: Optional[str], expected: bool
) -> None:
    accelerated = http_parser.ACCELERATE and not expected
    name = "HttpRequestParserAccel" if accelerated else "HttpRequestParserPy"
    assert no_extensions_in_child(value) == f"{expected} {name}"


def test_parser_classes_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    select = http_parser._parser_classes
    assert select(True, False) == ACCEL
    pure = (HttpRequestParserPy, HttpResponseParserPy)
    assert select(True, True) == pure
    assert select(False, False) == pure
    # Without httptools the accelerated module does not import.
    monkeypatch.setitem(sys.modules, "httptools", None)  # type: ignore[arg-type]
    monkeypatch.delitem(sys.modules, "aiohttp._http_parser_accel")
    assert select(True, False) == pure


def test_accelerated_classes_are_the_pure_ones_underneath() -> None:
    assert issubclass(HttpRequestParserAccel, HttpRequestParserPy)
    assert issubclass(HttpResponseParserAccel, HttpResponseParserPy)


# --- every byte at every position -----------------------------------------------------

# ``%s`` marks where each byte value (and a few byte pairs) goes.
REQUEST_TEMPLATES = [
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Y: %s\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Y: a%sb\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Y: ab%s\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Y:%sab\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX%sY: ab\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\n%sXY: ab\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nXY%s: ab\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nXY: ab\r\n%s\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nXY: ab\r\n%sb: c\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a%s\r\nXY: ab\r\n\r\n",
    b"GET / HTTP/1.1\r\n%sHost: a\r\n\r\n",
    b"G%sT / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /%s HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /a%sb HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.%s\r\nHost: a\r\n\r\n",
    b"GET /%s\r\nHost: a\r\n\r\n",
    b"%sGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\nbody",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: %schunked\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: %s\r\n\r\n"
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
]
RESPONSE_TEMPLATES = [
    b"HTTP/1.1 200 OK\r\nX-Y: a%sb\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX%sY: ab\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 O%sK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 2%s0 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n%sContent-Length: 2\r\n\r\nok",
]
FILLERS = [bytes([i]) for i in range(256)] + [
    b"\r\n",
    b"\r\n ",
    b"\r\n\t",
    b" \t",
    b"  ",
    b"",
    b"a\x00",
    b"a\x7f",
    b"\xc3\xa9",
]


@pytest.mark.parametrize("template", REQUEST_TEMPLATES)
def test_every_byte_in_a_request_head(template: bytes) -> None:
    for filler in FILLERS:
        assert_same_requests(template % filler)


@pytest.mark.parametrize("template", RESPONSE_TEMPLATES)
def test_every_byte_in_a_response_head(template: bytes) -> None:
    for filler in FILLERS:
        assert_same_responses(template % filler)


# --- generated messages ---------------------------------------------------------------

NAMES = [b"Host", b"X-A", b"Content-Length", b"Transfer-Encoding", b"Connection"]
NAMES += [b"Upgrade", b"Content-Encoding", b"Cookie", b"x", b"Bad Name", b""]
VALUES = [b"h", b"", b" v ", b"5", b"0", b"chunked", b"gzip, chunked", b"close"]
VALUES += [b"keep-alive", b"upgrade", b"websocket", b"a\tb", b"\xff", b"a\x00b", b" "]
REQUEST_LINES = [
    b"GET / HTTP/1.1",
    b"GET /a?b=c HTTP/1.0",
    b"POST /p HTTP/1.1",
    b"OPTIONS * HTTP/1.1",
    b"CONNECT h:1 HTTP/1.1",
    b"FOO /x HTTP/1.1",
    b"GET  / HTTP/1.1",
    b"GET http://h/p HTTP/1.1",
    b"GET / HTTP/2.0",
]
STATUS_LINES = [b"HTTP/1.1 200 OK", b"HTTP/1.0 204", b"HTTP/1.1 101 Up"]
STATUS_LINES += [b"HTTP/1.1 100 Continue", b"HTTP/1.1 304 Not Modified"]
SEPARATORS = [b": ", b":", b" : ", b":\t"]
BODIES = [b"", b"hello", b"5\r\nhello\r\n0\r\n\r\n", b"0\r\nT: x\r\n\r\n", b"\r\n"]


@st.composite
def heads(draw: st.DrawFn, start_lines: list[bytes]) -> bytes:
    """A head built from plausible pieces, sometimes with a byte mutated."""
    lines = [draw(st.sampled_from(start_lines))]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        name = draw(st.sampled_from(NAMES))
        sep = draw(st.sampled_from(SEPARATORS))
        lines.append(name + sep + draw(st.sampled_from(VALUES)))
    head = b"\r\n".join(lines) + b"\r\n\r\n"
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        at = draw(st.integers(min_value=0, max_value=len(head)))
        head = head[:at] + bytes([draw(st.integers(0, 255))]) + head[at:]
    return head + draw(st.sampled_from(BODIES))


def examples(normal: int) -> settings:
    return settings(
        max_examples=FUZZ_EXAMPLES or normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@examples(400)
@given(
    messages=st.lists(heads(REQUEST_LINES), min_size=1, max_size=4),
    cuts=CUTS,
    limit=st.sampled_from([8190, 20]),
)
def test_generated_requests_give_equal_events(
    messages: list[bytes], cuts: list[int], limit: int
) -> None:
    data = b"".join(messages)
    assert_same_requests(data)
    assert_same_requests(data, cuts, max_field_size=limit, max_headers=3)


@examples(300)
@given(
    messages=st.lists(heads(STATUS_LINES), min_size=1, max_size=3),
    cuts=CUTS,
    method=st.sampled_from(["GET", "HEAD", "CONNECT"]),
)
def test_generated_responses_give_equal_events(
    messages: list[bytes], cuts: list[int], method: str
) -> None:
    data = b"".join(messages)
    assert_same_responses(data, method=method)
    assert_same_responses(data, cuts, method=method, read_until_eof=False)


@examples(200)
@given(data=st.binary(max_size=300), cuts=CUTS)
def test_any_bytes_give_equal_events(data: bytes, cuts: list[int]) -> None:
    assert_same_requests(b"GET / HTTP/1.1\r\nHost: h\r\n" + data, cuts)
    assert_same_responses(b"HTTP/1.1 200 OK\r\n" + data, cuts)


# --- limits and fallbacks -------------------------------------------------------------


@pytest.mark.parametrize("size", [7, 8, 9, 30])
def test_field_size_limit_around_the_head_size(size: int) -> None:
    data = b"GET / HTTP/1.1\r\nHost: h\r\nX: 1234\r\n\r\n"
    assert_same_requests(data, max_field_size=size)
    assert_same_requests(data, max_line_size=size)
    assert_same_responses(b"HTTP/1.1 200 OK\r\nX: 1234\r\n\r\n", max_field_size=size)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_header_count_limit(count: int) -> None:
    data = b"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"
    assert_same_requests(data, max_headers=count)
    assert_same_responses(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", max_headers=count)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.0\r\n\r\n",  # no field lines
        b"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",  # an empty line first
        b"PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n",  # a method llhttp does not know
        b"GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n",  # obs-text in the target
        b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",  # llhttp refuses data after close
    ],
)
def test_heads_the_pure_parser_takes_over(data: bytes) -> None:
    assert_same_requests(data)
    assert not isinstance(events_of(HttpRequestParserAccel(), data)[-1], tuple)


def test_llhttp_is_reused_while_messages_have_no_body() -> None:
    parser = HttpRequestParserAccel()
    get = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    parser.feed_data(get)
    first = parser._llhttp
    assert first is not None
    assert parser.feed_data(get + get)[-1] is END_OF_MESSAGE
    assert parser._llhttp is first
    parser.feed_data(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n")
    assert parser._llhttp is None  # mid-body for llhttp: a new one next time
    events = parser.feed_data(b"ok" + get)
    assert type(events[2]) is RawRequestMessage
    assert parser._llhttp is not None and parser._llhttp is not first


def test_a_stale_llhttp_state_falls_back_to_the_pure_parser() -> None:
    # Defence in depth: if llhttp ever were mid-message, it would report no
    # fields (or fewer than the head has) and the pure parser takes the head.
    parser = HttpRequestParserAccel()
    sink = _FieldSink()
    stale = httptools.HttpRequestParser(sink)
    stale.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
    parser._llhttp = stale
    parser._sink = sink
    data = b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
    assert events_of(parser, data) == events_of(HttpRequestParserPy(), data)


def test_upgrade_and_connect_heads() -> None:
    ws = b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    assert_same_requests(ws + b"\r\n\x81\x00raw")
    assert_same_requests(b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\nraw bytes")
    other = b"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
    assert_same_requests(other + other)


def test_response_to_head_then_another_response() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nHTTP/1.1 204 No\r\nA: b\r\n\r\n"
    )
    assert_same_responses(data, method="HEAD")
