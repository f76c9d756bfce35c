"""The HTTP workloads and the load generators that drive them.

A workload is one request shape against ``app.py``; :func:`check` sends it once
and verifies the answer (a broken handler must fail loudly, not look fast), and
:func:`drive` runs wrk, or ``loadgen.py`` when wrk is missing, for a while.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

from _procs import HERE, pin

__all__ = ("ECHO_SIZE", "WORKLOADS", "LoadResult", "Workload", "check", "drive")

ECHO_SIZE = 1024


@dataclass(frozen=True)
class Workload:
    """One request shape: what to send and what a right answer contains."""

    name: str
    label: str
    path: str
    expect: bytes
    method: str = "GET"
    body_size: int = 0


WORKLOADS = (
    Workload("hello", "GET / text", "/", b"Hello, World!"),
    Workload("json", "GET /json", "/json", b'"message": "Hello, World!"'),
    Workload("users", "GET /users/{name}?page=3", "/users/alice?page=3", b"page 3"),
    Workload("echo", "POST /echo 1 KiB", "/echo", b"x" * ECHO_SIZE, "POST", ECHO_SIZE),
)


@dataclass
class LoadResult:
    """What one load run measured."""

    rps: float
    p99_ms: float | None
    requests: int
    problems: str = ""


def check(base: str, workload: Workload) -> None:
    """Send the workload's request once; raise if the answer is not right."""
    data = b"x" * workload.body_size if workload.method == "POST" else None
    request = urllib.request.Request(
        base + workload.path, data=data, method=workload.method
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        status, body = response.status, response.read()
    if status != 200 or workload.expect not in body:
        raise RuntimeError(
            f"{workload.method} {workload.path} answered {status} {body[:200]!r}; "
            f"expected 200 with {workload.expect[:40]!r}"
        )
    if workload.name == "json":
        json.loads(body)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _run_wrk(
    url: str, workload: Workload, connections: int, duration: float, cpu: int | None
) -> LoadResult:
    """Run wrk with one thread (a Lua script makes the POST)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    if workload.method == "POST":
        cmd += ["-s", str(HERE / "post.lua")]
    cmd += ["--latency", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=pin(cpu))
    out = proc.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"^\s*(\d+) requests in", out, re.MULTILINE)
    if proc.returncode != 0 or rps is None or count is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out}{proc.stderr}")
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    problems = [
        line.strip()
        for line in out.splitlines()
        if line.strip().startswith(("Socket errors", "Non-2xx"))
    ]
    return LoadResult(
        float(rps.group(1)),
        None if p99 is None else float(p99.group(1)) * _UNITS[p99.group(2)],
        int(count.group(1)),
        "; ".join(problems),
    )


def _run_loadgen(
    url: str, workload: Workload, connections: int, duration: float, cpu: int | None
) -> LoadResult:
    """Run our loadgen.py, with this interpreter."""
    cmd = [sys.executable, str(HERE / "loadgen.py"), url, "--json"]
    cmd += ["-c", str(connections), "-d", str(duration), "--method", workload.method]
    cmd += ["--body-size", str(workload.body_size)]
    proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=pin(cpu))
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError(f"loadgen.py failed:\n{proc.stdout}{proc.stderr}")
    problems = [f"{k} {data[k]}" for k in ("non_2xx", "errors") if data[k]]
    return LoadResult(
        float(data["requests_per_second"]),
        data["p99_ms"],
        int(data["requests"]),
        "; ".join(problems),
    )


def drive(
    tool: str,
    base: str,
    workload: Workload,
    connections: int,
    duration: float,
    cpu: int | None,
) -> LoadResult:
    """Load ``base`` with ``workload`` for ``duration`` seconds using ``tool``."""
    run = _run_wrk if tool == "wrk" else _run_loadgen
    return run(base + workload.path, workload, connections, duration, cpu)
