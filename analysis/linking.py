"""Linking agency cohort extracts into one row per child, on their pseudonymised ids.

Each extract is a stored cohort extract as ``uploads.intake.read_upload`` returns it: UPN,
ULN, NHS number and local id replaced by keyed hashes (the same key makes the same child's
id the same hash in every agency's file), age and school year instead of a date of birth.

The linking is deterministic. Records are joined where they hold the same UPN, ULN or NHS
number, and a record holding two ids bridges the others: the children are the connected
components of the graph of records and ids (so A-B and B-C put A, B and C together). A
local id is an agency's own, so it joins records of that agency only. An id whose records
disagree on the academic year of birth (from the school year on the extract date) or on sex
is a *conflict*: two children given one id, or one child's details mistyped. It is reported
and not used to link (its records may still link through another id).

There is no probabilistic pass: the quasi-identifiers left after pseudonymisation (academic
year of birth, sex, home ward) rarely single a child out in a real area's cohort, so it would
cost precision (``benchmarks/linking_quasi_identifiers.py`` and its figures in
``benchmarks/README.md``).

Extracts pseudonymised under different keys never link (every child would look unmatched),
so they are refused with the store's message (``store.keystore.require_same_key``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.outcomes import COHORT_IDS
from store.keystore import require_same_key
from uploads.keys import FINGERPRINT_ATTR
from uploads.schemas import KINDS, YES_NO

SHARED_IDS = ("upn", "uln", "nhs_number")  # the same child's id in every agency
ID_LABELS = {"upn": "UPN", "uln": "ULN", "nhs_number": "NHS number", "local_id": "local id"}
SEN_ORDER = ("EHC plan", "SEN support", "none")  # most to least: a child's linked status
# The cohort upload's yes/no columns (uploads.schemas), each one person flag.
FLAGS = tuple(c.name for c in KINDS["cohort"].columns if c.allowed == YES_NO)
ATTRIBUTES = ("age", "nc_year", "sex", "primary_need", "school_urn", "ward_code")
PEOPLE_COLUMNS = ("person_id", "records", "sen_status", *ATTRIBUTES, *FLAGS)


class LinkingError(ValueError):
    """Extracts that cannot be linked as given (the message says which and why)."""


@dataclass(frozen=True)
class LinkResult:
    """The linked children and how good the linking was.

    ``people``: one row per linked child: ``person_id`` (the same for the same records on
    every run), ``records``, one boolean column per extract name, the most serious SEN status
    in any record, the first known age, school year, sex, need, school and home ward (in the
    order the extracts were given, so list education first) and each flag, True where any
    record holds it.
    ``records``: one row per extract row (``extract``, ``row`` its position, ``person_id``).
    ``quality``: one row per pair of extracts: ``first``, ``second``, ``matched``,
    ``only_first``, ``only_second``, ``conflicts`` (ids held in both that are conflicts).
    ``extracts``: per extract, ``records``, ``people``, ``duplicates`` (records joined to
    another of the same extract) and ``no_shared_id`` (records with no UPN, ULN or NHS number).
    ``conflicts``: one row per conflicting id: ``id_type``, ``pseudonym``, ``extracts``,
    ``differs`` ("year of birth", "sex" or both).
    """

    people: pd.DataFrame
    records: pd.DataFrame
    quality: pd.DataFrame
    extracts: pd.DataFrame
    conflicts: pd.DataFrame


def link_extracts(extracts: dict[str, pd.DataFrame]) -> LinkResult:
    """Link cohort extracts keyed by a name such as "education" or "social_care"."""
    names = list(extracts)
    _check(extracts)
    records = _records(extracts)
    nodes, node_names = _id_nodes(records)
    born, sex = _birth_year(records), records.get("sex")
    bad = _conflicting(nodes, born, sex)
    kept = nodes[~nodes["node"].isin(bad.index)]
    n, m = len(records), len(node_names)
    graph = coo_matrix(
        (
            np.ones(len(kept), dtype=np.int8),
            (kept["record"].to_numpy(), n + kept["node"].to_numpy()),
        ),
        shape=(n + m, n + m),
    )
    _, component = connected_components(graph, directed=False)
    records["component"] = component[:n]
    records["person_id"] = _person_ids(records, kept, node_names)
    people = _people(records, names)
    return LinkResult(
        people=people,
        records=records[["extract", "row", "person_id"]].reset_index(drop=True),
        quality=_quality(people, names, nodes, bad, records),
        extracts=_extract_summary(records, names),
        conflicts=_conflict_table(bad, nodes, node_names, records),
    )


def _check(extracts: dict[str, pd.DataFrame]) -> None:
    if not extracts:
        raise LinkingError("There are no extracts to link.")
    for name, frame in extracts.items():
        if not name or name in PEOPLE_COLUMNS:
            raise LinkingError(f"An extract cannot be called '{name}': choose another name.")
        if not any(c in frame.columns for c in COHORT_IDS):
            raise LinkingError(
                f"The '{name}' extract has none of the id columns ({', '.join(COHORT_IDS)}), "
                "so none of its children can be linked."
            )
    # Ids hashed under two keys never match: refuse rather than report no overlap.
    require_same_key((name, frame.attrs.get(FINGERPRINT_ATTR)) for name, frame in extracts.items())


def _records(extracts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    wanted = (*COHORT_IDS, "extract_date", "sen_status", *ATTRIBUTES, *FLAGS)
    parts = []
    for name, frame in extracts.items():
        part = frame[[c for c in wanted if c in frame.columns]].reset_index(drop=True)
        parts.append(part.assign(extract=name, row=np.arange(len(part))))
    return pd.concat(parts, ignore_index=True)


def _id_nodes(records: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Edges (record, node) between records and the ids they hold, and each node's name
    ("upn:<pseudonym>"; a local id also names its extract).

    Node numbers follow the sorted (id type, pseudonym) order, so the smallest node of a child
    is the same whatever order the extracts came in. Each id column is factorised on its own
    and only the names are joined into text, once per distinct id."""
    edges, names, offset = [], [], 0
    for col in COHORT_IDS:
        if col not in records:
            continue
        values = records[col].astype("string")
        if col == "local_id":  # an agency's own id means nothing to another agency
            values = records["extract"].astype("string") + "/" + values
        codes, uniques = pd.factorize(values, sort=True)
        held = codes >= 0
        edges.append(pd.DataFrame({"record": np.flatnonzero(held), "node": codes[held] + offset}))
        names.append(col + ":" + np.asarray(uniques, dtype=object))
        offset += len(uniques)
    return pd.concat(edges, ignore_index=True), np.concatenate(names)


