"""A first start reads Home's sources with progress, builds the rest of the national table once
in the background (even where the cache cannot be written: a read-only install), and every
page but Home's figures waits for the whole table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from data_loaders import build
from ui import data


class FakeRebuild:
    """``build.Rebuild`` without reading anything: ``finish`` waits for ``release``."""

    made: ClassVar[list[FakeRebuild]] = []

    def __init__(self, progress=None, workers=None):
        self.calls: list[str] = []
        self.first_table, self.whole_table = object(), object()
        self.release = threading.Event()
        self.progress = progress
        FakeRebuild.made.append(self)

    def first(self):
        self.calls.append("first")
        if self.progress is not None:
            self.progress(1, 5, "sen2_2025")
            self.progress(5, 5, "tribunals_2026")
        return self.first_table

    def finish(self):
        assert self.release.wait(30), "the test never let the build finish"
        self.calls.append("finish")
        return self.whole_table


def with_stand_in_build(monkeypatch, read) -> Iterator[list[FakeRebuild]]:
    """A process with no current cache whose build is a ``FakeRebuild`` and whose reads of
    the national table go to ``read``; every build is let finish afterwards. Also used by
    tests/test_server_start.py."""
    FakeRebuild.made.clear()
    names = ("_checked_in_this_process", "_built", "_first", "_finishing", "_whole_table_read")
    for name in (*names, "_first_start"):
        monkeypatch.setattr(data, name, [])
    monkeypatch.setattr(build, "cache_is_current", lambda: False)
    monkeypatch.setattr(build, "Rebuild", FakeRebuild)
    monkeypatch.setattr(data, "load_tidy", read)
    # A table cached by an earlier test in this worker would answer instead of the build's.
    data.national_table.clear()
    data._headline_rows.clear()
    yield FakeRebuild.made
    for made in FakeRebuild.made:
        made.release.set()
    for thread in data._finishing:
        thread.join()
    data.national_table.clear()
    data._headline_rows.clear()


@pytest.fixture
def first_start(monkeypatch):
    """A process with no current cache (a read-only install: the write never lands)."""

    def no_read(*args, **kwargs):
        raise AssertionError("the table was read or built again")

    monkeypatch.setattr(build, "load_tidy", no_read)
    yield from with_stand_in_build(monkeypatch, no_read)


def test_homes_figures_come_first_and_every_other_page_waits_for_the_whole_table(first_start):
    data.build_national_with_progress()
    data.build_national_with_progress()  # a later run checks nothing
    [rebuild] = first_start
    assert rebuild.calls == ["first"], "the rest is built after Home's sources, not before"
    # Home's indicators from the first sources while the rest is being built ...
    assert data._table_for("ehc_plans") is rebuild.first_table
    assert data._table_for("tribunal_appeal_rate") is rebuild.first_table
    # ... any other indicator (and every other page) waits for the whole table.
    got: list[object] = []
    waiting = threading.Thread(target=lambda: got.append(data._table_for("ehc_ceased")))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive() and got == [], "a page got a table before it was whole"
    rebuild.release.set()
    waiting.join(30)
    assert got == [rebuild.whole_table]
    assert rebuild.calls == ["first", "finish"]
    assert data.national_table() is rebuild.whole_table
    assert data._table_for("ehc_plans") is rebuild.whole_table, "Home too, once it is whole"


def test_a_failed_background_build_is_built_again_where_the_page_sees_the_error(
    first_start, monkeypatch
):
    def fail(self):
        raise OSError("disk gone")

    monkeypatch.setattr(FakeRebuild, "finish", fail)
    data.build_national_with_progress()
    for thread in data._finishing:
        thread.join()
    again = object()
    monkeypatch.setattr(data, "load_tidy", lambda: again)
    assert data._first == [], "Home no longer uses a table whose rest failed"
    assert data.national_table() is again


def test_a_current_cache_builds_nothing_with_progress(monkeypatch):
    monkeypatch.setattr(data, "_checked_in_this_process", [])
    monkeypatch.setattr(data, "_built", [])
    monkeypatch.setattr(data, "_first", [])
    monkeypatch.setattr(data, "_first_start", [])
    monkeypatch.setattr(build, "cache_is_current", lambda: True)

    def no_build(*args, **kwargs):
        raise AssertionError("built although the cache was current")

    monkeypatch.setattr(build, "Rebuild", no_build)
    monkeypatch.setattr(build, "load_tidy", no_build)
    data.build_national_with_progress()
    assert data._checked_in_this_process == [True] and data._built == [] and data._first == []
