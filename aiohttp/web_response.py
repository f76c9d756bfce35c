"""Responses: :class:`StreamResponse` (streamed) and :class:`Response` (whole body)."""

import datetime
import enum
import json
import zlib
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Optional, Union

from multidict import CIMultiDict

from . import hdrs
from ._helpers import SENTINEL, http_date_now
from ._json_dumps import encode_json
from ._response_fields import (
    body_payload,
    format_etag_header,
    format_last_modified,
    parse_etag_header,
    set_morsel,
)
from ._state_mapping import StateMapping
from .abc import AbstractStreamWriter
from .helpers import ETag, parse_http_date
from .http_writer import (
    SERVER_SOFTWARE,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    StreamWriter,
)
from .payload import Payload
from .typedefs import JSONEncoder, LooseHeaders

if TYPE_CHECKING:
    from .web_request import BaseRequest

__all__ = ("ContentCoding", "Response", "StreamResponse", "json_response")


class ContentCoding(enum.Enum):
    """The content codings a response can be compressed with."""

    # Listed in order of preference when the client accepts several.
    deflate = "deflate"
    gzip = "gzip"
    identity = "identity"


_REASONS: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
_STATUS_LINES: dict[tuple[int, Any, str], str] = {}
_CONTENT_TYPE = hdrs.CONTENT_TYPE
_CONTENT_LENGTH = hdrs.CONTENT_LENGTH
_TEXT_PLAIN_UTF8 = "text/plain; charset=utf-8"
_TEXT_HEADERS: CIMultiDict[str] = CIMultiDict({_CONTENT_TYPE: _TEXT_PLAIN_UTF8})
_BOTH_CONTENT_TYPES = (
    "passing both Content-Type header and content_type or charset params is forbidden"
)


def _initial_headers(
    headers: Optional[LooseHeaders],
    content_type: Optional[str],
    charset: Optional[str],
    *,
    text: bool,
) -> CIMultiDict[str]:
    """The headers a ``Response`` starts with (but for a bare ``text=``)."""
    real_headers: CIMultiDict[str] = (
        CIMultiDict() if headers is None else CIMultiDict(headers)
    )
    if headers is not None and _CONTENT_TYPE in real_headers:
        # With text=, an empty content_type or charset counts as not given.
        if (
            (content_type or charset)
            if text
            else (content_type is not None or charset is not None)
        ):
            raise ValueError(_BOTH_CONTENT_TYPES)
    elif text:
        real_headers[_CONTENT_TYPE] = (
            _TEXT_PLAIN_UTF8
            if content_type is None and charset is None
            else f"{content_type or 'text/plain'}; charset={charset or 'utf-8'}"
        )
    elif content_type is not None:
        if charset is not None:
            content_type += "; charset=" + charset
        real_headers[_CONTENT_TYPE] = content_type
    return real_headers


def _no_body(request: "BaseRequest", status: int) -> bool:
    """Whether a response to ``request`` with ``status`` must have no body."""
    return request.method == "HEAD" or status < 200 or status in (204, 304)


def _status_line(version: Any, status: int, reason: str) -> str:
    key = (status, version, reason)
    line = _STATUS_LINES.get(key)
    if line is None:
        line = f"HTTP/{version[0]}.{version[1]} {status} {reason}"
        if len(_STATUS_LINES) < 512:
            _STATUS_LINES[key] = line
    return line


