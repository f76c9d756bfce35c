"""The sans-IO rules behind FileResponse: ranges, preconditions, codings.

Everything here takes header strings and file facts and returns decisions,
so each rule of RFC 9110 sections 13 and 14 is tested with plain values.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Final

from .helpers import (
    ETAG_ANY,
    ETag,
    etag_strong_match,
    etag_weak_match,
    parse_etags,
    parse_http_date,
)

__all__ = (
    "MAX_RANGES",
    "ByteRange",
    "accepted_codings",
    "byteranges_layout",
    "check_preconditions",
    "if_range_allows",
    "parse_range",
)

#: More ranges than this in one request are ignored (the full file is sent):
#: a long list of tiny or overlapping ranges only serves to amplify traffic.
MAX_RANGES: Final = 100

_SPEC_RE: Final = re.compile(r"([0-9]*)-([0-9]*)")


@dataclasses.dataclass(frozen=True, slots=True)
class ByteRange:
    """An inclusive, satisfiable byte range ``start..end`` of a file."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        """The ``Content-Range`` value for this range of a *size* byte file."""
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> list[ByteRange] | None:
    """The satisfiable ranges a ``Range`` header asks for.

    None means "ignore the header and send the whole file": it is absent,
    malformed, in another unit or has too many ranges (RFC 9110 14.2 lets a
    server ignore those).  An empty list means nothing is satisfiable: 416.
    """
    if header is None:
        return None
    unit, sep, spec_text = header.partition("=")
    if not sep or unit.strip(" \t").lower() != "bytes":
        return None
    specs = [s.strip(" \t") for s in spec_text.split(",")]
    specs = [s for s in specs if s]
    if not specs or len(specs) > MAX_RANGES:
        return None
    ranges: list[ByteRange] = []
    for spec in specs:
        match = _SPEC_RE.fullmatch(spec)
        if match is None or match.group(0) == "-":
            return None
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = int(last) if last else size - 1
            if last and end < start:
                return None  # RFC 9110 14.1.1: an invalid range-spec
            if start < size:
                ranges.append(ByteRange(start, min(end, size - 1)))
        else:
            suffix = int(last)
            if suffix > 0 and size > 0:
                ranges.append(ByteRange(max(0, size - suffix), size - 1))
    return ranges


def byteranges_layout(
    ranges: Sequence[ByteRange], size: int, content_type: str, boundary: str
) -> tuple[list[bytes], bytes, int]:
    """Part heads, closing delimiter and total length of a byteranges body.

    The body is ``heads[0] + data[0] + heads[1] + data[1] ... + closing``; the
    total is known up front, so the response keeps a Content-Length.
    """
    heads: list[bytes] = []
    for index, byte_range in enumerate(ranges):
        lead = "\r\n" if index else ""
        heads.append(
            (
                f"{lead}--{boundary}\r\n"
                f"Content-Type: {content_type}\r\n"
                f"Content-Range: {byte_range.content_range(size)}\r\n\r\n"
            ).encode("latin-1")
        )
    closing = f"\r\n--{boundary}--\r\n".encode("latin-1")
    total = sum(map(len, heads)) + sum(r.length for r in ranges) + len(closing)
    return heads, closing, total


def _etag_list_matches(header: str, etag: ETag, *, strong: bool) -> bool:
    compare = etag_strong_match if strong else etag_weak_match
    for candidate in parse_etags(header):
        if candidate.value == ETAG_ANY or compare(candidate, etag):
            return True
    return False


def check_preconditions(
    method: str,
    headers: Mapping[str, str],
    etag: ETag,
    last_modified: datetime.datetime,
) -> int | None:
    """The status a failed precondition calls for (304 or 412), else None.

    Follows the evaluation order of RFC 9110 13.2.2; *last_modified* must
    have whole-second precision, as HTTP dates do.
    """
    if_match = headers.get("If-Match")
    if if_match is not None:
        if not _etag_list_matches(if_match, etag, strong=True):
            return 412
    else:
        since = parse_http_date(headers.get("If-Unmodified-Since"))
        if since is not None and last_modified > since:
            return 412
    safe = method in ("GET", "HEAD")
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if _etag_list_matches(if_none_match, etag, strong=False):
            return 304 if safe else 412
    elif safe:
        since = parse_http_date(headers.get("If-Modified-Since"))
        if since is not None and last_modified <= since:
            return 304
    return None


def if_range_allows(
    header: str | None, etag: ETag, last_modified: datetime.datetime
) -> bool:
    """True when a Range may be honoured given the ``If-Range`` *header*."""
    if header is None:
        return True
    header = header.strip(" \t")
    if header.startswith(('"', "W/")):
        tags = parse_etags(header)
        # If-Range takes exactly one strong entity tag.
        return len(tags) == 1 and etag_strong_match(tags[0], etag)
    date = parse_http_date(header)
    return date is not None and date == last_modified


def accepted_codings(header: str | None) -> set[str]:
    """Content codings an ``Accept-Encoding`` value accepts (q > 0), lowercase.

    ``*`` is kept as a member: the caller decides what it stands for.
    """
    accepted: set[str] = set()
    if not header:
        return accepted
    for item in header.split(","):
        coding, *params = (part.strip(" \t") for part in item.split(";"))
        if not coding:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip(" \t").lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            accepted.add(coding.lower())
    return accepted
