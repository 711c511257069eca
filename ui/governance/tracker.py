"""The Governance and assurance page's EHC tracker and annual review tabs.

Figures come from ``analysis.tracker`` and ``analysis.reviews`` (pure, tested on trackers
worked by hand); the frames they return are kept in this session's state only, keyed by the
dataset version and the as-at date, so a rerun recomputes nothing and nothing local reaches
a shared cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import indicators
from analysis import reviews as rv
from analysis import tracker as tr
from analysis.disclosure import SmallNumberRule, apply_disclosure_control, protect_parts
from geography.school_register import school_register
from ui import glossed, visual
from ui.data import area_names
from ui.examples import EXAMPLE_WARNING, is_example, switch_button
from ui.governance import kpis
from ui.governance.views import protect, shown, shown_share
from ui.local import load_dataset, session_cached
from ui.plain import md
from ui.visual import AREA_COLOUR
from uploads.schemas import NEED_NAMES

# --- the EHC tracker -----------------------------------------------------------------------------------


@st.cache_data(max_entries=1, show_spinner=False)
def schools() -> pd.DataFrame:
    """URN, LA and name of every school (public data)."""
    return school_register()[["urn", "la_code", "name"]]


def tracker_area(tracker: pd.DataFrame) -> str | None:
    """The LA most of the tracker's schools are in (children placed out of area are fewer)."""
    urns = tracker["school_urn"].dropna().astype(str)
    if urns.empty:
        return None
    found = urns.map(schools().set_index("urn")["la_code"]).dropna()
    return None if found.empty else str(found.value_counts().idxmax())


MONTH_LABEL = (
    "utcFormat(toDate(datum.value + '-01'), '%b %Y')"  # "2025-03" -> "Mar 2025" on an axis
)


def month_axis(months: list[str]) -> alt.X:
    """Every month on the axis, in order, labelled "Mar 2025" (the table keeps "2025-03")."""
    return alt.X(
        "Month:O",
        title=None,
        scale=alt.Scale(domain=months),
        axis=alt.Axis(labelAngle=-45, labelExpr=MONTH_LABEL),
    )


def tracker_choice(
    listed: pd.DataFrame, area: str
) -> tuple[pd.DataFrame | None, str, dt.date | None]:
    """The tracker to show (a choice when there are several), its name and the as-at date."""
    rows = listed[listed["kind"] == "ehc_tracker"].sort_values("uploaded_at", ascending=False)
    if rows.empty:
        return None, "", None
    labels = dict(zip(rows["dataset_id"].astype(int), rows["name"]))
    chosen = next(iter(labels))
    if len(labels) > 1:
        chosen = st.selectbox(
            "EHC tracker", list(labels), format_func=lambda i: labels[i], key="gov.tracker"
        )
    version = int(rows.set_index("dataset_id").at[chosen, "active_version"])
    tracker = load_dataset(chosen, version)
    where = session_cached(f"area.{chosen}", version, lambda: tracker_area(tracker))
    if where is not None and where != area:
        st.info(
            f"The EHC tracker '{md(labels[chosen])}' is for {area_names().get(where, where)}, going by its "
            "schools: its figures are shown on that area's page."
        )
        switch_button(where, "gov.tracker.switch")
        return None, labels[chosen], None
    if is_example(labels[chosen]):
        st.warning(EXAMPLE_WARNING.format(name=area_names()[area]), icon=":material/science:")
    latest = tr.latest_date(tracker)
    earliest = tr.dates(tracker, "request_date").min().date()
    as_of = st.columns([1, 2])[0].date_input(
        "Figures as at",
        value=latest,
        min_value=earliest,
        max_value=dt.date.today(),
        key=f"gov.as_of.{chosen}.{version}",
        format="DD/MM/YYYY",
        persist_state="session",
        help="The tracker's latest date by default: the last day it records. Waits are counted to this date, "
        "and the 12 months up to it are the year reported.",
    )
    return tracker, labels[chosen], as_of


