"""Timed probes that ``run.py`` starts in a fresh interpreter of either side.

Each prints one JSON object on stdout: ``{"seconds": ...}`` with what it
measured, or ``{"na": "reason"}`` when the implementation lacks the feature
(so far our ClientSession), and exits 0. Imports happen before the clock
starts, so only the work named is timed.

    python benchmarks/probe.py testclient
    python benchmarks/probe.py client URL [--requests 10000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

__all__ = ("client_load", "main", "testclient_once")


async def testclient_once() -> float:
    """Seconds for TestClient(TestServer(app)) start, one GET, close."""
    from app import HELLO, make_app

    from aiohttp.test_utils import TestClient, TestServer

    app = make_app()
    start = time.perf_counter()
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/")
        body = await response.text()
    elapsed = time.perf_counter() - start
    if response.status != 200 or body != HELLO:
        raise RuntimeError(f"TestClient GET / answered {response.status} {body!r}")
    return elapsed


async def client_load(url: str, requests: int, concurrency: int) -> float:
    """Seconds for ``requests`` GETs of ``url`` over ``concurrency`` tasks."""
    from aiohttp import ClientSession

    left = requests
    bad: list[int] = []

    async def worker(session: ClientSession) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    bad.append(response.status)

    async with ClientSession() as session:
        # One request first so connection setup code paths are warm.
        async with session.get(url) as response:
            await response.read()
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    if bad:
        raise RuntimeError(f"{len(bad)} non-200 answers, e.g. {bad[0]}")
    return elapsed


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    try:
        # ImportError: the implementation has no ClientSession (yet); the test
        # client needs one too.
        from aiohttp import ClientSession  # noqa: F401
    except ImportError as exc:
        return {"na": f"no ClientSession yet ({exc})"}
    if args.probe == "testclient":
        return {"seconds": asyncio.run(testclient_once())}
    seconds = asyncio.run(client_load(args.url, args.requests, args.concurrency))
    return {"seconds": seconds, "requests": args.requests}


def main(argv: list[str] | None = None) -> int:
    """Run the probe named on the command line and print its JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="probe", required=True)
    sub.add_parser("testclient", help="TestClient start, one GET, close")
    client = sub.add_parser("client", help="GETs through one ClientSession")
    client.add_argument("url")
    client.add_argument("--requests", type=int, default=10_000)
    client.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args(argv)
    if args.probe == "client" and min(args.requests, args.concurrency) < 1:
        parser.error("--requests and --concurrency must be at least 1")
    print(json.dumps(_measure(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
