"""Payloads: message bodies built from Python objects, for server and client.

A :class:`Payload` wraps a value (bytes, text, a file, JSON, an async
iterable...) together with the headers that describe it (``Content-Type``,
optionally ``Content-Disposition``) and knows its size when it can. It writes
itself to any *writer* with an ``async write(bytes)`` method: the HTTP stream
writer of a response or request, or a multipart writer part.

:func:`get_payload` picks the payload class for a value from
:data:`PAYLOAD_REGISTRY`; register your own types with :func:`payload_type`
(a class decorator) or :func:`register_payload`.
"""

import asyncio
import builtins
import enum
import io
import json
import mimetypes
import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import IO, Any, Final, Optional, Protocol, TypeVar, Union

from multidict import CIMultiDict

from . import hdrs
from ._helpers import SENTINEL, Sentinel
from ._json_dumps import encode_json
from ._mime import content_disposition_header, parse_mimetype
from .streams import StreamReader
from .typedefs import JSONEncoder, LooseHeaders

__all__ = (
    "PAYLOAD_REGISTRY",
    "READ_SIZE",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "LookupError",
    "Order",
    "Payload",
    "PayloadRegistry",
    "StreamReaderPayload",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
    "register_payload",
)

# How much a file payload reads (in a worker thread) per write.
READ_SIZE: Final = 2**16
_OCTET_STREAM: Final = "application/octet-stream"

_P = TypeVar("_P", bound="type[Payload]")
_Buffer = Union[bytes, bytearray, memoryview]


class _Writer(Protocol):
    """Anything a payload can write to: an HTTP stream writer, a response..."""

    async def write(self, chunk: _Buffer) -> None: ...  # pragma: no cover


class LookupError(builtins.LookupError):
    """No payload class is registered for the type of the given data.

    A subclass of the built-in :exc:`LookupError`, so either name catches it.
    """


class Order(str, enum.Enum):
    """Where a registered payload type is tried: first, normally or last."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


def _guess_filename(obj: object, default: Optional[str] = None) -> Optional[str]:
    """The base name of a file object's ``name`` (``<stdin>`` and such excluded)."""
    name = getattr(obj, "name", None)
    if isinstance(name, str) and name and not (name[0] == "<" and name[-1] == ">"):
        return os.path.basename(name) or default
    return default


def _check_header_safe(name: str, value: str) -> None:
    """Refuse header fields that would end the header block early (injection)."""
    for text in (name, value):
        if "\r" in text or "\n" in text or "\x00" in text:
            raise ValueError(
                f"payload header {name!r}: {value!r} contains CR, LF or NUL; "
                "header names and values must be a single line"
            )


