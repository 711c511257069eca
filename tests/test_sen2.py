"""SEN2 loaders, checked against DfE's published national figures and hand-read raw cells."""

import pytest

import indicators as I
import tidy
from data_loaders.national import sen2
from geography.areas import ENGLAND


@pytest.fixture(scope="module")
def table():
    return sen2.load_sen2()


def test_contract(table):
    assert tidy.validate(table) == []


def test_england_ehc_plans_january_2025_as_published(table):
    # DfE, Education, health and care plans, June 2025: 638,745 EHC plans in January 2025.
    assert I.value("ehc_plans", ENGLAND, "2024/25", table=table) == 638_745


def test_england_20_week_rate_2024_as_published(table):
    # DfE, June 2025 release: 46.4% excluding exceptions, 45.9% including exceptions in 2024.
    assert I.value("ehc_20wk_pct", ENGLAND, "2024", table=table) == 45.9
    assert I.value("ehc_20wk_ex_pct", ENGLAND, "2024", table=table) == 46.4


def test_series_reaches_back_to_2010_through_the_2022_release(table):
    # The 2022 release: 228,221 statements and EHC plans in January 2010 (Total_all).
    assert I.value("ehc_plans", ENGLAND, "2009/10", table=table) == 228_221
    # January 2022 (473,255) as published in both releases: the newer one wins, same figure.
    assert I.value("ehc_plans", ENGLAND, "2021/22", table=table) == 473_255
    periods = I.series("ehc_plans", ENGLAND, table=table)["period"].tolist()
    assert periods[0] == "2009/10" and periods[-1] == "2024/25" and len(periods) == 16


def test_20_week_series_from_2014(table):
    # SEN2 MI: England 2015 inc_exc_20week_rate 54.6 (raw file sen2_mi_2014_2022.csv).
    assert I.value("ehc_20wk_pct", ENGLAND, "2015", table=table) == 54.6
    row = I.rows("ehc_20wk_pct", [ENGLAND], table=table)
    row = row[row["period"] == "2015"].iloc[0]
    assert (row["numerator"], row["denominator"]) == (13451, 24624)


def test_la_value_counts_and_percentages_hand_read(table):
    # caseload.csv.gz, North Yorkshire 202425: ehcplans 5486, mainstream_total 2445, pc 44.6.
    # DfE still codes it E10000023; it must come out under today's E06000065.
    assert I.value("ehc_plans", "E06000065", "2024/25", table=table) == 5486
    # Stored under the new code only; a query by the old one answers as the new (issue 13).
    assert not (table["area_code"] == "E10000023").any()
    assert I.value("ehc_plans", "E10000023", "2024/25", table=table) == 5486
    row = I.rows("ehc_mainstream_pct", ["E06000065"], table=table)
    row = row[row["period"] == "2024/25"].iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (2445, 5486, 44.6)


def test_refusal_rate_computed_when_not_published(table):
    # 2019 England: 18,755 not assessed of 82,329 requests; DfE prints no percentage for 2019.
    v = I.value("ehc_requests_refused_pct", ENGLAND, "2019", table=table)
    assert v == pytest.approx(100 * 18755 / 82329)
    # 2024: published 25.2 (38,889 / 154,489 = 25.17).
    assert I.value("ehc_requests_refused_pct", ENGLAND, "2024", table=table) == 25.2


def test_reorganised_areas_start_at_the_change(table):
    # Cumberland's first January caseload is 2024 (2,656); Cumbria's last is January 2023.
    cumberland = I.series("ehc_plans", "E06000063", table=table)
    assert cumberland["period"].tolist()[0] == "2023/24"
    assert cumberland["value"].iloc[0] == 2656
    cumbria = I.series("ehc_plans", "E10000006", table=table)
    assert cumbria["period"].tolist()[-1] == "2022/23" and cumbria["value"].iloc[-1] == 4489
    north_northants = I.series("ehc_plans", "E06000061", table=table)
    assert north_northants["period"].tolist()[0] == "2021/22"


def test_buckinghamshire_series_is_continuous_through_its_code_change(table):
    periods = I.series("ehc_plans", "E06000060", table=table)["period"].tolist()
    assert periods[0] == "2009/10" and periods[-1] == "2024/25"
    assert len(periods) == 16


def test_primary_need_shares_add_up(table):
    rows = I.breakdown_values(
        "ehc_primary_need_pct", ENGLAND, "2024/25", "primary_need", table=table
    )
    assert len(rows) == 13
    # sen_needs_all_plans: England number_asd 201,183 of 638,745 (31.5%).
    asd = rows[rows["primary_need"] == "Autistic spectrum disorder"].iloc[0]
    assert (asd["numerator"], asd["denominator"], asd["value"]) == (201183, 638745, 31.5)
    assert rows["numerator"].sum() == 638745


def test_age_breakdown_sums_to_total(table):
    rows = I.breakdown_values("ehc_plans", ENGLAND, "2024/25", "age", table=table)
    assert rows["value"].sum() == pytest.approx(638745, abs=50)  # age-unknown rows aside
    assert rows.loc[rows["age"] == "10", "value"].iloc[0] == 41405


def test_suppressed_cells_are_missing_not_zero(table):
    # The 2025 release prints 'x' for England 2019 requests decided to assess...
    rows = I.rows("ehc_assess_issued_pct", [ENGLAND], table=table)
    row = rows[rows["period"] == "2019"].iloc[0]
    assert row["status"] == "not_available"
    assert row["value"] != row["value"]  # NaN


