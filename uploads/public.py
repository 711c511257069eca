"""The switch for a public read-only instance (``SEND_LENS_PUBLIC=1``): national data only.

It lives here, the lowest layer that refuses anything, so that ``uploads`` can refuse a file
before parsing it and ``store.public`` (which builds on this) can refuse every write.
"""

from __future__ import annotations

import os

ENV = "SEND_LENS_PUBLIC"
MESSAGE = (
    "This is a public SEND Lens with published national data only: uploads and saved data are "
    "switched off. Nothing was stored."
)


def public_mode() -> bool:
    """True when ``SEND_LENS_PUBLIC`` is set to 1 (or true, yes, on)."""
    return os.environ.get(ENV, "").strip().lower() in {"1", "true", "yes", "on"}
