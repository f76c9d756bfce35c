"""Tests of aiohttp.http_exceptions: codes, messages, str/repr, pickling."""

import pickle

import pytest

from aiohttp import http_exceptions
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentEncodingError,
    ContentLengthError,
    HttpBadRequest,
    HttpProcessingError,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    PayloadEncodingError,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedHttpVersion,
    UnsupportedTransferEncoding,
)


def test_http_processing_error_defaults() -> None:
    err = HttpProcessingError()
    assert err.code == 0
    assert err.message == ""
    assert err.headers is None
    assert str(err) == "0, message:\n"
    assert repr(err) == "<HttpProcessingError: 0, message=''>"


def test_http_processing_error_with_values() -> None:
    err = HttpProcessingError(code=500, message="Boom\nsecond line", headers={"X": "1"})
    assert err.code == 500
    assert err.message == "Boom\nsecond line"
    assert err.headers == {"X": "1"}
    assert str(err) == "500, message:\n  Boom\n  second line"
    assert repr(err) == "<HttpProcessingError: 500, message='Boom\\nsecond line'>"
    assert HttpProcessingError.code == 0  # the class default is untouched


def test_bad_http_message() -> None:
    err = BadHttpMessage("Bad thing", headers={"Connection": "close"})
    assert err.code == 400
    assert err.message == "Bad thing"
    assert err.headers == {"Connection": "close"}
    assert err.args == ("Bad thing",)
    assert str(err) == "400, message:\n  Bad thing"
    assert repr(err) == "<BadHttpMessage: 400, message='Bad thing'>"
    assert isinstance(err, HttpProcessingError)
    assert isinstance(err, Exception)


@pytest.mark.parametrize(
    ("cls", "code", "base"),
    [
        (HttpBadRequest, 400, BadHttpMessage),
        (PayloadEncodingError, 400, BadHttpMessage),
        (ContentEncodingError, 400, PayloadEncodingError),
        (TransferEncodingError, 400, PayloadEncodingError),
        (ContentLengthError, 400, PayloadEncodingError),
        (UnsupportedTransferEncoding, 501, TransferEncodingError),
        (TooManyHeaders, 431, BadHttpMessage),
        (InvalidURLError, 400, BadHttpMessage),
    ],
)
def test_message_subclasses(cls: type[BadHttpMessage], code: int, base: type) -> None:
    err = cls("what went wrong")
    assert err.code == code
    assert err.message == "what went wrong"
    assert isinstance(err, base)
    assert repr(err) == f"<{cls.__name__}: {code}, message='what went wrong'>"


def test_line_too_long() -> None:
    err = LineTooLong("request line", 8190, 9000)
    assert err.code == 400
    assert err.message == "Got more than 8190 bytes (9000) when reading request line."
    assert err.args == ("request line", 8190, 9000)
    assert (
        LineTooLong("x").message
        == "Got more than Unknown bytes (Unknown) when reading x."
    )
    assert LineTooLong("request line", 1, 2, code=414).code == 414
    assert LineTooLong("header field", 1, 2, code=431).code == 431


def test_invalid_header() -> None:
    err = InvalidHeader(b"X-Bad\x00")
    assert err.code == 400
    assert err.message == "Invalid HTTP header: b'X-Bad\\x00'"
    assert err.hdr == "X-Bad\x00"
    err = InvalidHeader("Content-Length", "not a number")
    assert err.message == "Invalid HTTP header: 'Content-Length': not a number"
    assert err.hdr == "Content-Length"
    assert err.args == ("Content-Length", "not a number")


def test_bad_status_line() -> None:
    err = BadStatusLine("ICY 200 OK")
    assert err.code == 400
    assert err.line == "ICY 200 OK"
    assert err.message == "Bad status line 'ICY 200 OK'"
    assert BadStatusLine().message == "Bad status line ''"
    err = BadStatusLine("x", "custom explanation")
    assert err.message == "custom explanation"
    assert err.line == "x"


def test_bad_http_method() -> None:
    err = BadHttpMethod("G@T / HTTP/1.1")
    assert isinstance(err, BadStatusLine)
    assert err.message == "Bad HTTP method in status line 'G@T / HTTP/1.1'"
    assert err.line == "G@T / HTTP/1.1"
    assert BadHttpMethod("x", "why").message == "why"


def test_unsupported_http_version() -> None:
    err = UnsupportedHttpVersion("GET / HTTP/2.0", "Unsupported HTTP version")
    assert err.code == 505
    assert isinstance(err, BadStatusLine)


@pytest.mark.parametrize(
    "err",
    [
        HttpProcessingError(code=418, message="teapot", headers={"A": "b"}),
        BadHttpMessage("bad"),
        LineTooLong("request line", 10, 20, code=414),
        InvalidHeader(b"X", "reason"),
        BadStatusLine("line", "error"),
        BadHttpMethod("line"),
        TooManyHeaders("too many"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_pickle_round_trip(err: HttpProcessingError) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert copy.code == err.code
    assert copy.message == err.message
    assert copy.args == err.args
    assert copy.__dict__ == err.__dict__


def test_all_names_exist() -> None:
    for name in http_exceptions.__all__:
        assert issubclass(getattr(http_exceptions, name), HttpProcessingError)
