"""Connectors: where the client's connections come from.

:class:`TCPConnector` resolves host names (with a TTL cache), connects with
Happy Eyeballs (RFC 8305, through ``aiohappyeyeballs``), sets up TLS
(``ssl=True/False/SSLContext/Fingerprint``) and tunnels HTTPS through HTTP
proxies. :class:`UnixConnector` and :class:`NamedPipeConnector` connect to a
local socket or pipe instead. All of them pool and limit connections as
:class:`BaseConnector` does.
"""

import asyncio
import socket
import ssl
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

import aiohappyeyeballs

from ._client_base import ConnectionKey, Fingerprint
from ._client_timeout import timeout as deadline
from ._connector_base import BaseConnector
from ._connector_conn import Connection
from ._connector_dns import HostResolver
from ._connector_proxy import open_tunnel, start_tls
from ._connector_ssl import (
    SSLParam,
    connect_errors,
    fingerprint_for,
    merge_ssl_params,
    ssl_context_for,
)
from ._helpers import SENTINEL, Sentinel
from .abc import AbstractResolver, ResolveResult
from .client_exceptions import (
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientProxyConnectionError,
    ServerFingerprintMismatch,
    UnixClientConnectorError,
)
from .client_proto import ResponseHandler
from .resolver import DefaultResolver

if TYPE_CHECKING:
    from ._client_request import ClientRequest
    from ._client_timeout import ClientTimeout
    from .tracing import Trace

__all__ = (
    "BaseConnector",
    "Connection",
    "NamedPipeConnector",
    "TCPConnector",
    "UnixConnector",
)

_AddrInfos = list[aiohappyeyeballs.AddrInfoType]
_ClientErrorType = type[ClientConnectorError]


def _sock_connect(timeout: Optional["ClientTimeout"]) -> tuple[Optional[float], float]:
    if timeout is None:
        return None, 5
    return timeout.sock_connect, timeout.ceil_threshold


