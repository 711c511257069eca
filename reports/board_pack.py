"""The board pack: the area's headline measures and their verdicts on a cover, then one section
per lens (local profile, governance and assurance, outcomes, benchmarking) with charts, verdicts
in plain English, caveats, series breaks and the sources with their dates.

One document model (``BoardPack``) is built from the tidy table, then written two ways: a PDF
typeset by typst (``reports.typeset``) and a standalone HTML page. Charts are the pages' own
Altair specs (``reports.charts``) rendered to SVG by vl-convert, so the same data gives the same
document. The page and the command line (``reports.cli``) both call ``board_pack_pdf`` and
``board_pack_html``.

Every figure in the pack is published by DfE, ONS or the Ministry of Justice and is shown as
published: the publisher has applied its own disclosure control (``analysis.disclosure`` says
why SEND Lens does not round published figures again). Figures from the area's own data
(the exception report's KPIs) go through ``analysis.disclosure`` before they are written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import altair as alt
import pandas as pd

import indicators
from analysis import benchmark, profile
from analysis import trend as trend_mod
from analysis.disclosure import SmallNumberRule
from analysis.neighbours import check_area, sn_label
from data_loaders.register import RELEASES
from geography import areas
from indicators.units import format_value
from reports import charts, series_breaks
from reports.exception_report import shown_value
from reports.format import describe_period, format_change
from reports.pack_document import BoardPack, Chart, Section, Table
from tidy import period_sort_key

SECTIONS: dict[str, str] = {
    "profile": "Local profile",
    "governance": "Governance and assurance",
    "outcomes": "Outcomes",
    "benchmarking": "Benchmarking",
}
DEFAULT_COMPARATORS = sn_label("2025")
CHART_WIDTH = 440  # pixels of the SVG; typst scales it to the text width
TREND_PERIODS = 8  # a trend shows the latest eight periods: more crowd the axis on A4
ACADEMIC_YEAR = re.compile(r"(\d{4})/(\d{2})")

# What each section charts: (kind, indicator, title). Trends are the area, region and England
# over time; "need" is the primary-need mix beside the region and England.
SECTION_CHARTS: dict[str, list[tuple[str, str, str]]] = {
    "profile": [
        ("trend", "ehc_plans_rate", "EHC plans per 10,000 children and young people aged 0-25"),
        ("trend", "sen_ehc_pct", "Share of pupils with an EHC plan"),
        ("trend", "sen_support_pct", "Share of pupils receiving SEN support"),
        (
            "need",
            "ehc_primary_need_pct",
            "Primary need of children and young people with EHC plans",
        ),
        ("map", "ehc_plans_rate", "EHC plans per 10,000 aged 0-25 across the region"),
    ],
    "governance": [
        ("trend", "ehc_20wk_pct", "New EHC plans issued within 20 weeks"),
        ("trend", "ehc_requests_refused_pct", "Requests for assessment refused"),
        ("trend", "tribunal_appeal_rate", "SEND Tribunal appeal rate"),
    ],
    "outcomes": [
        ("trend", "ks2_rwm_ehc", "Pupils with an EHC plan reaching the expected standard at 11"),
        (
            "trend",
            "ks4_destination_ehc",
            "Pupils with an EHC plan in sustained education or work after 16",
        ),
    ],
    "benchmarking": [],
}
SECTION_INTROS: dict[str, str] = {
    "profile": "How many children and young people need support, of what kind and where they are "
    "educated, beside the region and England.",
    "governance": "Is the partnership meeting its statutory duties? The national measures of the "
    "EHC process against England and the comparators, and the exception report.",
    "outcomes": "Is anyone better off? Attainment and destinations of pupils with SEN beside "
    "the region and England.",
    "benchmarking": "Every measure with data for the area against {comparators}, its region and "
    "England: value, rank and quartile band among English councils, significance and trend.",
}


@dataclass(frozen=True)
class LocalExceptions:
    """The exception report from the workspace's KPI return, for the governance section:
    ``report`` is ``analysis.rag.exception_report``'s frame, ``denominators`` each KPI's
    denominator in the month reported (when the return gave one), ``example`` whether the
    return is the synthetic example."""

    report: pd.DataFrame
    month: str
    denominators: dict[str, float]
    example: bool = False


class PackError(ValueError):
    """A request the pack cannot be made for; its message is one line for the user."""


@dataclass(frozen=True)
class PackChoice:
    """What the user asks for: the area, the sections in order, the academic year the figures
    run to (None: the latest published) and the comparator set's name."""

    area: str
    sections: tuple[str, ...] = tuple(SECTIONS)
    period: str | None = None
    comparators: str = DEFAULT_COMPARATORS


