"""Bytes to raw sheets: format sniffing, safety checks, decoding and header detection."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from openpyxl import Workbook

from uploads import readers
from uploads.readers import UploadError, decode_text, find_header, open_upload, read_sheet
from uploads.schemas import KINDS


def xlsx(rows: list[list[object]], title: str = "Data", hidden: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if hidden:
        wb.create_sheet(hidden).sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(data: bytes, name: str = "x.xlsx") -> str:
    with pytest.raises(UploadError) as caught:
        open_upload(data, name)
    return caught.value.problems[0].message


def test_format_comes_from_the_bytes_not_the_name() -> None:
    book = open_upload(xlsx([["a"]]), "export.csv")
    assert book.fmt == "xlsx"
    assert open_upload(b"a,b\n1,2\n", "export.xlsx").fmt == "csv"


def test_hidden_sheets_are_not_offered() -> None:
    assert open_upload(xlsx([["a"]], hidden="Lists"), "t.xlsx").sheets == ["Data"]
    assert open_upload(b"a,b\n", "my extract.csv").sheets == ["my extract"]


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    assert "The file is 0.0 MB; the largest file SEND Lens accepts is 0 MB" in refused(b"x" * 1001)


def test_too_many_zip_members() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(readers.MAX_ZIP_MEMBERS + 1):
            z.writestr(f"xl/{i}.xml", "<x/>")
    assert "internal parts" in refused(out.getvalue())


def test_declared_size_over_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED", 1024)
    assert "more than the 0 MB SEND Lens allows" in refused(xlsx([["x" * 2000]]))


def test_compression_ratio() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" * (5 * 1024 * 1024))
    assert "ratio of" in refused(out.getvalue())


def test_uncached_formulas_are_found_per_sheet() -> None:
    data = xlsx([["a", "b"], [1, "=A2*2"], [2, "=A3*2"]])
    assert open_upload(data, "f.xlsx").uncached == {"Data": ["B2", "B3"]}


def test_excel_saved_formulas_with_values_are_fine() -> None:
    data = xlsx([["a", "b"], [1, 2]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<c r="B2" t="n"><v>2</v></c>', b'<c r="B2"><f>A2*2</f><v>2</v></c>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    assert open_upload(out.getvalue(), "f.xlsx").uncached == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("ok,café\n".encode(), "ok,café\n"),
        (codecs.BOM_UTF8 + "ok,café\n".encode(), "ok,café\n"),
        ("ok,café £5\n".encode("cp1252"), "ok,café £5\n"),
        ("ok,café\n".encode("utf-16"), "ok,café\n"),
    ],
)
def test_decoding(data: bytes, expected: str) -> None:
    assert decode_text(data) == expected


def test_csv_rows_are_padded_and_delimiter_sniffed() -> None:
    book = open_upload(b"Title\n\na;b;c\n1;2\n", "x.csv")
    assert read_sheet(book, "x").rows == [
        ["Title", "", ""],
        ["", "", ""],
        ["a", "b", "c"],
        ["1", "2", ""],
    ]


def test_xlsx_rows_keep_excel_positions() -> None:
    wb = Workbook()
    wb.active.title = "Data"
    wb.active["C4"] = "child_id"
    out = io.BytesIO()
    wb.save(out)
    rows = read_sheet(open_upload(out.getvalue(), "x.xlsx"), "Data").rows
    assert len(rows) == 4 and rows[3][2] == "child_id"  # row index 3 is Excel row 4


def test_header_found_below_title_rows_with_aliases() -> None:
    lookup = KINDS["ehc_tracker"].heading_lookup()
    rows = [
        ["EHC tracker, March"],
        ["Child ID report"],
        [],
        ["UPN", "Date of Request (dd/mm/yyyy)", "Notes"],
    ]
    assert find_header(rows, lookup) == (3, {0: "child_id", 1: "request_date"})


def test_the_canonical_heading_wins_over_an_alias() -> None:
    lookup = KINDS["ehc_tracker"].heading_lookup()
    assert find_header([["Local ID", "UPN", "child_id"]], lookup) == (0, {2: "child_id"})
    assert find_header([["Local ID", "UPN"]], lookup) == (0, {1: "child_id"})


def test_vertical_merges_in_the_header_are_filled_down() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["child_id", "Dates"])
    ws.append([None, "request_date"])
    ws.merge_cells("A1:A2")
    out = io.BytesIO()
    wb.save(out)
    rows = read_sheet(open_upload(out.getvalue(), "x.xlsx"), "Data").rows
    assert rows[1] == ["child_id", "request_date"]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    book = open_upload(b"a\n" * 100, "x.csv")
    with pytest.raises(UploadError, match="the most SEND Lens reads at once is 5"):
        read_sheet(book, "x")


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_rows_are_counted_with_every_line_ending(
    monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    monkeypatch.setattr(readers, "HEADER_SCAN_ROWS", 0)
    assert readers.line_count(f"a{ending}" * 6) == 6
    book = open_upload(f"a{ending}".encode() * 6, "x.csv")
    with pytest.raises(UploadError, match="has 6 rows; the most SEND Lens reads at once is 5"):
        read_sheet(book, "x")
    assert len(read_sheet(open_upload(f"a{ending}".encode() * 5, "x.csv"), "x").rows) == 5


def test_decoding_says_which_encoding_and_never_guesses_per_byte() -> None:
    assert readers.decode("café £5\n".encode("cp1252")) == ("café £5\n", "Windows-1252")
    assert readers.decode("café £5\n".encode()) == ("café £5\n", "UTF-8")
    mixed = "a\r\ncafé\r\n".encode() + "£5\r\n".encode("cp1252")
    with pytest.raises(UploadError) as caught:
        readers.decode(mixed, "x")
    assert caught.value.problems[0].row == 3
    with pytest.raises(UploadError, match="Row 2 has a character SEND Lens cannot read"):
        readers.decode(b"ok\n\x81\x8d\n")  # undefined in Windows-1252, not UTF-8 either


def test_the_extent_is_measured_before_the_sheet_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells out of order and a declared dimension both count; the sheet named."""
    data = xlsx([["a", "b"], [1, 2]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<sheetData>", b"<sheetData><row r='70000'><c r='ZZ70000'><v>1</v></c></row>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    book = open_upload(out.getvalue(), "f.xlsx")
    extent = book.extents["Data"]
    assert (extent.rows, extent.columns, extent.far_cell) == (70000, 702, "ZZ70000")
    assert readers.column_number("XFD") == 16384 and readers.column_number("ZZ") == 702
    with pytest.raises(UploadError) as caught:
        read_sheet(book, "Data")  # 70,000 x 702 = 49 million cells > 10 million
    problem = caught.value.problems[0]
    assert problem.sheet == "Data" and "reaches column 702 and row 70,000" in problem.message


def test_a_hidden_sheet_feeding_drop_downs_is_fine_and_any_other_is_refused() -> None:
    from uploads.templates import template_xlsx

    assert open_upload(template_xlsx("ehc_tracker"), "t.xlsx").sheets[-1] == "Data"
    wb = Workbook()
    wb.active.title = "Data"
    wb.active.append(["a"])
    wb.create_sheet("Notes").append(["private"])
    wb["Notes"].sheet_state = "veryHidden"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(UploadError, match="Sheet 'Notes' is hidden but holds data"):
        open_upload(out.getvalue(), "t.xlsx")


def test_the_gate_never_skips_a_pass_that_would_find_something() -> None:
    """``_unusual`` (RE2) lets the scan skip seven re passes; wherever one of those patterns
    matches, the gate must say so. Each fragment below is found by its own pattern (checked
    here too), alone, mid-sheet, at the window's very end and after a byte that is not UTF-8;
    ordinary rows are plain, and a cell past row 99,999 asks only for the pass for such cells."""
    ordinary = b'<row r="7"><c r="A7" t="s"><v>0</v></c><c r="Z7"><v>1.5</v></c></row>'
    own = {
        b"<c>": readers._ODD_CELL,
        b"<c t='s' r=\"B2\">": readers._ODD_CELL,
        b"<c r='B2'>": readers._ODD_CELL,
        b"<c \xff": readers._ODD_CELL,
        b"<c ": readers._ODD_CELL,
        b"<c r": readers._ODD_CELL,
        b"<c r=": readers._ODD_CELL,
        b"<row>": readers._ODD_ROW,
        b"<row spans='1:2' r=\"3\">": readers._ODD_ROW,
        b"<row ": readers._ODD_ROW,
        b'<c r="AA1"': readers._BIG_CELL,
        b'<c r="B100000"': readers._BIG_CELL,
        b"<f>SUM(A1)</f>": readers._FORMULA_TAG,
        b"<f\t t='shared'/>": readers._FORMULA_TAG,
        b"<f\x0b/>": readers._FORMULA_TAG,
        b"<f/>": readers._FORMULA_TAG,
        b'<row r="4" hidden="1">': readers._HIDDEN_WORD,
        b"<formula1>Lists!$A$2:$A$9</formula1>": readers._FORMULA1_TAG,
        b"<xm:f>Lists!$A$2</xm:f>": readers._XM_F_TAG,
        b'<mergeCell ref="A1:A2"/>': readers._MERGE_TAG,
    }

    def gate(window: bytes) -> tuple[bool, bool]:
        found = readers._unusual(window, len(window))
        return found.big, found.rare

    assert gate(ordinary * 50) == (False, False)
    assert readers._unusual(ordinary * 50, len(ordinary) * 50).last_row == 7
    assert gate(b'<row r="99999"><c r="Z99999"><v>1</v></c></row>') == (False, False)
    assert gate(ordinary + b'<row r="100000"><c r="B100000"><v>1</v></c></row>') == (True, False)
    assert gate(ordinary + b"<c r=" + ordinary)[1]  # only the end of what is scanned is its end
    for fragment, pattern in own.items():
        for window in (
            fragment,
            ordinary + fragment + ordinary,
            ordinary * 3 + fragment,
            b"\xe9\xff" + fragment + b"\x80",
        ):
            assert pattern.search(window), (fragment, window)
            big, rare = gate(window)
            assert rare or (big and pattern is readers._BIG_CELL), (fragment, window)
            # The same fragment past the end of what is scanned is not seen there.
            assert gate(ordinary + window)[1] == gate(ordinary + window + ordinary)[1]


def test_larger_than_matches_exactly_the_larger_numbers() -> None:
    """The gate's row pattern: written with or without leading zeros, a row number matches
    when it is larger than the last row's, and never otherwise."""
    import pyarrow as pa
    from pyarrow import compute

    for n in (0, 1, 9, 10, 99, 100, 472, 909, 999, 100001, 250030, 9999999999):
        near = {0, 1, 9, 10, 11, 99, 100, 101, n - 1, n, n + 1, n * 10, n // 10, 2 * n + 7}
        numbers = sorted(c for c in near if c >= 0)
        cells = [f'<row r="{zeros}{c}"' for c in numbers for zeros in ("", "0", "000")]
        hit = compute.match_substring_regex(
            pa.array(cells), pattern=f'<row r="0*(?:{readers._larger_than(n)})'
        ).to_pylist()
        assert hit == [int(c[8:-1]) > n for c in cells], n


@pytest.mark.parametrize("row", [b'<row r="70000">', b'<row r="0070000">'])
def test_rows_out_of_order_are_measured(row: bytes) -> None:
    """A row numbered past the last one, anywhere but last, is found by the gate's row
    pattern, and then every row's number is collected, as before."""
    data = xlsx([["a", "b"]] + [[i, i] for i in range(40)])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b'<row r="2">', row + b'<c r="A70000"><v>1</v></c></row><row r="2">'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    extent = open_upload(out.getvalue(), "f.xlsx").extents["Data"]
    assert (extent.rows, extent.columns, extent.unreferenced) == (70000, 26, False)


def _busy_sheet() -> bytes:
    """A sheet with something of every kind the scan looks for, among plain rows."""
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["child_id", "request_date", "decision", "note"])
    for i in range(60):
        ws.append([f"C{i:04d}", f"2024-01-{i % 28 + 1:02d}", "assess", "x" * (i % 7)])
    ws["D20"] = "=SUM(A1:A2)"  # saved by a script: no cached result
    ws["AB40"] = 1  # past column Z
    ws.row_dimensions[30].hidden = True
    ws.merge_cells("E50:F51")
    wb.create_sheet("Lists").append(["assess"])
    check = DataValidation(type="list", formula1="Lists!$A$1:$A$1")
    ws.add_data_validation(check)
    check.add("C2:C61")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("sheet", ["plain", "busy"])
def test_the_scan_finds_the_same_wherever_its_windows_are_cut(
    monkeypatch: pytest.MonkeyPatch, sheet: str
) -> None:
    """The scan reads a sheet's XML a window at a time (16 MB in use); a window ends before
    its last tag, so a tag cut in two ("<c " at the end) is never taken for a cell without its
    reference. Cut at every offset across a few cells, it finds what it finds in one piece."""
    data = xlsx([["a", "b", "c"]] + [[f"x{i}", i, 2.5] for i in range(80)])
    if sheet == "busy":
        data = _busy_sheet()
    whole = readers._check_zip(data)
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert member.file_size > 5000
    if sheet == "plain":
        extent = whole[2]["xl/worksheets/sheet1.xml"]
        assert (extent.rows, extent.columns, extent.unreferenced, whole[1]) == (81, 26, False, {})
    else:
        extent = whole[2]["xl/worksheets/sheet1.xml"]
        assert (extent.rows, extent.columns, extent.far_cell) == (61, 28, "AB40")
        assert extent.hidden_rows == {30} and extent.merged and not extent.unreferenced
        assert set(extent.validations) == {"Lists!$A$1:$A$1"} and whole[1] == {
            "xl/worksheets/sheet1.xml": ["D20"]
        }
    for step in range(2048, 2048 + 160):
        monkeypatch.setattr(readers, "INFLATE_STEP", step)
        cut = readers._check_zip(data)
        assert cut[1] == whole[1], step
        got, want = cut[2]["xl/worksheets/sheet1.xml"], whole[2]["xl/worksheets/sheet1.xml"]
        assert (got.rows, got.columns) == (want.rows, want.columns), step
        assert (got.unreferenced, got.merged, got.hidden_rows, got.has_values) == (
            want.unreferenced,
            want.merged,
            want.hidden_rows,
            want.has_values,
        ), step
        assert set(got.validations) == set(want.validations), step


def test_object_columns_pads_ragged_rows_and_absent_columns_with_blanks() -> None:
    columns = readers.object_columns([[1, "a", None], [2]], [0, 1, 2, 5])
    assert [list(columns[p]) for p in (0, 1, 2, 5)] == [[1, 2], ["a", ""], [None, ""], ["", ""]]
    assert all(c.dtype == object and len(c) == 2 for c in columns.values())
    assert len(readers.object_columns([], [0])[0]) == 0
