"""Schedules: the orders Node leaves open, decided by a stream of choices.

Owns: ``Schedule`` (a stream of small integers plus the readable log of the
decisions it made) and the machinery ``Schedule.run`` installs on the loop of
one run. ``jsloop.testing.schedules()`` feeds a Schedule from hypothesis, so a
failing property shrinks to the fewest, smallest decisions.

What is open, and what a schedule decides
-----------------------------------------
Node fixes the phase order, nextTick before promise jobs, equal-delay timer
FIFO, immediates in the next check phase... (ORDERING.md). It does *not* fix
what depends on the machine; a schedule decides exactly that, and nothing
else:

* **Thread-pool completions.** Jobs run on the workers for real, but their
  completion notices are held back. At every poll the schedule decides in
  which order finished jobs complete and when to stop: the rest are "still
  running" (held past this poll; if a timer is armed, virtual time then moves
  to it, so the timer runs first). Only a job a worker could be running can
  complete: the pool takes jobs in submission order, so with ``size`` workers
  one of the first ``size`` jobs not yet completed (with
  ``JSLOOP_THREADPOOL_SIZE=1`` jobs complete in submission order). All
  completions released in one poll run back to back, as libuv's
  ``uv__work_done`` runs them.
* **Ready fds.** The batch one poll returns is put in the order its watchers
  were created (not fd order: a file a worker opens meanwhile shifts fd
  numbers from run to run), then permuted by the schedule; the pool's
  completions count as one item, "pool", first by default. While a timer is
  armed, each ready fd may also be "not ready" yet (a slow peer): it is left
  out of this batch, so the timer may fall due first; epoll is
  level-triggered, so the fd is reported again at the next poll. Holding an
  fd or a job back is bounded: at most ``MAX_HOLDS`` polls in a row, and only
  while the timer that would run meanwhile is due within
  ``Schedule.max_delay_ms`` of its arrival (slow, not dead).
* **Split reads.** Before a ``net.Socket`` reads, the schedule may cap the
  read at ``k`` of the ``n`` bytes waiting: the rest stays in the kernel and
  arrives in a later poll (epoll is level-triggered). Bytes are never lost or
  reordered, only split.

Every peer is treated as remote: two clients on loopback written to by the
same process become readable in write order, and a small loopback write
arrives whole, yet a schedule may reorder, delay or split them -- as a
network would. Callbacks take no virtual time, so the races that need a
slow callback (ORDERING.md §5: ``setTimeout(0)`` against ``setImmediate``
from the main script) are not explored: advance the clock for that.

Every decision is one integer; 0 is the default (release everything now,
creation order, ready now, read everything), so shrinking moves towards the
order a fast, idle machine produces, and ``repr(schedule)`` lists only the
decisions that were not the default: ``Schedule(['pool: job 2 (read) before
job 1 (read)', 'fd 7: deliver 3 of 13 bytes'])``.

Determinism
-----------
A run is on virtual time (a ``FakeClock``: callbacks take no time; the loop
jumps to the next timer when it would wait). Before each decision the run
*settles*: it waits, for real, until every submitted pool job has finished, so
what is decided never depends on how fast the workers were. Sockets between
peers in the same process are deterministic on loopback (the kernel delivers
a send to the peer before ``send`` returns). Data from other processes, and a
pool job that runs longer than ``SETTLE_TIMEOUT_S`` (one that waits for the
loop itself), arrive when they arrive: those orders are real, not decided.

Nothing here is on a hot path of an ordinary run: ``Schedule.run`` wraps the
objects of its own loop from the outside (the poller, as ``PollerProxy`` does
for diagnostics; the thread pool, by a subclass; ``loop.post``, by an
instance attribute; the read callback of sockets it sees ready).

Relies on (internal, checked by tests/test_schedules*.py): ``Loop.post``,
``io_watch``, ``_poller``, ``_threadpool``, ``_wake_r``, ``watchers``,
``immediates``/``pending``/``closing``/``uv_timer_due``/``stopping``;
``ThreadPool.queue_work``/``size`` and ``_threadpool._complete(loop, work,
result, error)`` with ``Work.seq``/``pool``/``active``; ``jsloop.net.Socket``
and ``jsloop.net._common.loop_net(loop).buf``/``.view`` (the buffer a read
fills).

Imports: _loop, _clock, _poller, _runtime, _threadpool; ``jsloop.net`` lazily
(only if the program imported it).
"""

