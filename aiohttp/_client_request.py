"""The client request: headers, body and framing of one outgoing request.

:class:`ClientRequest` is built by the session for every request it sends
(redirects included). It works out the automatic headers (Host, Accept,
Accept-Encoding, User-Agent, Content-Length or chunked framing, Content-Type,
Authorization, Cookie, Expect), then :meth:`ClientRequest.send` writes the
head on a connection and starts writing the body in its own task, so that the
response can be read while a large body is still going out (and so that
``Expect: 100-continue`` can hold the body back).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterable, Mapping
from http.cookies import Morsel, SimpleCookie
from typing import TYPE_CHECKING, Any, Final, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from . import hdrs, payload
from ._client_base import ConnectionKey, Fingerprint
from ._client_response import ClientResponse, RequestInfo
from ._http_parser_decoders import brotli, zstd
from ._http_version import HttpVersion, HttpVersion10, HttpVersion11
from .client_exceptions import ClientConnectionError, ClientOSError, InvalidURL
from .formdata import FormData
from .helpers import BasicAuth
from .http_writer import StreamWriter
from .typedefs import LooseHeaders

if TYPE_CHECKING:
    from ssl import SSLContext

    from ._client_timeout import TimerContext, TimerNoop
    from .client import ClientSession
    from .connector import Connection
    from .tracing import Trace

__all__ = ("ClientRequest",)

_SSL_SCHEMES: Final = frozenset({"https", "wss"})
_USER_AGENT: Final = "Python/{0[0]}.{0[1]} aiohttp/{1}".format(
    sys.version_info, "3.14.0"
)
_EMPTY_BODY: Final = b""
_CONNECTION_CLOSED_WHILE_SENDING: Final = "Failed to send bytes into the connection"

SSLParam = Union["SSLContext", bool, Fingerprint]


def _accept_encoding() -> str:
    # Advertise only codings our parser can actually decode here.
    codings = ["gzip", "deflate"]
    if brotli is not None:
        codings.append("br")
    if zstd is not None:
        codings.append("zstd")
    return ", ".join(codings)


def _check_ssl(ssl: object) -> SSLParam:
    if ssl is None:
        return True
    if isinstance(ssl, (bool, Fingerprint)):
        return ssl
    from ssl import SSLContext

    if isinstance(ssl, SSLContext):
        return ssl
    raise TypeError(
        f"ssl should be True, False, an ssl.SSLContext or an aiohttp.Fingerprint, "
        f"got {ssl!r}"
    )


class ClientRequest:
    """One HTTP request as the client will send it."""

    GET_METHODS: Final = {
        hdrs.METH_GET,
        hdrs.METH_HEAD,
        hdrs.METH_OPTIONS,
        hdrs.METH_TRACE,
    }
    POST_METHODS: Final = {hdrs.METH_PATCH, hdrs.METH_POST, hdrs.METH_PUT}
    ALL_METHODS: Final = GET_METHODS.union(POST_METHODS).union({hdrs.METH_DELETE})

    DEFAULT_HEADERS: Final = {
        hdrs.ACCEPT: "*/*",
        hdrs.ACCEPT_ENCODING: _accept_encoding(),
    }

    body: Any = _EMPTY_BODY
    auth: Optional[BasicAuth] = None
    response: Optional[ClientResponse] = None
    chunked: Optional[bool] = None
    compress: Optional[str] = None
    _writer_task: Optional[asyncio.Task[None]] = None
    _continue: Optional[asyncio.Future[bool]] = None

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        params: Any = None,
        headers: Optional[LooseHeaders] = None,
        skip_auto_headers: Optional[Iterable[str]] = None,
        data: Any = None,
        cookies: Any = None,
        auth: Optional[BasicAuth] = None,
        version: HttpVersion = HttpVersion11,
        compress: Union[str, bool, None] = None,
        chunked: Optional[bool] = None,
        expect100: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        response_class: Optional[type[ClientResponse]] = None,
        proxy: Optional[URL] = None,
        proxy_auth: Optional[BasicAuth] = None,
        timer: Optional[TimerContext | TimerNoop] = None,
        session: Optional[ClientSession] = None,
        ssl: Any = True,
        proxy_headers: Optional[LooseHeaders] = None,
        traces: Optional[list[Trace]] = None,
        trust_env: bool = False,
        server_hostname: Optional[str] = None,
    ) -> None:
        if not isinstance(url, URL):
            raise TypeError(f"url must be a yarl.URL, got {type(url).__name__}")
        if loop is None:
            loop = asyncio.get_running_loop()
        self.loop = loop
        if params:
            url = url.extend_query(params)
        self.original_url = url
        self.url = url.with_fragment(None) if url.raw_fragment else url
        self.method = method.upper()
        self.chunked = chunked
        self.response_class: type[ClientResponse] = response_class or ClientResponse
        self._timer = timer
        self._session = session
        self._traces: list[Trace] = traces or []
        self.ssl = _check_ssl(ssl)
        self.server_hostname = server_hostname
        self.version = version

        self._update_host(self.url)
        self._update_headers(headers)
        self._update_auto_headers(skip_auto_headers)
        self.update_cookies(cookies)
        self._update_content_encoding(data, compress)
        self.update_auth(auth)
        self.update_proxy(proxy, proxy_auth, proxy_headers)
        self.update_body_from_data(data)
        if data is not None or self.method not in self.GET_METHODS:
            self._update_transfer_encoding()
        self._update_expect_continue(expect100)

    # ------------------------------------------------------------- identity
    @property
    def session(self) -> Optional[ClientSession]:
        """The session sending this request (for middlewares)."""
        return self._session

    @property
    def host(self) -> str:
        """The target host: a name or an IP address (IPv6 without brackets)."""
        host = self.url.raw_host
        assert host is not None
        return host

    @property
    def port(self) -> Optional[int]:
        """The target port (the scheme's default when the URL names none)."""
        return self.url.port

    def is_ssl(self) -> bool:
        """Whether the request goes over TLS (``https`` or ``wss``)."""
        return self.url.scheme in _SSL_SCHEMES

    @property
    def connection_key(self) -> ConnectionKey:
        """What identifies a reusable connection for this request."""
        proxy_headers_hash = None
        if self.proxy_headers:
            proxy_headers_hash = hash(tuple(self.proxy_headers.items()))
        return ConnectionKey(
            self.host,
            self.port,
            self.is_ssl(),
            self.ssl,
            self.proxy,
            self.proxy_auth,
            proxy_headers_hash,
        )

    @property
    def request_info(self) -> RequestInfo:
        """URL, method and headers of the request, for responses and errors."""
        headers: CIMultiDictProxy[str] = CIMultiDictProxy(self.headers)
        # tuple.__new__ skips RequestInfo.__new__, which only fills in a
        # missing real_url: one Python call less per request.
        return tuple.__new__(
            RequestInfo, (self.url, self.method, headers, self.original_url)
        )

    def keep_alive(self) -> bool:
        """Whether the request asks to keep the connection open afterwards."""
        connection = self.headers.get(hdrs.CONNECTION, "").lower()
        if self.version == HttpVersion10:
            return connection == "keep-alive"
        return connection != "close"

    # ------------------------------------------------------------- headers
    def _update_host(self, url: URL) -> None:
        if not url.raw_host:
            raise InvalidURL(url)
        if url.raw_user or url.raw_password:
            self.auth = BasicAuth(url.user or "", url.password or "")

    def _update_headers(self, headers: Optional[LooseHeaders]) -> None:
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.headers[hdrs.HOST] = self.url.host_port_subcomponent or ""
        self._explicit_host = False
        if not headers:
            return
        items: Iterable[Any]
        if isinstance(headers, (Mapping, CIMultiDictProxy, CIMultiDict)):
            items = headers.items()
        else:
            items = headers
        for key, value in items:
            if key.lower() == "host":
                self.headers[hdrs.HOST] = value  # one Host only: replace ours
                self._explicit_host = True
            else:
                self.headers.add(key, value)

    def _update_auto_headers(self, skip_auto_headers: Optional[Iterable[str]]) -> None:
        skip: CIMultiDict[None] = (
            CIMultiDict((istr(name), None) for name in sorted(skip_auto_headers))
            if skip_auto_headers
            else CIMultiDict()
        )
        self.skip_auto_headers = skip
        headers = self.headers
        if hdrs.HOST in skip and not self._explicit_host:
            del headers[hdrs.HOST]
        # An automatic header goes out unless the caller set or skipped it;
        # both are CIMultiDicts, so names compare case-insensitively. The
        # automatic names differ from each other, so checking the growing
        # ``headers`` equals checking the caller's headers alone.
        for name, value in self.DEFAULT_HEADERS.items():
            if name not in headers and name not in skip:
                headers.add(name, value)
        if hdrs.USER_AGENT not in headers and hdrs.USER_AGENT not in skip:
            headers[hdrs.USER_AGENT] = _USER_AGENT

    def update_cookies(self, cookies: Any) -> None:
        """Add ``cookies`` (mapping, pairs or a BaseCookie) to the Cookie header."""
        if not cookies:
            return
        jar: SimpleCookie = SimpleCookie()
        if hdrs.COOKIE in self.headers:
            jar.load(self.headers.get(hdrs.COOKIE, ""))
            del self.headers[hdrs.COOKIE]
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        for name, value in items:
            if isinstance(value, Morsel):
                # Keep the morsel's coded value (quoting decided by the jar).
                morsel: Morsel[str] = Morsel()
                morsel.set(value.key, value.value, value.coded_value)
                jar[name] = morsel
            else:
                jar[name] = value
        self.headers[hdrs.COOKIE] = jar.output(header="", sep=";").strip()

    def update_auth(self, auth: Optional[BasicAuth], trust_env: bool = False) -> None:
        """Set the Authorization header from ``auth`` (or the URL's user info)."""
        if auth is None:
            auth = self.auth
        if auth is None:
            return
        if not isinstance(auth, BasicAuth):
            raise TypeError(
                f"auth must be an aiohttp.BasicAuth(login, password), got {auth!r}"
            )
        self.auth = auth
        self.headers[hdrs.AUTHORIZATION] = auth.encode()

    def update_proxy(
        self,
        proxy: Optional[URL],
        proxy_auth: Optional[BasicAuth],
        proxy_headers: Optional[LooseHeaders],
    ) -> None:
        """Route the request through ``proxy`` (an http:// or https:// URL)."""
        if proxy is not None and proxy.scheme not in ("http", "https"):
            raise ValueError(
                f"proxy={str(proxy)!r}: only http:// and https:// proxies are supported"
            )
        if proxy_auth is not None and not isinstance(proxy_auth, BasicAuth):
            raise ValueError(
                f"proxy_auth must be None or an aiohttp.BasicAuth, got {proxy_auth!r}"
            )
        self.proxy = proxy
        self.proxy_auth = proxy_auth
        self.proxy_headers: Optional[CIMultiDict[str]] = (
            CIMultiDict(proxy_headers) if proxy_headers else None
        )

    # ------------------------------------------------------------- body
    def _update_content_encoding(
        self, data: Any, compress: Union[str, bool, None]
    ) -> None:
        if data is None:
            return
        if self.headers.get(hdrs.CONTENT_ENCODING):
            if compress:
                raise ValueError(
                    "compress can not be set together with a Content-Encoding "
                    "header: compress the data yourself or drop the header"
                )
        elif compress:
            self.compress = compress if isinstance(compress, str) else "deflate"
            self.headers[hdrs.CONTENT_ENCODING] = self.compress
            self.chunked = True  # the compressed size is not known in advance

    def update_body_from_data(self, body: Any) -> None:
        """Turn ``data=`` into a payload and take its headers."""
        if body is None:
            return
        if isinstance(body, FormData):
            body = body()
        try:
            body = payload.get_payload(body)
        except payload.LookupError:
            body = FormData(body)()
        self.body = body
        if not self.chunked and hdrs.CONTENT_LENGTH not in self.headers:
            if body.size is None:
                self.chunked = True
            else:
                self.headers[hdrs.CONTENT_LENGTH] = str(body.size)
        for name, value in body.headers.items():
            if name in self.headers or name in self.skip_auto_headers:
                continue
            self.headers[name] = value

    def _update_transfer_encoding(self) -> None:
        te = self.headers.get(hdrs.TRANSFER_ENCODING, "").lower()
        if "chunked" in te:
            if self.chunked:
                raise ValueError(
                    "chunked can not be set together with a "
                    '"Transfer-Encoding: chunked" header: pass only one'
                )
            self.chunked = True
        elif self.chunked:
            if hdrs.CONTENT_LENGTH in self.headers:
                raise ValueError(
                    "chunked can not be set together with a Content-Length "
                    "header: pass only one"
                )
            self.headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif hdrs.CONTENT_LENGTH not in self.headers:
            size = 0 if self.body is _EMPTY_BODY else self.body.size
            self.headers[hdrs.CONTENT_LENGTH] = str(size or 0)

    def _update_expect_continue(self, expect: bool) -> None:
        if expect:
            self.headers[hdrs.EXPECT] = "100-continue"
        elif self.headers.get(hdrs.EXPECT, "").lower() == "100-continue":
            expect = True
        if expect:
            self._continue = self.loop.create_future()

    # ------------------------------------------------------------- sending
    def _request_target(self) -> str:
        url = self.url
        if self.method == hdrs.METH_CONNECT:
            return f"{url.host_subcomponent}:{url.port}"
        if self.proxy is not None and not self.is_ssl():
            return str(url.with_user(None)) if url.raw_user else str(url)
        return url.raw_path_qs or "/"

    def _add_proxy_headers(self) -> None:
        # A plain-http request through a proxy goes to the proxy itself: its
        # credentials and extra headers travel with the request.
        if self.proxy is None or self.is_ssl():
            return
        if self.proxy_auth is not None:
            self.headers[hdrs.PROXY_AUTHORIZATION] = self.proxy_auth.encode()
        for name, value in (self.proxy_headers or {}).items():
            self.headers.setdefault(name, value)

    def _set_connection_header(self) -> None:
        if hdrs.CONNECTION in self.headers:
            return
        if self.version == HttpVersion10:
            self.headers[hdrs.CONNECTION] = "keep-alive"

    async def send(self, conn: Connection) -> ClientResponse:
        """Write the head on ``conn``, start the body, return the response."""
        if self.proxy is not None:
            self._add_proxy_headers()
        if self.version == HttpVersion10:
            self._set_connection_header()
        protocol = conn.protocol
        assert protocol is not None
        writer = StreamWriter(
            protocol,
            self.loop,
            on_chunk_sent=self._on_chunk_sent if self._traces else None,
            on_headers_sent=self._on_headers_sent if self._traces else None,
        )
        if self.compress:
            writer.enable_compression(self.compress)
        if self.chunked:
            writer.enable_chunking()
        v = self.version
        status_line = f"{self.method} {self._request_target()} HTTP/{v.major}.{v.minor}"
        await writer.write_headers(status_line, self.headers)
        task: Optional[asyncio.Task[None]] = None
        if self.body is not _EMPTY_BODY or self._continue is not None:
            task = self.loop.create_task(self._write_bytes(writer, conn))
        else:
            await writer.write_eof()
        self._writer_task = task
        self.response = self.response_class(
            self.method,
            self.original_url,
            writer=task,
            continue100=self._continue,
            timer=self._timer,
            request_info=self.request_info,
            traces=self._traces,
            loop=self.loop,
            session=self._session,
        )
        return self.response

    async def _write_bytes(self, writer: StreamWriter, conn: Connection) -> None:
        """Write the body (after ``100 Continue`` if asked for) and end it."""
        protocol = conn.protocol
        assert protocol is not None
        try:
            if self._continue is not None:
                writer.send_headers()
                await writer.drain()
                if not await self._continue:
                    return  # refused: the response ends the exchange
            if self.body is not _EMPTY_BODY:
                await self.body.write(writer)
            await writer.write_eof()
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                protocol.set_exception(exc)
            else:
                new_exc = ClientOSError(
                    exc.errno, f"Can not write request body for {self.url}"
                )
                new_exc.__cause__ = exc
                protocol.set_exception(new_exc)
        except asyncio.CancelledError:
            # The body was cut short: this connection cannot carry another
            # request.
            conn.close()
            raise
        except Exception as exc:
            new_error = ClientConnectionError(_CONNECTION_CLOSED_WHILE_SENDING)
            new_error.__cause__ = exc
            protocol.set_exception(new_error)

    async def _on_chunk_sent(self, chunk: bytes) -> None:
        for trace in self._traces:
            await trace.send_request_chunk_sent(self.method, self.url, chunk)

    async def _on_headers_sent(self, headers: CIMultiDict[str]) -> None:
        for trace in self._traces:
            await trace.send_request_headers(self.method, self.url, headers)

    async def close(self) -> None:
        """Wait for the body writer to finish."""
        task = self._writer_task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def terminate(self) -> None:
        """Stop writing the body (the connection will be closed)."""
        task = self._writer_task
        if task is not None and not task.done():
            task.cancel()
        self._writer_task = None

    def __repr__(self) -> str:
        return f"<ClientRequest({self.method} {self.url})>"
