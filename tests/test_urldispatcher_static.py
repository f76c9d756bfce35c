"""StaticResource over real sockets: files, traversal attempts, symlinks, index."""

import base64
import hashlib
import importlib.util
import os
from pathlib import Path

import pytest
from yarl import URL

from aiohttp.web_exceptions import HTTPNotFound
from aiohttp.web_urldispatcher import StaticResource, UrlDispatcher

from ._routing_helpers import FakeRequest, Fetch, Serve, fetch, serve

__all__ = ("fetch", "serve")  # fixtures imported from the helpers

needs_fileresponse = pytest.mark.skipif(
    importlib.util.find_spec("aiohttp.web_fileresponse") is None,
    reason="aiohttp.web_fileresponse (FileResponse) is not written yet",
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``root/secret.txt`` outside the served ``root/static`` directory."""
    root = tmp_path / "root"
    static = root / "static"
    (static / "sub").mkdir(parents=True)
    (root / "secret.txt").write_text("TOP SECRET")
    (root / "outside").mkdir()
    (root / "outside" / "o.txt").write_text("outside file")
    (static / "hello.txt").write_text("hello world")
    (static / "sub" / "inner.txt").write_text("inner")
    (static / "<b>&'q.txt").write_text("odd name")
    (static / "sp ace.txt").write_text("spaced")
    os.symlink(static / "hello.txt", static / "link_in")
    os.symlink(root / "secret.txt", static / "link_out")
    os.symlink(root / "outside", static / "dir_out")
    os.symlink(static / "loop", static / "loop")
    return static


def make_router(static: Path, **kwargs: object) -> UrlDispatcher:
    router = UrlDispatcher()
    router.add_static("/static", static, name="static", **kwargs)  # type: ignore[arg-type]
    return router


# Every one of these must be refused, and never answer with the secret.
TRAVERSALS = [
    ("/static/../secret.txt", 404),
    ("/static/%2e%2e/secret.txt", 404),
    ("/static/%2E%2E/secret.txt", 404),
    ("/static/..%2fsecret.txt", 404),
    ("/static/%2e%2e%2fsecret.txt", 404),
    ("/static/sub/../../secret.txt", 404),
    ("/static/sub/%2e%2e/%2e%2e/secret.txt", 404),
    ("/static/..%5csecret.txt", 404),
    ("/static/sub%5c..%5c..%5csecret.txt", 404),
    ("/static/hello.txt%00", 404),
    ("/static//etc/passwd", 403),
    ("/static/%2Fetc%2Fpasswd", 403),
    ("/static/link_out", 404),
    ("/static/dir_out/o.txt", 404),
    ("/static/loop", 404),
    ("/static/nope.txt", 404),
    ("/static/sub/nope/", 404),
    ("/static", 403),
    ("/static/", 403),
    ("/static/sub", 403),
]


@pytest.mark.parametrize(("target", "status"), TRAVERSALS)
async def test_traversal_attempts_are_refused(
    tree: Path, serve: Serve, fetch: Fetch, target: str, status: int
) -> None:
    srv = await serve(make_router(tree))
    response = await fetch(srv.port, "GET", target)
    assert response.status == status
    assert b"SECRET" not in response.body
    assert b"outside file" not in response.body


@needs_fileresponse
async def test_files_are_served(tree: Path, serve: Serve, fetch: Fetch) -> None:
    srv = await serve(make_router(tree))
    for target, body in [
        ("/static/hello.txt", b"hello world"),
        ("/static/sub/inner.txt", b"inner"),
        ("/static/sp%20ace.txt", b"spaced"),
        ("/static/sub/../hello.txt", b"hello world"),
        ("/static/link_in", b"hello world"),
    ]:
        response = await fetch(srv.port, "GET", target)
        assert (response.status, response.body) == (200, body), target
    head = await fetch(srv.port, "HEAD", "/static/hello.txt")
    assert (head.status, head.body) == (200, b"")


@needs_fileresponse
async def test_follow_symlinks_leaves_the_tree(
    tree: Path, serve: Serve, fetch: Fetch
) -> None:
    srv = await serve(make_router(tree, follow_symlinks=True))
    assert (await fetch(srv.port, "GET", "/static/link_out")).body == b"TOP SECRET"
    assert (await fetch(srv.port, "GET", "/static/dir_out/o.txt")).status == 200
    # The name itself must still stay inside the directory.
    assert (await fetch(srv.port, "GET", "/static/../secret.txt")).status == 404
    assert (await fetch(srv.port, "GET", "/static/%2e%2e/secret.txt")).status == 404


async def test_follow_symlinks_still_checks_the_name(
    tree: Path, serve: Serve, fetch: Fetch
) -> None:
    router = make_router(tree, follow_symlinks=True)
    resource = router["static"]
    assert isinstance(resource, StaticResource)
    outside = tree.parent / "secret.txt"
    assert resource._resolve("link_out") == outside.resolve()
    srv = await serve(router)
    for target in ("/static/../secret.txt", "/static/%2e%2e/secret.txt"):
        assert (await fetch(srv.port, "GET", target)).status == 404


async def test_other_methods_are_405(tree: Path, serve: Serve, fetch: Fetch) -> None:
    srv = await serve(make_router(tree))
    response = await fetch(srv.port, "POST", "/static/hello.txt")
    assert response.status == 405
    assert response.head.headers["Allow"] == "GET,HEAD"


async def test_show_index(tree: Path, serve: Serve, fetch: Fetch) -> None:
    srv = await serve(make_router(tree, show_index=True))
    response = await fetch(srv.port, "GET", "/static/")
    assert response.status == 200
    assert response.head.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert "<title>Index of /</title>" in page
    assert '<li><a href="/static/sub">sub/</a></li>' in page
    assert '<li><a href="/static/hello.txt">hello.txt</a></li>' in page
    assert '<a href="/static/sp%20ace.txt">sp ace.txt</a>' in page
    # Names are escaped: no markup can be injected through a file name.
    assert "<b>" not in page
    assert "&lt;b&gt;&amp;&#x27;q.txt" in page
    assert 'href="/static/%3Cb%3E&amp;&#x27;q.txt"' in page
    sub = await fetch(srv.port, "GET", "/static/sub")
    assert "<h1>Index of /sub</h1>" in sub.body.decode()
    assert '<a href="/static/sub/inner.txt">inner.txt</a>' in sub.body.decode()


async def test_show_index_unreadable_directory(
    tree: Path, serve: Serve, fetch: Fetch, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    # Patched rather than chmod-ed: the tests may run as root.
    monkeypatch.setattr(Path, "iterdir", refuse)
    srv = await serve(make_router(tree, show_index=True))
    assert (await fetch(srv.port, "GET", "/static/sub")).status == 403


def _hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def test_url_for_and_append_version(tree: Path) -> None:
    router = make_router(tree)
    resource = router["static"]
    assert isinstance(resource, StaticResource)
    assert resource.url_for(filename="hello.txt") == URL("/static/hello.txt")
    assert resource.url_for(filename=Path("sub/inner.txt")) == URL(
        "/static/sub/inner.txt"
    )
    assert resource.url_for(filename="/sp ace?.txt") == URL.build(
        path="/static/sp%20ace%3F.txt", encoded=True
    )
    versioned = resource.url_for(filename="hello.txt", append_version=True)
    assert versioned.path == "/static/hello.txt"
    assert versioned.query["v"] == _hash(b"hello world")
    # No version for what is missing, outside or not a file.
    for name in ("nope.txt", "../secret.txt", "sub", "link_out", "/etc/passwd"):
        url = resource.url_for(filename=name, append_version=True)
        assert "v" not in url.query, name


def test_append_version_default(tree: Path) -> None:
    resource = make_router(tree, append_version=True)["static"]
    assert isinstance(resource, StaticResource)
    url = resource.url_for(filename="sub/inner.txt")
    assert url.query["v"] == _hash(b"inner")
    assert (
        "v"
        not in resource.url_for(filename="sub/inner.txt", append_version=False).query
    )


def test_append_version_unreadable_file(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resource = make_router(tree, append_version=True)["static"]
    assert isinstance(resource, StaticResource)

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert resource.url_for(filename="hello.txt") == URL("/static/hello.txt")


def test_resource_details(tree: Path) -> None:
    router = UrlDispatcher()
    resource = router.add_static("/pre/", tree)
    assert resource.canonical == "/pre"
    assert resource.directory == tree.resolve()
    info = resource.get_info()
    assert info["directory"] == tree.resolve()
    assert info["prefix"] == "/pre"
    assert set(info["routes"]) == {"GET", "HEAD"}
    assert len(resource) == 2
    assert [route.method for route in resource] == ["GET", "HEAD"]
    assert repr(resource) == f"<StaticResource /pre -> {tree.resolve()!r}>"
    named = router.add_static("/n", tree, name="n")
    assert repr(named).startswith("<StaticResource 'n' /n -> ")
    assert not resource.raw_match("/pre")


async def test_set_options_route(tree: Path, serve: Serve, fetch: Fetch) -> None:
    from aiohttp.web_response import Response

    async def options(request: object) -> Response:
        return Response(text="options")

    router = make_router(tree)
    resource = router["static"]
    assert isinstance(resource, StaticResource)
    resource.set_options_route(options)
    with pytest.raises(RuntimeError, match="OPTIONS route was already set"):
        resource.set_options_route(options)
    srv = await serve(router)
    assert (await fetch(srv.port, "OPTIONS", "/static/x")).body == b"options"
    refused = await fetch(srv.port, "PUT", "/static/x")
    assert refused.head.headers["Allow"] == "GET,HEAD,OPTIONS"


async def test_root_prefix(tree: Path, serve: Serve, fetch: Fetch) -> None:
    router = UrlDispatcher()
    resource = router.add_static("/", tree, show_index=True)
    assert resource.canonical == ""
    assert resource.url_for(filename="a b") == URL("/a%20b")
    srv = await serve(router)
    assert (await fetch(srv.port, "GET", "/")).status == 200
    assert (await fetch(srv.port, "GET", "/../secret.txt")).status == 404


async def test_resolve_outside_prefix(tree: Path) -> None:
    resource = make_router(tree)["static"]
    assert await resource.resolve(FakeRequest("GET", "/staticx/a")) == (None, set())  # type: ignore[arg-type]
    match_info, allowed = await resource.resolve(FakeRequest("GET", "/static/a%2Fb"))  # type: ignore[arg-type]
    assert match_info is not None
    assert dict(match_info) == {"filename": "a/b"}
    assert allowed == {"GET", "HEAD"}


def test_resolve_path_rejects_escapes(tree: Path) -> None:
    resource = make_router(tree)["static"]
    assert isinstance(resource, StaticResource)
    with pytest.raises(HTTPNotFound):
        resource._resolve("../secret.txt")
    assert resource._resolve("sub/../hello.txt") == tree.resolve() / "hello.txt"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": "static"}, "must start with '/'"),
        ({"path": "missing-dir"}, "does not exist"),
        ({"path": "hello.txt"}, "is not a directory"),
        ({"chunk_size": 0}, "chunk_size=0 must be a positive int"),
    ],
)
def test_add_static_errors(tree: Path, kwargs: dict[str, object], message: str) -> None:
    prefix = kwargs.pop("prefix", "/static")
    path = kwargs.pop("path", None)
    directory = tree / str(path) if path is not None else tree
    with pytest.raises(ValueError, match=message):
        UrlDispatcher().add_static(prefix, directory, **kwargs)  # type: ignore[arg-type]
