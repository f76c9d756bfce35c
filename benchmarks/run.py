"""Measure the benchmark app under load and print a small table.

Starts the app (``app_lowlevel.py`` by default) pinned to one CPU, waits for the
URL it prints, drives it with ``wrk`` pinned to another CPU (or with our own
``loadgen.py`` when wrk is not installed), stops the app and prints requests/s
and, when the load generator reports it, the 99th percentile latency.

    python benchmarks/run.py [--duration 10] [--connections 64] [--loadgen python]

``--app-python`` runs the app with another interpreter, e.g. that of a separate
virtualenv holding aiohttp itself, for a side-by-side comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ("Result", "main")

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# (name, request path) of each workload; the low-level app answers any path alike.
WORKLOADS = [("hello-world, low-level Server", "/")]


@dataclass
class Result:
    """What one load run measured."""

    workload: str
    tool: str
    rps: float
    p99_ms: float | None
    problems: str = ""


def _pin(cpu: int | None) -> Callable[[], None] | None:
    """A preexec_fn pinning the child to ``cpu``, or None when not pinning."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def _pick_cpus(no_pin: bool) -> tuple[int | None, int | None]:
    """Two distinct CPUs for app and load generator, when the OS can pin."""
    if no_pin or not hasattr(os, "sched_setaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print("note: fewer than 2 CPUs available, not pinning", file=sys.stderr)
        return None, None
    return cpus[0], cpus[1]


def _start_app(
    python: str, app: Path, cpu: int | None
) -> tuple[subprocess.Popen[str], str]:
    """Start the app on port 0 and return it with the URL it printed."""
    proc = subprocess.Popen(
        [python, str(app), "--host", "127.0.0.1", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_pin(cpu),
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0 and sel.select(left):
            line = proc.stdout.readline()
            if not line:  # stdout closed: the app is exiting
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    pass
                break
            match = re.match(r"Serving on (http://\S+)", line)
            if match:
                return proc, match.group(1)
    if proc.poll() is None:
        _stop_app(proc)
        why = f"within {START_TIMEOUT:.0f}s"
    else:
        why = f"before it exited with code {proc.returncode}"
    raise SystemExit(
        f"{app.name} did not print 'Serving on <url>' {why}; "
        f"run '{python} {app} --port 0' to see why"
    )


def _stop_app(proc: subprocess.Popen[str]) -> str:
    """SIGINT the app and wait; returns a problem description or ''."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return f"app did not stop within {STOP_TIMEOUT:.0f}s of SIGINT"
    if proc.returncode != 0:
        return f"app exited with code {proc.returncode}"
    return ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _run_wrk(
    url: str, connections: int, duration: float, cpu: int | None
) -> tuple[float, float | None, str]:
    """Run wrk with one thread; returns requests/s, p99 in ms, problems."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    cmd += ["--latency", url]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, preexec_fn=_pin(cpu)
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise SystemExit(f"could not read requests/s from wrk's output:\n{out}")
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    problems = [
        line.strip()
        for line in out.splitlines()
        if line.strip().startswith(("Socket errors", "Non-2xx"))
    ]
    return (
        float(rps.group(1)),
        None if p99 is None else float(p99.group(1)) * _UNITS[p99.group(2)],
        "; ".join(problems),
    )


def _run_loadgen(
    url: str, connections: int, duration: float, cpu: int | None
) -> tuple[float, float | None, str]:
    """Run our loadgen.py; returns requests/s, p99 in ms, problems."""
    cmd = [sys.executable, str(HERE / "loadgen.py"), url, "--json"]
    cmd += ["-c", str(connections), "-d", str(duration)]
    proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_pin(cpu))
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(f"loadgen.py failed:\n{proc.stdout}{proc.stderr}")
    problems = [f"{k} {data[k]}" for k in ("non_2xx", "errors") if data[k]]
    return float(data["requests_per_second"]), data["p99_ms"], "; ".join(problems)


def _print_table(results: list[Result], connections: int, duration: float) -> None:
    header = ("workload", "load generator", "requests/s", "p99 latency")
    rows = [
        (
            r.workload,
            r.tool,
            f"{r.rps:,.0f}",
            "n/a" if r.p99_ms is None else f"{r.p99_ms:.2f} ms",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    print(f"\n{connections} connections, {duration:g}s per workload, keep-alive")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    for r in results:
        if r.problems:
            print(f"warning ({r.workload}): {r.problems}")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("-c", "--connections", type=int, default=64)
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of unmeasured load first"
    )
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="auto: wrk when on PATH, else loadgen.py",
    )
    parser.add_argument(
        "--app", type=Path, default=HERE / "app_lowlevel.py", help="server script"
    )
    parser.add_argument(
        "--app-python", default=sys.executable, help="interpreter for the app"
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin CPUs")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0:
        parser.error("--duration must be positive and --warmup not negative")
    if args.connections < 1:
        parser.error(f"--connections must be at least 1, got {args.connections}")
    if args.loadgen == "wrk" and shutil.which("wrk") is None:
        parser.error("--loadgen wrk: wrk is not on PATH (apt-get install wrk)")
    if not args.app.is_file():
        parser.error(f"--app: no such file {args.app}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every workload and print the table; non-zero if a run had problems."""
    args = _parse_args(argv)
    use_wrk = args.loadgen == "wrk" or (
        args.loadgen == "auto" and shutil.which("wrk") is not None
    )
    tool, drive = ("wrk", _run_wrk) if use_wrk else ("loadgen.py", _run_loadgen)
    app_cpu, load_cpu = _pick_cpus(args.no_pin)
    results = []
    for workload, path in WORKLOADS:
        proc, base = _start_app(args.app_python, args.app, app_cpu)
        print(f"{workload}: {args.app.name} on {base} (CPU {app_cpu}),", end=" ")
        print(f"load from {tool} (CPU {load_cpu})", flush=True)
        try:
            url = base.rstrip("/") + path
            if args.warmup:
                drive(url, args.connections, args.warmup, load_cpu)
            rps, p99, problems = drive(url, args.connections, args.duration, load_cpu)
        finally:
            stopped = _stop_app(proc)
        problems = "; ".join(p for p in (problems, stopped) if p)
        results.append(Result(workload, tool, rps, p99, problems))
    _print_table(results, args.connections, args.duration)
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
