"""DfE's Local Authority Interactive Tool (LAIT) measures as tidy rows.

LAIT publishes one value per measure, area and year (no counts), so numerator and
denominator stay empty and the value is kept as published: a percentage is already a
percentage (2.2 means 2.2%), a score is a score, a unit cost is in pounds.

Areas: LAIT uses DfE's three-digit numbers. LAs go through the LA register; 970 is England
and 980-990 are regions, except 987 and 988 (Inner and Outer London), which have no GSS code
and are dropped. Rows for former LAs (Cumbria, Northamptonshire, pre-2019 Dorset, ...) are
kept while they carry a value, and dropped in the years after they ceased.

Periods. LAIT's ``Years`` come in several shapes:

* ``2016-17``, ``2016-17 (OT)`` (outturn), ``2015/16``: one academic or financial year,
  written ``2016/17``;
* ``2014-16``, ``2013/14-15/16``: three-year pools, skipped (not comparable with one year);
* ``2025 (prov)``, ``2024 (Rev)``, ``2020 (Final)``: the year with the suffix removed
  (provisional figures are kept, as LAIT shows them);
* a single year ``Y``, read with the measure's ``Year_Type`` in LAIT's data dictionary and
  the catalogue's ``period_type``:

  - catalogue ``calendar``: ``Y``. The catalogue calls a measure calendar when it is a
    snapshot, e.g. 16-17 year olds in education or training at the end of March Y (LAIT
    ``Year_Type`` "Financial Year") or NEET averaged over December to February;
  - catalogue ``academic`` or ``financial`` and ``Year_Type`` "Academic Year",
    "Annual - January" or "Financial Year": the year *ending* in Y, ``{Y-1}/{YY}``. LAIT
    labels an academic year by the calendar year of its January census, summer tests or
    31 March snapshot. Checked against the data: SEN_TotStat 2025 is 5.3%, DfE's
    January 2025 figure ("2024/25", the same period as the EHC plan caseload of January
    2025); KS2, phonics and EYFSP are blank for 2020 and 2021 (no assessments in 2019/20
    and 2020/21); LAC_SEN_Statement 2017 is 26.4%, the CLA-12-months figure DfE publishes
    for 2016/17 (data/children_in_need/sen_la.csv);
  - catalogue ``academic`` or ``financial`` and ``Year_Type`` "Calendar Year", "Annual" or
    "Annual (end of Sept)": contradictory, so :func:`lait_period` raises and the catalogue
    entry needs a decision rather than a guess.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

import indicators
import tidy
from geography import areas

DATA = Path(__file__).resolve().parents[2] / "data" / "lait"
SOURCE = "lait"

# DfE's numbers for England and its regions (LAIT's "LA Number" 970-990).
AGGREGATE_NUMBERS: dict[int, str] = {
    970: areas.ENGLAND,
    980: "E12000001",  # North East
    981: "E12000002",  # North West
    982: "E12000003",  # Yorkshire and the Humber
    983: "E12000004",  # East Midlands
    984: "E12000005",  # West Midlands
    985: "E12000006",  # East of England
    986: "E12000007",  # London
    989: "E12000008",  # South East
    990: "E12000009",  # South West
}
NO_GSS_NUMBERS = frozenset({987, 988})  # Inner and Outer London: no GSS code, dropped

# A single year Y of these types names a period that ends in Y (see module docstring).
SPAN_YEAR_TYPES = frozenset({"Academic Year", "Annual - January", "Financial Year"})
POINT_YEAR_TYPES = frozenset({"Calendar Year", "Annual", "Annual (end of Sept)"})

_SUFFIX = re.compile(r"\s*\((?:OT|prov|Rev|Final)\)\s*$", re.IGNORECASE)
_SPAN = re.compile(r"(\d{4})[-/](\d{2})")
_YEAR = re.compile(r"\d{4}")


class LaitPeriodError(ValueError):
    """A LAIT year whose meaning the catalogue and LAIT's dictionary disagree on."""


def lait_period(years: str, period_type: str, year_type: str | None = None) -> str | None:
    """The canonical period for a LAIT ``Years`` label, or None for labels we skip.

    ``period_type`` is the catalogue's (academic, calendar or financial); ``year_type`` is
    LAIT's ``Year_Type`` for the measure, if the dictionary has it.
    """
    text = _SUFFIX.sub("", str(years).strip())
    span = _SPAN.fullmatch(text)
    if span:
        start, end = int(span.group(1)), int(span.group(2))
        # 2016-17 is one year; 2014-16 is a three-year pool, not comparable with one year.
        return tidy.academic_year(start) if (start + 1) % 100 == end else None
    if not _YEAR.fullmatch(text) or int(text) < 1900:
        return None  # pooled ranges such as 2013/14-15/16, and LAIT's placeholder "0"
    year = int(text)
    if period_type == "calendar":
        return text
    if year_type in POINT_YEAR_TYPES:
        raise LaitPeriodError(
            f"LAIT year {years!r} is a {year_type} but the catalogue says {period_type}"
        )
    # "Academic Year", "Annual - January", "Financial Year" or not in the dictionary: a
    # year LAIT names by its end, as every catalogue measure checked does.
    return tidy.academic_year(year - 1)


