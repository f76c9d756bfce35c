"""ClientRequest: the headers, framing and body it prepares (no sockets)."""

import asyncio
import io
import sys
from collections.abc import AsyncGenerator
from http.cookies import Morsel, SimpleCookie
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp import hdrs, payload
from aiohttp._client_request import _accept_encoding
from aiohttp.client_exceptions import InvalidURL
from aiohttp.client_reqrep import ClientRequest, ConnectionKey, Fingerprint
from aiohttp.formdata import FormData
from aiohttp.helpers import BasicAuth
from aiohttp.http_writer import HttpVersion10


def make(
    method: str = "GET", url: str = "http://example.com/", **kwargs: Any
) -> ClientRequest:
    kwargs.setdefault("loop", asyncio.get_running_loop())
    return ClientRequest(method, URL(url), **kwargs)


async def test_method_upper_and_url() -> None:
    req = make("get", "http://example.com/path?a=1#frag")
    assert req.method == "GET"
    assert req.url == URL("http://example.com/path?a=1")
    assert req.original_url == URL("http://example.com/path?a=1#frag")
    assert req.request_info.real_url == req.original_url
    assert req.request_info.url == req.url
    assert req.request_info.method == "GET"


async def test_params_extend_query() -> None:
    req = make(url="http://example.com/p?a=1", params={"b": "2"})
    assert req.url == URL("http://example.com/p?a=1&b=2")
    req = make(url="http://example.com/p", params=[("x", "1"), ("x", "2")])
    assert req.url.query.getall("x") == ["1", "2"]


async def test_default_headers() -> None:
    req = make()
    assert req.headers["Host"] == "example.com"
    assert req.headers["Accept"] == "*/*"
    assert req.headers["Accept-Encoding"] == _accept_encoding()
    v = sys.version_info
    assert req.headers["User-Agent"] == f"Python/{v[0]}.{v[1]} aiohttp/3.14.0"
    # A GET without a body announces no length.
    assert hdrs.CONTENT_LENGTH not in req.headers
    assert hdrs.TRANSFER_ENCODING not in req.headers


def test_accept_encoding_lists_only_decodable() -> None:
    value = _accept_encoding()
    assert value.startswith("gzip, deflate")
    from aiohttp import _http_parser_decoders as dec

    assert ("br" in value) == (dec.brotli is not None)


async def test_host_header_port_and_ipv6() -> None:
    assert make(url="http://example.com:8080/").headers["Host"] == "example.com:8080"
    assert make(url="https://example.com:443/").headers["Host"] == "example.com"
    req = make(url="http://[::1]:8080/")
    assert req.headers["Host"] == "[::1]:8080"
    assert req.host == "::1"
    assert req.port == 8080


async def test_explicit_host_replaces_ours() -> None:
    req = make(headers={"host": "other.example"})
    assert req.headers.getall("Host") == ["other.example"]


async def test_skip_auto_headers() -> None:
    req = make(skip_auto_headers={"user-agent", "Accept-Encoding", "host"})
    assert hdrs.USER_AGENT not in req.headers
    assert hdrs.ACCEPT_ENCODING not in req.headers
    assert hdrs.HOST not in req.headers
    assert req.headers["Accept"] == "*/*"


async def test_user_headers_win_over_defaults() -> None:
    req = make(headers=[("Accept", "text/html"), ("X-A", "1"), ("X-A", "2")])
    assert req.headers.getall("Accept") == ["text/html"]
    assert req.headers.getall("X-A") == ["1", "2"]


async def test_invalid_url_without_host() -> None:
    with pytest.raises(InvalidURL):
        make(url="/relative")


async def test_url_must_be_yarl() -> None:
    with pytest.raises(TypeError, match=r"yarl\.URL"):
        ClientRequest("GET", "http://x/", loop=asyncio.get_running_loop())  # type: ignore[arg-type]


async def test_auth_header() -> None:
    req = make(auth=BasicAuth("user", "pass"))
    assert req.headers["Authorization"] == BasicAuth("user", "pass").encode()


async def test_auth_from_url_userinfo() -> None:
    req = make(url="http://user:pass@example.com/")
    assert req.headers["Authorization"] == BasicAuth("user", "pass").encode()
    assert req.headers["Host"] == "example.com"


async def test_auth_wrong_type() -> None:
    with pytest.raises(TypeError, match="BasicAuth"):
        make(auth=("user", "pass"))


async def test_cookies_mapping_and_existing_header() -> None:
    req = make(headers={"Cookie": "a=1"}, cookies={"b": "2"})
    assert req.headers["Cookie"] == "a=1; b=2"


async def test_cookies_morsel_keeps_coded_value() -> None:
    morsel: Morsel[str] = Morsel()
    morsel.set("name", "val ue", '"val ue"')
    req = make(cookies={"name": morsel})
    assert req.headers["Cookie"] == 'name="val ue"'
    jar = SimpleCookie()
    jar["x"] = "y"
    assert make(cookies=jar).headers["Cookie"] == "x=y"


async def test_bytes_body() -> None:
    req = make("POST", data=b"hello")
    assert req.headers["Content-Length"] == "5"
    assert req.headers["Content-Type"] == "application/octet-stream"
    assert isinstance(req.body, payload.BytesPayload)


async def test_str_body() -> None:
    req = make("POST", data="héllo")
    assert req.headers["Content-Length"] == str(len("héllo".encode()))
    assert req.headers["Content-Type"] == "text/plain; charset=utf-8"


