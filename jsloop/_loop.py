"""The loop: libuv's phases in Node's order, liveness, and ``run``.

Owns: the Loop (one per ``run``, one per thread), a function per phase, the
poll timeout, I/O watchers, cross-thread posting with its wakeup fd, and the
top-level ``run`` that plays the part of ``node script.js``.

One turn, as ``uv_run`` in libuv 1.46 does it (docs/ordering.md §1)::

    timers (once, before the first turn)
    while alive:
        pending -> idle/prepare -> poll(timeout) -> check -> close
        -> update clock -> timers

Node wraps that: when the loop runs dry it emits 'beforeExit' (which may
revive it), then 'exit'. Every callback the loop calls is followed by the
nextTick/microtask drain (``make_callback``); the timers and check phases
drain between callbacks themselves (timers.py).

Alive means: a referenced timer or immediate, an active referenced handle
(I/O watcher, server, ...), an in-flight request (thread-pool job), or
pending/closing callbacks. Cross-thread ``post`` alone does not keep the loop
alive: the request that will post does (python/asyncio#3).

Imports: everything below it (_clock, _queues, _poller, promise, timers,
process, asyncfn, errors).
"""

from __future__ import annotations

import gc
import math
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ._clock import Clock
from ._poller import READABLE, WRITABLE, Poller, make_poller
from ._queues import TaskQueues
from ._runtime import state
from ._signals import ensure_wakeup as ensure_signal_wakeup
from .process import (
    MODES,
    Fatal,
    ProcessExit,
    begin_run,
    handle_uncaught,
    process,
    process_rejections,
)
from .timers import process_immediates, process_timers

__all__ = ["READABLE", "WRITABLE", "IOWatcher", "Loop", "run"]

# The longest single wait handed to the poller (epoll_wait's timeout is a C int of
# ms; Python's float conversion may round 2**31-1 up past it).
_MAX_POLL_MS = 2**31 - 1001


def _noop() -> None:
    pass


class IOWatcher:
    """Interest in one fd; its callback runs in the poll phase (``make_callback`` rules)."""

    __slots__ = ("callback", "events", "fd", "loop", "refed", "registered")

    def __init__(self, loop: Loop, fd: int, callback: Callable[[int], Any]) -> None:
        self.loop = loop
        self.fd = fd
        self.callback = callback
        self.events = 0
        self.refed = True
        self.registered = False

    def start(self, events: int) -> None:
        """Watch for ``events`` (READABLE | WRITABLE), replacing the previous interest."""
        if events == self.events:
            return
        loop = self.loop
        was_active = self.events != 0
        if not self.registered:
            owner = loop.watchers.get(self.fd)
            if owner is not None and owner is not self:
                raise ValueError(f"fd {self.fd} is already watched by this loop")
            loop.watchers[self.fd] = self
            loop.poller.register(self.fd, events)
            self.registered = True
        else:
            loop.poller.modify(self.fd, events)
        self.events = events
        if self.refed and not was_active:
            loop.handle_refs += 1

    def stop(self) -> None:
        """No interest in any event. The fd leaves the poller (epoll would still
        report hang-ups for an fd with an empty mask, and the loop would spin);
        the watcher keeps its claim on the fd and ``start`` re-registers it."""
        if not self.events:
            return
        self.loop.poller.unregister(self.fd)
        self.registered = False
        self.events = 0
        if self.refed:
            self.loop.handle_refs -= 1

    def close(self) -> None:
        """Forget the fd: call this before closing it.

        Events the current poll batch still holds for this fd are dropped
        (libuv's ``uv__platform_invalidate_fd``): the fd number may be reused by
        the time the batch reaches it, and they belong to the closed fd.
        """
        loop = self.loop
        if self.events and self.refed:
            loop.handle_refs -= 1
        self.events = 0
        if self.registered:
            self.registered = False
            loop.poller.unregister(self.fd)
        if loop.watchers.get(self.fd) is self:
            del loop.watchers[self.fd]
            # libuv's uv_close: a closed handle passes through the close phase, so
            # the loop stays alive for one more turn (Node: a server listened and
            # closed in 'beforeExit' brings another 'beforeExit').
            loop.closing.append((_noop, ()))
        if loop._dispatching:
            loop._invalid_fds.add(self.fd)

    def ref(self) -> None:
        if not self.refed:
            self.refed = True
            if self.events:
                self.loop.handle_refs += 1

    def unref(self) -> None:
        if self.refed:
            self.refed = False
            if self.events:
                self.loop.handle_refs -= 1

    def has_ref(self) -> bool:
        return self.refed

    @property
    def active(self) -> bool:
        return self.events != 0


