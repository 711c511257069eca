"""The Map page with the area's own uploads, under AppTest: the example KPI return, tracker
and locality lookup map by ward, school and locality, with the figures worked out here
from the example files by hand rules (not by the app's code), small numbers protected, and
nothing of the area's own data in the shared map cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import local_user
from tests.conftest import ROOT, every_visual_as_table
from tests.test_app_map import map_numbers
from ui.visual import TABLES
from uploads.intake import read_upload

LOCAL = {"by": local_user(), "workspace": "local"}  # the laptop's user: admin of "local"

BRADFORD, LEEDS = "E08000032", "E08000035"
DEMO = ROOT / "data" / "demo"
OWN = " (your data)"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map(area: str = BRADFORD) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = area
    at.switch_page("app_pages/map.py").run()
    return _ok(at)


def _with_examples() -> AppTest:
    at = _map()
    at.button(key="map.example.load").click().run()
    assert [s.value for s in at.success] == ["Loaded the example data (synthetic) for Bradford."]
    return _ok(at)


def _show(at: AppTest, level: str, title: str) -> pd.DataFrame:
    at.radio(key="map.level").set_value(level).run()
    _ok(at)
    at.selectbox(key=f"map.indicator.{level}").select(title + OWN).run()
    every_visual_as_table(at)
    _ok(at)
    return map_numbers(at.dataframe[0].value).set_index("Code")


def _protected(count: float) -> float:
    """The published rule, by hand: 1 to 7 hidden, others to the nearest 5 (halves up)."""
    if 1 <= count <= 7:
        return math.nan
    return math.floor(count / 5 + 0.5) * 5


def _same(shown: pd.Series, expected: pd.Series) -> None:
    assert set(expected.index) <= set(shown.index)
    for code, want in expected.items():
        got = shown[code]
        assert (math.isnan(want) and pd.isna(got)) or got == want, (code, got, want)


def test_ward_counts_from_the_kpi_return_are_rounded_and_small_ones_hidden(national, store_dir):
    at = _with_examples()
    table = _show(at, "ward", "Children accessing short breaks")
    raw = pd.read_csv(DEMO / "demo_kpi_return_areas.csv", dtype={"area_code": str})
    raw = raw[raw["indicator"] == "short_breaks"].set_index("area_code")["value"]
    expected = raw.map(_protected)
    assert len(table) == 30 and set(table.index) == set(raw.index)  # Bradford's 30 wards
    _same(table["Value"], expected)
    hidden = expected.index[expected.isna()]
    assert len(hidden) > 0, "the example has small numbers on purpose"
    assert table.loc[hidden, "Not shown because"].str.contains("hidden to protect privacy").all()
    assert "Numerator" not in table.columns  # a count is its own figure


def _requests_by_hand() -> tuple[pd.Series, dt.date]:
    """Requests in the 12 months to the tracker's last date, by home ward, read from the CSV."""
    raw = pd.read_csv(DEMO / "demo_ehc_tracker.csv", dtype=str)
    dates = {
        c: pd.to_datetime(raw[c], format="%d/%m/%Y")
        for c in ("request_date", "decision_date", "issue_date")
    }
    last = max(d.max() for d in dates.values())
    inside = (dates["request_date"] > last - pd.DateOffset(years=1)) & (
        dates["request_date"] <= last
    )
    return raw[inside].groupby("ward_code").size(), last.date()


def test_tracker_requests_by_ward_match_a_count_by_hand(national, store_dir):
    at = _with_examples()
    table = _show(at, "ward", "Requests for an EHC needs assessment (12 months)")
    counts, last = _requests_by_hand()
    assert last == dt.date(2025, 3, 31)
    expected = counts.reindex(table.index, fill_value=0).map(_protected)
    _same(table["Value"], expected)
    info = " ".join(i.value for i in at.info)
    assert "the 12 months to 31 March 2025" in info and "EHC needs assessment tracker" in info
    at.toggle(key=TABLES).set_value(False).run()
    assert any("(number), the 12 months to March 2025, by wards" in c.value for c in at.caption)
    total = int(counts.sum())
    assert any(f"about {_protected(total):,.0f} requests" in c.value for c in at.caption), total


