"""``perf_hooks``: event-loop delay histograms and event-loop utilisation, shaped as Node's.

Owns: ``createHistogram`` / ``RecordableHistogram`` (Node's HDR histogram
API: min, max, mean, stddev, count, exceeds, percentile(p), percentiles,
reset), ``monitorEventLoopDelay`` / ``IntervalHistogram`` (enable, disable),
``eventLoopUtilization`` and a small ``performance`` object.

Values are integers in nanoseconds, as in Node. ``monitorEventLoopDelay``
samples with an unref'd repeating timer every ``resolution`` ms and records
the time between two samples (Node 20 records that delta, so values sit at
about ``resolution`` ms plus the delay). An empty histogram reports Node's
values: ``min`` 9223372036854775807, ``max`` 0, ``mean``/``stddev`` NaN.

The histogram is log-linear (HdrHistogram's idea): 128 sub-buckets per power
of two, so a percentile is within 1% of the recorded value while memory
stays a few KiB however long it runs. min, max, mean and stddev are exact.

``eventLoopUtilization`` measures idle time as the time the loop spends
waiting in the poller. The measuring proxy is put on the loop at the first
call (so nothing is paid by programs that never ask); before that call no
idle time was measured, and the first result counts from then.

Imports: _runtime, timers, _diag (lazily) and stdlib.
"""

from __future__ import annotations

import math
import time
from typing import Any

import attrs

from ._runtime import get_loop, state

__all__ = [
    "EventLoopUtilization",
    "IntervalHistogram",
    "RecordableHistogram",
    "createHistogram",
    "eventLoopUtilization",
    "monitorEventLoopDelay",
    "performance",
]

_SUB_BITS = 7
_SUB = 1 << _SUB_BITS
INT64_MAX = 9223372036854775807


def _bucket(v: int) -> int:
    """Log-linear bucket index of a non-negative integer."""
    if v < _SUB:
        return v
    shift = v.bit_length() - _SUB_BITS - 1
    return ((shift + 1) << _SUB_BITS) + ((v >> shift) - _SUB)


def _bucket_value(b: int) -> int:
    """The highest value that falls in bucket ``b`` (HdrHistogram reports bucket tops)."""
    if b < _SUB:
        return b
    shift = (b >> _SUB_BITS) - 1
    base = (_SUB + (b & (_SUB - 1))) << shift
    return base + (1 << shift) - 1


class RecordableHistogram:
    """Node's ``RecordableHistogram`` (``perf_hooks.createHistogram()``)."""

    def __init__(self, lowest: int = 1, highest: int = INT64_MAX) -> None:
        self._lowest = lowest
        self._highest = highest
        self._prev_delta = 0
        self.reset()

    def reset(self) -> None:
        """Forget every recorded value."""
        self._counts: dict[int, int] = {}
        self._n = 0
        self._min = INT64_MAX
        self._max = 0
        self._sum = 0.0
        self._sumsq = 0.0
        self._exceeds = 0

    def record(self, value: int | float) -> None:
        """Add one value (Node: an integer >= 1)."""
        v = int(value)
        if v < 1:
            raise ValueError(f"The value of 'val' is out of range. It must be >= 1. Received {v}")
        if v > self._highest:
            self._exceeds += 1
            return
        b = _bucket(v)
        self._counts[b] = self._counts.get(b, 0) + 1
        self._n += 1
        self._min = min(self._min, v)
        self._max = max(self._max, v)
        self._sum += v
        self._sumsq += float(v) * v

    def recordDelta(self) -> None:
        """Record the ns since the previous ``recordDelta`` call (none the first time)."""
        now = time.perf_counter_ns()
        if self._prev_delta:
            delta = now - self._prev_delta
            if delta > 0:
                self.record(delta)
        self._prev_delta = now

    @property
    def count(self) -> int:
        return self._n

    @property
    def min(self) -> int:
        return self._min

    @property
    def max(self) -> int:
        return self._max

    @property
    def exceeds(self) -> int:
        return self._exceeds

    @property
    def mean(self) -> float:
        return self._sum / self._n if self._n else math.nan

    @property
    def stddev(self) -> float:
        if not self._n:
            return math.nan
        mean = self._sum / self._n
        return math.sqrt(max(self._sumsq / self._n - mean * mean, 0.0))

    def percentile(self, p: float) -> int:
        """The value at percentile ``p`` (0 < p <= 100)."""
        if not (isinstance(p, (int, float)) and 0 < p <= 100):
            raise ValueError(f"The value of 'percentile' is out of range. Received {p!r}")
        if not self._n:
            return 0
        target = max(1, math.ceil(self._n * p / 100.0))
        seen = 0
        for b in sorted(self._counts):
            seen += self._counts[b]
            if seen >= target:
                return max(self._min, min(_bucket_value(b), self._max))
        return self._max

    @property
    def percentiles(self) -> dict[float, int]:
        """Node's ``percentiles`` map: 0, 50, 75, 87.5, ... up to 100 (HdrHistogram's ladder)."""
        if not self._n:
            return {0.0: 0, 100.0: 0}
        out: dict[float, int] = {0.0: self._min}
        p, step = 50.0, 50.0
        while True:
            v = self.percentile(p)
            out[p] = v
            if v >= self._max or step < 1e-6:
                break
            step /= 2
            p += step
        out[100.0] = self._max
        return out

    def toJSON(self) -> dict[str, Any]:
        return {
            "count": self.count, "min": self.min, "max": self.max, "mean": self.mean,
            "exceeds": self.exceeds, "stddev": self.stddev,
            "percentiles": {str(k): v for k, v in self.percentiles.items()},
        }

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} count={self.count} min={self.min} max={self.max} "
                f"mean={self.mean:.0f} stddev={self.stddev:.0f}>")


