"""Client exceptions: aiohttp's hierarchy, constructors, attributes and messages."""

import asyncio
import errno
import pickle
import ssl

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import aiohttp.client_exceptions as ce
from aiohttp._client_base import ConnectionKey
from aiohttp._client_response import RequestInfo

KEY = ConnectionKey("example.com", 443, True, True, None, None, None)
INFO = RequestInfo(
    URL("http://example.com/a"),
    "GET",
    CIMultiDictProxy(CIMultiDict()),
    URL("http://example.com/a#frag"),
)

HIERARCHY = [
    (ce.ClientConnectionError, (ce.ClientError,)),
    (ce.ClientConnectionResetError, (ce.ClientConnectionError, ConnectionResetError)),
    (ce.ClientOSError, (ce.ClientConnectionError, OSError)),
    (ce.ClientConnectorError, (ce.ClientOSError,)),
    (ce.ClientConnectorDNSError, (ce.ClientConnectorError,)),
    (ce.ClientProxyConnectionError, (ce.ClientConnectorError,)),
    (ce.UnixClientConnectorError, (ce.ClientConnectorError,)),
    (ce.ClientSSLError, (ce.ClientConnectorError,)),
    (ce.ClientConnectorSSLError, (ce.ClientSSLError, ssl.SSLError)),
    (ce.ClientConnectorCertificateError, (ce.ClientSSLError, ssl.CertificateError)),
    (ce.ServerConnectionError, (ce.ClientConnectionError,)),
    (ce.ServerDisconnectedError, (ce.ServerConnectionError,)),
    (ce.ServerFingerprintMismatch, (ce.ServerConnectionError,)),
    (ce.ServerTimeoutError, (ce.ServerConnectionError, asyncio.TimeoutError)),
    (ce.ConnectionTimeoutError, (ce.ServerTimeoutError,)),
    (ce.SocketTimeoutError, (ce.ServerTimeoutError,)),
    (ce.ClientPayloadError, (ce.ClientError,)),
    (ce.ClientResponseError, (ce.ClientError,)),
    (ce.ClientHttpProxyError, (ce.ClientResponseError,)),
    (ce.ContentTypeError, (ce.ClientResponseError,)),
    (ce.TooManyRedirects, (ce.ClientResponseError,)),
    (ce.WSServerHandshakeError, (ce.ClientResponseError,)),
    (ce.InvalidURL, (ce.ClientError, ValueError)),
    (ce.InvalidUrlClientError, (ce.InvalidURL,)),
    (ce.RedirectClientError, (ce.ClientError,)),
    (ce.NonHttpUrlClientError, (ce.ClientError,)),
    (
        ce.InvalidUrlRedirectClientError,
        (ce.InvalidUrlClientError, ce.RedirectClientError),
    ),
    (
        ce.NonHttpUrlRedirectClientError,
        (ce.NonHttpUrlClientError, ce.RedirectClientError),
    ),
    (ce.WSMessageTypeError, (TypeError,)),
]


@pytest.mark.parametrize(("cls", "bases"), HIERARCHY)
def test_hierarchy(cls: type, bases: tuple[type, ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)


def test_all_exported() -> None:
    assert {cls.__name__ for cls, _ in HIERARCHY} | {"ClientError"} == set(ce.__all__)


def test_client_response_error() -> None:
    headers = CIMultiDict({"X": "1"})
    exc = ce.ClientResponseError(
        INFO, (), status=404, message="Not Found", headers=headers
    )
    assert exc.request_info is INFO and exc.history == ()
    assert (exc.status, exc.message, exc.headers) == (404, "Not Found", headers)
    assert exc.args == (INFO, ())
    assert str(exc) == "404, message='Not Found', url='http://example.com/a#frag'"
    assert repr(exc) == (
        f"ClientResponseError({INFO!r}, (), status=404, message='Not Found', "
        f"headers={headers!r})"
    )
    bare = ce.ClientResponseError(INFO, ())
    assert bare.status == 0 and repr(bare) == f"ClientResponseError({INFO!r}, ())"


def test_client_response_error_code_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="code argument is deprecated"):
        exc = ce.ClientResponseError(INFO, (), code=400)
    assert exc.status == 400
    with pytest.warns(DeprecationWarning, match="code property"):
        assert exc.code == 400
    with pytest.warns(DeprecationWarning, match="code property"):
        exc.code = 401
    assert exc.status == 401
    with pytest.raises(ValueError, match="Both code and status"):
        ce.ClientResponseError(INFO, (), code=1, status=2)


