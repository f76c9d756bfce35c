"""ClientSession against our own server over real sockets on 127.0.0.1."""

import asyncio
import gzip
import io
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from yarl import URL

import aiohttp
from aiohttp import hdrs, web
from aiohttp.test_utils import TestServer

Serve = Callable[..., Awaitable[TestServer]]


@pytest.fixture
def serve(aiohttp_server: Any) -> Serve:
    """Start an app with the given ``(method, path, handler)`` routes."""

    async def go(*routes: tuple[str, str, Any], **kwargs: Any) -> TestServer:
        app = web.Application(**kwargs)
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        server: TestServer = await aiohttp_server(app)
        return server

    return go


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as sess:
        yield sess


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path_qs,
            "headers": dict(request.headers),
            "body": body.decode("latin1"),
        }
    )


async def test_get_text_and_fields(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="hello", headers={"X-Test": "1"})

    server = await serve(("GET", "/", handler))
    url = server.make_url("/")
    async with session.get(url) as resp:
        assert resp.status == 200
        assert resp.reason == "OK"
        assert resp.ok
        assert resp.method == "GET"
        assert resp.url == url
        assert resp.real_url == url
        assert resp.host == "127.0.0.1"
        assert resp.headers["X-Test"] == "1"
        assert (b"X-Test", b"1") in resp.raw_headers
        assert resp.content_type == "text/plain"
        assert resp.charset == "utf-8"
        assert resp.content_length == 5
        assert resp.version == aiohttp.HttpVersion11
        assert resp.history == ()
        assert resp.request_info.url == url
        assert await resp.text() == "hello"
        assert await resp.read() == b"hello"
    assert resp.closed
    assert resp.connection is None


