"""HTTP/1.1 message grammar (RFC 9110 / RFC 9112) for the sans-IO parser.

Two halves:

* precompiled patterns that validate a whole start line or a whole header
  block in one C-level call (the fast path: valid input never loops per line
  in Python), and
* ``*_error`` functions, run only once a fast check has failed, that walk the
  input to name exactly what is wrong and return the matching exception.
"""

import re
from typing import Optional

from .http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    TransferEncodingError,
    UnsupportedHttpVersion,
)

__all__ = (
    "ABSOLUTE_FORM",
    "AUTHORITY_FORM",
    "BARE_CR_OR_LF",
    "CHUNK_LINE",
    "DIGITS",
    "HEADER_FIELDS",
    "REQUEST_LINE",
    "REQUEST_LINE_PREFIX",
    "STATUS_LINE",
    "bare_line_end_error",
    "chunk_line_error",
    "header_block_error",
    "request_line_error",
    "status_line_error",
)

# RFC 9110 5.6.2: tchar, the characters of a token.
_TCHAR = rb"!#$%&'*+\-.^_`|~0-9A-Za-z"
# RFC 9110 5.5: field-value characters (VCHAR, SP, HTAB, obs-text); no CTLs.
_FIELD_CHAR = rb"\t\x20-\x7e\x80-\xff"
# Visible characters (VCHAR and obs-text): no CTL, SP or DEL; also what a
# request-target may contain.
_VCHAR = rb"\x21-\x7e\x80-\xff"

_TOKEN = re.compile(rb"[" + _TCHAR + rb"]+")
# method SP request-target SP HTTP-version; only 1.0 and 1.1 take the fast path.
REQUEST_LINE = re.compile(
    rb"([" + _TCHAR + rb"]+) ([" + _VCHAR + rb"]+) HTTP/1\.([01])"
)
# What a request line that has not fully arrived may look like so far; used to
# reject garbage (a TLS handshake, say) before its line ends.
REQUEST_LINE_PREFIX = re.compile(
    rb"[" + _TCHAR + rb"]*(?: [" + _VCHAR + rb"]*"
    rb"(?: (?:H(?:T(?:T(?:P(?:/(?:[0-9](?:\.[0-9]?)?)?)?)?)?)?)?)?)?\r?"
)
# HTTP-version SP status-code [SP reason-phrase]; the reason may be missing.
STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: ([" + _FIELD_CHAR + rb"]*))?")
# One field line: name ":" OWS value CRLF, anchored at a line start. The value
# group cannot begin with whitespace, so a failed match never backtracks
# quadratically. findall() over a block yields (name, value) pairs; the block
# is valid when every line produced a pair (see ParserBase._parse_fields).
HEADER_FIELDS = re.compile(
    rb"(?:^|(?<=\n))([" + _TCHAR + rb"]+):[ \t]*"
    rb"((?:[" + _VCHAR + rb"][" + _FIELD_CHAR + rb"]*)?)\r\n"
)
# A line ending that is not CRLF: LF without CR before it, or CR without LF after.
BARE_CR_OR_LF = re.compile(rb"(?<!\r)\n|\r[^\n]")
DIGITS = re.compile(r"[0-9]+")
# RFC 9112 7.1.1: chunk-size [chunk-ext]; chunk-ext = *(BWS ";" BWS name
# [BWS "=" BWS (token / quoted-string)]).
_QUOTED_STRING = rb'"(?:[\t !\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t\x20-\x7e\x80-\xff])*"'
CHUNK_LINE = re.compile(
    rb"([0-9A-Fa-f]+)(?:[ \t]*;[ \t]*[" + _TCHAR + rb"]+"
    rb"(?:[ \t]*=[ \t]*(?:[" + _TCHAR + rb"]+|" + _QUOTED_STRING + rb"))?)*"
)
# absolute-form: scheme "://" authority, then path/query (any VCHAR, checked
# with the request line). The authority is restricted to ASCII URI characters
# so yarl can always encode the host later.
ABSOLUTE_FORM = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*://[A-Za-z0-9\-._~!$&'()*+,;=%:@\[\]]+(?=[/?#]|\Z)"
)
# authority-form (CONNECT only): host ":" port, host a reg-name, IPv4 or [IPv6].
AUTHORITY_FORM = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]{1,5}"
)
_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])")


def _show(data: bytes, limit: int = 100) -> str:
    """Printable, bounded rendering of raw bytes for error messages."""
    text = data[:limit].decode("utf-8", "backslashreplace")
    return text + "..." if len(data) > limit else text


