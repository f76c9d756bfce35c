"""FormData: urlencoded and multipart bodies, field options and errors."""

import asyncio
import io
from pathlib import Path
from typing import Any, BinaryIO, TextIO, Union, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from aiohttp import hdrs
from aiohttp.base_protocol import BaseProtocol
from aiohttp.formdata import FormData
from aiohttp.multipart import BodyPartReader, MultipartReader, MultipartWriter
from aiohttp.payload import BytesPayload, Payload
from aiohttp.streams import StreamReader


def open_binary(path: Path, mode: str = "rb") -> BinaryIO:
    """Open a small local test file (blocking is harmless in a test)."""
    return cast(BinaryIO, open(path, mode))


def open_text(path: Path) -> TextIO:
    """Open a small local text file (blocking is harmless in a test)."""
    return open(path, encoding="utf-8")


class BufferWriter:
    def __init__(self) -> None:
        self.buffer = bytearray()

    async def write(self, chunk: Union[bytes, bytearray, memoryview]) -> None:
        self.buffer += chunk


async def body_bytes(p: Payload) -> bytes:
    sink = BufferWriter()
    await p.write(sink)
    return bytes(sink.buffer)


async def read_back(
    loop: asyncio.AbstractEventLoop, p: Payload
) -> list[tuple[Any, Any, str, bytes]]:
    """Parse a multipart payload with MultipartReader: (name, filename, type, data)."""
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    stream.feed_data(await body_bytes(p))
    stream.feed_eof()
    headers = CIMultiDictProxy(CIMultiDict({hdrs.CONTENT_TYPE: p.content_type}))
    result = []
    async for part in MultipartReader(headers, stream):
        assert isinstance(part, BodyPartReader)
        ctype = part.headers.get(hdrs.CONTENT_TYPE, "")
        result.append((part.name, part.filename, ctype, bytes(await part.read())))
    return result


# ----------------------------------------------------------------- urlencoded
async def test_urlencoded_from_dict() -> None:
    form = FormData({"a": "1", "b": "x y&z", "c": "é"})
    assert not form.is_multipart
    p = form()
    assert isinstance(p, BytesPayload)
    assert p.content_type == "application/x-www-form-urlencoded"
    assert await body_bytes(p) == b"a=1&b=x+y%26z&c=%C3%A9"
    # Generating it again is fine: nothing was consumed.
    assert await body_bytes(form()) == b"a=1&b=x+y%26z&c=%C3%A9"


async def test_urlencoded_field_shapes() -> None:
    form = FormData([("a", "1"), ("a", "2")])
    form.add_fields(MultiDict([("b", "3")]), MultiDictProxy(MultiDict([("c", "4")])))
    form.add_fields(("d", 5))
    form.add_field("e", ["x", "y"])
    assert await body_bytes(form()) == b"a=1&a=2&b=3&c=4&d=5&e=x&e=y"
    assert await body_bytes(FormData(MultiDict([("m", "1"), ("m", "2")]))()) == (
        b"m=1&m=2"
    )
    assert await body_bytes(FormData()()) == b""


async def test_urlencoded_charset() -> None:
    p = FormData({"name": "é"}, charset="latin-1")()
    assert p.content_type == "application/x-www-form-urlencoded; charset=latin-1"
    assert await body_bytes(p) == b"name=%E9"


# ----------------------------------------------------------------- multipart
async def test_multipart_exact_bytes() -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("a", "1")
    form.add_field('q"n', "v", content_type="text/csv")
    assert form.is_multipart
    p = form()
    assert isinstance(p, MultipartWriter)
    b = p.boundary
    assert p.content_type == f"multipart/form-data; boundary={b}"
    expected = (
        f"--{b}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        'Content-Disposition: form-data; name="a"\r\n'
        "\r\n1\r\n"
        f"--{b}\r\n"
        "Content-Type: text/csv\r\n"
        'Content-Disposition: form-data; name="q\\"n"\r\n'
        f"\r\nv\r\n--{b}--\r\n"
    ).encode()
    assert await body_bytes(p) == expected
    assert p.size == len(expected)


