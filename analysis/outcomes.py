"""Is anyone better off? Annual review outcomes scored through their framework.

The returns are the frames ``uploads.outcomes_returns.read_returns`` gives (one row per
rating or pupil voice answer, with a ``framework`` column), or the generic ``outcomes_return``
upload, which has no framework column and is read with the national framework: its 1-5
scale and yes / sometimes / no / don't know answers are that framework's.

Counting rules, said once here and on the page:

* the unit is a rating: one outcome, for one child, at one review, by one agency. When a
  child has two reviews in the same period, the later one counts;
* "making progress" and "achieved or exceeded" are the framework's lists of levels;
* a pupil voice share is positive answers over answers, leaving out the framework's
  ``not_counted`` answers (Don't know);
* intervals are Wilson score 95% intervals (``analysis.stats.wilson_ci``), in per cent;
* change between periods: with two periods a two-sided two-proportion z-test (pooled
  variance); with three or more, the chi-squared test for linear trend (Cochran-Armitage,
  Armitage's form as in ``analysis.trend``, scores 0, 1, 2, ... for the periods in order), on
  1 degree of freedom. A change is called at p < 0.05: these are the area's own records, not
  a comparison across 150 councils, and five years of reviews are rarely there to wait for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis import distributions as dist
from analysis.stats import wilson_ci
from analysis.tracker import age_phase
from uploads.frameworks import Framework
from uploads.schemas import norm

Period = Literal["year", "term"]
SIGNIFICANCE = 0.05
NOT_RECORDED = "Not recorded"
TRAITS = ["age", "primary_need", "sen_provision", "school_urn", "ward_code", "pathway"]
BREAKDOWNS = {
    "primary_need": "Primary need",
    "sen_provision": "SEN provision",
    "age_phase": "Age",
    "school_urn": "School",
    "ward_code": "Ward",
    "social_care": "Social care",
    "agency": "Recorded by",
    "pathway": "Pathway",
}
SOCIAL_CARE = (
    "Looked after",
    "Child protection plan",
    "Child in need",
    "Known to social care, no current plan",
    "Not in the social care extract",
)
COHORT_IDS = ("upn", "uln", "nhs_number", "local_id")


def review_period(dates: pd.Series, by: Period = "year") -> pd.Series:
    """Academic year ("2024/25") or term ("2024/25 autumn term") of each review date.

    Terms: autumn September to December, spring January to March, summer April to August.
    The labels sort in time order as text.
    """
    dates = pd.to_datetime(dates)
    start = dates.dt.year - (dates.dt.month < 9).astype("int64")
    year = start.astype("string") + "/" + ((start + 1) % 100).astype("string").str.zfill(2)
    if by == "year":
        return year
    term = pd.Series(
        np.select([dates.dt.month >= 9, dates.dt.month <= 3], ["autumn", "spring"], "summer"),
        index=dates.index,
    )
    return year + " " + term + " term"


def _own(framework: Framework, returns: pd.DataFrame) -> pd.DataFrame:
    """This framework's rows: those it is named on, or all of a generic (national) return."""
    # A fresh index: returns joined from several uploads may repeat row labels.
    if "framework" in returns.columns:
        return returns[returns["framework"].astype("string") == framework.id].reset_index(drop=True)
    return (
        returns.reset_index(drop=True) if framework.id == "national" else returns.iloc[0:0].copy()
    )


def _traits(frame: pd.DataFrame) -> pd.DataFrame:
    for col in TRAITS + ["agency"]:
        if col not in frame.columns:
            frame[col] = pd.NA
    frame["age_phase"] = age_phase(frame["age"])
    return frame