from __future__ import annotations

import array
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import _loop
from ._clock import Clock, FakeClock
from ._poller import READABLE, PollerProxy
from ._runtime import get_loop
from ._threadpool import ThreadPool, Work, _complete

__all__ = ["MAX_HOLDS", "SETTLE_TIMEOUT_S", "Schedule"]

SETTLE_TIMEOUT_S = 2.0  # longest real wait for a pool job before a decision
MAX_HOLDS = 8  # polls a finished job may be held back ("still running")
MAX_DECISIONS = 2000  # later open choices take the default (bounds hypothesis' data)
MAX_DELAY_MS = 1000.0  # how late (virtual ms) a ready fd or finished job may still arrive

ChoiceSource = Callable[[int], int]  # hi -> an integer in [0, hi]


class Schedule:
    """One way the machine could order what Node leaves open.

    ``Schedule()`` is the default order; ``Schedule.random(seed)`` a seeded
    random one; ``Schedule.replay(choices)`` the one that made ``choices``
    (``schedule.choices`` of an earlier run); ``jsloop.testing.schedules()``
    the hypothesis strategy. The choices drawn by the first run are kept, so
    running the same schedule again makes the same decisions.

    ``max_delay_ms``: how long (virtual time) a ready fd or a finished pool job
    may be held back so that timers run first -- a slow network or disk, not a
    dead one. With a 30 s housekeeping timer armed, a peer is never made 30 s
    late; a 100 ms reply timeout can lose the race.
    """

    __slots__ = (
        "_after_run", "_choices", "_pos", "_runs", "_source", "decisions", "max_decisions",
        "max_delay_ms",
    )

    def __init__(
        self,
        choices: Iterable[int] = (),
        *,
        source: ChoiceSource | None = None,
        after_run: Callable[[Schedule], Any] | None = None,
        max_decisions: int = MAX_DECISIONS,
        max_delay_ms: float = MAX_DELAY_MS,
    ) -> None:
        self._choices = [int(c) for c in choices]
        self._source = source
        self._after_run = after_run
        self._pos = 0
        self._runs = 0
        self.max_decisions = max_decisions
        self.max_delay_ms = max_delay_ms
        self.decisions: list[str] = []

    @classmethod
    def random(cls, seed: int | str | None = None, *,
               max_delay_ms: float = MAX_DELAY_MS) -> Schedule:
        """A schedule drawing its choices from ``random.Random(seed)``."""
        rng = random.Random(seed)
        return cls(source=lambda hi: rng.randint(0, hi), max_delay_ms=max_delay_ms)

    @classmethod
    def replay(cls, choices: Iterable[int], *,
               max_delay_ms: float = MAX_DELAY_MS) -> Schedule:
        """The schedule that makes ``choices`` (then the default order)."""
        return cls(choices, max_delay_ms=max_delay_ms)

    @property
    def choices(self) -> tuple[int, ...]:
        """Every choice drawn so far, defaults included: ``Schedule.replay`` input."""
        return tuple(self._choices)

    def __repr__(self) -> str:
        if self._source is not None and not self._runs and not self._choices:
            # hypothesis prints a test case before running it: nothing is decided yet.
            return "Schedule(<drawn as it runs: see the 'schedule:' note>)"
        return f"Schedule({self.decisions!r})"

    # -- the choice stream (loop thread) -------------------------------------------

    def choose(self, hi: int) -> int:
        """The next choice, in ``[0, hi]`` (0: the default)."""
        if hi <= 0:
            return 0
        pos = self._pos
        self._pos = pos + 1
        if pos < len(self._choices):
            return min(max(self._choices[pos], 0), hi)
        if self._source is None or pos >= self.max_decisions:
            return 0
        value = min(max(int(self._source(hi)), 0), hi)
        self._choices.append(value)
        return value

    def decide(self, text: str) -> None:
        """Log a decision that differs from the default order."""
        self.decisions.append(text)

    # -- running -------------------------------------------------------------------

    def start_run(self, clock: FakeClock) -> _Run:
        """Start over from the first choice; the hooks to ``install`` on a fresh loop."""
        self._pos = 0
        self._runs += 1
        self.decisions = []
        return _Run(self, clock)

    def run(
        self,
        main: Callable[..., Any],
        *args: Any,
        clock: FakeClock | None = None,
        unhandled_rejections: str | None = None,
    ) -> Any:
        """As ``jsloop.run(main, *args)``, with every open order taken from this schedule.

        Runs on virtual time: ``clock`` (a ``FakeClock``, e.g. one the test
        advances to stand in for slow code) or a fresh one.
        """
        ctl = self.start_run(clock if clock is not None else FakeClock())

        def boot(*a: Any) -> Any:
            ctl.install(get_loop())
            return main(*a)

        try:
            return _loop.run(
                boot, *args, clock=ctl.clock, unhandled_rejections=unhandled_rejections
            )
        finally:
            self.end_run()

    def end_run(self) -> None:
        """The run is over: report the decisions (a hypothesis note under ``schedules()``)."""
        if self._after_run is not None:
            self._after_run(self)


