"""SEN among children in need, on a child protection plan or looked after, as tidy rows.

Source: DfE "Outcomes for children in need, including children looked after by local
authorities in England", SEN tables for 2016/17 to 2021/22, as used by DfE's SEND and AP
dashboard. Children are matched to the January school census, so the year is the
academic year of the census (and of the 31 March social care snapshot).

One indicator, ``social_care_sen_pct``: the share of school-age children in a social care
group with an EHC plan (or statement) or on SEN support. The breakdown names both, e.g.
``social_care_group=CINO at 31 March;sen_provision=EHC plan``. DfE's group labels are kept
as published:

* ``CINO at 31 March``: children in need at 31 March, other than those on a child
  protection plan or looked after;
* ``CPPO at 31 March``: children on a child protection plan, other than those looked after;
* ``CLA 12 months at 31 March``: looked after continuously for 12 months or more.

``sen_la.csv`` has those three groups for England, regions and LAs. ``sen_national.csv``
adds England-only groups (all children in need at 31 March, at any point in the year,
ever in need in the last six years, and the "All pupils comparison"); they are taken from
there for England only. Where both files have a group, the LA file is used (the two agree).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import tidy
from data_loaders.national.ees import Measure, measure_rows, read_ees
from geography import areas

DATA = Path(__file__).resolve().parents[2] / "data" / "children_in_need"
LA_FILE = DATA / "sen_la.csv"
NATIONAL_FILE = DATA / "sen_national.csv"
INDICATOR = "social_care_sen_pct"
SOURCE = "children_in_need"

PROVISIONS: dict[str, Measure] = {
    "EHC plan": Measure(
        INDICATOR, "pt_statement_or_EHC_plan", ("t_statement_or_EHC_plan",), ("t_pupils",)
    ),
    "SEN support": Measure(INDICATOR, "pt_SEN_support", ("t_SEN_support",), ("t_pupils",)),
}


def breakdown(group: str, provision: str) -> str:
    return f"social_care_group={group};sen_provision={provision}"


def _rows(df: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for provision, measure in PROVISIONS.items():
        labels = df["social_care_group"].map(lambda g, p=provision: breakdown(g, p))
        frames.append(measure_rows(df, measure, SOURCE, breakdown=labels))
    return pd.concat(frames, ignore_index=True)


def read_la_file() -> pd.DataFrame:
    return read_ees(LA_FILE)


def read_national_file() -> pd.DataFrame:
    # Not via read_ees: it expects region and LA code columns, which this
    # England-only file does not have.
    df = pd.read_csv(NATIONAL_FILE, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df = df[df["geographic_level"] == "National"].copy()
    df["area_code"] = areas.ENGLAND
    df["area_level"] = "national"
    df["period"] = [
        tidy.canonical_period(p, i) for p, i in zip(df["time_period"], df["time_identifier"])
    ]
    return df.reset_index(drop=True)


def load_social_care() -> pd.DataFrame:
    """SEN provision of children in social care groups: England, regions and LAs."""
    local = read_la_file()
    # Inner and Outer London (E13000001/2) are published as regions but are not GSS
    # regions of ours; London (E12000007) is there as well.
    local = local[(local["area_level"] != "region") | local["area_code"].isin(list(areas.REGIONS))]
    national = read_national_file()
    extra = national[~national["social_care_group"].isin(set(local["social_care_group"]))]
    out = pd.concat([_rows(local), _rows(extra)], ignore_index=True)
    return tidy.normalise(out.sort_values(["area_code", "period", "breakdown"]))
