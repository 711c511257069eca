"""The Benchmarking page's data shaping on small hand-made tables, values worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import benchmark as bm
from analysis import benchmark_frames as bf
from analysis import stats
from tidy import tidy_frame

# Bradford and four other Yorkshire councils (all current LAs), their region and England.
A, N1, N2, R, S = "E08000032", "E08000016", "E08000017", "E08000018", "E08000019"
YH, ENG = "E12000003", "E92000001"
NAMES = {
    A: "Bradford",
    N1: "Barnsley",
    N2: "Doncaster",
    R: "Rotherham",
    S: "Sheffield",
    YH: "Yorkshire and The Humber",
    ENG: "England",
}
SN = "Statistical neighbours (DfE 2025)"
NAN = float("nan")


def _tidy(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (indicator, area, period, value, numerator, denominator)."""
    f = pd.DataFrame(rows, columns=["indicator", "area_code", "period", "value", "num", "den"])
    level = f["area_code"].map(lambda c: {ENG: "national", YH: "region"}.get(c, "la"))
    return tidy_frame(
        indicator=f["indicator"],
        area_code=f["area_code"],
        area_level=level,
        period=f["period"],
        value=f["value"],
        numerator=f["num"],
        denominator=f["den"],
    )


def _table(n1_counts: bool = True) -> pd.DataFrame:
    pct = "ehc_20wk_pct"  # %, polarity high
    late = "ehc_over_1yr_pct"  # %, polarity low
    lait = "ks4_destination_ehc"  # %, values only, polarity high
    return _tidy(
        [
            (pct, A, "2024", 30.0, 30, 100),
            (pct, N1, "2024", 40.0, 10 if n1_counts else NAN, 25 if n1_counts else NAN),
            (pct, N2, "2024", 90.0, 90, 100),
            (pct, R, "2024", 60.0, NAN, NAN),  # a value without counts: not in the funnel
            (pct, S, "2024", 30.0, 12, 40),
            (pct, YH, "2024", 40.0, 400, 1000),
            (pct, ENG, "2024", 50.0, 5000, 10000),
            (pct, A, "2023", 25.0, 25, 100),
            (pct, N1, "2023", 50.0, 25, 50),
            (pct, N2, "2023", 70.0, NAN, NAN),  # so the 2023 average is a mean
            (pct, ENG, "2023", 40.0, 4000, 10000),
            (pct, A, "2022", NAN, NAN, NAN),  # suppressed: not a period for the area
            (late, A, "2024", 10.0, 10, 100),
            (late, N1, "2024", 20.0, 5, 25),
            (late, N2, "2024", 5.0, 5, 100),
            (late, R, "2024", 40.0, 40, 100),
            (late, S, "2024", 0.0, 0, 50),
            (late, ENG, "2024", 15.0, 1500, 10000),
            (lait, A, "2022/23", 80.0, NAN, NAN),
            (lait, N1, "2022/23", 70.0, NAN, NAN),
            (lait, N2, "2022/23", 90.0, NAN, NAN),
            (lait, R, "2022/23", 85.0, NAN, NAN),
            (lait, S, "2022/23", 80.0, NAN, NAN),
            (lait, ENG, "2022/23", 82.0, NAN, NAN),
            ("ehc_plans", A, "2024/25", 100.0, NAN, NAN),  # a count, polarity none
            ("ehc_plans", N1, "2024/25", 300.0, NAN, NAN),
            ("ehc_plans", ENG, "2024/25", 400000.0, NAN, NAN),
            ("ehc_requests_refused_pct", A, "2024", 20.0, 20, 100),  # no England value
            ("ehc_requests_refused_pct", N1, "2024", 50.0, 50, 100),
            ("sen_ehc_pct", N1, "2024/25", 5.0, NAN, NAN),  # no value for the area
        ]
    )


# --- What the page offers ---------------------------------------------------------------------


