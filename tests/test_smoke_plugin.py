import asyncio

import pytest


@pytest.fixture
async def answer() -> int:
    await asyncio.sleep(0)
    return 42


async def test_async_test_runs(answer: int, loop: asyncio.AbstractEventLoop) -> None:
    assert answer == 42
    assert asyncio.get_running_loop() is loop
