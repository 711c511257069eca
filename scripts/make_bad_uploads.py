"""Write the corpus of awkward uploads that tests/test_bad_uploads.py reads.

Run: ``python scripts/make_bad_uploads.py``. Writes small files into
``tests/fixtures/bad_uploads/``: what councils really send (title rows, aliases, Windows-1252,
serial dates, several sheets, ...) and what an upload must survive (zip bombs, macros,
encrypted and old binary files, formulas, HTML saved as .xls, ...). Every identifier in
them is synthetic: UPNs and NHS numbers are made up, with check characters computed here.
The 50 MB file is made by the test at run time and not committed.
"""

from __future__ import annotations

import codecs
import io
import struct
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script, for uploads.templates
OUT = ROOT / "tests" / "fixtures" / "bad_uploads"
EHC = [
    "child_id",
    "request_date",
    "decision_date",
    "decision",
    "issue_date",
    "exception",
    "primary_need",
    "date_of_birth",
    "school_urn",
    "ward_code",
]
COHORT = [
    "agency",
    "upn",
    "uln",
    "nhs_number",
    "local_id",
    "date_of_birth",
    "sen_status",
    "school_urn",
]
KPI = [
    "indicator",
    "period",
    "area_code",
    "area_level",
    "numerator",
    "denominator",
    "value",
    "target",
    "commentary",
]
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(body: str) -> str:
    """A UPN with its check letter (see uploads.validation for the rule)."""
    values = [int(c) if c.isdigit() else LETTERS.index(c) for c in body]
    return LETTERS[sum(v * w for v, w in zip(values, range(2, 14), strict=True)) % 23] + body


def nhs(body: str) -> str:
    """A made-up NHS number: nine digits and their modulus 11 check digit."""
    check = (11 - sum(int(c) * w for c, w in zip(body, range(10, 1, -1), strict=True)) % 11) % 11
    assert check != 10, body
    return body + str(check)


def ehc_row(child: str, request: object = date(2024, 9, 2), **overrides: object) -> list[object]:
    row = {
        "child_id": child,
        "request_date": request,
        "decision_date": date(2024, 10, 10),
        "decision": "assess",
        "issue_date": date(2025, 1, 13),
        "exception": "no",
        "primary_need": "ASD",
        "date_of_birth": date(2015, 3, 15),
        "school_urn": "100000",
        "ward_code": "E05001234",
    }
    row.update(overrides)
    return [row[c] for c in EHC]


GOOD_EHC = [
    ehc_row(upn("801200001001")),
    ehc_row(
        "LOCAL-17",
        primary_need="SEMH",
        decision="not assess",
        issue_date=None,
        date_of_birth=date(2012, 11, 30),
    ),
]


