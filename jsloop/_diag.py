"""Diagnostics core: the instrumented loop that exists only while a diagnostic is on.

Owns: the process-wide diagnostic settings (``Settings``), the per-callback
record ``Task`` (a callable wrapper that remembers where and when a callback
was scheduled), ``DiagLoop`` (a ``Loop`` subclass that wraps every callback it
is handed), and the module-global patches that route timers, immediates,
nextTick, microtasks and promise rejections through ``Task``.

Why a subclass and patches instead of hooks in the core: everything switched
off must cost nothing (docs/diagnostics.md, "Cost"). With no diagnostic
enabled, none of this module is imported, ``jsloop._loop.Loop`` is the plain
class and ``timers.insert`` / ``_loop.process_immediates`` /
``promise.reject_promise`` are the original functions: the hot paths contain
not one extra test. ``install()`` swaps ``_loop.Loop`` for ``DiagLoop`` and the
functions for wrappers; ``uninstall()`` puts the originals back.

How callbacks are caught, queue by queue (each wraps at schedule time, so the
order of the queues is never touched):

* timers: ``timers.insert`` (called for every new, refreshed or re-armed
  Timeout) replaces ``_on_timeout`` by a ``Task``;
* immediates: ``DiagLoop.immediates`` is a property whose deque wraps
  ``_on_immediate`` on ``append``;
* nextTick / microtasks: the loop's ``TaskQueues.ticks`` / ``.micro`` deques
  are replaced by subclasses whose ``append`` wraps the callable;
* I/O, pending, close, posted and pool callbacks: ``DiagLoop`` overrides
  ``io_watch``, ``defer_pending``, ``defer_close``, ``make_callback`` and
  ``threadpool``.

A ``Task`` run sets ``LoopDiag.current`` (what the watchdog thread samples),
records a trace slice when tracing, checks the starvation guard for
nextTick/microtasks, and adds the async trace ("scheduled from" chain) to an
exception leaving it. Memory stays bounded: a task keeps its ancestors as a
tuple of at most ``CHAIN_DEPTH`` plain ``(kind, name, site)`` triples, never
the ancestor objects.

Imports: _loop, timers, promise, asyncfn, _threadpool, _runtime, process (and stdlib).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from types import CodeType, FrameType, MethodType
from typing import Any

import attrs

from . import _loop, promise, timers
from ._clock import Clock
from ._loop import Loop as BaseLoop
from ._poller import Poller, PollerProxy

# ``jsloop.asyncfn`` is the decorator (the package re-exports it); we need the module.
asyncfn = sys.modules[__package__ + ".asyncfn"]

Frame = tuple[str, int, str]  # (filename, lineno, function)
Site = tuple[Frame, ...]  # innermost first
Link = tuple[str, str, Site]  # (kind, name, site) of one ancestor

CHAIN_DEPTH = 8
_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_perf_ns = time.perf_counter_ns
_ids = itertools.count(1)
ASYNC_TRACE_HEADER = "jsloop async trace"

# Which trace track (thread id in the trace file) each kind of callback runs on.
TRACKS: dict[str, int] = {
    "loop": 1,
    "script": 2,
    "timers": 3,
    "pending": 4,
    "poll": 5,
    "check": 6,
    "close": 7,
    "nextTick": 8,
    "microtask": 9,
}
_KIND_TRACK = {
    "script": TRACKS["script"],
    "timer": TRACKS["timers"],
    "interval": TRACKS["timers"],
    "immediate": TRACKS["check"],
    "tick": TRACKS["nextTick"],
    "microtask": TRACKS["microtask"],
    "io": TRACKS["poll"],
    "pool": TRACKS["poll"],
    "pending": TRACKS["pending"],
    "close": TRACKS["close"],
}
_PHASE_TRACK = {
    "timers": TRACKS["timers"],
    "pending": TRACKS["pending"],
    "poll": TRACKS["poll"],
    "check": TRACKS["check"],
    "close": TRACKS["close"],
}
_MACRO = frozenset({"script", "timer", "interval", "immediate", "io", "pool", "pending", "close",
                    "callback"})


@attrs.define(eq=False)
class Settings:
    """What is switched on, process-wide (``diagnostics.enable`` edits this)."""

    watchdog_ms: float | None = None
    trace_path: str | None = None
    starvation_ms: float | None = None
    debug: bool = False  # full creation stacks + async tracebacks
    stack_depth: int = 1  # frames kept per scheduling site
    installed: bool = False

    @property
    def any_on(self) -> bool:
        return bool(
            self.watchdog_ms is not None
            or self.trace_path is not None
            or self.starvation_ms is not None
            or self.debug
        )


settings = Settings()
# Every live instrumented loop (the watchdog thread walks this).
live_loops: list[LoopDiag] = []
_live_lock = threading.Lock()


# -- sites ----------------------------------------------------------------------------


def capture_site(depth: int) -> Site:
    """The user frames that led here, innermost first, stopping at the running Task.

    jsloop's own frames and frozen importlib/runpy frames are skipped: a site
    names the line of the user's script that called setTimeout/then/...
    """
    f: FrameType | None = sys._getframe(2)
    out: list[Frame] = []
    while f is not None:
        code = f.f_code
        if code is _TASK_CALL_CODE:
            break
        name = code.co_filename
        if not name.startswith(_PKG_DIR) and not name.startswith("<frozen"):
            out.append((name, f.f_lineno, code.co_name))
            if len(out) >= depth:
                break
        f = f.f_back
    return tuple(out)


def callable_name(fn: Any) -> str:
    """A short human name for a callback: ``tick``, ``Server._on_read``, ``<lambda>@x.py:3``."""
    if isinstance(fn, Task):
        return fn.name()
    if isinstance(fn, MethodType):
        owner = fn.__self__
        if isinstance(owner, asyncfn._Driver):
            coro = owner.coro
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            qual = code.co_qualname if isinstance(code, CodeType) else type(coro).__name__
            return f"async {qual}"
    if fn is promise.resolve_promise:
        return "sleep()"
    qual = getattr(fn, "__qualname__", None) or type(fn).__name__
    qual = str(qual).rsplit("<locals>.", 1)[-1]  # a nested function's own name
    code = getattr(fn, "__code__", None)
    if isinstance(code, CodeType) and "<lambda>" in qual:
        return f"{qual}@{os.path.basename(code.co_filename)}:{code.co_firstlineno}"
    return str(qual)


def _await_site(reaction: tuple[Any, ...]) -> Site:
    """For an ``await`` resumption job: the line of the suspended ``await``."""
    handler = reaction[1] if len(reaction) > 1 else None
    owner = getattr(handler, "__self__", None)
    if isinstance(owner, asyncfn._Driver):
        frame = getattr(owner.coro, "cr_frame", None)
        if frame is not None:
            return ((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name),)
    return ()


def defined_at(fn: Any) -> Frame | None:
    """Where a callback's function was defined (free: read off its code object)."""
    if isinstance(fn, Task):
        fn = fn.fn
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if isinstance(code, CodeType):
        return (code.co_filename, code.co_firstlineno, code.co_name)
    return None


