"""Timeliness from an EHC tracker, checked against answers worked out by hand (below)."""

import datetime as dt
import math

import pandas as pd
import pytest

import analysis
from analysis.tracker import age_phase, compliance_by, monthly_compliance, open_assessments

AS_OF = dt.date(2025, 3, 31)  # the 12-month window is 1 April 2024 to 31 March 2025

# Days from request to issue or to 31 March 2025, counted by hand month by month:
ROWS = [
    # id, request,     decision,     decision,     issue,        exception, need,   age
    (
        "A",
        "2024-06-03",
        "2024-07-08",
        "assess",
        "2024-10-21",
        False,
        "ASD",
        7,
    ),  # 140 days: exactly 20 weeks, on time; decided in 35 days
    (
        "B",
        "2024-06-03",
        "2024-07-16",
        "assess",
        "2024-10-22",
        False,
        "ASD",
        12,
    ),  # 141 days: late; decided in 43 days (late)
    (
        "C",
        "2024-01-15",
        "2024-02-20",
        "assess",
        "2024-04-15",
        True,
        "SEMH",
        4,
    ),  # 91 days, an exception; request before the window
    (
        "D",
        "2024-09-02",
        "2024-10-14",
        "assess",
        "2025-04-10",
        False,
        "SEMH",
        15,
    ),  # issued after as_of: open 210 days = exactly 30 weeks; decided in 42 days
    (
        "E",
        "2024-03-01",
        None,
        None,
        None,
        False,
        "SLCN",
        16,
    ),  # open 395 days (2024 is a leap year before March): over 52 weeks
    (
        "F",
        "2024-11-04",
        "2024-12-02",
        "not assess",
        None,
        False,
        "ASD",
        9,
    ),  # refused in 28 days: not open
    ("G", "2025-01-06", None, None, None, False, "SLCN", 3),  # open 84 days
    (
        "H",
        "2024-05-01",
        "2024-06-10",
        "assess",
        "2025-02-14",
        False,
        "SEMH",
        21,
    ),  # 289 days: late; decided in 40 days
    ("I", "2025-04-02", None, None, None, False, "ASD", 8),  # requested after as_of: ignored
    (
        "J",
        "2023-10-02",
        "2023-11-06",
        "assess",
        "2024-02-01",
        False,
        "ASD",
        6,
    ),  # issued before the window
]


@pytest.fixture
def tracker() -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "child_id",
            "request_date",
            "decision_date",
            "decision",
            "issue_date",
            "exception",
            "primary_need",
            "age",
        ],
    )
    for col in ("request_date", "decision_date", "issue_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame["school_urn"] = "100000"
    frame["ward_code"] = "E05000001"
    return frame


def test_summary_matches_hand_worked_answers(tracker):
    s = analysis.tracker_summary(tracker, AS_OF)
    # Issued in the window: A (140 days), B (141), C (91, exception), H (289).
    assert s["plans_issued"] == 4
    assert s["plans_issued_excluding_exceptions"] == 3
    assert s["issued_within_20_weeks_pct"] == pytest.approx(100 / 3)  # only A of A, B, H
    assert s["issued_within_20_weeks_including_exceptions_pct"] == pytest.approx(50.0)  # A and C
    assert s["mean_weeks_to_issue"] == pytest.approx((140 + 141 + 91 + 289) / 4 / 7)  # 23.607
    assert s["max_weeks_to_issue"] == pytest.approx(289 / 7)  # 41.29
    # Open on 31 March 2025: D (210 days), E (395), G (84).
    assert s["open_assessments"] == 3
    assert s["open_over_20_weeks"] == 2  # D and E
    assert s["open_over_30_weeks"] == 1  # E: D has waited exactly 30 weeks, not longer
    assert s["open_over_52_weeks"] == 1  # E
    # Requests received in the window: A, B, D, F, G, H; decided: A, B, D, F, H.
    assert s["requests_received"] == 6
    assert s["requests_decided"] == 5
    assert s["decided_within_6_weeks_pct"] == pytest.approx(80.0)  # all but B (43 days)


def test_open_assessments_days(tracker):
    waiting = open_assessments(tracker, AS_OF).set_index("child_id")["days_waiting"]
    assert waiting.to_dict() == {"D": 210, "E": 395, "G": 84}


def test_empty_window_gives_no_percentages(tracker):
    s = analysis.tracker_summary(tracker, dt.date(2020, 1, 1))
    assert s["plans_issued"] == 0
    assert s["issued_within_20_weeks_pct"] is None
    assert s["mean_weeks_to_issue"] is None


def test_monthly_compliance(tracker):
    m = monthly_compliance(tracker, AS_OF).set_index("month")
    assert list(m.index) == [f"2024-{i:02d}" for i in range(4, 13)] + [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert (
        m.loc["2024-04", "plans_issued"] == 1
        and m.loc["2024-04", "plans_excluding_exceptions"] == 0
    )
    assert math.isnan(m.loc["2024-04", "pct"])
    assert (m.loc["2024-10", "plans_issued"], m.loc["2024-10", "within_20_weeks"]) == (2, 1)
    assert m.loc["2024-10", "pct"] == pytest.approx(50.0)
    assert m.loc["2025-02", "pct"] == 0.0
    assert m["plans_issued"].sum() == 4


def test_compliance_by_primary_need(tracker):
    by = compliance_by(tracker, AS_OF, "primary_need").set_index("group")
    assert by.loc["ASD", "plans_issued"] == 2 and by.loc["ASD", "pct"] == pytest.approx(50.0)
    assert by.loc["ASD", "open_assessments"] == 0
    assert by.loc["SEMH", "plans_excluding_exceptions"] == 1 and by.loc["SEMH", "pct"] == 0.0
    assert by.loc["SEMH", "open_over_20_weeks"] == 1
    assert by.loc["SLCN", "open_assessments"] == 2 and by.loc["SLCN", "open_over_20_weeks"] == 1
    assert math.isnan(by.loc["SLCN", "pct"])


def test_age_phases():
    ages = pd.Series([3, 5, 10, 11, 16, 19, 20, 25, None])
    assert age_phase(ages).tolist() == [
        "Under 5",
        "Age 5 to 10",
        "Age 5 to 10",
        "Age 11 to 15",
        "Age 16 to 19",
        "Age 16 to 19",
        "Age 20 to 25",
        "Age 20 to 25",
        "Age unknown",
    ]
