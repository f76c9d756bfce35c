"""``_json_dumps.dumps_default`` must be ``json.dumps`` with its defaults, exactly."""

from __future__ import annotations

import datetime
import enum
import json
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiohttp import web
from aiohttp._json_dumps import dumps_default
from aiohttp.pytest_plugin import AiohttpClient

from ._thread_helpers import run_in_threads


class Color(enum.IntEnum):
    RED = 1


class Text(str):
    pass


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.one_of(st.text(), st.integers(), st.booleans(), st.none()),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def test_is_the_c_path_on_cpython() -> None:
    # Not json.dumps itself: otherwise the tests below prove nothing.
    assert dumps_default is not json.dumps


@pytest.mark.parametrize(
    "value",
    [
        {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"]},
        "plain",
        'caf\u00e9 \u2603 \U0001f600 \x00\x1f"\\',
        Text("sub"),
        0,
        -(2**70),
        1.5,
        float("nan"),
        float("-inf"),
        True,
        None,
        [],
        {},
        (1, 2),
        OrderedDict([("b", 1), ("a", 2)]),
        {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
        {"nested": [{"deep": [[[]]]}]},
        [Color.RED, {"k": Color.RED}],
    ],
    ids=repr,
)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert dumps_default(value) == json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_same_text_for_generated_values(value: Any) -> None:
    assert dumps_default(value) == json.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {"when": datetime.date(2026, 11, 25)},
        [Decimal("1.5")],
        {(1, 2): "tuple key"},
        {1, 2},
        b"bytes",
    ],
    ids=repr,
)
def test_same_error_as_json_dumps(value: Any) -> None:
    with pytest.raises(Exception) as expected:
        json.dumps(value)
    with pytest.raises(type(expected.value)) as got:
        dumps_default(value)
    assert str(got.value) == str(expected.value)


def test_circular_reference_and_recovery() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        dumps_default(loop)
    # An error midway leaves no state behind: the same inner list, now
    # reached twice without a cycle, encodes.
    inner = [1]
    with pytest.raises(TypeError):
        dumps_default([inner, object()])
    assert dumps_default([inner, inner]) == "[[1], [1]]"


def test_threads_share_nothing() -> None:
    # One shared object encoded from several threads at once: a shared
    # circular-reference record would report a false cycle.
    shared = {"items": [{"n": i, "t": "x" * 50} for i in range(300)]}
    expected = json.dumps(shared)

    def work(index: int) -> list[str]:
        return [dumps_default(shared) for _ in range(50)]

    assert run_in_threads(work, 4) == [[expected] * 50] * 4


async def test_json_response_default_and_custom_dumps(
    aiohttp_client: AiohttpClient,
) -> None:
    payload = {"message": "caf\u00e9", "n": [1, 2.5, None]}

    async def default(request: web.Request) -> web.Response:
        return web.json_response(payload)

    async def custom(request: web.Request) -> web.Response:
        return web.json_response(payload, dumps=lambda d: json.dumps(d, indent=1))

    async def broken(request: web.Request) -> web.Response:
        return web.json_response({"bad": object()})

    app = web.Application()
    app.router.add_get("/default", default)
    app.router.add_get("/custom", custom)
    app.router.add_get("/broken", broken)
    client = await aiohttp_client(app)
    resp = await client.get("/default")
    assert resp.content_type == "application/json"
    assert await resp.text() == json.dumps(payload)
    resp = await client.get("/custom")
    assert await resp.text() == json.dumps(payload, indent=1)
    # Not serialisable: the handler raised json.dumps' TypeError, so a 500.
    resp = await client.get("/broken")
    assert resp.status == 500


def test_json_payload_default_and_custom_dumps() -> None:
    from aiohttp.payload import JsonPayload

    value = {"k": ["caf\u00e9", 1.25]}
    assert JsonPayload(value).decode() == json.dumps(value)
    custom = JsonPayload(value, dumps=lambda v: json.dumps(v, separators=(",", ":")))
    assert custom.decode() == '{"k":["caf\\u00e9",1.25]}'
    with pytest.raises(TypeError, match="not JSON serializable"):
        JsonPayload({"bad": object()})