def test_connector_error() -> None:
    os_error = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    exc = ce.ClientConnectorError(KEY, os_error)
    assert exc.os_error is os_error
    assert (exc.host, exc.port, exc.ssl) == ("example.com", 443, True)
    assert exc.errno == errno.ECONNREFUSED and exc.strerror == "Connection refused"
    assert exc.args == (KEY, os_error)
    assert str(exc) == (
        "Cannot connect to host example.com:443 ssl:default [Connection refused]"
    )
    no_ssl = ce.ClientConnectorError(KEY._replace(ssl=False), OSError("boom"))
    assert str(no_ssl) == "Cannot connect to host example.com:443 ssl:False [boom]"
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is ce.ClientConnectorError and str(copy) == str(exc)


def test_dns_error() -> None:
    exc = ce.ClientConnectorDNSError(KEY, OSError(None, "Name not known"))
    assert exc.errno is None
    assert str(exc).endswith("[Name not known]")


def test_unix_connector_error() -> None:
    exc = ce.UnixClientConnectorError("/tmp/s.sock", KEY, FileNotFoundError(2, "gone"))
    assert exc.path == "/tmp/s.sock"
    assert exc.args[0] == "/tmp/s.sock"
    assert str(exc) == "Cannot connect to unix socket /tmp/s.sock ssl:default [gone]"


def test_certificate_error() -> None:
    cert_error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc = ce.ClientConnectorCertificateError(KEY, cert_error)
    assert exc.certificate_error is cert_error and exc.os_error is cert_error
    assert exc.args == (KEY, cert_error)
    assert str(exc) == (
        "Cannot connect to host example.com:443 ssl:default "
        "[SSLCertVerificationError: (1, 'certificate verify failed')]"
    )
    plain = ce.ClientConnectorCertificateError(KEY, ValueError("odd"))
    assert isinstance(plain.os_error, OSError)


def test_ssl_error() -> None:
    exc = ce.ClientConnectorSSLError(KEY, ssl.SSLError(1, "bad"))
    assert isinstance(exc, ssl.SSLError) and exc.host == "example.com"


def test_server_disconnected() -> None:
    exc = ce.ServerDisconnectedError()
    assert exc.message == "Server disconnected" and exc.args == ("Server disconnected",)
    assert str(exc) == "Server disconnected"
    assert ce.ServerDisconnectedError("partial").message == "partial"


def test_fingerprint_mismatch() -> None:
    exc = ce.ServerFingerprintMismatch(b"a", b"b", "h", 1)
    assert (exc.expected, exc.got, exc.host, exc.port) == (b"a", b"b", "h", 1)
    assert (
        repr(exc)
        == "<ServerFingerprintMismatch expected=b'a' got=b'b' host='h' port=1>"
    )


def test_invalid_url() -> None:
    url = URL("http:///x")
    exc = ce.InvalidURL(url)
    assert exc.url is url and exc.description is None
    assert exc.args == (url,)
    assert str(exc) == "http:///x" and repr(exc) == "<InvalidURL http:///x>"
    described = ce.InvalidUrlClientError("bad", "no host")
    assert described.args == ("bad", "no host")
    assert str(described) == "bad - no host"
    assert repr(described) == "<InvalidUrlClientError bad - no host>"


def test_timeouts_are_asyncio_timeouts() -> None:
    with pytest.raises(asyncio.TimeoutError):
        raise ce.ConnectionTimeoutError("Connection timeout to host x")
    with pytest.raises(ce.ServerTimeoutError):
        raise ce.SocketTimeoutError("Timeout on reading data from socket")
