"""Building blocks of the local profile page: each function draws one visual."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

import indicators
from analysis.disclosure import (
    PROTECTED_STATUS,
    SmallNumberRule,
    apply_disclosure_control,
    hidden_words,
    protect_published,
)
from analysis.profile import breakdown_comparison, comparison_series, latest_side_by_side
from reports import series_breaks
from reports.format import format_value
from ui import charts, glossed, visual, workshop
from ui.data import headline, national_table
from ui.data import latest_side_by_side as latest_side_by_side_shared
from ui.workspace_picker import is_admin

ROLE_LABEL = {"area": "Area", "region": "Region", "England": "England"}


def how_many_charts(area: str) -> None:
    """The first tab's charts: how many children and young people have plans or SEN support."""
    for draw in how_many_views(area):
        draw()


def how_many_views(area: str) -> list[Callable[[], None]]:
    """Each of the first tab's charts as a function to draw it: public data only, so
    ``ui.warm_pages`` draws them one by one ahead of a visit."""
    return [
        lambda: trend(
            "profile.rate",
            "ehc_plans_rate",
            area,
            "EHC plans per 10,000 children and young people aged 0-25",
            note=headline_sentence("ehc_plans_rate", area),
        ),
        partial(
            trend, "profile.plans", "ehc_plans", area, "Number of EHC plans in January, by year"
        ),
        partial(
            trend, "profile.ehc_pupils", "sen_ehc_pct", area, "Share of pupils with an EHC plan"
        ),
        partial(
            trend,
            "profile.sen_support",
            "sen_support_pct",
            area,
            "Share of pupils receiving SEN support",
        ),
    ]


def needs_and_ages(area: str) -> None:
    """The second tab: the primary needs of children and young people with plans, and of all
    pupils with SEN, and the ages of those with plans."""
    plans_by_need, ages = needs_views(area)
    plans_by_need()
    sen_primary_need(area)
    ages()


def needs_views(area: str) -> list[Callable[[], None]]:
    """The second tab's charts of published data on plans, for ``ui.warm_pages`` as above."""
    return [
        partial(
            breakdown_bars,
            "profile.need",
            "ehc_primary_need_pct",
            area,
            "primary_need",
            "Primary need of children and young people with EHC plans",
            "Primary need",
        ),
        partial(age_profile, "profile.age", area),
    ]


def trend(key: str, indicator_id: str, area: str, title: str, note: str | None = None) -> None:
    """An indicator over time for the area, its region and England.

    Counts are charted for the area alone (England's would flatten it) but tabled for all three.
    """
    ind = indicators.get(indicator_id)
    frame, table = _trend_frames(indicator_id, area)
    if workshop.active():  # the strictest rule, in a room with parents
        frame = protect_published(frame, ind.unit)
        table = charts.wide_table(frame)
    hidden = hidden_words(frame)
    shown = frame.loc[frame["value"].notna(), "period"].astype(str).tolist()
    own = frame.loc[(frame["role"] == "area") & frame["value"].notna(), "period"]
    breaks = [
        series_breaks.break_sentence(ind, shown),
        series_breaks.reorganisation_sentence(area, str(own.iloc[0]) if len(own) else None),
    ]
    note = " ".join(filter(None, [note, *breaks, hidden])) or None
    charted = frame[frame["role"] == "area"] if ind.unit == "count" else frame
    visual.show(
        key,
        title,
        lambda: (
            None if charted.empty else charts.trend_chart(charted, y_title=charts.axis_title(ind))
        ),
        table,
        [indicator_id],
        area,
        note,
        public=(indicator_id, area),
    )


