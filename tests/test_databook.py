"""The data book: its numbers are the query API's and the Benchmarking page's, stored as numbers,
in Excel tables, and no text in it can run as a formula."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

import indicators
from analysis import benchmark, ranking
from reports import databook

SHROPSHIRE = "E06000051"
# A percentage, a rate, a count and an indicator published only by breakdown.
SOME = ["ehc_requests_6wk_pct", "ehc_plans_rate", "ehc_requests", "absence_overall_pct"]


@pytest.fixture(scope="module")
def book(national):
    return databook.databook(SHROPSHIRE, national, indicator_ids=SOME)


@pytest.fixture(scope="module")
def workbook(book):
    return openpyxl.load_workbook(io.BytesIO(databook.write_xlsx(book)))


def sheet_of(book: databook.DataBook, indicator_id: str) -> str:
    contents = book.contents
    return str(contents.loc[contents["Indicator id"] == indicator_id, "Sheet"].iloc[0])


def table_rows(sheet) -> list[dict[str, object]]:
    """The rows of the sheet's one Excel table, as dicts keyed by its header."""
    (table,) = sheet.tables.values()
    cells = list(sheet[table.ref])
    header = [c.value for c in cells[0]]
    return [dict(zip(header, (c.value for c in row))) for row in cells[1:]]


def test_shropshire_decisions_in_six_weeks_by_hand(book):
    # SEN2 2025 release, Shropshire, calendar year 2024: 614 of 871 decisions in 6 weeks,
    # published as 70.5%. Wilson 95%: centre (p + z²/2n) / (1 + z²/n), half-width as below.
    frame = book.sheets[sheet_of(book, "ehc_requests_6wk_pct")]
    row = frame[(frame["Period"] == "2024") & (frame["Area code"] == SHROPSHIRE)].iloc[0]
    assert (row["Numerator"], row["Denominator"], row["Value"]) == (614, 871, 70.5)
    z, n, p = 1.959963984540054, 871, 614 / 871
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert row["Lower 95% limit"] == pytest.approx(100 * (centre - half), abs=1e-9)
    assert row["Upper 95% limit"] == pytest.approx(100 * (centre + half), abs=1e-9)
    # England's 84.8% lies above Shropshire's whole interval (67.4 to 73.4): worse.
    assert row["Against England"] == "worse"
    assert row["Compared as"] == databook.THIS_AREA


def test_values_equal_the_query_api(book, workbook, national):
    for indicator_id in ["ehc_requests_6wk_pct", "ehc_plans_rate", "ehc_requests"]:
        rows = table_rows(workbook[sheet_of(book, indicator_id)])
        assert rows, indicator_id
        for row in rows:
            expected = indicators.value(
                indicator_id, str(row["Area code"]), str(row["Period"]), table=national
            )
            assert row["Value"] == pytest.approx(expected), (indicator_id, row)
            assert isinstance(row["Value"], (int, float))
        own = indicators.series(indicator_id, SHROPSHIRE, table=national)
        own = own[own["value"].notna()]
        mine = [r for r in rows if r["Area code"] == SHROPSHIRE]
        assert [r["Period"] for r in mine] == own["period"].tolist()
        for r, (_, s) in zip(mine, own.iterrows()):
            for col, key in (("Numerator", "numerator"), ("Denominator", "denominator")):
                if pd.isna(s[key]):
                    assert r[col] is None
                else:
                    assert r[col] == pytest.approx(float(s[key]))


def test_statistics_equal_the_benchmarking_pages(book, national):
    label, comparators = databook.default_comparators(SHROPSHIRE)
    assert label == "Statistical neighbours (DfE 2025)" and len(comparators) == 10
    for indicator_id in ["ehc_requests_6wk_pct", "ehc_plans_rate"]:
        frame = book.sheets[sheet_of(book, indicator_id)]
        for period in frame["Period"].unique():
            mine = benchmark.compare(national, indicator_id, SHROPSHIRE, period, comparators)
            at = frame[frame["Period"] == period].set_index("Area code")
            own = at.loc[SHROPSHIRE]
            assert (own["Rank"], own["Of LAs ranked"]) == (mine.rank, mine.ranked)
            assert own["Quartile band"] == (mine.quartile or "")
            assert own["Against England"] == mine.england.judgement
            assert own["Against comparators"] == mine.neighbours.judgement
            for code in comparators:
                if code not in at.index:
                    continue
                theirs = benchmark.compare(national, indicator_id, code, period, [])
                assert at.loc[code, "Rank"] == theirs.rank
                assert at.loc[code, "Quartile band"] == (theirs.quartile or "")
                assert at.loc[code, "Against England"] == theirs.england.judgement
        # Every member's trend, tested from the members' rows read once, as the page tests it.
        for code in [SHROPSHIRE, *comparators, "E92000001"]:
            trend = benchmark.trend(national, indicator_id, code).verdict
            assert set(frame.loc[frame["Area code"] == code, "Recent trend"]) == {trend}, code


