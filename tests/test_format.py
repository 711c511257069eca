import math

import pandas as pd

import indicators as I
from reports.format import (
    as_text,
    csv_bytes,
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


def test_a_table_for_reading_says_why_a_figure_is_missing_and_rounds_by_unit():
    """Tables never show "None" or "nan": a gap gives the tidy status in words; figures are
    written by format_value in the indicator's unit, counts as whole numbers."""
    from reports.charts import wide_table
    from reports.format import WHY_MISSING, for_reading, with_reasons

    table = pd.DataFrame(
        {
            "Area": ["Bradford", None],
            "Value": [82.1429, None],
            "Numerator": [23.0, None],
            "Status": ["", "suppressed"],
        }
    )
    shown = for_reading(table, "%")
    assert shown["Value"].tolist() == [
        "82.1%",
        "suppressed by the publisher to protect small numbers",
    ]
    assert shown["Numerator"].tolist()[0] == "23"
    assert shown["Area"].tolist()[1] == "suppressed by the publisher to protect small numbers"
    assert not shown.isin(["None", "nan"]).any().any() and shown.notna().all().all()
    download = with_reasons(table)
    assert download["Value"].tolist()[0] == 82.1429  # numbers stay numbers in the CSV
    assert download[WHY_MISSING].tolist() == [
        "",
        "Value: suppressed by the publisher to protect small numbers; "
        "Numerator: suppressed by the publisher to protect small numbers",
    ]
    long = pd.DataFrame(
        {
            "period": ["2023", "2023", "2024", "2024"],
            "role": ["area", "England", "area", "England"],
            "name": ["Scilly", "England", "Scilly", "England"],
            "value": [61.5, 3.21, None, 3.456],
            "status": ["", "", "not_applicable", ""],
        }
    )
    wide = for_reading(wide_table(long), "rate per 10,000")
    assert wide["Scilly"].tolist() == ["61.5 per 10,000", "not collected for this year"]
    assert wide["England"].tolist() == ["3.2 per 10,000", "3.5 per 10,000"]
    assert for_reading(pd.DataFrame({"x": [1.0, None]}), None)["x"].tolist() == [
        "1",
        "not available",
    ]


def test_a_table_of_several_units_is_written_in_each_row_s_own_unit():
    """The benchmarking summary: one row an indicator, its unit in a column (Bradford's 88.9%
    of plans in 20 weeks in 2024, 7,493 plans in January 2025, a Progress 8 of -0.61)."""
    from reports.format import for_reading

    summary = pd.DataFrame(
        {
            "Indicator": ["Plans in 20 weeks", "EHC plans", "Progress 8"],
            "Period": ["2024", "2024/25", "2023/24"],
            "Unit": ["%", "count", "score"],
            "Value": [88.9, 7493.0, -0.6149],
            "England": [45.9, 638745.0, None],
            "Rank": [3.0, 150.0, None],
        }
    )
    shown = for_reading(summary, None)
    assert shown["Value"].tolist() == ["88.9%", "7,493", "-0.61"]
    assert shown["England"].tolist() == ["45.9%", "638,745", "not available"]
    assert shown["Rank"].tolist() == ["3", "150", "not available"]


def test_years_are_written_as_years_and_gaps_say_why_row_by_row():
    from reports.format import for_reading

    table = pd.DataFrame(
        {"Year": [2023, 2024], "Count of schools": [1250.0, None], "Share %": [12.345, None]}
    )
    why = pd.Series(["", "fewer than 30 pupils: too few for a reliable percentage"])
    shown = for_reading(table, "%", missing=why)
    assert shown["Year"].tolist() == ["2023", "2024"]  # not "2,023"
    assert shown["Count of schools"].tolist() == ["1,250", why[1]]
    assert shown["Share %"].tolist() == ["12.3%", why[1]]


def test_a_value_column_is_written_in_its_unit_even_when_every_figure_is_whole():
    """The Isles of Scilly's one school on the map: 10 of 250 pupils, 4%, not "4"."""
    from reports.format import for_reading

    table = pd.DataFrame({"Area": ["A school"], "Value": [4.0], "Numerator": [10.0]})
    shown = for_reading(table, "%")
    assert shown.iloc[0].tolist() == ["A school", "4.0%", "10"]


def test_a_csv_download_keeps_numbers_and_defuses_formulas():
    frame = pd.DataFrame({"Area": ["=HYPERLINK(1)", "Bradford"], "Value": [7493, 45.9]})
    assert csv_bytes(frame).decode("utf-8").splitlines() == [
        "Area,Value",
        "'=HYPERLINK(1),7493.0",
        "Bradford,45.9",
    ]