# -- per-loop state -------------------------------------------------------------------


class LoopDiag:
    """The diagnostic state of one instrumented loop (touched by its thread only,
    except ``current``/``started_ns``, which the watchdog thread reads)."""

    __slots__ = (
        "current",
        "drain_start",
        "handle_sites",
        "loop",
        "phase",
        "pool_pending",
        "reported",
        "reported_start",
        "started_ns",
        "starve_warned",
        "thread_id",
        "trace",
    )

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self.thread_id = threading.get_ident()
        self.current: Task | None = None
        self.started_ns = 0
        self.phase = ""
        self.reported: Task | None = None
        self.reported_start = 0
        self.drain_start = 0
        self.starve_warned = False
        self.pool_pending: dict[int, Task] = {}
        self.handle_sites: list[Site] = []
        self.trace: Any = None  # _trace.TraceBuffer when tracing


class Task:
    """A scheduled callback, wrapped: calling it runs the callback with bookkeeping."""

    __slots__ = ("_link", "arg", "chain", "fn", "id", "kind", "ld", "sched_tid", "sched_ts",
                 "site")

    def __init__(self, ld: LoopDiag, kind: str, fn: Callable[..., Any], arg: Any = None) -> None:
        self.ld = ld
        self.kind = kind
        self.fn = fn
        self.arg = arg
        self.id = next(_ids)
        self.site: Site = capture_site(settings.stack_depth)
        parent = ld.current
        if parent is not None:
            self.chain: tuple[Link, ...] = (parent.link(), *parent.chain[: CHAIN_DEPTH - 1])
            self.sched_tid = parent.track()
        else:
            self.chain = ()
            self.sched_tid = TRACKS["loop"]
        self.sched_ts = _perf_ns()
        self._link: Link | None = None
        if kind == "microtask" and not self.site and isinstance(arg, tuple):
            self.site = _await_site(arg)

    def link(self) -> Link:
        link = self._link
        if link is None:
            link = self._link = (self.kind, self.name(), self.site[:1])
        return link

    def track(self) -> int:
        tid = _KIND_TRACK.get(self.kind)
        if tid is None:
            tid = _PHASE_TRACK.get(self.ld.phase, TRACKS["script"])
        return tid

    def name(self) -> str:
        """What ran: the callback's name, or for a promise job the handler it calls."""
        fn = self.fn
        kind = self.kind
        if kind == "pool" or (kind == "script" and self.arg):
            return str(self.arg)
        if kind == "callback" and getattr(fn, "__name__", "") == "emit" and self.arg:
            return f"emit({self.arg!r})"
        if self.kind == "microtask":
            a = self.arg
            if fn is promise.reaction_job and isinstance(a, tuple):
                handler = a[1] if a[1] is not None else a[2]
                if handler is None:
                    return "promise adoption"
                return callable_name(handler)
            if fn is promise.new_promise_resolve_thenable_job:
                return "resolve thenable"
            if callable(a):
                return callable_name(a)
        return callable_name(fn)

    def describe(self) -> str:
        """``timer callback `tick` (100 ms)`` -- for messages."""
        extra = f" ({self.arg:g} ms)" if self.kind in ("timer", "interval") else ""
        return f"{KIND_WORDS.get(self.kind, self.kind)} `{self.name()}`{extra}"

    def __call__(self, *args: Any) -> Any:
        ld = self.ld
        prev = ld.current
        prev_start = ld.started_ns
        ld.current = self
        t0 = ld.started_ns = _perf_ns()
        kind = self.kind
        if settings.starvation_ms is not None and (kind == "tick" or kind == "microtask"):
            _check_starvation(ld, self, t0)
        try:
            return self.fn(*args)
        except BaseException as exc:
            if settings.debug and not isinstance(exc, (SystemExit, KeyboardInterrupt)):
                annotate(exc, self)
            raise
        finally:
            t1 = _perf_ns()
            ld.current = prev
            ld.started_ns = prev_start
            if ld.reported is self and ld.reported_start == t0:
                ld.reported = None
                _report_done(self, t1 - t0)
            if ld.trace is not None:
                ld.trace.add_slice(self, t0, t1, args)
            if kind in _MACRO and prev is None:
                ld.drain_start = 0
                ld.starve_warned = False
            if kind == "interval":
                self.sched_ts = t1
                self.sched_tid = TRACKS["timers"]


