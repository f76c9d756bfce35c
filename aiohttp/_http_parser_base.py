"""Shared machinery of the sans-IO HTTP/1.1 request and response parsers.

This holds the end-of-message events, the byte buffering, the body framing
state machine (Content-Length, chunked, read-until-EOF, upgraded raw mode) and
the header-block parser. ``aiohttp.http_parser`` adds the start-line and
message-semantics parts for each side; see its docstring for the event
contract.

Decoded output can be bounded: with ``max_decoded_per_feed`` set, one
``feed_data`` call yields at most that many decoded bytes of a compressed
body. The parser then holds the rest (``output_pending`` is true) and stops
parsing until the driver asks for more with ``feed_data(b"")``, so a small
compressed body cannot blow up into gigabytes within one call.
"""

from typing import Any, Final, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy, istr

from . import hdrs
from ._http_parser_decoders import Decoder, make_decoder
from ._http_parser_grammar import (
    BARE_CR_OR_LF,
    HEADER_FIELDS,
    bare_line_end_error,
    chunk_line_error,
    header_block_error,
)
from ._http_parser_grammar import CHUNK_LINE as _CHUNK_LINE
from ._http_parser_semantics import (
    END_OF_CHUNK,
    END_OF_MESSAGE,
    EndOfChunk,
    EndOfMessage,
    RawHeaders,
)
from .http_exceptions import (
    BadHttpMessage,
    ContentLengthError,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
)

__all__ = (
    "END_OF_CHUNK",
    "EMPTY_HEADERS",
    "END_OF_MESSAGE",
    "MAX_EMPTY_LINES",
    "EndOfChunk",
    "EndOfMessage",
    "ParserBase",
    "RawHeaders",
    "internal_error",
    "make_headers",
)

# RFC 9112 2.2 asks servers to ignore at least one empty line before a request
# line (some clients send a stray CRLF after a body); we ignore up to this many
# and reject more, so a peer cannot keep a connection busy with empty lines.
MAX_EMPTY_LINES: Final = 4

# Parser states.
_HEAD: Final = 0  # waiting for a message head
_LENGTH: Final = 1  # in a Content-Length body; _remaining bytes left
_CHUNK_SIZE: Final = 2  # waiting for a chunk-size line
_CHUNK_DATA: Final = 3  # in a chunk's data; _remaining bytes left
_CHUNK_CRLF: Final = 4  # waiting for the CRLF that ends a chunk's data
_TRAILERS: Final = 5  # waiting for the trailer section after the last chunk
_EOF_BODY: Final = 6  # body runs until the connection closes
_UPGRADED: Final = 7  # protocol switched: every byte passes through as is
_CLOSED: Final = 8  # failed, or feed_eof() was called: ignore further input

# Buffered partial heads shorter than this are simply re-parsed from the start
# with the new data; longer ones are scanned incrementally (no quadratic work).
_SMALL_BUFFER: Final = 16

# How much of an unfinished start line is checked for invalid characters.
_PREFIX_CHECK_MAX: Final = 512

# Canonical header-name spellings as sent on the wire -> the shared istr
# constant (cheaper to hash in CIMultiDict than a fresh str).
_KNOWN_NAMES: Final[dict[bytes, istr]] = {
    str(value).encode("ascii"): value
    for value in vars(hdrs).values()
    if isinstance(value, istr)
}
EMPTY_HEADERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


def make_headers(
    data: bytes, start: int, end: int, raw: list[tuple[bytes, bytes]]
) -> tuple[CIMultiDictProxy[str], RawHeaders]:
    """Headers and raw headers from the valid field lines in ``data[start:end]``.

    ``raw`` holds each line's name and value, the value without leading
    whitespace; trailing whitespace is removed here.
    """
    if data.find(b" \r\n", start, end) >= 0 or data.find(b"\t\r\n", start, end) >= 0:
        raw = [(name, value.rstrip(b" \t")) for name, value in raw]
    known = _KNOWN_NAMES.get
    headers = CIMultiDict(
        [
            (
                known(name) or name.decode("latin-1"),
                value.decode("utf-8", "surrogateescape"),
            )
            for name, value in raw
        ]
    )
    return CIMultiDictProxy(headers), tuple(raw)


def internal_error(exc: Exception) -> BadHttpMessage:
    """The error event for a bug in the parser: feed_data() never raises."""
    return BadHttpMessage(f"Internal error in the HTTP parser: {exc!r}")


