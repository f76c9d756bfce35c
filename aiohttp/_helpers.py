"""Small private helpers shared by the server and the client."""

import enum
import time
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


# English names whatever the locale: HTTP dates (and access-log times) use them.
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def http_date(timestamp: float) -> str:
    """Format a POSIX timestamp as an IMF-fixdate (RFC 9110 5.6.7).

    For example ``Sun, 06 Nov 1994 08:49:37 GMT``; a fraction of a second is
    dropped. Raises ValueError for a time outside the years 1-9999, which
    the format's four-digit year cannot hold (OverflowError past the
    platform's ``time_t``).
    """
    tm = time.gmtime(timestamp)
    if not 1 <= tm.tm_year <= 9999:
        raise ValueError(
            f"timestamp {timestamp!r} is in the year {tm.tm_year}: an HTTP date "
            "holds the years 1-9999 only"
        )
    return (
        f"{WEEKDAYS[tm.tm_wday]}, {tm.tm_mday:02d} {MONTHS[tm.tm_mon - 1]} "
        f"{tm.tm_year:04d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} GMT"
    )


def http_date_now() -> str:
    """The current time as an HTTP date, formatted at most once per second."""
    global _date_second, _date_value
    now = int(time.time())
    if now != _date_second:
        _date_value = http_date(now)
        _date_second = now
    return _date_value
