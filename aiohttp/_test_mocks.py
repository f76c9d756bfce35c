"""Test doubles: :func:`make_mocked_request` and :func:`make_mocked_coro`.

The request is a real :class:`~aiohttp.web.Request` over a real
:class:`~aiohttp.web_protocol.RequestHandler` and a real
:class:`~aiohttp.http_writer.StreamWriter`, attached to a real
:class:`~aiohttp.web.Application`.  Only what needs a network peer is a mock:
the transport (a :class:`unittest.mock.Mock` that records every ``write``),
the handler task and, when none is running, the event loop.  So a handler can
prepare and write a response, and the test can read the bytes back from
``request.transport.write``.
"""

import asyncio
import inspect
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union
from unittest import mock

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import hdrs
from ._helpers import SENTINEL
from .abc import AbstractMatchInfo, AbstractStreamWriter
from .base_protocol import BaseProtocol
from .http_parser import RawRequestMessage
from .http_writer import HttpVersion, HttpVersion11, StreamWriter
from .streams import EMPTY_PAYLOAD, StreamReader
from .typedefs import LooseHeaders
from .web_request import Request

if TYPE_CHECKING:
    from .web_app import Application

__all__ = ("make_mocked_coro", "make_mocked_request")


def make_mocked_coro(
    return_value: Any = SENTINEL, raise_exception: Any = SENTINEL
) -> mock.Mock:
    """A :class:`~unittest.mock.Mock` whose calls return a coroutine.

    Awaiting the call gives ``return_value`` (awaiting it first if it is
    awaitable) or raises ``raise_exception``; the mock records the calls, so
    ``assert_called_once_with`` and friends work as usual.
    """

    async def call(*args: Any, **kwargs: Any) -> Any:
        if raise_exception is not SENTINEL:
            raise raise_exception
        if return_value is SENTINEL:
            return None
        if inspect.isawaitable(return_value):
            return await return_value
        return return_value

    return mock.Mock(wraps=call)


def _mock_transport(sslcontext: Optional[ssl.SSLContext]) -> mock.Mock:
    """A transport that accepts and records writes and knows no peer."""
    transport = mock.Mock(spec=asyncio.Transport)
    extra: dict[str, Any] = {"sslcontext": sslcontext, "sockname": ("127.0.0.1", 80)}

    def get_extra_info(name: str, default: Any = None) -> Any:
        return extra.get(name, default)

    transport.get_extra_info.side_effect = get_extra_info
    transport.is_closing.return_value = False
    return transport


def _mock_loop() -> mock.Mock:
    """A stand-in loop for requests built outside a running event loop."""
    loop = mock.Mock(spec=asyncio.AbstractEventLoop)
    loop.get_debug.return_value = False
    loop.time.return_value = 0.0
    return loop


def _default_app() -> "Application":
    from .web_app import Application

    app = Application()
    # A handler may prepare a response: the prepare signal must be sendable,
    # which aiosignal allows only once it is frozen.  The app itself stays
    # unfrozen so tests can still store state in it.
    app.on_response_prepare.freeze()
    return app


def _match_info(match_info: Any, app: "Application") -> AbstractMatchInfo:
    from ._urldispatcher_base import UrlMappingMatchInfo

    if isinstance(match_info, AbstractMatchInfo):
        info = match_info
    elif match_info is None or isinstance(match_info, Mapping):
        # The route is a mock: there is no handler the request was routed to.
        info = UrlMappingMatchInfo(dict(match_info or {}), mock.Mock())
    else:
        raise TypeError(
            f"match_info={match_info!r} must be a mapping of path values "
            "(e.g. {'name': 'value'}) or a match info object"
        )
    if not info.apps:
        info.add_app(app)
    return info


def _payload(
    payload: Union[StreamReader, bytes, bytearray, memoryview],
    loop: asyncio.AbstractEventLoop,
) -> StreamReader:
    if isinstance(payload, StreamReader):
        return payload
    if isinstance(payload, (bytes, bytearray, memoryview)):
        # A convenience: a whole body given as bytes becomes a fed stream.
        # Already complete, it never needs flow control from a connection.
        stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
        if payload:
            stream.feed_data(bytes(payload))
        stream.feed_eof()
        return stream
    raise TypeError(
        f"payload={payload!r} must be a StreamReader (or the body as bytes)"
    )


