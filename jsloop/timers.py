"""Timers and immediates, as Node's lib/internal/timers.js files them.

Owns: Timeout and Immediate handles, the per-duration timer lists and their
priority queue, ``processTimers``/``listOnTimeout`` (run by the loop's timers
phase), the immediate queue (run by the check phase), refs, and ``sleep``.

Why lists by duration and not one heap of timers: Node keeps one linked list
per distinct (truncated) duration, in insertion order, and a priority queue of
lists keyed by ``(expiry, id)``. A walk only looks at a list's head, so a due
timer can wait behind a not-yet-due one of the same list (docs/ordering.md §3.2).
A per-timer heap would order some programs differently from Node.

Clock: the loop clock is Node's cached whole-millisecond clock (``loop.now``).
A timer's start is Node's ``getLibuvNow()``: the loop clock refreshed and
floored when the timer is created (``loop.timer_start``), so, as in Node, a
timer can fire up to 1 ms before ``ms`` have really passed since the call, an
interval keeps its period, and a ``setTimeout(0)`` queued a millisecond before
the loop starts runs before a top-level ``setImmediate``. The opt-in
``JSLOOP_TIMERS=never-early`` takes the start rounded *up* instead (a timer then
never fires early; it is a deviation from Node's order).

The single libuv timer Node drives is modelled too (``loop.uv_timer_due``):
it is what makes a 0 ms timer created in the trailing drain of a walk run
before the check phase when the clock moved (docs/ordering.md §3.2, quirk).

Imports: _runtime, _compat, errors, promise.
"""

from __future__ import annotations

import contextvars
import math
import warnings
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from ._queues import run_queued_microtask
from ._runtime import get_loop, state
from .errors import ensure_callable
from .promise import Promise, resolve_promise

TIMEOUT_MAX = 2**31 - 1

_copy_context = contextvars.copy_context


class TimeoutOverflowWarning(RuntimeWarning):
    """Node's warning for a delay that does not fit in a 32-bit signed integer."""


def _to_number(value: Any) -> float:
    """JavaScript's ``Number(x)`` for the values a delay may be."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return 0.0
        try:
            return float(s)
        except ValueError:
            try:
                return float(int(s, 0))
            except ValueError:
                return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def coerce_delay(ms: Any) -> float:
    """Node's delay coercion: anything outside [1, 2**31-1] (or NaN) becomes 1."""
    t = type(ms)
    if (t is int or t is float) and 1 <= ms <= TIMEOUT_MAX:
        return ms  # type: ignore[no-any-return]
    after = _to_number(ms)
    if not (1 <= after <= TIMEOUT_MAX):
        if after > TIMEOUT_MAX:
            warnings.warn(
                f"{ms} does not fit into a 32-bit signed integer.\n"
                "Timeout duration was set to 1.",
                TimeoutOverflowWarning,
                stacklevel=3,
            )
        after = 1
    return after


class TimerList:
    """One list per duration: a circular doubly-linked list with itself as sentinel."""

    __slots__ = ("_next", "_prev", "expiry", "id", "msecs")

    def __init__(self, msecs: int, expiry: int, list_id: int) -> None:
        self.msecs = msecs
        self.expiry = expiry
        self.id = list_id
        self._next: Any = self
        self._prev: Any = self


def _append(lst: TimerList, item: Timeout) -> None:
    if item._next is not None:
        _remove(item)
    tail = lst._prev
    item._prev = tail
    item._next = lst
    tail._next = item
    lst._prev = item


def _remove(item: Timeout) -> None:
    nxt = item._next
    if nxt is None:
        return
    prv = item._prev
    prv._next = nxt
    nxt._prev = prv
    item._next = None
    item._prev = None


