"""pytest plugin: run ``async def`` tests and fixtures on a fresh event loop.

Enable it with ``pytest_plugins = ["aiohttp.pytest_plugin"]`` in a conftest.
"""

import asyncio
import contextlib
import inspect
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Optional

import pytest

from .test_utils import (
    BaseTestServer,
    RawTestServer,
    TestServer,
    loop_context,
    unused_port,
)

__all__ = (
    "aiohttp_raw_server",
    "aiohttp_server",
    "aiohttp_unused_port",
    "loop",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--aiohttp-fast",
        action="store_true",
        default=False,
        help="run tests faster by disabling extra checks",
    )
    parser.addoption(
        "--aiohttp-loop",
        action="store",
        default="pyloop",
        help="run tests with specific loop: pyloop, uvloop or all",
    )
    parser.addoption(
        "--aiohttp-enable-loop-debug",
        action="store_true",
        default=False,
        help="enable event loop debug mode",
    )


def _is_async_fixture(func: Any) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: Any) -> None:
    """Let ``async def`` fixtures run on the test's ``loop`` fixture."""
    func = fixturedef.func
    if not _is_async_fixture(func) or getattr(func, "_aiohttp_wrapped", False):
        return
    strip_request = "request" not in fixturedef.argnames
    strip_loop = "loop" not in fixturedef.argnames
    if strip_request:
        fixturedef.argnames += ("request",)
    if strip_loop:
        fixturedef.argnames += ("loop",)

    if inspect.isasyncgenfunction(func):

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = kwargs["request"] if not strip_request else kwargs.pop("request")
            loop = kwargs["loop"] if not strip_loop else kwargs.pop("loop")
            gen = func(*args, **kwargs)

            def finalizer() -> None:
                with contextlib.suppress(StopAsyncIteration):
                    loop.run_until_complete(gen.__anext__())
                    raise RuntimeError(f"async fixture {func.__name__!r} yielded twice")

            request.addfinalizer(finalizer)
            return loop.run_until_complete(gen.__anext__())

    else:

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if strip_request:
                kwargs.pop("request")
            loop = kwargs["loop"] if not strip_loop else kwargs.pop("loop")
            return loop.run_until_complete(func(*args, **kwargs))

    wrapper._aiohttp_wrapped = True  # type: ignore[attr-defined]
    fixturedef.func = wrapper


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: Any, name: str, obj: object) -> Any:
    if collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj):
        return list(collector._genfunctions(name, obj))
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> Any:
    """Run a coroutine test function on the ``loop`` fixture."""
    if not inspect.iscoroutinefunction(pyfuncitem.function):
        return None
    if _owned_by_pytest_asyncio(pyfuncitem):
        return None
    existing_loop = pyfuncitem.funcargs.get("loop")
    with _runner_loop(pyfuncitem, existing_loop) as loop:
        testargs = {
            arg: pyfuncitem.funcargs[arg] for arg in pyfuncitem._fixtureinfo.argnames
        }
        loop.run_until_complete(pyfuncitem.obj(**testargs))
    return True


def _owned_by_pytest_asyncio(item: Any) -> bool:
    return item.get_closest_marker("asyncio") is not None


@contextlib.contextmanager
def _runner_loop(
    item: Any, existing: asyncio.AbstractEventLoop | None
) -> Iterator[asyncio.AbstractEventLoop]:
    if existing is not None:
        yield existing
    else:
        with loop_context(fast=item.config.getoption("--aiohttp-fast")) as loop:
            yield loop


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Give every coroutine test the ``loop`` fixture so async fixtures share it."""
    for item in items:
        func = getattr(item, "function", None)
        if func is None or not inspect.iscoroutinefunction(func):
            continue
        if _owned_by_pytest_asyncio(item):
            continue
        if "loop" not in item.fixturenames:
            item.fixturenames.append("loop")


@pytest.fixture
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop, set as the current loop, closed after the test."""
    fast = request.config.getoption("--aiohttp-fast")
    debug = request.config.getoption("--aiohttp-enable-loop-debug")
    with loop_context(fast=fast) as _loop:
        if debug:
            _loop.set_debug(True)
        with warnings.catch_warnings():
            yield _loop


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """The racy ``unused_port`` helper, kept for compatibility.

    Prefer ``aiohttp_server``/``aiohttp_raw_server``: they bind port 0 and
    read the real port back, so no other process can take it in between.
    """
    return unused_port


async def _close_all(servers: list[BaseTestServer]) -> None:
    while servers:
        await servers.pop().close()


@pytest.fixture
async def aiohttp_server() -> AsyncIterator[Callable[..., Awaitable[TestServer]]]:
    """Factory: ``await aiohttp_server(app, *, host=..., port=None, **kwargs)``.

    Starts the application on an ephemeral port (unless ``port`` is given);
    ``server.port`` is the real port.  Every server is closed after the test.
    """
    servers: list[BaseTestServer] = []

    async def go(
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> TestServer:
        server = TestServer(app, host=host, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield go
    await _close_all(servers)


@pytest.fixture
async def aiohttp_raw_server() -> AsyncIterator[
    Callable[..., Awaitable[RawTestServer]]
]:
    """Factory: ``await aiohttp_raw_server(handler, *, port=None, **kwargs)``.

    Runs a low-level ``handler(request)`` on an ephemeral port of 127.0.0.1.
    """
    servers: list[BaseTestServer] = []

    async def go(
        handler: Any,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> RawTestServer:
        server = RawTestServer(handler, host=host, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield go
    await _close_all(servers)
