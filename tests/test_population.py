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


def _value(table: pd.DataFrame, code: str) -> float:
    sel = table.loc[table["area_code"] == code, "value"]
    assert len(sel) == 1
    return float(sel.iloc[0])


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["period"]) == {"2020"}
    assert set(table["indicator"]) == {"population_0_25"}
    assert table["value"].notna().all()


def test_every_current_la_region_and_england(table: pd.DataFrame) -> None:
    las = table[table["area_level"] == "la"]
    assert set(las["area_code"]) == set(areas.current_las()["la_code"])
    assert len(las) == 153
    assert set(table.loc[table["area_level"] == "region", "area_code"]) == set(areas.REGIONS)


def test_england_is_every_english_district(table: pd.DataFrame, raw_0_25: dict[str, int]) -> None:
    england = sum(v for k, v in raw_0_25.items() if k.startswith("E"))
    assert _value(table, areas.ENGLAND) == england
    # ...and the LAs and the regions each add up to it: nothing lost in the lookups.
    assert table.loc[table["area_level"] == "la", "value"].sum() == england
    assert table.loc[table["area_level"] == "region", "value"].sum() == england


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
