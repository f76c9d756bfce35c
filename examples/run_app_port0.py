"""``web.run_app(app, port=0)``: the banner shows the port the system chose.

Run it plainly and it serves until Ctrl+C, like any aiohttp application::

    python examples/run_app_port0.py
    ======== Running on http://127.0.0.1:41234 ========
    (Press CTRL+C to quit)

With ``--self-test`` it also fetches its own front page once, through the URL
in the banner, then stops itself the way Ctrl+C would. That is how the test
suite runs it. The banner goes through run_app's ``print`` argument, which is
also how a program can learn the URL without parsing its own output.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.web_runner import GracefulExit

__all__ = ("main", "make_app")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello from run_app")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


class SelfTest:
    """Fetches the URL run_app announces, then asks run_app to stop."""

    def __init__(self) -> None:
        self.url: asyncio.Future[str] | None = None
        self.ok = False

    def announce(self, banner: str) -> None:
        """run_app's ``print``: show the banner and remember the URL in it."""
        print(banner, flush=True)
        assert self.url is not None
        self.url.set_result(banner.split()[3])  # "======== Running on URL ..."

    async def context(self, app: web.Application) -> AsyncIterator[None]:
        """A cleanup context: starts the check when the app starts up."""
        self.url = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._check())
        yield
        await task

    async def _check(self) -> None:
        assert self.url is not None
        url = await self.url
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as resp:
                text = await resp.text()
            print(f"self-test: GET {url} -> {resp.status} {text!r}", flush=True)
            self.ok = resp.status == 200 and text == "Hello from run_app"
        finally:  # stop even when the check failed, rather than serve forever
            asyncio.get_running_loop().call_soon(_stop)


def _stop() -> None:
    # What run_app's SIGINT/SIGTERM handler does.
    raise GracefulExit()


def main(argv: list[str]) -> int:
    app = make_app()
    if "--self-test" not in argv:
        web.run_app(app, host="127.0.0.1", port=0)
        return 0
    check = SelfTest()
    app.cleanup_ctx.append(check.context)
    web.run_app(app, host="127.0.0.1", port=0, print=check.announce)
    print("stopped", flush=True)
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
