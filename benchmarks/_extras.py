"""The measures other than server throughput, one sample per call.

Each runs the side's own interpreter in a fresh process from a neutral
directory (see ``_procs``), so nothing is shared between samples or sides:
import time, the TestClient round trip, client throughput and server memory
with many idle keep-alive connections.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

from _procs import HERE, Server, child_env, neutral_cwd, pin, rss_kib

__all__ = ("NA", "idle_connections_rss", "import_seconds", "probe_seconds")


class NA(Exception):
    """The measure does not apply to this side (e.g. it has no ClientSession)."""


def import_seconds(python: str, cpu: int | None) -> float:
    """Wall time of ``python -c "import aiohttp.web"``, interpreter start included."""
    cmd = [python, "-c", "import aiohttp.web"]
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=neutral_cwd(),
        env=child_env(),
        preexec_fn=pin(cpu),
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{python}: import aiohttp.web failed:\n{proc.stderr}")
    return elapsed


def probe_seconds(python: str, args: list[str], cpu: int | None) -> float:
    """Run ``probe.py ARGS`` with ``python``; its measured seconds, or raise NA."""
    proc = subprocess.run(
        [python, str(HERE / "probe.py"), *args],
        capture_output=True,
        text=True,
        cwd=neutral_cwd(),
        env=child_env(),
        preexec_fn=pin(cpu),
        timeout=300,
    )
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = None
    if proc.returncode != 0 or not isinstance(result, dict):
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise NA(f"probe {args[0]} failed: {tail[0]}")
    if "na" in result:
        raise NA(str(result["na"]))
    return float(result["seconds"])


_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
_BATCH = 100


def _open_idle(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each made one request and stay open.

    They open in batches that fit the listen backlog (128 by default), each
    batch answered before the next opens, so no SYN waits for a retry.
    """
    socks: list[socket.socket] = []
    try:
        while len(socks) < count:
            batch = []
            for _ in range(min(_BATCH, count - len(socks))):
                sock = socket.create_connection((host, port), timeout=30)
                socks.append(sock)
                batch.append(sock)
                sock.sendall(_REQUEST)
            for sock in batch:
                _read_hello(sock)
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks


def _read_hello(sock: socket.socket) -> None:
    """Read one hello-world response; its body ends it."""
    data = b""
    while not data.endswith(b"Hello, World!"):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError(f"server closed a connection early after {data!r}")
        data += chunk


def idle_connections_rss(
    python: str, app: Path, cpu: int | None, count: int
) -> tuple[float, float, str]:
    """Server RSS in MiB after one request, then with ``count`` idle connections.

    Returns both figures and the server's stop problem ('' if it stopped
    cleanly).
    """
    server = Server(python, app, cpu)
    with server:
        host, _, port = server.url.removeprefix("http://").rpartition(":")
        for sock in _open_idle(host, int(port), 1):
            sock.close()
        base = rss_kib(server.pid) / 1024
        socks = _open_idle(host, int(port), count)
        try:
            loaded = rss_kib(server.pid) / 1024
        finally:
            for sock in socks:
                sock.close()
    return base, loaded, server.problem