_TASK_CALL_CODE = Task.__call__.__code__

KIND_WORDS = {
    "script": "script",
    "timer": "timer callback",
    "interval": "interval callback",
    "immediate": "immediate",
    "tick": "nextTick callback",
    "microtask": "promise job",
    "io": "I/O callback",
    "pool": "thread-pool completion",
    "pending": "pending callback",
    "close": "close callback",
    "callback": "callback",
}


def format_site(site: Site, indent: str = "    ") -> str:
    import linecache

    lines = []
    for filename, lineno, func in site:
        lines.append(f'{indent}File "{filename}", line {lineno}, in {func}')
        src = linecache.getline(filename, lineno).strip()
        if src:
            lines.append(f"{indent}  {src}")
    return "\n".join(lines)


def format_chain(task: Task, depth: int = CHAIN_DEPTH) -> str:
    """The "scheduled from" chain of ``task``, innermost first, bounded."""
    links = [task.link(), *task.chain][:depth]
    lines = []
    for kind, name, site in links:
        where = ""
        if site:
            filename, lineno, func = site[0]
            verb = "awaiting" if name.startswith("async ") else "scheduled"
            where = f" {verb} at {filename}:{lineno} in {func}"
        elif kind != "script":
            where = " scheduled by jsloop internals"
        lines.append(f"  {KIND_WORDS.get(kind, kind)} `{name}`{where}")
    if len(task.chain) >= CHAIN_DEPTH - 1 and len(links) == depth:
        lines.append("  ... (older links dropped)")
    return "\n".join(lines)


