"""The request a handler receives: :class:`BaseRequest` (low-level server).

Everything a handler may never look at (the absolute URL, the query, cookies,
the parsed content type) is computed on first access and cached, so a request
costs little more than its parsed head.
"""

import asyncio
import datetime
import json
import socket
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Optional, Union, cast

from multidict import CIMultiDict, CIMultiDictProxy, MultiDictProxy
from propcache.api import under_cached_property as reify
from yarl import URL

from . import hdrs
from ._chainmap import ChainMapProxy
from ._helpers import SENTINEL, Sentinel
from ._state_mapping import StateMapping
from ._web_request_form import FileField, FormValue, read_form
from ._web_request_parse import parse_forwarded, parse_range
from .abc import AbstractStreamWriter
from .helpers import ETag, parse_etags, parse_http_date
from .http_parser import RawRequestMessage
from .http_writer import HttpVersion
from .multipart import MultipartReader
from .streams import EmptyStreamReader, StreamReader
from .typedefs import JSONDecoder, LooseHeaders, RawHeaders

if TYPE_CHECKING:
    from ._urldispatcher_base import UrlMappingMatchInfo
    from .web_app import Application
    from .web_protocol import RequestHandler
    from .web_response import StreamResponse

__all__ = ("BaseRequest", "FileField", "Request")


def _parse_content_type(raw: str) -> tuple[str, dict[str, str]]:
    mimetype, *params = raw.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        if sep:
            parsed[key.strip().lower()] = value.strip().strip('"')
    return mimetype.strip().lower(), parsed


