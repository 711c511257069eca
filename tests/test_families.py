"""The story's card "What do families tell us?" (issue 15): the share giving each answer to a
workspace's own survey, latest period, protected; figures checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import families
from reports import room_notes
from reports import story as words
from store import actions
from store import story as story_store
from store.datasets import Store
from store.local_data import survey_id, survey_rows
from tests.conftest import ROOT
from tests.test_app_workshop import ANN, BRADFORD, _button, engine  # noqa: F401

Q = "Do you feel listened to?"


def survey(counts: dict[str, int], period: str = "2024/25") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey": "EXAMPLE parent carers",
            "period": period,
            "question": Q,
            "answer": list(counts),
            "count": list(counts.values()),
        }
    )


def rows(*frames: pd.DataFrame) -> pd.DataFrame:
    return survey_rows(pd.concat(frames, ignore_index=True), "test", BRADFORD)[0]


def only_question(table: pd.DataFrame) -> str:
    (found,) = families.questions(table, BRADFORD)
    return found


def test_the_latest_period_s_shares_from_the_rounded_counts_by_hand():
    # 2024/25: 88 + 61 + 43 = 192 answered. Rounded to 5: 90, 60, 45, total 190.
    # Shares of the rounded total: 90/190 = 47.4 -> 47, 60/190 = 31.6 -> 32, 45/190 = 23.7 -> 24.
    table = rows(
        survey({"Yes": 10, "Partly": 10, "No": 10}, "2023/24"),
        survey({"Yes": 88, "Partly": 61, "No": 43}),
    )
    found = families.answer_shares(table, only_question(table), BRADFORD)
    assert found.period == "2024/25" and found.respondents == 190.0
    assert found.answers["count"].tolist() == [90.0, 60.0, 45.0]
    assert found.answers["share"].tolist() == [47.0, 32.0, 24.0]
    assert found.hidden == 0 and found.source == "test"
    assert words.survey_sentence(found) == (
        'In 2024/25 about 190 people answered this question; the answer most gave was "Yes" '
        "(47 in every 100)."
    )


def test_a_small_answer_is_hidden_and_a_second_so_the_total_does_not_give_it_away():
    # 23 + 8 + 1 = 32 answered: 1 is hidden; 23 -> 25 (could be 23 to 27), 8 -> 10 (8 to 12),
    # total 32 -> 30 (28 to 32). The hidden answer is then at most 32 - 23 - 8 = 1: pinned.
    # So the smaller answer shown (10) is hidden too; Yes is 25 of 30 = 83.3 -> 83.
    table = rows(survey({"Yes": 23, "Partly": 8, "No": 1}))
    found = families.answer_shares(table, only_question(table), BRADFORD)
    assert found.respondents == 30.0 and found.hidden == 1
    counts, shares = found.answers["count"], found.answers["share"]
    assert counts.iloc[0] == 25.0 and counts.iloc[1:].isna().all()
    assert shares.iloc[0] == 83.0 and shares.iloc[1:].isna().all()
    # Without the rounded total there is nothing to pin: 100, 40 and 5 leave "No" 1 to 7.
    table = rows(survey({"Yes": 100, "Partly": 40, "No": 5}))
    found = families.answer_shares(table, only_question(table), BRADFORD)
    assert found.answers["count"].tolist()[:2] == [100.0, 40.0]
    assert found.answers["share"].tolist()[:2] == [69.0, 28.0]  # 100/145, 40/145


def test_fewer_than_30_answering_hides_every_share():
    table = rows(survey({"Yes": 12, "No": 13}))  # 25 answered
    found = families.answer_shares(table, only_question(table), BRADFORD)
    assert found.respondents == 25.0 and found.answers["share"].isna().all()
    assert words.survey_sentence(found).endswith("too few to give the share of each answer.")


def test_a_note_on_the_survey_card_says_its_question_and_shares():
    notes = pd.DataFrame(
        {
            "card": [families.CARD_ID],
            "session_date": [pd.Timestamp("2026-11-30").date()],
            "comment": ["Not listened to at reviews"],
            "question": [""],
            "votes_yes": pd.array([3], dtype="Int64"),
            "votes_partly": pd.array([1], dtype="Int64"),
            "votes_no": pd.array([0], dtype="Int64"),
            "figures": [{"question": Q, "period": "2024/25", "shares": {"Yes": 69.0, "No": None}}],
        }
    )
    table = room_notes.notes_table(notes, {})
    assert table.loc[0, "Question on the card"] == "What do families tell us?"
    assert table.loc[0, "Figure shown"] == (f"{Q}: Yes 69%, No hidden to protect privacy (2024/25)")


def _story(workshop: bool) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = ANN
    at.query_params["area"] = BRADFORD
    if workshop:
        at.query_params["mode"] = "workshop"
    at.switch_page("app_pages/story.py").run()
    for _ in range(12):  # to the last card
        if _button(at, "Next").disabled:
            break
        _button(at, "Next").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "What do families tell us?"
    return at


@pytest.mark.usefixtures("engine")
def test_without_a_survey_the_card_says_so_and_where_to_add_one_outside_the_mode():
    at = _story(workshop=False)
    assert any("No survey of families" in i.value for i in at.info)
    assert any("Data page" in c.value for c in at.caption)
    at = _story(workshop=True)
    assert any("No survey of families" in i.value for i in at.info)
    assert not any("Data page" in c.value for c in at.caption)


@pytest.mark.usefixtures("engine")
def test_the_stored_survey_s_shares_are_shown_and_the_room_s_vote_is_kept():
    Store().save_version(
        "survey",
        "Parents",
        survey({"Yes": 23, "Partly": 8, "No": 1}),
        file_name="parents.csv",
        file_sha256="1" * 64,
        by=ANN,
        workspace="local",
    )
    at = _story(workshop=True)
    table = at.table[0].value  # indexed by answer
    # The question as asked and the answers in the upload's order, not the id's words or A-Z.
    assert f"{Q} (2024/25)" in [s.value for s in at.subheader]
    assert table.index.tolist() == ["Yes", "Partly", "No"]
    assert table["Share"].to_dict() == {"Yes": "83%", "Partly": words.HIDDEN, "No": words.HIDDEN}
    assert table["People (rounded to 5)"].to_dict() == {
        "Yes": "25",
        "Partly": words.HIDDEN,
        "No": words.HIDDEN,
    }
    assert any('"Yes" (83 in every 100)' in m.value for m in at.markdown)
    assert not at.warning  # a workspace's own survey is not labelled as example data
    at.text_area(key=f"story.comment.{families.CARD_ID}").input("Reviews do not listen")
    at.number_input(key=f"story.vote.no.{families.CARD_ID}").set_value(4)
    _button(at, "Record this").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = story_store.notes(actions.engine_of(Store()), BRADFORD, by=ANN, workspace="local")
    note = saved.iloc[0]
    assert note["card"] == families.CARD_ID and note["votes_no"] == 4
    assert note["figures"]["shares"] == {"Yes": 83.0, "Partly": None, "No": None}
    assert list(note["figures"]["shares"]) == ["Yes", "Partly", "No"]
    assert note["figures"]["question"] == Q


def test_the_demo_survey_card_keeps_its_words_and_order_into_the_room_notes():
    from pathlib import Path

    from uploads.intake import read_upload

    demo = Path(ROOT) / "data" / "demo" / "demo_survey_outcomes.csv"
    frame = read_upload(demo.read_bytes(), demo.name, "survey")
    table = survey_rows(frame, "upload:Demo v1", BRADFORD)[0]
    leisure = "Are you able to take part in the leisure activities you choose?"
    asked = {i: leisure for i in table["indicator"] if "leisure" in i}
    (ind,) = asked
    assert families.questions(table, BRADFORD, asked)[ind] == leisure
    found = families.answer_shares(table, ind, BRADFORD, asked)
    # 2024/25 in the file: Yes 104, Sometimes 58, No 37 (199): rounded 105, 60, 35 of 200.
    assert found.question == leisure and found.period == "2024/25"
    assert found.answers["answer"].tolist() == ["Yes", "Sometimes", "No"]
    assert found.answers["count"].tolist() == [105.0, 60.0, 35.0]
    notes = pd.DataFrame(
        {
            "card": [families.CARD_ID],
            "session_date": [pd.Timestamp("2026-11-30").date()],
            "comment": ["Clubs are full"],
            "question": [""],
            "votes_yes": pd.array([2], dtype="Int64"),
            "votes_partly": pd.array([5], dtype="Int64"),
            "votes_no": pd.array([1], dtype="Int64"),
            "figures": [found.as_record()],
        }
    )
    shown = room_notes.notes_table(notes, {}).loc[0, "Figure shown"]
    # 105/200 = 52.5 -> 52 (round half to even), 60/200 = 30, 35/200 = 17.5 -> 18.
    assert shown == f"{leisure}: Yes 52%, Sometimes 30%, No 18% (2024/25)"


@pytest.mark.usefixtures("engine")
def test_the_outcomes_page_offers_the_survey_question_as_asked_and_its_answers_in_order():
    Store().save_version(
        "survey",
        "Parents",
        survey({"Yes": 40, "Partly": 30, "No": 20}),
        file_name="parents.csv",
        file_sha256="2" * 64,
        by=ANN,
        workspace="local",
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = ANN
    at.query_params["area"] = BRADFORD
    at.switch_page("app_pages/outcomes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.selectbox(key="outcomes.survey.leisure")
    assert chosen.options == ["(none)", Q]  # no "Do you feel listened to" made from its id
    chosen.set_value(survey_id(Q, "EXAMPLE parent carers")).run()
    assert not at.exception, [e.value for e in at.exception]
    (answers,) = [m for m in at.multiselect if m.key.startswith("outcomes.survey.leisure.pos")]
    assert answers.options == ["Yes", "Partly", "No"]
