"""The Reports page's "Data book" tab: choose comparators and years, download the XLSX.

The book is built from national (public) data only, so it is cached per process, keyed by the
area, the comparators' public codes and the years; it is built when the button is pressed.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from reports.databook import databook_xlsx, recent_periods
from ui import glossed
from ui.comparison.comparators import own_set
from ui.comparison.data import comparator_sets
from ui.data import area_names, national_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_YEARS = "All years"
RECENT = {"Last 3 years": 3, "Last 5 years": 5}


@st.cache_data(max_entries=8, show_spinner="Building the data book…")
def databook_bytes(area: str, codes: tuple[str, ...], label: str, years: int | None) -> bytes:
    table = national_table()
    periods = None
    if years is not None:
        periods = recent_periods(table, years)
    return databook_xlsx(area, table, list(codes), label, periods)


def render_databook(area_code: str) -> None:
    """Options and the download button for the area's data book."""
    names = area_names()
    glossed.markdown(
        f"Every indicator SEND Lens holds for **{names[area_code]}**, with its comparators, "
        "region and England, in one Excel workbook: a sheet per indicator (numerator, "
        "denominator, value, 95% interval, rank, quartile band, significance against England and "
        "the comparators, recent trend), and the definitions and sources."
    )
    sets = comparator_sets(area_code, "2025", own_set(area_code))
    left, right = st.columns(2)
    label = left.selectbox("Comparators", list(sets), key="reports.book.set")
    span = right.radio("Years", [ALL_YEARS, *RECENT], key="reports.book.years", horizontal=True)
    codes = tuple(sets[label])
    if not codes:
        st.warning(f"This set has no councils for {names[area_code]}; choose another set.")
        return
    glossed.caption(
        f"Comparators: {', '.join(names[c] for c in codes[:20])}{'…' if len(codes) > 20 else ''}."
    )
    st.download_button(
        "Download the data book (XLSX)",
        partial(databook_bytes, area_code, codes, label, RECENT.get(span)),
        file_name=f"send_lens_databook_{area_code}.xlsx",
        mime=XLSX_MIME,
        key="reports.book.download",
        type="primary",
    )
