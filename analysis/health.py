"""NHS figures for a council: which integrated care boards (ICBs) it lies in, and its main ICB's
children's community health waits beside England's.

NHS England publishes community health waits by ICB, not by council. A council is matched to
ICBs through the sub-ICB locations it overlaps (geography/boundaries), weighted by area; the
ICB holding most of it is the one shown, and the others are named so a page can say so.
"""

from __future__ import annotations

import pandas as pd

import indicators
from geography import boundaries
from geography.areas import ENGLAND

SHARE = "chs_cyp_waiting_over_18w_pct"
COUNTS = ("chs_cyp_waiting", "chs_cyp_waiting_over_18w", "chs_cyp_waiting_over_52w")
# Overlaps below this share of a council's area are slivers of generalised boundaries.
MIN_SHARE = 0.02


def icbs_of(la_code: str) -> pd.DataFrame:
    """The ICBs a council lies in: icb_code, icb_name, share (of its area), largest first."""
    overlaps = boundaries.la_sub_icbs(la_code)
    lookup = boundaries.sub_icb_lookup()
    merged = overlaps.merge(lookup, on="sub_icb_code", how="left")
    out = (
        merged.groupby(["icb_code", "icb_name"], as_index=False)["area_share"]
        .sum()
        .rename(columns={"area_share": "share"})
    )
    out = out[out["share"] >= MIN_SHARE]
    return out.sort_values("share", ascending=False).reset_index(drop=True)


def icb_waits(table: pd.DataFrame, icb_code: str) -> pd.DataFrame:
    """Latest waits by service for an ICB and England, one row per service and area.

    Columns: service, role ("area" for the ICB, "England"), area_code, period, and one column
    per indicator (the share waiting over 18 weeks and the three counts).
    """
    ids = (SHARE, *COUNTS)
    frames = [
        indicators.rows(i, [icb_code, ENGLAND], None, table=table).assign(indicator=i) for i in ids
    ]
    rows = pd.concat(frames, ignore_index=True)
    if rows.empty or icb_code not in set(rows["area_code"]):
        return pd.DataFrame()
    latest = rows.loc[rows["area_code"] == icb_code, "period"].max()
    rows = rows[rows["period"] == latest]
    wide = rows.pivot_table(
        index=["breakdown", "area_code"], columns="indicator", values="value", aggfunc="first"
    ).reset_index()
    wide = wide.reindex(columns=["breakdown", "area_code", *ids])
    wide["service"] = wide["breakdown"].str.removeprefix("service=")
    wide["role"] = wide["area_code"].map({icb_code: "area", ENGLAND: "England"})
    wide["period"] = latest
    return wide.drop(columns="breakdown")
