"""Unit tests for the client helpers of aiohttp.helpers: BasicAuth, proxies
from the environment and .netrc credentials."""

import base64
import logging
import netrc
from pathlib import Path

import pytest
from yarl import URL

from aiohttp import helpers
from aiohttp.helpers import (
    BasicAuth,
    ProxyInfo,
    basicauth_from_netrc,
    get_env_proxy_for_url,
    is_ip_address,
    netrc_from_env,
    proxies_from_env,
    strip_auth_from_url,
)

PROXY_VARS = (
    "http_proxy",
    "https_proxy",
    "ws_proxy",
    "wss_proxy",
    "no_proxy",
    "all_proxy",
    "ftp_proxy",
    "REQUEST_METHOD",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy settings and no .netrc from the machine running the tests."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "absent-netrc"))


def write_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "netrc"
    path.write_text(text)
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    return path


# ---- BasicAuth -------------------------------------------------------------


def test_basic_auth_is_a_named_tuple() -> None:
    auth = BasicAuth("user", "pass")
    assert auth == ("user", "pass", "latin1")
    assert isinstance(auth, tuple)
    assert (auth.login, auth.password, auth.encoding) == ("user", "pass", "latin1")
    login, password, encoding = auth
    assert (login, password, encoding) == ("user", "pass", "latin1")
    assert repr(auth) == "BasicAuth(login='user', password='pass', encoding='latin1')"
    assert BasicAuth("user") == ("user", "", "latin1")
    assert hash(auth) == hash(BasicAuth("user", "pass"))


def test_encode() -> None:
    assert BasicAuth("Aladdin", "open sesame").encode() == (
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    )


@pytest.mark.parametrize(
    ("login", "password", "encoding"),
    [
        ("user", "pass", "latin1"),
        ("user", "", "latin1"),
        ("", "only-password", "latin1"),
        ("usér", "pässword", "latin1"),
        ("пользователь", "пароль", "utf-8"),
        ("user", "pa:ss:word", "latin1"),
    ],
)
def test_round_trip(login: str, password: str, encoding: str) -> None:
    auth = BasicAuth(login, password, encoding)
    assert BasicAuth.decode(auth.encode(), encoding=encoding) == auth


def test_non_latin1_needs_an_encoding() -> None:
    with pytest.raises(UnicodeEncodeError):
        BasicAuth("пользователь", "x").encode()


def test_utf8_credentials_decoded_with_wrong_encoding() -> None:
    header = BasicAuth("ü", "ü", "utf-8").encode()
    # latin-1 decodes any bytes, just differently.
    assert BasicAuth.decode(header) == ("Ã¼", "Ã¼", "latin1")
    bad = "Basic " + base64.b64encode(b"\xff\xfe:x").decode()
    with pytest.raises(ValueError, match="not valid utf-8"):
        BasicAuth.decode(bad, encoding="utf-8")


def test_decode_is_lenient_on_scheme_case_and_whitespace() -> None:
    assert BasicAuth.decode("  bAsIc dXNlcjpwdw==  ") == BasicAuth("user", "pw")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "Could not parse authorization header"),
        ("Basic", "Could not parse authorization header"),
        ("dXNlcjpwdw==", "Could not parse authorization header"),
        ("Basic  dXNlcjpwdw==", "Could not parse authorization header"),
        ("Basic dXNl cjpwdw==", "Could not parse authorization header"),
        ("Bearer dXNlcjpwdw==", "Unknown authorization method 'Bearer'"),
        ("Basic not-base64!", "Invalid base64 encoding"),
        ("Basic dXNlcjpwdw", "Invalid base64 encoding"),
        ("Basic ñ", "Invalid base64 encoding"),
        ("Basic " + base64.b64encode(b"nocolon").decode(), "Invalid credentials"),
    ],
)
def test_decode_malformed(header: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BasicAuth.decode(header)


def test_login_with_colon_rejected() -> None:
    with pytest.raises(ValueError, match="contains ':'"):
        BasicAuth("user:name", "pw")


def test_none_login_or_password_rejected() -> None:
    with pytest.raises(ValueError, match="login"):
        BasicAuth(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="password"):
        BasicAuth("user", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://user:pass@example.com", BasicAuth("user", "pass")),
        ("http://user@example.com", BasicAuth("user", "")),
        ("http://:pass@example.com", BasicAuth("", "pass")),
        ("http://us%20er:p%40ss@example.com", BasicAuth("us er", "p@ss")),
        ("http://example.com", None),
    ],
)
def test_from_url(url: str, expected: object) -> None:
    assert BasicAuth.from_url(URL(url)) == expected


