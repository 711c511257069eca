"""Giving memory that Python and Arrow have freed back to the system.

glibc keeps freed heap pages for reuse rather than returning them, so a server that built a
chart's Arrow table or read a parquet file holds the pages afterwards: after one session
visited every page, about 35 MB of the server's resident memory was such free pages
(benchmarks/README.md, 2026-12-03). ``malloc_trim`` returns them; it took well under a
millisecond at the end of a page run here. Nothing here reads or keeps any data.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache


@cache
def _libc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def give_back_freed_memory(collect: bool = False) -> bool:
    """Return the C heap's free pages to the system; with ``collect``, first collect Python's
    garbage (only after big one-off work such as building the national table: a full
    collection after every page run held the GIL for 0.25-0.6 s under load, which is why
    ``runner.postScriptGC`` is off). True if anything was returned."""
    if collect:
        gc.collect()
    trim = _libc_trim()
    return bool(trim(0)) if trim is not None else False
