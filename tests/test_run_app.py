"""run_app and ``python -m aiohttp.web``: real processes on ephemeral ports."""

import asyncio
import logging
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import urllib.request
from pathlib import Path
from typing import Any, Optional

import pytest
import trustme

from aiohttp import web
from aiohttp.web_runner import GracefulExit

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30

APP_MODULE = textwrap.dedent(
    """
    from aiohttp import web

    async def hello(request):
        return web.Response(text="hello " + request.app[ARGS])

    ARGS = web.AppKey("args", str)

    async def on_cleanup(app):
        print("cleaned up", flush=True)

    def make_app(argv):
        app = web.Application()
        app[ARGS] = ",".join(argv)
        app.router.add_get("/", hello)
        app.on_cleanup.append(on_cleanup)
        return app

    async def make_app_async():
        return make_app(["async"])
    """
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    return env


def _start(tmp_path: Path, args: list[str]) -> subprocess.Popen[str]:
    (tmp_path / "demo_app.py").write_text(APP_MODULE)
    return subprocess.Popen(
        [sys.executable, "-W", "error", *args],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _serve_and_stop(proc: subprocess.Popen[str]) -> tuple[str, str, str]:
    """Read the banner, fetch the URL it names, SIGINT; return url, body, rest."""
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        match = re.fullmatch(
            r"======== Running on (http://127\.0\.0\.1:([1-9]\d*)) ========\n", banner
        )
        assert match, banner + (proc.stderr.read() if proc.stderr else "")
        assert proc.stdout.readline() == "(Press CTRL+C to quit)\n"
        with urllib.request.urlopen(match.group(1) + "/", timeout=10) as resp:
            body = resp.read().decode()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    return match.group(1), body, out + err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_run_app_prints_real_port_and_stops_on_sigint(tmp_path: Path) -> None:
    code = (
        "from aiohttp import web; import demo_app; "
        "web.run_app(demo_app.make_app(['x', 'y']), host='127.0.0.1', port=0)"
    )
    _, body, rest = _serve_and_stop(_start(tmp_path, ["-c", code]))
    assert body == "hello x,y"
    assert "cleaned up" in rest


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_run_app_accepts_coroutine(tmp_path: Path) -> None:
    code = (
        "from aiohttp import web; import demo_app; "
        "web.run_app(demo_app.make_app_async(), host=['127.0.0.1'], port=0)"
    )
    _, body, _ = _serve_and_stop(_start(tmp_path, ["-c", code]))
    assert body == "hello async"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_module_cli(tmp_path: Path) -> None:
    args = ["-m", "aiohttp.web", "-H", "127.0.0.1", "-P", "0"]
    proc = _start(tmp_path, [*args, "demo_app:make_app", "--flag", "v"])
    _, body, rest = _serve_and_stop(proc)
    assert body == "hello --flag,v"
    assert "Stopped" in rest


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("demo_app", "module:function"),
        (".demo_app:make_app", "relative"),
        ("no_such_module_xyz:f", "unable to import"),
        ("demo_app:missing", "has no attribute"),
    ],
)
def test_module_cli_errors(tmp_path: Path, entry: str, message: str) -> None:
    proc = _start(tmp_path, ["-m", "aiohttp.web", entry])
    _out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 2
    assert message in err


def test_run_app_rejects_non_app() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        web.run_app(object(), print=None)  # type: ignore[arg-type]


# -- run_app in this process (a thread), stopped the way its signal handler does --


