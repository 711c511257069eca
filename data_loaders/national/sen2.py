"""DfE's EHC plan statistics (the SEN2 return) as tidy rows.

The 2025 release carries 2019 to 2024/25; the 2022 release and the SEN2 management
information file carry the series back to 2010 (caseload) and 2014 (requests and
timeliness). Where years overlap the newer release wins, because DfE revises.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

import tidy
from data_loaders.national.ees import Measure, measure_rows, measures_rows, read_ees, read_strings

DATA = Path(__file__).resolve().parents[2] / "data"
SHIPPED_2025 = DATA / "sen2/2025"
REFRESHED = DATA / "refreshed/ehcp"


def newest_release_folder() -> Path:
    """The refreshed EHC plan release when ``python -m data_loaders.refresh.command`` fetched one."""
    names = [f"{name}.csv.gz" for name in MEASURES_2025] + [
        "caseload.csv.gz",
        "sen_needs_all_plans.csv.gz",
    ]
    if all((REFRESHED / n).exists() for n in names):
        return REFRESHED
    return SHIPPED_2025


R2022 = DATA / "sen2/2022"
SOURCE_2025 = "sen2_2025"
SOURCE_2022 = "sen2_2022"

ALL_ROWS = {
    "caseload": "All EHC plans",
    "newplans": "New EHC plans",
    "requests": "All requests for EHC needs assessments",
    "assessments": "All EHC needs assessments",
    "timeliness_20_week": "All EHC plans issued",
    "sen_needs_all_plans": "All EHC plans",
    "annual_reviews": "All annual reviews",
    "ceased_plans": "All ceased EHC plans",
    "personal_budgets": "All personal budgets",
}

# The denominator of annual review outcome shares: reviews with an outcome recorded. DfE's
# no_outcome column cannot serve, as it is negative for some LAs (it is meetings less outcomes);
# and all meetings would turn an LA that recorded no outcomes into "0% amended".
REVIEW_OUTCOMES = ("outcome_amend", "outcome_maintan", "outcome_cease")  # sic: DfE's "maintan"

MEASURES_2025: dict[str, list[Measure]] = {
    "caseload": [
        Measure("ehc_plans", numerator=("ehcplans",)),
        Measure("ehc_mainstream_pct", "mainstream_total_pc", ("mainstream_total",), ("ehcplans",)),
        Measure("ehc_special_pct", "special_total_pc", ("special_total",), ("ehcplans",)),
        Measure(
            "ehc_independent_special_pct",
            None,
            ("special_independent", "special_non_maintained"),
            ("ehcplans",),
        ),
        Measure("ehc_ap_pct", "AP_PRU_total_pc", ("ap_pru_total",), ("ehcplans",)),
        Measure("ehc_fe_pct", "fe_total_pc", ("fe_total",), ("ehcplans",)),
        Measure("ehc_neet_pct", None, ("neet",), ("ehcplans",)),
        Measure("ehc_home_ed_pct", None, ("elective_home_education",), ("ehcplans",)),
    ],
    "newplans": [
        Measure("ehc_new_plans", numerator=("new_ehc_plans",)),
        Measure(
            "ehc_new_mainstream_pct",
            "mainstream_total_pc",
            ("mainstream_total",),
            ("new_ehc_plans",),
        ),
        Measure("ehc_new_special_pct", "special_total_pc", ("special_total",), ("new_ehc_plans",)),
        Measure("ehc_new_ap_pct", "AP_PRU_total_pc", ("ap_pru_total",), ("new_ehc_plans",)),
        Measure("ehc_new_fe_pct", "fe_total_pc", ("fe_total",), ("new_ehc_plans",)),
    ],
    "requests": [
        Measure("ehc_requests", numerator=("requests_received_in_year",)),
        Measure(
            "ehc_requests_refused_pct",
            "request_not_assess_pc",
            ("requests_decided_not_to_assess",),
            ("requests_received_in_year",),
        ),
        Measure(
            "ehc_requests_6wk_pct",
            "request_outcome_six_weeks_pc",
            ("request_outcome_six_weeks",),
            ("request_outcome_six_weeks", "request_outcome_over_6_weeks"),
        ),
        Measure("ehc_request_mediations", numerator=("mediation_related_request",)),
    ],
    "assessments": [
        Measure("ehc_assessments", numerator=("assess_in_year",)),
        Measure(
            "ehc_assess_issued_pct", "assess_issued_pc", ("assess_issued",), ("assess_in_year",)
        ),
        Measure(
            "ehc_not_issue_16wk_pct",
            "outcome_decision_within_time_pc",
            ("outcome_decision_within_time",),
            ("outcome_decision_within_time", "outcome_decision_over_time"),
        ),
    ],
    "timeliness_20_week": [
        Measure(
            "ehc_20wk_pct",
            "pc_plans_issued_within_20_weeks",
            ("plans_issued_within_20_weeks",),
            ("plans_issued_den",),
        ),
        Measure(
            "ehc_20wk_ex_pct",
            "PC_plans_issued_20_weeks_ex",
            ("plans_issued_20_weeks_ex",),
            ("plans_issued_den_ex",),
        ),
        Measure(
            "ehc_20wk_to_1yr_pct",
            "pc_plans_issued_gt20weeks_ltYear",
            ("plans_issued_gt20weeks_ltYear",),
            ("plans_issued_den",),
        ),
        Measure(
            "ehc_over_1yr_pct",
            "pc_plans_issued_gt_1_year",
            ("plans_issued_gt_1_year",),
            ("plans_issued_den",),
        ),
    ],
    "annual_reviews": [
        Measure("ehc_annual_reviews_pct", None, ("total_review_meeting",), ("review_expected",)),
        Measure("ehc_reviews_expected", numerator=("review_expected",)),
        Measure(
            "ehc_review_4wk_pct",
            "pc_decsion_4weeks",
            ("number_decsion_4weeks",),
            ("number_decsion_4weeks", "number_decision_gt_4weeks"),
        ),
        Measure("ehc_review_amend_pct", None, ("outcome_amend",), REVIEW_OUTCOMES),
        Measure("ehc_review_maintain_pct", None, ("outcome_maintan",), REVIEW_OUTCOMES),
        Measure("ehc_review_cease_pct", None, ("outcome_cease",), REVIEW_OUTCOMES),
    ],
    "ceased_plans": [Measure("ehc_ceased", numerator=("total_ceased",))],
    "personal_budgets": [
        Measure("ehc_personal_budgets", numerator=("personal_budget",)),
        Measure("ehc_pb_education", numerator=("pb_education",)),
        Measure("ehc_pb_health", numerator=("pb_health",)),
        Measure("ehc_pb_social_care", numerator=("pb_social",)),
        Measure("ehc_pb_integrated", numerator=("pb_integrated",)),
    ],
}

PRIMARY_NEEDS: dict[str, str] = {
    "asd": "Autistic spectrum disorder",
    "semh": "Social, emotional and mental health",
    "slcn": "Speech, language and communication needs",
    "mld": "Moderate learning difficulty",
    "sld": "Severe learning difficulty",
    "pmld": "Profound and multiple learning difficulty",
    "spld": "Specific learning difficulty",
    "pd": "Physical disability",
    "hi": "Hearing impairment",
    "vi": "Visual impairment",
    "msi": "Multi-sensory impairment",
    "oth": "Other difficulty or disability",
    "unknown": "Need not yet assessed or unknown",
}

CEASED_REASONS: dict[str, str] = {
    "max_age": "Reached maximum age",
    "needs_met": "Needs met without a plan",
    "he": "Moved into higher education",
    "employ": "Moved into paid employment",
    "transfer": "Moved to another LA",
    "no_engage": "Young person no longer wished to engage",
    "moved_outside_eng": "Moved outside England",
    "deceased": "Deceased",
    "other": "Other",
    "not_rec": "Reason not recorded",
}


def _read_2025(name: str, extra: Callable[[pd.DataFrame], pd.Series] | None = None) -> pd.DataFrame:
    """A file of the release, its total rows only (and those ``extra`` picks): the
    breakdowns not used are most of each file, dropped before any column is worked out."""

    def wanted(df: pd.DataFrame) -> pd.Series:
        total = df["breakdown"] == ALL_ROWS[name]
        return total if extra is None else total | extra(df)

    return read_ees(newest_release_folder() / f"{name}.csv.gz", where=wanted, columns=_used(name))


def _used(name: str) -> set[str]:
    """The columns of a file of the release that its readers below use."""
    used = {"breakdown", "breakdown_topic"}
    for m in MEASURES_2025.get(name, []):
        used.update(m.columns())
    if name == "sen_needs_all_plans":
        for code in PRIMARY_NEEDS:
            used.update([f"{code}_pc", f"number_{code}", "number_need_unknown", "ehc_plans"])
    if name == "ceased_plans":
        used.update(CEASED_REASONS)
    return used


def _totals(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df[df["breakdown"] == ALL_ROWS[name]]


def _by_age(df: pd.DataFrame) -> pd.Series:
    return df["breakdown_topic"].str.startswith("Child or young person")


def load_2025_release() -> pd.DataFrame:
    """Every measure of the June 2025 SEN2 release, totals and the breakdowns we use."""
    frames: list[pd.DataFrame] = []
    read = {name: _read_2025(name) for name in MEASURES_2025 if name != "caseload"}
    read["caseload"] = _read_2025("caseload", extra=_by_age)
    for name, measures in MEASURES_2025.items():
        df = _totals(read[name], name)
        frames.append(measures_rows(df, [(m, "") for m in measures], SOURCE_2025))
    frames.append(_caseload_by_age(read["caseload"]))
    frames.append(_primary_need(_read_2025("sen_needs_all_plans")))
    frames.append(_ceased_by_reason(read["ceased_plans"]))
    return pd.concat(frames, ignore_index=True)


def _caseload_by_age(caseload: pd.DataFrame) -> pd.DataFrame:
    df = caseload[_by_age(caseload)]
    age = df["breakdown"].str.replace("age ", "", regex=False).str.strip()
    return measure_rows(
        df, Measure("ehc_plans", numerator=("ehcplans",)), SOURCE_2025, breakdown="age=" + age
    )


def _primary_need(needs: pd.DataFrame) -> pd.DataFrame:
    df = _totals(needs, "sen_needs_all_plans")
    measures = []
    for code, label in PRIMARY_NEEDS.items():
        count_col = "number_need_unknown" if code == "unknown" else f"number_{code}"
        measure = Measure("ehc_primary_need_pct", f"{code}_pc", (count_col,), ("ehc_plans",))
        measures.append((measure, f"primary_need={label}"))
    return measures_rows(df, measures, SOURCE_2025)


def _ceased_by_reason(ceased: pd.DataFrame) -> pd.DataFrame:
    df = _totals(ceased, "ceased_plans")
    measures = [
        (Measure("ehc_ceased", numerator=(col,)), f"reason={label}")
        for col, label in CEASED_REASONS.items()
    ]
    return measures_rows(df, measures, SOURCE_2025)


def _january_periods(df: pd.DataFrame) -> dict[str, str]:
    # The 2022 release labels the January caseload by its calendar year: January 2022 is
    # the 2021/22 academic year, the label the 2025 release uses.
    return {p: tidy.academic_year(int(p) - 1) for p in df["time_period"].unique()}


def load_2022_release() -> pd.DataFrame:
    """The older series: EHC plans and statements 2010-2022, placements, requests, timeliness."""
    frames: list[pd.DataFrame] = []

    # Only the rows and columns used are worked out (the establishment file's 68,000 rows
    # are mostly types within a group, read only for the independent special schools).
    ages_file, estab_file = R2022 / "sen2_age_caseload.csv.gz", R2022 / "sen2_estab_caseload.csv.gz"
    periods = _january_periods(read_strings(ages_file, ["time_period"]))
    totals = read_ees(
        ages_file,
        period_override=periods,
        where=lambda df: df["characteristic_age"] == "Total",
        columns=["characteristic_age", "Total_all"],
    )
    frames.append(measure_rows(totals, Measure("ehc_plans", numerator=("Total_all",)), SOURCE_2022))

    estab = read_ees(
        estab_file,
        period_override=periods,
        where=lambda df: df["establishment_type"].isin(["Total", *_INDEPENDENT_TYPES]),
        columns=["establishment_type", "establishment_group", "Total_all"],
    )
    frames.append(_placements_2022(estab))

    mi = read_ees(R2022 / "sen2_mi_2014_2022.csv", columns=_MI_COLUMNS)
    frames.append(measures_rows(mi, [(m, "") for m in _MI_MEASURES], SOURCE_2022))
    return pd.concat(frames, ignore_index=True)


_MI_MEASURES = [
    Measure("ehc_requests", numerator=("inreq_ehc",)),
    Measure("ehc_requests_refused_pct", "ass_refused_ehc_pc", ("ass_refused_ehc",), ("inreq_ehc",)),
    Measure("ehc_20wk_pct", "inc_exc_20week_rate", ("inc_exc_20week_ehc",), ("tot_inc_exc_ehc",)),
    Measure("ehc_20wk_ex_pct", "no_exc_20week_rate", ("no_exc_20week_ehc",), ("tot_no_exc_ehc",)),
    Measure("ehc_new_plans", numerator=("new_all_ehc",)),
]
_MI_COLUMNS = sorted({c for m in _MI_MEASURES for c in m.columns()})
_INDEPENDENT_TYPES = ["Special - Independent", "Special - Non-maintained"]


_GROUP_INDICATORS = {
    "Mainstream school": "ehc_mainstream_pct",
    "Special school": "ehc_special_pct",
    "Alternative provision/Pupil referral unit": "ehc_ap_pct",
    "Further education": "ehc_fe_pct",
    "NEET": "ehc_neet_pct",
}


def _placements_2022(estab: pd.DataFrame) -> pd.DataFrame:
    """Share of plans by placement group, January 2010-2022."""
    keys = ["area_code", "area_level", "period"]
    counts, _ = tidy.parse_numbers(estab["Total_all"])
    # The keys as codes (categories in sorted order, so groups come out as the text's
    # would), made once for the six group-bys and merges below instead of by each.
    estab = estab.assign(n=counts, **{k: pd.Categorical(estab[k]) for k in keys})
    is_total_type = estab["establishment_type"] == "Total"
    totals = estab[is_total_type & (estab["establishment_group"] == "Total")][keys + ["n"]]
    parts = {
        indicator: estab[is_total_type & (estab["establishment_group"] == group)]
        for group, indicator in _GROUP_INDICATORS.items()
    }
    parts["ehc_independent_special_pct"] = estab[
        estab["establishment_type"].isin(_INDEPENDENT_TYPES)
    ]
    frames = []
    for indicator, part in parts.items():
        summed = part.groupby(keys, as_index=False, observed=True)["n"].sum(min_count=1)
        merged = summed.merge(totals, on=keys, suffixes=("", "_den"))
        frames.append(
            tidy.tidy_frame(
                indicator=indicator,
                area_code=merged["area_code"].astype(str),
                area_level=merged["area_level"].astype(str),
                period=merged["period"].astype(str),
                numerator=merged["n"],
                denominator=merged["n_den"],
                value=(merged["n"] / merged["n_den"] * 100).where(merged["n_den"] > 0),
                source=SOURCE_2022,
            )
        )
    return pd.concat(frames, ignore_index=True)


def load_sen2() -> pd.DataFrame:
    """Both releases, with the 2025 release winning where they overlap."""
    return combine_releases(load_2025_release(), load_2022_release())


def combine_releases(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """The 2025 release's rows and the 2022 release's rows it does not replace (the national
    build reads the two releases in parallel, then joins them here)."""
    keys = ["indicator", "area_code", "period", "breakdown"]
    seen = pd.MultiIndex.from_frame(new[keys])
    old = old[~pd.MultiIndex.from_frame(old[keys]).isin(seen)]
    # Where an indicator's newer series exists for a period, keep older rows for other years
    # only: a former LA present in one release and not the other is kept as published.
    return tidy.normalise(pd.concat([new, old], ignore_index=True))
