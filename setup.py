"""Build hook for the optional C accelerator; the metadata is in pyproject.toml.

``aiohttp._http_head`` speeds up parsing of HTTP message heads. It is
optional: without a C compiler (or with ``AIOHTTP_NO_EXTENSIONS`` set while
installing) the install still succeeds and the pure-Python parser is used.
"""

import os

from setuptools import Extension, setup

if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    EXTENSIONS = []
else:
    EXTENSIONS = [
        Extension("aiohttp._http_head", ["aiohttp/_http_head.c"], optional=True)
    ]

setup(ext_modules=EXTENSIONS)
