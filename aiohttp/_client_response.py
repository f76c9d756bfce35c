"""The client response: status, headers and the body stream of one response.

:class:`ClientResponse` is created by :meth:`ClientRequest.send` and filled
by :meth:`ClientResponse.start`, which reads the head from the connection's
protocol (skipping interim 1xx responses, and answering ``Expect:
100-continue``). The body is a :class:`~aiohttp.streams.StreamReader` fed by
the protocol; once it has been read to the end, the connection goes back to
the pool (after the request body has finished going out).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import dataclasses
import json
import re
import traceback
import warnings
import weakref
from collections.abc import Callable
from http.cookies import SimpleCookie
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

from . import hdrs
from ._client_timeout import TimerNoop
from ._http_version import HttpVersion
from ._mime import (
    content_disposition_filename,
    parse_content_disposition,
    parse_mimetype,
)
from .abc import _parse_set_cookie_headers
from .client_exceptions import (
    ClientConnectionError,
    ClientResponseError,
    ContentTypeError,
)
from .http_exceptions import HttpProcessingError
from .streams import StreamReader
from .typedefs import RawHeaders

if TYPE_CHECKING:
    from ._client_timeout import TimerContext
    from .client import ClientSession
    from .connector import Connection
    from .tracing import Trace

__all__ = ("ClientResponse", "ContentDisposition", "RequestInfo")

_JSON_RE: Final = re.compile(r"^application/(?:[\w.+-]+?\+)?json")
_LINK_SPLIT_RE: Final = re.compile(r",(?=\s*<)")
_LINK_RE: Final = re.compile(r"\s*<(.*)>(.*)")
_LINK_PARAM_RE: Final = re.compile(r"^\s*(\S*)\s*=\s*(['\"]?)(.*?)(\2)\s*$", re.M)


class _RequestInfoFields(NamedTuple):
    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class RequestInfo(_RequestInfoFields):
    """What was requested: URL, method, headers and the URL with its fragment."""

    def __new__(
        cls,
        url: URL,
        method: str,
        headers: CIMultiDictProxy[str],
        real_url: Optional[URL] = None,
    ) -> RequestInfo:
        return super().__new__(
            cls, url, method, headers, url if real_url is None else real_url
        )


@dataclasses.dataclass(frozen=True)
class ContentDisposition:
    """The parsed ``Content-Disposition`` header of a response."""

    type: Optional[str]
    parameters: MappingProxyType[str, str]
    filename: Optional[str]


def _default_charset(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


def _is_expected_content_type(response_type: str, expected: str) -> bool:
    if expected == "application/json":
        return _JSON_RE.match(response_type) is not None
    return expected in response_type


_CONNECTION_CLOSED: Final = "Connection closed"


class ClientResponse:
    """A response received by the client; use it as an async context manager."""

    version: Optional[HttpVersion] = None
    status: int = None  # type: ignore[assignment]  # set by start()
    reason: Optional[str] = None
    content: StreamReader = None  # type: ignore[assignment]  # set by start()
    _body: Optional[bytes] = None
    _headers: CIMultiDictProxy[str] = None  # type: ignore[assignment]
    _raw_headers: RawHeaders = ()
    _connection: Optional[Connection] = None
    _source_traceback: Optional[traceback.StackSummary] = None
    _closed = True
    _abort = False
    _released = False
    _in_context = False
    _cookies: Optional[SimpleCookie] = None

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        writer: Optional[asyncio.Task[None]],
        continue100: Optional[asyncio.Future[bool]],
        timer: Optional[TimerContext | TimerNoop],
        request_info: RequestInfo,
        traces: list[Trace],
        loop: asyncio.AbstractEventLoop,
        session: Optional[ClientSession],
    ) -> None:
        self.method = method
        self._real_url = url
        self._url = url.with_fragment(None) if url.raw_fragment else url
        self._writer = writer
        self._continue = continue100
        self._timer: TimerContext | TimerNoop = (
            timer if timer is not None else TimerNoop()
        )
        self._request_info = request_info
        self._traces = traces
        self._loop = loop
        self._history: tuple[ClientResponse, ...] = ()
        self._session = session
        self._resolve_charset: Callable[[ClientResponse, bytes], str] = (
            getattr(session, "_resolve_charset", None) or _default_charset
        )
        if writer is not None:
            writer.add_done_callback(self._writer_done)
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack()

    # ------------------------------------------------------------- fields
    @property
    def url(self) -> URL:
        """The URL of the request (without fragment)."""
        return self._url

    @property
    def real_url(self) -> URL:
        """The URL of the request as given, fragment included."""
        return self._real_url

    @property
    def host(self) -> str:
        """The host the request went to."""
        host = self._url.host
        assert host is not None
        return host

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response headers (case-insensitive)."""
        return self._headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The response headers as received: ``(name, value)`` byte pairs."""
        return self._raw_headers

    @property
    def request_info(self) -> RequestInfo:
        """URL, method and headers of the request that got this response."""
        return self._request_info

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        """The redirect responses that led here, earliest first."""
        return self._history

    @property
    def connection(self) -> Optional[Connection]:
        """The connection the response is read from (None once released)."""
        return self._connection

    @property
    def ok(self) -> bool:
        """True for a status below 400."""
        return self.status < 400

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies set by this response (``Set-Cookie`` headers)."""
        if self._cookies is None:
            cookies = SimpleCookie()
            if self._headers is not None:
                values = self._headers.getall(hdrs.SET_COOKIE, ())
                for name, morsel in _parse_set_cookie_headers(values):
                    cookies[name] = morsel
            self._cookies = cookies
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: SimpleCookie) -> None:
        self._cookies = cookies

    @property
    def content_type(self) -> str:
        """The media type of the body (``application/octet-stream`` if unset)."""
        raw = self._headers.get(hdrs.CONTENT_TYPE) if self._headers else None
        if raw is None:
            return "application/octet-stream"
        mime = parse_mimetype(raw)
        return f"{mime.type}/{mime.subtype}" + (
            f"+{mime.suffix}" if mime.suffix else ""
        )

    @property
    def charset(self) -> Optional[str]:
        """The ``charset`` parameter of Content-Type, or None."""
        raw = self._headers.get(hdrs.CONTENT_TYPE) if self._headers else None
        return parse_mimetype(raw).parameters.get("charset") if raw else None

    @property
    def content_length(self) -> Optional[int]:
        """The Content-Length header as an int, or None."""
        raw = self._headers.get(hdrs.CONTENT_LENGTH) if self._headers else None
        return int(raw) if raw is not None else None

    @property
    def content_disposition(self) -> Optional[ContentDisposition]:
        """The parsed Content-Disposition header, or None."""
        raw = self._headers.get(hdrs.CONTENT_DISPOSITION) if self._headers else None
        if raw is None:
            return None
        disposition_type, params = parse_content_disposition(raw)
        return ContentDisposition(
            disposition_type,
            MappingProxyType(params),
            content_disposition_filename(params),
        )

    @property
    def links(self) -> MultiDictProxy[MultiDictProxy[Union[str, URL]]]:
        """The Link header: rel (or URL) -> the link's params, ``url`` included."""
        links: MultiDict[MultiDictProxy[Union[str, URL]]] = MultiDict()
        joined = ", ".join(self._headers.getall(hdrs.LINK, ())) if self._headers else ""
        for value in _LINK_SPLIT_RE.split(joined) if joined else ():
            match = _LINK_RE.match(value)
            if match is None:
                continue
            target, params = match.groups()
            link: MultiDict[Union[str, URL]] = MultiDict()
            for param in params.split(";")[1:]:
                param_match = _LINK_PARAM_RE.match(param)
                if param_match is not None:
                    link.add(param_match.group(1), param_match.group(3))
            key = link.get("rel", target)
            link.add("url", self._url.join(URL(target)))
            links.add(str(key), MultiDictProxy(link))
        return MultiDictProxy(links)

    def __repr__(self) -> str:
        ascii_url = str(self._url).encode("ascii", "backslashreplace").decode("ascii")
        reason = (self.reason or "").encode("ascii", "backslashreplace").decode()
        head = f"<ClientResponse({ascii_url}) [{self.status} {reason}]>"
        return f"{head}\n{self._headers!r}\n"

    # ------------------------------------------------------------- reading the head
    async def start(self, connection: Connection) -> ClientResponse:
        """Read the response head from ``connection`` (skipping 1xx)."""
        self._closed = False
        self._connection = connection
        protocol = connection.protocol
        assert protocol is not None
        with self._timer:
            while True:
                try:
                    message, payload = await protocol.read()
                except HttpProcessingError as exc:
                    raise ClientResponseError(
                        self.request_info,
                        self.history,
                        status=exc.code,
                        message=exc.message,
                        headers=_headers_of(exc),
                    ) from exc
                if message.code < 100 or message.code > 199 or message.code == 101:
                    break
                if self._continue is not None and not self._continue.done():
                    self._continue.set_result(True)
                    self._continue = None
        if self._continue is not None and not self._continue.done():
            # A final answer without "100 Continue": the body is not wanted.
            # Never send it; the connection cannot be reused after that.
            self._continue.set_result(False)
            self._continue = None
            self._abort = True
        self.version = message.version
        self.status = message.code
        self.reason = message.reason
        self._headers = message.headers
        self._raw_headers = message.raw_headers
        self.content = payload
        # A weak reference: the protocol feeding the body must not keep a
        # response the caller dropped alive (its __del__ frees the connection).
        ref = weakref.ref(self)

        def on_eof() -> None:
            resp = ref()
            if resp is not None:
                resp._response_eof()

        payload.on_eof(on_eof)
        return self

    def _response_eof(self) -> None:
        if self._closed:
            return
        connection = self._connection
        protocol = connection.protocol if connection is not None else None
        if protocol is not None and getattr(protocol, "upgraded", False):
            return  # the connection now belongs to the upgraded protocol
        self._closed = True
        self._release_connection()

    def _writer_done(self, task: asyncio.Task[None]) -> None:
        self._writer = None
        if self._closed:
            self._release_connection()

    def _release_connection(self) -> None:
        connection = self._connection
        if connection is None or self._writer is not None:
            return  # released by _writer_done once the request body is out
        self._connection = None
        if self._abort:
            connection.close()
        else:
            connection.release()

    # ------------------------------------------------------------- life cycle
    @property
    def closed(self) -> bool:
        """True once the body was read to the end, or after release()/close()."""
        return self._closed

    def _notify_content(self) -> None:
        content = self.content
        if content is not None and content.exception() is None and not content.at_eof():
            content.set_exception(ClientConnectionError(_CONNECTION_CLOSED))
        self._released = True

    def _cancel_writer(self) -> None:
        writer = self._writer
        if writer is not None and not writer.done():
            writer.cancel()

    def release(self) -> Any:
        """Give the connection back (closed if the body was not read to the end)."""
        if not self._released:
            self._notify_content()
        if not self._closed:
            # The rest of the body is still on the wire: the connection
            # cannot carry another response.
            self._closed = True
            self._abort = True
            self._cancel_writer()
        self._release_connection()
        return _noop()

    def close(self) -> None:
        """Close the response and its connection (no reuse)."""
        if not self._released:
            self._notify_content()
        self._closed = True
        if self._loop.is_closed():
            return
        self._cancel_writer()
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def wait_for_close(self) -> None:
        """Wait until the request body is out, then release the response."""
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        self.release()

    def raise_for_status(self) -> None:
        """Raise :class:`ClientResponseError` for a status of 400 or more."""
        if self.ok:
            return
        # Inside "async with" the exit releases the response; outside it we
        # must, or the connection would be held until garbage collection.
        if not self._in_context:
            self.release()
        raise ClientResponseError(
            self.request_info,
            self.history,
            status=self.status,
            message=self.reason or "",
            headers=self.headers,
        )

    # ------------------------------------------------------------- the body
    async def read(self) -> bytes:
        """Read the whole body (decoded from its Content-Encoding)."""
        if self._body is None:
            if self.content is None:
                raise RuntimeError("read() called before the response head was read")
            try:
                self._body = await self.content.read()
                for trace in self._traces:
                    await trace.send_response_chunk_received(
                        self.method, self.url, self._body
                    )
            except BaseException:
                self.close()
                raise
        return self._body

    def get_encoding(self) -> str:
        """The body's text encoding: charset, JSON default, or the fallback."""
        ctype = (
            self._headers.get(hdrs.CONTENT_TYPE, "").lower() if self._headers else ""
        )
        mime = parse_mimetype(ctype)
        encoding = mime.parameters.get("charset")
        if encoding:
            with contextlib.suppress(LookupError, ValueError):
                return codecs.lookup(encoding).name
        if mime.type == "application" and mime.subtype in ("json", "rdap"):
            return "utf-8"  # RFC 8259: JSON text exchanged is UTF-8
        if self._body is None:
            raise RuntimeError(
                "Cannot compute the fallback encoding of a body not yet read: "
                "await response.read() first"
            )
        return self._resolve_charset(self, self._body)

    async def text(self, encoding: Optional[str] = None, errors: str = "strict") -> str:
        """Read the body and decode it (``encoding`` or :meth:`get_encoding`)."""
        body = await self.read()
        if encoding is None:
            encoding = self.get_encoding()
        return body.decode(encoding, errors=errors)

    async def json(
        self,
        *,
        encoding: Optional[str] = None,
        loads: Callable[[str], Any] = json.loads,
        content_type: Optional[str] = "application/json",
    ) -> Any:
        """Read the body as JSON (None for an empty body).

        A Content-Type other than ``content_type`` raises
        :class:`ContentTypeError`; pass ``content_type=None`` to skip the check.
        """
        if self._body is None:
            await self.read()
        assert self._body is not None
        if content_type and not _is_expected_content_type(
            self.content_type, content_type
        ):
            raise ContentTypeError(
                self.request_info,
                self.history,
                status=self.status,
                message=(
                    "Attempt to decode JSON with unexpected mimetype: "
                    f"{self.content_type}"
                ),
                headers=self.headers,
            )
        stripped = self._body.strip()
        if not stripped:
            return None
        if encoding is None:
            encoding = self.get_encoding()
        return loads(stripped.decode(encoding))

    # ------------------------------------------------------------- context manager
    async def __aenter__(self) -> ClientResponse:
        self._in_context = True
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self._in_context = False
        self.release()
        await self.wait_for_close()

    def __del__(self, _warnings: Any = warnings) -> None:
        if self._closed:
            return
        connection = self._connection
        if connection is None:
            return
        self._connection = None
        connection.release()
        self._cancel_writer()
        if self._loop.get_debug():
            _warnings.warn(f"Unclosed response {self!r}", ResourceWarning, source=self)
            context: dict[str, Any] = {
                "client_response": self,
                "message": "Unclosed response",
            }
            if self._source_traceback:
                context["source_traceback"] = self._source_traceback
            self._loop.call_exception_handler(context)


def _headers_of(exc: HttpProcessingError) -> Optional[CIMultiDictProxy[str]]:
    if not exc.headers:
        return None
    return CIMultiDictProxy(CIMultiDict(exc.headers))


def _set_history(response: ClientResponse, history: tuple[ClientResponse, ...]) -> None:
    """Record the redirect chain on ``response`` (session internal)."""
    response._history = history


class _Noop:
    """What release() returns: awaitable for backwards compatibility."""

    __slots__ = ()

    def __await__(self) -> Any:
        yield from ()


def _noop() -> _Noop:
    return _Noop()
