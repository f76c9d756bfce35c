"""Unit tests for aiohttp.cookiejar (RFC 6265 storage) and its rule helpers."""

import asyncio
import calendar
import json
import os
import pickle
from collections import defaultdict
from http.cookies import BaseCookie, Morsel, SimpleCookie
from pathlib import Path
from typing import Any, Optional

import pytest
from yarl import URL

from aiohttp import cookiejar as cookiejar_module
from aiohttp._cookie_rules import (
    MAX_TIMESTAMP,
    cookie_expiry,
    default_path,
    domain_match,
    parse_cookie_date,
    path_match,
)
from aiohttp.cookiejar import CookieJar, DummyCookieJar


class Clock:
    """A settable wall clock patched into the jar module."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_700_000_000.0)
    monkeypatch.setattr(cookiejar_module, "_wall_clock", fake)
    return fake


@pytest.fixture
def jar(loop: asyncio.AbstractEventLoop) -> CookieJar:
    return CookieJar(loop=loop)


@pytest.fixture
def unsafe_jar(loop: asyncio.AbstractEventLoop) -> CookieJar:
    return CookieJar(unsafe=True, loop=loop)


def sent(jar: Any, url: str) -> dict[str, str]:
    """Name -> value of what the jar would send to *url*, in order."""
    return {name: morsel.value for name, morsel in jar.filter_cookies(URL(url)).items()}


def set_cookie(jar: Any, header: str, url: str) -> None:
    jar.update_cookies_from_headers([header], URL(url))


# (Set-Cookie, response URL, request URL, sent?)
SCOPE_CASES = [
    # Host-only cookies go back to the exact host only.
    ("a=1", "http://example.com/", "http://example.com/", True),
    ("a=1", "http://example.com/", "http://sub.example.com/", False),
    ("a=1", "http://sub.example.com/", "http://example.com/", False),
    # Domain cookies reach the domain and every subdomain.
    ("a=1; Domain=example.com", "http://www.example.com/", "http://example.com/", True),
    (
        "a=1; Domain=example.com",
        "http://www.example.com/",
        "http://x.example.com/",
        True,
    ),
    ("a=1; Domain=example.com", "http://example.com/", "http://a.b.example.com/", True),
    ("a=1; Domain=example.com", "http://example.com/", "http://notexample.com/", False),
    (
        "a=1; Domain=.example.com",
        "http://example.com/",
        "http://www.example.com/",
        True,
    ),
    ("a=1; Domain=EXAMPLE.com", "http://example.com/", "http://www.example.com/", True),
    # A Domain the response host does not domain-match is rejected.
    ("a=1; Domain=other.com", "http://example.com/", "http://other.com/", False),
    ("a=1; Domain=other.com", "http://example.com/", "http://example.com/", False),
    (
        "a=1; Domain=sub.example.com",
        "http://example.com/",
        "http://sub.example.com/",
        False,
    ),
    ("a=1; Domain=ample.com", "http://example.com/", "http://ample.com/", False),
    # A trailing dot makes Domain unusable: the cookie becomes host-only.
    ("a=1; Domain=example.com.", "http://example.com/", "http://example.com/", True),
    (
        "a=1; Domain=example.com.",
        "http://example.com/",
        "http://www.example.com/",
        False,
    ),
    # Path matching.
    ("a=1; Path=/foo", "http://h.test/", "http://h.test/foo", True),
    ("a=1; Path=/foo", "http://h.test/", "http://h.test/foo/", True),
    ("a=1; Path=/foo", "http://h.test/", "http://h.test/foo/bar", True),
    ("a=1; Path=/foo", "http://h.test/", "http://h.test/", False),
    ("a=1; Path=/foo", "http://h.test/", "http://h.test/foobar", False),
    ("a=1; Path=/foo/", "http://h.test/", "http://h.test/foo/bar", True),
    ("a=1; Path=/foo/", "http://h.test/", "http://h.test/foo", False),
    ("a=1; Path=/", "http://h.test/x/y", "http://h.test/", True),
    ("a=1; Path=/", "http://h.test/", "http://h.test", True),
    # Default path: the response path up to its last "/".
    ("a=1", "http://h.test/a/b/c", "http://h.test/a/b", True),
    ("a=1", "http://h.test/a/b/c", "http://h.test/a/bc", False),
    ("a=1", "http://h.test/a/b/c", "http://h.test/a", False),
    ("a=1", "http://h.test/a", "http://h.test/", True),
    ("a=1; Path=relative", "http://h.test/a/b", "http://h.test/a/x", True),
    ("a=1; Path=relative", "http://h.test/a/b", "http://h.test/b", False),
    # Secure cookies only over secure schemes.
    ("a=1; Secure", "https://h.test/", "https://h.test/", True),
    ("a=1; Secure", "https://h.test/", "wss://h.test/", True),
    ("a=1; Secure", "https://h.test/", "http://h.test/", False),
    ("a=1; Secure", "https://h.test/", "ws://h.test/", False),
    ("a=1", "https://h.test/", "http://h.test/", True),
    # IP-address hosts: a safe jar neither stores nor sends.
    ("a=1", "http://127.0.0.1/", "http://127.0.0.1/", False),
    ("a=1", "http://[::1]/", "http://[::1]/", False),
]


@pytest.mark.parametrize(("header", "origin", "target", "expected"), SCOPE_CASES)
def test_cookie_scope(
    jar: CookieJar, header: str, origin: str, target: str, expected: bool
) -> None:
    set_cookie(jar, header, origin)
    assert ("a" in sent(jar, target)) is expected


# (Set-Cookie, response URL, request URL, sent?) for a jar with unsafe=True
UNSAFE_CASES = [
    ("a=1", "http://127.0.0.1/", "http://127.0.0.1/", True),
    ("a=1", "http://127.0.0.1/", "http://127.0.0.2/", False),
    ("a=1", "http://[::1]:8080/", "http://[::1]/", True),
    ("a=1; Domain=127.0.0.1", "http://127.0.0.1/", "http://127.0.0.1/", True),
    # An IP address never domain-matches a parent "domain".
    ("a=1; Domain=0.0.1", "http://127.0.0.1/", "http://127.0.0.1/", False),
    ("a=1", "http://example.com/", "http://example.com/", True),
]


@pytest.mark.parametrize(("header", "origin", "target", "expected"), UNSAFE_CASES)
def test_unsafe_jar_scope(
    unsafe_jar: CookieJar, header: str, origin: str, target: str, expected: bool
) -> None:
    set_cookie(unsafe_jar, header, origin)
    assert ("a" in sent(unsafe_jar, target)) is expected


def test_rejected_cookie_is_not_stored(jar: CookieJar) -> None:
    set_cookie(jar, "a=1; Domain=other.com", "http://example.com/")
    set_cookie(jar, "b=1", "http://10.0.0.1/")
    assert len(jar) == 0


def test_stored_morsel_attributes(jar: CookieJar) -> None:
    set_cookie(
        jar,
        "a=1; Domain=.example.com; Path=/p; Secure; HttpOnly; SameSite=Strict",
        "https://www.example.com/",
    )
    (morsel,) = list(jar)
    assert morsel.key == "a"
    assert morsel["domain"] == "example.com"
    assert morsel["path"] == "/p"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"


def test_host_only_morsel_gets_response_host(jar: CookieJar) -> None:
    set_cookie(jar, "a=1", "http://www.example.com/dir/page")
    (morsel,) = list(jar)
    assert morsel["domain"] == "www.example.com"
    assert morsel["path"] == "/dir"


def test_same_name_different_scopes_are_distinct(jar: CookieJar) -> None:
    set_cookie(jar, "a=root; Path=/", "http://www.example.com/")
    set_cookie(jar, "a=deep; Path=/foo", "http://www.example.com/")
    set_cookie(jar, "a=dom; Domain=example.com; Path=/", "http://www.example.com/")
    assert len(jar) == 3


def test_domain_cookie_replaces_host_only_one(jar: CookieJar) -> None:
    # Same name, domain and path: the same cookie (RFC 6265 5.3 step 11),
    # now without the host-only flag.
    set_cookie(jar, "a=1; Path=/", "http://example.com/")
    set_cookie(jar, "a=2; Domain=example.com; Path=/", "http://example.com/")
    assert len(jar) == 1
    assert sent(jar, "http://sub.example.com/") == {"a": "2"}


def test_replacing_a_cookie_keeps_one_copy(jar: CookieJar) -> None:
    set_cookie(jar, "a=1; Path=/", "http://example.com/")
    set_cookie(jar, "a=2; Path=/", "http://example.com/")
    assert len(jar) == 1
    assert sent(jar, "http://example.com/") == {"a": "2"}


def test_most_specific_path_first_and_wins(jar: CookieJar) -> None:
    set_cookie(jar, "a=root; Path=/", "http://example.com/")
    set_cookie(jar, "b=1; Path=/", "http://example.com/")
    set_cookie(jar, "a=foo; Path=/foo", "http://example.com/")
    set_cookie(jar, "c=2; Path=/foo/bar", "http://example.com/")
    assert list(sent(jar, "http://example.com/foo/bar/x").items()) == [
        ("c", "2"),
        ("a", "foo"),
        ("b", "1"),
    ]
    assert sent(jar, "http://example.com/other") == {"a": "root", "b": "1"}


def test_older_cookie_first_for_equal_paths(jar: CookieJar) -> None:
    set_cookie(jar, "z=1; Path=/", "http://example.com/")
    set_cookie(jar, "y=2; Path=/", "http://example.com/")
    set_cookie(jar, "z=3; Path=/", "http://example.com/")  # keeps its age
    assert list(sent(jar, "http://example.com/")) == ["z", "y"]


def test_filter_cookies_returns_bare_morsels(jar: CookieJar) -> None:
    set_cookie(jar, "a=1; Path=/; HttpOnly; Domain=example.com", "http://example.com/")
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert isinstance(filtered, SimpleCookie)
    assert filtered["a"]["domain"] == ""
    assert filtered.output(header="Cookie:") == "Cookie: a=1"
    # A copy: changing it leaves the jar alone.
    filtered["a"]["path"] = "/changed"
    assert next(iter(jar))["path"] == "/"


def test_filter_cookies_accepts_str(jar: CookieJar) -> None:
    set_cookie(jar, "a=1", "http://example.com/")
    assert "a" in jar.filter_cookies("http://example.com/")


def test_filter_cookies_of_empty_jar(jar: CookieJar) -> None:
    assert len(jar.filter_cookies(URL("http://example.com/"))) == 0


def test_request_to_ip_gets_only_shared_cookies(jar: CookieJar) -> None:
    jar.update_cookies({"shared": "s"})
    set_cookie(jar, "a=1; Domain=example.com", "http://example.com/")
    assert sent(jar, "http://127.0.0.1/") == {"shared": "s"}


# ---- shared cookies, update_cookies input shapes ---------------------------


def test_shared_cookies_go_everywhere(jar: CookieJar) -> None:
    jar.update_cookies({"shared": "s"})
    (morsel,) = list(jar)
    assert morsel["domain"] == ""
    assert morsel["path"] == "/"
    for url in ("http://example.com/", "https://a.b.test/x/y", "http://10.1.2.3/"):
        assert sent(jar, url) == {"shared": "s"}


def test_shared_cookie_with_explicit_domain_is_a_domain_cookie(jar: CookieJar) -> None:
    cookie: SimpleCookie = SimpleCookie()
    cookie["a"] = "1"
    cookie["a"]["domain"] = "example.com"
    jar.update_cookies(cookie)
    assert sent(jar, "http://www.example.com/") == {"a": "1"}
    assert sent(jar, "http://other.com/") == {}


def test_update_cookies_input_shapes(jar: CookieJar) -> None:
    url = URL("http://example.com/")
    jar.update_cookies({"a": "1"}, url)
    jar.update_cookies([("b", "2")], url)
    jar.update_cookies(SimpleCookie("c=3; Path=/"), url)
    morsel: Morsel[str] = Morsel()
    morsel.set("d", "4", "4")
    jar.update_cookies({"d": morsel}, url)
    assert sent(jar, "http://example.com/") == {"a": "1", "b": "2", "c": "3", "d": "4"}
    # The caller's morsel is not modified by the jar.
    assert morsel["domain"] == ""


def test_update_cookies_with_bad_pairs(jar: CookieJar) -> None:
    with pytest.raises(TypeError, match="mapping or \\(name, value\\) pairs"):
        jar.update_cookies([("a", "1", "extra")])  # type: ignore[list-item]


def test_update_cookies_accepts_str_url(jar: CookieJar) -> None:
    jar.update_cookies({"a": "1"}, "http://example.com/")  # type: ignore[arg-type]
    assert next(iter(jar))["domain"] == "example.com"


def test_response_host_is_case_insensitive(jar: CookieJar) -> None:
    set_cookie(jar, "a=1; Domain=Example.COM", "http://WWW.example.com/")
    assert "a" in sent(jar, "http://www.EXAMPLE.com/")


# ---- quoting ---------------------------------------------------------------


def test_values_quoted_by_default(jar: CookieJar) -> None:
    assert jar.quote_cookie is True
    jar.update_cookies({"a": "x y"}, URL("http://example.com/"))
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert filtered["a"].coded_value == '"x y"'
    assert filtered["a"].value == "x y"


def test_quote_cookie_false_sends_raw_values(loop: asyncio.AbstractEventLoop) -> None:
    jar = CookieJar(quote_cookie=False, loop=loop)
    assert jar.quote_cookie is False
    jar.update_cookies({"a": "x y"}, URL("http://example.com/"))
    set_cookie(jar, 'b="quoted"', "http://example.com/")
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert type(filtered) is BaseCookie
    assert filtered["a"].coded_value == "x y"
    assert filtered["b"].coded_value == "quoted"


def test_received_value_is_sent_as_received(jar: CookieJar) -> None:
    set_cookie(jar, 'a="quoted"; Path=/', "http://example.com/")
    set_cookie(jar, "b=plain:value", "http://example.com/")
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert filtered["a"].coded_value == '"quoted"'
    assert filtered["b"].coded_value == "plain:value"


# ---- treat_as_secure_origin ------------------------------------------------


@pytest.mark.parametrize(
    "origins",
    [
        "http://127.0.0.1:8080",
        URL("http://127.0.0.1:8080"),
        ["http://other.test", URL("http://127.0.0.1:8080/ignored/path")],
        ("http://127.0.0.1:8080",),
    ],
)
def test_treat_as_secure_origin(loop: asyncio.AbstractEventLoop, origins: Any) -> None:
    jar = CookieJar(unsafe=True, treat_as_secure_origin=origins, loop=loop)
    set_cookie(jar, "a=1; Secure", "http://127.0.0.1:8080/")
    assert sent(jar, "http://127.0.0.1:8080/") == {"a": "1"}
    assert sent(jar, "http://127.0.0.1:8081/") == {}


def test_treat_as_secure_origin_rejects_relative(
    loop: asyncio.AbstractEventLoop,
) -> None:
    with pytest.raises(ValueError, match="treat_as_secure_origin"):
        CookieJar(treat_as_secure_origin="/relative", loop=loop)


# ---- expiry ----------------------------------------------------------------

FUTURE = "Wed, 09 Jun 2100 10:18:14 GMT"
PAST = "Wed, 09 Jun 2000 10:18:14 GMT"

# (attributes, kept?)
EXPIRY_CASES = [
    ("", True),
    ("; Max-Age=100", True),
    ("; Max-Age=0", False),
    ("; Max-Age=-5", False),
    (f"; Expires={FUTURE}", True),
    (f"; Expires={PAST}", False),
    # Max-Age wins over Expires, both ways.
    (f"; Max-Age=100; Expires={PAST}", True),
    (f"; Max-Age=0; Expires={FUTURE}", False),
    # An unusable Max-Age is ignored and Expires decides.
    (f"; Max-Age=soon; Expires={PAST}", False),
    ("; Max-Age=+5", True),
    # An unusable Expires leaves a session cookie.
    ("; Expires=not a date", True),
    # Far future: no overflow.
    ("; Expires=Fri, 31 Dec 9999 23:59:59 GMT", True),
    ("; Max-Age=" + "9" * 400, True),
]


@pytest.mark.parametrize(("attributes", "kept"), EXPIRY_CASES)
def test_expiry_attributes(
    jar: CookieJar, clock: Clock, attributes: str, kept: bool
) -> None:
    set_cookie(jar, "a=1; Path=/" + attributes, "http://example.com/")
    assert (len(jar) == 1) is kept
    assert ("a" in sent(jar, "http://example.com/")) is kept


def test_expired_cookie_deletes_stored_one(jar: CookieJar, clock: Clock) -> None:
    set_cookie(jar, "a=1; Path=/", "http://example.com/")
    set_cookie(jar, "keep=1; Path=/", "http://example.com/")
    set_cookie(jar, "a=gone; Path=/; Max-Age=0", "http://example.com/")
    assert sent(jar, "http://example.com/") == {"keep": "1"}


def test_cookie_expires_lazily(jar: CookieJar, clock: Clock) -> None:
    set_cookie(jar, "short=1; Max-Age=10", "http://example.com/")
    set_cookie(jar, "long=1; Max-Age=1000", "http://example.com/")
    set_cookie(jar, "session=1", "http://example.com/")
    clock.now += 9
    assert len(jar) == 3
    clock.now += 2
    assert sent(jar, "http://example.com/") == {"long": "1", "session": "1"}
    assert len(jar) == 2
    clock.now += 1000
    assert [m.key for m in jar] == ["session"]


def test_extended_cookie_is_not_expired_by_old_deadline(
    jar: CookieJar, clock: Clock
) -> None:
    set_cookie(jar, "a=1; Max-Age=10", "http://example.com/")
    set_cookie(jar, "a=2; Max-Age=100", "http://example.com/")
    clock.now += 50
    assert sent(jar, "http://example.com/") == {"a": "2"}


def test_session_cookie_replacing_persistent_one(jar: CookieJar, clock: Clock) -> None:
    set_cookie(jar, "a=1; Max-Age=10", "http://example.com/")
    set_cookie(jar, "a=2", "http://example.com/")
    clock.now += 50
    assert sent(jar, "http://example.com/") == {"a": "2"}


def test_expiry_heap_is_compacted(jar: CookieJar, clock: Clock) -> None:
    for i in range(500):
        set_cookie(jar, f"a=1; Max-Age={1000 + i}", "http://example.com/")
    assert len(jar) == 1
    assert len(jar._expirations) < 500


# ---- clearing, iteration ---------------------------------------------------


def fill(jar: CookieJar) -> None:
    set_cookie(jar, "root=1; Domain=example.com", "http://example.com/")
    set_cookie(jar, "www=1", "http://www.example.com/")
    set_cookie(jar, "deep=1", "http://a.b.example.com/")
    set_cookie(jar, "other=1", "http://other.com/")
    set_cookie(jar, "tricky=1", "http://notexample.com/")
    jar.update_cookies({"shared": "1"})


def test_len_and_iter(jar: CookieJar) -> None:
    fill(jar)
    assert len(jar) == 6
    names = sorted(morsel.key for morsel in jar)
    assert names == ["deep", "other", "root", "shared", "tricky", "www"]
    assert all(isinstance(morsel, Morsel) for morsel in jar)


def test_iteration_survives_clear(jar: CookieJar) -> None:
    fill(jar)
    for _ in jar:
        jar.clear()
    assert len(jar) == 0


def test_clear_all(jar: CookieJar) -> None:
    fill(jar)
    jar.clear()
    assert len(jar) == 0
    assert sent(jar, "http://www.example.com/") == {}


def test_clear_with_predicate(jar: CookieJar) -> None:
    fill(jar)
    jar.clear(lambda morsel: morsel.key.startswith("t") or morsel.key == "www")
    assert sorted(m.key for m in jar) == ["deep", "other", "root", "shared"]


def test_clear_domain_includes_subdomains(jar: CookieJar) -> None:
    fill(jar)
    jar.clear_domain("example.com")
    assert sorted(m.key for m in jar) == ["other", "shared", "tricky"]


def test_clear_domain_leaves_parent(jar: CookieJar) -> None:
    fill(jar)
    jar.clear_domain("b.example.com")
    assert "deep" not in [m.key for m in jar]
    assert "root" in [m.key for m in jar]


def test_repr(jar: CookieJar) -> None:
    fill(jar)
    assert repr(jar) == "<CookieJar 6 cookies>"


def test_jar_needs_a_loop() -> None:
    with pytest.raises(RuntimeError, match="event loop"):
        CookieJar()


# ---- save / load -----------------------------------------------------------


def test_save_load_round_trip(
    loop: asyncio.AbstractEventLoop, jar: CookieJar, clock: Clock, tmp_path: Path
) -> None:
    set_cookie(jar, "host=1; Path=/", "https://example.com/")
    set_cookie(
        jar,
        "dom=2; Domain=example.com; Secure; HttpOnly; SameSite=Lax; Max-Age=100",
        "https://example.com/",
    )
    set_cookie(jar, f"dated=3; Expires={FUTURE}; Path=/p", "https://example.com/")
    set_cookie(jar, 'quoted="a b"', "https://example.com/")
    jar.update_cookies({"shared": "4"})
    path = tmp_path / "cookies.json"
    jar.save(path)
    json.loads(path.read_text())  # really JSON

    restored = CookieJar(loop=loop)
    restored.update_cookies({"stale": "x"})
    restored.load(str(path))
    assert sorted(m.key for m in restored) == sorted(m.key for m in jar)
    for url in (
        "https://example.com/p/x",
        "https://sub.example.com/",
        "http://example.com/",
    ):
        before = jar.filter_cookies(URL(url))
        after = restored.filter_cookies(URL(url))
        assert before.output() == after.output(), url
    dom = next(m for m in restored if m.key == "dom")
    assert dom["secure"] is True and dom["httponly"] is True
    assert dom["samesite"] == "Lax"
    # The absolute deadline survived: Max-Age=100 still ends 100s after set.
    clock.now += 101
    assert "dom" not in sent(restored, "https://example.com/")


def test_load_skips_expired_cookies(
    loop: asyncio.AbstractEventLoop, jar: CookieJar, clock: Clock, tmp_path: Path
) -> None:
    set_cookie(jar, "short=1; Max-Age=10", "http://example.com/")
    set_cookie(jar, "long=1; Max-Age=1000", "http://example.com/")
    path = tmp_path / "cookies.json"
    jar.save(path)
    clock.now += 20
    restored = CookieJar(loop=loop)
    restored.load(path)
    assert [m.key for m in restored] == ["long"]


def test_save_leaves_no_temporary_files(jar: CookieJar, tmp_path: Path) -> None:
    set_cookie(jar, "a=1", "http://example.com/")
    jar.save(tmp_path / "c.json")
    jar.save(tmp_path / "c.json")
    assert os.listdir(tmp_path) == ["c.json"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[]",
        b'{"something": "else"}',
        b'{"aiohttp_cookiejar": 99, "cookies": []}',
        b'{"aiohttp_cookiejar": 1, "cookies": [{"name": 1}]}',
        b'{"aiohttp_cookiejar": 1, "cookies": [{"name": "a", "value": "b",'
        b' "coded_value": "b", "domain": "", "path": "/", "expires_at": "x"}]}',
    ],
)
def test_load_rejects_other_files(
    jar: CookieJar, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="is not a cookie jar file"):
        jar.load(path)


def test_load_missing_file(jar: CookieJar, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        jar.load(tmp_path / "missing")


def test_load_legacy_pickle(jar: CookieJar, clock: Clock, tmp_path: Path) -> None:
    # The layout older aiohttp versions pickled: (domain, path) -> SimpleCookie.
    legacy: defaultdict[tuple[str, str], SimpleCookie] = defaultdict(SimpleCookie)
    legacy[("example.com", "")] = SimpleCookie("a=1; Domain=example.com; Path=/")
    legacy[("example.com", "/p")] = SimpleCookie(f"b=2; Path=/p; Expires={FUTURE}")
    legacy[("example.com", "")]["old"] = "x"
    legacy[("example.com", "")]["old"]["expires"] = PAST
    path = tmp_path / "cookies.pickle"
    path.write_bytes(pickle.dumps(legacy, pickle.HIGHEST_PROTOCOL))
    jar.load(path)
    assert sent(jar, "http://www.example.com/p/x") == {"b": "2", "a": "1"}


class _Evil:
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, ("echo pwned",))


def test_load_refuses_malicious_pickle(jar: CookieJar, tmp_path: Path) -> None:
    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({("a", "/"): _Evil()}, pickle.HIGHEST_PROTOCOL))
    with pytest.raises(ValueError, match="system is not allowed"):
        jar.load(path)


# ---- DummyCookieJar --------------------------------------------------------


def test_dummy_cookie_jar(loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    dummy = DummyCookieJar(loop=loop)
    dummy.update_cookies({"a": "1"}, URL("http://example.com/"))
    dummy.update_cookies_from_headers(["b=2"], URL("http://example.com/"))
    assert len(dummy) == 0
    assert list(dummy) == []
    assert dummy.quote_cookie is True
    filtered = dummy.filter_cookies(URL("http://example.com/"))
    assert isinstance(filtered, SimpleCookie) and len(filtered) == 0
    dummy.clear()
    dummy.clear(lambda morsel: True)
    dummy.clear_domain("example.com")


async def test_jars_pick_up_the_running_loop() -> None:
    assert len(CookieJar()) == 0
    assert len(DummyCookieJar()) == 0


# ---- RFC 6265 rule helpers -------------------------------------------------


def ts(*fields: int) -> float:
    return float(calendar.timegm((*fields, 0, 0, 0)))


# (Expires value, POSIX time or None)
DATE_CASES: list[tuple[str, Optional[float]]] = [
    ("Sun, 06 Nov 1994 08:49:37 GMT", ts(1994, 11, 6, 8, 49, 37)),
    ("Sunday, 06-Nov-94 08:49:37 GMT", ts(1994, 11, 6, 8, 49, 37)),
    ("Sun Nov  6 08:49:37 1994", ts(1994, 11, 6, 8, 49, 37)),
    ("06 nOV 2069 8:9:7", ts(2069, 11, 6, 8, 9, 7)),
    ("Thu, 01 Jan 70 00:00:00 GMT", 0.0),
    ("Fri, 01 Jan 69 00:00:00 GMT", ts(2069, 1, 1, 0, 0, 0)),
    ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_TIMESTAMP),
    ("Tue, 29 Feb 2000 12:00:00 GMT", ts(2000, 2, 29, 12, 0, 0)),
    ("Mon, 01 January 2024 00:00:00 GMT", ts(2024, 1, 1, 0, 0, 0)),
    ("", None),
    ("garbage", None),
    ("Sun, 06 Nov 1994 GMT", None),  # no time
    ("Sun, Nov 1994 08:49:37 GMT", None),  # no day of month
    ("Sun, 06 1994 08:49:37 GMT", None),  # no month
    ("Sun, 32 Nov 1994 08:49:37 GMT", None),
    ("Sun, 06 Nov 1994 24:00:00 GMT", None),
    ("Sun, 06 Nov 1994 23:60:00 GMT", None),
    ("Sun, 06 Nov 1994 23:59:60 GMT", None),
    ("Sun, 06 Nov 1600 08:49:37 GMT", None),
    ("Sun, 30 Feb 2001 08:49:37 GMT", None),
]


@pytest.mark.parametrize(("value", "expected"), DATE_CASES)
def test_parse_cookie_date(value: str, expected: Optional[float]) -> None:
    assert parse_cookie_date(value) == expected


def test_cookie_expiry_prefers_max_age() -> None:
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "1", "1")
    assert cookie_expiry(morsel, 100.0) is None
    morsel["expires"] = "Thu, 01 Jan 70 00:01:40 GMT"
    assert cookie_expiry(morsel, 0.0) == 100.0
    morsel["max-age"] = "5"
    assert cookie_expiry(morsel, 10.0) == 15.0


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", "example.com", True),
        ("notexample.com", "example.com", False),
        ("example.com", "www.example.com", False),
        ("example.com", "", False),
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "0.0.1", False),
    ],
)
def test_domain_match(host: str, domain: str, expected: bool) -> None:
    assert domain_match(host, domain) is expected


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "expected"),
    [
        ("/", "/", True),
        ("/a", "/", True),
        ("/a", "/a", True),
        ("/a/b", "/a", True),
        ("/ab", "/a", False),
        ("/a/b", "/a/", True),
        ("/a", "/a/", False),
        ("/", "/a", False),
    ],
)
def test_path_match(request_path: str, cookie_path: str, expected: bool) -> None:
    assert path_match(request_path, cookie_path) is expected


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [("", "/"), ("x", "/"), ("/", "/"), ("/a", "/"), ("/a/", "/a"), ("/a/b", "/a")],
)
def test_default_path(request_path: str, expected: str) -> None:
    assert default_path(request_path) == expected


def test_save_failure_cleans_up(jar: CookieJar, tmp_path: Path) -> None:
    set_cookie(jar, "a=1", "http://example.com/")
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("x")  # a non-empty directory cannot be replaced
    with pytest.raises(OSError):
        jar.save(target)
    assert sorted(os.listdir(tmp_path)) == ["taken"]


@pytest.mark.parametrize(
    "payload",
    [
        ["not", "a", "mapping"],
        {"not-a-tuple": SimpleCookie()},
        {("example.com", "/"): "not a cookie"},
    ],
)
def test_load_rejects_odd_legacy_pickles(
    jar: CookieJar, tmp_path: Path, payload: Any
) -> None:
    path = tmp_path / "odd.pickle"
    path.write_bytes(pickle.dumps(payload, pickle.HIGHEST_PROTOCOL))
    with pytest.raises(ValueError, match="is not a cookie jar file"):
        jar.load(path)


def test_load_rejects_bad_attributes(jar: CookieJar, tmp_path: Path) -> None:
    cookie = {
        "name": "a",
        "value": "b",
        "coded_value": "b",
        "domain": "",
        "path": "/",
        "attributes": ["secure"],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"aiohttp_cookiejar": 1, "cookies": [cookie]}))
    with pytest.raises(ValueError, match="attributes must be an object"):
        jar.load(path)


def test_programmatic_int_max_age(jar: CookieJar, clock: Clock) -> None:
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "1", "1")
    morsel["max-age"] = 10
    jar.update_cookies({"a": morsel}, URL("http://example.com/"))
    assert len(jar) == 1
    clock.now += 11
    assert len(jar) == 0


def test_request_without_host_gets_shared_cookies(jar: CookieJar) -> None:
    jar.update_cookies({"shared": "s"})
    set_cookie(jar, "a=1", "http://example.com/")
    assert sent(jar, "/relative") == {"shared": "s"}
