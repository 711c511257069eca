"""Frames derived from shipped files are built once, kept as parquet, and rebuilt when their
sources change; a damaged or unwritable cache never stops the app."""

from __future__ import annotations

import pandas as pd
import pytest

from geography import derived_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    return tmp_path


def _builder(calls: list[int]):
    def build() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame(
            {"urn": pd.array(["100000", "100001"], dtype="string"), "pupils": [250.0, None]}
        )

    return build


def test_built_once_then_read_back_equal(cache):
    calls: list[int] = []
    first = derived_cache.cached_frame("register", "k1", _builder(calls))
    second = derived_cache.cached_frame("register", "k1", _builder(calls))
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)
    assert [p.name for p in cache.iterdir()] == ["register-k1.parquet"]


def test_a_new_key_rebuilds_and_removes_the_old_file(cache):
    calls: list[int] = []
    derived_cache.cached_frame("register", "k1", _builder(calls))
    derived_cache.cached_frame("register", "k2", _builder(calls))
    assert len(calls) == 2
    assert [p.name for p in cache.iterdir()] == ["register-k2.parquet"]


def test_a_damaged_file_is_rebuilt(cache):
    (cache / "register-k1.parquet").write_bytes(b"not parquet")
    calls: list[int] = []
    frame = derived_cache.cached_frame("register", "k1", _builder(calls))
    assert len(calls) == 1 and frame["urn"].tolist() == ["100000", "100001"]
    assert pd.read_parquet(cache / "register-k1.parquet")["urn"].tolist() == ["100000", "100001"]


def test_an_unwritable_cache_still_gives_the_frame(tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(blocker / "cache"))
    calls: list[int] = []
    frame = derived_cache.cached_frame("register", "k1", _builder(calls))
    assert frame["pupils"].iloc[0] == 250.0


def test_the_key_follows_the_source_files(tmp_path):
    folder = tmp_path / "schools"
    folder.mkdir()
    census = folder / "census.csv"
    census.write_text("URN\n100000\n")
    before = derived_cache.source_key([folder])
    assert derived_cache.source_key([folder]) == before
    census.write_text("URN\n100000\n100001\n")  # a refresh: the size changes
    assert derived_cache.source_key([folder]) != before


def test_the_school_register_from_the_cache_is_the_census(cache):
    from geography import school_register

    school_register._register.cache_clear()
    try:
        built = school_register.school_register()
        school_register._register.cache_clear()
        read_back = school_register.school_register()
    finally:
        school_register._register.cache_clear()
    assert len(list(cache.glob("school_register-*.parquet"))) == 1
    pd.testing.assert_frame_equal(built, read_back)
    # england_census.xlsx, sheet "england": 24,447 rows under the heading, 3 of them "NAT" totals.
    assert len(read_back) == 24_444
