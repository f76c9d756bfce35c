"""Unit tests for aiohttp.tracing: TraceConfig signals and the Trace sender."""

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest
from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

from aiohttp import tracing
from aiohttp.tracing import (
    Trace,
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams,
    TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
)

URL_ = URL("http://example.com/path")
HEADERS: CIMultiDict[str] = CIMultiDict({"X-Test": "1"})
RESPONSE = object()
ERROR = ValueError("boom")

# (Trace method, its arguments, the signal it fires, the params it sends)
CASES: list[tuple[str, tuple[Any, ...], str, object]] = [
    (
        "send_request_start",
        ("GET", URL_, HEADERS),
        "on_request_start",
        TraceRequestStartParams("GET", URL_, HEADERS),
    ),
    (
        "send_request_chunk_sent",
        ("POST", URL_, b"chunk"),
        "on_request_chunk_sent",
        TraceRequestChunkSentParams("POST", URL_, b"chunk"),
    ),
    (
        "send_response_chunk_received",
        ("GET", URL_, b"data"),
        "on_response_chunk_received",
        TraceResponseChunkReceivedParams("GET", URL_, b"data"),
    ),
    (
        "send_request_end",
        ("GET", URL_, HEADERS, RESPONSE),
        "on_request_end",
        TraceRequestEndParams("GET", URL_, HEADERS, RESPONSE),  # type: ignore[arg-type]
    ),
    (
        "send_request_exception",
        ("GET", URL_, HEADERS, ERROR),
        "on_request_exception",
        TraceRequestExceptionParams("GET", URL_, HEADERS, ERROR),
    ),
    (
        "send_request_redirect",
        ("GET", URL_, HEADERS, RESPONSE),
        "on_request_redirect",
        TraceRequestRedirectParams("GET", URL_, HEADERS, RESPONSE),  # type: ignore[arg-type]
    ),
    (
        "send_connection_queued_start",
        (),
        "on_connection_queued_start",
        TraceConnectionQueuedStartParams(),
    ),
    (
        "send_connection_queued_end",
        (),
        "on_connection_queued_end",
        TraceConnectionQueuedEndParams(),
    ),
    (
        "send_connection_create_start",
        (),
        "on_connection_create_start",
        TraceConnectionCreateStartParams(),
    ),
    (
        "send_connection_create_end",
        (),
        "on_connection_create_end",
        TraceConnectionCreateEndParams(),
    ),
    (
        "send_connection_reuseconn",
        (),
        "on_connection_reuseconn",
        TraceConnectionReuseconnParams(),
    ),
    (
        "send_dns_resolvehost_start",
        ("example.com",),
        "on_dns_resolvehost_start",
        TraceDnsResolveHostStartParams("example.com"),
    ),
    (
        "send_dns_resolvehost_end",
        ("example.com",),
        "on_dns_resolvehost_end",
        TraceDnsResolveHostEndParams("example.com"),
    ),
    (
        "send_dns_cache_hit",
        ("example.com",),
        "on_dns_cache_hit",
        TraceDnsCacheHitParams("example.com"),
    ),
    (
        "send_dns_cache_miss",
        ("example.com",),
        "on_dns_cache_miss",
        TraceDnsCacheMissParams("example.com"),
    ),
    (
        "send_request_headers",
        ("GET", URL_, HEADERS),
        "on_request_headers_sent",
        TraceRequestHeadersSentParams("GET", URL_, HEADERS),
    ),
]
SIGNAL_NAMES = [signal for _, _, signal, _ in CASES]


@pytest.mark.parametrize(("method", "args", "signal_name", "params"), CASES)
async def test_trace_method_fires_its_signal(
    method: str, args: tuple[Any, ...], signal_name: str, params: object
) -> None:
    session = object()
    config = TraceConfig()
    calls: list[tuple[Any, ...]] = []
    others: list[str] = []

    async def listener(*call: Any) -> None:
        calls.append(call)

    def make_other(name: str) -> Any:
        async def other(*call: Any) -> None:
            others.append(name)

        return other

    getattr(config, signal_name).append(listener)
    for name in SIGNAL_NAMES:
        if name != signal_name:
            getattr(config, name).append(make_other(name))
    config.freeze()
    ctx = config.trace_config_ctx(trace_request_ctx={"id": 7})
    trace = Trace(session, config, ctx)  # type: ignore[arg-type]

    await getattr(trace, method)(*args)

    assert calls == [(session, ctx, params)]
    assert others == []  # only its own signal fired
    assert ctx.trace_request_ctx == {"id": 7}


