"""Map measures summed from child-level uploads, checked against counts worked out by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from analysis import record_measures as rm
from analysis.tracker import latest_date

AS_OF = dt.date(
    2025, 3, 31
)  # window: 1 April 2024 to 31 March 2025 (start 31 March 2024 exclusive)
W1, W2, W3, W4 = "E05001341", "E05001342", "E05001343", "E05001344"  # W4 has no records
CODES = [W1, W2, W3, W4]
REQUESTS = "records:ehc_tracker:requests"
ISSUED = "records:ehc_tracker:plans_issued"
WITHIN = "records:ehc_tracker:within_20_weeks_pct"
OPEN = "records:ehc_tracker:open_over_20_weeks"

TRACKER = [
    # id, request,      decision date, decision,     issue,       exc,  urn,      ward
    (
        "A",
        "2024-06-03",
        "2024-07-08",
        "assess",
        "2024-10-21",
        False,
        "100001",
        W1,
    ),  # 140 days: on time
    (
        "B",
        "2024-06-03",
        "2024-07-16",
        "assess",
        "2024-10-22",
        False,
        "100001",
        W1,
    ),  # 141 days: late
    (
        "C",
        "2024-05-01",
        "2024-05-20",
        "assess",
        "2024-06-10",
        True,
        "100002",
        W1,
    ),  # 40 days, an exception
    (
        "D",
        "2023-10-02",
        "2023-11-06",
        "assess",
        "2024-02-01",
        False,
        "100002",
        W2,
    ),  # issued before the window
    ("E", "2024-09-02", "2024-10-14", "assess", None, False, "100002", W2),  # open 210 days
    (
        "F",
        "2024-11-04",
        "2024-12-02",
        "not assess",
        None,
        False,
        "100003",
        W2,
    ),  # refused; 147 days old
    (
        "G",
        "2025-01-06",
        None,
        None,
        None,
        False,
        "100003",
        " e05001343 ",
    ),  # open 84 days; messy ward code
    (
        "H",
        "2024-05-01",
        "2024-06-10",
        "assess",
        "2025-02-14",
        False,
        "100001",
        W3,
    ),  # 289 days: late
    (
        "I",
        "2024-08-01",
        None,
        None,
        None,
        False,
        "100004",
        "E05009999",
    ),  # open 242 days, another LA's ward
    (
        "J",
        "2024-07-01",
        "2024-08-05",
        "assess",
        "2024-11-01",
        False,
        None,
        None,
    ),  # 123 days, no ward or school
]


@pytest.fixture
def tracker() -> pd.DataFrame:
    frame = pd.DataFrame(
        TRACKER,
        columns=[
            "child_id",
            "request_date",
            "decision_date",
            "decision",
            "issue_date",
            "exception",
            "school_urn",
            "ward_code",
        ],
    )
    for col in ("request_date", "decision_date", "issue_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame["decision"] = frame["decision"].astype("string")
    frame["school_urn"] = frame["school_urn"].astype("string")
    frame["ward_code"] = frame["ward_code"].astype("string")
    frame["primary_need"], frame["age"] = "ASD", 9
    return frame


def by_area(result: rm.RecordRows) -> pd.DataFrame:
    return result.rows.set_index("area_code")


def test_requests_by_ward(tracker):
    r = rm.record_rows(tracker, REQUESTS, "ward", CODES, as_of=AS_OF)
    t = by_area(r)
    # In the window: W1 A, B, C; W2 E, F (D was 2023); W3 G, H; I another LA's ward; J no ward.
    assert t["numerator"].tolist() == [3, 2, 2, 0]
    assert t["value"].tolist() == [3, 2, 2, 0]  # a count's value is its numerator
    assert t["denominator"].isna().all()
    assert (t["status"] == "").all()  # a zero count is a true zero, not missing
    assert (r.counted, r.outside, r.unplaced) == (9, 1, 1)
    assert r.period == "2025-03"
    assert set(t["indicator"]) == {REQUESTS} and set(t["area_level"]) == {"ward"}


def test_plans_issued_excludes_plans_before_the_window(tracker):
    r = rm.record_rows(tracker, ISSUED, "ward", CODES, as_of=AS_OF)
    # Issued in the window: A, B, C (W1), H (W3), J (no ward); D (W2) was issued in February 2024.
    assert by_area(r)["numerator"].tolist() == [3, 0, 1, 0]
    assert (r.counted, r.outside, r.unplaced) == (5, 0, 1)


def test_within_20_weeks_boundary_and_exceptions(tracker):
    r = rm.record_rows(tracker, WITHIN, "ward", CODES, as_of=AS_OF)
    t = by_area(r)
    # W1: A (140 days, on time) and B (141, late); C is an exception so not in the denominator -> 1 of 2 = 50.0%
    assert t.loc[W1, ["numerator", "denominator", "value"]].tolist() == [1, 2, 50.0]
    # W3: H took 289 days -> 0 of 1 = 0.0%, a real value
    assert t.loc[W3, ["numerator", "denominator", "value"]].tolist() == [0, 1, 0.0]
    assert t.loc[W3, "status"] == ""
    # W2 (D issued before the window) and W4 have no plans: 0 of 0 is not a percentage
    for code in (W2, W4):
        assert t.loc[code, "numerator"] == 0 and t.loc[code, "denominator"] == 0
        assert math.isnan(t.loc[code, "value"])
        assert t.loc[code, "status"] == "not_available"
    # Counted: A, B, H and J (123 days, no ward); C excluded as an exception
    assert (r.counted, r.outside, r.unplaced) == (4, 0, 1)


def test_open_over_20_weeks_ignores_refused_requests(tracker):
    r = rm.record_rows(tracker, OPEN, "ward", CODES, as_of=AS_OF)
    # Open on 31 March 2025: E (210 days, W2), G (84 days, W3), I (242 days, other LA).
    # F waited 147 days but was refused ('not assess'), so it is not open.
    assert by_area(r)["numerator"].tolist() == [0, 1, 0, 0]
    assert (r.counted, r.outside, r.unplaced) == (2, 1, 0)  # E and I; I's ward is not on the map


def test_messy_ward_codes_still_match(tracker):
    r = rm.record_rows(tracker, REQUESTS, "ward", [W3], as_of=AS_OF)
    # G's ward is " e05001343 ": with H that makes 2 requests in W3
    assert by_area(r).loc[W3, "numerator"] == 2
    # 9 requests: 2 in W3, 6 in other wards not asked for (W1 3, W2 2, I 1), J unplaced
    assert (r.counted, r.outside, r.unplaced) == (9, 6, 1)


def test_school_level_groups_by_urn(tracker):
    r = rm.record_rows(tracker, REQUESTS, "school", ["100001", "100002", "100003"], as_of=AS_OF)
    # 100001: A, B, H; 100002: C, E (D out of window); 100003: F, G; I at 100004; J no school
    assert by_area(r)["numerator"].tolist() == [3, 2, 2]
    assert set(r.rows["area_level"]) == {"school"}
    assert (r.counted, r.outside, r.unplaced) == (9, 1, 1)


def test_locality_level_maps_wards(tracker):
    lookup = {W1: "NORTH", W2: "NORTH", W3: "SOUTH"}
    r = rm.record_rows(
        tracker, REQUESTS, "locality", ["NORTH", "SOUTH"], ward_localities=lookup, as_of=AS_OF
    )
    # NORTH = W1 (A, B, C) + W2 (E, F) = 5; SOUTH = W3 (G, H) = 2;
    # I's ward is in no locality and J has no ward: both unplaced
    assert by_area(r)["numerator"].tolist() == [5, 2]
    assert (r.counted, r.outside, r.unplaced) == (9, 0, 2)


def test_locality_not_on_the_map_is_outside(tracker):
    lookup = {W1: "NORTH", W2: "NORTH", W3: "SOUTH"}
    r = rm.record_rows(
        tracker, REQUESTS, "locality", ["NORTH"], ward_localities=lookup, as_of=AS_OF
    )
    # SOUTH (G, H) is a known locality but not asked for -> outside 2
    assert by_area(r).loc["NORTH", "numerator"] == 5
    assert (r.outside, r.unplaced) == (2, 2)


def test_unknown_level_is_refused(tracker):
    with pytest.raises(ValueError, match="level must be one of"):
        rm.record_rows(tracker, REQUESTS, "county", CODES, as_of=AS_OF)


def test_tracker_as_of_is_latest_date_capped_at_today(tracker):
    # Latest date recorded: H's plan on 14 February 2025 (G's request is 6 January 2025)
    assert latest_date(tracker, dt.date(2025, 3, 31)) == dt.date(2025, 2, 14)
    assert rm.as_of_date(tracker, "ehc_tracker", today=dt.date(2025, 3, 31)) == dt.date(2025, 2, 14)
    assert rm.as_of_date(tracker, "ehc_tracker", today=dt.date(2025, 1, 1)) == dt.date(2025, 1, 1)


def test_period_defaults_to_the_trackers_latest_date(tracker):
    r = rm.record_rows(tracker, REQUESTS, "ward", CODES)
    # as_of = 14 February 2025: window 15 Feb 2024 to 14 Feb 2025 -> same 9 requests as above
    assert r.period == "2025-02"
    assert r.counted == 9


# --- Cohort extracts --------------------------------------------------------------------------------

COHORT = [
    # agency,      upn,  nhs,   status,        ward
    ("education", "u1", None, "EHC plan", W1),
    ("health", "u1", "n1", "EHC plan", W1),  # the same child in a second extract
    ("education", "u2", None, "SEN support", W1),
    ("education", "u6", None, "SEN support", W1),
    ("education", "u3", None, "none", W1),
    ("education", "u4", None, "EHC plan", W2),
    ("education", "u5", None, "SEN support", W2),
    ("education", "u7", None, "none", W3),
    ("health", None, "n9", None, W3),  # no SEN status recorded
]


@pytest.fixture
def cohort() -> pd.DataFrame:
    frame = pd.DataFrame(COHORT, columns=["agency", "upn", "nhs_number", "sen_status", "ward_code"])
    frame["uln"] = pd.Series([None] * len(frame), dtype="string")
    frame["local_id"] = pd.Series([None] * len(frame), dtype="string")
    for col in ("upn", "nhs_number", "sen_status", "ward_code"):
        frame[col] = frame[col].astype("string")
    frame["extract_date"] = pd.to_datetime(["2025-01-31"] * 8 + ["2025-02-28"])
    frame["school_urn"] = pd.Series(["100001"] * len(frame), dtype="string")
    frame["looked_after"] = False
    return frame


def test_child_in_two_extracts_counted_once(cohort):
    assert len(rm.one_row_per_child(cohort)) == 8  # 9 rows, u1 twice
    r = rm.record_rows(cohort, "records:cohort:ehc_plan", "ward", CODES, as_of=AS_OF)
    # W1: u1 once (not twice); W2: u4
    assert by_area(r)["numerator"].tolist() == [1, 1, 0, 0]
    assert r.counted == 2


def test_sen_support_counts(cohort):
    r = rm.record_rows(cohort, "records:cohort:sen_support", "ward", CODES, as_of=AS_OF)
    assert by_area(r)["numerator"].tolist() == [2, 1, 0, 0]  # W1: u2, u6; W2: u5


def test_ehc_share_excludes_children_with_no_sen(cohort):
    t = by_area(rm.record_rows(cohort, "records:cohort:ehc_share_pct", "ward", CODES, as_of=AS_OF))
    # W1: EHC u1 of SEN u1, u2, u6 ('none' u3 left out) -> 1 of 3 = 33.3%
    assert t.loc[W1, ["numerator", "denominator"]].tolist() == [1, 3]
    assert t.loc[W1, "value"] == pytest.approx(100 / 3)
    # W2: u4 of u4, u5 -> 50.0%
    assert t.loc[W2, ["numerator", "denominator", "value"]].tolist() == [1, 2, 50.0]
    # W3: only 'none' and a missing status -> 0 of 0, not available
    assert t.loc[W3, "denominator"] == 0 and math.isnan(t.loc[W3, "value"])
    assert t.loc[W3, "status"] == "not_available"


def test_cohort_as_of_is_latest_extract_capped_at_today(cohort):
    assert rm.as_of_date(cohort, "cohort", today=dt.date(2025, 6, 1)) == dt.date(2025, 2, 28)
    assert rm.as_of_date(cohort, "cohort", today=dt.date(2025, 2, 1)) == dt.date(2025, 2, 1)
    r = rm.record_rows(cohort, "records:cohort:ehc_plan", "ward", CODES)
    assert r.period == "2025-02"