class Timeout:
    """Node's Timeout: what ``setTimeout``/``setInterval`` return."""

    __slots__ = (
        "__weakref__",
        "_args",
        "_ctx",
        "_destroyed",
        "_idle_start",
        "_idle_timeout",
        "_loop",
        "_next",
        "_on_timeout",
        "_prev",
        "_refed",
        "_repeat",
    )

    def __init__(
        self,
        loop: Any,
        callback: Callable[..., Any],
        after: float,
        args: tuple[Any, ...],
        repeat: bool,
        refed: bool,
    ) -> None:
        self._loop = loop
        self._on_timeout: Callable[..., Any] | None = callback
        self._idle_timeout: float = after
        self._args = args
        self._repeat: float | None = after if repeat else None
        self._idle_start = 0
        self._destroyed = False
        self._refed: bool | None = refed
        self._ctx = _copy_context()
        self._next: Any = None
        self._prev: Any = None
        if refed:
            loop.timer_refs += 1
        insert(loop, self, after, loop.timer_start())

    def ref(self) -> Timeout:
        if not self._refed:
            self._refed = True
            if not self._destroyed:
                self._loop.timer_refs += 1
        return self

    def unref(self) -> Timeout:
        if self._refed:
            self._refed = False
            if not self._destroyed:
                self._loop.timer_refs -= 1
        return self

    def hasRef(self) -> bool:
        return bool(self._refed)

    def refresh(self) -> Timeout:
        """Re-file the timer at the end of its list with start = now; re-arms a fired one."""
        loop = self._loop
        if self._idle_timeout < 0:
            return self
        refed = bool(self._refed)
        insert(loop, self, self._idle_timeout, loop.timer_start())
        if self._destroyed:
            self._destroyed = False
            if refed:
                loop.timer_refs += 1
        self._refed = refed
        return self

    def close(self) -> Timeout:
        clearTimeout(self)
        return self

    def __enter__(self) -> Timeout:
        return self

    def __exit__(self, *exc: object) -> None:
        clearTimeout(self)

    def __repr__(self) -> str:
        kind = "Interval" if self._repeat is not None else "Timeout"
        state_ = "cleared" if self._idle_timeout < 0 else ("fired" if self._destroyed else "armed")
        return f"<{kind} {self._idle_timeout}ms {state_}{'' if self._refed else ' unref'}>"


def insert(loop: Any, item: Timeout, msecs: float, start: int) -> None:
    """Node's ``insert``: file ``item`` in the list for ``trunc(msecs)``."""
    key = int(msecs)
    item._idle_start = start
    lists = loop.timer_lists
    lst = lists.get(key)
    if lst is None:
        expiry = start + key
        loop.list_id += 1
        lst = TimerList(key, expiry, loop.list_id)
        lists[key] = lst
        heappush(loop.timer_queue, (expiry, lst.id, lst))
        if loop.next_expiry > expiry:
            loop.schedule_timer(expiry)
            loop.next_expiry = expiry
    _append(lst, item)


def unenroll(item: Timeout) -> None:
    if item._destroyed:
        return
    loop = item._loop
    item._destroyed = True
    if item._refed:
        loop.timer_refs -= 1
    # ``_refed`` stays: Node's ``hasRef()`` on a cleared timer still says true.
    _remove(item)
    key = int(item._idle_timeout)
    lst = loop.timer_lists.get(key)
    if lst is not None and lst._next is lst:
        del loop.timer_lists[key]
        lst.id = -1  # its heap entry is now stale
    item._idle_timeout = -1


def _peek_list(loop: Any) -> TimerList | None:
    """The first live list of the priority queue (stale entries are dropped lazily)."""
    queue = loop.timer_queue
    lists = loop.timer_lists
    while queue:
        _expiry, list_id, lst = queue[0]
        if lst.id == list_id and lists.get(lst.msecs) is lst:
            return lst  # type: ignore[no-any-return]
        heappop(queue)
    return None


def _requeue(loop: Any, lst: TimerList) -> None:
    loop.list_id += 1
    lst.id = loop.list_id
    heappush(loop.timer_queue, (lst.expiry, lst.id, lst))


def process_timers(loop: Any, now: int) -> int:
    """Node's ``processTimers(now)``: returns the next expiry (negative if unref'd), 0 if none."""
    loop.next_expiry = math.inf
    ran_list = False
    while True:
        lst = _peek_list(loop)
        if lst is None:
            return 0
        if lst.expiry > now:
            loop.next_expiry = lst.expiry
            return lst.expiry if loop.timer_refs > 0 else -lst.expiry
        if ran_list:
            _run_next_ticks(loop)
        else:
            ran_list = True
        _list_on_timeout(loop, lst, now)


