"""EventEmitter, as Node's ``events`` module: purely synchronous.

Owns: ``EventEmitter`` (on/addListener, once, off/removeListener,
prependListener, prependOnceListener, emit, listenerCount, listeners,
rawListeners, eventNames, removeAllListeners, set/getMaxListeners),
``errorMonitor``; ``once(emitter, name)`` (a Promise) and ``on(emitter, name)`` (an
async iterator) are re-exported from ``_events_async``.

Semantics kept from Node: ``emit`` calls a snapshot of the listeners in order
and returns whether there were any; ``'error'`` with no listener raises the
error (or an ERR_UNHANDLED_ERROR wrapper for a non-exception); ``off`` removes
the most recently added matching listener; ``'newListener'`` is emitted before
a listener is added and ``'removeListener'`` after one is removed; more than
``getMaxListeners()`` listeners for one event warns once
(MaxListenersExceededWarning). Listeners are called as JS calls functions:
surplus arguments are dropped for plain functions that take fewer.

Each listener is stored as a ``(listener, max_positional)`` pair: the argument
count is worked out once when a listener is added, not per ``emit`` (a socket
emits 'data' once per read). As in Node, an event with one listener stores the
pair bare and only a second listener makes a list (a connection holds a few
one-listener events: this keeps it small).

Imports: errors, _compat (and _events_async, at the end, for ``once``/``on``).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any, Self

from ._compat import call_js, max_positional
from .errors import NodeError, ensure_callable


class MaxListenersExceededWarning(RuntimeWarning):
    """Node's warning for a probable listener leak (``emitter``, ``type``, ``count``)."""

    name = "MaxListenersExceededWarning"

    def __init__(self, message: str, emitter: Any, event: Any, count: int) -> None:
        super().__init__(message)
        self.emitter = emitter
        self.type = event
        self.count = count


def _check_max_listeners(n: Any, name: str) -> int:
    """Node's validateNumber(n, name, 0): a non-negative number (Infinity allowed)."""
    from .errors import NodeRangeError, invalid_arg_type

    if isinstance(n, bool) or not isinstance(n, (int, float)):
        raise invalid_arg_type(name, "of type number", n)
    if n != n or n < 0:  # NaN or negative
        raise NodeRangeError(
            f'The value of "{name}" is out of range. It must be >= 0. Received {n!r}',
            "ERR_OUT_OF_RANGE",
        )
    return n  # type: ignore[return-value]


class _StaticOrBound:
    """``EventEmitter.setMaxListeners(n, *targets)`` on the class (Node's static form),
    ``emitter.setMaxListeners(n)`` on an instance."""

    def __init__(self, static: Callable[..., Any], method: Callable[..., Any]) -> None:
        self.static = static
        self.method = method

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self.static
        return types.MethodType(self.method, obj)


class _ErrorMonitor:
    def __repr__(self) -> str:
        return "events.errorMonitor"


errorMonitor: Any = _ErrorMonitor()


class _OnceWrapper:
    __slots__ = ("emitter", "event", "fired", "listener")

    def __init__(self, emitter: EventEmitter, event: Any, listener: Callable[..., Any]) -> None:
        self.emitter = emitter
        self.event = event
        self.listener = listener
        self.fired = False

    def __call__(self, *args: Any) -> Any:
        if self.fired:
            return None
        self.fired = True
        self.emitter.removeListener(self.event, self)
        return call_js(self.listener, *args)


