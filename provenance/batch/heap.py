"""The heap of a long batch process: glibc's allocator set so that resident memory follows the work in
flight, not the length of the run. Both settings are process-wide, so the entry points call `keep_flat`
once (the `batch` command, a cluster's origin owner on its worker); on another C library it does nothing.

- Two malloc arenas: a batch process runs a hundred threads; glibc gives threads up to 8 arenas per
  core, and memory freed in one arena is not reused by another.
- Blocks of `MMAP_THRESHOLD` bytes and more mapped on their own, and unmapped when freed. Page bodies
  (20-200 KB each, read on the resolver's threads and kept a while by its memo of recent outcomes,
  `fetch_once.MEMO_BODY_BYTES`) would otherwise land in the heap among small objects that live on: glibc
  raises its mapping threshold to the size of the largest mapped block freed, so after the first large
  page every body came from the heap, and when they were freed, out of order, they left holes the heap
  never gave back. The free space inside the heap grew with the run's length (6 MB at 500 articles,
  15 MB at 5,000) and the heap with it. Mapping and unmapping each such block costs system time,
  about 6 % more CPU for a batch on the loopback benchmark (README, "Peak RSS per process").
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 64 * 1024  # a page body is seldom smaller; a small object never this large
ARENAS = 2


def keep_flat() -> bool:
    """Set glibc's arenas and mapping threshold for a long batch; False where the C library is not glibc."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False  # not glibc: nothing to tune
    arenas = mallopt(M_ARENA_MAX, ARENAS)
    mapped = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)  # set even if the arenas were refused
    return bool(arenas and mapped)
