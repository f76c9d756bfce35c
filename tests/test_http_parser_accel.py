"""The C-accelerated parsers give exactly the events of the pure-Python ones.

``aiohttp._http_head`` only ever accepts a complete, well-formed head and
declines everything else to the pure code, so the comparison below feeds both
parsers the same bytes and expects equal events: for valid heads, for every
single-byte change of them, at the limits, and for hypothesis' inputs.
The rest of the parser suite runs against the accelerated classes (they are
the default) and, in ``make test``, a second time with
``AIOHTTP_NO_EXTENSIONS=1`` against the pure ones.
"""

import os
import shutil
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, istr

from aiohttp import _http_parser_accel, http_parser, http_writer
from aiohttp._http_parser_accel import (
    HttpRequestParserC,
    HttpResponseParserC,
    serialize_head,
)
from aiohttp._http_parser_accel import (
    _parse_request_head as parse_request_head,
)
from aiohttp._http_parser_accel import (
    _parse_response_head as parse_response_head,
)
from aiohttp.http_parser import HttpRequestParserPy, HttpResponseParserPy

from ._http_parser_helpers import merge_bytes
from .test_http_parser_props import FRAGMENTS

needs_c = pytest.mark.skipif(
    not _http_parser_accel.AVAILABLE, reason="the C accelerator is not built"
)

REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /echo?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    b"GET /x HTTP/1.0\r\nhost: a\r\nConnection: keep-alive\r\nX-A: y \t\r\n\r\n",
    b"PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n0\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\nEmpty:\r\nObs: caf\xc3\xa9 \xff\r\n\r\n",
    b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
    b"GET http://a:80/b HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
    b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    b"BREW /pot HTTP/1.1\r\nHost: a\r\nHost: b\r\nUser-Agent: t\r\n\r\n",
]
RESPONSES = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    b"HTTP/1.0 404 Not Found \r\nServer: x\r\nX: caf\xc3\xa9\r\n\r\nbody",
    b"HTTP/1.1 204\r\nDate: today\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    b"Connection: upgrade\r\n\r\nraw",
    b"HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nHost: a\r\nHost: b\r\n"
    b"Content-Length: 1\r\n\r\nx",
]
# Bytes that make a valid head interesting when put anywhere in it.
PROBES = b'\x00\t\n\r ":;/\x7f\x80\xffA1'


def events_of(parser: Any, data: bytes, *, eof: bool = True) -> list[Any]:
    events = parser.feed_data(data)
    if eof:
        events += parser.feed_eof()
    return merge_bytes(events)


def both(data: bytes, *, response: bool = False, **limits: Any) -> list[Any]:
    """The events of the pure and of the accelerated parser, checked equal."""
    if response:
        pure, fast = HttpResponseParserPy(**limits), HttpResponseParserC(**limits)
    else:
        pure, fast = HttpRequestParserPy(**limits), HttpRequestParserC(**limits)
    expected = events_of(pure, data)
    got = events_of(fast, data)
    assert got == expected, data
    return got


def mutations(data: bytes) -> list[bytes]:
    """Every single-byte replacement, deletion and insertion of PROBES bytes."""
    out = []
    head_end = data.index(b"\r\n\r\n") + 4
    for i in range(head_end):
        out.append(data[:i] + data[i + 1 :])
        for probe in PROBES:
            out.append(data[:i] + bytes([probe]) + data[i + 1 :])
            out.append(data[:i] + bytes([probe]) + data[i:])
    return out


@needs_c
def test_accelerated_classes_are_the_default() -> None:
    assert http_parser.HttpRequestParser is HttpRequestParserC
    assert http_parser.HttpResponseParser is HttpResponseParserC


@needs_c
@pytest.mark.parametrize("data", REQUESTS)
def test_requests_parse_the_same(data: bytes) -> None:
    assert parse_request_head(data, 0, 8190, 8190, 128) is not None  # C parsed it
    events = both(data)
    assert not isinstance(events[-1], Exception)


@needs_c
@pytest.mark.parametrize("data", RESPONSES)
def test_responses_parse_the_same(data: bytes) -> None:
    assert parse_response_head(data, 0, 8190, 8190, 128) is not None
    events = both(data, response=True)
    assert not isinstance(events[-1], Exception)


@needs_c
@pytest.mark.parametrize("data", REQUESTS)
def test_every_mutation_of_a_request_parses_the_same(data: bytes) -> None:
    for mutated in mutations(data):
        both(mutated)


@needs_c
@pytest.mark.parametrize("data", RESPONSES)
def test_every_mutation_of_a_response_parses_the_same(data: bytes) -> None:
    for mutated in mutations(data):
        both(mutated, response=True)


@needs_c
@pytest.mark.parametrize("response", [False, True])
def test_limits_are_the_same_at_each_boundary(response: bool) -> None:
    corpus = RESPONSES if response else REQUESTS
    for data in corpus:
        for size in range(1, 40):
            both(data, response=response, max_line_size=size)
            both(data, response=response, max_field_size=size)
        for count in range(1, 6):
            both(data, response=response, max_headers=count)


@needs_c
def test_the_head_values_are_right() -> None:
    [message, _] = both(REQUESTS[2])
    assert message.method == "GET" and message.path == "/x"
    assert message.version == (1, 0) and message.should_close is False
    assert list(message.headers.items()) == [
        ("host", "a"),
        ("Connection", "keep-alive"),
        ("X-A", "y"),
    ]
    assert message.raw_headers[2] == (b"X-A", b"y")
    [message, *_] = both(REQUESTS[4])
    assert message.headers["Obs"] == "caf\xe9 \udcff"  # utf-8, surrogateescape
    assert message.headers["Empty"] == ""