class BaseRequest(StateMapping):
    """An HTTP request as the low-level server hands it to a handler."""

    POST_METHODS = {
        hdrs.METH_PATCH,
        hdrs.METH_POST,
        hdrs.METH_PUT,
        hdrs.METH_TRACE,
        hdrs.METH_DELETE,
    }
    _read_bytes: Optional[bytes] = None
    _post: Optional["MultiDictProxy[FormValue]"] = None

    def __init__(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: "RequestHandler",
        payload_writer: AbstractStreamWriter,
        task: "asyncio.Task[None]",
        loop: asyncio.AbstractEventLoop,
        *,
        client_max_size: int = 1024**2,
        state: Optional[dict[str, Any]] = None,
        scheme: Optional[str] = None,
        host: Optional[str] = None,
        remote: Optional[str] = None,
    ) -> None:
        self._message = message
        self._protocol = protocol
        self._payload_writer = payload_writer
        self._payload = payload
        self._headers: CIMultiDictProxy[str] = message.headers
        self._method = message.method
        self._loop = loop
        self._task = task
        self._client_max_size = client_max_size
        if state is not None:  # otherwise made on first write (StateMapping)
            self._state = state
        self._cache: dict[str, Any] = {}
        if scheme is not None or host is not None or remote is not None:
            self._preset(scheme, host, remote)

    def _preset(
        self, scheme: Optional[str], host: Optional[str], remote: Optional[str]
    ) -> None:
        """Fix the lazily computed scheme, host or remote (clone() passes them)."""
        if scheme is not None:
            self._cache["scheme"] = scheme
        if host is not None:
            self._cache["host"] = host
        if remote is not None:
            self._cache["remote"] = remote

    def clone(
        self,
        *,
        method: Union[str, Sentinel] = SENTINEL,
        rel_url: Union[str, URL, Sentinel] = SENTINEL,
        headers: Union[LooseHeaders, Sentinel] = SENTINEL,
        scheme: Union[str, Sentinel] = SENTINEL,
        host: Union[str, Sentinel] = SENTINEL,
        remote: Union[str, Sentinel] = SENTINEL,
        client_max_size: Union[int, Sentinel] = SENTINEL,
    ) -> "BaseRequest":
        """A copy of this request with some parts replaced (the body is shared)."""
        if self._read_bytes is None and self._payload.is_eof() is False:
            # The body is shared; reading it from both would split it.
            pass
        changes: dict[str, Any] = {}
        if method is not SENTINEL:
            changes["method"] = method
        if rel_url is not SENTINEL:
            new_url = URL(rel_url)
            if new_url.absolute:
                raise ValueError(
                    f"rel_url={rel_url!r} must be relative: pass only the path "
                    "and query"
                )
            changes["url"] = new_url
            changes["path"] = str(new_url)
        if headers is not SENTINEL:
            new_headers = CIMultiDictProxy(CIMultiDict(headers))
            changes["headers"] = new_headers
            changes["raw_headers"] = tuple(
                (k.encode("utf-8"), v.encode("utf-8")) for k, v in new_headers.items()
            )
        message = self._message._replace(**changes)
        kwargs: dict[str, Any] = {}
        for name, value in (("scheme", scheme), ("host", host), ("remote", remote)):
            if value is not SENTINEL:
                kwargs[name] = value
        return self.__class__(
            message,
            self._payload,
            self._protocol,
            self._payload_writer,
            self._task,
            self._loop,
            client_max_size=(
                self._client_max_size
                if isinstance(client_max_size, Sentinel)
                else client_max_size
            ),
            state=None if self._state is None else self._state.copy(),
            **kwargs,
        )

    @property
    def task(self) -> "asyncio.Task[None]":
        return self._task

    @property
    def protocol(self) -> "RequestHandler":
        return self._protocol

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        return self._protocol.transport

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info *name* (``"peername"``, ``"sslcontext"``...).

        *default* once the connection is gone, so a handler need not check.
        """
        transport = self._protocol.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    @property
    def writer(self) -> AbstractStreamWriter:
        return self._payload_writer

    @property
    def client_max_size(self) -> int:
        return self._client_max_size

    @property
    def message(self) -> RawRequestMessage:
        return self._message

    @property
    def rel_url(self) -> URL:
        return self._message.url

    @reify
    def secure(self) -> bool:
        return self.scheme == "https"

    @reify
    def scheme(self) -> str:
        """``https`` when the connection is TLS, else ``http``."""
        transport = self._protocol.transport
        if transport is not None and transport.get_extra_info("sslcontext"):
            return "https"
        return "http"

    @property
    def method(self) -> str:
        return self._method

    @property
    def version(self) -> HttpVersion:
        return self._message.version

    @reify
    def host(self) -> str:
        """The Host header, or this machine's name when it is missing."""
        host = self._headers.get(hdrs.HOST)
        if host is not None:
            return host
        return socket.getfqdn()

    @reify
    def remote(self) -> Optional[str]:
        """The peer's address (IP, or the socket path for Unix sockets)."""
        transport = self._protocol.transport
        if transport is None:
            return None
        peername = transport.get_extra_info("peername")
        if isinstance(peername, (list, tuple)):
            return str(peername[0])
        return str(peername) if peername is not None else None

    @reify
    def url(self) -> URL:
        """The absolute URL of the request, from scheme, host and target."""
        url = URL.build(scheme=self.scheme, authority=self.host)
        return url.join(self._message.url)

    @reify
    def path(self) -> str:
        return self._message.url.path

    @reify
    def path_qs(self) -> str:
        return str(self._message.url)

    @property
    def raw_path(self) -> str:
        return self._message.path

    @reify
    def query(self) -> "MultiDictProxy[str]":
        return self._message.url.query

    @property
    def query_string(self) -> str:
        return self._message.url.query_string

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._headers

    @property
    def raw_headers(self) -> RawHeaders:
        return self._message.raw_headers

    @property
    def keep_alive(self) -> bool:
        return not self._message.should_close

    @reify
    def cookies(self) -> Mapping[str, str]:
        """The Cookie header parsed into a read-only mapping."""
        raw = self._headers.get(hdrs.COOKIE, "")
        parsed: SimpleCookie = SimpleCookie()
        try:
            parsed.load(raw)
        except CookieError:
            return MappingProxyType({})
        return MappingProxyType({k: m.value for k, m in parsed.items()})

    @reify
    def _content_type(self) -> tuple[str, dict[str, str]]:
        raw = self._headers.get(hdrs.CONTENT_TYPE)
        if raw is None:
            return "application/octet-stream", {}
        return _parse_content_type(raw)

    @property
    def content_type(self) -> str:
        return self._content_type[0]

    @property
    def charset(self) -> Optional[str]:
        return self._content_type[1].get("charset")

    @reify
    def content_length(self) -> Optional[int]:
        raw = self._headers.get(hdrs.CONTENT_LENGTH)
        return int(raw) if raw is not None else None

    @property
    def content(self) -> StreamReader:
        """The body as a stream (read it at most once)."""
        return self._payload

    @property
    def can_read_body(self) -> bool:
        """True while there is body left to read."""
        return not self._payload.at_eof()

    @property
    def body_exists(self) -> bool:
        """True when the request has a body at all (even if already read)."""
        return type(self._payload) is not EmptyStreamReader

    async def release(self) -> None:
        """Read and discard what is left of the body."""
        while not self._payload.at_eof():
            await self._payload.readany()

    async def read(self) -> bytes:
        """The whole body, read once and cached; at most ``client_max_size``."""
        if self._read_bytes is None:
            limit = self._client_max_size
            payload = self._payload
            if payload.is_eof():
                # The whole body is buffered already (a small body usually
                # arrives with its head): take it in one piece, no waiting.
                # read_nowait() raises the stream's error, as readany() would.
                data = payload.read_nowait()
                if type(data) is not bytes:
                    data = bytes(data)
                if limit and len(data) > limit:
                    raise self._too_large(len(data))
                self._read_bytes = data
                return data
            body = bytearray()
            while True:
                chunk = await self._payload.readany()
                if not chunk:
                    break
                body.extend(chunk)
                if limit and len(body) > limit:
                    raise self._too_large(len(body))
            self._read_bytes = bytes(body)
        return self._read_bytes

    def _too_large(self, actual: int) -> Exception:
        from .web_exceptions import HTTPRequestEntityTooLarge

        return HTTPRequestEntityTooLarge(
            max_size=self._client_max_size, actual_size=actual
        )

    async def text(self) -> str:
        """The body decoded with the request's charset (UTF-8 by default)."""
        body = await self.read()
        return body.decode(self.charset or "utf-8")

    async def json(
        self,
        *,
        loads: JSONDecoder = json.loads,
        content_type: Optional[str] = "application/json",
    ) -> Any:
        """The body parsed as JSON (checking the content type unless None)."""
        body = await self.text()
        if content_type and self.content_type != content_type:
            from .web_exceptions import HTTPBadRequest

            raise HTTPBadRequest(
                text=(
                    f"Attempt to decode JSON with unexpected mimetype: "
                    f"{self.content_type}"
                )
            )
        return loads(body)

    @reify
    def forwarded(self) -> tuple[Mapping[str, str], ...]:
        """The elements of the ``Forwarded`` headers (RFC 7239), in order.

        Each is a read-only dict such as ``{"for": "1.2.3.4", "proto": "https"}``.
        """
        return parse_forwarded(self._headers.getall(hdrs.FORWARDED, ()))

    @reify
    def if_modified_since(self) -> Optional[datetime.datetime]:
        """``If-Modified-Since`` as an aware UTC datetime, or None."""
        return parse_http_date(self._headers.get(hdrs.IF_MODIFIED_SINCE))

    @reify
    def if_unmodified_since(self) -> Optional[datetime.datetime]:
        """``If-Unmodified-Since`` as an aware UTC datetime, or None."""
        return parse_http_date(self._headers.get(hdrs.IF_UNMODIFIED_SINCE))

    @reify
    def if_range(self) -> Optional[datetime.datetime]:
        """``If-Range`` as an aware UTC datetime, or None."""
        return parse_http_date(self._headers.get(hdrs.IF_RANGE))

    @reify
    def if_match(self) -> Optional[tuple[ETag, ...]]:
        """The entity tags of ``If-Match``, or None without the header."""
        header = self._headers.get(hdrs.IF_MATCH)
        return None if header is None else parse_etags(header)

    @reify
    def if_none_match(self) -> Optional[tuple[ETag, ...]]:
        """The entity tags of ``If-None-Match``, or None without the header."""
        header = self._headers.get(hdrs.IF_NONE_MATCH)
        return None if header is None else parse_etags(header)

    @reify
    def http_range(self) -> slice:
        """The ``Range`` header as a slice (``slice(None, None, 1)`` if absent).

        Raises ValueError for a malformed header.
        """
        header = self._headers.get(hdrs.RANGE)
        if header is None:
            return slice(None, None, 1)
        return parse_range(header)

    async def multipart(self) -> MultipartReader:
        """A reader for a ``multipart/*`` body, part by part."""
        return MultipartReader(self._headers, self._payload)

    async def post(self) -> "MultiDictProxy[FormValue]":
        """The form fields of an urlencoded or multipart body (cached).

        File parts become :class:`FileField` objects backed by temporary files;
        the server closes those files once the response has been sent.
        """
        if self._post is None:
            self._post = MultiDictProxy(await read_form(self))
        return self._post

    def _finish(self) -> None:
        """Release what the request holds once its response is sent."""
        if self._post is not None:
            for value in self._post.values():
                if isinstance(value, FileField):
                    value.file.close()

    async def _prepare_hook(self, response: "StreamResponse") -> None:
        """Called by a response just before its head is sent (a hook for apps)."""
        return

    def _prepare_hook_pending(self) -> bool:
        """Whether ``_prepare_hook`` has anything to await (Response._send_now)."""
        return False

    def _cancel(self, exc: BaseException) -> None:
        self._payload.set_exception(exc)

    def __repr__(self) -> str:
        path = self.path.encode("ascii", "backslashreplace").decode("ascii")
        return f"<{self.__class__.__name__} {self._method} {path} >"

    def __eq__(self, other: object) -> bool:
        return id(self) == id(other)

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True


