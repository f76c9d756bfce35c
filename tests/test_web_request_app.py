"""web.Request under an Application: forms, conditional headers, Forwarded, Range."""

import asyncio
import datetime
import json
from typing import Any

import pytest

from aiohttp import web
from aiohttp._web_request_parse import parse_forwarded, parse_range
from aiohttp.helpers import ETag

from ._app_helpers import ServeApp, fetch, serve_app

__all__ = ("serve_app",)

BOUNDARY = "xYzZY"


def multipart_body(parts: list[tuple[dict[str, str], bytes]]) -> bytes:
    out = b""
    for headers, content in parts:
        out += f"--{BOUNDARY}\r\n".encode()
        for name, value in headers.items():
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


MP_HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def form_handler(request: web.Request) -> web.Response:
    form = await request.post()
    assert await request.post() is form  # cached
    result: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            result[key] = {
                "filename": value.filename,
                "content_type": value.content_type,
                "data": value.file.read().decode(),
                "header": value.headers.get("Content-Disposition", ""),
            }
            value.file.close()
        elif isinstance(value, bytes):
            result[key] = "bytes:" + value.decode()
        else:
            result[key] = value
    return web.json_response(result)


async def serve_form(serve_app: ServeApp, **kwargs: Any) -> int:
    app = web.Application(**kwargs)
    app.router.add_route("*", "/form", form_handler)
    return await serve_app(app)


async def test_post_urlencoded(serve_app: ServeApp) -> None:
    port = await serve_form(serve_app)
    resp = await fetch(
        port,
        "/form",
        method="POST",
        body=b"a=1&b=%C3%A9&empty=",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert json.loads(resp.body) == {"a": "1", "b": "é", "empty": ""}
    # GET has no form; other content types give an empty form.
    assert json.loads((await fetch(port, "/form")).body) == {}
    resp = await fetch(
        port, "/form", method="POST", body=b"{}", headers={"Content-Type": "a/b"}
    )
    assert json.loads(resp.body) == {}


async def test_post_multipart_with_file(serve_app: ServeApp) -> None:
    port = await serve_form(serve_app)
    body = multipart_body(
        [
            ({"Content-Disposition": 'form-data; name="title"'}, "héllo".encode()),
            (
                {
                    "Content-Disposition": 'form-data; name="raw"',
                    "Content-Type": "application/octet-stream",
                },
                b"bin",
            ),
            (
                {
                    "Content-Disposition": 'form-data; name="up"; filename="a.txt"',
                    "Content-Type": "text/plain",
                },
                b"file content" * 10000,
            ),
            (
                {
                    "Content-Disposition": 'form-data; name="b64"; filename="b"',
                    "Content-Transfer-Encoding": "base64",
                },
                b"aGk=",
            ),
        ]
    )
    resp = await fetch(port, "/form", method="POST", body=body, headers=MP_HEADERS)
    data = json.loads(resp.body)
    assert data["title"] == "héllo"
    assert data["raw"] == "bytes:bin"
    assert data["up"]["filename"] == "a.txt"
    assert data["up"]["content_type"] == "text/plain"
    assert data["up"]["data"] == "file content" * 10000
    assert 'filename="a.txt"' in data["up"]["header"]
    assert data["b64"]["data"] == "hi"
    assert data["b64"]["content_type"] == "application/octet-stream"


async def test_uploaded_files_closed_after_response(serve_app: ServeApp) -> None:
    # The handler leaves its FileField open; the server closes the temporary
    # file once the response is sent (no ResourceWarning later).
    kept: list[web.FileField] = []

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        field = form["up"]
        assert isinstance(field, web.FileField)
        kept.append(field)
        return web.Response(text=field.file.read().decode())

    app = web.Application()
    app.router.add_post("/", handler)
    port = await serve_app(app)
    body = multipart_body(
        [({"Content-Disposition": 'form-data; name="up"; filename="u"'}, b"data")]
    )
    resp = await fetch(port, "/", method="POST", body=body, headers=MP_HEADERS)
    assert (resp.status, resp.body) == (200, b"data")
    assert kept[0].file.closed


async def test_post_too_large_and_malformed(serve_app: ServeApp) -> None:
    port = await serve_form(serve_app, client_max_size=1000)
    body = multipart_body(
        [({"Content-Disposition": 'form-data; name="f"; filename="x"'}, b"x" * 5000)]
    )
    resp = await fetch(port, "/form", method="POST", body=body, headers=MP_HEADERS)
    assert resp.status == 413
    resp = await fetch(
        port,
        "/form",
        method="POST",
        body=b"a=" + b"1" * 2000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 413
    nested = multipart_body(
        [
            (
                {
                    "Content-Disposition": 'form-data; name="n"',
                    "Content-Type": "multipart/mixed; boundary=inner",
                },
                b"--inner\r\n\r\nx\r\n--inner--",
            )
        ]
    )
    resp = await fetch(port, "/form", method="POST", body=nested, headers=MP_HEADERS)
    assert resp.status == 400
    resp = await fetch(
        port,
        "/form",
        method="POST",
        body=b"garbage",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert resp.status == 400


async def test_multipart_reader(serve_app: ServeApp) -> None:
    async def handler(request: web.Request) -> web.Response:
        reader = await request.multipart()
        names = []
        async for part in reader:
            names.append(part.name)  # type: ignore[union-attr]
            await part.release()
        return web.Response(text=",".join(names))

    app = web.Application()
    app.router.add_post("/", handler)
    port = await serve_app(app)
    body = multipart_body(
        [
            ({"Content-Disposition": 'form-data; name="a"'}, b"1"),
            ({"Content-Disposition": 'form-data; name="b"'}, b"2"),
        ]
    )
    resp = await fetch(port, "/", method="POST", body=body, headers=MP_HEADERS)
    assert resp.text == "a,b"


async def test_headers_parsed(serve_app: ServeApp) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        for name in (
            "forwarded",
            "if_modified_since",
            "if_unmodified_since",
            "if_range",
            "if_match",
            "if_none_match",
            "http_range",
        ):
            seen[name] = getattr(request, name)
        clone = request.clone(method="POST")
        seen["clone"] = (clone.method, clone.match_info is request.match_info)
        return web.Response()

    app = web.Application()
    app.router.add_get("/", handler)
    port = await serve_app(app)
    await fetch(
        port,
        "/",
        headers={
            "Forwarded": 'for=1.2.3.4;proto=https, for="[::1]:80"',
            "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT",
            "If-Range": "garbage",
            "If-Match": '"a", W/"b"',
            "If-None-Match": "*",
            "Range": "bytes=0-9",
        },
    )
    assert [dict(x) for x in seen["forwarded"]] == [
        {"for": "1.2.3.4", "proto": "https"},
        {"for": "[::1]:80"},
    ]
    expected = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)
    assert seen["if_modified_since"] == expected
    assert seen["if_unmodified_since"] is None
    assert seen["if_range"] is None
    assert seen["if_match"] == (ETag("a"), ETag("b", is_weak=True))
    assert seen["if_none_match"] == (ETag("*"),)
    assert seen["http_range"] == slice(0, 10, 1)
    assert seen["clone"] == ("POST", True)

    await fetch(port, "/")
    assert seen["forwarded"] == ()
    assert seen["if_match"] is None and seen["if_none_match"] is None
    assert seen["http_range"] == slice(None, None, 1)


def test_parse_forwarded_edge_cases() -> None:
    parsed = parse_forwarded(
        ['For="a\\"b";BY=x;for=dup, bad pair, proto=http', "host=h;;x=y"]
    )
    assert [dict(p) for p in parsed] == [
        {"for": 'a"b', "by": "x"},
        {},
        {"proto": "http"},
        {"host": "h"},
    ]
    with pytest.raises(TypeError):
        parsed[0]["for"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", slice(0, 1, 1)),
        ("bytes=5-", slice(5, None, 1)),
        ("bytes=-5", slice(-5, None, 1)),
    ],
)
def test_parse_range(header: str, expected: slice) -> None:
    assert parse_range(header) == expected


@pytest.mark.parametrize("header", ["bytes=5-1", "bytes=-", "items=1-2", "bytes=a-"])
def test_parse_range_invalid(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header)


async def test_match_info_before_routing_and_config_dict(
    serve_app: ServeApp,
) -> None:
    key = web.AppKey("k", str)
    app = web.Application()
    app[key] = "root"
    sub = web.Application()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=request.config_dict[key])

    sub.router.add_get("/", handler)
    app.add_subapp("/s", sub)
    port = await serve_app(app)
    assert (await fetch(port, "/s/")).text == "root"


