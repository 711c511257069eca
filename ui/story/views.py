"""The story page's views: the choice and order of cards, one card (its question, chart,
sentences and what it does not tell us), what the room said, and the board's documents."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import indicators
from analysis import families, story
from analysis.families import SurveyFigures
from analysis.story import CardFigures
from indicators import Indicator
from reports import room_notes
from reports import story as words
from reports.format import describe_period
from store import story as story_store
from store.access import Action
from store.actions import engine_of
from ui import glossed, local, workshop
from ui.data import national_table
from ui.examples import EXAMPLE_PREFIX
from ui.glossed import glossary_help
from ui.plain import md
from ui.tables import show_table
from ui.visual import AREA_COLOUR, ENGLAND_COLOUR, NEIGHBOUR_COLOUR

CARD_KEY = "story.card"
NOTE_FLASH = "story.flash"
COLOURS = {"England": ENGLAND_COLOUR, "Similar areas": NEIGHBOUR_COLOUR}


@st.cache_data(max_entries=256, show_spinner=False)
def card_figures(indicator_id: str, area: str) -> CardFigures:
    # Published national figures only: shared between sessions like every national cache.
    return story.figures(national_table(), indicators.get(indicator_id), area)


def _engine():  # the store's engine, or an empty store's when it cannot be opened
    return engine_of(local.readable_store())


def saved_cards() -> list[str] | None:
    """The workspace's saved sequence (None: none saved, or no workspace to read)."""
    try:
        return story_store.saved_sequence(_engine(), **local.scope())
    except local.STORE_PROBLEMS:
        return None


def choose_cards(saved: list[str] | None) -> None:
    """For an analyst outside workshop mode: choose and order the cards, saved per workspace."""
    if workshop.active() or not local.can(Action.ROOM_NOTE):
        return
    cards = {i.id: i for i in story.available()}
    with st.expander("Choose and order the cards for this workspace"):
        glossed.caption(
            "Cards are shown in the order you pick them. The sequence is saved in this "
            "workspace and used by everyone in it."
        )
        chosen = st.multiselect(
            "Cards, in order",
            list(cards),
            default=[c for c in (saved or story.default_story()) if c in cards],
            format_func=lambda i: cards[i].question,
            key="story.choose",
        )
        if st.button("Save this order", key="story.save_order", disabled=not chosen):
            try:
                story_store.save_sequence(_engine(), chosen, **local.scope())
            except local.STORE_PROBLEMS as err:
                st.error(str(err))
            except ValueError as err:
                st.error(str(err))
            else:
                st.session_state.pop(CARD_KEY, None)
                st.rerun()


def navigator(count: int) -> int:
    """Previous and next, and where we are; the index of the card to show."""
    index = min(st.session_state.get(CARD_KEY, 0), count - 1)
    back, where, forward = st.columns([1, 3, 1], vertical_alignment="center")
    if back.button(
        "Previous", key="story.previous", disabled=index == 0, icon=":material/arrow_back:"
    ):
        index -= 1
    if forward.button(
        "Next", key="story.next", disabled=index == count - 1, icon=":material/arrow_forward:"
    ):
        index += 1
    st.session_state[CARD_KEY] = index
    glossed.markdown(f"**Card {index + 1} of {count}**", where=where)
    return index


def chart(card: Indicator, figures: CardFigures) -> alt.Chart | None:
    """Bars with their figures written on them: a count's years, or the area beside similar
    areas and England. Bars are told apart by their labels, not by colour alone."""
    data = figures.chart.dropna(subset=["value"])
    if data.empty:
        return None
    by_year = card.unit == "count"
    thin = words.who_words(words.SIMILAR, figures) != words.SIMILAR
    data = data.assign(
        label=[words.figure_words(v, card.unit).removeprefix("about ") for v in data["value"]],
        bar=[
            describe_period(p, card) if by_year else words.who_words(w, figures)
            for p, w in zip(data["period"], data["who"])
        ],
        colour=[AREA_COLOUR if by_year else COLOURS.get(w, AREA_COLOUR) for w in data["who"]],
        hollow=[thin and w == words.SIMILAR for w in data["who"]],
    )
    base = alt.Chart(data).encode(
        y=alt.Y("bar:N", sort=None, title=None),
        x=alt.X("value:Q", title=None, axis=None),
    )
    # An average of few similar areas is an outline, its name saying why (not colour alone).
    # Drawn only when there is one: an empty layer leaves an unlabelled group of marks that
    # screen readers are told is an image (axe: svg-img-alt).
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None))
    if thin:
        bars = bars.transform_filter(~alt.datum.hollow) + base.transform_filter(
            alt.datum.hollow
        ).mark_bar(fill="white", stroke=NEIGHBOUR_COLOUR, strokeWidth=3, strokeDash=[6, 3])
    labels = base.mark_text(align="left", dx=6, fontSize=workshop.CHART_LABEL_PX).encode(
        text="label:N"
    )
    return (bars + labels).properties(height=70 * len(data) + 20)


