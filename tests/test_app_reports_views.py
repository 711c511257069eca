"""The Reports page's data book and quick answers views, run with Streamlit's AppTest: what a
user picks reaches the document, and the area's own records are counted and protected."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import openpyxl
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def databook_script():
    from ui.reports.databook_view import render_databook

    render_databook("E06000051")


def quick_answers_script():
    import streamlit as st

    from ui.examples import load_examples
    from ui.reports.quick_answers import render_quick_answers

    st.button("Load the example data", key="load", on_click=load_examples)
    render_quick_answers(st.session_state.get("area.la", "E06000051"))


def reply(at: AppTest) -> str:
    (area,) = [t for t in at.text_area if t.label == "Reply (copy into your response)"]
    return str(area.value)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_data_book_view_builds_the_chosen_book(national, downloads):
    at = ok(AppTest.from_function(databook_script, default_timeout=120).run())
    assert at.selectbox(key="reports.book.set").value == "Statistical neighbours (DfE 2025)"
    at.selectbox(key="reports.book.set").set_value("Same region only")
    at.radio(key="reports.book.years").set_value("Last 3 years")
    ok(at.run())
    # Shropshire's 2025 neighbours in the West Midlands: Staffordshire, Herefordshire and
    # Worcestershire.
    (caption,) = [c.value for c in at.caption if c.value.startswith("Comparators:")]
    assert caption == "Comparators: Staffordshire, Herefordshire, County of, Worcestershire."
    book = openpyxl.load_workbook(io.BytesIO(downloads["send_lens_databook_E06000051.xlsx"]()))
    sheet = next(s for s in book.worksheets if s.title.startswith("2 "))  # plans per 10,000
    periods, roles = set(), Counter()
    header = None
    for row in sheet.iter_rows(values_only=True):
        if row[0] == "Period":
            header = list(row)
            continue
        if header and row[0]:
            periods.add(row[0])
            roles[row[header.index("Compared as")]] += 1
    assert periods == {"2022/23", "2023/24", "2024/25"}
    assert roles["Comparator"] == 3 * 3 and roles["This area"] == 3


def test_quick_answer_from_a_published_indicator(national, store_dir, downloads):
    at = ok(AppTest.from_function(quick_answers_script, default_timeout=90).run())
    at.selectbox(key="reports.qa.indicator").set_value("ehc_plans")
    ok(at.run())
    at.selectbox(key="reports.qa.by").set_value("By age")
    at.selectbox(key="reports.qa.period").set_value("2024/25")
    ok(at.run())
    table = at.dataframe[0].value.set_index("Age")
    assert table.at["Total", "Value"] == "3,016" and table.at["under 3", "Value"] == "3"
    assert "January 2025" in at.subheader[0].value
    assert "under 3: 3, 3: 46" in reply(at)
    docx_bytes = downloads["send_lens_answer_E06000051.docx"]()
    assert docx_bytes[:2] == b"PK"


def test_quick_answer_from_the_areas_own_tracker(national, store_dir, downloads):
    at = ok(AppTest.from_function(quick_answers_script, default_timeout=90).run())
    at.button(key="load").click().run()
    at.radio(key="reports.qa.from").set_value("Your area's own data")
    ok(at.run())
    assert "tracker" in at.selectbox(key="reports.qa.dataset").value.lower()
    at.selectbox(key="reports.qa.measure").set_value("requests")
    at.selectbox(key="reports.qa.period_type").set_value("calendar")
    ok(at.run())
    at.selectbox(key="reports.qa.own_period").set_value("2024")
    at.selectbox(key="reports.qa.own_by").set_value("primary_need")
    ok(at.run())
    with open(ROOT / "data/demo/demo_ehc_tracker.csv", newline="") as f:
        counts = Counter(
            r["primary_need"] for r in csv.DictReader(f) if r["request_date"].endswith("/2024")
        )
    table = at.dataframe[0].value.set_index("Primary need")
    assert counts["ASD"] == 69 and table.at["Autistic spectrum disorder", "Number"] == "70"
    assert counts["HI"] == 4 and table.at["Hearing impairment", "Number"] == ""
    assert table.at["Hearing impairment", "Note"] == "hidden to protect small numbers"
    assert table.at["Total", "Number"] == "210"
    assert "about 210 requests" in reply(at)
    xlsx = downloads["send_lens_answer_E08000032.xlsx"]()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["Answer"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert 70 in values and 210 in values and 69 not in values and 211 not in values
