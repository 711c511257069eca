"""Parsing in a child process: the same answer as in-process, and a file past the memory or
time limit is refused with a plain message while the server (this process) carries on."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scripts.make_bad_uploads import cells_without_references
from uploads import intake, isolated
from uploads.readers import UploadError

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "demo_ehc_tracker.csv"
FIXTURES = ROOT / "tests" / "fixtures" / "bad_uploads"
TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Set before the forkserver starts (first test), which children inherit.
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


def _without_timings(frame: pd.DataFrame) -> dict[str, object]:
    return {k: v for k, v in frame.attrs.items() if k != "timings"}


def test_same_table_as_in_process_and_the_overhead() -> None:
    data = DEMO.read_bytes()
    # Both paths warmed first (the forkserver started, the school register read here), then
    # the median of five runs each.
    isolated.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)
    intake.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)
    times: dict[str, list[float]] = {"isolated": [], "in-process": []}
    for _ in range(5):
        for name, read in (("isolated", isolated.read_upload), ("in-process", intake.read_upload)):
            start = time.perf_counter()
            table = read(data, DEMO.name, "ehc_tracker", today=TODAY)
            times[name].append(time.perf_counter() - start)
    child, here = (statistics.median(t) for t in times.values())
    print(
        f"\ndemo tracker (420 rows): isolated {child:.3f}s, in-process {here:.3f}s, ratio {child / here:.2f}"
    )
    child_table = isolated.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)
    pd.testing.assert_frame_equal(child_table, table)
    assert len(child_table) == 420 and _without_timings(child_table) == _without_timings(table)


def test_problems_come_back_as_in_process() -> None:
    data = (FIXTURES / "hidden_rows.xlsx").read_bytes()
    with pytest.raises(UploadError) as isolated_error:
        isolated.read_upload(data, "h.xlsx", "ehc_tracker", today=TODAY)
    with pytest.raises(UploadError) as local_error:
        intake.read_upload(data, "h.xlsx", "ehc_tracker", today=TODAY)
    assert isolated_error.value.problems == local_error.value.problems
    assert isolated_error.value.problems[0].row == 3
    assert isolated.list_sheets((FIXTURES / "several_sheets.xlsx").read_bytes(), "s.xlsx") == [
        "Jan",
        "Feb",
    ]


def test_past_the_memory_limit_is_refused_and_the_server_keeps_serving() -> None:
    """Cells without references slip past the reader's range check; the parser then asks
    for a 13 GB grid, which aborts the child (in-process it would abort this test run)."""
    with pytest.raises(UploadError) as caught:
        isolated.read_upload(cells_without_references(), "x.xlsx", "ehc_tracker", today=TODAY)
    message = caught.value.problems[0].message
    assert message.startswith("This file needs more memory than an upload may use (1,536 MB)")
    assert "Delete the rows and columns beyond your data" in message
    table = isolated.read_upload(DEMO.read_bytes(), DEMO.name, "ehc_tracker", today=TODAY)
    assert len(table) == 420


def test_a_lower_memory_limit_is_applied_to_python_allocations_too() -> None:
    """200,000 rows (12 MB) hold about 2 million cells as Python strings, far more than
    64 MB: the child runs out (MemoryError or stopped) and the caller gets the message."""
    row = "{i},02/09/2024,10/10/2024,assess,13/01/2025,no,ASD,15/03/2015,100000,E05001234\n"
    data = (
        "child_id,request_date,decision_date,decision,issue_date,exception,primary_need,"
        "date_of_birth,school_urn,ward_code\n"
        + "".join(row.format(i=f"L{i}") for i in range(200_000))
    ).encode()
    with pytest.raises(UploadError, match=r"needs more memory than an upload may use \(64 MB\)"):
        isolated.run("read_upload", data, "big.csv", "ehc_tracker", memory=64 * 1024 * 1024)


def test_past_the_time_limit_is_refused() -> None:
    start = time.perf_counter()
    with pytest.raises(UploadError, match=r"needs more time than an upload may use \(0 seconds\)"):
        isolated.run("read_upload", DEMO.read_bytes(), DEMO.name, "ehc_tracker", seconds=0.001)
    assert time.perf_counter() - start < 10  # killed, not waited for


def test_no_more_than_two_parses_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    running, peak, lock = [0], [0], threading.Lock()
    real = isolated._run_child

    def counted(*args: object) -> object:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(isolated, "_run_child", counted)
    data = DEMO.read_bytes()
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(len(isolated.read_upload(data, "d.csv", "ehc_tracker")))
        )
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == [420] * 5
    assert peak[0] == isolated.MAX_PARSES == 2


def test_the_child_uses_the_key_in_force_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forkserver started earlier with another key in its environment; a child must
    still hash with this process's key, or the same child would get two pseudonyms."""
    data = DEMO.read_bytes()
    isolated.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)  # server running
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "another-key-fedcba9876543210")
    child = isolated.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)
    here = intake.read_upload(data, DEMO.name, "ehc_tracker", today=TODAY)
    assert child["child_id"].tolist() == here["child_id"].tolist()
