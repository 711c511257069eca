"""Home's ten figures kept on disk from one server start to the next (``ui.kept_figures``):
read back exactly as worked out, never from a file of another key or a damaged one, and a
server whose first address is a kept area's Home reads none of the national table for it."""

from __future__ import annotations

import json
import threading

import pytest
from streamlit.testing.v1 import AppTest

from analysis import profile
from tests import test_server_start
from tests.conftest import ROOT
from ui import data, kept_figures, server_start

BRADFORD = "E08000032"
# Bradford; Leicester and Peterborough, with no figure for the year before on five and two
# tiles; the City of London, the smallest.
AREAS = [BRADFORD, "E06000016", "E06000031", "E09000001"]
# Reads of the national cache and headlines worked out, counted (a fixture).
counted_reads = test_server_start.counted_reads


@pytest.fixture
def kept_file(tmp_path, monkeypatch):
    """Keeping on, in a file of this test's own; the process's memory of it emptied."""
    file = tmp_path / "home_figures-k1.json"
    monkeypatch.setenv(kept_figures.ENV, "1")
    monkeypatch.setattr(kept_figures, "path", lambda: file)
    monkeypatch.setattr(kept_figures, "_kept", {})
    monkeypatch.setattr(kept_figures, "_read", [])
    return file


def _new_process(monkeypatch):
    """What a new server knows of the kept figures: only the file."""
    monkeypatch.setattr(kept_figures, "_kept", {})
    monkeypatch.setattr(kept_figures, "_read", [])


def test_figures_read_back_are_the_figures_worked_out(national, kept_file, monkeypatch):
    worked_out = {
        area: [profile.headline(national, i, area) for i in data._HEADLINE_IDS] for area in AREAS
    }
    every = [h for figures in worked_out.values() for h in figures]
    # Else the round trip of a missing figure and of counts would be untried.
    assert any(h.previous_value is None for h in every)
    assert any(None not in h.counts for h in every)
    for area, figures in worked_out.items():
        kept_figures.keep(area, figures)
    _new_process(monkeypatch)
    for area, figures in worked_out.items():
        assert kept_figures.kept(area) == {h.indicator: h for h in figures}, area
    plans = kept_figures.kept(BRADFORD)["ehc_plans"]
    # SEN2 2025, Bradford, January 2025 (caseload.csv.gz); England 638,745.
    assert (plans.value, plans.england, plans.counts) == (7493.0, 638745.0, (None, None))
    assert kept_figures.kept("E06000016")["ehc_requests"].previous_value is None


def test_a_file_of_another_key_or_damaged_is_not_read(national, kept_file, monkeypatch):
    figures = [profile.headline(national, i, BRADFORD) for i in data._HEADLINE_IDS]
    kept_figures.keep(BRADFORD, figures)
    # The data or the code changed: a new key names another file, the old one goes.
    newer = kept_file.with_name("home_figures-k2.json")
    monkeypatch.setattr(kept_figures, "path", lambda: newer)
    _new_process(monkeypatch)
    assert kept_figures.kept(BRADFORD) == {} and not kept_figures.any_kept()
    kept_figures.keep(BRADFORD, figures)
    assert newer.exists() and not kept_file.exists()
    for damaged in ("{not json", json.dumps({BRADFORD: [{"indicator": "x"}]}), "[1, 2]"):
        newer.write_text(damaged)
        _new_process(monkeypatch)
        assert kept_figures.kept(BRADFORD) == {}, damaged


def test_nothing_is_kept_when_turned_off(national, kept_file, monkeypatch):
    monkeypatch.setenv(kept_figures.ENV, "0")
    kept_figures.keep(BRADFORD, [profile.headline(national, "ehc_plans", BRADFORD)])
    assert not kept_file.exists() and kept_figures.kept(BRADFORD) == {}


def test_the_key_changes_with_the_code_that_works_figures_out(monkeypatch, tmp_path):
    kept_figures.key.cache_clear()
    before = kept_figures.key()
    code = tmp_path / "analysis"
    code.mkdir()
    (code / "profile.py").write_text("# another headline rule\n")
    monkeypatch.setattr(kept_figures, "CODE", (code,))
    kept_figures.key.cache_clear()
    try:
        assert kept_figures.key() != before
    finally:
        kept_figures.key.cache_clear()


def test_a_new_server_reads_no_rows_for_a_kept_area(
    national, kept_file, counted_reads, monkeypatch
):
    reads, _, worked_out = counted_reads
    # The server before: its first Home worked the figures out and kept them.
    server_start.prepare()
    server_start.first_address("/", b"area=" + BRADFORD.encode()).join(60)
    assert len(worked_out) == len(data._HEADLINE_IDS) and kept_file.exists()
    # The next server: the same start, from the file.
    reads.clear()
    worked_out.clear()
    _new_process(monkeypatch)
    data._headline_rows.clear()
    data.headline.clear()
    server_start._homes_rows_read.clear()
    monkeypatch.setattr(server_start, "_first_address", threading.Lock())
    server_start.prepare()
    server_start.first_address("/", b"area=" + BRADFORD.encode()).join(60)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = BRADFORD
    at.run()
    assert not at.exception
    plans = next(m for m in at.metric if m.label == "EHC plans")
    assert plans.value == "7,493"
    assert any("England: 638,745." in c.value for c in at.caption)
    assert reads == [], "the national table was read for a kept area's Home"
    assert worked_out == [], "a kept figure was worked out again"
