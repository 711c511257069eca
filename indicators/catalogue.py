"""The indicator catalogue, read once from ``data/catalogue/*.toml``, and the lists pages take
from it: the Home headlines, the Governance measures by group and the per-school measures.

National indicators are in ``CATALOGUE``; the built-in local KPIs (ids ``local:...``) in
``LOCAL_CATALOGUE``. ``get`` answers for both, and for an area's own KPI that is in neither.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from indicators.reader import load_catalogue
from indicators.records import LOCAL_PREFIX, Indicator

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "data/catalogue"
# The register lives with the data loaders, which import this package; only its keys are
# needed here, so they are read straight from the file rather than through that module.
REGISTER_FILE = ROOT / "data/sources.toml"


def register_keys(path: Path = REGISTER_FILE) -> frozenset[str]:
    """The source keys of the data register."""
    return frozenset(tomllib.loads(path.read_text(encoding="utf-8")).get("sources", {}))


ENTRIES: tuple[Indicator, ...] = load_catalogue(CATALOGUE_DIR, register_keys())
CATALOGUE: dict[str, Indicator] = {i.id: i for i in ENTRIES if not i.is_local}
LOCAL_CATALOGUE: dict[str, Indicator] = {i.id: i for i in ENTRIES if i.is_local}


def get(indicator_id: str) -> Indicator:
    """A national catalogue entry, or a local one for ids that start ``local:``."""
    if indicator_id.startswith(LOCAL_PREFIX):
        return local_indicator(indicator_id)
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise KeyError(f"no indicator {indicator_id!r} in the catalogue") from None


def local_indicator(indicator_id: str) -> Indicator:
    """An area's own measure: the built-in local KPI when there is one, else a plain entry
    made from its id (an area may report KPIs of its own; nobody knows their polarity)."""
    if not indicator_id.startswith(LOCAL_PREFIX):
        indicator_id = LOCAL_PREFIX + indicator_id
    built_in = LOCAL_CATALOGUE.get(indicator_id)
    if built_in is not None:
        return built_in
    title = indicator_id.removeprefix(LOCAL_PREFIX).replace("_", " ").strip().capitalize()
    return Indicator(
        id=indicator_id,
        title=title,
        definition=f"{title}, as reported by the area.",
        unit="count",
        polarity="none",
        lens="governance",
        rba="how much",
        source="local",
    )


def headlines() -> list[Indicator]:
    """The figures on Home, in their order."""
    return sorted((i for i in CATALOGUE.values() if i.headline), key=lambda i: i.headline_order)


def governance_groups() -> dict[str, list[str]]:
    """The national measures of the EHC process by group, in the order a board reads them."""
    groups: dict[str, list[str]] = {}
    ordered = sorted(
        (i for i in CATALOGUE.values() if i.governance_group), key=lambda i: i.governance_order
    )
    for ind in ordered:
        groups.setdefault(ind.governance_group, []).append(ind.id)
    return groups


def school_indicators() -> tuple[str, ...]:
    """Indicators measured per school, shown on the map at school level."""
    return tuple(i.id for i in CATALOGUE.values() if i.school)


FRAME_COLUMNS = (
    "id",
    "title",
    "definition",
    "unit",
    "polarity",
    "lens",
    "rba",
    "domain",
    "topic",
    "source",
    "numerator",
    "denominator",
    "caveats",
)


def catalogue_frame() -> pd.DataFrame:
    """The national catalogue as a table, for the 'about' pages and the data book."""
    return pd.DataFrame(
        [{c: getattr(i, c) for c in FRAME_COLUMNS} for i in CATALOGUE.values()],
        columns=list(FRAME_COLUMNS),
    )


def local_kpi_frame() -> pd.DataFrame:
    """One row per built-in local KPI, ids without the prefix (as a return names them): group,
    title, definition, unit, polarity, rba, numerator, denominator, the national indicator it
    mirrors (if any) and its valid range."""
    rows = [
        {
            "id": i.id.removeprefix(LOCAL_PREFIX),
            "group": i.topic,
            "title": i.title,
            "definition": i.definition,
            "unit": i.unit,
            "polarity": i.polarity,
            "rba": i.rba,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "national_equivalent": i.national_equivalent,
            "valid_min": i.valid_min,
            "valid_max": i.valid_max,
        }
        for i in LOCAL_CATALOGUE.values()
    ]
    return pd.DataFrame(rows)


def local_kpi(kpi_id: str) -> Indicator | None:
    """The built-in local KPI with this id (with or without the ``local:`` prefix), if any."""
    return LOCAL_CATALOGUE.get(kpi_id if kpi_id.startswith(LOCAL_PREFIX) else LOCAL_PREFIX + kpi_id)
