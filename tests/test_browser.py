"""Open every page in a real headless Chromium: no exception shown, real figures on screen,
and a screenshot of each (axe-core runs on every page and tab in test_browser_a11y)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import wait_until_rendered

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# The default page lives at the root URL; others at their url_path.
PAGES = {
    "home": "",
    "local-profile": "local-profile",
    "benchmarking": "benchmarking",
    "data": "data",
    "governance": "governance",
    "outcomes": "outcomes",
    "map": "map",
    "reports": "reports",
}
AREA_FREE_PAGES = {"data"}  # about the area's uploads, not one LA's figures
AREAS = {
    "E08000032": "Bradford",
    "E06000063": "Cumberland",  # created in the 2023 Cumbria reorganisation
    "E06000065": "North Yorkshire",  # DfE publishes it under an older code
}


@pytest.fixture(scope="module")
def opened(browser):
    """One browser context for the module's page loads: each test still loads its address
    afresh in a new tab, but the HTTP cache and V8's code cache keep Streamlit's scripts
    between loads (a new context per load parsed and compiled them again: measured 15% of
    the CPU time of loading a page, browser and server together)."""
    b, url = browser
    context = b.new_context(viewport={"width": 1400, "height": 1000})
    yield context, url
    context.close()


def _open(opened, path: str):
    context, url = opened
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    wait_until_rendered(page)
    return page, errors


@pytest.mark.parametrize("area", list(AREAS))
@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_without_errors(opened, page_name, area):
    page, errors = _open(opened, f"{PAGES[page_name]}?area={area}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{page_name}-{area}.png"), full_page=True)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    if page_name not in AREA_FREE_PAGES:
        assert AREAS[area] in page.inner_text("h1")
    assert not errors, errors

    page.close()


def test_home_shows_published_figures(opened):
    page, _ = _open(opened, "?area=E08000032")
    text = page.inner_text("body")
    # England's EHC plans in January 2025 as published by DfE, shown beside the area's own.
    assert "England: 638,745" in text
    assert "January 2025" in text
    page.close()


def test_area_choice_is_kept_in_the_url(opened):
    page, _ = _open(opened, "?area=E06000065")
    assert "North Yorkshire" in page.inner_text("h1")
    page.get_by_role("link", name="Local profile").click()
    wait_until_rendered(page)
    assert "North Yorkshire" in page.inner_text("h1")
    assert "area=E06000065" in page.url
    page.close()


def test_upload_round_trip_in_the_browser(opened):
    """Choose a kind, upload the example KPI return, save it, and find it under Loaded data."""
    from tests.conftest import ROOT

    page, errors = _open(opened, "data")
    page.get_by_label("What are you uploading?").click()
    page.get_by_role("option", name="KPI return").first.click()
    wait_until_rendered(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        str(ROOT / "data/demo/demo_kpi_return.csv")
    )
    page.get_by_text("Read 120 rows").wait_for(timeout=60_000)
    page.get_by_role("button", name="Save to SEND Lens").click()
    page.get_by_text("Saved as version").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Loaded data").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "data-upload-saved.png"), full_page=True)
    # The dataset chooser names what was saved (tables are drawn on a canvas, not in the DOM).
    chooser = page.get_by_label("Dataset", exact=True)
    chooser.wait_for(timeout=30_000)
    assert chooser.input_value() == "demo_kpi_return (Local KPI return)"
    page.screenshot(path=str(ARTIFACTS / "data-upload-saved.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors
    page.close()


def test_data_register_lists_publisher_errors(opened):
    """The register tab has the publisher-errors section with its plain-English line."""
    page, errors = _open(opened, "data?area=E08000032")
    page.get_by_role("tab", name="Data register").click()
    page.get_by_text("Publisher errors set aside").wait_for(timeout=60_000)
    page.get_by_text("a council given its whole region's total").wait_for(timeout=30_000)
    wait_until_rendered(page)
    section = page.get_by_text("Publisher errors set aside")
    section.scroll_into_view_if_needed()
    # Two tables (national register, publisher errors); tables are drawn on a canvas.
    assert page.locator('[data-testid="stDataFrame"]').count() >= 2
    page.screenshot(path=str(ARTIFACTS / "data-register-publisher-errors.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0 and not errors
    page.close()


def test_local_profile_draws_a_tab_when_it_is_opened(opened):
    page, errors = _open(opened, "local-profile?area=E08000032")
    heading = "Where children and young people with EHC plans are educated"
    assert page.get_by_text(heading).count() == 0  # only the open tab is drawn
    page.get_by_role("tab", name="Where they are educated").click()
    page.get_by_text(heading).first.wait_for(timeout=30_000)
    wait_until_rendered(page)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    assert page.locator('[data-testid="stException"]').count() == 0 and not errors
    page.close()
