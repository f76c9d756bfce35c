"""Tests for aiohttp.abc: which methods are abstract, and the concrete helpers."""

import asyncio
import inspect
import logging
import socket
import subprocess
import sys
from collections.abc import Generator, Iterator, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import Any, Optional

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp import abc
from aiohttp.abc import (
    AbstractAccessLogger,
    AbstractAsyncAccessLogger,
    AbstractCookieJar,
    AbstractMatchInfo,
    AbstractResolver,
    AbstractRouter,
    AbstractStreamWriter,
    AbstractView,
    ClearCookiePredicate,
    ResolveResult,
)

# Stand-ins for objects the abstract methods only pass around.
REQUEST: Any = object()
APP: Any = object()

# --- the public surface ------------------------------------------------------


def test_all_names_exist() -> None:
    for name in abc.__all__:
        assert hasattr(abc, name), name


def test_import_does_not_load_web_modules() -> None:
    # The wire layer imports abc, so abc must not drag the web layer in.
    code = (
        "import sys, aiohttp.abc; "
        "print(sorted(m for m in sys.modules if m.startswith('aiohttp.web')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("cls", "abstract"),
    [
        (AbstractRouter, {"resolve"}),
        (
            AbstractMatchInfo,
            {
                "handler",
                "expect_handler",
                "http_exception",
                "get_info",
                "apps",
                "add_app",
                "freeze",
            },
        ),
        (AbstractView, {"__await__"}),
        (AbstractResolver, {"resolve", "close"}),
        (
            AbstractCookieJar,
            {
                "__len__",
                "__iter__",
                "quote_cookie",
                "clear",
                "clear_domain",
                "update_cookies",
                "filter_cookies",
            },
        ),
        (
            AbstractStreamWriter,
            {
                "write",
                "write_eof",
                "drain",
                "enable_compression",
                "enable_chunking",
                "write_headers",
            },
        ),
        (AbstractAccessLogger, {"log"}),
        (AbstractAsyncAccessLogger, {"log"}),
    ],
)
def test_abstract_methods(cls: Any, abstract: set[str]) -> None:
    assert cls.__abstractmethods__ == frozenset(abstract)


@pytest.mark.parametrize(
    "cls",
    [
        AbstractRouter,
        AbstractMatchInfo,
        AbstractResolver,
        AbstractStreamWriter,
        AbstractAsyncAccessLogger,
    ],
)
def test_cannot_instantiate_without_overrides(cls: type) -> None:
    incomplete = type("Incomplete", (cls,), {})
    with pytest.raises(TypeError, match="abstract"):
        incomplete()


def test_access_logger_needs_log() -> None:
    class Incomplete(AbstractAccessLogger):
        pass

    with pytest.raises(TypeError, match="log"):
        Incomplete(logging.getLogger("x"), "%a")  # type: ignore[abstract]


def test_resolve_result_fields() -> None:
    assert ResolveResult.__required_keys__ == frozenset(
        {"hostname", "host", "port", "family", "proto", "flags"}
    )
    result: ResolveResult = {
        "hostname": "localhost",
        "host": "127.0.0.1",
        "port": 80,
        "family": socket.AF_INET,
        "proto": 0,
        "flags": socket.AI_NUMERICHOST,
    }
    assert result["host"] == "127.0.0.1"


# --- AbstractRouter and AbstractMatchInfo -----------------------------------


class StaticMatchInfo(AbstractMatchInfo):
    __slots__ = ("_apps", "_frozen")

    def __init__(self) -> None:
        self._apps: list[Any] = []
        self._frozen = False

    @property
    def handler(self) -> Any:
        async def handle(request: Any) -> Any:
            return "response"

        return handle

    @property
    def expect_handler(self) -> Any:
        async def expect(request: Any) -> None:
            return None

        return expect

    @property
    def http_exception(self) -> Optional[Any]:
        return None

    def get_info(self) -> dict[str, Any]:
        return {"path": "/"}

    @property
    def apps(self) -> tuple[Any, ...]:
        return tuple(self._apps)

    def add_app(self, app: Any) -> None:
        self._apps.insert(0, app)

    def freeze(self) -> None:
        self._frozen = True


class StaticRouter(AbstractRouter):
    async def resolve(self, request: Any) -> AbstractMatchInfo:
        return StaticMatchInfo()


