"""Value conversions behind StreamResponse's header properties and cookies.

Kept apart from :mod:`aiohttp.web_response` so that module stays about one
concept (sending a response); these are pure functions with no I/O.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from http.cookies import Morsel, SimpleCookie
from typing import Any, Final, Optional

from multidict import CIMultiDict

from . import hdrs, payload
from ._helpers import http_date
from .helpers import ETAG_ANY, ETag, format_etag, validate_etag_value

__all__ = (
    "PartitionedMorsel",
    "body_payload",
    "format_etag_header",
    "format_last_modified",
    "parse_etag_header",
    "set_morsel",
)

_ETAG_HEADER_RE: Final = re.compile(r'(W/)?"([!\x23-\x7e\x80-\xff]*)"')


class PartitionedMorsel(Morsel[str]):
    """A Morsel that also knows the ``Partitioned`` cookie attribute (CHIPS).

    Python before 3.14 rejects the attribute.  Rather than patching the
    standard library's class for every user of the process, this subclass
    carries its own copies of the attribute tables that Morsel consults
    through ``self``.
    """

    _reserved: dict[str, str] = {
        **Morsel._reserved,  # type: ignore[attr-defined]
        "partitioned": "Partitioned",
    }
    _flags: set[str] = {
        *Morsel._flags,  # type: ignore[attr-defined]
        "partitioned",
    }


def format_last_modified(value: Any) -> str:
    """The ``Last-Modified`` text for a timestamp, datetime or ready string."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            # A naive datetime is taken as UTC, as HTTP dates always are.
            value = value.replace(tzinfo=datetime.timezone.utc)
        return http_date(value.timestamp())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return http_date(float(value))
    raise TypeError(
        f"last_modified={value!r} is not supported: pass a datetime, a POSIX "
        "timestamp (int or float), an HTTP date string or None"
    )


def format_etag_header(value: ETag | str) -> str:
    """The ``ETag`` header text for an :class:`ETag` or a bare (unquoted) str."""
    if isinstance(value, str):
        validate_etag_value(value)
        return ETAG_ANY if value == ETAG_ANY else f'"{value}"'
    if isinstance(value, ETag):
        return format_etag(value)
    raise ValueError(
        f"etag={value!r} is not supported: pass an ETag, an unquoted str or None"
    )


def parse_etag_header(raw: str | None) -> ETag | None:
    """The :class:`ETag` an ``ETag`` header holds, None if absent or malformed."""
    if not raw:
        return None
    if raw == ETAG_ANY:
        return ETag(ETAG_ANY)
    match = _ETAG_HEADER_RE.fullmatch(raw)
    if match is None:
        return None
    return ETag(match.group(2), is_weak=match.group(1) is not None)


def set_morsel(
    cookies: SimpleCookie,
    name: str,
    value: str,
    attrs: Mapping[str, Optional[str]],
    flags: Mapping[str, Optional[bool]],
) -> None:
    """Store cookie *name* in *cookies* with the given attributes and flags.

    None attributes and false flags are left as they were, so re-setting a
    cookie keeps what was given before (as the standard Morsel reuse does).
    """
    morsel = PartitionedMorsel()
    old = cookies.get(name)
    if old is not None:
        dict.update(morsel, old)
    _, coded = cookies.value_encode(value)
    morsel.set(name, value, coded)
    cookies[name] = morsel
    for key, val in attrs.items():
        if val is not None:
            morsel[key] = val
    for key, flag in flags.items():
        if flag:
            morsel[key] = True


def body_payload(body: Any, headers: CIMultiDict[str]) -> payload.Payload:
    """The :class:`~aiohttp.payload.Payload` for a non-bytes ``Response.body``.

    A str, a file object, a ``MultipartWriter``... become payloads through the
    payload registry, as the client's ``data=`` does. The payload's headers
    (Content-Type, Content-Disposition) fill in what the response lacks; the
    response's own headers win.
    """
    if isinstance(body, payload.Payload):
        found = body
    else:
        try:
            found = payload.PAYLOAD_REGISTRY.get(body)
        except payload.LookupError:
            raise ValueError(
                f"body={type(body).__name__} is not supported: pass bytes, text=, "
                "or a type the payload registry knows (str, a file, "
                "MultipartWriter, an aiohttp.payload.Payload)"
            ) from None
    headers.setdefault(hdrs.CONTENT_TYPE, found.content_type)
    for name, value in found.headers.items():
        if name not in headers and name.lower() != "content-length":
            headers[name] = value
    return found
