"""Promise: ECMAScript promises, step for step, so tick counts match V8.

Owns: the Promise class, its reactions and jobs, thenable assimilation, the
combinators (all/allSettled/race/any) and withResolvers.

Why step for step: programs observe *when* a reaction runs relative to other
microtasks, and shortcuts change that (then/promise#159). The names follow
ECMA-262 §27.2 in snake_case: ``resolve_promise`` is the body of a promise
resolve function (27.2.1.3.2), ``new_promise_resolve_thenable_job`` is
27.2.2.2, ``perform_promise_then`` is 27.2.5.4.1, ``reaction_job`` is
NewPromiseReactionJob (27.2.2.1). Resolving with a native promise therefore
costs the two extra ticks V8 charges; ``Promise.resolve(p)`` returns ``p``.

Invariants:
* a settled promise never changes state; ``_reactions`` is None once settled;
  while pending it is None (no reaction), one reaction tuple, or a list;
* every job goes through the microtask queue of the running loop;
* rejection tracking (HostPromiseRejectionTracker) is two calls into the
  loop's queues: ``note_rejected`` when a promise rejects with no handler,
  ``note_handled`` when a handler is added to an unhandled rejected promise.

Reactions are plain tuples ``(derived, on_fulfilled, on_rejected, context)``;
``derived`` is None for internal reactions (await, adoption) whose handlers
never throw into a promise of their own.

Imports: _queues (through the running loop), _runtime, errors, _compat.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Generator, Iterable, Iterator
from types import FunctionType, MethodType
from typing import Any, Generic, TypeVar

from ._runtime import state
from .errors import AggregateError, RejectionError, invalid_arg_type

T = TypeVar("T")

PENDING = 0
FULFILLED = 1
REJECTED = 2

# Track states for unhandled-rejection bookkeeping.
_UNTRACKED = 0
_PENDING_REPORT = 1  # in the loop's pending_unhandled list
_REPORTED = 2  # 'unhandledRejection' was emitted for it

_copy_context = contextvars.copy_context
_VARARGS = 0x04  # CO_VARARGS

# Exact types that can never be thenables: skip the attribute lookup for them.
_PLAIN = frozenset({type(None), int, float, str, bytes, bool, tuple, list, dict, set, complex})

Reaction = tuple[Any, Any, Any, Any]

# The asyncio bridge (jsloop/aio/_bridge.py) sets these when asyncio is in use;
# while they are None nothing here changes (docs/asyncio.md).
_aio_await: Any = None  # promise -> the generator ``await promise`` runs
_aio_adopt: Any = None  # (promise, value) -> True if value is an asyncio future it adopted
aio_await_type: Any = None  # the type _aio_await yields (asyncfn.py unwraps it)


def _micro() -> Any:
    loop = state.loop
    if loop is None:
        raise RuntimeError(
            "no jsloop loop is running in this thread: promise jobs need one "
            "(call this inside jsloop.run(main))"
        )
    return loop.queues


class Promise(Generic[T]):
    """JavaScript's Promise. ``Promise(executor)`` calls ``executor(resolve, reject)`` at once."""

    __slots__ = ("__weakref__", "_handled", "_reactions", "_state", "_track", "_value")

    def __init__(self, executor: Callable[[Callable[..., None], Callable[..., None]], Any]) -> None:
        if not callable(executor):
            raise invalid_arg_type("executor", "of type function", executor)
        self._state = PENDING
        self._value: Any = None
        self._reactions: Any = None
        self._handled = False
        self._track = _UNTRACKED
        fns = ResolvingFunctions(self)
        try:
            executor(fns.resolve, fns.reject)
        except RejectionError as exc:
            fns.reject(exc.reason)
        except Exception as exc:
            fns.reject(exc)

    # -- construction without an executor (internal) ---------------------------------

    @classmethod
    def _new(cls) -> Promise[Any]:
        p: Promise[Any] = object.__new__(cls)
        p._state = PENDING
        p._value = None
        p._reactions = None
        p._handled = False
        p._track = _UNTRACKED
        return p

    # -- inspection -----------------------------------------------------------------

    @property
    def state(self) -> str:
        """'pending', 'fulfilled' or 'rejected' (not in JS; for debugging and tests)."""
        return ("pending", "fulfilled", "rejected")[self._state]

    def __repr__(self) -> str:
        if self._state == PENDING:
            return "Promise { <pending> }"
        if self._state == FULFILLED:
            return f"Promise {{ {self._value!r} }}"
        return f"Promise {{ <rejected> {self._value!r} }}"

    # -- then / catch / finally -------------------------------------------------------

    def then(
        self,
        on_fulfilled: Callable[..., Any] | None = None,
        on_rejected: Callable[..., Any] | None = None,
    ) -> Promise[Any]:
        """``Promise.prototype.then``: non-callable handlers are ignored, as in JS."""
        derived = Promise._new()
        perform_promise_then(
            self,
            on_fulfilled if callable(on_fulfilled) else None,
            on_rejected if callable(on_rejected) else None,
            derived,
            _copy_context(),
        )
        return derived

    def catch(self, on_rejected: Callable[..., Any] | None = None) -> Promise[Any]:
        """``Promise.prototype.catch``: ``then(None, on_rejected)``."""
        return self.then(None, on_rejected)

    def finally_(self, on_finally: Callable[[], Any] | None = None) -> Promise[Any]:
        """``Promise.prototype.finally`` (27.2.5.3): ``on_finally()`` gets no argument.

        The outcome passes through after ``Promise.resolve(on_finally())`` settles,
        which costs two ticks more than ``then``, as in V8.
        """
        if not callable(on_finally):
            return self.then(on_finally, on_finally)
        f = on_finally

        def then_finally(value: Any) -> Any:
            result = f()
            return promise_resolve(result).then(lambda _v: value)

        def catch_finally(reason: Any) -> Any:
            result = f()

            def thrower(_v: Any) -> Any:
                raise RejectionError(reason)

            return promise_resolve(result).then(thrower)

        return self.then(then_finally, catch_finally)

    # -- await ----------------------------------------------------------------------

    def __await__(self) -> Generator[Any, Any, T]:
        # The jsloop coroutine driver (asyncfn.py) receives this promise, subscribes
        # to it, and sends the value or throws the reason back in.
        if _aio_await is None:
            return (yield self)  # type: ignore[no-any-return]
        return (yield from _aio_await(self))  # type: ignore[no-any-return]

    # -- statics --------------------------------------------------------------------

    @staticmethod
    def resolve(value: Any = None) -> Promise[Any]:
        """``Promise.resolve``: a native promise is returned as it is."""
        return promise_resolve(value)

    @staticmethod
    def reject(reason: Any = None) -> Promise[Any]:
        """``Promise.reject``."""
        p = Promise._new()
        reject_promise(p, reason)
        return p

    @staticmethod
    def withResolvers() -> WithResolvers:
        """``Promise.withResolvers()``: promise/resolve/reject; also unpacks as a triple."""
        p = Promise._new()
        fns = ResolvingFunctions(p)
        return WithResolvers(p, fns.resolve, fns.reject)

    @staticmethod
    def all(iterable: Iterable[Any]) -> Promise[list[Any]]:
        """``Promise.all`` (27.2.4.1): values in input order, or the first rejection."""

        def subscribe(p: Promise[Any], slots: list[Any], i: int, left: list[int], cap: Any) -> None:
            p.then(_Element(slots, i, left, cap.resolve).settle, cap.reject)

        return _combine(iterable, subscribe, lambda slots, cap: cap.resolve(slots))

    @staticmethod
    def allSettled(iterable: Iterable[Any]) -> Promise[list[dict[str, Any]]]:
        """``Promise.allSettled``: records shaped ``{"status", "value"|"reason"}``."""

        def subscribe(p: Promise[Any], slots: list[Any], i: int, left: list[int], cap: Any) -> None:
            e = _Element(slots, i, left, cap.resolve)
            p.then(e.fulfilled_record, e.rejected_record)

        return _combine(iterable, subscribe, lambda slots, cap: cap.resolve(slots))

    @staticmethod
    def race(iterable: Iterable[Any]) -> Promise[Any]:
        """``Promise.race``; ``race([])`` stays pending forever."""

        def subscribe(p: Promise[Any], slots: list[Any], i: int, left: list[int], cap: Any) -> None:
            p.then(cap.resolve, cap.reject)

        return _combine(iterable, subscribe, lambda slots, cap: None)

    @staticmethod
    def any(iterable: Iterable[Any]) -> Promise[Any]:
        """``Promise.any``: rejects with AggregateError (``.errors`` in input order)."""

        def subscribe(p: Promise[Any], slots: list[Any], i: int, left: list[int], cap: Any) -> None:
            p.then(cap.resolve, _Element(slots, i, left, lambda errs: reject_all(errs, cap)).settle)

        def reject_all(errors: list[Any], cap: Any) -> None:
            cap.reject(AggregateError(errors))

        return _combine(iterable, subscribe, reject_all)


