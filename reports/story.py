"""The story cards in words, for reading out to a room of parent carers: one sentence for the
figure, one comparing it with similar areas and England, and notes where a number needs one.

No statistical words ("significant", "confidence interval"): figures are already protected
and rounded (``analysis.story``), and the words say higher, lower or the same.
"""

from __future__ import annotations

from analysis import benchmark
from analysis.families import SurveyFigures
from analysis.story import RULE, CardFigures
from indicators import Indicator
from reports.format import describe_period
from reports.series_breaks import break_sentence as series_break_sentence

HIDDEN = "hidden to protect privacy"


def figure_words(value: float | None, unit: str) -> str:
    """A figure as said aloud: "62 in every 100", "377 in every 10,000", "about 2,330"."""
    if value is None:
        return HIDDEN
    number = f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"
    if unit == "%":
        return f"{number} in every 100"
    if unit == "rate per 10,000":
        return f"{number} in every 10,000"
    if unit == "rate per 100":
        return f"{number} for every 100"
    if unit == "count":
        return f"about {number}" if value >= RULE.rounding else number
    if unit == "£":
        return f"£{number}"
    if unit in ("days", "weeks", "minutes"):
        return f"{number} {unit}"
    return number


def sentence(card: Indicator, figures: CardFigures) -> str:
    """The figure in one sentence, with the year before."""
    if figures.period is None:
        return f"No figure is published for {figures.place}."
    when = describe_period(figures.period, card)
    if figures.value is None:
        return (
            f"In {when} the figure for {figures.place} is {HIDDEN}: it rests on fewer than "
            f"{RULE.threshold + 1} children or young people, or too few to be reliable."
        )
    text = f"In {when} the figure for {figures.place} was {figure_words(figures.value, card.unit)}"
    if figures.previous_period is not None and figures.previous is not None:
        before = describe_period(figures.previous_period, card)
        move = _movement(figures.value, figures.previous)
        if move == "the same":
            text += f", the same as in {before}"
        else:
            text += f", {move} from {figure_words(figures.previous, card.unit)} in {before}"
    return text + "."


def _movement(now: float, before: float) -> str:
    return "up" if now > before else "down" if now < before else "the same"


def _relation(value: float, other: float) -> str:
    return "higher than" if value > other else "lower than" if value < other else "the same as"


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return 100 * (now - before) / before


def _change_words(change: float) -> str:
    if round(change) == 0:
        return "about the same"
    return f"{'up' if change > 0 else 'down'} by {abs(change):.0f} in every 100"


def comparison(card: Indicator, figures: CardFigures) -> str:
    """Similar areas and England, in words. A count is compared by its change over the year
    (a council's count beside England's says nothing); anything else by its level."""
    if figures.value is None:
        parts = []
        if figures.neighbours is not None:
            parts.append(f"similar areas: {figure_words(figures.neighbours, card.unit)}")
        if figures.england is not None:
            parts.append(f"England: {figure_words(figures.england, card.unit)}")
        return ("For comparison, " + "; ".join(parts) + ".") if parts else ""
    if card.unit == "count":
        own = _change(figures.value, figures.previous)
        if own is None:
            return "There is no earlier year to compare with."
        text = f"Over the year the number went {_change_words(own)}"
        others = [
            (who, _change(now, before))
            for who, now, before in (
                ("similar areas", figures.neighbours, figures.neighbours_previous),
                ("England", figures.england, figures.england_previous),
            )
        ]
        said = [f"{who} {_change_words(c)}" for who, c in others if c is not None]
        return text + (f"; {' and '.join(said)}." if said else ".")
    parts = []
    if figures.neighbours is not None:
        parts.append(
            f"{_relation(figures.value, figures.neighbours)} similar areas "
            f"({figure_words(figures.neighbours, card.unit)})"
        )
    if figures.england is not None:
        parts.append(
            f"{_relation(figures.value, figures.england)} England "
            f"({figure_words(figures.england, card.unit)})"
        )
    return ("That is " + " and ".join(parts) + ".") if parts else ""


def notes(card: Indicator, figures: CardFigures) -> list[str]:
    """What a number needs said beside it: an average of few areas, a change in how it is
    counted, NHS figures for a wider area, figures hidden from the chart."""
    out = []
    total, having = figures.neighbours_total, figures.neighbours_with_value
    if figures.neighbours is not None and benchmark.rests_on_few(having, total):
        out.append(
            f"Only {having} of the {total} similar areas have a figure, so their average is a "
            "rough guide."
        )
    charted = figures.chart.get("period", [])  # a count's chart shows several years
    shown = [figures.previous_period, figures.period, *map(str, charted)]
    if said := series_break_sentence(card, [p for p in shown if p]):
        out.append(said)
    if figures.nhs_area:
        out.append(
            f"These are NHS figures for {figures.place}, which covers a wider area than the "
            "council; there are no similar-area figures for it."
        )
    if figures.hidden:
        out.append(
            f"{figures.hidden} figure{'s' if figures.hidden > 1 else ''} in the chart "
            f"{'are' if figures.hidden > 1 else 'is'} {HIDDEN}: counts of 1 to "
            f"{RULE.threshold} are not shown, and neither are figures resting on them."
        )
    return out


SIMILAR = "Similar areas"  # the chart's name for the similar areas' average (analysis.story)


def who_words(who: str, figures: CardFigures) -> str:
    """A bar's name: the similar areas' says when their average rests on few of them
    ("Similar areas (average of 4 of 10 areas)"), so a chart and its table show it."""
    if who == SIMILAR and benchmark.rests_on_few(
        figures.neighbours_with_value, figures.neighbours_total
    ):
        return f"{who} ({benchmark.few_words(figures.neighbours_with_value, figures.neighbours_total, 'areas')})"
    return who


def chart_title(card: Indicator, figures: CardFigures) -> str:
    """Says the year (or years) the chart shows."""
    if figures.period is None:
        return card.title
    if card.unit == "count" and not figures.chart.empty:
        first = describe_period(str(figures.chart["period"].iloc[0]), card)
        last = describe_period(figures.period, card)
        return f"{card.title}, {figures.place}, {first} to {last}"
    return f"{card.title}, {describe_period(figures.period, card)}"


def survey_sentence(figures: SurveyFigures) -> str:
    """One plain sentence: how many answered, and the answer most gave."""
    if figures.respondents is None:
        return f"In {figures.period} fewer than {RULE.threshold + 1} people answered this question."
    said = f"In {figures.period} about {figures.respondents:,.0f} people answered this question"
    shown = figures.answers.dropna(subset=["share"])
    if shown.empty:
        return f"{said}: too few to give the share of each answer."
    top = shown.loc[shown["share"].idxmax()]
    return f'{said}; the answer most gave was "{top["answer"]}" ({top["share"]:.0f} in every 100).'
