"""Write example (synthetic) annual review outcome returns, one per shipped framework.

Nothing here is real: children, needs, ratings and answers come from a seeded random
generator. Ward codes and school URNs are Bradford's real ones (taken from the example EHC
tracker) so breakdowns by school and ward and the URN checks work. Every file starts with a
title row saying it is example data, which the reader skips like any title row, and every
child id starts "DEMO-".

Also written: an example social care extract (kind ``cohort``) for the same invented
children, so the social care breakdown has something to link to, and an example survey
(kind ``survey``) for the two local survey indicators of the national logic model.

The example improves a little each year and is worse for children whose primary need is
social, emotional and mental health, so the trend and the breakdowns have something to find.

Run: ``python scripts/make_demo_outcomes.py`` (writes data/demo/demo_outcomes_*.csv and
data/demo/demo_survey_outcomes.csv).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from uploads.frameworks import Framework, shipped_frameworks

OUT = ROOT / "data/demo"
SEED = 20250331
YEARS = (2022, 2023, 2024)  # academic years starting September 2022, 2023, 2024
CHILDREN = 240
NEEDS = ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "SLD", "PD", "HI", "VI", "PMLD", "OTH"]
NEED_WEIGHTS = [0.32, 0.21, 0.21, 0.09, 0.04, 0.04, 0.03, 0.02, 0.01, 0.01, 0.02]
TITLE = (
    "Example data (synthetic): invented annual review outcomes for the {name}. Not real children."
)


def pool(rng: np.random.Generator) -> pd.DataFrame:
    tracker = pd.read_csv(OUT / "demo_ehc_tracker.csv", dtype=str)
    wards = sorted(tracker["ward_code"].dropna().unique())
    urns = sorted(tracker["school_urn"].dropna().unique())
    born = [date(2005, 9, 1) + timedelta(days=int(d)) for d in rng.integers(0, 365 * 14, CHILDREN)]
    return pd.DataFrame(
        {
            "child_id": [f"DEMO-OUT-{i + 1:04d}" for i in range(CHILDREN)],
            "date_of_birth": born,
            "primary_need": rng.choice(NEEDS, CHILDREN, p=NEED_WEIGHTS),
            "sen_provision": np.where(rng.random(CHILDREN) < 0.9, "EHC plan", "SEN support"),
            "school_urn": rng.choice(urns, CHILDREN),
            "ward_code": rng.choice(wards, CHILDREN),
            "ability": rng.normal(0, 0.6, CHILDREN),  # some children do better throughout
        }
    )


def reviews(rng: np.random.Generator, children: pd.DataFrame) -> pd.DataFrame:
    """Who had a review in which year, and when (September to July)."""
    rows = []
    for year in YEARS:
        reviewed = children[rng.random(len(children)) < 0.85]
        for child in reviewed.itertuples(index=False):
            when = date(year, 9, 8) + timedelta(days=int(rng.integers(0, 300)))
            age = (when - child.date_of_birth).days // 365
            if 4 <= age <= 19:
                rows.append({**child._asdict(), "review_date": when, "year": YEARS.index(year)})
    return pd.DataFrame(rows)


def _level(rng: np.random.Generator, child: object, n_levels: int) -> int:
    """A level index, 0 best: better each year, worse with SEMH, varying by child."""
    score = 0.35 * child.year + child.ability - (0.5 if child.primary_need == "SEMH" else 0.0)  # type: ignore[attr-defined]
    centre = (n_levels - 1) * (0.55 - 0.12 * score)
    return int(np.clip(round(rng.normal(centre, n_levels / 4)), 0, n_levels - 1))


def _answer(
    rng: np.random.Generator, child: object, options: tuple[str, ...], positive: frozenset[str]
) -> str:
    score = 0.3 * child.year + child.ability - (0.5 if child.primary_need == "SEMH" else 0.0)  # type: ignore[attr-defined]
    p_positive = float(np.clip(0.55 + 0.15 * score, 0.1, 0.95))
    good = [o for o in options if o in positive]
    other = [o for o in options if o not in positive]
    return str(rng.choice(good if rng.random() < p_positive else other))


def ratings(rng: np.random.Generator, seen: pd.DataFrame, fw: Framework) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    if fw.scale is None:
        return rows
    levels = fw.scale.levels
    weights = np.linspace(2.0, 1.0, len(fw.outcomes))
    for child in seen.itertuples(index=False):
        k = int(rng.integers(3, min(6, len(fw.outcomes)) + 1))
        chosen = rng.choice(len(fw.outcomes), k, replace=False, p=weights / weights.sum())
        pathway = ""
        if fw.pathways and (child.review_date - child.date_of_birth).days // 365 >= 14:
            pathway = "; ".join(rng.choice(fw.pathways, int(rng.integers(1, 3)), replace=False))
        for i in sorted(chosen):
            agencies = [a for a, p in zip(fw.agencies, (1.0, 0.4, 0.15)) if rng.random() < p] or [
                ""
            ]
            for agency in agencies:
                rows.append(
                    _row(
                        child,
                        outcome=fw.outcomes[i].statement,
                        agency=agency,
                        pathway=pathway,
                        progress_rating=levels[_level(rng, child, len(levels))].label,
                    )
                )
    return rows


def answers(rng: np.random.Generator, seen: pd.DataFrame, fw: Framework) -> list[dict[str, object]]:
    rows = []
    for child in seen.itertuples(index=False):
        for q in fw.questions:
            if rng.random() < 0.93:  # a few children leave a question unanswered
                rows.append(
                    _row(
                        child,
                        voice_question=q.id,
                        voice_answer=_answer(rng, child, q.options, q.positive),
                    )
                )
    return rows


def _row(child: object, **values: object) -> dict[str, object]:
    base = {
        k: getattr(child, k)
        for k in (
            "child_id",
            "review_date",
            "date_of_birth",
            "primary_need",
            "sen_provision",
            "school_urn",
            "ward_code",
        )
    }
    return {**base, **values}


def write_return(fw: Framework, rows: list[dict[str, object]]) -> Path:
    frame = pd.DataFrame(rows)
    for col in ("review_date", "date_of_birth"):
        frame[col] = pd.to_datetime(frame[col]).dt.strftime("%d/%m/%Y")
    order = [
        "child_id",
        "review_date",
        "date_of_birth",
        "outcome",
        "agency",
        "progress_rating",
        "voice_question",
        "voice_answer",
        "pathway",
        "primary_need",
        "sen_provision",
        "school_urn",
        "ward_code",
    ]
    frame = frame[[c for c in order if c in frame.columns]].sort_values(
        ["review_date", "child_id"], kind="stable"
    )
    path = OUT / f"demo_outcomes_{fw.id}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(TITLE.format(name=fw.name) + "\n")
        frame.to_csv(handle, index=False)
    return path


def cohort(rng: np.random.Generator, children: pd.DataFrame) -> None:
    """An invented social care extract: about a fifth of the children are known."""
    known = children[rng.random(len(children)) < 0.22]
    status = rng.choice(
        ["child_in_need", "child_protection_plan", "looked_after"], len(known), p=[0.55, 0.2, 0.25]
    )
    frame = pd.DataFrame(
        {
            "agency": "social care",
            "local_id": known["child_id"].values,
            "extract_date": "31/03/2025",
        }
    )
    for flag in ("child_in_need", "child_protection_plan", "looked_after"):
        frame[flag] = np.where(status == flag, "yes", "no")
    frame.to_csv(OUT / "demo_outcomes_cohort.csv", index=False)


def survey() -> None:
    """Invented survey counts for the logic model's two local survey indicators."""
    rows = []
    leisure = "Are you able to take part in the leisure activities you choose?"
    confident = (
        "How confident are you in navigating the SEND system and managing your child's "
        "health and care needs?"
    )
    counts = {
        ("2023/24", leisure): {"Yes": 88, "Sometimes": 61, "No": 43},
        ("2024/25", leisure): {"Yes": 104, "Sometimes": 58, "No": 37},
        ("2023/24", confident): {
            "Very confident": 31,
            "Fairly confident": 92,
            "Not very confident": 88,
            "Not at all confident": 41,
        },
        ("2024/25", confident): {
            "Very confident": 38,
            "Fairly confident": 101,
            "Not very confident": 79,
            "Not at all confident": 36,
        },
    }
    for (period, question), answers_ in counts.items():
        # Not "EXAMPLE ...": the reader skips rows whose survey name starts so (template rows).
        name = (
            "Synthetic young people's survey"
            if question == leisure
            else "Synthetic parent carer survey"
        )
        rows += [
            {"survey": name, "period": period, "question": question, "answer": a, "count": n}
            for a, n in answers_.items()
        ]
    pd.DataFrame(rows).to_csv(OUT / "demo_survey_outcomes.csv", index=False)


def main() -> None:
    rng = np.random.default_rng(SEED)
    children = pool(rng)
    seen = reviews(rng, children)
    for fw in shipped_frameworks().values():
        path = write_return(fw, ratings(rng, seen, fw) + answers(rng, seen, fw))
        print(f"wrote {path.relative_to(ROOT)}")
    cohort(rng, children)
    survey()
    print("wrote data/demo/demo_outcomes_cohort.csv and data/demo/demo_survey_outcomes.csv")


if __name__ == "__main__":
    main()
