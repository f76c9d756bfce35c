"""The pytest plugin, run on a user's test module in a sub-session."""

import pytest

USER_TESTS = """
import asyncio
import http.client

import pytest

from aiohttp import web


async def hello(request):
    return web.Response(text="hi")


@pytest.fixture
async def prepared():
    await asyncio.sleep(0)
    yield "ready"
    await asyncio.sleep(0)


async def test_async_fixture_and_loop(prepared, loop):
    assert prepared == "ready"
    assert asyncio.get_running_loop() is loop


async def test_raw_server(aiohttp_raw_server):
    server = await aiohttp_raw_server(hello)
    def get():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", "/")
            return conn.getresponse().read()
        finally:
            conn.close()
    assert await asyncio.to_thread(get) == b"hi"


def test_unused_port(aiohttp_unused_port):
    assert aiohttp_unused_port() > 0


def test_sync_tests_still_run():
    assert True
"""


def test_plugin_runs_async_tests_and_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=4)


def test_plugin_options(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--aiohttp-fast", "--aiohttp-enable-loop-debug"
    )
    result.assert_outcomes(passed=4)
