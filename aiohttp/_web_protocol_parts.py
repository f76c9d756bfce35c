"""Pieces of the server protocol that need no connection state.

The stream reader that sends ``100 Continue`` on the first read, the bytes of
the answer to a request the parser rejected, the error responses built for a
failing handler, and argument checks.
"""

import asyncio
import traceback
from html import escape
from typing import Optional

from . import hdrs
from ._helpers import http_date_now
from .base_protocol import BaseProtocol
from .http_exceptions import BadHttpMessage
from .http_parser import RawRequestMessage
from .http_writer import SERVER_SOFTWARE, HttpVersion11, StreamWriter, serialize_headers
from .streams import StreamReader
from .web_response import Response

__all__ = (
    "ContinueOnReadStreamReader",
    "bad_message_response",
    "check_timeout",
    "error_response",
    "expects_continue",
    "reason_phrase",
)


class ContinueOnReadStreamReader(StreamReader):
    """A body for ``Expect: 100-continue``: asks for it on the first read.

    The interim ``100 Continue`` goes out only when the handler first waits
    for body data, so a handler (or an app's expect handler) that answers
    without reading never makes the client upload the body.
    """

    __slots__ = ("_continue_writer",)

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(protocol, limit, loop=loop)
        self._continue_writer: Optional[StreamWriter] = None

    async def _wait(self, func_name: str) -> None:
        writer = self._continue_writer
        if writer is not None:
            self._continue_writer = None
            writer.send_continue()
        await super()._wait(func_name)


def expects_continue(message: RawRequestMessage) -> bool:
    expect = message.headers.get(hdrs.EXPECT)
    return (
        expect is not None
        and expect.lower() == "100-continue"
        and message.version == HttpVersion11
    )


def bad_message_response(exc: BadHttpMessage) -> bytes:
    """The whole response (head and body) to a request the parser rejected."""
    status = exc.code or 400
    reason = reason_phrase(status)
    body = f"{status} {reason}\n\n{exc.message}\n".encode("utf-8", "replace")
    head = serialize_headers(
        f"HTTP/1.1 {status} {reason}",
        [
            (hdrs.CONTENT_TYPE, "text/plain; charset=utf-8"),
            (hdrs.CONTENT_LENGTH, str(len(body))),
            (hdrs.CONNECTION, "close"),
            (hdrs.DATE, http_date_now()),
            (hdrs.SERVER, SERVER_SOFTWARE),
        ],
    )
    return head + body


def error_response(
    status: int, traceback_of: Optional[BaseException], message: Optional[str]
) -> Response:
    """An error response that closes the connection.

    With ``traceback_of`` (debug mode) it is an HTML page showing that
    exception's traceback; otherwise plain ``message`` or a generic text.
    """
    reason = reason_phrase(status)
    if traceback_of is not None:
        tb = escape("".join(traceback.format_exception(traceback_of)))
        text = (
            f"<html><head><title>{status} {reason}</title></head><body>"
            f"<h1>{status} {reason}</h1><pre>{tb}</pre></body></html>"
        )
        resp = Response(status=status, text=text, content_type="text/html")
    else:
        text = message or f"{status} {reason}\n\nServer got itself in trouble"
        resp = Response(status=status, text=text)
    resp.force_close()
    return resp


def check_timeout(name: str, value: Optional[float]) -> Optional[float]:
    """A timeout in seconds: a positive number, or None/0 for no limit."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{name} must be a positive number of seconds or None (no limit), "
            f"got {value!r}"
        )
    return float(value)


def reason_phrase(status: int) -> str:
    """The standard reason phrase of ``status``."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Bad Request" if 400 <= status < 500 else "Error"
