"""Shaping the comparison engine's results into the frames the Benchmarking page draws.

Pure functions on the tidy table and on ``analysis.benchmark`` results, so every chart's
numbers can be checked by hand in a test:

* ``indicators_with_data`` and ``area_periods``: what the page offers for an area;
* ``compare_frame``: the area, each comparator, their average, the region and England for
  one indicator and period, with 95% intervals, sorted highest first;
* ``trend_frame``: the area, the comparators' average, the region and England over time;
* ``spine_frame``: OHID-style spine rows (England at the centre, the range of LA values,
  the area as a marker) for an ``area_summary``;
* ``funnel_indicators`` and ``funnel_frame``: every LA's value against its denominator with
  control limits around England that agree with the significance test;
* ``nearest_table``, ``summary_table`` and ``sort_summary``: tables for display.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

import indicators
from analysis import benchmark as bm
from analysis import stats
from geography import areas
from tidy import period_sort_key

# Roles of the rows of a comparison, in the order a table lists them when values tie.
AREA, COMPARATOR, AVERAGE, REGION, ENGLAND = "area", "comparator", "average", "region", "England"
LEVELS = ((0.95, "95"), (0.998, "99_8"))
FUNNEL_GRID_POINTS = 80


def _current() -> list[str]:
    return areas.current_las()["la_code"].tolist()


def _totals(table: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return indicators.rows(indicator_id, None, "", table=table)


def indicators_with_data(table: pd.DataFrame, area: str, lens: str | None = None) -> list[str]:
    """Catalogue ids with at least one total value for ``area``, grouped for a picker.

    Ordered by lens (``indicators.LENSES``), then by topic in order of first appearance in
    the catalogue, then catalogue order; ``lens`` keeps one lens only.
    """
    code = areas.current_code(area)
    # One pass over the table, not a filter per catalogue entry (~100 of them: 0.2 s of a
    # first Benchmarking visit).
    own = table.loc[
        (table["area_code"] == code) & (table["breakdown"] == "") & table["value"].notna(),
        "indicator",
    ]
    have = set(own.astype(str).unique())
    found = [
        ind.id
        for ind in indicators.CATALOGUE.values()
        if lens in (None, ind.lens) and ind.id in have
    ]
    return sorted(found, key=catalogue_order().__getitem__)


def catalogue_order() -> dict[str, tuple[int, int, int]]:
    """Sort key of each indicator: lens, then topic (by first appearance), then catalogue order."""
    topics: dict[str, int] = {}
    for ind in indicators.CATALOGUE.values():
        topics.setdefault(ind.topic, len(topics))
    return {
        ind.id: (indicators.LENSES.index(ind.lens), topics[ind.topic], position)
        for position, ind in enumerate(indicators.CATALOGUE.values())
    }


def area_periods(table: pd.DataFrame, indicator_id: str, area: str) -> list[str]:
    """Periods in which ``area`` has a total value for the indicator, newest first."""
    own = indicators.rows(indicator_id, [areas.current_code(area)], "", table=table)
    present = own.loc[own["value"].notna(), "period"].unique()
    return sorted((str(p) for p in present), key=period_sort_key, reverse=True)


def average_label(set_label: str) -> str:
    """How the comparators' average is named in a chart: "Statistical neighbours' average"."""
    if set_label.lower().startswith("statistical neighbours"):
        return "Statistical neighbours' average"
    if set_label == bm.SAME_REGION:
        return "Neighbours in the same region: average"
    if set_label == bm.REGION:
        return "Other councils in the region: average"
    if set_label == bm.ENGLAND_SET:
        return "All other councils: average"
    return f"{set_label}: average"


def _ci(
    unit: str, value: float | None, num: float | None, den: float | None, level: float = 0.95
) -> tuple[float, float]:
    ci = bm.interval(unit, value, num, den, level) if value is not None else None
    return ci if ci is not None else (math.nan, math.nan)


def _num(x: object) -> float | None:
    return float(x) if stats._is_present(x) else None


