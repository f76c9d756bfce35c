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

Two implementations sit behind the same contract: the pure-Python parsers
(``HttpRequestParserPy``, ``HttpResponseParserPy``) and the accelerated ones
of ``aiohttp._http_parser_accel`` (they need the optional ``httptools``
package), which tokenize complete heads with llhttp and otherwise run the pure
parsers' code. Both give the same events for every input. The accelerated
ones measured no faster on typical requests (benchmarks/PROFILE.md,
"Accelerated parser"), so ``HttpRequestParser`` and ``HttpResponseParser``
name the pure classes unless ``ACCELERATE`` is switched on, and always when
the environment variable ``AIOHTTP_NO_EXTENSIONS`` is set to a non-empty
value (aiohttp's own switch).
"""

import os
from typing import TYPE_CHECKING, Final

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
    "ACCELERATE",
    "END_OF_MESSAGE",
    "NO_EXTENSIONS",
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

# aiohttp's own switch: any non-empty value selects the pure-Python parsers.
NO_EXTENSIONS: Final = bool(os.environ.get("AIOHTTP_NO_EXTENSIONS"))
# Whether the accelerated parsers are the default when httptools is installed.
# Off: they measured no faster end to end (benchmarks/PROFILE.md, "Accelerated
# parser"); the test suite runs both, so turning this on is a one-line change.
ACCELERATE: Final = False


def _parser_classes(
    accelerate: bool, no_extensions: bool
) -> tuple[type[HttpRequestParserPy], type[HttpResponseParserPy]]:
    """The accelerated parser classes when wanted and usable, else the pure ones."""
    if accelerate and not no_extensions:
        try:
            from ._http_parser_accel import (
                HttpRequestParserAccel,
                HttpResponseParserAccel,
            )
        except ImportError:  # httptools is not installed
            pass
        else:
            return HttpRequestParserAccel, HttpResponseParserAccel
    return HttpRequestParserPy, HttpResponseParserPy


if TYPE_CHECKING:  # the accelerated classes are subclasses of these
    HttpRequestParser = HttpRequestParserPy
    HttpResponseParser = HttpResponseParserPy
else:
    HttpRequestParser, HttpResponseParser = _parser_classes(ACCELERATE, NO_EXTENSIONS)
