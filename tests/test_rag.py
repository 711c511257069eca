"""RAG ratings of local KPIs, checked against answers worked out by hand (in the comments)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import rag
from indicators import local_kpi_frame
from store.local_data import kpi_rows
from tests.conftest import ROOT
from uploads.intake import read_upload

CATALOGUE = local_kpi_frame()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60.0, rag.GREEN),  # exactly on the target meets it
        (71.2, rag.GREEN),
        (57.3, rag.AMBER),  # 2.7 points short: within 5 points
        (55.0, rag.AMBER),  # 60 - 5 = 55.0: exactly on the edge is still Amber
        (54.9, rag.RED),  # 5.1 points short
        (0.0, rag.RED),
    ],
)
def test_higher_is_better_percentage_uses_points(value, expected):
    # Target 60%, tolerance 5 points: Green from 60, Amber from 55 up to 60, Red below 55.
    assert rag.rate(value, 60.0, "high", "%").status == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (9.0, rag.GREEN),
        (10.0, rag.GREEN),
        (10.5, rag.AMBER),  # 5% of 10 is 0.5: 10.5 is the edge
        (10.6, rag.RED),
        (32.0, rag.RED),
    ],
)
def test_lower_is_better_count_uses_a_share_of_the_target(value, expected):
    # Target 10 children waiting, lower is better, tolerance 5% of 10 = 0.5.
    assert rag.rate(value, 10.0, "low", "count").status == expected


def test_other_units_and_a_wider_band():
    # Days from placement decision to roll, lower is better, target 90 days, band 10% = 9 days.
    assert rag.rate(99.0, 90.0, "low", "days", tolerance=10).status == rag.AMBER
    assert rag.rate(99.1, 90.0, "low", "days", tolerance=10).status == rag.RED
    # A percentage with a band of 2 points: 88.6 against 90 is 1.4 short.
    assert rag.rate(88.6, 90.0, "high", "%", tolerance=2).status == rag.AMBER
    assert rag.rate(88.6, 90.0, "high", "%", tolerance=1).status == rag.RED


def test_edges_survive_floating_point():
    # 10% of 0.7 is 0.06999999999999999 in binary, and 0.7 minus it is 0.6300000000000001,
    # a hair above 0.63: without rounding, 0.63 would be wrongly Red.
    assert rag.tolerance_for(0.7, "count", 10) == pytest.approx(0.07)
    assert rag.rate(0.63, 0.7, "high", "count", tolerance=10).status == rag.AMBER


def test_no_target_no_value_and_no_direction_are_grey():
    assert rag.rate(45.0, None, "high", "%").status == rag.NO_TARGET
    assert rag.rate(45.0, math.nan, "high", "%").status == rag.NO_TARGET
    assert rag.rate(None, 60.0, "high", "%").status == rag.NOT_RATED
    assert rag.rate(math.nan, 60.0, "high", "%").status == rag.NOT_RATED
    # Requests received: neither more nor fewer is better, so a number to hit says nothing.
    none = rag.rate(250.0, 200.0, "none", "count")
    assert none.status == rag.NOT_RATED and "neither higher nor lower" in none.reason


def test_zero_tolerance_and_bad_tolerance():
    assert rag.rate(59.99, 60.0, "high", "%", tolerance=0).status == rag.RED
    # A target of 0 leaves no amber band for a count: anything above it is Red.
    assert rag.rate(1.0, 0.0, "low", "count").status == rag.RED
    with pytest.raises(ValueError):
        rag.tolerance_for(60.0, "%", -1)


def test_reasons_name_the_benchmark_and_the_edge():
    assert (
        rag.rate(52.2, 60.0, "high", "%").reason
        == "misses the target (60.0%) by more than the amber band (beyond 55.0%)"
    )
    assert rag.rate(78.3, 86.5, "high", "%", against="England").reason.startswith(
        "misses England (86.5%)"
    )
    assert rag.rate(9.0, 10.0, "low", "count").reason == "at or below the target (10)"
    assert (
        rag.rate(19.0, 5.0, "low", "count").reason
        == "misses the target (5) by more than the amber band (beyond 5.25)"
    )
    assert rag.labelled(rag.RED) == "✖ Red" and rag.labelled(rag.GREEN) == "✔ Green"


def test_england_only_for_percentages_against_percentages():
    pairs = rag.comparable_equivalents(CATALOGUE)
    # One id, one meaning: the local KPI includes exceptions exactly as the national one does.
    assert pairs["ehc_20wk_pct"] == "ehc_20wk_pct"
    assert pairs["ehc_20wk_ex_pct"] == "ehc_20wk_ex_pct"
    assert pairs["annual_reviews_12m_pct"] == "ehc_annual_reviews_pct"
    assert "ehc_requests_received" not in pairs  # a month's count against England's yearly total
    assert "ehc_ehe" not in pairs  # a count against a percentage


def _tidy(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Local tidy rows and details from (indicator, area, period, value, num, den, target, commentary)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "area_code",
            "period",
            "value",
            "numerator",
            "denominator",
            "target",
            "commentary",
        ],
    )
    tidy_rows = frame.assign(
        indicator="local:" + frame["indicator"],
        area_level="la",
        breakdown="",
        status="",
        source="upload:test v1",
    )
    details = tidy_rows[["indicator", "area_code", "period", "target", "commentary", "source"]]
    return tidy_rows, details


ROWS = [
    # Target set once in January and carried forward; a March figure for another area is ignored.
    ("ehc_20wk_pct", "E08000032", "2025-01", 40.0, 40, 100, 60.0, ""),
    ("ehc_20wk_pct", "E08000032", "2025-02", 50.0, 50, 100, None, ""),
    (
        "ehc_20wk_pct",
        "E08000032",
        "2025-03",
        56.0,
        56,
        100,
        None,
        "Improving after the recovery plan",
    ),
    ("ehc_20wk_pct", "E06000063", "2025-03", 90.0, 90, 100, 60.0, ""),
    # Lower is better; no March return.
    ("ehc_open_over_30wk", "E08000032", "2025-01", 12.0, None, None, 10.0, ""),
    ("ehc_open_over_30wk", "E08000032", "2025-02", 11.0, None, None, 10.0, ""),
    # No target at all.
    ("health_seen_18wk_pct", "E08000032", "2025-03", 70.0, 70, 100, None, ""),
    # An area's own KPI, not in the catalogue: SEND Lens does not know which way is better.
    ("our_own_measure", "E08000032", "2025-03", 5.0, None, None, 3.0, ""),
]


def test_kpi_series_carries_targets_forward_and_keeps_one_area():
    tidy_rows, details = _tidy(ROWS)
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    own = series[series["kpi"] == "ehc_20wk_pct"]
    assert own["period"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert own["target"].tolist() == [60.0, 60.0, 60.0]
    assert set(series["kpi"]) == {
        "ehc_20wk_pct",
        "ehc_open_over_30wk",
        "health_seen_18wk_pct",
        "our_own_measure",
    }


def test_kpi_status_worked_by_hand():
    tidy_rows, details = _tidy(ROWS)
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    england = {"ehc_20wk_pct": (46.4, "2024")}
    status = rag.kpi_status(series, "2025-03", CATALOGUE, england).set_index("kpi")
    # 56.0 against 60: 4 points short, within 5: Amber. Against England's 46.4: Green.
    timely = status.loc["ehc_20wk_pct"]
    assert (timely["status"], timely["england_status"]) == (rag.AMBER, rag.GREEN)
    assert (timely["baseline"], timely["baseline_period"], timely["change"]) == (
        40.0,
        "2025-01",
        16.0,
    )
    assert timely["recent"] == [40.0, 50.0, 56.0]
    assert timely["trend"] == "better than the period before"  # three months: too few for the test
    assert timely["commentary"] == "Improving after the recovery plan" and bool(timely["reported"])
    # 11 waiting against 10, lower is better: band 0.5, so Red; its latest month is February.
    waits = status.loc["ehc_open_over_30wk"]
    assert waits["status"] == rag.RED and waits["period"] == "2025-02" and not waits["reported"]
    assert waits["trend"] == "better than the period before"  # 12 -> 11, lower is better
    assert status.loc["health_seen_18wk_pct", "status"] == rag.NO_TARGET
    assert status.loc["our_own_measure", "status"] == rag.NOT_RATED
    assert rag.counts(status.reset_index()) == {
        rag.RED: 1,
        rag.AMBER: 1,
        rag.GREEN: 0,
        rag.NO_TARGET: 1,
        rag.NOT_RATED: 1,
    }
    # Red first: the table reads worst to best.
    assert rag.kpi_status(series, "2025-03", CATALOGUE)["status"].tolist()[0] == rag.RED


def test_own_band_for_one_kpi_and_an_earlier_month():
    tidy_rows, details = _tidy(ROWS)
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    # A band of 1 point for the 20-week KPI makes 56.0 against 60 Red.
    status = rag.kpi_status(
        series, "2025-03", CATALOGUE, tolerances={"ehc_20wk_pct": 1.0}
    ).set_index("kpi")
    assert (
        status.loc["ehc_20wk_pct", "status"] == rag.RED
        and status.loc["ehc_20wk_pct", "tolerance"] == 1.0
    )
    # In January: 40 against 60 is Red; 12 against 10 is Red; March-only KPIs are absent.
    january = rag.kpi_status(series, "2025-01", CATALOGUE).set_index("kpi")
    assert set(january.index) == {"ehc_20wk_pct", "ehc_open_over_30wk"}
    assert january["status"].tolist() == [rag.RED, rag.RED]


def test_five_months_get_the_fingertips_test():
    rows = [
        ("ehc_20wk_pct", "E08000032", f"2025-0{m}", v, v, 100, 60.0, "")
        for m, v in zip(range(1, 6), [20.0, 35.0, 50.0, 65.0, 80.0])
    ]
    tidy_rows, details = _tidy(rows)
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    status = rag.kpi_status(series, "2025-05", CATALOGUE)
    assert (
        status.loc[0, "trend"]
        == "better than the period before; last five periods: increasing and getting better"
    )


def test_exception_report_prefers_saved_commentary():
    tidy_rows, details = _tidy(ROWS)
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    red = rag.exceptions(
        rag.kpi_status(series, "2025-03", CATALOGUE, tolerances={"ehc_20wk_pct": 1.0})
    )
    # Both in the EHC process group, in order of title ("Assessments open..." before "New EHC plans...").
    assert red["kpi"].tolist() == ["ehc_open_over_30wk", "ehc_20wk_pct"]
    saved = pd.DataFrame(
        {
            "indicator": ["local:ehc_open_over_30wk"],
            "area_code": ["E08000032"],
            "period": ["2025-02"],
            "version": [2],
            "commentary": ["Two assessors recruited"],
            "action": ["Clear the backlog"],
            "owner": ["Head of SEND"],
            "due_date": [pd.Timestamp("2025-06-30").date()],
            "created_at": [pd.Timestamp("2025-03-05", tz="UTC")],
            "created_by": ["analyst"],
        }
    )
    report = rag.exception_report(red, saved).set_index("indicator")
    assert (
        report.loc["local:ehc_20wk_pct", "commentary"] == "Improving after the recovery plan"
    )  # the return's own
    assert report.loc["local:ehc_20wk_pct", "action"] == ""
    waits = report.loc["local:ehc_open_over_30wk"]
    assert (waits["commentary"], waits["owner"], waits["version"]) == (
        "Two assessors recruited",
        "Head of SEND",
        2,
    )
    assert waits["gap"] == pytest.approx(1.0)  # 11 waiting against a target of 10


def test_the_example_return_worked_by_hand():
    """The shipped example return's March 2025 figures, rated with the default band of 5."""
    data = (ROOT / "data/demo/demo_kpi_return.csv").read_bytes()
    frame = read_upload(data, "demo_kpi_return.csv", "kpi_return")
    tidy_rows, _ = kpi_rows(frame, "upload:example v1")
    details = frame.assign(indicator="local:" + frame["indicator"], source="upload:example v1")
    series = rag.kpi_series(tidy_rows, details, "E08000032")
    status = rag.kpi_status(series, "2025-03", CATALOGUE).set_index("kpi")["status"].to_dict()
    assert status == {
        "ehc_20wk_pct": rag.RED,  # 52.2% against 60%: 7.8 points short
        "annual_reviews_12m_pct": rag.RED,  # 78.3% against 85%: 6.7 short
        "amendments_12wk_pct": rag.RED,  # 67.5% against 80%
        "health_advice_6wk_pct": rag.RED,  # 72.5% against 90%
        "health_seen_18wk_pct": rag.RED,  # 62.7% against 92%
        "ehc_open_over_30wk": rag.RED,  # 32 against 10 (band 0.5)
        "no_school_place_15_days": rag.RED,  # 19 against 5 (band 0.25)
        "short_breaks_waiting": rag.RED,  # 73 against 40 (band 2)
        "ehc_decided_6wk_pct": rag.AMBER,  # 88.6% against 90%: 1.4 short
        "reviews_6_8wk_pct": rag.GREEN,  # 88.0% against 85%
    }
