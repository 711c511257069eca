"""The Cohorts page's sections: linkage quality, overlaps, cohort measures, the board's ten
and (for analysts) the records behind the linkage figures.

Every count shown here has been through the small-number rule (``analysis.cohorts.protect``
or ``SmallNumberRule``), in every role: the page holds children's overlapping vulnerabilities,
where a count of 3 can identify a child.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import shapely
import streamlit as st

from analysis import cohorts as co
from analysis.disclosure import SmallNumberRule, apply_disclosure_control, shown_rate
from analysis.linking import LinkResult
from geography import boundaries
from reports.format import csv_bytes
from ui import glossed
from ui.data import latest_period, value
from ui.tables import HIDDEN, show_table
from ui.visual import AREA_COLOUR, tables_chosen

RULE = SmallNumberRule()
ENGLAND = "E92000001"
EXTRACT_WORDS = {
    "education": "Education",
    "social_care": "Social care",
    "youth_justice": "Youth justice",
    "health": "Health",
}
DEFAULT_OVERLAP = ["ehc_plan", "sen_support", "social_care", "youth_justice", "health"]
CAVEAT = (
    "Data-linking can only be as good as the source data. A child whose ids were left blank "
    "or mistyped in one agency's extract is counted as two children, so overlaps here are "
    "the least they can be, not the most."
)


def _words(name: str) -> str:
    return EXTRACT_WORDS.get(name, name.replace("_", " ").capitalize())


def _number_words(n: int) -> str:
    """A small number of things that are not children (extracts), in words."""
    return ("no", "one", "two", "three", "four", "five", "six")[n] if n < 7 else f"{n:,}"


def quality(result: LinkResult) -> None:
    glossed.header("How good the linking was")
    ex = result.extracts
    records, children = int(ex["records"].sum()), len(result.people)
    linked = int((result.people["records"] > 1).sum())
    glossed.markdown(
        f"{RULE.count_in_words(records).capitalize()} records in {_number_words(len(ex))} agency "
        "extracts "
        f"belong to {RULE.count_in_words(children)} children and young people; "
        f"{RULE.count_in_words(linked)} of them appear in more than one record. Records were "
        "joined where they hold the same UPN, ULN or NHS number (pseudonymised: the ids "
        "themselves never leave the store); a record holding two ids joins the others."
    )
    conflicts = len(result.conflicts)
    no_id = int(ex["no_shared_id"].sum())
    glossed.markdown(
        f"- **Ids that could not be trusted:** {RULE.count_in_words(conflicts)}. The same id "
        "was given to records with a different year of birth or sex, so it was not used to join them.\n"
        f"- **Records with no UPN, ULN or NHS number:** {RULE.count_in_words(no_id)}. They "
        "cannot be linked to another agency's records."
    )
    st.info(CAVEAT, icon=":material/info:")
    table = result.quality.assign(
        first=result.quality["first"].map(_words), second=result.quality["second"].map(_words)
    )
    counts = ["matched", "only_first", "only_second", "conflicts"]
    shown = apply_disclosure_control(table, counts, RULE.threshold, RULE.rounding)
    glossed.subheader("Children found in each pair of extracts")
    show_table(
        shown.rename(
            columns={
                "first": "First extract",
                "second": "Second extract",
                "matched": "In both",
                "only_first": "Only in the first",
                "only_second": "Only in the second",
                "conflicts": "Conflicting ids",
                "disclosure": "Small numbers",
            }
        ),
        missing=HIDDEN,
    )


def overlaps(result: LinkResult) -> None:
    glossed.header("How the cohorts overlap")
    flags = co.cohort_flags(result.people)
    options = [k for k in co.FLAG_LABELS if k in flags]
    chosen = st.multiselect(
        "Cohorts to compare (two to six)",
        options,
        default=[k for k in DEFAULT_OVERLAP if k in options],
        format_func=lambda k: co.FLAG_LABELS[k],
        max_selections=6,
        key="cohorts.overlap",
    )
    if len(chosen) < 2:
        st.info("Choose at least two cohorts to see how they overlap.")
        return
    bars = co.upset(flags, chosen)
    bars["shown"] = bars["count"].map(RULE.shown_count)
    bars["pattern"] = bars[chosen].apply(
        lambda r: " and ".join(co.FLAG_LABELS[c] for c in chosen if r[c]) + " only", axis=1
    )
    title = "Children in each combination of cohorts, and in no other chosen cohort"
    glossed.subheader(title)
    glossed.caption(
        "Each bar counts the children in exactly the cohorts marked below it. Counts of 1 to 7 "
        "are not shown and the others are rounded to the nearest 5."
    )
    visible = bars[bars["shown"].notna() & (bars["shown"] > 0)]
    if not tables_chosen() and not visible.empty:
        st.altair_chart(
            _upset_chart(visible, chosen).properties(description=title), width="stretch"
        )
    else:
        table = bars[["pattern", "shown"]].rename(
            columns={"pattern": "Cohorts (exactly these)", "shown": "Children"}
        )
        show_table(table, missing=HIDDEN)
    pairs = co.overlaps(flags, chosen)
    pairs["Children"] = pairs["count"].map(RULE.shown_count)
    pairs["size"] = pairs["size"].map({2: "two", 3: "three"})
    glossed.subheader("Children in two or three cohorts at once")
    show_table(
        pairs.rename(columns={"cohorts": "Cohorts (at least these)", "size": "How many cohorts"})[
            ["Cohorts (at least these)", "How many cohorts", "Children"]
        ],
        missing=HIDDEN,
    )


def _upset_chart(bars: pd.DataFrame, chosen: list[str]) -> alt.VConcatChart:
    bars = bars.reset_index(drop=True).assign(order=lambda f: f.index)
    top = (
        alt.Chart(bars)
        .mark_bar(color=AREA_COLOUR)
        .encode(
            x=alt.X("order:O", axis=None),
            y=alt.Y("shown:Q", title="Children"),
            tooltip=[
                alt.Tooltip("pattern:N", title="Cohorts"),
                alt.Tooltip("shown:Q", title="Children", format=",.0f"),
            ],
        )
        .properties(height=220)
    )
    dots = bars.melt(id_vars=["order", "pattern"], value_vars=chosen, var_name="cohort")
    dots["cohort"] = dots["cohort"].map(co.FLAG_LABELS)
    matrix = (
        alt.Chart(dots)
        .mark_circle(size=120)
        .encode(
            x=alt.X("order:O", axis=None),
            y=alt.Y("cohort:N", title=None, sort=[co.FLAG_LABELS[c] for c in chosen]),
            color=alt.Color(
                "value:N",
                scale=alt.Scale(domain=[True, False], range=["#000000", "#DDDDDD"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("pattern:N", title="Cohorts")],
        )
        .properties(height=alt.Step(22))
    )
    return alt.vconcat(top, matrix, spacing=4)


def measures(result: LinkResult) -> None:
    glossed.header("Cohort measures")
    by = st.selectbox(
        "Break down by",
        list(co.BREAKDOWNS),
        format_func=co.BREAKDOWNS.__getitem__,
        key="cohorts.by",
    )
    whole = co.cohort_measures(result.people)
    table = co.protect(co.cohort_measures(result.people, by), RULE, None if by == "la" else whole)
    if by != "la":
        # Which hidden counts are small is not said: some are hidden so that the whole area's
        # figures cannot give them away, and saying which would undo that.
        table = table.drop(columns=["disclosure"])
        chosen = st.selectbox(
            "Measure",
            [m.key for m in co.MEASURES],
            format_func=lambda k: co.MEASURE_BY_KEY[k].title,
            key="cohorts.measure",
        )
        table = table[table["measure"] == chosen]
    glossed.caption(RULE.describe("children"))
    coded = table
    if by == "ward_code":
        wards = boundaries.names("ward")
        table = table.assign(group=table["group"].map(lambda c: wards.get(c, c)))
    show_table(
        table.rename(
            columns={
                "title": "Measure",
                "group": co.BREAKDOWNS[by],
                "numerator": "Children",
                "denominator": "Out of",
                "pct": "Per cent",
                "disclosure": "Small numbers",
            }
        ).drop(columns=["measure"] + (["Measure"] if by != "la" else [])),
        "%",
        missing=HIDDEN,
    )
    st.download_button(
        "Download CSV",
        csv_bytes(table),
        file_name=f"cohort_measures_{by}.csv",
        mime="text/csv",
        key="cohorts.measures.download",
    )
    if by == "ward_code":
        ward_map(coded, co.MEASURE_BY_KEY[str(st.session_state["cohorts.measure"])].title)


def board(result: LinkResult, tracker: dict[str, float | int | None] | None) -> None:
    glossed.header("The board's ten")
    glossed.markdown(
        "The ten figures Bradford's SEND board watches, each for children and young people "
        "with an EHC plan, from the area's linked data, beside England's where a published "
        "figure has the same definition."
    )
    ten = co.board_ten(result.people, tracker)
    num = ten["numerator"].map(RULE.shown_count)
    den = ten["denominator"].map(lambda d: None if pd.isna(d) else RULE.shown_count(d))
    pct = shown_rate(num, den)
    local_words = [
        _local_words(u, n, d, p, src)
        for u, n, d, p, src in zip(ten["unit"], num, den, pct, ten["source"], strict=True)
    ]
    show_table(
        pd.DataFrame(
            {
                "Measure": ten["title"],
                "This area": local_words,
                "England": [
                    _england(i, u) for i, u in zip(ten["national"], ten["unit"], strict=True)
                ],
                "From": ten["source"],
            }
        ),
    )


def _local_words(unit: str, num: float | None, den: float | None, pct: float, source: str) -> str:
    if source == "no data loaded":
        return "No data loaded"
    if unit == "%":
        if num is None or den is None or pd.isna(num) or pd.isna(den) or pd.isna(pct):
            return "Hidden (small numbers)"
        return f"{pct:.0f}% ({num:,.0f} of {den:,.0f})"
    if num is None or pd.isna(num):
        return f"Fewer than {RULE.threshold + 1}"
    return f"{num:,.0f}"


def _england(indicator: str, unit: str) -> str:
    if not indicator:
        return "No comparable published figure"
    period = latest_period(indicator, ENGLAND)
    found = value(indicator, ENGLAND, period) if period else None
    if found is None or pd.isna(found):
        return "No comparable published figure"
    shown = f"{found:.1f}%" if unit == "%" else f"{found:,.0f}"
    return f"{shown} ({period})"


def records(result: LinkResult) -> None:
    """Pseudonymised ids behind the linkage figures, for data-quality work (analysts only)."""
    with st.expander("Records for data-quality work (analysts only)"):
        glossed.markdown(
            "Pseudonymised ids only, never names: ask the agency that holds the record to "
            "look the child up with SEND Lens's key holder. Do not copy these into papers."
        )
        glossed.subheader("Conflicting ids")
        show_table(
            result.conflicts.rename(
                columns={
                    "id_type": "Id",
                    "pseudonym": "Pseudonymised id",
                    "extracts": "Extracts",
                    "differs": "What differs",
                }
            ),
        )
        glossed.subheader("Children found in one extract only")
        people = result.people
        names = [n for n in EXTRACT_WORDS if n in people]
        alone = people[people[names].sum(axis=1) == 1]
        show_table(
            pd.DataFrame(
                {
                    "Linked child (pseudonym)": alone["person_id"],
                    "Extract": alone[names].idxmax(axis=1).map(_words),
                }
            ),
        )


def ward_map(table: pd.DataFrame, title: str) -> None:
    """The measure by home ward, drawn on the area's wards (protected figures only)."""
    shapes = boundaries.to_wgs84(boundaries.wards(st.session_state["area"]))
    if shapes.empty:
        return
    # Vega draws a ring wound anticlockwise as everything outside it: wind them clockwise.
    shapes.geometry = shapely.orient_polygons(shapes.geometry.values, exterior_cw=True)
    shown = table.set_index("group")
    pct = shapes["ward_code"].map(shown["pct"]).astype("float64")
    shapes["pct"] = pct.astype(object).where(pct.notna(), None)  # null in the JSON, not NaN
    shapes["words"] = ["hidden (small numbers)" if pd.isna(p) else f"{p:.0f}%" for p in pct]
    heading = f"{title}, by home ward"
    glossed.subheader(heading)
    glossed.caption("Grey: hidden, or fewer than 30 children in the ward to make a percentage of.")
    features = alt.Data(
        values=shapes[["ward_name", "pct", "words", "geometry"]].__geo_interface__["features"]
    )
    tooltip = [
        alt.Tooltip("properties.ward_name:N", title="Ward"),
        alt.Tooltip("properties.words:N", title="Per cent"),
    ]
    # Every ward in grey underneath, the wards with a figure coloured on top (Vega-Lite leaves
    # out a shape whose colour field is empty, so one layer would lose the hidden wards).
    base = alt.Chart(features).mark_geoshape(fill="#BBBBBB", stroke="#FFFFFF", strokeWidth=0.5)
    shaded = (
        alt.Chart(features)
        .mark_geoshape(stroke="#FFFFFF", strokeWidth=0.5)
        .encode(
            color=alt.Color("properties.pct:Q", title="Per cent", scale=alt.Scale(scheme="blues")),
        )
    )
    chart = (
        alt.layer(base.encode(tooltip=tooltip), shaded.encode(tooltip=tooltip))
        .project("mercator")
        .properties(height=420, description=heading)
    )
    st.altair_chart(chart, width="stretch")
