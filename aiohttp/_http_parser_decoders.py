"""Incremental Content-Encoding decoders for message bodies.

gzip and deflate use :mod:`zlib`. ``br`` needs the ``brotli`` (or
``brotlicffi``) package and ``zstd`` needs ``compression.zstd`` (Python 3.14)
or ``zstandard``; when the package is missing, :func:`make_decoder` raises
:class:`ContentEncodingError` rather than hand undecoded bytes to code that
expects decoded ones (pass ``auto_decompress=False`` to get the raw body).

A decoder is fed body bytes in pieces (``decompress``) and told when the body
ends (``flush``); a corrupt or truncated stream raises ContentEncodingError.
"""

import importlib
import zlib
from typing import Any, Protocol

from .http_exceptions import ContentEncodingError

__all__ = ("Decoder", "make_decoder")


def _optional_module(*names: str) -> Any:
    """The first of ``names`` that imports, or None."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


brotli: Any = _optional_module("brotli", "brotlicffi")
zstd: Any = _optional_module("compression.zstd", "zstandard")


class Decoder(Protocol):
    """An incremental decoder of one body."""

    def decompress(self, data: bytes) -> bytes: ...  # pragma: no cover

    def flush(self) -> bytes: ...  # pragma: no cover


def _corrupt(encoding: str, detail: object) -> ContentEncodingError:
    return ContentEncodingError(
        f"Can not decode content-encoding: {encoding}: {detail}"
    )


class ZlibDecoder:
    """gzip (possibly several members) or deflate (zlib-wrapped or raw)."""

    __slots__ = ("_encoding", "_obj", "_pending", "_seen")

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._obj: Any = zlib.decompressobj(31) if encoding == "gzip" else None
        self._pending = b""
        self._seen = False

    def decompress(self, data: bytes) -> bytes:
        self._seen = True
        obj = self._obj
        if obj is None:
            data = self._pending + data
            if len(data) < 2:
                self._pending = data
                return b""
            self._pending = b""
            # "deflate" should be zlib-wrapped (RFC 9110 8.4.1.2) but some
            # servers send a raw deflate stream; a zlib header shows in its
            # first two bytes (compression method 8, header checksum).
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            obj = self._obj = zlib.decompressobj(15 if wrapped else -15)
        try:
            out: bytes = obj.decompress(data)
            # A gzip body may hold several members back to back.
            while obj.eof and obj.unused_data and self._encoding == "gzip":
                rest = obj.unused_data
                obj = self._obj = zlib.decompressobj(31)
                out += obj.decompress(rest)
        except zlib.error as exc:
            raise _corrupt(self._encoding, exc)
        return out

    def flush(self) -> bytes:
        # An empty body is fine; a started stream must have reached its end.
        if not self._seen or (self._obj is not None and self._obj.eof):
            return b""
        raise _corrupt(self._encoding, "the compressed body is truncated")


class BrotliDecoder:
    """``br`` via the brotli / brotlicffi package."""

    __slots__ = ("_obj",)

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decompress(self, data: bytes) -> bytes:
        obj = self._obj
        try:
            if hasattr(obj, "process"):
                return bytes(obj.process(data))
            return bytes(obj.decompress(data))
        except Exception as exc:  # each binding has its own error type
            raise _corrupt("br", exc)

    def flush(self) -> bytes:
        finished = getattr(self._obj, "is_finished", None)
        if finished is not None and not finished():
            raise _corrupt("br", "the compressed body is truncated")
        return b""


class ZstdDecoder:
    """``zstd`` via compression.zstd or the zstandard package."""

    __slots__ = ("_obj",)

    def __init__(self) -> None:
        if hasattr(zstd, "ZstdDecompressor") and hasattr(zstd, "ZstdError"):
            maker = zstd.ZstdDecompressor()
            self._obj = (
                maker.decompressobj() if hasattr(maker, "decompressobj") else maker
            )
        else:  # pragma: no cover - defensive
            self._obj = zstd.ZstdDecompressor()

    def decompress(self, data: bytes) -> bytes:
        try:
            return bytes(self._obj.decompress(data))
        except Exception as exc:  # each binding has its own error type
            raise _corrupt("zstd", exc)

    def flush(self) -> bytes:
        if getattr(self._obj, "eof", True):
            return b""
        raise _corrupt("zstd", "the compressed body is truncated")


def make_decoder(encoding: str) -> Decoder:
    """A decoder for ``encoding``: one of "gzip", "deflate", "br", "zstd".

    Raises ContentEncodingError for an encoding this machine cannot decode.
    """
    if encoding == "gzip" or encoding == "deflate":
        return ZlibDecoder(encoding)
    if encoding == "br":
        if brotli is None:
            raise ContentEncodingError(
                "Can not decode content-encoding: br: install the Brotli package "
                "(or use auto_decompress=False to receive the encoded body)"
            )
        return BrotliDecoder()
    if zstd is None:
        raise ContentEncodingError(
            "Can not decode content-encoding: zstd: install the zstandard "
            "package (or use auto_decompress=False to receive the encoded body)"
        )
    return ZstdDecoder()