def annotate(exc: BaseException, task: Task) -> None:
    """Add the async trace of ``task`` as a note under the exception's traceback (once)."""
    if task.kind == "script" and not task.chain:
        return
    notes = getattr(exc, "__notes__", None)
    if notes and any(str(n).startswith(ASYNC_TRACE_HEADER) for n in notes):
        return
    try:
        exc.add_note(
            f"{ASYNC_TRACE_HEADER} (where each callback was scheduled, most recent first):\n"
            + format_chain(task)
        )
    except Exception:  # pragma: no cover - exotic exception types
        pass


def _report_done(task: Task, ns: int) -> None:
    sys.stderr.write(
        f"jsloop watchdog: {task.describe()} finally returned after {ns / 1e6:.1f} ms\n"
    )
    sys.stderr.flush()


def _check_starvation(ld: LoopDiag, task: Task, t0: int) -> None:
    if ld.drain_start == 0:
        ld.drain_start = t0
        return
    limit = settings.starvation_ms
    if ld.starve_warned or limit is None or (t0 - ld.drain_start) < limit * 1e6:
        return
    ld.starve_warned = True
    from .process import process

    site = task.site[0] if task.site else None
    where = f" (latest: {task.describe()} queued at {site[0]}:{site[1]})" if site else ""
    process.emitWarning(
        f"nextTick/microtask queues have kept the loop from reaching the poll phase for "
        f"{(t0 - ld.drain_start) / 1e6:.0f} ms{where}",
        "StarvationWarning",
    )


# -- queues whose append wraps ---------------------------------------------------------


def _loop_diag(loop: Any) -> LoopDiag:
    return loop._diag  # type: ignore[no-any-return]


class _ImmQueue(deque[Any]):
    __slots__ = ("loop",)

    def __init__(self, loop: Any, items: Iterable[Any] = ()) -> None:
        super().__init__()
        self.loop = loop
        for item in items:
            self.append(item)

    def append(self, imm: Any) -> None:
        cb = imm._on_immediate
        if cb is not None and type(cb) is not Task:
            imm._on_immediate = Task(self.loop._diag, "immediate", cb)
        deque.append(self, imm)


class _WrappingQueue(deque[Any]):
    """A queue that wraps each callback in a diagnostics Task as it is appended."""

    __slots__ = ("ld",)

    def __init__(self, ld: LoopDiag, items: Iterable[Any] = ()) -> None:
        super().__init__()
        self.ld = ld
        for item in items:
            self.append(item)


class _TickQueue(_WrappingQueue):
    __slots__ = ()

    def append(self, entry: Any) -> None:
        cb, args, ctx = entry
        if type(cb) is not Task:
            cb = Task(self.ld, "tick", cb)
        deque.append(self, (cb, args, ctx))


class _MicroQueue(_WrappingQueue):
    __slots__ = ()

    def append(self, entry: Any) -> None:
        fn, a, b = entry
        if type(fn) is not Task:
            fn = Task(self.ld, "microtask", fn, a)
        deque.append(self, (fn, a, b))


class _TimedPoller(PollerProxy):
    """A poller proxy that measures the time spent waiting (idle time, for ELU and traces)."""

    __slots__ = ("idle_ns",)

    def __init__(self, loop: Any, inner: Poller) -> None:
        super().__init__(loop, inner)
        self.idle_ns = 0

    def poll(self, timeout_ms: Any) -> list[tuple[int, int]]:
        if timeout_ms == 0:
            return self.inner.poll(0)
        t0 = _perf_ns()
        try:
            return self.inner.poll(timeout_ms)
        finally:
            t1 = _perf_ns()
            self.idle_ns += t1 - t0
            ld = getattr(self.loop, "_diag", None)
            if ld is not None and ld.trace is not None:
                ld.trace.add_phase("idle", t0, t1)


def timed_poller(loop: Any) -> _TimedPoller:
    """Install (once) and return the idle-measuring poller proxy of ``loop``."""
    p = loop._poller
    if isinstance(p, _TimedPoller):
        return p
    from ._poller import make_poller

    proxy = _TimedPoller(loop, p if p is not None else make_poller())
    loop._poller = proxy
    return proxy


# -- the instrumented loop --------------------------------------------------------------

