"""Write the example (synthetic) local data a new user can load with one click.

Nothing here is real: children, dates and KPI values are drawn from a seeded random
generator. Ward codes and school URNs are Bradford's real ones so that maps and school
checks work; the file names and dataset names say "example".

Run: ``python scripts/make_demo_data.py`` (writes data/demo/*.csv).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geography.school_register import school_register

OUT = ROOT / "data/demo"
LA = "E08000032"  # Bradford
AS_OF = date(2025, 3, 31)
NEEDS = ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "SLD", "PD", "HI", "VI", "PMLD", "MSI", "OTH"]
NEED_WEIGHTS = [0.32, 0.21, 0.21, 0.09, 0.04, 0.04, 0.03, 0.015, 0.01, 0.01, 0.005, 0.02]


def bradford_wards() -> list[str]:
    lookup = (
        pd.read_csv(
            ROOT.parent
            / "shared/data/raw/geography/lookups/Ward_to_Local_Authority_District_(December_2023)_Lookup_in_the_United_Kingdom.csv.gz",
            dtype=str,
        )
        if (ROOT.parent / "shared").exists()
        else None
    )
    if lookup is not None:
        return sorted(lookup.loc[lookup["LAD23CD"] == LA, "WD23CD"].tolist())
    return sorted(
        pd.read_csv(OUT / "demo_ehc_tracker.csv", dtype=str)["ward_code"].dropna().unique()
    )


def tracker(rng: np.random.Generator, wards: list[str], urns: list[str]) -> pd.DataFrame:
    rows = []
    start = date(2023, 4, 3)
    for i in range(420):
        request = start + timedelta(days=int(rng.integers(0, (AS_OF - start).days)))
        age = int(rng.choice(np.arange(2, 19), p=_age_weights()))
        dob = request - timedelta(days=int(age * 365.25 + rng.integers(0, 364)))
        decision_days = int(rng.normal(38, 9))
        decision_date = request + timedelta(days=max(decision_days, 7))
        assess = rng.random() > 0.25
        row = {
            "child_id": f"DEMO-{i + 1:04d}",
            "request_date": request,
            "decision_date": decision_date if decision_date <= AS_OF else None,
            "decision": ("assess" if assess else "not assess") if decision_date <= AS_OF else None,
            "issue_date": None,
            "exception": "no",
            "primary_need": rng.choice(NEEDS, p=NEED_WEIGHTS),
            "date_of_birth": dob,
            "school_urn": rng.choice(urns) if age >= 4 else None,
            "ward_code": rng.choice(wards),
        }
        if assess and decision_date <= AS_OF:
            weeks = rng.gamma(9.0, 2.3)  # most plans near 20 weeks, a long tail of delays
            issue = request + timedelta(days=int(weeks * 7))
            if issue <= AS_OF and rng.random() > 0.08:
                row["issue_date"] = issue
                row["exception"] = "yes" if rng.random() < 0.06 else "no"
        rows.append(row)
    return pd.DataFrame(rows)


def _age_weights() -> np.ndarray:
    w = np.array([4, 9, 10, 9, 8, 7, 7, 7, 7, 6, 6, 5, 5, 4, 3, 2, 1], dtype=float)
    return w / w.sum()


KPIS = [
    # id, target, start, drift, noise, unit
    ("ehc_20wk_pct", 60.0, 48.0, 1.2, 4.0, "%"),
    ("ehc_decided_6wk_pct", 90.0, 84.0, 0.4, 3.0, "%"),
    ("annual_reviews_12m_pct", 85.0, 70.0, 0.8, 3.0, "%"),
    ("amendments_12wk_pct", 80.0, 62.0, 0.5, 5.0, "%"),
    ("health_advice_6wk_pct", 90.0, 78.0, -0.3, 4.0, "%"),
    ("health_seen_18wk_pct", 92.0, 71.0, -0.6, 3.0, "%"),
    ("reviews_6_8wk_pct", 85.0, 88.0, 0.1, 2.0, "%"),
    ("ehc_open_over_30wk", 10.0, 44.0, -1.5, 4.0, "count"),
    ("no_school_place_15_days", 5.0, 14.0, 0.2, 2.0, "count"),
    ("short_breaks_waiting", 40.0, 55.0, 1.0, 4.0, "count"),
]


def kpi_return(rng: np.random.Generator) -> pd.DataFrame:
    months = pd.period_range("2024-04", "2025-03", freq="M")
    rows = []
    for kpi, target, level, drift, noise, unit in KPIS:
        for i, month in enumerate(months):
            value = level + drift * i + rng.normal(0, noise)
            row = {
                "indicator": kpi,
                "period": str(month),
                "area_code": LA,
                "area_level": "la",
                "target": target,
                "commentary": "",
            }
            if unit == "%":
                denominator = int(rng.integers(60, 140))
                numerator = int(round(min(max(value, 0), 100) / 100 * denominator))
                row.update(
                    numerator=numerator,
                    denominator=denominator,
                    value=round(100 * numerator / denominator, 1),
                )
            else:
                row.update(numerator=None, denominator=None, value=max(round(value), 0))
            rows.append(row)
        rows[-1]["commentary"] = (
            "Example commentary: recovery plan agreed at the March partnership board."
        )
    return pd.DataFrame(rows)


def locality_lookup(wards: list[str]) -> pd.DataFrame:
    """Bradford's wards in five invented localities: neighbouring wards grouped by k-means on
    their centres, lettered north to south. Not Bradford's real localities."""
    from scipy.cluster.vq import kmeans2

    from geography import boundaries

    shapes = boundaries.wards(LA).set_index("ward_code").loc[wards]
    centres = np.column_stack([shapes.geometry.centroid.x, shapes.geometry.centroid.y])
    _, label = kmeans2(centres, 5, seed=np.random.default_rng(16), minit="++")
    north = {k: centres[label == k, 1].mean() for k in set(label)}
    letter = {k: "ABCDE"[i] for i, k in enumerate(sorted(north, key=north.get, reverse=True))}
    return pd.DataFrame(
        {
            "ward_code": wards,
            "ward_name": shapes["ward_name"].to_numpy(),
            "locality": [f"Example locality {letter[k]}" for k in label],
            "locality_code": [f"EX-{letter[k]}" for k in label],
            "locality_type": "family hub",
        }
    ).sort_values(["locality_code", "ward_code"])


