"""One visual: plain-English title, chart or table, 'about these figures' with the CSV download."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

import indicators
from data_loaders.register import SOURCE_WORDS
from geography.areas import reorganisation_of

# The colours live with the chart specs (Streamlit-free, for the board pack); pages take
# them from here.
from reports.colours import (  # noqa: F401
    AREA_COLOUR,
    ENGLAND_COLOUR,
    NEIGHBOUR_COLOUR,
    PALETTE,
    REGION_COLOUR,
)
from reports.format import (
    csv_bytes,
    describe_period,
    format_value,
    with_reasons,
)
from tidy import period_sort_key
from ui import glossed, workshop
from ui.plain import md
from ui.tables import show_table

if TYPE_CHECKING:  # Altair only for the annotations: Home, which draws no chart, skips it
    import altair as alt

    # A chart, or what builds it when it is drawn (so a chart already drawn from the shared
    # cache is never built again).
    ChartSource = alt.TopLevelMixin | Callable[[], alt.TopLevelMixin | None] | None


# One choice for the whole session, in the sidebar, rather than a "Show as" switch beside every
# chart: a reader who needs tables (a screen reader, a printout, figures to copy) needs them on
# every page, and the switch was two of the five elements each visual sent the browser.
TABLES = "charts_as_tables"
ABOUT = "About these figures, and download"


def tables_chosen() -> bool:
    """Whether the reader asked for every chart and map as a table."""
    return bool(st.session_state.get(TABLES, False))


def tables_toggle() -> None:
    """The sidebar's switch from charts and maps to tables of the same figures."""
    st.sidebar.toggle(
        "Show charts and maps as tables",
        key=TABLES,
        help="Every chart and map on every page as a table of the same figures: for a screen "
        "reader, a printout or figures to copy.",
    )


def show(
    key: str,
    title: str,
    chart: ChartSource,
    table: pd.DataFrame,
    indicator_ids: list[str],
    area: str | None = None,
    note: str | None = None,
    *,
    public: Hashable | None = None,
) -> None:
    """Render a visual with its accessible alternatives.

    ``title`` says in words what the chart shows; ``table`` holds the same numbers as the
    chart, and is what the CSV download contains.

    ``public`` names everything the chart is drawn from when that is published national data
    alone (e.g. ``(indicator, area)``): the finished chart is then kept for every session of
    the process and ``chart`` (best given as a function that builds it) is built once per
    ``public``. Never give it for a chart of the area's own data.
    """
    glossed.subheader(title)
    if workshop.active():  # what each figure means, in words a parent would use
        for ind_id in indicator_ids:
            plain = indicators.get(ind_id).plain
            if plain:
                glossed.markdown(plain)
    when = period_span(table)
    if when in title:
        when = ""  # the title names it already
    if note or when:
        glossed.caption(" ".join(t for t in (when, note) if t))
    if table.empty:
        st.info("No published data for this area.")
        return
    if tables_chosen() or not _draw(key, title, chart, public):
        unit = indicators.get(indicator_ids[0]).unit if len(indicator_ids) == 1 else None
        show_table(table, unit)
    download = functools.partial(
        st.download_button,
        "Download CSV",
        # Made when clicked: most visits download nothing, and making it was 7% of
        # Benchmarking's run (py-spy, 20 sessions).
        lambda: csv_bytes(with_reasons(table)),
        file_name=f"{key.replace('.', '_')}.csv",
        mime="text/csv",
        key=f"{key}.download",
    )
    if workshop.active():  # definitions, sources and caveats are for analysts
        download()
        return
    # The words and the download written only when the box is opened: the browser handles
    # every element a page sends, and that, not the server, was most of a page switch
    # (benchmarks/README.md, "Page switches" and "Stop 28").
    about = st.expander(ABOUT, key=f"{key}.about", on_change="rerun")
    if about.open:
        with about:
            glossed.markdown(about_text(indicator_ids, area))
            download()


