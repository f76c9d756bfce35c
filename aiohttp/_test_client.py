"""The test client: a :class:`~aiohttp.ClientSession` aimed at one test server.

Paths are relative to the server (``await client.get("/path")``), and
closing the client releases every response it handed out, closes the
session and stops the server, so a test cannot leak a connection by
forgetting to read a body.
"""

import asyncio
import inspect
import unittest
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar, overload

from yarl import URL

from ._test_servers import BaseTestServer, RawTestServer, TestServer
from .abc import AbstractCookieJar
from .typedefs import StrOrURL
from .web_app import Application
from .web_request import BaseRequest, Request

if TYPE_CHECKING:
    from .client import ClientSession
    from .client_reqrep import ClientResponse

__all__ = ("AioHTTPTestCase", "TestClient", "unittest_run_loop")

_T = TypeVar("_T")
_Request = TypeVar("_Request", bound=BaseRequest)
_ApplicationNone = TypeVar("_ApplicationNone", Application, None)
_Func = TypeVar("_Func", bound=Callable[..., Any])
_SERVER_TYPES = (TestServer, RawTestServer)


class _ResultContext(Generic[_T]):
    """What the client's request methods return: await it, or ``async with`` it.

    Awaiting gives the response (the client releases it on close); the
    ``async with`` form also releases it when the block ends.
    """

    __slots__ = ("_coro", "_result")

    def __init__(self, coro: Coroutine[Any, Any, _T]) -> None:
        self._coro = coro
        self._result: Optional[_T] = None

    def __await__(self) -> Generator[Any, None, _T]:
        return self._coro.__await__()

    async def __aenter__(self) -> _T:
        self._result = await self._coro
        return self._result

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        result: Any = self._result
        # A response is released (its connection back to the pool); a
        # WebSocket is closed.  Either method may be sync or async.
        finish = getattr(result, "release", None) or getattr(result, "close", None)
        if finish is not None:
            outcome = finish()
            if inspect.isawaitable(outcome):
                await outcome
        wait_for_close = getattr(result, "wait_for_close", None)
        if wait_for_close is not None:
            await wait_for_close()


