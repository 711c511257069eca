"""DfE's children's services statistical neighbours, as a tidy table of today's LA codes.

DfE's statistical neighbour benchmarking tool lists, for every local authority, the ten LAs
most like it on a set of socio-economic characteristics, closest first, each with a
closeness band ("Extremely close", "Very close", "Close", "Somewhat close", "Not close").
Two models are shipped:

* ``"2025"``: the May 2025 model (``sn_may_2025.xlsx``), built on today's 153 LAs;
* ``"2021"``: the April 2021 model (``sn_april_2021.xlsx``), built before Cumbria was
  replaced in April 2023.

The sheet "LA SN Groups" has three header rows (column letters, column numbers, then names:
LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, SN2, SNP, ... SN10, SNP). SNn is the
n-th neighbour's DfE three-digit LA number and the SNP after it its closeness band. Below
the main block an "Old SNs:" block repeats the lists of LAs that no longer exist (Dorset,
Poole and Bournemouth before 2019, Northamptonshire, and in the 2025 file Cumbria).

Output (``load_neighbours``): one row per area and neighbour with columns ``area_code``,
``neighbour_code``, ``rank`` (1 = closest), ``closeness``, ``version``, ``replaces`` and
``list_of``. Every code is a current LA code: DfE numbers go through the LA register
(``geography.areas.dfe_number_to_code``) and code aliases (``current_codes``), so North
Yorkshire (815) and Somerset (933), which kept their numbers and boundaries when they became
unitaries in 2023, come out as E06000065 and E06000066 in both models.

Reorganisations, which only touch the 2021 model (it predates the Cumbria split; it already
has North and West Northamptonshire and the 2019 Dorset councils):

* Cumberland (942) and Westmorland and Furness (943) have no list in the 2021 file ("-").
  Each takes the list of Cumbria (909), its predecessor; ``list_of`` is then E10000006.
  The list is Cumbria's whole-county neighbours, so read it as an approximation.
* Eight LAs have Cumbria among their 2021 neighbours (Derbyshire, Staffordshire,
  Herefordshire, Nottinghamshire, Shropshire, Lincolnshire, Norfolk, North
  Northamptonshire). Cumbria has no values from 2023 on, so a neighbour set holding it would
  quietly shrink to nine for every recent period; instead Cumbria is replaced, at the same
  rank and with the same closeness, by the successor nearest the area in the May 2025 model
  (``replaces`` is then E10000006, so a caller comparing a pre-2023 period can put Cumbria
  back). "Nearest" is decided by, in order: the better of the successor's position in the
  area's 2025 list and the area's position in the successor's 2025 list; then the number of
  2025 neighbours they share; then the order of successors in ``geography.areas``
  (Cumberland first, the larger part of former Cumbria by population). This gives
  Westmorland and Furness for Derbyshire, Staffordshire, Herefordshire, Nottinghamshire,
  Shropshire and Norfolk, and Cumberland for Lincolnshire and (on the population
  tie-break) North Northamptonshire.
* A successor that is already in the list, or is the area itself, is not used twice; if no
  successor is left the predecessor is dropped and the list renumbered (no current case).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geography import areas
from geography.derived_cache import cached_frame, source_key

DATA = Path(__file__).resolve().parents[2] / "data"
SN_DIR = DATA / "statistical_neighbours"
FILES: dict[str, str] = {"2025": "sn_may_2025.xlsx", "2021": "sn_april_2021.xlsx"}
VERSIONS: tuple[str, ...] = tuple(FILES)
SHEET = "LA SN Groups"
NEIGHBOURS_PER_LA = 10
CLOSENESS: tuple[str, ...] = (
    "Extremely close",
    "Very close",
    "Close",
    "Somewhat close",
    "Not close",
)
COLUMNS: list[str] = [
    "area_code",
    "neighbour_code",
    "rank",
    "closeness",
    "version",
    "replaces",
    "list_of",
]
# Column positions in the sheet (0-based): LA num, LA Name, ..., then SN1 at 5, its SNP at 6.
_FIRST_SN = 5
_EXPECTED_HEADER = ["LA num", "LA Name", "LA number", "GOInd", "GOReg", "SN1", "SNP"]


def check_version(version: str) -> str:
    text = str(version).strip()
    if text not in FILES:
        raise ValueError(f"unknown statistical neighbour model {version!r}; use one of {VERSIONS}")
    return text


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def _number(cell: object) -> str | None:
    """A DfE LA number as text ("909"), or None for blanks and DfE's "-"."""
    if _blank(cell):
        return None
    text = str(cell).strip()
    if text in ("", "-"):
        return None
    return str(int(float(text)))


