"""RFC 6265 rules a client cookie jar applies, as pure functions.

Date parsing (section 5.1.1), domain matching (5.1.3), path matching and the
default path (5.1.4), and the lifetime a cookie gets from ``Max-Age`` and
``Expires`` (5.2.1, 5.2.2, 5.3). No I/O and no state: the jar calls these.
"""

import calendar
import re
from http.cookies import Morsel
from typing import Final, Optional

from ._helpers_auth import is_ip_address

__all__ = (
    "EXPIRED",
    "MAX_TIMESTAMP",
    "cookie_expiry",
    "default_path",
    "domain_match",
    "parse_cookie_date",
    "path_match",
)

# 9999-12-31T23:59:59Z: the latest instant a four-digit cookie year can name.
# Every expiry is clamped to it, so far-future dates and huge Max-Age values
# never overflow datetime or the platform's time_t.
MAX_TIMESTAMP: Final = float(calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0)))
# The expiry given to a cookie the server deletes (Max-Age <= 0).
EXPIRED: Final = float("-inf")

# Section 5.1.1: a cookie-date is a list of tokens made of non-delimiter
# octets (%x00-08 / %x0A-1F / DIGIT / ":" / ALPHA / %x7F-FF).
_DATE_TOKEN_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f0-9:A-Za-z\x7f-\xff]+")
_TIME_RE: Final = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)")
_DAY_RE: Final = re.compile(r"(\d{1,2})(?:\D|$)")
_MONTH_RE: Final = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE
)
_YEAR_RE: Final = re.compile(r"(\d{2,4})(?:\D|$)")
_MONTHS: Final = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]
# Max-Age is "-"? DIGIT+ (section 5.2.2); int() would also take "+5" or "1_0".
_MAX_AGE_RE: Final = re.compile(r"-?[0-9]+")


def parse_cookie_date(value: str) -> Optional[float]:
    """The POSIX time an ``Expires`` value names, or None if it is unusable.

    Follows the lenient algorithm of RFC 6265 section 5.1.1, which accepts
    the many date shapes servers send (RFC 1123, RFC 850, asctime, ...).
    """
    time_parts: Optional[tuple[int, int, int]] = None
    day: Optional[int] = None
    month: Optional[int] = None
    year: Optional[int] = None
    for token in _DATE_TOKEN_RE.findall(value):
        if time_parts is None and (match := _TIME_RE.match(token)):
            hour, minute, second = (int(part) for part in match.groups())
            time_parts = (hour, minute, second)
        elif day is None and (match := _DAY_RE.match(token)):
            day = int(match.group(1))
        elif month is None and (match := _MONTH_RE.match(token)):
            month = _MONTHS.index(match.group(1).lower()) + 1
        elif year is None and (match := _YEAR_RE.match(token)):
            year = int(match.group(1))
    if time_parts is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time_parts
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    if day > calendar.monthrange(year, month)[1]:  # e.g. 31 Feb
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))


def cookie_expiry(morsel: "Morsel[str]", now: float) -> Optional[float]:
    """When *morsel* expires (POSIX time), or None for a session cookie.

    ``Max-Age`` wins over ``Expires``; an unusable attribute is ignored.
    A deleted cookie (``Max-Age`` <= 0) gets :data:`EXPIRED`.
    """
    max_age = morsel.get("max-age")
    if isinstance(max_age, int):
        max_age = str(max_age)
    if isinstance(max_age, str) and _MAX_AGE_RE.fullmatch(max_age.strip()):
        delta = int(max_age)
        if delta <= 0:
            return EXPIRED
        # Clamp before adding: int(10**400) would overflow a float.
        return min(now + min(delta, MAX_TIMESTAMP), MAX_TIMESTAMP)
    expires = morsel.get("expires")
    if isinstance(expires, str) and expires:
        when = parse_cookie_date(expires)
        if when is not None:
            return min(when, MAX_TIMESTAMP)
    return None


def domain_match(host: str, domain: str) -> bool:
    """Whether *host* domain-matches the cookie *domain* (section 5.1.3).

    True when they are equal, or *host* is a name (not an IP address) ending
    in ``"." + domain``.
    """
    if host == domain:
        return True
    if not domain or not host.endswith(domain):
        return False
    return host[: -len(domain)].endswith(".") and not is_ip_address(host)


def path_match(request_path: str, cookie_path: str) -> bool:
    """Whether *request_path* path-matches *cookie_path* (section 5.1.4)."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def default_path(request_path: str) -> str:
    """The path a cookie without a usable ``Path`` gets (section 5.1.4):
    the request path up to, not including, its last ``/``; ``/`` at least.
    """
    if not request_path.startswith("/"):
        return "/"
    last_slash = request_path.rfind("/")
    if last_slash == 0:
        return "/"
    return request_path[:last_slash]
