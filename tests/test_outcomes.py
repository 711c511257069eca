"""Outcomes analysis against numbers worked by hand.

Wilson 95% intervals are worked from (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)) with
z = 1.95996 (z^2 = 3.8415): e.g. 6 of 10 is (12 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 9.6)) / 27.683 =
0.5722 -/+ 0.2596 = 31.27% to 83.18%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import outcome_indicators as oi
from analysis import outcomes as oc
from indicators import CATALOGUE, DOMAINS
from uploads.frameworks import parse_framework, shipped_frameworks

FRAMEWORK = parse_framework(
    b"""
id = "test"
name = "Test framework"
source = "tests"
[scale]
making_progress = [4, 3]
achieved = [4]
[[scale.levels]]
code = 4
label = "Achieved"
[[scale.levels]]
code = 3
label = "Good progress"
[[scale.levels]]
code = 2
label = "Some progress"
[[scale.levels]]
code = 1
label = "No progress"
[[outcomes]]
id = "a"
statement = "Outcome A"
domain = "good health"
[[outcomes]]
id = "b"
statement = "Outcome B"
domain = "independent living"
[[questions]]
id = "q1"
text = "I feel listened to."
options = ["Yes", "Sometimes", "No", "Don't know"]
positive = ["Yes"]
not_counted = ["Don't know"]
outcome = "a"
""",
    "test.toml",
)

AGES = [4, 7, 10, 12, 15, 16, 19, 20, 25, 9]
NEEDS = ["ASD"] * 5 + ["SEMH"] * 5
A_CODES = [4, 4, 3, 3, 3, 2, 2, 1, 1, 3]  # 6 making progress, 2 achieved
B_CODES = [4, 1, 1, 3, 2]  # 2 making progress, 1 achieved


def _row(child: int, date: str, **values: object) -> dict[str, object]:
    return {
        "framework": "test",
        "child_id": f"c{child}",
        "review_date": pd.Timestamp(date),
        "age": AGES[child - 1],
        "primary_need": NEEDS[child - 1],
        "sen_provision": "SEN support" if child == 10 else "EHC plan",
        "school_urn": "100000",
        "ward_code": None,
        "pathway": "Employment; Independence" if child == 1 else None,
        **values,
    }


@pytest.fixture
def returns() -> pd.DataFrame:
    rows = [
        _row(i, "2024-11-14", outcome="a", progress_rating=c)
        for i, c in enumerate(A_CODES, start=1)
    ]
    rows += [
        _row(i, "2024-11-14", outcome="b", progress_rating=c)
        for i, c in enumerate(B_CODES, start=1)
    ]
    rows.append(
        _row(1, "2024-10-01", outcome="a", progress_rating=1)
    )  # earlier review, same year: replaced
    rows.append(
        _row(1, "2024-11-14", outcome="a", progress_rating=4, framework="other")
    )  # another framework
    answers = ["yes", "YES", "Yes", "sometimes", "No", "don't know", "Don't know"]
    rows += [
        _row(i, "2024-11-14", voice_question="q1", voice_answer=a)
        for i, a in enumerate(answers, start=1)
    ]
    frame = pd.DataFrame(rows)
    frame["agency"] = pd.NA
    return frame


def test_review_periods_by_academic_year_and_term():
    dates = pd.Series(pd.to_datetime(["2024-09-10", "2025-01-15", "2025-05-01", "2024-08-31"]))
    assert oc.review_period(dates).tolist() == ["2024/25", "2024/25", "2024/25", "2023/24"]
    assert oc.review_period(dates, "term").tolist() == [
        "2024/25 autumn term",
        "2024/25 spring term",
        "2024/25 summer term",
        "2023/24 summer term",
    ]


def test_distribution_of_ratings_per_outcome(returns):
    ratings = oc.prepare_ratings(FRAMEWORK, returns)
    assert (
        len(ratings) == 15
    )  # 10 + 5: the earlier review and the other framework's row are not counted
    dist = oc.distribution(ratings, FRAMEWORK)
    a = dist[dist["outcome"] == "a"]
    assert a["code"].tolist() == [4, 3, 2, 1]  # best first
    assert a["count"].tolist() == [2, 4, 2, 2]
    assert a["pct"].tolist() == pytest.approx([20, 40, 20, 20])
    by_domain = oc.distribution(ratings, FRAMEWORK, by="domain")
    assert by_domain[by_domain["domain"] == "independent living"]["count"].tolist() == [1, 1, 1, 2]


def test_shares_making_progress_and_achieved_with_wilson_intervals(returns):
    summary = oc.progress_summary(oc.prepare_ratings(FRAMEWORK, returns), ["outcome"]).set_index(
        "outcome"
    )
    a, b = summary.loc["a"], summary.loc["b"]
    assert (a.ratings, a.children, a.making_progress, a.achieved) == (10, 10, 6, 2)
    assert a.making_progress_pct == pytest.approx(60.0)
    assert (a.making_progress_low, a.making_progress_high) == pytest.approx(
        (31.27, 83.18), abs=0.01
    )
    assert a.achieved_pct == pytest.approx(20.0)
    # 2 of 10: (4 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 6.4)) / 27.683 = 0.2833 -/+ 0.2266
    assert (a.achieved_low, a.achieved_high) == pytest.approx((5.67, 50.98), abs=0.01)
    # 2 of 5: (4 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 4.8)) / 17.683 = 0.4434 -/+ 0.3258
    assert (b.making_progress_pct, b.making_progress_low, b.making_progress_high) == pytest.approx(
        (40.0, 11.76, 76.93), abs=0.01
    )


def test_breakdowns_by_need_age_provision_and_pathway(returns):
    ratings = oc.prepare_ratings(FRAMEWORK, returns)
    a = ratings[ratings["outcome"] == "a"]
    need = oc.progress_summary(oc.with_group(a, "primary_need"), ["group"]).set_index("group")
    # ASD children rated 4, 4, 3, 3, 3: 5 of 5; SEMH 2, 2, 1, 1, 3: 1 of 5.
    assert need.loc["ASD", "making_progress"] == 5 and need.loc["SEMH", "making_progress"] == 1
    # 5 of 5: lower limit n / (n + z^2) = 5 / 8.8415; 1 of 5: 0.3304 -/+ 0.2941.
    assert (
        need.loc["ASD", "making_progress_low"],
        need.loc["ASD", "making_progress_high"],
    ) == pytest.approx((56.55, 100.0), abs=0.01)
    assert (
        need.loc["SEMH", "making_progress_low"],
        need.loc["SEMH", "making_progress_high"],
    ) == pytest.approx((3.62, 62.45), abs=0.01)
    phase = oc.with_group(a, "age_phase").set_index("child_id")["group"]
    assert phase[["c1", "c2", "c4", "c6", "c8"]].tolist() == [
        "Under 5",
        "Age 5 to 10",
        "Age 11 to 15",
        "Age 16 to 19",
        "Age 20 to 25",
    ]
    provision = oc.progress_summary(oc.with_group(a, "sen_provision"), ["group"]).set_index("group")
    assert provision["ratings"].to_dict() == {"EHC plan": 9, "SEN support": 1}
    ward = oc.with_group(a, "ward_code")
    assert set(ward["group"]) == {oc.NOT_RECORDED}
    pathway = oc.with_group(a, "pathway")  # c1 follows two pathways and counts in each
    assert pathway["group"].value_counts().to_dict() == {
        oc.NOT_RECORDED: 9,
        "Employment": 1,
        "Independence": 1,
    }


def test_social_care_status_links_on_any_pseudonymised_id():
    children = pd.Series(["c1", "c2", "c3", "c4", "c5"])
    cohort = pd.DataFrame(
        {
            "agency": ["social care"] * 4,
            "upn": [None, "c3", None, None],
            "local_id": ["c2", None, "c4", "c2"],
            "child_in_need": [True, False, False, True],
            "child_protection_plan": [False, True, False, False],
            "looked_after": [False, False, pd.NA, True],
        }
    )
    status = oc.social_care_status(children, cohort)
    # c2 has two rows: child in need in one, looked after in the other; the more serious wins.
    assert status.tolist() == [
        "Not in the social care extract",
        "Looked after",
        "Child protection plan",
        "Known to social care, no current plan",
        "Not in the social care extract",
    ]
    assert set(oc.social_care_status(children, None)) == {"Not in the social care extract"}


def test_change_between_two_periods_and_trend_across_three():
    # 30/50 then 40/50: pooled p 0.7, SE sqrt(0.7 x 0.3 x (1/50 + 1/50)) = 0.09165, z = 0.2 / 0.09165
    two = oc.change_test([30, 40], [50, 50])
    assert two.method == "two-proportion z-test"
    assert (two.statistic, two.p_value) == pytest.approx((2.1822, 0.0291), abs=1e-4)
    assert two.significant and "has risen across 2 periods" in two.words()
    # 10, 15, 20 of 40 each, scores 0, 1, 2: T = -10 + 0 + 20 = 10, p-bar 0.375,
    # var = 0.375 x 0.625 x 40 x (1 + 0 + 1) = 18.75, chi2 = 100 / 18.75 = 5.333 on 1 df.
    three = oc.change_test([10, 15, 20], [40, 40, 40])
    assert three.method == "chi-squared test for trend"
    assert (three.statistic, three.p_value) == pytest.approx((5.3333, 0.02092), abs=1e-4)
    down = oc.change_test([20, 15, 10], [40, 40, 40])
    assert down.direction == -1 and "has fallen" in down.words()
    flat = oc.change_test([20, 21, 20], [40, 40, 40])
    assert not flat.significant and "No clear change" in flat.words()
    assert oc.change_test([5], [10]).words().startswith("Only one period")


def test_change_over_time_from_returns(returns):
    earlier = returns[returns["outcome"] == "a"].assign(
        review_date=pd.Timestamp("2023-11-14"), progress_rating=1
    )
    ratings = oc.prepare_ratings(FRAMEWORK, pd.concat([returns, earlier]))
    by_year = oc.progress_summary(ratings[ratings["outcome"] == "a"], ["period"])
    assert by_year[["period", "ratings", "making_progress"]].values.tolist() == [
        ["2023/24", 10, 0],
        ["2024/25", 10, 6],
    ]


def test_pupil_voice_share_positive_leaves_out_dont_know(returns):
    answers = oc.prepare_answers(FRAMEWORK, returns)
    assert answers["answer"].tolist() == [
        "Yes",
        "Yes",
        "Yes",
        "Sometimes",
        "No",
        "Don't know",
        "Don't know",
    ]
    summary = oc.voice_summary(answers, ["question"]).iloc[0]
    assert (summary.answers, summary.positive, summary.not_counted) == (5, 3, 2)
    # 3 of 5: (6 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 4.8)) / 17.683 = 0.5566 -/+ 0.3258
    assert (summary.positive_pct, summary.positive_low, summary.positive_high) == pytest.approx(
        (60.0, 23.07, 88.24), abs=0.01
    )
    assert answers["domain"].unique().tolist() == ["good health"]  # q1 evidences outcome a
    dist = oc.answer_distribution(answers, FRAMEWORK)
    assert dist["count"].tolist() == [3, 1, 1, 2]


def test_bradford_counts_most_of_the_time_as_positive():
    fw = shipped_frameworks()["bradford"]
    said = ["Yes"] * 3 + ["most of the time"] * 2 + ["Now and then", "No", "NO"]
    frame = pd.DataFrame(
        {
            "framework": "bradford",
            "child_id": [f"c{i}" for i in range(8)],
            "review_date": pd.Timestamp("2025-01-10"),
            "voice_question": "feel_safe",
            "voice_answer": said,
            "age": 12,
        }
    )
    summary = oc.voice_summary(oc.prepare_answers(fw, frame), ["outcome"]).iloc[0]
    # 5 of 8: (10 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 7.5)) / 23.683 = 0.5845 -/+ 0.2787
    assert (summary.outcome, summary.answers, summary.positive) == ("supported_safe", 8, 5)
    assert (summary.positive_pct, summary.positive_low, summary.positive_high) == pytest.approx(
        (62.5, 30.57, 86.32), abs=0.01
    )


def test_generic_returns_read_with_the_national_framework():
    fw = shipped_frameworks()["national"]
    generic = pd.DataFrame(
        {  # read_upload's outcomes_return: no framework column, outcomes in own words
            "child_id": ["c1", "c2", "c3"],
            "review_date": pd.Timestamp("2024-12-01"),
            "age": [8, 9, 10],
            "outcome": ["CYP with SEND are safe from harm", "Travel to school alone", None],
            "domain": ["good health", "independent living", None],
            "progress_rating": [5, 2, None],
            "voice_question": [
                None,
                None,
                "I feel listened to and confident in developing my goals.",
            ],
            "voice_answer": [None, None, "sometimes"],
        }
    )
    ratings = oc.prepare_ratings(fw, generic)
    assert ratings[["outcome", "domain", "progress"]].values.tolist() == [
        ["safe_from_harm", "good health", True],
        ["", "independent living", False],
    ]
    assert oc.prepare_answers(fw, generic)["answer"].tolist() == ["Sometimes"]
    assert oc.prepare_ratings(shipped_frameworks()["middlesbrough"], generic).empty


def test_coverage_said_plainly(returns):
    ratings, answers = (
        oc.prepare_ratings(FRAMEWORK, returns),
        oc.prepare_answers(FRAMEWORK, returns),
    )
    cov = oc.coverage(ratings, answers, "2024/25", 7493)
    assert (cov.children, cov.with_plan, cov.sen_support) == (10, 9, 1)  # c10 is on SEN support
    assert cov.sentence("2024/25", "January 2025") == (
        "Outcomes were recorded for 9 of 7,493 children with EHC plans (less than 1%) in 2024/25 (January "
        "2025 plans). 1 more child on SEN support had outcomes recorded."
    )
    assert "412 of 7,493 children with EHC plans (5%)" in oc.Coverage(412, 412, 0, 7493).sentence(
        "2024/25", "x"
    )
    assert oc.coverage(ratings, answers, "2023/24", 7493).children == 0


def test_workshop_bands_hide_small_numbers_and_small_groups():
    bands = pd.DataFrame(
        {
            "outcome": ["x", "y", "z"],
            "achieved": [3, 5, 12],
            "progress": [40, 10, 21],
            "not_yet": [12, 5, 33],
            "total": [55, 20, 66],
        }
    )
    safe = oc.safe_bands(bands, "outcome", oc.BANDS).set_index(["outcome", "band"])
    # x: 3 is hidden (1 to 7), so the next smallest, 12, is hidden too; 40 and 55 are shown
    # rounded; the two hidden are one grey band of 55 - 40 = 15.
    assert np.isnan(safe.loc[("x", "achieved"), "count"]) and np.isnan(
        safe.loc[("x", "not_yet"), "count"]
    )
    assert safe.loc[("x", "progress"), "count"] == 40 and safe.loc[("x", oc.HIDDEN), "count"] == 15
    assert safe.loc[("x", "progress"), "pct"] == pytest.approx(100 * 40 / 55)
    # y: 20 in all, fewer than 30: not drawn at all.
    assert (
        safe.xs("y", level="outcome")["too_few"].all()
        and safe.xs("y", level="outcome")["count"].isna().all()
    )
    # z: nothing hidden; rounded to 10, 20, 35, and shares of their sum (65) so the bar is whole.
    z = safe.xs("z", level="outcome")
    assert z["count"].tolist() == [10, 20, 35] and oc.HIDDEN not in z.index
    assert z["pct"].tolist() == pytest.approx([100 * 10 / 65, 100 * 20 / 65, 100 * 35 / 65])
    shown = safe["count"].dropna()
    assert ((shown % 5 == 0) & ~shown.between(1, 7)).all()


def test_national_indicators_exist_and_notes_say_what_stands_in():
    assert set(oi.NATIONAL_INDICATORS) == set(DOMAINS) == set(oi.NOTES)
    assert all(i in CATALOGUE for ids in oi.NATIONAL_INDICATORS.values() for i in ids)
    assert "att8_ehc" in oi.NATIONAL_INDICATORS["learning and employment"]
    assert (
        "Attainment 8" in oi.NOTES["learning and employment"]
        and "key stage 4" in oi.NOTES["learning and employment"]
    )
    assert {s.domain for s in oi.SURVEY_SLOTS} == {
        "friends, relationships and community",
        "good health",
    }


def test_survey_slots_find_their_question_and_share_positive():
    question = (
        "local:survey:young_people:are_you_able_to_take_part_in_the_leisure_activities_you_choose"
    )
    rows = pd.DataFrame(
        {
            "indicator": question,
            "area_code": "E08000032",
            "period": "2023/24",
            "breakdown": ["answer=Yes", "answer=Sometimes", "answer=No"],
            "numerator": [88.0, 61.0, 43.0],
            "denominator": 192.0,
        }
    )
    leisure = next(s for s in oi.SURVEY_SLOTS if s.key == "leisure")
    assert oi.suggest_question(oi.survey_questions(rows), leisure) == question
    assert oi.default_positive(oi.survey_answers(rows, question)) == ["Yes"]
    assert oi.default_positive(["Very confident", "Fairly confident", "Not very confident"]) == [
        "Very confident",
        "Fairly confident",
    ]
    share = oi.survey_share(rows, question, ["Yes"], "E08000032").iloc[0]
    # 88 of 192: (176 + 3.8415 -/+ 1.96 x sqrt(3.8415 + 352 x 104/192)) / 391.683 = 0.4592 -/+ 0.0698
    assert (share.positive, share.respondents) == (88, 192)
    assert (share.pct, share.low, share.high) == pytest.approx((45.83, 38.94, 52.89), abs=0.01)