def _closeness(cell: object) -> str:
    # The files mix "Very Close" and "Very close"; one spelling keeps filters simple.
    text = "" if _blank(cell) else str(cell).strip()
    return text.capitalize() if text not in ("", "-") else ""


def read_sheet(version: str) -> pd.DataFrame:
    """The published lists as DfE numbers, long: one row per LA and neighbour position.

    Columns: la_number, la_name, block ("main" or "old"), rank, neighbour_number (None where
    DfE printed "-"), closeness. Raises ``ValueError`` if the header is not the expected one.
    """
    return _read_sheet(check_version(version)).copy()


@lru_cache(maxsize=len(FILES))
def _read_sheet(version: str) -> pd.DataFrame:
    path = SN_DIR / FILES[check_version(version)]
    raw = pd.read_excel(path, sheet_name=SHEET, header=None, dtype=object, engine="calamine")
    header = [str(c).strip() for c in raw.iloc[2, : len(_EXPECTED_HEADER)]]
    if header != _EXPECTED_HEADER:
        raise ValueError(f"{path.name}: unexpected header {header}, expected {_EXPECTED_HEADER}")
    records: list[dict[str, object]] = []
    block = "main"
    for row in raw.iloc[3:].itertuples(index=False):
        cells = list(row)
        if str(cells[1]).strip().lower().startswith("old sns"):
            block = "old"
            continue
        number = _number(cells[0])
        if number is None:
            continue  # blank separator rows
        for position in range(NEIGHBOURS_PER_LA):
            col = _FIRST_SN + 2 * position
            records.append(
                {
                    "la_number": number,
                    "la_name": str(cells[1]).strip(),
                    "block": block,
                    "rank": position + 1,
                    "neighbour_number": _number(cells[col]),
                    "closeness": _closeness(cells[col + 1]),
                }
            )
    return pd.DataFrame.from_records(records)


@lru_cache(maxsize=len(FILES))
def _published_lists(version: str) -> dict[str, list[str]]:
    """Each LA's published neighbour list as current GSS codes (main block, no gaps)."""
    to_code = areas.dfe_number_to_code()
    sheet = _read_sheet(version)
    main = sheet[(sheet["block"] == "main") & sheet["neighbour_number"].notna()]
    lists: dict[str, list[str]] = {}
    for number, group in main.sort_values("rank").groupby("la_number", sort=False):
        code = areas.current_code(to_code[str(number)])
        lists[code] = [areas.current_code(to_code[n]) for n in group["neighbour_number"]]
    return lists


def successor_preference(area: str, successors: tuple[str, ...]) -> list[str]:
    """Successors of a former LA ordered by closeness to ``area`` in the May 2025 model.

    See the module docstring for the rule; ties keep the order of ``successors``.
    """
    lists = _published_lists("2025")
    own = lists.get(area, [])

    def score(item: tuple[int, str]) -> tuple[float, int, int]:
        order, successor = item
        theirs = lists.get(successor, [])
        positions = [own.index(successor) + 1] if successor in own else []
        if area in theirs:
            positions.append(theirs.index(area) + 1)
        best = min(positions) if positions else math.inf
        shared = len(set(own) & set(theirs))
        return best, -shared, order

    return [s for _, s in sorted(enumerate(successors), key=score)]