def test_indicators_with_data_lists_the_areas_indicators_by_lens_then_topic():
    table = _table()
    # Lenses in catalogue order: profile (ehc_plans), governance (requests, 20 weeks, over a
    # year), outcomes (destinations). sen_ehc_pct has no value for the area.
    assert bf.indicators_with_data(table, A) == [
        "ehc_plans",
        "ehc_requests_refused_pct",
        "ehc_20wk_pct",
        "ehc_over_1yr_pct",
        "ks4_destination_ehc",
    ]
    assert bf.indicators_with_data(table, A, lens="outcomes") == ["ks4_destination_ehc"]
    assert bf.indicators_with_data(table, N1, lens="profile") == ["ehc_plans", "sen_ehc_pct"]


def test_area_periods_are_newest_first_and_skip_missing_values():
    assert bf.area_periods(_table(), "ehc_20wk_pct", A) == ["2024", "2023"]
    assert bf.area_periods(_table(), "sen_ehc_pct", A) == []


def test_average_label_names_each_set():
    assert bf.average_label(SN) == "Statistical neighbours' average"
    assert bf.average_label(bm.REGION) == "Other councils in the region: average"
    assert bf.average_label("My group") == "My group: average"


# --- Compare areas -----------------------------------------------------------------------------


def test_compare_frame_has_every_role_sorted_highest_first_with_intervals():
    table = _table()
    result = bm.compare(table, "ehc_20wk_pct", A, "2024", [N1, N2], SN)
    frame = bf.compare_frame(table, result, [N1, N2], SN, NAMES).set_index("label")
    # Pooled neighbours: (10 + 90) / (25 + 100) = 80%. Ties (Barnsley and the region at 40)
    # keep the table's order: councils before the region.
    assert frame.index.tolist() == [
        "Doncaster",
        "Statistical neighbours' average (pooled)",
        "England",
        "Barnsley",
        "Yorkshire and The Humber (region)",
        "Bradford (this area)",
    ]
    assert frame["value"].tolist() == pytest.approx([90, 80, 50, 40, 40, 30])
    assert frame["role"].tolist() == [
        "comparator",
        "average",
        "England",
        "comparator",
        "region",
        "area",
    ]
    # Bradford 30/100: Wilson (21.8949, 39.5849), wholly below England's 50 -> worse.
    assert (
        frame.at["Bradford (this area)", "ci_lower"],
        frame.at["Bradford (this area)", "ci_upper"],
    ) == pytest.approx((21.8949, 39.5849), abs=1e-4)
    assert frame.at["Bradford (this area)", "vs_england"] == "worse"
    # Barnsley 10/25: z = 1.959964; (11.92073 -/+ 1.959964 sqrt(6 + 0.960365)) / 28.841459
    # = (6.749854, 17.091604) / 28.841459 = (23.403%, 59.261%), which holds 50 -> similar.
    # Doncaster 90/100 is wholly above.
    assert (frame.at["Barnsley", "ci_lower"], frame.at["Barnsley", "ci_upper"]) == pytest.approx(
        (23.403, 59.261), abs=1e-3
    )
    assert frame.at["Barnsley", "vs_england"] == "similar"
    assert frame.at["Doncaster", "vs_england"] == "better"
    avg = frame.loc["Statistical neighbours' average (pooled)"]
    assert (avg["ci_lower"], avg["ci_upper"]) == pytest.approx(result.neighbour_pooled_ci95)
    # Pooled Wilson of 100/125 by hand: (101.920729 -/+ 1.959964 sqrt(20 + 0.960365))
    # / 128.841459 = (101.920729 -/+ 8.973209) / 128.841459 = (0.72141, 0.86070).
    assert (avg["ci_lower"], avg["ci_upper"]) == pytest.approx((72.141, 86.070), abs=1e-3)
    assert avg["vs_england"] == "" and frame.at["England", "vs_england"] == ""


