"""Socket options for TCP transports."""

import asyncio
import socket
from contextlib import suppress

__all__ = ("tcp_keepalive", "tcp_nodelay")


def tcp_keepalive(transport: asyncio.BaseTransport) -> None:
    """Turn on TCP keep-alive probes so dead peers are noticed eventually."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)


def tcp_nodelay(transport: asyncio.BaseTransport, value: bool) -> None:
    """Set TCP_NODELAY: responses are written whole, so Nagle only adds delay."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    # The socket may already be closed by the time the option is set.
    with suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, value)