async def test_await_form_and_release(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(("GET", "/", echo))
    resp = await session.get(server.make_url("/"))
    data = await resp.json()
    resp.release()
    assert data["method"] == "GET"
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["host"] == f"127.0.0.1:{server.port}"
    assert headers["accept"] == "*/*"
    assert headers["user-agent"].startswith("Python/")
    assert "content-length" not in headers


async def test_keep_alive_reuses_connection(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    peers = []

    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        return web.Response(text="x")

    server = await serve(("GET", "/", handler))
    for _ in range(3):
        async with session.get(server.make_url("/")) as resp:
            assert await resp.text() == "x"
    assert len(set(peers)) == 1


async def test_params_and_query(serve: Serve, session: aiohttp.ClientSession) -> None:
    server = await serve(("GET", "/q", echo))
    async with session.get(server.make_url("/q?a=1"), params={"b": "x y"}) as resp:
        data = await resp.json()
    assert data["path"] == "/q?a=1&b=x+y"


@pytest.mark.parametrize(
    ("kwargs", "body", "ctype"),
    [
        ({"data": b"raw"}, "raw", "application/octet-stream"),
        ({"data": "text"}, "text", "text/plain; charset=utf-8"),
        ({"data": {"k": "v"}}, "k=v", "application/x-www-form-urlencoded"),
        ({"json": {"k": 1}}, '{"k": 1}', "application/json"),
        ({"data": io.BytesIO(b"file")}, "file", "application/octet-stream"),
    ],
)
async def test_post_bodies(
    serve: Serve,
    session: aiohttp.ClientSession,
    kwargs: dict[str, Any],
    body: str,
    ctype: str,
) -> None:
    server = await serve(("POST", "/", echo))
    async with session.post(server.make_url("/"), **kwargs) as resp:
        data = await resp.json()
    assert data["body"] == body
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["content-type"] == ctype
    assert headers["content-length"] == str(len(body))


async def test_verbs(serve: Serve, session: aiohttp.ClientSession) -> None:
    routes = [(m, "/", echo) for m in ("PUT", "PATCH", "DELETE", "OPTIONS")]
    server = await serve(*routes)
    url = server.make_url("/")
    for call, method in (
        (session.put, "PUT"),
        (session.patch, "PATCH"),
        (session.delete, "DELETE"),
        (session.options, "OPTIONS"),
    ):
        async with call(url) as resp:
            assert (await resp.json())["method"] == method


async def test_head(serve: Serve, session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"0123456789")

    server = await serve(("GET", "/", handler), ("HEAD", "/", handler))
    async with session.head(server.make_url("/")) as resp:
        assert resp.status == 200
        assert resp.content_length == 10
        assert await resp.read() == b""
    # The connection is reusable after a HEAD (no body was expected).
    async with session.get(server.make_url("/")) as resp:
        assert await resp.read() == b"0123456789"


async def test_formdata_multipart_upload(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        return web.json_response(
            {
                "name": form["name"],
                "filename": upload.filename,
                "content": upload.file.read().decode(),
            }
        )

    server = await serve(("POST", "/", handler))
    form = aiohttp.FormData()
    form.add_field("name", "value")
    form.add_field("file", io.BytesIO(b"file body"), filename="a.txt")
    async with session.post(server.make_url("/"), data=form) as resp:
        assert await resp.json() == {
            "name": "value",
            "filename": "a.txt",
            "content": "file body",
        }


async def test_streaming_upload_chunked(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        chunks = [chunk async for chunk in request.content.iter_any()]
        return web.json_response(
            {
                "te": request.headers.get("Transfer-Encoding"),
                "size": sum(map(len, chunks)),
            }
        )

    async def gen() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"x" * 10000

    server = await serve(("POST", "/", handler))
    async with session.post(server.make_url("/"), data=gen()) as resp:
        assert await resp.json() == {"te": "chunked", "size": 500000}


async def test_chunked_flag_upload(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    server = await serve(("POST", "/", echo))
    async with session.post(server.make_url("/"), data=b"abc", chunked=True) as resp:
        data = await resp.json()
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["transfer-encoding"] == "chunked"
    assert data["body"] == "abc"


async def test_compressed_upload(serve: Serve, session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    server = await serve(("POST", "/", handler))
    async with session.post(
        server.make_url("/"), data=b"z" * 1000, compress="gzip"
    ) as resp:
        assert await resp.read() == b"z" * 1000


async def test_streaming_download_back_pressure(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    total = 4 * 1024 * 1024

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(total // 65536):
            await resp.write(b"y" * 65536)
        await resp.write_eof()
        return resp

    server = await serve(("GET", "/", handler))
    async with session.get(server.make_url("/"), read_bufsize=2**14) as resp:
        received = 0
        async for chunk in resp.content.iter_chunked(4096):
            assert len(chunk) <= 4096
            # The reader never buffers far beyond its high-water mark.
            assert resp.content.get_read_buffer_limits() == (2**14, 2**15)
            received += len(chunk)
    assert received == total


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_decompression(
    serve: Serve, session: aiohttp.ClientSession, coding: str
) -> None:
    raw = b"compress me " * 100
    encoded = gzip.compress(raw) if coding == "gzip" else zlib.compress(raw)

    async def handler(request: web.Request) -> web.Response:
        assert "gzip" in request.headers["Accept-Encoding"]
        return web.Response(body=encoded, headers={"Content-Encoding": coding})

    server = await serve(("GET", "/", handler))
    async with session.get(server.make_url("/")) as resp:
        assert await resp.read() == raw
    async with session.get(server.make_url("/"), auto_decompress=False) as resp:
        assert await resp.read() == encoded


async def test_expect100(serve: Serve, session: aiohttp.ClientSession) -> None:
    server = await serve(("POST", "/", echo))
    async with session.post(server.make_url("/"), data=b"body", expect100=True) as resp:
        data = await resp.json()
    assert data["body"] == "body"
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["expect"] == "100-continue"


async def test_expect100_refused_does_not_send_body(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def expect_handler(request: web.Request) -> None:
        raise web.HTTPExpectationFailed()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="never")  # pragma: no cover

    app = web.Application()
    app.router.add_route("POST", "/", handler, expect_handler=expect_handler)
    server = TestServer(app)
    await server.start_server()
    try:
        async with session.post(
            server.make_url("/"), data=b"x", expect100=True
        ) as resp:
            assert resp.status == 417
    finally:
        await server.close()


async def test_json_content_type_error(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text='{"a": 1}')

    server = await serve(("GET", "/", handler))
    async with session.get(server.make_url("/")) as resp:
        with pytest.raises(aiohttp.ContentTypeError) as info:
            await resp.json()
        assert info.value.status == 200
        assert await resp.json(content_type=None) == {"a": 1}
        assert (
            await resp.json(loads=lambda s: json.loads(s)["a"], content_type=None) == 1
        )


async def test_text_encoding_and_fallback(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body="é".encode("latin1"), content_type="text/plain")

    server = await serve(("GET", "/", handler))
    async with aiohttp.ClientSession(
        fallback_charset_resolver=lambda r, b: "latin1"
    ) as sess:
        async with sess.get(server.make_url("/")) as resp:
            assert resp.charset is None
            assert await resp.text() == "é"
            assert await resp.text(encoding="utf-8", errors="replace") == "\ufffd"


async def test_raise_for_status(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPNotFound(text="nope")

    server = await serve(("GET", "/", handler))
    url = server.make_url("/")
    async with aiohttp.ClientSession(raise_for_status=True) as sess:
        with pytest.raises(aiohttp.ClientResponseError) as info:
            await sess.get(url)
        assert info.value.status == 404
        assert info.value.request_info.url == url
        async with sess.get(url, raise_for_status=False) as resp:
            assert resp.status == 404
            with pytest.raises(aiohttp.ClientResponseError):
                resp.raise_for_status()

    seen = []

    async def check(resp: aiohttp.ClientResponse) -> None:
        seen.append(resp.status)
        raise RuntimeError("custom")

    async with aiohttp.ClientSession(raise_for_status=check) as sess:
        with pytest.raises(RuntimeError, match="custom"):
            await sess.get(url)
    assert seen == [404]


async def test_cookies_round_trip(serve: Serve) -> None:
    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text="set")
        resp.set_cookie("sid", "abc")
        return resp

    async def show(request: web.Request) -> web.Response:
        return web.json_response(dict(request.cookies))

    server = await serve(("GET", "/set", set_cookie), ("GET", "/show", show))
    # The default jar ignores cookies from IP addresses; the server is one.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(server.make_url("/set")) as resp:
            assert resp.cookies["sid"].value == "abc"
        assert len(session.cookie_jar) == 1
        url = server.make_url("/show")
        async with session.get(url, cookies={"extra": "1"}) as resp:
            assert await resp.json() == {"sid": "abc", "extra": "1"}


async def test_session_cookies_and_headers(serve: Serve) -> None:
    server = await serve(("GET", "/", echo))
    async with aiohttp.ClientSession(
        cookies={"c": "1"}, headers={"X-Session": "s", "X-Both": "session"}
    ) as sess:
        async with sess.get(
            server.make_url("/"), headers={"X-Both": "request"}
        ) as resp:
            data = await resp.json()
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["x-session"] == "s"
    assert headers["x-both"] == "request"
    assert headers["cookie"] == "c=1"


async def test_auth(serve: Serve) -> None:
    server = await serve(("GET", "/", echo))
    auth = aiohttp.BasicAuth("user", "pass")
    async with aiohttp.ClientSession(auth=auth) as sess:
        async with sess.get(server.make_url("/")) as resp:
            data = await resp.json()
        assert data["headers"]["Authorization"] == auth.encode()
        url = server.make_url("/").with_user("u2").with_password("p2")
        async with sess.get(url) as resp:
            data = await resp.json()
        assert (
            data["headers"]["Authorization"] == aiohttp.BasicAuth("u2", "p2").encode()
        )
        with pytest.raises(ValueError, match="Cannot combine"):
            await sess.get(url, auth=auth)


async def test_base_url(serve: Serve) -> None:
    server = await serve(("GET", "/api/v1/items", echo))
    async with aiohttp.ClientSession(server.make_url("/api/")) as sess:
        async with sess.get("v1/items") as resp:
            assert (await resp.json())["path"] == "/api/v1/items"
        async with sess.get("/api/v1/items", params={"x": "1"}) as resp:
            assert (await resp.json())["path"] == "/api/v1/items?x=1"


async def test_request_helper(serve: Serve) -> None:
    server = await serve(("POST", "/", echo))
    async with aiohttp.request("POST", server.make_url("/"), data=b"hi") as resp:
        assert (await resp.json())["body"] == "hi"


async def test_request_helper_cannot_be_awaited() -> None:
    cm = aiohttp.request("GET", "http://127.0.0.1:1/")
    with pytest.raises(TypeError, match="async with"):
        await cm
    await cm._session.close()


async def test_tracing(serve: Serve) -> None:
    events: list[str] = []

    def record(name: str) -> Any:
        async def on(session: Any, ctx: Any, params: Any) -> None:
            events.append(name)
            assert ctx.trace_request_ctx == {"tag": 1}

        return on

    config = aiohttp.TraceConfig()
    for name in (
        "on_request_start",
        "on_request_headers_sent",
        "on_request_chunk_sent",
        "on_response_chunk_received",
        "on_request_end",
    ):
        getattr(config, name).append(record(name))
    server = await serve(("POST", "/", echo))
    async with aiohttp.ClientSession(trace_configs=[config]) as sess:
        async with sess.post(
            server.make_url("/"), data=b"x", trace_request_ctx={"tag": 1}
        ) as r:
            await r.read()
    assert events == [
        "on_request_start",
        "on_request_headers_sent",
        "on_request_chunk_sent",
        "on_request_end",
        "on_response_chunk_received",
    ]


async def test_trace_exception(session: aiohttp.ClientSession) -> None:
    seen: list[BaseException] = []

    async def on_exc(session: Any, ctx: Any, params: Any) -> None:
        seen.append(params.exception)

    config = aiohttp.TraceConfig()
    config.on_request_exception.append(on_exc)
    async with aiohttp.ClientSession(trace_configs=[config]) as sess:
        with pytest.raises(aiohttp.NonHttpUrlClientError):
            await sess.get("ftp://example.com/")
    # URL errors happen before the request starts: no trace.
    assert seen == []


async def test_middlewares(serve: Serve) -> None:
    calls: list[str] = []

    async def add_header(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        calls.append("session")
        req.headers["X-Mw"] = "1"
        return await handler(req)

    async def retry(
        req: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        calls.append("request")
        resp = await handler(req)
        resp.release()
        return await handler(req)

    server = await serve(("GET", "/", echo))
    async with aiohttp.ClientSession(middlewares=(add_header,)) as sess:
        async with sess.get(server.make_url("/")) as resp:
            assert (await resp.json())["headers"]["X-Mw"] == "1"
        async with sess.get(server.make_url("/"), middlewares=(retry,)) as resp:
            assert "X-Mw" not in (await resp.json())["headers"]
        async with sess.get(server.make_url("/"), middlewares=()) as resp:
            await resp.read()
    assert calls == ["session", "request"]


async def test_links_and_content_disposition(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            text="x",
            headers={
                "Link": '</next>; rel="next", <http://other/x>; rel=prev; title="t"',
                "Content-Disposition": 'attachment; filename="report.csv"',
            },
        )

    server = await serve(("GET", "/", handler))
    async with session.get(server.make_url("/")) as resp:
        links = resp.links
        assert links["next"]["url"] == server.make_url("/next")
        assert links["prev"]["url"] == URL("http://other/x")
        assert links["prev"]["title"] == "t"
        cd = resp.content_disposition
        assert cd is not None
        assert cd.type == "attachment"
        assert cd.filename == "report.csv"
        assert cd.parameters["filename"] == "report.csv"
        assert "200 OK" in repr(resp)


async def test_read_after_release_of_unread_body(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    done = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"part")
        await done.wait()
        return resp

    server = await serve(("GET", "/", handler))
    resp = await session.get(server.make_url("/"))
    resp.release()
    with pytest.raises(aiohttp.ClientConnectionError):
        await resp.read()
    done.set()


async def test_closed_session_refuses(serve: Serve) -> None:
    sess = aiohttp.ClientSession()
    await sess.close()
    assert sess.closed
    with pytest.raises(RuntimeError, match="closed"):
        await sess.get("http://127.0.0.1:1/")


async def test_non_http_url_and_invalid_url(session: aiohttp.ClientSession) -> None:
    with pytest.raises(aiohttp.NonHttpUrlClientError):
        await session.get("ftp://example.com/")
    with pytest.raises(aiohttp.InvalidUrlClientError):
        await session.get("http:///nohost")
    with pytest.raises(ValueError, match="data and json"):
        await session.post("http://127.0.0.1:1/", data=b"x", json={})


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    with pytest.raises(aiohttp.ClientConnectorError):
        await session.get("http://127.0.0.1:1/")


async def test_hdrs_export() -> None:
    assert aiohttp.hdrs.CONTENT_TYPE == hdrs.CONTENT_TYPE


async def test_body_generator_error(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    async def gen() -> AsyncIterator[bytes]:
        yield b"abc"
        raise ValueError("boom")

    server = await serve(("POST", "/", handler))
    with pytest.raises(aiohttp.ClientConnectionError) as info:
        await session.post(server.make_url("/"), data=gen())
    assert isinstance(info.value.__cause__, ValueError)