class WithResolvers:
    """What ``Promise.withResolvers()`` returns; also unpacks as ``(promise, resolve, reject)``."""

    __slots__ = ("promise", "reject", "resolve")

    def __init__(
        self, promise: Promise[Any], resolve: Callable[..., None], reject: Callable[..., None]
    ) -> None:
        self.promise = promise
        self.resolve = resolve
        self.reject = reject

    def __iter__(self) -> Iterator[Any]:
        return iter((self.promise, self.resolve, self.reject))


class ResolvingFunctions:
    """CreateResolvingFunctions (27.2.1.3): a resolve/reject pair sharing alreadyResolved."""

    __slots__ = ("done", "promise")

    def __init__(self, promise: Promise[Any]) -> None:
        self.promise = promise
        self.done = False

    def resolve(self, value: Any = None) -> None:
        if self.done:
            return
        self.done = True
        resolve_promise(self.promise, value)

    def reject(self, reason: Any = None) -> None:
        if self.done:
            return
        self.done = True
        reject_promise(self.promise, reason)


# -- the abstract operations ------------------------------------------------------------


def promise_resolve(value: Any) -> Promise[Any]:
    """PromiseResolve(%Promise%, x) (27.2.4.7.1)."""
    if type(value) is Promise:
        return value
    p = Promise._new()
    resolve_promise(p, value)
    return p


