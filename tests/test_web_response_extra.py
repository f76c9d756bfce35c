"""StreamResponse validators (last_modified, etag) and the Partitioned cookie."""

import datetime
import io
from http.cookies import Morsel, SimpleCookie
from typing import Any

import pytest

from aiohttp import web
from aiohttp.helpers import ETAG_ANY, ETag
from aiohttp.multipart import BodyPartReader, MultipartReader, MultipartWriter
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import ContentCoding, Response, StreamResponse

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


def test_last_modified_rejects_a_time_past_year_9999() -> None:
    resp = StreamResponse()
    with pytest.raises(ValueError, match="years 1-9999"):
        resp.last_modified = 1e12
    assert "Last-Modified" not in resp.headers


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


# --- payload bodies: what the payload registry knows, as aiohttp accepts ------


async def _payload_handler(request: BaseRequest) -> Response:
    kind = request.path.strip("/")
    if kind == "str":
        return Response(body="héllo")
    if kind == "file":
        return Response(body=io.BytesIO(b"x" * 5000))
    if kind == "deflate":
        resp = Response(body=io.BytesIO(b"y" * 5000))
        resp.enable_compression(ContentCoding.deflate)
        return resp
    writer = MultipartWriter("mixed", boundary="b0undary")
    writer.append("part one")
    writer.append_json({"n": 2})
    return Response(body=writer, headers={"X-Kind": "multipart"})


async def test_payload_bodies_on_the_wire(raw_server: Any, raw_connect: Any) -> None:
    srv: RunningServer = await raw_server(_payload_handler)
    conn: RawConnection = await raw_connect(srv.port)

    conn.send(b"GET /str HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.head.headers["Content-Length"] == "6"
    assert resp.body == "héllo".encode()

    conn.send(b"GET /file HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Content-Length"] == "5000"
    assert resp.body == b"x" * 5000

    conn.send(b"HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response("HEAD")
    assert resp.head.headers["Content-Length"] == "5000"
    assert resp.body == b""

    conn.send(b"GET /deflate HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Content-Encoding"] == "deflate"
    assert resp.head.headers["Transfer-Encoding"] == "chunked"
    assert resp.body == b"y" * 5000  # the test's response parser decompresses

    conn.send(b"GET /multipart HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = await conn.response()
    assert resp.head.headers["Content-Type"] == "multipart/mixed; boundary=b0undary"
    assert resp.head.headers["X-Kind"] == "multipart"
    assert int(resp.head.headers["Content-Length"]) == len(resp.body)
    assert b"part one" in resp.body and b'{"n": 2}' in resp.body


async def test_multipart_writer_both_ways(aiohttp_client: Any) -> None:
    # The client sends a MultipartWriter, the handler reads it with
    # request.multipart() and answers with one; the client reads that back.
    async def echo(request: web.Request) -> web.Response:
        reader = await request.multipart()
        reply = MultipartWriter("mixed")
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            reply.append(f"{part.name}={await part.text()}")
        return web.Response(body=reply)

    app = web.Application()
    app.router.add_post("/", echo)
    client = await aiohttp_client(app)
    form = MultipartWriter("form-data")
    form.append("one").set_content_disposition("form-data", name="a")
    form.append("two").set_content_disposition("form-data", name="b")
    resp = await client.post("/", data=form)
    assert resp.status == 200
    parts = []
    async for part in MultipartReader.from_response(resp):
        assert isinstance(part, BodyPartReader)
        parts.append(await part.text())
    assert parts == ["a=one", "b=two"]


def test_payload_body_headers_and_length() -> None:
    resp = Response(body=io.BytesIO(b"abc"), content_type="application/x-thing")
    assert resp.content_type == "application/x-thing"
    assert resp.content_length == 3
    resp = Response(body="text", headers={"Content-Type": "text/html"})
    assert resp.headers["Content-Type"] == "text/html"
    with pytest.raises(ValueError, match="body=object is not supported"):
        Response(body=object())