def test_sixteen_week_decisions_and_mediations_as_published(table):
    # assessments.csv.gz, England 2023: 1,661 decisions not to issue within 16 weeks,
    # 2,926 after, published as 36.2%.
    rows = I.rows("ehc_not_issue_16wk_pct", [ENGLAND], table=table)
    row = rows[rows["period"] == "2023"].iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (1661, 1661 + 2926, 36.2)
    assert I.value("ehc_request_mediations", ENGLAND, "2023", table=table) == 7612


def test_timeliness_bands_and_new_placements(table):
    # timeliness_20_week.csv.gz, England 2024: 45.9% within 20 weeks; the 20-52 week and
    # over-a-year shares come from the same row and, with it, cover every plan.
    within = I.value("ehc_20wk_pct", ENGLAND, "2024", table=table)
    middle = I.value("ehc_20wk_to_1yr_pct", ENGLAND, "2024", table=table)
    late = I.value("ehc_over_1yr_pct", ENGLAND, "2024", table=table)
    assert within + middle + late == pytest.approx(100, abs=0.2)
    # newplans.csv.gz, England 2019: 10,059 of 53,899 new plans in special schools (18.7%).
    assert I.value("ehc_new_special_pct", ENGLAND, "2019", table=table) == 18.7
    # annual_reviews.csv.gz, England 2024: 524,654 reviews expected.
    assert I.value("ehc_reviews_expected", ENGLAND, "2024", table=table) == 524_654


def test_new_plans_in_ap_and_fe_hand_read(table):
    # newplans.csv.gz, time_period 2024, breakdown "New EHC plans", columns new_ehc_plans,
    # ap_pru_total, AP_PRU_total_pc, fe_total, fe_total_pc.
    # England: 97,747 new plans; 1,407 in AP (published 1.4); 2,784 in FE (published 2.8).
    # Bradford (E08000032): 1,340 new plans; 32 in AP (2.4); 44 in FE (3.3).
    cases = [
        ("ehc_new_ap_pct", ENGLAND, 1407, 97747, 1.4),
        ("ehc_new_ap_pct", "E08000032", 32, 1340, 2.4),
        ("ehc_new_fe_pct", ENGLAND, 2784, 97747, 2.8),
        ("ehc_new_fe_pct", "E08000032", 44, 1340, 3.3),
    ]
    for indicator, area, numerator, denominator, published in cases:
        row = I.rows(indicator, [area], table=table)
        row = row[row["period"] == "2024"].iloc[0]
        assert (row["numerator"], row["denominator"], row["value"]) == (
            numerator,
            denominator,
            published,
        )
        assert round(100 * numerator / denominator, 1) == published  # the published figure, by hand


def test_annual_review_outcomes_are_shares_of_recorded_outcomes(table):
    # annual_reviews.csv.gz, time_period 2024, breakdown "All annual reviews", columns
    # outcome_amend, outcome_maintan, outcome_cease (DfE publishes counts only).
    # England: 219,538 amend, 135,264 maintain, 4,087 cease (358,889 with an outcome).
    england = {
        "ehc_review_amend_pct": 219538,
        "ehc_review_maintain_pct": 135264,
        "ehc_review_cease_pct": 4087,
    }
    recorded = 219538 + 135264 + 4087
    for indicator, count in england.items():
        row = I.rows(indicator, [ENGLAND], table=table)
        row = row[row["period"] == "2024"].iloc[0]
        assert (row["numerator"], row["denominator"]) == (count, recorded)
        assert row["value"] == pytest.approx(100 * count / recorded)
    assert I.value("ehc_review_amend_pct", ENGLAND, "2024", table=table) == pytest.approx(
        61.17, abs=0.01
    )
    assert I.value("ehc_review_cease_pct", ENGLAND, "2024", table=table) == pytest.approx(
        1.14, abs=0.01
    )
    # Leeds (E08000035): 2,893 amend, 281 maintain, 11 cease.
    assert I.value("ehc_review_amend_pct", "E08000035", "2024", table=table) == pytest.approx(
        100 * 2893 / (2893 + 281 + 11)
    )  # 90.8
    # Bradford (E08000032) recorded no outcome for any of its 4,971 reviews (0, 0, 0): no
    # value, rather than 0% amended.
    assert I.value("ehc_review_amend_pct", "E08000032", "2024", table=table) is None
    # Blackpool (E06000009) is published as 'x': missing, not zero.
    assert I.value("ehc_review_maintain_pct", "E06000009", "2024", table=table) is None


def test_personal_budgets_by_type_hand_read(table):
    # personal_budgets.csv.gz, breakdown "All personal budgets", columns pb_education,
    # pb_health, pb_social, pb_integrated.
    # England 202425: 3,163 education, 148 health, 12,580 social care, 1,131 integrated.
    assert I.value("ehc_pb_education", ENGLAND, "2024/25", table=table) == 3163
    assert I.value("ehc_pb_health", ENGLAND, "2024/25", table=table) == 148
    assert I.value("ehc_pb_social_care", ENGLAND, "2024/25", table=table) == 12580
    assert I.value("ehc_pb_integrated", ENGLAND, "2024/25", table=table) == 1131
    # Bradford (E08000032) 202425: 4 education, 0 health; 202122: 250 social care, 6 integrated.
    assert I.value("ehc_pb_education", "E08000032", "2024/25", table=table) == 4
    assert I.value("ehc_pb_health", "E08000032", "2024/25", table=table) == 0
    assert I.value("ehc_pb_social_care", "E08000032", "2021/22", table=table) == 250
    assert I.value("ehc_pb_integrated", "E08000032", "2021/22", table=table) == 6
