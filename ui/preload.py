"""The browser's code for the first page's elements, named in the page itself so that the
browser fetches it while it loads Streamlit's own JavaScript.

Streamlit's frontend fetches an element's code (a JavaScript chunk and what that imports)
when the first such element arrives over the websocket. On a server's first page that was
34 files fetched after the page's run had begun, and the last of them came back 0.2-0.9 s
after the run had ended, the page's metrics and select boxes drawn only then (Chromium's
timeline of a start, benchmarks/README.md, "Warm start: Home's figures kept, the first page's
code fetched with the page"). ``PreloadChunks`` adds ``<link rel="modulepreload">`` for
them to the page's HTML, after Streamlit's own, so they are fetched behind the page's own
code; the browser then finds them in its module map when the elements arrive. Nothing drawn
changes; a Streamlit release whose chunks are named otherwise gets no links added.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The elements every page's first run draws (the sidebar's area picker and workshop button,
# the page's styles) and Home's tiles: what Chromium fetched after the websocket opened on a
# start at Home (2026-12-03, Streamlit 1.66).
FIRST_PAGE_ELEMENTS = ("Selectbox", "Button", "Html", "Metric")
STATIC = Path(streamlit.__file__).parent / "static"
_IMPORT = re.compile(r'from"\./([\w.-]+\.js)"')
_IN_PAGE = re.compile(r'(?:src|href)="\./static/js/([\w.-]+\.js)"')
# Headers that describe the file on disk, not the page as sent with the links.
_OF_THE_FILE = {b"content-length", b"etag", b"last-modified"}


def chunk_of(element: str, folder: Path) -> str | None:
    """The file of an element's chunk (``Metric.MSVuxtnf.js``), if exactly one is named so."""
    found = [p.name for p in folder.glob(f"{element}.*.js") if p.name.count(".") == 2]
    return found[0] if len(found) == 1 else None


def chunks_to_preload(static: Path = STATIC) -> list[str]:
    """The first page's chunks and everything they import, less what the page loads itself,
    in the order found."""
    folder = static / "static" / "js"
    try:
        in_page = set(_IN_PAGE.findall((static / "index.html").read_text(encoding="utf-8")))
    except OSError:
        return []
    todo = [name for element in FIRST_PAGE_ELEMENTS if (name := chunk_of(element, folder))]
    found: list[str] = []
    while todo:
        name = todo.pop(0)
        if name in found or name in in_page:
            continue
        try:
            text = (folder / name).read_text(encoding="utf-8")
        except OSError:
            continue
        found.append(name)
        todo += _IMPORT.findall(text)
    return found


@cache
def links() -> bytes:
    """The ``<link>`` elements for the page (empty if there is nothing to name)."""
    return "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{name}">'
        for name in chunks_to_preload()
    ).encode()


def with_links(page: bytes, extra: bytes) -> bytes:
    """The page with ``extra`` at the end of its head (unchanged if it has no head)."""
    return page.replace(b"</head>", extra + b"</head>", 1)


def _is_page(message: Message) -> bool:
    headers = dict(message.get("headers", []))
    return message["status"] == 200 and headers.get(b"content-type", b"").startswith(b"text/html")


class PreloadChunks:
    """ASGI middleware (``serve.py``): every HTML page sent (Streamlit serves the same one at
    each page's address) gets ``links()``; other responses, and a page answered 304 or in
    part, pass unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = links() if scope["type"] == "http" else b""
        if not extra:
            await self.app(scope, receive, send)
            return
        start: list[Message] = []
        body: list[bytes] = []

        async def send_page(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_page(message):
                start.append(message)  # sent with the body, whose length changes
                return
            if not start or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = with_links(b"".join(body), extra)
            headers = [(k, v) for k, v in start[0]["headers"] if k.lower() not in _OF_THE_FILE]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start[0], "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_page)
