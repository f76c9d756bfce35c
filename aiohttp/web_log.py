"""The default access logger: one line per request in an Apache-like format.

The format is parsed once per distinct string into a ``%``-template and a tuple
of small callables, so logging a request is one loop over those callables and
one string interpolation. Specifiers (aiohttp's documented set)::

    %%        a literal percent sign
    %a        remote address (of the proxy when behind one)
    %t        time the request started, e.g. [25/Nov/2026:10:11:12 +0000]
    %P        process id, as <1234>
    %r        first request line, e.g. GET /path?q=1 HTTP/1.1
    %s        response status
    %b        response body size in bytes
    %T        time taken in whole seconds (rounded)
    %Tf       time taken in seconds, six decimals
    %D        time taken in microseconds
    %{Name}i  request header Name ("-" when absent)
    %{Name}o  response header Name ("-" when absent)

Anything else, including an unknown ``%X``, is copied to the line as written.
Each value is also passed to the log record through ``extra=`` under the
names listed in :data:`_SIMPLE_ATOMS`, and headers as dicts under
``request_header`` and ``response_header``, so structured handlers can use them.
"""

import logging
import os
import re
from collections.abc import Callable
from functools import lru_cache
from time import localtime
from time import time as _wall_clock
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Optional

from ._helpers import MONTHS
from .abc import AbstractAccessLogger

if TYPE_CHECKING:
    from .web_request import BaseRequest
    from .web_response import StreamResponse

__all__ = ("AccessLogger",)

# An atom turns (request, response, seconds taken) into one value of the line.
_Atom = Callable[[Optional["BaseRequest"], Optional["StreamResponse"], float], Any]


@lru_cache(maxsize=8)
def _format_second(second: int) -> str:
    # Built by hand rather than with strftime("%b"), whose month names follow
    # the process locale; access logs keep the English CLF names. Requests that
    # start within the same second share the cached text.
    tm = localtime(second)
    offset = tm.tm_gmtoff // 60
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    return (
        f"[{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year:04d}:"
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} "
        f"{sign}{hours:02d}{minutes:02d}]"
    )


def _remote_address(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    if request is None:
        return "-"
    remote = request.remote
    return "-" if remote is None else remote


def _request_start_time(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    # The request started `time` seconds ago; floor division keeps the second
    # right for instants before the epoch too.
    return _format_second(int((_wall_clock() - time) // 1))


def _process_id(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    # Read on every call: a forked worker must log its own pid.
    return f"<{os.getpid()}>"


def _first_request_line(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    if request is None:
        return "-"
    version = request.version
    return f"{request.method} {request.path_qs} HTTP/{version.major}.{version.minor}"


def _response_status(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> Any:
    return "-" if response is None else response.status


def _response_size(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> Any:
    return "-" if response is None else response.body_length


def _request_time(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    return str(round(time))


def _request_time_frac(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    return f"{time:.6f}"


def _request_time_micro(
    request: Optional["BaseRequest"], response: Optional["StreamResponse"], time: float
) -> str:
    return str(round(time * 1_000_000))


# Specifier -> (name of the value in the record's extra, atom).
_SIMPLE_ATOMS: dict[str, tuple[str, _Atom]] = {
    "a": ("remote_address", _remote_address),
    "t": ("request_start_time", _request_start_time),
    "P": ("process_id", _process_id),
    "r": ("first_request_line", _first_request_line),
    "s": ("response_status", _response_status),
    "b": ("response_size", _response_size),
    "T": ("request_time", _request_time),
    "Tf": ("request_time_frac", _request_time_frac),
    "D": ("request_time_micro", _request_time_micro),
}


def _request_header(name: str) -> _Atom:
    def atom(
        request: Optional["BaseRequest"],
        response: Optional["StreamResponse"],
        time: float,
    ) -> Any:
        return "-" if request is None else request.headers.get(name, "-")

    return atom


def _response_header(name: str) -> _Atom:
    def atom(
        request: Optional["BaseRequest"],
        response: Optional["StreamResponse"],
        time: float,
    ) -> Any:
        return "-" if response is None else response.headers.get(name, "-")

    return atom


# `Tf` is listed before the one-letter codes so `%Tf` is never read as `%T`
# followed by a literal "f". Header names are RFC 9110 tokens.
_SPECIFIER = re.compile(
    r"%(?:\{(?P<header>[A-Za-z0-9!#$&'*+.^_`|~-]+)\}(?P<side>[io])"
    r"|(?P<code>Tf|[%atPrsbTD]))"
)


class _Entry(NamedTuple):
    # extra[key] = value, or extra[key][header] = value for header atoms.
    key: str
    header: Optional[str]
    atom: _Atom


class _CompiledFormat(NamedTuple):
    template: str
    entries: tuple[_Entry, ...]


def _compile(log_format: str) -> _CompiledFormat:
    template: list[str] = []
    entries: list[_Entry] = []
    position = 0
    for match in _SPECIFIER.finditer(log_format):
        # Literal text: escape its percent signs for the final interpolation.
        template.append(log_format[position : match.start()].replace("%", "%%"))
        position = match.end()
        code = match["code"]
        if code == "%":
            template.append("%%")
            continue
        template.append("%s")
        if code is not None:
            key, atom = _SIMPLE_ATOMS[code]
            entries.append(_Entry(key, None, atom))
        elif match["side"] == "i":
            header = match["header"]
            entries.append(_Entry("request_header", header, _request_header(header)))
        else:
            header = match["header"]
            entries.append(_Entry("response_header", header, _response_header(header)))
    template.append(log_format[position:].replace("%", "%%"))
    return _CompiledFormat("".join(template), tuple(entries))


# Compiled once per distinct format string, shared by every logger (the
# server builds one per connection), and only when a line is first written:
# with INFO off (logging's default) that never happens.
_COMPILED_FORMATS: dict[str, _CompiledFormat] = {}


def _compiled_format(log_format: str) -> _CompiledFormat:
    compiled = _COMPILED_FORMATS.get(log_format)
    if compiled is None:
        compiled = _COMPILED_FORMATS[log_format] = _compile(log_format)
    return compiled


class AccessLogger(AbstractAccessLogger):
    """Write one INFO record per request to *logger*, laid out by *log_format*.

    See the module docstring for the specifiers. A bad value never breaks the
    request: errors while formatting are logged as ``Error in logging``.
    """

    __slots__ = ("_compiled",)

    LOG_FORMAT: ClassVar[str] = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        if not isinstance(log_format, str):
            raise TypeError(
                "log_format must be a str such as AccessLogger.LOG_FORMAT, "
                f"got {type(log_format).__name__}"
            )
        super().__init__(logger, log_format)
        self._compiled: Optional[_CompiledFormat] = None

    @property
    def enabled(self) -> bool:
        """Whether the logger records INFO messages (cached by :mod:`logging`)."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(
        self, request: "BaseRequest", response: "StreamResponse", time: float
    ) -> None:
        """Log one request that took *time* seconds; never raises."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        try:
            compiled = self._compiled
            if compiled is None:
                compiled = self._compiled = _compiled_format(self.log_format)
            values = []
            extra: dict[str, Any] = {}
            for key, header, atom in compiled.entries:
                value = atom(request, response, time)
                values.append(value)
                if header is None:
                    extra[key] = value
                else:
                    extra.setdefault(key, {})[header] = value
            self.logger.info(compiled.template % tuple(values), extra=extra)
        except Exception:
            self.logger.exception("Error in logging")
