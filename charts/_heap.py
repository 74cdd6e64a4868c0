"""Keep freed memory in the process heap, so large temporary arrays stay cheap.

The engine works on whole columns: each step makes temporary arrays of every row.
With glibc's defaults, freeing such an array trims the top of the heap and hands
the pages back to the kernel, and the next array page-faults them back in. On a
100,000-point series that doubles or triples the time of every step (measured in
docs/performance.md). Asking glibc to keep 64 MiB of slack at the top of the heap
(``M_TOP_PAD``) removes the cost. Set ``M4C_KEEP_MALLOC_DEFAULTS=1`` to leave the
allocator alone; on other C libraries this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

M_TOP_PAD = -2  # glibc malloc.h
TOP_PAD_BYTES = 64 * 1024 * 1024


def keep_heap_warm() -> bool:
    """Ask glibc to keep 64 MiB of freed memory; return whether it was done."""
    if os.environ.get("M4C_KEEP_MALLOC_DEFAULTS") or platform.system() != "Linux":
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_TOP_PAD, TOP_PAD_BYTES))
    except (OSError, AttributeError):
        return False


HEAP_TUNED = keep_heap_warm()
