"""How the session carries out one request: options, sending, redirects.

:class:`RequestFlow` holds the options of one ``session.request()`` call and
runs it: for every hop (the first request and each redirect) it builds a
:class:`~aiohttp.ClientRequest`, passes it through the middlewares to the send
step (connect, write, read the head, store cookies), and then decides from the
response whether to follow a redirect (:func:`redirect_target`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, Optional, Union

from multidict import CIMultiDict
from yarl import URL

from . import hdrs
from ._client_request import _EMPTY_BODY
from ._client_response import ClientResponse, _set_history
from ._client_timeout import ClientTimeout, TimerContext, TimerNoop, timeout
from .client_exceptions import (
    ClientConnectorError,
    ClientError,
    ClientOSError,
    ConnectionTimeoutError,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    ServerDisconnectedError,
    TooManyRedirects,
)
from .client_middlewares import ClientMiddlewareType, build_client_middlewares
from .helpers import BasicAuth, get_env_proxy_for_url, strip_auth_from_url
from .payload import BytesPayload

if TYPE_CHECKING:
    from ._client_request import ClientRequest
    from .client import ClientSession
    from .tracing import Trace

__all__ = ("RequestFlow", "redirect_target")

_HTTP_SCHEMES: Final = frozenset({"http", "https", "ws", "wss"})
_IDEMPOTENT_METHODS: Final = frozenset(
    {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}
)
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Headers that describe a body: dropped when a redirect turns it into a GET.
_BODY_HEADERS: Final = (
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TYPE,
    hdrs.CONTENT_ENCODING,
    hdrs.TRANSFER_ENCODING,
)

RaiseForStatus = Union[bool, Callable[[ClientResponse], Awaitable[None]], None]


def check_url(url: URL, redirect: bool = False) -> None:
    """Refuse URLs the client cannot fetch, with the error aiohttp raises."""
    if url.scheme not in _HTTP_SCHEMES:
        if redirect:
            raise NonHttpUrlRedirectClientError(url)
        raise NonHttpUrlClientError(url)
    if not url.raw_host:
        if redirect:
            raise InvalidUrlRedirectClientError(url, "the URL has no host")
        raise InvalidUrlClientError(url, "the URL has no host")


def redirect_target(resp: ClientResponse, url: URL, requote: bool) -> Optional[URL]:
    """The absolute URL a redirect response points to (None: no Location)."""
    location = resp.headers.get(hdrs.LOCATION) or resp.headers.get(hdrs.URI)
    if location is None:
        return None
    try:
        target = URL(location, encoded=not requote)
        scheme = target.scheme
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            location,
            "Server attempted redirecting to a location that does not look like a URL",
        ) from exc
    if scheme and scheme not in _HTTP_SCHEMES:
        raise NonHttpUrlRedirectClientError(location)
    if not scheme or not target.absolute:
        target = url.join(target)
    try:
        target.origin()
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            location, "Invalid redirect URL origin"
        ) from exc
    return target


def _can_retry(req: ClientRequest) -> bool:
    """Whether ``req`` may be sent again: idempotent, body empty or in memory."""
    if req.method not in _IDEMPOTENT_METHODS or req._continue is not None:
        return False
    body = req.body
    return body is _EMPTY_BODY or isinstance(body, BytesPayload)


def _same_origin_or_upgrade(old: URL, new: URL) -> bool:
    # http -> https on the same host keeps credentials (an upgrade, not a leak).
    if old.host == new.host and old.scheme == "http" and new.scheme == "https":
        return True
    return old.origin() == new.origin()


# slots: a request makes one flow and reads its fields often.
@dataclasses.dataclass(slots=True)
class RequestFlow:
    """The options of one request and the state carried across its redirects."""

    session: ClientSession
    method: str
    url: URL
    headers: CIMultiDict[str]
    params: Any = None
    data: Any = None
    cookies: Any = None
    skip_auto_headers: Optional[frozenset[str]] = None
    auth: Optional[BasicAuth] = None
    allow_redirects: bool = True
    max_redirects: int = 10
    compress: Union[str, bool, None] = None
    chunked: Optional[bool] = None
    expect100: bool = False
    raise_for_status: RaiseForStatus = None
    read_until_eof: bool = True
    proxy: Optional[URL] = None
    proxy_auth: Optional[BasicAuth] = None
    proxy_headers: Optional[CIMultiDict[str]] = None
    timeout: ClientTimeout = dataclasses.field(default_factory=ClientTimeout)
    ssl: Any = True
    server_hostname: Optional[str] = None
    read_bufsize: int = 2**16
    auto_decompress: bool = True
    max_line_size: int = 8190
    max_field_size: int = 8190
    max_headers: int = 128
    middlewares: Sequence[ClientMiddlewareType] = ()
    traces: list[Trace] = dataclasses.field(default_factory=list)
    # Set once a redirect left the first origin: session credentials stop.
    _left_origin: bool = False
    # Credentials found in the URL of the current hop.
    _url_auth: Optional[BasicAuth] = None

    # ------------------------------------------------------------- per hop
    def _auth_for(self, url: URL) -> tuple[Optional[BasicAuth], bool]:
        """The credentials for ``url``, and whether ~/.netrc should be asked.

        Synchronous so that the usual request (no auth anywhere) awaits
        nothing here; only the netrc lookup runs in a thread.
        """
        session = self.session
        url_auth = self._url_auth
        if self.auth is not None and url_auth is not None:
            raise ValueError(
                "Cannot combine AUTH argument with credentials encoded in URL: "
                "pass only one of them"
            )
        auth = self.auth or url_auth
        explicit_header = hdrs.AUTHORIZATION in self.headers
        if auth is not None and explicit_header:
            raise ValueError(
                "Cannot combine AUTHORIZATION header with AUTH argument or "
                "credentials encoded in URL: pass only one of them"
            )
        if auth is None and not explicit_header and not self._left_origin:
            auth = session._auth_for_url(url)
        netrc = (
            auth is None
            and not explicit_header
            and session.trust_env
            and bool(url.host)
        )
        return auth, netrc

    def _proxy_for(self, url: URL) -> tuple[Optional[URL], Optional[BasicAuth]]:
        if self.proxy is not None:
            return self.proxy, self.proxy_auth
        if self.session.trust_env:
            try:
                return get_env_proxy_for_url(url)
            except LookupError:
                pass
        return None, None

    def _cookies_for(self, url: URL) -> Any:
        jar = self.session.cookie_jar
        cookies = jar.filter_cookies(url)
        if self.cookies:
            from .cookiejar import CookieJar

            tmp = CookieJar(quote_cookie=jar.quote_cookie, loop=self.session._loop)
            tmp.update_cookies(self.cookies)
            extra = tmp.filter_cookies(url)
            if extra:
                cookies.load(extra)
        return cookies

    async def _build_request(
        self, url: URL, timer: TimerContext | TimerNoop
    ) -> ClientRequest:
        session = self.session
        if url.raw_user is None and url.raw_password is None:
            self._url_auth = None  # what strip_auth_from_url gives, cheaper
        else:
            url, self._url_auth = strip_auth_from_url(url)
        auth, netrc = self._auth_for(url)
        if netrc and url.host:  # (_auth_for checked the host; this is for mypy)
            loop = session._loop
            auth = await loop.run_in_executor(None, session._netrc_auth, url.host)
        proxy, proxy_auth = self._proxy_for(url)
        return session._request_class(
            self.method,
            url,
            params=self.params,
            headers=self.headers,
            skip_auto_headers=self.skip_auto_headers,
            data=self.data,
            cookies=self._cookies_for(url),
            auth=auth,
            version=session.version,
            compress=self.compress,
            chunked=self.chunked,
            expect100=self.expect100,
            loop=session._loop,
            response_class=session._response_class,
            proxy=proxy,
            proxy_auth=proxy_auth,
            timer=timer,
            session=session,
            ssl=self.ssl,
            server_hostname=self.server_hostname,
            proxy_headers=self.proxy_headers if proxy is not None else None,
            traces=self.traces,
            trust_env=session.trust_env,
        )

    # ------------------------------------------------------------- send step
    async def _connect(self, req: ClientRequest) -> Any:
        session = self.session
        connector = session._connector
        if connector is None:
            raise RuntimeError("Session is closed: create a new ClientSession")
        client_timeout = self.timeout
        try:
            if not client_timeout.connect:
                # No connect limit: skip the no-op timer (the usual case).
                return await connector.connect(
                    req, traces=self.traces, timeout=client_timeout
                )
            with timeout(
                session._loop, client_timeout.connect, client_timeout.ceil_threshold
            ):
                return await connector.connect(
                    req, traces=self.traces, timeout=client_timeout
                )
        except ClientError:
            raise
        except asyncio.TimeoutError as exc:
            raise ConnectionTimeoutError(
                f"Connection timeout to host {req.url}"
            ) from exc

    def _send_step(
        self, timer: TimerContext | TimerNoop
    ) -> Callable[[ClientRequest], Awaitable[ClientResponse]]:
        async def send(req: ClientRequest) -> ClientResponse:
            return await self._send(req, timer)

        return send

    async def _send(
        self, req: ClientRequest, timer: TimerContext | TimerNoop
    ) -> ClientResponse:
        try:
            return await self._send_once(req, timer)
        except (ServerDisconnectedError, ClientOSError) as exc:
            # A pooled keep-alive connection the server had closed in the
            # meantime: a request that is safe to repeat gets one more
            # try on a fresh connection.
            if isinstance(exc, ClientConnectorError) or not _can_retry(req):
                raise
        return await self._send_once(req, timer)

    async def _send_once(
        self, req: ClientRequest, timer: TimerContext | TimerNoop
    ) -> ClientResponse:
        conn = await self._connect(req)
        protocol = conn.protocol
        assert protocol is not None
        protocol.set_response_params(
            timer=timer,
            skip_payload=req.method == hdrs.METH_HEAD,
            read_until_eof=self.read_until_eof,
            auto_decompress=self.auto_decompress,
            read_timeout=self.timeout.sock_read,
            read_bufsize=self.read_bufsize,
            timeout_ceil_threshold=self.timeout.ceil_threshold,
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            max_headers=self.max_headers,
        )
        protocol.set_request_method(req.method)
        try:
            resp = await req.send(conn)
            try:
                await resp.start(conn)
            except BaseException:
                resp.close()
                raise
        except BaseException:
            conn.close()
            raise
        self.session._store_cookies(resp)
        return resp

    # ------------------------------------------------------------- the whole request
    async def run(self) -> ClientResponse:
        """Send the request, follow redirects, return the final response."""
        session = self.session
        loop = session._loop
        check_url(self.url)
        timer = TimerContext.start(
            loop, self.timeout.total, self.timeout.ceil_threshold, session._deadlines
        )
        traces = self.traces
        trace_url = self.url
        if traces:
            if self.params:
                trace_url = trace_url.update_query(self.params)
            for trace in traces:
                await trace.send_request_start(self.method, trace_url, self.headers)
        check = self.raise_for_status
        if check is None:
            check = session._raise_for_status
        try:
            with timer:
                resp = await self._hops(timer)
            if check:
                await self._check_status(resp, check)
        except BaseException as exc:
            timer.cancel()
            for trace in self.traces:
                await trace.send_request_exception(
                    self.method, trace_url, self.headers, exc
                )
            raise
        # The total timeout also covers reading the body: stop it only when
        # the connection is released.
        if resp.connection is not None:
            resp.connection.add_callback(timer.cancel)
        else:
            timer.cancel()
        for trace in self.traces:
            await trace.send_request_end(self.method, trace_url, self.headers, resp)
        return resp

    async def _hops(self, timer: TimerContext | TimerNoop) -> ClientResponse:
        history: list[ClientResponse] = []
        # Without middlewares the send step is called directly: no closure
        # and no extra coroutine per request.
        handler = None
        if self.middlewares:
            send = self._send_step(timer)
            handler = build_client_middlewares(send, self.middlewares)
        while True:
            req = await self._build_request(self.url, timer)
            try:
                if handler is None:
                    resp = await self._send(req, timer)
                else:
                    resp = await handler(req)
            except ClientError:
                raise
            except OSError as exc:
                if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                    raise
                raise ClientOSError(*exc.args) from exc
            if resp.status not in _REDIRECT_STATUSES or not self.allow_redirects:
                break
            for trace in self.traces:
                await trace.send_request_redirect(
                    self.method, self.url, self.headers, resp
                )
            history.append(resp)
            if self.max_redirects and len(history) >= self.max_redirects:
                resp.close()
                raise TooManyRedirects(history[0].request_info, tuple(history))
            if not self._follow(resp):
                break
        _set_history(resp, tuple(history))
        return resp

    def _follow(self, resp: ClientResponse) -> bool:
        """Set up the next hop for redirect ``resp``; False when it has no Location."""
        try:
            target = redirect_target(resp, self.url, self.session.requote_redirect_url)
        except BaseException:
            resp.close()
            raise
        if target is None:
            return False
        resp.release()
        check_url(target, redirect=True)
        status, method = resp.status, self.method
        if (status == 303 and method != hdrs.METH_HEAD) or (
            status in (301, 302) and method == hdrs.METH_POST
        ):
            self.method = hdrs.METH_GET
            self.data = None
            for name in _BODY_HEADERS:
                self.headers.popall(name, None)
        if not _same_origin_or_upgrade(self.url, target):
            # Credentials and cookies given for one origin must not leak to
            # another.
            self.auth = None
            self.cookies = None
            self._left_origin = True
            self.headers.popall(hdrs.AUTHORIZATION, None)
            self.headers.popall(hdrs.COOKIE, None)
        self.url = target
        self.params = None
        return True

    async def _check_status(
        self,
        resp: ClientResponse,
        check: Union[bool, Callable[[ClientResponse], Awaitable[None]]],
    ) -> None:
        if check is True:
            resp.raise_for_status()
        elif callable(check):
            try:
                await check(resp)
            except BaseException:
                resp.release()
                raise
