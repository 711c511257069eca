"""The chosen area's pages drawn ahead of a visit (``ui.warm_pages``): the same caches the
pages read, only public data, and never while a page is running."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import warm_pages

BRADFORD = "E08000032"


def test_a_first_visit_after_warming_builds_no_chart(national, monkeypatch):
    """Every chart the four pages draw on a first visit comes from what warming left in the
    shared cache: the warm views run the pages' own functions with the same keys."""
    from ui import visual
    from ui.data_page import views as data_page

    visual._public_spec.clear()
    data_page._national_register.clear()
    for view in warm_pages.views_of(BRADFORD):
        view()  # here, as in the thread, outside any page run (Streamlit's bare mode)

    built: list[str] = []
    real = visual.vega_lite_spec

    def counting(chart):
        built.append(chart.to_dict(validate=False).get("description", ""))
        return real(chart)

    monkeypatch.setattr(visual, "vega_lite_spec", counting)
    from ui.data_page import views as data_page

    registers: list[int] = []
    real_register = data_page.national_register
    monkeypatch.setattr(
        data_page, "national_register", lambda t: registers.append(1) or real_register(t)
    )
    # No import warming started by these runs either: its thread would outlive this test.
    monkeypatch.setenv(warm_pages.WARM_ENV, "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = BRADFORD
    at.run()
    drawn = {}
    for page in ("local_profile", "benchmarking", "governance", "outcomes", "data"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        drawn[page] = len(at.get("vega_lite_chart"))
    assert built == []
    assert registers == []  # the Data page's register of national sources, too
    # The pages did draw their charts (so the check above could have failed): Local
    # profile's first tab six, Governance three, Benchmarking's compare view and Outcomes'
    # national indicators one or more.
    assert drawn["local_profile"] == 6 and drawn["governance"] == 3
    assert drawn["benchmarking"] >= 1 and drawn["outcomes"] >= 1


@pytest.fixture
def fresh_queue(monkeypatch):
    monkeypatch.delenv(warm_pages.PAGES_ENV, raising=False)
    monkeypatch.delenv(warm_pages.WARM_ENV, raising=False)
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.0)
    monkeypatch.setattr(warm_pages, "_not_before", [0.0])
    monkeypatch.setattr(warm_pages, "_busy_seen", [-1000.0])
    monkeypatch.setattr(warm_pages, "_seen", set())
    monkeypatch.setattr(warm_pages, "_waiting", [])
    monkeypatch.setattr(warm_pages, "_worker", [])
    warmed: list[str] = []
    monkeypatch.setattr(warm_pages, "views_of", lambda area: [lambda: warmed.append(area)])
    return warmed


def _join_worker() -> None:
    for thread in [t for t in threading.enumerate() if t.name == warm_pages.THREAD_NAME]:
        thread.join(timeout=30)


def test_each_area_is_warmed_once_and_never_for_a_workshop(fresh_queue, monkeypatch):
    warm_pages.note(BRADFORD, workshop=False)
    warm_pages.note(BRADFORD, workshop=False)
    warm_pages.note("E06000051", workshop=True)  # Shropshire, in workshop mode
    warm_pages.note(None, workshop=False)
    warm_pages.note("E06000051", workshop=False)
    _join_worker()
    assert fresh_queue == [BRADFORD, "E06000051"]


def test_warming_is_bounded_and_can_be_turned_off(fresh_queue, monkeypatch):
    monkeypatch.setattr(warm_pages, "MAX_AREAS", 2)
    for area in ("E08000032", "E06000051", "E09000007"):
        warm_pages.note(area, workshop=False)
    _join_worker()
    assert fresh_queue == ["E08000032", "E06000051"]
    monkeypatch.setattr(warm_pages, "_seen", set())
    for env in (warm_pages.PAGES_ENV, warm_pages.WARM_ENV):
        monkeypatch.setenv(env, "0")
        warm_pages.note("E09000007", workshop=False)
        monkeypatch.delenv(env)
    _join_worker()
    assert fresh_queue == ["E08000032", "E06000051"]


def test_warming_waits_while_a_page_runs(monkeypatch):
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.0)
    monkeypatch.setattr(warm_pages, "_not_before", [0.0])
    monkeypatch.setattr(warm_pages, "_busy_seen", [-1000.0])
    order: list[str] = []
    release = threading.Event()

    def page() -> None:
        release.wait(timeout=30)
        order.append("page finished")

    def warming() -> None:
        warm_pages._when_idle()
        order.append("warmed")

    running = threading.Thread(target=page, name=warm_pages.SCRIPT_THREAD)
    running.start()
    waiting = threading.Thread(target=warming)
    waiting.start()
    release.set()
    running.join(timeout=30)
    waiting.join(timeout=30)
    assert order == ["page finished", "warmed"]


def test_a_busy_server_waits_for_a_longer_lull(monkeypatch):
    """Pages running side by side (many visitors) push the next step back by BUSY_QUIET_S;
    a lone visitor's run only by QUIET_S."""
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.0)
    monkeypatch.setattr(warm_pages, "BUSY_QUIET_S", 1000.0)
    monkeypatch.setattr(warm_pages, "_not_before", [0.0])
    monkeypatch.setattr(warm_pages, "_busy_seen", [-1000.0])
    monkeypatch.setattr(warm_pages, "_last_run_end", [0.0])
    assert warm_pages._wait_s() == 0.0  # idle, and never busy
    release = threading.Event()
    pages = [
        threading.Thread(target=release.wait, args=(30,), name=warm_pages.SCRIPT_THREAD)
        for _ in range(2)
    ]
    for page in pages:
        page.start()
    assert 0 < warm_pages._wait_s() < 1  # a poll while pages run
    release.set()
    for page in pages:
        page.join(timeout=30)
    assert warm_pages._wait_s() > 999  # then the long lull, as two ran at once
