"""The Cohorts page in a real headless Chromium: the example loaded with one click, and no
count from 1 to 7 anywhere in the page, in any table cell or chart tooltip data, and axe-core
finds no serious or critical failure with the example's figures on the page."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import READY, running_app, serious_findings

pytestmark = pytest.mark.browser
SMALL = re.compile(r"^[1-7]$")


@pytest.fixture(scope="module")
def app(national, chromium, tmp_path_factory):
    """The app with a store of its own, so the example loaded here reaches no other test."""
    data_dir = str(tmp_path_factory.mktemp("cohorts_store"))
    with running_app(env={"SEND_LENS_DATA_DIR": data_dir}) as url:
        yield chromium, url


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=120_000)


def test_cohorts_page_with_the_example_hides_small_counts(app):
    browser, url = app
    page = browser.new_page(viewport={"width": 1400, "height": 5000})
    page.goto(f"{url}/cohorts?area=E08000032", wait_until="domcontentloaded")
    _settle(page)
    page.get_by_role("button", name="Load the example data (synthetic)").click()
    page.get_by_text("The board's ten").wait_for(timeout=120_000)
    _settle(page)
    # The UpSet bars as a table too (the sidebar's switch), so both views are in the page once.
    # Waited for by the table itself: the rerun the choice starts may not have begun after a
    # fixed pause.
    tables = '[data-testid="stDataFrame"], [data-testid="stTable"]'
    before = page.locator(tables).count()
    page.get_by_text("Show charts and maps as tables").click()
    page.wait_for_function(
        "([css, n]) => document.querySelectorAll(css).length > n", arg=[tables, before]
    )
    _settle(page)
    page.get_by_text("Records for data-quality work").click()
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    text = page.locator("body").inner_text()
    assert "Example data (synthetic)" in text
    assert "Data-linking can only be as good as the source data" in text
    cells = page.evaluate(
        """() => [...document.querySelectorAll('td, th, [role="gridcell"], [role="cell"]')]
            .map(e => e.textContent.trim())"""
    )
    assert len(cells) > 50  # the tables' cells are in the DOM for screen readers
    assert not [c for c in cells if SMALL.match(c.replace(",", ""))]
    # Nor anywhere in the page's text as a number standing alone (the rule's own words apart).
    rule = r"1 to 7|nearest 5|fewer than \d+"
    words = re.findall(r"(?<![\w.,%-])\d+(?![\w.,%])", re.sub(rule, "", text, flags=re.I))
    assert not [w for w in words if SMALL.match(w)], sorted(set(words))[:40]
    # Clean by design: one page title, sections under headings, every chart with a table view.
    assert page.locator("h1").count() == 1
    headings = page.locator("h2").all_inner_texts()
    for section in ("How the cohorts overlap", "The board's ten", "How good the linking was"):
        assert any(section in h for h in headings), headings
    # With the example's figures, tables and records on the page: axe finds nothing serious.
    found = serious_findings(page, "Cohorts with the example")
    assert not found, "\n".join(found)
    page.close()
