"""The background import warming started after a process's first page."""

from __future__ import annotations

import logging
import sys
import threading

from ui import warm


def test_warming_starts_once_per_process_and_imports_every_module(monkeypatch):
    monkeypatch.setattr(warm, "_started", threading.Lock())
    monkeypatch.setattr(warm, "AFTER_FIRST_PAGE_S", 0.0)
    monkeypatch.setattr(warm, "MODULES", ["json.tool", "no_such_module_anywhere", "csv"])
    monkeypatch.setattr(warm, "PAGE_VIEWS", ["email.mime.text"])
    sys.modules.pop("json.tool", None)
    sys.modules.pop("email.mime.text", None)
    read_before: list[bool] = []

    def read_fails() -> None:  # the national table first, and its failure stops nothing
        read_before.append("json.tool" in sys.modules)
        raise OSError("no cache")

    monkeypatch.setattr(warm, "_read_national_table", read_fails)
    assert warm.warm_in_background() is True
    assert warm.warm_in_background() is False  # a second page run starts nothing
    # The thread may be done already (three small modules): join it if it is still there.
    for thread in [t for t in threading.enumerate() if t.name == "send-lens-warm-imports"]:
        thread.join(timeout=30)
    # A module that fails to import is skipped, and the ones after it are still warmed.
    assert "json.tool" in sys.modules and "csv" in sys.modules
    assert "email.mime.text" in sys.modules  # the pages' views after the libraries
    assert read_before == [False]


def test_every_module_to_warm_exists():
    import importlib.util

    missing = [m for m in [*warm.MODULES, *warm.PAGE_VIEWS] if importlib.util.find_spec(m) is None]
    assert missing == []


def test_warming_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(warm, "_started", threading.Lock())
    monkeypatch.setenv(warm.WARM_ENV, "0")
    assert warm.warm_in_background() is False
    assert warm._started.acquire(blocking=False)  # nothing took it


def test_public_data_is_warmed_after_the_imports(monkeypatch):
    from data_loaders.national import neighbours

    monkeypatch.setattr(warm, "_started", threading.Lock())
    monkeypatch.setattr(warm, "MODULES", [])
    monkeypatch.setattr(warm, "PAGE_VIEWS", [])
    neighbours._load.cache_clear()
    assert warm.warm_in_background() is True
    for thread in [t for t in threading.enumerate() if t.name == "send-lens-warm-imports"]:
        thread.join(timeout=60)
    # Both models' lists are in the process's cache: the first Benchmarking visit reads none.
    assert neighbours._load.cache_info().currsize == len(neighbours.VERSIONS) == 2


def test_what_was_warmed_is_frozen_last(monkeypatch):
    monkeypatch.setattr(warm, "_started", threading.Lock())
    monkeypatch.setattr(warm, "AFTER_FIRST_PAGE_S", 0.0)
    monkeypatch.setattr(warm, "MODULES", ["csv"])
    monkeypatch.setattr(warm, "PAGE_VIEWS", [])
    monkeypatch.setattr(warm, "PUBLIC_DATA", [])
    steps: list[str] = []
    monkeypatch.setattr(warm, "_read_national_table", lambda: steps.append("table"))
    monkeypatch.setattr(warm, "freeze_long_lived", lambda: steps.append("frozen"))
    assert warm.warm_in_background() is True
    for thread in [t for t in threading.enumerate() if t.name == "send-lens-warm-imports"]:
        thread.join(timeout=30)
    assert steps == ["table", "frozen"]


def test_every_public_data_target_is_a_function():
    import importlib

    for target in warm.PUBLIC_DATA:
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), target


def test_the_warmed_national_table_is_the_one_every_page_reads(national):
    """Home alone reads only the ten headline indicators' rows; the thread reads the whole
    process-wide table (``ui.data.national_table``), and the copy of the ten is let go."""
    from ui import data

    data.national_table.clear()
    data._headline_rows.clear()
    data._whole_table_read.clear()
    assert len(data._headline_rows().by_indicator) == 10
    warm._read_national_table()
    whole = data.national_table()
    assert len(whole) == len(national) and len(whole.by_indicator) > 10
    assert data._headline_rows() is whole


def test_only_the_warming_thread_is_spared_streamlits_missing_context_warning():
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(threading.current_thread().name)  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        for name in (warm.THREAD_NAME, "another-thread"):
            thread = threading.Thread(target=get_script_run_ctx, name=name)
            thread.start()
            thread.join()
    finally:
        logger.removeHandler(handler)
    assert seen == ["another-thread"]