class TestClient(Generic[_Request, _ApplicationNone]):
    """A client for one test server; paths are relative to the server.

    ``cookie_jar`` defaults to a ``CookieJar(unsafe=True)`` so cookies set by
    a server on an IP address (127.0.0.1) are kept; other keyword arguments
    go to :class:`~aiohttp.ClientSession`.
    """

    __test__ = False  # not a test class, whatever pytest's name pattern says

    @overload
    def __init__(
        self: "TestClient[Request, Application]",
        server: TestServer,
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        **kwargs: Any,
    ) -> None: ...

    @overload
    def __init__(
        self: "TestClient[_Request, None]",
        server: BaseTestServer[_Request],
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        **kwargs: Any,
    ) -> None: ...

    def __init__(
        self,
        server: BaseTestServer[Any],
        *,
        cookie_jar: Optional[AbstractCookieJar] = None,
        **kwargs: Any,
    ) -> None:
        # The exact types first: a first isinstance() against the ABC costs
        # more than the rest of this constructor.
        if type(server) not in _SERVER_TYPES and not isinstance(server, BaseTestServer):
            raise TypeError(
                f"server={server!r} must be a TestServer or RawTestServer: wrap "
                "an application as TestClient(TestServer(app))"
            )
        # aiohttp's TestClient took loop=; the session uses the running loop.
        kwargs.pop("loop", None)
        self._server = server
        self._cookie_jar = cookie_jar
        self._session_kwargs = kwargs
        self._session: Optional[ClientSession] = None
        self._responses: list[ClientResponse] = []
        self._websockets: list[Any] = []
        self._closed = False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # the session is made on start_server(), inside the loop
        else:
            self._session = self._make_session()

    def _make_session(self) -> "ClientSession":
        from .client import ClientSession

        jar = self._cookie_jar
        if jar is None:
            from .cookiejar import CookieJar

            jar = CookieJar(unsafe=True)
        return ClientSession(cookie_jar=jar, **self._session_kwargs)

    async def start_server(self) -> None:
        """Start the server (if it is not running yet)."""
        if self._closed:
            raise RuntimeError("This TestClient is closed: create a new one")
        if self._session is None:
            self._session = self._make_session()
        await self._server.start_server()

    @property
    def scheme(self) -> str:
        return self._server.scheme

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> Optional[int]:
        return self._server.port

    @property
    def server(self) -> BaseTestServer[_Request]:
        return self._server

    @property
    def app(self) -> _ApplicationNone:
        """The application under test (None for a :class:`RawTestServer`)."""
        return getattr(self._server, "app", None)  # type: ignore[return-value]

    @property
    def session(self) -> "ClientSession":
        """The :class:`~aiohttp.ClientSession` that sends the requests."""
        if self._session is None:
            self._session = self._make_session()
        return self._session

    @property
    def closed(self) -> bool:
        return self._closed

    def make_url(self, path: StrOrURL) -> URL:
        """The absolute URL of ``path`` on the server."""
        if not self._server.started:
            raise RuntimeError(
                "The test server is not started: await client.start_server() "
                "first, or use 'async with TestClient(...) as client'"
            )
        return self._server.make_url(path)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("This TestClient is closed: create a new one")

    async def _request(
        self, method: str, path: StrOrURL, **kwargs: Any
    ) -> "ClientResponse":
        resp: ClientResponse = await self.session.request(
            method, self.make_url(path), **kwargs
        )
        self._responses.append(resp)
        return resp

    def request(
        self, method: str, path: StrOrURL, **kwargs: Any
    ) -> "_ResultContext[ClientResponse]":
        """Send a ``method`` request for ``path`` on the server.

        Keyword arguments are those of :meth:`aiohttp.ClientSession.request`.
        """
        self._check_open()
        return _ResultContext(self._request(method, path, **kwargs))

    def get(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``GET`` request for ``path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``POST`` request for ``path``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``PUT`` request for ``path``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``PATCH`` request for ``path``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``DELETE`` request for ``path``."""
        return self.request("DELETE", path, **kwargs)

    def head(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[ClientResponse]":
        """A ``HEAD`` request for ``path``."""
        return self.request("HEAD", path, **kwargs)

    def options(
        self, path: StrOrURL, **kwargs: Any
    ) -> "_ResultContext[ClientResponse]":
        """An ``OPTIONS`` request for ``path``."""
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(self, path: StrOrURL, **kwargs: Any) -> "_ResultContext[Any]":
        """Open a WebSocket to ``path`` (closed with the client)."""
        self._check_open()
        connect = getattr(self.session, "ws_connect", None)
        if connect is None:
            raise RuntimeError(
                "WebSockets are not available yet: ClientSession has no "
                "ws_connect() in this version of the package"
            )
        return _ResultContext(self._ws_connect(connect, path, **kwargs))

    async def _ws_connect(
        self, connect: Callable[..., Awaitable[Any]], path: StrOrURL, **kwargs: Any
    ) -> Any:
        ws = await connect(self.make_url(path), **kwargs)
        self._websockets.append(ws)
        return ws

    async def close(self) -> None:
        """Release every response, close the session, then stop the server."""
        if self._closed:
            return
        self._closed = True
        try:
            for resp in self._responses:
                resp.close()
            for ws in self._websockets:
                await ws.close()
            if self._session is not None:
                await self._session.close()
        finally:
            self._responses.clear()
            self._websockets.clear()
            await self._server.close()

    def __enter__(self) -> None:
        raise TypeError("Use 'async with' with a TestClient, not 'with'")

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        pass  # pragma: no cover - __enter__ always raises

    async def __aenter__(self) -> "TestClient[_Request, _ApplicationNone]":
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()


class AioHTTPTestCase(unittest.IsolatedAsyncioTestCase):
    """A :class:`unittest.IsolatedAsyncioTestCase` with a running application.

    Override :meth:`get_application`; each test then has ``self.app``,
    ``self.server`` (a :class:`TestServer` on an ephemeral port) and
    ``self.client`` (a :class:`TestClient` for it), all closed after the test.
    """

    app: Application
    server: BaseTestServer[Any]
    client: TestClient[Any, Any]
    loop: asyncio.AbstractEventLoop

    async def get_application(self) -> Application:
        """The application to test; subclasses must override it."""
        raise RuntimeError(
            f"{type(self).__name__} must define 'async def get_application(self)' "
            "returning the web.Application to test"
        )

    async def get_server(self, app: Application) -> BaseTestServer[Any]:
        """The server for ``app`` (override to pass server options)."""
        return TestServer(app)

    async def get_client(self, server: BaseTestServer[Any]) -> TestClient[Any, Any]:
        """The client for ``server`` (override to pass client options)."""
        return TestClient(server)

    async def asyncSetUp(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.setUpAsync()

    async def setUpAsync(self) -> None:
        """Build the application, its server and client, and start the server."""
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def asyncTearDown(self) -> None:
        await self.tearDownAsync()

    async def tearDownAsync(self) -> None:
        """Close the client (and with it the server)."""
        await self.client.close()


def unittest_run_loop(func: _Func) -> _Func:
    """A no-op kept for old tests: ``AioHTTPTestCase`` runs async tests itself."""
    warnings.warn(
        "@unittest_run_loop is no longer needed: AioHTTPTestCase runs "
        "'async def' test methods on its own loop; remove the decorator",
        DeprecationWarning,
        stacklevel=2,
    )
    return func
