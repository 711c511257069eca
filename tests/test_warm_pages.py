"""The chosen area's pages drawn ahead of a visit (``ui.warm_pages``): the same caches the
pages read, only public data, and never while a page is running."""

from __future__ import annotations

import threading
import time

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
    from ui.map import views as map_views

    visual._public_spec.clear()
    data_page._national_register.clear()
    map_views.map_payload.clear()
    for view in warm_pages.views_of(BRADFORD):
        view()  # here, as in the thread, outside any page run (Streamlit's bare mode)

    built: list[str] = []
    real = visual.vega_lite_spec

    def counting(chart):
        built.append(chart.to_dict(validate=False).get("description", ""))
        return real(chart)

    monkeypatch.setattr(visual, "vega_lite_spec", counting)
    from ui.data_page import views as data_page

    maps: list[str] = []
    real_build = map_views.build_map
    monkeypatch.setattr(
        map_views, "build_map", lambda *a, **k: maps.append(a[1]) or real_build(*a, **k)
    )
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
    for page in ("local_profile", "benchmarking", "governance", "outcomes", "map", "data"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        drawn[page] = len(at.get("vega_lite_chart"))
        if page == "map":
            drawn["map"] = len(at.get("deck_gl_json_chart"))
    assert built == []
    assert registers == []  # the Data page's register of national sources, too
    assert maps == []  # and the Map's opening map (its schools, each widget's first choice)
    assert drawn["map"] == 1
    # The pages did draw their charts (so the check above could have failed): Local
    # profile's first tab four, Governance three, Benchmarking's compare view and Outcomes'
    # national indicators one or more.
    assert drawn["local_profile"] == 4 and drawn["governance"] == 3
    assert drawn["benchmarking"] >= 1 and drawn["outcomes"] >= 1


def _specs_built_by_local_profile(monkeypatch) -> list[str]:
    """The charts Local profile's first visit builds (not found in the shared cache)."""
    from ui import visual

    built: list[str] = []
    real = visual.vega_lite_spec
    monkeypatch.setattr(
        visual, "vega_lite_spec", lambda chart: built.append(chart.description) or real(chart)
    )
    monkeypatch.setenv(warm_pages.WARM_ENV, "0")  # no warming thread from these runs
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = BRADFORD
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 4
    return built


@pytest.fixture
def no_run_ended(monkeypatch):
    """A process whose first page run has not ended: ``note`` below then marks one."""
    monkeypatch.delenv(warm_pages.PAGES_ENV, raising=False)
    monkeypatch.delenv(warm_pages.WARM_ENV, raising=False)
    monkeypatch.setattr(warm_pages, "_first_run_ended", threading.Event())
    monkeypatch.setattr(warm_pages, "_last_run_end", [0.0])
    monkeypatch.setattr(warm_pages, "_not_before", [0.0])
    monkeypatch.setattr(warm_pages, "_busy_seen", [-1000.0])
    monkeypatch.setattr(warm_pages, "_seen", set())
    monkeypatch.setattr(warm_pages, "_waiting", [])
    monkeypatch.setattr(warm_pages, "_worker", [])
    monkeypatch.setattr(warm_pages, "_ahead", [])
    monkeypatch.setattr(warm_pages, "_drawn_ahead", set())


def test_local_profile_drawn_ahead_builds_every_opening_chart(national, no_run_ended, monkeypatch):
    from ui import visual

    visual._public_spec.clear()
    ahead = threading.Thread(target=warm_pages.next_page_now, args=(BRADFORD, False))
    ahead.start()  # in a thread of its own, outside any page run, as the launcher's
    warm_pages.note(BRADFORD, workshop=True)  # a first run ends (workshop: no warming queued)
    ahead.join(120)
    assert not ahead.is_alive()
    assert _specs_built_by_local_profile(monkeypatch) == []


def test_the_pages_are_drawn_ahead_only_once_the_first_run_has_ended(no_run_ended, monkeypatch):
    """Before the first page's run has ended the browser is still loading Streamlit's code on
    the same cores, and just after it, drawing the page: the draw-ahead would delay Home. Then
    Local profile's views, and the other pages' after them, each after a quiet spell."""
    from ui.profile import views as profile

    drawn: list[tuple[str, float]] = []

    def view(name: str):
        return lambda: drawn.append((name, time.monotonic()))

    local_profile = [view("local profile")]
    monkeypatch.setattr(profile, "how_many_views", lambda area: local_profile)
    monkeypatch.setattr(
        warm_pages, "views_of", lambda area: [*local_profile, view("benchmarking"), view("map")]
    )
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.3)
    ahead = threading.Thread(target=warm_pages.next_page_now, args=(BRADFORD, False))
    ahead.start()
    time.sleep(0.3)  # ui.profile.views is imported already: without the wait it draws at once
    assert drawn == [] and ahead.is_alive()
    ended = time.monotonic()
    warm_pages.note(BRADFORD, workshop=True)
    ahead.join(10)
    assert [name for name, _ in drawn] == ["local profile", "benchmarking", "map"]
    # Not while the browser draws the page whose run just ended: QUIET_S after it.
    assert drawn[0][1] - ended >= 0.3
    # A page run meanwhile: the next view waits for QUIET_S after it.
    drawn.clear()
    monkeypatch.setattr(warm_pages, "_first_run_ended", threading.Event())
    runs = iter([True, False])  # a run ends while the first view is drawn

    def view_then_run(name: str):
        def draw() -> None:
            drawn.append((name, time.monotonic()))
            if next(runs):
                warm_pages.note(BRADFORD, workshop=True)

        return draw

    local_profile[:] = [view_then_run("local profile")]
    monkeypatch.setattr(
        warm_pages, "views_of", lambda area: [*local_profile, view_then_run("benchmarking")]
    )
    warm_pages.note(BRADFORD, workshop=True)
    time.sleep(0.3)  # quiet already: the first view is drawn at once
    warm_pages.next_page_now(BRADFORD, False)
    assert [name for name, _ in drawn] == ["local profile", "benchmarking"]
    assert drawn[1][1] - drawn[0][1] >= 0.3
    # No run ends in time: nothing is drawn, and the thread does not wait for ever.
    drawn.clear()
    monkeypatch.setattr(warm_pages, "_first_run_ended", threading.Event())
    warm_pages.next_page_now(BRADFORD, False, wait_s=0.05)
    assert drawn == []
    # So that the warming after a later run draws them.
    assert BRADFORD not in warm_pages._seen and BRADFORD not in warm_pages._drawn_ahead