def card_view(card: Indicator, area: str) -> CardFigures:
    """One card: the question, the chart with its table, the sentences, what it does not say."""
    figures = card_figures(card.id, area)
    glossed.header(card.question, help=glossary_help(card.question), anchor=False)
    said, shown = st.columns([2, 3], gap="large")
    with said:
        glossed.markdown(card.plain, help=glossary_help(card.plain))
        text = " ".join(
            t for t in (words.sentence(card, figures), words.comparison(card, figures)) if t
        )
        glossed.markdown(f"**{text}**", help=glossary_help(text))
        for note in words.notes(card, figures):
            glossed.caption(note)
        glossed.markdown(f"**What this does not tell us:** {card.not_told}")
    with shown:
        title = words.chart_title(card, figures)
        glossed.subheader(title, anchor=False)
        drawn = chart(card, figures)
        if drawn is not None:
            workshop.draw(drawn.properties(description=title))
        elif figures.hidden:
            st.info(f"Every figure of this chart is {words.HIDDEN}.")
        else:
            st.info(f"No figure is published for {figures.place}.")
        with st.expander("The figures as a table"):
            show_table(figures_table(card, figures).set_index("Area"), static=True)
    return figures


def figures_table(card: Indicator, figures: CardFigures) -> pd.DataFrame:
    """The chart's figures as text: every cell says something ("hidden to protect privacy")."""
    frame = figures.chart
    return pd.DataFrame(
        {
            "Area": [words.who_words(w, figures) for w in frame["who"]],
            "Year": [describe_period(str(p), card) for p in frame["period"]],
            "Figure": [
                words.figure_words(None if pd.isna(v) else float(v), card.unit)
                for v in frame["value"]
            ],
        }
    )


def room(card_id: str, area: str, shown: dict[str, object]) -> None:
    """What the room said about this card (``shown``: the figures on the screen): a comment,
    a question to follow up, a vote."""
    glossed.subheader("What does the room say?", anchor=False)
    flash = st.session_state.pop(NOTE_FLASH, None)
    if flash:
        st.success(flash, icon=":material/check:")
    if not local.can(Action.ROOM_NOTE):
        glossed.caption("An analyst or admin of this workspace can record what the room says.")
    else:
        with st.form(f"story.note.{card_id}", clear_on_submit=True, border=True):
            glossed.caption(
                "Write what people said, not who said it: no names, of parents, children or staff."
            )
            comment = st.text_area("What people said", key=f"story.comment.{card_id}")
            question = st.text_area("A question to follow up", key=f"story.question.{card_id}")
            glossed.markdown("**Does this match your experience?** Count the hands.")
            cols = st.columns(3)
            votes = {
                choice: cols[i].number_input(
                    choice.capitalize(),
                    min_value=0,
                    max_value=500,
                    step=1,
                    key=f"story.vote.{choice}.{card_id}",
                )
                for i, choice in enumerate(story_store.VOTES)
            }
            if st.form_submit_button("Record this", type="primary"):
                counted = {c: int(n) for c, n in votes.items()}
                try:
                    story_store.add_note(
                        _engine(),
                        area,
                        card_id,
                        comment=comment,
                        question=question,
                        votes=counted if any(counted.values()) else None,
                        figures=shown,
                        session_date=dt.date.today(),
                        **local.scope(),
                    )
                except (ValueError, *local.STORE_PROBLEMS) as err:
                    st.error(str(err))
                else:
                    st.session_state[NOTE_FLASH] = (
                        "Recorded, with the figure on the screen and today's date."
                    )
                    st.rerun()
    said = card_notes(area, card_id)
    if not said.empty:
        glossed.markdown(f"**Recorded for this card: {len(said)}**")
        for note in said.itertuples(index=False):
            parts = [md(note.comment)] if note.comment else []
            if note.question:
                parts.append(f"Question: {md(note.question)}")
            if not pd.isna(note.votes_yes):
                parts.append(
                    f"Votes: yes {note.votes_yes}, partly {note.votes_partly}, no {note.votes_no}"
                )
            glossed.markdown(f"- {note.session_date:%d %B %Y}: " + "; ".join(parts))


def all_notes(area: str) -> pd.DataFrame:
    try:
        return story_store.notes(_engine(), area, **local.scope())
    except local.STORE_PROBLEMS:
        return pd.DataFrame(columns=story_store.NOTE_COLUMNS)


