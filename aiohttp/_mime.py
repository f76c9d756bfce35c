"""MIME header helpers: ``Content-Type`` and ``Content-Disposition`` parse/format.

Both headers share one shape, ``value *( ";" name "=" value )``, where a value is
a token or a quoted-string and ``Content-Disposition`` adds RFC 5987/2231
extended values (``filename*=utf-8''%E2%82%AC.txt``) and continuations
(``filename*0=...; filename*1=...``). Parsing is linear in the header length and
never raises on bad input: a malformed ``Content-Disposition`` is reported with
a warning (as aiohttp does) and reads as "no disposition". Formatting refuses
anything that could break out of the header (CR, LF) and quotes or
percent-encodes the rest.
"""

import codecs
import re
import warnings
from collections.abc import Mapping
from typing import NamedTuple, Optional
from urllib.parse import quote, unquote, unquote_to_bytes

from multidict import MultiDict, MultiDictProxy

__all__ = (
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "MimeType",
    "content_disposition_filename",
    "content_disposition_header",
    "is_token",
    "parse_content_disposition",
    "parse_mimetype",
    "quoted_string",
)


class BadContentDispositionHeader(RuntimeWarning):
    """A ``Content-Disposition`` header could not be parsed; it was ignored."""


class BadContentDispositionParam(RuntimeWarning):
    """A ``Content-Disposition`` parameter could not be decoded; it was skipped."""


class MimeType(NamedTuple):
    """A parsed media type: ``type/subtype+suffix; parameters``."""

    type: str
    subtype: str
    suffix: str
    parameters: "MultiDictProxy[str]"


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# One ";"-introduced parameter. The value is a quoted-string (possibly
# unterminated: then it is rejected below) or a run up to the next ";".
# Every branch consumes at least one character, so a scan is linear.
_PARAM = re.compile(
    r'[ \t]*;[ \t]*(?P<key>[^;=" \t]*)[ \t]*'
    r'(?:=[ \t]*(?P<value>"(?:[^"\\]|\\.)*"?|[^;]*))?'
)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
# What an unquoted Content-Disposition value may hold: token characters, and
# non-ASCII text that some clients send raw.
_LOOSE_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z\x80-\U0010ffff]+")
# RFC 8187 ext-value: charset "'" [ language ] "'" value-chars.
_EXT_VALUE = re.compile(
    r"(?P<charset>[A-Za-z0-9!#$%&+\-^_`{}~]+)'(?P<lang>[A-Za-z0-9\-]*)'"
    r"(?P<chars>(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*)"
)
# An RFC 2231 continuation: name*N or name*N* (N bounded so int() stays cheap).
_CONTINUATION = re.compile(r"(?P<name>.+?)\*(?P<index>0|[1-9][0-9]{0,8})(?P<ext>\*)?")
_EMPTY: "MultiDictProxy[str]" = MultiDictProxy(MultiDict())
# Characters that may stand in a quoted-string as they are (besides escapes).
_PLAIN_ASCII = re.compile(r"[\t\x20-\x7e]*")
_BREAKS_HEADER = re.compile(r"[\r\n\x00]")


def is_token(value: str) -> bool:
    """Whether ``value`` is an RFC 9110 token (usable without quotes)."""
    return _TOKEN.fullmatch(value) is not None


def quoted_string(value: str) -> str:
    """``value`` as an RFC 9110 quoted-string, escaping ``"`` and ``\\``.

    Raises :class:`ValueError` for CR, LF or NUL, which no quoting can carry.
    """
    if _BREAKS_HEADER.search(value):
        raise ValueError(
            f"{value!r} contains CR, LF or NUL: it cannot be put in a header"
        )
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw: str) -> Optional[str]:
    """The content of quoted-string ``raw`` (escapes undone), or ``raw`` itself
    when it is not quoted; None for a quoted-string without its closing quote."""
    if raw[:1] != '"':
        return raw
    match = _QUOTED.fullmatch(raw)
    if match is None:
        return None
    return _QUOTED_PAIR.sub(r"\1", match.group(1))


_Param = tuple[str, Optional[str], bool]


def _split_params(params: str) -> Optional[list[_Param]]:
    """``; k=v; k2="v 2"`` as ``(key, value, quoted)`` with values unquoted
    (None for a bare ``; k``), or None if malformed."""
    result: list[_Param] = []
    pos = 0
    end = len(params.rstrip(" \t"))
    while pos < end:
        match = _PARAM.match(params, pos)
        if match is None:
            return None
        pos = match.end()
        key, raw = match.group("key"), match.group("value")
        if not key:
            if raw is None:
                continue  # an empty parameter (";;"): tolerated
            return None
        if raw is None:
            result.append((key, None, False))
            continue
        raw = raw.rstrip(" \t")
        value = _unquote(raw)
        if value is None:
            return None
        result.append((key, value, raw[:1] == '"'))
    return result


def parse_mimetype(mimetype: Optional[str]) -> MimeType:
    """Parse a ``Content-Type`` value into a :class:`MimeType`.

    Type, subtype, suffix and parameter names are lower-cased; quoted
    parameter values are unquoted. A value that cannot be parsed yields empty
    fields rather than an exception: a body with a garbled Content-Type is
    simply "not multipart / not text".
    """
    if not mimetype:
        return MimeType("", "", "", _EMPTY)
    full, sep, rest = mimetype.partition(";")
    pairs = _split_params(sep + rest) if sep else []
    parameters: MultiDict[str] = MultiDict()
    for key, value, _ in pairs or ():
        parameters.add(key.lower(), "" if value is None else value)
    full = full.strip().lower()
    if full == "*":
        full = "*/*"
    mtype, _, subtype = full.partition("/")
    subtype, _, suffix = subtype.partition("+")
    return MimeType(mtype, subtype, suffix, MultiDictProxy(parameters))


