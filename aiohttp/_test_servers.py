"""Test servers that bind an ephemeral port through a site and read it back.

There is no "find a free port, then bind it" step: the site binds port 0 and
the OS hands out the port atomically, so two servers started at once can never
collide, and nothing else can grab the port in between.
"""

import asyncio
import contextlib
import socket
import ssl
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar

from yarl import URL

from .typedefs import StrOrURL
from .web_request import BaseRequest, Request
from .web_runner import BaseRunner, ServerRunner, TCPSite
from .web_server import Server

if TYPE_CHECKING:
    from .web_app import Application
    from .web_response import StreamResponse

__all__ = (
    "BaseTestServer",
    "RawTestServer",
    "TestServer",
    "get_unused_port_socket",
    "unused_port",
)

# The request type the server's handlers receive (for TestServer[...] hints).
_Request = TypeVar("_Request", bound=BaseRequest)
_Self = TypeVar("_Self", bound="BaseTestServer[Any]")


def get_unused_port_socket(
    host: str, family: socket.AddressFamily = socket.AF_INET
) -> socket.socket:
    """A socket bound to a free port of ``host`` (kept for compatibility).

    Prefer starting a site on port 0 and reading ``site.port``: that cannot race.
    """
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def unused_port() -> int:
    """A port that was free a moment ago on 127.0.0.1 (racy, kept for compatibility).

    Another process may take the port between this call and your bind; test
    servers here bind port 0 through a site instead.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BaseTestServer(ABC, Generic[_Request]):
    """A server for tests, listening on ``host`` and an ephemeral port by default."""

    __test__ = False

    def __init__(
        self,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        skip_url_asserts: bool = True,
        **kwargs: Any,
    ) -> None:
        self.runner: Optional[BaseRunner] = None
        self._root: Optional[URL] = None
        self.host = host
        self.port = port
        self._closed = False
        self.scheme = scheme
        self.skip_url_asserts = skip_url_asserts
        # aiohttp's servers took loop=; they run on the running loop.
        kwargs.pop("loop", None)
        # Other options (ssl=, runner options) apply when the server starts,
        # so TestServer(app, **server_kwargs) can carry them.
        self._start_kwargs = kwargs

    async def start_server(
        self, loop: Optional[asyncio.AbstractEventLoop] = None, **kwargs: Any
    ) -> None:
        """Set up the runner and start a site on ``host`` and ``port`` (0: any).

        ``ssl=`` takes an :class:`ssl.SSLContext`; other keyword arguments
        (and those given to the constructor) go to the runner.
        """
        if self.runner is not None:
            return
        kwargs = {**self._start_kwargs, **kwargs}
        ssl_context: Optional[ssl.SSLContext] = kwargs.pop("ssl", None)
        runner = self.runner = await self._make_runner(**kwargs)
        try:
            await runner.setup()
            site = TCPSite(runner, self.host, self.port or 0, ssl_context=ssl_context)
            await site.start()
        except BaseException:
            # A server that failed to start holds nothing and can be retried.
            self.runner = None
            with contextlib.suppress(Exception):  # keep the original error
                await runner.cleanup()
            raise
        self.port = site.port
        if not self.scheme:
            self.scheme = "https" if ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._root = URL(f"{self.scheme}://{host}:{self.port}")

    @abstractmethod
    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        """The runner this server starts (an AppRunner or a ServerRunner)."""

    def make_url(self, path: StrOrURL) -> URL:
        """The absolute URL of ``path`` on this server."""
        if self._root is None:
            raise RuntimeError(
                "The test server is not started: await server.start_server() first"
            )
        url = URL(path)
        if not self.skip_url_asserts:
            assert not url.absolute, f"path={path!r} must be relative"
            return self._root.join(url)
        return URL(str(self._root) + str(path))

    @property
    def started(self) -> bool:
        return self.runner is not None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def handler(self) -> Server:
        """The low-level server handling the connections (after start)."""
        runner = self.runner
        if runner is None or runner.server is None:
            raise RuntimeError("The test server is not started")
        return runner.server

    async def close(self) -> None:
        """Stop the server: close its sites and connections and run cleanups."""
        if self.started and not self.closed:
            assert self.runner is not None
            await self.runner.cleanup()
            self._root = None
            self.port = None
            self._closed = True

    async def __aenter__(self: _Self) -> _Self:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.close()


class TestServer(BaseTestServer[Request]):
    """Runs an :class:`~aiohttp.web.Application` for tests."""

    def __init__(
        self,
        app: "Application",
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        self.app = app
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        from .web_runner import AppRunner

        return AppRunner(self.app, **kwargs)


class RawTestServer(BaseTestServer[BaseRequest]):
    """Runs a low-level ``handler(request) -> StreamResponse`` for tests."""

    def __init__(
        self,
        handler: Callable[[BaseRequest], Awaitable["StreamResponse"]],
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        self._handler = handler
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        shutdown_timeout = kwargs.pop("shutdown_timeout", 60.0)
        srv = Server(self._handler, **kwargs)
        return ServerRunner(srv, shutdown_timeout=shutdown_timeout)
