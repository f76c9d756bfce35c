"""Multipart bodies: streaming readers and the writer (``aiohttp.multipart``).

- :class:`MultipartReader` / :class:`BodyPartReader` read a ``multipart/*``
  body part by part from a stream (``request.content``, ``response.content``);
  see :mod:`aiohttp._multipart_reader`.
- :class:`MultipartWriter` builds one from Python objects as a
  :class:`~aiohttp.payload.Payload`; see :mod:`aiohttp._multipart_writer`.
- :func:`parse_content_disposition` and :func:`content_disposition_filename`
  read ``Content-Disposition`` headers (RFC 6266, RFC 2231/8187 parameters).
"""

from ._mime import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    content_disposition_filename,
    parse_content_disposition,
)
from ._multipart_reader import BodyPartReader, MultipartReader, MultipartResponseWrapper
from ._multipart_writer import MultipartWriter

__all__ = (
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "MultipartReader",
    "MultipartResponseWrapper",
    "MultipartWriter",
    "content_disposition_filename",
    "parse_content_disposition",
)
