"""The floor: a bare asyncio protocol that answers every request with canned bytes.

No parsing, no framework: each ``data_received`` writes the same response,
so wrk against it measures what the kernel and the event loop alone cost per
keep-alive request on this machine (README.md, "Why the asyncio targets are
hard"). It speaks HTTP only well enough for wrk's one-request-per-read GETs.

    python benchmarks/bare_protocol.py --port 8081 [--uvloop] &
    taskset -c 1 wrk -t1 -c64 -d4 http://127.0.0.1:8081/
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Optional

__all__ = ("CannedResponse", "main")

RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello, World!"
)


class CannedResponse(asyncio.Protocol):
    """Writes RESPONSE once for every read."""

    transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(RESPONSE)


async def _serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = await loop.create_server(CannedResponse, host, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"Serving on http://{host}:{bound}", flush=True)
    async with server:
        await stop.wait()


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: the OS chooses")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    args = parser.parse_args(argv)
    if args.uvloop:
        import uvloop

        uvloop.run(_serve(args.host, args.port))
    else:
        asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
