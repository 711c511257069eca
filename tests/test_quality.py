"""Plausibility checks on the national table (data_loaders/quality/).

Each rule is tried on a small hand-made table, including a case it must not flag, and on
the real shipped data, where the 2025 SEN2 release gives every Yorkshire and the Humber
council the region's 6,078 new plans for calendar 2022.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import tidy
from analysis import ranking
from data_loaders import build, quality
from geography import areas

ROOT = Path(__file__).resolve().parent.parent
YORKSHIRE = "E12000003"
BRADFORD, LEEDS, YORK = "E08000032", "E08000035", "E06000014"
REGION_OF = {BRADFORD: YORKSHIRE, LEEDS: YORKSHIRE, YORK: YORKSHIRE}


def _rows(records: list[tuple]) -> pd.DataFrame:
    """(indicator, area, level, period, numerator, denominator, value) -> tidy rows."""
    frame = pd.DataFrame(
        records,
        columns=[
            "indicator",
            "area_code",
            "area_level",
            "period",
            "numerator",
            "denominator",
            "value",
        ],
    )
    return tidy.normalise(frame.assign(breakdown="", status="", source="sen2_2025"))


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    return quality.count_cells(table, {"ehc_new_plans", "ehc_ceased"})


# --- rule (a): a council given its region's total ---------------------------------------


def test_region_total_copy_is_caught() -> None:
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", YORKSHIRE, "region", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 1000),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 600),
            ("ehc_new_plans", YORK, "la", "2022", n, n, 400),
        ]
    )
    found = quality.region_total_copies(_cells(table), REGION_OF)
    assert list(found["area_code"]) == [BRADFORD]
    # The other councils report 600 + 400 = 1,000.
    assert "(1,000) though the region's other councils report 1,000" in found["reason"].iloc[0]


def test_council_holding_whole_region_is_not_flagged() -> None:
    # Bradford really has all 1,000 when the others have none.
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", YORKSHIRE, "region", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 1000),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 0),
        ]
    )
    assert quality.region_total_copies(_cells(table), REGION_OF).empty


# --- rule (b): councils adding up to more than England ----------------------------------


def test_sum_above_england_is_caught_and_within_one_percent_is_not() -> None:
    n = float("nan")
    over = _rows(
        [
            ("ehc_new_plans", areas.ENGLAND, "national", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 700),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 400),
        ]
    )
    found = quality.sums_above_england(_cells(over))
    assert sorted(found["area_code"]) == sorted([BRADFORD, LEEDS])
    assert "add up to 1,100, more than England's 1,000" in found["reason"].iloc[0]
    # 1,005 against 1,000 is 0.5% over: a late return, not an error.
    close = _rows(
        [
            ("ehc_new_plans", areas.ENGLAND, "national", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 605),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 400),
        ]
    )
    assert quality.sums_above_england(_cells(close)).empty


def test_sum_above_england_sets_aside_the_one_council_that_explains_it() -> None:
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", areas.ENGLAND, "national", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 700),  # 1,300 - 1,010 = 290
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 400),  # both could explain it
            ("ehc_new_plans", YORK, "la", "2022", n, n, 200),
        ]
    )
    found = quality.sums_above_england(_cells(table))
    assert sorted(found["area_code"]) == sorted([BRADFORD, LEEDS, YORK])
    # Bradford 300, Leeds 500, York 495: without Bradford 995 (5 from England), without
    # York 800, without Leeds 795. With York at 290 the rest without it (1,000) would be
    # closer still, so York would be the one.
    table.loc[table["area_code"] == BRADFORD, "value"] = 300
    table.loc[table["area_code"] == LEEDS, "value"] = 500
    table.loc[table["area_code"] == YORK, "value"] = 495
    found = quality.sums_above_england(_cells(table))
    assert list(found["area_code"]) == [BRADFORD]
    assert found["reason"].iloc[0] == (
        "councils' counts add up to 1,295, more than England's 1,000; without this one, 995"
    )
    # Bradford 300, Leeds 700, York 300: without either 300 the rest is England's 1,000.
    # The totals cannot tell which, so all are set aside.
    table.loc[table["area_code"] == YORK, "value"] = 300
    table.loc[table["area_code"] == LEEDS, "value"] = 700
    found = quality.sums_above_england(_cells(table))
    assert sorted(found["area_code"]) == sorted([BRADFORD, LEEDS, YORK])


# --- rule (c): tenfold jumps -------------------------------------------------------------


def test_tenfold_jump_is_caught_but_not_from_a_tiny_base() -> None:
    n = float("nan")
    table = _rows(
        [
            ("ehc_ceased", BRADFORD, "la", "2022", n, n, 59),
            ("ehc_ceased", BRADFORD, "la", "2023", n, n, 642),  # 10.9 times 59
            ("ehc_ceased", LEEDS, "la", "2022", n, n, 60),
            ("ehc_ceased", LEEDS, "la", "2023", n, n, 600),  # exactly ten times: allowed
            ("ehc_ceased", YORK, "la", "2014", n, n, 20),
            ("ehc_ceased", YORK, "la", "2015", n, n, 236),  # from a base under 50
        ]
    )
    found = quality.tenfold_jumps(_cells(table))
    assert list(zip(found["area_code"], found["period"])) == [(BRADFORD, "2023")]
    assert found["reason"].iloc[0] == "642 is more than ten times 59 in 2022"


# --- rule (d): published percentages against their counts --------------------------------


def test_percent_mismatch_allows_for_rounded_counts() -> None:
    # 22 regions' counts all rounded to tens: 950 / 3,020 may be 945 / 3,025 to 955 / 3,015.
    records = [
        ("social_care_sen_pct", f"R{i}", "region", "2020/21", 100, 1000, 10.0) for i in range(22)
    ]
    records.append(("social_care_sen_pct", "RX", "region", "2020/21", 950, 3020, 31.6))
    records.append(("social_care_sen_pct", "RY", "region", "2020/21", 950, 3020, 32.0))
    found = quality.percent_mismatches(_rows(records))
    assert list(found["area_code"]) == ["RY"]  # above 955 / 3,015 = 31.67% by over 0.1


def test_percent_mismatch_judges_rounding_per_level() -> None:
    # Regions' counts all multiples of 5 (not all of 10): 950 / 3,020 may be 947.5 / 3,022.5
    # = 31.35% to 952.5 / 3,017.5 = 31.57%, so 31.6 is rounding and 31.7 is not. Councils'
    # counts are not rounded: 950 / 3,020 = 31.46%, and 31.6 is more than 0.1 away.
    records = [
        ("social_care_sen_pct", f"R{i}", "region", "2020/21", 105, 1000, 10.5) for i in range(20)
    ]
    records += [
        ("social_care_sen_pct", f"L{i}", "la", "2020/21", 101, 1000, 10.1) for i in range(20)
    ]
    records.append(("social_care_sen_pct", "RX", "region", "2020/21", 950, 3020, 31.6))
    records.append(("social_care_sen_pct", "RY", "region", "2020/21", 950, 3020, 31.7))
    records.append(("social_care_sen_pct", "LX", "la", "2020/21", 950, 3020, 31.6))
    found = quality.percent_mismatches(_rows(records))
    assert sorted(found["area_code"]) == ["LX", "RY"]
    assert (
        found.set_index("area_code").loc["LX", "reason"]
        == "published 31.6% but 950 / 3,020 = 31.5%"
    )


def test_count_cells_read_back_as_the_table_s_text() -> None:
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", YORKSHIRE, "region", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2021", n, n, 700),
            ("ehc_requests_6wk_pct", BRADFORD, "la", "2023", 624, 796, 78.4),
        ]
    )
    cells = quality._as_text(_cells(table))
    # Two values of a count indicator, one numerator and one denominator (not the percentage).
    assert list(zip(cells["area_code"], cells["period"], cells["field"], cells["count"])) == [
        (YORKSHIRE, "2022", "value", 1000),
        (BRADFORD, "2021", "value", 700),
        (BRADFORD, "2023", "numerator", 624),
        (BRADFORD, "2023", "denominator", 796),
    ]
    assert all(cells[c].dtype == table[c].dtype for c in quality.KEYS)


def test_percent_mismatch_takes_the_value_of_its_counts() -> None:
    table = _rows(
        [
            # Wokingham 2023 (issue 13): published 58.6 but 269 / 432 = 62.3.
            ("ehc_requests_6wk_pct", "E06000041", "la", "2023", 269, 432, 58.6),
            # 624 / 796 = 78.39, published 78.4: rounding only.
            ("ehc_requests_6wk_pct", BRADFORD, "la", "2023", 624, 796, 78.4),
        ]
    )
    found = quality.percent_mismatches(table)
    assert list(found["area_code"]) == ["E06000041"]
    assert found["reason"].iloc[0] == "published 58.6% but 269 / 432 = 62.3%"
    assert found["action"].iloc[0] == "value taken from its counts"
    treated = quality.take_counts(table, found).set_index("area_code")["value"]
    assert treated["E06000041"] == pytest.approx(100 * 269 / 432)  # 62.27
    assert treated[BRADFORD] == 78.4  # within rounding: DfE's figure stays
    note = quality.published_note(found, "ehc_requests_6wk_pct", "E06000041", "2023")
    assert note == "DfE published 58.6%; SEN Lens uses 269 / 432 = 62.3%."
    assert quality.published_note(found, "ehc_requests_6wk_pct", BRADFORD, "2023") == ""


# --- treatment: second source or missing --------------------------------------------------


def test_check_replaces_from_second_source_else_sets_aside() -> None:
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", YORKSHIRE, "region", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 1000),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 1000),
            ("ehc_new_plans", YORK, "la", "2022", n, n, 200),
        ]
    )
    second = pd.DataFrame(
        {"area_code": [BRADFORD], "period": ["2022"], "column": ["new_all_ehc"], "count": [796.0]}
    )
    fixed, findings = quality.check(table, second, REGION_OF)
    by_area = fixed.set_index("area_code")
    assert by_area.loc[BRADFORD, "value"] == 796
    assert by_area.loc[BRADFORD, "source"] == quality.SECOND_SOURCE
    assert pd.isna(by_area.loc[LEEDS, "value"])
    assert by_area.loc[LEEDS, "status"] == tidy.PUBLISHER_ERROR
    assert by_area.loc[YORK, "value"] == 200 and by_area.loc[YORK, "status"] == ""
    actions = findings.set_index("area_code")["action"]
    assert actions[BRADFORD].startswith("replaced by 796 from DfE's SEN2 management")
    assert actions[LEEDS] == "set aside: shown as missing (publisher error)"


def test_check_treats_only_the_found_indicator_s_cells() -> None:
    # Leeds' ceased plans share its new plans' area and year; only the new plans are a copy.
    n = float("nan")
    table = _rows(
        [
            ("ehc_new_plans", YORKSHIRE, "region", "2022", n, n, 1000),
            ("ehc_new_plans", BRADFORD, "la", "2022", n, n, 300),
            ("ehc_new_plans", LEEDS, "la", "2022", n, n, 1000),
            ("ehc_new_plans", YORK, "la", "2022", n, n, 200),
            ("ehc_ceased", LEEDS, "la", "2022", n, n, 1000),
        ]
    )
    fixed, findings = quality.check(table, None, REGION_OF)
    assert list(findings["area_code"]) == [LEEDS]
    assert list(findings["indicator"]) == ["ehc_new_plans"]
    treated = fixed.set_index(["indicator", "area_code"])
    assert treated.loc[("ehc_new_plans", LEEDS), "status"] == tidy.PUBLISHER_ERROR
    assert treated.loc[("ehc_ceased", LEEDS), "value"] == 1000
    assert treated.loc[("ehc_ceased", LEEDS), "status"] == ""


# --- the real shipped data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings(national: pd.DataFrame) -> pd.DataFrame:
    return build.load_findings()


def _yorkshire_las() -> list[str]:
    las = areas.current_las()
    return sorted(las.loc[las["region_code"] == YORKSHIRE, "la_code"])


def test_real_yorkshire_2022_new_plans_are_listed(findings: pd.DataFrame) -> None:
    caught = findings[
        (findings["rule"] == "region_total")
        & (findings["indicator"] == "ehc_new_plans")
        & (findings["period"] == "2022")
    ]
    assert sorted(caught["area_code"]) == _yorkshire_las() and len(caught) == 15
    assert set(caught["published"]) == {6078}
    # The placement shares' denominators are the same copied total.
    shares = findings[
        (findings["rule"] == "region_total") & (findings["indicator"] != "ehc_new_plans")
    ]
    assert set(shares["field"]) == {"denominator"} and len(shares) == 4 * 15


def test_real_bradford_2022_is_796_with_its_note(national: pd.DataFrame, findings) -> None:
    row = national[
        (national["indicator"] == "ehc_new_plans")
        & (national["area_code"] == BRADFORD)
        & (national["period"] == "2022")
    ].iloc[0]
    assert row["value"] == 796 and row["source"] == quality.SECOND_SOURCE
    # Corroborated by DfE's own 20-week denominator for Bradford 2022 (plans issued).
    timeliness = national[
        (national["indicator"] == "ehc_20wk_pct")
        & (national["area_code"] == BRADFORD)
        & (national["period"] == "2022")
    ].iloc[0]
    assert timeliness["denominator"] == 796
    note = findings[
        (findings["indicator"] == "ehc_new_plans") & (findings["area_code"] == BRADFORD)
    ]
    assert note["action"].tolist() == [
        "replaced by 796 from DfE's SEN2 management information (2014-2022)"
    ]
    # The published 78.4% of new plans in mainstream is 624 / 796 = 78.39%, so the
    # denominator now agrees with the published share.
    share = national[
        (national["indicator"] == "ehc_new_mainstream_pct")
        & (national["area_code"] == BRADFORD)
        & (national["period"] == "2022")
    ].iloc[0]
    assert (share["numerator"], share["denominator"], share["value"]) == (624, 796, 78.4)


def test_real_no_yorkshire_council_ranks_first_on_2022_new_plans(national) -> None:
    cells = national[
        (national["indicator"] == "ehc_new_plans")
        & (national["period"] == "2022")
        & (national["area_level"] == "la")
        & (national["breakdown"] == "")
    ]
    values = dict(zip(cells["area_code"], cells["value"]))
    for code in _yorkshire_las():
        assert ranking.rank(values, code, "none")[0] > 1, code
    # The fifteen sum to the management file's 6,109 (its region total), not 15 x 6,078.
    assert sum(values[c] for c in _yorkshire_las()) == 6109


def test_real_england_is_the_sum_of_its_councils(national: pd.DataFrame) -> None:
    """England equals its councils' sum wherever no council is missing.

    Checked on every SEN2 count (EHC plans 2010-2025, new plans, requests, assessments,
    ceased plans, personal budgets) in every period where each council has a value. New
    plans 2022 is the one exception, by design: the Yorkshire and the Humber councils' 6,109
    come from the management file while England's 66,706 counts them as 6,078, 31 fewer.
    Where a council is missing the sum cannot hold: Wirral's 642 ceased plans of 2023 (59
    the year before and after) are set aside, and England's 39,419 still counts them.
    """
    checked = []
    for indicator in (
        "ehc_plans",
        "ehc_new_plans",
        "ehc_requests",
        "ehc_assessments",
        "ehc_ceased",
        "ehc_personal_budgets",
    ):
        rows = national[(national["indicator"] == indicator) & (national["breakdown"] == "")]
        for period, at in rows.groupby("period"):
            las = at[at["area_level"] == "la"]
            england = at.loc[at["area_code"] == areas.ENGLAND, "value"]
            if las["value"].isna().any() or england.isna().all():
                continue
            gap = 31 if (indicator, period) == ("ehc_new_plans", "2022") else 0
            assert las["value"].sum() == england.iloc[0] + gap, (indicator, period)
            checked.append((indicator, period))
    # 16 + 11 + 8 + 1 + 2 + 4 periods: those in which no council is missing.
    assert len(checked) == 42
    assert ("ehc_ceased", "2023") not in checked
    assert ("ehc_personal_budgets", "2022/23") not in checked


def test_real_counts_per_rule(findings: pd.DataFrame) -> None:
    counts = findings.groupby("rule").size().to_dict()
    assert counts["region_total"] == 75  # 15 councils x (new plans + 4 placement shares)
    # Primary need SpLD, January 2025: councils 15,030 against England's 14,374; without
    # Surrey's 665 they add up to 14,365 (without Lincolnshire's 612, 14,418).
    assert counts["above_england"] == 1
    surrey = findings[findings["rule"] == "above_england"].iloc[0]
    assert (surrey["area_code"], surrey["period"], surrey["published"]) == (
        "E10000030",
        "2024/25",
        665,
    )
    assert counts["tenfold_jump"] == 2  # Wirral ceased 2023, Waltham Forest budgets 2022/23
    assert counts["percent_mismatch"] == 65


def test_real_percent_mismatches_take_their_counts(national: pd.DataFrame, findings) -> None:
    noted = findings[findings["rule"] == "percent_mismatch"].set_index(
        ["indicator", "area_code", "period", "breakdown"]
    )
    # Wokingham 2023: published 58.6 but 269 / 432 = 62.3 (issue 13, finding 2).
    wokingham = noted.loc[("ehc_requests_6wk_pct", "E06000041", "2023", "")]
    assert wokingham["reason"] == "published 58.6% but 269 / 432 = 62.3%"
    # Surrey, January 2025: severe learning difficulty 7.8% published, 595 / 16,069 = 3.7%.
    surrey = noted.loc[
        ("ehc_primary_need_pct", "E10000030", "2024/25", "primary_need=Severe learning difficulty")
    ]
    assert surrey["reason"] == "published 7.8% but 595 / 16,069 = 3.7%"
    # The table holds the value of the counts, 269 / 432 = 62.27%, not DfE's 58.6%.
    row = national[
        (national["indicator"] == "ehc_requests_6wk_pct")
        & (national["area_code"] == "E06000041")
        & (national["period"] == "2023")
    ].iloc[0]
    assert row["value"] == pytest.approx(100 * 269 / 432)
    # Regional children-in-need counts are rounded to tens: 950 / 3,020 = 31.46% may be
    # anything from 945 / 3,025 = 31.2% to 955 / 3,015 = 31.7%, so 31.6% is not noted.
    assert not noted.index.get_level_values("indicator").isin(["social_care_sen_pct"]).any()


def test_report_and_command(findings: pd.DataFrame) -> None:
    report = quality.report(findings)
    assert list(report.columns) == [
        "rule",
        "indicator",
        "area",
        "period",
        "published",
        "action",
        "reason",
    ]
    bradford = report[(report["area"] == "Bradford") & (report["indicator"] == "New EHC plans")]
    assert bradford["period"].tolist() == ["2022"] and bradford["published"].tolist() == [6078]
    result = subprocess.run(
        [sys.executable, "-m", "data_loaders.quality"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "equals the Yorkshire and The Humber total (6,078)" in result.stdout
    assert "Bradford" in result.stdout


def test_quality_rules_are_in_the_cache_fingerprint() -> None:
    assert ROOT / "data_loaders" / "quality" / "__init__.py" in build.fingerprinted_code()


# --- ranks on tiny denominators -----------------------------------------------------------


def test_tiny_denominator_rank_is_flagged(national: pd.DataFrame) -> None:
    from analysis import benchmark

    # City of London 2024: 0 appeals in 26 decisions ranks "1st" but on too few cases.
    result = benchmark.compare(national, "tribunal_appeal_rate", "E09000001", "2024", [])
    assert result.denominator == 26 and result.rank == 1
    assert result.rank_too_small and "too few to rank" in result.rank_text
    # Shropshire 2017: 1 in 2,004 is enough to rank, and no longer ties with true zeros.
    shropshire = benchmark.compare(national, "tribunal_appeal_rate", "E06000051", "2017", [])
    assert not shropshire.rank_too_small
    assert shropshire.value == pytest.approx(100 / 2004)
    assert ranking.too_small_to_rank(99) and not ranking.too_small_to_rank(100)
    assert not ranking.too_small_to_rank(None)