def _birth_year(records: pd.DataFrame) -> pd.Series:
    """Academic year of birth (the September it began): the school year is age on the 31
    August before the extract's academic year, minus 4, so birth year = start - year - 5."""
    if "nc_year" not in records or "extract_date" not in records:
        return pd.Series(pd.NA, index=records.index, dtype="Int64")
    dates = pd.to_datetime(records["extract_date"])
    start = dates.dt.year - (dates.dt.month < 9).astype("int64")
    return (start - records["nc_year"].astype("Int64") - 5).astype("Int64")


def _conflicting(nodes: pd.DataFrame, born: pd.Series, sex: pd.Series | None) -> pd.DataFrame:
    """Nodes whose records disagree: columns ``year`` and ``sex`` (True where they differ)."""
    holders = nodes.assign(
        year=born.to_numpy()[nodes["record"]],
        sex=(sex.to_numpy() if sex is not None else np.full(len(born), None))[nodes["record"]],
    )
    shared = holders["node"].duplicated(keep=False)  # an id held once cannot conflict
    varied = holders[shared].groupby("node")[["year", "sex"]].nunique() > 1
    return varied[varied.any(axis=1)]


def _person_ids(records: pd.DataFrame, nodes: pd.DataFrame, names: np.ndarray) -> pd.Series:
    """A short digest of the smallest id that joined each child's records (``nodes`` without
    conflicts, which join nothing), stable across runs; a record whose every id is a conflict
    keeps a digest of where it is."""
    node_component = records["component"].to_numpy()[nodes["record"]]
    smallest = pd.Series(nodes["node"].to_numpy()).groupby(node_component).min()
    digest = pd.Series(
        [_digest(t) for t in names[smallest.to_numpy()]], index=smallest.index, dtype=object
    )
    found = records["component"].map(digest)
    alone = found.isna()
    if alone.any():
        found[alone] = [
            _digest(f"{e}#{r}")
            for e, r in zip(records.loc[alone, "extract"], records.loc[alone, "row"])
        ]
    return found.astype("string")


