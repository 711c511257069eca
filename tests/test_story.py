"""The workshop story's cards (issue 15 item 2): built from the catalogue, figures protected
and rounded for reading, compared in words; and the board's "What families told us" files
(item 3). Figures checked against DfE's published file read by hand."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

import indicators
from analysis import story
from analysis.story import CardFigures, _for_reading
from indicators.reader import CatalogueError, _record
from reports import room_notes
from reports import story as words

CARD = indicators.get("ehc_20wk_pct")


def figures(**changes) -> CardFigures:
    base = {
        "indicator": CARD.id,
        "place": "Bradford",
        "place_code": "E08000032",
        "period": "2024",
        "value": 89.0,
        "previous_period": "2023",
        "previous": 71.0,
        "england": 46.0,
        "england_previous": 50.0,
        "neighbours": 44.0,
        "neighbours_previous": 45.0,
        "neighbours_with_value": 10,
        "neighbours_total": 10,
        "hidden": 0,
        "nhs_area": False,
    }
    return CardFigures(**{**base, **changes})


def test_the_default_story_has_8_to_12_cards_each_with_a_question_and_what_it_does_not_say():
    cards = story.story(None)
    assert 8 <= len(cards) <= 12
    assert cards[0].id == "ehc_plans_rate" and CARD in cards
    assert all(c.question.endswith("?") and c.not_told and c.plain for c in cards)
    questions = [c.question for c in cards]
    assert "Do children get their plan on time?" in questions
    assert "How long do children wait for speech and language therapy?" in questions


def test_a_saved_sequence_keeps_its_order_and_drops_what_is_no_longer_a_card():
    chosen = story.story(["tribunal_appeal_rate", "no_such_card", CARD.id, "tribunal_appeal_rate"])
    assert [c.id for c in chosen] == ["tribunal_appeal_rate", CARD.id]
    assert [c.id for c in story.story([])] == story.default_story()


def test_a_story_card_without_what_it_does_not_tell_is_refused_with_its_name():
    entry = {
        "id": "x",
        "title": "X",
        "definition": "X.",
        "unit": "%",
        "polarity": "low",
        "lens": "profile",
        "rba": "how well",
        "source": "sen2_2025",
        "plain": "X.",
        "question": "X?",
    }
    with pytest.raises(CatalogueError, match=r"sen2\.toml, x: a story card needs not_told"):
        _record(entry, "sen2.toml, x", {}, {"sen2_2025"})


@pytest.mark.parametrize(
    ("figure", "unit", "shown"),
    [
        ((5.0, None, None), "count", None),  # 1 to 7 hidden
        ((0.0, None, None), "count", 0.0),  # none is not a small number
        ((12.0, None, None), "count", 10.0),  # others to the nearest 5
        ((13.0, None, None), "count", 15.0),
        ((82.1429, 115.0, 140.0), "%", 82.0),  # whole numbers for reading
        ((3.44, 40.0, 1163.0), "%", 3.4),  # one place below 10, so 2.6 and 3.4 differ
        ((60.0, 6.0, 10.0), "%", None),  # rests on a hidden count
        ((40.0, 8.0, 20.0), "%", None),  # too few in the denominator (under 30)
        ((math.nan, None, None), "%", None),
    ],
)
def test_figures_are_protected_and_rounded_for_reading(figure, unit, shown):
    assert _for_reading(*figure, unit) == shown


def test_bradfords_timeliness_card_against_dfes_file(national):
    # DfE SEN2 2025, timeliness_20_week.csv, 'All EHC plans issued': Bradford 88.9% in 2024
    # and 71.4% in 2023; England 45.9% in 2024.
    found = story.figures(national, CARD, "E08000032")
    assert (found.period, found.value, found.previous_period, found.previous) == (
        "2024",
        89.0,
        "2023",
        71.0,
    )
    assert found.england == 46.0 and found.neighbours_total == 10
    assert found.chart["who"].tolist() == ["Bradford", "Similar areas", "England"]
    assert found.hidden == 0


def test_a_small_area_s_counts_are_hidden_and_the_chart_says_how_many(national):
    found = story.figures(national, indicators.get("ehc_requests"), "E06000053")
    shown = found.chart["value"]
    assert not ((shown >= 1) & (shown <= 7)).any()
    assert found.hidden == int(shown.isna().sum()) >= 1
    assert words.notes(indicators.get("ehc_requests"), found)[-1].startswith(
        f"{found.hidden} figure"
    )


def test_the_speech_and_language_card_is_the_nhs_board_s_and_says_so(national):
    card = indicators.get("chs_cyp_waiting_over_18w_pct")
    found = story.figures(national, card, "E08000032")
    assert found.nhs_area and found.place == "NHS West Yorkshire Integrated Care Board"
    assert found.neighbours is None and found.value is not None
    assert "wider area than the council" in " ".join(words.notes(card, found))


def test_the_sentences_say_the_year_the_change_and_the_comparison_without_statistics():
    said = words.sentence(CARD, figures()) + " " + words.comparison(CARD, figures())
    assert said == (
        "In 2024 the figure for Bradford was 89 in every 100, up from 71 in every 100 in 2023. "
        "That is higher than similar areas (44 in every 100) and higher than England "
        "(46 in every 100)."
    )
    assert "significant" not in said
    hidden = words.sentence(CARD, figures(value=None))
    assert "hidden to protect privacy" in hidden and "fewer than 8" in hidden


def test_a_count_is_compared_by_its_change_and_few_neighbours_get_a_word():
    card = indicators.get("ehc_requests")
    counts = figures(
        indicator=card.id,
        value=2330.0,
        previous=2305.0,
        neighbours=1000.0,
        neighbours_previous=800.0,
        england=154490.0,
        england_previous=140000.0,
        neighbours_with_value=4,
    )
    assert words.comparison(card, counts) == (
        "Over the year the number went up by 1 in every 100; similar areas up by 25 in every "
        "100 and England up by 10 in every 100."
    )
    assert words.notes(card, counts)[0].startswith("Only 4 of the 10 similar areas")
    # 20-week timeliness: a new SEN2 series from 2023, crossed from 2022 to 2023, not after.
    broken = words.notes(CARD, figures(previous_period="2022", period="2023"))
    assert broken == [
        "Series break: the way this is counted changed in 2023 (a new DfE return of EHC plans), so "
        "figures before and after it are not strictly comparable."
    ]
    assert words.notes(CARD, figures()) == []  # 2023 to 2024: one series


def test_what_families_told_us_lists_every_note_against_its_figure():
    notes = pd.DataFrame(
        {
            "id": [1, 2],
            "area_code": ["E08000032"] * 2,
            "card": [CARD.id, "ehc_plans_rate"],
            "session_date": [pd.Timestamp("2026-11-30").date()] * 2,
            "comment": ['=HYPERLINK("http://x")', "Plans come late for older children"],
            "question": ["", "Why <b>later</b>?"],
            "votes_yes": pd.array([4, None], dtype="Int64"),
            "votes_partly": pd.array([9, None], dtype="Int64"),
            "votes_no": pd.array([2, None], dtype="Int64"),
            "figures": [{"place": "Bradford", "period": "2024", "value": 89.0}, {}],
        }
    )
    table = room_notes.notes_table(notes, {c.id: c for c in story.available()})
    assert table.loc[0, "Figure shown"] == "Bradford: 89 in every 100 (2024)"
    assert table.loc[1, "Figure shown"] == "no figure"
    assert table.loc[0, "Question on the card"] == "Do children get their plan on time?"
    book = openpyxl.load_workbook(io.BytesIO(room_notes.notes_xlsx(table, "Bradford")))
    rows = list(book["What families told us"].iter_rows(values_only=True))
    assert rows[0] == tuple(room_notes.COLUMNS)
    assert rows[1][3] == '\'=HYPERLINK("http://x")'  # text, never a formula
    assert rows[1][5:] == (4, 9, 2)  # counts as numbers
    assert rows[2][5:] == (None, None, None)  # no vote: blank, not "None"
    page = room_notes.notes_html(table, "Bradford").decode()
    assert "<h1>What families told us: Bradford</h1>" in page
    assert "Why &lt;b&gt;later&lt;/b&gt;?" in page and "<b>later" not in page
    assert ">None<" not in page and ">nan<" not in page and "<script" not in page


def test_the_similar_areas_bar_and_table_row_say_when_their_average_rests_on_few():
    from ui.story.views import chart, figures_table

    rows = pd.DataFrame(
        {"who": ["Bradford", "Similar areas", "England"], "period": "2024", "value": [89, 44, 46]}
    )
    thin = figures(neighbours_with_value=5, chart=rows)  # half of 10: a rough guide
    table = figures_table(CARD, thin)
    assert table["Area"].tolist() == [
        "Bradford",
        "Similar areas (average of 5 of 10 areas)",
        "England",
    ]
    spec = chart(CARD, thin).to_dict()
    outline = spec["layer"][1]
    assert outline["mark"]["fill"] == "white" and outline["mark"]["strokeDash"]
    assert outline["transform"] == [{"filter": "datum.hollow"}]
    hollow = [r["bar"] for r in spec["datasets"][spec["data"]["name"]] if r["hollow"]]
    assert hollow == ["Similar areas (average of 5 of 10 areas)"]
    full = figures(neighbours_with_value=6, chart=rows)
    assert figures_table(CARD, full)["Area"].tolist() == ["Bradford", "Similar areas", "England"]
    assert not any(r["hollow"] for r in chart(CARD, full).to_dict()["datasets"].popitem()[1])


def test_a_card_says_a_series_break_only_when_its_years_cross_one(national):
    bradford = "E08000032"
    # EHC plans, a count: the chart's five Januaries 2021 to 2025 cross SEN2's January 2023.
    plans = indicators.get("ehc_plans")
    found = story.figures(national, plans, bradford)
    assert found.chart["period"].tolist() == ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    said = [n for n in words.notes(plans, found) if n.startswith("Series break")]
    assert said and "changed in 2022/23 (January 2023, a new DfE return of EHC plans)" in said[0]
    # 20-week timeliness: 2023 against 2024, both in the new series.
    found = story.figures(national, CARD, bradford)
    assert (found.previous_period, found.period) == ("2023", "2024")
    assert not [n for n in words.notes(CARD, found) if n.startswith("Series break")]