class Loop:
    """One event loop. Only its own thread touches it, except ``post``."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock if clock is not None else Clock()
        self.now = self.clock.now_ns() // 1_000_000
        self.queues = TaskQueues(self.handle_uncaught, process_rejections)
        # timers (timers.py reads and writes these)
        self.timer_lists: dict[int, Any] = {}
        self.timer_queue: list[tuple[int, int, Any]] = []
        self.list_id = 0
        self.next_expiry: float = math.inf
        self.uv_timer_due: int | None = None
        self.timer_refs = 0
        # immediates
        self.immediates: deque[Any] = deque()
        # (cleared immediates stay queued until the check phase skips them)
        self.immediate_refs = 0
        # handles, requests, deferred callbacks
        self.handle_refs = 0
        self.req_refs = 0
        self.pending: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self.closing: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        # I/O
        self._poller: Poller | None = None
        self.watchers: dict[int, IOWatcher] = {}
        self._posted: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._wake_r = -1
        self._wake_w = -1
        self._wake_sock: tuple[socket.socket, socket.socket] | None = None
        self._wake_pending = False
        self._wake_watcher: IOWatcher | None = None
        # How many watched fds are the loop's own (the wakeup fd, the signal
        # wakeup socket): with no other, a turn with work queued skips the poll.
        self.internal_fds = 1
        # Guards the wakeup fd against ``close`` (a post racing a close must not
        # write to an fd number that may already belong to someone else).
        self._wake_lock = threading.Lock()
        # fds closed while a poll batch is being dispatched: their remaining
        # events in that batch are stale (IOWatcher.close).
        self._dispatching = False
        self._invalid_fds: set[int] = set()
        self._threadpool: Any = None
        self._close_hooks: list[Callable[[], Any]] = []
        self.stopping = False
        self.closed = False
        # process' run-scoped state for this loop (process.ProcessScope), made lazily
        self.process_scope: Any = None
        self.timers_never_early = (
            os.environ.get("JSLOOP_TIMERS", "").strip().lower() == "never-early"
        )
        # Created up front (one eventfd) so any thread may ``post`` at any time.
        self._ensure_wakeup()

    # -- clock ------------------------------------------------------------------------

    def update_time(self) -> int:
        """Refresh the cached whole-ms loop clock (uv_update_time)."""
        self.now = self.clock.now_ns() // 1_000_000
        return self.now

    def timer_start(self) -> int:
        """Refresh the clock and return a timer start: Node's ``getLibuvNow()``
        (the refreshed loop clock, floored). With ``JSLOOP_TIMERS=never-early``
        the real time rounded *up* (a timer then never fires early)."""
        ns = self.clock.now_ns()
        now = self.now = ns // 1_000_000
        if self.timers_never_early:
            return -(-ns // 1_000_000)
        return now

    def schedule_timer(self, expiry: int) -> None:
        """(Re)arm the single libuv timer Node uses, due at loop time ``expiry``."""
        self.uv_timer_due = expiry

    # -- callbacks ----------------------------------------------------------------------

    def drain(self) -> None:
        """Drain nextTicks and microtasks now, as the close of a callback scope does."""
        self.drain_scope()

    def drain_scope(self, attempts: int = 2) -> None:
        """Node's InternalCallbackScope::Close: drain; a throwing tick ends an attempt.

        Measured against node (after the main script, a timers walk, a check
        phase): when a tick throws and a listener handles it, one more drain
        attempt follows; if that throws too, what is still queued waits for the
        next drain point (tests/data/differential_corpus.json has the cases).
        """
        q = self.queues
        while attempts > 0 and (q.ticks or q.micro or q.pending_unhandled or q.async_handled):
            attempts -= 1
            try:
                q.drain()
                return
            except Exception as exc:
                self.handle_uncaught(exc)

    def make_callback(self, cb: Callable[..., Any], *args: Any) -> None:
        """Node's MakeCallback: run ``cb``; route an exception; drain after."""
        try:
            cb(*args)
        except Exception as exc:
            self.handle_uncaught(exc)
            return
        q = self.queues
        if q.ticks or q.micro or q.pending_unhandled or q.async_handled:
            self.drain_scope()

    def handle_uncaught(self, exc: BaseException, origin: str = "uncaughtException") -> None:
        handle_uncaught(exc, origin)

    # -- liveness -----------------------------------------------------------------------

    def alive(self) -> bool:
        return bool(
            self.timer_refs > 0
            or self.immediate_refs > 0
            or self.handle_refs > 0
            or self.req_refs > 0
            or self.pending
            or self.closing
        )

    def ref_req(self) -> None:
        self.req_refs += 1

    def unref_req(self) -> None:
        self.req_refs -= 1

    def ref_handle(self) -> None:
        self.handle_refs += 1

    def unref_handle(self) -> None:
        self.handle_refs -= 1

    def defer_pending(self, cb: Callable[..., Any], *args: Any) -> None:
        self.pending.append((cb, args))

    def defer_close(self, cb: Callable[..., Any], *args: Any) -> None:
        self.closing.append((cb, args))

    def on_close(self, fn: Callable[[], Any]) -> None:
        self._close_hooks.append(fn)

    # -- I/O ----------------------------------------------------------------------------

    @property
    def poller(self) -> Poller:
        p = self._poller
        if p is None:
            p = self._poller = make_poller()
        return p

    def io_watch(self, fd: int, callback: Callable[[int], Any]) -> IOWatcher:
        """A watcher for ``fd``; nothing is registered until ``start``."""
        return IOWatcher(self, fd, callback)

    @property
    def threadpool(self) -> Any:
        pool = self._threadpool
        if pool is None:
            from ._threadpool import ThreadPool

            pool = self._threadpool = ThreadPool(self)
        return pool

    def _ensure_wakeup(self) -> None:
        if self._wake_watcher is not None:
            return
        if hasattr(os, "eventfd"):
            fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self._wake_r = self._wake_w = fd
        else:  # pragma: no cover - non-Linux
            a, b = socket.socketpair()
            a.setblocking(False)
            b.setblocking(False)
            self._wake_sock = (a, b)
            self._wake_r, self._wake_w = a.fileno(), b.fileno()
        w = IOWatcher(self, self._wake_r, self._on_wakeup)
        w.unref()
        w.start(READABLE)
        self._wake_watcher = w

    def post(self, cb: Callable[..., Any], *args: Any) -> None:
        """Thread-safe: run ``cb(*args)`` on the loop thread in the poll phase.

        Safe from other threads and from signal handlers: a deque append and at
        most one eventfd write per batch (libuv's async.c skips the write when a
        wakeup is already pending).

        On a closed loop it raises ``RuntimeError`` (asyncio's
        ``call_soon_threadsafe`` does the same; libuv leaves ``uv_async_send``
        on a closed handle undefined). A post racing with ``close`` in another
        thread is dropped: it never writes to the closed wakeup fd's number,
        which may already belong to another file.
        """
        if self.closed:
            raise RuntimeError("jsloop loop is closed: cannot post to it")
        self._posted.append((cb, args))
        if not self._wake_pending:
            self._wake_pending = True
            with self._wake_lock:
                fd = self._wake_w
                if fd < 0:
                    return
                try:
                    if self._wake_sock is None:
                        os.eventfd_write(fd, 1)
                    else:  # pragma: no cover
                        os.write(fd, b"\0")
                except (BlockingIOError, OSError):
                    pass

    def _on_wakeup(self, events: int) -> None:
        # Consume the wakeup *before* clearing the flag: a post that lands in
        # between sees the flag still set, skips its write, and is drained below.
        # (Clearing first loses a wakeup: a write consumed here would leave the
        # flag set with no write pending.)
        try:
            if self._wake_sock is None:
                os.eventfd_read(self._wake_r)
            else:  # pragma: no cover
                os.read(self._wake_r, 4096)
        except (BlockingIOError, OSError):
            pass
        self._wake_pending = False
        posted = self._posted
        while posted:
            cb, args = posted.popleft()
            self.make_callback(cb, *args)

    # -- phases -------------------------------------------------------------------------

    def run_timers(self) -> None:
        """libuv's uv__run_timers with Node's one timer: RunTimers while it is due."""
        while self.uv_timer_due is not None and self.uv_timer_due <= self.now:
            self.uv_timer_due = None
            self._node_run_timers()

    def _node_run_timers(self) -> None:
        now = self.update_time()
        while True:
            try:
                ret = process_timers(self, now)
                break
            except Exception as exc:
                # The remaining timers of the walk run before this callback's ticks.
                self.handle_uncaught(exc)
        if ret:
            expiry = abs(ret)
            self.uv_timer_due = expiry if expiry > self.now else self.now + 1
        self.drain_scope()

    def run_pending(self) -> None:
        if not self.pending:
            return
        batch = self.pending
        self.pending = deque()
        for cb, args in batch:
            self.make_callback(cb, *args)

    def backend_timeout(self) -> float:
        """How long poll may block, in ms (float; -1 = forever)."""
        if self.stopping or not self.alive():
            return 0
        if self.immediate_refs > 0 or self.pending or self.closing:
            return 0
        due = self.uv_timer_due
        if due is None:
            return -1
        # Wait until the real clock reaches ``due`` ms: never wake early.
        remaining = due - self.clock.now_ns() / 1_000_000
        return remaining if remaining > 0 else 0

    def run_poll(self, timeout: float) -> None:
        watchers = self.watchers
        if self.clock.fake:
            ready = self.poller.poll(0)
            if not ready and timeout != 0:
                if timeout < 0:
                    ready = self.poller.poll(-1)
                else:
                    self.clock.sleep_ms(timeout)
        elif timeout < 0:
            ready = self.poller.poll(-1)
        else:
            # epoll_wait takes an int of ms: a 2**31-1 ms timer must not overflow it
            # (the loop wakes after ~24.8 days and waits again).
            ms = math.ceil(timeout)
            ready = self.poller.poll(ms if ms < _MAX_POLL_MS else _MAX_POLL_MS)
        if not ready:
            return
        invalid = self._invalid_fds
        self._dispatching = True
        try:
            for fd, events in ready:
                if invalid and fd in invalid:
                    continue  # closed during this batch: the event was for the old fd
                w = watchers.get(fd)
                if w is None or not w.events:
                    continue
                try:
                    w.callback(events)
                except Exception as exc:
                    self.handle_uncaught(exc)
                    continue
                q = self.queues
                if q.ticks or q.micro or q.pending_unhandled or q.async_handled:
                    self.drain_scope()
        finally:
            self._dispatching = False
            if invalid:
                invalid.clear()

    def run_check(self) -> None:
        if self.immediates:
            process_immediates(self)

    def run_closing(self) -> None:
        if not self.closing:
            return
        # libuv pushes closing handles on the front of a list: they run newest first.
        batch = self.closing
        self.closing = []
        for cb, args in reversed(batch):
            self.make_callback(cb, *args)

    # -- running ------------------------------------------------------------------------

    def uv_run(self) -> None:
        """``uv_run(loop, UV_RUN_DEFAULT)``.

        The phase calls are guarded inline: this is the hottest loop in the
        runtime (one turn per immediate in a setImmediate chain).
        """
        alive: Any = self.alive()
        if alive and not self.stopping:
            self.update_time()
            self.run_timers()
        # The real clock's method is a thin wrapper: call the C function directly.
        now_ns = time.monotonic_ns if type(self.clock) is Clock else self.clock.now_ns
        watchers = self.watchers
        while alive and not self.stopping:
            if self.pending:
                self.run_pending()
            if self.immediate_refs > 0 or self.pending or self.closing:
                # Nothing to wait for. Skip the syscall when no fd but the
                # loop's own (wakeup, signal) fds is watched: nothing could be
                # ready that the next real poll would not deliver.
                if len(watchers) > self.internal_fds or self._wake_pending:
                    self.run_poll(0)
            else:
                self.run_poll(self.backend_timeout())
            if self.immediates:
                process_immediates(self)
            if self.closing:
                self.run_closing()
            due = self.uv_timer_due
            if due is not None or len(watchers) > self.internal_fds:
                # Refresh the cached clock (skipped only when nothing could read it:
                # no timer armed and no fd but the loop's own watched).
                self.now = now = now_ns() // 1_000_000
                if due is not None and due <= now:
                    self.run_timers()
            alive = (
                self.timer_refs > 0
                or self.immediate_refs > 0
                or self.handle_refs > 0
                or self.req_refs > 0
                or self.pending
                or self.closing
            )

    def spin(self) -> None:
        """Node's SpinEventLoop: run, emit 'beforeExit', run again while revived."""
        while True:
            self.uv_run()
            if self.stopping:
                return
            self.make_callback(process.emit, "beforeExit", process.exitCode or 0)
            if not self.alive():
                return

    def _after_fork(self) -> None:
        """libuv's ``uv_loop_fork``, run in a forked child for its thread's loop.

        After ``fork()`` the child shares the parent's epoll instance, wakeup
        eventfd and signal socket (same open file descriptions), and has none of
        its pool threads. Left so, the child's ``server.close()`` would remove the
        *parent's* listener from the shared epoll, and a post in the child would
        wake the parent. So the child gets: a new poller with every started
        watcher re-registered, a new wakeup fd, a new signal wakeup socket, and
        a fresh thread pool (queued work starts new workers; work running in the
        parent's workers does not complete in the child).
        """
        from . import _signals

        self._wake_lock = threading.Lock()
        self._wake_pending = False
        self._posted.clear()  # the posting threads are the parent's
        self._dispatching = False
        self._invalid_fds.clear()
        old_wake = self._wake_watcher
        if old_wake is not None:
            if self.watchers.get(old_wake.fd) is old_wake:
                del self.watchers[old_wake.fd]
            self._wake_watcher = None
            if self._wake_sock is None:
                os.close(self._wake_r)
            else:  # pragma: no cover - non-Linux
                for sock in self._wake_sock:
                    sock.close()
                self._wake_sock = None
            self._wake_r = self._wake_w = -1
        poller = self._poller
        if poller is not None:
            inner = getattr(poller, "inner", None)  # diagnostics/testing wrap the poller
            if inner is not None:
                inner.close()  # closes the child's fd only; the parent's epoll is intact
                poller.inner = make_poller()  # type: ignore[attr-defined]
            else:
                poller.close()
                self._poller = make_poller()
            fresh = self.poller
            for fd, w in self.watchers.items():
                if w.registered and w.events:
                    fresh.register(fd, w.events)
        self._ensure_wakeup()
        _signals.after_fork(self)
        pool = self._threadpool
        if pool is not None:
            pool._after_fork()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for hook in self._close_hooks:
            try:
                hook()
            except Exception:  # pragma: no cover - cleanup must not mask the result
                pass
        if self._threadpool is not None:
            self._threadpool.shutdown()
        if self._wake_watcher is not None:
            self._wake_watcher.close()
            with self._wake_lock:
                self._wake_w = -1
                if self._wake_sock is None:
                    os.close(self._wake_r)
                else:  # pragma: no cover
                    for s in self._wake_sock:
                        s.close()
                self._wake_r = -1
        if self._poller is not None:
            self._poller.close()


