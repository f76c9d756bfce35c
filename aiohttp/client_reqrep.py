"""Client request and response objects (public home of their names).

The classes live in private modules, one concept each:
:class:`ClientRequest` in ``aiohttp._client_request``, :class:`ClientResponse`,
:class:`RequestInfo` and :class:`ContentDisposition` in
``aiohttp._client_response``; :class:`Fingerprint` and :class:`ConnectionKey`
(shared with the connector) in ``aiohttp._client_base``.
"""

from ._client_base import ConnectionKey, Fingerprint
from ._client_request import ClientRequest
from ._client_response import ClientResponse, ContentDisposition, RequestInfo

__all__ = (
    "ClientRequest",
    "ClientResponse",
    "ConnectionKey",
    "ContentDisposition",
    "Fingerprint",
    "RequestInfo",
)
