"""Reading a form body: ``request.post()`` for urlencoded and multipart forms.

File parts are streamed to temporary files; every byte read from the body
is counted, so a multipart upload past ``client_max_size`` stops with 413
as soon as it crosses the limit, not after it was buffered.
"""

import asyncio
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Union, cast
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDict

from . import hdrs
from .http_exceptions import BadHttpMessage
from .multipart import BodyPartReader, MultipartReader
from .streams import StreamReader

if TYPE_CHECKING:
    from .web_request import BaseRequest

__all__ = ("FileField", "read_form")

_CHUNK = 2**16
FormValue = Union[str, bytes, "FileField"]


@dataclass
class FileField:
    """An uploaded file of a multipart form; ``file`` is a temporary file."""

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    headers: "CIMultiDictProxy[str]"


class _CountingReader:
    """Reads the request body for the multipart parser, enforcing a limit."""

    def __init__(self, request: "BaseRequest", stream: StreamReader) -> None:
        self._request = request
        self._stream = stream
        self._limit = request.client_max_size
        self._count = 0

    async def read(self, n: int = -1) -> bytes:
        data = await self._stream.read(n)
        self._count += len(data)
        if 0 < self._limit < self._count:
            raise self._request._too_large(self._count)
        return data


async def _read_file(part: BodyPartReader) -> IO[bytes]:
    loop = asyncio.get_running_loop()
    tmp: IO[bytes] = await loop.run_in_executor(None, tempfile.TemporaryFile)
    try:
        if hdrs.CONTENT_TRANSFER_ENCODING in part.headers:
            # base64/quoted-printable decode only whole, not chunk by chunk.
            await loop.run_in_executor(None, tmp.write, await part.read(decode=True))
        else:
            chunk = await part.read_chunk(_CHUNK)
            while chunk:
                await loop.run_in_executor(None, tmp.write, chunk)
                chunk = await part.read_chunk(_CHUNK)
        await loop.run_in_executor(None, tmp.seek, 0)
    except BaseException:
        tmp.close()
        raise
    return tmp


async def _read_multipart(
    request: "BaseRequest", out: "MultiDict[FormValue]", files: list[IO[bytes]]
) -> None:
    headers: Mapping[str, str] = request.headers
    reader = MultipartReader(headers, _CountingReader(request, request.content))
    part: Any = await reader.next()
    while part is not None:
        if not isinstance(part, BodyPartReader):
            raise ValueError(
                "To decode nested multipart you need to use a custom reader: "
                "iterate request.multipart() yourself"
            )
        name = part.name
        if name is None:
            raise ValueError("multipart/form-data part without a name")
        content_type = part.headers.get(hdrs.CONTENT_TYPE)
        if part.filename:
            tmp = await _read_file(part)
            files.append(tmp)
            field = FileField(
                name,
                part.filename,
                tmp,
                content_type or "application/octet-stream",
                cast("CIMultiDictProxy[str]", part.headers),
            )
            out.add(name, field)
        else:
            value = bytes(await part.read(decode=True))
            if content_type is None or content_type.startswith("text/"):
                out.add(name, value.decode(part.get_charset(default="utf-8")))
            else:
                out.add(name, value)
        part = await reader.next()


async def read_form(request: "BaseRequest") -> "MultiDict[FormValue]":
    """Parse the body of *request* as a form (empty for other content types).

    Malformed bodies raise ``HTTPBadRequest``; a body over the request's
    ``client_max_size`` raises ``HTTPRequestEntityTooLarge``.
    """
    from .web_exceptions import HTTPBadRequest

    out: MultiDict[FormValue] = MultiDict()
    content_type = request.content_type
    if request.method not in request.POST_METHODS:
        return out
    if content_type == "multipart/form-data":
        files: list[IO[bytes]] = []
        try:
            await _read_multipart(request, out, files)
        except (ValueError, BadHttpMessage) as exc:
            for tmp in files:
                tmp.close()
            raise HTTPBadRequest(text=f"Malformed multipart form: {exc}") from exc
        except BaseException:
            for tmp in files:
                tmp.close()
            raise
    elif content_type in ("", "application/x-www-form-urlencoded") or (
        content_type == "application/octet-stream"
        and hdrs.CONTENT_TYPE not in request.headers
    ):
        data = await request.read()
        if data:
            charset = request.charset or "utf-8"
            try:
                text = data.rstrip().decode(charset)
                pairs = parse_qsl(text, keep_blank_values=True, encoding=charset)
            except (UnicodeDecodeError, LookupError, ValueError) as exc:
                raise HTTPBadRequest(text=f"Malformed form body: {exc}") from exc
            out.extend(pairs)
    return out
