"""Route definitions and RouteTableDef, registered and served over sockets."""

from pathlib import Path
from typing import Any

import pytest

from aiohttp import web_routedef as web
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_routedef import AbstractRouteDef, RouteDef, RouteTableDef, StaticDef
from aiohttp.web_urldispatcher import (
    AbstractRoute,
    StaticResource,
    UrlDispatcher,
    View,
)

from ._routing_helpers import Fetch, Serve, fetch, get_json, info_handler, serve

__all__ = ("fetch", "serve")  # fixtures imported from the helpers


async def handler(request: BaseRequest) -> StreamResponse:
    return Response(text="ok")


class ItemView(View):
    async def get(self) -> StreamResponse:
        return Response(text="view get")

    async def delete(self) -> StreamResponse:
        return Response(text="view delete")


def test_functions_build_route_defs() -> None:
    assert web.get("/", handler) == RouteDef(
        "GET", "/", handler, {"name": None, "allow_head": True}
    )
    assert web.get("/", handler, name="n", allow_head=False).kwargs == {
        "name": "n",
        "allow_head": False,
    }
    for function, method in [
        (web.head, "HEAD"),
        (web.options, "OPTIONS"),
        (web.post, "POST"),
        (web.put, "PUT"),
        (web.patch, "PATCH"),
        (web.delete, "DELETE"),
    ]:
        assert function("/p", handler, name="x") == RouteDef(
            method, "/p", handler, {"name": "x"}
        )
    assert web.view("/v", ItemView) == RouteDef("*", "/v", ItemView, {})
    assert web.route("FOO", "/f", handler) == RouteDef("FOO", "/f", handler, {})


def test_route_def_is_frozen_and_has_repr() -> None:
    definition = web.post("/p", handler, name="p")
    with pytest.raises(AttributeError):
        definition.path = "/q"  # type: ignore[misc]
    assert repr(definition) == "<RouteDef POST /p -> 'handler', name='p'>"
    assert repr(web.view("/v", ItemView)) == "<RouteDef * /v -> 'ItemView'>"
    assert isinstance(definition, AbstractRouteDef)


def test_static_def(tmp_path: Path) -> None:
    definition = web.static("/s", tmp_path, show_index=True)
    assert definition == StaticDef("/s", tmp_path, {"show_index": True})
    assert repr(definition) == f"<StaticDef /s -> {tmp_path}, show_index=True>"
    router = UrlDispatcher()
    routes = definition.register(router)
    assert [route.method for route in routes] == ["GET", "HEAD"]
    assert isinstance(routes[0].resource, StaticResource)


