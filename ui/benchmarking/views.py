"""The Benchmarking page's indicator picker, verdict, area summary and its downloads.

The page and the Governance page reach every benchmarking view through this module; the
comparator sets, the charts and the cached computations live in ``ui.comparison.comparators``,
``ui.comparison.charts`` and ``ui.comparison.data``.
"""

from __future__ import annotations

import io
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

import indicators
from analysis import benchmark as bm
from analysis import benchmark_frames as bf
from analysis.disclosure import SmallNumberRule
from reports.format import csv_bytes, escape_for_spreadsheet
from ui import glossed, visual, workshop
from ui.comparison.charts import compare_view, spine_view
from ui.comparison.comparators import pick_comparators
from ui.comparison.data import (
    comparison,
    indicator_choices,
    periods,
    published_note,
    set_aside_reason,
    summary,
    trend_result,
)
from ui.data import area_names, national_table
from ui.tables import show_table

DEFAULT_INDICATOR = "ehc_20wk_pct"
LENS_WORDS = {
    "": "All lenses",
    "profile": "Local need",
    "governance": "Governance and assurance",
    "outcomes": "Outcomes",
}


# --- Pickers ---------------------------------------------------------------------------------


def pick_indicator(area: str) -> tuple[str, str]:
    """Lens, indicator (catalogue titles, grouped by topic) and period; returns (id, period)."""
    lens_col, ind_col, period_col = st.columns([1.2, 4, 1.3])
    lens = lens_col.selectbox(
        "Lens",
        list(LENS_WORDS),
        format_func=LENS_WORDS.get,
        key="bench.lens",
        persist_state="session",
        help="Narrow the list of indicators.",
    )
    choices = indicator_choices(area, lens)
    if not choices:
        choices = indicator_choices(area, "")
    default = choices.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in choices else 0
    ind_id = ind_col.selectbox(
        "Indicator",
        choices,
        index=default,
        key="bench.indicator",
        persist_state="session",
        format_func=lambda i: f"{indicators.get(i).topic}: {indicators.get(i).title}",
        help="Every indicator in the catalogue with published figures for this area.",
    )
    options = periods(ind_id, area)
    period = period_col.selectbox(
        "Period",
        options,
        key="bench.period",
        persist_state="session",
        format_func=lambda p: visual.period_words(ind_id, p),
    )
    return ind_id, period


# --- The verdict at the top ------------------------------------------------------------------


def opening_view(area: str) -> None:
    """What a first visit draws before anything is chosen: the default indicator against DfE's
    neighbours, its verdict and the "Compare areas" chart, in the page's order (public data
    only). For ``ui.warm_pages``, which draws it ahead of a visit; the page draws the same
    parts in its own layout."""
    indicator, period = pick_indicator(area)
    label, codes, _model = pick_comparators(area)
    result = comparison(indicator, area, period, tuple(codes), label)
    verdict(result, label, latest=period == periods(indicator, area)[0])
    compare_view(indicator, area, period, codes, label)


