"""ClientTimeout settings and the timers that enforce them."""

import asyncio
from typing import Any

import pytest

from aiohttp._client_timeout import (
    DEFAULT_TIMEOUT,
    ClientTimeout,
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
