"""Every benchmark in one run, as interleaved pairs, and the issue's goals table.

Run: ``python -m benchmarks [--quick]`` (``--quick``: two pairs each, one cold start; a few
minutes). ``--only NAME ...`` runs some measures only. Each measure is timed as pairs (A, B,
A, B ...) within this run and reported as the median and range of the pairs' ratios: the
machine is shared, so absolute seconds from different runs are not compared. Nothing here is
a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.pairs import Ratios


@dataclass
class Row:
    measure: str
    today: str  # the figure in the issue (issue 14), before this work
    goal: str
    measured: str = "not run"
    met: str = ""


def _ratio_row(row: Row, pairs: Ratios, limit: float, unit: str = "s") -> None:
    row.measured = pairs.describe(unit)
    row.met = "met" if pairs.median <= limit else "NOT met"


def run_startup(rows: dict[str, Row], n: int, cold_n: int, switch: bool = True) -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks import startup
    from tests.browser_support import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            # One start first, so the warm pairs find the national cache built.
            startup.time_to_render(
                browser, startup.LAUNCHER, f"?area={startup.AREA}", startup.HOME_READY
            )
            _ratio_row(rows["warm"], startup.start_pairs(browser, n, cold=False), 1.5)
            if cold_n:
                _ratio_row(rows["cold"], startup.start_pairs(browser, cold_n, cold=True), 2.5)
        finally:
            browser.close()
    if switch:
        run_switch(rows, n)


def run_switch(rows: dict[str, Row], n: int) -> None:
    """Every page switch in one session, each paired with a bare switch (``--only switch``
    times these alone, without the start pairs)."""
    from playwright.sync_api import sync_playwright

    from benchmarks import startup
    from tests.browser_support import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            switches, names = startup.switch_pairs(browser, max(1, n // 2))
        finally:
            browser.close()
    for name, t, r in zip(names, switches.a, switches.ratios, strict=True):
        print(f"  switch to {name:<26} {t:5.2f} s  {r:5.1f}x bare", flush=True)
    seconds = statistics.median(switches.a)
    slowest = max(zip(switches.a, names, strict=True))
    rows["switch"].measured = (
        f"median {seconds:.2f} s, slowest {slowest[0]:.2f} s ({slowest[1]}); " + switches.describe()
    )
    rows["switch"].met = "met" if seconds < 0.6 and switches.median <= 4 else "NOT met"


def run_upload(rows: dict[str, Row], n: int) -> None:
    from benchmarks import uploads

    uploads.benchmark_env()
    pairs, _ = uploads.upload_pairs(uploads.cohort_xlsx(100_000), n)
    _ratio_row(rows["upload"], pairs, 1.3)


def run_server(rows: dict[str, Row], n: int, rss_n: int) -> None:
    from benchmarks import server_cost

    cpu, errors = server_cost.cpu_pairs(20, n)
    _ratio_row(rows["cpu"], cpu, 2.0)
    rss, rss_errors = server_cost.rss_pairs(rss_n)
    mb = statistics.median(rss.a)
    rows[
        "rss"
    ].measured = f"{mb:.0f} MB (range {min(rss.a):.0f}-{max(rss.a):.0f}); {rss.describe('MB')}"
    rows["rss"].met = "met" if mb <= 300 else "NOT met"
    for e in sorted(set(errors + rss_errors)):
        print(f"  server error: {e}")


def run_map(rows: dict[str, Row], n: int) -> None:
    from benchmarks import map_payload

    la, england, _, _ = map_payload.browser_run(n)
    pairs = Ratios(england, la)
    rows["map"].measured = pairs.describe()
    rows["map"].met = "-"


def run_headlines(rows: dict[str, Row], n: int) -> None:
    from benchmarks import headlines

    warm = headlines.warm_pairs(n)
    rows["headlines"].measured = warm.describe()
    rows["headlines"].met = "-"


def goal_rows() -> dict[str, Row]:
    return {
        "warm": Row("start to Home drawn, warm cache (app / bare)", "1.63x", "<= 1.5x"),
        "cold": Row("start to Home drawn, cold cache (app / bare)", "4.95x", "<= 2.5x"),
        "switch": Row(
            "page switch, every page incl. first visit (app / bare)",
            "0.53-2.78 s",
            "< 0.6 s, <= 4x",
        ),
        "upload": Row("read_upload 100k rows / calamine parse", "1.66x", "<= 1.3x"),
        "cpu": Row("server CPU per session, Home + Benchmarking, 20 at once", "5x", "<= 2x"),
        "rss": Row("server RSS after every page", "436 MB", "<= 300 MB"),
        "map": Row("map draw after click, England / one LA (no goal)", "1.14x", "-"),
        "headlines": Row("Home headline lookups, before / after NationalTable", "456x", "-"),
    }


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | today | goal | measured (median ratio, range) | |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.measure} | {r.today} | {r.goal} | {r.measured} | {r.met} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two pairs each, one cold start")
    parser.add_argument("--pairs", type=int, help="pairs per measure (default 5, quick 2)")
    parser.add_argument(
        "--only", nargs="+", choices=["startup", "switch", "upload", "server", "map", "headlines"]
    )
    parser.add_argument(
        "--no-switch", action="store_true", help="startup: time the starts only, not switches"
    )
    parser.add_argument(
        "--no-cold", action="store_true", help="startup: skip the cold-cache starts"
    )
    args = parser.parse_args()
    n = args.pairs or (2 if args.quick else 5)
    rows = goal_rows()
    steps: dict[str, Callable[[], None]] = {
        "startup": lambda: run_startup(
            rows, n, 0 if args.no_cold else 1 if args.quick else 3, not args.no_switch
        ),
        "switch": lambda: run_switch(rows, n),
        "upload": lambda: run_upload(rows, n),
        "server": lambda: run_server(rows, n, 1 if args.quick else 2),
        "map": lambda: run_map(rows, n),
        "headlines": lambda: run_headlines(rows, n),
    }
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    for name, step in steps.items():
        if args.only and name not in args.only:
            continue
        if name == "switch" and (not args.only or "startup" in args.only):
            continue  # the start-up step times the switches too
        print(f"running {name} ...", flush=True)
        try:
            step()
        except Exception:  # one broken benchmark must not lose the others' figures
            traceback.print_exc()
            for key in STEP_ROWS[name]:
                if rows[key].measured == "not run":
                    rows[key].measured = "failed (see the traceback above)"
    print(
        f"\n{os.cpu_count()} cores; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end; {time.perf_counter() - started:.0f} s in all\n"
    )
    print(table(list(rows.values())))


STEP_ROWS = {
    "startup": ("warm", "cold", "switch"),
    "switch": ("switch",),
    "upload": ("upload",),
    "server": ("cpu", "rss"),
    "map": ("map",),
    "headlines": ("headlines",),
}


if __name__ == "__main__":
    main()