def prepare_ratings(
    framework: Framework, returns: pd.DataFrame, by: Period = "year"
) -> pd.DataFrame:
    """One row per counted rating, with its level, progress flags and the child's traits."""
    columns = [
        "child_id",
        "period",
        "outcome",
        "domain",
        "code",
        "level",
        "progress",
        "achieved",
        "agency",
        "age_phase",
        *TRAITS,
    ]
    if framework.scale is None or "progress_rating" not in returns.columns:
        return pd.DataFrame(columns=columns)
    frame = _own(framework, returns)
    frame = frame[frame["progress_rating"].notna()].copy()
    scale = framework.scale
    codes = pd.to_numeric(frame["progress_rating"], errors="coerce")
    frame = frame[codes.isin([lv.code for lv in scale.levels])]
    frame["code"] = codes[frame.index].astype(int)
    # A generic return names its outcome in its own words: match a statement or id if it is one.
    match = {norm(o.statement): o.id for o in framework.outcomes} | {
        norm(o.id): o.id for o in framework.outcomes
    }
    frame["outcome"] = frame["outcome"].map(lambda v: match.get(norm(v), "") if pd.notna(v) else "")
    own_domain = frame["outcome"].map({o.id: o.domain for o in framework.outcomes})
    given = frame["domain"] if "domain" in frame.columns else pd.Series(pd.NA, index=frame.index)
    frame["domain"] = own_domain.where(frame["outcome"] != "", given)
    frame["period"] = review_period(frame["review_date"], by)
    frame = _traits(frame)
    frame["agency"] = frame["agency"].astype("string").fillna("")
    keys = ["child_id", "period", "outcome", "agency"] + (
        [] if "framework" in returns.columns else ["domain"]
    )
    frame = frame.sort_values("review_date", kind="stable").drop_duplicates(keys, keep="last")
    frame["level"] = frame["code"].map({lv.code: lv.label for lv in scale.levels})
    frame["progress"] = frame["code"].isin(scale.making_progress)
    frame["achieved"] = frame["code"].isin(scale.achieved)
    return frame[columns].reset_index(drop=True)


def prepare_answers(
    framework: Framework, returns: pd.DataFrame, by: Period = "year"
) -> pd.DataFrame:
    """One row per counted pupil voice answer, in the framework's words, with its flags."""
    columns = [
        "child_id",
        "period",
        "question",
        "outcome",
        "domain",
        "answer",
        "positive",
        "counted",
        "agency",
        "age_phase",
        *TRAITS,
    ]
    if not framework.questions or "voice_answer" not in returns.columns:
        return pd.DataFrame(columns=columns)
    frame = _own(framework, returns)
    frame = frame[frame["voice_answer"].notna() & frame["voice_question"].notna()].copy()
    match = {norm(q.text): q.id for q in framework.questions} | {
        norm(q.id): q.id for q in framework.questions
    }
    frame["question"] = frame["voice_question"].map(lambda v: match.get(norm(v), ""))
    frame = frame[frame["question"] != ""]
    options = {q.id: {norm(o): o for o in q.options} for q in framework.questions}
    frame["answer"] = [
        options[q].get(norm(a), "") for q, a in zip(frame["question"], frame["voice_answer"])
    ]
    frame = frame[frame["answer"] != ""]
    frame["period"] = review_period(frame["review_date"], by)
    frame = _traits(frame)
    frame = frame.sort_values("review_date", kind="stable").drop_duplicates(
        ["child_id", "period", "question"], keep="last"
    )
    qs = {q.id: q for q in framework.questions}
    frame["outcome"] = frame["question"].map(lambda q: qs[q].outcome)
    frame["domain"] = frame["outcome"].map({o.id: o.domain for o in framework.outcomes})
    frame["positive"] = [a in qs[q].positive for q, a in zip(frame["question"], frame["answer"])]
    frame["counted"] = [
        a not in qs[q].not_counted for q, a in zip(frame["question"], frame["answer"])
    ]
    return frame[columns].reset_index(drop=True)


def _with_ci(out: pd.DataFrame, count: str, total: str) -> pd.DataFrame:
    intervals = [wilson_ci(x, n) for x, n in zip(out[count], out[total])]
    out[f"{count}_pct"] = np.where(
        out[total] > 0, 100 * out[count] / out[total].where(out[total] > 0), np.nan
    )
    out[f"{count}_low"] = [100 * lo for lo, _ in intervals]
    out[f"{count}_high"] = [100 * hi for _, hi in intervals]
    return out


