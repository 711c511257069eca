"""Every template is a usable workbook, and a filled-in template reads back."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from uploads.intake import UploadError, read_upload
from uploads.schemas import KINDS
from uploads.templates import choice_labels, template_xlsx

TODAY = date(2025, 6, 1)
FLAGS = ["no", "yes", "no", "no", "no", "no", "no"]
ROWS: dict[str, list[list[object]]] = {
    "kpi_return": [
        ["ehc_20wk_pct", "2025-03", "E08000032", "la", 45, 60, 75, 80, "Improving"],
        ["ehc_20wk_pct", "2025-03", "E05001234", "Ward", None, None, 61.5, None, None],
    ],
    "ehc_tracker": [
        [
            "H801200001001",
            date(2024, 9, 2),
            date(2024, 10, 10),
            "assess",
            date(2025, 1, 13),
            "no",
            "ASD - Autistic spectrum disorder",
            date(2015, 3, 15),
            "100000",
            "E05001234",
        ],
        ["LOCAL-2", date(2024, 9, 3), None, None, None, None, "SEMH", None, None, None],
    ],
    "cohort": [
        [
            "education",
            "H801200001001",
            "1234567899",
            "9434765919",
            "ED-1",
            date(2025, 3, 31),
            date(2015, 3, 15),
            "EHC plan",
            "ASD",
            "100000",
            "E05001234",
            *FLAGS,
        ],
        ["social care", None, None, None, "CSC-1", None, None, "none", None, None, None, *FLAGS],
    ],
    "outcomes_return": [
        [
            "C1",
            date(2024, 11, 14),
            date(2012, 1, 1),
            "Travel to college",
            "independent living",
            3,
            None,
            None,
        ],
        ["C1", date(2024, 11, 14), None, None, None, None, "Do you feel listened to?", "sometimes"],
    ],
    "survey": [
        ["Parent carer survey", "2024/25", "I feel listened to", "Agree", 41, None, None],
        [
            "Parent carer survey",
            "2024/25",
            "I feel listened to",
            "Disagree",
            12,
            "E05001234",
            "ward",
        ],
    ],
    "locality_lookup": [
        ["E05001234", "City", "North", "N", "family hub"],
        ["E05001235", "Quay", "South", "S", "family hub"],
    ],
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_structure(kind: str) -> None:
    schema = KINDS[kind]
    wb = load_workbook(io.BytesIO(template_xlsx(kind)))
    # A KPI return also lists the valid KPI ids (tests/test_kpi_ranges.py checks the sheet).
    ids = ["KPI ids"] if kind == "kpi_return" else []
    assert wb.sheetnames == ["Instructions", "Data", *ids, "Lists"]
    assert wb["Lists"].sheet_state == "hidden" and wb.active.title == "Data"
    data = wb["Data"]
    assert [c.value for c in data[1]] == schema.names
    assert all(c.font.bold for c in data[1]) and data.freeze_panes == "A2"
    marks = [
        data.cell(row=2, column=schema.names.index(c) + 1).value for c in schema.example_columns
    ]
    assert any(str(m).startswith("EXAMPLE") for m in marks) and data["A2"].comment is not None
    choices = [c for c in schema.columns if c.type == "choice"]
    assert len(data.data_validations.dataValidation) == len(choices)
    lists = wb["Lists"]
    for j, col in enumerate(choices, start=1):
        assert [
            lists.cell(row=i, column=j).value for i in range(2, len(col.allowed) + 2)
        ] == choice_labels(col)
    text = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row if c.value)
    assert "Never include names, addresses, postcodes" in text
    for col in schema.columns:
        assert col.name in text and col.help[:30] in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_untouched_template_has_no_rows(kind: str) -> None:
    with pytest.raises(UploadError, match="the example row is ignored"):
        read_upload(template_xlsx(kind), "template.xlsx", kind, today=TODAY)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_filled_template_reads_back_skipping_the_example(kind: str) -> None:
    wb = load_workbook(io.BytesIO(template_xlsx(kind)))
    for row in ROWS[kind]:
        wb["Data"].append(row)
    out = io.BytesIO()
    wb.save(out)
    table = read_upload(out.getvalue(), f"{kind}.xlsx", kind, today=TODAY)
    assert len(table) == 2 and table.attrs["example_rows_skipped"] == 1
    assert table.attrs["sheet"] == "Data" and table.attrs["ignored_columns"] == []


def test_template_values_are_understood() -> None:
    wb = load_workbook(io.BytesIO(template_xlsx("ehc_tracker")))
    wb["Data"].append(ROWS["ehc_tracker"][0])
    out = io.BytesIO()
    wb.save(out)
    row = read_upload(out.getvalue(), "e.xlsx", "ehc_tracker", today=TODAY).iloc[0]
    assert (row["primary_need"], row["decision"], row["age"], row["nc_year"]) == (
        "ASD",
        "assess",
        9,
        5,
    )


def test_the_pages_do_not_import_openpyxl_until_a_template_or_upload_needs_it():
    """openpyxl (with lxml) held ~12 MB in every server that only drew the Data, Governance
    or Outcomes page: it is imported where a workbook is written or an upload read."""
    from tests.conftest import fresh_python_prints

    code = (
        "import sys, ui.warm, ui.outcomes.data, ui.examples, uploads.isolated\n"
        "for name in ui.warm.MODULES + ui.warm.PAGE_VIEWS: __import__(name)\n"
        "print(sorted(m for m in ('openpyxl', 'lxml', 'uploads.worker') if m in sys.modules))\n"
        "from uploads.outcomes_returns import template_xlsx\n"
        "from uploads.frameworks import shipped_frameworks\n"
        "template_xlsx(shipped_frameworks()['middlesbrough'])\n"
        "print('openpyxl' in sys.modules)"
    )
    out = fresh_python_prints(code)
    assert out.split() == ["[]", "True"]
