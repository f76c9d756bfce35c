"""The top-level aiohttp namespace: every name resolves, lazily."""

import subprocess
import sys

import pytest

import aiohttp


@pytest.mark.parametrize("name", aiohttp.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(aiohttp, name) is not None


def test_unknown_name() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        aiohttp.Nope  # noqa: B018


def test_dir_lists_lazy_names() -> None:
    assert "ClientSession" in dir(aiohttp)


def test_import_does_not_load_the_client() -> None:
    code = (
        "import sys, aiohttp; "
        "assert 'aiohttp.client' not in sys.modules; "
        "aiohttp.ClientSession; "
        "assert 'aiohttp.client' in sys.modules"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_star_import() -> None:
    namespace: dict[str, object] = {}
    exec("from aiohttp import *", namespace)
    assert namespace["ClientSession"] is aiohttp.ClientSession
    assert namespace["hdrs"] is aiohttp.hdrs
