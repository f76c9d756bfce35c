"""Payloads: registry lookups, headers, sizes and writing each kind of body."""

import asyncio
import builtins
import io
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Optional, TextIO, Union, cast

import pytest

from aiohttp import payload
from aiohttp.base_protocol import BaseProtocol
from aiohttp.payload import (
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Order,
    Payload,
    PayloadRegistry,
    StreamReaderPayload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    payload_type,
)
from aiohttp.streams import StreamReader


def open_binary(path: Path, mode: str = "rb") -> BinaryIO:
    """Open a small local test file (blocking is harmless in a test)."""
    return cast(BinaryIO, open(path, mode))


def open_text(path: Path) -> TextIO:
    """Open a small local text file (blocking is harmless in a test)."""
    return open(path, encoding="utf-8")


class BufferWriter:
    """The smallest writer a payload accepts: an ``async write``."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.chunks: list[bytes] = []

    async def write(self, chunk: Union[bytes, bytearray, memoryview]) -> None:
        self.buffer += chunk
        self.chunks.append(bytes(chunk))


async def written(p: Payload) -> bytes:
    writer = BufferWriter()
    await p.write(writer)
    return bytes(writer.buffer)


@pytest.fixture
def registry_snapshot() -> Iterator[None]:
    """Restore the global registry after a test registers its own types."""
    saved = (
        list(PAYLOAD_REGISTRY._first),
        list(PAYLOAD_REGISTRY._normal),
        list(PAYLOAD_REGISTRY._last),
    )
    yield
    PAYLOAD_REGISTRY._first[:], PAYLOAD_REGISTRY._normal[:] = saved[0], saved[1]
    PAYLOAD_REGISTRY._last[:] = saved[2]
    PAYLOAD_REGISTRY._cache.clear()


# ----------------------------------------------------------------- registry
@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (b"x", BytesPayload),
        (bytearray(b"x"), BytesPayload),
        (memoryview(b"x"), BytesPayload),
        ("x", StringPayload),
        (io.StringIO("x"), StringIOPayload),
        (io.BytesIO(b"x"), BytesIOPayload),
    ],
)
def test_get_payload_picks_class(data: Any, cls: type) -> None:
    assert type(get_payload(data)) is cls


def test_get_payload_files(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    with open_binary(path) as f:
        assert type(get_payload(f)) is BufferedReaderPayload
    with open_binary(path, "r+b") as f:
        assert type(get_payload(f)) is BufferedReaderPayload
    with open_text(path) as f:
        assert type(get_payload(f)) is TextIOPayload
    with open(path, "rb", buffering=0) as f:
        assert type(get_payload(f)) is IOBasePayload


async def test_get_payload_streams(loop: asyncio.AbstractEventLoop) -> None:
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    assert type(get_payload(stream)) is StreamReaderPayload

    async def gen() -> AsyncIterator[bytes]:
        yield b"x"

    assert type(get_payload(gen())) is AsyncIterablePayload


def test_get_payload_passes_payload_through() -> None:
    p = BytesPayload(b"x")
    assert get_payload(p) is p


def test_get_payload_unknown_type() -> None:
    with pytest.raises(payload.LookupError, match="'dict'"):
        get_payload({"a": 1})
    # Also the built-in LookupError, so generic handlers catch it.
    with pytest.raises(builtins.LookupError, match="payload_type"):
        get_payload(object())


def test_payload_type_decorator_and_order(registry_snapshot: None) -> None:
    class Special(bytes):
        pass

    @payload_type(Special, order=Order.try_first)
    class SpecialPayload(BytesPayload):
        pass

    assert type(get_payload(Special(b"x"))) is SpecialPayload
    assert type(get_payload(b"x")) is BytesPayload  # cache keyed by exact type

    class Last:
        pass

    @payload_type(object, order=Order.try_last)
    class Catchall(BytesPayload):
        def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(repr(value).encode(), *args, **kwargs)

    assert type(get_payload(Last())) is Catchall
    assert type(get_payload("still a string")) is StringPayload


def test_registry_bad_order() -> None:
    registry = PayloadRegistry()
    with pytest.raises(ValueError, match="order must be one of"):
        registry.register(BytesPayload, bytes, order="sometimes")  # type: ignore[arg-type]


def test_registry_cache_cleared_on_register() -> None:
    registry = PayloadRegistry()
    registry.register(BytesPayload, bytes)
    assert type(registry.get(b"x")) is BytesPayload
    registry.register(StringPayload, bytes, order=Order.try_first)
    with pytest.raises(TypeError, match="must be str"):
        registry.get(b"x")


# ----------------------------------------------------------------- base
def test_headers_and_properties() -> None:
    p = BytesPayload(b"data", headers={"X-Id": "1"}, filename="a.bin", encoding="x")
    assert p.headers["X-Id"] == "1"
    assert p.content_type == "application/octet-stream"
    assert p.filename == "a.bin"
    assert p.encoding == "x"
    assert p.size == 4
    assert p.autoclose and not p.consumed


def test_headers_content_type_override() -> None:
    p = BytesPayload(b"x", headers={"Content-Type": "image/png"})
    assert p.content_type == "image/png"


class RawPayload(Payload):
    async def write(self, writer: Any) -> None:
        await writer.write(self._value)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "application/octet-stream"),
        ({"content_type": None}, "application/octet-stream"),
        ({"filename": "photo.png"}, "image/png"),
        ({"filename": "noext"}, "application/octet-stream"),
        ({"content_type": "text/csv", "filename": "a.png"}, "text/csv"),
    ],
)
def test_default_content_type(kwargs: dict[str, Any], expected: str) -> None:
    assert RawPayload(b"", **kwargs).content_type == expected


async def test_base_payload_as_bytes_and_decode() -> None:
    p = RawPayload(b"abc")
    assert await p.as_bytes() == b"abc"
    assert p.size is None
    with pytest.raises(TypeError, match="as_bytes"):
        p.decode()
    await p.close()
    p._close()


@pytest.mark.parametrize("bad", ["a\r\nb", "a\nb", "a\x00"])
def test_header_injection_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="single line"):
        BytesPayload(b"x", headers={"X-Test": bad})
    with pytest.raises(ValueError, match="single line"):
        BytesPayload(b"x", headers={bad: "v"})
    p = BytesPayload(b"x")
    p.headers["X-Late"] = bad
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        _ = p._binary_headers


def test_binary_headers() -> None:
    p = BytesPayload(b"x", headers={"X-A": "é"})
    assert p._binary_headers == (
        "Content-Type: application/octet-stream\r\nX-A: é\r\n\r\n".encode()
    )


def test_set_content_disposition() -> None:
    p = BytesPayload(b"x")
    p.set_content_disposition("attachment", filename='a "quoted" \\ name.txt')
    assert p.headers["Content-Disposition"] == (
        'attachment; filename="a \\"quoted\\" \\\\ name.txt"'
    )
    p.set_content_disposition("form-data", name="f", filename="€.txt")
    assert p.headers["Content-Disposition"] == (
        'form-data; name="f"; filename="%E2%82%AC.txt"; '
        "filename*=utf-8''%E2%82%AC.txt"
    )
    p.set_content_disposition("form-data", quote_fields=False, name="€")
    assert p.headers["Content-Disposition"] == 'form-data; name="€"'
    with pytest.raises(ValueError, match="content disposition type"):
        p.set_content_disposition("bad type")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        p.set_content_disposition("inline", quote_fields=False, name="a\r\nb")


# ----------------------------------------------------------------- bytes
async def test_bytes_payload() -> None:
    p = BytesPayload(bytearray(b"hello"))
    assert await written(p) == b"hello"
    assert await written(p) == b"hello"  # in memory: any number of times
    assert p.decode() == "hello"
    assert await p.as_bytes() == b"hello"
    assert BytesPayload(memoryview(b"abcd")[1:]).size == 3


async def test_bytes_payload_write_with_length() -> None:
    writer = BufferWriter()
    await BytesPayload(b"0123456789").write_with_length(writer, 4)
    assert writer.buffer == b"0123"
    writer = BufferWriter()
    await BytesPayload(b"0123").write_with_length(writer, None)
    assert writer.buffer == b"0123"


def test_bytes_payload_type_error() -> None:
    with pytest.raises(TypeError, match="value argument must be bytes"):
        BytesPayload("text")  # type: ignore[arg-type]


# ----------------------------------------------------------------- strings
async def test_string_payload_defaults() -> None:
    p = StringPayload("héllo")
    assert p.content_type == "text/plain; charset=utf-8"
    assert p.encoding == "utf-8"
    assert await written(p) == "héllo".encode()
    assert p.size == len("héllo".encode())


def test_string_payload_encodings() -> None:
    p = StringPayload("é", encoding="latin-1")
    assert p.content_type == "text/plain; charset=latin-1"
    assert p._value == b"\xe9"
    p = StringPayload("é", content_type="text/html; charset=latin-1")
    assert (p.encoding, p._value) == ("latin-1", b"\xe9")
    p = StringPayload("é", content_type="text/html")
    assert (p.encoding, p.content_type) == ("utf-8", "text/html")
    p = StringPayload("é", encoding="utf-16", content_type="text/x")
    assert p.decode("utf-16") == "é"
    with pytest.raises(TypeError, match="must be str"):
        StringPayload(b"x")  # type: ignore[arg-type]


async def test_string_io_payload() -> None:
    buf = io.StringIO("abcdef")
    buf.read(2)
    p = get_payload(buf)
    assert await written(p) == b"cdef"


# ----------------------------------------------------------------- files
async def test_file_payload(tmp_path: Path) -> None:
    data = os.urandom(3 * payload.READ_SIZE + 17)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    with open_binary(path) as f:
        p = get_payload(f)
        assert p.size == len(data)
        assert p.filename == "report.pdf"
        assert p.content_type == "application/pdf"
        assert p.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
        writer = BufferWriter()
        await p.write(writer)
        assert writer.buffer == data
        assert max(len(c) for c in writer.chunks) <= payload.READ_SIZE
        # Sent again (a redirect): read again from the start.
        assert await written(p) == data
        assert p.decode("latin-1") == data.decode("latin-1")
        await p.close()
        assert f.closed


async def test_file_payload_from_position(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")
    with open_binary(path) as f:
        f.seek(4)
        p = get_payload(f, disposition=None)
        assert p.size == 6
        assert "Content-Disposition" not in p.headers
        writer = BufferWriter()
        await p.write_with_length(writer, 3)
        assert writer.buffer == b"456"
        writer = BufferWriter()
        await p.write_with_length(writer, 100)
        assert writer.buffer == b"456789"
        assert await p.as_bytes() == b"456789"


async def test_file_payload_keeps_given_disposition(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"x")
    with open_binary(path) as f:
        p = get_payload(f, headers={"Content-Disposition": "inline"})
        assert p.headers["Content-Disposition"] == "inline"
        p2 = get_payload(f, filename="other.txt")
        assert p2.headers["Content-Disposition"] == 'attachment; filename="other.txt"'


class Unseekable(io.RawIOBase):
    """A non-seekable binary stream (like a pipe) without a name."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