def _after_fork_in_child() -> None:
    """``os.register_at_fork(after_in_child=...)``: fresh loop state in the child."""
    process.pid = os.getpid()
    loop = state.loop
    if loop is not None and not loop.closed:
        loop._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# -- run ------------------------------------------------------------------------------------


# Python's default gen-0 threshold (700 allocations) makes a loop that holds many
# live handles (200k timers, a long promise chain) spend most of its time in
# collections that find nothing: every handle is a tracked object. V8 has a cheap
# young generation; the nearest CPython equivalent is to freeze what was alive
# before the run (imported modules: gc.freeze) and collect gen 0 less often.
# JSLOOP_GC=default keeps the interpreter's settings.
_GC_THRESHOLD = (50_000, 20, 100)


class _GCTuning:
    """The interpreter-wide GC settings ``run`` changes, shared by concurrent runs.

    GC thresholds and the permanent generation are process-wide while loops are
    per thread, so the tuning is reference-counted: the first run to start
    applies it, the last to finish undoes it — and undoes only what it did:

    * thresholds go back to the saved ones unless someone changed them since
      (then the new ones are theirs and stay);
    * ``gc.freeze()`` happens only when nothing is frozen yet (a user's freeze
      is never undone: ``gc.unfreeze`` cannot tell whose objects are whose), and
      ``gc.unfreeze()`` when the last run ends. A ``gc.freeze()`` the program
      itself makes *during* a run is merged with ours and undone with it:
      telling the two apart needs ``gc.get_freeze_count()``, which walks every
      frozen object (40 ms per run with a 600k-object heap, e.g. under pytest).
      Freeze after ``run`` returns (or before it starts) to keep a freeze.
    """

    __slots__ = ("froze", "lock", "saved", "users")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved: tuple[int, int, int] | None = None
        self.froze = False  # whether the first run froze (and the last must unfreeze)

    def acquire(self) -> bool:
        if os.environ.get("JSLOOP_GC", "").strip().lower() == "default":
            return False
        with self.lock:
            if self.users == 0:
                saved = gc.get_threshold()
                if saved[0] == 0:  # collection disabled by the user: leave it alone
                    return False
                self.saved = saved
                gc.set_threshold(*_GC_THRESHOLD)
                # (cheap when nothing is frozen: the count walks the frozen objects)
                self.froze = gc.get_freeze_count() == 0
                if self.froze:
                    gc.freeze()
            self.users += 1
            return True

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users:
                return
            if self.saved is not None and gc.get_threshold() == _GC_THRESHOLD:
                gc.set_threshold(*self.saved)
            self.saved = None
            if self.froze:
                gc.unfreeze()
            self.froze = False


