"""Client cookie storage following RFC 6265 as aiohttp applies it.

:class:`CookieJar` stores what responses set and gives back, per request URL,
the cookies to send; :class:`DummyCookieJar` stores nothing. The RFC rules
themselves (dates, domain and path matching, lifetimes) live in
:mod:`aiohttp._cookie_rules`, the file format in :mod:`aiohttp._cookiejar_store`.
"""

import asyncio
import heapq
import itertools
import pathlib
import time
from collections.abc import Iterable, Iterator, Mapping
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import Any, Final, Optional, Union

from yarl import URL

from ._cookie_rules import (
    EXPIRED,
    cookie_expiry,
    default_path,
    domain_match,
    path_match,
)
from ._cookiejar_store import CookieRecord, read_cookie_file, write_cookie_file
from ._helpers_auth import is_ip_address
from .abc import AbstractCookieJar, ClearCookiePredicate

__all__ = ("CookieJar", "DummyCookieJar")

StrOrURL = Union[str, URL]
_CookieValue = Union[str, "BaseCookie[str]", "Morsel[Any]"]
LooseCookies = Union[
    Mapping[str, _CookieValue],
    Iterable[tuple[str, _CookieValue]],
    "BaseCookie[str]",
]
# A cookie's identity in the jar: (domain, path, name) (RFC 6265 5.3 step 11).
_Key = tuple[str, str, str]

# Default response/request URL: empty means "shared cookie" (and no host).
_NO_URL: Final = URL()
_SECURE_SCHEMES: Final = frozenset({"https", "wss"})
# Rebuild the expiry heap once stale entries (from replaced or removed
# cookies) outnumber live ones past this floor.
_HEAP_COMPACT_FLOOR: Final = 100


def _wall_clock() -> float:
    """Now, as POSIX time: cookie deadlines are absolute wall-clock times."""
    return time.time()


def _parse_secure_origins(
    value: Union[StrOrURL, Iterable[StrOrURL], None],
) -> frozenset[tuple[str, str, Optional[int]]]:
    """(scheme, host, port) of each origin treated as secure."""
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, (str, URL)) else list(value)
    origins = set()
    for item in items:
        url = URL(item) if isinstance(item, str) else item
        if not isinstance(url, URL) or not url.absolute or url.host is None:
            raise ValueError(
                f"treat_as_secure_origin entry {item!r} is not an absolute URL; "
                "give origins such as 'http://127.0.0.1:8080'"
            )
        origins.add((url.scheme, url.host, url.port))
    return frozenset(origins)


