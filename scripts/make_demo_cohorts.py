"""Write four linked agency cohort extracts (synthetic) with a known truth, for the Cohorts page.

Nothing here is real. Invented children in Bradford (its real ward codes and school URNs, so
maps and school checks work) appear in the education, social care, youth justice and health
extracts an area would link. Their ids are shaped like real ones and pass their check
characters, but are invented: NHS numbers are in the 999 range NHS England keeps for testing.

The extracts hold the faults real linking meets, planted on purpose and written to the truth
file so that tests can hold the linking to them:

* ``bridged``: the health extract holds only NHS numbers and the youth justice extract
  mostly UPNs, so some children link to education only through a social care record that
  holds both (A-B and B-C put A, B and C together).
* ``typo_bridged``: a record's UPN was mistyped (into another valid-looking UPN) but its NHS
  number still links it.
* ``typo_lost``: a record's only shared id was mistyped: it cannot be linked and counts as
  another child.
* ``no_shared_id``: a record with only the agency's own id: it cannot be linked either.
* ``conflict_year`` / ``conflict_sex``: a record with the right UPN but a birth date a year
  out, or the other sex: the id is reported as a conflict and not used to link.

``demo_cohort_truth.csv`` has one row per extract row (``extract``, ``row`` from 0, ``person``
the invented child, ``expected`` the child the deterministic linking should find, which
differs from ``person`` only for a record it cannot link, and ``planted``).

Run: ``python scripts/make_demo_cohorts.py`` (writes data/demo/demo_cohort_*.csv).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geography.school_register import school_register
from scripts.make_demo_data import LA, NEED_WEIGHTS, NEEDS, OUT, bradford_wards
from uploads.check_digits import UPN_LETTERS

EXTRACT_DATE = date(2025, 3, 31)
PEOPLE = 3000
SEED = 17
EXTRACTS = ("education", "social_care", "youth_justice", "health")
AGENCY = {
    "education": "education",
    "social_care": "social care",
    "youth_justice": "youth justice",
    "health": "health",
}
FILES = {name: f"demo_cohort_{name}.csv" for name in EXTRACTS}
TRUTH_FILE = "demo_cohort_truth.csv"
# How many of each fault to plant (small on purpose: each is checked one by one).
PLANTED = {
    "typo_bridged": 12,
    "typo_lost": 9,
    "no_shared_id": 10,
    "conflict_year": 6,
    "conflict_sex": 4,
}


def upn(rng: np.random.Generator) -> str:
    digits = "380" + "".join(str(d) for d in rng.integers(0, 10, 9))
    return upn_with_check(digits)


def upn_with_check(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23] + digits


def nhs_number(rng: np.random.Generator) -> str:
    while True:
        body = "999" + "".join(str(d) for d in rng.integers(0, 10, 6))
        check = (11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))) % 11
        if check != 10:
            return body + str(check)


def uln(rng: np.random.Generator) -> str:
    while True:
        body = "".join(str(d) for d in rng.integers(1, 10, 9))
        remainder = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if remainder != 0:
            return body + str(10 - remainder)


def _distinct(
    make: Callable[[np.random.Generator], str], rng: np.random.Generator, n: int
) -> list[str]:
    """n different ids: two invented children must never share one by chance."""
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(make(rng), None)
    return list(seen)


def people(rng: np.random.Generator, wards: list[str], urns: list[str]) -> pd.DataFrame:
    n = PEOPLE
    age = rng.integers(4, 19, n)
    dob = [
        EXTRACT_DATE - timedelta(days=int(a * 365.25 + rng.integers(0, 365))) for a in age.tolist()
    ]
    sen = rng.choice(["EHC plan", "SEN support", "none"], n, p=[0.25, 0.35, 0.40])
    frame = pd.DataFrame(
        {
            "person": [f"P{i:05d}" for i in range(n)],
            "upn": _distinct(upn, rng, n),
            "nhs_number": _distinct(nhs_number, rng, n),
            "uln": [
                u if a >= 14 else None for u, a in zip(_distinct(uln, rng, n), age, strict=True)
            ],
            "date_of_birth": dob,
            "age": age,
            "sex": rng.choice(["female", "male"], n, p=[0.35, 0.65]),
            "sen_status": sen,
            "primary_need": [
                rng.choice(NEEDS, p=NEED_WEIGHTS) if s != "none" else None for s in sen
            ],
            "ward_code": rng.choice(wards, n),
            "school_urn": rng.choice(urns, n),
        }
    )
    # Agencies' own flags, more common where needs are higher (as published figures show).
    ehc, support = frame["sen_status"].eq("EHC plan"), frame["sen_status"].eq("SEN support")
    p_social = np.where(ehc, 0.30, np.where(support, 0.18, 0.10))
    frame["in_social_care"] = rng.random(n) < p_social
    status = rng.choice(
        ["looked_after", "child_protection_plan", "child_in_need"], n, p=[0.25, 0.2, 0.55]
    )
    for flag in ("looked_after", "child_protection_plan", "child_in_need"):
        frame[flag] = frame["in_social_care"] & (status == flag)
    p_yos = np.where(ehc, 0.08, np.where(support, 0.06, 0.03))
    frame["in_youth_justice"] = (frame["age"] >= 10) & (rng.random(n) < p_yos)
    frame["in_health"] = rng.random(n) < np.where(ehc, 0.6, np.where(support, 0.3, 0.15))
    frame["elective_home_education"] = rng.random(n) < 0.03
    frame["missing_education"] = ~frame["elective_home_education"] & (rng.random(n) < 0.02)
    frame["neet"] = (frame["age"] >= 16) & (rng.random(n) < 0.08)
    frame["permanently_excluded"] = rng.random(n) < np.where(ehc | support, 0.01, 0.002)
    frame["persistently_absent"] = rng.random(n) < np.where(ehc, 0.35, 0.2)
    no_place = (
        frame["elective_home_education"]
        | frame["missing_education"]
        | frame["neet"]
        | frame["permanently_excluded"]
    )
    frame.loc[no_place, "school_urn"] = None
    # The education extract is the SEN cohort, plus any child it knows to be out of school.
    frame["in_education"] = frame["sen_status"].ne("none") | no_place
    return frame


def _yes(values: pd.Series) -> pd.Series:
    return values.map({True: "yes", False: "no"})


def extracts(frame: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Each agency's rows, with the ids it would hold (before any fault is planted)."""
    dob = pd.to_datetime(frame["date_of_birth"]).dt.strftime("%d/%m/%Y")
    common = {
        "person": frame["person"],
        "extract_date": EXTRACT_DATE.strftime("%d/%m/%Y"),
        "date_of_birth": dob,
        "sex": frame["sex"],
        "ward_code": frame["ward_code"],
    }
    n = len(frame)
    education = pd.DataFrame(
        {
            **common,
            "agency": "education",
            "upn": frame["upn"],
            "uln": frame["uln"],
            # SEND case records keep the NHS number for most children with a plan.
            "nhs_number": frame["nhs_number"].where(
                frame["sen_status"].eq("EHC plan") & (rng.random(n) < 0.7)
            ),
            "local_id": [f"EDU-{i:05d}" for i in range(n)],
            "sen_status": frame["sen_status"],
            "primary_need": frame["primary_need"],
            "school_urn": frame["school_urn"],
            **{
                f: _yes(frame[f])
                for f in (
                    "elective_home_education",
                    "missing_education",
                    "neet",
                    "permanently_excluded",
                    "persistently_absent",
                )
            },
        }
    )[frame["in_education"]]
    social_care = pd.DataFrame(
        {
            **common,
            "agency": "social care",
            "nhs_number": frame["nhs_number"].where(rng.random(n) < 0.85),
            "upn": frame["upn"].where(rng.random(n) < 0.6),
            "local_id": [f"CSC-{i:05d}" for i in range(n)],
            **{
                f: _yes(frame[f])
                for f in ("child_in_need", "child_protection_plan", "looked_after")
            },
        }
    )[frame["in_social_care"]]
    youth_justice = pd.DataFrame(
        {
            **common,
            "agency": "youth justice",
            "upn": frame["upn"].where(rng.random(n) < 0.75),
            "nhs_number": frame["nhs_number"].where(rng.random(n) < 0.4),
            "local_id": [f"YJS-{i:05d}" for i in range(n)],
            "known_to_yos": "yes",
        }
    )[frame["in_youth_justice"]]
    health = pd.DataFrame(
        {
            **common,
            "agency": "health",
            "nhs_number": frame["nhs_number"],
            "local_id": [f"HLT-{i:05d}" for i in range(n)],
        }
    )[frame["in_health"]]
    out = {
        "education": education,
        "social_care": social_care,
        "youth_justice": youth_justice,
        "health": health,
    }
    return {name: t.reset_index(drop=True).assign(planted="") for name, t in out.items()}


