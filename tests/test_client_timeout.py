"""ClientTimeout settings and the timers that enforce them."""

import asyncio
from typing import Any

import pytest

from aiohttp._client_timeout import (
    DEFAULT_TIMEOUT,
    ClientTimeout,
    SharedDeadlines,
    TimerContext,
    TimerNoop,
    timeout,
)


def test_defaults() -> None:
    t = ClientTimeout()
    assert (t.total, t.connect, t.sock_read, t.sock_connect) == (None,) * 4
    assert t.ceil_threshold == 5
    assert DEFAULT_TIMEOUT.total == 300
    assert DEFAULT_TIMEOUT.sock_connect == 30


def test_frozen_and_replace() -> None:
    import dataclasses

    t = ClientTimeout(total=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.total = 2  # type: ignore[misc]
    assert dataclasses.replace(t, connect=3).connect == 3


def test_negative_refused() -> None:
    with pytest.raises(ValueError, match="sock_read"):
        ClientTimeout(sock_read=-1)


async def test_noop_for_none() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(TimerContext.start(loop, None), TimerNoop)
    assert isinstance(TimerContext.start(loop, 0), TimerNoop)
    with TimerNoop():
        await asyncio.sleep(0)


async def test_timer_fires_as_timeout() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext.start(loop, 0.01)
    assert isinstance(timer, TimerContext)
    with pytest.raises(asyncio.TimeoutError):
        with timer:
            await asyncio.Event().wait()
    assert timer.expired
    # Entering an expired timer fails at once.
    with pytest.raises(asyncio.TimeoutError):
        with timer:
            pass  # pragma: no cover


async def test_timer_reentrant_same_task() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext.start(loop, 0.01)
    with pytest.raises(asyncio.TimeoutError):
        with timer:
            with timer:
                await asyncio.Event().wait()
    task: Any = asyncio.current_task()
    # Our own cancellation was undone (3.11+ keeps a count).
    assert not hasattr(task, "cancelling") or task.cancelling() == 0


async def test_timer_cancel_stops_it() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext.start(loop, 0.01)
    assert isinstance(timer, TimerContext)
    timer.cancel()
    with timer:
        await asyncio.sleep(0.02)
    assert not timer.expired


async def test_outside_cancellation_passes_through() -> None:
    loop = asyncio.get_running_loop()

    async def body() -> None:
        with TimerContext.start(loop, 10):
            await asyncio.Event().wait()

    task = asyncio.ensure_future(body())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_one_off_timeout() -> None:
    loop = asyncio.get_running_loop()
    with pytest.raises(asyncio.TimeoutError):
        with timeout(loop, 0.01):
            await asyncio.Event().wait()
    with timeout(loop, None):
        await asyncio.sleep(0)
    with timeout(loop, 5, ceil_threshold=1):
        await asyncio.sleep(0)


def test_enter_outside_task() -> None:
    loop = asyncio.new_event_loop()
    try:
        timer = TimerContext(loop)
        with pytest.raises(RuntimeError, match="inside a task"):
            timer.__enter__()
    finally:
        loop.close()


async def test_shared_deadline_fires_every_timer_still_waiting() -> None:
    loop = asyncio.get_running_loop()
    shared = SharedDeadlines(loop)
    when = loop.time() + 0.02
    timers = [TimerContext(loop) for _ in range(3)]
    for timer in timers:
        shared.join(when, timer)
    shared.leave(when, timers[1])  # this request finished in time

    async def wait(timer: TimerContext) -> str:
        try:
            with timer:
                await asyncio.Event().wait()
        except asyncio.TimeoutError:
            return "timeout"
        return "done"  # pragma: no cover

    waiting = [asyncio.ensure_future(wait(t)) for t in (timers[0], timers[2])]
    assert await asyncio.gather(*waiting) == ["timeout", "timeout"]
    assert [t.expired for t in timers] == [True, False, True]
    assert shared._groups == {}


async def test_shared_deadline_group_that_empties_stops_its_loop_timer() -> None:
    loop = asyncio.get_running_loop()
    shared = SharedDeadlines(loop)
    when = loop.time() + 0.01
    first, second = TimerContext(loop), TimerContext(loop)
    shared.join(when, first)
    shared.join(when, second)
    [(handle, _)] = shared._groups.values()
    shared.leave(when, first)
    assert not handle.cancelled()
    shared.leave(when, second)
    shared.leave(when, second)  # leaving twice is harmless
    assert handle.cancelled() and shared._groups == {}


async def test_start_joins_the_group_only_for_whole_second_deadlines() -> None:
    loop = asyncio.get_running_loop()
    shared = SharedDeadlines(loop)
    long = TimerContext.start(loop, 60, 5, shared)
    short = TimerContext.start(loop, 1, 5, shared)  # below ceil_threshold
    assert isinstance(long, TimerContext) and isinstance(short, TimerContext)
    [when] = shared._groups
    assert when == int(when) and when >= loop.time() + 60
    assert short._handle is not None and short._group is None
    long.cancel()
    short.cancel()
    assert shared._groups == {} and short._handle is None


async def test_requests_sharing_a_deadline_time_out_alone(
    aiohttp_client: Any,
) -> None:
    # Two requests of one session share a whole-second deadline: the one
    # whose handler never answers times out, the quick one is not affected.
    from aiohttp import web

    async def quick(request: web.Request) -> web.Response:
        return web.Response(text="quick")

    release = asyncio.Event()

    async def stuck(request: web.Request) -> web.Response:
        await release.wait()  # until the client has given up
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/quick", quick)
    app.router.add_get("/stuck", stuck)
    client = await aiohttp_client(app)
    limit = ClientTimeout(total=0.1, ceil_threshold=0.05)
    stuck_request = asyncio.ensure_future(client.get("/stuck", timeout=limit))
    resp = await client.get("/quick", timeout=limit)
    assert await resp.text() == "quick"
    with pytest.raises(asyncio.TimeoutError):
        await stuck_request
    assert client.session._deadlines._groups == {}
    release.set()
