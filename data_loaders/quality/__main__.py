"""``python -m data_loaders.quality``: print every cell the plausibility checks treated."""

import sys

import pandas as pd

from data_loaders.build import findings_report


def main() -> int:
    table = findings_report()
    if table.empty:
        print("No publisher errors found.")
        return 0
    with pd.option_context("display.max_rows", None, "display.width", 250):
        print(table.to_string(index=False))
    print()
    print(table.groupby("rule", sort=False).size().to_string())
    return 0


sys.exit(main())
