"""The area's own data on the map: KPI returns below LA level, child-level uploads summed by
ward, school or locality, and the area's localities drawn from its ward-to-locality lookup.

Everything here lives in this session's state (``local.session_cached``), never in the
shared ``st.cache_data`` map cache: the figures are the area's own, some about children.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

import indicators
from analysis import mapping
from analysis import record_measures as rm
from analysis.disclosure import SmallNumberRule, protect_total
from geography import boundaries
from geography import schools as geo_schools
from geography.localities import Localities, localities
from indicators import Indicator
from ui import local
from ui.map.build import AREA_WORDS, MapResult, build_map, periods_with_values
from ui.plain import md

LEVELS = ("school", "ward", "locality")
KINDS = ("kpi_return", "survey", "ehc_tracker", "cohort", "locality_lookup")
FLASH = "map.flash"


@dataclass(frozen=True)
class LocalMapData:
    """What of the area's uploads can be mapped, read once per change of the store."""

    key: tuple  # the store's versions this was read from, and the area
    kpi: pd.DataFrame  # tidy local rows at ward, school and locality level
    records: dict[str, pd.DataFrame] = field(default_factory=dict)  # kind -> this area's rows
    sources: dict[str, list[str]] = field(default_factory=dict)  # kind -> dataset names used
    localities: Localities | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.kpi.empty and not self.records


def map_data(area: str) -> LocalMapData:
    listed = local.datasets()
    mine = listed[listed["kind"].isin(KINDS)]
    key = (local.fingerprint(mine), area)
    return local.session_cached("map.local.data", key, lambda: _gather(mine, area, key))


def _gather(listed: pd.DataFrame, area: str, key: tuple) -> LocalMapData:
    def frames(kind: str) -> list[tuple[str, pd.DataFrame]]:
        rows = listed[listed["kind"] == kind]
        return [
            (str(n), local.load_dataset(int(i), int(v)))
            for i, v, n in zip(rows["dataset_id"], rows["active_version"], rows["name"])
        ]

    notes: list[str] = []
    places: Localities | None = None
    lookups = [f for _, f in frames("locality_lookup")]
    if lookups:
        places = localities(pd.concat(lookups, ignore_index=True), area)
        if places.shapes.empty:
            notes.append(
                "Your ward-to-locality lookup has none of this area's wards, so no localities are drawn."
            )
            places = None
        else:
            notes += _lookup_notes(places)
    kpi, kpi_notes = _kpi_rows(local.local_table(area), places)
    notes += kpi_notes
    records, sources = {}, {}
    for kind in ("ehc_tracker", "cohort"):
        unlinkable = local.linkable(listed[listed["kind"] == kind])
        if unlinkable:  # the extracts' children would be counted once per key, not once
            notes.append(f"Your agency extracts are left off the map. {unlinkable}")
            continue
        parts = [(name, frame) for name, frame in frames(kind) if belongs_to(frame, area)]
        if parts:
            records[kind] = pd.concat([f for _, f in parts], ignore_index=True)
            sources[kind] = [name for name, _ in parts]
    return LocalMapData(key, kpi, records, sources, places, notes)


def belongs_to(frame: pd.DataFrame, area: str) -> bool:
    """Whether a child-level upload is this area's: most of its recorded home wards are the
    LA's, or (with no wards) most of its schools are."""
    wards = frame["ward_code"].dropna().astype(str).str.strip().str.upper()
    if not wards.empty:
        return bool(wards.isin(set(boundaries.wards(area)["ward_code"])).mean() > 0.5)
    urns = frame["school_urn"].dropna().astype(str)
    located = geo_schools.school_areas()
    return not urns.empty and bool(
        urns.isin(set(located.loc[located["la_code"] == area, "urn"])).mean() > 0.5
    )