def createHistogram(lowest: int = 1, highest: int = INT64_MAX) -> RecordableHistogram:
    """``perf_hooks.createHistogram()``."""
    return RecordableHistogram(lowest, highest)


class IntervalHistogram(RecordableHistogram):
    """What ``monitorEventLoopDelay`` returns; ``enable()`` starts sampling."""

    def __init__(self, resolution: int) -> None:
        super().__init__()
        self.resolution = resolution
        self._timer: Any = None
        self._last = 0

    def enable(self) -> bool:
        """Start sampling on the running loop; False if it was already on (as in Node)."""
        if self._timer is not None:
            return False
        from .timers import Timeout, coerce_delay

        self._last = time.perf_counter_ns()
        # A plain unref'd repeating Timeout: it never keeps the loop alive.
        self._timer = Timeout(get_loop(), self._sample, coerce_delay(self.resolution), (),
                              True, False)
        return True

    def disable(self) -> bool:
        """Stop sampling; False if it was not on."""
        if self._timer is None:
            return False
        from .timers import clearInterval

        clearInterval(self._timer)
        self._timer = None
        return True

    def _sample(self) -> None:
        now = time.perf_counter_ns()
        delta = now - self._last
        self._last = now
        if delta > 0:
            self.record(delta)


def monitorEventLoopDelay(resolution: int = 10) -> IntervalHistogram:
    """``perf_hooks.monitorEventLoopDelay({resolution})``: disabled until ``enable()``."""
    if isinstance(resolution, dict):
        resolution = resolution.get("resolution", 10)
    if not isinstance(resolution, int) or isinstance(resolution, bool) or resolution < 1:
        raise ValueError(
            f"The value of 'options.resolution' is out of range. It must be >= 1. "
            f"Received {resolution!r}"
        )
    return IntervalHistogram(resolution)


@attrs.frozen
class EventLoopUtilization:
    """Node's ``{idle, active, utilization}`` (ms, ms, ratio); also readable as ``elu["idle"]``."""

    idle: float
    active: float
    utilization: float

    def __getitem__(self, key: str) -> float:
        return float(getattr(self, key))


def _ratio(active: float, idle: float) -> float:
    total = idle + active
    return active / total if total else math.nan


def eventLoopUtilization(
    util1: EventLoopUtilization | None = None, util2: EventLoopUtilization | None = None
) -> EventLoopUtilization:
    """``performance.eventLoopUtilization([util1[, util2]])`` with Node's delta rules."""
    if util2 is not None and util1 is not None:
        idle = util1.idle - util2.idle
        active = util1.active - util2.active
        return EventLoopUtilization(idle, active, _ratio(active, idle))
    loop = state.loop
    if loop is None:
        return EventLoopUtilization(0.0, 0.0, 0.0)
    from ._diag import timed_poller

    proxy = timed_poller(loop)
    start = getattr(loop, "_elu_start", None)
    if start is None:
        start = loop._elu_start = time.perf_counter_ns() - proxy.idle_ns
    idle = proxy.idle_ns / 1e6
    active = (time.perf_counter_ns() - start) / 1e6 - idle
    if util1 is None:
        return EventLoopUtilization(idle, active, _ratio(active, idle))
    di, da = idle - util1.idle, active - util1.active
    return EventLoopUtilization(di, da, _ratio(da, di))


class _Performance:
    """The parts of Node's ``performance`` object that concern the loop."""

    timeOrigin = time.time() * 1000.0
    _origin_ns = time.perf_counter_ns()

    def now(self) -> float:
        """Milliseconds since this module was loaded (high resolution)."""
        return (time.perf_counter_ns() - self._origin_ns) / 1e6

    eventLoopUtilization = staticmethod(eventLoopUtilization)


performance = _Performance()
