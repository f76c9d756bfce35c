"""Streaming multipart readers (RFC 2046 bodies, RFC 7578 ``form-data``).

:class:`MultipartReader` walks the parts of a body; each part is a
:class:`BodyPartReader` (or a nested :class:`MultipartReader`) reading its
content straight from the shared stream, up to the next boundary. Nothing is
read before it is asked for, a part is only held in memory when the caller
asks for all of it (``read()``, ``text()``, ...), and a part left unread is
skipped when the next one is requested.

Malformed bodies raise :class:`ValueError` (framing: missing or bad boundary,
truncated body) or a :class:`~aiohttp.http_exceptions.BadHttpMessage`
subclass (part headers: too long, too many, malformed).
"""

import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Optional, Union, cast
from urllib.parse import parse_qsl

from multidict import CIMultiDict, CIMultiDictProxy
from propcache.api import under_cached_property as reify

from . import hdrs
from ._http_parser_decoders import make_decoder
from ._http_parser_grammar import HEADER_FIELDS, header_block_error
from ._mime import (
    content_disposition_filename,
    parse_content_disposition,
    parse_mimetype,
)
from ._multipart_source import READ_SIZE, Source, Stream, is_padding_line
from .http_exceptions import TooManyHeaders

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ("BodyPartReader", "MultipartReader", "MultipartResponseWrapper")

_MAX_BOUNDARY: Final = 70  # RFC 2046 5.1.1
# Nested multiparts deeper than this are refused: releasing an unread part
# recurses once per level.
_MAX_NESTING: Final = 32
_MAX_LINE: Final = 2 * READ_SIZE  # BodyPartReader.readline()
_MAX_PADDING: Final = 1024  # whitespace allowed after a boundary
# Content-Encodings the HTTP body decoders handle (br and zstd need packages).
_CONTENT_DECODERS: Final = frozenset({"gzip", "deflate", "br", "zstd"})


