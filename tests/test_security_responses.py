"""What a server sends back stays safe whatever a handler or a client puts in it.

CR or LF in a header name or value set by a handler is refused (ValueError at
prepare(), a 500 on the wire, the injected header never sent); cookie values
are quoted so they cannot end the header or add attributes; add_static never
serves a file outside its directory (traversal attempts beyond those of
tests/test_urldispatcher_static.py).
"""

import asyncio
import os
from collections.abc import Callable
from http.cookies import CookieError
from pathlib import Path
from typing import Any

import pytest

from aiohttp import web

from ._routing_helpers import Fetch, Serve, fetch, serve
from .conftest import RawConnection
from .test_urldispatcher_static import make_router, tree

__all__ = ("fetch", "serve", "tree")  # fixtures used by the tests below

INJECTED = "X-Injected"

# How a handler may try to put CR or LF on the wire.
BAD_HEADERS: list[tuple[str, Callable[[web.StreamResponse], None]]] = [
    ("value-crlf", lambda r: r.headers.__setitem__("X-A", "a\r\nX-Injected: 1")),
    ("value-lf", lambda r: r.headers.__setitem__("X-A", "a\nX-Injected: 1")),
    ("value-cr", lambda r: r.headers.__setitem__("X-A", "a\rX-Injected: 1")),
    ("name-crlf", lambda r: r.headers.__setitem__("X-Injected: 1\r\nX-A", "a")),
    ("name-lf", lambda r: r.headers.__setitem__("X-A\nX-Injected", "a")),
    ("location", lambda r: r.headers.__setitem__("Location", "/a\r\nX-Injected: 1")),
    ("content-type", lambda r: setattr(r, "content_type", "text/x\r\nX-Injected: 1")),
    ("cookie-path", lambda r: r.set_cookie("c", "v", path="/\r\nX-Injected: 1")),
    ("cookie-domain", lambda r: r.set_cookie("c", "v", domain="a\nX-Injected: 1")),
]


@pytest.mark.parametrize(
    "spoil", [b[1] for b in BAD_HEADERS], ids=[b[0] for b in BAD_HEADERS]
)
async def test_cr_or_lf_in_a_header_is_a_value_error(
    raw_server: Any, raw_connect: Any, spoil: Callable[[web.StreamResponse], None]
) -> None:
    errors: list[BaseException] = []

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        resp = web.StreamResponse()
        try:
            spoil(resp)
            await resp.prepare(request)
        except ValueError as exc:
            errors.append(exc)
            raise
        raise AssertionError("prepare() accepted a header with CR or LF")

    srv = await raw_server(handler)
    conn: RawConnection = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    raw = b""
    while chunk := await asyncio.wait_for(conn.reader.read(65536), 10):
        raw += chunk
    assert raw.startswith(b"HTTP/1.1 500 ")
    assert INJECTED.encode() not in raw
    assert len(errors) == 1


def test_reason_with_crlf_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        web.Response(reason="OK\r\nX-Injected: 1")


@pytest.mark.parametrize(
    "value",
    [
        "a;b",
        "a; Domain=evil.example",
        "a\r\nX-Injected: 1",
        "a\nb",
        'a"b',
        "a,b",
        "a b",
        "caf\u00e9",
        "a\x00b",
    ],
)
async def test_cookie_values_are_quoted(
    raw_server: Any, raw_connect: Any, value: str
) -> None:
    async def handler(request: web.BaseRequest) -> web.Response:
        resp = web.Response(text="ok")
        resp.set_cookie("session", value)
        return resp

    srv = await raw_server(handler)
    conn: RawConnection = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    resp = await conn.response()
    assert resp.status == 200
    (cookie,) = resp.head.headers.getall("Set-Cookie")
    assert INJECTED not in resp.head.headers
    # One attribute list: the value cannot end it early or add attributes.
    name, _, rest = cookie.partition("=")
    assert name == "session"
    assert not any(c in cookie for c in "\r\n\x00")
    attributes = [a.strip().split("=")[0] for a in rest.split(";")[1:]]
    assert attributes == ["Path"], cookie


@pytest.mark.parametrize("name", ["a;b", "a b", "a\r\nb", "a=b", ""])
def test_illegal_cookie_names_are_refused(name: str) -> None:
    with pytest.raises((CookieError, ValueError)):
        web.Response().set_cookie(name, "v")


# --- add_static: traversal attempts not in tests/test_urldispatcher_static.py -------


@pytest.fixture
def deep_tree(tree: Path) -> Path:
    """``tree`` plus symlinks inside a subdirectory that lead out of it."""
    sub = tree / "sub"
    os.symlink(tree.parent / "secret.txt", sub / "up_file")
    os.symlink("../../outside", sub / "up_dir_relative")
    os.symlink("/", sub / "root")
    os.symlink("..", sub / "parent")  # back into the served tree: fine
    return tree


TRAVERSALS = [
    "/static/..\\secret.txt",
    "/static/sub\\..\\..\\secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/%2e./secret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/%5c..%5csecret.txt",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/..%c0%afsecret.txt",
    "/static/sub/..%2f..%2fsecret.txt",
    "/static/./../secret.txt",
    "/static/sub/./../../secret.txt",
    "/static/..;/secret.txt",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/%2fetc%2fpasswd",
    "/static/%5cetc%5cpasswd",
    "/static///etc/passwd",
    "/static/C:%5cWindows%5cwin.ini",
    "/static/C:/Windows/win.ini",
    "/static/hello.txt%00.png",
    "/static/sub/..%00/../secret.txt",
    "/static/sub/up_file",
    "/static/sub/up_dir_relative/o.txt",
    "/static/sub/root/etc/passwd",
    "/static/sub/root/" + "x" * 300,
    "/static/sub/parent/../../secret.txt",
    "/static/" + "../" * 20 + "etc/passwd",
    "/static/" + "%2e%2e/" * 20 + "etc/passwd",
    "/static/" + "..%2f" * 20 + "etc%2fpasswd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
async def test_static_traversal_is_refused(
    deep_tree: Path, serve: Serve, fetch: Fetch, target: str
) -> None:
    srv = await serve(make_router(deep_tree))
    response = await fetch(srv.port, "GET", target)
    assert response.status in (400, 403, 404), (target, response.status)
    assert b"SECRET" not in response.body
    assert b"outside file" not in response.body
    assert b"root:" not in response.body


async def test_symlink_back_into_the_tree_is_served(
    deep_tree: Path, serve: Serve, fetch: Fetch
) -> None:
    srv = await serve(make_router(deep_tree))
    response = await fetch(srv.port, "GET", "/static/sub/parent/hello.txt")
    assert (response.status, response.body) == (200, b"hello world")
