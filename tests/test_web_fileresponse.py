"""FileResponse over real sockets: validators, ranges, sendfile and fallbacks."""

import asyncio
import gzip
import os
import subprocess
import zlib
from email.utils import formatdate
from pathlib import Path
from typing import Any, Optional

import pytest

from aiohttp import web_fileresponse
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import HttpResponseParser
from aiohttp.web_fileresponse import FileResponse
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import ContentCoding, StreamResponse

from .conftest import ParsedResponse, RawConnection, RunningServer, needs_curl

TEXT = b"0123456789abcdefghijklmnopqrstuvwxyz\n" * 3
BIG_SIZE = 5 * 1024 * 1024 + 123


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "hello.txt").write_bytes(TEXT)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "page.html").write_bytes(b"<p>hi</p>")
    (tmp_path / "data.json").write_bytes(b"{}")
    (tmp_path / "blob.unknownext").write_bytes(b"\x00\x01")
    (tmp_path / "archive.tar.gz").write_bytes(gzip.compress(b"tar"))
    (tmp_path / "sub").mkdir()
    # A large file with a non-repeating pattern so misplaced bytes show.
    (tmp_path / "big.bin").write_bytes(os.urandom(BIG_SIZE))
    return tmp_path


Server = tuple[RunningServer, Path]


@pytest.fixture
async def server(raw_server: Any, root: Path) -> RunningServer:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = FileResponse(root / request.path.lstrip("/"), chunk_size=64 * 1024)
        if request.headers.get("X-Compress"):
            resp.enable_compression(ContentCoding.gzip)
        return resp

    srv: RunningServer = await raw_server(handler)
    return srv


async def request(
    raw_connect: Any,
    srv: RunningServer,
    target: str,
    method: str = "GET",
    headers: Optional[dict[str, str]] = None,
) -> ParsedResponse:
    conn: RawConnection = await raw_connect(srv.port)
    # Bodies are compared as sent: no transparent decoding of Content-Encoding.
    conn.parser = HttpResponseParser(auto_decompress=False)
    lines = [f"{method} {target} HTTP/1.1", "Host: test"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    conn.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return await conn.response(method)


def file_etag(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


async def test_full_file(server: RunningServer, raw_connect: Any, root: Path) -> None:
    resp = await request(raw_connect, server, "/hello.txt")
    headers = resp.head.headers
    assert resp.status == 200
    assert resp.body == TEXT
    assert headers["Content-Length"] == str(len(TEXT))
    assert headers["Content-Type"] == "text/plain"
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"] == file_etag(root / "hello.txt")
    mtime = (root / "hello.txt").stat().st_mtime
    assert headers["Last-Modified"] == formatdate(int(mtime), usegmt=True)
    assert "Transfer-Encoding" not in headers
    assert "Vary" not in headers


async def test_empty_file(server: RunningServer, raw_connect: Any) -> None:
    resp = await request(raw_connect, server, "/empty.txt")
    assert (resp.status, resp.body) == (200, b"")
    assert resp.head.headers["Content-Length"] == "0"


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("page.html", "text/html"),
        ("data.json", "application/json"),
        ("blob.unknownext", "application/octet-stream"),
        ("archive.tar.gz", "application/gzip"),
    ],
)
async def test_content_types(
    server: RunningServer, raw_connect: Any, name: str, ctype: str
) -> None:
    resp = await request(raw_connect, server, f"/{name}")
    assert resp.status == 200
    assert resp.head.headers["Content-Type"] == ctype
    # A compressed file is sent as is, never as a Content-Encoding.
    assert "Content-Encoding" not in resp.head.headers


