"""Run every script in examples/ the way a user would, and check what it prints.

Each example runs in its own interpreter (the one running the tests, so it sees
the same installed packages) with ``-W error``, from the repository root, with a
timeout. An example must exit 0, write nothing to stderr (a stray warning or an
"Exception ignored" message is a bug), and print lines matching the patterns
listed for it below. A new example needs an entry in ``EXPECTED``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
TIMEOUT = 30.0

# Example file name -> regular expressions that must each match somewhere in its
# standard output (re.MULTILINE: ^ and $ match at line boundaries).
EXPECTED: dict[str, list[str]] = {
    # The port printed by "Serving on" is a real, non-zero port, and it is the
    # one the request reached (the back-reference).
    "server_port0.py": [
        r"^server_port0: Serving on http://127\.0\.0\.1:(?P<port>[1-9]\d{0,4})\n"
        r"aiohttp\.access: 127\.0\.0\.1 \"GET /demo HTTP/1\.1\" 200 \d+ "
        r"Host=127\.0\.0\.1:(?P=port)\n"
        r"GET http://127\.0\.0\.1:(?P=port)/demo -> 200 'Hello from /demo'$",
    ],
    # Startup and cleanup contexts run around serving, and every feature the
    # application combines answers as expected.
    "web_app.py": [
        r"^startup: notes store opened\nServing on http://127\.0\.0\.1:[1-9]\d{0,4}$",
        r"^cleanup: notes store closed$",
        *(
            rf"^{what}: (200|404) ok$"
            for what in (
                "route",
                "dynamic",
                "middleware",
                "upload",
                "uploaded",
                "subapp",
                "static",
                "traversal",
            )
        ),
    ],
    # The fake API is reached at its public name through the fake resolver,
    # over TLS verified against the example CA.
    "fake_server.py": [
        r"^fake api\.example\.com serving on https://127\.0\.0\.1:[1-9]\d{0,4}$",
        r"^forecast for paris: sunny, sunny\n"
        r"anonymous /v1/me: 401\n"
        r"authorized /v1/me: 200 demo$",
    ],
    "two_servers.py": [
        r"^backend on http://127\.0\.0\.1:[1-9]\d{0,4}, "
        r"frontend on http://127\.0\.0\.1:[1-9]\d{0,4}$",
        r"^200 Hello, Ada!\n200 Hello, Grace!\n404 who\?$",
    ],
    # The URL in the banner has the real port, and it is the one that answers.
    "run_app_port0.py": [
        r"^======== Running on (?P<url>http://127\.0\.0\.1:[1-9]\d{0,4}) ========\n"
        r"\(Press CTRL\+C to quit\)\n"
        r"self-test: GET (?P=url) -> 200 'Hello from run_app'\n"
        r"stopped$",
    ],
    # The module runs itself under pytest with the plugin.
    "test_with_aiohttp_client.py": [r"^3 passed in "],
}

# Command-line arguments for examples that need them to finish on their own.
ARGS: dict[str, list[str]] = {"run_app_port0.py": ["--self-test"]}


def _env() -> dict[str, str]:
    # Put the checkout first on the path so the examples import the same
    # aiohttp package as the tests, installed or not.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


def _examples() -> list[str]:
    return sorted(p.name for p in EXAMPLES_DIR.glob("*.py"))


def test_examples_found() -> None:
    # Guards against a silently empty parametrization (e.g. a moved directory).
    assert "server_port0.py" in _examples()


def test_every_expectation_has_an_example() -> None:
    stale = sorted(set(EXPECTED) - set(_examples()))
    assert not stale, f"EXPECTED lists examples that no longer exist: {stale}"


@pytest.mark.parametrize("name", _examples())
def test_example_runs(name: str) -> None:
    patterns = EXPECTED.get(name)
    assert patterns is not None, (
        f"examples/{name} has no expected output: add an entry for it to "
        f"EXPECTED in {Path(__file__).name}"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES_DIR / name), *ARGS.get(name, [])],
        cwd=ROOT,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 0, report
    assert proc.stderr == "", report
    for pattern in patterns:
        assert re.search(pattern, proc.stdout, re.MULTILINE), (
            f"output does not match {pattern!r}\n{report}"
        )
