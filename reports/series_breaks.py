"""The sentence a chart needs when the years it shows are not one comparable series.

Two kinds of break: the catalogue's ``series_breaks`` (the first period of a new, not
comparable series, such as SEN2's 2023 change of return), said for any chart whose periods
straddle one; and a council formed by a reorganisation, whose own figures start at it. Every
trend chart (pages and board pack) and every story card takes its words from here.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.trend import breaks_crossed
from geography.areas import reorganisation_of
from indicators.records import Indicator
from reports.format import describe_period


def break_sentence(indicator: Indicator, periods: Iterable[str]) -> str:
    """ "Series break: ..." when ``periods`` (those a chart shows) straddle one of the
    indicator's series breaks, naming when; "" when they do not."""
    crossed = breaks_crossed(indicator.series_breaks, periods)
    if not crossed:
        return ""
    # The period as the chart's axis writes it, then in words where they differ ("2022/23,
    # January 2023": a census year is read by its January).
    said = [describe_period(b, indicator) for b in crossed]
    when = " and ".join(crossed)
    extra = [w for b, w in zip(crossed, said) if w != b]
    if indicator.source.startswith("sen2"):
        extra.append("a new DfE return of EHC plans")
    what = f" ({', '.join(extra)})" if extra else ""
    return (
        f"Series break: the way this is counted changed in {when}{what}, so figures before "
        "and after it are not strictly comparable."
    )


def reorganisation_sentence(area: str, first_period: str | None) -> str:
    """ "Series break: ..." when ``area`` is a council formed by a reorganisation and its
    chart starts at ``first_period``; "" otherwise."""
    reorg = reorganisation_of(area)
    if reorg is None or area not in reorg.successors or first_period is None:
        return ""
    return f"Series break: this area's figures start in {first_period}. {reorg.note}"
