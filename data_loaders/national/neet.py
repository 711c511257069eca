"""NEET or not known at 16-17 by SEND status, from DfE's NCCIS local authority dashboard.

DfE's "Participation in education, training and NEET age 16 to 17 by local authority" gives,
each winter (the December to February average), the share of 16 and 17 year olds known to
the council who are not in education, employment or training (NEET) or whose activity is not
known, for all young people and split by SEND status: with an EHC plan, on SEN support, no
SEN. The shipped file (``data/neet_send/``) joins the 2022 to 2025 dashboard files, keeping
only the area, cohort and NEET or not known columns.

Only percentages are published for the SEND split (DfE gives each group's share of the
cohort, rounded, so counts worked back from it would be estimates): numerator and denominator
stay empty. ``c`` (a group too small to publish) and ``z`` become missing with a status.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import indicators
import tidy
from data_loaders.national.ees import Measure, measure_rows, read_ees

FILE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "neet_send"
    / "neet_not_known_16_17_by_send_2022_2025.csv"
)
SOURCE = "neet_send"

MEASURES: tuple[Measure, ...] = (
    Measure("neet_nk_16_17_pct", value="NEET_not_known_percent"),
    Measure("neet_nk_16_17_ehc_pct", value="NEET_NK_EHCP_percent"),
    Measure("neet_nk_16_17_sen_support_pct", value="NEET_NK_SENDsupport_percent"),
    Measure("neet_nk_16_17_no_sen_pct", value="NEET_NK_noSEN_percent"),
)


def load_neet(
    catalogue: Mapping[str, indicators.Indicator] = indicators.CATALOGUE,
) -> pd.DataFrame:
    """NEET or not known at 16-17, overall and by SEND status, for England, regions and LAs."""
    df = read_ees(FILE)
    frames = [measure_rows(df, m, SOURCE) for m in MEASURES if m.indicator in catalogue]
    if not frames:
        return tidy.empty()
    return tidy.normalise(pd.concat(frames, ignore_index=True))
