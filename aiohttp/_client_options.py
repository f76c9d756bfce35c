"""Checking and defaulting the options of a :class:`~aiohttp.ClientSession`."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, Optional, Union

from yarl import URL

from ._client_timeout import DEFAULT_TIMEOUT, ClientTimeout
from ._helpers import SENTINEL, Sentinel
from .client_exceptions import InvalidURL
from .connector import BaseConnector, TCPConnector
from .typedefs import StrOrURL

__all__ = (
    "check_base_url",
    "default_connector",
    "proxy_url",
    "session_timeout",
    "warn_ssl_shutdown_timeout",
)


def check_base_url(
    base_url: Optional[StrOrURL],
) -> tuple[Optional[URL], Optional[URL]]:
    if base_url is None:
        return None, None
    url = URL(base_url)
    if not url.absolute:
        raise ValueError(
            f"base_url={str(base_url)!r} must be an absolute URL such as "
            "'http://example.com/'"
        )
    if url.path and not url.path.endswith("/"):
        raise ValueError(
            f"base_url={str(base_url)!r} must end with '/' when it has a path, "
            f"e.g. {str(url.with_path(url.path + '/'))!r}"
        )
    return url, url.origin()


def proxy_url(proxy: Optional[StrOrURL]) -> Optional[URL]:
    if proxy is None:
        return None
    try:
        return URL(proxy)
    except (ValueError, TypeError) as exc:
        raise InvalidURL(proxy) from exc


def warn_ssl_shutdown_timeout() -> None:
    warnings.warn(
        "The ssl_shutdown_timeout parameter is deprecated and will be removed "
        "in aiohttp 4.0",
        DeprecationWarning,
        stacklevel=4,
    )


def default_connector(
    loop: Optional[asyncio.AbstractEventLoop],
    ssl_shutdown_timeout: Union[float, Sentinel],
) -> BaseConnector:
    kwargs: dict[str, Any] = {}
    if ssl_shutdown_timeout is not SENTINEL:
        warn_ssl_shutdown_timeout()
        kwargs["ssl_shutdown_timeout"] = ssl_shutdown_timeout
    if loop is not None:
        kwargs["loop"] = loop
    return TCPConnector(**kwargs)


def session_timeout(
    timeout: Union[ClientTimeout, Sentinel, None],
    read_timeout: Union[float, Sentinel, None],
    conn_timeout: Optional[float],
) -> ClientTimeout:
    if read_timeout is SENTINEL and conn_timeout is None:
        if timeout is SENTINEL:
            return DEFAULT_TIMEOUT
        if timeout is None:
            return ClientTimeout()
        if not isinstance(timeout, ClientTimeout):
            raise ValueError(
                f"timeout parameter cannot be of {type(timeout).__name__} type, "
                "please use 'timeout=ClientTimeout(...)'"
            )
        return timeout
    if timeout is not SENTINEL:
        raise ValueError(
            "read_timeout, conn_timeout and timeout parameters conflict, "
            "please use timeout argument only"
        )
    warnings.warn(
        "read_timeout and conn_timeout are deprecated, use "
        "timeout=ClientTimeout(...) instead",
        DeprecationWarning,
        stacklevel=4,
    )
    total = None if read_timeout is SENTINEL else read_timeout
    return ClientTimeout(total=total, connect=conn_timeout)
