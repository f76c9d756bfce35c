"""Load: 1,000 concurrent keep-alive connections, 20 requests each, nothing leaked.

Server and clients share one process and one event loop (asyncio streams on
loopback). Every response is checked; afterwards the server holds no
connection, and no task or file descriptor is left over.
"""

import asyncio
import gc
import os
import resource
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from aiohttp import web
from aiohttp.web_runner import ServerRunner, TCPSite
from aiohttp.web_server import Server

CLIENTS = 1000
REQUESTS = 20


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def enough_fds() -> Iterator[None]:
    """Raise the soft RLIMIT_NOFILE to the hard limit if 1,000 clients need it."""
    needed = 2 * CLIENTS + open_fds() + 100  # a client and a server socket each
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        yield
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"needs {needed} file descriptors, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class WatchedServer(Server):
    """Sets ``idle`` whenever its last connection goes away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idle = asyncio.Event()

    def connection_lost(
        self, handler: Any, exc: Optional[BaseException] = None
    ) -> None:
        super().connection_lost(handler, exc)
        if not self.connections:
            self.idle.set()


async def echo_path(request: web.BaseRequest) -> web.Response:
    return web.Response(text=request.path[1:])


async def one_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """(status line, body) of the next response, framed by Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    status, _, rest = head.partition(b"\r\n")
    length: Optional[int] = None
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    assert length is not None, head
    return status, await reader.readexactly(length)


async def client(
    port: int, n: int, all_connected: asyncio.Event, connected: list[int]
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(REQUESTS):
            writer.write(b"GET /%d-%d HTTP/1.1\r\nHost: load\r\n\r\n" % (n, i))
            status, body = await one_response(reader)
            assert status == b"HTTP/1.1 200 OK", status
            assert body == b"%d-%d" % (n, i), body
            if i == 0:  # hold every connection open before going on
                connected.append(n)
                if len(connected) == CLIENTS:
                    all_connected.set()
                await all_connected.wait()
        return REQUESTS
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.usefixtures("enough_fds")
async def test_thousand_keep_alive_connections_twenty_requests_each() -> None:
    gc.collect()
    fds_before = open_fds()
    tasks_before = asyncio.all_tasks()

    server = WatchedServer(echo_path, access_log=None)
    runner = ServerRunner(server, shutdown_timeout=5.0)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0, backlog=CLIENTS)
    await site.start()
    all_connected = asyncio.Event()
    connected: list[int] = []

    async def watch() -> int:
        await all_connected.wait()
        return len(server.connections)

    watcher = asyncio.create_task(watch())
    results = await asyncio.wait_for(
        asyncio.gather(
            *(client(site.port, n, all_connected, connected) for n in range(CLIENTS))
        ),
        timeout=120,
    )
    assert results == [REQUESTS] * CLIENTS
    assert await watcher == CLIENTS  # all were open at the same time
    assert server.requests_count == CLIENTS * REQUESTS

    # The clients closed: the server forgets every connection by itself.
    await asyncio.wait_for(server.idle.wait(), 30)
    assert server.connections == []
    await runner.cleanup()
    await asyncio.sleep(0)  # let closed transports finish their callbacks
    gc.collect()
    assert asyncio.all_tasks() == tasks_before
    assert open_fds() == fds_before
