"""The Reports page's board pack tab: choose sections, period and comparators, download the
PDF or HTML, and keep the choice as the workspace's monthly template."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

import indicators
from analysis import rag
from analysis.benchmark import comparator_sets
from reports.board_pack import (
    DEFAULT_COMPARATORS,
    SECTIONS,
    LocalExceptions,
    PackChoice,
    available_years,
    board_pack_html,
    board_pack_pdf,
)
from reports.exception_report import england_equivalents, month_words
from store import actions
from store.access import Action, PermissionDenied
from store.report_templates import ReportTemplate, save_template, saved_template
from tidy import period_sort_key
from ui import glossed, local
from ui.data import national_table
from ui.examples import EXAMPLE_PREFIX
from uploads.public import public_mode

LATEST = "The latest published figures"
FLASH = "reports.template.flash"


@st.cache_data(max_entries=1, show_spinner=False)
def _years() -> list[str]:
    return available_years(national_table())


# Built from published national data only, so one copy serves every session asking for it.
@st.cache_data(max_entries=16, show_spinner="Making the board pack…")
def _pack(kind: str, area: str, sections: tuple[str, ...], period: str | None, sets: str) -> bytes:
    make = board_pack_pdf if kind == "pdf" else board_pack_html
    return make(national_table(), PackChoice(area, sections, period, sets))


def _local_pack(
    kind: str,
    area: str,
    sections: tuple[str, ...],
    period: str | None,
    sets: str,
    exceptions: LocalExceptions,
) -> bytes:
    """A pack with the workspace's exception report: never cached (it holds the area's own
    figures, which stay in this session)."""
    make = board_pack_pdf if kind == "pdf" else board_pack_html
    return make(national_table(), PackChoice(area, sections, period, sets), exceptions)


def local_exceptions(area: str) -> LocalExceptions | None:
    """The exception report of the workspace's latest KPI month for the area, rated with the
    default amber band and with the commentary and actions in force; None without a return."""
    if public_mode():
        return None
    try:
        series = rag.kpi_series(local.local_table(area), local.local_kpi_details(), area)
        if series.empty:
            return None
        period = max(series["period"].unique(), key=period_sort_key)
        status = rag.kpi_status(
            series,
            period,
            indicators.local_kpi_frame(),
            england_equivalents(national_table()),
            rag.DEFAULT_TOLERANCE,
            {},
        )
        in_force = actions.latest_actions(actions.engine_of(local.store()), area, **local.scope())
    except PermissionDenied:
        return None
    report = rag.exception_report(rag.exceptions(status), in_force)
    month = series[series["period"] == period]
    denominators = {
        str(i): float(d) for i, d in zip(month["indicator"], month["denominator"]) if pd.notna(d)
    }
    example = series["source"].astype(str).str.startswith(f"upload:{EXAMPLE_PREFIX}").any()
    return LocalExceptions(report, month_words(str(period)), denominators, bool(example))


def _template() -> ReportTemplate | None:
    if public_mode():
        return None
    return saved_template(local.readable_store(), **local.scope())


def board_pack_tab(area: str, name: str) -> None:
    glossed.markdown(
        "A document for the partnership board: the ten headline measures with their verdicts on "
        "the cover, then a section per lens with charts, verdicts in plain English, caveats "
        "and sources. The same data always gives the same pack. From the command line: "
        f"`send-lens report --area {area} --out pack.pdf`."
    )
    template = _template()
    sets = list(comparator_sets(area))
    years = [LATEST, *_years()]
    if template is not None:
        glossed.caption("Starting from this workspace's monthly template.")
    chosen = st.multiselect(
        "Sections, in the order they appear",
        list(SECTIONS),
        default=[s for s in (template.sections if template else SECTIONS) if s in SECTIONS],
        format_func=SECTIONS.__getitem__,
        key="reports.sections",
    )
    period = st.selectbox(
        "Figures up to",
        years,
        index=years.index(template.period) if template and template.period in years else 0,
        key="reports.period",
        help="An academic year: the pack uses figures for periods that began by its end.",
    )
    wanted = template.comparators if template else DEFAULT_COMPARATORS
    comparators = st.selectbox(
        "Compare with",
        sets,
        index=sets.index(wanted) if wanted in sets else 0,
        key="reports.comparators",
    )
    if not chosen:
        st.info("Choose at least one section.")
        return
    exceptions = local_exceptions(area) if "governance" in chosen else None
    include = exceptions is not None and st.checkbox(
        f"Include the exception report ({len(exceptions.report)} KPIs Red in "
        f"{exceptions.month}) from this workspace's KPI return",
        value=True,
        key="reports.exceptions",
        help="Small numbers in it are protected: counts of 1 to 7 hidden, others rounded to 5.",
    )
    year = None if period == LATEST else period
    args = (area, tuple(chosen), year, comparators)
    make = _pack if not include else partial(_local_pack, exceptions=exceptions)
    stem = f"send_lens_board_pack_{area}" + (f"_{year.replace('/', '-')}" if year else "")
    pdf_col, html_col, save_col = st.columns([1, 1, 2])
    pdf_col.download_button(
        "Download PDF",
        partial(make, "pdf", *args),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="reports.pdf",
        type="primary",
    )
    html_col.download_button(
        "Download HTML",
        partial(make, "html", *args),
        file_name=f"{stem}.html",
        mime="text/html",
        key="reports.html",
    )
    _save_template(save_col, ReportTemplate(tuple(chosen), year, comparators))


def _save_template(column: st.delta_generator.DeltaGenerator, choice: ReportTemplate) -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    if public_mode() or not local.can(Action.WRITE):
        glossed.caption(
            "An analyst in a workspace can save this choice as its monthly template.", where=column
        )
        return

    def save() -> None:
        with local.store_action("save the template", flash=FLASH):
            info = save_template(local.store(), choice, **local.scope())
            st.session_state[FLASH] = (
                "success",
                "The template is unchanged."
                if info.duplicate
                else f"Saved as the workspace's monthly template (version {info.version}).",
            )

    column.button("Save as the workspace's monthly template", on_click=save, key="reports.save")
