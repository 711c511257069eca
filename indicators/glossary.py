"""Plain words for the room: the glossary (``data/glossary.toml``) and the check that every
catalogue indicator has a one-sentence explanation a parent would follow.

An abbreviation is explained when the glossary has it, so workshop mode can put the
explanation on it (a tooltip); the check below refuses any other, and any code-like word
(``amendments_12wk_pct``), in an indicator's ``plain`` sentence.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indicators.records import Indicator

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data/glossary.toml"
# Two capitals or more in one word, digits allowed: EHC, SEN2, DfE, KS2 (not "England").
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")
_CODE = re.compile(r"`|\b\w+_\w+\b")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
MAX_WORDS = 50  # a sentence read aloud in one breath, give or take


@dataclass(frozen=True)
class Term:
    term: str  # as written: "EHC plan", "SEMH"
    words: str  # what the letters stand for; "" when not an abbreviation
    meaning: str  # one plain sentence


class GlossaryError(ValueError):
    """The glossary file breaks its rules; the message names the entry."""


@cache
def glossary(path: Path = GLOSSARY_FILE) -> tuple[Term, ...]:
    """Every term, longest first (so "EHC plan" is found before "EHC")."""
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("term", [])
    terms = []
    for number, entry in enumerate(raw, start=1):
        where = f"{path.name}, term {number}"
        if set(entry) != {"term", "words", "meaning"}:
            raise GlossaryError(f"{where}: needs exactly term, words and meaning")
        if not entry["term"] or not entry["meaning"]:
            raise GlossaryError(f"{where}: term and meaning cannot be empty")
        terms.append(Term(entry["term"], entry["words"], entry["meaning"]))
    names = [t.term for t in terms]
    if len(set(names)) != len(names):
        raise GlossaryError(f"{path.name}: a term is listed twice")
    return tuple(sorted(terms, key=lambda t: -len(t.term)))


def acronyms(text: str) -> list[str]:
    """The abbreviations in ``text``, in order of appearance, each once."""
    return list(dict.fromkeys(_ACRONYM.findall(text)))


def explained() -> frozenset[str]:
    """The abbreviations the glossary explains (those inside its terms, as in "EHC plan")."""
    return frozenset(a for t in glossary() for a in acronyms(t.term))


def unexplained(text: str) -> list[str]:
    """The abbreviations in ``text`` that the glossary does not explain."""
    known = explained()
    return [a for a in acronyms(text) if a not in known]


def terms_in(text: str) -> list[Term]:
    """The glossary terms ``text`` uses (whole words, as written), longest first; a term inside
    a longer one found ("EHC" in "EHC plan") is not listed again."""
    found: list[Term] = []
    taken: list[tuple[int, int]] = []
    for term in glossary():
        for match in re.finditer(rf"(?<!\w){re.escape(term.term)}(?!\w)", text):
            span = match.span()
            if any(a <= span[0] and span[1] <= b for a, b in taken):
                continue
            taken.append(span)
            if term not in found:
                found.append(term)
    return found


def explain(term: Term) -> str:
    """A term's tooltip: what the letters stand for, then what it means."""
    if term.words and term.words.lower() not in term.meaning.lower():
        return f"{term.term}: {term.words}. {term.meaning}"
    return f"{term.term}: {term.meaning}"


def plain_problems(indicator: Indicator) -> list[str]:
    """What stops an indicator's ``plain`` sentence being read to a room of parents: missing,
    more than one sentence or too long, a code, or an abbreviation the glossary lacks."""
    text = indicator.plain.strip()
    if not text:
        return ["no plain-English sentence"]
    problems = []
    if len(_SENTENCE_END.findall(text)) != 1 or not _SENTENCE_END.search(text[-1] + " "):
        problems.append("not exactly one sentence")
    if len(text.split()) > MAX_WORDS:
        problems.append(f"longer than {MAX_WORDS} words")
    if _CODE.search(text):
        problems.append("contains a code")
    missing = unexplained(text)
    if missing:
        problems.append(f"abbreviations not in the glossary: {', '.join(missing)}")
    return problems
