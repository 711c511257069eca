"""Annual reviews of EHC plans: which fall due, and which were held within 12 months.

What each upload makes possible:

* **Due** needs only the EHC needs assessment tracker (``ehc_tracker``): a plan issued on
  date D is due its first annual review by D + 12 months and then by each anniversary
  (D + 24 months, ...). A plan issued on 29 February falls due on 28 February in other
  years. The tracker lists the plans the area issued after the assessments it records, not
  its whole caseload, and does not say when a plan ceased, so these are the reviews due on
  the plans in the tracker.
* **Held** also needs the annual review outcomes upload (``outcomes_return``), whose
  ``review_date`` says when each child's review meeting took place. Child ids are replaced by
  the same keyed code in every upload, so a tracker row and a review of the same child link.
  A review that fell due on date R was **held within 12 months** when a review took place in
  the 12 months up to R (after R - 12 months, on or before R); **held late** when none did
  but one took place after R and before the next anniversary (or ``as_of``); **not held**
  when neither. Where the outcomes upload starts after R - 12 months, a missing review may
  simply not be in the upload: such a review is **not known** and is left out of the
  percentage.

The law resets the clock when a review is held early (the next is due within 12 months of
that review); this module keeps to the anniversaries, which is what can be worked out from a
tracker, and counts an early review towards that year's anniversary.

Reviews held (from the outcomes upload alone): one per child and review date, however many
outcome rows the review has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

WITHIN, LATE, NOT_HELD, NOT_KNOWN, NOT_YET_DUE = (
    "held within 12 months",
    "held late",
    "not held",
    "not known",
    "not yet due",
)
STATUSES: tuple[str, ...] = (WITHIN, LATE, NOT_HELD, NOT_KNOWN, NOT_YET_DUE)
MAX_YEARS = 26  # a plan can run from birth to 25


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _month_end(as_of: dt.date) -> pd.Timestamp:
    return (pd.Timestamp(as_of).to_period("M") + 1).to_timestamp() - pd.Timedelta(days=1)


def due_reviews(tracker: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """Every annual review due on the tracker's plans up to and including ``until``.

    Columns: the tracker's own columns, then ``issue``, ``review_number`` (1 for the first),
    ``due_date`` and ``due_month`` ("2025-03"). One row per plan and anniversary.
    """
    end = pd.Timestamp(until)
    issue = _dates(tracker["issue_date"])
    plans = tracker[issue.notna() & (issue <= end)].copy()
    plans["issue"] = issue[plans.index]
    parts = []
    for years in range(1, MAX_YEARS + 1):
        due = plans["issue"] + pd.DateOffset(years=years)  # 29 Feb -> 28 Feb in other years
        hit = due <= end
        if not hit.any():
            break
        part = plans[hit].copy()
        part["review_number"] = years
        part["due_date"] = due[hit]
        parts.append(part)
    if not parts:
        out = plans.iloc[0:0].assign(
            review_number=pd.Series(dtype="int64"), due_date=pd.Series(dtype="datetime64[ns]")
        )
    else:
        out = pd.concat(parts, ignore_index=True)
    out["due_month"] = out["due_date"].dt.strftime("%Y-%m")
    return out.sort_values(["due_date", "child_id"], ignore_index=True)


def reviews_held(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per child and review date (columns ``child_id``, ``review_date``), in date order."""
    held = pd.DataFrame(
        {
            "child_id": outcomes["child_id"].astype("string"),
            "review_date": _dates(outcomes["review_date"]),
        }
    )
    held = held.dropna().drop_duplicates()
    return held.sort_values(["child_id", "review_date"], ignore_index=True)


def review_status(
    tracker: pd.DataFrame, outcomes: pd.DataFrame | None, as_of: dt.date, ahead_months: int = 0
) -> pd.DataFrame:
    """Each review due on the tracker's plans up to the end of ``ahead_months`` after
    ``as_of``'s month, with ``status`` (see the module docstring) and ``held_on``.

    Without ``outcomes`` every review due by ``as_of`` is "not known". Reviews due after
    ``as_of`` are "not yet due" unless one was already held within their 12 months.
    """
    end = pd.Timestamp(as_of)
    horizon = (_month_end(as_of).to_period("M") + ahead_months).to_timestamp(how="end").normalize()
    due = due_reviews(tracker, horizon.date())
    due["status"] = np.where(due["due_date"] <= end, NOT_KNOWN, NOT_YET_DUE)
    due["held_on"] = pd.Series(pd.NaT, index=due.index, dtype="datetime64[ns]")
    if outcomes is None or due.empty:
        return due
    held = reviews_held(outcomes)
    held = held[held["review_date"] <= end]
    if held.empty:
        return due
    first_record = held["review_date"].min()
    by_child = {k: g["review_date"].to_numpy() for k, g in held.groupby("child_id")}
    statuses, dates = [], []
    for child, due_date, status in zip(
        due["child_id"].astype("string"), due["due_date"], due["status"]
    ):
        reviews = by_child.get(child, np.array([], dtype="datetime64[ns]"))
        opens = due_date - pd.DateOffset(years=1)
        closes = min(due_date + pd.DateOffset(years=1), end + pd.Timedelta(days=1))
        in_time = reviews[(reviews > opens) & (reviews <= due_date)]
        late = reviews[(reviews > due_date) & (reviews < closes)]
        if len(in_time):
            statuses.append(WITHIN)
            dates.append(in_time.max())
        elif status == NOT_YET_DUE:
            statuses.append(NOT_YET_DUE)
            dates.append(pd.NaT)
        elif len(late):
            statuses.append(LATE)
            dates.append(late.min())
        else:
            # Absent from an upload that starts inside the review's 12 months: maybe held.
            statuses.append(NOT_HELD if opens >= first_record - pd.Timedelta(days=1) else NOT_KNOWN)
            dates.append(pd.NaT)
    due["status"] = statuses
    due["held_on"] = pd.to_datetime(pd.Series(dates, index=due.index))
    return due


