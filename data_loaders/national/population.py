"""ONS mid-2020 population estimates aged 0 to 25, for today's LAs, regions and England.

The shipped estimate is by local authority district on 2021 boundaries. Districts are
carried to 2023 districts (the Cumbrian, North Yorkshire and Somerset districts merged into
unitaries in April 2023) with ONS's district-to-district chain, then summed to the upper
tier (county or unitary) that is the SEND local authority. District boundaries did not
change between 2021 and 2023 except by whole-district merger, so the sums are exact.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

import tidy
from geography import areas

DATA = Path(__file__).resolve().parents[2] / "data"
POPULATION_FILE = DATA / "population/population20_ltla21.csv"
LTLA_CHAIN = DATA / "lookups/lookup_ltla_ltla.csv"
LTLA_UTLA = DATA / "lookups/lookup_ltla23_utla23.csv"

INDICATOR = "population_0_25"
SOURCE = "population"
PERIOD = "2020"
AGES = range(0, 26)


@lru_cache(maxsize=1)
def read_districts() -> pd.DataFrame:
    """English districts (2021 codes) by single year of age 0 to 25, as published."""
    df = pd.read_csv(POPULATION_FILE, dtype={"ltla21_code": str, "ltla21_name": str})
    df = df[df["ltla21_code"].str.startswith("E")]
    return df[["ltla21_code", "ltla21_name", *(str(a) for a in AGES)]].reset_index(drop=True)


def district_to_la() -> dict[str, str]:
    """2021 district code to today's upper-tier LA code (the SEND local authority)."""
    chain = pd.read_csv(LTLA_CHAIN, dtype=str, usecols=["ltla21_code", "ltla23_code"])
    chain = chain.dropna().drop_duplicates("ltla21_code")
    upper = pd.read_csv(LTLA_UTLA, dtype=str, usecols=["ltla23_code", "utla23_code"])
    to_upper = dict(zip(upper["ltla23_code"], upper["utla23_code"]))
    mapped = chain["ltla23_code"].map(to_upper)
    codes = areas.current_codes(mapped)
    return dict(zip(chain["ltla21_code"], codes))


@lru_cache(maxsize=1)
def _by_age() -> pd.DataFrame:
    """Long table: area_code, area_level, age, count for every LA, region and England."""
    districts = read_districts()
    lookup = district_to_la()
    la = districts["ltla21_code"].map(lookup)
    if la.isna().any():
        missing = sorted(districts.loc[la.isna(), "ltla21_code"])
        raise ValueError(f"districts with no upper-tier LA in the lookups: {missing}")
    ages = [str(a) for a in AGES]
    la_totals = districts[ages].groupby(la.to_numpy()).sum()

    current = areas.current_las()
    region_of = dict(zip(current["la_code"], current["region_code"]))
    regions = la_totals.groupby(la_totals.index.map(region_of)).sum()
    # England from every English district directly, not via the LA sums, so a lookup gap
    # would show up as a difference rather than vanish.
    england = districts[ages].sum().to_frame(areas.ENGLAND).T
    wide = pd.concat([la_totals, regions, england])
    long = (
        wide.rename_axis("area_code")
        .reset_index()
        .melt(id_vars="area_code", var_name="age", value_name="count")
    )
    long["age"] = long["age"].astype(int)
    long["count"] = long["count"].round().astype("int64")  # ONS counts, stored as 4727.0
    long["area_level"] = long["area_code"].map(areas.area_level)
    return long.sort_values(["area_code", "age"]).reset_index(drop=True)


def load_population() -> pd.DataFrame:
    """Residents aged 0 to 25 at mid-2020 for every current LA, each region and England."""
    long = _by_age()
    totals = long.groupby(["area_code", "area_level"], as_index=False)["count"].sum()
    return tidy.tidy_frame(
        indicator=INDICATOR,
        area_code=totals["area_code"],
        area_level=totals["area_level"],
        period=PERIOD,
        value=totals["count"].astype(float),
        source=SOURCE,
    )


def population_by_age(area_code: str) -> pd.DataFrame:
    """Residents by single year of age 0 to 25 (mid-2020) for one LA, region or England."""
    long = _by_age()
    code = areas.current_code(area_code)
    sel = long.loc[long["area_code"] == code, ["age", "count"]]
    if sel.empty:
        raise KeyError(f"no mid-2020 population for {area_code!r}")
    return sel.reset_index(drop=True)
