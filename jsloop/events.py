"""EventEmitter, as Node's ``events`` module: purely synchronous.

Owns: ``EventEmitter`` (on/addListener, once, off/removeListener,
prependListener, prependOnceListener, emit, listenerCount, listeners,
rawListeners, eventNames, removeAllListeners, set/getMaxListeners),
``errorMonitor``, and ``once(emitter, name) -> Promise``.

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

Imports: errors, _compat (and promise, lazily, for ``once``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ._compat import call_js, max_positional
from .errors import NodeError, ensure_callable


class MaxListenersExceededWarning(RuntimeWarning):
    """Node's warning for a probable listener leak."""


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

    def _add(self, event: Any, listener: Callable[..., Any], prepend: bool) -> EventEmitter:
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
            warnings.warn(
                f"Possible EventEmitter memory leak detected. {len(lst)} {event} listeners "
                f"added to [{type(self).__name__}]. Use emitter.setMaxListeners() to "
                "increase limit",
                MaxListenersExceededWarning,
                stacklevel=3,
            )
        return self

    def on(self, event: Any, listener: Callable[..., Any]) -> EventEmitter:
        """``emitter.on(event, listener)``."""
        return self._add(event, listener, False)

    addListener = on

    def prependListener(self, event: Any, listener: Callable[..., Any]) -> EventEmitter:
        return self._add(event, listener, True)

    def once(self, event: Any, listener: Callable[..., Any]) -> EventEmitter:
        """``emitter.once``: the listener is removed before it is called."""
        ensure_callable(listener, "listener")
        return self._add(event, _OnceWrapper(self, event, listener), False)

    def prependOnceListener(self, event: Any, listener: Callable[..., Any]) -> EventEmitter:
        ensure_callable(listener, "listener")
        return self._add(event, _OnceWrapper(self, event, listener), True)

    # -- removing -------------------------------------------------------------------

    def removeListener(self, event: Any, listener: Callable[..., Any]) -> EventEmitter:
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

    def removeAllListeners(self, event: Any = None) -> EventEmitter:
        if event is None:
            names = [n for n in self._events if n != "removeListener"]
            for name in names:
                self.removeAllListeners(name)
            self._events.pop("removeListener", None)
            return self
        lst = self._entries(event)
        if lst:
            if "removeListener" in self._events and event != "removeListener":
                for item, _n in reversed(lst):
                    self.removeListener(event, item)
            self._events.pop(event, None)
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

    def listenerCount(self, event: Any, listener: Callable[..., Any] | None = None) -> int:
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

    def setMaxListeners(self, n: int) -> EventEmitter:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            from .errors import NodeRangeError

            raise NodeRangeError(
                f'The value of "n" is out of range. It must be a non-negative number. '
                f"Received {n!r}",
                "ERR_OUT_OF_RANGE",
            )
        self._max_listeners = n
        return self

    def getMaxListeners(self) -> int:
        m = self._max_listeners
        return EventEmitter.defaultMaxListeners if m is None else m


def once(emitter: EventEmitter, name: Any) -> Any:
    """``events.once(emitter, name)``: a Promise of the list of the event's arguments.

    Rejects if ``'error'`` is emitted first (unless ``name`` is ``'error'``).
    """
    from .promise import Promise

    done = Promise.withResolvers()

    def on_event(*args: Any) -> None:
        if name != "error":
            emitter.removeListener("error", on_error)
        done.resolve(list(args))

    def on_error(err: Any) -> None:
        emitter.removeListener(name, on_event)
        done.reject(err)

    emitter.once(name, on_event)
    if name != "error":
        emitter.once("error", on_error)
    return done.promise
