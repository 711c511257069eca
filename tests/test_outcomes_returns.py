"""Framework returns: each framework's template, filled in, reads back; ratings and answers
are checked against the framework with row and column; ids hash as every other upload's."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.conftest import ROOT
from uploads import keys, pseudonymise
from uploads.frameworks import shipped_frameworks
from uploads.intake import read_upload
from uploads.outcomes_returns import (
    OUTPUT_COLUMNS,
    read_returns,
    returns_schema,
    template_xlsx,
)
from uploads.readers import UploadError

TODAY = date(2025, 6, 1)
FRAMEWORKS = shipped_frameworks()


def _filled(fw_id: str, rows: list[dict[str, object]]) -> bytes:
    """The framework's template with ``rows`` typed in under the example row, by heading."""
    book = load_workbook(io.BytesIO(template_xlsx(FRAMEWORKS[fw_id])))
    sheet = book["Data"]
    headings = [c.value for c in sheet[1]]
    for i, row in enumerate(rows, start=3):
        for name, value in row.items():
            sheet.cell(row=i, column=headings.index(name) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BASE = {
    "child_id": "C1",
    "review_date": datetime(2024, 11, 14),
    "date_of_birth": datetime(2012, 1, 1),
    "primary_need": "Autism",
    "sen_provision": "EHCP",
    "school_urn": "100000",
    "ward_code": "e05001234",
}


def test_template_has_instructions_the_framework_and_drop_downs():
    fw = FRAMEWORKS["middlesbrough"]
    book = load_workbook(io.BytesIO(template_xlsx(fw)))
    assert book.sheetnames == ["Instructions", "Framework", "Data", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    lists = {c[0].value: [x.value for x in c[1:] if x.value] for c in book["Lists"].iter_cols()}
    assert lists["progress_rating"] == [lv.label for lv in fw.scale.levels]
    assert lists["outcome"] == [o.statement for o in fw.outcomes]
    assert lists["agency"] == ["Education", "Health", "Social care"]
    framework_text = " ".join(
        str(c.value) for row in book["Framework"].iter_rows() for c in row if c.value
    )
    assert "Regressed" in framework_text and "achieved or exceeded" in framework_text


def test_middlesbrough_template_round_trip():
    data = _filled(
        "middlesbrough",
        [
            {
                **BASE,
                "outcome": "Develop independence skills",
                "agency": "health",
                "progress_rating": 5,
                "pathway": "employment;INDEPENDENCE",
            },
            {
                **BASE,
                "outcome": "friends",
                "agency": "Education",
                "progress_rating": "working towards expected outcome good progress",
            },
        ],
    )
    frame = read_returns(data, "mb.xlsx", FRAMEWORKS["middlesbrough"], today=TODAY)
    assert list(frame.columns) == OUTPUT_COLUMNS and len(frame) == 2  # the example row is skipped
    assert frame["outcome"].tolist() == ["independence_skills", "friends"]
    assert frame["domain"].tolist() == [
        "independent living",
        "friends, relationships and community",
    ]
    assert frame["agency"].tolist() == ["Health", "Education"]
    assert frame["progress_rating"].tolist() == [
        5,
        4,
    ]  # a number or the label without its full stop
    assert frame["pathway"].tolist()[0] == "Employment; Independence"
    assert frame[["framework", "period", "age", "nc_year"]].iloc[0].tolist() == [
        "middlesbrough",
        "2024/25",
        12,
        8,
    ]
    assert frame[["primary_need", "sen_provision", "ward_code"]].iloc[0].tolist() == [
        "ASD",
        "EHC plan",
        "E05001234",
    ]
    assert "date_of_birth" not in frame.columns


def test_bradford_template_round_trip_with_answers_in_any_case():
    data = _filled(
        "bradford",
        [
            {**BASE, "voice_question": "I feel safe.", "voice_answer": "most of the time"},
            {**BASE, "voice_question": "ehcp_supports", "voice_answer": "OTHER"},
        ],
    )
    frame = read_returns(data, "b.xlsx", FRAMEWORKS["bradford"], today=TODAY)
    assert frame["voice_question"].tolist() == ["feel_safe", "ehcp_supports"]
    assert frame["voice_answer"].tolist() == ["Most of the time", "Other"]
    assert frame["domain"].tolist() == [
        "good health",
        "good health",
    ]  # both evidence "I feel supported and safe"
    assert "progress_rating" not in [c.name for c in returns_schema(FRAMEWORKS["bradford"]).columns]


def test_national_template_round_trip():
    data = _filled(
        "national",
        [
            {
                **BASE,
                "outcome": "CYP with SEND are safe from harm",
                "progress_rating": "Outcome achieved",
            },
            {**BASE, "voice_question": "information", "voice_answer": "dont know"},
        ],
    )
    frame = read_returns(data, "n.xlsx", FRAMEWORKS["national"], today=TODAY)
    assert frame[["outcome", "progress_rating"]].iloc[0].tolist() == ["safe_from_harm", 5]
    assert frame["voice_answer"].iloc[1] == "Don't know"


def test_child_ids_hash_exactly_as_other_uploads_do():
    data = _filled(
        "national",
        [{**BASE, "child_id": "h801 2000 01001", "outcome": "mainstream", "progress_rating": 3}],
    )
    ours = read_returns(data, "n.xlsx", FRAMEWORKS["national"], today=TODAY)["child_id"].iloc[0]
    generic = (
        b"child_id,review_date,outcome,domain,progress_rating\n"
        b"H801200001001,14/11/2024,Travel,independent living,3\n"
    )
    theirs = read_upload(generic, "g.csv", "outcomes_return", today=TODAY)["child_id"].iloc[0]
    cohort = read_upload(b"agency,upn\neducation,H801200001001\n", "c.csv", "cohort", today=TODAY)[
        "upn"
    ].iloc[0]
    assert (
        ours
        == theirs
        == cohort
        == pseudonymise.pseudonymise_ids(pd.Series(["H801200001001"]), keys.load_key()).iloc[0]
    )
    assert "H801" not in ours


def _problems(fw_id: str, csv: str) -> list:
    with pytest.raises(UploadError) as err:
        read_returns(csv.encode(), "r.csv", FRAMEWORKS[fw_id], today=TODAY)
    return err.value.problems


def test_a_bad_rating_names_its_row_and_column():
    problems = _problems(
        "middlesbrough",
        "child_id,review_date,outcome,agency,progress_rating\n"
        "C1,14/11/2024,Be relaxed and happy,Education,6\n"
        "C2,14/11/2024,Be relaxed and happy,Education,9\n",
    )
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "progress_rating", "9")]
    assert "not an allowed value" in problems[0].message and "Regressed" in problems[0].message