def test_compare_frame_with_a_comparator_without_counts_uses_the_mean():
    table = _table()
    result = bm.compare(table, "ehc_20wk_pct", A, "2024", [N1, N2, R], SN)
    frame = bf.compare_frame(table, result, [N1, N2, R], SN, NAMES).set_index("label")
    # Rotherham (60) publishes no counts, so no pooled value: mean (40 + 90 + 60) / 3.
    avg = frame.loc["Statistical neighbours' average (mean)"]
    assert avg["value"] == pytest.approx(190 / 3) and math.isnan(avg["ci_lower"])
    assert math.isnan(frame.at["Rotherham", "ci_lower"])
    assert frame.at["Rotherham", "vs_england"] == "not compared"
    assert frame.index[:3].tolist() == [
        "Doncaster",
        "Statistical neighbours' average (mean)",
        "Rotherham",
    ]


def test_compare_frame_lists_comparators_without_a_value_last():
    table = _table()
    result = bm.compare(table, "ehc_20wk_pct", A, "2023", [N1, N2, R], SN)
    frame = bf.compare_frame(table, result, [N1, N2, R], SN, NAMES)
    # 2023: N1 has counts and N2 not, so the average is the mean (50 + 70) / 2 = 60, untested.
    assert frame["label"].tolist() == [
        "Doncaster",
        "Statistical neighbours' average (mean)",
        "Barnsley",
        "England",
        "Bradford (this area)",
        "Rotherham",
    ]
    assert frame["value"].iloc[1] == pytest.approx(60.0)
    assert math.isnan(frame["ci_lower"].iloc[1])
    assert math.isnan(frame["value"].iloc[-1]) and frame["status"].iloc[-1] == "not_available"
    assert "region" not in set(frame["role"])  # no regional value in 2023


def test_compare_frame_does_not_test_counts():
    table = _table()
    result = bm.compare(table, "ehc_plans", A, "2024/25", [N1], SN)
    frame = bf.compare_frame(table, result, [N1], SN, NAMES)
    assert set(frame["vs_england"]) == {""}
    assert frame.loc[frame["role"] == "average", "value"].item() == 300.0  # mean of one


# --- Trend -------------------------------------------------------------------------------------


def test_trend_frame_has_the_average_the_compare_view_uses_in_each_period():
    frame = bf.trend_frame(_table(), "ehc_20wk_pct", A, [N1, N2], SN, NAMES)
    wide = frame.pivot(index="period", columns="role", values="value")
    assert wide.index.tolist() == ["2023", "2024"]
    # 2023: mean (50 + 70) / 2 = 60 (N2 has no counts); 2024: pooled 100/125 = 80.
    assert wide["average"].tolist() == pytest.approx([60.0, 80.0])
    assert wide["area"].tolist() == pytest.approx([25.0, 30.0])
    assert wide["England"].tolist() == pytest.approx([40.0, 50.0])
    assert math.isnan(wide.at["2023", "region"]) and wide.at["2024", "region"] == 40.0
    area_2024 = frame[(frame["role"] == "area") & (frame["period"] == "2024")].iloc[0]
    assert (area_2024["ci_lower"], area_2024["ci_upper"]) == pytest.approx(
        (21.8949, 39.5849), abs=1e-4
    )
    assert set(frame["series"]) == {
        "Bradford",
        "Statistical neighbours' average",
        "Yorkshire and The Humber",
        "England",
    }
    assert len(frame) == 7  # no regional value in 2023
    assert frame.loc[frame["role"] == "average", "members"].tolist() == [2, 2]
    # With Rotherham, which has a 2024 value but none in 2023, the 2023 average rests on 2 of 3.
    frame = bf.trend_frame(_table(), "ehc_20wk_pct", A, [N1, N2, R], SN, NAMES)
    assert frame.loc[frame["role"] == "average", "members"].tolist() == [2, 3]


# --- Spine chart ---------------------------------------------------------------------------------