def test_localities_from_the_lookup_with_their_health_waits(national, store_dir):
    at = _with_examples()
    assert "Your localities" in at.radio(key="map.level").options
    table = _show(at, "locality", "Children seen within 18 weeks")
    raw = pd.read_csv(DEMO / "demo_kpi_return_areas.csv")
    raw = raw[raw["indicator"] == "health_seen_18wk_pct"].set_index("area_code")
    assert sorted(table["Area"]) == [f"Example locality {c}" for c in "ABCDE"]
    assert list(table.index.sort_values()) == [f"EX-{c}" for c in "ABCDE"]
    for _, row in table.iterrows():
        src = raw.loc[row["Area"]]
        # Every locality has over 30 children and over 7 seen and not seen: all shown, and the
        # percentage is worked out from the rounded counts shown beside it.
        shown = 100 * _protected(src["numerator"]) / _protected(src["denominator"])
        assert row["Value"] == round(shown, 1)
        assert row["Numerator"] == _protected(src["numerator"])
        assert row["Denominator"] == _protected(src["denominator"])
    # The map itself: five locality shapes, each the union of its wards.
    at.toggle(key=TABLES).set_value(False).run()
    deck = at.get("deck_gl_json_chart")[0].proto.json
    assert deck.count('"EX-') == 5


def test_school_percentages_grey_out_small_schools(national, store_dir):
    at = _with_examples()
    table = _show(at, "school", "Annual reviews completed within 12 months")
    raw = pd.read_csv(DEMO / "demo_kpi_return_areas.csv", dtype={"area_code": str})
    raw = raw[raw["indicator"] == "annual_reviews_12m_pct"].set_index("area_code")
    small = raw.index[raw["denominator"] < 30]
    assert len(small) > 0
    assert table.loc[small, "Value"].isna().all()
    assert table.loc[small, "Not shown because"].str.contains("fewer than 30").all()
    big = raw[
        (raw["denominator"] >= 30)
        & (raw["numerator"] > 7)
        & (raw["denominator"] - raw["numerator"] > 7)
    ]
    for urn, src in big.iterrows():
        shown = 100 * _protected(src["numerator"]) / _protected(src["denominator"])
        assert table.loc[urn, "Value"] == round(shown, 1), urn
    # Schools in the LA with no figure in the return are on the map, greyed as no data.
    assert (table["Not shown because"] == "no data: not available").sum() == len(table) - len(raw)


def test_another_areas_map_does_not_show_bradfords_uploads(national, store_dir):
    _with_examples()
    at = _map(LEEDS)
    for level in ("ward", "school"):
        at.radio(key="map.level").set_value(level).run()
        options = at.selectbox(key=f"map.indicator.{level}").options
        assert not [o for o in options if o.endswith(OWN)], (level, options)
    assert "Your localities" not in at.radio(key="map.level").options


def test_locality_figures_without_a_lookup_say_what_to_upload(national, store_dir):
    data = (DEMO / "demo_kpi_return_areas.csv").read_bytes()
    Store().save_version(
        "kpi_return",
        "Return by area",
        read_upload(data, "areas.csv", "kpi_return"),
        file_name="areas.csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        **LOCAL,
    )
    at = _map()
    assert "Your localities" not in at.radio(key="map.level").options
    at.radio(key="map.level").set_value("ward").run()
    at.selectbox(key="map.indicator.ward").select("Children accessing short breaks" + OWN).run()
    _ok(at)
    assert any("Upload a ward-to-locality lookup" in c.value for c in at.caption)


def test_own_data_maps_stay_in_the_session(national, store_dir):
    at = _with_examples()
    _show(at, "ward", "Requests for an EHC needs assessment (12 months)")
    cache = at.session_state["local.cache"]
    key, result = cache["map.local.result"]
    assert "records:ehc_tracker:requests" in key and result.protect
    # The shared (cross-session) map cache is only ever called for public data: its
    # function takes no table, and reads the national table itself.
    import inspect

    from ui.map import local as map_local
    from ui.map import views as map_views

    assert "table" not in inspect.signature(map_views.map_payload).parameters
    assert "@st.cache_data" not in inspect.getsource(map_local)
    assert np.isnan(result.table["denominator"]).all()


