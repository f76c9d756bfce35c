"""The server sends a plain Response without the coroutine layers of
``prepare()``/``write_eof()`` (``Response._send_now``). What goes on the wire,
and the response's state afterwards, must be exactly what the full path gives:
each case is answered once by ``web.Response`` (the shortcut) and once by a
subclass (always the full path), and the raw bytes are compared."""

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_parser import EndOfMessage, HttpResponseParser
from aiohttp.test_utils import TestServer


class FullPath(web.Response):
    """Not the exact class, so the server takes prepare() + write_eof()."""


def _text(cls: type[web.Response]) -> web.Response:
    return cls(text="hi there")


def _empty(cls: type[web.Response]) -> web.Response:
    return cls()


def _no_content(cls: type[web.Response]) -> web.Response:
    return cls(status=204)


def _not_modified(cls: type[web.Response]) -> web.Response:
    return cls(status=304, body=b"ignored")


def _headers_and_cookies(cls: type[web.Response]) -> web.Response:
    resp = cls(body=b"\x00\x01", headers={"X-A": "1"}, content_type="x/y")
    resp.set_cookie("name", "value", httponly=True)
    return resp


def _chunked(cls: type[web.Response]) -> web.Response:
    resp = cls(body=b"abc" * 100)
    resp.enable_chunked_encoding()
    return resp


def _force_close(cls: type[web.Response]) -> web.Response:
    resp = cls(text="bye", charset="latin-1")
    resp.force_close()
    return resp


def _own_length(cls: type[web.Response]) -> web.Response:
    return cls(body=b"abcdef", headers={"Content-Length": "3"})


CASES: dict[str, Callable[[type[web.Response]], web.Response]] = {
    "text": _text,
    "empty": _empty,
    "no-content": _no_content,
    "not-modified": _not_modified,
    "headers-and-cookies": _headers_and_cookies,
    "chunked": _chunked,
    "force-close": _force_close,
    "own-length": _own_length,
}
REQUESTS = {
    "get": "GET /{case}/{kind} HTTP/1.1\r\nHost: x\r\n\r\n",
    "get-close": "GET /{case}/{kind} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "head": "HEAD /{case}/{kind} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "http10": "GET /{case}/{kind} HTTP/1.0\r\n\r\n",
    "http10-keep-alive": "GET /{case}/{kind} HTTP/1.0\r\nConnection: keep-alive\r\n"
    "\r\n",
}
DATE = re.compile(rb"\r\nDate: [^\r]*")


async def handler(request: web.Request) -> web.Response:
    cls = web.Response if request.match_info["kind"] == "plain" else FullPath
    return CASES[request.match_info["case"]](cls)


async def exchange(port: int, request: str) -> bytes:
    """The raw bytes of the response to ``request`` (Date masked)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request.encode())
    parser = HttpResponseParser()
    parser.request_method = request.split(" ", 1)[0]
    data = b""
    while chunk := await reader.read(65536):
        data += chunk
        events = parser.feed_data(chunk)
        if any(type(event) is EndOfMessage for event in events):
            break  # a keep-alive response is complete: do not wait for a close
    writer.close()
    return DATE.sub(b"\r\nDate: -", data)


@pytest.fixture
async def port(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> int:
    app = web.Application()
    app.router.add_route("*", "/{case}/{kind}", handler)
    server = await aiohttp_server(app)
    assert server.port is not None
    return server.port


@pytest.mark.parametrize("request_kind", REQUESTS)
@pytest.mark.parametrize("case", CASES)
async def test_the_wire_bytes_are_those_of_the_full_path(
    port: int, case: str, request_kind: str
) -> None:
    template = REQUESTS[request_kind]
    plain = await exchange(port, template.format(case=case, kind="plain"))
    full = await exchange(port, template.format(case=case, kind="full"))
    assert plain.startswith(b"HTTP/1.")
    assert plain == full


async def test_prepare_receivers_still_run(
    aiohttp_client: Callable[..., Awaitable[Any]],
) -> None:
    seen: list[web.StreamResponse] = []

    async def on_prepare(request: web.Request, resp: web.StreamResponse) -> None:
        seen.append(resp)
        resp.headers["X-Prepared"] = "yes"

    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", plain)
    sub = web.Application()
    sub.router.add_get("/", plain)
    sub.on_response_prepare.append(on_prepare)
    app.add_subapp("/sub", sub)
    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert "X-Prepared" not in resp.headers and not seen
    resp = await client.get("/sub/")
    assert resp.headers["X-Prepared"] == "yes" and len(seen) == 1
    assert await resp.text() == "ok"


async def test_state_after_sending_is_that_of_write_eof(
    aiohttp_client: Callable[..., Awaitable[Any]],
) -> None:
    logged: dict[str, tuple[bool, int, bool, Any]] = {}

    class Recorder(AbstractAccessLogger):
        def log(self, request: Any, response: Any, time: float) -> None:
            logged[request.path] = (
                response.prepared,
                response.body_length,
                response._eof_sent,
                response._req,
            )

    app = web.Application()
    app.router.add_get("/{case}/{kind}", handler)
    client = await aiohttp_client(app, server_kwargs={"access_log_class": Recorder})
    for kind in ("plain", "full"):
        resp = await client.get(f"/text/{kind}")
        assert await resp.text() == "hi there"
    assert logged["/text/plain"] == logged["/text/full"]
    assert logged["/text/plain"][:3] == (True, logged["/text/plain"][1], True)
    assert logged["/text/plain"][1] > len("hi there")  # the head counts too


async def test_the_low_level_server_takes_the_shortcut_too(
    raw_server: Callable[..., Awaitable[Any]],
) -> None:
    async def low_level(request: web.BaseRequest) -> web.Response:
        cls = web.Response if request.path == "/plain" else FullPath
        return _headers_and_cookies(cls)

    server = await raw_server(low_level)
    request = "GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    plain = await exchange(server.port, request.format("plain"))
    full = await exchange(server.port, request.format("full"))
    assert plain == full and b"Set-Cookie: name=value; HttpOnly" in plain