@pytest.mark.parametrize("first_run_ends_first", [False, True])
def test_the_draw_ahead_is_the_areas_only_pass(no_run_ended, monkeypatch, first_run_ends_first):
    """The launcher's draw-ahead and the warming queued by the first run both went through
    the first area's views at the same time. Now only the launcher's thread draws them,
    whether it takes the area before that run ends or after the run has queued it; an area
    another session names is warmed as before; the import warming waits for the draw-ahead."""
    drawn: list[tuple[str, str]] = []
    release = threading.Event()

    def views(area: str):
        def first() -> None:
            release.wait(10)
            drawn.append((area, threading.current_thread().name))

        return [first, lambda: drawn.append((area, threading.current_thread().name))]

    monkeypatch.setattr(warm_pages, "_local_profile_first", views)
    monkeypatch.setattr(warm_pages, "views_of", views)
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.0)
    ahead = threading.Thread(target=warm_pages.next_page_now, args=(BRADFORD, False), name="ahead")
    if first_run_ends_first:  # the warming queues Bradford, and waits out its first delay
        warm_pages.note(BRADFORD, workshop=False, first_delay=0.3)
        ahead.start()
    else:
        ahead.start()
        time.sleep(0.2)
        warm_pages.note(BRADFORD, workshop=False, first_delay=0.3)
    warm_pages.note("E08000035", workshop=False)  # Leeds, in another session
    waited = threading.Thread(target=warm_pages.until_pages_warmed)
    waited.start()
    time.sleep(0.6)
    assert waited.is_alive()  # the draw-ahead is under way
    release.set()
    ahead.join(10)
    _join_worker()
    waited.join(10)
    assert not waited.is_alive()
    assert [d for d in drawn if d[0] == BRADFORD] == [(BRADFORD, "ahead"), (BRADFORD, "ahead")]
    assert [d for d in drawn if d[0] != BRADFORD] == [("E08000035", warm_pages.THREAD_NAME)] * 2
    assert warm_pages._worker == []  # the warming thread said it was ending, under the lock


@pytest.mark.parametrize("workshop, env", [(True, None), (False, "SEND_LENS_WARM_PAGES")])
def test_nothing_is_drawn_ahead_for_a_workshop_or_with_warming_off(
    national, monkeypatch, workshop, env
):
    from ui import visual

    visual._public_spec.clear()
    monkeypatch.delenv(warm_pages.PAGES_ENV, raising=False)
    monkeypatch.delenv(warm_pages.WARM_ENV, raising=False)
    if env:
        monkeypatch.setenv(env, "0")
    warm_pages.next_page_now(BRADFORD, workshop)
    built = _specs_built_by_local_profile(monkeypatch)
    assert len(built) == 4, built  # the page built its four charts itself


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
        warm_pages.when_idle()
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


