"""Tests for aiohttp.web_exceptions: HTTP statuses as raisable responses."""

import asyncio
import copy
import inspect
import pickle
import types
from http import HTTPStatus
from typing import Any, Optional, Union

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp import web_exceptions as exc
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_writer import HttpVersion10, HttpVersion11
from aiohttp.web_response import Response

# (class, status code, direct base class), in aiohttp's documented hierarchy.
CONCRETE: list[tuple[type[exc.HTTPException], int, type[exc.HTTPException]]] = [
    (exc.HTTPOk, 200, exc.HTTPSuccessful),
    (exc.HTTPCreated, 201, exc.HTTPSuccessful),
    (exc.HTTPAccepted, 202, exc.HTTPSuccessful),
    (exc.HTTPNonAuthoritativeInformation, 203, exc.HTTPSuccessful),
    (exc.HTTPNoContent, 204, exc.HTTPSuccessful),
    (exc.HTTPResetContent, 205, exc.HTTPSuccessful),
    (exc.HTTPPartialContent, 206, exc.HTTPSuccessful),
    (exc.HTTPMultipleChoices, 300, exc.HTTPMove),
    (exc.HTTPMovedPermanently, 301, exc.HTTPMove),
    (exc.HTTPFound, 302, exc.HTTPMove),
    (exc.HTTPSeeOther, 303, exc.HTTPMove),
    (exc.HTTPNotModified, 304, exc.HTTPRedirection),
    (exc.HTTPUseProxy, 305, exc.HTTPMove),
    (exc.HTTPTemporaryRedirect, 307, exc.HTTPMove),
    (exc.HTTPPermanentRedirect, 308, exc.HTTPMove),
    (exc.HTTPBadRequest, 400, exc.HTTPClientError),
    (exc.HTTPUnauthorized, 401, exc.HTTPClientError),
    (exc.HTTPPaymentRequired, 402, exc.HTTPClientError),
    (exc.HTTPForbidden, 403, exc.HTTPClientError),
    (exc.HTTPNotFound, 404, exc.HTTPClientError),
    (exc.HTTPMethodNotAllowed, 405, exc.HTTPClientError),
    (exc.HTTPNotAcceptable, 406, exc.HTTPClientError),
    (exc.HTTPProxyAuthenticationRequired, 407, exc.HTTPClientError),
    (exc.HTTPRequestTimeout, 408, exc.HTTPClientError),
    (exc.HTTPConflict, 409, exc.HTTPClientError),
    (exc.HTTPGone, 410, exc.HTTPClientError),
    (exc.HTTPLengthRequired, 411, exc.HTTPClientError),
    (exc.HTTPPreconditionFailed, 412, exc.HTTPClientError),
    (exc.HTTPRequestEntityTooLarge, 413, exc.HTTPClientError),
    (exc.HTTPRequestURITooLong, 414, exc.HTTPClientError),
    (exc.HTTPUnsupportedMediaType, 415, exc.HTTPClientError),
    (exc.HTTPRequestRangeNotSatisfiable, 416, exc.HTTPClientError),
    (exc.HTTPExpectationFailed, 417, exc.HTTPClientError),
    (exc.HTTPMisdirectedRequest, 421, exc.HTTPClientError),
    (exc.HTTPUnprocessableEntity, 422, exc.HTTPClientError),
    (exc.HTTPFailedDependency, 424, exc.HTTPClientError),
    (exc.HTTPUpgradeRequired, 426, exc.HTTPClientError),
    (exc.HTTPPreconditionRequired, 428, exc.HTTPClientError),
    (exc.HTTPTooManyRequests, 429, exc.HTTPClientError),
    (exc.HTTPRequestHeaderFieldsTooLarge, 431, exc.HTTPClientError),
    (exc.HTTPUnavailableForLegalReasons, 451, exc.HTTPClientError),
    (exc.HTTPInternalServerError, 500, exc.HTTPServerError),
    (exc.HTTPNotImplemented, 501, exc.HTTPServerError),
    (exc.HTTPBadGateway, 502, exc.HTTPServerError),
    (exc.HTTPServiceUnavailable, 503, exc.HTTPServerError),
    (exc.HTTPGatewayTimeout, 504, exc.HTTPServerError),
    (exc.HTTPVersionNotSupported, 505, exc.HTTPServerError),
    (exc.HTTPVariantAlsoNegotiates, 506, exc.HTTPServerError),
    (exc.HTTPInsufficientStorage, 507, exc.HTTPServerError),
    (exc.HTTPNotExtended, 510, exc.HTTPServerError),
    (exc.HTTPNetworkAuthenticationRequired, 511, exc.HTTPServerError),
]