def tracker_section(
    tracker: pd.DataFrame, name: str, as_of: dt.date, public: bool, key: tuple
) -> None:
    summary = session_cached(
        "tracker.summary", (key, as_of), lambda: tr.tracker_summary(tracker, as_of)
    )
    when = f"{as_of:%-d %B %Y}"
    glossed.markdown(
        f"From the EHC needs assessment tracker *{md(name)}*, as at {when}: the 12 months up to that day, and "
        "the requests still open on it. Weeks are days divided by 7, so 140 days is exactly 20 weeks "
        "and on time, as in the SEN2 guidance."
    )
    tiles = [
        (
            "Plans issued in the 12 months",
            summary["plans_issued"],
            "count",
            "New EHC plans issued in the 12 months up to the as-at date, exceptions included.",
        ),
        (
            "Within 20 weeks, excl. exceptions",
            shown_share(
                summary["issued_within_20_weeks_pct"],
                summary["plans_issued_excluding_exceptions"],
                public,
            ),
            "shown",
            "Of the plans issued without a 20-week exception, the share issued within 20 weeks of the request.",
        ),
        (
            "Within 20 weeks, incl. exceptions",
            shown_share(
                summary["issued_within_20_weeks_including_exceptions_pct"],
                summary["plans_issued"],
                public,
            ),
            "shown",
            "The same share over every plan issued, exceptions included (DfE's headline measure).",
        ),
        (
            "Average weeks to issue",
            summary["mean_weeks_to_issue"],
            "weeks",
            "Mean weeks from request to plan.",
        ),
        (
            "Longest weeks to issue",
            summary["max_weeks_to_issue"],
            "weeks",
            "The longest wait for a plan issued.",
        ),
        (
            "Assessments open today",
            summary["open_assessments"],
            "count",
            "Requests with no plan issued and no decision not to assess on the as-at date.",
        ),
        (
            "Open over 20 weeks",
            summary["open_over_20_weeks"],
            "count",
            "Open requests waiting more than 20 weeks.",
        ),
        (
            "Open over 30 weeks",
            summary["open_over_30_weeks"],
            "count",
            "Open requests waiting more than 30 weeks.",
        ),
        (
            "Open over 52 weeks",
            summary["open_over_52_weeks"],
            "count",
            "Open requests waiting more than a year.",
        ),
        (
            "Requests received",
            summary["requests_received"],
            "count",
            "Requests received in the 12 months.",
        ),
        (
            "Requests decided",
            summary["requests_decided"],
            "count",
            "Requests received in the 12 months with a decision whether to assess by the as-at date.",
        ),
        (
            "Decided within 6 weeks",
            shown_share(summary["decided_within_6_weeks_pct"], summary["requests_decided"], public),
            "shown",
            "Of those requests with a decision, the share decided within 6 weeks.",
        ),
    ]
    if public:
        glossed.caption(
            "Small numbers are protected: counts of 1 to 7 are hidden and others rounded to the nearest 5."
        )
    columns = st.columns(3)
    for i, (label, value, unit, help_text) in enumerate(tiles):
        with columns[i % 3].container(border=True):
            text = value if unit == "shown" else shown(value, unit, public)
            glossed.metric(label, text, help=help_text)
    monthly = session_cached(
        "tracker.monthly", (key, as_of), lambda: tr.monthly_compliance(tracker, as_of)
    )
    _monthly_view(monthly, public)
    _waits_view(summary, public)
    _breakdown_view(tracker, as_of, public, key)


def _monthly_view(monthly: pd.DataFrame, public: bool) -> None:
    table = monthly.rename(
        columns={
            "month": "Month",
            "plans_issued": "Plans issued",
            "plans_excluding_exceptions": "Plans without an exception",
            "within_20_weeks": "Within 20 weeks",
            "pct": "Per cent within 20 weeks",
        }
    )
    if public:
        table = protect(
            table,
            ["Plans issued", "Plans without an exception", "Within 20 weeks"],
            {"Per cent within 20 weeks": ("Within 20 weeks", "Plans without an exception")},
        )
    table["Per cent within 20 weeks"] = table["Per cent within 20 weeks"].round(1)
    data = table.dropna(subset=["Per cent within 20 weeks"])
    x = month_axis(table["Month"].tolist())
    y = alt.Y(
        "Per cent within 20 weeks:Q",
        title="Per cent within 20 weeks",
        scale=alt.Scale(domain=[0, 100]),
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color=AREA_COLOUR)
        .encode(x=x, y=y, tooltip=list(table.columns[:5]))
    )
    labels = (
        alt.Chart(data)
        .mark_text(dy=-8, fontSize=12, color="#0B0C0C")
        .encode(x=x, y=y, text=alt.Text("Per cent within 20 weeks:Q", format=".0f"))
    )
    visual.show(
        "gov.tracker.monthly",
        "Plans issued within 20 weeks each month (excluding exceptions)",
        (bars + labels).properties(height=300),
        table,
        ["local:ehc_20wk_ex_pct"],
        note="Each bar is the share of the month's plans without an exception that were issued within 20 "
        "weeks of the request, labelled in per cent. A month with no such plans has no bar; the table "
        "gives the counts.",
    )


