"""The Benchmarking page's pickers, cached computations and visuals.

Every chart goes through ``ui.visual.show`` (title, chart/table toggle, about, CSV). Colours
are Okabe-Ito; every series is also told apart by a shape, a dash or a label, and the
area's comparison is said in words. The comparator set a user builds lives only in their
session (``st.session_state["bench.comparators"]``); shared caches see it only as a
tuple of public LA codes in a key.
"""

from __future__ import annotations

import io
import json
from datetime import date
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

import indicators
from analysis import benchmark as bm
from analysis import benchmark_frames as bf
from analysis import neighbours as nb
from analysis.trend import CANNOT, TrendResult
from ui import visual
from ui.data import area_names, current_las, national_table
from ui.format import escape_for_spreadsheet
from ui.visual import AREA_COLOUR, ENGLAND_COLOUR, NEIGHBOUR_COLOUR, REGION_COLOUR

CHOSEN = "bench.comparators"  # {"name", "codes", "area"}: the user's own set
COMPUTED = "Computed nearest neighbours"
DEFAULT_INDICATOR = "ehc_20wk_pct"
DEFAULT_VARIABLES = ("ehc_plans_rate", "sen_support_pct", "sen_ehc_pct", "ehc_special_pct")
LENS_WORDS = {"": "All lenses", "profile": "Local need", "governance": "Governance and assurance",
              "outcomes": "Outcomes"}  # fmt: skip
MODEL_WORDS = {"2025": "May 2025", "2021": "April 2021"}
COMPARATOR_GREY = "#8C8C8C"  # 3.4:1 on white
INK = "#0B0C0C"
ROLE_STYLE = {  # role: (legend label, colour)
    bf.AREA: ("This area", AREA_COLOUR),
    bf.COMPARATOR: ("Comparator council", COMPARATOR_GREY),
    bf.AVERAGE: ("Comparators' average", NEIGHBOUR_COLOUR),
    bf.REGION: ("Region", REGION_COLOUR),
    bf.ENGLAND: ("England", ENGLAND_COLOUR),
}
MARKER_STYLE = {  # spine marker words: (colour, shape); every marker has a dark outline
    bf.MARKERS["better"]: ("#0072B2", "triangle-up"),
    bf.MARKERS["similar"]: ("#E69F00", "circle"),
    bf.MARKERS["worse"]: ("#D55E00", "triangle-down"),
    bf.MARKERS["higher"]: ("#595959", "triangle-right"),
    bf.MARKERS["lower"]: ("#D9D9D9", "triangle-left"),
    bf.MARKERS["not compared"]: ("#FFFFFF", "diamond"),
}
AXIS_TITLES = {"%": "Per cent", "count": "Number", "rate per 10,000": "Rate per 10,000",
               "score": "Score", "£": "Pounds (£)"}  # fmt: skip


# --- Cached computations (small keys; the national table is read inside) -------------------


@st.cache_data(max_entries=64, show_spinner=False)
def indicator_choices(area: str, lens: str) -> list[str]:
    return bf.indicators_with_data(national_table(), area, lens or None)


@st.cache_data(max_entries=128, show_spinner=False)
def periods(indicator_id: str, area: str) -> list[str]:
    return bf.area_periods(national_table(), indicator_id, area)


@st.cache_data(max_entries=64, show_spinner=False)
def comparator_sets(area: str, version: str, custom: tuple[str, tuple[str, ...]] | None) -> dict[str, list[str]]:
    sets = nb.comparator_sets(area, version, dict([custom]) if custom else None)
    del sets[nb.sn_label("2021" if version == "2025" else "2025")]
    return sets


@st.cache_data(max_entries=256, show_spinner=False)
def comparison(indicator_id: str, area: str, period: str, codes: tuple[str, ...], label: str) -> bm.ComparisonResult:
    return bm.compare(national_table(), indicator_id, area, period, codes, label)


@st.cache_data(max_entries=128, show_spinner=False)
def trend_result(indicator_id: str, area: str) -> TrendResult:
    return bm.trend(national_table(), indicator_id, area)


@st.cache_data(max_entries=32, show_spinner="Comparing every indicator…")
def summary(area: str, codes: tuple[str, ...]) -> pd.DataFrame:
    return bm.area_summary(national_table(), area, codes)


