"""The national sources read by child processes, as a rebuild does on a machine with cores."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders import build
from data_loaders.national.tribunals import load_tribunals, load_tribunals_new_basis


def test_jobs_are_shared_so_the_workers_finish_together():
    # By hand, slowest first, each to the least loaded worker: sen2_2025 (2.6) to A; schools
    # (1.2) to B; sen2_2022 (0.8) to B (2.0); lait (0.7) to B (2.7); children_in_need (0.25)
    # to A (2.85); population (0.17) to B (2.87); nhs_community_health (0.13) to A (2.98);
    # then each 0.1 job to whichever is lighter, ending at 3.18 and 3.17.
    names = list(build._jobs())
    a, b = build.shares(names, 2)
    assert a[:2] == ["sen2_2025", "children_in_need"]
    assert b[:4] == ["schools", "sen2_2022", "lait", "population"]
    assert sorted(a + b) == sorted(names)
    cost = [sum(build.COST.get(n, 0.1) for n in share) for share in (a, b)]
    assert abs(cost[0] - cost[1]) <= 0.1
    assert build.shares(["lait"], 4) == [["lait"]]  # no empty workers


def test_sources_read_by_children_equal_those_read_here(tmp_path):
    names = list(build._read_in_children([["tribunals"], ["tribunals_2026"]], tmp_path))
    assert sorted(names) == ["tribunals", "tribunals_2026"]
    for name, load in (("tribunals", load_tribunals), ("tribunals_2026", load_tribunals_new_basis)):
        pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / f"{name}.pickle"), load())


def test_a_failing_child_reports_its_error(tmp_path):
    with pytest.raises(RuntimeError, match="no_such_source"):
        list(build._read_in_children([["no_such_source"]], tmp_path))
