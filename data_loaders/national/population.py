"""ONS mid-year population estimates aged 0 to 25, for today's LAs, regions and England.

Three estimates: mid-2020 (pre-2021-census, by district) and mid-2023 and mid-2024 (rebased on
the 2021 census, by upper-tier council). Each rate uses the latest one at or before its
reference date (see ``estimate_for``); the census rebasing moved some areas a long way (inner
London most), which is why a single mid-2020 figure for every year was not defensible.

The mid-2020 estimate is by local authority district on 2021 boundaries. Districts are
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
# Cut from ONS's mye23/mye24 tables by scripts/population_mid_year.py: England and the 153
# upper-tier councils on 2023 boundaries, ages 0-25.
MID_YEAR_FILE = DATA / "population/population_0_25_mid2023_mid2024.csv"
LTLA_CHAIN = DATA / "lookups/lookup_ltla_ltla.csv"
LTLA_UTLA = DATA / "lookups/lookup_ltla23_utla23.csv"

INDICATOR = "population_0_25"
SOURCE = "population"
PERIOD = "2020"
MID_YEARS = ("2023", "2024")
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
    """Residents aged 0 to 25 at mid-2020, mid-2023 and mid-2024 for every current LA, each
    region and England."""
    long = _by_age()
    totals = long.groupby(["area_code", "area_level"], as_index=False)["count"].sum()
    totals["period"] = PERIOD
    frame = pd.concat([totals, _mid_year_totals()], ignore_index=True)
    return tidy.tidy_frame(
        indicator=INDICATOR,
        area_code=frame["area_code"],
        area_level=frame["area_level"],
        period=frame["period"],
        value=frame["count"].astype(float),
        source=SOURCE,
    )


def _mid_year_totals() -> pd.DataFrame:
    """area_code, area_level, period, count for mid-2023 and mid-2024."""
    raw = pd.read_csv(MID_YEAR_FILE, dtype={"year": str, "area_code": str})
    raw["count"] = raw[[str(a) for a in AGES]].sum(axis=1)
    frames = []
    for year in MID_YEARS:
        rows = raw[raw["year"] == year]
        england = rows.loc[rows["area_code"] == areas.ENGLAND, "count"]
        las = rows[rows["area_code"] != areas.ENGLAND]
        la_totals = las.groupby(areas.current_codes(las["area_code"]).to_numpy())["count"].sum()
        # A council missing or counted twice would break this, not pass silently.
        if len(england) != 1 or la_totals.sum() != england.iloc[0]:
            raise ValueError(f"mid-{year} council populations do not add up to England")
        region_of = dict(zip(areas.current_las()["la_code"], areas.current_las()["region_code"]))
        regions = la_totals.groupby(la_totals.index.map(region_of)).sum()
        counts = pd.concat([la_totals, regions, pd.Series({areas.ENGLAND: england.iloc[0]})])
        frame = counts.rename_axis("area_code").rename("count").reset_index()
        frame["period"] = year
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["area_level"] = out["area_code"].map(areas.area_level)
    return out


def estimate_for(period: str, estimates: list[str]) -> str:
    """The latest mid-year estimate (a year, "2024") at or before ``period``'s reference date.

    An academic or financial period "2024/25" refers to January 2025 (the census date of SEN2
    and the school census), so mid-2024 is the latest estimate before it; a calendar year
    "2024" refers to mid-2024 itself. Periods older than every estimate take the earliest.
    """
    if "/" in period:
        january = int(period[:4]) + 1
        before = [e for e in estimates if int(e) < january]
    else:
        before = [e for e in estimates if int(e) <= int(period[:4])]
    return max(before, key=int) if before else min(estimates, key=int)


def population_by_age(area_code: str) -> pd.DataFrame:
    """Residents by single year of age 0 to 25 (mid-2020) for one LA, region or England."""
    long = _by_age()
    code = areas.current_code(area_code)
    sel = long.loc[long["area_code"] == code, ["age", "count"]]
    if sel.empty:
        raise KeyError(f"no mid-2020 population for {area_code!r}")
    return sel.reset_index(drop=True)