async def test_router() -> None:
    router = StaticRouter()
    assert router.frozen is False
    router.post_init(APP)
    router.freeze()
    assert router.frozen is True
    match_info = await router.resolve(REQUEST)
    assert isinstance(match_info, AbstractMatchInfo)
    assert match_info.http_exception is None
    assert await match_info.handler(REQUEST) == "response"
    assert await match_info.expect_handler(REQUEST) is None
    assert match_info.get_info() == {"path": "/"}
    inner: Any = "inner"
    match_info.add_app(APP)
    match_info.add_app(inner)
    assert match_info.apps == (inner, APP)
    match_info.freeze()


def test_match_info_allows_slots() -> None:
    # AbstractMatchInfo declares no instance dict of its own.
    assert not hasattr(StaticMatchInfo(), "__dict__")


# --- AbstractView -------------------------------------------------------------


class EchoView(AbstractView):
    def __await__(self) -> Generator[Any, None, Any]:
        yield from asyncio.sleep(0).__await__()
        return ("handled", self.request)


async def test_view_is_awaitable_and_holds_request() -> None:
    view = EchoView(REQUEST)
    assert view.request is REQUEST
    assert await view == ("handled", REQUEST)


# --- AbstractResolver ---------------------------------------------------------


class StaticResolver(AbstractResolver):
    def __init__(self) -> None:
        self.closed = False

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,
    ) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": family,
                "proto": 0,
                "flags": 0,
            }
        ]

    async def close(self) -> None:
        self.closed = True


def test_resolver_signature_defaults() -> None:
    params = inspect.signature(AbstractResolver.resolve).parameters
    assert list(params) == ["self", "host", "port", "family"]
    assert params["port"].default == 0
    assert params["family"].default == socket.AF_INET


async def test_resolver_subclass() -> None:
    resolver = StaticResolver()
    [result] = await resolver.resolve("localhost", 8080)
    assert result["hostname"] == "localhost"
    assert result["port"] == 8080
    assert result["family"] == socket.AF_INET
    await resolver.close()
    assert resolver.closed


# --- AbstractCookieJar ----------------------------------------------------------


EMPTY_URL = URL()


class ListJar(AbstractCookieJar):
    """Keeps every update_cookies() call, to see what the base class passes."""

    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(loop=loop)
        self.updates: list[tuple[Any, URL]] = []
        self.morsels: list[Morsel[str]] = []

    @property
    def quote_cookie(self) -> bool:
        return True

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        if predicate is None:
            self.morsels.clear()
        else:
            self.morsels = [m for m in self.morsels if not predicate(m)]

    def clear_domain(self, domain: str) -> None:
        self.clear(lambda m: m["domain"] == domain)

    def update_cookies(self, cookies: Any, response_url: URL = EMPTY_URL) -> None:
        pairs = cookies.items() if hasattr(cookies, "items") else cookies
        pairs = list(pairs)
        self.updates.append((pairs, response_url))
        for _name, morsel in pairs:
            self.morsels.append(morsel)

    def filter_cookies(self, request_url: URL) -> "BaseCookie[str]":
        cookies: SimpleCookie = SimpleCookie()
        for morsel in self.morsels:
            cookies[morsel.key] = morsel.value
        return cookies

    def __len__(self) -> int:
        return len(self.morsels)

    def __iter__(self) -> Iterator["Morsel[str]"]:
        return iter(self.morsels)


async def test_cookie_jar_defaults_to_running_loop() -> None:
    jar = ListJar()
    assert jar._loop is asyncio.get_running_loop()


def test_cookie_jar_explicit_loop() -> None:
    loop = asyncio.new_event_loop()
    try:
        assert ListJar(loop=loop)._loop is loop
    finally:
        loop.close()


def test_cookie_jar_without_loop_explains_fix() -> None:
    with pytest.raises(RuntimeError, match=r"ListJar needs an event loop.*loop="):
        ListJar()


def test_update_cookies_signature_default() -> None:
    params = inspect.signature(AbstractCookieJar.update_cookies).parameters
    assert params["response_url"].default == URL()


def parse(headers: Sequence[str]) -> dict[str, "Morsel[str]"]:
    return dict(abc._parse_set_cookie_headers(headers))


async def test_update_cookies_from_headers() -> None:
    jar = ListJar()
    url = URL("http://example.com/path")
    jar.update_cookies_from_headers(
        ["session=abc; Path=/; HttpOnly", "theme=dark; Domain=example.com"], url
    )
    [(pairs, response_url)] = jar.updates
    assert response_url is url
    assert [name for name, _ in pairs] == ["session", "theme"]
    assert len(jar) == 2
    assert [m.value for m in jar] == ["abc", "dark"]
    assert jar.filter_cookies(url)["theme"].value == "dark"
    jar.clear_domain("example.com")
    assert [m.key for m in jar] == ["session"]
    jar.clear()
    assert len(jar) == 0


