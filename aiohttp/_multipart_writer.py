"""The multipart body writer: a payload made of payloads.

:class:`MultipartWriter` serialises its parts between boundary lines, each
with its headers. A part's ``Content-Encoding`` (gzip, deflate) and
``Content-Transfer-Encoding`` (base64, quoted-printable) are read from its
headers when the body is written and applied while streaming, so setting them
after :meth:`MultipartWriter.append` works. Boundaries and headers are checked
so that no value can end a part or the header block early.
"""

import binascii
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Optional, Union
from urllib.parse import urlencode

from multidict import CIMultiDict

from . import hdrs
from ._mime import is_token, quoted_string
from .payload import (
    JsonPayload,
    LookupError,
    Payload,
    StringPayload,
    _Buffer,
    _Writer,
    get_payload,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("MultipartWriter",)

# RFC 2046 5.1.1 allows 1-70 characters, ending in a non-space; we accept
# any printable ASCII (quoting the Content-Type parameter when needed).
_BOUNDARY: Final = re.compile(r"[\x20-\x7e]{0,69}[\x21-\x7e]")
_CONTENT_ENCODINGS: Final = frozenset({"gzip", "deflate", "identity", ""})
_TRANSFER_ENCODINGS: Final = frozenset(
    {"base64", "quoted-printable", "binary", "7bit", "8bit", ""}
)


class _Part(NamedTuple):
    """One part as iteration yields it: ``payload, encoding, te_encoding``."""

    payload: Payload
    encoding: Optional[str]
    te_encoding: Optional[str]

    @property
    def headers(self) -> CIMultiDict[str]:
        """The part's headers (those of its payload)."""
        return self.payload.headers


def _encodings(payload: Payload) -> tuple[Optional[str], Optional[str]]:
    """The part's content and transfer encodings; None for identity ones."""
    headers = payload.headers
    encoding = headers.get(hdrs.CONTENT_ENCODING, "").strip().lower()
    if encoding not in _CONTENT_ENCODINGS:
        raise RuntimeError(
            f"unknown content encoding: {encoding!r}: "
            "a multipart part may use gzip, deflate or identity"
        )
    te = headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "").strip().lower()
    if te not in _TRANSFER_ENCODINGS:
        raise RuntimeError(
            f"unknown content transfer encoding: {te!r}: "
            "a multipart part may use base64, quoted-printable or binary"
        )
    return (
        encoding if encoding not in ("identity", "") else None,
        te if te in ("base64", "quoted-printable") else None,
    )


class _PartEncoder:
    """Applies a part's encodings to what its payload writes, then forwards."""

    def __init__(
        self, writer: _Writer, encoding: Optional[str], te_encoding: Optional[str]
    ) -> None:
        self._writer = writer
        self._te = te_encoding
        self._carry = b""  # base64 input not yet a multiple of 3 bytes
        self._compress: Any = None
        if encoding is not None:
            # Raw deflate for "deflate", as aiohttp's multipart parts use.
            wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else -zlib.MAX_WBITS
            self._compress = zlib.compressobj(wbits=wbits)

    def _transfer_encode(self, data: bytes, final: bool) -> bytes:
        if self._te == "base64":
            data = self._carry + data
            cut = len(data) if final else len(data) - len(data) % 3
            self._carry = data[cut:]
            return binascii.b2a_base64(data[:cut], newline=False) if cut else b""
        if self._te == "quoted-printable":
            # istext=False: CR and LF are encoded too, so any bytes round-trip.
            return binascii.b2a_qp(data, istext=False)
        return data

    async def write(self, chunk: _Buffer) -> None:
        data = bytes(chunk)
        if self._compress is not None:
            data = self._compress.compress(data)
        data = self._transfer_encode(data, final=False)
        if data:
            await self._writer.write(data)

    async def write_eof(self) -> None:
        data = self._compress.flush() if self._compress is not None else b""
        data = self._transfer_encode(data, final=True)
        if data:
            await self._writer.write(data)


class _BoundaryGuard:
    """Forwards a part's (encoded) content, refusing any ``CRLF--boundary``.

    Such bytes would end the part early for a reader: a corrupt body, or
    fields smuggled in by whoever controls the content. A generated boundary
    makes this practically impossible; a chosen one needs the check. The
    scan is one ``find`` per chunk plus the seam with the previous chunk.
    """

    def __init__(self, writer: _Writer, boundary: bytes) -> None:
        self._writer = writer
        self._delimiter = b"\r\n--" + boundary
        # The part content follows the CRLF CRLF ending its headers.
        self._tail = b"\r\n"

    async def write(self, chunk: _Buffer) -> None:
        data = bytes(chunk)
        keep = len(self._delimiter) - 1
        if self._delimiter in self._tail + data[:keep] or self._delimiter in data:
            raise ValueError(
                "multipart part content contains the boundary delimiter "
                f"{self._delimiter[2:].decode('ascii')!r} at a line start; "
                "use another boundary (or let MultipartWriter generate one)"
            )
        self._tail = (self._tail + data)[-keep:] if len(data) < keep else data[-keep:]
        await self._writer.write(data)


def _check_boundary(boundary: Union[str, bytes]) -> str:
    if isinstance(boundary, bytes):
        try:
            boundary = boundary.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError(f"boundary {boundary!r} must be ASCII")
    if not isinstance(boundary, str):
        raise TypeError(f"boundary must be a str, got {type(boundary).__name__}")
    if len(boundary) > 70:
        raise ValueError(
            f"boundary {boundary!r} is too long: {len(boundary)} characters, "
            "at most 70 allowed"
        )
    if not _BOUNDARY.fullmatch(boundary):
        raise ValueError(
            f"boundary {boundary!r} is invalid: it must be 1 to 70 printable "
            "ASCII characters (no CR, LF or other control) not ending in a space"
        )
    return boundary


