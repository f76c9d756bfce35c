"""The client's fast paths give the same answers as the general code they skip."""

import asyncio

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp._client_request import ClientRequest
from aiohttp._connector_base import _wait_all
from aiohttp._connector_dns import _is_ip_literal
from aiohttp.helpers import is_ip_address


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "256.1.1.1",
        "127.1",
        "01.2.3.4",
        "1.2.3.4 ",
        "::1",
        "::",
        "0:0::1",
        "::ffff:127.0.0.1",
        "fe80::1%eth0",
        "fe80::1%1",
        "1::2::3",
        "example.com",
        "localhost",
        "1.2.3.4.example",
        "",
        "a\x00b",
    ],
)
def test_ip_literal_check_matches_is_ip_address(host: str) -> None:
    assert _is_ip_literal(host) is is_ip_address(host)


async def test_wait_all_returns_when_every_future_is_done(
    loop: asyncio.AbstractEventLoop,
) -> None:
    futures: list[asyncio.Future[None]] = [loop.create_future() for _ in range(3)]
    futures[0].set_result(None)
    loop.call_soon(futures[1].set_result, None)
    loop.call_soon(futures[2].set_result, None)
    assert await _wait_all(loop, futures, 10) == set()


async def test_wait_all_gives_the_pending_ones_after_the_timeout(
    loop: asyncio.AbstractEventLoop,
) -> None:
    done: asyncio.Future[None] = loop.create_future()
    stuck: asyncio.Future[None] = loop.create_future()
    done.set_result(None)
    assert await _wait_all(loop, [done, stuck], 0) == {stuck}
    stuck.cancel()


async def test_wait_all_with_nothing_pending(loop: asyncio.AbstractEventLoop) -> None:
    assert await _wait_all(loop, [], 1) == set()


@pytest.mark.parametrize(
    ("headers", "skip", "expected"),
    [
        (
            None,
            None,
            ["Host", "Accept", "Accept-Encoding", "User-Agent"],
        ),
        (
            {"accept": "text/plain"},
            None,
            ["Host", "accept", "Accept-Encoding", "User-Agent"],
        ),
        (None, {"user-agent", "ACCEPT"}, ["Host", "Accept-Encoding"]),
        (None, {"host"}, ["Accept", "Accept-Encoding", "User-Agent"]),
        ({"Host": "x"}, {"host"}, ["Host", "Accept", "Accept-Encoding", "User-Agent"]),
        (
            {"USER-AGENT": "me"},
            None,
            ["Host", "USER-AGENT", "Accept", "Accept-Encoding"],
        ),
    ],
)
async def test_auto_headers_respect_given_and_skipped_names(
    loop: asyncio.AbstractEventLoop,
    headers: object,
    skip: object,
    expected: list[str],
) -> None:
    req = ClientRequest(
        "GET",
        URL("http://example.com/"),
        headers=headers,  # type: ignore[arg-type]
        skip_auto_headers=skip,  # type: ignore[arg-type]
        loop=loop,
    )
    assert list(req.headers) == expected
    assert isinstance(req.skip_auto_headers, CIMultiDict)
    assert sorted(req.skip_auto_headers) == sorted(skip or ())  # type: ignore[call-overload]
