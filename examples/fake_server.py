"""Test client code against a fake remote API, over TLS, on an ephemeral port.

Code that talks to ``https://api.example.com`` can be tested without the
network: serve a fake of that API locally, then give the client session a
resolver that maps the public host name to the fake's address. The request
URLs in the code under test stay exactly as they are in production.

* The fake API is an ordinary ``web.Application`` served over HTTPS by a
  ``TCPSite`` on port 0; ``site.port`` says which port the system picked.
* ``FakeResolver`` answers ``api.example.com`` with ``127.0.0.1`` and that
  port; any other host name fails, so nothing leaks to the real network.
* TLS is verified as usual: the fake's certificate is signed by a local test
  CA (``examples/certs``, made by ``examples/certs/make_certs.sh``) that the
  client trusts, and it is valid for ``api.example.com``.

The script fetches a few resources, prints what it got and exits 0, or 1 if
anything was unexpected.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ("FakeAPI", "FakeResolver", "fetch_report", "main")

CERTS = Path(__file__).resolve().parent / "certs"
API_HOST = "api.example.com"
TOKEN = "secret-token"


class FakeResolver(AbstractResolver):
    """Resolves only the host names it was given, to a local port each."""

    def __init__(self, fakes: dict[str, int]) -> None:
        self._fakes = fakes

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,
    ) -> list[ResolveResult]:
        fake_port = self._fakes.get(host)
        if fake_port is None:
            raise OSError(f"{host} is not faked here: no real DNS in tests")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=fake_port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        """Nothing to release."""


class FakeAPI:
    """A local stand-in for the weather API at https://api.example.com."""

    def __init__(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/forecast/{city}", self.forecast)
        app.router.add_get("/v1/me", self.me)
        self._runner = web.AppRunner(app)
        self._site: web.TCPSite | None = None

    async def start(self) -> dict[str, int]:
        """Serve on an ephemeral port; returns {host name: port} for a resolver."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(CERTS / "server.pem", CERTS / "server.key")
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await self._site.start()
        print(f"fake {API_HOST} serving on {self._site.name}", flush=True)
        return {API_HOST: self._site.port}

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def forecast(self, request: web.Request) -> web.Response:
        city = request.match_info["city"]
        days = int(request.query.get("days", "1"))
        return web.json_response(
            {"city": city, "days": [{"day": d, "sky": "sunny"} for d in range(days)]}
        )

    async def me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(text="a bearer token is needed")
        return web.json_response({"user": "demo"})


async def fetch_report(session: aiohttp.ClientSession) -> list[str]:
    """The code under test: it only knows the public URLs of the API."""
    lines = []
    url = f"https://{API_HOST}/v1/forecast/paris"
    async with session.get(url, params={"days": "2"}) as resp:
        data: dict[str, Any] = await resp.json()
        skies = ", ".join(day["sky"] for day in data["days"])
        lines.append(f"forecast for {data['city']}: {skies}")
    async with session.get(f"https://{API_HOST}/v1/me") as resp:
        lines.append(f"anonymous /v1/me: {resp.status}")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with session.get(f"https://{API_HOST}/v1/me", headers=headers) as resp:
        lines.append(f"authorized /v1/me: {resp.status} {(await resp.json())['user']}")
    return lines


async def main() -> int:
    api = FakeAPI()
    fakes = await api.start()
    try:
        client_tls = ssl.create_default_context(cafile=CERTS / "ca.pem")
        connector = aiohttp.TCPConnector(resolver=FakeResolver(fakes), ssl=client_tls)
        async with aiohttp.ClientSession(connector=connector) as session:
            lines = await fetch_report(session)
    finally:
        await api.stop()
    for line in lines:
        print(line)
    expected = [
        "forecast for paris: sunny, sunny",
        "anonymous /v1/me: 401",
        "authorized /v1/me: 200 demo",
    ]
    if lines != expected:
        print(f"unexpected report, wanted {expected}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