async def test_unseekable_io_payload() -> None:
    p = get_payload(Unseekable(b"stream data"))
    assert type(p) is IOBasePayload
    assert p.size is None
    assert p.filename is None
    assert "Content-Disposition" not in p.headers
    assert await written(p) == b"stream data"
    p._close()


async def test_text_file_payload(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("ünïcode\n" * 10000, encoding="utf-8")
    with open_text(path) as f:
        p = get_payload(f)
        assert p.content_type == "text/plain; charset=utf-8"
        assert p.size is None
        assert await written(p) == path.read_bytes()
        assert p.decode() == path.read_text(encoding="utf-8")
    with open_text(path) as f:
        p = TextIOPayload(f, encoding="latin-1")
        assert p.content_type == "text/plain; charset=latin-1"
        assert (await written(p))[:2] == "ü".encode("latin-1") + b"n"
    with open_text(path) as f:
        p = TextIOPayload(f, content_type="text/csv; charset=utf-16")
        assert p.encoding == "utf-16"
        p = TextIOPayload(f, content_type="text/csv")
        assert p.encoding == "utf-8"


async def test_bytes_io_payload() -> None:
    buf = io.BytesIO(b"0123456789")
    buf.seek(2)
    p = get_payload(buf)
    assert p.size == 8
    assert await written(p) == b"23456789"
    writer = BufferWriter()
    await p.write_with_length(writer, 3)
    assert writer.buffer == b"234"
    await p.close()
    p._close()
    assert not buf.closed  # in memory: still readable for another write
    assert await written(p) == b"23456789"
    writer = BufferWriter()
    await BytesIOPayload(io.BytesIO()).write(writer)
    assert writer.chunks == []


# ----------------------------------------------------------------- json
async def test_json_payload() -> None:
    p = JsonPayload({"a": ["é", 1]})
    assert p.content_type == "application/json"
    assert json.loads(await written(p)) == {"a": ["é", 1]}
    p = JsonPayload([1], dumps=lambda v: "custom", content_type="application/x")
    assert (await written(p), p.content_type) == (b"custom", "application/x")
    p = JsonPayload("é", encoding="utf-16")
    assert p.decode("utf-16") == '"\\u00e9"'


# ----------------------------------------------------------------- async
async def test_async_iterable_payload() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"

    p = AsyncIterablePayload(gen())
    assert p.size is None and not p.consumed
    assert p.content_type == "application/octet-stream"
    assert await written(p) == b"abcd"
    assert p.consumed
    assert await written(p) == b""  # an iterator cannot be replayed
    with pytest.raises(TypeError, match="as_bytes"):
        p.decode()


async def test_async_iterable_payload_with_length() -> None:
    async def gen() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"xyz"

    writer = BufferWriter()
    await AsyncIterablePayload(gen()).write_with_length(writer, 7)
    assert writer.buffer == b"xyzxyzx"
    assert await AsyncIterablePayload(gen()).as_bytes() == b"xyz" * 5


def test_async_iterable_payload_type_error() -> None:
    with pytest.raises(TypeError, match="async iteration"):
        AsyncIterablePayload([b"x"])  # type: ignore[arg-type]


async def test_stream_reader_payload(loop: asyncio.AbstractEventLoop) -> None:
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    stream.feed_data(b"one ")
    stream.feed_data(b"two")
    stream.feed_eof()
    p = get_payload(stream, content_type="text/plain")
    assert p.content_type == "text/plain"
    assert await written(p) == b"one two"


def test_optional_values_are_typed() -> None:
    # Sanity of the public types used in annotations.
    size: Optional[int] = BytesPayload(b"").size
    assert size == 0


async def test_unsized_seekable_and_closed_files(tmp_path: Path) -> None:
    wrapped = io.BufferedReader(io.BytesIO(b"no fileno"))
    p = get_payload(wrapped)
    assert type(p) is BufferedReaderPayload
    assert p.size is None  # seekable, but no file descriptor to stat
    assert await written(p) == b"no fileno"
    path = tmp_path / "closed.bin"
    path.write_bytes(b"x")
    with open_binary(path) as f:
        pass
    assert get_payload(f).size is None  # tell() on a closed file fails


def test_text_payload_explicit_encoding_and_type(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x", encoding="utf-8")
    with open_text(path) as f:
        p = TextIOPayload(f, encoding="utf-16", content_type="text/csv")
        assert (p.encoding, p.content_type) == ("utf-16", "text/csv")
