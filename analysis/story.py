"""The guided story for a workshop with parent carers: cards in order, each one question that
families ask, answered by one catalogue indicator, with its figures beside similar areas
(the DfE statistical neighbours) and England.

A card is an indicator with a ``question`` in the catalogue (with its ``plain`` sentence and
``not_told``, "what this does not tell us"); ``story_order`` makes the default story, and an
analyst may choose and reorder any of them (saved per workspace, ``store.story``).

Figures are for reading out in a room: protected by the strictest small-number rule (a count
of 1 to 7, or a percentage resting on one, is hidden; other counts rounded to the nearest 5)
and rounded to whole numbers. Words are written in ``reports.story``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

import indicators
from analysis import benchmark, health
from analysis.disclosure import SmallNumberRule
from analysis.neighbours import statistical_neighbours
from geography import areas
from indicators.records import Indicator
from tidy import period_sort_key

RULE = SmallNumberRule()  # the project's rule; it cannot be made looser
CHART_PERIODS = 5  # years a count's chart shows


def available() -> list[Indicator]:
    """Every indicator that can be a card (it has a question), default story first."""
    cards = [i for i in indicators.CATALOGUE.values() if i.question]
    return sorted(cards, key=lambda i: (i.story_order or math.inf, i.title))


def default_story() -> list[str]:
    """The default story's card ids, in order."""
    return [i.id for i in available() if i.story_order]


def story(ids: Sequence[str] | None) -> list[Indicator]:
    """The cards of a saved sequence, in its order; ids no longer cards are skipped, and no
    saved sequence (None or empty) is the default story."""
    cards = {i.id: i for i in available()}
    chosen = [cards[i] for i in dict.fromkeys(ids or ()) if i in cards]
    return chosen or [cards[i] for i in default_story()]


@dataclass(frozen=True)
class CardFigures:
    """What a card shows, already protected and rounded for reading."""

    indicator: str
    place: str  # the area's name, or its NHS board's for NHS figures
    place_code: str
    period: str | None
    value: float | None
    previous_period: str | None
    previous: float | None
    england: float | None
    england_previous: float | None
    neighbours: float | None  # similar areas' average (pooled from counts where published)
    neighbours_previous: float | None
    neighbours_with_value: int
    neighbours_total: int
    hidden: int  # figures the chart would show that the small-number rule hides
    nhs_area: bool  # NHS figures for a wider area than the council
    chart: pd.DataFrame = field(default_factory=pd.DataFrame)  # who, period, value

    def as_record(self) -> dict[str, object]:
        """The figures a room saw, as stored beside what it said (no chart)."""
        return {
            "indicator": self.indicator,
            "place": self.place,
            "period": self.period,
            "value": self.value,
            "previous_period": self.previous_period,
            "previous": self.previous,
            "neighbours": self.neighbours,
            "england": self.england,
        }


def _for_reading(
    value: float | None, numerator: float | None, denominator: float | None, unit: str
) -> float | None:
    """Protected and rounded: a count by the rule; a figure resting on a hidden count, or on
    fewer than the rule's minimum denominator, hidden; others to whole numbers (no one reads
    82.1429 to a room)."""
    if value is None or math.isnan(value):
        return None
    if unit == "count":
        return RULE.shown_count(value)
    if RULE.hides_share(numerator, denominator):
        return None
    return float(round(value, 1 if abs(value) < 10 else 0))


def _is_hidden(figure: tuple[float | None, float | None, float | None], unit: str) -> bool:
    """Published, but not shown by :func:`_for_reading`."""
    return figure[0] is not None and _for_reading(*figure, unit) is None


def _figure(
    rows: pd.DataFrame, where: str, when: str | None
) -> tuple[float | None, float | None, float | None]:
    """Value, numerator and denominator of one area and period (None where missing)."""
    hit = rows[(rows["area_code"] == where) & (rows["period"] == when)]
    if hit.empty:
        return None, None, None
    first = hit.iloc[0]
    return tuple(  # type: ignore[return-value]
        None if pd.isna(first[c]) else float(first[c])
        for c in ("value", "numerator", "denominator")
    )


def figures(table: pd.DataFrame, card: Indicator, area: str) -> CardFigures:
    """A card's figures for ``area`` (a council's GSS code)."""
    code = areas.current_code(area)
    nhs = card.source == "nhs_community_health"
    place_code, place = code, areas.area_names().get(code, code)
    if nhs:
        icbs = health.icbs_of(code)
        if not icbs.empty:
            place_code, place = str(icbs["icb_code"].iloc[0]), str(icbs["icb_name"].iloc[0])
    rows = indicators.rows(card.id, None, card.story_breakdown, table=table)
    own = rows[rows["area_code"] == place_code]
    own = own[own["value"].notna()]
    periods = sorted(own["period"].unique(), key=period_sort_key)
    period = periods[-1] if periods else None
    previous = periods[-2] if len(periods) > 1 else None
    unit = card.unit

    def shown(where: str, when: str | None) -> float | None:
        return _for_reading(*_figure(rows, where, when), unit)

    members: list[str] = [] if nhs else statistical_neighbours(code)

    def similar(when: str | None) -> tuple[float | None, int]:
        if when is None or not members:
            return None, 0
        result = benchmark.compare(table, card.id, code, when, members)
        count = len(members) - len(result.neighbours_missing)
        return _for_reading(result.neighbours.value, None, None, unit), count

    neighbours, with_value = similar(period)
    neighbours_previous, _ = similar(previous)
    chart, hidden = _chart(rows, place_code, place, periods, unit)
    if neighbours is not None and not chart.empty and unit != "count":
        similar_row = {"who": "Similar areas", "period": period, "value": neighbours}
        chart = pd.concat([chart.iloc[:1], pd.DataFrame([similar_row]), chart.iloc[1:]])
    return CardFigures(
        indicator=card.id,
        place=place,
        place_code=place_code,
        period=period,
        value=shown(place_code, period),
        previous_period=previous,
        previous=shown(place_code, previous),
        england=shown(areas.ENGLAND, period),
        england_previous=shown(areas.ENGLAND, previous),
        neighbours=neighbours,
        neighbours_previous=neighbours_previous,
        neighbours_with_value=with_value,
        neighbours_total=len(members),
        hidden=hidden,
        nhs_area=nhs,
        chart=chart,
    )


def _chart(
    rows: pd.DataFrame, code: str, name: str, periods: list[str], unit: str
) -> tuple[pd.DataFrame, int]:
    """What the card's chart shows, and how many of its figures the rule hid: a count's last
    few years for the area (on its own: England's would dwarf it); any other figure's latest
    year for the area and England (similar areas go between them)."""
    if not periods:
        return pd.DataFrame(columns=["who", "period", "value"]), 0
    if unit == "count":
        wanted = [(code, name, p) for p in periods[-CHART_PERIODS:]]
    else:
        wanted = [(code, name, periods[-1]), (areas.ENGLAND, "England", periods[-1])]
    records, hidden = [], 0
    for where, who, when in wanted:
        figure = _figure(rows, where, when)
        if figure[0] is None:
            continue
        hidden += _is_hidden(figure, unit)
        records.append({"who": who, "period": when, "value": _for_reading(*figure, unit)})
    return pd.DataFrame.from_records(records, columns=["who", "period", "value"]), hidden
