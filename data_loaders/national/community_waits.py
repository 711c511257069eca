"""Children's community health services waiting lists by ICB, from NHS England, as tidy rows.

NHS England's Community Health Services SitRep publishes each month the waiting list of every
community service by provider, ICB, NHS region and England, with the numbers waiting in
weekly bands. ``scripts/extract_community_waits.py`` keeps England and the 42 integrated care
boards (ICBs) for the children and young people's services, as published cells, from the
March 2025 and July 2025 workbooks.

Indicators, each by ``service=`` (community paediatrics, speech and language therapy, ...):

* ``chs_cyp_waiting``: children and young people on the waiting list (Table 4);
* ``chs_cyp_waiting_over_18w`` and ``chs_cyp_waiting_over_52w``: numbers waiting more than
  18 weeks (Tables 4f-4h) and more than 52 weeks (Tables 4g-4h);
* ``chs_cyp_waiting_over_18w_pct``: the share of those with a known wait who have waited more
  than 18 weeks. The denominator is the sum of the weekly bands, not the total list: NHS
  England notes some providers report a total but no bands yet, and those cannot be split.

Area codes: the workbooks name ICBs by NHS code (``QWO``) and upper-case name; they are
matched by name to the ONS ICB codes (``E54...``) of the boundary lookups, at area level
``icb``. A blank cell (no organisation submitted for the service) is missing, never zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

import indicators
import tidy
from geography import areas, boundaries

FILE = (
    Path(__file__).resolve().parents[2] / "data" / "nhs_community_health" / "cyp_waits_2025.csv.gz"
)
SOURCE = "nhs_community_health"

# Published service names -> the shorter names pages show (the services SEND plans rely on).
SERVICES: dict[str, str] = {
    "(CYP) Community paediatric service": "Community paediatrics",
    "(CYP) Therapy interventions: Speech and language": "Speech and language therapy",
    "(CYP) Therapy interventions: Occupational therapy": "Occupational therapy",
    "(CYP) Therapy interventions: Physiotherapy": "Physiotherapy",
    "(CYP) Audiology": "Audiology",
    "(CYP) Wheelchair, orthotics, prosthetics and equipment": "Wheelchairs and equipment",
    "(CYP) Therapy interventions: Dietetics": "Dietetics",
    "(CYP) Community nursing services (planned care and rapid response teams)": "Community nursing",
    "(CYP) Nursing and Therapy teams support for long term conditions": "Long-term conditions teams",
}
BANDS = tuple(f"Table 4{c}" for c in "abcdefgh")
OVER_18 = ("Table 4f", "Table 4g", "Table 4h")
OVER_52 = ("Table 4g", "Table 4h")


@lru_cache(maxsize=1)
def read_extract() -> pd.DataFrame:
    return pd.read_csv(FILE, dtype=str, keep_default_na=False)


def _key(name: str) -> str:
    name = re.sub(r"^nhs |integrated care board$", "", name.strip().lower())
    return " ".join(re.sub(r"[^a-z ]", " ", name.replace("&", "and")).split())


def icb_codes() -> dict[str, str]:
    """Normalised ICB name -> ONS ICB code (April 2023 lookup)."""
    lookup = boundaries.sub_icb_lookup().drop_duplicates("icb_code")
    return {_key(n): c for n, c in zip(lookup["icb_name"], lookup["icb_code"])}


def load_community_waits(
    catalogue: Mapping[str, indicators.Indicator] = indicators.CATALOGUE,
) -> pd.DataFrame:
    """Waiting-list measures by children's service for England and every ICB."""
    df = read_extract()
    df = df[df["service"].isin(SERVICES)]
    is_england = df["organisation_type"] == "National"
    code = df["organisation_name"].map(_key).map(icb_codes())
    code = code.where(~is_england, areas.ENGLAND)
    unmatched = sorted(df.loc[code.isna(), "organisation_name"].unique())
    if unmatched:
        raise ValueError(f"community waits: ICBs with no ONS code: {unmatched}")
    counts, status = tidy.parse_numbers(df["count"])
    cells = pd.DataFrame(
        {
            "area_code": code,
            "area_level": np.where(is_england, "national", "icb"),
            "period": df["period"],
            "breakdown": "service=" + df["service"].map(SERVICES),
            "table": df["table"],
            "count": counts,
            "status": status,
        }
    )
    keys = ["area_code", "area_level", "period", "breakdown"]
    # unstack, not pivot_table: an ICB with every cell blank must stay (as missing rows).
    wide = cells.set_index([*keys, "table"])["count"].unstack("table")
    wide = wide.reindex(columns=["Table 4", *BANDS])  # a table with no numbers is all missing
    wide = wide.reset_index()
    # min_count: a band total is known only when every band was published.
    over_18 = wide[list(OVER_18)].sum(axis=1, min_count=len(OVER_18))
    over_52 = wide[list(OVER_52)].sum(axis=1, min_count=len(OVER_52))
    banded = wide[list(BANDS)].sum(axis=1, min_count=len(BANDS))
    share = (100 * over_18 / banded).where(banded > 0)
    measures = {
        "chs_cyp_waiting": (wide["Table 4"], None, None),
        "chs_cyp_waiting_over_18w": (over_18, None, None),
        "chs_cyp_waiting_over_52w": (over_52, None, None),
        "chs_cyp_waiting_over_18w_pct": (share, over_18, banded),
    }
    frames = [
        tidy.tidy_frame(
            indicator=indicator,
            area_code=wide["area_code"],
            area_level=wide["area_level"],
            period=wide["period"],
            breakdown=wide["breakdown"],
            value=value,
            numerator=num,
            denominator=den,
            # Blank cells are "no organisation submitted": not available, never zero.
            status=pd.Series(np.where(value.isna(), "not_available", ""), index=wide.index),
            source=SOURCE,
        )
        for indicator, (value, num, den) in measures.items()
        if indicator in catalogue
    ]
    return tidy.normalise(pd.concat(frames, ignore_index=True)) if frames else tidy.empty()
