"""The Benchmarking page's charts: compare areas, trend, spine chart and funnel plot.

Every chart goes through ``ui.visual.show`` (title, chart/table toggle, about, CSV). Colours
are Okabe-Ito; every series is also told apart by a shape, a dash or a label, and the
area's comparison is said in words.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

import indicators
from analysis import benchmark as bm
from analysis import benchmark_frames as bf
from analysis.disclosure import hidden_words, protect_published
from analysis.trend import CANNOT
from reports import series_breaks
from ui import glossed, visual, workshop
from ui.comparison.data import (
    compare_rows,
    comparison,
    funnel,
    funnel_ids,
    spine,
    trend_result,
    trend_rows,
)
from ui.data import area_names
from ui.visual import AREA_COLOUR, ENGLAND_COLOUR, NEIGHBOUR_COLOUR, REGION_COLOUR

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
AXIS_TITLES = {
    "%": "Per cent",
    "count": "Number",
    "rate per 10,000": "Rate per 10,000",
    "score": "Score",
    "£": "Pounds (£)",
}


# --- Compare areas ---------------------------------------------------------------------------


def _label_weight(label: str) -> dict:
    return {
        "condition": {"test": f"datum.value === {json.dumps(label)}", "value": "bold"},
        "value": "normal",
    }


def compare_view(indicator_id: str, area: str, period: str, codes: list[str], label: str) -> None:
    ind = indicators.get(indicator_id)
    frame = compare_rows(indicator_id, area, period, tuple(codes), label)
    if workshop.active():  # the strictest rule, in a room with parents (after the shared cache)
        frame = protect_published(frame, ind.unit)
    result = comparison(indicator_id, area, period, tuple(codes), label)
    names = area_names()
    data = frame[frame["value"].notna()]
    if ind.unit == "count":  # England's and the region's totals would dwarf every council
        data = data[~data["role"].isin([bf.REGION, bf.ENGLAND])]
    data = data.assign(role_label=data["role"].map(lambda r: ROLE_STYLE[r][0]))
    few = data["few"].astype(bool)
    # An average of few comparators is drawn hollow with its words written in it.
    data["words"] = [
        bm.few_words(int(n), int(k)) if f else ""
        for n, k, f in zip(data["members"], data["set_size"], few)
    ]
    order = data["label"].tolist()
    area_label = frame.loc[frame["role"] == bf.AREA, "label"].iloc[0]
    roles = [r for r in ROLE_STYLE if r in set(data["role"])]
    x_title = AXIS_TITLES.get(ind.unit, ind.unit)

    def chart() -> alt.LayerChart:
        y = alt.Y(
            "label:N",
            sort=order,
            title=None,
            axis=alt.Axis(
                labelLimit=340, labelFontSize=12, labelFontWeight=_label_weight(area_label)
            ),
        )
        bars = (
            alt.Chart(data)
            .mark_bar(stroke=INK, strokeWidth=0.5)
            .transform_filter(~alt.datum.few)
            .encode(
                y=y,
                x=alt.X("value:Q", title=x_title),
                color=alt.Color(
                    "role_label:N",
                    title=None,
                    legend=alt.Legend(orient="bottom", labelLimit=360),
                    scale=alt.Scale(
                        domain=[ROLE_STYLE[r][0] for r in roles],
                        range=[ROLE_STYLE[r][1] for r in roles],
                    ),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Area"),
                    alt.Tooltip("value:Q", title=x_title, format=",.2f"),
                    alt.Tooltip("ci_lower:Q", title="95% CI lower", format=",.2f"),
                    alt.Tooltip("ci_upper:Q", title="95% CI upper", format=",.2f"),
                ],
            )
        )
        whiskers = (
            alt.Chart(data[data["ci_lower"].notna()])
            .mark_errorbar(ticks=True, color=INK)
            .encode(y=y, x=alt.X("ci_lower:Q", title=x_title), x2="ci_upper:Q")
        )
        hollow = alt.Chart(data[few]).encode(y=y)
        hollow = hollow.mark_bar(
            fill="white", stroke=NEIGHBOUR_COLOUR, strokeWidth=2.5, strokeDash=[5, 3]
        ).encode(
            x=alt.X("value:Q", title=x_title), tooltip=bars.encoding.tooltip
        ) + hollow.mark_text(align="left", dx=6, color=INK, fontSize=12).encode(
            x=alt.datum(0), text="words:N"
        )
        chart = alt.layer(bars, *([hollow] if few.any() else []), whiskers)
        return chart.properties(height=alt.Step(22))

    table = frame.assign(**{"Average rests on": average_basis(frame)})
    table = table.drop(columns=["label", "role", "members", "set_size", "few"]).rename(
        columns={
            "name": "Area",
            "area_code": "Code",
            "value": "Value",
            "ci_lower": "95% CI lower",
            "ci_upper": "95% CI upper",
            "numerator": "Numerator",
            "denominator": "Denominator",
            "vs_england": "Compared with England",
            "status": "Status",
        }
    )
    if ind.unit == "count":
        how = f"Black whiskers are 95% confidence intervals (Byar), but {bm.COUNT_NOT_TESTED}."
    elif result.ci95 is not None:
        how = (
            f"Black whiskers are 95% confidence intervals ({result.ci_method}); a council is better or "
            "worse than England when its interval does not include England's value."
        )
    else:
        how = (
            f"Rank, quartile band and the average still apply, but {names[area]} cannot be tested for "
            f"significance: {result.reason}."
        )
    missing = [names.get(c, c) for c in result.neighbours_missing]
    gone = f" No value in this period for {', '.join(missing)}." if missing else ""
    hidden = hidden_words(frame)
    gone += f" {hidden}" if hidden else ""
    if few.any():
        gone += f" {FEW_WORDS}"
    counts = (
        " England and the region are in the table, not the chart: their totals dwarf a council's."
        if ind.unit == "count"
        else ""
    )
    note = (
        f"{names[area]} (bold, blue) beside its comparators, their average, its region and England, "
        f"highest first. {how}{counts}{gone}"
    )
    title = f"{ind.title}: {names[area]} and its comparators, {visual.period_words(indicator_id, period)}"
    visual.show(
        "bench.compare",
        title,
        chart,
        table,
        [indicator_id],
        area,
        note,
        public=(indicator_id, area, period, tuple(codes), label),
    )


FEW_WORDS = (
    "A hollow, dashed outline marks a comparators' average resting on half the comparators or "
    "fewer: with so few councils reporting it is a rough guide."
)


def average_basis(frame: pd.DataFrame) -> list[str]:
    """The table's words for what each row's comparators' average rests on: "4 of 10
    comparators (few: a rough guide)" on the average's rows, "" on the rest."""
    return [
        bm.basis_words(int(n), int(k)) if role == bf.AVERAGE and pd.notna(n) else ""
        for role, n, k in zip(frame["role"], frame["members"], frame["set_size"])
    ]


