"""Heavy imports (and the whole national table) warmed in a background thread once the first
page of a process is drawn.

``from scipy import stats`` alone took 0.75-0.9 s on the first Benchmarking visit of each
server process, and geopandas, pydeck and Altair each add a few hundred milliseconds to the
first page that draws a map or chart. Pages still import what they use where they use it (so
nothing depends on this having run); this only makes sure that by the time a visitor clicks
on, the modules are already in memory. The only data read is shipped, published data (the
national table every page reads, and ``PUBLIC_DATA``), so nothing about a visitor can leak
between sessions.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading

from ui import warm_pages
from ui.memory import freeze_long_lived

log = logging.getLogger(__name__)
THREAD_NAME = warm_pages.IMPORTS_THREAD
# This thread's, ``ui.warm_pages``' and ``ui.server_start``'s: all call cached functions outside
# a page.
QUIET_THREADS = "send-lens-"


class _NotFromWarming(logging.Filter):
    """Streamlit warns of a "missing ScriptRunContext" whenever a cached function runs outside
    a page, as the national table's does here (and Home's rows as the server starts) on
    purpose (they are process-wide, not a session's): the warning would appear once in every
    server's log and alarm whoever reads it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not threading.current_thread().name.startswith(QUIET_THREADS)


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    _NotFromWarming()
)

# Slowest first (import seconds, 2 cores, 2026-12-03): scipy.stats 0.75-0.9, geopandas 0.5,
# Altair 0.3, pydeck 0.1; then the analysis modules built on them (cheap once they are in).
# scipy.stats, scipy.optimize and scipy.spatial are left out: the pages need only
# scipy.special (analysis.distributions), and the three would hold ~45 MB in every server.
MODULES = [
    "scipy.special",
    "geopandas",
    "altair",
    "pydeck",
    "analysis.stats",
    "analysis.trend",
    "analysis.outcomes",
    "analysis.neighbours",
    "analysis.benchmark",
    "analysis.benchmark_frames",
    "geography.boundaries",
    "geography.schools",
]

# Then each page's own views, in the sidebar's order: with no bytecode cache (a fresh
# container, PYTHONDONTWRITEBYTECODE) compiling and importing them was 15-30% of a page's
# first visit (py-spy, 2026-12-03). Importing defines functions and caches; it runs none.
PAGE_VIEWS = [
    "ui.profile.views",
    "ui.comparison.charts",
    "ui.benchmarking.views",
    "ui.governance.views",
    "ui.governance.kpis",
    "ui.governance.tracker",
    "ui.outcomes.views",
    "ui.map.views",
    "ui.data_page.views",
]

# Then shipped, public data that a page reads once per process, as "module:function": the
# statistical neighbours workbook's two models took 0.25-0.35 s of the first Benchmarking
# (or Governance) visit of each process (cProfile, 2026-12-03). Published lists only: the same
# for every visitor, so nothing about a visitor is read or kept.
PUBLIC_DATA = ["data_loaders.national.neighbours:load_all"]

_started = threading.Lock()
WARM_ENV = "SEND_LENS_WARM"
# The first page's script ends before the browser has drawn it: Chromium went on drawing Home
# for 0.4-0.9 s after the server's last message (load 6-7, 2026-12-03), and this thread's
# 2-3 s of imports on one of the two cores would compete with it. A visitor's first click
# comes later than this.
AFTER_FIRST_PAGE_S = 2.0


def warm_in_background() -> bool:
    """Start the warming thread unless it has started in this process or ``SEND_LENS_WARM``
    is ``0`` (a small server that never draws maps may prefer the memory); True if started.
    It waits ``AFTER_FIRST_PAGE_S`` before it imports anything."""
    warm_pages.after_page(AFTER_FIRST_PAGE_S)  # every run: the area's pages drawn when idle
    if os.environ.get(WARM_ENV) == "0" or not _started.acquire(blocking=False):
        return False
    timer = threading.Timer(AFTER_FIRST_PAGE_S, _import_all)
    timer.name, timer.daemon = THREAD_NAME, True
    timer.start()
    return True


def _read_national_table() -> None:
    # Home reads only its ten indicators' rows (ui.data._headline_rows); every other page needs
    # the whole table. Public data, shared by every session in any case.
    from ui.data import national_table

    national_table()


def _import_all() -> None:
    # Each step, and each module a step imports (warm_pages.checkpoint_imports), waits for
    # the server to be idle as the page warming does: this thread had held the GIL through
    # whole packages while a visitor's page ran.
    warm_pages.checkpoint_imports()
    warm_pages.until_pages_warmed()  # the area's views import most of these themselves
    warm_pages.when_idle()
    try:
        _read_national_table()
    except Exception:  # the page that needs it reads it again, and says so if it cannot
        log.debug("reading the national table failed", exc_info=True)
    for name in [*MODULES, *PAGE_VIEWS]:
        warm_pages.when_idle()
        try:
            importlib.import_module(name)
        except Exception:  # warming is a nicety: the page that needs it imports it again
            log.debug("warming %s failed", name, exc_info=True)
    for target in PUBLIC_DATA:
        module, function = target.split(":")
        warm_pages.when_idle()
        try:
            getattr(importlib.import_module(module), function)()
        except Exception:  # as above: the page reads it again, and reports what fails
            log.debug("warming %s failed", target, exc_info=True)
    # What this thread imported and read lives as long as the server: one collection now, in
    # idle time, rather than its traversal in every later one (ui.memory.freeze_long_lived).
    warm_pages.when_idle()
    freeze_long_lived()