def _list_on_timeout(loop: Any, lst: TimerList, now: int) -> None:
    msecs = lst.msecs
    ran_timer = False
    while True:
        timer = lst._next
        if timer is lst:
            break
        if now - timer._idle_start < msecs:
            lst.expiry = max(timer._idle_start + msecs, now + 1)
            _requeue(loop, lst)
            return
        if ran_timer:
            _run_next_ticks(loop)
        else:
            ran_timer = True
        _remove(timer)
        callback = timer._on_timeout
        if callback is None:
            if not timer._destroyed:
                timer._destroyed = True
                if timer._refed:
                    loop.timer_refs -= 1
            continue
        start = loop.timer_start() if timer._repeat is not None else 0
        try:
            timer._ctx.run(callback, *timer._args)
        finally:
            if timer._repeat is not None and timer._idle_timeout != -1:
                timer._idle_timeout = timer._repeat
                insert(loop, timer, timer._idle_timeout, start)
            elif timer._next is None and not timer._destroyed:
                timer._destroyed = True
                if timer._refed:
                    loop.timer_refs -= 1
    # The list is empty: drop it (unless a new list for this duration replaced it).
    if loop.timer_lists.get(msecs) is lst:
        del loop.timer_lists[msecs]
        lst.id = -1


# -- immediates -------------------------------------------------------------------------


