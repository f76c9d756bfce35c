"""The public ``aiohttp.web`` namespace: server, requests, responses, runners."""

from . import web_exceptions
from .web_exceptions import *  # noqa: F403
from .web_log import AccessLogger
from .web_protocol import PayloadAccessError, RequestHandler, RequestPayloadError
from .web_request import BaseRequest
from .web_response import ContentCoding, Response, StreamResponse, json_response
from .web_runner import (
    BaseRunner,
    BaseSite,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from .web_server import Server

__all__ = [
    "AccessLogger",
    "BaseRequest",
    "BaseRunner",
    "BaseSite",
    "ContentCoding",
    "GracefulExit",
    "NamedPipeSite",
    "PayloadAccessError",
    "RequestHandler",
    "RequestPayloadError",
    "Response",
    "Server",
    "ServerRunner",
    "SockSite",
    "StreamResponse",
    "TCPSite",
    "UnixSite",
    "json_response",
]
__all__ += web_exceptions.__all__
