"""Import every module of the package on its own, in a fresh interpreter.

An import cycle often hides when the test process has already imported the
modules in a lucky order; it shows when a user's first import is the module in
the middle of the cycle ("partially initialized module"). So each module gets
its own interpreter, with ``-W error`` so an import-time warning fails too.

Interpreter start-up dominates the cost, so all subprocesses are launched at
once by a module-scoped fixture, a bounded number at a time, and each
parametrized test only collects its own result.
"""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0

# Modules that need a third-party package which is optional for us: module ->
# the package it needs. They are skipped when that package is missing.
OPTIONAL_DEPENDENCIES = {
    "aiohttp.worker": "gunicorn",
}


def _modules() -> list[str]:
    names = ["aiohttp"]
    for info in pkgutil.walk_packages(aiohttp.__path__, "aiohttp."):
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def _import_in_fresh_interpreter(module: str) -> subprocess.CompletedProcess[str]:
    # cwd is the checkout and "-c" puts cwd first on sys.path, so this imports
    # the same package the tests import, whether or not it is installed.
    return subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "import importlib, sys; importlib.import_module(sys.argv[1])",
            module,
        ],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def imports() -> Iterator[dict[str, Future[subprocess.CompletedProcess[str]]]]:
    """Start every import at once; tests wait only for their own module."""
    wanted = [m for m in MODULES if _missing_dependency(m) is None]
    workers = min(len(wanted), 2 * (os.cpu_count() or 1), 16) or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield {m: pool.submit(_import_in_fresh_interpreter, m) for m in wanted}


def _missing_dependency(module: str) -> str | None:
    needed = OPTIONAL_DEPENDENCIES.get(module)
    if needed is not None and importlib.util.find_spec(needed) is None:
        return needed
    return None


def test_modules_found() -> None:
    # A broken discovery would otherwise pass with an empty parametrization.
    assert "aiohttp" in MODULES
    assert len(MODULES) > 1


@pytest.mark.parametrize("module", MODULES)
def test_imports_alone(
    module: str,
    imports: dict[str, Future[subprocess.CompletedProcess[str]]],
) -> None:
    missing = _missing_dependency(module)
    if missing is not None:
        pytest.skip(f"{module} needs {missing}, which is not installed")
    proc = imports[module].result()
    assert proc.returncode == 0, (
        f"'import {module}' failed in a fresh interpreter:\n{proc.stderr}"
    )
    assert proc.stderr == "", f"'import {module}' wrote to stderr:\n{proc.stderr}"
