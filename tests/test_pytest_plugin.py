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


CLIENT_TESTS = """
import pytest

from aiohttp import web

# A mutable holder: an application's state is fixed once it has started.
VALUE = web.AppKey("value", dict)


async def previous(request):
    if request.method == "POST":
        request.app[VALUE]["v"] = (await request.post())["value"]
        return web.Response(body=b"thanks for the data")
    return web.Response(text="value: " + request.app[VALUE]["v"])


def make_app(value):
    app = web.Application()
    app.router.add_get("/", previous)
    app.router.add_post("/", previous)
    app[VALUE] = {"v": value}
    return app


@pytest.fixture
def cli(loop, aiohttp_client):
    # The documented pattern: a sync fixture drives the factory on `loop`.
    return loop.run_until_complete(aiohttp_client(make_app("")))


async def test_set_value(cli):
    resp = await cli.post("/", data={"value": "foo"})
    assert resp.status == 200
    assert await resp.text() == "thanks for the data"
    assert cli.server.app[VALUE]["v"] == "foo"


async def test_get_value(cli):
    cli.server.app[VALUE]["v"] = "bar"
    resp = await cli.get("/")
    assert await resp.text() == "value: bar"


@pytest.fixture
async def client(aiohttp_client):
    return await aiohttp_client(make_app("async"))


async def test_async_fixture_client(client):
    resp = await client.get("/")
    assert await resp.text() == "value: async"


def test_custom_client_cls(aiohttp_client_cls):
    from aiohttp.test_utils import TestClient

    assert aiohttp_client_cls is TestClient
"""


def test_plugin_client_fixture_patterns(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makepyfile(test_client=CLIENT_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=4)


def test_aiohttp_client_cls_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest
from aiohttp.test_utils import TestClient

pytest_plugins = ["aiohttp.pytest_plugin"]


class MyClient(TestClient):
    async def get_text(self, path):
        return await (await self.get(path)).text()


@pytest.fixture
def aiohttp_client_cls():
    return MyClient
"""
    )
    pytester.makepyfile(
        test_cls="""
from aiohttp import web


async def hello(request):
    return web.Response(text="mine")


async def test_uses_subclass(aiohttp_client):
    app = web.Application()
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    assert type(client).__name__ == "MyClient"
    assert await client.get_text("/") == "mine"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)