class TCPConnector(BaseConnector):
    """Connects over TCP (and TLS), resolving and caching host names.

    ``ssl`` is the default TLS setting for https requests (see
    :mod:`aiohttp._connector_ssl`); ``use_dns_cache``/``ttl_dns_cache`` control
    the DNS cache (ttl None: forever); ``family`` restricts the address family
    (``socket.AF_INET``/``AF_INET6``; 0 for both); ``local_addr`` is the
    ``(host, port)`` to bind before connecting; ``resolver`` replaces the
    default :class:`~aiohttp.resolver.ThreadedResolver`.
    """

    def __init__(
        self,
        *,
        ssl: Union[SSLParam, None] = True,
        verify_ssl: bool = True,
        fingerprint: Optional[bytes] = None,
        use_dns_cache: bool = True,
        ttl_dns_cache: Optional[int] = 10,
        family: socket.AddressFamily = socket.AddressFamily.AF_UNSPEC,
        ssl_context: Optional["ssl.SSLContext"] = None,
        local_addr: Optional[tuple[str, int]] = None,
        resolver: Optional[AbstractResolver] = None,
        keepalive_timeout: Union[float, Sentinel, None] = SENTINEL,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        timeout_ceil_threshold: float = 5,
        happy_eyeballs_delay: Optional[float] = 0.25,
        interleave: Optional[int] = None,
        socket_factory: Optional[aiohappyeyeballs.SocketFactoryType] = None,
        ssl_shutdown_timeout: Union[Optional[float], Sentinel] = SENTINEL,
    ) -> None:
        self._ssl = merge_ssl_params(ssl, verify_ssl, ssl_context, fingerprint)
        if resolver is not None and not isinstance(resolver, AbstractResolver):
            raise TypeError(
                f"resolver must be an aiohttp.abc.AbstractResolver, got {resolver!r}"
            )
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            enable_cleanup_closed=enable_cleanup_closed,
            loop=loop,
            timeout_ceil_threshold=timeout_ceil_threshold,
        )
        self._resolver_owner = resolver is None
        self._resolver = (
            resolver if resolver is not None else DefaultResolver(self._loop)
        )
        self._family = family
        self._dns = HostResolver(
            self._resolver,
            loop=self._loop,
            family=family,
            use_cache=use_dns_cache,
            ttl=ttl_dns_cache,
        )
        self._local_addr_infos = aiohappyeyeballs.addr_to_addr_infos(local_addr)
        self._happy_eyeballs_delay = happy_eyeballs_delay
        self._interleave = interleave
        self._socket_factory = socket_factory
        self._ssl_shutdown_timeout = (
            None if isinstance(ssl_shutdown_timeout, Sentinel) else ssl_shutdown_timeout
        )

    @property
    def family(self) -> int:
        """The address family connections use (0: IPv4 and IPv6)."""
        return self._family

    @property
    def use_dns_cache(self) -> bool:
        """Whether resolved addresses are cached."""
        return self._dns.use_cache

    def clear_dns_cache(
        self, host: Optional[str] = None, port: Optional[int] = None
    ) -> None:
        """Forget the cached addresses of ``(host, port)``, or all of them."""
        self._dns.clear(host, port)

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close every connection, cancel lookups, close a resolver we created."""
        self._dns.cancel()
        try:
            await super().close(abort_ssl=abort_ssl)
        finally:
            if self._resolver_owner:
                await self._resolver.close()

    # ----------------------------------------------------------- connecting
    async def _create_connection(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:
        if req.proxy is not None:
            return await self._create_proxy_connection(req, traces, timeout)
        sslcontext = ssl_context_for(req.ssl, self._ssl) if req.is_ssl() else None
        _, proto = await self._connect_host(
            req.host,
            req.port or 0,
            key=req.connection_key,
            traces=traces,
            timeout=timeout,
            sslcontext=sslcontext,
            server_hostname=req.server_hostname,
            fingerprint=fingerprint_for(req.ssl, self._ssl) if sslcontext else None,
        )
        return proto

    async def _resolve(
        self, host: str, port: int, key: ConnectionKey, traces: Sequence["Trace"]
    ) -> list[ResolveResult]:
        try:
            return await self._dns.resolve(host, port, traces)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorDNSError(key, exc) from exc

    def _addr_infos(self, hosts: list[ResolveResult]) -> _AddrInfos:
        infos: _AddrInfos = []
        for hinfo in hosts:
            host = hinfo["host"]
            is_ipv6 = ":" in host
            family = socket.AF_INET6 if is_ipv6 else socket.AF_INET
            if self._family and self._family != family:
                continue
            addr = (host, hinfo["port"], 0, 0) if is_ipv6 else (host, hinfo["port"])
            infos.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr))
        return infos

    async def _connect_host(
        self,
        host: str,
        port: int,
        *,
        key: ConnectionKey,
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
        sslcontext: Optional[ssl.SSLContext],
        server_hostname: Optional[str],
        fingerprint: Optional[Fingerprint],
        client_error: _ClientErrorType = ClientConnectorError,
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        """Resolve *host* and connect to one of its addresses (TLS if asked)."""
        if host.endswith(".."):
            host = host.rstrip(".") + "."
        addr_infos = self._addr_infos(await self._resolve(host, port, key, traces))
        if sslcontext is not None:
            server_hostname = (server_hostname or host).rstrip(".")
        else:
            server_hostname = None
        last_exc: Optional[BaseException] = None
        while addr_infos:
            try:
                transport, proto = await self._open(
                    addr_infos, key, timeout, sslcontext, server_hostname, client_error
                )
            except (ClientConnectorError, asyncio.TimeoutError) as exc:
                last_exc = exc
                aiohappyeyeballs.pop_addr_infos_interleave(addr_infos, self._interleave)
                continue
            if fingerprint is None:
                return transport, proto
            try:
                fingerprint.check(transport)
            except ServerFingerprintMismatch as exc:
                # Try the host's other addresses: another server may be right.
                peer = transport.get_extra_info("peername")
                proto.close()
                last_exc = exc
                if peer is None:
                    break
                aiohappyeyeballs.remove_addr_infos(addr_infos, peer)
                continue
            return transport, proto
        if last_exc is None:
            last_exc = client_error(
                key,
                OSError(None, f"no address of {host!r} matches family {self._family}"),
            )
        raise last_exc

    async def _open(
        self,
        addr_infos: _AddrInfos,
        key: ConnectionKey,
        timeout: Optional["ClientTimeout"],
        sslcontext: Optional[ssl.SSLContext],
        server_hostname: Optional[str],
        client_error: _ClientErrorType,
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        """One Happy Eyeballs connect plus TLS, errors mapped to ours."""
        sock: Optional[socket.socket] = None
        sock_connect, ceil = _sock_connect(timeout)
        kwargs: dict[str, Any] = {}
        if sslcontext is not None:
            kwargs["server_hostname"] = server_hostname
            if self._ssl_shutdown_timeout is not None:
                kwargs["ssl_shutdown_timeout"] = self._ssl_shutdown_timeout
        try:
            with (
                connect_errors(key, client_error),
                deadline(self._loop, sock_connect, ceil),
            ):
                sock = await aiohappyeyeballs.start_connection(
                    addr_infos=addr_infos,
                    local_addr_infos=self._local_addr_infos,
                    happy_eyeballs_delay=self._happy_eyeballs_delay,
                    interleave=self._interleave,
                    loop=self._loop,
                    socket_factory=self._socket_factory,
                )
                transport, proto = await self._loop.create_connection(
                    self._factory, sock=sock, ssl=sslcontext, **kwargs
                )
                sock = None  # the transport owns it now
                return transport, proto
        finally:
            if sock is not None:
                sock.close()

    async def _create_proxy_connection(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:
        proxy = req.proxy
        assert proxy is not None and proxy.raw_host is not None
        proxy_is_ssl = proxy.scheme == "https"
        proxy_ssl: SSLParam = req.ssl if proxy_is_ssl else True
        proxy_key = ConnectionKey(
            proxy.raw_host, proxy.port, proxy_is_ssl, proxy_ssl, None, None, None
        )
        # Like aiohttp, the hop to the proxy itself is not traced.
        transport, proto = await self._connect_host(
            proxy.raw_host,
            proxy.port or 0,
            key=proxy_key,
            traces=(),
            timeout=timeout,
            sslcontext=ssl_context_for(proxy_ssl, self._ssl) if proxy_is_ssl else None,
            server_hostname=None,
            fingerprint=None,
            client_error=ClientProxyConnectionError,
        )
        if not req.is_ssl():
            return proto  # plain http: the request itself goes to the proxy
        return await self._tunnel(req, transport, proto, timeout)

    async def _tunnel(
        self,
        req: "ClientRequest",
        transport: asyncio.Transport,
        proto: ResponseHandler,
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:
        sock_connect, ceil = _sock_connect(timeout)
        try:
            await open_tunnel(
                req,
                proto,
                read_timeout=None if timeout is None else timeout.sock_read,
                ceil_threshold=ceil,
            )
            tls_transport, tls_proto = await start_tls(
                self._loop,
                transport,
                self._factory,
                sslcontext=ssl_context_for(req.ssl, self._ssl),
                server_hostname=(req.server_hostname or req.host).rstrip("."),
                key=req.connection_key,
                handshake_timeout=sock_connect,
            )
        except BaseException:
            transport.close()
            raise
        fingerprint = fingerprint_for(req.ssl, self._ssl)
        if fingerprint is not None:
            try:
                fingerprint.check(tls_transport)
            except ServerFingerprintMismatch:
                tls_proto.close()
                raise
        return tls_proto


class _PathConnector(BaseConnector):
    """A connector to one local endpoint named by a path, whatever the URL's host."""

    def __init__(
        self,
        path: str,
        force_close: bool = False,
        keepalive_timeout: Union[float, Sentinel, None] = SENTINEL,
        limit: int = 100,
        limit_per_host: int = 0,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(
            force_close=force_close,
            keepalive_timeout=keepalive_timeout,
            limit=limit,
            limit_per_host=limit_per_host,
            loop=loop,
        )
        self._path = path

    @property
    def path(self) -> str:
        """Path of the socket or pipe."""
        return self._path


class UnixConnector(_PathConnector):
    """Connects to a Unix domain socket at ``path`` whatever the URL's host."""

    allowed_protocol_schema_set = BaseConnector.allowed_protocol_schema_set | {"unix"}

    async def _create_connection(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:
        sock_connect, ceil = _sock_connect(timeout)
        try:
            with deadline(self._loop, sock_connect, ceil):
                _, proto = await self._loop.create_unix_connection(
                    self._factory, self._path
                )
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise UnixClientConnectorError(self._path, req.connection_key, exc) from exc
        return proto


class NamedPipeConnector(_PathConnector):
    """Connects to a Windows named pipe at ``path`` (needs the proactor loop)."""

    allowed_protocol_schema_set = BaseConnector.allowed_protocol_schema_set | {"npipe"}

    def __init__(
        self,
        path: str,
        force_close: bool = False,
        keepalive_timeout: Union[float, Sentinel, None] = SENTINEL,
        limit: int = 100,
        limit_per_host: int = 0,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        running = loop if loop is not None else asyncio.get_running_loop()
        proactor = getattr(asyncio, "ProactorEventLoop", None)
        if proactor is None or not isinstance(running, proactor):
            raise RuntimeError(
                "Named Pipes only available in proactor loop under windows: "
                "use UnixConnector or TCPConnector on this platform"
            )
        super().__init__(
            path, force_close, keepalive_timeout, limit, limit_per_host, running
        )

    async def _create_connection(
        self,
        req: "ClientRequest",
        traces: Sequence["Trace"],
        timeout: Optional["ClientTimeout"],
    ) -> ResponseHandler:  # pragma: no cover - Windows only
        sock_connect, ceil = _sock_connect(timeout)
        create_pipe_connection: Any = self._loop.create_pipe_connection  # type: ignore[attr-defined]
        try:
            with deadline(self._loop, sock_connect, ceil):
                _, proto = await create_pipe_connection(self._factory, self._path)
                # The proactor announces the connection one iteration later.
                await asyncio.sleep(0)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorError(req.connection_key, exc) from exc
        return proto  # type: ignore[no-any-return]
