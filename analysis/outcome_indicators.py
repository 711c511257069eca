"""The national outcome indicators beside each impact domain, and the local survey slots.

CDC's 2019 workshops recommended these outcome indicators for the four impact domains of the
national logic model (Learning & Employment; Friends, relationships & community; Good health;
Independent living):

1. % of pupils with SEND in mainstream primary and secondary schools and colleges;
2. % of pupils with SEND who achieved a 9-5 GCSE pass;
3. % of students at KS5 with SEND in sustained education, employment or training;
4. % of children and young people with SEND surveyed who were able to participate in their
   chosen leisure activities (local data);
5. % of parent carers surveyed who were confident in navigating the system and managing
   their child's health and care needs (local data);
6. % of adults with a learning disability living in their own home or with family.

What SEND Lens's catalogue has, and what stands in where it has not (``NOTES`` says it on the
page): 1 is the share of EHC plans in mainstream settings (SEN2), placed in Learning &
Employment as the logic model places "more children and young people are in mainstream
settings" (the catalogue files it under friends, relationships and community); 2 is not in
the catalogue, so Attainment 8 by SEN status stands in; 3 is not either, so sustained
destinations after key stage 4 by SEN status stand in; 16-17 year olds NEET is not split by
SEND in LAIT, so 16-17 year olds with SEND in education or training, EHC plans held by young
people who are NEET, and NEET for all 16-17 year olds are shown; 4 and 5 come from the area's
own survey uploads; 6 is not in SEND Lens's data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats import wilson_ci
from uploads.schemas import norm

NATIONAL_INDICATORS: dict[str, tuple[str, ...]] = {
    "learning and employment": (
        "ehc_mainstream_pct",
        "att8_ehc",
        "att8_sen_support",
        "att8_no_sen",
        "ks4_destination_ehc",
        "ks4_destination_sen_support",
        "ks4_destination_no_sen",
        "sen_16_17_in_education_pct",
        "ehc_neet_pct",
        "neet_16_17_pct",
    ),
    "friends, relationships and community": (),
    "good health": (),
    "independent living": (),
}
NOTES: dict[str, str] = {
    "learning and employment": (
        "GCSE grade 5 or above in English and maths by SEN status is not in SEND Lens's data yet, "
        "so Attainment 8 by SEN status stands in for it. Sustained education, employment or "
        "training after key stage 5 is not either: the destinations after key stage 4 stand in. "
        "LAIT does not split 16-17 year olds not in education, employment or training (NEET) by "
        "SEND: shown instead are 16-17 year olds with SEND in education or training, EHC plans "
        "held by young people who are NEET, and NEET for all 16-17 year olds."
    ),
    "friends, relationships and community": (
        "The logic model's measure here comes from a local survey: children and young people "
        "with SEND able to take part in the leisure activities they choose."
    ),
    "good health": (
        "The logic model's measure here comes from a local survey: parent carers confident in "
        "navigating the system and managing their child's health and care needs."
    ),
    "independent living": (
        "The logic model's measure here, adults with a learning disability living in their own "
        "home or with family (Adult Social Care Outcomes Framework), is not in SEND Lens's data."
    ),
}


@dataclass(frozen=True)
class SurveySlot:
    key: str
    domain: str
    title: str
    keywords: tuple[tuple[str, ...], ...]  # a question fits when its id holds every word of one


SURVEY_SLOTS: tuple[SurveySlot, ...] = (
    SurveySlot(
        "leisure",
        "friends, relationships and community",
        "Children and young people with SEND able to take part in their chosen leisure activities",
        (("leisure",),),
    ),
    SurveySlot(
        "confidence",
        "good health",
        "Parent carers confident navigating the system and managing their child's health and care needs",
        (("confiden", "navigat"), ("confiden", "system")),
    ),
)
POSITIVE_STARTS = (
    "yes",
    "agree",
    "strongly agree",
    "very",
    "fairly",
    "quite",
    "confident",
    "always",
    "most of the time",
    "mostly",
    "completely",
    "satisfied",
    "good",
    "excellent",
)


def survey_questions(local_rows: pd.DataFrame) -> list[str]:
    """The local survey indicators (``local:survey:...``) in the area's local tidy rows."""
    ids = local_rows["indicator"].astype(str) if not local_rows.empty else pd.Series(dtype=str)
    return sorted(ids[ids.str.startswith("local:survey:")].unique())


def suggest_question(questions: list[str], slot: SurveySlot) -> str | None:
    """The first survey question whose id holds every keyword of one of the slot's sets."""
    for question in questions:
        text = question.lower()
        if any(all(word in text for word in words) for words in slot.keywords):
            return question
    return None


def survey_answers(local_rows: pd.DataFrame, indicator: str) -> list[str]:
    part = local_rows[local_rows["indicator"] == indicator]
    answers = part["breakdown"].astype(str).str.removeprefix("answer=")
    return list(dict.fromkeys(answers[part["breakdown"].astype(str).str.startswith("answer=")]))


def default_positive(answers: list[str]) -> list[str]:
    """Answers that read as positive: "Yes", "Agree", "Very confident"; never "Not very ..."."""
    return [
        a
        for a in answers
        if norm(a).startswith(POSITIVE_STARTS) and not norm(a).startswith(("no", "not"))
    ]


def survey_share(
    local_rows: pd.DataFrame, indicator: str, positive: list[str], area: str
) -> pd.DataFrame:
    """Per period, the share of respondents giving a positive answer, with a 95% Wilson interval.

    Columns: period, positive, respondents, pct, low, high (per cent). Respondents are the
    survey rows' denominator (the question's respondents), so a multi-choice question is
    not double counted.
    """
    part = local_rows[(local_rows["indicator"] == indicator) & (local_rows["area_code"] == area)]
    part = part.assign(answer=part["breakdown"].astype(str).str.removeprefix("answer="))
    rows = []
    for period, group in part.groupby("period", sort=True):
        respondents = float(group["denominator"].max())
        good = float(group.loc[group["answer"].isin(positive), "numerator"].sum())
        low, high = wilson_ci(good, respondents) if respondents > 0 else (np.nan, np.nan)
        rows.append(
            {
                "period": period,
                "positive": good,
                "respondents": respondents,
                "pct": 100 * good / respondents if respondents else np.nan,
                "low": 100 * low,
                "high": 100 * high,
            }
        )
    return pd.DataFrame(rows, columns=["period", "positive", "respondents", "pct", "low", "high"])


def question_words(indicator: str, asked: Mapping[str, str] | None = None) -> str:
    """A survey question as the upload wrote it (``asked``, from
    ``store.local_data.survey_questions_asked``), else readable words made from its id (the
    tidy table keeps only a slug)."""
    if asked and asked.get(indicator):
        return asked[indicator]
    slug = indicator.removeprefix("local:survey:").split(":")[-1]
    slug = re.sub(r"_[0-9a-f]{6}$", "...", slug)  # a long question was cut and given a short hash
    words = slug.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else indicator
