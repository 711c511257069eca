import numpy as np
import pandas as pd
import pytest

import tidy


# "str" is what the CSV readers give, "object" what a spreadsheet gives (turned into text
# first): both must read alike.
@pytest.mark.parametrize("dtype", ["str", "object"])
def test_symbols_become_missing_with_status_never_zero(dtype):
    raw = pd.Series(
        ["12", "c", "x", "z", "low", "k", "u", ":", "~", "1,234", " 7 ", "45.9%", None, "abc"],
        dtype=dtype,
    )
    values, status = tidy.parse_numbers(raw)
    assert values[0] == 12.0
    assert np.isnan(values[1:9]).all()
    assert status.tolist()[1:9] == [
        "suppressed",
        "not_available",
        "not_applicable",
        "low",
        "low",
        "not_available",
        "not_available",
        "low",
    ]
    assert values[9] == 1234.0 and values[10] == 7.0 and values[11] == 45.9
    assert status[0] == "" and status[9] == "" and status[11] == ""
    assert np.isnan(values[12]) and status[12] == "not_available"
    assert np.isnan(values[13]) and status[13] == "not_available"
    assert (values.fillna(-1) != 0).all(), "no symbol may be read as zero"
    assert values.dtype == "float64" and status.dtype == "string"


def test_parse_number_arrays_repeated_symbols_each_keep_their_own_status():
    # Each distinct text is cleaned once and given back to every cell that has it.
    raw = pd.Series(["c", "1,234", "c", " x ", None, "12%", "c", "x", None, "k"], dtype="str")
    values, status = tidy.parse_number_arrays(raw)
    assert values.dtype == "float64" and status.dtype == object
    assert values[1] == 1234.0 and values[5] == 12.0
    assert np.isnan(np.delete(values, [1, 5])).all()
    assert status.tolist() == [
        "suppressed",
        "",
        "suppressed",
        "not_available",
        "not_available",
        "",
        "suppressed",
        "not_available",
        "not_available",
        "low",
    ]
    series_values, series_status = tidy.parse_numbers(raw)
    assert np.array_equal(series_values.to_numpy(), values, equal_nan=True)
    assert series_status.tolist() == status.tolist()


@pytest.mark.parametrize(
    "period, ident, expected",
    [
        ("202425", "Academic year", "2024/25"),
        ("201920", "Financial year", "2019/20"),
        ("199900", "Academic year", "1999/00"),
        ("2024", "Calendar year", "2024"),
        ("2025", "March", "2025-03"),
    ],
)
def test_canonical_period(period, ident, expected):
    assert tidy.canonical_period(period, ident) == expected


def test_canonical_period_rejects_nonsense():
    with pytest.raises(ValueError):
        tidy.canonical_period("202426", "Academic year")
    with pytest.raises(ValueError):
        tidy.canonical_period("Q1 2024", "")


def test_period_order():
    periods = ["2024", "2023/24", "2023", "2022/23", "2024-03"]
    assert sorted(periods, key=tidy.period_sort_key) == [
        "2022/23",
        "2023",
        "2023/24",
        "2024",
        "2024-03",
    ]


def test_period_order_per_row_keeps_the_index_and_reads_categoricals():
    # year * 100 + part: 2023/24 -> (2023, 6), 2024 -> (2024, 0), 2024-03 -> (2024, 2).
    periods = pd.Series(["2024", "2023/24", "2024", "2024-03"], index=[5, 7, 9, 11])
    expected = [202400, 202306, 202400, 202402]
    order = tidy.period_order(periods)
    assert list(order) == expected and list(order.index) == [5, 7, 9, 11]
    assert order.dtype == "int64"
    assert list(tidy.period_order(periods.astype("category"))) == expected


def test_validate_finds_duplicates_missing_status_and_bad_levels():
    frame = tidy.tidy_frame(
        indicator="x",
        area_code=pd.Series(["E92000001", "E92000001"]),
        area_level="national",
        period="2024",
        value=pd.Series([1.0, 2.0]),
    )
    assert any("share a key" in p for p in tidy.validate(frame))
    frame2 = frame.copy()
    frame2.loc[0, "area_level"] = "galaxy"
    frame2.loc[1, "period"] = "2024"
    assert any("unknown area levels" in p for p in tidy.validate(frame2))
    frame3 = tidy.normalise(frame.iloc[:1].assign(value=np.nan, status=""))
    assert any("no status" in p for p in tidy.validate(frame3))


def test_tidy_frame_marks_missing_values():
    frame = tidy.tidy_frame(
        indicator="x",
        area_code=pd.Series(["E92000001"]),
        area_level="national",
        period="2024",
        value=pd.Series([np.nan]),
    )
    assert frame["status"].tolist() == ["not_available"]
    assert list(frame.columns) == tidy.TIDY_COLUMNS
