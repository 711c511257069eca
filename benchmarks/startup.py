"""Time from starting the app to the home page fully drawn in Chromium, against a bare
Streamlit page measured in interleaved pairs, and the time to switch to every page.

Run: ``python -m benchmarks.startup [--repeat 3] [--cold]``. Prints ratios: these machines
are noisy, so only numbers measured side by side in one run are compared.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.pairs import Ratios, interleaved
from tests.browser_support import (
    CHROMIUM_ARGS,
    LAUNCHER,
    ROOT,
    chromium_path,
    running_app,
    wait_until_rendered,
)

AREA = "E08000032"  # Bradford
HOME_READY = "England: 638,745"  # a Home figure, drawn only once the national table is read
# Every page in the sidebar's order, and how its heading starts; Home last, a second visit.
APP_PAGES = [
    ("Local profile", "Local profile"),
    ("Benchmarking", "Benchmarking"),
    ("Governance and assurance", "Governance and assurance"),
    ("Outcomes", "Outcomes"),
    ("Map", "Map"),
    ("Data", "Data"),
    ("Home", "SEND in"),
]
BARE_PAGES = [("Second", "Second bare page"), ("First", "First bare page")]


def time_to_render(
    browser,
    script: str,
    path: str,
    ready_text: str,
    env: dict[str, str] | None = None,
    tree: Path = ROOT,
) -> float:
    """Seconds from launching ``streamlit run`` (in the checkout ``tree``) to ``ready_text`` on
    a fully drawn page."""
    start = time.perf_counter()
    env = {"PYTHONPATH": str(tree), **(env or {})} if tree != ROOT else env
    with running_app(script, env=env, timeout=300, cwd=tree) as url:
        page = browser.new_page()
        page.goto(f"{url}/{path}", wait_until="domcontentloaded")
        page.get_by_text(ready_text).first.wait_for(timeout=300_000)
        wait_until_rendered(page, timeout_ms=300_000)
        elapsed = time.perf_counter() - start
        page.close()
    return elapsed


def start_pairs(browser, pairs: int, cold: bool) -> Ratios:
    """App start to Home drawn over bare start to drawn, interleaved. ``cold``: each app
    start gets an empty cache folder, so it builds the national table and derived frames."""

    def app() -> float:
        if not cold:
            return time_to_render(browser, LAUNCHER, f"?area={AREA}", HOME_READY)
        with tempfile.TemporaryDirectory(prefix="send-lens-cold-") as tmp:
            env = {"SEND_LENS_CACHE_DIR": tmp}
            return time_to_render(browser, LAUNCHER, f"?area={AREA}", HOME_READY, env)

    def bare() -> float:
        return time_to_render(browser, "benchmarks/bare_app.py", "", "Nothing else.")

    return interleaved(app, bare, pairs)


# Every chart on the page drawn: a Vega-Lite chart's element is on the page (and the run may
# have ended) before its code has arrived and drawn it, on a page's first chart especially.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .every(chart => chart.querySelector('svg, canvas'))"""


def _switch(page, link: str, heading: str) -> float:
    shown = page.evaluate("() => document.querySelector('h1')?.innerText ?? ''")
    if shown.startswith(heading):  # the click would change nothing: no switch to time
        raise ValueError(f"already on {heading!r}: clicking {link!r} is not a page switch")
    start = time.perf_counter()
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_function(
        "h => { const e = document.querySelector('h1'); return e && e.innerText.startsWith(h); }",
        arg=heading,
        timeout=120_000,
    )
    wait_until_rendered(page, timeout_ms=120_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000)
    return time.perf_counter() - start


def switch_pairs(browser, rounds: int) -> tuple[Ratios, list[str]]:
    """Each switch to an app page (first visits included, in one session) paired with a
    switch between two bare pages made straight after it. Returns the pairs and the page
    names in the order timed."""
    with (
        running_app(LAUNCHER) as app_url,
        running_app("benchmarks/bare_pages.py") as bare_url,
    ):
        app = browser.new_page(viewport={"width": 1400, "height": 1000})
        app.goto(f"{app_url}/?area={AREA}", wait_until="domcontentloaded")
        app.get_by_text(HOME_READY).first.wait_for(timeout=120_000)
        wait_until_rendered(app)
        bare = browser.new_page(viewport={"width": 1400, "height": 1000})
        bare.goto(bare_url, wait_until="domcontentloaded")
        wait_until_rendered(bare)
        app_times, bare_times, names = [], [], []
        for _ in range(rounds):
            for link, heading in APP_PAGES:
                app_times.append(_switch(app, link, heading))
                names.append(link)
                # Alternating over every switch, not over each round's pages: seven pages
                # a round left the bare page on the page the next round first asked for.
                bare_times.append(_switch(bare, *BARE_PAGES[len(bare_times) % 2]))
        app.close()
        bare.close()
    return Ratios(app_times, bare_times), names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time starts with no cache")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        # Warm the national data cache once so the warm pairs measure a normal start.
        time_to_render(browser, LAUNCHER, f"?area={AREA}", HOME_READY)
        warm = start_pairs(browser, args.repeat, cold=False)
        cold = start_pairs(browser, args.repeat, cold=True) if args.cold else None
        switches, names = switch_pairs(browser, max(1, args.repeat // 2))
        browser.close()
    print(f"start to Home drawn, warm cache, over bare: {warm.describe()}")
    if cold:
        print(f"start to Home drawn, cold cache, over bare: {cold.describe()}")
    print(f"page switch over bare: {switches.describe()}")
    for name, t, r in zip(names, switches.a, switches.ratios, strict=True):
        print(f"  {name:<26} {t:5.2f} s  {r:5.1f}x bare")
    print(f"page switch median {statistics.median(switches.a):.2f} s, max {max(switches.a):.2f} s")


if __name__ == "__main__":
    main()
