"""Tests for aiohttp.web_log.AccessLogger: every specifier, the extra dict, errors."""

import calendar
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp import web_log
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger

LOGGER_NAME = "test.aiohttp.access"
NOT_A_STR: Any = b"%a"

# 2026-11-25 10:11:12 UTC, the instant most tests' requests start at.
START = calendar.timegm((2026, 11, 25, 10, 11, 12))


class Version(NamedTuple):
    major: int
    minor: int


HTTP_11 = Version(1, 1)


@dataclass
class FakeRequest:
    """The attributes of BaseRequest that the access logger reads."""

    remote: Optional[str] = "127.0.0.1"
    method: str = "GET"
    path_qs: str = "/path?q=1"
    version: Version = HTTP_11
    headers: "CIMultiDictProxy[str]" = field(
        default_factory=lambda: CIMultiDictProxy(CIMultiDict())
    )


@dataclass
class FakeResponse:
    """The attributes of StreamResponse that the access logger reads."""

    status: int = 200
    body_length: int = 42
    headers: "CIMultiDict[str]" = field(default_factory=CIMultiDict)


def make_response(**kwargs: Any) -> Any:
    return FakeResponse(**kwargs)


def make_request(**headers: str) -> Any:
    # Keyword names use "_" for "-": make_request(User_Agent="x").
    hdrs = CIMultiDict((k.replace("_", "-"), v) for k, v in headers.items())
    return FakeRequest(headers=CIMultiDictProxy(hdrs))


