"""The only place that caches data for pages (DESIGN: pages call domain code through ui/)."""

from __future__ import annotations

import logging
import threading

import pandas as pd
import streamlit as st

import indicators
from analysis import profile
from data_loaders import build
from data_loaders.build import load_tidy
from geography import areas
from ui.memory import give_back_freed_memory

_checked_in_this_process: list[bool] = []
# The table a first start built with progress, for ``national_table``: reading back the file
# just written would cost the first page another read of it, and a read-only install (whose
# cache could not be written) would build it a second time.
_built: list[indicators.NationalTable] = []
# On a first start, Home's sources checked on their own (``build.Rebuild``), for Home's
# figures until the whole table is built by ``_finishing`` in the background.
_first: list[indicators.NationalTable] = []
_finishing: list[threading.Thread] = []
_starting = threading.Lock()
log = logging.getLogger(__name__)


def build_national_with_progress() -> None:
    """On a first start (no current cache) show the reading of Home's sources with a progress
    bar, rather than a blank page, while the rest of the national table is built in the
    background (every other page waits for it); later runs return at once. The build is the
    one ``start_national_build`` began as the server started (``serve.py``), if it did."""
    if _checked_in_this_process:
        return
    with _starting:  # two sessions arriving at a first start build once
        if _checked_in_this_process:
            return
        start = start_national_build()
        if start is not None and not start.ready.is_set():
            bar = st.progress(0.0, text="Preparing the national data (first start only)…")
            # The build's own thread cannot draw in this session's page: this one shows its
            # progress as it goes.
            while not start.ready.wait(0.1):
                done, of, source = start.progress
                if done:
                    bar.progress(
                        done / of,
                        text=f"Preparing the national data: read {done} of {of} sources ({source})",
                    )
            bar.empty()
        if start is not None and start.error is not None:
            with _beginning:  # the next run starts a new build, as it would have before
                _first_start.clear()
            raise start.error
        _checked_in_this_process.append(True)


