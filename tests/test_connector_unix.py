"""UnixConnector and NamedPipeConnector."""

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aiohttp import web
from aiohttp.client_exceptions import ClientConnectorError, UnixClientConnectorError
from aiohttp.connector import NamedPipeConnector, UnixConnector
from aiohttp.web_request import BaseRequest

from ._connector_helpers import client_request, roundtrip

pytestmark = pytest.mark.skipif(
    not hasattr(asyncio.AbstractEventLoop, "create_unix_connection")
    or sys.platform == "win32",
    reason="needs Unix sockets",
)


async def hello(request: BaseRequest) -> web.StreamResponse:
    return web.Response(text=f"unix {request.path}")


@pytest.fixture
async def unix_path(tmp_path: Path) -> AsyncIterator[str]:
    path = str(tmp_path / "server.sock")
    runner = web.ServerRunner(web.Server(hello))
    await runner.setup()
    site = web.UnixSite(runner, path)
    await site.start()
    yield path
    await runner.cleanup()


async def test_request_over_unix_socket(unix_path: str) -> None:
    async with UnixConnector(unix_path) as connector:
        assert connector.path == unix_path
        assert "unix" in connector.allowed_protocol_schema_set
        req = client_request("http://any-host/path")
        conn = await connector.connect(req, [], None)
        _message, body = await roundtrip(conn, req)
        assert body == b"unix /path"
        proto = conn.protocol
        conn.release()
        conn = await connector.connect(req, [], None)
        assert conn.protocol is proto  # pooled like TCP connections
        conn.release()


async def test_missing_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "nothing.sock")
    async with UnixConnector(path) as connector:
        req = client_request("http://localhost/")
        with pytest.raises(UnixClientConnectorError) as info:
            await connector.connect(req, [], None)
    exc = info.value
    assert isinstance(exc, ClientConnectorError)
    assert exc.path == path
    assert isinstance(exc.os_error, FileNotFoundError)
    assert str(exc).startswith(f"Cannot connect to unix socket {path} ssl:default [")
    assert exc.args[0] == path


async def test_named_pipes_need_windows() -> None:
    with pytest.raises(RuntimeError, match="proactor loop under windows"):
        NamedPipeConnector("\\\\.\\pipe\\test")
