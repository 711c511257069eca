"""How much linking four agency extracts costs over a plain pandas merge on the same keys.

Run: ``python -m benchmarks.linking [--rows 100000] [--repeat 5]``. Builds four seeded
extracts of ``rows`` rows each, shaped as ``read_upload`` leaves them (ids already keyed
hashes: the hashing is the upload's cost, measured by ``benchmarks.uploads``), then times
``analysis.linking.link_extracts`` against the merge a script without bridging would do:
education outer-merged with social care and youth justice on the UPN and with health on the
NHS number. The two are timed in interleaved pairs (link, merge, link, merge ...) and the
ratio of each pair is reported (median and range), since these machines are noisy; peak
memory of each is measured apart, with tracemalloc (numpy and pandas report to it).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.linking import link_extracts

FINGERPRINT = "b" * 32


def _hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array([f"{v:032x}" for v in rng.integers(0, 2**63, n, dtype=np.int64)], dtype=object)


def extracts(rows: int, seed: int = 17) -> dict[str, pd.DataFrame]:
    """Four extracts of ``rows`` rows drawn from 1.5 times as many children."""
    rng = np.random.default_rng(seed)
    people = int(rows * 1.5)
    upn, nhs, uln = _hashes(rng, people), _hashes(rng, people), _hashes(rng, people)
    year = rng.integers(-1, 14, people)
    sex = rng.choice(np.array(["female", "male"], dtype=object), people)

    def extract(ids: dict[str, float]) -> pd.DataFrame:
        who = rng.choice(people, rows, replace=False)
        frame = pd.DataFrame(
            {
                col: pd.Series(source[who], dtype="string").where(rng.random(rows) < share)
                for col, (source, share) in {
                    "upn": (upn, ids.get("upn", 0)),
                    "uln": (uln, ids.get("uln", 0)),
                    "nhs_number": (nhs, ids.get("nhs_number", 0)),
                }.items()
            }
        )
        frame["local_id"] = pd.Series(_hashes(rng, rows), dtype="string")
        frame["extract_date"] = pd.Timestamp("2025-03-31")
        frame["nc_year"] = pd.array(year[who], dtype="Int64")
        frame["age"] = frame["nc_year"] + 5
        frame["sex"] = pd.Series(sex[who], dtype="string")
        frame["child_in_need"] = pd.array(rng.random(rows) < 0.1, dtype="boolean")
        frame.attrs["key_fingerprint"] = FINGERPRINT
        return frame

    return {
        "education": extract({"upn": 1.0, "uln": 0.3, "nhs_number": 0.3}),
        "social_care": extract({"upn": 0.6, "nhs_number": 0.85}),
        "youth_justice": extract({"upn": 0.75, "nhs_number": 0.4}),
        "health": extract({"nhs_number": 1.0}),
    }


def plain_merge(ex: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The merge a script without bridging would do, on the same keys (a blank key matches
    nothing: pandas would otherwise join every blank to every blank)."""
    out = _outer(ex["education"], ex["social_care"], "upn", "_sc")
    out = _outer(out, ex["youth_justice"], "upn", "_yj")
    return _outer(out, ex["health"], "nhs_number", "_h")


def _outer(left: pd.DataFrame, right: pd.DataFrame, key: str, suffix: str) -> pd.DataFrame:
    has_l, has_r = left[key].notna(), right[key].notna()
    both = left[has_l].merge(right[has_r], on=key, how="outer", suffixes=("", suffix))
    return pd.concat([both, left[~has_l], right[~has_r].add_suffix(suffix)], ignore_index=True)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ex = extracts(args.rows)
    link_extracts(ex)  # warm up: imports, scipy's first call
    plain_merge(ex)
    pairs = [
        (_timed(lambda: link_extracts(ex)), _timed(lambda: plain_merge(ex)))
        for _ in range(args.repeat)
    ]
    ratios = [a / b for a, b in pairs]
    result = link_extracts(ex)
    print(f"4 extracts x {args.rows:,} rows -> {len(result.people):,} linked children")
    print(f"link:  median {statistics.median(a for a, _ in pairs):.2f} s")
    print(f"merge: median {statistics.median(b for _, b in pairs):.2f} s")
    print(
        f"ratio link/merge: median {statistics.median(ratios):.2f} "
        f"(range {min(ratios):.2f} to {max(ratios):.2f}, {len(ratios)} interleaved pairs)"
    )
    print(
        f"peak memory: link {_peak_mb(lambda: link_extracts(ex)):.0f} MB, merge {_peak_mb(lambda: plain_merge(ex)):.0f} MB"
    )


if __name__ == "__main__":
    main()