# --- the request ----------------------------------------------------------------------------


def check_choice(table: pd.DataFrame, choice: PackChoice) -> PackChoice:
    """The choice with the area's current code; ``PackError`` (one line) when it cannot be made."""
    code = area_code(choice.area)
    unknown = [s for s in choice.sections if s not in SECTIONS]
    if unknown or not choice.sections:
        raise PackError(
            f"unknown section {', '.join(map(repr, unknown)) or '(none chosen)'}; "
            f"choose from {', '.join(SECTIONS)}"
        )
    if choice.period is not None:
        check_period(table, choice.period)
    sets = benchmark.comparator_sets(code)
    if choice.comparators not in sets:
        raise PackError(
            f"unknown comparator set {choice.comparators!r}; choose from {', '.join(sets)}"
        )
    return PackChoice(
        code, tuple(dict.fromkeys(choice.sections)), choice.period, choice.comparators
    )


EXAMPLE_AREA = "E06000051"  # named in messages about a code that is not an LA's


def area_code(area: str) -> str:
    """Today's code for a current LA; ``PackError`` saying why not otherwise."""
    code = areas.current_code(str(area).strip().upper())
    try:
        return check_area(code)
    except ValueError as exc:
        if areas.reorganisation_of(code) is not None:
            raise PackError(str(exc)) from None  # a former LA: the message names its successors
    # check_area's own message is about statistical neighbours; a pack asks for an LA.
    names = areas.area_names()
    example = f"try e.g. {EXAMPLE_AREA} ({names[EXAMPLE_AREA]})"
    if code in names:
        raise PackError(
            f"{code} is {names[code]}, not a local authority: packs are made for one of the "
            f"{len(areas.current_las())} local authorities; {example}"
        )
    raise PackError(
        f"{code or repr(area)} is not a local authority code SEND Lens knows; {example}"
    )


def available_years(table: pd.DataFrame) -> list[str]:
    """Academic years the headline measures have figures for, newest first."""
    years: set[str] = set()
    for ind in indicators.headlines():
        years.update(
            p for p in indicators.periods(ind.id, table=table) if ACADEMIC_YEAR.fullmatch(p)
        )
    return sorted(years, reverse=True)


def check_period(table: pd.DataFrame, period: str) -> None:
    match = ACADEMIC_YEAR.fullmatch(period)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise PackError(f"period {period!r} is not an academic year such as 2023/24")
    years = available_years(table)
    if period not in years:
        raise PackError(
            f"no published figures for {period}; choose an academic year from "
            f"{years[-1]} to {years[0]}"
        )


