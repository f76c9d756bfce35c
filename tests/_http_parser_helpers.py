"""Helpers shared by the HTTP parser tests: feed bytes in various ways.

``parser_impl`` runs a whole test module once with the pure-Python parsers and
once with the accelerated ones: a module opts in with
``pytestmark = pytest.mark.usefixtures("parser_impl")`` (and imports the
fixture from here).
"""

import sys
from collections.abc import Iterator
from typing import Any, Union

import pytest

from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import (
    EndOfMessage,
    HttpRequestParser,
    HttpRequestParserPy,
    HttpResponseParser,
    HttpResponseParserPy,
)

try:
    from aiohttp._http_parser_accel import (
        HttpRequestParserAccel,
        HttpResponseParserAccel,
    )
except ImportError:  # pragma: no cover - httptools is in the test extra
    ACCEL: Any = None
else:
    ACCEL = (HttpRequestParserAccel, HttpResponseParserAccel)

__all__ = (
    "ACCEL",
    "bytewise",
    "error_of",
    "merge_bytes",
    "parse",
    "parser_impl",
    "split_at",
)

_DEFAULTS = {
    "HttpRequestParser": HttpRequestParser,
    "HttpResponseParser": HttpResponseParser,
}


@pytest.fixture(scope="module", params=["py", "accel"])
def parser_impl(request: pytest.FixtureRequest) -> Iterator[str]:
    """Make ``HttpRequestParser``/``HttpResponseParser`` one implementation.

    Every loaded ``aiohttp`` and ``tests`` module that bound the default
    classes (the tests themselves, the server, the client) gets the chosen
    ones for the whole module run, whatever ``AIOHTTP_NO_EXTENSIONS`` says.
    """
    if request.param == "py":
        chosen = (HttpRequestParserPy, HttpResponseParserPy)
    elif ACCEL is None:  # pragma: no cover
        pytest.skip("httptools is not installed: no accelerated parser")
    else:
        chosen = ACCEL
    replace = dict(zip(_DEFAULTS, chosen, strict=True))
    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if not name.startswith(("aiohttp", "tests")):
                continue
            namespace = vars(module)
            for attr, default in _DEFAULTS.items():
                if namespace.get(attr) is default:
                    patch.setattr(module, attr, replace[attr])
        yield request.param


Parser = Union[HttpRequestParser, HttpResponseParser]


def _parser(response: bool, **kwargs: Any) -> Parser:
    return HttpResponseParser(**kwargs) if response else HttpRequestParser(**kwargs)


def parse(
    data: bytes, *, response: bool = False, eof: bool = False, **kwargs: Any
) -> list[Any]:
    """Events from feeding ``data`` in one call (then EOF if ``eof``)."""
    parser = _parser(response, **kwargs)
    events = parser.feed_data(data)
    if eof:
        events += parser.feed_eof()
    return events


def split_at(
    data: bytes, i: int, *, response: bool = False, eof: bool = False, **kwargs: Any
) -> list[Any]:
    """Events from feeding ``data[:i]`` then ``data[i:]``."""
    parser = _parser(response, **kwargs)
    events = parser.feed_data(data[:i]) + parser.feed_data(data[i:])
    if eof:
        events += parser.feed_eof()
    return events


def bytewise(
    data: bytes, *, response: bool = False, eof: bool = False, **kwargs: Any
) -> list[Any]:
    """Events from feeding ``data`` one byte at a time."""
    parser = _parser(response, **kwargs)
    events: list[Any] = []
    for i in range(len(data)):
        events += parser.feed_data(data[i : i + 1])
    if eof:
        events += parser.feed_eof()
    return events


def merge_bytes(events: list[Any]) -> list[Any]:
    """Join adjacent body pieces, so differently split inputs compare equal.

    Also checks the invariant that no body piece is empty. Errors compare by
    type and message.
    """
    out: list[Any] = []
    for event in events:
        if type(event) is bytes:
            assert event, "empty bytes event"
            if out and type(out[-1]) is bytes:
                out[-1] += event
                continue
        elif isinstance(event, BadHttpMessage):
            event = (type(event), event.code, event.message)
        elif type(event) is EndOfMessage and event.trailers is not None:
            event = ("trailers", list(event.trailers.items()), event.raw_trailers)
        out.append(event)
    return out


def error_of(events: list[Any]) -> BadHttpMessage:
    """The error event that must end ``events``."""
    assert events, "expected an error event, got no events"
    error = events[-1]
    assert isinstance(error, BadHttpMessage), f"expected an error, got {events!r}"
    assert not any(isinstance(e, BadHttpMessage) for e in events[:-1])
    return error