class _AppThread:
    """Runs ``web.run_app`` in a thread on its own loop and stops it on demand."""

    def __init__(self, app: web.Application, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.lines: list[str] = []
        self.banner = threading.Event()
        self.error: Optional[BaseException] = None
        kwargs.setdefault("print", self._print)
        self._thread = threading.Thread(target=self._run, args=(app, kwargs))

    def _print(self, text: str) -> None:
        self.lines.append(text)
        self.banner.set()

    def _run(self, app: web.Application, kwargs: dict[str, Any]) -> None:
        try:
            web.run_app(app, loop=self.loop, handle_signals=False, **kwargs)
        except BaseException as exc:  # reported to the test thread
            self.error = exc
        finally:
            self.banner.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        # What the SIGINT/SIGTERM handler does: raise GracefulExit in the loop.
        def graceful_exit() -> None:
            raise GracefulExit()

        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(graceful_exit)
        self._thread.join(TIMEOUT)
        assert not self._thread.is_alive(), "run_app did not stop"
        assert self.error is None, repr(self.error)


def _hello_app(cleaned: list[str]) -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    async def on_cleanup(app: web.Application) -> None:
        cleaned.append("cleanup")

    app = web.Application()
    app.router.add_get("/", hello)
    app.on_cleanup.append(on_cleanup)
    return app


def _get_over_unix(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect(path)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_run_app_tcp_and_unix_path(tmp_path: Path) -> None:
    cleaned: list[str] = []
    path = str(tmp_path / "app.sock")
    runner = _AppThread(_hello_app(cleaned), host="127.0.0.1", port=0, path=path)
    runner.start()
    try:
        assert runner.banner.wait(TIMEOUT)
        assert len(runner.lines) == 1, runner.lines
        match = re.fullmatch(
            r"======== Running on (http://127\.0\.0\.1:[1-9]\d*), "
            r"http://unix:(.+): ========\n\(Press CTRL\+C to quit\)",
            runner.lines[0],
        )
        assert match, runner.lines[0]
        assert match.group(2) == path
        with urllib.request.urlopen(match.group(1) + "/", timeout=10) as resp:
            assert resp.read() == b"hello"
        assert _get_over_unix(path).endswith(b"\r\n\r\nhello")
    finally:
        runner.stop()
    assert cleaned == ["cleanup"]


def test_run_app_print_none_over_passed_socket(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A socket already listening accepts the connection at once; the request
    # waits in its backlog until run_app serves it, so there is nothing to poll.
    cleaned: list[str] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    runner = _AppThread(_hello_app(cleaned), sock=sock, print=None)
    runner.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == b"hello"
    finally:
        runner.stop()
        sock.close()
    assert runner.lines == []
    assert capsys.readouterr().out == ""
    assert cleaned == ["cleanup"]


def test_run_app_prints_every_site() -> None:
    # One TCPSite per host, each named with the port it really bound.
    runner = _AppThread(_hello_app([]), host=["127.0.0.1", "localhost"], port=0)
    runner.start()
    try:
        assert runner.banner.wait(TIMEOUT)
        banner = runner.lines[0].split("\n")[0]
        names = re.findall(r"http://[^ ,]+", banner)
        assert len(names) == 2, banner
        for name in names:
            assert not name.endswith(":0"), banner
            with urllib.request.urlopen(name + "/", timeout=10) as resp:
                assert resp.read() == b"hello"
    finally:
        runner.stop()


class _Records(logging.Handler):
    """Collects the messages logged to it."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_run_app_passes_its_options_on() -> None:
    # Every documented run_app option reaches the runner, the sites or the loop:
    # TLS on the real port, the access log with a custom format, asyncio debug.
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    records = _Records()
    access_log = logging.getLogger("tests.run_app.access")
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    access_log.addHandler(records)

    async def debug_state(request: web.Request) -> web.Response:
        loop_debug = asyncio.get_running_loop().get_debug()
        return web.Response(text=f"debug={loop_debug}")

    app = web.Application()
    app.router.add_get("/", debug_state)
    runner = _AppThread(
        app,
        debug=True,
        host="127.0.0.1",
        port=0,
        ssl_context=server_ctx,
        access_log=access_log,
        access_log_format='%r %s "%{X-Probe}i"',
        shutdown_timeout=5.0,
        keepalive_timeout=10.0,
        backlog=16,
        reuse_address=True,
        reuse_port=hasattr(socket, "SO_REUSEPORT"),
        handler_cancellation=True,
    )
    runner.start()
    try:
        assert runner.banner.wait(TIMEOUT)
        match = re.search(r"https://127\.0\.0\.1:[1-9]\d*", runner.lines[0])
        assert match, runner.lines
        request = urllib.request.Request(match.group(0) + "/", headers={"X-Probe": "p"})
        with urllib.request.urlopen(request, timeout=10, context=client_ctx) as resp:
            assert resp.read() == b"debug=True"
    finally:
        runner.stop()
        access_log.removeHandler(records)
    assert records.messages == ['GET / HTTP/1.1 200 "p"']