async def test_json_with_custom_loads_and_content_type(serve_app: ServeApp) -> None:
    seen: list[str] = []

    def loads(text: str) -> Any:
        seen.append(text)
        return {"parsed": json.loads(text)}

    async def handler(request: web.Request) -> web.Response:
        if request.query.get("any"):
            data = await request.json(loads=loads, content_type=None)
        else:
            data = await request.json(loads=loads)
        return web.json_response(data)

    app = web.Application()
    app.router.add_post("/", handler)
    port = await serve_app(app)
    resp = await fetch(
        port,
        "/",
        method="POST",
        body=b'{"a": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert json.loads(resp.body) == {"parsed": {"a": 1}}
    assert seen == ['{"a": 1}']
    # Another content type is refused unless the check is switched off.
    plain = {"Content-Type": "text/plain"}
    resp = await fetch(port, "/", method="POST", body=b"[2]", headers=plain)
    assert resp.status == 400
    resp = await fetch(port, "/?any=1", method="POST", body=b"[2]", headers=plain)
    assert json.loads(resp.body) == {"parsed": [2]}


async def test_force_close_ends_the_connection(serve_app: ServeApp) -> None:
    async def handler(request: web.Request) -> web.Response:
        resp = web.Response(text="bye")
        if "close" in request.query:
            resp.force_close()
            assert resp.keep_alive is False
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    port = await serve_app(app)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Connection: close" not in head
        assert await reader.readexactly(3) == b"bye"
        writer.write(b"GET /?close HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Connection: close" in head
        assert await reader.read() == b"bye"  # then EOF: the server closed
    finally:
        writer.close()
        await writer.wait_closed()