class EventEmitter:
    """Node's EventEmitter."""

    defaultMaxListeners = 10

    __slots__ = ("_events", "_max_listeners", "_warned")

    def __init__(self) -> None:
        # event -> (listener, arity) for one listener, or a list of such pairs
        self._events: dict[Any, Any] = {}
        self._max_listeners: int | None = None
        self._warned: set[Any] | None = None

    # -- adding ---------------------------------------------------------------------

    def _add(self, event: Any, listener: Callable[..., Any], prepend: bool) -> Self:
        ensure_callable(listener, "listener")
        events = self._events
        if "newListener" in events:
            raw = listener.listener if isinstance(listener, _OnceWrapper) else listener
            self.emit("newListener", event, raw)
        entry = (listener, max_positional(listener))
        cur = events.get(event)
        if cur is None:
            events[event] = entry
            return self
        lst = cur if type(cur) is list else [cur]
        events[event] = lst
        if prepend:
            lst.insert(0, entry)
        else:
            lst.append(entry)
        limit = self.getMaxListeners()
        if 0 < limit < len(lst) and (self._warned is None or event not in self._warned):
            if self._warned is None:
                self._warned = set()
            self._warned.add(event)
            _warn_leak(self, event, len(lst), limit)
        return self

    def on(self, event: Any, listener: Callable[..., Any]) -> Self:
        """``emitter.on(event, listener)``."""
        return self._add(event, listener, False)

    addListener = on

    def prependListener(self, event: Any, listener: Callable[..., Any]) -> Self:
        return self._add(event, listener, True)

    def once(self, event: Any, listener: Callable[..., Any]) -> Self:
        """``emitter.once``: the listener is removed before it is called."""
        ensure_callable(listener, "listener")
        return self._add(event, _OnceWrapper(self, event, listener), False)

    def prependOnceListener(self, event: Any, listener: Callable[..., Any]) -> Self:
        ensure_callable(listener, "listener")
        return self._add(event, _OnceWrapper(self, event, listener), True)

    # -- removing -------------------------------------------------------------------

    def removeListener(self, event: Any, listener: Callable[..., Any]) -> Self:
        """``emitter.off``: removes the most recently added matching listener."""
        ensure_callable(listener, "listener")
        lst = self._entries(event)
        if not lst:
            return self
        for i in range(len(lst) - 1, -1, -1):
            item = lst[i][0]
            if item is listener or (isinstance(item, _OnceWrapper) and item.listener is listener):
                del lst[i]
                if not lst:
                    del self._events[event]
                elif len(lst) == 1:
                    self._events[event] = lst[0]
                else:
                    self._events[event] = lst
                if "removeListener" in self._events:
                    raw = item.listener if isinstance(item, _OnceWrapper) else item
                    self.emit("removeListener", event, raw)
                break
        return self

    off = removeListener

    def removeAllListeners(self, event: Any = None) -> Self:
        """Node's removeAllListeners: with 'removeListener' listeners present, each
        removal is announced (newest first per event, the 'removeListener' event last)."""
        events = self._events
        if "removeListener" not in events:
            if event is None:
                events.clear()
            else:
                events.pop(event, None)
            return self
        if event is None:
            for name in [n for n in events if n != "removeListener"]:
                self.removeAllListeners(name)
            self.removeAllListeners("removeListener")
            events.clear()
            return self
        for item, _n in reversed(self._entries(event)):
            self.removeListener(event, item)
        return self

    # -- emitting -------------------------------------------------------------------

    def emit(self, event: Any, *args: Any) -> bool:
        """Call every listener of ``event`` in order; return whether there was one."""
        events = self._events
        if event == "error":
            if errorMonitor in events:
                for fn, _n in self._entries(errorMonitor):
                    call_js(fn, *args)
            if not events.get("error"):
                err = args[0] if args else None
                if isinstance(err, BaseException):
                    raise err
                exc = NodeError(f"Unhandled error. ({err!r})")
                exc.code = "ERR_UNHANDLED_ERROR"
                exc.context = err  # type: ignore[attr-defined]
                raise exc
        cur = events.get(event)
        if cur is None:
            return False
        if type(cur) is tuple:
            fn, n = cur
            if n < 0 or n >= len(args):
                fn(*args)
            else:
                fn(*args[:n])
            return True
        for fn, n in cur.copy():
            if n < 0 or n >= len(args):
                fn(*args)
            else:
                fn(*args[:n])
        return True

    # -- inspection -----------------------------------------------------------------

    def _listener_count(self, event: Any, listener: Callable[..., Any] | None = None) -> int:
        """``emitter.listenerCount(event[, listener])``."""
        lst = self._entries(event)
        if not lst:
            return 0
        if listener is None:
            return len(lst)
        return sum(
            1
            for f, _n in lst
            if f is listener or (isinstance(f, _OnceWrapper) and f.listener is listener)
        )

    # Node also has the (deprecated) static EventEmitter.listenerCount(emitter, event).
    listenerCount: Any = _StaticOrBound(
        lambda emitter, event: emitter.listenerCount(event), _listener_count
    )

    def listeners(self, event: Any) -> list[Callable[..., Any]]:
        return [
            f.listener if isinstance(f, _OnceWrapper) else f
            for f, _n in self._entries(event)
        ]

    def rawListeners(self, event: Any) -> list[Callable[..., Any]]:
        return [f for f, _n in self._entries(event)]

    def _entries(self, event: Any) -> list[tuple[Callable[..., Any], int]]:
        """The (listener, arity) pairs of ``event`` as a list (a new one for a lone pair)."""
        cur = self._events.get(event)
        if cur is None:
            return []
        return cur if type(cur) is list else [cur]

    def eventNames(self) -> list[Any]:
        return list(self._events)

    def _set_max_listeners(self, n: int) -> Self:
        """``emitter.setMaxListeners(n)``; 0 (or ``math.inf``) means unlimited."""
        self._max_listeners = _check_max_listeners(n, "setMaxListeners")
        return self

    setMaxListeners: Any = _StaticOrBound(
        lambda n=None, *targets: _set_max_listeners_static(n, *targets), _set_max_listeners
    )

    def getMaxListeners(self) -> int:
        m = self._max_listeners
        return EventEmitter.defaultMaxListeners if m is None else m


