"""``@asyncfn``: JavaScript async functions on Python coroutines.

Owns: the coroutine driver. Calling an ``@asyncfn`` function returns a
Promise at once; the body runs synchronously up to its first ``await``, as a
JS async function does. Each ``await x`` yields ``x`` to the driver (a
Promise's ``__await__`` yields the promise itself); the driver takes
``PromiseResolve(x)`` and subscribes with an internal reaction, which is what
V8's ``await`` does (1 tick for a promise or plain value, 2 for a thenable).
The body's return value resolves the function's promise through the resolve
function, so ``return promise`` costs the two extra ticks it costs in V8.

Every step of one async function runs in one ``contextvars.Context``, copied
when the function was called (asyncio's Task rule).

An undecorated coroutine awaited inside another is inlined by Python itself
(``await coro`` runs it in place): it costs no ticks of its own. Decorate
inner async functions with ``@asyncfn`` to get Node's tick counts.

Imports: promise, errors.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import os
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from . import promise as _promise
from .errors import RejectionError
from .promise import (
    Promise,
    perform_promise_then,
    promise_resolve,
    reject_promise,
    resolve_promise,
)

P = ParamSpec("P")
T = TypeVar("T")


class _Driver:
    """Runs one coroutine to completion, one microtask per resumption."""

    __slots__ = ("coro", "ctx", "on_fulfilled", "on_rejected", "promise")

    def __init__(self, coro: Any, promise: Promise[Any], ctx: contextvars.Context) -> None:
        self.coro = coro
        self.promise: Any = promise
        self.ctx: Any = ctx
        self.on_fulfilled: Any = self._resume
        self.on_rejected: Any = self._throw

    def _settle(self, settle: Callable[[Any, Any], Any], value: Any) -> None:
        """Settle the function's promise and drop every reference the driver holds.

        A failed body's exception keeps its traceback, whose ``step`` frame keeps
        this driver: were the driver still holding the promise (which holds the
        exception), that would be a reference cycle, and the body's locals would
        wait for the cyclic GC (issue 8: 6,000 failed handlers with 256 KiB each
        peaked at 702 MiB under ``run``'s raised GC thresholds).
        """
        promise = self.promise
        self.promise = self.coro = self.ctx = self.on_fulfilled = self.on_rejected = None
        settle(promise, value)

    def _resume(self, value: Any) -> None:
        self.step(self.coro.send, value)

    def _throw(self, reason: Any) -> None:
        exc = reason if isinstance(reason, BaseException) else RejectionError(reason)
        self.step(self.coro.throw, exc)

    def step(self, method: Callable[[Any], Any], arg: Any) -> None:
        try:
            awaited = self.ctx.run(method, arg)
        except StopIteration as stop:
            self._settle(resolve_promise, stop.value)
            return
        except RejectionError as exc:
            # ``raise RejectionError(v)`` is JS's ``throw v``; an un-caught await of a
            # non-exception rejection passes the original reason on.
            self._settle(reject_promise, exc.reason)
            return
        except Exception as exc:
            tb = exc.__traceback__
            if tb is not None and tb.tb_frame.f_code is _STEP_CODE:
                # Drop this frame from the traceback: through its f_back chain it
                # holds the frames of the drain that is running, whose locals hold
                # promises holding ``exc`` — a cycle only the cyclic GC frees.
                # What is left starts at the body's (suspended) frame.
                exc.__traceback__ = tb = tb.tb_next
            while tb is not None:
                # A rejection thrown in through ``await promise`` passed finished
                # jsloop frames (``Promise.__await__``, the asyncio bridge's) whose
                # locals hold the awaited promise, which holds ``exc``: clear the
                # locals of jsloop's own frames (a cycle otherwise). The user's
                # frames keep theirs for post-mortem debugging.
                if tb.tb_frame.f_code.co_filename.startswith(_PKG_DIR):
                    with contextlib.suppress(RuntimeError):
                        tb.tb_frame.clear()
                tb = tb.tb_next
            self._settle(reject_promise, exc)
            return
        if type(awaited) is Promise:
            target = awaited
        elif type(awaited) is _promise.aio_await_type:
            target = awaited.promise  # ``await promise`` with asyncio in use (aio/_bridge.py)
        else:
            target = promise_resolve(awaited)
        perform_promise_then(target, self.on_fulfilled, self.on_rejected, None, None)


_STEP_CODE = _Driver.step.__code__
_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def start(coro: Coroutine[Any, Any, T]) -> Promise[T]:
    """Drive ``coro`` as a JS async function body; return its promise."""
    if not inspect.iscoroutine(coro):
        raise TypeError(f"expected a coroutine, got {type(coro).__name__}")
    promise: Promise[T] = Promise._new()
    _Driver(coro, promise, contextvars.copy_context()).step(coro.send, None)
    return promise


def asyncfn(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Promise[T]]:
    """Make an ``async def`` behave as a JavaScript async function (returns a Promise)."""
    if not inspect.iscoroutinefunction(fn):
        raise TypeError(f"@asyncfn needs an 'async def' function, got {fn!r}")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Promise[T]:
        return start(fn(*args, **kwargs))

    wrapper.__jsloop_asyncfn__ = True  # type: ignore[attr-defined]
    return wrapper
