"""Time Home's 20 headline lookups (10 tiles and the same 10 as a table) on the national table,
before and after the catalogue became a package, side by side in one run.

"Before" is ``indicators.py`` as it was at commit b790f03 (read from git): rows split by
indicator in a module cache keyed by ``id(table)``, every value filtered from them. "After" is
the ``NationalTable`` that ``load_tidy`` returns: split once when loaded, with an index of each
indicator's values built on first use. Run: ``python -m benchmarks.headlines [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import indicators
from analysis import profile
from data_loaders.build import load_tidy

BEFORE_COMMIT = "b790f03"
AREA = "E08000032"  # Bradford


def _old_indicators() -> object:
    source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:indicators.py"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "indicators_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("indicators_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["indicators_before"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def home_run(table: pd.DataFrame) -> float:
    """Seconds for what Home asks: a headline per tile, then the headline table."""
    ids = [i.id for i in indicators.headlines()]
    start = time.perf_counter()
    for ind in ids:
        profile.headline(table, ind, AREA)
    profile.headline_table(table, ids, AREA)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = pd.DataFrame(load_tidy())  # a plain copy of the cached table
    old = _old_indicators()
    results = {}
    for label in ("before", "after"):
        if label == "before":
            table = frame.copy()
            table.attrs["shared"] = True  # what the old load_tidy marked
            profile.indicators = old  # type: ignore[assignment]
        else:
            start = time.perf_counter()
            table = indicators.NationalTable.of(frame)
            split = time.perf_counter() - start
            profile.indicators = indicators
        first = home_run(table)
        warm = statistics.median(home_run(table) for _ in range(args.repeat))
        results[label] = (first, warm)
    (b_first, b_warm), (a_first, a_warm) = results["before"], results["after"]
    print(f"split at load (after only): {split:.3f} s")
    print(f"first Home run: before {b_first * 1000:.1f} ms, after {a_first * 1000:.1f} ms")
    print(
        f"warm Home run (median of {args.repeat}): before {b_warm * 1000:.1f} ms, after {a_warm * 1000:.1f} ms"
    )
    print(f"ratio before/after, warm: {b_warm / a_warm:.0f}x; first run: {b_first / a_first:.1f}x")


if __name__ == "__main__":
    main()
