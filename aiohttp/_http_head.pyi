# Types of the optional C accelerator built from _http_head.c.
from collections.abc import Iterable
from typing import Any, Optional

from multidict import CIMultiDict, CIMultiDictProxy

from ._http_version import HttpVersion

SEEN_NOT_ONE_HOST: int
SEEN_CONNECTION: int
SEEN_CONTENT_LENGTH: int
SEEN_TRANSFER_ENCODING: int
SEEN_CONTENT_ENCODING: int
SEEN_UPGRADE: int

RawHeaders = tuple[tuple[bytes, bytes], ...]

def setup(
    known_names: dict[bytes, Any],
    methods: dict[bytes, str],
    version10: HttpVersion,
    version11: HttpVersion,
    multidict_type: type[CIMultiDict[str]],
    proxy_type: type[CIMultiDictProxy[str]],
    /,
) -> None: ...
def parse_request_head(
    data: bytes, pos: int, max_line_size: int, max_field_size: int, max_headers: int, /
) -> Optional[
    tuple[str, str, HttpVersion, CIMultiDictProxy[str], RawHeaders, int, bool]
]: ...
def parse_response_head(
    data: bytes, pos: int, max_line_size: int, max_field_size: int, max_headers: int, /
) -> Optional[
    tuple[HttpVersion, int, str, CIMultiDictProxy[str], RawHeaders, int, int]
]: ...
def serialize_head(
    status_line: str, items: Iterable[tuple[str, str]], /
) -> Optional[bytes]: ...
