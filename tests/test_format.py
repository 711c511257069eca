import math

import pandas as pd

import indicators as I
from reports.format import (
    as_text,
    describe_period,
    escape_for_spreadsheet,
    format_change,
    format_value,
)


def test_values_read_as_people_write_them():
    assert format_value(638745.0, "count") == "638,745"
    assert format_value(45.94, "%") == "45.9%"
    assert format_value(383.456, "rate per 10,000") == "383.5 per 10,000"
    assert format_value(383.456, "rate per 10,000", short=True) == "383.5"
    assert format_value(None, "%") == "not available"
    assert format_value(math.nan, "count") == "not available"


def test_a_missing_value_says_why():
    # Issue 13 finding 7: the tidy status, not "not available" whatever the reason.
    assert format_value(None, "%", status="suppressed") == (
        "suppressed by the publisher to protect small numbers"
    )
    assert format_value(math.nan, "count", status="not_applicable") == (
        "not collected for this year"
    )
    assert format_value(None, "%", status="low") == "below 0.5, published only as 'low'"
    assert format_value(None, "count", status="not_available") == "not available"
    reason = "642 is more than ten times 59 in 2022"
    assert format_value(None, "count", status="publisher_error", reason=reason) == (
        "set aside: publisher error (642 is more than ten times 59 in 2022)"
    )
    assert format_value(None, "count", status="publisher_error") == "set aside: publisher error"
    # A value that is there is shown whatever its status says.
    assert format_value(12.0, "count", status="suppressed") == "12"


def test_a_table_for_reading_never_shows_none():
    frame = pd.DataFrame(
        {
            "Indicator": ["EHC plans", "Within 20 weeks"],
            "Unit": ["count", "%"],
            "Period": ["2024/25", None],
            "Bradford": [5486.0, None],
            "Change": [120.0, math.nan],
        }
    )
    out = as_text(frame, ["Bradford"], ("Change",))
    assert out["Bradford"].tolist() == ["5,486", "not available"]
    assert out["Change"].tolist() == ["+120", "not available"]
    assert out["Period"].tolist() == ["2024/25", "not available"]
    assert not out.isin(["None", "nan"]).any().any() and out.notna().all().all()


def test_changes_are_signed_and_percentages_are_points():
    assert format_change(17.5, "%") == "+17.5 points"
    assert format_change(-2.1, "%") == "-2.1 points"
    assert format_change(1019.0, "count") == "+1,019"
    assert format_change(None, "%") is None


def test_periods_in_words():
    assert describe_period("2024/25", I.get("ehc_plans")) == "January 2025"
    assert describe_period("2024", I.get("ehc_20wk_pct")) == "2024"
    assert describe_period("2023/24", I.get("ks2_rwm_ehc")) == "academic year 2023/24"
    assert describe_period("2023/24", I.get("sen_unit_cost")) == "financial year 2023/24"
    assert describe_period("2025-03", I.get("ehc_20wk_pct")) == "March 2025"


def test_spreadsheet_exports_cannot_run_formulas():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "plain", None],
            "number": [1, -2, 3, 4, 5, 6],
        }
    )
    out = escape_for_spreadsheet(frame)
    assert out["text"].tolist()[:5] == ['\'=HYPERLINK("x")', "'+1", "'-1", "'@SUM(A1)", "plain"]
    assert out["number"].tolist() == [1, -2, 3, 4, 5, 6]  # numbers are left as numbers
    assert frame["text"].iloc[0].startswith("=")  # the input is not changed