def _digest(text: str) -> str:
    return "P-" + hashlib.sha256(str(text).encode()).hexdigest()[:12]


def _people(records: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    person = records["component"]
    by = records.groupby("component", sort=False)
    out = pd.DataFrame({"person_id": by["person_id"].first(), "records": by.size()})
    for name in names:
        out[name] = records["extract"].eq(name).groupby(person).any()
    if "sen_status" in records:
        rank = records["sen_status"].map({s: i for i, s in enumerate(SEN_ORDER)})
        best = rank.groupby(person).min()
        out["sen_status"] = best.map(dict(enumerate(SEN_ORDER))).astype("string")
    else:
        out["sen_status"] = pd.Series(pd.NA, index=out.index, dtype="string")
    order = records["extract"].map({n: i for i, n in enumerate(names)})
    ordered = records.iloc[np.lexsort((records["row"].to_numpy(), order.to_numpy()))]
    firsts = ordered.groupby("component")[[c for c in ATTRIBUTES if c in records]].first()
    for col in ATTRIBUTES:
        out[col] = firsts.get(col, pd.NA)
    for flag in FLAGS:
        held = records[flag].astype("boolean").fillna(False) if flag in records else None
        out[flag] = held.groupby(person).any() if held is not None else False
    return out.sort_values("person_id").reset_index(drop=True)


def _quality(
    people: pd.DataFrame,
    names: list[str],
    nodes: pd.DataFrame,
    bad: pd.DataFrame,
    records: pd.DataFrame,
) -> pd.DataFrame:
    conflicted = nodes[nodes["node"].isin(bad.index)]
    where = conflicted.assign(extract=records["extract"].to_numpy()[conflicted["record"]])
    held_in = where.groupby("node")["extract"].agg(set)
    rows = []
    for first, second in combinations(names, 2):
        a, b = people[first], people[second]
        rows.append(
            {
                "first": first,
                "second": second,
                "matched": int((a & b).sum()),
                "only_first": int((a & ~b).sum()),
                "only_second": int((b & ~a).sum()),
                "conflicts": sum(first in s and second in s for s in held_in),
            }
        )
    return pd.DataFrame(
        rows, columns=["first", "second", "matched", "only_first", "only_second", "conflicts"]
    )


def _extract_summary(records: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    shared = [c for c in SHARED_IDS if c in records]
    no_shared = records[shared].isna().all(axis=1) if shared else pd.Series(True, records.index)
    rows = []
    for name in names:
        mine = records["extract"] == name
        people = records.loc[mine, "person_id"].nunique()
        rows.append(
            {
                "extract": name,
                "records": int(mine.sum()),
                "people": int(people),
                "duplicates": int(mine.sum() - people),
                "no_shared_id": int((mine & no_shared).sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=["extract", "records", "people", "duplicates", "no_shared_id"]
    )


def _conflict_table(
    bad: pd.DataFrame, nodes: pd.DataFrame, names: np.ndarray, records: pd.DataFrame
) -> pd.DataFrame:
    columns = ["id_type", "pseudonym", "extracts", "differs"]
    if bad.empty:
        return pd.DataFrame(columns=columns)
    held = nodes[nodes["node"].isin(bad.index)]
    extracts = (
        pd.Series(records["extract"].to_numpy()[held["record"]], index=held.index)
        .groupby(held["node"].to_numpy())
        .agg(lambda s: ", ".join(sorted(set(s))))
    )
    text = pd.Series(names[bad.index.to_numpy()], index=bad.index)
    id_type = text.str.split(":", n=1).str[0]
    differs = np.where(
        bad["year"] & bad["sex"],
        "year of birth and sex",
        np.where(bad["year"], "year of birth", "sex"),
    )
    return pd.DataFrame(
        {
            "id_type": id_type.map(ID_LABELS).to_numpy(),
            "pseudonym": text.str.split(":", n=1).str[1].to_numpy(),
            "extracts": extracts.reindex(bad.index).to_numpy(),
            "differs": differs,
        },
        columns=columns,
    )
