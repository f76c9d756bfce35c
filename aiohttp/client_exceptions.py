"""Exceptions raised by the HTTP client.

The hierarchy is aiohttp's, so ``except`` clauses written for aiohttp catch
the same failures here. Each class also derives from the standard exception it
stands for (``ClientOSError`` is an :class:`OSError`, ``ServerTimeoutError`` an
:class:`asyncio.TimeoutError`, ``InvalidURL`` a :class:`ValueError`, ...), so
code that only knows the standard types keeps working.

::

    ClientError
    ├── ClientConnectionError
    │   ├── ClientConnectionResetError (also ConnectionResetError)
    │   ├── ClientOSError (also OSError)
    │   │   └── ClientConnectorError
    │   │       ├── ClientConnectorDNSError
    │   │       ├── ClientProxyConnectionError
    │   │       ├── UnixClientConnectorError
    │   │       └── ClientSSLError
    │   │           ├── ClientConnectorCertificateError (also ssl.CertificateError)
    │   │           └── ClientConnectorSSLError (also ssl.SSLError)
    │   └── ServerConnectionError
    │       ├── ServerDisconnectedError
    │       ├── ServerFingerprintMismatch
    │       └── ServerTimeoutError (also asyncio.TimeoutError)
    │           ├── ConnectionTimeoutError
    │           └── SocketTimeoutError
    ├── ClientPayloadError
    ├── ClientResponseError
    │   ├── ClientHttpProxyError
    │   ├── ContentTypeError
    │   ├── TooManyRedirects
    │   └── WSServerHandshakeError
    ├── InvalidURL (also ValueError)
    │   └── InvalidUrlClientError
    │       └── InvalidUrlRedirectClientError
    ├── NonHttpUrlClientError
    │   └── NonHttpUrlRedirectClientError
    └── RedirectClientError
        ├── InvalidUrlRedirectClientError
        └── NonHttpUrlRedirectClientError
"""

import asyncio
import ssl
import warnings
from typing import TYPE_CHECKING, Any, Optional, Union

from multidict import MultiMapping

if TYPE_CHECKING:
    from ._client_base import ConnectionKey

__all__ = (
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "UnixClientConnectorError",
    "WSMessageTypeError",
    "WSServerHandshakeError",
)


class ClientError(Exception):
    """Base class of every exception the client raises."""