def area_codes(numbers: pd.Series) -> pd.Series:
    """GSS codes for LAIT's "LA Number" column; NaN for numbers with no code (987, 988)."""
    as_int = pd.to_numeric(numbers, errors="coerce").astype("Int64")
    la_codes = areas.dfe_number_to_code()
    codes = as_int.astype("string").map(la_codes)
    codes = codes.where(codes.notna(), as_int.map(AGGREGATE_NUMBERS))
    return areas.current_codes(codes.astype("object")).where(codes.notna())


@lru_cache(maxsize=1)
def read_bds() -> pd.DataFrame:
    """LAIT's long table as shipped (all strings except the LA number)."""
    cols = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
    return pd.read_parquet(DATA / "bds_long_0.parquet", columns=cols)


def _read_measures(codes: list[str]) -> pd.DataFrame:
    """The rows of LAIT's long table for these measure codes, as ``read_bds`` gives them."""
    cols = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
    return pd.read_parquet(
        DATA / "bds_long_0.parquet", columns=cols, filters=[("Short Desc", "in", codes)]
    )


@lru_cache(maxsize=1)
def _raw_dictionary() -> pd.DataFrame:
    df = pd.read_csv(DATA / "lait_data_dictionary.csv.gz", dtype=str, keep_default_na=False)
    # 14 measures appear twice (an old and a new "CIN -" title); the first row is kept.
    return df.drop_duplicates("Measure_short", keep="first")


def lait_dictionary() -> pd.DataFrame:
    """DfE's metadata per LAIT measure, for the 'about this indicator' panels."""
    df = _raw_dictionary().rename(
        columns={
            "Data Owner (DO) /Supplier and Contact Details": "Data Owner",
            "Hyperlink(s)": "Hyperlink",
        }
    )
    cols = [
        "Measure_short",
        "Polarity",
        "Description",
        "Methodology",
        "Data Owner",
        "Hyperlink",
        "Measure",
        "Year_Type",
    ]
    return df[cols].reset_index(drop=True)


def year_types() -> dict[str, str]:
    """LAIT's ``Year_Type`` per measure code."""
    df = _raw_dictionary()
    return {k: v for k, v in zip(df["Measure_short"], df["Year_Type"]) if v}


def load_lait(catalogue: dict[str, indicators.Indicator] = indicators.CATALOGUE) -> pd.DataFrame:
    """Tidy rows for every catalogue indicator with a LAIT measure code."""
    wanted = {ind.lait_code: ind for ind in catalogue.values() if ind.lait_code}
    if not wanted:
        return tidy.empty()
    # Only the catalogue's measures (about 55,000 of LAIT's 641,000 rows), grouped by measure
    # in the catalogue's order and in the file's order within each, as one frame: each step
    # below then runs once, not once per measure.
    bds = _read_measures(list(wanted))
    rank = {code: i for i, code in enumerate(wanted)}
    bds = bds.iloc[np.argsort(bds["Short Desc"].map(rank).to_numpy(), kind="stable")]
    types = year_types()
    labels = {
        (code, y): lait_period(y, wanted[code].period_type, types.get(code))
        for code, y in bds[["Short Desc", "Years"]].drop_duplicates().itertuples(index=False)
    }
    period = pd.Series(
        [labels[key] for key in zip(bds["Short Desc"], bds["Years"])], index=bds.index
    )
    area = area_codes(bds["LA Number"])
    keep = period.notna() & area.notna()
    rows, period, area = bds[keep], period[keep], area[keep]
    if rows.empty:
        return tidy.empty()
    value, status = tidy.parse_numbers(rows["Values"])
    frame = tidy.tidy_frame(
        indicator=rows["Short Desc"].map({code: ind.id for code, ind in wanted.items()}),
        area_code=area.astype(str),
        area_level=area.map(areas.area_level),
        period=period.astype(str),
        value=value,
        status=status,
        source=SOURCE,
    )
    # LAIT marks provisional years "(prov)"; if a final figure for the same year is
    # also there, the final one wins.
    frame["_prov"] = rows["Years"].str.contains("(prov)", regex=False).to_numpy()
    out = frame.sort_values("_prov").drop_duplicates(
        ["indicator", "area_code", "period", "breakdown"], keep="first"
    )
    out = _drop_empty_former_las(out.drop(columns="_prov"))
    return tidy.normalise(out.sort_values(["indicator", "area_code", "period"]))


def _drop_empty_former_las(frame: pd.DataFrame) -> pd.DataFrame:
    """LAIT carries former LAs in every year, blank after they ceased; those rows go."""
    las = areas.local_authorities()
    former = set(las.loc[~las["current"], "la_code"])
    empty_former = frame["area_code"].isin(former) & frame["value"].isna()
    return frame[~empty_former]
