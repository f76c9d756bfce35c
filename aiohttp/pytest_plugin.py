"""pytest plugin: run ``async def`` tests and fixtures on a fresh event loop.

Enable it with ``pytest_plugins = ["aiohttp.pytest_plugin"]`` in a conftest.
"""

import asyncio
import contextlib
import inspect
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Optional, Protocol, TypeVar, Union, overload

import pytest

from .test_utils import (
    BaseTestServer,
    RawTestServer,
    TestClient,
    TestServer,
    loop_context,
    unused_port,
)
from .web_app import Application
from .web_request import BaseRequest, Request
from .web_response import StreamResponse

__all__ = (
    "AiohttpClient",
    "AiohttpRawServer",
    "AiohttpServer",
    "aiohttp_client",
    "aiohttp_client_cls",
    "aiohttp_raw_server",
    "aiohttp_server",
    "aiohttp_unused_port",
    "loop",
)


class AiohttpClient(Protocol):
    """The type of the ``aiohttp_client`` fixture, for annotating tests."""

    @overload
    async def __call__(
        self,
        __param: Application,
        *,
        server_kwargs: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> TestClient[Request, Application]: ...

    @overload
    async def __call__(
        self,
        __param: BaseTestServer[Any],
        *,
        server_kwargs: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> TestClient[BaseRequest, None]: ...


class AiohttpServer(Protocol):
    """The type of the ``aiohttp_server`` fixture."""

    def __call__(
        self, app: Application, *, port: Optional[int] = None, **kwargs: Any
    ) -> Awaitable[TestServer]: ...


class AiohttpRawServer(Protocol):
    """The type of the ``aiohttp_raw_server`` fixture."""

    def __call__(
        self,
        handler: Callable[[BaseRequest], Awaitable[StreamResponse]],
        *,
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> Awaitable[RawTestServer]: ...


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


_PYTEST_ASYNCIO = pytest.StashKey[bool]()


def _pytest_asyncio_active(config: pytest.Config) -> bool:
    """Whether pytest-asyncio is loaded in this session (looked up once)."""
    active = config.stash.get(_PYTEST_ASYNCIO, None)
    if active is None:
        active = config.stash[_PYTEST_ASYNCIO] = any(
            getattr(plugin, "__name__", "").startswith("pytest_asyncio")
            for plugin in config.pluginmanager.get_plugins()
        )
    return active


def _owned_by_pytest_asyncio(item: Any) -> bool:
    """True when pytest-asyncio runs this test (it is marked ``asyncio``).

    In auto mode pytest-asyncio marks every coroutine test; those it runs
    itself, so this plugin must neither run them a second time nor give them
    a loop of their own.  Without pytest-asyncio the marker means nothing and
    this plugin runs the test.
    """
    if item.get_closest_marker("asyncio") is None:
        return False
    return _pytest_asyncio_active(item.config)


def _pytest_asyncio_loop(
    request: pytest.FixtureRequest,
) -> Optional[asyncio.AbstractEventLoop]:
    """The loop pytest-asyncio runs this test on, when it runs it."""
    node = request.node
    if not isinstance(node, pytest.Function) or not _owned_by_pytest_asyncio(node):
        return None
    marker = node.get_closest_marker("asyncio")
    assert marker is not None
    scope = marker.kwargs.get("loop_scope") or marker.kwargs.get("scope")
    if scope is None:
        with contextlib.suppress(ValueError):
            scope = request.config.getini("asyncio_default_test_loop_scope")
    try:
        # pytest-asyncio keeps one asyncio.Runner per loop scope in a fixture.
        runner = request.getfixturevalue(f"_{scope or 'function'}_scoped_runner")
    except pytest.FixtureLookupError:
        return None
    get_loop = getattr(runner, "get_loop", None)
    return get_loop() if callable(get_loop) else None


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
    """A fresh event loop, set as the current loop, closed after the test.

    Under pytest-asyncio it is the loop pytest-asyncio runs the test on.
    """
    shared = _pytest_asyncio_loop(request)
    if shared is not None:
        yield shared
        return
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


_Server = TypeVar("_Server", bound=BaseTestServer[Any])


async def _start(
    servers: list[BaseTestServer[Any]], server: _Server, kwargs: dict[str, Any]
) -> _Server:
    """Start *server* and remember it, so the fixture closes it after the test."""
    await server.start_server(**kwargs)
    servers.append(server)
    return server


async def _close_all(servers: list[BaseTestServer[Any]]) -> None:
    while servers:
        await servers.pop().close()


@pytest.fixture
async def aiohttp_server() -> AsyncIterator[AiohttpServer]:
    """Factory: ``await aiohttp_server(app, *, host=..., port=None, **kwargs)``.

    Starts the application on an ephemeral port (unless ``port`` is given);
    ``server.port`` is the real port.  Every server is closed after the test.
    """
    servers: list[BaseTestServer[Any]] = []

    async def go(
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> TestServer:
        server = TestServer(app, host=host, port=port)
        return await _start(servers, server, kwargs)

    yield go
    await _close_all(servers)


@pytest.fixture
async def aiohttp_raw_server() -> AsyncIterator[AiohttpRawServer]:
    """Factory: ``await aiohttp_raw_server(handler, *, port=None, **kwargs)``.

    Runs a low-level ``handler(request)`` on an ephemeral port of 127.0.0.1.
    """
    servers: list[BaseTestServer[Any]] = []

    async def go(
        handler: Any,
        *,
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> RawTestServer:
        server = RawTestServer(handler, host=host, port=port)
        return await _start(servers, server, kwargs)

    yield go
    await _close_all(servers)


@pytest.fixture
def aiohttp_client_cls() -> type[TestClient[Any, Any]]:
    """The client class ``aiohttp_client`` makes; override it to use your own."""
    return TestClient


_ClientParam = Union[Application, BaseTestServer[Any], Callable[..., Any]]


@pytest.fixture
async def aiohttp_client(
    aiohttp_client_cls: type[TestClient[Any, Any]],
) -> AsyncIterator[AiohttpClient]:
    """Factory: ``await aiohttp_client(app_or_server, *, server_kwargs=None, **kw)``.

    Takes an Application (started on a :class:`TestServer` built with
    ``server_kwargs``), or a TestServer or RawTestServer; ``kw`` go to the
    client.  Every client, its responses and its server are closed after the
    test.
    """
    clients: list[TestClient[Any, Any]] = []

    async def go(
        __param: _ClientParam,
        *args: Any,
        server_kwargs: Optional[dict[str, Any]] = None,
        **kwargs: Any,
    ) -> TestClient[Any, Any]:
        target = await _client_target(__param, args, kwargs)
        if target is not __param:
            kwargs = {}  # they were the factory's arguments
        if isinstance(target, Application):
            server: BaseTestServer[Any] = TestServer(target, **(server_kwargs or {}))
        else:
            server = target
        client = aiohttp_client_cls(server, **kwargs)
        clients.append(client)
        await client.start_server()
        return client

    yield go
    while clients:
        await clients.pop().close()


async def _client_target(
    param: _ClientParam, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Union[Application, BaseTestServer[Any]]:
    """What a client is made for: the app or server given, or a factory's result."""
    if isinstance(param, (Application, BaseTestServer)):
        if args:
            raise TypeError(
                "aiohttp_client() takes positional arguments only for an app "
                f"factory; got {args!r} with {param!r}"
            )
        return param
    if callable(param):
        # aiohttp's old form: aiohttp_client(factory, *args, **kwargs) calls
        # factory(loop, *args, **kwargs) to build the application.
        result = param(asyncio.get_running_loop(), *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, (Application, BaseTestServer)):
            return result
        param = result
    raise ValueError(
        f"aiohttp_client() needs a web.Application, TestServer or RawTestServer, "
        f"got {type(param).__name__}: pass the application itself"
    )
