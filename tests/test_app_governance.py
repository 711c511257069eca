"""The Governance and assurance page under AppTest: DfE's published figures for several LAs,
the example data in one click with tracker figures equal to ``tracker_summary`` on the same
file, RAG ratings and the exception report worked out here from the example CSV, commentary
saved and read back, and the XLSX and printable downloads."""

from __future__ import annotations

import datetime as dt
import io
import math
import tomllib

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import analysis
from store import actions
from store.datasets import Store
from store.identity import local_user
from tests.conftest import ROOT, every_visual_as_table, shown_numbers
from uploads.intake import read_upload

LOCAL = {"by": local_user(), "workspace": "local"}  # the laptop's user: admin of "local"

PAGE = "app_pages/governance.py"
DEMO = ROOT / "data/demo"
BRADFORD, CUMBERLAND = "E08000032", "E06000063"
AS_OF = dt.date(2025, 3, 31)  # the example tracker's last recorded date
TIMELY = "New EHC plans issued within 20 weeks (including exceptions)"


def _page(area: str, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = area
    if tab:
        at.session_state["gov.tab"] = tab
    at.switch_page(PAGE).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["gov.tab"] = tab
    return _ok(at.run())


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with {column!r}: {[list(d.value.columns) for d in at.dataframe]}"
    return tables[0]


def _as_table(at: AppTest, key: str) -> AppTest:
    every_visual_as_table(at)
    return _ok(at)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _with_examples(area: str = BRADFORD) -> AppTest:
    at = _page(area)
    at.button(key="gov.example.load").click().run()
    return _ok(at)


# --- national measures ---------------------------------------------------------------------------


@pytest.mark.parametrize("area", [BRADFORD, CUMBERLAND, "E06000065", "E09000001", "E06000064"])
def test_national_measures_for_every_kind_of_area(national, store_dir, area):
    at = _as_table(_page(area), "gov.national")
    name = at.title[0].value.split(": ", 1)[1]
    table = _table(at, "Measure")
    assert len(table) >= 8 and table[name].ne("not available").any()
    assert at.info and at.info[0].value.startswith(
        "In 20"
    )  # the plain-English sentence for one measure
    assert "EHC plans" in " ".join(s.value for s in at.subheader)


def test_one_measure_over_time_says_a_series_break_it_crosses(national, store_dir):
    at = _page(BRADFORD)
    # 20-week timeliness, 2015 to 2024, crosses SEN2's new series of 2023.
    assert at.selectbox(key="gov.measure").value == "ehc_20wk_pct"
    said = [c.value for c in at.caption if "Series break" in c.value]
    assert len(said) == 1 and "counted changed in 2023 (a new DfE return of EHC plans)" in said[0]
    # The tribunal appeal rate has no break: nothing said.
    at.selectbox(key="gov.measure").set_value("tribunal_appeal_rate").run()
    assert not [c.value for c in _ok(at).caption if "Series break" in c.value]


@pytest.mark.parametrize(
    ("area", "figures"),
    [
        # Published by DfE (SEN2, 2025 release) and MoJ, calendar year 2024.
        (
            BRADFORD,
            {
                TIMELY: ("88.9%", "45.9%"),
                "New EHC plans issued within 20 weeks (excluding exceptions)": ("89.6%", "46.4%"),
                "Initial requests for an EHC needs assessment": ("2,331", "154,489"),
                "Requests for assessment refused": ("28.8%", "25.2%"),
                "SEND Tribunal appeal rate": ("3.3%", "3.2%"),
                # assessments.csv.gz and requests.csv.gz (SEN2 2025), new in the catalogue:
                "Decisions not to issue a plan made within 16 weeks": ("55.7%", "34.1%"),
                "Requests for assessment that went to mediation": ("370", "10,507"),
            },
        ),
        (
            CUMBERLAND,
            {
                TIMELY: ("42.1%", "45.9%"),
                "Initial requests for an EHC needs assessment": ("718", "154,489"),
                "Requests for assessment refused": ("38.7%", "25.2%"),
            },
        ),
    ],
)
def test_published_values(national, store_dir, area, figures):
    at = _as_table(_page(area), "gov.national")
    name = at.title[0].value.split(": ", 1)[1]
    table = _table(at, "Measure").set_index("Measure")
    for measure, (own, england) in figures.items():
        assert (
            table.at[measure, "Period"],
            table.at[measure, name],
            table.at[measure, "England"],
        ) == ("2024", own, england), measure
    if area == BRADFORD:
        assert table.at[TIMELY, "Compared with England"] == "better"
        assert at.info[0].value.startswith(
            "In 2024 Bradford's figure for new EHC plans issued within 20 weeks (including exceptions) was 88.9%, "
            "significantly higher than England (45.9%)"
        )
    else:  # Cumberland began in April 2023: two years are too few for a trend test
        assert table.at[TIMELY, "Recent trend"] == "cannot be calculated"


# --- the example data, the tracker and the annual reviews ----------------------------------------


def _demo_tracker() -> pd.DataFrame:
    return read_upload(
        (DEMO / "demo_ehc_tracker.csv").read_bytes(), "demo_ehc_tracker.csv", "ehc_tracker"
    )


def test_example_data_in_one_click_matches_tracker_summary(national, store_dir):
    at = _with_examples(CUMBERLAND)
    assert "Bradford" in at.title[0].value  # the example is Bradford's, so the page goes there
    assert any("Loaded the example data" in s.value for s in at.success)
    names = Store().list_datasets(**LOCAL)["name"].tolist()
    assert names and all(n.startswith("Example data (synthetic)") for n in names)
    _tab(at, "EHC tracker")
    assert any("Example data (synthetic)" in w.value for w in at.warning)
    assert at.date_input[0].value == AS_OF
    s = analysis.tracker_summary(_demo_tracker(), AS_OF)  # worked out here, from the same file
    assert _metric(at, "Plans issued in the 12 months") == f"{s['plans_issued']:,}"
    assert (
        _metric(at, "Within 20 weeks, excl. exceptions")
        == f"{s['issued_within_20_weeks_pct']:.1f}%"
    )
    assert (
        _metric(at, "Within 20 weeks, incl. exceptions")
        == f"{s['issued_within_20_weeks_including_exceptions_pct']:.1f}%"
    )
    assert _metric(at, "Average weeks to issue") == f"{s['mean_weeks_to_issue']:.1f} weeks"
    assert _metric(at, "Longest weeks to issue") == f"{s['max_weeks_to_issue']:.1f} weeks"
    for weeks in (20, 30, 52):
        assert _metric(at, f"Open over {weeks} weeks") == f"{s[f'open_over_{weeks}_weeks']:,}"
    assert _metric(at, "Assessments open today") == f"{s['open_assessments']:,}"
    assert _metric(at, "Requests received") == f"{s['requests_received']:,}"
    assert _metric(at, "Decided within 6 weeks") == f"{s['decided_within_6_weeks_pct']:.1f}%"
    # The waits chart's table is made of the same counts.
    waits = shown_numbers(
        _table(_as_table(at, "gov.tracker.waits"), "How long waited"), "Open assessments"
    ).set_index("How long waited")
    assert waits.at["Over 52 weeks", "Open assessments"] == s["open_over_52_weeks"]
    assert waits["Open assessments"].sum() == s["open_assessments"]
    # An earlier as-at date recomputes.
    at.date_input[0].set_value(dt.date(2024, 9, 30)).run()
    earlier = analysis.tracker_summary(_demo_tracker(), dt.date(2024, 9, 30))
    assert _metric(_ok(at), "Plans issued in the 12 months") == f"{earlier['plans_issued']:,}"
    # Annual reviews due in March 2025: plans issued in a March before it, counted here.
    _tab(at, "Annual reviews")
    at.date_input[0].set_value(AS_OF).run()
    issued = _demo_tracker()["issue_date"]
    due = int(((issued.dt.month == 3) & (issued.dt.year < 2025)).sum())
    assert due == 14 and _metric(_ok(at), "Due in March 2025") == "14"
    assert _metric(at, "Completed within 12 months") == "No dates"


def test_review_dates_link_to_the_tracker(national, store_dir):
    """Reviews for the 14 plans due in March 2025: 8 held five days early, 2 late, 4 not in the upload."""
    tracker = pd.read_csv(DEMO / "demo_ehc_tracker.csv", dtype=str)
    tracker["issue"] = pd.to_datetime(tracker["issue_date"], dayfirst=True)
    due = tracker[tracker["issue"].dt.strftime("%Y-%m") == "2024-03"].sort_values(
        ["issue", "child_id"]
    )
    rows = []
    for i, (child, issue) in enumerate(zip(due["child_id"], due["issue"])):
        anniversary = issue + pd.DateOffset(years=1)
        if i < 8:
            rows.append((child, anniversary - pd.Timedelta(days=5)))
        elif anniversary + pd.Timedelta(days=2) <= pd.Timestamp(AS_OF) and len(rows) < 10:
            rows.append((child, anniversary + pd.Timedelta(days=2)))
    assert len(rows) == 10
    csv = "child_id,review_date,outcome,domain,progress_rating\n" + "".join(
        f"{c},{d:%d/%m/%Y},Communication,learning and employment,3\n" for c, d in rows
    )
    frame = read_upload(csv.encode(), "reviews.csv", "outcomes_return")
    at = _with_examples()
    Store().save_version(
        "outcomes_return",
        "Reviews",
        frame,
        file_name="reviews.csv",
        file_sha256="c" * 64,
        **LOCAL,
    )
    _tab(at, "Annual reviews")
    # 8 in time of the 10 whose outcome is known; the rest are due before the review dates start.
    assert _metric(at, "Completed within 12 months") == "80.0%"
    table = _table(_as_table(at, "gov.reviews.monthly"), "Reviews due").set_index("Month")
    table = shown_numbers(table, "Held within 12 months", "Held late")
    assert (table.at["2025-03", "Held within 12 months"], table.at["2025-03", "Held late"]) == (
        8,
        2,
    )


_TRACKER_FIGURES = (
    "Plans issued",
    "Within 20 weeks",
    "Open assessments",
    "Per cent within 20 weeks",
    "Plans without an exception",
)


def test_small_numbers_are_protected_for_a_public_meeting(national, store_dir):
    at = _with_examples()
    at.toggle(key="gov.public").set_value(True).run()
    _tab(at, "EHC tracker")
    s = analysis.tracker_summary(_demo_tracker(), AS_OF)
    assert (
        _metric(at, "Open over 52 weeks") == f"{5 * round(s['open_over_52_weeks'] / 5):,}"
    )  # 16 -> 15
    # A percentage tile beside rounded counts is worked out from the rounded counts: one from
    # the true counts would undo their rounding (68.9% beside "30 of 45" fits only 31/45).
    within = round(s["issued_within_20_weeks_pct"] * s["plans_issued_excluding_exceptions"] / 100)
    r5 = lambda n: 5 * math.floor(n / 5 + 0.5)  # noqa: E731 - the rule, by hand
    shown = 100 * r5(within) / r5(s["plans_issued_excluding_exceptions"])
    assert _metric(at, "Within 20 weeks, excl. exceptions") == f"{shown:.1f}%"
    at.radio(key="gov.tracker.by").set_value("school_urn").run()
    table = _table(_as_table(_ok(at), "gov.tracker.school_urn"), "Small numbers")
    table = shown_numbers(table, *_TRACKER_FIGURES)
    counts = table[["Plans issued", "Within 20 weeks", "Open assessments"]].stack().dropna()
    assert not counts.between(1, 7).any() and (counts % 5 == 0).all()
    assert table["Plans issued"].isna().any()  # most schools have a handful of requests
    # The chart leaves out the schools whose share is hidden, and says how many and why.
    hidden = table["Per cent within 20 weeks"].isna() & (
        table["Plans without an exception"].isna() | (table["Plans without an exception"] > 0)
    )
    assert 0 < hidden.sum() < len(table)
    captions = " ".join(c.value for c in at.caption)
    assert f"{hidden.sum()} of {len(table)} groups are hidden to protect" in captions
    at.radio(key="gov.tracker.by").set_value("age_phase").run()
    table = _table(_as_table(_ok(at), "gov.tracker.age_phase"), "Small numbers")
    table = shown_numbers(table, *_TRACKER_FIGURES)
    both = table.dropna(subset=["Within 20 weeks", "Plans without an exception"])
    both = both[both["Plans without an exception"] > 0]
    assert not both.empty
    by_hand = (100 * both["Within 20 weeks"] / both["Plans without an exception"]).round(1)
    assert both["Per cent within 20 weeks"].tolist() == by_hand.tolist()


# --- local KPIs, RAG and the exception report ----------------------------------------------------


def _red_by_hand(band: float = 5.0) -> set[str]:
    """March 2025 rows of the example return, rated here: % KPIs miss by more than ``band``
    points, others by more than ``band``% of the target, in the direction that is worse."""
    kpis = pd.read_csv(DEMO / "demo_kpi_return.csv")
    entries = tomllib.loads((ROOT / "data/catalogue/local_kpis.toml").read_text())["indicator"]
    catalogue = pd.DataFrame(entries).assign(id=lambda f: f["id"].str.removeprefix("local:"))
    catalogue = catalogue.set_index("id")
    red = set()
    for row in kpis[kpis["period"] == "2025-03"].itertuples():
        entry = catalogue.loc[row.indicator]
        allowed = band if entry["unit"] == "%" else row.target * band / 100
        if (entry["polarity"] == "high" and row.value < row.target - allowed) or (
            entry["polarity"] == "low" and row.value > row.target + allowed
        ):
            red.add(entry["title"])
    return red


def test_rag_and_exception_report_from_the_example_return(national, store_dir, downloads):
    red = _red_by_hand()
    assert len(red) == 8
    at = _with_examples()
    _tab(at, "Local KPIs")
    assert any("Example data (synthetic)" in w.value for w in at.warning)
    table = _table(_as_table(at, "gov.kpi.rag"), "Against target").set_index("KPI")
    assert set(table.index[table["Against target"] == "✖ Red"]) == red
    assert (
        table.at["Decisions whether to assess made within 6 weeks", "Against target"] == "▲ Amber"
    )
    assert table.at["6-8 week reviews completed by 8 weeks", "Against target"] == "✔ Green"
    # ehc_20wk_pct means what DfE's does (including exceptions), so England's 2024 share
    # including exceptions is the comparator: 52.2% beats 45.9%.
    timely = table.loc[TIMELY]
    assert (timely["Latest"], timely["Target"], timely["England"], timely["Against England"]) == (
        "52.2%",
        "60.0%",
        "45.9%",
        "✔ Green",
    )

    _tab(at, "Exception report")
    report = _table(at, "Commentary").set_index("KPI")
    assert set(report.index) == red
    assert report.at[TIMELY, "Month"] == "March 2025"
    assert (
        report.at[TIMELY, "Commentary"]
        == "Example commentary: recovery plan agreed at the March partnership board."
    )  # the return's own
    # Write a commentary and action, and find them in the store and the report.
    kpi = "ehc_20wk_pct"
    text = "=Two assessors recruited; backlog clears by June"
    at.selectbox(key="gov.action.kpi").set_value(f"local:{kpi}").run()
    at.text_area(key=f"gov.action.{kpi}.commentary").input(text)
    at.text_area(key=f"gov.action.{kpi}.action").input("Weekly panel until the backlog clears")
    at.text_input(key=f"gov.action.{kpi}.owner").input("Head of SEND")
    at.date_input(key=f"gov.action.{kpi}.due").set_value(dt.date(2025, 6, 30))
    at.button(key=f"FormSubmitter:gov.action.{kpi}-Save commentary and action").click().run()
    _ok(at)
    assert any("Saved version 1" in s.value for s in at.success)
    assert "commentary and action written" in at.selectbox(key="gov.action.kpi").format_func(
        f"local:{kpi}"
    )
    saved = (
        actions.latest_actions(actions.engine_of(Store()), BRADFORD, **LOCAL)
        .set_index("indicator")
        .loc[f"local:{kpi}"]
    )
    assert (saved["commentary"], saved["owner"], saved["period"], saved["due_date"]) == (
        text,
        "Head of SEND",
        "2025-03",
        dt.date(2025, 6, 30),
    )
    assert saved["created_by"]
    row = _table(at, "Commentary").set_index("KPI").loc[TIMELY]
    assert (row["Commentary"], row["Owner"], row["Action due"]) == (
        text,
        "Head of SEND",
        "30/06/2025",
    )

    # The XLSX: every red KPI, the commentary escaped so Excel shows it rather than runs it.
    xlsx = downloads[f"send_lens_exceptions_{BRADFORD}_2025-03.xlsx"]()
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Exception report", "All KPIs", "About"]
    sheet = book["Exception report"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in sheet.iter_rows(min_row=2)]
    assert {r["KPI"] for r in rows} == red
    mine = next(r for r in rows if r["KPI"].startswith("New EHC plans issued within 20 weeks"))
    # Values are numbers shown with their unit, not the text "52.2%".
    assert (mine["Latest"], mine["Target"], mine["Against target"]) == (52.2, 60.0, "✖ Red")
    assert mine["England (comparator)"] == 45.9 and mine["England period"].startswith("2024 (")
    assert mine["Gap to target"] == pytest.approx(-7.8) and mine["Unit"] == "%"
    cells = {c.value: c for c in sheet[1]}
    latest = sheet.cell(row=rows.index(mine) + 2, column=cells["Latest"].column)
    assert latest.data_type == "n" and latest.number_format == '0.0"%"'
    assert mine["Commentary"] == "'" + text and mine["Owner"] == "Head of SEND"
    status_sheet = book["All KPIs"]
    status_header = [c.value for c in status_sheet[1]]
    status_rows = [
        dict(zip(status_header, (c.value for c in r))) for r in status_sheet.iter_rows(min_row=2)
    ]
    timely_row = next(r for r in status_rows if r["KPI"] == TIMELY)
    assert (timely_row["Latest"], timely_row["England"]) == (52.2, 45.9)
    assert not any(c.data_type == "f" for s in book.worksheets for r in s.iter_rows() for c in r)
    assert mine["Recent months (oldest first)"].endswith("58.7% → 52.2%")
    assert "EXAMPLE DATA (SYNTHETIC)" in " ".join(str(c.value) for c in book["About"]["B"])
    assert len(list(book["All KPIs"].iter_rows(min_row=2))) == 10
    # The printable page: standalone, escaped, labelled as example data.
    page = downloads[f"send_lens_exceptions_{BRADFORD}_2025-03.html"]().decode("utf-8")
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert "EXAMPLE DATA (SYNTHETIC)" in page and text in page and "<script" not in page


def test_a_wider_amber_band_changes_what_is_red(national, store_dir):
    at = _with_examples()
    _tab(at, "Exception report")
    at.number_input(key="gov.kpi.tolerance").set_value(10.0).run()
    report = _table(_ok(at), "Commentary")
    assert set(report["KPI"]) == _red_by_hand(10.0)
    # 52.2% against 60% is 7.8 points short: within a band of 10, so no longer Red.
    assert TIMELY not in set(report["KPI"])


def test_html_escapes_what_users_write(national):
    from ui.governance.kpis import exception_html

    shown = pd.DataFrame(
        [
            {
                c: "<b>x</b>"
                for c in [
                    "KPI",
                    "Month",
                    "Latest",
                    "Target",
                    "Against target",
                    "England (comparator)",
                    "Against England",
                    "Recent months (oldest first)",
                    "Trend",
                    "Commentary",
                    "Action",
                    "Owner",
                    "Action due",
                ]
            }
        ]
    )
    page = exception_html(shown, "Report <1>", "made", example=False).decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "Report &lt;1&gt;" in page


def test_another_areas_data_is_not_shown_as_this_areas(national, store_dir):
    at = _with_examples()
    at.selectbox(key="area.region").set_value("E12000002").run()  # North West
    at.selectbox(key="area.la").set_value(CUMBERLAND).run()
    _ok(at)
    assert "Cumberland" in at.title[0].value
    _tab(at, "EHC tracker")
    assert (
        len(at.info) == 1
        and "is for Bradford, going by its schools" in at.info[0].value
        and not at.metric
    )
    _tab(at, "Annual reviews")
    assert len(at.info) == 1 and "is for Bradford" in at.info[0].value and not at.metric
    _tab(at, "Local KPIs")
    assert "No local KPI return for this area" in at.info[0].value
    assert "Show Bradford" in [b.label for b in at.button]
    _tab(at, "Exception report")
    assert not [d for d in at.dataframe if "Commentary" in d.value.columns]
    at.button(key=f"gov.kpi.switch.{BRADFORD}").click().run()
    assert "Bradford" in _ok(at).title[0].value
    assert set(_table(at, "Commentary")["KPI"]) == _red_by_hand()


def test_without_local_data_every_tab_explains_what_to_upload(national, store_dir):
    at = _page(BRADFORD)
    for tab in ("EHC tracker", "Annual reviews", "Local KPIs", "Exception report"):
        _tab(at, tab)
        assert at.info, tab
    at.button(key="gov.example.load").click().run()
    at.button(key="gov.example.remove").click().run()
    assert Store().list_datasets(**LOCAL).empty
    _tab(at, "Local KPIs")
    assert "No local KPI return" in at.info[0].value


def test_the_scorecard_counts_the_comparators_behind_each_average(national):
    """The national card's average says how many of the set it rests on, counted here from the
    published table; a set of the smallest councils leaves some measures resting on few."""
    from analysis import benchmark as bm
    from ui.governance.views import scorecard

    leeds, codes = "E08000035", ("E06000053", "E09000001", "E08000032")  # Scilly, City, Bradford
    card = scorecard(leeds, codes, "A test set")
    n = national
    for row in card.itertuples():
        published = n[
            (n["indicator"] == row.indicator)
            & (n["period"] == row.period)
            & (n["breakdown"] == "")
            & n["area_code"].isin(codes)
            & n["value"].notna()
        ]
        assert row.average_of == published["area_code"].nunique(), row.indicator
        assert row.set_size == 3
    few = [bm.rests_on_few(a, k) for a, k in zip(card["average_of"], card["set_size"])]
    assert any(few) and not all(few)
