"""Write the tables SEND Lens uses from DfE's SEND and AP dashboard R workspace as plain CSV.

The dashboard (dfe-analytical-services/SEND-AP-Inclusion-Dashboard) keeps its processed
tables in one R workspace, ``prepared_data.Rdata``. Reading it takes about a minute, so it
is converted once here and the app reads the CSV. Values are written unchanged.

    python scripts/convert_rdata.py [path/to/prepared_data.Rdata]

Writes ``data/send_ap_dashboard/absence_by_sen.csv`` (the workspace's ``absence`` table:
overall, authorised and unauthorised absence by SEN provision for England, regions and
LAs, 2016/17 to 2022/23).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT.parent / "shared/data/raw/dfe_send_ap_inclusion_dashboard/prepared_data.Rdata"
OUT = ROOT / "data" / "send_ap_dashboard"

# workspace object -> CSV file name. Only tables a loader reads.
TABLES: dict[str, str] = {"absence": "absence_by_sen.csv"}


def read_workspace(path: Path) -> dict[str, object]:
    import rdata

    with warnings.catch_warnings():
        # tibble/vctrs classes have no Python constructor; rdata falls back to data.frame,
        # which is what we want, but says so once per object.
        warnings.simplefilter("ignore", UserWarning)
        return rdata.conversion.convert(rdata.parser.parse_file(path), default_encoding="utf8")


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_INPUT
    workspace = read_workspace(path)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, filename in TABLES.items():
        table = workspace[name]
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"{name} in {path.name} is not a table")
        table.to_csv(OUT / filename, index=False)
        print(f"{name}: {len(table)} rows -> {(OUT / filename).relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
