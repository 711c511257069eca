"""Tests for analysis.ranking: polarity-aware rank, LAIT quartile bands and rank wording.

Expected ranks are worked out by hand and cross-checked with scipy.stats.rankdata
(method="min", the same tie rule as LAIT's R ``rank(ties.method = "min")``). Quartile cut
points are worked out by hand with the linear-interpolation rule of R's default
``quantile`` (type 7), which LAIT uses: the p-th quantile of sorted values v_0..v_{m-1} sits
at position h = p (m - 1), and is v_floor(h) + (h - floor(h)) (v_ceil(h) - v_floor(h)).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from analysis import format_rank, quartile_band, rank

# LAIT's own tie example (its testthat test "calculate_rank handles ties correctly"):
# values 10, 20, 20, 30, 40 with polarity High rank 5, 3, 3, 2, 1.
TIED = {"A": 10.0, "B": 20.0, "C": 20.0, "D": 30.0, "E": 40.0}


@pytest.mark.parametrize(("area", "expected"), [("E", 1), ("D", 2), ("B", 3), ("C", 3), ("A", 5)])
def test_rank_high_is_good_with_ties(area: str, expected: int) -> None:
    assert rank(TIED, area, "high") == (expected, 5)


@pytest.mark.parametrize(("area", "expected"), [("A", 1), ("B", 2), ("C", 2), ("D", 4), ("E", 5)])
def test_rank_low_is_good_with_ties(area: str, expected: int) -> None:
    assert rank(TIED, area, "low") == (expected, 5)


def test_rank_none_counts_from_the_highest() -> None:
    assert [rank(TIED, a, "none")[0] for a in "ABCDE"] == [5, 3, 3, 2, 1]


def test_rank_agrees_with_scipy_min_ranking() -> None:
    values = {f"LA{i}": v for i, v in enumerate([3.2, 7.5, 7.5, 1.0, 9.9, 3.2, 3.2, 0.4, 12.0])}
    codes, numbers = list(values), list(values.values())
    by_high = stats.rankdata([-v for v in numbers], method="min")
    by_low = stats.rankdata(numbers, method="min")
    for code, expected_high, expected_low in zip(codes, by_high, by_low):
        assert rank(values, code, "high") == (int(expected_high), 9)
        assert rank(values, code, "low") == (int(expected_low), 9)


def test_rank_skips_missing_values() -> None:
    # LAIT's missing-value example: 10, NA, 30, 20, NA ranked low-is-good gives 1, -, 3, 2, -.
    values = {"A": 10.0, "B": math.nan, "C": 30.0, "D": 20.0, "E": None}
    assert rank(values, "A", "low") == (1, 3)
    assert rank(values, "D", "low") == (2, 3)
    assert rank(values, "C", "low") == (3, 3)


def test_rank_accepts_a_pandas_series() -> None:
    series = pd.Series({"E06000001": 4.0, "E06000002": None, "E06000003": 9.0})
    assert rank(series, "E06000001", "high") == (2, 2)


def test_rank_raises_for_an_area_without_a_value() -> None:
    values = {"A": 1.0, "B": math.nan}
    with pytest.raises(ValueError, match="not among"):
        rank(values, "Z", "high")
    with pytest.raises(ValueError, match="no value"):
        rank(values, "B", "high")
    with pytest.raises(ValueError):
        rank(values, "A", "higher is better")


# Eight values 1..8: h = 0.25 * 7 = 1.75 -> Q1 = 2 + 0.75 * (3 - 2) = 2.75;
# h = 3.5 -> Q2 = 4.5; h = 5.25 -> Q3 = 6 + 0.25 * (7 - 6) = 6.25.
# So 1, 2 | 3, 4 | 5, 6 | 7, 8 fall in the four quarters from the bottom.
EIGHT = {f"LA{v}": float(v) for v in range(1, 9)}


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        (1, "A", "D"),
        (2, "A", "D"),
        (3, "B", "C"),
        (4, "B", "C"),
        (5, "C", "B"),
        (6, "C", "B"),
        (7, "D", "A"),
        (8, "D", "A"),
    ],
)
def test_quartile_bands_of_eight_values(value: int, low: str, high: str) -> None:
    assert quartile_band(EIGHT, f"LA{value}", "low") == low
    assert quartile_band(EIGHT, f"LA{value}", "high") == high
    # With no polarity the band counts from the highest value, like "high".
    assert quartile_band(EIGHT, f"LA{value}", "none") == high


def test_quartile_value_on_a_cut_point_joins_the_quarter_below() -> None:
    # Nine values 1..9: h = 2, 4, 6 exactly, so Q1 = 3, Q2 = 5, Q3 = 7 are data values.
    # LAIT bands (Q1, Q2] etc. are closed above: 3 is in the bottom quarter, 7 in the third.
    nine = {f"LA{v}": float(v) for v in range(1, 10)}
    assert [quartile_band(nine, f"LA{v}", "low") for v in range(1, 10)] == list("AAABBCCDD")
    assert [quartile_band(nine, f"LA{v}", "high") for v in range(1, 10)] == list("DDDCCBBAA")


def test_quartile_ignores_missing_values_in_cut_points() -> None:
    # Adding NaN and None areas must not move the cut points of the eight values.
    values = {**EIGHT, "gap1": math.nan, "gap2": None}
    assert quartile_band(values, "LA2", "low") == "A"
    assert quartile_band(values, "LA3", "low") == "B"
    assert quartile_band(values, "gap1", "low") is None
    assert quartile_band(values, "missing", "high") is None


def test_quartile_needs_four_values() -> None:
    assert quartile_band({"A": 1.0, "B": 2.0, "C": 3.0}, "A", "high") is None
    assert quartile_band({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}, "A", "high") == "D"


@pytest.mark.parametrize(
    ("position", "n", "expected"),
    [
        (7, 152, "7th of 152"),
        (1, 152, "1st of 152"),
        (2, 152, "2nd of 152"),
        (3, 152, "3rd of 152"),
        (4, 152, "4th of 152"),
        (11, 152, "11th of 152"),
        (12, 152, "12th of 152"),
        (13, 152, "13th of 152"),
        (21, 152, "21st of 152"),
        (22, 152, "22nd of 152"),
        (23, 152, "23rd of 152"),
        (101, 152, "101st of 152"),
        (111, 152, "111th of 152"),
        (112, 152, "112th of 152"),
        (152, 152, "152nd of 152"),
    ],
)
def test_format_rank(position: int, n: int, expected: str) -> None:
    assert format_rank(position, n) == expected


def test_format_rank_rejects_impossible_ranks() -> None:
    with pytest.raises(ValueError):
        format_rank(0, 152)
    with pytest.raises(ValueError):
        format_rank(153, 152)
