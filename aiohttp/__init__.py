"""Async HTTP client/server for asyncio (clean-room implementation of aiohttp 3.14)."""

from ._chainmap import ChainMapProxy

__version__ = "3.14.0"

__all__ = (
    "ChainMapProxy",
    "__version__",
)