def bare_line_end_error(where: str, data: bytes) -> BadHttpMessage:
    """The error for a lone LF or CR; HTTP/1.1 lines end with CRLF only."""
    kind = "LF without a preceding CR" if b"\n" in data else "CR not followed by LF"
    return BadHttpMessage(
        f"Invalid line ending in {where}: bare {kind}; lines must end with CRLF"
    )


def _version_error(version: bytes, line: str, first: bool) -> BadHttpMessage:
    """Error for a start line whose HTTP-version is not 1.0 or 1.1."""
    if _VERSION.fullmatch(version):
        return UnsupportedHttpVersion(
            line, f"Unsupported HTTP version {_show(version)!r}: only 1.0 and 1.1"
        )
    where = "request line" if first else "status line"
    return BadStatusLine(
        line, f"Invalid HTTP version {_show(version)!r} in {where} {line!r}"
    )


def request_line_error(line: bytes) -> BadHttpMessage:
    """Name what is wrong with a request line REQUEST_LINE rejected."""
    text = _show(line)
    if b"\n" in line or b"\r" in line:
        return bare_line_end_error("the request line", line)
    method, _, rest = line.partition(b" ")
    if not _TOKEN.fullmatch(method):
        return BadHttpMethod(text)
    target, space, version = rest.partition(b" ")
    if target and re.search(rb"[^" + _VCHAR + rb"]", target):
        return InvalidURLError(
            f"Invalid request-target {_show(target)!r}: control characters, "
            "spaces and DEL are not allowed"
        )
    if not target or not space or not version or b" " in version:
        return BadStatusLine(
            text,
            f"Invalid request line {text!r}: expected exactly "
            "'METHOD SP request-target SP HTTP/x.y' with single spaces",
        )
    return _version_error(version, text, True)


def status_line_error(line: bytes) -> BadHttpMessage:
    """Name what is wrong with a status line STATUS_LINE rejected."""
    text = _show(line)
    if b"\n" in line or b"\r" in line:
        return bare_line_end_error("the status line", line)
    version = line.partition(b" ")[0]
    if not version.startswith(b"HTTP/1.") or not _VERSION.fullmatch(version):
        return _version_error(version, text, False)
    return BadStatusLine(
        text, f"Invalid status line {text!r}: expected 'HTTP/x.y SP 3DIGIT [SP reason]'"
    )


def _header_line_error(line: bytes, what: str) -> Optional[BadHttpMessage]:
    """The error for one field line, or None if the line is valid."""
    if b"\n" in line or b"\r" in line:
        return bare_line_end_error(f"a {what} line", line)
    if line[:1] in (b" ", b"\t"):
        return InvalidHeader(
            _show(line), "obsolete line folding (a line starting with whitespace)"
        )
    name, colon, value = line.partition(b":")
    if not colon:
        return InvalidHeader(_show(line), "missing colon after the field name")
    if not name:
        return InvalidHeader(_show(line), "empty field name")
    if name[-1:] in (b" ", b"\t"):
        return InvalidHeader(
            _show(line), "whitespace between the field name and the colon"
        )
    if not _TOKEN.fullmatch(name):
        return InvalidHeader(
            _show(line), "the field name has a character not allowed in a token"
        )
    bad = re.search(rb"[^" + _FIELD_CHAR + rb"]", value)
    if bad:
        return InvalidHeader(
            _show(line),
            f"control character 0x{bad.group()[0]:02x} in the field value",
        )
    return None


def header_block_error(
    block: bytes, max_field_size: int, code: int, what: str
) -> BadHttpMessage:
    """Name what is wrong in a header or trailer block HEADER_FIELDS rejected.

    ``block`` holds the field lines, each ending with CRLF; ``code`` is the
    status to use for an over-long line; ``what`` is "header" or "trailer".
    """
    for line in block.split(b"\r\n")[:-1]:
        if len(line) > max_field_size:
            return LineTooLong(f"{what} field", max_field_size, len(line), code=code)
        error = _header_line_error(line, what)
        if error is not None:
            return error
    # HEADER_FIELDS and the line checks above agree; reaching here means a bug.
    return BadHttpMessage(f"Invalid {what} block")  # pragma: no cover


def chunk_line_error(line: bytes) -> BadHttpMessage:
    """Name what is wrong with a chunk-size line CHUNK_LINE rejected."""
    if b"\n" in line or b"\r" in line:
        return bare_line_end_error("a chunk-size line", line)
    size = re.match(rb"[0-9A-Fa-f]*", line)
    assert size is not None  # matches the empty string at worst
    if not size.group():
        return TransferEncodingError(
            f"Invalid chunk-size line {_show(line)!r}: "
            "it must start with a hexadecimal chunk size"
        )
    return TransferEncodingError(
        f"Invalid chunk extension in chunk-size line {_show(line)!r}"
    )