@st.cache_data(max_entries=32, show_spinner=False)
def spine(area: str, codes: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = bf.spine_frame(national_table(), summary(area, codes))
    return frame, dict(frame.attrs["left_out"])


@st.cache_data(max_entries=64, show_spinner=False)
def compare_rows(indicator_id: str, area: str, period: str, codes: tuple[str, ...], label: str) -> pd.DataFrame:
    result = comparison(indicator_id, area, period, codes, label)
    return bf.compare_frame(national_table(), result, codes, label, area_names())


@st.cache_data(max_entries=64, show_spinner=False)
def trend_rows(indicator_id: str, area: str, codes: tuple[str, ...], label: str) -> pd.DataFrame:
    return bf.trend_frame(national_table(), indicator_id, area, codes, label, area_names())


@st.cache_data(max_entries=2, show_spinner=False)
def funnel_ids() -> list[str]:
    return bf.funnel_indicators(national_table())


@st.cache_data(max_entries=32, show_spinner=False)
def funnel(indicator_id: str, period: str, area: str, codes: tuple[str, ...]):
    return bf.funnel_frame(national_table(), indicator_id, period, area, codes, area_names())


@st.cache_data(max_entries=32, show_spinner="Finding the nearest councils…")
def nearest(area: str, weights: tuple[tuple[str, float], ...], k: int):
    result = nb.nearest_neighbours(national_table(), dict(weights), area=area, k=k)
    return result, result.attrs["dropped"], result.attrs["periods"], result.attrs["compared"]


# --- Pickers ---------------------------------------------------------------------------------


def pick_indicator(area: str) -> tuple[str, str]:
    """Lens, indicator (catalogue titles, grouped by topic) and period; returns (id, period)."""
    lens_col, ind_col, period_col = st.columns([1.2, 4, 1.3])
    lens = lens_col.selectbox("Lens", list(LENS_WORDS), format_func=LENS_WORDS.get, key="bench.lens",
                              persist_state="session", help="Narrow the list of indicators.")  # fmt: skip
    choices = indicator_choices(area, lens)
    if not choices:
        choices = indicator_choices(area, "")
    default = choices.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in choices else 0
    ind_id = ind_col.selectbox(
        "Indicator", choices, index=default, key="bench.indicator", persist_state="session",
        format_func=lambda i: f"{indicators.get(i).topic}: {indicators.get(i).title}",
        help="Every indicator in the catalogue with published figures for this area.",
    )  # fmt: skip
    options = periods(ind_id, area)
    period = period_col.selectbox("Period", options, key="bench.period", persist_state="session",
                                  format_func=lambda p: visual.period_words(ind_id, p))  # fmt: skip
    return ind_id, period


def own_set(area: str) -> tuple[str, tuple[str, ...]] | None:
    """The user's own set from this session, if it applies to ``area``."""
    chosen = st.session_state.get(CHOSEN)
    if not chosen or chosen.get("area") not in (None, area):
        return None
    codes = tuple(c for c in chosen["codes"] if c != area)
    return (chosen["name"], codes) if codes else None


def pick_comparators(area: str) -> tuple[str, list[str], str]:
    """DfE model and comparator set; returns (set label, LA codes, DfE model)."""
    set_col, model_col = st.columns([3, 2])
    model = model_col.radio("DfE statistical neighbour model", list(MODEL_WORDS), format_func=MODEL_WORDS.get,
                            key="bench.model", horizontal=True, persist_state="session",
                            help="DfE's May 2025 model is the default; April 2021 is the one before it.")  # fmt: skip
    custom = own_set(area)
    sets = comparator_sets(area, model, custom)
    options = list(sets)
    if "bench.set" not in st.session_state and custom:
        st.session_state["bench.set"] = custom[0]
    label = set_col.selectbox("Compare with", options, key="bench.set", persist_state="session",
                              help="Statistical neighbours are the ten councils DfE judges most like "
                              "this one. 'Choose comparators' below builds your own set.")  # fmt: skip
    codes = sets[label]
    names = area_names()
    if not codes:
        st.warning(f"This set has no councils for {names[area]}; choose another set.")
    elif len(codes) <= 20:
        st.caption(f"Comparing with {len(codes)} councils: " + ", ".join(names[c] for c in codes) + ".")
    else:
        st.caption(f"Comparing with {len(codes)} councils.")
    return label, codes, model


# --- The verdict at the top ------------------------------------------------------------------


def verdict(result: bm.ComparisonResult, label: str, latest: bool) -> None:
    """The plain-English sentence, then value, average, England, rank and quartile band."""
    ind = indicators.get(result.indicator)
    names = area_names()
    trend = trend_result(result.indicator, result.area) if latest else None
    st.info(bm.sentence(result, trend, ind, names[result.area]))
    fmt = bm.format_value
    ends = ("best", "worst") if ind.polarity != "none" else ("highest", "lowest")
    band = {"A": f"A ({ends[0]})", "B": "B", "C": "C", "D": f"D ({ends[1]})"}.get(result.quartile or "", "none")
    own = names[result.area] if len(names[result.area]) <= 18 else "This area"
    average = "Neighbours' average" if label.lower().startswith("statistical") else "Comparators' average"
    tiles = [
        (own, fmt(result.value, ind.unit), f"{names[result.area]}, {visual.period_words(ind.id, result.period)}."),
        (average, fmt(result.neighbours.value, ind.unit),
         f"{label}. Pooled: the comparators' own rate, from their counts." if result.neighbour_benchmark == "pooled"
         else f"{label}. The mean of the comparators' values, as DfE's LAIT shows it."),
        ("England", fmt(result.england.value, ind.unit), None),
        (f"Rank of {result.ranked}" if result.ranked else "Rank", (result.rank_text.split(" of ")[0]),
         "Among all councils with a value; 1st is best." if ind.polarity != "none"
         else "Among all councils with a value; 1st is the highest, which is not better or worse."),
        ("Quartile band", band, "The quarter of all councils this one is in (A to D), as in DfE's LAIT."),
    ]  # fmt: skip
    for col, (name, value, help_text) in zip(st.columns(5), tiles):
        col.metric(name, value, help=help_text)


# --- Compare areas ---------------------------------------------------------------------------


def _label_weight(label: str) -> dict:
    return {"condition": {"test": f"datum.value === {json.dumps(label)}", "value": "bold"}, "value": "normal"}


def compare_view(indicator_id: str, area: str, period: str, codes: list[str], label: str) -> None:
    ind = indicators.get(indicator_id)
    frame = compare_rows(indicator_id, area, period, tuple(codes), label)
    result = comparison(indicator_id, area, period, tuple(codes), label)
    names = area_names()
    data = frame[frame["value"].notna()]
    if ind.unit == "count":  # England's and the region's totals would dwarf every council
        data = data[~data["role"].isin([bf.REGION, bf.ENGLAND])]
    data = data.assign(role_label=data["role"].map(lambda r: ROLE_STYLE[r][0]))
    order = data["label"].tolist()
    area_label = frame.loc[frame["role"] == bf.AREA, "label"].iloc[0]
    roles = [r for r in ROLE_STYLE if r in set(data["role"])]
    x_title = AXIS_TITLES.get(ind.unit, ind.unit)
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=340, labelFontSize=12, labelFontWeight=_label_weight(area_label)))  # fmt: skip
    bars = alt.Chart(data).mark_bar(stroke=INK, strokeWidth=0.5).encode(
        y=y, x=alt.X("value:Q", title=x_title),
        color=alt.Color("role_label:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=360),
                        scale=alt.Scale(domain=[ROLE_STYLE[r][0] for r in roles],
                                        range=[ROLE_STYLE[r][1] for r in roles])),
        tooltip=[alt.Tooltip("label:N", title="Area"), alt.Tooltip("value:Q", title=x_title, format=",.2f"),
                 alt.Tooltip("ci_lower:Q", title="95% CI lower", format=",.2f"),
                 alt.Tooltip("ci_upper:Q", title="95% CI upper", format=",.2f")],
    )  # fmt: skip
    whiskers = alt.Chart(data[data["ci_lower"].notna()]).mark_errorbar(ticks=True, color=INK).encode(
        y=y, x=alt.X("ci_lower:Q", title=x_title), x2="ci_upper:Q")
    chart = (bars + whiskers).properties(height=alt.Step(22))
    table = frame.drop(columns=["label", "role"]).rename(columns={
        "name": "Area", "area_code": "Code", "value": "Value", "ci_lower": "95% CI lower",
        "ci_upper": "95% CI upper", "numerator": "Numerator", "denominator": "Denominator",
        "vs_england": "Compared with England", "status": "Status"})  # fmt: skip
    if ind.unit == "count":
        how = f"Black whiskers are 95% confidence intervals (Byar), but {bm.COUNT_NOT_TESTED}."
    elif result.ci95 is not None:
        how = (f"Black whiskers are 95% confidence intervals ({result.ci_method}); a council is better or "
               "worse than England when its interval does not include England's value.")  # fmt: skip
    else:
        how = (f"Rank, quartile band and the average still apply, but {names[area]} cannot be tested for "
               f"significance: {result.reason}.")  # fmt: skip
    missing = [names.get(c, c) for c in result.neighbours_missing]
    gone = f" No value in this period for {', '.join(missing)}." if missing else ""
    counts = " England and the region are in the table, not the chart: their totals dwarf a council's." \
        if ind.unit == "count" else ""  # fmt: skip
    note = (f"{names[area]} (bold, blue) beside its comparators, their average, its region and England, "
            f"highest first. {how}{counts}{gone}")  # fmt: skip
    title = f"{ind.title}: {names[area]} and its comparators, {visual.period_words(indicator_id, period)}"
    visual.show("bench.compare", title, chart, table, [indicator_id], area, note)


