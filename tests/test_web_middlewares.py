"""Middlewares: order across apps, current app, caching, normalize_path."""

import pytest

from aiohttp import web
from aiohttp.typedefs import Handler

from ._app_helpers import ServeApp, fetch, serve_app

__all__ = ("serve_app",)


def tagging(tag: str, log: list[str]):  # type: ignore[no-untyped-def]
    @web.middleware
    async def mw(request: web.Request, handler: Handler) -> web.StreamResponse:
        log.append(f"{tag} in ({request.app is not None})")
        response: web.StreamResponse = await handler(request)
        response.headers.add("X-Order", tag)
        log.append(f"{tag} out")
        return response

    return mw


async def handler(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def test_order_app_and_subapp(serve_app: ServeApp) -> None:
    log: list[str] = []
    seen_apps: list[web.Application] = []

    async def plain(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Undecorated middlewares work too; request.app is the middleware's app.
        seen_apps.append(request.app)
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[tagging("a1", log), tagging("a2", log)])
    app.middlewares.append(plain)
    sub = web.Application(middlewares=[tagging("s1", log), plain])

    async def sub_handler(request: web.Request) -> web.Response:
        seen_apps.append(request.app)
        return web.Response(text="sub")

    sub.router.add_get("/h", sub_handler)
    app.router.add_get("/", handler)
    app.add_subapp("/sub", sub)
    port = await serve_app(app)

    resp = await fetch(port, "/sub/h")
    assert resp.text == "sub"
    # Outermost middleware adds its header last.
    assert resp.headers.get_all("X-Order") == ["s1", "a2", "a1"]
    ins = ["a1 in (True)", "a2 in (True)", "s1 in (True)"]
    assert log == [*ins, "s1 out", "a2 out", "a1 out"]
    assert seen_apps == [app, sub, sub]

    log.clear()
    resp = await fetch(port, "/")
    assert resp.headers.get_all("X-Order") == ["a2", "a1"]
    # Unrouted requests go through the middlewares as well (the 404 is
    # raised, so only the way in is logged).
    log.clear()
    resp = await fetch(port, "/missing")
    assert resp.status == 404
    assert log == ["a1 in (True)", "a2 in (True)"]


async def test_middleware_can_answer_and_chain_is_cached(serve_app: ServeApp) -> None:
    calls = 0

    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if request.headers.get("X-Block"):
            return web.Response(status=403)
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[gate])
    app.router.add_get("/", handler)
    port = await serve_app(app)
    assert (await fetch(port, "/", headers={"X-Block": "1"})).status == 403
    assert (await fetch(port, "/")).status == 200
    assert calls == 2
    # One composed chain for the one route, reused by both requests.
    assert len(app._chains) == 1


async def test_no_middlewares_calls_handler_directly(serve_app: ServeApp) -> None:
    app = web.Application()
    app.router.add_get("/", handler)
    port = await serve_app(app)
    assert (await fetch(port, "/")).text == "ok"
    assert app._chains == {}


def test_middleware_decorator_marks() -> None:
    async def mw(request: web.Request, handler: Handler) -> web.StreamResponse:
        raise AssertionError

    assert web.middleware(mw) is mw
    assert mw.__middleware_version__ == 1  # type: ignore[attr-defined]


# --- normalize_path_middleware -----------------------------------------------


def make_app(**kwargs: bool) -> web.Application:
    app = web.Application(middlewares=[web.normalize_path_middleware(**kwargs)])
    app.router.add_get("/slash/", handler)
    app.router.add_get("/noslash", handler)
    return app


@pytest.mark.parametrize(
    ("kwargs", "path", "status", "location"),
    [
        ({}, "/slash", 308, "/slash/"),
        ({}, "/slash?a=1", 308, "/slash/?a=1"),
        ({}, "//slash//", 308, "/slash/"),
        ({}, "/noslash", 200, None),
        ({}, "/noslash/", 404, None),
        ({}, "/nothing", 404, None),
        ({"append_slash": False, "remove_slash": True}, "/noslash/", 308, "/noslash"),
        ({"append_slash": False, "remove_slash": True}, "/slash/", 200, None),
        ({"merge_slashes": False}, "//slash//", 404, None),
        ({"append_slash": False}, "/slash", 404, None),
    ],
)
async def test_normalize_path(
    serve_app: ServeApp,
    kwargs: dict[str, bool],
    path: str,
    status: int,
    location: str,
) -> None:
    port = await serve_app(make_app(**kwargs))
    resp = await fetch(port, path)
    assert resp.status == status
    assert resp.headers.get("Location") == location


async def test_normalize_path_redirect_class(serve_app: ServeApp) -> None:
    app = web.Application(
        middlewares=[
            web.normalize_path_middleware(redirect_class=web.HTTPMovedPermanently)
        ]
    )
    app.router.add_get("/a/", handler)
    port = await serve_app(app)
    resp = await fetch(port, "/a")
    assert (resp.status, resp.headers["Location"]) == (301, "/a/")


async def test_normalize_path_no_open_redirect(serve_app: ServeApp) -> None:
    port = await serve_app(make_app())
    resp = await fetch(port, "//slash")
    assert resp.headers["Location"] == "/slash/"


def test_normalize_path_conflicting_options() -> None:
    with pytest.raises(ValueError, match="both remove and append"):
        web.normalize_path_middleware(append_slash=True, remove_slash=True)