COMPARE_COLUMNS = [
    "label",
    "name",
    "area_code",
    "role",
    "value",
    "ci_lower",
    "ci_upper",
    "numerator",
    "denominator",
    "vs_england",
    "status",
    "members",
    "set_size",
    "few",
]


# members, set_size and few on a row that is not the comparators' average
NOT_AVERAGE: list[object] = [math.nan, math.nan, False]


def compare_frame(
    table: pd.DataFrame,
    result: bm.ComparisonResult,
    comparators: Sequence[str],
    set_label: str,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """One row each for the area, its comparators, their average, the region and England.

    ``result`` is ``bm.compare`` for the same indicator, area and period. Values are in the
    indicator's units with 95% intervals where counts allow (``bm.interval``); the
    comparators' average is the figure the significance test used (pooled, with its
    interval, or the mean, without). ``vs_england`` is each council's own test against
    England, judged by polarity ("" when not tested, as for counts). ``label`` names the
    role for a chart axis ("Bradford (this area)"). On the average's row ``members`` and
    ``set_size`` say how many comparators it rests on, of how many, and ``few`` whether that
    is too few to lean on (``bm.rests_on_few``); other rows leave them empty (and ``few``
    false). Sorted by value, highest first, with comparators that have no value last.
    """
    unit, polarity = result.unit, result.polarity
    rows = _totals(table, result.indicator)
    at = rows[(rows["period"] == result.period) & (rows["area_level"] == "la")]
    by_code = {str(c): r for c, r in zip(at["area_code"], at.itertuples(index=False))}
    england = result.england.value
    records: list[list[object]] = []

    def judged(value: float | None, num: float | None, den: float | None) -> str:
        if unit == "count" or value is None:
            return ""
        ci = bm.interval(unit, value, num, den, 0.95)
        return stats.judge(stats.significance(ci, england), polarity) if ci else "not compared"

    area_name = names.get(result.area, result.area)
    lo, hi = result.ci95 or (math.nan, math.nan)
    records.append(
        [
            f"{area_name} (this area)",
            area_name,
            result.area,
            AREA,
            result.value,
            lo,
            hi,
            result.numerator,
            result.denominator,
            judged(result.value, result.numerator, result.denominator),
            result.status,
            *NOT_AVERAGE,
        ]
    )
    for code in dict.fromkeys(areas.current_code(c) for c in comparators):
        if code == result.area:
            continue
        rec = by_code.get(code)
        value, num, den = (
            (_num(rec.value), _num(rec.numerator), _num(rec.denominator)) if rec else (None,) * 3
        )
        status = str(rec.status) if rec is not None else "not_available"
        lo, hi = _ci(unit, value, num, den)
        name = names.get(code, code)
        records.append(
            [
                name,
                name,
                code,
                COMPARATOR,
                value,
                lo,
                hi,
                num,
                den,
                judged(value, num, den),
                status,
                *NOT_AVERAGE,
            ]
        )
    if result.neighbours.value is not None:
        pooled = result.neighbour_pooled_ci95
        lo, hi = (
            pooled
            if pooled is not None and result.neighbour_benchmark == "pooled"
            else (math.nan, math.nan)
        )
        how = "pooled" if result.neighbour_benchmark == "pooled" else "mean"
        label = f"{average_label(set_label)} ({how})"
        size = len({areas.current_code(c) for c in comparators} - {result.area})
        having = size - len(set(result.neighbours_missing) - {result.area})
        few = bm.rests_on_few(having, size)
        records.append(
            [label, label, "", AVERAGE, result.neighbours.value, lo, hi, None, None, "", ""]
            + [having, size, few]
        )
    if result.region_code and result.region.value is not None:
        name = names.get(result.region_code, result.region.label)
        lo, hi = result.region.ci95 or (math.nan, math.nan)
        records.append(
            [
                f"{name} (region)",
                name,
                result.region_code,
                REGION,
                result.region.value,
                lo,
                hi,
                None,
                None,
                "",
                "",
                *NOT_AVERAGE,
            ]
        )
    if england is not None:
        lo, hi = result.england.ci95 or (math.nan, math.nan)
        records.append(
            ["England", "England", areas.ENGLAND, ENGLAND, england, lo, hi, None, None, "", ""]
            + NOT_AVERAGE
        )
    frame = pd.DataFrame.from_records(records, columns=COMPARE_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.sort_values("value", ascending=False, na_position="last", kind="stable")
    return frame.reset_index(drop=True)


TREND_COLUMNS = [
    "period",
    "series",
    "role",
    "value",
    "ci_lower",
    "ci_upper",
    "members",
    "set_size",
    "few",
]


def trend_frame(
    table: pd.DataFrame,
    indicator_id: str,
    area: str,
    comparators: Sequence[str],
    set_label: str,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """The area, its comparators' average, its region and England in every period.

    Long format (``TREND_COLUMNS``), oldest period first, one row per series and period
    with a value. The comparators' average in each period is the one ``bm.compare`` uses
    there (pooled when every comparator with a value publishes counts, else the mean of
    those with a value), so it matches the Compare view; ``members`` says how many
    comparators it rests on (early years of a series can have few), ``set_size`` of how
    many, and ``few`` whether that is too few to lean on (``bm.rests_on_few``); other series
    leave them empty. The area has its 95% interval.
    """
    rows = _totals(table, indicator_id).copy(deep=False)
    rows.attrs = {}
    code = areas.current_code(area)
    members = {areas.current_code(c) for c in comparators} | {code}
    region = areas.region_of(code)
    keep = rows["area_code"].isin(members | {region or "", areas.ENGLAND})
    periods = sorted(rows.loc[keep & rows["value"].notna(), "period"].unique(), key=period_sort_key)
    average = average_label(set_label)
    size = len({areas.current_code(c) for c in comparators} - {code})
    records = []
    for period in periods:
        r = bm.compare(rows, indicator_id, code, str(period), comparators, set_label)
        lo, hi = r.ci95 or (math.nan, math.nan)
        having = size - len(r.neighbours_missing)
        points = [
            (names.get(code, code), AREA, r.value, lo, hi, *NOT_AVERAGE),
            (
                average,
                AVERAGE,
                r.neighbours.value,
                math.nan,
                math.nan,
                having,
                size,
                bm.rests_on_few(having, size),
            ),
            (
                names.get(region or "", "Region"),
                REGION,
                r.region.value,
                math.nan,
                math.nan,
                *NOT_AVERAGE,
            ),
            ("England", ENGLAND, r.england.value, math.nan, math.nan, *NOT_AVERAGE),
        ]
        records += [(str(period), *p) for p in points if p[2] is not None]
    frame = pd.DataFrame.from_records(records, columns=TREND_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame


# Spine chart: the area's marker says how it compares with England, in words and shapes
# (the chart's legend and the table's heading say "compared with England").
MARKERS: dict[str, str] = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher (no judgement)",
    "lower": "Lower (no judgement)",
    "not compared": "Not tested (no counts)",
}
SPINE_COLUMNS = [
    "indicator",
    "title",
    "unit",
    "polarity",
    "period",
    "value",
    "england",
    "neighbour_average",
    "minimum",
    "q25",
    "q75",
    "maximum",
    "x_value",
    "x_neighbours",
    "x_minimum",
    "x_q25",
    "x_q75",
    "x_maximum",
    "marker",
    "left",
    "right",
]


def spine_position(x: float | None, england: float, half_width: float, polarity: str) -> float:
    """Where ``x`` sits on a spine scaled 0-1 with England at 0.5.

    ``half_width`` is the distance from England to the farther of the lowest and highest
    LA value, so the whole range fits and England stays central (Fingertips' spine). Lower
    is better flips the scale so that better is always to the right.
    """
    if x is None or math.isnan(x):
        return math.nan
    if half_width == 0:
        return 0.5
    sign = -1.0 if polarity == "low" else 1.0
    return 0.5 + sign * (x - england) / (2.0 * half_width)


def spine_frame(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """OHID-style spine chart rows for an ``area_summary``, one per indicator that has one.

    For each indicator at the summary's period: the lowest, 25th percentile, 75th
    percentile and highest value of today's LAs (linear interpolation, as numpy's default),
    England, the area and its comparators' average, each also as a position on a 0-1 scale
    (``spine_position``). ``marker`` is the area's comparison with England in words
    (``MARKERS``). ``left``/``right`` say what each end means ("Worse"/"Better", or
    "Lower"/"Higher" for polarity none). Counts are left out (England's total is not on an
    LA's scale), as are indicators with no England value; ``attrs["left_out"]`` maps their
    ids to why.
    """
    current = set(_current())
    records, left_out = [], {}
    for row in summary.itertuples(index=False):
        if row.unit == "count":
            left_out[row.indicator] = "a count: England's total is not on the scale of one council"
            continue
        if stats._is_missing(row.england):
            left_out[row.indicator] = f"no England value in {row.period}"
            continue
        rows = _totals(table, row.indicator)
        at = rows[(rows["period"] == row.period) & rows["area_code"].isin(current)]
        values = at["value"].dropna().to_numpy(dtype=float)
        if values.size == 0:
            left_out[row.indicator] = f"no council values in {row.period}"
            continue
        england = float(row.england)
        low, q25, q75, high = (float(v) for v in np.percentile(values, [0, 25, 75, 100]))
        half = max(abs(england - low), abs(high - england))
        neighbours = (
            None if stats._is_missing(row.neighbour_average) else float(row.neighbour_average)
        )

        def pos(
            x: float | None, p: str = row.polarity, e: float = england, h: float = half
        ) -> float:
            return spine_position(x, e, h, p)

        band_low, band_high = sorted((pos(q25), pos(q75)))
        range_low, range_high = sorted((pos(low), pos(high)))
        judged = row.polarity != "none"
        records.append(
            [
                row.indicator,
                row.title,
                row.unit,
                row.polarity,
                row.period,
                float(row.value),
                england,
                neighbours,
                low,
                q25,
                q75,
                high,
                pos(float(row.value)),
                pos(neighbours),
                range_low,
                band_low,
                band_high,
                range_high,
                MARKERS.get(row.vs_england, MARKERS["not compared"]),
                "Worse" if judged else "Lower",
                "Better" if judged else "Higher",
            ]
        )
    frame = pd.DataFrame.from_records(records, columns=SPINE_COLUMNS)
    frame.attrs["left_out"] = left_out
    return frame


def funnel_indicators(table: pd.DataFrame) -> list[str]:
    """Percentages and rates whose LA rows publish a numerator and a denominator somewhere."""
    found = []
    for ind in indicators.CATALOGUE.values():
        if ind.unit not in bm.MULTIPLIERS:
            continue
        rows = _totals(table, ind.id)
        la = rows[rows["area_level"] == "la"]
        if (la["numerator"].notna() & la["denominator"].notna() & la["value"].notna()).any():
            found.append(ind.id)
    return found


FUNNEL_COLUMNS = [
    "area_code",
    "name",
    "role",
    "value",
    "numerator",
    "denominator",
    "ci_lower",
    "ci_upper",
    "vs_england",
    "position",
]
WITHIN, OUTSIDE_95, OUTSIDE_998 = (
    "within the 95% limits",
    "outside the 95% limits",
    "outside the 99.8% limits",
)


def funnel_position(
    unit: str, value: float, numerator: float, denominator: float, target: float
) -> tuple[str, str]:
    """(direction against ``target``, position in the funnel) for one area.

    The direction is ``stats.significance`` of the area's 95% interval; the position uses
    its 95% and 99.8% intervals. Because ``stats.funnel_limits(method="ohid")`` draws each
    limit where an area's own interval just reaches the target, an area is outside a limit
    exactly when its interval at that level excludes England: the funnel and the test agree.
    """
    ci95 = bm.interval(unit, value, numerator, denominator, 0.95)
    ci998 = bm.interval(unit, value, numerator, denominator, 0.998)
    direction = stats.significance(ci95, target)
    if stats.significance(ci998, target) in ("higher", "lower"):
        return direction, OUTSIDE_998
    return direction, OUTSIDE_95 if direction in ("higher", "lower") else WITHIN


def funnel_frame(
    table: pd.DataFrame,
    indicator_id: str,
    period: str,
    area: str,
    comparators: Sequence[str],
    names: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame, float | None]:
    """Every LA with a value, numerator and denominator in ``period``, and funnel limits.

    Returns ``(points, limits, england)``. ``points`` (``FUNNEL_COLUMNS``) holds the LAs
    published in that period (former councils included for years they existed), with
    role "area", "comparator" or "other", and ``vs_england`` judged by polarity.
    ``limits`` is ``stats.funnel_limits(method="ohid")`` around England's value on
    ``FUNNEL_GRID_POINTS`` denominators spread evenly on a log scale from the smallest to the
    largest LA denominator: columns ``denominator``, ``lower_95``, ``upper_95``, ``lower_99_8``,
    ``upper_99_8``. Both are empty (and England None) when there is nothing to draw.
    """
    ind = indicators.get(indicator_id)
    code = areas.current_code(area)
    rows = _totals(table, indicator_id)
    at = rows[(rows["period"] == period) & (rows["area_level"] == "la")]
    at = at[at["value"].notna() & at["numerator"].notna() & (at["denominator"] > 0)]
    eng = rows[(rows["period"] == period) & (rows["area_code"] == areas.ENGLAND)]["value"].dropna()
    england = float(eng.iloc[0]) if len(eng) else None
    empty = (pd.DataFrame(columns=FUNNEL_COLUMNS), pd.DataFrame())
    if ind.unit not in bm.MULTIPLIERS or at.empty or england is None:
        return *empty, england
    members = {areas.current_code(c) for c in comparators}
    records = []
    for rec in at.itertuples(index=False):
        value, num, den = float(rec.value), float(rec.numerator), float(rec.denominator)
        role = (
            AREA if rec.area_code == code else COMPARATOR if rec.area_code in members else "other"
        )
        lo, hi = _ci(ind.unit, value, num, den)
        direction, position = funnel_position(ind.unit, value, num, den, england)
        records.append(
            [
                rec.area_code,
                names.get(rec.area_code, rec.area_code),
                role,
                value,
                num,
                den,
                lo,
                hi,
                stats.judge(direction, ind.polarity),
                position,
            ]
        )
    points = pd.DataFrame.from_records(records, columns=FUNNEL_COLUMNS)
    points = points.sort_values("denominator", kind="stable").reset_index(drop=True)
    # Log-spaced, so the curve is smooth where it bends most: at small denominators.
    grid = np.geomspace(
        points["denominator"].min(), points["denominator"].max(), FUNNEL_GRID_POINTS
    )
    kind: Literal["proportion", "rate"] = "proportion" if ind.unit == "%" else "rate"
    limits = stats.funnel_limits(
        england,
        np.unique(grid),
        levels=[lv for lv, _ in LEVELS],
        kind=kind,
        method="ohid",
        multiplier=bm.MULTIPLIERS[ind.unit],
    )
    return points, limits, england


def nearest_table(
    result: pd.DataFrame,
    names: Mapping[str, str],
    regions: Mapping[str, str],
    dfe_neighbours: Sequence[str],
) -> pd.DataFrame:
    """``neighbours.nearest_neighbours`` output for display: who, where, how close."""
    dfe = set(dfe_neighbours)
    return pd.DataFrame(
        {
            "Rank": result["rank"].to_numpy(),
            "Local authority": [names.get(c, c) for c in result["area_code"]],
            "Region": [regions.get(c, "") for c in result["area_code"]],
            "Distance": result["distance"].round(3).to_numpy(),
            "Also a DfE statistical neighbour": [
                "yes" if c in dfe else "no" for c in result["area_code"]
            ],
            "Code": result["area_code"].to_numpy(),
        }
    )


SORTS = ("Lens and topic", "Needs attention first", "Quartile band", "Indicator title")
# Worse first, then similar, then the no-judgement words, then untested, then better.
_ATTENTION = {"worse": 0, "similar": 1, "higher": 2, "lower": 2, "not compared": 3, "better": 4}


def _rank_number(text: object) -> float:
    match = re.match(r"(\d+)\D+(\d+)", str(text))
    return int(match.group(1)) / int(match.group(2)) if match else math.inf


def sort_summary(summary: pd.DataFrame, by: str) -> pd.DataFrame:
    """Order an ``area_summary`` for reading; ``by`` is one of ``SORTS``.

    "Lens and topic" groups rows as the indicator picker lists them (``catalogue_order``;
    ids not in the catalogue last). "Needs attention first" orders by the comparison with
    England: worse, similar, higher or lower where neither is better, not tested, better;
    then the same words against the comparators; then the rank, worst first. "Quartile
    band" runs A to D (no band last). "Indicator title" is alphabetical. Ties keep their order.
    """
    if by not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, got {by!r}")
    if summary.empty:
        return summary.reset_index(drop=True)
    if by == "Lens and topic":
        order = catalogue_order()
        key = summary["indicator"].map(lambda i: order.get(i, (len(indicators.LENSES), 0, 0)))
        return summary.iloc[sorted(range(len(summary)), key=key.iloc.__getitem__)].reset_index(
            drop=True
        )
    if by == "Indicator title":
        return summary.sort_values("title", key=lambda s: s.str.lower(), kind="stable").reset_index(
            drop=True
        )
    if by == "Quartile band":
        band = summary["quartile"].fillna("Z")
        return (
            summary.assign(_k=band)
            .sort_values("_k", kind="stable")
            .drop(columns="_k")
            .reset_index(drop=True)
        )
    keys = summary.assign(
        _england=summary["vs_england"].map(_ATTENTION).fillna(3),
        _neighbours=summary["vs_neighbours"].map(_ATTENTION).fillna(3),
        _rank=[
            -_rank_number(t) if p != "none" else 0.0
            for t, p in zip(summary["rank"], summary["polarity"])
        ],
    )
    ordered = keys.sort_values(["_england", "_neighbours", "_rank"], kind="stable")
    return ordered.drop(columns=["_england", "_neighbours", "_rank"]).reset_index(drop=True)


SUMMARY_HEADINGS = {
    "title": "Indicator",
    "topic": "Topic",
    "period": "Period",
    "unit": "Unit",
    "value": "Value",
    "ci_lower": "95% CI lower",
    "ci_upper": "95% CI upper",
    "neighbour_average": "Comparator average",
    "region": "Region",
    "england": "England",
    "rank": "Rank",
    "quartile": "Quartile band",
    "vs_england": "Compared with England",
    "vs_neighbours": "Compared with comparators",
    "trend": "Recent trend",
    "reason": "Why not tested",
}


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """An ``area_summary`` with readable headings and rounded numbers, for screen and export.

    Numbers stay numbers (so a table can be sorted); the Unit column says what they are.
    Scores near zero (Progress 8) keep two decimal places, everything else one.
    """
    out = summary[list(SUMMARY_HEADINGS)].copy()
    numeric = ["value", "ci_lower", "ci_upper", "neighbour_average", "region", "england"]
    places = np.where((summary["unit"] == "score") & (summary["value"].abs() < 10), 2, 1)
    for col in numeric:
        out[col] = [
            round(v, int(p)) if not stats._is_missing(v) else np.nan
            for v, p in zip(pd.to_numeric(out[col], errors="coerce"), places)
        ]
    return out.rename(columns=SUMMARY_HEADINGS)
