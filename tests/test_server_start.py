"""The launcher (``serve.py``): the way every document starts SEND Lens, found and served by
Streamlit as an ``st.App`` of the router, and what it prepares as the server starts is what
the first page then uses: Home's rows read once, the first start's build begun once."""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

from analysis import profile
from data_loaders import build
from tests import browser_support
from tests.conftest import ROOT, fresh_python_prints
from tests.test_first_start import FakeRebuild, with_stand_in_build
from ui import data, local, server_start, warm_pages
from ui.area_picker import DEFAULT_AREA

BRADFORD = "E08000032"


def _run_commands(text: str) -> list[list[str]]:
    """Every ``streamlit run ...`` in a shell script, a README or a Dockerfile's CMD."""
    found = []
    for match in re.finditer(r"streamlit\"?,? \"?run\"?,? \"?([\w/.]+)", text):
        found.append(["streamlit", "run", match.group(1)])
    return found


@pytest.mark.parametrize("where", ["README.md", "Dockerfile", ".ci/run", "docs/DEPLOYMENT.md"])
def test_every_run_command_starts_the_launcher(where):
    commands = _run_commands((ROOT / where).read_text())
    assert commands, f"no streamlit run command in {where}"
    assert {c[2] for c in commands} == {browser_support.LAUNCHER}, where


def test_the_run_command_pattern_finds_both_forms():
    # The check above must be able to fail: it sees the router named in either form.
    assert _run_commands(shlex.join(["streamlit", "run", "app.py"])) == [
        ["streamlit", "run", "app.py"]
    ]
    assert _run_commands('CMD ["streamlit", "run", "app.py", "--x"]')[0][2] == "app.py"


def test_streamlit_serves_the_router_from_the_launcher():
    found = discover_asgi_app(ROOT / "serve.py")
    assert (found.is_asgi_app, found.import_string) == (True, "serve:app")
    assert not discover_asgi_app(ROOT / "app.py").is_asgi_app  # AppTest runs the router
    # Read, not run: building an st.App here would set Streamlit's main script for the rest of
    # the test process. Streamlit resolves the router beside the launcher.
    tree = ast.parse((ROOT / "serve.py").read_text())
    [call] = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) == "st.App"]
    assert [a.value for a in call.args] == ["app.py"]  # type: ignore[attr-defined]
    [hook] = [k.value for k in call.keywords if k.arg == "lifespan"]
    [lifespan] = [
        n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == _name(hook)
    ]
    called = {_name(n.func) for n in ast.walk(lifespan) if isinstance(n, ast.Call)}
    assert "prepare_in_background" in called
    # Browser tests and benchmarks start it the same way; an older checkout its router.
    assert browser_support.launcher() == "serve.py"
    assert browser_support.launcher(Path("/nonexistent")) == "app.py"


def _name(node: ast.expr) -> str:
    return ast.unparse(node)


def test_the_first_run_imports_are_the_router_s_and_home_s():
    names = server_start.first_run_imports()
    # From app.py's "from ui import glossed, identity, local, workshop" and Home's imports.
    for name in ("ui.glossed", "ui.identity", "ui.local", "ui.data", "reports.format"):
        assert name in names
    assert "ui.profile.views" not in names  # another page's: the warming thread's, later
    names += server_start.STREAMLIT_FIRST_RUN
    assert all(importlib.util.find_spec(name) is not None for name in names)


@pytest.fixture
def counted_reads(monkeypatch):
    """Reads of the national cache and opens of the store, counted; Home's rows not yet read
    in this process, and no warming thread (it reads the whole table on purpose)."""
    reads: list[list[str] | None] = []
    opened: list[str] = []
    worked_out: list[tuple[str, str]] = []
    real_load, real_store, real_headline = build.load_tidy, local.Store, profile.headline

    def load(*args, only=None, **kwargs):
        reads.append(only)
        return real_load(*args, only=only, **kwargs)

    def store(url):
        opened.append(url)
        return real_store(url)

    def headline(table, indicator, area):
        worked_out.append((indicator, area))
        return real_headline(table, indicator, area)

    monkeypatch.setattr(data, "load_tidy", load)
    monkeypatch.setattr(local, "Store", store)
    monkeypatch.setattr(profile, "headline", headline)
    monkeypatch.setattr(server_start, "_first_address", threading.Lock())
    monkeypatch.setattr(server_start, "_preparing", [])
    monkeypatch.setattr(server_start, "_homes_rows_read", [])
    monkeypatch.setattr(data, "_whole_table_read", [])
    monkeypatch.setattr(data, "_checked_in_this_process", [True])
    monkeypatch.setattr(data, "_first_start", [])
    monkeypatch.setenv("SEND_LENS_WARM", "0")
    data._headline_rows.clear()
    data.headline.clear()
    local._store.clear()
    yield reads, opened, worked_out
    data._headline_rows.clear()
    data.headline.clear()
    local._store.clear()


def test_home_uses_what_was_read_as_the_server_started(national, counted_reads):
    reads, opened, worked_out = counted_reads
    server_start.prepare()
    assert reads == [data._HEADLINE_IDS] and len(opened) == 1
    rows = data._headline_rows()
    assert set(rows.lookups) == set(data._HEADLINE_IDS), "the indexes were built then too"
    # The browser asks for Home's address: its area's figures are worked out before its run.
    server_start.first_address("/", b"area=" + BRADFORD.encode()).join(60)
    assert worked_out == [(i, BRADFORD) for i in data._HEADLINE_IDS]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = BRADFORD
    at.run()
    assert not at.exception
    plans = next(m for m in at.metric if m.label == "EHC plans")
    assert plans.value == "7,493"  # SEN2 2025, Bradford, January 2025 (caseload.csv.gz)
    assert reads == [data._HEADLINE_IDS], "Home read the national cache a second time"
    assert len(opened) == 1, "the store was opened a second time"
    assert len(worked_out) == len(data._HEADLINE_IDS), "Home worked out its figures again"


