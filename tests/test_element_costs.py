"""The element-cost benchmark reads Chromium's timeline: only the page's main thread counts."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.element_costs import main_thread_ms


def test_main_thread_time_counts_the_renderer_main_threads_tasks_only(tmp_path: Path):
    events = [
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 10, "args": {"name": "CrRendererMain"}},
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 11, "args": {"name": "Compositor"}},
        {"name": "thread_name", "ph": "M", "pid": 2, "tid": 10, "args": {"name": "CrBrowserMain"}},
        {"name": "RunTask", "ph": "X", "pid": 1, "tid": 10, "ts": 0, "dur": 12_500},
        {"name": "RunTask", "ph": "X", "pid": 1, "tid": 10, "ts": 20_000, "dur": 7_500},
        # Nested inside the first task: not counted again.
        {"name": "FunctionCall", "ph": "X", "pid": 1, "tid": 10, "ts": 100, "dur": 5_000},
        {"name": "RunTask", "ph": "X", "pid": 1, "tid": 11, "ts": 0, "dur": 99_000},
        {"name": "RunTask", "ph": "X", "pid": 2, "tid": 10, "ts": 0, "dur": 99_000},
    ]
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps({"traceEvents": events}))
    assert main_thread_ms(trace) == 20.0  # 12.5 + 7.5 ms
    trace.write_text(json.dumps(events))  # Chromium may write the bare list too
    assert main_thread_ms(trace) == 20.0
