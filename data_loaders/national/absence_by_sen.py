"""Pupil absence by SEN provision, from DfE's SEND and AP dashboard, as tidy rows.

The dashboard's ``absence`` table (converted to CSV by ``scripts/convert_rdata.py``) holds
DfE's "Pupil absence in schools in England" rates by SEN characteristic for England,
regions and LAs, 2016/17 to 2022/23 (no 2019/20: absence was not collected for the full
year during the pandemic). Rates are the share of possible sessions missed, as published
(two decimal places); the table has no counts, so numerator and denominator stay empty.

Indicators:

* ``absence_overall_pct``: overall absence rate (authorised plus unauthorised);
* ``absence_unauthorised_pct``: unauthorised absence rate.

Only the indicators the catalogue has an entry for are emitted, so a new entry is all it
takes to show the other one.

The table has no persistent absence by SEN (the dashboard only has persistent absence for
alternative provision schools), so no persistent absence indicator comes from here.

Breakdowns: ``sen_provision=EHC plan`` (DfE: "EHCP or Statement"), ``SEN support``,
``No SEN`` and ``All SEN`` (EHC plan and SEN support together). There is no all-pupils
total, so no row has an empty breakdown.

Regions: rows carry only a region name. Inner and Outer London are published instead of
London, so London has no regional row.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

import indicators
import tidy
from geography import areas

DATA = Path(__file__).resolve().parents[2] / "data" / "send_ap_dashboard"
FILE = DATA / "absence_by_sen.csv"
SOURCE = "absence_by_sen"

MEASURES: dict[str, str] = {
    "Overall": "absence_overall_pct",
    "Unauthorised": "absence_unauthorised_pct",
}
PROVISIONS: dict[str, str] = {
    "EHCP or Statement": "EHC plan",
    "SEN support": "SEN support",
    "No SEN": "No SEN",
    "All SEN": "All SEN",
}
_LEVELS = {"National": "national", "Regional": "region", "Local authority": "la"}


@lru_cache(maxsize=1)
def read_absence() -> pd.DataFrame:
    """The converted table as strings, as written from the R workspace."""
    return pd.read_csv(FILE, dtype=str, keep_default_na=False)


def _area_codes(df: pd.DataFrame) -> pd.Series:
    region_by_name = {name.lower(): code for code, name in areas.REGIONS.items()}
    level = df["geographic_level"]
    code = pd.Series(pd.NA, index=df.index, dtype="object")
    code[level == "National"] = areas.ENGLAND
    is_region = level == "Regional"
    code[is_region] = df.loc[is_region, "region_name"].str.lower().map(region_by_name)
    is_la = level == "Local authority"
    code[is_la] = areas.current_codes(df.loc[is_la, "new_la_code"].replace("", pd.NA))
    return code


def load_absence_by_sen(
    catalogue: Mapping[str, indicators.Indicator] = indicators.CATALOGUE,
) -> pd.DataFrame:
    """Absence by SEN provision for England, regions and LAs, for catalogued indicators."""
    measures = [m for m, ind in MEASURES.items() if ind in catalogue]
    df = read_absence()
    df = df[df["Absence measure"].isin(measures) & df["characteristic"].isin(PROVISIONS)]
    code = _area_codes(df)
    df = df[code.notna()]  # Inner and Outer London
    code = code[code.notna()]
    periods = {p: tidy.canonical_period(p, "Academic year") for p in df["time_period"].unique()}
    value, status = tidy.parse_numbers(df["Percentage"])
    return tidy.tidy_frame(
        indicator=df["Absence measure"].map(MEASURES),
        area_code=code.astype(str),
        area_level=df["geographic_level"].map(_LEVELS),
        period=df["time_period"].map(periods),
        breakdown="sen_provision=" + df["characteristic"].map(PROVISIONS),
        value=value,
        status=status,
        source=SOURCE,
    )