# --- Trend -----------------------------------------------------------------------------------


def trend_view(indicator_id: str, area: str, codes: list[str], label: str) -> None:
    ind = indicators.get(indicator_id)
    frame = trend_rows(indicator_id, area, tuple(codes), label)
    if workshop.active():
        frame = protect_published(frame, ind.unit)
        table, few = trend_table(frame)
    else:
        table, few = _public_trend_table(indicator_id, area, tuple(codes), label)
    names = area_names()
    verdict_ = trend_result(indicator_id, area)
    data = frame if ind.unit != "count" else frame[frame["role"].isin([bf.AREA, bf.AVERAGE])]
    series = data.drop_duplicates("role").set_index("role")["series"]
    roles = [r for r in (bf.AREA, bf.AVERAGE, bf.REGION, bf.ENGLAND) if r in series.index]
    domain = [series[r] for r in roles]
    colours = [ROLE_STYLE[r][1] for r in roles]
    dashes = {bf.AREA: [1, 0], bf.AVERAGE: [8, 4], bf.REGION: [2, 2], bf.ENGLAND: [12, 3, 2, 3]}
    shapes = {
        bf.AREA: "circle",
        bf.AVERAGE: "square",
        bf.REGION: "triangle-up",
        bf.ENGLAND: "diamond",
    }
    y_title = AXIS_TITLES.get(ind.unit, ind.unit)

    def chart() -> alt.LayerChart:
        colour = alt.Color(
            "series:N",
            title=None,
            legend=alt.Legend(orient="bottom", labelLimit=360),
            scale=alt.Scale(domain=domain, range=colours),
        )
        x = alt.X(
            "period:O",
            title=None,
            sort=data["period"].drop_duplicates().tolist(),
            axis=alt.Axis(labelAngle=0),
        )
        base = alt.Chart(data).encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            color=colour,
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("value:Q", title=y_title, format=",.2f"),
            ],
        )
        lines = base.mark_line(strokeWidth=3).encode(
            strokeDash=alt.StrokeDash(
                "series:N",
                legend=None,
                scale=alt.Scale(domain=domain, range=[dashes[r] for r in roles]),
            )
        )
        points = (
            base.mark_point(size=80, filled=True, stroke=INK, strokeWidth=0.5)
            .encode(
                shape=alt.Shape(
                    "series:N",
                    legend=None,
                    scale=alt.Scale(domain=domain, range=[shapes[r] for r in roles]),
                )
            )
            .transform_filter(~alt.datum.few)
        )
        # An average of few comparators: a hollow square with its words beside it, not colour alone.
        thin = data[data["few"].astype(bool)]
        thin = thin.assign(
            words=[bm.few_words(int(n), int(k)) for n, k in zip(thin["members"], thin["set_size"])]
        )
        hollow = alt.Chart(thin).encode(x=x, y=alt.Y("value:Q", title=y_title))
        hollow = hollow.mark_point(
            shape="square", size=120, filled=False, strokeWidth=2.5, color=NEIGHBOUR_COLOUR
        ) + hollow.mark_text(align="left", dx=9, dy=-9, color=INK, fontSize=12).encode(
            text="words:N"
        )
        whiskers = (
            alt.Chart(data[data["ci_lower"].notna()])
            .mark_errorbar(ticks={"size": 12}, color=AREA_COLOUR)
            .encode(x=x, y=alt.Y("ci_lower:Q", title=y_title), y2="ci_upper:Q")
        )
        chart = alt.layer(whiskers, lines, points, *([hollow] if not thin.empty else []))
        return chart.properties(height=340)

    method = {
        "cochran-armitage": "a chi-squared test for trend on the counts",
        "wls": "a weighted regression on the counts",
        "ols": "a regression on the values",
    }.get(verdict_.method, "")
    how = f" (OHID's method on the latest five points, {method}, at 99.8%)" if method else ""
    counts = (
        " For a count only the area and the comparators' average are charted."
        if ind.unit == "count"
        else ""
    )
    if verdict_.verdict == CANNOT:
        since = f" since {bm.series_change(ind, verdict_.since)}" if verdict_.since else ""
        how = f" (the test needs five years with a value{since}; there are {verdict_.points_used})"
    elif verdict_.since:
        how += f"; only the years since {bm.series_change(ind, verdict_.since)} are tested"
    thin = (
        f" The average rests on half the comparators or fewer in {', '.join(few)}: a hollow "
        "square labelled on the chart, and a rough guide."
        if few
        else ""
    )
    crossed = series_breaks.break_sentence(ind, data.loc[data["value"].notna(), "period"])
    note = (
        f"Recent trend for {names[area]}: {verdict_.verdict}{how}. The blue whiskers are the area's 95% "
        f"confidence intervals where counts allow.{counts}{thin}"
    )
    note = " ".join(t for t in (note, crossed, hidden_words(frame)) if t)
    title = (
        f"{ind.title}: {names[area]} against its comparators' average, region and England over time"
    )
    visual.show(
        "bench.trend",
        title,
        chart,
        table,
        [indicator_id],
        area,
        note,
        public=(indicator_id, area, tuple(codes), label),
    )