class Immediate:
    """Node's Immediate: what ``setImmediate`` returns."""

    # ``_refed``: True/False while queued (ref'd or not), None once run or cleared
    # (Node's kRefed = null): one field instead of a separate "destroyed" flag,
    # one store less per immediate on the hottest path.
    __slots__ = ("__weakref__", "_args", "_ctx", "_loop", "_on_immediate", "_refed")

    def __init__(self, loop: Any, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._loop = loop
        self._on_immediate: Callable[..., Any] | None = callback
        self._args = args
        self._ctx = _copy_context()
        self._refed: bool | None = True
        loop.immediate_refs += 1
        loop.immediates.append(self)

    @property
    def _destroyed(self) -> bool:
        """Run or cleared."""
        return self._refed is None

    def ref(self) -> Immediate:
        if self._refed is False:
            self._refed = True
            self._loop.immediate_refs += 1
        return self

    def unref(self) -> Immediate:
        if self._refed:
            self._refed = False
            self._loop.immediate_refs -= 1
        return self

    def hasRef(self) -> bool:
        return bool(self._refed)

    def __enter__(self) -> Immediate:
        return self

    def __exit__(self, *exc: object) -> None:
        _clear_immediate(self)

    def __repr__(self) -> str:
        return f"<Immediate {'done' if self._destroyed else 'queued'}>"


def _clear_immediate(imm: Immediate) -> None:
    refed = imm._refed
    if refed is None:
        return
    if refed:
        imm._loop.immediate_refs -= 1
    imm._refed = None
    imm._on_immediate = None


def _run_next_ticks(loop: Any) -> None:
    """Node's ``runNextTicks`` between two callbacks of a walk: a throwing tick
    propagates, ending the walk the way a throwing callback does."""
    q = loop.queues
    if q.ticks or q.micro or q.pending_unhandled or q.async_handled:
        q.drain()


def process_immediates(loop: Any) -> None:
    """The check phase: Node's CheckImmediate calling ``processImmediate``.

    Runs the queue as it was when the phase began; immediates queued meanwhile
    wait for the next turn. When a callback (or the drain before the next one)
    throws and a listener handles it, Node calls ``processImmediate`` again: it
    goes on with the rest of the batch without a drain first, and if the batch
    was used up it takes the immediates queued meanwhile as a new batch.
    """
    queue = loop.immediates
    q = loop.queues
    n = len(queue)  # the batch: later entries were queued during this phase
    ran = False
    while True:
        try:
            while n:
                if ran and (q.ticks or q.micro or q.pending_unhandled or q.async_handled):
                    q.drain()
                imm = queue.popleft()
                n -= 1
                refed = imm._refed
                if refed is None:
                    continue  # cleared
                ran = True
                if refed:
                    loop.immediate_refs -= 1
                imm._refed = None
                callback = imm._on_immediate
                imm._on_immediate = None
                if imm._args:
                    imm._ctx.run(callback, *imm._args)
                else:
                    imm._ctx.run(callback)
            break
        except Exception as exc:
            loop.handle_uncaught(exc)
            ran = False
            if n == 0:
                n = len(queue)
                if n == 0:
                    break
    if q.ticks or q.micro or q.pending_unhandled or q.async_handled:
        loop.drain_scope()


# -- public API -------------------------------------------------------------------------


def setTimeout(callback: Callable[..., Any], ms: Any = 0, *args: Any) -> Timeout:
    """Node's ``setTimeout``: delays outside [1, 2**31-1] (and NaN) become 1 ms."""
    if not callable(callback):
        ensure_callable(callback)
    loop = state.loop
    if loop is None:
        get_loop()
    return Timeout(loop, callback, coerce_delay(ms), args, False, True)


def setInterval(callback: Callable[..., Any], ms: Any = 0, *args: Any) -> Timeout:
    """Node's ``setInterval``; the next run is timed from just before the callback ran."""
    ensure_callable(callback)
    return Timeout(get_loop(), callback, coerce_delay(ms), args, True, True)


def clearTimeout(timer: Any = None) -> None:
    """Node's ``clearTimeout`` (also clears intervals); ``None`` or no argument is ignored."""
    if isinstance(timer, Timeout) and timer._on_timeout is not None:
        timer._on_timeout = None
        unenroll(timer)


clearInterval = clearTimeout


def setImmediate(callback: Callable[..., Any], *args: Any) -> Immediate:
    """Node's ``setImmediate``: runs in the check phase of the loop."""
    if not callable(callback):
        ensure_callable(callback)
    loop = state.loop
    if loop is None:
        get_loop()
    # Immediate.__init__ inlined: one Python frame less on the hottest path.
    imm = _new_immediate(Immediate)
    imm._loop = loop
    imm._on_immediate = callback
    imm._args = args
    imm._ctx = _copy_context()
    imm._refed = True
    loop.immediate_refs += 1
    loop.immediates.append(imm)
    return imm


_new_immediate = object.__new__


def clearImmediate(immediate: Any = None) -> None:
    """Node's ``clearImmediate``; ``None`` or no argument is ignored."""
    if isinstance(immediate, Immediate):
        _clear_immediate(immediate)


def sleep(ms: Any = 1, value: Any = None, *, ref: bool = True, signal: Any = None) -> Promise[Any]:
    """``timers/promises.setTimeout(ms, value)``: a plain timer that resolves a promise.

    With ``signal`` it is ``jsloop.timers_promises.setTimeout(ms, value, {signal, ref})``
    (abort rejects with AbortError, Node's tick count).
    """
    if signal is not None:
        from .timers_promises import setTimeout as set_timeout_promise

        return set_timeout_promise(ms, value, signal=signal, ref=ref)
    loop = get_loop()
    promise: Promise[Any] = Promise._new()
    Timeout(loop, resolve_promise, coerce_delay(ms), (promise, value), False, ref)
    return promise


def queueMicrotask(callback: Callable[[], Any]) -> None:
    """``queueMicrotask``: an exception it raises is an uncaught exception."""
    if not callable(callback):
        ensure_callable(callback)
    loop = state.loop
    if loop is None:
        get_loop()
    loop.queues.micro.append((run_queued_microtask, callback, _copy_context()))


def nextTick(callback: Callable[..., Any], *args: Any) -> None:
    """``process.nextTick``: runs before promise jobs, after the current operation."""
    if not callable(callback):
        ensure_callable(callback)
    loop = state.loop
    if loop is None:
        get_loop()
    loop.queues.ticks.append((callback, args, _copy_context()))