def _decode_ext_value(value: str) -> Optional[str]:
    """Decode an RFC 8187 ext-value (``utf-8'en'%E2%82%AC``); None if invalid.

    Some senders quote it although they should not; the parser has already
    taken the quotes off, so both forms are accepted.
    """
    match = _EXT_VALUE.fullmatch(value)
    if match is None:
        return None
    try:
        # unquote() only looks the charset up when there is a %XX to decode.
        charset = codecs.lookup(match.group("charset")).name
        return unquote(match.group("chars"), charset, "strict")
    except (LookupError, UnicodeDecodeError):
        return None


def _warn_header(header: str) -> tuple[Optional[str], dict[str, str]]:
    warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
    return None, {}


def parse_content_disposition(
    header: Optional[str],
) -> tuple[Optional[str], dict[str, str]]:
    """Split a ``Content-Disposition`` value into ``(type, params)``.

    The type and parameter names are lower-cased. ``name*`` parameters hold
    the decoded RFC 8187 value; continuations (``name*0``, ``name*1*``) keep
    their raw values for :func:`content_disposition_filename` to join. A
    malformed header warns :class:`BadContentDispositionHeader` and gives
    ``(None, {})``; an undecodable extended parameter warns
    :class:`BadContentDispositionParam` and is left out.
    """
    if not header:
        return None, {}
    disptype, sep, rest = header.partition(";")
    disptype = disptype.strip(" \t")
    if not is_token(disptype):
        return _warn_header(header)
    pairs = _split_params(sep + rest) if sep else []
    if pairs is None:
        return _warn_header(header)
    params: dict[str, str] = {}
    for key, value, quoted in pairs:
        key = key.lower()
        if (
            value is None
            or not is_token(key)
            or key in params
            or not (quoted or _LOOSE_TOKEN.fullmatch(value))
        ):
            # A bare name, a bad name, a repeated one (which parsers would
            # resolve differently) or an unquoted value with spaces or
            # separators in it: refuse the whole header.
            return _warn_header(header)
        if key.endswith("*") and _CONTINUATION.fullmatch(key) is None:
            decoded = _decode_ext_value(value)
            if decoded is None:
                warnings.warn(BadContentDispositionParam(value), stacklevel=2)
                continue
            value = decoded
        params[key] = value
    return disptype.lower(), params


def _join_continuations(params: Mapping[str, str], name: str) -> Optional[str]:
    """Join RFC 2231 ``name*0``, ``name*1*``, ... segments (numeric order)."""
    segments: dict[int, tuple[str, bool]] = {}
    for key, value in params.items():
        match = _CONTINUATION.fullmatch(key)
        if match is not None and match.group("name") == name:
            segments[int(match.group("index"))] = (value, bool(match.group("ext")))
    if 0 not in segments:
        return None
    charset = "utf-8"
    first, first_ext = segments[0]
    if first_ext:
        head = _EXT_VALUE.fullmatch(first)
        if head is None:
            warnings.warn(BadContentDispositionParam(first), stacklevel=3)
            return None
        charset = head.group("charset")
        segments[0] = (head.group("chars"), True)
    raw = bytearray()
    try:
        index = 0
        while index in segments:  # stop at the first gap in the numbering
            value, ext = segments[index]
            raw += unquote_to_bytes(value) if ext else value.encode(charset)
            index += 1
        return raw.decode(charset)
    except (LookupError, UnicodeError):
        warnings.warn(BadContentDispositionParam(first), stacklevel=3)
        return None


def content_disposition_filename(
    params: Mapping[str, str], name: str = "filename"
) -> Optional[str]:
    """The value of parameter ``name`` from parsed disposition ``params``.

    Prefers the extended ``name*`` form, then plain ``name``, then RFC 2231
    continuations; None when absent.
    """
    if not params:
        return None
    value = params.get(f"{name}*")
    if value is not None:
        return value
    value = params.get(name)
    if value is not None:
        return value
    return _join_continuations(params, name)


def content_disposition_header(
    disptype: str,
    quote_fields: bool = True,
    _charset: str = "utf-8",
    params: Optional[Mapping[str, str]] = None,
) -> str:
    """Format a ``Content-Disposition`` value such as ``form-data; name="a"``.

    With ``quote_fields`` (the default) printable ASCII values are sent as
    quoted-strings with ``"`` and ``\\`` escaped; any other value is
    percent-encoded in ``_charset`` and sent twice, as ``key="%..."`` for old
    parsers and as the RFC 8187 ``key*=utf-8''%...`` that ours prefers.
    Without it values go as quoted-strings verbatim (raw UTF-8, as browsers
    send form fields). CR, LF and NUL are refused either way unless encoded.
    """
    if not disptype or not is_token(disptype):
        raise ValueError(
            f"bad content disposition type {disptype!r}: it must be a token "
            "such as 'form-data', 'attachment' or 'inline'"
        )
    parts = [disptype]
    for key, value in (params or {}).items():
        if not key or not is_token(key):
            raise ValueError(
                f"bad content disposition parameter name {key!r}: it must be "
                "a token such as 'name' or 'filename'"
            )
        if not isinstance(value, str):
            raise TypeError(
                f"content disposition parameter {key!r} must be a str, "
                f"got {type(value).__name__}"
            )
        if not quote_fields or _PLAIN_ASCII.fullmatch(value):
            parts.append(f"{key}={quoted_string(value)}")
            continue
        encoded = quote(value, safe="", encoding=_charset)
        parts.append(f'{key}="{encoded}"')
        parts.append(f"{key}*={_charset}''{encoded}")
    return "; ".join(parts)