class BodyPartReader:
    """Reader of one body part: its ``headers`` and its content, streamed."""

    chunk_size = 8192

    def __init__(
        self,
        boundary: Union[bytes, str],
        headers: "Mapping[str, str]",
        content: Stream,
        *,
        subtype: str = "mixed",
        default_charset: Optional[str] = None,
    ) -> None:
        if isinstance(boundary, str):
            boundary = boundary.encode("ascii")
        self.headers = headers
        self._boundary = boundary  # the dash-boundary: b"--" + boundary
        self._delimiter = b"\r\n" + boundary
        self._content = Source.wrap(content)
        self._is_form_data = subtype == "form-data"
        self._default_charset = default_charset
        self._at_eof = False
        self._scan_from = 0
        self._cache: dict[str, Any] = {}

    def __aiter__(self) -> "BodyPartReader":
        return self

    async def __anext__(self) -> bytes:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    async def next(self) -> Optional[bytes]:
        """The rest of the content at once, or None when all was read."""
        data = await self.read()
        return bytes(data) if data else None

    def at_eof(self) -> bool:
        """True once the content was read up to the boundary."""
        return self._at_eof

    async def read(self, *, decode: bool = False) -> bytearray:
        """The (rest of the) content; decoded per its headers if ``decode``."""
        data = bytearray()
        while not self._at_eof:
            data += await self.read_chunk(READ_SIZE)
        if decode:
            return bytearray(self.decode(data))
        return data

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Up to ``size`` bytes of raw content as soon as some are available;
        ``b""`` once the boundary was reached."""
        if size <= 0:
            raise ValueError(f"read_chunk() needs a size > 0, got {size!r}")
        source = self._content
        while not self._at_eof:
            found, safe = source.scan(self._delimiter, self._scan_from)
            if found >= 0 and found <= size:
                data = source.take(found)
                source.skip(2)  # the CRLF before the boundary belongs to it
                self._at_eof = True
                return data
            if safe > 0:
                count = min(safe, size)
                self._scan_from = safe - count
                return source.take(count)
            await self._fill()
        return b""

    async def _fill(self) -> None:
        """Read more of the body; at EOF (already scanned) it is truncated."""
        if self._content.eof:
            raise ValueError(
                f"multipart body ended inside a part: boundary "
                f"{self._boundary.decode('ascii', 'replace')!r} not found"
            )
        await self._content.fill()

    async def readline(self) -> bytes:
        """The next line of content (with its ``\\n``); ``b""`` at the end."""
        source = self._content
        while not self._at_eof:
            found, safe = source.scan(self._delimiter, self._scan_from)
            end = found if found >= 0 else safe
            newline = source.find(b"\n", 0, end)
            if newline >= 0:
                self._scan_from = max(0, safe - newline - 1)
                return source.take(newline + 1)
            if found >= 0:
                return await self.read_chunk(found or 1)
            if end > _MAX_LINE:
                raise ValueError(
                    f"line in multipart part is longer than {_MAX_LINE} bytes"
                )
            self._scan_from = safe
            await self._fill()
        return b""

    async def release(self) -> None:
        """Read the rest of the content into the void."""
        while not self._at_eof:
            await self.read_chunk(READ_SIZE)

    async def text(self, *, encoding: Optional[str] = None) -> str:
        """The content decoded as text (charset from ``Content-Type``, or UTF-8)."""
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset(default="utf-8"))

    async def json(self, *, encoding: Optional[str] = None) -> Optional[Any]:
        """The content parsed as JSON; None for an empty part."""
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset(default="utf-8")))

    async def form(self, *, encoding: Optional[str] = None) -> list[tuple[str, str]]:
        """The content parsed as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        if not data:
            return []
        real_encoding = encoding or self.get_charset(default="utf-8")
        try:
            text = data.rstrip().decode(real_encoding)
        except UnicodeDecodeError:
            raise ValueError(f"form data in part is not valid {real_encoding}")
        return parse_qsl(text, keep_blank_values=True, encoding=real_encoding)

    def decode(self, data: Union[bytes, bytearray]) -> bytes:
        """Undo ``Content-Transfer-Encoding`` then ``Content-Encoding``.

        ``Content-Encoding`` is not applied to ``form-data`` parts (RFC 7578
        does not use it there). An unknown encoding raises RuntimeError.
        """
        result = bytes(data)
        if hdrs.CONTENT_TRANSFER_ENCODING in self.headers:
            result = self._decode_transfer(result)
        if not self._is_form_data and hdrs.CONTENT_ENCODING in self.headers:
            result = self._decode_content(result)
        return result

    def _decode_transfer(self, data: bytes) -> bytes:
        encoding = self.headers[hdrs.CONTENT_TRANSFER_ENCODING].strip().lower()
        try:
            if encoding == "base64":
                return binascii.a2b_base64(data)
            if encoding == "quoted-printable":
                return binascii.a2b_qp(data)
        except binascii.Error as exc:
            raise ValueError(f"invalid {encoding} content in multipart part: {exc}")
        if encoding in ("binary", "8bit", "7bit"):
            return data
        raise RuntimeError(f"unknown content transfer encoding: {encoding!r}")

    def _decode_content(self, data: bytes) -> bytes:
        encoding = self.headers[hdrs.CONTENT_ENCODING].strip().lower()
        if encoding in ("", "identity"):
            return data
        if encoding not in _CONTENT_DECODERS:
            raise RuntimeError(f"unknown content encoding: {encoding!r}")
        decoder = make_decoder(encoding)
        assert decoder is not None  # make_decoder knows every name we pass
        return decoder.decompress(data) + decoder.flush()

    def get_charset(self, default: str) -> str:
        """The ``charset`` of ``Content-Type``, else the reader's default, else
        ``default``."""
        mimetype = parse_mimetype(self.headers.get(hdrs.CONTENT_TYPE))
        return mimetype.parameters.get("charset", self._default_charset or default)

    @reify
    def _disposition_params(self) -> dict[str, str]:
        return parse_content_disposition(self.headers.get(hdrs.CONTENT_DISPOSITION))[1]

    @reify
    def name(self) -> Optional[str]:
        """The ``name`` of ``Content-Disposition`` (a form field's name)."""
        return content_disposition_filename(self._disposition_params, "name")

    @reify
    def filename(self) -> Optional[str]:
        """The ``filename`` of ``Content-Disposition`` (``filename*`` decoded)."""
        return content_disposition_filename(self._disposition_params, "filename")


