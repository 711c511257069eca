"""KPI returns are range-checked against the catalogue, and one KPI id means one thing
everywhere (issue 13 finding 10)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

import indicators as I
from uploads.intake import read_upload
from uploads.readers import UploadError
from uploads.templates import template_xlsx

HEADINGS = ["indicator", "period", "area_code", "area_level", "target", "value"]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "March return"
    ws.append(HEADINGS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_out_of_range_percentage_and_negative_count_are_refused_with_sheet_row_column() -> None:
    data = _xlsx(
        [
            ["ehc_20wk_pct", "2025-03", "E08000032", "la", 60, 150],  # row 2: a % of 150
            ["ehc_open_over_30wk", "2025-03", "E08000032", "la", None, -5],  # row 3: count -5
            ["ehc_20wk_pct", "2025-02", "E08000032", "la", 60, 55],  # row 4: fine
        ]
    )
    with pytest.raises(UploadError) as err:
        read_upload(data, "return.xlsx", "kpi_return")
    pct, count = err.value.problems
    assert (pct.sheet, pct.row, pct.column, pct.value) == ("March return", 2, "value", "150")
    assert pct.message == "value 150 is outside what ehc_20wk_pct can be (%, 0 to 100)."
    assert (count.sheet, count.row, count.column, count.value) == ("March return", 3, "value", "-5")
    assert count.message == "value -5 is outside what ehc_open_over_30wk can be (count, 0 or more)."


def test_an_areas_own_kpi_has_no_range_to_break() -> None:
    frame = read_upload(
        _xlsx([["our_budget_variance", "2025-03", "E08000032", "la", None, -5]]),
        "return.xlsx",
        "kpi_return",
    )
    assert frame["value"].tolist() == [-5]


def test_the_old_including_exceptions_id_is_refused_with_its_new_name() -> None:
    with pytest.raises(UploadError) as err:
        read_upload(
            _xlsx([["ehc_20wk_inc_pct", "2025-03", "E08000032", "la", 60, 55]]),
            "return.xlsx",
            "kpi_return",
        )
    (problem,) = err.value.problems
    assert problem.row == 2 and "ehc_20wk_inc_pct is now ehc_20wk_pct" in problem.message


def test_ehc_20wk_pct_means_the_same_locally_and_nationally() -> None:
    local, national = I.get("local:ehc_20wk_pct"), I.get("ehc_20wk_pct")
    assert local.national_equivalent == "ehc_20wk_pct"
    assert (
        local.title
        == national.title
        == ("New EHC plans issued within 20 weeks (including exceptions)")
    )
    excluding = I.get("local:ehc_20wk_ex_pct")
    assert excluding.national_equivalent == "ehc_20wk_ex_pct"
    assert "excluding" in excluding.title and "excluding" in I.get("ehc_20wk_ex_pct").title


def test_template_lists_every_valid_kpi_id_with_its_definition() -> None:
    wb = load_workbook(io.BytesIO(template_xlsx("kpi_return")))
    ws = wb["KPI ids"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("indicator", "title", "definition")
    listed = {r[0]: r for r in body}
    assert set(listed) == set(I.local_kpi_frame()["id"])
    assert listed["ehc_20wk_pct"][1] == I.get("local:ehc_20wk_pct").title
    assert "0 to 100" in listed["ehc_20wk_pct"][4]
