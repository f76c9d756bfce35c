"""Compare this package with aiohttp 3.14.5, side by side, and print one table.

Both sides run the same ``app.py``: ours with the interpreter running this
script (the project's ``.venv``), aiohttp's from ``benchmarks/.venv-ref``,
which is created on first use. Servers are pinned to one CPU and the load
generator (wrk, or ``loadgen.py`` when wrk is missing) to another; rounds
alternate ours, aiohttp, ours, ... and the table shows medians, the ratio
ours / aiohttp and the target of issue 8.

    python benchmarks/run.py [--duration 2] [--rounds 5] [--only hello,import]
    python benchmarks/run.py --no-reference --only hello --duration 1

Exits non-zero when a run reported errors (socket errors, non-2xx answers, a
server that did not stop cleanly); n/a cells alone are not errors.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _extras import NA, idle_connections_rss, import_seconds, probe_seconds
from _load import WORKLOADS, Workload, check, drive
from _procs import HERE, Server, cpu_seconds, pick_cpus, raise_fd_limit
from _refenv import ensure_reference, has_module
from _table import OURS, THEIRS, Row, print_table, write_json

__all__ = ("main",)

HTTP = tuple(w.name for w in WORKLOADS)
EXTRAS = ("testclient", "client", "memory", "import")
LOOPS = ("asyncio", "uvloop")
IDLE_CONNECTIONS = 1000
CLIENT_REQUESTS = 10_000
CLIENT_TASKS = 64


class Bench:
    """One comparison run: the options, both interpreters and the rows so far."""

    def __init__(self, args: argparse.Namespace, pythons: dict[str, str]) -> None:
        self.args = args
        self.pythons = pythons
        self.app = HERE / "app.py"
        self.server_cpu, self.load_cpu = pick_cpus(args.no_pin)
        self.rows: list[Row] = []
        self.problems: list[str] = []
        # Busy % of servers that did not saturate their CPU (req/s < req/CPU-s).
        self.idle: list[int] = []

    def log(self, message: str) -> None:
        """Progress goes to stderr, so stdout holds only the table."""
        print(message, file=sys.stderr, flush=True)

    def row(self, label: str, unit: str, goal: float, higher: bool) -> Row:
        """Add a row to the table."""
        self.rows.append(row := Row(label, unit, goal, higher))
        return row

    def interleave(
        self, rows: list[Row], times: int, sample: Callable[[str], list[float]]
    ) -> None:
        """``times`` times, one sample of each side in turn, into ``rows``.

        A first sample of each side is thrown away: it pays for writing
        byte-code caches and filling the OS's file cache.
        """
        for i in range(times + 1):
            for side, python in self.pythons.items():
                if side in rows[0].na:
                    continue
                try:
                    values = sample(python)
                except (NA, RuntimeError) as exc:
                    for row in rows:
                        row.na[side] = str(exc)
                    continue
                for row, value in zip(rows, values, strict=True):
                    if i:
                        row.add(side, value)


def _http_rows(bench: Bench, loop: str, workloads: list[Workload]) -> None:
    """Throughput and p99 of every workload on ``loop``, both sides."""
    args = bench.args
    goal = 1.5 if loop == "asyncio" else 1.3
    tool = "wrk" if args.use_wrk else "loadgen.py"
    extra = ("--uvloop",) if loop == "uvloop" else ()
    servers: dict[str, Server] = {}
    rows = {}
    for w in workloads:
        rows[w.name] = (
            bench.row(f"{w.label}, {loop}", "req/s", goal, True),
            bench.row("  per server CPU-second", "req/CPU-s", goal, True),
            bench.row("  p99 latency", "ms", 1.0, False),
        )
    try:
        for side, python in bench.pythons.items():
            why = ""
            if loop == "uvloop" and not has_module(python, "uvloop"):
                why = f"uvloop is not installed for {python} (make bench installs it)"
            else:
                server = Server(python, bench.app, bench.server_cpu, extra)
                try:
                    server.start()
                    servers[side] = server
                except RuntimeError as exc:
                    why = str(exc)
            if why:
                for pair in rows.values():
                    for row in pair:
                        row.na[side] = why
        for w in workloads:
            bench.log(f"{w.label}, {loop}: {tool}, {args.rounds} rounds")
            _measure_workload(bench, servers, w, tool, rows[w.name])
    finally:
        for side, server in servers.items():
            server.stop()
            if server.problem:
                bench.problems.append(f"{side} server ({loop}): {server.problem}")


def _measure_workload(
    bench: Bench,
    servers: dict[str, Server],
    workload: Workload,
    tool: str,
    rows: tuple[Row, Row, Row],
) -> None:
    """Check, warm up, then measure ``workload`` on each server, interleaved."""
    args = bench.args
    ready = {}
    for side, server in servers.items():
        try:
            check(server.url, workload)
        except (OSError, RuntimeError) as exc:
            for row in rows:
                row.na[side] = f"wrong answer: {exc}"
            continue
        if args.warmup:
            drive(
                tool,
                server.url,
                workload,
                args.connections,
                args.warmup,
                bench.load_cpu,
            )
        ready[side] = server
    for _ in range(args.rounds):
        for side, server in ready.items():
            cpu = cpu_seconds(server.pid)
            result = drive(
                tool,
                server.url,
                workload,
                args.connections,
                args.duration,
                bench.load_cpu,
            )
            cpu = cpu_seconds(server.pid) - cpu
            rows[0].add(side, result.rps)
            if cpu > 0:
                rows[1].add(side, result.requests / cpu)
            if result.p99_ms is not None:
                rows[2].add(side, result.p99_ms)
    for side in ready:
        rps, per_cpu = rows[0].median(side), rows[1].median(side)
        if rps and per_cpu and rps < 0.85 * per_cpu:
            bench.idle.append(round(100 * rps / per_cpu))
            if result.problems:
                bench.problems.append(f"{side} {workload.label}: {result.problems}")


def _client_rows(bench: Bench) -> None:
    """Client throughput: both clients against one and the same server."""
    row = bench.row(
        f"client: {CLIENT_REQUESTS:,} GETs, {CLIENT_TASKS} tasks", "req/s", 1.3, True
    )
    # The fastest server at hand (aiohttp on uvloop), so the clients are what
    # limits the rate; ours when there is no reference.
    python = bench.pythons.get(THEIRS, bench.pythons[OURS])
    extra = ("--uvloop",) if has_module(python, "uvloop") else ()
    server = Server(python, bench.app, bench.server_cpu, extra)
    server_name = f"{'aiohttp' if THEIRS in bench.pythons else 'our'} app.py"
    bench.log(f"client throughput against {server_name} {' '.join(extra)}")
    with server:
        probe = ["client", server.url + "/", "--requests", str(CLIENT_REQUESTS)]
        probe += ["--concurrency", str(CLIENT_TASKS)]

        def sample(py: str) -> list[float]:
            return [CLIENT_REQUESTS / probe_seconds(py, probe, bench.load_cpu)]

        bench.interleave([row], bench.args.rounds, sample)
    if server.problem:
        bench.problems.append(f"client benchmark server: {server.problem}")


def _extra_rows(bench: Bench, names: list[str]) -> None:
    """The measures that are not HTTP throughput, each interleaved."""
    cpu = bench.server_cpu
    if "testclient" in names:
        row = bench.row("TestClient start + GET + close", "ms", 0.5, False)
        bench.log("TestClient round trips")
        bench.interleave(
            [row],
            bench.args.runs,
            lambda py: [probe_seconds(py, ["testclient"], cpu) * 1000],
        )
    if "client" in names:
        _client_rows(bench)
    if "memory" in names:
        base = bench.row("RSS, server after 1 request", "MiB", 1.0, False)
        loaded = bench.row(
            f"RSS, {IDLE_CONNECTIONS:,} idle keep-alive", "MiB", 1, False
        )
        bench.log(f"memory with {IDLE_CONNECTIONS} idle connections")

        def memory(py: str) -> list[float]:
            before, after, problem = idle_connections_rss(
                py, bench.app, cpu, IDLE_CONNECTIONS
            )
            if problem:
                bench.problems.append(f"memory server: {problem}")
            return [before, after]

        bench.interleave([base, loaded], bench.args.rounds, memory)
    if "import" in names:
        row = bench.row('python -c "import aiohttp.web"', "ms", 1.0, False)
        bench.log("import time")
        bench.interleave(
            [row], bench.args.runs, lambda py: [import_seconds(py, cpu) * 1000]
        )


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=f"--only names: {', '.join(HTTP + EXTRAS)}",
    )
    add = parser.add_argument
    add("-d", "--duration", type=float, default=2.0, help="seconds per HTTP round")
    add("-r", "--rounds", type=int, default=5, help="HTTP, client, memory rounds")
    add("--runs", type=int, default=11, help="TestClient and import samples a side")
    add("-c", "--connections", type=int, default=64)
    add("--warmup", type=float, default=1.0, help="unmeasured load per server first")
    add("--only", default="", help="comma-separated subset of the measures")
    add("--loops", default="asyncio,uvloop", help="event loops for the HTTP rows")
    add("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    add("--reference-python", help="interpreter with aiohttp (default: .venv-ref)")
    add("--no-reference", action="store_true", help="measure only ours")
    add("--no-pin", action="store_true", help="do not pin CPUs")
    add("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0:
        parser.error("--duration must be positive and --warmup not negative")
    if min(args.rounds, args.runs, args.connections) < 1:
        parser.error("--rounds, --runs and --connections must be at least 1")
    args.only = [name for name in args.only.split(",") if name] or [*HTTP, *EXTRAS]
    if unknown := set(args.only) - set(HTTP + EXTRAS):
        parser.error(f"--only: unknown {sorted(unknown)}; use {HTTP + EXTRAS}")
    args.loops = [name for name in args.loops.split(",") if name]
    if unknown := set(args.loops) - set(LOOPS):
        parser.error(f"--loops: unknown {sorted(unknown)}; use {LOOPS}")
    if args.loadgen == "wrk" and shutil.which("wrk") is None:
        parser.error("--loadgen wrk: wrk is not on PATH (apt-get install wrk)")
    args.use_wrk = args.loadgen == "wrk" or (
        args.loadgen == "auto" and shutil.which("wrk") is not None
    )
    return args


def _title(bench: Bench, seconds: float) -> str:
    args = bench.args
    tool = "wrk -t1" if args.use_wrk else "loadgen.py"
    pins = (
        "not pinned"
        if bench.server_cpu is None
        else f"servers on CPU {bench.server_cpu}, load on CPU {bench.load_cpu}"
    )
    versus = " vs aiohttp 3.14.5" if THEIRS in bench.pythons else ""
    return (
        f"ours{versus}, Python {platform.python_version()}; {tool}, "
        f"{args.connections} keep-alive connections, {args.duration:g}s x "
        f"{args.rounds} rounds (medians); {args.runs} runs for TestClient and "
        f"import; {pins}; took {seconds:.0f}s"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen measures and print the table; non-zero on errors."""
    args = _parse_args(argv)
    start = time.monotonic()
    pythons = {OURS: sys.executable}
    if not args.no_reference:
        pythons[THEIRS] = args.reference_python or ensure_reference()
    raise_fd_limit(IDLE_CONNECTIONS * 2 + 256)
    bench = Bench(args, pythons)
    workloads = [w for w in WORKLOADS if w.name in args.only]
    if workloads:
        for loop in args.loops:
            _http_rows(bench, loop, workloads)
    _extra_rows(bench, [name for name in EXTRAS if name in args.only])
    title = _title(bench, time.monotonic() - start)
    print_table(bench.rows, title)
    if bench.idle:
        print(
            f"note: in {len(bench.idle)} server runs the server ran only "
            f"{min(bench.idle)}-{max(bench.idle)}% of the time: other work on "
            "the machine held its CPU or the load generator's; the "
            "per-CPU-second rows compare better then"
        )
    for problem in bench.problems:
        print(f"warning: {problem}")
    if args.json:
        write_json(bench.rows, args.json, {"title": title, "problems": bench.problems})
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
