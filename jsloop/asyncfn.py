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

import contextvars
import functools
import inspect
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
        self.promise = promise
        self.ctx = ctx
        self.on_fulfilled = self._resume
        self.on_rejected = self._throw

    def _resume(self, value: Any) -> None:
        self.step(self.coro.send, value)

    def _throw(self, reason: Any) -> None:
        exc = reason if isinstance(reason, BaseException) else RejectionError(reason)
        self.step(self.coro.throw, exc)

    def step(self, method: Callable[[Any], Any], arg: Any) -> None:
        try:
            awaited = self.ctx.run(method, arg)
        except StopIteration as stop:
            resolve_promise(self.promise, stop.value)
            return
        except RejectionError as exc:
            # ``raise RejectionError(v)`` is JS's ``throw v``; an un-caught await of a
            # non-exception rejection passes the original reason on.
            reject_promise(self.promise, exc.reason)
            return
        except Exception as exc:
            reject_promise(self.promise, exc)
            return
        if type(awaited) is Promise:
            target = awaited
        elif type(awaited) is _promise.aio_await_type:
            target = awaited.promise  # ``await promise`` with asyncio in use (aio/_bridge.py)
        else:
            target = promise_resolve(awaited)
        perform_promise_then(target, self.on_fulfilled, self.on_rejected, None, None)


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
