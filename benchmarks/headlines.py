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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import indicators
from analysis import profile
from benchmarks.pairs import Ratios, interleaved
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


def _use(module: object) -> None:
    profile.indicators = module  # type: ignore[assignment]


def warm_pairs(repeat: int) -> Ratios:
    """Warm Home runs, before over after, as interleaved pairs (after each side's first run)."""
    frame = pd.DataFrame(load_tidy())  # a plain copy of the cached table
    old = _old_indicators()
    before = frame.copy()
    before.attrs["shared"] = True  # what the old load_tidy marked
    after = indicators.NationalTable.of(frame)

    def timed(module: object, table: pd.DataFrame) -> float:
        _use(module)
        try:
            return home_run(table)
        finally:
            _use(indicators)

    timed(old, before), timed(indicators, after)
    return interleaved(lambda: timed(old, before), lambda: timed(indicators, after), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = pd.DataFrame(load_tidy())
    start = time.perf_counter()
    indicators.NationalTable.of(frame)
    print(f"split at load: {time.perf_counter() - start:.3f} s")
    print(f"warm Home run, before / after: {warm_pairs(args.repeat).describe()}")


if __name__ == "__main__":
    main()
