"""Could a probabilistic pass on quasi-identifiers add links the deterministic one missed?

Run: ``python -m benchmarks.linking_quasi_identifiers``. Reads the synthetic extracts and their
truth (``scripts/make_demo_cohorts.py``). Each child the deterministic linking leaves in more
than one piece is a missed link. For each piece, the candidates are the other linked children,
in none of its extracts, with the same quasi-identifiers that survive pseudonymisation:
academic year of birth (from the school year), sex and home ward (month of birth is not kept).
No model, Splink's included, can tell apart candidates whose every compared field is equal, so
this bounds what a probabilistic pass on these fields could do: a link taken only where the
candidate is unique, with its precision against the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.make_demo_cohorts import EXTRACTS, FILES, OUT, TRUTH_FILE


def main() -> None:
    raw = pd.concat(
        [
            pd.read_csv(OUT / FILES[n], dtype=str).assign(
                extract=n, row=lambda f: np.arange(len(f))
            )
            for n in EXTRACTS
        ],
        ignore_index=True,
    ).merge(pd.read_csv(OUT / TRUTH_FILE, keep_default_na=False), on=["extract", "row"])
    born = pd.to_datetime(raw["date_of_birth"], format="%d/%m/%Y")
    year = (born.dt.year - (born.dt.month < 9)).astype(str)
    raw["key"] = year + "|" + raw["sex"] + "|" + raw["ward_code"]
    pieces = raw.groupby("expected").agg(
        key=("key", "first"), person=("person", "first"), extracts=("extract", frozenset)
    )
    split = pieces[pieces.groupby("person")["key"].transform("size") > 1]
    by_key = {k: g for k, g in pieces.groupby("key")}
    found = []
    for name, piece in split.iterrows():
        others = by_key[piece["key"]].drop(index=name)
        apart = np.array([not (e & piece["extracts"]) for e in others["extracts"]], dtype=bool)
        others = others[apart]
        found.append((len(others), int((others["person"] == piece["person"]).sum())))
    result = pd.DataFrame(found, columns=["candidates", "true"])
    unique = result["candidates"] == 1
    right, wrong = (
        int((unique & (result["true"] == 1)).sum()),
        int((unique & (result["true"] == 0)).sum()),
    )
    print(f"children linked: {len(pieces):,}; pieces of children left apart: {len(split):,}")
    print(f"true piece among same-field candidates: {100 * (result['true'] > 0).mean():.1f}%")
    print(
        f"candidates per piece: median {result['candidates'].median():.0f}, mean {result['candidates'].mean():.2f}"
    )
    print(
        f"link only a unique candidate: {right} right, {wrong} wrong "
        f"(precision {100 * right / max(right + wrong, 1):.1f}%, "
        f"{100 * right / len(split):.1f}% of the missed pieces)"
    )
    print(f"people per (year, sex, ward) cell: {pieces.groupby('key').size().mean():.1f}")


if __name__ == "__main__":
    main()
