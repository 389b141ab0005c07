"""A batch process gives page bodies back when it frees them (batch/heap.py), however long it runs.

Each case runs in a process of its own, since glibc's settings are the process's: after one large
block has been freed (glibc then raises its mapping threshold), 400 page-sized bodies are made and
every other one is freed, out of order as the resolver's memo lets them go while later ones live on;
the resident size says whether their memory went back to the system or stayed behind as holes in the
heap. Nothing here is timed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only"),
              pytest.mark.slow]  # a fresh interpreter each: the heap of this one has a history

BODIES, BODY = 400, 100_000  # 40 MB of bodies, each the size of a typical page; half of them are freed

FREE_BODIES = f"""
import sys
from provenance.batch import heap

if sys.argv[1] == "flat":
    assert heap.keep_flat()

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * 4096

first = b"p" * 1_000_000  # one large page, freed: glibc would now keep blocks up to its size in the heap
del first
bodies = [bytes([i % 256]) * {BODY} for i in range({BODIES})]
before = resident()
del bodies[::2]
print(before - resident())
"""


def freed_bytes(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", FREE_BODIES, mode], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return int(out.stdout)


def test_freed_page_bodies_go_back_to_the_system():
    assert freed_bytes("flat") >= 0.9 * BODIES * BODY / 2


def test_without_it_they_stay_in_the_heap():
    """What the setting is for: glibc's defaults keep the freed bodies, so a long run grows."""
    assert freed_bytes("default") < 0.25 * BODIES * BODY / 2
