"""ClientResponse against raw servers: bad heads, disconnects, life cycle."""

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from types import MappingProxyType
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import aiohttp
from aiohttp.client_reqrep import ContentDisposition, RequestInfo

RawServe = Callable[[bytes], Awaitable[URL]]


@pytest.fixture
async def raw_reply() -> AsyncIterator[RawServe]:
    """A TCP server answering every request with fixed bytes, then closing."""
    servers: list[asyncio.Server] = []

    async def start(reply: bytes) -> URL:
        async def handle(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(reply)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return URL(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/")

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as sess:
        yield sess


def test_request_info_defaults_real_url() -> None:
    headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
    info = RequestInfo(URL("http://a/"), "GET", headers)
    assert info.real_url == URL("http://a/")
    assert info == (URL("http://a/"), "GET", headers, URL("http://a/"))
    assert RequestInfo(URL("http://a/"), "GET", headers, URL("http://a/#f")).real_url


def test_content_disposition_is_frozen() -> None:
    cd = ContentDisposition("inline", MappingProxyType({}), None)
    with pytest.raises(AttributeError):
        cd.type = "x"  # type: ignore[misc]


async def test_malformed_head_is_response_error(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"HTTP/1.1 abc Broken\r\n\r\n")
    with pytest.raises(aiohttp.ClientResponseError) as info:
        await session.get(url)
    assert info.value.status == 400
    assert info.value.request_info.url == url


async def test_disconnect_before_head(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await session.get(url)


async def test_truncated_body_is_payload_error(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    resp = await session.get(url)
    with pytest.raises(aiohttp.ClientPayloadError):
        await resp.read()
    assert resp.closed


async def test_interim_responses_skipped(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    )
    async with session.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == b"ok"


async def test_close_delimited_body_and_read_until_eof(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"HTTP/1.1 200 OK\r\n\r\nuntil close")
    async with session.get(url) as resp:
        assert await resp.read() == b"until close"
    async with session.get(url, read_until_eof=False) as resp:
        assert await resp.read() == b""


async def test_json_empty_and_charset_lookup(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=bogus\r\n"
        b"Content-Length: 3\r\n\r\n   "
    )
    async with session.get(url) as resp:
        assert await resp.json() is None
        # Unknown charsets fall back: JSON is UTF-8.
        assert resp.get_encoding() == "utf-8"


async def test_get_encoding_before_read(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
    )
    async with session.get(url) as resp:
        with pytest.raises(RuntimeError, match="read"):
            resp.get_encoding()
        assert resp.links == {}
        assert resp.content_disposition is None


async def test_close_and_release_idempotent(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
    resp = await session.get(url)
    resp.close()
    resp.close()
    await resp.release()  # release() returns an awaitable, as in aiohttp
    assert resp.closed
    assert resp.connection is None
    with pytest.raises(aiohttp.ClientConnectionError):
        await resp.read()


async def test_raise_for_status_outside_context_releases(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(b"HTTP/1.1 500 Oops\r\nContent-Length: 100\r\n\r\nabc")
    resp = await session.get(url)
    with pytest.raises(aiohttp.ClientResponseError) as info:
        resp.raise_for_status()
    assert info.value.message == "Oops"
    assert resp.connection is None


async def test_unclosed_response_in_debug_mode(session: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, ctx: contexts.append(ctx))
    loop.set_debug(True)
    done = asyncio.Event()

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        await done.wait()  # keep the body unfinished
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        resp = await session.get(f"http://127.0.0.1:{port}/")
        with pytest.warns(ResourceWarning, match="Unclosed response"):
            del resp
            gc.collect()
    finally:
        loop.set_debug(False)
        done.set()
        server.close()
        await server.wait_closed()
    assert contexts[0]["message"] == "Unclosed response"
    assert "source_traceback" in contexts[0]


async def test_cookies_setter_and_host(
    raw_reply: RawServe, session: aiohttp.ClientSession
) -> None:
    url = await raw_reply(
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nContent-Length: 0\r\n\r\n"
    )
    async with session.get(url) as resp:
        assert resp.cookies["a"].value == "1"
        assert resp.cookies["a"]["path"] == "/"
        resp.cookies = aiohttp.client_reqrep.ClientResponse.cookies.fget(resp)  # type: ignore[attr-defined]
        assert resp.host == "127.0.0.1"


@pytest.mark.parametrize(("method", "retried"), [("GET", True), ("POST", False)])
async def test_stale_keep_alive_connection(
    session: aiohttp.ClientSession, method: str, retried: bool
) -> None:
    """The server drops an idle connection unannounced; idempotent requests retry."""
    seen: list[int] = []

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        conn_id = len(seen)
        requests = 0
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                seen.append(conn_id)
                if requests == 1:
                    break  # second request on this connection: hang up
                requests += 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    try:
        async with session.request(method, url) as resp:
            assert await resp.read() == b"ok"
        if retried:
            async with session.request(method, url) as resp:
                assert await resp.read() == b"ok"
            assert len(seen) == 3
        else:
            with pytest.raises(aiohttp.ServerDisconnectedError):
                await session.request(method, url)
            assert len(seen) == 2
    finally:
        server.close()
        await server.wait_closed()


async def test_max_headers_limit(raw_reply: RawServe) -> None:
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(5))
    url = await raw_reply(head + b"Content-Length: 0\r\n\r\n")
    async with aiohttp.ClientSession(max_headers=3) as sess:
        with pytest.raises(aiohttp.ClientResponseError):
            await sess.get(url)
        async with sess.get(url, max_headers=10) as resp:
            assert resp.status == 200


async def test_max_line_and_field_size_limits(raw_reply: RawServe) -> None:
    reason = b"O" * 150
    head = b"HTTP/1.1 200 " + reason + b"\r\nX-Long: " + b"v" * 200 + b"\r\n"
    url = await raw_reply(head + b"Content-Length: 2\r\n\r\nok")
    async with aiohttp.ClientSession(max_field_size=100) as sess:
        with pytest.raises(aiohttp.ClientResponseError) as info:
            await sess.get(url)
        assert info.value.status == 400 and "header field" in info.value.message
        async with sess.get(url, max_field_size=1000) as resp:
            assert len(resp.headers["X-Long"]) == 200
    async with aiohttp.ClientSession(max_line_size=100) as sess:
        with pytest.raises(aiohttp.ClientResponseError) as info:
            await sess.get(url)
        assert info.value.status == 400 and "status line" in info.value.message
        async with sess.get(url, max_line_size=1000) as resp:
            assert resp.reason == reason.decode()
            assert await resp.read() == b"ok"
