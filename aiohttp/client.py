"""The HTTP client: :class:`ClientSession` and the :func:`request` helper.

A session owns a connector (the connection pool), a cookie jar and default
request options. Each request method returns a context manager that is also
awaitable, so both ``resp = await session.get(url)`` and ``async with
session.get(url) as resp:`` work. The sending itself lives in
``aiohttp._client_flow``; timeouts in ``aiohttp._client_timeout``.
"""

from __future__ import annotations

import asyncio
import json
import traceback
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union

from multidict import CIMultiDict
from yarl import URL

from . import hdrs, payload
from ._client_ctx import _RequestContextManager, _SessionRequestContextManager
from ._client_flow import RaiseForStatus, RequestFlow
from ._client_options import (
    check_base_url,
    default_connector,
    proxy_url,
    session_timeout,
    warn_ssl_shutdown_timeout,
)
from ._client_request import ClientRequest
from ._client_response import ClientResponse, _default_charset
from ._client_timeout import ClientTimeout, SharedDeadlines
from ._connector_ssl import merge_ssl_params
from ._helpers import SENTINEL, Sentinel
from ._http_version import HttpVersion, HttpVersion11
from .client_exceptions import (
    ClientConnectionError,
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHttpProxyError,
    ClientOSError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientResponseError,
    ClientSSLError,
    ConnectionTimeoutError,
    ContentTypeError,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    ServerConnectionError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketTimeoutError,
    TooManyRedirects,
    WSServerHandshakeError,
)
from .client_middlewares import ClientMiddlewareType
from .client_reqrep import Fingerprint, RequestInfo
from .connector import BaseConnector, NamedPipeConnector, TCPConnector, UnixConnector
from .cookiejar import CookieJar
from .helpers import BasicAuth, basicauth_from_netrc, netrc_from_env
from .typedefs import JSONEncoder, LooseHeaders, StrOrURL

if TYPE_CHECKING:
    from ssl import SSLContext

    from .abc import AbstractCookieJar
    from .tracing import Trace, TraceConfig

# aiohttp.client also re-exports the client's exceptions, request/response
# types and connectors; code imports them from here.
__all__ = (
    "BaseConnector",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientRequest",
    "ClientResponse",
    "ClientResponseError",
    "ClientSSLError",
    "ClientSession",
    "ClientTimeout",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "Fingerprint",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NamedPipeConnector",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "RequestInfo",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TCPConnector",
    "TooManyRedirects",
    "UnixConnector",
    "WSServerHandshakeError",
    "request",
)

_CharsetResolver = Callable[[ClientResponse, bytes], str]


