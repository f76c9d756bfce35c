"""Smoke tests of the benchmark harness in benchmarks/: it runs and reports.

They drive our own package only (``--no-reference``), for a second, so the
harness cannot rot unnoticed; they assert nothing about speed.
"""

from __future__ import annotations

import http.client
import importlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _bench_module(name: str) -> Iterator[Any]:
    """benchmarks/<name>.py, imported the way run.py imports its parts."""
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
        sys.modules.pop(name, None)


@pytest.fixture
def table_module() -> Iterator[Any]:
    yield from _bench_module("_table")


@pytest.fixture
def instructions_module() -> Iterator[Any]:
    yield from _bench_module("instructions")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--no-reference", "--no-pin", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_http_workloads_with_python_loadgen() -> None:
    proc = _run(
        "--only=hello,echo",
        "--loops=asyncio",
        "--loadgen=python",
        "--duration=0.5",
        "--rounds=1",
        "--warmup=0",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "GET / text, asyncio" in proc.stdout
    assert "POST /echo 1 KiB, asyncio" in proc.stdout
    assert "p99 latency" in proc.stdout


def test_subprocess_probes() -> None:
    proc = _run("--only=testclient,import", "--runs=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "TestClient start + GET + close" in proc.stdout
    assert 'python -c "import aiohttp.web"' in proc.stdout


def test_unknown_measure_is_named() -> None:
    proc = _run("--only=hello,nope")
    assert proc.returncode == 2
    assert "--only: unknown ['nope']" in proc.stderr


def test_row_ratio_and_target(table_module: Any) -> None:
    row = table_module.Row("GET /", "req/s", 1.5, True)
    assert row.ratio() is None
    assert row.cell("ours") == "n/a"
    for value in (10.0, 30.0, 20.0):
        row.add("ours", value)
        row.add("aiohttp", value / 2)
    assert row.median("ours") == 20.0
    assert row.ratio() == 2.0
    assert (row.target, row.met()) == (">= 1.5x", "yes")
    latency = table_module.Row("p99", "ms", 1.0, False)
    latency.add("ours", 3.0)
    latency.add("aiohttp", 2.0)
    assert (latency.target, latency.met()) == ("<= 1x", "NO")


def test_bare_protocol_answers_every_read() -> None:
    # The floor the README quotes: it must serve wrk-style keep-alive GETs.
    with subprocess.Popen(
        [sys.executable, str(BENCH / "bare_protocol.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        _serve_three_gets(proc)


def _serve_three_gets(proc: subprocess.Popen[str]) -> None:
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving on http://127.0.0.1:"), line
        conn = http.client.HTTPConnection("127.0.0.1", int(line.rsplit(":", 1)[1]))
        for _ in range(3):  # one connection, kept alive
            conn.request("GET", "/")
            resp = conn.getresponse()
            assert (resp.status, resp.read()) == (200, b"Hello, World!")
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_instructions_reads_cachegrind_summary(instructions_module: Any) -> None:
    report = "==1== \n==1== I   refs:      1,789,920,424\n"
    assert instructions_module.parse_total(report) == 1_789_920_424
    with pytest.raises(ValueError, match="no 'I refs' total"):
        instructions_module.parse_total("==1== killed\n")
    with pytest.raises(ValueError, match="need 0 < low < high"):
        instructions_module.instructions_per_request(sys.executable, "hello", 5, 5)


@pytest.mark.skipif(
    subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0,
    reason="valgrind is not installed",
)
def test_instructions_counts_a_workload(instructions_module: Any) -> None:
    # Small round counts: the slope is rough but must be a plausible number
    # of instructions for one request (tens of thousands, not zero).
    count = instructions_module.instructions_per_request(
        sys.executable, "hello", low=2, high=6
    )
    assert 10_000 < count < 1_000_000
