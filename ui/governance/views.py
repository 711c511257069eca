"""The Governance and assurance page: the area's own data panel and the national measures of
the EHC process, with the helpers the page's other view modules share.

National figures are public and go through the Benchmarking page's shared caches (keys are
small: indicator, area, comparator codes). Everything read from the area's uploads lives in
this session's state only (``session_cached``), keyed by the store's dataset versions, so a page
rerun costs no store read and nothing local reaches a cache other sessions can see. Every
visual goes through ``ui.visual.show``. The EHC tracker and annual reviews are in
``ui.governance.tracker``; the local KPIs and the exception report in ``ui.governance.kpis``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

import indicators
from analysis import benchmark as bm
from analysis.profile import breakdown_comparison, share_of_total
from reports.format import format_value
from store.access import Action
from ui import charts, glossed, local, visual, workshop
from ui.comparison.charts import trend_view
from ui.comparison.comparators import own_set
from ui.comparison.data import (
    comparator_sets,
    comparison,
    periods,
    published_note,
    set_aside_reason,
    trend_result,
)
from ui.data import area_names, national_table
from ui.examples import is_example, load_examples, remove_examples
from ui.plain import md
from ui.visual import AREA_COLOUR, ENGLAND_COLOUR, NEIGHBOUR_COLOUR, REGION_COLOUR

INK = "#0B0C0C"  # outlines of filled points
SERIES_STYLE = {  # series: (colour, shape), so no series is told by colour alone
    "area": (AREA_COLOUR, "circle"),
    "average": (NEIGHBOUR_COLOUR, "square"),
    "region": (REGION_COLOUR, "triangle-up"),
    "England": (ENGLAND_COLOUR, "diamond"),
}


def outcomes_frame(listed: pd.DataFrame) -> pd.DataFrame | None:
    """Every active annual review outcomes upload, child ids and review dates only."""
    rows = listed[listed["kind"] == "outcomes_return"]
    if rows.empty:
        return None
    parts = [
        local.load_dataset(int(i), int(v))[["child_id", "review_date"]]
        for i, v in zip(rows["dataset_id"], rows["active_version"])
    ]
    return pd.concat(parts, ignore_index=True)


UPLOADS_NEEDED = """
| to see | upload (Data page) |
|---|---|
| national measures | nothing: published by DfE and the Ministry of Justice |
| 20-week compliance, open assessments and waits, 6-week decisions, by need, age and school | *EHC needs assessment tracker* |
| annual reviews due this month and each month | *EHC needs assessment tracker* (plan issue dates) |
| annual reviews completed within 12 months | the tracker and *Annual review outcomes* (review dates; children link by their coded id) |
| amendments within 12 weeks, health advice in 6 weeks, and any other monthly KPI | *Local KPI return* (KPI id, month, value or numerator and denominator, target) |
| RAG ratings and the exception report | *Local KPI return* with targets |
"""


def own_data_panel(listed: pd.DataFrame) -> None:
    """What the area has loaded, the one-click example, and what needs which upload."""
    flash = st.session_state.pop("gov.flash", None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    kinds = {
        "ehc_tracker": "EHC tracker",
        "kpi_return": "KPI return",
        "outcomes_return": "annual review outcomes",
    }
    loaded = listed[listed["kind"].isin(list(kinds))]
    with st.container(border=True):
        glossed.markdown("**Your area's own data**")
        if loaded.empty:
            glossed.markdown(
                "Nothing loaded yet: the tabs on the area's own data need uploads on the Data page. "
                "To see how they work first, load the example data: a made-up tracker and KPI "
                "return for Bradford, clearly labelled as example data."
            )
        else:
            glossed.markdown(
                "Loaded: "
                + "; ".join(
                    f"{md(name)} ({kinds[kind]}, version {version})"
                    for name, kind, version in zip(
                        loaded["name"], loaded["kind"], loaded["active_version"]
                    )
                )
                + "."
            )
        has_examples = bool(listed["name"].map(is_example).any())
        cols = st.columns([2, 2, 3])
        if local.can(Action.WRITE):
            cols[0].button(
                "Load the example data (synthetic)",
                key="gov.example.load",
                on_click=load_examples,
                type="primary" if loaded.empty else "secondary",
                disabled=has_examples,
                help="Stores an example EHC tracker and KPI return for Bradford (made up) in this "
                "workspace and switches the page to Bradford.",
            )
        else:
            cols[0].caption("An analyst or admin of this workspace can load the example data.")
        if has_examples and local.can(Action.DELETE):
            cols[1].button(
                "Remove the example data", key="gov.example.remove", on_click=remove_examples
            )
        with st.expander("What needs which upload"):
            glossed.markdown(UPLOADS_NEEDED)


# --- national measures -------------------------------------------------------------------------------


def comparators(area: str) -> tuple[str, list[str]]:
    """The comparator set chosen on the Benchmarking page (DfE's 2025 neighbours by default)."""
    model = st.session_state.get("bench.model", "2025")
    sets = comparator_sets(area, model, own_set(area))
    label = st.session_state.get("bench.set")
    if label not in sets:
        label = next(iter(sets))
    return label, sets[label]


def _measures() -> list[tuple[str, str]]:
    """(topic, indicator) of every national measure the scorecard may show, in its order."""
    return [
        (topic, ind_id)
        for topic, ids in indicators.governance_groups().items()
        for ind_id in ids
        if ind_id in indicators.CATALOGUE
    ]


def _measure(
    ind_id: str, area: str, codes: tuple[str, ...], label: str
) -> tuple[str, bm.ComparisonResult, str] | None:
    """A measure's latest period, comparison and trend verdict (each a shared cache), or None
    where the area has no figures."""
    found = periods(ind_id, area)
    if not found:
        return None
    return (
        found[0],
        comparison(ind_id, area, found[0], codes, label),
        trend_result(ind_id, area).verdict,
    )


def national_steps(area: str) -> list[Callable[[], object]]:
    """The national section in steps: each measure's figures, then the section itself, so
    ``ui.warm_pages`` can give way to a page run between them (the section in one step was
    0.65-1.3 s of CPU, 2026-12-03)."""
    return [
        *(partial(_measure_of_chosen_set, ind_id, area) for _, ind_id in _measures()),
        partial(national_section, area),
    ]


def _measure_of_chosen_set(ind_id: str, area: str) -> None:
    label, codes = comparators(area)
    _measure(ind_id, area, tuple(codes), label)


@st.cache_data(max_entries=64, show_spinner=False)
def scorecard(area: str, codes: tuple[str, ...], label: str) -> pd.DataFrame:
    """One row per national measure with a value for the area: latest value, comparators'
    average, region, England, rank, band, significance and trend (public data only)."""
    records = []
    for topic, ind_id in _measures():
        figures = _measure(ind_id, area, codes, label)
        if figures is None:
            continue
        period, result, verdict = figures
        records.append(
            {
                "topic": topic,
                "indicator": ind_id,
                "title": indicators.get(ind_id).title,
                "unit": result.unit,
                "period": period,
                "value": result.value,
                "average": result.neighbours.value,
                "average_of": len(codes) - len(result.neighbours_missing),
                "set_size": len(codes),
                "average_few": bm.rests_on_few(
                    len(codes) - len(result.neighbours_missing), len(codes)
                ),
                "region": result.region.value,
                "england": result.england.value,
                "rank": result.rank_text,
                "quartile": result.quartile or "",
                "vs_england": result.england.judgement,
                "vs_average": result.neighbours.judgement,
                "trend": verdict,
            }
        )
    return pd.DataFrame.from_records(records)


def _set_words(label: str) -> str:
    """ "Statistical neighbours (DfE 2025)" -> "its statistical neighbours (DfE 2025)"."""
    if label.startswith("Statistical"):
        return "its s" + label[1:]
    return f"the comparator set '{label}'"


def national_section(area: str) -> None:
    names = area_names()
    label, codes = comparators(area)
    card = scorecard(area, tuple(codes), label)
    average = (
        "Comparators' average"
        if not label.lower().startswith("statistical")
        else "Neighbours' average"
    )
    # The return's name is for analysts; the room hears what it is.
    source = "DfE's yearly count of EHC plans" if workshop.active() else "DfE's SEN2 return"
    glossed.markdown(
        f"How {names[area]} carries out its statutory duties in the EHC process, from {source} and "
        f"the Ministry of Justice's tribunal figures, beside {_set_words(label)} (change the set on the "
        "Benchmarking page), its region and England. Significance is at 95% "
        "(Wilson intervals); the trend is OHID's test on the latest five years."
    )
    if card.empty:
        st.info(f"No published figures on the EHC process for {names[area]}.")
        return
    fmt = bm.format_value
    table = pd.DataFrame(
        {
            "Topic": card["topic"],
            "Measure": card["title"],
            "Period": [
                visual.period_words(i, p) for i, p in zip(card["indicator"], card["period"])
            ],
            names[area]: [fmt(v, u) for v, u in zip(card["value"], card["unit"])],
            average: [fmt(v, u) for v, u in zip(card["average"], card["unit"])],
            "Region": [fmt(v, u) for v, u in zip(card["region"], card["unit"])],
            "England": [fmt(v, u) for v, u in zip(card["england"], card["unit"])],
            "Rank": card["rank"],
            "Quartile band": card["quartile"],
            "Compared with England": card["vs_england"],
            f"Compared with {average.lower()}": card["vs_average"],
            "Recent trend": card["trend"],
            "Average rests on": [
                bm.basis_words(n, k) if pd.notna(a) else ""
                for a, n, k in zip(card["average"], card["average_of"], card["set_size"])
            ],
        }
    )
    pct = card[card["unit"] == "%"]
    long = pd.concat(
        [
            pd.DataFrame({"measure": pct["title"], "series": s, "role": role, "value": pct[col]})
            for col, role, s in (
                ("value", "area", names[area]),
                ("average", "average", average),
                ("region", "region", "Region"),
                ("england", "England", "England"),
            )
        ]
    ).dropna(subset=["value"])
    # An average resting on half the set or fewer is drawn hollow (the table says so in words).
    long["few"] = (long["role"] == "average") & long.index.isin(pct.index[pct["average_few"]])
    domain = [names[area], average, "Region", "England"]
    roles = ["area", "average", "region", "England"]

    def chart() -> alt.Chart:
        return (
            alt.Chart(long)
            .mark_point(filled=True, size=140, opacity=1)
            .encode(
                fillOpacity=alt.condition(alt.datum.few, alt.value(0), alt.value(1)),
                stroke=alt.condition(alt.datum.few, alt.value(NEIGHBOUR_COLOUR), alt.value(INK)),
                strokeWidth=alt.condition(alt.datum.few, alt.value(2.5), alt.value(0.5)),
                y=alt.Y(
                    "measure:N",
                    title=None,
                    sort=pct["title"].tolist(),
                    axis=alt.Axis(labelLimit=420, labelFontSize=12),
                ),
                x=alt.X("value:Q", title="Per cent", scale=alt.Scale(domain=[0, 100])),
                color=alt.Color(
                    "series:N",
                    title=None,
                    legend=alt.Legend(
                        orient="bottom", labelLimit=360, symbolSize=200, symbolStrokeWidth=0.5
                    ),
                    scale=alt.Scale(domain=domain, range=[SERIES_STYLE[r][0] for r in roles]),
                ),
                shape=alt.Shape(
                    "series:N",
                    scale=alt.Scale(domain=domain, range=[SERIES_STYLE[r][1] for r in roles]),
                ),
                tooltip=[
                    alt.Tooltip("measure:N", title="Measure"),
                    alt.Tooltip("series:N", title="Series"),
                    alt.Tooltip("value:Q", title="Per cent", format=".1f"),
                ],
            )
            .properties(height=alt.Step(30))
        )

    note = (
        f"The chart shows the percentage measures: {names[area]} (blue circle), {average.lower()} (green "
        "square), the region (orange triangle) and England (black diamond). The table has every measure, "
        f"counts included. 'Better' and 'worse' are significant differences; counts are not tested, because a "
        "count grows with the size of the area."
    )
    if long["few"].any():
        note += (
            f" A hollow square marks {average.lower()} where it rests on half the set or fewer: "
            "a rough guide."
        )
    ids = card["indicator"].tolist()
    visual.show(
        "gov.national",
        f"The EHC process in {names[area]}: latest published figures against "
        f"{average.lower()}, region and England",
        chart,
        table,
        ids,
        area,
        note,
        public=(area, tuple(codes), label),
    )

    glossed.header("One measure over time")
    chosen = st.selectbox(
        "Measure",
        ids,
        key="gov.measure",
        format_func=lambda i: indicators.get(i).title,
        index=ids.index("ehc_20wk_pct") if "ehc_20wk_pct" in ids else 0,
    )
    period = card.set_index("indicator").at[chosen, "period"]
    result = comparison(chosen, area, period, tuple(codes), label)
    note, why = published_note(chosen, area, period), set_aside_reason(chosen, area, period)
    ind = indicators.get(chosen)
    st.info(bm.sentence(result, trend_result(chosen, area), ind, names[area], note, why))
    trend_view(chosen, area, codes, label)
    if "ehc_ceased" in ids:
        ceased_view(area)


def ceased_view(area: str) -> None:
    """Why plans ended: each reason's share of the plans ceased, the area beside England."""
    frame, table = _ceased_frame(area)
    if frame.empty:
        return
    period = str(frame["period"].iloc[0])
    visual.show(
        "gov.ceased",
        f"Why EHC plans ended in {period}: share of plans ceased by reason",
        lambda: charts.grouped_bars(frame, "category", "share", "Per cent of plans ceased"),
        table,
        ["ehc_ceased"],
        area,
        "Each reason as a share of all plans the area ceased in the year, beside its "
        "region and England. The table gives the counts DfE published.",
        public=(area,),
    )


@st.cache_data(max_entries=256, show_spinner=False)
def _ceased_frame(area: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plans ceased by reason, each reason's share, for the area, region and England, and
    their table (public, shared by sessions: the table's pivot was redone on every run)."""
    frame = breakdown_comparison(national_table(), "ehc_ceased", area, "reason")
    if frame.empty:
        return frame, pd.DataFrame()
    frame = share_of_total(frame)
    wide = frame.pivot_table(
        index="category", columns="name", values=["value", "share"], aggfunc="first"
    )
    table = pd.DataFrame({"Reason": wide.index})
    for name in frame.drop_duplicates("role")["name"]:
        table[f"{name}: plans ceased"] = wide[("value", name)].to_numpy()
        table[f"{name}: per cent"] = wide[("share", name)].round(1).to_numpy()
    return frame, table


# --- small numbers -----------------------------------------------------------------------------------


def protect(
    frame: pd.DataFrame, counts: list[str], rates: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Counts of 1 to 7 hidden, others rounded to 5, rates hidden with their counts."""
    from analysis.disclosure import apply_disclosure_control, apply_rate_suppression

    safe = apply_disclosure_control(frame, counts)
    for rate, (numerator, denominator) in rates.items():
        safe = apply_rate_suppression(safe, rate, numerator, denominator)
    return safe


def shown_share(pct: float | None, denominator: float | None, public: bool) -> str:
    """A percentage for a tile: in a public meeting worked out from its counts as protected
    (1 to 7 hidden, others rounded to 5), since one from the true counts would undo the
    rounding of the counts shown beside it."""
    if not public or pct is None or denominator is None:
        return shown(pct, "%", False)
    from analysis.disclosure import apply_disclosure_control, shown_rate

    counts = pd.DataFrame({"num": [round(pct * denominator / 100)], "den": [denominator]})
    safe = apply_disclosure_control(counts, ["num", "den"])
    rate = shown_rate(safe["num"], safe["den"]).iloc[0]
    return "hidden (small numbers)" if pd.isna(rate) else format_value(float(rate), "%")


def shown(value: float | None, unit: str, public: bool) -> str:
    """A figure for a tile: with its unit, and protected in a public meeting (counts only)."""
    if value is None:
        return "none"
    if public and unit == "count":
        v = float(value)
        return "1 to 7 (hidden)" if 1 <= v <= 7 else f"{5 * int(v / 5 + 0.5):,}"
    return format_value(float(value), unit) if unit != "weeks" else f"{value:.1f} weeks"
