"""Responses, checked on the wire through the low-level server."""

import gzip
import json
import zlib
from typing import Any

import pytest

from aiohttp import web
from aiohttp.web_response import ContentCoding


def test_response_defaults() -> None:
    resp = web.Response()
    assert resp.status == 200
    assert resp.reason == "OK"
    assert resp.body is None
    assert resp.text is None
    assert resp.content_length == 0
    assert not resp.prepared
    assert resp.keep_alive is None
    assert repr(resp) == "<Response OK not prepared>"


def test_response_text_sets_content_type() -> None:
    resp = web.Response(text="héllo")
    assert resp.content_type == "text/plain"
    assert resp.charset == "utf-8"
    assert resp.body == "héllo".encode()
    assert resp.text == "héllo"
    assert resp.content_length == len("héllo".encode())


def test_text_responses_do_not_share_headers() -> None:
    # Response(text=...) starts from a copy of a ready header set: changing
    # one response's headers must not reach the next one.
    first = web.Response(text="a")
    first.headers["Content-Type"] = "text/html"
    first.headers["X-Extra"] = "1"
    second = web.Response(text="b", status=201, reason="Made")
    assert dict(second.headers) == {"Content-Type": "text/plain; charset=utf-8"}
    assert (second.status, second.reason, second.body) == (201, "Made", b"b")
    assert (first.status, first.reason) == (200, "OK")


def test_response_text_with_custom_charset_and_type() -> None:
    resp = web.Response(text="x", content_type="text/html", charset="latin-1")
    assert resp.headers["Content-Type"] == "text/html; charset=latin-1"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"body": b"a", "text": "b"}, ValueError, "body and text"),
        ({"text": b"bytes"}, TypeError, "text argument must be str"),
        ({"content_type": "text/plain; charset=utf-8"}, ValueError, "charset="),
        (
            {"text": "a", "headers": {"Content-Type": "x/y"}, "charset": "utf-8"},
            ValueError,
            "forbidden",
        ),
        (
            {"body": b"a", "headers": {"Content-Type": "x/y"}, "content_type": "a/b"},
            ValueError,
            "forbidden",
        ),
        ({"body": 42}, ValueError, "body=int"),
        ({"status": 42}, ValueError, "status=42"),
        ({"reason": "a\r\nb"}, ValueError, "newline"),
    ],
)
def test_response_misuse(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        web.Response(**kwargs)


def test_response_body_types() -> None:
    assert web.Response(body=bytearray(b"ab")).body == b"ab"
    assert web.Response(body=memoryview(b"cd")).body == b"cd"
    resp = web.Response(body=b"x", content_type="application/json")
    assert resp.content_type == "application/json"


def test_response_text_setter() -> None:
    resp = web.Response()
    resp.text = "new"
    assert resp.content_type == "text/plain"
    assert resp.charset == "utf-8"
    assert resp.body == b"new"
    with pytest.raises(TypeError):
        resp.text = b"x"  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="automatically"):
        resp.content_length = 3


def test_stream_response_headers_and_properties() -> None:
    resp = web.StreamResponse(status=201, reason="Made", headers={"X-A": "1"})
    assert resp.status == 201
    assert resp.reason == "Made"
    assert resp.headers["X-A"] == "1"
    assert resp.content_type == "application/octet-stream"
    assert resp.charset is None
    with pytest.raises(RuntimeError, match="content_type first"):
        resp.charset = "utf-8"
    resp.content_type = "text/html"
    resp.charset = "UTF-8"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    resp.content_type = "text/plain"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    resp.charset = None
    assert resp.headers["Content-Type"] == "text/plain"
    resp.content_length = 10
    assert resp.content_length == 10
    with pytest.raises(RuntimeError, match="chunked"):
        resp.enable_chunked_encoding()
    resp.content_length = None
    assert resp.content_length is None
    resp.enable_chunked_encoding()
    assert resp.chunked
    with pytest.raises(RuntimeError, match="chunked"):
        resp.content_length = 5
    with pytest.raises(TypeError, match="chunk_size"):
        resp.enable_chunked_encoding(chunk_size=10)
    resp.set_status(404)
    assert resp.reason == "Not Found"
    resp.set_status(499)
    assert resp.reason == ""
    with pytest.raises(TypeError, match="ContentCoding"):
        resp.enable_compression(force="gzip")  # type: ignore[arg-type]


def test_response_is_a_mutable_mapping() -> None:
    resp = web.StreamResponse()
    resp["key"] = 1
    assert resp["key"] == 1
    assert len(resp) == 1
    assert list(resp) == ["key"]
    del resp["key"]
    assert not len(resp)
    assert resp
    assert resp == resp
    assert resp != web.StreamResponse()
    assert hash(resp) == hash(id(resp))


def test_json_response() -> None:
    resp = web.json_response({"a": [1, 2]})
    assert json.loads(resp.text or "") == {"a": [1, 2]}
    assert resp.content_type == "application/json"
    custom = web.json_response({"a": 1}, dumps=lambda obj: "custom")
    assert custom.text == "custom"
    assert web.json_response(text='{"b": 2}').text == '{"b": 2}'
    with pytest.raises(ValueError, match="only one"):
        web.json_response({"a": 1}, text="x")


