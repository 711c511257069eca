"""School-level SEN from DfE's January 2024 school census (performance tables), as tidy rows.

One row per school (area_level "school", area_code = URN as text) and indicator:

* ``school_ehc_pct``: pupils with an EHC plan (TSENELSE) of pupils on roll (NOR);
* ``school_sen_support_pct``: pupils on SEN support (TSENELK) of pupils on roll.

The published share (PSENELSE, PSENELK) is a proportion (0.045 for 4.5%); the tidy value is
a percentage, so it is multiplied by 100. The last three rows of the sheet are national
totals by phase (URN "NAT") and are dropped: England's figures come from the national
sources, not from here.

``school_register`` is the list of schools for the map: URN, LA, type and British National
Grid coordinates (EPSG:27700) from the GIAS extract shipped with the data. Schools that
have closed since are not in that extract; they are kept, without coordinates.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from data_loaders import tidy
from geography import areas

DATA = Path(__file__).resolve().parent.parent / "data" / "schools"
CENSUS_FILE = DATA / "england_census.xlsx"
COORDINATES_FILE = DATA / "School_Characteristics_with_Coordinates.csv.gz"
SOURCE = "schools"
PERIOD = "2023/24"  # the January 2024 census

# indicator -> (numerator, denominator, published proportion)
MEASURES: dict[str, tuple[str, str, str]] = {
    "school_ehc_pct": ("TSENELSE", "NOR", "PSENELSE"),
    "school_sen_support_pct": ("TSENELK", "NOR", "PSENELK"),
}


@lru_cache(maxsize=1)
def read_census() -> pd.DataFrame:
    """The census sheet, one row per school, national total rows dropped; URN and LA as text."""
    df = pd.read_excel(
        CENSUS_FILE, sheet_name="england", engine="calamine", dtype={"URN": str, "LA": str}
    )
    df = df[df["URN"].str.strip().str.upper() != "NAT"].copy()
    df["URN"] = df["URN"].str.strip()
    df["LA"] = df["LA"].str.strip()
    return df.reset_index(drop=True)


def load_school_census() -> pd.DataFrame:
    """EHC plan and SEN support shares for every school in the January 2024 census."""
    census = read_census()
    frames = []
    for indicator, (num_col, den_col, pct_col) in MEASURES.items():
        numerator, _ = tidy.parse_numbers(census[num_col])
        denominator, _ = tidy.parse_numbers(census[den_col])
        share, status = tidy.parse_numbers(census[pct_col])
        frames.append(
            tidy.tidy_frame(
                indicator=indicator,
                area_code=census["URN"],
                area_level="school",
                period=PERIOD,
                numerator=numerator,
                denominator=denominator,
                value=share * 100,
                status=status,
                source=SOURCE,
            )
        )
    return tidy.normalise(pd.concat(frames, ignore_index=True))


@lru_cache(maxsize=1)
def _coordinates() -> pd.DataFrame:
    df = pd.read_csv(
        COORDINATES_FILE,
        dtype={"URN": str},
        usecols=["URN", "EstablishmentName", "Easting", "Northing"],
    )
    return df.drop_duplicates("URN")


def school_register() -> pd.DataFrame:
    """Every school in the census with its LA, name, type and BNG (EPSG:27700) coordinates.

    Columns: urn, la_code (GSS), dfe_la (DfE's three-digit number), name, school_type,
    pupils, easting, northing. ``name`` and the coordinates are NaN for schools missing
    from the GIAS extract (mostly closed since January 2024).
    """
    census = read_census()
    la_code = areas.current_codes(census["LA"].map(areas.dfe_number_to_code()))
    register = pd.DataFrame(
        {
            "urn": census["URN"].astype("string"),
            "la_code": la_code.astype("string"),
            "dfe_la": census["LA"].astype("string"),
            "school_type": census["SCHOOLTYPE"].astype("string"),
            "pupils": pd.to_numeric(census["NOR"], errors="coerce"),
        }
    )
    coords = _coordinates().rename(
        columns={
            "URN": "urn",
            "EstablishmentName": "name",
            "Easting": "easting",
            "Northing": "northing",
        }
    )
    coords["urn"] = coords["urn"].astype("string")
    out = register.merge(coords, on="urn", how="left", validate="one_to_one")
    out["name"] = out["name"].astype("string")
    cols = ["urn", "la_code", "dfe_la", "name", "school_type", "pupils", "easting", "northing"]
    return out[cols]
