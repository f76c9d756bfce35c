"""HTTPS through an HTTP proxy: the ``CONNECT`` tunnel and TLS over it.

The connector has already opened a connection to the proxy. Here we ask the
proxy for a tunnel to ``host:port`` (RFC 9110 9.3.6), read its answer with
the connection's own :class:`ResponseHandler`, and on ``200`` start TLS with
the target over the same transport.
"""

import asyncio
import ssl
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Optional

from multidict import CIMultiDict, CIMultiDictProxy

from . import hdrs
from ._client_base import ConnectionKey
from ._connector_ssl import connect_errors
from .client_exceptions import (
    ClientConnectorError,
    ClientHttpProxyError,
)
from .client_proto import ResponseHandler
from .http_writer import serialize_headers

if TYPE_CHECKING:
    from ._client_request import ClientRequest

__all__ = ("open_tunnel", "start_tls")


def _authority(req: "ClientRequest") -> str:
    host = req.url.host_subcomponent or req.host
    return f"{host}:{req.port}"


def _tunnel_headers(req: "ClientRequest", authority: str) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict(req.proxy_headers or ())
    headers[hdrs.HOST] = req.headers.get(hdrs.HOST, authority)
    if req.proxy_auth is not None and hdrs.PROXY_AUTHORIZATION not in headers:
        headers[hdrs.PROXY_AUTHORIZATION] = req.proxy_auth.encode()
    return headers


def _request_info(req: "ClientRequest", headers: CIMultiDict[str]) -> Any:
    # Imported here: the response module is the session's, loaded by then.
    from ._client_response import RequestInfo

    return RequestInfo(req.url, hdrs.METH_CONNECT, CIMultiDictProxy(headers), req.url)


async def open_tunnel(
    req: "ClientRequest",
    proto: ResponseHandler,
    *,
    read_timeout: Optional[float],
    ceil_threshold: float,
) -> None:
    """Send ``CONNECT`` on *proto*'s connection; raise unless the proxy says 200."""
    transport = proto.transport
    if transport is None:
        raise ClientConnectorError(
            req.connection_key, ConnectionResetError("proxy connection lost")
        )
    authority = _authority(req)
    headers = _tunnel_headers(req, authority)
    proto.set_response_params(
        read_timeout=read_timeout, timeout_ceil_threshold=ceil_threshold
    )
    proto.set_request_method(hdrs.METH_CONNECT)
    transport.write(serialize_headers(f"CONNECT {authority} HTTP/1.1", headers.items()))
    message, _ = await proto.read()
    while message.code < 200:  # interim answers: wait for the real one
        message, _ = await proto.read()
    if message.code != 200:
        reason = message.reason
        if not reason:
            try:
                reason = HTTPStatus(message.code).phrase
            except ValueError:
                reason = ""
        raise ClientHttpProxyError(
            _request_info(req, headers),
            (),
            status=message.code,
            message=reason,
            headers=message.headers,
        )


async def start_tls(
    loop: asyncio.AbstractEventLoop,
    transport: asyncio.Transport,
    factory: Any,
    *,
    sslcontext: ssl.SSLContext,
    server_hostname: str,
    key: ConnectionKey,
    handshake_timeout: Optional[float],
) -> tuple[asyncio.Transport, ResponseHandler]:
    """Upgrade the tunnel to TLS with the target; map TLS errors to ours."""
    proto: ResponseHandler = factory()
    with connect_errors(key):
        tls_transport = await loop.start_tls(
            transport,
            proto,
            sslcontext,
            server_hostname=server_hostname,
            ssl_handshake_timeout=handshake_timeout,
        )
    if tls_transport is None:  # pragma: no cover - only if closed mid-handshake
        raise ClientConnectorError(key, ConnectionResetError("tunnel closed"))
    # start_tls() does not announce the new transport to the protocol.
    proto.connection_made(tls_transport)
    return tls_transport, proto
