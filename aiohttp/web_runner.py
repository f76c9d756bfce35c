"""Runners own a low-level :class:`~aiohttp.web_server.Server`; sites serve it.

A runner is set up once (``await runner.setup()`` creates the server), then any
number of sites listen for it: :class:`TCPSite` on a host and port,
:class:`UnixSite` on a Unix socket path, :class:`SockSite` on a socket you bound
yourself, :class:`NamedPipeSite` on a Windows named pipe. ``await
runner.cleanup()`` stops every site, lets in-flight requests finish within the
runner's ``shutdown_timeout`` and releases the server.

Ephemeral ports are first class: ``TCPSite(runner, "localhost", 0)`` listens on
one port the OS picks, shared by every address of the host, and ``site.port`` /
``site.name`` report it once started.
"""

import asyncio
import os
import signal
import socket
import sys
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from ._site_bind import bind_sockets, resolve
from .abc import AbstractAccessLogger, AbstractAsyncAccessLogger
from .typedefs import PathLike
from .web_log import AccessLogger

if TYPE_CHECKING:
    from ssl import SSLContext

    from .web_app import Application
    from .web_server import Server

__all__ = (
    "BaseSite",
    "TCPSite",
    "UnixSite",
    "NamedPipeSite",
    "SockSite",
    "BaseRunner",
    "ServerRunner",
    "GracefulExit",
    "AppRunner",
)

_DEFAULT_SHUTDOWN_TIMEOUT = 60.0
_SETUP_FIRST = "Call runner.setup() before making a site"


class GracefulExit(SystemExit):
    """Raised by the runner's SIGINT/SIGTERM handlers to stop ``run_app``."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


def _url_host(host: str) -> str:
    """*host* as it appears in a URL: IPv6 literals go in brackets."""
    return f"[{host}]" if ":" in host else host


def _scheme(ssl_context: Optional["SSLContext"]) -> str:
    return "https" if ssl_context is not None else "http"


class BaseSite(ABC):
    """Something a runner's server listens on; subclasses say where.

    A site is made after ``runner.setup()``; ``start()`` begins accepting
    connections and registers the site with its runner, ``stop()`` closes the
    listening socket(s) without waiting for live connections (the runner's
    ``cleanup()`` drains those).
    """

    def __init__(
        self,
        runner: "BaseRunner",
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: Optional["SSLContext"] = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError(_SETUP_FIRST)
        if not isinstance(backlog, int):
            raise TypeError(f"backlog must be an int, got {backlog!r}")
        if shutdown_timeout != _DEFAULT_SHUTDOWN_TIMEOUT:
            # The runner drains connections for all its sites at once, so one
            # timeout lives there; the old per-site argument still sets it.
            warnings.warn(
                "shutdown_timeout should be set on BaseRunner "
                "(e.g. AppRunner(app, shutdown_timeout=...)), not on the site",
                DeprecationWarning,
                stacklevel=3,  # the caller of TCPSite(...) and the like
            )
            runner._shutdown_timeout = shutdown_timeout
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        # The asyncio server once started (TCPSite keeps its first one here).
        self._server: Optional[asyncio.AbstractServer] = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    @abstractmethod
    def name(self) -> str:
        """The site's URL (or pipe path), e.g. ``http://127.0.0.1:8080``."""

    @abstractmethod
    async def start(self) -> None:
        """Start accepting connections; subclasses call this first."""
        runner = self._runner
        if runner.server is None:
            raise RuntimeError(
                f"{_SETUP_FIRST}: runner {runner!r} has no server "
                "(it was never set up or is already cleaned up)"
            )
        if self in runner._sites:
            raise RuntimeError(
                f"Site {self!r} is already started; call stop() before "
                "starting it again"
            )
        runner._reg_site(self)

    async def stop(self) -> None:
        """Stop accepting connections; live ones are left to the runner."""
        self._runner._check_site(self)
        self._close_servers()
        self._runner._unreg_site(self)

    def _close_servers(self) -> None:
        # Closing an asyncio server closes its listening socket at once. Its
        # wait_closed() is not awaited: from Python 3.12 it also waits for
        # every live connection, which the runner drains with a timeout.
        if self._server is not None:
            self._server.close()

    def _check_still_starting(self) -> "Server":
        """The runner's server, unless cleanup() stopped us while starting.

        start() awaits (the resolver, create_server's loop iteration); if
        runner.cleanup() ran meanwhile it stopped this site before it had a
        server to close, so close what we made and fail.
        """
        server = self._runner.server
        if server is None or self not in self._runner._sites:
            self._close_servers()
            raise RuntimeError(
                f"Site {self!r} was stopped (runner cleaned up) while starting"
            )
        return server

    def _listening_sockets(self) -> list[Any]:
        """The socket objects this site listens on (for runner.addresses)."""
        sockets = getattr(self._server, "sockets", None)
        return list(sockets) if sockets else []


