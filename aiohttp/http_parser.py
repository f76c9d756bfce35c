"""Sans-IO HTTP/1.1 parsers: bytes in, events out (no asyncio, no sockets).

Feed what the connection received to ``feed_data()`` and, when the peer closes
it, call ``feed_eof()``. Both return a list of events, in wire order. For each
message:

1. its head: a :class:`RawRequestMessage` or :class:`RawResponseMessage`;
2. zero or more non-empty ``bytes`` body pieces (decoded when the body has a
   Content-Encoding and ``auto_decompress`` is true); in a chunked body an
   :data:`END_OF_CHUNK` follows each chunk's data;
3. exactly one :class:`EndOfMessage`: the shared :data:`END_OF_MESSAGE`, or an
   instance carrying the trailers of a chunked body.

A message without a body yields its head and END_OF_MESSAGE in the same call;
pipelined messages all come out in order. Input may be split anywhere: a head
is only emitted once complete, body bytes as they arrive.

Errors are events too: malformed input (or a message cut short by
``feed_eof()``) makes the *last* event of the call a
:class:`~aiohttp.http_exceptions.BadHttpMessage` instance whose ``code`` is the
status a server should answer with (400; 414 request line too long; 431 header
field too long or too many headers; 501 unsupported transfer coding; 505
unsupported HTTP version). Events completed before it are kept. The parser is
then closed: later calls return ``[]``. ``feed_data`` never raises.

Upgrades: after a request with ``Connection: upgrade`` and ``Upgrade:
websocket``, a CONNECT request, a 101 response or a 2xx response to CONNECT,
the head is emitted without EndOfMessage, ``upgraded`` becomes true and every
later byte is passed through as ``bytes``.

Compressed bodies: with ``max_decoded_per_feed=N`` a call yields at most N
decoded body bytes; while ``output_pending`` is true the parser holds the rest
and parses nothing further until ``feed_data(b"")`` asks for the next part
(a server stops reading meanwhile, so a decompression bomb cannot make it
buffer without bound). The default (None) decodes everything at once.

Strictness follows RFC 9112 as llhttp's strict mode, h11 and nginx do (see
tests/test_http_parser.py for the full table); limits are checked as bytes
arrive, so a peer cannot make the parser buffer without bound.

The parsers themselves live in ``aiohttp._http_parser_py``; this module is
their public home. When the optional C accelerator ``aiohttp._http_head`` is
built (and ``AIOHTTP_NO_EXTENSIONS`` is not set), ``HttpRequestParser`` and
``HttpResponseParser`` are the subclasses of ``aiohttp._http_parser_accel``
that parse complete heads in C and give the same events; the pure classes
stay available as ``HttpRequestParserPy`` and ``HttpResponseParserPy``.
"""

from ._http_parser_accel import AVAILABLE as _ACCELERATED
from ._http_parser_accel import HttpRequestParserC, HttpResponseParserC
from ._http_parser_py import (
    HttpRequestParserPy,
    HttpResponseParserPy,
    RawRequestMessage,
    RawResponseMessage,
    RequestEvent,
    ResponseEvent,
)
from ._http_parser_semantics import (
    END_OF_CHUNK,
    END_OF_MESSAGE,
    EndOfChunk,
    EndOfMessage,
)

__all__ = (
    "END_OF_CHUNK",
    "END_OF_MESSAGE",
    "EndOfChunk",
    "EndOfMessage",
    "HttpRequestParser",
    "HttpRequestParserPy",
    "HttpResponseParser",
    "HttpResponseParserPy",
    "RawRequestMessage",
    "RawResponseMessage",
    "RequestEvent",
    "ResponseEvent",
)

# The public names of the parsers. aiohttp also exports the pure-Python
# classes under the *Py names, which stay for code that names them.
HttpRequestParser: type[HttpRequestParserPy]
HttpResponseParser: type[HttpResponseParserPy]
if _ACCELERATED:
    HttpRequestParser = HttpRequestParserC
    HttpResponseParser = HttpResponseParserC
else:
    HttpRequestParser = HttpRequestParserPy
    HttpResponseParser = HttpResponseParserPy
