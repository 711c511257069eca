"""The comparison engine behind the Benchmarking page: pure functions on the tidy table.

``compare`` sets one indicator for an area and period against its comparators (their
unweighted mean, LAIT's neighbour average, and their pooled value when all publish counts),
its region and England, with significance, national rank and quartile band. ``trend`` tests
the area's recent series, ``area_summary`` does both for every indicator, ``sentence`` says
it in plain English. Choices:

* Intervals: Wilson for percentages with counts; Byar (exact Poisson below 10) for rates
  per 10,000 with counts and for counts. LAIT values, scores and pounds have none, so no
  significance: ``reason`` says why, and the mean, rank and quartile band are still given.
* Significance (``stats.significance``) is the area's 95% interval against a benchmark
  point value, as Fingertips does. For the comparators the point is their pooled value
  when every one publishes counts (the group's own rate, weighted by size as England's
  is), else their mean; ``neighbour_benchmark`` says which. Counts are never tested: a
  bigger area has more of everything, so "higher than England's total" says nothing.
* Rank and quartile band are among today's LAs with a value (``analysis.ranking``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

import indicators
from analysis import ranking, stats
from analysis import trend as trend_mod

# comparator_sets lives with the neighbours it is built from; re-exported for the page.
from analysis.neighbours import ENGLAND_SET, REGION, SAME_REGION, comparator_sets, sn_label  # noqa: F401
from geography import areas
from indicators.units import format_value
from tidy import period_sort_key, status_words

Interval = tuple[float, float]
MULTIPLIERS: dict[str, float] = {"%": 100.0, "rate per 10,000": 10_000.0}
CI_METHODS: dict[str, str] = {"%": "Wilson", "rate per 10,000": "Byar", "count": "Byar"}
NO_COUNTS = "no counts published for this indicator, so no confidence interval"
NO_AREA_COUNTS = "no counts published for this area and period, so no confidence interval"
COUNT_NOT_TESTED = "a count grows with the size of the area, so it is not tested against others"


@lru_cache(maxsize=1)
def _current() -> frozenset[str]:
    return frozenset(areas.current_las()["la_code"])


@dataclass(frozen=True)
class Benchmark:
    """What the area is set against: a value, its 95% interval and the test's outcome.

    ``direction`` is from ``stats.significance`` ("higher", "similar", "lower", "not
    compared": the area's interval against this value); ``judgement`` turns it into
    "better" / "worse" by polarity (unchanged for polarity "none").
    """

    label: str
    value: float | None
    ci95: Interval | None
    direction: str
    judgement: str


@dataclass(frozen=True)
class ComparisonResult:
    """One indicator for one area and period against its comparators, region and England.

    Values are in the indicator's units (a percentage as 45.9, not 0.459); None is missing.
    ``neighbours`` holds the comparator figure the test used: ``neighbour_pooled`` when
    ``neighbour_benchmark`` is "pooled", else ``neighbour_mean``. ``reason`` is empty when
    the area could be tested, else why not.
    """

    indicator: str
    area: str
    period: str
    unit: str
    polarity: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    ci95: Interval | None
    ci998: Interval | None
    ci_method: str  # "Wilson", "Byar" or ""
    neighbours: Benchmark
    neighbour_mean: float | None
    neighbour_pooled: float | None
    neighbour_pooled_ci95: Interval | None
    neighbour_benchmark: str  # "pooled", "mean" or "" when no comparator has a value
    neighbours_missing: tuple[str, ...]  # comparators with no value in the period
    region_code: str | None
    region: Benchmark
    england: Benchmark
    rank: int | None
    ranked: int | None
    rank_text: str
    quartile: str | None
    reason: str
    # Rank and quartile rest on too few cases (analysis.ranking.MIN_DENOMINATOR_TO_RANK):
    # shown with that caveat, and left out of best/worst sentences.
    rank_too_small: bool = False


def _num(x: object) -> float | None:
    return float(x) if stats._is_present(x) else None


def interval(
    unit: str, value: float | None, numerator: float | None, denominator: float | None, level: float
) -> Interval | None:
    """The confidence interval of a value in its units, or None when it has none.

    Wilson for "%" (numerator and denominator), Byar for "rate per 10,000" (count and
    population) and for "count" (the numerator, or the value, which for a count is the
    count); nothing for other units. Counts that cannot be a proportion (numerator above
    denominator) give None rather than stop a page.
    """
    try:
        if unit == "%" and numerator is not None and denominator:
            low, high = stats.wilson_ci(numerator, denominator, level)
            return low * 100.0, high * 100.0
        if unit == "rate per 10,000" and numerator is not None and denominator:
            return stats.rate_ci(numerator, denominator, 10_000.0, level)
        count = numerator if numerator is not None else value
        if unit == "count" and count is not None:
            return stats.byar_ci(count, level)
    except ValueError:
        return None
    return None


# One area's row at one period: (area_level, value, numerator, denominator, status).
Record = tuple[str, float | None, float | None, float | None, str]


def _records(frame: pd.DataFrame) -> dict[str, Record]:
    """Rows of one period by area code; plain Python, because per-area pandas filters on
    the national table cost milliseconds each and a summary makes hundreds."""
    c, lvl, st = (frame[col].tolist() for col in ("area_code", "area_level", "status"))
    v, n, d = (_numbers(frame[col]) for col in ("value", "numerator", "denominator"))
    return {c[i]: (lvl[i], v[i], n[i], d[i], str(st[i])) for i in range(len(c))}


def _numbers(column: pd.Series) -> list[float | None]:
    """A column as ``_num`` reads each cell (a float, or None when missing), in one pass:
    ``_num`` cell by cell was a quarter of a board pack's statistics."""
    return [None if x != x else x for x in column.to_numpy(dtype=float, na_value=np.nan).tolist()]


# One area's point in its series: (period, value, numerator, denominator).
Point = tuple[str, float | None, float | None, float | None]


@dataclass(frozen=True)
class Totals:
    """One indicator's total rows as arrays, read from the table once. ``compare`` and
    ``trend`` filter the indicator's rows by period and by area on every call; a board pack
    makes about 80 of each, so it reads each indicator once here and asks these methods (the
    same results: the functions call them). Only the period or area asked for is turned into
    Python values, since some indicators have tens of thousands of rows."""

    indicator: str
    columns: dict[
        str, np.ndarray
    ]  # area_code, area_level, period, status (str), value, numerator, denominator (float, NaN missing)
    counts_published: bool  # some row has a numerator and some row a denominator

    @classmethod
    def of(cls, table: pd.DataFrame, indicator_id: str) -> Totals:
        rows = _indicator_rows(table, indicator_id)
        columns = {c: rows[c].to_numpy() for c in ("area_code", "area_level", "period", "status")}
        for c in ("value", "numerator", "denominator"):
            columns[c] = rows[c].to_numpy(dtype=float, na_value=np.nan)
        published = bool(rows["numerator"].notna().any() and rows["denominator"].notna().any())
        return cls(indicator_id, columns, published)

    def _where(self, column: str, key: str) -> dict[str, list]:
        """The rows whose ``column`` is ``key``, column by column, as Python values."""
        at = np.flatnonzero(self.columns[column] == key)
        out: dict[str, list] = {c: a[at].tolist() for c, a in self.columns.items()}
        for c in ("value", "numerator", "denominator"):
            out[c] = [None if x != x else x for x in out[c]]
        return out

    def records(self, period: str) -> dict[str, Record]:
        """``_records`` of the period's rows."""
        r = self._where("period", period)
        c, lvl, v, n, d, st = (
            r[k] for k in ("area_code", "area_level", "value", "numerator", "denominator", "status")
        )
        return {c[i]: (lvl[i], v[i], n[i], d[i], str(st[i])) for i in range(len(c))}

    def series(self, code: str) -> list[Point]:
        """``_series`` of the area's rows."""
        r = self._where("area_code", code)
        points = [
            (str(p), v, n, d)
            for p, v, n, d in zip(r["period"], r["value"], r["numerator"], r["denominator"])
        ]
        return sorted(points, key=lambda point: period_sort_key(point[0]))

    def compare(
        self,
        area: str,
        period: str,
        comparators: Sequence[str],
        comparator_label: str = "statistical neighbours",
    ) -> ComparisonResult:
        """``compare`` for this indicator."""
        return _compare(self, area, period, comparators, comparator_label)

    def trend(self, area: str) -> trend_mod.TrendResult:
        """``trend`` for this indicator."""
        return _trend(indicators.get(self.indicator), self.series(areas.current_code(area)))


def _point(record: Record | None, unit: str) -> tuple[float | None, Interval | None]:
    if record is None or record[1] is None:
        return None, None
    return record[1], interval(unit, record[1], record[2], record[3], 0.95)


def _pooled(
    counts: list[tuple[float | None, float | None]], unit: str
) -> tuple[float | None, Interval | None]:
    """The comparators' own rate, when every one with a value publishes both counts."""
    multiplier = MULTIPLIERS.get(unit)
    nums = [n for n, d in counts if n is not None and d is not None]
    dens = [d for n, d in counts if n is not None and d is not None]
    if multiplier is None or not counts or len(nums) < len(counts):
        return None, None
    if unit == "%":
        value, low, high = stats.pooled_proportion(nums, dens)
        ci = (low * multiplier, high * multiplier)
    else:
        value = stats.pooled_value(nums, dens)
        ci = stats.rate_ci(sum(nums), sum(dens), multiplier)
    return (None, None) if pd.isna(value) else (value * multiplier, ci)


def _indicator_rows(table: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return indicators.rows(indicator_id, None, "", table=table).copy(deep=False)  # totals only


def _reason(
    ind: indicators.Indicator,
    counts_published: bool,
    value: float | None,
    status: str,
    ci95: Interval | None,
    period: str,
) -> str:
    if value is None:
        return f"no value for this area in {period}" + (f" ({status})" if status else "")
    if ind.unit == "count":
        return COUNT_NOT_TESTED
    if ci95 is not None:
        return ""
    # Say "this area" only when other areas do have counts: the gap is then local.
    return NO_AREA_COUNTS if ind.unit in MULTIPLIERS and counts_published else NO_COUNTS


def compare(
    table: pd.DataFrame,
    indicator_id: str,
    area: str,
    period: str,
    comparators: Sequence[str],
    comparator_label: str = "statistical neighbours",
) -> ComparisonResult:
    """Compare ``area`` with ``comparators``, its region and England for one period.

    ``comparators`` are LA codes (from ``comparator_sets``); those with no value in the
    period are left out of the mean and the pooled value and listed in
    ``neighbours_missing``. Only totals (empty breakdown) are compared.
    """
    return Totals.of(table, indicator_id).compare(area, period, comparators, comparator_label)


def _compare(
    totals: Totals,
    area: str,
    period: str,
    comparators: Sequence[str],
    comparator_label: str,
) -> ComparisonResult:
    indicator_id = totals.indicator
    ind = indicators.get(indicator_id)
    code = areas.current_code(area)
    at = totals.records(period)
    la = {c: r for c, r in at.items() if r[0] == "la"}
    _, value, num, den, status = la.get(code, ("la", None, None, None, "not_available"))
    ci95 = interval(ind.unit, value, num, den, 0.95) if value is not None else None
    ci998 = interval(ind.unit, value, num, den, 0.998) if value is not None else None
    reason = _reason(ind, totals.counts_published, value, status, ci95, period)
    tested = ci95 if not reason else None

    def bench(label: str, point: float | None, ci: Interval | None) -> Benchmark:
        direction = stats.significance(tested, point)
        return Benchmark(label, point, ci, direction, stats.judge(direction, ind.polarity))

    members = [areas.current_code(c) for c in comparators]
    with_value = [c for c in members if c in la and la[c][1] is not None]
    mean = stats.mean_value([la[c][1] for c in with_value]) if with_value else None
    pooled, pooled_ci = _pooled([(la[c][2], la[c][3]) for c in with_value], ind.unit)
    kind = "pooled" if pooled is not None else "mean" if mean is not None else ""
    neighbours = bench(
        comparator_label,
        pooled if kind == "pooled" else mean,
        pooled_ci if kind == "pooled" else None,
    )

    region_code = areas.region_of(code)
    region_name = areas.REGIONS.get(region_code or "", "Region")
    region = bench(region_name, *_point(at.get(region_code or ""), ind.unit))
    england = bench("England", *_point(at.get(areas.ENGLAND), ind.unit))

    current = _current()
    values = {c: r[1] for c, r in la.items() if c in current and r[1] is not None}
    position = ranking.rank(values, code, ind.polarity) if code in values else None
    rank_text = "no value" if position is None else ranking.format_rank(*position)
    if position is not None and ind.polarity == "none":
        rank_text += " (highest first)"  # a position, not a judgement
    too_small = position is not None and ranking.too_small_to_rank(den)
    if too_small:
        rank_text += f" (on only {den:,.0f} cases: too few to rank)"

    return ComparisonResult(
        indicator=indicator_id,
        area=code,
        period=period,
        unit=ind.unit,
        polarity=ind.polarity,
        value=value,
        numerator=num,
        denominator=den,
        status=status,
        ci95=ci95,
        ci998=ci998,
        ci_method=CI_METHODS.get(ind.unit, "") if ci95 is not None else "",
        neighbours=neighbours,
        neighbour_mean=mean,
        neighbour_pooled=pooled,
        neighbour_pooled_ci95=pooled_ci,
        neighbour_benchmark=kind,
        neighbours_missing=tuple(c for c in members if c not in with_value),
        region_code=region_code,
        region=region,
        england=england,
        rank=position[0] if position else None,
        ranked=position[1] if position else None,
        rank_text=rank_text,
        quartile=ranking.quartile_band(values, code, ind.polarity),
        reason=reason,
        rank_too_small=too_small,
    )


def rests_on_few(with_value: int, total: int) -> bool:
    """Whether a comparators' average rests on half of its set or fewer (5 of 10 neighbours in
    the first years of a series): a rough guide, said in words and marked on every chart that
    draws it, since an average of a few councils can swing on any one of them."""
    return total > 0 and with_value <= total / 2


def basis_words(with_value: int, total: int) -> str:
    """What a comparators' average rests on, for a table: "4 of 10 comparators (few: a rough
    guide)", or "8 of 10 comparators"."""
    few = " (few: a rough guide)" if rests_on_few(with_value, total) else ""
    return f"{with_value} of {total} comparators{few}"


def few_words(with_value: int, total: int, who: str = "comparators") -> str:
    """How a chart labels an average resting on few: "average of 4 of 10 comparators"."""
    return f"average of {with_value} of {total} {who}"


def series_change(indicator: indicators.Indicator, since: str) -> str:
    """The break a series was cut at, in words: "the 2023 change in DfE's count of EHC plans".
    (Not "the SEN2 return": the return's name is for analysts, and this sentence is also
    read to a room of parents.)"""
    what = "in DfE's count of EHC plans" if indicator.source.startswith("sen2") else "of the series"
    return f"the {since} change {what}"


def trend(table: pd.DataFrame, indicator_id: str, area: str) -> trend_mod.TrendResult:
    """The Fingertips-style recent trend of the area's series (totals).

    Percentages are tested as proportions, the rest as values. Counts are used only for
    percentages and rates, and only when the five latest points with a value all have
    both, so a series whose counts stop falls back to the values test, not to fewer points.
    Only the points since the indicator's latest series break are tested.
    """
    return Totals.of(table, indicator_id).trend(area)


def _trend(ind: indicators.Indicator, own: list[Point]) -> trend_mod.TrendResult:
    periods = [r[0] for r in own]
    values, nums, dens = [r[1] for r in own], [r[2] for r in own], [r[3] for r in own]
    start, _ = trend_mod.start_of_series(periods, ind.series_breaks)
    recent = [r for r in own[start:] if r[1] is not None][-trend_mod.POINTS_USED :]
    counted = ind.unit in MULTIPLIERS and bool(recent) and all(None not in r[2:] for r in recent)
    kind: Literal["proportion", "value"] = "proportion" if ind.unit == "%" else "value"
    return trend_mod.trend_test(
        values,
        nums if counted else None,
        dens if counted else None,
        kind=kind,
        polarity=ind.polarity,
        periods=periods,
        breaks=ind.series_breaks,
    )


LARGE_STEP_POINTS = 10.0  # a percentage moving this many points in a year is news
LARGE_STEP_SHARE = 0.2  # any other value moving by a fifth of itself


def jump_beside_no_change(
    table: pd.DataFrame, indicator_id: str, area: str, trend: trend_mod.TrendResult
) -> str:
    """Why "no significant change" can sit beside a large latest change; "" otherwise.

    The trend test weighs the latest five points together at 99.8%, so one year's jump (or a
    rise then a fall) need not make a trend; a reader seeing +30 points next to "no
    significant change" deserves that said.
    """
    if trend.verdict != trend_mod.NO_CHANGE:
        return ""
    ind, code = indicators.get(indicator_id), areas.current_code(area)
    own = [r for r in Totals.of(table, indicator_id).series(code) if r[1] is not None]
    if len(own) < 2:
        return ""
    (before, old), (latest, new) = own[-2][:2], own[-1][:2]
    step = float(new) - float(old)  # type: ignore[arg-type]
    if ind.unit == "%":
        large, said = abs(step) >= LARGE_STEP_POINTS, f"{step:+.1f} points"
    elif ind.unit == "score":
        return ""  # Progress 8 lives near zero: a share of itself means nothing
    else:
        large = old != 0 and abs(step) >= LARGE_STEP_SHARE * abs(float(old))  # type: ignore[arg-type]
        said = ("-" if step < 0 else "+") + format_value(abs(step), ind.unit)
    if not large:
        return ""
    return (
        f"The latest change, {said} from {before} to {latest}, is large, but the trend test "
        "weighs the last five years together and asks for 99.8% confidence, so one year's "
        "jump, or a rise and a fall, is not on its own a significant trend."
    )


def _split(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each indicator's total rows, split in one pass (the national table comes split)."""
    if isinstance(table, indicators.NationalTable):
        return {i: _indicator_rows(table, i) for i in indicators.CATALOGUE}
    totals = table[table["breakdown"] == ""]
    return {str(k): g for k, g in totals.groupby("indicator", sort=False, observed=True)}


SUMMARY_COLUMNS = [
    "indicator",
    "title",
    "lens",
    "topic",
    "unit",
    "polarity",
    "period",
    "value",
    "ci_lower",
    "ci_upper",
    "neighbour_average",
    "neighbour_benchmark",
    "region",
    "england",
    "rank",
    "quartile",
    "vs_england",
    "vs_neighbours",
    "trend",
    "reason",
]


def area_summary(
    table: pd.DataFrame, area: str, comparators: Sequence[str], lens: str | None = None
) -> pd.DataFrame:
    """One row per catalogue indicator with a value for the area, at its latest period.

    Columns: ``SUMMARY_COLUMNS``. ``neighbour_average`` is the figure the test used
    (``neighbour_benchmark``: pooled or mean); ``vs_*`` are judged words ("better", "worse",
    "similar", "higher"/"lower" for polarity none, "not compared").
    """
    code = areas.current_code(area)
    split = _split(table)
    records = []
    for ind in indicators.CATALOGUE.values():
        rows = split.get(ind.id)
        if rows is None or rows.empty or lens not in (None, ind.lens):
            continue
        own = rows[(rows["area_code"] == code) & rows["value"].notna()]
        if own.empty:
            continue
        period = max(own["period"].unique(), key=period_sort_key)
        totals = Totals.of(rows, ind.id)
        result = totals.compare(code, period, comparators)
        verdict = totals.trend(code).verdict
        ci = result.ci95 or (None, None)
        records.append(
            [
                ind.id,
                ind.title,
                ind.lens,
                ind.topic,
                ind.unit,
                ind.polarity,
                period,
                result.value,
                ci[0],
                ci[1],
                result.neighbours.value,
                result.neighbour_benchmark,
                result.region.value,
                result.england.value,
                result.rank_text,
                result.quartile,
                result.england.judgement,
                result.neighbours.judgement,
                verdict,
                result.reason,
            ]
        )
    return pd.DataFrame.from_records(records, columns=SUMMARY_COLUMNS)


def _lower_first(title: str) -> str:
    # "New EHC plans" -> "new EHC plans"; an acronym ("EHC plans", "SEND ...") keeps its case.
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


def _average_of(label: str) -> str:
    """How a comparator set's average is named in a sentence."""
    if label.lower().startswith("statistical neighbours"):
        return "its statistical neighbours' average"
    return {
        SAME_REGION: "its statistical neighbours' average in the same region",
        REGION: "the average of the other councils in its region",
        ENGLAND_SET: "the average of all other councils",
    }.get(label, f"the average of its comparators ({label})")


def _clause(result: ComparisonResult, bench: Benchmark, name: str, judged: bool) -> str:
    shown = f"{name} ({format_value(bench.value, result.unit)})"
    if bench.direction in ("higher", "lower"):
        return f"{bench.judgement if judged else 'significantly ' + bench.direction} than {shown}"
    if bench.direction == "similar":
        return f"similar to {shown}"
    if result.value is None or bench.value is None:
        return f"compared with {shown}"
    gap = result.value - bench.value
    return f"{'above' if gap > 0 else 'below' if gap < 0 else 'level with'} {shown}"


def sentence(
    result: ComparisonResult,
    trend: trend_mod.TrendResult | None,
    indicator: indicators.Indicator,
    area_name: str,
    note: str = "",
    reason: str = "",
) -> str:
    """The plain-English verdict for one indicator, for the page and the area report.

    ``note`` (such as ``quality.published_note``'s "DfE published 58.6%; SEN Lens uses
    269 / 432 = 62.3%.") follows the verdict whenever the area has a value; ``reason`` (a
    publisher error's, from the quality findings) says why a value was set aside.

    Against England the statistical direction is said ("significantly higher than");
    against the comparators the judgement ("better than"), which is "higher"/"lower" for
    polarity none. When only England differs significantly its judgement follows in
    brackets, so a judgement is always said once. Untested differences are "above" or
    "below", and the reason follows in a second sentence.
    """
    title, unit = _lower_first(indicator.title), result.unit
    if result.value is None:
        status = f" ({status_words(result.status, reason)})" if result.status else ""
        return f"No value is published for {area_name} for {title} in {result.period}{status}."
    text = f"In {result.period} {area_name}'s figure for {title} was "
    text += format_value(result.value, unit)
    clauses = []
    neighbours_differ = result.neighbours.direction in ("higher", "lower")
    # England's total of a count dwarfs any area's, so saying "below England" would be noise.
    if result.england.value is not None and unit != "count":
        clause = _clause(result, result.england, "England", judged=False)
        word = result.england.direction
        if word in ("higher", "lower") and result.polarity != "none" and not neighbours_differ:
            clause = clause.replace(word, f"{word} ({result.england.judgement})", 1)
        clauses.append(clause)
    if result.neighbours.value is not None:
        name = _average_of(result.neighbours.label)
        clauses.append(_clause(result, result.neighbours, name, judged=True))
    if clauses:
        text += ", " + " and ".join(clauses)
    if trend is not None:  # Fingertips' verdicts, said as a clause
        text += {
            trend_mod.NO_CHANGE: "; there is no significant change in the recent trend",
            trend_mod.CANNOT: "; there are too few years "
            + (f"since {series_change(indicator, trend.since)} " if trend.since else "")
            + "to test the trend",
        }.get(trend.verdict, f"; the trend is {trend.verdict}")
    # A count's reason is not news: counts are never tested, and the sentence says no more.
    untested = f" Not tested for significance: {result.reason}." if unit != "count" else ""
    return text + "." + (untested if result.reason else "") + (f" {note}" if note else "")