def _lookup_notes(places: Localities) -> list[str]:
    notes = []
    if places.uncovered_wards:
        notes.append(
            f"{len(places.uncovered_wards)} of this area's wards are in no locality of your lookup "
            f"and are left out of locality totals: {md(', '.join(places.uncovered_wards))}."
        )
    if places.unknown_wards:
        notes.append(
            f"{len(places.unknown_wards)} ward code(s) in your lookup are not December 2023 wards "
            f"(perhaps older or newer codes): {md(', '.join(places.unknown_wards))}."
        )
    return notes


def _kpi_rows(table: pd.DataFrame, places: Localities | None) -> tuple[pd.DataFrame, list[str]]:
    """Local KPI rows below LA level; locality rows keyed by the lookup's locality codes."""
    rows = table[table["area_level"].isin(LEVELS)].copy()
    at_locality = rows["area_level"] == "locality"
    if not at_locality.any():
        return rows, []
    if places is None:
        return rows[~at_locality], [
            (
                "Your KPI return has figures by locality. Upload a ward-to-locality "
                "lookup on the Data page to draw them on the map."
            )
        ]
    codes = rows.loc[at_locality, "area_code"].map(places.code_of)
    unmatched = sorted(set(rows.loc[at_locality & codes.reindex(rows.index).isna(), "area_code"]))
    rows.loc[at_locality, "area_code"] = codes
    rows = rows[rows["area_code"].notna()]
    notes = (
        [
            f"Locality names in your KPI return that are not in your lookup: {md(', '.join(unmatched))}."
        ]
        if unmatched
        else []
    )
    return rows, notes


def choices(data: LocalMapData, level: str, area: str) -> dict[str, Indicator]:
    """The area's own measures with figures for areas on its map at ``level``, by id."""
    if level not in LEVELS or (level == "locality" and data.localities is None):
        return {}
    out: dict[str, Indicator] = {}
    kpi = data.kpi
    present = kpi[
        (kpi["area_level"] == level)
        & (kpi["breakdown"] == "")
        & kpi["value"].notna()
        & kpi["area_code"].isin(_codes(level, area, data.localities))
    ]
    for indicator in sorted(present["indicator"].unique()):
        out[str(indicator)] = indicators.get(str(indicator))
    column = rm.LEVEL_COLUMNS[level]
    for kind, frame in data.records.items():
        if frame[column].notna().any():
            out.update({m.indicator.id: m.indicator for m in rm.measures_for([kind])})
    return out


def describe(data: LocalMapData, indicator: str) -> str:
    """Where a local map's figures come from, in words."""
    if indicator in rm.MEASURES:
        kind = rm.MEASURES[indicator].kind
        when = rm.as_of_date(data.records[kind], kind)
        names = md("; ".join(data.sources.get(kind, [])))
        span = "the 12 months to" if kind == "ehc_tracker" else "extracts as at"
        return f"Summed by SEND Lens from *{names}*, {span} {when:%-d %B %Y}, by the child's home ward or school."
    sources = sorted(
        data.kpi.loc[data.kpi["indicator"] == indicator, "source"].astype(str).unique()
    )
    return f"From your upload: {md('; '.join(s.removeprefix('upload:') for s in sources))}."


def local_map(
    area: str,
    level: str,
    indicator: str,
    method: str,
    palette: str,
    points: bool,
    period: str | None = None,
    rule: SmallNumberRule | None = None,
) -> MapResult:
    """A map of the area's own data, kept in this session only (one at a time)."""
    data, rule = map_data(area), rule or SmallNumberRule()
    key = (data.key, level, indicator, method, palette, points, period, rule)
    return local.session_cached(
        "map.local.result",
        key,
        lambda: _build(data, area, level, indicator, method, palette, points, period, rule),
    )


def periods(data: LocalMapData, level: str, indicator: str) -> list[str]:
    """The periods of an uploaded KPI at ``level``, newest first (child-level measures have
    one: their as-at date)."""
    if indicator in rm.MEASURES:
        return []
    return periods_with_values(data.kpi, indicator, "", level)


