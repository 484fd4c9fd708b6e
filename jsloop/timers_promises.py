"""``timers/promises``: setTimeout, setImmediate, setInterval and scheduler as promises.

Owns: the promise forms of the timers (Node's lib/timers/promises.js) and
their ``signal``/``ref`` options.

Semantics kept from Node 20:
* bad arguments do not raise: the call returns a rejected promise
  (ERR_INVALID_ARG_TYPE), as Node's functions do;
* an already-aborted ``signal`` gives a promise rejected with ``AbortError``
  (``cause`` = the signal's reason) and no timer; aborting later clears the
  timer or immediate and rejects;
* with a signal, the returned promise is ``inner.finally(remove listener)``,
  exactly as Node builds it, so it settles after the same number of
  microtask ticks as in Node;
* ``ref=False`` makes the timer or immediate unref'd (it does not keep the
  loop alive).

``setInterval`` is an async iterator (``async for v in setInterval(ms, v)`` in
an ``@asyncfn`` or a coroutine it awaits). Node's version is an async
generator; this one is a small class with the same queueing (ticks that
arrived while nobody waited are delivered one per ``next``) and the same abort
behaviour. Leaving an ``async for`` early does not call ``aclose`` in Python:
the iterator holds its interval only weakly from the timer, so dropping it
(``break``) clears the interval at once (CPython reference counting); call
``await it.aclose()`` to be explicit. Its tick counts per step are not
Node's (Node's async generator queues each ``next`` through extra jobs).

Options may be given as Node's trailing dict (``{"signal": s, "ref": False}``)
or as keyword arguments (``signal=s, ref=False``).

Imports: timers, promise, abort, errors.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from ._runtime import get_loop
from .abort import RESIST_STOP_PROPAGATION, AbortSignal, abort_error
from .errors import invalid_arg_type
from .promise import Promise, reject_promise, resolve_promise
from .timers import Immediate, Timeout, clearInterval, coerce_delay

_UNSET: Any = object()


def _parse_options(options: Any, signal: Any, ref: Any) -> tuple[AbortSignal | None, bool]:
    """Node's checks: ``options`` an object, ``options.signal`` an AbortSignal, ``ref`` a bool."""
    if options is None:
        options = {}
    elif not isinstance(options, dict):
        raise invalid_arg_type("options", "of type object", options)
    if signal is _UNSET:
        signal = options.get("signal")
    if ref is _UNSET:
        ref = options.get("ref", True)
    if signal is not None and not isinstance(signal, AbortSignal):
        raise invalid_arg_type("options.signal", "an instance of AbortSignal", signal)
    if not isinstance(ref, bool):
        raise invalid_arg_type("options.ref", "of type boolean", ref)
    return signal, ref


class _Cancel:
    """Node's ``cancelListenerHandler`` bound to a timer/immediate and its promise."""

    __slots__ = ("handle", "promise", "signal")

    def __init__(self, handle: Any, promise: Promise[Any], signal: AbortSignal) -> None:
        self.handle = handle
        self.promise = promise
        self.signal = signal

    def __call__(self, _event: Any = None) -> None:
        handle = self.handle
        if not handle._destroyed:
            if isinstance(handle, Immediate):
                from .timers import clearImmediate

                clearImmediate(handle)
            else:
                clearInterval(handle)
            reject_promise(self.promise, abort_error(self.signal))

    def remove(self) -> None:
        self.signal.removeEventListener("abort", self)


def _safe_finally(p: Promise[Any], on_finally: Any) -> Promise[Any]:
    """Node's ``SafePromisePrototypeFinally``: ``finally`` on a wrapper promise.

    Built exactly as primordials builds it (``new Promise`` around a promise that
    adopts ``p`` through ``then``, ``finally``, then ``then`` back), since each
    layer is a microtask tick that programs can observe.
    """

    def outer(a: Any, b: Any) -> None:
        Promise(lambda a2, b2: p.then(a2, b2)).finally_(on_finally).then(a, b)

    return Promise(outer)


def _with_signal(promise: Promise[Any], handle: Any, signal: AbortSignal | None) -> Promise[Any]:
    if signal is None:
        return promise
    cancel = _Cancel(handle, promise, signal)
    signal.addEventListener("abort", cancel, {RESIST_STOP_PROPAGATION: True})
    return _safe_finally(promise, cancel.remove)


def _check_delay(delay: Any) -> None:
    """Node's ``validateNumber(after, 'delay')`` (None, JS's undefined, is allowed)."""
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float))):
        raise invalid_arg_type("delay", "of type number", delay)


def _schedule(
    delay: Any,
    value: Any,
    options: Any,
    signal: Any,
    ref: Any,
    make: Callable[[Promise[Any], bool], Any],
) -> Promise[Any]:
    """The body Node's setTimeout/setImmediate share: checks (as a rejected promise), an
    aborted signal, then ``make(promise, ref)`` builds the timer or immediate."""
    try:
        if delay is not _UNSET:
            _check_delay(delay)
        sig, refed = _parse_options(options, signal, ref)
    except TypeError as exc:
        return Promise.reject(exc)
    if sig is not None and sig.aborted:
        return Promise.reject(abort_error(sig))
    promise: Promise[Any] = Promise._new()
    return _with_signal(promise, make(promise, refed), sig)


def setTimeout(
    delay: Any = None,
    value: Any = None,
    options: Any = None,
    *,
    signal: Any = _UNSET,
    ref: Any = _UNSET,
) -> Promise[Any]:
    """``timersPromises.setTimeout(delay, value, {signal, ref})``: resolves with ``value``."""

    def make(promise: Promise[Any], refed: bool) -> Timeout:
        args = (promise, value)
        return Timeout(get_loop(), resolve_promise, coerce_delay(delay), args, False, refed)

    return _schedule(delay, value, options, signal, ref, make)


