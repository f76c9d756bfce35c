"""Machine instructions per request, counted by valgrind: a measure without noise.

Timings on a shared virtual machine move by 5-15 % between runs, which hides
the effect of most single optimisations. This script runs ``inproc.py`` (the
framework behind a fake transport, no sockets) under valgrind's cachegrind
twice, with two round counts, and divides the difference in instructions by
the difference in requests: start-up and imports cancel out. With the hash
seed fixed (``PYTHONHASHSEED=0`` for the child), the count repeats to within
a few hundred instructions from run to run.

    .venv/bin/python benchmarks/instructions.py [--only hello,users]
    benchmarks/.venv-ref/bin/python benchmarks/instructions.py   # aiohttp

Needs ``valgrind`` on the PATH (``apt-get install valgrind``). Fewer
instructions is not always less time (cache misses and branches count too),
so confirm a gain with ``run.py`` before keeping it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

__all__ = ("instructions_per_request", "main", "parse_total")

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = 64
_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def parse_total(report: str) -> int:
    """The instruction total from cachegrind's summary on stderr."""
    match = _TOTAL.search(report)
    if match is None:
        raise ValueError(f"no 'I refs' total in valgrind's output: {report[-500:]!r}")
    return int(match.group(1).replace(",", ""))


def _count(python: str, workload: str, rounds: int) -> int:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        python,
        os.path.join(HERE, "inproc.py"),
        "--only",
        workload,
        "--rounds",
        str(rounds),
        "--repeat",
        "1",
        "--connections",
        str(CONNECTIONS),
    ]
    # A fixed hash seed: with a random one, dict layouts (and so the count)
    # differ from run to run by a few tenths of a per cent.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return parse_total(done.stderr)


def instructions_per_request(
    python: str, workload: str, low: int = 20, high: int = 120
) -> float:
    """Instructions per request of ``workload``: the slope between two runs."""
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low} high={high}")
    extra = _count(python, workload, high) - _count(python, workload, low)
    return extra / ((high - low) * CONNECTIONS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="hello,json,users,echo")
    parser.add_argument("--low", type=int, default=20, help="rounds, first run")
    parser.add_argument("--high", type=int, default=120, help="rounds, second run")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    for workload in args.only.split(","):
        count = instructions_per_request(sys.executable, workload, args.low, args.high)
        print(f"{workload:8} {count:10,.0f} instructions/request", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
