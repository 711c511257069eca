"""The chosen area's pages drawn ahead of a visit, from published data only, while the server
is otherwise idle.

A page's first visit for an area pays for work that every later visit finds cached: the trend
and breakdown frames, the headline figures, Governance's scorecard, Benchmarking's
comparisons, and each chart's Vega-Lite spec with its one schema validation in the process
(Local profile 1.1 s of server time on a first visit against 0.05-0.1 s on a second,
Governance 0.6 s against 0.06 s; cProfile, 2026-12-03). Once a page run has named an area, a
background thread runs the opening views of Local profile, Benchmarking, Governance,
Outcomes and the Map for it, so that a reader who goes on from Home finds them as a second visit does.

How it stays honest and harmless:
- Only views of published national data run, and they are the pages' own functions, called
  with nothing from any session but the area's code: the same functions fill the same
  process-wide caches as a visit would (a view run outside a page is Streamlit's "bare mode":
  its elements go nowhere and its widgets return their defaults, which is what a first visit
  shows). Nothing about a visitor, and nothing of an area's own data, is read or kept.
- It gives way to visitors: before each view it waits until no page is running and none
  has finished in the last ``QUIET_S`` seconds (the browser is then still drawing, on this
  machine on the same two cores), or ``BUSY_QUIET_S`` after pages last ran side by side
  (a busy server), so it runs in time nobody is waiting on. Within a view (and within
  ``ui.warm``'s imports) it waits before each module it imports while a page runs
  (``checkpoint_imports``): a page run that starts meanwhile no longer shares the GIL with
  a whole view or package (Local profile's first visit had run 0.77 s for 0.22 s of CPU at
  the benchmark's click pace, 2026-12-03). A page that waits on what the view holds (the
  module's import lock, a cache's compute lock) stops using CPU, and the view then goes on
  (``STALL_S``) rather than wait for a page that waits for it. Governance's section is
  warmed a measure at a time for the same reason.
- Workshop mode draws its charts another way (uncached), so nothing is warmed for it.
  ``SEND_LENS_WARM=0`` turns this off with the import warming, ``SEND_LENS_WARM_PAGES=0``
  this alone (the tests do: a thread filling shared caches would race tests that patch the
  national table).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)
THREAD_NAME = "send-lens-warm-pages"
WARM_ENV, PAGES_ENV = "SEND_LENS_WARM", "SEND_LENS_WARM_PAGES"
# Streamlit names the thread of every page run so; it ends when the run does.
SCRIPT_THREAD = "ScriptRunner.scriptThread"
# After a page run the browser draws for another 0.2-0.5 s (benchmarks/README.md, "Page
# switches"), on a laptop in local mode on the same cores as this thread: a view is not
# begun until the server has been idle this long.
QUIET_S = 0.5
# A server running several pages at once is busy with many visitors, whose visits fill the
# same caches anyway: there the warming waits for a longer lull, so that it does not take
# CPU between their pages.
BUSY_QUIET_S = 5.0
# Inside a view, a running page that has used no CPU for this long waits on something the
# view holds, so the view goes on (a page progressing uses CPU every scheduler tick, 4 ms).
STALL_S = 0.02
POLL_IN_STEP_S = 0.005
# A public server can be asked for every area; each costs 0.8-1.2 s of idle CPU and about
# 1 MB of cached frames and specs (the first about 11 MB, with what it imports; measured
# 2026-12-03), so not more than this many are warmed in a process.
MAX_AREAS = 32

_lock = threading.Lock()
_waiting: list[str] = []
_seen: set[str] = set()
_worker: list[threading.Thread] = []
# The launcher's draw-ahead: its thread, and the areas it draws (``next_page_now``).
_ahead: list[threading.Thread] = []
_drawn_ahead: set[str] = set()
_last_run_end = [0.0]
_not_before = [0.0]
_busy_seen = [-BUSY_QUIET_S]
_first_run_ended = threading.Event()
# The launcher's draw-ahead waits this long for the first page's run (a browser that asked
# for the page and never opened its websocket runs none).
FIRST_RUN_WAIT_S = 60.0


def after_page(first_delay: float) -> None:
    """Called at the end of each page run: note the run's end, and warm the pages of the
    session's area unless they are warmed (or queued) already; the first warming in a process
    waits ``first_delay`` seconds (while the browser draws the process's first page)."""
    import streamlit as st

    from ui import workshop

    note(st.session_state.get("area"), workshop.active(), first_delay)


def note(area: str | None, workshop: bool, first_delay: float = 0.0) -> None:
    """A page run has just ended in a session viewing ``area``."""
    _last_run_end[0] = time.monotonic()
    _first_run_ended.set()
    if _scripts_running() > 1:  # this run's thread and another's
        _busy_seen[0] = _last_run_end[0]
    if not _not_before[0]:
        _not_before[0] = _last_run_end[0] + first_delay
    if not area or workshop or not enabled():
        return
    with _lock:
        if area in _seen or len(_seen) >= MAX_AREAS:
            return
        _seen.add(area)
        _waiting.append(area)
        if _worker and _worker[0].is_alive():
            return
        checkpoint_imports()
        thread = threading.Thread(target=_work, name=THREAD_NAME, daemon=True)
        _worker[:] = [thread]
        thread.start()


def enabled() -> bool:
    """Whether pages are warmed: neither ``SEND_LENS_WARM`` nor ``SEND_LENS_WARM_PAGES`` is 0."""
    return "0" not in (os.environ.get(WARM_ENV), os.environ.get(PAGES_ENV))


def next_page_now(area: str, workshop: bool, wait_s: float = FIRST_RUN_WAIT_S) -> None:
    """The pages under Home drawn ahead for ``area``, in the caller's thread (the launcher's,
    after Home's figures for the first address: ``ui.server_start``): Local profile's opening
    charts, then every other view of ``views_of``, each once no page has run for ``QUIET_S``,
    from the end of the process's first page run; nothing if no run ends within ``wait_s``
    seconds (the warming above then draws them after a later run).

    Local profile is the page under Home in the sidebar (and the benchmark's first click),
    and its four charts cost its first visit 0.46-0.52 s of server time (cProfile,
    2026-12-03: the trend frames, the specs and their one validation). The warming above
    begins 2 s after Home is drawn, later than a quick first click, and waits for lulls that
    a reader clicking from page to page never leaves: Governance's first visit then took 0.58 s
    against 0.29 s on its second, Outcomes' 0.39 against 0.20 s. Drawn before Home's run,
    while the browser was still loading Streamlit's JavaScript, these views (and the imports
    they need) shared the two cores with it and made Home 0.15-0.2 s later; straight after the
    run, with the browser drawing Home, 0.2-0.3 s later (benchmarks/README.md, "Stop 27")."""
    if workshop or not enabled():
        return
    _take(area)
    if _first_run_ended.wait(wait_s):
        for view in _local_profile_first(area):
            _until_quiet()
            _draw(view, area)
    else:
        with _lock:  # not drawn: the warming after a later run may draw them
            _seen.discard(area)
            _drawn_ahead.discard(area)


def _take(area: str) -> None:
    """Make the calling thread's draw-ahead ``area``'s only pass: a first run's ``note``
    queues none beside it, and a warming thread that has queued it already draws none of
    its views from now on (both threads had drawn the same views side by side, the
    warming's pass about a second of views in the first seconds, on two cores, as the first
    clicks came). ``until_pages_warmed`` waits for the calling thread too."""
    with _lock:
        _seen.add(area)
        _drawn_ahead.add(area)
        _ahead[:] = [threading.current_thread()]


def _local_profile_first(area: str) -> Iterator[Callable[[], object]]:
    """``views_of(area)``, with Local profile's opening views drawn before ``views_of``
    imports every other page's views."""
    from ui.profile import views as profile

    opening = profile.how_many_views(area)
    yield from opening
    yield from views_of(area)[len(opening) :]


def _until_quiet() -> None:
    """Wait until no page is running and none has ended in the last ``QUIET_S`` seconds."""
    while (wait := QUIET_S - (time.monotonic() - _last_run_end[0])) > 0 or _scripts_running():
        time.sleep(max(wait, POLL_IN_STEP_S))


def _work() -> None:
    while True:
        with _lock:
            if not _waiting:
                # Under the lock: a run's ``note`` from now on starts a thread of its own
                # rather than leave its area to this one, which is about to end.
                _worker.clear()
                return
            area = _waiting.pop(0)
        for view in views_of(area):
            when_idle()
            if area in _drawn_ahead:  # the launcher's thread draws them (``_take``)
                break
            _draw(view, area)


def _draw(view: Callable[[], object], area: str) -> None:
    try:
        view()
    except Exception:  # a nicety: the page draws the view itself, and reports errors
        log.debug("warming a view of %s failed", area, exc_info=True)


def when_idle() -> None:
    """Wait until the server is idle (``_wait_s``), before a step."""
    while (wait := _wait_s()) != 0.0:
        time.sleep(max(0.05, wait))


def _while_pages_compute() -> None:
    """Inside a step, which may hold a lock a page run needs: wait while pages run, until
    they have used no CPU for ``STALL_S`` (they wait on what this thread holds), at once if
    they still have not since the last such stop, and not at all where their CPU cannot be
    read. Not the quiet periods after a run: a step half done holds locks, and the first
    page's imports are best done early (a first click comes 2-3 s after the first page is
    drawn in the benchmark)."""
    progress, since = None, time.monotonic()
    while running := _pages_cpu():
        if running == _stalled[0]:
            return
        now = time.monotonic()
        if running != progress:
            progress, since = running, now
        elif now - since >= STALL_S:
            _stalled[0] = running
            return
        time.sleep(POLL_IN_STEP_S)


def until_pages_warmed() -> None:
    """Wait for the area warming under way, if any: ``ui.warm``'s imports come after it, so
    that the views the next click needs are not sharing the GIL with them."""
    for threads in (_ahead, _worker):
        while (thread := next(iter(threads), None)) is not None and thread.is_alive():
            thread.join(timeout=1.0)


_stalled: list[tuple[tuple[int, int], ...] | None] = [None]
# ui.warm's imports and this module's views: the threads that give way inside their steps.
IMPORTS_THREAD = "send-lens-warm-imports"  # ui.warm's, named here as it imports this module
WARMING_THREADS = (IMPORTS_THREAD, THREAD_NAME)
_checkpoints = threading.Lock()


def checkpoint_imports() -> None:
    """From now on, a warming thread about to import a module first waits for the server to
    be idle (once a process; an audit hook cannot be removed, and costs a string comparison
    per audited event elsewhere: about 8,000 events, 2-3 ms, per area's views)."""
    if _checkpoints.acquire(blocking=False):
        sys.addaudithook(_before_import)


def _before_import(event: str, _args: tuple) -> None:
    # Python raises "import" before it takes any lock for the module (PyImport's
    # import_find_and_load), only for modules not yet in sys.modules.
    if event != "import" or threading.current_thread().name not in WARMING_THREADS:
        return
    try:
        _while_pages_compute()
    except Exception:  # an audit hook that raises would fail the import
        log.debug("waiting before an import failed", exc_info=True)


def _pages_cpu() -> tuple[tuple[int, int], ...] | None:
    """Each running page's thread and its CPU nanoseconds so far (Linux's schedstat), or None
    where that cannot be read."""
    found = []
    for thread in threading.enumerate():
        if thread.name != SCRIPT_THREAD or thread.native_id is None:
            continue
        try:
            with open(f"/proc/self/task/{thread.native_id}/schedstat", "rb") as stat:
                found.append((thread.native_id, int(stat.read().split()[0])))
        except (OSError, ValueError, IndexError):
            if thread.is_alive():
                return None
    return tuple(found)


def _wait_s() -> float:
    """How long the next step should wait: 0 when the server is idle; a poll while a page
    runs; else until ``QUIET_S`` after the last run, ``BUSY_QUIET_S`` after pages last ran
    side by side, and the process's first delay."""
    running = _scripts_running()
    now = time.monotonic()
    if running > 1:
        _busy_seen[0] = now
    if running:
        return 0.05
    wait = max(
        QUIET_S - (now - _last_run_end[0]),
        BUSY_QUIET_S - (now - _busy_seen[0]),
        _not_before[0] - now,
    )
    return max(wait, 0.0)


def _scripts_running() -> int:
    return sum(t.name == SCRIPT_THREAD for t in threading.enumerate())


def views_of(area: str) -> list[Callable[[], None]]:
    """The views a first visit to each page draws before anything is clicked, in the
    sidebar's order (Local profile's opening views first: ``next_page_now`` draws those before
    calling this), then Local profile's second tab (imported here: this module is imported by
    the router at start)."""
    from ui.benchmarking import views as benchmarking
    from ui.data_page import views as data_page
    from ui.governance import views as governance
    from ui.map import views as map_views
    from ui.outcomes import views as outcomes
    from ui.profile import views as profile
    from uploads.frameworks import shipped_frameworks
    from uploads.public import public_mode

    return [
        *profile.how_many_views(area),
        lambda: benchmarking.opening_view(area),
        *governance.national_steps(area),
        shipped_frameworks,  # Outcomes' frameworks as shipped, parsed once per process
        *(
            (lambda domain=domain: outcomes.national_of(domain, area))
            for domain in outcomes.national_domains()
        ),
        lambda: map_views.opening_map(area),
        # Not per area, so a second area's warming finds it done; no Data page in public mode.
        *([] if public_mode() else [data_page.national_tables]),
        *profile.needs_views(area),  # Local profile's second tab, after every opening view
    ]
