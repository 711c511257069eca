"""The story's card "What do families tell us?": the share giving each answer to one question
of the workspace's own survey uploads (``local:survey:...`` tidy rows, see
``store.local_data``), for its latest period, protected for a room.

Counts of 1 to 7 are hidden and others rounded to 5 (``analysis.disclosure``); when the
answers add up to the respondents, more answers are hidden until the rounded total beside
them gives none away; shares are worked out from the rounded counts shown, so they tell a
reader nothing the counts do not, and all are hidden when fewer than 30 answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.disclosure import SmallNumberRule, protect_parts
from analysis.outcome_indicators import question_words, survey_questions
from tidy import period_sort_key

RULE = SmallNumberRule()  # the project's rule; it cannot be made looser
CARD_ID = "local_survey"  # the card's id where the room's notes are stored
QUESTION = "What do families tell us?"


@dataclass(frozen=True)
class SurveyFigures:
    """One question's answers as a card shows them."""

    indicator: str
    question: str
    period: str | None
    respondents: float | None  # rounded; None when hidden
    hidden: int  # answers whose count the rule hides
    source: str = ""  # the upload's name, which says when it is example data
    answers: pd.DataFrame = field(default_factory=pd.DataFrame)  # answer, count, share

    def as_record(self) -> dict[str, object]:
        """What the room saw, stored beside what it said."""
        shares = dict(zip(self.answers["answer"], self.answers["share"]))
        return {
            "indicator": self.indicator,
            "question": self.question,
            "period": self.period,
            "respondents": self.respondents,
            "shares": {a: None if pd.isna(s) else float(s) for a, s in shares.items()},
        }


def questions(
    local_rows: pd.DataFrame, area: str, asked: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The area's survey questions: indicator id to the question's words (as asked, from
    ``asked``, else made from the id), in the store's order."""
    mine = local_rows[local_rows["area_code"] == area] if not local_rows.empty else local_rows
    return {q: question_words(q, asked) for q in survey_questions(mine)}


def answer_shares(
    local_rows: pd.DataFrame, indicator: str, area: str, asked: Mapping[str, str] | None = None
) -> SurveyFigures:
    """The latest period's answers to ``indicator`` in ``area``, protected for reading, in
    the order of ``local_rows`` (the upload's own, from ``store.local_data``)."""
    rows = local_rows[(local_rows["indicator"] == indicator) & (local_rows["area_code"] == area)]
    rows = rows[rows["breakdown"].astype(str).str.startswith("answer=")]
    words = question_words(indicator, asked)
    if rows.empty:
        return SurveyFigures(indicator, words, None, None, 0, "", _answers([], [], []))
    period = max(rows["period"].astype(str).unique(), key=period_sort_key)
    latest = rows[rows["period"].astype(str) == period]
    answers = latest["breakdown"].astype(str).str.removeprefix("answer=").tolist()
    counts = [float(c) if pd.notna(c) else 0.0 for c in latest["numerator"]]
    respondents = float(latest["denominator"].max())
    total = RULE.shown_count(respondents)
    shown = [RULE.shown_count(c) for c in counts]
    hidden = sum(s is None for s in shown)
    if sum(counts) == respondents:  # single choice: the total and parts are one sum
        shown = protect_parts(shown, total, RULE)
    readable = total if total and not RULE.hides_share(None, respondents) else None
    shares = [
        None if not readable or s is None else float(round(s / readable * 100)) for s in shown
    ]
    return SurveyFigures(
        indicator,
        words,
        period,
        total,
        hidden,
        str(latest["source"].iloc[0]),
        _answers(answers, shown, shares),
    )


def _answers(answers: list[str], counts: list, shares: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "answer": pd.Series(answers, dtype=str),
            "count": pd.Series(counts, dtype="float64"),
            "share": pd.Series(shares, dtype="float64"),
        }
    )