def area_kpi_return(
    rng: np.random.Generator, wards: list[str], localities: list[str], urns: list[str]
) -> pd.DataFrame:
    """A yearly return by ward, locality and school, with small numbers in it on purpose."""
    rows = []
    base = {"period": "2024/25", "target": None, "commentary": ""}
    for ward in wards:
        for kpi, mean in (("short_breaks", 9), ("transport_ehc", 40)):
            count = int(rng.poisson(mean))
            rows.append(
                {
                    **base,
                    "indicator": kpi,
                    "area_code": ward,
                    "area_level": "ward",
                    "numerator": None,
                    "denominator": None,
                    "value": count,
                }
            )
    for name in localities:
        denominator = int(rng.integers(80, 220))
        numerator = int(rng.binomial(denominator, rng.uniform(0.55, 0.85)))
        rows.append(
            {
                **base,
                "indicator": "health_seen_18wk_pct",
                "area_code": name,
                "area_level": "locality",
                "numerator": numerator,
                "denominator": denominator,
                "target": 92.0,
                "value": round(100 * numerator / denominator, 1),
            }
        )
    for urn in urns:
        denominator = int(rng.integers(4, 70))
        numerator = int(rng.binomial(denominator, 0.78))
        rows.append(
            {
                **base,
                "indicator": "annual_reviews_12m_pct",
                "area_code": urn,
                "area_level": "school",
                "numerator": numerator,
                "denominator": denominator,
                "target": 85.0,
                "value": round(100 * numerator / denominator, 1),
            }
        )
    return pd.DataFrame(rows)[
        [
            "indicator",
            "period",
            "area_code",
            "area_level",
            "target",
            "commentary",
            "numerator",
            "denominator",
            "value",
        ]
    ]


def write_area_examples(wards: list[str]) -> None:
    """The map's examples, from their own seed so the files above stay as they are."""
    from geography.schools import school_areas

    rng = np.random.default_rng(20250401)
    lookup = locality_lookup(wards)
    lookup.to_csv(OUT / "demo_locality_lookup.csv", index=False)
    located = school_areas()
    urns = sorted(located.loc[located["la_code"] == LA, "urn"].astype(str))
    chosen = sorted(rng.choice(urns, size=60, replace=False))
    names = sorted(lookup["locality"].unique())
    area_kpi_return(rng, wards, names, chosen).to_csv(
        OUT / "demo_kpi_return_areas.csv", index=False
    )


def main() -> None:
    rng = np.random.default_rng(20250331)
    OUT.mkdir(parents=True, exist_ok=True)
    wards = bradford_wards()
    schools = school_register()
    urns = sorted(schools.loc[schools["la_code"] == LA, "urn"].tolist())
    t = tracker(rng, wards, urns)
    for col in ("request_date", "decision_date", "issue_date", "date_of_birth"):
        t[col] = pd.to_datetime(t[col]).dt.strftime("%d/%m/%Y")
    t.to_csv(OUT / "demo_ehc_tracker.csv", index=False)
    kpi_return(rng).to_csv(OUT / "demo_kpi_return.csv", index=False)
    write_area_examples(wards)
    print(f"wrote {len(t)} tracker rows and {len(KPIS) * 12} KPI rows to {OUT}")


if __name__ == "__main__":
    main()
