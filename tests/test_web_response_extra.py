"""StreamResponse validators (last_modified, etag) and the Partitioned cookie."""

import datetime
from http.cookies import Morsel, SimpleCookie
from typing import Any

import pytest

from aiohttp.helpers import ETAG_ANY, ETag
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse

from .conftest import RawConnection, RunningServer

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("value", "header"),
    [
        (784111777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (784111777.9, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        # A naive datetime is taken as UTC.
        (datetime.datetime(1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            datetime.datetime(
                1994,
                11,
                6,
                9,
                49,
                37,
                tzinfo=datetime.timezone(datetime.timedelta(hours=1)),
            ),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ],
)
def test_last_modified_setter(value: Any, header: str) -> None:
    resp = StreamResponse()
    resp.last_modified = value
    assert resp.headers["Last-Modified"] == header
    assert resp.last_modified == datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


def test_last_modified_unset_and_cleared() -> None:
    resp = StreamResponse()
    assert resp.last_modified is None
    resp.last_modified = 0
    assert resp.last_modified == datetime.datetime(1970, 1, 1, tzinfo=UTC)
    resp.last_modified = None
    assert "Last-Modified" not in resp.headers
    resp.last_modified = None  # clearing twice is fine


def test_last_modified_garbage_header_reads_none() -> None:
    resp = StreamResponse(headers={"Last-Modified": "yesterday"})
    assert resp.last_modified is None


@pytest.mark.parametrize("value", [object(), [1], True, b"Sun"])
def test_last_modified_rejects_other_types(value: Any) -> None:
    resp = StreamResponse()
    with pytest.raises(TypeError, match="last_modified="):
        resp.last_modified = value


@pytest.mark.parametrize(
    ("value", "header", "expected"),
    [
        ("abc", '"abc"', ETag("abc")),
        ("", '""', ETag("")),
        (ETag("abc"), '"abc"', ETag("abc")),
        (ETag("abc", is_weak=True), 'W/"abc"', ETag("abc", is_weak=True)),
        (ETAG_ANY, "*", ETag(ETAG_ANY)),
        (ETag(ETAG_ANY), "*", ETag(ETAG_ANY)),
    ],
)
def test_etag_setter(value: Any, header: str, expected: ETag) -> None:
    resp = StreamResponse()
    resp.etag = value
    assert resp.headers["ETag"] == header
    assert resp.etag == expected


def test_etag_unset_cleared_and_malformed() -> None:
    resp = StreamResponse()
    assert resp.etag is None
    resp.etag = "x"
    resp.etag = None
    assert "ETag" not in resp.headers
    resp.headers["ETag"] = "unquoted"
    assert resp.etag is None


@pytest.mark.parametrize("value", ['a"b', "a b", "x\r\nSet-Cookie: a=b", ETag("a b")])
def test_etag_rejects_bad_values(value: Any) -> None:
    resp = StreamResponse()
    with pytest.raises(ValueError, match="invalid etag value"):
        resp.etag = value
    assert "ETag" not in resp.headers


@pytest.mark.parametrize("value", [42, b"abc", object()])
def test_etag_rejects_other_types(value: Any) -> None:
    resp = StreamResponse()
    with pytest.raises(ValueError, match="etag="):
        resp.etag = value


def test_partitioned_cookie() -> None:
    resp = StreamResponse()
    resp.set_cookie("sid", "v", secure=True, samesite="None", partitioned=True)
    out = resp.cookies["sid"].OutputString()
    assert "Partitioned" in out.split("; ")
    assert "Secure" in out.split("; ")
    assert resp.cookies["sid"]["partitioned"] is True
    # Re-setting keeps earlier attributes, as for the other flags.
    resp.set_cookie("sid", "w")
    assert "Partitioned" in resp.cookies["sid"].OutputString()


def test_not_partitioned_by_default() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "1", partitioned=False)
    assert "Partitioned" not in resp.cookies["a"].OutputString()


def test_partitioned_does_not_leak_into_the_stdlib() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "1", partitioned=True)
    # Other users of http.cookies see the standard class unchanged.
    plain = SimpleCookie()
    plain["b"] = "2"
    assert type(plain["b"]) is Morsel
    assert isinstance(resp.cookies["a"], Morsel)


def test_set_cookie_version_and_quoting() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "has space", version="1", max_age=10)
    out = resp.cookies["a"].OutputString()
    assert out.startswith('a="has space"')
    assert "Version=1" in out
    assert "Max-Age=10" in out


def test_del_cookie_with_attributes() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "1", partitioned=True)
    resp.del_cookie("a", secure=True, samesite="None", partitioned=True)
    parts = resp.cookies["a"].OutputString().split("; ")
    assert parts[0] == 'a=""'
    assert {"Max-Age=0", "Secure", "SameSite=None", "Partitioned"} <= set(parts)


async def test_validators_and_cookie_on_the_wire(
    raw_server: Any, raw_connect: Any
) -> None:
    async def handler(request: BaseRequest) -> Response:
        resp = Response(text="ok")
        resp.etag = ETag("v1", is_weak=True)
        resp.last_modified = 784111777
        resp.set_cookie("c", "1", secure=True, partitioned=True)
        return resp

    srv: RunningServer = await raw_server(handler)
    conn: RawConnection = await raw_connect(srv.port)
    conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    headers = resp.head.headers
    assert resp.status == 200
    assert headers["ETag"] == 'W/"v1"'
    assert headers["Last-Modified"] == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert headers["Set-Cookie"] == "c=1; Partitioned; Path=/; Secure"
