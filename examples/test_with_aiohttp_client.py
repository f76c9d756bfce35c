"""Testing an application with pytest and the ``aiohttp_client`` fixture.

In a project this module would sit in ``tests/`` with a ``conftest.py``
holding ``pytest_plugins = ["aiohttp.pytest_plugin"]``, and ``pytest`` would
run it. Each test gets its own server on an ephemeral port, so the tests can
run in parallel without competing for a port.

Run as a script, it runs itself under pytest with the plugin enabled (this is
how the project's test suite exercises it)::

    python examples/test_with_aiohttp_client.py
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from aiohttp import web

if TYPE_CHECKING:  # only for the annotations: -p below loads the plugin itself
    from aiohttp.pytest_plugin import AiohttpClient

__all__ = ("make_app",)

COUNTER = web.AppKey("counter", list)


async def hello(request: web.Request) -> web.Response:
    return web.Response(text=f"Hello, {request.query.get('name', 'world')}")


async def count(request: web.Request) -> web.Response:
    hits = request.app[COUNTER]
    hits.append(request.remote)
    return web.json_response({"hits": len(hits)})


def make_app() -> web.Application:
    app = web.Application()
    app[COUNTER] = []
    app.router.add_get("/", hello)
    app.router.add_post("/count", count)
    return app


async def test_hello(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(make_app())
    resp = await client.get("/", params={"name": "pytest"})
    assert resp.status == 200
    assert await resp.text() == "Hello, pytest"


async def test_state_is_per_application(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(make_app())
    for expected in (1, 2):
        resp = await client.post("/count")
        assert await resp.json() == {"hits": expected}


async def test_two_servers_never_share_a_port(aiohttp_client: AiohttpClient) -> None:
    first = await aiohttp_client(make_app())
    second = await aiohttp_client(make_app())
    assert first.port != second.port
    assert str(first.make_url("/")).startswith("http://127.0.0.1:")


if __name__ == "__main__":
    # -o addopts= ignores the options of whatever pytest configuration is
    # found around the current directory; the plugin is enabled with -p.
    sys.exit(
        pytest.main(
            [
                *("-q", "-p", "aiohttp.pytest_plugin", "-p", "no:cacheprovider"),
                *("-o", "addopts=", __file__),
            ]
        )
    )
