"""Starting, pinning, measuring and stopping the benchmark's child processes.

Shared by ``run.py`` and its measurement modules. Every child runs from a
neutral working directory with ``PYTHONPATH`` removed (and byte-code caching
on, see :func:`child_env`), so an interpreter of the
reference virtualenv imports *its* aiohttp, never the checkout's ``aiohttp/``
that would otherwise shadow it from the current directory.
"""

from __future__ import annotations

import os
import re
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = (
    "HERE",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "Server",
    "child_env",
    "cpu_seconds",
    "neutral_cwd",
    "pick_cpus",
    "pin",
    "raise_fd_limit",
    "rss_kib",
)

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_NEUTRAL = tempfile.gettempdir()


def neutral_cwd() -> str:
    """A working directory holding no ``aiohttp`` package to shadow the real one."""
    return _NEUTRAL


def child_env() -> dict[str, str]:
    """The environment for children: ours without PYTHONPATH.

    PYTHONDONTWRITEBYTECODE goes too: aiohttp's wheel comes with byte-code
    compiled at install, so our package must not be recompiled from source at
    every start, or import and start-up times would compare unlike with like.
    """
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def pin(cpu: int | None) -> Callable[[], None] | None:
    """A preexec_fn pinning the child to ``cpu``, or None when not pinning."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def pick_cpus(no_pin: bool) -> tuple[int | None, int | None]:
    """Two distinct CPUs for server and load generator, when the OS can pin."""
    if no_pin or not hasattr(os, "sched_setaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print("note: fewer than 2 CPUs available, not pinning", file=sys.stderr)
        return None, None
    return cpus[0], cpus[1]


def raise_fd_limit(needed: int) -> None:
    """Lift the soft open-file limit (inherited by children) to ``needed``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time process ``pid`` has used, from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces: count from after its ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Resident set size of process ``pid`` in KiB, read from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no VmRSS line in /proc/{pid}/status")
    return int(match.group(1))


class Server:
    """One benchmark app process: started on port 0, its URL read from stdout.

    Use as a context manager; leaving it sends SIGINT and waits, and
    :attr:`problem` then says whether the app stopped cleanly.
    """

    def __init__(
        self,
        python: str,
        app: Path,
        cpu: int | None,
        extra: tuple[str, ...] = (),
        python_args: tuple[str, ...] = (),
    ) -> None:
        self.python = python
        self.python_args = python_args  # e.g. ("-m", "cProfile", "-o", FILE)
        self.app = app
        self.cpu = cpu
        self.extra = extra
        self.url = ""
        self.problem = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        """The app's process id (only while started)."""
        if self._proc is None:
            raise RuntimeError("Server.pid: the server is not started")
        return self._proc.pid

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the app and wait for its ``Serving on <url>`` line."""
        cmd = [self.python, *self.python_args, str(self.app)]
        cmd += ["--host", "127.0.0.1", "--port", "0"]
        self._proc = proc = subprocess.Popen(
            [*cmd, *self.extra],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            cwd=neutral_cwd(),
            env=child_env(),
            preexec_fn=pin(self.cpu),
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while (left := deadline - time.monotonic()) > 0 and sel.select(left):
                line = proc.stdout.readline()
                if not line:  # stdout closed: the app is exiting
                    break
                match = re.match(r"Serving on (http://\S+)", line)
                if match:
                    self.url = match.group(1).rstrip("/")
                    return
        alive = proc.poll() is None
        self.stop()
        why = f"exited with code {proc.returncode}"
        if alive:
            why = f"printed nothing within {START_TIMEOUT:.0f}s"
        command = " ".join([*cmd, *self.extra])
        raise RuntimeError(
            f"{self.app.name} {why} before 'Serving on <url>'; run '{command}' "
            "to see why"
        )

    def stop(self) -> None:
        """SIGINT the app and wait; sets :attr:`problem` if it misbehaved."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self.problem = f"app did not stop within {STOP_TIMEOUT:.0f}s of SIGINT"
        if not self.problem and proc.returncode != 0:
            self.problem = f"app exited with code {proc.returncode}"
        if proc.stdout is not None:
            proc.stdout.close()
