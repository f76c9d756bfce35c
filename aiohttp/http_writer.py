"""Serialising HTTP/1.1 messages: heads, framing and the stream writer.

The pure functions here (:func:`serialize_headers`, :func:`frame_chunk`) are the
sans-IO half: strings in, bytes out, with CR/LF in header names or values
refused.  :class:`StreamWriter` is the thin I/O half that the server and the
client use to put a message on a transport.  It holds the serialised head back
until the first body bytes (or the end of the message) so that a small response
leaves in a single ``transport.write``.
"""

import sys
import zlib
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Optional, Union

from multidict import CIMultiDict

from ._http_parser_accel import serialize_head as _serialize_head
from ._http_version import HttpVersion, HttpVersion10, HttpVersion11
from .abc import AbstractStreamWriter

if TYPE_CHECKING:
    import asyncio

    from .base_protocol import BaseProtocol

__all__ = (
    "SERVER_SOFTWARE",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "StreamWriter",
    "frame_chunk",
    "serialize_headers",
)

SERVER_SOFTWARE: str = "Python/{0[0]}.{0[1]} aiohttp/{1}".format(
    sys.version_info, "3.14.0"
)

_Chunk = Union[bytes, bytearray, memoryview]
_LAST_CHUNK = b"0\r\n\r\n"
# Writes below this size are joined with the pending head in one buffer;
# above it the head goes first so a large body is never copied.
_JOIN_LIMIT = 0x4000


def _check_field(name: str, value: str) -> None:
    for text, what in ((name, "name"), (value, "value")):
        if "\r" in text or "\n" in text:
            raise ValueError(
                f"Newline or carriage return character detected in HTTP header "
                f"{what} {text!r}: header {what}s must be a single line"
            )


def serialize_headers(status_line: str, headers: "Iterable[tuple[str, str]]") -> bytes:
    """Serialise a start line and header fields into one head, CRLF-terminated.

    ``headers`` is an iterable of ``(name, value)`` pairs, such as
    ``CIMultiDict.items()``.  A CR or LF in any name or value raises
    :class:`ValueError`: letting one through would let the sender inject
    header fields or a whole second message.
    """
    if type(headers) not in _REITERABLE:
        headers = list(headers)  # a one-shot iterator: the slow path re-reads it
    # The C serializer (when built) does all of the below in one call; it
    # returns None for anything unusual, which the code below then handles.
    head = _serialize_head(status_line, headers)
    if head is not None:
        return head
    try:
        # Fast path, one C-level join per field. It is also faster than an
        # f-string, which must call __format__ on the istr header names.
        fields = [*map(_JOIN_FIELD, headers)]
    except TypeError:  # a name or value that is not a str
        fields = [f"{name}: {value}" for name, value in headers]
    # One scan of everything for CR/LF; only a bad head pays for finding which.
    flat = status_line + "".join(fields)
    if "\r" in flat or "\n" in flat:
        _find_newline(status_line, headers)
    fields.append("\r\n")
    return (status_line + "\r\n" + "\r\n".join(fields)).encode(
        "utf-8", "surrogateescape"
    )


_JOIN_FIELD = ": ".join
# Iterables that can be read twice (the general path reads them again).
_REITERABLE = frozenset({list, tuple, type(CIMultiDict[str]().items())})


def _find_newline(status_line: str, headers: "Iterable[tuple[str, str]]") -> None:
    """Raise the ValueError that names the field holding a CR or LF."""
    for name, value in headers:
        _check_field(str(name), str(value))
    raise ValueError(f"Newline or carriage return in start line {status_line!r}")


def frame_chunk(data: _Chunk) -> bytes:
    """Frame ``data`` as one chunk of a chunked body (empty data gives nothing)."""
    if not data:
        return b""
    return b"%x\r\n%b\r\n" % (len(data), bytes(data))


