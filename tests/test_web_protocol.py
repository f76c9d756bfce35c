"""The server protocol over real sockets: keep-alive, pipelining, errors, flow."""

import asyncio
import logging
from typing import Any

import pytest

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from .conftest import RawConnection


async def hello(request: web.BaseRequest) -> web.Response:
    return web.Response(text=f"hello {request.path}")


async def echo(request: web.BaseRequest) -> web.Response:
    body = await request.read()
    return web.Response(body=body, content_type="application/octet-stream")


async def test_keep_alive_serves_several_requests_on_one_connection(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello)
    conn: RawConnection = await raw_connect(srv.port)
    for path in ("/a", "/b", "/c"):
        conn.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        resp = await conn.response()
        assert resp.status == 200
        assert resp.body == f"hello {path}".encode()
        assert not resp.head.should_close
    assert len(srv.handler.connections) == 1
    assert srv.handler.requests_count == 3


async def test_pipelined_requests_answered_in_order(
    raw_server: Any, raw_connect: Any
) -> None:
    release = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        if request.path == "/slow":
            await release.wait()
        return web.Response(text=request.path)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(
        b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
        b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    )
    await asyncio.sleep(0)
    release.set()
    bodies = [(await conn.response()).body for _ in range(3)]
    assert bodies == [b"/slow", b"/fast", b"/body"]


