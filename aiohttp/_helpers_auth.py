"""HTTP Basic authentication credentials (RFC 7617) and URL user info.

Re-exported from :mod:`aiohttp.helpers`; ``aiohttp.BasicAuth`` is the public
name.
"""

import base64
import binascii
import ipaddress
from typing import NamedTuple, Optional, Union

from yarl import URL

__all__ = ("BasicAuth", "is_ip_address", "strip_auth_from_url")


class _BasicAuthFields(NamedTuple):
    login: str
    password: str
    encoding: str


class BasicAuth(_BasicAuthFields):
    """Login and password for the ``Authorization: Basic`` header.

    A named tuple ``(login, password, encoding)``, so it compares, hashes and
    unpacks like one; *encoding* turns the text into the bytes that are
    base64-encoded (latin-1 by default, as RFC 7617 leaves it to the parties).
    """

    __slots__ = ()

    def __new__(
        cls, login: str, password: str = "", encoding: str = "latin1"
    ) -> "BasicAuth":
        if login is None:
            raise ValueError("BasicAuth login must be a str, not None")
        if password is None:
            raise ValueError(
                "BasicAuth password must be a str, not None (use '' for none)"
            )
        if ":" in login:
            # The user-id ends at the first colon (RFC 7617 section 2), so a
            # login holding one could never be decoded back.
            raise ValueError(
                f"BasicAuth login {login!r} contains ':', which RFC 7617 forbids "
                "in a user-id; put it in the password or choose another login"
            )
        return super().__new__(cls, login, password, encoding)

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> "BasicAuth":
        """Parse an ``Authorization`` header value such as ``Basic dXNlcjpwdw==``.

        Raises ValueError when the scheme is not Basic, the base64 is broken
        or the decoded credentials hold no ``:``.
        """
        parts = auth_header.strip().split(" ")
        if len(parts) != 2 or not parts[1]:
            raise ValueError(
                f"Could not parse authorization header {auth_header!r}: "
                "expected 'Basic <base64 credentials>'"
            )
        scheme, token = parts
        if scheme.strip().lower() != "basic":
            raise ValueError(
                f"Unknown authorization method {scheme!r}: only 'Basic' is decoded"
            )
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError(
                f"Invalid base64 encoding in authorization header {auth_header!r}"
            ) from None
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ValueError(
                f"Basic credentials are not valid {encoding}; pass the "
                "encoding the client used, e.g. encoding='utf-8'"
            ) from None
        login, colon, password = decoded.partition(":")
        if not colon:
            raise ValueError(
                "Invalid credentials: the decoded value has no ':' between "
                "login and password"
            )
        return cls(login, password, encoding=encoding)

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> Optional["BasicAuth"]:
        """Credentials from the user info of *url*, or None when it has none."""
        if not isinstance(url, URL):
            raise TypeError(
                f"BasicAuth.from_url() needs a yarl.URL, got {type(url).__name__}; "
                "wrap a string with URL(...)"
            )
        if url.raw_user is None and url.raw_password is None:
            return None
        return cls(url.user or "", url.password or "", encoding=encoding)

    def encode(self) -> str:
        """The ``Authorization`` header value for these credentials."""
        credentials = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(credentials).decode("ascii")


def strip_auth_from_url(url: URL) -> tuple[URL, Optional[BasicAuth]]:
    """Split *url* into the URL without user info and its credentials."""
    auth = BasicAuth.from_url(url)
    if auth is None:
        return url, None
    return url.with_user(None), auth


def is_ip_address(host: Union[str, bytes, bytearray, memoryview, None]) -> bool:
    """Whether *host* is an IPv4 or IPv6 literal (brackets and zone allowed)."""
    if host is None:
        return False
    if not isinstance(host, str):
        host = bytes(host).decode("ascii", "replace")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
