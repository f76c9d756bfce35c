"""Multipart: reader and writer round trips, encodings, malformed bodies,
Content-Disposition parsing/formatting, and a functional test over a socket."""

import asyncio
import gzip
import io
import json
import os
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Optional, TextIO, Union, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp import hdrs, payload
from aiohttp._multipart_source import READ_SIZE
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_exceptions import (
    BadHttpMessage,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
)
from aiohttp.http_writer import frame_chunk
from aiohttp.multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    MultipartReader,
    MultipartResponseWrapper,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)
from aiohttp.payload import BytesPayload, JsonPayload, StringPayload
from aiohttp.streams import StreamReader
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response

BOUNDARY = "x-boundary-42"
CTYPE = f"multipart/mixed; boundary={BOUNDARY}"


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


async def serialize(writer: MultipartWriter, **kwargs: Any) -> bytes:
    sink = BufferWriter()
    await writer.write(sink, **kwargs)
    return bytes(sink.buffer)


def make_stream(
    loop: asyncio.AbstractEventLoop, data: bytes, piece: Optional[int] = None
) -> StreamReader:
    """A real StreamReader fed with ``data`` (in pieces of ``piece`` bytes)."""
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    step = piece or max(len(data), 1)
    for i in range(0, len(data), step):
        stream.feed_data(data[i : i + step])
    stream.feed_eof()
    return stream


def reader_for(
    loop: asyncio.AbstractEventLoop,
    body: bytes,
    ctype: str = CTYPE,
    piece: Optional[int] = None,
    **kwargs: Any,
) -> MultipartReader:
    headers = CIMultiDictProxy(CIMultiDict({hdrs.CONTENT_TYPE: ctype}))
    return MultipartReader(headers, make_stream(loop, body, piece), **kwargs)


