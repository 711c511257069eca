"""Statutory timeliness from a local EHC needs assessment tracker.

The tracker is the table ``read_upload(..., kind="ehc_tracker")`` returns: one row per
assessment request with ``request_date``, ``decision_date``, ``decision`` ("assess" or
"not assess"), ``issue_date``, ``exception`` (bool), ``primary_need``, ``age`` (at the
request), ``school_urn`` and ``ward_code``. Weeks are whole days divided by 7, so 140 days
is exactly 20 weeks and counts as on time, as in the SEN2 guidance ("within 20 weeks").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TWENTY_WEEKS_DAYS = 140
SIX_WEEKS_DAYS = 42
WAIT_THRESHOLDS_WEEKS = (20, 30, 52)

AGE_PHASES: tuple[tuple[str, int, int], ...] = (
    ("Under 5", 0, 4),
    ("Age 5 to 10", 5, 10),
    ("Age 11 to 15", 11, 15),
    ("Age 16 to 19", 16, 19),
    ("Age 20 to 25", 20, 25),
)


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce").dt.normalize()


def window(as_of: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 12 months up to and including ``as_of``: (start exclusive, end inclusive)."""
    end = pd.Timestamp(as_of)
    return end - pd.DateOffset(years=1), end


def exceptions(frame: pd.DataFrame) -> pd.Series:
    return frame["exception"].fillna(False).astype(bool)


def latest_date(tracker: pd.DataFrame, today: dt.date | None = None) -> dt.date:
    """The last day the tracker records (a request, decision or plan), never after today:
    the as-at date its figures are read on unless the user picks another."""
    today = today or dt.date.today()
    found = pd.concat(
        [dates(tracker, c) for c in ("request_date", "decision_date", "issue_date")]
    ).max()
    return today if pd.isna(found) else min(found.date(), today)