def test_spine_position_centres_england_and_flips_lower_is_better():
    assert bf.spine_position(90.0, 50.0, 40.0, "high") == 1.0
    assert bf.spine_position(10.0, 50.0, 40.0, "high") == 0.0
    assert bf.spine_position(90.0, 50.0, 40.0, "low") == 0.0
    assert bf.spine_position(70.0, 50.0, 40.0, "none") == 0.75
    assert bf.spine_position(70.0, 50.0, 0.0, "high") == 0.5
    assert math.isnan(bf.spine_position(None, 50.0, 40.0, "high"))


def test_spine_frame_by_hand():
    table = _table()
    summary = bm.area_summary(table, A, [N1, N2])
    frame = bf.spine_frame(table, summary).set_index("indicator")
    assert set(frame.index) == {"ehc_20wk_pct", "ehc_over_1yr_pct", "ks4_destination_ehc"}
    left_out = frame.attrs["left_out"]
    assert set(left_out) == {"ehc_plans", "ehc_requests_refused_pct"}
    assert (
        "count" in left_out["ehc_plans"]
        and "no England value" in left_out["ehc_requests_refused_pct"]
    )

    # 20 weeks, 2024: LA values 30, 40, 90, 60, 30 -> sorted 30, 30, 40, 60, 90: min 30,
    # 25th percentile 30 (position 1), 75th 60 (position 3), max 90. England 50, so the
    # half-width is max(50 - 30, 90 - 50) = 40 and x = 0.5 + (v - 50) / 80.
    row = frame.loc["ehc_20wk_pct"]
    assert (row["minimum"], row["q25"], row["q75"], row["maximum"]) == (30, 30, 60, 90)
    assert (row["x_minimum"], row["x_q25"], row["x_q75"], row["x_maximum"]) == pytest.approx(
        (0.25, 0.25, 0.625, 1)
    )
    assert row["x_value"] == pytest.approx(0.25)
    assert row["x_neighbours"] == pytest.approx(0.5 + (80 - 50) / 80)  # pooled 80%
    assert row["marker"] == "Worse" and (row["left"], row["right"]) == ("Worse", "Better")

    # Over a year (lower is better): values 10, 20, 5, 40, 0 -> min 0, q25 5, q75 20, max 40;
    # England 15, half-width max(15, 25) = 25, x = 0.5 - (v - 15) / 50: the highest value
    # (worst) is at 0 and the lowest (best) at 0.8.
    row = frame.loc["ehc_over_1yr_pct"]
    assert (row["x_minimum"], row["x_q25"], row["x_q75"], row["x_maximum"]) == pytest.approx(
        (0.0, 0.4, 0.7, 0.8)
    )
    assert row["x_value"] == pytest.approx(0.6)
    assert row["x_neighbours"] == pytest.approx(0.5 - (8 - 15) / 50)  # pooled 10/125 = 8%
    # 10/100 has the Wilson interval (5.52%, 17.44%), which holds 15.
    assert row["marker"] == "Similar"

    # Destinations: values only, so the marker says it was not tested. Values 70, 80, 80, 85,
    # 90; England 82; half-width max(12, 8) = 12; Bradford 80 -> 0.5 - 2 / 24.
    row = frame.loc["ks4_destination_ehc"]
    assert (row["minimum"], row["q25"], row["q75"], row["maximum"]) == (70, 80, 85, 90)
    assert row["x_value"] == pytest.approx(0.5 - 2 / 24)
    assert row["marker"] == "Not tested (no counts)"


def test_spine_frame_says_higher_or_lower_without_judgement_for_polarity_none():
    table = _tidy(
        [
            ("ehc_requests_refused_pct", A, "2024", 40.0, 40, 100),
            ("ehc_requests_refused_pct", N1, "2024", 10.0, 10, 100),
            ("ehc_requests_refused_pct", ENG, "2024", 20.0, 2000, 10000),
        ]
    )
    frame = bf.spine_frame(table, bm.area_summary(table, A, [N1]))
    assert frame["marker"].tolist() == ["Higher (no judgement)"]
    assert (frame["left"].item(), frame["right"].item()) == ("Lower", "Higher")
    assert frame["x_value"].item() == pytest.approx(1.0)  # half-width max(10, 20) = 20