def test_an_answer_must_belong_to_its_question():
    problems = _problems(
        "bradford",
        "child_id,review_date,voice_question,voice_answer\n"
        "C1,14/11/2024,I feel safe.,Most of the time\n"
        "C1,14/11/2024,ehcp_supports,Most of the time\n"
        "C2,14/11/2024,feel_safe,Maybe\n",
    )
    assert [(p.row, p.column) for p in problems] == [(3, "voice_answer"), (4, "voice_answer")]
    assert "Use one of: Yes, No, Other" in problems[0].message
    assert "not an allowed value" in problems[1].message


def test_rows_must_be_complete_unique_and_on_known_pathways():
    problems = _problems(
        "middlesbrough",
        "child_id,review_date,outcome,agency,progress_rating,pathway\n"
        "C1,14/11/2024,Be relaxed and happy,Education,,\n"
        "C1,14/11/2024,,Health,3,\n"
        "C2,14/11/2024,Happy with life at home,Health,3,Employment\n"
        "C2,14/11/2024,Happy with life at home,Health,2,\n"
        "C3,14/11/2024,Happy with life at home,,2,Flying\n"
        "C4,14/11/2024,,,,\n",
    )
    found = {(p.row, p.column) for p in problems}
    assert found == {
        (2, "progress_rating"),
        (3, "outcome"),
        (5, "child_id"),
        (6, "pathway"),
        (7, "child_id"),
    }
    assert any("already appears in row 4" in p.message for p in problems)


def test_example_returns_read_without_problems_and_are_pseudonymised():
    for fw_id, fw in FRAMEWORKS.items():
        path = ROOT / f"data/demo/demo_outcomes_{fw_id}.csv"
        lines = path.read_text().splitlines()
        assert lines[0].startswith("Example data (synthetic)")  # labelled in the file itself
        frame = read_returns(path.read_bytes(), path.name, fw)
        assert len(frame) == len(lines) - 2  # every row but the title and the headings
        assert not frame["child_id"].str.startswith("DEMO").any()
        assert frame["period"].nunique() == 3
