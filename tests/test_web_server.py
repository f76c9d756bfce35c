"""The low-level server answering curl and http.client on every kind of site."""

import asyncio
import http.client
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from aiohttp import web

from .conftest import needs_curl


async def echo(request: web.BaseRequest) -> web.Response:
    body = await request.read()
    return web.Response(
        text=f"{request.method} {request.path_qs} {len(body)} {body.decode()}"
    )


def _http_client_session(port: int) -> list[tuple[int, bytes, bool]]:
    """Several requests over one http.client connection (keep-alive)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    results = []
    try:
        for method, path, body in (
            ("GET", "/a?x=1", None),
            ("POST", "/b", b"payload"),
            ("PUT", "/c", b"more"),
        ):
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            results.append((resp.status, resp.read(), resp.will_close))
        sock_before = conn.sock
        conn.request("GET", "/d")
        resp = conn.getresponse()
        results.append((resp.status, resp.read(), conn.sock is sock_before))
    finally:
        conn.close()
    return results


async def test_http_client_keep_alive(raw_server: Any) -> None:
    srv = await raw_server(echo)
    results = await asyncio.to_thread(_http_client_session, srv.port)
    assert results[0] == (200, b"GET /a?x=1 0 ", False)
    assert results[1] == (200, b"POST /b 7 payload", False)
    assert results[2] == (200, b"PUT /c 4 more", False)
    assert results[3] == (200, b"GET /d 0 ", True)
    assert srv.handler.requests_count == 4


def _http_client_chunked_upload(port: int) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            "/up",
            body=iter([b"abc", b"def", b"ghi"]),
            encode_chunked=True,
            headers={"Transfer-Encoding": "chunked"},
        )
        return conn.getresponse().read()
    finally:
        conn.close()


async def test_http_client_chunked_upload(raw_server: Any) -> None:
    srv = await raw_server(echo)
    body = await asyncio.to_thread(_http_client_chunked_upload, srv.port)
    assert body == b"POST /up 9 abcdefghi"


async def _curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return await asyncio.to_thread(
        subprocess.run,
        ["curl", "--silent", "--show-error", "--max-time", "20", *args],
        capture_output=True,
        check=False,
    )


@needs_curl
async def test_curl_keep_alive_reuses_connection(raw_server: Any) -> None:
    srv = await raw_server(echo)
    out = await _curl("-v", str(srv.make_url("/one")), str(srv.make_url("/two")))
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"GET /one 0 GET /two 0 "
    assert b"Re-using existing connection" in out.stderr or (
        b"existing connection" in out.stderr
    )
    assert srv.handler.requests_count == 2


@needs_curl
async def test_curl_chunked_upload(raw_server: Any, tmp_path: Path) -> None:
    srv = await raw_server(echo)
    data = tmp_path / "data.txt"
    data.write_bytes(b"hello chunked world")
    out = await _curl(
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        f"@{data}",
        str(srv.make_url("/c")),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"POST /c 19 hello chunked world"


@needs_curl
async def test_curl_expect_continue(raw_server: Any, tmp_path: Path) -> None:
    srv = await raw_server(echo)
    data = tmp_path / "big.bin"
    data.write_bytes(b"z" * 900_000)
    out = await _curl(
        "-v",
        "-H",
        "Expect: 100-continue",
        "--data-binary",
        f"@{data}",
        str(srv.make_url("/e")),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"POST /e 900000 zzz")
    assert b"100 Continue" in out.stderr


@needs_curl
async def test_curl_over_unix_socket(tmp_path: Path) -> None:
    server = web.Server(echo)
    runner = web.ServerRunner(server)
    await runner.setup()
    path = str(tmp_path / "srv.sock")
    site = web.UnixSite(runner, path)
    await site.start()
    try:
        out = await _curl(
            "--unix-socket", path, "http://localhost/u", "http://localhost/v"
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout == b"GET /u 0 GET /v 0 "
    finally:
        await runner.cleanup()


async def test_sock_site_with_passed_in_socket() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = web.Server(echo)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        assert site.name == f"http://127.0.0.1:{port}"
        results = await asyncio.to_thread(_http_client_session, port)
        assert [r[0] for r in results] == [200, 200, 200, 200]
    finally:
        await runner.cleanup()
        sock.close()


def _pipeline(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
            b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        chunks = []
        while data := s.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


async def test_pipelining_from_a_blocking_socket(raw_server: Any) -> None:
    srv = await raw_server(echo)
    data = await asyncio.to_thread(_pipeline, srv.port)
    bodies = [b"GET /1 0 ", b"POST /2 2 ok", b"GET /3 0 "]
    positions = [data.index(body) for body in bodies]
    assert positions == sorted(positions)
    assert data.count(b"HTTP/1.1 200 OK") == 3


async def test_server_requires_running_loop() -> None:
    server = web.Server(echo)
    assert server.connections == []
    assert server.requests_count == 0


def test_server_outside_loop_raises() -> None:
    with pytest.raises(RuntimeError):
        web.Server(echo)