def _draw(key: str, title: str, chart: ChartSource, public: Hashable | None) -> bool:
    """Draw the visual's chart; False when it has none (the table is shown instead)."""
    # In workshop mode charts are redrawn with larger labels, and pages protect the figures
    # themselves: that path is left as it was, uncached.
    if public is not None and not workshop.active():
        spec = _public_spec(key, title, public, chart)
        if spec is None:
            return False
        st.vega_lite_chart(spec, width="stretch")
        return True
    built = _described(key, title, chart)
    if built is None:
        return False
    workshop.draw(built)
    _VALIDATED.add(key)
    return True


def _described(key: str, title: str, chart: ChartSource) -> alt.TopLevelMixin | None:
    """The chart built, named for screen readers, validated on its key's first draw only."""
    import altair as alt  # here, not at the top: Home draws no chart

    if chart is not None and not isinstance(chart, alt.TopLevelMixin):
        chart = chart()
    if chart is None:
        return None
    # The subheader is the visible title; the description names the chart to screen readers.
    chart = chart.properties(description=title)
    if key in _VALIDATED:
        _skip_validation(chart)
    return chart


# Each chart of published data, finished as Streamlit sends it, for every session: building
# the Altair chart and turning it into Vega-Lite with its data as Arrow was 40-60% of a Local
# profile or Benchmarking run (py-spy), the same on every run for the same area. A spec is a
# few kB, so a few thousand (every visual of every area) fit in a few MB.
@st.cache_resource(max_entries=4096, show_spinner=False)
def _public_spec(
    key: str, title: str, public: Hashable, _chart: ChartSource
) -> dict[str, Any] | None:
    chart = _described(key, title, _chart)
    if chart is None:
        return None
    spec = vega_lite_spec(chart)
    _VALIDATED.add(key)
    return spec


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec ``st.altair_chart`` would send for ``chart``, its data as Arrow.

    ``st.vega_lite_chart`` of this spec sends the same message as ``st.altair_chart`` of the
    chart (tests/test_shared_work.py checks it), without converting the chart again; it is
    Streamlit's own conversion, so the two cannot drift apart. (Streamlit copies the spec
    before changing it, so one spec can be drawn by many sessions.)
    """
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(chart)


def hidden_words(hidden: int, total: int, what: str, threshold: int) -> str:
    """Why a chart has fewer bars than its table, or none: how many values small-number
    protection hid, and why ("" when it hid none)."""
    if not hidden:
        return ""
    why = (
        f"to protect children's privacy (a count of 1 to {threshold} could identify a child, "
        "and a figure that would give one away is hidden with it)"
    )
    if hidden >= total:
        return f"All {total} {what} are hidden {why}, so the chart is empty; the table lists them."
    return f"{hidden} of {total} {what} are hidden {why}; the chart leaves them out."


PERIOD_COLUMNS = ("Period", "period", "Year", "year", "Month", "month")


def period_span(table: pd.DataFrame) -> str:
    """Which years a visual shows, from its table, so that no chart leaves it unsaid:
    "Figures for 2024." or "Figures from 2019/20 to 2023/24."; "" when the table has no
    period column (such a visual names its year in its title)."""
    column = next((c for c in PERIOD_COLUMNS if c in table.columns), None)
    if column is None:
        return ""
    periods = list(dict.fromkeys(str(p) for p in table[column].dropna()))
    # A table labelled for reading ("Mar 2025") is already in time order.
    with contextlib.suppress(ValueError):
        periods.sort(key=period_sort_key)
    if not periods:
        return ""
    if len(periods) == 1:
        return f"Figures for {periods[0]}."
    return f"Figures from {periods[0]} to {periods[-1]}."


def chart_and_table(chart: alt.Chart, description: str, table: pd.DataFrame) -> None:
    """A chart drawn outside ``show`` (a narrow column, beside a map), with its text
    alternative: ``description`` names it to screen readers and its figures follow in a
    table that opens under it."""
    workshop.draw(chart.properties(description=description))
    with st.expander("These figures as a table"):
        show_table(table)


def series_table(frame: pd.DataFrame, unit: str, missing: str = "not available") -> pd.DataFrame:
    """A trend's long rows (period, name, value) as a table for reading: one row a period, one
    column an area, each figure written in its unit; a gap says why (``missing``)."""
    wide = frame.pivot(index="period", columns="name", values="value").reindex(
        index=frame["period"].unique(), columns=frame["name"].unique()
    )
    out = pd.DataFrame({"Period": wide.index.astype(str)})
    for name in wide.columns:
        out[str(name)] = [
            missing if pd.isna(v) else format_value(float(v), unit) for v in wide[name]
        ]
    return out


# Keys of the visuals whose chart Altair has validated in this process.
_VALIDATED: set[str] = set()


def _skip_validation(chart: alt.TopLevelMixin) -> None:
    """Tell a chart to skip Altair's schema validation when Streamlit serialises it.

    A visual's chart has the same structure on every run, only other data, and it passed
    validation on its first draw in this process (so a broken chart still fails in the app
    tests); validating it again (30-80 ms a chart, about 40% of serialising it) was repeated
    on every rerun of every session.
    """
    # SchemaBase.__setattr__ would put the attribute in the chart's spec; Streamlit calls
    # chart.to_dict() with no arguments.
    object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))


def about_text(indicator_ids: list[str], area: str | None = None) -> str:
    """Markdown describing each indicator: definition, counts, source, periods, caveats."""
    parts = []
    for ind_id in indicator_ids:
        ind = indicators.get(ind_id)
        # An area's own KPI is named from its upload: plain text, not Markdown.
        title, definition = (
            (md(ind.title), md(ind.definition))
            if ind.source == "local"
            else (ind.title, ind.definition)
        )
        lines = [f"**{title}**: {definition}"]
        if ind.numerator:
            lines.append(f"- Calculated as {ind.numerator} ÷ {ind.denominator}.")
        lines.append(f"- Unit: {ind.unit}. {polarity_words(ind.polarity)}")
        lines.append(f"- Answers: *{rba_words(ind.rba)}*")
        sources = "; ".join(source_words(s) for s in (ind.source, *ind.earlier_sources))
        lines.append(f"- Source: {sources}.")
        if ind.caveats:
            lines.append(f"- Caveats: {ind.caveats}")
        parts.append("\n".join(lines))
    reorg = reorganisation_of(area) if area else None
    if reorg:
        parts.append(
            f"**Series break:** {reorg.note} Figures for this area start in {reorg.first_period}."
        )
    return "\n\n".join(parts)


def polarity_words(polarity: str) -> str:
    return {
        "high": "Higher is better.",
        "low": "Lower is better.",
        "none": "Neither higher nor lower is better in itself.",
    }[polarity]


def rba_words(rba: str) -> str:
    return {
        "how much": "How much did we do?",
        "how well": "How well did we do it?",
        "better off": "Is anyone better off?",
    }[rba]


def source_words(source: str) -> str:
    return SOURCE_WORDS.get(source, source)


def period_words(indicator_id: str, period: str) -> str:
    return describe_period(period, indicators.get(indicator_id))


# Streamlit cuts a metric's label to one line with an ellipsis ("Plans per 10,000 age…" on a
# 1280-pixel screen or projector); a label that wraps is read whole.
WRAP_METRIC_LABELS = (
    "<style>[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] * "
    "{white-space: normal !important; overflow: visible !important; "
    "text-overflow: clip !important; height: auto !important}</style>"
)


# Streamlit marks keyboard focus on buttons with a faint ring but not at all on the sidebar's
# page links, a select box's text field or the main area the skip link jumps to (measured in
# Chromium: outline none, no shadow); WCAG 2.4.7 needs every focused control visibly marked.
FOCUS_OUTLINE = (
    "<style>:focus-visible {outline: 3px solid #0B0C0C !important; "
    "outline-offset: 2px !important}</style>"
)


def page_styles() -> None:
    """The few style rules every page needs, added once per run by the router."""
    st.html(WRAP_METRIC_LABELS + FOCUS_OUTLINE)