def resolve_promise(p: Promise[Any], resolution: Any) -> None:
    """The body of a promise resolve function (27.2.1.3.2), alreadyResolved aside."""
    t = type(resolution)
    if t in _PLAIN:
        fulfill_promise(p, resolution)
        return
    if resolution is p:
        reject_promise(p, TypeError("Chaining cycle detected for promise #<Promise>"))
        return
    if t is Promise:
        _micro().micro.append((new_promise_resolve_thenable_job, p, (resolution, None)))
        return
    try:
        then = getattr(resolution, "then", None)
    except Exception as exc:
        reject_promise(p, exc)
        return
    if not callable(then):
        if _aio_adopt is not None and _aio_adopt(p, resolution):
            return
        fulfill_promise(p, resolution)
        return
    _micro().micro.append((new_promise_resolve_thenable_job, p, (resolution, then)))


def fulfill_promise(p: Promise[Any], value: Any) -> None:
    reactions = p._reactions
    p._state = FULFILLED
    p._value = value
    if reactions is not None:
        p._reactions = None
        _trigger(reactions, p)


def reject_promise(p: Promise[Any], reason: Any) -> None:
    if p._state != PENDING:
        return
    reactions = p._reactions
    p._state = REJECTED
    p._value = reason
    p._reactions = None
    if not p._handled:
        note_rejected(p)
    if reactions is not None:
        _trigger(reactions, p)


def _trigger(reactions: Any, p: Promise[Any]) -> None:
    loop = state.loop
    if loop is None:
        _micro()
    if type(reactions) is list:
        append = loop.queues.micro.append
        for reaction in reactions:
            append((reaction_job, reaction, p))
    else:
        loop.queues.micro.append((reaction_job, reactions, p))


def perform_promise_then(
    p: Promise[Any],
    on_fulfilled: Any,
    on_rejected: Any,
    derived: Promise[Any] | None,
    ctx: contextvars.Context | None,
) -> None:
    """PerformPromiseThen (27.2.5.4.1)."""
    reaction = (derived, on_fulfilled, on_rejected, ctx)
    state_ = p._state
    if state_ == PENDING:
        current = p._reactions
        if current is None:
            p._reactions = reaction
        elif type(current) is list:
            current.append(reaction)
        else:
            p._reactions = [current, reaction]
    else:
        if state_ == REJECTED and not p._handled:
            note_handled(p)
        _micro().micro.append((reaction_job, reaction, p))
    p._handled = True


def _takes_no_argument(handler: Any) -> bool:
    """A plain function or bound method that accepts no positional argument.

    JS ignores surplus arguments, so ``then(lambda: ...)`` and ``then(obj.method)``
    (``def method(self)``) are called with none; anything else gets the value.
    """
    t = type(handler)
    if t is FunctionType:
        code = handler.__code__
        return code.co_argcount == 0 and not code.co_flags & _VARARGS
    if t is MethodType:
        func = handler.__func__
        if type(func) is FunctionType:
            code = func.__code__
            return code.co_argcount == 1 and not code.co_flags & _VARARGS
    return False


