"""run_app and ``python -m aiohttp.web``: real processes on ephemeral ports."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from aiohttp import web

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
