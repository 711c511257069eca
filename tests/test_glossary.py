"""The glossary and the plain-English check (issue 15 item 4): every abbreviation a plain
sentence uses is explained, and the check catches what a parent could not follow."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import indicators
from indicators.catalogue import ENTRIES
from indicators.glossary import (
    GlossaryError,
    acronyms,
    explain,
    glossary,
    plain_problems,
    terms_in,
    unexplained,
)

# The abbreviations the issue names: each must have a tooltip in workshop mode.
ISSUE_ACRONYMS = ["EHC", "SEN", "SEND", "SEMH", "SLCN", "ASD", "NEET", "CIN", "ICB"]


def test_the_glossary_explains_every_acronym_the_issue_names():
    explained = {a for t in glossary() for a in acronyms(t.term)}
    assert set(ISSUE_ACRONYMS) <= explained
    semh = next(t for t in glossary() if t.term == "SEMH")
    # The meaning spells the letters out already, so they are not said twice.
    assert explain(semh).startswith("SEMH: Social, emotional and mental health needs")
    asd = next(t for t in glossary() if t.term == "ASD")
    assert explain(asd).startswith("ASD: autistic spectrum disorder. Autism:")


def test_acronyms_are_words_of_two_capitals_or_more():
    text = "An EHC plan in England, SEN2 data from the DfE, KS2 results; I think so."
    assert acronyms(text) == ["EHC", "SEN2", "DfE", "KS2"]
    assert unexplained(text) == ["SEN2"]  # the return's name is for analysts, not the room


def test_the_longest_term_is_found_first_and_a_shorter_one_inside_it_is_not_repeated():
    found = [t.term for t in terms_in("Children with an EHC plan or SEN support; EHC needs")]
    assert found == ["SEN support", "EHC plan", "EHC"]  # "EHC" alone, in "EHC needs"
    assert [t.term for t in terms_in("An EHC plan.")] == ["EHC plan"]


def test_a_bad_glossary_entry_is_named(tmp_path: Path):
    path = tmp_path / "glossary.toml"
    path.write_text('[[term]]\nterm = "EHC"\nwords = ""\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match="term 1: needs exactly term, words and meaning"):
        glossary(path)


@pytest.mark.parametrize(
    ("plain", "problem"),
    [
        ("", "no plain-English sentence"),
        ("How many plans there are. And more.", "not exactly one sentence"),
        ("How many plans there are", "not exactly one sentence"),
        ("The share in amendments_12wk_pct.", "contains a code"),
        ("How many CAMHS referrals were made.", "abbreviations not in the glossary: CAMHS"),
        (" ".join(["word"] * 60) + ".", "longer than 50 words"),
    ],
)
def test_the_check_catches_what_a_parent_could_not_follow(plain, problem):
    entry = dataclasses.replace(indicators.get("ehc_plans"), plain=plain)
    assert problem in plain_problems(entry)


def test_a_good_sentence_passes():
    assert plain_problems(indicators.get("ehc_plans")) == []
    assert "SEN support" in indicators.get("sen_support_pct").plain


def test_every_catalogue_indicator_has_a_plain_sentence_a_parent_can_follow():
    problems = {i.id: plain_problems(i) for i in ENTRIES if plain_problems(i)}
    assert not problems, problems
