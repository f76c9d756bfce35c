"""Proxy settings and credentials from the environment (``trust_env=True``).

``http_proxy`` / ``https_proxy`` / ``ws_proxy`` / ``wss_proxy`` choose a proxy
per scheme and ``no_proxy`` lists the hosts to reach directly, read with
:mod:`urllib.request`'s rules so the client agrees with the standard library.
Credentials missing from a proxy URL come from the user's ``.netrc`` (or the
file ``$NETRC`` names). Re-exported from :mod:`aiohttp.helpers`.
"""

import dataclasses
import netrc
import os
import platform
from pathlib import Path
from typing import Optional
from urllib.request import getproxies, proxy_bypass

from yarl import URL

from ._helpers_auth import BasicAuth, strip_auth_from_url
from .log import client_logger

__all__ = (
    "ProxyInfo",
    "basicauth_from_netrc",
    "get_env_proxy_for_url",
    "netrc_from_env",
    "proxies_from_env",
)

# The schemes a proxy can be configured for; other *_proxy variables
# (ftp_proxy, ...) mean nothing to an HTTP client.
_PROXY_SCHEMES = frozenset({"http", "https", "ws", "wss"})
# Talking TLS to the proxy itself is not supported: such a proxy is skipped
# with a warning rather than used in clear text.
_UNSUPPORTED_PROXY_SCHEMES = frozenset({"https", "wss"})


@dataclasses.dataclass(frozen=True, slots=True)
class ProxyInfo:
    """A proxy URL (without credentials) and the credentials to send to it."""

    proxy: URL
    proxy_auth: Optional[BasicAuth]


def netrc_from_env() -> Optional[netrc.netrc]:
    """Parse the ``.netrc`` file: ``$NETRC``, else ``~/.netrc`` (``~/_netrc``
    on Windows); None when there is none or it cannot be used.

    A file that exists but cannot be read or parsed is logged as a warning on
    ``aiohttp.client`` instead of failing the request.
    """
    netrc_env = os.environ.get("NETRC")
    if netrc_env is not None:
        netrc_path = Path(netrc_env)
    else:
        try:
            home = Path.home()
        except RuntimeError:
            client_logger.debug("Could not find the home directory to look for .netrc")
            return None
        name = "_netrc" if platform.system() == "Windows" else ".netrc"
        netrc_path = home / name
    try:
        return netrc.netrc(str(netrc_path))
    except netrc.NetrcParseError as exc:
        client_logger.warning("Could not parse .netrc file: %s", exc)
    except OSError as exc:
        exists = False
        try:
            exists = netrc_path.is_file()
        except OSError:
            pass
        # A missing default ~/.netrc is normal; anything else deserves a word.
        if netrc_env or exists:
            client_logger.warning("Could not read .netrc file: %s", exc)
    return None


def basicauth_from_netrc(netrc_obj: Optional[netrc.netrc], host: str) -> BasicAuth:
    """The credentials ``.netrc`` holds for *host* (or its ``default`` entry).

    Raises LookupError when there is no netrc or no entry applies.
    """
    if netrc_obj is None:
        raise LookupError("No .netrc file found (set $NETRC or create ~/.netrc)")
    entry = netrc_obj.authenticators(host)
    if entry is None:
        raise LookupError(f"No entry for {host!s} found in the .netrc file")
    login, account, password = entry
    # netrc allows "account" without "login"; use it as the user name then.
    username = login if (login or account is None) else account
    return BasicAuth(username or "", password or "")


def proxies_from_env() -> dict[str, ProxyInfo]:
    """The proxies the environment configures, keyed by URL scheme.

    Credentials in the proxy URL win; otherwise ``.netrc`` is consulted for
    the proxy host.
    """
    proxy_urls = {
        scheme: URL(value)
        for scheme, value in getproxies().items()
        if scheme in _PROXY_SCHEMES
    }
    netrc_obj = netrc_from_env()
    result: dict[str, ProxyInfo] = {}
    for scheme, url in proxy_urls.items():
        proxy, auth = strip_auth_from_url(url)
        if proxy.scheme in _UNSUPPORTED_PROXY_SCHEMES:
            client_logger.warning(
                "%s proxies %s are not supported, ignoring", proxy.scheme.upper(), proxy
            )
            continue
        if auth is None and netrc_obj is not None and proxy.host is not None:
            try:
                auth = basicauth_from_netrc(netrc_obj, proxy.host)
            except LookupError:
                auth = None
        result[scheme] = ProxyInfo(proxy, auth)
    return result


def get_env_proxy_for_url(url: URL) -> tuple[URL, Optional[BasicAuth]]:
    """The proxy and credentials the environment gives for *url*.

    Raises LookupError when ``no_proxy`` excludes the host or no proxy is set
    for its scheme.
    """
    if url.host is not None and proxy_bypass(url.host):
        raise LookupError(f"Proxying is disallowed for {url.host!r} by no_proxy")
    proxies = proxies_from_env()
    try:
        info = proxies[url.scheme]
    except KeyError:
        raise LookupError(f"No proxies found for {url!s} in the environment") from None
    return info.proxy, info.proxy_auth
