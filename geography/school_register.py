"""The school register: every school in DfE's January 2024 census with its LA, type and
British National Grid coordinates (EPSG:27700) from the GIAS extract shipped with the data.

Schools that have closed since January 2024 are not in that extract; they are kept, without
coordinates. The census tidy rows are made from the same sheet in
``data_loaders.national.schools``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from geography import areas
from geography.derived_cache import cached_frame, source_key

DATA = Path(__file__).resolve().parent.parent / "data" / "schools"
CENSUS_FILE = DATA / "england_census.xlsx"
COORDINATES_FILE = DATA / "School_Characteristics_with_Coordinates.csv.gz"
CENSUS_SHEET = "england"


def national_total_rows(urns: pd.Series) -> pd.Series:
    """Which of the census sheet's rows are national totals (URN "NAT"), not schools."""
    return urns.str.strip().str.upper() == "NAT"


@lru_cache(maxsize=1)
def read_census() -> pd.DataFrame:
    """The census sheet, one row per school, national total rows dropped; URN and LA as text."""
    df = pd.read_excel(
        CENSUS_FILE, sheet_name=CENSUS_SHEET, engine="calamine", dtype={"URN": str, "LA": str}
    )
    df = df[~national_total_rows(df["URN"])].copy()
    df["URN"] = df["URN"].str.strip()
    df["LA"] = df["LA"].str.strip()
    return df.reset_index(drop=True)


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
    return _register().copy()


# Derived from the census, the GIAS extract and the LA lookups in data/reference.
SOURCES = (DATA, DATA.parent / "reference")


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    return cached_frame("school_register", source_key(SOURCES), _build_register)


def known_urns() -> pd.Series:
    """Every URN in the January 2024 census or the 2025 GIAS extract, as text, sorted: what an
    upload's school URNs are checked against. Kept in the data cache, so the first upload of
    a process reads a small parquet file, not the census workbook (1.3 s) and the extract."""
    return _known_urns()["urn"]


@lru_cache(maxsize=1)
def _known_urns() -> pd.DataFrame:
    return cached_frame("known_urns", source_key(SOURCES), _build_known_urns)


def _build_known_urns() -> pd.DataFrame:
    census = read_census()["URN"].astype(str).str.strip()
    gias = pd.read_csv(COORDINATES_FILE, usecols=["URN"], dtype=str)["URN"].str.strip()
    return pd.DataFrame({"urn": sorted(set(census) | set(gias))}, dtype=object)


def _build_register() -> pd.DataFrame:
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
