"""ThreadedResolver and AsyncResolver."""

import asyncio
import importlib.util
import socket
from typing import Any

import pytest

from aiohttp import resolver as resolver_module
from aiohttp.resolver import AsyncResolver, DefaultResolver, ThreadedResolver

HAS_AIODNS = importlib.util.find_spec("aiodns") is not None
needs_aiodns = pytest.mark.skipif(not HAS_AIODNS, reason="needs aiodns")


def test_default_is_threaded() -> None:
    assert DefaultResolver is ThreadedResolver


async def test_threaded_localhost() -> None:
    resolver = ThreadedResolver()
    hosts = await resolver.resolve("localhost", 8080, family=socket.AF_INET)
    assert hosts[0]["host"] == "127.0.0.1"
    assert hosts[0]["port"] == 8080
    assert hosts[0]["hostname"] == "localhost"
    assert hosts[0]["family"] == socket.AF_INET
    assert hosts[0]["flags"] == socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
    await resolver.close()


async def test_threaded_ip_literal_unspec() -> None:
    resolver = ThreadedResolver()
    hosts = await resolver.resolve("127.0.0.1", 0, family=socket.AF_UNSPEC)
    assert [h["host"] for h in hosts] == ["127.0.0.1"]


async def test_threaded_failure_is_oserror() -> None:
    resolver = ThreadedResolver()
    with pytest.raises(OSError):
        await resolver.resolve("nonexistent.invalid", 80)


async def test_threaded_scope_id(loop: asyncio.AbstractEventLoop) -> None:
    resolver = ThreadedResolver(loop)

    async def getaddrinfo(*args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1", 80, 0, 3)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0)),
        ]

    async def getnameinfo(sockaddr: Any, flags: int) -> tuple[str, str]:
        assert sockaddr == ("fe80::1", 80, 0, 3)
        assert flags == socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
        return "fe80::1%eth0", "80"

    loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]
    loop.getnameinfo = getnameinfo  # type: ignore[method-assign,assignment]
    hosts = await resolver.resolve("link.example", 80, family=socket.AF_INET6)
    assert [(h["host"], h["port"]) for h in hosts] == [
        ("fe80::1%eth0", 80),
        ("::1", 80),
    ]


async def test_threaded_no_addresses(loop: asyncio.AbstractEventLoop) -> None:
    resolver = ThreadedResolver(loop)

    async def getaddrinfo(*args: Any, **kwargs: Any) -> list[Any]:
        return []

    loop.getaddrinfo = getaddrinfo  # type: ignore[method-assign]
    with pytest.raises(OSError, match="no usable address"):
        await resolver.resolve("empty.example", 80)


def test_threaded_needs_loop() -> None:
    with pytest.raises(RuntimeError):
        ThreadedResolver()


async def test_async_resolver_without_aiodns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolver_module, "_aiodns", None)
    with pytest.raises(RuntimeError, match="pip install aiodns"):
        AsyncResolver()


@needs_aiodns
async def test_async_localhost() -> None:
    resolver = AsyncResolver()
    try:
        hosts = await resolver.resolve("localhost", 80, family=socket.AF_INET)
    finally:
        await resolver.close()
    assert hosts[0]["host"] == "127.0.0.1" and hosts[0]["port"] == 80
    assert hosts[0]["hostname"] == "localhost"


@needs_aiodns
async def test_async_failure_is_oserror() -> None:
    resolver = AsyncResolver()
    try:
        with pytest.raises(OSError, match=r"nonexistent\.invalid") as info:
            await resolver.resolve("nonexistent.invalid", 80)
    finally:
        await resolver.close()
    assert info.value.errno is None


class _Node:
    def __init__(self, family: int, addr: tuple[Any, ...]) -> None:
        self.family = family
        self.addr = addr
        self.protocol = 6


class _FakeDNS:
    def __init__(self, nodes: list[_Node]) -> None:
        self.nodes = nodes
        self.named: list[Any] = []

    async def getaddrinfo(self, host: str, **kwargs: Any) -> Any:
        return self

    async def getnameinfo(self, sockaddr: Any, flags: int) -> Any:
        self.named.append(sockaddr)
        result = type("Info", (), {})()
        result.node = "fe80::1%eth0"
        return result


@needs_aiodns
async def test_async_scope_id_and_empty() -> None:
    resolver = AsyncResolver()
    await resolver.close()
    fake = _FakeDNS(
        [
            _Node(socket.AF_INET6, (b"fe80::1", 80, 0, 3)),
            _Node(socket.AF_INET, (b"127.0.0.1", 80)),
        ]
    )
    resolver._resolver = fake
    hosts = await resolver.resolve("link.example", 80, family=socket.AF_UNSPEC)
    assert [h["host"] for h in hosts] == ["fe80::1%eth0", "127.0.0.1"]
    assert fake.named == [("fe80::1", 80, 0, 3)]
    fake.nodes = []
    with pytest.raises(OSError, match="no usable address"):
        await resolver.resolve("link.example", 80)