def _codes(level: str, area: str, places: Localities | None) -> list[str]:
    if level == "ward":
        return boundaries.wards(area)["ward_code"].tolist()
    if level == "school":
        located = geo_schools.school_areas()
        return located.loc[located["la_code"] == area, "urn"].astype(str).tolist()
    return [] if places is None else places.shapes["code"].astype(str).tolist()


def _build(
    data: LocalMapData,
    area: str,
    level: str,
    indicator: str,
    method: str,
    palette: str,
    points: bool,
    period: str | None,
    rule: SmallNumberRule,
) -> MapResult:
    if indicator in rm.MEASURES:
        measure = rm.MEASURES[indicator]
        found = rm.record_rows(
            data.records[measure.kind],
            indicator,
            level,
            _codes(level, area, data.localities),
            data.localities.ward_localities if data.localities else None,
        )
        result = build_map(
            found.rows,
            level,
            indicator,
            "",
            area,
            "la",
            method,
            palette,
            points,
            ind=measure.indicator,
            localities=data.localities,
            rule=rule,
        )
        result.notes = _placement_notes(found, measure, level, rule, result.table)
        month = pd.Timestamp(found.period + "-01").strftime("%B %Y")
        result.period_words = (
            f"the 12 months to {month}" if measure.kind == "ehc_tracker" else f"as at {month}"
        )
        result.trends = pd.DataFrame(columns=["code", "name", "period", "value"])
        return result
    rows = data.kpi[(data.kpi["indicator"] == indicator) & (data.kpi["area_level"] == level)]
    ind = indicators.get(indicator)
    result = build_map(
        rows,
        level,
        indicator,
        "",
        area,
        "la",
        method,
        palette,
        points,
        localities=data.localities,
        period=period,
        rule=rule,
    )
    result.trends = protected_series(
        rows, dict(zip(result.table["code"], result.table["name"])), ind, rule
    )
    return result


def protected_series(
    rows: pd.DataFrame, names: dict[str, str], ind: Indicator, rule: SmallNumberRule
) -> pd.DataFrame:
    """Every period's values for the areas on the map, after the same disclosure control as the
    map (each period's figures protected as the map of that period would show them)."""
    parts = []
    for period, group in rows[rows["area_code"].isin(names)].groupby("period"):
        table, _, _ = mapping.map_table(
            group.drop_duplicates("area_code"), names, ind.unit, protect=True, rule=rule
        )
        parts.append(table.assign(period=period)[["code", "name", "period", "value"]])
    if not parts:
        return pd.DataFrame(columns=["code", "name", "period", "value"])
    return pd.concat(parts, ignore_index=True)


def _placement_notes(
    found: rm.RecordRows,
    measure: rm.RecordMeasure,
    level: str,
    rule: SmallNumberRule,
    table: pd.DataFrame | None = None,
) -> list[str]:
    what = measure.indicator.denominator or measure.indicator.numerator
    notes = []
    if found.outside:
        where = {
            "ward": "live in wards outside this area",
            "school": "go to schools outside this area",
            "locality": "live in wards of no locality",
        }[level]
        notes.append(
            f"Not on this map: {rule.count_in_words(found.outside)} of the {what} counted, who {where}."
        )
    if found.unplaced:
        missing = {
            "ward": "no home ward",
            "school": "no school",
            "locality": "no home ward in your lookup",
        }[level]
        notes.append(
            f"Not on this map: {rule.count_in_words(found.unplaced)} of the {what} counted, with {missing} recorded."
        )
    total = f"{rule.count_in_words(found.counted)} {what}"
    if table is not None and measure.indicator.unit == "count":
        # The areas, and those off the map, add up to the total: it is shown only if no
        # hidden area can be worked out from it (``analysis.disclosure.protect_total``).
        off_map = [rule.shown_count(n) for n in (found.outside, found.unplaced) if n]
        parts = [*table["numerator"].tolist(), *off_map]
        if protect_total(found.counted, parts, rule) is None and found.counted > rule.threshold:
            total = "not shown, so that no hidden figure on the map can be worked out from it"
    notes.append(f"Counted in all: {total}; {AREA_WORDS[level]} with none show 0.")
    return notes
