"""The typed reader (``readers.read_typed``) is a shortcut, never a second opinion: for every
XLSX the tests feed ``read_upload`` the table, or the problems with their sheet, row, column,
value and message, are exactly those of the cell-by-cell path (``read_sheet``); and the
shortcut is really taken for plain sheets, so the comparison is not empty."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scripts.make_bad_uploads import EHC, GOOD_EHC, ehc_row, upn, xlsx
from uploads import intake, readers
from uploads.intake import UploadError, read_upload
from uploads.schemas import KINDS

FIXTURES = Path(__file__).parent / "fixtures" / "bad_uploads"
WORKBOOKS = sorted(p.name for p in FIXTURES.glob("*.xlsx"))
TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


def _outcome(data: bytes, name: str, kind: str) -> Any:
    try:
        table = read_upload(data, name, kind, today=TODAY)
    except UploadError as exc:
        return [dataclasses.astuple(p) for p in exc.problems]
    return table, {k: v for k, v in table.attrs.items() if k != "timings"}


def _both_ways(monkeypatch: pytest.MonkeyPatch, data: bytes, name: str, kind: str) -> bool:
    """Read once with the typed reader allowed and once without; assert the same outcome and
    say whether the typed reader was used."""
    used = []
    typed_sheet = intake._typed_sheet

    def spy(*args: Any) -> readers.TypedSheet | None:
        used.append(typed := typed_sheet(*args))
        return typed

    monkeypatch.setattr(intake, "_typed_sheet", spy)
    fast = _outcome(data, name, kind)
    monkeypatch.setattr(intake, "_typed_sheet", lambda *args: None)
    slow = _outcome(data, name, kind)
    monkeypatch.setattr(intake, "_typed_sheet", typed_sheet)
    if isinstance(slow, list):
        assert fast == slow
    else:
        assert not isinstance(fast, list), fast
        pd.testing.assert_frame_equal(fast[0], slow[0])
        assert fast[1] == slow[1]
    return any(t is not None for t in used)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_workbook_fixture_reads_the_same_as_every_kind(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    data = (FIXTURES / name).read_bytes()
    for kind in KINDS:
        _both_ways(monkeypatch, data, name, kind)


def _cohort(rows: int, **change: Any) -> list[list[Any]]:
    schema = KINDS["cohort"]
    out: list[list[Any]] = [list(schema.names)]
    for i in range(rows):
        row = {
            "agency": "education",
            "upn": upn(f"8012000{i:05d}"),
            "local_id": f"ED{i:05d}",
            "extract_date": date(2025, 3, 31),
            "date_of_birth": date(2010, 1, 1 + i % 28),
            "sen_status": "EHC plan",
            "primary_need": "ASD",
            "school_urn": "100000",
            "ward_code": "E05001234",
            **{c.name: "no" for c in schema.columns if c.is_flag},
        }
        out.append([change.get(c, {}).get(i, row.get(c)) for c in schema.names])
    return out


def test_plain_sheets_take_the_typed_reader_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = xlsx({"Data": _cohort(40)})
    assert _both_ways(monkeypatch, good, "cohort.xlsx", "cohort")
    # Problems found in typed columns: a check letter, a need, a date of birth in the future,
    # a duplicate, a blank required cell; every one located and worded as before.
    right = upn("801200000003")
    bad = xlsx(
        {
            "Data": _cohort(
                40,
                upn={3: ("B" if right[0] != "B" else "C") + right[1:]},
                primary_need={5: "Unknown need"},
                date_of_birth={7: date(2026, 1, 1)},
                local_id={9: "ED00008"},
                agency={11: None},
            )
        }
    )
    assert _both_ways(monkeypatch, bad, "cohort.xlsx", "cohort")
    with pytest.raises(UploadError) as caught:
        read_upload(bad, "cohort.xlsx", "cohort", today=TODAY)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert {(5, "upn"), (7, "primary_need"), (9, "date_of_birth"), (11, "local_id")} <= located
    assert (13, "agency") in located
    ehc = xlsx({"Data": [EHC, *GOOD_EHC, ehc_row("LOCAL-18", decision_date=None)]})
    assert _both_ways(monkeypatch, ehc, "ehc.xlsx", "ehc_tracker")


def test_numbers_keep_every_digit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KPI value of a third is read to the last bit, as the cell-by-cell path reads it."""
    names = KINDS["kpi_return"].names
    row = {"indicator": "ehc_20wk_pct", "period": "2024", "area_level": "la"}
    row |= {"area_code": "E08000032", "value": 1 / 3}
    data = xlsx({"Data": [list(names), [row.get(c) for c in names]]})
    assert _both_ways(monkeypatch, data, "kpi.xlsx", "kpi_return")
    assert read_upload(data, "kpi.xlsx", "kpi_return", today=TODAY)["value"][0] == 1 / 3


@pytest.mark.parametrize(
    "why, rows",
    [
        ("text in a date column", _cohort(5, extract_date={2: "31/03/2025"})),
        ("a time of day", _cohort(5, extract_date={2: time(9, 30)})),
        ("a number among dates", _cohort(5, date_of_birth={1: 40000})),
        ("title row above the headings", [["Cohort extract, March 2025"], *_cohort(5)]),
        ("blank first row", [[None], *_cohort(5)]),
        ("a heading twice", [[*r, r[1]] for r in _cohort(5)]),
        ("a date-time", _cohort(5, extract_date={1: datetime(2025, 3, 31, 14, 5)})),
    ],
)
def test_anything_unusual_reads_cell_by_cell_as_before(
    monkeypatch: pytest.MonkeyPatch, why: str, rows: list[list[Any]]
) -> None:
    data = xlsx({"Data": rows})
    taken = _both_ways(monkeypatch, data, "cohort.xlsx", "cohort")
    # A date-time is one type of cell: typed, and still the same table.
    assert taken == (why == "a date-time"), why


def test_merged_and_hidden_sheets_are_never_typed() -> None:
    for name in ("merged_header_cells.xlsx", "hidden_rows.xlsx", "title_rows.xlsx"):
        book = readers.open_upload((FIXTURES / name).read_bytes(), name)
        sheet = "Data" if "Data" in book.sheets else book.sheets[0]
        assert readers.read_typed(book, sheet, lambda heading: True) is None, name


def test_a_panic_in_the_typed_reader_falls_back_to_the_cell_by_cell_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Rust panic reaches Python as pyo3's PanicException, a BaseException that would pass
    every ``except Exception``; the typed reader turns it into "not plain"."""
    import fastexcel

    class PanicException(BaseException):
        pass

    def panics(data: bytes) -> None:
        raise PanicException("index out of bounds")

    data = xlsx({"Data": _cohort(3)})
    expected = read_upload(data, "cohort.xlsx", "cohort", today=TODAY)
    monkeypatch.setattr(fastexcel, "read_excel", panics)
    book = readers.open_upload(data, "cohort.xlsx")
    assert readers.read_typed(book, "Data", lambda heading: True) is None
    pd.testing.assert_frame_equal(read_upload(data, "cohort.xlsx", "cohort", today=TODAY), expected)