def _waits_view(summary: dict[str, Any], public: bool) -> None:
    # The bands are differences of the tested "open over N weeks" counts.
    s = summary
    bands = pd.DataFrame(
        {
            "How long waited": [
                "Up to 20 weeks",
                "Over 20, up to 30 weeks",
                "Over 30, up to 52 weeks",
                "Over 52 weeks",
            ],
            "Open assessments": [
                s["open_assessments"] - s["open_over_20_weeks"],
                s["open_over_20_weeks"] - s["open_over_30_weeks"],
                s["open_over_30_weeks"] - s["open_over_52_weeks"],
                s["open_over_52_weeks"],
            ],
        }
    )
    if public:
        bands = protect(bands, ["Open assessments"], {})
        # The tile above shows the open total: no hidden band may be that total less the others.
        rule = SmallNumberRule()
        total = apply_disclosure_control(
            pd.DataFrame({"n": [s["open_assessments"]]}), ["n"], rule.threshold, rule.rounding
        )["n"].iloc[0]
        bands["Open assessments"] = protect_parts(
            bands["Open assessments"].tolist(), float(total), rule
        )
        # One word for every hidden band: saying which were hidden only to protect another
        # would tell the reader those are 8 or more, and pin the small one again.
        hidden = bands["Open assessments"].isna()
        bands.loc[hidden, "disclosure"] = f"hidden (1 to {rule.threshold}, or hidden with one)"
    y = alt.Y(
        "How long waited:N",
        sort=bands["How long waited"].tolist(),
        title=None,
        axis=alt.Axis(labelLimit=300, labelFontSize=12),
    )
    x = alt.X("Open assessments:Q", title="Open assessments")
    data = bands.dropna()
    bars = (
        alt.Chart(data)
        .mark_bar(color=AREA_COLOUR)
        .encode(y=y, x=x, tooltip=["How long waited", "Open assessments"])
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=12, color="#0B0C0C")
        .encode(y=y, x=x, text="Open assessments:Q")
    )
    visual.show(
        "gov.tracker.waits",
        "Assessments still open, by how long they have waited",
        (bars + labels).properties(height=alt.Step(34)),
        bands,
        ["local:ehc_open_over_30wk", "local:ehc_open_over_52wk"],
        note="Requests with no plan and no decision not to assess on the as-at date, by weeks "
        "since the request. "
        + visual.hidden_words(
            len(bands) - len(data), len(bands), "bands", SmallNumberRule().threshold
        ),
    )


BREAKDOWNS = {"primary_need": "Primary need", "age_phase": "Age at request", "school_urn": "School"}


def _group_names(frame: pd.DataFrame, by: str) -> pd.Series:
    """Plain-English group names: "Autistic spectrum disorder (ASD)", a school's name."""
    if by == "primary_need":
        return frame["group"].map(lambda g: f"{NEED_NAMES[g]} ({g})" if g in NEED_NAMES else g)
    if by == "school_urn":
        names = schools().set_index("urn")["name"]
        return (
            frame["group"]
            .map(names)
            .fillna("Not in the January 2024 census")
            .where(frame["group"] != "Not recorded", "No school recorded")
        )
    return frame["group"]