CATEGORIES: list[tuple[type[exc.HTTPException], type[Any]]] = [
    (exc.HTTPException, Response),
    (exc.HTTPSuccessful, exc.HTTPException),
    (exc.HTTPRedirection, exc.HTTPException),
    (exc.HTTPError, exc.HTTPException),
    (exc.HTTPClientError, exc.HTTPError),
    (exc.HTTPServerError, exc.HTTPError),
    (exc.HTTPMove, exc.HTTPRedirection),
]

EMPTY_BODY = {exc.HTTPNoContent, exc.HTTPResetContent, exc.HTTPNotModified}


def make(cls: type[exc.HTTPException], **kwargs: Any) -> exc.HTTPException:
    """Build any concrete exception, supplying the positional arguments it needs."""
    if issubclass(cls, exc.HTTPMove):
        return cls("/new", **kwargs)
    if cls is exc.HTTPMethodNotAllowed:
        return exc.HTTPMethodNotAllowed("put", ["GET"], **kwargs)
    if cls is exc.HTTPRequestEntityTooLarge:
        return exc.HTTPRequestEntityTooLarge(10, 20, **kwargs)
    if cls is exc.HTTPUnavailableForLegalReasons:
        return exc.HTTPUnavailableForLegalReasons("http://law.example/", **kwargs)
    return cls(**kwargs)


def ids(param: Any) -> str:
    return param.__name__ if isinstance(param, type) else str(param)


# --- the catalogue ----------------------------------------------------------------


def test_all_names_exist_and_are_exceptions() -> None:
    assert len(exc.__all__) == len(set(exc.__all__))
    for name in exc.__all__:
        obj = getattr(exc, name)
        assert issubclass(obj, exc.HTTPException), name


def test_every_exception_class_is_exported_and_tabled() -> None:
    defined = {
        obj
        for obj in vars(exc).values()
        if inspect.isclass(obj) and issubclass(obj, exc.HTTPException)
    }
    assert {getattr(exc, name) for name in exc.__all__} == defined
    tabled = {cls for cls, _, _ in CONCRETE} | {cls for cls, _ in CATEGORIES}
    assert tabled == defined


def test_status_codes_are_unique() -> None:
    codes = [code for _, code, _ in CONCRETE]
    assert len(codes) == len(set(codes))


def test_no_too_early_class() -> None:
    # aiohttp 3.x has no 425 class; we do not invent one.
    assert not hasattr(exc, "HTTPTooEarly")


@pytest.mark.parametrize(("cls", "code", "base"), CONCRETE, ids=ids)
def test_class_attributes(
    cls: type[exc.HTTPException], code: int, base: type[exc.HTTPException]
) -> None:
    assert cls.status_code == code
    assert cls.__bases__ == (base,)
    assert issubclass(cls, exc.HTTPException)
    assert issubclass(cls, Response)
    assert issubclass(cls, Exception)
    assert cls.empty_body is (cls in EMPTY_BODY)
    assert cls.__doc__ and str(code) in cls.__doc__


@pytest.mark.parametrize(("cls", "code", "base"), CONCRETE, ids=ids)
def test_instance_defaults(
    cls: type[exc.HTTPException], code: int, base: type[exc.HTTPException]
) -> None:
    err = make(cls)
    assert isinstance(err, Response)
    assert isinstance(err, Exception)
    assert isinstance(err, base)
    assert err.status == code
    assert err.reason == HTTPStatus(code).phrase
    assert err.args == (err.reason,)
    assert str(err) == err.reason
    assert not err.prepared


