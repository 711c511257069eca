"""Population 0-25: checked against data/population/population20_ltla21.csv, computed here
independently of the loader (plain csv module, no lookups)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import tidy
from data_loaders.national import population
from geography import areas

CUMBRIA_DISTRICTS = ("E07000026", "E07000027", "E07000028", "E07000029", "E07000030", "E07000031")
# Craven, Hambleton, Harrogate, Richmondshire, Ryedale, Scarborough, Selby.
NORTH_YORKSHIRE_DISTRICTS = (
    "E07000163",
    "E07000164",
    "E07000165",
    "E07000166",
    "E07000167",
    "E07000168",
    "E07000169",
)


@pytest.fixture(scope="module")
def raw_0_25() -> dict[str, int]:
    """Each district's residents aged 0-25, summed straight from the CSV."""
    with population.POPULATION_FILE.open(newline="") as fh:
        return {
            row["ltla21_code"]: sum(round(float(row[str(a)])) for a in range(26))
            for row in csv.DictReader(fh)
        }


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return population.load_population()


def _value(table: pd.DataFrame, code: str, period: str = "2020") -> float:
    sel = table.loc[(table["area_code"] == code) & (table["period"] == period), "value"]
    assert len(sel) == 1
    return float(sel.iloc[0])


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["period"]) == {"2020", "2023", "2024"}
    assert set(table["indicator"]) == {"population_0_25"}
    assert table["value"].notna().all()


@pytest.mark.parametrize("period", ["2020", "2023", "2024"])
def test_every_current_la_region_and_england(table: pd.DataFrame, period: str) -> None:
    at = table[table["period"] == period]
    las = at[at["area_level"] == "la"]
    assert set(las["area_code"]) == set(areas.current_las()["la_code"])
    assert len(las) == 153
    assert set(at.loc[at["area_level"] == "region", "area_code"]) == set(areas.REGIONS)
    # Today's 153 councils and the regions each add up to England.
    england = at.loc[at["area_code"] == areas.ENGLAND, "value"].item()
    assert las["value"].sum() == england
    assert at.loc[at["area_level"] == "region", "value"].sum() == england


def test_england_is_every_english_district(table: pd.DataFrame, raw_0_25: dict[str, int]) -> None:
    england = sum(v for k, v in raw_0_25.items() if k.startswith("E"))
    assert _value(table, areas.ENGLAND) == england
    # ...and the LAs and the regions each add up to it: nothing lost in the lookups.
    mid_2020 = table[table["period"] == "2020"]
    assert mid_2020.loc[mid_2020["area_level"] == "la", "value"].sum() == england
    assert mid_2020.loc[mid_2020["area_level"] == "region", "value"].sum() == england


def test_cumbria_split(table: pd.DataFrame, raw_0_25: dict[str, int]) -> None:
    cumbria = sum(raw_0_25[c] for c in CUMBRIA_DISTRICTS)
    assert _value(table, "E06000063") + _value(table, "E06000064") == cumbria
    # Cumberland is Allerdale, Carlisle and Copeland.
    assert _value(table, "E06000063") == sum(
        raw_0_25[c] for c in ("E07000026", "E07000028", "E07000029")
    )


def test_north_yorkshire(table: pd.DataFrame, raw_0_25: dict[str, int]) -> None:
    assert _value(table, "E06000065") == sum(raw_0_25[c] for c in NORTH_YORKSHIRE_DISTRICTS)


def test_unitary_is_its_own_district(table: pd.DataFrame) -> None:
    # Line 3 of the CSV: Darlington, ages 0-4 are 1057, 1113, 1173, 1119, 1230.
    ages = population.population_by_age("E06000005")
    assert list(ages["age"]) == list(range(26))
    assert list(ages["count"].head(5)) == [1057, 1113, 1173, 1119, 1230]
    assert ages["count"].sum() == _value(table, "E06000005")


def test_by_age_for_england_and_an_alias(table: pd.DataFrame) -> None:
    assert population.population_by_age(areas.ENGLAND)["count"].sum() == _value(
        table, areas.ENGLAND
    )
    # North Yorkshire's old county code is an alias of the unitary.
    old = population.population_by_age("E10000023")
    assert old["count"].sum() == _value(table, "E06000065")
    with pytest.raises(KeyError):
        population.population_by_age("E10000006")  # Cumbria: no longer an LA


def _mid_year(year: str, code: str, ages: range) -> int:
    with population.MID_YEAR_FILE.open(newline="") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["year"] == year and r["area_code"] == code]
    return sum(int(row[str(a)]) for a in ages)


def test_westminster_children_about_40_percent_fewer_than_mid_2020(
    table: pd.DataFrame,
) -> None:
    # Children 0-17, straight from the two CSVs: 50,701 at mid-2020 (before the 2021 census
    # rebasing) and 29,834 at mid-2024, 41% fewer.
    with population.POPULATION_FILE.open(newline="") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["ltla21_code"] == "E09000033"]
    mid_2020 = sum(round(float(row[str(a)])) for a in range(18))
    mid_2024 = _mid_year("2024", "E09000033", range(18))
    assert (mid_2020, mid_2024) == (50701, 29834)
    assert 0.38 < 1 - mid_2024 / mid_2020 < 0.43
    # The 0-25 denominators the app uses: 81,189 then 60,600.
    assert _value(table, "E09000033", "2020") == 81189
    assert _value(table, "E09000033", "2024") == _mid_year("2024", "E09000033", range(26)) == 60600


def test_two_tier_county_is_the_county_not_its_districts(table: pd.DataFrame) -> None:
    # Kent (E10000016) is published as a county row; its districts are not added again.
    assert _value(table, "E10000016", "2024") == _mid_year("2024", "E10000016", range(26))


@pytest.mark.parametrize(
    ("period", "estimate"),
    [
        ("2024/25", "2024"),  # January 2025: mid-2024
        ("2023/24", "2023"),
        ("2022/23", "2020"),  # January 2023: no mid-2021 or mid-2022 shipped
        ("2015/16", "2020"),  # older than every estimate: the earliest
        ("2024", "2024"),  # a calendar year refers to mid-year itself
        ("2023", "2023"),
    ],
)
def test_estimate_for(period: str, estimate: str) -> None:
    assert population.estimate_for(period, ["2020", "2023", "2024"]) == estimate