def test_only_the_first_address_and_only_home_s_sets_work(national, counted_reads):
    _, _, worked_out = counted_reads
    server_start._homes_rows_read.append(True)
    assert server_start.first_address("/map", b"area=E06000063") is None  # not Home
    # A code that is no local authority gets the default area, as the page shows it.
    server_start.first_address("/home", b"area=%3Cscript%3E&area=x").join(60)
    assert worked_out == [(i, DEFAULT_AREA) for i in data._HEADLINE_IDS]
    assert server_start.first_address("/", b"area=E06000063") is None  # once per process
    assert len(worked_out) == len(data._HEADLINE_IDS)


def test_local_profile_is_drawn_ahead_after_home_s_figures(national, counted_reads, monkeypatch):
    _, _, worked_out = counted_reads
    server_start._homes_rows_read.append(True)
    ahead: list[tuple[str, bool, int]] = []
    monkeypatch.setattr(
        warm_pages,
        "next_page_now",
        lambda area, workshop: ahead.append((area, workshop, len(worked_out))),
    )
    server_start.first_address("/", b"mode=workshop&area=" + BRADFORD.encode()).join(60)
    # After all ten of Home's figures, for the same area, and told it is a workshop.
    assert ahead == [(BRADFORD, True, len(data._HEADLINE_IDS))]


def test_no_figures_before_a_first_start_has_read_home_s_sources(counted_reads):
    _, _, worked_out = counted_reads  # _homes_rows_read is empty: a first start
    server_start.first_address("/", b"area=" + BRADFORD.encode()).join(60)
    assert worked_out == []


@pytest.fixture
def first_start(monkeypatch):
    """A process with no current cache and a stand-in build (tests/test_first_start.py)."""
    reads: list[object] = []
    # The loop's second step lets every build finish and clears the caches again.
    for made in with_stand_in_build(monkeypatch, lambda *a, **k: reads.append(k)):
        yield made, reads


def test_the_first_page_waits_for_the_build_begun_as_the_server_started(first_start):
    made, reads = first_start
    server_start.prepare()
    [rebuild] = made
    data.build_national_with_progress()
    assert made == [rebuild], "the page began a second build"
    assert reads == [], "Home's rows were read from a cache that is not current"
    assert data._table_for("ehc_plans") is rebuild.first_table
    rebuild.release.set()
    data._finishing[0].join(30)
    assert data.national_table() is rebuild.whole_table


def test_the_page_shows_progress_until_homes_sources_are_read(first_start, monkeypatch):
    made, _ = first_start
    go_on = threading.Event()
    real_first = FakeRebuild.first

    def slow_first(self):
        assert go_on.wait(30), "the test never let the first sources be read"
        return real_first(self)

    monkeypatch.setattr(FakeRebuild, "first", slow_first)
    started = data.start_national_build()
    assert started is not None and data.start_national_build() is started
    page = threading.Thread(target=data.build_national_with_progress)
    page.start()
    page.join(0.3)
    assert page.is_alive(), "the page went on before Home's sources were read"
    go_on.set()
    page.join(30)
    assert not page.is_alive() and data._checked_in_this_process == [True]
    assert len(made) == 1 and started.progress == (5, 5, "tribunals_2026")


def test_a_failed_first_read_reaches_the_page_and_the_next_run_builds_again(
    first_start, monkeypatch
):
    made, _ = first_start
    failures = [OSError("sen2 file unreadable")]
    real_first = FakeRebuild.first

    def first_or_fail(self):
        if failures:
            raise failures.pop()
        return real_first(self)

    monkeypatch.setattr(FakeRebuild, "first", first_or_fail)
    server_start.prepare()
    with pytest.raises(OSError, match="sen2 file unreadable"):
        data.build_national_with_progress()
    assert data._checked_in_this_process == []
    data.build_national_with_progress()  # the next run
    assert len(made) == 2 and data._checked_in_this_process == [True]


def test_the_allocators_are_set_before_the_launcher_reads_anything():
    """Home's rows read by the launcher's thread with Arrow's default pool (mimalloc, which
    keeps what it freed) left a server 15-18 MB larger after every page than the router's
    first run, which set the system pool first (benchmarks/README.md, 2026-12-03 evening)."""
    code = (
        "import pyarrow as pa\n"
        "from ui import data, server_start\n"
        "print(pa.default_memory_pool().backend_name)\n"
        "data.start_national_build = lambda: None\n"
        "server_start.first_run_imports = lambda: []\n"
        "server_start.STREAMLIT_FIRST_RUN = ()\n"
        "server_start._open_store = lambda: None\n"
        "data.read_homes_rows = lambda: print(pa.default_memory_pool().backend_name)\n"
        "server_start.prepare()\n"
    )
    default, when_read = fresh_python_prints(code).split()
    assert default != "system"  # else this test would prove nothing
    assert when_read == "system"


def test_the_servers_start_runs_with_the_cycle_collector_paused(monkeypatch):
    import gc

    seen: list[bool] = []
    monkeypatch.setattr(server_start, "_prepare", lambda: seen.append(gc.isenabled()))
    server_start.prepare()
    assert seen == [False]
    assert gc.isenabled() and gc.get_freeze_count() > 0
