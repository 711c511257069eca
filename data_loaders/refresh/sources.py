"""What the refresh command fetches: each data set's EES publication and the files it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileSpec:
    """One CSV of a release, stored as ``<name>.csv.gz``."""

    name: str
    title: str  # regex on the data set's title (public API) or the file's title (content API)
    file_name: str  # regex on the release file's name (content API)
    column: str = "phase_type_grouping"  # a column it must have beyond the EES standard ones


@dataclass(frozen=True)
class DataSetSpec:
    name: str
    slug: str
    title: str
    shipped: str  # what the app uses when this has never been refreshed
    files: tuple[FileSpec, ...]
    check: Callable[[dict[str, Path]], object] | None = None  # loads staged files before use


def _check_sen_in_england(paths: dict[str, Path]) -> object:
    from data_loaders.national.sen_in_england import load_files

    return load_files(paths.get("phase_type"), paths.get("primary_need"))


def _check_ees(paths: dict[str, Path]) -> object:
    from data_loaders.national.ees import read_ees  # periods and area codes must parse

    return [read_ees(path) for path in paths.values()]


# EHCP titles: the data set names in the June 2025 release's data guidance (data/sen2/2025).
_EHCP = {
    "caseload": r"^Number of education, health \(EHC\) plans as at January each year$",
    "sen_needs_all_plans": r"^Number of education, health \(EHC\) plans .*primary type",
    "newplans": r"^Number of new EHC plans during the calendar year$",
    "requests": r"^Number of requests for an EHC needs assessment",
    "assessments": r"^Number of EHC needs assessments",
    "timeliness_20_week": r"^Timeliness",
    "annual_reviews": r"^Number and outcome of annual reviews",
    "ceased_plans": r"^Number of EHC plans which ceased",
    "personal_budgets": r"^Number of EHC plans with a personal budget",
}
_PHASE_TITLE = r"^Pupils in all schools, by type of SEN provision"
_NEED_TITLE = r"^(NC year|Year group),? by type of SEN provision and type of need"
DATASETS: dict[str, DataSetSpec] = {
    "sen_in_england": DataSetSpec(
        "sen_in_england",
        "special-educational-needs-in-england",
        "Special educational needs in England",
        "LAIT's SEN figures (SEN in England is not shipped)",
        (
            FileSpec("phase_type", _PHASE_TITLE, r"^sen_phase_type"),
            FileSpec("primary_need", _NEED_TITLE, r"^sen_ncyear"),
        ),
        _check_sen_in_england,
    ),
    "ehcp": DataSetSpec(
        "ehcp",
        "education-health-and-care-plans",
        "Education, health and care plans",
        "the shipped Education, health and care plans release of June 2025",
        tuple(FileSpec(n, title, rf"^{n}\.csv$", "time_period") for n, title in _EHCP.items()),
        _check_ees,
    ),
}
