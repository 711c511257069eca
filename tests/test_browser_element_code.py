"""The chart's browser code is fetched half a second after Home is drawn, not while it draws, and the chart
page then draws its charts without fetching it again (``ui.element_code``)."""

from __future__ import annotations

import pytest

from tests.browser_support import wait_until_rendered
from ui.element_code import AFTER_DRAWN_MS, chunk_files

pytestmark = pytest.mark.browser

# When the page is first seen drawn (its run finished, no placeholder left), on the page's
# own clock (performance.now()).
FIRST_IDLE = """
window.firstIdle = null;
new MutationObserver(() => {
  if (window.firstIdle === null
      && document.querySelector('[data-test-script-state="notRunning"]')
      && !document.querySelector('[data-testid="stSkeleton"]')) {
    window.firstIdle = performance.now();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
FETCHED = """files => files.every(f => performance.getEntriesByType('resource')
  .some(e => e.name.endsWith('/' + f)))"""
STARTED = """file => performance.getEntriesByType('resource')
  .find(e => e.name.endsWith('/' + file)).startTime"""


TIMER_SLACK_MS = 20
# Safari has no requestIdleCallback: the loader falls back to a timer.
NO_IDLE_CALLBACK = "window.requestIdleCallback = undefined;"


@pytest.mark.parametrize("idle_callback", [True, False])
def test_chart_code_fetched_after_home_is_drawn_and_not_again_by_local_profile(
    browser, idle_callback
):
    chromium, url = browser
    files = list(chunk_files())
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(FIRST_IDLE)
        if not idle_callback:
            page.add_init_script(NO_IDLE_CALLBACK)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url.rsplit("/", 1)[-1]))
        page.goto(f"{url}/?area=E08000032", wait_until="domcontentloaded")
        wait_until_rendered(page)
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0  # Home: no chart
        page.wait_for_function(FETCHED, arg=files, timeout=30_000)
        first_idle = page.evaluate("window.firstIdle")
        assert first_idle is not None
        for file in files:
            # Chromium's timers may fire a millisecond or two early on the page's clock (CI:
            # 1.1 ms); started when drawn, without the delay, it is about 500 ms early.
            assert page.evaluate(STARTED, file) >= first_idle + AFTER_DRAWN_MS - TIMER_SLACK_MS, (
                file
            )

        asked.clear()
        page.get_by_role("link", name="Local profile", exact=True).click()
        page.get_by_role("heading", name="Local profile").first.wait_for()
        page.locator(".vega-embed svg").first.wait_for(timeout=30_000)
        wait_until_rendered(page)
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 4
        assert not [f for f in asked if f in files]
    finally:
        context.close()
