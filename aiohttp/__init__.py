"""Async HTTP client/server for asyncio (clean-room implementation of aiohttp 3.14).

The top-level names are loaded on first use: ``import aiohttp`` stays cheap
(a server never pays for the client, nor the client for multipart), and
``aiohttp.ClientSession`` imports the client the first time it is read.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import hdrs
from ._chainmap import ChainMapProxy

__version__ = "3.14.0"

# Public name -> the module (relative to the package) that defines it.
_LAZY: dict[str, str] = {}


def _register(module: str, *names: str) -> None:
    for name in names:
        _LAZY[name] = module


_register(
    "client",
    "ClientSession",
    "ClientTimeout",
    "request",
)
_register(
    "client_reqrep",
    "ClientRequest",
    "ClientResponse",
    "ContentDisposition",
    "Fingerprint",
    "RequestInfo",
)
_register(
    "client_exceptions",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "WSServerHandshakeError",
    "WSMessageTypeError",
)
_register("client_middlewares", "ClientHandlerType", "ClientMiddlewareType")
_register(
    "connector",
    "BaseConnector",
    "NamedPipeConnector",
    "TCPConnector",
    "UnixConnector",
)
_register("cookiejar", "CookieJar", "DummyCookieJar")
_register("formdata", "FormData")
_register("helpers", "BasicAuth", "ETag")
_register("http", "HttpVersion", "HttpVersion10", "HttpVersion11")
_register(
    "multipart",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "MultipartReader",
    "MultipartWriter",
    "content_disposition_filename",
    "parse_content_disposition",
)
_register(
    "payload",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "PAYLOAD_REGISTRY",
    "Payload",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "payload_type",
)
_register("resolver", "AsyncResolver", "DefaultResolver", "ThreadedResolver")
_register("streams", "EMPTY_PAYLOAD", "DataQueue", "EofStream", "StreamReader")
_register(
    "tracing",
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
)

__all__ = (
    "ChainMapProxy",
    "__version__",
    "hdrs",
    *_LAZY,
)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'aiohttp' has no attribute {name!r}")
    module = importlib.import_module(f".{module_name}", __name__)
    value = getattr(module, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - what type checkers see
    from .client import ClientSession as ClientSession
    from .client import ClientTimeout as ClientTimeout
    from .client import request as request
    from .client_exceptions import ClientConnectionError as ClientConnectionError
    from .client_exceptions import (
        ClientConnectionResetError as ClientConnectionResetError,
    )
    from .client_exceptions import (
        ClientConnectorCertificateError as ClientConnectorCertificateError,
    )
    from .client_exceptions import ClientConnectorDNSError as ClientConnectorDNSError
    from .client_exceptions import ClientConnectorError as ClientConnectorError
    from .client_exceptions import ClientConnectorSSLError as ClientConnectorSSLError
    from .client_exceptions import ClientError as ClientError
    from .client_exceptions import ClientHttpProxyError as ClientHttpProxyError
    from .client_exceptions import ClientOSError as ClientOSError
    from .client_exceptions import ClientPayloadError as ClientPayloadError
    from .client_exceptions import (
        ClientProxyConnectionError as ClientProxyConnectionError,
    )
    from .client_exceptions import ClientResponseError as ClientResponseError
    from .client_exceptions import ClientSSLError as ClientSSLError
    from .client_exceptions import ConnectionTimeoutError as ConnectionTimeoutError
    from .client_exceptions import ContentTypeError as ContentTypeError
    from .client_exceptions import InvalidURL as InvalidURL
    from .client_exceptions import InvalidUrlClientError as InvalidUrlClientError
    from .client_exceptions import (
        InvalidUrlRedirectClientError as InvalidUrlRedirectClientError,
    )
    from .client_exceptions import NonHttpUrlClientError as NonHttpUrlClientError
    from .client_exceptions import (
        NonHttpUrlRedirectClientError as NonHttpUrlRedirectClientError,
    )
    from .client_exceptions import RedirectClientError as RedirectClientError
    from .client_exceptions import ServerConnectionError as ServerConnectionError
    from .client_exceptions import ServerDisconnectedError as ServerDisconnectedError
    from .client_exceptions import (
        ServerFingerprintMismatch as ServerFingerprintMismatch,
    )
    from .client_exceptions import ServerTimeoutError as ServerTimeoutError
    from .client_exceptions import SocketTimeoutError as SocketTimeoutError
    from .client_exceptions import TooManyRedirects as TooManyRedirects
    from .client_exceptions import WSMessageTypeError as WSMessageTypeError
    from .client_exceptions import WSServerHandshakeError as WSServerHandshakeError
    from .client_middlewares import ClientHandlerType as ClientHandlerType
    from .client_middlewares import ClientMiddlewareType as ClientMiddlewareType
    from .client_reqrep import ClientRequest as ClientRequest
    from .client_reqrep import ClientResponse as ClientResponse
    from .client_reqrep import ContentDisposition as ContentDisposition
    from .client_reqrep import Fingerprint as Fingerprint
    from .client_reqrep import RequestInfo as RequestInfo
    from .connector import BaseConnector as BaseConnector
    from .connector import NamedPipeConnector as NamedPipeConnector
    from .connector import TCPConnector as TCPConnector
    from .connector import UnixConnector as UnixConnector
    from .cookiejar import CookieJar as CookieJar
    from .cookiejar import DummyCookieJar as DummyCookieJar
    from .formdata import FormData as FormData
    from .helpers import BasicAuth as BasicAuth
    from .helpers import ETag as ETag
    from .http import HttpVersion as HttpVersion
    from .http import HttpVersion10 as HttpVersion10
    from .http import HttpVersion11 as HttpVersion11
    from .multipart import BadContentDispositionHeader as BadContentDispositionHeader
    from .multipart import BadContentDispositionParam as BadContentDispositionParam
    from .multipart import BodyPartReader as BodyPartReader
    from .multipart import MultipartReader as MultipartReader
    from .multipart import MultipartWriter as MultipartWriter
    from .multipart import content_disposition_filename as content_disposition_filename
    from .multipart import parse_content_disposition as parse_content_disposition
    from .payload import PAYLOAD_REGISTRY as PAYLOAD_REGISTRY
    from .payload import AsyncIterablePayload as AsyncIterablePayload
    from .payload import BufferedReaderPayload as BufferedReaderPayload
    from .payload import BytesIOPayload as BytesIOPayload
    from .payload import BytesPayload as BytesPayload
    from .payload import IOBasePayload as IOBasePayload
    from .payload import JsonPayload as JsonPayload
    from .payload import Payload as Payload
    from .payload import StringIOPayload as StringIOPayload
    from .payload import StringPayload as StringPayload
    from .payload import TextIOPayload as TextIOPayload
    from .payload import get_payload as get_payload
    from .payload import payload_type as payload_type
    from .resolver import AsyncResolver as AsyncResolver
    from .resolver import DefaultResolver as DefaultResolver
    from .resolver import ThreadedResolver as ThreadedResolver
    from .streams import EMPTY_PAYLOAD as EMPTY_PAYLOAD
    from .streams import DataQueue as DataQueue
    from .streams import EofStream as EofStream
    from .streams import StreamReader as StreamReader
    from .tracing import TraceConfig as TraceConfig
    from .tracing import (
        TraceConnectionCreateEndParams as TraceConnectionCreateEndParams,
    )
    from .tracing import (
        TraceConnectionCreateStartParams as TraceConnectionCreateStartParams,
    )
    from .tracing import (
        TraceConnectionQueuedEndParams as TraceConnectionQueuedEndParams,
    )
    from .tracing import (
        TraceConnectionQueuedStartParams as TraceConnectionQueuedStartParams,
    )
    from .tracing import (
        TraceConnectionReuseconnParams as TraceConnectionReuseconnParams,
    )
    from .tracing import TraceDnsCacheHitParams as TraceDnsCacheHitParams
    from .tracing import TraceDnsCacheMissParams as TraceDnsCacheMissParams
    from .tracing import TraceDnsResolveHostEndParams as TraceDnsResolveHostEndParams
    from .tracing import (
        TraceDnsResolveHostStartParams as TraceDnsResolveHostStartParams,
    )
    from .tracing import TraceRequestChunkSentParams as TraceRequestChunkSentParams
    from .tracing import TraceRequestEndParams as TraceRequestEndParams
    from .tracing import TraceRequestExceptionParams as TraceRequestExceptionParams
    from .tracing import (
        TraceRequestHeadersSentParams as TraceRequestHeadersSentParams,
    )
    from .tracing import TraceRequestRedirectParams as TraceRequestRedirectParams
    from .tracing import TraceRequestStartParams as TraceRequestStartParams
    from .tracing import (
        TraceResponseChunkReceivedParams as TraceResponseChunkReceivedParams,
    )