def _reorganisation_by_predecessor() -> dict[str, areas.Reorganisation]:
    return {p: reorg for reorg in areas.REORGANISATIONS for p in reorg.predecessors}


def _rows_for(
    area: str, published: pd.DataFrame, list_of: str, version: str, current: set[str]
) -> list[dict[str, object]]:
    """Tidy rows for one area from the published rows of ``list_of`` (itself or a predecessor)."""
    by_predecessor = _reorganisation_by_predecessor()
    chosen: list[tuple[str, str, str]] = []  # (neighbour, closeness, replaces)
    for code, closeness in zip(published["neighbour_code"], published["closeness"]):
        replaces = ""
        if code not in current and code in by_predecessor:
            taken = {c for c, _, _ in chosen} | {area}
            options = [
                s
                for s in successor_preference(area, by_predecessor[code].successors)
                if s not in taken
            ]
            if not options:
                continue
            code, replaces = options[0], code
        if code not in current:
            raise ValueError(f"{version} model: neighbour {code} of {area} is not a current LA")
        chosen.append((code, str(closeness), replaces))
    return [
        {
            "area_code": area,
            "neighbour_code": code,
            "rank": i,
            "closeness": closeness,
            "version": version,
            "replaces": replaces,
            "list_of": list_of,
        }
        for i, (code, closeness, replaces) in enumerate(chosen, start=1)
    ]


@lru_cache(maxsize=len(FILES))
def _load(version: str) -> pd.DataFrame:
    # Kept as parquet in the data cache: reading and resolving a model's workbook took
    # 0.25-0.35 s of the first Benchmarking or Governance visit of every server process.
    key = source_key([SN_DIR, areas.DATA / "reference"], code=[Path(__file__)])
    return cached_frame(f"neighbours_{version}", key, lambda: _build(version))


def _build(version: str) -> pd.DataFrame:
    to_code = areas.dfe_number_to_code()
    sheet = _read_sheet(version)
    sheet = sheet[sheet["neighbour_number"].notna()].sort_values("rank")
    sheet = sheet.assign(
        code=areas.current_codes(sheet["la_number"].map(to_code)),
        neighbour_code=areas.current_codes(sheet["neighbour_number"].map(to_code)),
    )
    lists = {key: group for key, group in sheet.groupby(["code", "block"], sort=False)}
    current_order = areas.current_las()["la_code"].tolist()
    current = set(current_order)
    rows: list[dict[str, object]] = []
    for area in current_order:
        published, list_of = lists.get((area, "main")), area
        if published is None:
            # A successor LA the model predates: borrow its predecessor's list, preferring the
            # model's own (main block) list to the "Old SNs" copy.
            reorg = areas.reorganisation_of(area)
            predecessors = reorg.predecessors if reorg and area in reorg.successors else ()
            for key in [(p, b) for p in predecessors for b in ("main", "old")]:
                if key in lists:
                    published, list_of = lists[key], key[0]
                    break
        if published is None:
            raise ValueError(f"{version} model has no neighbours for {area}")
        rows.extend(_rows_for(area, published, list_of, version, current))
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["rank"] = frame["rank"].astype("int64")
    for col in ("area_code", "neighbour_code", "closeness", "version", "replaces", "list_of"):
        frame[col] = frame[col].astype("string")
    return frame


def load_neighbours(version: str = "2025") -> pd.DataFrame:
    """The statistical neighbours of every current LA under one model, closest first.

    Columns: area_code, neighbour_code, rank (1..10), closeness, version ("2025" or
    "2021"), replaces (the former LA a successor stands in for, else ""), list_of (the LA
    whose published list this is: the area itself, or its predecessor). A copy is returned,
    so callers may modify it.
    """
    return _load(check_version(version)).copy()


def load_all() -> pd.DataFrame:
    """Both models stacked (2025 first)."""
    return pd.concat([load_neighbours(v) for v in VERSIONS], ignore_index=True)
