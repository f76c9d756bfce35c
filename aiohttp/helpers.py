"""Public helpers for HTTP validators: entity tags and HTTP dates.

These are what conditional requests (RFC 9110 section 13) need on both sides:
the response sets ``ETag`` / ``Last-Modified``, the request parses
``If-Match`` / ``If-None-Match`` / ``If-Modified-Since`` and friends.

It is also the public home of the client's credential and environment
helpers (``BasicAuth``, proxies from the environment, ``.netrc``).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from email.utils import parsedate_tz
from typing import Final

# Client-side helpers live in their own modules, one concept each, and are
# re-exported here because aiohttp.helpers is their public home.
from ._helpers_auth import BasicAuth, is_ip_address, strip_auth_from_url
from ._helpers_env import (
    ProxyInfo,
    basicauth_from_netrc,
    get_env_proxy_for_url,
    netrc_from_env,
    proxies_from_env,
)

__all__ = (
    "ETAG_ANY",
    "BasicAuth",
    "ETag",
    "ProxyInfo",
    "basicauth_from_netrc",
    "etag_strong_match",
    "etag_weak_match",
    "format_etag",
    "get_env_proxy_for_url",
    "is_ip_address",
    "netrc_from_env",
    "parse_etags",
    "parse_http_date",
    "proxies_from_env",
    "strip_auth_from_url",
    "validate_etag_value",
)

#: The wildcard of ``If-Match: *`` / ``If-None-Match: *``; parsed as
#: ``ETag(ETAG_ANY)``.
ETAG_ANY: Final = "*"

# RFC 9110 8.8.3: etagc = "!" / %x23-7E / obs-text (%x80-FF).  Python str
# holds decoded latin-1 header text, so obs-text is \x80-\xff.
_ETAGC: Final = r"[!\x23-\x7e\x80-\xff]"
_ETAG_VALUE_RE: Final = re.compile(rf"{_ETAGC}*")
# One list element: optional weak prefix, quoted opaque tag, then a comma or
# the end.  Used with match() at a position so malformed items can be skipped.
_LIST_ITEM_RE: Final = re.compile(rf'[ \t]*(W/)?"({_ETAGC}*)"[ \t]*(?:,|$)')


@dataclasses.dataclass(frozen=True, slots=True)
class ETag:
    """An entity tag: the opaque ``value`` (unquoted) and its weakness."""

    value: str
    is_weak: bool = False


def validate_etag_value(value: str) -> None:
    """Raise ValueError unless *value* may appear between an ETag's quotes."""
    if value == ETAG_ANY:
        return
    if not isinstance(value, str):
        raise TypeError(f"etag value must be str, got {type(value).__name__}")
    if not _ETAG_VALUE_RE.fullmatch(value):
        raise ValueError(
            f"invalid etag value {value!r}: only '!' and characters "
            "0x23-0x7E or 0x80-0xFF are allowed (no quotes, spaces or controls)"
        )


def format_etag(etag: ETag) -> str:
    """Render *etag* as a header value: ``"v"`` or ``W/"v"`` (``*`` as is)."""
    if etag.value == ETAG_ANY:
        return ETAG_ANY
    validate_etag_value(etag.value)
    prefix = "W/" if etag.is_weak else ""
    return f'{prefix}"{etag.value}"'


def parse_etags(header: str | None) -> tuple[ETag, ...]:
    """Parse an ``If-Match`` / ``If-None-Match`` value into entity tags.

    ``*`` gives ``(ETag(ETAG_ANY),)``.  Malformed list items are skipped, so a
    header with nothing valid gives an empty tuple (RFC 9110 lets a server
    ignore what it cannot parse).
    """
    if header is None:
        return ()
    text = header.strip(" \t")
    if text == ETAG_ANY:
        return (ETag(ETAG_ANY),)
    tags: list[ETag] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _LIST_ITEM_RE.match(text, pos)
        if match is None:
            # Skip the broken item up to the next comma outside quotes.
            pos = _skip_item(text, pos)
            continue
        tags.append(ETag(match.group(2), is_weak=match.group(1) is not None))
        pos = match.end()
    return tuple(tags)


def _skip_item(text: str, pos: int) -> int:
    """Index just past the comma ending the list item at *pos* (or the end)."""
    quoted = False
    for index in range(pos, len(text)):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return index + 1
    return len(text)


def etag_strong_match(a: ETag, b: ETag) -> bool:
    """Strong comparison (RFC 9110 8.8.3.2): both strong and equal values."""
    return not a.is_weak and not b.is_weak and a.value == b.value


def etag_weak_match(a: ETag, b: ETag) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2): equal values, weakness ignored."""
    return a.value == b.value


def parse_http_date(value: str | None) -> datetime.datetime | None:
    """Parse an HTTP date into an aware UTC datetime, or None if unusable.

    Accepts the IMF-fixdate and the obsolete RFC 850 and asctime forms that
    RFC 9110 5.6.7 requires recipients to understand.
    """
    if not value:
        return None
    try:
        parts = parsedate_tz(value)
    except (TypeError, ValueError, IndexError):  # pragma: no cover - defensive
        return None
    if parts is None:
        return None
    try:
        parsed = datetime.datetime(*parts[:6], tzinfo=datetime.timezone.utc)
    except (ValueError, OverflowError):
        return None
    offset = parts[9] or 0
    try:
        return parsed - datetime.timedelta(seconds=offset)
    except OverflowError:
        return None
