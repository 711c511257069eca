"""How much reading, validating and pseudonymising an upload costs over just parsing it.

Run: ``python -m benchmarks.uploads [--rows 100000] [--repeat 5]``. Builds a synthetic,
seeded ``cohort`` extract as XLSX (cached in the temp directory, since openpyxl takes half
a minute to write it), then times ``read_upload`` and a plain python-calamine parse of the same file
as interleaved pairs (read_upload, calamine, read_upload ...) and against ``pandas.read_excel`` with openpyxl.
Only ratios measured side by side in one run are compared: these machines are noisy.

``time_pipeline`` is the hook for later stages: set ``STORE_HOOK`` to a function that
stores the returned table (the persistent store) and its time is reported under "store".
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from benchmarks.pairs import Ratios, interleaved
from uploads import validation
from uploads.check_digits import UPN_LETTERS
from uploads.intake import read_upload
from uploads.schemas import KINDS

STORE_HOOK: Callable[[pd.DataFrame], None] | None = None  # e.g. lambda t: store.save_upload(t, ...)
TODAY = date(2025, 6, 1)
COLUMNS = KINDS["cohort"].names  # the template's own columns, in order


def _digits(bodies: list[str]) -> np.ndarray:
    return (
        np.frombuffer("".join(bodies).encode(), dtype=np.uint8).reshape(len(bodies), -1).astype(int)
        - 48
    )


def synthetic_cohort(rows: int, seed: int = 20250601) -> pd.DataFrame:
    """A plausible education extract: valid UPNs, some NHS numbers, real school URNs."""
    rng = np.random.default_rng(seed)
    upn_body = [f"801200{s:06d}" for s in rng.permutation(10**6)[:rows]]
    letters = np.array(list(UPN_LETTERS))[(_digits(upn_body) * np.arange(2, 14)).sum(axis=1) % 23]
    nhs_body = [f"4{s:08d}" for s in rng.permutation(10**8)[:rows]]
    check = (11 - (_digits(nhs_body) * np.arange(10, 1, -1)).sum(axis=1) % 11) % 11
    nhs = np.where(
        (check != 10) & (rng.random(rows) < 0.5), np.char.add(nhs_body, check.astype(str)), ""
    )
    register = validation.known_urns()
    urns = np.array([u for u in (register if register is not None else ["100000"]) if len(u) == 6])
    dob = pd.Timestamp("2005-09-01") + pd.to_timedelta(rng.integers(0, 6500, rows), unit="D")
    frame = pd.DataFrame(
        {
            "agency": "education",
            "upn": np.char.add(letters, upn_body),
            "uln": "",
            "nhs_number": nhs,
            "local_id": [f"ED{i:07d}" for i in range(rows)],
            "extract_date": date(2025, 3, 31),
            "date_of_birth": dob.date,
            "sen_status": rng.choice(["EHC plan", "SEN support", "none"], rows),
            "primary_need": rng.choice(
                ["ASD", "SEMH", "SLCN", "Moderate learning difficulty", "SPLD"], rows
            ),
            "school_urn": rng.choice(urns, rows),
            "ward_code": [f"E05{w:06d}" for w in rng.integers(0, 15000, rows)],
        }
    )
    for column in KINDS["cohort"].columns[11:]:  # flags, and choices such as sex
        yes, no = column.allowed[:2] if not column.is_flag else ("yes", "no")
        frame[column.name] = np.where(rng.random(rows) < 0.1, yes, no)
    return frame[COLUMNS]


def cohort_xlsx(rows: int, seed: int = 20250601) -> bytes:
    """The synthetic extract as an XLSX file, written by openpyxl (cached by rows and seed)."""
    from openpyxl import Workbook

    cached = Path(tempfile.gettempdir()) / f"send-lens-bench-cohort-{rows}-{seed}.xlsx"
    if cached.exists():
        return cached.read_bytes()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(COLUMNS)
    for record in synthetic_cohort(rows, seed).itertuples(index=False):
        ws.append(list(record))
    out = io.BytesIO()
    wb.save(out)
    cached.write_bytes(out.getvalue())
    return out.getvalue()


def time_pipeline(data: bytes) -> dict[str, float]:
    """Seconds for each stage of taking an upload in: read, validate, pseudonymise (from
    ``read_upload``), the total, and "store" when ``STORE_HOOK`` is set."""
    start = time.perf_counter()
    table = read_upload(data, "cohort.xlsx", "cohort", today=TODAY)
    timings = {"read_upload": time.perf_counter() - start, **table.attrs["timings"]}
    if STORE_HOOK is not None:
        start = time.perf_counter()
        STORE_HOOK(table)
        timings["store"] = time.perf_counter() - start
    return timings


def time_calamine(data: bytes) -> float:
    start = time.perf_counter()
    python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
        "Data"
    ).to_python()
    return time.perf_counter() - start


def time_openpyxl(data: bytes) -> float:
    start = time.perf_counter()
    pd.read_excel(io.BytesIO(data), sheet_name="Data", engine="openpyxl")
    return time.perf_counter() - start


def upload_pairs(data: bytes, pairs: int) -> tuple[Ratios, list[dict[str, float]]]:
    """``read_upload`` over a calamine parse of the same bytes, as interleaved pairs (after
    one warm-up run: the key is loaded once per process), and each run's stage timings."""
    time_pipeline(data)
    stages: list[dict[str, float]] = []

    def ours() -> float:
        stages.append(time_pipeline(data))
        return stages[-1]["read_upload"]

    return interleaved(ours, lambda: time_calamine(data), pairs), stages


def benchmark_env() -> None:
    os.environ.setdefault("SEND_LENS_PSEUDONYMISATION_KEY", "benchmark-key-not-secret-0123456789")
    os.environ.setdefault("SEND_LENS_CONFIG_DIR", tempfile.mkdtemp())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-openpyxl", action="store_true")
    args = parser.parse_args()
    benchmark_env()
    started = time.perf_counter()
    data = cohort_xlsx(args.rows)
    ready = time.perf_counter() - started
    print(f"{args.rows:,}-row cohort XLSX: {len(data) / 1e6:.1f} MB (ready in {ready:.1f} s)")
    pairs, pipeline = upload_pairs(data, args.repeat)
    stages = {
        k: statistics.median(p[k] for p in pipeline) for k in pipeline[0] if k != "read_upload"
    }
    print(f"read_upload over python-calamine parse: {pairs.describe()}")
    print("  stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    if not args.skip_openpyxl:
        slow = time_openpyxl(data)
        ours = statistics.median(pairs.a)
        print(
            f"pandas read_excel openpyxl  {slow:6.2f} s   read_upload is {ours / slow:.2f}x of it"
        )


if __name__ == "__main__":
    main()
