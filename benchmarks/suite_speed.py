"""The test suite of an earlier commit against the same tests today (issue 11's last goal).

Run: ``python -m benchmarks.suite_speed [--base c10c122] [--pairs 2]``.

The suite has grown since issue 11 was filed (939 tests then), so timing today's whole suite
against that day's would weigh new coverage as slowness. This times the tests both share,
by id: the base commit's copy of them run as the suite ran then (one process, no
``pytest-xdist``), against today's copy run by today's command (``pytest``, whose options
take one worker per core), as interleaved pairs. Each side uses its own checkout and its own
national cache, built before timing starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.pairs import interleaved

ROOT = Path(__file__).resolve().parent.parent
BASE = "c10c122"  # main just before issue 11's first commit: 939 tests


def _ids(checkout: Path, *options: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *options,
        ],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {line for line in out.splitlines() if "::" in line}


def _timed(checkout: Path, ids_file: Path, *options: str) -> float:
    """Seconds for pytest to run the ids in ``ids_file`` (ids hold spaces, so they go to
    ``pytest.main`` as a list rather than through a shell)."""
    code = (
        "import sys, pytest; "
        "sys.exit(pytest.main(sys.argv[2:] + open(sys.argv[1]).read().splitlines()))"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(ids_file), "-q", "-p", "no:cacheprovider", *options],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"tests failed in {checkout} (exit {done.returncode})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(old), args.base], cwd=ROOT, check=True
        )
        try:
            old_ids = _ids(old, "-p", "no:xdist")
            new_ids = _ids(ROOT, "-n", "0")
            shared = sorted(old_ids & new_ids)
            ids_file = Path(tmp) / "ids.txt"
            ids_file.write_text("\n".join(shared), encoding="utf-8")
            print(
                f"{args.base}: {len(old_ids)} tests; today: {len(new_ids)}; "
                f"shared by id: {len(shared)}",
                flush=True,
            )
            # One untimed test each on the national table, so both caches are built first.
            warm = Path(tmp) / "warm.txt"
            warm.write_text(next(i for i in shared if "test_catalogue.py" in i), encoding="utf-8")
            _timed(old, warm, "-p", "no:xdist")
            _timed(ROOT, warm, "-n", "0")
            pairs = interleaved(
                lambda: _timed(old, ids_file, "-p", "no:xdist"),
                lambda: _timed(ROOT, ids_file),
                args.pairs,
            )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False
            )
    speedups = [x / y for x, y in zip(pairs.a, pairs.b, strict=True)]
    print(f"then / today: {pairs.describe()}")
    print("speed-up per pair: " + ", ".join(f"{s:.2f}x" for s in speedups))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
