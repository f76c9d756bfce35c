"""aiohttp.helpers: entity tags and HTTP dates, as tables of inputs and answers."""

import datetime
import email.utils
import random
from typing import Optional

import pytest

from aiohttp._helpers import http_date, http_date_now
from aiohttp.helpers import (
    ETAG_ANY,
    ETag,
    etag_strong_match,
    etag_weak_match,
    format_etag,
    parse_etags,
    parse_http_date,
    validate_etag_value,
)

UTC = datetime.timezone.utc
SAMPLE = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", SAMPLE),  # IMF-fixdate
        ("Sunday, 06-Nov-94 08:49:37 GMT", SAMPLE),  # obsolete RFC 850
        ("Sun Nov  6 08:49:37 1994", SAMPLE),  # obsolete asctime
        ("Sun, 06 Nov 1994 09:49:37 +0100", SAMPLE),  # numeric zone
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", SAMPLE),
        ("Thu, 01 Jan 1970 00:00:00 GMT", datetime.datetime(1970, 1, 1, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
        (None, None),
        ("Sun, 32 Nov 1994 08:49:37 GMT", None),  # no such day
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),  # no such hour
        ("Sun, 06 Foo 1994 08:49:37 GMT", None),
        ("1994-11-06T08:49:37Z", None),  # ISO 8601 is not an HTTP date
        ("Fri, 31 Dec 9999 23:59:59 -0100", None),  # past datetime.max in UTC
    ],
)
def test_parse_http_date(
    text: Optional[str], expected: Optional[datetime.datetime]
) -> None:
    result = parse_http_date(text)
    assert result == expected
    if result is not None:
        assert result.tzinfo is not None
        assert result.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (784111777, "Sun, 06 Nov 1994 08:49:37 GMT"),  # RFC 9110's example
        (784111777.999, "Sun, 06 Nov 1994 08:49:37 GMT"),  # fraction dropped
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951782400, "Tue, 29 Feb 2000 00:00:00 GMT"),  # leap day
        (4102444799, "Thu, 31 Dec 2099 23:59:59 GMT"),
    ],
)
def test_http_date(timestamp: float, expected: str) -> None:
    assert http_date(timestamp) == expected
    assert parse_http_date(expected) == datetime.datetime.fromtimestamp(
        int(timestamp), UTC
    )


@pytest.mark.parametrize("timestamp", [1e12, -1e12])
def test_http_date_outside_four_digit_years(timestamp: float) -> None:
    with pytest.raises(ValueError, match="holds the years 1-9999 only"):
        http_date(timestamp)


def test_http_date_agrees_with_the_stdlib() -> None:
    # A second opinion: email.utils formats the same IMF-fixdate.
    rng = random.Random(8)
    for _ in range(2000):
        timestamp = rng.randrange(0, 2**33)
        assert http_date(timestamp) == email.utils.formatdate(timestamp, usegmt=True)


def test_http_date_now_is_the_current_second() -> None:
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    now = parse_http_date(http_date_now())
    after = datetime.datetime.now(UTC)
    assert now is not None
    assert before <= now <= after


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ()),
        ("", ()),
        ("*", (ETag(ETAG_ANY),)),
        (" * ", (ETag(ETAG_ANY),)),
        ('"abc"', (ETag("abc"),)),
        ('W/"abc"', (ETag("abc", is_weak=True),)),
        ('""', (ETag(""),)),
        ('"a", W/"b" ,"c"', (ETag("a"), ETag("b", True), ETag("c"))),
        ('"a,b"', (ETag("a,b"),)),  # a comma is a legal etagc
        ('"a", bare, "c"', (ETag("a"), ETag("c"))),  # malformed item skipped
        ('w/"a"', ()),  # the weak prefix is case-sensitive
        ('"a" "b"', ()),  # no comma between items
        ('"unterminated', ()),
        ('"a", "bad"x, "c"', (ETag("a"), ETag("c"))),
        ('"a",,"b",', (ETag("a"), ETag("b"))),
        ('"sp ace"', ()),
        ('"caf\xe9"', (ETag("caf\xe9"),)),  # obs-text
    ],
)
def test_parse_etags(header: Optional[str], expected: tuple[ETag, ...]) -> None:
    assert parse_etags(header) == expected


@pytest.mark.parametrize("value", ["", "abc", "*", "a!#~", "1-2-3", "\x80\xff"])
def test_validate_etag_value_accepts(value: str) -> None:
    validate_etag_value(value)


@pytest.mark.parametrize("value", ['a"b', "a b", "a\r\n", "\x7f", "\u20ac"])
def test_validate_etag_value_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="invalid etag value"):
        validate_etag_value(value)


def test_validate_etag_value_type() -> None:
    with pytest.raises(TypeError, match="must be str"):
        validate_etag_value(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("etag", "text"),
    [
        (ETag("x"), '"x"'),
        (ETag("x", is_weak=True), 'W/"x"'),
        (ETag(ETAG_ANY), "*"),
    ],
)
def test_format_etag(etag: ETag, text: str) -> None:
    assert format_etag(etag) == text
    assert parse_etags(text) == (etag,)


def test_format_etag_rejects_bad_value() -> None:
    with pytest.raises(ValueError):
        format_etag(ETag('a"'))


def test_etag_is_frozen_and_hashable() -> None:
    tag = ETag("a")
    with pytest.raises(AttributeError):
        tag.value = "b"  # type: ignore[misc]
    assert {tag, ETag("a")} == {tag}
    assert ETag("a") != ETag("a", is_weak=True)


@pytest.mark.parametrize(
    ("a", "b", "strong", "weak"),
    [
        (ETag("1"), ETag("1"), True, True),
        (ETag("1", True), ETag("1"), False, True),
        (ETag("1", True), ETag("1", True), False, True),
        (ETag("1"), ETag("2"), False, False),
    ],
)
def test_comparisons(a: ETag, b: ETag, strong: bool, weak: bool) -> None:
    # The table of RFC 9110 8.8.3.2.
    assert etag_strong_match(a, b) is strong
    assert etag_weak_match(a, b) is weak