class FirstStart:
    """A first start's build (``build.Rebuild``) in a thread of its own: Home's sources
    (``ready`` once read and checked, ``error`` if that failed), then the rest."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.progress: tuple[int, int, str] = (0, 1, "")
        self.thread = threading.Thread(target=self._run, name="national-build")

    def _note(self, done: int, of: int, source: str) -> None:
        self.progress = (done, of, source)

    def _run(self) -> None:
        try:
            rebuild = build.Rebuild(progress=self._note)
            _first.append(rebuild.first())
        except BaseException as err:  # raised again in the page that waits for it
            self.error = err
            return
        finally:
            self.ready.set()
        _finish(rebuild)


_first_start: list[FirstStart] = []
_beginning = threading.Lock()


def start_national_build() -> FirstStart | None:
    """Begin the first start's build unless the cache is current (then None) or it has
    begun; the one build either way. Called by the launcher as the server starts, so that
    the build overlaps the browser's loading of the page, and by the first page's run."""
    with _beginning:
        if _first_start:
            return _first_start[0]
        if build.cache_is_current():
            return None
        start = FirstStart()
        _first_start.append(start)
        _finishing.append(start.thread)
        start.thread.start()
        return start


def _finish(rebuild: build.Rebuild) -> None:
    try:
        _built.append(rebuild.finish())
    except Exception:
        # ``national_table`` then builds again, where the error reaches the page.
        log.exception("building the national table failed")
    finally:
        _first.clear()
        # The build's transient frames (every source read, concatenated, checked) leave
        # ~100 MB of garbage and free heap pages behind (501 -> 375 MB in one measure).
        give_back_freed_memory(collect=True)


@st.cache_resource(show_spinner="Loading national data…")
def national_table() -> indicators.NationalTable:
    """The published national tidy table, split by indicator (see ``indicators.NationalTable``).

    A resource, not ``cache_data``: it is read-only public data shared by every session, and
    ``cache_data`` would copy 200,000 rows (and lose the split) on every page run. On a first
    start it waits for the build in the background.
    """
    for thread in _finishing:
        thread.join()
    table = _built[0] if _built else load_tidy()
    # Headlines read the whole table from now on: the copy of the ten indicators' rows and
    # their indexes (about 10 MB) are let go.
    _whole_table_read.append(True)
    _headline_rows.clear()
    return table


@st.cache_data(max_entries=4)
def current_las() -> pd.DataFrame:
    return areas.current_las()


@st.cache_data(max_entries=4)
def area_names() -> dict[str, str]:
    return areas.area_names()


def value(indicator: str, area: str, period: str, breakdown: str = "") -> float | None:
    return indicators.value(indicator, area, period, breakdown, table=national_table())


def series(indicator: str, area: str, breakdown: str = "") -> pd.DataFrame:
    return indicators.series(indicator, area, breakdown, table=national_table())


def latest_period(indicator: str, area: str | None = None) -> str | None:
    return indicators.latest_period(indicator, area, table=national_table())


def previous_period(indicator: str, period: str) -> str | None:
    return indicators.previous_period(indicator, period, table=national_table())


def rows(indicator: str, codes: list[str], breakdown: str | None = "") -> pd.DataFrame:
    return indicators.rows(indicator, codes, breakdown, table=national_table())


# The board's ten: a headline reads only its own indicator's rows, so for these a table of
# just their rows answers as the whole one does, until the whole one is read.
_HEADLINE_IDS = [i.id for i in indicators.headlines()]
_whole_table_read: list[bool] = []


@st.cache_resource(show_spinner=False)
def _headline_rows() -> indicators.NationalTable:
    """The ten headline indicators' rows (a sixth of the table), read on their own: Home needs
    no more, and reading and splitting the whole table was 0.2-0.4 s of its first run in each
    process. The whole table is read by the next page, or by ``ui.warm`` once Home is drawn."""
    if _whole_table_read:  # asked again after the whole table let this copy go
        return national_table()
    if _built:
        return _built[0]
    first = _first[:1]  # on a first start, Home's sources read on their own (the same rows)
    return first[0] if first else load_tidy(only=_HEADLINE_IDS)


def read_homes_rows() -> None:
    """What Home reads before its first figure, read now: its rows, their indexes, the areas'
    names and codes (``ui.server_start``, as the server starts)."""
    rows = _headline_rows()
    for indicator in _HEADLINE_IDS:
        rows.lookup(indicator)
    area_names()
    current_las()


def homes_figures(area: str) -> None:
    """Home's ten figures for ``area``, worked out into the shared cache ahead of its page
    (``ui.server_start``, for the first address a server is asked for)."""
    for indicator in _HEADLINE_IDS:
        headline(indicator, area)


# Headlines depend only on the area and the published table, so every session viewing an area
# shares them: Home asked ~120 filters of the national table on every run, for every session.
@st.cache_data(max_entries=512, show_spinner=False)
def headline(indicator: str, area: str) -> profile.Headline:
    return profile.headline(_table_for(indicator), indicator, area)


def _table_for(indicator: str) -> indicators.NationalTable:
    """Home's ten from their own rows until the whole table is read, else the whole table."""
    if indicator in _HEADLINE_IDS and not _whole_table_read:
        return _headline_rows()
    return national_table()


@st.cache_data(max_entries=64, show_spinner=False)
def headline_table(indicator_ids: tuple[str, ...], area: str) -> pd.DataFrame:
    # From the cached headlines: Home has just worked them out for its tiles.
    return profile.headline_rows([headline(i, area) for i in indicator_ids], area)


@st.cache_data(max_entries=256, show_spinner=False)
def latest_side_by_side(indicator_ids: tuple[str, ...], area: str) -> pd.DataFrame:
    """Several indicators' latest published figures for the area, region and England, as
    published (no small-number rule: a page applies one itself): shared by sessions."""
    return profile.latest_side_by_side(national_table(), list(indicator_ids), area)