class _Job:
    """A pool job as the schedule sees it: finished (on its worker) or not, held or not."""

    __slots__ = ("args", "detached", "finished", "holds", "name", "no", "seen_ms", "work")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.no = work.seq + 1  # submission order in this run's (fresh) pool
        name = work.syscall or getattr(work.fn, "__name__", "").strip("_")
        self.name = f"job {self.no} ({name})" if name.isidentifier() else f"job {self.no}"
        self.finished = False
        self.detached = False  # ran past SETTLE_TIMEOUT_S: no longer waited for
        self.holds = 0
        self.seen_ms = -1.0  # virtual time the schedule first saw it finished
        self.args: tuple[Any, ...] = ()


class _SchedPool(ThreadPool):
    """The run's thread pool: tells the schedule about every job it queues."""

    __slots__ = ("_run",)

    def __init__(self, loop: Any, run: _Run) -> None:
        super().__init__(loop)
        self._run = run

    def queue_work(
        self, fn: Callable[..., Any], args: tuple[Any, ...],
        done: Callable[[Any, BaseException | None], Any], slow: bool = False,
    ) -> Work:
        work = super().queue_work(fn, args, done, slow)
        self._run.submitted(work)
        return work


class _SchedPoller(PollerProxy):
    """The run's poller: settles, releases held completions, orders the batch."""

    __slots__ = ("run",)

    def __init__(self, loop: Any, inner: Any, run: _Run) -> None:
        super().__init__(loop, inner)
        self.run = run

    def poll(self, timeout_ms: int) -> list[tuple[int, int]]:
        run = self.run
        blocking = timeout_ms < 0
        while True:
            run.settle()
            batch = run.decide_batch(self.inner.poll(0), blocking)
            if batch or not blocking or self.loop.stopping:
                return batch
            # Nothing ready, nothing held, and the loop would block: wait for real
            # I/O (or a job still running); the events are re-read above.
            self.inner.poll(50 if run.running() else -1)


class _SplitReads:
    """A ``net.Socket`` read callback whose next read the schedule may cap."""

    __slots__ = ("fd", "inner", "run")

    def __init__(self, inner: Callable[[int], Any], fd: int, run: _Run) -> None:
        self.inner = inner
        self.fd = fd
        self.run = run

    def __call__(self, events: int) -> Any:
        run = self.run
        w = run.loop.watchers.get(self.fd)
        if not (events & READABLE and w is not None and w.events & READABLE):
            return self.inner(events)
        net = run.net_state()
        if net is None:  # pragma: no cover - jsloop.net without its per-loop buffer
            return self.inner(events)
        # (a read takes at most the buffer: more waiting is split anyway)
        n = min(_bytes_waiting(self.fd), len(net.view))
        sched = run.schedule
        if n < 2 or not sched.choose(1):
            return self.inner(events)
        k = 1 + sched.choose(n - 2)
        sched.decide(f"fd {self.fd}: deliver {k} of {n} bytes")
        full = net.buf
        net.buf = net.view[:k]  # recv_into reads at most len(buf) bytes
        try:
            return self.inner(events)
        finally:
            net.buf = full


def _bytes_waiting(fd: int) -> int:
    """Bytes a read of ``fd`` would get now (FIONREAD); 0 where unknown."""
    try:
        import fcntl
        import termios
    except ImportError:  # pragma: no cover - not POSIX: reads are never split
        return 0
    buf = array.array("i", [0])
    try:
        fcntl.ioctl(fd, termios.FIONREAD, buf, True)
    except OSError:
        return 0
    return buf[0]