@pytest.mark.parametrize(("cls", "code", "_base"), CONCRETE, ids=ids)
def test_default_text(
    cls: type[exc.HTTPException], code: int, _base: type[exc.HTTPException]
) -> None:
    err = make(cls)
    if cls in EMPTY_BODY:
        assert err.body is None
        assert err.text is None
        assert "Content-Type" not in err.headers
    elif cls is exc.HTTPRequestEntityTooLarge:
        assert err.text == (
            "Maximum request body size 10 exceeded, actual body size 20"
        )
    else:
        assert err.text == f"{code}: {HTTPStatus(code).phrase}"
        assert err.content_type == "text/plain"
        assert err.charset == "utf-8"


@pytest.mark.parametrize(("cls", "_base"), CATEGORIES, ids=ids)
def test_categories_cannot_be_instantiated(
    cls: type[exc.HTTPException], _base: type[Any]
) -> None:
    assert cls.status_code == -1
    args: tuple[str, ...] = ("/x",) if cls is exc.HTTPMove else ()
    with pytest.raises(TypeError, match=f"{cls.__name__} is a category.*status_code"):
        cls(*args)


@pytest.mark.parametrize(("cls", "base"), CATEGORIES, ids=ids)
def test_category_bases(cls: type[exc.HTTPException], base: type[Any]) -> None:
    assert issubclass(cls, base)
    assert issubclass(cls, Exception)


def test_exception_base_order() -> None:
    # Response first, so the response behaviour (repr, mapping) wins over
    # BaseException's where both define something.
    assert exc.HTTPException.__bases__ == (Response, Exception)


def test_user_subclass_with_status_code() -> None:
    class HTTPTeapot(exc.HTTPClientError):
        status_code = 418

    err = HTTPTeapot()
    assert err.status == 418
    assert err.reason == HTTPStatus(418).phrase
    assert err.text == f"418: {err.reason}"
    with pytest.raises(exc.HTTPClientError):
        raise err


def test_user_subclass_with_invalid_status_code() -> None:
    class Broken(exc.HTTPException):
        status_code = 42

    with pytest.raises(ValueError, match="status"):
        Broken()


# --- raising and catching ----------------------------------------------------------


@pytest.mark.parametrize(
    "catch",
    [exc.HTTPNotFound, exc.HTTPClientError, exc.HTTPError, exc.HTTPException],
    ids=ids,
)
def test_raise_and_catch(catch: type[BaseException]) -> None:
    with pytest.raises(catch) as info:
        raise exc.HTTPNotFound()
    assert info.value.status == 404  # type: ignore[attr-defined]


def test_catch_as_exception_and_response() -> None:
    try:
        raise exc.HTTPForbidden(text="no")
    except Exception as err:
        assert isinstance(err, Response)
        assert err.text == "no"
    else:  # pragma: no cover
        pytest.fail("not raised")


def test_raise_class_instantiates_it() -> None:
    with pytest.raises(exc.HTTPNoContent) as info:
        raise exc.HTTPNoContent
    assert info.value.status == 204


def test_client_error_is_not_server_error() -> None:
    with pytest.raises(exc.HTTPBadGateway):
        try:
            raise exc.HTTPBadGateway()
        except exc.HTTPClientError:  # pragma: no cover
            pytest.fail("a 502 is not a client error")


def test_chaining() -> None:
    with pytest.raises(exc.HTTPBadRequest) as info:
        try:
            int("x")
        except ValueError as cause:
            raise exc.HTTPBadRequest(text="not a number") from cause
    assert isinstance(info.value.__cause__, ValueError)
    assert info.value.__traceback__ is not None


async def test_propagates_out_of_a_task() -> None:
    async def handler() -> None:
        raise exc.HTTPServiceUnavailable(reason="Maintenance")

    task = asyncio.ensure_future(handler())
    with pytest.raises(exc.HTTPServiceUnavailable, match="Maintenance"):
        await task


# --- object protocol ----------------------------------------------------------------


def test_str_and_repr() -> None:
    err = exc.HTTPNotFound()
    assert str(err) == "Not Found"
    assert repr(err) == "<HTTPNotFound Not Found not prepared>"