def progress_summary(ratings: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: ratings, children, how many making progress and achieved, each with its share
    and 95% Wilson interval in per cent (``making_progress_pct``, ``_low``, ``_high``, ...)."""
    grouped = (
        ratings.groupby(by, sort=True, dropna=False) if by else ratings.groupby(lambda _: "all")
    )
    out = grouped.agg(
        ratings=("child_id", "size"),
        children=("child_id", "nunique"),
        making_progress=("progress", "sum"),
        achieved=("achieved", "sum"),
    )
    out = out.astype(int).reset_index() if by else out.astype(int).reset_index(drop=True)
    return _with_ci(_with_ci(out, "making_progress", "ratings"), "achieved", "ratings")


def voice_summary(answers: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: answers counted (not Don't know), children, positive answers with their share
    and 95% Wilson interval in per cent, and ``not_counted`` (answers left out)."""
    frame = answers.assign(
        kept=answers["counted"].astype(bool),
        good=answers["positive"].astype(bool) & answers["counted"].astype(bool),
    )
    grouped = frame.groupby(by, sort=True, dropna=False) if by else frame.groupby(lambda _: "all")
    out = grouped.agg(
        answers=("kept", "sum"),
        children=("child_id", "nunique"),
        positive=("good", "sum"),
        given=("child_id", "size"),
    )
    out = out.astype(int).reset_index() if by else out.astype(int).reset_index(drop=True)
    out["not_counted"] = out.pop("given") - out["answers"]
    return _with_ci(out, "positive", "answers")


def distribution(ratings: pd.DataFrame, framework: Framework, by: str = "outcome") -> pd.DataFrame:
    """How many ratings of each group fell at each level, best level first, zeros included.

    Columns: ``by``, code, level, count, pct (of the group's ratings)."""
    assert framework.scale is not None
    levels = pd.DataFrame(
        [(lv.code, lv.label, i) for i, lv in enumerate(framework.scale.levels)],
        columns=["code", "level", "rank"],
    )
    groups = pd.DataFrame({by: ratings[by].drop_duplicates().tolist()})
    grid = groups.merge(levels, how="cross")
    counts = ratings.groupby([by, "code"]).size().rename("count").reset_index()
    out = grid.merge(counts, on=[by, "code"], how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    totals = out.groupby(by)["count"].transform("sum")
    out["pct"] = 100 * out["count"] / totals.where(totals > 0)
    return out.sort_values([by, "rank"]).drop(columns="rank").reset_index(drop=True)


def answer_distribution(answers: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """How many gave each answer to each question, in the question's own option order.

    Columns: question, answer, positive, counted, count, pct (of all answers to the question)."""
    rows = [
        (q.id, o, o in q.positive, o not in q.not_counted, i)
        for q in framework.questions
        for i, o in enumerate(q.options)
    ]
    grid = pd.DataFrame(rows, columns=["question", "answer", "positive", "counted", "rank"])
    grid = grid[grid["question"].isin(answers["question"].unique())]
    counts = answers.groupby(["question", "answer"]).size().rename("count").reset_index()
    out = grid.merge(counts, on=["question", "answer"], how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    totals = out.groupby("question")["count"].transform("sum")
    out["pct"] = 100 * out["count"] / totals.where(totals > 0)
    return out.drop(columns="rank").reset_index(drop=True)


def social_care_status(child_ids: pd.Series, cohort: pd.DataFrame | None) -> pd.Series:
    """Each child's social care status from a linked cohort extract (``SOCIAL_CARE`` labels).

    A child links to a cohort row when its pseudonymised id equals any of the row's (UPN, ULN,
    NHS number or local id, all hashed with the same key). The most serious flag in any linked
    row wins: looked after, then a child protection plan, then child in need.
    """
    if cohort is None or cohort.empty:
        return pd.Series(SOCIAL_CARE[-1], index=child_ids.index, dtype="string")
    flags = [
        c for c in ("looked_after", "child_protection_plan", "child_in_need") if c in cohort.columns
    ]
    ids = [c for c in COHORT_IDS if c in cohort.columns]
    long = cohort.melt(id_vars=flags, value_vars=ids, value_name="child_id").dropna(
        subset=["child_id"]
    )
    worst = pd.Series(3, index=long.index)  # linked, no flag
    for rank, flag in reversed(
        list(enumerate(("looked_after", "child_protection_plan", "child_in_need")))
    ):
        if flag in long.columns:
            worst = worst.where(~long[flag].astype("boolean").fillna(False).astype(bool), rank)
    per_child = worst.groupby(long["child_id"].astype("string")).min()
    ranks = child_ids.astype("string").map(per_child).fillna(4).astype(int)
    return ranks.map(dict(enumerate(SOCIAL_CARE))).astype("string")


def with_group(
    frame: pd.DataFrame, dimension: str, cohort: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``frame`` with a ``group`` column for one breakdown (see ``BREAKDOWNS``).

    A young person on two pathways counts once in each pathway's group.
    """
    out = frame.copy()
    if dimension == "social_care":
        out["group"] = social_care_status(out["child_id"], cohort)
    elif dimension == "pathway":
        out["group"] = out["pathway"].astype("string").fillna(NOT_RECORDED).str.split(";")
        out = out.explode("group")
        out["group"] = out["group"].str.strip()
    else:
        values = out[dimension].astype("string").replace("", pd.NA)
        out["group"] = values.fillna(NOT_RECORDED)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class ChangeTest:
    """Whether a share changed between periods. ``direction`` is +1 (up), -1 (down) or 0."""

    method: str
    statistic: float | None
    p_value: float | None
    direction: int
    periods: int

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE and self.direction != 0

    def words(self, what: str = "the share") -> str:
        if self.periods < 2:
            return "Only one period is recorded, so there is no change to test yet."
        if not self.significant:
            return (
                f"No clear change in {what} across {self.periods} periods "
                f"({self.method}, p = {self.p_value:.2f})."
                if self.p_value is not None
                else f"No change in {what} can be tested across these periods."
            )
        way = "risen" if self.direction > 0 else "fallen"
        p_value = self.p_value or 0.0  # significant, so it is set
        p = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
        return (
            f"{what[0].upper()}{what[1:]} has {way} across {self.periods} periods, more than chance "
            f"would explain ({self.method}, {p})."
        )


def change_test(successes: list[int], totals: list[int]) -> ChangeTest:
    """Two periods: two-proportion z-test; three or more: chi-squared test for linear trend."""
    r, n = np.asarray(successes, dtype=float), np.asarray(totals, dtype=float)
    keep = n > 0
    r, n = r[keep], n[keep]
    k = len(n)
    if k < 2:
        return ChangeTest("", None, None, 0, k)
    p_bar = r.sum() / n.sum()
    if p_bar in (0.0, 1.0):
        return ChangeTest("no variation", None, 1.0, 0, k)
    if k == 2:
        diff = r[1] / n[1] - r[0] / n[0]
        z = diff / math.sqrt(p_bar * (1 - p_bar) * (1 / n[0] + 1 / n[1]))
        return ChangeTest(
            "two-proportion z-test",
            float(z),
            2 * dist.norm_sf(abs(z)),
            int(np.sign(diff)),
            k,
        )
    t = np.arange(k, dtype=float)
    t_bar = np.sum(n * t) / n.sum()
    trend = float(np.sum(r * (t - t_bar)))
    chi2 = trend**2 / (p_bar * (1 - p_bar) * np.sum(n * (t - t_bar) ** 2))
    return ChangeTest(
        "chi-squared test for trend",
        float(chi2),
        dist.chi2_sf(chi2, 1),
        int(np.sign(trend)),
        k,
    )


@dataclass(frozen=True)
class Coverage:
    children: int  # children with at least one rating or answer in the period
    with_plan: int  # of whom not recorded as on SEN support
    sen_support: int
    ehc_plans: float | None  # the area's EHC plans (latest published)

    @property
    def share(self) -> float | None:
        return 100 * self.with_plan / self.ehc_plans if self.ehc_plans else None

    def sentence(self, period: str, plans_when: str) -> str:
        if self.ehc_plans is None:
            return f"Outcomes were recorded for {self.with_plan:,} children with EHC plans in {period}."
        share = self.share or 0.0
        pct = "less than 1%" if 0 < share < 1 else f"{share:.0f}%"
        out = (
            f"Outcomes were recorded for {self.with_plan:,} of {self.ehc_plans:,.0f} children with EHC "
            f"plans ({pct}) in {period} ({plans_when} plans)."
        )
        if self.sen_support:
            who = "child" if self.sen_support == 1 else "children"
            out += f" {self.sen_support:,} more {who} on SEN support had outcomes recorded."
        return out


def coverage(
    ratings: pd.DataFrame, answers: pd.DataFrame, period: str, ehc_plans: float | None
) -> Coverage:
    """How many of the area's children with EHC plans the period's returns cover."""
    both = pd.concat(
        [
            ratings[["child_id", "period", "sen_provision"]],
            answers[["child_id", "period", "sen_provision"]],
        ]
    )
    seen = both[both["period"] == period].drop_duplicates("child_id")
    support = int((seen["sen_provision"].astype("string") == "SEN support").sum())
    return Coverage(len(seen), len(seen) - support, support, ehc_plans)


# --- the workshop view: three bands, strictly suppressed --------------------------------------

BANDS = ("achieved", "progress", "not_yet")
VOICE_BANDS = ("positive", "other")
HIDDEN = "hidden"


def rating_bands(ratings: pd.DataFrame, by: str = "outcome") -> pd.DataFrame:
    """Per group, ratings achieved, making progress short of achieved, and not yet, and the total."""
    frame = ratings.assign(
        achieved_=ratings["achieved"].astype(bool),
        progress_=ratings["progress"].astype(bool) & ~ratings["achieved"].astype(bool),
        not_yet_=~ratings["progress"].astype(bool),
    )
    out = frame.groupby(by, sort=False).agg(
        achieved=("achieved_", "sum"),
        progress=("progress_", "sum"),
        not_yet=("not_yet_", "sum"),
        total=("child_id", "size"),
    )
    return out.astype(int).reset_index()


def voice_bands(answers: pd.DataFrame, by: str = "question") -> pd.DataFrame:
    """Per group, counted answers that were positive, the other counted answers, and the total."""
    kept = answers[answers["counted"].astype(bool)]
    frame = kept.assign(
        positive_=kept["positive"].astype(bool), other_=~kept["positive"].astype(bool)
    )
    out = frame.groupby(by, sort=False).agg(
        positive=("positive_", "sum"), other=("other_", "sum"), total=("child_id", "size")
    )
    return out.astype(int).reset_index()


def safe_bands(
    bands: pd.DataFrame,
    by: str,
    names: tuple[str, ...],
    minimum: int = 30,
    threshold: int = 7,
    rounding: int = 5,
) -> pd.DataFrame:
    """Band counts made safe for a room with parent carers, in long form for a stacked bar.

    A group with fewer than ``minimum`` in all is not drawn at all (``too_few``). Otherwise
    the counts go through ``analysis.disclosure.apply_disclosure_control`` (1 to ``threshold``
    hidden, others rounded to ``rounding``, a second count hidden where one alone would be
    worked out from the total); the hidden ones are drawn as one grey "hidden" band (the
    rounded total less the rounded counts shown), and every share is worked out from rounded
    counts, so no true count can be recovered.

    Columns: ``by``, band (a name or "hidden"), count, pct, too_few, total.
    """
    from analysis.disclosure import apply_disclosure_control

    safe = apply_disclosure_control(
        bands, [*names, "total"], threshold=threshold, rounding=rounding
    )
    rows = []
    for (_, true), (_, shown) in zip(bands.iterrows(), safe.iterrows()):
        too_few = bool(true["total"] < minimum or pd.isna(shown["total"]) or shown["total"] == 0)
        visible = {n: shown[n] for n in names if pd.notna(shown[n])}
        suppressed = len(visible) < len(names)
        # Hidden counts show as one band, the rounded total less the rounded counts shown; with
        # nothing hidden the shares are of the rounded counts, so that a bar adds up to 100%.
        hidden = (
            max(float(shown["total"]) - sum(visible.values()), 0.0)
            if suppressed and not too_few
            else 0.0
        )
        whole = sum(visible.values()) + hidden
        for band in [*names, HIDDEN]:
            if band == HIDDEN and not hidden:
                continue
            count = hidden if band == HIDDEN else visible.get(band, np.nan)
            rows.append(
                {
                    by: true[by],
                    "band": band,
                    "count": np.nan if too_few else count,
                    "pct": np.nan
                    if too_few or pd.isna(count) or not whole
                    else 100 * count / whole,
                    "too_few": too_few,
                    "total": np.nan if too_few else float(shown["total"]),
                }
            )
    return pd.DataFrame(rows, columns=[by, "band", "count", "pct", "too_few", "total"])