def as_at(table: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """The table as it stood for a pack running to academic year ``period``: rows for periods
    that began by the end of that year (a year 2023/24, a financial year 2023-24, calendar
    years to 2024, months to August 2024). None keeps every row."""
    if period is None:
        return table
    start = int(period[:4])
    keys = {p: period_sort_key(p) for p in table["period"].astype(str).unique()}
    end_of_year = (start + 1, 7)  # August of the year's second calendar year, month 0-based
    keep = {
        p
        for p, (year, sub) in keys.items()
        if (
            year <= start
            if sub == 6
            else (year, sub) <= end_of_year
            if "-" in p
            else year <= start + 1
        )
    }
    return indicators.NationalTable.of(table[table["period"].astype(str).isin(keep)])


# --- the document ---------------------------------------------------------------------------


def build_pack(
    table: pd.DataFrame, choice: PackChoice, exceptions: LocalExceptions | None = None
) -> BoardPack:
    """The pack's content for a checked choice (``check_choice``), charts not yet rendered;
    with ``exceptions``, the governance section carries the exception report."""
    choice = check_choice(table, choice)
    data = as_at(table, choice.period)
    area = choice.area
    name = areas.area_names()[area]
    members = benchmark.comparator_sets(area)[choice.comparators]
    judge = _Judge(data, area, name, members, choice.comparators)
    used: set[str] = set()
    cover = _cover(judge, used)
    sections = [_section(judge, key, used, exceptions) for key in choice.sections]
    runs_to = f"figures to {choice.period}" if choice.period else "the latest published figures"
    return BoardPack(
        title=f"SEND partnership board pack: {name}",
        area=area,
        area_name=name,
        subtitle=f"{name} ({area}), {runs_to}. Compared with {choice.comparators}, the region "
        "and England.",
        cover=cover,
        notes=[
            "How to read the verdicts: 'better' or 'worse' means the area's 95% confidence "
            "interval does not include the comparator's value (as in OHID's Fingertips); "
            "'similar' means it does. Counts grow with the size of the area and are not tested. "
            "A trend is tested over the last five points since any break in the series.",
            "Small numbers: every figure here is published by DfE, ONS or the Ministry of Justice "
            "after their own disclosure control and is shown as published. Figures from the "
            "area's own returns follow SEND Lens's small-number rule: counts of 1 to "
            f"{SmallNumberRule().threshold} hidden, others rounded to the nearest "
            f"{SmallNumberRule().rounding}.",
        ],
        sections=sections,
        sources=_sources(data, used),
    )


@dataclass
class _Judge:
    """The area's comparison and trend for each indicator at its latest period, worked out
    once per pack (the cover and a section may both need one)."""

    data: pd.DataFrame
    area: str
    name: str
    members: Sequence[str]
    label: str
    found: dict[str, tuple[benchmark.ComparisonResult, trend_mod.TrendResult] | None] = field(
        default_factory=dict
    )

    def result(
        self, ind_id: str
    ) -> tuple[benchmark.ComparisonResult, trend_mod.TrendResult] | None:
        if ind_id not in self.found:
            period = indicators.latest_period(ind_id, self.area, table=self.data)
            if period is None:
                self.found[ind_id] = None
            else:
                # The indicator's totals read once for both the comparison and the trend.
                totals = benchmark.Totals.of(self.data, ind_id)
                self.found[ind_id] = (
                    totals.compare(self.area, period, self.members, self.label),
                    totals.trend(self.area),
                )
        return self.found[ind_id]

    def sentence(self, ind_id: str) -> str:
        found = self.result(ind_id)
        if found is None:
            return ""
        return benchmark.sentence(*found, indicators.get(ind_id), self.name)


def short_verdict(result: benchmark.ComparisonResult, trend: trend_mod.TrendResult) -> str:
    """A headline's verdict in a few words: against England, then the trend."""
    england = result.england
    if result.unit == "count":
        against = "a count, so not tested against England"
    elif england.direction == "similar":
        against = "similar to England"
    elif england.direction in ("higher", "lower"):
        judged = england.judgement if england.judgement != england.direction else england.direction
        against = f"significantly {judged} than England"
    else:
        against = "not tested against England"
    return f"{against[0].upper()}{against[1:]}; trend: {trend.verdict}."


def _cover(judge: _Judge, used: set[str]) -> Table:
    rows = []
    for ind in indicators.headlines():
        used.add(ind.id)
        h = profile.headline(judge.data, ind.id, judge.area)
        found = judge.result(ind.id)
        if h.period is None or found is None:
            rows.append([ind.title, format_value(None, ind.unit, status=h.status), "", "", "", ""])
            continue
        rows.append(
            [
                ind.title,
                format_value(h.value, ind.unit),
                describe_period(h.period, ind),
                format_change(h.change, ind.unit) or "",
                format_value(h.england, ind.unit, status=h.england_status),
                short_verdict(*found),
            ]
        )
    return Table(
        "The ten measures the board watches: latest value, change since the year before, "
        "England and the verdict",
        ["Measure", "Latest", "Period", "Change", "England", "Verdict"],
        rows,
        [2.8, 2.0, 1.5, 1.2, 2.0, 2.7],
    )


def _section(
    judge: _Judge, key: str, used: set[str], exceptions: LocalExceptions | None = None
) -> Section:
    data, area, label = judge.data, judge.area, judge.label
    ids = _section_indicators(key)
    used.update(ids)
    verdicts: list[tuple[str, list[str]]] = []
    tables: list[Table] = []
    if key == "benchmarking":
        tables.append(_summary_table(judge))
    else:
        groups = indicators.governance_groups() if key == "governance" else {"": ids}
        for group, members_ids in groups.items():
            said = [judge.sentence(i) for i in members_ids]
            verdicts.append((group, [s for s in said if s]))
    if key == "governance":
        words, table = _exception_part(exceptions)
        verdicts.append(("Exception report", words))
        tables += [table] if table is not None else []
    built = [
        section_chart(data, kind, ind_id, area, title)
        for kind, ind_id, title in SECTION_CHARTS[key]
    ]
    used.update(ind_id for _, ind_id, _ in SECTION_CHARTS[key])
    return Section(
        key=key,
        title=SECTIONS[key],
        intro=SECTION_INTROS[key].format(comparators=label),
        verdicts=verdicts,
        charts=[c for c in built if c is not None],
        tables=tables,
        # The benchmarking table spans the catalogue: its caveats are the featured sections'.
        caveats=_caveats(
            [] if key == "benchmarking" else [*ids, *(i for _, i, _ in SECTION_CHARTS[key])], area
        ),
    )


def _section_indicators(key: str) -> list[str]:
    if key == "governance":
        return [i for ids in indicators.governance_groups().values() for i in ids]
    if key == "benchmarking":
        return list(indicators.CATALOGUE)
    featured = {i for _, i, _ in SECTION_CHARTS[key]}
    lens = [i.id for i in indicators.CATALOGUE.values() if i.lens == key]
    # The profile lens is long: its section says the featured measures and the headlines.
    if key == "profile":
        heads = {i.id for i in indicators.headlines()}
        return [i for i in lens if i in featured or i in heads]
    return lens


def section_chart(
    data: pd.DataFrame, kind: str, ind_id: str, area: str, title: str
) -> Chart | None:
    ind = indicators.get(ind_id)
    if kind == "map":
        return _region_map(data, ind, area, title)
    if kind == "need":
        frame = profile.breakdown_comparison(data, ind_id, area, "primary_need")
        if frame.empty:
            return None
        chart = charts.grouped_bars(frame, "category", "value", "Per cent of EHC plans")
        size: dict[str, object] = {}
        note = ""
        wide = frame.pivot_table(index="category", columns="name", values="value", aggfunc="first")
        wide = wide.reset_index().rename(columns={"category": "Primary need"})
        period = describe_period(str(frame["period"].iloc[0]), ind)
        title = f"{title}, {period}"
    else:
        frame = profile.comparison_series(data, ind_id, area)
        recent = frame["period"].drop_duplicates().tolist()[-TREND_PERIODS:]
        frame = frame[frame["period"].isin(recent)]
        if frame.empty or frame.loc[frame["role"] == "area", "value"].notna().sum() == 0:
            return None
        charted = frame[frame["role"] == "area"] if ind.unit == "count" else frame
        chart = charts.trend_chart(charted, y_title=charts.axis_title(ind))
        size = {"height": 190}  # lower than on a page: three fit an A4 page with their tables
        wide = charts.wide_table(frame)
        note = series_breaks.break_sentence(ind, charted.loc[charted["value"].notna(), "period"])
    chart = chart.properties(width=CHART_WIDTH, description=title, **size)
    # The specs are the pages' own, validated whenever a page draws them (and by the app
    # tests); validating again here was a quarter of building the pack.
    return Chart(title, chart.to_dict(validate=False), _text_table(wide, ind.unit, title), note)


def _region_map(
    data: pd.DataFrame, ind: indicators.Indicator, area: str, title: str
) -> Chart | None:
    """The region's LAs shaded by the indicator in the area's latest period: a static map."""
    import json

    import shapely

    from geography import boundaries

    period = indicators.latest_period(ind.id, area, table=data)
    region = areas.region_of(area)
    if period is None or region is None:
        return None
    las = areas.current_las()
    codes = las.loc[las["region_code"] == region, "la_code"].tolist()
    # Only the region simplified, as one coverage (borders still meet): England's 153 took
    # seconds, a region's dozen a fraction of one.
    shapes = boundaries.layer("la")
    shapes = shapes[shapes["la_code"].isin(codes)].copy()
    shapes.geometry = shapely.coverage_simplify(shapes.geometry.values, 300)
    shapes = boundaries.to_wgs84(shapes, decimals=4)
    names = areas.area_names()
    values = [indicators.value(ind.id, c, period, table=data) for c in shapes["la_code"]]
    shapes = shapes.assign(
        name=shapes["la_code"].map(names), value=values, is_area=shapes["la_code"] == area
    )[["name", "value", "is_area", "geometry"]]
    title = f"{title}, {describe_period(period, ind)} ({names[area]} outlined)"
    chart = charts.region_map(charts.axis_title(ind), names[area])
    spec = chart.properties(width=CHART_WIDTH, description=title).to_dict(validate=False)
    spec["datasets"] = {charts.SHAPES: json.loads(shapes.to_json())["features"]}
    listed = shapes.drop(columns="geometry").sort_values("value", ascending=False)
    listed = listed.rename(columns={"name": "Area", "value": "Value"})[["Area", "Value"]]
    return Chart(title, spec, _text_table(listed, ind.unit, title))


def _text_table(frame: pd.DataFrame, unit: str, caption: str) -> Table:
    """A chart's numbers as written text: the first column as it is, the rest in the unit."""
    first, *rest = list(frame.columns)
    rows = [
        [str(r[first])] + [format_value(None if pd.isna(r[c]) else float(r[c]), unit) for c in rest]
        for _, r in frame.iterrows()
    ]
    return Table(f"{caption}: the figures", [str(c) for c in frame.columns], rows)


def _summary_table(judge: _Judge) -> Table:
    """``benchmark.area_summary``'s table, from the comparisons the pack has already made."""
    rows = []
    for ind in indicators.CATALOGUE.values():
        found = judge.result(ind.id)
        if found is None:
            continue
        r, trend = found
        rows.append(
            [
                ind.title,
                describe_period(r.period, ind),
                format_value(r.value, r.unit, status=r.status),
                format_value(r.neighbours.value, r.unit),
                format_value(r.england.value, r.unit),
                r.rank_text,
                r.quartile or "",
                r.england.judgement,
                r.neighbours.judgement,
                trend.verdict,
            ]
        )
    label = judge.label
    return Table(
        f"Every measure with data for the area, against {label}, and England",
        [
            "Measure",
            "Period",
            "Area",
            "Comparators' average",
            "England",
            "Rank",
            "Quartile",
            "Against England",
            "Against comparators",
            "Trend",
        ],
        rows,
        [3.0, 1.3, 1.1, 1.2, 1.1, 1.3, 0.8, 1.1, 1.1, 1.3],
    )


def protected_figure(value: float | None, unit: str, denominator: float | None) -> str:
    """A figure from the area's own return as the pack shows it: a count of 1 to 7 hidden and
    others rounded to 5, a percentage hidden when its group is under the rule's minimum."""
    rule = SmallNumberRule()
    if value is None or pd.isna(value):
        return ""
    if unit == "count":
        shown = rule.shown_count(float(value))
        return "hidden (small number)" if shown is None else shown_value(shown, unit)
    if unit == "%" and denominator is not None and denominator < rule.min_denominator:
        return f"hidden (fewer than {rule.min_denominator:g} in the group)"
    return shown_value(float(value), unit)


def _exception_part(exceptions: LocalExceptions | None) -> tuple[list[str], Table | None]:
    if exceptions is None:
        return [
            "No local KPI return was included: the exception report comes from the area's "
            "own monthly KPIs (the Governance page, or this pack made on the Reports page "
            "of a workspace that holds them)."
        ], None
    report = exceptions.report
    said = [f"{len(report)} KPIs rated Red in {exceptions.month}."]
    if exceptions.example:
        said.insert(0, "EXAMPLE DATA (SYNTHETIC): not the area's real figures.")
    rows = []
    for r in report.itertuples(index=False):
        den = exceptions.denominators.get(str(r.indicator))
        figure = partial(protected_figure, unit=str(r.unit), denominator=den)
        rows.append(
            [
                str(r.title),
                figure(r.value),
                figure(r.target) if r.unit != "count" else shown_value(r.target, r.unit),
                " → ".join(figure(v) for v in r.recent),
                str(r.trend),
                str(r.commentary),
                str(r.action),
                str(r.owner),
            ]
        )
    table = Table(
        f"Exception report: KPIs rated Red in {exceptions.month}, with commentary and actions",
        ["KPI", "Latest", "Target", "Recent months", "Trend", "Commentary", "Action", "Owner"],
        rows,
        [2.2, 1.0, 1.0, 2.0, 1.2, 2.6, 2.2, 1.1],
    )
    return said, table if rows else None


def _caveats(ids: Sequence[str], area: str) -> list[str]:
    out: list[str] = []
    for ind_id in dict.fromkeys(ids):
        ind = indicators.get(ind_id)
        if ind.caveats:
            out.append(f"{ind.title}: {ind.caveats}")
        for first in ind.series_breaks:
            out.append(
                f"{ind.title}: a new series starts in {first}; earlier years are not comparable "
                "and trends are tested from then on."
            )
    reorg = areas.reorganisation_of(area)
    if reorg is not None:
        out.append(
            f"Series break: {reorg.note} Figures for this area start in {reorg.first_period}."
        )
    return list(dict.fromkeys(out))


def _sources(data: pd.DataFrame, used: set[str]) -> Table:
    keys: list[str] = []
    for ind_id in used:
        keys += [indicators.get(ind_id).source, *indicators.get(ind_id).earlier_sources]
    # Each source's periods from one pass over the table, not a filter of it per source.
    pairs = data[["source", "period"]].drop_duplicates().astype(str)
    periods_of = pairs.groupby("source")["period"].agg(list).to_dict()
    rows = []
    for key in sorted(set(keys)):
        entry = RELEASES.get(key)
        periods = periods_of.get(key, [])
        latest = max(periods, key=period_sort_key) if periods else ""
        if entry is None:
            rows.append([key, "", "", latest])
            continue
        rows.append([entry.title, entry.publisher, entry.release, latest])
    return Table(
        "Data sources: the publisher's release each figure comes from",
        ["Source", "Publisher", "Release", "Latest period used"],
        rows,
        [3.5, 2.0, 2.5, 1.3],
    )


# --- rendering --------------------------------------------------------------------------------


def vega_lite_version() -> str:
    """vl-convert's name for the Vega-Lite version Altair writes ("6.4" for v6.4.1)."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def render_charts(pack: BoardPack) -> list[str]:
    """Every chart of the pack as SVG, in order (the floor of the pack's build time)."""
    return [svg(chart.spec) for section in pack.sections for chart in section.charts]


def svg(spec: dict[str, object]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, vl_version=vega_lite_version()))


def board_pack_pdf(
    table: pd.DataFrame, choice: PackChoice, exceptions: LocalExceptions | None = None
) -> bytes:
    from reports.typeset import pack_pdf  # typst loads only when a PDF is asked for

    pack = build_pack(table, choice, exceptions)
    return pack_pdf(pack, render_charts(pack))


def board_pack_html(
    table: pd.DataFrame, choice: PackChoice, exceptions: LocalExceptions | None = None
) -> bytes:
    pack = build_pack(table, choice, exceptions)
    return pack_html(pack, render_charts(pack))


PACK_CSS = """
body { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; color: #0b0c0c; max-width: 60em;
  margin: 1.5em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.8em; } h2 { font-size: 1.4em; border-top: 3px solid #0072B2; padding-top: 0.4em;
  margin-top: 2em; } h3 { font-size: 1.1em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #505a5f; padding: 3px 6px; text-align: left; vertical-align: top; }
thead th { background: #f3f2f1; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
.note { border-left: 4px solid #505a5f; padding-left: 0.8em; }
@media print { @page { size: A4; margin: 15mm; } h2 { break-before: page; } figure, tr { break-inside: avoid; } }
"""


def _html_table(t: Table) -> str:
    e = html.escape
    head = "".join(f"<th scope='col'>{e(c)}</th>" for c in t.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<th scope='row'>{e(c)}</th>" if i == 0 else f"<td>{e(c)}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in t.rows
    )
    return (
        f"<table><caption>{e(t.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def pack_html(pack: BoardPack, svgs: Sequence[str]) -> bytes:
    """The pack as one standalone page (no scripts, no external files), charts inline as SVG."""
    e = html.escape
    parts = [
        f"<h1>{e(pack.title)}</h1>",
        f"<p>{e(pack.subtitle)}</p>",
        _html_table(pack.cover),
        *(f"<p class='note'>{e(n)}</p>" for n in pack.notes),
    ]
    images = iter(svgs)
    for s in pack.sections:
        parts += [f"<h2>{e(s.title)}</h2>", f"<p>{e(s.intro)}</p>"]
        for group, sentences in s.verdicts:
            if not sentences:
                continue
            if group:
                parts.append(f"<h3>{e(group)}</h3>")
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in sentences) + "</ul>")
        for t in s.tables:
            parts.append(_html_table(t))
        for c in s.charts:
            # The figure's label and its table speak for the chart: Vega's own ARIA roles
            # inside it (a map's shapes have no names) would be read out as unlabelled images.
            svg = next(images).replace("<svg", "<svg aria-hidden='true' focusable='false'", 1)
            parts.append(
                f"<figure><figcaption><h3>{e(c.title)}</h3></figcaption>"
                f"<div role='img' aria-label='{e(c.title)}'>{svg}</div>"
                + (f"<p>{e(c.note)}</p>" if c.note else "")
                + f"<details><summary>The figures as a table</summary>{_html_table(c.table)}"
                "</details></figure>"
            )
        if s.caveats:
            parts.append("<h3>Caveats and series breaks</h3>")
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in s.caveats) + "</ul>")
    parts += ["<h2>Data sources</h2>", _html_table(pack.sources)]
    page = (
        f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>{e(pack.title)}</title><style>{PACK_CSS}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>"
    )
    return page.encode("utf-8")
