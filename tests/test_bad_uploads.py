"""Every file in tests/fixtures/bad_uploads (made by scripts/make_bad_uploads.py) gives its own
plain-English message, located by sheet, row and column where that applies, and never any
exception but UploadError; the messy-but-good files parse to the values they hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from uploads import readers, validation
from uploads.intake import UploadError, read_upload

FIXTURES = Path(__file__).parent / "fixtures" / "bad_uploads"
TODAY = date(2025, 6, 1)

# file -> (kind, distinctive phrase, sheet, row, column); row/column None = whole file
REFUSED: dict[str, tuple[str, str, str, int | None, str]] = {
    "empty.csv": ("ehc_tracker", "The file is empty", "", None, ""),
    "only_headers.xlsx": ("ehc_tracker", "has headings but no rows of data", "Data", None, ""),
    "wrong_kind_survey_as_ehc.xlsx": (
        "ehc_tracker",
        "looks like a 'Survey results' file",
        "Survey",
        None,
        "",
    ),
    "old_excel.xls": ("ehc_tracker", "old Excel 97-2003 file (.xls)", "", None, ""),
    "html_saved_as.xls": ("ehc_tracker", "web page (HTML)", "", None, ""),
    "zip_bomb.xlsx": ("ehc_tracker", "a ratio of 1,029 to 1", "", None, ""),
    "lying_zip_sizes.xlsx": ("ehc_tracker", "parts are bigger than it says", "", None, ""),
    "junk_100_columns.xlsx": (
        "ehc_tracker",
        "Could not find the column headings on sheet 'Data'",
        "Data",
        None,
        "",
    ),
    "formulas_no_cached_values.xlsx": (
        "ehc_tracker",
        "results were never saved (cells C3, C4)",
        "Data",
        None,
        "",
    ),
    "formula_cells.csv": (
        "ehc_tracker",
        "This cell holds a formula",
        "formula_cells",
        2,
        "child_id",
    ),
    "macro_enabled.xlsm": ("ehc_tracker", "contains macros", "", None, ""),
    "encrypted.xlsx": ("ehc_tracker", "password-protected (encrypted)", "", None, ""),
    "xml_with_dtd.xlsx": ("ehc_tracker", "(DTDs)", "", None, ""),
    "pdf_named.xlsx": ("ehc_tracker", "This is a PDF", "", None, ""),
    "word_document.xlsx": ("ehc_tracker", "Word or PowerPoint file", "", None, ""),
    "plain_zip.xlsx": ("ehc_tracker", "zip archive, not a spreadsheet", "", None, ""),
    "damaged.xlsx": ("ehc_tracker", "damaged or incomplete", "", None, ""),
    "binary_junk.xlsx": ("ehc_tracker", "could not recognise this file", "", None, ""),
    "missing_required_column.csv": (
        "ehc_tracker",
        "Required column 'request_date' is missing",
        "missing_required_column",
        1,
        "request_date",
    ),
    "several_sheets.xlsx": (
        "ehc_tracker",
        "has 2 sheets (Jan, Feb). Choose the sheet",
        "",
        None,
        "",
    ),
    "too_many_columns.csv": (
        "ehc_tracker",
        "has 310 columns; SEND Lens reads at most 250",
        "too_many_columns",
        None,
        "",
    ),
    "plan_before_request.xlsx": (
        "ehc_tracker",
        "a plan cannot be issued before it was requested",
        "Data",
        5,
        "issue_date",
    ),
    "decision_before_request.csv": (
        "ehc_tracker",
        "a decision cannot come before the request",
        "decision_before_request",
        2,
        "decision_date",
    ),
    "wrong_check_letter_upn.xlsx": ("cohort", "wrong check letter", "Data", 3, "upn"),
    "nhs_number_fails_check.csv": (
        "cohort",
        "NHS number fails its check digit (modulus 11)",
        "nhs_number_fails_check",
        3,
        "nhs_number",
    ),
    "uln_fails_check.csv": ("cohort", "ULN fails its check digit", "uln_fails_check", 2, "uln"),
    "duplicate_child.csv": (
        "cohort",
        "Duplicate child in this extract: the same local id already appears in row 2",
        "duplicate_child",
        4,
        "local_id",
    ),
    "no_child_identifier.csv": (
        "cohort",
        "no child identifier",
        "no_child_identifier",
        2,
        "local_id",
    ),
    "text_in_number_column.csv": (
        "kpi_return",
        "'twelve' is not a number",
        "text_in_number_column",
        2,
        "numerator",
    ),
    "us_dates.csv": ("ehc_tracker", "'03/15/2024' is not a date", "us_dates", 2, "request_date"),
    "unknown_primary_need.csv": (
        "ehc_tracker",
        "'Dyslexia' is not an allowed value",
        "unknown_primary_need",
        2,
        "primary_need",
    ),
    "bad_ward_code.csv": (
        "ehc_tracker",
        "is not a valid ward_code",
        "bad_ward_code",
        2,
        "ward_code",
    ),
    "unknown_school_urn.csv": (
        "ehc_tracker",
        "No school with URN 999999",
        "unknown_school_urn",
        2,
        "school_urn",
    ),
    "future_date.csv": (
        "ehc_tracker",
        "issue_date is in the future",
        "future_date",
        2,
        "issue_date",
    ),
    "age_out_of_range.csv": (
        "ehc_tracker",
        "would be 34 on request_date",
        "age_out_of_range",
        2,
        "date_of_birth",
    ),
    # --- issue 12: a shared instance's hardening ------------------------------------------
    "far_cell.xlsx": (
        "ehc_tracker",
        "Sheet 'Data' has 1,048,576 rows; the most SEND Lens reads at once is 250,000. Split it "
        "into smaller files and upload each. (Its last cell is XFD1048576.)",
        "Data",
        None,
        "",
    ),
    "far_column.xlsx": (
        "ehc_tracker",
        "Sheet 'Data' reaches column 16,384 and row 3 (cell XFD2)",
        "Data",
        None,
        "",
    ),
    "hidden_rows.xlsx": ("ehc_tracker", "Row 3 is hidden (perhaps by a filter)", "Data", 3, ""),
    "hidden_sheet_with_data.xlsx": (
        "ehc_tracker",
        "Sheet 'Old data' is hidden but holds data",
        "Old data",
        None,
        "",
    ),
    "utf8_with_one_cp1252_byte.csv": (
        "kpi_return",
        "Row 3 has a character SEND Lens cannot read with certainty",
        "utf8_with_one_cp1252_byte",
        3,
        "",
    ),
    "duplicate_heading.csv": (
        "ehc_tracker",
        "Columns B ('request_date') and K ('Request Date') have the same heading",
        "duplicate_heading",
        1,
        "request_date",
    ),
    "infinite_value.csv": (
        "kpi_return",
        "'inf' is not a usable number: value must be a finite number",
        "infinite_value",
        2,
        "value",
    ),
    "overflowing_value.csv": (
        "kpi_return",
        "'1e308' is not a usable number",
        "overflowing_value",
        2,
        "value",
    ),
    "bare_year_as_date.csv": (
        "ehc_tracker",
        "request_date is a year on its own, not a date",
        "bare_year_as_date",
        2,
        "request_date",
    ),
    "zero_as_date.xlsx": (
        "ehc_tracker",
        "decision_date is a number that is not a date",
        "Data",
        2,
        "decision_date",
    ),
    "lookalike_ids.csv": (
        "cohort",
        "the same local id already appears in row 2",
        "lookalike_ids",
        3,
        "local_id",
    ),
    "not_an_id.csv": (
        "cohort",
        "This id holds characters an id never has",
        "not_an_id",
        2,
        "local_id",
    ),
    "upn_in_commentary.csv": (
        "kpi_return",
        "This commentary seems to hold a UPN",
        "upn_in_commentary",
        2,
        "commentary",
    ),
    "nhs_number_in_outcome.csv": (
        "outcomes_return",
        "This outcome seems to hold an NHS number",
        "nhs_number_in_outcome",
        2,
        "outcome",
    ),
}

EHC_FIRST = {
    "request_date": pd.Timestamp("2024-09-02"),
    "decision_date": pd.Timestamp("2024-10-10"),
    "decision": "assess",
    "issue_date": pd.Timestamp("2025-01-13"),
    "exception": False,
    "primary_need": "ASD",
    "age": 9,
    "nc_year": 5,
    "school_urn": "100000",
    "ward_code": "E05001234",
}
EHC_SECOND = {"primary_need": "SEMH", "decision": "not assess", "age": 11, "nc_year": 7}

# file -> (kind, sheet, expected rows, expected values in the first row, in the second)
PARSED: dict[str, tuple[str, str | None, int, dict[str, object], dict[str, object]]] = {
    "utf8_bom.csv": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "title_rows.xlsx": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "ddmmyyyy_dates.csv": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "excel_serial_dates.xlsx": (
        "ehc_tracker",
        None,
        1,
        {"request_date": pd.Timestamp("2024-09-02"), "decision_date": pd.Timestamp("2024-10-10")},
        {},
    ),
    "trailing_blank_rows_and_columns.xlsx": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "header_aliases.csv": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "header_case_and_spacing.xlsx": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "merged_header_cells.xlsx": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "names_and_postcodes.csv": ("ehc_tracker", None, 1, EHC_FIRST, {}),
    "xlsx_named_csv.csv": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "unicode_text_utf16.txt": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "semicolon_separated.csv": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "example_row_left_in.xlsx": ("ehc_tracker", None, 1, EHC_FIRST, {}),
    "open_document.ods": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "several_sheets.xlsx": ("ehc_tracker", "Feb", 1, {"primary_need": "HI"}, {}),
    "windows_1252.csv": (
        "kpi_return",
        None,
        1,
        {
            "commentary": "Spend £1,200 on the café day",
            "value": 1200.0,
            "period": "2025-03",
            "area_code": "E08000032",
        },
        {},
    ),
    "numbers_as_text.xlsx": (
        "kpi_return",
        None,
        1,
        {"numerator": 1234.0, "denominator": 2000.0, "value": 61.7},
        {},
    ),
    "filled_template.xlsx": ("ehc_tracker", None, 2, EHC_FIRST, EHC_SECOND),
    "random_number_in_commentary.csv": (
        "kpi_return",
        None,
        1,
        {"value": 5.0, "commentary": "Order 1234567890 and 123 456 7890 placed"},
        {},
    ),
    "formula_prefix_codes.csv": (
        "locality_lookup",
        None,
        2,
        {"locality": "'+North", "locality_code": "'-N"},
        {"locality": "'@South", "locality_code": "'+S"},
    ),
    "formula_like_commentary.csv": (
        "kpi_return",
        None,
        2,
        {"commentary": '\'=HYPERLINK("http://x")'},
        {"commentary": "'-ve trend"},
    ),
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


def test_corpus_is_complete() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir()}
    assert len(on_disk) >= 30
    assert on_disk == set(REFUSED) | set(PARSED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_its_own_message(name: str) -> None:
    kind, phrase, sheet, row, column = REFUSED[name]
    with pytest.raises(UploadError) as caught:
        read_upload((FIXTURES / name).read_bytes(), name, kind, today=TODAY)
    problems = caught.value.problems
    matching = [p for p in problems if phrase in p.message]
    assert matching, [p.message for p in problems]
    first = matching[0]
    assert (first.sheet, first.row, first.column) == (sheet, row, column)
    assert "Traceback" not in first.message


@pytest.mark.parametrize("name", sorted(PARSED))
def test_messy_but_good_files_parse(name: str) -> None:
    kind, sheet, n, first, second = PARSED[name]
    table = read_upload((FIXTURES / name).read_bytes(), name, kind, sheet=sheet, today=TODAY)
    assert len(table) == n
    for i, expected in enumerate((first, second)):
        for column, value in expected.items():
            assert table.loc[i, column] == value, (column, table.loc[i, column])


def test_only_upload_errors_escape_whatever_the_kind() -> None:
    """Each fixture read as a kind it was not made for (a different one for each file):
    a table or an UploadError, never another exception."""
    from uploads.schemas import KINDS

    kinds = list(KINDS)
    for i, path in enumerate(sorted(FIXTURES.iterdir())):
        try:
            read_upload(path.read_bytes(), path.name, kinds[i % len(kinds)], today=TODAY)
        except UploadError as exc:
            assert exc.problems and all(p.message for p in exc.problems)


def test_fifty_megabyte_file_is_refused_by_size() -> None:
    data = b"child_id,request_date\n" + b"x" * (50 * 1024 * 1024)
    with pytest.raises(
        UploadError, match=r"The file is 50\.0 MB; the largest file SEND Lens accepts is 20 MB"
    ):
        read_upload(data, "huge.csv", "ehc_tracker")


def test_names_and_postcodes_never_reach_the_table() -> None:
    data = (FIXTURES / "names_and_postcodes.csv").read_bytes()
    table = read_upload(data, "names_and_postcodes.csv", "ehc_tracker", today=TODAY)
    text = table.astype(str).to_numpy().ravel().tolist()
    for secret in ("Amelia", "Testperson", "BD1 1AA", "High Street", "H801200001001", "2015-03-15"):
        assert not any(secret in cell for cell in text)
    assert table.attrs["ignored_columns"] == ["Forename", "Surname", "Postcode", "Address"]


def test_unexpected_errors_become_a_plain_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a cell value H801200001001 that must not be logged")

    monkeypatch.setattr(validation, "parse_date", broken)
    monkeypatch.setitem(validation.PARSERS, "date", broken)
    with pytest.raises(UploadError, match="unexpected problem in SEND Lens itself"):
        read_upload((FIXTURES / "utf8_bom.csv").read_bytes(), "utf8_bom.csv", "ehc_tracker")


def test_limits_are_what_the_messages_say() -> None:
    assert readers.MAX_BYTES == 20 * 1024 * 1024
    assert readers.MAX_COLUMNS == 250


def test_every_lookalike_of_one_id_is_one_child() -> None:
    """Each look-alike spelling of CSC-1, uploaded on its own, gets CSC-1's pseudonym; and
    all of them in one extract are caught as the same child (rows 3 to 12 point at row 2)."""
    from scripts.make_bad_uploads import COHORT, LOOKALIKE_IDS, csv_bytes

    pseudonyms = set()
    for variant in LOOKALIKE_IDS:
        data = csv_bytes([COHORT, ["social care", "", "", "", variant, "", "", ""]])
        pseudonyms |= set(read_upload(data, "one.csv", "cohort", today=TODAY)["local_id"])
    assert len(pseudonyms) == 1
    with pytest.raises(UploadError) as caught:
        read_upload((FIXTURES / "lookalike_ids.csv").read_bytes(), "l.csv", "cohort", today=TODAY)
    rows = [p.row for p in caught.value.problems if "already appears in row 2" in p.message]
    assert rows == list(range(3, 2 + len(LOOKALIKE_IDS)))


def test_identifiers_in_free_text_are_never_echoed() -> None:
    for name, kind in (
        ("upn_in_commentary.csv", "kpi_return"),
        ("nhs_number_in_outcome.csv", "outcomes_return"),
    ):
        with pytest.raises(UploadError) as caught:
            read_upload((FIXTURES / name).read_bytes(), name, kind, today=TODAY)
        shown = " ".join(f"{p.value} {p.message}" for p in caught.value.problems)
        for secret in ("H801200001001", "801200001001", "943 476 5919", "9434765919"):
            assert secret not in shown


def test_carriage_return_line_endings_count_as_rows() -> None:
    """300,000 rows ended by CR alone: refused by the row limit, as with CR LF or LF."""
    from scripts.make_bad_uploads import large_files

    data = large_files()["cr_line_endings.csv"]
    with pytest.raises(UploadError, match="has 300,003 rows; the most SEND Lens reads at once"):
        read_upload(data, "cr.csv", "ehc_tracker", today=TODAY)
