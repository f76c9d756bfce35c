"""Test doubles for driving the connector without the session.

``client_request`` makes a real ClientRequest for the connector;
``roundtrip`` writes a request with the wire layer and reads the
response with ``protocol.read()``.
"""

import asyncio
import socket
from typing import Any, Optional, Union

from multidict import CIMultiDict
from yarl import URL

from aiohttp._client_request import ClientRequest
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import Connection
from aiohttp.http_parser import RawResponseMessage
from aiohttp.http_writer import serialize_headers


def client_request(
    url: Union[str, URL],
    *,
    method: str = "GET",
    ssl: Any = True,
    server_hostname: Optional[str] = None,
    proxy: Optional[URL] = None,
    proxy_auth: Any = None,
    proxy_headers: Optional[CIMultiDict[str]] = None,
) -> ClientRequest:
    """A real ClientRequest for ``url``, to hand to a connector directly."""
    return ClientRequest(
        method,
        URL(url),
        ssl=ssl,
        server_hostname=server_hostname,
        proxy=proxy,
        proxy_auth=proxy_auth,
        proxy_headers=proxy_headers,
    )


async def roundtrip(
    conn: Connection,
    req: ClientRequest,
    *,
    method: str = "GET",
    path: Optional[str] = None,
    read_body: bool = True,
    **params: Any,
) -> tuple[RawResponseMessage, bytes]:
    """Send one request on *conn*; the response head and (maybe) its body."""
    proto = conn.protocol
    transport = conn.transport
    assert proto is not None and transport is not None
    proto.set_response_params(**params)
    proto.set_request_method(method)
    if path is None:
        path = str(req.url) if req.proxy is not None and not req.is_ssl() else None
        path = path or req.url.raw_path_qs or "/"
    transport.write(serialize_headers(f"{method} {path} HTTP/1.1", req.headers.items()))
    message, payload = await proto.read()
    body = await payload.read() if read_body else b""
    return message, body


class FakeResolver(AbstractResolver):
    """Maps host names to fixed addresses (aiohttp's examples/fake_server.py idea)."""

    def __init__(self, hosts: dict[str, Union[str, list[str]]]) -> None:
        self.hosts = hosts
        self.calls: list[tuple[str, int, int]] = []
        self.gate: Optional[asyncio.Event] = None
        self.called = asyncio.Event()
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append((host, port, family))
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        addrs = self.hosts.get(host)
        if addrs is None:
            raise OSError(None, f"no such host {host}")
        if isinstance(addrs, str):
            addrs = [addrs]
        return [
            ResolveResult(
                hostname=host,
                host=addr,
                port=port,
                family=socket.AF_INET6 if ":" in addr else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for addr in addrs
        ]

    async def close(self) -> None:
        self.closed = True


class RecordingTrace:
    """Stands in for tracing.Trace: records which signals the connector sent."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.signals: dict[str, asyncio.Event] = {}
        self.queued = self.seen("connection_queued_start")

    def seen(self, name: str) -> asyncio.Event:
        """An event set once the signal *name* has been sent."""
        return self.signals.setdefault(name, asyncio.Event())

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("send_"):
            raise AttributeError(name)

        async def send(*args: Any) -> None:
            self.events.append((name[5:], *map(str, args)))
            self.seen(name[5:]).set()

        return send

    def names(self) -> list[str]:
        return [event[0] for event in self.events]
