"""Parsers for request headers: ``Forwarded`` (RFC 7239) and ``Range``.

Pure functions on header text, so they are tested without a server.
"""

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

__all__ = ("parse_forwarded", "parse_range")

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[\t !\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t !-~\x80-\xff])*"'
# One forwarded-pair, with optional whitespace around it.
_PAIR_RE = re.compile(rf"[ \t]*({_TOKEN})=({_TOKEN}|{_QUOTED})[ \t]*")
_UNESCAPE_RE = re.compile(r"\\(.)")
_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")


def _skip_to_comma(text: str, pos: int) -> int:
    """Index just after the next comma outside a quoted string (or the end)."""
    quoted = escaped = False
    for index in range(pos, len(text)):
        char = text[index]
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return index + 1
    return len(text)


def _parse_value(raw: str) -> str:
    if raw.startswith('"'):
        return _UNESCAPE_RE.sub(r"\1", raw[1:-1])
    return raw


def _parse_one(text: str) -> list[dict[str, str]]:
    elements: list[dict[str, str]] = []
    pos, end = 0, len(text)
    element: dict[str, str] = {}
    elements.append(element)
    while pos < end:
        match = _PAIR_RE.match(text, pos)
        if match is None:
            # A malformed pair spoils the rest of its element only.
            pos = _skip_to_comma(text, pos)
            if pos < end:
                element = {}
                elements.append(element)
            continue
        name = match.group(1).lower()
        element.setdefault(name, _parse_value(match.group(2)))
        pos = match.end()
        if pos < end and text[pos] == ";":
            pos += 1
        elif pos < end and text[pos] == ",":
            pos += 1
            element = {}
            elements.append(element)
        elif pos < end:
            pos = _skip_to_comma(text, pos)
            if pos < end:
                element = {}
                elements.append(element)
    return elements


def parse_forwarded(headers: Iterable[str]) -> tuple[Mapping[str, str], ...]:
    """Every element of every ``Forwarded`` header, as read-only dicts.

    Names are lower-cased, quoted values unquoted; the first occurrence of a
    name in an element wins, and a malformed pair ends its element (the
    header comes from the client and may be garbage).
    """
    result: list[Mapping[str, str]] = []
    for header in headers:
        for element in _parse_one(header):
            result.append(MappingProxyType(element))
    return tuple(result)


def parse_range(header: str) -> slice:
    """``bytes=a-b`` as ``slice(a, b + 1)``; ``bytes=-n`` as ``slice(-n, None)``.

    Raises ValueError when the header is not one byte range.
    """
    match = _RANGE_RE.fullmatch(header.strip())
    if match is None:
        raise ValueError(
            f"Range header {header!r} is not in an acceptable format "
            "(expected 'bytes=start-end')"
        )
    first, last = match.groups()
    start = int(first) if first else None
    end = int(last) if last else None
    if start is None and end is None:
        raise ValueError("No start or end of range specified")
    if start is None:
        assert end is not None
        return slice(-end, None, 1)
    if end is not None:
        end += 1  # the header's end is inclusive, a slice's is not
        if start >= end:
            raise ValueError(f"range start {start} cannot be after end {end - 1}")
    return slice(start, end, 1)
