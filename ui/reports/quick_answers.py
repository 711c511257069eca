"""The Reports page's "Quick answers" tab: a freedom-of-information or ad hoc question answered
in a minute, from a published indicator or the area's own stored data.

The area's own data is read through ``ui.local`` (this session's state, never a shared cache)
and answered afresh on each run: counting a few thousand records is quick, and a cache shared
between sessions must never hold them.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

import indicators
from indicators.units import format_value
from reports import quick_answers as qa
from reports.format import describe_period
from reports.quick_answers import QuickAnswer
from ui import glossed, local
from ui.comparison.data import indicator_choices, periods
from ui.data import area_names, national_table
from ui.tables import show_table

PUBLISHED, OWN = "A published indicator", "Your area's own data"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TOTAL_ONLY = "The area's figure only"
REPLY_LABEL = "Reply (copy into your response)"
BY_LABELS = {  # label -> (breakdown, area level)
    TOTAL_ONLY: ("", "la"),
    "Every year": (qa.BY_YEAR, "la"),
    "Every LA in the region": (qa.BY_AREAS, "la"),
    "Every region, with England": (qa.BY_AREAS, "region"),
}
TYPE_WORDS = {
    "calendar": "Calendar year",
    "academic": "Academic year",
    "financial": "Financial year",
}


def render_quick_answers(area_code: str) -> None:
    """Pick a question, see the table with its total, definition, source and reply, download it."""
    glossed.markdown(
        "Answer a freedom-of-information request or an ad hoc question: pick what to count, "
        "filter and break it down, and copy the reply. Counts from your area's own records are "
        "protected by the small-number rule before they are shown."
    )
    kind = st.radio("Answer from", [PUBLISHED, OWN], key="reports.qa.from", horizontal=True)
    try:
        answer = _published(area_code) if kind == PUBLISHED else _own(area_code)
    except ValueError as err:
        st.error(str(err))
        return
    if answer is not None:
        show_answer(answer, area_code)


def _published(area: str) -> QuickAnswer | None:
    table = national_table()
    choices = indicator_choices(area, "")
    if not choices:
        st.info(f"No published indicator has figures for {area_names()[area]}.")
        return None
    indicator_id = st.selectbox(
        "Indicator",
        choices,
        format_func=lambda i: indicators.get(i).title,
        key="reports.qa.indicator",
    )
    # Some indicators are published only by breakdown: offer only what exists.
    options = dict(BY_LABELS) if qa.has_totals(table, indicator_id) else {}
    for key in qa.breakdown_keys(table, indicator_id):
        options[f"By {qa.key_words(key)}"] = (key, "la")
    left, right = st.columns(2)
    by_label = left.selectbox("Break down", list(options), key="reports.qa.by")
    by, level = options[by_label]
    period = None
    if by != qa.BY_YEAR:
        offered = periods(indicator_id, area)  # newest first
        period = right.selectbox(
            "Period",
            offered,
            format_func=lambda p: describe_period(p, indicators.get(indicator_id)),
            key="reports.qa.period",
        )
    return qa.indicator_answer(table, indicator_id, area, period, breakdown=by, area_level=level)


def _own(area: str) -> QuickAnswer | None:
    listed = local.datasets()
    usable = listed[listed["kind"].isin(list(qa.MEASURES))] if not listed.empty else listed
    kpis = local.local_table(area)
    kpis = kpis[kpis["area_code"].astype(str).str.len() > 0] if not kpis.empty else kpis
    sources = {
        f"{row.name} (version {row.active_version})": (
            "records",
            int(row.dataset_id),
            int(row.active_version),
        )
        for row in usable.itertuples()
    }
    if not kpis.empty:
        sources["Your KPI returns"] = ("kpis", 0, 0)
    if not sources:
        st.info(
            "Nothing of your area's own is loaded that a quick answer can count. Upload an EHC needs "
            "assessment tracker or a KPI return on the Data page (or load the example data on the "
            "Governance page) and come back."
        )
        return None
    chosen = st.selectbox("Dataset", list(sources), key="reports.qa.dataset")
    what, dataset_id, version = sources[chosen]
    if what == "kpis":
        return _own_kpis(area, kpis)
    kind = str(usable.loc[usable["dataset_id"] == dataset_id, "kind"].iloc[0])
    records = local.load_dataset(dataset_id, version)
    return _own_records(records, kind, chosen)


def _own_records(records: pd.DataFrame, kind: str, name: str) -> QuickAnswer | None:
    measures = {m.key: m for m in qa.MEASURES[kind]}
    left, mid, right = st.columns(3)
    key = left.selectbox(
        "Count",
        list(measures),
        format_func=lambda k: measures[k].label[0].upper() + measures[k].label[1:],
        key="reports.qa.measure",
    )
    period_type = mid.selectbox(
        "Year", list(TYPE_WORDS), format_func=TYPE_WORDS.get, key="reports.qa.period_type"
    )
    offered = qa.periods_in(records[measures[key].date_column], period_type)
    if not offered:
        st.info("No record in this dataset has that date.")
        return None
    period = right.selectbox("Period", offered, key="reports.qa.own_period")
    words = qa.with_dimensions(records)
    dims = qa.dimensions_of(records)
    filters: dict[str, list[str]] = {}
    with st.expander("Filters", expanded=False):
        for col, label in dims.items():
            values = sorted(words[col].dropna().astype(str).unique())
            filters[col] = st.multiselect(label, values, key=f"reports.qa.filter.{col}")
    by = st.selectbox(
        "Break down by",
        ["", *dims],
        format_func=lambda c: dims.get(c, "No breakdown"),
        key="reports.qa.own_by",
    )
    return qa.records_answer(
        records,
        kind,
        key,
        period,
        period_type,
        {k: v for k, v in filters.items() if v},
        by or None,
        source=f"{name}, this area's own records, held in SEND Lens",
    )


def _own_kpis(area: str, kpis: pd.DataFrame) -> QuickAnswer | None:
    ids = sorted(kpis["indicator"].astype(str).unique())
    indicator_id = st.selectbox(
        "Measure", ids, format_func=lambda i: indicators.get(i).title, key="reports.qa.kpi"
    )
    mine = kpis[kpis["indicator"] == indicator_id]
    levels = [lvl for lvl in ("la", "locality", "ward", "school") if lvl in set(mine["area_level"])]
    left, right = st.columns(2)
    level = left.selectbox(
        "For",
        levels,
        format_func=lambda lvl: "The area as a whole" if lvl == "la" else f"Every {lvl}",
        key="reports.qa.kpi_level",
    )
    period_list = sorted(
        mine.loc[mine["area_level"] == level, "period"].astype(str).unique(), reverse=True
    )
    period = right.selectbox("Period", period_list, key="reports.qa.kpi_period")
    by = "" if level == "la" else qa.BY_AREAS
    return qa.indicator_answer(kpis, indicator_id, area, period, breakdown=by, area_level=level)


def show_answer(answer: QuickAnswer, area: str) -> None:
    glossed.subheader(answer.question)
    shown = shown_table(answer)
    # Tall enough for a table of needs or wards without a scroll bar of its own.
    show_table(shown, height=min(36 * (len(shown) + 1) + 3, 800))
    glossed.markdown(f"**Definition.** {answer.definition}")
    glossed.markdown(f"**Source.** {answer.source}")
    glossed.caption(answer.protection)
    # No key: a keyed text area would keep the first reply it showed when the question changes.
    st.text_area(REPLY_LABEL, answer.reply, height=140)
    stem = f"send_lens_answer_{area}"
    cols = st.columns(3)
    for col, (label, writer, ext, mime) in zip(
        cols,
        (
            ("Download CSV", qa.answer_csv, "csv", "text/csv"),
            ("Download XLSX", qa.answer_xlsx, "xlsx", XLSX_MIME),
            ("Download DOCX", qa.answer_docx, "docx", DOCX_MIME),
        ),
    ):
        col.download_button(
            label,
            partial(writer, answer),
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"reports.qa.{ext}",
        )


def shown_table(answer: QuickAnswer) -> pd.DataFrame:
    """The table as read on screen: numbers in their units, hidden cells said as such."""
    out = answer.table.astype(object).copy()
    for col, unit in answer.units.items():
        if col in out.columns:
            out[col] = [
                "" if pd.isna(v) else format_value(float(v), unit)  # type: ignore[arg-type]
                for v in answer.table[col]
            ]
    return out