def test_from_url_needs_a_url() -> None:
    with pytest.raises(TypeError, match=r"yarl\.URL"):
        BasicAuth.from_url("http://user:pass@example.com")  # type: ignore[arg-type]


def test_strip_auth_from_url() -> None:
    url, auth = strip_auth_from_url(URL("http://user:pass@example.com/path"))
    assert url == URL("http://example.com/path")
    assert auth == BasicAuth("user", "pass")
    plain = URL("http://example.com/")
    assert strip_auth_from_url(plain) == (plain, None)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("fe80::1%eth0", True),
        (b"10.0.0.1", True),
        ("example.com", False),
        ("1.2.3", False),
        ("", False),
        (None, False),
    ],
)
def test_is_ip_address(host: object, expected: bool) -> None:
    assert is_ip_address(host) is expected  # type: ignore[arg-type]


# ---- proxies from the environment ------------------------------------------


def test_no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    assert proxies_from_env() == {}
    with pytest.raises(LookupError, match="No proxies found"):
        get_env_proxy_for_url(URL("http://example.com/"))


def test_proxies_per_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.test:3128")
    monkeypatch.setenv("ws_proxy", "http://wsproxy.test:8080")
    monkeypatch.setenv("ftp_proxy", "http://ftp.test")
    proxies = proxies_from_env()
    assert proxies == {
        "http": ProxyInfo(URL("http://proxy.test:3128"), None),
        "ws": ProxyInfo(URL("http://wsproxy.test:8080"), None),
    }
    assert get_env_proxy_for_url(URL("http://example.com/")) == (
        URL("http://proxy.test:3128"),
        None,
    )
    assert get_env_proxy_for_url(URL("ws://example.com/"))[0] == URL(
        "http://wsproxy.test:8080"
    )
    with pytest.raises(LookupError):
        get_env_proxy_for_url(URL("https://example.com/"))


def test_uppercase_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy.test")
    assert get_env_proxy_for_url(URL("https://example.com/"))[0] == URL(
        "http://secure-proxy.test"
    )


def test_proxy_credentials_from_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://user:secret@proxy.test:3128")
    proxy, auth = get_env_proxy_for_url(URL("http://example.com/"))
    assert proxy == URL("http://proxy.test:3128")
    assert auth == BasicAuth("user", "secret")


def test_https_proxy_scheme_is_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("https_proxy", "https://tls-proxy.test")
    with caplog.at_level(logging.WARNING, logger="aiohttp.client"):
        assert proxies_from_env() == {}
    assert "HTTPS proxies https://tls-proxy.test are not supported" in caplog.text


@pytest.mark.parametrize(
    ("no_proxy", "host", "bypassed"),
    [
        ("example.com", "example.com", True),
        ("example.com", "www.example.com", True),
        (".example.com", "www.example.com", True),
        ("example.com", "notexample.com", False),
        ("other.test,example.com", "example.com", True),
        ("other.test", "example.com", False),
        ("*", "anything.test", True),
        ("127.0.0.1", "127.0.0.1", True),
    ],
)
def test_no_proxy(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, host: str, bypassed: bool
) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.test:3128")
    monkeypatch.setenv("no_proxy", no_proxy)
    url = URL.build(scheme="http", host=host, path="/")
    if bypassed:
        with pytest.raises(LookupError, match="Proxying is disallowed"):
            get_env_proxy_for_url(url)
    else:
        assert get_env_proxy_for_url(url)[0] == URL("http://proxy.test:3128")


