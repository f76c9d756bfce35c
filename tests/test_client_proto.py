"""ResponseHandler: response heads and bodies out of bytes, state for the pool."""

import asyncio
import zlib
from collections.abc import AsyncIterator
from typing import Any, Optional

import pytest

from aiohttp.client_exceptions import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from aiohttp.client_proto import ResponseHandler
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.streams import EMPTY_PAYLOAD


class FakeTransport(asyncio.Transport):
    """Records writes; close() reports connection_lost on the next iteration."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.protocol: Optional[ResponseHandler] = None
        self.closing = False
        self.paused = False

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            assert self.protocol is not None
            self.loop.call_soon(self.protocol.connection_lost, None)

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


@pytest.fixture
async def proto(loop: asyncio.AbstractEventLoop) -> AsyncIterator[ResponseHandler]:
    handler = ResponseHandler(loop)
    transport = FakeTransport(loop)
    transport.protocol = handler
    handler.connection_made(transport)
    yield handler
    if handler.transport is not None:
        handler.transport.close()
    await asyncio.sleep(0)


def prepare(proto: ResponseHandler, method: str = "GET", **params: Any) -> None:
    proto.set_response_params(**params)
    proto.set_request_method(method)


async def test_simple_response(proto: ResponseHandler) -> None:
    prepare(proto)
    assert proto.should_close  # a response is awaited
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel")
    message, payload = await proto.read()
    assert (message.code, message.reason) == (200, "OK")
    assert proto.should_close  # body not complete yet
    proto.data_received(b"lo")
    assert await payload.read() == b"hello"
    assert not proto.should_close
    assert proto.is_connected() and "connected" in repr(proto)


async def test_response_without_body(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 204 No Content\r\n\r\n")
    message, payload = await proto.read()
    assert message.code == 204 and payload is EMPTY_PAYLOAD
    assert not proto.should_close


async def test_head_response_has_no_body(proto: ResponseHandler) -> None:
    prepare(proto, "HEAD")
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    _message, payload = await proto.read()
    assert payload is EMPTY_PAYLOAD and not proto.should_close


async def test_skip_payload(proto: ResponseHandler) -> None:
    prepare(proto, skip_payload=True)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    _, payload = await proto.read()
    assert payload is EMPTY_PAYLOAD


async def test_chunked_body(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    message, payload = await proto.read()
    assert message.chunked
    assert await payload.readchunk() == (b"abc", True)
    assert await payload.readchunk() == (b"de", True)
    assert await payload.read() == b""
    assert not proto.should_close


async def test_compressed_body(proto: ResponseHandler) -> None:
    prepare(proto)
    body = zlib.compress(b"z" * 100)
    proto.data_received(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    _, payload = await proto.read()
    assert await payload.read() == b"z" * 100


async def test_interim_response_then_final(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
    )
    first, _ = await proto.read()
    assert first.code == 100
    assert proto.should_close  # the final response is still to be read
    final, payload = await proto.read()
    assert final.code == 200 and await payload.read() == b"x"
    assert not proto.should_close


async def test_body_until_eof(proto: ResponseHandler) -> None:
    prepare(proto, read_until_eof=True)
    proto.data_received(b"HTTP/1.1 200 OK\r\n\r\nsome")
    _, payload = await proto.read()
    proto.data_received(b" data")
    proto.connection_lost(None)
    assert await payload.read() == b"some data"
    assert proto.closed is not None and proto.closed.done()


async def test_connection_close_header(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    message, _ = await proto.read()
    assert message.should_close and proto.should_close


async def test_upgrade_keeps_leftover(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
        b"Upgrade: websocket\r\n\r\n\x81\x02hi"
    )
    message, payload = await proto.read()
    assert message.code == 101 and payload is EMPTY_PAYLOAD
    assert proto.upgraded and proto.should_close
    assert proto.leftover == b"\x81\x02hi"
    proto.data_received(b"more")
    assert proto.leftover == b"\x81\x02himore"


async def test_connect_tunnel(proto: ResponseHandler) -> None:
    prepare(proto, "CONNECT")
    proto.data_received(b"HTTP/1.1 200 Connection established\r\n\r\n")
    message, payload = await proto.read()
    assert message.code == 200 and proto.upgraded and payload is EMPTY_PAYLOAD


async def test_malformed_head(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 abc Bad\r\n\r\n")
    with pytest.raises(BadHttpMessage):
        await proto.read()
    assert proto.should_close and not proto.is_connected()


async def test_malformed_body(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    _, payload = await proto.read()
    with pytest.raises(ClientPayloadError, match="Response payload is not completed"):
        await payload.read()
    assert proto.should_close


async def test_disconnect_before_head(proto: ResponseHandler) -> None:
    prepare(proto)
    waiter = asyncio.ensure_future(proto.read())
    await asyncio.sleep(0)
    proto.connection_lost(None)
    with pytest.raises(ServerDisconnectedError) as info:
        await waiter
    assert info.value.message == "Server disconnected"
    with pytest.raises(ServerDisconnectedError):
        await proto.read()


async def test_reset_before_head(proto: ResponseHandler) -> None:
    prepare(proto)
    reset = ConnectionResetError(104, "Connection reset by peer")
    proto.connection_lost(reset)
    with pytest.raises(ClientOSError) as info:
        await proto.read()
    assert info.value.errno == 104 and info.value.__cause__ is reset


async def test_disconnect_mid_body(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    _, payload = await proto.read()
    proto.connection_lost(ConnectionResetError("reset"))
    with pytest.raises(ClientPayloadError, match="not completed") as info:
        await payload.read()
    assert "ConnectionResetError('reset')" in str(info.value)
    assert "ContentLengthError" in str(info.value)


async def test_disconnect_in_chunked_body(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    _, payload = await proto.read()
    proto.connection_lost(None)
    with pytest.raises(ClientPayloadError, match="TransferEncodingError"):
        await payload.read()


async def test_disconnect_mid_body_cleanly(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    _, payload = await proto.read()
    proto.connection_lost(None)
    with pytest.raises(ClientPayloadError, match="not completed"):
        await payload.read()


async def test_unexpected_data_makes_connection_unusable(
    proto: ResponseHandler,
) -> None:
    proto.data_received(b"HTTP/1.1 200 OK\r\n\r\n")  # nobody asked
    assert proto.should_close
    prepare(proto)
    with pytest.raises(ServerDisconnectedError, match="before the request"):
        await proto.read()


async def test_extra_data_after_response(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n"
    )
    _, payload = await proto.read()
    assert await payload.read() == b"x"
    assert proto.should_close


async def test_set_exception_fails_read(proto: ResponseHandler) -> None:
    prepare(proto)
    waiter = asyncio.ensure_future(proto.read())
    await asyncio.sleep(0)
    cause = OSError("write failed")
    proto.set_exception(RuntimeError("boom"), cause)
    with pytest.raises(RuntimeError, match="boom") as info:
        await waiter
    assert info.value.__cause__ is cause and proto.should_close


async def test_close(proto: ResponseHandler) -> None:
    prepare(proto)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    _, payload = await proto.read()
    proto.close()
    assert not proto.is_connected() and proto.transport is None
    proto.close()  # idempotent
    assert proto.closed is not None
    await proto.closed
    with pytest.raises(ClientPayloadError):
        await payload.read()


async def test_read_timeout_before_head(proto: ResponseHandler) -> None:
    prepare(proto, read_timeout=0.01)
    with pytest.raises(SocketTimeoutError, match="Timeout on reading data"):
        await proto.read()
    assert proto.should_close


async def test_read_timeout_in_body(proto: ResponseHandler) -> None:
    prepare(proto, read_timeout=0.01)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    _, payload = await proto.read()
    with pytest.raises(SocketTimeoutError):
        await payload.read()


async def test_data_pushes_read_timeout_back(
    proto: ResponseHandler, loop: asyncio.AbstractEventLoop
) -> None:
    prepare(proto, read_timeout=0.05)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
    _, payload = await proto.read()
    handle = proto._timeout_handle
    assert handle is not None
    # Data "arrives" just before the deadline: the timer re-arms, no error.
    proto._last_read = loop.time()
    proto._on_timeout()
    assert proto._timeout_handle is not None and proto._exception is None
    proto.data_received(b"ok")
    assert await payload.read() == b"ok"
    assert proto._timeout_handle is None  # response done: timer off


async def test_paused_reading_stops_read_timeout(proto: ResponseHandler) -> None:
    prepare(proto, read_timeout=10, read_bufsize=1)
    proto.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    _, payload = await proto.read()
    assert proto._timeout_handle is not None
    proto.data_received(b"abcdef")  # past the high-water mark of 2 bytes
    assert proto._reading_paused and proto._timeout_handle is None
    assert await payload.read(6) == b"abcdef"
    assert not proto._reading_paused and proto._timeout_handle is not None
    proto.data_received(b"ghij")
    assert await payload.read() == b"ghij"
    assert proto._timeout_handle is None


async def test_limits_are_passed_to_parser(proto: ResponseHandler) -> None:
    prepare(proto, max_field_size=10)
    proto.data_received(b"HTTP/1.1 200 OK\r\nX-Long: " + b"v" * 50 + b"\r\n\r\n")
    with pytest.raises(BadHttpMessage, match="more than 10 bytes"):
        await proto.read()
