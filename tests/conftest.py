import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest

from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import EndOfMessage, HttpResponseParser, RawResponseMessage
from aiohttp.test_utils import RawTestServer
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

pytest_plugins = ["aiohttp.pytest_plugin", "pytester"]

Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


# The low-level test server of our own pytest plugin (dogfooding).
RunningServer = RawTestServer


@pytest.fixture
def raw_server(
    aiohttp_raw_server: Callable[..., Awaitable[RawTestServer]],
) -> Callable[..., Awaitable[RawTestServer]]:
    """``aiohttp_raw_server`` with a short shutdown timeout for tests."""

    async def start(handler: Handler, **kwargs: Any) -> RawTestServer:
        kwargs.setdefault("shutdown_timeout", 5.0)
        return await aiohttp_raw_server(handler, **kwargs)

    return start


@dataclass
class ParsedResponse:
    head: RawResponseMessage
    body: bytes = b""
    trailers: Any = None
    chunks: list[bytes] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.head.code


class RawConnection:
    """A raw TCP client that parses responses with our own response parser."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.parser = HttpResponseParser()
        self._ready: list[ParsedResponse] = []
        self._current: Optional[ParsedResponse] = None

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    def _feed(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, RawResponseMessage):
                self._current = ParsedResponse(event)
            elif isinstance(event, bytes):
                assert self._current is not None
                self._current.body += event
                self._current.chunks.append(event)
            elif isinstance(event, EndOfMessage):
                assert self._current is not None
                self._current.trailers = event.trailers
                self._ready.append(self._current)
                self._current = None
            elif isinstance(event, BadHttpMessage):
                raise event

    async def response(self, method: str = "GET") -> ParsedResponse:
        """The next complete response (1xx interim responses included)."""
        self.parser.request_method = method
        while not self._ready:
            data = await self.reader.read(65536)
            if not data:
                self._feed(self.parser.feed_eof())
                if not self._ready:
                    raise ConnectionError("connection closed before a response")
                break
            self._feed(self.parser.feed_data(data))
        return self._ready.pop(0)

    async def at_eof(self) -> bool:
        """True when the server closed the connection (nothing more to read)."""
        data = await self.reader.read(65536)
        return data == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@pytest.fixture
async def raw_connect() -> AsyncIterator[Callable[..., Awaitable[RawConnection]]]:
    conns: list[RawConnection] = []

    async def connect(port: int, host: str = "127.0.0.1") -> RawConnection:
        reader, writer = await asyncio.open_connection(host, port)
        conn = RawConnection(reader, writer)
        conns.append(conn)
        return conn

    yield connect
    for conn in conns:
        await conn.close()


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
