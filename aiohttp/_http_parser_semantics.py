"""HTTP/1.1 message semantics shared by the request and response parsers.

The end-of-message and end-of-chunk events, and the rules that decide how a
body is framed from its Content-Length and Transfer-Encoding fields (RFC 9112
section 6): pure functions of the parsed headers, raising the BadHttpMessage
subclass that names the problem.
"""

from typing import Final, Optional

from multidict import CIMultiDictProxy

from . import hdrs
from ._http_parser_grammar import DIGITS
from .http_exceptions import BadHttpMessage, InvalidHeader, UnsupportedTransferEncoding

__all__ = (
    "END_OF_CHUNK",
    "END_OF_MESSAGE",
    "EndOfChunk",
    "EndOfMessage",
    "RawHeaders",
    "chunked_coding",
    "comma_tokens",
    "content_length",
)

RawHeaders = tuple[tuple[bytes, bytes], ...]


class EndOfMessage:
    """Marks the end of one message's body, with the trailers if any were sent."""

    __slots__ = ("raw_trailers", "trailers")

    def __init__(
        self,
        trailers: Optional[CIMultiDictProxy[str]] = None,
        raw_trailers: RawHeaders = (),
    ) -> None:
        self.trailers = trailers
        self.raw_trailers = raw_trailers

    def __repr__(self) -> str:
        if self.trailers is None:
            return "<EndOfMessage>"
        return f"<EndOfMessage trailers={self.trailers!r}>"


class EndOfChunk:
    """Marks the end of one chunk's data in a chunked body."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<EndOfChunk>"


END_OF_MESSAGE: Final = EndOfMessage()
END_OF_CHUNK: Final = EndOfChunk()


def comma_tokens(values: list[str]) -> list[str]:
    """Split comma-separated header values into lower-case tokens, no empties."""
    tokens = [t.strip(" \t").lower() for v in values for t in v.split(",")]
    return [t for t in tokens if t]


def content_length(headers: CIMultiDictProxy[str]) -> Optional[int]:
    """The validated Content-Length, or None when absent."""
    values = headers.getall(hdrs.CONTENT_LENGTH, None)
    if values is None:
        return None
    if len(values) > 1:
        raise InvalidHeader(hdrs.CONTENT_LENGTH, "more than one Content-Length field")
    value = values[0]
    # Digits only (no sign, spaces or list); 18 digits stay below 2**63.
    if len(value) > 18 or not DIGITS.fullmatch(value):
        raise InvalidHeader(
            hdrs.CONTENT_LENGTH,
            f"{value[:40]!r} is not a number of bytes (1 to 18 digits)",
        )
    return int(value)


def chunked_coding(headers: CIMultiDictProxy[str], request: bool) -> bool:
    """Whether Transfer-Encoding (known present) makes the body chunked.

    Requests must end with exactly one ``chunked`` and use no other coding
    (RFC 9112 6.1); a response not ending with ``chunked`` is read until
    the connection closes (RFC 9112 6.3).
    """
    codings = comma_tokens(headers.getall(hdrs.TRANSFER_ENCODING))
    chunked = codings.count("chunked")
    if chunked > 1:
        raise BadHttpMessage("Transfer-Encoding lists 'chunked' more than once")
    final = bool(codings) and codings[-1] == "chunked"
    if request and not final:
        raise BadHttpMessage(
            "Transfer-Encoding of a request must end with 'chunked', got "
            f"{', '.join(headers.getall(hdrs.TRANSFER_ENCODING))[:80]!r}"
        )
    if chunked and len(codings) > 1:
        others = ", ".join(c for c in codings if c != "chunked")
        raise UnsupportedTransferEncoding(
            f"Unsupported transfer coding {others[:80]!r}: only 'chunked' is supported"
        )
    return final
