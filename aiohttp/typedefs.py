"""Type aliases shared across the package."""

import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL

if TYPE_CHECKING:
    from .web_request import BaseRequest, Request
    from .web_response import StreamResponse

__all__ = (
    "DEFAULT_JSON_DECODER",
    "DEFAULT_JSON_ENCODER",
    "Handler",
    "JSONDecoder",
    "JSONEncoder",
    "LooseHeaders",
    "PathLike",
    "RawHeaders",
    "StrOrURL",
)

DEFAULT_JSON_ENCODER = json.dumps
DEFAULT_JSON_DECODER = json.loads

JSONEncoder = Callable[[Any], str]
JSONDecoder = Callable[[str], Any]
StrOrURL = Union[str, URL]
LooseHeaders = Union[
    Mapping[str, str],
    Mapping[istr, str],
    CIMultiDict[str],
    CIMultiDictProxy[str],
    Iterable[tuple[Union[str, istr], str]],
]
RawHeaders = tuple[tuple[bytes, bytes], ...]
PathLike = Union[str, "os.PathLike[str]"]
LooseCookiesMappings = Mapping[str, Union[str, "Any"]]
Handler = Callable[["Request"], Any]
LowLevelHandler = Callable[["BaseRequest"], Any]
ResponseOrNone = Union["StreamResponse", None]
MultiDictLike = Union[MultiDict[str], MultiDictProxy[str]]