async def test_dict_body_is_urlencoded_form() -> None:
    req = make("POST", data={"a": "1", "b": "x y"})
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.headers["Content-Length"] == str(len(b"a=1&b=x+y"))


async def test_formdata_multipart_body() -> None:
    form = FormData()
    form.add_field("f", io.BytesIO(b"data"), filename="f.bin")
    req = make("POST", data=form)
    assert req.headers["Content-Type"].startswith("multipart/form-data; boundary=")


async def test_user_content_type_wins() -> None:
    req = make("POST", data=b"{}", headers={"Content-Type": "application/json"})
    assert req.headers.getall("Content-Type") == ["application/json"]


async def test_skip_content_type() -> None:
    req = make("POST", data=b"x", skip_auto_headers={"Content-Type"})
    assert hdrs.CONTENT_TYPE not in req.headers


async def test_async_iterable_body_is_chunked() -> None:
    async def gen() -> AsyncGenerator[bytes, None]:
        yield b"x"  # pragma: no cover - never iterated here

    agen = gen()
    req = make("POST", data=agen)
    assert req.chunked
    assert req.headers["Transfer-Encoding"] == "chunked"
    assert hdrs.CONTENT_LENGTH not in req.headers
    await agen.aclose()


async def test_post_without_body_has_zero_length() -> None:
    assert make("POST").headers["Content-Length"] == "0"
    assert make("DELETE").headers["Content-Length"] == "0"


async def test_chunked_flag() -> None:
    req = make("POST", data=b"abc", chunked=True)
    assert req.headers["Transfer-Encoding"] == "chunked"
    assert hdrs.CONTENT_LENGTH not in req.headers


async def test_chunked_with_content_length_header_is_refused() -> None:
    with pytest.raises(ValueError, match="Content-Length"):
        make("POST", data=b"abc", chunked=True, headers={"Content-Length": "3"})


async def test_chunked_with_te_header_is_refused() -> None:
    with pytest.raises(ValueError, match="Transfer-Encoding"):
        make(
            "POST",
            data=b"abc",
            chunked=True,
            headers={"Transfer-Encoding": "chunked"},
        )


async def test_te_header_means_chunked() -> None:
    req = make("POST", data=b"abc", headers={"Transfer-Encoding": "chunked"})
    assert req.chunked


async def test_compress() -> None:
    req = make("POST", data=b"abc", compress=True)
    assert req.compress == "deflate"
    assert req.headers["Content-Encoding"] == "deflate"
    assert req.chunked
    req = make("POST", data=b"abc", compress="gzip")
    assert req.headers["Content-Encoding"] == "gzip"


async def test_compress_with_content_encoding_refused() -> None:
    with pytest.raises(ValueError, match="Content-Encoding"):
        make("POST", data=b"x", compress=True, headers={"Content-Encoding": "br"})


async def test_expect100() -> None:
    req = make("POST", data=b"x", expect100=True)
    assert req.headers["Expect"] == "100-continue"
    assert req._continue is not None
    req = make("POST", data=b"x", headers={"expect": "100-Continue"})
    assert req._continue is not None


async def test_proxy_and_connection_key() -> None:
    auth = BasicAuth("p", "q")
    req = make(
        url="http://example.com:81/x",
        proxy=URL("http://proxy:3128"),
        proxy_auth=auth,
        proxy_headers={"X-P": "1"},
    )
    key = req.connection_key
    assert isinstance(key, ConnectionKey)
    assert key.host == "example.com"
    assert key.port == 81
    assert key.is_ssl is False
    assert key.proxy == URL("http://proxy:3128")
    assert key.proxy_auth == auth
    assert key.proxy_headers_hash == hash((("X-P", "1"),))
    assert req._request_target() == "http://example.com:81/x"


async def test_request_target_forms() -> None:
    assert make(url="http://e.com/a%20b?q=1")._request_target() == "/a%20b?q=1"
    assert make("CONNECT", "http://e.com:443/")._request_target() == "e.com:443"
    req = make(url="https://e.com/x", proxy=URL("http://proxy:1"))
    assert req._request_target() == "/x"  # tunnelled: origin form


async def test_proxy_scheme_refused() -> None:
    with pytest.raises(ValueError, match="proxy"):
        make(proxy=URL("socks5://proxy:1"))


async def test_proxy_auth_type_refused() -> None:
    with pytest.raises(ValueError, match="proxy_auth"):
        make(proxy=URL("http://proxy:1"), proxy_auth=("a", "b"))


async def test_ssl_values() -> None:
    assert make(url="https://e.com/").is_ssl()
    assert make().ssl is True
    fp = Fingerprint(b"\x00" * 32)
    assert make(ssl=fp).ssl is fp
    with pytest.raises(TypeError, match="ssl"):
        make(ssl="yes")


async def test_http10_keep_alive() -> None:
    req = make(version=HttpVersion10)
    assert not req.keep_alive()
    req._set_connection_header()
    assert req.headers["Connection"] == "keep-alive"
    assert make(headers={"Connection": "close"}).keep_alive() is False


async def test_repr() -> None:
    assert repr(make()) == "<ClientRequest(GET http://example.com/)>"


async def test_session_attribute() -> None:
    assert make().session is None
    assert isinstance(make().headers, CIMultiDict)
