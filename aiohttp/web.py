"""The public ``aiohttp.web`` namespace: applications, requests, responses, runners.

Also :func:`run_app`, which serves an application until Ctrl+C, and the
command line ``python -m aiohttp.web [-H HOST] [-P PORT] [-U PATH]
module:factory [args...]``.
"""

import asyncio
import logging
import os
import socket
import sys
from argparse import ArgumentParser
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from importlib import import_module
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from . import web_exceptions
from .abc import AbstractAccessLogger, AbstractAsyncAccessLogger
from .log import access_logger
from .typedefs import PathLike
from .web_app import (
    AppKey,
    Application,
    CleanupError,
    NotAppKeyWarning,
    RequestKey,
    ResponseKey,
)
from .web_exceptions import *  # noqa: F403
from .web_fileresponse import FileResponse
from .web_log import AccessLogger
from .web_middlewares import middleware, normalize_path_middleware
from .web_protocol import PayloadAccessError, RequestHandler, RequestPayloadError
from .web_request import BaseRequest, FileField, Request
from .web_response import ContentCoding, Response, StreamResponse, json_response
from .web_routedef import (
    AbstractRouteDef,
    RouteDef,
    RouteTableDef,
    StaticDef,
    delete,
    get,
    head,
    options,
    patch,
    post,
    put,
    route,
    static,
    view,
)
from .web_runner import (
    AppRunner,
    BaseRunner,
    BaseSite,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from .web_server import Server
from .web_urldispatcher import (
    AbstractResource,
    AbstractRoute,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    Resource,
    ResourceRoute,
    StaticResource,
    UrlDispatcher,
    UrlMappingMatchInfo,
    View,
)

if TYPE_CHECKING:
    from ssl import SSLContext

__all__ = [
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouteDef",
    "AccessLogger",
    "AppKey",
    "AppRunner",
    "Application",
    "BaseRequest",
    "BaseRunner",
    "BaseSite",
    "CleanupError",
    "ContentCoding",
    "DynamicResource",
    "FileField",
    "FileResponse",
    "GracefulExit",
    "MatchedSubAppResource",
    "NamedPipeSite",
    "NotAppKeyWarning",
    "PayloadAccessError",
    "PlainResource",
    "PrefixedSubAppResource",
    "Request",
    "RequestHandler",
    "RequestKey",
    "RequestPayloadError",
    "Resource",
    "ResourceRoute",
    "Response",
    "ResponseKey",
    "RouteDef",
    "RouteTableDef",
    "Server",
    "ServerRunner",
    "SockSite",
    "StaticDef",
    "StaticResource",
    "StreamResponse",
    "TCPSite",
    "UnixSite",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
    "delete",
    "get",
    "head",
    "json_response",
    "middleware",
    "normalize_path_middleware",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "run_app",
    "static",
    "view",
]
__all__ += web_exceptions.__all__

_AppOrFactory = Union[Application, Awaitable[Application]]
_AccessLogClass = type[Union[AbstractAccessLogger, AbstractAsyncAccessLogger]]


def _as_list(value: Any, kind: Union[type, tuple[type, ...]]) -> list[Any]:
    """One value of *kind* or an iterable of them, as a list."""
    if isinstance(value, kind):
        return [value]
    return list(cast(Iterable[Any], value))


def _make_sites(
    runner: AppRunner,
    *,
    host: Union[str, Sequence[str], None],
    port: Optional[int],
    path: Union[PathLike, Sequence[PathLike], None],
    sock: Union[socket.socket, Sequence[socket.socket], None],
    ssl_context: Optional["SSLContext"],
    backlog: int,
    reuse_address: Optional[bool],
    reuse_port: Optional[bool],
) -> list[BaseSite]:
    """The sites run_app starts: TCP by default, plus Unix paths and sockets."""
    sites: list[BaseSite] = []
    tcp: dict[str, Any] = {
        "ssl_context": ssl_context,
        "backlog": backlog,
        "reuse_address": reuse_address,
        "reuse_port": reuse_port,
    }
    if host is not None:
        for one_host in _as_list(host, str):
            sites.append(TCPSite(runner, one_host, port, **tcp))
    elif (path is None and sock is None) or port is not None:
        sites.append(TCPSite(runner, port=port, **tcp))
    if path is not None:
        for one_path in _as_list(path, (str, bytes, os.PathLike)):
            sites.append(
                UnixSite(runner, one_path, ssl_context=ssl_context, backlog=backlog)
            )
    if sock is not None:
        for one_sock in _as_list(sock, socket.socket):
            sites.append(
                SockSite(runner, one_sock, ssl_context=ssl_context, backlog=backlog)
            )
    return sites


async def _run_app(
    app: _AppOrFactory,
    *,
    print: Optional[Callable[..., None]],
    handle_signals: bool,
    runner_kwargs: dict[str, Any],
    site_kwargs: dict[str, Any],
) -> None:
    if not isinstance(app, Application) and asyncio.iscoroutine(app):
        app = await app
    if not isinstance(app, Application):
        raise TypeError(
            f"run_app() needs a web.Application (or a coroutine returning one), "
            f"got {app!r}"
        )
    runner = AppRunner(app, handle_signals=handle_signals, **runner_kwargs)
    await runner.setup()
    try:
        for site in _make_sites(runner, **site_kwargs):
            await site.start()
        if print is not None:
            names = ", ".join(sorted(site.name for site in runner.sites))
            print(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
        # Serve until cancelled (GracefulExit / KeyboardInterrupt stop the loop).
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _cancel_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during asyncio.run() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def run_app(
    app: _AppOrFactory,
    *,
    debug: bool = False,
    host: Union[str, Sequence[str], None] = None,
    port: Optional[int] = None,
    path: Union[PathLike, Sequence[PathLike], None] = None,
    sock: Union[socket.socket, Sequence[socket.socket], None] = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    ssl_context: Optional["SSLContext"] = None,
    print: Optional[Callable[..., None]] = print,
    backlog: int = 128,
    access_log_class: _AccessLogClass = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: Optional[logging.Logger] = access_logger,
    handle_signals: bool = True,
    reuse_address: Optional[bool] = None,
    reuse_port: Optional[bool] = None,
    handler_cancellation: bool = False,
    loop: Optional[asyncio.AbstractEventLoop] = None,
) -> None:
    """Serve *app* until Ctrl+C / SIGTERM, then shut it down gracefully.

    Prints ``======== Running on URL ========`` with the real bound address
    (``port=0`` shows the port the OS chose); ``print=None`` keeps quiet.
    ``debug=True`` turns on asyncio's debug mode for the loop.
    """
    if loop is None:
        loop = asyncio.new_event_loop()
    if debug:
        # Only switch it on: a caller's loop already in debug mode stays so.
        loop.set_debug(True)
    if loop.get_debug() and access_log is not None and access_log is access_logger:
        # Debug mode with the default logger: show the access log.
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())
    main_task = loop.create_task(
        _run_app(
            app,
            print=print,
            handle_signals=handle_signals,
            runner_kwargs={
                "access_log_class": access_log_class,
                "access_log_format": access_log_format,
                "access_log": access_log,
                "keepalive_timeout": keepalive_timeout,
                "shutdown_timeout": shutdown_timeout,
                "handler_cancellation": handler_cancellation,
            },
            site_kwargs={
                "host": host,
                "port": port,
                "path": path,
                "sock": sock,
                "ssl_context": ssl_context,
                "backlog": backlog,
                "reuse_address": reuse_address,
                "reuse_port": reuse_port,
            },
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            main_task.cancel()
            with suppress(asyncio.CancelledError):
                loop.run_until_complete(main_task)
        finally:
            _cancel_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            asyncio.set_event_loop(None)


def _load_factory(parser: ArgumentParser, entry_func: str) -> Callable[..., Any]:
    module_name, _, func_name = entry_func.partition(":")
    if not module_name or not func_name:
        parser.error("'entry-func' not in 'module:function' syntax")
    if module_name.startswith("."):
        parser.error("relative module names not supported")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        parser.error(f"unable to import {module_name}: {exc}")
    try:
        return cast(Callable[..., Any], getattr(module, func_name))
    except AttributeError:
        parser.error(f"module {module_name!r} has no attribute {func_name!r}")


def main(argv: list[str]) -> None:
    """``python -m aiohttp.web``: import ``module:factory`` and serve its app.

    The factory is called with the command-line arguments left over.
    """
    parser = ArgumentParser(
        description="aiohttp.web Application server", prog="aiohttp.web"
    )
    parser.add_argument(
        "entry_func",
        metavar="entry-func",
        help="callable returning the web.Application to run, as module:function",
    )
    parser.add_argument(
        "-H", "--hostname", default=None, help="TCP/IP hostname (default: localhost)"
    )
    parser.add_argument(
        "-P", "--port", type=int, default=8080, help="TCP/IP port (default: 8080)"
    )
    parser.add_argument(
        "-U", "--path", help="Unix socket path (combine with -H for both)"
    )
    args, extra_argv = parser.parse_known_args(argv)
    factory = _load_factory(parser, args.entry_func)
    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        parser.error("file system paths not supported by your operating environment")
    logging.basicConfig(level=logging.DEBUG)
    host: Optional[str]
    port: Optional[int]
    if args.path and args.hostname is None:
        host = port = None
    else:
        host, port = args.hostname or "localhost", args.port
    run_app(factory(extra_argv), host=host, port=port, path=args.path)
    parser.exit(message="Stopped\n")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
