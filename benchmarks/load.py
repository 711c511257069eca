"""Twenty people at once: page times under concurrent sessions against a lone session.

Starts the app on a free loopback port (a temporary store, so no one's data is touched) and
drives Streamlit's own websocket protocol (``/_stcore/stream``, protobuf ``BackMsg`` out,
``ForwardMsg`` in), as the browser does: one ``rerun_script`` per page, timed until the
server reports ``script_finished``. A websocket client costs the server exactly what a browser
tab does but leaves the two shared cores to the server, where 20 Chromium contexts would
measure themselves.

Each round is an interleaved pair: a lone session visits every page, then N sessions visit them
all at once (spread over a few areas). Ratios are p50/p95 under load over the lone median of the
same rounds. Server memory is read from ``/proc`` before the burst and while all N sessions are
still connected; server CPU-seconds per session likewise.

Run: ``python -m benchmarks.load [--sessions 20] [--rounds 2] [--timeout 900]``; add
``--py-spy FILE`` to sample the server with py-spy (``pip install py-spy``) for the whole run
and write its collapsed stacks to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser_support import LAUNCHER, running_server

# (label, url path) in the order a visitor clicks through; "" is the default page.
PAGES = [
    ("Home", ""),
    ("Local profile", "local-profile"),
    ("Benchmarking", "benchmarking"),
    ("Governance", "governance"),
    ("Map", "map"),
]
# Bradford, Leeds, Shropshire, Kent, Camden: big and small, metropolitan, county and London.
AREAS = ["E08000032", "E08000035", "E06000051", "E10000016", "E09000007"]
PAGE_TIMEOUT = 180.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Visit:
    page: str
    seconds: float
    error: str = ""


@dataclass
class SessionResult:
    visits: list[Visit] = field(default_factory=list)


def _rerun(area: str, page_name: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = f"area={area}"
    msg.rerun_script.page_name = page_name
    return msg.SerializeToString()


async def _run_page(ws, area: str, label: str, page_name: str) -> Visit:
    """Ask for one page and read messages until its script run has finished."""
    start = time.perf_counter()
    await ws.send(_rerun(area, page_name))
    error = ""
    while True:
        raw = await asyncio.wait_for(ws.recv(), PAGE_TIMEOUT)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception" and not error:
                error = f"{element.exception.type}: {element.exception.message}"[:200]
        elif kind == "page_not_found":
            error = error or f"page not found: {page_name!r}"
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # the app asked for a rerun (e.g. the area picker): wait for it
            if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                error = error or f"script finished with status {status}"
            return Visit(label, time.perf_counter() - start, error)


class Burst:
    """Sessions that stay connected until all have finished, so memory is read with all alive."""

    def __init__(self, sessions: int) -> None:
        self.waiting = sessions
        self.all_visited = asyncio.Event()
        self.release = asyncio.Event()

    def visited(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.all_visited.set()


async def _session(url: str, area: str, burst: Burst) -> SessionResult:
    result = SessionResult()
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
            for label, page_name in PAGES:
                try:
                    result.visits.append(await _run_page(ws, area, label, page_name))
                except (TimeoutError, websockets.ConnectionClosed) as exc:
                    result.visits.append(Visit(label, float("nan"), type(exc).__name__))
                    break
            burst.visited()
            await burst.release.wait()
    finally:
        if not burst.all_visited.is_set() and len(result.visits) < len(PAGES):
            burst.visited()
    return result


async def burst(url: str, sessions: int, pid: int) -> tuple[list[SessionResult], int, float]:
    """N sessions at once: their results, server RSS with all connected, server CPU-seconds."""
    state = Burst(sessions)
    cpu_before = cpu_seconds(pid)
    tasks = [
        asyncio.create_task(_session(url, AREAS[i % len(AREAS)], state)) for i in range(sessions)
    ]
    await state.all_visited.wait()
    peak, cpu = rss_bytes(pid), cpu_seconds(pid) - cpu_before
    state.release.set()
    return [await t for t in tasks], peak, cpu


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the line, so 12 and 13 after "(comm)".
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: with 20 values p95 is the 19th, an observed time."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


async def rounds(url: str, pid: int, sessions: int, count: int) -> dict:
    """Interleaved pairs: a lone session, then N at once, ``count`` times."""
    lone: dict[str, list[float]] = {label: [] for label, _ in PAGES}
    loaded: dict[str, list[float]] = {label: [] for label, _ in PAGES}
    errors: dict[str, list[str]] = {label: [] for label, _ in PAGES}
    # Warm-up: the first visit of a process pays imports and shared caches once, for everyone.
    (warm,), _, _ = await burst(url, 1, pid)
    first_visit = {v.page: v.seconds for v in warm.visits}
    rss_idle = rss_bytes(pid)
    peaks, cpus, lone_cpus = [], [], []
    for _ in range(count):
        (alone,), _, lone_cpu = await burst(url, 1, pid)
        lone_cpus.append(lone_cpu)
        for v in alone.visits:
            lone[v.page].append(v.seconds)
            if v.error:
                errors[v.page].append(v.error)
        before = rss_bytes(pid)
        results, peak, cpu = await burst(url, sessions, pid)
        peaks.append((before, peak))
        cpus.append(cpu / sessions)
        for result in results:
            for v in result.visits:
                if v.error:
                    errors[v.page].append(v.error)
                else:
                    loaded[v.page].append(v.seconds)
    return {
        "first_visit": first_visit,
        "lone": lone,
        "loaded": loaded,
        "errors": errors,
        "rss_idle": rss_idle,
        "peaks": peaks,
        "cpu_per_session": cpus,
        "lone_cpu": lone_cpus,
    }


def report(m: dict, sessions: int) -> str:
    mb = 1024 * 1024
    lines = [
        f"{'page':<14} {'first':>6} {'lone p50':>9} {'load p50':>9} {'load p95':>9} "
        f"{'p50/lone':>9} {'p95/lone':>9} {'errors':>6}"
    ]
    for label, _ in PAGES:
        lone = statistics.median(m["lone"][label]) if m["lone"][label] else float("nan")
        loaded = m["loaded"][label]
        p50 = statistics.median(loaded) if loaded else float("nan")
        p95 = percentile(loaded, 95) if loaded else float("nan")
        lines.append(
            f"{label:<14} {m['first_visit'].get(label, float('nan')):>5.2f}s {lone:>8.2f}s "
            f"{p50:>8.2f}s {p95:>8.2f}s {p50 / lone:>8.1f}x {p95 / lone:>8.1f}x "
            f"{len(m['errors'][label]):>6}"
        )
    for label, errs in m["errors"].items():
        for e in sorted(set(errs)):
            lines.append(f"  error on {label}: {e}")
    before, peak = max(m["peaks"], key=lambda p: p[1] - p[0])
    lines.append(
        f"server RSS: {m['rss_idle'] / mb:.0f} MB after one warm-up session; "
        f"{before / mb:.0f} MB before the burst, {peak / mb:.0f} MB with {sessions} connected: "
        f"{(peak - before) / mb / sessions:.1f} MB per extra session (worst round)"
    )
    lines.append(
        "server CPU per session (all five pages): "
        f"lone {statistics.median(m['lone_cpu']):.2f} s, "
        f"under load {statistics.median(m['cpu_per_session']):.2f} s (median of rounds)"
    )
    return "\n".join(lines)


def _start_py_spy(pid: int, out: str) -> subprocess.Popen:
    cmd = ["py-spy", "record", "-p", str(pid), "-o", out, "--format", "raw", "-r", "50"]
    return subprocess.Popen([*cmd, "--nonblocking"], stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="hard limit, seconds")
    parser.add_argument("--py-spy", metavar="FILE", help="sample the server into FILE")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 100:
        parser.error("--sessions must be between 1 and 100")
    with tempfile.TemporaryDirectory(prefix="send-lens-load-") as tmp:
        env = {
            "SEND_LENS_DATA_DIR": str(Path(tmp) / "data"),
            "SEND_LENS_CONFIG_DIR": str(Path(tmp) / "config"),
        }
        with open(Path(tmp) / "server.log", "w+") as log:
            with running_server(LAUNCHER, env=env, log=log) as (url, proc):
                spy = _start_py_spy(proc.pid, args.py_spy) if args.py_spy else None
                measure = rounds(url, proc.pid, args.sessions, args.rounds)
                try:
                    m = asyncio.run(asyncio.wait_for(measure, args.timeout))
                except TimeoutError:
                    raise SystemExit(
                        f"gave up after the hard limit of {args.timeout:.0f} s"
                    ) from None
                finally:
                    if spy:
                        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                        spy.wait(timeout=60)
            log.seek(0)
            tracebacks = log.read().count("Traceback")
    print(f"{args.sessions} sessions, {args.rounds} rounds, {os.cpu_count()} cores")
    print(report(m, args.sessions))
    print(f"tracebacks in the server log: {tracebacks}")


if __name__ == "__main__":
    main()
