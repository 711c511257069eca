"""The national sources read by child processes, as a rebuild does on a machine with cores."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders import build
from data_loaders.national.tribunals import load_tribunals, load_tribunals_new_basis


def test_jobs_are_shared_so_the_workers_finish_together():
    # By hand, slowest first, each to the least loaded worker: sen2_2025 (11.5) to A; lait
    # (6.2) to B; sen2_2022 (3.9) to B (10.1); schools (2.3) to B (12.4); then each 0.5 job
    # to whichever is lighter: A reaches 12.0 and 12.5 while B stays at 12.4, and so on.
    names = list(build._jobs())
    a, b = build.shares(names, 2)
    assert a[0] == "sen2_2025" and b[:3] == ["lait", "sen2_2022", "schools"]
    assert sorted(a + b) == sorted(names)
    cost = [sum(build.COST.get(n, 0.5) for n in share) for share in (a, b)]
    assert abs(cost[0] - cost[1]) <= 0.5
    assert build.shares(["lait"], 4) == [["lait"]]  # no empty workers


def test_sources_read_by_children_equal_those_read_here(tmp_path):
    names = list(build._read_in_children([["tribunals"], ["tribunals_2026"]], tmp_path))
    assert sorted(names) == ["tribunals", "tribunals_2026"]
    for name, load in (("tribunals", load_tribunals), ("tribunals_2026", load_tribunals_new_basis)):
        pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / f"{name}.pickle"), load())


def test_a_failing_child_reports_its_error(tmp_path):
    with pytest.raises(RuntimeError, match="no_such_source"):
        list(build._read_in_children([["no_such_source"]], tmp_path))
