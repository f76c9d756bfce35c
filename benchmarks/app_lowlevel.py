"""Hello-world on the low-level server, the smallest thing worth measuring.

Every request gets ``Hello, World!`` as text/plain from one coroutine, with no
application, router or middleware in the way, so the numbers show the cost of
the protocol layer and the response path. It uses only aiohttp's public API,
so the same script can run under aiohttp itself for a comparison.

    python benchmarks/app_lowlevel.py --port 0

prints ``Serving on http://127.0.0.1:<port>`` once the socket listens (the
real port, also for ``--port 0``) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

__all__ = ("handler", "main", "serve")


async def handler(request: web.BaseRequest) -> web.Response:
    """Answer every request with the same small text body."""
    return web.Response(text="Hello, World!")


async def serve(host: str, port: int) -> None:
    """Serve on ``host``/``port`` until SIGINT or SIGTERM arrives."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    # Logging is left unconfigured, so the access log stays disabled and the
    # numbers do not measure the logger.
    runner = web.ServerRunner(web.Server(handler))
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
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument(
        "--port", type=int, default=0, help="0 lets the OS choose (default)"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
