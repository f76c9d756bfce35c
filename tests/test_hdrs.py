"""Tests of aiohttp.hdrs: header names are istr with canonical spellings."""

import pytest
from multidict import CIMultiDict, istr

from aiohttp import hdrs

# The names every aiohttp 3.x application may use, with their wire spelling.
EXPECTED = {
    "ACCEPT": "Accept",
    "ACCEPT_CHARSET": "Accept-Charset",
    "ACCEPT_ENCODING": "Accept-Encoding",
    "ACCEPT_LANGUAGE": "Accept-Language",
    "ACCEPT_RANGES": "Accept-Ranges",
    "ACCESS_CONTROL_ALLOW_CREDENTIALS": "Access-Control-Allow-Credentials",
    "ACCESS_CONTROL_ALLOW_HEADERS": "Access-Control-Allow-Headers",
    "ACCESS_CONTROL_ALLOW_METHODS": "Access-Control-Allow-Methods",
    "ACCESS_CONTROL_ALLOW_ORIGIN": "Access-Control-Allow-Origin",
    "ACCESS_CONTROL_EXPOSE_HEADERS": "Access-Control-Expose-Headers",
    "ACCESS_CONTROL_MAX_AGE": "Access-Control-Max-Age",
    "ACCESS_CONTROL_REQUEST_HEADERS": "Access-Control-Request-Headers",
    "ACCESS_CONTROL_REQUEST_METHOD": "Access-Control-Request-Method",
    "AGE": "Age",
    "ALLOW": "Allow",
    "AUTHORIZATION": "Authorization",
    "CACHE_CONTROL": "Cache-Control",
    "CONNECTION": "Connection",
    "CONTENT_DISPOSITION": "Content-Disposition",
    "CONTENT_ENCODING": "Content-Encoding",
    "CONTENT_LANGUAGE": "Content-Language",
    "CONTENT_LENGTH": "Content-Length",
    "CONTENT_LOCATION": "Content-Location",
    "CONTENT_MD5": "Content-MD5",
    "CONTENT_RANGE": "Content-Range",
    "CONTENT_TRANSFER_ENCODING": "Content-Transfer-Encoding",
    "CONTENT_TYPE": "Content-Type",
    "COOKIE": "Cookie",
    "DATE": "Date",
    "DESTINATION": "Destination",
    "DIGEST": "Digest",
    "ETAG": "Etag",
    "EXPECT": "Expect",
    "EXPIRES": "Expires",
    "FORWARDED": "Forwarded",
    "FROM": "From",
    "HOST": "Host",
    "IF_MATCH": "If-Match",
    "IF_MODIFIED_SINCE": "If-Modified-Since",
    "IF_NONE_MATCH": "If-None-Match",
    "IF_RANGE": "If-Range",
    "IF_UNMODIFIED_SINCE": "If-Unmodified-Since",
    "KEEP_ALIVE": "Keep-Alive",
    "LAST_EVENT_ID": "Last-Event-ID",
    "LAST_MODIFIED": "Last-Modified",
    "LINK": "Link",
    "LOCATION": "Location",
    "MAX_FORWARDS": "Max-Forwards",
    "ORIGIN": "Origin",
    "PRAGMA": "Pragma",
    "PROXY_AUTHENTICATE": "Proxy-Authenticate",
    "PROXY_AUTHORIZATION": "Proxy-Authorization",
    "RANGE": "Range",
    "REFERER": "Referer",
    "RETRY_AFTER": "Retry-After",
    "SEC_WEBSOCKET_ACCEPT": "Sec-WebSocket-Accept",
    "SEC_WEBSOCKET_EXTENSIONS": "Sec-WebSocket-Extensions",
    "SEC_WEBSOCKET_KEY": "Sec-WebSocket-Key",
    "SEC_WEBSOCKET_KEY1": "Sec-WebSocket-Key1",
    "SEC_WEBSOCKET_PROTOCOL": "Sec-WebSocket-Protocol",
    "SEC_WEBSOCKET_VERSION": "Sec-WebSocket-Version",
    "SERVER": "Server",
    "SET_COOKIE": "Set-Cookie",
    "TE": "TE",
    "TRAILER": "Trailer",
    "TRANSFER_ENCODING": "Transfer-Encoding",
    "UPGRADE": "Upgrade",
    "URI": "URI",
    "USER_AGENT": "User-Agent",
    "VARY": "Vary",
    "VIA": "Via",
    "WANT_DIGEST": "Want-Digest",
    "WARNING": "Warning",
    "WWW_AUTHENTICATE": "WWW-Authenticate",
    "X_FORWARDED_FOR": "X-Forwarded-For",
    "X_FORWARDED_HOST": "X-Forwarded-Host",
    "X_FORWARDED_PROTO": "X-Forwarded-Proto",
}


@pytest.mark.parametrize(("name", "spelling"), sorted(EXPECTED.items()))
def test_header_constant(name: str, spelling: str) -> None:
    value = getattr(hdrs, name)
    assert type(value) is istr
    assert str(value) == spelling
    assert name in hdrs.__all__


def test_every_header_constant_is_a_canonical_istr() -> None:
    for name in hdrs.__all__:
        value = getattr(hdrs, name)
        if name.startswith("METH_") or name == "HOST_ALL":
            continue
        assert type(value) is istr, name
        assert name == str(value).upper().replace("-", "_"), name


def test_all_is_complete_and_sorted() -> None:
    public = {n for n in vars(hdrs) if n.isupper() and not n.startswith("_")}
    assert set(hdrs.__all__) == public
    assert list(hdrs.__all__) == sorted(hdrs.__all__)


def test_methods() -> None:
    assert hdrs.METH_ANY == "*"
    assert hdrs.METH_CONNECT == "CONNECT"
    assert hdrs.METH_HEAD == "HEAD"
    assert hdrs.METH_GET == "GET"
    assert hdrs.METH_DELETE == "DELETE"
    assert hdrs.METH_OPTIONS == "OPTIONS"
    assert hdrs.METH_PATCH == "PATCH"
    assert hdrs.METH_POST == "POST"
    assert hdrs.METH_PUT == "PUT"
    assert hdrs.METH_TRACE == "TRACE"
    assert isinstance(hdrs.METH_ALL, set)
    assert {
        "CONNECT",
        "HEAD",
        "GET",
        "DELETE",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
        "TRACE",
    } == hdrs.METH_ALL


def test_host_all() -> None:
    assert len(hdrs.HOST_ALL) == 16
    assert {"Host", "host", "HOST", "hOsT"} <= hdrs.HOST_ALL


def test_constants_work_as_multidict_keys() -> None:
    headers = CIMultiDict({"content-type": "text/plain"})
    assert headers[hdrs.CONTENT_TYPE] == "text/plain"
    headers[hdrs.ETAG] = '"x"'
    assert headers["ETag"] == '"x"'
