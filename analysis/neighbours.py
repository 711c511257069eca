"""Who an area is compared with: DfE's statistical neighbours and computed nearest neighbours.

``statistical_neighbours`` reads DfE's published models (see ``data_loaders.national.neighbours`` for
the files and how LA reorganisations are mapped). ``nearest_neighbours`` builds a set from
the catalogue instead: the user picks indicators and weights, each indicator is standardised
across today's LAs and the LAs nearest in weighted Euclidean distance are returned.
``comparator_sets`` names every set an area can be compared with (DfE's two models, its
region, England and custom picks); any of them can be passed to
``analysis.benchmark.compare``, which re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

import indicators
from data_loaders.national import neighbours as sn
from geography import areas
from tidy import period_sort_key


def check_area(area: str) -> str:
    """Today's code for a current LA (aliases resolved); ``ValueError`` with a reason otherwise."""
    code = areas.current_code(str(area).strip())
    current = set(areas.current_las()["la_code"])
    if code in current:
        return code
    reorg = areas.reorganisation_of(code)
    names = areas.area_names()
    if reorg is not None and code in reorg.predecessors:
        successors = " and ".join(f"{names[s]} ({s})" for s in reorg.successors)
        raise ValueError(
            f"{names.get(code, code)} ({code}) no longer exists ({reorg.name}, "
            f"{reorg.effective}); choose one of its successors: {successors}"
        )
    raise ValueError(
        f"{area!r} is not the code of a current English local authority, so it has no "
        "statistical neighbours (England and regions are benchmarks, not members)"
    )


def statistical_neighbours(area: str, version: str = "2025") -> list[str]:
    """GSS codes of the area's 10 DfE statistical neighbours, closest first, in today's codes.

    ``version`` is "2025" (the May 2025 model, the default) or "2021" (April 2021). Old codes
    of the same area (North Yorkshire's E10000023) are accepted. Raises ``ValueError`` for an
    unknown area or a former LA, naming its successors.
    """
    code = check_area(area)
    frame = sn.load_neighbours(version)
    own = frame[frame["area_code"] == code].sort_values("rank")
    return own["neighbour_code"].tolist()


def neighbour_table(area: str, version: str = "2025") -> pd.DataFrame:
    """The area's DfE neighbours for display: rank, area_code, name, region, closeness, note.

    ``note`` says when a neighbour stands in for a former LA, or when the list itself is a
    predecessor's (Cumberland and Westmorland and Furness under the 2021 model).
    """
    code = check_area(area)
    frame = sn.load_neighbours(version)
    own = frame[frame["area_code"] == code].sort_values("rank")
    names = areas.area_names()
    las = areas.local_authorities().set_index("la_code")
    notes = []
    for rec in own.itertuples(index=False):
        parts = []
        if rec.replaces:
            former = names.get(rec.replaces, rec.replaces)
            parts.append(f"stands in for {former}, which it partly replaced")
        if rec.list_of != code:
            parts.append(f"from the published list of {names.get(rec.list_of, rec.list_of)}")
        notes.append("; ".join(parts))
    return pd.DataFrame(
        {
            "rank": own["rank"].to_numpy(),
            "area_code": own["neighbour_code"].to_numpy(),
            "name": [names[c] for c in own["neighbour_code"]],
            "region": [las.at[c, "region_name"] for c in own["neighbour_code"]],
            "closeness": own["closeness"].to_numpy(),
            "note": notes,
        }
    )


REGION = "Region"
SAME_REGION = "Same region only"
ENGLAND_SET = "England"


def sn_label(version: str) -> str:
    """The name of a DfE model's set: "Statistical neighbours (DfE 2025)"."""
    return f"Statistical neighbours (DfE {version})"