def test_cohort_extract_counts_each_child_once_by_home_ward(national, store_dir):
    # 12 children with an EHC plan in ward A (one of them also in the social care extract,
    # with the same local id), 3 in ward B, 9 on SEN support in ward B; none in other wards.
    a, b = "E05001341", "E05001342"  # Baildon, Bingley
    lines = ["agency,local_id,sen_status,ward_code"]
    lines += [f"education,C{i:02d},EHC plan,{a}" for i in range(12)]
    lines += ["social care,C00,,E05001341"]
    lines += [f"education,D{i:02d},EHC plan,{b}" for i in range(3)]
    lines += [f"education,S{i:02d},SEN support,{b}" for i in range(9)]
    data = "\n".join(lines).encode()
    Store().save_version(
        "cohort",
        "Cohort",
        read_upload(data, "cohort.csv", "cohort"),
        file_name="cohort.csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        **LOCAL,
    )
    at = _map()
    table = _show(at, "ward", "Children and young people with an EHC plan (cohort extract)")
    assert table.loc[a, "Value"] == 10  # 12 children, not 13 rows: rounded to the nearest 5
    assert (
        pd.isna(table.loc[b, "Value"])
        and "hidden to protect privacy" in table.loc[b, "Not shown because"]
    )
    assert (table.drop(index=[a, b])["Value"] == 0).all()  # 28 wards with no child show a true zero
    share = _show(at, "ward", "Children with SEN who have an EHC plan (cohort extract)")
    # Ward B: 3 of 12 children with SEN have a plan; 3 is hidden and so is the rate.
    assert pd.isna(share.loc[b, "Value"]) and pd.isna(share.loc[b, "Numerator"])
    # Ward A: 12 of 12, but only 12 children: under 30, greyed.
    assert "fewer than 30" in share.loc[a, "Not shown because"]


def test_a_kpi_with_several_periods_maps_any_of_them_and_shows_the_trend(national, store_dir):
    # Short breaks by ward for two years: Baildon 20 then 33, Bingley 5 then 12.
    a, b = "E05001341", "E05001342"
    lines = ["indicator,period,area_code,area_level,value"]
    lines += [
        f"short_breaks,2023/24,{a},ward,20",
        f"short_breaks,2023/24,{b},ward,5",
        f"short_breaks,2024/25,{a},ward,33",
        f"short_breaks,2024/25,{b},ward,12",
    ]
    data = "\n".join(lines).encode()
    Store().save_version(
        "kpi_return",
        "Short breaks",
        read_upload(data, "sb.csv", "kpi_return"),
        file_name="sb.csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        **LOCAL,
    )
    at = _map()
    table = _show(at, "ward", "Children accessing short breaks")
    assert (table.loc[a, "Value"], table.loc[b, "Value"]) == (35, 10)  # the latest year, rounded
    key = "map.period.ward.local:short_breaks."
    assert at.selectbox(key=key).options == ["academic year 2024/25", "academic year 2023/24"]
    at.selectbox(key=key).select("2023/24").run()
    table = map_numbers(at.dataframe[0].value).set_index("Code")
    assert table.loc[a, "Value"] == 20 and pd.isna(table.loc[b, "Value"])  # 5 is hidden
    # Baildon's trend beside the map: both years, each protected as its own map shows it.
    at.toggle(key=TABLES).set_value(False).run()
    at.selectbox(key="map.area").set_value(a).run()
    _ok(at)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert charts
    trends = at.session_state["local.cache"]["map.local.result"][1].trends
    mine = trends[trends["code"] == a].set_index("period")["value"]
    assert mine.to_dict() == {"2023/24": 20.0, "2024/25": 35.0}


def test_a_stricter_rule_for_a_workshop(national, store_dir):
    at = _with_examples()
    at.number_input(key="map.rule.threshold").set_value(10).run()
    at.number_input(key="map.rule.rounding").set_value(10).run()
    table = _show(at, "ward", "Children accessing short breaks")
    raw = pd.read_csv(DEMO / "demo_kpi_return_areas.csv", dtype={"area_code": str})
    raw = raw[raw["indicator"] == "short_breaks"].set_index("area_code")["value"]
    # By hand: 1 to 10 hidden, others to the nearest 10, halves up.
    expected = raw.map(lambda n: math.nan if 1 <= n <= 10 else math.floor(n / 10 + 0.5) * 10)
    _same(table["Value"], expected)
    assert expected.isna().sum() > raw.between(1, 7).sum()  # stricter: more wards hidden
    assert any("counts of 1 to 10 are hidden" in c.value for c in at.caption)


def test_a_stricter_rule_survives_a_visit_to_the_england_view(national, store_dir):
    at = _map()
    at.number_input(key="map.rule.threshold").set_value(12).run()
    at.radio(key="map.level").set_value("la").run()
    at.radio(key="map.level").set_value("ward").run()
    _ok(at)
    assert at.number_input(key="map.rule.threshold").value == 12
    assert any("counts of 1 to 12 are hidden" in c.value for c in at.caption)
