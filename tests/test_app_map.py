"""The Map page under AppTest: every level runs for several LAs, the England view works for
catalogue indicators of every kind, and the table view shows the published figures (read
by hand from the raw files) with small numbers protected."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, every_visual_as_table, shown_numbers
from ui.visual import TABLES

LEVELS = ["school", "ward", "sub_icb", "la"]
AREAS = ["E08000032", "E06000063", "E10000030", "E09000001"]  # incl. Cumberland, Surrey, City


def _map(area: str, level: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = area
    at.run()
    at.switch_page("app_pages/map.py").run()
    if level:
        at.radio(key="map.level").set_value(level).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest) -> pd.DataFrame:
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    return map_numbers(at.dataframe[0].value)


def map_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """The map's table with its figures read back as numbers (a gap's reason as NaN)."""
    numbers = ("Value", "Numerator", "Denominator", "Schools", "Rank")
    return shown_numbers(table, *[c for c in numbers if c in table.columns])


def _deck(at: AppTest) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert decks, "no map drawn"
    return json.loads(decks[0].proto.json)


@pytest.mark.parametrize("area", AREAS)
def test_every_level_runs(area, national):
    at = _map(area)
    assert at.title[0].value.startswith("Map: ")
    for level in LEVELS:
        at.radio(key="map.level").set_value(level).run()
        assert not at.exception, (level, [e.value for e in at.exception])
        spec = _deck(at)
        # No basemap tiles: the boundaries are the base, so the map works offline. pydeck's
        # map_provider=None writes this sentinel, which Streamlit's frontend reads as "no
        # basemap"; without it (even with map_style=None) Streamlit fetches Carto's tiles.
        assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
        assert {"areas", "schools"} & {layer["id"] for layer in spec["layers"]}


def test_where_they_go_to_school_is_said_plainly(national):
    at = _map("E08000032", "ward")
    info = " ".join(i.value for i in at.info)
    assert "where they go to school, not where they live" in info


@pytest.mark.parametrize(
    "indicator",
    [
        "ehc_plans",
        "eyfs_gld_ehc",
        "ehc_20wk_pct",
        "sen_unit_cost",
        "absence_overall_pct",
        "school_ehc_pct",
    ],
)
def test_england_la_view_for_catalogue_indicators(indicator, national):
    at = _map("E08000032", "la")
    at.selectbox(key="map.indicator.la").set_value(indicator).run()
    assert not at.exception, [e.value for e in at.exception]
    areas = next(layer for layer in _deck(at)["layers"] if layer["id"] == "areas")
    assert len(areas["data"]["features"]) == 153
    table = _table(at)
    assert len(table) == 153 and table["Value"].notna().sum() >= 140


def test_england_la_table_shows_published_values(national):
    at = _map("E08000032", "la")
    at.selectbox(key="map.indicator.la").set_value("ehc_plans").run()
    row = _table(at).set_index("Code").loc["E08000032"]
    # caseload.csv.gz, Bradford, January 2025: 7,493 EHC plans, shown as published.
    assert row["Value"] == 7493
    assert "Disclosure control" not in _table(at).columns


def test_england_la_map_of_an_earlier_year(national):
    at = _map("E08000032", "la")
    at.selectbox(key="map.indicator.la").set_value("ehc_plans").run()
    key = "map.period.la.ehc_plans."
    periods = at.selectbox(key=key).options
    assert periods[0] == "January 2025" and "January 2020" in periods  # newest first, in words
    at.selectbox(key=key).select("2019/20").run()
    table = _table(at).set_index("Code")
    # caseload.csv.gz, "All EHC plans", time_period 201920: Bradford 4,028, Leeds 4,339.
    assert table.loc["E08000032", "Value"] == 4028 and table.loc["E08000035", "Value"] == 4339
    at.toggle(key=TABLES).set_value(False).run()
    assert any("January 2020" in c.value for c in at.caption)


def test_school_table_matches_the_census_and_hides_small_numbers(national):
    table = _table(_map("E08000032", "school")).set_index("Code")
    # england_census.xlsx, URN 144860 Hollingwood Primary School: 33 of 472 pupils with an
    # EHC plan, PSENELSE 0.0699 -> 7.0%. Counts are rounded (35 of 470), and the percentage
    # beside them is worked out from them, not from the true counts: 100 * 35 / 470 = 7.45 -> 7.4.
    row = table.loc["144860"]
    assert (row["Value"], row["Numerator"], row["Denominator"]) == (7.4, 35, 470)
    # URN 107237 Stocks Lane Primary School: 6 of 208, so the count and the rate are hidden.
    small = table.loc["107237"]
    assert pd.isna(small["Value"]) and pd.isna(small["Numerator"])
    assert (
        small["Not shown because"]
        == "fewer than 8 pupils with an EHC plan: hidden to protect privacy"
    )
    assert "suppressed (1 to 7)" in small["Disclosure control"]


def test_ward_table_sums_its_schools(national):
    table = _table(_map("E08000032", "ward")).set_index("Code")
    # Bingley Rural (E05001343): its 10 schools have 326 pupils with an EHC plan of 5,383
    # on roll in the census (summed by hand): 6.1%, shown as 325 of 5,385, so the percentage
    # shown is 100 * 325 / 5,385 = 6.04 -> 6.0.
    row = table.loc["E05001343"]
    assert (row["Value"], row["Numerator"], row["Denominator"], row["Schools"]) == (
        6.0,
        325,
        5385,
        10,
    )
    assert len(table) == 30  # Bradford's wards


def test_choosing_an_area_shows_its_details_and_trend(national):
    at = _map("E08000032", "ward")
    at.selectbox(key="map.area").set_value("E05001343").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["6.0%"]  # 325 of 5,385 shown: see above
    text = " ".join(m.value for m in at.markdown)
    assert "Bingley Rural" in text and "England: 4.8%" in text
    # The LA's own trend is drawn beside it (no trend exists by ward: one census year).
    assert at.get("vega_lite_chart")
    at.radio(key="map.level").set_value("la").run()  # the ward is not an LA: selection clears
    assert at.session_state["map.area"] is None and not at.exception


def test_england_wards_and_localities(national):
    at = _map("E06000063", "ward")
    at.radio(key="map.scope").set_value("england").run()
    assert not at.exception
    areas = next(layer for layer in _deck(at)["layers"] if layer["id"] == "areas")
    assert len(areas["data"]["features"]) == 6862
    at.radio(key="map.level").set_value("sub_icb").run()
    assert len(_table(at)) == 106