def test_str_uses_custom_reason_not_text() -> None:
    err = exc.HTTPBadRequest(reason="Bad Thing", text="details")
    assert str(err) == "Bad Thing"
    assert err.args == ("Bad Thing",)
    assert repr(err) == "<HTTPBadRequest Bad Thing not prepared>"


def test_str_follows_set_status() -> None:
    err = exc.HTTPBadRequest()
    err.set_status(400, "Changed")
    assert str(err) == "Changed"


def test_hash_and_equality_are_identity() -> None:
    first, second = exc.HTTPNotFound(), exc.HTTPNotFound()
    assert first == first
    assert first != second
    assert hash(first) == hash(first)
    assert len({first, second, first}) == 2
    assert {first: 1}[first] == 1


@pytest.mark.parametrize(("cls", "_code", "_base"), CONCRETE, ids=ids)
def test_pickle_round_trip(
    cls: type[exc.HTTPException], _code: int, _base: type[exc.HTTPException]
) -> None:
    err = make(cls, headers={"X-A": "1"})
    err["state"] = "kept"
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls
    assert clone is not err
    assert (clone.status, clone.reason, clone.text) == (
        err.status,
        err.reason,
        err.text,
    )
    assert clone.headers == err.headers
    assert clone.args == err.args
    assert str(clone) == str(err)
    assert clone["state"] == "kept"


def test_pickle_keeps_special_attributes() -> None:
    moved = pickle.loads(pickle.dumps(exc.HTTPFound("/next")))
    assert moved.location == "/next"
    not_allowed = pickle.loads(pickle.dumps(exc.HTTPMethodNotAllowed("x", ["GET"])))
    assert (not_allowed.method, not_allowed.allowed_methods) == ("X", {"GET"})
    too_large = pickle.loads(pickle.dumps(exc.HTTPRequestEntityTooLarge(1, 2)))
    assert (too_large.max_size, too_large.actual_size) == (1, 2)
    legal = pickle.loads(pickle.dumps(exc.HTTPUnavailableForLegalReasons("/w")))
    assert legal.link == URL("/w")


def test_copy_and_deepcopy() -> None:
    err = exc.HTTPConflict(text="clash", headers={"X-A": "1"})
    shallow = copy.copy(err)
    assert shallow is not err
    assert shallow.text == "clash"
    assert shallow.headers is err.headers
    deep = copy.deepcopy(err)
    assert deep.headers == err.headers
    assert deep.headers is not err.headers
    with pytest.raises(exc.HTTPConflict):
        raise deep


def test_truthy_with_empty_state() -> None:
    err = exc.HTTPNotFound()
    assert len(err) == 0
    assert bool(err) is True


def test_mapping_state() -> None:
    err = exc.HTTPNotFound()
    err["key"] = "value"
    assert err["key"] == "value"
    assert list(err) == ["key"]


# --- constructor arguments ------------------------------------------------------------


def test_custom_text_and_content_type() -> None:
    err = exc.HTTPNotFound(text="<b>gone</b>", content_type="text/html")
    assert err.text == "<b>gone</b>"
    assert err.body == b"<b>gone</b>"
    assert err.headers["Content-Type"] == "text/html; charset=utf-8"


def test_content_type_without_text_keeps_default_text() -> None:
    err = exc.HTTPNotFound(content_type="text/html")
    assert err.text == "404: Not Found"
    assert err.content_type == "text/html"


def test_custom_reason_in_default_text() -> None:
    err = exc.HTTPNotFound(reason="Nope")
    assert err.reason == "Nope"
    assert err.text == "404: Nope"


def test_reason_with_newline_rejected() -> None:
    with pytest.raises(ValueError, match="newline"):
        exc.HTTPNotFound(reason="a\r\nb")


def test_headers_are_copied() -> None:
    given = {"X-Custom": "1"}
    err = exc.HTTPFound("/a", headers=given)
    assert err.headers["X-Custom"] == "1"
    assert given == {"X-Custom": "1"}


def test_headers_not_shared_between_instances() -> None:
    first = exc.HTTPNotFound()
    first.headers["X-One"] = "1"
    assert "X-One" not in exc.HTTPNotFound().headers


