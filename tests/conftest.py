"""Shared fixtures: the real national table, built once per test session into a temp cache."""

from __future__ import annotations

import fcntl
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def fresh_python_prints(code: str) -> str:
    """What ``code`` prints in a new interpreter started in the project: tests of what an
    import loads cannot run in the test process, which has loaded everything already."""
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return run.stdout


@pytest.fixture(scope="session", autouse=True)
def private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep tests away from the real store and pseudonymisation key of whoever runs them."""
    os.environ["SEND_LENS_DATA_DIR"] = str(tmp_path_factory.mktemp("user_data"))
    os.environ["SEND_LENS_CONFIG_DIR"] = str(tmp_path_factory.mktemp("user_config"))
    os.environ.pop("SEND_LENS_DATABASE_URL", None)
    # Pages warmed in the background would fill shared caches while later tests patch the
    # national table or count calls; tests/test_warm_pages.py runs the warming itself.
    os.environ["SEND_LENS_WARM_PAGES"] = "0"


@pytest.fixture(autouse=True)
def collector_as_before():
    """The server keeps what it warmed out of the cycle collector (``ui.memory``); a test that
    runs that code must not leave a worker with every object of its earlier tests frozen."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    gc.enable()


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """A store of the test's own (the app and the store read SEND_LENS_DATA_DIR)."""
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """Deferred downloads (built only when clicked) by file name, as their builders, so an
    AppTest can make and read the file a person would download."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


@pytest.fixture(scope="session")
def national(tmp_path_factory: pytest.TempPathFactory):
    """The national tidy table as the app loads it (from a cache private to this session)."""
    from data_loaders import build

    # Under pytest-xdist every worker is a process of its own: they share one cache in the
    # run's base folder, and a lock lets the first build it while the others wait and read.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    cache = shared / "national_cache"
    os.environ.setdefault("SEND_LENS_CACHE_DIR", str(cache))
    cache.mkdir(exist_ok=True)
    with open(shared / "national_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return build.load_tidy()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process (under xdist, one per worker): Playwright's sync
    API runs one instance per thread, so every browser test in the process shares this one.

    Fails instead of skipping when SEND_LENS_REQUIRE_BROWSER=1 (CI), so browser tests can never
    silently not run there.
    """
    from tests.browser_support import CHROMIUM_ARGS, chromium_or_skip

    path = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser(national, chromium):
    """Chromium and the app running on a free local port, shared by every browser test in
    this process: starting the server is seconds each time, and the tests already share the
    session's data directory, so a server per module would isolate nothing more. The
    ``national`` fixture builds the cache the app server reads.
    """
    from tests.browser_support import running_app

    with running_app() as url:
        yield chromium, url


def every_visual_as_table(at):
    """Turn on the sidebar's "Show charts and maps as tables" and rerun the page (AppTest)."""
    from ui.visual import TABLES

    return at.toggle(key=TABLES).set_value(True).run()


def visuals_drawn(at) -> set[str]:
    """The keys of the visuals a page drew, read off their About boxes' element ids
    ("$$ID-<hash>-<key>.about"): a visual sends no other keyed element until it is opened."""
    return {
        e.proto.id.split("-", 2)[2].removesuffix(".about")
        for e in at.expander
        if e.proto.id.endswith(".about")
    }


def shown_numbers(table, *columns: str):
    """A table as the app shows it (``reports.format.for_reading`` writes every figure as text
    in its unit, and a gap as the reason for it) with ``columns`` read back as numbers: "88.9%",
    "1,234", "£5", "45.9 per 10,000" become floats, a reason NaN. The figures are the shown,
    rounded ones: what a reader sees."""
    import re

    def number(cell: object) -> float:
        text = re.sub(r" (per [\d,]+|days|weeks|minutes)$", "", str(cell))
        text = text.replace(",", "").strip(" %£")
        try:
            return float(text)
        except ValueError:
            return float("nan")

    out = table.copy()
    for column in columns:
        out[column] = [number(cell) for cell in out[column]]
    return out
