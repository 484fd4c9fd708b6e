"""``events.once`` and ``events.on``: an emitter's events as a promise or an async iterator.

Owns: Node's ``once(emitter, name, {signal})`` and ``on(emitter, name,
{signal, close})`` (lib/events.js), for EventEmitters and EventTargets alike.
``jsloop.events`` re-exports both; this module imports nothing from it (the
emitter is used through its methods only), so there is no import cycle.

Semantics kept from Node 20:
* ``once`` is an async function: bad options or an already-aborted signal
  give a rejected promise, and the result settles two ticks after the event
  (the async function returns an inner promise), as in Node;
* ``once`` resolves with the list of the event's arguments and rejects if
  ``'error'`` comes first (unless the name is ``'error'``; EventTargets have
  no error semantics); every listener it added is removed either way;
* ``on`` queues events that arrive while nobody waits and hands them out one
  per ``next``; an ``'error'`` rejects the pending ``next`` (or the next one)
  and ends the iteration; abort rejects with ``AbortError``; events named in
  ``close`` end it; ``aclose()`` (Node's ``return()``) removes the listeners.

Leaving ``async for`` early does not call ``aclose`` in Python. The listeners
hold the iterator weakly, so when the loop variable's iterator is dropped
(CPython frees it at once) its listeners are removed by ``__del__``.

Imports: abort, asyncfn, promise, errors.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from .abort import RESIST_STOP_PROPAGATION, AbortSignal, abort_error, validate_abort_signal
from .asyncfn import start
from .errors import NodeRangeError, NodeTypeError, describe_received, invalid_arg_type
from .promise import Promise, reject_promise, resolve_promise


def _options(options: Any, signal: Any) -> dict[str, Any]:
    """Accept ``once(ee, name, signal)`` as well as Node's ``{signal}`` dict."""
    opts: dict[str, Any]
    if isinstance(options, AbortSignal):
        opts = {"signal": options}
    elif options is None:
        opts = {}
    elif isinstance(options, dict):
        opts = options
    else:
        raise invalid_arg_type("options", "of type object", options)
    if signal is not None:
        opts = {**opts, "signal": signal}
    validate_abort_signal(opts.get("signal"), "options.signal")
    return opts


def _add(emitter: Any, name: Any, listener: Callable[..., Any], once: bool) -> None:
    """Node's ``eventTargetAgnosticAddListener``."""
    if callable(getattr(emitter, "on", None)):
        (emitter.once if once else emitter.on)(name, listener)
    elif callable(getattr(emitter, "addEventListener", None)):
        emitter.addEventListener(name, listener, {"once": once})
    else:
        raise invalid_arg_type("emitter", "an instance of EventEmitter or EventTarget", emitter)


def _remove(emitter: Any, name: Any, listener: Callable[..., Any]) -> None:
    """Node's ``eventTargetAgnosticRemoveListener``."""
    if callable(getattr(emitter, "removeListener", None)):
        emitter.removeListener(name, listener)
    elif callable(getattr(emitter, "removeEventListener", None)):
        emitter.removeEventListener(name, listener)


def _is_emitter(emitter: Any) -> bool:
    return callable(getattr(emitter, "once", None)) and callable(
        getattr(emitter, "removeListener", None)
    )


def once(emitter: Any, name: Any, options: Any = None, *, signal: Any = None) -> Promise[Any]:
    """Node's ``events.once(emitter, name, {signal})``: a Promise of the event's arguments.

    ``signal`` may also be given as the third argument or a keyword.
    """

    async def body() -> Any:
        sig: AbortSignal | None = _options(options, signal).get("signal")
        if sig is not None and sig.aborted:
            raise abort_error(sig)
        return _once_promise(emitter, name, sig)

    return start(body())


def _once_promise(emitter: Any, name: Any, sig: AbortSignal | None) -> Promise[Any]:
    promise: Promise[Any] = Promise._new()

    def error_listener(err: Any = None) -> None:
        _remove(emitter, name, resolver)
        if sig is not None:
            sig.removeEventListener("abort", abort_listener)
        reject_promise(promise, err)

    def resolver(*args: Any) -> None:
        if callable(getattr(emitter, "removeListener", None)):
            emitter.removeListener("error", error_listener)
        if sig is not None:
            sig.removeEventListener("abort", abort_listener)
        resolve_promise(promise, list(args))

    def abort_listener(_event: Any = None) -> None:
        _remove(emitter, name, resolver)
        _remove(emitter, "error", error_listener)
        reject_promise(promise, abort_error(sig))

    _add(emitter, name, resolver, True)
    if name != "error" and _is_emitter(emitter):
        emitter.once("error", error_listener)
    if sig is not None:
        sig.addEventListener("abort", abort_listener, {"once": True, RESIST_STOP_PROPAGATION: True})
    return promise


class _Relay:
    """A listener that forwards to one method of an ``on`` iterator, held weakly."""

    __slots__ = ("method", "target")

    def __init__(self, it: OnIterator, method: str) -> None:
        self.target = weakref.ref(it)
        self.method = method

    def __call__(self, *args: Any) -> None:
        it = self.target()
        if it is not None:
            getattr(it, self.method)(*args)