# --- Funnel plot -----------------------------------------------------------------------------------


def test_funnel_indicators_need_counts_for_councils():
    # Percentages with LA counts; not the values-only LAIT one, not a count.
    assert bf.funnel_indicators(_table()) == [
        "ehc_requests_refused_pct",
        "ehc_20wk_pct",
        "ehc_over_1yr_pct",
    ]


def test_funnel_position_matches_significance_at_both_levels():
    # 30/100 against 50: the 99.8% interval (18.10, 45.39) excludes it.
    assert bf.funnel_position("%", 30.0, 30, 100, 50.0) == ("lower", bf.OUTSIDE_998)
    # 40/100: 95% (30.94, 49.80) excludes 50, 99.8% (26.38, 55.36) holds it.
    assert bf.funnel_position("%", 40.0, 40, 100, 50.0) == ("lower", bf.OUTSIDE_95)
    assert bf.funnel_position("%", 40.0, 10, 25, 50.0) == ("similar", bf.WITHIN)
    assert bf.funnel_position("%", 90.0, 90, 100, 50.0) == ("higher", bf.OUTSIDE_998)


def test_funnel_frame_points_limits_and_agreement_with_the_test():
    points, limits, england = bf.funnel_frame(_table(), "ehc_20wk_pct", "2024", A, [N1, N2], NAMES)
    assert england == 50.0
    # Rotherham has no counts; the rest in order of denominator.
    assert points["area_code"].tolist() == [N1, S, A, N2]
    assert points["role"].tolist() == ["comparator", "other", "area", "comparator"]
    # Sheffield 12/40: Wilson 95% (18.07%, 45.43%) excludes 50, 99.8% (13.37%, 54.34%) holds it.
    assert points["vs_england"].tolist() == ["similar", "worse", "worse", "better"]
    assert points["position"].tolist() == [bf.WITHIN, bf.OUTSIDE_95, bf.OUTSIDE_998, bf.OUTSIDE_998]
    # Limits on a log-spaced grid from 25 to 100. OHID's proportion limits are
    # 50 +/- z sqrt(0.25 / n) * 100: at n = 100, 95%: 50 -/+ 9.79982, 99.8%: 50 +/- 15.45116.
    assert limits["denominator"].iloc[0] == pytest.approx(25) and limits["denominator"].iloc[
        -1
    ] == pytest.approx(100)
    assert len(limits) == bf.FUNNEL_GRID_POINTS
    last = limits.iloc[-1]
    assert (last["lower_95"], last["upper_95"]) == pytest.approx((40.20018, 59.79982), abs=1e-4)
    assert (last["lower_99_8"], last["upper_99_8"]) == pytest.approx((34.54884, 65.45116), abs=1e-4)
    # The funnel agrees with the test: outside the 95% limits at its own denominator exactly
    # when its 95% interval excludes England.
    own = stats.funnel_limits(
        england, points["denominator"], kind="proportion", method="ohid", multiplier=100
    )
    outside = (points["value"].to_numpy() < own["lower_95"].to_numpy()) | (
        points["value"].to_numpy() > own["upper_95"].to_numpy()
    )
    assert (
        outside.tolist() == (points["position"] != bf.WITHIN).tolist() == [False, True, True, True]
    )


def test_funnel_frame_is_empty_without_counts_or_england():
    points, limits, england = bf.funnel_frame(
        _table(), "ks4_destination_ehc", "2022/23", A, [], NAMES
    )
    assert points.empty and limits.empty and england == 82.0
    points, _, england = bf.funnel_frame(_table(), "ehc_requests_refused_pct", "2024", A, [], NAMES)
    assert points.empty and england is None


