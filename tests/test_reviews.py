"""Annual reviews due and held, from a tracker and review dates worked out by hand (below)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analysis import reviews as rv

AS_OF = dt.date(2025, 3, 31)  # the 12 months are 1 April 2024 to 31 March 2025

# Each plan's anniversaries, and what the review dates below make of those in the 12 months:
TRACKER = [
    # id,  issue date
    (
        "P1",
        "2023-03-15",
    ),  # due 15/03/2024 (before the 12 months) and 15/03/2025: held 01/03/2025, in time
    ("P2", "2024-02-29"),  # issued on a leap day: due 28/02/2025; held 20/03/2025, late
    ("P3", "2024-03-31"),  # due 31/03/2025, the as-at day itself: no review, not held
    ("P4", "2023-06-01"),  # due 01/06/2024: held early on 01/05/2024, in time; next due 01/06/2025
    (
        "P5",
        "2022-04-20",
    ),  # due 20/04/2024: no review, and the review dates only start on 10/03/2024, so not
    #                        known; due again 20/04/2025, next month
    ("P6", "2024-04-15"),  # due 15/04/2025, next month: already held on 25/03/2025
    ("P7", None),  # still being assessed: no plan, no review
    ("P8", "2025-04-01"),  # issued after the as-at date: nothing due
]
OUTCOMES = [
    ("P1", "2024-03-10"),  # P1's first review; the earliest date in the upload
    ("P1", "2025-03-01"),
    ("P1", "2025-03-01"),  # a second outcome row of the same review
    ("P2", "2025-03-20"),
    ("P4", "2024-05-01"),
    ("P6", "2025-03-25"),
    (
        "X",
        "2024-10-10",
    ),  # a child not in the tracker (plan made before it): counted as a review held
    ("X", "2024-10-10"),
]


@pytest.fixture
def tracker() -> pd.DataFrame:
    frame = pd.DataFrame(TRACKER, columns=["child_id", "issue_date"])
    frame["issue_date"] = pd.to_datetime(frame["issue_date"])
    frame["request_date"] = frame["issue_date"] - pd.Timedelta(days=120)
    frame["primary_need"] = "ASD"
    return frame


@pytest.fixture
def outcomes() -> pd.DataFrame:
    frame = pd.DataFrame(OUTCOMES, columns=["child_id", "review_date"])
    frame["review_date"] = pd.to_datetime(frame["review_date"])
    frame["progress_rating"] = 3
    return frame


def test_due_dates_are_anniversaries_of_issue(tracker):
    due = rv.due_reviews(tracker, AS_OF)
    got = {(r.child_id, r.review_number): r.due_date.date() for r in due.itertuples()}
    assert got == {
        ("P1", 1): dt.date(2024, 3, 15),
        ("P1", 2): dt.date(2025, 3, 15),
        ("P2", 1): dt.date(2025, 2, 28),  # 29 February 2024 + 1 year
        ("P3", 1): dt.date(2025, 3, 31),  # due on the as-at day counts as due
        ("P4", 1): dt.date(2024, 6, 1),
        ("P5", 1): dt.date(2023, 4, 20),
        ("P5", 2): dt.date(2024, 4, 20),
    }


def test_status_of_each_review(tracker, outcomes):
    status = rv.review_status(tracker, outcomes, AS_OF, ahead_months=3)
    got = {(r.child_id, r.review_number): r.status for r in status.itertuples()}
    assert got[("P1", 1)] == rv.WITHIN  # held 10/03/2024, five days before it fell due
    assert got[("P1", 2)] == rv.WITHIN
    assert got[("P2", 1)] == rv.LATE
    assert got[("P3", 1)] == rv.NOT_HELD
    assert got[("P4", 1)] == rv.WITHIN  # an early review counts for that year
    assert got[("P4", 2)] == rv.NOT_YET_DUE  # due 01/06/2025, within the 3 months ahead
    assert got[("P5", 2)] == rv.NOT_KNOWN
    assert got[("P5", 3)] == rv.NOT_YET_DUE
    assert got[("P6", 1)] == rv.WITHIN  # due next month, already held
    held = status.set_index(["child_id", "review_number"])["held_on"]
    assert held[("P2", 1)] == pd.Timestamp("2025-03-20") and pd.isna(held[("P3", 1)])


def test_summary_worked_by_hand(tracker, outcomes):
    s = rv.review_summary(tracker, outcomes, AS_OF)
    assert s["due_this_month"] == 2  # P1 (15 March) and P3 (31 March)
    assert s["due_next_month"] == 2  # P6 (15 April) and P5's third (20 April)
    # Due from 1 April 2024 to 31 March 2025: P1 #2, P2, P3, P4, P5 #2.
    assert s["due_last_12_months"] == 5
    assert (s["held_within_12_months"], s["held_late"], s["not_held"], s["not_known"]) == (
        2,
        1,
        1,
        1,
    )
    # P1 and P4 in time, of the four whose outcome is known (P5 is left out): 2 / 4.
    assert s["completed_within_12_months_pct"] == pytest.approx(50.0)
    # Reviews in the 12 months, one per child and date: P1 01/03/2025, P2, P4, P6 and X.
    assert s["reviews_held_last_12_months"] == 5
    assert (s["outcomes_from"], s["outcomes_to"]) == (dt.date(2024, 3, 10), dt.date(2025, 3, 25))
    assert s["plans_with_a_review"] == 4  # P1, P2, P4, P6


def test_without_review_dates_only_what_is_due(tracker):
    s = rv.review_summary(tracker, None, AS_OF)
    assert (s["due_this_month"], s["due_last_12_months"], s["not_known"]) == (2, 5, 5)
    assert s["completed_within_12_months_pct"] is None and s["reviews_held_last_12_months"] is None


def test_monthly_reviews(tracker, outcomes):
    m = rv.monthly_reviews(tracker, outcomes, AS_OF).set_index("month")
    assert list(m.index) == [f"2024-{i:02d}" for i in range(4, 13)] + [
        f"2025-{i:02d}" for i in range(1, 7)
    ]
    assert m.loc["2025-03", "due"] == 2 and m.loc[
        "2025-03", "pct_within_12_months"
    ] == pytest.approx(50.0)
    assert m.loc["2025-02", "held_late"] == 1 and m.loc["2025-02", "pct_within_12_months"] == 0.0
    assert m.loc["2024-06", "held_within_12_months"] == 1
    assert m.loc["2024-04", "not_known"] == 1 and math.isnan(
        m.loc["2024-04", "pct_within_12_months"]
    )
    assert m.loc["2025-04", "due"] == 2  # P6, already held, and P5's third, not yet due
    assert (m.loc["2025-04", "held_within_12_months"], m.loc["2025-04", "not_yet_due"]) == (1, 1)
    assert m.loc["2025-06", "not_yet_due"] == 1  # P4's second
    assert m.loc["2024-05", "due"] == 0
    assert m["due"].sum() == 8  # the five in the 12 months, and P6, P5 and P4 ahead


def test_reviews_held_counts_a_review_once(outcomes):
    held = rv.reviews_held(outcomes)
    assert len(held) == 6  # eight rows, two of them second outcomes of the same review


def test_no_plans_issued_yet():
    empty = pd.DataFrame({"child_id": ["A"], "issue_date": [pd.NaT]})
    s = rv.review_summary(empty, None, AS_OF)
    assert (s["due_this_month"], s["due_last_12_months"]) == (0, 0)
    assert rv.monthly_reviews(empty, None, AS_OF)["due"].sum() == 0
