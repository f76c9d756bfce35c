"""BaseRequest properties, seen from a handler of the low-level server."""

import json
from typing import Any

import pytest
from yarl import URL

from aiohttp import web


async def _capture(raw_server: Any, raw_connect: Any, request: bytes, **kw: Any) -> Any:
    seen: dict[str, Any] = {}

    async def handler(req: web.BaseRequest) -> web.Response:
        seen["req"] = req
        seen["url"] = req.url
        seen["props"] = {
            "method": req.method,
            "version": tuple(req.version),
            "path": req.path,
            "raw_path": req.raw_path,
            "path_qs": req.path_qs,
            "query": dict(req.query),
            "query_string": req.query_string,
            "host": req.host,
            "scheme": req.scheme,
            "secure": req.secure,
            "remote": req.remote,
            "cookies": dict(req.cookies),
            "content_type": req.content_type,
            "charset": req.charset,
            "content_length": req.content_length,
            "keep_alive": req.keep_alive,
            "can_read_body": req.can_read_body,
            "body_exists": req.body_exists,
            "rel_url": str(req.rel_url),
            "peername": req.get_extra_info("peername"),
            "extra_default": req.get_extra_info("no-such-info", "dflt"),
        }
        seen["body"] = await req.read() if req.body_exists else None
        return web.Response(text="ok")

    srv = await raw_server(handler, **kw)
    conn = await raw_connect(srv.port)
    conn.send(request)
    resp = await conn.response()
    assert resp.status == 200, resp.body
    return seen


async def test_request_properties(raw_server: Any, raw_connect: Any) -> None:
    seen = await _capture(
        raw_server,
        raw_connect,
        b"POST /p%20ath/x?a=1&b=two&a=3 HTTP/1.1\r\nHost: example.com:8080\r\n"
        b"Cookie: sid=abc; theme=dark\r\n"
        b"Content-Type: text/plain; charset=latin-1\r\nContent-Length: 4\r\n\r\nbody",
    )
    props = seen["props"]
    assert props["method"] == "POST"
    assert props["version"] == (1, 1)
    assert props["path"] == "/p ath/x"
    assert props["raw_path"] == "/p%20ath/x?a=1&b=two&a=3"
    assert props["path_qs"] == "/p%20ath/x?a=1&b=two&a=3"
    assert props["query"] == {"a": "1", "b": "two"}
    assert props["query_string"] == "a=1&b=two&a=3"
    assert props["host"] == "example.com:8080"
    assert props["scheme"] == "http"
    assert props["secure"] is False
    assert props["remote"] == "127.0.0.1"
    assert props["cookies"] == {"sid": "abc", "theme": "dark"}
    assert props["content_type"] == "text/plain"
    assert props["charset"] == "latin-1"
    assert props["content_length"] == 4
    assert props["keep_alive"] is True
    assert props["can_read_body"] is True
    assert props["body_exists"] is True
    assert props["peername"][0] == "127.0.0.1"
    assert props["extra_default"] == "dflt"
    assert seen["body"] == b"body"
    assert seen["url"] == URL("http://example.com:8080/p%20ath/x?a=1&b=two&a=3")
    req = seen["req"]
    assert req.query.getall("a") == ["1", "3"]
    assert repr(req) == "<BaseRequest POST /p ath/x >"


async def test_request_without_body(raw_server: Any, raw_connect: Any) -> None:
    seen = await _capture(
        raw_server, raw_connect, b"GET / HTTP/1.0\r\nCookie: bad cookie;;=\r\n\r\n"
    )
    props = seen["props"]
    assert props["body_exists"] is False
    assert props["can_read_body"] is False
    assert props["content_type"] == "application/octet-stream"
    assert props["charset"] is None
    assert props["content_length"] is None
    assert props["keep_alive"] is False
    assert props["host"]  # falls back to this machine's name


