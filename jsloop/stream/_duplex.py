"""Duplex streams (Node's lib/internal/streams/duplex.js).

Owns: ``Duplex``: a Readable (first in the MRO, so its ``on``/``pipe``/
``destroyed``... win as in Node, where Duplex's prototype is Readable's)
with Writable's methods; ``destroy`` is Writable's (it also fails buffered
writes). Options: everything both sides take, plus ``allowHalfOpen``
(default True: when False, 'end' on the readable side ends the writable
side), ``readable=False`` / ``writable=False`` for a one-sided duplex, and
per-side ``readableObjectMode``/``writableObjectMode``,
``readableHighWaterMark``/``writableHighWaterMark``.

Imports: _readable, _writable, _destroy, _legacy.
"""

from __future__ import annotations

from typing import Any

from . import _destroy as destroy_impl
from ._legacy import Stream, merge_options
from ._readable import Readable, _apply_readable_options
from ._rstate import ReadableState
from ._rstate import kEnded as r_kEnded
from ._rstate import kEndEmitted as r_kEndEmitted
from ._utils import kDestroyed
from ._writable import Writable, _apply_writable_options
from ._wstate import WritableState
from ._wstate import kEnded as w_kEnded
from ._wstate import kEnding as w_kEnding
from ._wstate import kFinished as w_kFinished


class Duplex(Readable, Writable):
    """Node's ``stream.Duplex``: both a Readable and a Writable."""

    __slots__ = ("allowHalfOpen",)

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        opts = merge_options(options, kwargs)
        Stream.__init__(self)
        self._readableState = ReadableState(opts, self, True)
        self._writableState = WritableState(opts, self, True)
        if opts:
            self.allowHalfOpen = opts.get("allowHalfOpen") is not False
            if opts.get("readable") is False:
                rs = self._readableState
                rs.readable = False
                rs.bits |= r_kEnded | r_kEndEmitted
            if opts.get("writable") is False:
                ws = self._writableState
                ws.writable = False
                ws.bits |= w_kEnding | w_kEnded | w_kFinished
            _apply_readable_options(self, opts)
            _apply_writable_options(self, opts)
            signal = opts.get("signal")
            if signal is not None:
                from ._abort import addAbortSignal

                addAbortSignal(signal, self)
        else:
            self.allowHalfOpen = True
        if self._construct is not None:
            destroy_impl.construct(self, self._on_constructed)

    def _on_constructed(self) -> None:
        self._readableState.on_constructed(self)
        self._writableState.on_constructed(self)

    destroy = Writable.destroy
    _destroy = Readable._destroy

    @property
    def destroyed(self) -> bool:
        r = self._readableState
        w = self._writableState
        if r is None or w is None:
            return False
        return bool(r.bits & kDestroyed and w.bits & kDestroyed)

    @destroyed.setter
    def destroyed(self, value: bool) -> None:
        if self._readableState is not None and self._writableState is not None:
            self._readableState.destroyed = value
            self._writableState.destroyed = value


__all__ = ["Duplex"]
