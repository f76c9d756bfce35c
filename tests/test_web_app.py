"""Application: routing through the app, state, signals, freezing, sub-apps."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from aiohttp import web
from aiohttp._chainmap import ChainMapProxy
from aiohttp.typedefs import Handler
from aiohttp.web_app import CleanupError, NotAppKeyWarning

from ._app_helpers import ServeApp, fetch, serve_app

__all__ = ("serve_app",)

name_key = web.AppKey("name", str)
count_key = web.AppKey("count", int)


async def text_handler(request: web.Request) -> web.Response:
    return web.Response(text=f"{request.method} {request.path}")


# --- routing through the application ----------------------------------------


async def test_routes_404_and_405(serve_app: ServeApp) -> None:
    app = web.Application()
    app.router.add_get("/a", text_handler)
    app.add_routes([web.post("/b", text_handler)])
    port = await serve_app(app)
    assert (await fetch(port, "/a")).text == "GET /a"
    assert (await fetch(port, "/b", method="POST")).text == "POST /b"
    assert (await fetch(port, "/missing")).status == 404
    resp = await fetch(port, "/a", method="DELETE")
    assert resp.status == 405
    assert set(resp.headers["Allow"].split(",")) == {"GET", "HEAD"}


async def test_view_class_is_awaited(serve_app: ServeApp) -> None:
    class Items(web.View):
        async def get(self) -> web.Response:
            return web.Response(text="view get")

    app = web.Application()
    app.router.add_view("/items", Items)
    port = await serve_app(app)
    assert (await fetch(port, "/items")).text == "view get"
    assert (await fetch(port, "/items", method="PUT")).status == 405


async def test_request_app_and_match_info(serve_app: ServeApp) -> None:
    app = web.Application()
    app[name_key] = "root"

    async def handler(request: web.Request) -> web.Response:
        assert request.app is app
        assert isinstance(request, web.Request)
        return web.Response(text=request.app[name_key] + request.match_info["x"])

    app.router.add_get("/{x}", handler)
    port = await serve_app(app)
    assert (await fetch(port, "/42")).text == "root42"


# --- state and AppKey --------------------------------------------------------


def test_app_key_state() -> None:
    app = web.Application()
    app[count_key] = 3
    assert app[count_key] == 3
    assert app.get(count_key) == 3
    assert app.get(name_key) is None
    assert app.get(name_key, "dflt") == "dflt"
    assert list(app) == [count_key] and len(app) == 1
    del app[count_key]
    assert count_key not in app
    assert "name" in repr(name_key) and "str" in repr(name_key)
    assert sorted([count_key, name_key]) == [count_key, name_key]


def test_str_key_warns() -> None:
    app = web.Application()
    with pytest.warns(NotAppKeyWarning, match="AppKey"):
        app["plain"] = 1
    assert app["plain"] == 1


async def test_request_and_response_keys(serve_app: ServeApp) -> None:
    # aiohttp 3.14's typed keys for per-request and per-response storage.
    user_key = web.RequestKey("user", str)
    seen_key = web.ResponseKey[int]("seen")

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        request[user_key] = "alice"
        response = await handler(request)
        response.headers["X-Seen"] = str(response[seen_key])
        return response

    async def handler(request: web.Request) -> web.Response:
        response = web.Response(text=request[user_key])
        response[seen_key] = 1
        return response

    app = web.Application(middlewares=[auth])
    app.router.add_get("/", handler)
    port = await serve_app(app)
    result = await fetch(port, "/")
    assert (result.text, result.headers["X-Seen"]) == ("alice", "1")
    assert repr(user_key) == f"<RequestKey({__name__}.user, type=str)>"
    assert repr(seen_key) == f"<ResponseKey({__name__}.seen, type=int)>"
    assert not isinstance(user_key, web.AppKey)
    assert sorted([user_key, name_key]) == [name_key, user_key]


def test_state_change_after_start_warns() -> None:
    app = web.Application()
    app.freeze()
    with pytest.warns(DeprecationWarning, match="Changing state"):
        app[count_key] = 1
    with pytest.warns(DeprecationWarning, match="Changing state"):
        del app[count_key]


def test_app_is_truthy_and_hashable() -> None:
    app = web.Application()
    assert app and app() is app
    assert {app: 1}[app] == 1
    assert app != web.Application()
    assert "Application" in repr(app)


def test_constructor_errors() -> None:
    with pytest.raises(TypeError, match="router"):
        web.Application(router=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="client_max_size"):
        web.Application(client_max_size="1")  # type: ignore[arg-type]
    with pytest.warns(DeprecationWarning, match="debug"):
        assert web.Application(debug=True).debug


def test_subclassing_forbidden() -> None:
    with pytest.raises(TypeError, match="forbidden"):

        class MyApp(web.Application):  # type: ignore[misc]
            pass


# --- freezing ----------------------------------------------------------------


async def test_frozen_app_rejects_changes() -> None:
    app = web.Application()
    app.freeze()
    assert app.frozen and app.pre_frozen
    with pytest.raises(RuntimeError):
        app.middlewares.append(web.middleware(lambda r, h: h(r)))
    with pytest.raises(RuntimeError, match="frozen router"):
        app.router.add_get("/", text_handler)
    with pytest.raises(RuntimeError):
        app.on_startup.append(lambda app: None)
    with pytest.raises(RuntimeError, match="frozen application"):
        app.add_subapp("/sub", web.Application())
    with pytest.raises(RuntimeError, match="frozen application"):
        web.Application().add_subapp("/sub", app)


# --- signals and cleanup contexts --------------------------------------------


async def test_signal_and_cleanup_ctx_order() -> None:
    events: list[str] = []
    app = web.Application()
    sub = web.Application()

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        events.append("ctx enter")
        yield
        events.append("ctx exit")

    @asynccontextmanager
    async def cm(app: web.Application) -> AsyncIterator[None]:
        events.append("cm enter")
        yield
        events.append("cm exit")

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def record(app: web.Application) -> None:
            events.append(name)

        return record

    app.cleanup_ctx.append(ctx)
    app.cleanup_ctx.append(cm)
    for signal in ("on_startup", "on_shutdown", "on_cleanup"):
        getattr(app, signal).append(recorder(signal))
        getattr(sub, signal).append(recorder("sub " + signal))
    app.add_subapp("/sub", sub)
    runner = web.AppRunner(app)
    await runner.setup()
    assert runner.app is app
    await runner.cleanup()
    assert events == [
        "ctx enter",
        "cm enter",
        "on_startup",
        "sub on_startup",
        "on_shutdown",
        "sub on_shutdown",
        "cm exit",
        "ctx exit",
        "on_cleanup",
        "sub on_cleanup",
    ]


async def test_cleanup_ctx_errors_aggregate() -> None:
    app = web.Application()

    async def fail(app: web.Application) -> AsyncIterator[None]:
        yield
        raise ValueError("one")

    async def fail2(app: web.Application) -> AsyncIterator[None]:
        yield
        raise KeyError("two")

    async def twice(app: web.Application) -> AsyncIterator[None]:
        yield
        yield

    app.cleanup_ctx.extend([fail, fail2, twice])
    app.freeze()
    await app.startup()
    with pytest.raises(CleanupError) as info:
        await app.cleanup()
    kinds = [type(e) for e in info.value.exceptions]
    assert kinds == [RuntimeError, KeyError, ValueError]


async def test_cleanup_ctx_single_error_and_bad_factory() -> None:
    app = web.Application()

    async def fail(app: web.Application) -> AsyncIterator[None]:
        yield
        raise ValueError("only")

    app.cleanup_ctx.append(fail)
    app.freeze()
    await app.startup()
    with pytest.raises(ValueError, match="only"):
        await app.cleanup()

    bad = web.Application()
    bad.cleanup_ctx.append(lambda app: 42)
    bad.freeze()
    with pytest.raises(TypeError, match="async generator"):
        await bad.startup()


async def test_on_response_prepare_adds_header(serve_app: ServeApp) -> None:
    app = web.Application()
    sub = web.Application()

    async def stamp(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.add("X-Prepared", "root")

    async def sub_stamp(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.add("X-Prepared", "sub")

    app.on_response_prepare.append(stamp)
    sub.on_response_prepare.append(sub_stamp)
    app.router.add_get("/", text_handler)
    sub.router.add_get("/x", text_handler)
    app.add_subapp("/sub", sub)
    port = await serve_app(app)
    assert (await fetch(port, "/")).headers.get_all("X-Prepared") == ["root"]
    both = (await fetch(port, "/sub/x")).headers.get_all("X-Prepared")
    assert both == ["root", "sub"]
    # Errors answered by the router go through the hook as well.
    assert (await fetch(port, "/nope")).headers.get_all("X-Prepared") == ["root"]


# --- sub-applications --------------------------------------------------------


async def test_subapp_routing_url_for_and_config(serve_app: ServeApp) -> None:
    app = web.Application()
    sub = web.Application()
    app[name_key] = "root"
    app[count_key] = 1
    sub[name_key] = "sub"

    async def handler(request: web.Request) -> web.Response:
        config = request.config_dict
        assert isinstance(config, ChainMapProxy)
        url = request.app.router["detail"].url_for(id="7")
        return web.Response(text=f"{config[name_key]} {config[count_key]} {url}")

    sub.router.add_get("/item/{id}", handler, name="detail")
    resource = app.add_subapp("/sub/", sub)
    assert resource.canonical == "/sub"
    port = await serve_app(app)
    assert (await fetch(port, "/sub/item/1")).text == "sub 1 /sub/item/7"
    assert (await fetch(port, "/sub/nothing")).status == 404
    assert sub.pre_frozen and sub.frozen


def test_add_subapp_errors() -> None:
    app = web.Application()
    with pytest.raises(ValueError, match="empty"):
        app.add_subapp("/", web.Application())
    with pytest.raises(TypeError, match="prefix"):
        app.add_subapp(1, web.Application())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="subapp"):
        app.add_subapp("/x", object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="own"):
        app.add_subapp("/x", app)
    with pytest.raises(TypeError, match="domain"):
        app.add_domain(1, web.Application())  # type: ignore[arg-type]


async def test_domain_routing(serve_app: ServeApp) -> None:
    app = web.Application()
    exact = web.Application()
    masked = web.Application()

    async def exact_handler(request: web.Request) -> web.Response:
        return web.Response(text="exact")

    async def masked_handler(request: web.Request) -> web.Response:
        return web.Response(text="masked")

    exact.router.add_get("/", exact_handler)
    masked.router.add_get("/", masked_handler)
    app.add_domain("example.com", exact)
    app.add_domain("*.example.org", masked)
    app.router.add_get("/plain", text_handler)
    port = await serve_app(app)
    host = {"Host": "example.com"}
    assert (await fetch(port, "/", headers=host)).text == "exact"
    sub_host = {"Host": "a.example.org"}
    assert (await fetch(port, "/", headers=sub_host)).text == "masked"
    assert (await fetch(port, "/")).status == 404


# --- Expect ------------------------------------------------------------------


async def test_expect_continue_and_unknown(serve_app: ServeApp, raw_connect) -> None:  # type: ignore[no-untyped-def]
    app = web.Application()

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app.router.add_post("/echo", echo)
    port = await serve_app(app)
    conn = await raw_connect(port)
    conn.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    interim = await conn.response("POST")
    assert interim.status == 100
    conn.send(b"body")
    final = await conn.response("POST")
    assert (final.status, final.body) == (200, b"body")

    conn2 = await raw_connect(port)
    conn2.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: something-else\r\n\r\nbody"
    )
    resp = await conn2.response("POST")
    assert resp.status == 417


async def test_custom_expect_handler_answers(serve_app: ServeApp) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=403, text="no upload")

    app = web.Application()
    app.router.add_post("/up", text_handler, expect_handler=refuse)
    port = await serve_app(app)
    resp = await fetch(
        port, "/up", method="POST", body=b"x", headers={"Expect": "100-continue"}
    )
    assert (resp.status, resp.text) == (403, "no upload")


# --- runner and handler_args -------------------------------------------------


async def test_handler_args_and_client_max_size(serve_app: ServeApp) -> None:
    app = web.Application(handler_args={"max_field_size": 50}, client_max_size=10)

    async def read(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app.router.add_post("/", read)
    port = await serve_app(app)
    big_header = {"X-Big": "a" * 100}
    assert (await fetch(port, "/", method="POST", headers=big_header)).status == 431
    assert (await fetch(port, "/", method="POST", body=b"123")).text == "3"
    assert (await fetch(port, "/", method="POST", body=b"x" * 20)).status == 413


def test_app_runner_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        web.AppRunner(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="access_log_class"):
        web.AppRunner(web.Application(), access_log_class=object)  # type: ignore[arg-type]


async def test_cleanup_without_startup_exits_contexts() -> None:
    app = web.Application()
    await app.cleanup()  # nothing entered: nothing to do
    await asyncio.sleep(0)


def test_chain_map_proxy() -> None:
    proxy = ChainMapProxy([{"a": 1}, {"a": 2, "b": 3}])
    assert proxy["a"] == 1 and proxy["b"] == 3
    assert proxy.get("c") is None and proxy.get("c", 5) == 5
    assert len(proxy) == 2 and list(proxy) == ["a", "b"]
    assert "b" in proxy and "z" not in proxy
    assert bool(proxy) and not ChainMapProxy([{}])
    assert repr(proxy).startswith("ChainMapProxy(")
    with pytest.raises(KeyError):
        proxy["z"]
    with pytest.raises(TypeError, match="forbidden"):

        class Sub(ChainMapProxy):  # type: ignore[misc]
            pass
