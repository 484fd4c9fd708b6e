"""AbortController, AbortSignal, EventTarget, Event, DOMException, AbortError.

Owns: Node's web-style cancellation objects (lib/internal/abort_controller.js,
lib/internal/event_target.js) and the helpers other jsloop modules use to
honour a ``signal`` option: ``validate_abort_signal`` (Node's
``validateAbortSignal``), ``abort_error`` (the ``AbortError`` whose ``cause``
is the signal's reason) and ``add_abort_listener`` (Node 20's
``events.addAbortListener``: returns a disposer).

Semantics kept from Node 20:
* dispatch is synchronous: ``controller.abort()`` sets ``aborted`` and
  ``reason``, calls the 'abort' listeners in registration order (``onabort``
  sits where it was first set), then aborts signals made by
  ``AbortSignal.any`` that depend on it; a second ``abort()`` is a no-op;
* an exception raised by a listener does not stop dispatch: it is re-raised
  from a ``process.nextTick`` callback, so it becomes an uncaught exception
  after the current operation (Node's ``emitUncaughtException``);
* the default reason is a ``DOMException`` named 'AbortError' (code 20);
  ``AbortSignal.timeout(ms)`` aborts through an unref'd timer with a
  ``DOMException`` named 'TimeoutError' (code 23), so it never keeps the loop
  alive;
* a listener is a callable or an object with ``handleEvent``; adding the same
  (listener, capture) twice is a no-op; ``{once, signal}`` options work.

Python has no ``undefined``: ``abort()`` and ``abort(None)`` both use the
default reason (Node: ``abort(null)`` keeps ``null``). ``throwIfAborted``
raises the reason; a reason that is not an exception is raised wrapped in
``RejectionError`` (its ``.reason`` is the value), as ``await`` does.

Imports: errors, _compat (timers and process lazily, for timeout/nextTick).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from ._compat import call_js
from .errors import NodeTypeError, RejectionError, invalid_arg_type

# -- errors -----------------------------------------------------------------------------

_DOM_CODES = {
    "IndexSizeError": 1,
    "HierarchyRequestError": 3,
    "WrongDocumentError": 4,
    "InvalidCharacterError": 5,
    "NoModificationAllowedError": 7,
    "NotFoundError": 8,
    "NotSupportedError": 9,
    "InvalidStateError": 11,
    "SyntaxError": 12,
    "InvalidModificationError": 13,
    "NamespaceError": 14,
    "InvalidAccessError": 15,
    "TypeMismatchError": 17,
    "SecurityError": 18,
    "NetworkError": 19,
    "AbortError": 20,
    "URLMismatchError": 21,
    "QuotaExceededError": 22,
    "TimeoutError": 23,
    "InvalidNodeTypeError": 24,
    "DataCloneError": 25,
}


class DOMException(Exception):
    """The web ``DOMException``: ``name``, ``message`` and the legacy numeric ``code``."""

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.code = _DOM_CODES.get(name, 0)

    def __repr__(self) -> str:
        return f"DOMException({self.message!r}, {self.name!r})"

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class AbortError(Exception):
    """Node's ``AbortError``: ``name`` 'AbortError', ``code`` 'ABORT_ERR', ``cause`` the reason."""

    name = "AbortError"
    code = "ABORT_ERR"

    def __init__(
        self, message: str = "The operation was aborted", options: Any = None, *, cause: Any = None
    ) -> None:
        if options is not None:
            if not isinstance(options, dict):
                raise invalid_arg_type("options", "of type object", options)
            cause = options.get("cause", cause)
        super().__init__(message)
        self.message = message
        self.cause = cause
        if isinstance(cause, BaseException):
            self.__cause__ = cause

    def __str__(self) -> str:
        return f"AbortError: {self.message}"


def _default_reason() -> DOMException:
    return DOMException("This operation was aborted", "AbortError")


def _timeout_reason() -> DOMException:
    return DOMException("The operation was aborted due to timeout", "TimeoutError")


