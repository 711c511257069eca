"""Absence by SEN: checked against data/send_ap_dashboard/absence_by_sen.csv (line numbers are
1-based lines of that file, a value-for-value CSV copy of the ``absence`` table in DfE's
SEND and AP dashboard workspace ``prepared_data.Rdata``)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import indicators
import tidy
from data_loaders.national import absence_by_sen
from geography import areas

EHC = "sen_provision=EHC plan"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    # Both indicators, whether or not the catalogue has an entry for each yet.
    overall = indicators.CATALOGUE["absence_overall_pct"]
    both = {i: dataclasses.replace(overall, id=i) for i in absence_by_sen.MEASURES.values()}
    return absence_by_sen.load_absence_by_sen(catalogue=both)


def test_only_catalogued_indicators_by_default() -> None:
    default = absence_by_sen.load_absence_by_sen()
    expected = set(absence_by_sen.MEASURES.values()) & set(indicators.CATALOGUE)
    assert set(default["indicator"]) == expected


def _value(table: pd.DataFrame, indicator: str, area: str, period: str, breakdown: str) -> float:
    sel = table[
        (table["indicator"] == indicator)
        & (table["area_code"] == area)
        & (table["period"] == period)
        & (table["breakdown"] == breakdown)
    ]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["indicator"]) == {"absence_overall_pct", "absence_unauthorised_pct"}
    assert set(table["source"]) == {"absence_by_sen"}
    assert set(table["breakdown"]) == {
        "sen_provision=EHC plan",
        "sen_provision=SEN support",
        "sen_provision=No SEN",
        "sen_provision=All SEN",
    }
    assert sorted(table["period"].unique()) == [
        "2016/17",
        "2017/18",
        "2018/19",
        "2020/21",
        "2021/22",
        "2022/23",
    ]


def test_england_2022_23(table: pd.DataFrame) -> None:
    # Line 8738: "202223,National,EHCP or Statement,England,,,Overall,12.42,2022/23"
    assert _value(table, "absence_overall_pct", areas.ENGLAND, "2022/23", EHC) == 12.42
    # Line 8740: "202223,National,EHCP or Statement,England,,,Unauthorised,3.32,2022/23"
    assert _value(table, "absence_unauthorised_pct", areas.ENGLAND, "2022/23", EHC) == 3.32


def test_darlington_2016_17(table: pd.DataFrame) -> None:
    # Line 6488: "201617,Local authority,EHCP or Statement,North East,E06000005,Darlington,Overall,9.35,2016/17"
    assert _value(table, "absence_overall_pct", "E06000005", "2016/17", EHC) == 9.35


def test_region_by_name(table: pd.DataFrame) -> None:
    # Line 2: "201718,Regional,EHCP or Statement,East Midlands,,,Overall,8.89,2017/18"
    assert _value(table, "absence_overall_pct", "E12000004", "2017/18", EHC) == 8.89
    regions = set(table.loc[table["area_level"] == "region", "area_code"])
    # Inner and Outer London are published instead of London: no London row.
    assert regions == set(areas.REGIONS) - {"E12000007"}


def test_every_current_la_in_latest_year_except_cumbrias_successors(table: pd.DataFrame) -> None:
    latest = table[(table["period"] == "2022/23") & (table["area_level"] == "la")]
    missing = set(areas.current_las()["la_code"]) - set(latest["area_code"])
    # 2022/23 predates the April 2023 split of Cumbria, which is there instead.
    assert missing == {"E06000063", "E06000064"}
    assert "E10000006" in set(latest["area_code"])
    assert "E10000023" not in set(table["area_code"])  # old North Yorkshire code is aliased


def test_csv_matches_the_r_workspace_row_count() -> None:
    # prepared_data.Rdata's absence table has 11,724 rows (9 columns); the CSV keeps them all.
    raw = absence_by_sen.read_absence()
    assert raw.shape == (11_724, 9)
