"""User-supplied names in a real headless Chromium: a dataset, locality or sheet name made of
Markdown or HTML (an image, a link, an <img>) is shown as the characters typed, and the
browser fetches nothing and shows no link for it, on the Data, Governance and Map pages and
in the map's HTML tooltip."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.browser_support import choose_when_offered, running_app, wait_until_rendered
from tests.test_plain_text import save_upload

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data/demo"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DECK = '[data-testid="stDeckGlJsonChart"]'
BEACON = "127.0.0.1:59999"  # nothing listens here; a request for it is the failure
IMAGE = f"![t](http://{BEACON}/beacon-md.png)"
LINK = f"[click](http://{BEACON}/phish)"
TAG = f"<img src=http://{BEACON}/beacon-html.png>"
# The localities of the example lookup, renamed to the payloads (the KPI return names them too).
RENAMED = {
    "Example locality A": f"A {IMAGE}",
    "Example locality B": f"B {LINK}",
    "Example locality C": f"C {TAG}",
}
TRACKER_NAME = f"Tracker {IMAGE} {TAG}"
LOOKUP_NAME = f"Lookup {LINK} *bold* `code` $x$ :red[red]"


def _renamed(file_name: str) -> pd.DataFrame:
    frame = pd.read_csv(DEMO / file_name, dtype=str, keep_default_na=False)
    for column in ("locality", "area_code"):
        if column in frame:
            frame[column] = frame[column].replace(RENAMED)
    return frame


@pytest.fixture(scope="module")
def app(national, chromium, tmp_path_factory):
    """The app with its own store holding datasets and localities named with the payloads."""
    data_dir = str(tmp_path_factory.mktemp("plain_text_store"))
    before = os.environ.get("SEND_LENS_DATA_DIR")
    os.environ["SEND_LENS_DATA_DIR"] = data_dir
    try:
        save_upload(
            "locality_lookup", LOOKUP_NAME, _renamed("demo_locality_lookup.csv"), "lookup.csv"
        )
        save_upload("kpi_return", f"KPIs {LINK}", _renamed("demo_kpi_return_areas.csv"), "kpis.csv")
        tracker = pd.read_csv(DEMO / "demo_ehc_tracker.csv", dtype=str, keep_default_na=False)
        save_upload("ehc_tracker", TRACKER_NAME, tracker, "tracker.csv")
        with running_app(env={"SEND_LENS_DATA_DIR": data_dir}) as url:
            yield chromium, url
    finally:
        if before is None:
            os.environ.pop("SEND_LENS_DATA_DIR", None)
        else:
            os.environ["SEND_LENS_DATA_DIR"] = before


class Visit:
    def __init__(self, app, path: str):
        browser, self.url = app
        self.page = browser.new_page(viewport={"width": 1400, "height": 1600})
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(f"{self.url}/{path}", wait_until="domcontentloaded")
        wait_until_rendered(self.page)

    def assert_nothing_fetched_or_linked(self, name: str) -> None:
        self.page.wait_for_timeout(500)  # an <img> starts loading as soon as it is in the DOM
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"plain-text-{name}.png"), full_page=True)
        fetched = [u for u in self.requests if BEACON in u]
        assert not fetched, fetched
        found = self.page.evaluate(
            """(beacon) => [...document.querySelectorAll('img, a, image, iframe, source')]
                .filter(e => (e.getAttribute('src') || e.getAttribute('href') || '')
                    .includes(beacon))
                .map(e => e.parentElement.parentElement.outerHTML.slice(0, 400))""",
            BEACON,
        )
        assert not found, found
        assert self.page.locator('[data-testid="stException"]').count() == 0

    def text(self) -> str:
        # ui.plain puts invisible word joiners in addresses so they are not made links.
        return self.page.locator("body").inner_text().replace("\u2060", "").replace("\xa0", " ")


def test_dataset_names_on_the_governance_page_are_plain_text(app):
    visit = Visit(app, "governance?area=E08000032")
    try:
        visit.page.get_by_text("Tracker ![t]", exact=False).first.wait_for(timeout=60_000)
        text = visit.text()
        # Shown exactly as typed: the brackets, the bang and the tag are all there.
        assert TRACKER_NAME in text, text[:3000]
        assert f"KPIs {LINK}" in text
        visit.assert_nothing_fetched_or_linked("governance")
    finally:
        visit.page.close()


def test_dataset_names_on_the_data_page_are_plain_text(app):
    visit = Visit(app, "data?area=E08000032")
    try:
        visit.page.get_by_text("Loaded data", exact=False).first.click()
        wait_until_rendered(visit.page)
        visit.assert_nothing_fetched_or_linked("data")
    finally:
        visit.page.close()


def test_locality_names_on_the_map_and_in_its_tooltip_are_plain_text(app):
    visit = Visit(app, "map?area=E08000032")
    page = visit.page
    try:
        own = page.get_by_text("Map your own data", exact=True)
        if own.count():
            own.first.click()
            wait_until_rendered(page)
        page.get_by_text("Your localities", exact=True).first.click()
        wait_until_rendered(page)
        choose_when_offered(page, "Indicator", "Children seen within 18 weeks (your data)")
        wait_until_rendered(page)
        text = visit.text()
        assert "not in your lookup" not in text  # the KPI return found the renamed localities
        # The details of a chosen locality name it in Markdown (bold): shown as typed.
        area = page.get_by_role("combobox", name="Area")
        area.click()
        page.get_by_role("option", name=RENAMED["Example locality A"]).click()
        wait_until_rendered(page)
        # The rerun the choice starts may not have begun when the page first reads as idle:
        # wait (up to a minute) for the name, as typed, to be on the page.
        page.wait_for_function(
            "(name) => document.body.innerText.replaceAll('\\u2060', '').includes(name)",
            arg=RENAMED["Example locality A"],
            timeout=60_000,
        )
        assert RENAMED["Example locality A"] in visit.text()
        # The tooltip is an HTML template: hover until one shows, then read it.
        page.locator(DECK).first.locator("canvas").first.wait_for(timeout=60_000)
        deck = page.locator(DECK).first.bounding_box()
        seen: set[str] = set()
        for fy in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            for fx in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
                page.mouse.move(deck["x"] + deck["width"] * fx, deck["y"] + deck["height"] * fy)
                page.wait_for_timeout(150)
                tip = page.locator(".deck-tooltip")
                if tip.count() and tip.is_visible():
                    seen.add(tip.inner_text().split("\n")[0])
                    if tip.locator("img, a").count():
                        raise AssertionError(f"HTML in the tooltip: {tip.inner_html()}")
        # Names are shown as typed: no entity left over from escaping twice.
        assert seen and seen <= {*RENAMED.values(), "Example locality D", "Example locality E"}
        assert seen & set(RENAMED.values()), seen
        visit.assert_nothing_fetched_or_linked("map")
    finally:
        page.close()
