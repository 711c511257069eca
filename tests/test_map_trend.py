"""The England map's trend for a clicked council (issue 13 finding 12): a count is drawn as
an index so the council is not a flat line on England's axis, and the legend keeps every name."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import mapping
from analysis.profile import comparison_series
from ui import charts

WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def indexed(national) -> pd.DataFrame:
    table = getattr(national, "frame", national)
    return mapping.indexed_trend(comparison_series(table, "ehc_plans", WESTMINSTER))


def _at(frame: pd.DataFrame, role: str, period: str) -> pd.Series:
    (row,) = frame[(frame["role"] == role) & (frame["period"] == period)].itertuples()
    return row


def test_each_line_is_100_in_the_base_year_on_its_own_scale(indexed: pd.DataFrame) -> None:
    assert set(indexed["base_period"]) == {"2009/10"}
    for role in ("area", "region", "England"):
        assert _at(indexed, role, "2009/10").index == pytest.approx(100)
    # By hand: Westminster 1,429 / 825 * 100 = 173.2; England 638,745 / 228,221 * 100 = 279.9.
    assert _at(indexed, "area", "2024/25").index == pytest.approx(173.21, abs=0.01)
    assert _at(indexed, "England", "2024/25").index == pytest.approx(279.88, abs=0.01)
    # The counts stay for the tooltip.
    assert _at(indexed, "area", "2024/25").value == 1429


def test_base_is_the_first_period_every_line_has() -> None:
    frame = pd.DataFrame(
        {
            "period": ["2019/20", "2020/21", "2020/21", "2021/22", "2021/22"],
            "role": ["England", "England", "area", "England", "area"],
            "name": ["England", "England", "A", "England", "A"],
            "value": [90.0, 100.0, 4.0, 120.0, 6.0],
        }
    )
    out = mapping.indexed_trend(frame)
    assert list(out["period"]) == ["2020/21", "2020/21", "2021/22", "2021/22"]
    assert dict(zip(out["name"] + out["period"], out["index"])) == {
        "England2020/21": 100.0,
        "A2020/21": 100.0,
        "England2021/22": 120.0,
        "A2021/22": 150.0,
    }


def test_chart_plots_the_index_and_keeps_england_in_the_legend(indexed: pd.DataFrame) -> None:
    spec = charts.trend_chart(indexed, "Index (2009/10 = 100)", "index", 1).to_dict()
    layer = spec["layer"][0]["encoding"]
    assert layer["y"]["field"] == "index"
    assert layer["color"]["scale"]["domain"] == ["Westminster", "London", "England"]
    assert layer["color"]["legend"]["columns"] == 1  # stacked: a narrow column cuts no name
    assert {t["field"] for t in layer["tooltip"]} >= {"index", "value"}
    # The council's own line spans most of the axis, not a sliver along zero.
    area = indexed[indexed["role"] == "area"]["index"]
    assert area.max() - area.min() > 0.3 * (indexed["index"].max() - indexed["index"].min())


def test_each_series_is_told_apart_by_dash_and_shape_not_colour_alone(
    indexed: pd.DataFrame,
) -> None:
    """The line carries the dash and the points the shape, each on the mark that draws it:
    a shape on a line or a dash on a filled point draws nothing and cost the browser ~3 ms a
    chart (benchmarks/README.md, "Stop 28")."""
    line, points = charts.trend_chart(indexed, "Index", "index").to_dict()["layer"]
    assert line["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    names = ["Westminster", "London", "England"]
    assert line["encoding"]["strokeDash"]["scale"]["domain"] == names
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3], [2, 2]]
    assert points["encoding"]["shape"]["field"] == "name"
    assert "shape" not in line["encoding"] and "strokeDash" not in points["encoding"]
    assert line["encoding"]["color"] == points["encoding"]["color"]


def test_map_page_draws_the_clicked_councils_count_as_an_index(national) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=120)
    at.query_params["area"] = WESTMINSTER
    at.run()
    at.switch_page("app_pages/map.py").run()
    at.radio(key="map.level").set_value("la").run()
    at.selectbox(key="map.indicator.la").set_value("ehc_plans").run()
    at.selectbox(key="map.area").set_value(WESTMINSTER).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "100 is its own figure in 2009/10" in captions
    assert "Westminster had 825 then and 1,429 in 2024/25" in captions
    assert "counted changed in 2022/23 (January 2023, a new DfE return of EHC plans)" in captions
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    encoding = spec["layer"][0]["encoding"]
    assert encoding["y"]["field"] == "index"
    assert encoding["y"]["title"] == "Index (2009/10 = 100)"
    assert "England" in encoding["color"]["scale"]["domain"]
