"""make_mocked_request and make_mocked_coro, used as a handler's unit tests would."""

import asyncio
import ssl
from unittest import mock

import pytest
from multidict import CIMultiDict

from aiohttp import web
from aiohttp.http_writer import HttpVersion10, HttpVersion11
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp.test_utils import make_mocked_coro, make_mocked_request
from aiohttp.web_protocol import RequestHandler

COUNTER = web.AppKey("counter", int)


def test_request_basics_outside_a_loop() -> None:
    req = make_mocked_request(
        "GET", "/users/7?full=1", headers={"Host": "example.com", "X-A": "b"}
    )
    assert isinstance(req, web.Request)
    assert req.method == "GET"
    assert req.path == "/users/7"
    assert req.query["full"] == "1"
    assert req.path_qs == "/users/7?full=1"
    assert str(req.url) == "http://example.com/users/7?full=1"
    assert req.headers["x-a"] == "b"
    assert req.raw_headers == ((b"Host", b"example.com"), (b"X-A", b"b"))
    assert req.version == HttpVersion11
    assert req.keep_alive
    assert not req.secure
    assert req.remote is None
    assert req.content is EMPTY_PAYLOAD
    assert not req.body_exists
    assert req.match_info == {}


def test_headers_as_pairs_and_multidict() -> None:
    pairs = make_mocked_request("GET", "/", headers=[("A", "1"), ("A", "2")])
    assert pairs.headers.getall("a") == ["1", "2"]
    multi = make_mocked_request("GET", "/", headers=CIMultiDict(B="3"))
    assert multi.headers["b"] == "3"


def test_match_info_and_app() -> None:
    app = web.Application()
    app[COUNTER] = 3
    req = make_mocked_request("GET", "/u/x", match_info={"name": "x"}, app=app)
    assert req.match_info["name"] == "x"
    assert req.app is app
    assert req.app[COUNTER] == 3
    assert req.match_info.apps == (app,)
    assert req.config_dict[COUNTER] == 3


def test_default_app_is_real_and_writable() -> None:
    req = make_mocked_request("GET", "/")
    assert isinstance(req.app, web.Application)
    req.app[COUNTER] = 1
    assert req.app[COUNTER] == 1


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="method="):
        make_mocked_request(b"GET", "/")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path="):
        make_mocked_request("GET", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="match_info="):
        make_mocked_request("GET", "/", match_info=["x"])
    with pytest.raises(TypeError, match="payload="):
        make_mocked_request("GET", "/", payload="text")  # type: ignore[arg-type]


def test_version_closing_and_chunked() -> None:
    req = make_mocked_request(
        "POST",
        "/",
        headers={"Transfer-Encoding": "chunked"},
        version=HttpVersion10,
        closing=True,
    )
    assert req.version == HttpVersion10
    assert not req.keep_alive
    assert req.message.chunked
    upgrade = make_mocked_request(
        "GET", "/", headers={"Connection": "Upgrade", "Upgrade": "websocket"}
    )
    assert upgrade.message.upgrade


def test_sslcontext_makes_it_secure() -> None:
    ctx = ssl.create_default_context()
    req = make_mocked_request("GET", "/", headers={"Host": "h"}, sslcontext=ctx)
    assert req.secure
    assert req.scheme == "https"
    assert str(req.url) == "https://h/"
    assert req.transport is not None
    assert req.transport.get_extra_info("sslcontext") is ctx


async def test_protocol_and_writer_are_real() -> None:
    req = make_mocked_request("GET", "/")
    assert isinstance(req.protocol, RequestHandler)
    assert req.protocol.transport is req.transport
    assert req.writer.transport is req.transport


async def test_handler_response_reaches_the_mock_transport() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.match_info['name']}")

    req = make_mocked_request("GET", "/", match_info={"name": "bob"})
    resp = await handler(req)
    await resp.prepare(req)
    await resp.write_eof()
    assert req.transport is not None
    written = b"".join(c.args[0] for c in req.transport.write.call_args_list)  # type: ignore[attr-defined]
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert written.endswith(b"\r\n\r\nhello bob")


async def test_streaming_response_with_user_protocol_mock() -> None:
    # aiohttp's users often pass a bare Mock: writing must still work.
    req = make_mocked_request("GET", "/", protocol=mock.Mock())
    assert not req.secure  # the mock got a transport that knows no TLS
    resp = web.StreamResponse()
    await resp.prepare(req)
    await resp.write(b"part")
    await resp.write_eof()
    written = b"".join(
        c.args[0]
        for c in req.writer.transport.write.call_args_list  # type: ignore[union-attr]
    )
    assert b"4\r\npart\r\n0\r\n\r\n" in written


async def test_user_transport_and_writer_are_used() -> None:
    transport = mock.Mock()
    transport.get_extra_info.return_value = ("10.0.0.1", 4321)
    writer = mock.Mock()
    req = make_mocked_request("GET", "/", transport=transport, writer=writer)
    assert req.transport is transport
    assert req.remote == "10.0.0.1"
    assert req.writer is writer


async def test_user_transport_is_not_written_by_default_writer() -> None:
    transport = mock.Mock()  # a bare mock: is_closing() is truthy
    transport.get_extra_info.return_value = None
    req = make_mocked_request("GET", "/", transport=transport)
    resp = web.Response(body=b"x")
    await resp.prepare(req)
    await resp.write_eof()
    transport.write.assert_not_called()


async def test_payload_bytes_and_stream() -> None:
    req = make_mocked_request(
        "POST",
        "/",
        headers={"Content-Type": "application/json"},
        payload=b'{"a": 1}',
    )
    assert req.body_exists
    assert await req.json() == {"a": 1}
    loop = asyncio.get_running_loop()
    stream = StreamReader(mock.Mock(), 2**16, loop=loop)
    stream.feed_data(b"a=1&b=2")
    stream.feed_eof()
    form = make_mocked_request(
        "POST",
        "/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        payload=stream,
    )
    assert dict(await form.post()) == {"a": "1", "b": "2"}


async def test_client_max_size() -> None:
    req = make_mocked_request("POST", "/", payload=b"x" * 11, client_max_size=10)
    with pytest.raises(web.HTTPRequestEntityTooLarge):
        await req.read()


async def test_loop_defaults_to_running_loop() -> None:
    req = make_mocked_request("GET", "/")
    assert req._loop is asyncio.get_running_loop()
    other = mock.Mock()
    assert make_mocked_request("GET", "/", loop=other)._loop is other


def test_clone_keeps_match_info() -> None:
    req = make_mocked_request("GET", "/a", match_info={"k": "v"})
    clone = req.clone(rel_url="/b")
    assert clone.path == "/b"
    assert clone.match_info["k"] == "v"


def test_existing_match_info_object_is_used() -> None:
    first = make_mocked_request("GET", "/", match_info={"k": "v"})
    second = make_mocked_request("GET", "/", match_info=first.match_info)
    assert second.match_info is first.match_info


async def test_mocked_coro_returns_and_records() -> None:
    coro = make_mocked_coro(42)
    assert await coro(1, key=2) == 42
    coro.assert_called_once_with(1, key=2)
    assert await make_mocked_coro()() is None


async def test_mocked_coro_awaits_awaitable_return_value() -> None:
    fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    fut.set_result("done")
    assert await make_mocked_coro(fut)() == "done"


async def test_mocked_coro_raises() -> None:
    coro = make_mocked_coro(raise_exception=ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await coro()