class ClientSession:
    """A pool of connections, a cookie jar and default options for requests."""

    _connector: Optional[BaseConnector] = None
    _source_traceback: Optional[traceback.StackSummary] = None

    def __init__(
        self,
        base_url: Optional[StrOrURL] = None,
        *,
        connector: Optional[BaseConnector] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        cookies: Any = None,
        headers: Optional[LooseHeaders] = None,
        proxy: Optional[StrOrURL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        skip_auto_headers: Optional[Iterable[str]] = None,
        auth: Optional[BasicAuth] = None,
        json_serialize: JSONEncoder = json.dumps,
        request_class: type[ClientRequest] = ClientRequest,
        response_class: type[ClientResponse] = ClientResponse,
        ws_response_class: Optional[type[Any]] = None,
        version: HttpVersion = HttpVersion11,
        cookie_jar: Optional[AbstractCookieJar] = None,
        connector_owner: bool = True,
        raise_for_status: RaiseForStatus = False,
        read_timeout: Union[float, Sentinel, None] = SENTINEL,
        conn_timeout: Optional[float] = None,
        timeout: Union[ClientTimeout, Sentinel, None] = SENTINEL,
        auto_decompress: bool = True,
        trust_env: bool = False,
        requote_redirect_url: bool = True,
        trace_configs: Optional[list[TraceConfig[Any]]] = None,
        read_bufsize: int = 2**16,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        fallback_charset_resolver: _CharsetResolver = _default_charset,
        middlewares: Iterable[ClientMiddlewareType] = (),
        ssl_shutdown_timeout: Union[float, Sentinel] = SENTINEL,
    ) -> None:
        # Validate everything before the connector exists: a failed
        # constructor must not leave an unclosed connector behind.
        self._base_url, self._base_url_origin = check_base_url(base_url)
        self._timeout = session_timeout(timeout, read_timeout, conn_timeout)
        if connector is None:
            connector = default_connector(loop, ssl_shutdown_timeout)
        elif ssl_shutdown_timeout is not SENTINEL:
            warn_ssl_shutdown_timeout()
        if loop is None:
            loop = getattr(connector, "_loop", None) or asyncio.get_running_loop()
        elif getattr(connector, "_loop", loop) is not loop:
            raise RuntimeError(
                "Session and connector have to use the same event loop: pass "
                "the connector's loop or none"
            )
        self._loop = loop
        # The total timeouts of this session's requests, grouped by deadline.
        self._deadlines = SharedDeadlines(loop)
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack()
        self._connector = connector
        self._connector_owner = connector_owner
        if cookie_jar is None:
            cookie_jar = CookieJar(loop=loop)
        self._cookie_jar = cookie_jar
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._default_headers: CIMultiDict[str] = CIMultiDict(headers or ())
        self._skip_auto_headers = frozenset(skip_auto_headers or ())
        self._default_auth = auth
        self._default_proxy = URL(proxy) if proxy is not None else None
        self._default_proxy_auth = proxy_auth
        self._json_serialize = json_serialize
        self._request_class = request_class
        self._response_class = response_class
        self._ws_response_class = ws_response_class
        self._version = version
        self._raise_for_status = raise_for_status
        self._auto_decompress = auto_decompress
        self._trust_env = trust_env
        self._requote_redirect_url = requote_redirect_url
        self._read_bufsize = read_bufsize
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._resolve_charset = fallback_charset_resolver
        self._middlewares = tuple(middlewares)
        self._trace_configs = list(trace_configs or ())
        for trace_config in self._trace_configs:
            trace_config.freeze()

    # ------------------------------------------------------------- requests
    def request(
        self, method: str, url: StrOrURL, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a request; await the result or use it with ``async with``."""
        return _RequestContextManager(self._request(method, url, **kwargs))

    def get(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a GET request."""
        return self.request(
            hdrs.METH_GET, url, allow_redirects=allow_redirects, **kwargs
        )

    def options(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send an OPTIONS request."""
        return self.request(
            hdrs.METH_OPTIONS, url, allow_redirects=allow_redirects, **kwargs
        )

    def head(
        self, url: StrOrURL, *, allow_redirects: bool = False, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a HEAD request (redirects are not followed unless asked)."""
        return self.request(
            hdrs.METH_HEAD, url, allow_redirects=allow_redirects, **kwargs
        )

    def post(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a POST request."""
        return self.request(hdrs.METH_POST, url, data=data, **kwargs)

    def put(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a PUT request."""
        return self.request(hdrs.METH_PUT, url, data=data, **kwargs)

    def patch(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a PATCH request."""
        return self.request(hdrs.METH_PATCH, url, data=data, **kwargs)

    def delete(self, url: StrOrURL, **kwargs: Any) -> _RequestContextManager:
        """Send a DELETE request."""
        return self.request(hdrs.METH_DELETE, url, **kwargs)

    async def _request(
        self,
        method: str,
        str_or_url: StrOrURL,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        cookies: Any = None,
        headers: Optional[LooseHeaders] = None,
        skip_auto_headers: Optional[Iterable[str]] = None,
        auth: Optional[BasicAuth] = None,
        allow_redirects: bool = True,
        max_redirects: int = 10,
        compress: Union[str, bool, None] = None,
        chunked: Optional[bool] = None,
        expect100: bool = False,
        raise_for_status: RaiseForStatus = None,
        read_until_eof: bool = True,
        proxy: Optional[StrOrURL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        timeout: Union[ClientTimeout, float, Sentinel, None] = SENTINEL,
        ssl: Any = True,
        verify_ssl: Optional[bool] = None,
        fingerprint: Optional[bytes] = None,
        ssl_context: Optional[SSLContext] = None,
        server_hostname: Optional[str] = None,
        proxy_headers: Optional[LooseHeaders] = None,
        trace_request_ctx: Any = None,
        read_bufsize: Optional[int] = None,
        auto_decompress: Optional[bool] = None,
        max_line_size: Optional[int] = None,
        max_field_size: Optional[int] = None,
        max_headers: Optional[int] = None,
        middlewares: Optional[Iterable[ClientMiddlewareType]] = None,
    ) -> ClientResponse:
        if self.closed:
            raise RuntimeError("Session is closed: create a new ClientSession")
        if data is not None and json is not None:
            raise ValueError(
                "data and json parameters can not be used at the same time: "
                "pass the body as one of them"
            )
        if json is not None:
            data = payload.JsonPayload(json, dumps=self._json_serialize)
        # aiohttp 3.x still takes the pre-3.0 TLS keywords (with a
        # DeprecationWarning) and ssl=None as the default; fold them into one
        # value, refusing contradictory combinations and wrong types.
        ssl = merge_ssl_params(
            ssl, True if verify_ssl is None else verify_ssl, ssl_context, fingerprint
        )
        if proxy is None:
            proxy, proxy_auth = (
                self._default_proxy,
                proxy_auth or self._default_proxy_auth,
            )
        flow = RequestFlow(
            session=self,
            method=method.upper(),
            url=self._build_url(str_or_url),
            headers=self._prepare_headers(headers),
            params=params,
            data=data,
            cookies=cookies,
            skip_auto_headers=(
                self._skip_auto_headers.union(skip_auto_headers)
                if skip_auto_headers
                else self._skip_auto_headers
            )
            or None,
            auth=auth,
            allow_redirects=allow_redirects,
            max_redirects=max_redirects,
            compress=compress,
            chunked=chunked,
            expect100=expect100,
            raise_for_status=raise_for_status,
            read_until_eof=read_until_eof,
            proxy=proxy_url(proxy) if proxy is not None else None,
            proxy_auth=proxy_auth,
            proxy_headers=CIMultiDict(proxy_headers) if proxy_headers else None,
            timeout=self._timeout
            if timeout is SENTINEL
            else self._request_timeout(timeout),
            ssl=ssl,
            server_hostname=server_hostname,
            read_bufsize=self._read_bufsize if read_bufsize is None else read_bufsize,
            auto_decompress=(
                self._auto_decompress if auto_decompress is None else auto_decompress
            ),
            max_line_size=max_line_size or self._max_line_size,
            max_field_size=max_field_size or self._max_field_size,
            max_headers=max_headers or self._max_headers,
            middlewares=self._middlewares
            if middlewares is None
            else tuple(middlewares),
            traces=self._make_traces(trace_request_ctx) if self._trace_configs else [],
        )
        return await flow.run()

    # ------------------------------------------------------------- request helpers
    def _build_url(self, str_or_url: StrOrURL) -> URL:
        try:
            url = URL(str_or_url)
        except (ValueError, TypeError) as exc:
            raise InvalidUrlClientError(str_or_url) from exc
        if self._base_url is not None and not url.absolute:
            return self._base_url.join(url)
        return url

    def _prepare_headers(self, headers: Optional[LooseHeaders]) -> CIMultiDict[str]:
        """Session headers overridden by the request's (which may repeat names)."""
        result: CIMultiDict[str] = CIMultiDict(self._default_headers)
        if headers:
            items = headers.items() if hasattr(headers, "items") else headers
            added: set[str] = set()
            for key, value in items:
                if key.lower() in added:
                    result.add(key, value)
                else:
                    result[key] = value
                    added.add(key.lower())
        return result

    def _request_timeout(
        self, timeout: Union[ClientTimeout, float, Sentinel, None]
    ) -> ClientTimeout:
        if timeout is SENTINEL:
            return self._timeout
        if timeout is None:
            return ClientTimeout()
        if isinstance(timeout, ClientTimeout):
            return timeout
        if isinstance(timeout, (int, float)):
            return ClientTimeout(total=timeout)
        raise TypeError(
            f"timeout must be an aiohttp.ClientTimeout, got {type(timeout).__name__}"
        )

    def _make_traces(self, trace_request_ctx: Any) -> list[Trace]:
        if not self._trace_configs:
            return []
        from .tracing import Trace

        return [
            Trace(
                self,
                config,
                config.trace_config_ctx(trace_request_ctx=trace_request_ctx),
            )
            for config in self._trace_configs
        ]

    def _auth_for_url(self, url: URL) -> Optional[BasicAuth]:
        """The session's default auth, if it applies to ``url``."""
        auth = self._default_auth
        if auth is None:
            return None
        if self._base_url_origin is not None and url.origin() != self._base_url_origin:
            return None
        return auth

    def _netrc_auth(self, host: str) -> Optional[BasicAuth]:
        """Credentials for ``host`` from ~/.netrc (or $NETRC), if any."""
        try:
            return basicauth_from_netrc(netrc_from_env(), host)
        except LookupError:
            return None

    def _store_cookies(self, resp: ClientResponse) -> None:
        values = resp.headers.getall(hdrs.SET_COOKIE, ())
        if values:
            self._cookie_jar.update_cookies_from_headers(values, resp.url)

    # ------------------------------------------------------------- life cycle
    async def close(self) -> None:
        """Close the session (and its connector, if it owns it)."""
        if not self.closed:
            if self._connector is not None and self._connector_owner:
                await self._connector.close()
            self._connector = None

    def detach(self) -> None:
        """Let go of the connector without closing it; the session is closed."""
        self._connector = None

    @property
    def closed(self) -> bool:
        """True once the session (or its connector) is closed."""
        return self._connector is None or self._connector.closed

    async def __aenter__(self) -> ClientSession:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    def __enter__(self) -> None:
        raise TypeError("Use async with instead of with for ClientSession")

    def __exit__(self, *args: object) -> None:  # pragma: no cover - never entered
        pass

    def __del__(self, _warnings: Any = warnings) -> None:
        if not self.closed:
            _warnings.warn(
                f"Unclosed client session {self!r}", ResourceWarning, source=self
            )
            context: dict[str, Any] = {
                "client_session": self,
                "message": "Unclosed client session",
            }
            if self._source_traceback is not None:
                context["source_traceback"] = self._source_traceback
            self._loop.call_exception_handler(context)

    # ------------------------------------------------------------- properties
    @property
    def connector(self) -> Optional[BaseConnector]:
        """The connector (connection pool) of the session."""
        return self._connector

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The session's cookie jar."""
        return self._cookie_jar

    @property
    def version(self) -> HttpVersion:
        """The HTTP version used for requests."""
        return self._version

    @property
    def requote_redirect_url(self) -> bool:
        """Whether redirect URLs are re-quoted (see ``requote_redirect_url``)."""
        return self._requote_redirect_url

    @requote_redirect_url.setter
    def requote_redirect_url(self, value: bool) -> None:
        warnings.warn(
            "session.requote_redirect_url modification is deprecated: pass "
            "ClientSession(requote_redirect_url=...) instead",
            DeprecationWarning,
            stacklevel=2,
        )
        self._requote_redirect_url = value

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The session's event loop (deprecated)."""
        warnings.warn(
            "client.loop property is deprecated", DeprecationWarning, stacklevel=2
        )
        return self._loop

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts of the session's requests."""
        return self._timeout

    @property
    def headers(self) -> CIMultiDict[str]:
        """Headers sent with every request."""
        return self._default_headers

    @property
    def skip_auto_headers(self) -> frozenset[str]:
        """Headers the session never generates automatically."""
        return self._skip_auto_headers

    @property
    def auth(self) -> Optional[BasicAuth]:
        """The default credentials of the session."""
        return self._default_auth

    @property
    def json_serialize(self) -> JSONEncoder:
        """The JSON encoder used for ``json=`` bodies."""
        return self._json_serialize

    @property
    def connector_owner(self) -> bool:
        """Whether closing the session closes the connector."""
        return self._connector_owner

    @property
    def raise_for_status(self) -> RaiseForStatus:
        """The session's raise_for_status setting (bool or coroutine function)."""
        return self._raise_for_status

    @property
    def auto_decompress(self) -> bool:
        """Whether response bodies are decompressed."""
        return self._auto_decompress

    @property
    def trust_env(self) -> bool:
        """Whether proxies and credentials are read from the environment."""
        return self._trust_env

    @property
    def trace_configs(self) -> list[TraceConfig[Any]]:
        """The trace configs of the session."""
        return self._trace_configs

    @property
    def middlewares(self) -> tuple[ClientMiddlewareType, ...]:
        """The session's client middlewares."""
        return self._middlewares


def request(
    method: str,
    url: StrOrURL,
    *,
    version: HttpVersion = HttpVersion11,
    connector: Optional[BaseConnector] = None,
    loop: Optional[asyncio.AbstractEventLoop] = None,
    **kwargs: Any,
) -> _SessionRequestContextManager:
    """Send one request with a private session: ``async with request(...) as r:``.

    Without ``connector`` a TCPConnector that closes connections after use is
    made; the session (and its connector) is closed when the block ends.
    """
    connector_owner = False
    if connector is None:
        connector_owner = True
        connector = TCPConnector(force_close=True, loop=loop)
    # Cookies and the timeout belong to the private session; the rest are
    # request options.
    session_kwargs = {
        name: kwargs.pop(name) for name in ("cookies", "timeout") if name in kwargs
    }
    session = ClientSession(
        loop=loop,
        version=version,
        connector=connector,
        connector_owner=connector_owner,
        **session_kwargs,
    )
    return _SessionRequestContextManager(
        session._request(method, url, **kwargs), session
    )