def test_every_member_appears(book):
    frame = book.sheets[sheet_of(book, "ehc_plans_rate")]
    latest = frame[frame["Period"] == frame["Period"].iloc[-1]]
    # Shropshire, its 10 neighbours, the West Midlands and England.
    assert latest["Compared as"].value_counts().to_dict() == {
        "Comparator": 10,
        "This area": 1,
        "Region": 1,
        "England": 1,
    }
    assert set(latest.loc[latest["Compared as"] == "Region", "Area code"]) == {"E12000005"}


def test_an_indicator_published_by_breakdown_only(book, national):
    frame = book.sheets[sheet_of(book, "absence_overall_pct")]
    assert set(frame["Breakdown"]) == {"All SEN", "EHC plan", "No SEN", "SEN support"}
    row = frame[
        (frame["Breakdown"] == "EHC plan")
        & (frame["Area code"] == SHROPSHIRE)
        & (frame["Period"] == "2022/23")
    ].iloc[0]
    expected = indicators.value(
        "absence_overall_pct", SHROPSHIRE, "2022/23", "sen_provision=EHC plan", table=national
    )
    assert row["Value"] == pytest.approx(expected)
    # Ranked among LAs' values of the same breakdown.
    at = indicators.snapshot(
        "absence_overall_pct", "2022/23", breakdown="sen_provision=EHC plan", table=national
    )
    current = set(benchmark._current())
    values = {c: v for c, v in zip(at["area_code"], at["value"]) if c in current}
    assert row["Rank"] == ranking.rank(values, SHROPSHIRE, "low")[0]


def test_workbook_layout(book, workbook):
    names = workbook.sheetnames
    assert names[0] == "Contents" and names[-2:] == ["Definitions", "Sources"]
    assert len(names) == len(set(names)) and all(len(n) <= 31 for n in names)
    for name in names:
        assert len(workbook[name].tables) == 1, name
    # The contents links to each indicator's sheet.
    links = {
        c.hyperlink.location for row in workbook["Contents"].iter_rows() for c in row if c.hyperlink
    }
    assert {f"'{s}'!A1" for s in book.sheets} <= links
    # Numbers are numbers with a format that shows the unit.
    pct = table_rows(workbook[sheet_of(book, "ehc_requests_6wk_pct")])
    assert all(isinstance(r["Value"], (int, float)) for r in pct if r["Value"] is not None)
    sheet = workbook[sheet_of(book, "ehc_requests_6wk_pct")]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "Period")
    value_col = [c.value for c in header_row].index("Value")
    first = sheet.cell(row=header_row[0].row + 1, column=value_col + 1)
    assert first.number_format == '0.0"%"' and first.data_type == "n"
    definitions = table_rows(workbook["Definitions"])
    assert {r["Indicator id"] for r in definitions} == set(SOME)
    sources = table_rows(workbook["Sources"])
    assert "sen2_2025" in {r["Source key"] for r in sources}


def test_no_text_runs_as_a_formula():
    hostile = pd.DataFrame(
        {c: [""] for c in databook.INDICATOR_COLUMNS}
        | {"Area": ['=HYPERLINK("http://x","click")'], "Note": ["+1+1"], "Value": [1.5]}
    )
    book = databook.DataBook(
        area=SHROPSHIRE,
        area_name="@SUM(A1)",
        comparator_label="-2+3",
        comparators=(),
        made=pd.Timestamp("2026-01-01").date(),
        contents=pd.DataFrame(
            {"Sheet": ["1 x"], "Indicator": ["=1+1"], "Unit": ["%"], "Latest value": [1.5]}
        ),
        sheets={"1 x": hostile},
        units={"1 x": "%"},
        definitions=pd.DataFrame({"Definition": ["=cmd|' /C calc'!A0"]}),
        sources=pd.DataFrame({"Title": ["@x"]}),
    )
    loaded = openpyxl.load_workbook(io.BytesIO(databook.write_xlsx(book)))
    texts = []
    for sheet in loaded.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert '\'=HYPERLINK("http://x","click")' in texts and "'+1+1" in texts