def verdict(result: bm.ComparisonResult, label: str, latest: bool) -> None:
    """The plain-English sentence, then value, average, England, rank and quartile band."""
    ind = indicators.get(result.indicator)
    names = area_names()
    if workshop.active() and hidden_in_room(result):
        st.info(
            f"{names[result.area]}'s figure for {visual.period_words(ind.id, result.period)} is "
            "hidden to protect privacy: it is, or rests on, a count of fewer than 8, or too few "
            "people to be reliable. England's figure is "
            f"{bm.format_value(result.england.value, ind.unit)}."
        )
        return
    trend = trend_result(result.indicator, result.area) if latest else None
    note = published_note(result.indicator, result.area, result.period)
    why = set_aside_reason(result.indicator, result.area, result.period)
    jump = (
        bm.jump_beside_no_change(national_table(), result.indicator, result.area, trend)
        if trend
        else ""
    )
    st.info(
        " ".join(
            t for t in (bm.sentence(result, trend, ind, names[result.area], note, why), jump) if t
        )
    )
    fmt = bm.format_value
    ends = ("best", "worst") if ind.polarity != "none" else ("highest", "lowest")
    band = {"A": f"A ({ends[0]})", "B": "B", "C": "C", "D": f"D ({ends[1]})"}.get(
        result.quartile or "", "none"
    )
    own = names[result.area] if len(names[result.area]) <= 18 else "This area"
    rank_help = (
        "Among all councils with a value; 1st is best."
        if ind.polarity != "none"
        else "Among all councils with a value; 1st is the highest, which is not better or worse."
    )
    band_help = "The quarter of all councils this one is in (A to D), as in DfE's LAIT."
    too_few = ""
    if result.rank_too_small:
        cases = f"{result.denominator:,.0f} case{'' if result.denominator == 1 else 's'}"
        too_few = f"only {cases}: too few to rank meaningfully."
        rank_help, band_help = rank_help + f" On {too_few}", band_help + f" On {too_few}"
    average = (
        "Neighbours' average" if label.lower().startswith("statistical") else "Comparators' average"
    )
    tiles = [
        (
            own,
            fmt(result.value, ind.unit, status=result.status, reason=why),
            f"{names[result.area]}, {visual.period_words(ind.id, result.period)}.",
        ),
        (
            average,
            fmt(result.neighbours.value, ind.unit),
            f"{label}. Pooled: the comparators' own rate, from their counts."
            if result.neighbour_benchmark == "pooled"
            else f"{label}. The mean of the comparators' values, as DfE's LAIT shows it.",
        ),
        ("England", fmt(result.england.value, ind.unit), None),
        (
            f"Rank of {result.ranked}" if result.ranked else "Rank",
            # The caveat goes under the tiles: in a fifth of the row, "1st (too few)" was cut
            # to "1st (too f…".
            result.rank_text.split(" of ")[0],
            rank_help,
        ),
        ("Quartile band", band, band_help),
    ]
    for col, (name, value, help_text) in zip(st.columns(5), tiles):
        glossed.metric(name, value, help=help_text, where=col)
    if too_few:
        glossed.caption(f"The rank and quartile band rest on {too_few}")


def hidden_in_room(result: bm.ComparisonResult) -> bool:
    """Whether the strictest small-number rule hides the area's own figure (workshop mode)."""
    if result.value is None:
        return False
    rule = SmallNumberRule()
    if result.unit == "count":
        return rule.shown_count(result.value) is None
    return rule.hides_share(result.numerator, result.denominator)


# --- Area summary ----------------------------------------------------------------------------


def summary_sentence(frame: pd.DataFrame, area_name: str) -> str:
    judged = frame["vs_england"].value_counts()
    tested = int(judged.drop(labels=["not compared"], errors="ignore").sum())
    parts = [
        f"{int(judged.get(w, 0))} {w}" for w in ("better", "similar", "worse") if judged.get(w, 0)
    ]
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
    glossed.subheader(
        f"Every indicator for {names[area]} beside its comparators, region and England"
    )
    lens_col, sort_col = st.columns(2)
    lens = lens_col.selectbox(
        "Lens", list(LENS_WORDS), format_func=LENS_WORDS.get, key="bench.summary.lens"
    )
    by = sort_col.selectbox("Sort by", bf.SORTS, key="bench.summary.sort")
    frame = full if not lens else full[full["lens"] == lens]
    frame = bf.sort_summary(frame, by)
    glossed.caption(
        summary_sentence(frame, names[area]) + " Rank 1st is best; where neither higher nor lower "
        "is better, 1st is the highest and band A the highest quarter."
    )
    table = bf.summary_table(frame)
    show_table(table, key="bench.summary.table")
    members = pd.DataFrame({"Code": codes, "Comparator": [names.get(c, c) for c in codes]})
    about = pd.DataFrame(
        {
            "Item": ["Area", "Comparator set", "Made", "Sources"],
            "Detail": [
                f"{names[area]} ({area})",
                label,
                date.today().isoformat(),
                "DfE, ONS and Ministry of Justice; Open Government Licence v3.0",
            ],
        }
    )
    csv_col, xlsx_col, _ = st.columns([1, 1, 3])
    stem = f"send_lens_benchmark_{area}"
    csv_col.download_button(
        "Download CSV",
        csv_bytes(table),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="bench.summary.csv",
    )
    xlsx_col.download_button(
        "Download XLSX",
        partial(xlsx_bytes, {"Summary": table, "Comparators": members, "About": about}),
        file_name=f"{stem}.xlsx",
        key="bench.summary.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    spine_view(area, codes, frame)
