"""The first page's element code named in the page (``ui.preload``): the right chunks found in
Streamlit's build, and the page's HTML the only response the launcher changes."""

from __future__ import annotations

import asyncio
import re

from ui import preload


def _static(tmp_path, page_files, chunks):
    """A stand-in for Streamlit's static folder: an index.html loading ``page_files`` and the
    chunks, each importing the files listed for it."""
    js = tmp_path / "static" / "js"
    js.mkdir(parents=True)
    links = "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{f}">' for f in page_files
    )
    (tmp_path / "index.html").write_text(f"<html><head>{links}</head><body></body></html>")
    for name, imports in chunks.items():
        (js / name).write_text("".join(f'import{{a}}from"./{i}";' for i in imports))
    return tmp_path


def test_each_element_s_chunk_and_what_it_imports_less_the_page_s_own(tmp_path):
    static = _static(
        tmp_path,
        ["react.A1.js"],
        {
            "Metric.M1.js": ["react.A1.js", "numbro.N1.js"],
            "numbro.N1.js": ["sprintf.S1.js"],
            "sprintf.S1.js": [],
            "Selectbox.B1.js": ["numbro.N1.js"],
            "Html.H1.js": [],
            "Button.C1.js": [],
            "Button.C2.js": [],  # two files so named: which is meant is unknown, so neither
            "Unused.U1.js": [],
        },
    )
    assert preload.chunk_of("Button", static / "static" / "js") is None
    assert preload.chunks_to_preload(static) == [
        "Selectbox.B1.js",
        "Html.H1.js",
        "Metric.M1.js",
        "numbro.N1.js",
        "sprintf.S1.js",
    ]
    assert preload.chunks_to_preload(tmp_path / "nowhere") == []


def test_streamlit_s_build_has_every_chunk_named_and_the_list_is_whole():
    # A Streamlit release that renames an element's chunk fails here rather than silently
    # giving the first page its chunks late again.
    folder = preload.STATIC / "static" / "js"
    for element in preload.FIRST_PAGE_ELEMENTS:
        assert preload.chunk_of(element, folder), element
    found = preload.chunks_to_preload()
    page = (preload.STATIC / "index.html").read_text(encoding="utf-8")
    in_page = set(re.findall(r'(?:src|href)="\./static/js/([\w.-]+\.js)"', page))
    assert found and not set(found) & in_page
    for name in found:  # everything a listed chunk imports is listed or loaded by the page
        imports = set(re.findall(r'from"\./([\w.-]+\.js)"', (folder / name).read_text()))
        assert imports <= set(found) | in_page, name
    assert preload.links().count(b'rel="modulepreload"') == len(found)


def _through(messages, extra=b"<link x>"):
    """What ``PreloadChunks`` sends for a response made of ``messages``."""
    sent = []

    async def app(scope, receive, send):
        for message in messages:
            await send(message)

    async def send(message):
        sent.append(message)

    async def run():
        original = preload.links
        preload.links = lambda: extra  # type: ignore[assignment]
        try:
            await preload.PreloadChunks(app)({"type": "http"}, None, send)
        finally:
            preload.links = original  # type: ignore[assignment]

    asyncio.run(run())
    return sent


def _start(status, content_type):
    headers = [
        (b"content-type", content_type),
        (b"content-length", b"40"),
        (b"etag", b'"abc"'),
        (b"cache-control", b"no-cache"),
    ]
    return {"type": "http.response.start", "status": status, "headers": headers}


def test_the_page_gets_the_links_at_the_end_of_its_head():
    page = [
        _start(200, b"text/html; charset=utf-8"),
        {"type": "http.response.body", "body": b"<html><head><title>", "more_body": True},
        {"type": "http.response.body", "body": b"x</title></head><body></body></html>"},
    ]
    start, body = _through(page)
    assert body["body"] == b"<html><head><title>x</title><link x></head><body></body></html>"
    headers = dict(start["headers"])
    assert headers[b"content-length"] == str(len(body["body"])).encode()
    assert b"etag" not in headers  # it named the file, not what is sent
    assert headers[b"cache-control"] == b"no-cache" and start["status"] == 200


def test_other_responses_pass_unchanged():
    script = [_start(200, b"application/javascript"), {"type": "http.response.body", "body": b"x"}]
    assert _through(script) == script
    not_modified = [_start(304, b"text/html"), {"type": "http.response.body", "body": b""}]
    assert _through(not_modified) == not_modified
    page = [_start(200, b"text/html"), {"type": "http.response.body", "body": b"<head></head>"}]
    assert _through(page, extra=b"") == page  # nothing to name: not even buffered