async def test_explicit_content_type_is_kept(
    raw_server: Any, root: Path, raw_connect: Any
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return FileResponse(root / "hello.txt", headers={"Content-Type": "x/y"})

    srv = await raw_server(handler)
    resp = await request(raw_connect, srv, "/")
    assert resp.head.headers["Content-Type"] == "x/y"


async def test_head(server: RunningServer, raw_connect: Any) -> None:
    resp = await request(raw_connect, server, "/hello.txt", "HEAD")
    assert resp.status == 200
    assert resp.body == b""
    assert resp.head.headers["Content-Length"] == str(len(TEXT))
    assert resp.head.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("target", "status"), [("/missing.txt", 404), ("/sub", 403), ("/hello.txt/x", 404)]
)
async def test_missing_and_not_a_file(
    server: RunningServer, raw_connect: Any, target: str, status: int
) -> None:
    resp = await request(raw_connect, server, target)
    assert (resp.status, resp.body) == (status, b"")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything"
)
async def test_unreadable_directory_is_forbidden(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    (root / "locked").mkdir()
    (root / "locked" / "f.txt").write_bytes(b"x")
    (root / "locked").chmod(0)
    try:
        resp = await request(raw_connect, server, "/locked/f.txt")
    finally:
        (root / "locked").chmod(0o755)
    assert resp.status == 403


async def test_big_file_uses_sendfile(
    server: RunningServer, raw_connect: Any, root: Path, monkeypatch: Any
) -> None:
    loop = asyncio.get_running_loop()
    calls: list[tuple[int, Optional[int]]] = []
    original = loop.sendfile

    async def spy(transport: Any, file: Any, offset: int = 0, count: Any = None) -> int:
        calls.append((offset, count))
        return await original(transport, file, offset, count)

    monkeypatch.setattr(loop, "sendfile", spy)
    resp = await request(raw_connect, server, "/big.bin")
    assert resp.status == 200
    assert resp.body == (root / "big.bin").read_bytes()
    assert calls == [(0, BIG_SIZE)]


async def test_big_file_fallback_when_sendfile_is_missing(
    server: RunningServer, raw_connect: Any, root: Path, monkeypatch: Any
) -> None:
    loop = asyncio.get_running_loop()

    async def unsupported(*args: Any, **kwargs: Any) -> int:
        raise NotImplementedError

    monkeypatch.setattr(loop, "sendfile", unsupported)
    resp = await request(raw_connect, server, "/big.bin")
    assert resp.status == 200
    assert len(resp.body) == BIG_SIZE
    assert resp.body == (root / "big.bin").read_bytes()


async def test_nosendfile_switch(
    server: RunningServer, raw_connect: Any, root: Path, monkeypatch: Any
) -> None:
    loop = asyncio.get_running_loop()

    async def forbidden(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("sendfile must not be used")

    monkeypatch.setattr(loop, "sendfile", forbidden)
    monkeypatch.setattr(web_fileresponse, "NOSENDFILE", True)
    resp = await request(
        raw_connect, server, "/big.bin", headers={"Range": "bytes=10-"}
    )
    assert resp.status == 206
    assert resp.body == (root / "big.bin").read_bytes()[10:]


async def test_compression_uses_the_copy_path(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    resp = await request(
        raw_connect,
        server,
        "/big.bin",
        headers={"X-Compress": "1", "Accept-Encoding": "gzip"},
    )
    assert resp.status == 200
    assert resp.head.headers["Content-Encoding"] == "gzip"
    data = zlib.decompress(resp.body, 16 + zlib.MAX_WBITS)
    assert data == (root / "big.bin").read_bytes()


async def test_keep_alive_after_sendfile(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    conn: RawConnection = await raw_connect(server.port)
    for target in ("/big.bin", "/hello.txt", "/big.bin"):
        conn.send(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        resp = await conn.response()
        assert resp.body == (root / target.lstrip("/")).read_bytes()


async def test_etag_round_trip(server: RunningServer, raw_connect: Any) -> None:
    first = await request(raw_connect, server, "/hello.txt")
    etag = first.head.headers["ETag"]
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-None-Match": etag}
    )
    assert (resp.status, resp.body) == (304, b"")
    assert resp.head.headers["ETag"] == etag
    resp = await request(raw_connect, server, "/hello.txt", headers={"If-Match": etag})
    assert (resp.status, resp.body) == (200, TEXT)
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-Match": '"other"'}
    )
    assert (resp.status, resp.body) == (412, b"")


async def test_last_modified_round_trip(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    first = await request(raw_connect, server, "/hello.txt")
    stamp = first.head.headers["Last-Modified"]
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-Modified-Since": stamp}
    )
    assert resp.status == 304
    old = formatdate(int((root / "hello.txt").stat().st_mtime) - 100, usegmt=True)
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-Modified-Since": old}
    )
    assert (resp.status, resp.body) == (200, TEXT)
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-Unmodified-Since": old}
    )
    assert resp.status == 412
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"If-Unmodified-Since": stamp}
    )
    assert resp.status == 200


