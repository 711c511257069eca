"""Disclosure control worked by hand: NHS England's rule (1-7 suppressed, others rounded to
the nearest 5, zeros shown), secondary suppression, rates and small denominators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.disclosure import (
    apply_disclosure_control,
    apply_rate_suppression,
    min_denominator_flag,
)


def _values(series: pd.Series) -> list[float | None]:
    return [None if math.isnan(v) else v for v in series.astype(float)]


def test_counts_are_suppressed_from_1_to_7_and_others_rounded_to_5():
    table = pd.DataFrame({"area": ["a", "b", "c", "d"], "pupils": [0, 3, 12, 18]})
    out = apply_disclosure_control(table, ["pupils"])
    # 0 is a true zero, shown; 3 is hidden; 12 -> 10; 18 -> 20.
    assert _values(out["pupils"]) == [0, None, 10, 20]
    assert out["disclosure"].tolist() == [
        "counts rounded to the nearest 5",
        "pupils suppressed (1 to 7)",
        "counts rounded to the nearest 5",
        "counts rounded to the nearest 5",
    ]
    # A copy: the caller's table is untouched.
    assert table["pupils"].tolist() == [0, 3, 12, 18]


def test_threshold_edges_and_rounding_half_up():
    table = pd.DataFrame({"n": [1, 7, 8, 12.5, 22, 23, np.nan]})
    out = apply_disclosure_control(table, ["n"])
    # 8 is the first count shown (as 10); 12.5 rounds up to 15, 22 down to 20, 23 up to 25.
    assert _values(out["n"]) == [None, None, 10, 15, 20, 25, None]
    assert out["disclosure"].iloc[-1] == "no counts"


def test_thresholds_are_configurable():
    table = pd.DataFrame({"n": [3, 9, 10, 11, 27]})
    strict = apply_disclosure_control(table, ["n"], threshold=10, rounding=10)
    assert _values(strict["n"]) == [None, None, None, 10, 30]
    loose = apply_disclosure_control(table, ["n"], threshold=2, rounding=1)
    assert _values(loose["n"]) == [3, 9, 10, 11, 27]
    assert loose["disclosure"].tolist() == ["counts shown as they are"] * 5


def test_secondary_suppression_hides_the_next_smallest_count_in_the_row():
    # Pupils by SEN status in three wards; the row total (pupils on roll) is published.
    table = pd.DataFrame(
        {
            "ward": ["A", "B", "C", "D"],
            "ehc": [3, 2, 40, 0],
            "sen_support": [25, 6, 61, 4],
            "no_sen": [172, 150, 300, 90],
        }
    )
    out = apply_disclosure_control(table, ["ehc", "sen_support", "no_sen"])
    # A: EHC 3 hidden; alone, it would be 200 - 25 - 172, so the next smallest (25) goes too.
    assert _values(out.loc[0, ["ehc", "sen_support", "no_sen"]]) == [None, None, 170]
    assert out.loc[0, "disclosure"] == (
        "ehc suppressed (1 to 7); sen_support suppressed so it cannot be worked out from the "
        "total; other counts rounded to the nearest 5"
    )
    # B: two cells already hidden (2 and 6): nothing more to hide.
    assert _values(out.loc[1, ["ehc", "sen_support", "no_sen"]]) == [None, None, 150]
    assert "cannot be worked out" not in out.loc[1, "disclosure"]
    # C: nothing small; only rounded (61 -> 60, 40 and 300 unchanged).
    assert _values(out.loc[2, ["ehc", "sen_support", "no_sen"]]) == [40, 60, 300]
    # D: the zero is not chosen as the second cell (hiding it would protect nothing).
    assert _values(out.loc[3, ["ehc", "sen_support", "no_sen"]]) == [0, None, None]


def test_missing_columns_are_an_error():
    with pytest.raises(KeyError):
        apply_disclosure_control(pd.DataFrame({"a": [1]}), ["b"])


def test_rate_is_hidden_with_its_numerator_or_denominator():
    table = pd.DataFrame({"num": [3, 40, 12], "den": [200, 400, 5], "pct": [1.5, 10.0, 240.0]})
    safe = apply_disclosure_control(table, ["num", "den"])
    out = apply_rate_suppression(safe, "pct", "num", "den")
    # Row 0: numerator 3 hidden (and the denominator with it) -> rate hidden.
    # Row 1: both shown -> rate from the true counts, as published.
    # Row 2: denominator 5 hidden -> rate hidden.
    assert _values(out["pct"]) == [None, 10.0, None]


def test_min_denominator_greys_out_areas_with_a_reason():
    table = pd.DataFrame({"area": ["a", "b", "c", "d"], "den": [250, 29, 0, np.nan]})
    out = min_denominator_flag(table, "den", minimum=30, unit="pupils")
    assert out["greyed"].tolist() == [False, True, True, True]
    assert out["greyed_reason"].tolist() == [
        "",
        "fewer than 30 pupils: too few for a reliable percentage",
        "no pupils counted here",
        "no pupils counted here",
    ]


def test_exported_lazily_from_analysis():
    assert analysis.apply_disclosure_control is apply_disclosure_control


def test_a_small_number_rule_can_be_stricter_never_looser():
    from analysis.disclosure import SmallNumberRule

    strict = SmallNumberRule(threshold=10, rounding=10, min_denominator=50)
    assert "counts of 1 to 10 are hidden" in strict.describe() and "nearest 10" in strict.describe()
    assert "fewer than 50 pupils" in strict.describe("pupils")
    # 10 is hidden, 14 rounds to 10, 15 to 20 (halves away from zero), 0 is a true zero.
    assert [strict.count_in_words(n) for n in (0, 10, 14, 15)] == [
        "none",
        "fewer than 11",
        "about 10",
        "about 20",
    ]
    for loose in ({"threshold": 5}, {"rounding": 1}, {"min_denominator": 10}):
        with pytest.raises(ValueError, match="stricter"):
            SmallNumberRule(**loose)