def reason_as_exception(reason: Any) -> BaseException:
    """The exception to raise for an abort ``reason`` (wrapped if it is not one)."""
    return reason if isinstance(reason, BaseException) else RejectionError(reason)


def _report_listener_error(exc: BaseException) -> None:
    """Node's ``emitUncaughtException``: rethrow from a nextTick, so dispatch goes on."""
    from .timers import nextTick

    def rethrow() -> None:
        raise exc

    nextTick(rethrow)


# Options key (Node's internal kResistStopPropagation symbol): the listeners jsloop itself
# adds for a ``signal`` option still run when a user listener called
# ``stopImmediatePropagation``.
RESIST_STOP_PROPAGATION = "jsloop.resistStopPropagation"


# -- Event ------------------------------------------------------------------------------


class Event:
    """The web ``Event`` (as Node's): ``type``, ``target``, ``preventDefault`` and friends."""

    __slots__ = (
        "_bubbles",
        "_cancelable",
        "_composed",
        "_current_target",
        "_default_prevented",
        "_dispatching",
        "_stop",
        "_target",
        "_trusted",
        "_type",
        "timeStamp",
    )

    NONE = 0
    CAPTURING_PHASE = 1
    AT_TARGET = 2
    BUBBLING_PHASE = 3

    def __init__(self, type: Any, options: dict[str, Any] | None = None) -> None:
        if options is not None and not isinstance(options, dict):
            raise invalid_arg_type("options", "of type object", options)
        opts = options or {}
        self._type = str(type)
        self._bubbles = bool(opts.get("bubbles", False))
        self._cancelable = bool(opts.get("cancelable", False))
        self._composed = bool(opts.get("composed", False))
        self._default_prevented = False
        self._stop = False
        self._dispatching = False
        self._trusted = False
        self._target: Any = None
        self._current_target: Any = None
        self.timeStamp = time.monotonic() * 1000.0

    type = property(lambda self: self._type)
    bubbles = property(lambda self: self._bubbles)
    cancelable = property(lambda self: self._cancelable)
    composed = property(lambda self: self._composed)
    isTrusted = property(lambda self: self._trusted)
    target = property(lambda self: self._target)
    srcElement = target
    currentTarget = property(lambda self: self._current_target)
    defaultPrevented = property(lambda self: self._cancelable and self._default_prevented)
    returnValue = property(lambda self: not self.defaultPrevented)
    cancelBubble = property(lambda self: self._stop)
    eventPhase = property(lambda self: Event.AT_TARGET if self._dispatching else Event.NONE)

    def preventDefault(self) -> None:
        self._default_prevented = True

    def stopPropagation(self) -> None:
        pass  # nothing propagates in Node's EventTarget

    def stopImmediatePropagation(self) -> None:
        self._stop = True

    def composedPath(self) -> list[Any]:
        return [self._current_target] if self._dispatching else []

    def __repr__(self) -> str:
        return f"Event(type={self._type!r}, isTrusted={self._trusted})"


# -- EventTarget ------------------------------------------------------------------------


class _Listener:
    __slots__ = ("callback", "capture", "once", "remove_on_abort", "removed", "resist")

    def __init__(self, callback: Any, capture: bool, once: bool, resist: bool = False) -> None:
        self.callback = callback
        self.capture = capture
        self.once = once
        self.resist = resist  # Node's kResistStopPropagation: runs even after a stop
        self.removed = False
        self.remove_on_abort: Callable[[], None] | None = None


def _validate_listener(listener: Any) -> bool:
    if callable(listener) or callable(getattr(listener, "handleEvent", None)):
        return True
    if listener is None:
        return False
    if isinstance(listener, (str, bytes, int, float, bool)):
        raise invalid_arg_type("listener", "an instance of EventListener", listener)
    return True  # an object whose handleEvent is looked up at dispatch time


