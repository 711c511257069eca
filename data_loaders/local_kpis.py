"""The built-in catalogue of local KPIs, from the users' own lists.

A council's monthly return then needs only a KPI id, a period and the numbers: title,
definition, unit and polarity come from here. Areas may also report KPIs of their own;
those get a plain entry made from the id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "data/reference/local_kpis.csv"
UNITS = ("count", "%", "days", "weeks", "minutes", "£")
GROUPS = (
    "EHC process",
    "Placements and home education",
    "Post-16",
    "Transport",
    "Annual reviews",
    "Social care and youth justice",
    "Health waits",
    "Health visiting",
)


@lru_cache(maxsize=1)
def local_kpi_catalogue() -> pd.DataFrame:
    """One row per built-in local KPI: id, group, title, definition, unit, polarity, rba,
    numerator, denominator and the national catalogue id it mirrors (if any)."""
    frame = pd.read_csv(CATALOGUE_FILE, dtype=str, keep_default_na=False)
    return frame


def local_kpi(kpi_id: str) -> dict[str, str] | None:
    """The catalogue entry for a local KPI id (without the ``local:`` prefix), if built in."""
    cat = local_kpi_catalogue()
    match = cat[cat["id"] == kpi_id]
    return None if match.empty else match.iloc[0].to_dict()
