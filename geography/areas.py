"""Local authorities, regions and England: codes, names, aliases and reorganisations.

Codes are today's ONS GSS codes, the ones the shipped boundaries use. DfE publishes some
areas under older codes for the same boundary; those are aliases mapped on the way in.
Areas that split or merged are reorganisations: the successor's series starts at the
change, and the predecessor keeps its own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data"
ENGLAND = "E92000001"

REGIONS: dict[str, str] = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}

# Same boundary, new code: the old code is read as the new one.
CODE_ALIASES: dict[str, str] = {
    "E10000023": "E06000065",  # North Yorkshire became a unitary in April 2023
    "E10000027": "E06000066",  # Somerset became a unitary in April 2023
    "E10000002": "E06000060",  # Buckinghamshire became a unitary in April 2020
    "E06000048": "E06000057",  # Northumberland recoded in 2013
    "E08000020": "E08000037",  # Gateshead recoded in 2013
}


@dataclass(frozen=True)
class Reorganisation:
    """Predecessor LAs replaced by successors whose boundaries differ from any one of them."""

    name: str
    effective: str  # date the new councils took over
    first_period: str  # first academic year with data for the successors
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    note: str


REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation(
        name="Bournemouth, Christchurch and Poole and Dorset",
        effective="2019-04-01",
        first_period="2019/20",
        predecessors=("E06000028", "E06000029", "E10000009"),
        successors=("E06000058", "E06000059"),
        note=(
            "Bournemouth, Poole and Dorset County Council were replaced in April 2019 by "
            "Bournemouth, Christchurch and Poole and a new Dorset council. Christchurch moved "
            "from Dorset to BCP, so neither new council matches an old one."
        ),
    ),
    Reorganisation(
        name="Northamptonshire",
        effective="2021-04-01",
        first_period="2021/22",
        predecessors=("E10000021",),
        successors=("E06000061", "E06000062"),
        note=(
            "Northamptonshire County Council was replaced in April 2021 by North "
            "Northamptonshire and West Northamptonshire."
        ),
    ),
    Reorganisation(
        name="Cumbria",
        effective="2023-04-01",
        first_period="2023/24",
        predecessors=("E10000006",),
        successors=("E06000063", "E06000064"),
        note=(
            "Cumbria County Council was replaced in April 2023 by Cumberland and "
            "Westmorland and Furness."
        ),
    ),
)


def current_code(code: str) -> str:
    """The code an area is known by today (aliases resolved; other codes unchanged)."""
    return CODE_ALIASES.get(code, code)


def current_codes(codes: pd.Series) -> pd.Series:
    return codes.replace(CODE_ALIASES)


def reorganisation_of(code: str) -> Reorganisation | None:
    """The reorganisation that created or ended an LA, if any."""
    for reorg in REORGANISATIONS:
        if code in reorg.successors or code in reorg.predecessors:
            return reorg
    return None


@lru_cache(maxsize=1)
def local_authorities() -> pd.DataFrame:
    """Every LA code DfE has published under, with today's LAs flagged ``current``.

    Columns: la_code, dfe_code, name, region_code, region_name, current, first_year,
    last_year. ``dfe_code`` is DfE's three-digit LA number, as a string.
    """
    df = pd.read_csv(
        DATA / "reference/local_authorities.csv",
        dtype={
            "la_code": str,
            "dfe_code": str,
            "name": str,
            "region_code": str,
            "region_name": str,
        },
    )
    df["current"] = df["current"].astype(bool)
    return df


def current_las() -> pd.DataFrame:
    """The 153 LAs of today, ordered by region then name."""
    las = local_authorities()
    return las[las["current"]].sort_values(["region_code", "name"]).reset_index(drop=True)


def area_names() -> dict[str, str]:
    """Names for every code in use: England, regions and LAs (current and former)."""
    return dict(_area_names())


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    # Built once: pages ask for names on every run.
    names = {ENGLAND: "England", **REGIONS}
    las = local_authorities()
    former = ~las["current"]
    names.update(
        dict(zip(las["la_code"], las["name"] + former.map({True: " (former)", False: ""})))
    )
    return names


def region_of(la_code: str) -> str | None:
    return _regions().get(current_code(la_code))


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    # A dict built once: every comparison on a page asks for the area's region.
    las = local_authorities()
    return dict(zip(las["la_code"], las["region_code"]))


def dfe_number_to_code() -> dict[str, str]:
    """DfE three-digit LA number to today's GSS code (current LAs win over former ones)."""
    return dict(_dfe_numbers())  # a copy: callers may change theirs


@lru_cache(maxsize=1)
def _dfe_numbers() -> dict[str, str]:
    # Made once from the (cached) register: every EES file read asks for it.
    las = local_authorities().sort_values("current")
    return dict(zip(las["dfe_code"], las["la_code"]))


def area_level(code: str) -> str:
    if code == ENGLAND:
        return "national"
    if code.startswith("E12"):
        return "region"
    if code[:3] in ("E06", "E08", "E09", "E10"):
        return "la"
    if code.startswith("E05"):
        return "ward"
    if code.startswith("E38"):
        return "sub_icb"
    if code.startswith("E54"):
        return "icb"
    if code.isdigit():
        return "school"
    return "locality"