_gc_tuning = _GCTuning()


def _quiet_second_sigint() -> Any:
    """While unwinding from a KeyboardInterrupt: SIGINT's default action (death
    by the signal, no traceback). Returns the handler to restore, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return None
    return signal.signal(signal.SIGINT, signal.SIG_DFL)


class RunResult:
    __slots__ = ("exit_code", "value")

    def __init__(self, value: Any, exit_code: int) -> None:
        self.value = value
        self.exit_code = exit_code


def _emit_exit(code: int) -> int:
    """Emit 'exit' once (Node's ``process._exiting`` guard); return the final code.

    The final code is ``process.exitCode`` as the listeners left it (a listener
    may set it), or the code of a ``process.exit()`` called inside one (which
    stops the remaining listeners, as in Node). A listener raising is an
    uncaught exception (code 1 unless an 'uncaughtException' listener takes it).
    """
    if process._exiting:
        return code
    process.exitCode = code
    process._exiting = True
    try:
        process.emit("exit", code)
    except ProcessExit as pexit:
        return pexit.code
    except Exception as exc:
        try:
            handle_uncaught(exc)
        except Fatal as fatal:
            return fatal.code
        except ProcessExit as pexit:
            return pexit.code
    return int(process.exitCode or 0)


def run_program(
    main: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    clock: Clock | None = None,
    unhandled_rejections: str | None = None,
) -> RunResult:
    """Run ``main(*args)`` as a script's top level, then the loop; never leaks the loop.

    Raises ``Fatal`` for an uncaught exception (after 'exit' listeners ran) and
    ``ProcessExit`` for ``process.exit``.
    """
    from ._aio_attach import on_run_start
    from .asyncfn import start
    from .promise import REJECTED, Promise

    if state.loop is not None and not state.loop.closed:
        # (a closed loop left installed means an interrupted cleanup: replace it)
        raise RuntimeError("jsloop.run() cannot be called while a jsloop loop runs in this thread")
    mode = unhandled_rejections or os.environ.get("JSLOOP_UNHANDLED_REJECTIONS") or "throw"
    if mode not in MODES:
        raise ValueError(f"unhandled_rejections must be one of {', '.join(MODES)}; got {mode!r}")
    loop = Loop(clock)
    gc_tuned = False
    quiet_sigint: Any = None
    state.loop = loop
    # Everything after installing the loop sits inside the try: an exception from
    # a signal handler (a test runner's timeout, Ctrl-C) must not leave this
    # thread with a loop installed and every later run refused.
    try:
        begin_run(loop)
        process.unhandled_rejections = mode
        gc_tuned = _gc_tuning.acquire()
        try:
            ensure_signal_wakeup(loop)  # Ctrl-C interrupts the poll at once
            on_run_start(loop)  # the asyncio face, if asyncio is (or gets) imported
            result: Any = None
            try:
                result = main(*args)
                if hasattr(result, "__await__") and hasattr(result, "send"):
                    result = start(result)
            except Exception as exc:
                loop.handle_uncaught(exc)
            loop.drain_scope()
            loop.spin()
            code = process.exitCode or 0
            if isinstance(result, Promise) and result._state == REJECTED and not code:
                code = 1
            return RunResult(result, _emit_exit(code))
        except Fatal as fatal:
            loop.stopping = True
            fatal.code = _emit_exit(fatal.code)
            raise
        except ProcessExit as pexit:
            loop.stopping = True
            pexit.code = _emit_exit(pexit.code)
            raise
        except KeyboardInterrupt:
            # Ctrl-C with no 'SIGINT' listener: Node dies of the signal at once,
            # without 'exit'. Unwind without waiting for anything; a second
            # Ctrl-C while the loop closes kills the process quietly.
            loop.stopping = True
            quiet_sigint = _quiet_second_sigint()
            raise
    finally:
        try:
            loop.close()
        finally:
            if quiet_sigint is not None:
                signal.signal(signal.SIGINT, quiet_sigint)
            state.loop = None
            loop.process_scope = None  # the run's listeners and exitCode go with it
            if gc_tuned:
                _gc_tuning.release()


def run(
    main: Callable[..., Any],
    *args: Any,
    clock: Clock | None = None,
    unhandled_rejections: str | None = None,
) -> Any:
    """Run ``main(*args)`` as a script's top level, then the loop until nothing is alive.

    Returns what ``main`` returned; for a Promise (or an ``async def`` /
    ``@asyncfn`` main) its fulfilled value, or raises its rejection reason. An
    uncaught exception in any callback ends the run and is raised here (after
    'exit' listeners ran with code 1) unless an 'uncaughtException' listener
    handles it. ``process.exit(code)`` raises ``SystemExit(code)``.

    ``process.exitCode``: when the run ends cleanly with a nonzero exit code
    (``process.exitCode`` as the 'exit' listeners left it, or 1 in the
    ``warn-with-error-code`` mode) ``run`` raises ``SystemExit(code)`` instead
    of returning, as ``node script.js`` would exit with it. A Python script
    that ends with ``jsloop.run(main)`` therefore exits with Node's code.
    """
    from .errors import RejectionError
    from .promise import FULFILLED, REJECTED, Promise

    try:
        outcome = run_program(
            main, args, clock=clock, unhandled_rejections=unhandled_rejections
        )
    except Fatal as fatal:
        raise fatal.exc.with_traceback(fatal.exc.__traceback__) from None
    except ProcessExit as pexit:
        raise SystemExit(pexit.code) from None
    value = outcome.value
    if outcome.exit_code and not (isinstance(value, Promise) and value._state == REJECTED):
        raise SystemExit(outcome.exit_code)
    if isinstance(value, Promise):
        if value._state == FULFILLED:
            return value._value
        if value._state == REJECTED:
            reason = value._value
            if isinstance(reason, BaseException):
                raise reason
            raise RejectionError(reason)
        raise RuntimeError("main's promise never settled (the loop ran dry first)")
    return value