class DiagLoop(BaseLoop):
    """``Loop`` with every callback wrapped in a ``Task``; used only while diagnostics are on."""

    _diag: LoopDiag

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__(clock)
        instrument(self)

    # immediates: a property so process_immediates' ``loop.immediates = deque()`` is caught
    @property
    def immediates(self) -> Any:
        return self._imm

    @immediates.setter
    def immediates(self, value: Any) -> None:
        self._imm = value if isinstance(value, _ImmQueue) else _ImmQueue(self, value)

    def io_watch(self, fd: int, callback: Callable[[int], Any]) -> Any:
        return super().io_watch(fd, Task(self._diag, "io", callback))

    def defer_pending(self, cb: Callable[..., Any], *args: Any) -> None:
        super().defer_pending(Task(self._diag, "pending", cb), *args)

    def defer_close(self, cb: Callable[..., Any], *args: Any) -> None:
        super().defer_close(Task(self._diag, "close", cb), *args)

    def make_callback(self, cb: Callable[..., Any], *args: Any) -> None:
        if type(cb) is not Task and cb is not _pool_complete():
            # Wrapped as it runs (beforeExit, posted callbacks): no scheduling site, no flow.
            cb = Task(self._diag, "callback", cb, args[0] if args else None)
            cb.sched_ts = 0
        super().make_callback(cb, *args)

    def ref_handle(self) -> None:
        if settings.debug:
            self._diag.handle_sites.append(capture_site(settings.stack_depth))
        super().ref_handle()

    def unref_handle(self) -> None:
        if self._diag.handle_sites:
            self._diag.handle_sites.pop()
        super().unref_handle()

    @property
    def threadpool(self) -> Any:
        pool = self._threadpool
        if pool is None:
            pool = self._threadpool = _traced_pool_class()(self)
        return pool

    # phases: remember which one runs (labels, trace) and draw it in the trace
    def run_timers(self) -> None:
        self._phase("timers", super().run_timers)

    def run_pending(self) -> None:
        self._phase("pending", super().run_pending)

    def run_poll(self, timeout: float) -> None:
        self._phase("poll", super().run_poll, timeout)

    def run_closing(self) -> None:
        self._phase("close", super().run_closing)

    def _phase(self, name: str, fn: Callable[..., None], *args: Any) -> None:
        ld = self._diag
        prev = ld.phase
        ld.phase = name
        t0 = _perf_ns()
        try:
            fn(*args)
        finally:
            ld.phase = prev
            if ld.trace is not None:
                ld.trace.add_phase(name, t0, _perf_ns())


def instrument(loop: Any) -> LoopDiag:
    """Make ``loop`` (new or already running) a DiagLoop and wrap what it already holds."""
    ld: LoopDiag | None = getattr(loop, "_diag", None)
    if ld is not None:
        return ld
    if type(loop) is BaseLoop:
        pending_imm = loop.__dict__.pop("immediates", deque())
        loop.__class__ = DiagLoop
    else:
        pending_imm = loop.__dict__.pop("immediates", None) or loop.__dict__.get("_imm", deque())
    ld = loop._diag = LoopDiag(loop)
    loop.immediates = _ImmQueue(loop, pending_imm)
    q = loop.queues
    q.ticks = _TickQueue(ld, q.ticks)
    q.micro = _MicroQueue(ld, q.micro)
    for lst in list(loop.timer_lists.values()):
        t = lst._next
        while t is not lst:
            _wrap_timer(ld, t)
            t = t._next
    for w in loop.watchers.values():
        if w is not loop._wake_watcher and type(w.callback) is not Task:
            w.callback = Task(ld, "io", w.callback)
    if settings.trace_path is not None:
        from ._trace import TraceBuffer

        ld.trace = TraceBuffer(settings.trace_path)
        timed_poller(loop)
        loop.on_close(lambda: ld.trace.write() if ld.trace is not None else None)
    with _live_lock:
        live_loops.append(ld)
    loop.on_close(lambda: _forget(ld))
    return ld


def _forget(ld: LoopDiag) -> None:
    with _live_lock:
        if ld in live_loops:
            live_loops.remove(ld)


def _wrap_timer(ld: LoopDiag, item: Any) -> None:
    cb = item._on_timeout
    if cb is not None and type(cb) is not Task:
        kind = "interval" if item._repeat is not None else "timer"
        item._on_timeout = Task(ld, kind, cb, item._idle_timeout)


def _pool_complete() -> Any:
    from . import _threadpool

    return _threadpool._complete