def body_of(*parts: bytes, boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """Hand-assemble a body from raw parts (headers CRLF CRLF content)."""
    b = boundary.encode()
    out = b"".join(b"--" + b + b"\r\n" + part + b"\r\n" for part in parts)
    return out + (b"--" + b + b"--\r\n" if close else b"")


async def collect(reader: MultipartReader) -> list[Any]:
    """Every part as (headers-derived info, content), recursing into nests."""
    result: list[Any] = []
    async for part in reader:
        if isinstance(part, MultipartReader):
            result.append(await collect(part))
        else:
            result.append((part.name, part.filename, bytes(await part.read())))
    return result


# ----------------------------------------------------------------- round trips
@pytest.mark.parametrize("piece", [None, 1, 7, 100])
async def test_round_trip(
    loop: asyncio.AbstractEventLoop, piece: Optional[int]
) -> None:
    writer = MultipartWriter("form-data", boundary=BOUNDARY)
    writer.append("text value").set_content_disposition("form-data", name="t")
    part = writer.append(b"\r\n-- " + BOUNDARY.encode() + b" binary\r\n\r\n")
    part.set_content_disposition("form-data", name="b", filename="b.bin")
    writer.append_json({"k": [1, 2]}).set_content_disposition("form-data", name="j")
    writer.append(b"").set_content_disposition("form-data", name="empty")
    data = await serialize(writer)
    assert writer.size == len(data)
    reader = reader_for(loop, data, writer.content_type, piece)
    assert await collect(reader) == [
        ("t", None, b"text value"),
        ("b", "b.bin", b"\r\n-- " + BOUNDARY.encode() + b" binary\r\n\r\n"),
        ("j", None, b'{"k": [1, 2]}'),
        ("empty", None, b""),
    ]
    assert reader.at_eof()
    assert await reader.next() is None


async def test_nested_round_trip(loop: asyncio.AbstractEventLoop) -> None:
    inner = MultipartWriter("related", boundary="inner")
    inner.append("first inner")
    innermost = MultipartWriter("alternative")
    innermost.append("deep")
    inner.append(innermost)
    outer = MultipartWriter("mixed", boundary="outer")
    outer.append("before")
    outer.append(inner)
    outer.append("after")
    data = await serialize(outer)
    assert outer.size == len(data)
    reader = reader_for(loop, data, outer.content_type, piece=5)
    parts = await collect(reader)
    assert parts == [
        (None, None, b"before"),
        [(None, None, b"first inner"), [(None, None, b"deep")]],
        (None, None, b"after"),
    ]


async def test_nested_parts_skipped_when_unread(
    loop: asyncio.AbstractEventLoop,
) -> None:
    inner = MultipartWriter("related")
    inner.append("a")
    inner.append("b")
    outer = MultipartWriter()
    outer.append(inner)
    outer.append("tail")
    reader = reader_for(loop, await serialize(outer), outer.content_type, 3)
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    first = await nested.next()
    assert isinstance(first, BodyPartReader)
    # Neither the nested part nor the nested reader were read to the end.
    last = await reader.next()
    assert isinstance(last, BodyPartReader)
    assert await last.text() == "tail"
    assert await reader.next() is None


async def test_nested_epilogue_skipped(loop: asyncio.AbstractEventLoop) -> None:
    inner = (
        b"Content-Type: multipart/related; boundary=in\r\n\r\n"
        b"inner preamble\r\n--in\r\n\r\nx\r\n--in--\r\ninner epilogue"
    )
    body = b"preamble\r\n" + body_of(inner, b"\r\ny") + b"epilogue\r\n"
    assert await collect(reader_for(loop, body, piece=4)) == [
        [(None, None, b"x")],
        (None, None, b"y"),
    ]


async def test_unread_parts_are_skipped(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(b"\r\n" + b"a" * 100000, b"\r\nline1\r\nline2", b"\r\nlast")
    reader = reader_for(loop, body, piece=1000)
    first = await reader.next()
    assert isinstance(first, BodyPartReader)
    assert await first.read_chunk(10) == b"a" * 10
    second = await reader.next()
    assert isinstance(second, BodyPartReader)
    assert await second.readline() == b"line1\r\n"
    third = await reader.next()
    assert isinstance(third, BodyPartReader)
    await reader.release()
    assert reader.at_eof()


# ----------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    ("encoding", "te_encoding"),
    [
        ("gzip", None),
        ("deflate", None),
        ("identity", None),
        (None, "base64"),
        (None, "quoted-printable"),
        (None, "binary"),
        ("gzip", "base64"),
        ("deflate", "quoted-printable"),
    ],
)
async def test_encoded_round_trip(
    loop: asyncio.AbstractEventLoop, encoding: Optional[str], te_encoding: Optional[str]
) -> None:
    content = os.urandom(50000) + b"text with = and \r\n lines \t\r\n" * 100
    writer = MultipartWriter()
    part = writer.append(io.BytesIO(content))
    headers = {}
    if encoding:
        part.headers[hdrs.CONTENT_ENCODING] = encoding
        headers[hdrs.CONTENT_ENCODING] = encoding
    if te_encoding:
        part.headers[hdrs.CONTENT_TRANSFER_ENCODING] = te_encoding
    data = await serialize(writer)
    if encoding in ("gzip", "deflate") or te_encoding in ("base64", "quoted-printable"):
        assert writer.size is None
        assert content not in data
    reader = reader_for(loop, data, writer.content_type, piece=999)
    got = await reader.next()
    assert isinstance(got, BodyPartReader)
    assert await got.read(decode=True) == content


async def test_decode_hand_written_parts(loop: asyncio.AbstractEventLoop) -> None:
    text = "héllo wörld " * 10
    b64 = __import__("base64").encodebytes(text.encode()).replace(b"\n", b"\r\n")
    qp = b"h=C3=A9llo=\r\n w=C3=B6rld"
    body = body_of(
        b"Content-Transfer-Encoding: BASE64\r\n\r\n" + b64.rstrip(),
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + qp,
        b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(b"zipped"),
        b"Content-Encoding: deflate\r\n\r\n" + zlib.compress(b"deflated"),
        b"Content-Transfer-Encoding: 8bit\r\nContent-Encoding: identity\r\n\r\nraw",
    )
    reader = reader_for(loop, body)
    texts = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        texts.append(await part.text())
    assert texts == [text, "héllo wörld", "zipped", "deflated", "raw"]


async def test_form_data_ignores_content_encoding(
    loop: asyncio.AbstractEventLoop,
) -> None:
    zipped = gzip.compress(b"abc")
    body = body_of(
        b'Content-Disposition: form-data; name="f"\r\n'
        b"Content-Encoding: gzip\r\n\r\n" + zipped
    )
    reader = reader_for(loop, body, f"multipart/form-data; boundary={BOUNDARY}")
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.read(decode=True) == zipped


async def test_unknown_encodings(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(
        b"Content-Transfer-Encoding: uuencode\r\n\r\nx",
        b"Content-Encoding: snappy\r\n\r\nx",
        b"Content-Transfer-Encoding: base64\r\n\r\nabcde",
    )
    reader = reader_for(loop, body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        await part.read(decode=True)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        await part.read(decode=True)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="invalid base64"):
        await part.read(decode=True)


def test_writer_refuses_unknown_encodings() -> None:
    writer = MultipartWriter()
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        writer.append("x", {hdrs.CONTENT_ENCODING: "br"})
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        writer.append("x", {hdrs.CONTENT_TRANSFER_ENCODING: "uuencode"})


# ----------------------------------------------------------------- part API
async def test_part_helpers(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(
        b"Content-Type: text/plain; charset=latin-1\r\n\r\n\xe9t\xe9",
        b"Content-Type: application/json\r\n\r\n" + json.dumps({"a": "é"}).encode(),
        b"\r\n",
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=%C3%A9&c=",
        b"\r\n",
        b"\r\n\xff",
        b"\r\nplain",
    )
    reader = reader_for(loop, body)

    async def next_part() -> BodyPartReader:
        part = await reader.next()
        assert isinstance(part, BodyPartReader)
        return part

    part = await next_part()
    assert part.get_charset(default="utf-8") == "latin-1"
    assert await part.text() == "été"
    assert await (await next_part()).json() == {"a": "é"}
    assert await (await next_part()).json() is None
    assert await (await next_part()).form() == [("a", "1"), ("b", "é"), ("c", "")]
    assert await (await next_part()).form() == []
    with pytest.raises(ValueError, match="not valid utf-8"):
        await (await next_part()).form()
    part = await next_part()
    assert await part.text(encoding="ascii") == "plain"
    assert part.at_eof()
    assert await part.read() == b""
    assert await part.read_chunk() == b""
    assert await part.readline() == b""
    assert await reader.next() is None


async def test_part_default_charset(loop: asyncio.AbstractEventLoop) -> None:
    stream = make_stream(loop, b"\xe9\r\n--b--\r\n")
    part = BodyPartReader(b"--b", {}, stream, default_charset="latin-1")
    assert part.get_charset(default="utf-8") == "latin-1"
    assert await part.text() == "é"


async def test_part_iteration_and_readline(loop: asyncio.AbstractEventLoop) -> None:
    content = b"line 1\r\nline 2\n--x-boundary-4 not a boundary\r\n\r\nlast"
    reader = reader_for(loop, body_of(b"\r\n" + content, b"\r\n"), piece=3)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    lines = []
    while line := await part.readline():
        lines.append(line)
    assert b"".join(lines) == content
    assert lines[0] == b"line 1\r\n"
    assert lines[-1] == b"last"
    empty = await reader.next()
    assert isinstance(empty, BodyPartReader)
    assert await empty.readline() == b""
    assert empty.at_eof()


async def test_part_async_iteration(loop: asyncio.AbstractEventLoop) -> None:
    stream = make_stream(loop, b"abc\r\n--x-boundary-42--")
    part = BodyPartReader("--" + BOUNDARY, {}, stream)
    assert [chunk async for chunk in part] == [b"abc"]
    assert await part.next() is None


async def test_readline_too_long(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(b"\r\n" + b"x" * (3 * READ_SIZE))
    part = await reader_for(loop, body).next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="line in multipart part is longer"):
        await part.readline()


async def test_read_chunk_size_checked(loop: asyncio.AbstractEventLoop) -> None:
    part = await reader_for(loop, body_of(b"\r\nx")).next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="size > 0"):
        await part.read_chunk(0)


async def test_huge_part_streamed(loop: asyncio.AbstractEventLoop) -> None:
    """A 4 MiB part read with read_chunk: bounded chunks and buffer."""
    block = os.urandom(4096)
    size = 4 * 2**20
    content = block * (size // len(block))
    body = body_of(b'Content-Disposition: form-data; name="big"\r\n\r\n' + content)
    reader = reader_for(loop, body, piece=30000)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    total = 0
    largest_buffer = 0
    offset = 0
    while chunk := await part.read_chunk(8192):
        assert len(chunk) <= 8192
        assert chunk == content[offset : offset + len(chunk)]
        offset += len(chunk)
        total += len(chunk)
        largest_buffer = max(largest_buffer, part._content.buffered)
    assert total == size
    # Never more than a couple of stream reads buffered, whatever the size.
    assert largest_buffer <= 2 * READ_SIZE
    assert await reader.next() is None


async def test_many_small_parts(loop: asyncio.AbstractEventLoop) -> None:
    """20000 tiny parts in one body: parsed in one linear pass."""
    count = 20000
    body = body_of(*(b"X-N: %d\r\n\r\n%d" % (i, i) for i in range(count)))
    reader = reader_for(loop, body, piece=2**16)
    seen = 0
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        assert part.headers["X-N"] == (await part.text())
        seen += 1
    assert seen == count


async def test_part_names_and_filenames(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(
        b"Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; "
        b'filename="eur.txt"\r\n\r\n',
        b"Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t; "
        b"filename*1=\"e.txt\"; name*=utf-8''n%C3%A9\r\n\r\n",
        'Content-Disposition: form-data; name="ﬁeld"; '
        'filename="naïve.txt"\r\n\r\n'.encode(),
        b"Content-Type: text/plain\r\n\r\n",
    )
    reader = reader_for(loop, body)
    assert await collect(reader) == [
        (None, "€ rates.txt", b""),
        ("né", "ét" + "e.txt", b""),
        ("ﬁeld", "naïve.txt", b""),
        (None, None, b""),
    ]


async def test_bad_content_disposition_in_part(loop: asyncio.AbstractEventLoop) -> None:
    body = body_of(b"Content-Disposition: form-data; name=a b\r\n\r\n")
    part = await reader_for(loop, body).next()
    assert isinstance(part, BodyPartReader)
    with pytest.warns(BadContentDispositionHeader):
        assert part.name is None
    assert part.filename is None  # parsed once, cached


async def test_body_part_reader_on_raw_stream(loop: asyncio.AbstractEventLoop) -> None:
    stream = make_stream(loop, b"raw content\r\n--" + BOUNDARY.encode() + b"--\r\n")
    part = BodyPartReader(("--" + BOUNDARY).encode(), {}, stream)
    assert await part.read() == b"raw content"
    assert part.at_eof()


# ----------------------------------------------------------------- framing
async def test_preamble_padding_and_epilogue(loop: asyncio.AbstractEventLoop) -> None:
    b = BOUNDARY.encode()
    body = (
        b"This is the preamble.\r\n--" + b + b"X not it\r\n"
        b"--" + b + b" \t\r\nX: 1\r\n\r\none\r\n"
        b"--" + b + b"\r\n\r\ntwo\r\n--" + b + b"--  \r\nthe epilogue\r\n"
    )
    assert await collect(reader_for(loop, body, piece=2)) == [
        (None, None, b"one"),
        (None, None, b"two"),
    ]


async def test_boundary_quoted_in_content_type(loop: asyncio.AbstractEventLoop) -> None:
    writer = MultipartWriter(boundary="with space:and(parens)")
    writer.append("v")
    assert writer.content_type == ('multipart/mixed; boundary="with space:and(parens)"')
    reader = reader_for(loop, await serialize(writer), writer.content_type)
    assert await collect(reader) == [(None, None, b"v")]


async def test_final_boundary_at_eof_without_crlf(
    loop: asyncio.AbstractEventLoop,
) -> None:
    body = b"--" + BOUNDARY.encode() + b"\r\n\r\nx\r\n--" + BOUNDARY.encode() + b"--"
    assert await collect(reader_for(loop, body)) == [(None, None, b"x")]


@pytest.mark.parametrize(
    ("ctype", "match"),
    [
        ("text/plain", "multipart/\\* content type expected"),
        ("multipart/mixed", "no boundary parameter"),
        ("multipart/mixed; boundary=", "no boundary parameter"),
        ("multipart/mixed; boundary=" + "a" * 71, "too long: 71 characters"),
        ('multipart/mixed; boundary="é"', "not printable ASCII"),
    ],
)
def test_bad_content_type(
    loop: asyncio.AbstractEventLoop, ctype: str, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        reader_for(loop, b"", ctype)


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (b"no boundary here at all\r\n", ValueError, "Could not find starting"),
        (b"", ValueError, "Could not find starting"),
        (b"--x-boundary-42\r\n\r\ntruncated", ValueError, "ended inside a part"),
        (b"--x-boundary-42\r\n\r\nab\r\n--x-boundary-42", ValueError, "boundary line"),
        (b"--x-boundary-42 junk\r\n\r\n", ValueError, "Invalid multipart boundary"),
        (b"--x-boundary-42\r\nX: 1\r\n", ValueError, "inside the headers"),
        (b"--x-boundary-42\r\nbad header\r\n\r\n", InvalidHeader, "missing colon"),
        (b"--x-boundary-42\r\nX : 1\r\n\r\n", InvalidHeader, "whitespace"),
        (b"--x-boundary-42\r\n folded\r\n\r\n", InvalidHeader, "folding"),
        (b"--x-boundary-42\r\nX: 1\nY: 2\r\n\r\n", BadHttpMessage, "bare LF"),
        (b"--x-boundary-42\r\nX: \x01\r\n\r\n", InvalidHeader, "control"),
    ],
)
async def test_malformed_bodies(
    loop: asyncio.AbstractEventLoop, body: bytes, error: type, match: str
) -> None:
    reader = reader_for(loop, body)
    with pytest.raises(error, match=match):
        async for part in reader:
            await part.read()  # type: ignore[union-attr]


async def test_next_boundary_missing(loop: asyncio.AbstractEventLoop) -> None:
    inner = b"Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\nx"
    reader = reader_for(loop, body_of(inner))
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    part = await nested.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="ended inside a part"):
        await part.read()

    body = b"--b\r\n\r\nx\r\n--b\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
    reader = reader_for(
        loop, body + b"--in\r\n\r\n\r\n--in--", "multipart/x; boundary=b"
    )
    await reader.next()
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    await nested.release()
    with pytest.raises(ValueError, match="Could not find next boundary"):
        await reader.next()


async def test_header_limits(loop: asyncio.AbstractEventLoop) -> None:
    long_header = b"X: " + b"a" * 100 + b"\r\n\r\n"
    reader = reader_for(loop, body_of(long_header), max_field_size=50)
    with pytest.raises(LineTooLong, match="multipart header field"):
        await reader.next()
    many = b"".join(b"X-%d: v\r\n" % i for i in range(6)) + b"\r\n"
    reader = reader_for(loop, body_of(many), max_headers=5)
    with pytest.raises(TooManyHeaders, match="more than 5"):
        await reader.next()
    reader = reader_for(loop, body_of(many), max_headers=6)
    part = await reader.next()
    assert part is not None and len(part.headers) == 6


async def test_nesting_limit(loop: asyncio.AbstractEventLoop) -> None:
    depth = 40
    body = b""
    for level in reversed(range(depth)):
        b = b"b%d" % level
        inner = body or b"\r\nleaf"
        ctype = b"Content-Type: multipart/mixed; boundary=b%d\r\n" % (level + 1)
        body = b"--" + b + b"\r\n" + ctype + b"\r\n" + inner + b"\r\n--" + b + b"--"
    reader = reader_for(loop, body, "multipart/mixed; boundary=b0")
    with pytest.raises(ValueError, match="nested more than 32 levels"):
        current: Any = reader
        while True:
            current = await current.next()


async def test_custom_reader_classes(loop: asyncio.AbstractEventLoop) -> None:
    class MyPart(BodyPartReader):
        pass

    class MyReader(MultipartReader):
        part_reader_cls = MyPart

    inner = b"Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\nx\r\n--in--"
    headers = CIMultiDict({hdrs.CONTENT_TYPE: CTYPE})
    reader = MyReader(headers, make_stream(loop, body_of(b"\r\na", inner)))
    first = await reader.next()
    assert type(first) is MyPart
    nested = await reader.next()
    assert type(nested) is MyReader
    assert type(await nested.next()) is MyPart


# ----------------------------------------------------------------- response wrap
class FakeResponse:
    """What from_response() uses of a client response."""

    def __init__(self, loop: asyncio.AbstractEventLoop, body: bytes) -> None:
        self.headers = CIMultiDictProxy(CIMultiDict({hdrs.CONTENT_TYPE: CTYPE}))
        self.content = make_stream(loop, body)
        self.released = 0

    async def release(self) -> None:
        self.released += 1
        await self.content.read()


async def test_from_response(loop: asyncio.AbstractEventLoop) -> None:
    resp = FakeResponse(loop, body_of(b"\r\none", b"\r\ntwo") + b"epilogue")
    wrapper = MultipartReader.from_response(resp)
    assert isinstance(wrapper, MultipartResponseWrapper)
    assert not wrapper.at_eof()
    texts = [await part.text() async for part in wrapper]  # type: ignore[union-attr]
    assert texts == ["one", "two"]
    assert resp.released == 1
    assert wrapper.at_eof()

    resp = FakeResponse(loop, body_of(b"\r\none"))
    async with MultipartReader.from_response(resp) as wrapper:
        part = await wrapper.next()
        assert isinstance(part, BodyPartReader)
    assert resp.released == 1


# ----------------------------------------------------------------- writer
def test_writer_boundary_validation() -> None:
    assert MultipartWriter(boundary=b"bytes-ok").boundary == "bytes-ok"
    assert len(MultipartWriter().boundary) == 32
    for bad in ["a" * 71, "", "trailing ", "crlf\r\nX: y", "é", 'quote"\x7f']:
        with pytest.raises(ValueError, match="boundary"):
            MultipartWriter(boundary=bad)
    with pytest.raises(ValueError, match="must be ASCII"):
        MultipartWriter(boundary="é".encode())
    with pytest.raises(TypeError, match="boundary must be a str"):
        MultipartWriter(boundary=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="subtype"):
        MultipartWriter("mixed; x=y")
    quoted = MultipartWriter(boundary='a"b\\c')
    assert quoted.content_type == 'multipart/mixed; boundary="a\\"b\\\\c"'


async def test_writer_exact_bytes() -> None:
    with MultipartWriter("mixed", boundary="B") as writer:
        writer.append("text")
        writer.append(b"bin", {"X-Id": "7"})
    assert await serialize(writer) == (
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ntext\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\nX-Id: 7\r\n\r\nbin\r\n"
        b"--B--\r\n"
    )
    assert await writer.as_bytes() == await serialize(writer)
    assert writer.decode() == (await serialize(writer)).decode()
    assert await serialize(writer, close_boundary=False) == (
        await serialize(writer)
    ).removesuffix(b"--B--\r\n")
    streaming = MultipartWriter("x-mixed-replace", boundary="B", close_boundary=False)
    streaming.append(b"frame")
    assert not (await serialize(streaming)).endswith(b"--B--\r\n")


def test_writer_parts_api() -> None:
    writer = MultipartWriter()
    assert len(writer) == 0 and bool(writer)
    p = writer.append(BytesPayload(b"x"), {"X-A": "1"})
    assert p.headers["X-A"] == "1"
    gz = writer.append("y", {hdrs.CONTENT_ENCODING: "gzip"})
    assert len(writer) == 2
    parts = list(writer)
    (payload0, enc0, te0), (payload1, enc1, te1) = parts
    assert (payload0, enc0, te0) == (p, None, None)
    assert (payload1, enc1, te1) == (gz, "gzip", None)
    # The documented "for part in mpwriter: part.headers.pop(...)" works too.
    for part in writer:
        part.headers.pop(hdrs.CONTENT_LENGTH, None)
        assert hdrs.CONTENT_TYPE in part.headers
    with pytest.raises(TypeError, match="Cannot create a multipart part from 'object'"):
        writer.append(object())
    with pytest.raises(ValueError, match="single line"):
        writer.append("z", {"X-Evil": "a\r\nInjected: yes"})
    p.headers["X-Late"] = "a\nb"
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        writer.append_payload(p)


async def test_writer_helpers(loop: asyncio.AbstractEventLoop) -> None:
    writer = MultipartWriter("form-data")
    writer.append_json({"a": 1}, {"X-J": "j"})
    writer.append_form({"a": "1", "b": ["x", "y"]})
    writer.append_form([("c", "d é")])
    assert writer.size is not None
    reader = reader_for(loop, await serialize(writer), writer.content_type)
    results = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        results.append((part.name, dict(part.headers), part))
        if part.name == "section-0":
            assert part.headers["X-J"] == "j"
            assert await part.json() == {"a": 1}
        elif part.name == "section-1":
            assert await part.form() == [("a", "1"), ("b", "x"), ("b", "y")]
        else:
            assert await part.form() == [("c", "d é")]
    assert [name for name, _, _ in results] == ["section-0", "section-1", "section-2"]


async def test_writer_size_unknown_and_decode_errors(tmp_path: Path) -> None:
    async def gen() -> Any:
        yield b"x"

    writer = MultipartWriter()
    writer.append(gen())
    assert writer.size is None
    writer = MultipartWriter()
    writer.append("x", {hdrs.CONTENT_TRANSFER_ENCODING: "base64"})
    with pytest.raises(TypeError, match="cannot be decoded synchronously"):
        writer.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"--B",
        b"x\r\n--B",
        b"x\r\n--Bmore",
        b"ok\r\n--Boundary-like but longer",
    ],
)
async def test_writer_refuses_delimiter_in_content(content: bytes) -> None:
    writer = MultipartWriter(boundary="B")
    writer.append(content)
    with pytest.raises(ValueError, match="delimiter '--B' at a line start"):
        await serialize(writer)


