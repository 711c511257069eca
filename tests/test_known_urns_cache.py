"""An upload's school URNs are checked against a register kept in the data cache."""

from __future__ import annotations

import pytest

from geography import school_register as schools
from uploads import validation


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    for cached in (schools._known_urns, validation.known_urns):
        cached.cache_clear()
    yield tmp_path
    for cached in (schools._known_urns, validation.known_urns):
        cached.cache_clear()


def test_known_urns_come_from_the_cache_once_built(fresh_cache, monkeypatch):
    built = validation.known_urns()
    assert built is not None and list(fresh_cache.glob("known_urns-*.parquet"))
    # 100000 is in the census (The Aldgate School, City of London); a URN is text, 6 digits.
    assert "100000" in built and all(len(u) >= 6 for u in built[:100])

    def no_workbook():
        raise AssertionError("the census workbook was read again")

    monkeypatch.setattr(schools, "read_census", no_workbook)
    for cached in (schools._known_urns, validation.known_urns):
        cached.cache_clear()
    again = validation.known_urns()
    assert again is not None and again.equals(built)