def comparator_sets(
    area: str, version: str = "2025", custom: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """Named lists of LA codes to compare ``area`` with; the default set comes first.

    * "Statistical neighbours (DfE 2025)" and "... (DfE 2021)": DfE's models, the chosen
      ``version`` first;
    * "Same region only": the chosen model's neighbours that are in the area's region, in
      their order (often fewer than 10, possibly none);
    * "Region": every other current LA in the area's region;
    * "England": every other current LA;
    * then each ``custom`` set (a user's pick, or ``nearest_neighbours`` output), with
      aliases resolved, duplicates and the area itself removed. A custom name may not reuse
      one of the names above; an unknown code raises ``ValueError``.

    These are lists of LAs: their average is the average LA. ``compare`` reports the
    published region and England figures separately.
    """
    code = check_area(area)
    versions = [version] + [v for v in sn.VERSIONS if v != version]
    sets = {sn_label(v): statistical_neighbours(code, v) for v in versions}
    las = areas.current_las()
    region = areas.region_of(code)
    in_region = set(las.loc[las["region_code"] == region, "la_code"])
    sets[SAME_REGION] = [c for c in sets[sn_label(version)] if c in in_region]
    sets[REGION] = [c for c in las["la_code"] if c in in_region and c != code]
    sets[ENGLAND_SET] = [c for c in las["la_code"] if c != code]
    for name, members in (custom or {}).items():
        if name in sets:
            raise ValueError(f"{name!r} is a built-in comparator set; choose another name")
        picked = [check_area(m) for m in members]
        sets[name] = [c for c in dict.fromkeys(picked) if c != code]
    return sets


def _latest_la_period(frame: pd.DataFrame) -> str | None:
    present = frame.loc[frame["value"].notna(), "period"].unique()
    return max(present, key=period_sort_key) if len(present) else None


def variable_matrix(
    table: pd.DataFrame,
    variables: Mapping[str, float],
    period_by_indicator: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Values of each variable (columns) for today's LAs (rows), one period per variable.

    The period is the one given in ``period_by_indicator``, else the latest period in which
    any current LA has a value. Only totals (empty breakdown) at LA level are used. Rows keep
    missing values; the caller decides what to drop. Returns the matrix and the periods used.
    """
    current = areas.current_las()["la_code"].tolist()
    periods: dict[str, str] = {}
    columns: dict[str, pd.Series] = {}
    for indicator in variables:
        sel = indicators.rows(indicator, None, "", table=table)
        sel = sel[(sel["area_level"] == "la") & sel["area_code"].isin(current)]
        period = (period_by_indicator or {}).get(indicator) or _latest_la_period(sel)
        if period is None:
            raise ValueError(f"no LA values for {indicator!r}, so it cannot describe areas")
        periods[indicator] = period
        at = sel[sel["period"] == period]
        columns[indicator] = pd.Series(at["value"].to_numpy(), index=at["area_code"].to_numpy())
    matrix = pd.DataFrame(columns).reindex(current)
    return matrix, periods


def standardise(matrix: pd.DataFrame) -> pd.DataFrame:
    """z-scores per column: (x - mean) / standard deviation, ddof=0, over the rows given.

    ddof=0 (the population standard deviation) because the rows are every LA, not a sample.
    A column with no spread carries no information about who is near whom, so its z-scores
    are 0 rather than a division by zero.
    """
    mean = matrix.mean(axis=0)
    sd = matrix.std(axis=0, ddof=0)
    z = (matrix - mean) / sd.replace(0.0, np.nan)
    return z.fillna(0.0)


def nearest_neighbours(
    table: pd.DataFrame,
    variables: Mapping[str, float],
    period_by_indicator: Mapping[str, str] | None = None,
    *,
    area: str,
    k: int = 10,
) -> pd.DataFrame:
    """The ``k`` LAs nearest ``area`` on the chosen indicators, nearest first.

    ``variables`` maps indicator id to a non-negative weight. Steps:

    1. take each indicator's value for every current LA in the latest (or the given) period,
       totals only (``variable_matrix``);
    2. drop LAs missing any of the variables: they are listed, in code order, in the result's
       ``attrs["dropped"]`` so the page can say who could not be placed;
    3. standardise each variable across the remaining LAs (z-score, ddof=0, ``standardise``),
       so that a percentage and a count weigh the same before weighting;
    4. distance = ``sqrt(sum_i w_i (z_i(area) - z_i(other))^2)``, scipy's weighted Euclidean
       ``cdist(..., "euclidean", w=weights)``; the weights are used as given (not
       normalised), so doubling every weight multiplies distances by sqrt(2), ranks unchanged;
    5. leave out the area itself and return the nearest ``k`` ascending, ties broken by code.

    Returns columns area_code, distance, rank (1..k). ``attrs`` also holds ``periods``
    (indicator -> period used) and ``compared`` (how many LAs had every variable).
    Raises ``ValueError`` for no variables, a negative or all-zero weights, or an area
    that lacks one of the variables.
    """
    code = check_area(area)
    if not variables:
        raise ValueError("choose at least one indicator to measure closeness by")
    weights = np.array([float(w) for w in variables.values()], dtype=float)
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError(f"weights must be non-negative numbers, got {dict(variables)}")
    if weights.sum() == 0:
        raise ValueError("at least one weight must be above zero")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")

    # Imported here: scipy.spatial takes a quarter of a second, and every page imports analysis.
    from scipy.spatial.distance import cdist

    matrix, periods = variable_matrix(table, variables, period_by_indicator)
    complete = matrix.notna().all(axis=1)
    dropped = sorted(matrix.index[~complete])
    if code in dropped:
        missing = [i for i in variables if pd.isna(matrix.at[code, i])]
        raise ValueError(f"{code} has no value for {missing} in {[periods[i] for i in missing]}")
    z = standardise(matrix[complete])
    distances = cdist(z.loc[[code]].to_numpy(), z.to_numpy(), metric="euclidean", w=weights)[0]
    result = pd.DataFrame({"area_code": z.index.to_numpy(), "distance": distances})
    result = result[result["area_code"] != code]
    result = result.sort_values(["distance", "area_code"], kind="stable").head(k)
    result = result.reset_index(drop=True)
    result["rank"] = np.arange(1, len(result) + 1)
    result.attrs.update({"dropped": dropped, "periods": periods, "compared": int(complete.sum())})
    return result