# --- Trend -----------------------------------------------------------------------------------


def trend_view(indicator_id: str, area: str, codes: list[str], label: str) -> None:
    ind = indicators.get(indicator_id)
    frame = trend_rows(indicator_id, area, tuple(codes), label)
    names = area_names()
    verdict_ = trend_result(indicator_id, area)
    data = frame if ind.unit != "count" else frame[frame["role"].isin([bf.AREA, bf.AVERAGE])]
    series = data.drop_duplicates("role").set_index("role")["series"]
    roles = [r for r in (bf.AREA, bf.AVERAGE, bf.REGION, bf.ENGLAND) if r in series.index]
    domain = [series[r] for r in roles]
    colours = [ROLE_STYLE[r][1] for r in roles]
    dashes = {bf.AREA: [1, 0], bf.AVERAGE: [8, 4], bf.REGION: [2, 2], bf.ENGLAND: [12, 3, 2, 3]}
    shapes = {bf.AREA: "circle", bf.AVERAGE: "square", bf.REGION: "triangle-up", bf.ENGLAND: "diamond"}
    y_title = AXIS_TITLES.get(ind.unit, ind.unit)
    colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=360),
                       scale=alt.Scale(domain=domain, range=colours))  # fmt: skip
    x = alt.X("period:O", title=None, sort=data["period"].drop_duplicates().tolist(), axis=alt.Axis(labelAngle=0))
    base = alt.Chart(data).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title), color=colour,
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("period:O", title="Period"),
                 alt.Tooltip("value:Q", title=y_title, format=",.2f")],
    )  # fmt: skip
    lines = base.mark_line(strokeWidth=3).encode(
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=domain, range=[dashes[r] for r in roles])))  # fmt: skip
    points = base.mark_point(size=80, filled=True, stroke=INK, strokeWidth=0.5).encode(
        shape=alt.Shape("series:N", legend=None, scale=alt.Scale(domain=domain, range=[shapes[r] for r in roles])))
    whiskers = alt.Chart(data[data["ci_lower"].notna()]).mark_errorbar(ticks={"size": 12}, color=AREA_COLOUR).encode(
        x=x, y=alt.Y("ci_lower:Q", title=y_title), y2="ci_upper:Q")
    chart = (whiskers + lines + points).properties(height=340)
    table = frame.pivot_table(index="period", columns="series", values="value", aggfunc="first", sort=False)
    named = frame.drop_duplicates("role").set_index("role")["series"]
    table = table[[named[r] for r in (bf.AREA, bf.AVERAGE, bf.REGION, bf.ENGLAND) if r in named.index]]
    members = frame[frame["role"] == bf.AVERAGE].set_index("period")["members"]
    table = table.assign(**{"Comparators with a value": members.reindex(table.index).astype("Int64")})
    table = table.reset_index()
    few = [f"{p} ({int(n)} of {len(codes)})" for p, n in members.items() if n < len(codes) / 2]
    table = table.rename(columns={"period": "Period"})
    method = {"cochran-armitage": "a chi-squared test for trend on the counts",
              "wls": "a weighted regression on the counts", "ols": "a regression on the values"}.get(
        verdict_.method, "")  # fmt: skip
    how = f" (OHID's method on the latest five points, {method}, at 99.8%)" if method else ""
    counts = " For a count only the area and the comparators' average are charted." if ind.unit == "count" else ""
    if verdict_.verdict == CANNOT:
        how = f" (the test needs five years with a value; there are {verdict_.points_used})"
    thin = f" The average rests on fewer than half the comparators in {', '.join(few)}." if few else ""
    note = (f"Recent trend for {names[area]}: {verdict_.verdict}{how}. The blue whiskers are the area's 95% "
            f"confidence intervals where counts allow.{counts}{thin}")  # fmt: skip
    title = f"{ind.title}: {names[area]} against its comparators' average, region and England over time"
    visual.show("bench.trend", title, chart, table, [indicator_id], area, note)