# Public data keyed by indicator and area, so shared by every session: selecting and pivoting
# was about 40% of drawing a trend, repeated on every run (py-spy under 20 sessions).
@st.cache_data(max_entries=512, show_spinner=False)
def _trend_frames(indicator_id: str, area: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area, region and England over time (long, for the chart) and as the table."""
    frame = comparison_series(national_table(), indicator_id, area)
    return frame, charts.wide_table(frame)


def breakdown_bars(
    key: str,
    indicator_id: str,
    area: str,
    breakdown_key: str,
    title: str,
    category_label: str,
    note: str | None = None,
    x_title: str = "Per cent of EHC plans",
) -> None:
    """Shares by category (e.g. primary need) for the area, region and England."""
    frame, table = _breakdown_frames(indicator_id, area, breakdown_key, category_label)
    if workshop.active():  # a share of 17 plans, or 1 of them, is not read out in a room
        frame = protect_published(frame, indicators.get(indicator_id).unit)
        note = " ".join(filter(None, [note, hidden_words(frame)])) or None
        table = _category_table(frame, category_label)
    visual.show(
        key,
        title,
        lambda: None if frame.empty else charts.grouped_bars(frame, "category", "value", x_title),
        table,
        [indicator_id],
        area,
        note,
        public=(indicator_id, area, breakdown_key, x_title),
    )


# Public data keyed by indicator, area and breakdown, like the trends' frames.
@st.cache_data(max_entries=512, show_spinner=False)
def _breakdown_frames(
    indicator_id: str, area: str, breakdown_key: str, category_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shares by category (long, for the chart) and as the table."""
    frame = breakdown_comparison(national_table(), indicator_id, area, breakdown_key)
    return frame, _category_table(frame, category_label)


def _category_table(frame: pd.DataFrame, category_label: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(index="category", columns="name", values="value", aggfunc="first")
    wide = wide.reindex(columns=frame["name"].drop_duplicates().tolist())  # all-hidden kept
    area_name = frame.loc[frame["role"] == "area", "name"]
    if not area_name.empty and area_name.iloc[0] in wide.columns:
        wide = wide.sort_values(area_name.iloc[0], ascending=False)
    out = wide.reset_index().rename(columns={"category": category_label})
    out.attrs["status"] = charts.gap_statuses(frame, "category", wide)
    return out


def age_profile(key: str, area: str) -> None:
    frame = _age_frame(area)
    if frame.empty:
        visual.show(
            key,
            "Age of children and young people with EHC plans",
            None,
            pd.DataFrame(),
            ["ehc_plans"],
            area,
        )
        return
    frame = frame.assign(age=pd.to_numeric(frame["category"], errors="coerce"))
    frame = frame[frame["age"].notna()]
    if workshop.active():
        frame = _protected_ages(frame)
    totals = frame.groupby("area_code")["value"].transform("sum")
    frame = frame.assign(share=frame["value"] / totals * 100).sort_values("age")
    own = frame[frame["role"] == "area"]
    eng = frame[frame["role"] == "England"].set_index("age")["share"]
    table = pd.DataFrame(
        {
            "Age": own["age"].astype(int).values,
            "EHC plans": own["value"].values,
            "Share of the area's plans (%)": own["share"].round(1).values,
            "Share in England (%)": own["age"].map(eng).round(1).values,
        }
    )
    period = frame["period"].iloc[0]
    visual.show(
        key,
        f"Age of children and young people with EHC plans, {visual.period_words('ehc_plans', period)}",
        lambda: charts.single_bars(
            own.assign(age=own["age"].astype(int)), "age", "value", "Age in years"
        ),
        table,
        ["ehc_plans"],
        area,
        public=(area,),
    )


@st.cache_data(max_entries=512, show_spinner=False)
def _age_frame(area: str) -> pd.DataFrame:
    """The area's, region's and England's EHC plans by age (public, shared by sessions)."""
    return breakdown_comparison(national_table(), "ehc_plans", area, "age")


def _protected_ages(frame: pd.DataFrame) -> pd.DataFrame:
    """The area's plans by age under the small-number rule, across its ages at once (so a
    hidden age cannot be worked out from the others); shares then come from what is shown."""
    own = frame["role"] == "area"
    ages = frame.loc[own, "age"].astype(int).astype(str)
    wide = pd.DataFrame([frame.loc[own, "value"].to_numpy()], columns=ages.to_list())
    safe = apply_disclosure_control(wide, wide.columns.to_list()).iloc[0]
    return frame.assign(value=frame["value"].where(~own, ages.map(safe).astype(float)))


def side_by_side(
    key: str, indicator_ids: list[str], area: str, title: str, x_title: str, note: str | None = None
) -> None:
    """Latest value of several related indicators for the area, region and England."""
    rule = SmallNumberRule() if workshop.active() else None
    wide = (
        latest_side_by_side(national_table(), indicator_ids, area, rule)
        if rule
        else latest_side_by_side_shared(tuple(indicator_ids), area)
    )
    if wide.empty:
        visual.show(key, title, None, pd.DataFrame(), indicator_ids, area, note)
        return
    long = wide.melt(
        id_vars=["indicator", "title", "period"],
        value_vars=["area", "region", "England"],
        var_name="role",
        value_name="value",
    )
    names = _role_names(area)
    long["name"] = long["role"].map(names)
    table = wide.rename(
        columns={
            "title": "Indicator",
            "period": "Period",
            "area": names["area"],
            "region": names["region"],
            "England": "England",
        }
    ).drop(columns="indicator")
    visual.show(
        key,
        title,
        lambda: charts.grouped_bars(long, "title", "value", x_title, sort=wide["title"].tolist()),
        table,
        indicator_ids,
        area,
        note,
        public=(tuple(indicator_ids), area, x_title),
    )


def _role_names(area: str) -> dict[str, str]:
    from analysis.profile import comparators
    from ui.data import area_names

    names = area_names()
    return {role: names[code] for role, code in comparators(area).items()}


def headline_sentence(indicator_id: str, area: str) -> str:
    """One plain-English sentence about the latest value, for screen readers and workshops."""
    ind = indicators.get(indicator_id)
    h = headline(indicator_id, area)
    if workshop.active():
        h = h.protected(SmallNumberRule(), ind.unit)
    if h.period is None:
        return ""
    names = _role_names(area)
    return (
        f"In {visual.period_words(indicator_id, h.period)}, {names['area']}: "
        f"{format_value(h.value, ind.unit, status=PROTECTED_STATUS)}; "
        f"England: {format_value(h.england, ind.unit)}."
    )


def sen_primary_need(area: str) -> None:
    """Primary need of all pupils with SEN, from the refreshed SEN in England release."""
    if indicators.rows("sen_primary_need_pct", None, None, table=national_table()).empty:
        glossed.subheader("Primary need of all pupils with SEN")
        release = (
            "DfE's *Special educational needs in England* release, which adds primary need "
            "for every pupil with SEN support or an EHC plan, for every year and local authority."
        )
        # A command to run means nothing to a parent carer or a board member: only an admin,
        # who can run it, is told it.
        how = (
            "Run `python -m data_loaders.refresh.command` to fetch "
            if is_admin()
            else "An admin of SEND Lens can fetch "
        )
        st.info(f"The shipped data has primary need for EHC plans only. {how}{release}")
        return
    breakdown_bars(
        "profile.sen_need",
        "sen_primary_need_pct",
        area,
        "primary_need",
        "Primary need of all pupils with SEN (SEN support and EHC plans)",
        "Primary need",
        x_title="Per cent of pupils with SEN",
    )
