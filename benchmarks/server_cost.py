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
from tests.browser_support import LAUNCHER, launcher, running_server

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
def server(script: str, extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """A fresh server on a free port with its own temporary store; yields (url, pid)."""
    with tempfile.TemporaryDirectory(prefix="send-lens-cost-") as tmp:
        env = {
            "SEND_LENS_DATA_DIR": str(Path(tmp) / "data"),
            "SEND_LENS_CONFIG_DIR": str(Path(tmp) / "config"),
            **(extra_env or {}),
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
    with server(LAUNCHER) as (app_url, app_pid), server(BARE) as (bare_url, bare_pid):
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


async def _rss_by_page(
    url: str, pid: int, pages: list[tuple[str, str]], errors: list[str]
) -> list[tuple[str, float]]:
    """One session visiting ``pages`` in turn: the server's MB after the page load and after
    each page's run; the errors it saw go to ``errors``."""
    await asyncio.to_thread(_page_load, url)
    steps = [("(page load)", rss_bytes(pid) / MB)]
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        for label, name in pages:
            visit = await _run_page(ws, AREAS[0], label, name)
            if visit.error:
                errors.append(f"{visit.page}: {visit.error}")
            steps.append((label, rss_bytes(pid) / MB))
    return steps


def rss_by_page(
    script: str = LAUNCHER, env: dict[str, str] | None = None
) -> tuple[list[tuple[str, float]], list[str]]:
    """A fresh server's MB after its start and after each of one session's pages in turn (the
    last is the issue's measure: every page visited), and the errors the session saw.
    ``env`` is added to the server's (``SEND_LENS_WARM=0``, another checkout's PYTHONPATH)."""
    pages = [("Bare", "")] if script == BARE else EVERY_PAGE
    errors: list[str] = []
    with server(script, env) as (url, pid):
        started = rss_bytes(pid) / MB
        steps = asyncio.run(_rss_by_page(url, pid, pages, errors))
    return [("(started)", started), *steps], errors


def rss_after_every_page(script: str = LAUNCHER) -> tuple[float, list[str]]:
    """MB the server holds after a fresh server's one session visited every page."""
    steps, errors = rss_by_page(script)
    return steps[-1][1], errors


def rss_pairs(pairs: int) -> tuple[Ratios, list[str]]:
    errors: list[str] = []

    def measure(script: str) -> float:
        mb, errs = rss_after_every_page(script)
        errors.extend(errs)
        return mb

    return interleaved(lambda: measure(LAUNCHER), lambda: measure(BARE), pairs), errors


def print_by_page(name: str, steps: list[tuple[str, float]]) -> None:
    previous = 0.0
    print(f"  {name}:")
    for label, mb in steps:
        print(f"    {label:<16} {mb:6.0f} MB  {mb - previous:+6.0f}")
        previous = mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rss-only", action="store_true", help="skip the CPU pairs")
    parser.add_argument(
        "--by-page", action="store_true", help="print each RSS run's MB after every page"
    )
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="pair this checkout's RSS with another checkout's (e.g. a worktree of main) "
        "instead of the bare app",
    )
    args = parser.parse_args()
    errors: list[str] = []
    if not args.rss_only:
        cpu, errors = cpu_pairs(args.sessions, args.rounds)
        print(f"server CPU per session (Home + Benchmarking), over bare: {cpu.describe('s')}")
    if args.before:
        before = str(Path(args.before).resolve())
        older = f"{before}/{launcher(Path(before))}"
        sides = [(LAUNCHER, None), (older, {"PYTHONPATH": before})]
    else:
        sides = [(LAUNCHER, None), (BARE, None)]

    def measure(script: str, env: dict[str, str] | None) -> float:
        steps, errs = rss_by_page(script, env)
        errors.extend(errs)
        if args.by_page:
            print_by_page(script, steps)
        return steps[-1][1]

    rss = interleaved(
        lambda: measure(*sides[0]), lambda: measure(*sides[1]), max(1, args.rounds // 2)
    )
    print(f"server RSS after every page, over {sides[1][0]}: {rss.describe('MB')}")
    for e in sorted(set(errors)):
        print(f"  error: {e}")


if __name__ == "__main__":
    main()