# --- Area summary and spine chart ------------------------------------------------------------


def summary_sentence(frame: pd.DataFrame, area_name: str) -> str:
    judged = frame["vs_england"].value_counts()
    tested = int(judged.drop(labels=["not compared"], errors="ignore").sum())
    parts = [f"{int(judged.get(w, 0))} {w}" for w in ("better", "similar", "worse") if judged.get(w, 0)]
    neutral = int(judged.get("higher", 0) + judged.get("lower", 0))
    text = f"{len(frame)} indicators have figures for {area_name}. Against England, "
    text += (", ".join(parts) or "none judged") + " (significant at 95%)"
    if neutral:
        text += f"; {neutral} differ where neither higher nor lower is better"
    return text + f"; {len(frame) - tested} could not be tested, each with the reason given."


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook, text that could run as a formula escaped (openpyxl writes "=..." as one)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            escape_for_spreadsheet(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def summary_view(area: str, codes: list[str], label: str) -> None:
    names = area_names()
    full = summary(area, tuple(codes))
    st.subheader(f"Every indicator for {names[area]} beside its comparators, region and England")
    lens_col, sort_col = st.columns(2)
    lens = lens_col.selectbox("Lens", list(LENS_WORDS), format_func=LENS_WORDS.get, key="bench.summary.lens")
    by = sort_col.selectbox("Sort by", bf.SORTS, key="bench.summary.sort")
    frame = full if not lens else full[full["lens"] == lens]
    frame = bf.sort_summary(frame, by)
    st.caption(summary_sentence(frame, names[area]) + " Rank 1st is best; where neither higher nor lower "
               "is better, 1st is the highest and band A the highest quarter.")  # fmt: skip
    table = bf.summary_table(frame)
    st.dataframe(table, hide_index=True, width="stretch", key="bench.summary.table")
    members = pd.DataFrame({"Code": codes, "Comparator": [names.get(c, c) for c in codes]})
    about = pd.DataFrame({"Item": ["Area", "Comparator set", "Made", "Sources"],
                          "Detail": [f"{names[area]} ({area})", label, date.today().isoformat(),
                                     "DfE, ONS and Ministry of Justice; Open Government Licence v3.0"]})  # fmt: skip
    csv_col, xlsx_col, _ = st.columns([1, 1, 3])
    stem = f"send_lens_benchmark_{area}"
    csv_col.download_button("Download CSV", escape_for_spreadsheet(table).to_csv(index=False).encode("utf-8"),
                            file_name=f"{stem}.csv", mime="text/csv", key="bench.summary.csv")  # fmt: skip
    xlsx_col.download_button(
        "Download XLSX", partial(xlsx_bytes, {"Summary": table, "Comparators": members, "About": about}),
        file_name=f"{stem}.xlsx", key="bench.summary.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    spine_view(area, codes, frame)


def spine_view(area: str, codes: list[str], shown: pd.DataFrame) -> None:
    names = area_names()
    frame, left_out = spine(area, tuple(codes))
    frame = frame.set_index("indicator").reindex([i for i in shown["indicator"] if i in set(frame["indicator"])])
    frame = frame.reset_index()
    markers = [m for m in MARKER_STYLE if m in set(frame["marker"])]
    y = alt.Y("title:N", sort=frame["title"].tolist(), title=None, axis=alt.Axis(labelLimit=440, labelFontSize=12))
    x_axis = alt.Axis(values=[0, 0.5, 1], title=None, grid=False,
                      labelExpr="datum.value == 0 ? 'Worse (or lower)' : datum.value == 1 ? "
                                "'Better (or higher)' : 'England'")  # fmt: skip
    scale = alt.Scale(domain=[0, 1], nice=False)
    base = alt.Chart(frame).encode(y=y)
    tooltip = [alt.Tooltip("title:N", title="Indicator"), alt.Tooltip("period:N", title="Period"),
               alt.Tooltip("value:Q", title=names[area], format=",.2f"),
               alt.Tooltip("england:Q", title="England", format=",.2f"),
               alt.Tooltip("neighbour_average:Q", title="Comparators' average", format=",.2f"),
               alt.Tooltip("minimum:Q", title="Lowest council", format=",.2f"),
               alt.Tooltip("q25:Q", title="25th percentile", format=",.2f"),
               alt.Tooltip("q75:Q", title="75th percentile", format=",.2f"),
               alt.Tooltip("maximum:Q", title="Highest council", format=",.2f"),
               alt.Tooltip("marker:N", title="Compared with England")]  # fmt: skip
    full_range = base.mark_bar(height=14, color="#D9D9D9", stroke="#767676", strokeWidth=0.5).encode(
        x=alt.X("x_minimum:Q", scale=scale, axis=x_axis), x2="x_maximum:Q", tooltip=tooltip)
    middle = base.mark_bar(height=14, color=COMPARATOR_GREY).encode(x="x_q25:Q", x2="x_q75:Q", tooltip=tooltip)
    england = alt.Chart(pd.DataFrame({"x": [0.5]})).mark_rule(color=ENGLAND_COLOUR, strokeWidth=2).encode(x="x:Q")
    average = base.mark_tick(color=NEIGHBOUR_COLOUR, thickness=3, size=18).encode(x="x_neighbours:Q", tooltip=tooltip)
    marker = base.mark_point(filled=True, size=150, stroke=INK, strokeWidth=1, opacity=1).encode(
        x="x_value:Q", tooltip=tooltip,
        color=alt.Color("marker:N", title=f"{names[area]} compared with England",
                        scale=alt.Scale(domain=markers, range=[MARKER_STYLE[m][0] for m in markers]),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=200, titleLimit=520,
                                          symbolSize=160, symbolStrokeWidth=0.5)),
        shape=alt.Shape("marker:N", scale=alt.Scale(domain=markers, range=[MARKER_STYLE[m][1] for m in markers])),
    )  # fmt: skip
    chart = (full_range + middle + england + average + marker).properties(height=alt.Step(28))
    table = frame[["title", "period", "value", "england", "neighbour_average", "minimum", "q25", "q75",
                   "maximum", "marker"]].rename(columns={
        "title": "Indicator", "period": "Period", "value": names[area], "england": "England",
        "neighbour_average": "Comparators' average", "minimum": "Lowest council", "q25": "25th percentile",
        "q75": "75th percentile", "maximum": "Highest council", "marker": "Compared with England"})  # fmt: skip
    gone = [indicators.get(i).title for i in shown["indicator"] if i in left_out]
    note = ("England is the black line in the middle; the light bar runs from the lowest council to the "
            "highest, the dark bar from the 25th to the 75th percentile, the green tick is the comparators' "
            f"average and the marker is {names[area]}, its shape and legend saying how it compares with "
            "England. Better is to the right; where neither is better, higher is to the right. Each row has "
            "its own scale.")  # fmt: skip
    if gone:
        note += f" Not shown: {', '.join(gone)} (counts, whose England total is not on a council's scale)."
    title = f"Spine chart: {names[area]} against the range of councils, with England at the centre"
    visual.show("bench.spine", title, chart if not frame.empty else None, table, frame["indicator"].tolist(),
                area, note)  # fmt: skip


# --- Funnel plot -----------------------------------------------------------------------------


def funnel_view(indicator_id: str, area: str, period: str, codes: list[str]) -> None:
    ind = indicators.get(indicator_id)
    names = area_names()
    when = visual.period_words(indicator_id, period)
    title = f"{ind.title}: every council by its size, {when}, with funnel limits around England"
    if indicator_id not in funnel_ids():
        available = ", ".join(indicators.get(i).title for i in funnel_ids())
        st.subheader(title)
        st.info(f"A funnel plot needs each council's numerator and denominator, and {ind.title.lower()} is "
                f"published without them ({bm.COUNT_NOT_TESTED if ind.unit == 'count' else bm.NO_COUNTS}). "
                f"Choose one of these indicators above for a funnel plot: {available}.")  # fmt: skip
        return
    points, limits, england = funnel(indicator_id, period, area, tuple(codes))
    if points.empty:
        st.subheader(title)
        st.info(f"No council numerators and denominators are published for {when}; choose another period.")
        return
    y_title = AXIS_TITLES.get(ind.unit, ind.unit)
    x_title = (ind.denominator or "Denominator")[:1].upper() + (ind.denominator or "Denominator")[1:]
    long = limits.melt(id_vars="denominator", var_name="limit", value_name="value")
    long["line"] = long["limit"].map(lambda s: "99.8% limits" if s.endswith("99_8") else "95% limits")
    long["side"] = long["limit"].str.split("_").str[0]
    lines = alt.Chart(long).mark_line(color="#595959", strokeWidth=1.5).encode(
        x=alt.X("denominator:Q", title=x_title), y=alt.Y("value:Q", title=y_title), detail="side:N",
        strokeDash=alt.StrokeDash("line:N", title=None, legend=alt.Legend(
                                      orient="bottom", symbolType="stroke", symbolStrokeColor="#595959",
                                      symbolStrokeWidth=2, symbolSize=400),
                                  scale=alt.Scale(domain=["95% limits", "99.8% limits"],
                                                  range=[[6, 4], [1, 0]])))  # fmt: skip
    centre = alt.Chart(pd.DataFrame({"value": [england]})).mark_rule(color=ENGLAND_COLOUR, strokeWidth=2)
    centre = centre.encode(y="value:Q")
    styled = points.assign(who=points["role"].map({bf.AREA: names[area], bf.COMPARATOR: "Comparator council",
                                                   "other": "Other council"}))  # fmt: skip
    # Drawn in data order: other councils first, the area last, on top.
    styled = styled.sort_values("role", key=lambda s: s.map({"other": 0, bf.COMPARATOR: 1, bf.AREA: 2}))
    who = [names[area], "Comparator council", "Other council"]
    dots = alt.Chart(styled).mark_point(filled=True, stroke=INK, strokeWidth=0.5, opacity=0.9).encode(
        x="denominator:Q", y="value:Q",
        color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=360),
                        scale=alt.Scale(domain=who, range=[AREA_COLOUR, NEIGHBOUR_COLOUR, "#D9D9D9"])),
        shape=alt.Shape("who:N", scale=alt.Scale(domain=who, range=["diamond", "square", "circle"])),
        size=alt.Size("who:N", legend=None, scale=alt.Scale(domain=who, range=[260, 90, 40])),
        tooltip=[alt.Tooltip("name:N", title="Council"), alt.Tooltip("value:Q", title=y_title, format=",.2f"),
                 alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
                 alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
                 alt.Tooltip("position:N", title="Position"),
                 alt.Tooltip("vs_england:N", title="Compared with England")],
    )  # fmt: skip
    chart = (lines + centre + dots).properties(height=420)
    own = points[points["role"] == bf.AREA]
    outside = points["position"].value_counts()
    where = (f"{names[area]} is {own['position'].iloc[0]} ({own['vs_england'].iloc[0]} than England)"
             if not own.empty else f"{names[area]} has no counts for {when}")  # fmt: skip
    where = where.replace("(similar than", "(similar to")
    note = (f"Each dot is a council: its value against its {x_title.lower()}. The black line is England "
            f"({bm.format_value(england, ind.unit)}); the dashed and solid curves are the 95% and 99.8% limits. "
            f"{where}. Of {len(points)} councils, {int(outside.get(bf.OUTSIDE_998, 0))} are outside the 99.8% "
            f"limits and {int(outside.get(bf.OUTSIDE_95, 0))} more outside the 95% limits. The limits use "
            "OHID's funnel method (each limit is where a council's own confidence interval just reaches "
            "England's value), so a council outside the 95% limits is exactly one the significance test on "
            "this page calls better or worse than England.")  # fmt: skip
    table = points.drop(columns=["role"]).rename(columns={
        "area_code": "Code", "name": "Council", "value": "Value", "numerator": "Numerator",
        "denominator": "Denominator", "ci_lower": "95% CI lower", "ci_upper": "95% CI upper",
        "vs_england": "Compared with England", "position": "Position in the funnel"})  # fmt: skip
    visual.show("bench.funnel", title, chart, table, [indicator_id], area, note)


