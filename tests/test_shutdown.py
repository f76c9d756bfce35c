"""Graceful shutdown of an Application: runner.cleanup() with requests in flight.

The order is: the sites stop listening (new connections are refused), idle
keep-alive connections close, ``on_shutdown`` runs while in-flight requests
go on, they finish (up to ``shutdown_timeout``; past it their handlers are
cancelled and their connections closed), then ``on_cleanup`` runs. A client
never mistakes a response cut short for a complete one.
"""

import asyncio
from typing import Any

import pytest

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage

from .conftest import RawConnection

GET = b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n"


async def start(app: web.Application, **kwargs: Any) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, **kwargs)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.port


async def test_in_flight_requests_finish_between_on_shutdown_and_on_cleanup(
    raw_connect: Any,
) -> None:
    events: list[str] = []
    started = {"/slow": asyncio.Event(), "/stream": asyncio.Event()}
    release = asyncio.Event()
    shutting_down = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        started["/slow"].set()
        await release.wait()
        events.append("slow finished")
        return web.Response(text="slow done")

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"part 1;")
        started["/stream"].set()
        await release.wait()
        await resp.write(b"part 2")
        await resp.write_eof()
        events.append("stream finished")
        return resp

    async def fast(request: web.Request) -> web.Response:
        return web.Response(text="fast")

    async def on_shutdown(app: web.Application) -> None:
        events.append("on_shutdown")
        shutting_down.set()

    async def on_cleanup(app: web.Application) -> None:
        events.append("on_cleanup")

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/stream", stream)
    app.router.add_get("/fast", fast)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    runner, port = await start(app, shutdown_timeout=30.0)

    idle: RawConnection = await raw_connect(port)
    idle.send(GET % b"/fast")
    assert (await idle.response()).body == b"fast"
    slow_conn = await raw_connect(port)
    slow_conn.send(GET % b"/slow" + GET % b"/fast")  # the 2nd one never runs
    stream_conn = await raw_connect(port)
    stream_conn.send(GET % b"/stream")
    await started["/slow"].wait()
    await started["/stream"].wait()

    cleanup = asyncio.create_task(runner.cleanup())
    await shutting_down.wait()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    assert await idle.at_eof()  # idle keep-alive connections close at once
    assert events == ["on_shutdown"]
    assert not cleanup.done()

    release.set()
    resp = await slow_conn.response()
    assert (resp.status, resp.body) == (200, b"slow done")
    assert await slow_conn.at_eof()  # the pipelined /fast was not served
    resp = await stream_conn.response()
    assert resp.body == b"part 1;part 2"
    assert await stream_conn.at_eof()
    await cleanup
    assert events[0] == "on_shutdown"
    assert sorted(events[1:3]) == ["slow finished", "stream finished"]
    assert events[3:] == ["on_cleanup"]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_response_cut_by_shutdown_timeout_is_an_error_for_the_client(
    raw_connect: Any, framing: str
) -> None:
    events: list[str] = []
    streaming = asyncio.Event()

    async def stuck(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        if framing == "content-length":
            resp.content_length = 1000
        await resp.prepare(request)
        await resp.write(b"x" * 100)
        streaming.set()
        try:
            await asyncio.Event().wait()
        finally:
            events.append("handler cancelled")
        raise AssertionError("never released")  # pragma: no cover

    async def on_cleanup(app: web.Application) -> None:
        events.append("on_cleanup")

    app = web.Application()
    app.router.add_get("/", stuck)
    app.on_cleanup.append(on_cleanup)
    runner, port = await start(app, shutdown_timeout=0.1)
    conn: RawConnection = await raw_connect(port)
    conn.send(GET % b"/")
    await streaming.wait()
    await runner.cleanup()
    assert events == ["handler cancelled", "on_cleanup"]
    with pytest.raises(BadHttpMessage, match="Not enough data"):
        await conn.response()


async def test_requests_arriving_during_shutdown_are_not_started(
    raw_connect: Any,
) -> None:
    paths: list[str] = []
    release = asyncio.Event()
    started = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        paths.append(request.path)
        started.set()
        await release.wait()
        return web.Response(text=request.path)

    app = web.Application()
    app.router.add_get("/{name}", handler)
    shutting_down = asyncio.Event()

    async def on_shutdown(app: web.Application) -> None:
        shutting_down.set()
        await release.wait()  # keep the shutdown phase open for a while

    app.on_shutdown.append(on_shutdown)
    runner, port = await start(app, shutdown_timeout=30.0)
    conn: RawConnection = await raw_connect(port)
    conn.send(GET % b"/first")
    await started.wait()
    cleanup = asyncio.create_task(runner.cleanup())
    await shutting_down.wait()
    conn.send(GET % b"/late")  # on a connection that is being drained
    await asyncio.sleep(0.05)  # give the late request every chance to start
    release.set()
    resp = await conn.response()
    assert resp.body == b"/first"
    assert resp.head.should_close
    assert await conn.at_eof()
    await cleanup
    assert paths == ["/first"]