def setImmediate(
    value: Any = None,
    options: Any = None,
    *,
    signal: Any = _UNSET,
    ref: Any = _UNSET,
) -> Promise[Any]:
    """``timersPromises.setImmediate(value, {signal, ref})``: resolves in the check phase."""

    def make(promise: Promise[Any], refed: bool) -> Immediate:
        immediate = Immediate(get_loop(), resolve_promise, (promise, value))
        return immediate if refed else immediate.unref()

    return _schedule(_UNSET, value, options, signal, ref, make)


class _WeakCall:
    """A callback that holds the iterator weakly (the interval's tick, the abort listener),
    so dropping the iterator frees it and its ``__del__`` clears the timer."""

    __slots__ = ("method", "target")

    def __init__(self, it: IntervalIterator, method: str) -> None:
        self.target = weakref.ref(it)
        self.method = method

    def __call__(self, *_args: Any) -> None:
        it = self.target()
        if it is not None:
            getattr(it, self.method)()


class IntervalIterator:
    """What ``setInterval`` returns: an async iterator of ``value`` once per interval."""

    __slots__ = (
        "__weakref__",
        "_abort_listener",
        "_delay",
        "_done",
        "_interval",
        "_not_yielded",
        "_options",
        "_signal",
        "_started",
        "_value",
        "_waiter",
    )

    def __init__(self, delay: Any, value: Any, options: tuple[Any, Any, Any]) -> None:
        self._delay = delay
        self._value = value
        self._options = options
        self._started = False
        self._done = False
        self._interval: Timeout | None = None
        self._signal: AbortSignal | None = None
        self._not_yielded = 0
        self._waiter: Promise[Any] | None = None
        self._abort_listener: _WeakCall | None = None

    def __aiter__(self) -> IntervalIterator:
        return self

    def _start(self) -> None:
        """The generator body up to its loop (runs at the first ``next``, as in Node)."""
        self._started = True
        _check_delay(self._delay)
        sig, refed = _parse_options(*self._options)
        self._signal = sig
        if sig is not None and sig.aborted:
            raise abort_error(sig)
        self._interval = Timeout(
            get_loop(), _WeakCall(self, "_on_tick"), coerce_delay(self._delay), (), True, refed
        )
        if sig is not None:
            self._abort_listener = _WeakCall(self, "_on_abort")
            sig.addEventListener(
                "abort", self._abort_listener, {"once": True, RESIST_STOP_PROPAGATION: True}
            )

    def _on_tick(self) -> None:
        self._not_yielded += 1
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            self._not_yielded -= 1
            resolve_promise(waiter, self._value)

    def _on_abort(self) -> None:
        self._abort_listener = None
        if self._interval is not None:
            clearInterval(self._interval)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            self._finish()
            reject_promise(waiter, abort_error(self._signal))

    def _finish(self) -> None:
        self._done = True
        if self._interval is not None:
            clearInterval(self._interval)
            self._interval = None
        listener, self._abort_listener = self._abort_listener, None
        if listener is not None and self._signal is not None:
            self._signal.removeEventListener("abort", listener)

    def __anext__(self) -> Promise[Any]:
        """The next value: a promise (awaiting it at the end raises StopAsyncIteration)."""
        if self._done:
            return Promise.reject(StopAsyncIteration())
        if not self._started:
            try:
                self._start()
            except Exception as exc:
                self._finish()
                return Promise.reject(exc)
        if self._not_yielded > 0:
            self._not_yielded -= 1
            return Promise.resolve(self._value)
        sig = self._signal
        if sig is not None and sig.aborted:
            self._finish()
            return Promise.reject(abort_error(sig))
        waiter: Promise[Any] = Promise._new()
        self._waiter = waiter
        return waiter

    def aclose(self) -> Promise[Any]:
        """End the iteration (Node's ``return()``): clears the interval."""
        self._finish()
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            reject_promise(waiter, StopAsyncIteration())
        return Promise.resolve(None)

    return_ = aclose

    def __del__(self) -> None:
        if not self._done:
            self._finish()

    def __repr__(self) -> str:
        return f"<setInterval {self._delay}ms {'done' if self._done else 'active'}>"


def setInterval(
    delay: Any = None,
    value: Any = None,
    options: Any = None,
    *,
    signal: Any = _UNSET,
    ref: Any = _UNSET,
) -> IntervalIterator:
    """``timersPromises.setInterval(delay, value, {signal, ref})``: an async iterator.

    Errors in the arguments (and an already-aborted signal) surface at the first
    ``next``, as with Node's async generator.
    """
    return IntervalIterator(delay, value, (options, signal, ref))


class Scheduler:
    """Node's ``timersPromises.scheduler``: ``wait(delay, {signal})`` and ``yield_()``."""

    __slots__ = ()

    def wait(self, delay: Any, options: Any = None, *, signal: Any = _UNSET) -> Promise[Any]:
        """``scheduler.wait(delay, options)``: ``setTimeout(delay, None, options)``."""
        return setTimeout(delay, None, options, signal=signal)

    def yield_(self) -> Promise[Any]:
        """``scheduler.yield()``: ``setImmediate()`` (``yield`` is a Python keyword)."""
        return setImmediate()


scheduler = Scheduler()

__all__ = ["IntervalIterator", "scheduler", "setImmediate", "setInterval", "setTimeout"]