# --- Choose comparators ----------------------------------------------------------------------


def _use(name: str, codes: list[str], area: str | None) -> None:
    st.session_state[CHOSEN] = {"name": name, "codes": list(codes), "area": area}
    st.session_state["bench.set"] = name


def _forget(default: str) -> None:
    st.session_state.pop(CHOSEN, None)
    st.session_state["bench.set"] = default


def choose_view(area: str, model: str) -> None:
    names = area_names()
    las = current_las()
    regions = dict(zip(las["la_code"], las["region_name"]))
    st.subheader(f"DfE's statistical neighbours for {names[area]} ({MODEL_WORDS[model]} model)")
    st.caption("DfE's ten councils most like this one on socio-economic characteristics, closest first. "
               "Closeness runs from 'Extremely close' through 'Very close', 'Close' and 'Somewhat close' to "
               "'Not close'. Switch model with the 'DfE statistical neighbour model' choice above.")  # fmt: skip
    dfe = nb.neighbour_table(area, model)[["rank", "name", "closeness", "region", "note", "area_code"]].rename(
        columns={"rank": "Rank", "area_code": "Code", "name": "Local authority", "region": "Region",
                 "closeness": "Closeness", "note": "Note"})  # fmt: skip
    st.dataframe(dfe, hide_index=True, width="stretch", key="bench.dfe.table")

    chosen = st.session_state.get(CHOSEN)
    if chosen:
        applies = chosen.get("area") in (None, area)
        st.success(f"Your set '{chosen['name']}' ({len(chosen['codes'])} councils) is "
                   + ("available under 'Compare with' above." if applies
                      else f"kept for {names.get(chosen['area'], chosen['area'])} only."))  # fmt: skip
        st.button("Stop using my set", key="bench.forget", on_click=_forget, args=(nb.sn_label(model),))

    st.subheader("Your own set of councils")
    st.caption("For example a regional benchmarking group. It is kept while you use SEND Lens in this "
               "browser tab, for any area you choose, and is not shared with anyone.")  # fmt: skip
    others = [c for c in las["la_code"] if c != area]
    kept = [c for c in (chosen or {}).get("codes", []) if c in others and (chosen or {}).get("area") is None]
    picked = st.multiselect("Councils", others, default=kept, format_func=lambda c: f"{names[c]} ({regions[c]})",
                            key="bench.custom.members")  # fmt: skip
    name = st.text_input("Name of the set", value="My benchmarking group", key="bench.custom.name", max_chars=60)
    name = name.strip() or "My benchmarking group"
    if name in (nb.SAME_REGION, nb.REGION, nb.ENGLAND_SET, COMPUTED) or name.startswith("Statistical neighbours"):
        name += " (own set)"
    st.button("Use these as comparators", key="bench.custom.use", on_click=_use, args=(name, picked, None),
              disabled=not picked, type="primary")  # fmt: skip

    nearest_view(area, model, names, regions)


