"""Framework CPU time per request, without sockets: ``app.py`` behind a fake transport.

The kernel's share of a request (``send``, ``recv``, ``epoll``) is the same for
any framework and is noisy on a shared machine. This driver leaves it out: it
creates the server's protocol objects of ``app.py``'s application directly,
feeds them request bytes with ``data_received`` and counts the bytes they
write, all in one event loop. What it times is the framework's own Python
work: parsing, task, routing, handler, response. It uses only public API
(``AppRunner.server``), so it runs unchanged on aiohttp too:

    .venv/bin/python benchmarks/inproc.py
    benchmarks/.venv-ref/bin/python benchmarks/inproc.py   # aiohttp 3.14.5

It prints CPU microseconds per request for each workload, the best of
``--repeat`` runs (the minimum is the figure least disturbed by other work).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import make_app

import aiohttp
from aiohttp import web

BODY = b"x" * 1024
WORKLOADS = {
    "hello": b"GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n",
    "json": b"GET /json HTTP/1.1\r\nHost: localhost:8080\r\n\r\n",
    "users": b"GET /users/alice?page=3 HTTP/1.1\r\nHost: localhost:8080\r\n\r\n",
    "echo": b"POST /echo HTTP/1.1\r\nHost: localhost:8080\r\n"
    b"Content-Length: 1024\r\n\r\n" + BODY,
    "browser": b"GET /users/alice?page=3 HTTP/1.1\r\nHost: localhost:8080\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
    b"Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n"
    b"Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n\r\n",
}


class FakeTransport(asyncio.Transport):
    """Collects what the server writes; one response is complete per request."""

    def __init__(self, done: Any) -> None:
        super().__init__()
        self._done = done
        self._closing = False

    def write(self, data: Any) -> None:
        self._done(self)

    def writelines(self, lines: Any) -> None:
        self._done(self)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def abort(self) -> None:
        self._closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername":
            return ("127.0.0.1", 50000)
        if name == "sockname":
            return ("127.0.0.1", 8080)
        return default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: Any = None, low: Any = None) -> None:
        pass


async def run(request: bytes, connections: int, rounds: int) -> float:
    """CPU seconds per request over ``rounds`` rounds of one request per connection."""
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    loop = asyncio.get_running_loop()
    server = runner.server
    assert server is not None
    waiting: dict[FakeTransport, bool] = {}
    state: dict[str, Any] = {"left": 0, "fut": None}

    def done(transport: FakeTransport) -> None:
        # The response may arrive in one or two writes; count the first only.
        if waiting.pop(transport, False):
            state["left"] -= 1
            if not state["left"]:
                state["fut"].set_result(None)

    pairs = []
    for _ in range(connections):
        proto = server()
        transport = FakeTransport(done)
        proto.connection_made(transport)
        pairs.append((proto, transport))
    start = time.process_time()
    for _ in range(rounds):
        state["left"] = connections
        state["fut"] = loop.create_future()
        for proto, transport in pairs:
            waiting[transport] = True
            proto.data_received(request)
        await state["fut"]
    elapsed = time.process_time() - start
    for proto, transport in pairs:
        transport.close()
        proto.connection_lost(None)
    await runner.cleanup()
    return elapsed / (rounds * connections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--uvloop", action="store_true")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop

        uvloop.install()
    print(f"aiohttp {aiohttp.__version__} from {os.path.dirname(aiohttp.__file__)}")
    for name in args.only.split(","):
        best = min(
            asyncio.run(run(WORKLOADS[name], args.connections, args.rounds))
            for _ in range(args.repeat)
        )
        print(f"{name:8} {best * 1e6:6.2f} us/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