async def test_update_cookies_from_headers_nothing_to_store() -> None:
    jar = ListJar()
    jar.update_cookies_from_headers([], URL("http://example.com"))
    jar.update_cookies_from_headers(["no-equals-sign"], URL("http://example.com"))
    assert jar.updates == []


def test_parse_set_cookie_attributes() -> None:
    morsel = parse(
        [
            "id=42; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Max-Age=3600; "
            "Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Lax"
        ]
    )["id"]
    assert morsel.key == "id"
    assert morsel.value == "42"
    assert morsel["expires"] == "Wed, 09 Jun 2027 10:18:14 GMT"
    assert morsel["max-age"] == "3600"
    assert morsel["domain"] == "example.com"
    assert morsel["path"] == "/app"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"


def test_parse_set_cookie_ignores_unknown_and_valueless_attributes() -> None:
    # An unknown attribute is not a second cookie; "Path" without "=" is dropped.
    cookies = parse(["a=1; Foo=bar; Path; ; Priority=High"])
    assert list(cookies) == ["a"]
    assert cookies["a"]["path"] == ""


def test_parse_set_cookie_quoted_and_empty_values() -> None:
    cookies = parse(['q="hello world"', "empty=", " spaced = v "])
    assert cookies["q"].value == "hello world"
    assert cookies["q"].coded_value == '"hello world"'
    assert cookies["empty"].value == ""
    assert cookies["spaced"].value == "v"


def test_parse_set_cookie_skips_malformed_headers_only() -> None:
    cookies = parse(["=nameless", "novalue", "bad name=1", "expires=1", "ok=1"])
    # "bad name" is not a legal cookie name and "expires" is reserved.
    assert list(cookies) == ["ok"]


# --- AbstractStreamWriter -----------------------------------------------------


class RecordingWriter(AbstractStreamWriter):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.chunks.append(chunk)

    async def drain(self) -> None:
        pass

    def enable_compression(
        self, encoding: str = "deflate", strategy: Optional[int] = None
    ) -> None:
        pass

    def enable_chunking(self) -> None:
        pass

    async def write_headers(
        self, status_line: str, headers: "CIMultiDict[str]"
    ) -> None:
        self.chunks.append(status_line.encode())


async def test_stream_writer_defaults() -> None:
    writer = RecordingWriter()
    assert (writer.buffer_size, writer.output_size, writer.length) == (0, 0, 0)
    writer.send_headers()  # a no-op unless a writer buffers its headers
    await writer.write_headers("HTTP/1.1 200 OK", CIMultiDict())
    await writer.write(memoryview(b"body"))
    await writer.write_eof()
    assert writer.chunks == [b"HTTP/1.1 200 OK", b"body", b""]


def test_stream_writer_signature_defaults() -> None:
    params = inspect.signature(AbstractStreamWriter.enable_compression).parameters
    assert params["encoding"].default == "deflate"
    assert params["strategy"].default is None
    eof = inspect.signature(AbstractStreamWriter.write_eof).parameters
    assert eof["chunk"].default == b""


# --- access loggers -----------------------------------------------------------


class ListAccessLogger(AbstractAccessLogger):
    __slots__ = ("lines",)

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        super().__init__(logger, log_format)
        self.lines: list[str] = []

    def log(self, request: Any, response: Any, time: float) -> None:
        self.lines.append(self.log_format.format(request, response, time))


def test_access_logger_stores_logger_and_format() -> None:
    logger = logging.getLogger("test.aiohttp.abc")
    access_logger = ListAccessLogger(logger, "{0} {1} {2}")
    assert access_logger.logger is logger
    assert access_logger.log_format == "{0} {1} {2}"
    # Loggers that don't say otherwise are always on.
    assert access_logger.enabled is True
    access_logger.log("req", "resp", 1.5)
    assert access_logger.lines == ["req resp 1.5"]


class ListAsyncAccessLogger(AbstractAsyncAccessLogger):
    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: list[tuple[Any, Any, float]] = []

    async def log(self, request: Any, response: Any, request_start: float) -> None:
        await asyncio.sleep(0)
        self.lines.append((request, response, request_start))


async def test_async_access_logger() -> None:
    access_logger = ListAsyncAccessLogger()
    assert access_logger.enabled is True
    await access_logger.log("req", "resp", 12.5)
    assert access_logger.lines == [("req", "resp", 12.5)]