def _message(
    method: str,
    path: str,
    headers: Optional[LooseHeaders],
    version: HttpVersion,
    closing: bool,
) -> RawRequestMessage:
    if not isinstance(method, str) or not method:
        raise TypeError(f"method={method!r} must be a non-empty str such as 'GET'")
    if not isinstance(path, str):
        raise TypeError(f"path={path!r} must be a str such as '/path?query'")
    hdrs_proxy = CIMultiDictProxy(CIMultiDict(headers or ()))
    raw_headers = tuple(
        (name.encode("utf-8"), value.encode("utf-8"))
        for name, value in hdrs_proxy.items()
    )
    encoding = hdrs_proxy.get(hdrs.TRANSFER_ENCODING, "").lower()
    connection = hdrs_proxy.get(hdrs.CONNECTION, "").lower()
    upgrade = "upgrade" in connection and hdrs.UPGRADE in hdrs_proxy
    return RawRequestMessage(
        method,
        path,
        version,
        hdrs_proxy,
        raw_headers,
        closing,
        None,
        upgrade,
        "chunked" in encoding,
        URL(path),
    )


def _protocol(app: "Application", loop: asyncio.AbstractEventLoop) -> BaseProtocol:
    """A real server protocol for ``app``, not connected to anything."""
    from .web_protocol import RequestHandler
    from .web_server import Server

    server = Server(
        app._handle,  # type: ignore[arg-type]
        request_factory=app._make_request,
        loop=loop,
    )
    return RequestHandler(server, loop=loop)


def make_mocked_request(
    method: str,
    path: str,
    headers: Optional[LooseHeaders] = None,
    *,
    match_info: Any = None,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: Optional["Application"] = None,
    writer: Optional[AbstractStreamWriter] = None,
    protocol: Any = None,
    transport: Any = None,
    payload: Union[StreamReader, bytes, bytearray, memoryview] = EMPTY_PAYLOAD,
    sslcontext: Optional[ssl.SSLContext] = None,
    client_max_size: int = 1024**2,
    loop: Any = ...,
) -> Request:
    """A :class:`~aiohttp.web.Request` for unit-testing a handler without a server.

    ``path`` may carry a query string; ``match_info`` gives the path values a
    router would have found; ``app`` (a new, empty application by default) is
    ``request.app``.  ``payload`` is the body: a stream, or plain bytes.  What a
    handler writes goes to ``request.transport.write`` (a mock) unless you pass
    your own ``transport``, ``protocol`` or ``writer``.  ``sslcontext`` makes
    the request look as if it came over TLS.  ``loop`` defaults to the running
    loop, or a mock when there is none.
    """
    if loop is ...:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = _mock_loop()
    message = _message(method, path, headers, version, closing)
    if app is None:
        app = _default_app()
    own_transport = transport is None
    if own_transport:
        transport = _mock_transport(sslcontext)
    if protocol is None:
        protocol = _protocol(app, loop)
        protocol.transport = transport
    elif not own_transport or not isinstance(
        getattr(protocol, "transport", None), asyncio.BaseTransport
    ):
        # A caller's protocol (often a bare Mock) gets the transport, so
        # request.transport, .scheme and .remote answer from it.
        protocol.transport = transport
    if writer is None:
        writer = _writer(protocol, transport, own_transport, sslcontext, loop)
    request = Request(
        message,
        _payload(payload, loop),
        protocol,
        writer,
        mock.Mock(),  # the handler task: there is none outside a server
        loop,
        client_max_size=client_max_size,
    )
    request._match_info = _match_info(match_info, app)  # type: ignore[assignment]
    return request


def _writer(
    protocol: Any,
    transport: Any,
    own_transport: bool,
    sslcontext: Optional[ssl.SSLContext],
    loop: asyncio.AbstractEventLoop,
) -> StreamWriter:
    """A real writer whose bytes end up on a recording mock transport.

    A transport or protocol supplied by the caller may be a bare Mock that
    cannot take writes (``is_closing()`` is truthy), so then the writer gets
    a recording transport of its own, as a mocked writer would swallow them.
    """
    if own_transport and isinstance(protocol, BaseProtocol):
        return StreamWriter(protocol, loop)
    sink = BaseProtocol(loop)
    sink.transport = transport if own_transport else _mock_transport(sslcontext)
    return StreamWriter(sink, loop)