class EventTarget:
    """Node's ``EventTarget``: ``addEventListener``/``removeEventListener``/``dispatchEvent``."""

    __slots__ = ("__weakref__", "_et_listeners", "_handlers")

    def __init__(self) -> None:
        self._et_listeners: dict[str, list[_Listener]] = {}
        self._handlers: dict[str, _Listener] | None = None

    def addEventListener(self, type: Any, listener: Any, options: Any = None) -> None:
        """``addEventListener(type, listener, {once, capture, passive, signal})``."""
        if not _validate_listener(listener):
            return
        once = capture = resist = False
        signal = None
        if isinstance(options, dict):
            once = bool(options.get("once", False))
            resist = bool(options.get(RESIST_STOP_PROPAGATION, False))
            capture = bool(options.get("capture", False))
            signal = options.get("signal")
            if signal is not None:
                validate_abort_signal(signal, "options.signal")
        elif options is not None:
            capture = bool(options)
        if signal is not None and signal.aborted:
            return
        name = str(type)
        lst = self._et_listeners.setdefault(name, [])
        for item in lst:
            if item.callback is listener and item.capture == capture:
                return
        entry = _Listener(listener, capture, once, resist)
        lst.append(entry)
        if signal is not None:
            target_ref = weakref.ref(self)

            def on_abort(_event: Any = None) -> None:
                target = target_ref()
                if target is not None:
                    target.removeEventListener(name, listener, {"capture": capture})

            entry.remove_on_abort = add_abort_listener(signal, on_abort)
        self._new_listener(name, len(lst))

    def removeEventListener(self, type: Any, listener: Any, options: Any = None) -> None:
        """``removeEventListener(type, listener, {capture})``."""
        if isinstance(options, dict):
            capture = bool(options.get("capture", False))
        else:
            capture = bool(options)
        name = str(type)
        lst = self._et_listeners.get(name)
        if not lst:
            return
        for i, item in enumerate(lst):
            if item.callback is listener and item.capture == capture:
                self._drop(name, lst, i)
                return

    def _drop(self, name: str, lst: list[_Listener], i: int) -> None:
        item = lst.pop(i)
        item.removed = True
        if item.remove_on_abort is not None:
            item.remove_on_abort()
            item.remove_on_abort = None
        if not lst:
            del self._et_listeners[name]
        self._removed_listener(name, len(lst))

    def _new_listener(self, name: str, size: int) -> None:
        """Hook: a listener for ``name`` was added (``size`` now registered)."""

    def _removed_listener(self, name: str, size: int) -> None:
        """Hook: a listener for ``name`` was removed (``size`` left)."""

    def dispatchEvent(self, event: Any) -> bool:
        """Call the listeners of ``event.type`` synchronously; False if default was prevented."""
        if not isinstance(event, Event):
            raise invalid_arg_type("event", "an instance of Event", event)
        if event._dispatching:
            raise NodeTypeError("The event is already being dispatched", "ERR_EVENT_RECURSION")
        event._dispatching = True
        event._target = event._current_target = self
        try:
            lst = self._et_listeners.get(event._type)
            for item in list(lst) if lst else ():
                if item.removed or (event._stop and not item.resist):
                    continue
                if item.once:
                    cur = self._et_listeners.get(event._type)
                    if cur is not None and item in cur:
                        self._drop(event._type, cur, cur.index(item))
                try:
                    cb = item.callback
                    if callable(cb):
                        call_js(cb, event)
                    else:
                        handle = getattr(cb, "handleEvent", None)
                        if callable(handle):
                            call_js(handle, event)
                except Exception as exc:
                    _report_listener_error(exc)
        finally:
            event._dispatching = False
            event._current_target = None
        return not event.defaultPrevented

    # ``on<type>`` attribute handlers (Node's defineEventHandler)
    def _get_handler(self, name: str) -> Any:
        h = self._handlers.get(name) if self._handlers else None
        return None if h is None else h.callback.handler

    def _set_handler(self, name: str, value: Any) -> None:
        if self._handlers is None:
            self._handlers = {}
        handler = value if callable(value) else None
        wrapper = self._handlers.get(name)
        if wrapper is not None:
            if handler is None:
                self.removeEventListener(name, wrapper.callback)
                del self._handlers[name]
            else:
                wrapper.callback.handler = handler
            return
        if handler is not None:
            cb = _EventHandler(handler)
            self.addEventListener(name, cb)
            lst = self._et_listeners[name]
            self._handlers[name] = lst[-1]


