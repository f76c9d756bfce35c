"""FileResponse: send a file from disk, with validators, ranges and sendfile.

The decisions (preconditions, ranges, codings) live in the sans-IO module
:mod:`aiohttp._fileresponse_rules`; this module only does the I/O: ``stat``
and reads run in the default executor so the event loop never blocks on the
disk, and the body goes out with ``loop.sendfile()`` where the kernel can do
the copy.
"""

from __future__ import annotations

import asyncio
import datetime
import mimetypes
import os
import secrets
import stat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, NamedTuple, Optional, Union

from . import hdrs
from ._fileresponse_rules import (
    ByteRange,
    accepted_codings,
    byteranges_layout,
    check_preconditions,
    if_range_allows,
    parse_range,
)
from .abc import AbstractStreamWriter
from .helpers import ETag
from .http_writer import StreamWriter
from .typedefs import LooseHeaders
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_request import BaseRequest

__all__ = ("FileResponse",)

#: Set ``AIOHTTP_NOSENDFILE=1`` to always copy through user space (some
#: file systems or containers have a broken ``sendfile``).
NOSENDFILE: Final = bool(os.environ.get("AIOHTTP_NOSENDFILE"))

# Pre-compressed siblings, in order of preference: (coding, file suffix).
_PRECOMPRESSED: Final = (("br", ".br"), ("gzip", ".gz"))
# A file that is itself compressed (``x.tar.gz``) is sent as an opaque blob of
# that type, never with Content-Encoding, so clients do not unpack it.
_ENCODED_TYPES: Final = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
}


class _Chosen(NamedTuple):
    """The file to send for one request and what is known about it."""

    path: Path
    stat: os.stat_result
    coding: Optional[str]  # Content-Encoding of a pre-compressed sibling
    vary: bool  # a sibling exists, so the answer depends on Accept-Encoding


def _choose_file(path: Path, accept_encoding: Optional[str]) -> _Chosen:
    """Stat *path* and pick a pre-compressed sibling the client accepts."""
    original = path.stat()
    if not stat.S_ISREG(original.st_mode):
        return _Chosen(path, original, None, False)
    accepted = accepted_codings(accept_encoding)
    vary = False
    for coding, suffix in _PRECOMPRESSED:
        sibling = path.with_name(path.name + suffix)
        try:
            sibling_stat = sibling.stat()
        except OSError:
            continue
        if not stat.S_ISREG(sibling_stat.st_mode):
            continue
        vary = True
        if coding in accepted:
            return _Chosen(sibling, sibling_stat, coding, True)
    return _Chosen(path, original, None, vary)


def _content_type(path: Path) -> str:
    """The media type for *path*'s name (octet-stream when unknown)."""
    ctype, encoding = mimetypes.guess_type(path.name)
    if encoding is not None:
        return _ENCODED_TYPES.get(encoding, "application/octet-stream")
    return ctype or "application/octet-stream"


