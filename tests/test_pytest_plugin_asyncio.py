"""The plugin beside pytest-asyncio, auto or strict mode: each coroutine runs once.

pytest-asyncio is not a dependency of the package.  These tests run a small
user suite with ``-p asyncio``; they find pytest-asyncio in the environment,
or in the directory named by ``AIOHTTP_PYTEST_ASYNCIO_PATH`` (default
``.venv/opt/pytest-asyncio``, kept out of the main environment so the
project's own suite is not run under it), and skip when it is missing.
"""

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTRA_PATH = Path(
    os.environ.get(
        "AIOHTTP_PYTEST_ASYNCIO_PATH", ROOT / ".venv" / "opt" / "pytest-asyncio"
    )
)

USER_TESTS = """
import asyncio

import pytest

from aiohttp import web

RUNS = []


async def hello(request):
    return web.Response(text="hi " + request.path)


@pytest.fixture
async def prepared():
    RUNS.append("fixture")
    yield asyncio.get_running_loop()
    RUNS.append("fixture teardown")


async def test_coroutine_runs_once(prepared):
    RUNS.append("test")
    assert prepared is asyncio.get_running_loop()


def test_counted():
    assert RUNS == ["fixture", "test", "fixture teardown"], RUNS


async def test_loop_fixture_is_the_running_loop(loop):
    assert loop is asyncio.get_running_loop()


async def test_client_fixture(aiohttp_client):
    app = web.Application()
    app.router.add_get("/{tail:.*}", hello)
    client = await aiohttp_client(app)
    resp = await client.get("/x")
    assert await resp.text() == "hi /x"


async def test_server_fixtures(aiohttp_server, aiohttp_raw_server, aiohttp_client):
    app = web.Application()
    app.router.add_get("/", hello)
    server = await aiohttp_server(app)
    raw = await aiohttp_raw_server(hello)
    for srv in (server, raw):
        client = await aiohttp_client(srv)
        assert (await client.get("/")).status == 200


@pytest.mark.asyncio
async def test_explicit_marker(aiohttp_raw_server):
    server = await aiohttp_raw_server(hello)
    assert server.port
"""

INI = """
[pytest]
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""


def _pythonpath() -> str:
    """PYTHONPATH for a subprocess that can import pytest-asyncio (or skip)."""
    current = os.environ.get("PYTHONPATH", "")
    if importlib.util.find_spec("pytest_asyncio") is not None:
        return current
    if not (EXTRA_PATH / "pytest_asyncio").is_dir():
        pytest.skip(f"pytest-asyncio is not installed (nor in {EXTRA_PATH})")
    return os.pathsep.join(p for p in (str(EXTRA_PATH), current) if p)


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_beside_pytest_asyncio(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    # Auto mode: pytest-asyncio runs every coroutine.  Strict mode: it runs
    # the marked test, this plugin the others; either way, each runs once.
    monkeypatch.setenv("PYTHONPATH", _pythonpath())
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makeini(INI.format(mode=mode))
    pytester.makepyfile(test_user=USER_TESTS)
    # A subprocess: pytest-asyncio must not leak into this test session.
    result = pytester.runpytest_subprocess("-p", "asyncio", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    # Both plugins are really active: pytest-asyncio reports its mode.
    result.stdout.fnmatch_lines(
        ["plugins: *asyncio-*", f"asyncio: mode=*{mode.upper()}*"]
    )


def test_without_pytest_asyncio_the_plugin_runs_everything(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makeini("[pytest]\nfilterwarnings = error\nmarkers = asyncio\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:asyncio", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