async def test_writer_delimiter_split_across_chunks() -> None:
    async def gen() -> Any:
        for piece in (b"abc\r", b"\n-", b"-", b"B and more"):
            yield piece

    writer = MultipartWriter(boundary="B")
    writer.append(gen())
    with pytest.raises(ValueError, match="contains the boundary"):
        await serialize(writer)
    writer = MultipartWriter(boundary="B")
    writer.append(b"--b is another boundary \r\n-B")
    writer.append(io.BytesIO(b"x" * 100000 + b"\r\n-"))
    assert (await serialize(writer)).endswith(b"\r\n-\r\n--B--\r\n")


async def test_reader_tolerates_longer_boundary_lines(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """A line starting with the boundary but going on is content (RFC 2046
    forbids it, but a tolerant reader keeps the bytes rather than fail)."""
    b = BOUNDARY.encode()
    content = b"\r\n--" + b + b"X binary\r\n\r\n--" + b + b"-not-the-end"
    body = body_of(b"\r\n" + content)
    assert await collect(reader_for(loop, body, piece=3)) == [(None, None, content)]


async def test_writer_with_files(
    tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    path = tmp_path / "upload.txt"
    path.write_bytes(b"file content\r\n--not-a-boundary\r\n")
    f = open_binary(path)
    writer = MultipartWriter("form-data")
    part = writer.append(f)
    part.set_content_disposition("form-data", name="up", filename="secret.txt")
    assert writer.size == len(await serialize(writer))
    reader = reader_for(loop, await serialize(writer), writer.content_type)
    assert await collect(reader) == [("up", "secret.txt", path.read_bytes())]
    await writer.close()
    assert f.closed
    writer._close()  # idempotent on closed files


async def test_writer_to_stream_response_like() -> None:
    """write() accepts anything with an async write (e.g. a StreamResponse)."""
    chunks: list[bytes] = []

    class Sink:
        async def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
            chunks.append(bytes(data))

    writer = MultipartWriter(boundary="b")
    writer.append(StringPayload("s"))
    writer.append(JsonPayload([1]))
    await writer.write(Sink())
    assert b"".join(chunks).endswith(b"--b--\r\n")


# ----------------------------------------------------------------- disposition
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (None, {})),
        ("", (None, {})),
        ("inline", ("inline", {})),
        ("ATTACHMENT ; Filename=Foo.html", ("attachment", {"filename": "Foo.html"})),
        ('form-data; name="a;b"', ("form-data", {"name": "a;b"})),
        ('form-data ; name="a" ; x=1 ', ("form-data", {"name": "a", "x": "1"})),
        ('attachment; filename="a\\"b"', ("attachment", {"filename": 'a"b'})),
        ("attachment; ;filename=x", ("attachment", {"filename": "x"})),
        (
            "attachment; filename*=iso-8859-1'en'%A3%20rates",
            ("attachment", {"filename*": "£ rates"}),
        ),
        (
            "attachment; filename*=\"UTF-8''%E2%82%AC\"",
            ("attachment", {"filename*": "€"}),
        ),
        (
            "attachment; filename*0=a; filename*1*=%20b",
            ("attachment", {"filename*0": "a", "filename*1*": "%20b"}),
        ),
    ],
)
def test_parse_content_disposition(
    header: Optional[str], expected: tuple[Optional[str], dict[str, str]]
) -> None:
    assert parse_content_disposition(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        "form data",
        '"quoted"',
        "attachment; filename",
        'attachment; filename="unterminated',
        "attachment; a=1; A=2",
        "attachment; filename=two words",
        "attachment; =x",
        "attachment; file name=x",
        "attachment; filename=",
        'attachment; filename="a" b',
    ],
)
def test_parse_content_disposition_bad_header(header: str) -> None:
    with pytest.warns(BadContentDispositionHeader):
        assert parse_content_disposition(header) == (None, {})