def test_definitions_validate_early(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use '/users'"):
        web.get("users", handler)
    with pytest.raises(ValueError, match="prefix="):
        web.static("static", tmp_path)
    with pytest.raises(TypeError, match="path="):
        web.static("/static", 5)  # type: ignore[arg-type]
    table = RouteTableDef()
    with pytest.raises(ValueError, match="use '/x'"):
        table.get("x")


async def test_add_routes_serves_definitions(
    serve: Serve, fetch: Fetch, tmp_path: Path
) -> None:
    (tmp_path / "f.txt").write_text("file")
    router = UrlDispatcher()
    routes = router.add_routes(
        [
            web.get("/get", info_handler("get"), name="get"),
            web.post("/get", info_handler("post")),
            web.route("*", "/any", info_handler("any")),
            web.route("get", "/lower", info_handler("lower")),
            web.route("PROPFIND", "/dav", info_handler("dav")),
            web.view("/view", ItemView),
            web.static("/static", tmp_path),
        ]
    )
    assert [route.method for route in routes] == [
        "GET",
        "POST",
        "*",
        "GET",
        "PROPFIND",
        "*",
        "GET",
        "HEAD",
    ]
    assert all(isinstance(route, AbstractRoute) for route in routes)
    srv = await serve(router)
    assert (await get_json(fetch, srv, "/get"))["tag"] == "get"
    assert (await fetch(srv.port, "HEAD", "/get")).status == 200
    assert (await fetch(srv.port, "POST", "/get")).status == 200
    assert (await fetch(srv.port, "PUT", "/any")).status == 200
    # route("get", ...) goes through add_route: no HEAD twin.
    assert (await fetch(srv.port, "HEAD", "/lower")).status == 405
    assert (await fetch(srv.port, "PROPFIND", "/dav")).status == 200
    assert (await fetch(srv.port, "DELETE", "/view")).body == b"view delete"
    refused = await fetch(srv.port, "POST", "/view")
    assert refused.head.headers["Allow"] == "DELETE,GET"
    assert router["get"].url_for() == router["get"].url_for()


async def test_route_table_def(serve: Serve, fetch: Fetch, tmp_path: Path) -> None:
    routes = RouteTableDef()

    @routes.get("/", name="index")
    async def index(request: BaseRequest) -> StreamResponse:
        return Response(text="index")

    @routes.post("/items")
    async def create(request: BaseRequest) -> StreamResponse:
        return Response(text="created", status=201)

    @routes.put("/items")
    async def replace(request: BaseRequest) -> StreamResponse:
        return Response(text="replaced")

    @routes.patch("/items")
    async def update(request: BaseRequest) -> StreamResponse:
        return Response(text="patched")

    @routes.delete("/items")
    async def remove(request: BaseRequest) -> StreamResponse:
        return Response(text="deleted")

    @routes.head("/h")
    async def only_head(request: BaseRequest) -> StreamResponse:
        return Response(headers={"X-Head": "1"})

    @routes.options("/items")
    async def options(request: BaseRequest) -> StreamResponse:
        return Response(text="options")

    @routes.route("TRACE", "/t")
    async def trace(request: BaseRequest) -> StreamResponse:
        return Response(text="trace")

    @routes.view("/view")
    class Items(ItemView):
        pass

    routes.static("/static", tmp_path)

    assert index.__name__ == "index"  # decorators return the handler unchanged
    assert Items.__name__ == "Items"
    assert len(routes) == 10
    assert repr(routes) == "<RouteTableDef count=10>"
    assert isinstance(routes[0], RouteDef)
    assert routes[0].method == "GET"  # type: ignore[attr-defined]
    assert [d.method for d in routes[1:3]] == ["POST", "PUT"]  # type: ignore[attr-defined]
    assert routes[0] in routes
    assert isinstance(list(routes)[-1], StaticDef)

    router = UrlDispatcher()
    router.add_routes(routes)
    srv = await serve(router)
    expected = [
        ("GET", "/", 200, b"index"),
        ("POST", "/items", 201, b"created"),
        ("PUT", "/items", 200, b"replaced"),
        ("PATCH", "/items", 200, b"patched"),
        ("DELETE", "/items", 200, b"deleted"),
        ("OPTIONS", "/items", 200, b"options"),
        ("TRACE", "/t", 200, b"trace"),
        ("GET", "/view", 200, b"view get"),
        ("GET", "/h", 405, None),
    ]
    for method, path, status, body in expected:
        response = await fetch(srv.port, method, path)
        assert response.status == status, (method, path)
        if body is not None:
            assert response.body == body
    head = await fetch(srv.port, "HEAD", "/h")
    assert head.head.headers["X-Head"] == "1"
    assert router["index"].url_for() == router["index"].url_for()


def test_register_uses_router_shortcuts() -> None:
    calls: list[tuple[str, Any]] = []

    class Recorder(UrlDispatcher):
        def add_get(self, path: str, handler: Any, **kwargs: Any) -> AbstractRoute:
            calls.append(("add_get", kwargs))
            return super().add_get(path, handler, **kwargs)

    router = Recorder()
    web.get("/", handler, allow_head=False).register(router)
    assert calls == [("add_get", {"name": None, "allow_head": False})]
