"""How heavy the whole-England ward map is, and how long it takes to draw, against one
LA's ward map measured in the same run.

Run: ``python -m benchmarks.map_payload [--repeat 3]``. Prints:

* the map JSON in bytes (what the browser is sent) and the time to build it in Python,
  for Bradford's 30 wards and England's 6,862;
* the time from the click that asks for each map to the map drawn in headless Chromium
  (screenshots of the map polled until they show the new map and stop changing), as a
  ratio: England / one LA;
* the bytes the server sent for a click on the drawn England map (selecting a ward), which
  must not resend the map;
* the time to build a map of the area's own data (the example tracker summed by home ward,
  built per session, never shared) as a ratio to the school census ward map.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np

from tests.browser_support import (
    CHROMIUM_ARGS,
    chromium_path,
    running_app,
    wait_until_rendered,
)

AREA = "E08000032"  # Bradford
DECK = '[data-testid="stDeckGlJsonChart"]'


def build_sizes() -> dict[str, tuple[int, float]]:
    """Map JSON bytes and Python build seconds (cold: nothing cached) for both maps."""
    from data_loaders.build import load_tidy
    from ui.map.build import build_map

    table = load_tidy()
    build_map(table, "ward", "school_ehc_pct", "", AREA, "la")  # warm the school and boundary reads
    out = {}
    for scope in ("la", "england"):
        start = time.perf_counter()
        result = build_map(table, "ward", "school_ehc_pct", "", AREA, scope)
        out[scope] = (len(result.spec.encode("utf-8")), time.perf_counter() - start)
    return out


def local_build_ratio(repeat: int = 5) -> tuple[float, float]:
    """Median seconds to sum the example tracker by ward and build its map, and the same for
    the school census ward map (the shared cache's work), both warm, in one run."""
    from pathlib import Path

    from analysis import record_measures as rm
    from data_loaders.build import load_tidy
    from geography import boundaries
    from ui.map.build import build_map
    from uploads.intake import read_upload

    path = Path(__file__).resolve().parent.parent / "data/demo/demo_ehc_tracker.csv"
    tracker = read_upload(path.read_bytes(), path.name, "ehc_tracker")
    table, measure = load_tidy(), "records:ehc_tracker:requests"
    wards = boundaries.wards(AREA)["ward_code"].tolist()

    def own() -> None:
        rows = rm.record_rows(tracker, measure, "ward", wards).rows
        build_map(rows, "ward", measure, "", AREA, ind=rm.MEASURES[measure].indicator)

    def census() -> None:
        build_map(table, "ward", "school_ehc_pct", "", AREA)

    times: dict[str, list[float]] = {"own": [], "census": []}
    for run in range(repeat + 1):
        for name, build in (("own", own), ("census", census)):
            start = time.perf_counter()
            build()
            if run:
                times[name].append(time.perf_counter() - start)
    return statistics.median(times["own"]), statistics.median(times["census"])


def _snapshot(page) -> np.ndarray:
    from PIL import Image

    box = page.locator(DECK).first.bounding_box()
    return np.asarray(
        Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB"), dtype=np.int16
    )


def _coloured(image: np.ndarray) -> float:
    return float(((image.max(axis=2) - image.min(axis=2)) > 40).mean())


def _unlike(image: np.ndarray, before: np.ndarray | None) -> bool:
    """The map's box changes height while the page settles (550 then 560 pixels), so a
    screenshot of another size is another picture, not an error."""
    if before is None or image.shape != before.shape:
        return True
    return bool(np.abs(image - before).mean() > 1.0)


def _same(image: np.ndarray, last: np.ndarray | None) -> bool:
    return last is not None and image.shape == last.shape and np.array_equal(image, last)


def time_to_draw(page, click_label: str, before: np.ndarray | None) -> float:
    """Seconds from clicking ``click_label`` to a drawn, settled map unlike ``before``: two
    looks 100 ms apart showing the same coloured picture, box size included."""
    start = time.perf_counter()
    page.get_by_text(click_label, exact=True).first.click()
    last, drawn_at = None, start
    while time.perf_counter() - start < 120:
        image = _snapshot(page) if page.locator(DECK).count() else None
        fresh = image is not None and _coloured(image) > 0.05 and _unlike(image, before)
        if fresh and _same(image, last):
            return drawn_at - start  # unchanged since the previous look: it had finished
        if fresh:
            drawn_at = time.perf_counter()
        last = image if fresh else None
        page.wait_for_timeout(100)
    raise RuntimeError(f"map after {click_label!r} never settled")


def _over_an_area(page) -> tuple[float, float]:
    """Move the mouse to a point of the map with an area under it (its tooltip shows)."""
    box = page.locator(DECK).first.bounding_box()
    for fy in (0.6, 0.5, 0.7, 0.4):
        for fx in (0.55, 0.5, 0.6, 0.45):
            x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
            page.mouse.move(x, y)
            page.wait_for_timeout(300)
            if (
                page.locator(".deck-tooltip").is_visible()
                and "Not shown" not in page.locator(".deck-tooltip").inner_text()
            ):
                return x, y
    raise RuntimeError("no ward with a value under the mouse")


def browser_run(repeat: int) -> tuple[list[float], list[float], list[int], list[int]]:
    from playwright.sync_api import sync_playwright

    la_times, england_times, england_bytes, click_bytes = [], [], [], []
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for run in range(repeat + 1):  # the first run warms the server's map cache
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            received = [0]

            def count(message, received=received) -> None:
                received[0] += len(message)

            page.on("websocket", lambda ws, count=count: ws.on("framereceived", count))
            page.goto(f"{url}/map?area={AREA}", wait_until="domcontentloaded")
            wait_until_rendered(page)
            page.locator(DECK).first.wait_for()
            schools = _snapshot(page)
            la = time_to_draw(page, "Wards", schools)
            wait_until_rendered(page)
            before_bytes = received[0]
            england = time_to_draw(page, "All of England", _snapshot(page))
            wait_until_rendered(page)
            sent_england = received[0] - before_bytes
            x, y = _over_an_area(page)
            before_click = received[0]
            page.mouse.click(x, y)
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
            wait_until_rendered(page)
            if run:
                la_times.append(la)
                england_times.append(england)
                england_bytes.append(sent_england)
                click_bytes.append(received[0] - before_click)
            page.close()
        browser.close()
    return la_times, england_times, england_bytes, click_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = build_sizes()
    for scope, label in (("la", "Bradford's wards"), ("england", "England's wards")):
        size, seconds = sizes[scope]
        print(f"{label}: map JSON {size / 1e6:.2f} MB, built in {seconds:.2f} s (cold)")
    print(f"payload ratio England / one LA: {sizes['england'][0] / sizes['la'][0]:.0f}")
    own, census = local_build_ratio()
    print(
        f"own data map (tracker by ward): built in {own:.2f} s; school census ward map {census:.2f} s; "
        f"ratio {own / census:.2f}"
    )
    la, england, sent, clicks = browser_run(args.repeat)
    la_m, eng_m = statistics.median(la), statistics.median(england)
    print(f"draw after click, one LA's wards: median {la_m:.2f} s over {len(la)} runs")
    print(
        f"draw after click, England's wards: median {eng_m:.2f} s over {len(england)} runs "
        f"({statistics.median(sent) / 1e6:.2f} MB over the websocket)"
    )
    print(f"ratio England / one LA: {eng_m / la_m:.2f}")
    print(
        f"bytes sent for a click on the drawn England map: median {statistics.median(clicks):,.0f} "
        f"(the map itself is {sizes['england'][0]:,} bytes; aim: well under)"
    )


if __name__ == "__main__":
    main()
