"""A first start builds the national table once, with progress, even where the cache cannot
be written (a read-only install)."""

from __future__ import annotations

from data_loaders import build
from ui import data


def test_a_read_only_install_builds_the_table_once(monkeypatch):
    calls: list[str] = []
    table = object()

    def load_tidy(rebuild: bool = False, progress=None):
        calls.append("build")
        if progress is not None:
            progress(1, 12, "sen2_2025")
            progress(12, 12, "lait")
        return table

    monkeypatch.setattr(data, "_checked_in_this_process", [])
    monkeypatch.setattr(data, "_built", [])
    monkeypatch.setattr(build, "cache_is_current", lambda: False)  # the write never lands
    monkeypatch.setattr(build, "load_tidy", load_tidy)
    monkeypatch.setattr(data, "load_tidy", load_tidy)
    data.national_table.clear()
    try:
        data.build_national_with_progress()
        data.build_national_with_progress()  # a later run checks nothing
        assert data.national_table() is table
        assert calls == ["build"]
    finally:
        data.national_table.clear()


def test_a_current_cache_builds_nothing_with_progress(monkeypatch):
    monkeypatch.setattr(data, "_checked_in_this_process", [])
    monkeypatch.setattr(data, "_built", [])
    monkeypatch.setattr(build, "cache_is_current", lambda: True)

    def no_build(*args, **kwargs):
        raise AssertionError("built although the cache was current")

    monkeypatch.setattr(build, "load_tidy", no_build)
    data.build_national_with_progress()
    assert data._checked_in_this_process == [True] and data._built == []


def test_a_first_start_that_wrote_the_cache_does_not_read_it_back(monkeypatch):
    calls: list[str] = []
    table = object()

    def load_tidy(rebuild: bool = False, progress=None):
        calls.append("build" if progress is not None else "read")
        return table

    current = iter([False, True])  # no cache before the build; written by it
    monkeypatch.setattr(data, "_checked_in_this_process", [])
    monkeypatch.setattr(data, "_built", [])
    monkeypatch.setattr(build, "cache_is_current", lambda: next(current))
    monkeypatch.setattr(build, "load_tidy", load_tidy)
    monkeypatch.setattr(data, "load_tidy", load_tidy)
    data.national_table.clear()
    try:
        data.build_national_with_progress()
        assert data.national_table() is table
        assert calls == ["build"], "the table just built is used, not read again from disk"
    finally:
        data.national_table.clear()
