"""The router over real sockets: resolution, 404/405, url_for, views, sub-apps."""

import json
import re
from collections.abc import Awaitable, Iterator
from typing import Any, Optional

import pytest
from yarl import URL

from aiohttp import hdrs, web_routedef
from aiohttp.web_exceptions import (
    HTTPMethodNotAllowed,
    HTTPNotFound,
    HTTPServiceUnavailable,
)
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_urldispatcher import (
    AbstractResource,
    AbstractRoute,
    Domain,
    DynamicResource,
    MaskDomain,
    MatchedSubAppResource,
    MatchInfoError,
    PlainResource,
    PrefixedSubAppResource,
    Resource,
    ResourceRoute,
    SystemRoute,
    UrlDispatcher,
    UrlMappingMatchInfo,
    View,
)

from ._routing_helpers import (
    FakeRequest,
    Fetch,
    Serve,
    fetch,
    get_json,
    info_handler,
    serve,
)
from .conftest import RawConnection

__all__ = ("fetch", "serve")  # fixtures imported from the helpers


# --- resolution over sockets ------------------------------------------------


async def test_plain_route_404_and_405(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/hello", info_handler("hello"))
    router.add_post("/hello", info_handler("post"))
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/hello"))["tag"] == "hello"
    missing = await fetch(srv.port, "GET", "/nope")
    assert missing.status == 404
    wrong = await fetch(srv.port, "DELETE", "/hello")
    assert wrong.status == 405
    assert wrong.head.headers["Allow"] == "GET,HEAD,POST"


async def test_head_is_added_with_get(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/a", info_handler("a"))
    router.add_get("/b", info_handler("b"), allow_head=False)
    srv = await serve(router)
    head = await fetch(srv.port, "HEAD", "/a")
    assert head.status == 200
    assert head.body == b""
    assert int(head.head.headers["Content-Length"]) > 0
    refused = await fetch(srv.port, "HEAD", "/b")
    assert refused.status == 405
    assert refused.head.headers["Allow"] == "GET"


async def test_dynamic_values_are_decoded(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/users/{user}", info_handler("user"))
    router.add_get(r"/num/{n:\d+}", info_handler("num"))
    router.add_get(r"/two/{n:\d{2}}/x", info_handler("two"))
    router.add_get("/files/{tail:.+}", info_handler("tail"))
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/users/bob"))["match"] == {"user": "bob"}
    decoded = await get_json(fetch, srv, "/users/caf%C3%A9%20x%25")
    assert decoded["match"] == {"user": "café x%"}
    # An encoded slash stays inside its segment and is decoded in the value.
    assert (await get_json(fetch, srv, "/users/a%2Fb"))["match"] == {"user": "a/b"}
    assert (await fetch(srv.port, "GET", "/users/a/b")).status == 404
    assert (await get_json(fetch, srv, "/num/42"))["match"] == {"n": "42"}
    assert (await fetch(srv.port, "GET", "/num/4x")).status == 404
    assert (await get_json(fetch, srv, "/two/12/x"))["tag"] == "two"
    assert (await fetch(srv.port, "GET", "/two/123/x")).status == 404
    assert (await get_json(fetch, srv, "/files/a/b/c"))["match"] == {"tail": "a/b/c"}


async def test_unicode_route_path(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/café", info_handler("plain"))
    router.add_get("/caf%C3%A9/{x}", info_handler("dynamic"))
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/caf%C3%A9"))["tag"] == "plain"
    assert (await get_json(fetch, srv, "/caf%c3%a9/1"))["tag"] == "dynamic"


async def test_fixed_paths_win_over_variable_ones(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/a/{name}", info_handler("variable"))
    router.add_get("/a/b", info_handler("fixed"))
    router.add_get("/users/{x}/{y}/z", info_handler("first"))
    router.add_get("/users/{x}/y/z", info_handler("second"))
    router.add_get("/{anything:.*}", info_handler("catch-all"))
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/a/b"))["tag"] == "fixed"
    assert (await get_json(fetch, srv, "/a/c"))["tag"] == "variable"
    assert (await get_json(fetch, srv, "/users/1/y/z"))["tag"] == "first"
    assert (await get_json(fetch, srv, "/zzz/q"))["tag"] == "catch-all"


async def test_405_collects_methods_of_every_matching_resource(
    serve: Serve, fetch: Fetch
) -> None:
    router = UrlDispatcher()
    router.add_post("/items/{id}", info_handler("post"))
    router.add_put("/items/{id:\\d+}", info_handler("put"))
    srv = await serve(router)
    response = await fetch(srv.port, "GET", "/items/7")
    assert response.status == 405
    assert response.head.headers["Allow"] == "POST,PUT"


async def test_any_method_route(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_route("GET", "/any", info_handler("get"))
    router.add_route("*", "/any", info_handler("any"))
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/any"))["tag"] == "get"
    response = await fetch(srv.port, "PATCH", "/any")
    assert json.loads(response.body)["tag"] == "any"


async def test_url_for_round_trip(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    route = router.add_get("/items/{item}/{rest:.*}", info_handler("x"), name="item")
    srv = await serve(router)
    url = router["item"].url_for(item="a b?#%/é", rest="x/y z")
    assert url == URL.build(path="/items/a%20b%3F%23%25/%C3%A9/x/y%20z", encoded=True)
    assert route.url_for(item="1", rest="") == URL("/items/1/")
    body = await get_json(fetch, srv, "/items/a%20b%3F%23%25%2F%C3%A9/x/y%20z")
    assert body["match"] == {"item": "a b?#%/é", "rest": "x/y z"}


async def test_url_for_with_query(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/search", info_handler("s"), name="search")
    router.add_get("/users/{name}", info_handler("u"), name="user")
    router.add_get("/q/{query}", info_handler("q"), name="q")
    srv = await serve(router)
    url = router["search"].url_for(query={"q": "a b", "page": 2})
    assert str(url) == "/search?q=a+b&page=2"
    url = router["user"].url_for(name="ada", query=[("tab", "x")])
    assert str(url) == "/users/ada?tab=x"
    # A route with its own {query} variable fills it instead.
    assert str(router["q"].url_for(query="z")) == "/q/z"
    body = await get_json(fetch, srv, str(url))
    assert body["match"] == {"name": "ada"}


async def test_class_based_view(serve: Serve, fetch: Fetch) -> None:
    class Items(View):
        async def get(self) -> StreamResponse:
            return Response(text=f"get {self.request.method}")

        async def post(self) -> StreamResponse:
            return Response(text="post")

    router = UrlDispatcher()
    router.add_view("/items", Items)
    srv = await serve(router)
    assert (await fetch(srv.port, "GET", "/items")).body == b"get GET"
    assert (await fetch(srv.port, "POST", "/items")).body == b"post"
    refused = await fetch(srv.port, "DELETE", "/items")
    assert refused.status == 405
    assert refused.head.headers["Allow"] == "GET,POST"
    odd = await fetch(srv.port, "FOO", "/items")
    assert odd.status == 405


async def test_expect_100_continue(serve: Serve, raw_connect: Any) -> None:
    async def upload(request: BaseRequest) -> StreamResponse:
        return Response(text=(await request.read()).decode())

    router = UrlDispatcher()
    router.add_post("/up", upload)
    srv = await serve(router)
    conn: RawConnection = await raw_connect(srv.port)
    conn.send(
        b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    interim = await conn.response("POST")
    assert interim.status == 100
    conn.send(b"data")
    final = await conn.response("POST")
    assert (final.status, final.body) == (200, b"data")


async def test_unknown_expectation_is_417(serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    router.add_get("/", info_handler("root"))
    srv = await serve(router)
    response = await fetch(srv.port, "GET", "/", {"Expect": "teapot"})
    assert response.status == 417
    assert b"Unknown Expect: teapot" in response.body
    old = await fetch(srv.port, "GET", "/", {"Expect": "teapot"}, version="1.0")
    assert old.status == 200


async def test_custom_expect_handler(serve: Serve, fetch: Fetch) -> None:
    async def refuse(request: BaseRequest) -> Optional[StreamResponse]:
        if request.headers.get("X-Allow") != "yes":
            return Response(status=403, text="no upload for you")
        return None

    router = UrlDispatcher()
    router.add_get("/", info_handler("root"), expect_handler=refuse)
    srv = await serve(router)
    denied = await fetch(srv.port, "GET", "/", {"Expect": "100-continue"})
    assert (denied.status, denied.body) == (403, b"no upload for you")
    allowed = await fetch(
        srv.port, "GET", "/", {"Expect": "100-continue", "X-Allow": "yes"}
    )
    assert allowed.status == 200


async def test_sync_handler_is_deprecated_but_works(serve: Serve, fetch: Fetch) -> None:
    def sync_handler(request: BaseRequest) -> StreamResponse:
        return Response(text="sync")

    def returns_awaitable(request: BaseRequest) -> Awaitable[StreamResponse]:
        return info_handler("awaitable")(request)

    router = UrlDispatcher()
    with pytest.warns(DeprecationWarning, match="async def") as record:
        router.add_get("/sync", sync_handler)  # type: ignore[arg-type]
    assert {warning.filename for warning in record} == {__file__}
    with pytest.warns(DeprecationWarning) as record:
        router.add_routes([web_routedef.get("/aw", returns_awaitable)])
    assert {warning.filename for warning in record} == {__file__}
    srv = await serve(router)
    assert (await fetch(srv.port, "GET", "/sync")).body == b"sync"
    assert (await get_json(fetch, srv, "/aw"))["tag"] == "awaitable"


async def test_async_callable_object_handler(serve: Serve, fetch: Fetch) -> None:
    class Handler:
        async def __call__(self, request: BaseRequest) -> StreamResponse:
            return Response(text="object")

    router = UrlDispatcher()
    router.add_get("/", Handler())
    srv = await serve(router)
    assert (await fetch(srv.port, "GET", "/")).body == b"object"


# --- sub-applications -------------------------------------------------------


class FakeApp:
    """What the router needs from an Application: a router."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.router = UrlDispatcher()

    def __repr__(self) -> str:
        return f"<FakeApp {self.name}>"


async def test_prefixed_subapp(serve: Serve, fetch: Fetch) -> None:
    root, admin, deep = FakeApp("root"), FakeApp("admin"), FakeApp("deep")
    deep.router.add_get("/x/{id}", info_handler("deep"), name="deep-x")
    admin.router.add_get("", info_handler("admin-root"))
    admin.router.add_get("/users", info_handler("users"), name="users")
    admin_deep = PrefixedSubAppResource("/deep/", deep)  # type: ignore[arg-type]
    admin.router.register_resource(admin_deep)
    resource = PrefixedSubAppResource("/admin", admin)  # type: ignore[arg-type]
    root.router.register_resource(resource)
    root.router.add_get("/admin-page", info_handler("not-sub"))
    srv = await serve(root.router)

    assert (await get_json(fetch, srv, "/admin"))["tag"] == "admin-root"
    assert (await get_json(fetch, srv, "/admin/users"))["tag"] == "users"
    assert (await get_json(fetch, srv, "/admin/deep/x/5"))["match"] == {"id": "5"}
    assert (await get_json(fetch, srv, "/admin-page"))["tag"] == "not-sub"
    assert (await fetch(srv.port, "GET", "/admin/nope")).status == 404
    refused = await fetch(srv.port, "POST", "/admin/users")
    assert refused.status == 405
    assert refused.head.headers["Allow"] == "GET,HEAD"

    assert admin.router["users"].url_for() == URL("/admin/users")
    assert deep.router["deep-x"].url_for(id="1") == URL("/admin/deep/x/1")
    assert resource.canonical == "/admin"
    assert resource.get_info() == {"app": admin, "prefix": "/admin"}
    # GET+HEAD of "", of /users and, through the nested sub-app, of /x/{id}.
    assert len(resource) == 6
    assert {r.method for r in resource} == {"GET", "HEAD"}
    assert repr(resource) == "<PrefixedSubAppResource /admin -> <FakeApp admin>>"
    with pytest.raises(RuntimeError, match="sub-application root"):
        resource.url_for()


async def test_subapp_match_info_apps() -> None:
    root, sub = FakeApp("root"), FakeApp("sub")
    sub.router.add_get("/a", info_handler("a"))
    root.router.register_resource(PrefixedSubAppResource("/sub", sub))  # type: ignore[arg-type]
    request = FakeRequest("GET", "/sub/a")
    match_info = await root.router.resolve(request)  # type: ignore[arg-type]
    match_info.add_app(root)  # type: ignore[arg-type]
    assert match_info.apps == (root, sub)
    assert match_info.current_app is sub
    missing = await root.router.resolve(FakeRequest("GET", "/sub/b"))  # type: ignore[arg-type]
    assert isinstance(missing, MatchInfoError)
    assert missing.apps == (sub,)


async def test_domain_subapps(serve: Serve, fetch: Fetch) -> None:
    root, exact, masked = FakeApp("root"), FakeApp("exact"), FakeApp("masked")
    exact.router.add_get("/", info_handler("exact"))
    masked.router.add_get("/", info_handler("masked"))
    root.router.register_resource(
        MatchedSubAppResource(Domain("Example.com"), exact)  # type: ignore[arg-type]
    )
    root.router.register_resource(
        MatchedSubAppResource(MaskDomain("*.example.com"), masked)  # type: ignore[arg-type]
    )
    root.router.add_get("/root", info_handler("root"))
    srv = await serve(root.router)

    async def tag(host: str, path: str = "/") -> Any:
        response = await fetch(srv.port, "GET", path, {"Host": host})
        return json.loads(response.body)["tag"] if response.status == 200 else 404

    assert await tag("127.0.0.1") == 404
    assert await tag("example.com") == "exact"
    assert await tag("EXAMPLE.COM") == "exact"
    assert await tag("a.b.example.com") == "masked"
    assert await tag("other.org") == 404
    # Indexed routes come first (aiohttp documents the same order).
    assert await tag("example.com", "/root") == "root"


def test_domain_rules() -> None:
    assert Domain("example.com").canonical == "example.com"
    assert Domain("EXAMPLE.com:8080").canonical == "example.com:8080"
    assert Domain("example.com.").get_info() == {"domain": "example.com"}
    assert Domain("example.com").match_domain("EXAMPLE.COM")
    assert not Domain("example.com").match_domain("www.example.com")
    mask = MaskDomain("*.example.com")
    assert mask.canonical == r".*\.example\.com"
    assert mask.match_domain("a.example.com")
    assert not mask.match_domain("example.org")
    for bad in ("", "http://example.com", "exa_mple.com", "-a.com", "a.com/x"):
        with pytest.raises(ValueError, match="domain"):
            Domain(bad)
    with pytest.raises(ValueError):
        Domain("*.example.com")
    with pytest.raises(TypeError):
        Domain(b"example.com")  # type: ignore[arg-type]


async def test_domain_without_host_header() -> None:
    assert not await Domain("example.com").match(FakeRequest("GET", "/", host=""))  # type: ignore[arg-type]


def test_matched_subapp_resource_info() -> None:
    app = FakeApp("d")
    rule = Domain("example.com")
    resource = MatchedSubAppResource(rule, app)  # type: ignore[arg-type]
    assert resource.canonical == "example.com"
    assert resource.get_info() == {"app": app, "rule": rule}
    assert repr(resource) == "<MatchedSubAppResource -> <FakeApp d>>"


def test_subapp_prefix_validation() -> None:
    with pytest.raises(ValueError, match="cannot be empty"):
        PrefixedSubAppResource("/", FakeApp("x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must start with '/'"):
        PrefixedSubAppResource("admin", FakeApp("x"))  # type: ignore[arg-type]


# --- resolve() unit behaviour, with a minimal request double ----------------


async def test_index_skips_unrelated_resources() -> None:
    calls: list[str] = []

    class Counting(AbstractResource):
        def __init__(self, path: str) -> None:
            super().__init__()
            self._path = path

        @property
        def canonical(self) -> str:
            return self._path

        def url_for(self, *args: str, **kwargs: str) -> URL:
            return URL(self._path)

        async def resolve(
            self, request: Any
        ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
            calls.append(self._path)
            return None, set()

        def add_prefix(self, prefix: str) -> None:
            self._path = prefix + self._path

        def get_info(self) -> dict[str, Any]:
            return {"path": self._path}

        def raw_match(self, path: str) -> bool:
            return False

        def __len__(self) -> int:
            return 0

        def __iter__(self) -> Iterator[AbstractRoute]:
            return iter(())

    router = UrlDispatcher()
    for i in range(500):
        router.add_get(f"/route{i}/{{x}}", info_handler(str(i)))
    router.register_resource(Counting("/other/{x}"))
    router.register_resource(Counting("/route499"))
    router.freeze()
    match_info = await router.resolve(FakeRequest("GET", "/route499/y"))  # type: ignore[arg-type]
    assert match_info.get_info()["formatter"] == "/route499/{x}"
    assert calls == []  # the dynamic /route499/{x} matched first
    missing = await router.resolve(FakeRequest("GET", "/route499"))  # type: ignore[arg-type]
    assert isinstance(missing, MatchInfoError)
    assert calls == ["/route499"]


async def test_match_info_error_handler_raises() -> None:
    router = UrlDispatcher()
    match_info = await router.resolve(FakeRequest("GET", "/"))  # type: ignore[arg-type]
    assert isinstance(match_info, MatchInfoError)
    assert isinstance(match_info.http_exception, HTTPNotFound)
    assert repr(match_info) == "<MatchInfoError 404: Not Found>"
    with pytest.raises(HTTPNotFound):
        await match_info.handler(FakeRequest("GET", "/"))  # type: ignore[arg-type]
    route = match_info.route
    assert isinstance(route, SystemRoute)
    assert (route.status, route.reason, route.name) == (404, "Not Found", None)
    assert route.get_info() == {"http_exception": match_info.http_exception}
    assert repr(route) == "<SystemRoute 404: Not Found>"
    with pytest.raises(RuntimeError):
        route.url_for()
    assert match_info.get_info() == {"http_exception": match_info.http_exception}


async def test_method_not_allowed_details() -> None:
    router = UrlDispatcher()
    router.add_get("/x", info_handler("x"))
    match_info = await router.resolve(FakeRequest("POST", "/x"))  # type: ignore[arg-type]
    exc = match_info.http_exception
    assert isinstance(exc, HTTPMethodNotAllowed)
    assert exc.method == "POST"
    assert exc.allowed_methods == {"GET", "HEAD"}


async def test_empty_path_is_404() -> None:
    router = UrlDispatcher()
    router.add_get("", info_handler("x"))
    match_info = await router.resolve(FakeRequest("GET", ""))  # type: ignore[arg-type]
    assert isinstance(match_info.http_exception, HTTPNotFound)


async def test_asterisk_target_is_404() -> None:
    router = UrlDispatcher()
    router.add_route("*", "/{x}", info_handler("x"))
    match_info = await router.resolve(FakeRequest("OPTIONS", "*"))  # type: ignore[arg-type]
    assert isinstance(match_info.http_exception, HTTPNotFound)


async def test_resource_resolve_returns_a_copy_of_methods() -> None:
    resource = PlainResource("/x")
    resource.add_route("GET", info_handler("x"))
    match_info, allowed = await resource.resolve(FakeRequest("PUT", "/x"))  # type: ignore[arg-type]
    assert match_info is None
    assert allowed == {"GET"}
    allowed.add("PUT")
    assert set(resource._allowed_methods) == {"GET"}
    assert await resource.resolve(FakeRequest("GET", "/y")) == (None, set())  # type: ignore[arg-type]


# --- match info -------------------------------------------------------------


def test_match_info_apps_and_current_app() -> None:
    resource = PlainResource("/x")
    route = resource.add_route("GET", info_handler("x"))
    match_info = UrlMappingMatchInfo({"a": "1"}, route)
    assert match_info.route is route
    assert match_info.handler is route.handler
    assert match_info.http_exception is None
    assert match_info.get_info() == {"path": "/x"}
    with pytest.raises(RuntimeError, match="No application"):
        match_info.current_app  # noqa: B018
    inner, outer = FakeApp("inner"), FakeApp("outer")
    match_info.add_app(inner)  # type: ignore[arg-type]
    match_info.add_app(outer)  # type: ignore[arg-type]
    assert match_info.apps == (outer, inner)
    assert match_info.current_app is inner
    with match_info.set_current_app(outer):  # type: ignore[arg-type]
        assert match_info.current_app is outer
    assert match_info.current_app is inner
    match_info.current_app = outer  # type: ignore[assignment]
    assert match_info.current_app is outer
    with pytest.raises(ValueError, match="one of the match's apps"):
        match_info.current_app = FakeApp("stranger")  # type: ignore[assignment]
    match_info.freeze()
    with pytest.raises(RuntimeError, match="freeze"):
        match_info.add_app(inner)  # type: ignore[arg-type]
    assert repr(match_info).startswith("<MatchInfo {'a': '1'}: <ResourceRoute [GET]")


async def test_expect_handler_property() -> None:
    async def custom(request: Any) -> Optional[StreamResponse]:
        return Response(text="early")

    resource = PlainResource("/x")
    route = resource.add_route("POST", info_handler("x"), expect_handler=custom)
    match_info = UrlMappingMatchInfo({}, route)
    response = await match_info.expect_handler(FakeRequest("POST", "/x"))  # type: ignore[arg-type]
    assert isinstance(response, Response)
    assert response.text == "early"


# --- registration API ---------------------------------------------------------


async def dummy(request: Any) -> StreamResponse:
    return Response()


def test_add_resource_reuses_last_resource() -> None:
    router = UrlDispatcher()
    first = router.add_get("/same", dummy)
    second = router.add_post("/same", dummy)
    assert first.resource is second.resource
    assert len(router.resources()) == 1
    named = router.add_put("/same", dummy, name="same")
    assert named.resource is not first.resource
    dynamic = router.add_get("/d/{x}", dummy)
    assert router.add_post("/d/{x}", dummy).resource is dynamic.resource
    assert len(router.resources()) == 3
    assert len(router.routes()) == 7


def test_resource_classes_chosen_by_path() -> None:
    router = UrlDispatcher()
    assert isinstance(router.add_resource("/a"), PlainResource)
    assert isinstance(router.add_resource("/a/{b}"), DynamicResource)
    assert isinstance(router.add_resource(""), PlainResource)


def test_views_and_mapping() -> None:
    router = UrlDispatcher()
    one = router.add_get("/one", dummy, name="one")
    two = router.add_post("/two/{x}", dummy, name="two.x")
    resources = router.resources()
    assert len(resources) == 2
    assert one.resource in resources
    assert list(resources) == [one.resource, two.resource]
    routes = router.routes()
    assert len(routes) == 3
    assert one in routes and two in routes
    assert [r.method for r in routes] == ["HEAD", "GET", "POST"]
    named = router.named_resources()
    assert dict(named) == {"one": one.resource, "two.x": two.resource}
    with pytest.raises(TypeError):
        named["x"] = one.resource  # type: ignore[index]
    assert router["one"] is one.resource
    assert "two.x" in router and "nope" not in router
    assert list(router) == ["one", "two.x"]
    assert len(router) == 2
    with pytest.raises(KeyError):
        router["nope"]


@pytest.mark.parametrize(
    "name",
    ["a.b", "a-b", "a:b", "_x", "views.user-detail:v2", "café"],
)
def test_valid_route_names(name: str) -> None:
    UrlDispatcher().add_get("/", dummy, name=name)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "not a Python identifier"),
        ("1abc", "not a Python identifier"),
        ("a b", "not a Python identifier"),
        ("a..b", "not a Python identifier"),
        ("a/b", "not a Python identifier"),
        ("class", "Python keyword"),
        ("x.def", "Python keyword"),
    ],
)
def test_invalid_route_names(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"Incorrect route name {name!r}: .*{problem}"):
        UrlDispatcher().add_get("/", dummy, name=name)


def test_route_name_must_be_str() -> None:
    with pytest.raises(TypeError, match="name="):
        UrlDispatcher().add_get("/", dummy, name=5)  # type: ignore[arg-type]


def test_duplicate_route_name() -> None:
    router = UrlDispatcher()
    router.add_get("/a", dummy, name="x")
    with pytest.raises(ValueError, match="Duplicate route name 'x'"):
        router.add_get("/b", dummy, name="x")


@pytest.mark.parametrize("path", ["users", "users/{id}", "*"])
def test_path_must_start_with_slash(path: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"use '/{path}'")):
        UrlDispatcher().add_get(path, dummy)


def test_path_must_be_str() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        UrlDispatcher().add_resource(b"/x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/a/{", "never closed"),
        ("/a/}", "unbalanced"),
        ("/a/{1x}", "bad variable"),
        ("/a/{x:}", "bad variable"),
        ("/a/{}", "bad variable"),
        ("/a/{x:(}", "Bad pattern"),
        ("/a/{x}/{x}", "Bad pattern"),
    ],
)
def test_invalid_dynamic_paths(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UrlDispatcher().add_get(path, dummy)


def test_frozen_router_refuses_changes() -> None:
    router = UrlDispatcher()
    resource = router.add_resource("/x")
    router.freeze()
    assert router.frozen
    message = "Cannot register a resource into frozen router."
    with pytest.raises(RuntimeError, match=message):
        router.add_get("/x", dummy)
    with pytest.raises(RuntimeError, match=message):
        router.register_resource(PlainResource("/y"))
    with pytest.raises(RuntimeError, match=message):
        router.add_static("/static", ".")
    with pytest.raises(RuntimeError, match="frozen"):
        resource.add_route("GET", dummy)


def test_register_resource_type_check() -> None:
    with pytest.raises(TypeError, match="AbstractResource"):
        UrlDispatcher().register_resource("/x")  # type: ignore[arg-type]


def test_duplicate_method_on_resource() -> None:
    resource = PlainResource("/x")
    resource.add_route("GET", dummy)
    with pytest.raises(RuntimeError, match="method GET is already registered"):
        resource.add_route("get", dummy)
    resource.add_route("*", dummy)
    with pytest.raises(RuntimeError, match=r"method \* is already registered"):
        resource.add_route("POST", dummy)
    with pytest.raises(TypeError, match="ResourceRoute"):
        resource.register_route("GET")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["", "GE T", "GET\r\n", "Ä"])
def test_invalid_method(method: str) -> None:
    with pytest.raises(ValueError, match="not a valid HTTP method"):
        UrlDispatcher().add_route(method, "/", dummy)


def test_method_must_be_str() -> None:
    with pytest.raises(TypeError, match="method="):
        UrlDispatcher().add_route(None, "/", dummy)  # type: ignore[arg-type]


def test_method_is_upper_cased() -> None:
    route = UrlDispatcher().add_route("patch", "/", dummy)
    assert route.method == "PATCH"


def test_handler_validation() -> None:
    router = UrlDispatcher()
    with pytest.raises(TypeError, match="not callable"):
        router.add_get("/a", "handler")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"web\.View subclass"):
        router.add_view("/b", dict)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expect_handler="):
        router.add_get("/c", dummy, expect_handler=lambda r: None)  # type: ignore[arg-type,return-value]


def test_shortcuts_register_their_method() -> None:
    router = UrlDispatcher()
    assert router.add_head("/", dummy).method == "HEAD"
    assert router.add_options("/", dummy).method == "OPTIONS"
    assert router.add_post("/", dummy).method == "POST"
    assert router.add_put("/", dummy).method == "PUT"
    assert router.add_patch("/", dummy).method == "PATCH"
    assert router.add_delete("/", dummy).method == "DELETE"
    assert router.add_view("/v", View).method == "*"
    assert router.add_get("/g", dummy, allow_head=False).method == "GET"


# --- resources: url_for, info, repr -----------------------------------------


def test_plain_resource_details() -> None:
    router = UrlDispatcher()
    route = router.add_get("/a b/é", dummy, name="plain")
    resource = route.resource
    assert isinstance(resource, PlainResource)
    assert resource.canonical == "/a b/é"
    assert resource.get_info() == {"path": "/a b/é"}
    assert resource.url_for() == URL.build(path="/a%20b/%C3%A9", encoded=True)
    assert route.url_for() == resource.url_for()
    assert route.name == "plain"
    assert route.get_info() == resource.get_info()
    assert resource.raw_match("/a%20b/%C3%A9")
    assert repr(resource) == "<PlainResource 'plain' /a b/é>"
    assert repr(route) == f"<ResourceRoute [GET] {resource!r} -> {dummy!r}>"
    assert repr(PlainResource("/x")) == "<PlainResource /x>"
    assert len(resource) == 2
    assert [r.method for r in resource] == ["HEAD", "GET"]
    assert router["plain"].url_for().with_query({"a": "b"}) == URL("/a%20b/%C3%A9?a=b")


def test_plain_resource_with_percent_literal() -> None:
    resource = PlainResource("/50%")
    assert resource.canonical == "/50%"
    assert resource.url_for() == URL.build(path="/50%25", encoded=True)
    slash = PlainResource("/a%2Fb")
    assert slash.canonical == "/a%2Fb"
    assert slash.url_for() == URL.build(path="/a%2Fb", encoded=True)


def test_dynamic_resource_details() -> None:
    resource = DynamicResource(r"/get/{num:\d+}/{name}", name="dyn")
    assert resource.canonical == "/get/{num}/{name}"
    info = resource.get_info()
    assert info["formatter"] == "/get/{num}/{name}"
    assert info["pattern"].pattern == r"/get/(?P<num>\d+)/(?P<name>[^{}/]+)"
    assert resource.url_for(num=1, name="x") == URL("/get/1/x")
    assert resource.raw_match(r"/get/{num:\d+}/{name}")
    assert not resource.raw_match("/get/{num}/{name}")
    assert repr(resource) == "<DynamicResource 'dyn' /get/{num}/{name}>"
    with pytest.raises(KeyError, match="needs a value for 'name'"):
        resource.url_for(num="1")
    with pytest.raises(TypeError, match="must be a str"):
        resource.url_for(num=b"1", name="x")  # type: ignore[arg-type]
    query = DynamicResource("/search/{query}")
    assert query.url_for(query="x y") == URL("/search/x%20y")


def test_dynamic_resource_optional_group() -> None:
    resource = DynamicResource("/opt/{x:(a)?}")
    assert resource._match("/opt/") == {"x": ""}


def test_add_prefix_validation() -> None:
    resource = PlainResource("/x")
    for bad in ("", "/", "x", "/x/"):
        with pytest.raises(ValueError, match="prefix="):
            resource.add_prefix(bad)
    resource.add_prefix("/p")
    assert resource.canonical == "/p/x"
    dynamic = DynamicResource("/{x}")
    dynamic.add_prefix("/p")
    assert dynamic.canonical == "/p/{x}"
    assert dynamic._match("/p/1") == {"x": "1"}
    assert dynamic._index_key() == "/p"


def test_route_for_view_class() -> None:
    class Items(View):
        async def get(self) -> StreamResponse:
            return Response()

    route = ResourceRoute("*", Items, PlainResource("/v"))
    assert route.handler is Items


def test_abstract_resource_default_index_key() -> None:
    class Custom(PlainResource):
        pass

    assert AbstractResource._index_key(Custom("/a/b/")) == "/a/b"
    assert AbstractResource._index_key(DynamicResource("/a/{x}/c")) == "/a"
    assert AbstractResource._index_key(DynamicResource("/{x}")) == "/"


async def test_view_without_handler_for_head() -> None:
    class OnlyGet(View):
        async def get(self) -> StreamResponse:
            return Response(text="g")

    view = OnlyGet(FakeRequest("HEAD", "/"))  # type: ignore[arg-type]
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await view
    assert info.value.allowed_methods == {"GET"}
    response = await OnlyGet(FakeRequest("GET", "/"))  # type: ignore[arg-type]
    assert isinstance(response, Response)


async def test_default_expect_handler_with_foreign_writer() -> None:
    written: list[bytes] = []

    class Writer:
        async def write(self, data: bytes) -> None:
            written.append(data)

    class Request(FakeRequest):
        version = (1, 1)
        writer = Writer()

    route = ResourceRoute("GET", dummy, PlainResource("/"))
    request = Request("GET", "/")
    request.headers[hdrs.EXPECT] = "100-Continue"
    assert await route.handle_expect_header(request) is None  # type: ignore[arg-type]
    assert written == [b"HTTP/1.1 100 Continue\r\n\r\n"]


async def test_subapp_with_custom_router_error() -> None:
    class OtherRouter:
        async def resolve(self, request: Any) -> UrlMappingMatchInfo:
            return MatchInfoError(HTTPServiceUnavailable())

    app = FakeApp("custom")
    app.router = OtherRouter()  # type: ignore[assignment]
    resource = PrefixedSubAppResource("/c", app)  # type: ignore[arg-type]
    assert len(resource) == 0
    match_info, allowed = await resource.resolve(FakeRequest("GET", "/c/x"))  # type: ignore[arg-type]
    assert isinstance(match_info, MatchInfoError)
    assert allowed == set()
    assert await resource.resolve(FakeRequest("GET", "/d")) == (None, set())  # type: ignore[arg-type]


def test_resource_is_abstract() -> None:
    with pytest.raises(TypeError):
        Resource()  # type: ignore[abstract]
