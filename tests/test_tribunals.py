"""SEND Tribunal appeal rates: checked against data/tribunals/send_tribunal_appeal_rates_2014_2024.csv.

Line numbers are lines of that CSV file (1-based, as an editor shows them); columns are
named by their header (year, then appeals / decisions / rate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tidy
from data_loaders.national import tribunals
from geography import areas


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return tribunals.load_tribunals()


def _row(table: pd.DataFrame, area: str, period: str) -> pd.Series:
    sel = table[(table["area_code"] == area) & (table["period"] == period)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["indicator"]) == {"tribunal_appeal_rate"}
    assert set(table["source"]) == {"tribunals"}
    assert sorted(table["period"].unique()) == [str(y) for y in range(2014, 2025)]


def test_darlington_2015(table: pd.DataFrame) -> None:
    # Line 7: "Darlington,841, - ,450,0.00%,2,469,0.40%, ..." -> 2015: 2 appeals, 469 decisions, 0.40%.
    row = _row(table, "E06000005", "2015")
    # The rate is computed from the counts, not the printed 0.40%: 2 / 469 = 0.4264%.
    assert (row["numerator"], row["denominator"]) == (2, 469)
    assert row["value"] == pytest.approx(100 * 2 / 469)
    # 2014 on the same line: " - " appeals is a true zero beside a 0.00% rate.
    row = _row(table, "E06000005", "2014")
    assert (row["numerator"], row["denominator"], row["value"], row["status"]) == (0, 450, 0.0, "")


def test_england_2024(table: pd.DataFrame) -> None:
    # Line 174 "England Total4,9", 2024 columns: 22,276 appeals, 689,739 decisions, 3.20%.
    # (The "In development" 364,912 / 6.10% columns after them are not used.)
    row = _row(table, areas.ENGLAND, "2024")
    assert row["area_level"] == "national"
    assert (row["numerator"], row["denominator"]) == (22276, 689739)
    assert row["value"] == pytest.approx(3.2296, abs=1e-4)  # 22,276 / 689,739


def test_published_rate_agrees_with_counts() -> None:
    raw = tribunals.read_table()
    appeals, _ = tribunals._counts(raw["appeals"])
    decisions, _ = tribunals._counts(raw["decisions"])
    published, _ = tribunals._counts(raw["rate"])
    both = published.notna() & (decisions > 0) & appeals.notna()
    computed = 100 * appeals[both] / decisions[both]
    # Rates are printed to one decimal place (0.40% for 2/469 = 0.426%), which is why the
    # table carries rates computed from the counts instead.
    assert np.all(np.abs(computed - published[both]) <= 0.05 + 1e-9)


def test_rate_keeps_full_precision(table: pd.DataFrame) -> None:
    # Shropshire 2017: 1 appeal in 2,004 decisions is printed 0.00%, tied with true zeros.
    row = _row(table, "E06000051", "2017")
    assert (row["numerator"], row["denominator"]) == (1, 2004)
    assert row["value"] == pytest.approx(0.0499, abs=1e-4) and row["value"] > 0


def test_region_counts_appeals_only_with_decisions(table: pd.DataFrame) -> None:
    # East Midlands 2021: 709 appeals in 35,508 decisions = 1.9967%. The former
    # Northamptonshire's 85 appeals have no decisions (".."); counted, the rate was
    # 794 / 35,508 = 2.24%.
    row = _row(table, "E12000004", "2021")
    assert (row["numerator"], row["denominator"]) == (709, 35508)
    assert row["value"] == pytest.approx(100 * 709 / 35508)
    assert round(row["value"], 2) == 2.00


def test_las_per_year(table: pd.DataFrame) -> None:
    las = table[table["area_level"] == "la"]
    counts = las.groupby("period").size().to_dict()
    # 152 LAs before the 2019 Dorset/BCP change, 151 after it; 2021 adds the two new
    # Northamptonshire councils while the old county keeps its January-March appeals (85,
    # no decisions); Cumbria's split in 2023 gives today's 153.
    assert counts == {
        "2014": 152,
        "2015": 152,
        "2016": 152,
        "2017": 152,
        "2018": 152,
        "2019": 151,
        "2020": 151,
        "2021": 153,
        "2022": 152,
        "2023": 153,
        "2024": 153,
    }
    current = set(areas.current_las()["la_code"])
    assert set(las.loc[las["period"] == "2024", "area_code"]) == current


def test_wrong_la_numbers_are_matched_by_name(table: pd.DataFrame) -> None:
    # Line 68 "Northamptonshire7,892,41,4,248,1.00%": 892 is Nottingham's number; the row
    # is Northamptonshire (E10000021).
    assert _row(table, "E10000021", "2014")["numerator"] == 41
    # Line 69 "Nottingham,891,18,671,2.70%" and line 70 "Nottinghamshire,928,47,1,812,2.60%".
    assert _row(table, "E06000018", "2014")["numerator"] == 18
    assert _row(table, "E10000024", "2014")["numerator"] == 47
    # Line 158 "Bournemouth5" has no number: 10 / 727 / 1.40% in 2014.
    assert _row(table, "E06000028", "2014")["value"] == pytest.approx(100 * 10 / 727)


def test_dorset_before_2019_is_the_old_county(table: pd.DataFrame) -> None:
    # Line 163 "Dorset6,838,20,1,568,1.30%, ..." (footnote 6: boundaries changed in 2019).
    assert _row(table, "E10000009", "2014")["numerator"] == 20
    assert "2014" not in set(table.loc[table["area_code"] == "E06000059", "period"])
    assert _row(table, "E06000059", "2019")["denominator"] == 2681


def test_not_available_is_missing(table: pd.DataFrame) -> None:
    # Line 68: Northamptonshire 2021 is "85, .. ,.." (85 appeals, decisions not available).
    row = _row(table, "E10000021", "2021")
    assert row["numerator"] == 85 and pd.isna(row["value"]) and row["status"] == "not_available"


def test_regions_add_up_to_england(table: pd.DataFrame) -> None:
    regions = table[table["area_level"] == "region"]
    assert set(regions["area_code"]) == set(areas.REGIONS)
    sums = regions.groupby("period")[["numerator", "denominator"]].sum()
    england = table[table["area_level"] == "national"].set_index("period")
    # The published England total is the sum of LA rows, so the regions add up to it too,
    # except in 2021, where the regions leave out 85 appeals with no decisions behind them.
    left_out = pd.Series([85.0 if p == "2021" else 0.0 for p in sums.index], index=sums.index)
    assert (sums["numerator"] + left_out == england["numerator"]).all()
    assert (sums["denominator"] == england["denominator"]).all()


# The 2024-2025 table (data/tribunals/send_appealable_decisions_rate_2024_2025.csv, a copy of
# "SEND appealable decisions rate 2024-2025.csv"); line numbers are 1-based lines of that file.


@pytest.fixture(scope="module")
def new_basis() -> pd.DataFrame:
    return tribunals.load_tribunals_new_basis()


def test_new_basis_contract(new_basis: pd.DataFrame) -> None:
    assert tidy.validate(new_basis) == []
    assert set(new_basis["indicator"]) == {"tribunal_appeal_rate_new_basis"}
    assert set(new_basis["source"]) == {"tribunals_2026"}
    assert sorted(new_basis["period"].unique()) == ["2024", "2025"]
    las = new_basis[new_basis["area_level"] == "la"]
    current = set(areas.current_las()["la_code"])
    for period in ("2024", "2025"):
        assert set(las.loc[las["period"] == period, "area_code"]) == current


def test_new_basis_values_read_by_hand(new_basis: pd.DataFrame) -> None:
    # Line 49 "Bradford,380,279,3522,7.90%,329,2675,12.30%".
    row = _row(new_basis, "E08000032", "2025")
    assert (row["numerator"], row["denominator"]) == (329, 2675)
    assert row["value"] == pytest.approx(100 * 329 / 2675)  # 12.2991%, printed 12.30%
    assert _row(new_basis, "E08000032", "2024")["value"] == pytest.approx(100 * 279 / 3522)
    # Line 173 "England Total,,22276,364912,6.10%,26977,405735,6.60%".
    eng = _row(new_basis, areas.ENGLAND, "2025")
    assert (eng["numerator"], eng["denominator"]) == (26977, 405735)
    assert eng["value"] == pytest.approx(6.6489, abs=1e-4)
    # 2024 on this count equals the 2014-2024 table's "In development" columns (364,912).
    assert _row(new_basis, areas.ENGLAND, "2024")["denominator"] == 364912


def test_new_basis_x_is_missing_never_zero(new_basis: pd.DataFrame) -> None:
    # Line 152 "Surrey,936,1059, x ,x,1129,9857,11.50%": 2024 decisions and rate not available.
    surrey = _row(new_basis, "E10000030", "2024")
    assert surrey["numerator"] == 1059
    assert np.isnan(surrey["denominator"]) and np.isnan(surrey["value"])
    assert surrey["status"] == "not_available"
    # Line 111 "Lewisham,209,102,2080,4.90%,114,x,x": 2025 missing, 2024 present.
    assert np.isnan(_row(new_basis, "E09000023", "2025")["value"])
    assert _row(new_basis, "E09000023", "2024")["value"] == pytest.approx(100 * 102 / 2080)
    assert (new_basis["status"] != "").sum() == 8
    assert new_basis.loc[new_basis["status"] != "", "value"].isna().all()


def test_new_basis_las_add_up_to_england(new_basis: pd.DataFrame) -> None:
    las = new_basis[new_basis["area_level"] == "la"].groupby("period")
    assert las["numerator"].sum().to_dict() == {"2024": 22276, "2025": 26977}
    assert las["denominator"].sum().to_dict() == {"2024": 364912, "2025": 405735}
