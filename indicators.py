"""The indicator catalogue and the queries every page uses over the tidy table.

Each indicator says what it measures in plain English, its unit and polarity, which lens
and Results Based Accountability question it answers, and how its numerator and
denominator are formed. Values live in the tidy table (see ``tidy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from tidy import period_sort_key

UNITS = ("count", "%", "rate per 10,000", "score", "£")
POLARITIES = ("high", "low", "none")
LENSES = ("profile", "governance", "outcomes")
RBA_QUESTIONS = ("how much", "how well", "better off")
DOMAINS = (
    "learning and employment",
    "friends, relationships and community",
    "good health",
    "independent living",
)


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str
    unit: str
    polarity: str
    lens: str
    rba: str
    source: str  # a dataset key listed in data/SOURCES.md
    numerator: str = ""
    denominator: str = ""
    domain: str = ""
    period_type: str = "academic"  # academic, calendar or financial
    caveats: str = ""
    lait_code: str = ""  # measure code in DfE's LAIT table, for indicators read from it
    topic: str = ""
    breakdowns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_proportion(self) -> bool:
        return self.unit == "%"


SEN2_BREAK = (
    "From January 2023 SEN2 became a person-level return, so figures from 2023 on are not "
    "strictly comparable with earlier years."
)
SEN2 = "DfE, Education, health and care plans (SEN2)"
LAIT = "DfE, Local Authority Interactive Tool (LAIT)"
SEN_IN_ENGLAND = "DfE, Special educational needs in England (school census, January)"
# Outcome shares use reviews with an outcome recorded, not all reviews held: in 2024 England
# recorded one for 358,889 of 453,761 reviews held, and some LAs for none, so a share of all
# reviews would read "no outcome recorded" as "not amended".
REVIEW_OUTCOMES_CAVEAT = (
    "First published for 2024. Shares are of reviews held with an outcome recorded; 12 LAs "
    "recorded no outcomes in 2024 and have no value, and where an LA recorded few the share "
    "rests on few reviews (see the denominator)."
)
# From January 2024 some budgets have no type recorded; in some earlier returns an LA's types
# add up to more than its total. So the types are counts, not shares of all personal budgets.
PB_TYPES_CAVEAT = (
    "The four types do not always add up to all plans with a personal budget: in January 2025 "
    "England had 17,022 with a type recorded of 19,596, and in some earlier returns an LA's "
    "types add up to more than its total. " + SEN2_BREAK
)


def _sen2(id: str, title: str, definition: str, unit: str, **kw) -> Indicator:
    kw.setdefault("lens", "governance")
    kw.setdefault("rba", "how much" if unit == "count" else "how well")
    kw.setdefault("polarity", "none")
    kw.setdefault("topic", "EHC needs assessments and plans")
    kw.setdefault("caveats", SEN2_BREAK)
    return Indicator(id=id, title=title, definition=definition, unit=unit, source="sen2", **kw)


def _lait(id: str, code: str, title: str, definition: str, unit: str = "%", **kw) -> Indicator:
    kw.setdefault("rba", "better off")
    kw.setdefault("lens", "outcomes")
    kw.setdefault("polarity", "high")
    return Indicator(
        id=id, title=title, definition=definition, unit=unit, source="lait", lait_code=code, **kw
    )


def _sen_in_england(id: str, title: str, definition: str, unit: str, **kw) -> Indicator:
    kw.setdefault("breakdowns", ("sen_provision", "primary_need"))
    return Indicator(
        id=id,
        title=title,
        definition=definition,
        unit=unit,
        polarity="none",
        lens="profile",
        rba="how much",
        source="sen_in_england",
        topic="Prevalence",
        caveats="Only present after `python -m data_loaders.refresh.command` has fetched the release.",
        **kw,
    )


_ENTRIES: list[Indicator] = [
    # --- EHC plans: how many, where ---------------------------------------------------------
    _sen2(
        "ehc_plans",
        "EHC plans",
        "Children and young people aged 0-25 with an education, health and care plan "
        "(or, before 2014-2018, a statement of SEN) maintained by the local authority in January.",
        "count",
        lens="profile",
        topic="Prevalence",
        caveats=SEN2_BREAK
        + " Up to January 2018 the count includes statements of SEN that had not yet "
        "transferred to EHC plans.",
        breakdowns=("age",),
    ),
    _sen2(
        "ehc_plans_rate",
        "EHC plans per 10,000 aged 0-25",
        "EHC plans maintained in January per 10,000 residents aged 0 to 25.",
        "rate per 10,000",
        lens="profile",
        topic="Prevalence",
        numerator="EHC plans in January (SEN2)",
        denominator="ONS mid-2020 population aged 0-25",
        caveats="The population is the ONS mid-2020 estimate for every year, so rates for "
        "years far from 2020 drift with population change. " + SEN2_BREAK,
    ),
    _sen2(
        "ehc_new_plans",
        "New EHC plans",
        "EHC plans made for the first time during the calendar year.",
        "count",
        period_type="calendar",
    ),
    _sen2(
        "ehc_requests",
        "Initial requests for an EHC needs assessment",
        "Requests for an EHC needs assessment received during the calendar year from "
        "children, young people or families not already holding a plan.",
        "count",
        period_type="calendar",
    ),
    _sen2(
        "ehc_requests_refused_pct",
        "Requests for assessment refused",
        "Share of initial requests for an EHC needs assessment where the local authority "
        "decided not to assess.",
        "%",
        numerator="requests where the LA decided not to assess",
        denominator="initial requests received in the year",
        period_type="calendar",
        caveats="Some requests received late in the year are decided the next year. " + SEN2_BREAK,
    ),
    _sen2(
        "ehc_requests_6wk_pct",
        "Decisions whether to assess made within 6 weeks",
        "Share of initial requests where the decision whether to assess was made within "
        "the statutory 6 weeks.",
        "%",
        polarity="high",
        numerator="requests decided within 6 weeks",
        denominator="requests with a decision",
        period_type="calendar",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_assessments",
        "EHC needs assessments completed",
        "EHC needs assessments that reached an outcome (plan issued or not) in the year.",
        "count",
        period_type="calendar",
    ),
    _sen2(
        "ehc_assess_issued_pct",
        "Assessments that led to a plan",
        "Share of completed EHC needs assessments where the local authority issued a plan.",
        "%",
        numerator="assessments where a plan was issued",
        denominator="assessments completed in the year",
        period_type="calendar",
    ),
    _sen2(
        "ehc_not_issue_16wk_pct",
        "Decisions not to issue a plan made within 16 weeks",
        "Share of EHC needs assessments ending in a decision not to issue a plan where the "
        "decision was made within the statutory 16 weeks of the request.",
        "%",
        polarity="high",
        numerator="decisions not to issue made within 16 weeks",
        denominator="decisions not to issue a plan",
        period_type="calendar",
        topic="Timeliness",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_request_mediations",
        "Requests for assessment that went to mediation",
        "Requests for an EHC needs assessment in the calendar year that were subject to mediation.",
        "count",
        period_type="calendar",
        topic="Disagreements",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_20wk_pct",
        "New EHC plans issued within 20 weeks (including exceptions)",
        "Share of new EHC plans issued within the statutory 20 weeks of the request, "
        "counting all plans including those where an exception to the time limit applied.",
        "%",
        polarity="high",
        numerator="new plans issued within 20 weeks",
        denominator="new plans issued in the calendar year",
        period_type="calendar",
        topic="Timeliness",
    ),
    _sen2(
        "ehc_20wk_ex_pct",
        "New EHC plans issued within 20 weeks (excluding exceptions)",
        "Share of new EHC plans issued within 20 weeks, leaving out plans where an exception "
        "to the time limit applied (for example a school holiday or the family's request).",
        "%",
        polarity="high",
        numerator="new plans without an exception issued within 20 weeks",
        denominator="new plans without an exception issued in the calendar year",
        period_type="calendar",
        topic="Timeliness",
    ),
    _sen2(
        "ehc_20wk_to_1yr_pct",
        "New EHC plans issued after 20 weeks but within a year",
        "Share of new EHC plans issued more than 20 weeks but no more than 52 weeks after the "
        "request (including exceptions).",
        "%",
        polarity="low",
        numerator="new plans issued after 20 and within 52 weeks",
        denominator="new plans issued in the calendar year",
        period_type="calendar",
        topic="Timeliness",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_over_1yr_pct",
        "New EHC plans that took over a year",
        "Share of new EHC plans issued more than 52 weeks after the request (including exceptions).",
        "%",
        polarity="low",
        numerator="new plans issued after 52 weeks",
        denominator="new plans issued in the calendar year",
        period_type="calendar",
        topic="Timeliness",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_mainstream_pct",
        "EHC plans in mainstream settings",
        "Share of EHC plans in January whose placement is a mainstream school (maintained, "
        "academy, free or independent, including resourced provision and SEN units).",
        "%",
        lens="profile",
        numerator="plans placed in mainstream schools",
        denominator="all EHC plans",
        topic="Where children are educated",
        domain="friends, relationships and community",
        caveats="Percentages use all plans, including those for young people in further "
        "education, training or not in education, as the denominator. " + SEN2_BREAK,
    ),
    _sen2(
        "ehc_special_pct",
        "EHC plans in special schools",
        "Share of EHC plans in January whose placement is a special school (maintained, "
        "academy, free, non-maintained or independent).",
        "%",
        lens="profile",
        numerator="plans placed in special schools",
        denominator="all EHC plans",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_independent_special_pct",
        "EHC plans in independent or non-maintained special schools",
        "Share of EHC plans in January placed in independent or non-maintained special schools.",
        "%",
        lens="profile",
        numerator="plans in independent and non-maintained special schools",
        denominator="all EHC plans",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_ap_pct",
        "EHC plans in alternative provision",
        "Share of EHC plans in January placed in alternative provision or a pupil referral unit.",
        "%",
        lens="profile",
        numerator="plans placed in AP or PRUs",
        denominator="all EHC plans",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_fe_pct",
        "EHC plans in further education",
        "Share of EHC plans in January held by young people in general FE, sixth-form or "
        "specialist post-16 institutions.",
        "%",
        lens="profile",
        numerator="plans placed in further education",
        denominator="all EHC plans",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_neet_pct",
        "EHC plans held by young people not in education, employment or training",
        "Share of EHC plans in January held by young people who are NEET.",
        "%",
        lens="profile",
        polarity="low",
        rba="better off",
        numerator="plans held by NEET young people",
        denominator="all EHC plans",
        topic="Where children are educated",
        domain="learning and employment",
    ),
    _sen2(
        "ehc_home_ed_pct",
        "EHC plans held by electively home educated children",
        "Share of EHC plans in January where the child is electively home educated.",
        "%",
        lens="profile",
        numerator="plans with elective home education",
        denominator="all EHC plans",
        topic="Where children are educated",
        caveats="Published from 2023, when SEN2 became person-level.",
    ),
    _sen2(
        "ehc_new_mainstream_pct",
        "New EHC plans placed in mainstream",
        "Share of EHC plans made in the calendar year whose placement is a mainstream school.",
        "%",
        numerator="new plans placed in mainstream schools",
        denominator="new EHC plans",
        period_type="calendar",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_new_special_pct",
        "New EHC plans placed in special schools",
        "Share of EHC plans made in the calendar year whose placement is a special school.",
        "%",
        numerator="new plans placed in special schools",
        denominator="new EHC plans",
        period_type="calendar",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_new_ap_pct",
        "New EHC plans placed in alternative provision",
        "Share of EHC plans made in the calendar year whose placement is alternative provision "
        "or a pupil referral unit.",
        "%",
        numerator="new plans placed in AP or PRUs",
        denominator="new EHC plans",
        period_type="calendar",
        topic="Where children are educated",
    ),
    _sen2(
        "ehc_new_fe_pct",
        "New EHC plans placed in further education",
        "Share of EHC plans made in the calendar year whose placement is a general FE or "
        "sixth-form college, a specialist post-16 institution or another post-16 provider.",
        "%",
        numerator="new plans placed in further education",
        denominator="new EHC plans",
        period_type="calendar",
        topic="Where children are educated",
        caveats="Other post-16 providers on the UK Register of Learning Providers are counted "
        "from 2022 only (DfE prints 'x' for them before). " + SEN2_BREAK,
    ),
    _sen2(
        "ehc_reviews_expected",
        "Annual reviews due",
        "EHC plans due an annual review in the calendar year.",
        "count",
        period_type="calendar",
        topic="Annual reviews",
        caveats="First published for 2024.",
    ),
    _sen2(
        "ehc_primary_need_pct",
        "Primary need of children and young people with EHC plans",
        "Share of EHC plans in January by the primary type of need recorded.",
        "%",
        lens="profile",
        numerator="plans with that primary need",
        denominator="all EHC plans",
        topic="Prevalence",
        breakdowns=("primary_need",),
        caveats="Published by LA for all plans from January 2025 (SEN2 2025 release).",
    ),
    _sen2(
        "ehc_annual_reviews_pct",
        "Annual reviews held",
        "Share of EHC plans due an annual review in the calendar year that had a review "
        "meeting recorded.",
        "%",
        polarity="high",
        numerator="annual review meetings recorded",
        denominator="annual reviews expected",
        period_type="calendar",
        topic="Annual reviews",
        caveats="First published for 2024.",
    ),
    _sen2(
        "ehc_review_4wk_pct",
        "Annual review decisions sent within 4 weeks",
        "Share of annual review decisions communicated within 4 weeks of the meeting.",
        "%",
        polarity="high",
        numerator="decisions within 4 weeks",
        denominator="decisions made",
        period_type="calendar",
        topic="Annual reviews",
        caveats="First published for 2024.",
    ),
    _sen2(
        "ehc_review_amend_pct",
        "Annual reviews with a decision to amend the plan",
        "Share of annual reviews held in the calendar year with an outcome recorded where the "
        "local authority decided to amend the plan.",
        "%",
        numerator="reviews where the decision was to amend the plan",
        denominator="reviews held with an outcome recorded (amend, maintain or cease)",
        period_type="calendar",
        topic="Annual reviews",
        caveats=REVIEW_OUTCOMES_CAVEAT,
    ),
    _sen2(
        "ehc_review_maintain_pct",
        "Annual reviews with a decision to maintain the plan as it is",
        "Share of annual reviews held in the calendar year with an outcome recorded where the "
        "local authority decided to maintain the plan as it is.",
        "%",
        numerator="reviews where the decision was to maintain the plan as it is",
        denominator="reviews held with an outcome recorded (amend, maintain or cease)",
        period_type="calendar",
        topic="Annual reviews",
        caveats=REVIEW_OUTCOMES_CAVEAT,
    ),
    _sen2(
        "ehc_review_cease_pct",
        "Annual reviews with a decision to cease the plan",
        "Share of annual reviews held in the calendar year with an outcome recorded where the "
        "local authority decided to cease the plan.",
        "%",
        numerator="reviews where the decision was to cease the plan",
        denominator="reviews held with an outcome recorded (amend, maintain or cease)",
        period_type="calendar",
        topic="Annual reviews",
        caveats=REVIEW_OUTCOMES_CAVEAT,
    ),
    _sen2(
        "ehc_ceased",
        "EHC plans ceased",
        "EHC plans that ended during the calendar year, for any reason.",
        "count",
        period_type="calendar",
        breakdowns=("reason",),
    ),
    _sen2(
        "ehc_personal_budgets",
        "EHC plans with a personal budget",
        "EHC plans in January with a personal budget in place.",
        "count",
        topic="Personal budgets",
    ),
    _sen2(
        "ehc_pb_education",
        "EHC plans with a personal budget for education only",
        "EHC plans in January with a personal budget in place that covers education only.",
        "count",
        topic="Personal budgets",
        caveats=PB_TYPES_CAVEAT,
    ),
    _sen2(
        "ehc_pb_health",
        "EHC plans with a personal budget for health only",
        "EHC plans in January with a personal budget in place that covers health only.",
        "count",
        topic="Personal budgets",
        caveats=PB_TYPES_CAVEAT,
    ),
    _sen2(
        "ehc_pb_social_care",
        "EHC plans with a personal budget for social care only",
        "EHC plans in January with a personal budget in place that covers social care only.",
        "count",
        topic="Personal budgets",
        caveats=PB_TYPES_CAVEAT,
    ),
    _sen2(
        "ehc_pb_integrated",
        "EHC plans with an integrated personal budget",
        "EHC plans in January with a personal budget in place that covers two or more of "
        "education, health and social care.",
        "count",
        topic="Personal budgets",
        caveats=PB_TYPES_CAVEAT,
    ),
    Indicator(
        id="tribunal_appeal_rate",
        title="SEND Tribunal appeal rate",
        definition="Appeals registered with the SEND Tribunal as a share of all appealable "
        "decisions the local authority made in the calendar year.",
        unit="%",
        polarity="low",
        lens="governance",
        rba="how well",
        source="tribunals",
        numerator="appeals registered",
        denominator="appealable decisions",
        period_type="calendar",
        topic="Disagreements",
        caveats="Ministry of Justice figures. The 2024 rate uses DfE's established count of "
        "appealable decisions, not the 'in development' count from the new SEN2 collection.",
    ),
    # --- SEN in schools: prevalence ---------------------------------------------------------
    _lait(
        "sen_ehc_pct",
        "SEN_TotStat",
        "Pupils with an EHC plan",
        "Share of pupils in state-funded and independent schools in January with an EHC plan "
        "(or statement).",
        lens="profile",
        rba="how much",
        polarity="none",
        topic="Prevalence",
        numerator="pupils with an EHC plan",
        denominator="all pupils",
    ),
    _lait(
        "sen_support_pct",
        "SEN_TotSENSuP",
        "Pupils receiving SEN support",
        "Share of pupils in January with special educational needs but no EHC plan (SEN support).",
        lens="profile",
        rba="how much",
        polarity="none",
        topic="Prevalence",
        numerator="pupils on SEN support",
        denominator="all pupils",
    ),
    _lait(
        "sen_ehc_primary_pct",
        "PrimStatements",
        "Primary pupils with an EHC plan",
        "Share of pupils in state-funded primary schools in January with an EHC plan.",
        lens="profile",
        rba="how much",
        polarity="none",
        topic="Prevalence",
    ),
    _lait(
        "sen_ehc_secondary_pct",
        "SecStatements",
        "Secondary pupils with an EHC plan",
        "Share of pupils in state-funded secondary schools in January with an EHC plan.",
        lens="profile",
        rba="how much",
        polarity="none",
        topic="Prevalence",
    ),
    # --- Attainment by SEN status -----------------------------------------------------------
    _lait(
        "eyfs_gld_ehc",
        "FSP_Gooddev_With_SENSTATE",
        "Good level of development at age 5: children with an EHC plan",
        "Share of children with an EHC plan reaching a good level of development at the end "
        "of the Early Years Foundation Stage.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "eyfs_gld_sen_support",
        "FSP_Gooddev_Without_SENSTATE",
        "Good level of development at age 5: children on SEN support",
        "Share of children on SEN support reaching a good level of development at the end of "
        "the Early Years Foundation Stage.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "phonics_ehc",
        "KS1P_EHCP",
        "Phonics check passed: pupils with an EHC plan",
        "Share of Year 1 pupils with an EHC plan meeting the expected standard in the phonics "
        "screening check.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "phonics_sen_support",
        "KS1P_SEND",
        "Phonics check passed: pupils on SEN support",
        "Share of Year 1 pupils on SEN support meeting the expected standard in the phonics "
        "screening check.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "phonics_no_sen",
        "KS1P_NonSEND",
        "Phonics check passed: pupils with no SEN",
        "Share of Year 1 pupils with no identified SEN meeting the expected standard in the "
        "phonics screening check.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "ks2_rwm_ehc",
        "NEW_KS2_RWM_Sen_Withsta",
        "Expected standard at 11 (reading, writing, maths): pupils with an EHC plan",
        "Share of pupils with an EHC plan meeting the expected standard in reading, writing "
        "and maths at the end of key stage 2.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "ks2_rwm_sen_support",
        "NEW_KS2_RWM_Sen_W/Osta",
        "Expected standard at 11 (reading, writing, maths): pupils on SEN support",
        "Share of pupils on SEN support meeting the expected standard in reading, writing and "
        "maths at the end of key stage 2.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "ks2_rwm_no_sen",
        "NoID_SEN_NEW_KS2_RWM",
        "Expected standard at 11 (reading, writing, maths): pupils with no SEN",
        "Share of pupils with no identified SEN meeting the expected standard in reading, "
        "writing and maths at the end of key stage 2.",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "att8_ehc",
        "SEN_Stat_AVG_Attain8_Score",
        "Attainment 8 at 16: pupils with an EHC plan",
        "Average Attainment 8 score per pupil with an EHC plan at the end of key stage 4.",
        unit="score",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "att8_sen_support",
        "SEN_WoStat_AVG_Attain8_Score",
        "Attainment 8 at 16: pupils on SEN support",
        "Average Attainment 8 score per pupil on SEN support at the end of key stage 4.",
        unit="score",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "att8_no_sen",
        "SEN_NoID_AVG_Attain8_Score",
        "Attainment 8 at 16: pupils with no SEN",
        "Average Attainment 8 score per pupil with no identified SEN at the end of key stage 4.",
        unit="score",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "p8_ehc",
        "SEN_Stat_AVG_Prog8_Score",
        "Progress 8: pupils with an EHC plan",
        "Average Progress 8 score of pupils with an EHC plan (0 is average progress for "
        "pupils with the same starting point nationally).",
        unit="score",
        topic="Attainment",
        domain="learning and employment",
        caveats="No Progress 8 was published for 2019/20 and 2020/21 (no exams); the 2024/25 "
        "score is not published because there were no KS2 tests in 2020.",
    ),
    _lait(
        "p8_sen_support",
        "SEN_WoStat_AVG_Prog8_Score",
        "Progress 8: pupils on SEN support",
        "Average Progress 8 score of pupils on SEN support.",
        unit="score",
        topic="Attainment",
        domain="learning and employment",
    ),
    _lait(
        "age19_l2_ehc",
        "Age19_SEN-S",
        "Level 2 by age 19: young people with an EHC plan",
        "Share of 19-year-olds who had an EHC plan at school qualified to level 2 (five good "
        "GCSEs or equivalent).",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "age19_l2_sen_support",
        "Age19_SENwoS",
        "Level 2 by age 19: young people who had SEN support",
        "Share of 19-year-olds who had SEN support at school qualified to level 2.",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "age19_l2_no_sen",
        "Age19_NoNSEN",
        "Level 2 by age 19: young people with no SEN",
        "Share of 19-year-olds with no identified SEN at school qualified to level 2.",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "age19_l3_ehc",
        "Age19_SEN-S_L3",
        "Level 3 by age 19: young people with an EHC plan",
        "Share of 19-year-olds who had an EHC plan at school qualified to level 3 "
        "(two A levels or equivalent).",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "ks4_destination_ehc",
        "SusEdOverall_SEN_Stat_incSpec",
        "Sustained education or work after 16: pupils with an EHC plan",
        "Share of key stage 4 pupils with an EHC plan (including special schools) in a "
        "sustained education, employment or training destination the following year.",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "ks4_destination_sen_support",
        "SusEdOverall_SEN_NoStat_incSpec",
        "Sustained education or work after 16: pupils on SEN support",
        "Share of key stage 4 pupils on SEN support in a sustained education, employment or "
        "training destination the following year.",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "ks4_destination_no_sen",
        "SusEdOverall_NoSEN_incSpec",
        "Sustained education or work after 16: pupils with no SEN",
        "Share of key stage 4 pupils with no identified SEN in a sustained education, "
        "employment or training destination the following year.",
        topic="Preparing for adulthood",
        domain="learning and employment",
    ),
    _lait(
        "sen_16_17_in_education_pct",
        "16-17YroldSEN_ET",
        "16-17 year olds with SEND in education or training",
        "Share of 16 and 17 year olds with SEND known to the local authority who are in "
        "education or training at the end of March.",
        topic="Preparing for adulthood",
        domain="learning and employment",
        period_type="calendar",
    ),
    _lait(
        "neet_16_17_pct",
        "16-17 NEET",
        "16-17 year olds not in education, employment or training (all young people)",
        "Share of all 16 and 17 year olds known to the local authority who are NEET "
        "(December to February average).",
        polarity="low",
        topic="Preparing for adulthood",
        domain="learning and employment",
        period_type="calendar",
        caveats="All young people, not only those with SEND: LAIT does not split NEET by SEND.",
    ),
    # --- Absence and exclusions -------------------------------------------------------------
    _lait(
        "special_persistent_absence_pct",
        "SpecPerAbNew",
        "Persistent absence in special schools",
        "Share of pupils in state-funded special schools missing 10% or more of sessions.",
        polarity="low",
        lens="profile",
        topic="Absence and exclusions",
        domain="learning and employment",
    ),
    _lait(
        "special_absence_pct",
        "total_absence_special",
        "Overall absence in special schools",
        "Share of possible sessions missed in state-funded special schools, for any reason.",
        polarity="low",
        lens="profile",
        topic="Absence and exclusions",
        domain="learning and employment",
    ),
    _lait(
        "special_suspension_rate",
        "SpecFixedEx",
        "Suspensions in special schools",
        "Suspensions in state-funded special schools as a percentage of the special school "
        "population.",
        polarity="low",
        lens="profile",
        topic="Absence and exclusions",
        domain="learning and employment",
    ),
    _lait(
        "special_permanent_exclusion_rate",
        "SpecPermEx",
        "Permanent exclusions from special schools",
        "Permanent exclusions from state-funded special schools as a percentage of the special "
        "school population.",
        polarity="low",
        lens="profile",
        topic="Absence and exclusions",
        domain="learning and employment",
    ),
    # --- Children in need and looked after --------------------------------------------------
    _lait(
        "cin_ehc_pct",
        "CINStatement",
        "Children in need with an EHC plan",
        "Share of school-age children in need who have an EHC plan (or statement).",
        polarity="none",
        lens="profile",
        rba="how much",
        topic="Children in need and looked after",
    ),
    _lait(
        "cin_sen_support_pct",
        "CINSEN_SUP",
        "Children in need on SEN support",
        "Share of school-age children in need who receive SEN support.",
        polarity="none",
        lens="profile",
        rba="how much",
        topic="Children in need and looked after",
    ),
    _lait(
        "cla_ehc_pct",
        "LAC_SEN_Statement",
        "Looked-after children with an EHC plan",
        "Share of children looked after continuously for 12 months who have an EHC plan "
        "(or statement).",
        polarity="none",
        lens="profile",
        rba="how much",
        topic="Children in need and looked after",
    ),
    _lait(
        "cla_sen_support_pct",
        "LAC_SEN",
        "Looked-after children on SEN support",
        "Share of children looked after continuously for 12 months who receive SEN support.",
        polarity="none",
        lens="profile",
        rba="how much",
        topic="Children in need and looked after",
    ),
    _lait(
        "sen_unit_cost",
        "SENFinance",
        "Spending on SEN per child (approximate weekly unit cost)",
        "Local authority spending on special educational needs from the section 251 outturn, "
        "as an approximate weekly unit cost.",
        unit="£",
        polarity="none",
        lens="governance",
        rba="how much",
        topic="Money",
        period_type="financial",
    ),
    Indicator(
        id="social_care_sen_pct",
        title="Children in social care groups with SEN",
        definition="Share of pupils in each social care group (children in need, on a child "
        "protection plan, looked after) who have an EHC plan or receive SEN support.",
        unit="%",
        polarity="none",
        lens="profile",
        rba="how much",
        source="children_in_need",
        numerator="pupils in the group with an EHC plan (or with SEN support)",
        denominator="pupils in the group",
        topic="Children in need and looked after",
        breakdowns=("social_care_group", "sen_provision"),
    ),
    Indicator(
        id="absence_overall_pct",
        title="Overall absence by SEN status",
        definition="Share of possible school sessions missed for any reason, by pupils' SEN "
        "status.",
        caveats="Not published for 2019/20 (the pandemic). London has no regional figure in "
        "this table.",
        unit="%",
        polarity="low",
        lens="profile",
        rba="better off",
        source="absence_by_sen",
        domain="learning and employment",
        topic="Absence and exclusions",
        breakdowns=("sen_provision",),
    ),
    # --- Schools ----------------------------------------------------------------------------
    Indicator(
        id="school_ehc_pct",
        title="Pupils with an EHC plan, by school",
        definition="Share of a school's pupils on roll in January with an EHC plan.",
        unit="%",
        polarity="none",
        lens="profile",
        rba="how much",
        source="schools",
        numerator="pupils with an EHC plan",
        denominator="pupils on roll",
        topic="Prevalence",
        caveats="Counts pupils where they go to school, not where they live.",
    ),
    Indicator(
        id="school_sen_support_pct",
        title="Pupils on SEN support, by school",
        definition="Share of a school's pupils on roll in January receiving SEN support.",
        unit="%",
        polarity="none",
        lens="profile",
        rba="how much",
        source="schools",
        numerator="pupils on SEN support",
        denominator="pupils on roll",
        topic="Prevalence",
        caveats="Counts pupils where they go to school, not where they live.",
    ),
    # --- Special educational needs in England (fetched by the refresh command) -------------
    _sen_in_england(
        "sen_pupils",
        "Pupils with special educational needs",
        "Pupils in January with SEN support or an EHC plan, in state-funded, non-maintained "
        "special and independent schools.",
        "count",
        breakdowns=("sen_provision",),
    ),
    _sen_in_england(
        "sen_primary_need_pupils",
        "Pupils with SEN by primary need",
        "Pupils in January with SEN support or an EHC plan, by their primary type of need.",
        "count",
    ),
    _sen_in_england(
        "sen_primary_need_pct",
        "Primary need of pupils with SEN",
        "Share of pupils with SEN (all, or those with SEN support or with an EHC plan) whose "
        "primary type of need is each of the recorded needs.",
        "%",
        numerator="pupils with that primary need",
        denominator="pupils with that SEN provision",
    ),
    # --- Population -------------------------------------------------------------------------
    Indicator(
        id="population_0_25",
        title="Population aged 0-25",
        definition="Residents aged 0 to 25 (ONS mid-year estimate).",
        unit="count",
        polarity="none",
        lens="profile",
        rba="how much",
        source="population",
        period_type="calendar",
        topic="Population",
        caveats="Mid-2020 estimate summed from 2021 districts to today's local authorities.",
    ),
]

CATALOGUE: dict[str, Indicator] = {ind.id: ind for ind in _ENTRIES}


LOCAL_PREFIX = "local:"


def get(indicator_id: str) -> Indicator:
    """A national catalogue entry, or a local one for ids that start ``local:``."""
    if indicator_id.startswith(LOCAL_PREFIX):
        return local_indicator(indicator_id)
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise KeyError(f"no indicator {indicator_id!r} in the catalogue") from None


def local_indicator(indicator_id: str) -> Indicator:
    """An area's own measure: from the built-in local KPI catalogue when it is there, else a
    plain entry made from its id (an area may report KPIs of its own)."""
    from data_loaders.local_kpis import local_kpi

    kpi_id = indicator_id.removeprefix(LOCAL_PREFIX)
    entry = local_kpi(kpi_id)
    if entry is None:
        title = kpi_id.replace("_", " ").strip().capitalize()
        return Indicator(
            id=indicator_id,
            title=title,
            definition=f"{title}, as reported by the area.",
            unit="count",
            polarity="none",
            lens="governance",
            rba="how much",
            source="local",
        )
    unit = entry["unit"] if entry["unit"] in UNITS else "count"
    return Indicator(
        id=indicator_id,
        title=entry["title"],
        definition=entry["definition"],
        unit=unit,
        polarity=entry["polarity"],
        lens="governance",
        rba=entry["rba"],
        source="local",
        numerator=entry["numerator"],
        denominator=entry["denominator"],
        topic=entry["group"],
    )


def catalogue_frame() -> pd.DataFrame:
    """The catalogue as a table, for the 'about' pages and the data book."""
    rows = [
        {
            "id": i.id,
            "title": i.title,
            "definition": i.definition,
            "unit": i.unit,
            "polarity": i.polarity,
            "lens": i.lens,
            "rba": i.rba,
            "domain": i.domain,
            "topic": i.topic,
            "source": i.source,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "caveats": i.caveats,
        }
        for i in _ENTRIES
    ]
    return pd.DataFrame(rows)


# --- Queries over the tidy table ------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_table() -> pd.DataFrame:
    from data_loaders.build import load_tidy

    return load_tidy()


def _table(table: pd.DataFrame | None) -> pd.DataFrame:
    return _default_table() if table is None else table


# Split once per table so that each query touches one indicator's rows, not the whole
# table: pages ask dozens of questions per run and must answer in well under a second.
_SPLITS: dict[int, tuple[pd.DataFrame, dict[str, pd.DataFrame]]] = {}


def _by_indicator(table: pd.DataFrame) -> dict[str, pd.DataFrame] | None:
    # Only the national table (marked shared by the loader) is kept here: a table holding a
    # user's own data must never sit in a cache other sessions can reach.
    if not table.attrs.get("shared"):
        return None
    key = id(table)
    cached = _SPLITS.get(key)
    if cached is not None and cached[0] is table:
        return cached[1]
    groups = {str(k): g for k, g in table.groupby("indicator", sort=False, observed=True)}
    for group in groups.values():
        # Slices must not look like the shared table, or passing one back would be cached too.
        group.attrs = {}
    if len(_SPLITS) > 8:
        _SPLITS.clear()
    _SPLITS[key] = (table, groups)
    return groups


def rows(
    indicator: str,
    areas: list[str] | None = None,
    breakdown: str | None = "",
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All rows of one indicator, optionally for some areas and one breakdown."""
    t = _table(table)
    groups = _by_indicator(t)
    sel = (
        groups.get(indicator, t.iloc[0:0]) if groups is not None else t[t["indicator"] == indicator]
    )
    if areas is not None:
        sel = sel[sel["area_code"].isin(areas)]
    if breakdown is not None:
        sel = sel[sel["breakdown"] == breakdown]
    if sel.attrs:
        sel.attrs = {}
    return sel


