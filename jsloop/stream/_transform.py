"""Transform and PassThrough (Node's lib/internal/streams/transform.js, passthrough.js).

Owns: ``Transform``: a Duplex whose writes go through ``_transform(chunk,
encoding, callback)``; ``callback(err, data)`` pushes ``data``. The write
callback is held back (``_kCallback``) while the readable side is at its
highWaterMark, and released by the next ``_read``: that is how backpressure
crosses a Transform. On end, ``_flush(callback)`` runs before the readable
side ends (``push(None)``), from ``_final`` (or 'prefinish' when a subclass
replaced ``_final``).

Imports: _duplex, _utils, timers (nextTick).
"""

from __future__ import annotations

from typing import Any

from ..timers import nextTick
from ._duplex import Duplex
from ._legacy import merge_options
from ._rstate import kEnded as r_kEnded
from ._utils import ERR_METHOD_NOT_IMPLEMENTED, check_fn, get_high_water_mark, js_option
from ._wstate import kEnded as w_kEnded


class Transform(Duplex):
    """Node's ``stream.Transform``: override ``_transform`` (and ``_flush``), or pass
    ``transform=`` / ``flush=`` options (called with Node's arguments)."""

    __slots__ = ("_kCallback",)

    _flush: Any = None

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        opts = merge_options(options, kwargs)
        if opts:
            rhwm = get_high_water_mark(opts, "readableHighWaterMark", True, False)
            if rhwm == 0 and (
                opts.get("highWaterMark") is not None
                or opts.get("readableHighWaterMark") is not None
            ):
                opts = {
                    **opts,
                    "highWaterMark": None,
                    "readableHighWaterMark": rhwm,
                    "writableHighWaterMark": opts.get("writableHighWaterMark") or 0,
                }
        Duplex.__init__(self, opts)
        self._readableState.sync = False
        self._kCallback: Any = None
        if opts:
            fn = check_fn(opts.get("transform"), "options.transform")
            if fn is not None:
                self._transform = js_option(fn, 3)  # type: ignore[method-assign]
            fn = check_fn(opts.get("flush"), "options.flush")
            if fn is not None:
                self._flush = js_option(fn, 1)
        self.on("prefinish", self._on_prefinish)

    def _on_prefinish(self) -> None:
        if type(self)._final is not Transform._final or "_final" in self.__dict__:
            _final(self, None)

    def _final(self, cb: Any = None) -> None:
        _final(self, cb)

    def _transform(self, chunk: Any, encoding: str, callback: Any) -> None:
        raise ERR_METHOD_NOT_IMPLEMENTED("_transform()")

    def _write(self, chunk: Any, encoding: str, callback: Any) -> None:
        r_state = self._readableState
        w_state = self._writableState
        length = r_state.length

        def after(err: Any = None, val: Any = None, *_rest: Any) -> None:
            if err:
                callback(err)
                return
            if val is not None:
                self.push(val)
            if r_state.bits & r_kEnded:
                nextTick(callback)
            elif w_state.bits & w_kEnded or length == r_state.length or (
                r_state.length < r_state.highWaterMark
            ):
                callback()
            else:
                self._kCallback = callback

        self._transform(chunk, encoding, after)

    def _read(self, n: int = 0) -> None:
        callback = self._kCallback
        if callback is not None:
            self._kCallback = None
            callback()


def _final(self: Transform, cb: Any) -> None:
    flush = self._flush
    if callable(flush) and not self.destroyed:

        def done(er: Any = None, data: Any = None, *_rest: Any) -> None:
            if er:
                if cb is not None:
                    cb(er)
                else:
                    self.destroy(er)
                return
            if data is not None:
                self.push(data)
            self.push(None)
            if cb is not None:
                cb()

        flush(done)
    else:
        self.push(None)
        if cb is not None:
            cb()


class PassThrough(Transform):
    """Node's ``stream.PassThrough``: a Transform that passes chunks through."""

    __slots__ = ()

    def _transform(self, chunk: Any, encoding: str, callback: Any) -> None:
        callback(None, chunk)


__all__ = ["PassThrough", "Transform"]