def _warn_leak(emitter: EventEmitter, event: Any, count: int, limit: int) -> None:
    """Node's MaxListenersExceededWarning, through ``process.emitWarning``."""
    from .process import process

    name = event if isinstance(event, str) else repr(event)
    warning = MaxListenersExceededWarning(
        f"Possible EventEmitter memory leak detected. {count} {name} listeners added to "
        f"[{type(emitter).__name__}]. MaxListeners is {limit}. Use emitter.setMaxListeners() "
        "to increase limit",
        emitter,
        event,
        count,
    )
    process.emitWarning(warning)


def _set_max_listeners_static(n: Any = None, *targets: Any) -> None:
    """``events.setMaxListeners(n, *eventTargets)``: no targets changes the default."""
    if n is None:
        n = EventEmitter.defaultMaxListeners
    n = _check_max_listeners(n, "n")
    if not targets:
        EventEmitter.defaultMaxListeners = n
        return
    for target in targets:
        if isinstance(target, EventEmitter):
            target._set_max_listeners(n)
        elif hasattr(target, "setMaxListeners"):
            target.setMaxListeners(n)
        else:
            from .errors import invalid_arg_type

            raise invalid_arg_type("eventTargets", "an instance of EventEmitter or EventTarget",
                                   target)


setMaxListeners = _set_max_listeners_static


def getMaxListeners(emitter: Any) -> int:
    """``events.getMaxListeners(emitterOrTarget)``."""
    return int(emitter.getMaxListeners())


class _EventsModule(types.ModuleType):
    """``events.defaultMaxListeners`` reads and writes EventEmitter's (validated, as Node)."""

    @property
    def defaultMaxListeners(self) -> int:
        return EventEmitter.defaultMaxListeners

    @defaultMaxListeners.setter
    def defaultMaxListeners(self, n: int) -> None:
        EventEmitter.defaultMaxListeners = _check_max_listeners(n, "defaultMaxListeners")


sys.modules[__name__].__class__ = _EventsModule


# ``once``/``on`` live in _events_async (they need promise, asyncfn and abort; that
# module uses emitters through their methods only, so importing it here is no cycle).
from ._events_async import on as on  # noqa: E402
from ._events_async import once as once  # noqa: E402
