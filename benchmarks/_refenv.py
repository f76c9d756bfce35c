"""The reference virtualenv: aiohttp 3.14.5 itself, to measure against.

It lives in ``benchmarks/.venv-ref`` (git-ignored) and is made from the same
base interpreter as the one running the harness, so both sides run the same
CPython build. It is never the project's ``.venv``: installing aiohttp there
would replace this package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _procs import HERE, child_env, neutral_cwd

__all__ = ("REF_VENV", "REFERENCE", "ensure_reference", "has_module", "version_of")

REFERENCE = "aiohttp==3.14.5"
REF_VENV = HERE / ".venv-ref"
_REF_VERSION = REFERENCE.split("==")[1]


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, capture_output=True, text=True, cwd=neutral_cwd(), env=child_env()
    )


def version_of(python: str) -> str | None:
    """The aiohttp version ``python`` imports (from a neutral directory), or None."""
    proc = _run([python, "-c", "import aiohttp; print(aiohttp.__version__)"])
    return proc.stdout.strip() if proc.returncode == 0 else None


def has_module(python: str, module: str) -> bool:
    """Whether ``python`` can import ``module``."""
    return _run([python, "-c", f"import {module}"]).returncode == 0


def ensure_reference(venv: Path = REF_VENV) -> str:
    """Create or complete the reference virtualenv; returns its interpreter."""
    if venv.resolve() == (HERE.parent / ".venv").resolve():
        raise SystemExit(f"refusing to install aiohttp into the project's {venv}")
    python = str(venv / "bin" / "python")
    if version_of(python) == _REF_VERSION and has_module(python, "uvloop"):
        return python
    if not Path(python).exists():
        print(f"creating the reference virtualenv {venv}", flush=True)
        # sys._base_executable: the interpreter the running venv was made from.
        base = getattr(sys, "_base_executable", sys.executable)
        _checked([base, "-m", "venv", str(venv)])
    print(f"installing {REFERENCE} and uvloop into {venv}", flush=True)
    _checked([python, "-m", "pip", "install", "--quiet", REFERENCE, "uvloop"])
    found = version_of(python)
    if found != _REF_VERSION:
        raise SystemExit(f"{python} imports aiohttp {found}, expected {_REF_VERSION}")
    return python


def _checked(cmd: list[str]) -> None:
    proc = _run(cmd)
    if proc.returncode != 0:
        raise SystemExit(
            f"'{' '.join(cmd)}' failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
