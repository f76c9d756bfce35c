"""Helpers shared by the HTTP parser tests: feed bytes in various ways."""

from typing import Any, Union

from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import EndOfMessage, HttpRequestParser, HttpResponseParser

__all__ = (
    "bytewise",
    "error_of",
    "merge_bytes",
    "parse",
    "split_at",
)


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
