"""read_upload end to end: the table each kind returns, the checks across columns, and
linking across kinds."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from uploads.intake import Problem, UploadError, list_sheets, read_upload
from uploads.schemas import KINDS

TODAY = date(2025, 6, 1)
RETURNED = {
    "kpi_return": [
        "indicator",
        "period",
        "area_code",
        "area_level",
        "numerator",
        "denominator",
        "value",
        "target",
        "commentary",
    ],
    "ehc_tracker": [
        "child_id",
        "request_date",
        "decision_date",
        "decision",
        "issue_date",
        "exception",
        "primary_need",
        "age",
        "nc_year",
        "school_urn",
        "ward_code",
    ],
    "cohort": [
        "agency",
        "upn",
        "uln",
        "nhs_number",
        "local_id",
        "extract_date",
        "age",
        "nc_year",
        "sen_status",
        "primary_need",
        "school_urn",
        "ward_code",
        "child_in_need",
        "child_protection_plan",
        "looked_after",
        "known_to_yos",
        "elective_home_education",
        "missing_education",
        "neet",
        "sex",
        "permanently_excluded",
        "persistently_absent",
    ],
    "outcomes_return": [
        "child_id",
        "review_date",
        "age",
        "nc_year",
        "outcome",
        "domain",
        "progress_rating",
        "voice_question",
        "voice_answer",
    ],
    "survey": ["survey", "period", "question", "answer", "count", "area_code", "area_level"],
    "locality_lookup": ["ward_code", "ward_name", "locality", "locality_code", "locality_type"],
}
GOOD = {
    "kpi_return": (
        "indicator,period,area_code,area_level,numerator,denominator\n"
        "ehc_20wk_pct,Mar 2025,E08000032,LA,45,60\n"
    ),
    "ehc_tracker": "child_id,request_date\nH801200001001,02/09/2024\n",
    "cohort": "agency,local_id\nsocial care,CSC-1\n",
    "outcomes_return": "child_id,review_date,domain,progress_rating\nC1,14/11/2024,Independence,4\n",
    "survey": "survey,period,question,answer,count\nParent carers,2024-25,I feel listened to,Agree,41\n",
    "locality_lookup": "ward_code,locality\nE05001234,North\n",
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


def problems(csv: str, kind: str) -> list[Problem]:
    with pytest.raises(UploadError) as caught:
        read_upload(csv.encode(), "upload.csv", kind, today=TODAY)
    return caught.value.problems


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_returns_its_columns(kind: str) -> None:
    table = read_upload(GOOD[kind].encode(), "upload.csv", kind, today=TODAY)
    assert list(table.columns) == RETURNED[kind]
    assert len(table) == 1 and table.attrs["kind"] == kind


def test_types_of_the_returned_table() -> None:
    table = read_upload(GOOD["kpi_return"].encode(), "k.csv", "kpi_return", today=TODAY)
    assert table.loc[0, "period"] == "2025-03" and table.loc[0, "area_level"] == "la"
    assert table["numerator"].dtype == "float64" and str(table["indicator"].dtype).startswith("str")
    ehc = read_upload(GOOD["ehc_tracker"].encode(), "e.csv", "ehc_tracker", today=TODAY)
    assert str(ehc["request_date"].dtype) == "datetime64[us]" and ehc["exception"].dtype == bool
    assert ehc["age"].dtype == "Int64" and pd.isna(ehc.loc[0, "age"])
    assert len(ehc.loc[0, "child_id"]) == 32
    survey = read_upload(GOOD["survey"].encode(), "s.csv", "survey", today=TODAY)
    assert survey.loc[0, "period"] == "2024/25" and survey["count"].dtype == "Int64"
    outcomes = read_upload(
        GOOD["outcomes_return"].encode(), "o.csv", "outcomes_return", today=TODAY
    )
    assert outcomes.loc[0, "domain"] == "independent living"


def test_same_child_links_across_kinds_and_agencies() -> None:
    ehc = read_upload(GOOD["ehc_tracker"].encode(), "e.csv", "ehc_tracker", today=TODAY)
    cohort = read_upload(b"agency,upn\neducation,h801200001001\n", "c.csv", "cohort", today=TODAY)
    outcomes = read_upload(
        b"child_id,review_date,voice_question,voice_answer\nH801200001001,01/03/2025,Happy?,y\n",
        "o.csv",
        "outcomes_return",
        today=TODAY,
    )
    assert ehc.loc[0, "child_id"] == cohort.loc[0, "upn"] == outcomes.loc[0, "child_id"]


def test_ehc_dates_must_be_possible() -> None:
    csv = (
        "child_id,request_date,decision_date,decision,issue_date,date_of_birth\n"
        "C1,01/09/2024,01/08/2024,assess,01/10/2024,01/01/2015\n"
        "C2,01/09/2024,10/10/2024,not assess,01/12/2024,01/01/2025\n"
        "C3,01/09/2024,,assess,,01/01/1990\n"
        "C4,01/09/2024,10/10/2024,,,\n"
    )
    found = {
        (p.row, p.column, p.message.split(":")[0].split(";")[0])
        for p in problems(csv, "ehc_tracker")
    }
    assert found == {
        (2, "decision_date", "decision_date (01/08/2024) is before request_date (01/09/2024)"),
        (3, "issue_date", "A plan was issued but the decision is not 'assess'."),
        (3, "date_of_birth", "date_of_birth is after request_date."),
        (4, "decision_date", "decision is given but decision_date is blank."),
        (4, "date_of_birth", "The child would be 34 on request_date"),
        (5, "decision", "decision_date is given but decision is blank"),
    }


def test_one_row_per_assessment() -> None:
    csv = "child_id,request_date\nC1,01/09/2024\nC2,01/09/2024\nc1,01/09/2024\nC1,01/02/2025\n"
    [problem] = problems(csv, "ehc_tracker")
    assert (problem.row, problem.column) == (4, "child_id")
    assert "already appears in row 2" in problem.message and problem.value == "••"  # ids are masked


def test_missing_required_value_and_column() -> None:
    [problem] = problems("child_id,request_date\n,01/09/2024\n", "ehc_tracker")
    assert (problem.row, problem.column, problem.message) == (
        2,
        "child_id",
        "child_id is blank; it is required.",
    )
    [problem] = problems("child_id,decision\nC1,assess\n", "ehc_tracker")
    assert (
        problem.column == "request_date"
        and "Required column 'request_date' is missing" in problem.message
    )


def test_all_problems_at_once_never_stored_partly() -> None:
    csv = "child_id,request_date,primary_need,ward_code\nC1,31/02/2024,Dyslexia,E0512\nC2,x,ASD,E05001234\n"
    found = problems(csv, "ehc_tracker")
    assert [(p.row, p.column) for p in found] == [
        (2, "request_date"),
        (2, "primary_need"),
        (2, "ward_code"),
        (3, "request_date"),
    ]


def test_kpi_rules() -> None:
    csv = (
        "indicator,period,area_code,area_level,numerator,denominator,value\n"
        "a,2025-03,E08000032,la,70,60,\n"
        "a,2025-03,E08000032,la,,,50\n"
        "b,Q1,E05001234,ward,,,1\n"
        "c,2025-03,E0500123,ward,1,0,\n"
        "d,2025-03,999999,school,,,\n"
    )
    found = [(p.row, p.column, p.message) for p in problems(csv, "kpi_return")]
    assert (2, "numerator", "numerator is larger than denominator (60.0).") in found
    assert (
        3,
        "indicator",
        "The same indicator, period and area already appears in row 2.",
    ) in found
    assert any(r == 4 and c == "period" and "'Q1' is not a period" in m for r, c, m in found)
    assert (5, "area_code", "'E0500123' is not a ward code for area_level ward.") in found
    assert any(r == 5 and c == "denominator" for r, c, m in found)
    assert any(
        r == 6 and c == "area_code" and "No school with URN 999999" in m for r, c, m in found
    )
    assert any(r == 6 and c == "value" for r, c, m in found)


def test_survey_and_locality_rules() -> None:
    found = problems(
        "survey,period,question,answer,count,area_code\nS,2024,Q,A,-1,\nS,2024,Q,B,3,E05001234\n",
        "survey",
    )
    assert {(p.row, p.column) for p in found} == {(2, "count"), (3, "area_level")}
    [dup] = problems("ward_code,locality\nE05001234,North\nE05001234,South\n", "locality_lookup")
    assert dup.row == 3 and "a ward belongs to one locality" in dup.message


def test_outcome_rows_need_a_rating_or_a_voice() -> None:
    csv = (
        "child_id,review_date,domain,progress_rating,voice_question,voice_answer\n"
        "C1,01/03/2025,,,,\nC1,01/03/2025,health,,,\nC1,01/03/2025,,,Happy?,\nC1,01/03/2025,,,,maybe\n"
    )
    found = {(p.row, p.column) for p in problems(csv, "outcomes_return")}
    assert found == {
        (2, "progress_rating"),
        (3, "progress_rating"),
        (4, "voice_answer"),
        (5, "voice_answer"),
    }


def test_cohort_flags_and_ids() -> None:
    csv = (
        "agency,upn,nhs_number,date_of_birth,sen_status,looked_after,known_to_yos,extract_date\n"
        "education,H801200001001,9434765919,15/03/2015,K,yes,,31/03/2025\n"
    )
    table = read_upload(csv.encode(), "c.csv", "cohort", today=TODAY)
    row = table.iloc[0]
    assert (
        row["sen_status"] == "SEN support"
        and bool(row["looked_after"])
        and pd.isna(row["known_to_yos"])
    )
    assert (row["age"], row["nc_year"]) == (10, 5)  # on 31/03/2025: 10 years old, Year 5 in 2024/25


def test_workbook_sheets_and_choice() -> None:
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Read me"])
    for name in ("Jan", "Feb"):
        ws = wb.create_sheet(name)
        ws.append(["ward_code", "locality"])
        ws.append(["E05001234", name])
    hidden = wb.create_sheet("Old")
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert list_sheets(data, "w.xlsx") == ["Notes", "Jan", "Feb"]
    assert read_upload(data, "w.xlsx", "locality_lookup", sheet="Feb").loc[0, "locality"] == "Feb"
    with pytest.raises(UploadError, match="There is no sheet called 'Mar'"):
        read_upload(data, "w.xlsx", "locality_lookup", sheet="Mar")
    with pytest.raises(UploadError, match="Choose the sheet to read"):
        read_upload(data, "w.xlsx", "locality_lookup")
    del wb["Feb"]
    out = io.BytesIO()
    wb.save(out)
    assert (
        read_upload(out.getvalue(), "w.xlsx", "locality_lookup").loc[0, "locality"] == "Jan"
    )  # the only fit


def test_unknown_kind_and_list_sheets_errors() -> None:
    with pytest.raises(UploadError, match="Unknown kind of upload 'tribunals'"):
        read_upload(b"a\n1\n", "x.csv", "tribunals")
    with pytest.raises(UploadError, match="old Excel 97-2003"):
        list_sheets(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "x.xls")


def test_timings_are_reported() -> None:
    table = read_upload(GOOD["cohort"].encode(), "c.csv", "cohort", today=TODAY)
    assert set(table.attrs["timings"]) == {"read", "validate", "pseudonymise", "total"}
