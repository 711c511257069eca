"""Geography for SEND Lens: area codes (``geography.areas``), boundaries, schools.

``school_wards`` is imported on first use: it needs geopandas, and pages that only want
area names (``geography.areas``) must not pay for importing it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "school_wards": "geography.schools",
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from geography.schools import school_wards


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'geography' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