class Request(BaseRequest):
    """A request routed by an :class:`~aiohttp.web.Application`."""

    _match_info: Optional["UrlMappingMatchInfo"] = None

    def clone(self, **kwargs: Any) -> "Request":
        """A copy with some parts replaced, keeping the match info."""
        new = cast(Request, super().clone(**kwargs))
        new._match_info = self._match_info
        return new

    @property
    def match_info(self) -> "UrlMappingMatchInfo":
        """The router's result: path values, route, application stack."""
        match_info = self._match_info
        if match_info is None:
            raise RuntimeError(
                "request.match_info is set when the application routes the "
                "request; this request was not routed yet"
            )
        return match_info

    @property
    def app(self) -> "Application":
        """The application whose handler (or middleware) is running."""
        return self.match_info.current_app

    @property
    def config_dict(self) -> ChainMapProxy:
        """The state of the current app and of the apps around it, innermost first."""
        match_info = self.match_info
        apps = match_info.apps
        current = match_info.current_app
        index = apps.index(current) if current in apps else len(apps) - 1
        return ChainMapProxy(reversed(apps[: index + 1]))

    async def _prepare_hook(self, response: "StreamResponse") -> None:
        match_info = self._match_info
        if match_info is None:
            return
        for app in match_info.apps:
            signal = app.on_response_prepare
            if signal:  # most have no receivers: skip send()'s coroutine
                await signal.send(self, response)

    def _prepare_hook_pending(self) -> bool:
        match_info = self._match_info
        if match_info is not None:
            for app in match_info.apps:
                if app._on_response_prepare:
                    return True
        return False
