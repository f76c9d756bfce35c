"""A small but complete aiohttp.web application, exercised end to end.

It shows the pieces a real application combines:

* routes declared with a ``RouteTableDef``, including a dynamic segment;
* a middleware that times every request and turns ``KeyError`` into a 404;
* a sub-application mounted under ``/api`` with its own route;
* static files served from a directory (created here in a temporary folder);
* a multipart form upload read with ``request.post()``;
* a cleanup context that opens a resource at startup and closes it at cleanup,
  kept in the application under a typed ``web.AppKey``.

The application starts on port 0, prints the URL with the port the operating
system picked, fetches every feature once with the standard library's client,
prints what it got, and exits non-zero if anything was unexpected.
"""

from __future__ import annotations

import asyncio
import http.client
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

__all__ = ("make_app", "main")

routes = web.RouteTableDef()


class Notes:
    """Stands in for a database connection: opened at startup, closed at cleanup."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {"first": "hello"}
        self.closed = False


NOTES = web.AppKey("notes", Notes)


async def notes_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the notes store before serving and close it after the last request."""
    app[NOTES] = Notes()
    print("startup: notes store opened", flush=True)
    yield
    app[NOTES].closed = True
    print("cleanup: notes store closed", flush=True)


@web.middleware
async def timing(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Add the handling time to every response; a missing note becomes a 404."""
    start = time.perf_counter()
    try:
        response = await handler(request)
    except KeyError as exc:
        raise web.HTTPNotFound(text=f"no note named {exc.args[0]}") from None
    response.headers["X-Elapsed-Ms"] = f"{(time.perf_counter() - start) * 1000:.2f}"
    return response


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    """Greet, and link to a note by its named route."""
    url = request.app.router["note"].url_for(name="first")
    return web.Response(text=f"see {url}")


@routes.get("/notes/{name}", name="note")
async def get_note(request: web.Request) -> web.Response:
    """Return one note; an unknown name raises KeyError (the middleware answers)."""
    notes = request.app[NOTES]
    return web.Response(text=notes.items[request.match_info["name"]])


@routes.post("/upload")
async def upload(request: web.Request) -> web.Response:
    """Accept a multipart form with a ``title`` field and a ``file`` field."""
    form = await request.post()
    title = form["title"]
    field = form["file"]
    if not isinstance(title, str) or not isinstance(field, web.FileField):
        raise web.HTTPBadRequest(text="expected a title and a file")
    content = field.file.read().decode("utf-8")
    request.app[NOTES].items[title] = content
    return web.json_response(
        {"title": title, "filename": field.filename, "bytes": len(content)}
    )


async def api_status(request: web.Request) -> web.Response:
    """The sub-application's route; it reaches the parent's store via config_dict."""
    notes = request.config_dict[NOTES]
    return web.json_response({"notes": sorted(notes.items)})


def make_app(static_dir: Path) -> web.Application:
    """Build the application: routes, middleware, sub-app, static files, context."""
    app = web.Application(middlewares=[timing])
    app.add_routes(routes)
    app.cleanup_ctx.append(notes_ctx)
    api = web.Application()
    api.router.add_get("/status", api_status)
    app.add_subapp("/api", api)
    app.router.add_static("/static", static_dir)
    return app


def request(
    port: int, method: str, path: str, body: bytes = b"", ctype: str = ""
) -> tuple[int, str]:
    """One blocking stdlib request; returns (status, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": ctype} if ctype else {}
        conn.request(method, path, body=body or None, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8")
    finally:
        conn.close()


def multipart(title: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """Encode a two-field multipart/form-data body by hand (the stdlib has none)."""
    boundary = uuid.uuid4().hex
    parts = [
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\n'
        f"{title}\r\n".encode(),
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def exercise(port: int) -> list[tuple[str, int, str, int, str]]:
    """Fetch every feature; returns (what, status, body, wanted status, wanted text)."""
    body, ctype = multipart("second", "second.txt", b"uploaded text")
    return [
        ("route", *request(port, "GET", "/"), 200, "see /notes/first"),
        ("dynamic", *request(port, "GET", "/notes/first"), 200, "hello"),
        ("middleware", *request(port, "GET", "/notes/nope"), 404, "no note named"),
        ("upload", *request(port, "POST", "/upload", body, ctype), 200, '"bytes": 13'),
        ("uploaded", *request(port, "GET", "/notes/second"), 200, "uploaded text"),
        ("subapp", *request(port, "GET", "/api/status"), 200, '"second"'),
        ("static", *request(port, "GET", "/static/hello.txt"), 200, "static hello"),
        ("traversal", *request(port, "GET", "/static/..%2f..%2fetc/passwd"), 404, ""),
    ]


async def main() -> int:
    """Serve the app on port 0, exercise it from a thread, clean up, report."""
    with tempfile.TemporaryDirectory() as tmp:
        static_dir = Path(tmp)
        (static_dir / "hello.txt").write_text("static hello\n")
        app = make_app(static_dir)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            print(f"Serving on {site.name}", flush=True)
            # The stdlib client blocks, so it runs in a thread while the loop serves.
            results = await asyncio.to_thread(exercise, site.port)
        finally:
            await runner.cleanup()
    failures = 0
    for what, status, text, want_status, want_text in results:
        ok = status == want_status and want_text in text
        failures += not ok
        print(f"{what}: {status} {'ok' if ok else 'UNEXPECTED ' + repr(text)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
