"""A small HTTP/1.1 keep-alive load generator, for machines without wrk.

N connections each send a GET (or a POST with a body of ``--body-size``
bytes), wait for the whole response, and send the next
one (no pipelining) until the duration is over. Responses are framed by their
Content-Length (the benchmark apps always send one); anything else counts as an
error and the connection is reopened. It is plain asyncio over raw sockets, so
the client is Python too: on a small machine it can saturate before the server
does, which is why benchmarks/run.py prefers wrk when it is installed.

    python benchmarks/loadgen.py http://127.0.0.1:8080/ -c 64 -d 10 [--json]
    python benchmarks/loadgen.py URL/echo --method POST --body-size 1024
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ("Stats", "main", "run_load")

# A response head longer than this is treated as garbage rather than buffered.
MAX_HEAD = 64 * 1024


@dataclass
class Stats:
    """Counters shared by all connections of one run."""

    responses: int = 0
    non_2xx: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def percentile(self, pct: float) -> float | None:
        """Latency in seconds below which ``pct`` percent of responses came."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, int(len(ordered) * pct / 100))
        return ordered[index]


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send, read one response, repeat."""

    def __init__(self, request: bytes, stats: Stats, deadline: float) -> None:
        self._request = request
        self._stats = stats
        self._deadline = deadline
        self._buf = bytearray()
        self._need = -1  # total length of the current response once its head is in
        self._sent_at = 0.0
        self._in_flight = False  # a request is sent and its response not complete
        self._transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        self._in_flight = True
        self._sent_at = time.perf_counter()
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if self._need < 0 and not self._parse_head():
            return
        if len(self._buf) < self._need:
            return
        now = time.perf_counter()
        extra = len(self._buf) - self._need
        self._buf.clear()
        self._need = -1
        self._in_flight = False
        self._stats.responses += 1
        self._stats.latencies.append(now - self._sent_at)
        if extra:
            # Without pipelining nothing may follow the response.
            self._fail()
        elif now < self._deadline:
            self._send()
        else:
            self._close()

    def _parse_head(self) -> bool:
        """Find the response head; set the expected total length. False: wait."""
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buf) > MAX_HEAD:
                self._fail()
            return False
        head = bytes(self._buf[:end]).lower()
        status_line, _, headers = head.partition(b"\r\n")
        parts = status_line.split(b" ", 2)
        length = None
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip() == b"content-length":
                length = value.strip()
        if len(parts) < 2 or not parts[1].isdigit() or length is None:
            self._fail()
            return False
        if not length.isdigit():
            self._fail()
            return False
        if not parts[1].startswith(b"2"):
            self._stats.non_2xx += 1
        self._need = end + 4 + int(length)
        return True

    def _fail(self) -> None:
        self._stats.errors += 1
        self._in_flight = False  # counted once, here
        self._close()

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._in_flight:
            # The server closed (or reset) before answering in full.
            self._stats.errors += 1
            self._in_flight = False
        if not self.closed.done():
            self.closed.set_result(None)


async def _drive_one(
    host: str, port: int, request: bytes, stats: Stats, deadline: float
) -> None:
    """Keep one connection busy until the deadline, reopening it if it drops."""
    loop = asyncio.get_running_loop()
    while time.perf_counter() < deadline:
        try:
            _, proto = await loop.create_connection(
                lambda: _Connection(request, stats, deadline), host, port
            )
        except OSError:
            stats.errors += 1
            await asyncio.sleep(0.01)  # do not spin on a refused port
            continue
        await proto.closed


async def run_load(
    url: str,
    connections: int,
    duration: float,
    method: str = "GET",
    body_size: int = 0,
) -> tuple[Stats, float]:
    """Drive ``url`` for ``duration`` seconds; returns the stats and elapsed time.

    ``method`` is GET or POST; a POST carries ``body_size`` bytes of ``x``.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"url must be http://host[:port]/path, got {url!r}")
    host, port = parts.hostname, parts.port or 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if method not in ("GET", "POST"):
        raise ValueError(f"method must be GET or POST, got {method!r}")
    if body_size < 0 or (body_size and method != "POST"):
        raise ValueError(f"body_size must be 0, or positive with POST: {body_size}")
    body = b"x" * body_size
    framing = (
        f"Content-Type: application/octet-stream\r\nContent-Length: {body_size}\r\n"
        if method == "POST"
        else ""
    )
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: {authority}\r\n"
        f"User-Agent: aiohttp-clean-loadgen\r\nAccept: */*\r\n{framing}\r\n"
    ).encode("ascii") + body
    stats = Stats()
    start = time.perf_counter()
    deadline = start + duration
    await asyncio.gather(
        *(_drive_one(host, port, request, stats, deadline) for _ in range(connections))
    )
    return stats, time.perf_counter() - start


def _report(stats: Stats, elapsed: float, as_json: bool) -> str:
    rps = stats.responses / elapsed if elapsed > 0 else 0.0
    p50, p99 = stats.percentile(50), stats.percentile(99)
    if as_json:
        return json.dumps(
            {
                "requests": stats.responses,
                "seconds": round(elapsed, 3),
                "requests_per_second": round(rps, 1),
                "p50_ms": None if p50 is None else round(p50 * 1000, 3),
                "p99_ms": None if p99 is None else round(p99 * 1000, 3),
                "non_2xx": stats.non_2xx,
                "errors": stats.errors,
            }
        )
    lines = [f"{stats.responses} responses in {elapsed:.2f}s: {rps:.1f} requests/s"]
    if p50 is not None and p99 is not None:
        lines.append(f"latency p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")
    lines.append(f"non-2xx {stats.non_2xx}, errors {stats.errors}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the load, print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="http://host:port/path")
    parser.add_argument("-c", "--connections", type=int, default=64)
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--method", choices=("GET", "POST"), default="GET")
    parser.add_argument(
        "--body-size", type=int, default=0, help="bytes of request body (POST only)"
    )
    args = parser.parse_args(argv)
    if args.connections < 1:
        parser.error(f"--connections must be at least 1, got {args.connections}")
    if args.duration <= 0:
        parser.error(f"--duration must be positive, got {args.duration}")
    try:
        stats, elapsed = asyncio.run(
            run_load(
                args.url, args.connections, args.duration, args.method, args.body_size
            )
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(_report(stats, elapsed, args.json))
    # A run where nothing succeeded is a failed run, not a slow one.
    return 0 if stats.responses and not stats.errors else 1


if __name__ == "__main__":
    sys.exit(main())
