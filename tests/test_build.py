"""The national table's parquet cache, and the refreshed SEN in England data joining it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import indicators as I
import tidy
from data_loaders import build
from data_loaders.national import sen_in_england

FIXTURES = Path(__file__).parent / "fixtures/refresh"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def national_findings(national) -> pd.DataFrame:
    """The checks' findings from the session's cache (read before ``cache`` moves it)."""
    return build.load_findings()


@pytest.fixture
def builds(national, national_findings, monkeypatch):
    """Count the builds, each giving the session's national table and its findings: reading
    every source again (seconds of CPU per build) would test nothing these tests check; the
    ``national`` fixture's own build, into an empty cache, is the real one."""
    made: list[int] = []

    def build_checked(progress=None):
        made.append(1)
        return pd.DataFrame(national).copy(), national_findings

    monkeypatch.setattr(build, "build_checked", build_checked)
    return made


def test_cache_is_written_then_read_back_identically(cache, national, builds):
    first = build.load_tidy()
    assert builds == [1]
    assert (cache / build.CACHE_FILE).exists() and (cache / build.MANIFEST_FILE).exists()
    assert not list(cache.glob("*.tmp")), "no temporary files may be left behind"
    again = build.load_tidy()
    assert builds == [1], "a current cache is read, not built again"
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(pd.DataFrame(again), tidy.normalise(pd.DataFrame(national)))
    assert isinstance(again, I.NationalTable) and isinstance(first, I.NationalTable)
    assert tidy.validate(again) == []


def test_cache_rebuilds_when_its_fingerprint_does_not_match(cache, national, builds):
    build.load_tidy()
    stale = national.iloc[:10].copy()
    stale.to_parquet(cache / build.CACHE_FILE)  # a cache of some other data...
    (cache / build.MANIFEST_FILE).write_text('{"fingerprint": "old", "rows": 10}')
    table = build.load_tidy()  # ...is not trusted: the fingerprint differs
    assert builds == [1, 1]
    assert len(table) == len(national)


def test_corrupt_cache_is_rebuilt(cache, national, builds):
    build.load_tidy()
    (cache / build.CACHE_FILE).write_bytes(b"not parquet")
    table = build.load_tidy()
    assert builds == [1, 1]
    assert len(table) == len(national)


def test_fingerprint_changes_with_the_data(tmp_path, monkeypatch):
    before = build.fingerprint()
    extra = build.DATA / "refreshed" / "_fingerprint_probe.txt"
    extra.parent.mkdir(exist_ok=True)
    try:
        extra.write_text("x")
        assert build.fingerprint() != before
    finally:
        extra.unlink()
    assert build.fingerprint() == before


def test_refreshed_sen_in_england_joins_the_table(tmp_path, monkeypatch, cache):
    folder = tmp_path / "sen_in_england"
    folder.mkdir()
    shutil.copy(FIXTURES / "sen_phase_type.csv", folder / "phase_type.csv")
    shutil.copy(FIXTURES / "sen_primary_need.csv", folder / "primary_need.csv")
    monkeypatch.setattr(sen_in_england, "FOLDER", folder)
    # The patch holds in this process only, so the sources are read here, not by children.
    monkeypatch.setenv(build.WORKERS_ENV, "1")
    table = build.build_tidy()
    # Fixture, England 2024/25: 400,000 pupils with an EHC plan, 1,300,000 on SEN support.
    assert (
        I.value("sen_pupils", "E92000001", "2024/25", "sen_provision=EHC plan", table=table)
        == 400_000
    )
    assert I.value("sen_pupils", "E92000001", "2024/25", table=table) == 1_700_000
    assert "sen_primary_need_pct" in set(table["indicator"])


def test_without_a_refresh_there_are_no_sen_in_england_rows(national):
    if any((build.DATA / "refreshed").glob("sen_in_england/*")):
        pytest.skip("this checkout has refreshed data")
    assert not set(national["indicator"]) & {"sen_pupils", "sen_primary_need_pct"}


def test_fingerprint_changes_with_the_catalogue():
    # An edited indicator entry must rebuild the table the loaders made with the old one.
    entry = build.DATA / "catalogue" / "tribunals.toml"
    before = build.fingerprint()
    stat = entry.stat()
    try:
        os.utime(entry, (stat.st_atime, stat.st_mtime + 5))
        assert build.fingerprint() != before
    finally:
        os.utime(entry, (stat.st_atime, stat.st_mtime))
    assert build.fingerprint() == before
