"""The text a page shows, with the glossary on it: every page's titles, headings, lines,
captions and metric labels go through these, so that in workshop mode each one that uses a
glossary term (EHC plan, SEMH, NEET, ...; ``indicators.glossary.terms_in``) carries a tooltip
explaining it. Outside the mode they are Streamlit's own, unchanged."""

from __future__ import annotations

from typing import Any

import streamlit as st

from indicators.glossary import Term, explain, terms_in
from ui import workshop


def glossary_help(*texts: str) -> str | None:
    """A tooltip explaining every glossary word of ``texts``, or None when they use none."""
    found: list[Term] = []
    for text in texts:
        found += [t for t in terms_in(text) if t not in found]
    return "\n\n".join(explain(t) for t in found) or None


def with_glossary(text: str, help: str | None = None) -> str | None:
    """``help`` (an element's own tooltip), and in workshop mode what the glossary says of
    the terms ``text`` uses, each said once."""
    if not workshop.active():
        return help
    tip = glossary_help(text)
    if not tip or (help and tip in help):
        return help
    return f"{help}\n\n{tip}" if help else tip


def title(body: str, *args: Any, where: Any = st, help: str | None = None, **options: Any) -> None:
    where.title(body, *args, help=with_glossary(body, help), **options)


def header(body: str, *args: Any, where: Any = st, help: str | None = None, **options: Any) -> None:
    where.header(body, *args, help=with_glossary(body, help), **options)


def subheader(
    body: str, *args: Any, where: Any = st, help: str | None = None, **options: Any
) -> None:
    where.subheader(body, *args, help=with_glossary(body, help), **options)


def markdown(
    body: str, *args: Any, where: Any = st, help: str | None = None, **options: Any
) -> None:
    where.markdown(body, *args, help=with_glossary(body, help), **options)


def caption(
    body: str, *args: Any, where: Any = st, help: str | None = None, **options: Any
) -> None:
    where.caption(body, *args, help=with_glossary(body, help), **options)


def metric(
    label: str,
    value: Any,
    *args: Any,
    where: Any = st,
    help: str | None = None,
    **options: Any,
) -> None:
    where.metric(label, value, *args, help=with_glossary(label, help), **options)