_TRACED_POOL: list[type[Any]] = []


def _traced_pool_class() -> type[Any]:
    if _TRACED_POOL:
        return _TRACED_POOL[0]
    from ._threadpool import ThreadPool

    class TracedPool(ThreadPool):
        """The loop's pool, remembering each pending request (for ``activeHandles``)."""

        __slots__ = ()

        def queue_work(
            self, fn: Callable[..., Any], args: tuple[Any, ...], done: Any, slow: bool = False
        ) -> Any:
            ld: LoopDiag = self._loop._diag
            pool_done = _PoolDone(ld, done)
            task = Task(ld, "pool", pool_done, callable_name(fn))
            pool_done.task_id = task.id
            ld.pool_pending[task.id] = task
            try:
                return super().queue_work(fn, args, task, slow)
            except BaseException:
                ld.pool_pending.pop(task.id, None)
                raise

    _TRACED_POOL.append(TracedPool)
    return TracedPool


class _PoolDone:
    __slots__ = ("done", "ld", "task_id")

    def __init__(self, ld: LoopDiag, done: Any) -> None:
        self.ld = ld
        self.done = done
        self.task_id = 0

    def __call__(self, result: Any, error: BaseException | None) -> Any:
        self.ld.pool_pending.pop(self.task_id, None)
        return self.done(result, error)


# -- module-global patches ---------------------------------------------------------------

_orig: dict[str, Any] = {}


def _traced_insert(loop: Any, item: Any, msecs: float, start: int) -> None:
    ld = getattr(loop, "_diag", None)
    if ld is not None:
        _wrap_timer(ld, item)
    _orig["insert"](loop, item, msecs, start)


def _traced_process_immediates(loop: Any) -> None:
    ld: LoopDiag | None = getattr(loop, "_diag", None)
    if ld is None:
        _orig["process_immediates"](loop)
        return
    prev = ld.phase
    ld.phase = "check"
    t0 = _perf_ns()
    try:
        _orig["process_immediates"](loop)
    finally:
        ld.phase = prev
        if ld.trace is not None:
            ld.trace.add_phase("check", t0, _perf_ns())


def _traced_reject_promise(p: Any, reason: Any) -> None:
    # Async tracebacks for rejections: the exception gets the chain of the job
    # that rejected it (the origin; later hops see the note and skip).
    if settings.debug and isinstance(reason, BaseException) and p._state == promise.PENDING:
        from ._runtime import state

        ld = getattr(state.loop, "_diag", None)
        if ld is not None and ld.current is not None:
            annotate(reason, ld.current)
    _orig["reject_promise"](p, reason)


def _traced_run_program(main: Callable[..., Any], args: tuple[Any, ...], **kw: Any) -> Any:
    def script(*a: Any) -> Any:
        from ._runtime import state

        ld: LoopDiag | None = getattr(state.loop, "_diag", None)
        if ld is None:
            return main(*a)
        task = Task(ld, "script", main)
        task.site = ()
        if getattr(main, "__module__", "") == "jsloop.cli":
            task.arg = os.path.basename(sys.argv[0])  # the script the CLI runs
        return task(*a)

    return _orig["run_program"](script, args, **kw)


_PATCHES: tuple[tuple[Any, str, Callable[..., Any]], ...] = (
    (timers, "insert", _traced_insert),
    (_loop, "process_immediates", _traced_process_immediates),
    (promise, "reject_promise", _traced_reject_promise),
    (asyncfn, "reject_promise", _traced_reject_promise),
    (_loop, "run_program", _traced_run_program),
)


def install() -> None:
    """Swap the instrumented loop and functions in (idempotent)."""
    if settings.installed:
        return
    for module, name, replacement in _PATCHES:
        key = name if module is not asyncfn else "asyncfn." + name
        _orig[key] = getattr(module, name)
        setattr(module, name, replacement)
    _loop.Loop = DiagLoop  # type: ignore[misc]
    settings.installed = True
    from ._runtime import state

    if state.loop is not None:
        instrument(state.loop)


def uninstall() -> None:
    """Put the original loop class and functions back; running loops stay instrumented."""
    if not settings.installed:
        return
    for module, name, _replacement in _PATCHES:
        key = name if module is not asyncfn else "asyncfn." + name
        setattr(module, name, _orig.pop(key))
    _loop.Loop = BaseLoop  # type: ignore[misc]
    settings.installed = False
