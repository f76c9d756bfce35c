"""Profile our server under load: where does the time of one request go?

For each workload it starts ``app.py`` (this interpreter, so our package),
drives it with the same load as ``run.py`` and reports the functions holding
the most time, inclusive and self, as a share of the busy samples:

- ``--tool py-spy`` (default) samples the running server from outside, with
  little overhead; py-spy comes from PATH or ``benchmarks/.venv-ref/bin``
  (``benchmarks/.venv-ref/bin/pip install py-spy``; never into ``.venv``);
- ``--tool cprofile`` runs the server under cProfile: exact call counts per
  request, but the overhead inflates small Python functions.

    python benchmarks/profile_server.py [--only hello,echo] [--seconds 8]

Raw profiles (py-spy's collapsed stacks, cProfile's .prof) land in ``--out``.
"""

from __future__ import annotations

import argparse
import collections
import io
import pstats
import shutil
import subprocess
import sys
from pathlib import Path

from _load import WORKLOADS, Workload, check, drive
from _procs import HERE, Server, pick_cpus

__all__ = ("main", "summarise_collapsed")


def _short(frame: str) -> str:
    """``func (path/to/aiohttp/mod.py:12)`` -> ``aiohttp/mod.py:func``."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("/aiohttp/", "/asyncio/", "/uvloop/", "/multidict/", "/yarl/"):
        if marker in path:
            path = marker.strip("/") + "/" + path.split(marker, 1)[1]
            break
    else:
        path = Path(path).name
    return f"{path}:{name}"


def summarise_collapsed(path: Path, top: int) -> str:
    """Top functions by inclusive and by self share of the main thread's samples."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_short(f) for f in stack.split(";") if f]
        # Worker threads (asyncio's resolver pool) sleep in a futex that
        # py-spy does not always see as idle: only the event loop counts.
        if not frames or frames[0].startswith("threading.py:"):
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "no samples (is the server idle, or py-spy not permitted?)"
    lines = [f"{total} samples", "", "inclusive %  self %  function"]
    for frame, n in inclusive.most_common(top):
        lines.append(
            f"{100 * n / total:10.1f}  {100 * own[frame] / total:6.1f}  {frame}"
        )
    lines += ["", "top self time", "self %  function"]
    for frame, n in own.most_common(top):
        lines.append(f"{100 * n / total:6.1f}  {frame}")
    return "\n".join(lines)


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(HERE / ".venv-ref" / "bin" / "py-spy")
    if not Path(found).exists():
        raise SystemExit(
            "py-spy not found: benchmarks/.venv-ref/bin/pip install py-spy "
            "(not into the project's .venv)"
        )
    return found


def _profile_one(args: argparse.Namespace, workload: Workload) -> str:
    """Load the server with ``workload`` while profiling; returns the report."""
    server_cpu, load_cpu = pick_cpus(args.no_pin)
    stem = args.out / f"{workload.name}{'-uvloop' if args.uvloop else ''}"
    extra = ("--uvloop",) if args.uvloop else ()
    # cProfile writes its file when the app exits after SIGINT.
    wrap = ("-m", "cProfile", "-o", f"{stem}.prof") if args.tool == "cprofile" else ()
    server = Server(sys.executable, HERE / "app.py", server_cpu, extra, wrap)
    with server:
        check(server.url, workload)
        drive(args.load, server.url, workload, 64, 1.0, load_cpu)
        spy = None
        if args.tool == "py-spy":
            cmd = [_py_spy(), "record", "-f", "raw", "-r", str(args.rate)]
            cmd += ["-d", str(args.seconds), "-p", str(server.pid)]
            spy = subprocess.Popen(
                [*cmd, "-o", f"{stem}.txt"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        load = drive(args.load, server.url, workload, 64, args.seconds + 1, load_cpu)
        if spy is not None and spy.wait() != 0:
            assert spy.stderr is not None
            raise SystemExit(f"py-spy failed: {spy.stderr.read()}")
    if server.problem:
        raise SystemExit(f"the server misbehaved: {server.problem}")
    head = f"== {workload.label}: {load.rps:,.0f} req/s while profiled"
    if args.tool == "py-spy":
        return head + "\n" + summarise_collapsed(Path(f"{stem}.txt"), args.top)
    return head + "\n" + _cprofile_report(Path(f"{stem}.prof"), args.top)


def _cprofile_report(path: Path, top: int) -> str:
    """cProfile's cumulative top list, with the number of requests handled."""
    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    handlers = {"hello", "json_hello", "user", "echo"}  # app.py's handlers
    requests = sum(
        calls
        for (filename, _, name), (calls, *_) in stats.stats.items()  # type: ignore[attr-defined]
        if name in handlers and filename.endswith("app.py")
    )
    stats.sort_stats("cumulative").print_stats(top)
    return f"{requests:,} requests handled\n{buf.getvalue()}"


def main(argv: list[str] | None = None) -> int:
    """Profile each chosen workload in turn and print the reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [w.name for w in WORKLOADS]
    parser.add_argument("--only", default=",".join(names), help="workloads")
    parser.add_argument("--tool", choices=("py-spy", "cprofile"), default="py-spy")
    parser.add_argument("--seconds", type=int, default=8, help="profiled load")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples/s")
    parser.add_argument("--top", type=int, default=30, help="functions listed")
    parser.add_argument("--uvloop", action="store_true", help="serve on uvloop")
    parser.add_argument("--no-pin", action="store_true", help="do not pin CPUs")
    parser.add_argument("--out", type=Path, default=Path("/tmp/aiohttp-profile"))
    args = parser.parse_args(argv)
    chosen = [w for w in WORKLOADS if w.name in args.only.split(",")]
    if not chosen or args.seconds < 1:
        parser.error(f"--only: choose from {names}; --seconds at least 1")
    args.load = "wrk" if shutil.which("wrk") else "python"
    args.out.mkdir(parents=True, exist_ok=True)
    for workload in chosen:
        print(_profile_one(args, workload), end="\n\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