def test_headers_accept_multidict_and_pairs() -> None:
    err = exc.HTTPBadRequest(headers=CIMultiDict([("X-A", "1"), ("X-A", "2")]))
    assert err.headers.getall("X-A") == ["1", "2"]
    err = exc.HTTPBadRequest(headers=[("X-B", "3")])
    assert err.headers["X-B"] == "3"


def test_body_is_deprecated_but_works() -> None:
    with pytest.warns(DeprecationWarning, match="body argument is deprecated"):
        err = exc.HTTPNotFound(body=b"raw")
    assert err.body == b"raw"
    assert "Content-Type" not in err.headers


@pytest.mark.parametrize(
    "build",
    [
        lambda: exc.HTTPBadRequest(body=b"x"),
        lambda: exc.HTTPFound("/a", body=b"x"),
        lambda: exc.HTTPMethodNotAllowed("GET", ["POST"], body=b"x"),
    ],
    ids=["direct", "move", "405"],
)
def test_body_deprecation_points_at_caller(build: Any) -> None:
    with pytest.warns(DeprecationWarning) as record:
        build()
    assert record[0].filename == __file__


def test_body_and_text_together_rejected() -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(ValueError, match="body and text"),
    ):
        exc.HTTPNotFound(body=b"a", text="b")


def test_text_must_be_str() -> None:
    with pytest.raises(TypeError, match="text"):
        exc.HTTPNotFound(text=b"bytes")  # type: ignore[arg-type]


def test_arguments_are_keyword_only() -> None:
    not_found: Any = exc.HTTPNotFound
    with pytest.raises(TypeError):
        not_found("positional")


def test_response_features_available() -> None:
    err = exc.HTTPUnauthorized()
    err.set_cookie("session", "gone", max_age=0)
    assert err.cookies["session"].value == "gone"
    err.headers["WWW-Authenticate"] = 'Basic realm="x"'
    assert err.content_length == len(b"401: Unauthorized")


@pytest.mark.parametrize("cls", sorted(EMPTY_BODY, key=ids), ids=ids)
def test_empty_body_class_keeps_explicit_text(cls: type[exc.HTTPException]) -> None:
    err = cls(text="ignored on the wire for 204/304")
    assert err.text == "ignored on the wire for 204/304"


# --- redirections ---------------------------------------------------------------------


MOVES = [cls for cls, _, base in CONCRETE if base is exc.HTTPMove]


@pytest.mark.parametrize("cls", MOVES, ids=ids)
def test_move_sets_location(cls: type[exc.HTTPMove]) -> None:
    err = cls("/new/path")
    assert err.location == "/new/path"
    assert err.headers["Location"] == "/new/path"
    assert err.text == f"{err.status}: {err.reason}"


@pytest.mark.parametrize("cls", MOVES, ids=ids)
def test_move_requires_location(cls: type[exc.HTTPMove]) -> None:
    with pytest.raises(TypeError):
        cls()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=f"{cls.__name__} needs a location"):
        cls("")
    with pytest.raises(ValueError, match="needs a location"):
        cls(URL())


def test_move_location_keyword() -> None:
    err = exc.HTTPMovedPermanently(location="/kw")
    assert err.headers["Location"] == "/kw"


def test_move_location_url() -> None:
    url = URL("http://example.com/ü?q=1")
    err = exc.HTTPFound(url)
    assert err.location is url
    assert err.headers["Location"] == "http://example.com/%C3%BC?q=1"


def test_move_location_is_normalised_in_header() -> None:
    err = exc.HTTPSeeOther("/a b")
    assert err.location == "/a b"
    assert err.headers["Location"] == "/a%20b"


def test_move_location_cannot_inject_headers() -> None:
    err = exc.HTTPFound("/a\r\nSet-Cookie: x=1")
    assert "\r" not in err.headers["Location"]
    assert "\n" not in err.headers["Location"]
    assert "Set-Cookie" not in err.headers


def test_move_location_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"location=5 must be a str or yarl\.URL"):
        exc.HTTPFound(5)  # type: ignore[arg-type]


def test_move_location_overrides_header_argument() -> None:
    err = exc.HTTPFound("/real", headers={"Location": "/fake"})
    assert err.headers.getall("Location") == ["/real"]