def _breakdown_view(tracker: pd.DataFrame, as_of: dt.date, public: bool, key: tuple) -> None:
    by = st.radio(
        "Split by",
        list(BREAKDOWNS),
        format_func=lambda b: BREAKDOWNS[b],
        key="gov.tracker.by",
        horizontal=True,
        persist_state="session",
    )
    frame = session_cached(
        f"tracker.by.{by}", (key, as_of), lambda: tr.compliance_by(tracker, as_of, by)
    )
    counts = [
        "plans_issued",
        "plans_excluding_exceptions",
        "within_20_weeks",
        "open_assessments",
        "open_over_20_weeks",
    ]
    frame = frame.assign(name=_group_names(frame, by))
    if public:
        frame = protect(frame, counts, {"pct": ("within_20_weeks", "plans_excluding_exceptions")})
    frame["pct"] = frame["pct"].round(1)
    label = BREAKDOWNS[by]
    table = frame.rename(
        columns={
            "name": label,
            "group": "URN" if by == "school_urn" else "Code",
            "plans_issued": "Plans issued",
            "plans_excluding_exceptions": "Plans without an exception",
            "within_20_weeks": "Within 20 weeks",
            "pct": "Per cent within 20 weeks",
            "open_assessments": "Open assessments",
            "open_over_20_weeks": "Open over 20 weeks",
            "disclosure": "Small numbers",
        }
    )
    first = [label] + (["URN"] if by == "school_urn" else [])
    table = table[first + [c for c in table.columns if c not in first and c != "Code"]]
    charted = table.dropna(subset=["Per cent within 20 weeks"])
    charted = charted.assign(
        Bar=[
            f"{g} ({n:,.0f} plan{'' if n == 1 else 's'})"
            for g, n in zip(charted[label], charted["Plans without an exception"])
        ]
    )
    chart = (
        alt.Chart(charted)
        .mark_bar(color=AREA_COLOUR)
        .encode(
            y=alt.Y(
                "Bar:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420, labelFontSize=12)
            ),
            x=alt.X("Per cent within 20 weeks:Q", scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                label,
                "Plans without an exception",
                "Within 20 weeks",
                "Per cent within 20 weeks",
            ],
        )
        .properties(height=alt.Step(22))
    )
    who = (
        "for the analyst: counts this small can identify a child, so protect them before sharing"
        if not public
        else "with small numbers protected"
    )
    visual.show(
        f"gov.tracker.{by}",
        f"20-week compliance and open assessments by {label.lower()}",
        chart,
        table,
        ["local:ehc_20wk_ex_pct"],
        note=f"Plans issued in the 12 months and requests open on the as-at date, "
        f"{who}. Each bar says how many plans (without an exception) its share is of; groups with none "
        "are in the table only. "
        + (
            visual.hidden_words(
                # A group's share is hidden with its counts; a group with no plans has none.
                int(
                    (
                        table["Per cent within 20 weeks"].isna()
                        & table["Plans without an exception"].fillna(1).gt(0)
                    ).sum()
                ),
                len(table),
                "groups",
                SmallNumberRule().threshold,
            )
            if public
            else ""
        ),
    )


# --- annual reviews --------------------------------------------------------------------------------------


STATUS_COLOURS = {  # Okabe-Ito; the table beside the chart names every count
    rv.WITHIN: "#009E73",
    rv.LATE: "#E69F00",
    rv.NOT_HELD: "#D55E00",
    rv.NOT_KNOWN: "#BBBBBB",
    rv.NOT_YET_DUE: "#56B4E9",
}


