"""Work that does not depend on the session is done once and shared, so twenty people at once
do not each pay for it (benchmarks/load.py measures the effect)."""

from __future__ import annotations

import pandas as pd
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
    visual._public_spec.clear()  # finished charts from earlier tests would never be validated

    def local_profile(area: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["area"] = area
        at.run()
        return at.switch_page("app_pages/local_profile.py").run()

    first = local_profile("E08000032")
    assert not first.exception
    # The first tab's four trends, each validated once.
    assert len(validated) >= 4
    assert {"profile.rate", "profile.plans", "profile.ehc_pupils"} <= visual._VALIDATED
    first.session_state["profile.tab"] = "Needs and ages"
    assert not first.run().exception
    assert {"profile.need", "profile.age"} <= visual._VALIDATED
    validated.clear()

    second = local_profile("E06000051")  # Shropshire: other data, the same charts
    second.session_state["profile.tab"] = "Needs and ages"
    assert not second.run().exception
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


def _local_profile(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = area
    at.run()
    return at.switch_page("app_pages/local_profile.py").run()


def _chart_rows(at: AppTest, title: str):
    """The rows drawn in the chart named ``title`` (its Arrow datasets, read back)."""
    import json

    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        if json.loads(chart.proto.spec).get("description") == title:
            frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
            return pd.concat(frames, ignore_index=True)
    raise AssertionError(f"no chart named {title!r}")


def test_a_second_session_draws_the_local_profile_charts_without_building_them(
    national, monkeypatch
):
    from ui import visual
    from ui.profile import views

    built: list[str] = []
    real = views.charts.trend_chart

    def counting(frame, *args, **kwargs):
        built.append(str(frame["name"].iloc[0]))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(views.charts, "trend_chart", counting)
    visual._public_spec.clear()

    title = "Number of EHC plans in January, by year"
    first = _local_profile("E08000032")
    assert not first.exception
    assert len(built) == 4  # the first tab's four trends
    built.clear()

    second = _local_profile("E08000032")
    assert not second.exception
    assert built == []
    # The same message as the first session's, and still the published figure:
    # caseload.csv.gz, Bradford, January 2025.
    assert [c.proto.spec for c in second.get("vega_lite_chart")] == [
        c.proto.spec for c in first.get("vega_lite_chart")
    ]
    rows = _chart_rows(second, title)
    assert rows.set_index("period").at["2024/25", "value"] == 7493

    # Another area is a chart of its own, with its own figures (Shropshire: 3,016 plans in
    # January 2025, the same file).
    other = _local_profile("E06000051")
    assert not other.exception
    assert len(built) == 4
    shropshire = _chart_rows(other, title).set_index("period")
    assert shropshire.at["2024/25", "value"] == 3016
    assert set(shropshire["name"]) == {"Shropshire"}


def test_a_finished_spec_sends_what_altair_chart_sends():
    def draw_both():
        import altair as alt
        import pandas as pd
        import streamlit as st

        from ui.visual import vega_lite_spec

        frame = pd.DataFrame({"period": ["2023", "2024"], "value": [1.5, 2.5]})
        chart = alt.Chart(frame).mark_line().encode(x="period:O", y="value:Q")
        st.altair_chart(chart.properties(description="A"), width="stretch")
        spec = vega_lite_spec(chart.properties(description="A"))
        st.vega_lite_chart(spec, width="stretch")
        st.vega_lite_chart(spec, width="stretch")  # a spec can be drawn again, unchanged

    at = AppTest.from_function(draw_both).run()
    assert not at.exception
    altair, cached, again = (c.proto for c in at.get("vega_lite_chart"))
    assert cached.spec == altair.spec
    assert [(d.name, d.data.data) for d in cached.datasets] == [
        (d.name, d.data.data) for d in altair.datasets
    ]
    assert len(cached.datasets) == 1
    assert again.SerializeToString() == cached.SerializeToString()
