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
* A request keeps the loop alive from submit to completion: ``loop.ref_req()``
  at submit, ``loop.unref_req()`` in the completion, both on the loop thread
  (python/asyncio#3 exited while a job was still queued).
* Workers start lazily, one more each time work arrives and no worker is idle,
  up to ``size`` (``JSLOOP_THREADPOOL_SIZE``, default 4 — libuv's
  ``UV_THREADPOOL_SIZE``). A loop that never touches fs/dns starts no thread.
* "Slow" work (DNS lookups, which can block for seconds) may occupy at most
  half the workers, rounded up — libuv's ``slow_work_thread_threshold()`` — so
  a burst of lookups to a dead resolver cannot starve fs requests.
* ``shutdown()`` refuses new work, drops work that has not started (its loop
  is gone, nothing could observe the result) and joins the workers
  (aio-libs/janus#2: close the door before waiting).

Imports: stdlib, plus ``promise`` for the Promise-returning ``submit``.
"""

from __future__ import annotations

import collections
import itertools
import os
import threading
from collections.abc import Callable
from typing import Any

from ._runtime import get_loop
from .errors import ensure_callable
from .promise import Promise

DEFAULT_SIZE = 4
MAX_SIZE = 1024  # libuv's MAX_THREADPOOL_SIZE

DoneCallback = Callable[[Any, "BaseException | None"], None]


def pool_size_from_env() -> int:
    """``JSLOOP_THREADPOOL_SIZE`` clamped to 1..1024, as libuv treats UV_THREADPOOL_SIZE."""
    raw = os.environ.get("JSLOOP_THREADPOOL_SIZE", "")
    try:
        size = int(raw)
    except ValueError:
        return DEFAULT_SIZE
    return max(1, min(MAX_SIZE, size))


class Work:
    """One queued request: run ``fn(*args)`` on a worker, then ``done`` on the loop."""

    __slots__ = ("args", "done", "fn", "seq", "slow")

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: DoneCallback, slow: bool,
        seq: int,
    ) -> None:
        self.fn = fn
        self.args = args
        self.done = done
        self.slow = slow
        self.seq = seq


class ThreadPool:
    """A fixed-size pool of worker threads owned by one Loop (libuv's threadpool)."""

    __slots__ = (
        "_closed", "_cond", "_fast", "_idle", "_loop", "_seq", "_slow", "_slow_limit",
        "_slow_running", "_threads", "size",
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
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._seq = itertools.count()

    # -- loop-thread API -------------------------------------------------

    def queue_work(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: DoneCallback,
        slow: bool = False,
    ) -> None:
        """libuv's ``uv_queue_work``: run ``fn(*args)`` on a worker, then
        ``done(result, error)`` on the loop thread in the poll phase.

        ``done`` runs with make_callback semantics (an exception it raises is an
        uncaught exception). The request keeps the loop alive until ``done`` ran.
        """
        if self._closed:
            raise RuntimeError("jsloop thread pool is shut down")
        work = Work(fn, args, done, slow, next(self._seq))
        self._loop.ref_req()
        with self._cond:
            (self._slow if slow else self._fast).append(work)
            if self._idle == 0 and len(self._threads) < self.size:
                self._start_worker()
            else:
                self._cond.notify()

    def submit(self, fn: Callable[..., Any], *args: Any, slow: bool = False) -> Promise[Any]:
        """Run ``fn(*args)`` on a worker; the Promise settles on the loop thread."""
        resolvers = Promise.withResolvers()
        promise: Promise[Any] = resolvers.promise
        resolve, reject = resolvers.resolve, resolvers.reject

        def done(result: Any, error: BaseException | None) -> None:
            if error is None:
                resolve(result)
            else:
                reject(error)

        self.queue_work(fn, args, done, slow)
        return promise

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work, drop work not yet started, join the workers."""
        with self._cond:
            self._closed = True
            self._fast.clear()
            self._slow.clear()
            self._cond.notify_all()
            threads = list(self._threads)
        if wait:
            current = threading.current_thread()
            for thread in threads:
                if thread is not current:
                    thread.join()

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
        while not self._closed:
            slow_ok = bool(self._slow) and self._slow_running < self._slow_limit
            if self._fast and not (slow_ok and self._slow[0].seq < self._fast[0].seq):
                return self._fast.popleft()
            if slow_ok:
                self._slow_running += 1
                return self._slow.popleft()
            self._idle += 1
            self._cond.wait()
            self._idle -= 1
        return None

    def _worker(self) -> None:
        loop = self._loop
        while True:
            with self._cond:
                work = self._next_work()
            if work is None:
                return
            result: Any = None
            error: BaseException | None = None
            try:
                result = work.fn(*work.args)
            except BaseException as exc:  # the loop decides what an error means
                error = exc
            if work.slow:
                with self._cond:
                    self._slow_running -= 1
                    # A slow slot freed up: a parked worker may now take slow work.
                    self._cond.notify()
            try:
                loop.post(_complete, loop, work, result, error)
            except Exception:
                # The loop is gone (shutdown without wait); nobody can observe
                # this result any more.
                return


def _complete(loop: Any, work: Work, result: Any, error: BaseException | None) -> None:
    """Runs on the loop thread in the poll phase (via ``loop.post``)."""
    loop.unref_req()
    work.done(result, error)


def runInThreadPool(fn: Callable[..., Any], *args: Any) -> Promise[Any]:
    """Run blocking ``fn(*args)`` on the loop's thread pool; returns a Promise of its result.

    No direct Node equivalent (Node offers worker_threads); this is libuv's
    ``uv_queue_work`` for Python users. Must be called on a loop thread.
    """
    ensure_callable(fn, "fn")
    pool: ThreadPool = get_loop().threadpool
    return pool.submit(fn, *args)