class MultipartReader:
    """Reader of a multipart body: iterate it (or call :meth:`next`) for parts.

    ``max_field_size`` and ``max_headers`` bound each part's header block, as
    the HTTP parser bounds the message head.
    """

    #: The class used for nested multipart parts (None: this reader's class).
    multipart_reader_cls: Optional[type["MultipartReader"]] = None
    #: The class used for single body parts.
    part_reader_cls: type[BodyPartReader] = BodyPartReader
    #: The wrapper :meth:`from_response` returns.
    response_wrapper_cls: type["MultipartResponseWrapper"]

    def __init__(
        self,
        headers: "Mapping[str, str]",
        content: Stream,
        *,
        max_field_size: int = 8190,
        max_headers: int = 128,
    ) -> None:
        self.headers = headers
        self._mimetype = parse_mimetype(headers.get(hdrs.CONTENT_TYPE))
        if self._mimetype.type != "multipart":
            raise ValueError(
                f"multipart/* content type expected, got "
                f"{headers.get(hdrs.CONTENT_TYPE)!r}"
            )
        self._boundary = b"--" + _check_boundary(self._mimetype.parameters)
        self._content = Source.wrap(content)
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._default_charset: Optional[str] = None
        self._last_part: Union[MultipartReader, BodyPartReader, None] = None
        self._at_eof = False
        self._at_bof = True
        self._depth = 0

    @classmethod
    def from_response(cls, response: Any) -> "MultipartResponseWrapper":
        """A reader of a client response's body, wrapped to release it at the end."""
        return cls.response_wrapper_cls(
            response, cls(response.headers, response.content)
        )

    def __aiter__(self) -> "MultipartReader":
        return self

    async def __anext__(self) -> Union["MultipartReader", BodyPartReader]:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing boundary was read."""
        return self._at_eof

    async def next(self) -> Union["MultipartReader", BodyPartReader, None]:
        """The next part (the unread rest of the previous one is skipped), or
        None after the last one."""
        if self._at_eof:
            return None
        await self._release_last_part()
        await self._skip_to_boundary()
        if await self._read_boundary_line():
            self._at_eof = True
            return None
        self._at_bof = False
        self._last_part = await self.fetch_next_part()
        return self._last_part

    async def release(self) -> None:
        """Skip every remaining part, up to the closing boundary."""
        while (part := await self.next()) is not None:
            await part.release()

    async def fetch_next_part(self) -> Union["MultipartReader", BodyPartReader]:
        """Read the next part's headers and return its reader."""
        headers = await self._read_headers()
        return self._get_part_reader(headers)

    def _get_part_reader(
        self, headers: "CIMultiDictProxy[str]"
    ) -> Union["MultipartReader", BodyPartReader]:
        mimetype = parse_mimetype(headers.get(hdrs.CONTENT_TYPE))
        if mimetype.type == "multipart":
            if self._depth >= _MAX_NESTING:
                raise ValueError(
                    f"multipart body nested more than {_MAX_NESTING} levels deep"
                )
            cls = self.multipart_reader_cls or type(self)
            reader = cls(
                headers,
                self._content,
                max_field_size=self._max_field_size,
                max_headers=self._max_headers,
            )
            reader._depth = self._depth + 1
            return reader
        return self.part_reader_cls(
            self._boundary,
            headers,
            self._content,
            subtype=self._mimetype.subtype,
            default_charset=self._default_charset,
        )

    async def _release_last_part(self) -> None:
        part, self._last_part = self._last_part, None
        if part is not None and not part.at_eof():
            await part.release()

    async def _skip_to_boundary(self) -> None:
        """Consume the preamble (or the epilogue of a nested part) up to the
        next boundary, which is left at the start of the buffer."""
        source, boundary = self._content, self._boundary
        # At a line start already (the usual case): no scan needed.
        await source.ensure(len(boundary) + 2)
        if source.startswith(boundary) and source.is_delimiter_end(len(boundary)):
            return
        delimiter = b"\r\n" + boundary
        while True:
            found, safe = source.scan(delimiter, 0)
            if found >= 0:
                source.skip(found + 2)
                return
            source.skip(safe)  # preamble or epilogue: discarded
            if source.eof:
                what = "starting" if self._at_bof else "next"
                raise ValueError(
                    f"Could not find {what} boundary "
                    f"{boundary.decode('ascii', 'replace')!r} in the multipart body"
                )
            await source.fill()

    async def _read_boundary_line(self) -> bool:
        """Consume the boundary at the buffer start; True if it is the last."""
        source, boundary = self._content, self._boundary
        size = len(boundary)
        if source.peek(size, size + 2) == b"--":
            # The rest of the line and the epilogue belong to whatever
            # follows (the outer body for a nested part): leave them.
            source.skip(size + 2)
            return True
        source.skip(size)
        rest = await source.readline(_MAX_PADDING, "multipart boundary line")
        if not is_padding_line(rest):
            raise ValueError(
                f"Invalid multipart boundary line {boundary + rest[:100]!r}: "
                "expected the boundary, optional whitespace and CRLF"
            )
        return False

    async def _read_headers(self) -> "CIMultiDictProxy[str]":
        """Read and parse one part's header block (up to its empty line)."""
        source = self._content
        lines: list[bytes] = []
        while True:
            line = await source.readline(self._max_field_size, "multipart header field")
            if line == b"\r\n":
                break
            if not line.endswith(b"\n"):
                raise ValueError("multipart body ended inside the headers of a part")
            if len(lines) >= self._max_headers:
                raise TooManyHeaders(
                    f"Too many multipart header fields: more than {self._max_headers}"
                )
            lines.append(line)
        block = b"".join(lines)
        fields = HEADER_FIELDS.findall(block)
        if len(fields) != len(lines):
            raise header_block_error(
                block, self._max_field_size, 400, "multipart header"
            )
        return CIMultiDictProxy(
            CIMultiDict(
                (
                    name.decode("latin-1"),
                    value.rstrip(b" \t").decode("utf-8", "surrogateescape"),
                )
                for name, value in fields
            )
        )


