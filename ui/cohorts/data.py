"""The Cohorts page's data: the workspace's agency cohort extracts, linked in this session.

The extracts are child-level: they are read from the store into this session's state only
(keyed by the store's list of active versions, as ``ui.local`` does), never a shared cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analysis import tracker as tr
from analysis.linking import LinkingError, LinkResult, link_extracts
from store.failures import KeyMismatchError
from ui import local
from ui.examples import EXAMPLE_PREFIX, GOVERNANCE_EXAMPLES, is_example, load_examples
from uploads.keys import FINGERPRINT_ATTR

AGENCIES = ("education", "social care", "youth justice", "health")
COHORT_EXAMPLES = tuple(
    (
        "cohort",
        f"demo_cohort_{agency.replace(' ', '_')}.csv",
        f"{EXAMPLE_PREFIX}: {agency} cohort extract",
    )
    for agency in AGENCIES
) + tuple(e for e in GOVERNANCE_EXAMPLES if e[0] == "ehc_tracker")
FLASH = "cohorts.flash"


@dataclass(frozen=True)
class Linked:
    """What the page shows: the linking (None when nothing could be linked), whether it is
    the example, the tracker's headline figures (for the board's ten), and a refusal."""

    result: LinkResult | None
    example: bool
    tracker: dict[str, float | int | None] | None
    problem: str = ""


def _mine(listed: pd.DataFrame, kind: str) -> pd.DataFrame:
    """This kind's datasets: the area's own, else the example's (never both mixed)."""
    rows = listed[listed["kind"] == kind]
    own = rows[~rows["name"].map(is_example)]
    if not own.empty:
        return own
    names = {name for k, _, name in COHORT_EXAMPLES if k == kind}
    return rows[rows["name"].isin(names)]


def linked() -> Linked:
    listed = local.datasets()
    cohorts, trackers = _mine(listed, "cohort"), _mine(listed, "ehc_tracker")
    if cohorts.empty:
        return Linked(None, False, None)
    example = bool(cohorts["name"].map(is_example).all())
    unlinkable = local.linkable(cohorts)
    if unlinkable:
        return Linked(None, example, None, unlinkable)
    key = (local.fingerprint(cohorts), local.fingerprint(trackers), local.workspace())
    return local.session_cached("cohorts.linked", key, lambda: _link(cohorts, trackers, example))


def _link(cohorts: pd.DataFrame, trackers: pd.DataFrame, example: bool) -> Linked:
    frames = []
    for row in cohorts.itertuples():
        frame = local.load_dataset(int(row.dataset_id), int(row.active_version)).copy()
        frame.attrs[FINGERPRINT_ATTR] = (
            None if pd.isna(row.key_fingerprint) else row.key_fingerprint
        )
        frames.append(frame)
    extracts = {}
    for agency in AGENCIES:  # education first: its need, school and ward come first
        parts = [f[f["agency"] == agency] for f in frames if "agency" in f]
        parts = [p for p in parts if not p.empty]
        if parts:
            joined = pd.concat(parts, ignore_index=True)
            # One key across the datasets: local.linkable has refused a mix before this.
            joined.attrs[FINGERPRINT_ATTR] = parts[0].attrs.get(FINGERPRINT_ATTR)
            extracts[agency.replace(" ", "_")] = joined
    try:
        result = link_extracts(extracts)
    except (LinkingError, KeyMismatchError) as err:
        return Linked(None, example, None, str(err))
    return Linked(result, example, _tracker(trackers))


def _tracker(trackers: pd.DataFrame) -> dict[str, float | int | None] | None:
    if trackers.empty:
        return None
    row = trackers.sort_values("uploaded_at", ascending=False).iloc[0]
    frame = local.load_dataset(int(row["dataset_id"]), int(row["active_version"]))
    return tr.tracker_summary(frame, tr.latest_date(frame))


def load_example() -> None:
    """Button callback: the four example extracts and the example tracker, as uploads."""
    load_examples(COHORT_EXAMPLES, flash=FLASH)


def show_flash() -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