def test_cookies_serialised() -> None:
    resp = web.StreamResponse()
    resp.set_cookie(
        "name",
        "value",
        max_age=10,
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="Lax",
        expires="Thu, 01 Jan 2037 00:00:00 GMT",
    )
    morsel = resp.cookies["name"]
    assert morsel.value == "value"
    assert morsel["max-age"] == "10"
    assert morsel["samesite"] == "Lax"
    resp.del_cookie("name")
    assert resp.cookies["name"]["max-age"] == "0"


async def _fetch(
    raw_server: Any, raw_connect: Any, handler: Any, request: bytes, method: str = "GET"
) -> Any:
    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(request)
    return await conn.response(method=method)


async def test_response_on_the_wire(raw_server: Any, raw_connect: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        resp = web.Response(text="body", status=201, headers={"X-Custom": "yes"})
        resp.set_cookie("sid", "abc", httponly=True)
        return resp

    resp = await _fetch(
        raw_server, raw_connect, handler, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    headers = resp.head.headers
    assert resp.status == 201
    assert resp.head.reason == "Created"
    assert resp.body == b"body"
    assert headers["Content-Length"] == "4"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-Custom"] == "yes"
    assert "sid=abc" in headers["Set-Cookie"]
    assert "HttpOnly" in headers["Set-Cookie"]
    assert headers["Server"].startswith("Python/")
    assert headers["Date"].endswith("GMT")


@pytest.mark.parametrize(
    ("accept", "coding"), [("gzip", "gzip"), ("deflate, gzip", "deflate"), ("", None)]
)
async def test_response_compression(
    raw_server: Any, raw_connect: Any, accept: str, coding: Any
) -> None:
    payload = b"compress me " * 200

    async def handler(request: web.BaseRequest) -> web.Response:
        resp = web.Response(body=payload)
        resp.enable_compression()
        return resp

    resp = await _fetch(
        raw_server,
        raw_connect,
        handler,
        f"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept}\r\n\r\n".encode(),
    )
    assert resp.head.headers.get("Content-Encoding") == coding
    assert resp.body == payload  # our response parser decompresses
    if coding:
        assert int(resp.head.headers["Content-Length"]) < len(payload)


async def test_stream_response_forced_gzip(raw_server: Any, raw_connect: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_compression(ContentCoding.gzip)
        await resp.prepare(request)
        await resp.write(b"streamed " * 50)
        await resp.write_eof()
        return resp

    resp = await _fetch(
        raw_server, raw_connect, handler, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert resp.head.headers["Content-Encoding"] == "gzip"
    assert resp.body == b"streamed " * 50
    assert gzip.decompress(gzip.compress(b"x")) == b"x"
    assert zlib.MAX_WBITS == 15


async def test_http10_streaming_closes_instead_of_chunking(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"until close")
        return resp

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    resp = await conn.response()
    assert resp.body == b"until close"
    assert "Transfer-Encoding" not in resp.head.headers


async def test_chunked_for_http10_is_refused(raw_server: Any, raw_connect: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        return resp

    resp = await _fetch(raw_server, raw_connect, handler, b"GET / HTTP/1.0\r\n\r\n")
    assert resp.status == 500


async def test_write_misuse(raw_server: Any, raw_connect: Any) -> None:
    errors: list[str] = []

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        for call in (lambda: resp.write(b"x"), resp.drain, resp.write_eof):
            try:
                await call()
            except RuntimeError as exc:
                errors.append(str(exc))
        try:
            await resp.write("text")  # type: ignore[arg-type]
        except TypeError as exc:
            errors.append(str(exc))
        await resp.prepare(request)
        assert await resp.prepare(request) is not None
        with pytest.raises(RuntimeError, match="status"):
            resp.set_status(500)
        await resp.write_eof(b"done")
        with pytest.raises(RuntimeError, match="after write_eof"):
            await resp.write(b"x")
        with pytest.raises(RuntimeError, match="EOF"):
            await resp.drain()
        assert await resp.prepare(request) is None
        return resp

    resp = await _fetch(
        raw_server, raw_connect, handler, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert resp.body == b"done"
    assert errors == [
        "Cannot call write() before prepare()",
        "Response has not been started",
        "Response has not been started",
        "data argument must be byte-ish, got str: encode text first",
    ]


@pytest.mark.parametrize("status", [204, 304])
async def test_no_body_statuses(raw_server: Any, raw_connect: Any, status: int) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        return web.Response(status=status, text="ignored")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(2):
        resp = await conn.response()
        assert resp.status == status
        assert resp.body == b""


def test_response_subclass_body_setter_still_runs() -> None:
    calls: list[Any] = []

    class Recording(web.Response):
        @property
        def body(self) -> Any:
            return self._body

        @body.setter
        def body(self, value: Any) -> None:
            calls.append(value)
            self._body = value

    Recording(body=b"raw")
    Recording(text="hi")
    assert calls == [b"raw", b"hi"]
    plain = web.Response(text="hi")
    assert plain.body == b"hi"
    assert plain.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert web.Response(body=bytearray(b"ab")).body == b"ab"