class MultipartWriter(Payload):
    """A multipart body (``multipart/<subtype>``) built from appended parts."""

    _value: None

    def __init__(
        self,
        subtype: str = "mixed",
        boundary: Union[str, bytes, None] = None,
        close_boundary: bool = True,
    ) -> None:
        boundary = uuid.uuid4().hex if boundary is None else _check_boundary(boundary)
        if not isinstance(subtype, str) or not is_token(subtype):
            raise ValueError(
                f"multipart subtype {subtype!r} is invalid: it must be a token "
                "such as 'mixed', 'form-data' or 'related'"
            )
        param = boundary if is_token(boundary) else quoted_string(boundary)
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={param}")
        self._boundary = boundary.encode("ascii")
        self._boundary_str = boundary
        self._parts: list[Payload] = []
        self._is_form_data = subtype == "form-data"
        self._close_boundary = close_boundary

    def __enter__(self) -> "MultipartWriter":
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: "Optional[TracebackType]",
    ) -> None:
        pass

    def __iter__(self) -> Iterator[_Part]:
        for payload in self._parts:
            yield _Part(payload, *_encodings(payload))

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    @property
    def boundary(self) -> str:
        """The boundary, as a str."""
        return self._boundary_str

    def append(self, obj: Any, headers: Optional[Mapping[str, str]] = None) -> Payload:
        """Add ``obj`` (anything :func:`~aiohttp.payload.get_payload` takes) as
        a part, with extra ``headers``; returns its payload."""
        if isinstance(obj, Payload):
            if headers:
                obj.headers.update(headers)
            return self.append_payload(obj)
        try:
            payload = get_payload(obj, headers=headers)
        except LookupError:
            raise TypeError(
                f"Cannot create a multipart part from {type(obj).__name__!r} "
                "data: pass bytes, str, a file object, a Payload or a "
                "registered payload type"
            )
        return self.append_payload(payload)

    def append_payload(self, payload: Payload) -> Payload:
        """Add ``payload`` as a part; returns it."""
        _encodings(payload)  # refuse unknown encodings now rather than later
        payload._binary_headers  # noqa: B018 (refuse CR/LF in headers now)
        if self._is_form_data and hdrs.CONTENT_DISPOSITION not in payload.headers:
            # RFC 7578 4.2: every form-data part needs a disposition and name.
            payload.set_content_disposition(
                "form-data", name=f"section-{len(self._parts)}"
            )
        self._parts.append(payload)
        return payload

    def append_json(
        self, obj: Any, headers: Optional[Mapping[str, str]] = None
    ) -> Payload:
        """Add ``obj`` serialised as JSON."""
        return self.append_payload(JsonPayload(obj, headers=headers))

    def append_form(
        self,
        obj: Union[Mapping[str, Any], Iterable[tuple[str, Any]]],
        headers: Optional[Mapping[str, str]] = None,
    ) -> Payload:
        """Add ``obj`` (a mapping or pairs) as ``x-www-form-urlencoded`` data."""
        items = obj.items() if isinstance(obj, Mapping) else obj
        data = urlencode(list(items), doseq=True)
        return self.append_payload(
            StringPayload(
                data,
                headers=headers,
                content_type="application/x-www-form-urlencoded",
            )
        )

    @property
    def size(self) -> Optional[int]:
        """Size of the whole body; None if a part's size is not known in
        advance (or changes when encoded)."""
        total = 0
        for payload in self._parts:
            encoding, te_encoding = _encodings(payload)
            if encoding or te_encoding or payload.size is None:
                return None
            # "--" boundary CRLF, headers, body, CRLF
            total += len(self._boundary) + 6
            total += len(payload._binary_headers) + payload.size
        return total + len(self._boundary) + 6  # "--" boundary "--" CRLF

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text, when every part can be decoded synchronously."""
        pieces = []
        for payload in self._parts:
            if any(_encodings(payload)):
                raise TypeError(
                    "a part with Content-Encoding or Content-Transfer-Encoding "
                    "cannot be decoded synchronously; use 'await as_bytes()'"
                )
            pieces.append(f"--{self._boundary_str}\r\n")
            pieces.append(payload._binary_headers.decode(encoding, errors))
            pieces.append(payload.decode(encoding, errors))
            pieces.append("\r\n")
        pieces.append(f"--{self._boundary_str}--\r\n")
        return "".join(pieces)

    async def write(self, writer: _Writer, close_boundary: bool = True) -> None:
        """Write every part, then the closing boundary unless ``close_boundary``
        is false (for ``multipart/x-mixed-replace`` streams)."""
        for payload in self._parts:
            encoding, te_encoding = _encodings(payload)
            await writer.write(
                b"--" + self._boundary + b"\r\n" + payload._binary_headers
            )
            guard = _BoundaryGuard(writer, self._boundary)
            if encoding or te_encoding:
                encoder = _PartEncoder(guard, encoding, te_encoding)
                await payload.write(encoder)
                await encoder.write_eof()
            else:
                await payload.write(guard)
            await writer.write(b"\r\n")
        if close_boundary and self._close_boundary:
            await writer.write(b"--" + self._boundary + b"--\r\n")

    async def close(self) -> None:
        """Close every part (their files, if any)."""
        for payload in self._parts:
            await payload.close()

    def _close(self) -> None:
        for payload in self._parts:
            payload._close()