@pytest.mark.parametrize(
    "param",
    [
        "filename*=nocharset",
        "filename*=bogus-charset''x",
        "filename*=utf-8''%FF",
        "filename*=utf-8''bad%zz",
    ],
)
def test_parse_content_disposition_bad_param(param: str) -> None:
    with pytest.warns(BadContentDispositionParam):
        assert parse_content_disposition(f"attachment; {param}; name=x") == (
            "attachment",
            {"name": "x"},
        )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, None),
        ({"name": "n"}, None),
        ({"filename": "plain", "filename*": "ext"}, "ext"),
        ({"filename": "plain"}, "plain"),
        ({"filename*0": "a", "filename*1": "b", "filename*10": "z"}, "ab"),
        ({"filename*1": "b", "filename*0": "a", "filename*2": "c"}, "abc"),
        ({"filename*1": "no start"}, None),
        ({"filename*0*": "utf-8'en'%C3%A9", "filename*1": "t"}, "ét"),
        ({"filename*0*": "iso-8859-1''%E9", "filename*1*": "%E9"}, "éé"),
    ],
)
def test_content_disposition_filename(
    params: dict[str, str], expected: Optional[str]
) -> None:
    assert content_disposition_filename(params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"filename*0*": "no-quotes-here"},
        {"filename*0*": "bogus''%41"},
        {"filename*0*": "utf-8''%FF"},
    ],
)
def test_content_disposition_filename_bad_continuation(params: dict[str, str]) -> None:
    with pytest.warns(BadContentDispositionParam):
        assert content_disposition_filename(params) is None