@needs_c
def test_pipelined_and_split_input_parses_the_same() -> None:
    stream = b"".join(REQUESTS[:5])
    for cut in range(len(stream) + 1):
        pure, fast = HttpRequestParserPy(), HttpRequestParserC()
        expected = pure.feed_data(stream[:cut]) + pure.feed_data(stream[cut:])
        got = fast.feed_data(stream[:cut]) + fast.feed_data(stream[cut:])
        assert merge_bytes(got) == merge_bytes(expected), cut


@needs_c
@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join),
    response=st.booleans(),
)
def test_generated_inputs_parse_the_same(data: bytes, response: bool) -> None:
    both(data, response=response, max_line_size=200)


@needs_c
def test_the_functions_check_their_arguments() -> None:
    with pytest.raises(TypeError, match="takes 5 arguments"):
        parse_request_head(b"GET", 0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 5 arguments"):
        parse_response_head(bytearray(b"x"), 0, 1, 1, 1)  # type: ignore[arg-type]
    assert parse_request_head(b"GET / HTTP/1.1\r\n", 99, 9, 9, 9) is None


def test_aiohttp_no_extensions_selects_the_pure_parsers() -> None:
    code = (
        "from aiohttp import http_parser as h\n"
        "assert h.HttpRequestParser is h.HttpRequestParserPy\n"
        "assert h.HttpResponseParser is h.HttpResponseParserPy\n"
        "head = b'GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'\n"
        "[m, _] = h.HttpRequestParser().feed_data(head)\n"
        "assert m.path == '/'\n"
    )
    env = dict(os.environ, AIOHTTP_NO_EXTENSIONS="1")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


@pytest.mark.skipif(
    not (shutil.which("cc") or shutil.which("gcc"))
    or bool(os.environ.get("AIOHTTP_NO_EXTENSIONS")),
    reason="no C compiler, or the extension is switched off",
)
def test_the_extension_is_built_where_a_compiler_exists() -> None:
    # Guards the build: setup.py marks the extension optional, so a broken
    # build would otherwise go unnoticed and leave the pure parsers in use.
    assert _http_parser_accel.AVAILABLE


HEADS = [
    ("HTTP/1.1 200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")]),
    ("HTTP/1.1 204 No Content", []),
    ("HTTP/1.0 200 OK", [(istr("X-Istr"), "caf\xe9"), ("X-Surrogate", "a\udcffb")]),
    ("GET /caf\xe9 HTTP/1.1", [("Host", "h"), ("X-Big", "v" * 3000)] * 3),
    ("HTTP/1.1 500 Bad\r\nX: 1", [("A", "b")]),
    ("HTTP/1.1 200 OK", [("A", "b\r\nInjected: 1")]),
    ("HTTP/1.1 200 OK", [("A\n", "b")]),
    ("HTTP/1.1 200 OK", [("A", "caf\xe9\n")]),
    ("HTTP/1.1 200 OK", [("A", 1), ("B", "c")]),
    ("HTTP/1.1 200 OK", [(istr("A"), istr("b"))]),
]


def serialized(status_line: str, fields: Any) -> Any:
    try:
        return http_writer.serialize_headers(status_line, fields)
    except ValueError as exc:
        return ("ValueError", str(exc))


@needs_c
@pytest.mark.parametrize("status_line, fields", HEADS)
def test_heads_serialize_the_same(
    status_line: str, fields: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for as_type in (list, tuple, lambda f: CIMultiDict(f).items(), iter):
        fast = serialized(status_line, as_type(fields))
        with monkeypatch.context() as patch:
            patch.setattr(
                http_writer, "_serialize_head", _http_parser_accel._declined_head
            )
            pure = serialized(status_line, as_type(fields))
        assert fast == pure


@needs_c
def test_serialize_head_declines_what_it_cannot_do() -> None:
    assert serialize_head("HTTP/1.1 200 OK", [("A", "b")]) == (
        b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
    )
    assert serialize_head("HTTP/1.1 200 OK", [("A", 1)]) is None
    assert serialize_head("HTTP/1.1 200 OK", [("A", "b", "c")]) is None
    assert serialize_head(b"HTTP/1.1 200 OK", []) is None  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        serialize_head("HTTP/1.1 200 OK", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes 2 arguments"):
        serialize_head("HTTP/1.1 200 OK")  # type: ignore[call-arg]
    with pytest.raises(UnicodeEncodeError):
        serialize_head("HTTP/1.1 200 OK", [("A", "\ud800")])


def test_without_the_extension_the_classes_are_the_pure_parsers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What _http_parser_accel puts in place of the C functions when the
    # extension is missing: every head then goes to the pure code.
    monkeypatch.setattr(
        _http_parser_accel, "_parse_request_head", _http_parser_accel._declined
    )
    monkeypatch.setattr(
        _http_parser_accel, "_parse_response_head", _http_parser_accel._declined
    )
    monkeypatch.setattr(
        http_writer, "_serialize_head", _http_parser_accel._declined_head
    )
    for data in REQUESTS:
        assert events_of(HttpRequestParserC(), data) == events_of(
            HttpRequestParserPy(), data
        )
    for data in RESPONSES:
        assert events_of(HttpResponseParserC(), data) == events_of(
            HttpResponseParserPy(), data
        )
    head = http_writer.serialize_headers("HTTP/1.1 200 OK", [("A", "b")])
    assert head == b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