def monthly_reviews(
    tracker: pd.DataFrame, outcomes: pd.DataFrame | None, as_of: dt.date, ahead_months: int = 3
) -> pd.DataFrame:
    """Reviews due each month: the 12 months up to ``as_of`` and ``ahead_months`` after.

    Columns: month, due, one column per status (``STATUSES``, spaces as underscores), and
    ``pct_within_12_months``: of the reviews due that month whose outcome is known (held
    within 12 months, held late or not held), the share held within 12 months; missing when
    none is known. A month after ``as_of``'s counts only what is due.
    """
    status = review_status(tracker, outcomes, as_of, ahead_months)
    last = pd.Timestamp(as_of).to_period("M") + ahead_months
    months = pd.period_range(end=last, periods=12 + ahead_months, freq="M").strftime("%Y-%m")
    table = pd.crosstab(status["due_month"], status["status"]).reindex(
        index=months, columns=list(STATUSES), fill_value=0
    )
    table = table.fillna(0).astype(int)
    table.columns = [c.replace(" ", "_") for c in table.columns]
    table.insert(0, "due", table.sum(axis=1))
    known = table["held_within_12_months"] + table["held_late"] + table["not_held"]
    table["pct_within_12_months"] = (
        100.0 * table["held_within_12_months"] / known.where(known > 0)
    ).astype(float)
    return table.rename_axis("month").reset_index()


def review_summary(
    tracker: pd.DataFrame, outcomes: pd.DataFrame | None, as_of: dt.date
) -> dict[str, Any]:
    """The headline annual review figures on ``as_of``.

    - ``due_this_month`` / ``due_next_month``: reviews due in ``as_of``'s calendar month and
      the next, on the tracker's plans;
    - ``due_last_12_months``: reviews due in the 12 months up to ``as_of`` (after as_of - 12
      months, on or before as_of), and of those ``held_within_12_months``, ``held_late``,
      ``not_held`` and ``not_known``;
    - ``completed_within_12_months_pct``: held within 12 months of those whose outcome is
      known (None without outcomes or when none is known);
    - ``reviews_held_last_12_months``: reviews in the outcomes upload in those 12 months (all
      children, in the tracker or not); ``outcomes_from`` / ``outcomes_to``: its first and
      last review dates; ``plans_with_a_review``: tracker plans with any review recorded.
    """
    end = pd.Timestamp(as_of)
    start = end - pd.DateOffset(years=1)
    status = review_status(tracker, outcomes, as_of, ahead_months=1)
    this_month = end.strftime("%Y-%m")
    next_month = (end.to_period("M") + 1).strftime("%Y-%m")
    window = status[(status["due_date"] > start) & (status["due_date"] <= end)]
    found = window["status"].value_counts()
    known = int(found.get(WITHIN, 0) + found.get(LATE, 0) + found.get(NOT_HELD, 0))
    summary: dict[str, Any] = {
        "due_this_month": int((status["due_month"] == this_month).sum()),
        "due_next_month": int((status["due_month"] == next_month).sum()),
        "due_last_12_months": len(window),
        "held_within_12_months": int(found.get(WITHIN, 0)),
        "held_late": int(found.get(LATE, 0)),
        "not_held": int(found.get(NOT_HELD, 0)),
        "not_known": int(found.get(NOT_KNOWN, 0)),
        "completed_within_12_months_pct": (100.0 * int(found.get(WITHIN, 0)) / known)
        if known
        else None,
        "reviews_held_last_12_months": None,
        "outcomes_from": None,
        "outcomes_to": None,
        "plans_with_a_review": None,
    }
    if outcomes is not None:
        held = reviews_held(outcomes)
        summary["reviews_held_last_12_months"] = int(
            ((held["review_date"] > start) & (held["review_date"] <= end)).sum()
        )
        if not held.empty:
            summary["outcomes_from"] = held["review_date"].min().date()
            summary["outcomes_to"] = held["review_date"].max().date()
        issued = tracker.loc[_dates(tracker["issue_date"]).notna(), "child_id"].astype("string")
        summary["plans_with_a_review"] = int(issued.isin(set(held["child_id"])).sum())
    return summary
