"""Tests for analysis.trend: Fingertips-style recent trend markers.

Expected values come from hand arithmetic (shown in comments), from independent methods
(scipy.stats.pearsonr on individual-level data for the chi-squared test for trend,
scipy.stats.linregress for the t-test), and from OHID Fingertips' published trend markers
as recorded in dhsc-govuk/FingertipsNext,
trend-analysis/TrendAnalysisApp.UnitTests/Legacy/TrendMarkerCalculatorTests.cs.

Chi-squared test for linear trend (Armitage 1955), scores t_i, counts r_i out of n_i:
    N = sum n_i, pbar = sum r_i / N, tbar = sum n_i t_i / N
    T = sum r_i (t_i - tbar)
    chi2 = T^2 / (pbar (1 - pbar) sum n_i (t_i - tbar)^2), 1 degree of freedom.
The series positions 0..4 are the scores; a shift of scores changes nothing.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from analysis import TrendResult, trend_test
from analysis.trend import VERDICTS

# --- Chi-squared test for trend (Cochran-Armitage) -------------------------------------------


def test_chi_squared_for_trend_by_hand() -> None:
    # r = 10, 12, 15, 17, 20 out of n = 100 each; scores 1..5.
    # N = 500, pbar = 74/500 = 0.148, tbar = 3.
    # T = 10(-2) + 12(-1) + 15(0) + 17(1) + 20(2) = -20 - 12 + 0 + 17 + 40 = 25
    # sum n (t - tbar)^2 = 100 (4 + 1 + 0 + 1 + 4) = 1000
    # chi2 = 25^2 / (0.148 * 0.852 * 1000) = 625 / 126.096 = 4.95654, p = 0.0260
    # Significant at 5% but not at the 0.2% Fingertips uses.
    result = trend_test([10, 12, 15, 17, 20], [10, 12, 15, 17, 20], [100] * 5, kind="proportion")
    assert result.method == "cochran-armitage"
    assert result.p_value == pytest.approx(stats.chi2.sf(625 / 126.096, 1), rel=1e-9)
    assert result.p_value == pytest.approx(0.0260, abs=5e-5)
    assert result.verdict == "no significant change"
    # Slope in the units of the values (%): sum n (t - tbar) v / sum n (t - tbar)^2 = 2500/1000.
    assert result.slope == pytest.approx(2.5)
    assert result.points_used == 5


def test_chi_squared_for_trend_equals_n_r_squared_on_individual_records() -> None:
    # Independent check: Armitage's chi2 is N times the squared Pearson correlation between
    # each child's 0/1 outcome and the year score.
    counts, size = [10, 12, 15, 17, 20], 100
    year = np.repeat(np.arange(5), size)
    outcome = np.concatenate([np.r_[np.ones(k), np.zeros(size - k)] for k in counts])
    chi2 = len(year) * stats.pearsonr(year, outcome)[0] ** 2
    result = trend_test(counts, counts, [size] * 5, kind="proportion")
    assert result.p_value == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-9)


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("high", "increasing and getting better"),
        ("low", "increasing and getting worse"),
        ("none", "increasing"),
    ],
)
def test_strong_rise_is_significant(polarity: str, expected: str) -> None:
    # Ten times the counts above: T = 250, sum n (t - tbar)^2 = 10000,
    # chi2 = 62500 / (0.126096 * 10000) = 49.5654, p = 1.9e-12.
    result = trend_test(
        [10, 12, 15, 17, 20],
        [100, 120, 150, 170, 200],
        [1000] * 5,
        kind="proportion",
        polarity=polarity,
    )
    assert result.p_value == pytest.approx(stats.chi2.sf(49.5654, 1), rel=1e-4)
    assert result.verdict == expected


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("high", "decreasing and getting worse"),
        ("low", "decreasing and getting better"),
        ("none", "decreasing"),
    ],
)
def test_strong_fall_is_significant(polarity: str, expected: str) -> None:
    result = trend_test(
        [20, 17, 15, 12, 10],
        [200, 170, 150, 120, 100],
        [1000] * 5,
        kind="proportion",
        polarity=polarity,
    )
    assert result.verdict == expected
    assert result.slope == pytest.approx(-2.5)


def test_flat_series_is_no_change() -> None:
    flat = trend_test([10] * 5, [100] * 5, [1000] * 5, kind="proportion", polarity="high")
    assert (flat.verdict, flat.slope, flat.p_value) == ("no significant change", 0.0, 1.0)
    # Wobbling around 10%: r = 100, 102, 99, 101, 100 of 1000; T = -200 - 102 + 101 + 200 = -1
    wobble = trend_test(
        [10.0, 10.2, 9.9, 10.1, 10.0],
        [100, 102, 99, 101, 100],
        [1000] * 5,
        kind="proportion",
        polarity="high",
    )
    assert wobble.verdict == "no significant change"
    assert wobble.p_value > 0.9


def test_a_single_point_cannot_make_a_trend() -> None:
    # 35%, 30%, 30%, 30%, 45% of 10,000 each. With all five points:
    #   T = 10000 (-2(0.35) - 0.30 + 0 + 0.30 + 2(0.45)) = 10000 * 0.2 = 2000, pbar = 0.34,
    #   chi2 = 2000^2 / (0.34 * 0.66 * 10000 * 10) = 4e6 / 22440 = 178.25: p far below 0.002.
    # Leaving out the last point: scores 1..4, tbar = 2.5,
    #   T = 10000 (-1.5(0.35) - 0.5(0.30) + 0.5(0.30) + 1.5(0.30)) = 10000 (-0.075) = -750,
    #   so the slope turns negative and the rise rests on one year: no significant change.
    result = trend_test(
        [35, 30, 30, 30, 45],
        [3500, 3000, 3000, 3000, 4500],
        [10000] * 5,
        kind="proportion",
        polarity="high",
    )
    assert result.p_value == pytest.approx(stats.chi2.sf(4e6 / 22440, 1), rel=1e-6)
    assert result.p_value < 0.002
    assert result.slope > 0
    assert result.verdict == "no significant change"


# --- Fingertips' published markers ---------------------------------------------------------


def test_fingertips_diabetes_prevalence_is_increasing() -> None:
    # Indicator 241, QOF diabetes prevalence, England 2020-2024 (Fingertips: "Increasing").
    counts = [3455176, 3491868, 3625401, 3774801, 3938080]
    denominators = [48783947, 49122259, 49956777, 50649129, 51441896]
    values = [7.0826, 7.1085, 7.2571, 7.4528, 7.6554]
    result = trend_test(values, counts, denominators, kind="proportion")
    assert result.verdict == "increasing"


@pytest.mark.parametrize(
    ("polarity", "expected"), [("none", "decreasing"), ("high", "decreasing and getting worse")]
)
def test_fingertips_mmr_coverage_is_decreasing(polarity: str, expected: str) -> None:
    # Indicator 30309, MMR one dose at 2 years, Yorkshire and the Humber 2020-2024
    # (Fingertips: "Decreasing"; coverage is high-is-good, so getting worse).
    counts = [57274, 55865, 53681, 51767, 53185]
    denominators = [61834, 60511, 59074, 57508, 59028]
    values = [92.6254, 92.3221, 90.8708, 90.017, 90.1013]
    result = trend_test(values, counts, denominators, kind="proportion", polarity=polarity)
    assert result.verdict == expected


EYE_COUNTS = [1416, 935, 1344, 1415, 1502]
EYE_DENOMINATORS = [48246126, 48440507, 48753376, 49300918, 49866388]
EYE_VALUES = [2.935, 1.93028, 2.7567, 2.8701, 3.0121]  # per 100,000
EYE_LOWER = [2.7841, 1.8085, 2.6113, 2.7225, 2.8616]
EYE_UPPER = [3.0919, 2.058, 2.9082, 3.0237, 3.1683]


def test_fingertips_diabetic_eye_disease_rate_is_increasing() -> None:
    # Indicator 41203, preventable sight loss from diabetic eye disease, crude rate per
    # 100,000, England 2020-2024 (Fingertips: "Increasing"); low is good.
    result = trend_test(EYE_VALUES, EYE_COUNTS, EYE_DENOMINATORS, kind="value", polarity="low")
    assert result.method == "wls"
    assert result.verdict == "increasing and getting worse"


def test_weighted_regression_matches_fingertips_sums_on_published_intervals() -> None:
    # Fingertips' legacy calculator with its own inputs: w = 1 / ((upper - lower) / 3.92)^2,
    # scores 1..5, slope = (Sw Swty - Swt Swy) / (Sw Swtt - Swt^2),
    # SE = sqrt(Sw / (Sw Swtt - Swt^2)), chi2 = (slope / SE)^2.
    w = [1 / ((u - lo) / 3.92) ** 2 for lo, u in zip(EYE_LOWER, EYE_UPPER)]
    t = [1, 2, 3, 4, 5]
    sw = sum(w)
    swt = sum(wi * ti for wi, ti in zip(w, t))
    swy = sum(wi * yi for wi, yi in zip(w, EYE_VALUES))
    swtt = sum(wi * ti * ti for wi, ti in zip(w, t))
    swty = sum(wi * ti * yi for wi, ti, yi in zip(w, t, EYE_VALUES))
    det = sw * swtt - swt**2
    slope = (sw * swty - swt * swy) / det
    chi2 = (slope / math.sqrt(sw / det)) ** 2
    result = trend_test(EYE_VALUES, EYE_COUNTS, EYE_DENOMINATORS, kind="value")
    # Our intervals come from the counts, not the rounded published ones: agree to 0.1%.
    assert result.slope == pytest.approx(slope, rel=1e-3)
    assert stats.chi2.isf(result.p_value, 1) == pytest.approx(chi2, rel=1e-3)


# --- Values without counts: ordinary least squares -----------------------------------------


def test_ols_slope_and_p_value_by_hand() -> None:
    values = [1.0, 2.1, 2.9, 4.05, 5.0]
    # Mean 3.01; sum of (t - 2)(y - 3.01) = 4.02 + 0.91 + 0 + 1.04 + 3.98 = 9.95 over
    # sum of (t - 2)^2 = 10, so the slope is 0.995.
    residuals = [y - (3.01 + 0.995 * (t - 2)) for t, y in enumerate(values)]
    se = (sum(r * r for r in residuals) / 3 / 10) ** 0.5
    result = trend_test(values, kind="value", polarity="high")
    assert result.method == "ols"
    assert result.slope == pytest.approx(0.995, rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.t.sf(0.995 / se, 3), rel=1e-9)
    assert result.verdict == "increasing and getting better"  # p = 4.4e-5


def test_ols_needs_the_998_level_not_95() -> None:
    # linregress gives p = 0.0048 for this rise: significant at 5%, not at 0.2%.
    values = [1.0, 2.3, 2.7, 4.4, 4.6]
    assert 0.002 < stats.linregress(range(5), values).pvalue < 0.05
    assert trend_test(values, kind="value", polarity="high").verdict == "no significant change"


def test_perfect_line_is_significant_and_constant_is_not() -> None:
    assert trend_test([5, 4, 3, 2, 1], polarity="low").verdict == "decreasing and getting better"
    constant = trend_test([3, 3, 3, 3, 3])
    assert (constant.verdict, constant.p_value) == ("no significant change", 1.0)


def test_proportion_without_counts_falls_back_to_ols() -> None:
    assert trend_test([1.0, 2.1, 2.9, 4.05, 5.0], kind="proportion").method == "ols"


# --- Which points are used -----------------------------------------------------------------


def test_fewer_than_five_points_cannot_be_calculated() -> None:
    result = trend_test([1.0, 2.0, 3.0, 4.0])
    assert result == TrendResult("cannot be calculated", None, None, 4, "")


def test_uses_the_last_five_usable_points() -> None:
    # An early fall then a steady rise: only the last five points (a perfect rise) count.
    assert trend_test([9, 8, 7, 1, 2, 3, 4, 5]).verdict == "increasing"
    # A missing year is skipped; the gap keeps its place in time, so positions 0,1,3,4,5.
    gap = trend_test([1, 2, None, 3, 4, 5])
    expected = stats.linregress([0, 1, 3, 4, 5], [1, 2, 3, 4, 5])
    assert gap.slope == pytest.approx(expected.slope)
    assert gap.p_value == pytest.approx(expected.pvalue)
    assert trend_test([1, 2, math.nan, 3, 4]).verdict == "cannot be calculated"


def test_points_without_counts_are_not_used_for_the_count_based_test() -> None:
    # Five values but one suppressed numerator: only four usable points.
    short = trend_test(
        [10, 12, 15, 17, 20], [100, 120, None, 170, 200], [1000] * 5, kind="proportion"
    )
    assert (short.verdict, short.points_used) == ("cannot be calculated", 4)
    # With an older sixth year the test reaches back past the gap: positions 0, 1, 3, 4, 5.
    values = [8, 10, 12, 15, 17, 20]
    counts = [80, 100, None, 150, 170, 200]
    result = trend_test(values, counts, [1000] * 6, kind="proportion")
    assert result.points_used == 5
    # Hand: scores 0,1,3,4,5, n = 1000 each, tbar = 13/5 = 2.6, r = 80,100,150,170,200:
    # T = 80(-2.6) + 100(-1.6) + 150(0.4) + 170(1.4) + 200(2.4) = -208 - 160 + 60 + 238 + 480
    #   = 410; sum n (t - tbar)^2 = 1000 (6.76 + 2.56 + 0.16 + 1.96 + 5.76) = 17200;
    # pbar = 700/5000 = 0.14; chi2 = 410^2 / (0.14 * 0.86 * 17200) = 168100 / 2070.88 = 81.173
    assert result.p_value == pytest.approx(stats.chi2.sf(168100 / 2070.88, 1), rel=1e-6)


# --- Interface -----------------------------------------------------------------------------


def test_verdicts_and_result_shape() -> None:
    assert set(VERDICTS) == {
        "increasing and getting better",
        "increasing and getting worse",
        "decreasing and getting better",
        "decreasing and getting worse",
        "increasing",
        "decreasing",
        "no significant change",
        "cannot be calculated",
    }
    result = trend_test([1, 2, 3, 4, 5])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"values": [1, 2, 3, 4, 5], "kind": "rate"},
        {"values": [1, 2, 3, 4, 5], "polarity": "up"},
        {"values": [1, 2, 3, 4, 5], "numerators": [1, 2, 3, 4, 5]},
        {"values": [1, 2, 3, 4, 5], "numerators": [1, 2, 3], "denominators": [9, 9, 9]},
    ],
)
def test_bad_arguments_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        trend_test(**kwargs)


def test_a_series_break_leaves_only_the_points_after_it():
    from analysis.trend import start_of_series

    years = ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert start_of_series(years, ["2023"]) == (4, "2023")
    assert start_of_series(years, ["2019"]) == (0, "")  # no earlier point: nothing crossed
    assert start_of_series(years, ["2030"]) == (0, "")  # not yet happened
    academic = ["2020/21", "2021/22", "2022/23", "2023/24"]
    assert start_of_series(academic, ["2022/23"]) == (2, "2022/23")
    # A straight rise 10..60 of 100 is significant over six points, untestable after a break.
    r, n = [10, 20, 30, 40, 50, 60], [100] * 6
    whole = trend_test(r, r, n, kind="proportion", periods=years)
    assert whole.verdict == "increasing" and whole.since == ""
    cut = trend_test(r, r, n, kind="proportion", periods=years, breaks=["2023"])
    assert (cut.verdict, cut.points_used, cut.since) == ("cannot be calculated", 2, "2023")