def test_content_disposition_header_errors() -> None:
    p = payload.BytesPayload(b"")
    with pytest.raises(ValueError, match="parameter name"):
        p.set_content_disposition("inline", **{"bad name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a str"):
        p.set_content_disposition("inline", name=1)  # type: ignore[arg-type]
    p.set_content_disposition("inline", name="a\r\nb")  # encoded, harmless
    assert "\r" not in p.headers[hdrs.CONTENT_DISPOSITION]
    _, params = parse_content_disposition(p.headers[hdrs.CONTENT_DISPOSITION])
    assert content_disposition_filename(params, "name") == "a\r\nb"


@pytest.fixture
def no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize(
    "value", ["plain.txt", 'q"uo\\te', "résumé €.pdf", "tab\there", "新しい.txt"]
)
def test_disposition_format_parse_round_trip(value: str, no_warnings: None) -> None:
    for quote_fields in (True, False):
        p = payload.BytesPayload(b"")
        p.set_content_disposition(
            "form-data", quote_fields=quote_fields, name=value, filename=value
        )
        disptype, params = parse_content_disposition(p.headers["Content-Disposition"])
        assert disptype == "form-data"
        assert content_disposition_filename(params, "name") == value
        assert content_disposition_filename(params) == value


# ----------------------------------------------------------------- functional
async def test_server_reads_multipart_over_socket(
    raw_server: Any, raw_connect: Any, tmp_path: Path
) -> None:
    """A low-level server handler reads a MultipartWriter body sent on a socket."""
    received: list[Any] = []

    async def handler(request: BaseRequest) -> Response:
        reader = MultipartReader(request.headers, request.content)
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            size = 0
            while chunk := await part.read_chunk(4096):
                size += len(chunk)
            received.append((part.name, part.filename, size))
        return Response(text=f"{len(received)} parts")

    server = await raw_server(handler)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(300_000))
    writer = MultipartWriter("form-data")
    writer.append("value").set_content_disposition("form-data", name="field")
    with open_binary(big) as f:
        writer.append(f).set_content_disposition(
            "form-data", name="file", filename="big.bin"
        )
        body = await serialize(writer)
    head = (
        f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {writer.content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    conn = await raw_connect(server.port)
    conn.send(head + body)
    response = await conn.response("POST")
    assert response.status == 200
    assert response.body == b"2 parts"
    assert received == [("field", None, 5), ("file", "big.bin", 300_000)]

    # The same body again, chunked, on the same keep-alive connection.
    received.clear()
    chunked_head = head.replace(
        f"Content-Length: {len(body)}".encode(), b"Transfer-Encoding: chunked"
    )
    pieces = [frame_chunk(body[i : i + 10000]) for i in range(0, len(body), 10000)]
    conn.send(chunked_head + b"".join(pieces) + b"0\r\n\r\n")
    response = await conn.response("POST")
    assert response.body == b"2 parts"
    assert received == [("field", None, 5), ("file", "big.bin", 300_000)]


async def test_small_gzip_part(loop: asyncio.AbstractEventLoop) -> None:
    writer = MultipartWriter()
    writer.append("y", {hdrs.CONTENT_ENCODING: "gzip"})
    writer.append("z", {hdrs.CONTENT_TRANSFER_ENCODING: "base64"})
    reader = reader_for(loop, await serialize(writer), writer.content_type)
    texts = [await part.text() async for part in reader]  # type: ignore[union-attr]
    assert texts == ["y", "z"]


async def test_source_read(loop: asyncio.AbstractEventLoop) -> None:
    from aiohttp._multipart_source import Source

    source = Source(make_stream(loop, b"abcdef"))
    assert Source.wrap(source) is source
    assert await source.read(2) == b"ab"
    assert await source.read() == b"cdef"
    assert await source.read(5) == b""
    assert source.eof


def test_parse_mimetype() -> None:
    from aiohttp._mime import parse_mimetype

    assert parse_mimetype("*").type == "*"
    assert parse_mimetype("*").subtype == "*"
    mt = parse_mimetype('Text/HTML; Charset="utf-8"; flag; q="a\\"b"')
    assert (mt.type, mt.subtype) == ("text", "html")
    assert dict(mt.parameters) == {"charset": "utf-8", "flag": "", "q": 'a"b'}
    assert dict(parse_mimetype('text/plain; a="unterminated').parameters) == {}


# ----------------------------------------------------------------- properties
def run_async(coro: Any) -> Any:
    """Run one hypothesis example on its own event loop."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


@settings(max_examples=150, deadline=None)
@given(
    contents=st.lists(st.binary(max_size=300), min_size=1, max_size=5),
    piece=st.integers(min_value=1, max_value=64),
)
def test_round_trip_property(contents: list[bytes], piece: int) -> None:
    async def check() -> None:
        loop = asyncio.get_running_loop()
        writer = MultipartWriter(boundary="b")  # short: likely inside contents
        for content in contents:
            writer.append(content)
        if any(b"\r\n--b" in b"\r\n" + c for c in contents):
            with pytest.raises(ValueError, match="contains the boundary"):
                await serialize(writer)
            return
        data = await serialize(writer)
        reader = reader_for(loop, data, writer.content_type, piece)
        assert [c for _, _, c in await collect(reader)] == contents

    run_async(check())


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200), piece=st.integers(min_value=1, max_value=16))
def test_garbage_fails_cleanly(body: bytes, piece: int) -> None:
    async def check() -> None:
        loop = asyncio.get_running_loop()
        prefix = b"--b\r\n" if body[:1] == b"\x00" else b""
        reader = reader_for(loop, prefix + body, "multipart/mixed; boundary=b", piece)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                await collect(reader)
            except (ValueError, BadHttpMessage):
                pass

    run_async(check())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_disposition_parser_never_raises(header: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        disptype, params = parse_content_disposition(header)
        content_disposition_filename(params)
    assert disptype is None or disptype == disptype.lower()
