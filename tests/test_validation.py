"""Cell parsing and identifier checks, with worked examples of each check digit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from uploads import validation
from uploads.schemas import KINDS, canonical_period
from uploads.validation import (
    Cells,
    Issues,
    nhs_problems,
    parse_column,
    uln_problems,
    upn_problems,
)

EHC = KINDS["ehc_tracker"]
COHORT = KINDS["cohort"]


def parse(
    kind: str, column: str, cells: list[object]
) -> tuple[pd.Series, list[validation.Problem]]:
    issues = Issues("Data")
    index = pd.RangeIndex(2, 2 + len(cells))
    values = parse_column(
        KINDS[kind].column(column), Cells.of(np.array(cells, dtype=object), index), issues
    )
    return values, issues.problems()


def test_upn_worked_examples_from_the_dfe_guide() -> None:
    # H801200001001: 8*2 + 0*3 + 1*4 + 2*5 + 1*10 + 1*13 = 53 = 2*23 + 7 -> H (A=0 ... H=7).
    # G80120000101A (temporary, final A counts 0): 8*2 + 1*4 + 2*5 + 1*10 + 1*12 = 52 -> 6 -> G.
    # P207000016049: 2*2 + 7*4 + 1*9 + 6*10 + 4*12 + 9*13 = 266 = 11*23 + 13 -> P (I, O, S skipped).
    upns = pd.Series(
        [
            "H801200001001",
            "G80120000101A",
            "P207000016049",
            "Q207000016049",
            "H80120000100",
            "H80120000100S",
        ],
        dtype="string",
    )
    reasons = upn_problems(upns)
    assert reasons[:3].isna().all()
    assert "first letter should be P" in reasons[3]
    assert "not shaped like a UPN" in reasons[4]
    assert "not shaped like a UPN" in reasons[5]  # S is never a UPN character


def test_nhs_number_modulus_11() -> None:
    # 943 476 591: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2;
    # 11 - 2 = 9, so 9434765919 is valid and 9434765918 is not.
    # 000000006: remainder 6*2 % 11 = 1, 11 - 1 = 10, so no check digit can make it valid.
    numbers = pd.Series(
        ["9434765919", "9434765918", "0000000060", "943476591", "9434765911"], dtype="string"
    )
    reasons = nhs_problems(numbers)
    assert pd.isna(reasons[0])
    assert "fails its check digit (modulus 11)" in reasons[1]
    assert "fails its check digit" in reasons[2]
    assert "is not 10 digits" in reasons[3]
    assert "fails its check digit" in reasons[4]


def test_uln_check_digit() -> None:
    # 123456789: 1*10 + 2*9 + ... + 9*2 = 210; 210 % 11 = 1; 10 - 1 = 9, so 1234567899.
    ulns = pd.Series(["1234567899", "1234567890", "9999999999", "12345"], dtype="string")
    reasons = uln_problems(ulns)
    assert pd.isna(reasons[0]) and pd.isna(reasons[2])
    assert "ULN" not in reasons[1] and "check digit" in reasons[1]
    assert "is not 10 digits: a ULN" in reasons[3]


def test_identifier_problems_are_masked() -> None:
    values, _ = parse("cohort", "upn", ["Q207000016049"])
    from uploads.validation import check_identifier

    issues = Issues("Data")
    check_identifier(COHORT.column("upn"), values, issues)
    [problem] = issues.problems()
    assert problem.value == "Q2•••••••••49"
    assert "Q207000016049" not in problem.message
    assert problem.row == 2 and problem.column == "upn"


def test_dates_in_every_form_councils_send() -> None:
    cells = [
        dt.date(2024, 3, 15),
        dt.datetime(2024, 3, 15, 14, 30),
        45366.0,
        "45366",
        "15/03/2024",
        "2024-03-15",
        "15 March 2024",
        "15-Mar-24",
        "15.03.2024",
        "1/3/2024",
        "",
    ]
    values, problems = parse("ehc_tracker", "request_date", cells)
    assert problems == []
    assert list(values[:9]) == [pd.Timestamp("2024-03-15")] * 9
    assert values.iloc[9] == pd.Timestamp("2024-03-01")  # day first, always
    assert pd.isna(values.iloc[10])
    assert str(values.dtype) == "datetime64[us]"


def test_month_first_and_impossible_dates_are_refused() -> None:
    _, problems = parse(
        "ehc_tracker", "request_date", ["03/15/2024", "31/02/2024", "=TODAY()", "01/01/1850"]
    )
    messages = [p.message for p in problems]
    assert "'03/15/2024' is not a date SEND Lens understands" in messages[0]
    assert "'31/02/2024' is not a date" in messages[1]
    assert "holds a formula" in messages[2]
    assert "not a plausible date" in messages[3]
    assert [p.row for p in problems] == [2, 3, 4, 5]


def test_date_of_birth_is_never_repeated_back() -> None:
    _, problems = parse("ehc_tracker", "date_of_birth", ["31/02/2015"])
    assert problems[0].value == "(hidden)"
    assert "31/02/2015" not in problems[0].message


def test_numbers_stored_as_text() -> None:
    values, problems = parse(
        "kpi_return", "numerator", ["1,234", " 56 ", "£1,000", "45%", 12.0, "twelve", "-3"]
    )
    assert list(values[:5]) == [1234.0, 56.0, 1000.0, 45.0, 12.0]
    assert [(p.row, p.message) for p in problems] == [
        (7, "'twelve' is not a number."),
        (8, "'-3' is out of range: numerator must not be below 0."),
    ]


def test_whole_numbers_and_ranges() -> None:
    values, problems = parse("outcomes_return", "progress_rating", [3, "4", 2.5, 6])
    assert values.dtype == "Int64" and list(values[:2]) == [3, 4]
    assert "'2.5' is not a whole number." in problems[0].message
    assert "must be between 1 and 5" in problems[1].message


def test_choices_accept_codes_names_and_aliases() -> None:
    values, problems = parse(
        "ehc_tracker",
        "primary_need",
        [
            "ASD",
            "asd",
            "Autistic spectrum disorder",
            "SEMH - Social, emotional and mental health",
            "Social, Emotional and Mental Health",
            "no specialist assessment",
            "Dyslexia",
        ],
    )
    assert list(values[:6]) == ["ASD", "ASD", "ASD", "SEMH", "SEMH", "NSA"]
    assert problems[0].row == 8 and "'Dyslexia' is not an allowed value" in problems[0].message


def test_yes_no_columns_become_booleans() -> None:
    exception, _ = parse("ehc_tracker", "exception", ["yes", "N", True, ""])
    assert exception.dtype == bool and list(exception) == [
        True,
        False,
        True,
        False,
    ]  # blank means no
    flag, _ = parse("cohort", "looked_after", ["y", "no", ""])
    assert str(flag.dtype) == "boolean" and pd.isna(flag.iloc[2])  # blank: not recorded


def test_codes_stay_text() -> None:
    urns, problems = parse(
        "ehc_tracker", "school_urn", [100000.0, "100001", " 100002 ", "12345", "=1"]
    )
    assert list(urns[:3]) == ["100000", "100001", "100002"]
    assert "'12345' is not a valid school_urn: a school URN has 6 digits" in problems[0].message
    assert "holds a formula" in problems[1].message
    wards, problems = parse("ehc_tracker", "ward_code", ["e05001234", "E05 001234", "E0500123"])
    assert list(wards[:2]) == ["E05001234", "E05001234"] and problems[0].row == 4


def test_free_text_that_looks_like_a_formula_is_neutralised() -> None:
    values, problems = parse(
        "kpi_return", "commentary", ['=HYPERLINK("x")', "+1", "@SUM(A1)", "-ve", "fine"]
    )
    assert problems == []
    assert list(values) == ['\'=HYPERLINK("x")', "'+1", "'@SUM(A1)", "'-ve", "fine"]


def test_periods() -> None:
    cases = {
        "2024": "2024",
        "2024/25": "2024/25",
        "2024-25": "2024/25",
        "2024/2025": "2024/25",
        "2025-03": "2025-03",
        "March 2025": "2025-03",
        "Mar-25": "2025-03",
        "01/03/2025": "2025-03",
        "2011-12": "2011-12",
        "Q1": None,
        "2024/26": None,
    }
    assert {k: canonical_period(k) for k in cases} == cases


def test_problems_are_capped_with_a_count() -> None:
    issues = Issues("Data")
    mask = pd.Series(True, index=pd.RangeIndex(2, 3002))
    issues.add(mask, "count", "x", "bad")
    problems = issues.problems()
    assert len(problems) == validation.MAX_PROBLEMS + 1
    assert "and 2,000 more problems" in problems[-1].message


def test_cells_parse_each_distinct_value_once() -> None:
    cells = Cells.of(np.array(["a", "b", "a", "", None], dtype=object), pd.RangeIndex(2, 7))
    assert len(cells.uniques) == 3  # None is an empty cell, the same as ""
    assert list(cells.blank()) == [False, False, False, True, True]


def test_known_urns_include_schools_closed_since_the_census() -> None:
    register = validation.known_urns()
    assert register is not None and "100000" in register and len(register) > 20000


@pytest.mark.parametrize("value", ["E05001234"])
def test_area_patterns_have_no_python_only_regex(value: str) -> None:
    """\\s and \\d would send pandas back to row-by-row Python regex (see schemas.py)."""
    from uploads import schemas

    for pattern in (schemas.GSS_WARD, schemas.URN, schemas.SPACES, *schemas.AREA_PATTERNS.values()):
        assert "\\s" not in pattern and "\\d" not in pattern
    assert pd.Series([value], dtype="string").str.fullmatch(schemas.GSS_WARD).all()
