"""The client receives into a shared per-thread buffer (asyncio.BufferedProtocol).

Every byte must still reach the response intact: bodies larger than the
buffer, many connections reading at once, TLS, and separate event loops in
separate threads (each with its own buffer).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

import pytest

import aiohttp
from aiohttp import web
from aiohttp.base_protocol import (
    FIRST_RECEIVE_BUFFER_SIZE,
    RECEIVE_BUFFER_SIZE,
    receive_buffer,
)
from aiohttp.client_proto import ResponseHandler
from aiohttp.pytest_plugin import AiohttpClient
from aiohttp.test_utils import TestServer

from ._thread_helpers import run_in_threads
from ._tls_helpers import tls_contexts


def _body(seed: int, size: int) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _app() -> web.Application:
    async def blob(request: web.Request) -> web.Response:
        seed = int(request.match_info["seed"])
        size = int(request.query.get("size", "100"))
        return web.Response(body=_body(seed, size))

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for i in range(20):
            await resp.write(_body(i, 5000))
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/blob/{seed}", blob)
    app.router.add_get("/chunked", chunked)
    return app


def test_one_buffer_per_thread_growing_on_demand() -> None:
    def in_fresh_thread(index: int) -> tuple[memoryview, memoryview, memoryview]:
        first = receive_buffer()
        assert receive_buffer() is first and not first.readonly
        assert len(first) == FIRST_RECEIVE_BUFFER_SIZE
        grown = receive_buffer(RECEIVE_BUFFER_SIZE)
        assert len(grown) == RECEIVE_BUFFER_SIZE
        # From now on the thread's buffer is the large one.
        assert receive_buffer() is grown
        return first, grown, receive_buffer(10)

    (a_first, a_grown, a_last), (b_first, _, _) = run_in_threads(in_fresh_thread, 2)
    assert a_last is a_grown
    assert a_first.obj is not b_first.obj


def test_response_handler_is_a_buffered_protocol() -> None:
    assert issubclass(ResponseHandler, asyncio.BufferedProtocol)


async def test_transport_reads_through_get_buffer(
    aiohttp_client: AiohttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real transport must take the buffered path (recv_into), not
    # data_received() with a fresh bytes object per read.
    calls: list[int] = []
    original = ResponseHandler.buffer_updated

    def counting(self: ResponseHandler, nbytes: int) -> None:
        calls.append(nbytes)
        original(self, nbytes)

    monkeypatch.setattr(ResponseHandler, "buffer_updated", counting)
    client = await aiohttp_client(_app())
    resp = await client.get("/blob/1", params={"size": "10"})
    assert await resp.read() == _body(1, 10)
    assert calls and sum(calls) >= 10


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        FIRST_RECEIVE_BUFFER_SIZE - 1,
        FIRST_RECEIVE_BUFFER_SIZE + 1,
        RECEIVE_BUFFER_SIZE - 1,
        RECEIVE_BUFFER_SIZE + 1,
        3 * 2**20,
    ],
)
async def test_bodies_around_the_buffer_size(
    aiohttp_client: AiohttpClient, size: int
) -> None:
    client = await aiohttp_client(_app())
    resp = await client.get("/blob/7", params={"size": str(size)})
    assert resp.status == 200
    assert await resp.read() == _body(7, size)


async def _fetch_all(blobs: list[tuple[int, int]]) -> list[bool]:
    """Serve _app() on this loop; fetch each (seed, size) blob in one session."""
    runner = web.AppRunner(_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        results = []
        async with aiohttp.ClientSession() as session:
            for seed, size in blobs:
                url = f"http://127.0.0.1:{site.port}/blob/{seed}?size={size}"
                async with session.get(url) as resp:
                    results.append(await resp.read() == _body(seed, size))
        return results
    finally:
        await runner.cleanup()


def test_a_large_body_grows_the_buffer() -> None:
    # A read that fills the small first buffer switches the thread to the
    # large one (checked in a fresh thread, whose buffer starts small).
    def in_fresh_thread(index: int) -> tuple[list[bool], int]:
        fetched = asyncio.run(_fetch_all([(3, FIRST_RECEIVE_BUFFER_SIZE * 8)]))
        return fetched, len(receive_buffer())

    assert run_in_threads(in_fresh_thread, 1) == [([True], RECEIVE_BUFFER_SIZE)]


async def test_many_connections_at_once(aiohttp_client: AiohttpClient) -> None:
    # 32 responses, each bigger than the buffer, read concurrently: a buffer
    # reused before its bytes were copied out would mix them up.
    client = await aiohttp_client(_app())
    sizes = [RECEIVE_BUFFER_SIZE * 2 + seed * 997 for seed in range(32)]

    async def fetch(seed: int) -> bool:
        async with client.get(f"/blob/{seed}", params={"size": str(sizes[seed])}) as r:
            first = await r.content.read(10)
            await asyncio.sleep(0)
            return first + await r.read() == _body(seed, sizes[seed])

    assert all(await asyncio.gather(*(fetch(seed) for seed in range(32))))
    resp = await client.get("/chunked")
    assert await resp.read() == b"".join(_body(i, 5000) for i in range(20))


async def test_over_tls(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> None:
    server_ctx, client_ctx = tls_contexts()
    server = await aiohttp_server(_app(), ssl=server_ctx)
    async with aiohttp.ClientSession() as session:
        for seed, size in ((1, 10), (2, RECEIVE_BUFFER_SIZE * 3 + 5)):
            url = server.make_url(f"/blob/{seed}").with_query(size=size)
            async with session.get(url, ssl=client_ctx) as resp:
                assert await resp.read() == _body(seed, size)


def test_event_loops_in_threads() -> None:
    # Each thread runs its own loop, server and session; every thread's
    # connections share that thread's buffer only.
    def work(index: int) -> list[bool]:
        sizes = [RECEIVE_BUFFER_SIZE + 4096 * index + round_ for round_ in range(5)]
        blobs = [(index * 100 + round_, size) for round_, size in enumerate(sizes)]
        return asyncio.run(_fetch_all(blobs))

    assert run_in_threads(work, 4) == [[True] * 5] * 4