def test_funnel_frame_for_a_rate_uses_poisson_limits():
    table = _tidy(
        [
            ("ehc_plans_rate", A, "2024/25", 50.0, 100, 20000),
            ("ehc_plans_rate", N1, "2024/25", 80.0, 80, 10000),
            ("ehc_plans_rate", ENG, "2024/25", 65.0, 650, 100000),
        ]
    )
    points, limits, england = bf.funnel_frame(table, "ehc_plans_rate", "2024/25", A, [], NAMES)
    assert england == 65.0 and points["area_code"].tolist() == [N1, A]
    # At n = 20,000 the expected count is 130: the 95% limits are the counts whose Byar
    # interval just reaches 130, so Bradford's 100 (Byar 95% upper 121.63 < 130) is below.
    assert points.set_index("area_code").at[A, "vs_england"] == "lower"
    # Solving (x + 1)(1 - 1/(9(x + 1)) + 1.959964 / (3 sqrt(x + 1)))^3 = 130 by hand gives
    # x + 1 = 108.64, so the lower 95% limit is 107.64 / 20,000 * 10,000 = 53.8 per 10,000.
    at_a = limits.iloc[-1]
    assert at_a["denominator"] == pytest.approx(20000)
    assert at_a["lower_95"] == pytest.approx(53.8, abs=0.05)


# --- Tables ------------------------------------------------------------------------------------------


def test_nearest_table_names_and_flags_dfe_neighbours():
    result = pd.DataFrame({"area_code": [N1, N2], "distance": [0.12345, 0.5], "rank": [1, 2]})
    table = bf.nearest_table(result, NAMES, {N1: "Yorkshire and The Humber"}, [N2])
    assert table["Local authority"].tolist() == ["Barnsley", "Doncaster"]
    assert table["Distance"].tolist() == [0.123, 0.5]
    assert table["Also a DfE statistical neighbour"].tolist() == ["no", "yes"]
    assert table["Region"].tolist() == ["Yorkshire and The Humber", ""]


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["a", "b", "c", "d", "e"],
            "title": ["Delta", "alpha", "Charlie", "Bravo", "Echo"],
            "polarity": ["high", "low", "none", "high", "high"],
            "vs_england": ["better", "worse", "higher", "worse", "not compared"],
            "vs_neighbours": ["better", "similar", "higher", "worse", "not compared"],
            "rank": [
                "3rd of 10",
                "2nd of 10",
                "1st of 10 (highest first)",
                "9th of 10",
                "5th of 10",
            ],
            "quartile": ["A", "A", None, "D", "B"],
        }
    )


def test_sort_summary_orders():
    s = _summary()
    assert bf.sort_summary(s, "Lens and topic")["indicator"].tolist() == ["a", "b", "c", "d", "e"]
    assert bf.sort_summary(s, "Indicator title")["indicator"].tolist() == ["b", "d", "c", "a", "e"]
    assert bf.sort_summary(s, "Quartile band")["indicator"].tolist() == ["a", "b", "e", "d", "c"]
    # Worse than England first (d is worse than its neighbours too, so before b), then the
    # no-judgement row, then the untested one, then better.
    assert bf.sort_summary(s, "Needs attention first")["indicator"].tolist() == [
        "d",
        "b",
        "c",
        "e",
        "a",
    ]
    with pytest.raises(ValueError):
        bf.sort_summary(s, "colour")


def test_sort_by_lens_and_topic_follows_the_picker():
    # Catalogue order mixes lenses; the picker and this sort put profile first, then
    # governance by topic (assessments before timeliness), then outcomes.
    s = pd.DataFrame(
        {
            "indicator": [
                "ks4_destination_ehc",
                "ehc_20wk_pct",
                "ehc_mainstream_pct",
                "ehc_requests",
                "ehc_plans",
            ]
        }
    )
    assert bf.sort_summary(s, "Lens and topic")["indicator"].tolist() == [
        "ehc_plans",
        "ehc_mainstream_pct",
        "ehc_requests",
        "ehc_20wk_pct",
        "ks4_destination_ehc",
    ]


