"""Shared by the Application tests: serve an app on a real port, fetch from it."""

import asyncio
import http.client
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from aiohttp import web
from aiohttp.pytest_plugin import AiohttpServer

__all__ = ("Fetched", "ServeApp", "fetch", "serve_app")


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def _fetch_sync(
    port: int,
    method: str,
    path: str,
    body: Optional[bytes],
    headers: dict[str, str],
) -> Fetched:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Fetched(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


async def fetch(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: Optional[bytes] = None,
    headers: Optional[dict[str, str]] = None,
) -> Fetched:
    """One request with http.client, in a thread so the server keeps running."""
    return await asyncio.to_thread(
        _fetch_sync, port, method, path, body, dict(headers or {})
    )


ServeApp = Callable[..., Awaitable[int]]


@pytest.fixture
def serve_app(aiohttp_server: AiohttpServer) -> ServeApp:
    """``port = await serve_app(app, **runner_kwargs)``: our own aiohttp_server
    fixture underneath, so the server is cleaned up after the test."""

    async def start(app: web.Application, **kwargs: Any) -> int:
        kwargs.setdefault("shutdown_timeout", 5.0)
        server = await aiohttp_server(app, **kwargs)
        return server.port

    return start
