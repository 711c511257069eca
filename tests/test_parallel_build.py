"""The national sources read by child processes, as a rebuild does on a machine with cores."""

from __future__ import annotations

import pandas as pd
import pytest

import indicators
import tidy
from data_loaders import build
from data_loaders.national.tribunals import load_tribunals, load_tribunals_new_basis


def test_jobs_are_shared_so_the_workers_finish_together():
    # By hand, slowest first, each to the less loaded of this process (A) and a child (B),
    # which starts CHILD_START (0.38) behind: sen2_2025 (0.9) to A; lait (0.46) to B (0.84);
    # sen2_2022 (0.36) to B (1.20); schools (0.34) to A (1.24); children_in_need (0.11) to B
    # (1.31); population (0.08) to A (1.32); nhs_community_health (0.08) to B (1.39); then
    # the 0.05 jobs in the jobs' order: tribunals A (1.37), tribunals_2026 A (1.42),
    # absence_by_sen B (1.44), sen_in_england A (1.47), neet_send B (1.49).
    names = list(build._jobs())
    a, b = build.shares(names, 2)
    assert a == [
        "sen2_2025",
        "schools",
        "population",
        "tribunals",
        "tribunals_2026",
        "sen_in_england",
    ]
    assert b == [
        "lait",
        "sen2_2022",
        "children_in_need",
        "nhs_community_health",
        "absence_by_sen",
        "neet_send",
    ]
    cost = [sum(build.COST.get(n, build.DEFAULT_COST) for n in share) for share in (a, b)]
    assert cost[0] == pytest.approx(1.47) and cost[1] + build.CHILD_START == pytest.approx(1.49)
    assert build.shares(["lait"], 4) == [["lait"]]  # no empty workers


def test_sources_read_by_children_equal_those_read_here(tmp_path):
    with build._Children([["tribunals"], ["tribunals_2026"]], tmp_path) as children:
        names = list(children.finished())
    assert sorted(names) == ["tribunals", "tribunals_2026"]
    for name, load in (("tribunals", load_tribunals), ("tribunals_2026", load_tribunals_new_basis)):
        pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / f"{name}.pickle"), load())


def test_a_failing_child_reports_its_error(tmp_path):
    with (
        pytest.raises(RuntimeError, match="no_such_source"),
        build._Children([["no_such_source"]], tmp_path) as children,
    ):
        list(children.finished())


def test_a_first_start_has_homes_figures_from_their_sources_alone(national, tmp_path, monkeypatch):
    """Home is drawn from ``Rebuild.first()`` while the rest is built: every Home indicator
    must have exactly the rows the whole table gives it, and the whole table and the checks'
    findings must be the ones a plain build makes (the session's ``national``)."""
    plain_findings = build.load_findings()  # the plain build's, from the session's cache
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    told: list[tuple[int, int, str]] = []
    rebuild = build.Rebuild(progress=lambda *a: told.append(a), workers=2)
    first = rebuild.first()
    assert told[-1] == (5, 5, "tribunals_2026")
    assert not build.cache_is_current(), "nothing is cached until the whole table is built"
    whole = rebuild.finish()
    assert build.cache_is_current()
    pd.testing.assert_frame_equal(pd.DataFrame(whole), pd.DataFrame(national))
    # Home's part is not checked again: the rest is checked on its own and joined to it.
    assert len(plain_findings) > 100
    pd.testing.assert_frame_equal(build.load_findings(), plain_findings)
    for indicator in indicators.headlines():
        pd.testing.assert_frame_equal(
            first.by_indicator[indicator.id].reset_index(drop=True),
            whole.by_indicator[indicator.id].reset_index(drop=True),
        )
    # Home's England figure for EHC plans, January 2025, as DfE publishes it: 638,745.
    assert indicators.value("ehc_plans", "E92000001", "2024/25", table=first) == 638_745
    assert set(first["source"]) < set(whole["source"])  # the rest was not read first


def _tidy_rows(records: list[tuple[str, str, float]]) -> pd.DataFrame:
    """(area, level, ceased plans in 2023) -> tidy rows of a count indicator."""
    frame = pd.DataFrame(records, columns=["area_code", "area_level", "value"])
    return tidy.normalise(
        frame.assign(
            indicator="ehc_ceased",
            period="2023",
            breakdown="",
            numerator=float("nan"),
            denominator=float("nan"),
            status="",
            source="sen2_2025",
        )
    )


def test_an_indicator_in_both_parts_of_a_first_start_is_checked_as_one():
    """The rules judge an indicator on all its rows: Bradford's count equals Yorkshire's
    total (rule a) only with the region's row beside it, which here comes from Home's
    sources while Bradford's comes from the rest, so the two parts are checked together."""
    yorkshire, bradford, leeds = "E12000003", "E08000032", "E08000035"
    first = _tidy_rows([(yorkshire, "region", 700.0), (leeds, "la", 200.0)])
    rest = _tidy_rows([(bradford, "la", 700.0)])
    rebuild = build.Rebuild.__new__(build.Rebuild)  # no children: the sources given here
    rebuild.done = {name: tidy.empty() for name in build._jobs()}
    rebuild.done["sen2_2025"], rebuild.done["lait"] = first, rest
    rebuild.first_checked = build.checked(build._source_frames(rebuild.done, build.FIRST_SOURCES))
    rest_checked = build.checked([rest])  # as a child checks its part
    table, findings = rebuild._checked([rest_checked], [])
    assert list(findings["area_code"]) == [bradford]
    assert list(findings["rule"]) == ["region_total"]
    set_aside = table[table["area_code"] == bradford].iloc[0]
    assert set_aside["status"] == tidy.PUBLISHER_ERROR and pd.isna(set_aside["value"])
    # Checked apart, neither part shows the copy.
    assert build.joined([rebuild.first_checked, rest_checked])[1].empty
    assert not build.separable([rebuild.first_checked, rest_checked])


def test_the_rates_sources_split_between_parts_are_not_separable():
    """Plans per 10,000 residents are derived where a part has both plans and residents:
    parts holding one each would each derive nothing, though their indicators differ."""
    plans = _tidy_rows([("E08000032", "la", 7493.0)]).assign(
        indicator="ehc_plans", period="2024/25"
    )
    people = _tidy_rows([("E08000032", "la", 180_000.0)]).assign(
        indicator="population_0_25", period="2024"
    )
    together = build.checked([plans, people])
    assert "ehc_plans_rate" in set(together[0]["indicator"])
    assert build.separable([together])
    assert not build.separable([build.checked([plans]), build.checked([people])])
