"""Write data/reference/local_authorities.csv from the shipped SEN2 files.

Every LA code DfE has published EHC plan data under since 2010, with its DfE number, name
and region, and whether it is one of today's LAs. Run again after a refresh adds a release.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geography.areas import current_codes

DATA = Path(__file__).resolve().parent.parent / "data"
SOURCES = [
    DATA / "sen2/2025/caseload.csv.gz",
    DATA / "sen2/2022/sen2_age_caseload.csv.gz",
]


def main() -> None:
    frames = []
    for path in SOURCES:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        df = df[df["geographic_level"] == "Local authority"]
        frames.append(
            df[
                [
                    "time_period",
                    "new_la_code",
                    "old_la_code",
                    "la_name",
                    "region_code",
                    "region_name",
                ]
            ]
        )
    allrows = pd.concat(frames)
    allrows["new_la_code"] = current_codes(allrows["new_la_code"])
    allrows["year"] = allrows["time_period"].str[:4].astype(int)
    latest_year = allrows["year"].max()
    latest = (
        allrows.sort_values("year")
        .groupby("new_la_code", as_index=False)
        .last()
        .rename(columns={"new_la_code": "la_code", "old_la_code": "dfe_code", "la_name": "name"})
    )
    latest["current"] = latest["year"] == latest_year
    first = allrows.groupby("new_la_code")["year"].min()
    latest["first_year"] = latest["la_code"].map(first)
    latest = latest.rename(columns={"year": "last_year"})
    cols = [
        "la_code",
        "dfe_code",
        "name",
        "region_code",
        "region_name",
        "current",
        "first_year",
        "last_year",
    ]
    out = latest[cols].sort_values(
        ["current", "region_code", "name"], ascending=[False, True, True]
    )
    out.to_csv(DATA / "reference/local_authorities.csv", index=False)
    print(f"{len(out)} LA codes, {int(out['current'].sum())} current")


if __name__ == "__main__":
    main()