def xlsx(
    sheets: dict[str, list[list[object]]], edit: Callable[[Workbook], None] | None = None
) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if edit:
        edit(wb)
    wb.properties.created = wb.properties.modified = datetime(2025, 4, 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    def cell(v: object) -> str:
        text = v.strftime("%d/%m/%Y") if isinstance(v, date) else "" if v is None else str(v)
        quoted = '"' + text.replace('"', '""') + '"'
        return quoted if delimiter in text or '"' in text or "\n" in text else text

    return ("\r\n".join(delimiter.join(cell(v) for v in row) for row in rows) + "\r\n").encode(
        encoding
    )


def rezip(
    data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """Copy a zip, transforming (or dropping, on None) members, and adding new ones."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def encrypted_ole() -> bytes:
    """A minimal compound file with the EncryptionInfo and EncryptedPackage streams Excel
    writes for a password-protected workbook (the streams are empty here)."""
    free, end, fat = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat_sector = struct.pack("<II", fat, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", end, 0)
        )

    directory = (
        entry("Root Entry", 5, child=1)
        + entry("EncryptionInfo", 2, right=2)
        + entry("EncryptedPackage", 2)
        + entry("", 0)
    )
    return header + fat_sector + directory


def lying_sizes(data: bytes, member: str, claimed: int) -> bytes:
    """Rewrite a member's uncompressed size in both zip headers: the classic bomb's lie."""
    buf = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<I", buf, info.header_offset + 22, claimed)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len] == member.encode():
            struct.pack_into("<I", buf, pos + 24, claimed)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def merged_header(wb: Workbook) -> None:
    ws = wb["Data"]
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:F1")


def trailing_blanks(wb: Workbook) -> None:
    ws = wb["Data"]
    grey = PatternFill("solid", fgColor="EEEEEE")
    for r in range(5, 40):
        for c in range(1, 30):
            ws.cell(row=r, column=c).fill = grey  # styled but empty: what Excel leaves behind
    ws.cell(row=12, column=3, value="   ")


def formulas(wb: Workbook) -> None:
    ws = wb["Data"]
    ws["C3"] = "=B3+30"
    ws["C4"] = "=B4+30"


def survey_rows() -> list[list[object]]:
    return [
        ["survey", "period", "question", "answer", "count"],
        ["Parent carer survey", "2024/25", "I feel listened to", "Agree", 41],
        ["Parent carer survey", "2024/25", "I feel listened to", "Disagree", 12],
    ]


def far_cell(wb: Workbook) -> None:
    wb["Data"]["XFD1048576"] = "x"  # one cell: a used range of 17 billion cells


def far_column(wb: Workbook) -> None:
    wb["Data"]["XFD2"] = 1


def hidden_rows(wb: Workbook) -> None:
    wb["Data"].row_dimensions[3].hidden = True  # what a filter left on does


def hidden_sheet(wb: Workbook) -> None:
    wb.create_sheet("Old data").append(ehc_row(upn("801200001001")))
    wb["Old data"].sheet_state = "hidden"


def filled_template() -> bytes:
    """The EHC template as a council fills it: its hidden "Lists" sheet (the drop-downs'
    source) is data on a hidden sheet that must not be refused."""
    from openpyxl import load_workbook

    from uploads.templates import template_xlsx

    wb = load_workbook(io.BytesIO(template_xlsx("ehc_tracker")))
    ws = wb["Data"]
    headings = [c.value for c in ws[1]]
    for row in GOOD_EHC:
        ws.append([dict(zip(EHC, row, strict=True)).get(h) for h in headings])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# One child's local id as people really type it: zero-width space, byte order mark, soft
# hyphen, right-to-left override, full-width letters and digits, Arabic-Indic digit, thin and
# no-break spaces, en and em dashes.
LOOKALIKE_IDS = [
    "CSC-1",
    "CSC\u200b-1",
    "\ufeffCSC-1",
    "CSC\u00ad-1",
    "\u202eCSC-1",
    "\uff23\uff33\uff23\uff0d\uff11",
    "CSC-\u0661",
    "CSC\u20091",
    "CSC\u00a01",
    "CSC\u20131",
    "CSC\u20141",
]


def large_files() -> dict[str, bytes]:
    """Crafted files too big to commit; the tests make them at run time."""
    ehc = csv_bytes([EHC, *GOOD_EHC]).decode().replace("\r\n", "\r")
    return {
        # 300,000 rows ended by a carriage return alone (old Mac style); 1.2 MB
        "cr_line_endings.csv": (ehc + "x\r" * 300_000).encode(),
    }


def cells_without_references() -> bytes:
    """A 60 KB workbook whose cells carry no references (the format allows it): 20,000 rows
    of one cell, then one row of 20,000 cells, a used range of 400 million cells that the
    parser would hold as a 13 GB grid. Only the isolated reader may open it: in-process it
    aborts Python."""
    rows = "<row><c><v>1</v></c></row>" * 20_000 + "<row>" + "<c><v>1</v></c>" * 20_000 + "</row>"
    return rezip(
        xlsx({"Data": [EHC]}),
        lambda n, b: (
            b.replace(b"</sheetData>", rows.encode() + b"</sheetData>").replace(
                b'<dimension ref="A1:J1" />', b""
            )
            if n == "xl/worksheets/sheet1.xml"
            else b
        ),
    )


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    ehc = [EHC, *GOOD_EHC]
    base = xlsx({"Data": ehc})
    # --- refused files -------------------------------------------------------------
    files["empty.csv"] = b""
    files["only_headers.xlsx"] = xlsx({"Data": [EHC]})
    files["wrong_kind_survey_as_ehc.xlsx"] = xlsx({"Survey": survey_rows()})
    files["old_excel.xls"] = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Workbook junk" * 40
    )
    files["html_saved_as.xls"] = (
        b"<html><head><meta charset='utf-8'></head><body><table><tr><td>child_id"
        b"</td><td>request_date</td></tr></table></body></html>"
    )
    files["zip_bomb.xlsx"] = rezip(
        base, lambda n, b: b, {"xl/media/image1.bin": bytes(80 * 1024 * 1024)}
    )
    files["lying_zip_sizes.xlsx"] = lying_sizes(
        rezip(base, lambda n, b: b, {"xl/media/image1.bin": bytes(30 * 1024 * 1024)}),
        "xl/media/image1.bin",
        1000,
    )
    files["junk_100_columns.xlsx"] = xlsx(
        {
            "Data": [[f"col{j} {chr(65 + j % 26)}" for j in range(100)]]
            + [[f"x{i}{j}" for j in range(100)] for i in range(5)]
        }
    )
    files["formulas_no_cached_values.xlsx"] = xlsx({"Data": ehc + [ehc_row("LOCAL-18")]}, formulas)
    files["formula_cells.csv"] = csv_bytes(
        [EHC, ehc_row("=1+2"), ehc_row("LOCAL-2", decision='=HYPERLINK("x")')]
    )
    files["macro_enabled.xlsm"] = rezip(
        base,
        lambda n, b: (
            b.replace(b"spreadsheetml.sheet.main", b"ms-excel.sheet.macroEnabled.main")
            if n == "[Content_Types].xml"
            else b
        ),
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really VBA"},
    )
    files["encrypted.xlsx"] = encrypted_ole()
    files["xml_with_dtd.xlsx"] = rezip(
        base,
        lambda n, b: b'<!DOCTYPE lol [<!ENTITY lol "lol">]>' + b if n == "xl/workbook.xml" else b,
    )
    files["pdf_named.xlsx"] = (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    files["word_document.xlsx"] = rezip(
        base,
        lambda n, b: None if n.startswith("xl/") else b,
        {"word/document.xml": b"<w:document/>"},
    )
    files["plain_zip.xlsx"] = rezip(
        b"PK\x05\x06" + bytes(18), lambda n, b: b, {"notes.txt": b"hello"}
    )
    files["damaged.xlsx"] = base[: len(base) // 2]
    files["binary_junk.xlsx"] = bytes(range(256)) * 8
    files["missing_required_column.csv"] = csv_bytes(
        [
            [c for c in EHC if c != "request_date"],
            [v for c, v in zip(EHC, GOOD_EHC[0], strict=True) if c != "request_date"],
        ]
    )
    files["several_sheets.xlsx"] = xlsx(
        {"Jan": ehc, "Feb": [EHC, ehc_row("LOCAL-99", primary_need="HI")]}
    )
    files["too_many_columns.csv"] = csv_bytes(
        [EHC + [f"extra{j}" for j in range(300)], GOOD_EHC[0] + [""] * 300]
    )
    files["far_cell.xlsx"] = xlsx({"Data": ehc}, far_cell)
    files["far_column.xlsx"] = xlsx({"Data": ehc}, far_column)
    files["hidden_rows.xlsx"] = xlsx({"Data": ehc}, hidden_rows)
    files["hidden_sheet_with_data.xlsx"] = xlsx({"Data": ehc}, hidden_sheet)
    files["utf8_with_one_cp1252_byte.csv"] = csv_bytes(
        [KPI, ["visits", "2025-03", "E08000032", "la", "", "", "1", "", "café"]]
    ) + "visits,2025-02,E08000032,la,,,2,,Spend £5\r\n".encode("cp1252")
    files["duplicate_heading.csv"] = csv_bytes(
        [[*EHC, "Request Date"], [*GOOD_EHC[0], "01/01/2024"]]
    )
    # --- refused rows: every problem located -------------------------------------------
    title = [["Anytown Council"], ["EHC needs assessments, exported 31/03/2025"]]
    files["plan_before_request.xlsx"] = xlsx(
        {
            "Data": title
            + [
                EHC,
                GOOD_EHC[0],
                ehc_row(
                    "LOCAL-3",
                    request=date(2024, 9, 2),
                    decision_date=date(2024, 9, 20),
                    issue_date=date(2024, 8, 1),
                ),
            ]
        }
    )
    files["decision_before_request.csv"] = csv_bytes(
        [EHC, ehc_row("LOCAL-4", decision_date=date(2024, 8, 1))]
    )
    files["wrong_check_letter_upn.xlsx"] = xlsx(
        {
            "Data": [
                COHORT,
                [
                    "education",
                    upn("801200001001"),
                    "",
                    "",
                    "",
                    date(2015, 3, 15),
                    "EHC plan",
                    "100000",
                ],
                ["education", "A801200001002", "", "", "", date(2015, 3, 15), "EHC plan", "100000"],
            ]
        }
    )
    files["nhs_number_fails_check.csv"] = csv_bytes(
        [
            COHORT,
            ["health", "", "", nhs("943476591"), "", "", "", ""],
            ["health", "", "", "9434765918", "", "", "", ""],
        ]
    )
    files["uln_fails_check.csv"] = csv_bytes([["agency", "uln"], ["education", "1234567890"]])
    files["duplicate_child.csv"] = csv_bytes(
        [
            COHORT,
            ["social care", "", "", "", "CSC-1", "", "", ""],
            ["social care", "", "", "", "CSC-2", "", "", ""],
            ["social care", "", "", "", "csc-1", "", "", ""],
        ]
    )
    files["no_child_identifier.csv"] = csv_bytes(
        [COHORT, ["education", "", "", "", "", "", "EHC plan", ""]]
    )
    files["text_in_number_column.csv"] = csv_bytes(
        [KPI, ["ehc_20wk_pct", "2025-03", "E08000032", "la", "twelve", "60", "", "80", ""]]
    )
    files["us_dates.csv"] = csv_bytes(
        [
            EHC,
            ehc_row(
                "LOCAL-5", request="03/15/2024", decision_date=None, decision=None, issue_date=None
            ),
        ]
    )
    files["unknown_primary_need.csv"] = csv_bytes(
        [EHC, ehc_row("LOCAL-6", primary_need="Dyslexia")]
    )
    files["bad_ward_code.csv"] = csv_bytes([EHC, ehc_row("LOCAL-7", ward_code="E0512345")])
    files["unknown_school_urn.csv"] = csv_bytes([EHC, ehc_row("LOCAL-8", school_urn="999999")])
    files["future_date.csv"] = csv_bytes([EHC, ehc_row("LOCAL-9", issue_date=date(2031, 1, 1))])
    files["age_out_of_range.csv"] = csv_bytes(
        [EHC, ehc_row("LOCAL-10", date_of_birth=date(1990, 1, 1))]
    )
    kpi = ["ehc_20wk_pct", "2025-03", "E08000032", "la", "", "", "", "", ""]
    files["infinite_value.csv"] = csv_bytes([KPI, kpi[:6] + ["inf"] + kpi[7:]])
    files["overflowing_value.csv"] = csv_bytes([KPI, kpi[:6] + ["1e308"] + kpi[7:]])
    files["bare_year_as_date.csv"] = csv_bytes([EHC, ehc_row("LOCAL-12", request="2024")])
    files["zero_as_date.xlsx"] = xlsx({"Data": [EHC, ehc_row("LOCAL-13", decision_date=0)]})
    files["lookalike_ids.csv"] = csv_bytes(
        [COHORT, *(["social care", "", "", "", i, "", "", ""] for i in LOOKALIKE_IDS)]
    )
    files["not_an_id.csv"] = csv_bytes(
        [COHORT, ["social care", "", "", "", "CSC\u00e91", "", "", ""]]
    )
    files["upn_in_commentary.csv"] = csv_bytes(
        [KPI, kpi[:6] + ["75", "", f"Waiting on {upn('801200001001')} since May"]]
    )
    files["nhs_number_in_outcome.csv"] = csv_bytes(
        [
            ["child_id", "review_date", "outcome", "domain", "progress_rating"],
            [
                "LOCAL-1",
                "14/11/2024",
                f"Seen by CAMHS ({nhs('943476591')[:3]} "
                f"{nhs('943476591')[3:6]} {nhs('943476591')[6:]})",
                "good health",
                3,
            ],
        ]
    )
    # --- messy but good: these must parse ---------------------------------------------
    files["windows_1252.csv"] = csv_bytes(
        [
            KPI,
            [
                "local_offer_visits",
                "2025-03",
                "E08000032",
                "la",
                "",
                "",
                "1200",
                "",
                "Spend £1,200 on the café day",
            ],
        ],
        encoding="cp1252",
    )
    files["utf8_bom.csv"] = codecs.BOM_UTF8 + csv_bytes(ehc)
    files["title_rows.xlsx"] = xlsx({"Data": title + [[], EHC, *GOOD_EHC]})
    files["ddmmyyyy_dates.csv"] = csv_bytes(ehc)
    files["excel_serial_dates.xlsx"] = xlsx(
        {"Data": [EHC, ehc_row("LOCAL-11", request=45537, decision_date="45575", issue_date=None)]}
    )
    files["numbers_as_text.xlsx"] = xlsx(
        {
            "Data": [
                KPI,
                [
                    "ehc_20wk_pct",
                    "2025-03",
                    "E08000032",
                    "la",
                    "1,234",
                    " 2000 ",
                    "61.7%",
                    "80",
                    "",
                ],
            ]
        }
    )
    files["trailing_blank_rows_and_columns.xlsx"] = xlsx({"Data": ehc}, trailing_blanks)
    files["header_aliases.csv"] = csv_bytes(
        [
            [
                "Child ID",
                "Date of request",
                "Date of decision",
                "Decision to assess",
                "Plan issue date",
                "20 week exception",
                "Primary SEN need",
                "DOB",
                "URN",
                "Ward",
            ],
            *GOOD_EHC,
        ]
    )
    files["header_case_and_spacing.xlsx"] = xlsx(
        {
            "Data": [
                [
                    "  CHILD_ID ",
                    "Request   Date",
                    "decision-date",
                    "DECISION",
                    "Issue Date",
                    "Exception",
                    "Primary Need",
                    "Date of Birth",
                    "School URN",
                    "Ward Code",
                ],
                *GOOD_EHC,
            ]
        }
    )
    files["merged_header_cells.xlsx"] = xlsx(
        {"Data": [["child_id", "Key dates"], ["", *EHC[1:]], *GOOD_EHC]}, merged_header
    )
    files["names_and_postcodes.csv"] = csv_bytes(
        [
            ["Forename", "Surname", *EHC, "Postcode", "Address"],
            ["Amelia", "Testperson", *GOOD_EHC[0], "BD1 1AA", "1 High Street"],
        ]
    )
    files["formula_like_commentary.csv"] = csv_bytes(
        [
            KPI,
            [
                "ehc_20wk_pct",
                "2025-03",
                "E08000032",
                "la",
                "45",
                "60",
                "",
                "",
                '=HYPERLINK("http://x")',
            ],
            ["ehc_20wk_pct", "2025-02", "E08000032", "la", "40", "60", "", "", "-ve trend"],
        ]
    )
    files["xlsx_named_csv.csv"] = base
    files["unicode_text_utf16.txt"] = "\r\n".join(
        "\t".join(
            "" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, date) else str(v)
            for v in row
        )
        for row in ehc
    ).encode("utf-16")
    files["semicolon_separated.csv"] = csv_bytes(ehc, delimiter=";")
    files["filled_template.xlsx"] = filled_template()
    files["random_number_in_commentary.csv"] = csv_bytes(
        [KPI, kpi[:6] + ["5", "", "Order 1234567890 and 123 456 7890 placed"]]
    )
    files["formula_prefix_codes.csv"] = csv_bytes(
        [
            ["ward_code", "locality", "locality_code"],
            ["E05001234", "+North", "-N"],
            ["E05001235", "@South", "+S"],
        ]
    )
    files["example_row_left_in.xlsx"] = xlsx({"Data": [EHC, ehc_row("EXAMPLE-1"), GOOD_EHC[0]]})
    ods = io.BytesIO()
    pd.DataFrame(GOOD_EHC, columns=EHC).to_excel(ods, engine="odf", sheet_name="Data", index=False)
    files["open_document.ods"] = ods.getvalue()
    return files


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(build())} files to {OUT}")


if __name__ == "__main__":
    main()