async def test_post_content_length_and_chunked_bodies(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(echo)
    conn = await raw_connect(srv.port)
    conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    assert (await conn.response()).body == b"hello"
    conn.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    assert (await conn.response()).body == b"abcdefg"


async def test_readchunk_sees_http_chunk_boundaries(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        parts = []
        while True:
            data, end = await request.content.readchunk()
            if not data and not end:
                break
            parts.append(f"{data.decode()}:{end}")
        return web.Response(text=",".join(parts))

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    body = (await conn.response()).body.decode()
    assert body.startswith("abc:True,de:True")


async def test_expect_100_continue(raw_server: Any, raw_connect: Any) -> None:
    srv = await raw_server(echo)
    conn = await raw_connect(srv.port)
    conn.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    interim = await conn.response()
    assert interim.status == 100
    conn.send(b"data")
    final = await conn.response()
    assert final.status == 200
    assert final.body == b"data"


async def test_bad_request_gets_400_and_close_then_others_carry_on(
    raw_server: Any, raw_connect: Any
) -> None:
    calls: list[str] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        calls.append(request.path)
        return web.Response(text="ok")

    srv = await raw_server(handler)
    other = await raw_connect(srv.port)
    bad = await raw_connect(srv.port)
    bad.send(
        b"GET /good HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost x\r\n\r\n"
    )
    first = await bad.response()
    assert first.status == 200
    second = await bad.response()
    assert second.status == 400
    assert second.head.should_close
    assert b"Invalid" in second.body or b"header" in second.body.lower()
    assert await bad.at_eof()
    assert calls == ["/good"]
    other.send(b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await other.response()).status == 200


async def test_request_line_too_long_is_414(raw_server: Any, raw_connect: Any) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.status == 414
    assert await conn.at_eof()


async def test_handler_exception_gives_500_without_traceback(
    raw_server: Any, raw_connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        raise RuntimeError("secret detail")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await conn.response()
    assert resp.status == 500
    assert b"secret detail" not in resp.body
    assert b"Traceback" not in resp.body
    assert "Error handling request" in caplog.text
    assert "secret detail" in caplog.text


async def test_handler_exception_in_debug_mode_shows_traceback(
    raw_server: Any, raw_connect: Any, loop: asyncio.AbstractEventLoop
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        raise RuntimeError("visible detail")

    loop.set_debug(True)
    try:
        srv = await raw_server(handler)
        conn = await raw_connect(srv.port)
        conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await conn.response()
    finally:
        loop.set_debug(False)
    assert resp.status == 500
    assert b"Traceback" in resp.body
    assert b"visible detail" in resp.body


@pytest.mark.parametrize(
    ("result", "message"),
    [(None, "Missing return statement"), ("text", "should return a response")],
)
async def test_handler_returning_non_response_is_500(
    raw_server: Any,
    raw_connect: Any,
    caplog: pytest.LogCaptureFixture,
    result: Any,
    message: str,
) -> None:
    async def handler(request: web.BaseRequest) -> Any:
        return result

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).status == 500
    assert message in caplog.text


async def test_http_exception_becomes_its_response(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        raise web.HTTPNotFound(text="nothing here")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.status == 404
    assert resp.body == b"nothing here"


async def test_handler_timeout_is_504(raw_server: Any, raw_connect: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        raise asyncio.TimeoutError()

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).status == 504


async def test_crlf_in_handler_header_is_refused_with_500(
    raw_server: Any, raw_connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(text="x", headers={"X-Bad": "a\r\nSet-Cookie: evil=1"})

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.status == 500
    assert "Set-Cookie" not in resp.head.headers
    assert "carriage return" in caplog.text


async def test_handler_not_cancelled_on_disconnect_by_default(
    raw_server: Any, raw_connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()
    proceed = asyncio.Event()
    finished = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        started.set()
        await proceed.wait()
        finished.set()
        return web.Response(text="late")

    srv = await raw_server(handler)
    lost = asyncio.Event()
    real_eof_received = RequestHandler.eof_received

    def eof_received(self: RequestHandler) -> Any:
        lost.set()
        return real_eof_received(self)

    monkeypatch.setattr(RequestHandler, "eof_received", eof_received)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await started.wait()
    await conn.close()
    await lost.wait()
    proceed.set()
    await asyncio.wait_for(finished.wait(), 5)


async def test_handler_cancellation_cancels_on_disconnect(
    raw_server: Any, raw_connect: Any
) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    srv = await raw_server(handler, handler_cancellation=True)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await started.wait()
    await conn.close()
    await asyncio.wait_for(cancelled.wait(), 5)


async def test_idle_keep_alive_connection_closed_after_timeout(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, keepalive_timeout=0.05)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).status == 200
    assert await asyncio.wait_for(conn.at_eof(), 5)


async def test_silent_connection_closed_after_keepalive_timeout(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, keepalive_timeout=0.05)
    conn = await raw_connect(srv.port)
    assert await asyncio.wait_for(conn.at_eof(), 5)


async def test_unread_body_is_drained_and_connection_reused(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
    assert (await conn.response()).body == b"hello /x"
    conn.send(b"56789GET /y HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).body == b"hello /y"


async def test_unread_body_not_finished_in_lingering_time_closes(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello, lingering_time=0.05)
    conn = await raw_connect(srv.port)
    conn.send(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
    assert (await conn.response()).status == 200
    assert await asyncio.wait_for(conn.at_eof(), 5)


async def test_flow_control_pauses_reading_until_the_handler_reads(
    raw_server: Any, raw_connect: Any
) -> None:
    got_head = asyncio.Event()
    may_read = asyncio.Event()
    sizes: list[int] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        got_head.set()
        await may_read.wait()
        body = await request.content.read()
        sizes.append(len(body))
        return web.Response(text=str(len(body)))

    srv = await raw_server(handler, read_bufsize=1024)
    total = 4 * 1024 * 1024
    conn = await raw_connect(srv.port)
    conn.send(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n".encode())
    await got_head.wait()
    chunk = b"x" * 65536
    protocol: RequestHandler = srv.handler.connections[0]
    sent = 0
    while not protocol._reading_paused:
        conn.send(chunk)
        sent += len(chunk)
        await conn.writer.drain()
        await asyncio.sleep(0)
    assert protocol._reading_paused
    may_read.set()
    conn.send(b"x" * (total - sent))
    resp = await conn.response()
    assert resp.body == str(total).encode()
    assert sizes == [total]


async def test_head_request_has_length_but_no_body(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await conn.response(method="HEAD")
    conn.send(b"GET /g HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.body == b""
    assert head.head.headers["Content-Length"] == str(len(b"hello /h"))
    assert (await conn.response()).body == b"hello /g"


async def test_http10_closes_unless_keep_alive(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Connection"] == "keep-alive"
    conn.send(b"GET /2 HTTP/1.0\r\n\r\n")
    resp = await conn.response()
    assert resp.body == b"hello /2"
    assert await conn.at_eof()


async def test_http11_connection_close(raw_server: Any, raw_connect: Any) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Connection"] == "close"
    assert await conn.at_eof()


async def test_streamed_response_is_chunked(raw_server: Any, raw_connect: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for part in (b"one ", b"two ", b"three"):
            await resp.write(part)
        await resp.write_eof()
        return resp

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.head.chunked
    assert resp.body == b"one two three"


async def test_exception_after_response_started_closes_connection(
    raw_server: Any, raw_connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"partial")
        raise RuntimeError("midway")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    with pytest.raises(Exception):  # noqa: B017 - the body is cut short
        await conn.response()
    assert "midway" in caplog.text


async def test_half_closed_client_still_gets_its_response(
    raw_server: Any, raw_connect: Any
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /hc HTTP/1.1\r\nHost: x\r\n\r\n")
    conn.writer.write_eof()
    resp = await conn.response()
    assert resp.body == b"hello /hc"
    assert await conn.at_eof()


async def test_too_many_pipelined_requests_pause_reading(
    raw_server: Any, raw_connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    paused = asyncio.Event()
    real_pause = RequestHandler.pause_reading

    def pause_reading(self: RequestHandler) -> None:
        real_pause(self)
        paused.set()

    monkeypatch.setattr(RequestHandler, "pause_reading", pause_reading)

    async def handler(request: web.BaseRequest) -> web.Response:
        await release.wait()
        return web.Response(text=request.path)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(40)))
    await paused.wait()
    assert srv.handler.connections[0]._queue_paused
    release.set()
    bodies = [(await conn.response()).body for _ in range(40)]
    assert bodies == [b"/%d" % i for i in range(40)]


async def test_shutdown_lets_in_flight_request_finish(
    raw_server: Any, raw_connect: Any
) -> None:
    started = asyncio.Event()
    proceed = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        started.set()
        await proceed.wait()
        return web.Response(text="finished")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await started.wait()
    cleanup = asyncio.ensure_future(srv.runner.cleanup())
    await asyncio.sleep(0)
    proceed.set()
    resp = await conn.response()
    await cleanup
    assert resp.body == b"finished"
    assert resp.head.should_close or await conn.at_eof()


async def test_shutdown_timeout_cancels_stuck_handler(
    raw_server: Any, raw_connect: Any
) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.Response:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    srv = await raw_server(handler, shutdown_timeout=0.05)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await started.wait()
    await srv.runner.cleanup()
    assert cancelled.is_set()
    assert await conn.at_eof()


async def test_access_log(
    raw_server: Any, raw_connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    srv = await raw_server(hello)
    conn = await raw_connect(srv.port)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        conn.send(b"GET /logged?q=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\n\r\n")
        await conn.response()
    assert '"GET /logged?q=1 HTTP/1.1" 200' in caplog.text
    assert "t/1" in caplog.text


def test_server_rejects_unknown_keyword(loop: asyncio.AbstractEventLoop) -> None:
    with pytest.raises(TypeError, match="keepalive_timeout"):
        web.Server(hello, loop=loop, keep_alive_timeout=3)


async def test_expect_continue_not_sent_when_handler_does_not_read(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(status=401, text="no upload for you")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    resp = await conn.response()
    assert resp.status == 401
    assert await conn.at_eof()


async def test_returning_http_exception_is_deprecated(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.HTTPAccepted()

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    with pytest.warns(DeprecationWarning, match="raise the exception instead"):
        conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await conn.response()
    assert resp.status == 202


async def test_context_variables_do_not_leak_between_keep_alive_requests(
    raw_server: Any, raw_connect: Any
) -> None:
    # Each request starts in a fresh copy of the context (aiohttp documents
    # this); a long-lived task per connection would carry values over.
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="-")

    async def handler(request: web.BaseRequest) -> web.Response:
        seen = var.get()
        var.set(request.path)
        return web.Response(text=seen)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    for path in ("/a", "/b"):
        conn.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert (await conn.response()).body == b"-"
    # Pipelined: three requests in one write, still one fresh context each.
    conn.send(b"".join(f"GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for n in "cde"))
    for _ in "cde":
        assert (await conn.response()).body == b"-"


async def test_small_body_arriving_with_its_head_reads_whole_and_streams(
    raw_server: Any, raw_connect: Any
) -> None:
    seen: list[Any] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        body = await request.read()
        # The body was taken in one piece; the stream is at its end, and a
        # second read() gives the cached bytes.
        seen.append((request.content.at_eof(), await request.read() is body))
        return web.Response(body=body)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    assert (await conn.response()).body == b"hello"
    assert seen == [(True, True)]


async def test_access_log_times_each_request(
    raw_server: Any, raw_connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # The clock is read only when an access logger exists; it still must be.
    srv = await raw_server(hello, access_log_format="%r %Tf")
    conn = await raw_connect(srv.port)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        conn.send(b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.response()
    times = [float(r.getMessage().rsplit(" ", 1)[1]) for r in caplog.records]
    assert len(times) == 1
    assert 0 <= times[0] < 60


_EAGER_FACTORY = getattr(asyncio, "eager_task_factory", None)


@pytest.mark.parametrize(
    "task_factory",
    [
        None,
        pytest.param(
            _EAGER_FACTORY,
            id="eager",
            marks=pytest.mark.skipif(
                _EAGER_FACTORY is None, reason="eager tasks: Python 3.12+"
            ),
        ),
    ],
)
async def test_requests_answer_in_turn_whether_or_not_the_handler_waits(
    raw_server: Any, raw_connect: Any, task_factory: Any
) -> None:
    # A handler that does not wait and one that does, alternating on one
    # connection (sequential and pipelined), must answer in order, each in
    # its own task. Also when the application makes every task eager: the
    # request task then runs inside data_received(), before the server has
    # stored it, and the next one inside the previous one.
    tasks: list[Any] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        tasks.append(asyncio.current_task())
        assert request.task is tasks[-1]
        if request.path == "/wait":
            await asyncio.sleep(0)
        return web.Response(text=request.path)

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    loop = asyncio.get_running_loop()
    loop.set_task_factory(task_factory)
    try:
        paths = ["/now", "/wait", "/now", "/now", "/wait"]
        for path in paths:
            conn.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert (await conn.response()).body == path.encode()
        conn.send(
            b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths)
        )
        for path in paths:
            assert (await conn.response()).body == path.encode()
    finally:
        loop.set_task_factory(None)
    assert len(set(map(id, tasks))) == len(tasks) == 2 * len(paths)
    assert all(isinstance(task, asyncio.Task) for task in tasks)


async def test_a_request_is_answered_in_its_own_task_after_data_received() -> None:
    # An ordinary task on every Python version (no eager start on 3.12+):
    # data_received() only queues the request. Observing that needs the
    # protocol driven directly; a socket cannot tell one loop iteration from
    # the next.
    written: list[bytes] = []
    tasks: list[Any] = []

    class Transport(asyncio.Transport):
        def write(self, data: Any) -> None:
            written.append(bytes(data))

        def is_closing(self) -> bool:
            return False

        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return ("127.0.0.1", 1) if name in ("peername", "sockname") else default

    async def handler(request: web.BaseRequest) -> web.Response:
        tasks.append(asyncio.current_task())
        return web.Response(text="now")

    server = web.Server(handler)
    proto = server()
    proto.connection_made(Transport())
    proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert written == []
    task = proto._task_handler
    assert task is not None and task is not asyncio.current_task()
    await task
    assert len(written) == 1 and written[0].endswith(b"\r\n\r\nnow")
    assert tasks == [task]
    assert proto._task_handler is None  # done: the next request starts a task
    proto.connection_lost(None)
    await server.shutdown()
