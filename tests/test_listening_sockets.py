"""``TCP_NODELAY`` on the server's connections (``ui.listening_sockets``), through the real
path: a socket bound by Streamlit's own function, accepted by asyncio as uvicorn does."""

from __future__ import annotations

import asyncio
import socket
import sys

import pytest

from ui import listening_sockets

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux's /proc and TCP")


def _streamlit_listener() -> socket.socket:
    from streamlit.web.server.starlette import starlette_server

    return starlette_server._bind_socket("127.0.0.1", 0, 8)


def _accepted_no_delay(listener: socket.socket) -> int:
    """TCP_NODELAY on the server's side of a connection asyncio accepts from ``listener``."""

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    return asyncio.run(accept_one())


def test_connections_to_streamlit_s_socket_keep_nagle_unless_the_listener_says_otherwise():
    plain, fixed = _streamlit_listener(), _streamlit_listener()
    client = socket.create_connection(plain.getsockname())  # a connected socket: left alone
    try:
        assert listening_sockets.send_without_delay() >= 2  # both listeners (and any others)
        assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        plain.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)  # as Streamlit leaves it
        assert _accepted_no_delay(plain) == 0
        assert _accepted_no_delay(fixed) == 1
    finally:
        client.close()


def test_the_listener_stays_open_and_serves():
    listener = _streamlit_listener()
    listening_sockets.send_without_delay()
    assert listener.fileno() != -1
    assert _accepted_no_delay(listener) == 1  # it still accepts: the descriptor was not closed


def test_nothing_is_changed_where_descriptors_cannot_be_listed(monkeypatch):
    listener = _streamlit_listener()
    monkeypatch.setattr(listening_sockets, "OPEN_FILES", "/no/such/folder")
    assert listening_sockets.send_without_delay() == 0
    assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0


def test_the_launcher_sets_it_before_its_preparation(monkeypatch):
    import serve

    calls: list[str] = []
    monkeypatch.setattr(serve, "send_without_delay", lambda: calls.append("no delay") or 1)
    monkeypatch.setattr(serve, "prepare_in_background", lambda: calls.append("prepare"))

    async def serving() -> None:
        async with serve.lifespan(serve.app):
            calls.append("serving")

    asyncio.run(serving())
    assert calls == ["no delay", "prepare", "serving"]
