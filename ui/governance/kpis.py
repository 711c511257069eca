"""The Governance and assurance page's local KPI and exception report tabs.

RAG rules live in ``analysis.rag`` (pure, tested by hand); commentary and actions in
``store.actions`` (the store's database). The area's KPI rows, the actions in force
and everything derived from them are kept in this session's state only. A status is always
shown as a word with a shape (✖ Red, ▲ Amber, ✔ Green), never by colour alone. Exports
escape text that a spreadsheet could run as a formula, and the printable page escapes HTML.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import indicators
from analysis import rag
from reports.exception_report import (
    REPORT_CSS,
    england_equivalents,
    exception_html,
    exception_xlsx,
    month_words,
    report_body,
    report_frame,
    shown_value,
    sparkline,
)
from store import actions
from store.access import Action
from tidy import period_sort_key
from ui import glossed, local, visual
from ui.data import area_names, national_table
from ui.examples import EXAMPLE_PREFIX, EXAMPLE_WARNING, switch_button
from ui.plain import md
from ui.tables import show_table

# A filled diagonal cross, like the ✖ that goes with the word Red (Vega's "cross" is a plus sign).
SALTIRE = "M-1,-0.7L-0.3,0L-1,0.7L-0.7,1L0,0.3L0.7,1L1,0.7L0.3,0L1,-0.7L0.7,-1L0,-0.3L-0.7,-1Z"
STATUS_STYLE = {  # status: (colour, shape); Okabe-Ito, with a shape of its own for each
    rag.RED: ("#D55E00", SALTIRE),
    rag.AMBER: ("#E69F00", "triangle-up"),
    rag.GREEN: ("#009E73", "circle"),
    rag.NO_TARGET: ("#BBBBBB", "square"),
    rag.NOT_RATED: ("#BBBBBB", "diamond"),
}
BANDS = "gov.kpi.bands"  # this session's per-KPI tolerances: {kpi id: tolerance}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS = r"\d{4}-\d{2}"
MONTH_LABEL = "utcFormat(toDate(datum.value + '-01'), '%b %Y')"  # "2025-03" -> "Mar 2025"


def period_axis(periods: pd.Series) -> alt.X:
    """Periods in order; months labelled "Mar 2025" (tables keep the canonical "2025-03")."""
    ordered = sorted(periods.astype(str).unique(), key=period_sort_key)
    monthly = bool(ordered) and all(pd.Series(ordered).str.fullmatch(MONTHS))
    axis = alt.Axis(labelAngle=-45, labelExpr=MONTH_LABEL) if monthly else alt.Axis(labelAngle=-45)
    return alt.X("Month:O", title=None, scale=alt.Scale(domain=ordered), axis=axis)


@st.cache_data(max_entries=2, show_spinner=False)
def england_values() -> dict[str, tuple[float | None, str]]:
    """England's latest published value of each KPI's national equivalent (public data)."""
    return england_equivalents(national_table())


def kpi_series(area: str, listed: pd.DataFrame) -> pd.DataFrame:
    key = (local.fingerprint(listed), area)
    return local.session_cached(
        "kpi.series",
        key,
        lambda: rag.kpi_series(local.local_table(area), local.local_kpi_details(), area),
    )


def other_areas(area: str) -> list[str]:
    """LAs other than ``area`` with KPI rows in the loaded returns."""
    rows = local.local_table(area)
    kpis = rows[
        rows["indicator"].astype(str).str.startswith("local:") & (rows["area_level"] == "la")
    ]
    return sorted(set(kpis["area_code"].astype(str)) - {area})


def controls(series: pd.DataFrame) -> tuple[str, float, dict[str, float]]:
    """The month reported and the tolerance: the same widgets on both tabs (one runs at a time)."""
    periods = sorted(series["period"].unique(), key=period_sort_key, reverse=True)
    month_col, band_col = st.columns([2, 3])
    period = month_col.selectbox(
        "Month reported",
        periods,
        key="gov.kpi.period",
        persist_state="session",
        format_func=lambda p: month_words(p),
    )
    tolerance = band_col.number_input(
        "Amber band",
        min_value=0.0,
        max_value=50.0,
        value=rag.DEFAULT_TOLERANCE,
        step=0.5,
        key="gov.kpi.tolerance",
        format="%.1f",
        persist_state="session",
        help="How far a KPI may miss its target and still be Amber: percentage points for "
        "percentages, a per cent of the target for anything else. Beyond it, a KPI is Red.",
    )
    return str(period), float(tolerance), dict(st.session_state.get(BANDS, {}))


def status_frame(
    series: pd.DataFrame, period: str, tolerance: float, bands: dict[str, float], key: tuple
) -> pd.DataFrame:
    settings = (key, period, tolerance, tuple(sorted(bands.items())))
    return local.session_cached(
        "kpi.status",
        settings,
        lambda: rag.kpi_status(
            series, period, indicators.local_kpi_frame(), england_values(), tolerance, bands
        ),
    )


def _example_note(frame: pd.DataFrame, area: str) -> None:
    if frame["source"].astype(str).str.startswith(f"upload:{EXAMPLE_PREFIX}").any():
        st.warning(EXAMPLE_WARNING.format(name=area_names()[area]), icon=":material/science:")


def _no_kpis(area: str) -> None:
    st.info(
        "No local KPI return for this area yet. Upload one on the Data page (template: *Local KPI return*): "
        "a KPI id from the built-in catalogue, the month, the value (or numerator and denominator) and the "
        "target. Or load the example data above."
    )
    for code in other_areas(area)[:3]:
        glossed.caption(f"The loaded KPI returns have figures for {area_names().get(code, code)}.")
        switch_button(code, f"gov.kpi.switch.{code}")


def status_table(status: pd.DataFrame, numbers: bool = False) -> pd.DataFrame:
    """The KPI status as people read it: words and shapes, values with their units (``numbers``:
    values kept as numbers with a ``Unit`` column, for the XLSX; see ``report_frame``)."""
    units = status["unit"]

    def values(col: str) -> list[object]:
        if numbers:
            return [None if pd.isna(v) else float(v) for v in status[col]]
        return [shown_value(v, u) for v, u in zip(status[col], units)]

    baseline: dict[str, object] = (
        {
            "Baseline": values("baseline"),
            "Baseline month": status["baseline_period"].map(month_words),
        }
        if numbers
        else {
            "Baseline": [
                f"{shown_value(v, u)} ({month_words(p)})"
                for v, u, p in zip(status["baseline"], units, status["baseline_period"])
            ]
        }
    )
    return pd.DataFrame(
        {
            "KPI": status["title"],
            "Group": status["group"],
            "Month": status["period"].map(month_words),
            "Latest": values("value"),
            "Target": values("target"),
            "Against target": status["status"].map(rag.labelled),
            "Why": status["reason"],
            "England": values("england"),
            "Against England": np.where(
                status["england_status"] == rag.NOT_RATED,
                "",
                status["england_status"].map(rag.labelled),
            ),
            **baseline,
            "Trend": status["trend"],
            "KPI id": status["kpi"],
            **({"Unit": units} if numbers else {}),
        }
    )


def _prepared(
    area: str, listed: pd.DataFrame
) -> tuple[pd.DataFrame, str, float, dict[str, float], pd.DataFrame] | None:
    """The KPI series, chosen month and RAG status shared by the KPI and exception tabs."""
    series = kpi_series(area, listed)
    if series.empty:
        _no_kpis(area)
        return None
    _example_note(series, area)
    period, tolerance, bands = controls(series)
    status = status_frame(series, period, tolerance, bands, (local.fingerprint(listed), area))
    return series, period, tolerance, bands, status


def kpi_section(area: str, listed: pd.DataFrame) -> None:
    prepared = _prepared(area, listed)
    if prepared is None:
        return
    series, period, tolerance, bands, status = prepared
    count = rag.counts(status)
    said = ", ".join(f"{n} {s}" for s, n in count.items() if n)
    glossed.markdown(
        f"**{len(status)} KPIs** in {month_words(period)}: {said}. Each KPI "
        "is rated on its latest month up to the one chosen, against its target and, where the KPI "
        "mirrors a national percentage, against England's latest published value. A target stays in "
        "force until a later month gives another; the baseline is the KPI's first month in the "
        "return."
    )
    _bands_editor(status)
    table = status_table(status)
    long = pd.concat(
        [
            pd.DataFrame(
                {"KPI": status["title"], "Against": "Against target", "Status": status["status"]}
            ),
            pd.DataFrame(
                {
                    "KPI": status["title"],
                    "Against": "Against England",
                    "Status": status["england_status"],
                }
            ),
        ]
    )
    long = long[long["Status"] != rag.NOT_RATED].assign(
        Label=lambda f: f["Status"].map(rag.labelled)
    )
    base = alt.Chart(long).encode(
        y=alt.Y(
            "KPI:N",
            sort=status["title"].tolist(),
            title=None,
            axis=alt.Axis(labelLimit=420, labelFontSize=13, labelColor="#0B0C0C"),
        ),
        x=alt.X(
            "Against:N",
            sort=["Against target", "Against England"],
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=13, labelColor="#0B0C0C"),
        ),
    )
    marks = base.mark_point(
        filled=True, size=220, stroke="#0B0C0C", strokeWidth=0.5, opacity=1
    ).encode(tooltip=["KPI", "Against", "Status"], **_status_encoding(long["Status"], "Rating"))
    words = base.mark_text(align="left", dx=14, fontSize=12, color="#0B0C0C").encode(text="Label:N")
    chart = (marks + words).properties(height=alt.Step(28), width=420)
    visual.show(
        "gov.kpi.rag",
        "Local KPIs rated Red, Amber or Green against target and England",
        chart,
        table,
        status["indicator"].tolist(),
        note="The word and shape say the rating: ✖ Red misses by more than "
        "the amber band, ▲ Amber by no more than it, ✔ Green meets the target. KPIs with no target, or "
        "where neither higher nor lower is better, are not rated.",
    )
    ids = status["indicator"].tolist()
    chosen = st.selectbox(
        "KPI to see over time",
        ids,
        key="gov.kpi.chosen",
        persist_state="session",
        format_func=lambda i: indicators.get(i).title,
    )
    rows = rated(series, tolerance, bands, (local.fingerprint(listed), area))
    trend_view(rows, status[status["indicator"] == chosen].iloc[0], "gov.kpi.trend")


def _bands_editor(status: pd.DataFrame) -> None:
    with st.expander("A different amber band for one KPI"):
        cols = st.columns([3, 1, 1])
        kpi = cols[0].selectbox(
            "KPI",
            status["kpi"].tolist(),
            key="gov.kpi.band.kpi",
            format_func=lambda k: rag.kpi_meta(k, indicators.local_kpi_frame())["title"],
        )
        band = cols[1].number_input(
            "Its amber band",
            min_value=0.0,
            max_value=50.0,
            value=rag.DEFAULT_TOLERANCE,
            step=0.5,
            format="%.1f",
            key="gov.kpi.band.value",
        )
        if cols[2].button("Use it", key="gov.kpi.band.set"):
            st.session_state[BANDS] = {**st.session_state.get(BANDS, {}), kpi: float(band)}
            st.rerun()
        chosen = st.session_state.get(BANDS, {})
        if chosen:
            glossed.caption(
                "Own bands: " + "; ".join(f"{k}: {v:g}" for k, v in chosen.items()) + "."
            )
            if st.button("Use the one band for every KPI", key="gov.kpi.band.clear"):
                st.session_state.pop(BANDS, None)
                st.rerun()


def rated(
    series: pd.DataFrame, tolerance: float, bands: dict[str, float], key: tuple
) -> pd.DataFrame:
    """Every month of every KPI with its status against the target in force (session only)."""
    settings = (key, tolerance, tuple(sorted(bands.items())))
    return local.session_cached(
        "kpi.rated",
        settings,
        lambda: rag.rated_series(series, indicators.local_kpi_frame(), tolerance, bands),
    )


def _status_encoding(statuses: pd.Series, title: str | None) -> dict[str, alt.Color | alt.Shape]:
    present = [s for s in STATUS_STYLE if s in set(statuses)]
    return {
        "color": alt.Color(
            "Status:N",
            scale=alt.Scale(domain=present, range=[STATUS_STYLE[s][0] for s in present]),
            legend=alt.Legend(
                orient="bottom",
                title=title,
                symbolSize=200,
                symbolStrokeWidth=0.5,
                symbolStrokeColor="#0B0C0C",
            ),
        ),
        "shape": alt.Shape(
            "Status:N", scale=alt.Scale(domain=present, range=[STATUS_STYLE[s][1] for s in present])
        ),
    }


def _months_long(own: pd.DataFrame, england: tuple[float, str] | None) -> pd.DataFrame:
    lines = [own.assign(Series="Value"), own.assign(Series="Target", value=own["target"])]
    if england is not None:
        lines.append(own.assign(Series=f"England, {england[1]}", value=england[0]))
    long = pd.concat(lines).dropna(subset=["value"])
    return long.rename(
        columns={"period": "Month", "value": "Value", "status": "Status", "title": "KPI"}
    )


def month_table(own: pd.DataFrame) -> pd.DataFrame:
    table = own.rename(
        columns={
            "title": "KPI",
            "period": "Month",
            "value": "Value",
            "target": "Target",
            "numerator": "Numerator",
            "denominator": "Denominator",
            "status": "Against target",
        }
    )
    table["Against target"] = table["Against target"].map(rag.labelled)
    return table[
        [
            c
            for c in (
                "KPI",
                "Month",
                "Value",
                "Numerator",
                "Denominator",
                "Target",
                "Against target",
            )
            if c in table.columns
        ]
    ]


def _line(x: alt.X, y: alt.Y, series: str, colour: str, dash: list[int]) -> alt.Chart:
    # Fixed colours and dashes, said in the note, so that the chart's one legend is the rating's.
    return (
        alt.Chart()
        .mark_line(strokeWidth=2.5, color=colour, strokeDash=dash)
        .encode(x=x, y=y)
        .transform_filter(alt.datum.Series == series)
    )


def trend_view(rated_rows: pd.DataFrame, row: pd.Series, key: str) -> None:
    """A KPI's months with its target line (and England's value where comparable)."""
    own = rated_rows[rated_rows["indicator"] == row["indicator"]]
    england = (
        None if pd.isna(row["england"]) else (float(row["england"]), str(row["england_period"]))
    )
    long = _months_long(own, england)
    x = period_axis(own["period"])
    unit = str(row["unit"])
    y = alt.Y("Value:Q", title={"%": "Per cent", "count": "Number"}.get(unit, unit.capitalize()))
    layers = [_line(x, y, "Value", "#0072B2", [1, 0]), _line(x, y, "Target", "#000000", [8, 4])]
    if england:
        layers.append(_line(x, y, f"England, {england[1]}", "#767676", [2, 3]))
    points = (
        alt.Chart()
        .mark_point(filled=True, size=110, stroke="#0B0C0C", strokeWidth=0.5, opacity=1)
        .encode(
            x=x,
            y=y,
            tooltip=["Month", "Value", "Status"],
            **_status_encoding(own["status"], "Against target"),
        )
        .transform_filter(alt.datum.Series == "Value")
    )
    chart = alt.layer(*layers, points, data=long).properties(height=300)
    where = f"; grey dots: England's latest published value ({england[1]})" if england else ""
    note = (
        "Blue line and shaped points: the KPI each month (✖ Red, ▲ Amber, ✔ Green); black dashes: the target "
        f"in force{where}."
    )
    visual.show(
        key,
        f"{md(row['title'])}: each month against its target",
        chart,  # type: ignore[arg-type]
        month_table(own),
        [row["indicator"]],
        note=note,
    )


def red_trends(rated_rows: pd.DataFrame, red: pd.DataFrame) -> None:
    """Small multiples: every red KPI's months with its target, one panel each, own scales.

    The lines have fixed colours (blue value, black dashed target, said in the note) so that
    the one legend is the rating's, shared by every panel.
    """
    own = rated_rows[rated_rows["indicator"].isin(red["indicator"])].merge(
        red[["indicator", "title"]], on="indicator"
    )
    long = _months_long(own, None)
    x = period_axis(own["period"])
    y = alt.Y("Value:Q", title=None)
    value, target = (
        _line(x, y, "Value", "#0072B2", [1, 0]),
        _line(x, y, "Target", "#000000", [8, 4]),
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=70, stroke="#0B0C0C", strokeWidth=0.5, opacity=1)
        .encode(
            x=x,
            y=y,
            tooltip=["KPI", "Month", "Value", "Status"],
            **_status_encoding(own["status"], "Against target"),
        )
        .transform_filter(alt.datum.Series == "Value")
    )
    chart = (
        alt.layer(value, target, points, data=long)
        .properties(width=330, height=150)
        .facet(
            facet=alt.Facet(
                "KPI:N",
                title=None,
                sort=red["title"].tolist(),
                header=alt.Header(labelLimit=340, labelFontSize=13, labelColor="#0B0C0C"),
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
    )
    # show() is typed for a plain Chart; Streamlit draws any Altair chart, facets included.
    visual.show(
        "gov.exceptions.trends",
        "The KPIs rated Red: each month against its target",
        chart,  # type: ignore[arg-type]
        month_table(own),
        red["indicator"].tolist(),
        note="One panel per KPI, each on its own scale. "
        "Blue line and shaped points: the KPI each month (✖ Red, ▲ Amber, ✔ Green); black dashes: the "
        "target in force.",
    )


# --- the exception report ---------------------------------------------------------------------------


def _engine() -> Engine:
    return actions.engine_of(local.store())


def actions_in_force(area: str) -> pd.DataFrame:
    # Read on every run (one small query): on a team instance a colleague may have just saved.
    return actions.latest_actions(_engine(), area, **local.scope())


def exception_section(area: str, listed: pd.DataFrame) -> None:
    prepared = _prepared(area, listed)
    if prepared is None:
        return
    series, period, tolerance, bands, status = prepared
    red = rag.exceptions(status)
    names = area_names()
    month = month_words(period)
    flash = st.session_state.pop("gov.actions.flash", None)
    if flash:
        st.success(flash)
    if red.empty:
        st.success(f"No KPI is Red in {month} with an amber band of {tolerance:g}.")
    report = rag.exception_report(red, actions_in_force(area))
    shown = report_frame(report)
    glossed.subheader(f"Exception report: {len(red)} KPIs rated Red in {month}")
    glossed.caption(
        "Every KPI that misses its target by more than the amber band, with its recent months, its target, "
        "England where comparable, and the commentary and action saved for that month (else the return's "
        "own commentary). Write them below; each save is kept with who saved it and when."
    )
    show_table(
        shown,
        key="gov.exceptions.table",
        column_config={
            "KPI": st.column_config.TextColumn(width="large"),
            "Commentary": st.column_config.TextColumn(width="large"),
        },
    )
    example = series["source"].astype(str).str.startswith(f"upload:{EXAMPLE_PREFIX}").any()
    heading = f"Exception report: {names[area]}, {month}"
    subtitle = (
        f"SEND Lens, made {dt.date.today():%-d %B %Y}. Red: misses the target by more than the amber band "
        f"({tolerance:g} points for percentages, {tolerance:g}% of the target otherwise)."
    )
    about = pd.DataFrame(
        {
            "Item": ["Area", "Month", "Amber band", "Own bands", "Made", "Data", "RAG rules"],
            "Detail": [
                f"{names[area]} ({area})",
                month,
                f"{tolerance:g}",
                "; ".join(f"{k}: {v:g}" for k, v in bands.items()) or "none",
                dt.date.today().isoformat(),
                "EXAMPLE DATA (SYNTHETIC): not real figures"
                if example
                else "the area's KPI return",
                (
                    "Green meets the target; Amber misses it by no more than the band; Red by more; no target or no "
                    "direction is not rated."
                ),
            ],
        }
    )
    stem = f"send_lens_exceptions_{area}_{period}"
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.download_button(
        "Download XLSX",
        partial(
            exception_xlsx,
            report_frame(report, numbers=True),
            status_table(status, numbers=True),
            about,
        ),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key="gov.exceptions.xlsx",
    )
    sparks = [sparkline(r, t) for r, t in zip(report["recent"], report["target"])]
    c2.download_button(
        "Download printable page (HTML)",
        partial(exception_html, shown, heading, subtitle, example, sparks),
        file_name=f"{stem}.html",
        mime="text/html",
        key="gov.exceptions.html",
    )
    if c3.toggle("Show the printable page here", key="gov.exceptions.preview"):
        st.html(
            f"<style>{REPORT_CSS}</style>" + report_body(shown, heading, subtitle, example, sparks)
        )
    if not red.empty:
        red_trends(rated(series, tolerance, bands, (local.fingerprint(listed), area)), red)
        _action_form(area, report)


def _action_form(area: str, report: pd.DataFrame) -> None:
    """One form at a time: the KPI chosen, with what is saved for it this month."""
    glossed.subheader("Commentary and actions")
    done = {
        i: bool(c.strip() and a.strip())
        for i, c, a in zip(report["indicator"], report["commentary"], report["action"])
    }
    titles = dict(zip(report["indicator"], report["title"]))
    chosen = st.selectbox(
        "KPI to write about",
        list(titles),
        key="gov.action.kpi",
        format_func=lambda i: (
            f"{titles[i]} ({'commentary and action written' if done[i] else 'to write'})"
        ),
    )
    row = report[report["indicator"] == chosen].iloc[0]
    kpi = str(row["indicator"]).removeprefix("local:")
    if not local.can(Action.WRITE):
        st.info(
            "Commentary and actions are written by analysts and admins of this workspace; "
            "you can read them in the report above."
        )
        _history(area, row)
        return
    with st.container(border=True):
        glossed.markdown(f"#### ✖ Red: {md(row['title'])}")
        glossed.caption(
            f"{shown_value(row['value'], row['unit'])} in {month_words(row['period'])}: {row['reason']}. "
            f"{str(row['trend']).capitalize()}."
        )
        with st.form(f"gov.action.{kpi}"):
            commentary = st.text_area(
                "Commentary: why it is Red and what is happening",
                value=row["commentary"],
                key=f"gov.action.{kpi}.commentary",
                max_chars=actions.MAX_TEXT,
                help="Plain English for the board. Never name or describe a child.",
            )
            action = st.text_area(
                "Action agreed",
                value=row["action"],
                key=f"gov.action.{kpi}.action",
                max_chars=actions.MAX_TEXT,
            )
            cols = st.columns(2)
            owner = cols[0].text_input(
                "Owner",
                value=row["owner"],
                key=f"gov.action.{kpi}.owner",
                max_chars=actions.MAX_NAME,
            )
            due = cols[1].date_input(
                "Action due by",
                value=row["due_date"] if isinstance(row["due_date"], dt.date) else None,
                key=f"gov.action.{kpi}.due",
                format="DD/MM/YYYY",
            )
            saved = st.form_submit_button("Save commentary and action", type="primary")
        if saved:
            with local.store_action("save the commentary"):
                try:
                    record = actions.save_action(
                        _engine(),
                        row["indicator"],
                        area,
                        row["period"],
                        commentary=commentary,
                        action=action,
                        owner=owner,
                        due_date=due,
                        **local.scope(),
                    )
                except ValueError as err:  # refused text (too long, or holding an identifier)
                    st.error(f"Not saved: {err}")
                    return
                title = md(row["title"])
                st.session_state["gov.actions.flash"] = (
                    f"Nothing changed for {title}."
                    if record.unchanged
                    else f"Saved version {record.version} of the commentary for {title} "
                    f"({month_words(row['period'])})."
                )
                st.rerun()
        _history(area, row)


def _history(area: str, row: pd.Series) -> None:
    history = actions.action_history(
        _engine(), row["indicator"], area, row["period"], **local.scope()
    )
    if history.empty:
        return
    with st.expander(f"Saved versions ({len(history)})"):
        show_table(
            history[
                ["version", "created_at", "created_by", "commentary", "action", "owner", "due_date"]
            ].rename(
                columns={
                    "version": "Version",
                    "created_at": "Saved (UTC)",
                    "created_by": "Saved by",
                    "commentary": "Commentary",
                    "action": "Action",
                    "owner": "Owner",
                    "due_date": "Action due",
                }
            ),
            missing="none",  # nothing written, no owner or date set
        )
