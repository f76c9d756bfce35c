"""Small value types shared by the client's request side and its connector.

:class:`ConnectionKey` names a pool of interchangeable connections and
:class:`Fingerprint` pins a server certificate. Both are re-exported from
``aiohttp.client_reqrep`` (their public home in aiohttp) and ``Fingerprint``
also from ``aiohttp``.
"""

import asyncio
import hashlib
import ssl
from typing import TYPE_CHECKING, Final, NamedTuple, Optional, Union

from yarl import URL

from .client_exceptions import ServerFingerprintMismatch

if TYPE_CHECKING:
    from .helpers import BasicAuth

__all__ = ("ConnectionKey", "Fingerprint")

# Schemes whose connections are encrypted.
_SSL_SCHEMES: Final = frozenset({"https", "wss"})

# Digest length -> the hash that produces it, to recognise what was passed.
_INSECURE_DIGESTS: Final = {16: "md5", 20: "sha1"}
_SHA256_SIZE: Final = 32


class Fingerprint:
    """Pins a server certificate by the SHA-256 digest of its DER form.

    Pass it as ``ssl=Fingerprint(digest)``: the connection is refused with
    :class:`~aiohttp.ServerFingerprintMismatch` unless the certificate the
    server presents has exactly this digest (its chain is not verified).
    """

    __slots__ = ("_fingerprint",)

    def __init__(self, fingerprint: bytes) -> None:
        if not isinstance(fingerprint, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"fingerprint must be the bytes of a SHA-256 digest, got "
                f"{type(fingerprint).__name__}: use hashlib.sha256(der_cert).digest()"
            )
        fingerprint = bytes(fingerprint)
        size = len(fingerprint)
        if size in _INSECURE_DIGESTS:
            raise ValueError(
                f"fingerprint looks like an {_INSECURE_DIGESTS[size]} digest: md5 "
                "and sha1 are insecure and not supported, use a sha256 digest"
            )
        if size != _SHA256_SIZE:
            raise ValueError(
                f"fingerprint has invalid length {size}: expected the 32 bytes "
                "of a sha256 digest"
            )
        self._fingerprint = fingerprint

    @property
    def fingerprint(self) -> bytes:
        """The expected SHA-256 digest."""
        return self._fingerprint

    def __repr__(self) -> str:
        return f"<Fingerprint sha256={self._fingerprint.hex()}>"

    # Equal digests pin the same certificate: let them share a connection pool.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self._fingerprint == other._fingerprint

    def __hash__(self) -> int:
        return hash((Fingerprint, self._fingerprint))

    def check(self, transport: asyncio.BaseTransport) -> None:
        """Raise ServerFingerprintMismatch unless *transport*'s peer certificate
        matches; a transport without TLS is not checked."""
        if not transport.get_extra_info("sslcontext"):
            return
        sslobj: Optional[ssl.SSLObject] = transport.get_extra_info("ssl_object")
        cert = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
        got = hashlib.sha256(cert or b"").digest()
        if got != self._fingerprint:
            peer = transport.get_extra_info("peername") or ("", 0)
            raise ServerFingerprintMismatch(self._fingerprint, got, peer[0], peer[1])


class ConnectionKey(NamedTuple):
    """What makes two requests able to share a connection.

    Requests with equal keys go to the same pool; ``proxy_headers_hash`` is a
    hash of the proxy headers (which are not hashable themselves).
    """

    host: str
    port: Optional[int]
    is_ssl: bool
    ssl: Union[ssl.SSLContext, bool, Fingerprint]
    proxy: Optional[URL]
    proxy_auth: Optional["BasicAuth"]
    proxy_headers_hash: Optional[int]