class CookieJar(AbstractCookieJar):
    """Cookie storage adhering to RFC 6265, as used by ``ClientSession``.

    *unsafe* accepts cookies from (and sends them to) IP-address hosts;
    *quote_cookie* False sends values unquoted for servers that mishandle
    RFC 2109 quoting; *treat_as_secure_origin* (a URL, or a list of them)
    names plain-HTTP origins that still receive ``Secure`` cookies.
    """

    def __init__(
        self,
        *,
        unsafe: bool = False,
        quote_cookie: bool = True,
        treat_as_secure_origin: Union[StrOrURL, Iterable[StrOrURL], None] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(loop=loop)
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        self._secure_origins = _parse_secure_origins(treat_as_secure_origin)
        # domain ("" for shared cookies) -> (path, name) -> record. Keyed by
        # domain first so a request looks up only its host's suffixes.
        self._cookies: dict[str, dict[tuple[str, str], CookieRecord]] = {}
        # (deadline, domain, path, name); entries whose record has since
        # changed deadline or gone are stale and skipped when popped.
        self._expirations: list[tuple[float, str, str, str]] = []
        self._created = itertools.count()

    @property
    def quote_cookie(self) -> bool:
        """Whether cookie values are sent quoted as received or set."""
        return self._quote_cookie

    def __len__(self) -> int:
        self._expire()
        return self._count()

    def _count(self) -> int:
        return sum(len(bucket) for bucket in self._cookies.values())

    def __iter__(self) -> Iterator["Morsel[str]"]:
        self._expire()
        # A snapshot: callers may clear or update the jar while iterating.
        morsels = [
            record.morsel
            for bucket in self._cookies.values()
            for record in bucket.values()
        ]
        return iter(morsels)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self)} cookies>"

    # -- storing ---------------------------------------------------------

    def update_cookies(
        self, cookies: LooseCookies, response_url: URL = _NO_URL
    ) -> None:
        """Store *cookies* received from *response_url*.

        An empty URL (the default) makes them shared cookies, sent with
        every request. Cookies from an IP-address host are dropped unless
        the jar is *unsafe*; a ``Domain`` that *response_url*'s host does not
        domain-match rejects the cookie.
        """
        if isinstance(response_url, str):
            response_url = URL(response_url)
        host = response_url.raw_host
        if host is not None:
            host = host.lower()
            if not self._unsafe and is_ip_address(host):
                return
        now = _wall_clock()
        for name, value in _iter_cookies(cookies):
            morsel = _to_morsel(name, value)
            placed = self._place(morsel, host, response_url.path)
            if placed is not None:
                self._store(morsel, placed, cookie_expiry(morsel, now), now)
        self._expire(now)

    def _place(
        self, morsel: "Morsel[str]", host: Optional[str], request_path: str
    ) -> Optional[bool]:
        """Settle *morsel*'s domain and path; return its host-only flag, or
        None to reject it (RFC 6265 section 5.3 steps 4-7)."""
        domain = str(morsel["domain"] or "").lower()
        # A trailing dot makes the attribute unusable: treat as absent.
        if domain.endswith("."):
            domain = ""
        if domain.startswith("."):
            domain = domain[1:]
        host_only = False
        if not domain:
            if host is not None:
                domain, host_only = host, True
        elif host is not None and not domain_match(host, domain):
            return None
        morsel["domain"] = domain
        path = morsel["path"]
        if not isinstance(path, str) or not path.startswith("/"):
            morsel["path"] = default_path(request_path or "/")
        return host_only

    def _store(
        self,
        morsel: "Morsel[str]",
        host_only: bool,
        expires_at: Optional[float],
        now: float,
    ) -> None:
        domain, path, name = morsel["domain"], morsel["path"], morsel.key
        bucket = self._cookies.setdefault(domain, {})
        old = bucket.get((path, name))
        if expires_at is not None and expires_at <= now:
            # An expiry in the past is how a server deletes a cookie.
            if old is not None:
                self._discard(domain, (path, name))
            return
        # A replaced cookie keeps its creation order (RFC 6265 5.3 step 11).
        created = old.created if old is not None else next(self._created)
        bucket[(path, name)] = CookieRecord(morsel, host_only, expires_at, created)
        if expires_at is not None and expires_at != EXPIRED:
            heapq.heappush(self._expirations, (expires_at, domain, path, name))

    def _discard(self, domain: str, key: tuple[str, str]) -> None:
        bucket = self._cookies.get(domain)
        if bucket is not None and bucket.pop(key, None) is not None and not bucket:
            del self._cookies[domain]

    def _expire(self, now: Optional[float] = None) -> None:
        """Drop every cookie whose deadline has passed (lazily, via a heap)."""
        heap = self._expirations
        if not heap:
            return
        if now is None:
            now = _wall_clock()
        while heap and heap[0][0] <= now:
            when, domain, path, name = heapq.heappop(heap)
            record = self._cookies.get(domain, {}).get((path, name))
            if record is not None and record.expires_at == when:
                self._discard(domain, (path, name))
        if len(heap) > _HEAP_COMPACT_FLOOR and len(heap) > 2 * self._count():
            self._rebuild_heap()

    def _rebuild_heap(self) -> None:
        self._expirations = [
            (record.expires_at, domain, path, name)
            for domain, bucket in self._cookies.items()
            for (path, name), record in bucket.items()
            if record.expires_at is not None
        ]
        heapq.heapify(self._expirations)

    # -- sending ---------------------------------------------------------

    def filter_cookies(self, request_url: StrOrURL = _NO_URL) -> "BaseCookie[str]":
        """The cookies to send to *request_url*, most specific path first.

        Returns a :class:`~http.cookies.SimpleCookie` (a plain
        :class:`~http.cookies.BaseCookie` when *quote_cookie* is False, so
        values go out unquoted). Of cookies sharing a name, the one with
        the longest matching path wins.
        """
        filtered: BaseCookie[str] = (
            SimpleCookie() if self._quote_cookie else BaseCookie()
        )
        if not self._cookies:
            return filtered
        self._expire()
        url = URL(request_url) if isinstance(request_url, str) else request_url
        host = (url.raw_host or "").lower()
        secure = self._is_secure(url)
        request_path = url.path or "/"
        matches = [
            record
            for domain in self._domains_for(host)
            for (path, _), record in self._cookies.get(domain, {}).items()
            if (not record.host_only or domain == host)
            and (secure or not record.morsel["secure"])
            and path_match(request_path, path)
        ]
        # RFC 6265 5.4: longer paths first, then older cookies first.
        matches.sort(key=lambda r: (-len(r.morsel["path"]), r.created))
        for record in matches:
            morsel = record.morsel
            if morsel.key not in filtered:
                filtered[morsel.key] = self._outgoing(morsel)
        return filtered

    def _domains_for(self, host: str) -> list[str]:
        """The stored domains that may hold cookies for *host*: "" (shared
        cookies), then the host and each parent domain."""
        if not host:
            return [""]
        if is_ip_address(host):
            return ["", host] if self._unsafe else [""]
        labels = host.split(".")
        return [""] + [".".join(labels[i:]) for i in range(len(labels))]

    def _is_secure(self, url: URL) -> bool:
        if url.scheme in _SECURE_SCHEMES:
            return True
        if not self._secure_origins or url.host is None:
            return False
        return (url.scheme, url.host, url.port) in self._secure_origins

    def _outgoing(self, morsel: "Morsel[str]") -> "Morsel[str]":
        # A bare copy (no attributes): the session only needs key and the
        # wire value, and attributes must not leak into a Cookie header.
        out: Morsel[str] = Morsel()
        coded = morsel.coded_value if self._quote_cookie else morsel.value
        out.set(morsel.key, morsel.value, coded)
        return out

    # -- removing --------------------------------------------------------

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Remove every cookie, or those for which *predicate(morsel)* is true."""
        if predicate is None:
            self._cookies.clear()
            self._expirations.clear()
            return
        self._expire()
        doomed = [
            (domain, key)
            for domain, bucket in self._cookies.items()
            for key, record in bucket.items()
            if predicate(record.morsel)
        ]
        for domain, key in doomed:
            self._discard(domain, key)

    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of *domain* and of all its subdomains."""
        domain = domain.lower().lstrip(".")
        self.clear(lambda morsel: domain_match(morsel["domain"], domain))

    # -- persistence -----------------------------------------------------

    def save(self, file_path: Union[str, "pathlib.PurePath"]) -> None:
        """Write the unexpired cookies to *file_path* as JSON."""
        self._expire()
        records = [
            record for bucket in self._cookies.values() for record in bucket.values()
        ]
        write_cookie_file(pathlib.Path(file_path), records)

    def load(self, file_path: Union[str, "pathlib.PurePath"]) -> None:
        """Replace the jar's contents with the cookies saved in *file_path*.

        Reads the JSON :meth:`save` writes, and the pickle files of older
        aiohttp versions (restricted to cookie types). Raises ValueError for
        a file that is neither.
        """
        now = _wall_clock()
        records = read_cookie_file(pathlib.Path(file_path), now)
        self.clear()
        for record in records:
            self._store(record.morsel, record.host_only, record.expires_at, now)