class FileResponse(StreamResponse):
    """A response that sends the file at *path* (see the aiohttp docs)."""

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        chunk_size: int = 256 * 1024,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
    ) -> None:
        if not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError(
                f"chunk_size={chunk_size!r} must be a positive int (bytes per read)"
            )
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = Path(path)
        self._chunk_size = chunk_size

    async def prepare(self, request: BaseRequest) -> Optional[AbstractStreamWriter]:
        """Check validators and ranges, send the head, then send the file."""
        if self.prepared:
            return await super().prepare(request)
        loop = asyncio.get_running_loop()
        accept_encoding = request.headers.get(hdrs.ACCEPT_ENCODING)
        try:
            chosen = await loop.run_in_executor(
                None, _choose_file, self._path, accept_encoding
            )
        except (FileNotFoundError, NotADirectoryError):
            return await self._send_empty(request, 404)
        except PermissionError:
            return await self._send_empty(request, 403)
        if not stat.S_ISREG(chosen.stat.st_mode):
            return await self._send_empty(request, 403)
        return await self._prepare_file(request, chosen)

    async def _send_empty(
        self, request: BaseRequest, status: int
    ) -> Optional[AbstractStreamWriter]:
        """Answer with *status* and no body (errors and 304/412/416)."""
        self.set_status(status)
        if status != 304:
            self.content_length = 0
        return await super().prepare(request)

    async def _prepare_file(
        self, request: BaseRequest, chosen: _Chosen
    ) -> Optional[AbstractStreamWriter]:
        st = chosen.stat
        size = st.st_size
        etag = ETag(f"{st.st_mtime_ns:x}-{size:x}")
        # HTTP dates have whole seconds: compare validators at that precision.
        mtime = datetime.datetime.fromtimestamp(int(st.st_mtime), datetime.timezone.utc)
        self.etag = etag
        self.last_modified = mtime
        headers = self._headers
        headers[hdrs.ACCEPT_RANGES] = "bytes"
        if chosen.vary:
            headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
        # Set before the preconditions: a cache refreshes its stored headers
        # from a 304, so those must describe the file, not an empty body.
        content_type = headers.setdefault(hdrs.CONTENT_TYPE, _content_type(self._path))
        status = check_preconditions(request.method, request.headers, etag, mtime)
        if status is not None and status != 304:
            return await self._send_empty(request, status)
        if chosen.coding is not None:
            headers[hdrs.CONTENT_ENCODING] = chosen.coding
        if status is not None:
            return await self._send_empty(request, status)
        ranges: Optional[list[ByteRange]] = None
        if (
            request.method == "GET"
            and self._status == 200
            # Ranges of a body compressed on the fly cannot be known up front.
            and not self._compression
            and if_range_allows(request.headers.get(hdrs.IF_RANGE), etag, mtime)
        ):
            ranges = parse_range(request.headers.get(hdrs.RANGE), size)
        if ranges is not None and not ranges:
            headers[hdrs.CONTENT_RANGE] = f"bytes */{size}"
            return await self._send_empty(request, 416)
        if ranges is None:
            self.content_length = size
            spans = [ByteRange(0, size - 1)] if size else []
            return await self._send_spans(request, chosen.path, spans, [], b"")
        self.set_status(206)
        if len(ranges) == 1:
            headers[hdrs.CONTENT_RANGE] = ranges[0].content_range(size)
            self.content_length = ranges[0].length
            return await self._send_spans(request, chosen.path, ranges, [], b"")
        boundary = secrets.token_hex(16)
        heads, closing, total = byteranges_layout(ranges, size, content_type, boundary)
        headers[hdrs.CONTENT_TYPE] = f"multipart/byteranges; boundary={boundary}"
        self.content_length = total
        return await self._send_spans(request, chosen.path, ranges, heads, closing)

    async def _send_spans(
        self,
        request: BaseRequest,
        path: Path,
        spans: list[ByteRange],
        heads: list[bytes],
        closing: bytes,
    ) -> Optional[AbstractStreamWriter]:
        """Send the head, then each span (after its part head, if any)."""
        writer = await super().prepare(request)
        if writer is None or self._must_be_empty_body or not spans:
            return writer
        loop = asyncio.get_running_loop()
        fobj = await loop.run_in_executor(None, path.open, "rb")
        try:
            for index, span in enumerate(spans):
                if heads:
                    await writer.write(heads[index])
                await self._send_span(writer, fobj, span.start, span.length)
            if closing:
                await writer.write(closing)
        finally:
            await loop.run_in_executor(None, fobj.close)
        return writer

    def _can_sendfile(self, writer: AbstractStreamWriter) -> bool:
        """True when the kernel may copy the bytes straight to the socket."""
        if NOSENDFILE or not isinstance(writer, StreamWriter):
            return False
        transport = writer.transport
        return (
            transport is not None
            and not transport.is_closing()
            and transport.get_extra_info("sslcontext") is None
            and writer._compress is None
            and not writer.chunked
            and writer._on_chunk_sent is None
        )

    async def _send_span(
        self, writer: AbstractStreamWriter, fobj: IO[bytes], offset: int, count: int
    ) -> None:
        if self._can_sendfile(writer):
            assert isinstance(writer, StreamWriter)
            # The writer holds the head back until body bytes come through
            # it; sendfile bypasses it, so the head must go out first.
            writer.send_headers()
            transport = writer.transport
            assert transport is not None
            loop = asyncio.get_running_loop()
            try:
                await loop.sendfile(transport, fobj, offset, count)
            except NotImplementedError:
                pass  # e.g. a loop without sendfile: copy through user space
            else:
                writer.output_size += count
                if writer.length is not None:
                    writer.length -= count
                return
        await self._send_chunks(writer, fobj, offset, count)

    async def _send_chunks(
        self, writer: AbstractStreamWriter, fobj: IO[bytes], offset: int, count: int
    ) -> None:
        """Copy *count* bytes from *offset* in chunk_size reads off the loop."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, fobj.seek, offset)
        remaining = count
        while remaining > 0:
            chunk = await loop.run_in_executor(
                None, fobj.read, min(self._chunk_size, remaining)
            )
            if not chunk:
                # The file shrank after stat(): the announced length cannot be
                # met, so the connection must close to mark the body as cut.
                self._keep_alive = False
                return
            remaining -= len(chunk)
            await writer.write(chunk)
