"""``jsloop.run``'s fixed cost must not grow with the size of the heap.

The GC tuning asked ``gc.get_freeze_count()`` at the end of every run, which
walks every frozen object: with 600k live objects (a test session) each
``run`` cost ~90 ms instead of ~1 ms, and the property-test files took minutes.
"""

from __future__ import annotations

import os
import time

import jsloop


def _per_run_seconds(n: int = 20) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            jsloop.run(lambda: None)
        best = min(best, (time.perf_counter() - t) / n)
    return best


def test_run_cost_does_not_grow_with_the_heap(monkeypatch):
    monkeypatch.delenv("JSLOOP_GC", raising=False)
    assert os.environ.get("JSLOOP_GC") is None
    small = _per_run_seconds()
    heap = [{"k": [i]} for i in range(300_000)]  # ~600k tracked objects
    big = _per_run_seconds()
    del heap
    # Before the fix: ~90 ms vs ~1 ms. A constant cost stays within a few x
    # (and under 20 ms) whatever else the machine does.
    assert big < max(5 * small, 0.020), (small, big)