class StreamResponse(StateMapping):
    """A response whose body the handler writes piece by piece after prepare()."""

    _body: Union[bytes, Payload, None] = None
    _length_check = True
    _keep_alive: Optional[bool] = None
    _chunked = False
    _compression = False
    _compression_force: Optional[ContentCoding] = None
    _compression_strategy: Optional[int] = None
    _req: Optional["BaseRequest"] = None
    _payload_writer: Optional[AbstractStreamWriter] = None
    _eof_sent = False
    _must_be_empty_body: Optional[bool] = None
    _body_length = 0
    _cookies: Optional[SimpleCookie] = None

    def __init__(
        self,
        *,
        status: int = 200,
        reason: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
    ) -> None:
        self._headers = CIMultiDict() if headers is None else CIMultiDict(headers)
        self._set_status(status, reason)

    @property
    def prepared(self) -> bool:
        """True once the head has been handed to the writer."""
        return self._eof_sent or self._payload_writer is not None

    @property
    def task(self) -> "Optional[Any]":
        return self._req.task if self._req is not None else None

    @property
    def status(self) -> int:
        return self._status

    @property
    def reason(self) -> str:
        return self._reason

    def set_status(self, status: int, reason: Optional[str] = None) -> None:
        if self.prepared:
            raise RuntimeError(
                "Cannot change the response status code after the headers have "
                "been sent: call set_status() before prepare()"
            )
        self._set_status(status, reason)

    def _set_status(self, status: int, reason: Optional[str]) -> None:
        if type(status) is not int:
            status = int(status)
        if not 100 <= status <= 999:
            raise ValueError(f"status={status!r} must be a 3-digit code (100-999)")
        self._status = status
        if reason is None:
            reason = _REASONS.get(status, "")
        elif "\n" in reason or "\r" in reason:
            raise ValueError(f"reason={reason!r} cannot contain a newline")
        self._reason = reason

    @property
    def keep_alive(self) -> Optional[bool]:
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response instead of keeping it alive."""
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        """Bytes sent for this response, head included (0 until it is sent)."""
        return self._body_length

    @property
    def chunked(self) -> bool:
        return self._chunked

    @property
    def compression(self) -> bool:
        return self._compression

    def enable_chunked_encoding(self, chunk_size: Optional[int] = None) -> None:
        """Send the body with chunked transfer coding (HTTP/1.1 only)."""
        if chunk_size is not None:
            raise TypeError("chunk_size is no longer supported: omit the argument")
        if _CONTENT_LENGTH in self._headers:
            raise RuntimeError(
                "You can't enable chunked encoding when a content length is set: "
                "remove the Content-Length header first"
            )
        self._chunked = True

    def enable_compression(
        self,
        force: Optional[ContentCoding] = None,
        strategy: Optional[int] = None,
    ) -> None:
        """Compress the body with a coding the client accepts (or ``force``)."""
        if force is not None and not isinstance(force, ContentCoding):
            raise TypeError(
                f"force={force!r} must be a ContentCoding member, e.g. "
                "ContentCoding.gzip"
            )
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    @property
    def headers(self) -> CIMultiDict[str]:
        return self._headers

    @property
    def cookies(self) -> SimpleCookie:
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: Optional[str] = None,
        domain: Optional[str] = None,
        max_age: Optional[Union[int, str]] = None,
        path: str = "/",
        secure: Optional[bool] = None,
        httponly: Optional[bool] = None,
        version: Optional[str] = None,
        samesite: Optional[str] = None,
        partitioned: Optional[bool] = None,
    ) -> None:
        """Set a cookie in the response (sent as a ``Set-Cookie`` header)."""
        set_morsel(
            self.cookies,
            name,
            value,
            {
                "path": path,
                "expires": expires,
                "domain": domain,
                "max-age": None if max_age is None else str(max_age),
                "version": version,
                "samesite": samesite,
            },
            {"secure": secure, "httponly": httponly, "partitioned": partitioned},
        )

    def del_cookie(
        self,
        name: str,
        *,
        domain: Optional[str] = None,
        path: str = "/",
        secure: Optional[bool] = None,
        httponly: Optional[bool] = None,
        samesite: Optional[str] = None,
        partitioned: Optional[bool] = None,
    ) -> None:
        """Ask the client to delete a cookie by expiring it."""
        self.cookies.pop(name, None)
        self.set_cookie(
            name,
            "",
            max_age=0,
            expires="Thu, 01 Jan 1970 00:00:00 GMT",
            domain=domain,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    @property
    def content_length(self) -> Optional[int]:
        value = self._headers.get(_CONTENT_LENGTH)
        return int(value) if value is not None else None

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        if value is None:
            self._headers.popall(_CONTENT_LENGTH, None)
            return
        value = int(value)
        if self._chunked:
            raise RuntimeError(
                "You can't set content length when chunked encoding is enabled"
            )
        self._headers[_CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str:
        raw = self._headers.get(_CONTENT_TYPE, "application/octet-stream")
        return raw.partition(";")[0].strip().lower()

    @content_type.setter
    def content_type(self, value: str) -> None:
        charset = self.charset
        self._headers[_CONTENT_TYPE] = (
            f"{value}; charset={charset}" if charset else str(value)
        )

    @property
    def charset(self) -> Optional[str]:
        raw = self._headers.get(_CONTENT_TYPE)
        if raw is None:
            return None
        for param in raw.split(";")[1:]:
            key, _, val = param.partition("=")
            if key.strip().lower() == "charset":
                return val.strip().strip('"').lower()
        return None

    @charset.setter
    def charset(self, value: Optional[str]) -> None:
        ctype = self.content_type
        if ctype == "application/octet-stream" and _CONTENT_TYPE not in self._headers:
            raise RuntimeError(
                "Setting charset for application/octet-stream doesn't make sense, "
                "setup content_type first"
            )
        if value is None:
            self._headers[_CONTENT_TYPE] = ctype
        else:
            self._headers[_CONTENT_TYPE] = f"{ctype}; charset={value.lower()}"

    @property
    def last_modified(self) -> Optional[datetime.datetime]:
        """The ``Last-Modified`` header as an aware UTC datetime (None if unset)."""
        return parse_http_date(self._headers.get(hdrs.LAST_MODIFIED))

    @last_modified.setter
    def last_modified(
        self, value: Optional[Union[int, float, datetime.datetime, str]]
    ) -> None:
        if value is None:
            self._headers.popall(hdrs.LAST_MODIFIED, None)
        else:
            self._headers[hdrs.LAST_MODIFIED] = format_last_modified(value)

    @property
    def etag(self) -> Optional[ETag]:
        """The ``ETag`` header as an :class:`ETag` (None if unset or malformed)."""
        return parse_etag_header(self._headers.get(hdrs.ETAG))

    @etag.setter
    def etag(self, value: Optional[Union[ETag, str]]) -> None:
        if value is None:
            self._headers.popall(hdrs.ETAG, None)
        else:
            self._headers[hdrs.ETAG] = format_etag_header(value)

    # --- sending --------------------------------------------------------

    async def prepare(self, request: "BaseRequest") -> Optional[AbstractStreamWriter]:
        """Send the head; after this the body can be written."""
        if self._eof_sent:
            return None
        if self._payload_writer is not None:
            return self._payload_writer
        self._must_be_empty_body = _no_body(request, self._status)
        return await self._start(request)

    async def _start(self, request: "BaseRequest") -> AbstractStreamWriter:
        self._req = request
        writer = request._payload_writer
        await request._prepare_hook(self)
        version = self._prepare_headers(request, writer)
        # Only a head that serialised cleanly makes the response "prepared":
        # a bad header (CR/LF) leaves it unsent so the server can answer 500.
        await writer.write_headers(
            _status_line(version, self._status, self._reason), self._headers
        )
        self._payload_writer = writer
        return writer

    def _prepare_headers(
        self,
        request: "BaseRequest",
        writer: AbstractStreamWriter,
        length: Optional[int] = None,
    ) -> HttpVersion:
        """Complete the headers; returns the request's HTTP version.

        ``length``: the Content-Length the caller has just set, as an int
        (saves parsing the header back). The version is returned because the
        caller's status line needs it too.
        """
        headers = self._headers
        if self._cookies:
            for morsel in self._cookies.values():
                headers.add(hdrs.SET_COOKIE, morsel.OutputString())
        if self._compression:
            self._start_compression(request, writer)
        version = request.version
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = self._keep_alive = request.keep_alive
        if self._chunked:
            if version != HttpVersion11:
                raise RuntimeError(
                    f"Using chunked encoding is forbidden for HTTP/"
                    f"{version[0]}.{version[1]}"
                )
            if not self._must_be_empty_body:
                writer.enable_chunking()
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
            headers.popall(_CONTENT_LENGTH, None)
        elif _CONTENT_LENGTH in headers:
            if self._status < 200 or self._status == 204:
                del headers[_CONTENT_LENGTH]
            elif self._length_check and not self._must_be_empty_body:
                if length is None:
                    length = int(headers[_CONTENT_LENGTH])
                writer.length = length
        elif not self._must_be_empty_body:
            if version == HttpVersion11:
                writer.enable_chunking()
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
            else:
                # HTTP/1.0 without a length: the end of the body is the close.
                keep_alive = self._keep_alive = False
        if not self._must_be_empty_body or self._status >= 200:
            headers.setdefault(_CONTENT_TYPE, "application/octet-stream")
        headers.setdefault(hdrs.DATE, http_date_now())
        headers.setdefault(hdrs.SERVER, SERVER_SOFTWARE)
        if hdrs.CONNECTION not in headers:
            if keep_alive:
                if version == HttpVersion10:
                    headers[hdrs.CONNECTION] = "keep-alive"
            elif version == HttpVersion11:
                headers[hdrs.CONNECTION] = "close"
        return version

    def _compression_coding(self, request: "BaseRequest") -> Optional[ContentCoding]:
        if self._compression_force is not None:
            return self._compression_force
        accepted = request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()
        for coding in (ContentCoding.deflate, ContentCoding.gzip):
            if coding.value in accepted:
                return coding
        return None

    def _start_compression(
        self, request: "BaseRequest", writer: AbstractStreamWriter
    ) -> None:
        coding = self._compression_coding(request)
        if coding is None or coding is ContentCoding.identity:
            return
        if self._must_be_empty_body:
            return
        writer.enable_compression(coding.value, self._compression_strategy)
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._headers.popall(_CONTENT_LENGTH, None)
        self._chunked = request.version == HttpVersion11 or self._chunked
        self._headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)

    async def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Write a piece of the body; prepare() must have been awaited first."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"data argument must be byte-ish, got {type(data).__name__}: "
                "encode text first"
            )
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        if self._payload_writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        if self._must_be_empty_body:
            return
        await self._payload_writer.write(data)

    async def drain(self) -> None:
        if self._eof_sent:
            raise RuntimeError("EOF already sent")
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        await self._payload_writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the body (optionally with a last piece of data)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"data argument must be byte-ish, got {type(data).__name__}"
            )
        if self._eof_sent:
            return
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        writer = self._payload_writer
        await writer.write_eof(b"" if self._must_be_empty_body else bytes(data))
        self._ended(writer)

    def _ended(self, writer: AbstractStreamWriter) -> None:
        """Record that the whole response went to ``writer``."""
        self._eof_sent = True
        self._req = None
        self._body_length = writer.output_size
        self._payload_writer = None

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self.prepared:
            assert self._req is not None
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{self.__class__.__name__} {self.reason} {info}>"

    def __hash__(self) -> int:
        return hash(id(self))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True


class Response(StreamResponse):
    """A response with its whole body known up front (bytes or text)."""

    _zlib_executor_size: Optional[int] = None
    _zlib_executor: Any = None

    def __init__(
        self,
        *,
        body: Any = None,
        status: int = 200,
        reason: Optional[str] = None,
        text: Optional[str] = None,
        headers: Optional[LooseHeaders] = None,
        content_type: Optional[str] = None,
        charset: Optional[str] = None,
        zlib_executor_size: Optional[int] = None,
        zlib_executor: Any = None,
    ) -> None:
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together: pass only one")
        if content_type is not None and "charset" in content_type:
            raise ValueError(
                "charset must not be in content_type argument: use charset="
            )
        if text is None:
            real_headers = _initial_headers(headers, content_type, charset, text=False)
        elif type(text) is not str and not isinstance(text, str):
            raise TypeError(f"text argument must be str ({type(text)!r})")
        elif headers is None and content_type is None and charset is None:
            # The most common call, Response(text=...): a copy of a ready
            # header set, and str.encode()'s own default, UTF-8.
            real_headers = _TEXT_HEADERS.copy()
            body = text.encode()
        else:
            real_headers = _initial_headers(headers, content_type, charset, text=True)
            body = text.encode(charset or "utf-8")
        # What StreamResponse.__init__() does with these, without the call.
        self._headers = real_headers
        if status == 200 and reason is None:  # the default: no checks to make
            self._status, self._reason = 200, "OK"
        else:
            self._set_status(status, reason)
        if type(body) is bytes and type(self).body is _RESPONSE_BODY:
            # What the body setter would store, minus its checks (a subclass
            # with its own setter still gets called).
            self._body = body
        else:
            self.body = body
        if zlib_executor_size is not None or zlib_executor is not None:
            self._zlib_executor_size = zlib_executor_size
            self._zlib_executor = zlib_executor

    @property
    def body(self) -> Any:
        """The body: bytes, a :class:`~aiohttp.payload.Payload`, or ``None``."""
        return self._body

    @body.setter
    def body(self, body: Any) -> None:
        if body is None:
            self._body = None
        elif isinstance(body, (bytes, bytearray)):
            self._body = bytes(body)
        elif isinstance(body, memoryview):
            self._body = body.tobytes()
        else:
            self._body = body_payload(body, self._headers)

    @property
    def text(self) -> Optional[str]:
        if self._body is None:
            return None
        return str(self._body.decode(self.charset or "utf-8"))

    @text.setter
    def text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text argument must be str ({type(text)!r})")
        if self.content_type == "application/octet-stream":
            self.content_type = "text/plain"
        if self.charset is None:
            self.charset = "utf-8"
        self._body = text.encode(self.charset or "utf-8")

    @property
    def content_length(self) -> Optional[int]:
        if self._chunked:
            return None
        if _CONTENT_LENGTH in self._headers:
            return int(self._headers[_CONTENT_LENGTH])
        body = self._body
        if isinstance(body, Payload):
            return body.size
        return len(body) if body is not None else 0

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        raise RuntimeError("Content length is set automatically for Response")

    async def _start(self, request: "BaseRequest") -> AbstractStreamWriter:
        headers = self._headers
        if not self._chunked and _CONTENT_LENGTH not in headers:
            body = self._body
            # type() first: Payload is an ABC, and isinstance() against an ABC
            # is a slower call than the plain bytes check of the common case.
            if type(body) is not bytes and isinstance(body, Payload):
                # Known size: Content-Length; otherwise (or compressed on the
                # fly) the base class streams it chunked.
                if body.size is not None and not self._compression:
                    headers[_CONTENT_LENGTH] = str(body.size)
            else:
                if self._compression and body:
                    self._body = body = self._compress_body(request, body)
                headers[_CONTENT_LENGTH] = str(len(body)) if body is not None else "0"
        return await super()._start(request)

    def _send_now(self, request: "BaseRequest") -> bool:
        """``prepare()`` and ``write_eof()`` as one plain call, when possible.

        For the server's common case: a plain Response (this exact class, so
        no overridden steps) with a bytes body or none, no compression, no
        ``on_response_prepare`` receivers and the server's own StreamWriter.
        Nothing in those coroutines would then suspend, and running their
        steps directly saves several coroutine layers per request. The steps
        and their order are the same as there. Returns False, having changed
        nothing, when any condition does not hold.
        """
        writer = request._payload_writer
        body = self._body
        if (
            self._payload_writer is not None
            or self._eof_sent
            or self._compression
            or (body is not None and type(body) is not bytes)
            or type(writer) is not StreamWriter
            or writer._on_headers_sent is not None
            or writer._on_chunk_sent is not None
            or request._prepare_hook_pending()
        ):
            return False
        status = self._status
        self._must_be_empty_body = empty = _no_body(request, status)
        headers = self._headers
        length = None
        if not self._chunked and _CONTENT_LENGTH not in headers:  # as _start()
            length = len(body) if body is not None else 0
            headers[_CONTENT_LENGTH] = str(length)
        self._req = request
        version = self._prepare_headers(request, writer, length)
        # Prepared only once the head has serialised cleanly: a bad header
        # (CR/LF) leaves the response unsent, so the server can answer 500.
        writer._write_message(
            _status_line(version, status, self._reason),
            headers,
            b"" if empty or body is None else body,
        )
        self._payload_writer = writer
        self._ended(writer)
        return True

    def _compress_body(self, request: "BaseRequest", body: bytes) -> bytes:
        """Compress a whole body up front so it keeps a Content-Length."""
        coding = self._compression_coding(request)
        if coding is None or coding is ContentCoding.identity:
            self._compression = False
            return body
        wbits = 16 + zlib.MAX_WBITS if coding is ContentCoding.gzip else zlib.MAX_WBITS
        compressor = zlib.compressobj(wbits=wbits)
        compressed = compressor.compress(body) + compressor.flush()
        self._compression = False
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
        return compressed

    async def write_eof(self, data: bytes = b"") -> None:
        if self._eof_sent:
            return
        body = self._body
        if type(body) is not bytes and isinstance(body, Payload):
            await self._write_payload_eof(body, data)
        elif body is not None and not data and not self._must_be_empty_body:
            await super().write_eof(body)
        else:
            await super().write_eof(data)

    async def _write_payload_eof(self, body: Payload, data: bytes) -> None:
        try:
            writer = self._payload_writer
            if writer is not None and not data and not self._must_be_empty_body:
                await body.write(writer)
        finally:
            await body.close()
        await super().write_eof(data)


_RESPONSE_BODY = Response.body


def json_response(
    data: Any = SENTINEL,
    *,
    text: Optional[str] = None,
    body: Optional[bytes] = None,
    status: int = 200,
    reason: Optional[str] = None,
    headers: Optional[LooseHeaders] = None,
    content_type: str = "application/json",
    dumps: JSONEncoder = json.dumps,
) -> Response:
    """A :class:`Response` carrying ``data`` serialised as JSON."""
    if data is not SENTINEL:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        text = encode_json(data, dumps)
    return Response(
        text=text,
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )
