"""SEN of children in social care groups: checked against data/children_in_need/sen_la.csv and
sen_national.csv (line numbers are 1-based lines of those files)."""

from __future__ import annotations

import pandas as pd
import pytest

import tidy
from data_loaders.national import social_care
from geography import areas

CINO_EHC = social_care.breakdown("CINO at 31 March", "EHC plan")
CINO_SUPPORT = social_care.breakdown("CINO at 31 March", "SEN support")
CPPO_EHC = social_care.breakdown("CPPO at 31 March", "EHC plan")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return social_care.load_social_care()


def _row(table: pd.DataFrame, area: str, period: str, breakdown: str) -> pd.Series:
    sel = table[
        (table["area_code"] == area)
        & (table["period"] == period)
        & (table["breakdown"] == breakdown)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["indicator"]) == {"social_care_sen_pct"}
    assert set(table["source"]) == {"children_in_need"}
    assert sorted(table["period"].unique()) == [
        "2016/17",
        "2017/18",
        "2018/19",
        "2019/20",
        "2020/21",
        "2021/22",
    ]
    assert not (table["breakdown"] == "").any()


def test_england_2021_22(table: pd.DataFrame) -> None:
    # sen_la.csv line 2: 202122 National CINO at 31 March: t_pupils 139320,
    # t_SEN_support 29720, t_statement_or_EHC_plan 37460, pt_SEN_support 21.3, pt_..._EHC_plan 26.9.
    ehc = _row(table, areas.ENGLAND, "2021/22", CINO_EHC)
    assert (ehc["numerator"], ehc["denominator"], ehc["value"]) == (37460, 139320, 26.9)
    support = _row(table, areas.ENGLAND, "2021/22", CINO_SUPPORT)
    assert (support["numerator"], support["denominator"], support["value"]) == (29720, 139320, 21.3)


def test_darlington(table: pd.DataFrame) -> None:
    # sen_la.csv line 15: 202122 Darlington (841, E06000005) CINO at 31 March: 417 pupils,
    # 88 SEN support, 97 EHC plan, 21.1% and 23.3%.
    row = _row(table, "E06000005", "2021/22", CINO_EHC)
    assert (row["numerator"], row["denominator"], row["value"], row["area_level"]) == (
        97,
        417,
        23.3,
        "la",
    )
    # 201920 Darlington CPPO at 31 March: 58 pupils, counts and shares "c" (suppressed).
    row = _row(table, "E06000005", "2019/20", CPPO_EHC)
    assert pd.isna(row["value"]) and row["status"] == "suppressed" and row["denominator"] == 58


def test_london_region_only(table: pd.DataFrame) -> None:
    regions = table[table["area_level"] == "region"]
    assert set(regions["area_code"]) == set(areas.REGIONS)  # no Inner/Outer London
    # sen_la.csv line 2463: 201617 London CINO at 31 March: 26610 pupils, 7150 EHC plan, 26.9%.
    row = _row(table, "E12000007", "2016/17", CINO_EHC)
    assert (row["numerator"], row["denominator"], row["value"]) == (7150, 26610, 26.9)


def test_las_each_year(table: pd.DataFrame) -> None:
    las = table[table["area_level"] == "la"].groupby("period")["area_code"].nunique()
    assert las.to_dict() == {
        "2016/17": 152,
        "2017/18": 152,
        "2018/19": 152,
        "2019/20": 151,
        "2020/21": 151,
        "2021/22": 152,
    }
    # Old codes are read as today's: North Yorkshire's county code E10000023 is not used.
    assert "E10000023" not in set(table["area_code"]) and "E06000065" in set(table["area_code"])


def test_national_only_groups(table: pd.DataFrame) -> None:
    # sen_national.csv line 2: 202122 All pupils comparison: 8418010 pupils, 330450 EHC plan, 3.9%.
    row = _row(
        table, areas.ENGLAND, "2021/22", social_care.breakdown("All pupils comparison", "EHC plan")
    )
    assert (row["numerator"], row["denominator"], row["value"]) == (330450, 8418010, 3.9)
    only_england = table[table["breakdown"].str.contains("All pupils comparison", regex=False)]
    assert set(only_england["area_code"]) == {areas.ENGLAND}


def test_both_files_agree_where_they_overlap(table: pd.DataFrame) -> None:
    national = social_care.read_national_file()
    overlap = national[national["social_care_group"].isin(["CINO at 31 March", "CPPO at 31 March"])]
    for rec in overlap.itertuples():
        row = _row(
            table,
            areas.ENGLAND,
            rec.period,
            social_care.breakdown(rec.social_care_group, "EHC plan"),
        )
        assert row["value"] == float(rec.pt_statement_or_EHC_plan)
        assert row["numerator"] == float(rec.t_statement_or_EHC_plan)