@pytest.fixture
def logger(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    return logging.getLogger(LOGGER_NAME)


@pytest.fixture
def utc_plus_8(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with local time at UTC+08:00 and the wall clock at START + 3s."""
    # POSIX TZ strings count westwards: "XXX-8" is eight hours east of UTC.
    monkeypatch.setenv("TZ", "XXX-8")
    time.tzset()
    web_log._format_second.cache_clear()
    monkeypatch.setattr(web_log, "_wall_clock", lambda: START + 3.0)
    yield
    monkeypatch.undo()
    time.tzset()
    web_log._format_second.cache_clear()


def one_record(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert len(records) == 1, records
    return records[0]


def log_one(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    log_format: str,
    request: Any = None,
    response: Any = None,
    time_taken: float = 0.5,
) -> logging.LogRecord:
    access_logger = AccessLogger(logger, log_format)
    access_logger.log(
        make_request() if request is None else request,
        make_response() if response is None else response,
        time_taken,
    )
    return one_record(caplog)


# --- construction -----------------------------------------------------------


def test_default_format_is_aiohttps() -> None:
    assert AccessLogger.LOG_FORMAT == '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    access_logger = AccessLogger(logging.getLogger(LOGGER_NAME))
    assert access_logger.log_format == AccessLogger.LOG_FORMAT


def test_is_an_abstract_access_logger(logger: logging.Logger) -> None:
    access_logger = AccessLogger(logger, "%a")
    assert isinstance(access_logger, AbstractAccessLogger)
    assert access_logger.logger is logger
    assert access_logger.log_format == "%a"


def test_non_str_format_is_rejected(logger: logging.Logger) -> None:
    with pytest.raises(TypeError, match=r"log_format must be a str .* got bytes"):
        AccessLogger(logger, NOT_A_STR)


def test_format_is_compiled_once_and_shared(logger: logging.Logger) -> None:
    fmt = "%a shared-format-marker %s"
    first = AccessLogger(logger, fmt)
    second = AccessLogger(logger, fmt)
    assert first._compiled is None  # nothing compiled before a line is written
    first.log(make_request(), make_response(), 0.0)
    second.log(make_request(), make_response(), 0.0)
    assert fmt in web_log._COMPILED_FORMATS
    assert first._compiled is second._compiled is web_log._COMPILED_FORMATS[fmt]


# --- enabled --------------------------------------------------------------


def test_enabled_follows_logger_level() -> None:
    log = logging.getLogger("test.aiohttp.access.enabled")
    access_logger = AccessLogger(log)
    log.setLevel(logging.INFO)
    try:
        assert access_logger.enabled is True
        log.setLevel(logging.WARNING)
        assert access_logger.enabled is False
    finally:
        log.setLevel(logging.NOTSET)


def test_log_does_nothing_when_disabled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)

    class Exploding:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"{name} read although logging is disabled")

    exploding: Any = Exploding()
    AccessLogger(logging.getLogger(LOGGER_NAME)).log(exploding, exploding, 1.0)
    assert caplog.records == []


# --- the default format -----------------------------------------------------


def test_default_format_line_and_extra(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture, utc_plus_8: None
) -> None:
    request = make_request(Referer="http://ref.example/", User_Agent="ua/1.0")
    record = log_one(
        logger, caplog, AccessLogger.LOG_FORMAT, request, FakeResponse(), 3.0
    )
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        '127.0.0.1 [25/Nov/2026:18:11:12 +0800] "GET /path?q=1 HTTP/1.1" 200 42 '
        '"http://ref.example/" "ua/1.0"'
    )
    assert record.__dict__["remote_address"] == "127.0.0.1"
    assert record.__dict__["request_start_time"] == "[25/Nov/2026:18:11:12 +0800]"
    assert record.__dict__["first_request_line"] == "GET /path?q=1 HTTP/1.1"
    assert record.__dict__["response_status"] == 200
    assert record.__dict__["response_size"] == 42
    assert record.__dict__["request_header"] == {
        "Referer": "http://ref.example/",
        "User-Agent": "ua/1.0",
    }


def test_default_format_missing_headers_are_dashes(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    record = log_one(logger, caplog, AccessLogger.LOG_FORMAT)
    assert record.getMessage().endswith('"GET /path?q=1 HTTP/1.1" 200 42 "-" "-"')
    assert record.__dict__["request_header"] == {"Referer": "-", "User-Agent": "-"}


# --- one specifier at a time ----------------------------------------------


@pytest.mark.parametrize(
    ("log_format", "time_taken", "message", "extra"),
    [
        ("%a", 0.5, "127.0.0.1", {"remote_address": "127.0.0.1"}),
        ("%r", 0.5, "GET /path?q=1 HTTP/1.1",
         {"first_request_line": "GET /path?q=1 HTTP/1.1"}),
        ("%s", 0.5, "200", {"response_status": 200}),
        ("%b", 0.5, "42", {"response_size": 42}),
        ("%T", 3.1415926, "3", {"request_time": "3"}),
        ("%T", 2.6, "3", {"request_time": "3"}),
        ("%Tf", 3.1415926, "3.141593", {"request_time_frac": "3.141593"}),
        ("%Tf", 0.0, "0.000000", {"request_time_frac": "0.000000"}),
        ("%D", 3.1415926, "3141593", {"request_time_micro": "3141593"}),
        ("%D", 0.0000004, "0", {"request_time_micro": "0"}),
    ],
)  # fmt: skip
def test_specifier(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    log_format: str,
    time_taken: float,
    message: str,
    extra: dict[str, Any],
) -> None:
    record = log_one(logger, caplog, log_format, time_taken=time_taken)
    assert record.getMessage() == message
    for key, value in extra.items():
        assert getattr(record, key) == value


def test_process_id(logger: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    record = log_one(logger, caplog, "pid=%P")
    assert record.getMessage() == f"pid=<{os.getpid()}>"
    assert record.__dict__["process_id"] == f"<{os.getpid()}>"


def test_http_10_request_line(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = FakeRequest(method="POST", path_qs="/form", version=Version(1, 0))
    record = log_one(logger, caplog, "%r", request)
    assert record.getMessage() == "POST /form HTTP/1.0"


@pytest.mark.parametrize(("remote", "shown"), [(None, "-"), ("", ""), ("::1", "::1")])
def test_remote_address(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    remote: Optional[str],
    shown: str,
) -> None:
    # None: the peer is unknown; "": a Unix socket peer has no address.
    record = log_one(logger, caplog, "|%a|", FakeRequest(remote=remote))
    assert record.getMessage() == f"|{shown}|"
    assert record.__dict__["remote_address"] == shown


# --- %t --------------------------------------------------------------------


def test_start_time_is_now_minus_time_taken(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture, utc_plus_8: None
) -> None:
    # The clock reads START + 3s; a request that took 2.5s started at START.
    record = log_one(logger, caplog, "%t", time_taken=2.5)
    assert record.getMessage() == "[25/Nov/2026:18:11:12 +0800]"


def test_start_time_negative_offset(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "XXX+5:30")
    time.tzset()
    web_log._format_second.cache_clear()
    monkeypatch.setattr(web_log, "_wall_clock", lambda: float(START))
    try:
        record = log_one(logger, caplog, "%t", time_taken=0.0)
    finally:
        monkeypatch.undo()
        time.tzset()
        web_log._format_second.cache_clear()
    assert record.getMessage() == "[25/Nov/2026:04:41:12 -0530]"


def test_start_time_before_the_epoch_rounds_down(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "UTC0")
    time.tzset()
    web_log._format_second.cache_clear()
    monkeypatch.setattr(web_log, "_wall_clock", lambda: 0.0)
    try:
        record = log_one(logger, caplog, "%t", time_taken=0.25)
    finally:
        monkeypatch.undo()
        time.tzset()
        web_log._format_second.cache_clear()
    # 0.25s before the epoch is still in the last second of 1969.
    assert record.getMessage() == "[31/Dec/1969:23:59:59 +0000]"


def test_start_time_real_clock_shape(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    message = log_one(logger, caplog, "%t").getMessage()
    parsed = time.strptime(message, "[%d/%b/%Y:%H:%M:%S %z]")
    assert parsed.tm_year >= 2024


# --- headers ---------------------------------------------------------------


def test_request_and_response_headers(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = make_request(X_Request_Id="abc123")
    response = FakeResponse(headers=CIMultiDict({"ETag": '"v1"'}))
    record = log_one(
        logger,
        caplog,
        "%{X-Request-Id}i %{ETag}o %{Missing}i %{Missing}o",
        request,
        response,
    )
    assert record.getMessage() == 'abc123 "v1" - -'
    assert record.__dict__["request_header"] == {
        "X-Request-Id": "abc123",
        "Missing": "-",
    }
    assert record.__dict__["response_header"] == {"ETag": '"v1"', "Missing": "-"}


def test_header_lookup_is_case_insensitive(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    record = log_one(logger, caplog, "%{user-agent}i", make_request(User_Agent="ua"))
    assert record.getMessage() == "ua"
    # The extra dict keys the header as the format spells it.
    assert record.__dict__["request_header"] == {"user-agent": "ua"}


# --- literal text and unknown specifiers -----------------------------------


@pytest.mark.parametrize(
    ("log_format", "message"),
    [
        ("100%%", "100%"),
        ("%%P", "%P"),
        ("%%{Referer}i", "%{Referer}i"),
        ("%X %q", "%X %q"),
        ("50% done", "50% done"),
        ("trailing %", "trailing %"),
        ("%{Bad Name}i", "%{Bad Name}i"),
        ("%{Name}x", "%{Name}x"),
        ("%{}i", "%{}i"),
        ("no specifiers", "no specifiers"),
        ("", ""),
        ("%s%%%s", "200%200"),
        ("%Tf%T", "1.5000002"),
    ],
)
def test_literal_text(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    log_format: str,
    message: str,
) -> None:
    record = log_one(logger, caplog, log_format, time_taken=1.5)
    assert record.getMessage() == message


def test_percent_in_values_is_not_interpolated(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = FakeRequest(path_qs="/100%25/%s%d")
    record = log_one(logger, caplog, '"%r"', request)
    assert record.getMessage() == '"GET /100%25/%s%d HTTP/1.1"'


def test_custom_format(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = make_request(X_Forwarded_For="203.0.113.7")
    response = FakeResponse(status=404, body_length=0)
    record = log_one(
        logger, caplog, "%{X-Forwarded-For}i via %a -> %s (%b bytes) in %Tfs",
        request, response, 0.25,
    )  # fmt: skip
    assert record.getMessage() == (
        "203.0.113.7 via 127.0.0.1 -> 404 (0 bytes) in 0.250000s"
    )


# --- missing request or response ------------------------------------------


def test_missing_request_and_response_log_dashes(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    access_logger = AccessLogger(logger, "%a|%r|%s|%b|%{A}i|%{B}o|%T")
    nothing: Any = None
    access_logger.log(nothing, nothing, 1.0)
    record = one_record(caplog)
    assert record.getMessage() == "-|-|-|-|-|-|1"


# --- errors never escape ---------------------------------------------------


def test_errors_are_logged_not_raised(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenResponse:
        body_length = 0
        headers: "CIMultiDict[str]" = CIMultiDict()

        @property
        def status(self) -> int:
            raise RuntimeError("status unavailable")

    access_logger = AccessLogger(logger, "%s")
    broken: Any = BrokenResponse()
    access_logger.log(make_request(), broken, 0.1)
    record = one_record(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Error in logging"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_bad_time_value_is_logged_not_raised(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_number: Any = "slow"
    AccessLogger(logger, "%D").log(make_request(), make_response(), not_a_number)
    assert one_record(caplog).getMessage() == "Error in logging"