async def test_text_json_and_limits(raw_server: Any, raw_connect: Any) -> None:
    results: dict[str, Any] = {}

    async def handler(req: web.BaseRequest) -> web.Response:
        if req.path == "/json":
            results["json"] = await req.json()
            results["again"] = await req.text()
        elif req.path == "/wrong-type":
            try:
                await req.json()
            except web.HTTPBadRequest as exc:
                results["wrong"] = exc.text
            results["loose"] = await req.json(content_type=None)
        elif req.path == "/big":
            await req.read()
        return web.Response(text="ok")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    body = json.dumps({"k": "v"}).encode()
    conn.send(
        b"POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    assert (await conn.response()).status == 200
    assert results["json"] == {"k": "v"}
    assert results["again"] == body.decode()
    conn.send(
        b"POST /wrong-type HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    assert (await conn.response()).status == 200
    assert "unexpected mimetype: text/plain" in results["wrong"]
    assert results["loose"] == {"k": "v"}
    big = 1024**2 + 1
    conn.send(
        b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % big
        + b"x" * big
    )
    resp = await conn.response()
    assert resp.status == 413
    assert b"Maximum request body size 1048576 exceeded" in resp.body


async def test_clone(raw_server: Any, raw_connect: Any) -> None:
    clones: list[web.BaseRequest] = []

    async def handler(req: web.BaseRequest) -> web.Response:
        req["state"] = 1
        clone = req.clone(
            method="PUT",
            rel_url="/new?x=1",
            headers={"X-New": "1"},
            scheme="https",
            host="other",
            remote="10.0.0.1",
            client_max_size=5,
        )
        clones.append(clone)
        clones.append(req.clone())
        with pytest.raises(ValueError, match="relative"):
            req.clone(rel_url="http://abs/")
        return web.Response(text="ok")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET /old HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).status == 200
    clone, same = clones
    assert clone.method == "PUT"
    assert clone.path == "/new"
    assert clone.query["x"] == "1"
    assert clone.headers["X-New"] == "1"
    assert clone.raw_headers == ((b"X-New", b"1"),)
    assert clone.scheme == "https"
    assert clone.secure
    assert clone.host == "other"
    assert clone.remote == "10.0.0.1"
    assert clone.client_max_size == 5
    assert clone["state"] == 1
    assert clone.url == URL("https://other/new?x=1")
    assert same.path == "/old"
    assert same.method == "GET"


async def test_mapping_and_identity(raw_server: Any, raw_connect: Any) -> None:
    async def handler(req: web.BaseRequest) -> web.Response:
        req["a"] = 1
        assert req["a"] == 1
        assert len(req) == 1
        assert list(req) == ["a"]
        del req["a"]
        assert not len(req)
        assert req
        assert req == req
        assert hash(req) == id(req)
        assert req.task is not None
        assert req.transport is not None
        assert req.protocol.transport is req.transport
        assert req.writer is not None
        assert req.message.method == "GET"
        assert req.raw_headers == ((b"Host", b"x"),)
        assert req.headers["host"] == "x"
        return web.Response(text="ok")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await conn.response()).body == b"ok"


async def test_release_discards_body(raw_server: Any, raw_connect: Any) -> None:
    async def handler(req: web.BaseRequest) -> web.Response:
        await req.release()
        assert not req.can_read_body
        return web.Response(text="released")

    srv = await raw_server(handler)
    conn = await raw_connect(srv.port)
    conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
    assert (await conn.response()).body == b"released"


def test_state_mapping_before_anything_is_stored() -> None:
    from aiohttp.test_utils import make_mocked_request

    req = make_mocked_request("GET", "/")
    assert len(req) == 0
    assert list(req) == []
    assert req.get("k") is None
    assert "k" not in req
    with pytest.raises(KeyError):
        req["k"]
    with pytest.raises(KeyError):
        del req["k"]
    req["k"] = 1
    assert dict(req) == {"k": 1}
    clone = req.clone()
    clone["k"] = 2  # the clone has its own copy
    assert req["k"] == 1
    del req["k"]
    assert len(req) == 0
    assert len(make_mocked_request("GET", "/").clone()) == 0


async def test_read_whole_buffered_body_over_the_limit_is_413() -> None:
    from aiohttp.test_utils import make_mocked_request

    req = make_mocked_request("POST", "/", payload=b"x" * 10, client_max_size=4)
    with pytest.raises(web.HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert "10" in (info.value.text or "")  # the actual size is reported


async def test_read_buffered_body_raises_the_streams_error() -> None:
    from aiohttp.test_utils import make_mocked_request

    req = make_mocked_request("POST", "/", payload=b"abc")
    req.content.set_exception(ValueError("broken body"))
    with pytest.raises(ValueError, match="broken body"):
        await req.read()
