"""SEND Tribunal appeal rates (Ministry of Justice / HMCTS) as tidy rows.

The source is a human-formatted table: a title, a two-row header (years, then "Appeals
registered", "Total Appealable Decisions", "SEND Tribunal Appeal Rate" for each year),
region header rows in capitals, LA rows, an "England Total" row and footnotes. 2024 has two
extra "In development" columns (appealable decisions from the new SEN2 collection); the
catalogue uses the established count, so those are ignored.

Oddities handled here:

* ``-`` is a true zero in this table: the legend defines only ``..`` (not available) and
  ``~`` (suppressed), and every ``-`` sits beside a rate of 0.00%. So it is read as 0,
  not as missing (unlike DfE's tables, where tidy.parse_numbers treats ``-`` as missing).
  One blank appeals cell (Isles of Scilly 2023, rate 0.00%) is a zero for the same reason.
* The "LA code" column is wrong for six LAs (Northamptonshire 892, Nottingham 891 and
  Nottinghamshire 928 are rotated; Cambridgeshire and Central Bedfordshire are swapped) and
  empty for Bournemouth and Poole, so LAs are matched by *name* to the LA register.
* "Dorset" carries the old county before 2019 and the new Dorset council from 2019
  (footnote 6), so its years before 2019 go to the former county's code.
* No region rows are published. Region rows are computed as sums of their LAs' appeals
  and decisions, the same way the England total is formed (England's published total
  equals the sum of the LA rows in every year). Only LAs with both counts are summed: 85
  appeals against the former Northamptonshire in 2021 have no decisions behind them, and
  counting them would make the East Midlands rate 2.24% instead of 2.00%.
* The published rate has two decimals (Shropshire 2017, 1 appeal in 2,004 decisions, is
  0.00%, tied with true zeros), so the rate is computed from the counts where both exist.

The newer table (SEN2's 2026 release, calendar years 2024 and 2025) has the same layout with
an "Old LA code" column and no "Local Authority" heading; ``x`` marks a count not available.
Its appealable decisions are DfE's new SEN2 count (which counts completed annual reviews; the
2014-2024 table's "In development" column), about half the established count, so its 2024
England rate is 6.1%, not 3.2%: it is a separate indicator (``tribunal_appeal_rate_new_basis``, source
``tribunals_2026``) rather than a continuation of the old series.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

import tidy
from geography import areas

DATA = Path(__file__).resolve().parents[2] / "data" / "tribunals"
FILE = DATA / "send_tribunal_appeal_rates_2014_2024.csv"
INDICATOR = "tribunal_appeal_rate"
SOURCE = "tribunals"
NEW_BASIS_FILE = DATA / "send_appealable_decisions_rate_2024_2025.csv"
NEW_BASIS_INDICATOR = "tribunal_appeal_rate_new_basis"
NEW_BASIS_SOURCE = "tribunals_2026"

DORSET_NEW, DORSET_OLD = "E06000059", "E10000009"
DORSET_CHANGE_YEAR = 2019
# Names in the MoJ table that differ from the LA register beyond punctuation.
NAME_ALIASES = {"durham": "county durham", "herefordshire": "herefordshire county of"}


def _norm(name: str) -> str:
    """A name key without footnote digits, punctuation or case ("Poole5" ~ "poole")."""
    name = re.sub(r"\d+(,\d+)*\s*$", "", name.strip())  # trailing footnote markers like "4,9"
    name = name.replace("&", "and").lower()
    key = " ".join(re.sub(r"[^a-z ]", " ", name).split())
    return NAME_ALIASES.get(key, key)


def _register_by_name() -> dict[str, str]:
    # Current LAs come last so they win a shared name (two councils have been "Dorset").
    las = areas.local_authorities().sort_values("current")
    return {_norm(n): c for n, c in zip(las["name"], las["la_code"])}


@lru_cache(maxsize=2)
def read_table(path: Path = FILE) -> pd.DataFrame:
    """The table as long rows: name, year, appeals, decisions, rate (raw strings)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    # The row of years heads the table (the older file also names its first column there).
    header = next(
        i for i, r in enumerate(rows) if any(re.fullmatch(r"\d{4}", c.strip()) for c in r[1:])
    )
    years = {j: int(c) for j, c in enumerate(rows[header]) if re.fullmatch(r"\d{4}", c.strip())}
    records = []
    for r in rows[header + 2 :]:
        name = r[0].strip()
        if not name or name.startswith("England total excluding"):
            continue
        if name.startswith(("Sources", "Notes")):
            break  # footnotes follow
        if name.isupper() or not any(c.strip() for c in r[2:]):
            continue  # region header rows ("NORTH EAST", "INNER LONDON") carry no numbers
        for j, year in years.items():
            records.append(
                {
                    "name": name,
                    "la_number": r[1].strip(),
                    "year": year,
                    "appeals": r[j],
                    "decisions": r[j + 1],
                    "rate": r[j + 2],
                }
            )
    return pd.DataFrame.from_records(records)


