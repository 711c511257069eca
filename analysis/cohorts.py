"""Measures of linked cohorts: which children with SEND are also known to social care, youth
justice or health, who is out of school, and how the agencies' caseloads overlap.

Everything here starts from ``analysis.linking.LinkResult.people`` (one row per linked
child). The results are counts of children: callers show them only through
:func:`protect` (the small-number rule of ``analysis.disclosure``) wherever a page could be
public, and never keep them in a cache shared between sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from analysis.disclosure import (
    SmallNumberRule,
    apply_disclosure_control,
    protect_parts,
    shown_rate,
)
from analysis.tracker import age_phase

# Extract names the measures recognise as an agency (each extract is named by its agency).
SOCIAL_CARE, YOUTH_JUSTICE, HEALTH, EDUCATION = (
    "social_care",
    "youth_justice",
    "health",
    "education",
)
BREAKDOWNS = {
    "la": "Whole area",
    "ward_code": "Home ward",
    "school_urn": "School",
    "primary_need": "Primary need",
    "age_phase": "Age",
}
COMPULSORY_YEARS = (0, 11)  # Reception to Year 11: of an age to need a school place


def cohort_flags(people: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per cohort, for each linked child (``people`` of a LinkResult)."""
    sen = people["sen_status"].astype("string")

    def flag(col: str) -> pd.Series:
        return (
            people[col].astype("boolean").fillna(False).astype(bool)
            if col in people
            else _no(people)
        )

    def seen(extract: str) -> pd.Series:
        return people[extract].astype(bool) if extract in people else _no(people)

    cin, cpp, cla = flag("child_in_need"), flag("child_protection_plan"), flag("looked_after")
    year = people["nc_year"].astype("Float64") if "nc_year" in people else None
    school_age = (
        year.between(*COMPULSORY_YEARS).fillna(False).astype(bool)
        if year is not None
        else _no(people)
    )
    no_school = people["school_urn"].isna() if "school_urn" in people else ~_no(people)
    out = pd.DataFrame(
        {
            "ehc_plan": sen.eq("EHC plan").fillna(False).astype(bool),
            "sen_support": sen.eq("SEN support").fillna(False).astype(bool),
            "social_care": seen(SOCIAL_CARE) | cin | cpp | cla,
            "child_in_need": cin,
            "child_protection_plan": cpp,
            "looked_after": cla,
            "youth_justice": seen(YOUTH_JUSTICE) | flag("known_to_yos"),
            "health": seen(HEALTH),
            "elective_home_education": flag("elective_home_education"),
            "missing_education": flag("missing_education"),
            "neet": flag("neet"),
            "permanently_excluded": flag("permanently_excluded"),
            "persistently_absent": flag("persistently_absent"),
            "school_age": school_age,
            "post_16": (year >= 12).fillna(False).astype(bool) if year is not None else _no(people),
        },
        index=people.index,
    )
    out["send"] = out["ehc_plan"] | out["sen_support"]
    out["no_school_place"] = school_age & no_school & ~out["elective_home_education"]
    return out


def _no(people: pd.DataFrame) -> pd.Series:
    return pd.Series(False, index=people.index)


FLAG_LABELS = {
    "ehc_plan": "EHC plan",
    "sen_support": "SEN support",
    "send": "SEND (EHC plan or SEN support)",
    "social_care": "Known to social care",
    "child_in_need": "Child in need",
    "child_protection_plan": "Child protection plan",
    "looked_after": "Looked after",
    "youth_justice": "Known to youth justice",
    "health": "In the health extract",
    "elective_home_education": "Electively home educated",
    "missing_education": "Missing education",
    "neet": "NEET",
    "no_school_place": "No school place",
    "permanently_excluded": "Permanently excluded",
    "persistently_absent": "Persistently absent",
}


@dataclass(frozen=True)
class CohortMeasure:
    """A share of one cohort (``denominator``) that is also in another (``numerator``)."""

    key: str
    title: str
    numerator: Callable[[pd.DataFrame], pd.Series]
    denominator: Callable[[pd.DataFrame], pd.Series]


