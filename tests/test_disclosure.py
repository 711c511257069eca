"""Disclosure control worked by hand: NHS England's rule (1-7 suppressed, others rounded to
the nearest 5, zeros shown), secondary suppression, rates and small denominators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.disclosure import (
    Shown,
    SmallNumberRule,
    apply_disclosure_control,
    apply_rate_suppression,
    feasible_range,
    min_denominator_flag,
    pinned_parts,
    protect_parts,
    protect_total,
    shown_as,
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


# --- Percentages beside rounded counts, and totals beside their parts -----------------------------

RULE = SmallNumberRule()


def test_rate_beside_rounded_counts_is_worked_out_from_them():
    # 31 of 45 is 68.9%, which fits only 31/45 among the counts that round to "30 of 45".
    table = pd.DataFrame({"num": [31], "den": [45], "pct": [100 * 31 / 45]})
    safe = apply_disclosure_control(table, ["num", "den"])
    out = apply_rate_suppression(safe, "pct", "num", "den")
    assert out["pct"].iloc[0] == pytest.approx(100 * 30 / 45)  # 66.7%, from what is shown


def test_shown_as_gives_the_true_counts_a_figure_stands_for():
    assert shown_as(0, RULE) == Shown(0, 0, False)
    assert shown_as(10, RULE) == Shown(8, 12, False)  # 7.5 rounds up: 8 to 12, never 1-7
    assert shown_as(30, RULE) == Shown(28, 32, False)  # 27.5 -> 30; 32.5 -> 35
    assert shown_as(None, RULE) == Shown(1, 7, True)
    assert shown_as(float("nan"), RULE, small=False) == Shown(8, None, True)


def test_a_hidden_part_pinned_by_a_total_is_found():
    # True 1, 8, 8 with a total of 17 are shown as hidden, 10, 10 and 15. The reader knows
    # the two parts are at least 8 each (16) and the total at most 17: the hidden one is 1.
    parts = [shown_as(None, RULE), shown_as(10, RULE), shown_as(10, RULE)]
    assert feasible_range(parts, shown_as(15, RULE), 0) == (1, 1)
    assert pinned_parts(parts, shown_as(15, RULE)) == [0]
    # True 7, 12, 12, 12 with a total of 43: shown hidden, 10, 10, 10 and 45 (43 to 47); the
    # parts are at most 36, so the hidden one is at least 7: pinned at 7.
    parts = [shown_as(None, RULE), *[shown_as(10, RULE)] * 3]
    assert feasible_range(parts, shown_as(45, RULE), 0) == (7, 7)
    # True 3, 12 with a total of 15: shown hidden, 10, 15: hidden is 13 - 12 = 1 to 17 - 8 = 9
    # -> 1 to 7, safe.
    parts = [shown_as(None, RULE), shown_as(10, RULE)]
    assert feasible_range(parts, shown_as(15, RULE), 0) == (1, 7)
    assert pinned_parts(parts, shown_as(15, RULE)) == []


def test_protect_total_withholds_a_total_that_would_pin_a_hidden_part():
    assert protect_total(17, [None, 10, 10], RULE) is None  # the 1, 8, 8 case above
    assert protect_total(43, [None, 10, 10, 10], RULE) is None  # the 7, 12, 12, 12 case
    assert protect_total(15, [None, 10], RULE) == 15  # 3 + 12: the hidden is 1 to 7
    assert protect_total(6, [None, 0], RULE) is None  # a small total is hidden anyway
    assert protect_total(0, [0, 0], RULE) == 0


def test_protect_parts_hides_another_part_when_a_fixed_total_pins_one():
    # The total (15, a tile elsewhere) stays; hiding one 10 as well opens the hidden part to
    # 1 up to 17 - 1 - 8 = 8 -> 1 to 7, when the table does not say why a part is hidden.
    assert protect_parts([None, 10.0, 10.0], 15.0, RULE) == [None, None, 10.0]
    assert protect_parts([None, 10.0], 15.0, RULE) == [None, 10.0]  # nothing pinned
    assert protect_parts([None, 10.0], None, RULE) == [None, 10.0]  # no total shown


def test_published_shares_resting_on_small_counts_are_hidden_for_a_room():
    """Isles of Scilly, January 2025 (SEN2): 1 of its 17 plans SEMH (5.9%), 9 autism (52.9%);
    a council with 11 of 40 (27.5%) keeps its share, its counts rounded to 10 and 40."""
    from analysis.disclosure import PROTECTED_STATUS, hidden_words, protect_published

    frame = pd.DataFrame(
        {
            "value": [5.9, 52.9, 27.5, 12.0, None],
            "numerator": [1.0, 9.0, 11.0, None, None],
            "denominator": [17.0, 17.0, 40.0, None, None],
            "ci_lower": [1.0, 31.0, 16.1, None, None],
            "status": ["", "", "", "", "suppressed"],
        }
    )
    out = protect_published(frame, "%")
    assert out["value"].isna().tolist() == [True, True, False, False, True]
    assert out["ci_lower"].isna().tolist() == [True, True, False, True, True]
    assert out.loc[2, ["value", "numerator", "denominator"]].tolist() == [27.5, 10.0, 40.0]
    assert out.loc[3, "value"] == 12.0  # no counts published: shown as published
    assert out["status"].tolist() == [PROTECTED_STATUS, PROTECTED_STATUS, "", "", "suppressed"]
    assert hidden_words(out).startswith("2 figures hidden to protect privacy")
    assert hidden_words(frame) == ""
    counts = protect_published(pd.DataFrame({"value": [3.0, 17.0, 0.0], "status": ""}), "count")
    assert counts["value"].tolist()[1:] == [15.0, 0.0] and pd.isna(counts["value"][0])
