"""School census loader: checked against data/schools/england_census.xlsx, sheet "england"."""

from __future__ import annotations

import pandas as pd
import pytest

import tidy
from data_loaders.national import schools
from geography import areas
from geography.school_register import school_register


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return schools.load_school_census()


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return school_register()


def _row(table: pd.DataFrame, indicator: str, urn: str) -> pd.Series:
    sel = table[(table["indicator"] == indicator) & (table["area_code"] == urn)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["area_level"]) == {"school"}
    assert set(table["period"]) == {"2023/24"}
    assert set(table["indicator"]) == {"school_ehc_pct", "school_sen_support_pct"}
    assert "NAT" not in set(table["area_code"])
    assert table["area_code"].str.fullmatch(r"\d+").all()


def test_national_totals_match_january_2024(table: pd.DataFrame) -> None:
    # DfE, Special educational needs in England, January 2024 (and SOURCES.md): 433,954 pupils
    # with an EHC plan and 1,238,715 on SEN support in schools.
    sums = table.groupby("indicator")["numerator"].sum()
    assert sums["school_ehc_pct"] == 433_954
    assert sums["school_sen_support_pct"] == 1_238_715
    assert table.groupby("indicator").size().eq(24_444).all()  # 24,447 rows less 3 NAT rows


def test_one_school_by_hand(table: pd.DataFrame) -> None:
    # Sheet row 2: URN 100000, LA 201, NOR 244, TSENELSE 11, PSENELSE 0.0450819672131,
    # TSENELK 59, PSENELK 0.2418032786885.
    ehc = _row(table, "school_ehc_pct", "100000")
    assert (ehc["numerator"], ehc["denominator"]) == (11, 244)
    assert ehc["value"] == pytest.approx(4.50819672131)
    support = _row(table, "school_sen_support_pct", "100000")
    assert (support["numerator"], support["denominator"]) == (59, 244)
    assert support["value"] == pytest.approx(24.18032786885)


def test_published_share_agrees_with_counts(table: pd.DataFrame) -> None:
    has_pupils = table[table["denominator"] > 0]
    computed = 100 * has_pupils["numerator"] / has_pupils["denominator"]
    assert (computed - has_pupils["value"]).abs().max() < 1e-6


def test_register(register: pd.DataFrame) -> None:
    assert len(register) == 24_444 and register["urn"].is_unique
    assert register["la_code"].notna().all()
    assert set(register["la_code"]) == set(areas.current_las()["la_code"])
    # Sheet row 2 (URN 100000) is in LA 201, the City of London.
    first = register.set_index("urn").loc["100000"]
    assert first["la_code"] == "E09000001" and first["school_type"] == "State-funded primary"
    assert first["name"] == "The Aldgate School"
    assert (first["easting"], first["northing"]) == (533498, 181201)


def test_schools_without_coordinates_are_kept(register: pd.DataFrame) -> None:
    no_coords = register["easting"].isna()
    # 815 census schools are not in the GIAS extract; a few more have no coordinates there.
    assert no_coords.sum() == 879
    assert register.loc[no_coords, "urn"].notna().all()


def test_a_census_column_with_a_symbol_keeps_its_status(tmp_path, monkeypatch) -> None:
    """The census columns are read straight into numbers when they hold numbers only; a
    suppression symbol in one must still become a missing value saying why, as read_census
    reads it (a fastexcel column of numbers would make the symbol a plain blank, and one of
    text would keep fewer digits of the numbers)."""
    import openpyxl

    from geography import school_register

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "england"
    sheet.append(["URN", "LA", "NOR", "TSENELSE", "PSENELSE", "TSENELK", "PSENELK"])
    sheet.append([100000, 201, 244, 11, 11 / 244, 59, 59 / 244])
    sheet.append([100001, 201, 12, "c", "c", 3, 0.25])
    sheet.append(["NAT", None, 256, 11, 0.04296875, 62, 0.2421875])
    path = tmp_path / "census.xlsx"
    book.save(path)
    monkeypatch.setattr(schools, "CENSUS_FILE", path)
    monkeypatch.setattr(school_register, "CENSUS_FILE", path)
    school_register.read_census.cache_clear()
    try:
        table = schools.load_school_census()
    finally:
        school_register.read_census.cache_clear()
    assert sorted(set(table["area_code"])) == ["100000", "100001"]  # "NAT" rows dropped
    hidden = _row(table, "school_ehc_pct", "100001")
    assert hidden["status"] == "suppressed" and pd.isna(hidden["value"])
    assert _row(table, "school_sen_support_pct", "100001")["value"] == 25.0
    # Every digit the file holds (text from fastexcel would keep fewer).
    assert _row(table, "school_ehc_pct", "100000")["value"] == pytest.approx(1100 / 244, rel=1e-14)
