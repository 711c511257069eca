"""Local KPI returns and surveys as tidy rows, worked out by hand; the local data register."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tidy
from store import local_data
from store.datasets import Store
from store.identity import User
from store.local_data import kpi_rows, local_id, survey_id, survey_rows

# The laptop's one user (admin of the default workspace "local"), named ann.
LOCAL = {"by": User("ann@example.org", name="ann", local=True), "workspace": "local"}

NAN = np.nan


@pytest.fixture
def store(tmp_path: Path):
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def upload(store: Store, kind: str, name: str, frame: pd.DataFrame, n: int):
    return store.save_version(
        kind, name, frame, file_name=f"{name}.xlsx", file_sha256=f"{n:064x}", **LOCAL
    )


def expected(rows: list[tuple]) -> pd.DataFrame:
    """Tidy rows from (indicator, area_code, area_level, period, breakdown, numerator,
    denominator, value, status, source) tuples."""
    return tidy.normalise(pd.DataFrame(rows, columns=tidy.TIDY_COLUMNS))


def kpi_return() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": [
                "ehcp_20wk",
                "ehcp_20wk",
                "EHCP 20wk",
                "Overdue annual reviews",
                "ehcp_20wk",
            ],
            "period": ["2025-03", "2025-04", "2025-03", "2025/26", "2025-03"],
            "area_code": ["E08000032", "e05001234", "E38000232", "Northern locality", "100123"],
            "numerator": [5, 6, NAN, NAN, 1],
            "denominator": [10, 12, NAN, NAN, 4],
            "value": [50.0, 50.0, 40.0, 12.0, NAN],
            "target": [60.0, 60.0, 60.0, NAN, 60.0],
            "commentary": ["Two assessments delayed by advice", None, "", "", ""],
        }
    )


def test_kpi_rows_by_hand():
    rows, problems = kpi_rows(kpi_return(), "upload:KPIs v1")
    src, overdue = "upload:KPIs v1", "local:overdue_annual_reviews"
    want = expected(
        [
            ("local:ehcp_20wk", "E08000032", "la", "2025-03", "", 5, 10, 50.0, "", src),
            ("local:ehcp_20wk", "E05001234", "ward", "2025-04", "", 6, 12, 50.0, "", src),
            ("local:ehcp_20wk", "E38000232", "sub_icb", "2025-03", "", NAN, NAN, 40.0, "", src),
            (overdue, "Northern locality", "locality", "2025/26", "", NAN, NAN, 12, "", src),
            # No value but a numerator and denominator: the percentage, 1 / 4 * 100.
            ("local:ehcp_20wk", "100123", "school", "2025-03", "", 1, 4, 25.0, "", src),
        ]
    )
    pd.testing.assert_frame_equal(rows, want)
    assert problems == [] and tidy.validate(rows) == []


def test_area_levels_come_from_gss_codes_else_from_the_upload():
    frame = pd.DataFrame(
        {
            "indicator": ["k"] * 5,
            "period": ["2025"] * 5,
            "area_code": ["E08000032", "12", "North", "100123", "E05001234"],
            "area_level": ["ward", "locality", None, "nonsense", "Ward"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    rows, _ = kpi_rows(frame, "s")
    # The code decides for GSS codes; a locality called "12" is not a school; a missing or
    # unknown level falls back to the code's shape (digits: a school; else a locality).
    assert rows["area_level"].tolist() == ["la", "locality", "locality", "school", "ward"]


def test_kpi_rows_leave_out_what_cannot_be_placed_and_say_so():
    frame = pd.DataFrame(
        {
            "indicator": ["a", "a", "", "b", "c", "c"],
            "period": ["March 2025", "2025-03", "2025-03", "2025-03", 2024, 2024],
            "area_code": ["E08000032", " ", "E08000032", "E10000023", "E08000032", "E08000032"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    rows, problems = kpi_rows(frame, "upload:x v2")
    # North Yorkshire's old county code is read as today's unitary code; 2024 becomes "2024";
    # of two rows with one key the later is kept.
    want = expected(
        [
            ("local:b", "E06000065", "la", "2025-03", "", NAN, NAN, 4.0, "", "upload:x v2"),
            ("local:c", "E08000032", "la", "2024", "", NAN, NAN, 6.0, "", "upload:x v2"),
        ]
    )
    pd.testing.assert_frame_equal(rows, want)
    assert problems == [
        "upload:x v2: 1 rows left out: no area code",
        "upload:x v2: 1 rows left out: a period that is not like 2025-03, 2024/25 or 2024",
        "upload:x v2: 1 rows left out: no indicator id",
        "upload:x v2: 1 rows left out: repeat an earlier row's indicator, area and period",
    ]
    assert kpi_rows(frame.drop(columns="period"), "s")[1] == ["s: missing columns ['period']"]


def test_survey_rows_are_shares_of_the_answers_by_hand():
    frame = pd.DataFrame(
        {
            "question": ["Do you feel listened to?"] * 3
            + ["Would you recommend us?"] * 2
            + ["Do you feel listened to?"],
            "answer": ["Yes", "No", "Not sure", "Yes", "No", "Yes"],
            "count": [30, 10, NAN, 9, 0, 12],
            "period": ["2024/25"] * 5 + ["2025/26"],
        }
    )
    rows, problems = survey_rows(frame, "upload:Parent survey v1", default_area="E08000032")
    src = "upload:Parent survey v1"
    q1, q2 = "local:survey:do_you_feel_listened_to", "local:survey:would_you_recommend_us"
    # 2024/25, question 1: 30 + 10 = 40 answers (the missing count adds nothing): 75% and 25%.
    # Question 2: 9 + 0 = 9 answers: 100% and 0%. 2025/26: 12 of 12.
    want = expected(
        [
            (q1, "E08000032", "la", "2024/25", "answer=Yes", 30, 40, 75.0, "", src),
            (q1, "E08000032", "la", "2024/25", "answer=No", 10, 40, 25.0, "", src),
            (
                q1,
                "E08000032",
                "la",
                "2024/25",
                "answer=Not sure",
                NAN,
                40,
                NAN,
                "not_available",
                src,
            ),
            (q2, "E08000032", "la", "2024/25", "answer=Yes", 9, 9, 100.0, "", src),
            (q2, "E08000032", "la", "2024/25", "answer=No", 0, 9, 0.0, "", src),
            (q1, "E08000032", "la", "2025/26", "answer=Yes", 12, 12, 100.0, "", src),
        ]
    )
    pd.testing.assert_frame_equal(rows, want)
    assert problems == [] and tidy.validate(rows) == []


def test_survey_rows_are_named_by_survey_and_blank_areas_are_the_whole_area():
    frame = pd.DataFrame(
        {
            "survey": ["Parent carer survey", "Parent carer survey", "Pupil voice"],
            "question": ["Overall, are you satisfied?"] * 3,
            "answer": ["Yes", "No", "Yes"],
            "count": pd.array([3, 1, 5], dtype="Int64"),
            "period": ["2025"] * 3,
            "area_code": pd.array([None, "", "E05001234"], dtype="string"),
        }
    )
    rows, problems = survey_rows(frame, "s", default_area="E08000032")
    parents = "local:survey:parent_carer_survey:overall_are_you_satisfied"
    pupils = "local:survey:pupil_voice:overall_are_you_satisfied"
    want = expected(
        [
            (parents, "E08000032", "la", "2025", "answer=Yes", 3, 4, 75.0, "", "s"),
            (parents, "E08000032", "la", "2025", "answer=No", 1, 4, 25.0, "", "s"),
            (pupils, "E05001234", "ward", "2025", "answer=Yes", 5, 5, 100.0, "", "s"),
        ]
    )
    pd.testing.assert_frame_equal(rows, want)
    assert problems == []


def test_survey_rows_use_respondents_and_areas_when_given():
    frame = pd.DataFrame(
        {
            "question": ["Which services helped? (tick all)"] * 3,
            "answer": ["School", "Health  visitor", "School"],
            "count": [8, 6, 2],
            "respondents": [20, 20, 20],
            "period": ["2025"] * 3,
            "area_code": ["E05001234", "E05001234", "E05001234"],
        }
    )
    rows, _ = survey_rows(frame, "s")
    q = "local:survey:which_services_helped_tick_all"
    # Repeated answers are added up (8 + 2 = 10); the share is of the 20 respondents.
    want = expected(
        [
            (q, "E05001234", "ward", "2025", "answer=School", 10, 20, 50.0, "", "s"),
            (q, "E05001234", "ward", "2025", "answer=Health visitor", 6, 20, 30.0, "", "s"),
        ]
    )
    pd.testing.assert_frame_equal(rows, want)
    # No area in the upload and none given: nothing can be placed, and it is said why.
    rows, problems = survey_rows(frame.drop(columns="area_code"), "s")
    assert rows.empty and "needs default_area" in problems[0]


def test_ids():
    assert local_id("ehcp_20wk") == "local:ehcp_20wk"
    assert local_id("local:ehcp_20wk") == "local:ehcp_20wk"
    assert local_id(" EHCP 20-week % ") == "local:ehcp_20_week"
    assert local_id(None) == local_id("  ") == ""
    long = "How satisfied are you with the way your child's EHC needs assessment was carried out?"
    assert survey_id(long).startswith("local:survey:how_satisfied_are_you_with")
    assert len(survey_id(long)) <= len("local:survey:") + 60 + 7
    assert survey_id(long) != survey_id(long + " Please explain.")
    assert survey_id("Q1", "Parent Carer Survey 2025") == "local:survey:parent_carer_survey_2025:q1"
    assert survey_id("Q1", "  ") == "local:survey:q1"


def test_local_tidy_joins_active_versions_and_follows_rollback(store: Store):
    kpis = upload(store, "kpi_return", "KPIs", kpi_return(), 1)
    upload(store, "kpi_return", "KPIs", kpi_return().head(1).assign(value=55.0), 2)
    survey = pd.DataFrame({"question": ["Q"], "answer": ["Yes"], "count": [3], "period": ["2025"]})
    upload(store, "survey", "Parents", survey, 3)
    upload(
        store, "ehc_tracker", "Tracker", pd.DataFrame({"child": ["x"], "period": ["2025-01"]}), 4
    )

    table, problems = local_data.local_tidy_report(store, default_area="E08000032", **LOCAL)
    want = expected(
        [
            (
                "local:ehcp_20wk",
                "E08000032",
                "la",
                "2025-03",
                "",
                5,
                10,
                55.0,
                "",
                "upload:KPIs v2",
            ),
            (
                "local:survey:q",
                "E08000032",
                "la",
                "2025",
                "answer=Yes",
                3,
                3,
                100.0,
                "",
                "upload:Parents v1",
            ),
        ]
    )
    pd.testing.assert_frame_equal(table, want)
    assert problems == [] and tidy.validate(table) == []

    store.rollback(kpis.dataset_id, 1, **LOCAL)
    table = local_data.local_tidy(store, default_area="E08000032", **LOCAL)
    assert len(table) == 6 and set(table["source"]) == {"upload:KPIs v1", "upload:Parents v1"}
    assert tidy.validate(table) == []
    # Without default_area a survey that names no area cannot be placed.
    assert "upload:Parents v1" not in set(local_data.local_tidy(store, **LOCAL)["source"])


def test_a_later_upload_wins_a_clash_between_datasets(store: Store):
    upload(store, "kpi_return", "March", kpi_return().head(1), 1)
    upload(store, "kpi_return", "March again", kpi_return().head(1).assign(value=51.0), 2)
    table, problems = local_data.local_tidy_report(store, **LOCAL)
    assert table["value"].tolist() == [51.0] and table["source"].tolist() == [
        "upload:March again v1"
    ]
    assert problems == [
        "1 rows replaced by a later upload of the same figures: ['upload:March v1']"
    ]


def test_empty_store_gives_an_empty_tidy_table(store: Store):
    table = local_data.local_tidy(store, **LOCAL)
    assert table.empty and list(table.columns) == tidy.TIDY_COLUMNS
    assert local_data.local_register(store, **LOCAL).empty
    assert list(local_data.kpi_details(store, **LOCAL).columns) == [
        "indicator",
        "area_code",
        "period",
        "target",
        "commentary",
        "source",
    ]


def test_kpi_details_carry_targets_and_commentary(store: Store):
    upload(store, "kpi_return", "KPIs", kpi_return(), 1)
    details = local_data.kpi_details(store, **LOCAL).set_index(["indicator", "area_code", "period"])
    row = details.loc[("local:ehcp_20wk", "E08000032", "2025-03")]
    assert row["target"] == 60.0 and row["commentary"] == "Two assessments delayed by advice"
    assert row["source"] == "upload:KPIs v1" and len(details) == 5


def test_local_register_lists_every_local_dataset_without_opening_it(store: Store, monkeypatch):
    upload(store, "kpi_return", "KPIs", kpi_return(), 1)
    upload(store, "kpi_return", "KPIs", kpi_return().head(2), 2)
    tracker = pd.DataFrame({"child": ["x", "y"], "period": ["2025-01", "2024-11"]})
    upload(store, "ehc_tracker", "Tracker", tracker, 3)
    upload(store, "cohort", "No periods", pd.DataFrame({"child": ["x"]}), 4)
    monkeypatch.setattr(
        Store, "load", lambda *a, **k: pytest.fail("the register must not load data")
    )
    monkeypatch.setattr(
        Store, "load_active", lambda *a, **k: pytest.fail("the register must not load data")
    )
    register = local_data.local_register(store, **LOCAL).set_index("name")
    assert list(register.index) == ["No periods", "Tracker", "KPIs"]
    assert register.loc["KPIs", "source"] == "upload:KPIs v2"
    assert register.loc["KPIs", "periods"] == "2025-03 to 2025-04"
    assert register.loc["KPIs", "rows"] == 2 and register.loc["KPIs", "versions"] == 2
    assert register.loc["Tracker", "periods"] == "2024-11 to 2025-01"
    assert register.loc["Tracker", "record_level"]
    assert register.loc["No periods", "periods"] == ""
    assert (
        register.loc["KPIs", "uploaded_by"] == "ann" and register["uploaded_at"].dt.tz is not None
    )


# --- a survey's own words and order, through the store --------------------------------------

from tests.test_store import url  # noqa: E402, F401 - SQLite, and PostgreSQL when set

DEMO_SURVEY = Path(__file__).parents[1] / "data" / "demo" / "demo_survey_outcomes.csv"
LEISURE = "Are you able to take part in the leisure activities you choose?"
CONFIDENT = (
    "How confident are you in navigating the SEND system and managing your child's health "
    "and care needs?"
)


def test_a_stored_survey_keeps_its_questions_words_and_its_answers_order(url):  # noqa: F811
    from analysis.outcome_indicators import question_words, survey_answers
    from uploads.intake import read_upload

    frame = read_upload(DEMO_SURVEY.read_bytes(), DEMO_SURVEY.name, "survey")
    s = Store(url)
    try:
        upload(s, "survey", "Young people and parents", frame, 1)
        rows = local_data.local_tidy(s, default_area="E08000032", **LOCAL)
        asked = local_data.survey_questions_asked(s, **LOCAL)
    finally:
        s.close()
    leisure = survey_id(LEISURE, "Synthetic young people's survey")
    confident = survey_id(CONFIDENT, "Synthetic parent carer survey")
    assert asked == {leisure: LEISURE, confident: CONFIDENT}
    # As the file lists them (Yes, Sometimes, No), not alphabetically (No, Sometimes, Yes).
    assert survey_answers(rows, leisure) == ["Yes", "Sometimes", "No"]
    assert survey_answers(rows, confident) == [
        "Very confident",
        "Fairly confident",
        "Not very confident",
        "Not at all confident",
    ]
    assert question_words(leisure, asked) == LEISURE
    # Without the stored words (rows from elsewhere): words made from the id, as before.
    made = "Are you able to take part in the leisure activities you choo..."
    assert question_words(leisure) == question_words(leisure, {}) == made
