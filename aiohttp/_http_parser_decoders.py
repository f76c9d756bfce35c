"""Incremental Content-Encoding decoders for message bodies.

gzip and deflate use :mod:`zlib`. ``br`` needs the ``brotli`` (or
``brotlicffi``) package and ``zstd`` needs ``compression.zstd`` (Python 3.14)
or ``zstandard``; when the package is missing, :func:`make_decoder` raises
:class:`ContentEncodingError` rather than hand undecoded bytes to code that
expects decoded ones (pass ``auto_decompress=False`` to get the raw body).

A decoder is fed body bytes in pieces (``decompress``) and told when the body
ends (``flush``); a corrupt or truncated stream raises ContentEncodingError.

A compressed body can expand a thousandfold, so ``decompress`` takes an
optional ``max_length``: the decoder then returns at most that many bytes and
keeps the input it has not decoded yet (``pending`` is true) for later calls
with ``b""``. Only the zlib decoder honours it: the brotli and zstd bindings
we can use have no portable output bound, so they decode all their input.
"""

import importlib
import zlib
from typing import Any, Optional, Protocol

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

    @property
    def pending(self) -> bool: ...  # pragma: no cover

    def decompress(
        self, data: bytes, max_length: Optional[int] = None
    ) -> bytes: ...  # pragma: no cover

    def flush(self) -> bytes: ...  # pragma: no cover


def _corrupt(encoding: str, detail: object) -> ContentEncodingError:
    return ContentEncodingError(
        f"Can not decode content-encoding: {encoding}: {detail}"
    )


class ZlibDecoder:
    """gzip (possibly several members) or deflate (zlib-wrapped or raw)."""

    __slots__ = ("_encoding", "_more", "_obj", "_prefix", "_seen", "_tail")

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._obj: Any = zlib.decompressobj(31) if encoding == "gzip" else None
        self._prefix = b""  # first byte of a deflate body, until we can sniff it
        self._tail = b""  # input not decoded yet because of max_length
        self._more = False  # the last call filled max_length: output may remain
        self._seen = False

    @property
    def pending(self) -> bool:
        """True when a call with no new input may still produce output."""
        return bool(self._tail) or self._more

    def decompress(self, data: bytes, max_length: Optional[int] = None) -> bytes:
        """Decode ``data`` (after what is pending); at most ``max_length`` bytes."""
        if data:
            self._seen = True
        if self._tail:
            data = self._tail + data
            self._tail = b""
        if max_length is not None and max_length <= 0:
            self._tail = data
            return b""
        obj = self._obj
        if obj is None:
            data = self._prefix + data
            if len(data) < 2:
                self._prefix = data
                return b""
            self._prefix = b""
            # "deflate" should be zlib-wrapped (RFC 9110 8.4.1.2) but some
            # servers send a raw deflate stream; a zlib header shows in its
            # first two bytes (compression method 8, header checksum).
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            obj = self._obj = zlib.decompressobj(15 if wrapped else -15)
        limit = max_length or 0  # zlib's "no limit"
        try:
            out: bytes = obj.decompress(data, limit)
            self._tail = obj.unconsumed_tail
            # A gzip body may hold several members back to back.
            while obj.eof and obj.unused_data and self._encoding == "gzip":
                rest = obj.unused_data
                obj = self._obj = zlib.decompressobj(31)
                if limit and len(out) >= limit:
                    self._tail = rest
                    break
                out += obj.decompress(rest, limit and limit - len(out))
                self._tail = obj.unconsumed_tail
        except zlib.error as exc:
            raise _corrupt(self._encoding, exc)
        # zlib may hold output back even with all input consumed: when the
        # output filled the limit, assume more may come (an extra call is
        # cheap; missing output is not).
        self._more = bool(limit) and len(out) >= limit and not obj.eof
        return out

    def flush(self) -> bytes:
        # An empty body is fine; a started stream must have reached its end.
        if not self._seen or (self._obj is not None and self._obj.eof):
            return b""
        raise _corrupt(self._encoding, "the compressed body is truncated")


class BrotliDecoder:
    """``br`` via the brotli / brotlicffi package."""

    __slots__ = ("_obj",)

    pending = False  # decodes all its input at once (no output bound)

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decompress(self, data: bytes, max_length: Optional[int] = None) -> bytes:
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

    pending = False  # decodes all its input at once (no output bound)

    def decompress(self, data: bytes, max_length: Optional[int] = None) -> bytes:
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