async def test_multipart_with_files(
    loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG fake")
    with open_binary(path) as f:
        form = FormData({"title": "Holiday", "photo": f})
        assert form.is_multipart
        form.add_field("named", io.BytesIO(b"in memory"), filename="mem.txt")
        form.add_field("unnamed", io.BytesIO(b"anonymous"))
        form.add_field("raw", b"bytes", filename="raw.bin")
        form.add_fields(io.BytesIO(b"nameless io"))
        parts = await read_back(loop, form())
    assert parts == [
        ("title", None, "text/plain; charset=utf-8", b"Holiday"),
        ("photo", "photo.png", "image/png", b"\x89PNG fake"),
        ("named", "mem.txt", "application/octet-stream", b"in memory"),
        ("unnamed", "unnamed", "application/octet-stream", b"anonymous"),
        ("raw", "raw.bin", "application/octet-stream", b"bytes"),
        ("unknown", "unknown", "application/octet-stream", b"nameless io"),
    ]


async def test_multipart_file_object_in_fields(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x", encoding="utf-8")
    with open_binary(path) as f:
        form = FormData(f)
        assert form.is_multipart
        assert form._fields[0][0]["name"] == "notes.txt"


async def test_multipart_quote_fields_and_charset(
    loop: asyncio.AbstractEventLoop,
) -> None:
    form = FormData(quote_fields=False, charset="latin-1", default_to_multipart=True)
    form.add_field("nämé", "välue")
    p = form()
    data = await body_bytes(p)
    assert 'name="nämé"'.encode() in data
    assert "välue".encode("latin-1") in data
    assert b"charset=latin-1" in data
    parts = await read_back(loop, form._writer)
    assert parts[0][0] == "nämé"

    form = FormData(default_to_multipart=True)
    form.add_field("nämé", "v", filename="fïle.txt")
    data = await body_bytes(form())
    assert b"filename*=utf-8''f%C3%AFle.txt" in data
    assert [(n, f) for n, f, _, _ in await read_back(loop, form._writer)] == [
        ("nämé", "fïle.txt")
    ]


async def test_multipart_processed_once() -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("a", "1")
    form()
    with pytest.raises(RuntimeError, match="Form data has been processed already"):
        form()


def test_bytes_without_filename_deprecated() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="filename"):
        form.add_field("data", b"\x00\x01")
    assert form.is_multipart
    assert form._fields[0][0]["filename"] == "data"


async def test_content_transfer_encoding_deprecated(
    loop: asyncio.AbstractEventLoop,
) -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="content_transfer_encoding"):
        form.add_field("b", b"\x00binary", content_transfer_encoding="base64")
    assert form.is_multipart
    p = form()
    data = await body_bytes(p)
    assert b"Content-Transfer-Encoding: base64\r\n" in data
    assert b"AGJpbmFyeQ==" in data  # base64 of b"\x00binary"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"filename": 1}, "filename must be a str"),
        ({"content_type": 1}, "content_type must be a str"),
        ({"content_transfer_encoding": 1}, "content_transfer_encoding must be a str"),
    ],
)
def test_add_field_type_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        FormData().add_field("f", "v", **kwargs)


def test_add_field_bad_name() -> None:
    with pytest.raises(TypeError, match="field name must be a str"):
        FormData().add_field(1, "v")  # type: ignore[arg-type]


@pytest.mark.parametrize("record", [("a", "b", "c"), "just a string", 42])
def test_add_fields_bad_record(record: Any) -> None:
    with pytest.raises(TypeError, match=r"\(name, value\) pairs"):
        FormData().add_fields(record)


def test_multipart_unserializable_value() -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("n", 12.5)
    with pytest.raises(TypeError, match="Can not serialize value type: 'float'"):
        form()


async def test_multipart_round_trip_reads_values(
    loop: asyncio.AbstractEventLoop,
) -> None:
    form = FormData({"x": "1"})
    form.add_field("doc", '{"a": 1}', content_type="application/json")
    parts = await read_back(loop, form())
    assert parts == [
        ("x", None, "text/plain; charset=utf-8", b"1"),
        ("doc", None, "application/json", b'{"a": 1}'),
    ]
