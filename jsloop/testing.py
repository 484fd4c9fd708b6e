"""Fake timers for users' tests: a jsloop loop on virtual time that the test steps.

Owns: ``FakeTimers`` -- a real ``Loop`` (the same class, phases and queues as
``jsloop.run`` uses) on a ``FakeClock``, installed as the running loop of the
test's thread, plus the stepping calls: ``advance(ms)``, ``run_due()``,
``run_until_idle()``. The pytest fixture ``jsloop_fake`` lives in
``jsloop.pytest_plugin`` (registered through the ``pytest11`` entry point).

Why the order is the real one: stepping does not re-implement the loop. Each
step calls the loop's own ``uv_run``; the fake clock only decides how far
time may move. When the loop would sleep past the step's end, the clock moves
exactly to the end and asks the loop to stop at the top of its next turn --
the point where a real loop would be blocked in poll. Resuming is then
indistinguishable from waking up from that poll, so a program stepped in any
slices (``advance(1)`` a thousand times, or ``advance(1000)`` once) runs its
callbacks in the same order as ``jsloop.run`` does on the real clock.

When the loop would block with no timer at all (only sockets or servers
alive), a step returns instead of blocking forever; a thread-pool job in
flight is waited for for real (it is real work).

Also here: ``schedules()``, the hypothesis strategy of ``Schedule``s (see
``jsloop._schedule``): property tests of the orders Node leaves open (pool
completions, ready fds, how a write is split into reads). hypothesis is a
test dependency, imported only when ``schedules()`` is called.

Imports: _loop, _clock, _runtime, process, _poller, _schedule (and stdlib;
hypothesis lazily).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import _loop
from ._clock import FakeClock
from ._poller import PollerProxy
from ._runtime import state
from ._schedule import Schedule
from .process import Fatal, ProcessExit, process

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["FakeTimers", "Schedule", "StepClock", "schedules"]


def schedules(
    max_decisions: int = 1000, max_delay_ms: float = 1000.0
) -> SearchStrategy[Schedule]:
    """A hypothesis strategy of ``Schedule``s: ``@given(schedules())``, then
    ``schedule.run(main, *args)`` in the test.

    Choices are drawn lazily, as the run meets open orders, each one integer
    shrinking towards 0 (the default order); a failing test case ends at the
    fewest non-default decisions, which the run also reports as a hypothesis
    note (``schedule: Schedule([...])``). At most ``max_decisions`` choices
    per run are drawn; later ones take the default. ``max_delay_ms`` bounds
    how late a ready fd or a finished pool job may arrive so that a timer
    runs first (see ``Schedule``).
    """
    from hypothesis import strategies as st

    ints: dict[int, SearchStrategy[int]] = {}

    def after_run(schedule: Schedule) -> None:
        from hypothesis import note
        from hypothesis.errors import InvalidArgument

        try:
            note(f"schedule: {schedule!r}")
        except InvalidArgument:  # pragma: no cover - run outside a hypothesis test
            pass

    @st.composite
    def build(draw: Any) -> Schedule:
        def source(hi: int) -> int:
            strategy = ints.get(hi)
            if strategy is None:
                strategy = ints[hi] = st.integers(0, hi)
            value: int = draw(strategy)
            return value

        return Schedule(
            source=source, after_run=after_run, max_decisions=max_decisions,
            max_delay_ms=max_delay_ms,
        )

    strategy: SearchStrategy[Schedule] = build()
    return strategy


class StepClock(FakeClock):
    """A FakeClock that will not sleep past ``limit_ns``: it stops the loop there instead."""

    def __init__(self, start_ms: float = 1000.0) -> None:
        super().__init__(start_ms)
        self.limit_ns: int | None = None
        self.loop: Any = None

    def sleep_ms(self, ms: float) -> None:
        if ms <= 0:
            return
        limit = self.limit_ns
        if limit is not None and self._ns + int(ms * 1_000_000) > limit:
            self._ns = max(self._ns, limit)
            self.loop.stopping = True
            return
        self.advance(ms)


class _StepPoller(PollerProxy):
    """Poller proxy: a wait forever (no timer to wake up for) ends the step instead."""

    __slots__ = ()

    def poll(self, timeout_ms: int) -> list[tuple[int, int]]:
        if timeout_ms < 0 and self.loop.req_refs <= 0:
            self.loop.stopping = True
            return self.inner.poll(0)
        return self.inner.poll(timeout_ms)


class FakeTimers:
    """A steppable loop on virtual time. Use as a context manager (or the ``jsloop_fake`` fixture).

    Inside ``with FakeTimers() as ft:`` the jsloop API works as in a script
    (``setTimeout``, promises, ``@asyncfn``...); nothing runs until the test
    steps the loop. Time never passes by itself: callbacks take zero virtual
    time, and ``ft.advance(ms)`` moves time forward, running every callback
    that falls due on the way, in Node's order.

    An uncaught exception in a callback is raised from the stepping call.

    With ``schedule=`` (a ``Schedule``, e.g. drawn from ``schedules()``), the
    orders Node leaves open -- thread-pool completions, ready fds, split
    reads -- are taken from it while the test steps time.
    """

    def __init__(self, start_ms: float = 1000.0, *, schedule: Schedule | None = None) -> None:
        self.clock = StepClock(start_ms)
        self._start_ns = self.clock.now_ns()
        self.loop: Any = None
        self.schedule = schedule

    # -- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeTimers:
        if state.loop is not None:
            raise RuntimeError("FakeTimers cannot be entered while a jsloop loop runs here")
        loop = _loop.Loop(self.clock)
        self.clock.loop = loop
        loop._poller = _StepPoller(loop, loop.poller)
        if self.schedule is not None:
            self.schedule.start_run(self.clock).install(loop)
        state.loop = loop
        process.unhandled_rejections = "throw"
        self.loop = loop
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the loop and uninstall it (idempotent)."""
        loop = self.loop
        if loop is None:
            return
        self.loop = None
        try:
            loop.close()
        finally:
            if state.loop is loop:
                state.loop = None
            process._reset()
            if self.schedule is not None:
                self.schedule.end_run()

    # -- time ---------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Virtual milliseconds since this FakeTimers was created."""
        return (self.clock.now_ns() - self._start_ns) / 1_000_000

    def _loop(self) -> Any:
        if self.loop is None:
            raise RuntimeError("use FakeTimers inside `with FakeTimers() as ft:`")
        return self.loop

    def _step(self, limit_ns: int | None, fill: bool = True) -> None:
        loop = self._loop()
        clock = self.clock
        clock.limit_ns = limit_ns
        try:
            loop.drain()  # what the test body itself queued (it acts as a macrotask)
            loop.uv_run()
        except Fatal as fatal:
            raise fatal.exc.with_traceback(fatal.exc.__traceback__) from None
        except ProcessExit as pexit:
            raise SystemExit(pexit.code) from None
        finally:
            loop.stopping = False
            clock.limit_ns = None
        if fill and limit_ns is not None and clock._ns < limit_ns:
            clock._ns = limit_ns  # the loop went idle early: time still passes
            loop.update_time()

    def advance(self, ms: float) -> None:
        """Move virtual time forward ``ms``, running everything that falls due, in order."""
        if ms < 0:
            raise ValueError("cannot move time backwards")
        self._step(self.clock.now_ns() + int(ms * 1_000_000))

    tick = advance

    def run_due(self) -> None:
        """Run what is runnable now (ticks, microtasks, immediates, due timers); time stays."""
        self._step(self.clock.now_ns())

    def run_until_idle(self, max_ms: float = 3_600_000.0) -> None:
        """Jump from timer to timer until nothing keeps the loop alive.

        Raises ``TimeoutError`` if that needs more than ``max_ms`` of virtual
        time (an interval nobody clears). Returns early, loop still alive, when
        only I/O (a socket, a server) could wake it up.
        """
        limit = self.clock.now_ns() + int(max_ms * 1_000_000)
        self._step(limit, fill=False)
        if self.clock.now_ns() >= limit and self._loop().alive():
            raise TimeoutError(f"the loop was still alive after {max_ms:g} ms of virtual time")

    def call(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` as a macrotask (an exception is uncaught), then drain."""
        loop = self._loop()
        try:
            loop.make_callback(fn, *args)
        except Fatal as fatal:
            raise fatal.exc.with_traceback(fatal.exc.__traceback__) from None

    # -- inspection ---------------------------------------------------------------------

    def pending_timers(self) -> int:
        """Live timers (referenced or not) still scheduled."""
        loop = self._loop()
        n = 0
        for lst in loop.timer_lists.values():
            t = lst._next
            while t is not lst:
                n += 1
                t = t._next
        return n

    def next_due(self) -> float | None:
        """Virtual ms from now until the next timer is due (None if no timer)."""
        loop = self._loop()
        due: int | None = loop.uv_timer_due
        if due is None:
            return None
        return max(0.0, due - self.clock.now_ns() / 1_000_000)