class DummyCookieJar(AbstractCookieJar):
    """A jar that ignores every cookie: nothing is stored, nothing is sent.

    Useful for crawlers, which would otherwise accumulate cookies from every
    site they visit.
    """

    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(loop=loop)

    @property
    def quote_cookie(self) -> bool:
        """Always True; there is nothing to quote."""
        return True

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator["Morsel[str]"]:
        return iter(())

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Nothing to remove."""

    def clear_domain(self, domain: str) -> None:
        """Nothing to remove."""

    def update_cookies(
        self, cookies: LooseCookies, response_url: URL = _NO_URL
    ) -> None:
        """Ignore *cookies*."""

    def filter_cookies(self, request_url: StrOrURL = _NO_URL) -> "BaseCookie[str]":
        """Always an empty cookie set."""
        return SimpleCookie()


def _iter_cookies(cookies: LooseCookies) -> Iterator[tuple[str, Any]]:
    """(name, value) pairs from any shape ``update_cookies`` accepts."""
    if isinstance(cookies, Mapping):
        yield from cookies.items()
        return
    for pair in cookies:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise TypeError(
                "update_cookies() takes a mapping or (name, value) pairs, "
                f"got item {pair!r}"
            ) from None
        yield name, value


def _to_morsel(name: str, value: Any) -> "Morsel[str]":
    """A private Morsel for *value*: the caller's morsel is never mutated."""
    if isinstance(value, Morsel):
        return value.copy()
    # SimpleCookie quotes the value as RFC 2109 asks (coded_value).
    holder: SimpleCookie = SimpleCookie()
    holder[name] = value
    return holder[name]
