"""build_client_middlewares: order and validation (no sockets)."""

from typing import Any, cast

import pytest

from aiohttp.client_middlewares import build_client_middlewares


async def test_order_onion() -> None:
    calls: list[str] = []

    async def handler(req: Any) -> Any:
        calls.append("handler")
        return "resp"

    def mw(name: str) -> Any:
        async def middleware(req: Any, nxt: Any) -> Any:
            calls.append(f"{name} in")
            resp = await nxt(req)
            calls.append(f"{name} out")
            return resp

        return middleware

    chain = build_client_middlewares(handler, [mw("a"), mw("b")])
    result: Any = await chain(cast(Any, "req"))
    assert result == "resp"
    assert calls == ["a in", "b in", "handler", "b out", "a out"]


async def test_no_middlewares_is_handler() -> None:
    async def handler(req: Any) -> Any:
        return req  # pragma: no cover

    assert build_client_middlewares(handler, ()) is handler


def test_not_callable_refused() -> None:
    async def handler(req: Any) -> Any:
        return req  # pragma: no cover

    with pytest.raises(TypeError, match="middlewares"):
        build_client_middlewares(handler, ["nope"])  # type: ignore[list-item]
