"""The thread pool: blocking work (disk, DNS, users' own calls) off the loop thread.

Owns: the worker threads, the queue of pending work and the "slow work" limit.
libuv's ``threadpool.c`` in Python form.

Invariants
----------
* Workers never touch loop state. A worker runs ``fn(*args)`` and hands
  ``(work, result, error)`` back with ``loop.post``, the one thread-safe entry
  into the loop; the completion then runs on the loop thread in the poll phase,
  followed by the nextTick/microtask drain, exactly like an I/O callback
  (ORDERING.md §1: "completion notices of thread-pool work such as fs and dns").
* Every job is a request (``_req.Req``): it refs the loop from submit to
  completion and ``done(result, error)`` runs exactly once on the loop thread.
  A job still queued can be cancelled (``req.cancel()`` → True, ``done`` gets
  ECANCELED in the next poll phase); a running job cannot and completes
  normally (libuv's ``uv_cancel``).
* The pool grows while work waits: a new worker starts whenever the queued
  jobs outnumber the idle workers, up to ``size`` (``JSLOOP_THREADPOOL_SIZE``,
  default 4 — libuv's ``UV_THREADPOOL_SIZE``). A loop that never touches
  fs/dns starts no thread.
* "Slow" work (DNS lookups, which can block for seconds) may occupy at most
  half the workers, rounded up — libuv's ``slow_work_thread_threshold()`` — so
  a burst of lookups to a dead resolver cannot starve fs requests.
* ``shutdown()`` refuses new work, drops work that has not started (its loop
  is gone, nothing could observe the result), joins the idle workers and
  abandons the busy ones: they are daemon threads, finish their call, post
  nothing and exit (Node exits at once on Ctrl-C even with a read running).
  A worker posts its completion under the pool lock and only while the pool
  is open, so nothing is posted to a loop that has closed.

Imports: stdlib, ``_req`` (the request object), ``promise`` (for ``submit``).
"""

from __future__ import annotations

import collections
import itertools
import os
import threading
from collections.abc import Callable
from typing import Any

from ._req import DoneCallback, Req, promise_done
from ._runtime import get_loop
from .errors import ensure_callable
from .promise import Promise

DEFAULT_SIZE = 4
MAX_SIZE = 1024  # libuv's MAX_THREADPOOL_SIZE


def pool_size_from_env() -> int:
    """``JSLOOP_THREADPOOL_SIZE`` clamped to 1..1024, as libuv treats UV_THREADPOOL_SIZE."""
    raw = os.environ.get("JSLOOP_THREADPOOL_SIZE", "")
    try:
        size = int(raw)
    except ValueError:
        return DEFAULT_SIZE
    return max(1, min(MAX_SIZE, size))


class Work(Req):
    """One pool job: run ``fn(*args)`` on a worker, then ``done`` on the loop (a ``Req``)."""

    __slots__ = ("args", "fn", "pool", "seq", "slow", "taken")

    def __init__(
        self, pool: ThreadPool, fn: Callable[..., Any], args: tuple[Any, ...],
        done: DoneCallback, slow: bool, seq: int,
    ) -> None:
        super().__init__(pool._loop, done)
        self.pool = pool
        self.fn = fn
        self.args = args
        self.slow = slow
        self.seq = seq
        self.taken = False  # a worker took it, or it was cancelled (under the pool lock)

    def try_cancel(self) -> bool:
        with self.pool._cond:
            if self.taken:
                return False
            self.taken = True
            return True