def test_summary_table_rounds_and_renames():
    table = _table()
    summary = bm.area_summary(table, A, [N1, N2])
    shown = bf.summary_table(summary)
    assert list(shown.columns) == list(bf.SUMMARY_HEADINGS.values())
    row = shown.set_index("Indicator").loc[
        "New EHC plans issued within 20 weeks (including exceptions)"
    ]
    assert (row["Value"], row["95% CI lower"], row["95% CI upper"]) == (30.0, 21.9, 39.6)
    assert row["Comparator average"] == 80.0 and row["Compared with England"] == "worse"
    scores = pd.DataFrame(
        {**{c: [np.nan] for c in bf.SUMMARY_HEADINGS}, "unit": ["score"], "value": [-1.2345]}
    )
    assert bf.summary_table(scores)["Value"].item() == -1.23


# --- An average resting on few comparators ---------------------------------------------------


def test_an_average_rests_on_few_when_half_the_set_or_fewer_report():
    assert bm.rests_on_few(5, 10) and bm.rests_on_few(4, 9) and bm.rests_on_few(1, 2)
    assert not bm.rests_on_few(6, 10) and not bm.rests_on_few(5, 9)
    assert not bm.rests_on_few(0, 0)  # no set, no average to mark
    assert bm.few_words(4, 10) == "average of 4 of 10 comparators"


HARTLEPOOL = "E06000001"


def _reporting(national: pd.DataFrame, indicator: str, members: list[str]) -> dict[str, int]:
    """How many of ``members`` publish a value in each period, counted from the raw table."""
    n = national
    rows = n[
        (n["indicator"] == indicator)
        & (n["breakdown"] == "")
        & (n["area_level"] == "la")
        & n["value"].notna()
        & n["area_code"].isin(members)
    ]
    return rows.groupby("period")["area_code"].nunique().to_dict()


def test_thin_averages_on_real_data_are_marked_in_exactly_their_periods(national):
    from analysis.neighbours import statistical_neighbours

    members = statistical_neighbours(HARTLEPOOL)
    assert len(members) == 10
    # SEN2's 20-week timeliness began in 2014 with gaps: 5 of Hartlepool's 10 neighbours
    # published then (half: marked), every later year more than half (not marked).
    reporting = _reporting(national, "ehc_20wk_pct", members)
    assert reporting["2014"] == 5 and min(v for p, v in reporting.items() if p != "2014") > 5
    frame = bf.trend_frame(national, "ehc_20wk_pct", HARTLEPOOL, members, SN, {})
    average = frame[frame["role"] == "average"].set_index("period")
    assert average["members"].astype(int).to_dict() == {
        p: reporting.get(p, 0) for p in average.index
    }
    assert average.index[average["few"]].tolist() == ["2014"]
    assert set(average["set_size"]) == {10}
    assert not frame.loc[frame["role"] != "average", "few"].any()
    # The same rule on the compare frame: 4 of 10 in 2014 for the measure excluding exceptions.
    assert _reporting(national, "ehc_20wk_ex_pct", members)["2014"] == 4
    for period, few in (("2014", True), ("2015", False)):
        result = bm.compare(national, "ehc_20wk_ex_pct", HARTLEPOOL, period, members, SN)
        row = bf.compare_frame(national, result, members, SN, {}).set_index("role")
        assert bool(row.at["average", "few"]) is few, period
        assert row.at["average", "set_size"] == 10
        assert not row.drop(index="average")["few"].any()


@pytest.mark.parametrize("area", ["E08000032", "E10000023", "E06000065"])
def test_indicators_with_data_match_each_indicators_own_rows(national, area):
    """The one pass over the table finds what asking each indicator's rows finds (Bradford;
    North Yorkshire by its old code; North Yorkshire's new code)."""
    import indicators
    from geography import areas

    code = areas.current_code(area)
    for lens in (None, *indicators.LENSES):
        expected = [
            i.id
            for i in indicators.CATALOGUE.values()
            if lens in (None, i.lens)
            and indicators.rows(i.id, [code], "", table=national)["value"].notna().any()
        ]
        found = bf.indicators_with_data(national, area, lens)
        assert sorted(found) == sorted(expected), lens
        assert found  # every lens has something for these councils
