"""The serialisation half of the wire layer, and StreamWriter on a real socket."""

import asyncio
import socket
import zlib
from typing import Any

import pytest
from multidict import CIMultiDict

from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_writer import (
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    StreamWriter,
    frame_chunk,
    serialize_headers,
)


def test_versions() -> None:
    assert HttpVersion10 == HttpVersion(1, 0)
    assert HttpVersion11 == (1, 1)


def test_serialize_headers_one_buffer_in_order() -> None:
    head = serialize_headers(
        "HTTP/1.1 200 OK", [("Content-Type", "text/plain"), ("X-A", "1"), ("X-A", "2")]
    )
    assert head == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\nX-A: 2\r\n\r\n"
    )


def test_serialize_headers_keeps_utf8_values() -> None:
    assert serialize_headers("HTTP/1.1 200 OK", [("X", "é")]).endswith(
        "X: é\r\n\r\n".encode()
    )


@pytest.mark.parametrize(
    ("name", "value", "what"),
    [
        ("X-Bad", "a\r\nInjected: 1", "value"),
        ("X-Bad", "a\nb", "value"),
        ("X-Bad", "a\rb", "value"),
        ("X\r\nBad", "v", "name"),
        ("X\nBad", "v", "name"),
    ],
)
def test_serialize_headers_refuses_cr_lf(name: str, value: str, what: str) -> None:
    with pytest.raises(ValueError, match=f"header {what}"):
        serialize_headers("HTTP/1.1 200 OK", [(name, value)])


def test_serialize_headers_names_the_bad_field_among_good_ones() -> None:
    fields = [("A", "1"), ("X-Bad", "a\nb"), ("B", "2")]
    with pytest.raises(ValueError, match=r"header value 'a\\nb'"):
        serialize_headers("HTTP/1.1 200 OK", fields)
    with pytest.raises(ValueError, match=r"header value 'a\\nb'"):
        serialize_headers("HTTP/1.1 200 OK", iter(fields))


def test_serialize_headers_takes_one_shot_iterators_and_non_str_values() -> None:
    expected = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"
    pairs = [("A", "1"), ("B", "2")]
    assert serialize_headers("HTTP/1.1 200 OK", iter(pairs)) == expected
    assert serialize_headers("HTTP/1.1 200 OK", (p for p in pairs)) == expected
    # A value that is not a str is written as str() of it, as before.
    mixed: Any = [("A", 1), ("B", "2")]
    assert serialize_headers("HTTP/1.1 200 OK", mixed) == expected
    assert serialize_headers("HTTP/1.1 200 OK", iter(mixed)) == expected
    headers = CIMultiDict([("A", "1"), ("B", "2")])
    assert serialize_headers("HTTP/1.1 200 OK", headers.items()) == expected
    assert serialize_headers("HTTP/1.1 204 No Content", []) == (
        b"HTTP/1.1 204 No Content\r\n\r\n"
    )


def test_serialize_headers_refuses_cr_lf_in_start_line() -> None:
    with pytest.raises(ValueError, match="start line"):
        serialize_headers("HTTP/1.1 200 OK\r\nX: y", [])


