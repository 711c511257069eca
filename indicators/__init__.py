"""The indicator catalogue (read from ``data/catalogue/*.toml``) and the queries every page uses
over the tidy table. ``import indicators; indicators.value(...)`` is the way in; the parts are
``records`` (what an indicator is), ``reader`` (the TOML files, checked on load),
``catalogue`` (the loaded entries and the lists pages take from them) and ``queries``.
"""

from indicators.catalogue import (
    CATALOGUE,
    CATALOGUE_DIR,
    ENTRIES,
    LOCAL_CATALOGUE,
    catalogue_frame,
    get,
    governance_groups,
    headlines,
    local_indicator,
    local_kpi,
    local_kpi_frame,
    register_keys,
    school_indicators,
)
from indicators.queries import (
    NationalTable,
    breakdown_values,
    latest_period,
    periods,
    previous_period,
    rows,
    series,
    snapshot,
    value,
)
from indicators.reader import CatalogueError, load_catalogue
from indicators.records import (
    DOMAINS,
    LENSES,
    LOCAL_PREFIX,
    PERIOD_TYPES,
    POLARITIES,
    RBA_QUESTIONS,
    UNITS,
    Indicator,
)

__all__ = [
    "CATALOGUE",
    "CATALOGUE_DIR",
    "DOMAINS",
    "ENTRIES",
    "LENSES",
    "LOCAL_CATALOGUE",
    "LOCAL_PREFIX",
    "PERIOD_TYPES",
    "POLARITIES",
    "RBA_QUESTIONS",
    "UNITS",
    "CatalogueError",
    "Indicator",
    "NationalTable",
    "breakdown_values",
    "catalogue_frame",
    "get",
    "governance_groups",
    "headlines",
    "latest_period",
    "load_catalogue",
    "local_indicator",
    "local_kpi",
    "local_kpi_frame",
    "periods",
    "previous_period",
    "register_keys",
    "rows",
    "school_indicators",
    "series",
    "snapshot",
    "value",
]