def _check_limit(name: str, value: object) -> int:
    if type(value) is not int or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


class ParserBase:
    """Buffering, body framing and header parsing shared by both parsers."""

    __slots__ = (
        "_auto_decompress",
        "_budget",
        "_buf",
        "_decoder",
        "_empty_lines",
        "_eof_pending",
        "_field_code",
        "_length",
        "_line_start",
        "_max_decoded",
        "_nlines",
        "_remaining",
        "_state",
        "_upgraded",
        "max_field_size",
        "max_headers",
        "max_line_size",
        "output_pending",
    )

    def __init__(
        self,
        max_line_size: int,
        max_field_size: int,
        max_headers: int,
        auto_decompress: bool,
        field_code: int,
        max_decoded_per_feed: Optional[int] = None,
    ) -> None:
        self.max_line_size = _check_limit("max_line_size", max_line_size)
        self.max_field_size = _check_limit("max_field_size", max_field_size)
        self.max_headers = _check_limit("max_headers", max_headers)
        if max_decoded_per_feed is not None:
            _check_limit("max_decoded_per_feed", max_decoded_per_feed)
        self._max_decoded = max_decoded_per_feed
        self._budget = 0  # decoded bytes this feed_data call may still yield
        # True while decoded body output is held back by max_decoded_per_feed
        # (see the module doc). Parsing is suspended meanwhile: feed_data(b"")
        # (or more data, which is buffered) gives the next part. A plain
        # attribute, not a property: the server reads it after every read.
        self.output_pending = False
        self._eof_pending = False  # feed_eof() came while stalled
        self._auto_decompress = auto_decompress
        self._field_code = field_code  # status for an over-long field line
        self._state = _HEAD
        self._buf = bytearray()  # unconsumed input (partial head, line, ...)
        self._remaining = 0  # bytes left in the current body or chunk
        self._length = 0  # Content-Length of the current body
        self._decoder: Optional[Decoder] = None
        self._upgraded = False
        self._empty_lines = 0  # empty lines skipped before the current head
        # Progress of the incremental scan of a buffered partial head/trailers.
        self._nlines = 0  # complete lines seen
        self._line_start = 0  # offset of the current partial line

    @property
    def upgraded(self) -> bool:
        """True once the protocol switched (WebSocket, CONNECT, 101 response).

        From then on every byte fed is passed through as ``bytes`` events.
        """
        return self._upgraded

    @property
    def receiving_head(self) -> bool:
        """True when part of a message head has arrived but not all of it.

        A server times this to drop clients that send their heads too slowly.
        """
        return self._state == _HEAD and bool(self._buf)

    # --- subclass hooks --------------------------------------------------

    def _parse_head(self, data: bytes, pos: int, events: list[Any]) -> int:
        raise NotImplementedError

    def _start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        raise NotImplementedError

    def _partial_start_line_error(self, line: bytes) -> Optional[BadHttpMessage]:
        raise NotImplementedError

    def _start_line_too_long(self, size: int) -> LineTooLong:
        raise NotImplementedError

    # --- feeding ----------------------------------------------------------

    def feed_data(self, data: bytes) -> list[Any]:
        """Parse ``data`` and return the events it completes, in order.

        Malformed input makes the last event a BadHttpMessage; the parser then
        ignores further input. Nothing is raised for any input.
        """
        self._budget = self._max_decoded or 0
        if self.output_pending:
            return self._resume(data)
        state = self._state
        if state >= _UPGRADED:
            if state == _UPGRADED and data:
                return [data if type(data) is bytes else bytes(data)]
            return []
        if type(data) is not bytes:
            data = bytes(data)
        buf = self._buf
        if buf:
            old = len(buf)
            buf += data
            # A long partial head: look only at the new bytes until the blank
            # line that ends it arrives.
            if (
                state in (_HEAD, _TRAILERS)
                and old >= _SMALL_BUFFER
                and buf.find(b"\r\n\r\n", old - 3) < 0
            ):
                try:
                    self._scan_partial(buf, 0, old)
                except BadHttpMessage as exc:
                    return self._fail([], exc)
                return []
            data = bytes(buf)
            buf.clear()
            self._nlines = self._line_start = 0
        elif not data:
            return []
        return self._run(data)

    def _run(
        self, data: bytes, pos: int = 0, events: Optional[list[Any]] = None
    ) -> list[Any]:
        """Parse ``data[pos:]``, appending to ``events`` (a new list by default)."""
        if events is None:
            events = []
        n = len(data)
        try:
            while pos < n:
                state = self._state
                if state == _HEAD:
                    pos = self._parse_head(data, pos, events)
                elif state in (_LENGTH, _CHUNK_DATA):
                    end = pos + self._remaining
                    if end >= n:
                        chunk = data[pos:] if pos else data
                        self._remaining = end - n
                        pos = n
                    else:
                        chunk = data[pos:end]
                        self._remaining = 0
                        pos = end
                    if self._decoder is not None:
                        chunk = self._decode(chunk)
                        if self.output_pending:
                            if chunk:
                                events.append(chunk)
                            self._save(data, pos)
                            break
                    if chunk:
                        events.append(chunk)
                    if not self._remaining:
                        self._body_piece_done(events)
                elif state == _CHUNK_SIZE:
                    pos = self._parse_chunk_size(data, pos, events)
                elif state == _CHUNK_CRLF:
                    pos = self._parse_chunk_crlf(data, pos, events)
                elif state == _TRAILERS:
                    pos = self._parse_trailers(data, pos, events)
                elif state == _EOF_BODY:
                    chunk = data[pos:] if pos else data
                    pos = n
                    if self._decoder is not None:
                        chunk = self._decode(chunk)
                    if chunk:
                        events.append(chunk)
                    if self.output_pending:
                        break
                elif state == _UPGRADED:
                    events.append(data[pos:] if pos else data)
                    pos = n
                else:  # _CLOSED # pragma: no cover - _run is never entered then
                    break
        except BadHttpMessage as exc:
            return self._fail(events, exc)
        except Exception as exc:  # pragma: no cover - a bug; must not escape
            return self._fail(events, internal_error(exc))
        return events

    def _decode(self, data: bytes) -> bytes:
        """Decode body bytes, within this call's budget when one is set."""
        decoder = self._decoder
        assert decoder is not None
        if self._max_decoded is None:
            return decoder.decompress(data)
        out = decoder.decompress(data, self._budget)
        self._budget -= len(out)
        self.output_pending = decoder.pending
        return out

    def _body_piece_done(self, events: list[Any]) -> None:
        """A Content-Length body or a chunk's data has fully arrived."""
        if self._state == _LENGTH:
            self._end_message(events, END_OF_MESSAGE)
        else:
            self._state = _CHUNK_CRLF

    def _resume(self, data: bytes) -> list[Any]:
        """Continue a stalled body: more decoded output, then the buffered rest."""
        if data and not self._eof_pending:
            self._buf += data
        events: list[Any] = []
        try:
            chunk = self._decode(b"")  # the decoder still holds input
            if chunk:
                events.append(chunk)
            if self.output_pending:
                return events
            if self._state in (_LENGTH, _CHUNK_DATA) and not self._remaining:
                self._body_piece_done(events)
        except BadHttpMessage as exc:
            return self._fail(events, exc)
        if self._buf:
            rest = bytes(self._buf)
            self._buf.clear()
            events += self._run(rest)
        if self._eof_pending and not self.output_pending:
            self._eof_pending = False
            events += self.feed_eof()
        return events

    def feed_eof(self) -> list[Any]:
        """Tell the parser the peer closed the connection; returns final events.

        A body delimited by the close ends with END_OF_MESSAGE; a message cut
        short ends with an error event; an idle parser returns ``[]``. While
        ``output_pending``, the final events come from the ``feed_data(b"")``
        calls that drain the held output.
        """
        if self.output_pending:
            self._eof_pending = True
            return []
        state = self._state
        self._state = _CLOSED
        buf = self._buf
        events: list[Any] = []
        try:
            if state == _HEAD:
                if buf and buf != b"\r":
                    raise BadHttpMessage(
                        "Connection closed before the message head was complete "
                        f"({len(buf)} bytes received)"
                    )
            elif state == _LENGTH:
                raise ContentLengthError(
                    "Not enough data to satisfy content length header: connection "
                    f"closed after {self._length - self._remaining} of "
                    f"{self._length} bytes"
                )
            elif state == _EOF_BODY:
                self._end_message(events, END_OF_MESSAGE)
            elif _CHUNK_SIZE <= state <= _TRAILERS:
                raise TransferEncodingError(
                    "Not enough data to satisfy transfer length header: connection "
                    "closed in the middle of a chunked body"
                )
        except BadHttpMessage as exc:
            events.append(exc)
        buf.clear()
        self._decoder = None
        return events

    def _fail(self, events: list[Any], exc: BadHttpMessage) -> list[Any]:
        self._state = _CLOSED
        self.output_pending = self._eof_pending = False
        self._buf.clear()
        self._decoder = None
        events.append(exc)
        return events

    def _save(self, data: bytes, pos: int) -> int:
        """Keep ``data[pos:]`` for the next feed; returns the end of data."""
        self._buf += data[pos:] if pos else data
        return len(data)

    # --- heads ------------------------------------------------------------

    def _skip_empty_lines(self, data: bytes, pos: int) -> int:
        """Skip the CRLFs before a head; returns where the head starts."""
        while data.startswith(b"\r\n", pos):
            pos += 2
            self._empty_lines += 1
            if self._empty_lines > MAX_EMPTY_LINES:
                raise BadHttpMessage(
                    f"More than {MAX_EMPTY_LINES} empty lines before the start line"
                )
        if pos == len(data) - 1 and data[pos] == 13:
            return self._save(data, pos)  # a lone CR: wait for its LF
        return pos

    def _head_bounds(self, data: bytes, pos: int) -> tuple[int, int, int]:
        """Locate the head at ``pos``: (start, start-line end, head end).

        While the head is incomplete the head end is -1 and the start is
        where parsing resumes (the unparsed rest has been kept).
        """
        if data[pos] == 13:  # CR: empty lines before the start line
            pos = self._skip_empty_lines(data, pos)
            if pos >= len(data):
                return pos, -1, -1
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            return self._incomplete(data, pos), -1, -1
        line_end = data.find(b"\r\n", pos)
        if line_end - pos > self.max_line_size:
            raise self._start_line_too_long(line_end - pos)
        return pos, line_end, end

    def _head_fields(
        self, data: bytes, line_end: int, end: int
    ) -> tuple[CIMultiDictProxy[str], RawHeaders]:
        """The header fields between the start line's end and the head's end."""
        if line_end < end:
            return self._parse_fields(data, line_end + 2, end + 2)
        return EMPTY_HEADERS, ()

    def _incomplete(self, data: bytes, pos: int) -> int:
        """The head (or trailers) at ``pos`` has not fully arrived: keep it."""
        self._nlines = self._line_start = 0
        self._scan_partial(data, pos, pos)
        return self._save(data, pos)

    def _scan_partial(self, buf: Union[bytes, bytearray], h0: int, new: int) -> None:
        """Check the limits of a partial head (``buf[h0:]``) as bytes arrive.

        ``buf[new:]`` has not been looked at yet. Raises as soon as a line is
        too long, there are too many fields or a line ending is not CRLF, so a
        peer can never make the parser buffer without bound.
        """
        bad = BARE_CR_OR_LF.search(buf, max(h0, new - 1))
        if bad is not None:
            where = "the message head" if self._state == _HEAD else "the trailers"
            raise bare_line_end_error(where, bytes(bad.group()))
        start = h0 + self._line_start
        nl = buf.find(b"\n", new)
        while nl >= 0:
            self._complete_line(buf, start, nl - 1)
            start = nl + 1
            nl = buf.find(b"\n", start)
        self._line_start = start - h0
        size = len(buf) - start
        if size and buf[-1] == 13:
            size -= 1  # the CR of a CRLF whose LF has not arrived yet
        if self._nlines == 0 and self._state == _HEAD:
            if size > self.max_line_size:
                raise self._start_line_too_long(size)
            # Catch garbage (say, a TLS handshake) early; past a few hundred
            # plausible bytes wait for the line end, to keep this linear.
            if size <= _PREFIX_CHECK_MAX:
                error = self._partial_start_line_error(bytes(buf[start:]))
                if error is not None:
                    raise error
        elif size > self.max_field_size:
            raise self._field_too_long(size)

    def _complete_line(
        self, buf: Union[bytes, bytearray], start: int, end: int
    ) -> None:
        """Check one complete line of a partial head (CR at ``end``)."""
        index = self._nlines
        self._nlines = index + 1
        size = end - start
        if index == 0 and self._state == _HEAD:
            if size > self.max_line_size:
                raise self._start_line_too_long(size)
            error = self._start_line_error(bytes(buf[start:end]))
            if error is not None:
                raise error
            return
        if size > self.max_field_size:
            raise self._field_too_long(size)
        fields = index if self._state == _HEAD else index + 1
        if fields > self.max_headers:
            raise self._too_many_fields()

    def _field_too_long(self, size: int) -> LineTooLong:
        what = "header" if self._state == _HEAD else "trailer"
        return LineTooLong(
            f"{what} field", self.max_field_size, size, code=self._field_code
        )

    def _too_many_fields(self) -> TooManyHeaders:
        what = "header" if self._state == _HEAD else "trailer"
        return TooManyHeaders(f"Too many {what} fields: more than {self.max_headers}")

    def _parse_fields(
        self, data: bytes, start: int, end: int
    ) -> tuple[CIMultiDictProxy[str], RawHeaders]:
        """Parse the field lines in ``data[start:end]`` (each ending in CRLF)."""
        raw = HEADER_FIELDS.findall(data, start, end)
        if len(raw) != data.count(b"\n", start, end):
            # Some line did not match the field grammar: find and name it.
            what = "header" if self._state == _HEAD else "trailer"
            raise header_block_error(
                data[start:end], self.max_field_size, self._field_code, what
            )
        if len(raw) > self.max_headers:
            raise self._too_many_fields()
        if end - start > self.max_field_size:
            for line in data[start:end].split(b"\r\n"):
                if len(line) > self.max_field_size:
                    raise self._field_too_long(len(line))
        return make_headers(data, start, end, raw)

    def _start_body(
        self,
        events: list[Any],
        length: Optional[int],
        chunked: bool,
        encoding: Optional[str],
    ) -> None:
        """Enter the body state after a head (length None and not chunked: EOF)."""
        if chunked:
            self._state = _CHUNK_SIZE
        elif length is None:
            self._state = _EOF_BODY
        elif length:
            self._state = _LENGTH
            self._remaining = self._length = length
        else:
            events.append(END_OF_MESSAGE)
            return
        if encoding is not None and self._auto_decompress:
            self._decoder = make_decoder(encoding)

    def _end_message(self, events: list[Any], end: EndOfMessage) -> None:
        decoder = self._decoder
        if decoder is not None:
            self._decoder = None
            tail = decoder.flush()
            if tail:  # pragma: no cover - our decoders return all output at once
                events.append(tail)
        events.append(end)
        self._state = _HEAD

    def _upgrade(self) -> None:
        self._state = _UPGRADED
        self._upgraded = True

    # --- chunked bodies -----------------------------------------------------

    def _parse_chunk_size(self, data: bytes, pos: int, events: list[Any]) -> int:
        end = data.find(b"\r\n", pos)
        if end < 0:
            bad = BARE_CR_OR_LF.search(data, pos)
            if bad is not None:
                raise bare_line_end_error("a chunk-size line", bad.group())
            if len(data) - pos > self.max_line_size + 1:
                raise LineTooLong(
                    "chunk-size line", self.max_line_size, len(data) - pos
                )
            return self._save(data, pos)
        if end - pos > self.max_line_size:
            raise LineTooLong("chunk-size line", self.max_line_size, end - pos)
        match = _CHUNK_LINE.fullmatch(data, pos, end)
        if match is None:
            raise chunk_line_error(data[pos:end])
        digits = match.group(1)
        if len(digits) > 16 or (size := int(digits, 16)) >= 1 << 63:
            raise TransferEncodingError(
                f"Chunk size {digits[:40].decode('ascii')!r} is too large"
            )
        if size:
            self._remaining = size
            self._state = _CHUNK_DATA
        else:
            self._state = _TRAILERS
        return end + 2

    def _parse_chunk_crlf(self, data: bytes, pos: int, events: list[Any]) -> int:
        if data.startswith(b"\r\n", pos):
            events.append(END_OF_CHUNK)
            self._state = _CHUNK_SIZE
            return pos + 2
        if data[pos:] == b"\r":
            return self._save(data, pos)
        raise TransferEncodingError(
            f"Chunk data must be followed by CRLF, got {data[pos : pos + 2]!r}"
        )

    def _parse_trailers(self, data: bytes, pos: int, events: list[Any]) -> int:
        if data.startswith(b"\r\n", pos):
            self._end_message(events, END_OF_MESSAGE)
            return pos + 2
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            return self._incomplete(data, pos)
        trailers, raw = self._parse_fields(data, pos, end + 2)
        self._end_message(events, EndOfMessage(trailers, raw))
        return end + 4