def issued_in_window(tracker: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Plans issued in the 12 months up to ``as_of``, with ``days_to_issue`` added."""
    start, end = window(as_of)
    issue = dates(tracker, "issue_date")
    request = dates(tracker, "request_date")
    inside = issue.notna() & (issue > start) & (issue <= end) & request.notna()
    out = tracker[inside].copy()
    out["days_to_issue"] = (issue[inside] - request[inside]).dt.days
    return out


def open_assessments(tracker: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Requests still waiting on ``as_of``: no plan issued and no decision not to assess.

    A plan issued after ``as_of`` was still open on that day, so it counts as open.
    """
    end = pd.Timestamp(as_of)
    request = dates(tracker, "request_date")
    issue = dates(tracker, "issue_date")
    decision_date = dates(tracker, "decision_date")
    said_no = (tracker["decision"].astype("string").str.strip().str.lower() == "not assess").fillna(
        False
    )
    refused = said_no.astype(bool) & (decision_date.isna() | (decision_date <= end))
    waiting = request.notna() & (request <= end) & (issue.isna() | (issue > end)) & ~refused
    out = tracker[waiting].copy()
    out["days_waiting"] = (end - request[waiting]).dt.days
    return out


def tracker_summary(tracker: pd.DataFrame, as_of: dt.date) -> dict[str, float | int | None]:
    """The headline timeliness figures on ``as_of``.

    - ``plans_issued``: plans issued in the 12 months up to ``as_of`` (all, with exceptions);
    - ``plans_issued_excluding_exceptions``: those without an exception;
    - ``issued_within_20_weeks_pct``: of the plans without an exception, the share issued
      within 20 weeks of the request (None when there are none);
    - ``issued_within_20_weeks_including_exceptions_pct``: the same over all plans;
    - ``open_over_20_weeks`` / ``_30_`` / ``_52_``: requests with no plan and no decision not to
      assess, waiting longer than that many weeks on ``as_of``;
    - ``mean_weeks_to_issue`` / ``max_weeks_to_issue``: for all plans issued in the window;
    - ``requests_received``: requests received in the 12 months up to ``as_of``;
    - ``decided_within_6_weeks_pct``: of those requests with a decision, the share decided
      within 6 weeks.
    """
    issued = issued_in_window(tracker, as_of)
    no_exception = issued[~exceptions(issued)]
    on_time = no_exception["days_to_issue"] <= TWENTY_WEEKS_DAYS
    waiting = open_assessments(tracker, as_of)
    weeks = issued["days_to_issue"] / 7
    summary: dict[str, float | int | None] = {
        "plans_issued": len(issued),
        "plans_issued_excluding_exceptions": len(no_exception),
        "issued_within_20_weeks_pct": _pct(int(on_time.sum()), len(no_exception)),
        "issued_within_20_weeks_including_exceptions_pct": _pct(
            int((issued["days_to_issue"] <= TWENTY_WEEKS_DAYS).sum()), len(issued)
        ),
        "mean_weeks_to_issue": float(weeks.mean()) if len(weeks) else None,
        "max_weeks_to_issue": float(weeks.max()) if len(weeks) else None,
        "open_assessments": len(waiting),
    }
    for threshold in WAIT_THRESHOLDS_WEEKS:
        summary[f"open_over_{threshold}_weeks"] = int(
            (waiting["days_waiting"] > threshold * 7).sum()
        )
    summary.update(_requests(tracker, as_of))
    return summary


def _requests(tracker: pd.DataFrame, as_of: dt.date) -> dict[str, float | int | None]:
    start, end = window(as_of)
    request = dates(tracker, "request_date")
    decision = dates(tracker, "decision_date")
    received = request.notna() & (request > start) & (request <= end)
    decided = received & decision.notna() & (decision <= end)
    days = (decision - request).dt.days
    within = decided & (days <= SIX_WEEKS_DAYS)
    return {
        "requests_received": int(received.sum()),
        "requests_decided": int(decided.sum()),
        "decided_within_6_weeks_pct": _pct(int(within.sum()), int(decided.sum())),
    }


def _pct(numerator: int, denominator: int) -> float | None:
    return 100.0 * numerator / denominator if denominator else None


def monthly_compliance(tracker: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Plans issued each month of the 12 up to ``as_of``, and the share within 20 weeks.

    Columns: month ("2025-03"), plans_issued, within_20_weeks (excluding exceptions),
    plans_excluding_exceptions, pct. Months with no plans appear with zero plans and no pct.
    """
    issued = issued_in_window(tracker, as_of)
    issued["month"] = dates(issued, "issue_date").dt.strftime("%Y-%m")
    issued["counted"] = ~exceptions(issued)
    issued["on_time"] = issued["counted"] & (issued["days_to_issue"] <= TWENTY_WEEKS_DAYS)
    grouped = issued.groupby("month").agg(
        plans_issued=("month", "size"),
        plans_excluding_exceptions=("counted", "sum"),
        within_20_weeks=("on_time", "sum"),
    )
    months = pd.period_range(end=pd.Timestamp(as_of).to_period("M"), periods=12, freq="M").strftime(
        "%Y-%m"
    )
    out = grouped.reindex(months, fill_value=0).rename_axis("month").reset_index()
    out = out.astype(
        {"plans_issued": int, "plans_excluding_exceptions": int, "within_20_weeks": int}
    )
    out["pct"] = np.where(
        out["plans_excluding_exceptions"] > 0,
        100.0
        * out["within_20_weeks"]
        / out["plans_excluding_exceptions"].where(out["plans_excluding_exceptions"] > 0),
        np.nan,
    )
    return out


def age_phase(age: pd.Series) -> pd.Series:
    """Age at request in years -> the phase labels DfE uses for SEN2 age groups."""
    out = pd.Series(pd.NA, index=age.index, dtype="string")
    numeric = pd.to_numeric(age, errors="coerce")
    for label, low, high in AGE_PHASES:
        out = out.mask(numeric.between(low, high), label)
    return out.fillna("Age unknown")


def compliance_by(tracker: pd.DataFrame, as_of: dt.date, by: str) -> pd.DataFrame:
    """20-week compliance and waits split by ``primary_need``, ``age_phase`` or ``school_urn``.

    Columns: group, plans_issued, within_20_weeks, plans_excluding_exceptions, pct,
    open_assessments, open_over_20_weeks.
    """
    frame = tracker.copy()
    if by == "age_phase":
        frame["age_phase"] = age_phase(frame["age"])
    frame[by] = frame[by].astype("string").fillna("Not recorded")
    issued = issued_in_window(frame, as_of)
    issued["counted"] = ~exceptions(issued)
    issued["on_time"] = issued["counted"] & (issued["days_to_issue"] <= TWENTY_WEEKS_DAYS)
    waiting = open_assessments(frame, as_of)
    waiting["over_20"] = waiting["days_waiting"] > 20 * 7
    a = issued.groupby(by).agg(
        plans_issued=(by, "size"),
        within_20_weeks=("on_time", "sum"),
        plans_excluding_exceptions=("counted", "sum"),
    )
    b = waiting.groupby(by).agg(
        open_assessments=(by, "size"), open_over_20_weeks=("over_20", "sum")
    )
    out = a.join(b, how="outer").fillna(0).astype(int)
    out["pct"] = (
        100.0
        * out["within_20_weeks"]
        / out["plans_excluding_exceptions"].where(out["plans_excluding_exceptions"] > 0)
    )
    return out.rename_axis("group").reset_index().sort_values("group").reset_index(drop=True)