class ThreadPool:
    """A pool of up to ``size`` worker threads owned by one Loop (libuv's threadpool)."""

    __slots__ = (
        "_busy", "_closed", "_cond", "_fast", "_idle", "_loop", "_seq", "_slow",
        "_slow_limit", "_slow_running", "_threads", "size",
    )

    def __init__(self, loop: Any, size: int | None = None) -> None:
        self._loop = loop
        self.size = pool_size_from_env() if size is None else max(1, min(MAX_SIZE, size))
        # libuv: (nthreads + 1) / 2 — half the pool, rounded up, at least one.
        self._slow_limit = (self.size + 1) // 2
        self._cond = threading.Condition(threading.Lock())
        self._fast: collections.deque[Work] = collections.deque()
        self._slow: collections.deque[Work] = collections.deque()
        self._slow_running = 0
        self._idle = 0
        self._busy: set[threading.Thread] = set()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._seq = itertools.count()

    # -- loop-thread API -------------------------------------------------

    def queue_work(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: DoneCallback,
        slow: bool = False,
    ) -> Work:
        """libuv's ``uv_queue_work``: run ``fn(*args)`` on a worker, then
        ``done(result, error)`` on the loop thread in the poll phase.

        Returns the request (``cancel()`` withdraws it while still queued).
        ``done`` runs with make_callback semantics (an exception it raises is an
        uncaught exception). The request keeps the loop alive until ``done`` ran.
        """
        if self._closed:
            raise RuntimeError("jsloop thread pool is shut down")
        work = Work(self, fn, args, done, slow, next(self._seq))
        with self._cond:
            (self._slow if slow else self._fast).append(work)
            # Idle workers already signalled may not have woken yet: count the
            # queue, not the signals, so a burst of jobs starts enough workers.
            if len(self._fast) + len(self._slow) > self._idle and len(self._threads) < self.size:
                self._start_worker()
            self._cond.notify()
        return work

    def submit_req(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: DoneCallback, *,
        slow: bool = False, syscall: str = "",
    ) -> Work:
        """``queue_work`` naming the syscall an ECANCELED error reports."""
        work = self.queue_work(fn, args, done, slow)
        work.syscall = syscall
        return work

    def submit(self, fn: Callable[..., Any], *args: Any, slow: bool = False) -> Promise[Any]:
        """Run ``fn(*args)`` on a worker; the Promise settles on the loop thread."""
        promise, done = promise_done()
        self.queue_work(fn, args, done, slow)
        return promise

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work, drop work not yet started, join the idle workers.

        Busy workers are abandoned (daemon threads): they finish their call,
        post nothing and exit. ``wait=False`` joins nobody.
        """
        with self._cond:
            self._closed = True
            for queue in (self._fast, self._slow):
                for work in queue:
                    work.taken = True
                queue.clear()
            self._cond.notify_all()
            idle = [t for t in self._threads if t not in self._busy]
        if wait:
            current = threading.current_thread()
            for thread in idle:
                if thread is not current:
                    thread.join()

    def _after_fork(self) -> None:
        """In a forked child (``Loop._after_fork``, libuv's ``uv_loop_fork``): the
        workers did not survive the fork. A fresh lock and no threads; queued
        work starts new workers. Work that was running in the parent's workers
        does not complete in the child (as with libuv)."""
        self._cond = threading.Condition(threading.Lock())
        self._threads = []
        self._busy = set()
        self._idle = 0
        self._slow_running = 0
        if not self._closed:
            with self._cond:
                for _ in range(min(self.size, len(self._fast) + len(self._slow))):
                    self._start_worker()

    @property
    def closed(self) -> bool:
        return self._closed

    def thread_count(self) -> int:
        """How many workers have been started (for tests and diagnostics)."""
        return len(self._threads)

    # -- worker side -----------------------------------------------------

    def _start_worker(self) -> None:
        # Called with the lock held.
        thread = threading.Thread(
            target=self._worker, name=f"jsloop-pool-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _next_work(self) -> Work | None:
        """Pick the oldest runnable request, honouring the slow-work limit.

        Called with the lock held; returns None when the pool is closing.
        """
        fast, slow = self._fast, self._slow
        while not self._closed:
            while fast and fast[0].taken:  # cancelled while queued
                fast.popleft()
            while slow and slow[0].taken:
                slow.popleft()
            slow_ok = bool(slow) and self._slow_running < self._slow_limit
            if fast and not (slow_ok and slow[0].seq < fast[0].seq):
                work = fast.popleft()
            elif slow_ok:
                self._slow_running += 1
                work = slow.popleft()
            else:
                self._idle += 1
                self._cond.wait()
                self._idle -= 1
                continue
            work.taken = True
            return work
        return None

    def _worker(self) -> None:
        loop = self._loop
        me = threading.current_thread()
        while True:
            with self._cond:
                work = self._next_work()
                if work is None:
                    return
                self._busy.add(me)
            result: Any = None
            error: BaseException | None = None
            try:
                result = work.fn(*work.args)
            except BaseException as exc:  # the loop decides what an error means
                error = exc
            with self._cond:
                self._busy.discard(me)
                if work.slow:
                    self._slow_running -= 1
                    # A slow slot freed up: a parked worker may now take slow work.
                    self._cond.notify()
                if self._closed:
                    return  # the loop is gone: nobody can observe this result
                # Under the lock: shutdown() (which runs before the loop closes
                # its wakeup fd) cannot slip in between the check and the post.
                try:
                    loop.post(_complete, loop, work, result, error)
                except RuntimeError:
                    return  # the loop closed before it shut the pool down: same thing


def _complete(loop: Any, work: Work, result: Any, error: BaseException | None) -> None:
    """Runs on the loop thread in the poll phase (via ``loop.post``)."""
    work.complete(result, error)


def runInThreadPool(fn: Callable[..., Any], *args: Any) -> Promise[Any]:
    """Run blocking ``fn(*args)`` on the loop's thread pool; returns a Promise of its result.

    No direct Node equivalent (Node offers worker_threads); this is libuv's
    ``uv_queue_work`` for Python users. Must be called on a loop thread.
    """
    ensure_callable(fn, "fn")
    pool: ThreadPool = get_loop().threadpool
    return pool.submit(fn, *args)
