"""ui.memory: large blocks stay in memory maps of their own, so freeing them gives them back."""

from __future__ import annotations

import gc
import platform
import weakref

import pytest

from tests.conftest import fresh_python_prints
from ui.memory import collector_paused, freeze_long_lived

# In a fresh interpreter: free a 4 MB block, then ask for 2 MB, and see whether glibc mapped
# it (mallinfo2's hblkhd, bytes in mapped blocks) or took it from the heap.
PROBE = """
import ctypes
from ui.memory import map_large_blocks
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split())]
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Info
if FIXED:
    print(map_large_blocks(), end=" ")
libc.free(libc.malloc(4 << 20))
before = libc.mallinfo2().hblkhd
block = libc.malloc(2 << 20)
print(libc.mallinfo2().hblkhd - before >= 2 << 20)
libc.free(block)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_a_large_block_is_mapped_even_after_a_larger_one_was_freed():
    # glibc's own behaviour first, so the test shows what the setting changes.
    assert fresh_python_prints("FIXED = False" + PROBE).strip() == "False"
    assert fresh_python_prints("FIXED = True" + PROBE).strip() == "True True"


class _Node:
    pass


def test_the_collector_is_off_while_paused_and_what_was_made_is_frozen_after():
    assert gc.isenabled()
    before = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]  # 1,000 containers the collector tracks
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_garbage_is_collected_before_the_long_lived_are_frozen():
    cycle = _Node()
    cycle.me = cycle  # garbage that only the cycle collector can free
    gone = weakref.ref(cycle)
    del cycle
    freeze_long_lived()
    assert gone() is None, "collected, not frozen with the rest"
    assert gc.get_freeze_count() > 0