def card_notes(area: str, card: str) -> pd.DataFrame:
    found = all_notes(area)
    return found[found["card"] == card]


def documents(area: str, area_name: str) -> None:
    """ "What families told us": every note against its figure, to download for the board."""
    notes = all_notes(area)
    glossed.subheader("What families told us", anchor=False)
    if notes.empty:
        glossed.caption("Nothing recorded for this area yet.")
        return
    table = room_notes.notes_table(notes, {i.id: i for i in story.available()})
    glossed.caption(f"{len(table)} notes recorded for {area_name}.")
    left, right = st.columns(2)
    left.download_button(
        "Download the workbook (XLSX)",
        room_notes.notes_xlsx(table, area_name),
        file_name=f"what_families_told_us_{area}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="story.xlsx",
    )
    right.download_button(
        "Download the printable page (HTML)",
        room_notes.notes_html(table, area_name),
        file_name=f"what_families_told_us_{area}.html",
        mime="text/html",
        key="story.html",
    )


FAMILIES_NOT_TOLD = (
    "Who answered is not everyone: families who answer surveys may not be like those who do "
    "not, and a small survey can swing from one year to the next on a few answers."
)


def families_card(area: str) -> dict[str, object]:
    """The workspace's own survey: the share giving each answer to one question, latest
    period; the figures on the screen, for the room's notes."""
    glossed.header(families.QUESTION, anchor=False)
    asked = local.local_survey_questions()
    found = (
        families.questions(local.local_table(area), area, asked) if local.can(Action.READ) else {}
    )
    if not found:
        st.info("No survey of families is stored in this workspace yet.")
        if not workshop.active() and local.can(Action.WRITE):
            glossed.caption("Add the results of a survey (kind: Survey results) on the Data page.")
        glossed.markdown(f"**What this does not tell us:** {FAMILIES_NOT_TOLD}")
        return {"indicator": families.CARD_ID, "period": None}
    chosen = next(iter(found))
    if len(found) > 1:
        chosen = st.selectbox(
            "Survey question", list(found), format_func=found.get, key="story.survey"
        )
    figures = families.answer_shares(local.local_table(area), chosen, area, asked)
    if figures.source.removeprefix("upload:").startswith(EXAMPLE_PREFIX):
        st.warning(
            "**Example data (synthetic).** These answers are made up by SEND Lens to show "
            "how the card works; they are not this area's real answers."
        )
    said, shown = st.columns([2, 3], gap="large")
    with said:
        text = words.survey_sentence(figures)
        glossed.markdown(f"**{text}**", help=glossary_help(text))
        if figures.hidden:
            glossed.caption(
                f"{figures.hidden} answer{'s' if figures.hidden > 1 else ''} given by 1 to 7 "
                f"people {'are' if figures.hidden > 1 else 'is'} {words.HIDDEN}."
            )
        glossed.markdown(f"**What this does not tell us:** {FAMILIES_NOT_TOLD}")
    with shown:
        title = f"{figures.question} ({figures.period})"
        glossed.subheader(title, anchor=False)
        drawn = survey_chart(figures)
        if drawn is not None:
            workshop.draw(drawn.properties(description=title))
        else:
            st.info(f"Every share is {words.HIDDEN}.")
        with st.expander("The figures as a table"):
            show_table(survey_table(figures).set_index("Answer"), static=True)
    return figures.as_record()


def survey_chart(figures: SurveyFigures) -> alt.Chart | None:
    """One bar per answer shown, its share written on it."""
    data = figures.answers.dropna(subset=["share"])
    if data.empty:
        return None
    data = data.assign(label=[f"{v:.0f}%" for v in data["share"]])
    base = alt.Chart(data).encode(
        y=alt.Y("answer:N", sort=None, title=None),
        x=alt.X("share:Q", title=None, axis=None),
    )
    bars = base.mark_bar(color=AREA_COLOUR)
    labels = base.mark_text(align="left", dx=6, fontSize=workshop.CHART_LABEL_PX).encode(
        text="label:N"
    )
    return (bars + labels).properties(height=70 * len(data) + 20)


def survey_table(figures: SurveyFigures) -> pd.DataFrame:
    """Every cell says something: a hidden figure says so."""
    frame = figures.answers
    return pd.DataFrame(
        {
            "Answer": frame["answer"],
            "People (rounded to 5)": [
                words.HIDDEN if pd.isna(c) else f"{c:,.0f}" for c in frame["count"]
            ],
            "Share": [words.HIDDEN if pd.isna(s) else f"{s:.0f}%" for s in frame["share"]],
        }
    )