class _EventHandler:
    __slots__ = ("handler",)

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler = handler

    def __call__(self, event: Any) -> Any:
        return call_js(self.handler, event)


# -- AbortSignal ------------------------------------------------------------------------

_CONSTRUCT = object()
# Node's gcPersistentSignals, per loop (key: id of the loop that was running, 0 if none).
_persistent_signals: dict[int, set[AbortSignal]] = {}


def _hold(signal: AbortSignal) -> None:
    """Keep ``signal`` alive while it has listeners, at most until its loop closes."""
    from ._runtime import current_loop_or_none

    loop = current_loop_or_none()
    key = 0 if loop is None else id(loop)
    held = _persistent_signals.get(key)
    if held is None:
        held = _persistent_signals[key] = set()
        if loop is not None:
            # A loop that ended fires no more timers: nothing can abort these any more.
            loop.on_close(lambda: _persistent_signals.pop(key, None))
    held.add(signal)
    signal._hold_key = key


def _release(signal: AbortSignal) -> None:
    key = signal._hold_key
    if key is not None:
        signal._hold_key = None
        held = _persistent_signals.get(key)
        if held is not None:
            held.discard(signal)


class AbortSignal(EventTarget):
    """Node's ``AbortSignal``: made by ``AbortController`` or the static factories only."""

    __slots__ = ("_aborted", "_dependants", "_hold_key", "_reason", "_sources", "_timer")

    def __init__(self, _token: Any = None) -> None:
        if _token is not _CONSTRUCT:
            raise NodeTypeError("Illegal constructor", "ERR_ILLEGAL_CONSTRUCTOR")
        super().__init__()
        self._aborted = False
        self._reason: Any = None
        self._dependants: list[weakref.ref[AbortSignal]] | None = None
        self._timer: Any = None
        self._sources: list[AbortSignal] | None = None
        self._hold_key: int | None = None

    def _new_listener(self, name: str, size: int) -> None:
        # Node's gcPersistentSignals: a timeout or composite signal is held only weakly
        # (by its timer or its sources), so while it has an 'abort' listener it must be
        # kept alive here, or the listener would never run.
        if name == "abort" and size == 1 and not self._aborted and self._is_weakly_held():
            _hold(self)

    def _removed_listener(self, name: str, size: int) -> None:
        if name == "abort" and size == 0:
            _release(self)

    def _is_weakly_held(self) -> bool:
        return self._timer is not None or bool(self._sources)

    @property
    def aborted(self) -> bool:
        return self._aborted

    @property
    def reason(self) -> Any:
        return self._reason

    def throwIfAborted(self) -> None:
        """Raise the reason if aborted."""
        if self._aborted:
            raise reason_as_exception(self._reason)

    @property
    def onabort(self) -> Any:
        return self._get_handler("abort")

    @onabort.setter
    def onabort(self, value: Any) -> None:
        self._set_handler("abort", value)

    @staticmethod
    def abort(reason: Any = None) -> AbortSignal:
        """``AbortSignal.abort(reason)``: a signal that is already aborted."""
        signal = AbortSignal(_CONSTRUCT)
        signal._aborted = True
        signal._reason = _default_reason() if reason is None else reason
        return signal

    @staticmethod
    def timeout(ms: Any) -> AbortSignal:
        """``AbortSignal.timeout(ms)``: aborts with a TimeoutError; its timer is unref'd."""
        from .timers import setTimeout

        if isinstance(ms, bool) or not isinstance(ms, (int, float)):
            raise invalid_arg_type("delay", "of type number", ms)
        if not 0 <= ms <= 2**53 - 1 or ms != ms:
            from .errors import NodeRangeError

            raise NodeRangeError(
                f'The value of "delay" is out of range. It must be >= 0 && <= '
                f"9007199254740991. Received {ms!r}",
                "ERR_OUT_OF_RANGE",
            )
        signal = AbortSignal(_CONSTRUCT)
        ref = weakref.ref(signal)

        def fire() -> None:
            s = ref()
            if s is not None:
                _abort_signal(s, _timeout_reason())

        signal._timer = setTimeout(fire, ms).unref()
        return signal

    @staticmethod
    def any(signals: Iterable[Any] | None = None) -> AbortSignal:
        """``AbortSignal.any(signals)``: aborts with the reason of the first source to abort."""
        if isinstance(signals, (str, bytes)) or not isinstance(signals, (list, tuple)):
            raise invalid_arg_type("signals", "an instance of Array", signals)
        for i, s in enumerate(signals):
            if not isinstance(s, AbortSignal):
                raise invalid_arg_type(f"signals[{i}]", "an instance of AbortSignal", s)
        result = AbortSignal(_CONSTRUCT)
        result._sources = []
        for s in signals:
            if s._aborted:
                result._aborted = True
                result._reason = s._reason
                return result
            # A composite source is flattened to its own sources (Node does the same), so
            # dependants abort in the order they were made. Sources hold dependants weakly;
            # the composite holds its sources strongly so a timeout source outlives the call.
            for src in [s] if s._sources is None else s._sources:
                if src in result._sources:
                    continue
                result._sources.append(src)
                if src._dependants is None:
                    src._dependants = []
                src._dependants.append(weakref.ref(result))
        return result

    def __repr__(self) -> str:
        return f"AbortSignal {{ aborted: {'true' if self._aborted else 'false'} }}"