def nearest_view(area: str, model: str, names: dict[str, str], regions: dict[str, str]) -> None:
    st.subheader("Nearest neighbours computed from the indicators you choose")
    st.caption("Each indicator is standardised across councils (z-scores) and weighted as you set; the "
               "councils nearest in weighted distance come first. A distance of 0 would be identical.")  # fmt: skip
    options = [i for i in indicator_choices(area, "") if indicators.get(i).unit != "count"]
    defaults = [i for i in DEFAULT_VARIABLES if i in options]
    variables = st.multiselect("Indicators to measure closeness by", options, default=defaults,
                               format_func=lambda i: indicators.get(i).title, key="bench.nn.variables")  # fmt: skip
    if not variables:
        st.info("Choose at least one indicator.")
        return
    weights = {}
    columns = st.columns(min(3, len(variables)))
    for i, ind_id in enumerate(variables):
        weights[ind_id] = columns[i % len(columns)].slider(
            f"Weight: {indicators.get(ind_id).title}", 0.0, 5.0, 1.0, 0.5, key=f"bench.nn.weight.{ind_id}")
    k = st.slider("How many neighbours", 3, 20, 10, key="bench.nn.k")
    try:
        result, dropped, used, compared = nearest(area, tuple(sorted(weights.items())), k)
    except ValueError as error:
        st.warning(f"These indicators cannot place {names[area]}: {error}.")
        return
    table = bf.nearest_table(result, names, regions, nb.statistical_neighbours(area, model))
    st.dataframe(table, hide_index=True, width="stretch", key="bench.nn.table")
    periods_used = "; ".join(f"{indicators.get(i).title}: {visual.period_words(i, p)}" for i, p in used.items())
    st.caption(f"Compared across {compared} councils with every chosen indicator ({periods_used}). "
               f"{len(dropped)} councils lack one of them and were left out.")  # fmt: skip
    st.button("Use these as comparators", key="bench.nn.use", on_click=_use, type="primary",
              args=(COMPUTED, result["area_code"].tolist(), area))  # fmt: skip
