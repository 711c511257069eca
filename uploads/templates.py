"""Downloadable XLSX templates, one per kind of upload, built from the schemas.

Each workbook has an "Instructions" sheet (what every column means, whether it is required,
its allowed values, and that names and addresses must never be included), a "Data" sheet
with bold frozen headings, a drop-down on every coded column (lists on a hidden "Lists"
sheet) and one example row marked EXAMPLE, which ``read_upload`` skips so a user who leaves
it in is not blocked. Code columns are formatted as text so Excel keeps leading zeros, and
date columns as dd/mm/yyyy.
"""

from __future__ import annotations

import io
import math
from datetime import datetime

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from indicators import local_kpi_frame
from uploads.schemas import KINDS, NEED_NAMES, Column, Schema

LAST_ROW = 100_001  # drop-downs and formats reach this far: the largest upload we accept
HEADING_FILL = PatternFill("solid", fgColor="DDE4EE")
EXAMPLE_FONT = Font(italic=True, color="6F777B")
TYPE_WORDS = {
    "text": "text",
    "code": "code (kept as text)",
    "date": "date, dd/mm/yyyy",
    "int": "whole number",
    "number": "number",
    "choice": "one of a list",
}
PRIVACY = (
    "Never include names, addresses, postcodes, email addresses or phone numbers, and do not "
    "describe a child in free-text cells. Identifiers (UPN, ULN, NHS number, your own ids) "
    "are replaced by pseudonyms the moment you upload; a date of birth becomes age and school "
    "year and is not kept. Columns that are not in this template are ignored and not stored."
)


def template_xlsx(kind: str) -> bytes:
    """The template workbook for one kind of upload, as XLSX bytes."""
    schema = KINDS[kind]
    wb = Workbook()
    _instructions(wb.active, schema)
    data = wb.create_sheet("Data")
    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"  # drop-down sources; the user never needs to see them
    _data_sheet(data, lists, schema)
    if kind == "kpi_return":
        _kpi_ids(wb.create_sheet("KPI ids", 2))
    wb.active = 1  # open on the Data sheet
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kpi_ids(ws: Worksheet) -> None:
    """The built-in KPI ids a return can use, with what each means and the values it takes;
    an id not listed is the area's own KPI and is kept as given."""
    headings = ("indicator", "title", "definition", "unit", "valid values", "national indicator")
    ws.append(headings)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADING_FILL
    for row in local_kpi_frame().itertuples():
        high = "" if math.isinf(row.valid_max) else f" to {row.valid_max:g}"
        valid = f"{row.valid_min:g}{high}" if high else f"{row.valid_min:g} or more"
        ws.append((row.id, row.title, row.definition, row.unit, valid, row.national_equivalent))
    for letter, width in zip("ABCDEF", (28, 50, 80, 10, 14, 22), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def choice_labels(col: Column) -> list[str]:
    """What a drop-down offers: primary needs as "ASD - Autistic spectrum disorder"."""
    if col.name == "primary_need":
        return [f"{code} - {NEED_NAMES[code]}" for code in col.allowed]
    return list(col.allowed)


def _instructions(ws: Worksheet, schema: Schema) -> None:
    ws.title = "Instructions"
    ws["A1"] = f"SEND Lens template: {schema.title}"
    ws["A1"].font = Font(bold=True, size=14)
    lines = [
        schema.description,
        "",
        "How to fill it in",
        "1. Put your rows on the Data sheet, under the headings, one row per record. Keep the headings.",
        "2. Row 2 of the Data sheet is an example (marked EXAMPLE). It is ignored on upload: "
        "leave it or delete it.",
        "3. Dates as dd/mm/yyyy. Codes such as school URNs and ward codes are kept as text.",
        "4. Your own export works too if its headings match; common other names are accepted "
        "(listed below). CSV and ODS files are read as well as XLSX.",
        "5. On upload every problem is listed at once, with its row and column. Nothing is "
        "stored until there are none.",
        "",
        "Privacy",
        PRIVACY,
        "",
    ]
    for i, line in enumerate(lines, start=2):
        ws.cell(row=i, column=1, value=line)
        if line in ("How to fill it in", "Privacy"):
            ws.cell(row=i, column=1).font = Font(bold=True, size=12)
    ws.cell(row=2 + lines.index("Privacy") + 1, column=1).font = Font(bold=True, color="D4351C")
    top = 2 + len(lines)
    headings = [
        "Column",
        "Required",
        "Type",
        "Allowed values",
        "What it means",
        "Other headings accepted",
    ]
    for j, heading in enumerate(headings, start=1):
        cell = ws.cell(row=top, column=j, value=heading)
        cell.font = Font(bold=True)
        cell.fill = HEADING_FILL
    for i, col in enumerate(schema.columns, start=top + 1):
        allowed = "; ".join(choice_labels(col)) if col.type == "choice" else col.pattern_hint
        row = [
            col.name,
            "yes" if col.required else "no",
            TYPE_WORDS[col.type],
            allowed,
            col.help,
            ", ".join(col.aliases),
        ]
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
    for letter, width in zip("ABCDEF", (24, 10, 18, 40, 60, 40), strict=True):
        ws.column_dimensions[letter].width = width


def _data_sheet(ws: Worksheet, lists: Worksheet, schema: Schema) -> None:
    list_column = 0
    for j, col in enumerate(schema.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(row=1, column=j, value=col.name)
        head.font = Font(bold=True)
        head.fill = HEADING_FILL
        ws.column_dimensions[letter].width = max(14, len(col.name) + 4)
        example = ws.cell(row=2, column=j, value=_example_value(col))
        example.font = EXAMPLE_FONT
        if col.type == "date":
            example.number_format = "DD/MM/YYYY"
            ws.column_dimensions[letter].number_format = "DD/MM/YYYY"
        elif col.type == "code":
            example.number_format = "@"
            ws.column_dimensions[letter].number_format = "@"
        if col.type == "choice":
            list_column += 1
            labels = choice_labels(col)
            lists.cell(row=1, column=list_column, value=col.name)
            for i, label in enumerate(labels, start=2):
                lists.cell(row=i, column=list_column, value=label)
            source = get_column_letter(list_column)
            validation = DataValidation(
                type="list",
                formula1=f"=Lists!${source}$2:${source}${len(labels) + 1}",
                allow_blank=True,
                errorStyle="warning",  # other spellings ("Autism") are still understood on upload
                error=f"Choose one of the listed values for {col.name}.",
                errorTitle="Not in the list",
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
        if col.help:
            head.comment = Comment(col.help, "SEND Lens")
    ws.cell(row=2, column=1).comment = Comment(
        "Example row: SEND Lens ignores it when you upload. Delete it or leave it.", "SEND Lens"
    )
    ws.freeze_panes = "A2"


def _example_value(col: Column) -> object:
    if col.type == "date" and isinstance(col.example, str) and col.example:
        return datetime.strptime(col.example, "%d/%m/%Y")
    if col.name == "primary_need" and col.example:
        return choice_labels(col)[col.allowed.index(str(col.example))]
    return col.example if col.example != "" else None
