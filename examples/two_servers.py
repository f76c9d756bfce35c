"""Two servers on ephemeral ports, one calling the other.

A "users" backend and a "greeter" frontend each start on port 0. The
frontend learns the backend's real URL from ``site.name`` when it is built,
and calls it with a ``ClientSession`` that lives as long as the frontend
(opened and closed by a cleanup context). Nothing is hard-coded, so any
number of copies of this pair could run side by side.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

__all__ = ("main", "make_backend", "make_frontend")

BACKEND_URL = web.AppKey("backend_url", str)
SESSION = web.AppKey("session", aiohttp.ClientSession)


def make_backend() -> web.Application:
    """The users service: GET /users/{id} -> {"id": ..., "name": ...}."""
    names = {"1": "Ada", "2": "Grace"}

    async def user(request: web.Request) -> web.Response:
        user_id = request.match_info["id"]
        if user_id not in names:
            raise web.HTTPNotFound(text=f"no user {user_id}")
        return web.json_response({"id": user_id, "name": names[user_id]})

    app = web.Application()
    app.router.add_get("/users/{id}", user)
    return app


async def client_session(app: web.Application) -> AsyncIterator[None]:
    """One client session for the frontend's whole life, with a base URL."""
    async with aiohttp.ClientSession(base_url=app[BACKEND_URL]) as session:
        app[SESSION] = session
        yield


def make_frontend(backend_url: str) -> web.Application:
    """The greeter: GET /greet/{id} asks the backend for the user's name."""

    async def greet(request: web.Request) -> web.Response:
        session = request.app[SESSION]
        async with session.get(f"/users/{request.match_info['id']}") as resp:
            if resp.status == 404:
                raise web.HTTPNotFound(text="who?")
            resp.raise_for_status()
            user = await resp.json()
        return web.Response(text=f"Hello, {user['name']}!")

    app = web.Application()
    app[BACKEND_URL] = backend_url
    app.cleanup_ctx.append(client_session)
    app.router.add_get("/greet/{id}", greet)
    return app


async def start(app: web.Application) -> tuple[web.AppRunner, web.TCPSite]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site


async def main() -> int:
    backend_runner, backend = await start(make_backend())
    frontend_runner, frontend = await start(make_frontend(backend.name))
    print(f"backend on {backend.name}, frontend on {frontend.name}", flush=True)
    results = []
    try:
        async with aiohttp.ClientSession(base_url=frontend.name) as session:
            for user_id in ("1", "2", "3"):
                async with session.get(f"/greet/{user_id}") as resp:
                    results.append((resp.status, await resp.text()))
    finally:
        await frontend_runner.cleanup()
        await backend_runner.cleanup()
    for status, text in results:
        print(f"{status} {text}")
    expected = [(200, "Hello, Ada!"), (200, "Hello, Grace!"), (404, "who?")]
    return 0 if results == expected else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
