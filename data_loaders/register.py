"""The national half of the data register: what each shipped or refreshed source covers.

Read from the tidy table itself, so the register always says what the app is really using.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tidy import period_order

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Release:
    title: str
    publisher: str
    release: str


RELEASES: dict[str, Release] = {
    "sen2_2025": Release("Education, health and care plans (SEN2)", "DfE", "June 2025"),
    "sen2_2022": Release(
        "Education, health and care plans (SEN2), earlier series",
        "DfE",
        "June 2022 and SEN2 management information",
    ),
    "lait": Release(
        "Local Authority Interactive Tool",
        "DfE (gathering DfE, ONS, MoJ and OHID statistics)",
        "April 2026 snapshot",
    ),
    "tribunals": Release(
        "SEND Tribunal appeal rates", "Ministry of Justice / HMCTS", "2014-2024 table, June 2025"
    ),
    "population": Release("Mid-year population estimates", "ONS", "mid-2020"),
    "schools": Release("School census by school (performance tables)", "DfE", "January 2024"),
    "children_in_need": Release(
        "Outcomes for children in need, including children looked after",
        "DfE",
        "2016/17 to 2021/22",
    ),
    "absence_by_sen": Release(
        "Pupil absence by SEN status (SEND and AP dashboard)", "DfE", "2016/17 to 2022/23"
    ),
    "sen_in_england": Release(
        "Special educational needs in England", "DfE", "fetched by the refresh command"
    ),
    "sen2+population": Release(
        "EHC plans per 10,000 aged 0-25 (derived)",
        "SEND Lens from DfE and ONS",
        "as its two sources",
    ),
}


def national_register(table: pd.DataFrame) -> pd.DataFrame:
    """One row per source in the national table: title, publisher, release, periods covered,
    indicators, areas and rows, and when it was refreshed (blank for shipped data)."""
    refreshed = _refreshed_dates()
    rows = []
    for source, part in table.groupby("source", sort=True):
        source = str(source)
        periods = part["period"].drop_duplicates()
        order = period_order(periods)
        release = RELEASES.get(source, Release(source, "", ""))
        rows.append(
            {
                "Source": release.title,
                "Publisher": release.publisher,
                "Release": release.release,
                "First period": periods.iloc[int(order.argmin())],
                "Latest period": periods.iloc[int(order.argmax())],
                "Indicators": int(part["indicator"].nunique()),
                "Areas": int(part["area_code"].nunique()),
                "Rows": len(part),
                "Refreshed": refreshed.get(source, ""),
                "key": source,
            }
        )
    return pd.DataFrame(rows)


def _refreshed_dates() -> dict[str, str]:
    manifest = DATA / "refreshed/manifest.json"
    try:
        entries = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return {}
    items = entries.values() if isinstance(entries, dict) else entries
    out = {}
    for entry in items:
        if isinstance(entry, dict) and entry.get("dataset") and entry.get("fetched_at"):
            key = {"ehcp": "sen2_2025"}.get(entry["dataset"], entry["dataset"])
            out[key] = str(entry["fetched_at"])[:10]
    return out