# ---- .netrc ----------------------------------------------------------------


def test_proxy_credentials_from_netrc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_netrc(
        tmp_path, monkeypatch, "machine proxy.test login nuser password npass\n"
    )
    monkeypatch.setenv("http_proxy", "http://proxy.test:3128")
    monkeypatch.setenv("ws_proxy", "http://other:pw@proxy.test:3128")
    proxies = proxies_from_env()
    assert proxies["http"].proxy_auth == BasicAuth("nuser", "npass")
    # Credentials in the URL win over .netrc.
    assert proxies["ws"].proxy_auth == BasicAuth("other", "pw")


def test_netrc_without_entry_for_proxy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_netrc(tmp_path, monkeypatch, "machine elsewhere.test login u password p\n")
    monkeypatch.setenv("http_proxy", "http://proxy.test:3128")
    assert proxies_from_env()["http"].proxy_auth is None


def test_netrc_from_env_reads_netrc_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_netrc(tmp_path, monkeypatch, "machine example.com login u password p\n")
    netrc_obj = netrc_from_env()
    assert netrc_obj is not None
    assert basicauth_from_netrc(netrc_obj, "example.com") == BasicAuth("u", "p")


def test_netrc_from_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NETRC")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("platform.system", lambda: "Linux")
    (tmp_path / ".netrc").write_text("machine h.test login a password b\n")
    (tmp_path / ".netrc").chmod(0o600)
    netrc_obj = netrc_from_env()
    assert netrc_obj is not None
    assert basicauth_from_netrc(netrc_obj, "h.test") == BasicAuth("a", "b")


def test_missing_default_netrc_is_silent(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("NETRC")
    monkeypatch.setenv("HOME", str(tmp_path))
    with caplog.at_level(logging.DEBUG, logger="aiohttp.client"):
        assert netrc_from_env() is None
    assert caplog.text == ""


def test_no_home_directory(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("NETRC")

    def no_home() -> Path:
        raise RuntimeError("no home")

    monkeypatch.setattr(Path, "home", no_home)
    with caplog.at_level(logging.DEBUG, logger="aiohttp.client"):
        assert netrc_from_env() is None
    assert "home directory" in caplog.text


def test_missing_explicit_netrc_warns(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="aiohttp.client"):
        assert netrc_from_env() is None
    assert "Could not read .netrc file" in caplog.text


def test_unparsable_netrc_warns(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    write_netrc(tmp_path, monkeypatch, "login u password p\n")
    with caplog.at_level(logging.WARNING, logger="aiohttp.client"):
        assert netrc_from_env() is None
    assert "Could not parse .netrc file" in caplog.text


def test_basicauth_from_netrc_lookups(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write_netrc(
        tmp_path,
        monkeypatch,
        "machine a.test login ua password pa\n"
        "machine b.test account acct password pb\n"
        "machine c.test login uc\n"
        "default login du password dp\n",
    )
    netrc_obj = netrc.netrc(str(path))
    assert basicauth_from_netrc(netrc_obj, "a.test") == BasicAuth("ua", "pa")
    # "account" stands in for a missing login.
    assert basicauth_from_netrc(netrc_obj, "b.test") == BasicAuth("acct", "pb")
    assert basicauth_from_netrc(netrc_obj, "c.test") == BasicAuth("uc", "")
    assert basicauth_from_netrc(netrc_obj, "unknown.test") == BasicAuth("du", "dp")


def test_basicauth_from_netrc_misses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(LookupError, match=r"No \.netrc file found"):
        basicauth_from_netrc(None, "example.com")
    path = write_netrc(tmp_path, monkeypatch, "machine a.test login u password p\n")
    with pytest.raises(LookupError, match=r"No entry for example\.com"):
        basicauth_from_netrc(netrc.netrc(str(path)), "example.com")


def test_helpers_exports() -> None:
    for name in helpers.__all__:
        assert hasattr(helpers, name)
