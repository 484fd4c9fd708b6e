"""The nextTick queue and the microtask queue, and their drain.

Owns: the two FIFO queues that run outside the loop's phases, and the
bookkeeping for rejections that may be unhandled (Node's
``pendingUnhandledRejections`` / ``asyncHandledRejections``).

The drain is Node's ``processTicksAndRejections`` (lib/internal/process/
task_queues.js)::

    repeat:
        run nextTick callbacks until that queue is empty
        run microtasks until that queue is empty
    until the nextTick queue is empty and the rejection sweep did nothing

It runs after the top-level script and after every single callback the loop
calls (each timer, immediate, I/O and close callback). An exception from a
nextTick callback propagates out of ``drain`` (Node's processTicksAndRejections
does not catch it either): the caller routes it as an uncaught exception and
the ticks still queued wait for the next drain point. An exception from a
``queueMicrotask`` callback is routed at once and the other microtasks go on
(V8 reports it and continues). Microtask entries are
``(fn, a, b)`` triples called as ``fn(a, b)``: promise jobs never raise (they
turn exceptions into rejections), ``queueMicrotask`` jobs route exceptions to
the uncaught-exception handler themselves.

Imports: stdlib, errors.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextvars import Context
from typing import Any


class TaskQueues:
    __slots__ = (
        "async_handled",
        "micro",
        "on_uncaught",
        "pending_unhandled",
        "sweep",
        "ticks",
    )

    def __init__(
        self,
        on_uncaught: Callable[[BaseException], None],
        sweep: Callable[[TaskQueues], bool],
    ) -> None:
        self.ticks: deque[tuple[Callable[..., Any], tuple[Any, ...], Context]] = deque()
        self.micro: deque[tuple[Callable[[Any, Any], None], Any, Any]] = deque()
        # Promises rejected with no handler, in rejection order (§7 of ORDERING.md).
        # (deques: the sweep takes from the front; list.pop(0) made 400k rejections O(n^2))
        self.pending_unhandled: deque[Any] = deque()
        # Promises that got a handler after 'unhandledRejection' was emitted for them.
        self.async_handled: deque[Any] = deque()
        self.on_uncaught = on_uncaught
        self.sweep = sweep

    def has_work(self) -> bool:
        return bool(self.ticks or self.micro or self.pending_unhandled or self.async_handled)

    def drain(self) -> None:
        """Node's processTicksAndRejections."""
        ticks = self.ticks
        while True:
            while ticks:
                cb, args, ctx = ticks.popleft()
                # A throw here propagates: it aborts this drain, as in Node, and the
                # remaining ticks wait for the next drain point (Loop.drain_scope).
                ctx.run(cb, *args)
            self.run_microtasks()
            if ticks:
                continue
            if not (self.pending_unhandled or self.async_handled) or not self.sweep(self):
                return

    def run_microtasks(self) -> None:
        micro = self.micro
        pop = micro.popleft
        while micro:
            fn, a, b = pop()
            fn(a, b)


def run_queued_microtask(cb: Callable[[], Any], ctx: Context) -> None:
    """A ``queueMicrotask`` job: an exception is uncaught, the other microtasks go on."""
    try:
        ctx.run(cb)
    except Exception as exc:
        from ._runtime import state

        state.loop.queues.on_uncaught(exc)
