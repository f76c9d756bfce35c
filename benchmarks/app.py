"""The benchmark application: four small handlers behind a router.

It uses only aiohttp's public API, so the same file runs unchanged on this
package and on aiohttp itself, which is what makes the side-by-side numbers of
``benchmarks/run.py`` comparable:

- ``GET /`` answers ``Response(text=...)``;
- ``GET /json`` answers ``json_response`` of a small dict;
- ``GET /users/{name}?page=3`` reads ``match_info`` and ``query``;
- ``POST /echo`` answers with the request body (``await request.read()``).

    python benchmarks/app.py [--host 127.0.0.1] [--port 0] [--uvloop]

prints ``Serving on http://127.0.0.1:<port>`` once the socket listens (the real
port, also for ``--port 0``) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

__all__ = ("HELLO", "JSON_BODY", "main", "make_app", "serve")

HELLO = "Hello, World!"
JSON_BODY = {"message": HELLO, "id": 42, "tags": ["fast", "small"]}


async def hello(request: web.Request) -> web.Response:
    """The plain-text hello-world."""
    return web.Response(text=HELLO)


async def json_hello(request: web.Request) -> web.Response:
    """A small dict serialised by ``json_response``."""
    return web.json_response(JSON_BODY)


async def user(request: web.Request) -> web.Response:
    """Echo a path parameter and a query parameter: exercises routing and query."""
    name = request.match_info["name"]
    page = request.query["page"]
    return web.Response(text=f"user {name}, page {page}")


async def echo(request: web.Request) -> web.Response:
    """Send the request body back: exercises reading a body."""
    return web.Response(body=await request.read())


def make_app() -> web.Application:
    """Build the application; also used by the TestClient probe."""
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/json", json_hello)
    app.router.add_get("/users/{name}", user)
    app.router.add_post("/echo", echo)
    return app


async def serve(host: str, port: int) -> None:
    """Serve on ``host``/``port`` until SIGINT or SIGTERM arrives."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    # No access log on either implementation, so the numbers do not measure
    # the logger.
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        # benchmarks/run.py waits for this exact line to learn the URL.
        print(f"Serving on {site.name}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve, on uvloop when asked to."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument(
        "--port", type=int, default=0, help="0 lets the OS choose (default)"
    )
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    if args.uvloop:
        try:
            import uvloop
        except ImportError:
            parser.error(f"--uvloop: uvloop is not installed for {sys.executable}")
        uvloop.run(serve(args.host, args.port))
    else:
        asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
