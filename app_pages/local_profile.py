"""Local profile: how many children and young people need support, of what kind, where
they are educated and how they are doing, beside the region and England."""

from __future__ import annotations

import streamlit as st

from ui import glossed
from ui.data import area_names
from ui.profile import health, views

area = st.session_state["area"]
glossed.title(f"Local profile: {area_names()[area]}")
glossed.markdown(
    "Understanding local need: how many children and young people have SEN support or an "
    "education, health and care (EHC) plan, what their needs are, where they are educated and "
    "how they are doing compared with other children."
)

# Only the open tab is drawn: all of them at once are about 20 charts, which took the browser
# 1.2-2.0 s to draw on every visit (benchmarks/startup.py), over the 1 s aim. How many and
# what need were one tab of six charts, the most of any opening view; as two, each answers
# one question and the page opens with four (benchmarks/README.md, "Local profile's tabs").
how_many, needs, placement, outcomes, care, nhs = st.tabs(
    [
        "How many",
        "Needs and ages",
        "Where they are educated",
        "Attainment, absence and adulthood",
        "Children in need and looked after",
        "Health",
    ],
    key="profile.tab",
    on_change="rerun",
)

if how_many.open:
    with how_many:
        views.how_many_charts(area)

if needs.open:
    with needs:
        views.needs_and_ages(area)

if placement.open:
    with placement:
        views.side_by_side(
            "profile.placements",
            [
                "ehc_mainstream_pct",
                "ehc_special_pct",
                "ehc_independent_special_pct",
                "ehc_ap_pct",
                "ehc_fe_pct",
                "ehc_neet_pct",
                "ehc_home_ed_pct",
            ],
            area,
            "Where children and young people with EHC plans are educated",
            "Per cent of EHC plans",
        )
        views.trend(
            "profile.mainstream",
            "ehc_mainstream_pct",
            area,
            "Share of EHC plans in mainstream schools over time",
        )
        views.trend(
            "profile.special",
            "ehc_special_pct",
            area,
            "Share of EHC plans in special schools over time",
        )

if outcomes.open:
    with outcomes:
        views.side_by_side(
            "profile.attainment",
            [
                "eyfs_gld_ehc",
                "eyfs_gld_sen_support",
                "phonics_ehc",
                "phonics_sen_support",
                "phonics_no_sen",
                "ks2_rwm_ehc",
                "ks2_rwm_sen_support",
                "ks2_rwm_no_sen",
            ],
            area,
            "Attainment at 5, 6 and 11 by SEN status",
            "Per cent reaching the expected level",
            note="The gap between pupils with SEN and those without is the distance between bars.",
        )
        views.side_by_side(
            "profile.att8",
            ["att8_ehc", "att8_sen_support", "att8_no_sen"],
            area,
            "Attainment 8 score at 16 by SEN status",
            "Average Attainment 8 score",
        )
        views.side_by_side(
            "profile.absence",
            [
                "special_absence_pct",
                "special_persistent_absence_pct",
                "special_suspension_rate",
                "special_permanent_exclusion_rate",
            ],
            area,
            "Absence and exclusions in special schools",
            "Per cent",
        )
        views.breakdown_bars(
            "profile.absence_sen",
            "absence_overall_pct",
            area,
            "sen_provision",
            "Overall absence by SEN status",
            "SEN status",
            x_title="Per cent of sessions missed",
        )
        views.side_by_side(
            "profile.adulthood",
            [
                "ks4_destination_ehc",
                "ks4_destination_sen_support",
                "ks4_destination_no_sen",
                "sen_16_17_in_education_pct",
                "age19_l2_ehc",
                "age19_l2_sen_support",
                "age19_l2_no_sen",
                "age19_l3_ehc",
                "neet_16_17_pct",
            ],
            area,
            "Preparing for adulthood: education, training and qualifications after 16",
            "Per cent",
        )
        views.side_by_side(
            "profile.neet_send",
            [
                "neet_nk_16_17_ehc_pct",
                "neet_nk_16_17_sen_support_pct",
                "neet_nk_16_17_no_sen_pct",
                "neet_nk_16_17_pct",
            ],
            area,
            "Preparing for adulthood: 16-17 year olds NEET or not known, by SEND status",
            "Per cent of 16-17 year olds",
            note="Not in education, employment or training, or activity not known to the council "
            "(December to February average). Lower is better.",
        )

if care.open:
    with care:
        views.side_by_side(
            "profile.care",
            ["cin_ehc_pct", "cin_sen_support_pct", "cla_ehc_pct", "cla_sen_support_pct"],
            area,
            "Children in need and looked-after children with SEN",
            "Per cent",
        )

if nhs.open:
    with nhs:
        health.community_waits(area)