# --------------------------------------------------------------- responses
class ClientResponseError(ClientError):
    """The server answered, but the response cannot be used as it is.

    ``request_info`` describes the request (its ``real_url`` is shown in the
    message), ``history`` holds the redirect responses that led here.
    """

    def __init__(
        self,
        request_info: Any,
        history: tuple[Any, ...],
        *,
        code: Optional[int] = None,
        status: Optional[int] = None,
        message: str = "",
        headers: Optional[MultiMapping[str]] = None,
    ) -> None:
        self.request_info = request_info
        if code is not None:
            if status is not None:
                raise ValueError(
                    "Both code and status arguments are provided; "
                    "code is deprecated, use status instead"
                )
            warnings.warn(
                "code argument is deprecated, use status instead",
                DeprecationWarning,
                stacklevel=2,
            )
            status = code
        self.status = 0 if status is None else status
        self.message = message
        self.headers = headers
        self.history = history
        self.args = (request_info, history)

    def __str__(self) -> str:
        url = getattr(self.request_info, "real_url", self.request_info)
        return f"{self.status}, message={self.message!r}, url={str(url)!r}"

    def __repr__(self) -> str:
        args = f"{self.request_info!r}, {self.history!r}"
        if self.status != 0:
            args += f", status={self.status!r}"
        if self.message != "":
            args += f", message={self.message!r}"
        if self.headers is not None:
            args += f", headers={self.headers!r}"
        return f"{type(self).__name__}({args})"

    @property
    def code(self) -> int:
        """Deprecated alias of :attr:`status`."""
        warnings.warn(
            "code property is deprecated, use status instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.status

    @code.setter
    def code(self, value: int) -> None:
        warnings.warn(
            "code property is deprecated, use status instead",
            DeprecationWarning,
            stacklevel=2,
        )
        self.status = value


class ContentTypeError(ClientResponseError):
    """The response's Content-Type does not fit the reader (e.g. ``json()``)."""


class WSServerHandshakeError(ClientResponseError):
    """The server refused or botched the WebSocket handshake."""


class ClientHttpProxyError(ClientResponseError):
    """The HTTP proxy answered the tunnel request with an error status."""


class TooManyRedirects(ClientResponseError):
    """The server redirected more often than ``max_redirects`` allows."""


class ClientPayloadError(ClientError):
    """The response body is broken: bad compression, bad chunking or cut short."""


# -------------------------------------------------------------- connection
class ClientConnectionError(ClientError):
    """A low-level connection problem."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset while the client was using it."""


class ClientOSError(ClientConnectionError, OSError):
    """A connection problem that comes from an :class:`OSError`."""


def _ssl_text(value: object) -> str:
    return "default" if value is True else str(value)


class ClientConnectorError(ClientOSError):
    """The connector could not connect to ``host:port``.

    Built from the :class:`ConnectionKey` it tried and the :class:`OSError`
    that stopped it; ``errno`` and ``strerror`` are the OS error's.
    """

    def __init__(self, connection_key: "ConnectionKey", os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        """The error the operating system (or resolver) reported."""
        return self._os_error

    @property
    def host(self) -> str:
        return self._conn_key.host

    @property
    def port(self) -> Optional[int]:
        return self._conn_key.port

    @property
    def ssl(self) -> Any:
        """The ``ssl`` setting of the connection: a bool, context or Fingerprint."""
        return self._conn_key.ssl

    def _reason(self) -> str:
        # An OSError built from a bare message has no strerror: show the message.
        return str(self.strerror if self.strerror is not None else self._os_error)

    def __str__(self) -> str:
        return (
            f"Cannot connect to host {self.host}:{self.port} "
            f"ssl:{_ssl_text(self.ssl)} [{self._reason()}]"
        )

    # OSError pickles by its errno/strerror arguments: rebuild from ours.
    def __reduce__(self) -> Any:
        return type(self), self.args


class ClientConnectorDNSError(ClientConnectorError):
    """The host name could not be resolved."""


class ClientProxyConnectionError(ClientConnectorError):
    """The connector could not connect to the proxy."""


class UnixClientConnectorError(ClientConnectorError):
    """The connector could not connect to the Unix socket at ``path``."""

    def __init__(
        self, path: str, connection_key: "ConnectionKey", os_error: OSError
    ) -> None:
        self._path = path
        super().__init__(connection_key, os_error)
        self.args = (path, connection_key, os_error)

    @property
    def path(self) -> str:
        return self._path

    def __str__(self) -> str:
        return (
            f"Cannot connect to unix socket {self.path} "
            f"ssl:{_ssl_text(self.ssl)} [{self._reason()}]"
        )


class ClientSSLError(ClientConnectorError):
    """The TLS handshake with the server failed."""


class ClientConnectorSSLError(ClientSSLError, ssl.SSLError):
    """A TLS error other than certificate verification (protocol, cipher...)."""


class ClientConnectorCertificateError(ClientSSLError, ssl.CertificateError):
    """The server's certificate failed verification."""

    def __init__(
        self, connection_key: "ConnectionKey", certificate_error: Exception
    ) -> None:
        self._conn_key = connection_key
        self._certificate_error = certificate_error
        self._os_error = (
            certificate_error
            if isinstance(certificate_error, OSError)
            else OSError(None, str(certificate_error))
        )
        self.args = (connection_key, certificate_error)

    @property
    def certificate_error(self) -> Exception:
        """The verification error raised by the :mod:`ssl` module."""
        return self._certificate_error

    def __str__(self) -> str:
        error = self._certificate_error
        return (
            f"Cannot connect to host {self.host}:{self.port} "
            f"ssl:{_ssl_text(self.ssl)} [{type(error).__name__}: {error.args}]"
        )


class ServerConnectionError(ClientConnectionError):
    """The server misbehaved at the connection level."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before sending a (complete) response.

    ``message`` holds the partially parsed message, or a text.
    """

    def __init__(self, message: Union[Any, str, None] = None) -> None:
        if message is None:
            message = "Server disconnected"
        self.args = (message,)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A client operation on the server timed out."""


class ConnectionTimeoutError(ServerTimeoutError):
    """Connecting (pool wait, DNS, TCP and TLS set-up) took too long."""


class SocketTimeoutError(ServerTimeoutError):
    """Nothing was received from the socket for ``sock_read`` seconds."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server's certificate does not have the expected SHA-256 digest."""

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected = expected
        self.got = got
        self.host = host
        self.port = port
        self.args = (expected, got, host, port)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} expected={self.expected!r} "
            f"got={self.got!r} host={self.host!r} port={self.port!r}>"
        )


# -------------------------------------------------------------------- URLs
class InvalidURL(ClientError, ValueError):
    """The URL cannot be requested, e.g. it has no host part.

    ``url`` is the offending URL, ``description`` says why (or is ``None``).
    """

    def __init__(self, url: Any, description: Union[str, None] = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> Any:
        return self._url

    @property
    def description(self) -> Optional[str]:
        return self._description

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)


class InvalidUrlClientError(InvalidURL):
    """A URL given to the client is malformed."""


class RedirectClientError(ClientError):
    """Base of the errors about a redirect the client cannot follow."""


class NonHttpUrlClientError(ClientError):
    """The URL's scheme is not one the client can request (http, https, ...)."""


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect's Location is malformed."""


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect points to a URL whose scheme the client cannot request."""


class WSMessageTypeError(TypeError):
    """A WebSocket message is not of the type the reader asked for."""