async def test_listeners_share_the_per_request_context() -> None:
    config = TraceConfig()

    async def on_start(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.started = params.url

    async def on_end(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.ended = ctx.started

    config.on_request_start.append(on_start)
    config.on_request_end.append(on_end)
    config.freeze()
    first = config.trace_config_ctx()
    second = config.trace_config_ctx()
    assert first is not second
    trace = Trace(object(), config, first)  # type: ignore[arg-type]
    await trace.send_request_start("GET", URL_, HEADERS)
    await trace.send_request_end("GET", URL_, HEADERS, RESPONSE)  # type: ignore[arg-type]
    assert first.ended == URL_
    assert not hasattr(second, "started")


async def test_listeners_run_in_order() -> None:
    config = TraceConfig()
    order: list[int] = []
    for i in range(3):

        async def listener(*call: Any, i: int = i) -> None:
            order.append(i)

        config.on_dns_cache_hit.append(listener)
    config.freeze()
    await Trace(object(), config, None).send_dns_cache_hit("h")  # type: ignore[arg-type]
    assert order == [0, 1, 2]


def test_signals_are_aiosignal_signals_owned_by_the_config() -> None:
    config = TraceConfig()
    for name in SIGNAL_NAMES:
        signal = getattr(config, name)
        assert isinstance(signal, Signal)
        assert signal._owner is config
        assert getattr(config, name) is signal  # one signal, not a new one


def test_freeze_freezes_every_signal() -> None:
    config = TraceConfig()
    config.freeze()
    for name in SIGNAL_NAMES:
        signal = getattr(config, name)
        assert signal.frozen
        with pytest.raises(RuntimeError):
            signal.append(lambda *args: None)


async def test_unfrozen_config_with_listeners_refuses_to_send() -> None:
    config = TraceConfig()

    async def listener(*call: Any) -> None:
        pass

    config.on_request_start.append(listener)
    with pytest.raises(RuntimeError):
        await Trace(object(), config, None).send_request_start(  # type: ignore[arg-type]
            "GET", URL_, HEADERS
        )


async def test_no_listener_is_a_no_op() -> None:
    config = TraceConfig()
    await Trace(object(), config, None).send_dns_cache_miss("h")  # type: ignore[arg-type]


def test_default_context_factory() -> None:
    ctx = TraceConfig().trace_config_ctx()
    assert isinstance(ctx, SimpleNamespace)
    assert ctx.trace_request_ctx is None


def test_custom_context_factory() -> None:
    class Ctx:
        def __init__(self, trace_request_ctx: Any) -> None:
            self.request_ctx = trace_request_ctx

    config = TraceConfig(trace_config_ctx_factory=Ctx)
    ctx = config.trace_config_ctx(trace_request_ctx="r")
    assert isinstance(ctx, Ctx)
    assert ctx.request_ctx == "r"


def test_context_factory_must_be_callable() -> None:
    with pytest.raises(TypeError, match="trace_config_ctx_factory"):
        TraceConfig(trace_config_ctx_factory=42)  # type: ignore[call-overload]


@pytest.mark.parametrize(("_", "__", "___", "params"), CASES)
def test_params_are_frozen(_: str, __: Any, ___: str, params: Any) -> None:
    assert dataclasses.is_dataclass(params)
    for field in dataclasses.fields(params):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(params, field.name, None)


def test_params_field_names() -> None:
    def names(cls: Any) -> list[str]:
        return [field.name for field in dataclasses.fields(cls)]

    assert names(TraceRequestStartParams) == ["method", "url", "headers"]
    assert names(TraceRequestChunkSentParams) == ["method", "url", "chunk"]
    assert names(TraceResponseChunkReceivedParams) == ["method", "url", "chunk"]
    assert names(TraceRequestEndParams) == ["method", "url", "headers", "response"]
    assert names(TraceRequestExceptionParams) == [
        "method",
        "url",
        "headers",
        "exception",
    ]
    assert names(TraceRequestRedirectParams) == [
        "method",
        "url",
        "headers",
        "response",
    ]
    assert names(TraceRequestHeadersSentParams) == ["method", "url", "headers"]
    for cls in (
        TraceDnsResolveHostStartParams,
        TraceDnsResolveHostEndParams,
        TraceDnsCacheHitParams,
        TraceDnsCacheMissParams,
    ):
        assert names(cls) == ["host"]
    assert names(TraceConnectionReuseconnParams) == []


def test_all_exports_exist() -> None:
    for name in tracing.__all__:
        assert hasattr(tracing, name)
    assert "Trace" not in tracing.__all__  # internal
