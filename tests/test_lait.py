"""LAIT loader: checked against values read by hand from data/lait/bds_long_0.parquet.

Row numbers below are positions in the parquet file as pandas reads it
(``pd.read_parquet(...).loc[row]``).
"""

from __future__ import annotations

import pandas as pd
import pytest

import indicators
import tidy
from data_loaders.national import lait
from geography import areas

ENGLAND = areas.ENGLAND
DARLINGTON = "E06000005"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return lait.load_lait()


def _value(table: pd.DataFrame, indicator: str, area: str, period: str) -> pd.Series:
    sel = table[
        (table["indicator"] == indicator)
        & (table["area_code"] == area)
        & (table["period"] == period)
    ]
    assert len(sel) == 1, f"{indicator} {area} {period}: {len(sel)} rows"
    return sel.iloc[0]


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["source"]) == {"lait"}
    assert table["numerator"].isna().all() and table["denominator"].isna().all()


def test_every_lait_indicator_has_rows(table: pd.DataFrame) -> None:
    wanted = {i.id for i in indicators.CATALOGUE.values() if i.lait_code}
    assert wanted == set(table["indicator"])


def test_ehc_pct_latest_year_england_and_darlington(table: pd.DataFrame) -> None:
    # Row 314488: SEN_TotStat, Years "2025", England, Values "5.3" (DfE's January 2025 figure).
    row = _value(table, "sen_ehc_pct", ENGLAND, "2024/25")
    assert row["value"] == pytest.approx(5.3)
    assert row["status"] == "" and row["area_level"] == "national"
    # Row 314363: SEN_TotStat, Years "2025", Darlington (841), Values "6.4".
    assert _value(table, "sen_ehc_pct", DARLINGTON, "2024/25")["value"] == pytest.approx(6.4)


def test_january_census_year_is_the_academic_year_it_falls_in(table: pd.DataFrame) -> None:
    # LAIT "2025" for a January census measure is January 2025, i.e. 2024/25.
    assert lait.lait_period("2025", "academic", "Academic Year") == "2024/25"
    assert lait.lait_period("2025", "academic", "Annual - January") == "2024/25"
    assert "2025" not in set(table.loc[table["indicator"] == "sen_ehc_pct", "period"])
    # Row 236458: LAC_SEN_Statement "2017" England 26.4, which DfE publishes for 2016/17
    # (data/children_in_need/sen_la.csv, CLA 12 months at 31 March, 201617, 26.4).
    assert _value(table, "cla_ehc_pct", ENGLAND, "2016/17")["value"] == pytest.approx(26.4)


@pytest.mark.parametrize(
    ("years", "period_type", "year_type", "expected"),
    [
        ("2016-17", "financial", "Financial Year", "2016/17"),
        ("2016-17 (OT)", "financial", "Financial Year", "2016/17"),
        ("2015/16", "academic", "Academic Year", "2015/16"),
        ("2025 (prov)", "academic", "Academic Year", "2024/25"),
        ("2024 (Rev)", "calendar", "Calendar Year", "2024"),
        ("2025", "calendar", "Financial Year", "2025"),
        ("2016", "academic", None, "2015/16"),
        ("2014-16", "calendar", "Calendar Year", None),
        ("2013/14-15/16", "academic", "Academic Year", None),
        ("0", "academic", "Academic Year", None),
    ],
)
def test_lait_period(
    years: str, period_type: str, year_type: str | None, expected: str | None
) -> None:
    assert lait.lait_period(years, period_type, year_type) == expected


def test_contradictory_year_type_is_refused() -> None:
    with pytest.raises(lait.LaitPeriodError):
        lait.lait_period("2024", "academic", "Calendar Year")


def test_outturn_provisional_and_calendar_years(table: pd.DataFrame) -> None:
    # Row 11888: SENFinance "2024-25 (OT)" England 110.
    assert _value(table, "sen_unit_cost", ENGLAND, "2024/25")["value"] == 110
    # Row 588358: KS1P_EHCP "2025 (prov)" England 20 (provisional, kept).
    assert _value(table, "phonics_ehc", ENGLAND, "2024/25")["value"] == 20
    # Row 514578: "16-17 NEET" "2025" England 3.4; a calendar measure keeps its year.
    assert _value(table, "neet_16_17_pct", ENGLAND, "2025")["value"] == pytest.approx(3.4)


def test_dash_becomes_missing_with_status(table: pd.DataFrame) -> None:
    # Row 242068: NEW_KS2_RWM_Sen_Withsta "2020" England "-" (no KS2 tests in 2019/20).
    row = _value(table, "ks2_rwm_ehc", ENGLAND, "2019/20")
    assert pd.isna(row["value"]) and row["status"] == "not_available"


def test_all_current_las_regions_and_england_in_latest_year(table: pd.DataFrame) -> None:
    latest = table[(table["indicator"] == "sen_ehc_pct") & (table["period"] == "2024/25")]
    current = set(areas.current_las()["la_code"])
    assert len(current) == 153
    assert current <= set(latest["area_code"])
    assert latest.loc[latest["area_code"].isin(current), "value"].notna().all()
    assert set(latest.loc[latest["area_level"] == "region", "area_code"]) == set(areas.REGIONS)
    # Row 314360: Cumbria "2025" is "-": a former LA's blank years are dropped.
    assert "E10000006" not in set(latest["area_code"])


def test_only_inner_and_outer_london_lack_a_code() -> None:
    bds = lait.read_bds()
    numbers = bds["LA Number"].drop_duplicates()
    codes = lait.area_codes(numbers)
    unmapped = set(numbers[codes.isna()].astype(int))
    assert unmapped == {987, 988}
    # Their rows are the only ones lost, and they are a small share of the table.
    lost = bds["LA Number"].isin(list(unmapped)).sum()
    assert lost == 2 * len(bds) // bds["LA Number"].nunique()


def test_aliases_are_applied(table: pd.DataFrame) -> None:
    codes = set(table["area_code"])
    assert "E06000065" in codes and "E10000023" not in codes  # North Yorkshire (815)
    assert "E06000066" in codes and "E10000027" not in codes  # Somerset (933)


def test_dictionary() -> None:
    d = lait.lait_dictionary()
    for col in (
        "Measure_short",
        "Polarity",
        "Description",
        "Methodology",
        "Data Owner",
        "Hyperlink",
    ):
        assert col in d.columns
    assert d["Measure_short"].is_unique
    row = d[d["Measure_short"] == "SEN_TotStat"].iloc[0]
    assert row["Data Owner"] == "DfE" and row["Year_Type"] == "Academic Year"
    codes = {i.lait_code for i in indicators.CATALOGUE.values() if i.lait_code}
    assert codes <= set(d["Measure_short"])