def value(
    indicator: str,
    area: str,
    period: str,
    breakdown: str = "",
    table: pd.DataFrame | None = None,
) -> float | None:
    """The value for an area and canonical period, or None when missing or suppressed."""
    sel = rows(indicator, [area], breakdown, table)
    sel = sel[sel["period"] == period]
    if sel.empty or pd.isna(sel["value"].iloc[0]):
        return None
    return float(sel["value"].iloc[0])


def series(
    indicator: str,
    area: str,
    breakdown: str = "",
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An area's values over time, oldest first, with numerator, denominator and status."""
    sel = rows(indicator, [area], breakdown, table)
    order = sorted(sel["period"].unique(), key=period_sort_key)
    sel = sel.set_index("period").loc[order].reset_index()
    return sel[["period", "value", "numerator", "denominator", "status", "source"]]


def periods(indicator: str, table: pd.DataFrame | None = None) -> list[str]:
    """Every period with at least one value, oldest first."""
    sel = rows(indicator, None, None, table)
    sel = sel[sel["value"].notna()]
    return sorted(sel["period"].unique(), key=period_sort_key)


def latest_period(
    indicator: str, area: str | None = None, table: pd.DataFrame | None = None
) -> str | None:
    """The newest period with a value (for one area if given)."""
    sel = rows(indicator, [area] if area else None, "", table)
    sel = sel[sel["value"].notna()]
    if sel.empty:
        return None
    return max(sel["period"].unique(), key=period_sort_key)


def previous_period(indicator: str, period: str, table: pd.DataFrame | None = None) -> str | None:
    """The period before ``period`` in this indicator's series, if any."""
    ps = periods(indicator, table)
    if period not in ps:
        return None
    i = ps.index(period)
    return ps[i - 1] if i > 0 else None


def snapshot(
    indicator: str,
    period: str,
    area_level: str = "la",
    breakdown: str = "",
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every area's row at one level for one period (for rankings, maps and benchmarks)."""
    t = rows(indicator, None, None, table)
    sel = t[
        (t["period"] == period) & (t["area_level"] == area_level) & (t["breakdown"] == breakdown)
    ]
    return sel.reset_index(drop=True)


def breakdown_values(
    indicator: str, area: str, period: str, key: str, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows of one breakdown (``key=value``) for an area and period, with the value split out."""
    sel = rows(indicator, [area], None, table)
    sel = sel[(sel["period"] == period) & sel["breakdown"].str.startswith(f"{key}=")]
    out = sel.copy()
    out[key] = out["breakdown"].str.slice(len(key) + 1)
    return out.reset_index(drop=True)
