"""NEET or not known at 16-17 by SEND status: checked against the DfE NCCIS dashboard files
in /work/shared/data/raw/neet_send/ (read by hand; the shipped file keeps their rows as they are)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tidy
from data_loaders.national import neet
from geography import areas
from tests.conftest import ROOT, every_visual_as_table, shown_numbers

BRADFORD = "E08000032"
YORKSHIRE = "E12000003"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return neet.load_neet()


def _row(table: pd.DataFrame, indicator: str, area: str, period: str) -> pd.Series:
    sel = table[
        (table["indicator"] == indicator)
        & (table["area_code"] == area)
        & (table["period"] == period)
    ]
    assert len(sel) == 1, (indicator, area, period, len(sel))
    return sel.iloc[0]


def test_contract_and_coverage(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["source"]) == {"neet_send"}
    assert sorted(table["period"].unique()) == ["2022", "2023", "2024", "2025"]
    # 150 LAs in 2022 and 2023, 151 from 2024 (Cumbria split), + 9 regions + England.
    per_year = table[table["indicator"] == "neet_nk_16_17_ehc_pct"].groupby("period").size()
    assert per_year.to_dict() == {"2022": 160, "2023": 160, "2024": 161, "2025": 161}
    # Percentages only: no count is published for the SEND split.
    assert table["numerator"].isna().all() and table["denominator"].isna().all()


@pytest.mark.parametrize(
    ("indicator", "area", "period", "expected"),
    [
        # 2025/UD_NEETNK_LA_dashboard_final.csv, line 149 (Bradford, 380):
        # NEET_not_known 4.1, EHCP 8, SEND support 5.7, no SEN 3.6.
        ("neet_nk_16_17_pct", BRADFORD, "2025", 4.1),
        ("neet_nk_16_17_ehc_pct", BRADFORD, "2025", 8.0),
        ("neet_nk_16_17_sen_support_pct", BRADFORD, "2025", 5.7),
        ("neet_nk_16_17_no_sen_pct", BRADFORD, "2025", 3.6),
        # Same file line 2 (England): EHCP 10.1, SEND support 9.6, no SEN 4.9;
        # line 147 (Yorkshire and The Humber): EHCP 10.3.
        ("neet_nk_16_17_ehc_pct", areas.ENGLAND, "2025", 10.1),
        ("neet_nk_16_17_sen_support_pct", areas.ENGLAND, "2025", 9.6),
        ("neet_nk_16_17_no_sen_pct", areas.ENGLAND, "2025", 4.9),
        ("neet_nk_16_17_ehc_pct", YORKSHIRE, "2025", 10.3),
        # 2022/UD_NEETNK_LA_dashboard_2022_final.csv, Bradford: EHCP 10.5.
        ("neet_nk_16_17_ehc_pct", BRADFORD, "2022", 10.5),
        # 2022 North Yorkshire was published under E10000023 (now E06000065): EHCP 4.3.
        ("neet_nk_16_17_ehc_pct", "E06000065", "2022", 4.3),
    ],
)
def test_values_match_the_published_files(table, indicator, area, period, expected) -> None:
    row = _row(table, indicator, area, period)
    assert row["value"] == pytest.approx(expected) and row["status"] == ""


def test_symbols_are_missing_with_a_status_never_zero(table: pd.DataFrame) -> None:
    # 2022 file: Derbyshire (E10000007) SEND support "c", Derby (E06000015) "z".
    derbyshire = _row(table, "neet_nk_16_17_sen_support_pct", "E10000007", "2022")
    derby = _row(table, "neet_nk_16_17_sen_support_pct", "E06000015", "2022")
    assert pd.isna(derbyshire["value"]) and derbyshire["status"] == "suppressed"
    assert pd.isna(derby["value"]) and derby["status"] == "not_applicable"
    missing = table[table["status"] != ""]
    assert len(missing) == 25 and missing["value"].isna().all()
    # 2022 North Yorkshire SEND support is a published 0, which stays 0.
    assert _row(table, "neet_nk_16_17_sen_support_pct", "E06000065", "2022")["value"] == 0


def test_every_area_code_is_known(table: pd.DataFrame) -> None:
    las = set(areas.local_authorities()["la_code"])
    codes = set(table["area_code"])
    assert codes <= las | set(areas.REGIONS) | {areas.ENGLAND}
    # Somerset's 2022-2023 code E10000027 is mapped to today's E06000066.
    assert "E10000027" not in codes and "E10000023" not in codes


def test_national_table_has_neet_rows(national: pd.DataFrame) -> None:
    rows = national[national["source"] == "neet_send"]
    assert len(rows) == 4 * 642


def test_local_profile_shows_neet_by_send_status_for_bradford(national) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = BRADFORD
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    at.session_state["profile.tab"] = "Attainment, absence and adulthood"
    at.run()
    assert not at.exception
    every_visual_as_table(at)
    tables = [df.value for df in at.dataframe if "Indicator" in df.value.columns]
    neet_table = next(
        t
        for t in tables
        if "16-17 year olds with an EHC plan NEET or not known" in set(t["Indicator"])
    ).set_index("Indicator")
    neet_table = shown_numbers(neet_table, "Bradford", "England", "Yorkshire and The Humber")
    ehc = neet_table.loc["16-17 year olds with an EHC plan NEET or not known"]
    assert ehc["Bradford"] == 8.0 and ehc["England"] == 10.1
    assert ehc["Yorkshire and The Humber"] == 10.3 and ehc["Period"] == "2025"
    support = neet_table.loc["16-17 year olds on SEN support NEET or not known"]
    assert support["Bradford"] == 5.7 and support["England"] == 9.6


def test_neet_by_send_is_in_benchmarking_for_bradford(national: pd.DataFrame) -> None:
    from analysis import benchmark, benchmark_frames, neighbours

    available = benchmark_frames.indicators_with_data(national, BRADFORD, None)
    assert {
        "neet_nk_16_17_ehc_pct",
        "neet_nk_16_17_sen_support_pct",
        "neet_nk_16_17_no_sen_pct",
    } <= set(available)
    sets = neighbours.comparator_sets(BRADFORD)
    codes = next(iter(sets.values()))
    result = benchmark.compare(national, "neet_nk_16_17_ehc_pct", BRADFORD, "2025", codes)
    assert result.value == pytest.approx(8.0)
    assert result.england.value == pytest.approx(10.1)
    # The neighbours' mean is the mean of their published 2025 EHC plan rates.
    rates = national[
        (national["indicator"] == "neet_nk_16_17_ehc_pct")
        & (national["period"] == "2025")
        & national["area_code"].isin(codes)
    ]["value"]
    assert result.neighbour_mean == pytest.approx(rates.mean())
