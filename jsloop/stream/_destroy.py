"""destroy(), construct() and errorOrDestroy() (Node's lib/internal/streams/destroy.js).

Owns: the one destroy sequence shared by Readable, Writable and Duplex:
``destroy(err)`` marks both sides destroyed, calls ``_destroy(err, cb)``;
the callback marks them closed and schedules, in one nextTick, ``'error'``
(at most once per stream) then ``'close'`` (if ``emitClose``). ``construct``
runs ``_construct`` in a nextTick and holds reads/writes until it calls back.
``destroyer`` is the "tear this down whatever it is" used by pipeline and
async iteration.

Invariant: 'error' is emitted at most once per stream (``kErrorEmitted`` is
checked on both states), and 'close' at most once (only from the destroy
callback, which ignores a second call).

Imports: _utils, timers (nextTick).
"""

from __future__ import annotations

from typing import Any

from ..timers import nextTick
from ._utils import (
    ERR_MULTIPLE_CALLBACK,
    aggregate_two_errors,
    isDestroyed,
    isFinished,
    kAutoDestroy,
    kClosed,
    kCloseEmitted,
    kConstructed,
    kDestroyed,
    kEmitClose,
    kErrored,
    kErrorEmitted,
)


class _Sym:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Symbol({self.name})"


kDestroy: Any = _Sym("kDestroy")
kConstruct: Any = _Sym("kConstruct")


def check_error(err: Any, w: Any, r: Any) -> None:
    if err:
        if w is not None and not w.errored:
            w.errored = err
        if r is not None and not r.errored:
            r.errored = err


def destroy(self: Any, err: Any = None, cb: Any = None) -> Any:
    """``stream.destroy([err][, cb])``: idempotent; 'error' (if err) then 'close' follow."""
    r = self._readableState
    w = self._writableState
    s = w if w is not None else r
    if (w is not None and w.bits & kDestroyed) or (r is not None and r.bits & kDestroyed):
        if callable(cb):
            cb()
        return self
    check_error(err, w, r)
    if w is not None:
        w.bits |= kDestroyed
    if r is not None:
        r.bits |= kDestroyed
    if not s.bits & kConstructed:

        def on_destroy(er: Any = None) -> None:
            _destroy(self, aggregate_two_errors(er, err), cb)

        self.once(kDestroy, on_destroy)
    else:
        _destroy(self, err, cb)
    return self


def _destroy(self: Any, err: Any, cb: Any) -> None:
    called = False

    def on_destroy(err: Any = None, *_rest: Any) -> None:
        nonlocal called
        if called:
            return
        called = True
        r = self._readableState
        w = self._writableState
        check_error(err, w, r)
        if w is not None:
            w.bits |= kClosed
        if r is not None:
            r.bits |= kClosed
        if callable(cb):
            cb(err)
        if err:
            nextTick(emit_error_close_nt, self, err)
        else:
            nextTick(emit_close_nt, self)

    try:
        self._destroy(err or None, on_destroy)
    except Exception as exc:
        on_destroy(exc)


def emit_error_close_nt(self: Any, err: Any) -> None:
    emit_error_nt(self, err)
    emit_close_nt(self)


def emit_close_nt(self: Any) -> None:
    r = self._readableState
    w = self._writableState
    if w is not None:
        w.bits |= kCloseEmitted
    if r is not None:
        r.bits |= kCloseEmitted
    if (w is not None and w.bits & kEmitClose) or (r is not None and r.bits & kEmitClose):
        self.emit("close")


def emit_error_nt(self: Any, err: Any) -> None:
    r = self._readableState
    w = self._writableState
    if (w is not None and w.bits & kErrorEmitted) or (r is not None and r.bits & kErrorEmitted):
        return
    if w is not None:
        w.bits |= kErrorEmitted
    if r is not None:
        r.bits |= kErrorEmitted
    self.emit("error", err)


def undestroy(self: Any) -> None:
    """``stream._undestroy()``: back to a fresh state (used by net.Socket on reconnect)."""
    r = self._readableState
    w = self._writableState
    if r is not None:
        r.constructed = True
        r.closed = False
        r.closeEmitted = False
        r.destroyed = False
        r.errored = None
        r.errorEmitted = False
        r.reading = False
        r.ended = r.readable is False
        r.endEmitted = r.readable is False
    if w is not None:
        w.constructed = True
        w.destroyed = False
        w.closed = False
        w.closeEmitted = False
        w.errored = None
        w.errorEmitted = False
        w.finalCalled = False
        w.prefinished = False
        w.ended = w.writable is False
        w.ending = w.writable is False
        w.finished = w.writable is False


def errorOrDestroy(stream: Any, err: Any, sync: bool = False) -> None:
    """Destroy with ``err`` if autoDestroy is on; else record it and emit 'error'."""
    r = getattr(stream, "_readableState", None)
    w = getattr(stream, "_writableState", None)
    if (w is not None and w.bits & kDestroyed) or (r is not None and r.bits & kDestroyed):
        return
    if (r is not None and r.bits & kAutoDestroy) or (w is not None and w.bits & kAutoDestroy):
        stream.destroy(err)
    elif err:
        if w is not None and not w.bits & kErrored:
            w.errored = err
        if r is not None and not r.bits & kErrored:
            r.errored = err
        if sync:
            nextTick(emit_error_nt, stream, err)
        else:
            emit_error_nt(stream, err)


def construct(stream: Any, cb: Any) -> None:
    """Hold the stream unconstructed until ``_construct(callback)`` calls back."""
    if not callable(getattr(stream, "_construct", None)):
        return
    r = stream._readableState
    w = stream._writableState
    if r is not None:
        r.bits &= ~kConstructed
    if w is not None:
        w.bits &= ~kConstructed
    stream.once(kConstruct, cb)
    if stream.listenerCount(kConstruct) > 1:
        return
    nextTick(_construct_nt, stream)


def _construct_nt(stream: Any) -> None:
    called = False

    def on_construct(err: Any = None) -> None:
        nonlocal called
        if called:
            errorOrDestroy(stream, err if err is not None else ERR_MULTIPLE_CALLBACK())
            return
        called = True
        r = stream._readableState
        w = stream._writableState
        s = w if w is not None else r
        if r is not None:
            r.bits |= kConstructed
        if w is not None:
            w.bits |= kConstructed
        if s.destroyed:
            stream.emit(kDestroy, err)
        elif err:
            errorOrDestroy(stream, err, True)
        else:
            stream.emit(kConstruct)

    def callback(err: Any = None, *_rest: Any) -> None:
        nextTick(on_construct, err)

    try:
        stream._construct(callback)
    except Exception as exc:
        nextTick(on_construct, exc)


def _emit_close_legacy(stream: Any) -> None:
    stream.emit("close")


def _emit_error_close_legacy(stream: Any, err: Any) -> None:
    stream.emit("error", err)
    nextTick(_emit_close_legacy, stream)


def destroyer(stream: Any, err: Any) -> None:
    """Tear ``stream`` down however it can be (pipeline, async iteration)."""
    if stream is None or isDestroyed(stream):
        return
    if not err and not isFinished(stream):
        from ..abort import AbortError

        err = AbortError()
    if callable(getattr(stream, "destroy", None)):
        stream.destroy(err)
    elif callable(getattr(stream, "close", None)):
        stream.close()
    elif err:
        nextTick(_emit_error_close_legacy, stream, err)
    else:
        nextTick(_emit_close_legacy, stream)
    if not getattr(stream, "destroyed", False):
        try:
            stream._jsloop_is_destroyed = True
        except AttributeError:
            pass