def trend_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The trend's table (a column per series, the comparators counted each year) and the
    years whose average rests on few comparators, in words ("2023 (3 of 10)")."""
    table = frame.pivot_table(
        index="period", columns="series", values="value", aggfunc="first", sort=False
    )
    named = frame.drop_duplicates("role").set_index("role")["series"]
    table = table[
        [named[r] for r in (bf.AREA, bf.AVERAGE, bf.REGION, bf.ENGLAND) if r in named.index]
    ]
    average = frame[frame["role"] == bf.AVERAGE].set_index("period")
    members = average["members"]
    thin = average[average["few"].astype(bool)]
    table = table.assign(
        **{
            "Comparators with a value": members.reindex(table.index).astype("Int64"),
            "Average on few comparators": [
                ("yes" if thin_ else "no") if period in average.index else ""
                for period, thin_ in zip(
                    table.index, average["few"].reindex(table.index, fill_value=False)
                )
            ],
        }
    )
    table = table.reset_index()
    few = [
        f"{p} ({int(n)} of {int(k)})"
        for p, n, k in zip(thin.index, thin["members"], thin["set_size"])
    ]
    return table.rename(columns={"period": "Period"}), few


# Public data keyed like ``trend_rows``, so shared by every session: the table's pivot and
# reindexing were redone on every run of Governance and Benchmarking (cProfile, 2026-12-03).
@st.cache_data(max_entries=64, show_spinner=False)
def _public_trend_table(
    indicator_id: str, area: str, codes: tuple[str, ...], label: str
) -> tuple[pd.DataFrame, list[str]]:
    return trend_table(trend_rows(indicator_id, area, codes, label))


# --- Spine chart -----------------------------------------------------------------------------


def spine_view(area: str, codes: list[str], shown: pd.DataFrame) -> None:
    names = area_names()
    frame, left_out = spine(area, tuple(codes))
    frame = frame.set_index("indicator").reindex(
        [i for i in shown["indicator"] if i in set(frame["indicator"])]
    )
    frame = frame.reset_index()
    markers = [m for m in MARKER_STYLE if m in set(frame["marker"])]
    y = alt.Y(
        "title:N",
        sort=frame["title"].tolist(),
        title=None,
        axis=alt.Axis(labelLimit=440, labelFontSize=12),
    )
    x_axis = alt.Axis(
        values=[0, 0.5, 1],
        title=None,
        grid=False,
        labelExpr="datum.value == 0 ? 'Worse (or lower)' : datum.value == 1 ? "
        "'Better (or higher)' : 'England'",
    )
    scale = alt.Scale(domain=[0, 1], nice=False)
    base = alt.Chart(frame).encode(y=y)
    tooltip = [
        alt.Tooltip("title:N", title="Indicator"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value:Q", title=names[area], format=",.2f"),
        alt.Tooltip("england:Q", title="England", format=",.2f"),
        alt.Tooltip("neighbour_average:Q", title="Comparators' average", format=",.2f"),
        alt.Tooltip("minimum:Q", title="Lowest council", format=",.2f"),
        alt.Tooltip("q25:Q", title="25th percentile", format=",.2f"),
        alt.Tooltip("q75:Q", title="75th percentile", format=",.2f"),
        alt.Tooltip("maximum:Q", title="Highest council", format=",.2f"),
        alt.Tooltip("marker:N", title="Compared with England"),
    ]
    full_range = base.mark_bar(
        height=14, color="#D9D9D9", stroke="#767676", strokeWidth=0.5
    ).encode(x=alt.X("x_minimum:Q", scale=scale, axis=x_axis), x2="x_maximum:Q", tooltip=tooltip)
    middle = base.mark_bar(height=14, color=COMPARATOR_GREY).encode(
        x="x_q25:Q", x2="x_q75:Q", tooltip=tooltip
    )
    england = (
        alt.Chart(pd.DataFrame({"x": [0.5]}))
        .mark_rule(color=ENGLAND_COLOUR, strokeWidth=2)
        .encode(x="x:Q")
    )
    average = base.mark_tick(color=NEIGHBOUR_COLOUR, thickness=3, size=18).encode(
        x="x_neighbours:Q", tooltip=tooltip
    )
    marker = base.mark_point(filled=True, size=150, stroke=INK, strokeWidth=1, opacity=1).encode(
        x="x_value:Q",
        tooltip=tooltip,
        color=alt.Color(
            "marker:N",
            title=f"{names[area]} compared with England",
            scale=alt.Scale(domain=markers, range=[MARKER_STYLE[m][0] for m in markers]),
            legend=alt.Legend(
                orient="bottom",
                columns=3,
                labelLimit=200,
                titleLimit=520,
                symbolSize=160,
                symbolStrokeWidth=0.5,
            ),
        ),
        shape=alt.Shape(
            "marker:N", scale=alt.Scale(domain=markers, range=[MARKER_STYLE[m][1] for m in markers])
        ),
    )
    chart = (full_range + middle + england + average + marker).properties(height=alt.Step(28))
    table = frame[
        [
            "title",
            "period",
            "value",
            "england",
            "neighbour_average",
            "minimum",
            "q25",
            "q75",
            "maximum",
            "marker",
        ]
    ].rename(
        columns={
            "title": "Indicator",
            "period": "Period",
            "value": names[area],
            "england": "England",
            "neighbour_average": "Comparators' average",
            "minimum": "Lowest council",
            "q25": "25th percentile",
            "q75": "75th percentile",
            "maximum": "Highest council",
            "marker": "Compared with England",
        }
    )
    gone = [indicators.get(i).title for i in shown["indicator"] if i in left_out]
    note = (
        "England is the black line in the middle; the light bar runs from the lowest council to the "
        "highest, the dark bar from the 25th to the 75th percentile, the green tick is the comparators' "
        f"average and the marker is {names[area]}, its shape and legend saying how it compares with "
        "England. Better is to the right; where neither is better, higher is to the right. Each row has "
        "its own scale."
    )
    if gone:
        note += f" Not shown: {', '.join(gone)} (counts, whose England total is not on a council's scale)."
    title = f"Spine chart: {names[area]} against the range of councils, with England at the centre"
    visual.show(
        "bench.spine",
        title,
        chart if not frame.empty else None,
        table,
        frame["indicator"].tolist(),
        area,
        note,
    )


# --- Funnel plot -----------------------------------------------------------------------------


def funnel_view(indicator_id: str, area: str, period: str, codes: list[str]) -> None:
    ind = indicators.get(indicator_id)
    names = area_names()
    when = visual.period_words(indicator_id, period)
    title = f"{ind.title}: every council by its size, {when}, with funnel limits around England"
    if indicator_id not in funnel_ids():
        available = ", ".join(indicators.get(i).title for i in funnel_ids())
        glossed.subheader(title)
        st.info(
            f"A funnel plot needs each council's numerator and denominator, and {ind.title.lower()} is "
            f"published without them ({bm.COUNT_NOT_TESTED if ind.unit == 'count' else bm.NO_COUNTS}). "
            f"Choose one of these indicators above for a funnel plot: {available}."
        )
        return
    points, limits, england = funnel(indicator_id, period, area, tuple(codes))
    if points.empty:
        glossed.subheader(title)
        st.info(
            f"No council numerators and denominators are published for {when}; choose another period."
        )
        return
    y_title = AXIS_TITLES.get(ind.unit, ind.unit)
    x_title = (ind.denominator or "Denominator")[:1].upper() + (ind.denominator or "Denominator")[
        1:
    ]
    long = limits.melt(id_vars="denominator", var_name="limit", value_name="value")
    long["line"] = long["limit"].map(
        lambda s: "99.8% limits" if s.endswith("99_8") else "95% limits"
    )
    long["side"] = long["limit"].str.split("_").str[0]
    lines = (
        alt.Chart(long)
        .mark_line(color="#595959", strokeWidth=1.5)
        .encode(
            x=alt.X("denominator:Q", title=x_title),
            y=alt.Y("value:Q", title=y_title),
            detail="side:N",
            strokeDash=alt.StrokeDash(
                "line:N",
                title=None,
                legend=alt.Legend(
                    orient="bottom",
                    symbolType="stroke",
                    symbolStrokeColor="#595959",
                    symbolStrokeWidth=2,
                    symbolSize=400,
                ),
                scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[6, 4], [1, 0]]),
            ),
        )
    )
    centre = alt.Chart(pd.DataFrame({"value": [england]})).mark_rule(
        color=ENGLAND_COLOUR, strokeWidth=2
    )
    centre = centre.encode(y="value:Q")
    styled = points.assign(
        who=points["role"].map(
            {bf.AREA: names[area], bf.COMPARATOR: "Comparator council", "other": "Other council"}
        )
    )
    # Drawn in data order: other councils first, the area last, on top.
    styled = styled.sort_values(
        "role", key=lambda s: s.map({"other": 0, bf.COMPARATOR: 1, bf.AREA: 2})
    )
    who = [names[area], "Comparator council", "Other council"]
    dots = (
        alt.Chart(styled)
        .mark_point(filled=True, stroke=INK, strokeWidth=0.5, opacity=0.9)
        .encode(
            x="denominator:Q",
            y="value:Q",
            color=alt.Color(
                "who:N",
                title=None,
                legend=alt.Legend(orient="bottom", labelLimit=360),
                scale=alt.Scale(domain=who, range=[AREA_COLOUR, NEIGHBOUR_COLOUR, "#D9D9D9"]),
            ),
            shape=alt.Shape(
                "who:N", scale=alt.Scale(domain=who, range=["diamond", "square", "circle"])
            ),
            size=alt.Size("who:N", legend=None, scale=alt.Scale(domain=who, range=[260, 90, 40])),
            tooltip=[
                alt.Tooltip("name:N", title="Council"),
                alt.Tooltip("value:Q", title=y_title, format=",.2f"),
                alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
                alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
                alt.Tooltip("position:N", title="Position"),
                alt.Tooltip("vs_england:N", title="Compared with England"),
            ],
        )
    )
    chart = (lines + centre + dots).properties(height=420)
    own = points[points["role"] == bf.AREA]
    outside = points["position"].value_counts()
    where = (
        f"{names[area]} is {own['position'].iloc[0]} ({own['vs_england'].iloc[0]} than England)"
        if not own.empty
        else f"{names[area]} has no counts for {when}"
    )
    where = where.replace("(similar than", "(similar to")
    note = (
        f"Each dot is a council: its value against its {x_title.lower()}. The black line is England "
        f"({bm.format_value(england, ind.unit)}); the dashed and solid curves are the 95% and 99.8% limits. "
        f"{where}. Of {len(points)} councils, {int(outside.get(bf.OUTSIDE_998, 0))} are outside the 99.8% "
        f"limits and {int(outside.get(bf.OUTSIDE_95, 0))} more outside the 95% limits. The limits use "
        "OHID's funnel method (each limit is where a council's own confidence interval just reaches "
        "England's value), so a council outside the 95% limits is exactly one the significance test on "
        "this page calls better or worse than England."
    )
    beyond = int(outside.get(bf.OUTSIDE_998, 0)) + int(outside.get(bf.OUTSIDE_95, 0))
    if spread := overdispersion_words(beyond, len(points)):
        note += " " + spread
    table = points.drop(columns=["role"]).rename(
        columns={
            "area_code": "Code",
            "name": "Council",
            "value": "Value",
            "numerator": "Numerator",
            "denominator": "Denominator",
            "ci_lower": "95% CI lower",
            "ci_upper": "95% CI upper",
            "vs_england": "Compared with England",
            "position": "Position in the funnel",
        }
    )
    visual.show("bench.funnel", title, chart, table, [indicator_id], area, note)


def overdispersion_words(outside_95: int, councils: int) -> str:
    """What it means when far more councils sit outside the funnel than chance would put
    there (125 of 153 is common for SEND measures); "" when the count is near chance.

    By chance alone about 1 council in 20 falls outside the 95% limits; more than twice that
    share is taken to be over-dispersion, said in words rather than left for the reader to
    read as 125 problems.
    """
    if councils == 0 or outside_95 <= 2 * 0.05 * councils:
        return ""
    return (
        f"Chance alone would put about {round(0.05 * councils)} of {councils} councils outside "
        f"the 95% limits; {outside_95} are. Councils differ far more than chance explains "
        "(statisticians call this over-dispersion): in who they serve, how they record and "
        "how they decide. So being outside the limits is common here, and is a reason to ask "
        "why rather than a sign of a problem on its own."
    )
