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


def test_a_chart_is_validated_on_its_first_draw_only(national, monkeypatch):
    import altair as alt

    from ui import visual

    validated: list[str] = []
    real = alt.SchemaBase.validate.__func__

    def counting(cls, instance, schema=None):
        # Whole charts only: building an Axis or a Scale validates that part as it is made.
        if cls.__name__.endswith("Chart"):
            validated.append(cls.__name__)
        return real(cls, instance, schema)

    monkeypatch.setattr(alt.SchemaBase, "validate", classmethod(counting))
    monkeypatch.setattr(visual, "_VALIDATED", set(), raising=False)

    def local_profile(area: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["area"] = area
        at.run()
        return at.switch_page("app_pages/local_profile.py").run()

    first = local_profile("E08000032")
    assert not first.exception
    # The first tab's charts (four trends, primary need, age), each validated once.
    assert len(validated) >= 6
    assert {"profile.rate", "profile.plans", "profile.need", "profile.age"} <= visual._VALIDATED
    validated.clear()

    second = local_profile("E06000051")  # Shropshire: other data, the same charts
    assert not second.exception
    assert validated == []
    assert "Local profile: Shropshire" in second.title[0].value


def test_skipping_validation_leaves_the_spec_unchanged(national):
    from analysis.profile import comparison_series
    from ui import charts, visual

    chart = charts.trend_chart(comparison_series(national, "ehc_plans_rate", "E08000032"), "x")
    expected = chart.to_dict()
    visual._skip_validation(chart)
    assert chart.to_dict() == expected
    assert "to_dict" not in expected  # the switch is not part of the chart


def test_a_second_session_reuses_the_local_profile_trends(national, monkeypatch):
    from ui.profile import views

    calls: list[tuple[str, str]] = []
    real = views.comparison_series

    def counting(table, indicator, area, breakdown=""):
        calls.append((indicator, area))
        return real(table, indicator, area, breakdown)

    monkeypatch.setattr(views, "comparison_series", counting)
    views._trend_frames.clear()

    def local_profile(area: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["area"] = area
        at.run()
        return at.switch_page("app_pages/local_profile.py").run()

    first = local_profile("E08000032")
    assert not first.exception
    # The first tab's four trends: plans per 10,000, plans, pupils with a plan, SEN support.
    assert set(calls) == {
        (i, "E08000032") for i in ("ehc_plans_rate", "ehc_plans", "sen_ehc_pct", "sen_support_pct")
    }
    calls.clear()

    second = local_profile("E08000032")
    assert not second.exception
    assert calls == []
    # The shared table is still the published series: caseload.csv.gz, Bradford, January 2025.
    _, table = views._trend_frames("ehc_plans", "E08000032")
    assert table.set_index("Period").at["2024/25", "Bradford"] == 7493
