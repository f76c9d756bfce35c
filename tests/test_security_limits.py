"""Size limits and timeouts that keep a hostile client from exhausting the server.

Line, field and header-count limits (414/431 with a reason), client_max_size
(413), the request-head timeout (408 for a client dribbling its head), idle
keep-alive connections, a client that does not read (writes wait on drain) and
a decompression bomb (decoded only as fast as the handler reads, capped by
client_max_size).
"""

import asyncio
import gzip
import zlib
from typing import Any, Optional

import pytest

from aiohttp import web
from aiohttp.web_protocol import DEFAULT_READ_HEAD_TIMEOUT
from aiohttp.web_server import Server

from ._app_helpers import ServeApp, serve_app
from .conftest import RawConnection

__all__ = ("serve_app",)

GET = b"GET / HTTP/1.1\r\nHost: h\r\n"


async def hello(request: web.BaseRequest) -> web.Response:
    return web.Response(text="hello")


async def closed_after_error(conn: RawConnection, status: int, text: str) -> None:
    resp = await asyncio.wait_for(conn.response(), 10)
    assert resp.status == status
    assert text.encode() in resp.body, resp.body
    assert resp.head.headers["Connection"] == "close"
    assert await asyncio.wait_for(conn.at_eof(), 10)


# --- line, field and header-count limits ----------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "data", "status", "text"),
    [
        (
            {},
            b"GET /" + b"a" * 8190 + b" HTTP/1.1\r\n",
            414,
            "when reading request line",
        ),
        ({"max_line_size": 100}, b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n", 414, "100"),
        ({}, GET + b"X: " + b"v" * 8190 + b"\r\n", 431, "when reading header field"),
        ({"max_field_size": 50}, GET + b"X: " + b"v" * 50 + b"\r\n", 431, "50"),
        ({}, GET + b"X: v\r\n" * 128, 431, "Too many header fields: more than 128"),
        ({"max_headers": 5}, GET + b"X: v\r\n" * 5, 431, "more than 5"),
    ],
    ids=[
        "line-default",
        "line-custom",
        "field-default",
        "field-custom",
        "count-default",
        "count-custom",
    ],
)
async def test_head_limits(
    raw_server: Any,
    raw_connect: Any,
    kwargs: dict[str, int],
    data: bytes,
    status: int,
    text: str,
) -> None:
    calls: list[str] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        calls.append(request.path)
        return web.Response()

    srv = await raw_server(handler, **kwargs)
    conn = await raw_connect(srv.port)
    conn.send(data + b"\r\n")
    await closed_after_error(conn, status, text)
    assert calls == []


async def test_a_head_that_never_ends_is_refused_without_waiting_for_it(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, max_field_size=1000)
    conn = await raw_connect(srv.port)
    conn.send(GET + b"X: ")
    for _ in range(10):  # never sends the end of the line
        conn.send(b"v" * 500)
    await closed_after_error(conn, 431, "when reading header field")


