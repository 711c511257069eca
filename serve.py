"""SEND Lens's launcher: ``streamlit run serve.py``.

Streamlit finds ``app`` below (it reads this file without running it) and serves the router,
``app.py``, as ``streamlit run app.py`` would, with the same options, secrets and addresses.
What it adds: as the server starts, ``ui.server_start`` prepares what the first page needs
(imports, the store's handle, Home's rows, or the national build on a first start), and when
the first address asked for is Home's, that area's figures, while the browser is still
loading Streamlit's JavaScript: before, the server sat idle for that second or two and the
first page then did all of it (benchmarks/README.md, "Launcher"). And it turns Nagle's
algorithm off on the server's connections, which Streamlit's own server leaves on
(``ui.listening_sockets``): a browser's requests after its first on a connection each waited
40 ms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.listening_sockets import send_without_delay
from ui.server_start import first_address, prepare_in_background


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    send_without_delay()  # before uvicorn accepts its first connection
    prepare_in_background()
    yield


class FirstAddress:
    """Passes each HTTP request's address to ``ui.server_start.first_address`` (which acts on
    the first only) and the request on, unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            first_address(scope["path"], scope.get("query_string", b""))
        await self.app(scope, receive, send)


app = st.App("app.py", lifespan=lifespan, middleware=[Middleware(FirstAddress)])
