"""Time from starting the app to the home page fully drawn in Chromium, against a bare
Streamlit page measured in the same run, and the time to switch pages.

Run: ``python -m benchmarks.startup [--repeat 3]``. Prints ratios: these machines are
noisy, so only numbers measured side by side in one run are compared.
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.browser_support import CHROMIUM_ARGS, chromium_path, running_app, wait_until_rendered


def time_to_render(browser, script: str, path: str, ready_text: str) -> float:
    start = time.perf_counter()
    with running_app(script) as url:
        page = browser.new_page()
        page.goto(f"{url}/{path}", wait_until="domcontentloaded")
        wait_until_rendered(page)
        page.get_by_text(ready_text).first.wait_for()
        elapsed = time.perf_counter() - start
        page.close()
    return elapsed


def page_switch_times(browser, repeats: int) -> list[float]:
    times = []
    with running_app("app.py") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?area=E08000032", wait_until="domcontentloaded")
        wait_until_rendered(page)
        for _ in range(repeats):
            for link, heading in (("Local profile", "Local profile"), ("Home", "SEND in")):
                start = time.perf_counter()
                page.get_by_role("link", name=link).click()
                page.wait_for_function(
                    "h => document.querySelector('h1') && document.querySelector('h1').innerText.startsWith(h)",
                    arg=heading,
                )
                wait_until_rendered(page)
                times.append(time.perf_counter() - start)
        page.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        # Warm the national data cache once so both sides measure a normal start.
        time_to_render(browser, "app.py", "?area=E08000032", "England: 638,745")
        bare, app = [], []
        for _ in range(args.repeat):
            bare.append(time_to_render(browser, "benchmarks/bare_app.py", "", "Nothing else."))
            app.append(time_to_render(browser, "app.py", "?area=E08000032", "England: 638,745"))
        switches = page_switch_times(browser, args.repeat)
        browser.close()
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare page start to render: median {b:.2f} s over {len(bare)} runs")
    print(f"SEND Lens home start to render: median {a:.2f} s over {len(app)} runs")
    print(f"ratio SEND Lens / bare: {a / b:.2f} (aim: within 2x)")
    print(
        f"page switch: median {statistics.median(switches):.2f} s, max {max(switches):.2f} s "
        f"over {len(switches)} switches (aim: under 1 s)"
    )


if __name__ == "__main__":
    main()
