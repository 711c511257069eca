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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
# Blocks from 1 MiB are mapped on their own. At glibc's starting value, 128 KiB, a session of
# Home and Benchmarking cost the server ~10% more CPU (median of eight rounds of 20 sessions;
# presumably page faults in the fresh maps of mid-sized temporaries); at 1 MiB no more than
# before (six rounds), for the same memory.
MMAP_THRESHOLD = 1024 * 1024


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def _glibc(function: str) -> Callable[..., int] | None:
    """A C library function, or None where the C library has none of that name."""
    libc = _libc()
    return getattr(libc, function, None) if libc is not None else None


def give_back_freed_memory(collect: bool = False) -> bool:
    """Return the C heap's free pages to the system; with ``collect``, first collect Python's
    garbage (only after big one-off work such as building the national table: a full
    collection after every page run held the GIL for 0.25-0.6 s under load, which is why
    ``runner.postScriptGC`` is off). True if anything was returned."""
    if collect:
        gc.collect()
    trim = _glibc("malloc_trim")  # glibc only: not musl or macOS
    return bool(trim(0)) if trim is not None else False


@cache
def set_allocators() -> None:
    """The process's allocators as the server wants them, before anything big is read: whoever
    reads first (the router's first run, or ``ui.server_start`` as the server starts) calls
    this. Arrow's default pool (mimalloc) keeps what it freed: reading the national table and
    the derived parquet files left the server 25-35 MB larger after every page than the system
    allocator (benchmarks/server_cost.py, 2026-12-03); Home's rows read by the launcher's
    thread before the router had set the pool left it 15-18 MB larger after every page."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    map_large_blocks()


@cache
def map_large_blocks() -> bool:
    """Keep every block of 1 MiB or more in a memory map of its own, unmapped when freed.

    glibc maps blocks from 128 KiB at first, but raises that threshold to the size of each
    mapped block freed (up to 32 MB), after which a page run's Arrow buffers and pandas copies
    come from the heap. With that, a fresh server after one session over every page ended
    15-30 MB larger in some runs than in identical others (the Data page's run, mostly), memory
    that ``malloc_trim`` called afterwards did not return; which blocks were not traced. With
    the threshold fixed, twelve runs ended at 289-293 MB, against 291-338 MB without it
    (benchmarks/README.md, 2026-12-03 evening). Called once per process; True if set."""
    mallopt = _glibc("mallopt")
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) if mallopt is not None else False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a server imports and reads what every page shares,
    then all that exists kept out of later collections (``gc.freeze``).

    The launcher's thread creates about 240,000 long-lived objects (modules, functions, the
    catalogue), and the collector, which counts allocations, traversed them all twice while
    they were made: two full collections of 50 and 86 ms holding the GIL while the browser
    waited for its first page, and each later full collection (53-170 ms, one during a page
    switch) traversed them again (``gc.callbacks`` over one benchmark session, 2026-12-03). They
    live as long as the server, so the collector gains nothing from them. What becomes garbage
    meanwhile is freed by reference counting as before; only cycles made in these seconds (954
    objects after the launcher's work) stay until the server stops."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def freeze_long_lived() -> None:
    """After the server's background warming: collect once, then keep every object left (the
    warmed modules, the national table's frames) out of later full collections, which would
    otherwise traverse them in the middle of some visitor's page run."""
    gc.collect()
    gc.freeze()
