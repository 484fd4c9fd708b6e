"""The loop clock: monotonic time in nanoseconds, swappable for a fake one.

Owns: ``Clock`` (real monotonic time, real sleeping) and ``FakeClock``
(virtual time that only moves when the loop would wait or when a test calls
``advance``). The loop keeps Node's cached whole-millisecond clock on top of
this. Imports: stdlib only.
"""

from __future__ import annotations

import time


class Clock:
    """Real time. ``sleep_ms`` is only used when the loop has no fds to wait on."""

    fake = False

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def sleep_ms(self, ms: float) -> None:
        if ms > 0:
            time.sleep(ms / 1000.0)


class FakeClock(Clock):
    """Virtual time for deterministic tests (asyncio's TestLoop, trio's MockClock).

    Time stands still while callbacks run; when the loop would block until the
    next timer it jumps there instead. ``advance(ms)`` moves time forward, e.g.
    to stand in for a callback that busy-waits (JavaScript's ``spin(ms)``).
    """

    fake = True

    def __init__(self, start_ms: float = 1000.0) -> None:
        self._ns = int(start_ms * 1_000_000)

    def now_ns(self) -> int:
        return self._ns

    def advance(self, ms: float) -> None:
        if ms < 0:
            raise ValueError("cannot move a clock backwards")
        self._ns += int(ms * 1_000_000)

    def sleep_ms(self, ms: float) -> None:
        if ms > 0:
            self.advance(ms)