def test_move_other_arguments() -> None:
    err = exc.HTTPTemporaryRedirect(
        "/t", reason="Go", text="elsewhere", headers={"X-A": "1"}
    )
    assert (err.reason, err.text, err.headers["X-A"]) == ("Go", "elsewhere", "1")


def test_not_modified_is_not_a_move() -> None:
    assert not issubclass(exc.HTTPNotModified, exc.HTTPMove)
    err = exc.HTTPNotModified(headers={"ETag": '"abc"'})
    assert "Location" not in err.headers
    assert not hasattr(err, "location")
    not_modified: Any = exc.HTTPNotModified
    with pytest.raises(TypeError):
        not_modified("/x")


# --- 405 ------------------------------------------------------------------------------


def test_method_not_allowed() -> None:
    err = exc.HTTPMethodNotAllowed("delete", ["POST", "GET", "HEAD"])
    assert err.method == "DELETE"
    assert err.allowed_methods == {"GET", "HEAD", "POST"}
    assert err.headers["Allow"] == "GET,HEAD,POST"
    assert err.text == "405: Method Not Allowed"


def test_method_not_allowed_generator_and_duplicates() -> None:
    err = exc.HTTPMethodNotAllowed("PUT", (m for m in ["GET", "POST", "GET"]))
    assert err.allowed_methods == {"GET", "POST"}
    assert err.headers["Allow"] == "GET,POST"


def test_method_not_allowed_keywords() -> None:
    err = exc.HTTPMethodNotAllowed(
        method="PATCH", allowed_methods={"GET"}, reason="Nope", text="only GET"
    )
    assert (err.method, err.reason, err.text) == ("PATCH", "Nope", "only GET")


def test_method_not_allowed_empty() -> None:
    err = exc.HTTPMethodNotAllowed("GET", [])
    assert err.allowed_methods == set()
    assert err.headers["Allow"] == ""


def test_method_not_allowed_rejects_single_string() -> None:
    with pytest.raises(TypeError, match="allowed_methods='GET' must be an iterable"):
        exc.HTTPMethodNotAllowed("POST", "GET")


def test_method_not_allowed_requires_arguments() -> None:
    with pytest.raises(TypeError):
        exc.HTTPMethodNotAllowed()  # type: ignore[call-arg]


# --- 413 ------------------------------------------------------------------------------


def test_request_entity_too_large() -> None:
    err = exc.HTTPRequestEntityTooLarge(max_size=1024, actual_size=2048)
    assert err.max_size == 1024
    assert err.actual_size == 2048
    assert err.text == (
        "Maximum request body size 1024 exceeded, actual body size 2048"
    )
    assert err.content_type == "text/plain"


def test_request_entity_too_large_custom_text() -> None:
    err = exc.HTTPRequestEntityTooLarge(1, 2, text="too big", reason="Big")
    assert (err.text, err.reason, str(err)) == ("too big", "Big", "Big")


def test_request_entity_too_large_with_body() -> None:
    with pytest.warns(DeprecationWarning):
        err = exc.HTTPRequestEntityTooLarge(1, 2, body=b"raw")
    assert err.body == b"raw"


def test_request_entity_too_large_float_sizes() -> None:
    err = exc.HTTPRequestEntityTooLarge(1.5, 2.5)
    assert err.text == "Maximum request body size 1.5 exceeded, actual body size 2.5"


# --- 451 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link", ["http://law.example/case", URL("http://law.example/case")], ids=repr
)
def test_unavailable_for_legal_reasons(link: Union[str, URL]) -> None:
    err = exc.HTTPUnavailableForLegalReasons(link)
    assert err.link == URL("http://law.example/case")
    assert isinstance(err.link, URL)
    assert err.headers["Link"] == '<http://law.example/case>; rel="blocked-by"'
    assert err.text == "451: Unavailable For Legal Reasons"


@pytest.mark.parametrize("link", [None, ""], ids=repr)
def test_unavailable_for_legal_reasons_without_link(link: Optional[str]) -> None:
    err = exc.HTTPUnavailableForLegalReasons(link)
    assert err.link is None
    assert "Link" not in err.headers