def test_bad_area_and_period_are_named(national):
    with pytest.raises(ValueError, match="E99999999"):
        databook.databook("E99999999", national, indicator_ids=SOME)
    with pytest.raises(ValueError, match="2099/00"):
        databook.databook(SHROPSHIRE, national, periods=["2099/00"], indicator_ids=SOME)


def test_periods_and_comparators_can_be_chosen(national):
    book = databook.databook(
        SHROPSHIRE,
        national,
        comparators=["E06000019", "E10000034"],
        comparator_label="Herefordshire and Worcestershire",
        periods=["2023", "2024"],
        indicator_ids=["ehc_requests_6wk_pct", "school_ehc_pct"],
    )
    frame = book.sheets[sheet_of(book, "ehc_requests_6wk_pct")]
    assert sorted(frame["Period"].unique()) == ["2023", "2024"]
    assert set(frame.loc[frame["Compared as"] == "Comparator", "Area code"]) == {
        "E06000019",
        "E10000034",
    }
    # An indicator with no LA figures gets no sheet, and the contents says why.
    missing = book.contents[book.contents["Indicator id"] == "school_ehc_pct"].iloc[0]
    assert missing["Sheet"] == "" and "no figures" in missing["Recent trend"]


def test_sheet_names_are_short_unique_and_legal():
    names = databook.sheet_names(["A/B: [C]?" + "x" * 40, "A/B: [C]?" + "x" * 40])
    assert names == [n[:31] for n in names] and len(set(names)) == 2
    assert not any(ch in n for n in names for ch in "[]:*?/\\")


def test_ranks_and_bands_agree_with_one_at_a_time(national):
    # By hand: 3 is 1st; the two 2s share 2nd; 1 is 4th (high is good).
    assert {
        k: v[:2]
        for k, v in ranking.ranks_and_bands(
            {"a": 1, "b": 2, "c": 2, "d": 3, "e": None}, "high"
        ).items()
    } == {"a": (4, 4), "b": (2, 4), "c": (2, 4), "d": (1, 4)}
    at = indicators.snapshot("ehc_requests_6wk_pct", "2024", table=national)
    values = dict(zip(at["area_code"], at["value"]))
    for polarity in ("high", "low", "none"):
        every = ranking.ranks_and_bands(values, polarity)
        for code, (rank, n, band) in every.items():
            assert (rank, n) == ranking.rank(values, code, polarity)
            assert band == ranking.quartile_band(values, code, polarity)


def test_recent_periods_keep_each_kind_of_year(national):
    assert sorted(databook.recent_periods(national, 2)) == [
        "2023/24",
        "2024",
        "2024/25",
        "2025",
        "2025-03",
        "2025-07",
    ]


def test_an_area_whose_only_row_is_not_available_gets_no_sheet(national):
    # Bradford's annual review outcomes: one row, "not_available", while other LAs publish.
    book = databook.databook(
        "E08000032", national, indicator_ids=["ehc_review_amend_pct", "ehc_plans"]
    )
    assert list(book.contents["Indicator id"]) == ["ehc_plans", "ehc_review_amend_pct"]
    assert list(book.contents["Sheet"]) == ["1 EHC plans", ""]


def test_comparator_sets_by_name():
    label, members = databook.named_comparators(SHROPSHIRE, "same  REGION only")
    assert label == "Same region only"
    assert members == ["E10000028", "E06000019", "E10000034"]  # Staffs, Herefordshire, Worcs
    assert databook.named_comparators(SHROPSHIRE)[0] == "Statistical neighbours (DfE 2025)"
    with pytest.raises(ValueError, match="Region"):
        databook.named_comparators(SHROPSHIRE, "nearby")
