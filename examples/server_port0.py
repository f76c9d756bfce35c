"""Serve one request on an ephemeral port and show that the port is real.

The low-level server needs no application or router: a single coroutine gets
every request. The site is started on port 0, so the operating system picks a
free port, and ``site.name`` reports the URL with that port. The script then
fetches the URL once with the standard library's client and exits non-zero if
the answer is not the expected one, which makes it usable as a smoke test
(``make demo``).

The URL is logged, as a service would log it, on standard output; so is the
access log line of the request, which goes to the ``aiohttp.access`` logger.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import sys

from aiohttp import web

__all__ = ("fetch", "handler", "main")

log = logging.getLogger("server_port0")


async def handler(request: web.BaseRequest) -> web.Response:
    """Answer every request with a greeting that echoes the requested path."""
    return web.Response(text=f"Hello from {request.path}")


def fetch(host: str, port: int, path: str) -> tuple[int, str]:
    """GET ``path`` with a blocking stdlib client; returns (status, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8")
    finally:
        conn.close()


async def main() -> int:
    """Start the server on port 0, fetch one URL from it, stop, report."""
    # The access log line names the Host the client asked for: the real port.
    server = web.Server(handler, access_log_format='%a "%r" %s %b Host=%{Host}i')
    runner = web.ServerRunner(server)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        # After start() the site knows the port the OS chose: no guessing.
        log.info("Serving on %s", site.name)

        host, port, path = "127.0.0.1", site.port, "/demo"
        # The stdlib client blocks, so it runs in a thread while the loop serves.
        status, body = await asyncio.to_thread(fetch, host, port, path)
        print(f"GET http://{host}:{port}{path} -> {status} {body!r}", flush=True)
    finally:
        await runner.cleanup()

    expected = f"Hello from {path}"
    if status != 200 or body != expected:
        print(f"unexpected response, wanted 200 {expected!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(name)s: %(message)s"
    )
    sys.exit(asyncio.run(main()))
