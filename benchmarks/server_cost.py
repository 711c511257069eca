"""What the server spends per visitor: CPU-seconds per session under concurrent clients and
memory after every page, each against a bare Streamlit app measured in interleaved pairs.

Sessions are driven over Streamlit's websocket protocol as in ``benchmarks.load`` (which also
has the per-page latency table under load). Run:
``python -m benchmarks.server_cost [--sessions 20] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import websockets

from benchmarks.load import AREAS, _run_page, cpu_seconds, rss_bytes
from benchmarks.pairs import Ratios, interleaved
from tests.browser_support import running_server

# The measure: a visitor who reads Home, then Benchmarking.
CPU_PAGES = [("Home", ""), ("Benchmarking", "benchmarking")]
EVERY_PAGE = [
    ("Home", ""),
    ("Local profile", "local-profile"),
    ("Benchmarking", "benchmarking"),
    ("Governance", "governance"),
    ("Outcomes", "outcomes"),
    ("Map", "map"),
    ("Data", "data"),
]
# The bare app's one page, asked for as often as the app's pages are.
BARE = "benchmarks/bare_app.py"
MB = 1024 * 1024
ASSET = re.compile(r'(?:src|href)="\./((?:static|favicon)[^"]*)"')


def _page_load(url: str) -> None:
    """What a browser fetches before it opens the websocket: the page and its scripts, fonts
    and styles (Tornado serving these is part of a session's cost to the server, the same
    for the app and the bare page)."""
    with requests.Session() as http:
        html = http.get(f"{url}/", timeout=60).text
        for asset in sorted(set(ASSET.findall(html))):
            http.get(f"{url}/{asset}", timeout=60)


async def _visit(url: str, area: str, pages: list[tuple[str, str]]) -> list[str]:
    """One session loading the page, then visiting ``pages`` in turn; the errors it saw."""
    await asyncio.to_thread(_page_load, url)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        visits = [await _run_page(ws, area, label, name) for label, name in pages]
    return [f"{v.page}: {v.error}" for v in visits if v.error]


async def _burst(url: str, sessions: int, pages: list[tuple[str, str]]) -> list[str]:
    runs = [_visit(url, AREAS[i % len(AREAS)], pages) for i in range(sessions)]
    return [e for errors in await asyncio.gather(*runs) for e in errors]


@contextmanager
def server(script: str) -> Iterator[tuple[str, int]]:
    """A fresh server on a free port with its own temporary store; yields (url, pid)."""
    with tempfile.TemporaryDirectory(prefix="send-lens-cost-") as tmp:
        env = {
            "SEND_LENS_DATA_DIR": str(Path(tmp) / "data"),
            "SEND_LENS_CONFIG_DIR": str(Path(tmp) / "config"),
        }
        with open(Path(tmp) / "server.log", "w+") as log:
            with running_server(script, env=env, log=log, timeout=300) as (url, proc):
                yield url, proc.pid
            log.seek(0)
            if "Traceback" in (text := log.read()):
                print(f"  server log of {script}, from its first traceback:")
                print(text[text.index("Traceback") :][:3000])


def cpu_pairs(sessions: int, rounds: int) -> tuple[Ratios, list[str]]:
    """Server CPU-seconds per session, ``sessions`` at once visiting Home and Benchmarking,
    over the bare app's per session for the same number of page runs. Both servers are
    warmed by one session first (imports and shared caches are paid once per process)."""
    errors: list[str] = []
    with server("app.py") as (app_url, app_pid), server(BARE) as (bare_url, bare_pid):
        bare_pages = [("Bare", "")] * len(CPU_PAGES)
        errors += asyncio.run(_burst(app_url, 1, CPU_PAGES))
        errors += asyncio.run(_burst(bare_url, 1, bare_pages))

        def per_session(url: str, pid: int, pages: list[tuple[str, str]]) -> float:
            before = cpu_seconds(pid)
            errors.extend(asyncio.run(_burst(url, sessions, pages)))
            return (cpu_seconds(pid) - before) / sessions

        pairs = interleaved(
            lambda: per_session(app_url, app_pid, CPU_PAGES),
            lambda: per_session(bare_url, bare_pid, bare_pages),
            rounds,
        )
    return pairs, errors


def rss_after_every_page(script: str = "app.py") -> tuple[float, list[str]]:
    """MB the server holds after a fresh server's one session visited every page."""
    pages = EVERY_PAGE if script == "app.py" else [("Bare", "")]
    with server(script) as (url, pid):
        errors = asyncio.run(_burst(url, 1, pages))
        return rss_bytes(pid) / MB, errors


def rss_pairs(pairs: int) -> tuple[Ratios, list[str]]:
    errors: list[str] = []

    def measure(script: str) -> float:
        mb, errs = rss_after_every_page(script)
        errors.extend(errs)
        return mb

    return interleaved(lambda: measure("app.py"), lambda: measure(BARE), pairs), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpu, errors = cpu_pairs(args.sessions, args.rounds)
    print(f"server CPU per session (Home + Benchmarking), over bare: {cpu.describe('s')}")
    rss, rss_errors = rss_pairs(max(1, args.rounds // 2))
    print(f"server RSS after every page, over bare: {rss.describe('MB')}")
    for e in sorted(set(errors + rss_errors)):
        print(f"  error: {e}")


if __name__ == "__main__":
    main()
