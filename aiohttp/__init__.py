"""Async HTTP client/server for asyncio (clean-room implementation of aiohttp 3.14)."""

__version__ = "3.14.0"

__all__ = ("__version__",)
