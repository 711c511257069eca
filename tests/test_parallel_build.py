"""The national sources read by child processes, as a rebuild does on a machine with cores."""

from __future__ import annotations

import pandas as pd
import pytest

import indicators
from data_loaders import build
from data_loaders.national.tribunals import load_tribunals, load_tribunals_new_basis


def test_jobs_are_shared_so_the_workers_finish_together():
    # By hand, slowest first, each to the less loaded of this process (A) and a child (B),
    # which starts CHILD_START (0.55) behind: sen2_2025 (1.05) to A; schools (0.8) to B
    # (1.35); sen2_2022 (0.4) to A (1.45); lait (0.33) to B (1.68); children_in_need (0.1),
    # population (0.08) and nhs_community_health (0.07) to A (1.70); then the 0.05 jobs in
    # turn from B: tribunals B, tribunals_2026 A, absence_by_sen B, sen_in_england A,
    # neet_send B, ending at 1.80 and 1.83.
    names = list(build._jobs())
    a, b = build.shares(names, 2)
    assert a == [
        "sen2_2025",
        "sen2_2022",
        "children_in_need",
        "population",
        "nhs_community_health",
        "tribunals_2026",
        "sen_in_england",
    ]
    assert b == ["schools", "lait", "tribunals", "absence_by_sen", "neet_send"]
    cost = [sum(build.COST.get(n, build.DEFAULT_COST) for n in share) for share in (a, b)]
    assert cost[0] == pytest.approx(1.80) and cost[1] + build.CHILD_START == pytest.approx(1.83)
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
    must have exactly the rows the whole table gives it, and the whole table must be the one
    a plain build makes (the session's ``national``)."""
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    told: list[tuple[int, int, str]] = []
    rebuild = build.Rebuild(progress=lambda *a: told.append(a), workers=2)
    first = rebuild.first()
    assert told[-1] == (5, 5, "tribunals_2026")
    assert not build.cache_is_current(), "nothing is cached until the whole table is built"
    whole = rebuild.finish()
    assert build.cache_is_current()
    pd.testing.assert_frame_equal(pd.DataFrame(whole), pd.DataFrame(national))
    for indicator in indicators.headlines():
        pd.testing.assert_frame_equal(
            first.by_indicator[indicator.id].reset_index(drop=True),
            whole.by_indicator[indicator.id].reset_index(drop=True),
        )
    # Home's England figure for EHC plans, January 2025, as DfE publishes it: 638,745.
    assert indicators.value("ehc_plans", "E92000001", "2024/25", table=first) == 638_745
    assert set(first["source"]) < set(whole["source"])  # the rest was not read first