class OnIterator:
    """What ``events.on`` returns: ``async for args in on(ee, 'data')``."""

    __slots__ = (
        "__weakref__",
        "_error",
        "_finished",
        "_has_error",
        "_high",
        "_listeners",
        "_low",
        "_paused",
        "_promises",
        "_signal",
        "_unconsumed",
        "emitter",
    )

    def __init__(
        self,
        emitter: Any,
        name: Any,
        sig: AbortSignal | None,
        close: Any,
        high: int = 2**53 - 1,
        low: int = 1,
    ) -> None:
        self.emitter = emitter
        self._high = high  # queue more than this: emitter.pause() (Node's highWaterMark)
        self._low = low  # fewer than this while paused: emitter.resume()
        self._paused = False
        self._signal = sig
        self._unconsumed: deque[list[Any]] = deque()
        self._promises: deque[Promise[Any]] = deque()
        self._error: Any = None
        self._has_error = False
        self._finished = False
        self._listeners: list[tuple[Any, Any, Callable[..., Any]]] = []
        self._listen(emitter, name, _Relay(self, "_on_event"))
        if name != "error" and callable(getattr(emitter, "on", None)):
            self._listen(emitter, "error", _Relay(self, "_on_error"))
        for close_name in close or ():
            self._listen(emitter, close_name, _Relay(self, "_close"))
        if sig is not None:
            self._listen(sig, "abort", _Relay(self, "_on_abort"))

    def _listen(self, target: Any, name: Any, relay: _Relay) -> None:
        if isinstance(target, AbortSignal):
            target.addEventListener(name, relay, {"once": True, RESIST_STOP_PROPAGATION: True})
        else:
            _add(target, name, relay, False)
        self._listeners.append((target, name, relay))

    def _remove_all(self) -> None:
        listeners, self._listeners = self._listeners, []
        for target, name, relay in listeners:
            _remove(target, name, relay)

    def _on_event(self, *args: Any) -> None:
        if self._promises:
            resolve_promise(self._promises.popleft(), list(args))
        else:
            self._unconsumed.append(list(args))
            if not self._paused and len(self._unconsumed) > self._high:
                self._paused = True
                self.emitter.pause()

    def _on_error(self, err: Any) -> None:
        if self._promises:
            reject_promise(self._promises.popleft(), err)
        else:
            self._error = err
            self._has_error = True
        self._close()

    def _on_abort(self, _event: Any = None) -> None:
        self._on_error(abort_error(self._signal))

    def _close(self, *_args: Any) -> None:
        self._remove_all()
        self._finished = True
        while self._promises:
            reject_promise(self._promises.popleft(), StopAsyncIteration())

    def __aiter__(self) -> OnIterator:
        return self

    def __anext__(self) -> Promise[Any]:
        """The next event's argument list (awaiting it at the end raises StopAsyncIteration)."""
        if self._unconsumed:
            value = self._unconsumed.popleft()
            if self._paused and len(self._unconsumed) < self._low:
                self._paused = False
                self.emitter.resume()
            return Promise.resolve(value)
        if self._has_error:
            err, self._error, self._has_error = self._error, None, False
            return Promise.reject(err)
        if self._finished:
            self._close()
            return Promise.reject(StopAsyncIteration())
        promise: Promise[Any] = Promise._new()
        self._promises.append(promise)
        return promise

    def aclose(self) -> Promise[Any]:
        """Node's ``iterator.return()``: remove the listeners, end the iteration."""
        self._close()
        return Promise.resolve(None)

    return_ = aclose

    def throw(self, err: Any) -> Promise[Any]:
        """Node's ``iterator.throw(err)``: ends the iteration with ``err``."""
        if not isinstance(err, BaseException):
            raise NodeTypeError(
                'The "EventEmitter.AsyncIterator" property must be an instance of Error. '
                + describe_received(err),
                "ERR_INVALID_ARG_TYPE",
            )
        self._on_error(err)
        return Promise.resolve(None)

    def __del__(self) -> None:
        if self._listeners:
            self._remove_all()


def on(
    emitter: Any, name: Any, options: Any = None, *, signal: Any = None, close: Any = None
) -> OnIterator:
    """Node's ``events.on(emitter, name, {signal, close, highWaterMark, lowWaterMark})``:
    an async iterator of argument lists (the watermarks pause/resume the emitter).

    Raises at the call (as Node does) for bad options or an already-aborted signal.
    """
    opts = _options(options, signal)
    sig: AbortSignal | None = opts.get("signal")
    if sig is not None and sig.aborted:
        raise abort_error(sig)
    high = _watermark(opts, "highWaterMark", 2**53 - 1)
    low = _watermark(opts, "lowWaterMark", 1)
    return OnIterator(
        emitter, name, sig, close if close is not None else opts.get("close"), high, low
    )


def _watermark(opts: dict[str, Any], name: str, default: int) -> int:
    """Node's ``validateInteger(options.<name>, ..., 1)`` (old spelling accepted too)."""
    value = opts.get(name, opts.get(name.replace("Mark", "mark")))
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_arg_type(f"options.{name}", "of type number", value)
    if not float(value).is_integer():
        rule = "an integer"
    elif not 1 <= value <= 2**53 - 1:
        rule = ">= 1 && <= 9007199254740991"
    else:
        return int(value)
    raise NodeRangeError(
        f'The value of "options.{name}" is out of range. It must be {rule}. Received {value!r}',
        "ERR_OUT_OF_RANGE",
    )


__all__ = ["OnIterator", "on", "once"]