def mistype_upn(value: str, rng: np.random.Generator) -> str:
    """Another UPN that still passes its check letter: a digit changed, the check redone (as
    when the wrong child's UPN is picked from a list)."""
    digits = list(value[1:])
    at = int(rng.integers(3, 12))
    digits[at] = str((int(digits[at]) + int(rng.integers(1, 10))) % 10)
    return upn_with_check("".join(digits))


def plant(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Plant each fault on records where its effect on the linking is known exactly."""
    sc, edu = tables["social_care"], tables["education"]
    in_edu = set(edu["person"])
    counts = pd.concat([t["person"] for t in tables.values()]).value_counts()
    # People in only education and social care, so a fault cannot be mended through a third.
    pair_only = set(counts[counts == 2].index) & in_edu

    def pick(candidates: pd.Series, k: int) -> list[int]:
        free = candidates & sc["planted"].eq("")
        return sorted(rng.choice(sc.index[free], k, replace=False).tolist())

    both_ids = sc["upn"].notna() & sc["nhs_number"].notna() & sc["person"].isin(in_edu)
    # The education record must hold the NHS number for it to bridge past the typo.
    edu_nhs = set(edu.loc[edu["nhs_number"].notna(), "person"])
    for i in pick(both_ids & sc["person"].isin(edu_nhs), PLANTED["typo_bridged"]):
        sc.loc[i, ["upn", "planted"]] = [mistype_upn(sc.loc[i, "upn"], rng), "typo_bridged"]
    alone = sc["person"].isin(pair_only) & sc["upn"].notna() & ~sc["person"].isin(edu_nhs)
    for i in pick(alone, PLANTED["typo_lost"]):
        sc.loc[i, ["upn", "nhs_number", "planted"]] = [
            mistype_upn(sc.loc[i, "upn"], rng),
            None,
            "typo_lost",
        ]
    for i in pick(sc["person"].isin(pair_only), PLANTED["no_shared_id"]):
        sc.loc[i, ["upn", "nhs_number", "planted"]] = [None, None, "no_shared_id"]
    for fault in ("conflict_year", "conflict_sex"):
        for i in pick(alone, PLANTED[fault]):
            sc.loc[i, ["nhs_number", "planted"]] = [None, fault]
            if fault == "conflict_year":
                born = pd.to_datetime(sc.loc[i, "date_of_birth"], format="%d/%m/%Y")
                sc.loc[i, "date_of_birth"] = (born - pd.DateOffset(years=1)).strftime("%d/%m/%Y")
            else:
                sc.loc[i, "sex"] = "male" if sc.loc[i, "sex"] == "female" else "female"


SHARED_IDS = ("upn", "uln", "nhs_number")  # local ids are each agency's own


def _born(day: str, sex: str) -> tuple[int, str]:
    """Academic year of birth (September to August, as school years run) and sex."""
    born = pd.to_datetime(day, format="%d/%m/%Y")
    return born.year - int(born.month < 9), sex


def truth(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What deterministic linking should find, worked out child by child with a plain
    union-find: records of one child join where they hold the same id, unless that id is a
    conflict (its holders disagree on academic year of birth or sex)."""
    rows = pd.concat(
        [t.assign(extract=name, row=t.index) for name, t in tables.items()], ignore_index=True
    )
    holders: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for rec in rows.itertuples():
        for col in SHARED_IDS:
            value = getattr(rec, col)
            if isinstance(value, str):
                holders.setdefault((col, value), set()).add(_born(rec.date_of_birth, rec.sex))
    conflicts = {key for key, seen in holders.items() if len(seen) > 1}
    expected, planted = [], []
    for _, group in rows.groupby("person", sort=False):
        parent = {i: i for i in group.index}

        def root(i: int, parent: dict[int, int] = parent) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        ids = {
            i: {(c, v) for c in SHARED_IDS if isinstance(v := group.at[i, c], str)} - conflicts
            for i in group.index
        }
        for i in group.index:
            for j in group.index:
                if i < j and ids[i] & ids[j]:
                    parent[root(j)] = root(i)
        first: dict[int, int] = {}
        for i in group.index:
            first.setdefault(root(i), len(first))
        for i in group.index:
            k = first[root(i)]
            person = group.at[i, "person"]
            expected.append((i, person if k == 0 else f"{person}#{k}"))
            label = group.at[i, "planted"]
            if not label and group.at[i, "extract"] == "health":
                edu = group.index[group["extract"].eq("education")]
                if len(edu) and root(edu[0]) == root(i) and not ids[i] & ids[edu[0]]:
                    label = "bridged"
            planted.append((i, label))
    out = rows[["extract", "row", "person"]].copy()
    out["expected"] = pd.Series(dict(expected))
    out["planted"] = pd.Series(dict(planted))
    return out


COLUMNS = [
    "agency",
    "upn",
    "uln",
    "nhs_number",
    "local_id",
    "extract_date",
    "date_of_birth",
    "sex",
    "sen_status",
    "primary_need",
    "school_urn",
    "ward_code",
    "child_in_need",
    "child_protection_plan",
    "looked_after",
    "known_to_yos",
    "elective_home_education",
    "missing_education",
    "neet",
    "permanently_excluded",
    "persistently_absent",
]


def main() -> None:
    rng = np.random.default_rng(SEED)
    wards = bradford_wards()
    schools = school_register()
    urns = sorted(schools.loc[schools["la_code"] == LA, "urn"].tolist())
    everyone = people(rng, wards, urns)
    tables = extracts(everyone, rng)
    plant(tables, rng)
    typos = tables["social_care"].loc[tables["social_care"]["planted"].str.startswith("typo")]
    # The truth's union-find joins records of one child only: a typo must hit no other child.
    assert not typos["upn"].isin(everyone["upn"]).any(), "a mistyped UPN is another child's"
    for name, table in tables.items():
        table[[c for c in COLUMNS if c in table.columns]].to_csv(OUT / FILES[name], index=False)
    truth(tables).to_csv(OUT / TRUTH_FILE, index=False)
    print({name: len(t) for name, t in tables.items()})


if __name__ == "__main__":
    main()
