"""TLS settings of the connector: which SSLContext a request gets, and errors.

``ssl=`` may be ``True`` (verify with the system's CAs), ``False`` (no
verification), an :class:`ssl.SSLContext` (used as is) or a
:class:`~aiohttp.Fingerprint` (no chain verification; the certificate's
digest is checked instead). A request's own ``ssl`` wins over the
connector's, unless it is the default ``True``.
"""

import asyncio
import ssl
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, Optional, Union

from ._client_base import Fingerprint
from .client_exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
)

if TYPE_CHECKING:
    from ._client_base import ConnectionKey

__all__ = (
    "CERT_ERRORS",
    "SSL_ERRORS",
    "SSLParam",
    "connect_errors",
    "fingerprint_for",
    "merge_ssl_params",
    "needs_cleanup_closed",
    "ssl_context_for",
)

SSLParam = Union[ssl.SSLContext, bool, Fingerprint]

# Verification failures first: SSLCertVerificationError is also an SSLError.
CERT_ERRORS: Final = (ssl.CertificateError,)
SSL_ERRORS: Final = (ssl.SSLError,)

_contexts: dict[bool, ssl.SSLContext] = {}


@contextmanager
def connect_errors(
    key: "ConnectionKey", error: type[ClientConnectorError] = ClientConnectorError
) -> Iterator[None]:
    """Map what opening a connection (and its TLS) raises to client errors.

    Certificate failures, other TLS failures, then any other ``OSError`` as
    *error*; a timeout passes through for the caller's deadline to report.
    """
    try:
        yield
    except CERT_ERRORS as exc:
        raise ClientConnectorCertificateError(key, exc) from exc
    except SSL_ERRORS as exc:
        raise ClientConnectorSSLError(key, exc) from exc
    except OSError as exc:
        if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
            raise
        raise error(key, exc) from exc


def _make_context(verified: bool) -> ssl.SSLContext:
    if verified:
        context = ssl.create_default_context()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.options |= ssl.OP_NO_COMPRESSION
        context.set_default_verify_paths()
    # We only speak HTTP/1.1: say so, so that no server picks h2 for us.
    context.set_alpn_protocols(["http/1.1"])
    return context


def _context(verified: bool) -> ssl.SSLContext:
    # Built on first use (loading the CA store takes a while) and shared:
    # contexts are safe to reuse and carry the session cache.
    context = _contexts.get(verified)
    if context is None:
        context = _contexts[verified] = _make_context(verified)
    return context


def ssl_context_for(request_ssl: SSLParam, connector_ssl: SSLParam) -> ssl.SSLContext:
    """The context for a TLS connection, from the request's and connector's ``ssl``."""
    for value in (request_ssl, connector_ssl):
        if isinstance(value, ssl.SSLContext):
            return value
        if value is not True:  # False or a Fingerprint: no chain verification
            return _context(False)
    return _context(True)


def fingerprint_for(
    request_ssl: SSLParam, connector_ssl: SSLParam
) -> Optional[Fingerprint]:
    """The certificate pin to check, if either setting is a Fingerprint."""
    if isinstance(request_ssl, Fingerprint):
        return request_ssl
    if isinstance(connector_ssl, Fingerprint):
        return connector_ssl
    return None


def _deprecated(name: str, instead: str) -> None:
    warnings.warn(
        f"{name} is deprecated, use {instead} instead",
        DeprecationWarning,
        stacklevel=4,
    )


def _exclusive(ssl_value: object) -> None:
    if ssl_value is not True:
        raise ValueError(
            "verify_ssl, ssl_context, fingerprint and ssl parameters are "
            "mutually exclusive: pass only ssl="
        )


def merge_ssl_params(
    ssl_value: Union[SSLParam, None],
    verify_ssl: bool,
    ssl_context: Optional[ssl.SSLContext],
    fingerprint: Optional[bytes],
) -> SSLParam:
    """Fold the deprecated TLS arguments into one ``ssl`` value and check it."""
    if ssl_value is None:
        ssl_value = True
    if not verify_ssl:
        _deprecated("verify_ssl", "ssl=False")
        _exclusive(ssl_value)
        ssl_value = False
    if ssl_context is not None:
        _deprecated("ssl_context", "ssl=ssl_context")
        _exclusive(ssl_value)
        ssl_value = ssl_context
    if fingerprint is not None:
        _deprecated("fingerprint", "ssl=aiohttp.Fingerprint(digest)")
        _exclusive(ssl_value)
        ssl_value = Fingerprint(fingerprint)
    if not isinstance(ssl_value, (bool, ssl.SSLContext, Fingerprint)):
        raise TypeError(
            f"ssl should be SSLContext, Fingerprint, or bool, got {ssl_value!r} instead"
        )
    return ssl_value


def needs_cleanup_closed() -> bool:
    """Whether this Python can leak TLS transports on close (CPython gh-118960)."""
    version = sys.version_info
    return version < (3, 12, 7) or (3, 13) <= version < (3, 13, 1)
