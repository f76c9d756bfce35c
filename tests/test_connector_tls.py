"""TCPConnector with TLS (trustme certificates) and through a CONNECT proxy."""

import asyncio
import contextlib
import hashlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Optional

import pytest
import trustme
from multidict import CIMultiDict
from yarl import URL

from aiohttp import web
from aiohttp._client_base import Fingerprint
from aiohttp._client_timeout import ClientTimeout
from aiohttp._connector_ssl import needs_cleanup_closed
from aiohttp.client_exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ClientSSLError,
    ServerFingerprintMismatch,
)
from aiohttp.connector import TCPConnector
from aiohttp.helpers import BasicAuth
from aiohttp.test_utils import RawTestServer
from aiohttp.web_request import BaseRequest

from ._connector_helpers import FakeResolver, client_request, roundtrip

ServerFactory = Callable[..., Awaitable[RawTestServer]]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_cert(ca: trustme.CA) -> trustme.LeafCert:
    return ca.issue_cert("localhost", "127.0.0.1", "tls.example")


@pytest.fixture
def client_ctx(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


async def hello(request: BaseRequest) -> web.StreamResponse:
    return web.Response(text=f"secure {request.path}")


@pytest.fixture
async def tls_server(
    raw_server: ServerFactory, server_cert: trustme.LeafCert
) -> RawTestServer:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(ctx)
    return await raw_server(hello, ssl=ctx)


@pytest.fixture
async def plain_server(raw_server: ServerFactory) -> RawTestServer:
    return await raw_server(hello)


def cert_digest(cert: trustme.LeafCert) -> bytes:
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return hashlib.sha256(der).digest()


def https(server: RawTestServer, host: str = "127.0.0.1", path: str = "/") -> str:
    return f"https://{host}:{server.port}{path}"


async def fetch(connector: TCPConnector, req: client_request) -> bytes:
    conn = await connector.connect(req, [], ClientTimeout(connect=10))
    try:
        message, body = await roundtrip(conn, req)
    finally:
        conn.release()
    assert message.code == 200
    return body


# ------------------------------------------------------------ verification
async def test_untrusted_certificate_fails(tls_server: RawTestServer) -> None:
    async with TCPConnector() as connector:
        req = client_request(https(tls_server))
        with pytest.raises(ClientConnectorCertificateError) as info:
            await connector.connect(req, [], None)
    exc = info.value
    assert isinstance(exc, ClientSSLError) and isinstance(exc, ssl.CertificateError)
    assert isinstance(exc.certificate_error, ssl.SSLCertVerificationError)
    assert exc.os_error is exc.certificate_error
    assert str(exc).startswith(
        f"Cannot connect to host 127.0.0.1:{tls_server.port} ssl:default "
        "[SSLCertVerificationError: "
    )
    assert not connector._acquired


async def test_ssl_false_skips_verification(tls_server: RawTestServer) -> None:
    async with TCPConnector(ssl=False) as connector:
        assert await fetch(connector, client_request(https(tls_server))) == b"secure /"


async def test_request_ssl_false_overrides_connector(
    tls_server: RawTestServer,
) -> None:
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), ssl=False)
        assert await fetch(connector, req) == b"secure /"


async def test_trusted_context(
    tls_server: RawTestServer, client_ctx: ssl.SSLContext
) -> None:
    async with TCPConnector(ssl=client_ctx) as connector:
        req = client_request(https(tls_server, "localhost", "/ok"))
        assert await fetch(connector, req) == b"secure /ok"
        # Second request: same TLS connection from the pool.
        conn = await connector.connect(req, [], None)
        assert conn.transport is not None
        assert conn.transport.get_extra_info("sslcontext") is client_ctx
        conn.release()


async def test_request_context_overrides_connector(
    tls_server: RawTestServer, client_ctx: ssl.SSLContext
) -> None:
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), ssl=client_ctx)
        assert await fetch(connector, req) == b"secure /"


async def test_server_hostname_is_verified(
    tls_server: RawTestServer, client_ctx: ssl.SSLContext
) -> None:
    resolver = FakeResolver({"other.example": "127.0.0.1"})
    async with TCPConnector(
        ssl=client_ctx, resolver=resolver, force_close=True
    ) as connector:
        # Connect by a name the certificate does not list, but ask TLS for one
        # it does.
        req = client_request(
            https(tls_server, "other.example"), server_hostname="tls.example"
        )
        assert await fetch(connector, req) == b"secure /"
        bad = client_request(https(tls_server, "other.example"))
        with pytest.raises(ClientConnectorCertificateError):
            await connector.connect(bad, [], None)


async def test_plain_server_gives_ssl_error(plain_server: RawTestServer) -> None:
    async with TCPConnector(ssl=False) as connector:
        req = client_request(https(plain_server))
        with pytest.raises(ClientConnectorError) as info:
            await connector.connect(req, [], ClientTimeout(sock_connect=10))
    # Either the handshake fails (SSL error) or the server hangs up on it.
    assert isinstance(info.value, (ClientConnectorSSLError, ClientConnectorError))