def reviews_section(
    tracker: pd.DataFrame | None,
    outcomes: pd.DataFrame | None,
    as_of: dt.date | None,
    public: bool,
    key: tuple,
    kpi_note: str,
) -> None:
    glossed.markdown(
        "**What needs which upload.** Reviews *due* come from the EHC tracker: a plan issued on a date is due its "
        "first annual review within 12 months and then every year on that anniversary. Reviews *completed within "
        "12 months* also need the *Annual review outcomes* upload, whose review dates say when each review "
        "meeting took place; a child's coded id links the two. *Amendments within 12 weeks* of a review are in "
        "no upload's columns: report them monthly in the KPI return as `amendments_12wk_pct`."
    )
    if tracker is None or as_of is None:
        st.info("Load an EHC needs assessment tracker (Data page) to see the annual reviews due.")
        return
    summary = session_cached(
        "reviews.summary", (key, as_of), lambda: rv.review_summary(tracker, outcomes, as_of)
    )
    monthly = session_cached(
        "reviews.monthly", (key, as_of), lambda: rv.monthly_reviews(tracker, outcomes, as_of)
    )
    pct = summary["completed_within_12_months_pct"]
    done = (
        "No dates"
        if outcomes is None
        else shown(pct, "%", False)
        if pct is not None
        else "Not known"
    )
    tiles = [
        (
            f"Due in {as_of:%B %Y}",
            shown(summary["due_this_month"], "count", public),
            "Reviews whose anniversary falls in the as-at date's month.",
        ),
        (
            "Due next month",
            shown(summary["due_next_month"], "count", public),
            "Reviews due in the month after.",
        ),
        (
            "Due in the 12 months",
            shown(summary["due_last_12_months"], "count", public),
            "Reviews that fell due in the 12 months up to the as-at date.",
        ),
        (
            "Completed within 12 months",
            done,
            (
                "Of the reviews due in the 12 months whose outcome the review "
                "dates show, the share held within 12 months. Needs the Annual "
                "review outcomes upload."
            ),
        ),
    ]
    for col, (label, value, help_text) in zip(st.columns(4), tiles):
        with col.container(border=True):
            glossed.metric(label, value, help=help_text)
    if outcomes is None:
        glossed.caption(
            "Upload *Annual review outcomes* (Data page) to see which reviews were held within 12 months."
        )
    elif summary["outcomes_from"]:
        glossed.caption(
            f"Review dates run from {summary['outcomes_from']:%-d %B %Y} to {summary['outcomes_to']:%-d %B %Y}; "
            f"{summary['plans_with_a_review']} of the tracker's plans have a review recorded. A review due "
            "before the review dates could show is 'not known', and left out of the percentage."
        )
    glossed.caption(
        "These are reviews on the plans in the tracker (plans issued after the assessments it records), not "
        "the area's whole caseload; the tracker does not say when a plan ceased. " + kpi_note
    )
    status_cols = [s.capitalize() for s in rv.STATUSES]
    table = monthly.rename(
        columns={
            "month": "Month",
            "due": "Reviews due",
            "pct_within_12_months": "Per cent held within 12 months",
        }
        | {s.replace(" ", "_"): s.capitalize() for s in rv.STATUSES}
    )
    if public:
        table = protect(table, ["Reviews due"] + status_cols, {})
        table["Per cent held within 12 months"] = table["Per cent held within 12 months"].where(
            table["Reviews due"].notna()
        )
    table["Per cent held within 12 months"] = table["Per cent held within 12 months"].round(1)
    long = table.melt(
        id_vars="Month", value_vars=status_cols, var_name="Status", value_name="Reviews"
    ).dropna()
    long = long[long["Reviews"] > 0]
    chart = (
        alt.Chart(long)
        .mark_bar(stroke="#0B0C0C", strokeWidth=0.5)
        .encode(
            x=month_axis(table["Month"].tolist()),
            y=alt.Y("Reviews:Q", title="Reviews due"),
            color=alt.Color(
                "Status:N",
                scale=alt.Scale(domain=status_cols, range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(
                    orient="bottom", labelLimit=300, symbolSize=200, symbolStrokeWidth=0
                ),
            ),
            order=alt.Order("order:Q"),
            tooltip=["Month", "Status", "Reviews"],
        )
        .transform_calculate(order=f"indexof({status_cols}, datum.Status)")
        .properties(height=300)
    )
    visual.show(
        "gov.reviews.monthly",
        "Annual reviews due each month, and whether they were held in time",
        chart,
        table,
        ["local:annual_reviews_due", "local:annual_reviews_12m_pct"],
        note="The 12 months up to the as-at date and the 3 after it, stacked by what happened to each "
        "review, in the order of the legend; the table gives every count. 'Not known' means the review "
        "dates needed to say are not loaded.",
    )


def kpi_note(
    area: str,
    listed: pd.DataFrame,
    ids: Sequence[str] = ("amendments_12wk_pct", "annual_reviews_12m_pct"),
) -> str:
    """What the KPI return says about annual reviews, for the reviews tab."""
    series = kpis.kpi_series(area, listed)
    said = []
    for kpi in ids:
        own = series[(series["kpi"] == kpi) & series["value"].notna()]
        if not own.empty:
            last = own.iloc[-1]
            said.append(
                f"{indicators.get('local:' + kpi).title}: {kpis.shown_value(last['value'], '%')} in "
                f"{kpis.month_words(last['period'])}"
            )
    return (
        "The KPI return says: " + "; ".join(said) + "."
        if said
        else "No KPI return gives amendments within 12 weeks (KPI id `amendments_12wk_pct`)."
    )
