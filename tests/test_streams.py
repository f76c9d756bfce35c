"""Tests for aiohttp.streams: StreamReader, EmptyStreamReader, DataQueue."""

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Optional

import pytest

from aiohttp import streams
from aiohttp.base_protocol import BaseProtocol
from aiohttp.streams import (
    EMPTY_PAYLOAD,
    DataQueue,
    EmptyStreamReader,
    EofStream,
    StreamReader,
)


class RecordingTransport(asyncio.Transport):
    """A transport that only records the flow-control calls it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def protocol(
    loop: asyncio.AbstractEventLoop, transport: RecordingTransport
) -> BaseProtocol:
    proto = BaseProtocol(loop)
    proto.connection_made(transport)
    return proto


def make_stream(
    protocol: BaseProtocol, limit: int = 2**16, **kwargs: Any
) -> StreamReader:
    return StreamReader(protocol, limit, loop=asyncio.get_running_loop(), **kwargs)


async def settle() -> None:
    """Let every ready callback and task step run."""
    for _ in range(3):
        await asyncio.sleep(0)


def test_all_names() -> None:
    assert set(streams.__all__) == {
        "EMPTY_PAYLOAD",
        "DataQueue",
        "EmptyStreamReader",
        "EofStream",
        "StreamReader",
    }
    assert issubclass(EofStream, Exception)


# --------------------------------------------------------------------- basics


async def test_negative_limit_is_rejected(protocol: BaseProtocol) -> None:
    with pytest.raises(ValueError, match="limit"):
        make_stream(protocol, -1)


async def test_initial_state(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol, 10)
    assert not stream.is_eof()
    assert not stream.at_eof()
    assert stream.exception() is None
    assert stream.total_bytes == 0
    assert stream.get_read_buffer_limits() == (10, 20)
    assert repr(stream) == "<StreamReader low=10 high=20>"


async def test_repr_states(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    assert repr(stream) == "<StreamReader>"
    stream.feed_data(b"abc")
    stream.feed_eof()
    assert repr(stream) == "<StreamReader 3 bytes eof>"
    stream.set_exception(ValueError("boom"))
    assert repr(stream) == "<StreamReader 3 bytes eof e=ValueError('boom')>"


async def test_repr_shows_waiter(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read())
    await settle()
    assert " w=<Future pending" in repr(stream)
    stream.feed_eof()
    assert await task == b""


async def test_feed_empty_data_is_ignored(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"")
    assert stream.total_bytes == 0
    assert stream.read_nowait() == b""


async def test_feed_data_after_eof_raises(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_eof()
    with pytest.raises(RuntimeError, match="after feed_eof"):
        stream.feed_data(b"x")


async def test_eof_state(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"data")
    stream.feed_eof()
    assert stream.is_eof()
    assert not stream.at_eof()
    assert await stream.read() == b"data"
    assert stream.at_eof()
    assert stream.total_bytes == 4


# ----------------------------------------------------------------------- read


async def test_read_all_waits_for_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read())
    stream.feed_data(b"line1\n")
    await settle()
    stream.feed_data(b"line2")
    await settle()
    assert not task.done()
    stream.feed_eof()
    assert await task == b"line1\nline2"
    assert await stream.read() == b""


async def test_read_all_single_chunk_is_not_copied(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    data = b"x" * 100
    stream.feed_data(data)
    stream.feed_eof()
    assert await stream.read() is data


async def test_read_all_of_empty_stream(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_eof()
    assert await stream.read() == b""
    assert await stream.read(-5) == b""


async def test_read_n(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"hello ")
    stream.feed_data(b"world")
    assert await stream.read(3) == b"hel"
    assert await stream.read(5) == b"lo wo"
    assert await stream.read(100) == b"rld"
    stream.feed_eof()
    assert await stream.read(5) == b""


async def test_read_zero(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    assert await stream.read(0) == b""
    stream.feed_data(b"abc")
    assert await stream.read(0) == b""
    assert stream.read_nowait() == b"abc"


async def test_read_n_waits_for_data(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read(10))
    await settle()
    assert not task.done()
    stream.feed_data(b"abc")
    assert await task == b"abc"


async def test_read_n_woken_by_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read(10))
    await settle()
    stream.feed_eof()
    assert await task == b""


async def test_read_woken_by_exception(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read(10))
    await settle()
    exc = ValueError("boom")
    stream.set_exception(exc)
    with pytest.raises(ValueError, match="boom"):
        await task
    assert stream.exception() is exc


async def test_read_all_woken_by_exception_loses_partial(
    protocol: BaseProtocol,
) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read())
    stream.feed_data(b"partial")
    await settle()
    stream.set_exception(ConnectionResetError())
    with pytest.raises(ConnectionResetError):
        await task


async def test_exception_raised_before_buffered_data(
    protocol: BaseProtocol,
) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"data")
    stream.set_exception(ValueError())
    with pytest.raises(ValueError):
        await stream.read(2)
    with pytest.raises(ValueError):
        await stream.read()
    with pytest.raises(ValueError):
        await stream.readany()
    with pytest.raises(ValueError):
        await stream.readexactly(2)
    with pytest.raises(ValueError):
        await stream.readline()
    with pytest.raises(ValueError):
        await stream.readchunk()
    with pytest.raises(ValueError):
        stream.read_nowait()


async def test_set_exception_with_cause(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    cause = OSError("socket")
    exc = ValueError("payload")
    stream.set_exception(exc, cause)
    assert exc.__cause__ is cause
    plain = ValueError()
    make_stream(protocol).set_exception(plain)
    assert plain.__cause__ is None


async def test_read_cancelled_then_read_again(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read(1))
    await settle()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stream.feed_data(b"x")
    assert await stream.read(1) == b"x"


async def test_feed_data_right_after_cancelled_read(protocol: BaseProtocol) -> None:
    # The cancelled reader has not run its cleanup yet when data arrives.
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read(1))
    await settle()
    task.cancel()
    stream.feed_data(b"y")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await stream.read(1) == b"y"


async def test_read_zero_raises_exception(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.set_exception(ValueError("x"))
    with pytest.raises(ValueError):
        await stream.read(0)


# ------------------------------------------------------------- concurrency


@pytest.mark.parametrize(
    "method, args",
    [
        ("read", ()),
        ("read", (5,)),
        ("readany", ()),
        ("readexactly", (3,)),
        ("readline", ()),
        ("readuntil", (b"--",)),
        ("readchunk", ()),
    ],
)
async def test_second_waiting_reader_raises(
    protocol: BaseProtocol, method: str, args: tuple[Any, ...]
) -> None:
    stream = make_stream(protocol)
    first = asyncio.create_task(stream.read(1))
    await settle()
    with pytest.raises(RuntimeError, match=rf"{method}\(\) .*already waiting"):
        await getattr(stream, method)(*args)
    stream.feed_data(b"z")
    assert await first == b"z"


async def test_read_nowait_while_waiting_raises(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.read())
    await settle()
    with pytest.raises(RuntimeError, match=r"read_nowait\(\).*waiting"):
        stream.read_nowait()
    stream.feed_eof()
    await task


async def test_woken_reader_does_not_drop_new_waiter(
    protocol: BaseProtocol,
) -> None:
    # A is woken by feed_data, but B consumes the data and starts waiting
    # before A runs: A must not clear B's waiter when it resumes.
    stream = make_stream(protocol)
    a = asyncio.create_task(stream.read(10))
    await settle()

    async def feeder() -> None:
        with pytest.raises(RuntimeError, match="already waiting"):
            await a
        stream.feed_data(b"second")

    feeder_task = asyncio.create_task(feeder())
    stream.feed_data(b"first")  # wakes A, which has not run yet
    assert stream.read_nowait() == b"first"
    assert await stream.read(10) == b"second"  # B waits before A resumes
    await feeder_task


# ------------------------------------------------------------------ readany


async def test_readany_returns_chunk_without_copy(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    data = b"chunk"
    stream.feed_data(data)
    assert await stream.readany() is data


async def test_readany_returns_everything_buffered(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abc")
    stream.feed_data(b"def")
    assert await stream.read(1) == b"a"
    assert await stream.readany() == b"bcdef"


async def test_readany_after_partial_read(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abcdef")
    assert await stream.read(2) == b"ab"
    assert await stream.readany() == b"cdef"


async def test_readany_waits_and_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readany())
    await settle()
    stream.feed_data(b"x")
    assert await task == b"x"
    task = asyncio.create_task(stream.readany())
    await settle()
    stream.feed_eof()
    assert await task == b""


# -------------------------------------------------------------- readexactly


async def test_readexactly(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abcdefgh")
    assert await stream.readexactly(3) == b"abc"
    assert await stream.readexactly(0) == b""
    assert await stream.readexactly(5) == b"defgh"


async def test_readexactly_across_chunks_waits(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readexactly(6))
    stream.feed_data(b"ab")
    await settle()
    stream.feed_data(b"cd")
    await settle()
    assert not task.done()
    stream.feed_data(b"efgh")
    assert await task == b"abcdef"
    assert await stream.read(10) == b"gh"


async def test_readexactly_incomplete(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abc")
    stream.feed_eof()
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await stream.readexactly(5)
    assert info.value.partial == b"abc"
    assert info.value.expected == 5


async def test_readexactly_negative(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    with pytest.raises(ValueError, match="n must be >= 0"):
        await stream.readexactly(-1)


async def test_readexactly_larger_than_high_water(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    # Reading consumes as data arrives, so flow control cannot deadlock it.
    stream = make_stream(protocol, limit=2)
    task = asyncio.create_task(stream.readexactly(20))
    for _ in range(4):
        stream.feed_data(b"12345")
        await settle()
    assert await task == b"12345" * 4
    assert not protocol._reading_paused


# ----------------------------------------------------------------- readline


async def test_readline(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"line1\nline2\nrest")
    stream.feed_eof()
    assert await stream.readline() == b"line1\n"
    assert await stream.readline() == b"line2\n"
    assert await stream.readline() == b"rest"
    assert await stream.readline() == b""


async def test_readline_over_chunk_boundaries(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readline())
    for part in (b"he", b"ll", b"o", b"\nnext"):
        stream.feed_data(part)
        await settle()
    assert await task == b"hello\n"
    stream.feed_data(b" line\n")
    assert await stream.readline() == b"next line\n"


async def test_readline_woken_by_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readline())
    stream.feed_data(b"no newline")
    await settle()
    stream.feed_eof()
    assert await task == b"no newline"


async def test_readline_too_long(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol, limit=4)  # high water 8
    stream.feed_data(b"0123456789\n")
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readline()


async def test_readline_too_long_over_chunks(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol, limit=4)
    task = asyncio.create_task(stream.readline())
    for _ in range(3):
        stream.feed_data(b"abc")
        await settle()
    with pytest.raises(ValueError, match="Chunk too big"):
        await task


async def test_readline_at_high_water_is_accepted(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol, limit=4)
    stream.feed_data(b"1234567\n")
    assert await stream.readline() == b"1234567\n"


# ---------------------------------------------------------------- readuntil


async def test_readuntil_default_separator(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"a\nb")
    assert await stream.readuntil() == b"a\n"


async def test_readuntil_multibyte(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"part1--part2--")
    stream.feed_eof()
    assert await stream.readuntil(b"--") == b"part1--"
    assert await stream.readuntil(b"--") == b"part2--"
    assert await stream.readuntil(b"--") == b""


async def test_readuntil_separator_split_over_chunks(
    protocol: BaseProtocol,
) -> None:
    stream = make_stream(protocol)
    for part in (b"ab", b"c\r", b"\n", b"\r", b"\nzz"):
        stream.feed_data(part)
    assert await stream.readuntil(b"\r\n\r\n") == b"abc\r\n\r\n"
    assert await stream.read(10) == b"zz"


async def test_readuntil_separator_over_one_byte_chunks(
    protocol: BaseProtocol,
) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readuntil(b"END"))
    for byte in b"xEENEND!":
        stream.feed_data(bytes([byte]))
        await settle()
    assert await task == b"xEENEND"
    assert await stream.read(1) == b"!"


async def test_readuntil_partial_separator_at_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"data-")
    stream.feed_eof()
    assert await stream.readuntil(b"--") == b"data-"


async def test_readuntil_finds_earliest_separator(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"a-")
    stream.feed_data(b"-b--c")
    assert await stream.readuntil(b"--") == b"a--"
    assert await stream.readuntil(b"--") == b"b--"


async def test_readuntil_empty_separator(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    with pytest.raises(ValueError, match="separator"):
        await stream.readuntil(b"")


async def test_readuntil_too_long(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol, limit=2)
    stream.feed_data(b"abcdef--")
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readuntil(b"--")


# ---------------------------------------------------------------- readchunk


async def test_readchunk_without_chunked_framing(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"first")
    stream.feed_data(b"second")
    assert await stream.readchunk() == (b"first", False)
    assert await stream.readchunk() == (b"second", False)
    stream.feed_eof()
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_waits(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.readchunk())
    await settle()
    stream.feed_data(b"x")
    assert await task == (b"x", False)


async def test_readchunk_with_http_chunks(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"hello")
    stream.feed_data(b" world")
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"second")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert await stream.readchunk() == (b"hello world", True)
    assert await stream.readchunk() == (b"second", True)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_partial_http_chunk(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"part")
    assert await stream.readchunk() == (b"part", False)
    task = asyncio.create_task(stream.readchunk())
    await settle()
    stream.end_http_chunk_receiving()
    assert await task == (b"", True)


async def test_readchunk_empty_http_chunk_is_ignored(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.begin_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"abc")
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert await stream.readchunk() == (b"abc", True)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_skips_boundaries_already_read(
    protocol: BaseProtocol,
) -> None:
    stream = make_stream(protocol)
    for data in (b"ab", b"cd", b"ef"):
        stream.begin_http_chunk_receiving()
        stream.feed_data(data)
        stream.end_http_chunk_receiving()
    assert await stream.read(3) == b"abc"
    assert await stream.readchunk() == (b"d", True)
    assert await stream.read(2) == b"ef"
    stream.feed_eof()
    assert await stream.readchunk() == (b"", True)
    assert await stream.readchunk() == (b"", False)


async def test_end_http_chunk_without_begin(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    with pytest.raises(RuntimeError, match="begin_http_chunk_receiving"):
        stream.end_http_chunk_receiving()


# -------------------------------------------------------------- read_nowait


async def test_read_nowait(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    assert stream.read_nowait() == b""
    stream.feed_data(b"abc")
    stream.feed_data(b"def")
    assert stream.read_nowait(2) == b"ab"
    assert stream.read_nowait(3) == b"cde"
    assert stream.read_nowait() == b"f"
    stream.feed_data(b"xyz")
    assert stream.read_nowait(-1) == b"xyz"


# ----------------------------------------------------------------- wait_eof


async def test_wait_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.wait_eof())
    await settle()
    assert not task.done()
    stream.feed_data(b"kept")
    await settle()
    assert not task.done()
    stream.feed_eof()
    await task
    assert await stream.read() == b"kept"
    await stream.wait_eof()  # already at EOF: returns at once


async def test_wait_eof_exception(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.wait_eof())
    await settle()
    stream.set_exception(ValueError("bad"))
    with pytest.raises(ValueError, match="bad"):
        await task
    with pytest.raises(ValueError, match="bad"):
        await stream.wait_eof()


async def test_wait_eof_twice_raises(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    task = asyncio.create_task(stream.wait_eof())
    await settle()
    with pytest.raises(RuntimeError, match=r"wait_eof\(\).*already waiting"):
        await stream.wait_eof()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other = asyncio.create_task(stream.wait_eof())
    await settle()
    stream.feed_eof()
    await other


# ------------------------------------------------------------------- on_eof


async def test_on_eof_called_at_eof(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    called: list[int] = []
    stream.on_eof(lambda: called.append(1))
    stream.on_eof(lambda: called.append(2))
    assert called == []
    stream.feed_eof()
    assert called == [1, 2]
    stream.on_eof(lambda: called.append(3))
    assert called == [1, 2, 3]
    stream.feed_eof()  # callbacks run once
    assert called == [1, 2, 3]


async def test_on_eof_exception_is_logged(
    protocol: BaseProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    stream = make_stream(protocol)
    called: list[str] = []

    def broken() -> None:
        raise ValueError("callback failed")

    stream.on_eof(broken)
    stream.on_eof(lambda: called.append("after"))
    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        stream.feed_eof()
        stream.on_eof(broken)
    assert called == ["after"]
    records = [r for r in caplog.records if r.name == "aiohttp.internal"]
    assert len(records) == 2
    assert "eof callback" in records[0].getMessage()
    assert records[0].exc_info is not None


async def test_on_eof_callbacks_dropped_by_exception(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    called: list[int] = []
    stream.on_eof(lambda: called.append(1))
    stream.set_exception(ValueError())
    stream.feed_eof()
    assert called == []


# -------------------------------------------------------------- unread_data


async def test_unread_data_is_deprecated(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abcdef")
    assert await stream.read(3) == b"abc"
    with pytest.warns(DeprecationWarning, match="unread_data"):
        stream.unread_data(b"abc")
    assert await stream.read(4) == b"abcd"
    with pytest.warns(DeprecationWarning):
        stream.unread_data(b"")
    with pytest.warns(DeprecationWarning):
        stream.unread_data(b"xy")
    assert stream.read_nowait() == b"xyef"
    with pytest.warns(DeprecationWarning):
        stream.unread_data(b"back")
    assert stream.read_nowait() == b"back"


# ------------------------------------------------------------- flow control


async def test_pause_above_high_water(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    stream = make_stream(protocol, limit=4)  # low 4, high 8
    stream.feed_data(b"12345678")
    assert transport.calls == []
    stream.feed_data(b"9")
    assert transport.calls == ["pause"]
    assert protocol._reading_paused
    stream.feed_data(b"more")
    assert transport.calls == ["pause"]


async def test_resume_below_low_water(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    stream = make_stream(protocol, limit=4)
    stream.feed_data(b"0123456789")
    assert transport.calls == ["pause"]
    assert await stream.read(6) == b"012345"
    assert transport.calls == ["pause"]  # 4 left: not below low water
    assert await stream.read(1) == b"6"
    assert transport.calls == ["pause", "resume"]
    assert not protocol._reading_paused


async def test_read_all_resumes_paused_protocol(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    stream = make_stream(protocol, limit=2)
    task = asyncio.create_task(stream.read())
    stream.feed_data(b"a" * 10)
    assert transport.calls == ["pause"]
    await settle()
    assert transport.calls == ["pause", "resume"]
    stream.feed_data(b"b" * 10)
    stream.feed_eof()
    assert await task == b"a" * 10 + b"b" * 10


async def test_zero_limit_resumes_when_buffer_empties(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    stream = make_stream(protocol, limit=0)
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"x")
    assert transport.calls == ["pause"]
    assert await stream.readchunk() == (b"x", False)
    assert transport.calls == ["pause", "resume"]


async def test_readline_resumes_paused_protocol(
    protocol: BaseProtocol, transport: RecordingTransport
) -> None:
    stream = make_stream(protocol, limit=4)
    stream.feed_data(b"abc\n")
    stream.feed_data(b"defghi\n")
    assert protocol._reading_paused
    assert await stream.readline() == b"abc\n"
    assert protocol._reading_paused
    assert await stream.readline() == b"defghi\n"
    assert not protocol._reading_paused


async def test_protocol_without_transport(loop: asyncio.AbstractEventLoop) -> None:
    protocol = BaseProtocol(loop)
    stream = make_stream(protocol, limit=1)
    stream.feed_data(b"abcdef")
    assert not protocol._reading_paused
    assert await stream.read(6) == b"abcdef"


# -------------------------------------------------------------------- timer


class RecordingTimer:
    def __init__(self) -> None:
        self.entered = 0
        self.exited = 0

    def __enter__(self) -> "RecordingTimer":
        self.entered += 1
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.exited += 1


async def test_timer_wraps_every_wait(protocol: BaseProtocol) -> None:
    timer = RecordingTimer()
    stream = make_stream(protocol, timer=timer)
    stream.feed_data(b"ready")
    assert await stream.read(10) == b"ready"
    assert timer.entered == 0  # no wait, no timer
    task = asyncio.create_task(stream.read(10))
    await settle()
    assert (timer.entered, timer.exited) == (1, 0)
    stream.feed_data(b"late")
    assert await task == b"late"
    assert (timer.entered, timer.exited) == (1, 1)


async def test_timer_can_abort_wait(protocol: BaseProtocol) -> None:
    @contextlib.contextmanager
    def timer() -> Iterator[None]:
        try:
            yield
        except asyncio.CancelledError:
            raise asyncio.TimeoutError from None

    stream = make_stream(protocol, timer=timer())
    task = asyncio.create_task(stream.readany())
    await settle()
    task.cancel()
    with pytest.raises(asyncio.TimeoutError):
        await task
    assert "w=" not in repr(stream)


# ---------------------------------------------------------------- iteration


async def test_iterate_lines(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"one\ntw")
    stream.feed_data(b"o\nthree")
    stream.feed_eof()
    assert [line async for line in stream] == [b"one\n", b"two\n", b"three"]


async def test_iter_chunked(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"abcdefg")
    stream.feed_data(b"hi")
    stream.feed_eof()
    chunks = [chunk async for chunk in stream.iter_chunked(3)]
    assert chunks == [b"abc", b"def", b"ghi"]


async def test_iter_chunked_as_data_arrives(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    received: list[bytes] = []

    async def consume() -> None:
        async for chunk in stream.iter_chunked(100):
            received.append(chunk)

    task = asyncio.create_task(consume())
    stream.feed_data(b"first")
    await settle()
    assert received == [b"first"]
    stream.feed_data(b"second")
    stream.feed_eof()
    await task
    assert received == [b"first", b"second"]


@pytest.mark.parametrize("n", [0, -1])
async def test_iter_chunked_bad_size(protocol: BaseProtocol, n: int) -> None:
    stream = make_stream(protocol)
    with pytest.raises(ValueError, match="n > 0"):
        stream.iter_chunked(n)


async def test_iter_any(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    iterator = stream.iter_any()
    assert iterator.__aiter__() is iterator
    stream.feed_data(b"a")
    assert await iterator.__anext__() == b"a"
    stream.feed_data(b"b")
    stream.feed_eof()
    assert [chunk async for chunk in iterator] == [b"b"]


async def test_iter_chunks(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"ab")
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"cd")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    iterator = stream.iter_chunks()
    assert iterator.__aiter__() is iterator
    assert [item async for item in iterator] == [(b"ab", True), (b"cd", True)]


async def test_iter_chunks_without_framing(protocol: BaseProtocol) -> None:
    stream = make_stream(protocol)
    stream.feed_data(b"ab")
    stream.feed_data(b"cd")
    stream.feed_eof()
    items = [item async for item in stream.iter_chunks()]
    assert items == [(b"ab", False), (b"cd", False)]


# --------------------------------------------------------- EmptyStreamReader


async def test_empty_payload_reads() -> None:
    assert isinstance(EMPTY_PAYLOAD, EmptyStreamReader)
    assert isinstance(EMPTY_PAYLOAD, StreamReader)
    stream = EmptyStreamReader()
    assert await stream.read() == b""
    assert await stream.read(10) == b""
    assert await stream.readany() == b""
    assert await stream.readline() == b""
    assert await stream.readuntil(b"--") == b""
    assert await stream.readchunk() == (b"", False)
    assert await stream.readexactly(0) == b""
    assert stream.read_nowait() == b""
    await stream.wait_eof()


async def test_empty_payload_state() -> None:
    stream = EMPTY_PAYLOAD
    assert stream.at_eof()
    assert stream.is_eof()
    assert stream.exception() is None
    assert stream.total_bytes == 0
    assert stream.get_read_buffer_limits() == (0, 0)
    assert repr(stream) == "<EmptyStreamReader>"


async def test_empty_payload_errors() -> None:
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await EMPTY_PAYLOAD.readexactly(3)
    assert info.value.partial == b""
    assert info.value.expected == 3
    with pytest.raises(ValueError, match="n must be >= 0"):
        await EMPTY_PAYLOAD.readexactly(-1)
    with pytest.raises(ValueError, match="separator"):
        await EMPTY_PAYLOAD.readuntil(b"")
    with pytest.raises(RuntimeError, match="cannot hold data"):
        EMPTY_PAYLOAD.unread_data(b"x")


async def test_empty_payload_feeding_is_a_noop() -> None:
    stream = EMPTY_PAYLOAD
    stream.feed_data(b"data")
    stream.begin_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.set_exception(ValueError())
    stream.feed_eof()
    assert stream.exception() is None
    assert await stream.read() == b""
    assert stream.total_bytes == 0


async def test_empty_payload_on_eof_runs_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    called: list[int] = []
    EMPTY_PAYLOAD.on_eof(lambda: called.append(1))
    assert called == [1]

    def broken() -> None:
        raise ValueError("x")

    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        EMPTY_PAYLOAD.on_eof(broken)
    assert "eof callback" in caplog.text


async def test_empty_payload_iterators_end_at_once() -> None:
    assert [x async for x in EMPTY_PAYLOAD] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_any()] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_chunked(4)] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_chunks()] == []
    # Shared instance: iterating twice behaves the same.
    assert [x async for x in EMPTY_PAYLOAD.iter_chunks()] == []


# ---------------------------------------------------------------- DataQueue


async def test_data_queue_read(loop: asyncio.AbstractEventLoop) -> None:
    queue: DataQueue[str] = DataQueue(loop)
    assert not queue.is_eof()
    assert not queue.at_eof()
    assert queue.exception() is None
    queue.feed_data("a")
    queue.feed_data("b")
    assert len(queue) == 2
    assert await queue.read() == "a"
    queue.feed_eof()
    assert queue.is_eof()
    assert not queue.at_eof()
    assert await queue.read() == "b"
    assert queue.at_eof()
    with pytest.raises(EofStream):
        await queue.read()


async def test_data_queue_waits(loop: asyncio.AbstractEventLoop) -> None:
    queue: DataQueue[int] = DataQueue(loop)
    task = asyncio.create_task(queue.read())
    await settle()
    assert not task.done()
    queue.feed_data(42)
    assert await task == 42
    task = asyncio.create_task(queue.read())
    await settle()
    queue.feed_eof()
    with pytest.raises(EofStream):
        await task


async def test_data_queue_exception(loop: asyncio.AbstractEventLoop) -> None:
    queue: DataQueue[int] = DataQueue(loop)
    task = asyncio.create_task(queue.read())
    await settle()
    cause = OSError()
    exc = ValueError("broken")
    queue.set_exception(exc, cause)
    with pytest.raises(ValueError, match="broken") as info:
        await task
    assert info.value.__cause__ is cause
    assert queue.exception() is exc
    assert queue.is_eof()


async def test_data_queue_items_before_exception(
    loop: asyncio.AbstractEventLoop,
) -> None:
    queue: DataQueue[int] = DataQueue(loop)
    queue.feed_data(1)
    queue.set_exception(ValueError())
    assert await queue.read() == 1
    with pytest.raises(ValueError):
        await queue.read()


async def test_data_queue_concurrent_read(loop: asyncio.AbstractEventLoop) -> None:
    queue: DataQueue[int] = DataQueue(loop)
    task = asyncio.create_task(queue.read())
    await settle()
    with pytest.raises(RuntimeError, match="already waiting"):
        await queue.read()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    queue.feed_data(7)
    assert await queue.read() == 7


async def test_data_queue_iteration(loop: asyncio.AbstractEventLoop) -> None:
    queue: DataQueue[bytes] = DataQueue(loop)
    for item in (b"x", b"", b"y"):
        queue.feed_data(item)
    queue.feed_eof()
    iterator = queue.__aiter__()
    assert iterator.__aiter__() is iterator
    # An empty item is an item, not the end: only EOF stops the iteration.
    assert [item async for item in iterator] == [b"x", b"", b"y"]