# ------------------------------------------------------------ fingerprints
async def test_fingerprint_match(
    tls_server: RawTestServer, server_cert: trustme.LeafCert
) -> None:
    fingerprint = Fingerprint(cert_digest(server_cert))
    async with TCPConnector(ssl=fingerprint) as connector:
        assert await fetch(connector, client_request(https(tls_server))) == b"secure /"


async def test_fingerprint_mismatch(tls_server: RawTestServer) -> None:
    expected = hashlib.sha256(b"another certificate").digest()
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), ssl=Fingerprint(expected))
        with pytest.raises(ServerFingerprintMismatch) as info:
            await connector.connect(req, [], None)
        assert not connector._acquired
    exc = info.value
    assert exc.expected == expected and exc.got != expected
    assert (exc.host, exc.port) == ("127.0.0.1", tls_server.port)
    assert repr(exc).startswith("<ServerFingerprintMismatch expected=")


async def test_deprecated_ssl_arguments(
    tls_server: RawTestServer, server_cert: trustme.LeafCert
) -> None:
    with pytest.warns(DeprecationWarning, match="verify_ssl is deprecated"):
        connector = TCPConnector(verify_ssl=False)
    assert connector._ssl is False
    await connector.close()
    with pytest.warns(DeprecationWarning, match="fingerprint is deprecated"):
        connector = TCPConnector(fingerprint=cert_digest(server_cert))
    assert await fetch(connector, client_request(https(tls_server))) == b"secure /"
    await connector.close()
    ctx = ssl.create_default_context()
    with pytest.warns(DeprecationWarning, match="ssl_context is deprecated"):
        connector = TCPConnector(ssl_context=ctx)
    assert connector._ssl is ctx
    await connector.close()
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="exclusive"):
        TCPConnector(ssl=False, ssl_context=ctx)


async def test_bad_ssl_argument() -> None:
    with pytest.raises(
        TypeError, match="ssl should be SSLContext, Fingerprint, or bool"
    ):
        TCPConnector(ssl="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("abort_ssl", [False, True])
async def test_close_waits_for_tls_connections(
    tls_server: RawTestServer, abort_ssl: bool
) -> None:
    connector = TCPConnector(ssl=False)
    req = client_request(https(tls_server))
    conn = await connector.connect(req, [], None)
    await roundtrip(conn, req)
    proto = conn.protocol
    conn.release()
    await connector.close(abort_ssl=abort_ssl)
    assert proto is not None and proto.closed is not None and proto.closed.done()


# ------------------------------------------------------------ proxy
@dataclass
class Proxy:
    """A tiny HTTP proxy: CONNECT tunnels, or a canned answer to plain requests."""

    answer: bytes = b"HTTP/1.1 200 Connection established\r\n\r\n"
    heads: list[bytes] = field(default_factory=list)
    port: int = 0
    server: Optional[asyncio.Server] = None
    tasks: set["asyncio.Task[None]"] = field(default_factory=set)

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head)
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ")
            if method != b"CONNECT":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied"
                    if target.startswith(b"http://")
                    else b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                )
                await writer.drain()
                return
            writer.write(self.answer)
            if not self.answer.startswith(b"HTTP/1.1 200"):
                return
            host, port = target.rsplit(b":", 1)
            up_reader, up_writer = await asyncio.open_connection(
                host.decode(), int(port)
            )
            try:
                await asyncio.gather(
                    self.pipe(reader, up_writer), self.pipe(up_reader, writer)
                )
            finally:
                up_writer.close()
        finally:
            writer.close()

    @staticmethod
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.write_eof()

    @property
    def url(self) -> URL:
        return URL(f"http://127.0.0.1:{self.port}")


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    proxy = Proxy()

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(proxy.handle(reader, writer))
        proxy.tasks.add(task)
        task.add_done_callback(proxy.tasks.discard)

    proxy.server = await asyncio.start_server(accept, "127.0.0.1", 0)
    proxy.port = proxy.server.sockets[0].getsockname()[1]
    yield proxy
    proxy.server.close()
    for task in list(proxy.tasks):
        task.cancel()
    await asyncio.gather(*proxy.tasks, return_exceptions=True)
    await proxy.server.wait_closed()


async def test_https_through_connect_proxy(
    tls_server: RawTestServer, proxy: Proxy, client_ctx: ssl.SSLContext
) -> None:
    async with TCPConnector(ssl=client_ctx) as connector:
        req = client_request(
            https(tls_server, "localhost", "/tunnel"),
            proxy=proxy.url,
            proxy_auth=BasicAuth("user", "pass"),
            proxy_headers=CIMultiDict({"X-Proxy": "yes"}),
        )
        assert await fetch(connector, req) == b"secure /tunnel"
        # The tunnel is pooled under the request's key and reused.
        assert await fetch(connector, req) == b"secure /tunnel"
    assert len(proxy.heads) == 1
    head = proxy.heads[0].decode()
    assert head.startswith(f"CONNECT localhost:{tls_server.port} HTTP/1.1\r\n")
    assert "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n" in head
    assert "X-Proxy: yes\r\n" in head
    assert f"Host: localhost:{tls_server.port}\r\n" in head


