"""HTTPS: verification on by default, ssl=False, ssl=context, fingerprints."""

import hashlib
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import trustme

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_cert(ca: trustme.CA) -> trustme.LeafCert:
    return ca.issue_cert("localhost", "127.0.0.1")


@pytest.fixture
def client_ctx(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


@pytest.fixture
async def tls_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], server_cert: trustme.LeafCert
) -> TestServer:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=f"secure={request.secure}")

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(ctx)
    app = web.Application()
    app.router.add_get("/", handler)
    return await aiohttp_server(app, ssl=ctx)


async def test_verification_on_by_default(tls_server: TestServer) -> None:
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await sess.get(tls_server.make_url("/"))


async def test_ssl_false_skips_verification(tls_server: TestServer) -> None:
    async with aiohttp.ClientSession() as sess:
        async with sess.get(tls_server.make_url("/"), ssl=False) as resp:
            assert await resp.text() == "secure=True"


async def test_ssl_context(tls_server: TestServer, client_ctx: ssl.SSLContext) -> None:
    async with aiohttp.ClientSession() as sess:
        async with sess.get(tls_server.make_url("/"), ssl=client_ctx) as resp:
            assert resp.url.scheme == "https"
            assert await resp.text() == "secure=True"


async def test_server_hostname(
    tls_server: TestServer, client_ctx: ssl.SSLContext
) -> None:
    url = tls_server.make_url("/")
    async with aiohttp.ClientSession() as sess:
        kwargs: dict[str, Any] = {"ssl": client_ctx, "server_hostname": "localhost"}
        async with sess.get(url, **kwargs) as resp:
            assert resp.status == 200
    # A fresh session: the pool would hand back the verified connection.
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await sess.get(url, ssl=client_ctx, server_hostname="example.org")


async def test_fingerprint(
    tls_server: TestServer, server_cert: trustme.LeafCert
) -> None:
    der = ssl.PEM_cert_to_DER_cert(server_cert.cert_chain_pems[0].bytes().decode())
    good = aiohttp.Fingerprint(hashlib.sha256(der).digest())
    bad = aiohttp.Fingerprint(hashlib.sha256(b"other").digest())
    async with aiohttp.ClientSession() as sess:
        async with sess.get(tls_server.make_url("/"), ssl=good) as resp:
            assert resp.status == 200
        with pytest.raises(aiohttp.ServerFingerprintMismatch):
            await sess.get(tls_server.make_url("/"), ssl=bad)


async def test_connector_ssl_setting(
    tls_server: TestServer, client_ctx: ssl.SSLContext
) -> None:
    connector = aiohttp.TCPConnector(ssl=client_ctx)
    async with aiohttp.ClientSession(connector=connector) as sess:
        async with sess.get(tls_server.make_url("/")) as resp:
            assert resp.status == 200


async def test_ssl_none_means_default_verification(tls_server: TestServer) -> None:
    # aiohttp 3.x takes ssl=None as the default (True): verification stays on.
    async with aiohttp.ClientSession() as sess:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await sess.get(tls_server.make_url("/"), ssl=None)


async def test_deprecated_request_tls_keywords(
    tls_server: TestServer, client_ctx: ssl.SSLContext, server_cert: trustme.LeafCert
) -> None:
    der = ssl.PEM_cert_to_DER_cert(server_cert.cert_chain_pems[0].bytes().decode())
    url = tls_server.make_url("/")
    async with aiohttp.ClientSession() as sess:
        with pytest.warns(DeprecationWarning, match="verify_ssl is deprecated"):
            async with sess.get(url, verify_ssl=False) as resp:
                assert await resp.text() == "secure=True"
        with pytest.warns(DeprecationWarning, match="ssl_context is deprecated"):
            async with sess.get(url, ssl_context=client_ctx) as resp:
                assert resp.status == 200
        digest = hashlib.sha256(der).digest()
        with pytest.warns(DeprecationWarning, match="fingerprint is deprecated"):
            async with sess.get(url, fingerprint=digest) as resp:
                assert resp.status == 200
        # verify_ssl=True is the default: no warning, verification on.
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await sess.get(url, verify_ssl=True)
        with (
            pytest.warns(DeprecationWarning),
            pytest.raises(ValueError, match="mutually exclusive"),
        ):
            await sess.get(url, ssl=False, ssl_context=client_ctx)
        with pytest.raises(TypeError, match="ssl should be"):
            await sess.get(url, ssl="yes")