class StreamWriter(AbstractStreamWriter):
    """Writes one HTTP message (head and body) to a protocol's transport."""

    # Initial state as class attributes: the server makes a writer for every
    # request, and each attribute set in __init__ costs a dict insertion.
    # All are immutable, so instances simply shadow them when they change.
    length: Optional[int] = None
    chunked: bool = False
    buffer_size: int = 0
    output_size: int = 0
    _eof: bool = False
    _compress: Optional["zlib._Compress"] = None
    _head: Optional[bytes] = None
    _continue_sent: bool = False
    _headers_written: bool = False
    _on_chunk_sent: Optional[Callable[[bytes], Awaitable[None]]] = None
    _on_headers_sent: Optional[Callable[[CIMultiDict[str]], Awaitable[None]]] = None

    def __init__(
        self,
        protocol: "BaseProtocol",
        loop: "asyncio.AbstractEventLoop",
        on_chunk_sent: Optional[Callable[[bytes], Awaitable[None]]] = None,
        on_headers_sent: Optional[Callable[[CIMultiDict[str]], Awaitable[None]]] = None,
    ) -> None:
        self._protocol = protocol
        self.loop = loop
        if on_chunk_sent is not None:
            self._on_chunk_sent = on_chunk_sent
        if on_headers_sent is not None:
            self._on_headers_sent = on_headers_sent

    @property
    def transport(self) -> "Optional[asyncio.Transport]":
        return self._protocol.transport

    @property
    def protocol(self) -> "BaseProtocol":
        return self._protocol

    def enable_chunking(self) -> None:
        self.chunked = True

    def enable_compression(
        self, encoding: str = "deflate", strategy: Optional[int] = None
    ) -> None:
        if encoding not in ("deflate", "gzip"):
            raise ValueError(
                f"encoding={encoding!r} is not supported: use 'deflate' or 'gzip'"
            )
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._compress = zlib.compressobj(
            wbits=wbits,
            strategy=zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy,
        )

    def _write(self, data: _Chunk) -> None:
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        size = len(data)
        self.buffer_size += size
        self.output_size += size
        transport.write(data)

    def send_continue(self) -> None:
        """Send the interim ``100 Continue`` once, if nothing else went out yet."""
        if self._continue_sent or self._headers_written:
            return
        self._continue_sent = True
        self._write(b"HTTP/1.1 100 Continue\r\n\r\n")

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Serialise the head now; it leaves with the first body bytes."""
        if self._on_headers_sent is not None:
            await self._on_headers_sent(headers)
        self._head = serialize_headers(status_line, headers.items())
        self._headers_written = True

    def send_headers(self) -> None:
        """Flush a pending head on its own (e.g. before a long wait for a body)."""
        head = self._head
        if head is not None:
            self._head = None
            self._write(head)

    def _write_message(
        self, status_line: str, headers: CIMultiDict[str], body: bytes
    ) -> None:
        """write_headers() then write_eof(body), without their callbacks.

        A plain body that fits the announced length (the server's common case)
        leaves in one write, without the framing steps.
        """
        head = serialize_headers(status_line, headers.items())
        self._headers_written = True
        length = self.length
        if (
            self.chunked
            or self._compress is not None
            or (length is not None and len(body) > length)
            or len(body) > _JOIN_LIMIT
        ):
            self._head = head
            self._end(body)
            return
        if length is not None:
            self.length = length - len(body)
        self._write(head + body)
        self._eof = True

    def _frame(self, chunk: _Chunk) -> _Chunk:
        if self._compress is not None:
            chunk = self._compress.compress(chunk)
        if self.length is not None and not self.chunked:
            # Never put more on the wire than the announced Content-Length.
            if len(chunk) > self.length:
                chunk = chunk[: self.length]
            self.length -= len(chunk)
        if self.chunked:
            return frame_chunk(chunk)
        return chunk

    def _send(self, data: _Chunk) -> None:
        head = self._head
        if head is not None:
            self._head = None
            if len(data) <= _JOIN_LIMIT:
                self._write(head + data)
                return
            self._write(head)
        if data:
            self._write(data)

    async def write(
        self, chunk: _Chunk, *, drain: bool = True, LIMIT: int = 0x10000
    ) -> None:
        """Write a piece of body, waiting for the peer once enough is buffered."""
        if self._on_chunk_sent is not None:
            await self._on_chunk_sent(bytes(chunk))
        data = self._frame(chunk)
        if data or self._head is not None:
            self._send(data)
        if drain and self.buffer_size > LIMIT:
            self.buffer_size = 0
            await self.drain()

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last body bytes and end the message."""
        if self._eof:
            return
        if chunk and self._on_chunk_sent is not None:
            await self._on_chunk_sent(chunk)
        self._end(chunk)

    def _end(self, chunk: bytes) -> None:
        """write_eof() without the callback (which is all it awaits)."""
        data = self._frame(chunk) if chunk else b""
        if self._compress is not None:
            tail = self._compress.flush()
            self._compress = None
            if tail:
                data = bytes(data) + (frame_chunk(tail) if self.chunked else tail)
        if self.chunked:
            data = bytes(data) + _LAST_CHUNK
        self._send(data)
        self._eof = True

    async def drain(self) -> None:
        """Wait until the transport's buffer is below its high-water mark."""
        protocol = self._protocol
        if protocol.transport is not None and protocol._paused:
            await protocol._drain_helper()
