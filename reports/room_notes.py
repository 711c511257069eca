""" "What families told us": every comment, question and vote a workshop recorded, against the
figure its card showed, as an XLSX workbook and a printable page for the partnership board.

Pure functions from the stored notes (``store.story.notes``) to the documents. Vote counts
stay numbers in the workbook; text is escaped for spreadsheets there
(``reports.exception_report.workbook``) and with ``html.escape`` on the page. No note holds a
name, so neither document can.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from analysis import families
from indicators import Indicator
from reports.exception_report import PRINT_CSS, REPORT_CSS, workbook
from reports.format import describe_period
from reports.story import HIDDEN, figure_words

COLUMNS = [
    "Date",
    "Question on the card",
    "Figure shown",
    "What people said",
    "Question to follow up",
    "Matches experience: yes",
    "Partly",
    "No",
]
TITLE = "What families told us"


def figure_shown(figures: Mapping[str, object], card: Indicator | None) -> str:
    """The figure a card showed, as it was said: "Bradford: 89 in every 100 (2024)"."""
    value, period = figures.get("value"), figures.get("period")
    if card is None or period is None:
        return "no figure"
    number = figure_words(None if value is None else float(str(value)), card.unit)
    return f"{figures.get('place', '')}: {number} ({describe_period(str(period), card)})"


def survey_shown(figures: Mapping[str, object]) -> str:
    """The survey card's figures as said: "Yes 52%, No 18% (2024/25)"."""
    shares = figures.get("shares")
    if not isinstance(shares, Mapping) or not shares:
        return "no figure"
    said = ", ".join(
        f"{a} {HIDDEN if s is None else f'{float(s):.0f}%'}" for a, s in shares.items()
    )
    return f"{figures.get('question', '')}: {said} ({figures.get('period', '')})"


def _other_question(card: object) -> str:
    return families.QUESTION if card == families.CARD_ID else str(card)


def notes_table(notes: pd.DataFrame, cards: Mapping[str, Indicator]) -> pd.DataFrame:
    """One row per note, oldest first, in ``COLUMNS``; a missing vote is blank, not "None"."""
    rows = []
    for note in notes.itertuples(index=False):
        card = cards.get(str(note.card))
        rows.append(
            {
                "Date": pd.Timestamp(note.session_date).date(),
                "Question on the card": card.question if card else _other_question(note.card),
                "Figure shown": (
                    figure_shown(note.figures, card)
                    if note.card != families.CARD_ID
                    else survey_shown(note.figures)
                ),
                "What people said": note.comment,
                "Question to follow up": note.question,
                "Matches experience: yes": note.votes_yes,
                "Partly": note.votes_partly,
                "No": note.votes_no,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in COLUMNS[-3:]:
        frame[col] = frame[col].astype("Int64")
    return frame


def notes_xlsx(table: pd.DataFrame, area_name: str) -> bytes:
    """The workbook: the notes, and a sheet saying what they are."""
    about = pd.DataFrame(
        {
            "About": [
                f"{TITLE}: {area_name}.",
                "What parent carers and young people said in workshops, against the figure on "
                "the screen at the time. Votes answer 'Does this match your experience?' by a "
                "show of hands. No names are recorded.",
                "Figures were shown with small numbers protected: counts of 1 to 7 hidden, "
                "other counts rounded to the nearest 5, and shares rounded for reading.",
            ]
        }
    )
    return workbook({"What families told us": table, "About": about})


def notes_html(table: pd.DataFrame, area_name: str) -> bytes:
    """A standalone page to print (A4 landscape) or attach to the board paper."""
    e = html.escape
    heading = f"{TITLE}: {area_name}"
    if table.empty:
        body = "<p>No comments, questions or votes have been recorded yet.</p>"
    else:
        head = "".join(f"<th scope='col'>{e(c)}</th>" for c in COLUMNS)
        cells = []
        for row in table.itertuples(index=False):
            values = ["" if pd.isna(v) else str(v) for v in row]
            cells.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in values) + "</tr>")
        body = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"
    intro = (
        "What parent carers and young people said in workshops, against the figure on the "
        "screen at the time. Votes answer &lsquo;Does this match your experience?&rsquo; by a "
        "show of hands. No names are recorded."
    )
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(heading)}</title>"
        f"<style>{REPORT_CSS}{PRINT_CSS}</style></head><body><main><div class='gov-report'>"
        f"<h1>{e(heading)}</h1><p>{intro}</p>{body}</div></main></body></html>"
    )
    return page.encode("utf-8")