def test_frame_chunk() -> None:
    assert frame_chunk(b"") == b""
    assert frame_chunk(b"hello") == b"5\r\nhello\r\n"
    assert frame_chunk(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"


class _Sink:
    """Both ends of a real socket pair: the writer's protocol and a reader."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    async def __aenter__(self) -> "_Sink":
        a, b = socket.socketpair()
        self.protocol = BaseProtocol(self.loop)
        self.transport, _ = await self.loop.create_connection(
            lambda: self.protocol, sock=a
        )
        self.reader, self.peer = await asyncio.open_connection(sock=b)
        return self

    def record_writes(self) -> list[bytes]:
        """From now on, a copy of each transport.write() call's data."""
        writes: list[bytes] = []
        real_write = self.transport.write

        def write(data: Any) -> None:
            writes.append(bytes(data))
            real_write(data)

        self.transport.write = write  # type: ignore[method-assign]
        return writes

    async def __aexit__(self, *exc: object) -> None:
        self.transport.close()
        self.peer.close()
        await self.peer.wait_closed()

    async def read_all(self) -> bytes:
        self.transport.close()
        return await self.reader.read()


async def test_head_and_small_body_leave_in_one_write(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writes = sink.record_writes()
        writer = StreamWriter(sink.protocol, loop)
        await writer.write_headers(
            "HTTP/1.1 200 OK", CIMultiDict({"Content-Length": "2"})
        )
        writer.length = 2
        await writer.write_eof(b"hi")
        assert writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"]
        assert writer.output_size == len(writes[0])
        assert await sink.read_all() == writes[0]


async def test_chunked_writer_frames_and_terminates(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        writer.enable_chunking()
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        await writer.write(b"abc")
        await writer.write(b"")
        await writer.write_eof(b"de")
        await writer.write_eof(b"ignored")
        data = await sink.read_all()
        assert data == b"HTTP/1.1 200 OK\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"


async def test_large_write_sends_head_separately_and_drains(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        big = b"x" * 100_000
        reader = asyncio.ensure_future(
            sink.reader.read(len(b"HTTP/1.1 200 OK\r\n\r\n") + len(big))
        )
        await writer.write(big)
        await writer.write_eof()
        sink.transport.close()
        data = await reader
        data += await sink.reader.read()
        assert data == b"HTTP/1.1 200 OK\r\n\r\n" + big


async def test_content_length_is_never_exceeded(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        writer.length = 3
        await writer.write(b"ab")
        await writer.write(b"cdef")
        await writer.write_eof()
        assert (await sink.read_all()).endswith(b"\r\n\r\nabc")


@pytest.mark.parametrize(
    ("setup", "body"),
    [
        ("length", b"hi"),  # the one-write path
        ("none", b"hi"),
        ("length", b""),
        ("length", b"x" * 20_000),  # above the join limit: head, then body
        ("short-length", b"abcdef"),  # more than announced: cut to the length
        ("chunked", b"abc"),
        ("gzip", b"hello " * 50),
    ],
)
async def test_write_message_sends_what_headers_then_eof_send(
    loop: asyncio.AbstractEventLoop, setup: str, body: bytes
) -> None:
    """The one-call path of a whole message puts the same bytes on the wire."""

    async def wire(whole: bool) -> tuple[bytes, list[bytes], StreamWriter]:
        async with _Sink(loop) as sink:
            writes = sink.record_writes()
            writer = StreamWriter(sink.protocol, loop)
            headers = CIMultiDict({"X-A": "1"})
            if setup == "length":
                writer.length = len(body)
            elif setup == "short-length":
                writer.length = 3
            elif setup == "chunked":
                writer.enable_chunking()
            elif setup == "gzip":
                writer.enable_compression("gzip")
            if whole:
                writer._write_message("HTTP/1.1 200 OK", headers, body)
            else:
                await writer.write_headers("HTTP/1.1 200 OK", headers)
                await writer.write_eof(body)
            return await sink.read_all(), writes, writer

    data, writes, writer = await wire(True)
    expected, expected_writes, reference = await wire(False)
    assert data == expected
    assert len(writes) == len(expected_writes)
    assert writer.output_size == reference.output_size == len(data)
    assert writer.length == reference.length
    assert writer._eof and writer._headers_written


async def test_write_message_refuses_a_bad_head_before_writing(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        with pytest.raises(ValueError, match="header value"):
            writer._write_message("HTTP/1.1 200 OK", CIMultiDict({"X": "a\nb"}), b"")
        assert writer.output_size == 0
        assert not writer._headers_written


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15)])
async def test_compression(
    loop: asyncio.AbstractEventLoop, encoding: str, wbits: int
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        writer.enable_compression(encoding)
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        await writer.write(b"hello " * 100)
        await writer.write_eof(b"end")
        data = await sink.read_all()
        body = data.split(b"\r\n\r\n", 1)[1]
        assert zlib.decompress(body, wbits) == b"hello " * 100 + b"end"


async def test_compression_with_chunking(loop: asyncio.AbstractEventLoop) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        writer.enable_compression("gzip")
        writer.enable_chunking()
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        await writer.write_eof(b"data" * 10)
        data = await sink.read_all()
        assert data.endswith(b"0\r\n\r\n")


def test_unknown_compression_is_refused(loop: asyncio.AbstractEventLoop) -> None:
    writer = StreamWriter(BaseProtocol(loop), loop)
    with pytest.raises(ValueError, match="encoding='br'"):
        writer.enable_compression("br")


async def test_write_to_closed_transport_raises(
    loop: asyncio.AbstractEventLoop,
) -> None:
    writer = StreamWriter(BaseProtocol(loop), loop)
    await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
    with pytest.raises(ConnectionResetError, match="closing transport"):
        await writer.write(b"x")


async def test_send_continue_once_and_not_after_headers(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop)
        writer.send_continue()
        writer.send_continue()
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
        writer.send_headers()
        writer.send_headers()
        await writer.write_eof()
        data = await sink.read_all()
        assert data == b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"


async def test_callbacks(loop: asyncio.AbstractEventLoop) -> None:
    seen: list[object] = []

    async def on_chunk(chunk: bytes) -> None:
        seen.append(chunk)

    async def on_headers(headers: CIMultiDict[str]) -> None:
        seen.append(dict(headers))

    async with _Sink(loop) as sink:
        writer = StreamWriter(sink.protocol, loop, on_chunk, on_headers)
        await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict({"A": "1"}))
        await writer.write(b"x")
        await writer.write_eof(b"y")
    assert seen == [{"A": "1"}, b"x", b"y"]