def _both(a: str, b: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[a] & f[b]


def _one(a: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[a]


MEASURES: tuple[CohortMeasure, ...] = (
    *(
        CohortMeasure(f"{sen}_{care}", f"{who} {what}", _both(sen, care), _one(sen))
        for sen, who in (
            ("ehc_plan", "Children with an EHC plan"),
            ("sen_support", "Children on SEN support"),
        )
        for care, what in (
            ("social_care", "known to social care"),
            ("child_in_need", "who are children in need"),
            ("child_protection_plan", "on a child protection plan"),
            ("looked_after", "who are looked after"),
        )
    ),
    CohortMeasure(
        "social_care_no_sen",
        "Children known to social care with no SEN recorded",
        lambda f: f["social_care"] & ~f["send"],
        _one("social_care"),
    ),
    CohortMeasure(
        "send_youth_justice",
        "Children with SEND known to youth justice",
        _both("send", "youth_justice"),
        _one("send"),
    ),
    CohortMeasure(
        "youth_justice_send",
        "Youth justice caseload with SEND",
        _both("youth_justice", "send"),
        _one("youth_justice"),
    ),
    CohortMeasure(
        "ehc_plan_ehe",
        "Children with an EHC plan electively home educated",
        _both("ehc_plan", "elective_home_education"),
        _one("ehc_plan"),
    ),
    CohortMeasure(
        "ehc_plan_cme",
        "Children with an EHC plan missing education",
        _both("ehc_plan", "missing_education"),
        _one("ehc_plan"),
    ),
    CohortMeasure(
        "ehc_plan_no_school_place",
        "Children of school age with an EHC plan and no school place (not home educated)",
        lambda f: f["ehc_plan"] & f["no_school_place"],
        lambda f: f["ehc_plan"] & f["school_age"],
    ),
    CohortMeasure(
        "ehc_plan_neet",
        "Young people aged 16 or over with an EHC plan who are NEET",
        lambda f: f["ehc_plan"] & f["post_16"] & f["neet"],
        lambda f: f["ehc_plan"] & f["post_16"],
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}


def group_labels(people: pd.DataFrame, by: str) -> pd.Series:
    """Each child's group for a breakdown in ``BREAKDOWNS`` ("Not recorded" when unknown)."""
    if by == "la":
        return pd.Series("Whole area", index=people.index, dtype="string")
    if by == "age_phase":
        return age_phase(people["age"]).astype("string")
    values = people[by].astype("string") if by in people else pd.Series(pd.NA, index=people.index)
    return values.fillna("Not recorded").astype("string")


def cohort_measures(people: pd.DataFrame, by: str = "la") -> pd.DataFrame:
    """Every measure by one breakdown: ``measure``, ``title``, ``group``, ``numerator``,
    ``denominator`` and ``pct`` (true counts: pass them through :func:`protect` to show)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {sorted(BREAKDOWNS)}, not {by!r}")
    flags = cohort_flags(people)
    group = group_labels(people, by)
    rows = []
    for m in MEASURES:
        num, den = m.numerator(flags), m.denominator(flags)
        counts = pd.DataFrame({"numerator": num & den, "denominator": den}).groupby(group).sum()
        counts = counts[counts["denominator"] > 0]
        rows.append(counts.reset_index(names="group").assign(measure=m.key, title=m.title))
    out = pd.concat(rows, ignore_index=True)
    out["pct"] = 100 * out["numerator"] / out["denominator"]
    return out[["measure", "title", "group", "numerator", "denominator", "pct"]]


def protect(
    table: pd.DataFrame, rule: SmallNumberRule | None = None, whole: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Counts 1 to 7 hidden, others rounded, a second count hidden where one is (so it cannot
    be worked out), and the percentage made from the counts shown (``analysis.disclosure``).

    ``whole``: the same measures for the whole area (``cohort_measures(people)``), whose
    totals the page also shows: a breakdown's groups add up to them, so more groups are
    hidden until no hidden count can be worked out by subtraction (``protect_parts``)."""
    rule = rule or SmallNumberRule()
    out = apply_disclosure_control(
        table, ["numerator", "denominator"], threshold=rule.threshold, rounding=rule.rounding
    )
    if whole is not None:
        totals = whole.set_index("measure")
        for measure, rows in out.groupby("measure"):
            for col in ("numerator", "denominator"):
                shown = rule.shown_count(float(totals.at[measure, col]))
                parts = [None if pd.isna(v) else float(v) for v in rows[col]]
                out.loc[rows.index, col] = [
                    float("nan") if v is None else v for v in protect_parts(parts, shown, rule)
                ]
    out["pct"] = shown_rate(out["numerator"], out["denominator"])
    small = pd.to_numeric(table["denominator"], errors="coerce") < rule.min_denominator
    out.loc[small.fillna(False).astype(bool), "pct"] = float("nan")
    return out


def overlaps(
    flags: pd.DataFrame, chosen: list[str], sizes: tuple[int, ...] = (2, 3)
) -> pd.DataFrame:
    """Children in every one of each two (or three) of the ``chosen`` cohorts:
    ``cohorts`` (labels joined by " and "), ``size``, ``count``."""
    rows = [
        {
            "cohorts": " and ".join(FLAG_LABELS.get(c, c) for c in combo),
            "size": size,
            "count": int(flags[list(combo)].all(axis=1).sum()),
        }
        for size in sizes
        for combo in combinations(chosen, size)
    ]
    return pd.DataFrame(rows, columns=["cohorts", "size", "count"])


def upset(flags: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """Exclusive intersections (an UpSet chart's bars): one row per pattern of membership
    seen, a boolean column per chosen cohort and ``count``; children in none are left out."""
    member = flags[chosen]
    member = member[member.any(axis=1)]
    out = member.value_counts().rename("count").reset_index()
    out["degree"] = out[chosen].sum(axis=1)
    return out.sort_values(["count", "degree"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class BoardMeasure:
    """One of the board's ten: a count of children with EHC plans, or a percentage of them."""

    key: str
    title: str
    unit: str  # "count" or "%"
    national: str = ""  # the catalogue indicator with the same definition for England, if any


BOARD_TEN: tuple[BoardMeasure, ...] = (
    BoardMeasure(
        "within_20_weeks",
        "New EHC plans issued within 20 weeks (excluding exceptions)",
        "%",
        "ehc_20wk_pct",
    ),
    BoardMeasure(
        "new_plans", "New EHC plans issued in the last 12 months", "count", "ehc_new_plans"
    ),
    BoardMeasure("ehc_plans", "Children and young people with an EHC plan", "count", "ehc_plans"),
    BoardMeasure("permanently_excluded", "Children with an EHC plan permanently excluded", "count"),
    BoardMeasure(
        "persistently_absent", "Children of school age with an EHC plan persistently absent", "%"
    ),
    BoardMeasure("missing_education", "Children with an EHC plan missing education", "count"),
    BoardMeasure(
        "elective_home_education", "Children with an EHC plan electively home educated", "count"
    ),
    BoardMeasure("looked_after", "Children with an EHC plan in care (looked after)", "count"),
    BoardMeasure(
        "child_protection_plan", "Children with an EHC plan on a child protection plan", "count"
    ),
    BoardMeasure("child_in_need", "Children with an EHC plan who are children in need", "count"),
)


def board_ten(
    people: pd.DataFrame, tracker: dict[str, float | int | None] | None = None
) -> pd.DataFrame:
    """The board's ten for children with EHC plans: ``key``, ``title``, ``unit``,
    ``numerator``, ``denominator`` (for a percentage) and ``source``. The first two come from
    the EHC needs assessment tracker's figures (``analysis.tracker.tracker_summary``), the rest
    from the linked extracts; a figure with no data is missing, never zero."""
    flags = cohort_flags(people)
    ehc = flags["ehc_plan"]
    rows: dict[str, tuple[float | None, float | None, str]] = {}
    if tracker:
        den = tracker.get("plans_issued_excluding_exceptions")
        pct = tracker.get("issued_within_20_weeks_pct")
        on_time = None if pct is None or den is None else round(float(pct) * float(den) / 100)
        rows["within_20_weeks"] = (on_time, den, "EHC needs assessment tracker")
        rows["new_plans"] = (tracker.get("plans_issued"), None, "EHC needs assessment tracker")
    linked = "linked agency extracts"
    rows["ehc_plans"] = (int(ehc.sum()), None, linked)
    school_age = ehc & flags["school_age"]
    rows["persistently_absent"] = (
        int((school_age & flags["persistently_absent"]).sum()),
        int(school_age.sum()),
        linked,
    )
    for key in (
        "permanently_excluded",
        "missing_education",
        "elective_home_education",
        "looked_after",
        "child_protection_plan",
        "child_in_need",
    ):
        rows[key] = (int((ehc & flags[key]).sum()), None, linked)
    out = pd.DataFrame(
        [
            {
                "key": m.key,
                "title": m.title,
                "unit": m.unit,
                "numerator": rows.get(m.key, (None, None, ""))[0],
                "denominator": rows.get(m.key, (None, None, ""))[1],
                "source": rows.get(m.key, (None, None, "no data loaded"))[2],
                "national": m.national,
            }
            for m in BOARD_TEN
        ]
    )
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce").astype("float64")
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce").astype("float64")
    return out