async def test_single_range(server: RunningServer, raw_connect: Any) -> None:
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"Range": "bytes=5-9"}
    )
    assert resp.status == 206
    assert resp.body == TEXT[5:10]
    assert resp.head.headers["Content-Range"] == f"bytes 5-9/{len(TEXT)}"
    assert resp.head.headers["Content-Length"] == "5"
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"Range": "bytes=-4"}
    )
    assert (resp.status, resp.body) == (206, TEXT[-4:])


async def test_big_range_with_sendfile(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    start, end = 1_000_000, 3_000_000
    resp = await request(
        raw_connect, server, "/big.bin", headers={"Range": f"bytes={start}-{end}"}
    )
    assert resp.status == 206
    assert resp.body == (root / "big.bin").read_bytes()[start : end + 1]


async def test_unsatisfiable_range(server: RunningServer, raw_connect: Any) -> None:
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"Range": "bytes=5000-"}
    )
    assert (resp.status, resp.body) == (416, b"")
    assert resp.head.headers["Content-Range"] == f"bytes */{len(TEXT)}"


@pytest.mark.parametrize("header", ["bytes=9-5", "bytes=abc", "lines=1-2", "bytes"])
async def test_malformed_range_is_ignored(
    server: RunningServer, raw_connect: Any, header: str
) -> None:
    resp = await request(raw_connect, server, "/hello.txt", headers={"Range": header})
    assert (resp.status, resp.body) == (200, TEXT)


async def test_range_ignored_for_head_and_if_range(
    server: RunningServer, raw_connect: Any
) -> None:
    resp = await request(
        raw_connect, server, "/hello.txt", "HEAD", headers={"Range": "bytes=0-1"}
    )
    assert resp.status == 200
    first = await request(raw_connect, server, "/hello.txt")
    etag = first.head.headers["ETag"]
    for if_range, status in [
        (etag, 206),
        ('"stale"', 200),
        (first.head.headers["Last-Modified"], 206),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
    ]:
        resp = await request(
            raw_connect,
            server,
            "/hello.txt",
            headers={"Range": "bytes=0-1", "If-Range": if_range},
        )
        assert resp.status == status, if_range
        assert resp.body == (TEXT[:2] if status == 206 else TEXT)


