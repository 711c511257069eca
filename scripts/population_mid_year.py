"""Cut ONS's mid-2023 and mid-2024 estimates (mye23tablesew.csv, mye24tablesew.csv) down to
what SEND Lens needs: ages 0 to 25 for England and its upper-tier councils (counties,
unitaries, London boroughs, metropolitan districts), the SEND local authorities.

Usage: python scripts/population_mid_year.py RAW_DIR > data/population/population_0_25_mid2023_mid2024.csv
where RAW_DIR holds ons_mye_2023/mye23tablesew.csv and ons_mye_2024/mye24tablesew.csv.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

FILES = {2023: "ons_mye_2023/mye23tablesew.csv", 2024: "ons_mye_2024/mye24tablesew.csv"}
# The districts of a two-tier county are left out: the county is the SEND authority.
UPPER_TIER = {"Country", "County", "Unitary Authority", "London Borough", "Metropolitan District"}
AGES = range(26)


def main(raw: Path) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["year", "area_code", "area_name", *(str(a) for a in AGES)])
    for year, name in FILES.items():
        with (raw / name).open(newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                if row["Geography"] in UPPER_TIER and row["Code"].startswith("E"):
                    counts = [row[str(a)].replace(",", "") for a in AGES]
                    out.writerow([year, row["Code"], row["Name"], *counts])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