def _abort_signal(signal: AbortSignal, reason: Any) -> None:
    """Node's ``abortSignal``: set state, dispatch 'abort', then abort dependants."""
    if signal._aborted:
        return
    signal._aborted = True
    signal._reason = reason
    _release(signal)
    event = Event("abort")
    event._trusted = True
    signal.dispatchEvent(event)
    deps = signal._dependants
    if deps:
        signal._dependants = None
        for ref in deps:
            dep = ref()
            if dep is not None:
                _abort_signal(dep, reason)


class AbortController:
    """Node's ``AbortController``: ``signal`` and ``abort(reason)``."""

    __slots__ = ("_signal",)

    def __init__(self) -> None:
        self._signal = AbortSignal(_CONSTRUCT)

    @property
    def signal(self) -> AbortSignal:
        return self._signal

    def abort(self, reason: Any = None) -> None:
        """Abort the signal (no-op if already aborted); the default reason is an AbortError."""
        _abort_signal(self._signal, _default_reason() if reason is None else reason)

    def __repr__(self) -> str:
        return f"AbortController {{ signal: {self._signal!r} }}"


# -- helpers for modules that take a ``signal`` option -----------------------------------


def validate_abort_signal(signal: Any, name: str = "options.signal") -> None:
    """Node's ``validateAbortSignal``: None is allowed; anything else must be an AbortSignal."""
    if signal is not None and not isinstance(signal, AbortSignal):
        raise invalid_arg_type(name, "an instance of AbortSignal", signal)


def abort_error(signal: AbortSignal | None) -> AbortError:
    """``new AbortError(undefined, {cause: signal.reason})``."""
    return AbortError(cause=None if signal is None else signal.reason)


def add_abort_listener(signal: AbortSignal, listener: Callable[..., Any]) -> Callable[[], None]:
    """Node 20's ``events.addAbortListener``: call ``listener(event)`` once on abort.

    If the signal is already aborted the listener runs from a microtask (as Node).
    Returns a disposer that removes the listener; calling it twice is harmless.
    """
    validate_abort_signal(signal, "signal")
    if signal.aborted:
        from .timers import queueMicrotask

        queueMicrotask(lambda: call_js(listener, None))
        return _noop
    signal.addEventListener("abort", listener, {"once": True, RESIST_STOP_PROPAGATION: True})

    def dispose() -> None:
        signal.removeEventListener("abort", listener)

    return dispose


def _noop() -> None:
    return None


__all__ = [
    "AbortController",
    "AbortError",
    "AbortSignal",
    "DOMException",
    "Event",
    "EventTarget",
    "abort_error",
    "add_abort_listener",
    "validate_abort_signal",
]
