"""Tests for analysis.stats, checked against published tables, hand arithmetic and scipy.

Sources of the expected numbers:
* Newcombe RG (1998) Two-sided confidence intervals for the single proportion. Statistics in
  Medicine 17:857-872, Table I (Wilson score method, 95%).
* OHID Fingertips published 95% intervals, as recorded in dhsc-govuk/FingertipsNext
  trend-analysis/TrendAnalysisApp.UnitTests/Legacy/TrendMarkerCalculatorTests.cs:
  indicator 30309 (MMR one dose at 2 years, Yorkshire and the Humber, Wilson) and
  indicator 41203 (preventable sight loss from diabetic eye disease, England, crude rate
  per 100,000, Byar).
* Standard exact Poisson tables (e.g. Documenta Geigy; Breslow and Day 1987 Table 2.7).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis import (
    byar_ci,
    compare_intervals,
    funnel_limits,
    judge,
    mean_value,
    pooled_proportion,
    pooled_value,
    rate_ci,
    significance,
    wilson_ci,
)

Z95 = 1.959963984540054  # norm.ppf(0.975)
Z998 = 3.090232306167813  # norm.ppf(0.999)


# --- Wilson --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998_table_1(x: int, n: int, lower: float, upper: float) -> None:
    got = wilson_ci(x, n)
    assert got[0] == pytest.approx(lower, abs=5e-5)
    assert got[1] == pytest.approx(upper, abs=5e-5)


@pytest.mark.parametrize(
    ("count", "denominator", "lower_pct", "upper_pct"),
    [
        (53185, 59028, 89.8578, 90.3396),
        (51767, 57508, 89.7694, 90.2594),
        (53681, 59074, 90.6358, 91.1004),
        (55865, 60511, 92.1072, 92.5315),
        (57274, 61834, 92.4168, 92.8288),
    ],
)
def test_wilson_matches_fingertips_published_intervals(
    count: int, denominator: int, lower_pct: float, upper_pct: float
) -> None:
    lower, upper = wilson_ci(count, denominator)
    assert lower * 100 == pytest.approx(lower_pct, abs=5e-5)
    assert upper * 100 == pytest.approx(upper_pct, abs=5e-5)


def test_wilson_998_by_hand() -> None:
    # x = 5, n = 10, z = 3.090232, z^2 = 9.549536
    # centre = x + z^2/2 = 5 + 4.774768 = 9.774768
    # half   = z sqrt(x(n-x)/n + z^2/4) = 3.090232 * sqrt(2.5 + 2.387384) = 6.831709
    # lower  = (9.774768 - 6.831709) / (10 + 9.549536) = 2.943059 / 19.549536 = 0.150544
    # upper  = (9.774768 + 6.831709) / 19.549536 = 16.606477 / 19.549536 = 0.849456
    lower, upper = wilson_ci(5, 10, level=0.998)
    assert lower == pytest.approx(0.150544, abs=1e-6)
    assert upper == pytest.approx(0.849456, abs=1e-6)


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize(("x", "n"), [(0, 1), (1, 1), (3, 7), (0, 152), (152, 152), (640, 1000)])
def test_wilson_agrees_with_scipy_binomtest(x: int, n: int, level: float) -> None:
    expected = stats.binomtest(x, n).proportion_ci(confidence_level=level, method="wilson")
    got = wilson_ci(x, n, level)
    assert got[0] == pytest.approx(expected.low, abs=1e-12)
    assert got[1] == pytest.approx(expected.high, abs=1e-12)


def test_wilson_edges_are_exact() -> None:
    assert wilson_ci(0, 37)[0] == 0.0
    assert wilson_ci(37, 37)[1] == 1.0
    assert 0.0 < wilson_ci(37, 37)[0] < 1.0


def test_wilson_missing_and_zero_denominator_give_nan() -> None:
    for got in (wilson_ci(0, 0), wilson_ci(None, 10), wilson_ci(3, math.nan)):
        assert math.isnan(got[0]) and math.isnan(got[1])


@pytest.mark.parametrize(
    ("x", "n", "level"), [(11, 10, 0.95), (-1, 10, 0.95), (1, -5, 0.95), (1, 10, 95)]
)
def test_wilson_rejects_impossible_inputs(x: float, n: float, level: float) -> None:
    with pytest.raises(ValueError):
        wilson_ci(x, n, level)


# --- Byar and exact Poisson ----------------------------------------------------------------


def test_byar_by_hand_95() -> None:
    # x = 100: lower = 100 (1 - 1/900 - 1.959964/30)^3 = 100 (1 - 0.0011111 - 0.0653321)^3
    #                = 100 * 0.9335568^3 = 100 * 0.8136211 = 81.362
    #          upper = 101 (1 - 1/909 + 1.959964/(3 sqrt 101))^3 = 101 (1 - 0.0011001 + 0.0650079)^3
    #                = 101 * 1.0639078^3 = 101 * 1.2042370 = 121.628
    # x = 25:  lower = 25 (1 - 1/225 - 1.959964/15)^3 = 25 (1 - 0.0044444 - 0.1306643)^3
    #                = 25 * 0.8648913^3 = 25 * 0.6469706 = 16.174
    #          upper = 26 (1 - 1/234 + 1.959964/(3 sqrt 26))^3 = 26 (1 - 0.0042735 + 0.1281269)^3
    #                = 26 * 1.1238533^3 = 26 * 1.4194789 = 36.906
    assert byar_ci(100) == pytest.approx((81.362, 121.628), abs=1e-3)
    assert byar_ci(25) == pytest.approx((16.174, 36.906), abs=1e-3)


def test_byar_by_hand_998() -> None:
    # x = 100: lower = 100 (1 - 0.0011111 - 3.090232/30)^3 = 100 * 0.8958811^3 = 71.904
    #          upper = 101 (1 - 0.0011001 + 3.090232/30.149627)^3 = 101 * 1.1013964^3 = 134.944
    # x = 25:  lower = 25 (1 - 0.0044444 - 3.090232/15)^3 = 25 * 0.7895401^3 = 12.304
    #          upper = 26 (1 - 0.0042735 + 3.090232/15.297059)^3 = 26 * 1.1977413^3 = 44.675
    assert byar_ci(100, level=0.998) == pytest.approx((71.904, 134.944), abs=1e-3)
    assert byar_ci(25, level=0.998) == pytest.approx((12.304, 44.675), abs=1e-3)


@pytest.mark.parametrize("x", [10, 25, 100, 1000])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_byar_formula_written_out_independently(x: int, level: float) -> None:
    z = Z95 if level == 0.95 else Z998
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    assert byar_ci(x, level) == pytest.approx((lower, upper), rel=1e-12)


@pytest.mark.parametrize("x", [10, 25, 100])
def test_byar_is_close_to_exact_poisson(x: int) -> None:
    # Byar approximates the exact interval; from 10 events the error is well under 1%.
    exact = (stats.chi2.ppf(0.025, 2 * x) / 2, stats.chi2.ppf(0.975, 2 * x + 2) / 2)
    assert byar_ci(x) == pytest.approx(exact, rel=0.005)


@pytest.mark.parametrize(
    ("x", "lower", "upper"),
    [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683)],
)
def test_small_counts_use_exact_poisson_table_values(x: int, lower: float, upper: float) -> None:
    got = byar_ci(x)
    assert got[0] == pytest.approx(lower, abs=1e-4)
    assert got[1] == pytest.approx(upper, abs=1e-4)


def test_exact_below_ten_and_byar_from_ten() -> None:
    assert byar_ci(9) == pytest.approx(
        (stats.chi2.ppf(0.025, 18) / 2, stats.chi2.ppf(0.975, 20) / 2), rel=1e-12
    )
    byar_10 = 10 * (1 - 1 / 90 - Z95 / (3 * math.sqrt(10))) ** 3
    assert byar_ci(10)[0] == pytest.approx(byar_10, rel=1e-12)
    assert byar_ci(0)[0] == 0.0


def test_byar_missing_and_negative() -> None:
    assert all(math.isnan(v) for v in byar_ci(None))
    with pytest.raises(ValueError):
        byar_ci(-1)


@pytest.mark.parametrize(
    ("count", "denominator", "lower", "upper"),
    [
        (1416, 48246126, 2.7841, 3.0919),
        (935, 48440507, 1.8085, 2.0580),
        (1344, 48753376, 2.6113, 2.9082),
        (1415, 49300918, 2.7225, 3.0237),
        (1502, 49866388, 2.8616, 3.1683),
    ],
)
def test_rate_ci_matches_fingertips_published_crude_rates(
    count: int, denominator: int, lower: float, upper: float
) -> None:
    got = rate_ci(count, denominator, multiplier=100_000)
    # Published to 4 decimal places; one of them differs from ours in the last digit.
    assert got[0] == pytest.approx(lower, abs=1.1e-4)
    assert got[1] == pytest.approx(upper, abs=1.1e-4)


def test_rate_ci_is_count_interval_scaled() -> None:
    # 100 events in 50,000 per 10,000: (81.362, 121.628) * 10000 / 50000 = (16.272, 24.326)
    assert rate_ci(100, 50_000, multiplier=10_000) == pytest.approx((16.272, 24.326), abs=1e-3)
    assert all(math.isnan(v) for v in rate_ci(5, 0))
    with pytest.raises(ValueError):
        rate_ci(5, -10)


# --- Significance and judgement ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "reference", "expected"),
    [
        ((0.30, 0.40), 0.25, "higher"),
        ((0.30, 0.40), 0.45, "lower"),
        ((0.30, 0.40), 0.35, "similar"),
        ((0.30, 0.40), 0.30, "similar"),  # touching counts as containing
        ((0.30, 0.40), 0.40, "similar"),
        (None, 0.35, "not compared"),
        ((0.30, 0.40), None, "not compared"),
        ((math.nan, 0.40), 0.35, "not compared"),
        ((0.30, 0.40), math.nan, "not compared"),
    ],
)
def test_significance_against_benchmark(ci, reference, expected: str) -> None:
    assert significance(ci, reference) == expected


def test_significance_with_real_interval() -> None:
    # MMR Yorkshire 2024: 53185/59028 = 90.10%, 95% CI 89.86-90.34%.
    ci = wilson_ci(53185, 59028)
    assert significance(ci, 0.895) == "higher"
    assert significance(ci, 0.905) == "lower"
    assert significance(ci, 0.90) == "similar"


def test_significance_rejects_reversed_interval() -> None:
    with pytest.raises(ValueError):
        significance((0.4, 0.3), 0.35)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0.50, 0.60), (0.30, 0.45), "higher"),
        ((0.30, 0.45), (0.50, 0.60), "lower"),
        ((0.40, 0.55), (0.50, 0.60), "similar"),
        ((0.40, 0.50), (0.50, 0.60), "similar"),
        (None, (0.5, 0.6), "not compared"),
        ((0.5, 0.6), (math.nan, 0.6), "not compared"),
    ],
)
def test_compare_intervals(a, b, expected: str) -> None:
    assert compare_intervals(a, b) == expected


@pytest.mark.parametrize(
    ("direction", "polarity", "expected"),
    [
        ("higher", "high", "better"),
        ("lower", "high", "worse"),
        ("higher", "low", "worse"),
        ("lower", "low", "better"),
        ("similar", "high", "similar"),
        ("similar", "low", "similar"),
        ("not compared", "high", "not compared"),
        ("higher", "none", "higher"),
        ("lower", "none", "lower"),
        ("similar", "none", "similar"),
    ],
)
def test_judge(direction: str, polarity: str, expected: str) -> None:
    assert judge(direction, polarity) == expected


def test_judge_rejects_unknown_words() -> None:
    with pytest.raises(ValueError):
        judge("higher", "good")
    with pytest.raises(ValueError):
        judge("better", "high")


# --- Pooled and mean values ----------------------------------------------------------------


def test_pooled_value_drops_incomplete_pairs() -> None:
    # Third area has no numerator: (10 + 20 + 5) / (100 + 300 + 100) = 35 / 500 = 0.07
    assert pooled_value([10, 20, None, 5], [100, 300, 50, 100]) == pytest.approx(0.07)


def test_pooled_differs_from_mean_for_unequal_sizes() -> None:
    # Pooled: (1 + 50) / (10 + 1000) = 51 / 1010 = 0.0504950; LAIT mean: (0.1 + 0.05) / 2 = 0.075
    assert pooled_value([1, 50], [10, 1000]) == pytest.approx(0.0504950, abs=1e-7)
    assert mean_value([0.1, 0.05]) == pytest.approx(0.075)


def test_mean_value_ignores_missing() -> None:
    assert mean_value([0.1, 0.3, math.nan, None, 0.2]) == pytest.approx(0.2)
    assert math.isnan(mean_value([None, math.nan]))
    assert math.isnan(mean_value([]))


def test_pooled_proportion_uses_wilson_on_summed_counts() -> None:
    value, lower, upper = pooled_proportion([10, 20, None, 5], [100, 300, 50, 100])
    assert value == pytest.approx(0.07)
    assert (lower, upper) == pytest.approx(wilson_ci(35, 500))
    assert all(math.isnan(v) for v in pooled_proportion([None], [None]))


def test_pooled_value_edge_cases() -> None:
    assert math.isnan(pooled_value([], []))
    assert math.isnan(pooled_value([0, 0], [0, 0]))
    with pytest.raises(ValueError):
        pooled_value([1, 2], [10])


# --- Funnel limits -------------------------------------------------------------------------


def test_exact_binomial_funnel_by_hand() -> None:
    # Binomial(10, 0.5): 1024 F(1) = 11, 1024 F(2) = 56, 1024 F(7) = 968, 1024 F(8) = 1013.
    # Lower, p = 0.025 (25.6/1024): r_p = 2, alpha = (56 - 25.6)/(56 - 11) = 0.675556,
    #   limit = (2 - 0.675556)/10 = 0.1324444
    # Upper, p = 0.975 (998.4/1024): r_p = 8, alpha = (1013 - 998.4)/(1013 - 968) = 0.324444,
    #   limit = (8 - 0.324444)/10 = 0.7675556
    limits = funnel_limits(0.5, [10], levels=(0.95,))
    assert list(limits.columns) == ["denominator", "lower_95", "upper_95"]
    assert limits.loc[0, "lower_95"] == pytest.approx(0.1324444, abs=1e-7)
    assert limits.loc[0, "upper_95"] == pytest.approx(0.7675556, abs=1e-7)


def test_funnel_multiplier_puts_limits_on_the_value_scale() -> None:
    limits = funnel_limits(50, [10], levels=(0.95,), multiplier=100)
    assert limits.loc[0, "lower_95"] == pytest.approx(13.24444, abs=1e-5)
    assert limits.loc[0, "upper_95"] == pytest.approx(76.75556, abs=1e-5)


def test_exact_funnel_tends_to_normal_for_large_denominators() -> None:
    # The interpolation spreads each count over (r - 1, r], so allow a couple of 1/n.
    n, theta = 1_000_000, 0.2
    limits = funnel_limits(theta, [n])
    for level, z in ((0.95, Z95), (0.998, Z998)):
        half = z * math.sqrt(theta * (1 - theta) / n)
        label = "95" if level == 0.95 else "99_8"
        assert limits.loc[0, f"lower_{label}"] == pytest.approx(theta - half, abs=2 / n)
        assert limits.loc[0, f"upper_{label}"] == pytest.approx(theta + half, abs=2 / n)


def test_ohid_proportion_funnel_by_hand() -> None:
    # theta = 0.2, n = 100: sqrt(0.2 * 0.8 / 100) = 0.04
    # 95%:   0.2 -/+ 1.959964 * 0.04 = 0.1216014, 0.2783986
    # 99.8%: 0.2 -/+ 3.090232 * 0.04 = 0.0763907, 0.3236093
    limits = funnel_limits(0.2, [100], method="ohid")
    assert list(limits.columns) == [
        "denominator",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
    ]
    row = limits.loc[0]
    assert (row["lower_95"], row["upper_95"]) == pytest.approx((0.1216014, 0.2783986), abs=1e-7)
    assert (row["lower_99_8"], row["upper_99_8"]) == pytest.approx((0.0763907, 0.3236093), abs=1e-7)


@pytest.mark.parametrize("n", [50, 400, 5000])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_ohid_proportion_funnel_is_where_wilson_touches_target(n: int, level: float) -> None:
    theta = 0.3
    label = "95" if level == 0.95 else "99_8"
    row = funnel_limits(theta, [n], levels=(level,), method="ohid").loc[0]
    # An area sitting exactly on a limit has a Wilson interval that just reaches the target.
    assert wilson_ci(row[f"upper_{label}"] * n, n, level)[0] == pytest.approx(theta, abs=1e-9)
    assert wilson_ci(row[f"lower_{label}"] * n, n, level)[1] == pytest.approx(theta, abs=1e-9)


def test_exact_poisson_funnel_by_hand() -> None:
    # Target 2 per 1,000 with denominator 1,000: expected count E = 2.
    # Poisson(2) CDF: F(4) = 0.947347, F(5) = 0.983436, F(0) = 0.135335.
    # Upper, p = 0.975: r_p = 5, alpha = (0.983436 - 0.975) / (0.983436 - 0.947347) = 0.233751,
    #   count limit 4.766249, i.e. 4.766249 per 1,000.
    # Lower, p = 0.025: r_p = 0, alpha = (0.135335 - 0.025) / 0.135335 = 0.815275,
    #   limit -0.815 clipped to 0.
    limits = funnel_limits(2, [1000], levels=(0.95,), kind="rate", multiplier=1000)
    assert limits.loc[0, "upper_95"] == pytest.approx(4.76625, abs=1e-4)
    assert limits.loc[0, "lower_95"] == 0.0


@pytest.mark.parametrize("n", [8_000, 20_000])
def test_ohid_rate_funnel_is_where_byar_interval_touches_target(n: int) -> None:
    # Expected counts 16 and 40: both have a lower limit (above 3.689 and 6.908, the upper
    # limits for 0 events), and for 16 it falls below 10 events, in the exact-Poisson branch.
    target, multiplier = 20.0, 10_000
    limits = funnel_limits(target, [n], kind="rate", method="ohid", multiplier=multiplier)
    for label, level in (("95", 0.95), ("99_8", 0.998)):
        upper_count = limits.loc[0, f"upper_{label}"] * n / multiplier
        lower_count = limits.loc[0, f"lower_{label}"] * n / multiplier
        assert rate_ci(upper_count, n, multiplier, level)[0] == pytest.approx(target, rel=1e-6)
        assert rate_ci(lower_count, n, multiplier, level)[1] == pytest.approx(target, rel=1e-6)


def test_ohid_rate_lower_limit_is_zero_when_no_count_can_be_significantly_low() -> None:
    # Expected count 2 < 3.689 (the 95% upper limit for 0 events): nobody can be "lower".
    limits = funnel_limits(2, [1000], levels=(0.95,), kind="rate", method="ohid", multiplier=1000)
    assert limits.loc[0, "lower_95"] == 0.0
    assert limits.loc[0, "upper_95"] > 2


def test_funnels_narrow_as_denominators_grow() -> None:
    for kind, target in (("proportion", 0.3), ("rate", 0.01)):
        for method in ("exact", "ohid"):
            limits = funnel_limits(target, [100, 1000, 10_000, 100_000], kind=kind, method=method)
            width = (limits["upper_99_8"] - limits["lower_99_8"]).to_numpy()
            assert np.all(np.diff(width) < 0), (kind, method)
            assert np.all(limits["lower_95"] >= limits["lower_99_8"])
            assert np.all(limits["upper_95"] <= limits["upper_99_8"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target_proportion": 1.2, "denominators": [10]},
        {"target_proportion": 0.0, "denominators": [10]},
        {"target_proportion": 0.3, "denominators": [0]},
        {"target_proportion": 0.3, "denominators": [10], "kind": "ratio"},
        {"target_proportion": 0.3, "denominators": [10], "method": "normal"},
        {"target_proportion": -1.0, "denominators": [10], "kind": "rate"},
    ],
)
def test_funnel_rejects_bad_inputs(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        funnel_limits(**kwargs)