class TCPSite(BaseSite):
    """Serve the runner on a TCP host and port (one port for every address).

    ``port=0`` asks the OS for a free port; after ``start()`` the ``port`` and
    ``name`` properties report the port actually bound. ``host=None`` listens
    on every IPv4 and IPv6 interface.
    """

    def __init__(
        self,
        runner: "BaseRunner",
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: Optional["SSLContext"] = None,
        backlog: int = 128,
        reuse_address: Optional[bool] = None,
        reuse_port: Optional[bool] = None,
    ) -> None:
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        if host is not None and not isinstance(host, str):
            raise TypeError(f"host must be a str or None, got {host!r}")
        if port is None:
            port = 8443 if ssl_context is not None else 8080
        elif isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"port must be an int or None, got {port!r}")
        elif not 0 <= port <= 65535:
            raise ValueError(f"port must be in 0..65535 (0: any free port), got {port}")
        self._host = host
        self._requested_port = port
        self._bound_port: Optional[int] = None
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port
        self._servers: list[asyncio.Server] = []

    @property
    def port(self) -> int:
        """The bound port once started (also after stop), else the requested one."""
        if self._bound_port is not None:
            return self._bound_port
        return self._requested_port

    @property
    def name(self) -> str:
        host = _url_host(self._host) if self._host else "0.0.0.0"
        return f"{_scheme(self._ssl_context)}://{host}:{self.port}"

    async def start(self) -> None:
        """Bind every address of the host on one port and start serving."""
        await super().start()
        try:
            await self._start_serving()
        except BaseException:
            self._runner._discard_site(self)
            raise

    async def _start_serving(self) -> None:
        loop = asyncio.get_running_loop()
        addresses = await resolve(loop, self._host, self._requested_port)
        protocol_factory = self._check_still_starting()
        sockets = bind_sockets(
            addresses,
            self._requested_port,
            host=self._host,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        port = sockets[0].getsockname()[1]
        servers: list[asyncio.Server] = []
        try:
            # One asyncio server per socket: create_server accepts a single
            # sock; it also calls listen(backlog) on it.
            for sock in sockets:
                servers.append(
                    await loop.create_server(
                        protocol_factory,
                        sock=sock,
                        ssl=self._ssl_context,
                        backlog=self._backlog,
                    )
                )
        except BaseException:
            for server in servers:
                server.close()
            for sock in sockets[len(servers) :]:
                sock.close()
            raise
        self._servers = servers
        self._server = servers[0]
        self._bound_port = port
        self._check_still_starting()

    def _close_servers(self) -> None:
        for server in self._servers:
            server.close()
        self._servers = []

    def _listening_sockets(self) -> list[Any]:
        return [sock for server in self._servers for sock in server.sockets]


class UnixSite(BaseSite):
    """Serve the runner on a Unix domain socket at *path*."""

    def __init__(
        self,
        runner: "BaseRunner",
        path: PathLike,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: Optional["SSLContext"] = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        self._path = path

    @property
    def name(self) -> str:
        return f"{_scheme(self._ssl_context)}://unix:{os.fspath(self._path)}:"

    async def start(self) -> None:
        """Listen on the socket path (a stale socket file there is replaced)."""
        await super().start()
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_unix_server(
                cast("Server", self._runner.server),
                self._path,
                ssl=self._ssl_context,
                backlog=self._backlog,
            )
            self._check_still_starting()
        except BaseException:
            self._runner._discard_site(self)
            raise


def _require_proactor_loop() -> None:
    if sys.platform != "win32" or not isinstance(  # pragma: no branch
        asyncio.get_event_loop(), asyncio.ProactorEventLoop
    ):
        raise RuntimeError("Named Pipes only available in proactor loop under windows")


class NamedPipeSite(BaseSite):
    """Serve the runner on a Windows named pipe (proactor event loop only)."""

    def __init__(
        self,
        runner: "BaseRunner",
        path: str,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
    ) -> None:
        _require_proactor_loop()
        # Only reached on Windows:
        super().__init__(runner, shutdown_timeout=shutdown_timeout)  # pragma: no cover
        self._path = path  # pragma: no cover

    @property
    def name(self) -> str:  # pragma: no cover
        return self._path

    async def start(self) -> None:  # pragma: no cover
        """Start serving the pipe."""
        await super().start()
        if sys.platform == "win32":
            loop = cast(asyncio.ProactorEventLoop, asyncio.get_running_loop())
            try:
                pipe_servers = await loop.start_serving_pipe(
                    cast("Server", self._runner.server), self._path
                )
                # A PipeServer has close() but no wait_closed(): all we use.
                self._server = cast(asyncio.AbstractServer, pipe_servers[0])
                self._check_still_starting()
            except BaseException:
                self._runner._discard_site(self)
                raise


class SockSite(BaseSite):
    """Serve the runner on a socket you created and bound yourself.

    For a TCP socket ``name`` is its URL and ``port`` its port (an unbound TCP
    socket gets an ephemeral port when it starts listening); for a Unix
    socket ``name`` is ``http://unix:{path}:`` and ``port`` is None.
    """

    def __init__(
        self,
        runner: "BaseRunner",
        sock: socket.socket,
        *,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        ssl_context: Optional["SSLContext"] = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        if not isinstance(sock, socket.socket):
            raise TypeError(f"sock must be a socket.socket, got {sock!r}")
        self._sock = sock
        self._name, self._port = self._describe()

    def _describe(self) -> tuple[str, Optional[int]]:
        # Read once and cached: the socket is closed when the site stops.
        scheme = _scheme(self._ssl_context)
        sockname = self._sock.getsockname()
        if self._sock.family == getattr(socket, "AF_UNIX", None):
            return f"{scheme}://unix:{sockname}:", None
        host, port = sockname[:2]
        return f"{scheme}://{_url_host(host)}:{port}", port

    @property
    def name(self) -> str:
        return self._name

    @property
    def port(self) -> Optional[int]:
        """The socket's port (None for a Unix socket)."""
        return self._port

    async def start(self) -> None:
        """Start serving on the socket."""
        await super().start()
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                cast("Server", self._runner.server),
                sock=self._sock,
                ssl=self._ssl_context,
                backlog=self._backlog,
            )
            self._check_still_starting()
        except BaseException:
            self._runner._discard_site(self)
            raise
        # listen() binds an unbound TCP socket to an ephemeral port.
        self._name, self._port = self._describe()


class BaseRunner(ABC):
    """Owns a low-level server for its sites, from setup() to cleanup().

    Subclasses provide the server (``_make_server()``), release it
    (``_cleanup_server()``) and run their own shutdown step (``shutdown()``,
    e.g. an application's on_shutdown signal). The AppRunner for
    :class:`~aiohttp.web.Application` is such a subclass.
    """

    def __init__(
        self,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = _DEFAULT_SHUTDOWN_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        if shutdown_timeout is not None:  # None: wait for handlers without limit
            if isinstance(shutdown_timeout, bool) or not isinstance(
                shutdown_timeout, (int, float)
            ):
                raise TypeError(
                    "shutdown_timeout must be a number of seconds, "
                    f"got {shutdown_timeout!r}"
                )
            if shutdown_timeout < 0:
                raise ValueError(
                    f"shutdown_timeout must be >= 0 seconds, got {shutdown_timeout!r}"
                )
        self._handle_signals = handle_signals
        self._kwargs = kwargs
        self._server: Optional[Server] = None
        self._sites: list[BaseSite] = []
        self._shutdown_timeout = shutdown_timeout
        self._signal_loop: Optional[asyncio.AbstractEventLoop] = None

    def __repr__(self) -> str:
        state = "set up" if self._server is not None else "not set up"
        return f"<{type(self).__name__} {state}, {len(self._sites)} site(s)>"

    @property
    def server(self) -> Optional["Server"]:
        """The low-level server once set up (None before setup / after cleanup)."""
        return self._server

    @property
    def addresses(self) -> list[Any]:
        """``getsockname()`` of every listening socket of every started site."""
        return [
            sock.getsockname()
            for site in self._sites
            for sock in site._listening_sockets()
        ]

    @property
    def sites(self) -> set[BaseSite]:
        """The started sites (a copy: changing it does not affect the runner)."""
        return set(self._sites)

    async def setup(self) -> None:
        """Create the server (and signal handlers); call before making sites."""
        if self._server is not None:
            raise RuntimeError(
                f"{self!r} is already set up; call cleanup() before setup() again"
            )
        if self._handle_signals:
            self._add_signal_handlers()
        try:
            self._server = await self._make_server()
        except BaseException:
            self._remove_signal_handlers()
            raise

    @abstractmethod
    async def shutdown(self) -> None:
        """Subclass hook run by cleanup() while in-flight requests finish."""

    async def cleanup(self) -> None:
        """Stop all sites, drain connections, release the server (idempotent)."""
        try:
            for site in list(self._sites):
                await site.stop()
            server = self._server
            if server is not None:
                # A connection accepted just before its listening socket closed
                # is still being set up by the loop; let it reach the server so
                # it is drained like the others rather than cut off.
                for _ in range(2):
                    await asyncio.sleep(0)
                server.pre_shutdown()
                await self.shutdown()
                await server.shutdown(self._shutdown_timeout)
                await self._cleanup_server()
        finally:
            self._server = None
            self._remove_signal_handlers()

    @abstractmethod
    async def _make_server(self) -> "Server":
        """Create the low-level server this runner's sites will serve."""

    @abstractmethod
    async def _cleanup_server(self) -> None:
        """Release what _make_server() created (after connections drained)."""

    def _add_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
            loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
        except NotImplementedError:
            # Windows loops have no add_signal_handler; run_app falls back on
            # KeyboardInterrupt there.
            return
        self._signal_loop = loop

    def _remove_signal_handlers(self) -> None:
        loop, self._signal_loop = self._signal_loop, None
        if loop is not None and not loop.is_closed():
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(
                f"Site {site!r} is already registered in runner {self!r}"
            )
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site!r} is not registered in runner {self!r}")

    def _unreg_site(self, site: BaseSite) -> None:
        self._check_site(site)
        self._sites.remove(site)

    def _discard_site(self, site: BaseSite) -> None:
        # A site whose start() failed; cleanup() may have removed it already.
        if site in self._sites:
            self._sites.remove(site)


class ServerRunner(BaseRunner):
    """Runner for a prebuilt low-level :class:`~aiohttp.web_server.Server`."""

    def __init__(
        self, web_server: "Server", *, handle_signals: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        """Nothing to do: a bare server has no shutdown callbacks."""

    async def _make_server(self) -> "Server":
        return self._web_server

    async def _cleanup_server(self) -> None:
        pass


class AppRunner(BaseRunner):
    """Runner for a :class:`~aiohttp.web.Application`.

    ``setup()`` freezes the application and sends its ``on_startup`` signal
    (cleanup contexts enter there); ``cleanup()`` sends ``on_shutdown`` while
    in-flight requests finish, then ``on_cleanup``.  Extra keyword arguments
    (and the application's ``handler_args``) configure the request handlers.
    """

    def __init__(
        self,
        app: "Application",
        *,
        handle_signals: bool = False,
        access_log_class: type[
            Union[AbstractAccessLogger, AbstractAsyncAccessLogger]
        ] = AccessLogger,
        **kwargs: Any,
    ) -> None:
        from .web_app import Application

        if not isinstance(app, Application):
            raise TypeError(
                f"The first argument should be web.Application instance, got {app!r}"
            )
        if not (
            isinstance(access_log_class, type)
            and issubclass(
                access_log_class, (AbstractAccessLogger, AbstractAsyncAccessLogger)
            )
        ):
            raise TypeError(
                "access_log_class must be a subclass of AbstractAccessLogger or "
                f"AbstractAsyncAccessLogger, got {access_log_class!r}"
            )
        super().__init__(
            handle_signals=handle_signals, access_log_class=access_log_class, **kwargs
        )
        self._app = app

    @property
    def app(self) -> "Application":
        """The application this runner serves."""
        return self._app

    async def shutdown(self) -> None:
        """Send the application's ``on_shutdown`` signal."""
        await self._app.shutdown()

    async def _make_server(self) -> "Server":
        from .web_server import Server

        app = self._app
        app.on_startup.freeze()
        await app.startup()
        app.freeze()
        # The application's handler_args win over the runner's keywords.
        kwargs = {**self._kwargs, **app._handler_args}
        return Server(
            app._handle,  # type: ignore[arg-type]
            request_factory=app._make_request,
            **kwargs,
        )

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
