"""Responses sent at once: ``TCP_NODELAY`` on the server's listening sockets.

Streamlit (1.67, which serves through uvicorn) binds its listening socket itself, as
``socket.socket(family)``, whose protocol number is 0, and hands it to uvicorn. asyncio turns
Nagle's algorithm off on an accepted connection only when the socket reports
``IPPROTO_TCP``, so on these connections it never does: each response's last small write
then waited for the browser to acknowledge the one before, which Linux delays up to 40 ms.
Every request after the first on a keep-alive connection took 40 ms against 1 ms on a new
one (measured 2026-12-04; the same flaw in uvicorn's own pre-bound sockets is
Kludex/uvicorn#3149), and a browser loads Streamlit's ~100 script files over six such
connections. Linux copies ``TCP_NODELAY`` from a listening socket to every connection it
accepts, so setting it once on the listener is enough.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)
OPEN_FILES = "/proc/self/fd"  # Linux: the process's open file descriptors


def send_without_delay() -> int:
    """Set ``TCP_NODELAY`` on each TCP socket of this process that is listening; return how
    many. Where the process's descriptors cannot be listed (not Linux), nothing is changed."""
    try:
        descriptors = [int(name) for name in os.listdir(OPEN_FILES)]
    except OSError:
        return 0
    changed = 0
    for fd in descriptors:
        try:
            # A view of the descriptor, not a copy: detached below, so never closed here.
            sock = socket.socket(fileno=fd)
        except OSError:  # not a socket, or closed meanwhile
            continue
        try:
            if _is_tcp_listener(sock):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                changed += 1
        except OSError:
            log.debug("could not set TCP_NODELAY on descriptor %s", fd, exc_info=True)
        finally:
            sock.detach()
    return changed


def _is_tcp_listener(sock: socket.socket) -> bool:
    return (
        sock.family in (socket.AF_INET, socket.AF_INET6)
        and sock.type == socket.SOCK_STREAM
        and bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    )
