"""Sphinx configuration for the documentation (built by ``make docs``).

The build must work offline and without importing the package: the API pages
are written by hand with Python-domain directives, and no extension that needs
the network (intersphinx) is enabled.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "author",
    "copyright",
    "exclude_patterns",
    "extensions",
    "html_static_path",
    "html_theme",
    "html_theme_options",
    "project",
    "release",
    "version",
]

_ROOT = Path(__file__).resolve().parent.parent


def _read_version() -> str:
    """The package version, read from the source so nothing is imported."""
    text = (_ROOT / "aiohttp" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise RuntimeError('no __version__ = "..." line in aiohttp/__init__.py')
    return match.group(1)


project = "aiohttp (clean-room implementation)"
author = "aiohttp-clean dev team"
copyright = f"2025, {author}"  # Sphinx reads this exact name
release = _read_version()
version = ".".join(release.split(".")[:2])

# autodoc is available for future pages; the current ones do not use it.
extensions = ["sphinx.ext.autodoc"]

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "asyncio HTTP, ephemeral ports first-class"}
html_static_path: list[str] = []