def test_unavailable_for_legal_reasons_link_keyword_and_options() -> None:
    err = exc.HTTPUnavailableForLegalReasons(
        link="/why", text="blocked", headers={"X-A": "1"}
    )
    assert err.headers["Link"] == '</why>; rel="blocked-by"'
    assert (err.text, err.headers["X-A"]) == ("blocked", "1")


def test_unavailable_for_legal_reasons_link_is_read_only() -> None:
    err = exc.HTTPUnavailableForLegalReasons("/why")
    with pytest.raises(AttributeError):
        err.link = URL("/other")  # type: ignore[misc]


def test_unavailable_for_legal_reasons_link_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"link=42 must be a str, yarl\.URL or None"):
        exc.HTTPUnavailableForLegalReasons(42)  # type: ignore[arg-type]


def test_unavailable_for_legal_reasons_requires_link_argument() -> None:
    with pytest.raises(TypeError):
        exc.HTTPUnavailableForLegalReasons()  # type: ignore[call-arg]


# --- what goes on the wire (through a recording writer, no sockets) -------------------


class RecordingWriter(AbstractStreamWriter):
    """Keeps the status line, headers and body a response hands to its writer."""

    def __init__(self) -> None:
        self.status_line = ""
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.body = b""

    async def write(self, chunk: Union[bytes, bytearray, memoryview]) -> None:
        self.body += bytes(chunk)

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.body += chunk

    async def drain(self) -> None:
        """Nothing is buffered."""

    def enable_compression(
        self, encoding: str = "deflate", strategy: Optional[int] = None
    ) -> None:
        """Compression is not exercised here."""

    def enable_chunking(self) -> None:
        """Chunking is not exercised here."""

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        self.status_line = status_line
        self.headers = CIMultiDict(headers)


async def send(
    response: Response, method: str = "GET", version: Any = HttpVersion11
) -> RecordingWriter:
    """Run a response through prepare()/write_eof() as a handler's return value."""
    writer = RecordingWriter()

    async def prepare_hook(_response: Response) -> None:
        return None

    request: Any = types.SimpleNamespace(
        method=method,
        version=version,
        keep_alive=True,
        headers=CIMultiDict(),
        task=None,
        path="/",
        _payload_writer=writer,
        _prepare_hook=prepare_hook,
    )
    await response.prepare(request)
    await response.write_eof()
    return writer


async def test_sends_status_and_default_text() -> None:
    writer = await send(exc.HTTPNotFound())
    assert writer.status_line == "HTTP/1.1 404 Not Found"
    assert writer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert writer.headers["Content-Length"] == str(len(b"404: Not Found"))
    assert writer.body == b"404: Not Found"


async def test_sends_redirect_location() -> None:
    writer = await send(exc.HTTPFound("/next"), version=HttpVersion10)
    assert writer.status_line == "HTTP/1.0 302 Found"
    assert writer.headers["Location"] == "/next"
    assert writer.body == b"302: Found"


async def test_sends_allow_header() -> None:
    writer = await send(exc.HTTPMethodNotAllowed("POST", ["GET", "HEAD"]))
    assert writer.status_line == "HTTP/1.1 405 Method Not Allowed"
    assert writer.headers["Allow"] == "GET,HEAD"


@pytest.mark.parametrize("cls", sorted(EMPTY_BODY, key=ids), ids=ids)
async def test_empty_body_classes_send_no_body(cls: type[exc.HTTPException]) -> None:
    writer = await send(cls())
    code = cls.status_code
    assert writer.status_line == f"HTTP/1.1 {code} {HTTPStatus(code).phrase}"
    assert writer.body == b""
    assert "Transfer-Encoding" not in writer.headers


async def test_head_request_sends_no_body() -> None:
    writer = await send(exc.HTTPNotFound(), method="HEAD")
    assert writer.body == b""
    assert writer.headers["Content-Length"] == str(len(b"404: Not Found"))


async def test_prepared_exception_reports_it() -> None:
    err = exc.HTTPGone()
    await send(err)
    assert err.prepared
    assert repr(err) == "<HTTPGone Gone eof>"
