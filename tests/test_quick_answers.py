"""Quick answers: tables that match counts made independently from the example files, the
small-number rule and secondary disclosure, published figures as the query API gives them, and
downloads (CSV, XLSX, DOCX) in which no text can run as a formula."""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

import indicators
from analysis.disclosure import SmallNumberRule
from reports import quick_answers as qa
from store.local_data import kpi_rows
from uploads.intake import read_upload

DEMO = Path(__file__).resolve().parent.parent / "data/demo"
SHROPSHIRE, BRADFORD = "E06000051", "E08000032"
NEEDS = {
    "ASD": "Autistic spectrum disorder",
    "MLD": "Moderate learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
}


@pytest.fixture(scope="module")
def tracker() -> pd.DataFrame:
    data = (DEMO / "demo_ehc_tracker.csv").read_bytes()
    return read_upload(data, "demo_ehc_tracker.csv", "ehc_tracker")


def raw_tracker() -> list[dict[str, str]]:
    with open(DEMO / "demo_ehc_tracker.csv", newline="") as f:
        return list(csv.DictReader(f))


def round5(n: int) -> int:
    return 5 * ((n + 2) // 5)  # halves up: 12.5 would be 15 (whole counts never land on .5)


def test_requests_by_need_match_an_independent_count(tracker):
    # Counted from the CSV with the csv module: requests received in 2024 (dd/mm/2024).
    counts = Counter(
        r["primary_need"] for r in raw_tracker() if r["request_date"].endswith("/2024")
    )
    assert sum(counts.values()) == 211
    answer = qa.records_answer(
        tracker, "ehc_tracker", "requests", "2024", breakdown="primary_need", source="Example"
    )
    table = answer.table.set_index("Primary need")
    for code, name in NEEDS.items():  # the needs with more than 7 requests: rounded to 5
        assert counts[code] > 7 and table.at[name, qa.NUMBER] == round5(counts[code])
    small = [c for c, n in counts.items() if n <= 7]
    assert len(small) == 8  # HI, MSI, OTH, PD, PMLD, SLD, SPLD, VI: every one hidden
    assert table[qa.NUMBER].isna().sum() == 8
    assert table.at[qa.TOTAL, qa.NUMBER] == 210  # 211 rounded
    # Shares come from the shown figures: 70 of 210.
    assert table.at["Autistic spectrum disorder", qa.SHARE] == pytest.approx(33.3)
    assert "about 210 requests for an EHC needs assessment" in answer.reply
    assert "Autistic spectrum disorder (about 70)" in answer.reply


def test_filters_and_periods_match_an_independent_count(tracker):
    # Plans issued in financial year 2024/25 (April 2024 to March 2025) for Autism.
    def in_fy(text: str) -> bool:
        if not text:
            return False
        _, m, y = (int(x) for x in text.split("/"))
        return (y == 2024 and m >= 4) or (y == 2025 and m <= 3)

    rows = [r for r in raw_tracker() if in_fy(r["issue_date"]) and r["primary_need"] == "ASD"]
    answer = qa.records_answer(
        tracker,
        "ehc_tracker",
        "plans_issued",
        "2024/25",
        "financial",
        filters={"primary_need": ["Autistic spectrum disorder"]},
        source="Example",
    )
    assert len(answer.table) == 1
    assert answer.table[qa.NUMBER].iloc[0] == round5(len(rows))
    assert "financial year 2024/25" in answer.question and "autistic" in answer.reply.lower()


def test_decisions_not_to_assess_by_age_phase(tracker):
    # Age at request from the upload (dates of birth are replaced by age on arrival).
    frame = tracker.copy()
    decided = pd.to_datetime(frame["decision_date"])
    picked = frame[(decided.dt.year == 2024) & (frame["decision"] == "not assess")]
    phases = Counter(
        "Age 5 to 10" if 5 <= a <= 10 else "Age 11 to 15" if 11 <= a <= 15 else "other"
        for a in picked["age"]
    )
    answer = qa.records_answer(
        tracker, "ehc_tracker", "decided_not_to_assess", "2024", breakdown="age_phase", source="x"
    )
    table = answer.table.set_index("Age phase")
    assert len(picked) > 7
    assert table.at[qa.TOTAL, qa.NUMBER] == round5(len(picked))
    for phase in ("Age 5 to 10", "Age 11 to 15"):
        shown = table[qa.NUMBER].get(phase)
        if phases[phase] <= 7:
            assert pd.isna(shown)
        else:
            assert pd.isna(shown) or shown == round5(phases[phase])


def test_no_hidden_cell_can_be_worked_out_from_the_total():
    # Brute force: every table of three groups with counts 0-19. For each table as shown whose
    # total is at most 15 (so every true table behind it lies inside the search), each hidden
    # cell must fit at least two of the true tables that give it.
    rule = SmallNumberRule()
    seen: dict[tuple, list[tuple[int, ...]]] = {}
    for counts in itertools.product(range(20), repeat=3):
        parts, total = qa.protect_counts(counts, rule)
        seen.setdefault((*parts, total), []).append(counts)
    checked = 0
    for key, truths in seen.items():
        if key[-1] is None or key[-1] > 15:
            continue
        for i, value in enumerate(key[:3]):
            if value is None:
                checked += 1
                assert len({t[i] for t in truths}) > 1, (key, truths)
    assert checked > 50
    # And the single-cell case the rule exists for: 20 and 3 would give 3 away from a total of
    # 23 shown exactly; rounded, the 3 sits among 1 to 7 whatever its neighbour.
    shown = qa.protected_counts(pd.Series([20, 3], index=["a", "b"]), rule, "g")
    assert shown[qa.NUMBER].tolist()[0] == 20 and pd.isna(shown[qa.NUMBER].tolist()[1])


def test_published_breakdown_equals_the_query_api(national):
    answer = qa.indicator_answer(national, "ehc_plans", SHROPSHIRE, "2024/25", breakdown="age")
    table = answer.table.set_index("Age")
    for age in ("under 3", "5", "16", "25"):
        expected = indicators.value(
            "ehc_plans", SHROPSHIRE, "2024/25", f"age={age}", table=national
        )
        assert table.at[age, "Value"] == expected
    # The total row is the area's published total, and the published ages add up to it.
    assert table.at[qa.TOTAL, "Value"] == 3016
    assert table.drop(index=qa.TOTAL)["Value"].sum() == 3016
    assert list(table.index[:3]) == ["under 3", "3", "4"]  # ages in number order
    assert "published" in answer.protection and "SEN2" in answer.source


def test_every_la_in_the_region_and_every_year(national):
    answer = qa.indicator_answer(
        national, "ehc_plans", SHROPSHIRE, "2024/25", breakdown=qa.BY_AREAS
    )
    table = answer.table.set_index("Area")
    assert len(table) == 15  # 14 West Midlands LAs and the region's total
    assert table.at[qa.TOTAL, "Value"] == indicators.value(
        "ehc_plans", "E12000005", "2024/25", table=national
    )
    years = qa.indicator_answer(national, "ehc_plans", SHROPSHIRE, None, breakdown=qa.BY_YEAR)
    series = indicators.series("ehc_plans", SHROPSHIRE, table=national)
    assert years.table["Period"].tolist() == series["period"].tolist()
    assert years.table["Value"].tolist() == series["value"].tolist()


def test_an_unknown_period_is_named(national):
    with pytest.raises(ValueError, match="2099/00"):
        qa.indicator_answer(national, "ehc_plans", SHROPSHIRE, "2099/00")
    with pytest.raises(ValueError, match="20x4"):
        qa.period_bounds("20x4", "calendar")


def test_the_areas_own_return_gets_the_rule():
    data = (DEMO / "demo_kpi_return_areas.csv").read_bytes()
    rows, _ = kpi_rows(read_upload(data, "demo_kpi_return_areas.csv", "kpi_return"), "local")
    with open(DEMO / "demo_kpi_return_areas.csv", newline="") as f:
        raw = {
            r["area_code"]: float(r["value"])
            for r in csv.DictReader(f)
            if r["indicator"] == "short_breaks" and r["area_level"] == "ward"
        }
    answer = qa.indicator_answer(
        rows, "local:short_breaks", BRADFORD, "2024/25", breakdown=qa.BY_AREAS, area_level="ward"
    )
    table = answer.table
    parts = table[table["Area"] != qa.TOTAL]
    assert len(parts) == len(raw) == 30
    hidden = parts["Value"].isna().sum()
    assert hidden == sum(1 for v in raw.values() if 1 <= v <= 7)
    assert set(parts["Value"].dropna()) <= {float(round5(int(v))) for v in raw.values()}
    total = table.loc[table["Area"] == qa.TOTAL, "Value"].iloc[0]
    assert total == round5(int(sum(raw.values())))
    assert "rounded to the nearest 5" in answer.reply


def hostile_answer() -> qa.QuickAnswer:
    return qa.QuickAnswer(
        question='=HYPERLINK("http://x")',
        table=pd.DataFrame(
            {"Group": ["=1+1", "@SUM(A1)", qa.TOTAL], qa.NUMBER: [10.0, None, 15.0]}
        ),
        definition="+cmd",
        source="-2",
        reply="=evil()",
        protection="@x",
        units={qa.NUMBER: "count"},
    )


def test_csv_escapes_formulas_and_carries_the_footer():
    text = qa.answer_csv(hostile_answer()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ['\'=HYPERLINK("http://x")']
    assert rows[1] == ["Group", qa.NUMBER]
    assert rows[2] == ["'=1+1", "10.0"] and rows[3] == ["'@SUM(A1)", ""]
    footer = {r[0]: r[1] for r in rows if len(r) == 2 and r[0] in ("Definition", "Source", "Reply")}
    assert footer == {"Definition": "'+cmd", "Source": "'-2", "Reply": "'=evil()"}


def test_xlsx_stores_numbers_and_no_formulas():
    book = openpyxl.load_workbook(io.BytesIO(qa.answer_xlsx(hostile_answer())))
    sheet = book["Answer"]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    (table,) = sheet.tables.values()
    cells = list(sheet[table.ref])
    assert [c.value for c in cells[0]] == ["Group", qa.NUMBER]
    assert cells[1][0].value == "'=1+1" and cells[1][1].value == 10
    assert cells[1][1].data_type == "n" and cells[1][1].number_format == "#,##0"
    assert cells[2][1].value is None


def test_docx_holds_the_question_reply_and_table(tracker):
    answer = qa.records_answer(
        tracker, "ehc_tracker", "requests", "2024", breakdown="primary_need", source="Example"
    )
    document = docx.Document(io.BytesIO(qa.answer_docx(answer)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == answer.question and answer.reply in texts
    assert document.paragraphs[0].style.name == "Heading 1"
    (grid,) = document.tables
    assert [c.text for c in grid.rows[0].cells] == list(answer.table.columns)
    last = [c.text for c in grid.rows[-1].cells]
    assert last[:2] == [qa.TOTAL, "210"]
    assert document.core_properties.language == "en-GB"
    # Docx has no formulas, but text is kept as written: the hostile answer is plain text.
    hostile = docx.Document(io.BytesIO(qa.answer_docx(hostile_answer())))
    assert hostile.paragraphs[0].text == '=HYPERLINK("http://x")'


def test_a_cross_of_two_breakdowns_and_every_region(national):
    assert qa.breakdown_keys(national, "social_care_sen_pct") == ["social_care_group;sen_provision"]
    assert not qa.has_totals(national, "social_care_sen_pct")
    answer = qa.indicator_answer(
        national,
        "social_care_sen_pct",
        SHROPSHIRE,
        "2021/22",
        breakdown="social_care_group;sen_provision",
    )
    table = answer.table.set_index("Social care group and sen provision")
    # Three groups (CINO, CPPO, CLA 12 months) by two provisions; no total is published.
    assert len(table) == 6 and qa.TOTAL not in table.index
    group = "CINO at 31 March, EHC plan"
    expected = indicators.value(
        "social_care_sen_pct",
        SHROPSHIRE,
        "2021/22",
        "social_care_group=CINO at 31 March;sen_provision=EHC plan",
        table=national,
    )
    assert table.at[group, "Value"] == expected
    regions = qa.indicator_answer(
        national, "ehc_plans", SHROPSHIRE, "2024/25", breakdown=qa.BY_AREAS, area_level="region"
    )
    shown = regions.table.set_index("Area")
    assert len(shown) == 10  # nine regions and England's total
    assert shown.at[qa.TOTAL, "Value"] == indicators.value(
        "ehc_plans", "E92000001", "2024/25", table=national
    )
