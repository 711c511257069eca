"""Start the app and a headless Chromium for browser tests and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = '[data-test-script-state="notRunning"]'
# How a person starts SEND Lens (README, Dockerfile, .ci/run): the launcher, which serves the
# router app.py and prepares the first page as the server starts.
LAUNCHER = "serve.py"


def launcher(tree: Path = ROOT) -> str:
    """The script that starts the checkout ``tree`` as a person would (an older checkout, which
    benchmarks compare against, has no launcher: its router is started directly)."""
    return LAUNCHER if (tree / LAUNCHER).exists() else "app.py"


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("SEND_LENS_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "/usr/bin/chromium",
    ):
        if candidate and (
            found := shutil.which(candidate) or (Path(candidate).is_file() and candidate)
        ):
            return str(found)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(
    script: str = LAUNCHER,
    env: dict[str, str] | None = None,
    timeout: float = 90,
    cwd: Path = ROOT,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free local port (in ``cwd``: benchmarks start an
    older checkout too); yield its base URL."""
    with running_server(script, env, timeout, cwd=cwd) as (url, _proc):
        yield url


@contextmanager
def running_server(
    script: str = LAUNCHER,
    env: dict[str, str] | None = None,
    timeout: float = 90,
    log: IO[str] | None = None,
    cwd: Path = ROOT,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like ``running_app``, also yielding the server process (benchmarks read its memory).

    ``log`` takes the server's output: a long run must not leave it in a pipe nobody reads,
    where a full buffer would stall the server.
    """
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited early:\n{proc.stdout.read() if proc.stdout else ''}"
                )
            try:
                if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("streamlit did not become healthy in time")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def chromium_or_skip() -> str:
    """Chromium's path; else skip, or fail where SEND_LENS_REQUIRE_BROWSER=1 (CI), so browser
    tests can never silently not run there."""
    import pytest

    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("SEND_LENS_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ": browser tests must run here")
        pytest.skip(message)
    return path


def wait_until_rendered(page, timeout_ms: int = 60_000) -> None:
    """Streamlit's own e2e tests wait like this: script finished, no skeletons left."""
    page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=timeout_ms,
    )


def choose_when_offered(page, box_name: str, option: str) -> None:
    """Open the select box and choose ``option``, opening it again until it is offered: the
    rerun a choice above it starts (a map's level, say) may not have begun when the page first
    reads as idle, and the box then still lists the options it had before (CI, 2026-12-03)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    box = page.get_by_role("combobox", name=box_name)
    for _ in range(30):
        box.click()
        offered = page.get_by_role("option", name=option, exact=True)
        try:
            offered.wait_for(timeout=2_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            wait_until_rendered(page)
            continue
        offered.click()
        return
    raise AssertionError(f"{option!r} never offered in {box_name!r}")


IMPACTS_THAT_FAIL = ("serious", "critical")

# Findings inside Streamlit's own widgets that app code cannot change, each excluded by its
# exact selector (never a whole rule). Empty today: every finding so far was fixable.
STREAMLIT_EXCLUSIONS: list[str] = []


# axe-core stays loaded in the page across Streamlit's page and tab switches (no reload), so
# it is injected once per document: its 570 kB evaluated again before every run cost up to
# half a second each, and a sweep runs it dozens of times. Only violations come back.
AXE_RUN = """([context, options]) => axe.run(context || document, options)
  .then(results => results.violations)"""


def serious_findings(page, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    context = {"exclude": [[s] for s in STREAMLIT_EXCLUSIONS]} if STREAMLIT_EXCLUSIONS else None
    violations = page.evaluate(AXE_RUN, [context, DEFAULT_OPTIONS])
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in IMPACTS_THAT_FAIL
    ]