@pytest.fixture
def idle_rule(monkeypatch):
    """The idle rule with no quiet period or first delay: only running pages count."""
    monkeypatch.setattr(warm_pages, "QUIET_S", 0.0)
    monkeypatch.setattr(warm_pages, "_not_before", [0.0])
    monkeypatch.setattr(warm_pages, "_busy_seen", [-1000.0])
    monkeypatch.setattr(warm_pages, "_stalled", [None])
    warm_pages.checkpoint_imports()


def _fresh_module(tmp_path, monkeypatch, name: str, body: str = "") -> str:
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def _page_using_cpu(order: list[str], seconds: float) -> threading.Thread:
    """A page run (Streamlit's thread name) that computes for ``seconds`` of its own CPU."""

    def run() -> None:
        start = time.thread_time()
        while time.thread_time() - start < seconds:
            pass
        order.append("page finished")

    return threading.Thread(target=run, name=warm_pages.SCRIPT_THREAD)


@pytest.mark.skipif(warm_pages._pages_cpu() is None, reason="no per-thread CPU (Linux only)")
def test_a_warming_thread_waits_before_each_import_while_a_page_computes(
    idle_rule, tmp_path, monkeypatch
):
    """Inside a step, not only between steps: the import statement itself waits."""
    monkeypatch.setattr(warm_pages, "STALL_S", 30.0)  # a loaded machine may not run the page
    name = _fresh_module(tmp_path, monkeypatch, "warm_pages_fresh_a")
    order: list[str] = []
    page = _page_using_cpu(order, 0.3)

    def warming() -> None:
        __import__(name)
        order.append("imported")

    page.start()
    importer = threading.Thread(target=warming, name=warm_pages.THREAD_NAME)
    importer.start()
    page.join(timeout=60)
    importer.join(timeout=60)
    assert order == ["page finished", "imported"]
    # Any other thread imports at once, page or not (the hook looks at warming threads only).
    other: list[str] = []
    page = _page_using_cpu(other, 0.5)
    page.start()
    __import__(_fresh_module(tmp_path, monkeypatch, "warm_pages_fresh_b"))
    other.append("imported")
    page.join(timeout=60)
    assert other == ["imported", "page finished"]


@pytest.mark.skipif(warm_pages._pages_cpu() is None, reason="no per-thread CPU (Linux only)")
def test_a_page_waiting_on_what_the_warming_holds_is_not_kept_waiting(
    idle_rule, tmp_path, monkeypatch
):
    """A page blocked on a lock the warming step holds (a cache's compute lock, an import's
    module lock) uses no CPU: the step goes on and lets go, rather than both waiting."""
    held = threading.Lock()
    holding = threading.Event()
    order: list[str] = []
    first = _fresh_module(tmp_path, monkeypatch, "warm_pages_fresh_c")
    second = _fresh_module(tmp_path, monkeypatch, "warm_pages_fresh_d")

    def page() -> None:
        holding.wait(timeout=30)
        with held:
            order.append("page finished")

    def warming() -> None:
        with held:
            holding.set()
            while not any(t.name == warm_pages.SCRIPT_THREAD for t in threading.enumerate()):
                time.sleep(0.001)
            __import__(first)
            __import__(second)  # the page still waits: no second stall to sit out
            order.append("imported")

    running = threading.Thread(target=page, name=warm_pages.SCRIPT_THREAD)
    importer = threading.Thread(target=warming, name=warm_pages.THREAD_NAME)
    running.start()
    importer.start()
    importer.join(timeout=60)
    running.join(timeout=60)
    assert order == ["imported", "page finished"]
    assert warm_pages._stalled[0] is not None  # it went on because the page had stalled


def test_governance_is_warmed_a_measure_at_a_time(national, monkeypatch):
    """Each step before the last fills one measure's figures, so the scorecard the section
    then builds compares nothing itself (the section in one step was 0.65-1.3 s of CPU)."""
    from analysis import benchmark
    from ui.comparison import data
    from ui.governance import views as governance

    for cached in (data.periods, data.comparison, data.trend_result, governance.scorecard):
        cached.clear()
    steps = governance.national_steps(BRADFORD)
    assert len(steps) == len(governance._measures()) + 1 > 10
    for step in steps[:-1]:
        step()
    computed: list[str] = []
    for name in ("compare", "trend"):
        real = getattr(benchmark, name)
        monkeypatch.setattr(
            benchmark, name, lambda *a, real=real, name=name: computed.append(name) or real(*a)
        )
    label, codes = governance.comparators(BRADFORD)
    card = governance.scorecard(BRADFORD, tuple(codes), label)
    assert computed == []
    assert len(card) > 10  # Bradford has figures for most measures