async def test_tunnel_verifies_target_certificate(
    tls_server: RawTestServer, proxy: Proxy
) -> None:
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), proxy=proxy.url)
        with pytest.raises(ClientConnectorCertificateError):
            await connector.connect(req, [], None)
        assert not connector._acquired


async def test_tunnel_fingerprint_mismatch(
    tls_server: RawTestServer, proxy: Proxy
) -> None:
    async with TCPConnector() as connector:
        wrong = Fingerprint(hashlib.sha256(b"nope").digest())
        req = client_request(https(tls_server), proxy=proxy.url, ssl=wrong)
        with pytest.raises(ServerFingerprintMismatch):
            await connector.connect(req, [], None)


async def test_proxy_refuses_tunnel(tls_server: RawTestServer, proxy: Proxy) -> None:
    proxy.answer = (
        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
        b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"
    )
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), proxy=proxy.url)
        with pytest.raises(ClientHttpProxyError) as info:
            await connector.connect(req, [], None)
        assert not connector._acquired
    exc = info.value
    assert exc.status == 407
    assert exc.message == "Proxy Authentication Required"
    assert exc.headers is not None and exc.headers["Proxy-Authenticate"] == "Basic"
    assert exc.request_info.method == "CONNECT"


async def test_plain_http_goes_to_proxy(proxy: Proxy) -> None:
    async with TCPConnector() as connector:
        req = client_request("http://target.invalid/page", proxy=proxy.url)
        conn = await connector.connect(req, [], None)
        _message, body = await roundtrip(conn, req)
        conn.release()
    assert body == b"proxied"
    assert proxy.heads[0].startswith(b"GET http://target.invalid/page HTTP/1.1\r\n")


async def test_unreachable_proxy(tls_server: RawTestServer, proxy: Proxy) -> None:
    assert proxy.server is not None
    proxy.server.close()
    await proxy.server.wait_closed()
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), proxy=proxy.url)
        with pytest.raises(ClientProxyConnectionError) as info:
            await connector.connect(req, [], None)
    assert f"127.0.0.1:{proxy.port}" in str(info.value)


def test_fingerprint_validation() -> None:
    with pytest.raises(ValueError, match="md5 and sha1 are insecure"):
        Fingerprint(hashlib.md5(b"").digest())
    with pytest.raises(ValueError, match="sha1"):
        Fingerprint(hashlib.sha1(b"").digest())
    with pytest.raises(ValueError, match="invalid length 5"):
        Fingerprint(b"12345")
    with pytest.raises(TypeError, match="sha256"):
        Fingerprint("abc")  # type: ignore[arg-type]
    digest = hashlib.sha256(b"x").digest()
    fp = Fingerprint(digest)
    assert fp.fingerprint == digest
    assert fp == Fingerprint(digest) and hash(fp) == hash(Fingerprint(digest))
    assert fp != digest
    assert repr(fp) == f"<Fingerprint sha256={digest.hex()}>"


async def test_fingerprint_ignores_plain_transport(
    plain_server: RawTestServer,
) -> None:
    async with TCPConnector() as connector:
        req = client_request(str(plain_server.make_url("/")))
        conn = await connector.connect(req, [], None)
        assert conn.transport is not None
        Fingerprint(hashlib.sha256(b"x").digest()).check(conn.transport)
        conn.release()


async def test_proxy_interim_answer_and_missing_reason(
    tls_server: RawTestServer, proxy: Proxy
) -> None:
    proxy.answer = (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 407 \r\nContent-Length: 0\r\n\r\n"
    )
    async with TCPConnector() as connector:
        req = client_request(https(tls_server), proxy=proxy.url)
        with pytest.raises(ClientHttpProxyError) as info:
            await connector.connect(req, [], None)
    assert info.value.status == 407
    assert info.value.message == "Proxy Authentication Required"


async def test_cleanup_closed_and_shutdown_timeout(tls_server: RawTestServer) -> None:
    if needs_cleanup_closed():
        connector = TCPConnector(
            ssl=False, enable_cleanup_closed=True, ssl_shutdown_timeout=1.0
        )
    else:  # pragma: no cover - Pythons with CPython gh-118960 fixed
        with pytest.warns(DeprecationWarning, match="enable_cleanup_closed ignored"):
            connector = TCPConnector(
                ssl=False, enable_cleanup_closed=True, ssl_shutdown_timeout=1.0
            )
    async with connector:
        req = client_request(https(tls_server))
        conn = await connector.connect(req, [], None)
        await roundtrip(conn, req)
        proto = conn.protocol
        conn.close()
        assert proto is not None and proto.closed is not None
        await proto.closed
