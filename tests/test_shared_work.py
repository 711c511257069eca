"""Work that does not depend on the session is done once and shared, so twenty people at once
do not each pay for it (benchmarks/load.py measures the effect)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import analysis.profile
from tests.conftest import ROOT


def _home(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = area
    return at.run()


def test_a_second_session_on_home_reuses_the_headlines(national, monkeypatch):
    from ui import data

    calls: list[tuple[str, str]] = []
    real = analysis.profile.headline

    def counting(table, indicator, area):
        calls.append((indicator, area))
        return real(table, indicator, area)

    monkeypatch.setattr(analysis.profile, "headline", counting)
    data.headline.clear()
    data.headline_table.clear()

    first = _home("E08000032")  # Bradford
    assert not first.exception
    # Ten tiles, each a headline; the table beside them asks for the same ten.
    assert len(set(calls)) == 10
    calls.clear()

    second = _home("E08000032")
    assert not second.exception
    assert calls == []
    # The shared answer is the published figure: caseload.csv.gz, Bradford, January 2025.
    tile = next(m for m in second.metric if m.label == "EHC plans")
    assert (tile.value, tile.delta) == ("7,493", "+1,019")
