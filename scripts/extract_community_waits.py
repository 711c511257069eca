"""Extract the children's services from NHS England's community health services waiting-list
workbooks into the small CSV SEND Lens ships (data/nhs_community_health/).

Each workbook has Table 4 (total waiting list) and Tables 4a-4h (numbers waiting by weeks
waited) by service, for England, NHS regions, ICBs and providers. We keep England and the 42
ICBs, the children and young people's (CYP) services, and every table, as published cells
(a blank means no organisation submitted). Run once per new workbook:

    python scripts/extract_community_waits.py RAW_DIR data/nhs_community_health/cyp_waits.csv.gz
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

# Workbook name part -> period label (the month of the snapshot).
WORKBOOKS = {"2024-25-March": "2025-03", "2025-26-July": "2025-07"}
TABLES = ("Table 4", *(f"Table 4{c}" for c in "abcdefgh"))
KEEP_LEVELS = ("National", "ICB")


def extract(raw_dir: Path) -> pd.DataFrame:
    frames = []
    for part, period in WORKBOOKS.items():
        path = raw_dir / f"Community-health-services-waiting-lists-{part}.xlsx"
        for table in TABLES:
            sheet = pd.read_excel(path, sheet_name=table, header=4, dtype=str, engine="openpyxl")
            sheet = sheet[sheet["Organisation Type"].isin(KEEP_LEVELS)]
            cyp = [c for c in sheet.columns if str(c).startswith("(CYP)")]
            long = sheet.melt(
                id_vars=["Organisation Type", "Organisation Code", "Organisation Name"],
                value_vars=cyp,
                var_name="service",
                value_name="count",
            )
            frames.append(long.assign(period=period, table=table))
    out = pd.concat(frames, ignore_index=True)
    out.columns = [c.lower().replace(" ", "_") for c in out.columns]
    return out[
        [
            "period",
            "table",
            "organisation_type",
            "organisation_code",
            "organisation_name",
            "service",
            "count",
        ]
    ]


if __name__ == "__main__":
    extract(Path(sys.argv[1])).to_csv(sys.argv[2], index=False)
