"""Shared by the router tests: a server that routes, a raw client, doubles."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Optional

import pytest
from yarl import URL

from aiohttp import hdrs
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_urldispatcher import UrlDispatcher, UrlMappingMatchInfo

from .conftest import ParsedResponse, RawConnection, RunningServer

__all__ = (
    "Fetch",
    "FakeRequest",
    "RoutedRequest",
    "Serve",
    "fetch",
    "get_json",
    "info_handler",
    "serve",
)


class RoutedRequest(BaseRequest):
    """A BaseRequest with the ``match_info`` a web.Request would carry."""

    _match_info: Optional[UrlMappingMatchInfo] = None

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        assert self._match_info is not None
        return self._match_info


def _request_factory(
    message: RawRequestMessage,
    payload: StreamReader,
    protocol: RequestHandler,
    writer: AbstractStreamWriter,
    task: "asyncio.Task[None]",
) -> BaseRequest:
    loop = asyncio.get_running_loop()
    return RoutedRequest(message, payload, protocol, writer, task, loop)


Serve = Callable[[UrlDispatcher], Awaitable[RunningServer]]


@pytest.fixture
def serve(raw_server: Any) -> Serve:
    """Start a low-level server that routes every request through *router*."""

    async def start(router: UrlDispatcher) -> RunningServer:
        async def handler(request: BaseRequest) -> StreamResponse:
            assert isinstance(request, RoutedRequest)
            match_info = await router.resolve(request)  # type: ignore[arg-type]
            match_info.freeze()
            request._match_info = match_info
            if hdrs.EXPECT in request.headers:
                early = await match_info.expect_handler(request)  # type: ignore[arg-type]
                if early is not None:
                    return early
            response: StreamResponse = await match_info.handler(request)  # type: ignore[arg-type]
            return response

        server: RunningServer = await raw_server(
            handler, request_factory=_request_factory
        )
        return server

    return start


Fetch = Callable[..., Awaitable[ParsedResponse]]


@pytest.fixture
def fetch(raw_connect: Any) -> Fetch:
    """Send one raw request on a new connection and parse the response."""

    async def do(
        port: int,
        method: str,
        target: str,
        headers: Optional[dict[str, str]] = None,
        version: str = "1.1",
    ) -> ParsedResponse:
        conn: RawConnection = await raw_connect(port)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        lines = [f"{method} {target} HTTP/{version}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        conn.send(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        response = await conn.response(method)
        return response

    return do


def info_handler(tag: str) -> Callable[[BaseRequest], Awaitable[StreamResponse]]:
    """A handler answering with *tag* and the match info as JSON."""

    async def handler(request: BaseRequest) -> StreamResponse:
        assert isinstance(request, RoutedRequest)
        body = {"tag": tag, "match": dict(request.match_info)}
        return Response(text=json.dumps(body), content_type="application/json")

    return handler


async def get_json(fetch: Fetch, srv: RunningServer, target: str) -> Any:
    response = await fetch(srv.port, "GET", target)
    assert response.status == 200, (target, response.status, response.body)
    return json.loads(response.body)


class FakeRequest:
    """Only what resolve() reads: method, rel_url and headers."""

    def __init__(self, method: str, target: str, host: str = "127.0.0.1") -> None:
        self.method = method
        self.rel_url = URL.build(path=target, encoded=True)
        self.headers = {hdrs.HOST: host} if host else {}