class _Run:
    """One ``Schedule.run``: the hooks on its loop and the pool jobs in flight."""

    def __init__(self, schedule: Schedule, clock: FakeClock) -> None:
        self.schedule = schedule
        self.clock: Clock = clock
        self.t0 = clock.now_ns()
        self.loop: Any = None
        self.wake_fd = -1
        self.cond = threading.Condition(threading.Lock())
        self.jobs: dict[int, _Job] = {}  # by Work.seq, until released
        self.pool: _SchedPool | None = None
        self.orig_post: Callable[..., None] = lambda cb, *a: None
        # Watchers in creation order: the batch's canonical order. Not fd numbers:
        # a file a worker opens meanwhile shifts them from run to run.
        self.born: dict[Any, int] = {}
        # watcher -> (polls it was held back in a row, virtual ms it was first ready)
        self.deferred: dict[Any, tuple[int, float]] = {}

    def install(self, loop: Any) -> None:
        self.loop = loop
        self.wake_fd = loop._wake_r
        loop._poller = _SchedPoller(loop, loop.poller, self)
        self.pool = loop._threadpool = _SchedPool(loop, self)
        self.orig_post = loop.post
        loop.post = self.post  # shadows the method on this loop only
        orig_watch = loop.io_watch

        def io_watch(fd: int, callback: Callable[[int], Any]) -> Any:
            w = orig_watch(fd, callback)
            self.born[w] = len(self.born)
            return w

        loop.io_watch = io_watch

    # -- thread pool -------------------------------------------------------------

    def submitted(self, work: Work) -> None:
        with self.cond:
            self.jobs.setdefault(work.seq, _Job(work))

    def post(self, cb: Callable[..., Any], *args: Any) -> None:
        """``loop.post`` of this run (any thread): a job's completion notice is held."""
        if cb is _complete and len(args) == 4 and getattr(args[1], "pool", None) is self.pool:
            work = args[1]
            with self.cond:
                job = self.jobs.get(work.seq)
                if job is None:  # the worker beat ``submitted``
                    job = self.jobs[work.seq] = _Job(work)
                job.finished = True
                job.args = args
                self.cond.notify_all()
            return
        self.orig_post(cb, *args)

    def _unsettled(self) -> list[_Job]:
        return [
            j for j in self.jobs.values()
            if not j.finished and not j.detached and j.work.active
        ]

    def running(self) -> bool:
        with self.cond:
            return any(not j.finished and j.work.active for j in self.jobs.values())

    def settle(self) -> None:
        """Wait (real time, bounded) until every queued pool job has finished."""
        if not self.jobs:
            return
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        with self.cond:
            while True:
                waiting = self._unsettled()
                if not waiting:
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    for job in waiting:  # waits for the loop itself: its timing is real
                        job.detached = True
                    return
                self.cond.wait(left)

    def _release(self, can_hold_all: bool) -> bool:
        """Decide which finished jobs complete in this poll, and in which order.

        Only a job a worker could be running is a candidate: the pool takes jobs
        in submission order, so with ``size`` workers the first ``size`` jobs not
        yet completed (virtually: a held job still occupies its worker).
        """
        with self.cond:
            for seq in [s for s, j in self.jobs.items() if not j.finished and not j.work.active]:
                del self.jobs[seq]  # cancelled while queued: it never occupied a worker
            pending = sorted(self.jobs.values(), key=lambda j: j.no)
        if not any(j.finished for j in pending):
            return False
        sched = self.schedule
        size = self.pool.size if self.pool is not None else 1
        now = self.now_ms()
        for j in pending:
            if j.finished and j.seen_ms < 0:
                j.seen_ms = now
        released = 0
        cands: list[_Job] = []
        while True:
            cands = [j for j in pending[:size] if j.finished]
            if not cands:
                break
            may_stop = (can_hold_all or released) and all(
                j.holds < MAX_HOLDS and self.may_wait(j.seen_ms) for j in cands
            )
            i = sched.choose(len(cands) if may_stop else len(cands) - 1)
            if i == len(cands):
                break  # the rest are still running
            job = cands[i]
            if i:
                sched.decide(f"pool: {job.name} before {cands[0].name}")
            pending.remove(job)
            with self.cond:
                del self.jobs[job.work.seq]
            self.orig_post(_complete, *job.args)
            released += 1
        if cands:
            at = self.elapsed()
            for job in cands:
                job.holds += 1
                sched.decide(f"pool: {job.name} still running at {at:g} ms")
        return released > 0

    def elapsed(self) -> float:
        """Virtual ms since the run started (decisions say when they were taken)."""
        return (self.clock.now_ns() - self.t0) / 1_000_000

    def now_ms(self) -> float:
        return self.clock.now_ns() / 1_000_000

    def may_wait(self, since_ms: float) -> bool:
        """May what arrived at ``since_ms`` still be held back? Not if the timer
        that would then run is due more than ``max_delay_ms`` after it."""
        due = self.loop.uv_timer_due
        return due is None or due - since_ms <= self.schedule.max_delay_ms

    # -- the poll batch ------------------------------------------------------------

    def decide_batch(
        self, ready: list[tuple[int, int]], blocking: bool
    ) -> list[tuple[int, int]]:
        loop = self.loop
        wake = self.wake_fd
        items = [e for e in ready if e[0] != wake]
        woken = [e for e in ready if e[0] == wake]
        if len(items) > 1:
            items.sort(key=self._birth)
        if items and not blocking and loop.uv_timer_due is not None:
            items = self._defer(items)
        others = bool(
            items or loop.immediates or loop.pending or loop.closing
            or (not blocking and loop.uv_timer_due is not None)
        )
        tail: list[tuple[int, int]] = []
        if self._release(others):
            items.insert(0, woken[0] if woken else (wake, READABLE))  # the oldest fd
        elif woken:
            tail = woken  # posts from elsewhere (cancellations, other threads): last
        sched = self.schedule
        out: list[tuple[int, int]] = []
        while items:
            i = sched.choose(len(items) - 1)
            entry = items.pop(i)
            if i:
                sched.decide(f"{self._label(entry[0])} before {self._label(items[0][0])}")
            out.append(entry)
        if self.deferred:
            for fd, _ in out:  # delivered: its next readiness starts a new count
                self.deferred.pop(self.loop.watchers.get(fd), None)
        self._wrap_readers(out)
        return out + tail

    def _defer(self, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """A timer is armed: each ready fd may not be ready yet (its peer is slow),
        so the timer may fall due first. A level-triggered fd is reported again."""
        sched = self.schedule
        watchers = self.loop.watchers
        deferred = self.deferred
        now = self.now_ms()
        keep: list[tuple[int, int]] = []
        for entry in items:
            w = watchers.get(entry[0])
            times, since = deferred.pop(w, (0, now))
            if times < MAX_HOLDS and self.may_wait(since) and sched.choose(1):
                deferred[w] = (times + 1, since)
                sched.decide(f"fd {entry[0]} not ready at {self.elapsed():g} ms")
            else:
                keep.append(entry)
        return keep

    def _birth(self, entry: tuple[int, int]) -> tuple[int, int]:
        w = self.loop.watchers.get(entry[0])
        born = self.born.get(w, -1) if w is not None else -1
        return (born, entry[0]) if born >= 0 else (len(self.born), entry[0])

    def _label(self, fd: int) -> str:
        return "pool" if fd == self.wake_fd else f"fd {fd}"

    def _wrap_readers(self, batch: list[tuple[int, int]]) -> None:
        net_mod = sys.modules.get("jsloop.net")
        if net_mod is None:
            return
        sock_cls = getattr(net_mod, "Socket", None)
        watchers = self.loop.watchers
        for fd, events in batch:
            if not events & READABLE or fd == self.wake_fd:
                continue
            w = watchers.get(fd)
            if w is None or type(w.callback) is _SplitReads:
                continue
            owner = getattr(w.callback, "__self__", None)
            if sock_cls is not None and isinstance(owner, sock_cls):
                w.callback = _SplitReads(w.callback, fd, self)

    def net_state(self) -> Any:
        """``jsloop.net``'s per-loop receive buffer (``buf`` is what a read fills)."""
        common = sys.modules.get("jsloop.net._common")
        if common is None:  # pragma: no cover
            return None
        state = common.loop_net(self.loop)
        return state if hasattr(state, "buf") and hasattr(state, "view") else None
