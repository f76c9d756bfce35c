"""Small private helpers shared by the server and the client."""

import enum
import time
from email.utils import formatdate
from typing import Final

__all__ = ("SENTINEL", "Sentinel", "http_date", "http_date_now")


class Sentinel(enum.Enum):
    """Marks "argument not given" where None is a meaningful value."""

    SENTINEL = enum.auto()

    def __repr__(self) -> str:
        return "<SENTINEL>"


SENTINEL: Final = Sentinel.SENTINEL

_date_second = -1
_date_value = ""


def http_date(timestamp: float) -> str:
    """Format a POSIX timestamp as an IMF-fixdate (RFC 9110 5.6.7)."""
    return formatdate(timestamp, usegmt=True)


def http_date_now() -> str:
    """The current time as an HTTP date, formatted at most once per second."""
    global _date_second, _date_value
    now = int(time.time())
    if now != _date_second:
        _date_value = formatdate(now, usegmt=True)
        _date_second = now
    return _date_value