def _counts(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    # "-" is a true zero here (see module docstring); everything else as published.
    stripped = cells.str.strip()
    values, status = tidy.parse_numbers(cells.where(stripped != "-", "0"))
    # This table's legend defines "~" as suppressed (tidy's default reads "~" as "low").
    return values, status.where(stripped != "~", "suppressed")


def load_tribunals() -> pd.DataFrame:
    """Appeal rate per LA, region and England for calendar years 2014 to 2024."""
    return _load(FILE, INDICATOR, SOURCE)


def load_tribunals_new_basis() -> pd.DataFrame:
    """Appeal rate on the new count of appealable decisions, calendar years 2024 and 2025."""
    return _load(NEW_BASIS_FILE, NEW_BASIS_INDICATOR, NEW_BASIS_SOURCE)


def _load(path: Path, indicator: str, source: str) -> pd.DataFrame:
    raw = read_table(path)
    appeals, _ = _counts(raw["appeals"])
    decisions, _ = _counts(raw["decisions"])
    published_rate, rate_status = _counts(raw["rate"])
    # A blank appeals cell beside a published 0.00% rate is a zero, not a gap.
    appeals = appeals.where(~((raw["appeals"].str.strip() == "") & (published_rate == 0)), 0.0)
    rate = _rate(appeals, decisions).fillna(published_rate)
    rate_status = rate_status.where(rate.isna(), "")

    is_england = raw["name"].str.lower().str.startswith("england total")
    by_name = _register_by_name()
    code = raw["name"].map(_norm).map(by_name)
    code = code.where(~((code == DORSET_NEW) & (raw["year"] < DORSET_CHANGE_YEAR)), DORSET_OLD)
    code = code.where(~is_england, areas.ENGLAND)
    unmatched = sorted(raw.loc[code.isna(), "name"].unique())
    if unmatched:
        raise ValueError(f"tribunal table rows with no LA in the register: {unmatched}")
    code = areas.current_codes(code)

    frame = pd.DataFrame(
        {
            "area_code": code,
            "area_level": np.where(is_england, "national", "la"),
            "year": raw["year"],
            "numerator": appeals,
            "denominator": decisions,
            "value": rate,
            "status": rate_status,
        }
    )
    # An LA that did not exist that year ('..' in every cell) has no row at all.
    exists = frame[["numerator", "denominator", "value"]].notna().any(axis=1)
    frame = frame[exists]
    out = pd.concat([frame, _regions(frame[frame["area_level"] == "la"])], ignore_index=True)
    return tidy.tidy_frame(
        indicator=indicator,
        area_code=out["area_code"],
        area_level=out["area_level"],
        period=out["year"].astype(str),
        numerator=out["numerator"],
        denominator=out["denominator"],
        value=out["value"],
        status=out["status"],
        source=source,
    )


def _rate(appeals: pd.Series, decisions: pd.Series) -> pd.Series:
    """Appeals per 100 appealable decisions at full precision; missing without decisions."""
    return (100 * appeals / decisions).where(decisions > 0)


def _regions(las: pd.DataFrame) -> pd.DataFrame:
    """Regions as the sum of their LAs, as MoJ forms the England total."""
    register = areas.local_authorities()
    region = las["area_code"].map(dict(zip(register["la_code"], register["region_code"])))
    both = las["numerator"].notna() & las["denominator"].notna()
    sums = (
        las[both]
        .assign(region=region[both])
        .groupby(["region", "year"], as_index=False)[["numerator", "denominator"]]
        .sum(min_count=1)
    )
    sums["value"] = _rate(sums["numerator"], sums["denominator"])
    sums["status"] = np.where(sums["value"].notna(), "", "not_available")
    sums["area_level"] = "region"
    return sums.rename(columns={"region": "area_code"})