@pytest.mark.parametrize(
    "data",
    [
        b"GET /" + b"a" * 8176 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
        GET + b"X: " + b"v" * 8187 + b"\r\n\r\n",
        GET + b"X: v\r\n" * 127 + b"\r\n",
    ],
    ids=["line", "field", "count"],
)
async def test_heads_at_the_limits_are_served(
    raw_server: Any, raw_connect: Any, data: bytes
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(data)
    assert (await conn.response()).status == 200


# --- client_max_size ------------------------------------------------------------------


@pytest.mark.parametrize("via", ["read", "post", "json"])
async def test_client_max_size_is_413(
    serve_app: ServeApp, raw_connect: Any, via: str
) -> None:
    async def handler(request: web.Request) -> web.Response:
        if via == "read":
            await request.read()
        elif via == "post":
            await request.post()
        else:
            await request.json()
        raise AssertionError("the body is over the limit")  # pragma: no cover

    app = web.Application(client_max_size=1000)
    app.router.add_post("/", handler)
    port = await serve_app(app)
    conn = await raw_connect(port)
    body = b"a=" + b"x" * 2000
    conn.send(
        b"POST / HTTP/1.1\r\nHost: h\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    resp = await conn.response()
    assert resp.status == 413
    assert b"1000" in resp.body  # names the limit
    # The unread rest of the body was drained: the connection still works.
    conn.send(b"GET /missing HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (await conn.response()).status == 404


async def test_body_at_client_max_size_is_fine(
    serve_app: ServeApp, raw_connect: Any
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app = web.Application(client_max_size=1000)
    app.router.add_post("/", handler)
    conn = await raw_connect(await serve_app(app))
    conn.send(
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000
    )
    assert (await conn.response()).body == b"1000"


# --- the request-head timeout ---------------------------------------------------------


async def dribble(conn: RawConnection, data: bytes, delay: float) -> None:
    """Send ``data`` one byte at a time (a slowloris client)."""
    for i in range(len(data)):
        if conn.writer.is_closing():
            return
        conn.send(data[i : i + 1])
        await asyncio.sleep(delay)


async def test_read_head_timeout_is_on_by_default(
    raw_server: Any, raw_connect: Any
) -> None:
    assert DEFAULT_READ_HEAD_TIMEOUT == 60.0
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    await conn.response()
    (handler,) = srv.handler.connections
    assert handler.read_head_timeout == 60.0


async def test_client_sending_its_head_byte_by_byte_is_dropped(
    raw_server: Any, raw_connect: Any
) -> None:
    calls: list[str] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        calls.append(request.path)  # pragma: no cover - never reached
        return web.Response()  # pragma: no cover

    srv = await raw_server(handler, read_head_timeout=0.2)
    conn = await raw_connect(srv.port)
    # 2000 bytes at 10 ms each would take 20 s: far past the 0.2 s deadline.
    head = GET + b"X-Pad: " + b"p" * 2000 + b"\r\n\r\n"
    sender = asyncio.create_task(dribble(conn, head, 0.01))
    try:
        await closed_after_error(conn, 408, "read_head_timeout=0.2")
    finally:
        sender.cancel()
    assert calls == []


async def test_head_timer_runs_from_the_first_byte_of_each_head(
    raw_server: Any, raw_connect: Any
) -> None:
    """Keep-alive: the timer restarts for every head and never covers idle time."""
    srv = await raw_server(hello, read_head_timeout=0.2, keepalive_timeout=30)
    conn = await raw_connect(srv.port)
    for _ in range(2):
        conn.send(b"GET / HTTP/1.1\r\n")
        await asyncio.sleep(0.05)
        conn.send(b"Host: h\r\n\r\n")
        assert (await conn.response()).status == 200
        await asyncio.sleep(0.25)  # idle longer than the head timeout: fine
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (await conn.response()).status == 200


async def test_head_timeout_does_not_limit_a_slow_body_or_handler(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        body = await request.read()
        await asyncio.sleep(0.3)  # a slow handler is not a slow client
        return web.Response(body=body)

    srv = await raw_server(handler, read_head_timeout=0.1)
    conn = await raw_connect(srv.port)
    conn.send(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na")
    await asyncio.sleep(0.2)
    conn.send(b"bc")
    resp = await conn.response()
    assert (resp.status, resp.body) == (200, b"abc")


async def test_head_timeout_answers_after_the_request_in_progress(
    raw_server: Any, raw_connect: Any
) -> None:
    release = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        await release.wait()
        return web.Response(text="first")

    srv = await raw_server(handler, read_head_timeout=0.1)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n")
    await asyncio.sleep(0.3)  # stall past the deadline while /1 is running
    release.set()
    first = await conn.response()
    assert first.body == b"first"
    await closed_after_error(conn, 408, "read_head_timeout")


@pytest.mark.parametrize("value", [None, 0])
async def test_head_timeout_none_or_0_disables_it(
    raw_server: Any, raw_connect: Any, value: Optional[float]
) -> None:
    assert Server(hello, read_head_timeout=value)().read_head_timeout is None
    srv = await raw_server(hello, read_head_timeout=value)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\n")
    await asyncio.sleep(0.2)  # would be too slow with the 0.1 s timeout below
    conn.send(b"Host: h\r\n\r\n")
    assert (await conn.response()).status == 200
    srv = await raw_server(hello, read_head_timeout=0.1)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\n")
    await closed_after_error(conn, 408, "read_head_timeout=0.1")


@pytest.mark.parametrize("value", [-1, "10", True])
async def test_bad_read_head_timeout_names_the_argument(value: Any) -> None:
    server = Server(hello, read_head_timeout=value)
    with pytest.raises(ValueError, match="read_head_timeout must be a positive"):
        server()


# --- keep-alive -----------------------------------------------------------------------


async def test_idle_keep_alive_connection_is_closed_and_forgotten(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, keepalive_timeout=0.1)
    conns = [await raw_connect(srv.port) for _ in range(5)]
    for conn in conns:
        conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert (await conn.response()).status == 200
    for conn in conns:
        assert await asyncio.wait_for(conn.at_eof(), 10)
    assert srv.handler.connections == []


# --- a client that does not read ------------------------------------------------------


async def test_slow_reader_makes_the_handler_wait_not_the_server_buffer(
    raw_server: Any, raw_connect: Any
) -> None:
    chunk = b"x" * 65536
    total = 512  # 32 MiB: far more than the socket buffers hold
    written: list[int] = []
    buffered: list[int] = []
    blocked = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = len(chunk) * total
        await resp.prepare(request)
        transport = request.transport
        assert transport is not None
        for i in range(total):
            await resp.write(chunk)
            written.append(i)
            buffered.append(transport.get_write_buffer_size())
            if request.protocol.writing_paused:
                blocked.set()
        await resp.write_eof()
        return resp

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    await asyncio.wait_for(blocked.wait(), 10)
    for _ in range(20):  # let the handler run as far as it can
        await asyncio.sleep(0)
    assert len(written) < total  # it waits for the client to read
    received = 0
    while received < len(chunk) * total:
        data = await conn.reader.read(1 << 20)
        assert data
        received += len(data)
    assert len(written) == total
    # Never more than the high-water mark plus one write in our own buffer.
    assert max(buffered) <= 4 * len(chunk)


# --- decompression bombs --------------------------------------------------------------

BOMB_SIZE = 64 * 1024 * 1024  # 64 MiB of zeros, about 64 KiB gzipped


@pytest.fixture(scope="module")
def bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE >> 20)]
    return b"".join(parts) + compressor.flush()


def bomb_request(body: bytes) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body


async def test_decompression_bomb_is_capped_by_client_max_size(
    serve_app: ServeApp, raw_connect: Any, bomb: bytes
) -> None:
    decoded: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        try:
            await request.read()
        finally:
            decoded.append(request.content.total_bytes)
        raise AssertionError("unreachable")  # pragma: no cover

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/", handler)
    conn = await raw_connect(await serve_app(app))
    conn.send(bomb_request(bomb))
    resp = await asyncio.wait_for(conn.response(), 30)
    assert resp.status == 413
    # Decoding stopped near the limit: not the 64 MiB the body expands to.
    assert decoded[0] <= 1024 * 1024 + 4 * 65536


async def test_decompression_bomb_streams_with_bounded_buffering(
    raw_server: Any, raw_connect: Any, bomb: bytes
) -> None:
    most_buffered: list[int] = [0]

    async def handler(request: web.BaseRequest) -> web.Response:
        consumed = 0
        while data := await request.content.read(65536):
            consumed += len(data)
            buffered = request.content.total_bytes - consumed
            most_buffered[0] = max(most_buffered[0], buffered)
        return web.Response(text=str(consumed))

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(bomb_request(bomb))
    resp = await asyncio.wait_for(conn.response(), 60)
    assert resp.body == str(BOMB_SIZE).encode()
    # read_bufsize is 64 KiB: the stream pauses past twice that.
    assert most_buffered[0] <= 4 * 65536


async def test_gzip_body_split_anywhere_decodes_exactly(
    raw_server: Any, raw_connect: Any
) -> None:
    payload = bytes(range(256)) * 4000 + b"end"
    body = gzip.compress(payload)

    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(body=await request.read())

    srv = await raw_server(handler, read_bufsize=1000)
    conn = await raw_connect(srv.port)
    conn.send(bomb_request(body)[:-7])
    await asyncio.sleep(0.01)
    conn.send(bomb_request(body)[-7:])
    resp = await conn.response()
    assert resp.body == payload


# --- closing after an error response -----------------------------------------------


async def test_error_response_survives_a_client_still_sending(
    raw_server: Any, raw_connect: Any
) -> None:
    """The server drains what follows a rejected request, so no reset loses it."""
    srv = await raw_server(hello, lingering_time=0.2)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n")
    for _ in range(50):  # the client does not read yet, and keeps sending
        conn.send(b"x" * 4096)
        await conn.writer.drain()
    resp = await asyncio.wait_for(conn.response(), 10)
    assert resp.status == 400
    assert await asyncio.wait_for(conn.at_eof(), 10)  # a FIN, not a reset


async def test_lingering_after_an_error_ends_with_the_client_or_the_timer(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, lingering_time=0.1)
    for client_closes in (True, False):
        conn = await raw_connect(srv.port)
        conn.send(b"GET / HTTP/1.1\r\n\r\n")  # no Host
        await closed_after_error(conn, 400, "Host")
        if client_closes:
            await conn.close()
        # Either way the server lets go of the connection (the low-level
        # server has no event to await for that: poll).
        while srv.handler.connections:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
