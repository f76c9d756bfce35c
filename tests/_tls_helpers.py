"""TLS contexts for tests: a throwaway CA and a certificate for 127.0.0.1."""

from __future__ import annotations

import ssl

import trustme


def tls_contexts(host: str = "127.0.0.1") -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context): the client trusts the server's cert."""
    ca = trustme.CA()
    cert = ca.issue_cert(host)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx
