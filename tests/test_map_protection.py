"""Disclosure control in the map table (``map_table``), with answers worked out by hand.

Defaults: counts 1 to 7 hidden, other counts rounded to the nearest 5 (half away from zero),
percentages greyed out below a denominator of 30.
"""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.mapping import map_table

NAN = np.nan


def count_rows(values, statuses=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "area_code": [f"W{i}" for i in range(n)],
            "value": values,
            "numerator": values,
            "denominator": [NAN] * n,
            "status": statuses or [""] * n,
        }
    )


def rate_rows(triples) -> pd.DataFrame:
    """(numerator, denominator, value) per area, codes A, B, C, ..."""
    num, den, value = zip(*triples)
    return pd.DataFrame(
        {
            "area_code": [chr(65 + i) for i in range(len(triples))],
            "value": value,
            "numerator": num,
            "denominator": den,
            "status": [""] * len(triples),
        }
    )


# --- Counts ---------------------------------------------------------------------------------------

TRUE_COUNTS = [0, 3, 7, 8, 12, 13, 250]


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    t, _, _ = map_table(
        count_rows(TRUE_COUNTS), {}, "count", protect=True, count_words=("requests", "")
    )
    return t.set_index("code")


def test_counts_hidden_or_rounded(counts):
    # 0 stays 0 (a true zero); 3 and 7 are 1 to 7: hidden; 8 -> 10, 12 -> 10 (12/5 = 2.4),
    # 13 -> 15 (13/5 = 2.6), 250 stays 250
    shown = counts["value"].tolist()
    assert [v for v in shown if not math.isnan(v)] == [0, 10, 10, 15, 250]
    assert math.isnan(shown[1]) and math.isnan(shown[2])


def test_hidden_counts_are_greyed_with_a_privacy_reason(counts):
    for code in ("W1", "W2"):  # true counts 3 and 7
        assert counts.loc[code, "greyed"]
        assert "fewer than 8 requests" in counts.loc[code, "greyed_reason"]
        assert "privacy" in counts.loc[code, "greyed_reason"]
    assert not counts.loc[["W0", "W3", "W4", "W5", "W6"], "greyed"].any()
    assert (counts.loc[["W0", "W3", "W6"], "greyed_reason"] == "").all()


def test_count_numerator_is_the_shown_value(counts):
    pd.testing.assert_series_equal(counts["numerator"], counts["value"], check_names=False)
    assert counts["denominator"].isna().all()


def test_rank_and_class_ignore_hidden_counts(counts):
    # shown, highest first: 250 -> 1st, 15 -> 2nd, 10 and 10 tie 3rd, 0 -> 5th
    assert counts.loc[["W6", "W5", "W3", "W4", "W0"], "rank"].tolist() == [1, 2, 3, 3, 5]
    assert counts.loc[["W1", "W2"], "rank"].isna().all()
    assert counts.loc[["W1", "W2"], "class"].tolist() == [-1, -1]
    assert (counts.loc[["W0", "W3", "W4", "W5", "W6"], "class"] >= 0).all()
    assert counts.loc["W6", "r"] == "1st of 5 areas"  # 5 areas ranked, not 7
    assert counts.loc["W1", "r"] == "not ranked"


def test_classes_built_from_shown_counts_only():
    _, classes, _ = map_table(count_rows([3, 10, 20]), {}, "count", protect=True)
    # 3 is hidden: the lowest class starts at 10, not 3
    assert classes.lower == 10
    assert max(classes.breaks) == 20


def test_not_available_count_is_greyed_as_no_data():
    t, _, _ = map_table(count_rows([12, NAN], ["", "not_available"]), {}, "count", protect=True)
    row = t.set_index("code").loc["W1"]
    assert row["greyed"] and row["greyed_reason"] == "no data: not available"
    assert math.isnan(row["value"]) and pd.isna(row["rank"])


def test_hidden_count_tooltip_never_shows_the_true_number(counts):
    for code, true in (("W1", 3), ("W2", 7)):
        texts = " ".join(counts.loc[code, ["v", "c", "r"]])
        assert str(true) not in texts


def test_hidden_count_tooltip_says_hidden(counts):
    assert "hidden" in counts.loc["W1", "c"]


def test_shown_count_tooltip_has_no_hidden_denominator(counts):
    assert counts.loc["W3", "c"] == "10"  # 8 rounded to 10


# --- Percentages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    rows = rate_rows([(5, 40, 12.5), (38, 40, 95.0), (20, 40, 50.0), (10, 25, 40.0)])
    t, _, _ = map_table(rows, {}, "%", protect=True, count_words=("plans on time", "plans issued"))
    return t.set_index("code")


def test_small_numerator_hides_count_and_rate(rates):
    a = rates.loc["A"]  # 5 of 40: 5 is 1 to 7
    assert math.isnan(a["numerator"]) and math.isnan(a["value"])
    # A greyed-out area shows no counts at all (its total would be a second small figure).
    assert math.isnan(a["denominator"])
    assert a["greyed"] and "fewer than 8 plans on time" in a["greyed_reason"]
    assert a["c"] == "not shown"


def test_small_remainder_hides_the_numerator_too(rates):
    b = rates.loc[
        "B"
    ]  # 38 of 40: the other 2 are hidden, so 38 is hidden too (40 - 38 would give 2)
    assert math.isnan(b["numerator"]) and math.isnan(b["value"])
    assert b["greyed"] and "privacy" in b["greyed_reason"]
    assert "38" not in b["c"] and "95" not in b["v"]
    assert "numerator suppressed so it cannot be worked out" in b["disclosure"]


def test_safe_rate_is_shown(rates):
    c = rates.loc["C"]  # 20 of 40: 20 and the other 20 both over 7 -> 50.0%
    assert c[["numerator", "denominator", "value"]].tolist() == [20, 40, 50.0]
    assert not c["greyed"] and c["v"] == "50.0%" and c["c"] == "20 of 40 plans issued"
    assert c["rank"] == 1 and c["r"].startswith("1st of 1 ")  # the only area ranked


def test_small_denominator_is_greyed(rates):
    d = rates.loc["D"]  # 10 of 25: 25 is under 30
    assert d["greyed"] and math.isnan(d["value"])
    assert d["greyed_reason"] == "fewer than 30 plans issued: too few for a reliable percentage"
    assert pd.isna(d["rank"])


def test_greyed_small_denominator_shows_no_counts_in_table_or_tooltip(rates):
    d = rates.loc["D"]  # 10 of 25: greyed for its small denominator
    assert math.isnan(d["numerator"]) and math.isnan(d["denominator"])
    texts = " ".join(d[["v", "c", "r"]])
    assert "10" not in texts and "25" not in texts and "40" not in texts
    assert d["c"] == "not shown"


def test_percentage_is_worked_out_from_the_rounded_counts():
    # 31 of 45 is shown as "30 of 45"; the true 68.9% would fit 31/45 alone. From the rounded
    # counts: 100 * 30 / 45 = 66.666... -> 66.7%.
    rows = rate_rows([(31, 45, 100 * 31 / 45), (12, 33, 100 * 12 / 33)])
    t, _, _ = map_table(rows, {}, "%", protect=True, count_words=("plans", "requests"))
    a, b = t.set_index("code").loc["A"], t.set_index("code").loc["B"]
    assert a[["numerator", "denominator"]].tolist() == [30, 45]
    assert a["value"] == pytest.approx(200 / 3) and a["v"] == "66.7%"
    # 12 of 33 -> 10 of 35 shown: 28.6%, not the true 36.4%.
    assert b["v"] == "28.6%" and b["c"] == "10 of 35 requests"
    assert a["rank"] == 1 and b["rank"] == 2


def test_rate_per_10000_is_worked_out_from_rounded_counts_at_its_own_scale():
    rows = rate_rows([(31, 4444, 10000 * 31 / 4444)])
    t, _, _ = map_table(rows, {}, "rate per 10,000", protect=True)
    assert t["value"].iloc[0] == pytest.approx(10000 * 30 / 4445)


def test_rate_without_counts_is_shown_as_uploaded():
    rows = rate_rows([(NAN, NAN, 62.5), (20, 40, 50.0)])
    t, _, _ = map_table(rows, {}, "%", protect=True)
    a = t.set_index("code").loc["A"]
    assert a["value"] == 62.5 and not a["greyed"] and a["greyed_reason"] == ""
    assert "shown as uploaded" in a["disclosure"]
    assert a["rank"] == 1  # 62.5 ranks above 50.0


# --- Published figures ----------------------------------------------------------------------------


def test_unprotected_counts_shown_exactly():
    t, _, _ = map_table(count_rows([3, 8, 12]), {}, "count", protect=False)
    assert t["value"].tolist() == [3, 8, 12]  # no hiding, no rounding
    assert not t["greyed"].any()
    assert (t["disclosure"] == "shown as published").all()


def test_unprotected_rates_shown_exactly():
    t, _, _ = map_table(rate_rows([(5, 40, 12.5), (10, 25, 40.0)]), {}, "%", protect=False)
    assert t["value"].tolist() == [12.5, 40.0]
    assert t["numerator"].tolist() == [5, 10] and t["denominator"].tolist() == [40, 25]
    assert not t["greyed"].any()
