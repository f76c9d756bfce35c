"""The buffered byte source shared by a multipart reader and its parts.

A multipart body is read by a tree of readers (the top reader, its parts and
nested readers) that take turns on one stream. They share one :class:`Source`:
a buffer in front of the stream in which each reader finds its delimiter and
line ends *in place*. Nothing is ever pushed back and re-copied, so a body of
many small parts costs time linear in its size, and memory stays bounded by
the read size plus one line (or one part, when the whole part is asked for).
"""

import re
from typing import Final, Protocol

from .http_exceptions import LineTooLong

__all__ = ("READ_SIZE", "Source", "Stream", "is_padding_line")

READ_SIZE: Final = 2**16
# A delimiter is "--boundary" after CRLF, followed by "--" (the last one),
# or by optional whitespace and CRLF.
_PADDING: Final = (0x20, 0x09)  # SP, HTAB
_PADDING_LINE: Final = re.compile(rb"[ \t]*\r\n")


def is_padding_line(line: bytes) -> bool:
    """Whether ``line`` is the rest of a boundary line: ``[ \\t]* CRLF``."""
    return _PADDING_LINE.fullmatch(line) is not None


class Stream(Protocol):
    """What the readers read from: ``StreamReader`` and anything like it."""

    async def read(self, n: int = -1) -> bytes: ...  # pragma: no cover


class Source:
    """A stream with a look-ahead buffer; see the module docstring."""

    __slots__ = ("_buf", "_eof", "_stream")

    def __init__(self, stream: Stream) -> None:
        self._stream = stream
        self._buf = bytearray()
        self._eof = False

    @classmethod
    def wrap(cls, content: Stream) -> "Source":
        """``content`` itself if it already is a Source, else a new one on it."""
        return content if isinstance(content, Source) else cls(content)

    @property
    def buffered(self) -> int:
        """How many bytes are in the buffer."""
        return len(self._buf)

    @property
    def eof(self) -> bool:
        """True once the stream returned its last byte (the buffer may hold some)."""
        return self._eof

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (buffered ones first); ``b""`` at EOF."""
        if not self._buf and not await self.fill():
            return b""
        if n < 0:
            n = len(self._buf)
        return self.take(n)

    async def fill(self) -> bool:
        """Append the next piece of the stream; False at EOF."""
        if self._eof:
            return False
        data = await self._stream.read(READ_SIZE)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    async def ensure(self, n: int) -> bool:
        """Fill until ``n`` bytes are buffered; False if EOF comes first."""
        while len(self._buf) < n:
            if not await self.fill():
                return False
        return True

    def peek(self, start: int, end: int) -> bytes:
        """A copy of buffered bytes ``[start:end]`` (nothing is consumed)."""
        return bytes(self._buf[start:end])

    def take(self, n: int) -> bytes:
        """Consume and return the first ``n`` buffered bytes."""
        data = bytes(self._buf[:n])
        del self._buf[:n]  # cheap: bytearray drops a prefix without moving
        return data

    def skip(self, n: int) -> None:
        """Consume the first ``n`` buffered bytes without copying them."""
        del self._buf[:n]

    def startswith(self, prefix: bytes) -> bool:
        """Whether the buffer starts with ``prefix``."""
        return self._buf.startswith(prefix)

    def is_delimiter_end(self, pos: int) -> bool:
        """Whether the bytes at ``pos`` may follow a boundary (or EOF is there)."""
        after = self._buf[pos : pos + 2]
        if len(after) < 2:
            return self._eof
        return after == b"--" or after == b"\r\n" or after[0] in _PADDING

    def scan(self, delimiter: bytes, start: int) -> tuple[int, int]:
        """Look for ``delimiter`` (CRLF + dash-boundary) from ``start``.

        Returns ``(found, safe)``: ``found`` is the position of a delimiter
        or -1; ``safe`` is how many leading bytes surely come before any
        delimiter (content that may be handed out), which is also where the
        next scan should start once more data has arrived.
        """
        buf = self._buf
        size = len(delimiter)
        pos = buf.find(delimiter, start)
        while pos >= 0:
            if len(buf) < pos + size + 2 and not self._eof:
                return -1, pos  # cannot tell yet: wait for the next bytes
            if self.is_delimiter_end(pos + size):
                return pos, pos
            pos = buf.find(delimiter, pos + 1)  # a longer boundary: content
        if self._eof:
            return -1, len(buf)
        return -1, max(0, len(buf) - size + 1)

    def find(self, sub: bytes, start: int, end: int) -> int:
        """Position of ``sub`` in buffer ``[start:end]``, or -1."""
        return self._buf.find(sub, start, end)

    async def readline(self, limit: int, what: str) -> bytes:
        """Read one line including its CRLF; what is left at EOF.

        A line longer than ``limit`` bytes (CRLF not counted) raises
        :class:`LineTooLong` naming ``what``, before much more is buffered.
        """
        start = 0
        while True:
            pos = self._buf.find(b"\n", start, limit + 2)
            if pos >= 0:
                return self.take(pos + 1)
            if len(self._buf) >= limit + 2:
                raise LineTooLong(what, limit, len(self._buf))
            start = len(self._buf)
            if not await self.fill():
                return self.take(len(self._buf))