class Payload(ABC):
    """A message body with its headers; subclasses implement :meth:`write`."""

    _default_content_type: str = _OCTET_STREAM
    _size: Optional[int] = None
    _consumed: bool = False
    # Whether the body is held in memory (can be written any number of times
    # and needs no close()).
    _autoclose: bool = False

    def __init__(
        self,
        value: Any,
        headers: Optional[LooseHeaders] = None,
        content_type: Union[str, Sentinel, None] = SENTINEL,
        filename: Optional[str] = None,
        encoding: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self._encoding = encoding
        self._filename = filename
        self._headers: CIMultiDict[str] = CIMultiDict()
        self._value = value
        if isinstance(content_type, str):
            self._headers[hdrs.CONTENT_TYPE] = content_type
        elif filename is not None:
            guessed = mimetypes.guess_type(filename)[0]
            self._headers[hdrs.CONTENT_TYPE] = guessed or self._default_content_type
        else:
            self._headers[hdrs.CONTENT_TYPE] = self._default_content_type
        if headers:
            self._headers.update(headers)
        for name, val in self._headers.items():
            _check_header_safe(name, val)

    @property
    def size(self) -> Optional[int]:
        """Size of the body in bytes, or None when it is not known in advance."""
        return self._size

    @property
    def filename(self) -> Optional[str]:
        """File name of the payload, if it has one."""
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        """Headers of the payload (mutable: e.g. to add Content-ID)."""
        return self._headers

    @property
    def _binary_headers(self) -> bytes:
        """The headers as a MIME part head: field lines plus the empty line."""
        lines = []
        for name, value in self._headers.items():
            _check_header_safe(name, value)
            lines.append(f"{name}: {value}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("utf-8")

    @property
    def encoding(self) -> Optional[str]:
        """Text encoding of the payload, if it is text."""
        return self._encoding

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return self._headers[hdrs.CONTENT_TYPE]

    @property
    def consumed(self) -> bool:
        """True once a one-shot body (an async iterable) has been written."""
        return self._consumed

    @property
    def autoclose(self) -> bool:
        """True when the body is in memory and :meth:`close` is not needed."""
        return self._autoclose

    def set_content_disposition(
        self,
        disptype: str,
        quote_fields: bool = True,
        _charset: str = "utf-8",
        **params: str,
    ) -> None:
        """Set ``Content-Disposition``, e.g. ``("attachment", filename="a.txt")``.

        Values are quoted (and non-ASCII ones percent-encoded, see
        ``quote_fields``) so that no value can break out of the header.
        """
        self._headers[hdrs.CONTENT_DISPOSITION] = content_disposition_header(
            disptype, quote_fields=quote_fields, _charset=_charset, params=params
        )

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text; payloads that cannot give it synchronously raise."""
        raise TypeError(
            f"{type(self).__name__} cannot be decoded synchronously; "
            "use 'await payload.as_bytes()' instead"
        )

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as bytes (read into memory; for small bodies)."""
        sink = _BufferWriter()
        await self.write(sink)
        return bytes(sink.buffer)

    @abstractmethod
    async def write(self, writer: _Writer) -> None:
        """Write the whole body to ``writer`` (an object with ``async write``)."""

    async def write_with_length(
        self, writer: _Writer, content_length: Optional[int]
    ) -> None:
        """Write the body, but no more than ``content_length`` bytes (if given)."""
        if content_length is None:
            await self.write(writer)
        else:
            await self.write(_LimitedWriter(writer, content_length))

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release what the payload holds (a file); a no-op for in-memory ones."""

    def _close(self) -> None:  # noqa: B027 (optional hook)
        """Synchronous :meth:`close`, for cleanup where no loop runs."""


class _BufferWriter:
    """A writer collecting everything in memory (for :meth:`Payload.as_bytes`)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    async def write(self, chunk: _Buffer) -> None:
        self.buffer += chunk


class _LimitedWriter:
    """Forwards at most ``limit`` bytes to ``writer`` and drops the rest."""

    def __init__(self, writer: _Writer, limit: int) -> None:
        self._writer = writer
        self._left = max(limit, 0)

    async def write(self, chunk: _Buffer) -> None:
        if self._left <= 0:
            return
        if len(chunk) > self._left:
            chunk = memoryview(chunk)[: self._left]
        self._left -= len(chunk)
        await self._writer.write(chunk)


class BytesPayload(Payload):
    """An in-memory body: bytes, bytearray or memoryview."""

    _autoclose = True
    _value: _Buffer

    def __init__(self, value: _Buffer, *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"value argument must be bytes, bytearray or memoryview, "
                f"got {type(value).__name__}"
            )
        kwargs.setdefault("content_type", _OCTET_STREAM)
        super().__init__(value, *args, **kwargs)
        self._size = value.nbytes if isinstance(value, memoryview) else len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self._value).decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return bytes(self._value)

    async def write(self, writer: _Writer) -> None:
        await writer.write(self._value)


class StringPayload(BytesPayload):
    """Text, encoded with ``encoding`` or the charset of ``content_type``."""

    def __init__(
        self,
        value: str,
        *args: Any,
        encoding: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(value, str):
            raise TypeError(f"value argument must be str, got {type(value).__name__}")
        if encoding is None:
            if content_type is None:
                encoding = "utf-8"
                content_type = "text/plain; charset=utf-8"
            else:
                charset = parse_mimetype(content_type).parameters.get("charset")
                encoding = charset or "utf-8"
        elif content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(
            value.encode(encoding),
            *args,
            encoding=encoding,
            content_type=content_type,
            **kwargs,
        )


class StringIOPayload(StringPayload):
    """The (remaining) text of an :class:`io.StringIO`, read at once."""

    def __init__(self, value: IO[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class IOBasePayload(Payload):
    """A binary file object, read in chunks in a worker thread while written.

    The file is read from the position it had when the payload was made, on
    every write, so the body can be sent again (e.g. after a redirect). It is
    not closed by writing: call :meth:`close` once the body is no longer needed.
    """

    _value: IO[Any]

    def __init__(
        self,
        value: IO[Any],
        disposition: Optional[str] = "attachment",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if "filename" not in kwargs:
            kwargs["filename"] = _guess_filename(value)
        super().__init__(value, *args, **kwargs)
        if (
            self._filename is not None
            and disposition is not None
            and hdrs.CONTENT_DISPOSITION not in self.headers
        ):
            self.set_content_disposition(disposition, filename=self._filename)
        self._start: Optional[int] = self._tell()
        self._size = self._compute_size()

    def _tell(self) -> Optional[int]:
        try:
            return self._value.tell() if self._value.seekable() else None
        except (OSError, ValueError, AttributeError):
            return None

    def _compute_size(self) -> Optional[int]:
        """Bytes from the start position to the end of a regular file."""
        if self._start is None:
            return None
        try:
            return os.fstat(self._value.fileno()).st_size - self._start
        except (OSError, ValueError, AttributeError):
            return None

    def _read_from_start(self, size: int) -> Any:
        """Seek back to where the body starts, then read the first chunk."""
        if self._start is not None:
            self._value.seek(self._start)
        return self._value.read(size)

    async def write(self, writer: _Writer) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: _Writer, content_length: Optional[int]
    ) -> None:
        loop = asyncio.get_running_loop()
        left = content_length
        size = READ_SIZE if left is None else min(READ_SIZE, left)
        chunk = await loop.run_in_executor(None, self._read_from_start, size)
        while chunk:
            data = self._to_bytes(chunk)
            if left is not None:
                left -= len(data)
            await writer.write(data)
            if left is not None and left <= 0:
                break
            size = READ_SIZE if left is None else min(READ_SIZE, left)
            chunk = await loop.run_in_executor(None, self._value.read, size)

    def _to_bytes(self, chunk: Any) -> bytes:
        return bytes(chunk)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        data = self._read_from_start(-1)
        return data.decode(encoding, errors) if isinstance(data, bytes) else str(data)

    async def close(self) -> None:
        # Closing a file opened for reading does no I/O worth a thread.
        self._value.close()

    def _close(self) -> None:
        self._value.close()


class TextIOPayload(IOBasePayload):
    """A text file object, encoded with its (or the given) encoding."""

    def __init__(
        self,
        value: IO[str],
        *args: Any,
        encoding: Optional[str] = None,
        content_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if encoding is None:
            if content_type is None:
                encoding = getattr(value, "encoding", None) or "utf-8"
                content_type = f"text/plain; charset={encoding}"
            else:
                charset = parse_mimetype(content_type).parameters.get("charset")
                encoding = charset or "utf-8"
        elif content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(
            value, *args, content_type=content_type, encoding=encoding, **kwargs
        )

    def _compute_size(self) -> Optional[int]:
        return None  # the encoded size is only known after reading

    def _to_bytes(self, chunk: Any) -> bytes:
        return str(chunk).encode(self._encoding or "utf-8")

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return str(self._read_from_start(-1))


class BytesIOPayload(IOBasePayload):
    """An :class:`io.BytesIO`: its remaining bytes, read without a thread."""

    _autoclose = True
    _value: io.BytesIO

    def _compute_size(self) -> Optional[int]:
        return len(self._value.getbuffer()) - (self._start or 0)

    async def write_with_length(
        self, writer: _Writer, content_length: Optional[int]
    ) -> None:
        self._value.seek(self._start or 0)
        data = self._value.read(-1 if content_length is None else content_length)
        if data:
            await writer.write(data)

    async def close(self) -> None:
        # In memory: keep it readable, as another write may follow.
        pass

    def _close(self) -> None:
        pass


class BufferedReaderPayload(IOBasePayload):
    """A file opened in binary mode (``open(path, "rb")``)."""


class JsonPayload(BytesPayload):
    """A value serialised with ``dumps`` (``json.dumps`` by default)."""

    def __init__(
        self,
        value: Any,
        encoding: str = "utf-8",
        content_type: str = "application/json",
        dumps: JSONEncoder = json.dumps,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            encode_json(value, dumps).encode(encoding),
            *args,
            content_type=content_type,
            encoding=encoding,
            **kwargs,
        )


class AsyncIterablePayload(Payload):
    """A body produced by an async iterable of bytes; it can be written once."""

    _iter: Optional[AsyncIterator[_Buffer]] = None
    _value: AsyncIterable[_Buffer]

    def __init__(
        self, value: AsyncIterable[_Buffer], *args: Any, **kwargs: Any
    ) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(
                "value argument must support the async iteration protocol "
                f"(__aiter__), got {type(value).__name__}"
            )
        kwargs.setdefault("content_type", _OCTET_STREAM)
        super().__init__(value, *args, **kwargs)
        self._iter = value.__aiter__()

    async def write(self, writer: _Writer) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: _Writer, content_length: Optional[int]
    ) -> None:
        iterator, self._iter = self._iter, None
        if iterator is None:
            return  # already written: an iterator cannot be replayed
        self._consumed = True
        if content_length is not None:
            writer = _LimitedWriter(writer, content_length)
        async for chunk in iterator:
            await writer.write(chunk)


class StreamReaderPayload(AsyncIterablePayload):
    """A :class:`~aiohttp.streams.StreamReader` (e.g. another request's body)."""

    def __init__(self, value: StreamReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.iter_any(), *args, **kwargs)


_Factory = Callable[..., Payload]


class PayloadRegistry:
    """Maps data types to payload classes; see :func:`get_payload`."""

    __slots__ = ("_cache", "_first", "_last", "_normal")

    def __init__(self) -> None:
        self._first: list[tuple[_Factory, Any]] = []
        self._normal: list[tuple[_Factory, Any]] = []
        self._last: list[tuple[_Factory, Any]] = []
        # Exact data type -> the factory the ordered search picked for it.
        self._cache: dict[type, _Factory] = {}

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        """A payload for ``data``; ``data`` itself if it is already one.

        Raises :class:`LookupError` when no registered type matches.
        """
        if isinstance(data, Payload):
            return data
        factory = self._cache.get(type(data))
        if factory is None:
            factory = self._find(data)
            self._cache[type(data)] = factory
        return factory(data, *args, **kwargs)

    def _find(self, data: Any) -> _Factory:
        for factory, type_ in (*self._first, *self._normal, *self._last):
            if isinstance(data, type_):
                return factory
        raise LookupError(
            f"no payload type is registered for {type(data).__name__!r} data: "
            "pass bytes, str, a file object, an async iterable of bytes or a "
            "Payload, or register the type with aiohttp.payload.payload_type()"
        )

    def register(
        self, factory: _Factory, type: Any, *, order: Order = Order.normal
    ) -> None:
        """Use ``factory`` for instances of ``type`` (a class or tuple of them)."""
        lists = {
            Order.try_first: self._first,
            Order.normal: self._normal,
            Order.try_last: self._last,
        }
        if order not in lists:
            raise ValueError(
                f"order must be one of {[o.value for o in Order]}, got {order!r}"
            )
        lists[Order(order)].append((factory, type))
        self._cache.clear()


PAYLOAD_REGISTRY: Final = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """The payload for ``data`` from :data:`PAYLOAD_REGISTRY` (see there)."""
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(
    factory: _Factory, type: Any, *, order: Order = Order.normal
) -> None:
    """Register ``factory`` for ``type`` in :data:`PAYLOAD_REGISTRY`."""
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:
    """Class decorator registering a payload class for ``type``."""

    def __init__(self, type: Any, *, order: Order = Order.normal) -> None:
        self.type = type
        self.order = order

    def __call__(self, factory: _P) -> _P:
        register_payload(factory, self.type, order=self.order)
        return factory


# Most specific first: the first match in registration order wins.
register_payload(BytesPayload, (bytes, bytearray, memoryview))
register_payload(StringPayload, str)
register_payload(StringIOPayload, io.StringIO)
register_payload(TextIOPayload, io.TextIOBase)
register_payload(BytesIOPayload, io.BytesIO)
register_payload(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
register_payload(IOBasePayload, io.IOBase)
register_payload(StreamReaderPayload, StreamReader)
register_payload(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
