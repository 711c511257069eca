"""SEND Lens's launcher: ``streamlit run serve.py``.

Streamlit finds ``app`` below (it reads this file without running it) and serves the router,
``app.py``, as ``streamlit run app.py`` would, with the same options, secrets and addresses.
What it adds: as the server starts, ``ui.server_start`` prepares what the first page needs
(imports, the store's handle, Home's rows, or the national build on a first start) while the
browser is still loading Streamlit's JavaScript, where before the server sat idle for about a
second and the first page then did all of it (benchmarks/README.md, "Launcher").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from ui.server_start import prepare_in_background


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    prepare_in_background()
    yield


app = st.App("app.py", lifespan=lifespan)