def parse_byteranges(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart/byteranges body into (headers, data) parts."""
    delimiter = b"--" + boundary.encode()
    assert body.endswith(b"\r\n" + delimiter + b"--\r\n")
    chunks = body[: -len(delimiter) - 6].split(b"\r\n" + delimiter + b"\r\n")
    assert chunks[0].startswith(delimiter + b"\r\n")
    chunks[0] = chunks[0][len(delimiter) + 2 :]
    parts = []
    for chunk in chunks:
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append((fields, data))
    return parts


async def test_multiple_ranges(server: RunningServer, raw_connect: Any) -> None:
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"Range": "bytes=0-3, 10-12, -2"}
    )
    assert resp.status == 206
    ctype = resp.head.headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges; boundary=")
    assert int(resp.head.headers["Content-Length"]) == len(resp.body)
    parts = parse_byteranges(resp.body, ctype.partition("boundary=")[2])
    size = len(TEXT)
    assert parts == [
        (
            {"Content-Type": "text/plain", "Content-Range": f"bytes 0-3/{size}"},
            TEXT[:4],
        ),
        (
            {"Content-Type": "text/plain", "Content-Range": f"bytes 10-12/{size}"},
            TEXT[10:13],
        ),
        (
            {
                "Content-Type": "text/plain",
                "Content-Range": f"bytes {size - 2}-{size - 1}/{size}",
            },
            TEXT[-2:],
        ),
    ]


@pytest.fixture
def precompressed(root: Path) -> Path:
    (root / "hello.txt.gz").write_bytes(gzip.compress(TEXT))
    (root / "hello.txt.br").write_bytes(b"pretend-brotli")
    return root


@pytest.mark.parametrize(
    ("accept", "encoding", "suffix"),
    [
        ("gzip", "gzip", ".gz"),
        ("gzip, deflate, br", "br", ".br"),
        ("br;q=0, gzip", "gzip", ".gz"),
        ("deflate", None, ""),
        (None, None, ""),
    ],
)
async def test_precompressed_siblings(
    server: RunningServer,
    raw_connect: Any,
    precompressed: Path,
    accept: Optional[str],
    encoding: Optional[str],
    suffix: str,
) -> None:
    headers = {} if accept is None else {"Accept-Encoding": accept}
    resp = await request(raw_connect, server, "/hello.txt", headers=headers)
    assert resp.status == 200
    assert resp.head.headers.get("Content-Encoding") == encoding
    assert resp.head.headers["Content-Type"] == "text/plain"
    assert resp.head.headers["Vary"] == "Accept-Encoding"
    assert resp.body == (precompressed / f"hello.txt{suffix}").read_bytes()
    assert resp.head.headers["ETag"] == file_etag(precompressed / f"hello.txt{suffix}")


def test_chunk_size_must_be_positive(root: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size=0"):
        FileResponse(root / "hello.txt", chunk_size=0)


def test_is_a_stream_response(root: Path) -> None:
    resp = FileResponse(str(root / "hello.txt"), status=200, reason="Fine")
    assert isinstance(resp, StreamResponse)
    assert resp.reason == "Fine"
    assert not resp.prepared


def curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["curl", "-s", "-S", "--max-time", "30", *args], capture_output=True, check=True
    )


@needs_curl
async def test_curl_second_opinion(server: RunningServer, precompressed: Path) -> None:
    url = str(server.make_url("/hello.txt"))
    loop = asyncio.get_running_loop()
    # curl blocks, so it runs in a thread while the loop serves it.
    out = await loop.run_in_executor(None, curl, "-r", "3-7", url)
    assert out.stdout == TEXT[3:8]
    stamp = formatdate(int((precompressed / "hello.txt").stat().st_mtime), usegmt=True)
    out = await loop.run_in_executor(
        None, curl, "-o", "/dev/null", "-w", "%{http_code}", "-z", stamp, url
    )
    assert out.stdout == b"304"
    out = await loop.run_in_executor(
        None, curl, "--compressed", "-H", "Accept-Encoding: gzip", url
    )
    assert out.stdout == TEXT
    big = str(server.make_url("/big.bin"))
    out = await loop.run_in_executor(None, curl, big)
    assert out.stdout == (precompressed / "big.bin").read_bytes()


@pytest.mark.parametrize(
    ("error", "status"),
    [(PermissionError, 403), (FileNotFoundError, 404), (NotADirectoryError, 404)],
)
async def test_stat_errors(
    server: RunningServer, raw_connect: Any, monkeypatch: Any, error: type, status: int
) -> None:
    def failing(path: Path, accept: Optional[str]) -> Any:
        raise error("no")

    monkeypatch.setattr(web_fileresponse, "_choose_file", failing)
    resp = await request(raw_connect, server, "/hello.txt")
    assert (resp.status, resp.body) == (status, b"")
    assert "ETag" not in resp.head.headers


async def test_file_shrinking_while_sent_closes_the_connection(
    raw_server: Any, raw_connect: Any, root: Path, monkeypatch: Any
) -> None:
    path = root / "shrinks.bin"
    path.write_bytes(b"x" * 100_000)
    monkeypatch.setattr(web_fileresponse, "NOSENDFILE", True)

    async def handler(request: BaseRequest) -> StreamResponse:
        resp = FileResponse(path, chunk_size=1000)
        original = resp._send_chunks

        async def shrink_first(*args: Any) -> None:
            path.write_bytes(b"x" * 10)
            await original(*args)

        monkeypatch.setattr(resp, "_send_chunks", shrink_first)
        return resp

    srv = await raw_server(handler)
    conn: RawConnection = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    # The server closes: the parser reports the body as cut short.
    with pytest.raises(BadHttpMessage, match="10 of 100000 bytes"):
        await conn.response()


async def test_sibling_that_is_not_a_file_is_ignored(
    server: RunningServer, raw_connect: Any, root: Path
) -> None:
    (root / "hello.txt.gz").mkdir()
    resp = await request(
        raw_connect, server, "/hello.txt", headers={"Accept-Encoding": "gzip"}
    )
    assert (resp.status, resp.body) == (200, TEXT)
    assert "Content-Encoding" not in resp.head.headers
    assert "Vary" not in resp.head.headers


async def test_prepared_by_the_handler(
    raw_server: Any, raw_connect: Any, root: Path
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = FileResponse(root / "hello.txt")
        writer = await resp.prepare(request)
        # A second prepare() (the server's) returns the same writer.
        assert await resp.prepare(request) is writer
        return resp

    srv = await raw_server(handler)
    resp = await request(raw_connect, srv, "/")
    assert (resp.status, resp.body) == (200, TEXT)


async def test_not_modified_keeps_the_representation_headers(
    server: RunningServer, raw_connect: Any, precompressed: Path
) -> None:
    gz = precompressed / "hello.txt.gz"
    resp = await request(
        raw_connect,
        server,
        "/hello.txt",
        headers={"Accept-Encoding": "gzip", "If-None-Match": file_etag(gz)},
    )
    assert (resp.status, resp.body) == (304, b"")
    headers = resp.head.headers
    assert headers["Content-Type"] == "text/plain"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert "Content-Length" not in headers
    # The plain file's tag does not match the gzip variant's.
    resp = await request(
        raw_connect,
        server,
        "/hello.txt",
        headers={
            "Accept-Encoding": "gzip",
            "If-None-Match": file_etag(precompressed / "hello.txt"),
        },
    )
    assert resp.status == 200


async def test_failed_precondition_has_no_content_encoding(
    server: RunningServer, raw_connect: Any, precompressed: Path
) -> None:
    resp = await request(
        raw_connect,
        server,
        "/hello.txt",
        headers={"Accept-Encoding": "gzip", "If-Match": '"nope"'},
    )
    assert (resp.status, resp.body) == (412, b"")
    assert "Content-Encoding" not in resp.head.headers
    assert resp.head.headers["Content-Length"] == "0"


async def test_range_ignored_with_on_the_fly_compression(
    server: RunningServer, raw_connect: Any
) -> None:
    resp = await request(
        raw_connect,
        server,
        "/hello.txt",
        headers={"X-Compress": "1", "Accept-Encoding": "gzip", "Range": "bytes=0-1"},
    )
    assert resp.status == 200
    assert "Content-Range" not in resp.head.headers
    assert zlib.decompress(resp.body, 16 + zlib.MAX_WBITS) == TEXT
