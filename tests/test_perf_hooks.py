"""perf_hooks: histogram statistics, loop-delay monitoring and utilisation, shaped as Node's.

Real-time assertions are lower bounds only (a slow machine only makes delays longer).
"""

from __future__ import annotations

import math
import random
import time

import pytest

import jsloop
from jsloop.perf_hooks import (
    INT64_MAX,
    EventLoopUtilization,
    createHistogram,
    eventLoopUtilization,
    monitorEventLoopDelay,
    performance,
)


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_empty_histogram_has_nodes_values() -> None:
    h = createHistogram()
    assert h.count == 0 and h.min == INT64_MAX and h.max == 0
    assert math.isnan(h.mean) and math.isnan(h.stddev)
    assert h.percentile(50) == 0


def test_histogram_exact_statistics() -> None:
    h = createHistogram()
    for v in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        h.record(v)
    assert (h.count, h.min, h.max) == (10, 1, 10)
    assert h.mean == 5.5
    assert h.stddev == pytest.approx(math.sqrt(8.25))
    assert h.percentile(50) == 5 and h.percentile(100) == 10 and h.percentile(10) == 1
    p = h.percentiles
    assert p[0.0] == 1 and p[100.0] == 10 and p[50.0] == 5
    assert list(p)[:4] == [0.0, 50.0, 75.0, 87.5]
    h.reset()
    assert h.count == 0 and h.max == 0
    with pytest.raises(ValueError):
        h.record(0)
    with pytest.raises(ValueError):
        h.percentile(0)


def test_histogram_percentiles_within_one_percent() -> None:
    rng = random.Random(7)
    values = [int(rng.lognormvariate(16, 1.2)) + 1 for _ in range(5000)]
    h = createHistogram()
    for v in values:
        h.record(v)
    values.sort()
    for p in (1, 25, 50, 90, 99, 99.9):
        exact = values[max(0, math.ceil(len(values) * p / 100) - 1)]
        assert abs(h.percentile(p) - exact) <= exact * 0.01 + 1
    assert h.max == values[-1] and h.min == values[0]


def test_monitor_event_loop_delay_sees_a_blocked_loop() -> None:
    h = monitorEventLoopDelay(resolution=5)

    def main() -> None:
        assert h.enable() is True
        assert h.enable() is False
        jsloop.setTimeout(lambda: spin(0.08), 20)
        jsloop.setTimeout(h.disable, 150)

    jsloop.run(main)
    assert h.count >= 3
    assert h.max >= 80_000_000  # the 80 ms block shows up as one long gap (ns)
    assert h.min >= 4_000_000  # Node records the whole interval: about the resolution
    assert h.percentile(100) == h.max
    assert h.disable() is False


def test_monitor_does_not_keep_the_loop_alive() -> None:
    h = monitorEventLoopDelay()
    t0 = time.monotonic()
    jsloop.run(h.enable)
    assert time.monotonic() - t0 < 5


def test_event_loop_utilization_idle_and_active() -> None:
    out: list[EventLoopUtilization] = []

    def main() -> None:
        start = eventLoopUtilization()
        out.append(start)

        def busy() -> None:
            spin(0.06)
            out.append(eventLoopUtilization(start))

        jsloop.setTimeout(busy, 60)

    jsloop.run(main)
    delta = out[1]
    assert delta.idle >= 40  # waited ~60 ms in poll
    assert delta.active >= 55  # then spun 60 ms
    assert 0 < delta.utilization < 1
    assert delta["utilization"] == delta.utilization


def test_event_loop_utilization_two_argument_delta() -> None:
    a = EventLoopUtilization(idle=100.0, active=50.0, utilization=1 / 3)
    b = EventLoopUtilization(idle=40.0, active=20.0, utilization=1 / 3)
    d = eventLoopUtilization(a, b)
    assert (d.idle, d.active) == (60.0, 30.0)
    assert d.utilization == pytest.approx(1 / 3)
    assert eventLoopUtilization() == EventLoopUtilization(0.0, 0.0, 0.0)  # no loop running


def test_performance_now_is_monotonic() -> None:
    a = performance.now()
    b = performance.now()
    assert 0 <= a <= b
    assert performance.eventLoopUtilization is eventLoopUtilization
