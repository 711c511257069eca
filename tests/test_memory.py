"""ui.memory: large blocks stay in memory maps of their own, so freeing them gives them back."""

from __future__ import annotations

import platform

import pytest

from tests.conftest import fresh_python_prints

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
