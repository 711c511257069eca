"""What each kind of element costs Chromium when a page is switched to: the renderer's
main-thread time (Chromium's own timeline), for a page of N copies of one kind, against the
same switch to a page with a title only, in one run.

Page switches are mostly the browser's work once the server's caches are warm
(benchmarks/README.md, "Page switches"): this says which elements that work is made of, so a
page's cost can be read off what it draws. Run: ``python -m benchmarks.element_costs
[--copies 6] [--rounds 5]``. Main-thread time, not wall time, because it moves less with the
machine's load; the kinds are timed round-robin, so load falls on all of them alike.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import tempfile
from pathlib import Path

from benchmarks.element_page import KINDS
from tests.browser_support import CHROMIUM_ARGS, chromium_path, running_app, wait_until_rendered

AREA = "E08000032"  # Bradford
TIMELINE = ["devtools.timeline", "disabled-by-default-devtools.timeline"]


def trend_spec() -> dict:
    """Local profile's 'share of pupils with an EHC plan' chart for Bradford, as the page
    sends it (area, region and England over ten years)."""
    from ui import charts
    from ui.profile import views
    from ui.visual import vega_lite_spec

    frame, _ = views._trend_frames("sen_ehc_pct", AREA)
    return vega_lite_spec(charts.trend_chart(frame, y_title="Per cent").properties(description="x"))


def main_thread_ms(trace: Path) -> float:
    """Milliseconds the renderer's main thread was busy over a trace."""
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    return (
        sum(
            e.get("dur", 0)
            for e in events
            if e.get("name") == "RunTask" and e.get("ph") == "X" and (e["pid"], e["tid"]) in main
        )
        / 1000
    )


def _switch(page, link: str, heading: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_function(
        "h => { const e = document.querySelector('h1'); return e && e.innerText.startsWith(h); }",
        arg=heading,
    )
    wait_until_rendered(page)


def measure(copies: int, rounds: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="send-lens-elements-") as tmp:
        kind_file, spec_file, trace = (Path(tmp) / n for n in ("kind", "spec", "trace.json"))
        spec_file.write_bytes(pickle.dumps(trend_spec()))
        times: dict[str, list[float]] = {kind: [] for kind in KINDS}
        env = {"SEND_LENS_ELEMENT_FILE": str(kind_file)}
        with (
            sync_playwright() as p,
            running_app("benchmarks/element_page.py", env=env) as url,
        ):
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            wait_until_rendered(page)
            for round_ in range(rounds + 1):  # the first round loads each kind's code
                for kind in KINDS:
                    kind_file.write_text(f"{kind}\t{copies}\t{spec_file}")
                    browser.start_tracing(page=page, path=str(trace), categories=TIMELINE)
                    _switch(page, "Elements", "Element page")
                    browser.stop_tracing()
                    if round_:
                        times[kind].append(main_thread_ms(trace))
                    _switch(page, "Bare", "Bare page")
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = measure(args.copies, args.rounds)
    base = statistics.median(times["title only"])
    print(f"switch to a page with a title only: {base:.0f} ms of the main thread (median)")
    print(f"| element ({args.copies} on a page) | ms each | x the title-only switch, each |")
    print("|---|---|---|")
    for kind, ms in times.items():
        if kind == "title only":
            continue
        each = (statistics.median(ms) - base) / args.copies
        print(f"| {kind} | {each:.1f} | {each / base:.2f} |")


if __name__ == "__main__":
    main()