def reaction_job(reaction: Reaction, p: Promise[Any]) -> None:
    """NewPromiseReactionJob (27.2.2.1): run one handler, settle the derived promise."""
    derived, on_fulfilled, on_rejected, ctx = reaction
    value = p._value
    if p._state == FULFILLED:
        handler = on_fulfilled
        if handler is None:
            if derived is not None:
                resolve_promise(derived, value)
            return
    else:
        handler = on_rejected
        if handler is None:
            if derived is not None:
                reject_promise(derived, value)
            return
    try:
        # JS ignores surplus arguments: a zero-argument function gets none.
        # (inline for plain functions: this is the promise chain's hot path)
        t = type(handler)
        if t is FunctionType:
            code = handler.__code__
            no_arg = code.co_argcount == 0 and not code.co_flags & _VARARGS
        else:
            no_arg = t is MethodType and _takes_no_argument(handler)
        if no_arg:
            result = ctx.run(handler) if ctx is not None else handler()
        else:
            result = ctx.run(handler, value) if ctx is not None else handler(value)
    except RejectionError as exc:
        if derived is not None:
            reject_promise(derived, exc.reason)
            return
        raise
    except Exception as exc:
        if derived is not None:
            reject_promise(derived, exc)
            return
        raise
    if derived is not None:
        resolve_promise(derived, result)


def new_promise_resolve_thenable_job(p: Promise[Any], pair: tuple[Any, Any]) -> None:
    """NewPromiseResolveThenableJob (27.2.2.2): call ``thenable.then(resolve, reject)``."""
    thenable, then = pair
    if then is None:
        # A native promise with the original ``then``: V8 skips the throwaway derived
        # promise; adopting through a handler-less reaction gives the same ticks.
        perform_promise_then(thenable, None, None, p, None)
        return
    fns = ResolvingFunctions(p)
    try:
        then(fns.resolve, fns.reject)
    except RejectionError as exc:
        fns.reject(exc.reason)
    except Exception as exc:
        fns.reject(exc)


def note_rejected(p: Promise[Any]) -> None:
    """HostPromiseRejectionTracker(p, "reject")."""
    loop = state.loop
    if loop is None:
        return
    p._track = _PENDING_REPORT
    loop.queues.pending_unhandled.append(p)


def note_handled(p: Promise[Any]) -> None:
    """HostPromiseRejectionTracker(p, "handle")."""
    if p._track == _PENDING_REPORT:
        p._track = _UNTRACKED
    elif p._track == _REPORTED:
        p._track = _UNTRACKED
        loop = state.loop
        if loop is not None:
            loop.queues.async_handled.append(p)


# -- combinator element functions ---------------------------------------------------------


def _combine(
    iterable: Iterable[Any],
    subscribe: Callable[[Promise[Any], list[Any], int, list[int], ResolvingFunctions], None],
    finish: Callable[[list[Any], ResolvingFunctions], None],
) -> Promise[Any]:
    """The loop the combinators share (PerformPromiseAll and its siblings).

    Each input goes through ``Promise.resolve`` and gets its handlers from
    ``subscribe``; ``remaining`` starts at 1 so that ``finish`` runs
    synchronously for an empty input, as the spec's last step does.
    """
    result = Promise._new()
    cap = ResolvingFunctions(result)
    try:
        items = iter(iterable)
    except TypeError:
        cap.reject(_not_iterable(iterable))
        return result
    slots: list[Any] = []
    remaining = [1]
    try:
        for index, item in enumerate(items):
            slots.append(None)
            remaining[0] += 1
            subscribe(promise_resolve(item), slots, index, remaining, cap)
    except Exception as exc:
        cap.reject(exc)
        return result
    remaining[0] -= 1
    if remaining[0] == 0:
        finish(slots, cap)
    return result


def _not_iterable(value: Any) -> TypeError:
    return TypeError(f"{type(value).__name__} {value!r} is not iterable")


class _Element:
    """The resolve/reject element functions of one combinator input (27.2.4.1.3 and
    siblings): the first call stores its value in the input's slot; the last slot
    filled calls ``finish``. allSettled's two functions share one ``called`` flag."""

    __slots__ = ("called", "finish", "index", "remaining", "slots")

    def __init__(
        self,
        slots: list[Any],
        index: int,
        remaining: list[int],
        finish: Callable[[list[Any]], None],
    ) -> None:
        self.slots = slots
        self.index = index
        self.remaining = remaining
        self.finish = finish
        self.called = False

    def settle(self, value: Any) -> None:
        if self.called:
            return
        self.called = True
        self.slots[self.index] = value
        self.remaining[0] -= 1
        if self.remaining[0] == 0:
            self.finish(self.slots)

    def fulfilled_record(self, value: Any) -> None:
        self.settle({"status": "fulfilled", "value": value})

    def rejected_record(self, reason: Any) -> None:
        self.settle({"status": "rejected", "reason": reason})
