"""Utilities for testing aiohttp applications.

Test servers on ephemeral ports, the test client, ``AioHTTPTestCase`` for
unittest, mocked requests for handler unit tests, and event loop helpers.
"""

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterator

from ._test_client import AioHTTPTestCase, TestClient, unittest_run_loop
from ._test_mocks import make_mocked_coro, make_mocked_request
from ._test_servers import (
    BaseTestServer,
    RawTestServer,
    TestServer,
    get_unused_port_socket,
    unused_port,
)

__all__ = (
    "AioHTTPTestCase",
    "BaseTestServer",
    "RawTestServer",
    "TestClient",
    "TestServer",
    "get_unused_port_socket",
    "loop_context",
    "make_mocked_coro",
    "make_mocked_request",
    "setup_test_loop",
    "teardown_test_loop",
    "unittest_run_loop",
    "unused_port",
)


def setup_test_loop(
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop,
) -> asyncio.AbstractEventLoop:
    """Create a new event loop and make it the current one."""
    loop = loop_factory()
    asyncio.set_event_loop(loop)
    return loop


def teardown_test_loop(loop: asyncio.AbstractEventLoop, fast: bool = False) -> None:
    """Finish pending callbacks, close the loop and unset it as current."""
    closed = loop.is_closed()
    if not closed:
        _cancel_all_tasks(loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.call_soon(loop.stop)
        loop.run_forever()
        loop.close()
    if not fast:
        gc.collect()
    asyncio.set_event_loop(None)


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


@contextlib.contextmanager
def loop_context(
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop,
    fast: bool = False,
) -> Iterator[asyncio.AbstractEventLoop]:
    """A context manager that yields a fresh event loop and tears it down after."""
    loop = setup_test_loop(loop_factory)
    # A failing block must not leak an open loop (a ResourceWarning later).
    try:
        yield loop
    finally:
        teardown_test_loop(loop, fast=fast)
