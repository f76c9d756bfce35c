"""The sans-IO rules of FileResponse: ranges, preconditions, codings."""

import datetime
from typing import Optional

import pytest

from aiohttp._fileresponse_rules import (
    MAX_RANGES,
    ByteRange,
    accepted_codings,
    byteranges_layout,
    check_preconditions,
    if_range_allows,
    parse_range,
)
from aiohttp.helpers import ETag

UTC = datetime.timezone.utc
MTIME = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
MTIME_TEXT = "Thu, 02 Jan 2020 03:04:05 GMT"
BEFORE = "Thu, 02 Jan 2020 03:04:04 GMT"
AFTER = "Thu, 02 Jan 2020 03:04:06 GMT"
TAG = ETag("abc")
R = ByteRange


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", [R(0, 0)]),
        ("bytes=0-499", [R(0, 499)]),
        ("bytes=500-", [R(500, 999)]),
        ("bytes=-100", [R(900, 999)]),
        ("bytes=-5000", [R(0, 999)]),  # a suffix longer than the file
        ("bytes=900-5000", [R(900, 999)]),  # the end is clipped
        ("BYTES = 1-2", [R(1, 2)]),
        ("bytes=0-1, 5-6 ,-1", [R(0, 1), R(5, 6), R(999, 999)]),
        ("bytes=0-1,,2-3,", [R(0, 1), R(2, 3)]),
        ("bytes=1000-", []),  # starts past the end: unsatisfiable
        ("bytes=-0", []),
        ("bytes=1000-1001, 2000-", []),
        ("bytes=1000-, 0-0", [R(0, 0)]),  # one satisfiable range is enough
        # Malformed or foreign: ignored, the full file is sent.
        ("bytes=5-1", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=1-2-3", None),
        ("bytes=+1-2", None),
        ("bytes=1 - 2", None),
        ("items=0-1", None),
        ("bytes 0-1", None),
        ("", None),
        ("bytes=" + ",".join(["0-0"] * (MAX_RANGES + 1)), None),
    ],
)
def test_parse_range(
    header: Optional[str], expected: Optional[list[ByteRange]]
) -> None:
    assert parse_range(header, 1000) == expected


def test_parse_range_empty_file() -> None:
    assert parse_range("bytes=0-", 0) == []
    assert parse_range("bytes=-10", 0) == []


def test_byte_range() -> None:
    byte_range = ByteRange(10, 19)
    assert byte_range.length == 10
    assert byte_range.content_range(100) == "bytes 10-19/100"


def test_byteranges_layout() -> None:
    heads, closing, total = byteranges_layout(
        [R(0, 1), R(5, 5)], 10, "text/plain", "BOUND"
    )
    assert heads == [
        b"--BOUND\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n",
        b"\r\n--BOUND\r\nContent-Type: text/plain\r\n"
        b"Content-Range: bytes 5-5/10\r\n\r\n",
    ]
    assert closing == b"\r\n--BOUND--\r\n"
    assert total == len(heads[0]) + 2 + len(heads[1]) + 1 + len(closing)


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("GET", {}, None),
        # If-Match: strong comparison, "*" matches any existing file.
        ("GET", {"If-Match": '"abc"'}, None),
        ("GET", {"If-Match": '"x", "abc"'}, None),
        ("GET", {"If-Match": "*"}, None),
        ("GET", {"If-Match": '"x"'}, 412),
        ("GET", {"If-Match": 'W/"abc"'}, 412),
        ("PUT", {"If-Match": '"x"'}, 412),
        # If-Unmodified-Since, only without If-Match.
        ("GET", {"If-Unmodified-Since": MTIME_TEXT}, None),
        ("GET", {"If-Unmodified-Since": AFTER}, None),
        ("GET", {"If-Unmodified-Since": BEFORE}, 412),
        ("GET", {"If-Unmodified-Since": "garbage"}, None),
        ("GET", {"If-Match": '"abc"', "If-Unmodified-Since": BEFORE}, None),
        # If-None-Match: weak comparison; 304 for GET/HEAD, 412 otherwise.
        ("GET", {"If-None-Match": '"abc"'}, 304),
        ("HEAD", {"If-None-Match": 'W/"abc"'}, 304),
        ("GET", {"If-None-Match": "*"}, 304),
        ("GET", {"If-None-Match": '"x"'}, None),
        ("POST", {"If-None-Match": '"abc"'}, 412),
        # If-Modified-Since: GET/HEAD only, ignored with If-None-Match.
        ("GET", {"If-Modified-Since": MTIME_TEXT}, 304),
        ("GET", {"If-Modified-Since": AFTER}, 304),
        ("GET", {"If-Modified-Since": BEFORE}, None),
        ("GET", {"If-Modified-Since": "garbage"}, None),
        ("POST", {"If-Modified-Since": MTIME_TEXT}, None),
        ("GET", {"If-None-Match": '"x"', "If-Modified-Since": AFTER}, None),
        # A failed If-Match wins over a matching If-None-Match.
        ("GET", {"If-Match": '"x"', "If-None-Match": '"abc"'}, 412),
    ],
)
def test_check_preconditions(
    method: str, headers: dict[str, str], status: Optional[int]
) -> None:
    assert check_preconditions(method, headers, TAG, MTIME) == status


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        (None, True),
        ('"abc"', True),
        ('W/"abc"', False),  # weak tags never satisfy If-Range
        ('"x"', False),
        ('"abc", "x"', False),
        (MTIME_TEXT, True),
        (AFTER, False),  # only an exact date match counts
        (BEFORE, False),
        ("garbage", False),
    ],
)
def test_if_range_allows(header: Optional[str], allowed: bool) -> None:
    assert if_range_allows(header, TAG, MTIME) is allowed


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, set()),
        ("", set()),
        ("gzip", {"gzip"}),
        ("gzip, deflate, br", {"gzip", "deflate", "br"}),
        ("BR;q=0.5, gzip;q=0", {"br"}),
        ("gzip; q=0.000", set()),
        ("gzip;q=bad", set()),
        ("*", {"*"}),
        (" , br ,", {"br"}),
    ],
)
def test_accepted_codings(header: Optional[str], expected: set[str]) -> None:
    assert accepted_codings(header) == expected