def _check_boundary(parameters: "Mapping[str, str]") -> bytes:
    """The ``boundary`` parameter, validated (RFC 2046: 1-70 characters)."""
    boundary = parameters.get("boundary")
    if not boundary:
        raise ValueError(
            "multipart Content-Type has no boundary parameter: "
            "expected e.g. 'multipart/form-data; boundary=...'"
        )
    if len(boundary) > _MAX_BOUNDARY:
        raise ValueError(
            f"multipart boundary is too long: {len(boundary)} characters, "
            f"at most {_MAX_BOUNDARY} allowed"
        )
    if not boundary.isascii() or not boundary.isprintable():
        raise ValueError(f"multipart boundary {boundary!r} is not printable ASCII")
    return boundary.encode("ascii")


class MultipartResponseWrapper:
    """A :class:`MultipartReader` over a client response, releasing the
    response (and its connection) once the last part was read."""

    def __init__(self, resp: Any, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def __aiter__(self) -> "MultipartResponseWrapper":
        return self

    async def __anext__(self) -> Union[MultipartReader, BodyPartReader]:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True when the whole response body has been read."""
        return cast(bool, self.resp.content.at_eof())

    async def next(self) -> Union[MultipartReader, BodyPartReader, None]:
        """The next part; releases the response after the last one."""
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the response: read the rest of it into the void."""
        await self.resp.release()

    async def __aenter__(self) -> "MultipartResponseWrapper":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: "Optional[TracebackType]",
    ) -> None:
        await self.release()


MultipartReader.response_wrapper_cls = MultipartResponseWrapper
